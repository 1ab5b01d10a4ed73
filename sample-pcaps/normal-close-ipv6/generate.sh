#!/bin/bash
# normal-close-ipv6: normal-close over IPv6.
#
# Same programs as normal-close, over fd00::1 -> [fd00::2]:8080 (DAD off and
# static neighbour entries, so no ICMPv6 neighbour discovery is needed; the
# capture filter keeps TCP only).  The server closes 200 ms after EOF, after
# its delayed ACK fired: four-segment close.
#
# Look for: the same 11 frames as normal-close, in IPv6 (MSS 1440).
# shellcheck source=../lib/netns.sh
source "$(dirname "$0")/../lib/netns.sh"
out_path "$0" "${1:-}"

setup_direct
srv listen "$S6" "$SPORT" accept recv 100 send 300 eof sleep 0.2 close
wait_listen tps "$SPORT"
capture_start tpc c0 "$OUT"
cli bind "$C6" 40016 connect "$S6" "$SPORT" send 100 recv 300 close
srv_wait
capture_stop
