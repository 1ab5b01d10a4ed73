"""The kernel's record (lib/ktrace.py) as RFC 9293 states of each endpoint over time.

Linux traces the state changes of full sockets only; docs/kernel-truth.md
gives the mapping and the cases it does not trace, which are rebuilt here:

- a request socket (SYN received, SYN,ACK sent, no child yet) is
  SYN-RECEIVED from its first SYN,ACK (seen in the capture or traced as
  retransmitted) until its child appears, a RST from the peer, or 10 s after
  its last SYN,ACK;
- FIN_WAIT2 -> CLOSE or CLOSING -> CLOSE without a reset is the socket
  replaced by a TIME-WAIT socket: {FIN-WAIT-2, TIME-WAIT} from FIN_WAIT2 (an
  orphaned socket hands over in FIN-WAIT-2, the FIN that makes it TIME-WAIT
  is not traced), {TIME-WAIT} from CLOSING; it ends when a new socket or
  request takes the 4-tuple, when it sends a RST (traced), after 60 s
  (CLOSED also accepted from then, 70 s at most), and a RST from its peer
  may have ended it (CLOSED also accepted from then);
- no socket is CLOSED, with LISTEN also accepted while a listener has the
  local address and port.

A timeline is a list of Segment(start, states, born): from `start` on, the
endpoint is in one of `states`; `born` is when the socket (or request)
holding the 4-tuple then was created.
"""
from collections import defaultdict, namedtuple

LINUX = {'ESTABLISHED': 'ESTABLISHED', 'SYN_SENT': 'SYN-SENT', 'SYN_RECV': 'SYN-RECEIVED',
         'FIN_WAIT1': 'FIN-WAIT-1', 'FIN_WAIT2': 'FIN-WAIT-2', 'TIME_WAIT': 'TIME-WAIT',
         'CLOSE': 'CLOSED', 'CLOSE_WAIT': 'CLOSE-WAIT', 'LAST_ACK': 'LAST-ACK',
         'LISTEN': 'LISTEN', 'CLOSING': 'CLOSING', 'NEW_SYN_RECV': 'SYN-RECEIVED'}
TIME_WAIT_LEN = 60.0      # Linux's TCP_TIMEWAIT_LEN (and default tcp_fin_timeout)
TIMER_SLACK = 10.0        # a long timer may fire this much late (timer wheel)
REQUEST_LIFE = 10.0       # a request socket outlives its last SYN,ACK at most this
RESET_NEAR = 0.002        # a reset this close to X -> CLOSE caused it
FAILED_CONNECT = 0.001    # SYN_SENT -> CLOSE this soon, without reset: connect() failed

# Transitions that only a received segment makes (the rest: the socket's own
# user, or a timer; X -> CLOSE also comes from an abort of its own).
RECEIVED = {('SYN_SENT', 'ESTABLISHED'), ('SYN_SENT', 'SYN_RECV'), ('LISTEN', 'SYN_RECV'),
            ('SYN_RECV', 'ESTABLISHED'), ('ESTABLISHED', 'CLOSE_WAIT'),
            ('FIN_WAIT1', 'FIN_WAIT2'), ('FIN_WAIT1', 'CLOSING'), ('FIN_WAIT2', 'CLOSE'),
            ('CLOSING', 'CLOSE'), ('LAST_ACK', 'CLOSE'), ('SYN_RECV', 'CLOSE_WAIT')}

Segment = namedtuple('Segment', 'start states born')
Event = namedtuple('Event', 'time endpoint peer event old new detail')


def read_record(path):
    """Kernel record file -> list of Event, and the path delays
    {address: seconds} from its tp-delay marks."""
    events, delays = [], {}
    with open(path) as f:
        for line in f:
            if line.startswith('#') or line.startswith('time\t'):
                continue
            t, ep, peer, ev, old, new, detail = line.rstrip('\n').split('\t')
            e = Event(float(t), ep, peer, ev, old, new, detail)
            events.append(e)
            if ev == 'mark' and detail.startswith('tp-delay '):
                *addrs, secs = detail.split()[1:]
                for a in addrs:
                    delays[a] = float(secs)
    return events, delays


