#!/usr/bin/env python3
"""busy-mix: many concurrent connections of different kinds.

Usage: mix.py server|client

Connection i uses client port 41000+i; its kind (plan(), below) fixes what
the client and, after accept(), the server do - both sides read the same
table, so the server looks the behaviour up by the peer's port.  Client
connections start 20 ms apart.  Actions are those of lib/tcpx.py.  The
server exits when $TCPX_SYNC/finished appears.
"""
import os
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'lib'))
from tcpx import Endpoint  # noqa: E402

S = '10.0.0.2'
REQ = 'send 100 recv 300'
# kind: (client actions after bind, server actions after accept or None)
KINDS = {
    'normal':     ('connect %s 8080 ' + REQ + ' close',
                   'recv 100 send 300 eof sleep 0.2 close'),
    'threeway':   ('connect %s 8080 ' + REQ + ' close',
                   'recv 100 send 300 eof close'),
    'srvclose':   ('connect %s 8080 ' + REQ + ' eof close',
                   'recv 100 send 300 sleep 0.1 close'),
    'halfclose':  ('connect %s 8080 send 100 sleep 0.1 shutwr recv 3000 eof close',
                   'recv 100 eof send 1000 sleep 0.1 send 1000 sleep 0.1 send 1000 sleep 0.1 close'),
    'unread':     ('connect %s 8080 send 100 try recv 300 try eof close',
                   'sleep 0.1 send 300 sleep 0.1 close'),
    'linger':     ('connect %s 8080 ' + REQ + ' sleep 0.1 linger0 close',
                   'recv 100 send 300 try eof close'),
    'rstfin':     ('connect %s 8080 ' + REQ + ' eof sleep 0.1 send 200 sleep 0.2 try send 200 close',
                   'recv 100 send 300 sleep 0.1 close'),
    'refused':    ('try connect %s 8081', None),
    'unanswered': ('syncnt 1 try connect %s 8082', None),
    'synack':     ('nonblock connect %s 8083 sleep 0.5 close', None),
    # the same port twice: client-side TIME-WAIT, server-side TIME-WAIT
    'twclient':   ('connect %s 8080 ' + REQ + ' close sleep 0.1 '
                   'socket reuseaddr bind 10.0.0.1 {port} connect %s 8080 ' + REQ + ' close',
                   'recv 100 send 300 eof close'),
    'twserver':   ('connect %s 8080 ' + REQ + ' eof close sleep 0.1 '
                   'socket reuseaddr bind 10.0.0.1 {port} connect %s 8080 ' + REQ + ' eof close',
                   'recv 100 send 300 sleep 0.1 close'),
}
COUNTS = [('normal', 8), ('threeway', 8), ('srvclose', 6), ('halfclose', 4),
          ('unread', 3), ('linger', 3), ('rstfin', 3), ('refused', 4),
          ('unanswered', 2), ('synack', 2), ('twclient', 3), ('twserver', 2)]


def plan():
    """Interleave the kinds round-robin: [(port, kind), ...]."""
    left = dict(COUNTS)
    out = []
    while any(left.values()):
        for kind, _ in COUNTS:
            if left[kind]:
                left[kind] -= 1
                out.append((41000 + len(out), kind))
    return out


def words(kind, port, side):
    acts = KINDS[kind][side]
    return acts.replace('%s', S).replace('{port}', str(port)).split()


def client():
    threads = []
    t0 = time.time()
    for i, (port, kind) in enumerate(plan()):
        acts = ['reuseaddr', 'bind', '10.0.0.1', str(port)] + words(kind, port, 0)
        time.sleep(max(0.0, t0 + i * 0.02 - time.time()))
        th = threading.Thread(target=Endpoint(name=f'{kind}:{port}').run, args=(acts,))
        th.start()
        threads.append(th)
    for th in threads:
        th.join()


def server():
    by_port = dict(plan())
    ep = Endpoint()
    ep.run(['listen', S, '8080'])
    syn_ack_only = Endpoint()                   # port 8083: SYN/ACKs never ACKed
    syn_ack_only.run(['listen', S, '8083'])
    expected = sum(KINDS[k][1] is not None for k in by_port.values())
    expected += sum(k.startswith('tw') for k in by_port.values())
    threads = []
    for _ in range(expected):
        conn, peer = ep.listener.accept()
        kind = by_port[peer[1]]
        th = threading.Thread(target=Endpoint(conn, f'{kind}:{peer[1]}').run,
                              args=(words(kind, peer[1], 1),))
        th.start()
        threads.append(th)
    for th in threads:
        th.join()
    syn_ack_only.run(['wait', 'finished'])     # keep 8083's half-open requests


if __name__ == '__main__':
    {'client': client, 'server': server}[sys.argv[1]]()
