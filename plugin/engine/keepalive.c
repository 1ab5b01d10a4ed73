/*
 * tcpphase engine: keep-alives and zero-window probes.
 *
 * A keep-alive (RFC 1122 4.2.3.6) and a zero-window probe (RFC 9293 3.8.6.1) are segments
 * with no data, or one byte of garbage, sent at SND.UNA - 1: below what the peer has already
 * acknowledged, so the peer answers with an ACK of what it has (RCV.NXT) and nothing moves.
 * Linux sends both as an empty segment at SND.UNA - 1 (tcp_xmit_probe_skb). Seen with the
 * peer's acknowledgments, that sequence number tells a keep-alive at once.
 *
 * A capture that starts on an idle connection shows the keep-alive before anything else of
 * its sender: its sequence number then looks like the sender's next one, and the peer's ACK,
 * one higher, like the acknowledgment of a FIN the capture missed (evidence.c). The one
 * guess: an ACK of exactly one more than an endpoint showed, answering that endpoint's empty
 * segment (the connection's latest), while that endpoint has sent nothing but empty segments,
 * is the ACK of a keep-alive, not of a missed FIN. It is wrong only for a capture that starts
 * just before a close and misses the FIN itself; later numbers then show the FIN again
 * (the next segment acknowledging it, or its retransmission).
 */
#include "keepalive.h"

bool tp_keepalive_unseen(tp_conn *c, tp_dir dir, const tp_segment *seg)
{
    tp_endpoint *peer = &c->ep[TP_PEER(dir)];

    if (c->odd_kind != TP_ODD_EMPTY || c->odd_dir != (uint8_t)TP_PEER(dir) ||
        (seg->flags & (TP_SYN | TP_RST | TP_ACK)) != TP_ACK || peer->sent_space || peer->fin_seen ||
        !peer->seq_seen || seg->ack != peer->snd_nxt + 1)
        return false;
    peer->snd_nxt = seg->ack;
    c->odd_kind = TP_ODD_KEEPALIVE;
    return true;
}
