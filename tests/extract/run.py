#!/usr/bin/env python3
"""run.py SMBSCOPE: end-to-end checks of --extract DIR (see src/files/extract.h).

* every samples/*.pcap: every `file` record with a sha256 names
  sha256/<xx>/<sha256>, whose bytes hash (hashlib) to it, and whose .json holds
  the record's own line; every SHA-256 the client saw (*.facts: read.sha256,
  write.sha256) is there; every other extracted file is a partial with a
  sidecar; the output is schema-valid; nothing else is under DIR, nothing is left in DIR/.tmp; the output
  equals the output without --extract once `extracted` and stats.extract are
  taken out (extraction never changes the analysis).
* bigread-445 with one TCP segment dropped inside the 3 MiB read: big.bin is a
  partial file whose sidecar's missing_ranges is exactly the dropped bytes
  (found from the pcap by pcaprw, not by smbscope), whose seen bytes equal the
  real content (random.Random(1).randbytes(3145728), samples/README.md) and
  whose hole reads as nothing but a hole.
* SIGKILL: seed-445 then bigread-445 fed slowly through a pipe (-r -), killed
  while big.bin is half written: hello.txt (finished before) is complete under
  sha256/, and nothing else is under sha256/ or partial/.
"""
import hashlib
import json
import os
import pathlib
import random
import signal
import subprocess
import sys
import tempfile
import time

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT / "tests" / "rewrite"))
sys.path.insert(0, str(ROOT / "tests" / "tools"))
import pcaprw as rw  # noqa: E402
import summary  # noqa: E402
from report import failures, report  # noqa: E402


