#!/bin/bash
# half-close: the client closes its sending direction only.
#
# The client sends a request and calls shutdown(SHUT_WR): its FIN goes out,
# the socket (FIN-WAIT-1, then FIN-WAIT-2) can still receive.  The server
# reads request and EOF (CLOSE-WAIT) and keeps sending: five 1000-byte
# segments 100 ms apart, then close() (LAST-ACK).  The client reads it all
# and closes on EOF; its kernel ACKs the server's FIN and holds TIME-WAIT.
#
# Look for: the client's FIN right after its request, then data flowing from
# the server for ~0.4 s while the client only ACKs, then FIN (s), ACK (c).
# shellcheck source=../lib/netns.sh
source "$(dirname "$0")/../lib/netns.sh"
out_path "$0" "${1:-}"

setup_direct
chunk=(send 1000 sleep 0.1)
srv listen "$S4" "$SPORT" accept recv 100 eof \
	"${chunk[@]}" "${chunk[@]}" "${chunk[@]}" "${chunk[@]}" "${chunk[@]}" close
wait_listen tps "$SPORT"
capture_start tpc c0 "$OUT"
cli bind "$C4" 40004 connect "$S4" "$SPORT" send 100 sleep 0.1 shutwr recv 5000 eof close
srv_wait
capture_stop
