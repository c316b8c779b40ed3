#!/usr/bin/env python3
"""gen_floods: one SMB1 connection that trips a per-connection limit once per
message, the anomaly flood an attacker gets for a few bytes a message.

  pending N OUT.pcap  N ECHO requests (distinct MIDs) never answered: past
                      --max-pending (4096) every request reports the oldest
                      one unanswered and raises `pending_limit`
  fids N OUT.pcap     N NT_CREATE_ANDX opens (FIDs 1..N, each answered, none
                      closed): past --max-open-files (4096) every open
                      raises `open_files_limit`; then one READ_ANDX on each
                      untracked FID raises it again

Python 3 standard library only, deterministic."""
import sys

import hostile_pcap as hp
from hostile_pcap import mk


def pending(n):
    cap = hp.new_capture()
    c = hp.Conn(cap, 40001)
    c.setup()
    for i in range(n):
        # MIDs 4.. never repeat below 2^16 (n stays under it)
        c.send(True, hp.echo_request(4 + i), ack=(i % 16 == 15))
    c.close()
    return cap


def fids(n):
    cap = hp.new_capture()
    c = hp.Conn(cap, 40002)
    c.setup()
    mid = 4
    for fid in range(1, n + 1):
        c.exchange(mk.nt_create(mid & 0xFFFF, hp.TID, "\\f%d.bin" % fid, fid, 16))
        mid += 1
    data = b"flooded-fid-data"  # distinct from every header byte run (mkcrafted checks where it lands)
    for fid in range(4097, n + 1):
        c.exchange(mk.read_andx(mid & 0xFFFF, hp.TID, fid, 0, 16, data))
        mid += 1
    c.close()
    return cap


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("pending", "fids"):
        sys.exit("usage: gen_floods.py pending|fids N OUT.pcap")
    n = int(sys.argv[2])
    assert 0 < n < 60000, "MIDs and FIDs are 16-bit"
    (pending if sys.argv[1] == "pending" else fids)(n).write(sys.argv[3])


if __name__ == "__main__":
    main()
