/*
 * tcpphase engine internals: the records shared by the engine's files. Not part of the API.
 */
#ifndef TCPPHASE_INTERNAL_H
#define TCPPHASE_INTERNAL_H

#include "tcpphase.h"

#include <glib.h>

#include "zeek.h"

/* Sequence-space comparison modulo 2^32 (RFC 9293 3.4, RFC 1982). */
static inline bool tp_seq_lt(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) < 0;
}

static inline bool tp_seq_le(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) <= 0;
}

static inline uint32_t tp_seq_max(uint32_t a, uint32_t b)
{
    return tp_seq_lt(a, b) ? b : a;
}

/*
 * What one endpoint has shown of itself, in the spirit of Zeek's TCP_Endpoint: its state and
 * the sequence-space facts needed to judge the next segment. Everything here is learnt from
 * segments it sent, except the state, which the peer's segments move as well.
 */
typedef struct tp_endpoint {
    uint8_t state; /* tp_state */
    int8_t wscale; /* from its SYN, -1 unknown */
    /* One bit each (bit-fields): the record is per endpoint of every connection. */
    bool syn_seen : 1;      /* it sent a SYN in this incarnation; isn valid */
    bool synack_seen : 1;   /* one of its SYNs carried ACK */
    bool fin_seen : 1;      /* it sent a FIN; fin_seq valid */
    bool fin_again : 1;     /* it sent that FIN again (retransmission) */
    bool ack_seen : 1;      /* it sent an ACK; max_ack valid */
    bool seq_seen : 1;      /* it sent anything; snd_nxt valid */
    bool data_ack_seen : 1; /* ack_at_last_data valid */
    bool has_ts : 1;        /* its segments carry timestamps; last_tsval valid */
    bool half_closed_noted : 1;
    bool was_time_wait : 1;    /* it entered TIME-WAIT at some point; time_wait_ns valid */
    uint32_t isn;              /* sequence number of its SYN */
    uint32_t snd_nxt;          /* highest sequence number it used, plus one (SYN and FIN count) */
    uint32_t fin_seq;          /* sequence number its FIN occupies */
    uint32_t max_ack;          /* highest acknowledgment it sent: what it has received */
    uint32_t ack_at_last_data; /* its acknowledgment when it last sent payload */
    uint32_t window;           /* its last advertised window, unscaled */
    uint32_t last_tsval;
    uint64_t bytes_after_peer_fin; /* payload it sent after the peer's FIN */
    int64_t time_wait_ns;          /* when it entered TIME-WAIT */
} tp_endpoint;

/* A connection's 4-tuple, indexed by tp_dir. The connection table hashes it unordered. */
typedef struct tp_tuple {
    tp_addr addr[2];
    uint16_t port[2];
} tp_tuple;

/* One incarnation of a 4-tuple. Everything per endpoint is indexed by tp_dir. */
typedef struct tp_conn {
    tp_tuple tuple; /* first: the connection table's key points here (38 bytes) */
    /* Flags, packed into the two bytes after the tuple. */
    uint8_t end_role : 5;       /* tp_role of the RST that ended it, or 0 */
    bool mid_stream : 1;        /* picked up without its SYN */
    bool simultaneous : 1;      /* simultaneous open */
    bool syn_answered : 1;      /* the server sent SYN-ACK or RST */
    bool synack_acked : 1;      /* the handshake completed */
    bool challenge_pending : 1; /* a new SYN met its live holder: its next ACK is a
                                   challenge ACK */
    uint8_t challenge_dir : 1;  /* that holder, when challenge_pending */
    uint8_t prev_holder : 1;    /* in the previous incarnation, the endpoint still
                                   holding it */
    bool ack_of_fin_seen : 1, fin_simultaneous_seen : 1;
    uint32_t id, incarnation;
    uint32_t prev_id; /* that previous incarnation, while it answers for it; else 0 */
    uint32_t first_frame, last_frame;
    uint32_t frames[2];
    uint32_t first_syn_frame, first_synack_frame, syn_count;
    tp_endpoint ep[2];
    int64_t first_ns, last_ns;
    uint64_t bytes[2];
    tp_zeek zeek; /* Zeek's view of it: conn_state and history (zeek.c) */
} tp_conn;

