/*
 * tcpphase engine: the record of Zeek's view of one connection, which tp_conn holds (conn.h),
 * and the field accessors the Zeek files share. Types only: zeek.c and zeek_conn.c compute it.
 */
#ifndef TCPPHASE_ZEEK_RECORD_H
#define TCPPHASE_ZEEK_RECORD_H

#include "tcpphase.h"

/* History letters kept, plus the terminating NUL. Zeek's history has no fixed bound, but its
 * letters repeat only in rare cases (see zeek.c), so real histories stay short. */
#define TP_ZEEK_HISTORY 16

/* Bytes holding them in tp_zeek: 5 bits a letter, as the history has 23 letters in all. */
#define TP_ZEEK_HISTORY_BYTES (((TP_ZEEK_HISTORY - 1) * 5 + 7) / 8)

/* One endpoint as Zeek's TCP analyzer and its reassembler see it: 12 bytes (its 16-bit and
 * odd-sized fields are in tp_zeek, where they pack without padding). The lowest sequence number
 * of data held beyond a hole (ZK_EP_HELD) is in the side record (tp_side_more): a hole means
 * capture loss, which few connections have. */
typedef struct tp_zeek_ep {
    uint32_t last_seq;  /* Zeek's LastSeq: one past the highest sequence number it sent */
    uint32_t delivered; /* its data is contiguous up to here (the reassembler's last seq) */
    uint8_t state;      /* low nibble: Zeek's endpoint state; high nibble: the one before */
    uint8_t bits;       /* ZK_EP_* below */
    uint8_t rxmt, win0; /* counts behind the scaled letters T and W (saturating) */
} tp_zeek_ep;

/* Zeek's view of one connection: 48 bytes. Endpoints are indexed by tp_dir; which of them is
 * Zeek's originator is a bit of its own, since Zeek picks and flips it by its own rules. */
typedef struct tp_zeek {
    /* What a data segment or an ACK reads (zeek.c, plain_segment), first: the record it sits in
     * keeps such fields together (conn.h). */
    tp_zeek_ep ep[2];
    uint16_t seen;           /* history kinds already recorded, per role (Zeek's hist_seen) */
    uint8_t history_len : 4; /* how many letters */
    uint8_t timeout : 2;     /* which inactivity timeout applies: ZK_TIMEOUT_* */
    uint8_t bits;            /* ZK_STARTED etc. below */
    uint32_t closed_ms;      /* when the close completed: ms after the first segment, plus one */
    uint16_t last_rst[2];    /* low half of each one's last RST sequence number (hist_last_RST) */
    uint8_t history[TP_ZEEK_HISTORY_BYTES]; /* its letters, packed (tp_zeek_history) */
    uint8_t gaps[2];                        /* counts behind the scaled letter G, per endpoint */
} tp_zeek;

/* Zeek's endpoint states (TCP_Endpoint.h, EndpointState). */
enum zk_state {
    ZK_INACTIVE = 0,
    ZK_SYN_SENT,
    ZK_SYN_ACK_SENT,
    ZK_PARTIAL,
    ZK_ESTABLISHED,
    ZK_CLOSED,
    ZK_RESET,
};

/* tp_zeek_ep.bits */
enum {
    ZK_EP_DID_CLOSE = 1, /* Zeek has reported this side closed (did_close) */
    ZK_EP_RST_SEEN = 2,  /* tp_zeek.last_rst is valid */
    ZK_EP_DATA = 4,      /* it sent payload: Zeek's size is not 0 */
    ZK_EP_HELD = 8,      /* data beyond a hole is held (tp_side_more.zeek_held valid) */
};

/* tp_zeek.bits */
enum {
    ZK_STARTED = 1,     /* the first segment has been seen */
    ZK_ORIG_SERVER = 2, /* Zeek's originator is our TP_SERVER */
    ZK_ATTEMPT = 4,     /* the first segment was the originator's SYN: attempt timer armed */
};

/* Inactivity timeouts (tp_zeek.timeout). Zeek's TCP analyzer starts every connection with
 * udp_inactivity_timeout and switches to tcp_inactivity_timeout once an endpoint leaves the
 * handshake; base/protocols/conn/inactivity.zeek gives interactive ports an hour. */
enum { ZK_TIMEOUT_HANDSHAKE, ZK_TIMEOUT_TCP, ZK_TIMEOUT_INTERACTIVE };

/* Zeek's originator. */
static inline tp_dir tp_zeek_orig(const tp_zeek *z)
{
    return (z->bits & ZK_ORIG_SERVER) ? TP_SERVER : TP_CLIENT;
}

static inline enum zk_state zk_state_of(const tp_zeek *z, tp_dir d)
{
    return (enum zk_state)(z->ep[d].state & 0x0f);
}

static inline enum zk_state zk_prev_of(const tp_zeek *z, tp_dir d)
{
    return (enum zk_state)(z->ep[d].state >> 4);
}

#endif
