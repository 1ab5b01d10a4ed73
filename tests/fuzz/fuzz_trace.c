/*
 * fuzz_trace: with TCPPHASE_FUZZ_TRACE=1 in the environment, the engine_fuzz harness prints the
 * capture in the syntax of tests/engine/scenarios with the engine's answers: the way to read a
 * reproducer.
 */
#include "fuzz_run.h"

#include <stdio.h>

/* The segment as a scenario line, without its newline: the answer follows (trace_result()). */
void trace_segment(const tp_segment *seg, unsigned fam, char sender, char receiver, int64_t step)
{
    static const struct {
        uint8_t bit;
        char letter;
    } letters[] = {{TP_SYN, 'S'}, {TP_FIN, 'F'}, {TP_RST, 'R'},
                   {TP_PSH, 'P'}, {TP_ACK, 'A'}, {TP_URG, 'U'}};
    char flags[8] = "", *f = flags;
    for (size_t i = 0; i < sizeof letters / sizeof letters[0]; i++)
        if (seg->flags & letters[i].bit)
            *f++ = letters[i].letter;
    if (f == flags)
        *f++ = '.';
    *f = '\0';
    if (fam)
        fprintf(stderr, "# frame %u is IPv6:\n", seg->frame);
    fprintf(stderr, "%c%c %s %u %u", sender, receiver, flags, seg->seq, seg->ack);
    if (seg->len)
        fprintf(stderr, " len=%u", seg->len);
    if (seg->window != 65535)
        fprintf(stderr, " win=%u", seg->window);
    if (seg->wscale != -1)
        fprintf(stderr, " ws=%d", seg->wscale);
    if (seg->has_ts)
        fprintf(stderr, " ts=%u/%u", seg->tsval, seg->tsecr);
    if (step != NS_PER_MS)
        fprintf(stderr, " t=+%.10g", (double)step / NS_PER_MS);
}

/* The immediate findings, or with complete only the hindsight ones ("@end"). */
void trace_findings(const tp_engine *e, uint32_t frame, bool complete)
{
    tp_finding f[MAX_FINDINGS];
    size_t skip = complete ? tp_engine_findings(e, frame, false, f, MAX_FINDINGS) : 0;
    size_t n = tp_engine_findings(e, frame, complete, f, MAX_FINDINGS);
    for (size_t i = skip; i < n; i++)
        fprintf(stderr, " +%s%s", tp_finding_name(f[i].kind), complete ? "@end" : "");
}

/* The engine's answer to the segment traced last, ending its line. */
void trace_result(const run *r, const tp_result *res)
{
    fprintf(stderr, " -> %s %s %s sender=%s conn=%u phase=%s", tp_role_name(res->role),
            tp_state_name(res->after[TP_CLIENT]), tp_state_name(res->after[TP_SERVER]),
            tp_dir_name(res->sender), res->conn, tp_phase_name(tp_result_phase(res)));
    trace_findings(r->e, r->frame, false);
    fprintf(stderr, "\n");
}
