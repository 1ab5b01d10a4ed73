/*
 * tcpphase engine: the common segment's short route (fastpath.c). Data or an ACK inside an
 * established connection, in order, with nothing awaited; the handshake's SYN,ACK and last
 * ACK; and the close's FINs, ACKs and half-closed data: every stage of engine.c's step would find
 * nothing to do but the record and, for some, one state's move, so it goes straight there.
 */
#ifndef TCPPHASE_FASTPATH_H
#define TCPPHASE_FASTPATH_H

#include "conntable.h"
#include "coverage.h"
#include "results.h"

/*
 * The handshake's last segment: the client, ESTABLISHED since the SYN-ACK, acknowledging the
 * server's SYN while the server waits in SYN-RECEIVED (RFC 9293 3.5 figure 6, line 4). Every
 * connection has one. Not in a simultaneous open, whose SYN-RECEIVED answers SYN,ACKs
 * (evidence.c); and only the first time (synack_acked), as a repeat may be a retransmission to
 * judge (delivery.c).
 */
static inline bool tp_fast_handshake_ack(const tp_conn *c, tp_dir dir, const tp_segment *seg)
{
    return dir == TP_CLIENT && c->ep[TP_SERVER].state == TP_SYN_RECEIVED && !c->synack_acked &&
           !c->simultaneous && tp_endpoint_acks_syn(&c->ep[TP_SERVER], seg);
}

/*
 * The close's common segments, each with its FIN taken in order (neither FIN held nor implied:
 * order.c and evidence.c take those) and the sender in order, the peer's numbers seen:
 *  - the empty ACK of the peer's FIN (SND.UNA < SEG.ACK =< SND.NXT past the FIN, 3.10.7.4)
 *    while the peer awaits it: in FIN-WAIT-1 from CLOSE-WAIT (the ack-of-fin of a 4-way close,
 *    RFC 9293 3.6 figure 12), in LAST-ACK from TIME-WAIT (the final-ack);
 *  - half-closed data (3.6: CLOSE-WAIT may still send), acknowledging the FIN, once its first
 *    one has been noted (findings.c);
 *  - the empty ACKs of that data from FIN-WAIT-2, acknowledging nothing the peer did not send.
 * The last two move no state, so only after the handshake completed (synack_acked), as a
 * client's first ACK of the server's SYN completes it (state.c). A simultaneous close (CLOSING)
 * goes the full way, as does anything else while closing.
 */
static inline bool tp_fast_closing(const tp_conn *c, tp_dir dir, const tp_segment *seg)
{
    const tp_endpoint *me = &c->ep[dir], *peer = &c->ep[TP_PEER(dir)];

    if (me->fin_held || peer->fin_held || me->fin_implied || peer->fin_implied || !peer->seq_seen ||
        (me->seq_seen && tp_seq_lt(me->snd_nxt, seg->seq)))
        return false;
    switch (me->state) {
    case TP_CLOSE_WAIT:
        return tp_endpoint_acks_fin(peer, seg) &&
               (seg->len == 0
                    ? peer->state == TP_FIN_WAIT_1
                    : peer->state == TP_FIN_WAIT_2 && me->half_closed_noted && c->synack_acked);
    case TP_TIME_WAIT:
        return seg->len == 0 && peer->state == TP_LAST_ACK && tp_endpoint_acks_fin(peer, seg);
    case TP_FIN_WAIT_2:
        return seg->len == 0 && peer->state == TP_CLOSE_WAIT && c->synack_acked &&
               !tp_seq_lt(peer->snd_nxt, seg->ack);
    default:
        return false;
    }
}

/*
 * The server's first SYN,ACK, answering the client's SYN (acknowledging it, 3.10.7.3) while the
 * client waits in SYN-SENT and the server's state is still unknown (RFC 9293 3.5 figure 6,
 * line 3): one of every connection's segments. Not in a simultaneous open, and with no FIN
 * seen either way.
 */
static inline bool tp_fast_syn_ack(const tp_conn *c, tp_dir dir, const tp_segment *seg)
{
    const tp_endpoint *server = &c->ep[TP_SERVER], *client = &c->ep[TP_CLIENT];

    return dir == TP_SERVER && server->state == TP_UNKNOWN && !server->syn_seen &&
           client->state == TP_SYN_SENT && !c->simultaneous && !server->fin_seen &&
           !client->fin_seen && tp_endpoint_acks_syn(client, seg);
}

/*
 * A FIN in order, the sender's first, neither side's FIN held or implied: the active close's
 * FIN from ESTABLISHED to an ESTABLISHED peer without FIN, acknowledging nothing the peer did
 * not send (RFC 9293 3.6 case 1); or the passive close's FIN from CLOSE-WAIT acknowledging the
 * peer's FIN, the peer in FIN-WAIT-2 or, in a 3-way close, FIN-WAIT-1 (case 2). A FIN
 * crossing the peer's (case 3) goes the full way.
 */