def port_of(ep):
    return ep.rpartition(':')[2]


class Kernel:
    """Per endpoint (local, peer) timelines built from a record and the
    SYN,ACKs the capture shows (a request socket's only trace)."""

    def __init__(self, events, synacks):
        self.events = events
        self.by_key = defaultdict(list)          # (local, peer) -> its events
        for e in events:
            self.by_key[(e.endpoint, e.peer)].append(e)
        self.drops_from = defaultdict(list)      # sender -> drop events
        for e in events:
            if e.event == 'drop':
                self.drops_from[e.endpoint].append(e)
        self.resets = defaultdict(list)          # (local, peer) -> times of resets
        for e in events:
            if e.event == 'send_reset':
                self.resets[(e.endpoint, e.peer)].append(e.time)
            elif e.event == 'receive_reset':
                self.resets[(e.endpoint, e.peer)].append(e.time)
        self.synacks = synacks                   # (local, peer) -> [send times]
        self.cache = {}

    def reset_near(self, key, t):
        return any(abs(r - t) <= RESET_NEAR for r in self.resets.get(key, ()))

    def aborts(self, key):
        """Times key's socket went to CLOSE with a reset of its own sent."""
        mine = self.by_key.get(key, ())
        return [e.time for e in mine if e.event == 'state' and e.new == 'CLOSE'
                and any(x.event == 'send_reset' and abs(x.time - e.time) <= RESET_NEAR
                        for x in mine)]

    def timeline(self, key):
        if key not in self.cache:
            self.cache[key] = self._build(key)
        return self.cache[key]

    def _build(self, key):
        local, peer = key
        todo = []   # (time, order, kind, event)
        near = (self.by_key[('-', '-')] + self.by_key.get(key, []) + self.by_key.get((peer, local), [])
                + self.by_key.get((local, '*'), []))
        for e in near:
            k = (e.endpoint, e.peer)
            if e.event == 'mark' and e.detail == 'tp-reset':
                todo.append((e.time, 0, 'reset', e))
            elif k == key and e.event in ('state', 'retransmit_synack', 'send_reset'):
                todo.append((e.time, 1, e.event, e))
            elif k == (peer, local) and e.event == 'send_reset':
                todo.append((e.time, 1, 'peer_reset', e))
            elif e.endpoint == local and e.peer == '*' and e.event == 'state':
                todo.append((e.time, 1, 'listener', e))
        for t in self.synacks.get(key, ()):
            todo.append((t, 1, 'synack', None))
        todo.sort(key=lambda x: (x[0], x[1]))
        todo = self._without_failed_connects(key, todo)

        st = {'full': None, 'request': None, 'tw': None, 'tw_since': 0.0,
              'listening': False, 'born': float('-inf')}
        out = []

        def states():
            if st['full']:
                return frozenset([LINUX[st['full']]])
            if st['request'] is not None:
                return frozenset(['SYN-RECEIVED'])
            if st['tw']:
                return st['tw']
            return frozenset(['CLOSED', 'LISTEN'] if st['listening'] else ['CLOSED'])

        def emit(t):
            s = Segment(t, states(), st['born'])
            if out and out[-1].start == t:
                out[-1] = s
            elif not out or (out[-1].states, out[-1].born) != (s.states, s.born):
                out.append(s)

        def timers(upto):
            """Apply the untraced timeouts due before `upto`."""
            while True:
                due = []
                if st['tw'] and not st['full']:
                    if 'CLOSED' not in st['tw']:
                        due.append((st['tw_since'] + TIME_WAIT_LEN, 'tw_old'))
                    due.append((st['tw_since'] + TIME_WAIT_LEN + TIMER_SLACK, 'tw_end'))
                if st['request'] is not None:
                    due.append((st['request'] + REQUEST_LIFE, 'req_end'))
                due = [d for d in due if d[0] < upto]
                if not due:
                    return
                t, what = min(due)
                if what == 'tw_old':
                    st['tw'] = st['tw'] | {'CLOSED'}
                elif what == 'tw_end':
                    st['tw'] = None
                else:
                    st['request'] = None
                emit(t)

        emit(float('-inf'))
        for t, _, kind, e in todo:
            timers(t)
            if kind == 'reset':
                st.update(full=None, request=None, tw=None, listening=False, born=t)
            elif kind == 'listener':
                st['listening'] = e.new == 'LISTEN'
            elif kind == 'state':
                if e.new == 'CLOSE':
                    if e.old in ('FIN_WAIT2', 'CLOSING') and not self.reset_near(key, t):
                        st['tw'] = frozenset(['FIN-WAIT-2', 'TIME-WAIT'] if e.old == 'FIN_WAIT2'
                                             else ['TIME-WAIT'])
                        st['tw_since'] = t
                    st['full'] = None
                else:
                    if st['full'] is None and st['request'] is None:
                        st['born'] = t   # a new socket on this 4-tuple
                    st.update(full=e.new, request=None, tw=None)
            elif kind in ('synack', 'retransmit_synack'):
                if st['full'] is None:
                    if st['request'] is None:
                        st['born'] = t
                    st.update(request=t, tw=None)
            elif kind == 'send_reset':
                if st['full'] is None and st['tw']:
                    st['tw'] = None   # a TIME-WAIT socket that answers RST is killed
            elif kind == 'peer_reset':
                st['request'] = None
                if st['full'] is None and st['tw']:
                    # In window it kills the TIME-WAIT socket (RFC 1337, Linux's
                    # default); out of window it does not: the record cannot tell.
                    st['tw'] = st['tw'] | {'CLOSED'}
            emit(t)
        timers(float('inf'))
        return out

    def chain_end(self, key, b, gap):
        """b, moved on past the traced changes of key that follow, each within
        `gap` of the one before, a change at or before b: the rest of one
        processing (FIN_WAIT1 -> FIN_WAIT2 -> CLOSE), late under load."""
        last = None
        for e in self.by_key.get(key, ()):
            if e.event != 'state':
                continue
            if e.time <= b:
                last = e.time
            elif last is not None and e.time - last <= gap:
                last = b = e.time
            else:
                break
        return b

    def _without_failed_connects(self, key, todo):
        """Drop CLOSE -> SYN_SENT -> CLOSE within FAILED_CONNECT with no reset:
        a connect() that could not take the 4-tuple (EADDRINUSE: another socket
        still holds it) is traced, but it is not the endpoint that holds it."""
        drop = set()
        states = [i for i, x in enumerate(todo) if x[2] == 'state']
        for i, j in zip(states, states[1:]):
            e, n = todo[i][3], todo[j][3]
            if ((e.old, e.new, n.old, n.new) == ('CLOSE', 'SYN_SENT', 'SYN_SENT', 'CLOSE')
                    and n.time - e.time < FAILED_CONNECT and not self.reset_near(key, n.time)):
                drop |= {i, j}
        return [x for i, x in enumerate(todo) if i not in drop]

    def states_in(self, key, a, b):
        """[(states, born)] of the segments overlapping [a, b]."""
        tl = self.timeline(key)
        out = []
        for i, s in enumerate(tl):
            end = tl[i + 1].start if i + 1 < len(tl) else float('inf')
            if s.start <= b and end > a:
                out.append((s.states, s.born))
        return out

    def first_change(self, key, a, b):
        """The first traced change of key's socket in [a, b) that a received
        segment makes, or None (a close() or connect() of its own, or a state
        inferred from the capture, does not count)."""
        for e in self.by_key.get(key, ()):
            if (e.event == 'state' and a <= e.time < b
                    and (e.old, e.new) in RECEIVED):
                return e.time
        return None
