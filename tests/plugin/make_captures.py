#!/usr/bin/env python3
"""Writes the small synthetic captures the plugin's robustness tests read.

The captures are built here, at test time, from field values (struct-packed headers with real
checksums), so each test states what it sends rather than carrying opaque bytes.

    make_captures.py OUTDIR

writes OUTDIR/icmp_quoted.pcap, OUTDIR/truncated.pcap and OUTDIR/tcp_in_tcp.pcap; see the
functions below for what each frame is.
"""
import os
import struct
import sys

LINKTYPE_ETHERNET = 1
ETH_IPV4, ETH_IPV6 = 0x0800, 0x86DD
PROTO_TCP, PROTO_ICMP, PROTO_ICMPV6 = 6, 1, 58
SYN, ACK, RST = 0x02, 0x10, 0x04

CLIENT4, SERVER4, ROUTER4 = "10.0.0.1", "10.0.0.2", "10.0.0.254"
CLIENT6, SERVER6, ROUTER6 = "2001:db8::1", "2001:db8::2", "2001:db8::fe"


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def ip4(text):
    return bytes(int(part) for part in text.split("."))


def ip6(text):
    import ipaddress

    return ipaddress.IPv6Address(text).packed


def tcp(src, dst, sport, dport, seq, ack, flags, payload=b"", options=b"", v6=False):
    """A TCP header and payload with its checksum over the IPv4 or IPv6 pseudo-header."""
    options += b"\x01" * (-len(options) % 4)  # NOP padding to a 32-bit boundary
    offset = (20 + len(options)) // 4
    header = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, offset << 4, flags, 64240, 0, 0)
    segment = header + options + payload
    if v6:
        pseudo = src + dst + struct.pack("!I3xB", len(segment), PROTO_TCP)
    else:
        pseudo = src + dst + struct.pack("!xBH", PROTO_TCP, len(segment))
    csum = checksum(pseudo + segment)
    return segment[:16] + struct.pack("!H", csum) + segment[18:]


def ipv4(src, dst, proto, payload, ident=1):
    header = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, 0x4000, 64, proto,
                         0, src, dst)
    return header[:10] + struct.pack("!H", checksum(header)) + header[12:] + payload


def ipv6(src, dst, next_header, payload):
    return struct.pack("!IHBB16s16s", 6 << 28, len(payload), next_header, 64, src, dst) + payload


def icmpv6(src, dst, icmp_type, code, rest, body):
    message = struct.pack("!BBH", icmp_type, code, 0) + rest + body
    pseudo = src + dst + struct.pack("!I3xB", len(message), PROTO_ICMPV6)
    csum = checksum(pseudo + message)
    return message[:2] + struct.pack("!H", csum) + message[4:]


def icmpv4(icmp_type, code, rest, body):
    message = struct.pack("!BBH", icmp_type, code, 0) + rest + body
    return message[:2] + struct.pack("!H", checksum(message)) + message[4:]


def ethernet(ethertype, payload):
    return b"\x02\0\0\0\0\x02" + b"\x02\0\0\0\0\x01" + struct.pack("!H", ethertype) + payload


class Pcap:
    """A classic pcap file; frames may be cut short (caplen < len) like a small snaplen does."""

    def __init__(self, path):
        self.out = open(path, "wb")
        self.out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, LINKTYPE_ETHERNET))
        self.time_us = 1_700_000_000 * 1_000_000

    def frame(self, data, caplen=None, gap_us=1000):
        self.time_us += gap_us
        caplen = len(data) if caplen is None else caplen
        secs, usecs = divmod(self.time_us, 1_000_000)
        self.out.write(struct.pack("<IIII", secs, usecs, caplen, len(data)) + data[:caplen])

    def close(self):
        self.out.close()


def v4_segment(sport, dport, seq, ack, flags, payload=b"", options=b"", toward_server=True):
    src, dst = (ip4(CLIENT4), ip4(SERVER4)) if toward_server else (ip4(SERVER4), ip4(CLIENT4))
    segment = tcp(src, dst, sport, dport, seq, ack, flags, payload, options)
    return ethernet(ETH_IPV4, ipv4(src, dst, PROTO_TCP, segment))


