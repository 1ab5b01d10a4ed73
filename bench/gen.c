/*
 * gen: writes a benchmark capture, a classic pcap of many interleaved TCP connections
 * (traffic.c has the mix). Seeded and reproducible: the same arguments give the same bytes.
 *
 *   gen [-m short|long] [-n SEGMENTS] [-c CONNECTIONS] [-s SEED] [-k OPEN] [-S SNAPLEN]
 *       -o OUT.pcap
 *
 * -m long: the long mix (traffic.h), file transfers and streams of hundreds of segments; its
 * connections default to one per 300 segments.
 *
 * Frames are Ethernet / IPv4 or IPv6 / TCP with MSS, SACK-permitted, window scale and
 * timestamps options as Linux sends them. Checksums: the IPv4 header's is right, TCP's is
 * left zero (tshark does not check it by default). Payload bytes are zeros; with a snap length
 * (default 96, like tcpdump -s 96) only the headers are stored, as in a header-only capture,
 * which keeps a million-segment file near 100 MB. -S 0 stores whole frames.
 *
 * The capture is a bench-time artefact: write it under /var/tmp (never into the repository).
 */
#define _POSIX_C_SOURCE 200809L /* getopt */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "traffic.h"

#define MAX_FRAME (14 + 40 + 60 + 65535)

static void put16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* Little-endian, for the pcap headers (written in this machine's order, which readers
 * detect from the magic; we fix little-endian so the file is the same on any host). */
static void le32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint16_t ip_checksum(const uint8_t *h, size_t n)
{
    uint32_t sum = 0;
    for (size_t i = 0; i + 1 < n; i += 2)
        sum += (uint32_t)(h[i] << 8 | h[i + 1]);
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

/* TCP options as Linux lays them out; returns their length (a multiple of 4). */
static size_t tcp_options(const tg_seg *s, uint8_t *o)
{
    size_t n = 0;
    if (s->flags & TG_SYN) {
        o[n++] = 2; /* MSS 1460 */
        o[n++] = 4;
        put16(o + n, 1460);
        n += 2;
        if (s->has_ts) {
            o[n++] = 4; /* SACK permitted, then timestamps */
            o[n++] = 2;
        } else {
            o[n++] = 1;
            o[n++] = 1;
            o[n++] = 4;
            o[n++] = 2;
        }
    } else if (s->has_ts) {
        o[n++] = 1;
        o[n++] = 1;
    }
    if (s->has_ts) {
        o[n++] = 8;
        o[n++] = 10;
        put32(o + n, s->tsval);
        put32(o + n + 4, s->tsecr);
        n += 8;
    }
    if (s->wscale >= 0) {
        o[n++] = 1;
        o[n++] = 3;
        o[n++] = 3;
        o[n++] = (uint8_t)s->wscale;
    }
    return n;
}

/* Builds the whole frame (payload zeros); returns its length. */
static size_t frame(const tg_seg *s, uint16_t ip_id, uint8_t *f)
{
    static const uint8_t mac_client[6] = {0x02, 0, 0, 0, 0, 0x01};
    static const uint8_t mac_server[6] = {0x02, 0, 0, 0, 0, 0x02};
    uint8_t opts[40];
    size_t optlen = tcp_options(s, opts);
    size_t tcplen = 20 + optlen;
    size_t ip = 14, iplen = s->v6 ? 40 : 20;
    bool from_client = s->sport > 1024; /* servers listen on low ports here */

    memcpy(f, from_client ? mac_server : mac_client, 6);
    memcpy(f + 6, from_client ? mac_client : mac_server, 6);
    put16(f + 12, s->v6 ? 0x86dd : 0x0800);
    if (s->v6) {
        put32(f + ip, 0x60000000);
        put16(f + ip + 4, (uint32_t)(tcplen + s->len));
        f[ip + 6] = 6;
        f[ip + 7] = 64;
        memcpy(f + ip + 8, s->src, 16);
        memcpy(f + ip + 24, s->dst, 16);
    } else {
        f[ip] = 0x45;
        f[ip + 1] = 0;
        put16(f + ip + 2, (uint32_t)(iplen + tcplen + s->len));
        put16(f + ip + 4, ip_id);
        put16(f + ip + 6, 0x4000); /* DF */
        f[ip + 8] = 64;
        f[ip + 9] = 6;
        put16(f + ip + 10, 0);
        memcpy(f + ip + 12, s->src, 4);
        memcpy(f + ip + 16, s->dst, 4);
        put16(f + ip + 10, ip_checksum(f + ip, 20));
    }
    uint8_t *t = f + ip + iplen;
    put16(t, s->sport);
    put16(t + 2, s->dport);
    put32(t + 4, s->seq);
    put32(t + 8, s->ack);
    t[12] = (uint8_t)((tcplen / 4) << 4);
    t[13] = s->flags;
    put16(t + 14, s->window);
    put16(t + 16, 0); /* checksum: not computed */
    put16(t + 18, 0);
    memcpy(t + 20, opts, optlen);
    memset(t + tcplen, 0, s->len);
    return ip + iplen + tcplen + s->len;
}

static void usage(void)
{
    fprintf(stderr, "usage: gen [-m short|long] [-n SEGMENTS] [-c CONNECTIONS] [-s SEED] "
                    "[-k OPEN] [-S SNAPLEN] -o OUT.pcap\n");
    exit(2);
}

static uint64_t number(const char *s)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || end == s)
        usage();
    return v;
}

