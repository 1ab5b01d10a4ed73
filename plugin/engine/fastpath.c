/*
 * tcpphase engine: the common segment's short route (issue 27).
 *
 * Most segments of a capture are data or bare ACKs inside an established connection, in order,
 * with nothing awaited. For them every stage of engine.c's step finds nothing to do, and the
 * full path spends its time proving that, stage by stage. tp_fast_path (fastpath.h) decides it
 * once, up front, from the record's flag bytes and a few sequence numbers; tp_fast_step then
 * writes what the full path would have written, and nothing else.
 *
 * Why each stage is a no-op under tp_fast_path's conditions (S the sender's endpoint, R the
 * receiver's; both ESTABLISHED; flags ACK without SYN, FIN or RST):
 *  - incarnation.c: no previous incarnation, RFC 9293 sessions, no SYN, the connection not
 *    ended: tp_incarnation_of's first case, the latest incarnation; nothing to settle after.
 *  - copy.c: only a SYN or FIN is a copy. probe.c/scan.c: the flags carry ACK, so no probe, and
 *    the lone-ACK probe is a connection's first frame, whose result is stored already (a frame
 *    is computed once), as is every frame before the connection's latest.
 *  - delivery.c, taking back: only a SYN,ACK, or a segment below S's FIN, retransmits
 *    (retransmits_syn_ack, retransmits_fin): no SYN, and S has no FIN.
 *  - order.c: no FIN held either way, R has no FIN not taken, and the segment is no FIN.
 *  - probe.h's SYN-ACK reset and keepalive.c's unseen keep-alive: the first needs a RST, the
 *    second the connection's latest segment odd (odd_kind TP_ODD_EMPTY); it is TP_ODD_NONE.
 *  - evidence.c: no FIN implied to retract; neither endpoint in SYN-SENT or SYN-RECEIVED (the
 *    handshake's proofs); the sequence number does not pass S's snd_nxt (skipped) nor the
 *    acknowledgment R's (acknowledged); and without SYN or FIN nothing arrives late.
 *  - classify.c: without FIN at R, the event is TP_EV_ACK_SYN if it acknowledges R's SYN, else
 *    TP_EV_ACK; transitions.c has no cell for either in ESTABLISHED, so the states stay, and
 *    ack_role, with both ESTABLISHED before and after and the connection not ended, names it
 *    data or ack by its payload.
 *  - engine.c's refine: not a keep-alive (it is not one below R's acknowledgment, or it
 *    carries more than a byte), and no keep-alive to acknowledge (odd_kind TP_ODD_NONE).
 *  - findings: data and ACK roles have none, and no challenge ACK is awaited.
 *  - delivery.c, noting: the states do not move, and data is no round-trip answer; so it has
 *    something to do only while an endpoint awaits the acknowledgment of its SYN or FIN
 *    (took_frame), or for an empty ACK from a sender whose round trip is not measured yet.
 *    The short route calls it then, with the result filled in as it reads it.
 *  - state.c: no state moves; the handshake completes (synack_acked) only on the client's
 *    acknowledgment of the server's SYN, which the predicate sends the full way.
 *  - engine.c's accounting: no role with facts, no RST to end it, no scan answer (a scan hears
 *    SYN,ACKs, RSTs and handshake ACKs), no data after R's FIN.
 * So what remains is what every segment does: Zeek's view, S's sequence facts, the latest odd
 * segment's kind, and the connection's counts.
 *
 * The handshake's last ACK (tp_fast_handshake_ack: S the client, ESTABLISHED; R the server in
 * SYN-RECEIVED, not a simultaneous open; the ACK acknowledges R's SYN; synack_acked not yet) is
 * the same segment for every stage above but three, which the short route then does as the
 * full one would:
 *  - evidence.c: S is not in SYN-SENT or SYN-RECEIVED, so no handshake segment is implied; the
 *    in-order conditions leave nothing skipped or acknowledged unseen.
 *  - delivery.c, taking back: S has no FIN and sends no SYN,ACK. Noting: R's state moves and
 *    the ACK answers R's SYN,ACK, so it is always called (S's round trip, R's took_frame).
 *  - classify.c and transitions.c: TP_EV_ACK_SYN, which moves SYN-RECEIVED to ESTABLISHED
 *    (3.10.7.4); ack_role names it handshake-ack, data or not. state.c's tp_conn_apply writes
 *    the state and completes the handshake (synack_acked), as account does.
 *  - engine.c's account: the scan's answer (a handshake completed), left to engine.c.
 *
 * The close's segments (tp_fast_closing; no FIN held or implied, S in order, R's numbers seen):
 * (1) S in CLOSE-WAIT acknowledging R's FIN in FIN-WAIT-1, or S in TIME-WAIT acknowledging R's
 * in LAST-ACK, empty; (2) S in CLOSE-WAIT sending data that acknowledges R's FIN, R in
 * FIN-WAIT-2, its first such data noted; (3) S in FIN-WAIT-2 acknowledging R's data in
 * CLOSE-WAIT, empty, no more than R sent. (2) and (3) only once the handshake completed.
 * Stage by stage:
 *  - incarnation.c: no SYN, no previous incarnation, and not ended (R is in neither CLOSED nor
 *    TIME-WAIT): the latest incarnation, as above. copy.c, probe.c and scan.c: as above.
 *  - delivery.c, taking back: no SYN,ACK; S has no FIN (CLOSE-WAIT), or sends no data below it
 *    (TIME-WAIT and FIN-WAIT-2 send empty ones here). order.c: nothing held; in (1) and (2) R's
 *    FIN is taken, as the segment covers it (tp_order_fin_not_taken needs SEG.ACK =< the FIN);
 *    in (3) R has no FIN; the segment is no FIN. probe.h, keepalive.c: as above.
 *  - evidence.c: no FIN implied; S in neither SYN-SENT nor SYN-RECEIVED; S in order or with
 *    its FIN seen (skipped); R's FIN seen, nothing follows it (acknowledged), or in (3) nothing
 *    acknowledged past R's snd_nxt; not late.
 *  - classify.c: in (1) and (2) TP_EV_ACK_FIN; in (3), R without FIN, TP_EV_ACK_SYN or
 *    TP_EV_ACK. transitions.c moves FIN-WAIT-1 to FIN-WAIT-2 and LAST-ACK to CLOSED (3.10.7.4),
 *    no cell moves FIN-WAIT-2 or CLOSE-WAIT on these, and none moves S (no sending cells for
 *    them but from UNKNOWN). ack_role: ack-of-fin, final-ack; half-closed-data (data from
 *    CLOSE-WAIT); ack (empty, R neither SYN-RECEIVED, FIN-WAIT-1, CLOSING nor LAST-ACK, not
 *    ended, not mid-stream). refine leaves the first three as they are, and the ack of (3) is
 *    no keep-alive (S has a FIN) nor a keep-alive's ACK (odd_kind TP_ODD_NONE).
 *  - findings: none for these roles; half-closed-data's note is made once, on the first (the
 *    full path: half_closed_noted); no challenge ACK awaited.
 *  - delivery.c, noting: called whenever R's state moves, and otherwise as above.
 *  - engine.c's account: no facts for these roles, no scan answer, no RST; the bytes after R's
 *    FIN counted for (2); state.c's tp_conn_apply writes R's state where it moves (and notes a
 *    4-way close); where nothing moves, it would find nothing to do after the handshake.
 *
 * A FIN (tp_fast_fin: with ACK, the sender's first, in order, no FIN held or implied; from
 * ESTABLISHED to ESTABLISHED without FIN, acknowledging nothing R did not send; or from
 * CLOSE-WAIT acknowledging R's FIN, R in FIN-WAIT-2 or FIN-WAIT-1):
 *  - incarnation.c: no SYN, no previous incarnation, not ended. copy.c: a FIN is a copy only
 *    of the sender's FIN, and it has none. probe.c: FIN with ACK is no probe.
 *  - delivery.c, taking back: S has no FIN to retransmit, nor SYN,ACK. order.c: nothing held;
 *    R's FIN, if any, is not judged by a FIN (tp_order_fin_not_taken reads bare ACKs); not past
 *    a hole (in order). keepalive.c: odd_kind TP_ODD_NONE.
 *  - evidence.c: no FIN implied; S ESTABLISHED or CLOSE-WAIT; in order (skipped); R's FIN
 *    seen, or nothing acknowledged past R's snd_nxt (acknowledged); not late (no FIN implied).
 *  - classify.c: TP_EV_FIN (R has no FIN) or TP_EV_FIN_ACK_FIN (it acknowledges R's);
 *    transitions.c: ESTABLISHED to FIN-WAIT-1 and R to CLOSE-WAIT (3.6 case 1), or CLOSE-WAIT to
 *    LAST-ACK and R, FIN-WAIT-1 or -2, to TIME-WAIT (case 2; 3.10.7.4); fin_role: fin-active,
 *    fin-passive (not a retransmission, not ended); refine and the findings: nothing.
 *  - delivery.c, noting: states move, so it is called. keepalive.c: nothing odd.
 *  - engine.c's account: no facts for these roles, no scan answer, no RST; the bytes after R's
 *    FIN for a passive FIN with data; state.c's tp_conn_apply writes both states (R's TIME-WAIT
 *    entry with them).
 *
 * A connection's opening SYN (tp_fast_opening: the segment that opened c, a SYN without ACK,
 * FIN or RST, from the client, CLOSED, to the server, UNKNOWN, as incarnation.c opens them; a
 * SYN reusing a 4-tuple whose holder keeps the old connection starts elsewhere, inherit):
 *  - copy.c: the client has sent no SYN before; probe.c, scan.c's lone ACK: a SYN is neither.
 *  - delivery.c, order.c, keepalive.c: nothing sent before, nothing held, nothing odd.
 *  - evidence.c: a SYN without ACK proves nothing; not late (nothing implied yet).
 *  - classify.c: TP_EV_SYN (the server is not in SYN-SENT); transitions.c: CLOSED to SYN-SENT
 *    (3.5), the server stays UNKNOWN (3.10.7.1-2: only its answer will tell); syn_role: syn.
 *  - refine and the findings: nothing for syn; no challenge ACK awaited in a new connection.
 * The record after it is step's own (engine.c).
 */
