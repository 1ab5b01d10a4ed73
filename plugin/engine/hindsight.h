/*
 * tcpphase engine: hindsight, what a proving segment says of the frames read before it
 * (hindsight.c). It only records corrections (corrections.c): stored results are never rewritten.
 */
#ifndef TCPPHASE_HINDSIGHT_H
#define TCPPHASE_HINDSIGHT_H

#include "conntable.h"
#include "corrections.h"
#include "results.h"

/* Frame `proof` shows d's state over c's frames from `from` (after it) up to the proof was
 * `state` all along. */
void tp_hindsight_states(tp_corrections *k, const tp_results *rs, const tp_conn *c, tp_dir d,
                         uint32_t from, uint32_t proof, tp_state state, tp_correction_cause why);

/* Frame `proof` shows its sender never took the SYN-ACK: it sends its SYN again (RFC 9293
 * 3.8.1) after a SYN-ACK moved it to ESTABLISHED. Before the proof, it was SYN-SENT since the
 * SYN-ACK that moved it. */
void tp_hindsight_synack_unseen(tp_corrections *k, const tp_results *rs, const tp_conn *c,
                                tp_dir dir, uint32_t proof);

/* Frame `proof` shows the FIN that frame `from` implied (evidence.c) was a byte of data: both
 * ends were ESTABLISHED from it on, its acknowledgment an `ack`, data after it not half-closed. */
void tp_hindsight_fin_was_data(tp_corrections *k, const tp_results *rs, const tp_conn *c,
                               uint32_t from, uint32_t proof);

/* Frame `proof` shows a host scanning: the connections it opened with a lone ACK before (ids)
 * were probes; their first frame a `probe`, their client UNKNOWN throughout. */
void tp_hindsight_early_acks(tp_corrections *k, const tp_results *rs, tp_conntable *t,
                             const uint32_t *ids, size_t n, uint32_t proof, int64_t now);

#endif
