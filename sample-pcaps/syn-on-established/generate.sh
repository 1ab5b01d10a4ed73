#!/bin/bash
# syn-on-established: the client crashed and reconnects from the same port
# while the server still holds the old connection (half-open).
#
# After a request/answer the client "crashes" silently: its namespace drops
# all TCP output (nftables), `ss -K` destroys its socket (that RST is
# dropped), the drop is removed.  The server still has the connection
# ESTABLISHED.  A new client program binds the same source port and
# connects: its SYN (new ISN) matches the server's established socket.
# Following RFC 5961 4.2 the server does not reset on an in-window SYN but
# answers with a "challenge ACK" carrying its current seq/ack.  The client
# (SYN-SENT) sees an ACK that does not acknowledge its SYN and sends a RST
# with seq = that ack number, which is exactly the server's rcv_nxt, so the
# server drops the old connection.  The client retransmits its SYN ~10 ms
# later (its timer is re-armed to TCP_TIMEOUT_MIN after an unacceptable
# ACK), the listener answers and the new connection proceeds.
#
# Look for: connection 1 without a FIN; SYN (c), ACK (s) with the old
# numbers (lib/signature marks them "(prev)"), RST (c), SYN (c, same seq),
# SYN/ACK, ACK, request, answer, normal close.
# shellcheck source=../lib/netns.sh
source "$(dirname "$0")/../lib/netns.sh"
out_path "$0" "${1:-}"

setup_direct
srv listen "$S4" "$SPORT" accept recv 100 send 300 try eof close \
	accept recv 100 send 300 eof close
wait_listen tps "$SPORT"
capture_start tpc c0 "$OUT"
cli bind "$C4" 40019 connect "$S4" "$SPORT" send 100 recv 300 mark exchanged wait finished &
BG_PIDS+=($!); cli_pid=$!
wait_mark exchanged
sleep 0.1
nft_drop tpc output meta l4proto tcp
inc ss -K -t -n dst "$S4" >/dev/null
nft_clear tpc
sleep 0.2
mark finished
wait "$cli_pid"
cli reuseaddr bind "$C4" 40019 connect "$S4" "$SPORT" send 100 recv 300 close
srv_wait
capture_stop
