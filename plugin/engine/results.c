/*
 * tcpphase engine: the stored per-frame results, an array indexed by frame number.
 */
#include "results.h"

#include <glib.h>
#include <string.h>

void tp_results_free(tp_results *rs)
{
    g_free(rs->at);
    *rs = (tp_results){0};
}

tp_result *tp_results_slot(tp_results *rs, uint32_t frame)
{
    if (frame >= rs->cap) {
        /* frame < UINT32_MAX, so frame + 1 does not wrap */
        uint64_t cap = rs->cap ? 2 * (uint64_t)rs->cap : 1024;
        if (cap < (uint64_t)frame + 1)
            cap = (uint64_t)frame + 1;
        if (cap > UINT32_MAX)
            cap = UINT32_MAX;
        rs->at = g_renew(tp_result, rs->at, cap);
        rs->cap = (uint32_t)cap;
    }
    if (frame > rs->n) /* a gap: frames never fed (not TCP, or not read whole) */
        memset(&rs->at[rs->n], 0, (frame - rs->n) * sizeof(tp_result));
    if (frame >= rs->n)
        rs->n = frame + 1;
    rs->at[frame] = (tp_result){0};
    return &rs->at[frame];
}
