#!/bin/bash
# busy-mix: ~50 overlapping connections of every kind, for statistics.
#
# mix.py starts a client connection every 20 ms from ports 41000.. (table
# in mix.py): normal four-segment and three-segment closes, server closing
# first, half-closes with the server streaming, RST on close with unread
# data, SO_LINGER aborts, RST after FIN, connection refused (port 8081),
# unanswered SYNs (8082 dropped in the server's input hook; TCP_SYNCNT=1,
# linear SYN timeouts off), unacknowledged SYN/ACKs (8083, the client drops
# them; tcp_synack_retries=2) and reuse of a port in TIME-WAIT on the client
# and on the server side.  Each connection behaves as in the single-scenario
# captures; they only overlap in time.  Because the interleaving of
# different connections depends on scheduling, lib/signature compares the
# captures connection by connection (sorted by port), not frame by frame.
#
# Look for: tcp.stream 0..N, many at once; Statistics > Conversations.
# shellcheck source=../lib/netns.sh
source "$(dirname "$0")/../lib/netns.sh"
out_path "$0" "${1:-}"
here=$(cd "$(dirname "$0")" && pwd)

setup_direct
sysctl_ns tpc net.ipv4.tcp_syn_linear_timeouts=0
sysctl_ns tps net.ipv4.tcp_synack_retries=2
nft_drop tps input tcp dport 8082
nft_drop tpc input tcp sport 8083 tcp flags '&' '(syn|ack)' == '(syn|ack)'
ip netns exec tps python3 "$here/mix.py" server &
SRV_PID=$!; BG_PIDS+=("$SRV_PID")
wait_listen tps 8083
capture_start tpc c0 "$OUT"
inc python3 "$here/mix.py" client
sleep 1   # the last SYN/ACK retransmissions (3.4 s after the start)
mark finished
srv_wait
capture_stop
