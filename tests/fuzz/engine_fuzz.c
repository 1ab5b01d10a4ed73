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
 * The invariants checked on every answer are listed at the head of fuzz_checks.c; fuzz_run.h
 * holds the run, which those files share.
 *
 * TCPPHASE_FUZZ_TRACE=1 in the environment prints the capture in the syntax of
 * tests/engine/scenarios with the engine's answers (fuzz_trace.c): the way to read a reproducer.
 */
#include "fuzz_run.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* ---- decoding ---------------------------------------------------------------------------- */

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

/* ---- the records ------------------------------------------------------------------------ */

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
        trace_segment(&seg, fam, endpoints[s].name, endpoints[d].name, step);
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

/* ---- one input, one run ----------------------------------------------------------------- */

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
    current_run = r;

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
    current_run = NULL;
    return 0;
}
