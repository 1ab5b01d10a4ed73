/*
 * tcpphase engine: a connection's summary, how it opened and how it closed, derived from the
 * facts the engine recorded while feeding it.
 */
#include "summary.h"

#include "side.h"
#include "zeek_conn.h"

static tp_open_style open_style(const tp_conntable *t, const tp_coverage *v, const tp_conn *c)
{
    tp_role end = tp_conn_end_role(c);
    if (c->mid_stream && end != TP_ROLE_RST_PROBE)
        return TP_OPEN_MID_STREAM;
    /* A probe answered by RST was refused as a SYN would have been. */
    if ((end == TP_ROLE_RST_REFUSED || end == TP_ROLE_RST_PROBE) && !c->synack_acked)
        return TP_OPEN_REFUSED;
    if (c->synack_acked)
        return c->simultaneous ? TP_OPEN_SIMULTANEOUS : TP_OPEN_3WAY;
    /* A capture that starts at the SYN-ACK has no SYN to call unanswered; one that cannot see
     * the answer's direction cannot call it so either (coverage.c). */
    if (tp_conn_first_syn_frame(t, c) && !c->syn_answered)
        return tp_conn_unanswered_provable(t, v, c, TP_CLIENT) ? TP_OPEN_SYN_UNANSWERED
                                                               : TP_OPEN_UNKNOWN;
    return c->first_synack_frame && tp_conn_unanswered_provable(t, v, c, TP_SERVER)
               ? TP_OPEN_SYNACK_UNACKED
               : TP_OPEN_UNKNOWN;
}

static tp_close_style rst_close(tp_role role)
{
    switch (role) {
    case TP_ROLE_RST_REFUSED:
    case TP_ROLE_RST_PROBE:
        return TP_CLOSE_REFUSED;
    case TP_ROLE_RST_INSTEAD_OF_FIN:
        return TP_CLOSE_RST_INSTEAD_OF_FIN;
    case TP_ROLE_RST_AFTER_FIN:
        return TP_CLOSE_RST_AFTER_FIN;
    default:
        return TP_CLOSE_RST_HALF_OPEN;
    }
}

static tp_close_style close_style(const tp_conntable *t, const tp_coverage *v, const tp_conn *c)
{
    bool fin_c = c->ep[TP_CLIENT].fin_seen, fin_s = c->ep[TP_SERVER].fin_seen;

    if (c->end_rst)
        return rst_close(tp_conn_end_role(c));
    if (fin_c && fin_s) {
        if (c->fin_simultaneous_seen)
            return TP_CLOSE_FIN_SIMULTANEOUS;
        return c->ack_of_fin_seen ? TP_CLOSE_FIN_4WAY : TP_CLOSE_FIN_3WAY;
    }
    if (fin_c || fin_s)
        return TP_CLOSE_HALF_CLOSED;
    if (tp_conn_first_syn_frame(t, c) && !c->syn_answered)
        return tp_conn_unanswered_provable(t, v, c, TP_CLIENT) ? TP_CLOSE_SYN_UNANSWERED
                                                               : TP_CLOSE_UNKNOWN;
    /* Probes no answer came for: no connection was ever open. */
    if (c->scan_attempt && !c->syn_answered && !tp_conn_first_syn_frame(t, c) &&
        !c->ep[TP_SERVER].captured)
        return TP_CLOSE_UNKNOWN;
    return TP_CLOSE_OPEN;
}

void tp_conn_summarize(const tp_conntable *t, const tp_coverage *v, const tp_conn *c,
                       tp_conn_summary *out)
{
    out->conn = c->id;
    out->incarnation = tp_conn_incarnation(t, c);
    for (int d = 0; d < 2; d++) {
        tp_conn_addr(c, (tp_dir)d, &out->addr[d]);
        out->port[d] = c->port[d];
        out->bytes[d] = tp_conn_bytes(t, c, (tp_dir)d);
        out->frames[d] = tp_conn_frames(t, c, (tp_dir)d);
        out->state[d] = (tp_state)c->ep[d].state;
        out->time_wait[d] = c->ep[d].was_time_wait;
        out->seen[d] = c->ep[d].captured;
    }
    out->first_frame = c->first_frame;
    out->last_frame = c->last_frame;
    out->first_ns = c->first_ns;
    out->last_ns = c->last_ns;
    tp_zeek_summarize(&c->zeek, c, out->zeek_state, sizeof out->zeek_state, out->history,
                      sizeof out->history);
    out->zeek_orig = tp_zeek_orig(&c->zeek);
    out->open = open_style(t, v, c);
    out->close = close_style(t, v, c);
}
