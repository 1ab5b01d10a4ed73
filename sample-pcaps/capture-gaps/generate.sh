#!/bin/bash
# capture-gaps: normal-close as a capture point that dropped two frames sees it.
#
# Made from normal-close/normal-close.pcap (real Linux endpoints; see its
# generate.sh) by removing its frame 2 (the server's SYN-ACK) and frame 10
# (the server's FIN), as a busy capture point drops frames: editcap only, no
# traffic of its own.
#
# Look for: frame 2, the client's ACK of the server's ISN + 1 sent from
# SYN-SENT, proves the SYN-ACK was sent and received (tcpphase.gap "server
# SYN-ACK"); frame 9, the client's ACK of one sequence number past the
# server's last data, proves the server's FIN (tcpphase.gap "server FIN").
# After each, the states are those of the clean capture.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/capture-gaps.pcap}
editcap -F pcap "$here/../normal-close/normal-close.pcap" "$out" 2 10
