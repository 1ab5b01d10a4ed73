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
#include "internal.h"

#include <string.h>

struct tp_coverage {
    GHashTable *pairs; /* directed host pair (pair_key) -> itself */
};

/* A directed host pair: the source's address, then the destination's, each 16 bytes (IPv4
 * addresses padded with zeros), and the family. */
typedef struct pair_key {
    uint8_t v6;
    uint8_t bytes[32];
} pair_key;

static guint pair_hash(gconstpointer p)
{
    const pair_key *k = p;
    guint h = k->v6;
    for (size_t i = 0; i < sizeof k->bytes; i++)
        h = h * 31u + k->bytes[i];
    return h;
}

static gboolean pair_equal(gconstpointer a, gconstpointer b)
{
    return memcmp(a, b, sizeof(pair_key)) == 0;
}

tp_coverage *tp_coverage_new(void)
{
    tp_coverage *v = g_new0(tp_coverage, 1);
    v->pairs = g_hash_table_new_full(pair_hash, pair_equal, g_free, NULL);
    return v;
}

void tp_coverage_free(tp_coverage *v)
{
    if (!v)
        return;
    g_hash_table_destroy(v->pairs);
    g_free(v);
}

static void key_of(const tp_addr *src, const tp_addr *dst, pair_key *k)
{
    memset(k, 0, sizeof *k);
    k->v6 = src->len == 16;
    memcpy(k->bytes, src->bytes, src->len);
    memcpy(k->bytes + 16, dst->bytes, dst->len);
}

void tp_coverage_note(tp_coverage *v, const tp_segment *seg)
{
    pair_key k;
    key_of(&seg->src, &seg->dst, &k);
    if (!g_hash_table_contains(v->pairs, &k)) {
        pair_key *stored = g_memdup2(&k, sizeof k);
        g_hash_table_add(v->pairs, stored);
    }
}

bool tp_coverage_seen(const tp_coverage *v, const tp_conn *c, tp_dir from)
{
    tp_addr src, dst;
    pair_key k;

    tp_conn_addr(c, from, &src);
    tp_conn_addr(c, TP_PEER(from), &dst);
    key_of(&src, &dst, &k);
    return g_hash_table_contains(v->pairs, &k);
}

bool tp_conn_unanswered_provable(const tp_conntable *t, const tp_coverage *v, const tp_conn *c,
                                 tp_dir waiting)
{
    /* Its own retransmission says it got no answer in time (RFC 9293 3.8.1). */
    if (waiting == TP_CLIENT ? tp_conn_syn_count(t, c) > 1 : c->synack_again)
        return true;
    return tp_coverage_seen(v, c, TP_PEER(waiting));
}
