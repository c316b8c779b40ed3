#!/usr/bin/env python3
"""pcaprw: a small pure-python pcap reader/writer and TCP segment rewriter.

Link types: Ethernet (with 802.1Q/802.1ad tags), Linux cooked (SLL), raw IP;
IPv4 (not fragments) and IPv6 (TCP as the first next header). A rewritten
segment gets its IP length fields and IPv4 header checksum recomputed; its TCP
checksum is left as it was (loopback captures carry offloaded, unverifiable
checksums anyway). Every operation keeps the TCP byte streams unchanged unless
it says otherwise (drop, cutstart, snaplen), and is deterministic (fixed seed).

    pcaprw.py reorder|duplicate|overlap|tiny|drop IN OUT
    pcaprw.py cutstart|snaplen N IN OUT
"""
import random
import struct
import sys

FIN, SYN, RST, PSH = 0x01, 0x02, 0x04, 0x08
MAGIC = {b"\xd4\xc3\xb2\xa1": "<", b"\x4d\x3c\xb2\xa1": "<", b"\xa1\xb2\xc3\xd4": ">", b"\xa1\xb2\x3c\x4d": ">"}


class Packet:
    __slots__ = ("sec", "frac", "data", "orig")

    def __init__(self, sec, frac, data, orig=None):
        self.sec, self.frac, self.data = sec, frac, data
        self.orig = len(data) if orig is None else orig

    def at(self, other):
        """this frame with other's timestamp"""
        return Packet(other.sec, other.frac, self.data, self.orig)


class Pcap:
    def __init__(self, magic, snaplen, linktype, packets):
        self.magic, self.snaplen, self.linktype, self.packets = magic, snaplen, linktype, packets

    def like(self, packets, snaplen=None):
        return Pcap(self.magic, snaplen or self.snaplen, self.linktype, packets)


def read_pcap(path):
    b = open(path, "rb").read()
    e = MAGIC.get(b[:4])
    if e is None:
        raise ValueError(f"{path}: not a classic pcap file")
    snaplen, linktype = struct.unpack_from(e + "II", b, 16)
    pkts, pos = [], 24
    while pos + 16 <= len(b):
        sec, frac, cap, orig = struct.unpack_from(e + "IIII", b, pos)
        pkts.append(Packet(sec, frac, b[pos + 16:pos + 16 + cap], orig))
        pos += 16 + cap
    return Pcap(b[:4], snaplen, linktype, pkts)


def write_pcap(path, pc):
    e = MAGIC[pc.magic]
    with open(path, "wb") as f:
        f.write(pc.magic + struct.pack(e + "HHiIII", 2, 4, 0, 0, pc.snaplen, pc.linktype))
        for p in pc.packets:
            f.write(struct.pack(e + "IIII", p.sec, p.frac, len(p.data), p.orig) + p.data)


class Seg:
    """where the TCP segment sits in a frame"""
    __slots__ = ("ip", "v4", "tcp", "pay", "end", "key", "seq", "flags")

    @property
    def rev(self):
        s, sp, d, dp = self.key
        return (d, dp, s, sp)


