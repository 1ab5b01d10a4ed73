#!/bin/bash
# keepalive-mid-stream: a capture that starts with TCP keep-alives.
#
# The client connects, sends a request and reads the answer (at t0), waits
# 1.2 s and marks; tcpdump starts only then, after the connection's last
# data.  Once the capture runs, the client turns on SO_KEEPALIVE with
# TCP_KEEPIDLE 1 s, TCP_KEEPINTVL 1 s, TCP_KEEPCNT 9.  Linux's keep-alive
# timer (tcp_keepalive_timer -> tcp_write_wakeup, RFC 1122 4.2.3.6) sends a
# probe once the connection has been idle (nothing received) for
# TCP_KEEPIDLE; it has already been idle longer (the set-up of tcpdump takes
# a variable time, so the client waits for it rather than racing it), so the
# first probe goes out at once.  A probe carries nothing new: an ACK with
# seq = SND.NXT - 1 (= SND.UNA - 1, nothing is outstanding) and no data.
# That sequence number is below the server's RCV.NXT, so the segment is not
# acceptable (RFC 9293 3.10.7.4) and the server answers with an ACK of
# RCV.NXT (= probe seq + 1).  The answer restarts the client's idle time:
# the next probe comes TCP_KEEPIDLE (1 s) later (TCP_KEEPINTVL is the gap
# between unanswered probes).  No state changes on either side.  2.5 s
# after turning keep-alive on (0.5 s after the third probe) the client
# closes: a four-segment close as in normal-close.
#
# Look for: no SYN; three pairs, 1 s apart: ACK (c, zero length, seq one
# below the server's acknowledgments so far), ACK (s, ack = that seq + 1);
# then FIN (c), ACK (s, delayed ~40 ms), FIN (s, 200 ms after the client's),
# ACK (c).
# shellcheck source=../lib/netns.sh
source "$(dirname "$0")/../lib/netns.sh"
out_path "$0" "${1:-}"

setup_direct
srv listen "$S4" "$SPORT" accept recv 100 send 300 eof sleep 0.2 close
wait_listen "$NSS" "$SPORT"
cli bind "$C4" 40022 connect "$S4" "$SPORT" send 100 recv 300 sleep 1.2 mark idle \
	wait capturing keepalive 1 1 9 sleep 2.5 close &
BG_PIDS+=($!); cli_pid=$!
wait_mark idle
capture_start "$NSC" c0 "$OUT"
mark capturing
wait "$cli_pid"
srv_wait
capture_stop
