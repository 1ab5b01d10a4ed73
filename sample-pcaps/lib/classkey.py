#!/usr/bin/env python3
"""Split a class run (sample-pcaps/class) per student and write its questions, key and quizzes.

Usage: classkey.py build --out DIR [--jobs J]
       classkey.py verify DIR [--jobs J]

`build` reads DIR/instructor/{plan.json,run.pcap,run.kernel.tsv} (made by ./class) and writes,
for each student of the plan, DIR/students/ID/capture.pcap (the frames of the student's client
ports, renumbered from 1), DIR/instructor/ID/kernel.tsv (the kernel record's lines of those
ports, the listeners and the marks), then compares the two with lib/kcompare's rules and asks
lib/classquestions.py's questions of each connection: DIR/students/ID/questions.md and
quiz.gift, DIR/instructor/ID/questions.json (each answer with the states it rests on),
DIR/key.csv and DIR/class.gift.  It needs the plugin (TCPPHASE_PLUGIN_DIR).

`verify` checks a set as the CI test does: for every student it compares the student's
capture with the student's kernel record again, from the files on disk, asks the questions
again, and fails unless every row of key.csv is asked again with the same answer and every
endpoint state an answer rests on is one the kernel held (exit 1 otherwise).
"""
import argparse
import csv
import json
import os
import random
import subprocess
import sys
from collections import defaultdict
from importlib.machinery import SourceFileLoader
from multiprocessing import Pool

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from ktimeline import read_record  # noqa: E402
import classquestions  # noqa: E402
import classgift  # noqa: E402

kcompare = SourceFileLoader('kcompare', os.path.join(HERE, 'kcompare')).load_module()
KEY_FIELDS = ['student', 'question', 'answer', 'type', 'topic']


def split(out, plan):
    """One capture and one kernel record per student, by client port."""
    inst = os.path.join(out, 'instructor')
    with open(os.path.join(inst, 'run.kernel.tsv')) as f:
        lines = f.readlines()
    head = [x for x in lines if x.startswith('#') or x.startswith('time\t')]
    rows = [x for x in lines if x not in head]
    for s in plan['students']:
        sdir, idir = os.path.join(out, 'students', s['id']), os.path.join(inst, s['id'])
        os.makedirs(sdir, exist_ok=True)
        os.makedirs(idir, exist_ok=True)
        filt = ' or '.join(f'port {p}' for p in s['ports'])
        subprocess.run(['tcpdump', '-r', os.path.join(inst, 'run.pcap'), '-w',
                        os.path.join(sdir, 'capture.pcap'), f'tcp and ({filt})'],
                       check=True, capture_output=True)
        os.chmod(os.path.join(sdir, 'capture.pcap'), 0o644)
        ports = {str(p) for p in s['ports']}
        with open(os.path.join(idir, 'kernel.tsv'), 'w') as f:
            f.writelines(head)
            for r in rows:
                c = r.split('\t')
                # Its own sockets' lines, and what every endpoint's timeline needs: the
                # listeners (peer *) and the marks (tp-reset).
                if (c[2] == '*' or c[3] == 'mark' or c[1].rpartition(':')[2] in ports
                        or c[2].rpartition(':')[2] in ports):
                    f.write(r)


def annotate(capture, frames):
    """tcpphase's role and expert messages on each frame (kcompare reads the states)."""
    cmd = [kcompare.TSHARK_USER, '-n', '-2', '-r', capture, '-Y', 'tcpphase.sender', '-T',
           'fields', '-E', 'separator=/t', '-E', 'occurrence=a', '-E', 'aggregator=|',
           '-e', 'frame.number', '-e', 'tcpphase.role', '-e', '_ws.expert.message']
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    extra = {}
    for line in out.splitlines():
        num, role, msg = (line.split('\t') + ['', ''])[:3]
        extra[int(num)] = (role, msg)
    for f in frames:
        f.role, f.msg = extra.get(f.num, ('', ''))


def conns(plan_student, kinds_by_port, capture, record):
    """The student's connections (classquestions.Conn), in port order."""
    rows, _ = kcompare.compare(capture, record)
    events, _ = read_record(record)
    frames = sorted({f.num: f for f, *_ in rows}.values(), key=lambda f: f.num)
    annotate(capture, frames)
    checks = {(f.num, side): (state, kst, cls) for f, side, state, kst, cls in rows}
    by_port = defaultdict(list)
    for f in frames:
        by_port[int(f.client.rpartition(':')[2])].append(f)
    return [classquestions.Conn(p, kinds_by_port[p], by_port.get(p, []), checks, events)
            for p in plan_student['ports']], checks


def student_questions(args):
    """-> (student id, [question dicts], {(frame, side): kernel states}) for one student, from
    the files on disk."""
    out, plan, s = args
    capture = os.path.join(out, 'students', s['id'], 'capture.pcap')
    record = os.path.join(out, 'instructor', s['id'], 'kernel.tsv')
    kinds = dict(zip(s['ports'], s['kinds']))
    qs = []
    cs, checks = conns(s, kinds, capture, record)
    for c in cs:
        rng = random.Random(f'tcpphase-class:{plan["seed"]}:{s["id"]}:{c.port}')
        for q in classquestions.questions(c, rng, plan.get('lab')):
            qs.append({'question': f'q{len(qs) + 1}', 'port': c.port, 'kind': c.kind,
                       **q._asdict()})
    return s['id'], qs, {k: v[1] for k, v in checks.items()}


