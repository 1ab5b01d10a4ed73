"""The questions of a class set (sample-pcaps/class), asked of one student's connection.

Each question template takes a connection (Conn: its frames in the student's capture, with
tcpphase's role, states and expert message on each, and kcompare's verdict on each endpoint
state against the kernel's record) and returns a Question, or None when it does not apply or
when its answer is not certain.  An answer is certain when
  - the capture itself gives it (a frame, a count of segments, a sum of payload bytes, the
    sender of the first FIN), and tcpphase says the same thing of the same frames; and
  - every endpoint state it rests on (Question.claims: frame, side, state) is tcpphase's
    state there and one the kernel held in that frame's window (kcompare's `agree`); and,
    where the kernel traces the event itself (a RST sent, a SYN,ACK retransmitted), the
    record shows it.
A question whose answer the capture, tcpphase and the kernel do not all give is not asked.
"""
import re
from collections import namedtuple

Question = namedtuple('Question', 'topic type text answer claims')
RST_ROLES = ('rst-instead-of-fin', 'rst-after-fin', 'rst-half-open')
RESET_NEAR = 0.02   # a traced send_reset this close to the captured RST is that RST


class Conn:
    """One planned connection (all incarnations of its client port) in a student's capture."""

    def __init__(self, port, kind, frames, checks, events):
        self.port, self.kind, self.frames = port, kind, frames
        self.checks = checks          # (frame, side) -> (tcpphase state, kernel states, class)
        self.events = events          # the kernel record's events (ktimeline.Event)
        first = frames[0].conn if frames else None
        self.first = [f for f in frames if f.conn == first]   # the first incarnation

    def certain(self, claims):
        """Every (frame, side, state) is tcpphase's state and agrees with the kernel."""
        for num, side, state in claims:
            mine, _, cls = self.checks.get((num, side), (None, None, None))
            if mine != state or cls != 'agree':
                return False
        return True

    def reset_traced(self, f):
        return any(e.event == 'send_reset' and e.endpoint == f.src and e.peer == f.dst
                   and abs(e.time - f.t) <= RESET_NEAR for e in self.events)

    def synack_retransmits(self, server, client):
        return sum(1 for e in self.events if e.event == 'retransmit_synack'
                   and e.endpoint == server and e.peer == client)


def ask(conn, topic, qtype, text, answer, claims):
    return Question(topic, qtype, text, str(answer), claims) if conn.certain(claims) else None


def other(side):
    return 'server' if side == 'client' else 'client'


def is_syn(f):
    return f.flags & 0x12 == 0x02


def is_synack(f):
    return f.flags & 0x12 == 0x12


def payload(frames):
    """Bytes of payload, each sequence range once (a retransmission is not new data)."""
    return sum(f.len for f in {(f.src, f.seq, f.len): f for f in frames if f.len}.values())


def first_fin(frames):
    return next((f for f in frames if f.flags & 0x01), None)


def handshake_frame(c, rng):
    syn = next((f for f in c.first if is_syn(f) and f.sender == 'client'), None)
    sa = next((f for f in c.first if is_synack(f) and f.sender == 'server'), None)
    if syn is None or sa is None:
        return None
    ha = next((f for f in c.first if f.num > sa.num and f.sender == 'client'
               and f.flags & 0x10 and not f.flags & 0x06), None)
    if ha is None or ha.role != 'handshake-ack':
        return None
    return ask(c, 'handshake-frame', 'frame',
               f'Connection from client port {c.port}: after which frame is the server '
               'ESTABLISHED (which frame completes the three-way handshake)?',
               ha.num, [(sa.num, 'server', 'SYN-RECEIVED'), (ha.num, 'server', 'ESTABLISHED')])


def closer(c):
    """The first FIN of the first incarnation, when it starts an ordinary close."""
    fin = first_fin(c.first)
    if fin is None or fin.role != 'fin-active' or any(
            f.role == 'fin-simultaneous' for f in c.first):
        return None
    return fin


def close_first(c, rng):
    fin = closer(c)
    if fin is None:
        return None
    return ask(c, 'close-first', 'side',
               f'Connection from client port {c.port}: which side (client or server) closes '
               'first, i.e. sends the first FIN?',
               fin.sender, [(fin.num, fin.sender, 'FIN-WAIT-1')])


