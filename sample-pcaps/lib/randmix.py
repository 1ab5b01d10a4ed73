#!/usr/bin/env python3
"""Random real-kernel TCP connections, drawn from a seed (sample-pcaps/random).

Usage: randmix.py plan --seed S --connections N [--spacing SEC] [--ipv6 FRACTION]
       randmix.py client|server PLAN.json

`plan` prints a JSON plan: for each connection its client port, address
family, start time (seconds after the run's t0) and the actions of both
sides (lib/tcpx.py's, plus `lose`, below), drawn from the seed.  The same
seed gives the same plan; what the kernels make of it (retransmissions,
timers, the interleaving) is theirs, and the kernel record says what they
did.  `client` runs in the client namespace and starts each connection at
its time; `server` runs in the server namespace, listens on 8080 (and 8083,
whose SYN,ACKs the client namespace drops) and runs, for each accepted
connection, the actions planned for that client port.  The server exits
when $TCPX_SYNC/finished appears.

Kinds (KINDS below): either side closing first, after a pause or at once;
half-close with data after shutdown(SHUT_WR); close with unread data (RST);
SO_LINGER 0 on either side; both sides closing at the same instant; refused
(8081, nobody listens), unanswered (8082, SYNs dropped) and unacknowledged
(8083) SYNs; the 4-tuple reused while the client or the server holds
TIME-WAIT, or after it expired; a server or a client that loses its state
(`lose`: its output dropped, its socket killed with ss -K, the drop
removed; the client then reconnects from the same port); data after the
peer's FIN (RST after FIN).
"""
import json
import os
import random
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tcpx  # noqa: E402
from tcpx import Endpoint  # noqa: E402

tcpx.ARGC['atrel'] = 1

BASE_PORT = 42000
TIME_WAIT_EXPIRED = 62.0      # Linux's TIME-WAIT is 60 s
SOCK_TIMEOUT = 30.0           # no action waits longer (a lost peer, say)
# The hosts' addresses: lib/netns.sh's TP_NET4 / TP_NET6 (random's by default), so that
# another script (sample-pcaps/class) can run its own namespaces beside random's.
NET4, NET6 = os.environ.get('TP_NET4', '10.0.9'), os.environ.get('TP_NET6', 'fd00:9:')
C4, S4, C6, S6 = NET4 + '.1', NET4 + '.2', NET6 + ':1', NET6 + ':2'


