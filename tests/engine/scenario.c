/*
 * Engine scenario runner: feeds the segments of a scenario file to the engine and checks each
 * expectation written beside them. One file per behaviour in tests/engine/scenarios/.
 *
 * A line is a segment, optionally followed by "->" and what the engine must answer:
 *
 *   a S 100 0 ts=5/0            -> syn SYN-SENT UNKNOWN
 *   b SA 500 101                -> syn-ack ESTABLISHED SYN-RECEIVED
 *   a FA 101 501 t=+200         -> fin-active FIN-WAIT-1 CLOSE-WAIT +half_closed :: text
 *
 * host: a (10.0.0.1:40000) and b (10.0.0.2:80) share one 4-tuple, c (10.0.0.3:40001) talks
 * to b as well ("bc": from b to c; a lone letter sends a->b, b->a, c->b); flags: letters S A F R P,
 * or "." for none; then seq and ack. Options: len=N, win=N, ws=N (window scale on a SYN),
 * ts=VAL/ECR, t=+MS (time advance, default 1 ms), cut (the options were cut by the snapshot
 * length), port=N (b's port instead of 80: a scan's ports). Expectations: role, client state,
 * server state
 * ("~" skips a field), then any of sender=client|server, conn=N, inc=N, phase=P, +finding
 * (immediate), +finding@end (only once the whole capture is read), +finding@pass1 (only on the
 * first pass: the second look replaces it), gap=TEXT (tcpphase.gap, "_"
 * for a space: gap=server_SYN-ACK), lost=TEXT (tcpphase.not_delivered, "_" for a space:
 * lost=client_final-ack,_frame_7), final=ROLE/CLIENT/SERVER@N (what the whole capture proves:
 * frame N corrected it; a frame without final= must have no correction), and after "::" a text some
 * finding's message must contain. A line "option time_wait=S" sets the TIME-WAIT period before the
 * first segment.
 *
 * Each scenario is also fed to an engine without the short route (tp_config full_path), and
 * every frame's answers and every connection's summary must be the same (agree.h).
 */
#include "agree.h"
#include "transitions.h" /* the transition tables, for --coverage */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TOKENS 32
#define MAX_LINES  512

typedef struct expectation {
    int line;
    uint32_t frame;
    char text[512];
} expectation;

static int failures;

static void fail(int line, const char *what, const char *want, const char *got)
{
    fprintf(stderr, "line %d: %s: want %s, got %s\n", line, what, want, got);
    failures++;
}

static int split(char *s, char **tok, int max)
{
    int n = 0;
    for (char *p = strtok(s, " \t\r\n"); p && n < max; p = strtok(NULL, " \t\r\n"))
        tok[n++] = p;
    return n;
}

static void host(char h, tp_addr *addr, uint16_t *port)
{
    static const struct {
        char name;
        uint8_t last;
        uint16_t port;
    } hosts[] = {{'a', 1, 40000}, {'b', 2, 80}, {'c', 3, 40001}};
    for (size_t i = 0; i < sizeof hosts / sizeof hosts[0]; i++) {
        if (hosts[i].name == h) {
            *addr = (tp_addr){.len = 4, .bytes = {10, 0, 0, hosts[i].last}};
            *port = hosts[i].port;
            return;
        }
    }
    fprintf(stderr, "unknown host %c\n", h);
    exit(2);
}

static uint8_t flags_of(const char *s)
{
    uint8_t f = 0;
    for (; *s; s++) {
        const char *letters = "FSRPAU", *p = strchr(letters, *s);
        if (p)
            f |= (uint8_t)(1u << (p - letters));
    }
    return f;
}

