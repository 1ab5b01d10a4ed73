/*
 * tcpphase engine: what the capture point sees. A tap or SPAN port may carry one direction of
 * a link, and a capture merged from interfaces may miss one; a SYN without answer is then no
 * proof that nobody answered. The set here holds every (source host, destination host) pair
 * the capture has shown a segment for, so that the hindsight findings that rest on an absence
 * (a SYN never answered, a SYN-ACK never acknowledged) are raised only where the answer's
 * direction is known to be visible.
 *
 * It is written once per connection direction (a connection's first segment from each side),
 * not per segment, and holds one entry per host pair, which captures have far fewer of than
 * connections.
 */
#include "coverage.h"

#include "side.h"

#include <string.h>

/*
 * IPv4 pairs, as many as a capture's connections in the worst case (a SYN flood from spoofed
 * sources), in a table of their own: open addressing over 64-bit words, the pair itself
 * (source << 32 | destination), at most half full. A glib set cost about 100 instructions a
 * note, twice per connection. The pair 0.0.0.0 -> 0.0.0.0, which is the empty word, is a flag.
 */
typedef struct v4_set {
    uint64_t *keys;
    uint32_t mask; /* keys less one */
    uint32_t used;
    bool has_zero;
} v4_set;

struct tp_coverage {
    v4_set v4;
    GHashTable *v6; /* directed IPv6 host pair: 32 bytes, source then destination */
};

#define V4_SLOTS_MIN 64u

static uint64_t v4_key(const uint8_t *src, const uint8_t *dst)
{
    return (uint64_t)src[0] << 56 | (uint64_t)src[1] << 48 | (uint64_t)src[2] << 40 |
           (uint64_t)src[3] << 32 | (uint64_t)dst[0] << 24 | (uint64_t)dst[1] << 16 |
           (uint64_t)dst[2] << 8 | dst[3];
}

/* The slot of key (not 0), or the empty one where it would go: the first probe from the top
 * bits of a multiplicative hash, as conntable.c's. */
static uint64_t *v4_slot(const v4_set *set, uint64_t key)
{
    uint32_t h = (uint32_t)((key * 0x9e3779b97f4a7c15ull) >> 32);
    for (uint32_t i = (uint32_t)(((uint64_t)h * (set->mask + 1ull)) >> 32);;
         i = (i + 1) & set->mask)
        if (set->keys[i] == 0 || set->keys[i] == key)
            return &set->keys[i];
}

static bool v4_contains(const v4_set *set, uint64_t key)
{
    return key == 0 ? set->has_zero : *v4_slot(set, key) != 0;
}

static void v4_add(v4_set *set, uint64_t key)
{
    if (key == 0) {
        set->has_zero = true;
        return;
    }
    uint64_t *slot = v4_slot(set, key);
    if (*slot != 0)
        return;
    *slot = key;
    if (2 * (uint64_t)++set->used <= set->mask + 1ull)
        return;
    /* Twice the slots once half are used: probe sequences stay short and always end. */
    uint64_t *old = set->keys;
    uint32_t n = set->mask + 1;
    set->mask = 2 * n - 1;
    set->keys = g_new0(uint64_t, 2 * (size_t)n);
    for (uint32_t k = 0; k < n; k++)
        if (old[k] != 0)
            *v4_slot(set, old[k]) = old[k];
    g_free(old);
}

/* Four words, each multiplied by its own large odd constant, the high half of the sum (as
 * v4_hash): a byte loop cost about 100 instructions a look-up. */
static guint v6_hash(gconstpointer p)
{
    uint64_t w[4];
    memcpy(w, p, sizeof w);
    uint64_t h = w[0] * 0x9e3779b97f4a7c15ull + w[1] * 0xc2b2ae3d27d4eb4full +
                 w[2] * 0x165667b19e3779f9ull + w[3] * 0x27d4eb2f165667c5ull;
    return (guint)(h >> 32);
}

static gboolean v6_equal(gconstpointer a, gconstpointer b)
{
    return memcmp(a, b, 32) == 0;
}

tp_coverage *tp_coverage_new(void)
{
    tp_coverage *v = g_new0(tp_coverage, 1);
    v->v4.keys = g_new0(uint64_t, V4_SLOTS_MIN);
    v->v4.mask = V4_SLOTS_MIN - 1;
    v->v6 = g_hash_table_new_full(v6_hash, v6_equal, g_free, NULL);
    return v;
}

void tp_coverage_free(tp_coverage *v)
{
    if (!v)
        return;
    g_free(v->v4.keys);
    g_hash_table_destroy(v->v6);
    g_free(v);
}

static void note_pair(tp_coverage *v, const tp_addr *src, const tp_addr *dst)
{
    if (src->len == 4) {
        v4_add(&v->v4, v4_key(src->bytes, dst->bytes));
        return;
    }
    uint8_t key[32];
    memcpy(key, src->bytes, 16);
    memcpy(key + 16, dst->bytes, 16);
    if (!g_hash_table_contains(v->v6, key))
        g_hash_table_add(v->v6, g_memdup2(key, sizeof key));
}

void tp_coverage_note(tp_coverage *v, const tp_segment *seg)
{
    note_pair(v, &seg->src, &seg->dst);
}

bool tp_coverage_seen(const tp_coverage *v, const tp_conn *c, tp_dir from)
{
    tp_addr src, dst;

    tp_conn_addr(c, from, &src);
    tp_conn_addr(c, TP_PEER(from), &dst);
    if (src.len == 4)
        return v4_contains(&v->v4, v4_key(src.bytes, dst.bytes));
    uint8_t key[32];
    memcpy(key, src.bytes, 16);
    memcpy(key + 16, dst.bytes, 16);
    return g_hash_table_contains(v->v6, key);
}

bool tp_conn_unanswered_provable(const tp_conntable *t, const tp_coverage *v, const tp_conn *c,
                                 tp_dir waiting)
{
    /* Its own retransmission says it got no answer in time (RFC 9293 3.8.1). */
    if (waiting == TP_CLIENT ? tp_conn_syn_count(t, c) > 1 : c->synack_again)
        return true;
    return tp_coverage_seen(v, c, TP_PEER(waiting));
}
