/*
 * Rare facts survive the connection record's overflow: the engine keeps the low bits of counts,
 * one TIME-WAIT time and the first SYN's frame in the record and spills the rest to side
 * records (side.c). Real captures seldom reach those paths, so this test drives each one
 * through the public API with hand-built segments and checks the visible results against
 * values computed from what it fed.
 *
 * Where a spilled fact is visible:
 *  - frame and byte counts, TIME-WAIT flags, incarnation: the connection summary;
 *  - bytes sent after the peer's FIN: only in the data-loss RST (rst_after_fin) message;
 *  - the SYN count and the first SYN's frame: only in the hindsight "SYN never answered"
 *    finding (its count, and the frame it is put on);
 *  - TIME-WAIT entry times: only in the TIME-WAIT reuse finding (whether it appears, its
 *    holders and its elapsed time);
 *  - the previous incarnation's id: which connection the old holder's answer is given to.
 *
 * Nothing dropped, but the first SYN after the first frame (case 5) is reachable only with
 * Zeek's session boundaries: by RFC 9293's, a client SYN on a 4-tuple whose first frame was not
 * that client's SYN always opens a new incarnation (incarnation.c, starts_incarnation).
 */
#include "tcpphase.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define MS   INT64_C(1000000)
#define S    INT64_C(1000000000)
#define T0   (INT64_C(1700000000) * S) /* a plausible capture start */
#define CISN 100u                      /* the client's and the server's first ISN */
#define SISN 500u

static int failures;

static void check_u64(int line, const char *what, uint64_t want, uint64_t got)
{
    if (want != got) {
        fprintf(stderr, "line %d: %s: want %" PRIu64 ", got %" PRIu64 "\n", line, what, want, got);
        failures++;
    }
}

#define EQ(what, want, got) check_u64(__LINE__, what, (uint64_t)(want), (uint64_t)(got))

/* One 4-tuple fed in capture order: the client and the server, IPv4 or IPv6. */
typedef struct flow {
    tp_engine *e;
    tp_addr addr[2];
    uint16_t port[2];
    uint32_t frame; /* the last frame fed */
    int64_t now;    /* the next segment's capture time */
} flow;

static flow flow_new(bool v6, bool zeek)
{
    tp_config cfg = {.time_wait_s = 60.0, .zeek_sessions = zeek};
    flow f = {.e = tp_engine_new(&cfg), .port = {40000, 80}, .now = T0};
    for (int d = 0; d < 2; d++) {
        f.addr[d].len = v6 ? 16 : 4;
        f.addr[d].bytes[0] = v6 ? 0x20 : 10;
        f.addr[d].bytes[f.addr[d].len - 1] = (uint8_t)(d + 1);
    }
    return f;
}

/* Feeds the next frame from one side and returns a copy of its result (zero if refused). */
static tp_result feed(flow *f, tp_dir from, uint8_t flags, uint32_t seq, uint32_t ack, uint32_t len)
{
    tp_segment s = {.frame = ++f->frame,
                    .time_ns = f->now,
                    .flags = flags,
                    .seq = seq,
                    .ack = ack,
                    .len = len,
                    .window = 65535,
                    .wscale = -1};
    s.src = f->addr[from];
    s.dst = f->addr[TP_PEER(from)];
    s.sport = f->port[from];
    s.dport = f->port[TP_PEER(from)];
    const tp_result *r = tp_engine_feed(f->e, &s);
    if (!r) {
        fprintf(stderr, "frame %u: refused\n", s.frame);
        failures++;
        return (tp_result){0};
    }
    return *r;
}

static tp_conn_summary summary(const flow *f, uint32_t conn)
{
    tp_conn_summary s;
    memset(&s, 0, sizeof s);
    if (!tp_engine_conn(f->e, conn, &s)) {
        fprintf(stderr, "connection %u: no summary\n", conn);
        failures++;
    }
    return s;
}

/* Checks that a frame has exactly want findings and, if text, that one of them says it. */
static void check_findings(int line, const flow *f, uint32_t frame, bool complete, size_t want,
                           const char *text)
{
    tp_finding out[8];
    size_t n = tp_engine_findings(f->e, frame, complete, out, 8);
    check_u64(line, "findings", want, n);
    if (!text)
        return;
    for (size_t i = 0; i < n; i++)
        if (strstr(out[i].message, text))
            return;
    fprintf(stderr, "line %d: frame %u: no finding says \"%s\" (first: \"%s\")\n", line, frame,
            text, n ? out[0].message : "none");
    failures++;
}

