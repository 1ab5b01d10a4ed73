#!/usr/bin/env python3
"""Record the kernel's TCP state changes of the test hosts' sockets.

Usage: ktrace.py record --out FILE --addr ADDR... [--drops-dir DIR]
                        [--ready FILE] [--instance NAME]

Runs (as root) until SIGINT or SIGTERM, then writes FILE: one line per
kernel event of a socket whose local or peer address is one of --addr,
times in CLOCK_REALTIME (the clock of the pcap timestamps):

    time  endpoint  peer  event  old  new  detail

event is `state` (sock:inet_sock_set_state: old -> new, Linux's names
without TCP_), `send_reset` (old: the sending socket's state, `-` for
none; detail: the kernel's reason), `receive_reset`, `retransmit_synack`
(a request socket's SYN,ACK again), `destroy`, `mark` (a line written to
the instance's trace_marker by the scripts: detail is the text) and `drop`
(a segment an nftables rule of lib/netns.sh dropped, read from the NFLOG
captures in --drops-dir; detail: where, flags, raw seq/ack, length).
endpoint is the local address:port of the socket, peer the remote one (`*`
for a listener).  A connect() without bind() is traced CLOSE -> SYN_SENT
before the kernel picks its source port (port 0 in the event); the row gets
the port of the next event with the same local address and peer (two such
connect()s to one peer at once could be told apart only by the socket's
address, which the events' text does not show; the scripts bind, or connect
to distinct peers).
docs/kernel-truth.md says what the states mean.

Why a tracefs instance of our own: tracing is global to the machine, and
an instance has its own buffer, events and clock, so two runs at once (ctest
-j2) do not read each other's events.  Why the `tai` clock: the default
trace clock counts from boot; CLOCK_TAI is the wall clock shifted by the
TAI offset, which is read here (clock_gettime) and checked with a
trace_marker write stamped against CLOCK_REALTIME.
"""
import argparse
import glob
import os
import re
import select
import signal
import subprocess
import sys
import time

TRACEFS = '/sys/kernel/tracing'
EVENTS = ['sock/inet_sock_set_state', 'tcp/tcp_send_reset', 'tcp/tcp_receive_reset',
          'tcp/tcp_retransmit_synack', 'tcp/tcp_destroy_sock']
LINE = re.compile(r'^\s*.+?-\d+\s+\[\d+\]\s+\S+\s+(\d+\.\d+):\s+(\w+):\s?(.*)$')
FIELD = re.compile(r'(\w+)=(\S+)')
CLOCK_LIMIT = 0.005   # a trace stamp further than this from CLOCK_REALTIME: fail
CLOCK_TRIES = 5       # markers per clock check; the closest one counts


def write(path, text):
    with open(path, 'w') as f:
        f.write(text)


def endpoint(addr, port):
    return f'[{addr}]:{port}' if ':' in addr else f'{addr}:{port}'


def split_endpoint(ep):
    addr, _, port = ep.rpartition(':')
    return addr.strip('[]'), port


