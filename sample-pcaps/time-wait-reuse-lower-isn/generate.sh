#!/bin/bash
# time-wait-reuse-lower-isn: a SYN that the server's TIME-WAIT socket
# refuses (new ISN below the old connection's end, no timestamps).
#
# Timestamps are off in both namespaces, so the server's TIME-WAIT socket
# can only judge a new SYN by its sequence number: it accepts it only if
# seq is after the old connection's rcv_nxt.  If not, Linux treats the SYN
# as an old duplicate and answers with the TIME-WAIT socket's ACK (old
# seq/ack numbers).  The client, in SYN-SENT, gets an ACK that does not
# acknowledge its SYN and answers it with a RST (seq = that ACK's ack
# number).  That RST is in window for the TIME-WAIT socket and kills it
# (TIME-WAIT assassination, RFC 1337; Linux does this unless
# net.ipv4.tcp_rfc1337=1).  The client retransmits its SYN ~10 ms later
# (not after the usual 1 s: a SYN-SENT socket that receives an unacceptable
# ACK re-arms its timer to TCP_TIMEOUT_MIN, "previous FIN/ACK or RST/ACK
# might be ignored"); it reaches the listener and the connection opens.
#
# How the lower ISN is obtained: Linux's ISN is hash(4-tuple) + a clock
# ticking every 64 ns (~15.6 M per second) - the same 4-tuple gets an ISN
# only (time since the first connect / 64 ns) higher.  If the old
# connection moved the client's sequence number further than that, the new
# ISN is "lower".  So connection 1 uploads 16 x 60000 bytes in lock-step
# rounds (send 60000, wait for a 1-byte reply; 65535-byte MTU, so mostly one
# segment per round and the same frames every run): 960 kB, and the new
# connect() comes ~10 ms after the first, far below the 61 ms it would take
# the clock to pass 960 kB.  The capture is
# truncated to 128 bytes per frame to stay small.  The script checks the
# result and retries (3 times at most) in case the machine was too slow.
#
# Look for: connection 1 (bulk upload, server closes first: FIN (s),
# FIN/ACK (c), ACK (s) -> server in TIME-WAIT); then SYN (c), a bare ACK (s)
# with the old numbers (marked "(prev)" by lib/signature), RST (c), 1 s
# ~10 ms later the SYN again (same seq), SYN/ACK, ACK, request, answer, close.
# shellcheck source=../lib/netns.sh
source "$(dirname "$0")/../lib/netns.sh"
out_path "$0" "${1:-}"

rounds=16 chunk=60000
cli_acts=() srv_acts=()
for ((i = 0; i < rounds; i++)); do
	cli_acts+=(send "$chunk" recv 1)
	srv_acts+=(recv "$chunk" send 1)
done

for attempt in 1 2 3; do
	setup_direct
	for ns in tpc tps; do sysctl_ns $ns net.ipv4.tcp_timestamps=0; done
	ip -n tpc link set c0 mtu 65535
	ip -n tps link set s0 mtu 65535
	srv listen "$S4" "$SPORT" accept "${srv_acts[@]}" close \
		accept recv 100 send 300 eof close
	wait_listen tps "$SPORT"
	capture_start tpc c0 "$OUT" -s 128
	cli bind "$C4" 40013 connect "$S4" "$SPORT" "${cli_acts[@]}" eof close sleep 0.01 \
		socket reuseaddr bind "$C4" 40013 connect "$S4" "$SPORT" send 100 recv 300 close
	srv_wait
	capture_stop
	# Expect the second SYN to be answered by the TIME-WAIT socket's ACK.
	if "$LIB/signature" "$OUT" | grep -q '^s ACK .*(prev)'; then
		exit 0
	fi
	echo "attempt $attempt: new ISN was not lower, retrying" >&2
	teardown
done
die "could not get a lower ISN in 3 attempts"
