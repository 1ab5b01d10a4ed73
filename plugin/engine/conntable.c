/*
 * tcpphase engine: the connections of a capture. Each incarnation of a 4-tuple is a connection
 * of its own, numbered in order of appearance; the table maps a 4-tuple, in either direction,
 * to its latest incarnation.
 *
 * Layout (measured with bench/engine_bench; docs/PERFORMANCE.md): this look-up runs for every
 * segment, and a capture holds millions of connections, so
 *  - connections live in fixed-size chunks that never move, found by id: a connection costs
 *    its own size, with no allocator header and no pointer array beside it;
 *  - the 4-tuple index is a table of its own (open addressing, linear probing): a slot is 8
 *    bytes, the tuple's hash and the connection's id, so a look-up reads one cache line of the
 *    index and then the connection itself; a glib GHashTable read three arrays (hashes, keys,
 *    values) through two callbacks (with the scan and coverage hashes' change, the engine
 *    went from 1,036 to 941 instructions and 8.5 to 6.8 first-level misses a segment on the
 *    bench); a new incarnation takes over its 4-tuple's slot, and nothing is removed;
 *  - an IPv4 4-tuple takes 12 bytes in the record; IPv6 addresses (32 bytes a pair, a quarter
 *    of the bench's connections) are kept in blocks beside it, pointed to by the record;
 *  - the facts few connections have are in side records (tp_side, tp_side_more; side.c), kept
 *    here in two arrays and made on demand;
 *  - the hash reads the address as words instead of a byte loop, and is one multiply per part.
 */
#include "conntable.h"

#include <string.h>

#define CHUNK_SHIFT 8 /* 256 connections a chunk */
#define CHUNK_SIZE  (1u << CHUNK_SHIFT)
#define V6_BLOCK    128 /* IPv6 address pairs (32 bytes each) a block of the address store */
#define SLOTS_MIN   1024

/* A slot of the 4-tuple index: id 0 is empty. */
typedef struct tp_slot {
    uint32_t hash;
    uint32_t id;
} tp_slot;

struct tp_conntable {
    tp_conn **chunks; /* chunk k holds ids k * CHUNK_SIZE + 1 .. (k + 1) * CHUNK_SIZE */
    uint32_t n_chunks;
    uint32_t count;   /* connections, and the last id */
    tp_slot *slots;   /* the 4-tuple index: the latest incarnation of each (see above) */
    uint32_t mask;    /* slots - 1; a power of two less one */
    uint32_t used;    /* slots in use: 4-tuples */
    GPtrArray *v6;    /* blocks of V6_BLOCK IPv6 address pairs; they never move */
    uint32_t v6_used; /* pairs used in the last block */
    GArray *sides;    /* tp_side, by tp_conn.side - 1 */
    GArray *mores;    /* tp_side_more, by tp_side.more - 1 */
};

static inline tp_conn *conn_of(const tp_conntable *t, uint32_t id)
{
    return &t->chunks[(id - 1) >> CHUNK_SHIFT][(id - 1) & (CHUNK_SIZE - 1)];
}

static inline bool endpoint_equal(const tp_conn *a, tp_dir da, const tp_conn *b, tp_dir db)
{
    if (a->port[da] != b->port[db])
        return false;
    return a->v6 ? memcmp(tp_conn_addr_bytes(a, da), tp_conn_addr_bytes(b, db), 16) == 0
                 : memcmp(tp_conn_addr_bytes(a, da), tp_conn_addr_bytes(b, db), 4) == 0;
}

/* An IPv6 endpoint's share of the hash, from its address and its port: multiplying by large
 * odd constants spreads each part into the high half of the word, which is the hash. */
static inline uint64_t v6_endpoint_key(const uint8_t *a, uint16_t port)
{
    uint64_t lo, hi;
    memcpy(&lo, a, 8);
    memcpy(&hi, a + 8, 8);
    return lo * 0x9e3779b97f4a7c15ull + hi * 0xc2b2ae3d27d4eb4full +
           (uint64_t)port * 0x165667b19e3779f9ull;
}

/* An IPv4 4-tuple's hash, from its two addresses and two ports: the IPv6 endpoints' sum with
 * the products gathered, one multiply each. */
