/*
 * fuzz_checks: the invariants the engine_fuzz harness checks on the engine's answers; a
 * violation abort()s, so that libFuzzer keeps the input. engine_fuzz.c decodes the input into
 * segments and feeds each new one through feed_new(), then calls finish() at the end.
 *
 * The invariants, after every new segment unless said:
 *  - a valid segment gets a result; a rejected one (mixed families, address length not 4 or
 *    16, frame 0 or UINT32_MAX) gets NULL and leaves nothing behind;
 *  - every field in range (role, states, sender, 1 <= conn <= tp_engine_conn_count, phase),
 *    every tp_*_name non-NULL; the role fits the flags ("syn" has SYN, "data" payload...);
 *  - tp_engine_lookup and a second feed of the frame give the same bytes, then and at the end;
 *  - the segment's connection is its 4-tuple's latest, the one before (whose holder still
 *    answers for it, incarnation.c) or the next number (incarnation + 1); its sender's address
 *    and port are the segment's source; its states before are those its previous segment
 *    left, unless another incarnation of the 4-tuple had a segment in between (settling
 *    moves the states the two share);
 *  - findings: never more than asked, the first ones under a limit, messages NUL-terminated
 *    and non-empty, the immediate ones match the result's bits (and roles), complete = single
 *    pass + hindsight half-open items on SYNs;
 *  - the connection's summary: frames and bytes per side are what was fed to it, first and
 *    last frame and time, final states those after its last segment (same proviso), names
 *    in range;
 *  - at the end, a second engine fed the same segments answers the same to the byte.
 */
#include "fuzz_run.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

run *current_run;

void violation(const char *file, int line, const char *what, const char *fmt, ...)
{
    const char *base = strrchr(file, '/');
    fprintf(stderr, "\nengine_fuzz: invariant violated (%s:%d): %s\n  ", base ? base + 1 : file,
            line, what);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n  after frame %u; TCPPHASE_FUZZ_TRACE=1 prints the capture\n",
            current_run ? current_run->frame : 0);
    abort();
}

/* ---- invariants -------------------------------------------------------------------------- */

void check_names_once(void)
{
    static bool done;
    if (done)
        return;
    done = true;
    /* "Never NULL", for every value and a few that are not. */
    for (int i = -1; i <= 40; i++) {
        CHECK(tp_state_name((tp_state)i) && tp_role_name((tp_role)i) &&
                  tp_phase_name((tp_phase)i) && tp_dir_name((tp_dir)i) &&
                  tp_finding_name((tp_finding_kind)i) && tp_open_name((tp_open_style)i) &&
                  tp_close_name((tp_close_style)i),
              "a name is NULL for value %d", i);
    }
}

static void check_finding(const tp_finding *f, uint32_t frame)
{
    CHECK((unsigned)f->kind < TP_FIND_COUNT, "finding kind %d", (int)f->kind);
    CHECK(f->frame == frame, "finding of frame %u filed for frame %u", frame, f->frame);
    CHECK(memchr(f->message, '\0', sizeof f->message) != NULL, "message not NUL-terminated");
    CHECK(f->message[0] != '\0', "empty message, kind %s", tp_finding_name(f->kind));
}

static bool same_finding(const tp_finding *a, const tp_finding *b)
{
    return a->kind == b->kind && a->frame == b->frame && strcmp(a->message, b->message) == 0;
}

/* tcpphase.not_delivered: text exactly when the bit is set, naming only earlier frames; cut
 * and terminated in any buffer (sizes 0, 1 and a short one, so ASan sees any overrun). */
static void check_not_delivered(const run *r, uint32_t frame, const tp_result *res)
{
    char text[256];
    bool bit = (res->findings & (1u << TP_FIND_NOT_DELIVERED)) != 0;

    tp_engine_not_delivered(r->e, frame, text, sizeof text);
    CHECK(memchr(text, '\0', sizeof text) != NULL, "not_delivered not NUL-terminated");
    CHECK(!text[0] || bit, "not_delivered \"%s\" with the bit clear", text);
    if (bit && !text[0]) { /* only a deferred accept's SYN-ACK repeat: nothing was lost */
        tp_finding f[MAX_FINDINGS];
        size_t n = tp_engine_findings(r->e, frame, false, f, MAX_FINDINGS);
        bool accepted_late = false;
        for (size_t i = 0; i < n; i++)
            accepted_late |= f[i].kind == TP_FIND_NOT_DELIVERED &&
                             strncmp(f[i].message, "Not accepted", 12) == 0;
        CHECK(accepted_late, "not_delivered empty with the bit set and no 'Not accepted' finding");
    }
    for (const char *p = strstr(text, "frame "); p; p = strstr(p + 1, "frame "))
        CHECK(strtoul(p + 6, NULL, 10) < frame, "not_delivered names frame %s from frame %u", p + 6,
              frame);
    for (size_t size = 0; size < 3; size++) {
        char *small = malloc(size ? size * 8 : 1);
        tp_engine_not_delivered(r->e, frame, small, size * 8);
        if (size)
            CHECK(memchr(small, '\0', size * 8) != NULL, "cut not_delivered not terminated");
        free(small);
    }
}

