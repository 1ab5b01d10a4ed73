/*
 * tcpphase engine: the records every stage reads: one connection, its two endpoints and its
 * side records, and the small tests on them that read fields only. Not part of the API. The
 * files above include what they call; this one calls nothing.
 */
#ifndef TCPPHASE_CONN_H
#define TCPPHASE_CONN_H

#include "tcpphase.h"
#include "zeek_record.h"

#include <glib.h>

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
    uint8_t state;           /* tp_state */
    int8_t wscale : 5;       /* from its SYN, -1 unknown; above 14 kept as 15 (RFC 7323 2.3) */
    uint8_t implied_fin : 2; /* the kind of its FIN the evidence implied: tp_implied_fin */
    bool tiny_data : 1;      /* it sends 1-byte segments (evidence.c: a hole of one is no FIN) */
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
    bool was_time_wait : 1; /* it entered TIME-WAIT at some point (tp_conn_time_wait_ns) */
    /* What the capture shows of it, as against what its peer's numbers prove (evidence.c). */
    bool captured : 1;    /* it sent a segment the capture holds */
    bool syn_implied : 1; /* its SYN (or SYN-ACK) is known only from the evidence */
    bool fin_implied : 1; /* its FIN is known only from the evidence */
    bool options_cut : 1; /* the capture cut some of its segments' options (snap length) */
    bool fin_held : 1;    /* its FIN came past a hole its peer has not seen filled: the
                             peer has not taken it (order.c) */
    bool sent_space : 1;  /* it sent data, a SYN or a FIN: snd_nxt is what it used. Until
                             then only empty segments, and a keep-alive may sit one below
                             its real snd_nxt (keepalive.c) */
    /* Read or written by every segment (fastpath.c), together; the rest below. */
    uint32_t isn;              /* sequence number of its SYN */
    uint32_t snd_nxt;          /* highest sequence number it used, plus one (SYN and FIN count) */
    uint32_t max_ack;          /* highest acknowledgment it sent: what it has received */
    uint32_t ack_at_last_data; /* its acknowledgment when it last sent payload */
    uint32_t window;           /* its last advertised window, unscaled */
    uint32_t last_tsval;
    /* What its peer's segments did to it, to take back if it shows it never got them
     * (delivery.c). */
    uint32_t rtt_us;      /* its round trip from the capture point, at the handshake; 0 unknown */
    uint32_t took_frame;  /* the peer's segment that acknowledged its outstanding SYN or FIN,
                             moving it on, 0: none (or known to have arrived) */
    uint32_t moved_frame; /* the peer's last segment since that acknowledged it again or moved
                             it, 0: none */
    uint32_t acked_us;    /* when the latest of them was captured: microseconds after the
                             connection's first segment */
    uint32_t fin_seq;     /* sequence number its FIN occupies */
} tp_endpoint;

/* An endpoint nothing has been seen of: its state unknown, no window scale; zero otherwise. */
#define TP_ENDPOINT_UNSEEN                                                                         \
    {                                                                                              \
        .state = TP_UNKNOWN, .wscale = -1                                                          \
    }

/*
 * One incarnation of a 4-tuple. Everything per endpoint is indexed by tp_dir.
 *
 * Memory (docs/PERFORMANCE.md): a capture holds millions of these, so the record keeps what
 * most connections use, and the facts few connections have (a later incarnation's number, data
 * after the peer's FIN, a second TIME-WAIT, the high bits of counts...) live in side records
 * made only when first needed (tp_side below, side.c). IPv6 addresses are stored outside too,
 * so an IPv4 4-tuple takes 12 bytes. Read and write the split facts through side.c.
 *
 * Packed to 4-byte alignment: the 64-bit members (the times, the IPv6 pointer) would otherwise
 * cost padding in every record. Their loads may then be unaligned, which x86-64 and ARMv8 do at
 * little or no cost (the compiler, knowing the packing, splits them where the target must); no
 * code takes the address of a 64-bit member.
 */