def parse(data, linktype):
    """Seg for an IPv4/IPv6 TCP frame, else None"""
    if linktype == 1:                                    # Ethernet
        off, et = 14, data[12:14]
        while et in (b"\x81\x00", b"\x88\xa8") and len(data) >= off + 4:
            et, off = data[off + 2:off + 4], off + 4
        if et not in (b"\x08\x00", b"\x86\xdd"):
            return None
    elif linktype == 113:                                # Linux cooked
        off = 16
    elif linktype in (101, 228, 229, 12):                # raw IP
        off = 0
    else:
        raise ValueError(f"link type {linktype} not supported")
    if len(data) < off + 20:
        return None
    s = Seg()
    s.ip, ver = off, data[off] >> 4
    if ver == 4:
        ihl = (data[off] & 15) * 4
        frag = struct.unpack_from(">H", data, off + 6)[0] & 0x3FFF
        if data[off + 9] != 6 or frag:
            return None
        s.v4, s.tcp = True, off + ihl
        s.end = min(len(data), off + struct.unpack_from(">H", data, off + 2)[0])
        src, dst = data[off + 12:off + 16], data[off + 16:off + 20]
    elif ver == 6 and len(data) >= off + 40:
        if data[off + 6] != 6:
            return None
        s.v4, s.tcp = False, off + 40
        s.end = min(len(data), off + 40 + struct.unpack_from(">H", data, off + 4)[0])
        src, dst = data[off + 8:off + 24], data[off + 24:off + 40]
    else:
        return None
    if len(data) < s.tcp + 20:
        return None
    s.pay = s.tcp + (data[s.tcp + 12] >> 4) * 4
    sport, dport, s.seq = struct.unpack_from(">HHI", data, s.tcp)
    s.flags = data[s.tcp + 13]
    s.key = (src, sport, dst, dport)
    return s


def payload(p, s):
    return p.data[s.pay:s.end]


def is_data(p, s):
    return s is not None and s.end > s.pay and not s.flags & (SYN | RST)


def rebuild(p, s, seq, data, flags):
    """the frame p with its TCP segment replaced by (seq, data, flags)"""
    h = bytearray(p.data[:s.pay])
    struct.pack_into(">I", h, s.tcp + 4, seq & 0xFFFFFFFF)
    h[s.tcp + 13] = flags
    if s.v4:
        struct.pack_into(">H", h, s.ip + 2, s.pay - s.ip + len(data))
        struct.pack_into(">H", h, s.ip + 10, 0)
        struct.pack_into(">H", h, s.ip + 10, ip_checksum(h[s.ip:s.tcp]))
    else:
        struct.pack_into(">H", h, s.ip + 4, s.pay - s.tcp + len(data))
    frame = bytes(h) + data
    return Packet(p.sec, p.frac, frame, len(frame))


def ip_checksum(hdr):
    total = sum(struct.unpack(f">{len(hdr) // 2}H", bytes(hdr)))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def segments(pc):
    return [parse(p.data, pc.linktype) for p in pc.packets]


# ---------------------------------------------------------------- streams

def streams(pc):
    """{direction key: (stream bytes, [(packet index, stream offset, length)])}, each
    segment placed by its sequence number relative to the direction's first byte"""
    isn, pieces = {}, {}
    for i, (p, s) in enumerate(zip(pc.packets, segments(pc))):
        if s is None:
            continue
        if s.flags & SYN:
            isn.setdefault(s.key, (s.seq + 1) & 0xFFFFFFFF)
        if is_data(p, s):
            base = isn.setdefault(s.key, s.seq)
            pieces.setdefault(s.key, []).append((i, (s.seq - base) & 0xFFFFFFFF, payload(p, s)))
    out = {}
    for k, segs in pieces.items():
        buf = bytearray(max(off + len(d) for _, off, d in segs))
        for _, off, d in segs:
            buf[off:off + len(d)] = d
        out[k] = (bytes(buf), [(i, off, len(d)) for i, off, d in segs])
    return out


class Msg:
    __slots__ = ("start", "end", "cmd", "reply", "mid", "wct", "words")


def messages(buf):
    """SMB1 messages of one direction's stream (NBSS/direct-TCP framing)"""
    out, pos = [], 0
    while pos + 4 <= len(buf):
        n = int.from_bytes(buf[pos + 1:pos + 4], "big")
        if buf[pos] == 0 and buf[pos + 4:pos + 8] == b"\xffSMB" and pos + 4 + 33 <= len(buf):
            m, h = Msg(), pos + 4
            m.start, m.end, m.cmd = pos, pos + 4 + n, buf[h + 4]
            m.reply = bool(buf[h + 9] & 0x80)
            m.mid = struct.unpack_from("<H", buf, h + 30)[0]
            m.wct, m.words = buf[h + 32], buf[h + 33:h + 33 + 2 * buf[h + 32]]
            out.append(m)
        pos += 4 + n
    return out


