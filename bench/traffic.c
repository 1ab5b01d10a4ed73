/*
 * traffic.c: the connection model behind the benchmark captures (see traffic.h).
 *
 * A fixed number of connection slots is kept busy (a few hundred connections open at once);
 * each step picks a random open connection and emits its next segment, so connections
 * interleave the way a busy server's traffic does. Each connection is planned in full when it
 * opens (a list of who sends which flags with how many bytes); sequence and acknowledgment
 * numbers, windows and timestamps are filled in as the segments are emitted, so every segment
 * is consistent with what its sender and receiver have seen.
 *
 * The length of each new connection is chosen so the totals come out near the requested
 * segment and connection counts; generation goes on until both are reached.
 *
 * The long mix (TG_MIX_LONG) plans other connections: a few open at once (8), each a file
 * transfer or stream of hundreds of full-sized segments one way (a quarter of them uploads),
 * acknowledged every second segment, with a few window updates (the receiver's application
 * reading, its window growing) and a few segments sent twice; a normal handshake and a FIN
 * close, no 4-tuple reused. It weighs the work on established connections' segments, where
 * the short mix weighs opening and closing them as much.
 */
#include "traffic.h"

#include <stdlib.h>
#include <string.h>

#define DEFAULT_CONCURRENCY 300
#define MEAN_GAP_US         50       /* mean time between segments: 1M segments span ~50 s */
#define TIME_WAIT_US        60000000 /* Linux's TIME-WAIT, for the reuse statistics only */
#define RING_SIZE           4096     /* recently closed 4-tuples kept for reuse */
#define REUSE_PERCENT       6        /* new connections that reuse a closed 4-tuple */
#define V6_PERCENT          25
#define TS_PERCENT          90 /* connections with the timestamps option */
#define WS_PERCENT          95 /* connections with window scaling */
#define MSS                 1448
#define PORT_SPAN           28000 /* ephemeral ports 32768..60767 per client address */
#define SERVERS             200
#define MAX_ROUNDS          2000
/* The long mix. */
#define LONG_CONCURRENCY      8
#define UPLOAD_PERCENT        25
#define RETX_PER_MILLE        3 /* bulk segments sent a second time */
#define WINDOW_UPDATE_PERCENT 6 /* acknowledgments followed by a window update */
#define MAX_BULK              60000

enum { SP_NONE, SP_SYN_RETX, SP_REFUSE, SP_RETX, SP_WINDOW_UPDATE };

/* One planned segment: who sends it and what, but not its numbers. */
typedef struct step {
    uint8_t dir; /* 0: client, 1: server */
    uint8_t flags;
    uint8_t special; /* SP_* */
    uint16_t len;
} step;

typedef struct endpoint {
    uint8_t addr[16];
    uint16_t port;
    uint32_t isn, nxt; /* nxt: next sequence number it will use */
    uint32_t ts_off, last_tsval;
    bool tsval_seen;
    uint16_t window; /* the long mix's advertised window (unscaled); 0: the short mix's */
} endpoint;

typedef struct conn {
    bool v6, ts, ws;
    tg_kind kind;
    endpoint ep[2];
    step *steps;
    unsigned n, cap, pos;
} conn;

/* A closed 4-tuple that a later connection may use again. */
typedef struct closed {
    conn tuple; /* addresses, ports, options, and where the sequence numbers ended */
    int64_t closed_us;
    bool time_wait; /* it ended with FINs, so one side sits in TIME-WAIT */
} closed;

struct tg_gen {
    tg_params p;
    uint64_t rng;
    int64_t now_us;
    conn *slots;
    unsigned *open; /* indices of the open slots */
    unsigned n_open;
    uint64_t started, emitted, pending; /* pending: planned segments not emitted yet */
    uint64_t next_fresh;                /* next never-used 4-tuple */
    closed ring[RING_SIZE];
    unsigned ring_n;
    tg_stats stats;
};