def time_wait_frame(c, rng):
    fin = closer(c)
    simultaneous = any(f.role == 'fin-simultaneous' for f in c.first)
    if fin is None and not simultaneous:
        return None
    side = fin.sender if fin is not None else 'client'
    tw = next((f for f in c.first if f.states[side] == 'TIME-WAIT'), None)
    if tw is None or tw is c.first[0]:
        return None
    prev = c.first[c.first.index(tw) - 1]
    who = ('the side that closed first' if fin is not None
           else 'the client (both sides closed at once)')
    return ask(c, 'time-wait-frame', 'frame',
               f'Connection from client port {c.port}: after which frame is {who} '
               'in TIME-WAIT?',
               tw.num, [(prev.num, side, prev.states[side]), (tw.num, side, 'TIME-WAIT')])


# A frame role -> the side whose state after it is worth asking (its sender or receiver).
STATE_ROLES = {'syn-ack': 'sender', 'fin-active': 'receiver', 'ack-of-fin': 'receiver',
               'fin-passive': 'sender', 'fin-simultaneous': 'sender',
               'half-closed-data': 'sender', 'simultaneous-syn': 'sender'}


def state_after(c, rng):
    # The roles in an order drawn first, whatever the capture holds, so that a second run
    # asks of the same role when it can (a three-segment close has no ack-of-fin, say).
    for role in rng.sample(sorted(STATE_ROLES), len(STATE_ROLES)):
        f = next((g for g in c.first if g.role == role), None)
        if f is None:
            continue
        side = f.sender if STATE_ROLES[role] == 'sender' else other(f.sender)
        state = f.states[side]
        if state not in ('UNKNOWN', 'ESTABLISHED') and c.certain([(f.num, side, state)]):
            return ask(c, 'state-after', 'state',
                       f'Connection from client port {c.port}: what is the {side}\'s state '
                       f'(RFC 9293 name) after frame {f.num}?', state, [(f.num, side, state)])
    return None


def refused_frame(c, rng):
    rst = next((f for f in c.frames if f.flags & 0x04 and f.sender == 'server'), None)
    if rst is None or rst.role != 'rst-refused':
        return None
    return ask(c, 'refused-frame', 'frame',
               f'The client at port {c.port} sends a SYN to a port nobody listens on. '
               'Which frame answers it?',
               rst.num, [(rst.num, 'client', 'CLOSED')])


def syn_count(c, rng):
    syns = [f for f in c.frames if is_syn(f) and f.sender == 'client']
    if not syns or any(f.role not in ('syn', 'syn-retransmit') for f in syns) or any(
            f.sender == 'server' for f in c.frames):
        return None
    return ask(c, 'syn-count', 'number',
               f'How many SYN segments does the client at port {c.port} send (the first '
               'one and its retransmissions)?',
               len(syns), [(f.num, 'client', 'SYN-SENT') for f in syns])


def synack_count(c, rng):
    sas = [f for f in c.frames if is_synack(f) and f.sender == 'server']
    if not sas or 1 + c.synack_retransmits(sas[0].src, sas[0].dst) != len(sas):
        return None
    return ask(c, 'synack-count', 'number',
               f'How many SYN,ACK segments does the server send to the client at port '
               f'{c.port}?',
               len(sas), [(f.num, 'server', 'SYN-RECEIVED') for f in sas])


def halfclose_bytes(c, rng):
    fin = first_fin(c.first)
    if fin is None or fin.sender != 'client' or fin.role != 'fin-active':
        return None
    sfin = next((f for f in c.first if f.sender == 'server' and f.flags & 0x01), None)
    after = [f for f in c.first if f.sender == 'server' and f.num > fin.num
             and (sfin is None or f.num < sfin.num)]
    half = [f for f in c.first if f.role == 'half-closed-data']
    if not half or payload(after) != payload(half):
        return None
    return ask(c, 'half-close-bytes', 'number',
               f'Connection from client port {c.port}: the client closes its direction first '
               f'(frame {fin.num}). How many bytes of data does the server send after that FIN?',
               payload(after), [(f.num, 'server', 'CLOSE-WAIT') for f in half])


def first_rst(c):
    rst = next((f for f in c.frames if f.flags & 0x04), None)
    if rst is None or rst.role not in RST_ROLES or not c.reset_traced(rst):
        return None
    return rst


def rst_side(c, rng):
    rst = first_rst(c)
    if rst is None:
        return None
    return ask(c, 'rst-side', 'side',
               f'Connection from client port {c.port}: which side (client or server) ends it '
               'with a RST?',
               rst.sender, [(rst.num, rst.sender, 'CLOSED')])


def rst_frame(c, rng):
    rst = first_rst(c)
    if rst is None:
        return None
    return ask(c, 'rst-frame', 'frame',
               f'Connection from client port {c.port}: which frame ends it with a RST?',
               rst.num, [(rst.num, rst.sender, 'CLOSED')])


