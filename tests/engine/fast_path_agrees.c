/*
 * The common segment's short route (plugin/engine/fastpath.c) changes nothing anyone can read:
 * two engines, one with it and one sending every segment through every stage (tp_config
 * full_path), are fed the same segments and must answer alike, frame by frame (the stored
 * result, the second look and what corrected it, the findings with hindsight, the gaps and the
 * segments never delivered) and connection by connection (the summaries, Zeek's view with them,
 * and the scans): tests/engine/agree.h.
 *
 * The segments: the benchmark's mix (bench/traffic.c), clean and then disturbed as captures
 * are: segments dropped (the capture missed them), swapped with the next (reordered),
 * repeated at once (seen twice) or later (retransmitted), and keep-alives added, so that the
 * short route's conditions (in order, nothing acknowledged unseen, nothing awaited, no
 * keep-alive) meet their edges; and the closes disturbed most, where the ACKs of FINs take it.
 * Every scenario of tests/engine/scenarios/ is compared the same way (scenario.c).
 */
#include "agree.h"
#include "tcpphase.h"
#include "traffic.h"
#include "traffic_segment.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;

/* A small deterministic generator for the disturbances (xorshift64). */
static uint64_t next_random(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *state = x;
}

/* The mix for these parameters, disturbed: each segment dropped, swapped with the one before,
 * repeated at once or repeated some frames later, and a bare ACK preceded by a keep-alive, with
 * probability `per_mille` each; with `closes` only a FIN and the three segments after it, where
 * the close's ACKs take the short route (many connections are open at once, so the three are
 * often another connection's, the FIN's ACK among them). */
static tp_segment *segments(const tg_params *p, unsigned per_mille, bool closes, size_t *count)
{
    size_t cap = 3 * p->segments + 1024, n = 0;
    tg_seg *raw = malloc(cap * sizeof *raw), later[8];
    size_t n_later = 0;
    tp_segment *out = malloc(cap * sizeof *out);
    uint64_t rnd = p->seed * 0x9e3779b97f4a7c15ull + 1;
    tg_gen *g = tg_new(p);
    tg_seg t;
    unsigned near_fin = 0;

    while (n + 4 < cap && tg_next(g, &t)) {
        unsigned roll = (unsigned)(next_random(&rnd) % 1000);
        if (t.flags & TG_FIN)
            near_fin = 4;
        if (closes && near_fin == 0)
            roll = 1000; /* undisturbed */
        else if (near_fin > 0)
            near_fin--;
        if (roll < per_mille)
            continue; /* dropped */
        raw[n++] = t;
        if (roll < 2 * per_mille && n >= 2) { /* swapped with the one before */
            tg_seg a = raw[n - 2];
            raw[n - 2] = raw[n - 1];
            raw[n - 1] = a;
        } else if (roll < 3 * per_mille) { /* seen twice */
            raw[n++] = t;
        } else if (roll < 4 * per_mille && n_later < 8) { /* sent again, later */
            later[n_later++] = t;
        } else if (roll < 5 * per_mille && t.flags == TG_ACK && t.len == 0) {
            /* a keep-alive before it (one below what the peer acknowledged, mostly), and the
             * peer's ACK of that */
            tg_seg ka = t, reply = t;
            ka.seq--;
            memcpy(reply.src, t.dst, sizeof reply.src);
            memcpy(reply.dst, t.src, sizeof reply.dst);
            reply.sport = t.dport;
            reply.dport = t.sport;
            reply.seq = t.ack;
            reply.ack = t.seq;
            raw[n - 1] = ka;
            raw[n++] = reply;
            raw[n++] = t;
        }
        if (n_later > 0 && next_random(&rnd) % 16 == 0)
            raw[n++] = later[--n_later];
    }
    tg_free(g);
    for (size_t i = 0; i < n; i++) {
        tg_to_segment(&raw[i], (uint32_t)(i + 1), &out[i]);
        if (i > 0 && out[i].time_ns < out[i - 1].time_ns) /* capture times do not go back */
            out[i].time_ns = out[i - 1].time_ns;
    }
    free(raw);
    *count = n;
    return out;
}

static void run(const char *name, const tg_params *p, unsigned per_mille, bool closes)
{
    size_t n;
    tp_segment *segs = segments(p, per_mille, closes, &n);
    tp_config with = {.time_wait_s = 60.0}, without = {.time_wait_s = 60.0, .full_path = true};
    tp_engine *fast = tp_engine_new(&with), *full = tp_engine_new(&without);
    int before = failures;

    for (size_t i = 0; i < n; i++) {
        tp_engine_feed(fast, &segs[i]);
        tp_engine_feed(full, &segs[i]);
        /* The summary as it stands mid-capture too: Zeek's view and the counts move on every
         * segment. */
        if (i % 97 == 0) {
            const tp_result *r = tp_engine_lookup(fast, segs[i].frame);
            agree_conn(fast, full, r ? r->conn : 0, "the running summary of connection", name,
                       &failures);
        }
    }
    for (size_t i = 0; i < n; i++)
        agree_frame(fast, full, segs[i].frame, name, &failures);
    agree_conns(fast, full, name, &failures);
    printf("%s: %zu segments, %u connections, %d difference%s\n", name, n,
           tp_engine_conn_count(fast), failures - before, failures - before == 1 ? "" : "s");
    tp_engine_free(fast);
    tp_engine_free(full);
    free(segs);
}

int main(void)
{
    tg_params clean = {.segments = 200000, .connections = 5000, .seed = 1};
    tg_params busy = {.segments = 100000, .connections = 2000, .seed = 7, .concurrency = 1000};

    tg_params few = {.segments = 100000, .connections = 5000, .seed = 3, .concurrency = 4};

    run("the benchmark mix", &clean, 0, false);
    run("the benchmark mix, 1 % disturbed", &clean, 10, false);
    run("many open connections, 5 % disturbed", &busy, 50, false);
    run("the closes, 15 % disturbed", &clean, 150, true);
    run("the closes of a few connections at a time, 15 % disturbed", &few, 150, true);
    return failures ? 1 : 0;
}