def write_icmp_quoted(path):
    """Frames 1-3: a v4 handshake. Frame 4: ICMP port unreachable quoting a SYN of that 4-tuple
    (IP header and the first 8 TCP bytes, as RFC 792 routers do). Frame 5: ICMP quoting a whole
    SYN/ACK header. Frame 6: ICMPv6 packet-too-big quoting a whole IPv6 TCP segment. Frame 7:
    a last ACK of the v4 connection, to show the quoted headers did not disturb it."""
    cap = Pcap(path)
    cap.frame(v4_segment(40000, 80, 1000, 0, SYN, options=b"\x02\x04\x05\xb4\x03\x03\x07"))
    cap.frame(v4_segment(80, 40000, 5000, 1001, SYN | ACK, toward_server=False,
                         options=b"\x02\x04\x05\xb4\x03\x03\x07"))
    cap.frame(v4_segment(40000, 80, 1001, 5001, ACK))

    quoted = ipv4(ip4(CLIENT4), ip4(SERVER4), PROTO_TCP,
                  tcp(ip4(CLIENT4), ip4(SERVER4), 40001, 80, 7000, 0, SYN))
    cap.frame(ethernet(ETH_IPV4, ipv4(ip4(ROUTER4), ip4(CLIENT4), PROTO_ICMP,
                                      icmpv4(3, 3, b"\0" * 4, quoted[:28]))))
    quoted = ipv4(ip4(SERVER4), ip4(CLIENT4), PROTO_TCP,
                  tcp(ip4(SERVER4), ip4(CLIENT4), 80, 40002, 9000, 7001, SYN | ACK))
    cap.frame(ethernet(ETH_IPV4, ipv4(ip4(ROUTER4), ip4(SERVER4), PROTO_ICMP,
                                      icmpv4(3, 1, b"\0" * 4, quoted))))
    inner = tcp(ip6(CLIENT6), ip6(SERVER6), 40003, 443, 1, 0, SYN, v6=True)
    quoted = ipv6(ip6(CLIENT6), ip6(SERVER6), PROTO_TCP, inner)
    message = icmpv6(ip6(ROUTER6), ip6(CLIENT6), 2, 0, struct.pack("!I", 1280), quoted)
    cap.frame(ethernet(ETH_IPV6, ipv6(ip6(ROUTER6), ip6(CLIENT6), PROTO_ICMPV6, message)))

    cap.frame(v4_segment(40000, 80, 1001, 5001, ACK, payload=b"hello"))
    cap.close()


def write_truncated(path):
    """Each frame is a SYN on its own 4-tuple, captured only up to some byte of the TCP header:
    frame 1 whole (the control), then cut after 2, 4, 8, 12, 13, 14, 16, 20 TCP bytes, then one
    whose options are cut (header 40 bytes, 28 captured). Frame 11 is a whole SYN again, to show
    the cut frames did not wedge the dissection."""
    cap = Pcap(path)
    options = b"\x02\x04\x05\xb4\x04\x02\x08\x0a\0\0\0\x01\0\0\0\0\x01\x03\x03\x07"
    eth_ip = 14 + 20
    cuts = [None, 2, 4, 8, 12, 13, 14, 16, 20, 28]
    for number, cut in enumerate(cuts):
        frame = v4_segment(41000 + number, 80, 100 * number, 0, SYN, options=options)
        cap.frame(frame, caplen=None if cut is None else eth_ip + cut)
    cap.frame(v4_segment(41999, 80, 12345, 0, SYN, options=options))
    cap.close()


GTP_PORT = 2152


def write_tcp_in_tcp(path):
    """A frame holding two TCP headers: GTP-U carried over TCP (read with
    -d tcp.port==2152,gtp), tunnelling an IPv4 SYN of another connection. Frames 1-2: the outer
    connection's SYN and SYN/ACK. Frame 3: its handshake ACK, whose payload is a GTP G-PDU
    (flags 0x30, type 255, TEID 1) holding 192.168.0.1:5555 -> 192.168.0.2:6666 SYN. The plugin
    must classify frame 3 by its first TCP header, with that header's own addresses."""
    cap = Pcap(path)
    inner_src, inner_dst = ip4("192.168.0.1"), ip4("192.168.0.2")
    inner = ipv4(inner_src, inner_dst, PROTO_TCP,
                 tcp(inner_src, inner_dst, 5555, 6666, 777, 0, SYN, options=b"\x03\x03\x05"))
    gpdu = struct.pack("!BBHI", 0x30, 0xFF, len(inner), 1) + inner
    cap.frame(v4_segment(40000, GTP_PORT, 1000, 0, SYN))
    cap.frame(v4_segment(GTP_PORT, 40000, 5000, 1001, SYN | ACK, toward_server=False))
    cap.frame(v4_segment(40000, GTP_PORT, 1001, 5001, ACK, payload=gpdu))
    cap.close()


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: make_captures.py OUTDIR")
    outdir = sys.argv[1]
    os.makedirs(outdir, exist_ok=True)
    write_icmp_quoted(os.path.join(outdir, "icmp_quoted.pcap"))
    write_truncated(os.path.join(outdir, "truncated.pcap"))
    write_tcp_in_tcp(os.path.join(outdir, "tcp_in_tcp.pcap"))


if __name__ == "__main__":
    main()
