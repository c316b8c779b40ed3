#!/usr/bin/env python3
"""offline.py SMBSCOPE SHARED: the sensor options that need no network.

- --rotate-size on bigread-445 (JSON and text): several files, each valid on
  its own (JSON: schema-valid lines; text: every connection line preceded in
  its own file by that connection's header), together byte for byte the
  unrotated output (text: once the repeated headers are taken out);
- --rotate 1 on pipe-445 (2 s of capture time): files started at capture-time
  second boundaries, named by them (UTC), together the whole;
- --stats-interval 1 on pipe-445: interval stats records, each `since` the
  previous one, counters that add up to no more than the run's;
- --shard k/3, k = 0..2, on every sample and public capture: the union of
  the three runs' records (stats aside, conn.id aside: ids number one run's
  connections) is exactly the unsharded run's, each record in one shard only,
  and each connection in the shard the documented hash gives (recomputed
  here, so another implementation can agree);
- SIGHUP while reading a capture from a pipe into `-o` (written by the JSON
  output thread): the file moved away holds every line written before the
  reopen (the thread's queue is written out first), the new one the rest,
  together byte for byte the output of the whole capture;
- usage errors (exit 2) for the options' bad uses.
"""
import collections
import datetime
import glob
import json
import os
import pathlib
import re
import struct
import subprocess
import sys
import tempfile
import ipaddress
import signal
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "tools"))
import summary  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"
fails = []


def run(binary, *args, check=True):
    p = subprocess.run([binary, *map(str, args)], capture_output=True, timeout=600)
    if check and p.returncode != 0:
        fails.append(f"{' '.join(map(str, args))}: exit {p.returncode}: {p.stderr.decode(errors='replace')[:300]}")
    return p


def numbered(files):
    """out, out.1, out.2 ... in the order they were written"""
    def key(p):
        m = re.search(r"\.(\d+)$", p.name)
        return (p.name[:m.start()] if m else p.name, int(m.group(1)) if m else 0)
    return sorted(files, key=key)


def check_json_files(files, whole, what):
    for f in files:
        problems, recs = summary.parse_ndjson(f.read_text(), str(f), piece=f != files[-1])
        fails.extend(f"{what}: {p}" for p in problems)
    joined = b"".join(f.read_bytes() for f in files)
    if joined != whole:
        fails.append(f"{what}: the {len(files)} files together differ from the unrotated output "
                     f"({len(joined)} vs {len(whole)} bytes)")


HEADER = re.compile(r"^(C\d+) \d{4}-\d\d-\d\dT")


def check_text_files(files, whole, what):
    rest = []
    for f in files:
        seen = set()
        for line in f.read_text().splitlines():
            m = HEADER.match(line)
            cid = line.split(" ", 1)[0]
            if m:
                if cid in seen:
                    fails.append(f"{what}: {f.name}: header of {cid} twice")
                seen.add(cid)
                continue
            if re.match(r"^C\d+ ", line) and cid not in seen:
                fails.append(f"{what}: {f.name}: a line of {cid} before its header in this file: {line[:80]}")
    # without the repeated headers, the files are the whole transcript
    seen = set()
    for f in files:
        for line in f.read_text().splitlines(keepends=True):
            if HEADER.match(line):
                cid = line.split(" ", 1)[0]
                if cid in seen:
                    continue
                seen.add(cid)
            rest.append(line)
    if "".join(rest).encode() != whole:
        fails.append(f"{what}: the files without repeated headers differ from the unrotated transcript")


def rotate_size(binary, tmp):
    pcap = SAMPLES / "bigread-445.pcap"
    for fmt, check in (("json", check_json_files), ("text", check_text_files)):
        whole = run(binary, "-r", pcap, "--format", fmt).stdout
        d = tmp / f"size-{fmt}"
        d.mkdir()
        run(binary, "-r", pcap, "--format", fmt, "--rotate-size", 2500, "-o", d / "out")
        files = numbered(list(d.iterdir()))
        if len(files) < 3:
            fails.append(f"--rotate-size {fmt}: {len(files)} files, want several")
        for f in files[:-1]:
            if f.stat().st_size < 2500:
                fails.append(f"--rotate-size {fmt}: {f.name} rotated at {f.stat().st_size} bytes, under the limit")
        check(files, whole, f"--rotate-size {fmt}")
        print(f"ok   --rotate-size 2500 --format {fmt}: {len(files)} files")


