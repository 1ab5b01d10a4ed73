#!/usr/bin/env python3
"""Delay relay: bridge two interfaces, holding every frame for DELAY ms.

Usage: delay.py IF_A IF_B DELAY_MS READY_FILE

Stands in for `tc qdisc ... netem delay` (not available on this kernel):
frames received on IF_A are sent unchanged out of IF_B DELAY_MS later and
vice versa.  Used where two events must cross on the wire (simultaneous
close/open).  Touches READY_FILE once both sockets are bound.
"""
import collections
import select
import socket
import sys
import time

ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4


def main():
    if_a, if_b, delay_ms, ready = sys.argv[1:5]
    delay = float(delay_ms) / 1000
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
            if addr[2] != PACKET_OUTGOING:      # skip our own transmissions
                queue.append((time.monotonic() + delay, other[s], frame))
        now = time.monotonic()
        while queue and queue[0][0] <= now:
            _, out, frame = queue.popleft()
            out.send(frame)


if __name__ == '__main__':
    main()