class Recorder:
    def __init__(self, instance, addrs):
        if not os.path.isdir(os.path.join(TRACEFS, 'events')):
            subprocess.run(['mount', '-t', 'tracefs', 'nodev', TRACEFS], check=True)
        self.dir = os.path.join(TRACEFS, 'instances', instance)
        self.addrs = set(addrs)
        self.lines = []
        self.buf = b''
        self.pipe = None
        os.mkdir(self.dir)
        try:
            write(self.path('trace_clock'), 'tai')
            write(self.path('buffer_size_kb'), '8192')
            write(self.path('events/sock/inet_sock_set_state/filter'), 'protocol == 6')
            for ev in EVENTS:
                write(self.path(f'events/{ev}/enable'), '1')
            self.pipe = os.open(self.path('trace_pipe'), os.O_RDONLY | os.O_NONBLOCK)
        except BaseException:
            self.remove()
            raise

    def path(self, name):
        return os.path.join(self.dir, name)

    def mark(self, text):
        write(self.path('trace_marker'), text)

    def pump(self, timeout):
        """Read what the kernel has; wait at most timeout seconds for it."""
        select.select([self.pipe], [], [], timeout)
        while True:
            try:
                chunk = os.read(self.pipe, 1 << 16)
            except BlockingIOError:
                return
            if not chunk:
                return
            self.buf += chunk
            *done, self.buf = self.buf.split(b'\n')
            self.lines += [d.decode(errors='replace') for d in done]

    def clock_check(self):
        """Offset CLOCK_TAI - CLOCK_REALTIME, and how far a marker written
        at a known CLOCK_REALTIME is stamped from it (after that offset)."""
        real, tai = time.clock_gettime(time.CLOCK_REALTIME), time.clock_gettime(time.CLOCK_TAI)
        offset = round(tai - real)   # a TAI offset is whole seconds
        # A few markers: on a loaded machine one write can be preempted between reading the
        # clock and the write, and is stamped late (never early); parse() keeps the best.
        self.bursts = getattr(self, 'bursts', 0) + 1
        for _ in range(CLOCK_TRIES):
            self.mark(f'tp-clock {time.clock_gettime(time.CLOCK_REALTIME):.6f} {self.bursts}')
        return offset

    def stop(self):
        """Drain up to an end marker, so every event before it is read."""
        self.mark('tp-end')
        deadline = time.time() + 10
        while not any(line.endswith('tp-end') for line in self.lines):
            if time.time() > deadline:
                raise TimeoutError('trace_pipe did not deliver the end marker')
            self.pump(0.2)
        self.remove()

    def remove(self):
        for ev in EVENTS:
            try:
                write(self.path(f'events/{ev}/enable'), '0')
            except OSError:
                pass
        if getattr(self, 'pipe', None) is not None:
            os.close(self.pipe)
            self.pipe = None
        os.rmdir(self.dir)


def parse(lines, addrs, offset):
    """Kernel events of the test hosts -> rows (time, endpoint, peer, event,
    old, new, detail), and the clock checks seen."""
    rows, checks = [], []
    unbound = {}    # (address, peer) -> rows traced before their socket had a port
    for line in lines:
        m = LINE.match(line)
        if not m:
            continue
        ts, ev, rest = float(m.group(1)) - offset, m.group(2), m.group(3)
        if ev == 'tracing_mark_write':
            if rest.startswith('tp-clock '):
                stamp, *burst = rest.split()[1:]
                checks.append((burst[0] if burst else len(checks), ts - float(stamp)))
            elif rest != 'tp-end':
                rows.append((ts, '-', '-', 'mark', '-', '-', rest.replace('\t', ' ')))
            continue
        f = dict(FIELD.findall(rest))
        if ev == 'tcp_send_reset':
            local, peer = f['src'], f['dest']
        else:
            v6 = f.get('family') == 'AF_INET6'
            sa, da = (f['saddrv6'], f['daddrv6']) if v6 else (f['saddr'], f['daddr'])
            local, peer = endpoint(sa, f['sport']), endpoint(da, f['dport'])
        if split_endpoint(local)[0] not in addrs and split_endpoint(peer)[0] not in addrs:
            continue
        if split_endpoint(peer)[1] == '0':
            peer = '*'
        old = new = detail = '-'
        if ev == 'inet_sock_set_state':
            kind, old, new = 'state', f['oldstate'][4:], f['newstate'][4:]
        elif ev == 'tcp_send_reset':
            kind, detail = 'send_reset', f.get('reason', '-')
            old = f['state'][4:] if f.get('state', 'UNKNOWN') != 'UNKNOWN' else '-'
        else:
            kind = ev[4:]   # receive_reset, retransmit_synack, destroy_sock
            kind = 'destroy' if kind == 'destroy_sock' else kind
        addr, port = split_endpoint(local)
        if port == '0' and peer != '*':
            unbound.setdefault((addr, peer), []).append(len(rows))
        elif (addr, peer) in unbound:
            for i in unbound.pop((addr, peer)):
                rows[i] = (rows[i][0], local) + rows[i][2:]
        rows.append((ts, local, peer, kind, old, new, detail))
    best = {}   # clock check -> its closest marker
    for burst, c in checks:
        best[burst] = min(best.get(burst, c), c, key=abs)
    return rows, list(best.values())