int main(int argc, char **argv)
{
    tg_params p = {.segments = 1000000, .connections = 50000, .seed = 1};
    const char *out = NULL;
    uint32_t snaplen = 96;
    bool connections_set = false;
    int opt;

    while ((opt = getopt(argc, argv, "m:n:c:s:k:S:o:")) != -1) {
        switch (opt) {
        case 'm':
            if (!tg_mix_parse(optarg, &p.mix))
                usage();
            break;
        case 'n':
            p.segments = number(optarg);
            break;
        case 'c':
            p.connections = number(optarg);
            connections_set = true;
            break;
        case 's':
            p.seed = number(optarg);
            break;
        case 'k':
            p.concurrency = (unsigned)number(optarg);
            break;
        case 'S':
            snaplen = (uint32_t)number(optarg);
            break;
        case 'o':
            out = optarg;
            break;
        default:
            usage();
        }
    }
    if (!out || optind != argc)
        usage();
    if (p.mix == TG_MIX_LONG && !connections_set)
        p.connections = p.segments / 300 ? p.segments / 300 : 1;
    if (snaplen == 0 || snaplen > MAX_FRAME)
        snaplen = MAX_FRAME;

    FILE *f = fopen(out, "wb");
    if (!f) {
        perror(out);
        return 1;
    }
    static char buf[1 << 20];
    setvbuf(f, buf, _IOFBF, sizeof buf);

    /* Classic pcap, microsecond resolution, Ethernet. */
    uint8_t hdr[24];
    le32(hdr, 0xa1b2c3d4);
    hdr[4] = 2, hdr[5] = 0, hdr[6] = 4, hdr[7] = 0;
    le32(hdr + 8, 0);
    le32(hdr + 12, 0);
    le32(hdr + 16, snaplen);
    le32(hdr + 20, 1);
    fwrite(hdr, 1, sizeof hdr, f);

    static uint8_t fr[MAX_FRAME];
    tg_gen *g = tg_new(&p);
    tg_seg s;
    uint16_t ip_id = 0;
    while (tg_next(g, &s)) {
        size_t len = frame(&s, ip_id++, fr);
        size_t cap = len < snaplen ? len : snaplen;
        uint8_t rec[16];
        le32(rec, (uint32_t)(s.time_ns / 1000000000));
        le32(rec + 4, (uint32_t)(s.time_ns / 1000 % 1000000));
        le32(rec + 8, (uint32_t)cap);
        le32(rec + 12, (uint32_t)len);
        fwrite(rec, 1, sizeof rec, f);
        fwrite(fr, 1, cap, f);
    }
    if (fclose(f) != 0) {
        perror(out);
        return 1;
    }

    const tg_stats *st = tg_stats_of(g);
    fprintf(stderr, "gen: %s: %llu segments, %llu connections (%llu IPv6), at most %u open\n", out,
            (unsigned long long)st->segments, (unsigned long long)st->connections,
            (unsigned long long)st->v6_connections, st->max_open);
    for (int k = 0; k < TG_KIND_COUNT; k++)
        fprintf(stderr, "gen:   %-27s %llu\n", tg_kind_name((tg_kind)k),
                (unsigned long long)st->kind[k]);
    fprintf(stderr, "gen:   4-tuple reused              %llu (%llu within TIME-WAIT)\n",
            (unsigned long long)st->reused, (unsigned long long)st->reused_time_wait);
    if (p.mix == TG_MIX_LONG)
        fprintf(stderr,
                "gen:   long mix: %llu uploads, %llu retransmissions, %llu window updates\n",
                (unsigned long long)st->uploads, (unsigned long long)st->retransmissions,
                (unsigned long long)st->window_updates);
    tg_free(g);
    return 0;
}
