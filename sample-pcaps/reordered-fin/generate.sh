#!/bin/bash
# reordered-fin: the client's FIN reaches the server before the data in
# front of it.
#
# Frames pass through the relay (lib/delay.py, 50 ms each way), which holds
# the client's first data segment 10 ms longer than the others: the client
# sends its 100-byte request and at once shuts its sending side down
# (shutdown(SHUT_WR): FIN right behind the data), so the FIN overtakes the
# request.  The capture is taken on the server's
# interface, where the FIN arrives first.  The server's kernel queues the
# FIN out of order (it is beyond RCV.NXT; RFC 9293 3.10.7.4: a FIN is
# processed only once every sequence number before it has arrived) and
# answers at once with a duplicate ACK (ack = RCV.NXT, still the start of the
# request) with a SACK block for the FIN; it stays ESTABLISHED.  10 ms later
# the request fills the hole: the server acknowledges request and FIN
# together (ack = FIN + 1) and only now goes to CLOSE-WAIT.  The duplicate
# ACK reaches the client 50 ms later, before its RACK reordering window
# (a quarter of the 100 ms round trip) would call the request lost, and the
# full ACK 10 ms after that: nothing is retransmitted.  The server sends
# its 300-byte answer to the half-closed connection and 300 ms later closes
# (after the answer's ACK, which takes a round trip of 100 ms and maybe a
# delayed ACK); the client reads the answer, acknowledges it and the FIN,
# and closes.
#
# Look for (all on the server's wire): handshake; FIN (c, seq = 101: the
# request's 100 bytes not seen yet); ACK (s, ack 1, SACK 101-102); request
# (c, seq 1, 100 bytes, 10 ms later); ACK (s, ack 102); answer (s, 300
# bytes); ACK (c); FIN (s, 300 ms after the answer); ACK (c).
# shellcheck source=../lib/netns.sh
source "$(dirname "$0")/../lib/netns.sh"
out_path "$0" "${1:-}"

setup_relay 50 s 10
srv listen "$S4" "$SPORT" accept recv 100 eof send 300 sleep 0.3 close
wait_listen "$NSS" "$SPORT"
capture_start "$NSS" s0 "$OUT"
cli bind "$C4" 40024 connect "$S4" "$SPORT" send 100 shutwr recv 300 eof close
srv_wait
capture_stop
