/*
 * engine_roles: what the engine costs a segment, role by role, under callgrind.
 *
 *   engine_roles [-m short|long] [-n SEGMENTS] [-c CONNECTIONS] [-s SEED] [-k OPEN]
 *
 * Generates the benchmark mix (traffic.c) into memory and feeds it to the engine twice. The
 * first engine names every frame's role; the second, fresh, is fed each segment through a
 * function of its own for that role (feed_role_N, never inlined), so that callgrind, told to
 * count only inside them (bench/roles does), gives the instructions of each role's segments:
 * the short route's and the full path's, side by side. Prints the segments of each role; the
 * costs come from callgrind. Deterministic: the same mix gives the same counts.
 */
#define _POSIX_C_SOURCE 200809L /* getopt */

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "tcpphase.h"
#include "traffic.h"
#include "traffic_segment.h"

typedef const tp_result *(*feed_fn)(tp_engine *, const tp_segment *);

/* One function a role: callgrind attributes instructions by function. The empty asm keeps
 * identical bodies from being merged into one. */
#define FEED(n)                                                                                    \
    __attribute__((noinline)) static const tp_result *feed_role_##n(tp_engine *e,                  \
                                                                    const tp_segment *s)           \
    {                                                                                              \
        __asm__ volatile("" ::"r"(n));                                                             \
        return tp_engine_feed(e, s);                                                               \
    }
// clang-format off
FEED(0)  FEED(1)  FEED(2)  FEED(3)  FEED(4)  FEED(5)  FEED(6)  FEED(7)
FEED(8)  FEED(9)  FEED(10) FEED(11) FEED(12) FEED(13) FEED(14) FEED(15)
FEED(16) FEED(17) FEED(18) FEED(19) FEED(20) FEED(21) FEED(22) FEED(23)
FEED(24) FEED(25) FEED(26) FEED(27) FEED(28) FEED(29) FEED(30) FEED(31)

static const feed_fn feed_of[] = {
    feed_role_0, feed_role_1, feed_role_2, feed_role_3, feed_role_4, feed_role_5,
    feed_role_6, feed_role_7, feed_role_8, feed_role_9, feed_role_10, feed_role_11,
    feed_role_12, feed_role_13, feed_role_14, feed_role_15, feed_role_16, feed_role_17,
    feed_role_18, feed_role_19, feed_role_20, feed_role_21, feed_role_22, feed_role_23,
    feed_role_24, feed_role_25, feed_role_26, feed_role_27, feed_role_28, feed_role_29,
    feed_role_30, feed_role_31,
};
// clang-format on
#define ROLES (sizeof feed_of / sizeof feed_of[0])
_Static_assert(TP_ROLE_COUNT <= sizeof feed_of / sizeof feed_of[0], "a feed function a role");

int main(int argc, char **argv)
{
    tg_params p = {.segments = 300000, .connections = 30000, .seed = 1};
    int opt;

    while ((opt = getopt(argc, argv, "m:n:c:s:k:")) != -1) {
        if (!tg_option(&p, opt, optarg)) {
            fprintf(stderr, "usage: engine_roles [-m short|long] [-n SEGMENTS] [-c CONNECTIONS] "
                            "[-s SEED] [-k OPEN]\n");
            return 2;
        }
    }
    size_t cap = p.segments + p.segments / 8 + 1024, n = 0;
    tp_segment *segs = malloc(cap * sizeof *segs);
    unsigned char *role = malloc(cap);
    tg_gen *g = tg_new(&p);
    tg_seg t;
    while (segs && role && n < cap && tg_next(g, &t)) {
        tg_to_segment(&t, (uint32_t)(n + 1), &segs[n]);
        n++;
    }
    tg_free(g);
    if (!segs || !role)
        return 1;

    tp_config cfg = {.time_wait_s = 60.0};
    tp_engine *e = tp_engine_new(&cfg);
    for (size_t i = 0; i < n; i++) {
        const tp_result *r = tp_engine_feed(e, &segs[i]);
        role[i] = r && r->role < ROLES ? r->role : TP_ROLE_UNKNOWN;
    }
    tp_engine_free(e);

    unsigned long count[ROLES] = {0};
    e = tp_engine_new(&cfg);
    for (size_t i = 0; i < n; i++) {
        count[role[i]]++;
        feed_of[role[i]](e, &segs[i]);
    }
    tp_engine_free(e);
    for (unsigned k = 0; k < ROLES; k++)
        if (count[k])
            printf("feed_role_%u %s %lu\n", k, tp_role_name((tp_role)k), count[k]);
    free(role);
    free(segs);
    return 0;
}
