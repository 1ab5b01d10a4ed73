#!/usr/bin/env python3
"""The plan of a class set (sample-pcaps/class): a few real-kernel connections per student.

Usage: classplan.py --seed S (--students N | --names FILE) [--lab 1..8] [--connections K]

Prints a JSON plan in lib/randmix.py's format (so `randmix.py client|server PLAN` run it),
with a `students` list and, on each connection, the student it belongs to.  Each student's
connections are drawn with randmix.draw() from the seed and the student's id (s01, ... or the
name made safe for a folder name), so the same seed gives that student the same kinds, sizes
and pauses, and the same roster the same ports too (what the kernels then do with them is
theirs: the key follows the capture).

Ports: student i (0-based, in roster order) gets K distinct client ports drawn from
20000 + 200 i ... 20000 + 200 i + 199, so every student's connections can run in one shared
capture and be split off by port.  Students start 50 ms apart and their connections 250 ms
apart, so all of them run at once: the starts of a class of 100 span about 6 s.
"""
import argparse
import json
import os
import random
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import randmix  # noqa: E402

PORT_BASE, PORT_BLOCK = 20000, 200
MAX_STUDENTS = (61000 - PORT_BASE) // PORT_BLOCK    # client ports stay below 61000
STUDENT_STAGGER, CONN_GAP = 0.05, 0.25
IPV6 = 0.2
CLOSES = ['client-first', 'server-first', 'simultaneous']

# lab number -> (topic, the kinds of randmix.py its students get).  The labs are docs/labs/.
LABS = {
    1: ('handshake', ['client-first', 'server-first', 'refused', 'unanswered',
                      'synack-unacked']),
    2: ('closing', ['client-first', 'server-first', 'simultaneous']),
    3: ('half-close', ['half-close', 'rst-after-fin', 'client-first']),
    4: ('rst-instead-of-fin', ['unread', 'linger-client', 'linger-server', 'rst-after-fin']),
    5: ('half-open', ['unanswered', 'synack-unacked', 'server-loses', 'client-loses']),
    6: ('time-wait', ['reuse-tw-client', 'reuse-tw-server', 'client-first', 'server-first']),
    # Lab 7's captures with holes are not made yet: its students get complete captures of
    # every kind (docs/labs/class.md says so).
    7: ('capture-gaps', None),
    # HOOK (scans): lab 8 waits for the scan work.  When the engine knows scans, add a
    # `scan` kind to randmix.draw() (a SYN to each of several ports of one host, as a
    # scanner sends them), drop it from PENDING, and write its questions in classkey.py
    # (QUESTIONS['scan']).  Until then `--lab 8` stops with PENDING's reason.
    8: ('scans', ['scan']),
}
PENDING = {'scan': 'the scan kind is not in the engine yet (lab 8 waits for the scan work)'}
# Every kind a set without --lab mixes: randmix's, without reuse-after-tw (it waits 62 s).
ALL = [k for k in randmix.KINDS if k != 'reuse-after-tw']


def student_ids(n, names_file):
    """[(id, name)]: s01, s02, ... or one per non-empty line of the names file, with a
    folder-safe id made of the name."""
    if names_file is None:
        width = max(2, len(str(n)))
        return [(f's{i + 1:0{width}d}', f's{i + 1:0{width}d}') for i in range(n)]
    out, seen = [], set()
    with open(names_file, encoding='utf-8') as f:
        for line in f:
            name = line.strip()
            if not name or name.startswith('#'):
                continue
            sid = re.sub(r'[^A-Za-z0-9._-]+', '-', name).strip('-.').lower() or 'student'
            base, k = sid, 2
            while sid in seen:
                sid, k = f'{base}-{k}', k + 1
            seen.add(sid)
            out.append((sid, name))
    return out


def kinds_for(rng, lab, k):
    """k kinds for one student: the lab's kinds, each once before any twice; without a lab,
    one close and k-1 different kinds of the rest."""
    pool = LABS[lab][1] if lab else None
    if pool is None:
        first = rng.choice(CLOSES)
        rest = [x for x in ALL if x != first]
        return [first] + rng.sample(rest, min(k - 1, len(rest)))
    out = []
    while len(out) < k:
        out += rng.sample(pool, len(pool))
    return out[:k]


def plan(seed, students, lab, k):
    conns, roster = [], []
    for i, (sid, name) in enumerate(students):
        rng = random.Random(f'tcpphase-class:{seed}:{sid}')
        ports = sorted(rng.sample(range(PORT_BASE + PORT_BLOCK * i,
                                        PORT_BASE + PORT_BLOCK * (i + 1)), k))
        kinds = kinds_for(rng, lab, k)
        roster.append({'id': sid, 'name': name, 'ports': ports, 'kinds': kinds})
        for j, (port, kind) in enumerate(zip(ports, kinds)):
            v6 = rng.random() < IPV6
            client, server = randmix.draw(rng, kind, port, v6)
            conns.append({'port': port, 'kind': kind, 'v6': v6, 'student': sid,
                          'start': round(STUDENT_STAGGER * i + CONN_GAP * j, 4),
                          'client': client, 'server': server})
    conns.sort(key=lambda c: (c['start'], c['port']))
    # hold_listeners: randmix.server keeps its 8083 listeners (see there).
    return {'seed': seed, 'lab': lab, 'students': roster, 'connections': conns,
            'hold_listeners': True}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--seed', type=int, required=True)
    ap.add_argument('--students', type=int)
    ap.add_argument('--names')
    ap.add_argument('--lab', type=int, choices=sorted(LABS))
    ap.add_argument('--connections', type=int, default=4)
    a = ap.parse_args()
    if (a.students is None) == (a.names is None):
        ap.error('give --students N or --names FILE')
    if a.lab and any(k in PENDING for k in LABS[a.lab][1] or ()):
        sys.exit(f'class: lab {a.lab} ({LABS[a.lab][0]}): '
                 + '; '.join(PENDING[k] for k in LABS[a.lab][1] if k in PENDING))
    if not 1 <= a.connections <= 8:
        ap.error('--connections: 1 to 8')
    students = student_ids(a.students, a.names)
    if not 1 <= len(students) <= MAX_STUDENTS:
        ap.error(f'1 to {MAX_STUDENTS} students')
    json.dump(plan(a.seed, students, a.lab, a.connections), sys.stdout, indent=0)


if __name__ == '__main__':
    main()
