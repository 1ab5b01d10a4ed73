/*
 * tcpphase engine: the public interface.
 *
 * The engine is plain C11 with glib for its tables and knows nothing of Wireshark. It is fed
 * TCP segments in capture order and answers, per segment, the segment's connection-phase role
 * and the RFC 9293 state of both endpoints after it, plus findings (the expert items).
 *
 * Each frame's result is computed once, when the frame is first fed, and stored; later look-ups
 * only read it. Facts that need hindsight (a SYN never answered) are derived at look-up time
 * from the connection record, and only when the caller says the whole capture has been read.
 */
#ifndef TCPPHASE_H
#define TCPPHASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* TCP header flag bits, as on the wire (RFC 9293 3.1). */
enum {
    TP_FIN = 0x01,
    TP_SYN = 0x02,
    TP_RST = 0x04,
    TP_PSH = 0x08,
    TP_ACK = 0x10,
    TP_URG = 0x20,
};

/* The two endpoints of a connection. The client sent the first SYN; see tp_engine_feed. */
typedef enum tp_dir { TP_CLIENT = 0, TP_SERVER = 1 } tp_dir;

#define TP_PEER(d) ((tp_dir)(1 - (d)))

/* RFC 9293 3.3.2 connection states, plus UNKNOWN where nothing supports a guess. */
typedef enum tp_state {
    TP_UNKNOWN = 0,
    TP_CLOSED,
    TP_LISTEN,
    TP_SYN_SENT,
    TP_SYN_RECEIVED,
    TP_ESTABLISHED,
    TP_FIN_WAIT_1,
    TP_FIN_WAIT_2,
    TP_CLOSE_WAIT,
    TP_CLOSING,
    TP_LAST_ACK,
    TP_TIME_WAIT,
    TP_STATE_COUNT
} tp_state;

/* What a segment does in its connection's life. Tokens in tp_role_name(). */
typedef enum tp_role {
    TP_ROLE_UNKNOWN = 0,
    TP_ROLE_SYN,
    TP_ROLE_SYN_RETRANSMIT,
    TP_ROLE_SYN_ACK,
    TP_ROLE_SYN_ACK_RETRANSMIT,
    TP_ROLE_HANDSHAKE_ACK,
    TP_ROLE_SIMULTANEOUS_SYN,
    TP_ROLE_SIMULTANEOUS_SYN_ACK,
    TP_ROLE_DATA,
    TP_ROLE_ACK,
    TP_ROLE_HALF_CLOSED_DATA,
    TP_ROLE_FIN_ACTIVE,
    TP_ROLE_ACK_OF_FIN,
    TP_ROLE_FIN_PASSIVE,
    TP_ROLE_FIN_SIMULTANEOUS,
    TP_ROLE_FINAL_ACK,
    TP_ROLE_FIN_RETRANSMIT,
    TP_ROLE_RST_REFUSED,
    TP_ROLE_RST_INSTEAD_OF_FIN,
    TP_ROLE_RST_AFTER_FIN,
    TP_ROLE_RST_HALF_OPEN,
    TP_ROLE_RST_OUT_OF_WINDOW,
    TP_ROLE_AFTER_CLOSE,
    TP_ROLE_MID_STREAM,
    TP_ROLE_KEEPALIVE,     /* a keep-alive or zero-window probe: SND.UNA - 1 (keepalive.c) */
    TP_ROLE_KEEPALIVE_ACK, /* the peer's ACK of one */
    TP_ROLE_PROBE,         /* flags no TCP state accepts (probe.c) */
    TP_ROLE_RST_PROBE,     /* the RST answering a probe: no connection on that port */
    TP_ROLE_DUPLICATE,     /* a copy of the sender's SYN or FIN within the minimum retransmission
                              timeout (copy.c) */
    TP_ROLE_COUNT
} tp_role;

/* The connection phase a segment belongs to. */
typedef enum tp_phase {
    TP_PHASE_UNKNOWN = 0,
    TP_PHASE_HANDSHAKE,
    TP_PHASE_ESTABLISHED,
    TP_PHASE_CLOSING,
    TP_PHASE_CLOSED,
    TP_PHASE_RESET,
    TP_PHASE_COUNT
} tp_phase;

