"""Classic pcap files, read and written frame by frame, and where a frame's IP and TCP headers
sit (Ethernet, 802.1Q, IPv4, IPv6 without extension headers: what the sample captures hold).

Only what the imperfect-capture test needs: no dependency beyond the standard library.
"""
import struct

LINKTYPE_ETHERNET = 1


class Frame:
    __slots__ = ('sec', 'frac', 'orig_len', 'data')

    def __init__(self, sec, frac, orig_len, data):
        self.sec, self.frac, self.orig_len, self.data = sec, frac, orig_len, data


class Capture:
    """A pcap file: its global header (kept as read) and its frames."""

    def __init__(self, header, endian, linktype, frames):
        self.header, self.endian, self.linktype, self.frames = header, endian, linktype, frames


def read(path):
    with open(path, 'rb') as f:
        blob = f.read()
    magic = blob[:4]
    if magic in (b'\xd4\xc3\xb2\xa1', b'\x4d\x3c\xb2\xa1'):
        endian = '<'
    elif magic in (b'\xa1\xb2\xc3\xd4', b'\xa1\xb2\x3c\x4d'):
        endian = '>'
    else:
        raise ValueError(f'{path}: not a classic pcap file')
    linktype = struct.unpack(endian + 'I', blob[20:24])[0] & 0x0fffffff
    frames, pos = [], 24
    while pos + 16 <= len(blob):
        sec, frac, cap, orig = struct.unpack(endian + 'IIII', blob[pos:pos + 16])
        frames.append(Frame(sec, frac, orig, blob[pos + 16:pos + 16 + cap]))
        pos += 16 + cap
    return Capture(blob[:24], endian, linktype, frames)


def write(path, capture, frames):
    with open(path, 'wb') as f:
        f.write(capture.header)
        for fr in frames:
            f.write(struct.pack(capture.endian + 'IIII', fr.sec, fr.frac, len(fr.data), fr.orig_len))
            f.write(fr.data)


def ip_offset(capture, data):
    """Offset of the IP header in an Ethernet frame (after any 802.1Q tags), or None."""
    if capture.linktype != LINKTYPE_ETHERNET or len(data) < 14:
        return None
    off, etype = 12, None
    while off + 2 <= len(data):
        etype = struct.unpack('>H', data[off:off + 2])[0]
        if etype in (0x8100, 0x88a8):
            off += 4
            continue
        break
    if etype not in (0x0800, 0x86dd):
        return None
    return off + 2


def headers(capture, data):
    """(ip offset, IP version, TCP offset) of a TCP frame, or None for anything else."""
    ip = ip_offset(capture, data)
    if ip is None or len(data) < ip + 1:
        return None
    version = data[ip] >> 4
    if version == 4 and len(data) >= ip + 20 and data[ip + 9] == 6:
        return ip, 4, ip + (data[ip] & 0x0f) * 4
    if version == 6 and len(data) >= ip + 40 and data[ip + 6] == 6:
        return ip, 6, ip + 40
    return None


def addresses(capture, data):
    """(source, destination) address bytes of a TCP frame, or None."""
    h = headers(capture, data)
    if h is None:
        return None
    ip, version, _ = h
    if version == 4:
        return data[ip + 12:ip + 16], data[ip + 16:ip + 20]
    return data[ip + 8:ip + 24], data[ip + 24:ip + 40]


def with_addresses(capture, data, src, dst):
    """The frame with its IP addresses replaced (checksums left as they are: Wireshark does not
    verify them by default, and the test reads no checksum)."""
    ip, version, _ = headers(capture, data)
    b = bytearray(data)
    if version == 4:
        b[ip + 12:ip + 16], b[ip + 16:ip + 20] = src, dst
    else:
        b[ip + 8:ip + 24], b[ip + 24:ip + 40] = src, dst
    return bytes(b)