#define FINDINGS(f, frame, complete, want, text)                                                   \
    check_findings(__LINE__, f, frame, complete, want, text)

/* The three-way handshake from the given ISNs, 1 ms apart. */
static void handshake(flow *f, uint32_t cisn, uint32_t sisn)
{
    feed(f, TP_CLIENT, TP_SYN, cisn, 0, 0);
    f->now += MS;
    feed(f, TP_SERVER, TP_SYN | TP_ACK, sisn, cisn + 1, 0);
    f->now += MS;
    feed(f, TP_CLIENT, TP_ACK, cisn + 1, sisn + 1, 0);
    f->now += MS;
}

/* Case 1: more than 65535 segments one way carry into the side record. The server acknowledges
 * every 1000th; counts are checked on both sides of the 16-bit wrap, then at the end. */
static void many_frames(bool v6)
{
    enum { N = 70000, ACK_EVERY = 1000, HS_CLIENT = 2, HS_SERVER = 1 };
    flow f = flow_new(v6, false);
    handshake(&f, CISN, SISN);
    uint32_t seq = CISN + 1;
    for (uint32_t i = 1; i <= N; i++) {
        feed(&f, TP_CLIENT, TP_PSH | TP_ACK, seq++, SISN + 1, 1);
        f.now += 1000;
        if (i % ACK_EVERY == 0)
            feed(&f, TP_SERVER, TP_ACK, SISN + 1, seq, 0);
        if (HS_CLIENT + i == 65535 || HS_CLIENT + i == 65536)
            EQ("frames[client] at the wrap", HS_CLIENT + i, summary(&f, 1).frames[TP_CLIENT]);
    }
    tp_conn_summary s = summary(&f, 1);
    EQ("connections", 1, tp_engine_conn_count(f.e));
    EQ("frames[client]", N + HS_CLIENT, s.frames[TP_CLIENT]);
    EQ("frames[server]", N / ACK_EVERY + HS_SERVER, s.frames[TP_SERVER]);
    EQ("bytes[client]", N, s.bytes[TP_CLIENT]);
    EQ("address length", v6 ? 16 : 4, s.addr[TP_CLIENT].len);
    EQ("client address", 0, memcmp(&s.addr[TP_CLIENT], &f.addr[TP_CLIENT], sizeof(tp_addr)));
    EQ("server address", 0, memcmp(&s.addr[TP_SERVER], &f.addr[TP_SERVER], sizeof(tp_addr)));
    tp_engine_free(f.e);
}

/* Case 2: payload beyond 2^32 bytes one way; these lengths carry twice. */
static void many_bytes(void)
{
    static const uint32_t lens[] = {2000000000u, 3000000000u, UINT32_MAX, 7u};
    flow f = flow_new(false, false);
    handshake(&f, CISN, SISN);
    uint32_t seq = CISN + 1;
    uint64_t sent = 0;
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        feed(&f, TP_CLIENT, TP_ACK, seq, SISN + 1, lens[i]);
        seq += lens[i];
        sent += lens[i];
        f.now += MS;
    }
    tp_conn_summary s = summary(&f, 1);
    EQ("bytes[client]", sent, s.bytes[TP_CLIENT]);
    EQ("bytes[server]", 0, s.bytes[TP_SERVER]);
    EQ("frames[client]", 2 + sizeof lens / sizeof lens[0], s.frames[TP_CLIENT]);
    tp_engine_free(f.e);
}

/* Case 3: the server sends 100 bytes, the client half-closes, then the server sends 6e9 bytes
 * and the client's stack answers with the data-loss RST. Only the data-loss RST's message
 * shows the bytes after the peer's FIN: they must be the 6e9, not the 100 sent before. */
