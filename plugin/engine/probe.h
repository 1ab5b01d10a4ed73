/*
 * tcpphase engine: probes, segments whose flags no TCP state accepts, and the RSTs that answer
 * them (probe.c).
 */
#ifndef TCPPHASE_PROBE_H
#define TCPPHASE_PROBE_H

#include "conn.h"

/* Do these flags make a segment no state accepts (RFC 9293 3.10.7)? No flags; FIN, PSH or URG
 * without ACK; SYN with FIN. With RST it is no probe: every state checks the RST bit before the
 * SYN bit and the ACK field, so a RST with other flags is judged as a RST (classify.c). */
static inline bool tp_probe_flags(uint8_t flags)
{
    if (flags & TP_RST)
        return false;
    if (flags & TP_SYN)
        return (flags & TP_FIN) != 0;
    return !(flags & TP_ACK);
}

/* Is seg, from dir, a RST answering the peer's probe, the connection's latest segment? Or a
 * bare RST answering a lone empty ACK that opened the connection: one segment cannot tell a
 * probe from a survivor of a lost connection, and the RST proves the same of both: no
 * connection on that port (3.10.7.1). */
static inline bool tp_probe_answered(const tp_conn *c, tp_dir dir, const tp_segment *seg)
{
    if (!(seg->flags & TP_RST) || (seg->flags & TP_SYN) || c->odd_dir != (uint8_t)TP_PEER(dir))
        return false;
    return c->odd_kind == TP_ODD_PROBE ||
           (c->odd_kind == TP_ODD_EMPTY && c->last_frame == c->first_frame &&
            !(seg->flags & TP_ACK));
}

/* A lone ACK without data as a 4-tuple's first segment: an ACK scan's probe, when its sender
 * is known to be scanning (scan.c decides that). */
static inline bool tp_probe_lone_ack(const tp_conn *c, const tp_segment *seg)
{
    return (seg->flags & (TP_SYN | TP_FIN | TP_RST | TP_ACK)) == TP_ACK && seg->len == 0 &&
           c->first_frame == seg->frame;
}

/* Is seg from dir the client's bare RST answering the server's SYN-ACK, from where the SYN-ACK
 * pointed (seq = its ack), before any ACK of it? A host answers so what it has no connection
 * for (RFC 9293 3.10.7.1): the SYN was a probe written raw (a SYN scan), or its sender had given
 * up. So the client never took the SYN-ACK: it was CLOSED, not ESTABLISHED, since it came. */
static inline bool tp_probe_synack_reset(const tp_conn *c, tp_dir dir, const tp_segment *seg)
{
    const tp_endpoint *client = &c->ep[TP_CLIENT];
    return dir == TP_CLIENT && (seg->flags & (TP_RST | TP_ACK | TP_SYN)) == TP_RST &&
           c->first_synack_frame && !c->synack_acked && client->syn_seen &&
           seg->seq == client->isn + 1 && client->state == TP_ESTABLISHED &&
           c->ep[TP_SERVER].state == TP_SYN_RECEIVED;
}

/* The flags of a probe, for its expert item: "FIN, PSH, URG without ACK". */
const char *tp_probe_flags_text(uint8_t flags, char *out, size_t size);

/* What kind of scan probe the flags are (scan.c names the scan after it). */
typedef enum tp_probe_kind {
    TP_PROBE_SYN = 0, /* a plain SYN (not a probe: a connection request) */
    TP_PROBE_ACK,     /* a lone ACK */
    TP_PROBE_FIN,     /* FIN alone */
    TP_PROBE_NULL,    /* no flags */
    TP_PROBE_XMAS,    /* FIN, PSH and URG */
    TP_PROBE_OTHER,   /* any other combination no state accepts (OS detection) */
    TP_PROBE_KIND_COUNT
} tp_probe_kind;

tp_probe_kind tp_probe_kind_of(uint8_t flags);

#endif
