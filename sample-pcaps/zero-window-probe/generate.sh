#!/bin/bash
# zero-window-probe: a receiver that stops reading; the sender probes its
# zero window.
#
# The server's listening socket has SO_RCVBUF 4096 (8192 in the kernel),
# so the connection's receive buffer is small; it accepts and does not
# read for 1.5 s.  The client sends 20000 bytes at once.  The server's
# window shrinks with every segment it buffers until it advertises a zero
# window (RFC 9293 3.8.6.1).  The client, with data queued and no window,
# arms its persist timer (tcp_probe_timer -> tcp_send_probe0): each probe
# is an ACK with seq = SND.UNA - 1 and no data (Linux does not send a byte
# of new data into a zero window), below the server's RCV.NXT, so the
# server answers with an ACK that repeats its zero window (Linux limits
# such answers to out-of-window segments to one per 500 ms,
# net.ipv4.tcp_invalid_ratelimit: set to 0 in the server's namespace so
# that every probe is answered).  The timer backs off (~0.2, then 0.45 s
# later; the next would come 0.9 s later, after the server reads).  Then
# the server reads: its window opens (a window update, an ACK with the same
# ack number and a larger window), the client sends the rest; once the server has read all 20000 bytes the client
# closes (100 ms later) and the connection closes as in normal-close.  (Had
# the client closed right after queueing the data, it would be in FIN-WAIT-1
# from then on by RFC 9293 3.10.4 and the kernel, with its FIN only on the
# wire behind the last byte 1.5 s later.)
#
# Linux also sends a tail loss probe (RFC 8985) early on: a copy of the last
# segment the window allowed, ~5 ms after it, which the server's ACK reports
# as a duplicate (D-SACK).
#
# Look for: handshake; data (c) and ACKs (s) with a falling window down to
# Win=0; zero-length ACKs (c) one below the server's ack number, each
# answered by an ACK (s, Win=0); a window update (s); the rest of the data;
# FIN (c), ACK (s), FIN (s), ACK (c).
# shellcheck source=../lib/netns.sh
source "$(dirname "$0")/../lib/netns.sh"
out_path "$0" "${1:-}"

setup_direct
sysctl_ns "$NSS" net.ipv4.tcp_invalid_ratelimit=0
srv rcvbuf 4096 listen "$S4" "$SPORT" accept sleep 1.5 recv 20000 mark read eof sleep 0.2 close
wait_listen "$NSS" "$SPORT"
capture_start "$NSC" c0 "$OUT"
cli bind "$C4" 40023 connect "$S4" "$SPORT" send 20000 wait read sleep 0.1 close
srv_wait
capture_stop
