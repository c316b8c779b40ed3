#!/usr/bin/env python3
"""mkseeds: turn sample captures into fuzz_stream inputs (the piece script that
fuzz_stream.c reads), one per capture: Ethernet/IPv4/TCP payloads in capture
order, client pieces vs server pieces by port 139/445. Usage: mkseeds.py OUTDIR PCAP..."""
import pathlib
import struct
import sys


def pieces(path):
    data = pathlib.Path(path).read_bytes()
    off = 24
    while off + 16 <= len(data):
        _, _, incl, _ = struct.unpack_from("<IIII", data, off)
        f = data[off + 16: off + 16 + incl]
        off += 16 + incl
        if len(f) < 54 or f[12:14] != b"\x08\x00" or f[23] != 6:
            continue
        ihl = (f[14] & 0x0F) * 4
        total = struct.unpack_from("!H", f, 16)[0]
        tcp = 14 + ihl
        sport = struct.unpack_from("!H", f, tcp)[0]
        doff = (f[tcp + 12] >> 4) * 4
        payload = f[tcp + doff: 14 + total]
        if payload:
            yield sport in (139, 445), payload


def main():
    out = pathlib.Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    for path in sys.argv[2:]:
        script = bytearray([0x00 if "139" not in path else 0x01, 0x00])
        for from_server, payload in pieces(path):
            for i in range(0, len(payload), 64):
                chunk = payload[i:i + 64]
                script.append((0x80 if from_server else 0) | (len(chunk) - 1))
                script += chunk
            if len(script) > 200_000:
                break
        (out / (pathlib.Path(path).stem + ".stream")).write_bytes(script)


if __name__ == "__main__":
    main()
