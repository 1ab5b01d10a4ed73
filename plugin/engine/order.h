/*
 * tcpphase engine: a FIN taken only in order (order.c).
 */
#ifndef TCPPHASE_ORDER_H
#define TCPPHASE_ORDER_H

#include "conntable.h"
#include "results.h"

/* Before the evidence reads seg: is it a FIN from dir past data the capture has not shown yet
 * (a hole in dir's sequence space)? Its receiver will not take it until the hole fills. */
static inline bool tp_order_fin_past_hole(const tp_conn *c, tp_dir dir, const tp_segment *seg)
{
    const tp_endpoint *me = &c->ep[dir];
    return (seg->flags & (TP_FIN | TP_SYN | TP_RST)) == TP_FIN && me->seq_seen && !me->fin_seen &&
           tp_seq_lt(me->snd_nxt, seg->seq) && seg->seq - me->snd_nxt < (1u << 30);
}

/* After such a FIN (seg) is applied: its receiver keeps its state, the hole is remembered.
 * hole_from: dir's snd_nxt before the FIN. after[] is the FIN's result, its receiver's part put
 * back. */
void tp_order_hold(tp_conntable *t, tp_conn *c, tp_dir dir, uint32_t hole_from,
                   const tp_segment *seg, uint8_t after[2], const uint8_t before[2]);

/* Before seg from dir is classified: does it show dir never took the peer's FIN, the
 * connection's latest segment, that moved it? Its acknowledgment does not cover the FIN, and it
 * was sent too long after the FIN for the two to have crossed. Then dir is put back where the
 * FIN found it, and the FIN held until dir's acknowledgment covers it or it comes again.
 * rs: the results stored so far. */
bool tp_order_fin_not_taken(const tp_results *rs, tp_conntable *t, tp_conn *c, tp_dir dir,
                            const tp_segment *seg);

/* Before seg is classified, while an endpoint holds a FIN: the receiver takes it once the hole
 * fills (the sender's data reaches the FIN) or its own acknowledgment covers the FIN. Returns
 * true when it took it at this segment; when the captured data filled the hole, out_of_order
 * gets the FIN's frame and the first frame that filled it (left as is otherwise). */
bool tp_order_release(tp_conntable *t, tp_conn *c, tp_dir dir, const tp_segment *seg,
                      uint32_t out_of_order[2]);

#endif