def draw(rng, kind, port, v6):
    """(client actions, server actions or None) of one connection."""
    s_addr = S6 if v6 else S4
    c_addr = C6 if v6 else C4
    req, ans = rng.choice([1, 100, 1000, 3000]), rng.choice([0, 1, 300, 5000, 20000])
    pause = lambda: f'{rng.choice([0, 0, 0.01, 0.05, 0.1, 0.2]):g}'  # noqa: E731
    conn = ['connect', s_addr, '8080']
    exch_c = ['send', str(req)] + (['recv', str(ans)] if ans else [])
    exch_s = ['recv', str(req)] + (['send', str(ans)] if ans else [])
    again = ['socket', 'reuseaddr', 'bind', c_addr, str(port)] + conn
    if kind == 'client-first':
        return (conn + exch_c + ['sleep', pause(), 'close'],
                exch_s + ['eof', 'sleep', pause(), 'close'])
    if kind == 'server-first':
        return (conn + exch_c + ['eof', 'sleep', pause(), 'close'],
                exch_s + ['sleep', pause(), 'close'])
    if kind == 'half-close':
        chunks = rng.randint(1, 4)
        srv = ['recv', str(req), 'eof']
        for _ in range(chunks):
            srv += ['send', str(rng.choice([100, 1000, 4000])), 'sleep', pause()]
        return (conn + ['send', str(req), 'sleep', pause(), 'shutwr', 'eof', 'close'],
                srv + ['close'])
    if kind == 'unread':
        # The server answers without reading, and closes: RST.
        return (conn + ['send', str(req), 'try', 'eof', 'close'],
                ['sleep', pause(), 'send', str(ans or 1), 'sleep', '0.05', 'close'])
    if kind == 'linger-client':
        return (conn + exch_c + ['sleep', pause(), 'linger0', 'close'],
                exch_s + ['try', 'eof', 'close'])
    if kind == 'linger-server':
        return (conn + exch_c + ['try', 'eof', 'close'],
                exch_s + ['sleep', pause(), 'linger0', 'close'])
    if kind == 'simultaneous':
        at = f'{rng.uniform(0.3, 0.5):.3f}'   # after t0 + start: both sides' 'at'
        return (conn + exch_c + ['atrel', at, 'close'], exch_s + ['atrel', at, 'close'])
    if kind == 'rst-after-fin':
        return (conn + exch_c + ['eof', 'sleep', '0.05', 'try', 'send', '200', 'sleep', '0.1',
                                 'try', 'send', '200', 'close'],
                exch_s + ['close'])
    if kind == 'refused':
        return (['try', 'connect', s_addr, '8081'], None)
    if kind == 'unanswered':
        return (['syncnt', '1', 'try', 'connect', s_addr, '8082'], None)
    if kind == 'synack-unacked':
        return (['nonblock', 'connect', s_addr, '8083', 'sleep', '0.5', 'close'], None)
    if kind == 'reuse-tw-client':
        return (conn + exch_c + ['close', 'sleep', pause()] + again + exch_c + ['close'],
                exch_s + ['eof', 'close'])
    if kind == 'reuse-tw-server':
        return (conn + exch_c + ['eof', 'close', 'sleep', '0.05'] + again + exch_c
                + ['eof', 'close'], exch_s + ['close'])
    if kind == 'reuse-after-tw':
        return (conn + exch_c + ['close', 'sleep', f'{TIME_WAIT_EXPIRED:g}'] + again + exch_c
                + ['close'], exch_s + ['eof', 'close'])
    if kind == 'server-loses':
        return (conn + exch_c + ['sleep', '0.3', 'try', 'send', '100', 'try', 'recv', '1',
                                 'close'],
                exch_s + ['lose', 'sleep', '0.5'])
    if kind == 'client-loses':
        return (conn + exch_c + ['sleep', '0.05', 'lose', 'sleep', '0.05'] + again
                + exch_c + ['close'],
                exch_s + ['try', 'recv', '1', 'try', 'recv', '1'])
    raise ValueError(kind)


# kind: weight (the common closes most often; every kind in any run of ~100).
KINDS = {'client-first': 18, 'server-first': 12, 'half-close': 8, 'unread': 5,
         'linger-client': 4, 'linger-server': 4, 'simultaneous': 6, 'rst-after-fin': 4,
         'refused': 5, 'unanswered': 3, 'synack-unacked': 3, 'reuse-tw-client': 6,
         'reuse-tw-server': 5, 'reuse-after-tw': 1, 'server-loses': 3, 'client-loses': 3}


def plan(seed, n, spacing, ipv6):
    rng = random.Random(seed)
    kinds, weights = zip(*KINDS.items())
    conns, t = [], 0.0
    for i in range(n):
        kind = rng.choices(kinds, weights)[0]
        v6 = rng.random() < ipv6
        client, server = draw(rng, kind, BASE_PORT + i, v6)
        conns.append({'port': BASE_PORT + i, 'kind': kind, 'v6': v6, 'start': round(t, 4),
                      'client': client, 'server': server})
        t += rng.expovariate(1.0 / spacing)
    return {'seed': seed, 'connections': conns}


class Side(Endpoint):
    """tcpx's endpoint, with a time relative to the connection's start
    (`atrel`), a timeout on every socket, and `lose`."""

    def __init__(self, t_start, port, name):
        super().__init__(name=name)
        self.t_start, self.port = t_start, port

    def do(self, act, args):
        if act == 'atrel':
            time.sleep(max(0.0, self.t_start + float(args[0]) - time.time()))
            return
        if act == 'lose':
            self.lose()
            return
        super().do(act, args)
        if self.sock is not None and self.sock.gettimeout() != 0.0:
            # Not on a socket made non-blocking (`nonblock`): a timeout would make its connect
            # wait, and the client of synack-unacked keep sending SYNs instead of giving up.
            self.sock.settimeout(SOCK_TIMEOUT)

    def lose(self):
        """Forget the connection without a word: drop this namespace's output
        to/from the client port, kill the socket with ss -K (its RST is
        dropped), remove the drop, close the file descriptor."""
        sel = f'tcp dport {self.port}' if self.name.startswith('srv') else f'tcp sport {self.port}'
        out = subprocess.run(['nft', '--echo', '--handle', 'add', 'rule', 'inet', 'tplost',
                              'output'] + sel.split() + ['drop'],
                             check=True, capture_output=True, text=True).stdout
        handle = out.rsplit('# handle', 1)[1].split()[0]
        flt = f'dport = :{self.port}' if self.name.startswith('srv') else f'sport = :{self.port}'
        subprocess.run(['ss', '-K', '-t', '-n', flt], check=True, capture_output=True)
        subprocess.run(['nft', 'delete', 'rule', 'inet', 'tplost', 'output', 'handle', handle],
                       check=True)
        try:
            self.sock.close()
        except OSError:
            pass
        self.sock = None