/* end_role holds the RST roles (engine.c, account) in its 5 bits. */
_Static_assert(TP_ROLE_RST_HALF_OPEN < 32, "tp_conn.end_role is too narrow");

/* Events: a segment seen from the receiving endpoint's side (transitions.c). */
typedef enum tp_event {
    TP_EV_NONE = 0,    /* no transition: out-of-window RST, unacceptable SYN-ACK */
    TP_EV_SYN,         /* SYN, the receiver has sent none */
    TP_EV_SYN_CROSSED, /* SYN while the receiver's own SYN is outstanding */
    TP_EV_SYN_ACK,     /* SYN,ACK acknowledging the receiver's SYN (or its SYN unseen) */
    TP_EV_ACK,         /* ACK (maybe data) changing nothing for the receiver */
    TP_EV_ACK_SYN,     /* ACK acknowledging the receiver's SYN, not its FIN */
    TP_EV_ACK_FIN,     /* ACK acknowledging the receiver's FIN */
    TP_EV_FIN,         /* FIN, the receiver has sent none */
    TP_EV_FIN_CROSSED, /* FIN not acknowledging the receiver's FIN */
    TP_EV_FIN_ACK_FIN, /* FIN acknowledging the receiver's FIN */
    TP_EV_RST,         /* acceptable RST */
    TP_EV_COUNT
} tp_event;

/* A transition table cell: the next state and why. No reason: the state is kept. */
typedef struct tp_cell {
    uint8_t next;
    const char *why;
} tp_cell;

const tp_cell *tp_send_cell(tp_event ev, tp_state sender);
const tp_cell *tp_recv_cell(tp_event ev, tp_state receiver);
const char *tp_event_name(tp_event ev);

/* endpoint.c */
void tp_endpoint_init(tp_endpoint *ep, tp_state state);
void tp_endpoint_sent(tp_endpoint *ep, const tp_endpoint *peer, const tp_segment *seg);
bool tp_endpoint_acks_syn(const tp_endpoint *receiver, const tp_segment *seg);
bool tp_endpoint_acks_fin(const tp_endpoint *receiver, const tp_segment *seg);
bool tp_rst_acceptable(const tp_endpoint *sender, const tp_endpoint *receiver,
                       const tp_segment *seg);

/* classify.c */
tp_event tp_classify_event(const tp_conn *c, tp_dir dir, const tp_segment *seg);
tp_role tp_classify_role(const tp_conn *c, tp_dir dir, const tp_segment *seg, tp_event ev,
                         const uint8_t before[2], const uint8_t after[2]);

/* RFC 9293 3.5.2: the synchronized states are ESTABLISHED and everything after it. Inline,
 * like the two below: the classification asks these several times per segment. */
static inline bool tp_state_synchronized(tp_state s)
{
    return s >= TP_ESTABLISHED && s < TP_STATE_COUNT;
}

static inline bool tp_state_gone(tp_state s)
{
    return s == TP_CLOSED || s == TP_TIME_WAIT;
}

/* No endpoint holds the connection open any more: one is CLOSED or in TIME-WAIT and the
 * other as well, or unknown. Segments after this belong to no live connection. */
static inline bool tp_conn_ended(const tp_conn *c)
{
    tp_state a = (tp_state)c->ep[TP_CLIENT].state, b = (tp_state)c->ep[TP_SERVER].state;
    return (tp_state_gone(a) && (tp_state_gone(b) || b == TP_UNKNOWN)) ||
           (tp_state_gone(b) && a == TP_UNKNOWN);
}