static void bytes_after_peer_fin(void)
{
    enum { BEFORE = 100, BIG = 2000000000, PIECES = 3 };
    flow f = flow_new(false, false);
    handshake(&f, CISN, SISN);
    uint32_t sseq = SISN + 1;
    feed(&f, TP_SERVER, TP_PSH | TP_ACK, sseq, CISN + 1, BEFORE);
    sseq += BEFORE;
    feed(&f, TP_CLIENT, TP_FIN | TP_ACK, CISN + 1, sseq, 0);
    feed(&f, TP_SERVER, TP_ACK, sseq, CISN + 2, 0);
    uint32_t first_after = f.frame + 1;
    for (int i = 0; i < PIECES; i++) {
        f.now += MS;
        feed(&f, TP_SERVER, TP_ACK, sseq, CISN + 2, BIG);
        sseq += BIG;
    }
    f.now += MS;
    tp_result r = feed(&f, TP_CLIENT, TP_RST, CISN + 2, 0, 0);
    EQ("rst-after-fin role", TP_ROLE_RST_AFTER_FIN, r.role);
    uint64_t lost = (uint64_t)BIG * PIECES;
    char text[128];
    snprintf(text, sizeof text, "the %" PRIu64 " bytes the server sent after that FIN are lost",
             lost);
    FINDINGS(&f, f.frame, false, 1, text);
    FINDINGS(&f, first_after, false, 1, "Half-closed: the server sends data");
    EQ("bytes[server]", BEFORE + lost, summary(&f, 1).bytes[TP_SERVER]);
    tp_engine_free(f.e);
}

/* Case 4: 300 copies of one SYN, never answered. The count is only in the hindsight finding on
 * the first SYN; it is checked at 255 and 256 (the 8-bit carry) and at the end. */
static void many_syns(void)
{
    enum { N = 300 };
    flow f = flow_new(false, false);
    char text[64];
    for (int i = 1; i <= N; i++) {
        feed(&f, TP_CLIENT, TP_SYN, CISN, 0, 0);
        f.now += S;
        if (i == 255 || i == 256 || i == N) {
            snprintf(text, sizeof text, "SYN never answered (%d SYNs sent,", i);
            FINDINGS(&f, 1, true, 1, text);
        }
    }
    FINDINGS(&f, 1, false, 0, NULL); /* hindsight only */
    FINDINGS(&f, 2, true, 0, NULL);  /* only on the first SYN */
    tp_conn_summary s = summary(&f, 1);
    EQ("connections", 1, tp_engine_conn_count(f.e));
    EQ("frames[client]", N, s.frames[TP_CLIENT]);
    EQ("open", TP_OPEN_SYN_UNANSWERED, s.open);
    EQ("close", TP_CLOSE_SYN_UNANSWERED, s.close);
    tp_engine_free(f.e);
}

/* Case 5: the capture has the server's SYN-ACK before the client's SYN (reordered), and the
 * client retransmits that SYN 260 times with no further answer. Under Zeek's boundaries this
 * is one connection whose first SYN is frame 2, not its first frame. The SYN-ACK acknowledges
 * that SYN, so the SYN was answered (evidence.c keeps the ISN the SYN-ACK acknowledged): no
 * SYN finding, and frame 1 keeps only its own SYN-ACK finding. */
static void first_syn_after_first_frame(void)
{
    enum { N = 260 };
    flow f = flow_new(false, true);
    feed(&f, TP_SERVER, TP_SYN | TP_ACK, SISN, CISN + 1, 0);
    for (int i = 0; i < N; i++) {
        f.now += MS;
        feed(&f, TP_CLIENT, TP_SYN, CISN, 0, 0);
    }
    EQ("connections", 1, tp_engine_conn_count(f.e));
    FINDINGS(&f, 2, true, 0, NULL);
    FINDINGS(&f, 1, true, 1, "SYN-ACK never acknowledged");
    FINDINGS(&f, 3, true, 0, NULL);
    tp_conn_summary s = summary(&f, 1);
    EQ("first_frame", 1, s.first_frame);
    EQ("open", TP_OPEN_SYNACK_UNACKED, s.open);
    EQ("frames[client]", N, s.frames[TP_CLIENT]);
    EQ("frames[server]", 1, s.frames[TP_SERVER]);
    tp_engine_free(f.e);
}

/* The client closes first (four-way close) from 10 ms; it enters TIME-WAIT on the server's FIN,
 * whose capture time is returned. The final ACK is stamped ack_ms after that FIN (negative:
 * the capture's clock went backwards). */
