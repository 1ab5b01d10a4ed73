/*
 * tcpphase engine: what a segment proves about segments the capture did not show.
 *
 * A passive observer reasons from evidence, never from absence. Every segment carries its
 * sender's sequence number and, with ACK, what the sender has received; RFC 9293 says what an
 * endpoint may send in each state. So:
 *  - a segment with ACK and no SYN from an endpoint still in SYN-SENT proves the SYN-ACK it
 *    answers was sent and received (3.10.7.3: SYN-SENT sends nothing else);
 *  - data from an endpoint in SYN-RECEIVED proves its SYN was acknowledged (3.10.2: SEND in
 *    SYN-RECEIVED is queued until ESTABLISHED);
 *  - an acknowledgment past what the peer was seen to send proves the peer's segments up to it
 *    (3.10.7.4: an ACK of something not yet sent is not acceptable): one sequence number past
 *    the peer's last data is taken as its FIN, more as data (see implied_from_ack);
 *  - a sequence number past the sender's own next one proves its segments in between: one
 *    sequence number before a segment with neither data nor FIN is its FIN, more is data.
 * At the segment that proves it, the missed segment is applied to both endpoints through the
 * same transition tables as a captured one, so everything after a gap is what the clean capture
 * gives; the proving segment is then classified as usual and keeps its own role. The proving
 * segment reports what was missed (TP_FIND_CAPTURE_GAP), once per missed segment.
 *
 * The missed segment may also come later: a capture merged from two interfaces can hold an
 * answer before the segment it answers. The implied SYN and FIN are remembered (syn_implied,
 * fin_implied); when one shows up it changes no state and takes the role it had when it was
 * sent (tp_evidence_late).
 */
#include "evidence.h"

#include "classify.h"
#include "endpoint.h"
#include "state.h"
#include "transitions.h"

/* No sender has more than its peer's largest window (2^30, RFC 7323 2.2) in flight: a larger
 * hole is no missed segment but numbers from elsewhere (a hostile or spliced capture). */
#define MAX_HOLE (1u << 30)

/* A segment the evidence proves: who sent it and its header's numbers. */
typedef struct implied {
    tp_dir from;
    uint8_t flags;
    uint32_t seq, ack, len;
} implied;

/* Applies an implied segment as a captured one would be (engine.c step), without a frame of
 * its own: no role is stored, no count or byte is added, Zeek's view does not see it. */
static void apply(tp_conntable *t, tp_conn *c, const implied *m, const tp_segment *proof)
{
    tp_endpoint *ep = &c->ep[m->from];
    tp_segment s = {.frame = proof->frame,
                    .time_ns = proof->time_ns,
                    .flags = m->flags,
                    .seq = m->seq,
                    .ack = m->ack,
                    .len = m->len,
                    .window = ep->window,
                    .wscale = -1};
    uint8_t before[2] = {c->ep[TP_CLIENT].state, c->ep[TP_SERVER].state}, after[2];
    tp_event ev = tp_classify_event(c, m->from, &s);

    tp_apply_event(ev, m->from, before, after);
    tp_role role = tp_classify_role(c, m->from, &s, ev, before, after);
    tp_endpoint_sent(ep, &s);
    tp_conn_apply(t, c, m->from, &s, before, after);
    if (m->flags & TP_FIN) {
        tp_conntable_more_new(t, c)->fin_implied_frame[m->from] = proof->frame;
        ep->fin_implied = true;
        ep->implied_fin = role == TP_ROLE_FIN_PASSIVE        ? TP_IMPLIED_FIN_PASSIVE
                          : role == TP_ROLE_FIN_SIMULTANEOUS ? TP_IMPLIED_FIN_SIMULTANEOUS
                                                             : TP_IMPLIED_FIN_ACTIVE;
        if (role == TP_ROLE_FIN_SIMULTANEOUS)
            c->fin_simultaneous_seen = true;
    }
    if (m->flags & TP_SYN)
        ep->syn_implied = true;
}

/* What an implied segment of `from` acknowledged. A FIN: all its peer had sent, a passive
 * close (the common one; a crossing FIN is not proved by an acknowledgment, so a simultaneous
 * close whose FIN the capture missed reads as passive). Data: what `from` was last seen
 * acknowledging, or, never captured, all its peer had sent. And at least the peer's SYN, since
 * the segment proves the handshake too. */
static uint32_t implied_ack(const tp_conn *c, tp_dir from, bool fin)
{
    const tp_endpoint *ep = &c->ep[from], *peer = &c->ep[TP_PEER(from)];
    uint32_t ack = !fin && ep->captured && ep->ack_seen ? ep->max_ack : peer->snd_nxt;

    if (peer->syn_seen && !tp_seq_lt(peer->isn, ack))
        ack = peer->isn + 1;
    return ack;
}

