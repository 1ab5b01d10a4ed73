/*
 * tcpphase engine: a FIN taken only in order. A receiver takes a FIN only when all data before
 * it has arrived (RFC 9293 3.10.7.4, "eighth, check the FIN bit": RCV.NXT must have reached
 * it). A FIN captured past data the capture has not shown yet (reordered: the data comes a few
 * frames later; or lost on the way) moves its sender, who sent it, but not its receiver: the
 * receiver stays where it was until the hole fills, as the sender's data reaching the FIN
 * shows, or until its own acknowledgment covers the FIN. An acknowledgment below the FIN in
 * the meantime is just what the receiver says: it has not taken it.
 *
 * The same holds of a FIN seen with nothing missing before it that never reached its receiver
 * (lost after the capture point, or reordered behind the receiver's segment): once the FIN has
 * moved the receiver, the receiver's next segment, sent too late to have crossed the FIN, must
 * acknowledge it (RFC 9293 3.10.7.4: every segment carries RCV.NXT, which the FIN advanced).
 * One that does not puts the receiver back, and the FIN waits as above, or for its
 * retransmission.
 */
#include "order.h"

#include "classify.h"
#include "side.h"
#include "state.h"
#include "transitions.h"

static void hold(tp_conntable *t, tp_conn *c, tp_dir sender, uint32_t from, uint32_t to,
                 uint32_t frame)
{
    tp_side_more *m = tp_conntable_more_new(t, c);
    c->ep[sender].fin_held = true;
    m->hole_from[sender] = from;
    m->hole_to[sender] = to;
    m->held_frame[sender] = frame;
    m->fill_frame[sender] = 0;
}

void tp_order_hold(tp_conntable *t, tp_conn *c, tp_dir dir, uint32_t hole_from,
                   const tp_segment *seg, uint8_t after[2], const uint8_t before[2])
{
    tp_dir peer = TP_PEER(dir);

    after[peer] = before[peer];
    hold(t, c, dir, hole_from, seg->seq, seg->frame);
}

/* Too soon after the FIN to rule out a crossing: the receiver's segment may have left before
 * the FIN reached it. Its round trip from the capture point (delivery.c measures it at the
 * handshake), twice, plus a millisecond; unknown, no proof. */
#define MARGIN_NS 1000000LL

static bool may_have_crossed(const tp_endpoint *receiver, int64_t fin_ns, int64_t now)
{
    return receiver->rtt_us == 0 || now - fin_ns <= 2000LL * receiver->rtt_us + MARGIN_NS;
}

static bool fin_role(tp_role r)
{
    return r == TP_ROLE_FIN_ACTIVE || r == TP_ROLE_FIN_PASSIVE || r == TP_ROLE_FIN_SIMULTANEOUS ||
           r == TP_ROLE_FIN_RETRANSMIT;
}

bool tp_order_fin_not_taken(const tp_results *rs, tp_conntable *t, tp_conn *c, tp_dir dir,
                            const tp_segment *seg)
{
    tp_dir sender = TP_PEER(dir);
    const tp_endpoint *s = &c->ep[sender];

    if (!s->fin_seen || s->fin_held ||
        (seg->flags & (TP_ACK | TP_RST | TP_SYN | TP_FIN)) != TP_ACK ||
        !tp_seq_le(seg->ack, s->fin_seq) || may_have_crossed(&c->ep[dir], c->last_ns, seg->time_ns))
        return false;
    const tp_result *fin = tp_results_get(rs, c->last_frame);
    if (!fin || fin->conn != c->id || fin->sender != (uint8_t)sender ||
        !fin_role((tp_role)fin->role) || fin->after[dir] == fin->before[dir] ||
        c->ep[dir].state != fin->after[dir])
        return false;
    tp_conn_set_state(t, c, dir, (tp_state)fin->before[dir], seg->time_ns);
    /* No data fills it: the FIN itself; and it proved no gap, so no frame to name. */
    hold(t, c, sender, s->fin_seq, s->fin_seq + 1, 0);
    return true;
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

bool tp_order_release(tp_conntable *t, tp_conn *c, tp_dir dir, const tp_segment *seg,
                      uint32_t out_of_order[2])
{
    for (int i = 0; i < 2; i++) {
        tp_dir sender = (tp_dir)i;
        tp_endpoint *s = &c->ep[sender];
        if (!s->fin_held)
            continue;
        tp_side_more *m = tp_conntable_more_new(t, c);
        uint32_t *from = &m->hole_from[sender];
        if (dir == sender && (seg->flags & TP_FIN) && seg->seq + seg->len == s->fin_seq) {
            s->fin_held = false; /* the FIN again: the classification applies it */
            continue;
        }
        if (dir == sender && seg->len > 0 && tp_seq_le(seg->seq, *from) &&
            tp_seq_lt(*from, seg->seq + seg->len)) {
            *from = seg->seq + seg->len; /* the hole fills from its start */
            if (!m->fill_frame[sender])
                m->fill_frame[sender] = seg->frame;
        }
        bool filled = !tp_seq_lt(*from, m->hole_to[sender]);
        bool acked = dir != sender && (seg->flags & TP_ACK) && !(seg->flags & TP_RST) &&
                     tp_seq_lt(s->fin_seq, seg->ack);
        if (filled || acked) {
            /* Filled by what the capture holds: the FIN's gap was only out of order. */
            if (filled && m->held_frame[sender] && m->fill_frame[sender]) {
                out_of_order[0] = m->held_frame[sender];
                out_of_order[1] = m->fill_frame[sender];
            }
            take(t, c, sender, seg);
            return true;
        }
    }
    return false;
}