def hup_offline(binary, tmp):
    pcap = (SAMPLES / "bigread-445.pcap").read_bytes()
    whole = run(binary, "-r", SAMPLES / "bigread-445.pcap", "--format", "json").stdout
    # the capture cut between two records, about halfway
    at, cut = 24, 24
    while at < len(pcap):
        if at <= len(pcap) // 2:
            cut = at
        at += 16 + struct.unpack_from("<I", pcap, at + 8)[0]
    d = tmp / "hup"
    d.mkdir()
    out = d / "out.json"
    p = subprocess.Popen([binary, "-r", "-", "--format", "json", "-o", out], stdin=subprocess.PIPE,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    p.stdin.write(pcap[:cut])
    p.stdin.flush()
    time.sleep(1.0)  # the first half read and analysed; the reader then waits for more
    out.rename(d / "out.json.1")
    p.send_signal(signal.SIGHUP)
    time.sleep(0.2)
    p.stdin.write(pcap[cut:])
    p.stdin.close()
    err = p.stderr.read().decode(errors="replace")
    if p.wait(timeout=120) != 0:
        fails.append(f"SIGHUP offline: exit {p.returncode}: {err[:300]}")
        return
    files = [d / "out.json.1", out]
    if not all(f.exists() and f.stat().st_size > 0 for f in files):
        fails.append(f"SIGHUP offline: want lines in both files: {[(f.name, f.exists() and f.stat().st_size) for f in files]}")
        return
    check_json_files(files, whole, "SIGHUP offline")
    print(f"ok   SIGHUP reading a pipe into -o: {len(files[0].read_bytes().splitlines())} lines before, "
          f"{len(files[1].read_bytes().splitlines())} after")


def rotate_time(binary, tmp):
    pcap = SAMPLES / "pipe-445.pcap"
    whole = run(binary, "-r", pcap, "--format", "json").stdout
    d = tmp / "time"
    d.mkdir()
    run(binary, "-r", pcap, "--format", "json", "--rotate", 1, "-o", d / "r-%Y%m%d-%H%M%S.json")
    files = sorted(d.iterdir())
    recs = [json.loads(l) for l in whole.splitlines()]
    first = min(r["ts"] for r in recs if "conn" in r)
    # the first file is named by the wall clock at startup; the others by the
    # capture-time second they start at
    stamps = [datetime.datetime.strptime(f.name, "r-%Y%m%d-%H%M%S.json") for f in files]
    capture_start = datetime.datetime.strptime(first[:19], "%Y-%m-%dT%H:%M:%S")
    later = sorted(s for s in stamps if abs((s - capture_start).total_seconds()) < 10)
    if len(files) < 3 or len(later) < 2:
        fails.append(f"--rotate 1: files {[f.name for f in files]}, want the startup one and >= 2 at capture seconds")
    # startup file first, then the capture-time ones in order
    ordered = [f for f in files if f.name not in {s.strftime("r-%Y%m%d-%H%M%S.json") for s in later}] + \
        [d / s.strftime("r-%Y%m%d-%H%M%S.json") for s in later]
    check_json_files(ordered, whole, "--rotate 1")
    # (a record's ts may precede its file's start: an smb record carries its
    # request's time and is written when the response comes)
    print(f"ok   --rotate 1 (capture time): {len(files)} files")


def stats_interval(binary):
    pcap = SAMPLES / "pipe-445.pcap"
    p = run(binary, "-r", pcap, "--format", "json", "--stats-interval", 1)
    problems, recs = summary.parse_ndjson(p.stdout.decode(), "--stats-interval")
    fails.extend(problems)
    iv = [r for r in recs if r["type"] == "stats" and r.get("interval")]
    last = [r for r in recs if r["type"] == "stats" and "interval" not in r]
    if len(iv) < 2 or len(last) != 1 or recs[-1] is not last[0]:
        fails.append(f"--stats-interval 1: {len(iv)} interval records and {len(last)} final, want >= 2 and 1 last")
        return
    first_pkt = min(r["start"] for r in recs if r["type"] == "conn")
    if iv[0]["since"] != first_pkt:
        fails.append(f"--stats-interval: first since {iv[0]['since']}, want the first packet {first_pkt}")
    for a, b in zip(iv, iv[1:]):
        if b["since"] != a["ts"]:
            fails.append(f"--stats-interval: since {b['since']} is not the previous record's ts {a['ts']}")
    for k in ("packets", "bytes", "tcp_segments", "flows"):
        total = sum(r[k] for r in iv)
        if total > last[0][k] or (k == "packets" and total == 0):
            fails.append(f"--stats-interval: {k} adds up to {total} over the intervals, run total {last[0][k]}")
    smb = sum(r["records"]["smb"] for r in iv)
    if smb > last[0]["records"]["smb"] or smb == 0:
        fails.append(f"--stats-interval: records.smb adds up to {smb}, run total {last[0]['records']['smb']}")
    print(f"ok   --stats-interval 1 (capture time): {len(iv)} interval records")


def fnv1a(h, data):
    for b in data:
        h ^= b
        h = (h * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def shard_of(conn, n):
    """the documented hash (README "Sharding"), from a record's endpoints"""
    eps = []
    ver = 4
    for side in ("client", "server"):
        ip = ipaddress.ip_address(conn[side]["ip"])
        ver = ip.version
        eps.append((ip.packed.ljust(16, b"\0"), conn[side]["port"]))
    eps.sort()
    h = fnv1a(0xCBF29CE484222325, bytes([ver]))
    for addr, port in eps:
        h = fnv1a(h, addr + struct.pack(">H", port))
    M = 0xFFFFFFFFFFFFFFFF
    h ^= h >> 30
    h = (h * 0xBF58476D1CE4E5B9) & M
    h ^= h >> 27
    h = (h * 0x94D049BB133111EB) & M
    h ^= h >> 31
    return h % n


def key(r):
    r = dict(r)
    if isinstance(r.get("conn"), dict):
        r["conn"] = {k: v for k, v in r["conn"].items() if k != "id"}
    return json.dumps(r, sort_keys=True)


# notices whose rule spans connections (smb1_in_use: once per address pair; logon_brute_force:
# per client across its connections) fire per shard: each shard sees only its flows
CROSS_FLOW_NOTICES = {"smb1_in_use", "logon_brute_force"}


def per_flow(r):
    return r["type"] != "stats" and not (r["type"] == "notice" and r.get("name") in CROSS_FLOW_NOTICES)


def shard(binary, shared):
    inputs = sorted(SAMPLES.glob("*.pcap"))
    public = shared / "pcaps" / "public"
    if public.is_dir():
        inputs += sorted(p for p in public.rglob("*") if p.suffix in (".pcap", ".pcapng", ".cap"))
    split = 0
    for pcap in inputs:
        full = run(binary, "-r", pcap, "--format", "json", check=False)
        want = collections.Counter(key(json.loads(l)) for l in full.stdout.splitlines()
                                   if per_flow(json.loads(l)))
        got = collections.Counter()
        nonempty = 0
        for k in range(3):
            p = run(binary, "-r", pcap, "--format", "json", "--shard", f"{k}/3", check=False)
            if p.returncode != full.returncode:
                fails.append(f"--shard {k}/3 {pcap.name}: exit {p.returncode}, unsharded {full.returncode}")
            recs = [json.loads(l) for l in p.stdout.splitlines()]
            part = [r for r in recs if per_flow(r)]
            nonempty += bool(part)
            for r in part:
                if "conn" in r and shard_of(r["conn"], 3) != k:
                    fails.append(f"--shard {k}/3 {pcap.name}: {r['conn']['uid']} belongs to shard "
                                 f"{shard_of(r['conn'], 3)} by the documented hash")
                    break
            got.update(key(r) for r in part)
        if got != want:
            extra, missing = got - want, want - got
            fails.append(f"--shard k/3 {pcap.name}: union differs: {sum(missing.values())} records missing, "
                         f"{sum(extra.values())} extra (e.g. {next(iter(missing or extra))[:160]})")
        split += nonempty > 1
    if split < 3:
        fails.append(f"--shard: only {split} inputs had records in more than one shard: the hash does not spread")
    print(f"ok   --shard k/3: {len(inputs)} inputs, {split} split over several shards")


def usage(binary, tmp):
    pcap = SAMPLES / "seed-445.pcap"
    for args in (["--rotate", "10"], ["--rotate-size", "100"], ["--shard", "3/3"], ["--shard", "1"],
                 ["--shard", "-1/3"], ["--shard", "0/0"], ["--snaplen", "1000"], ["--buffer-size", "100000"],
                 ["--fanout", "1"], ["--stats-interval", "0"], ["-o", tmp / "x", "--rotate", "0"]):
        p = run(binary, "-r", pcap, *args, check=False)
        if p.returncode != 2:
            fails.append(f"{' '.join(map(str, args))} with -r: exit {p.returncode}, want 2 (usage)")
    p = run(binary, "-r", pcap, "-Z", "smbscope-no-such-user", "-o", tmp / "z.txt", check=False)
    if p.returncode != 1 or b"smbscope-no-such-user" not in p.stderr:
        fails.append(f"-Z unknown user: exit {p.returncode} ({p.stderr[:100]!r}), want 1 naming the user")
    print("ok   usage errors")


def privileges(binary, tmp):
    """-Z as root: files made after the drop (rotation, extraction) are the user's"""
    if os.geteuid() != 0:
        print("note -Z not checked: not root")
        return
    import pwd
    nobody = pwd.getpwnam("nobody").pw_uid
    d = tmp / "z"
    d.mkdir()
    tmp.chmod(0o755)
    d.chmod(0o777)  # the user must be able to make files here (README: the log directory)
    pcap = SAMPLES / "bigread-445.pcap"
    run(binary, "-r", pcap, "-Z", "nobody", "--format", "json", "--rotate-size", 4000, "-o", d / "out",
        "--extract", d / "x")
    files = numbered([f for f in d.iterdir() if f.name.startswith("out")])
    owners = [f.stat().st_uid for f in files]
    if len(files) < 3 or owners[0] != 0 or any(o != nobody for o in owners[1:]):
        fails.append(f"-Z nobody --rotate-size: owners {owners}, want root's first file then nobody's")
    check_json_files(files, run(binary, "-r", pcap, "--format", "json", "--extract", d / "x2").stdout.replace(
        str(d / "x2").encode(), str(d / "x").encode()), "-Z nobody --rotate-size")
    done = list((d / "x" / "sha256").glob("*/*"))
    if len(done) != 2 or any(f.stat().st_uid != nobody for f in done):
        fails.append(f"-Z nobody --extract: {[(f.name, f.stat().st_uid) for f in done]}, want the file and its "
                     "sidecar, nobody's")
    print(f"ok   -Z nobody: {len(files)} rotated files, extraction as nobody")


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    binary, shared = os.path.abspath(sys.argv[1]), pathlib.Path(sys.argv[2])
    with tempfile.TemporaryDirectory(prefix="smbscope-sensor-") as t:
        tmp = pathlib.Path(t)
        rotate_size(binary, tmp)
        rotate_time(binary, tmp)
        hup_offline(binary, tmp)
        stats_interval(binary)
        shard(binary, shared)
        usage(binary, tmp)
        privileges(binary, tmp)
    for f in fails[:30]:
        print("FAIL", f)
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
