#!/bin/bash
# normal-close: the textbook connection with a four-segment close.
#
# The client connects, sends a 100-byte request, reads a 300-byte answer and
# closes.  The server reads the request, answers, reads EOF and closes only
# 200 ms later.  When the client's FIN arrives, Linux enters CLOSE-WAIT and
# delays its ACK (~40 ms delayed-ACK timer); the server's close() comes after
# that timer fired, so the FIN goes out in a segment of its own.
#
# Look for: SYN, SYN/ACK, ACK; request and answer (the first data segment is
# ACKed at once, Linux starts in "quick ACK" mode); then FIN (c), ACK (s),
# ~200 ms later FIN (s), ACK (c).  Captured on the client's interface.
# shellcheck source=../lib/netns.sh
source "$(dirname "$0")/../lib/netns.sh"
out_path "$0" "${1:-}"

setup_direct
srv listen "$S4" "$SPORT" accept recv 100 send 300 eof sleep 0.2 close
wait_listen tps "$SPORT"
capture_start tpc c0 "$OUT"
cli bind "$C4" 40001 connect "$S4" "$SPORT" send 100 recv 300 close
srv_wait
capture_stop
