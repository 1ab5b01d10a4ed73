/*
 * A SYN scan of 1,000 ports is one event: it adds a handful of Warnings at most (one for the
 * scan, one half_open per open port, where the server held a half-made connection), no
 * "SYN never answered" for its silent ports, and one tcpphase.scan finding, on the first SYN,
 * whose counts are those of the ports: 3 open (SYN-ACK, reset by the scanner's host), 900
 * closed (RST), 97 silent. Driven through the public API, as the glue drives it.
 */
#include "tcpphase.h"

#include "expect.h"
#include "segment.h"

#include <stdio.h>
#include <string.h>

#define PORTS 1000

static uint32_t frame;

/* One segment between the scanner (10.0.0.1:40100) and the target (10.0.0.2:port). */
static void feed(tp_engine *e, bool from_scanner, uint16_t port, uint8_t flags, uint32_t seq,
                 uint32_t ack)
{
    tp_addr scanner = {.len = 4, .bytes = {10, 0, 0, 1}},
            target = {.len = 4, .bytes = {10, 0, 0, 2}};
    tp_segment s =
        test_segment(++frame, from_scanner ? scanner : target, from_scanner ? 40100 : port,
                     from_scanner ? target : scanner, from_scanner ? port : 40100, flags, seq, ack);
    EXPECT(tp_engine_feed(e, &s) != NULL, "frame %u not taken", frame);
}

/* Warnings by kind, as the glue registers them: half_open, time_wait_reuse, rst_instead_of_fin,
 * rst_after_fin and scan. */
static bool warning(tp_finding_kind k)
{
    return k == TP_FIND_HALF_OPEN || k == TP_FIND_TIME_WAIT_REUSE ||
           k == TP_FIND_RST_INSTEAD_OF_FIN || k == TP_FIND_RST_AFTER_FIN || k == TP_FIND_SCAN;
}

int main(void)
{
    tp_engine *e = tp_engine_new(NULL);
    const uint32_t isn = 2112174809;

    for (uint16_t port = 1; port <= PORTS; port++) {
        feed(e, true, port, TP_SYN, isn, 0);
        if (port == 22 || port == 80 || port == 443) { /* open: the scanner's host resets it */
            feed(e, false, port, TP_SYN | TP_ACK, 7000, isn + 1);
            feed(e, true, port, TP_RST, isn + 1, 0);
        } else if (port <= 903) { /* closed */
            feed(e, false, port, TP_RST | TP_ACK, 0, isn + 1);
        } /* the rest: filtered, no answer */
    }

    unsigned warnings = 0, scans = 0, unanswered = 0, half_open = 0;
    for (uint32_t f = 1; f <= frame; f++) {
        tp_finding found[8];
        size_t n = tp_engine_findings(e, f, true, found, 8);
        for (size_t i = 0; i < n; i++) {
            warnings += warning(found[i].kind);
            scans += found[i].kind == TP_FIND_SCAN;
            unanswered += found[i].kind == TP_FIND_SYN_UNANSWERED;
            half_open += found[i].kind == TP_FIND_HALF_OPEN;
            if (found[i].kind == TP_FIND_SCAN) {
                EXPECT(f == 1, "the scan finding is on frame %u, not the first SYN", f);
                EXPECT(strstr(found[i].message, "Port scan (SYN) of 10.0.0.2 by 10.0.0.1: 1000 "
                                                "ports tried, 3 open (SYN-ACK), 900 closed "
                                                "(RST), 97 no answer") != NULL,
                       "scan message: %s", found[i].message);
            }
        }
    }
    EXPECT(scans == 1, "%u scan findings, want 1", scans);
    EXPECT(half_open == 3, "%u half_open findings, want 3 (the open ports)", half_open);
    EXPECT(unanswered == 0, "%u syn_unanswered findings, want none (the scan speaks for them)",
           unanswered);
    EXPECT(warnings <= 5, "%u Warnings for a scan of %d ports, want a handful", warnings, PORTS);

    tp_scan_summary s;
    EXPECT(tp_engine_scan_count(e) == 1, "%u scans listed, want 1", tp_engine_scan_count(e));
    EXPECT(tp_engine_scan(e, 0, &s) && s.ports == PORTS && s.open == 3 && s.closed == 900 &&
               s.silent == 97 && s.type == TP_SCAN_SYN && s.first_frame == 1,
           "scan summary: %u ports, %u open, %u closed, %u silent, type %s, first frame %u",
           s.ports, s.open, s.closed, s.silent, tp_scan_type_name(s.type), s.first_frame);
    tp_engine_free(e);
    printf("%u frames, %u Warnings, 1 scan: %s\n", frame, warnings, failures ? "FAILED" : "ok");
    return failures ? 1 : 0;
}
