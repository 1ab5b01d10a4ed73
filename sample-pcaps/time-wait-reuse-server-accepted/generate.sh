#!/bin/bash
# time-wait-reuse-server-accepted: a new SYN hits the server's TIME-WAIT
# socket and is accepted.
#
# Connection 1: the server closes first (FIN, FIN/ACK, ACK), so the SERVER
# kernel holds the 4-tuple in TIME-WAIT; the client has no state left.  The
# client binds the same source port again and connects: its SYN reaches the
# server's TIME-WAIT socket.  RFC 1122 4.2.2.13 / RFC 6191: a SYN may reopen
# a connection in TIME-WAIT if its sequence number is above the old one's
# (Linux: after(seq, rcv_nxt)) or, with timestamps, its TSval is newer.
# Both hold here (the client's ISN is hash(4-tuple) + a clock ticking
# every 64 ns, so it is ~3 M higher 200 ms later; timestamps on).  Linux
# kills the TIME-WAIT socket, hands the SYN to the listener, and picks the
# server's new ISN as old snd_nxt + 65537 (tcp_timewait_state_process()).
#
# Look for: connection 1 ending FIN (s), FIN/ACK (c), ACK (s); then a SYN on
# the same 4-tuple answered by a normal SYN/ACK; raw seq of that SYN/ACK =
# the server's old FIN seq + 65538.
# shellcheck source=../lib/netns.sh
source "$(dirname "$0")/../lib/netns.sh"
out_path "$0" "${1:-}"

setup_direct
srv listen "$S4" "$SPORT" accept recv 100 send 300 sleep 0.1 close \
	accept recv 100 send 300 sleep 0.1 close
wait_listen tps "$SPORT"
capture_start tpc c0 "$OUT"
cli bind "$C4" 40012 connect "$S4" "$SPORT" send 100 recv 300 eof close sleep 0.1 \
	socket bind "$C4" 40012 connect "$S4" "$SPORT" send 100 recv 300 eof close
srv_wait
capture_stop
