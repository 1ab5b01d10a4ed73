/*
 * capture_time.h: a frame's capture time as the engine takes it, in nanoseconds.
 */
#ifndef TCPPHASE_CAPTURE_TIME_H
#define TCPPHASE_CAPTURE_TIME_H

#include <stdint.h>

#include <wsutil/nstime.h>

/* A capture file may say any time at all (a fuzzed one says year 2660 or worse): saturate
 * rather than overflow, so out-of-range times compare as "very late" or "very early". */
static inline int64_t capture_time_ns(const nstime_t *t)
{
    const int64_t limit = INT64_MAX / 1000000000 - 1;

    if (t->secs > limit)
        return INT64_MAX;
    if (t->secs < -limit)
        return INT64_MIN;
    return (int64_t)t->secs * 1000000000 + t->nsecs;
}

#endif
