/*
 * tcpphase engine: what a segment proves about segments the capture holds but their receiver
 * never got.
 *
 * tcpphase takes a segment as delivered when seen. A capture taken upstream of a lossy link (at
 * a client, on a SPAN port before a congested uplink) holds segments that never arrived, and
 * the receiver's own next segments say so. An endpoint retransmits its SYN or FIN only while
 * it is unacknowledged (RFC 9293 3.8.1, 3.10.7.4), so:
 *  - a SYN,ACK retransmitted by an endpoint that has sent nothing since proves that no ACK of
 *    it had arrived: the peer's segments seen acknowledging it were lost after the capture
 *    point, and the endpoint is still SYN-RECEIVED;
 *  - a FIN retransmitted proves the same of the acknowledgments of that FIN, and so does data
 *    from before the FIN sent again (what acknowledges the FIN acknowledges all before it, and
 *    a sender retransmits from its oldest unacknowledged byte, 3.8.1): the endpoint is still
 *    FIN-WAIT-1, CLOSING or LAST-ACK (whichever it was when the first of them was seen).
 * Unless the two crossed: the retransmission left before the acknowledgment reached its
 * sender. The acknowledgment was captured `gap` before the retransmission; it reached the
 * endpoint d1 after the capture point, and the retransmission left d2 before it, d1 + d2 being
 * the endpoint's round trip from the capture point. So the retransmission is proof only when
 * the gap exceeds that round trip, as measured at the handshake (the delay between the segment
 * the endpoint answered and its answer: SYN to SYN,ACK, SYN,ACK to ACK), with a margin for
 * jitter: twice it, plus a millisecond. A retransmission timer waits at least a round trip
 * (RFC 6298 2.4: 1 s; Linux 200 ms), so real losses pass easily. Without a measured round trip
 * (picked up mid-stream) nothing is proved.
 *
 * The correction shows from the proving segment on: results stored before it are never
 * rewritten (the pass that reads them may be the first). The endpoint's state is the one it had
 * before the first segment that did not arrive; those segments keep their roles, and the
 * proving segment names them (TP_FIND_NOT_DELIVERED). Then the peer's next segments meet the
 * endpoint's real state: its repeated ACK is the handshake-ack or the final-ack again.
 *
 * Left out, for want of proof: a client's SYN retransmitted after the SYN,ACK still moves the
 * client back to SYN-SENT (transitions.c), but is not reported, since without the client's
 * answer its round trip is unknown and the SYN,ACK may have crossed the SYN; a FIN that never
 * arrived cannot be told from one crossing the receiver's segments by their numbers; a RST
 * that never arrived shows only as the receiver going on (docs/kernel-truth.md).
 */
#include "delivery.h"

#include "state.h"

#define MARGIN_US 1000u

/* An endpoint's clock for the crossing test: microseconds after the connection's first
 * segment, saturated (a connection of over an hour keeps its last value, which only makes the
 * gap look shorter: no proof rather than a wrong one). */
static uint32_t micros(const tp_conn *c, int64_t ns)
{
    int64_t us = (ns - c->first_ns) / 1000;
    return us < 0 ? 0 : us > UINT32_MAX ? UINT32_MAX : (uint32_t)us;
}

/* Is seg from dir a retransmission of its SYN,ACK, with nothing sent since? Then it waits in
 * SYN-RECEIVED. Or of its FIN? Then in one of the states awaiting the FIN's acknowledgment. */
static bool retransmits_syn_ack(const tp_endpoint *me, const tp_segment *seg)
{
    return (seg->flags & (TP_SYN | TP_ACK | TP_RST)) == (TP_SYN | TP_ACK) && me->syn_seen &&
           me->synack_seen && seg->seq == me->isn && me->snd_nxt == me->isn + 1 && !me->fin_seen;
}

/* Its FIN again, or data from before its FIN: anything it sends below its FIN is data an
 * acknowledgment of the FIN would have acknowledged as well. */
