/*
 * tcpphase engine: corrections, what the whole capture proves about frames read before the
 * proof (corrections.c).
 */
#ifndef TCPPHASE_CORRECTIONS_H
#define TCPPHASE_CORRECTIONS_H

#include "tcpphase.h"

typedef struct tp_corrections tp_corrections;

/* What the proving frame shows, for the corrected frame's reason line. */
typedef enum tp_correction_cause {
    TP_CAUSE_NOT_DELIVERED = 0, /* a retransmission: what was seen never arrived (delivery.c) */
    TP_CAUSE_SYN_ACK_UNSEEN,    /* the client's SYN again: the SYN,ACK never reached it */
    TP_CAUSE_SYN_ACK_RESET,     /* the client's RST: it never took the SYN,ACK (probe.h) */
    TP_CAUSE_FIN_NOT_TAKEN,     /* the receiver's ACK below the FIN: it never took it (order.c) */
    TP_CAUSE_FIN_WAS_DATA,      /* data past an implied FIN: it was a byte (evidence.c) */
    TP_CAUSE_KEEPALIVE,         /* the answer to a keep-alive (keepalive.c) */
    TP_CAUSE_SCAN,              /* its sender is scanning: a lone ACK was a probe (scan.c) */
    TP_CAUSE_COUNT
} tp_correction_cause;

tp_corrections *tp_corrections_new(void);
void tp_corrections_free(tp_corrections *k);

/* Frame `frame`, as frame `by` proves it: endpoint d's state before and after it (either may be
 * TP_STATE_COUNT: as stored). A later proof of the same frame adds to the earlier one. */
void tp_corrections_state(tp_corrections *k, uint32_t frame, uint32_t by, tp_correction_cause why,
                          tp_dir d, tp_state before, tp_state after);
/* Its role, as frame `by` proves it. */
void tp_corrections_role(tp_corrections *k, uint32_t frame, uint32_t by, tp_correction_cause why,
                         tp_role role);

/* Why frame was corrected, in a sentence after "frame N ..."; NULL if it was not. */
const char *tp_corrections_why(const tp_corrections *k, uint32_t frame);

/* Applies frame's correction, if any, to r (its stored result); *by: the proving frame. */
bool tp_corrections_apply(const tp_corrections *k, uint32_t frame, tp_result *r, uint32_t *by);

/* The first and last frames that frame `by` corrected; false if none. */
bool tp_corrections_range(const tp_corrections *k, uint32_t by, uint32_t *first, uint32_t *last);

/* Frame `frame` proved a capture gap (evidence.c) that frame `by` fills: the capture holds the
 * segment, out of order. The first filler is kept. */
void tp_corrections_gap_filled(tp_corrections *k, uint32_t frame, uint32_t by);
/* That later frame, or 0. */
uint32_t tp_corrections_filled_by(const tp_corrections *k, uint32_t frame);

/* How many frames are corrected, and the bytes their store takes (docs/PERFORMANCE.md). */
uint32_t tp_corrections_count(const tp_corrections *k);

#endif