def run(binary, pcap, xdir=None):
    args = [binary, "-r", str(pcap), "--format", "json"]
    if xdir is not None:
        args += ["--extract", str(xdir)]
    p = subprocess.run(args, capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def files_under(d):
    return sorted(str(p.relative_to(d)) for p in d.rglob("*") if p.is_file())


def sha(b):
    return hashlib.sha256(b).hexdigest()


def strip_extract(line):
    o = json.loads(line)
    o.pop("extracted", None)
    o.pop("extract_error", None)
    if o.get("type") == "stats":
        o.pop("extract", None)
    return o


def check_sample(binary, pcap, tmp):
    p = []
    xdir = tmp / pcap.stem
    rc, out, err = run(binary, pcap, xdir)
    rc0, out0, _ = run(binary, pcap)
    if rc != 0 or rc0 != 0:
        return [f"exit status {rc} / {rc0}: {err.strip()[:300]}"]
    lines = out.splitlines()
    p += summary.parse_ndjson(out, pcap.name)[0][:5]     # schema-valid with the new fields
    if [strip_extract(x) for x in lines] != [json.loads(x) for x in out0.splitlines()]:
        p.append("the records differ from a run without --extract (beyond `extracted`)")
    expected = set()
    for line in lines:
        r = json.loads(line)
        if r["type"] != "file":
            continue
        x = r.get("extracted", "absent")
        if r.get("kind") in ("pipe", "directory"):
            # a conversation or a listing, not content: never extracted
            if x != "absent" or "extract_error" in r:
                p.append(f"{r['name']}: a {r['kind']} has extraction fields")
            continue
        if r.get("sha256"):
            h = r["sha256"]
            want = f"sha256/{h[:2]}/{h}"
            if x != want:
                p.append(f"{r['name']}: extracted {x!r}, want {want!r}")
                continue
            content = (xdir / want).read_bytes()
            if sha(content) != h:
                p.append(f"{want}: content hashes to {sha(content)}")
            side = (xdir / (want + ".json")).read_text().splitlines()
            if line not in side:
                p.append(f"{want}.json lacks the record line of {r['name']} fid {r['fid']}")
            expected |= {want, want + ".json"}
        elif x is not None:
            if not (isinstance(x, str) and x.startswith("partial/")):
                p.append(f"{r['name']}: no sha256 but extracted {x!r}")
                continue
            sc = json.loads((xdir / (x + ".json")).read_text())
            if sc["record"] != r:
                p.append(f"{x}.json: its record is not the emitted one")
            if not (xdir / x).is_file():
                p.append(f"{x} missing")
            expected |= {x, x + ".json"}
    for k, v in summary.read_facts(pcap.with_suffix(".facts")).items():
        if k.endswith(".sha256"):
            f = xdir / "sha256" / v[:2] / v
            if not f.is_file() or sha(f.read_bytes()) != v:
                p.append(f"{k}={v}: not extracted with that content")
    got = set(files_under(xdir))
    if got != expected:
        p.append(f"files under DIR not named by a record: {sorted(got - expected)}; "
                 f"named but absent: {sorted(expected - got)}")
    return p


def check_drop(binary, tmp):
    pcap = ROOT / "samples" / "bigread-445.pcap"
    f = summary.read_facts(pcap.with_suffix(".facts"))
    size = int(f["open.file_size"])
    real = random.Random(1).randbytes(size)
    p = []
    if sha(real) != f["read.sha256"]:
        return ["random.Random(1).randbytes is not big.bin (samples/README.md)"]
    pc = rw.read_pcap(pcap)
    idx, n, off = rw.find_read_segment(pc)
    new, _ = rw.drop(pc, idx)
    dropped = tmp / "bigread-drop.pcap"
    rw.write_pcap(dropped, new)
    xdir = tmp / "drop"
    rc, out, err = run(binary, dropped, xdir)
    if rc != 0:
        return [f"exit status {rc}: {err.strip()[:300]}"]
    p += summary.parse_ndjson(out, dropped.name)[0][:5]
    recs = [json.loads(x) for x in out.splitlines()]
    big = [r for r in recs if r["type"] == "file" and r.get("name") == f["open.name"]]
    if len(big) != 1:
        return [f"{len(big)} file records for {f['open.name']}"]
    r = big[0]
    x = r.get("extracted")
    if r.get("sha256") is not None or not isinstance(x, str) or not x.startswith("partial/"):
        return [f"big.bin: sha256 {r.get('sha256')}, extracted {x!r}: want a partial"]
    sc = json.loads((xdir / (x + ".json")).read_text())
    want_missing, want_seen = [[off, off + n]], [[0, off], [off + n, size]]
    print(f"     dropped frame {idx + 1}: {n} bytes at file offset {off}")
    for k, v in (("missing_ranges", want_missing), ("seen_ranges", want_seen), ("size", size),
                 ("tail_unknown", False), ("no_hash_reason", "capture_gap"), ("extract_error", None),
                 ("overlap_conflicts", [])):
        if sc.get(k) != v:
            p.append(f"sidecar {k}: want {v!r}, got {sc.get(k)!r}")
    data = (xdir / x).read_bytes()
    if len(data) != size:
        p.append(f"partial file is {len(data)} bytes, want {size}")
    if data[:off] != real[:off] or data[off + n:] != real[off + n:]:
        p.append("seen bytes differ from big.bin")
    if data[off:off + n] != bytes(n):
        p.append("the hole does not read as a hole")
    if any(os.scandir(xdir / ".tmp")):
        p.append(".tmp not empty")
    return p


def check_sigkill(binary, tmp):
    seed = rw.read_pcap(ROOT / "samples" / "seed-445.pcap")
    big = rw.read_pcap(ROOT / "samples" / "bigread-445.pcap")
    pkts = seed.packets + big.packets          # seed-445 ends before bigread-445 begins
    whole = tmp / "seed-then-big.pcap"
    rw.write_pcap(whole, seed.like(pkts))
    blob = whole.read_bytes()
    xdir = tmp / "killed"
    out = open(tmp / "killed.json", "w")
    proc = subprocess.Popen([binary, "-r", "-", "--format", "json", "--extract", str(xdir)],
                            stdin=subprocess.PIPE, stdout=out, stderr=subprocess.PIPE)
    p, pos, big_tmp, deadline = [], 24, 0, time.time() + 60
    try:
        proc.stdin.write(blob[:24])
        while pos < len(blob) and time.time() < deadline:
            for _ in range(16):               # 16 records at a time, then look
                if pos >= len(blob):
                    break
                cap = int.from_bytes(blob[pos + 8:pos + 12], "little")
                proc.stdin.write(blob[pos:pos + 16 + cap])
                pos += 16 + cap
            proc.stdin.flush()
            time.sleep(0.005)
            tmps = [e for e in os.scandir(xdir / ".tmp")] if (xdir / ".tmp").is_dir() else []
            big_tmp = max([e.stat().st_size for e in tmps] + [0])
            if big_tmp > 1 << 20:
                break
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait()
        out.close()
    if big_tmp <= 1 << 20 or pos >= len(blob):
        return [f"never saw big.bin half written (temp file {big_tmp} bytes, fed {pos} of {len(blob)})"]
    print(f"     killed with {big_tmp} bytes of big.bin in .tmp, {pos} of {len(blob)} capture bytes fed")
    hello = "de2c799ee7e12059964cb300b4fec21f20c1da9ef7d95a73e21cad50fb98236b"
    final = [f for f in files_under(xdir) if not f.startswith(".tmp/")]
    want = [f"sha256/de/{hello}", f"sha256/de/{hello}.json"]
    if final != want:
        p.append(f"under final names: {final}, want {want}")
    elif sha((xdir / want[0]).read_bytes()) != hello:
        p.append("hello.txt content is wrong")
    return p


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    binary = sys.argv[1]
    with tempfile.TemporaryDirectory(prefix="smbscope-extract.") as t:
        tmp = pathlib.Path(t)
        pcaps = sorted((ROOT / "samples").glob("*.pcap"))
        if not pcaps:
            report("samples", ["no samples/*.pcap"])
        for pcap in pcaps:
            report(f"{pcap.name} extract", check_sample(binary, pcap, tmp))
        report("bigread-445 drop extract", check_drop(binary, tmp))
        report("sigkill mid-file", check_sigkill(binary, tmp))
    print(f"{len(failures)} failed" + (f": {' '.join(failures)}" if failures else ""))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