#pragma pack(push, 4)
typedef struct tp_conn {
    /* The 4-tuple, first: the connection table's key is the connection itself (conntable.c). */
    union {
        uint8_t v4[2][4];  /* IPv4: the client's and the server's address */
        const uint8_t *v6; /* IPv6: both, 32 bytes in the connection table's address store */
    } addr;
    uint16_t port[2];
    /* One bit each, in three bytes (a uint8_t bit-field does not cross a byte). */
    bool v6 : 1;
    uint8_t end_rst : 3;   /* the RST that ended it: its role less TP_ROLE_RST_REFUSED, plus
                              one; 0: none (tp_conn_end_role) */
    bool mid_stream : 1;   /* picked up without its SYN */
    bool simultaneous : 1; /* simultaneous open */
    bool syn_answered : 1; /* the server sent SYN-ACK or RST */
    bool synack_acked : 1; /* the handshake completed */
    /* Segments no state takes: the kind of its latest segment (tp_odd) and its sender, for the
     * peer's answer: the RST answering a probe is rst-probe (probe.c), the ACK of a keep-alive
     * is keepalive-ack (keepalive.c). */
    uint8_t odd_kind : 2;
    uint8_t odd_dir : 1;
    bool challenge_pending : 1; /* a new SYN met its live holder: its next ACK is a
                                   challenge ACK */
    uint8_t challenge_dir : 1;  /* that holder, when challenge_pending */
    uint8_t prev_holder : 1;    /* in the previous incarnation, the endpoint still
                                   holding it */
    bool ack_of_fin_seen : 1, fin_simultaneous_seen : 1;
    bool tw_used : 1;      /* tw_back holds an endpoint's TIME-WAIT entry */
    uint8_t tw_dir : 1;    /* that endpoint (the other's, if any, is in the side record) */
    bool tw_spilled : 1;   /* its entry was too far from last_ns: in the side record */
    bool syn_first : 1;    /* the first SYN (first_syn_frame) is the first frame */
    bool has_prev : 1;     /* the side record's prev_id is set */
    bool synack_again : 1; /* the server retransmitted its SYN-ACK: it got no ACK in time */
    bool scan_attempt : 1; /* opened by the client's SYN or probe, noted by scan.c */
    bool tuple_moved : 1;  /* the previous incarnation had a segment since its latest one */
    uint8_t syn_count;     /* client SYNs, low 8 bits (the rest in the side record) */
    /* From here to Zeek's view, what every segment reads or writes (fastpath.c), so that it
     * meets as few cache lines of the record as it can; what only some segments need after. */
    uint16_t frames[2]; /* segments sent, low 16 bits (the rest in the side record) */
    uint32_t id;        /* its number in the capture, 1-based */
    uint32_t last_frame;
    uint32_t bytes[2]; /* payload bytes sent, low 32 bits (the rest: side record) */
    int64_t last_ns;   /* write it with tp_conn_set_last_ns */
    tp_endpoint ep[2];
    tp_zeek zeek;  /* Zeek's view of it: conn_state and history (zeek.c); its hot part first */
    uint32_t side; /* 1-based index of its side record, 0: none */
    uint32_t first_frame;
    uint32_t first_synack_frame;
    int64_t first_ns;
    uint32_t tw_back; /* endpoint tw_dir entered TIME-WAIT this many ns before last_ns */
} tp_conn;
#pragma pack(pop)

/*
 * The rarely used facts of a connection (side.c), in two tiers allocated when first needed:
 * tp_side for what some connections have (data after the peer's FIN: 12 % of the bench's
 * connections, a later incarnation: 6 %), and tp_side_more for what almost none have. Two sizes,
 * so that the common rare case costs 16 bytes, not the 80 of both.
 */
typedef struct tp_side {
    uint32_t bytes_after_peer_fin[2]; /* payload each side sent after the peer's FIN, low bits */
    uint32_t incarnation;             /* 0 for 1: only later incarnations need it */
    uint32_t more;                    /* 1-based index of its tp_side_more, 0: none */
} tp_side;

typedef struct tp_side_more {
    int64_t time_wait_ns[2];             /* TIME-WAIT entries not in tp_conn.tw_back */
    uint32_t bytes_hi[2];                /* tp_conn.bytes above 32 bits */
    uint32_t frames_hi[2];               /* tp_conn.frames above 16 bits */
    uint32_t bytes_after_peer_fin_hi[2]; /* tp_side.bytes_after_peer_fin above 32 bits */
    uint32_t prev_id;                    /* the previous incarnation, while it answers for it */
    uint32_t syn_count_hi;               /* tp_conn.syn_count above 8 bits */
    uint32_t first_syn_frame;            /* when not the first frame (syn_first) */
    uint32_t zeek_held[2];               /* Zeek's data held beyond a hole (zeek.c, ZK_EP_HELD) */
    uint32_t hole_from[2];  /* an endpoint's held FIN (order.c): where the hole before it starts */
    uint32_t hole_to[2];    /* and where the FIN's segment starts; past the FIN: the FIN itself
                               never arrived */
    uint32_t held_frame[2]; /* the held FIN's frame */
    uint32_t fill_frame[2]; /* the first captured segment that fills the hole from its start */
    uint32_t fin_implied_frame[2]; /* the frame that implied an endpoint's FIN (evidence.c) */
} tp_side_more;

