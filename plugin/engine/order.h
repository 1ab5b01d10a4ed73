/*
 * tcpphase engine: a FIN taken only in order (order.c).
 */
#ifndef TCPPHASE_ORDER_H
#define TCPPHASE_ORDER_H

#include "conntable.h"

/* Before the evidence reads seg: is it a FIN from dir past data the capture has not shown yet
 * (a hole in dir's sequence space)? Its receiver will not take it until the hole fills. */
static inline bool tp_order_fin_past_hole(const tp_conn *c, tp_dir dir, const tp_segment *seg)
{
    const tp_endpoint *me = &c->ep[dir];
    return (seg->flags & (TP_FIN | TP_SYN | TP_RST)) == TP_FIN && me->seq_seen && !me->fin_seen &&
           tp_seq_lt(me->snd_nxt, seg->seq) && seg->seq - me->snd_nxt < (1u << 30);
}

/* After such a FIN is applied: its receiver keeps its state, the hole is remembered. hole_from:
 * dir's snd_nxt before the FIN. after[] is the FIN's result, its receiver's part put back. */
void tp_order_hold(tp_conntable *t, tp_conn *c, tp_dir dir, uint32_t hole_from, uint8_t after[2],
                   const uint8_t before[2]);

/* Before seg is classified, while an endpoint holds a FIN: the receiver takes it once the hole
 * fills (the sender's data reaches the FIN) or its own acknowledgment covers the FIN. Returns
 * true when it took it at this segment. */
bool tp_order_release(tp_conntable *t, tp_conn *c, tp_dir dir, const tp_segment *seg);

#endif