static inline uint64_t v4_tuple_key(const uint8_t *a, const uint8_t *b, uint16_t pa, uint16_t pb)
{
    uint32_t a0, a1;
    memcpy(&a0, a, 4);
    memcpy(&a1, b, 4);
    return ((uint64_t)a0 + a1) * 0x9e3779b97f4a7c15ull +
           ((uint64_t)pa + pb) * 0x165667b19e3779f9ull;
}

/*
 * Symmetric in the two endpoints (a sum), so both directions find the same connection. The high
 * 32 bits of the products are the hash (multiplicative hashing, Knuth 6.4): every input bit
 * reaches them. The index takes its slot from the hash's top bits (slot_of), which are the
 * best mixed; a finalizer (murmur3's) on top cost 14 instructions a segment and shortened no
 * probe sequence on the bench.
 */
static uint32_t tuple_hash(const tp_conn *c)
{
    uint64_t k = c->v6 ? v6_endpoint_key(c->addr.v6, c->port[0]) +
                             v6_endpoint_key(c->addr.v6 + 16, c->port[1])
                       : v4_tuple_key(c->addr.v4[0], c->addr.v4[1], c->port[0], c->port[1]);
    return (uint32_t)(k >> 32);
}

/* tuple_hash of the segment's 4-tuple, read from the segment itself. */
static inline uint32_t segment_hash(const tp_segment *seg)
{
    uint64_t k = seg->src.len == 16
                     ? v6_endpoint_key(seg->src.bytes, seg->sport) +
                           v6_endpoint_key(seg->dst.bytes, seg->dport)
                     : v4_tuple_key(seg->src.bytes, seg->dst.bytes, seg->sport, seg->dport);
    return (uint32_t)(k >> 32);
}

/* An IPv4 4-tuple as two words: both addresses, both ports (in tp_dir order). */
static inline void v4_words(const tp_conn *c, uint64_t *addrs, uint32_t *ports)
{
    memcpy(addrs, c->addr.v4, 8);
    memcpy(ports, c->port, 4);
}

/* The same words with the endpoints swapped. */
static inline uint64_t swap_halves64(uint64_t v)
{
    return (v << 32) | (v >> 32);
}

static inline uint32_t swap_halves32(uint32_t v)
{
    return (v << 16) | (v >> 16);
}

/* Equal in either direction, as the hash is symmetric. IPv4, most of the lookups, compares
 * whole words: the key's 12 bytes one way, then swapped. */
static bool tuple_equal(const tp_conn *a, const tp_conn *b)
{
    if (a->v6 != b->v6)
        return false;
    if (!a->v6) {
        uint64_t aa, ba;
        uint32_t ap, bp;
        v4_words(a, &aa, &ap);
        v4_words(b, &ba, &bp);
        return (aa == ba && ap == bp) || (aa == swap_halves64(ba) && ap == swap_halves32(bp));
    }
    if (endpoint_equal(a, TP_CLIENT, b, TP_CLIENT))
        return endpoint_equal(a, TP_SERVER, b, TP_SERVER);
    return endpoint_equal(a, TP_CLIENT, b, TP_SERVER) && endpoint_equal(a, TP_SERVER, b, TP_CLIENT);
}

/* The segment's source as a connection's endpoint d, compared. */
static bool is_source(const tp_conn *c, tp_dir d, const tp_segment *seg)
{
    return c->port[d] == seg->sport &&
           memcmp(tp_conn_addr_bytes(c, d), seg->src.bytes, c->v6 ? 16 : 4) == 0;
}

/* The segment's destination as a connection's endpoint d, compared. */
static bool is_destination(const tp_conn *c, tp_dir d, const tp_segment *seg)
{
    return c->port[d] == seg->dport &&
           memcmp(tp_conn_addr_bytes(c, d), seg->dst.bytes, c->v6 ? 16 : 4) == 0;
}

/* Is the segment one of c's, in either direction (tuple_equal against the segment's tuple)?
 * IPv4 compares whole words, as tuple_equal does. */
