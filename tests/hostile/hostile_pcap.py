"""hostile_pcap: the building blocks the adversarial generators share.

SMB1 messages come from tests/crafted/mkcrafted.py (one place knows the wire
layouts); this adds TCP connections on any client port, so one capture can
hold many connections, and the few messages mkcrafted has no builder for.
Python 3 standard library only, deterministic: the same bytes every time."""
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "crafted"))
import mkcrafted as mk  # noqa: E402  (the path above makes it importable)

ECHO, WRITE_ANDX = 0x2B, 0x2F
SHARE = "\\\\SRV\\data"
TID = 300


class Conn(mk.Tcp):
    """one TCP connection from mk.CLIENT:cport to mk.SERVER:445, its packets
    20 us apart"""
    GAP_SYN = GAP = GAP_SEG = GAP_REQ = GAP_RSP = GAP_FIN = 20

    def __init__(self, cap, cport, isn_c=0x10000000, isn_s=0x20000000):
        super().__init__(cap, isn_c, isn_s, cport)

    def setup(self):
        """NEGOTIATE, SESSION_SETUP_ANDX, TREE_CONNECT_ANDX to SHARE (tid TID)"""
        self.exchange(mk.negotiate(1))
        self.exchange(mk.session_setup(2))
        self.exchange(mk.tree_connect(3, SHARE, "A:", TID))


def echo_request(mid):
    """[MS-CIFS] 2.2.4.39.1 ECHO: EchoCount 1, one data byte"""
    return mk.smb(ECHO, struct.pack("<H", 1), b"x", signed=True, uid=mk.UID, tid=TID, mid=mid)


def write_andx(mid, fid, offset, data):
    """[MS-CIFS] 2.2.4.43 WRITE_ANDX, WordCount 14 (OffsetHigh), DataLengthHigh
    for lengths past 16 bits ([MS-SMB] 2.2.4.3.1), and its response"""
    n = len(data)
    data_off = mk.HDR + 1 + 28 + 2 + 1  # one pad byte: the data at an even offset
    words = mk.ANDX_NONE + struct.pack("<HIIHHHHHI", fid, offset & 0xFFFFFFFF, 0, 0, 0, n >> 16, n & 0xFFFF,
                                       data_off, offset >> 32)
    req = mk.smb(WRITE_ANDX, words, b"\x00" + data, signed=True, uid=mk.UID, tid=TID, mid=mid)
    assert req.index(data) == data_off if data else True
    words = mk.ANDX_NONE + struct.pack("<HHHH", n & 0xFFFF, 0xFFFF, n >> 16, 0)
    rsp = mk.smb(WRITE_ANDX, words, b"", rsp=True, signed=True, uid=mk.UID, tid=TID, mid=mid)
    return req, rsp


def new_capture():
    return mk.Capture()