/* The handshake segments the sender's own state proves (3.10.7.3, 3.10.2). */
static uint32_t handshake(tp_conntable *t, tp_conn *c, tp_dir dir, const tp_segment *seg)
{
    tp_dir p = TP_PEER(dir);
    const tp_endpoint *me = &c->ep[dir], *peer = &c->ep[p];

    if (me->state == TP_SYN_SENT && me->syn_seen && !peer->syn_seen) {
        /* The peer's ISN is one before what this segment acknowledges. */
        implied m = {.from = p, .flags = TP_SYN | TP_ACK, .seq = seg->ack - 1, .ack = me->isn + 1};
        apply(t, c, &m, seg);
        return TP_GAP_BIT(p, TP_GAP_SYN_ACK);
    }
    if (me->state == TP_SYN_RECEIVED && c->simultaneous && me->synack_seen && peer->syn_seen &&
        !peer->synack_seen && seg->ack == peer->isn + 1) {
        /* 3.5 fig. 7: in a simultaneous open, SYN-RECEIVED acknowledges the peer's SYN,ACK;
         * with no segment of its own in between, an ACK after its SYN,ACK answers that one. */
        implied m = {.from = p, .flags = TP_SYN | TP_ACK, .seq = peer->isn, .ack = me->isn + 1};
        apply(t, c, &m, seg);
        return TP_GAP_BIT(p, TP_GAP_SYN_ACK);
    }
    if (me->state == TP_SYN_RECEIVED && me->syn_seen && seg->len > 0) {
        implied m = {.from = p, .flags = TP_ACK, .seq = seg->ack, .ack = me->isn + 1};
        apply(t, c, &m, seg);
        return TP_GAP_BIT(p, TP_GAP_HANDSHAKE_ACK);
    }
    return 0;
}

/* A gap is reported where the capture shows its owner's other segments, or where it moves a
 * state: a side the capture never shows (one direction only) is not missing its data. */
static uint32_t report(const tp_conn *c, tp_dir owner, tp_gap_kind kind)
{
    return kind != TP_GAP_DATA || c->ep[owner].captured ? TP_GAP_BIT(owner, kind) : 0;
}

/*
 * The peer's segments the acknowledgment proves. One sequence number is a FIN: a lone byte of
 * data at the end is rarer than a FIN, unless the peer is known to send 1-byte segments
 * (keystrokes, byte-wise protocols: tiny_data); if later numbers show it was a byte,
 * retract_fin takes the FIN back. More than one is data; a FIN that carried data is then
 * missed until other evidence shows the close (documented in docs/imperfect-captures.md).
 */
static uint32_t acknowledged(tp_conntable *t, tp_conn *c, tp_dir dir, const tp_segment *seg)
{
    tp_dir p = TP_PEER(dir);
    const tp_endpoint *me = &c->ep[dir], *peer = &c->ep[p];

    /* A peer the capture never shows (one direction only): its numbers are known only from
     * this side's acknowledgments, and only one more than the last is read, as a FIN. */
    if (!peer->seq_seen && !peer->captured && me->ack_seen && !peer->tiny_data &&
        seg->ack == me->max_ack + 1) {
        implied m = {.from = p, .flags = TP_ACK | TP_FIN, .seq = me->max_ack, .ack = me->snd_nxt};
        apply(t, c, &m, seg);
        return 0; /* not reported: a side the capture never shows is missing nothing */
    }
    if (!peer->seq_seen || peer->fin_seen || !tp_seq_lt(peer->snd_nxt, seg->ack))
        return 0; /* nothing known to measure from, or nothing can follow a FIN */
    uint32_t hole = seg->ack - peer->snd_nxt;
    if (hole >= MAX_HOLE)
        return 0;
    bool fin = hole == 1 && !peer->tiny_data;
    bool was_syn_received = c->ep[dir].state == TP_SYN_RECEIVED;
    implied m = {.from = p,
                 .flags = (uint8_t)(TP_ACK | (fin ? TP_FIN : 0)),
                 .seq = peer->snd_nxt,
                 .len = fin ? 0 : hole,
                 .ack = implied_ack(c, p, fin)};
    apply(t, c, &m, seg);
    uint32_t gaps = report(c, p, fin ? TP_GAP_FIN : TP_GAP_DATA);
    if (was_syn_received && c->ep[dir].state != TP_SYN_RECEIVED) /* it completed the handshake */
        gaps |= TP_GAP_BIT(p, TP_GAP_HANDSHAKE_ACK);
    return gaps;
}

/*
 * The sender's own segments that its sequence number skips. One sequence number skipped by a
 * segment without data or FIN is its FIN (a FIN and then its ACK of the peer's FIN: the close
 * seen from one side); anything else is data, as nothing follows a FIN.
 */
static uint32_t skipped(tp_conntable *t, tp_conn *c, tp_dir dir, const tp_segment *seg)
{
    const tp_endpoint *me = &c->ep[dir];

    if (!me->seq_seen || me->fin_seen || !tp_seq_lt(me->snd_nxt, seg->seq))
        return 0;
    uint32_t hole = seg->seq - me->snd_nxt;
    if (hole >= MAX_HOLE)
        return 0;
    bool fin = hole == 1 && !me->tiny_data && seg->len == 0 && !(seg->flags & TP_FIN);
    implied m = {.from = dir,
                 .flags = (uint8_t)(TP_ACK | (fin ? TP_FIN : 0)),
                 .seq = me->snd_nxt,
                 .len = fin ? 0 : hole,
                 .ack = fin            ? implied_ack(c, dir, true)
                        : me->ack_seen ? me->max_ack
                                       : seg->ack};
    apply(t, c, &m, seg);
    return fin ? TP_GAP_BIT(dir, TP_GAP_FIN) : report(c, dir, TP_GAP_DATA);
}