static void parse_option(tp_segment *seg, const char *opt, int64_t *now)
{
    if (!strncmp(opt, "len=", 4))
        seg->len = (uint32_t)strtoul(opt + 4, NULL, 10);
    else if (!strncmp(opt, "win=", 4))
        seg->window = (uint32_t)strtoul(opt + 4, NULL, 10);
    else if (!strncmp(opt, "ws=", 3))
        seg->wscale = (int8_t)atoi(opt + 3);
    else if (!strncmp(opt, "ts=", 3)) {
        seg->has_ts = true;
        seg->tsval = (uint32_t)strtoul(opt + 3, NULL, 10);
        const char *slash = strchr(opt, '/');
        seg->tsecr = slash ? (uint32_t)strtoul(slash + 1, NULL, 10) : 0;
    } else if (!strcmp(opt, "cut")) {
        seg->options_cut = true;
    } else if (!strncmp(opt, "port=", 5)) {
        uint16_t port = (uint16_t)strtoul(opt + 5, NULL, 10);
        if (seg->sport == 80)
            seg->sport = port;
        else
            seg->dport = port;
    } else if (!strncmp(opt, "t=+", 3)) {
        *now += (int64_t)(strtod(opt + 3, NULL) * 1e6) - 1000000;
    } else {
        fprintf(stderr, "unknown option %s\n", opt);
        exit(2);
    }
}

static bool parse_segment(char **tok, int n, uint32_t frame, int64_t *now, tp_segment *seg)
{
    if (n < 4)
        return false;
    memset(seg, 0, sizeof *seg);
    seg->frame = frame;
    seg->window = 65535;
    seg->wscale = -1;
    host(tok[0][0], &seg->src, &seg->sport);
    host(tok[0][1] ? tok[0][1] : tok[0][0] == 'b' ? 'a' : 'b', &seg->dst, &seg->dport);
    seg->flags = flags_of(tok[1]);
    seg->seq = (uint32_t)strtoul(tok[2], NULL, 10);
    seg->ack = (uint32_t)strtoul(tok[3], NULL, 10);
    *now += 1000000;
    for (int i = 4; i < n; i++)
        parse_option(seg, tok[i], now);
    seg->time_ns = *now;
    return true;
}

static void check_eq(int line, const char *what, const char *want, const char *got)
{
    if (strcmp(want, "~") && strcmp(want, got))
        fail(line, what, want, got);
}

static bool has_finding(const tp_finding *f, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(tp_finding_name(f[i].kind), name))
            return true;
    return false;
}

/* The second look: final=ROLE/CLIENT/SERVER@FRAME says a later frame corrects this one; a
 * frame without it must have no correction. */
static void check_final(const tp_engine *e, const expectation *x, char **tok, int n)
{
    tp_result buf;
    uint32_t by = 0;
    const tp_result *r = tp_engine_final(e, x->frame, &buf, &by);
    const char *want = NULL;
    char got[160];

    for (int i = 3; i < n; i++)
        if (!strncmp(tok[i], "final=", 6))
            want = tok[i] + 6;
    if (!r)
        return;
    snprintf(got, sizeof got, "%s/%s/%s@%u", tp_role_name(r->role),
             tp_state_name(r->after[TP_CLIENT]), tp_state_name(r->after[TP_SERVER]), by);
    if (want)
        check_eq(x->line, "final", want, got);
    else if (by)
        fail(x->line, "final", "no correction", got);
}

