/*
 * tcpphase engine: corrections, what the whole capture proves about frames read before the
 * proof (corrections.c).
 */
#ifndef TCPPHASE_CORRECTIONS_H
#define TCPPHASE_CORRECTIONS_H

#include "tcpphase.h"

typedef struct tp_corrections tp_corrections;

tp_corrections *tp_corrections_new(void);
void tp_corrections_free(tp_corrections *k);

/* Frame `frame`, as frame `by` proves it: endpoint d's state before and after it (either may be
 * TP_STATE_COUNT: as stored). A later proof of the same frame adds to the earlier one. */
void tp_corrections_state(tp_corrections *k, uint32_t frame, uint32_t by, tp_dir d, tp_state before,
                          tp_state after);
/* Its role, as frame `by` proves it. */
void tp_corrections_role(tp_corrections *k, uint32_t frame, uint32_t by, tp_role role);

/* Applies frame's correction, if any, to r (its stored result); *by: the proving frame. */
bool tp_corrections_apply(const tp_corrections *k, uint32_t frame, tp_result *r, uint32_t *by);

/* The first and last frames that frame `by` corrected; false if none. */
bool tp_corrections_range(const tp_corrections *k, uint32_t by, uint32_t *first, uint32_t *last);

/* How many frames are corrected, and the bytes their store takes (docs/PERFORMANCE.md). */
uint32_t tp_corrections_count(const tp_corrections *k);

#endif
