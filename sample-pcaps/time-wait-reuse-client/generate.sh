#!/bin/bash
# time-wait-reuse-client: the client reconnects from a port it holds in
# TIME-WAIT.
#
# Connection 1: the client closes first (FIN, FIN/ACK, ACK), so the client
# kernel keeps the 4-tuple in TIME-WAIT (60 s).  100 ms later the client
# binds the same source port again (SO_REUSEADDR on both sockets, needed
# for bind() to succeed while the TIME-WAIT socket owns the port) and
# connects to the same server port.  Because the port was bound explicitly
# and the TIME-WAIT socket has TCP timestamps, Linux lets the new connection
# take over the 4-tuple at once (tcp_twsk_unique(); the tcp_tw_reuse sysctl
# only matters for ports chosen by the kernel), and starts it with
# ISN = last sequence number of the old connection + 65537, so that no old
# duplicate can fall into the new window.  The server has no state left
# (LAST-ACK ended with the client's ACK) and accepts the SYN normally.
#
# Look for: two complete connections on the same 4-tuple; the second SYN
# follows the first connection's final ACK by ~100 ms; in the raw sequence
# numbers (tcp.seq_raw), SYN 2 = FIN 1 + 65538.
# shellcheck source=../lib/netns.sh
source "$(dirname "$0")/../lib/netns.sh"
out_path "$0" "${1:-}"

setup_direct
srv listen "$S4" "$SPORT" accept recv 100 send 300 eof close \
	accept recv 100 send 300 eof close
wait_listen tps "$SPORT"
capture_start tpc c0 "$OUT"
cli reuseaddr bind "$C4" 40011 connect "$S4" "$SPORT" send 100 recv 300 close sleep 0.1 \
	reuseaddr bind "$C4" 40011 connect "$S4" "$SPORT" send 100 recv 300 close
srv_wait
capture_stop