def client_server(pc):
    """(client key, server key) of the first connection to port 445 or 139"""
    for s in segments(pc):
        if s is not None and s.key[3] in (445, 139):
            return s.key, s.rev
        if s is not None and s.key[1] in (445, 139):
            return s.rev, s.key
    raise ValueError("no SMB connection")


# ---------------------------------------------------------------- operations

def flights(pc):
    """runs of one direction's consecutive data segments (no data of the other
    direction, no SYN/FIN/RST in between), as lists of packet indexes"""
    runs, done = {}, []

    def close(k):
        if runs.get(k):
            done.append(runs.pop(k))
    for i, (p, s) in enumerate(zip(pc.packets, segments(pc))):
        if s is None:
            continue
        if is_data(p, s) and not s.flags & FIN:
            close(s.rev)
            runs.setdefault(s.key, []).append(i)
        elif s.flags & (SYN | FIN | RST) or s.end > s.pay:
            close(s.key)
            close(s.rev)
    return done + list(runs.values())


def split(p, s, sizes):
    """the data segment cut into segments of the given sizes (the last one takes the rest)"""
    data, pos, out = payload(p, s), 0, []
    for k, n in enumerate(sizes):
        last = k == len(sizes) - 1 or pos + n >= len(data)
        n = len(data) - pos if last else n
        out.append(rebuild(p, s, s.seq + pos, data[pos:pos + n], s.flags if last else s.flags & ~(FIN | PSH)))
        pos += n
        if last:
            return out


