/*
 * tcpphase engine: the connections of a capture. Each incarnation of a 4-tuple is a connection
 * of its own, numbered in order of appearance; the table maps a 4-tuple, in either direction,
 * to its latest incarnation.
 *
 * Layout (measured with bench/engine_bench; docs/PERFORMANCE.md): this look-up runs for every
 * segment, and a capture holds millions of connections, so
 *  - connections live in fixed-size chunks that never move, found by id: a connection costs
 *    its own size, with no allocator header and no pointer array beside it;
 *  - the 4-tuple index is an open-addressing table of (hash, id) slots, 8 bytes each, at most
 *    3/4 full, probed linearly; nothing is ever removed from it (a new incarnation takes over
 *    its 4-tuple's slot), so it needs no tombstones;
 *  - the hash reads the address as words instead of a byte loop, and the comparisons are
 *    inlined; GHashTable's indirect calls and the FNV loop were a third of the engine's time.
 */
#include "internal.h"

#include <string.h>

#define CHUNK_SHIFT 8 /* 256 connections a chunk */
#define CHUNK_SIZE  (1u << CHUNK_SHIFT)
#define MIN_SLOTS   256u

typedef struct slot {
    uint32_t hash; /* the 4-tuple's hash, so most mismatches never touch the connection */
    uint32_t id;   /* connection id; 0: empty */
} slot;

struct tp_conntable {
    tp_conn **chunks; /* chunk k holds ids k * CHUNK_SIZE + 1 .. (k + 1) * CHUNK_SIZE */
    uint32_t n_chunks;
    uint32_t count; /* connections, and the last id */
    slot *slots;
    uint32_t mask; /* slot count - 1; the count is a power of two */
    uint32_t used;
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

static inline bool tuple_matches(const tp_tuple *t, const tp_segment *seg)
{
    if (endpoint_equal(&t->addr[0], t->port[0], &seg->src, seg->sport))
        return endpoint_equal(&t->addr[1], t->port[1], &seg->dst, seg->dport);
    return endpoint_equal(&t->addr[0], t->port[0], &seg->dst, seg->dport) &&
           endpoint_equal(&t->addr[1], t->port[1], &seg->src, seg->sport);
}

tp_conntable *tp_conntable_new(void)
{
    tp_conntable *t = g_new0(tp_conntable, 1);
    t->slots = g_new0(slot, MIN_SLOTS);
    t->mask = MIN_SLOTS - 1;
    return t;
}

void tp_conntable_free(tp_conntable *t)
{
    if (!t)
        return;
    for (uint32_t k = 0; k < t->n_chunks; k++)
        g_free(t->chunks[k]);
    g_free(t->chunks);
    g_free(t->slots);
    g_free(t);
}

/* The slot of the segment's 4-tuple, or the empty slot where it would go. */
static inline slot *probe(const tp_conntable *t, const tp_segment *seg, uint32_t h)
{
    for (uint32_t i = h & t->mask;; i = (i + 1) & t->mask) {
        slot *s = &t->slots[i];
        if (s->id == 0 || (s->hash == h && tuple_matches(&conn_of(t, s->id)->tuple, seg)))
            return s;
    }
}

tp_conn *tp_conntable_find(tp_conntable *t, const tp_segment *seg)
{
    uint32_t h = tuple_hash(&seg->src, seg->sport, &seg->dst, seg->dport);
    slot *s = probe(t, seg, h);
    return s->id ? conn_of(t, s->id) : NULL;
}

tp_dir tp_conn_dir(const tp_conn *c, const tp_segment *seg)
{
    const tp_tuple *t = &c->tuple;
    return endpoint_equal(&t->addr[TP_CLIENT], t->port[TP_CLIENT], &seg->src, seg->sport)
               ? TP_CLIENT
               : TP_SERVER;
}

/* Doubles the slot table, re-placing every slot by its stored hash. */
static void grow_slots(tp_conntable *t)
{
    uint32_t old_n = t->mask + 1, n = 2 * old_n;
    slot *old = t->slots;

    t->slots = g_new0(slot, n);
    t->mask = n - 1;
    for (uint32_t k = 0; k < old_n; k++) {
        if (!old[k].id)
            continue;
        uint32_t i = old[k].hash & t->mask;
        while (t->slots[i].id)
            i = (i + 1) & t->mask;
        t->slots[i] = old[k];
    }
    g_free(old);
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
    if ((t->used + 1) * 4 > (t->mask + 1) * 3)
        grow_slots(t);

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

    /* The 4-tuple's slot now names the new incarnation; the old one keeps its own record. */
    uint32_t h = tuple_hash(&seg->src, seg->sport, &seg->dst, seg->dport);
    slot *s = probe(t, seg, h);
    if (!s->id)
        t->used++;
    s->hash = h;
    s->id = c->id;
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
