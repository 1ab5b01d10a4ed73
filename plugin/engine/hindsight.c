/*
 * tcpphase engine: hindsight. A single pass decides each frame from the frames before it; some
 * later frames prove such an answer wrong (a retransmission proves an acknowledgment never
 * arrived, a SYN sent again proves the SYN-ACK never did, a scan shows what its first lone ACKs
 * were). The proving frame moves the live states (its stage does: delivery.c, order.c,
 * transitions.c); here, the frames between are given their corrected answers for the second
 * look (corrections.c), which the GUI and tshark -2 show.
 */
#include "hindsight.h"

#include "state.h"

/* Proofs are rare, but the frames between may be many: past MAX_CORRECTED frames the rest keep
 * their first answer. */
#define MAX_CORRECTED 65536u

void tp_hindsight_states(tp_corrections *k, const tp_results *rs, const tp_conn *c, tp_dir d,
                         uint32_t from, uint32_t proof, tp_state state, tp_correction_cause why)
{
    if (!from || from >= proof || proof - from > MAX_CORRECTED)
        return;
    for (uint32_t f = from; f < proof; f++) {
        const tp_result *r = tp_results_get(rs, f);
        if (r && r->conn == c->id && (r->after[d] != state || (f > from && r->before[d] != state)))
            tp_corrections_state(k, f, proof, why, d, f > from ? state : TP_STATE_COUNT, state);
    }
}

void tp_hindsight_synack_unseen(tp_corrections *k, const tp_results *rs, const tp_conn *c,
                                tp_dir dir, uint32_t proof)
{
    /* The latest frame that moved dir into ESTABLISHED: the SYN-ACK it never got; unless dir
     * sent anything but its SYN since, which says it did get it. */
    uint32_t low = proof > MAX_CORRECTED ? proof - MAX_CORRECTED : 1;
    for (uint32_t f = proof - 1; f >= low && f >= c->first_frame; f--) {
        const tp_result *r = tp_results_get(rs, f);
        if (!r || r->conn != c->id)
            continue;
        if (r->sender == (uint8_t)dir && r->role != TP_ROLE_SYN_RETRANSMIT &&
            r->role != TP_ROLE_SYN)
            return;
        if (r->after[dir] == TP_ESTABLISHED && r->before[dir] != TP_ESTABLISHED) {
            tp_hindsight_states(k, rs, c, dir, f, proof, TP_SYN_SENT, TP_CAUSE_SYN_ACK_UNSEEN);
            return;
        }
    }
}

static tp_role without_fin(tp_role role)
{
    switch (role) {
    case TP_ROLE_ACK_OF_FIN:
        return TP_ROLE_ACK;
    case TP_ROLE_HALF_CLOSED_DATA:
        return TP_ROLE_DATA;
    default:
        return role;
    }
}

void tp_hindsight_fin_was_data(tp_corrections *k, const tp_results *rs, const tp_conn *c,
                               uint32_t from, uint32_t proof)
{
    if (!from || from >= proof || proof - from > MAX_CORRECTED)
        return;
    /* The implied FIN was applied before `from` was classified: its before[] too. */
    for (uint32_t f = from; f < proof; f++) {
        const tp_result *r = tp_results_get(rs, f);
        if (!r || r->conn != c->id)
            continue;
        for (int d = 0; d < 2; d++)
            if (r->before[d] != TP_ESTABLISHED || r->after[d] != TP_ESTABLISHED)
                tp_corrections_state(k, f, proof, TP_CAUSE_FIN_WAS_DATA, (tp_dir)d, TP_ESTABLISHED,
                                     TP_ESTABLISHED);
        if (without_fin((tp_role)r->role) != r->role)
            tp_corrections_role(k, f, proof, TP_CAUSE_FIN_WAS_DATA, without_fin((tp_role)r->role));
    }
}

void tp_hindsight_early_acks(tp_corrections *k, const tp_results *rs, tp_conntable *t,
                             const uint32_t *ids, size_t n, uint32_t proof, int64_t now)
{
    for (size_t i = 0; i < n; i++) {
        tp_conn *c = tp_conntable_get(t, ids[i]);
        if (!c || c->last_frame - c->first_frame > MAX_CORRECTED)
            continue;
        for (uint32_t f = c->first_frame; f <= c->last_frame; f++) {
            const tp_result *r = tp_results_get(rs, f);
            if (!r || r->conn != c->id)
                continue;
            if (f == c->first_frame) {
                tp_corrections_role(k, f, proof, TP_CAUSE_SCAN, TP_ROLE_PROBE);
                tp_corrections_state(k, f, proof, TP_CAUSE_SCAN, TP_CLIENT, TP_STATE_COUNT,
                                     TP_UNKNOWN);
            } else {
                tp_corrections_state(k, f, proof, TP_CAUSE_SCAN, TP_CLIENT, TP_UNKNOWN, TP_UNKNOWN);
            }
        }
        tp_conn_set_state(t, c, TP_CLIENT, TP_UNKNOWN, now);
    }
}