/* Expert findings. Each has a bit in tp_result.findings. */
typedef enum tp_finding_kind {
    TP_FIND_HALF_OPEN = 0,
    TP_FIND_HALF_CLOSED,
    TP_FIND_TIME_WAIT_REUSE,
    TP_FIND_RST_INSTEAD_OF_FIN,
    TP_FIND_RST_AFTER_FIN,
    TP_FIND_CAPTURE_GAP,   /* a segment proves the capture missed another (evidence.c) */
    TP_FIND_NOT_DELIVERED, /* a segment proves one the capture holds never reached its receiver
                              (delivery.c) */
    TP_FIND_PROBE,         /* a segment whose flags no state accepts (probe.c) */
    /* Hindsight only: derived when the whole capture is read, never stored as a bit. */
    TP_FIND_SYN_UNANSWERED, /* a SYN no answer came for: no connection on either host */
    TP_FIND_SCAN,           /* one host tried many ports of another (scan.c) */
    TP_FIND_OUT_OF_ORDER,   /* a capture gap the capture fills later: it took the place of the
                               frame's TP_FIND_CAPTURE_GAP (order.c) */
    TP_FIND_COUNT
} tp_finding_kind;

/* The immediate findings, which have a bit in tp_result.findings. */
#define TP_FIND_IMMEDIATE_COUNT (TP_FIND_PROBE + 1)

/* Which half-open case a TP_FIND_HALF_OPEN finding is (RFC 9293 3.5.2). */
typedef enum tp_half_open_kind {
    TP_HALF_OPEN_SYNACK_RESET = 0, /* the SYN's sender answered the SYN-ACK with a RST */
    TP_HALF_OPEN_SYNACK_UNACKED,   /* hindsight: on the first SYN-ACK */
    TP_HALF_OPEN_PEER_LOST_STATE,  /* a RST answering in-window traffic */
    TP_HALF_OPEN_CHALLENGE_ACK,    /* a SYN on a live 4-tuple answered by an ACK */
} tp_half_open_kind;

typedef struct tp_addr {
    uint8_t len; /* 4 (IPv4) or 16 (IPv6) */
    uint8_t bytes[16];
} tp_addr;

/* One TCP segment as captured. Sequence and acknowledgment numbers are raw (absolute). */
typedef struct tp_segment {
    uint32_t frame;  /* capture frame number, 1-based, increasing */
    int64_t time_ns; /* capture time */
    tp_addr src, dst;
    uint16_t sport, dport;
    uint8_t flags; /* TP_FIN | TP_SYN | ... */
    uint32_t seq, ack;
    uint32_t len;     /* TCP payload bytes */
    uint32_t window;  /* the header's window field, unscaled */
    int8_t wscale;    /* window scale shift from a SYN's options, -1 if absent */
    bool has_ts;      /* the TCP timestamps option is present (RFC 7323) */
    bool options_cut; /* the snapshot length cut the options: wscale and has_ts say "not
                         captured", not "absent" (headers-only captures) */
    uint32_t tsval, tsecr;
} tp_segment;

/* The stored per-frame answer: 12 bytes. */
typedef struct tp_result {
    uint32_t conn;              /* connection number in the capture, 1-based; 0: not a segment */
    uint8_t role;               /* tp_role */
    uint8_t sender;             /* tp_dir */
    uint8_t before[2];          /* tp_state of client, server before the segment */
    uint8_t after[2];           /* tp_state of client, server after it */
    uint8_t findings;           /* bit (1 << tp_finding_kind) per immediate finding */
    uint8_t event : 4;          /* the transition tables' event, for tp_result_reasons */
    uint8_t half_open_kind : 2; /* tp_half_open_kind, when the half-open bit is set */
    uint8_t late : 1;           /* a segment the evidence had already proved (evidence.c) */
    uint8_t proved : 1;         /* what it proves moved the states before it: segments the capture
                                   missed (evidence.c), or captured ones that never arrived
                                   (delivery.c); before[] holds the states after that */
} tp_result;

_Static_assert(TP_FIND_IMMEDIATE_COUNT <= 8, "tp_result.findings is too narrow");

/*
 * What the capture missed, as a segment's numbers prove it (evidence.c): one bit per endpoint
 * and kind of segment, TP_GAP_BIT(dir, kind). The segment that proves it carries the bits.
 */
typedef enum tp_gap_kind {
    TP_GAP_SYN_ACK = 0,   /* its SYN-ACK: the peer left SYN-SENT */
    TP_GAP_HANDSHAKE_ACK, /* its ACK of the peer's SYN: the peer left SYN-RECEIVED */
    TP_GAP_DATA,          /* payload: acknowledged by the peer, or sequence numbers skipped */
    TP_GAP_FIN,           /* its FIN: acknowledged by the peer */
    TP_GAP_COUNT
} tp_gap_kind;

#define TP_GAP_BIT(dir, kind) (1u << ((unsigned)(dir)*TP_GAP_COUNT + (unsigned)(kind)))