def read_drops(folder, addrs):
    """The NFLOG captures of lib/netns.sh's drop rules -> drop rows."""
    rows = []
    fields = ['frame.time_epoch', 'nflog.prefix', 'ip.src', 'ipv6.src', 'tcp.srcport',
              'ip.dst', 'ipv6.dst', 'tcp.dstport', 'tcp.flags', 'tcp.seq_raw', 'tcp.ack_raw',
              'tcp.len']
    for cap in sorted(glob.glob(os.path.join(folder, '*.pcap'))):
        cmd = ['tshark', '-n', '-r', cap, '-Y', 'tcp', '-T', 'fields', '-E', 'occurrence=f']
        for fld in fields:
            cmd += ['-e', fld]
        out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
        for row in out.splitlines():
            t, where, s4, s6, sp, d4, d6, dp, flags, seq, ack, length = row.split('\t')
            src, dst = s4 or s6, d4 or d6
            if src not in addrs and dst not in addrs:
                continue
            detail = f'{where} flags={flags} seq={seq} ack={ack} len={length}'
            rows.append((float(t), endpoint(src, sp), endpoint(dst, dp), 'drop', '-', '-',
                         detail))
    return rows


def record(args):
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))
    rec = Recorder(args.instance, args.addr)
    try:
        offset = rec.clock_check()
        if args.ready:
            write(args.ready, rec.path('trace_marker') + '\n')
        while not stop:
            rec.pump(0.2)
        rec.clock_check()
        rec.stop()
    except BaseException:
        if rec.pipe is not None:
            rec.remove()
        raise
    rows, checks = parse(rec.lines, set(args.addr), offset)
    if not checks or max(abs(c) for c in checks) > CLOCK_LIMIT:
        sys.exit(f'ktrace: trace clock off CLOCK_REALTIME by {checks} s (limit {CLOCK_LIMIT})')
    if args.drops_dir:
        rows += read_drops(args.drops_dir, set(args.addr))
    rows.sort(key=lambda r: r[0])
    with open(args.out, 'w') as f:
        f.write('# Kernel record (sample-pcaps/lib/ktrace.py): tracefs sock:inet_sock_set_state,'
                ' tcp:tcp_send_reset, tcp_receive_reset, tcp_retransmit_synack,'
                ' tcp_destroy_sock of the test hosts, made in the same run as the capture;'
                ' see docs/kernel-truth.md.\n')
        f.write(f'# clock: trace_clock tai, CLOCK_TAI - CLOCK_REALTIME = {offset} s (removed);'
                f' trace_marker stamps minus CLOCK_REALTIME at write:'
                f' {" ".join(f"{c * 1e6:+.0f}" for c in checks)} us\n')
        f.write('time\tendpoint\tpeer\tevent\told\tnew\tdetail\n')
        for r in rows:
            f.write(f'{r[0]:.6f}\t' + '\t'.join(r[1:]) + '\n')
    os.chmod(args.out, 0o644)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    sub = ap.add_subparsers(dest='cmd', required=True)
    r = sub.add_parser('record')
    r.add_argument('--out', required=True)
    r.add_argument('--addr', action='append', required=True)
    r.add_argument('--drops-dir')
    r.add_argument('--ready', help='written once tracing runs: the trace_marker path')
    r.add_argument('--instance', default=f'tcpphase-{os.getpid()}')
    args = ap.parse_args()
    record(args)


if __name__ == '__main__':
    main()