/* transitions.c: the states after an event, both endpoints (after may be before). */
void tp_apply_event(tp_event ev, tp_dir dir, const uint8_t before[2], uint8_t after[2]);

/* conntable.c */
typedef struct tp_conntable tp_conntable;
tp_conntable *tp_conntable_new(void);
void tp_conntable_free(tp_conntable *t);
tp_conn *tp_conntable_find(tp_conntable *t, const tp_segment *seg);
tp_conn *tp_conntable_open(tp_conntable *t, const tp_segment *seg, tp_dir sender,
                           const tp_conn *previous);
tp_conn *tp_conntable_get(const tp_conntable *t, uint32_t id);
uint32_t tp_conntable_count(const tp_conntable *t);
tp_dir tp_conn_dir_by_address(const tp_conn *c, const tp_segment *seg);

/*
 * Which endpoint of c sent seg. Only for a connection of the segment's own 4-tuple, one way
 * or the other (the table's latest incarnation, or the one before it): then, with different
 * ports, the source port alone tells, and only equal ports need the addresses compared.
 */
static inline tp_dir tp_conn_dir(const tp_conn *c, const tp_segment *seg)
{
    if (seg->sport != seg->dport)
        return seg->sport == c->tuple.port[TP_CLIENT] ? TP_CLIENT : TP_SERVER;
    return tp_conn_dir_by_address(c, seg);
}

/* findings.c: the stored findings of a capture and the text of their messages. */
typedef struct tp_findings tp_findings;
tp_findings *tp_findings_new(const tp_config *cfg);
void tp_findings_free(tp_findings *f);
size_t tp_findings_of(const tp_findings *f, uint32_t frame, tp_finding *out, size_t max);

/* What a TIME-WAIT reuse message reports. holders: bit (1 << tp_dir) of the new connection. */
typedef struct tp_tw_facts {
    uint32_t old_conn;
    double elapsed_s;
    uint8_t holders;
    bool isn_above; /* new ISN after the old final sequence number (RFC 1122 4.2.2.13) */
    bool ts_known;  /* both the old connection and the SYN carry timestamps */
    bool ts_newer;  /* the SYN's timestamp is newer (RFC 6191) */
} tp_tw_facts;

/*
 * An immediate finding is stored as the facts its message reports, taken when its frame is
 * fed (they describe the connection at that moment); the text is written only when the
 * finding is read. Storing the text cost about 150 bytes a finding and a printf per finding
 * at feed time.
 */
void tp_findings_half_open(tp_findings *f, uint32_t frame, tp_half_open_kind kind, tp_dir sender);
void tp_findings_half_closed(tp_findings *f, uint32_t frame, tp_dir sender);
void tp_findings_rst_instead_of_fin(tp_findings *f, uint32_t frame, const tp_conn *c, tp_dir sender,
                                    const tp_segment *seg);
void tp_findings_rst_after_fin(tp_findings *f, uint32_t frame, const tp_conn *c, tp_dir sender);
void tp_findings_time_wait_reuse(tp_findings *f, uint32_t frame, const tp_tw_facts *tw);

/* The hindsight half-open messages, written from the connection as it stands. */
char *tp_msg_half_open(const tp_conn *c, tp_half_open_kind kind, tp_dir sender);

/* incarnation.c: which incarnation of a 4-tuple a segment belongs to. */
typedef struct tp_placement {
    tp_conn *conn;   /* the connection the segment belongs to */
    tp_conn *latest; /* its 4-tuple's latest incarnation (conn, or the one after it) */
} tp_placement;

tp_placement tp_incarnation_of(tp_conntable *t, tp_findings *f, const tp_config *cfg,
                               const tp_segment *seg, tp_result *r);
void tp_incarnation_settle(tp_conntable *t, const tp_placement *p);

/* summary.c */
void tp_conn_summarize(const tp_conn *c, tp_conn_summary *out);

#endif
