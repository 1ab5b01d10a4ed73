"""The degraded copies of a capture that the imperfect-capture test compares with the clean one.

Each variant is a list of the clean capture's frame numbers (1-based) in the order it holds
them, plus how the frames are cut:
  clean         every frame, whole (the reference, run in the same tshark pass);
  headers-only  every frame cut right after the 20-byte base TCP header (snap length = link +
                IP header + 20), as a small -s does to every segment;
  removed       one frame missing (one variant per frame);
  host-only     only the frames one host sent (one variant per source address): a tap that
                carries one direction;
  swapped       two adjacent frames of one connection, from opposite directions, in the other
                order: a capture merged from two interfaces whose clocks differ a little.

All variants of a capture go into one file, each with the hosts renamed to addresses of its
own (relabel), so that tcpphase sees them as unrelated connections and one tshark pass reads
them all.
"""
import pcapfile


class Variant:
    def __init__(self, kind, case, frames, cut=False):
        self.kind, self.case, self.frames, self.cut = kind, case, frames, cut


def _tuple(cap, frame):
    h = pcapfile.headers(cap, frame.data)
    if h is None or len(frame.data) < h[2] + 4:
        return None
    src, dst = pcapfile.addresses(cap, frame.data)
    ports = frame.data[h[2]:h[2] + 4]
    a, b = (src, ports[0:2]), (dst, ports[2:4])
    return (src, frozenset((a, b)))


def variants(cap):
    n = len(cap.frames)
    every = list(range(1, n + 1))
    out = [Variant('clean', 0, every), Variant('headers-only', 0, every, cut=True)]
    out += [Variant('removed', i, [f for f in every if f != i]) for i in every]
    hosts = []
    for fr in cap.frames:
        a = pcapfile.addresses(cap, fr.data)
        if a is not None and a[0] not in hosts:
            hosts.append(a[0])
    for k, host in enumerate(hosts, 1):
        frames = [i for i in every
                  if (pcapfile.addresses(cap, cap.frames[i - 1].data) or (None,))[0] == host]
        out.append(Variant('host-only', k, frames))
    for i in range(1, n):
        x, y = _tuple(cap, cap.frames[i - 1]), _tuple(cap, cap.frames[i])
        if x and y and x[1] == y[1] and x[0] != y[0]:
            out.append(Variant('swapped', i, every[:i - 1] + [i + 1, i] + every[i + 1:]))
    return out


def _relabel(address, k, j):
    if len(address) == 4:
        return bytes((10, (k >> 8) & 0xff, k & 0xff, j))
    return bytes((0xfd, 0, 0, 0, 0, 0, (k >> 8) & 0xff, k & 0xff) + (0,) * 7 + (j,))


def merged(cap, vs):
    """The frames of all variants, hosts renamed per variant; and for each output frame (in
    order) the variant and the clean frame number it comes from."""
    index = {}
    for fr in cap.frames:
        a = pcapfile.addresses(cap, fr.data)
        for addr in a or ():
            index.setdefault(addr, len(index) + 1)
    if len(index) > 250:
        raise ValueError('more hosts than the relabelling has room for')
    frames, origin = [], []
    for k, v in enumerate(vs, 1):
        for i in v.frames:
            fr = cap.frames[i - 1]
            data = fr.data
            a = pcapfile.addresses(cap, data)
            if a is not None:
                data = pcapfile.with_addresses(cap, data, _relabel(a[0], k, index[a[0]]),
                                               _relabel(a[1], k, index[a[1]]))
                if v.cut:
                    data = data[:pcapfile.headers(cap, data)[2] + 20]
            frames.append(pcapfile.Frame(fr.sec, fr.frac, fr.orig_len, data))
            origin.append((v, i))
    return frames, origin
