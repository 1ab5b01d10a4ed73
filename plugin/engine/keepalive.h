/*
 * tcpphase engine: keep-alives and zero-window probes, and their ACKs (keepalive.c).
 */
#ifndef TCPPHASE_KEEPALIVE_H
#define TCPPHASE_KEEPALIVE_H

#include "conn.h"

/* Is seg from dir a keep-alive or a zero-window probe: at most one byte, at one below what the
 * peer has acknowledged (RFC 1122 4.2.3.6, RFC 9293 3.8.6.1)? */
static inline bool tp_keepalive_probe(const tp_conn *c, tp_dir dir, const tp_segment *seg)
{
    const tp_endpoint *peer = &c->ep[TP_PEER(dir)];
    return (seg->flags & (TP_SYN | TP_FIN | TP_RST | TP_ACK)) == TP_ACK && seg->len <= 1 &&
           !c->ep[dir].fin_seen && peer->ack_seen && seg->seq + 1 == peer->max_ack;
}

/* Is seg from dir the ACK of the peer's keep-alive, the connection's latest segment? */
static inline bool tp_keepalive_acked(const tp_conn *c, tp_dir dir, const tp_segment *seg)
{
    return c->odd_kind == TP_ODD_KEEPALIVE && c->odd_dir == (uint8_t)TP_PEER(dir) &&
           (seg->flags & (TP_SYN | TP_FIN | TP_RST | TP_ACK)) == TP_ACK && seg->len == 0;
}

/* Before the evidence reads seg: does it acknowledge one more than the peer showed, right after
 * the peer's empty segment, while the peer has sent only empty ones? Then that segment was a
 * keep-alive one below the peer's snd_nxt (a capture that starts on an idle connection), not a
 * FIN the capture missed: the peer's snd_nxt moves up by one and true is returned (seg is its
 * keepalive-ack). The one guess of keepalive.c. */
bool tp_keepalive_unseen(tp_conn *c, tp_dir dir, const tp_segment *seg);

/* After seg: what kind of segment no state takes it was, for the peer's answer. Inline: every
 * segment, the common one too (fastpath.c), records it. */
static inline void tp_keepalive_odd(tp_conn *c, tp_dir dir, const tp_segment *seg, tp_role role)
{
    tp_odd odd = TP_ODD_NONE;

    if (role == TP_ROLE_PROBE)
        odd = TP_ODD_PROBE;
    else if (role == TP_ROLE_KEEPALIVE)
        odd = TP_ODD_KEEPALIVE;
    else if (seg->len == 0 && (seg->flags & (TP_SYN | TP_FIN | TP_RST | TP_ACK)) == TP_ACK &&
             !c->ep[dir].sent_space)
        odd = TP_ODD_EMPTY;
    c->odd_kind = (uint8_t)odd;
    c->odd_dir = (uint8_t)dir;
}

#endif
