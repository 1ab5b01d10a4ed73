"""pcapmut: record-level mutations of classic pcap files, for the capture fuzzer (./run).

editcap corrupts bytes and truncates, but it cannot reorder, duplicate or drop records, warp
their timestamps or aim at the TCP header; those are what a connection tracker is sensitive
to, so they are done here. Every mutation takes a random.Random, so a (seed, index) pair
names one mutated capture exactly and a campaign can be replayed or resumed.

Only classic pcap (either byte order, micro- or nanosecond) is read; ./run converts pcapng
inputs with `editcap -F pcap` first.
"""

import struct
from dataclasses import dataclass, field

MAGICS = {
    0xA1B2C3D4: ("<", False),
    0xA1B23C4D: ("<", True),
}


@dataclass
class Record:
    ts_sec: int
    ts_frac: int  # micro- or nanoseconds, as the file header says
    orig_len: int
    data: bytes


@dataclass
class Capture:
    endian: str  # "<" or ">"
    nanos: bool
    linktype: int
    snaplen: int
    version: tuple = (2, 4)
    records: list = field(default_factory=list)

    @property
    def frac_per_sec(self):
        return 1_000_000_000 if self.nanos else 1_000_000


def read_pcap(path):
    with open(path, "rb") as f:
        blob = f.read()
    if len(blob) < 24:
        raise ValueError(f"{path}: too short for a pcap header")
    for endian in ("<", ">"):
        (magic,) = struct.unpack(endian + "I", blob[:4])
        if magic in MAGICS:
            nanos = MAGICS[magic][1]
            break
    else:
        raise ValueError(f"{path}: not a classic pcap file")
    major, minor, _zone, _sigfigs, snaplen, linktype = struct.unpack(endian + "HHiIII", blob[4:24])
    cap = Capture(endian, nanos, linktype & 0x0FFFFFFF, snaplen, (major, minor))
    off = 24
    rec_hdr = struct.Struct(endian + "IIII")
    while off + 16 <= len(blob):
        ts_sec, ts_frac, incl, orig = rec_hdr.unpack_from(blob, off)
        off += 16
        data = blob[off : off + incl]
        off += incl
        if len(data) < incl:  # a file cut short: keep what is there, as tshark would
            cap.records.append(Record(ts_sec, ts_frac, max(orig, len(data)), data))
            break
        cap.records.append(Record(ts_sec, ts_frac, orig, data))
    return cap


def write_pcap(cap, path):
    magic = 0xA1B23C4D if cap.nanos else 0xA1B2C3D4
    head = struct.pack(
        cap.endian + "IHHiIII", magic, cap.version[0], cap.version[1], 0, 0, cap.snaplen,
        cap.linktype,
    )
    rec_hdr = struct.Struct(cap.endian + "IIII")
    parts = [head]
    for r in cap.records:
        parts.append(rec_hdr.pack(r.ts_sec, r.ts_frac, len(r.data), max(r.orig_len, len(r.data))))
        parts.append(r.data)
    with open(path, "wb") as f:
        f.write(b"".join(parts))


# ---- locating the TCP header --------------------------------------------------------------

LINKTYPE_NULL = 0
LINKTYPE_ETHERNET = 1
LINKTYPE_RAW = 101
LINKTYPE_LINUX_SLL = 113
LINKTYPE_IPV4 = 228
LINKTYPE_IPV6 = 229


def _network_offset(linktype, data):
    """(offset, ethertype) of the network header, or None when this link type is not known."""
    if linktype == LINKTYPE_ETHERNET:
        off, etype = 14, None
        if len(data) >= 14:
            etype = struct.unpack_from(">H", data, 12)[0]
        # 802.1Q / 802.1ad tags, possibly stacked.
        while etype in (0x8100, 0x88A8, 0x9100) and len(data) >= off + 4:
            etype = struct.unpack_from(">H", data, off + 2)[0]
            off += 4
        return off, etype
    if linktype == LINKTYPE_LINUX_SLL and len(data) >= 16:
        return 16, struct.unpack_from(">H", data, 14)[0]
    if linktype == LINKTYPE_NULL and len(data) >= 4:
        family = struct.unpack_from("<I", data, 0)[0]
        return 4, 0x0800 if family == 2 else 0x86DD
    if linktype in (LINKTYPE_RAW, LINKTYPE_IPV4, LINKTYPE_IPV6) and data:
        return 0, 0x0800 if data[0] >> 4 == 4 else 0x86DD
    return None


def tcp_offset(linktype, data):
    """Offset of the outermost TCP header in a frame (IPv4 or IPv6 without extension headers),
    or None."""
    found = _network_offset(linktype, data)
    if found is None:
        return None
    off, etype = found
    if etype == 0x0800 and len(data) >= off + 20 and data[off] >> 4 == 4:
        ihl = (data[off] & 0x0F) * 4
        if data[off + 9] == 6 and ihl >= 20:
            return off + ihl
    elif etype == 0x86DD and len(data) >= off + 40 and data[off] >> 4 == 6:
        if data[off + 6] == 6:
            return off + 40
    return None


# ---- mutations ----------------------------------------------------------------------------
# Each takes (cap, rng), changes cap in place and returns a short description of what it did.


def shuffle_all(cap, rng):
    rng.shuffle(cap.records)
    return "shuffle-all"


def shuffle_window(cap, rng):
    """Local reordering, as a network or a multi-queue capture produces: each record may move
    a few places."""
    window = rng.choice([2, 3, 5, 10])
    keyed = [(i + rng.uniform(0, window), r) for i, r in enumerate(cap.records)]
    keyed.sort(key=lambda kr: kr[0])
    cap.records = [r for _, r in keyed]
    return f"shuffle-window {window}"


