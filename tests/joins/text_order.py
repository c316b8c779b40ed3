#!/usr/bin/env python3
"""The text transcript reads in time order: for every sample, each line's
time -- a connection's header: its absolute start; its other lines: start +
their offset; STATS: its own -- is never earlier than the line before. File,
session and conn (END) records are stamped when written, so they stand in
order too. (--public adds ../shared's public captures, for information: there
an `smb` line still carries its request's time and is written when the
response comes, so requests answered out of order -- NT_TRANSACT NOTIFY,
pipelined reads -- print out of order; see README.)"""
import datetime
import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
HEADER = re.compile(rb"^(C\d+) (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z) ")
LINE = re.compile(rb"^(C\d+) \+(\d+)\.(\d{6}) ")
STATS = re.compile(rb"^-- (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z) STATS")


def us(ts):
    d = datetime.datetime.strptime(ts.decode(), "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc)
    return int(d.timestamp()) * 1000000 + d.microsecond


def check(text, where):
    start, prev, problems = {}, None, []
    for i, line in enumerate(text.split(b"\n")[:-1], 1):
        m = HEADER.match(line)
        if m:
            t = start[m.group(1)] = us(m.group(2))
        elif (m := LINE.match(line)):
            if m.group(1) not in start:
                problems.append(f"{where}:{i}: {m.group(1).decode()} before its header")
                continue
            t = start[m.group(1)] + int(m.group(2)) * 1000000 + int(m.group(3))
        elif (m := STATS.match(line)):
            t = us(m.group(1))
        else:
            problems.append(f"{where}:{i}: unrecognised line {line[:60]!r}")
            continue
        if prev is not None and t < prev[0]:
            problems.append(f"{where}:{i}: {(prev[0] - t) / 1e6:.6f} s before line {prev[1]}: {line[:90]!r}")
        prev = (t, i)
    return problems


def main():
    binary = sys.argv[1]
    shared = pathlib.Path(sys.argv[2]) if len(sys.argv) > 2 else ROOT.parent / "shared"
    inputs = sorted((ROOT / "samples").glob("*.pcap"))
    public = shared / "pcaps" / "public"
    if public.is_dir() and "--public" in sys.argv:
        inputs += sorted(p for p in public.rglob("*") if p.suffix in (".pcap", ".pcapng", ".cap"))
    problems = []
    for pcap in inputs:
        p = subprocess.run([binary, "-r", str(pcap)], capture_output=True, timeout=300)
        if p.returncode not in (0, 1):
            problems.append(f"{pcap.name}: exit {p.returncode}")
            continue
        problems += check(p.stdout, pcap.name)
    for p in problems[:40]:
        print("FAIL:", p)
    print(f"{len(inputs)} inputs, {len(problems)} lines out of time order")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
