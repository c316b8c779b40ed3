#!/usr/bin/env python3
"""mkbench: write the benchmark captures of issue 12 and a manifest of what
smbscope must report on them. Python 3 standard library only; deterministic
(seeded): the same arguments give the same bytes every time.

OUTDIR/large.pcap  six SMB1 connections interleaved in time: four each read a
    different file (96-128 MiB at the default size) with READ_ANDX of 61440
    bytes (CAP_LARGE_READX), four requests outstanding; two each write a file
    (about 48 MiB) with WRITE_ANDX of 61440 bytes, four outstanding.
OUTDIR/short.pcap  10,000 short sessions (each its own client address and
    port), a few overlapping in time: each opens a 1-64 KiB file, reads it
    whole with one READ_ANDX, closes, logs off and disconnects.
OUTDIR/manifest.json  per capture: every file's client, name, size and
    SHA-256, and how many READ_ANDX / WRITE_ANDX requests, retransmitted and
    reordered segments were written (tests/bench/benchcheck.py checks
    smbscope's output against it).

Every connection: SYN / SYN-ACK (MSS, window scale) / ACK, NEGOTIATE (NT LM
0.12, an 8-byte challenge), SESSION_SETUP_ANDX (LM/NTLM responses),
TREE_CONNECT_ANDX, NT_CREATE_ANDX (EndOfFile = the file's size), the reads or
writes, CLOSE, LOGOFF_ANDX, FIN / FIN / ACK. Ethernet, IPv4 and TCP with
correct checksums, MSS 1460 segments, one NBSS message per send; the receiver
ACKs every second segment, and at once a duplicate or out-of-order one. In
the data messages (bulk READ_ANDX responses, WRITE_ANDX requests), about
0.2% of the segments after a message's first are sent twice (the exact
segment again, a few segments later) and about 0.01% swap places with the
next. File content: random.Random(seed).randbytes, so hashing is real work.

SMB1 messages come from tests/crafted/mkcrafted.py and (WRITE_ANDX)
tests/hostile/hostile_pcap.py; this adds LOGOFF_ANDX and a fast TCP/IP
framer (the 16-bit one's complement sum taken as a big integer mod 0xFFFF).

Usage: mkbench.py OUTDIR [--scale default|tiny] [--size-mb N] [--sessions N]
                  [--seed N] [--only large|short]"""
import argparse
import collections
import hashlib
import heapq
import json
import os
import random
import struct
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tools"))
sys.path.insert(0, os.path.join(HERE, "..", "crafted"))
sys.path.insert(0, os.path.join(HERE, "..", "hostile"))
import hostile_pcap as hp  # noqa: E402  (the paths above make these importable)
import mkcrafted as mk  # noqa: E402
import pcapw  # noqa: E402

MIB = 1 << 20
MSS = 1460
CHUNK = 61440  # READ_ANDX / WRITE_ANDX size, as Windows and smbclient use with CAP_LARGE_READX/WRITEX
OUTSTANDING = 4  # requests in flight per connection
LOGOFF = 0x74
SERVER = (10, 0, 0, 2)
SERVER_MAC = bytes.fromhex("020000000002")
T0 = 1_700_000_000_000_000  # capture start, microseconds
SYN, FIN, PSH, ACK = 0x02, 0x01, 0x08, 0x10
SYN_OPTIONS = bytes.fromhex("020405b4" "01030307")  # MSS 1460, NOP, window scale 7
WINDOW = 2048  # << 7: 256 KiB, room for four 61440-byte responses

# the default capture: four reads and two writes (MiB), about 560 MB in all
DEFAULT_MB = 560
READ_MIB = (96, 100, 104, 108)
WRITE_MIB = (48, 47)
SCALES = {
    # name: (read sizes MiB, write sizes MiB, short sessions, retransmit rate, reorder rate)
    "default": (READ_MIB, WRITE_MIB, 10_000, 0.002, 0.0001),
    # the generator's own test: every feature, quick; higher rates so a small
    # capture still holds retransmissions and reorders
    "tiny": ((0.75, 1.0, 1.25, 1.5), (1.0, 0.5), 40, 0.02, 0.01),
}


def logoff(mid, tid):
    """[MS-CIFS] 2.2.4.54 LOGOFF_ANDX: WordCount 2 (the AndX block), no bytes,
    request and response alike"""
    req = mk.smb(LOGOFF, mk.ANDX_NONE, b"", signed=True, uid=mk.UID, tid=tid, mid=mid)
    rsp = mk.smb(LOGOFF, mk.ANDX_NONE, b"", rsp=True, signed=True, uid=mk.UID, tid=tid, mid=mid)
    return req, rsp


