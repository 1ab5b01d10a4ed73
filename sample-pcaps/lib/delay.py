#!/usr/bin/env python3
"""Delay relay: bridge two interfaces, holding every frame for DELAY ms.

Usage: delay.py IF_A IF_B DELAY_MS READY_FILE [HOLD_MS]

Stands in for `tc qdisc ... netem delay` (not available on this kernel):
frames received on IF_A are sent unchanged out of IF_B DELAY_MS later and
vice versa.  Used where two events must cross on the wire (simultaneous
close/open).  Touches READY_FILE once both sockets are bound.

With HOLD_MS, the first IPv4 TCP segment from IF_A that carries data is
held HOLD_MS longer than the others, so that the segments sent after it
(within HOLD_MS) overtake it: a reordering, as netem's reorder would make.
"""
import collections
import select
import socket
import sys
import time

ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4


def tcp_payload(frame):
    """Length of an Ethernet/IPv4/TCP frame's TCP payload (0 if not one)."""
    if len(frame) < 34 or frame[12:14] != b'\x08\x00' or frame[23] != 6:
        return 0
    ihl = (frame[14] & 0x0f) * 4
    total = int.from_bytes(frame[16:18], 'big')
    if len(frame) < 14 + ihl + 13:
        return 0
    doff = (frame[14 + ihl + 12] >> 4) * 4
    return total - ihl - doff


def main():
    if_a, if_b, delay_ms, ready = sys.argv[1:5]
    delay = float(delay_ms) / 1000
    hold = float(sys.argv[5]) / 1000 if len(sys.argv) > 5 else None
    socks = {}
    for name in (if_a, if_b):
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
        s.bind((name, 0))
        socks[name] = s
    other = {socks[if_a]: socks[if_b], socks[if_b]: socks[if_a]}
    queue = collections.deque()          # (due time, out socket, frame), FIFO
    open(ready, 'w').close()
    while True:
        timeout = max(0.0, queue[0][0] - time.monotonic()) if queue else None
        readable, _, _ = select.select(list(other), [], [], timeout)
        for s in readable:
            frame, addr = s.recvfrom(65600)
            if addr[2] == PACKET_OUTGOING:      # skip our own transmissions
                continue
            due = time.monotonic() + delay
            if hold is not None and s is socks[if_a] and tcp_payload(frame) > 0:
                due += hold
                hold = None
            queue.append((due, other[s], frame))
            queue = collections.deque(sorted(queue, key=lambda q: q[0]))
        now = time.monotonic()
        while queue and queue[0][0] <= now:
            _, out, frame = queue.popleft()
            out.send(frame)


if __name__ == '__main__':
    main()