static bool retransmits_fin(const tp_endpoint *me, const tp_segment *seg)
{
    if ((seg->flags & TP_RST) || !me->fin_seen)
        return false;
    if (seg->flags & TP_FIN)
        return seg->seq + seg->len == me->fin_seq;
    return seg->len > 0 && tp_seq_le(seg->seq + seg->len, me->fin_seq);
}

static bool awaits_fin_ack(tp_state s)
{
    return s == TP_FIN_WAIT_1 || s == TP_CLOSING || s == TP_LAST_ACK;
}

/* The stored result of one of c's frames sent by `from`, or NULL. */
static const tp_result *result_of(const tp_results *rs, const tp_conn *c, uint32_t frame,
                                  tp_dir from)
{
    const tp_result *r = frame ? tp_results_get(rs, frame) : NULL;
    return r && r->conn == c->id && r->sender == (uint8_t)from ? r : NULL;
}

/* Too soon after the latest acknowledgment to rule out a crossing (see above). */
static bool may_have_crossed(const tp_conn *c, const tp_endpoint *me, const tp_segment *seg)
{
    uint64_t gap = (uint64_t)micros(c, seg->time_ns) - me->acked_us;
    return me->rtt_us == 0 || micros(c, seg->time_ns) < me->acked_us ||
           gap <= 2 * (uint64_t)me->rtt_us + MARGIN_US;
}

/* A first SYN-ACK repeat long after the ACK: a server that lost the ACK repeats at its first
 * retransmission timeout after the SYN-ACK (RFC 6298 2.1 and 5.7: 1 s, 3 s after a lost
 * SYN), so a first repeat later than LATE_REPEAT_US waited on something else: a server that
 * has not accepted the bare ACK (TCP_DEFER_ACCEPT) repeats when its wait for data ends. */
#define LATE_REPEAT_US 4000000u

static bool late_first_repeat(const tp_conn *c, const tp_endpoint *me, const tp_segment *seg)
{
    return !c->synack_again && micros(c, seg->time_ns) - me->acked_us > LATE_REPEAT_US;
}

static bool carries_fin(const tp_result *r)
{
    return r && (r->role == TP_ROLE_FIN_ACTIVE || r->role == TP_ROLE_FIN_PASSIVE ||
                 r->role == TP_ROLE_FIN_SIMULTANEOUS || r->role == TP_ROLE_FIN_RETRANSMIT);
}

/* The endpoint's own numbers may show it did get them: a copy of its segment older than its
 * latest acknowledgment (reordered or replayed, not a fresh retransmission), or an
 * acknowledgment of the peer's FIN that was among them. */
static bool received_since(const tp_endpoint *me, const tp_endpoint *peer, const tp_segment *seg,
                           const tp_result *took, const tp_result *moved)
{
    if (me->ack_seen && (!(seg->flags & TP_ACK) || tp_seq_lt(seg->ack, me->max_ack)))
        return true;
    return (carries_fin(took) || carries_fin(moved)) && peer->fin_seen && me->ack_seen &&
           tp_seq_lt(peer->fin_seq, me->max_ack);
}

uint32_t tp_delivery_take_back(const tp_results *rs, tp_conntable *t, tp_findings *f, tp_conn *c,
                               tp_dir dir, const tp_segment *seg, uint32_t *since)
{
    tp_endpoint *me = &c->ep[dir];
    tp_dir peer = TP_PEER(dir);

    bool syn_ack = retransmits_syn_ack(me, seg);
    if (!syn_ack && !retransmits_fin(me, seg))
        return 0;
    const tp_result *took = result_of(rs, c, me->took_frame, peer);
    if (!took)
        return 0;
    tp_state was = (tp_state)took->before[dir];
    if ((syn_ack ? was != TP_SYN_RECEIVED : !awaits_fin_ack(was)) || me->state == was ||
        may_have_crossed(c, me, seg))
        return 0;

    const tp_result *moved = result_of(rs, c, me->moved_frame, peer);
    if (received_since(me, &c->ep[peer], seg, took, moved))
        return 0;
    tp_resent resent =
        syn_ack ? (late_first_repeat(c, me, seg) ? TP_RESENT_SYN_ACK_LATE : TP_RESENT_SYN_ACK)
        : (seg->flags & TP_FIN) ? TP_RESENT_FIN
                                : TP_RESENT_DATA;
    tp_findings_not_delivered(f, seg->frame, peer, me->took_frame, (tp_role)took->role, resent,
                              was);
    if (moved)
        tp_findings_not_delivered(f, seg->frame, peer, me->moved_frame, (tp_role)moved->role,
                                  resent, was);
    tp_conn_set_state(t, c, dir, was, seg->time_ns);
    *since = me->took_frame;
    me->took_frame = 0;
    me->moved_frame = 0;
    return moved ? 2 : 1;
}

