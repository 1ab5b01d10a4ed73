/*
 * tcpphase engine: what one endpoint's segments show of it (sequence space, acknowledgments,
 * window, timestamps), and the acceptability tests that read those facts.
 */
#include "endpoint.h"

/* Without a negotiated scale the advertised window may still be scaled by up to 2^14
 * (RFC 7323 2.3); judging a RST against the largest possible window never calls a RST
 * out-of-window that a stack would have accepted. */
#define TP_MAX_WSCALE 14

static uint32_t seq_space(const tp_segment *seg)
{
    return seg->len + ((seg->flags & TP_SYN) ? 1 : 0) + ((seg->flags & TP_FIN) ? 1 : 0);
}

/* Records what a segment the endpoint sent shows of it. */
void tp_endpoint_sent(tp_endpoint *ep, const tp_segment *seg)
{
    uint32_t end = seg->seq + seq_space(seg);

    /* New data of one byte (not a keep-alive's byte below snd_nxt, RFC 1122 4.2.3.6). */
    if (seg->len == 1 && !(seg->flags & (TP_SYN | TP_FIN | TP_RST)) && ep->seq_seen &&
        seg->seq == ep->snd_nxt)
        ep->tiny_data = true;

    if ((seg->flags & TP_SYN) && !ep->syn_seen) {
        ep->syn_seen = true;
        ep->isn = seg->seq;
        ep->wscale = (int8_t)(seg->wscale > 15 ? 15 : seg->wscale < -1 ? -1 : seg->wscale);
    }
    if ((seg->flags & (TP_SYN | TP_ACK)) == (TP_SYN | TP_ACK))
        ep->synack_seen = true;
    if (end != seg->seq && !(seg->flags & TP_RST))
        ep->sent_space = true;
    if (!(seg->flags & TP_RST)) {
        /* A RST's sequence number says where its sender stood, not data it sent. */
        ep->snd_nxt = ep->seq_seen ? tp_seq_max(ep->snd_nxt, end) : end;
        ep->seq_seen = true;
    }
    /* The SYN or FIN the evidence implied, now captured (late): no retransmission. */
    if ((seg->flags & TP_SYN) && ep->syn_seen && seg->seq == ep->isn)
        ep->syn_implied = false;
    if ((seg->flags & TP_FIN) && ep->fin_seen && seg->seq + seg->len == ep->fin_seq) {
        if (ep->fin_implied)
            ep->fin_implied = false;
        else
            ep->fin_again = true;
    }
    if ((seg->flags & TP_FIN) && !ep->fin_seen) {
        ep->fin_seen = true;
        ep->fin_seq = seg->seq + seg->len;
    }
    if (seg->flags & TP_ACK) {
        ep->max_ack = ep->ack_seen ? tp_seq_max(ep->max_ack, seg->ack) : seg->ack;
        ep->ack_seen = true;
        if (seg->len > 0 || !ep->data_ack_seen) {
            ep->ack_at_last_data = seg->ack;
            ep->data_ack_seen = true;
        }
    }
    ep->window = seg->window;
    if (seg->has_ts) {
        ep->has_ts = true;
        ep->last_tsval = seg->tsval;
    }
}

static uint64_t receive_window(const tp_endpoint *receiver)
{
    int shift = receiver->wscale >= 0 ? receiver->wscale : TP_MAX_WSCALE;
    if (shift > TP_MAX_WSCALE)
        shift = TP_MAX_WSCALE;
    uint64_t w = (uint64_t)receiver->window << shift;
    return w ? w : 1;
}

/*
 * RFC 9293 3.10.7.3: in SYN-SENT a RST is acceptable only if it acknowledges the SYN.
 * 3.10.7.4 and RFC 5961 3: otherwise it must fall in the receive window, RCV.NXT <= SEG.SEQ <
 * RCV.NXT + RCV.WND. The observer takes RCV.NXT from the receiver's highest ACK, or from
 * the sender's own next sequence number when the receiver has acknowledged nothing yet.
 */
bool tp_rst_acceptable(const tp_endpoint *sender, const tp_endpoint *receiver,
                       const tp_segment *seg)
{
    if (receiver->state == TP_SYN_SENT)
        return (seg->flags & TP_ACK) && receiver->syn_seen && seg->ack == receiver->isn + 1;
    if (sender->seq_seen && seg->seq == sender->snd_nxt)
        return true;
    if (!receiver->ack_seen)
        return true; /* nothing to judge it by */
    uint32_t off = seg->seq - receiver->max_ack;
    return (uint64_t)off < receive_window(receiver);
}
