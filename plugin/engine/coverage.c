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

struct tp_coverage {
    GHashTable *v4; /* directed IPv4 host pair, source << 32 | destination, as the key itself */
    GHashTable *v6; /* directed IPv6 host pair: 32 bytes, source then destination */
};

/* An IPv4 pair fits a pointer on the 64-bit hosts Wireshark runs on, so it needs no allocation
 * (a capture may hold as many host pairs as connections: a SYN flood from spoofed sources). */
_Static_assert(sizeof(gpointer) >= 8, "IPv4 host pairs are stored in a pointer");

static gpointer v4_key(const uint8_t *src, const uint8_t *dst)
{
    uint64_t k = (uint64_t)src[0] << 56 | (uint64_t)src[1] << 48 | (uint64_t)src[2] << 40 |
                 (uint64_t)src[3] << 32 | (uint64_t)dst[0] << 24 | (uint64_t)dst[1] << 16 |
                 (uint64_t)dst[2] << 8 | dst[3];
    return (gpointer)(uintptr_t)k;
}

static guint v4_hash(gconstpointer p)
{
    uint64_t k = (uint64_t)(uintptr_t)p;
    return (guint)((k * 0x9e3779b97f4a7c15ull) >> 32);
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
    v->v4 = g_hash_table_new(v4_hash, g_direct_equal);
    v->v6 = g_hash_table_new_full(v6_hash, v6_equal, g_free, NULL);
    return v;
}

void tp_coverage_free(tp_coverage *v)
{
    if (!v)
        return;
    g_hash_table_destroy(v->v4);
    g_hash_table_destroy(v->v6);
    g_free(v);
}

static void note_pair(tp_coverage *v, const tp_addr *src, const tp_addr *dst)
{
    if (src->len == 4) {
        g_hash_table_add(v->v4, v4_key(src->bytes, dst->bytes));
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
        return g_hash_table_contains(v->v4, v4_key(src.bytes, dst.bytes));
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
