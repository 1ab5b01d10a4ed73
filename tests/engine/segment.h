/*
 * The engine tests' segment: frame n captured at n * 100 microseconds, a window of 1024 and no
 * options, from src:sport to dst:dport. For tests that build their traffic segment by segment.
 */
#ifndef TCPPHASE_TEST_SEGMENT_H
#define TCPPHASE_TEST_SEGMENT_H

#include "tcpphase.h"

static inline tp_segment test_segment(uint32_t frame, tp_addr src, uint16_t sport, tp_addr dst,
                                      uint16_t dport, uint8_t flags, uint32_t seq, uint32_t ack)
{
    tp_segment s = {.frame = frame,
                    .time_ns = (int64_t)frame * 100000,
                    .src = src,
                    .dst = dst,
                    .sport = sport,
                    .dport = dport,
                    .flags = flags,
                    .seq = seq,
                    .ack = ack,
                    .window = 1024,
                    .wscale = -1};
    return s;
}

#endif
