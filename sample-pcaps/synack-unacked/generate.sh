#!/bin/bash
# synack-unacked: the server's SYN/ACK is never acknowledged.
#
# The client namespace drops incoming SYN/ACKs in its input hook, so its
# kernel never sees them (and sends neither ACK nor RST), while the capture
# on its interface does.  The server keeps a request socket (SYN-RECEIVED)
# and retransmits the SYN/ACK on its own timer: 1 s, then 2 s later; with
# net.ipv4.tcp_synack_retries=2 it gives up silently after a third wait.
# The client gives up after 0.5 s (close() of a socket in SYN-SENT sends
# nothing): if it kept retransmitting its SYN, the retransmissions would
# coincide with the SYN/ACK timer (both start at 1 s) and the order of the
# frames - and the number of SYN/ACKs, since a duplicate SYN triggers one
# too - would change from run to run.
#
# Look for: SYN (c), then three SYN/ACKs (s) with the same seq at ~0, 1, 3 s.
# shellcheck source=../lib/netns.sh
source "$(dirname "$0")/../lib/netns.sh"
out_path "$0" "${1:-}"

setup_direct
sysctl_ns tps net.ipv4.tcp_synack_retries=2
nft_drop tpc input tcp flags '&' '(syn|ack)' == '(syn|ack)'
srv listen "$S4" "$SPORT" wait finished
wait_listen tps "$SPORT"
capture_start tpc c0 "$OUT"
cli bind "$C4" 40010 nonblock connect "$S4" "$SPORT" sleep 0.5 close
sleep 3.5
mark finished
srv_wait
capture_stop
