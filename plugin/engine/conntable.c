/*
 * tcpphase engine: the connections of a capture. Each incarnation of a 4-tuple is a connection
 * of its own, numbered in order of appearance; the table maps a 4-tuple, in either direction,
 * to its latest incarnation.
 */
#include "internal.h"

#include <string.h>

struct tp_conntable {
    GHashTable *latest; /* tp_tuple * (inside its tp_conn) -> the same tp_conn */
    GPtrArray *all;     /* tp_conn *, index id - 1; owns them */
};

static guint addr_port_hash(const tp_addr *a, uint16_t port)
{
    guint h = 2166136261u ^ port; /* FNV-1a over the address bytes */
    for (unsigned i = 0; i < a->len && i < sizeof a->bytes; i++)
        h = (h ^ a->bytes[i]) * 16777619u;
    return h;
}

/* Symmetric in the two endpoints, so both directions find the same connection. */
static guint tuple_hash(gconstpointer key)
{
    const tp_tuple *t = key;
    return addr_port_hash(&t->addr[0], t->port[0]) + addr_port_hash(&t->addr[1], t->port[1]);
}

static bool endpoint_equal(const tp_addr *a, uint16_t pa, const tp_addr *b, uint16_t pb)
{
    return pa == pb && a->len == b->len && memcmp(a->bytes, b->bytes, a->len) == 0;
}

static gboolean tuple_equal(gconstpointer x, gconstpointer y)
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
    t->latest = g_hash_table_new(tuple_hash, tuple_equal);
    t->all = g_ptr_array_new_with_free_func(g_free);
    return t;
}

void tp_conntable_free(tp_conntable *t)
{
    if (!t)
        return;
    g_hash_table_destroy(t->latest);
    g_ptr_array_free(t->all, TRUE);
    g_free(t);
}

static tp_tuple tuple_of(const tp_segment *seg)
{
    tp_tuple k;
    memset(&k, 0, sizeof k);
    k.addr[0] = seg->src;
    k.addr[1] = seg->dst;
    k.port[0] = seg->sport;
    k.port[1] = seg->dport;
    return k;
}

tp_conn *tp_conntable_find(tp_conntable *t, const tp_segment *seg)
{
    tp_tuple k = tuple_of(seg);
    return g_hash_table_lookup(t->latest, &k);
}

tp_dir tp_conn_dir(const tp_conn *c, const tp_segment *seg)
{
    const tp_tuple *t = &c->tuple;
    return endpoint_equal(&t->addr[TP_CLIENT], t->port[TP_CLIENT], &seg->src, seg->sport)
               ? TP_CLIENT
               : TP_SERVER;
}

/* Starts a new incarnation of the segment's 4-tuple, with the segment's sender on side
 * `sender`. It replaces previous (if any) as the 4-tuple's latest incarnation. */
tp_conn *tp_conntable_open(tp_conntable *t, const tp_segment *seg, tp_dir sender,
                           const tp_conn *previous)
{
    tp_conn *c = g_new0(tp_conn, 1);
    c->tuple.addr[sender] = seg->src;
    c->tuple.port[sender] = seg->sport;
    c->tuple.addr[TP_PEER(sender)] = seg->dst;
    c->tuple.port[TP_PEER(sender)] = seg->dport;
    g_ptr_array_add(t->all, c);
    c->id = t->all->len;
    c->incarnation = previous ? previous->incarnation + 1 : 1;
    c->first_frame = seg->frame;
    c->first_ns = seg->time_ns;
    tp_endpoint_init(&c->ep[TP_CLIENT], TP_UNKNOWN);
    tp_endpoint_init(&c->ep[TP_SERVER], TP_UNKNOWN);
    /* Replacing the key too: the old incarnation keeps its own copy of the tuple. */
    g_hash_table_replace(t->latest, &c->tuple, c);
    return c;
}

tp_conn *tp_conntable_get(const tp_conntable *t, uint32_t id)
{
    return (id >= 1 && id <= t->all->len) ? g_ptr_array_index(t->all, id - 1) : NULL;
}

uint32_t tp_conntable_count(const tp_conntable *t)
{
    return t->all->len;
}