def cksum(head, payload=b""):
    """RFC 1071 over head (even length) then payload: 2^16 = 1 (mod 0xFFFF), so
    the one's complement sum of the 16-bit words is the big-endian integer
    mod 0xFFFF (0 meaning 0xFFFF here: head is never all zeros)"""
    p = int.from_bytes(payload, "big")
    if len(payload) & 1:
        p <<= 8
    s = (int.from_bytes(head, "big") + p) % 0xFFFF
    return ~(s or 0xFFFF) & 0xFFFF


class Half:
    """one direction of a TCP connection: makes its frames"""

    def __init__(self, src, dst, sport, dport, smac, dmac, ip_id):
        self.eth = dmac + smac + b"\x08\x00"
        self.src, self.dst = bytes(src), bytes(dst)
        self.sport, self.dport = sport, dport
        self.ip_id = ip_id

    def frame(self, seq, ack, flags, payload=b"", options=b""):
        hlen = 20 + len(options)
        win = 65535 if flags & SYN else WINDOW
        tcp = struct.pack("!HHIIBBHHH", self.sport, self.dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, hlen << 2,
                          flags, win, 0, 0) + options
        seglen = hlen + len(payload)
        c = cksum(self.src + self.dst + struct.pack("!HH", 6, seglen) + tcp, payload)
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + seglen, self.ip_id, 0x4000, 64, 6, 0, self.src, self.dst)
        self.ip_id = (self.ip_id + 1) & 0xFFFF
        return b"".join((self.eth, ip[:10], struct.pack("!H", cksum(ip)), ip[12:], tcp[:16], struct.pack("!H", c),
                         tcp[18:], payload))