/* end_rst holds the RST roles (engine.c, account) in its 3 bits: the four from
 * TP_ROLE_RST_REFUSED on as 1 to 4, TP_ROLE_RST_PROBE as 5. */
_Static_assert(TP_ROLE_RST_HALF_OPEN - TP_ROLE_RST_REFUSED + 1 < 5,
               "tp_conn.end_rst is too narrow");

static inline uint8_t tp_conn_end_rst_of(tp_role rst)
{
    return rst == TP_ROLE_RST_PROBE ? 5 : (uint8_t)(rst - TP_ROLE_RST_REFUSED + 1);
}

/* The role of the RST that ended c, or TP_ROLE_UNKNOWN (0). */
static inline tp_role tp_conn_end_role(const tp_conn *c)
{
    if (c->end_rst == 5)
        return TP_ROLE_RST_PROBE;
    return c->end_rst ? (tp_role)(TP_ROLE_RST_REFUSED + c->end_rst - 1) : TP_ROLE_UNKNOWN;
}

/* The address bytes of endpoint d of c: 4 in the record, or 16 in the connection table's
 * store. */
static inline const uint8_t *tp_conn_addr_bytes(const tp_conn *c, tp_dir d)
{
    return c->v6 ? c->addr.v6 + 16 * d : c->addr.v4[d];
}

/* What the latest segment no state takes was (tp_conn.odd_kind). */
/* TP_ODD_EMPTY: an empty segment of an endpoint that has sent nothing else, perhaps a
 * keep-alive one below its real snd_nxt (keepalive.c). */
typedef enum tp_odd { TP_ODD_NONE = 0, TP_ODD_PROBE, TP_ODD_KEEPALIVE, TP_ODD_EMPTY } tp_odd;

/* Events: a segment seen from the receiving endpoint's side (classify.c makes them,
 * transitions.c applies them). */
typedef enum tp_event {
    TP_EV_NONE = 0,         /* no transition: out-of-window RST, unacceptable SYN-ACK */
    TP_EV_SYN,              /* SYN, the receiver has sent none */
    TP_EV_SYN_CROSSED,      /* SYN while the receiver's own SYN is outstanding */
    TP_EV_SYN_ACK,          /* SYN,ACK acknowledging the receiver's SYN (or its SYN unseen) */
    TP_EV_ACK,              /* ACK (maybe data) changing nothing for the receiver */
    TP_EV_ACK_SYN,          /* ACK acknowledging the receiver's SYN, not its FIN */
    TP_EV_ACK_FIN,          /* ACK acknowledging the receiver's FIN */
    TP_EV_FIN,              /* FIN, the receiver has sent none */
    TP_EV_FIN_CROSSED,      /* FIN not acknowledging the receiver's FIN */
    TP_EV_FIN_ACK_FIN,      /* FIN acknowledging the receiver's FIN */
    TP_EV_RST,              /* acceptable RST */
    TP_EV_RST_SYN_ANSWERED, /* RST from SYN-SENT at its SYN's next number: a SYN-ACK came */
    TP_EV_COUNT
} tp_event;

/* The kind of FIN the evidence implied, for the role of the FIN itself if captured late. */
typedef enum tp_implied_fin {
    TP_IMPLIED_FIN_ACTIVE = 0,
    TP_IMPLIED_FIN_PASSIVE,
    TP_IMPLIED_FIN_SIMULTANEOUS,
} tp_implied_fin;

/* Does the segment acknowledge the receiver's FIN (RFC 9293 3.10.7.4, fifth check)? Inline,
 * like the SYN one: the classification asks for every ACK. */
static inline bool tp_endpoint_acks_fin(const tp_endpoint *receiver, const tp_segment *seg)
{
    return receiver->fin_seen && (seg->flags & TP_ACK) && tp_seq_lt(receiver->fin_seq, seg->ack) &&
           tp_seq_le(seg->ack, receiver->snd_nxt);
}

/* Does it acknowledge the receiver's SYN? Acceptable means SND.UNA < SEG.ACK =< SND.NXT
 * (3.10.7.3, 3.10.7.4). */
static inline bool tp_endpoint_acks_syn(const tp_endpoint *receiver, const tp_segment *seg)
{
    return receiver->syn_seen && (seg->flags & TP_ACK) && tp_seq_lt(receiver->isn, seg->ack) &&
           tp_seq_le(seg->ack, receiver->snd_nxt);
}
bool tp_rst_acceptable(const tp_endpoint *sender, const tp_endpoint *receiver,
                       const tp_segment *seg);

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

#endif
