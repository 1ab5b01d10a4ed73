#!/bin/bash
# mid-stream: a capture that starts in the middle of a connection.
#
# The client connects and does three request/answer rounds before tcpdump
# starts; the capture then sees three more rounds and a normal four-segment
# close.  Nothing special happens in the kernel; the point is the capture:
# no SYN, so a dissector must infer who is client and server and cannot know
# the ISNs (Wireshark's relative numbers start at the first seen segment).
#
# Look for: the first frame is a request (c, PSH/ACK) of an established
# connection; rounds 100 ms apart; FIN (c), ACK (s), FIN (s), ACK (c).
# shellcheck source=../lib/netns.sh
source "$(dirname "$0")/../lib/netns.sh"
out_path "$0" "${1:-}"

round=(send 100 recv 300 sleep 0.1)
setup_direct
srv listen "$S4" "$SPORT" accept recv 100 send 300 recv 100 send 300 recv 100 send 300 \
	recv 100 send 300 recv 100 send 300 recv 100 send 300 eof sleep 0.2 close
wait_listen tps "$SPORT"
cli bind "$C4" 40017 connect "$S4" "$SPORT" "${round[@]}" "${round[@]}" "${round[@]}" \
	mark midway wait capturing "${round[@]}" "${round[@]}" "${round[@]}" close &
BG_PIDS+=($!); cli_pid=$!
wait_mark midway
capture_start tpc c0 "$OUT"
mark capturing
wait "$cli_pid"
srv_wait
capture_stop