/* How a connection was opened and closed (tcpphase.conn.open / tcpphase.conn.close). */
typedef enum tp_open_style {
    TP_OPEN_UNKNOWN = 0,
    TP_OPEN_3WAY,
    TP_OPEN_SIMULTANEOUS,
    TP_OPEN_REFUSED,
    TP_OPEN_SYN_UNANSWERED,
    TP_OPEN_SYNACK_UNACKED,
    TP_OPEN_MID_STREAM,
    TP_OPEN_COUNT
} tp_open_style;

typedef enum tp_close_style {
    TP_CLOSE_UNKNOWN = 0,
    TP_CLOSE_FIN_4WAY,
    TP_CLOSE_FIN_3WAY,
    TP_CLOSE_FIN_SIMULTANEOUS,
    TP_CLOSE_HALF_CLOSED,
    TP_CLOSE_RST_INSTEAD_OF_FIN,
    TP_CLOSE_RST_AFTER_FIN,
    TP_CLOSE_RST_HALF_OPEN,
    TP_CLOSE_REFUSED,
    TP_CLOSE_SYN_UNANSWERED,
    TP_CLOSE_OPEN,
    TP_CLOSE_COUNT
} tp_close_style;

/* One connection (one incarnation of a 4-tuple) as seen so far. */
typedef struct tp_conn_summary {
    uint32_t conn, incarnation;
    tp_addr addr[2]; /* indexed by tp_dir */
    uint16_t port[2];
    uint32_t first_frame, last_frame;
    int64_t first_ns, last_ns;
    uint64_t bytes[2];  /* payload bytes sent by each side */
    uint32_t frames[2]; /* segments sent by each side */
    tp_open_style open;
    tp_close_style close;
    tp_state state[2]; /* final states */
    bool time_wait[2]; /* the side entered TIME-WAIT (it may have left it since) */
    char
        zeek_state[8]; /* Zeek's conn_state: S0 S1 SF REJ S2 S3 RSTO RSTR RSTOS0 RSTRH SH SHR OTH */
    char history[32];  /* Zeek's history letters, upper case originator */
    tp_dir zeek_orig;  /* Zeek's originator, which may differ from the client */
    bool seen[2];      /* the capture holds segments of that side (tcpphase.conn.seen) */
} tp_conn_summary;

/* The kind of scan, named from its probes' flags (scan.c). */
typedef enum tp_scan_type {
    TP_SCAN_SYN = 0, /* SYNs; the scanner answers a SYN-ACK with RST (half-open scan) */
    TP_SCAN_CONNECT, /* SYNs; the scanner completes the handshake of open ports */
    TP_SCAN_ACK,     /* lone ACKs (firewall mapping) */
    TP_SCAN_FIN,     /* FIN without ACK */
    TP_SCAN_NULL,    /* no flags */
    TP_SCAN_XMAS,    /* FIN, PSH, URG */
    TP_SCAN_OS,      /* several kinds of probes no state accepts: OS detection */
    TP_SCAN_TYPE_COUNT
} tp_scan_type;

/* One host trying many ports of another, or probing it (tcpphase.scan). */
typedef struct tp_scan_summary {
    tp_addr scanner, target;
    uint32_t first_frame; /* its first probe */
    uint32_t ports;       /* distinct ports tried */
    uint32_t open;        /* ports that answered SYN-ACK */
    uint32_t closed;      /* ports that answered RST (for an ACK scan: unfiltered) */
    uint32_t silent;      /* ports that answered neither */
    uint32_t probes;      /* segments no state accepts among the attempts */
    tp_scan_type type;
} tp_scan_summary;

/* A finding with the facts its message reports. */
typedef struct tp_finding {
    tp_finding_kind kind;
    uint32_t frame;
    char message[256];
} tp_finding;

typedef struct tp_config {
    double time_wait_s; /* TIME-WAIT period; Linux uses 60 s, RFC 9293's 2 MSL is 240 s */
    bool zeek_sessions; /* cut connections where Zeek does, not by RFC 9293 (zeek_conn.c) */
    bool full_path;     /* every segment through every stage, without the common segment's
                           short route (fastpath.c): for the tests that compare the two */
} tp_config;

typedef struct tp_engine tp_engine;

tp_engine *tp_engine_new(const tp_config *cfg);
void tp_engine_free(tp_engine *e);

/*
 * Feeds one segment and returns its stored result. A frame already fed is not computed
 * again: its stored result is returned, so feeding is idempotent per frame. NULL for a segment
 * the engine cannot take: frame 0 or UINT32_MAX, an address length other than 4 or 16, or
 * IPv4 mixed with IPv6. The pointer is valid until the next feed (the store may move); copy
 * the result, or look it up again, to keep it.
 */