#include "fastpath.h"

#include "delivery.h"
#include "endpoint.h"
#include "keepalive.h"
#include "side.h"
#include "state.h"
#include "zeek.h"

/* The SYN,ACK's event, both states after it and its role, under tp_fast_syn_ack's conditions:
 * TP_EV_SYN_ACK (classify_syn: it acknowledges the client's SYN), the server from UNKNOWN to
 * SYN-RECEIVED and the client from SYN-SENT to ESTABLISHED (3.10.7.2, 3.10.7.3), syn-ack (the
 * server's first SYN, no simultaneous open: syn_role). */
static tp_role syn_ack_move(tp_result *r)
{
    r->event = TP_EV_SYN_ACK;
    r->after[TP_SERVER] = TP_SYN_RECEIVED;
    r->after[TP_CLIENT] = TP_ESTABLISHED;
    return TP_ROLE_SYN_ACK;
}

/* A FIN's event, both states after it and its role, as classify.c and transitions.c find them
 * under tp_fast_fin's conditions. */
static tp_role fin_move(const tp_conn *c, tp_dir dir, tp_result *r)
{
    tp_dir peer = TP_PEER(dir);

    if (c->ep[peer].fin_seen) { /* from CLOSE-WAIT, acknowledging the peer's FIN */
        r->event = TP_EV_FIN_ACK_FIN;
        r->after[dir] = TP_LAST_ACK;
        r->after[peer] = TP_TIME_WAIT;
        return TP_ROLE_FIN_PASSIVE;
    }
    r->event = TP_EV_FIN;
    r->after[dir] = TP_FIN_WAIT_1;
    r->after[peer] = TP_CLOSE_WAIT;
    return TP_ROLE_FIN_ACTIVE;
}

