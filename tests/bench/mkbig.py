#!/usr/bin/env python3
"""mkbig: make a large benchmark capture by repeating sample captures as many
distinct connections (client port and address changed per copy, timestamps
shifted), interleaving copies in time. Usage: mkbig.py OUT COPIES IN.pcap..."""
import struct
import sys


def read_pcap(path):
    data = open(path, "rb").read()
    magic = data[:4]
    if magic not in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        raise SystemExit(f"{path}: only little-endian classic pcap is supported")
    linktype = struct.unpack_from("<I", data, 20)[0]
    off, recs = 24, []
    while off + 16 <= len(data):
        sec, frac, incl, orig = struct.unpack_from("<IIII", data, off)
        recs.append([sec, frac, data[off + 16: off + 16 + incl], orig])
        off += 16 + incl
    return data[:24], linktype, recs


def retarget(frame, copy):
    """Ethernet/IPv4/TCP only: give the client a distinct address and port per copy."""
    if len(frame) < 54 or frame[12:14] != b"\x08\x00" or frame[23] != 6:
        return frame
    f = bytearray(frame)
    ihl = (f[14] & 0x0F) * 4
    tcp = 14 + ihl
    sport, dport = struct.unpack_from("!HH", f, tcp)
    client_is_src = dport in (139, 445)
    ip_off = 26 if client_is_src else 30
    port_off = tcp if client_is_src else tcp + 2
    f[ip_off + 2] = 10 + (copy >> 8) % 200
    f[ip_off + 3] = copy % 256
    port = struct.unpack_from("!H", f, port_off)[0]
    struct.pack_into("!H", f, port_off, 1024 + (port + copy * 7) % 60000)
    return bytes(f)


def main():
    out, copies, inputs = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    header, recs_all = None, []
    for path in inputs:
        h, _, recs = read_pcap(path)
        header = header or h
        recs_all.append(recs)
    merged = []
    for c in range(copies):
        recs = recs_all[c % len(recs_all)]
        base = recs[0][0]
        for i, (sec, frac, data, orig) in enumerate(recs):
            # copy c starts c*50 ms after copy 0: connections overlap in time
            t = (sec - base) * 1_000_000 + frac + c * 50_000
            merged.append((t, c, i, retarget(data, c), orig))
    merged.sort(key=lambda r: (r[0], r[1], r[2]))
    with open(out, "wb") as f:
        f.write(header)
        for t, _, _, data, orig in merged:
            f.write(struct.pack("<IIII", 1_700_000_000 + t // 1_000_000, t % 1_000_000, len(data), orig))
            f.write(data)


if __name__ == "__main__":
    main()
