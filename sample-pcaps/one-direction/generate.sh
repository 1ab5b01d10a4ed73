#!/bin/bash
# one-direction: normal-close as a tap that carries one direction sees it.
#
# Made from normal-close/normal-close.pcap (real Linux endpoints; see its
# generate.sh) by keeping only the client's frames (IPv4 source 10.0.0.1),
# as a SPAN port or tap that copies one direction of a link does: tshark
# only, no traffic of its own.
#
# Look for: every segment of the server's is missing, yet the client's own
# numbers prove them: its ACK from SYN-SENT the SYN-ACK, its final ACK one
# past the server's data the server's FIN. No "SYN never answered":
# tcpphase never warns on the mere absence of a segment.
# tcpphase.conn.seen says client-only.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/one-direction.pcap}
tshark -r "$here/../normal-close/normal-close.pcap" -Y 'ip.src == 10.0.0.1' -F pcap -w "$out" 2>/dev/null