/* What an ACK without SYN, FIN or RST does to its receiver, as classify.c and transitions.c
 * find it under tp_fast_path's conditions: the event, the receiver's state after it, and the
 * role (ack_role). */
static tp_role receiver_move(const tp_conn *c, tp_dir dir, const tp_segment *seg, tp_result *r)
{
    tp_dir peer = TP_PEER(dir);
    const tp_endpoint *receiver = &c->ep[peer];
    tp_state now = (tp_state)receiver->state;

    if (now == TP_ESTABLISHED) { /* the common segment: the receiver has no FIN */
        r->event = tp_endpoint_acks_syn(receiver, seg) ? TP_EV_ACK_SYN : TP_EV_ACK;
        return seg->len > 0 ? TP_ROLE_DATA : TP_ROLE_ACK;
    }
    r->event = tp_endpoint_acks_fin(receiver, seg)   ? TP_EV_ACK_FIN
               : tp_endpoint_acks_syn(receiver, seg) ? TP_EV_ACK_SYN
                                                     : TP_EV_ACK;
    switch (now) {
    case TP_SYN_RECEIVED: /* the handshake's last ACK, named for it whatever it carries */
        r->after[peer] = TP_ESTABLISHED;
        return TP_ROLE_HANDSHAKE_ACK;
    case TP_FIN_WAIT_1:
        r->after[peer] = TP_FIN_WAIT_2;
        return TP_ROLE_ACK_OF_FIN;
    case TP_LAST_ACK:
        r->after[peer] = TP_CLOSED;
        return TP_ROLE_FINAL_ACK;
    default: /* FIN-WAIT-2 and CLOSE-WAIT: no cell moves them on these events */
        return seg->len > 0 ? TP_ROLE_HALF_CLOSED_DATA : TP_ROLE_ACK;
    }
}

