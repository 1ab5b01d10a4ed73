#!/bin/bash
# simultaneous-open: both ends connect() to each other at the same instant.
#
# No listener: each side binds its fixed port (client 40015, server 8080)
# and calls connect() to the other at the same agreed time.  The relay
# (lib/delay.py) delays each frame by 50 ms, so the SYNs cross.  Each kernel
# is in SYN-SENT when the other's SYN arrives -> SYN-RECEIVED and answers
# with a SYN/ACK that repeats its own ISN (RFC 793 figure 8); receiving the
# other's SYN/ACK completes the handshake on both sides.
#
# Each side then gets the peer's SYN/ACK, whose SYN it has already
# acknowledged, and answers it with an ACK carrying a D-SACK block for that
# duplicate SYN.
#
# Look for: SYN (c), SYN (s), SYN/ACK (c), SYN/ACK (s), an ACK from each side
# (SACK 0-1), then a request, an answer and a three-segment close.
# shellcheck source=../lib/netns.sh
source "$(dirname "$0")/../lib/netns.sh"
out_path "$0" "${1:-}"

setup_relay 50
t=$(at_in 1)
srv reuseaddr bind "$S4" "$SPORT" at "$t" connect "$C4" 40015 recv 100 send 300 eof close
capture_start tpc c0 "$OUT"
cli reuseaddr bind "$C4" 40015 at "$t" connect "$S4" "$SPORT" send 100 recv 300 close
srv_wait
capture_stop