def reorder(pc, window=8, seed=1):
    """shuffle the data segments of each flight, window by window (never the
    identity). A flight of one segment is first cut in three, so that every
    flight has something to reorder. Every other frame stays where it was, ACKs
    included: a segment moved later often comes after the ACK that covers it, as
    in captures reordered at the capture point (multi-queue NICs, mirror ports)."""
    rng, segs = random.Random(seed), segments(pc)
    single = {run[0] for run in flights(pc) if len(run) == 1}
    pkts = []
    for i, (p, s) in enumerate(zip(pc.packets, segs)):
        n = s.end - s.pay if i in single else 0
        pkts += split(p, s, [n // 3, n // 3, n]) if n >= 3 else [p]
    pc = pc.like(pkts)
    out, moved = list(pkts), 0
    for run in flights(pc):
        for w in range(0, len(run), window):
            slots = run[w:w + window]
            if len(slots) < 2:
                continue
            src = slots[:]
            while src == slots:
                rng.shuffle(src)
            for slot, j in zip(slots, src):
                out[slot] = pkts[j].at(pkts[slot])
                moved += slot != j
    return pc.like(out), f"{moved} of {len(pkts)} frames moved"


def duplicate(pc, every=3, lag=2):
    """an exact copy of every `every`-th data segment, `lag` frames later (but
    before the next FIN or RST)"""
    segs, later, n = segments(pc), {}, 0
    for i, (p, s) in enumerate(zip(pc.packets, segs)):
        if is_data(p, s):
            n += 1
            if n % every == 0:
                j = i
                while j < i + lag and j + 1 < len(segs) and not (segs[j + 1] and segs[j + 1].flags & (FIN | RST)):
                    j += 1
                later.setdefault(j, []).append(p)
    out = []
    for i, p in enumerate(pc.packets):
        out.append(p)
        out += [c.at(p) for c in later.get(i, [])]
    return pc.like(out), f"{sum(map(len, later.values()))} segments duplicated"


def overlap(pc, every=4):
    """before every `every`-th data segment that directly follows another one of
    its direction, a segment made of the second half of that previous segment
    and the first half of this one (the same bytes): it overlaps both"""
    segs, prev, out, n, made = segments(pc), {}, [], 0, 0
    for p, s in zip(pc.packets, segs):
        if is_data(p, s):
            n += 1
            cur, last = payload(p, s), prev.get(s.key)
            if (n % every == 0 and last and (last[0] + len(last[1])) & 0xFFFFFFFF == s.seq
                    and len(last[1]) >= 2 and len(cur) >= 2):
                h = min(len(last[1]), len(cur)) // 2
                out.append(rebuild(p, s, s.seq - h, last[1][-h:] + cur[:h], s.flags & ~(FIN | PSH)))
                made += 1
            prev[s.key] = (s.seq, cur)
        out.append(p)
    return pc.like(out), f"{made} overlapping segments added"


def tiny(pc, seed=1, lo=1, hi=7):
    """every data segment cut into segments of lo..hi bytes"""
    rng, out = random.Random(seed), []
    for p, s in zip(pc.packets, segments(pc)):
        if is_data(p, s):
            out += split(p, s, [rng.randint(lo, hi) for _ in range(s.end - s.pay)])
        else:
            out.append(p)
    return pc.like(out), f"{len(out)} frames (was {len(pc.packets)})"


def cutstart(pc, n):
    return pc.like(pc.packets[n:]), f"first {n} frames dropped"


def snaplen(pc, n):
    return pc.like([Packet(p.sec, p.frac, p.data[:n], p.orig) for p in pc.packets], n), f"frames cut to {n} bytes"


def find_read_segment(pc, nth_response=20, nth_segment=10):
    """The nth_segment-th full-size server segment from the start of the
    nth_response-th READ_ANDX response (both 1-based), which must lie inside that
    response's data. Returns (packet index, payload length, file offset)."""
    cli, srv = client_server(pc)
    sbuf, spieces = streams(pc)[srv]
    cbuf, _ = streams(pc)[cli]
    reads = [m for m in messages(sbuf) if m.cmd == 0x2E and m.reply]
    rsp = reads[nth_response - 1]
    length, doff = struct.unpack_from("<HH", rsp.words, 10)
    length |= struct.unpack_from("<H", rsp.words, 14)[0] << 16 if rsp.wct >= 12 else 0
    dstart = rsp.start + 4 + doff
    req = [m for m in messages(cbuf) if m.cmd == 0x2E and not m.reply][nth_response - 1]
    offset = struct.unpack_from("<I", req.words, 6)[0]
    if req.wct == 12:
        offset |= struct.unpack_from("<I", req.words, 20)[0] << 32
    full = max(n for _, _, n in spieces)
    after = sorted((off, i, n) for i, off, n in spieces if off >= rsp.start and n == full)
    off, idx, n = after[nth_segment - 1]
    if not (dstart <= off and off + n <= dstart + length):
        raise ValueError("chosen segment is not inside the READ_ANDX data")
    if sum(1 for _, o, m in spieces if o < off + n and off < o + m) != 1:
        raise ValueError("chosen segment's bytes are carried by more than one segment")
    return idx, n, offset + off - dstart


def drop(pc, idx):
    return pc.like(pc.packets[:idx] + pc.packets[idx + 1:]), f"frame {idx + 1} dropped"


def main(argv):
    ops = {"reorder": reorder, "duplicate": duplicate, "overlap": overlap, "tiny": tiny}
    if len(argv) == 4 and argv[1] in ops:
        new, note = ops[argv[1]](read_pcap(argv[2]))
    elif len(argv) == 4 and argv[1] == "drop":
        pc = read_pcap(argv[2])
        idx, n, off = find_read_segment(pc)
        new, note = drop(pc, idx)
        note += f": {n} payload bytes, file offset {off}"
    elif len(argv) == 5 and argv[1] in ("cutstart", "snaplen"):
        new, note = {"cutstart": cutstart, "snaplen": snaplen}[argv[1]](read_pcap(argv[3]), int(argv[2]))
        argv = argv[1:]
    else:
        print(__doc__, file=sys.stderr)
        return 2
    write_pcap(argv[3], new)
    print(note)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