void tp_fast_step(const tp_results *rs, tp_conntable *t, tp_coverage *v, tp_conn *c,
                  const tp_segment *seg, tp_result *r)
{
    tp_dir dir = tp_conn_dir(c, seg), peer = TP_PEER(dir);
    tp_endpoint *me = &c->ep[dir];

    /* The result, as step would store it; the slot is zeroed: no finding, not late or proved.
     * An ACK's sender keeps its state (transitions.c has no sending cell for these events). */
    r->conn = c->id;
    r->sender = (uint8_t)dir;
    r->before[dir] = r->after[dir] = me->state;
    r->before[peer] = r->after[peer] = c->ep[peer].state;
    tp_role role = (seg->flags & TP_SYN)   ? syn_ack_move(r)
                   : (seg->flags & TP_FIN) ? fin_move(c, dir, r)
                                           : receiver_move(c, dir, seg, r);
    bool moves = r->after[peer] != r->before[peer] || r->after[dir] != r->before[dir];
    r->role = (uint8_t)role;

    /* The record, in step's order: Zeek sees the connection as it was before the segment. */
    tp_zeek_segment(t, c, dir, seg);
    tp_endpoint_sent(me, seg);
    if (seg->options_cut)
        me->options_cut = true;
    /* delivery.c has something to note only while an endpoint awaits the acknowledgment of
     * its SYN or FIN (took_frame), for an empty ACK whose sender's round trip is unknown, or
     * when the receiver's state moves (the handshake's last ACK: the client's round trip, and
     * for it and a FIN's ACK the receiver's took_frame). */
    if (moves || me->took_frame || c->ep[peer].took_frame || (seg->len == 0 && me->rtt_us == 0))
        tp_delivery_note(rs, c, dir, seg, r);
    tp_keepalive_odd(c, dir, seg, role);

    /* engine.c's account, for these roles: none has facts of its own, and none is a RST. */
    c->last_frame = seg->frame;
    c->tuple_moved = false;
    tp_conn_set_last_ns(t, c, seg->time_ns);
    tp_conn_count_frame(t, c, dir);
    tp_conn_add_bytes(t, c, dir, seg->len);
    if (seg->len > 0 && c->ep[peer].fin_seen) /* half-closed data */
        tp_conn_add_bytes_after_peer_fin(t, c, dir, seg->len);
    if (!me->captured) {
        me->captured = true;
        tp_coverage_note(v, seg);
    }
    if (role == TP_ROLE_SYN_ACK) { /* account's facts of a SYN,ACK that answers the SYN */
        if (!c->first_synack_frame)
            c->first_synack_frame = seg->frame;
        c->syn_answered = true;
    }
    /* The receiver's state, and the facts state.c keeps with it: the handshake completed
     * (synack_acked), a 4-way close (ack_of_fin_seen). Where no state moves there are none: the
     * predicate sends the full way any client's ACK of the server's SYN before the handshake
     * completed. */
    if (moves)
        tp_conn_apply(t, c, dir, seg, r->before, r->after);
}

bool tp_fast_opening(const tp_conn *c, const tp_segment *seg, tp_result *r)
{
    if (c->first_frame != seg->frame ||
        (seg->flags & (TP_SYN | TP_ACK | TP_FIN | TP_RST)) != TP_SYN ||
        c->ep[TP_CLIENT].state != TP_CLOSED || c->ep[TP_SERVER].state != TP_UNKNOWN)
        return false;
    r->conn = c->id;
    r->sender = TP_CLIENT;
    r->event = TP_EV_SYN;
    r->before[TP_CLIENT] = TP_CLOSED;
    r->before[TP_SERVER] = r->after[TP_SERVER] = TP_UNKNOWN;
    r->after[TP_CLIENT] = TP_SYN_SENT;
    r->role = TP_ROLE_SYN;
    return true;
}
