#!/usr/bin/env python3
"""mkcrafted: write crafted.pcap, an SMB1 capture no real client made, holding
what the sample captures lack (tests/crafted/run.py checks what smbscope
makes of it). Python 3 standard library only and deterministic: fixed
addresses, ports, sequence numbers, timestamps and file contents, so the
same bytes come out every time.

One TCP 4-tuple, 10.0.0.1:40001 -> 10.0.0.2:445 (Ethernet, IPv4, classic pcap):

C1: NEGOTIATE (NT LM 0.12), SESSION_SETUP_ANDX with a Unicode (FLAGS2) user
    name, native OS and LAN Manager carrying ESC sequences, C1 controls,
    quotes and backslashes; then every request carries an SMB signature
    (FLAGS2 SECURITY_SIGNATURE, non-zero SecuritySignature):
    TREE_CONNECT_ANDX to a share named with ESC/C1/quote; NT_CREATE_ANDX of
    a file named likewise (65536 bytes) and of one of 0x1FFFF bytes, each
    read whole by one READ_ANDX ([MS-SMB] 2.2.4.2: MaxCountHigh in the
    request, DataLengthHigh in the response: 65536 is DataLength 0 and
    DataLengthHigh 1), then CLOSE; TREE_CONNECT_ANDX to IPC$,
    NT_CREATE_ANDX of \\srvsvc, a TRANSACTION TRANSACT_NMPIPE on it and a
    \\PIPE\\LANMAN TRANSACTION (RAP NetShareEnum, no setup words). C1 never
    sends FIN or RST: it is still open when
C2: a new SYN (another ISN) on the same 4-tuple starts a second connection
    (so C1 ends "reused"): NEGOTIATE, then a clean FIN close.

Usage: mkcrafted.py OUT.pcap"""
import hashlib
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
import pcapw  # noqa: E402  (the path above makes it importable)

CLIENT, SERVER = (10, 0, 0, 1), (10, 0, 0, 2)
CPORT, SPORT = 40001, 445
T0 = 1_700_000_000_000_000  # capture start, microseconds (2023-11-14T22:13:20Z)
MSS = 1460

# the strings under test (Unicode on the wire)
USER = 'eve\x1b[2J"q\\x\u0085'
NATIVE_OS = 'crafted\u009b31m'
NATIVE_LANMAN = 'say "hi" \\ back'
SHARE = '\\\\SRV\\sh\x1b[2J"\u009d'
IPC = '\\\\SRV\\IPC$'
FILE_64K = '\\esc\x1b]0;t\x07"q\\64k\u0090.bin'
FILE_BIG = '\\plain_131071.bin'
PIPE = '\\srvsvc'

SIZE_64K = 0x10000
SIZE_BIG = 0x1FFFF


def content(size, salt):
    """deterministic bytes: a SHA-256 counter stream"""
    out = bytearray()
    i = 0
    while len(out) < size:
        out += hashlib.sha256(b"%s-%d" % (salt, i)).digest()
        i += 1
    return bytes(out[:size])


DATA_64K = content(SIZE_64K, b"64k")
DATA_BIG = content(SIZE_BIG, b"big")
# what run.py asserts the file records carry
EXPECT = {
    FILE_64K: (SIZE_64K, hashlib.sha256(DATA_64K).hexdigest()),
    FILE_BIG: (SIZE_BIG, hashlib.sha256(DATA_BIG).hexdigest()),
}

# SMB1 ([MS-CIFS] 2.2.3.1 header; 2.2.4.x commands)
NEGOTIATE, SESSION_SETUP, TREE_CONNECT, NT_CREATE = 0x72, 0x73, 0x75, 0xA2
READ_ANDX, CLOSE, TRANSACTION = 0x2E, 0x04, 0x25
FLAGS_REQ, FLAGS_RSP = 0x18, 0x98
F2_UNICODE, F2_NT_STATUS, F2_SIGNATURE, F2_LONG_NAMES = 0x8000, 0x4000, 0x0004, 0x0001
F2_PLAIN = F2_UNICODE | F2_NT_STATUS | F2_LONG_NAMES
F2_SIGNED = F2_PLAIN | F2_SIGNATURE
CAPS = 0x4 | 0x8 | 0x10 | 0x40 | 0x4000 | 0x8000  # UNICODE LARGE_FILES NT_SMBS STATUS32 LARGE_READX LARGE_WRITEX
ANDX_NONE = b"\xff\x00\x00\x00"
PID, UID, TID_SHARE, TID_IPC = 0x1234, 100, 200, 201
FID_64K, FID_BIG, FID_PIPE = 0x4001, 0x4002, 0x4003
HDR = 32


