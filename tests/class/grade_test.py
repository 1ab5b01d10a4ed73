#!/usr/bin/env python3
"""docs/labs/grade: the key itself scores 100%, its answers in other spellings too, and a sheet
with known wrong and missing answers gets exactly the partial scores counted by hand below.
Needs no root and no capture: the key is a small hand-written one with every answer type."""
import csv
import os
import subprocess
import sys
import tempfile
from importlib.machinery import SourceFileLoader

GRADE = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'docs', 'labs',
                     'grade')
KEY = [  # student, question, answer, type, topic
    ('s01', 'q1', 'server', 'side', 'close-first'),
    ('s01', 'q2', '13', 'frame', 'time-wait-frame'),
    ('s01', 'q3', 'SYN-RECEIVED', 'state', 'state-after'),
    ('s01', 'q4', '1000', 'number', 'rst-received-bytes'),
    ('s01', 'q5', 'FIN-WAIT-2', 'state', 'state-after'),
    ('s02', 'q1', 'FIN-WAIT-2', 'state', 'state-after'),
    ('s02', 'q2', 'client', 'side', 'rst-side'),
    ('s02', 'q3', '40', 'frame', 'rst-frame'),
    ('s02', 'q4', 'CLOSED', 'state', 'state-after'),
    ('s02', 'q5', '2', 'number', 'syn-count'),
]
# The same answers as students write them: all right.
SPELLINGS = {('s01', 'q1'): 'The Server', ('s01', 'q2'): 'frame 13', ('s01', 'q3'): 'syn_recv',
             ('s01', 'q4'): '1,000 bytes', ('s01', 'q5'): 'TCP_FIN_WAIT2',
             ('s02', 'q1'): 'fin wait 2', ('s02', 'q2'): 'c', ('s02', 'q3'): '#40',
             ('s02', 'q4'): 'CLOSE', ('s02', 'q5'): ' 2 '}
# Known wrong: s01 q2 (a neighbouring frame) wrong, q4 missing -> 3/5 = 60.0%;
# s02 q1 (FIN-WAIT-1 for FIN-WAIT-2) wrong -> 4/5 = 80.0%.
WRONG = {('s01', 'q2'): '12', ('s02', 'q1'): 'FIN_WAIT1'}
MISSING = {('s01', 'q4')}
FAILS = []


def check(what, cond):
    print(('ok   ' if cond else 'FAIL ') + what)
    if not cond:
        FAILS.append(what)


def write(path, rows, header=None):
    with open(path, 'w', newline='') as f:
        w = csv.writer(f)
        if header:
            w.writerow(header)
        w.writerows(rows)


def run(tmp, answers):
    apath, spath = os.path.join(tmp, 'answers.csv'), os.path.join(tmp, 'scores.csv')
    write(apath, answers)
    out = subprocess.run([GRADE, tmp, apath, '--scores', spath], capture_output=True, text=True,
                         check=True)
    with open(spath, newline='') as f:
        scores = {r['student']: (int(r['right']), int(r['asked']), r['percent'])
                  for r in csv.DictReader(f)}
    return out.stdout, out.stderr, scores


def main():
    with tempfile.TemporaryDirectory() as tmp:
        write(os.path.join(tmp, 'key.csv'), KEY, ['student', 'question', 'answer', 'type',
                                                  'topic'])
        out, _, scores = run(tmp, [k[:3] for k in KEY])
        check('the key itself: every student 100%',
              scores == {'s01': (5, 5, '100.0'), 's02': (5, 5, '100.0')})
        check('the key itself: class 100%', 'class: 2 students, 10 questions, 10 right (100.0%)'
              in out)
        out, _, scores = run(tmp, [(s, q, SPELLINGS[(s, q)]) for s, q, *_ in KEY])
        check('other spellings of the right answers: 100%',
              scores == {'s01': (5, 5, '100.0'), 's02': (5, 5, '100.0')})
        sheet = [(s, q, WRONG.get((s, q), a)) for s, q, a, *_ in KEY if (s, q) not in MISSING]
        sheet.append(('s03', 'q1', 'server'))   # nobody of that name in the key
        out, err, scores = run(tmp, sheet)
        check('known wrong answers: s01 3/5 (60.0%), s02 4/5 (80.0%)',
              scores == {'s01': (3, 5, '60.0'), 's02': (4, 5, '80.0')})
        check('the missed questions are named',
              any(line.startswith('s01') and line.rstrip().endswith('q2 q4')
                  for line in out.splitlines()))
        topics = out.split('by topic, the most missed first:\n')[1].split('\n\n')[0].splitlines()
        check('by topic: the most missed first (time-wait-frame, rst-received-bytes, 0 right)',
              [t.split()[0] for t in topics[:2]] == ['rst-received-bytes', 'time-wait-frame']
              and '0/1 right' in topics[0])
        check('by topic: state-after 3/4', any(t.split()[0] == 'state-after' and '3/4 right' in t
                                               for t in topics))
        check('class: 7 of 10 right', 'class: 2 students, 10 questions, 7 right (70.0%)' in out)
        check('an answer to no question of the key is reported', 's03 q1' in err)
    g = SourceFileLoader('grade', GRADE).load_module()
    check('a two-number answer is no answer', g.number('frame 12 or 13') is None)
    check('states: SYN-RCVD, new_syn_recv, CLOSE', [g.state(x) for x in (
        'SYN-RCVD', 'new_syn_recv', 'close')] == ['SYN-RECEIVED'] * 2 + ['CLOSED'])
    check('a side naming both is wrong', g.side('client and server') not in ('client', 'server'))
    print('grade_test:', 'FAILED ' + '; '.join(FAILS) if FAILS else 'OK')
    sys.exit(1 if FAILS else 0)


if __name__ == '__main__':
    main()
