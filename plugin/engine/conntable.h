/*
 * tcpphase engine: the connections of a capture and their side records (conntable.c).
 */
#ifndef TCPPHASE_CONNTABLE_H
#define TCPPHASE_CONNTABLE_H

#include "conn.h"

typedef struct tp_conntable tp_conntable;
tp_conntable *tp_conntable_new(void);
void tp_conntable_free(tp_conntable *t);
tp_conn *tp_conntable_find(tp_conntable *t, const tp_segment *seg);
tp_conn *tp_conntable_open(tp_conntable *t, const tp_segment *seg, tp_dir sender,
                           const tp_conn *previous);
tp_conn *tp_conntable_get(const tp_conntable *t, uint32_t id);
uint32_t tp_conntable_count(const tp_conntable *t);
tp_dir tp_conn_dir_by_address(const tp_conn *c, const tp_segment *seg);
bool tp_conn_same_endpoint(const tp_conn *a, tp_dir da, const tp_conn *b, tp_dir db);
void tp_conn_addr(const tp_conn *c, tp_dir d, tp_addr *out);
/* The side records of c: NULL if it has none; the _new ones make them if needed. A pointer
 * is valid until the next side record is made (the arrays may move). */
tp_side *tp_conntable_side(const tp_conntable *t, const tp_conn *c);
tp_side *tp_conntable_side_new(tp_conntable *t, tp_conn *c);
tp_side_more *tp_conntable_more(const tp_conntable *t, const tp_conn *c);
tp_side_more *tp_conntable_more_new(tp_conntable *t, tp_conn *c);

/*
 * Which endpoint of c sent seg. Only for a connection of the segment's own 4-tuple, one way
 * or the other (the table's latest incarnation, or the one before it): then, with different
 * ports, the source port alone tells, and only equal ports need the addresses compared.
 */
static inline tp_dir tp_conn_dir(const tp_conn *c, const tp_segment *seg)
{
    if (seg->sport != seg->dport)
        return seg->sport == c->port[TP_CLIENT] ? TP_CLIENT : TP_SERVER;
    return tp_conn_dir_by_address(c, seg);
}

#endif