static inline bool tp_fast_fin(const tp_conn *c, tp_dir dir, const tp_segment *seg)
{
    const tp_endpoint *me = &c->ep[dir], *peer = &c->ep[TP_PEER(dir)];

    if (me->fin_seen || me->fin_held || peer->fin_held || me->fin_implied || peer->fin_implied ||
        !peer->seq_seen || (me->seq_seen && tp_seq_lt(me->snd_nxt, seg->seq)))
        return false;
    if (me->state == TP_ESTABLISHED)
        return peer->state == TP_ESTABLISHED && !peer->fin_seen &&
               !tp_seq_lt(peer->snd_nxt, seg->ack);
    return me->state == TP_CLOSE_WAIT &&
           (peer->state == TP_FIN_WAIT_2 || peer->state == TP_FIN_WAIT_1) &&
           tp_endpoint_acks_fin(peer, seg);
}

/*
 * Is seg the common segment of c, the 4-tuple's latest incarnation (tp_conntable_find)? Each
 * condition is what one stage needs to be a no-op; fastpath.c says which and why. Inline, as
 * every segment asks; the tests read only the record's flag bytes and a few sequence numbers.
 */
static inline bool tp_fast_path(const tp_config *cfg, const tp_conn *c, const tp_segment *seg)
{
    tp_dir dir = tp_conn_dir(c, seg);
    const tp_endpoint *me = &c->ep[dir], *peer = &c->ep[TP_PEER(dir)];

    /* Data or a bare ACK, no control flag (URG and PSH move nothing); or a FIN or SYN with ACK
     * (a FIN without it is a probe, probe.c; a SYN without it opens a connection). */
    uint8_t control = seg->flags & (TP_SYN | TP_FIN | TP_RST | TP_ACK);
    if (control != TP_ACK && control != (TP_FIN | TP_ACK) && control != (TP_SYN | TP_ACK))
        return false;
    /* The connection: the latest incarnation's own, nothing pending; its sender ESTABLISHED,
     * or closing (above). */
    if (cfg->full_path || c->has_prev || cfg->zeek_sessions || c->challenge_pending ||
        c->odd_kind != TP_ODD_NONE)
        return false;
    if (control != TP_ACK)
        return control & TP_FIN ? tp_fast_fin(c, dir, seg) : tp_fast_syn_ack(c, dir, seg);
    if (me->state != TP_ESTABLISHED)
        return tp_fast_closing(c, dir, seg);
    /* The receiver ESTABLISHED too; or the handshake's last ACK, which completes it. A client
     * acknowledging the server's SYN otherwise (the server ESTABLISHED by the evidence, say)
     * completes the handshake as well: the full path records it. */
    if (peer->state != TP_ESTABLISHED ||
        (!c->synack_acked && dir == TP_CLIENT && peer->syn_seen && tp_seq_lt(peer->isn, seg->ack)))
        if (!tp_fast_handshake_ack(c, dir, seg))
            return false;
    /* No FIN seen, implied or held either way. */
    if (me->fin_seen || peer->fin_seen || me->fin_held || peer->fin_held || me->fin_implied ||
        peer->fin_implied)
        return false;
    /* In order: nothing of its own skipped, nothing of the peer's acknowledged unseen; a peer
     * never seen (one direction) is read from this side's acknowledgments (evidence.c). */
    if ((me->seq_seen && tp_seq_lt(me->snd_nxt, seg->seq)) || !peer->seq_seen ||
        tp_seq_lt(peer->snd_nxt, seg->ack))
        return false;
    /* Not a keep-alive: one below what the peer acknowledged (keepalive.h). */
    return !(seg->len <= 1 && peer->ack_seen && seg->seq + 1 == peer->max_ack);
}

/* A connection's opening SYN: seg is the SYN (without ACK, FIN or RST) that just opened c
 * (incarnation.c), the client CLOSED and the server UNKNOWN as opened. Nothing came before it
 * to take back or to prove, so engine.c's step needs no stage before the record: this fills in
 * r's classification (event, states, role; any finding the opening made stays) and returns
 * true. False, with r untouched, for any other segment. */
bool tp_fast_opening(const tp_conn *c, const tp_segment *seg, tp_result *r);

/* The short route for such a segment: fills r and updates c (its endpoints, counts, Zeek's
 * view, and the receiver's state where it moves) and the coverage
 * exactly as the full step would. What is left to the caller: the scan's answers to a SYN,ACK
 * (TP_ROLE_SYN_ACK) and to a handshake completed (TP_ROLE_HANDSHAKE_ACK), which only engine.c
 * reaches. */
void tp_fast_step(const tp_results *rs, tp_conntable *t, tp_coverage *v, tp_conn *c,
                  const tp_segment *seg, tp_result *r);

#endif
