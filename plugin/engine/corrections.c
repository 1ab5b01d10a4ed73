/*
 * tcpphase engine: corrections. Each frame's result is computed once, when first read, from the
 * segments before it, and stored; a single pass can do no better. Some later frames prove an
 * earlier answer wrong: a retransmission proves an acknowledgment never arrived (delivery.c),
 * a scanner's RST proves it never took the SYN-ACK, a keep-alive's ACK proves what the segment
 * before it was, data arriving late shows that a hole before a FIN was out of order. The proving
 * frame corrects its own states at once; the frames between keep what a single pass said, and their
 * corrected answers are kept here, for the second look (Wireshark's GUI and tshark -2 read the
 * whole file before showing a frame).
 *
 * Corrections are rare, so they live apart from the per-frame results: a hash from frame to its
 * correction, 12 bytes of payload each, nothing for frames without one; and from each proving
 * frame to the range it corrected.
 */
#include "corrections.h"

#include <glib.h>

#define KEEP 0xff /* a field the correction leaves as stored */

typedef struct correction {
    uint32_t by;
    uint8_t role; /* tp_role, or KEEP */
    uint8_t why;  /* tp_correction_cause */
    uint8_t before[2], after[2];
} correction;

typedef struct range {
    uint32_t first, last;
} range;

struct tp_corrections {
    GHashTable *frames; /* frame -> correction */
    GHashTable *proofs; /* proving frame -> range */
    GHashTable *filled; /* frame with a capture gap -> the later frame holding the segment */
};

tp_corrections *tp_corrections_new(void)
{
    tp_corrections *k = g_new0(tp_corrections, 1);
    k->frames = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
    k->proofs = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
    k->filled = g_hash_table_new(g_direct_hash, g_direct_equal);
    return k;
}

void tp_corrections_free(tp_corrections *k)
{
    if (!k)
        return;
    g_hash_table_destroy(k->frames);
    g_hash_table_destroy(k->proofs);
    g_hash_table_destroy(k->filled);
    g_free(k);
}

static correction *entry(tp_corrections *k, uint32_t frame, uint32_t by, tp_correction_cause why)
{
    correction *c = g_hash_table_lookup(k->frames, GUINT_TO_POINTER(frame));
    if (!c) {
        c = g_new(correction, 1);
        *c = (correction){.by = by, .role = KEEP, .before = {KEEP, KEEP}, .after = {KEEP, KEEP}};
        g_hash_table_insert(k->frames, GUINT_TO_POINTER(frame), c);
    }
    c->by = by;
    c->why = (uint8_t)why;
    range *r = g_hash_table_lookup(k->proofs, GUINT_TO_POINTER(by));
    if (!r) {
        r = g_new(range, 1);
        *r = (range){frame, frame};
        g_hash_table_insert(k->proofs, GUINT_TO_POINTER(by), r);
    }
    r->first = MIN(r->first, frame);
    r->last = MAX(r->last, frame);
    return c;
}

void tp_corrections_state(tp_corrections *k, uint32_t frame, uint32_t by, tp_correction_cause why,
                          tp_dir d, tp_state before, tp_state after)
{
    correction *c = entry(k, frame, by, why);
    if (before < TP_STATE_COUNT)
        c->before[d] = (uint8_t)before;
    if (after < TP_STATE_COUNT)
        c->after[d] = (uint8_t)after;
}

void tp_corrections_role(tp_corrections *k, uint32_t frame, uint32_t by, tp_correction_cause why,
                         tp_role role)
{
    entry(k, frame, by, why)->role = (uint8_t)role;
}

/* Each after "Corrected by frame N: " on the corrected frame (RFC 9293 sections). */
static const char *const why_text[TP_CAUSE_COUNT] = {
    [TP_CAUSE_NOT_DELIVERED] = "its retransmission proves a segment seen here never reached its "
                               "receiver, who kept its earlier state (3.8.1, 3.10.7.4)",
    [TP_CAUSE_SYN_ACK_UNSEEN] = "the client's SYN sent again proves the SYN,ACK never reached it: "
                                "still SYN-SENT (3.8.1)",
    [TP_CAUSE_SYN_ACK_RESET] = "the client's RST proves it never took the SYN,ACK: it holds no "
                               "connection (a scanner, or no socket; 3.10.7.1)",
    [TP_CAUSE_FIN_NOT_TAKEN] = "the receiver's acknowledgment below the FIN proves the FIN never "
                               "reached it (3.10.7.4)",
    [TP_CAUSE_FIN_WAS_DATA] = "the numbers past it prove the one sequence number taken for a FIN "
                              "was a byte of data: nothing follows a FIN (3.10.7.4)",
    [TP_CAUSE_KEEPALIVE] = "the peer's answer shows this segment was a keep-alive, one below "
                           "SND.NXT (RFC 1122 4.2.3.6)",
    [TP_CAUSE_SCAN] = "its sender is scanning: this lone ACK was a probe, and no connection",
};

const char *tp_corrections_why(const tp_corrections *k, uint32_t frame)
{
    const correction *c = k ? g_hash_table_lookup(k->frames, GUINT_TO_POINTER(frame)) : NULL;
    return c && c->why < TP_CAUSE_COUNT ? why_text[c->why] : NULL;
}

bool tp_corrections_apply(const tp_corrections *k, uint32_t frame, tp_result *r, uint32_t *by)
{
    const correction *c = k ? g_hash_table_lookup(k->frames, GUINT_TO_POINTER(frame)) : NULL;
    if (!c)
        return false;
    if (c->role != KEEP)
        r->role = c->role;
    for (int d = 0; d < 2; d++) {
        if (c->before[d] != KEEP)
            r->before[d] = c->before[d];
        if (c->after[d] != KEEP)
            r->after[d] = c->after[d];
    }
    if (by)
        *by = c->by;
    return true;
}

bool tp_corrections_range(const tp_corrections *k, uint32_t by, uint32_t *first, uint32_t *last)
{
    const range *r = k ? g_hash_table_lookup(k->proofs, GUINT_TO_POINTER(by)) : NULL;
    if (!r)
        return false;
    *first = r->first;
    *last = r->last;
    return true;
}

uint32_t tp_corrections_count(const tp_corrections *k)
{
    return k ? g_hash_table_size(k->frames) : 0;
}

void tp_corrections_gap_filled(tp_corrections *k, uint32_t frame, uint32_t by)
{
    if (!g_hash_table_contains(k->filled, GUINT_TO_POINTER(frame)))
        g_hash_table_insert(k->filled, GUINT_TO_POINTER(frame), GUINT_TO_POINTER(by));
}

uint32_t tp_corrections_filled_by(const tp_corrections *k, uint32_t frame)
{
    return k ? GPOINTER_TO_UINT(g_hash_table_lookup(k->filled, GUINT_TO_POINTER(frame))) : 0;
}