class Conn:
    """one TCP connection from client:cport to SERVER:445 on its own clock;
    the frames it makes collect in .out as (t_us, conn index, n, frame)"""

    def __init__(self, idx, rng, client, cport, t0, rates, stats):
        cmac = bytes([2, 0x10]) + bytes(client)
        self.h = {True: Half(client, SERVER, cport, 445, cmac, SERVER_MAC, rng.getrandbits(16)),
                  False: Half(SERVER, client, 445, cport, SERVER_MAC, cmac, rng.getrandbits(16))}
        self.idx, self.rng, self.t, self.n = idx, rng, t0, 0
        self.p_retx, self.p_reorder = rates
        self.stats = stats
        self.out = []
        isn_c, isn_s = rng.getrandbits(32), rng.getrandbits(32)
        self.pkt(True, isn_c, 0, SYN, options=SYN_OPTIONS, gap=0)
        self.pkt(False, isn_s, isn_c + 1, SYN | ACK, options=SYN_OPTIONS, gap=rng.randint(80, 200))
        self.seq = {True: (isn_c + 1) & 0xFFFFFFFF, False: (isn_s + 1) & 0xFFFFFFFF}  # True: the client's
        self.ack(True, gap=rng.randint(20, 60))

    def pkt(self, client, seq, ack, flags, payload=b"", options=b"", gap=10):
        self.t += gap
        self.out.append((self.t, self.idx, self.n, self.h[client].frame(seq, ack, flags, payload, options)))
        self.n += 1

    def ack(self, client, ack=None, gap=3):
        self.pkt(client, self.seq[client], self.seq[not client] if ack is None else ack, ACK, gap=gap)

    def drain(self):
        out, self.out = self.out, []
        return out

    def send(self, client, msg, gap, bulk=False):
        """one NBSS message from one side in MSS segments (the last with PSH),
        the peer ACKing every second one and a duplicate or out-of-order one at
        once; bulk messages get retransmissions and reorders"""
        data = mk.nbss(msg)
        seq0, ack = self.seq[client], self.seq[not client]
        n = (len(data) + MSS - 1) // MSS
        self.seq[client] = (seq0 + len(data)) & 0xFFFFFFFF
        order = self._order(n) if bulk and n > 2 else range(n)
        frames = {}
        rcv_nxt, ahead, unacked = 0, {}, 0  # receiver state, in offsets from seq0
        rng = self.rng
        for k, i in enumerate(order):
            off = i * MSS
            end = min(off + MSS, len(data))
            if i in frames:  # the exact segment again
                self.t += gap if k == 0 else rng.randint(10, 16)
                self.out.append((self.t, self.idx, self.n, frames[i]))
                self.n += 1
            else:
                self.pkt(client, seq0 + off, ack, ACK | (PSH if i == n - 1 else 0), data[off:end],
                         gap=gap if k == 0 else rng.randint(10, 16))
                frames[i] = self.out[-1][3]
            if off == rcv_nxt:
                rcv_nxt = end
                while rcv_nxt in ahead:
                    rcv_nxt = ahead.pop(rcv_nxt)
                unacked += 1
                if unacked >= 2:
                    self.ack(not client, (seq0 + rcv_nxt) & 0xFFFFFFFF)
                    unacked = 0
            else:  # out of order or already had: ACK at once (a duplicate ACK)
                if off > rcv_nxt:
                    ahead[off] = end
                self.ack(not client, (seq0 + rcv_nxt) & 0xFFFFFFFF)
                unacked = 0
        if unacked:
            self.ack(not client, (seq0 + rcv_nxt) & 0xFFFFFFFF, gap=40)

    def _order(self, n):
        """the order segments 0..n-1 go out in: a few swapped with the next, a
        few sent again three segments later; never the first (a message's
        header segment is sent once, so a request is counted once)"""
        rng, order, again = self.rng, [0], []
        i = 1
        while i < n:
            if i + 1 < n and rng.random() < self.p_reorder:
                order += (i + 1, i)
                self.stats["reordered"] += 1
                i += 2
            else:
                order.append(i)
                if rng.random() < self.p_retx:
                    again.append((len(order) + 3, i))
                    self.stats["retransmitted"] += 1
                i += 1
            while again and again[0][0] <= len(order):
                order.append(again.pop(0)[1])
        order += [i for _, i in again]
        return order

    def exchange(self, pair, think=None):
        req, rsp = pair
        self.send(True, req, gap=think or self.rng.randint(20, 80))
        self.send(False, rsp, gap=self.rng.randint(60, 250))

    def setup(self, name, fid, size, user):
        """NEGOTIATE, SESSION_SETUP_ANDX, TREE_CONNECT_ANDX, NT_CREATE_ANDX"""
        self.exchange(mk.negotiate(1))
        self.exchange(mk.session_setup(2, user=user, domain="BENCH", native_os="Linux", native_lanman="mkbench"))
        self.exchange(mk.tree_connect(3, hp.SHARE, "A:", hp.TID))
        self.exchange(mk.nt_create(4, hp.TID, name, fid, size))

    def teardown(self, mid, fid):
        """CLOSE, LOGOFF_ANDX, FIN from the client, FIN from the server, ACK"""
        self.exchange(mk.close(mid, hp.TID, fid))
        self.exchange(logoff(mid + 1, hp.TID))
        self.pkt(True, self.seq[True], self.seq[False], FIN | ACK, gap=self.rng.randint(100, 300))
        self.seq[True] = (self.seq[True] + 1) & 0xFFFFFFFF
        self.pkt(False, self.seq[False], self.seq[True], FIN | ACK, gap=self.rng.randint(30, 90))
        self.seq[False] = (self.seq[False] + 1) & 0xFFFFFFFF
        self.ack(True, gap=self.rng.randint(20, 60))


def content(seed, label, size, chunk):
    """the file's bytes, chunk at a time: one random.Random(seed) stream"""
    rng = random.Random(f"{seed}:{label}")
    for off in range(0, size, chunk):
        yield off, rng.randbytes(min(chunk, size - off))


def transfer(conn, op, name, fid, size, seed, label, user, files, counts, chunk=CHUNK):
    """a whole session moving one file by op ("read" or "write") in requests
    of chunk bytes, four outstanding; yields its frames as it goes"""
    conn.setup(name, fid, size, user)
    yield from conn.drain()
    h = hashlib.sha256()
    pending = collections.deque()
    mid = 5
    cmd = "read_andx" if op == "read" else "write_andx"
    for off, data in content(seed, label, size, chunk):
        h.update(data)
        if op == "read":
            req, rsp = mk.read_andx(mid, hp.TID, fid, off, len(data), data)
        else:
            req, rsp = hp.write_andx(mid, fid, off, data)
        mid += 1
        counts[cmd] += 1
        if len(pending) == OUTSTANDING:  # the oldest request's response first
            conn.send(False, pending.popleft(), gap=conn.rng.randint(60, 250), bulk=op == "read")
        conn.send(True, req, gap=conn.rng.randint(5, 30), bulk=op == "write")
        pending.append(rsp)
        yield from conn.drain()
    while pending:
        conn.send(False, pending.popleft(), gap=conn.rng.randint(60, 250), bulk=op == "read")
        yield from conn.drain()
    conn.teardown(mid, fid)
    yield from conn.drain()
    files.append({"client": ".".join(map(str, conn.h[True].src)), "port": conn.h[True].sport, "name": name,
                  "op": op, "size": size, "sha256": h.hexdigest()})


