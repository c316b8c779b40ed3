#!/usr/bin/env python3
"""mkstate: adversarial captures for the state tables and the state budget
(issue 9), written at test time (Python stdlib only, deterministic).

  mkstate.py tables OUT.pcap IDS READS [STRLEN]
      one SMB1 connection on 445 that sets up IDS sessions (UIDs), IDS tree
      connects (TIDs) and IDS opens (FIDs), then sends READS READ_ANDX
      requests naming a UID, TID and FID never set up, each answered
      STATUS_INVALID_HANDLE. IDS=0 gives the same reads on empty tables.
      STRLEN > 0 makes each session's account and domain that many bytes.
  mkstate.py syn OUT.pcap N
      N SYNs to 445, each from its own address and port (half-open flows)
  mkstate.py conns OUT.pcap CONNS IDS STRLEN
      CONNS connections, each with IDS sessions whose account and domain are
      STRLEN bytes, each session with a tree and an open: many connections
      full of state at once (none ends before the capture does)

The SMB messages follow [MS-CIFS] 2.2.4 (SESSION_SETUP_ANDX 2.2.4.53,
TREE_CONNECT_ANDX 2.2.4.55, NT_CREATE_ANDX 2.2.4.64, READ_ANDX 2.2.4.42);
TCP checksums are left zero (smbscope, like most analyzers, ignores them).
"""
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
import pcapw  # noqa: E402  (the path above makes it importable)

HDR = 32
T0 = 1_700_000_000_000_000
PID = 0xFEFF
FLAGS2 = 0xC803  # unicode, NT status, extended attributes, long names
ANDX_NONE = b"\xff\x00\x00\x00"
SESSION_SETUP, TREE_CONNECT, NT_CREATE, READ_ANDX = 0x73, 0x75, 0xA2, 0x2E
STATUS_INVALID_HANDLE = 0xC0000008


def smb(cmd, words, data, *, rsp=False, tid=0, uid=0, mid=0, status=0):
    hdr = b"\xffSMB" + struct.pack("<BIBHH", cmd, status, 0x98 if rsp else 0x18, FLAGS2, 0)
    hdr += bytes(8) + b"\x00\x00" + struct.pack("<HHHH", tid, PID, uid, mid)
    return hdr + bytes([len(words) // 2]) + words + struct.pack("<H", len(data)) + data


def u16(s, pad):
    """a NUL-terminated UTF-16LE string after `pad` alignment bytes"""
    return b"\x00" * pad + s.encode("utf-16-le") + b"\x00\x00"


def session_setup(mid, uid, user, domain):
    # NT LM 0.12 non-extended form (WordCount 13), empty passwords
    words = ANDX_NONE + struct.pack("<HHHIHHII", 16644, 50, 0, 0, 0, 0, 0, 0x8000)
    off = HDR + 1 + len(words) + 2
    data = u16(user, off % 2) + u16(domain, 0) + u16("OS", 0) + u16("LM", 0)
    req = smb(SESSION_SETUP, words, data, mid=mid)
    rsp = smb(SESSION_SETUP, ANDX_NONE + struct.pack("<H", 0), b"", rsp=True, uid=uid, mid=mid)
    return req, rsp


def tree_connect(mid, uid, tid, path):
    words = ANDX_NONE + struct.pack("<HH", 0, 1)
    off = HDR + 1 + len(words) + 2 + 1
    req = smb(TREE_CONNECT, words, b"\x00" + u16(path, off % 2) + b"?????\x00", uid=uid, mid=mid)
    rsp = smb(TREE_CONNECT, ANDX_NONE + struct.pack("<H", 1), b"A:\x00", rsp=True, uid=uid, tid=tid, mid=mid)
    return req, rsp


def nt_create(mid, uid, tid, fid, name):
    nlen = len(name.encode("utf-16-le"))
    words = ANDX_NONE + b"\x00" + struct.pack("<HIIIQIIIIIB", nlen, 0, 0, 0x0012019F, 0, 0x80, 7, 1, 0x40, 2, 0)
    off = HDR + 1 + len(words) + 2
    req = smb(NT_CREATE, words, u16(name, off % 2), uid=uid, tid=tid, mid=mid)
    rw = ANDX_NONE + struct.pack("<BHI", 0, fid, 1) + struct.pack("<QQQQ", *[0x01DA170000000000] * 4)
    rw += struct.pack("<IQQHHB", 0x80, 100, 100, 0, 0, 0)
    rsp = smb(NT_CREATE, rw, b"", rsp=True, uid=uid, tid=tid, mid=mid)
    return req, rsp


def read_unknown(mid, uid, tid, fid):
    words = ANDX_NONE + struct.pack("<HIHHIHI", fid, 0, 4096, 0, 0, 0, 0)
    req = smb(READ_ANDX, words, b"", uid=uid, tid=tid, mid=mid)
    rsp = smb(READ_ANDX, b"", b"", rsp=True, uid=uid, tid=tid, mid=mid, status=STATUS_INVALID_HANDLE)
    return req, rsp


class Pcap:
    def __init__(self, path):
        self.w = pcapw.Writer(path)
        self.t = T0

    def frame(self, src, dst, sport, dport, seq, ack, flags, payload=b""):
        self.t += 10
        tcp = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, 5 << 4, flags, 65535, 0, 0)
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp) + len(payload), 0, 0x4000, 64, 6, 0, src, dst)
        frame = b"\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00" + ip + tcp + payload
        self.w.frame(self.t, frame)

    def close(self):
        self.w.close()


