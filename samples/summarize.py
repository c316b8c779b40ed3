#!/usr/bin/python3
"""Per-capture summary of the SMB1 / NBSS messages, as tshark decodes them.

    samples/summarize.py samples/*.pcap

Runs of the same request/response pair (e.g. the READ_ANDX loop of the big
read) are collapsed to "N x request / response" with sizes and offsets
masked.
"""
import os
import re
import subprocess
import sys

FILTER = "smb || smb2 || (nbss && nbss.type != 0x00)"


def tshark(*args):
    return subprocess.run(["tshark", *args], capture_output=True, text=True,
                          check=True).stdout.splitlines()


def mask(line):
    line = re.sub(r"\d+ bytes at offset \d+", "N bytes at offset X", line)
    return re.sub(r", \d+ bytes$", ", N bytes", line)


def collapse(lines):
    out, i = [], 0
    while i < len(lines):
        a = mask(lines[i])
        b = mask(lines[i + 1]) if i + 1 < len(lines) else None
        n = 1
        while (b is not None and i + 2 * n + 1 < len(lines)
               and mask(lines[i + 2 * n]) == a
               and mask(lines[i + 2 * n + 1]) == b):
            n += 1
        if n > 1:
            out.append("%d x %s / %s" % (n, a, b))
            i += 2 * n
        else:
            out.append(lines[i])
            i += 1
    return out


def main():
    for p in sys.argv[1:]:
        frames = len(tshark("-r", p, "-T", "fields", "-e", "frame.number"))
        print("%s  (%d bytes, %d frames)" % (os.path.basename(p),
                                            os.path.getsize(p), frames))
        for line in collapse(tshark("-r", p, "-Y", FILTER, "-T", "fields",
                                    "-e", "_ws.col.Info")):
            print("    " + line)


if __name__ == "__main__":
    main()
