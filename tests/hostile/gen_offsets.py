#!/usr/bin/env python3
"""gen_offsets: READ_ANDX / WRITE_ANDX at 64-bit offsets no file can hold
(a file's size is a signed 64-bit integer: [MS-CIFS]
SMB_SET_FILE_END_OF_FILE_INFO), and an open whose size is past 2^63-1. One
connection, one file (FID 0x4001, 16 bytes) plus one with EndOfFile
0xFFFFFFFFFFFFFFFF (FID 0x4002). CASES lists each command, what run.py
expects of it; Python 3 standard library only, deterministic.

Usage: gen_offsets.py OUT.pcap"""
import hostile_pcap as hp
from hostile_pcap import mk

E = (1 << 63) - 1          # the largest file offset (FILE_OFFSET_END)
FID, FID_HUGE = 0x4001, 0x4002


def block(n, salt):
    return mk.content(n, salt)


# (kind, offset, length): what each command does; run.py derives the
# expected records from this list
CASES = [
    ("read", E - 0x2000, 0x1000),                # in range: ends 0x1000 below E
    ("read", 0xFFFFFFFF_00000000, 0x1000),       # OffsetHigh 0xffffffff
    ("read", 0x7FFFFFFF_FFFFF800, 0x10000),      # DataLengthHigh takes the end past 2^63
    ("read", 0xFFFFFFFF_FFFFF000, 0x10000),      # ... and past 2^64
    ("write", 0xFFFFFFFF_FFFFF000, 0x10000),     # a write wrapping past 2^64
    ("write", 0x7FFFFFFF_FFFFFFF0, 0x20),        # a write ending 17 bytes past E
]


def build():
    cap = hp.new_capture()
    c = hp.Conn(cap, 40003)
    c.setup()
    c.exchange(mk.nt_create(4, hp.TID, "\\offsets.bin", FID, 16))
    c.exchange(mk.nt_create(5, hp.TID, "\\huge.bin", FID_HUGE, 0xFFFFFFFF_FFFFFFFF))
    mid = 6
    for i, (kind, off, n) in enumerate(CASES):
        data = block(n, b"case%d" % i)
        if kind == "read":
            c.exchange(mk.read_andx(mid, hp.TID, FID, off, n, data))
        else:
            c.exchange(hp.write_andx(mid, FID, off, data))
        mid += 1
    c.exchange(mk.close(mid, hp.TID, FID))
    c.exchange(mk.close(mid + 1, hp.TID, FID_HUGE))
    c.close()
    return cap


if __name__ == "__main__":
    mk.write_main(build, __doc__)
