/*
 * engine_fuzz: the libFuzzer harness of the tcpphase engine (issue "Reliability").
 *
 * The input is decoded into a capture, TCP segments among a few endpoints in capture order,
 * and fed to a fresh engine. After every feed the harness checks what tcpphase.h promises and
 * what it can model on its own (which connection a segment may belong to, per-connection
 * counts), and abort()s on a violation so that libFuzzer keeps the input. At the end the
 * capture is fed again to a second engine, which must answer the same to the byte: re-feeds,
 * look-ups and rejected segments may change nothing, and nothing may depend on memory that
 * happens to be there.
 *
 * Encoding (tests/fuzz/make_corpus.py writes it from readable descriptions):
 *
 *   header  h:  bits 0-2 configuration (configs[]), bits 3-4 ISN style (first_isn()),
 *               bit 5 every endpoint starts with the timestamps option on,
 *               bit 6 tp_config.zeek_sessions (connections also start where Zeek's would)
 *   record  b0: bits 0-1 sender, bits 2-3 receiver (endpoints[]), bit 4 IPv6,
 *               bit 5 four option bytes follow, bits 6-7 kind:
 *     0, 1  a segment:   b1 b2 b3 b4 [o0 o1 o2 o3]
 *     2     a segment from a new ISN: the sender's next sequence number jumps by
 *           (int8)b2 << 20 first, and the segment is sent from there
 *     3     an operation that is not a new segment: b1 (enum special) b2 (its argument)
 *
 *   b1  bits 0-5 the TCP flags as on the wire, bits 6-7 how b2 places seq (make_seq())
 *   b2  seq offset (int8) from the sender's next sequence number
 *   b3  ack offset (int8) from the receiver's next sequence number; without ACK, 0 sends 0
 *   b4  bits 0-3 payload length (lengths[]), bits 4-7 time since the previous segment (steps_ms[])
 *   o0  window o0 * 257, kept for the sender's later segments
 *   o1  window scale: 0-0x7f: its low 4 bits (0-15, 15 beyond RFC 7323's 14);
 *       0x80-0xef: absent (-1); 0xf0-0xff: the negative byte itself
 *   o2  the sender's timestamp clock jumps by (int8)o2 << (2 * (o3 >> 4)) (wraps, goes back)
 *   o3  bit 0 toggles the sender's timestamps option, bit 1 sends TSecr 0
 *
 * Sequence numbers are kept per direction of each endpoint pair: "next" is where the sender's
 * next in-order byte goes, so offset 0 is in order and a conversation of zero offsets is a
 * well-formed connection; small offsets make retransmissions, gaps and bad ACKs. The ISN styles
 * put the numbers just below 2^32 or 2^31 so that they wrap. Frame numbers go up by one per
 * segment (a special can skip some, like non-TCP frames); time never goes back.
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
 *
 * TCPPHASE_FUZZ_TRACE=1 in the environment prints the capture in the syntax of
 * tests/engine/scenarios with the engine's answers: the way to read a reproducer.
 */
#include "tcpphase.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FINDINGS 8 /* more than a frame ever has */
#define NS_PER_MS    1000000LL

/* ---- decoding tables --------------------------------------------------------------------- */

/* The TIME-WAIT periods the engine runs with; NULL config and negative take its default. */
static const struct {
    bool null;
    double time_wait_s;
} configs[8] = {{false, 60}, {true, 0},    {false, 0},  {false, 1},
                {false, 30}, {false, 240}, {false, -1}, {false, INFINITY}};

/* Per family, four endpoints: a, b and c are those of the scenario files (a and c are clients
 * of b); d shares b's address and a's port, so a<->d has equal ports and d->b one host. The
 * IPv6 addresses begin with the IPv4 ones' bytes: only the address length tells them apart. */
static const struct {
    char name;
    uint8_t last;
    uint16_t port;
} endpoints[4] = {{'a', 1, 40000}, {'b', 2, 80}, {'c', 3, 40001}, {'d', 2, 40000}};

static const uint32_t lengths[16] = {
    0, 0, 0, 0, 1, 1, 10, 100, 536, 1448, 1460, 9000, 65535, 0x7fffffff, 0x80000000, 0xffffffff};

/* Time since the previous segment, ms; around 60 s on purpose: Linux's TIME-WAIT, and the
 * engine's default period. */
static const double steps_ms[16] = {0,    0.001, 0.1,   1,     1,     10,    200,    1000,
                                    3000, 30000, 59999, 60000, 60001, 61000, 241000, 7200000};