/* splitmix64: small, fast, and good enough to shuffle a traffic mix. */
static uint64_t rnd(tg_gen *g)
{
    uint64_t z = (g->rng += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Uniform in [lo, hi]. */
static uint32_t between(tg_gen *g, uint32_t lo, uint32_t hi)
{
    return lo + (uint32_t)(rnd(g) % ((uint64_t)hi - lo + 1));
}

static bool chance(tg_gen *g, unsigned percent)
{
    return rnd(g) % 100 < percent;
}

const char *tg_kind_name(tg_kind k)
{
    static const char *const names[TG_KIND_COUNT] = {
        [TG_CLOSE_4WAY_CLIENT] = "4-way close, client first",
        [TG_CLOSE_4WAY_SERVER] = "4-way close, server first",
        [TG_CLOSE_3WAY] = "3-way close",
        [TG_HALF_CLOSE] = "half-close",
        [TG_RST_INSTEAD_OF_FIN] = "RST instead of FIN",
        [TG_RST_AFTER_FIN] = "RST after FIN (data loss)",
        [TG_REFUSED] = "refused SYN",
        [TG_UNANSWERED] = "unanswered SYN",
    };
    return (unsigned)k < TG_KIND_COUNT ? names[k] : "?";
}

bool tg_mix_parse(const char *name, tg_mix *mix)
{
    if (strcmp(name, "short") == 0)
        *mix = TG_MIX_SHORT;
    else if (strcmp(name, "long") == 0)
        *mix = TG_MIX_LONG;
    else
        return false;
    return true;
}

bool tg_option(tg_params *p, int opt, const char *arg)
{
    switch (opt) {
    case 'm':
        return tg_mix_parse(arg, &p->mix);
    case 'n':
        p->segments = strtoull(arg, NULL, 10);
        return true;
    case 'c':
        p->connections = strtoull(arg, NULL, 10);
        return true;
    case 's':
        p->seed = strtoull(arg, NULL, 10);
        return true;
    case 'k':
        p->concurrency = (unsigned)strtoul(arg, NULL, 10);
        return true;
    default:
        return false;
    }
}

/* ---- planning ---------------------------------------------------------------------------- */

static void push(conn *c, uint8_t dir, uint8_t flags, uint32_t len, uint8_t special)
{
    if (c->n == c->cap) {
        c->cap = c->cap ? 2 * c->cap : 64;
        c->steps = realloc(c->steps, c->cap * sizeof *c->steps);
        if (!c->steps)
            abort();
    }
    c->steps[c->n++] = (step){dir, flags, special, (uint16_t)len};
}

static void handshake(conn *c)
{
    push(c, 0, TG_SYN, 0, SP_NONE);
    push(c, 1, TG_SYN | TG_ACK, 0, SP_NONE);
    push(c, 0, TG_ACK, 0, SP_NONE);
}

/* The server's answer to a request: full-sized segments, the client acknowledging every
 * second one (delayed ACK) and the last. */
static void response(tg_gen *g, conn *c)
{
    unsigned k = between(g, 1, 4);
    for (unsigned i = 1; i <= k; i++) {
        bool last = i == k;
        push(c, 1, last ? TG_PSH | TG_ACK : TG_ACK, last ? between(g, 100, MSS) : MSS, SP_NONE);
        if (last || i % 2 == 0)
            push(c, 0, TG_ACK, 0, SP_NONE);
    }
}

/* A request and its response: 5 segments on average. */
static void round_trip(tg_gen *g, conn *c)
{
    push(c, 0, TG_PSH | TG_ACK, between(g, 40, 700), SP_NONE);
    response(g, c);
}

/* The segments still wanted, over the connections still to open. */
static double per_conn_left(const tg_gen *g)
{
    const tg_params *p = &g->p;
    uint64_t planned = g->emitted + g->pending;
    uint64_t left = p->segments > planned ? p->segments - planned : 0;
    uint64_t conns_left = p->connections > g->started ? p->connections - g->started : 1;
    return (double)left / (double)conns_left;
}

/* How many request/response rounds a new connection gets, so the totals come out right:
 * a mean that spreads the segments still wanted over the connections still to open, with a
 * tail (one in ten is up to 4 times as long as the mean, the others shorter). */
static unsigned rounds_for(tg_gen *g)
{
    double want = per_conn_left(g) - 7.0; /* handshake and close */
    double mean = want > 0 ? want / 5.0 : 0.0;
    double top = chance(g, 10) ? 8.0 * mean : 1.33 * mean;
    unsigned r = (unsigned)((double)(rnd(g) % 1000001) / 1e6 * top + 0.5);
    return r > MAX_ROUNDS ? MAX_ROUNDS : r;
}

static tg_kind pick_kind(tg_gen *g)
{
    /* Percent of connections of each kind. */
    static const unsigned share[TG_KIND_COUNT] = {
        [TG_CLOSE_4WAY_CLIENT] = 32,
        [TG_CLOSE_4WAY_SERVER] = 15,
        [TG_CLOSE_3WAY] = 20,
        [TG_HALF_CLOSE] = 7,
        [TG_RST_INSTEAD_OF_FIN] = 9,
        [TG_RST_AFTER_FIN] = 5,
        [TG_REFUSED] = 7,
        [TG_UNANSWERED] = 5,
    };
    unsigned x = (unsigned)(rnd(g) % 100), sum = 0;
    for (int k = 0; k < TG_KIND_COUNT; k++) {
        sum += share[k];
        if (x < sum)
            return (tg_kind)k;
    }
    return TG_CLOSE_4WAY_CLIENT;
}

/* The close of the 4-way and 3-way kinds (CLOSER: who sends the first FIN of a 3-way one). */
static void fin_close(conn *c, uint8_t closer)
{
    if (c->kind == TG_CLOSE_3WAY) {
        push(c, closer, TG_FIN | TG_ACK, 0, SP_NONE);
        push(c, 1 - closer, TG_FIN | TG_ACK, 0, SP_NONE);
        push(c, closer, TG_ACK, 0, SP_NONE);
        return;
    }
    uint8_t a = c->kind == TG_CLOSE_4WAY_CLIENT ? 0 : 1, b = 1 - a;
    push(c, a, TG_FIN | TG_ACK, 0, SP_NONE);
    push(c, b, TG_ACK, 0, SP_NONE);
    push(c, b, TG_FIN | TG_ACK, 0, SP_NONE);
    push(c, a, TG_ACK, 0, SP_NONE);
}

static void plan(tg_gen *g, conn *c)
{
    unsigned rounds = rounds_for(g);
    uint8_t closer = chance(g, 50) ? 0 : 1;

    c->n = c->pos = 0;
    switch (c->kind) {
    case TG_UNANSWERED:
        push(c, 0, TG_SYN, 0, SP_NONE);
        for (unsigned i = between(g, 1, 3); i > 0; i--)
            push(c, 0, TG_SYN, 0, SP_SYN_RETX);
        return;
    case TG_REFUSED:
        push(c, 0, TG_SYN, 0, SP_NONE);
        push(c, 1, TG_RST | TG_ACK, 0, SP_REFUSE);
        return;
    default:
        break;
    }
    handshake(c);
    if (c->kind == TG_HALF_CLOSE) {
        /* The request, then the client's FIN; the server answers at length, then closes. */
        push(c, 0, TG_PSH | TG_ACK, between(g, 40, 700), SP_NONE);
        push(c, 0, TG_FIN | TG_ACK, 0, SP_NONE);
        push(c, 1, TG_ACK, 0, SP_NONE);
        for (unsigned i = 0; i < rounds + 1; i++)
            response(g, c);
        push(c, 1, TG_FIN | TG_ACK, 0, SP_NONE);
        push(c, 0, TG_ACK, 0, SP_NONE);
        return;
    }
    for (unsigned i = 0; i < rounds; i++)
        round_trip(g, c);
    switch (c->kind) {
    case TG_CLOSE_4WAY_CLIENT:
    case TG_CLOSE_4WAY_SERVER:
    case TG_CLOSE_3WAY:
        fin_close(c, closer);
        break;
    case TG_RST_INSTEAD_OF_FIN:
        push(c, closer, TG_RST | TG_ACK, 0, SP_NONE);
        break;
    case TG_RST_AFTER_FIN:
        /* The server closes; the client's late data finds no reader and is reset. */
        push(c, 1, TG_FIN | TG_ACK, 0, SP_NONE);
        push(c, 0, TG_ACK, 0, SP_NONE);
        push(c, 0, TG_PSH | TG_ACK, between(g, 40, 700), SP_NONE);
        push(c, 1, TG_RST | TG_ACK, 0, SP_NONE);
        break;
    default:
        break;
    }
}

/* ---- the long mix ------------------------------------------------------------------------ */

/* How many bulk segments a long connection sends: what each connection still to open should
 * have (less its handshake, request and close, about 9), over the 1.5 segments a bulk segment
 * costs with its acknowledgments, spread evenly from a quarter to 1.75 times that. */
static unsigned bulk_for(tg_gen *g)
{
    double want = per_conn_left(g) - 9.0;
    double mean = want > 0 ? want / 1.5 : 0.0;
    double f = 0.25 + 1.5 * (double)(rnd(g) % 1000001) / 1e6;
    unsigned n = (unsigned)(f * mean + 0.5);
    return n < 2 ? 2 : n > MAX_BULK ? MAX_BULK : n;
}

/* The receiver's window after its application has read: with window scaling it grows by
 * 32 KB (256 << 7) up to about 1 MB; without, it starts near the 16-bit field's top and stays. */
static uint16_t window_grown(uint16_t window, bool ws)
{
    return ws && window < 8000 ? (uint16_t)(window + 256) : window;
}

/* A long connection: the request (or an upload's header), the bulk one way, the receiver
 * acknowledging every second segment and the last, then a FIN close. */
static void plan_long(tg_gen *g, conn *c)
{
    uint8_t snd = chance(g, UPLOAD_PERCENT) ? 0 : 1, rcv = 1 - snd;
    uint8_t closer = chance(g, 50) ? 0 : 1;
    unsigned n = bulk_for(g);
    uint16_t window = c->ep[rcv].window;

    c->n = c->pos = 0;
    handshake(c);
    push(c, 0, TG_PSH | TG_ACK, between(g, 40, 700), SP_NONE);
    for (unsigned i = 1; i <= n; i++) {
        bool last = i == n;
        uint32_t len = last ? between(g, 100, MSS) : MSS;
        push(c, snd, last ? TG_PSH | TG_ACK : TG_ACK, len, SP_NONE);
        /* Sent again before any acknowledgment: Wireshark's plain "retransmission". */
        if (!last && rnd(g) % 1000 < RETX_PER_MILLE) {
            push(c, snd, TG_ACK, len, SP_RETX);
            g->stats.retransmissions++;
        }
        if (!last && i % 2)
            continue;
        push(c, rcv, TG_ACK, 0, SP_NONE);
        /* The same acknowledgment again with a larger window: a window update, not a dup ACK. */
        if (!last && window_grown(window, c->ws) != window && chance(g, WINDOW_UPDATE_PERCENT)) {
            window = window_grown(window, c->ws);
            push(c, rcv, TG_ACK, 0, SP_WINDOW_UPDATE);
            g->stats.window_updates++;
        }
    }
    if (snd == 0) { /* the server's answer to an upload */
        push(c, 1, TG_PSH | TG_ACK, between(g, 100, 400), SP_NONE);
        push(c, 0, TG_ACK, 0, SP_NONE);
        g->stats.uploads++;
    }
    fin_close(c, closer);
}

static tg_kind pick_long_kind(tg_gen *g)
{
    unsigned x = (unsigned)(rnd(g) % 100);
    return x < 40 ? TG_CLOSE_4WAY_CLIENT : x < 75 ? TG_CLOSE_4WAY_SERVER : TG_CLOSE_3WAY;
}

/* ---- opening ----------------------------------------------------------------------------- */

static void fresh_tuple(tg_gen *g, conn *c)
{
    static const uint16_t server_ports[] = {443, 443, 443, 80, 8080, 22, 5432, 6379};
    uint64_t i = g->next_fresh++;
    /* Distinct (client address, client port) for every fresh connection: the ports of an
     * address are walked in a scrambled order (7919 is coprime to PORT_SPAN). */
    uint32_t host = (uint32_t)(i / PORT_SPAN) + 1;
    uint32_t server = between(g, 1, SERVERS);

    memset(c->ep, 0, sizeof c->ep);
    c->v6 = chance(g, V6_PERCENT);
    if (c->v6) {
        static const uint8_t cli[6] = {0x20, 0x01, 0x0d, 0xb8, 0x00, 0x0c};
        static const uint8_t srv[6] = {0x20, 0x01, 0x0d, 0xb8, 0x00, 0x05};
        memcpy(c->ep[0].addr, cli, 6);
        memcpy(c->ep[1].addr, srv, 6);
        for (int b = 0; b < 4; b++) {
            c->ep[0].addr[15 - b] = (uint8_t)(host >> (8 * b));
            c->ep[1].addr[15 - b] = (uint8_t)(server >> (8 * b));
        }
    } else {
        uint8_t cli[4] = {10, (uint8_t)(host >> 16), (uint8_t)(host >> 8), (uint8_t)host};
        uint8_t srv[4] = {172, 16, (uint8_t)(server >> 8), (uint8_t)server};
        memcpy(c->ep[0].addr, cli, 4);
        memcpy(c->ep[1].addr, srv, 4);
    }
    c->ep[0].port = (uint16_t)(32768 + (i % PORT_SPAN) * 7919 % PORT_SPAN);
    c->ep[1].port = server_ports[rnd(g) % (sizeof server_ports / sizeof server_ports[0])];
    c->ts = chance(g, TS_PERCENT);
    c->ws = chance(g, WS_PERCENT);
    c->ep[0].isn = (uint32_t)rnd(g);
    c->ep[0].ts_off = (uint32_t)rnd(g);
    c->ep[1].ts_off = (uint32_t)rnd(g);
}

/* A closed 4-tuple used again: same addresses, ports and timestamp clocks (Linux derives the
 * timestamp offset from the addresses), an ISN usually above the old one's last sequence
 * number (RFC 6528 clock-driven ISNs), sometimes below it. */
static void reuse_tuple(tg_gen *g, conn *c)
{
    unsigned at = (unsigned)(rnd(g) % g->ring_n);
    closed old = g->ring[at];
    g->ring[at] = g->ring[--g->ring_n];

    *c = old.tuple;
    c->steps = NULL;
    c->n = c->cap = c->pos = 0;
    uint32_t end = old.tuple.ep[0].nxt;
    c->ep[0].isn =
        chance(g, 85) ? end + between(g, 1, 1000000) : end - between(g, 1000000, 100000000);
    for (int d = 0; d < 2; d++) {
        c->ep[d].nxt = 0;
        c->ep[d].tsval_seen = false;
    }
    g->stats.reused++;
    if (old.time_wait && g->now_us - old.closed_us < TIME_WAIT_US)
        g->stats.reused_time_wait++;
}

static void start(tg_gen *g, unsigned slot)
{
    conn *c = &g->slots[slot];
    step *steps = c->steps;
    unsigned cap = c->cap;

    bool long_mix = g->p.mix == TG_MIX_LONG;

    if (!long_mix && g->ring_n > 0 && chance(g, REUSE_PERCENT)) {
        reuse_tuple(g, c);
    } else {
        fresh_tuple(g, c);
    }
    c->steps = steps; /* the slot's plan buffer outlives its connections */
    c->cap = cap;
    c->ep[1].isn = (uint32_t)rnd(g);
    if (long_mix) {
        /* Linux's first windows after the handshake (64 KB), scaled or not. */
        c->ep[0].window = c->ws ? 502 : 64240;
        c->ep[1].window = c->ws ? 509 : 65160;
        c->kind = pick_long_kind(g);
        plan_long(g, c);
    } else {
        c->kind = pick_kind(g);
        plan(g, c);
    }
    g->started++;
    g->pending += c->n;
    g->stats.connections++;
    g->stats.kind[c->kind]++;
    g->stats.v6_connections += c->v6;
    g->open[g->n_open++] = slot;
    if (g->n_open > g->stats.max_open)
        g->stats.max_open = g->n_open;
}

static void remember_closed(tg_gen *g, const conn *c)
{
    bool fin = c->kind <= TG_HALF_CLOSE || c->kind == TG_RST_AFTER_FIN;
    if (!fin && c->kind != TG_RST_INSTEAD_OF_FIN)
        return; /* a refused or unanswered SYN left no connection worth reusing */
    closed entry = {.tuple = *c, .closed_us = g->now_us, .time_wait = c->kind <= TG_HALF_CLOSE};
    entry.tuple.steps = NULL;
    if (g->ring_n < RING_SIZE)
        g->ring[g->ring_n++] = entry;
    else
        g->ring[rnd(g) % RING_SIZE] = entry;
}

static bool want_more(const tg_gen *g)
{
    return g->started < g->p.connections || g->emitted + g->pending < g->p.segments;
}

tg_gen *tg_new(const tg_params *p)
{
    tg_gen *g = calloc(1, sizeof *g);
    if (!g)
        abort();
    g->p = *p;
    if (!g->p.concurrency)
        g->p.concurrency = p->mix == TG_MIX_LONG ? LONG_CONCURRENCY : DEFAULT_CONCURRENCY;
    g->rng = p->seed;
    g->now_us = 1700000000LL * 1000000; /* November 2023 */
    g->slots = calloc(g->p.concurrency, sizeof *g->slots);
    g->open = calloc(g->p.concurrency, sizeof *g->open);
    if (!g->slots || !g->open)
        abort();
    return g;
}

void tg_free(tg_gen *g)
{
    if (!g)
        return;
    for (unsigned i = 0; i < g->p.concurrency; i++)
        free(g->slots[i].steps);
    free(g->slots);
    free(g->open);
    free(g);
}

const tg_stats *tg_stats_of(const tg_gen *g)
{
    return &g->stats;
}

/* ---- emitting ---------------------------------------------------------------------------- */

static void emit(tg_gen *g, conn *c, const step *s, tg_seg *out)
{
    endpoint *me = &c->ep[s->dir], *peer = &c->ep[1 - s->dir];
    bool syn = s->flags & TG_SYN;

    memset(out, 0, sizeof *out);
    out->time_ns = g->now_us * 1000;
    out->v6 = c->v6;
    memcpy(out->src, me->addr, 16);
    memcpy(out->dst, peer->addr, 16);
    out->sport = me->port;
    out->dport = peer->port;
    out->flags = s->flags;
    out->len = s->len;
    out->seq = syn ? me->isn : me->nxt;
    if (s->special == SP_RETX)
        out->seq = me->nxt - s->len; /* the segment just sent, whose bytes nxt already counts */
    out->ack = (s->flags & TG_ACK) ? peer->nxt : 0;
    if (s->special == SP_REFUSE)
        out->seq = 0; /* Linux's answer to a SYN on a closed port: RST,ACK seq 0 */
    if (syn) {
        out->window = s->dir ? 65160 : 64240;
        out->wscale = c->ws ? 7 : -1;
    } else {
        if (s->special == SP_WINDOW_UPDATE)
            me->window = window_grown(me->window, c->ws);
        out->window = me->window ? me->window : (uint16_t)(s->dir ? 509 : 502);
        out->wscale = -1;
    }
    /* Linux's reset of a closed port carries no options; everything else does, if any. */
    out->has_ts = c->ts && s->special != SP_REFUSE;
    if (out->has_ts) {
        out->tsval = me->ts_off + (uint32_t)(g->now_us / 1000);
        out->tsecr = (syn && !(s->flags & TG_ACK)) || !peer->tsval_seen ? 0 : peer->last_tsval;
        me->last_tsval = out->tsval;
        me->tsval_seen = true;
    }
    /* What the segment uses of its sender's sequence space. */
    if (syn && s->special != SP_SYN_RETX)
        me->nxt = me->isn + 1;
    if (!(s->flags & TG_RST) && s->special != SP_RETX)
        me->nxt += s->len + ((s->flags & TG_FIN) ? 1 : 0);
}

bool tg_next(tg_gen *g, tg_seg *out)
{
    /* Open slots fill gradually (the first ~1200 segments), not in one burst of SYNs; the
     * first slots fill in order, later ones are reused as their connections end. */
    if (g->n_open < g->p.concurrency && want_more(g) && (g->n_open == 0 || chance(g, 25)))
        start(g, g->n_open);
    if (g->n_open == 0)
        return false;

    unsigned k = (unsigned)(rnd(g) % g->n_open);
    conn *c = &g->slots[g->open[k]];
    g->now_us += between(g, 0, 2 * MEAN_GAP_US);
    emit(g, c, &c->steps[c->pos++], out);
    g->emitted++;
    g->pending--;
    g->stats.segments++;

    if (c->pos == c->n) {
        unsigned slot = g->open[k];
        remember_closed(g, c);
        g->open[k] = g->open[--g->n_open];
        if (want_more(g))
            start(g, slot);
    }
    return true;
}