def capture_summary(path):
    out = subprocess.run(['tcpdump', '-r', path], capture_output=True, text=True).stdout
    return len(out.splitlines())


def write_student(out, s, qs):
    sdir = os.path.join(out, 'students', s['id'])
    frames = capture_summary(os.path.join(sdir, 'capture.pcap'))
    with open(os.path.join(sdir, 'questions.md'), 'w') as f:
        f.write(f'# TCP connection phases: your capture, {s["name"]}\n\n'
                f'Your capture is `capture.pcap` in this folder: {frames} frames of '
                f'{len(s["ports"])} TCP connections between a client (10.0.7.1, fd00:7::1) and '
                'a server (10.0.7.2, fd00:7::2), made by real Linux kernels and captured on the '
                'client\'s interface. Nobody else has this capture. Frame numbers are those '
                'Wireshark and tshark show for this file; a connection is named by its client '
                'port (the server listens on 8080).\n\n'
                'Answer each question with one value: a frame number, a number (of bytes or '
                'segments), a side (`client` or `server`) or a state (its RFC 9293 name, such '
                'as `FIN-WAIT-2`; the Linux name, `FIN_WAIT2`, is accepted too). Hand in a CSV '
                f'file with one line per question, `student,question,answer`, for example '
                f'`{s["id"]},q1,12`.\n\n')
        for q in qs:
            f.write(f'**{q["question"]}.** {q["text"]}\n\n')
        if not qs:
            f.write('(No question could be checked against the kernel for this capture: ask '
                    'your instructor for another.)\n')
    with open(os.path.join(sdir, 'quiz.gift'), 'w') as f:
        f.write(classgift.quiz(s, qs))
    with open(os.path.join(out, 'instructor', s['id'], 'questions.json'), 'w') as f:
        json.dump(qs, f, indent=1)


def build(out, jobs):
    with open(os.path.join(out, 'instructor', 'plan.json')) as f:
        plan = json.load(f)
    split(out, plan)
    with Pool(max(1, jobs)) as pool:
        results = {sid: qs for sid, qs, _ in pool.map(
            student_questions, [(out, plan, s) for s in plan['students']])}
    key, bank = [], []
    for s in plan['students']:
        qs = results[s['id']]
        write_student(out, s, qs)
        bank.append(classgift.quiz(s, qs))
        key += [{'student': s['id'], 'question': q['question'], 'answer': q['answer'],
                 'type': q['type'], 'topic': q['topic']} for q in qs]
    with open(os.path.join(out, 'key.csv'), 'w', newline='') as f:
        w = csv.DictWriter(f, KEY_FIELDS)
        w.writeheader()
        w.writerows(key)
    with open(os.path.join(out, 'class.gift'), 'w') as f:
        f.write('\n'.join(bank))
    planned = sum(len(s['ports']) for s in plan['students'])
    print(f'classkey: {len(plan["students"])} students, {len(key)} questions on {planned} '
          f'connections ({", ".join(str(len(results[s["id"]])) for s in plan["students"])}'
          ' per student); key.csv, class.gift')


def verify(out, jobs):
    with open(os.path.join(out, 'instructor', 'plan.json')) as f:
        plan = json.load(f)
    with open(os.path.join(out, 'key.csv'), newline='') as f:
        key = defaultdict(dict)
        for r in csv.DictReader(f):
            key[r['student']][r['question']] = r
    with Pool(max(1, jobs)) as pool:
        again = pool.map(student_questions, [(out, plan, s) for s in plan['students']])
    status = 0
    for sid, qs, kernel in again:
        asked = {q['question']: q for q in qs}
        bad = []
        for qid, r in key[sid].items():
            q = asked.get(qid)
            if q is None or q['answer'] != r['answer'] or q['topic'] != r['topic']:
                bad.append(f'{qid}: key {r["answer"]} ({r["topic"]}), asked again: '
                           f'{q and q["answer"]} ({q and q["topic"]})')
                continue
            for num, side, state in q['claims']:
                if state not in kernel.get((num, side), ()):
                    bad.append(f'{qid}: frame {num} {side} {state}: not a state the kernel '
                               f'held ({"|".join(sorted(kernel.get((num, side), ()))) or "-"})')
        if not key[sid]:
            bad.append('no question in the key')
        for b in bad:
            print(f'  {sid} {b}')
        print(f'{sid}: {len(key[sid])} answers, '
              + ('each matches its capture and kernel record' if not bad
                 else f'{len(bad)} problems'))
        status |= bool(bad)
    print(f'classkey verify: {"OK" if status == 0 else "FAILED"}')
    return status


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    sub = ap.add_subparsers(dest='cmd', required=True)
    b = sub.add_parser('build')
    b.add_argument('--out', required=True)
    b.add_argument('--jobs', type=int, default=2)
    v = sub.add_parser('verify')
    v.add_argument('dir')
    v.add_argument('--jobs', type=int, default=2)
    a = ap.parse_args()
    if a.cmd == 'build':
        build(a.out, a.jobs)
    else:
        sys.exit(verify(a.dir, a.jobs))


if __name__ == '__main__':
    main()