static inline bool holds_segment(const tp_conn *c, const tp_segment *seg)
{
    if (c->v6 != (seg->src.len == 16))
        return false;
    if (!c->v6) {
        uint8_t addrs[8];
        uint16_t ports[2] = {seg->sport, seg->dport};
        uint64_t ca, sa;
        uint32_t cp, sp;
        memcpy(addrs, seg->src.bytes, 4);
        memcpy(addrs + 4, seg->dst.bytes, 4);
        memcpy(&sa, addrs, 8);
        memcpy(&sp, ports, 4);
        v4_words(c, &ca, &cp);
        return (ca == sa && cp == sp) || (ca == swap_halves64(sa) && cp == swap_halves32(sp));
    }
    if (is_source(c, TP_CLIENT, seg))
        return is_destination(c, TP_SERVER, seg);
    return is_source(c, TP_SERVER, seg) && is_destination(c, TP_CLIENT, seg);
}

tp_conntable *tp_conntable_new(void)
{
    tp_conntable *t = g_new0(tp_conntable, 1);
    t->mask = SLOTS_MIN - 1;
    t->slots = g_new0(tp_slot, SLOTS_MIN);
    t->v6 = g_ptr_array_new_with_free_func(g_free);
    t->sides = g_array_new(FALSE, TRUE, sizeof(tp_side));
    t->mores = g_array_new(FALSE, TRUE, sizeof(tp_side_more));
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
    g_ptr_array_free(t->v6, TRUE);
    g_array_free(t->sides, TRUE);
    g_array_free(t->mores, TRUE);
    g_free(t);
}

/* The first slot to probe for a hash: its top bits, as many as the index has slots. */
static inline uint32_t slot_of(const tp_conntable *t, uint32_t hash)
{
    return (uint32_t)(((uint64_t)hash * (t->mask + 1ull)) >> 32);
}

/* The slot of key's 4-tuple, or the empty slot where it would go. */
static tp_slot *probe(const tp_conntable *t, const tp_conn *key, uint32_t hash)
{
    for (uint32_t i = slot_of(t, hash);; i = (i + 1) & t->mask) {
        tp_slot *s = &t->slots[i];
        if (s->id == 0 || (s->hash == hash && tuple_equal(conn_of(t, s->id), key)))
            return s;
    }
}

/* probe's walk for a segment, comparing the segment's own tuple: no key is built (a key
 * connection cost about 40 instructions a segment to fill and read back). */
tp_conn *tp_conntable_find(tp_conntable *t, const tp_segment *seg)
{
    uint32_t hash = segment_hash(seg);
    for (uint32_t i = slot_of(t, hash);; i = (i + 1) & t->mask) {
        const tp_slot *s = &t->slots[i];
        if (s->id == 0)
            return NULL;
        if (s->hash == hash && holds_segment(conn_of(t, s->id), seg))
            return conn_of(t, s->id);
    }
}

/* Twice the slots once half are used: probe sequences stay short, and there is always an
 * empty slot to end them. The hashes are kept, so no tuple is read again. */
static void grow(tp_conntable *t)
{
    uint32_t n = 2 * (t->mask + 1);
    tp_slot *old = t->slots;
    uint32_t old_n = t->mask + 1;

    t->slots = g_new0(tp_slot, n);
    t->mask = n - 1;
    for (uint32_t k = 0; k < old_n; k++) {
        if (old[k].id == 0)
            continue;
        uint32_t i = slot_of(t, old[k].hash);
        while (t->slots[i].id != 0)
            i = (i + 1) & t->mask;
        t->slots[i] = old[k];
    }
    g_free(old);
}

/* c becomes its 4-tuple's latest incarnation, in place of the one before, if any. */
static void index_latest(tp_conntable *t, const tp_conn *c)
{
    uint32_t hash = tuple_hash(c);
    tp_slot *s = probe(t, c, hash);
    if (s->id == 0) {
        if (2 * ((uint64_t)t->used + 1) > t->mask + 1ull) {
            grow(t);
            s = probe(t, c, hash);
        }
        t->used++;
        s->hash = hash;
    }
    s->id = c->id;
}

/* tp_conn_dir (conntable.h) when the ports are equal: the addresses tell. */
tp_dir tp_conn_dir_by_address(const tp_conn *c, const tp_segment *seg)
{
    return is_source(c, TP_CLIENT, seg) ? TP_CLIENT : TP_SERVER;
}

/* Is endpoint da of a the same address and port as endpoint db of b (same family)? */
bool tp_conn_same_endpoint(const tp_conn *a, tp_dir da, const tp_conn *b, tp_dir db)
{
    return a->v6 == b->v6 && endpoint_equal(a, da, b, db);
}

