/*
 * tcpphase engine: the connections of a capture. Each incarnation of a 4-tuple is a connection
 * of its own, numbered in order of appearance; the table maps a 4-tuple, in either direction,
 * to its latest incarnation.
 *
 * Layout (measured with bench/engine_bench; docs/PERFORMANCE.md): this look-up runs for every
 * segment, and a capture holds millions of connections, so
 *  - connections live in fixed-size chunks that never move, found by id: a connection costs
 *    its own size, with no allocator header and no pointer array beside it;
 *  - the 4-tuple index is a glib GHashTable whose keys are the tuples inside the connections
 *    themselves (they never move), so it holds no copies; a new incarnation takes over its
 *    4-tuple's entry;
 *  - the hash reads the address as words instead of a byte loop.
 */
#include "internal.h"

#include <string.h>

#define CHUNK_SHIFT 8 /* 256 connections a chunk */
#define CHUNK_SIZE  (1u << CHUNK_SHIFT)

struct tp_conntable {
    tp_conn **chunks; /* chunk k holds ids k * CHUNK_SIZE + 1 .. (k + 1) * CHUNK_SIZE */
    uint32_t n_chunks;
    uint32_t count;     /* connections, and the last id */
    GHashTable *latest; /* tp_tuple * (inside its tp_conn) -> itself: the latest incarnation */
};

static inline tp_conn *conn_of(const tp_conntable *t, uint32_t id)
{
    return &t->chunks[(id - 1) >> CHUNK_SHIFT][(id - 1) & (CHUNK_SIZE - 1)];
}

/* Only the address's own len bytes count: the rest of tp_addr.bytes may hold anything. */
static inline bool addr_equal(const tp_addr *a, const tp_addr *b)
{
    if (a->len != b->len)
        return false;
    if (a->len == 4)
        return memcmp(a->bytes, b->bytes, 4) == 0;
    if (a->len == 16)
        return memcmp(a->bytes, b->bytes, 16) == 0;
    return memcmp(a->bytes, b->bytes, a->len < sizeof a->bytes ? a->len : sizeof a->bytes) == 0;
}

static inline bool endpoint_equal(const tp_addr *a, uint16_t pa, const tp_addr *b, uint16_t pb)
{
    return pa == pb && addr_equal(a, b);
}

/* murmur3's 64-bit finalizer: every input bit affects every output bit. */
static inline uint64_t mix64(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    return h ^ (h >> 33);
}

/* One endpoint's share of the hash, from its address's len bytes and its port: multiplying
 * by large odd constants spreads each part over the whole word; the final mix does the rest. */
static inline uint64_t endpoint_key(const tp_addr *a, uint16_t port)
{
    uint64_t lo = 0, hi = 0;
    if (a->len == 4) {
        uint32_t v;
        memcpy(&v, a->bytes, 4);
        lo = v;
    } else if (a->len == 16) {
        memcpy(&lo, a->bytes, 8);
        memcpy(&hi, a->bytes + 8, 8);
    } else {
        for (unsigned i = 0; i < a->len && i < sizeof a->bytes; i++)
            lo = lo * 257 + a->bytes[i];
    }
    return lo * 0x9e3779b97f4a7c15ull + hi * 0xc2b2ae3d27d4eb4full +
           (uint64_t)port * 0x165667b19e3779f9ull;
}

/* Symmetric in the two endpoints (a sum), so both directions find the same connection. */
static inline uint32_t tuple_hash(const tp_addr *a, uint16_t pa, const tp_addr *b, uint16_t pb)
{
    return (uint32_t)(mix64(endpoint_key(a, pa) + endpoint_key(b, pb)) >> 32);
}

static guint tuple_hash_cb(gconstpointer key)
{
    const tp_tuple *t = key;
    return tuple_hash(&t->addr[0], t->port[0], &t->addr[1], t->port[1]);
}

