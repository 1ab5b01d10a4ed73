/*
 * tcpphase engine: copies. An endpoint sends its SYN or FIN again only when its retransmission
 * timer runs out (RFC 9293 3.8.1), which waits at least the minimum RTO: 1 s by RFC 6298 2.4,
 * 200 ms in Linux. The same SYN or FIN seen again sooner is a copy: the same segment seen
 * through two paths (a capture merged from two interfaces, a SPAN port that sees both sides of
 * a router) or repeated by a middlebox, with nothing on the 4-tuple in between. Something in
 * between can make a stack send at once: Linux resends its SYN a few milliseconds after the RST
 * it returns for a challenge ACK, a real retransmission. A copy proves nothing the original did
 * not: it is no
 * retransmission, so no evidence that an answer was missing (half-open, lost after capture),
 * and it moves no state.
 */
#include "copy.h"

static bool same_kind(tp_role last, uint8_t flags)
{
    if (last == TP_ROLE_DUPLICATE)
        return true;
    if (flags & TP_SYN)
        return (flags & TP_ACK) ? last == TP_ROLE_SYN_ACK || last == TP_ROLE_SYN_ACK_RETRANSMIT ||
                                      last == TP_ROLE_SIMULTANEOUS_SYN_ACK
                                : last == TP_ROLE_SYN || last == TP_ROLE_SYN_RETRANSMIT ||
                                      last == TP_ROLE_SIMULTANEOUS_SYN;
    return last == TP_ROLE_FIN_ACTIVE || last == TP_ROLE_FIN_PASSIVE ||
           last == TP_ROLE_FIN_SIMULTANEOUS || last == TP_ROLE_FIN_RETRANSMIT;
}

bool tp_copy_of_latest(const tp_results *rs, const tp_conn *c, tp_dir dir, const tp_segment *seg)
{
    const tp_endpoint *me = &c->ep[dir];

    if (!(seg->flags & (TP_SYN | TP_FIN)) || (seg->flags & TP_RST) || c->tuple_moved ||
        seg->time_ns < c->last_ns || seg->time_ns - c->last_ns >= TP_MIN_RTO_NS)
        return false;
    bool same = (seg->flags & TP_SYN) ? me->syn_seen && seg->seq == me->isn
                                      : me->fin_seen && seg->seq + seg->len == me->fin_seq;
    if (!same)
        return false;
    const tp_result *last = tp_results_get(rs, c->last_frame);
    return last && last->conn == c->id && last->sender == (uint8_t)dir &&
           same_kind((tp_role)last->role, seg->flags);
}
