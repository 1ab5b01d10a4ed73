"""A student's questions as a Moodle GIFT quiz (sample-pcaps/class).

Moodle (Question bank > Import > GIFT) reads one category per student
($CATEGORY: tcpphase class/<id>), a description naming the student's capture, then the
questions: a frame or a number as a numerical question ({#37}), a side as a choice between
client and server, a state as a short answer that takes the RFC 9293 spelling and Linux's
(TIME-WAIT, TIME_WAIT; short answers are case-insensitive by default).  GIFT cannot carry the
capture itself: attach DIR/students/<id>/capture.pcap to the student's quiz (docs/labs/class.md).
"""

# RFC 9293 name -> Linux's name (include/net/tcp_states.h without TCP_).
LINUX = {'SYN-SENT': 'SYN_SENT', 'SYN-RECEIVED': 'SYN_RECV', 'ESTABLISHED': 'ESTABLISHED',
         'FIN-WAIT-1': 'FIN_WAIT1', 'FIN-WAIT-2': 'FIN_WAIT2', 'CLOSE-WAIT': 'CLOSE_WAIT',
         'CLOSING': 'CLOSING', 'LAST-ACK': 'LAST_ACK', 'TIME-WAIT': 'TIME_WAIT',
         'CLOSED': 'CLOSE', 'LISTEN': 'LISTEN'}
SPECIAL = '~=#{}:'


def esc(text):
    """GIFT's special characters, escaped (the format's only quoting)."""
    return ''.join('\\' + c if c in SPECIAL else c for c in text)


def answer_block(q):
    if q['type'] in ('frame', 'number'):
        return '{#' + q['answer'] + '}'
    if q['type'] == 'side':
        wrong = 'server' if q['answer'] == 'client' else 'client'
        return '{\n=' + q['answer'] + '\n~' + wrong + '\n}'
    spellings = [q['answer'], LINUX.get(q['answer'], q['answer']),
                 q['answer'].replace('-', ' ')]
    return '{' + ' '.join('=' + esc(s) for s in dict.fromkeys(spellings)) + '}'


def quiz(student, questions):
    sid = student['id']
    out = [f'$CATEGORY: tcpphase class/{sid}', '',
           f'// {student["name"]}: {len(questions)} questions, key in key.csv',
           f'::{esc(sid)} capture::' + esc(
               f'Open your capture, capture.pcap (students/{sid}/ of the class set), in Wireshark '
               'or tshark with the tcpphase plugin. The questions name its frames; a connection '
               'is named by its client port.'), '']
    for q in questions:
        out += [f'// {q["question"]}: {q["topic"]}, client port {q["port"]} ({q["kind"]})',
                f'::{esc(sid)} {q["question"]}::{esc(q["text"])} {answer_block(q)}', '']
    return '\n'.join(out) + '\n'