/*
 * Findings: never more than asked; a limit keeps the first ones (immediate first); the
 * immediate ones are those the result's bits name; the complete list only adds hindsight
 * half-open items after them. Buffers have exactly the size asked, so ASan sees any overrun.
 */
static void check_findings(const run *r, const tp_segment *seg, const tp_result *res)
{
    uint32_t frame = seg->frame;
    tp_finding single[MAX_FINDINGS], full[MAX_FINDINGS];
    size_t n1 = tp_engine_findings(r->e, frame, false, single, MAX_FINDINGS);
    size_t n2 = tp_engine_findings(r->e, frame, true, full, MAX_FINDINGS);
    unsigned kinds = 0;

    CHECK(n1 <= MAX_FINDINGS && n2 <= MAX_FINDINGS, "%zu, %zu findings for %d asked", n1, n2,
          MAX_FINDINGS);
    for (size_t i = 0; i < n1; i++) {
        check_finding(&single[i], frame);
        kinds |= 1u << single[i].kind;
    }
    CHECK(n1 == MAX_FINDINGS ? (kinds & ~res->findings) == 0 : kinds == res->findings,
          "stored findings 0x%x, result's bits 0x%x", kinds, res->findings);
    CHECK(res->half_open_kind <= TP_HALF_OPEN_CHALLENGE_ACK, "half_open_kind %u",
          res->half_open_kind);
    CHECK(n2 >= n1, "complete: %zu findings, single pass: %zu", n2, n1);
    check_not_delivered(r, frame, res);
    for (size_t i = 0; i < n2; i++) {
        check_finding(&full[i], frame);
        if (i < n1) /* the same, or a capture gap the second look found out of order */
            CHECK(same_finding(&full[i], &single[i]) ||
                      (single[i].kind == TP_FIND_CAPTURE_GAP &&
                       full[i].kind == TP_FIND_OUT_OF_ORDER &&
                       tp_engine_gap_filled_by(r->e, frame) > frame),
                  "complete finding %zu differs: %s / %s", i, full[i].message, single[i].message);
        else /* a SYN never answered, a SYN-ACK never acknowledged, a scan's first attempt */
            CHECK(((full[i].kind == TP_FIND_HALF_OPEN || full[i].kind == TP_FIND_SYN_UNANSWERED) &&
                   (seg->flags & (TP_SYN | TP_RST)) == TP_SYN) ||
                      full[i].kind == TP_FIND_SCAN,
                  "hindsight finding of kind %s on flags 0x%02x: %s", tp_finding_name(full[i].kind),
                  seg->flags, full[i].message);
    }
    for (size_t max = 0; max < 3; max++) {
        for (int complete = 0; complete < 2; complete++) {
            const tp_finding *all = complete ? full : single;
            size_t nall = complete ? n2 : n1, want = nall < max ? nall : max;
            tp_finding *out = malloc(max ? max * sizeof *out : 1);
            size_t n = tp_engine_findings(r->e, frame, complete, out, max);
            CHECK(n == want, "%zu findings with max %zu (complete %d), want %zu", n, max, complete,
                  want);
            for (size_t i = 0; i < n; i++)
                CHECK(same_finding(&out[i], &all[i]), "finding %zu with max %zu differs", i, max);
            free(out);
        }
    }
}

static bool same_endpoint(const tp_addr *a, uint16_t pa, const tp_addr *b, uint16_t pb)
{
    return pa == pb && a->len == b->len && memcmp(a->bytes, b->bytes, a->len) == 0;
}