def rst_bytes(c, rng):
    rst = first_rst(c)
    if rst is None:
        return None
    peer = [f for f in c.frames if f.num < rst.num and f.sender != rst.sender]
    claims = [(rst.num, rst.sender, 'CLOSED')]
    if rst.role == 'rst-instead-of-fin':
        said = re.search(r'it had received (\d+) bytes', rst.msg)
        if said is None or int(said.group(1)) != payload(peer):
            return None
        return ask(c, 'rst-received-bytes', 'number',
                   f'Connection from client port {c.port}: when frame {rst.num} (a RST) is sent, '
                   'how many bytes of data has its sender received from its peer in all? (Those '
                   'its application had not read yet are lost.)', payload(peer), claims)
    if rst.role == 'rst-after-fin':
        fin = next((f for f in c.frames if f.sender == rst.sender and f.flags & 0x01), None)
        said = re.search(r'the (\d+) bytes .* are lost', rst.msg)
        lost = payload([f for f in peer if fin is not None and f.num > fin.num])
        if said is None or int(said.group(1)) != lost:
            return None
        return ask(c, 'rst-lost-bytes', 'number',
                   f'Connection from client port {c.port}: how many bytes of data were lost '
                   f'when frame {rst.num} was sent? (The {rst.sender} had closed; count what '
                   f'the {other(rst.sender)} sent after that FIN.)', lost, claims)
    return None


def second_syn(c):
    syns = [f for f in c.frames if is_syn(f) and f.sender == 'client']
    return next((f for f in syns if f.seq != syns[0].seq), None) if syns else None


def time_wait_holder(c, rng):
    syn2 = second_syn(c)
    if syn2 is None or c.frames.index(syn2) == 0:
        return None
    prev = c.frames[c.frames.index(syn2) - 1]
    holders = [s for s in ('client', 'server') if prev.states[s] == 'TIME-WAIT']
    if len(holders) != 1:
        return None
    side = holders[0]
    return ask(c, 'time-wait-holder', 'side',
               f'The client reuses port {c.port} for a new connection: its SYN is frame '
               f'{syn2.num}. Which side (client or server) holds TIME-WAIT when that SYN is sent?',
               side, [(prev.num, side, 'TIME-WAIT'),
                      (prev.num, other(side), prev.states[other(side)])])


def reuse_state(c, rng):
    syn2 = second_syn(c)
    if syn2 is None or syn2.states['server'] == 'UNKNOWN':
        return None
    return ask(c, 'reuse-server-state', 'state',
               f'Connection from client port {c.port}: what is the server\'s state (RFC 9293 '
               f'name) after frame {syn2.num}, the SYN that reuses the port?',
               syn2.states['server'], [(syn2.num, 'server', syn2.states['server'])])


CLOSE = [close_first, time_wait_frame, state_after]
RST = [rst_bytes, rst_side, rst_frame]
# A kind of lib/randmix.py -> its templates, the most telling first (at most MAX_PER_CONN are
# asked of one connection).  HOOK (scans): QUESTIONS['scan'] once the engine knows scans.
QUESTIONS = {
    'client-first': CLOSE, 'server-first': CLOSE,
    'simultaneous': [time_wait_frame, state_after],
    # (not close_first where another question's text names the side that closed)
    'half-close': [halfclose_bytes, time_wait_frame, state_after],
    'unread': RST, 'linger-client': RST, 'linger-server': RST,
    'rst-after-fin': [rst_bytes, rst_frame, state_after],
    'refused': [refused_frame], 'unanswered': [syn_count], 'synack-unacked': [synack_count],
    'reuse-tw-client': [time_wait_holder, reuse_state, time_wait_frame],
    'reuse-tw-server': [time_wait_holder, reuse_state, time_wait_frame],
    'reuse-after-tw': [reuse_state, time_wait_frame],
    'server-loses': [rst_side, rst_frame], 'client-loses': [rst_side, rst_frame],
}
MAX_PER_CONN = 3


def questions(conn, rng, lab=None):
    """The certain questions of one connection, in template order."""
    templates = list(QUESTIONS.get(conn.kind, ()))
    if lab == 1 and conn.kind in ('client-first', 'server-first'):
        templates.insert(0, handshake_frame)   # lab 1 is the handshake
    out = []
    for t in templates:
        if t is rst_frame and any(q.topic in ('rst-received-bytes', 'rst-lost-bytes')
                                  for q in out):
            continue   # that question names the RST's frame
        q = t(conn, rng)
        if q is not None:
            out.append(q)
        if len(out) == MAX_PER_CONN:
            break
    return out
