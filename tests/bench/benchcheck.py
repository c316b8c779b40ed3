#!/usr/bin/env python3
"""benchcheck: does smbscope's JSON output on a bench capture report exactly
what tests/bench/mkbench.py wrote into it? A benchmark that measures wrong
output is worthless, so tests/bench/run.sh runs this on every capture.

Checked against the manifest entry of the capture: one `file` record per
file (same client address and port, same name), with the manifest's size,
sha256 and complete=true, and no other file record; as many READ_ANDX and
WRITE_ANDX `smb` records as requests were written, each STATUS_SUCCESS; no
anomaly record. A count the manifest gives as null (a capture of real traffic
whose generator could not know it) is not compared; every other check stays. With --extract DIR (the run's --extract directory): every
file's content is DIR/sha256/XX/SHA256, of the manifest's size and hashing
to it, and nothing went to DIR/partial/.

Usage: benchcheck.py MANIFEST CAPTURE JSON [--extract DIR]   (CAPTURE: large, short or real)
Prints one line per problem (at most 20) and a summary; exit 1 on any."""
import collections
import hashlib
import json
import os
import sys


def show(key):
    return f"{key[0]}:{key[1]} {key[2]}"


def problems(entry, lines):
    """every way the JSON records (an iterable of lines) differ from the
    manifest entry of one capture"""
    want = {(f["client"], f["port"], f["name"]): f for f in entry["files"]}
    seen = collections.Counter()
    cmds = collections.Counter()
    bad = []
    for line in lines:
        r = json.loads(line)
        t = r.get("type")
        if t == "smb" and r.get("command") in ("READ_ANDX", "WRITE_ANDX"):
            cmds[r["command"]] += 1
            if r.get("status") != "STATUS_SUCCESS":
                bad.append(f"{r['command']} mid {r.get('mid')} status {r.get('status')}")
        elif t == "anomaly":
            bad.append(f"anomaly record: {line.strip()[:300]}")
        elif t == "file":
            c = r.get("conn", {}).get("client", {})
            key = (c.get("ip"), c.get("port"), r.get("name"))
            seen[key] += 1
            f = want.get(key)
            if f is None:
                bad.append(f"file record not in the manifest: {show(key)}")
                continue
            for field, exp in (("sha256", f["sha256"]), ("size", f["size"]), ("complete", True)):
                if r.get(field) != exp:
                    bad.append(f"{show(key)}: {field} {r.get(field)!r}, expected {exp!r}")
    for key in want:
        if seen[key] != 1:
            bad.append(f"{show(key)}: {seen[key]} file records, expected 1")
    for cmd, n in (("READ_ANDX", entry["read_andx"]), ("WRITE_ANDX", entry["write_andx"])):
        if n is not None and cmds[cmd] != n:
            bad.append(f"{cmd}: {cmds[cmd]} smb records, expected {n}")
    return bad


def extract_problems(entry, root):
    """every manifest file not extracted whole and right under root"""
    bad = []
    partial = os.path.join(root, "partial")
    if os.path.isdir(partial) and os.listdir(partial):
        bad.append(f"{len(os.listdir(partial))} entries in {partial}")
    for f in entry["files"]:
        path = os.path.join(root, "sha256", f["sha256"][:2], f["sha256"])
        try:
            h, n = hashlib.sha256(), 0
            with open(path, "rb") as fh:
                while block := fh.read(1 << 20):
                    h.update(block)
                    n += len(block)
        except OSError as e:
            bad.append(f"{f['name']}: not extracted: {e}")
            continue
        if (n, h.hexdigest()) != (f["size"], f["sha256"]):
            bad.append(f"{f['name']}: extracted {n} bytes with sha256 {h.hexdigest()}")
    return bad


def main():
    args = sys.argv[1:]
    xdir = None
    if len(args) == 5 and args[3] == "--extract":
        xdir = args.pop(4)
        args.pop(3)
    if len(args) != 3:
        sys.exit(__doc__.strip().splitlines()[-2])
    manifest, cap, out = args
    with open(manifest) as f:
        entry = json.load(f)["captures"][cap]
    with open(out) as f:
        bad = problems(entry, f)
    if xdir:
        bad += extract_problems(entry, xdir)
    for b in bad[:20]:
        print(f"manifest {cap}: MISMATCH {b}")
    if bad:
        print(f"manifest {cap}: FAIL, {len(bad)} problems")
        return 1
    counts = ", ".join(f"{entry[k]} {k.upper()}" if entry[k] is not None else f"{k.upper()} not counted (unknown)"
                       for k in ("read_andx", "write_andx"))
    print(f"manifest {cap}: ok, {len(entry['files'])} files with the expected sha256, complete"
          f"{', extracted whole' if xdir else ''}; {counts}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