/*
 * Data past an implied FIN proves the FIN was a byte of data (nothing follows a FIN): the
 * owner's own data there, or the peer's acknowledgment of more. Where the states are still
 * those the FIN made, both ends go back to ESTABLISHED; after later closing segments they are
 * left as they are.
 */
static uint32_t retract_fin(tp_conntable *t, tp_conn *c, tp_dir owner, const tp_segment *seg,
                            uint32_t *since)
{
    tp_endpoint *me = &c->ep[owner], *peer = &c->ep[TP_PEER(owner)];

    if (!me->fin_implied)
        return 0;
    uint32_t after_fin = me->fin_seq + 1;
    bool past = tp_conn_dir(c, seg) == owner
                    ? seg->len > 0 && tp_seq_lt(after_fin, seg->seq + seg->len)
                    : (seg->flags & TP_ACK) && tp_seq_lt(after_fin, seg->ack);
    if (!past)
        return 0;
    me->fin_seen = false;
    me->fin_implied = false;
    me->tiny_data = true;
    if ((me->state == TP_FIN_WAIT_1 || me->state == TP_FIN_WAIT_2) &&
        peer->state == TP_CLOSE_WAIT && !peer->fin_seen) {
        tp_conn_set_state(t, c, owner, TP_ESTABLISHED, seg->time_ns);
        tp_conn_set_state(t, c, TP_PEER(owner), TP_ESTABLISHED, seg->time_ns);
        c->ack_of_fin_seen = false;
        *since = tp_conntable_more_new(t, c)->fin_implied_frame[owner];
    }
    return report(c, owner, TP_GAP_DATA);
}

/* A SYN-ACK whose SYN the capture does not have (it started there, or holds it later) tells
 * the SYN's sequence number: kept, so that the SYN, if it comes, is known for what it is. */
static void syn_of_syn_ack(tp_conn *c, tp_dir dir, const tp_segment *seg)
{
    tp_endpoint *peer = &c->ep[TP_PEER(dir)];

    if ((seg->flags & TP_ACK) && !peer->syn_seen && !peer->seq_seen) {
        peer->syn_seen = true;
        peer->syn_implied = true;
        peer->isn = seg->ack - 1;
        peer->snd_nxt = seg->ack;
        peer->seq_seen = true;
    }
}

uint32_t tp_evidence_apply(tp_conntable *t, tp_conn *c, tp_dir dir, const tp_segment *seg,
                           uint32_t *retracted)
{
    /* A RST proves where its sender stood, not what it received: its acknowledgment may echo
     * the segment it refuses (3.10.7.1). */
    if (seg->flags & TP_RST)
        return 0;
    if (seg->flags & TP_SYN) {
        syn_of_syn_ack(c, dir, seg);
        return 0;
    }
    uint32_t gaps = 0;
    /* Tested here once for both ends: the calls cost more than the test on every segment. */
    if (c->ep[TP_CLIENT].fin_implied || c->ep[TP_SERVER].fin_implied)
        gaps = retract_fin(t, c, dir, seg, retracted) |
               retract_fin(t, c, TP_PEER(dir), seg, retracted);
    if (!(seg->flags & TP_ACK))
        return gaps;
    /* Its own missed segments first: they were sent before this one, and a FIN of its own
     * that the peer's FIN then acknowledged is the common close. */
    gaps |= handshake(t, c, dir, seg);
    gaps |= skipped(t, c, dir, seg);
    gaps |= acknowledged(t, c, dir, seg);
    return gaps;
}

bool tp_evidence_late(const tp_conn *c, tp_dir dir, const tp_segment *seg)
{
    const tp_endpoint *ep = &c->ep[dir];

    if ((seg->flags & (TP_SYN | TP_RST)) == TP_SYN)
        return ep->syn_implied && seg->seq == ep->isn;
    if ((seg->flags & (TP_FIN | TP_RST)) == TP_FIN)
        return ep->fin_implied && seg->seq + seg->len == ep->fin_seq;
    return false;
}

tp_role tp_evidence_late_role(const tp_conn *c, tp_dir dir, const tp_segment *seg)
{
    if (seg->flags & TP_SYN) {
        if (!(seg->flags & TP_ACK))
            return TP_ROLE_SYN;
        return c->simultaneous ? TP_ROLE_SIMULTANEOUS_SYN_ACK : TP_ROLE_SYN_ACK;
    }
    switch ((tp_implied_fin)c->ep[dir].implied_fin) {
    case TP_IMPLIED_FIN_PASSIVE:
        return TP_ROLE_FIN_PASSIVE;
    case TP_IMPLIED_FIN_SIMULTANEOUS:
        return TP_ROLE_FIN_SIMULTANEOUS;
    default:
        return TP_ROLE_FIN_ACTIVE;
    }
}
