/*
 * tcpphase engine: what a segment is. The event (from the receiver's side) drives the state
 * tables; the role names the segment's part in the connection's life for the user.
 */
#include "classify.h"

#include "endpoint.h"
#include "probe.h"

static tp_event classify_syn(const tp_endpoint *receiver, const tp_segment *seg)
{
    if (!(seg->flags & TP_ACK))
        return receiver->state == TP_SYN_SENT ? TP_EV_SYN_CROSSED : TP_EV_SYN;
    /* 3.10.7.3: a SYN,ACK must acknowledge the receiver's SYN to be acceptable. One whose SYN
     * the capture missed is taken as answering it. */
    return (!receiver->syn_seen || tp_endpoint_acks_syn(receiver, seg)) ? TP_EV_SYN_ACK
                                                                        : TP_EV_NONE;
}

static tp_event classify_fin(const tp_endpoint *receiver, const tp_segment *seg)
{
    if (!receiver->fin_seen)
        return TP_EV_FIN;
    return tp_endpoint_acks_fin(receiver, seg) ? TP_EV_FIN_ACK_FIN : TP_EV_FIN_CROSSED;
}

tp_event tp_classify_event(const tp_conn *c, tp_dir dir, const tp_segment *seg)
{
    const tp_endpoint *sender = &c->ep[dir], *receiver = &c->ep[TP_PEER(dir)];

    if (tp_probe_flags(seg->flags))
        return TP_EV_NONE; /* no state takes it (probe.c) */
    if (seg->flags & TP_RST) {
        if (!tp_rst_acceptable(sender, receiver, seg))
            return TP_EV_NONE;
        /* 3.10.7.3: SYN-SENT resets an unacceptable ACK from that ACK's number, never its
         * own next one; a RST from there answers a SYN-ACK that acknowledged the SYN (the
         * capture did not show it): an abort, or a host with no socket for it (a scanner). */
        return sender->state == TP_SYN_SENT && sender->syn_seen && seg->seq == sender->isn + 1
                   ? TP_EV_RST_SYN_ANSWERED
                   : TP_EV_RST;
    }
    if (seg->flags & TP_SYN)
        return classify_syn(receiver, seg);
    if (seg->flags & TP_FIN)
        return classify_fin(receiver, seg);
    if (!(seg->flags & TP_ACK))
        return TP_EV_NONE; /* no control flag and no ACK: nothing a state machine acts on */
    if (tp_endpoint_acks_fin(receiver, seg))
        return TP_EV_ACK_FIN;
    return tp_endpoint_acks_syn(receiver, seg) ? TP_EV_ACK_SYN : TP_EV_ACK;
}

/*
 * A RST's role (RFC 9293 3.5.2 for the half-open cases, RFC 1122 4.2.2.13 for the abortive
 * close). A live stack aborting its connection sends RST,ACK from its next sequence number;
 * a stack without the connection answers a segment carrying ACK with a bare RST whose sequence
 * number is that ACK (3.10.7.1), so a RST without ACK says its sender had lost the state.
 */
static tp_role rst_role(const tp_conn *c, tp_dir dir, const tp_segment *seg, tp_event ev,
                        const uint8_t before[2])
{
    tp_state s = before[dir], r = before[TP_PEER(dir)];

    if (ev == TP_EV_NONE)
        return TP_ROLE_RST_OUT_OF_WINDOW;
    if (r == TP_SYN_SENT)
        return TP_ROLE_RST_REFUSED;
    if (r == TP_CLOSED && tp_state_gone(s))
        return TP_ROLE_AFTER_CLOSE;
    if (s == TP_CLOSED)
        return TP_ROLE_RST_HALF_OPEN; /* from a side without the connection the peer holds */
    if (c->ep[dir].fin_seen)
        return TP_ROLE_RST_AFTER_FIN;
    if (s == TP_SYN_SENT || !(seg->flags & TP_ACK))
        return TP_ROLE_RST_HALF_OPEN;
    if (tp_state_synchronized(s) || s == TP_UNKNOWN)
        return TP_ROLE_RST_INSTEAD_OF_FIN;
    return TP_ROLE_RST_REFUSED; /* SYN-RECEIVED aborting its half-made connection */
}

static tp_role syn_role(const tp_conn *c, tp_dir dir, const tp_segment *seg, tp_event ev)
{
    const tp_endpoint *sender = &c->ep[dir];
    bool again = sender->syn_seen && seg->seq == sender->isn;

    if (!(seg->flags & TP_ACK)) {
        if (again)
            return TP_ROLE_SYN_RETRANSMIT;
        return ev == TP_EV_SYN_CROSSED ? TP_ROLE_SIMULTANEOUS_SYN : TP_ROLE_SYN;
    }
    /* In a simultaneous open the SYN,ACK repeats the sender's SYN: only a second SYN,ACK is
     * a retransmission. */
    if (again && sender->synack_seen)
        return TP_ROLE_SYN_ACK_RETRANSMIT;
    /* Its own SYN first, then SYN,ACK with the same number: the peer's SYN came between. */
    return c->simultaneous || again ? TP_ROLE_SIMULTANEOUS_SYN_ACK : TP_ROLE_SYN_ACK;
}

static tp_role fin_role(const tp_conn *c, tp_dir dir, const tp_segment *seg, tp_event ev)
{
    const tp_endpoint *sender = &c->ep[dir];

    if (sender->fin_seen && seg->seq + seg->len == sender->fin_seq)
        return TP_ROLE_FIN_RETRANSMIT;
    if (tp_conn_ended(c))
        return TP_ROLE_AFTER_CLOSE;
    switch (ev) {
    case TP_EV_FIN:
        return TP_ROLE_FIN_ACTIVE;
    case TP_EV_FIN_CROSSED:
        return TP_ROLE_FIN_SIMULTANEOUS;
    case TP_EV_FIN_ACK_FIN:
        return TP_ROLE_FIN_PASSIVE;
    default:
        return TP_ROLE_UNKNOWN;
    }
}

