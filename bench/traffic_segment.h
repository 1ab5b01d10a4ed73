/*
 * traffic_segment.h: a generated segment (traffic.h) as the engine's input (tcpphase.h), for
 * the programs that feed the engine directly: bench/engine_bench.c and
 * tests/engine/fast_path_agrees.c.
 */
#ifndef TCPPHASE_TRAFFIC_SEGMENT_H
#define TCPPHASE_TRAFFIC_SEGMENT_H

#include <string.h>

#include "tcpphase.h"
#include "traffic.h"

static inline void tg_to_segment(const tg_seg *t, uint32_t frame, tp_segment *s)
{
    memset(s, 0, sizeof *s);
    s->frame = frame;
    s->time_ns = t->time_ns;
    s->src.len = s->dst.len = t->v6 ? 16 : 4;
    memcpy(s->src.bytes, t->src, s->src.len);
    memcpy(s->dst.bytes, t->dst, s->dst.len);
    s->sport = t->sport;
    s->dport = t->dport;
    s->flags = t->flags;
    s->seq = t->seq;
    s->ack = t->ack;
    s->len = t->len;
    s->window = t->window;
    s->wscale = t->wscale;
    s->has_ts = t->has_ts;
    s->tsval = t->tsval;
    s->tsecr = t->tsecr;
}

#endif