class Bytes:
    """an SMB_Data.Bytes block that knows its offset in the message, to
    align Unicode strings on 2 as [MS-CIFS] 2.2.3.3 wants"""

    def __init__(self, wct):
        self.base = HDR + 1 + 2 * wct + 2
        self.b = bytearray()

    def off(self):
        return self.base + len(self.b)

    def raw(self, data):
        self.b += data
        return self

    def align(self):
        if self.off() % 2:
            self.b += b"\x00"
        return self

    def u(self, s, nul=True):
        self.align()
        self.b += s.encode("utf-16-le") + (b"\x00\x00" if nul else b"")
        return self

    def oem(self, s):
        self.b += s.encode("ascii") + b"\x00"
        return self


def smb(cmd, words, data, *, rsp=False, signed=False, tid=0, uid=0, mid=0, status=0, bcc=None):
    assert len(words) % 2 == 0
    flags2 = F2_SIGNED if signed else F2_PLAIN
    # a non-zero SecuritySignature: its value cannot be checked without the session key
    sig = struct.pack("<Q", 0x5A5A000000000000 | (mid << 8) | int(rsp)) if signed else bytes(8)
    hdr = b"\xffSMB" + struct.pack("<BIBHH", cmd, status, FLAGS_RSP if rsp else FLAGS_REQ, flags2, 0)
    hdr += sig + b"\x00\x00" + struct.pack("<HHHH", tid, PID, uid, mid)
    assert len(hdr) == HDR
    data = bytes(data.b if isinstance(data, Bytes) else data)
    n = len(data) if bcc is None else bcc
    return hdr + bytes([len(words) // 2]) + words + struct.pack("<H", n & 0xFFFF) + data


def nbss(msg):
    # [MS-SMB] 2.1: direct TCP, a zero byte and a 24-bit length
    return struct.pack(">I", len(msg)) + msg


# ---- the exchanges --------------------------------------------------------

def negotiate(mid):
    req = smb(NEGOTIATE, b"", b"\x02NT LM 0.12\x00", mid=mid)
    words = struct.pack("<HBHHIIII", 0, 0x07, 50, 1, 16644, 65536, 0, CAPS)
    words += struct.pack("<QhB", 0x01DA170000000000, 0, 8)
    data = bytes(range(0x11, 0x19)) + "CRAFTED\0".encode("utf-16-le") + "SRV\0".encode("utf-16-le")
    rsp = smb(NEGOTIATE, words, data, rsp=True, mid=mid)
    return req, rsp


def session_setup(mid, user=USER, domain="CRAFTED", native_os=NATIVE_OS, native_lanman=NATIVE_LANMAN):
    """the strings default to the hostile ones under test; tests/bench/mkbench.py
    passes plain ones"""
    words = ANDX_NONE + struct.pack("<HHHIHHII", 16644, 50, 0, 0, 24, 24, 0, CAPS)
    b = Bytes(len(words) // 2).raw(bytes(range(1, 25)) + bytes(range(101, 125)))
    b.u(user).u(domain).u(native_os).u(native_lanman)
    req = smb(SESSION_SETUP, words, b, mid=mid)
    words = ANDX_NONE + struct.pack("<H", 0)
    b = Bytes(len(words) // 2).u("Unix").u("Samba").u("CRAFTED")
    rsp = smb(SESSION_SETUP, words, b, rsp=True, uid=UID, mid=mid)
    return req, rsp


def tree_connect(mid, path, service, tid):
    words = ANDX_NONE + struct.pack("<HH", 0, 1)
    b = Bytes(len(words) // 2).raw(b"\x00").u(path).oem("?????")
    req = smb(TREE_CONNECT, words, b, signed=True, uid=UID, mid=mid)
    words = ANDX_NONE + struct.pack("<H", 1)
    b = Bytes(len(words) // 2).oem(service)
    if service == "A:":
        b.u("NTFS")
    rsp = smb(TREE_CONNECT, words, b, rsp=True, signed=True, uid=UID, tid=tid, mid=mid)
    return req, rsp


def nt_create(mid, tid, name, fid, size):
    name_len = len(name.encode("utf-16-le"))
    words = ANDX_NONE + b"\x00" + struct.pack("<HIIIQIIIIIB", name_len, 0, 0, 0x0012019F, 0, 0x80, 7, 1, 0x40, 2, 0)
    assert len(words) == 48
    req = smb(NT_CREATE, words, Bytes(24).u(name), signed=True, uid=UID, tid=tid, mid=mid)
    words = ANDX_NONE + struct.pack("<BHI", 0, fid, 1) + struct.pack("<QQQQ", *[0x01DA170000000000] * 4)
    words += struct.pack("<IQQHHB", 0x80, size, size, 0 if size else 2, 0 if size else 0x05FF, 0)
    assert len(words) == 68
    rsp = smb(NT_CREATE, words, b"", rsp=True, signed=True, uid=UID, tid=tid, mid=mid)
    return req, rsp


def read_andx(mid, tid, fid, offset, count, data):
    """one READ_ANDX of count bytes: MaxCountOfBytesToReturn holds the low
    16 bits, MaxCountHigh the high ([MS-SMB] 2.2.4.2.1); the response's
    DataLength / DataLengthHigh likewise (2.2.4.2.2)"""
    assert len(data) == count
    words = ANDX_NONE + struct.pack("<HIHHIHI", fid, offset & 0xFFFFFFFF, count & 0xFFFF, 0, count >> 16, 0,
                                    offset >> 32)
    req = smb(READ_ANDX, words, b"", signed=True, uid=UID, tid=tid, mid=mid)
    data_off = HDR + 1 + 24 + 2 + 1  # one pad byte: the data starts at an even offset
    words = ANDX_NONE + struct.pack("<HHHHHH", 0xFFFF, 0, 0, count & 0xFFFF, data_off, count >> 16) + bytes(8)
    rsp = smb(READ_ANDX, words, b"\x00" + data, rsp=True, signed=True, uid=UID, tid=tid, mid=mid)
    assert rsp.index(data) == data_off
    return req, rsp


def close(mid, tid, fid):
    req = smb(CLOSE, struct.pack("<HI", fid, 0xFFFFFFFF), b"", signed=True, uid=UID, tid=tid, mid=mid)
    rsp = smb(CLOSE, b"", b"", rsp=True, signed=True, uid=UID, tid=tid, mid=mid)
    return req, rsp


def transaction(mid, tid, name, setup, params, data, rsp_data):
    """[MS-CIFS] 2.2.4.33: TRANSACTION request (words, setup, name, parameters,
    data at 4-byte aligned offsets) and a one-part response"""
    wct = 14 + len(setup)
    b = Bytes(wct).u(name)
    while b.off() % 4:
        b.raw(b"\x00")
    p_off = b.off()
    b.raw(params)
    while b.off() % 4:
        b.raw(b"\x00")
    d_off = b.off()
    b.raw(data)
    words = struct.pack("<HHHHBBHIHHHHHBB", len(params), len(data), 64, 4280, 0, 0, 0, 0, 0, len(params), p_off,
                        len(data), d_off, len(setup), 0)
    words += b"".join(struct.pack("<H", s) for s in setup)
    req = smb(TRANSACTION, words, b, signed=True, uid=UID, tid=tid, mid=mid)
    rb = Bytes(10)
    while rb.off() % 4:
        rb.raw(b"\x00")
    r_off = rb.off()
    rb.raw(rsp_data)
    words = struct.pack("<HHHHHHHHHBB", 0, len(rsp_data), 0, 0, r_off, 0, len(rsp_data), r_off, 0, 0, 0)
    rsp = smb(TRANSACTION, words, rb, rsp=True, signed=True, uid=UID, tid=tid, mid=mid)
    return req, rsp


# ---- TCP/IP/pcap ----------------------------------------------------------

class Capture:
    def __init__(self):
        self.t = T0
        self.frames = []
        self.ip_id = 1

    def packet(self, src, dst, sport, dport, seq, ack, flags, payload=b"", gap_us=50):
        self.t += gap_us
        tcp = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, 5 << 4, flags, 65535, 0, 0)
        pseudo = bytes(src) + bytes(dst) + struct.pack("!BBH", 0, 6, len(tcp) + len(payload))
        tcp = tcp[:16] + struct.pack("!H", pcapw.checksum(pseudo + tcp + payload)) + tcp[18:]
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp) + len(payload), self.ip_id & 0xFFFF, 0x4000, 64, 6,
                         0, bytes(src), bytes(dst))
        ip = ip[:10] + struct.pack("!H", pcapw.checksum(ip)) + ip[12:]
        self.ip_id += 1
        eth = bytes.fromhex("020000000002" "020000000001" if src == CLIENT else "020000000001" "020000000002")
        frame = eth + b"\x08\x00" + ip + tcp + payload
        self.frames.append((self.t, frame))

    def write(self, path):
        with pcapw.Writer(path) as w:
            for t, frame in self.frames:
                w.frame(t, frame)


class Tcp:
    """one TCP connection from CLIENT:cport to SERVER:SPORT; the GAP_*
    class attributes space its packets (microseconds)"""
    SYN, ACK, PSH, FIN = 0x02, 0x10, 0x08, 0x01
    GAP_SYN, GAP, GAP_SEG, GAP_REQ, GAP_RSP, GAP_FIN = 1000, 50, 20, 400, 700, 500

    def __init__(self, cap, isn_c, isn_s, cport=CPORT):
        self.cap, self.cport = cap, cport
        self._raw(True, isn_c, 0, self.SYN, self.GAP_SYN)
        self._raw(False, isn_s, isn_c + 1, self.SYN | self.ACK, self.GAP)
        self.seq = {True: isn_c + 1, False: isn_s + 1}  # True: the client
        self.ack(True)

    def _raw(self, client, seq, ack, flags, gap_us, payload=b""):
        if client:
            self.cap.packet(CLIENT, SERVER, self.cport, SPORT, seq, ack, flags, payload, gap_us)
        else:
            self.cap.packet(SERVER, CLIENT, SPORT, self.cport, seq, ack, flags, payload, gap_us)

    def _pkt(self, client, flags, payload=b"", gap_us=None):
        self._raw(client, self.seq[client], self.seq[not client], flags, self.GAP if gap_us is None else gap_us,
                  payload)
        self.seq[client] += len(payload)

    def ack(self, client):
        self._pkt(client, self.ACK)

    def send(self, client, msg, ack=True):
        """one NBSS message in MSS-sized segments, then (unless ack is
        False) the peer's ACK"""
        data = nbss(msg)
        for i in range(0, len(data), MSS):
            self._pkt(client, self.ACK | (self.PSH if i + MSS >= len(data) else 0), data[i:i + MSS],
                      self.GAP_SEG if i else self.GAP_REQ if client else self.GAP_RSP)
        if ack:
            self.ack(not client)

    def exchange(self, pair):
        req, rsp = pair
        self.send(True, req)
        self.send(False, rsp)

    def close(self):
        self._pkt(True, self.FIN | self.ACK, gap_us=self.GAP_FIN)
        self.seq[True] += 1
        self._pkt(False, self.FIN | self.ACK)
        self.seq[False] += 1
        self.ack(True)


def build():
    cap = Capture()
    c1 = Tcp(cap, 0x10000000, 0x20000000)
    c1.exchange(negotiate(1))
    c1.exchange(session_setup(2))
    c1.exchange(tree_connect(3, SHARE, "A:", TID_SHARE))
    c1.exchange(nt_create(4, TID_SHARE, FILE_64K, FID_64K, SIZE_64K))
    c1.exchange(read_andx(5, TID_SHARE, FID_64K, 0, SIZE_64K, DATA_64K))
    c1.exchange(close(6, TID_SHARE, FID_64K))
    c1.exchange(nt_create(7, TID_SHARE, FILE_BIG, FID_BIG, SIZE_BIG))
    c1.exchange(read_andx(8, TID_SHARE, FID_BIG, 0, SIZE_BIG, DATA_BIG))
    c1.exchange(close(9, TID_SHARE, FID_BIG))
    c1.exchange(tree_connect(10, IPC, "IPC", TID_IPC))
    c1.exchange(nt_create(11, TID_IPC, PIPE, FID_PIPE, 0))
    # a DCE/RPC-shaped payload: its content is not analyzed, only carried
    c1.exchange(transaction(12, TID_IPC, "\\PIPE\\", [0x0026, FID_PIPE], b"", bytes(range(72)), bytes(range(60))))
    # RAP NetShareEnum ([MS-RAP] 2.5.1): function 0, descriptors, level 1, buffer size
    rap = struct.pack("<H", 0) + b"WrLeh\x00B13BWz\x00" + struct.pack("<HH", 1, 4096)
    c1.exchange(transaction(13, TID_IPC, "\\PIPE\\LANMAN", [], rap, b"", struct.pack("<HHHH", 0, 0, 0, 0)))
    c1.exchange(close(14, TID_IPC, FID_PIPE))
    # C1 goes quiet without FIN; the same 4-tuple starts over with a new ISN
    c2 = Tcp(cap, 0x30000000, 0x40000000)
    c2.exchange(negotiate(1))
    c2.close()
    return cap


def write_main(build, doc):
    """a generator's command line, `NAME OUT.pcap`: build() written there
    (else the usage, the last line of doc)"""
    if len(sys.argv) != 2:
        sys.exit(doc.splitlines()[-1])
    build().write(sys.argv[1])


if __name__ == "__main__":
    write_main(build, __doc__)