/* Endpoint d's address as the API gives it: its length, its bytes, zeros after them. */
void tp_conn_addr(const tp_conn *c, tp_dir d, tp_addr *out)
{
    memset(out, 0, sizeof *out);
    out->len = c->v6 ? 16 : 4;
    memcpy(out->bytes, tp_conn_addr_bytes(c, d), out->len);
}

/*
 * A zeroed connection with the next id. Each record is cleared when taken, not its chunk when
 * allocated: calloc clears a heap chunk whole (9 instructions a segment on the bench, and every
 * page of the chunk made resident at once), a record costs a few stores.
 */
static tp_conn *new_conn(tp_conntable *t)
{
    uint32_t k = t->count >> CHUNK_SHIFT;
    if (k == t->n_chunks) {
        t->chunks = g_renew(tp_conn *, t->chunks, k + 1);
        t->chunks[k] = g_new(tp_conn, CHUNK_SIZE);
        t->n_chunks = k + 1;
    }
    t->count++;
    tp_conn *c = conn_of(t, t->count);
    *c = (tp_conn){.id = t->count, .ep = {TP_ENDPOINT_UNSEEN, TP_ENDPOINT_UNSEEN}};
    return c;
}

/* 32 bytes for an IPv6 address pair, which stay where they are. */
static uint8_t *v6_pair(tp_conntable *t)
{
    if (t->v6->len == 0 || t->v6_used == V6_BLOCK) {
        g_ptr_array_add(t->v6, g_malloc(V6_BLOCK * 32));
        t->v6_used = 0;
    }
    return (uint8_t *)g_ptr_array_index(t->v6, t->v6->len - 1) + 32 * t->v6_used++;
}

/* Starts a new incarnation of the segment's 4-tuple, with the segment's sender on side
 * `sender`. It replaces previous (if any) as the 4-tuple's latest incarnation. */
tp_conn *tp_conntable_open(tp_conntable *t, const tp_segment *seg, tp_dir sender,
                           const tp_conn *previous)
{
    /* No overflow of count: every connection has a frame of its own, and frames are below
     * UINT32_MAX (segment_valid). */
    tp_conn *c = new_conn(t);
    c->v6 = seg->src.len == 16;
    if (c->v6 && previous && is_source(previous, sender, seg)) {
        c->addr.v6 = previous->addr.v6; /* the same 4-tuple, the same sides: share the pair */
    } else if (c->v6) {
        uint8_t *pair = v6_pair(t);
        memcpy(pair + 16 * sender, seg->src.bytes, 16);
        memcpy(pair + 16 * TP_PEER(sender), seg->dst.bytes, 16);
        c->addr.v6 = pair;
    } else {
        memcpy(c->addr.v4[sender], seg->src.bytes, 4);
        memcpy(c->addr.v4[TP_PEER(sender)], seg->dst.bytes, 4);
    }
    c->port[sender] = seg->sport;
    c->port[TP_PEER(sender)] = seg->dport;
    c->first_frame = seg->frame;
    c->first_ns = seg->time_ns;

    /* The 4-tuple's slot now names the new incarnation; the old one keeps its own tuple. */
    index_latest(t, c);
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

tp_side *tp_conntable_side(const tp_conntable *t, const tp_conn *c)
{
    return c->side ? &g_array_index(t->sides, tp_side, c->side - 1) : NULL;
}

tp_side *tp_conntable_side_new(tp_conntable *t, tp_conn *c)
{
    if (!c->side) {
        g_array_set_size(t->sides, t->sides->len + 1); /* zeroed: clear_ was TRUE */
        c->side = t->sides->len;
    }
    return &g_array_index(t->sides, tp_side, c->side - 1);
}

tp_side_more *tp_conntable_more(const tp_conntable *t, const tp_conn *c)
{
    const tp_side *s = tp_conntable_side(t, c);
    return s && s->more ? &g_array_index(t->mores, tp_side_more, s->more - 1) : NULL;
}

tp_side_more *tp_conntable_more_new(tp_conntable *t, tp_conn *c)
{
    tp_side *s = tp_conntable_side_new(t, c);
    if (!s->more) {
        g_array_set_size(t->mores, t->mores->len + 1);
        s->more = t->mores->len;
    }
    return &g_array_index(t->mores, tp_side_more, s->more - 1);
}