enum special {
    REFEED_LAST,      /* the last computed frame again, as it was */
    REFEED_EARLIER,   /* an earlier frame (arg picks it) again, as it was */
    REFEED_CHANGED,   /* an earlier frame's number with other contents: still its stored answer */
    INVALID_MIXED,    /* IPv4 to IPv6: no TCP segment; takes a frame number */
    INVALID_ADDR_LEN, /* an address length other than 4 or 16; takes a frame number */
    INVALID_FRAME,    /* frame 0 or UINT32_MAX */
    LOOKUP_UNFED,     /* look-ups of frames and connections that do not exist */
    FRAME_GAP,        /* (arg & 15) + 1 frames that are not TCP */
};

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

static run *current; /* for the violation report */

static void violation(int line, const char *what, const char *fmt, ...)
{
    fprintf(stderr, "\nengine_fuzz: invariant violated (engine_fuzz.c:%d): %s\n  ", line, what);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n  after frame %u; TCPPHASE_FUZZ_TRACE=1 prints the capture\n",
            current ? current->frame : 0);
    abort();
}

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond))                                                                               \
            violation(__LINE__, #cond, __VA_ARGS__);                                               \
    } while (0)

static uint8_t take(run *r)
{
    return r->p < r->end ? *r->p++ : 0;
}

static uint32_t offset(uint8_t b)
{
    return (uint32_t)(int32_t)(int8_t)b; /* two's complement: adding it subtracts for b >= 0x80 */
}

static bool seq_lt(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) < 0;
}

static uint32_t first_isn(unsigned style, unsigned fam, unsigned s, unsigned d)
{
    uint32_t k = fam * 16 + s * 4 + d;
    switch (style) {
    case 0:
        return 1000 * (k + 1); /* small, readable */
    case 1:
        return 0xfffffff0u - 64 * k; /* wraps past 2^32 within a few segments */
    case 2:
        return 0x7ffffff0u - 64 * k; /* crosses 2^31, where signed comparison flips */
    default:
        return (k + 1) * 0x9e3779b9u; /* scattered over the whole space */
    }
}

static void set_endpoint(tp_addr *a, uint16_t *port, unsigned fam, unsigned i)
{
    memset(a, 0, sizeof *a);
    a->len = fam ? 16 : 4;
    a->bytes[0] = 10;
    a->bytes[3] = endpoints[i].last;
    *port = endpoints[i].port;
}

static void base_segment(run *r, tp_segment *seg, unsigned fam, unsigned s, unsigned d)
{
    memset(seg, 0, sizeof *seg);
    set_endpoint(&seg->src, &seg->sport, fam, s);
    set_endpoint(&seg->dst, &seg->dport, fam, d);
    seg->time_ns = r->now_ns;
    seg->window = 65535;
    seg->wscale = -1;
    seg->flags = TP_ACK;
}

/* ---- tracing: the capture in the scenario files' syntax ---------------------------------- */

static void trace_segment(const tp_segment *seg, unsigned fam, unsigned s, unsigned d, int64_t step)
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
    fprintf(stderr, "%c%c %s %u %u", endpoints[s].name, endpoints[d].name, flags, seg->seq,
            seg->ack);
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
static void trace_findings(const tp_engine *e, uint32_t frame, bool complete)
{
    tp_finding f[MAX_FINDINGS];
    size_t skip = complete ? tp_engine_findings(e, frame, false, f, MAX_FINDINGS) : 0;
    size_t n = tp_engine_findings(e, frame, complete, f, MAX_FINDINGS);
    for (size_t i = skip; i < n; i++)
        fprintf(stderr, " +%s%s", tp_finding_name(f[i].kind), complete ? "@end" : "");
}

static void trace_result(const run *r, const tp_result *res)
{
    fprintf(stderr, " -> %s %s %s sender=%s conn=%u phase=%s", tp_role_name(res->role),
            tp_state_name(res->after[TP_CLIENT]), tp_state_name(res->after[TP_SERVER]),
            tp_dir_name(res->sender), res->conn, tp_phase_name(tp_result_phase(res)));
    trace_findings(r->e, r->frame, false);
    fprintf(stderr, "\n");
}

/* ---- invariants -------------------------------------------------------------------------- */

