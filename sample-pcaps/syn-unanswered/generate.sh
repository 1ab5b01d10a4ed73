#!/bin/bash
# syn-unanswered: SYN never answered; SYN retransmissions, then give-up.
#
# nftables drops TCP in the server namespace's input hook: the SYNs cross
# the wire (and the capture) but the server never sees them.  The client
# sets TCP_SYNCNT=2, so Linux retransmits the SYN twice with exponential
# backoff (1 s, then 2 s later) and fails connect() with ETIMEDOUT after a
# last 4 s wait.  net.ipv4.tcp_syn_linear_timeouts (kernel 6.8+, default 4)
# is set to 0 in the client namespace: with it, the first retransmissions
# come at a fixed 1 s interval and the number of SYNs is no longer simply
# TCP_SYNCNT + 1 (on this 6.18 kernel: SYNCNT 1 -> 2 retransmits, SYNCNT
# 2 -> 5).
#
# Look for: three identical SYNs (same seq: retransmissions) at ~0, 1 and
# 3 s, no answer.
# shellcheck source=../lib/netns.sh
source "$(dirname "$0")/../lib/netns.sh"
out_path "$0" "${1:-}"

setup_direct
sysctl_ns tpc net.ipv4.tcp_syn_linear_timeouts=0
nft_drop tps input tcp dport "$SPORT"
srv listen "$S4" "$SPORT" wait finished
wait_listen tps "$SPORT"
capture_start tpc c0 "$OUT"
cli bind "$C4" 40009 syncnt 2 try connect "$S4" "$SPORT"
mark finished
srv_wait
capture_stop
