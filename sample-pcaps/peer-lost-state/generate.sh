#!/bin/bash
# peer-lost-state: one end forgets the connection; the other learns it by RST.
#
# After a request/answer, the server "crashes" silently: all TCP output of
# the server namespace is dropped (nftables), the established socket is
# destroyed with `ss -K` (which would otherwise send a RST of its own), then
# the drop is removed.  The client, unaware, sends another request.  The
# server kernel finds no socket for it (the listener is closed too) and
# answers with a RST; the offending segment carried an ACK, so the RST has
# seq = its ack number and no ACK flag (RFC 793).  The client's read fails
# with ECONNRESET.
#
# Look for: a normal start, ~0.3 s of silence, request 2 (c), RST (s).
# shellcheck source=../lib/netns.sh
source "$(dirname "$0")/../lib/netns.sh"
out_path "$0" "${1:-}"

setup_direct
srv listen "$S4" "$SPORT" accept unlisten recv 100 send 300 wait finished
wait_listen tps "$SPORT"
capture_start tpc c0 "$OUT"
cli bind "$C4" 40014 connect "$S4" "$SPORT" send 100 recv 300 mark exchanged wait lost \
	send 100 try recv 300 close &
BG_PIDS+=($!); cli_pid=$!
wait_mark exchanged
sleep 0.1
nft_drop tps output meta l4proto tcp
ins ss -K -t -n dst "$C4" >/dev/null
nft_clear tps
sleep 0.2
mark lost
wait "$cli_pid"
mark finished
srv_wait
capture_stop
