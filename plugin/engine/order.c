/*
 * tcpphase engine: a FIN taken only in order. A receiver takes a FIN only when all data before
 * it has arrived (RFC 9293 3.10.7.4, "eighth, check the FIN bit": RCV.NXT must have reached
 * it). A FIN captured past data the capture has not shown yet (reordered: the data comes a few
 * frames later; or lost on the way) moves its sender, who sent it, but not its receiver: the
 * receiver stays where it was until the hole fills, as the sender's data reaching the FIN
 * shows, or until its own acknowledgment covers the FIN. An acknowledgment below the FIN in
 * the meantime is just what the receiver says: it has not taken it.
 */
#include "order.h"

#include "classify.h"
#include "side.h"
#include "state.h"
#include "transitions.h"

void tp_order_hold(tp_conntable *t, tp_conn *c, tp_dir dir, uint32_t hole_from, uint8_t after[2],
                   const uint8_t before[2])
{
    tp_dir peer = TP_PEER(dir);

    after[peer] = before[peer];
    c->ep[dir].fin_held = true;
    tp_conntable_more_new(t, c)->hole_from[dir] = hole_from;
}

/* The receiver takes the held FIN now: its transition as the FIN would have made it. */
static void take(tp_conntable *t, tp_conn *c, tp_dir sender, const tp_segment *seg)
{
    tp_endpoint *s = &c->ep[sender];
    tp_dir receiver = TP_PEER(sender);
    tp_segment fin = {.frame = seg->frame,
                      .time_ns = seg->time_ns,
                      .flags = TP_FIN | TP_ACK,
                      .seq = s->fin_seq,
                      .ack = s->ack_seen ? s->max_ack : 0};
    uint8_t before[2] = {c->ep[TP_CLIENT].state, c->ep[TP_SERVER].state}, after[2];
    tp_event ev = tp_classify_event(c, sender, &fin);

    tp_apply_event(ev, sender, before, after);
    s->fin_held = false;
    if (after[receiver] != before[receiver])
        tp_conn_set_state(t, c, receiver, (tp_state)after[receiver], seg->time_ns);
}

bool tp_order_release(tp_conntable *t, tp_conn *c, tp_dir dir, const tp_segment *seg)
{
    for (int i = 0; i < 2; i++) {
        tp_dir sender = (tp_dir)i;
        tp_endpoint *s = &c->ep[sender];
        if (!s->fin_held)
            continue;
        uint32_t *from = &tp_conntable_more_new(t, c)->hole_from[sender];
        if (dir == sender && seg->len > 0 && tp_seq_le(seg->seq, *from) &&
            tp_seq_lt(*from, seg->seq + seg->len))
            *from = seg->seq + seg->len; /* the hole fills from its start */
        bool filled = !tp_seq_lt(*from, s->fin_seq);
        bool acked = dir != sender && (seg->flags & TP_ACK) && !(seg->flags & TP_RST) &&
                     tp_seq_lt(s->fin_seq, seg->ack);
        if (filled || acked) {
            take(t, c, sender, seg);
            return true;
        }
    }
    return false;
}