const tp_result *tp_engine_feed(tp_engine *e, const tp_segment *seg);

/* The stored result of a frame, or NULL if it was never fed. Valid until the next feed. */
const tp_result *tp_engine_lookup(const tp_engine *e, uint32_t frame);

/*
 * The second look: the frame's result as the whole capture read so far proves it. Where a later
 * frame corrected it (a retransmission proving an acknowledgment lost, a scanner's RST proving
 * it never took the SYN-ACK, a keep-alive's ACK naming the segment before it), the corrected
 * result is written into out and returned, and *corrected_by names the proving frame;
 * otherwise the stored result is returned and *corrected_by is 0. NULL if never fed.
 */
const tp_result *tp_engine_final(const tp_engine *e, uint32_t frame, tp_result *out,
                                 uint32_t *corrected_by);

/* The first and last frames the proving frame `proof` corrected; false if none. */
bool tp_engine_corrected_range(const tp_engine *e, uint32_t proof, uint32_t *first, uint32_t *last);

/*
 * Fills up to max findings for a frame, immediate ones first. With complete (the whole capture
 * has been read), hindsight findings are added: a SYN never answered, a SYN-ACK never
 * acknowledged. Returns the number written.
 */
size_t tp_engine_findings(const tp_engine *e, uint32_t frame, bool complete, tp_finding *out,
                          size_t max);

/* What the capture missed, as frame's segment proves it: TP_GAP_BIT bits, 0 for none. */
uint32_t tp_engine_gaps(const tp_engine *e, uint32_t frame);

/* Why a later frame corrected frame (tp_engine_final names which): a sentence to follow
 * "Corrected by frame N: "; NULL if none did. */
const char *tp_engine_correction_why(const tp_engine *e, uint32_t frame);

/* The second look at frame's capture gap: the later frame that holds the segment the gap is
 * (the capture had it, out of order), or 0 (missed, or not known yet). */
uint32_t tp_engine_gap_filled_by(const tp_engine *e, uint32_t frame);

/* What frame's segment proves never reached its receiver though the capture holds it:
 * "client handshake-ack, frame 3" (several joined by "; "), into out (always terminated);
 * empty for none. Returns out. */
char *tp_engine_not_delivered(const tp_engine *e, uint32_t frame, char *out, size_t size);

/* The summary of connection number conn (1-based) as it stands now; false if none. */
bool tp_engine_conn(const tp_engine *e, uint32_t conn, tp_conn_summary *out);

/* The incarnation number of connection conn (1 for the first on its 4-tuple; the summary's
 * incarnation, without building the summary); 0 if there is no such connection. */
uint32_t tp_engine_incarnation(const tp_engine *e, uint32_t conn);

/* Number of connections so far. */
uint32_t tp_engine_conn_count(const tp_engine *e);

/* The scans seen so far, in the order of their first probes: how many, and the i-th
 * (0-based; false if none). */
uint32_t tp_engine_scan_count(const tp_engine *e);
bool tp_engine_scan(const tp_engine *e, uint32_t i, tp_scan_summary *out);

/* The phase a result belongs to, derived from its role and states. */
tp_phase tp_result_phase(const tp_result *r);

/*
 * Why the segment moved (or deliberately kept) its sender's and its receiver's state: the
 * RFC 9293 reason of the transition table cell applied, or NULL where no rule concerned that
 * endpoint.
 */
void tp_result_reasons(const tp_result *r, const char **sender_why, const char **receiver_why);

/* Tokens: the display-filter strings of the contract. Never NULL. */
const char *tp_state_name(tp_state s);
const char *tp_role_name(tp_role r);
const char *tp_phase_name(tp_phase p);
const char *tp_dir_name(tp_dir d);
const char *tp_finding_name(tp_finding_kind k);
const char *tp_open_name(tp_open_style s);
const char *tp_close_name(tp_close_style s);
const char *tp_seen_name(const bool seen[2]);  /* "both", "client-only", "server-only", "none" */
const char *tp_scan_type_name(tp_scan_type t); /* "SYN", "connect", "ACK", "FIN", "NULL", "Xmas",
                                                  "OS detection" */

/* An address as text: dotted IPv4, or IPv6 as RFC 5952 writes it. Returns out. */
char *tp_addr_text(const tp_addr *a, char *out, size_t size);

/* "server SYN-ACK, client FIN": the gaps in TP_GAP_BIT bits, into out (always terminated).
 * Returns out. */
char *tp_gaps_text(uint32_t gaps, char *out, size_t size);

#endif