static void check_names_once(void)
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
    for (size_t i = 0; i < n2; i++) {
        check_finding(&full[i], frame);
        if (i < n1)
            CHECK(same_finding(&full[i], &single[i]), "complete finding %zu differs: %s / %s", i,
                  full[i].message, single[i].message);
        else /* a SYN never answered, a SYN-ACK never acknowledged */
            CHECK(full[i].kind == TP_FIND_HALF_OPEN && (seg->flags & (TP_SYN | TP_RST)) == TP_SYN,
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
static void feed_new(run *r, const tp_segment *seg, unsigned fam, unsigned s, unsigned d)
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
        /* Only a segment of another incarnation of the 4-tuple moves a connection's states
         * between its own segments. */
        const tp_result *prev = &r->log[r->conns[res.conn].last_fed].res;
        CHECK(*last_stepped != res.conn || memcmp(res.before, prev->after, 2) == 0,
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

static uint32_t make_seq(uint8_t mode, uint32_t next, uint8_t b)
{
    switch (mode) {
    case 0:
        return next + offset(b);
    case 1:
        return next + offset(b) * 1024u; /* around the edges of unscaled windows */
    case 2:
        return next + offset(b) * (1u << 24); /* far: half the sequence space either way */
    default:
        return offset(b); /* near zero, whatever the connection used */
    }
}

static void segment(run *r, uint8_t b0, bool new_isn)
{
    unsigned fam = (b0 >> 4) & 1, s = b0 & 3, d = (b0 >> 2) & 3;
    uint8_t b1 = take(r), b2 = take(r), b3 = take(r), b4 = take(r);
    uint32_t *next = &r->next[fam][s][d], peer_next = r->next[fam][d][s];
    tp_segment seg;

    if (new_isn) {
        *next += offset(b2) << 20;
        b2 = 0;
    }
    int64_t step = (int64_t)(steps_ms[b4 >> 4] * NS_PER_MS + 0.5);
    r->now_ns += step;
    base_segment(r, &seg, fam, s, d);
    seg.frame = ++r->frame;
    seg.flags = b1 & 0x3f;
    seg.seq = make_seq(b1 >> 6, *next, b2);
    seg.ack = ((seg.flags & TP_ACK) || b3) ? peer_next + offset(b3) : 0;
    seg.len = lengths[b4 & 15];
    bool tsecr_zero = false;
    if (b0 & 0x20) {
        uint8_t o0 = take(r), o1 = take(r), o2 = take(r), o3 = take(r);
        r->window[fam][s] = o0 * 257u;
        seg.wscale = o1 < 0x80 ? (int8_t)(o1 & 15) : o1 >= 0xf0 ? (int8_t)o1 : -1;
        r->ts_clock[fam][s] += offset(o2) << (2 * (o3 >> 4));
        r->ts_on[fam][s] ^= o3 & 1;
        tsecr_zero = o3 & 2;
    }
    seg.window = r->window[fam][s];
    if (r->ts_on[fam][s]) {
        seg.has_ts = true;
        seg.tsval = r->ts_clock[fam][s] + (uint32_t)((r->now_ns - r->start_ns) / NS_PER_MS);
        seg.tsecr = tsecr_zero ? 0 : r->last_tsval[fam][d];
        r->last_tsval[fam][s] = seg.tsval;
    }
    if (!(seg.flags & TP_RST)) {
        /* The engine's snd_nxt: a RST's number is not data sent. */
        uint32_t end = seg.seq + seg.len + !!(seg.flags & TP_SYN) + !!(seg.flags & TP_FIN);
        if (seq_lt(*next, end))
            *next = end;
    }
    if (r->trace)
        trace_segment(&seg, fam, s, d, step);
    feed_new(r, &seg, fam, s, d);
}

static void expect_rejected(run *r, const tp_segment *seg, const char *why)
{
    if (r->trace)
        fprintf(stderr, "# frame %u: %s, rejected\n", seg->frame, why);
    uint32_t count = tp_engine_conn_count(r->e);
    CHECK(tp_engine_feed(r->e, seg) == NULL, "a result for %s", why);
    CHECK(tp_engine_lookup(r->e, seg->frame) == NULL, "a stored result for %s", why);
    CHECK(tp_engine_conn_count(r->e) == count, "a connection for %s", why);
}

static void special(run *r, uint8_t b0, uint8_t op, uint8_t arg)
{
    tp_segment seg;
    base_segment(r, &seg, 0, b0 & 3, (b0 >> 2) & 3);

    switch ((enum special)(op & 7)) {
    case REFEED_LAST:
    case REFEED_EARLIER:
    case REFEED_CHANGED: {
        if (!r->nlog)
            return;
        const fed *f = &r->log[(op & 7) == REFEED_LAST ? r->nlog - 1 : arg % r->nlog];
        uint32_t count = tp_engine_conn_count(r->e);
        seg = f->seg;
        if ((op & 7) == REFEED_CHANGED) {
            seg.flags ^= (b0 & 0x3f) | TP_SYN;
            seg.seq += arg + 1u;
            seg.len ^= 1;
            seg.time_ns = r->now_ns;
        }
        if (r->trace)
            fprintf(stderr, "# refeed of frame %u%s\n", seg.frame,
                    (op & 7) == REFEED_CHANGED ? " with other contents" : "");
        const tp_result *got = tp_engine_feed(r->e, &seg);
        CHECK(got && memcmp(got, &f->res, sizeof f->res) == 0,
              "frame %u fed again: not its stored result", seg.frame);
        CHECK(tp_engine_conn_count(r->e) == count, "frame %u fed again opened a connection",
              seg.frame);
        return;
    }
    case INVALID_MIXED:
        set_endpoint(&seg.dst, &seg.dport, 1, (b0 >> 2) & 3);
        seg.frame = ++r->frame;
        expect_rejected(r, &seg, "IPv4 to IPv6");
        return;
    case INVALID_ADDR_LEN:
        seg.src.len = seg.dst.len = (arg % 17 == 4 || arg % 17 == 16) ? 0 : arg % 17;
        seg.frame = ++r->frame;
        expect_rejected(r, &seg, "an address length not 4 or 16");
        return;
    case INVALID_FRAME:
        seg.frame = (arg & 1) ? UINT32_MAX : 0;
        expect_rejected(r, &seg, "frame number 0 or UINT32_MAX");
        return;
    case LOOKUP_UNFED: {
        tp_finding f;
        tp_conn_summary s;
        uint32_t count = tp_engine_conn_count(r->e);
        CHECK(!tp_engine_lookup(r->e, 0) && !tp_engine_lookup(r->e, r->frame + 1) &&
                  !tp_engine_lookup(r->e, UINT32_MAX),
              "a result for a frame never fed");
        CHECK(tp_engine_findings(r->e, r->frame + 1, true, &f, 1) == 0,
              "findings for a frame never fed");
        CHECK(!tp_engine_conn(r->e, 0, &s) && !tp_engine_conn(r->e, count + 1, &s),
              "a summary for connection 0 or %u of %u", count + 1, count);
        return;
    }
    case FRAME_GAP:
        r->frame += (arg & 15) + 1u;
        if (r->trace)
            fprintf(stderr, "# %u frames that are not TCP\n", (arg & 15) + 1u);
        return;
    }
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

static void finish(run *r)
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    check_names_once();

    run *r = calloc(1, sizeof *r);
    r->p = data;
    r->end = data + size;
    r->trace = getenv("TCPPHASE_FUZZ_TRACE") != NULL;
    /* Every record takes at least one byte (the input may end inside it) and computes at most
     * one segment, which opens at most one connection. */
    r->log = calloc(size, sizeof *r->log);
    r->conns = calloc(size + 1, sizeof *r->conns);
    current = r;

    uint8_t h = take(r);
    r->cfg.time_wait_s = configs[h & 7].time_wait_s;
    r->cfg.zeek_sessions = h & 0x40;
    r->cfgp = configs[h & 7].null ? NULL : &r->cfg;
    for (unsigned fam = 0; fam < 2; fam++) {
        for (unsigned s = 0; s < 4; s++) {
            for (unsigned d = 0; d < 4; d++)
                r->next[fam][s][d] = first_isn((h >> 3) & 3, fam, s, d);
            r->window[fam][s] = 65535;
            r->ts_clock[fam][s] = 100000 * (fam * 4 + s + 1);
            r->ts_on[fam][s] = h & 0x20;
        }
    }
    r->start_ns = r->now_ns = 1700000000LL * 1000000000LL; /* November 2023 */
    r->e = tp_engine_new(r->cfgp);
    if (r->trace)
        fprintf(stderr, "# config: time_wait_s=%g zeek_sessions=%d%s\n", r->cfg.time_wait_s,
                r->cfg.zeek_sessions, r->cfgp ? "" : " (NULL: the defaults)");

    while (r->p < r->end) {
        uint8_t b0 = take(r);
        if ((b0 >> 6) == 3) {
            uint8_t op = take(r);
            special(r, b0, op, take(r));
        } else {
            segment(r, b0, (b0 >> 6) == 2);
        }
    }
    finish(r);

    tp_engine_free(r->e);
    free(r->log);
    free(r->conns);
    free(r);
    current = NULL;
    return 0;
}