/* Checks one frame's expectations; complete says the whole capture has been read. */
static void check(const tp_engine *e, const expectation *x, bool complete)
{
    char text[512], *msg = strstr(strcpy(text, x->text), "::"), *tok[MAX_TOKENS];
    if (msg) {
        *msg = '\0';
        msg += 2;
        while (*msg == ' ')
            msg++;
        msg[strcspn(msg, "\r\n")] = '\0';
    }
    int n = split(text, tok, MAX_TOKENS);
    const tp_result *r = tp_engine_lookup(e, x->frame);
    if (!r) {
        fail(x->line, "result", "a result", "none");
        return;
    }
    tp_finding f[8];
    size_t nf = tp_engine_findings(e, x->frame, complete, f, 8), want_f = 0;
    char num[32];

    if (n > 0)
        check_eq(x->line, "role", tok[0], tp_role_name(r->role));
    if (n > 1)
        check_eq(x->line, "client state", tok[1], tp_state_name(r->after[TP_CLIENT]));
    if (n > 2)
        check_eq(x->line, "server state", tok[2], tp_state_name(r->after[TP_SERVER]));
    for (int i = 3; i < n; i++) {
        const char *t = tok[i], *at = strchr(t, '@');
        if (!strncmp(t, "sender=", 7)) {
            check_eq(x->line, "sender", t + 7, tp_dir_name(r->sender));
        } else if (!strncmp(t, "phase=", 6)) {
            check_eq(x->line, "phase", t + 6, tp_phase_name(tp_result_phase(r)));
        } else if (!strncmp(t, "conn=", 5)) {
            snprintf(num, sizeof num, "%u", r->conn);
            check_eq(x->line, "conn", t + 5, num);
        } else if (!strncmp(t, "inc=", 4)) {
            tp_conn_summary s;
            tp_engine_conn(e, r->conn, &s);
            snprintf(num, sizeof num, "%u", s.incarnation);
            check_eq(x->line, "incarnation", t + 4, num);
            /* The glue's shortcut must say the same as the summary. */
            snprintf(num, sizeof num, "%u", tp_engine_incarnation(e, r->conn));
            check_eq(x->line, "tp_engine_incarnation", t + 4, num);
        } else if (!strncmp(t, "gap=", 4)) {
            char want[128], got[128];
            snprintf(want, sizeof want, "%s", t + 4);
            for (char *p = want; *p; p++)
                *p = *p == '_' ? ' ' : *p;
            check_eq(x->line, "gap", want,
                     tp_gaps_text(tp_engine_gaps(e, x->frame), got, sizeof got));
        } else if (!strncmp(t, "lost=", 5)) {
            char want[256], got[256];
            snprintf(want, sizeof want, "%s", t + 5);
            for (char *p = want; *p; p++)
                *p = *p == '_' ? ' ' : *p;
            check_eq(x->line, "not_delivered", want,
                     tp_engine_not_delivered(e, x->frame, got, sizeof got));
        } else if (!strncmp(t, "final=", 6)) {
            continue; /* checked below, once the whole capture is read */
        } else if (t[0] == '+') {
            char name[64];
            snprintf(name, sizeof name, "%.*s", (int)(at ? at - t - 1 : (long)strlen(t) - 1),
                     t + 1);
            bool at_end = at && !strcmp(at, "@end"), first_only = at && !strcmp(at, "@pass1");
            if ((at_end && !complete) || (first_only && complete))
                continue; /* @end: once the whole capture is read; @pass1: first pass only */
            want_f++;
            if (!has_finding(f, nf, name))
                fail(x->line, "finding", name, nf ? tp_finding_name(f[0].kind) : "none");
        } else {
            fail(x->line, "expectation", "a known token", t);
        }
    }
    if (complete)
        check_final(e, x, tok, n);
    /* Wireshark cuts expert texts at about 240 characters: keep every message well under. */
    for (size_t i = 0; i < nf; i++)
        if (strlen(f[i].message) >= 200)
            fail(x->line, "message length", "under 200 characters", f[i].message);
    if (nf != want_f) {
        snprintf(num, sizeof num, "%zu", want_f);
        fail(x->line, complete ? "findings (complete)" : "findings (single pass)", num,
             nf ? f[0].message : "none");
    }
    if (msg && *msg) {
        bool found = false;
        for (size_t i = 0; i < nf; i++)
            found |= strstr(f[i].message, msg) != NULL;
        if (!found && (complete || !strstr(x->text, "@end")))
            fail(x->line, "message", msg, nf ? f[0].message : "no finding");
    }
}

/* Which transition table cells the scenarios applied: [0] sender, [1] receiver. */
static bool used[2][TP_EV_COUNT][TP_STATE_COUNT];

static void mark_cells(const tp_result *r)
{
    tp_dir dir = r->sender ? TP_SERVER : TP_CLIENT;
    used[0][r->event][r->before[dir]] = true;
    used[1][r->event][r->before[TP_PEER(dir)]] = true;
}

