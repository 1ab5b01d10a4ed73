#!/bin/bash
# simultaneous-close: both ends send FIN before they see the other's FIN.
#
# Both programs call close() at the same agreed instant.  A relay in the
# middle (lib/delay.py) delays every frame by 50 ms, so each FIN is still in
# flight when the other side sends its own.  Each kernel goes ESTABLISHED ->
# FIN-WAIT-1, then receives a FIN that does not acknowledge its own FIN ->
# CLOSING, ACKs it, and moves to TIME-WAIT when its own FIN is ACKed: both
# ends end up in TIME-WAIT (RFC 793 figure 14).
#
# Look for: FIN (c) and FIN (s) whose ack numbers do not cover each other's
# FIN, then an ACK from each side.  Captured on the client's interface, so
# the server's frames appear 50 ms after it sent them.
# shellcheck source=../lib/netns.sh
source "$(dirname "$0")/../lib/netns.sh"
out_path "$0" "${1:-}"

setup_relay 50
t=$(at_in 1.5)
srv listen "$S4" "$SPORT" accept recv 100 send 300 at "$t" close
wait_listen tps "$SPORT"
capture_start tpc c0 "$OUT"
cli bind "$C4" 40003 connect "$S4" "$SPORT" send 100 recv 300 at "$t" close
srv_wait
capture_stop
