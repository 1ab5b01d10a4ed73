/*
 * engine_bench: the tcpphase engine alone, without Wireshark.
 *
 *   engine_bench [-m short|long] [-n SEGMENTS] [-c CONNECTIONS] [-s SEED] [-k OPEN]
 *                [-r REPEATS]
 *
 * Generates the benchmark mix (traffic.c, the same as gen's captures) into memory first, then
 * feeds it to a fresh engine REPEATS times, timing only the feeding (wall clock, and the
 * thread's CPU time, which other load on the machine disturbs less), and prints segments per
 * second (median and best), plus the engine's memory after the whole capture, two ways: the
 * resident memory it added (pages touched: what RSS, and so tshark's peak RSS, sees) and the
 * heap it holds (glibc's mallinfo2: allocator overheads counted, arrays at their allocated
 * size). Each is split into the per-frame results array (12 bytes a frame written) and the
 * rest, which is per connection. A last line repeats the figures as key=value for bench/run.
 *
 * -m long: the long mix (traffic.h), as gen -m long writes it, one connection per 300
 * segments unless -c says otherwise.
 */
#define _GNU_SOURCE /* mallinfo2 */

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "conn.h" /* sizeof(tp_conn), for the report */
#include "tcpphase.h"
#include "traffic.h"
#include "traffic_segment.h"

static double clock_s(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Bytes the heap has handed out and not taken back (brk arena and mmap'd blocks). */
static size_t heap_in_use(void)
{
    struct mallinfo2 mi = mallinfo2();
    return mi.uordblks + mi.hblkhd;
}

static size_t rss_bytes(void)
{
    long pages = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f) {
        if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
            resident = 0;
        fclose(f);
    }
    return (size_t)resident * (size_t)sysconf(_SC_PAGESIZE);
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void usage(void)
{
    fprintf(stderr, "usage: engine_bench [-m short|long] [-n SEGMENTS] [-c CONNECTIONS] "
                    "[-s SEED] [-k OPEN] [-r REPEATS]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    tg_params p = {.segments = 1000000, .connections = 50000, .seed = 1};
    int repeats = 5, opt;
    bool connections_set = false;

    while ((opt = getopt(argc, argv, "m:n:c:s:k:r:")) != -1) {
        if (opt == 'r')
            repeats = atoi(optarg);
        else if (!tg_option(&p, opt, optarg))
            usage();
        connections_set = connections_set || opt == 'c';
    }
    if (optind != argc || repeats < 1 || p.segments == 0)
        usage();
    if (p.mix == TG_MIX_LONG && !connections_set)
        p.connections = p.segments / 300 ? p.segments / 300 : 1;

    /* Pre-generate: the timed loop reads segments from memory and does nothing else. */
    size_t cap = p.segments + p.segments / 8 + 1024, n = 0;
    tp_segment *segs = malloc(cap * sizeof *segs);
    tg_gen *g = tg_new(&p);
    tg_seg t;
    while (segs && tg_next(g, &t)) {
        if (n == cap) {
            cap *= 2;
            segs = realloc(segs, cap * sizeof *segs);
            if (!segs)
                break;
        }
        tg_to_segment(&t, (uint32_t)(n + 1), &segs[n]);
        n++;
    }
    if (!segs) {
        fprintf(stderr, "engine_bench: out of memory\n");
        return 1;
    }
    uint64_t conns_generated = tg_stats_of(g)->connections;
    tg_free(g);

    double *secs = calloc((size_t)repeats, sizeof *secs);
    double *cpu = calloc((size_t)repeats, sizeof *cpu);
    size_t heap = 0, rss = 0;
    uint32_t conns = 0;
    uint64_t checksum = 0; /* keeps the results live, and shows runs agree */
    for (int r = 0; r < repeats; r++) {
        size_t heap0 = heap_in_use(), rss0 = rss_bytes();
        tp_config cfg = {.time_wait_s = 60.0};
        tp_engine *e = tp_engine_new(&cfg);
        uint64_t sum = 0;

        double t0 = clock_s(CLOCK_MONOTONIC), c0 = clock_s(CLOCK_THREAD_CPUTIME_ID);
        for (size_t i = 0; i < n; i++) {
            const tp_result *res = tp_engine_feed(e, &segs[i]);
            sum += res ? (uint64_t)res->role + res->after[0] + res->after[1] : 0;
        }
        secs[r] = clock_s(CLOCK_MONOTONIC) - t0;
        cpu[r] = clock_s(CLOCK_THREAD_CPUTIME_ID) - c0;

        if (r == 0) {
            heap = heap_in_use() - heap0;
            rss = rss_bytes() - rss0;
            conns = tp_engine_conn_count(e);
            checksum = sum;
        } else if (sum != checksum) {
            fprintf(stderr, "engine_bench: run %d disagrees with run 0\n", r);
            return 1;
        }
        tp_engine_free(e);
    }

    qsort(secs, (size_t)repeats, sizeof *secs, by_value);
    qsort(cpu, (size_t)repeats, sizeof *cpu, by_value);
    double median = secs[repeats / 2], best = secs[0], cpu_median = cpu[repeats / 2];
    /* The results as written: one tp_result per frame number (frames count from 1). */
    double results_bytes = (double)(n + 1) * sizeof(tp_result);
    double rss_seg = (double)rss / n, heap_seg = (double)heap / n;
    double rss_conn = conns ? ((double)rss - results_bytes) / conns : 0;
    double heap_conn = conns ? ((double)heap - results_bytes) / conns : 0;

    printf("engine alone: %zu segments, %u connections (generated %llu), %d runs\n", n, conns,
           (unsigned long long)conns_generated, repeats);
    printf("  time        median %.3f s wall (best %.3f s), %.3f s CPU\n", median, best,
           cpu_median);
    printf("  speed       %.1f M segments/s wall (best %.1f), %.1f M segments/s CPU; %.1f "
           "ns/segment\n",
           n / median / 1e6, n / best / 1e6, n / cpu_median / 1e6, median / n * 1e9);
    printf("  resident    %.1f MB: %.1f bytes/segment overall = %zu bytes/frame of results "
           "(sizeof(tp_result)) + %.1f bytes/connection (sizeof(tp_conn) %zu)\n",
           rss / 1e6, rss_seg, sizeof(tp_result), rss_conn, sizeof(tp_conn));
    printf("  heap        %.1f MB: %.1f bytes/segment overall; less the results as written, %.1f "
           "bytes/connection\n",
           heap / 1e6, heap_seg, heap_conn);
    printf("engine_bench segments=%zu connections=%u median_s=%.4f best_s=%.4f cpu_s=%.4f "
           "mseg_s=%.2f cpu_mseg_s=%.2f ns_seg=%.1f rss_bytes=%zu rss_bytes_seg=%.1f "
           "rss_bytes_conn=%.1f heap_bytes=%zu heap_bytes_seg=%.1f heap_bytes_conn=%.1f "
           "result_bytes_seg=%zu sizeof_conn=%zu\n",
           n, conns, median, best, cpu_median, n / median / 1e6, n / cpu_median / 1e6,
           median / n * 1e9, rss, rss_seg, rss_conn, heap, heap_seg, heap_conn, sizeof(tp_result),
           sizeof(tp_conn));
    free(cpu);
    free(secs);
    free(segs);
    return 0;
}
