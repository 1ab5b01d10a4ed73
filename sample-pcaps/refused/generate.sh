#!/bin/bash
# refused: SYN to a port nobody listens on.
#
# No socket matches the SYN, so the server kernel answers with RST+ACK
# (seq 0, ack = client ISN + 1, RFC 793 "reset generation" for a segment
# without ACK).  connect() fails with ECONNREFUSED; nothing is retransmitted.
#
# Look for: exactly two frames, SYN (c) and RST,ACK (s).
# shellcheck source=../lib/netns.sh
source "$(dirname "$0")/../lib/netns.sh"
out_path "$0" "${1:-}"

setup_direct
capture_start tpc c0 "$OUT"
cli bind "$C4" 40008 try connect "$S4" "$SPORT"
capture_stop
