#!/usr/bin/env python3
"""Writes the engine fuzzer's seed corpus and dictionary from readable descriptions.

    make_corpus.py [--check]

Reads tests/fuzz/seeds.txt (its head explains the syntax) and writes one file per seed into
tests/fuzz/corpus/, in the encoding engine_fuzz.c documents, and tests/fuzz/engine.dict, whose
entries are single records of common segments for libFuzzer to splice in. With --check, writes
nothing and fails if the committed files differ from what it would write.
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

# The tables of engine_fuzz.c, in the same order.
CONFIGS = {"60": 0, "null": 1, "0": 2, "1": 3, "30": 4, "240": 5, "-1": 6, "inf": 7}
ISN_STYLES = {"small": 0, "wrap": 1, "half": 2, "scatter": 3}
ENDPOINTS = "abcd"
LENGTHS = [0, 0, 0, 0, 1, 1, 10, 100, 536, 1448, 1460, 9000, 65535, 0x7FFFFFFF, 0x80000000,
           0xFFFFFFFF]
STEPS_MS = [0, 0.001, 0.1, 1, 1, 10, 200, 1000, 3000, 30000, 59999, 60000, 60001, 61000, 241000,
            7200000]
FLAGS = {"F": 0x01, "S": 0x02, "R": 0x04, "P": 0x08, "A": 0x10, "U": 0x20, ".": 0}
SPECIALS = {"refeed": 0, "refeed-earlier": 1, "refeed-changed": 2, "invalid-mixed": 3,
            "invalid-addrlen": 4, "invalid-frame": 5, "lookup-unfed": 6, "gap": 7}

# Dictionary entries: records that are whole, ordinary segments (offsets 0: in order).
DICT_RECORDS = ["ab S", "ba SA", "ab A", "ab PA len=100", "ba PA len=1448", "ba A", "ab FA",
                "ba FA", "ba RA", "ba R", "ab RA", "ab S newisn=8", "ab S seq=-1 dt=1000",
                "ab A dt=61000", "ab S ws=7 ts=on", "refeed", "gap 1"]


class Error(Exception):
    pass


def int8(text):
    n = int(text)
    if not -128 <= n <= 127:
        raise Error(f"{text}: not in -128..127")
    return n & 0xFF


class Encoder:
    """Encodes records, tracking the sticky per-endpoint facts (window, timestamps on)."""

    def __init__(self, ts_on=False):
        self.window = {}
        self.ts_on = {}
        self.ts_default = ts_on

    def segment(self, words):
        pair, flags, opts = words[0], words[1], words[2:]
        six = pair.endswith("6")
        pair = pair.rstrip("6")
        if len(pair) != 2 or any(p not in ENDPOINTS for p in pair):
            raise Error(f"{words[0]}: two endpoints of {ENDPOINTS}, then 6 for IPv6")
        s, d = ENDPOINTS.index(pair[0]), ENDPOINTS.index(pair[1])
        key = (six, s)
        b1 = 0
        for f in flags:
            if f not in FLAGS:
                raise Error(f"{flags}: flags are letters of FSRPAU or .")
            b1 |= FLAGS[f]
        b2 = b3 = 0
        length, step, kind = 0, 3, 0
        options = None
        window = self.window.get(key, 65535)
        ws, tsjump, shift, toggle, tsecr_zero = 0x80, 0, 0, 0, 0
        for opt in opts:
            name, _, value = opt.partition("=")
            if name == "seq":
                if value.startswith("abs:"):
                    b1 |= 3 << 6
                    b2 = int8(value[4:])
                elif value.endswith("m"):
                    b1 |= 2 << 6
                    b2 = int8(value[:-1])
                elif value.endswith("k"):
                    b1 |= 1 << 6
                    b2 = int8(value[:-1])
                else:
                    b2 = int8(value)
            elif name == "ack":
                b3 = int8(value)
            elif name == "len":
                if int(value) not in LENGTHS:
                    raise Error(f"len={value}: lengths are {LENGTHS}")
                length = LENGTHS.index(int(value))
            elif name == "dt":
                if float(value) not in STEPS_MS:
                    raise Error(f"dt={value}: steps are {STEPS_MS} ms")
                step = STEPS_MS.index(float(value))
            elif name == "newisn":
                kind = 2
                b2 = int8(value)
            else:
                options = True
                if name == "win":
                    if int(value) % 257:
                        raise Error(f"win={value}: a multiple of 257")
                    window = int(value)
                elif name == "ws":
                    n = int(value)
                    if not -16 <= n <= 15:
                        raise Error(f"ws={value}: -16..15")
                    ws = n if n >= 0 else n & 0xFF
                    if n == -1:
                        ws = 0x80
                elif name == "ts":
                    want = value == "on"
                    toggle = int(self.ts_on.get(key, self.ts_default) != want)
                    self.ts_on[key] = want
                elif name == "tsjump":
                    n, _, sh = value.partition(":")
                    tsjump, shift = int8(n), int(sh or 0)
                elif name == "tsecr" and value == "0":
                    tsecr_zero = 2
                else:
                    raise Error(f"{opt}: unknown option")
        self.window[key] = window
        b0 = s | d << 2 | six << 4 | (0x20 if options else 0) | kind << 6
        out = [b0, b1, b2, b3, length | step << 4]
        if options:
            out += [window // 257, ws, tsjump, toggle | tsecr_zero | shift << 4]
        return bytes(out)

    @staticmethod
    def special(words):
        name, args = words[0], words[1:]
        arg = 0
        if name == "refeed" and args:
            name = "refeed-earlier"
        if args:
            arg = {"max": 1}.get(args[0], None)
            arg = int(args[0]) & 0xFF if arg is None else arg
        if name == "gap":
            arg -= 1
        return bytes([0xC0, SPECIALS[name], arg & 0xFF])

    def record(self, line):
        words = line.split()
        if words[0] in SPECIALS or words[0] == "refeed":
            return self.special(words)
        return self.segment(words)


def parse_seeds(path):
    seeds, name, data, enc = {}, None, None, None
    with open(path) as f:
        for number, line in enumerate(f, 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            try:
                words = line.split()
                if words[0] == "seed":
                    name, enc = words[1], Encoder()
                    data = seeds[name] = bytearray([0])
                elif name is None:
                    raise Error("a line before the first seed")
                elif words[0] == "config":
                    conf = dict(w.split("=", 1) for w in words[1:])
                    ts = conf.get("ts", "off") == "on"
                    enc.ts_default = ts
                    zeek = conf.get("zeek", "off") == "on"
                    data[0] = (CONFIGS[conf.get("time_wait", "60")]
                               | ISN_STYLES[conf.get("isn", "small")] << 3 | ts << 5 | zeek << 6)
                else:
                    data += enc.record(line)
            except (Error, KeyError, ValueError, IndexError) as e:
                sys.exit(f"{path}:{number}: {e}")
    return {k: bytes(v) for k, v in seeds.items()}


def dictionary():
    lines = ["# libFuzzer dictionary of engine_fuzz: single records of common segments.",
             "# Written by make_corpus.py; see there."]
    for rec in DICT_RECORDS:
        data = Encoder().record(rec)
        name = "".join(c if c.isalnum() else "_" for c in rec)
        lines.append(f'{name}="' + "".join(f"\\x{b:02x}" for b in data) + '"')
    return ("\n".join(lines) + "\n").encode()


def main():
    check = "--check" in sys.argv[1:]
    outputs = {os.path.join(HERE, "corpus", name): data
               for name, data in parse_seeds(os.path.join(HERE, "seeds.txt")).items()}
    outputs[os.path.join(HERE, "engine.dict")] = dictionary()
    stale = []
    for path, data in outputs.items():
        try:
            with open(path, "rb") as f:
                same = f.read() == data
        except FileNotFoundError:
            same = False
        if same:
            continue
        if check:
            stale.append(path)
        else:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as f:
                f.write(data)
    corpus = os.path.join(HERE, "corpus")
    extra = [f for f in os.listdir(corpus) if os.path.join(corpus, f) not in outputs] \
        if os.path.isdir(corpus) else []
    if check and (stale or extra):
        sys.exit("out of date (run tests/fuzz/make_corpus.py): "
                 + " ".join(stale + [os.path.join(corpus, f) for f in extra]))
    for f in extra:
        os.remove(os.path.join(corpus, f))
    print(f"{len(outputs) - 1} seeds and the dictionary are "
          + ("up to date" if check else "written"))


if __name__ == "__main__":
    main()
