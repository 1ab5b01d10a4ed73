#!/bin/bash
# rst-after-fin: data sent to a peer that has already closed.
#
# The server answers and calls close(): FIN.  Its socket is orphaned (no
# program can read any more).  The client reads the answer and EOF but, as
# a buggy client would, keeps sending.  The server kernel (FIN-WAIT-2 kept
# as a timewait mini-socket) cannot deliver new data to anyone and answers
# it with a RST; the RST answers a segment that carried an ACK, so it has
# seq = that segment's ack number and no ACK flag (RFC 793).
#
# Look for: answer, FIN (s), its ACK (c, delayed ~40 ms: CLOSE-WAIT), then
# 100 ms later data (c) answered by RST (s).  The client's second send fails
# (EPIPE/ECONNRESET) and sends nothing.
# shellcheck source=../lib/netns.sh
source "$(dirname "$0")/../lib/netns.sh"
out_path "$0" "${1:-}"

setup_direct
srv listen "$S4" "$SPORT" accept recv 100 send 300 sleep 0.1 close
wait_listen tps "$SPORT"
capture_start tpc c0 "$OUT"
cli bind "$C4" 40007 connect "$S4" "$SPORT" send 100 recv 300 eof sleep 0.1 \
	send 200 sleep 0.2 try send 200 close
srv_wait
capture_stop