static int64_t client_closes(flow *f, int64_t ack_ms)
{
    f->now = T0 + 10 * MS;
    feed(f, TP_CLIENT, TP_FIN | TP_ACK, CISN + 1, SISN + 1, 0);
    f->now += MS;
    feed(f, TP_SERVER, TP_ACK, SISN + 1, CISN + 2, 0);
    f->now += MS;
    int64_t entered = f->now;
    feed(f, TP_SERVER, TP_FIN | TP_ACK, SISN + 1, CISN + 2, 0);
    f->now += ack_ms * MS;
    feed(f, TP_CLIENT, TP_ACK, CISN + 2, SISN + 2, 0);
    return entered;
}

/* The message fragment a TIME-WAIT reuse finding must hold for these facts. */
static const char *reuse_text(char *buf, size_t size, int64_t elapsed_ns, const char *holders)
{
    snprintf(buf, size, "SYN %.3f s after connection 1 closed (TIME-WAIT 60 s), held by %s",
             (double)elapsed_ns / (double)S, holders);
    return buf;
}

/* Case 6: the server retransmits its FIN 5 s after the client entered TIME-WAIT (more than the
 * record's 4.29 s), so the entry spills; a new SYN at syn_after_ns from the entry must see
 * TIME-WAIT held by the client exactly while it lasts (60 s). */
static void time_wait_entry_spills(int64_t syn_after_ns, bool held)
{
    flow f = flow_new(false, false);
    handshake(&f, CISN, SISN);
    int64_t entered = client_closes(&f, 1);
    f.now = entered + 5 * S;
    EQ("late FIN role", TP_ROLE_FIN_RETRANSMIT,
       feed(&f, TP_SERVER, TP_FIN | TP_ACK, SISN + 1, CISN + 2, 0).role);
    f.now += MS;
    feed(&f, TP_CLIENT, TP_ACK, CISN + 2, SISN + 2, 0);
    EQ("still one connection", 1, tp_engine_conn_count(f.e));
    f.now = entered + syn_after_ns;
    tp_result r = feed(&f, TP_CLIENT, TP_SYN, CISN + 100000, 0, 0);
    EQ("new incarnation", 2, r.conn);
    EQ("its incarnation", 2, tp_engine_incarnation(f.e, 2));
    char text[160];
    if (held)
        FINDINGS(&f, f.frame, false, 1, reuse_text(text, sizeof text, syn_after_ns, "the client"));
    else
        FINDINGS(&f, f.frame, false, 0, NULL);
    tp_engine_free(f.e);
}

/* Case 7: the final ACK is stamped 3 ms before the FIN that put the client in TIME-WAIT. The
 * summary must report the times as captured and the client as the TIME-WAIT holder, and a SYN
 * 20 s after the entry must be measured from the entry, not from the earlier last segment. */
static void time_goes_backwards(void)
{
    flow f = flow_new(false, false);
    handshake(&f, CISN, SISN);
    int64_t entered = client_closes(&f, -3);
    tp_conn_summary s = summary(&f, 1);
    EQ("last_ns", entered - 3 * MS, s.last_ns);
    EQ("duration", entered - 3 * MS - T0, s.last_ns - s.first_ns);
    EQ("state[client]", TP_TIME_WAIT, s.state[TP_CLIENT]);
    EQ("time_wait[client]", true, s.time_wait[TP_CLIENT]);
    EQ("time_wait[server]", false, s.time_wait[TP_SERVER]);
    f.now = entered + 20 * S;
    feed(&f, TP_CLIENT, TP_SYN, CISN + 100000, 0, 0);
    char text[160];
    FINDINGS(&f, f.frame, false, 1, reuse_text(text, sizeof text, 20 * S, "the client"));
    tp_engine_free(f.e);
}

/*
 * Case 8: simultaneous close (RFC 9293 3.6 case 3). The server enters TIME-WAIT at 12 ms, the
 * client (its entry in the side record) on the server's ACK 5 s later. A SYN at syn_ms from the
 * server's entry sees each side's TIME-WAIT live for 60 s from its own entry, and the elapsed
 * time runs from the earliest live entry.
 */
