#!/bin/bash
# rst-linger-abort: abortive close with SO_LINGER {on, 0 s}.
#
# After a normal request/answer the client sets SO_LINGER with l_onoff=1 and
# l_linger=0 and calls close().  Linux discards the connection at once and
# sends RST+ACK instead of a FIN (no TIME-WAIT on the client).  The
# server's pending read fails with ECONNRESET.
#
# Look for: handshake, request, answer and its ACK, then a single RST,ACK
# (c); no FIN.
# shellcheck source=../lib/netns.sh
source "$(dirname "$0")/../lib/netns.sh"
out_path "$0" "${1:-}"

setup_direct
srv listen "$S4" "$SPORT" accept recv 100 send 300 try eof close
wait_listen tps "$SPORT"
capture_start tpc c0 "$OUT"
cli bind "$C4" 40006 connect "$S4" "$SPORT" send 100 recv 300 sleep 0.1 linger0 close
srv_wait
capture_stop