/* Equal in either direction, as the hash is symmetric. */
static gboolean tuple_equal_cb(gconstpointer x, gconstpointer y)
{
    const tp_tuple *a = x, *b = y;
    if (endpoint_equal(&a->addr[0], a->port[0], &b->addr[0], b->port[0]))
        return endpoint_equal(&a->addr[1], a->port[1], &b->addr[1], b->port[1]);
    return endpoint_equal(&a->addr[0], a->port[0], &b->addr[1], b->port[1]) &&
           endpoint_equal(&a->addr[1], a->port[1], &b->addr[0], b->port[0]);
}

tp_conntable *tp_conntable_new(void)
{
    tp_conntable *t = g_new0(tp_conntable, 1);
    t->latest = g_hash_table_new(tuple_hash_cb, tuple_equal_cb);
    return t;
}

void tp_conntable_free(tp_conntable *t)
{
    if (!t)
        return;
    for (uint32_t k = 0; k < t->n_chunks; k++)
        g_free(t->chunks[k]);
    g_free(t->chunks);
    g_hash_table_destroy(t->latest);
    g_free(t);
}

tp_conn *tp_conntable_find(tp_conntable *t, const tp_segment *seg)
{
    tp_tuple key;
    key.addr[0] = seg->src;
    key.addr[1] = seg->dst;
    key.port[0] = seg->sport;
    key.port[1] = seg->dport;
    /* The tuple is the connection's first member (internal.h). */
    return g_hash_table_lookup(t->latest, &key);
}

/* tp_conn_dir (internal.h) when the ports are equal: the addresses tell. */
tp_dir tp_conn_dir_by_address(const tp_conn *c, const tp_segment *seg)
{
    const tp_tuple *t = &c->tuple;
    return endpoint_equal(&t->addr[TP_CLIENT], t->port[TP_CLIENT], &seg->src, seg->sport)
               ? TP_CLIENT
               : TP_SERVER;
}

/* A zeroed connection with the next id. */
static tp_conn *new_conn(tp_conntable *t)
{
    uint32_t k = t->count >> CHUNK_SHIFT;
    if (k == t->n_chunks) {
        t->chunks = g_renew(tp_conn *, t->chunks, k + 1);
        t->chunks[k] = g_new0(tp_conn, CHUNK_SIZE);
        t->n_chunks = k + 1;
    }
    t->count++;
    tp_conn *c = conn_of(t, t->count);
    c->id = t->count;
    return c;
}

/* Starts a new incarnation of the segment's 4-tuple, with the segment's sender on side
 * `sender`. It replaces previous (if any) as the 4-tuple's latest incarnation. */
tp_conn *tp_conntable_open(tp_conntable *t, const tp_segment *seg, tp_dir sender,
                           const tp_conn *previous)
{
    /* No overflow of count: every connection has a frame of its own, and frames are below
     * UINT32_MAX (segment_valid). */
    tp_conn *c = new_conn(t);
    c->tuple.addr[sender] = seg->src;
    c->tuple.port[sender] = seg->sport;
    c->tuple.addr[TP_PEER(sender)] = seg->dst;
    c->tuple.port[TP_PEER(sender)] = seg->dport;
    c->incarnation = previous ? previous->incarnation + 1 : 1;
    c->first_frame = seg->frame;
    c->first_ns = seg->time_ns;
    tp_endpoint_init(&c->ep[TP_CLIENT], TP_UNKNOWN);
    tp_endpoint_init(&c->ep[TP_SERVER], TP_UNKNOWN);

    /* The 4-tuple's entry now names the new incarnation (replace swaps the key too: the old
     * incarnation keeps its own tuple). */
    g_hash_table_replace(t->latest, &c->tuple, &c->tuple);
    return c;
}

tp_conn *tp_conntable_get(const tp_conntable *t, uint32_t id)
{
    return (id >= 1 && id <= t->count) ? conn_of(t, id) : NULL;
}

uint32_t tp_conntable_count(const tp_conntable *t)
{
    return t->count;
}
