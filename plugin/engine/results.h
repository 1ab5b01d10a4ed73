/*
 * tcpphase engine: the stored per-frame results (results.c). Each frame's result is computed
 * once, when first fed, into its slot here; later look-ups only read it (the way Wireshark's
 * transum computes on the first pass and only draws on revisits).
 */
#ifndef TCPPHASE_RESULTS_H
#define TCPPHASE_RESULTS_H

#include "tcpphase.h"

typedef struct tp_results {
    /* tp_result by frame number; entries below n are written or zero, the rest of cap untouched
     * (so never resident). Grown by doubling only when a frame passes cap: resizing a GArray
     * on every frame cost more than a tenth of the engine's time. */
    tp_result *at;
    uint32_t n, cap;
} tp_results;

void tp_results_free(tp_results *rs);
/* The slot of a frame's result, zeroed; frames skipped on the way read as "never fed" (zero).
 * frame < UINT32_MAX. The slot does not move before the next call. */
tp_result *tp_results_slot(tp_results *rs, uint32_t frame);

/* The stored result of a frame, or NULL if it was never fed. Inline: feeding asks it for every
 * segment. */
static inline const tp_result *tp_results_get(const tp_results *rs, uint32_t frame)
{
    if (frame >= rs->n)
        return 0;
    const tp_result *r = &rs->at[frame];
    return r->conn ? r : 0;
}

#endif