/* A connection's summary against what the answers said of it. */
static void check_conn(const run *r, uint32_t id)
{
    tp_conn_summary s;
    memset(&s, 0, sizeof s);
    CHECK(tp_engine_conn(r->e, id, &s), "no summary for connection %u of %u", id, r->nconns);
    const conn_track *t = &r->conns[id];
    const tp_result *last = &r->log[t->last_fed].res;

    CHECK(s.conn == id, "summary of %u says %u", id, s.conn);
    CHECK(s.incarnation == t->incarnation, "conn %u: incarnation %u, want %u", id, s.incarnation,
          t->incarnation);
    CHECK(s.first_frame <= s.last_frame, "conn %u: frames %u..%u", id, s.first_frame, s.last_frame);
    CHECK(s.first_frame == t->first_frame && s.last_frame == t->last_frame,
          "conn %u: frames %u..%u, its segments were %u..%u", id, s.first_frame, s.last_frame,
          t->first_frame, t->last_frame);
    CHECK(s.frames[0] == t->frames[0] && s.frames[1] == t->frames[1],
          "conn %u: %u+%u segments, %u+%u were fed to it", id, s.frames[0], s.frames[1],
          t->frames[0], t->frames[1]);
    CHECK(s.bytes[0] == t->bytes[0] && s.bytes[1] == t->bytes[1], "conn %u: payload bytes", id);
    CHECK(s.first_ns == t->first_ns && s.last_ns == t->last_ns && s.first_ns <= s.last_ns,
          "conn %u: times", id);
    CHECK((unsigned)s.open < TP_OPEN_COUNT && (unsigned)s.close < TP_CLOSE_COUNT,
          "conn %u: open %d close %d", id, (int)s.open, (int)s.close);
    /* The final states are those after its last segment, unless a segment of another
     * incarnation of its 4-tuple came since. */
    for (int d = 0; d < 2; d++)
        CHECK(*t->tuple_last != id || s.state[d] == last->after[d],
              "conn %u: final state %s, its last segment left %s", id, tp_state_name(s.state[d]),
              tp_state_name(last->after[d]));
    CHECK(memchr(s.zeek_state, '\0', sizeof s.zeek_state) &&
              memchr(s.history, '\0', sizeof s.history),
          "conn %u: Zeek strings not NUL-terminated", id);
}

/* What a role's name says of the segment: a "syn" carries SYN, "data" payload, an "ack" is a
 * bare ACK... RST outranks SYN, which outranks FIN; unknown and after-close say nothing. */
static bool role_fits(const tp_segment *seg, tp_role role)
{
    bool rst = seg->flags & TP_RST, syn = (seg->flags & TP_SYN) && !rst;
    bool fin = (seg->flags & TP_FIN) && !rst && !syn, ack = seg->flags & TP_ACK;
    bool plain_ack = ack && !rst && !syn && !fin;

    switch (role) {
    case TP_ROLE_SYN:
    case TP_ROLE_SYN_RETRANSMIT:
    case TP_ROLE_SIMULTANEOUS_SYN:
        return syn && !ack;
    case TP_ROLE_SYN_ACK:
    case TP_ROLE_SYN_ACK_RETRANSMIT:
    case TP_ROLE_SIMULTANEOUS_SYN_ACK:
        return syn && ack;
    case TP_ROLE_FIN_ACTIVE:
    case TP_ROLE_FIN_PASSIVE:
    case TP_ROLE_FIN_SIMULTANEOUS:
    case TP_ROLE_FIN_RETRANSMIT:
        return fin;
    case TP_ROLE_RST_REFUSED:
    case TP_ROLE_RST_INSTEAD_OF_FIN:
    case TP_ROLE_RST_AFTER_FIN:
    case TP_ROLE_RST_HALF_OPEN:
    case TP_ROLE_RST_OUT_OF_WINDOW:
        return rst;
    case TP_ROLE_DATA:
    case TP_ROLE_HALF_CLOSED_DATA:
        return plain_ack && seg->len > 0;
    case TP_ROLE_ACK:
        return plain_ack && seg->len == 0;
    case TP_ROLE_HANDSHAKE_ACK:
    case TP_ROLE_ACK_OF_FIN:
    case TP_ROLE_FINAL_ACK:
    case TP_ROLE_MID_STREAM:
        return plain_ack;
    default:
        return true;
    }
}

