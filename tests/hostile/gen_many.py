#!/usr/bin/env python3
"""gen_many: a long capture of many SMB1 connections open at once, for the
tests that stop smbscope part way (a signal, a failed write): CONNS
connections each open one file, then read it in ROUNDS rounds of one
60 KiB READ_ANDX per connection (round robin), and close at the very end,
so at any point in the reads every connection is open.

Usage: gen_many.py CONNS ROUNDS OUT.pcap
Prints the number of packets written. Python 3 standard library only,
deterministic."""
import sys

import hostile_pcap as hp
from hostile_pcap import mk

CHUNK = 60 * 1024
FID0 = 0x5000


def build(conns, rounds):
    cap = hp.new_capture()
    data = mk.content(CHUNK, b"many")
    cs = []
    for i in range(conns):
        c = hp.Conn(cap, 20000 + i, 0x01000000 * (i + 1), 0x02000000 * (i + 1))
        c.setup()
        c.exchange(mk.nt_create(4, hp.TID, "\\many%d.bin" % i, FID0 + i, CHUNK * rounds))
        cs.append(c)
    for r in range(rounds):
        for i, c in enumerate(cs):
            c.exchange(mk.read_andx((5 + r) & 0xFFFF, hp.TID, FID0 + i, r * CHUNK, CHUNK, data))
    for i, c in enumerate(cs):
        c.exchange(mk.close((5 + rounds) & 0xFFFF, hp.TID, FID0 + i))
        c.close()
    return cap


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__.splitlines()[-3])
    cap = build(int(sys.argv[1]), int(sys.argv[2]))
    cap.write(sys.argv[3])
    print(len(cap.frames))


if __name__ == "__main__":
    main()