def write_pcap(path, frames):
    """frames (t_us, ...,  frame) in time order, written in large chunks;
    returns (packets, bytes of the file)"""
    n, total, buf, size = 0, 24, [], 0
    pack = struct.Struct("<IIII").pack
    with pcapw.Writer(path) as w:
        for t, _, _, frame in frames:
            ln = len(frame)
            buf.append(pack(t // 1_000_000, t % 1_000_000, ln, ln))
            buf.append(frame)
            size += ln + 16
            n += 1
            if size >= 1 << 22:
                w.f.write(b"".join(buf))
                total += size
                buf, size = [], 0
        w.f.write(b"".join(buf))
        total += size
    return n, total


def new_stats():
    return {"read_andx": 0, "write_andx": 0, "retransmitted": 0, "reordered": 0}


def large(path, seed, read_mib, write_mib, factor, rates):
    """four reads and two writes, interleaved in time"""
    files, stats, streams = [], new_stats(), []
    jobs = [("read", m) for m in read_mib] + [("write", m) for m in write_mib]
    for i, (op, mib) in enumerate(jobs):
        rng = random.Random(f"{seed}:large-conn:{i}")
        # sizes no multiple of the chunk, so every file ends in a short request
        size = int(mib * factor * MIB) + 4093 * (i + 1)
        conn = Conn(i, rng, (10, 0, 1, 11 + i), 50001 + 17 * i, T0 + rng.randint(0, 2000), rates, stats)
        name = f"\\bench\\{op}{i}_{size}.bin"
        streams.append(transfer(conn, op, name, 0x4001 + i, size, seed, f"large:{i}", f"user{i}", files, stats))
    n, total = write_pcap(path, heapq.merge(*streams))
    return files, stats, n, total


def short(path, seed, sessions, rates):
    """sessions short sessions from distinct clients, one starting every 1.5 ms
    (each takes 2-4 ms, so a few overlap)"""
    files, stats, streams = [], new_stats(), []
    for i in range(sessions):
        rng = random.Random(f"{seed}:short-conn:{i}")
        size = rng.randint(1024, 65536)
        client = (10, 1 + i // 40000, (i // 200) % 200, 10 + i % 200)
        conn = Conn(i, rng, client, 32768 + (i * 7919) % 28000, T0 + i * 1500, rates, stats)
        name = f"\\short\\s{i:05d}_{size}.txt"
        streams.append(transfer(conn, "read", name, 0x1000 + i % 0x8000, size, seed, f"short:{i}", "alice",
                                files, stats, chunk=65536))
    n, total = write_pcap(path, heapq.merge(*streams))
    return files, stats, n, total


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("outdir")
    ap.add_argument("--scale", choices=sorted(SCALES), default="default")
    ap.add_argument("--size-mb", type=float, default=None,
                    help=f"large capture's size, about (default {DEFAULT_MB}; file sizes scale with it)")
    ap.add_argument("--sessions", type=int, default=None, help="short sessions (default 10000; tiny 40)")
    ap.add_argument("--seed", type=int, default=12)
    ap.add_argument("--only", choices=("large", "short"))
    a = ap.parse_args()
    read_mib, write_mib, sessions, p_retx, p_reorder = SCALES[a.scale]
    factor = (a.size_mb or DEFAULT_MB) / DEFAULT_MB
    sessions = sessions if a.sessions is None else a.sessions
    os.makedirs(a.outdir, exist_ok=True)
    manifest = {"generator": "tests/bench/mkbench.py", "seed": a.seed, "scale": a.scale, "captures": {}}
    for cap in ("large", "short"):
        if a.only and a.only != cap:
            continue
        path = os.path.join(a.outdir, cap + ".pcap")
        t = time.monotonic()
        if cap == "large":
            files, stats, n, total = large(path, a.seed, read_mib, write_mib, factor, (p_retx, p_reorder))
        else:
            files, stats, n, total = short(path, a.seed, sessions, (p_retx, p_reorder))
        secs = time.monotonic() - t
        assert total == os.path.getsize(path)
        print(f"{path}: {n} packets, {total / 1e6:.1f} MB, {len(files)} files, {stats['read_andx']} READ_ANDX, "
              f"{stats['write_andx']} WRITE_ANDX, {stats['retransmitted']} segments sent twice, "
              f"{stats['reordered']} reordered; {secs:.1f} s", flush=True)
        manifest["captures"][cap] = {"pcap": cap + ".pcap", "packets": n, "bytes": total, **stats,
                                     "files": files}
    with open(os.path.join(a.outdir, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
