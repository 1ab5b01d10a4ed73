/*
 * Two engines fed the same segments, one with the short route (plugin/engine/fastpath.c) and
 * one sending every segment through every stage (tp_config full_path), must answer alike:
 * frame by frame (the stored result, the second look and what corrected it, the findings with
 * hindsight, the gaps and the segments never delivered) and connection by connection (the
 * summaries, Zeek's view with them, and the scans). Each difference is counted in
 * *differences and the first twenty are named on stderr, under `name`.
 */
#ifndef TCPPHASE_TEST_AGREE_H
#define TCPPHASE_TEST_AGREE_H

#include <stdio.h>
#include <string.h>

#include "tcpphase.h"

#define AGREE_MAX_FINDINGS 16

static void agree_differ(int *differences, const char *what, uint32_t which, const char *name)
{
    if (*differences < 20)
        fprintf(stderr, "%s: %s %u differs between the short route and the full path\n", name, what,
                which);
    (*differences)++;
}

static void agree_frame(const tp_engine *fast, const tp_engine *full, uint32_t f, const char *name,
                        int *differences)
{
    const tp_result *a = tp_engine_lookup(fast, f), *b = tp_engine_lookup(full, f);
    if (!a || !b || memcmp(a, b, sizeof *a) != 0) {
        agree_differ(differences, "the result of frame", f, name);
        return;
    }
    tp_result fa, fb;
    uint32_t by_a, by_b;
    a = tp_engine_final(fast, f, &fa, &by_a);
    b = tp_engine_final(full, f, &fb, &by_b);
    if (by_a != by_b || memcmp(a, b, sizeof *a) != 0)
        agree_differ(differences, "the second look at frame", f, name);

    static tp_finding xa[AGREE_MAX_FINDINGS], xb[AGREE_MAX_FINDINGS];
    size_t na = tp_engine_findings(fast, f, true, xa, AGREE_MAX_FINDINGS);
    size_t nb = tp_engine_findings(full, f, true, xb, AGREE_MAX_FINDINGS);
    bool same = na == nb;
    for (size_t i = 0; same && i < na; i++)
        same = xa[i].kind == xb[i].kind && xa[i].frame == xb[i].frame &&
               strcmp(xa[i].message, xb[i].message) == 0;
    if (!same)
        agree_differ(differences, "the findings of frame", f, name);

    char ta[512], tb[512];
    if (tp_engine_gaps(fast, f) != tp_engine_gaps(full, f) ||
        strcmp(tp_engine_not_delivered(fast, f, ta, sizeof ta),
               tp_engine_not_delivered(full, f, tb, sizeof tb)) != 0)
        agree_differ(differences, "the gaps or losses of frame", f, name);
}

/* One connection's summary, as it stands: a zero id compares nothing. */
static void agree_conn(const tp_engine *fast, const tp_engine *full, uint32_t id, const char *what,
                       const char *name, int *differences)
{
    tp_conn_summary a, b;
    memset(&a, 0, sizeof a); /* padding too, for memcmp */
    memset(&b, 0, sizeof b);
    if (id && (!tp_engine_conn(fast, id, &a) || !tp_engine_conn(full, id, &b) ||
               memcmp(&a, &b, sizeof a) != 0))
        agree_differ(differences, what, id, name);
}

static void agree_conns(const tp_engine *fast, const tp_engine *full, const char *name,
                        int *differences)
{
    uint32_t n = tp_engine_conn_count(fast);
    if (n != tp_engine_conn_count(full)) {
        agree_differ(differences, "the number of connections", n, name);
        return;
    }
    for (uint32_t id = 1; id <= n; id++)
        agree_conn(fast, full, id, "the summary of connection", name, differences);
    uint32_t scans = tp_engine_scan_count(fast);
    if (scans != tp_engine_scan_count(full))
        agree_differ(differences, "the number of scans", scans, name);
    for (uint32_t i = 0; i < scans; i++) {
        tp_scan_summary a, b;
        memset(&a, 0, sizeof a);
        memset(&b, 0, sizeof b);
        if (!tp_engine_scan(fast, i, &a) || !tp_engine_scan(full, i, &b) ||
            memcmp(&a, &b, sizeof a) != 0)
            agree_differ(differences, "scan", i, name);
    }
}

#endif
