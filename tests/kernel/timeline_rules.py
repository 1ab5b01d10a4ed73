#!/usr/bin/env python3
"""The rules of docs/kernel-truth.md that turn Linux's traced states into RFC 9293 states,
each on a small hand-written record (sample-pcaps/lib/ktimeline.py)."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..',
                                'sample-pcaps', 'lib'))
from ktimeline import Event, Kernel  # noqa: E402

C, S = '10.0.0.1:40001', '10.0.0.2:8080'
FAILED = []
CHECKED = []


def ev(t, local, peer, event, old='-', new='-', detail='-'):
    return Event(t, local, peer, event, old, new, detail)


def state(t, local, peer, old, new):
    return ev(t, local, peer, 'state', old, new)


def check(name, kernel, key, t, want):
    CHECKED.append(name)
    got = set().union(*(s for s, _ in kernel.states_in(key, t, t)))
    if got != set(want):
        FAILED.append(name)
        print(f'FAIL {name}: at {t} {key[0]} is {sorted(got)}, expected {sorted(want)}')
    else:
        print(f'ok   {name}')


def main():
    # An orphaned active close: FIN_WAIT2 -> CLOSE at once is the hand-over to a TIME-WAIT
    # socket still in FIN-WAIT-2 until the peer's FIN (not traced), then TIME-WAIT.
    k = Kernel([state(1.0, C, S, 'ESTABLISHED', 'FIN_WAIT1'),
                state(1.1, C, S, 'FIN_WAIT1', 'FIN_WAIT2'),
                state(1.1, C, S, 'FIN_WAIT2', 'CLOSE')], {})
    check('fin_wait2_to_close_is_a_time_wait_socket', k, (C, S), 2.0,
          ['FIN-WAIT-2', 'TIME-WAIT'])
    check('time_wait_may_have_expired_after_60s', k, (C, S), 62.0,
          ['FIN-WAIT-2', 'TIME-WAIT', 'CLOSED'])
    check('time_wait_gone_after_70s', k, (C, S), 72.0, ['CLOSED'])

    # CLOSING -> CLOSE: the ACK of our FIN in a simultaneous close: TIME-WAIT only.
    k = Kernel([state(1.0, C, S, 'FIN_WAIT1', 'CLOSING'), state(1.2, C, S, 'CLOSING', 'CLOSE')],
               {})
    check('closing_to_close_is_time_wait', k, (C, S), 1.5, ['TIME-WAIT'])

    # FIN_WAIT2 -> CLOSE beside a reset is an abort, not TIME-WAIT.
    k = Kernel([state(1.0, C, S, 'ESTABLISHED', 'FIN_WAIT1'),
                state(1.1, C, S, 'FIN_WAIT1', 'FIN_WAIT2'),
                ev(2.0, C, S, 'receive_reset'), state(2.0, C, S, 'FIN_WAIT2', 'CLOSE')], {})
    check('reset_in_fin_wait2_closes', k, (C, S), 2.5, ['CLOSED'])

    # A RST from the peer may have killed a TIME-WAIT socket (RFC 1337): both accepted.
    k = Kernel([state(1.0, S, C, 'CLOSING', 'CLOSE'), ev(2.0, C, S, 'send_reset')], {})
    check('peer_reset_may_end_time_wait', k, (S, C), 2.5, ['TIME-WAIT', 'CLOSED'])

    # A TIME-WAIT socket that sends a RST (data after its FIN) is killed.
    k = Kernel([state(1.0, S, C, 'FIN_WAIT2', 'CLOSE'), ev(2.0, S, C, 'send_reset', 'TIME_WAIT')],
               {})
    check('time_wait_socket_sending_reset_is_gone', k, (S, C), 2.5, ['CLOSED'])

    # The request socket: SYN-RECEIVED from its first SYN,ACK (from the capture) to its child.
    k = Kernel([state(0.5, S, '*', 'CLOSE', 'LISTEN'),
                state(1.2, S, C, 'LISTEN', 'SYN_RECV'), state(1.2, S, C, 'SYN_RECV', 'ESTABLISHED')],
               {(S, C): [1.0]})
    check('listener_only_is_listen_or_closed', k, (S, C), 0.8, ['CLOSED', 'LISTEN'])
    check('request_socket_is_syn_received', k, (S, C), 1.1, ['SYN-RECEIVED'])
    check('child_is_established', k, (S, C), 1.3, ['ESTABLISHED'])

    # A request socket that the peer resets is gone.
    k = Kernel([ev(1.5, C, S, 'send_reset')], {(S, C): [1.0]})
    check('peer_reset_ends_request_socket', k, (S, C), 1.6, ['CLOSED'])

    # New namespaces (tp-reset mark): nothing of the earlier attempt is left.
    k = Kernel([state(1.0, C, S, 'CLOSE', 'SYN_SENT'), ev(2.0, '-', '-', 'mark', detail='tp-reset')],
               {})
    check('reset_mark_forgets_earlier_sockets', k, (C, S), 2.5, ['CLOSED'])

    print(f'{len(CHECKED) - len(FAILED)} passed, {len(FAILED)} failed')
    sys.exit(1 if FAILED else 0)


if __name__ == '__main__':
    main()
