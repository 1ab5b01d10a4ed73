#!/bin/bash
# rst-unread-data: close() with unread received data sends RST, not FIN.
#
# The server answers without reading the client's request and then calls
# close() while those 100 bytes still sit in its receive buffer.  Linux then
# aborts the connection (RFC 1122 4.2.2.13 / RFC 2525 "failure to RST on
# close with data pending"): it sends RST+ACK instead of a FIN so the peer
# learns that data was lost.  The client's next read fails with ECONNRESET.
#
# Look for: handshake, request (c), its ACK (s), answer (s) and its ACK
# (c), then 100 ms later RST,ACK (s) with the sequence number right after
# the answer; no FIN anywhere.
# shellcheck source=../lib/netns.sh
source "$(dirname "$0")/../lib/netns.sh"
out_path "$0" "${1:-}"

setup_direct
srv listen "$S4" "$SPORT" accept wait request sleep 0.1 send 300 sleep 0.1 close
wait_listen tps "$SPORT"
capture_start tpc c0 "$OUT"
cli bind "$C4" 40005 connect "$S4" "$SPORT" send 100 mark request try recv 300 try eof close
srv_wait
capture_stop
