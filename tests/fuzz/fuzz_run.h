/*
 * fuzz_run.h: what the files of the engine_fuzz harness share: the run (the capture decoded so
 * far, and what the harness knows of the engine's answers), the violation report, and the
 * functions each file offers the others.
 *
 *   engine_fuzz.c   the input's encoding, decoded into segments; LLVMFuzzerTestOneInput
 *   fuzz_checks.c   the invariants, checked on every answer and at the end of the capture
 *   fuzz_trace.c    TCPPHASE_FUZZ_TRACE: the capture in the scenario files' syntax
 */
#ifndef TCPPHASE_FUZZ_RUN_H
#define TCPPHASE_FUZZ_RUN_H

#include "tcpphase.h"

#define MAX_FINDINGS 8 /* more than a frame ever has */
#define NS_PER_MS    1000000LL

/* ---- the run ----------------------------------------------------------------------------- */

typedef struct fed {
    tp_segment seg;
    tp_result res; /* as first answered */
} fed;

/* What the harness knows of a connection from the answers it was given. */
typedef struct conn_track {
    uint32_t incarnation, previous, first_frame, last_frame, frames[2];
    const uint32_t *tuple_last; /* run.last_stepped of its 4-tuple */
    size_t last_fed;            /* index in run.log of its last segment */
    uint64_t bytes[2];
    int64_t first_ns, last_ns;
} conn_track;

typedef struct run {
    const uint8_t *p, *end;
    tp_config cfg;
    const tp_config *cfgp;
    tp_engine *e;
    fed *log; /* every segment the engine computed, in order */
    size_t nlog;
    conn_track *conns; /* index: connection number */
    uint32_t nconns;
    /* Per family and unordered endpoint pair: its latest connection, and the one whose
     * segment came last. */
    uint32_t latest[2][4][4], last_stepped[2][4][4];
    uint32_t next[2][4][4]; /* per family, sender and receiver: next sequence number */
    uint32_t window[2][4], ts_clock[2][4], last_tsval[2][4];
    bool ts_on[2][4];
    uint32_t frame; /* the last frame number used */
    int64_t start_ns, now_ns;
    bool trace;
} run;

extern run *current_run; /* for the violation report; set by LLVMFuzzerTestOneInput */

/* ---- invariants (fuzz_checks.c) ---------------------------------------------------------- */

/* Reports the violated invariant at file:line and abort()s, so that libFuzzer keeps the input. */
__attribute__((noreturn, format(printf, 4, 5))) void
violation(const char *file, int line, const char *what, const char *fmt, ...);

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond))                                                                               \
            violation(__FILE__, __LINE__, #cond, __VA_ARGS__);                                     \
    } while (0)

void check_names_once(void);
void feed_new(run *r, const tp_segment *seg, unsigned fam, unsigned s, unsigned d);
void finish(run *r);

/* ---- tracing (fuzz_trace.c) -------------------------------------------------------------- */

void trace_segment(const tp_segment *seg, unsigned fam, char sender, char receiver, int64_t step);
void trace_findings(const tp_engine *e, uint32_t frame, bool complete);
void trace_result(const run *r, const tp_result *res);

#endif
