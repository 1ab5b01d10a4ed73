/*
 * traffic.h: a seeded, reproducible model of many interleaved TCP connections, shared by the
 * capture generator (gen.c) and the engine benchmark (engine_bench.c) so both see the same mix.
 *
 * Plain C11 and libc only. The same parameters and seed always give the same segments.
 */
#ifndef TCPPHASE_BENCH_TRAFFIC_H
#define TCPPHASE_BENCH_TRAFFIC_H

#include <stdbool.h>
#include <stdint.h>

/* TCP flag bits as on the wire. */
enum { TG_FIN = 0x01, TG_SYN = 0x02, TG_RST = 0x04, TG_PSH = 0x08, TG_ACK = 0x10 };

/* Which connections a capture holds. */
typedef enum tg_mix {
    TG_MIX_SHORT, /* a busy server's: ~300 open at once, tens of segments each, every ending */
    TG_MIX_LONG,  /* file transfers and streams: a few open at once, hundreds of segments each */
} tg_mix;

/* How a connection lives and ends. */
typedef enum tg_kind {
    TG_CLOSE_4WAY_CLIENT,  /* FIN, ACK, FIN, ACK; the client closes first */
    TG_CLOSE_4WAY_SERVER,  /* the same, the server first */
    TG_CLOSE_3WAY,         /* FIN, FIN-ACK, ACK */
    TG_HALF_CLOSE,         /* the client shuts down writing, the server keeps sending */
    TG_RST_INSTEAD_OF_FIN, /* one side aborts with RST,ACK */
    TG_RST_AFTER_FIN,      /* the server closes, data arrives anyway, the server resets */
    TG_REFUSED,            /* SYN answered by RST,ACK */
    TG_UNANSWERED,         /* SYN and its retransmissions, never answered */
    TG_KIND_COUNT
} tg_kind;

typedef struct tg_params {
    uint64_t segments;    /* at least this many segments (the last connections may end past it) */
    uint64_t connections; /* at least this many connections */
    uint64_t seed;
    unsigned concurrency; /* connections open at once; 0: 300 (short mix) or 8 (long mix) */
    tg_mix mix;
} tg_params;

/* One segment, in capture order. Addresses are network byte order; IPv4 uses bytes 0..3. */
typedef struct tg_seg {
    int64_t time_ns; /* whole microseconds, so a classic pcap stores it exactly */
    bool v6;
    uint8_t src[16], dst[16];
    uint16_t sport, dport;
    uint8_t flags;
    uint32_t seq, ack;
    uint32_t len;    /* payload bytes */
    uint16_t window; /* the header's field, unscaled */
    int8_t wscale;   /* window scale option on a SYN, -1: none */
    bool has_ts;     /* timestamps option present */
    uint32_t tsval, tsecr;
} tg_seg;

typedef struct tg_stats {
    uint64_t segments, connections, v6_connections;
    uint64_t kind[TG_KIND_COUNT];
    uint64_t reused;           /* connections on a 4-tuple that was used before */
    uint64_t reused_time_wait; /* of which within 60 s of the previous close */
    unsigned max_open;         /* most connections open at once */
    /* The long mix only: */
    uint64_t uploads;         /* connections whose bulk data goes from the client */
    uint64_t retransmissions; /* bulk segments sent a second time */
    uint64_t window_updates;  /* pure ACKs that only open the receiver's window */
} tg_stats;

typedef struct tg_gen tg_gen;

tg_gen *tg_new(const tg_params *p);
void tg_free(tg_gen *g);

/* Writes the next segment; false once every connection has ended. */
bool tg_next(tg_gen *g, tg_seg *out);

const tg_stats *tg_stats_of(const tg_gen *g);
const char *tg_kind_name(tg_kind k);
/* "short" or "long" into *mix; false for anything else. */
bool tg_mix_parse(const char *name, tg_mix *mix);
/* The mix's options as engine_bench and engine_roles spell them on the command line: -m MIX,
 * -n SEGMENTS, -c CONNECTIONS, -s SEED, -k OPEN. Stores opt's argument in p; false if opt is
 * none of them or MIX no mix. */
bool tg_option(tg_params *p, int opt, const char *arg);

#endif