def duplicate(cap, rng):
    """Duplicated frames: right after the original (a span port seeing both directions) or
    later (a retransmission the capture point saw twice)."""
    p = rng.choice([0.02, 0.1, 0.3])
    out = []
    later = []
    for r in cap.records:
        out.append(r)
        if rng.random() < p:
            if rng.random() < 0.5:
                out.append(Record(r.ts_sec, r.ts_frac, r.orig_len, r.data))
            else:
                later.append(Record(r.ts_sec, r.ts_frac, r.orig_len, r.data))
        if later and rng.random() < 0.2:
            out.append(later.pop(rng.randrange(len(later))))
    out.extend(later)
    cap.records = out
    return f"duplicate p={p}"


def drop(cap, rng):
    """Lost frames: a capture that missed a SYN, a FIN or an ACK."""
    p = rng.choice([0.05, 0.2, 0.5])
    kept = [r for r in cap.records if rng.random() >= p]
    cap.records = kept or cap.records[:1]
    return f"drop p={p}"


def time_warp(cap, rng):
    """Timestamps going backwards, jumping far ahead or all equal: a clock step, a merged
    capture, a broken capture card."""
    kind = rng.choice(["backwards", "jump", "equal", "reverse"])
    if not cap.records:
        return f"time-warp {kind} (empty)"
    if kind == "backwards":
        for r in cap.records:
            if rng.random() < 0.2:
                r.ts_sec = max(0, r.ts_sec - rng.choice([1, 60, 3600, 86400 * 365]))
    elif kind == "jump":
        for r in cap.records:
            if rng.random() < 0.1:
                r.ts_sec = min(0xFFFFFFFF, r.ts_sec + rng.choice([61, 241, 86400, 2**31]))
    elif kind == "equal":
        first = cap.records[0]
        for r in cap.records:
            r.ts_sec, r.ts_frac = first.ts_sec, first.ts_frac
    else:  # the timestamps in reverse order, the records not
        stamps = [(r.ts_sec, r.ts_frac) for r in cap.records][::-1]
        for r, (s, f) in zip(cap.records, stamps):
            r.ts_sec, r.ts_frac = s, f
    return f"time-warp {kind}"


def cut_records(cap, rng):
    """Each chosen frame cut at its own random length (editcap -s cuts all at one length)."""
    p = rng.choice([0.1, 0.5, 1.0])
    for r in cap.records:
        if r.data and rng.random() < p:
            r.data = r.data[: rng.randrange(len(r.data))]
    return f"cut-records p={p}"


def _set(data, off, fmt, value):
    struct.pack_into(fmt, data, off, value)


# Option kinds and lengths that mean something (EOL, NOP, MSS, WS, SACK-OK, SACK, TS) and the
# shift values around RFC 7323's limit of 14.
OPTION_BYTES = [0, 1, 2, 3, 4, 5, 8, 10, 14, 15, 255]


def tcp_fields(cap, rng):
    """Rewrites TCP header fields the engine reads: flags, sequence and acknowledgment
    numbers, ports, data offset, options. Far more of these reach new engine states than
    random byte flips, which mostly hit payload."""
    p = rng.choice([0.05, 0.2, 0.6])
    changed = 0
    for r in cap.records:
        t = tcp_offset(cap.linktype, r.data)
        if t is None or len(r.data) < t + 20 or rng.random() >= p:
            continue
        data = bytearray(r.data)
        what = rng.choice(["flags", "flags", "seq", "ack", "ports", "doff", "options", "window"])
        if what == "flags":
            data[t + 13] = rng.choice(
                [0x02, 0x12, 0x10, 0x11, 0x04, 0x14, 0x01, 0x18, 0x03, 0x06, 0x07, 0x3F, 0x00,
                 rng.randrange(256)]
            )
        elif what == "seq":
            _set(data, t + 4, ">I", rng.choice([0, 0xFFFFFFFF, 0x7FFFFFFF, rng.getrandbits(32),
                 (struct.unpack_from(">I", data, t + 4)[0] + rng.choice([-1, 1, 2**31])) % 2**32]))
        elif what == "ack":
            _set(data, t + 8, ">I", rng.choice([0, 0xFFFFFFFF, rng.getrandbits(32),
                 (struct.unpack_from(">I", data, t + 8)[0] + rng.choice([-1, 1, 2**31])) % 2**32]))
        elif what == "ports":
            _set(data, t + rng.choice([0, 2]), ">H", rng.choice([0, 1, 80, 65535,
                                                                 rng.randrange(65536)]))
        elif what == "doff":
            data[t + 12] = (rng.randrange(16) << 4) | (data[t + 12] & 0x0F)
        elif what == "window":
            _set(data, t + 14, ">H", rng.choice([0, 1, 65535]))
        else:  # options: garbage or a window-scale / timestamp with odd values
            hdr = (data[t + 12] >> 4) * 4
            if hdr > 20 and len(data) >= t + hdr:
                for i in range(t + 20, t + hdr):
                    if rng.random() < 0.3:
                        data[i] = rng.choice(OPTION_BYTES + [rng.randrange(256)])
        r.data = bytes(data)
        changed += 1
    return f"tcp-fields p={p} ({changed} frames)"


MUTATIONS = {
    "shuffle-all": shuffle_all,
    "shuffle-window": shuffle_window,
    "duplicate": duplicate,
    "drop": drop,
    "time-warp": time_warp,
    "cut-records": cut_records,
    "tcp-fields": tcp_fields,
}


def mutate_file(src, dst, name, rng):
    cap = read_pcap(src)
    what = MUTATIONS[name](cap, rng)
    write_pcap(cap, dst)
    return what