static void simultaneous_close(int64_t syn_ms, const char *holders, int64_t elapsed_ms)
{
    flow f = flow_new(false, false);
    handshake(&f, CISN, SISN);
    f.now = T0 + 10 * MS;
    feed(&f, TP_CLIENT, TP_FIN | TP_ACK, CISN + 1, SISN + 1, 0);
    f.now += MS;
    feed(&f, TP_SERVER, TP_FIN | TP_ACK, SISN + 1, CISN + 1, 0);
    f.now += MS;
    int64_t server_entered = f.now;
    feed(&f, TP_CLIENT, TP_ACK, CISN + 2, SISN + 2, 0);
    f.now += 5 * S;
    feed(&f, TP_SERVER, TP_ACK, SISN + 2, CISN + 2, 0);
    tp_conn_summary s = summary(&f, 1);
    EQ("close", TP_CLOSE_FIN_SIMULTANEOUS, s.close);
    for (int d = 0; d < 2; d++) {
        EQ("time_wait[d]", true, s.time_wait[d]);
        EQ("state[d]", TP_TIME_WAIT, s.state[d]);
    }
    f.now = server_entered + syn_ms * MS;
    feed(&f, TP_CLIENT, TP_SYN, CISN + 100000, 0, 0);
    char text[160];
    FINDINGS(&f, f.frame, false, 1, reuse_text(text, sizeof text, elapsed_ms * MS, holders));
    tp_engine_free(f.e);
}

/* The server closes first and keeps TIME-WAIT; the client's last ACK ends at cisn + 2. */
static void server_closes(flow *f, uint32_t cisn, uint32_t sisn)
{
    feed(f, TP_SERVER, TP_FIN | TP_ACK, sisn + 1, cisn + 1, 0);
    f->now += MS;
    feed(f, TP_CLIENT, TP_FIN | TP_ACK, cisn + 1, sisn + 2, 0);
    f->now += MS;
    feed(f, TP_SERVER, TP_ACK, sisn + 2, cisn + 2, 0);
    f->now += S;
}

/*
 * Case 9: one 4-tuple used three times. The second SYN's ISN is above the old one (accepted);
 * the third's is below, so the server in TIME-WAIT answers for connection 2 (the previous
 * incarnation, in the side record) before the client's RST and retransmitted SYN.
 */
static void three_incarnations(bool v6)
{
    enum { C2 = 200000, S2 = 900000, C3 = 50, S3 = 7000 };
    flow f = flow_new(v6, false);
    handshake(&f, CISN, SISN);
    server_closes(&f, CISN, SISN);
    handshake(&f, C2, S2);
    server_closes(&f, C2, S2);
    EQ("third SYN opens 3", 3, feed(&f, TP_CLIENT, TP_SYN, C3, 0, 0).conn);
    EQ("TIME-WAIT ACK answers for 2", 2, feed(&f, TP_SERVER, TP_ACK, S2 + 2, C2 + 2, 0).conn);
    EQ("RST ends 2", 2, feed(&f, TP_CLIENT, TP_RST, C2 + 2, 0, 0).conn);
    f.now += S;
    EQ("SYN again is 3", 3, feed(&f, TP_CLIENT, TP_SYN, C3, 0, 0).conn);
    EQ("SYN-ACK is 3", 3, feed(&f, TP_SERVER, TP_SYN | TP_ACK, S3, C3 + 1, 0).conn);
    EQ("ACK is 3", 3, feed(&f, TP_CLIENT, TP_ACK, C3 + 1, S3 + 1, 0).conn);
    EQ("connections", 3, tp_engine_conn_count(f.e));
    for (uint32_t c = 1; c <= 3; c++) {
        EQ("tp_engine_incarnation", c, tp_engine_incarnation(f.e, c));
        EQ("summary incarnation", c, summary(&f, c).incarnation);
    }
    EQ("unknown connection", 0, tp_engine_incarnation(f.e, 4));
    EQ("connection 0", 0, tp_engine_incarnation(f.e, 0));
    EQ("open of 3", TP_OPEN_3WAY, summary(&f, 3).open);
    tp_engine_free(f.e);
}

int main(void)
{
    many_frames(false);
    many_frames(true);
    many_bytes();
    bytes_after_peer_fin();
    many_syns();
    first_syn_after_first_frame();
    time_wait_entry_spills(30 * S + 250 * MS, true);
    time_wait_entry_spills(60 * S + 500 * MS, false);
    time_goes_backwards();
    simultaneous_close(30000, "both sides", 30000);
    simultaneous_close(62000, "the client", 57000);
    three_incarnations(false);
    three_incarnations(true);
    if (failures)
        fprintf(stderr, "%d check(s) failed\n", failures);
    return failures ? 1 : 0;
}