def run_side(side, words):
    try:
        side.run(words)
    except Exception as e:   # the kernel record tells what happened; go on
        print(f'{side.name}: {type(e).__name__}: {e}', file=sys.stderr)
    finally:
        if side.sock is not None:
            side.sock.close()


def client(p):
    t0 = p['t0']
    threads = []
    for c in p['connections']:
        addr = C6 if c['v6'] else C4
        start = t0 + c['start']
        time.sleep(max(0.0, start - time.time()))
        side = Side(start, c['port'], f'cli:{c["kind"]}:{c["port"]}')
        words = ['reuseaddr', 'bind', addr, str(c['port'])] + c['client']
        th = threading.Thread(target=run_side, args=(side, words), daemon=True)
        th.start()
        threads.append(th)
    for th in threads:
        th.join()


def server(p):
    import socket
    by_port = {c['port']: c for c in p['connections'] if c['server'] is not None}
    t0 = p['t0']
    listeners, held = [], []
    for addr, fam in ((S4, socket.AF_INET), (S6, socket.AF_INET6)):
        for port in (8080, 8083):
            ls = socket.socket(fam, socket.SOCK_STREAM)
            ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            ls.bind((addr, port))
            ls.listen(512)
            # A listener nothing refers to is closed by the garbage collector: without
            # `hold_listeners` the IPv4 8083 one is, and the SYNs of synack-unacked over IPv4
            # are refused (RST) instead of left unacknowledged.  ./random's plans keep that
            # (its CI figures were measured so); sample-pcaps/class's plans hold them.
            if p.get('hold_listeners'):
                held.append(ls)
            if port == 8080:
                listeners.append(ls)
    open(os.path.join(os.environ['TCPX_SYNC'], 'server-ready'), 'w').close()

    def serve(ls):
        while True:
            sock, peer = ls.accept()
            c = by_port.get(peer[1])
            if c is None:
                sock.close()
                continue
            side = Side(t0 + c['start'], c['port'], f'srv:{c["kind"]}:{c["port"]}')
            side.sock = sock
            sock.settimeout(SOCK_TIMEOUT)
            threading.Thread(target=run_side, args=(side, list(c['server'])),
                             daemon=True).start()
    for ls in listeners:
        threading.Thread(target=serve, args=(ls,), daemon=True).start()
    done = os.path.join(os.environ['TCPX_SYNC'], 'finished')
    while not os.path.exists(done):
        time.sleep(0.1)


def main():
    if len(sys.argv) > 1 and sys.argv[1] == 'plan':
        import argparse
        ap = argparse.ArgumentParser()
        ap.add_argument('cmd')
        ap.add_argument('--seed', type=int, required=True)
        ap.add_argument('--connections', type=int, required=True)
        ap.add_argument('--spacing', type=float, default=0.05,
                        help='mean seconds between connection starts')
        ap.add_argument('--ipv6', type=float, default=0.2, help='fraction over IPv6')
        a = ap.parse_args()
        json.dump(plan(a.seed, a.connections, a.spacing, a.ipv6), sys.stdout, indent=0)
        return
    if len(sys.argv) != 3 or sys.argv[1] not in ('client', 'server'):
        sys.exit(__doc__)
    with open(sys.argv[2]) as f:
        p = json.load(f)
    (client if sys.argv[1] == 'client' else server)(p)


if __name__ == '__main__':
    main()
