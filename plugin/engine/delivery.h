/*
 * tcpphase engine: what a segment proves about segments the capture holds that never reached
 * their receiver (delivery.c).
 */
#ifndef TCPPHASE_DELIVERY_H
#define TCPPHASE_DELIVERY_H

#include "conntable.h"
#include "findings.h"
#include "results.h"

/* Before seg from dir is classified: if its retransmission proves dir never got the peer's
 * acknowledgment seen in the capture, dir's state is taken back and the lost segments are
 * stored as findings of seg's frame; returns how many, and in *since the first of them (dir has
 * been in its state since). rs: the results stored so far. */
uint32_t tp_delivery_take_back(const tp_results *rs, tp_conntable *t, tp_findings *f, tp_conn *c,
                               tp_dir dir, const tp_segment *seg, uint32_t *since);
/* Inline, as every segment asks and almost none has an acknowledgment to take back. */
static inline uint32_t tp_delivery_apply(const tp_results *rs, tp_conntable *t, tp_findings *f,
                                         tp_conn *c, tp_dir dir, const tp_segment *seg,
                                         uint32_t *since)
{
    return c->ep[dir].took_frame ? tp_delivery_take_back(rs, t, f, c, dir, seg, since) : 0;
}
/* After seg is classified (r), before the connection's last frame moves on to it: its sender's
 * handshake round trip and the acknowledgments of the receiver's SYN or FIN it carried. */
void tp_delivery_note(const tp_results *rs, tp_conn *c, tp_dir dir, const tp_segment *seg,
                      const tp_result *r);

#endif
