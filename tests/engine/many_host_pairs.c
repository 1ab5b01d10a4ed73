/*
 * Many host pairs keep their own facts: the scan's pair index (plugin/engine/scan.c) and the
 * coverage's IPv4 pair set (plugin/engine/coverage.c) start small and grow as pairs come, and
 * every pair must still find its own record after each growth.
 *
 * - 300 IPv4 and 40 IPv6 scanners each SYN-scan 8 ports of one target: port 1 open (SYN-ACK,
 *   reset by the scanner's host), ports 2-6 closed (RST), 7 and 8 silent. Each is a scan of its
 *   own, listed in the order of its first SYN, with its own counts and addresses.
 * - 200 IPv4 client/server pairs each send one SYN that is never answered. For the even ones
 *   the capture shows the server answering the client on another port first (a completed
 *   handshake), so the silence is evidence: "SYN never answered" on that SYN. For the odd ones
 *   the capture never shows that direction (a one-way tap): no finding.
 * Driven through the public API, as the glue drives it.
 */
#include "tcpphase.h"

#include "expect.h"
#include "segment.h"

#include <stdio.h>
#include <string.h>

#define V4_SCANNERS 300
#define V6_SCANNERS 40
#define SCAN_PORTS  8
#define CLIENTS     200

static uint32_t frame;

static tp_addr v4(uint8_t a, uint8_t b, unsigned host)
{
    tp_addr x = {.len = 4, .bytes = {a, b, (uint8_t)(host >> 8), (uint8_t)host}};
    return x;
}

static tp_addr v6(uint8_t net, unsigned host)
{
    tp_addr x = {.len = 16, .bytes = {0x20, 0x01, 0x0d, 0xb8, 0, net}};
    x.bytes[14] = (uint8_t)(host >> 8);
    x.bytes[15] = (uint8_t)host;
    return x;
}

/* One segment from src:sport to dst:dport; returns its frame. */
static uint32_t feed(tp_engine *e, tp_addr src, uint16_t sport, tp_addr dst, uint16_t dport,
                     uint8_t flags, uint32_t seq, uint32_t ack)
{
    tp_segment s = test_segment(++frame, src, sport, dst, dport, flags, seq, ack);
    EXPECT(tp_engine_feed(e, &s) != NULL, "frame %u not taken", frame);
    return frame;
}

static void syn_scan(tp_engine *e, tp_addr scanner, tp_addr target)
{
    const uint32_t isn = 1000;
    for (uint16_t port = 1; port <= SCAN_PORTS; port++) {
        feed(e, scanner, 40100, target, port, TP_SYN, isn, 0);
        if (port == 1) {
            feed(e, target, port, scanner, 40100, TP_SYN | TP_ACK, 7000, isn + 1);
            feed(e, scanner, 40100, target, port, TP_RST, isn + 1, 0);
        } else if (port <= 6) {
            feed(e, target, port, scanner, 40100, TP_RST | TP_ACK, 0, isn + 1);
        }
    }
}

static bool has(const tp_engine *e, uint32_t f, tp_finding_kind kind)
{
    tp_finding found[8];
    size_t n = tp_engine_findings(e, f, true, found, 8);
    for (size_t i = 0; i < n; i++)
        if (found[i].kind == kind)
            return true;
    return false;
}

static void check_scans(const tp_engine *e)
{
    EXPECT(tp_engine_scan_count(e) == V4_SCANNERS + V6_SCANNERS, "%u scans listed, want %d",
           tp_engine_scan_count(e), V4_SCANNERS + V6_SCANNERS);
    for (unsigned i = 0; i < V4_SCANNERS + V6_SCANNERS; i++) {
        tp_scan_summary s;
        tp_addr want = i < V4_SCANNERS ? v4(10, 2, i) : v6(2, i - V4_SCANNERS);
        bool got = tp_engine_scan(e, i, &s);
        EXPECT(got && s.scanner.len == want.len &&
                   memcmp(s.scanner.bytes, want.bytes, want.len) == 0,
               "scan %u: not the scanner expected", i);
        EXPECT(got && s.ports == SCAN_PORTS && s.open == 1 && s.closed == 5 && s.silent == 2 &&
                   s.type == TP_SCAN_SYN,
               "scan %u: %u ports, %u open, %u closed, %u silent, type %s", i, s.ports, s.open,
               s.closed, s.silent, tp_scan_type_name(s.type));
    }
}

int main(void)
{
    tp_engine *e = tp_engine_new(NULL);
    uint32_t lone_syn[CLIENTS];

    for (unsigned i = 0; i < V4_SCANNERS; i++)
        syn_scan(e, v4(10, 2, i), v4(172, 17, 1));
    for (unsigned i = 0; i < V6_SCANNERS; i++)
        syn_scan(e, v6(2, i), v6(3, 1));

    for (unsigned i = 0; i < CLIENTS; i++) {
        tp_addr client = v4(10, 1, i), server = v4(172, 16, i);
        if (i % 2 == 0) { /* the server is seen answering this client */
            feed(e, client, 50000, server, 80, TP_SYN, 100, 0);
            feed(e, server, 80, client, 50000, TP_SYN | TP_ACK, 900, 101);
            feed(e, client, 50000, server, 80, TP_ACK, 101, 901);
        }
        lone_syn[i] = feed(e, client, 50001, server, 81, TP_SYN, 500, 0);
    }

    check_scans(e);
    unsigned proven = 0;
    for (unsigned i = 0; i < CLIENTS; i++) {
        bool unanswered = has(e, lone_syn[i], TP_FIND_SYN_UNANSWERED);
        EXPECT(unanswered == (i % 2 == 0), "client %u: SYN never answered %s, want %s", i,
               unanswered ? "raised" : "not raised", i % 2 == 0 ? "raised" : "not raised");
        proven += unanswered;
    }
    tp_engine_free(e);
    printf("%u frames, %d scans, %u unanswered SYNs proven of %d: %s\n", frame,
           V4_SCANNERS + V6_SCANNERS, proven, CLIENTS, failures ? "FAILED" : "ok");
    return failures ? 1 : 0;
}