/* Every cell with a reason must be applied by some scenario, or it is a rule no test shows. */
static int report_coverage(void)
{
    int missing = 0, total = 0;
    for (int t = 0; t < 2; t++) {
        for (int ev = 0; ev < TP_EV_COUNT; ev++) {
            for (int st = 0; st < TP_STATE_COUNT; st++) {
                const tp_cell *c = t ? tp_recv_cell(ev, st) : tp_send_cell(ev, st);
                if (!c)
                    continue;
                total++;
                if (!used[t][ev][st]) {
                    missing++;
                    printf("not exercised: %s table, %s in %s (%s)\n", t ? "receive" : "send",
                           tp_event_name(ev), tp_state_name(st), c->why);
                }
            }
        }
    }
    printf("%d of %d transition cells exercised\n", total - missing, total);
    return missing;
}

/* Feeds one scenario file and checks its expectations. Returns 2 on a malformed file. */
static int run_file(const char *path)
{
    FILE *in = fopen(path, "r");
    if (!in) {
        perror(path);
        return 2;
    }
    static expectation x[MAX_LINES];
    static char line[1024];
    tp_config cfg = {.time_wait_s = 60};
    tp_engine *e = NULL, *full = NULL; /* full: every stage for every segment (agree.h) */
    size_t nx = 0;
    uint32_t frame = 0;
    int64_t now = 1000000000000LL;
    int before = failures;

    for (int ln = 1; fgets(line, sizeof line, in); ln++) {
        char *arrow = strstr(line, "->"), *tok[MAX_TOKENS];
        if (line[0] == '#' || strspn(line, " \t\r\n") == strlen(line))
            continue;
        if (!strncmp(line, "option time_wait=", 17)) {
            cfg.time_wait_s = strtod(line + 17, NULL);
            continue;
        }
        if (!e) {
            e = tp_engine_new(&cfg);
            full = tp_engine_new(&(tp_config){.time_wait_s = cfg.time_wait_s, .full_path = true});
        }
        if (arrow && nx < MAX_LINES) {
            x[nx] = (expectation){.line = ln, .frame = frame + 1};
            snprintf(x[nx].text, sizeof x[nx].text, "%s", arrow + 2);
            nx++;
            *arrow = '\0';
        }
        tp_segment seg;
        if (!parse_segment(tok, split(line, tok, MAX_TOKENS), ++frame, &now, &seg)) {
            fprintf(stderr, "%s line %d: not a segment\n", path, ln);
            fclose(in);
            tp_engine_free(e);
            tp_engine_free(full);
            return 2;
        }
        const tp_result *r = tp_engine_feed(e, &seg);
        if (!r || tp_engine_feed(e, &seg) != r)
            fail(ln, "feed", "one stored result per frame", "another");
        else
            mark_cells(r);
        tp_engine_feed(full, &seg);
    }
    fclose(in);
    /* The short route answers as every stage would, at every frame (fastpath.c). */
    for (uint32_t f = 1; f <= frame; f++)
        agree_frame(e, full, f, path, &failures);
    agree_conns(e, full, path, &failures);
    for (size_t i = 0; i < nx; i++) {
        check(e, &x[i], false); /* single pass: no hindsight */
        check(e, &x[i], true);  /* the whole capture read */
    }
    /* No such connection: incarnation 0. */
    if (tp_engine_incarnation(e, 0) || tp_engine_incarnation(e, tp_engine_conn_count(e) + 1) ||
        tp_engine_incarnation(NULL, 1))
        fail(0, "tp_engine_incarnation", "0 for an unknown connection", "another");
    tp_engine_free(e);
    tp_engine_free(full);
    printf("%s: %zu frames checked, %d failure%s\n", path, nx, failures - before,
           failures - before == 1 ? "" : "s");
    return 0;
}

/* scenario FILE: checks one scenario. scenario --coverage FILE...: checks them all and that
 * together they apply every cell of the transition tables. */
int main(int argc, char **argv)
{
    bool coverage = argc > 1 && !strcmp(argv[1], "--coverage");
    int first = coverage ? 2 : 1;
    if (argc <= first || (!coverage && argc != 2)) {
        fprintf(stderr, "usage: %s SCENARIO | --coverage SCENARIO...\n", argv[0]);
        return 2;
    }
    for (int i = first; i < argc; i++)
        if (run_file(argv[i]) == 2)
            return 2;
    if (coverage)
        failures += report_coverage();
    return failures ? 1 : 0;
}