/* An ACK (maybe with data): named by what it did to the receiver, else by its payload. */
static tp_role ack_role(const tp_conn *c, tp_dir dir, const tp_segment *seg,
                        const uint8_t before[2], const uint8_t after[2])
{
    tp_dir peer = TP_PEER(dir);
    tp_state rb = before[peer], ra = after[peer];

    if (rb == TP_SYN_RECEIVED && ra == TP_ESTABLISHED)
        return TP_ROLE_HANDSHAKE_ACK;
    /* Data after the peer's FIN is named for that, even when it also acknowledges the FIN. */
    if (seg->len > 0 && before[dir] == TP_CLOSE_WAIT)
        return TP_ROLE_HALF_CLOSED_DATA;
    if (rb == TP_FIN_WAIT_1 && ra == TP_FIN_WAIT_2)
        return TP_ROLE_ACK_OF_FIN;
    if ((rb == TP_CLOSING || rb == TP_LAST_ACK) && rb != ra)
        return TP_ROLE_FINAL_ACK;
    if (before[dir] == TP_TIME_WAIT && seg->len == 0 && c->ep[peer].fin_again &&
        tp_endpoint_acks_fin(&c->ep[peer], seg))
        return TP_ROLE_FINAL_ACK; /* 3.10.7.4: TIME-WAIT acknowledges a retransmitted FIN */
    /* Data after the close, or anything from a side without the connection. An ACK from
     * TIME-WAIT is still the closing connection's (it answers a SYN, say). */
    if ((before[dir] == TP_CLOSED || seg->len > 0) && tp_conn_ended(c))
        return TP_ROLE_AFTER_CLOSE;
    if (c->mid_stream && before[dir] == TP_UNKNOWN)
        return TP_ROLE_MID_STREAM;
    return seg->len == 0 ? TP_ROLE_ACK : TP_ROLE_DATA;
}

/*
 * The role of a segment, given the connection before it (c), its event, and both endpoints'
 * states before and after it.
 */
tp_role tp_classify_role(const tp_conn *c, tp_dir dir, const tp_segment *seg, tp_event ev,
                         const uint8_t before[2], const uint8_t after[2])
{
    if (tp_probe_flags(seg->flags))
        return TP_ROLE_PROBE;
    if (seg->flags & TP_RST)
        return rst_role(c, dir, seg, ev, before);
    if (seg->flags & TP_SYN)
        return syn_role(c, dir, seg, ev);
    if (seg->flags & TP_FIN)
        return fin_role(c, dir, seg, ev);
    if (!(seg->flags & TP_ACK))
        return TP_ROLE_UNKNOWN;
    return ack_role(c, dir, seg, before, after);
}

static bool state_closing(tp_state s)
{
    return s >= TP_FIN_WAIT_1 && s <= TP_TIME_WAIT;
}

/* The phase: handshake, data transfer, the FIN exchange, a reset, or after the end. */
tp_phase tp_result_phase(const tp_result *r)
{
    tp_role role = (tp_role)r->role;
    tp_state c = (tp_state)r->after[TP_CLIENT], s = (tp_state)r->after[TP_SERVER];

    switch (role) {
    case TP_ROLE_UNKNOWN:
    case TP_ROLE_MID_STREAM:
    case TP_ROLE_PROBE: /* no part of a connection's life */
        return TP_PHASE_UNKNOWN;
    case TP_ROLE_SYN:
    case TP_ROLE_SYN_RETRANSMIT:
    case TP_ROLE_SYN_ACK:
    case TP_ROLE_SYN_ACK_RETRANSMIT:
    case TP_ROLE_HANDSHAKE_ACK:
    case TP_ROLE_SIMULTANEOUS_SYN:
    case TP_ROLE_SIMULTANEOUS_SYN_ACK:
        return TP_PHASE_HANDSHAKE;
    case TP_ROLE_RST_REFUSED:
    case TP_ROLE_RST_INSTEAD_OF_FIN:
    case TP_ROLE_RST_AFTER_FIN:
    case TP_ROLE_RST_HALF_OPEN:
    case TP_ROLE_RST_PROBE:
        return TP_PHASE_RESET;
    case TP_ROLE_AFTER_CLOSE:
        return TP_PHASE_CLOSED;
    default:
        break;
    }
    /* What is left: data, ACKs and ignored RSTs, named by where the endpoints are, and the
     * FIN exchange with its ACKs. */
    bool plain = role == TP_ROLE_DATA || role == TP_ROLE_ACK || role == TP_ROLE_RST_OUT_OF_WINDOW ||
                 role == TP_ROLE_KEEPALIVE || role == TP_ROLE_KEEPALIVE_ACK ||
                 role == TP_ROLE_DUPLICATE;
    if (!plain || state_closing(c) || state_closing(s))
        return TP_PHASE_CLOSING;
    if (c == TP_ESTABLISHED || s == TP_ESTABLISHED)
        return TP_PHASE_ESTABLISHED;
    if (c == TP_SYN_SENT || c == TP_SYN_RECEIVED || s == TP_SYN_RECEIVED)
        return TP_PHASE_HANDSHAKE;
    if (tp_state_gone(c) && tp_state_gone(s))
        return TP_PHASE_CLOSED;
    return TP_PHASE_UNKNOWN;
}