/* A result on its own: every field in range, and consistent with the segment. */
static void check_result(const run *r, const tp_segment *seg, const tp_result *res)
{
    uint32_t count = tp_engine_conn_count(r->e);
    CHECK(res->conn >= 1 && res->conn <= count, "conn %u of %u", res->conn, count);
    CHECK(res->role < TP_ROLE_COUNT, "role %u", res->role);
    CHECK(res->sender <= 1, "sender %u", res->sender);
    for (int d = 0; d < 2; d++)
        CHECK(res->before[d] < TP_STATE_COUNT && res->after[d] < TP_STATE_COUNT, "states %u -> %u",
              res->before[d], res->after[d]);
    CHECK((unsigned)tp_result_phase(res) < TP_PHASE_COUNT, "phase %d", (int)tp_result_phase(res));
    CHECK(role_fits(seg, res->role), "role %s for a segment with flags 0x%02x and %u bytes",
          tp_role_name(res->role), seg->flags, seg->len);
    /* The findings named after roles come with them; a TIME-WAIT reuse is a new SYN. */
    unsigned bits = res->findings, role = res->role;
    CHECK(!(bits & (1u << TP_FIND_HALF_CLOSED)) || role == TP_ROLE_HALF_CLOSED_DATA,
          "half_closed on a %s", tp_role_name(role));
    CHECK(!(bits & (1u << TP_FIND_RST_INSTEAD_OF_FIN)) == (role != TP_ROLE_RST_INSTEAD_OF_FIN),
          "rst_instead_of_fin finding and role %s", tp_role_name(role));
    CHECK(!(bits & (1u << TP_FIND_RST_AFTER_FIN)) == (role != TP_ROLE_RST_AFTER_FIN),
          "rst_after_fin finding and role %s", tp_role_name(role));
    CHECK(!(bits & (1u << TP_FIND_TIME_WAIT_REUSE)) ||
              (seg->flags & (TP_SYN | TP_ACK | TP_RST)) == TP_SYN,
          "time_wait_reuse on flags 0x%02x", seg->flags);

    tp_conn_summary s;
    memset(&s, 0, sizeof s);
    CHECK(tp_engine_conn(r->e, res->conn, &s), "no summary for conn %u", res->conn);
    CHECK(same_endpoint(&s.addr[res->sender], s.port[res->sender], &seg->src, seg->sport) &&
              same_endpoint(&s.addr[!res->sender], s.port[!res->sender], &seg->dst, seg->dport),
          "conn %u: the segment's sender is not its %s", res->conn, tp_dir_name(res->sender));
}

/* ---- feeding ----------------------------------------------------------------------------- */

/* Feeds a segment the engine has not seen and checks everything about the answer. */
void feed_new(run *r, const tp_segment *seg, unsigned fam, unsigned s, unsigned d)
{
    uint32_t count0 = tp_engine_conn_count(r->e);
    const tp_result *got = tp_engine_feed(r->e, seg);
    CHECK(got != NULL, "no result for a valid segment");
    tp_result res = *got; /* the pointer need not outlive the next feed */
    if (r->trace)
        trace_result(r, &res);
    check_result(r, seg, &res);

    const tp_result *look = tp_engine_lookup(r->e, seg->frame);
    CHECK(look && memcmp(look, &res, sizeof res) == 0, "look-up differs from the feed's answer");
    const tp_result *again = tp_engine_feed(r->e, seg);
    CHECK(again && memcmp(again, &res, sizeof res) == 0, "feeding the frame again changed it");

    /* The segment belongs to its 4-tuple's latest connection or the one before, or opens
     * the next one. */
    unsigned lo = s < d ? s : d, hi = s < d ? d : s;
    uint32_t *latest = &r->latest[fam][lo][hi], count = tp_engine_conn_count(r->e);
    uint32_t *last_stepped = &r->last_stepped[fam][lo][hi];
    if (res.conn == count0 + 1) {
        CHECK(count == count0 + 1, "new conn %u, but %u connections", res.conn, count);
        conn_track *t = &r->conns[res.conn];
        t->incarnation = *latest ? r->conns[*latest].incarnation + 1 : 1;
        t->first_frame = seg->frame;
        t->first_ns = seg->time_ns;
        t->previous = *latest;
        *latest = res.conn;
        r->nconns = count;
    } else {
        CHECK(count == count0, "%u connections after %u, but the segment went to conn %u", count,
              count0, res.conn);
        CHECK(*latest && (res.conn == *latest || res.conn == r->conns[*latest].previous),
              "a segment of conn %u's 4-tuple went to conn %u", *latest, res.conn);
        /* Only a segment of another incarnation of the 4-tuple, or segments the capture
         * missed that this one proves (evidence.c, flagged), move a connection's states
         * between its own segments. */
        const tp_result *prev = &r->log[r->conns[res.conn].last_fed].res;
        CHECK(*last_stepped != res.conn || res.proved || memcmp(res.before, prev->after, 2) == 0,
              "conn %u: before %s/%s, its previous segment left %s/%s", res.conn,
              tp_state_name(res.before[0]), tp_state_name(res.before[1]),
              tp_state_name(prev->after[0]), tp_state_name(prev->after[1]));
    }
    *last_stepped = res.conn;
    conn_track *t = &r->conns[res.conn];
    t->tuple_last = last_stepped;
    t->frames[res.sender]++;
    t->bytes[res.sender] += seg->len;
    t->last_frame = seg->frame;
    t->last_ns = seg->time_ns;
    t->last_fed = r->nlog;
    r->log[r->nlog++] = (fed){.seg = *seg, .res = res};

    check_findings(r, seg, &res);
    check_conn(r, res.conn);
}

