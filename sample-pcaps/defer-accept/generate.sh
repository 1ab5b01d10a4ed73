#!/bin/bash
# defer-accept: a server with TCP_DEFER_ACCEPT repeats its SYN/ACK after
# the handshake's ACK.
#
# The listening socket has TCP_DEFER_ACCEPT 5 s, which Linux turns into a
# number of SYN/ACK retransmissions (3: 1 + 2 + 4 s cover 5 s).  A bare ACK that completes the
# handshake is dropped while fewer retransmissions than that have been sent
# (tcp_check_req): the server keeps only the request socket (SYN-RECEIVED)
# and waits for data, so that accept() returns a connection with something
# to read.  The client is ESTABLISHED after the SYN/ACK and sends its
# handshake ACK, which the server ignores.  The request socket's timer
# does not resend the SYN/ACK while it defers, except at the end of the
# deferring period, as a last chance (syn_ack_recalc): with 5 s that is the
# third timeout, so 7 s after the first (1 + 2 + 4) the server sends the
# same SYN/ACK again.  A lost ACK would have been answered at the first
# timeout, 1 s: the timing shows this one was not lost but ignored.  The
# client answers it with an ACK (RFC 5961 challenge ACK, the same numbers
# as the first), which now completes the handshake on the server (LISTEN ->
# SYN_RECV -> ESTABLISHED in the kernel record, ~7 s after the client's
# ESTABLISHED).  At 7.5 s the client sends its request; the server reads
# it, answers, and the connection closes as in normal-close.
#
# Look for: SYN (c); SYN/ACK (s); ACK (c); ~7 s later the same SYN/ACK
# (s); ACK (c, the same as the first); ~0.5 s later request (c, 100
# bytes); ACK (s); answer (s, 300 bytes); ACK (c); FIN (c); ACK (s); FIN
# (s); ACK (c).
# shellcheck source=../lib/netns.sh
source "$(dirname "$0")/../lib/netns.sh"
out_path "$0" "${1:-}"

setup_direct
srv listen "$S4" "$SPORT" deferaccept 5 accept recv 100 send 300 eof sleep 0.2 close
wait_listen "$NSS" "$SPORT"
capture_start "$NSC" c0 "$OUT"
cli bind "$C4" 40026 connect "$S4" "$SPORT" sleep 7.5 send 100 recv 300 close
srv_wait
capture_stop
