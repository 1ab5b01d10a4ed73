#!/usr/bin/env python3
"""Tiny scriptable TCP endpoint for the sample-capture scripts.

Usage: tcpx.py ACTION [ARG]... ACTION [ARG]...

Actions run in order on one "current" socket:
  listen HOST PORT   new listening socket (SO_REUSEADDR)
  accept             accept one connection; it becomes the current socket
                     (the listener stays open until 'unlisten')
  unlisten           close the listening socket
  socket             start a fresh client socket (implicit before bind/connect)
  reuseaddr          SO_REUSEADDR on the current socket
  bind HOST PORT     bind the current socket (fixed source port)
  syncnt N           TCP_SYNCNT: number of SYN retransmits before giving up
  rcvbuf N           SO_RCVBUF N bytes (the kernel doubles it); before
                     'listen' (no current socket): on the listening socket,
                     so the accepted connections inherit it and their SYN/ACK
                     already offers the small window
  keepalive I V N    SO_KEEPALIVE with TCP_KEEPIDLE I s, TCP_KEEPINTVL V s,
                     TCP_KEEPCNT N probes
  deferaccept S      TCP_DEFER_ACCEPT S seconds on the listening socket
                     (after 'listen')
  linger0            SO_LINGER {on, 0 s}: close() aborts with RST
  nonblock           make connect() return at once (SYN-SENT in background)
  connect HOST PORT  connect the current socket
  send N             one send() of N bytes
  recv N             read exactly N bytes
  eof                read until end of stream (the peer's FIN)
  shutwr             shutdown(SHUT_WR): send FIN, keep reading
  close              close() the current socket
  sleep S            sleep S seconds
  at T               sleep until absolute time T (epoch seconds)
  mark NAME          create $TCPX_SYNC/NAME (tells the shell script)
  wait NAME          wait until $TCPX_SYNC/NAME exists
  try ACTION ...     the action may fail (e.g. try connect, try recv): the
                     error is printed and the script goes on
"""
import os
import socket
import sys
import time

ARGC = {'listen': 2, 'bind': 2, 'connect': 2, 'syncnt': 1, 'send': 1,
        'recv': 1, 'sleep': 1, 'at': 1, 'mark': 1, 'wait': 1, 'rcvbuf': 1,
        'keepalive': 3, 'deferaccept': 1}


class Endpoint:
    def __init__(self, sock=None, name='tcpx'):
        self.sock = sock
        self.listener = None
        self.name = name
        self.rcvbuf = None      # SO_RCVBUF for the next 'listen'
        self.reuse = False   # SO_REUSEADDR for the socket bind or connect makes

    def _family(self, host):
        return socket.AF_INET6 if ':' in host else socket.AF_INET

    def _cur(self, host='0.0.0.0'):
        if self.sock is None:
            self.sock = socket.socket(self._family(host), socket.SOCK_STREAM)
            if self.reuse:
                self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                self.reuse = False
        return self.sock

    def do(self, act, args):
        if act == 'listen':
            ls = socket.socket(self._family(args[0]), socket.SOCK_STREAM)
            ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if self.rcvbuf is not None:
                ls.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, self.rcvbuf)
            ls.bind((args[0], int(args[1])))
            ls.listen(64)
            self.listener = ls
        elif act == 'accept':
            self.sock, _ = self.listener.accept()
        elif act == 'unlisten':
            self.listener.close()
        elif act == 'socket':
            self.sock = None
        elif act == 'reuseaddr':
            if self.sock is None:
                # Not made yet: the address of the bind that follows gives its family (an
                # IPv4 socket made here could not bind an IPv6 address).
                self.reuse = True
            else:
                self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        elif act == 'bind':
            self._cur(args[0]).bind((args[0], int(args[1])))
        elif act == 'syncnt':
            self._cur().setsockopt(socket.IPPROTO_TCP, socket.TCP_SYNCNT, int(args[0]))
        elif act == 'rcvbuf':
            if self.sock is None:
                self.rcvbuf = int(args[0])
            else:
                self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, int(args[0]))
        elif act == 'keepalive':
            s = self._cur()
            s.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, int(args[0]))
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, int(args[1]))
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT, int(args[2]))
        elif act == 'deferaccept':
            self.listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_DEFER_ACCEPT, int(args[0]))
        elif act == 'linger0':
            self._cur().setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                   (1).to_bytes(4, 'little') + bytes(4))
        elif act == 'nonblock':
            self._cur().setblocking(False)
        elif act == 'connect':
            s = self._cur(args[0])
            try:
                s.connect((args[0], int(args[1])))
            except BlockingIOError:
                pass
        elif act == 'send':
            n = int(args[0])
            self.sock.sendall((b'0123456789abcdef' * (n // 16 + 1))[:n])
        elif act == 'recv':
            left = int(args[0])
            while left:
                data = self.sock.recv(left)
                if not data:
                    raise EOFError('unexpected end of stream')
                left -= len(data)
        elif act == 'eof':
            while self.sock.recv(65536):
                pass
        elif act == 'shutwr':
            self.sock.shutdown(socket.SHUT_WR)
        elif act == 'close':
            self.sock.close()
            self.sock = None
        elif act == 'sleep':
            time.sleep(float(args[0]))
        elif act == 'at':
            time.sleep(max(0.0, float(args[0]) - time.time()))
        elif act == 'mark':
            open(os.path.join(os.environ['TCPX_SYNC'], args[0]), 'w').close()
        elif act == 'wait':
            path = os.path.join(os.environ['TCPX_SYNC'], args[0])
            deadline = time.time() + 30
            while not os.path.exists(path):
                if time.time() > deadline:
                    raise TimeoutError('no mark ' + args[0])
                time.sleep(0.005)
        else:
            raise ValueError('unknown action ' + act)

    def run(self, words):
        words = list(words)
        while words:
            act = words.pop(0)
            optional = act == 'try'
            if optional:
                act = words.pop(0)
            n = ARGC.get(act, 0)
            args, words = words[:n], words[n:]
            try:
                self.do(act, args)
            except (OSError, EOFError) as e:
                if not optional:
                    raise
                print(f'{self.name}: {act}: {e} (expected)', file=sys.stderr)


if __name__ == '__main__':
    if len(sys.argv) < 2 or sys.argv[1] in ('-h', '--help'):
        print(__doc__)
        sys.exit(0)
    Endpoint().run(sys.argv[1:])