/* ---- the end of the capture -------------------------------------------------------------- */

/* The second engine gets only the computed segments: it must answer the same to the byte. */
static void replay(const run *r)
{
    tp_engine *e2 = tp_engine_new(r->cfgp);
    for (size_t i = 0; i < r->nlog; i++) {
        const tp_result *got = tp_engine_feed(e2, &r->log[i].seg);
        CHECK(got && memcmp(got, &r->log[i].res, sizeof *got) == 0,
              "a second engine answers frame %u otherwise", r->log[i].seg.frame);
    }
    CHECK(tp_engine_conn_count(e2) == r->nconns, "a second engine counts %u connections, not %u",
          tp_engine_conn_count(e2), r->nconns);
    for (uint32_t id = 1; id <= r->nconns; id++) {
        tp_conn_summary a, b;
        memset(&a, 0, sizeof a);
        memset(&b, 0, sizeof b);
        tp_engine_conn(r->e, id, &a);
        tp_engine_conn(e2, id, &b);
        CHECK(memcmp(&a, &b, sizeof a) == 0, "a second engine summarizes conn %u otherwise", id);
    }
    for (size_t i = 0; i < r->nlog; i++) {
        for (int complete = 0; complete < 2; complete++) {
            tp_finding a[MAX_FINDINGS], b[MAX_FINDINGS];
            uint32_t frame = r->log[i].seg.frame;
            size_t na = tp_engine_findings(r->e, frame, complete, a, MAX_FINDINGS);
            size_t nb = tp_engine_findings(e2, frame, complete, b, MAX_FINDINGS);
            CHECK(na == nb, "frame %u: %zu findings, a second engine %zu", frame, na, nb);
            for (size_t k = 0; k < na; k++)
                CHECK(same_finding(&a[k], &b[k]), "frame %u: a second engine's finding differs",
                      frame);
        }
    }
    tp_engine_free(e2);
}

void finish(run *r)
{
    tp_conn_summary s;
    CHECK(tp_engine_conn_count(r->e) == r->nconns, "%u connections, %u seen",
          tp_engine_conn_count(r->e), r->nconns);
    CHECK(!tp_engine_conn(r->e, 0, &s) && !tp_engine_conn(r->e, r->nconns + 1, &s),
          "a summary for connection 0 or %u", r->nconns + 1);
    for (size_t i = 0; i < r->nlog; i++) {
        uint32_t frame = r->log[i].seg.frame;
        const tp_result *look = tp_engine_lookup(r->e, frame);
        CHECK(look && memcmp(look, &r->log[i].res, sizeof *look) == 0,
              "frame %u's stored result changed later", frame);
        check_findings(r, &r->log[i].seg, look);
        tp_finding f[MAX_FINDINGS];
        if (r->trace && tp_engine_findings(r->e, frame, true, f, MAX_FINDINGS) >
                            tp_engine_findings(r->e, frame, false, f, MAX_FINDINGS)) {
            fprintf(stderr, "# at the end, frame %u:", frame);
            trace_findings(r->e, frame, true);
            fprintf(stderr, "\n");
        }
    }
    for (uint32_t id = 1; id <= r->nconns; id++)
        check_conn(r, id);
    replay(r);
}
