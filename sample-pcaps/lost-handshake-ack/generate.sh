#!/bin/bash
# lost-handshake-ack: the handshake's last ACK never reaches the server.
#
# The server namespace drops the client's first pure ACK in its input hook
# (a one-shot rule: `limit rate 1/day burst 1 packets` matches the first
# packet only), after the capture point: the capture on the client's
# interface sees the ACK, the server's kernel never receives it (the kernel
# record logs the drop).  The client is ESTABLISHED; the server still has
# only a request socket (SYN-RECEIVED), so accept() does not return, and
# after 1 s its SYN/ACK timer retransmits the SYN/ACK.  The client,
# ESTABLISHED, answers this old SYN with an ACK (an RFC 5961 challenge ACK,
# TcpExtTCPSYNChallenge: the same seq and ack as the lost one), which the
# rule lets pass: the server creates the connection (LISTEN -> SYN_RECV ->
# ESTABLISHED in the kernel record) and sends a 20-byte greeting.  The
# client sends nothing before it has read the greeting (data from the client
# would complete the handshake as well), then closes first: a four-segment
# close as in normal-close, except that the server's ACK of the FIN comes
# within a few ms (it has received no data, so its delayed-ACK timeout is
# still short).
#
# Look for: SYN, SYN/ACK, ACK (c: captured, dropped after the capture); ~1 s
# later SYN/ACK (s, the same seq: a retransmission) and ACK (c, the same as
# the lost one); greeting (s, 20 bytes), its ACK (c); FIN (c), ACK (s, a few
# ms later), FIN (s, ~200 ms after the client's), ACK (c).
# shellcheck source=../lib/netns.sh
source "$(dirname "$0")/../lib/netns.sh"
out_path "$0" "${1:-}"

setup_direct
nft_drop tps input tcp dport "$SPORT" tcp flags == ack limit rate 1/day burst 1 packets
srv listen "$S4" "$SPORT" accept send 20 eof sleep 0.2 close
wait_listen tps "$SPORT"
capture_start tpc c0 "$OUT"
cli bind "$C4" 40020 connect "$S4" "$SPORT" recv 20 close
srv_wait
capture_stop