class Conn:
    """one TCP connection; every message in one segment, acknowledged by the next"""

    def __init__(self, cap, client, cport, server=bytes([10, 0, 0, 2]), sport=445):
        self.cap, self.c, self.s, self.cp, self.sp = cap, client, server, cport, sport
        self.seq = [0x1000, 0x8000]
        cap.frame(client, server, cport, sport, self.seq[0], 0, 0x02)
        cap.frame(server, client, sport, cport, self.seq[1], self.seq[0] + 1, 0x12)
        self.seq = [self.seq[0] + 1, self.seq[1] + 1]
        cap.frame(client, server, cport, sport, self.seq[0], self.seq[1], 0x10)

    def send(self, client, msg):
        data = struct.pack(">I", len(msg)) + msg
        i = 0 if client else 1
        src, dst, sp, dp = (self.c, self.s, self.cp, self.sp) if client else (self.s, self.c, self.sp, self.cp)
        self.cap.frame(src, dst, sp, dp, self.seq[i], self.seq[i ^ 1], 0x18, data)
        self.seq[i] += len(data)

    def exchange(self, pair):
        self.send(True, pair[0])
        self.send(False, pair[1])


def ip(n):
    return bytes([10, 1 + (n >> 16) % 250, (n >> 8) & 0xFF, n & 0xFF])


def setup(c, ids, strlen, mid):
    long_user = "u" * strlen if strlen else None
    for i in range(1, ids + 1):
        user = (long_user[:-6] + "%06d" % i) if long_user else "user%d" % i
        domain = ("d" * strlen) if strlen else "DOM"
        c.exchange(session_setup(mid & 0xFFFF, i, user, domain)); mid += 1
        c.exchange(tree_connect(mid & 0xFFFF, i, i, "\\\\SRV\\share%d" % i)); mid += 1
        c.exchange(nt_create(mid & 0xFFFF, i, i, i, "\\file%d.bin" % i)); mid += 1
    return mid


def tables(out, ids, reads, strlen=0):
    cap = Pcap(out)
    c = Conn(cap, bytes([10, 0, 0, 1]), 40000)
    mid = setup(c, ids, strlen, 1)
    # IDs above every one set up: each lookup misses
    for k in range(reads):
        c.exchange(read_unknown(mid & 0xFFFF, 0x8000 + k % 0x7000, 0x8000 + k % 0x7000, 0x8000 + k % 0x7000))
        mid += 1
    cap.close()


def syn(out, n):
    cap = Pcap(out)
    for k in range(n):
        cap.frame(ip(k), bytes([10, 0, 0, 2]), 1024 + k % 60000, 445, k, 0, 0x02)
    cap.close()


def conns(out, nconns, ids, strlen):
    cap = Pcap(out)
    for k in range(nconns):
        c = Conn(cap, ip(k), 40000 + k % 20000)
        setup(c, ids, strlen, 1)
    cap.close()


def main():
    a = sys.argv[1:]
    if len(a) >= 4 and a[0] == "tables":
        tables(a[1], int(a[2]), int(a[3]), int(a[4]) if len(a) > 4 else 0)
    elif len(a) == 3 and a[0] == "syn":
        syn(a[1], int(a[2]))
    elif len(a) == 5 and a[0] == "conns":
        conns(a[1], int(a[2]), int(a[3]), int(a[4]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
