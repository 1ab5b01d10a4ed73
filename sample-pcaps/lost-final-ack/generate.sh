#!/bin/bash
# lost-final-ack: the last ACK of a four-segment close never reaches the
# server.
#
# As normal-close: request, answer, the client closes first, the server
# closes 200 ms after reading EOF (and once the rule below is in place).
# Once the client has sent its FIN, the server namespace gets a one-shot
# rule in its input hook (`limit rate 1/day burst 1 packets` matches the
# first packet only) that drops the client's next pure ACK: the final ACK,
# sent from TIME-WAIT for the server's FIN.  The drop is after the capture
# point: the capture on the client's interface sees the ACK, the server's
# kernel never receives it (the kernel record logs the drop) and stays in
# LAST-ACK.  After its retransmission timeout (~200 ms, the minimum RTO) the
# server sends its FIN again; the client, in TIME-WAIT, answers it with the
# same ACK, which the rule lets pass: the server goes LAST_ACK -> CLOSE.
# The rule is added only after the client's FIN, since before it the
# handshake's ACK and the ACK of the answer would match too.
#
# Look for: SYN, SYN/ACK, ACK; request (c, 100 bytes), ACK (s), answer (s,
# 300 bytes), ACK (c); FIN (c), ACK (s, ~40 ms later: delayed); ~200 ms
# after the client's FIN, FIN (s) and ACK (c: captured, dropped after the
# capture); ~200 ms later FIN (s, the same seq: a retransmission) and ACK
# (c, the same as the lost one).
# shellcheck source=../lib/netns.sh
source "$(dirname "$0")/../lib/netns.sh"
out_path "$0" "${1:-}"

setup_direct
# The drop log's tcpdump (nft_drop starts it) is started now, so that the
# rule is in place within a few ms of the client's close.
if [ -n "${KTRACE_DROPS:-}" ]; then drop_log_start tps; fi
srv listen "$S4" "$SPORT" accept recv 100 send 300 eof sleep 0.2 wait armed close
wait_listen tps "$SPORT"
capture_start tpc c0 "$OUT"
cli bind "$C4" 40021 connect "$S4" "$SPORT" send 100 recv 300 close
nft_drop tps input tcp dport "$SPORT" tcp flags == ack limit rate 1/day burst 1 packets
mark armed
srv_wait
sleep 0.5   # the server's FIN retransmission, ~200 ms after its FIN
capture_stop
