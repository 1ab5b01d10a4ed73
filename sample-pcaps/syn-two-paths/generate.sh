#!/bin/bash
# syn-two-paths: one SYN captured twice, before and after a router.
#
# The client and server talk through a router namespace (lib/netns.sh
# setup_router: the kernel's IP forwarding, which lowers the TTL by one).
# Two captures run on the router: on r1 (its server-side interface) every
# TCP frame, on r0 (its client-side interface) only SYNs without ACK, as a
# monitoring box that taps two links and merges them sees a connection
# whose SYN crossed both.  The two captures are merged by time (mergecap).
# The kernel does nothing unusual: a normal connection (handshake, request,
# answer, four-segment close as in normal-close).  The capture holds the one
# SYN twice, tens of microseconds apart: the same ISN, options, IP ID and
# payload, the TTL 64 (as sent, on r0) and 63 (forwarded, on r1), other
# MACs.  The second copy is not a retransmission (a retransmitted SYN has
# a new IP ID, and comes after 1 s).
#
# Look for: SYN (c, TTL 64), the same SYN (TTL 63, < 1 ms later); SYN/ACK
# (s); ACK (c); request (c, 100 bytes); ACK (s); answer (s, 300 bytes); ACK
# (c); FIN (c); ACK (s); FIN (s); ACK (c).
# shellcheck source=../lib/netns.sh
source "$(dirname "$0")/../lib/netns.sh"
out_path "$0" "${1:-}"

setup_router
srv listen "$S4" "$SPORT" accept recv 100 send 300 eof sleep 0.2 close
wait_listen "$NSS" "$SPORT"
# capture_start adds "tcp" to the filter: "SYN without ACK and tcp".
capture_start "$NSR" r0 "$SYNC/r0.pcap" 'tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn and'
r0_pid=$CAP_PID
capture_start "$NSR" r1 "$SYNC/r1.pcap"
cli bind "$C4" 40025 connect "$S4" "$SPORT" send 100 recv 300 close
srv_wait
capture_stop
kill -INT "$r0_pid"
wait "$r0_pid" || true
mergecap -F pcap -w "$OUT" "$SYNC/r0.pcap" "$SYNC/r1.pcap"
chmod 644 "$OUT"
