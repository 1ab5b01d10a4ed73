/*
 * tcpphase engine: writing a connection's states. Captured segments (engine.c), segments the
 * evidence implies (evidence.c) and acknowledgments taken back (delivery.c) all move the
 * endpoints through here, so TIME-WAIT entry and the handshake's facts are kept alike for all.
 */
#include "state.h"

#include "side.h"

void tp_conn_set_state(tp_conntable *t, tp_conn *c, tp_dir d, tp_state s, int64_t now)
{
    c->ep[d].state = (uint8_t)s;
    if (s == TP_TIME_WAIT) {
        tp_conn_set_time_wait_ns(t, c, d, now);
        c->ep[d].was_time_wait = true;
    }
}

void tp_conn_apply(tp_conntable *t, tp_conn *c, tp_dir dir, const tp_segment *seg,
                   const uint8_t before[2], const uint8_t after[2])
{
    if (dir == TP_SERVER && before[TP_CLIENT] == TP_SYN_SENT)
        c->syn_answered = true;
    /* The handshake completed once the client acknowledged the server's SYN, whatever else
     * the segment did (a FIN may carry that ACK). */
    if (!c->synack_acked && dir == TP_CLIENT && (seg->flags & TP_ACK) &&
        c->ep[TP_SERVER].syn_seen && tp_seq_lt(c->ep[TP_SERVER].isn, seg->ack))
        c->synack_acked = true;
    if (before[TP_PEER(dir)] == TP_FIN_WAIT_1 && after[TP_PEER(dir)] == TP_FIN_WAIT_2)
        c->ack_of_fin_seen = true; /* the FIN was acknowledged on its own: a 4-way close */
    for (int d = 0; d < 2; d++)
        if (after[d] != before[d]) /* the record holds before[d] (step) */
            tp_conn_set_state(t, c, (tp_dir)d, (tp_state)after[d], seg->time_ns);
}
