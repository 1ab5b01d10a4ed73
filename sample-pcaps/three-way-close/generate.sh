#!/bin/bash
# three-way-close: FIN, FIN/ACK, ACK.
#
# Same exchange as normal-close, but the server calls close() as soon as it
# reads EOF.  The client's FIN puts the server in CLOSE-WAIT with its ACK
# delayed (~40 ms); the server's close() comes well within that time, so
# Linux sends the pending ACK and the FIN in one segment.
#
# Look for: handshake, request/answer, then only three closing segments:
# FIN (c), FIN+ACK (s) acknowledging the client's FIN, ACK (c).
# shellcheck source=../lib/netns.sh
source "$(dirname "$0")/../lib/netns.sh"
out_path "$0" "${1:-}"

setup_direct
srv listen "$S4" "$SPORT" accept recv 100 send 300 eof close
wait_listen tps "$SPORT"
capture_start tpc c0 "$OUT"
cli bind "$C4" 40002 connect "$S4" "$SPORT" send 100 recv 300 close
srv_wait
capture_stop