/* The handshake's round trips: the server's from the SYN to its SYN,ACK, the client's from the
 * SYN,ACK to its ACK, each the smallest seen (a segment and the answer it caused; later pairs
 * are not used, as data and ACKs need not answer what came just before them). */
static void round_trip(const tp_results *rs, tp_conn *c, tp_dir dir, const tp_segment *seg,
                       const tp_result *r)
{
    const tp_result *prev = result_of(rs, c, c->last_frame, TP_PEER(dir));
    if (!prev || seg->time_ns < c->last_ns)
        return;
    tp_role asked = (tp_role)prev->role, answer = (tp_role)r->role;
    bool syn = asked == TP_ROLE_SYN || asked == TP_ROLE_SYN_RETRANSMIT;
    bool syn_ack = asked == TP_ROLE_SYN_ACK || asked == TP_ROLE_SYN_ACK_RETRANSMIT;
    bool answers = syn ? answer == TP_ROLE_SYN_ACK || answer == TP_ROLE_SYN_ACK_RETRANSMIT
                       : syn_ack && !(seg->flags & (TP_SYN | TP_RST)) && (seg->flags & TP_ACK);
    if (!answers)
        return;
    int64_t us = (seg->time_ns - c->last_ns) / 1000;
    uint32_t rtt = us < 1 ? 1 : us > UINT32_MAX ? UINT32_MAX : (uint32_t)us;
    tp_endpoint *me = &c->ep[dir];
    if (me->rtt_us == 0 || rtt < me->rtt_us)
        me->rtt_us = rtt;
}

void tp_delivery_note(const tp_results *rs, tp_conn *c, tp_dir dir, const tp_segment *seg,
                      const tp_result *r)
{
    tp_dir peer = TP_PEER(dir);
    tp_endpoint *receiver = &c->ep[peer];
    tp_state before = (tp_state)r->before[peer];

    /* Only the roles that answer a handshake segment look at the frame before. */
    switch ((tp_role)r->role) {
    case TP_ROLE_ACK:
        if (c->ep[dir].rtt_us != 0) /* a duplicate ACK answering a SYN,ACK; once is enough */
            break;
        /* fall through */
    case TP_ROLE_SYN_ACK:
    case TP_ROLE_SYN_ACK_RETRANSMIT:
    case TP_ROLE_HANDSHAKE_ACK:
        round_trip(rs, c, dir, seg, r);
        break;
    default:
        break;
    }
    /* New data from a side not closing: it is past SYN-RECEIVED, so its SYN's ACK arrived
     * (3.10.2); nothing of that to take back. */
    if (c->ep[dir].took_frame && seg->len > 0 && !c->ep[dir].fin_seen)
        c->ep[dir].took_frame = 0;
    bool moved_on = before != r->after[peer];
    if ((seg->flags & TP_RST) || (!moved_on && !receiver->took_frame))
        return; /* most segments */
    bool acks = (seg->flags & TP_ACK) &&
                (receiver->fin_seen ? tp_endpoint_acks_fin(receiver, seg)
                                    : receiver->syn_seen && tp_seq_lt(receiver->isn, seg->ack));
    if (!acks && !moved_on)
        return;
    if (acks)
        receiver->acked_us = micros(c, seg->time_ns);
    if (moved_on && acks && (before == TP_SYN_RECEIVED || awaits_fin_ack(before))) {
        receiver->took_frame = seg->frame;
        receiver->moved_frame = 0;
    } else if (receiver->took_frame) {
        receiver->moved_frame = seg->frame;
    }
}
