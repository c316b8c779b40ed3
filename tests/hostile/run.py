#!/usr/bin/env python3
"""Hostile-input tests: the generators in this folder write captures an
attacker could send (made here, at test time, deterministic), and each
bound smbscope promises is asserted on what it writes:

  floods   one connection tripping --max-pending / --max-open-files once per
           message: each anomaly name is written --max-anomalies-per-conn
           times (100) per connection, the rest counted exactly (the
           connection's anomalies_suppressed record, stats); the bytes of
           anomaly output do not grow with the flood
  offsets  READ_ANDX / WRITE_ANDX at offsets and ends past 2^63 and 2^64 and
           an EndOfFile past 2^63: an offset_out_of_range anomaly per
           command with the exact numbers, file ranges exact below 2^63-1
           and nothing at or past it, no negative number, text and JSON
           agree, every line valid against the schema
  signals  SIGTERM / SIGINT while reading a capture fed slowly through
           `-r -`: exit 1, every line complete, every connection closed with
           its records, `stats` last with interrupted: true
  full     `-o /dev/full` (and stdout on /dev/full): exit 1 at the first
           failed write, long before the input is read, and stderr says why;
           the same when the failing file is one `--rotate-size` rotated to
           (its lines lost when the next rotation closes it)

Usage: run.py SMBSCOPE WORKDIR [floods|offsets|signals|full ...]  (all by default)"""
import errno
import json
import os
import pathlib
import re
import shutil
import signal
import subprocess
import sys
import threading
import time

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tools"))
import ci_env  # noqa: E402
import gen_floods  # noqa: E402
import gen_many  # noqa: E402
import gen_offsets  # noqa: E402
import schema_check  # noqa: E402
from checker import Checker  # noqa: E402

E = (1 << 63) - 1          # FILE_OFFSET_END, and the largest integer a record carries
LIMIT = 100                # --max-anomalies-per-conn default
MAX_PENDING = MAX_FILES = 4096
MANY = (200, 4)            # gen_many: connections, rounds of 60 KiB reads (about 50 MB)


def smbscope(binary, pcap, fmt, *extra):
    p = subprocess.run([binary, "-r", str(pcap), "--format", fmt, *extra], capture_output=True, timeout=600)
    return p.returncode, p.stdout, p.stderr.decode(errors="replace")


def validate(ck, validator, text, where, smb_every=1):
    """parse every line; validate each against the schema, but only every
    smb_every-th `smb` record of a flood; stats must be last and once"""
    problems, records = schema_check.check_lines(validator, text, where, smb_every=smb_every)
    ck.ok(f"{where}: every line JSON, valid against the schema", not problems, "; ".join(problems[:5]))
    return records


def numbers(v):
    """every number in a JSON value"""
    if isinstance(v, bool):
        return
    if isinstance(v, (int, float)):
        yield v
    elif isinstance(v, dict):
        for x in v.values():
            yield from numbers(x)
    elif isinstance(v, list):
        for x in v:
            yield from numbers(x)


# ---- floods ----------------------------------------------------------------

def flood_run(ck, binary, validator, pcap, name, total, where, *extra, limit=LIMIT):
    """run JSON and text over a flood capture; assert the bound; return the
    bytes of the non-smb records (what does not come one per message)"""
    rc, out, err = smbscope(binary, pcap, "json", *extra)
    ck.eq(f"{where}: exit", (rc, err), (0, ""))
    text = out.decode()
    recs = validate(ck, validator, text, where, smb_every=97)
    lines = text.splitlines()
    written = min(total, limit)
    suppressed = total - written
    anomalies = [r for r in recs if r["type"] == "anomaly"]
    ck.eq(f"{where}: {name} records written", sum(1 for r in anomalies if r["name"] == name), written)
    sup = [(i, r) for i, r in enumerate(recs) if r["type"] == "anomalies_suppressed"]
    stats = recs[-1]
    ck.eq(f"{where}: stats.anomalies", stats["anomalies"], {name: total})
    ck.eq(f"{where}: records.anomaly", stats["records"]["anomaly"], written)
    if suppressed:
        ck.eq(f"{where}: one anomalies_suppressed record", len(sup), 1)
        if sup:
            i, s = sup[0]
            ck.eq(f"{where}: suppressed counts", (s["counts"], s["limit"]), ({name: suppressed}, limit))
            # at the connection's end: right before its conn record, the last
            ck.eq(f"{where}: suppressed record just before conn", recs[i + 1]["type"], "conn")
            ck.eq(f"{where}: suppressed record's conn", s["conn"]["id"], recs[i + 1]["conn"]["id"])
        ck.eq(f"{where}: stats.anomalies_suppressed", stats.get("anomalies_suppressed"), {name: suppressed})
        ck.eq(f"{where}: records.anomalies_suppressed", stats["records"].get("anomalies_suppressed"), 1)
    else:
        ck.eq(f"{where}: no anomalies_suppressed record", len(sup), 0)
        ck.ok(f"{where}: stats without anomalies_suppressed", "anomalies_suppressed" not in stats)
        ck.ok(f"{where}: records without anomalies_suppressed", "anomalies_suppressed" not in stats["records"])
    anomaly_bytes = sum(len(line) + 1 for line, r in zip(lines, recs) if r["type"] == "anomaly")
    ck.ok(f"{where}: anomaly bytes bounded", anomaly_bytes <= written * 512, f"{anomaly_bytes} bytes")

    rc, out, err = smbscope(binary, pcap, "text", *extra)
    ck.eq(f"{where} text: exit", (rc, err), (0, ""))
    tl = out.decode().splitlines()
    ck.eq(f"{where} text: ANOMALY lines", sum(1 for line in tl if f" ANOMALY {name} " in line), written)
    sl = [line for line in tl if " ANOMALIES_SUPPRESSED " in line]
    ck.eq(f"{where} text: ANOMALIES_SUPPRESSED line", [line.split(" ", 2)[2] for line in sl],
          [f"ANOMALIES_SUPPRESSED limit={limit} counts={{{name}={suppressed}}}"] if suppressed else [])
    return sum(len(line) + 1 for line, r in zip(lines, recs) if r["type"] != "smb" and r["type"] != "stats")


def test_floods(ck, binary, validator, work):
    sizes = {}
    for n in (10000, 20000):
        pcap = work / f"pending-{n}.pcap"
        gen_floods.pending(n).write(str(pcap))
        total = n - MAX_PENDING          # every request past the limit trips it once
        sizes[n] = flood_run(ck, binary, validator, pcap, "pending_limit", total, f"pending {n}")
    # twice the flood, the same output besides the one record per request
    # (give or take the digits of the counts in the suppressed and conn records)
    ck.ok("pending: non-smb output does not grow with the flood", abs(sizes[20000] - sizes[10000]) <= 16,
          f"{sizes[10000]} -> {sizes[20000]} bytes")
    ck.ok("pending: non-smb output bounded", sizes[20000] <= 64 * 1024, f"{sizes[20000]} bytes")
    pcap = work / "pending-10000.pcap"
    flood_run(ck, binary, validator, pcap, "pending_limit", 10000 - MAX_PENDING, "pending, limit 0",
              "--max-anomalies-per-conn", "0", limit=0)
    flood_run(ck, binary, validator, pcap, "pending_limit", 10000 - MAX_PENDING, "pending, limit 100000",
              "--max-anomalies-per-conn", "100000", limit=100000)

    n = 6000
    pcap = work / f"fids-{n}.pcap"
    gen_floods.fids(n).write(str(pcap))
    # each open past the limit, then a READ on each of those FIDs
    flood_run(ck, binary, validator, pcap, "open_files_limit", 2 * (n - MAX_FILES), f"fids {n}")

    # --summary wraps the output sink: the transcript before the summary is
    # byte for byte the one without it (anomalies_suppressed included)
    pcap = work / "pending-10000.pcap"
    for fmt in ("json", "text"):
        rc, plain, err = smbscope(binary, pcap, fmt)
        rc2, summed, err2 = smbscope(binary, pcap, fmt, "--summary")
        ck.eq(f"pending --summary {fmt}: exit", (rc, err, rc2, err2), (0, "", 0, ""))
        ck.ok(f"pending --summary {fmt}: the transcript unchanged, the summary after it",
              summed.startswith(plain) and len(summed) > len(plain), f"{len(plain)} -> {len(summed)} bytes")


# ---- 64-bit offsets --------------------------------------------------------

def merged(ranges):
    out = []
    for a, b in sorted(ranges):
        if out and a <= out[-1][1]:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return out


def end_text(off, n):
    return str(off + n) if off + n < 1 << 64 else f"2^64 + {off + n - (1 << 64)}"


def test_offsets(ck, binary, validator, work):
    pcap = work / "offsets.pcap"
    gen_offsets.build().write(str(pcap))
    rc, out, err = smbscope(binary, pcap, "json")
    ck.eq("offsets: exit", (rc, err), (0, ""))
    recs = validate(ck, validator, out.decode(), "offsets")
    ck.ok("offsets: no negative number, none past 2^63-1",
          all(0 <= x <= E for r in recs for x in numbers(r)))
    details = [r["detail"] for r in recs if r["type"] == "anomaly" and r["name"] == "offset_out_of_range"]
    want = ["NT_CREATE_ANDX mid=5: fid 0x4002: size 18446744073709551615 is past 9223372036854775807"]
    rd, wr = [], []
    for i, (kind, off, n) in enumerate(gen_offsets.CASES):
        mid = 6 + i
        cmd = "READ_ANDX" if kind == "read" else "WRITE_ANDX"
        if off > E:
            # a READ's offset is flagged with the request (its length comes later); a WRITE says both
            shown = 0 if kind == "read" else n
            want.append(f"{cmd} mid={mid}: fid 0x4001: offset {off} + {shown} bytes ends at {end_text(off, shown)},")
        elif off + n > E:
            want.append(f"{cmd} mid={mid}: fid 0x4001: offset {off} + {n} bytes ends at {end_text(off, n)},")
        if off < E:
            (rd if kind == "read" else wr).append([off, min(off + n, E)])
    ck.eq("offsets: one offset_out_of_range per command, exact", len(details), len(want))
    for d, w in zip(details, want):
        ck.ok("offsets: anomaly detail exact", d.startswith(w), f"{d!r} does not start with {w!r}")
    files = {r["name"]: r for r in recs if r["type"] == "file"}
    f = files.get("\\offsets.bin", {})
    ck.eq("offsets: read_ranges below 2^63-1 only", f.get("read_ranges"), merged(rd))
    ck.eq("offsets: write_ranges below 2^63-1 only", f.get("write_ranges"), merged(wr))
    ck.eq("offsets: bytes_read", f.get("bytes_read"), sum(b - a for a, b in rd))
    ck.eq("offsets: bytes_written", f.get("bytes_written"), sum(b - a for a, b in wr))
    ck.eq("offsets: a size past 2^63-1 is not the file's size", files.get("\\huge.bin", {}).get("size", "absent"),
          None)
    smb = {r["mid"]: r for r in recs if r["type"] == "smb" and r["command"] in ("READ_ANDX", "WRITE_ANDX")}
    for i, (kind, off, n) in enumerate(gen_offsets.CASES):
        ck.eq(f"offsets: mid {6 + i} offset (exact, or saturated and flagged)", smb.get(6 + i, {}).get("offset"),
              min(off, E))

    # the transcript says the same numbers
    rc, out, err = smbscope(binary, pcap, "text")
    ck.eq("offsets text: exit", (rc, err), (0, ""))
    text = out.decode()
    unquoted = re.sub(r'"(?:[^"\\]|\\.)*"', '""', text)   # anomaly details carry the exact wire values
    big = [int(x) for x in re.findall(r"\d+", unquoted) if int(x) > E]
    ck.eq("offsets text: no number past 2^63-1 outside details", big, [])
    for i in range(len(gen_offsets.CASES)):
        line = next((x for x in text.splitlines() if f" mid={6 + i} " in x and "_ANDX STATUS" in x), "")
        ck.ok(f"offsets text: mid {6 + i} offset as in JSON", f" offset={smb.get(6 + i, {}).get('offset')} " in line,
              line[:200])
    fl = next((x for x in text.splitlines() if " FILE " in x and " name=\\offsets.bin " in x), "")
    want_rg = "read_ranges=[" + ",".join(f"{a}-{b}" for a, b in merged(rd)) + "]"
    ck.ok("offsets text: read_ranges as in JSON", want_rg in fl, f"{want_rg} not in {fl[:300]}")
    for d in want:
        ck.ok("offsets text: anomaly detail exact", d.replace('"', '\\"') in text, d)


# ---- signals and write failures ---------------------------------------------

class Feeder(threading.Thread):
    """writes data into pipe in chunks (pause seconds apart), until done or
    the reader goes away; counts the bytes the pipe accepted"""

    def __init__(self, pipe, data, chunk, pause):
        super().__init__(daemon=True)
        self.pipe, self.data, self.chunk, self.pause = pipe, data, chunk, pause
        self.sent = 0

    def run(self):
        try:
            for i in range(0, len(self.data), self.chunk):
                self.pipe.write(self.data[i:i + self.chunk])
                self.pipe.flush()
                self.sent = i + len(self.data[i:i + self.chunk])
                if self.pause:
                    time.sleep(self.pause)
        except (BrokenPipeError, OSError):
            pass
        finally:
            try:
                self.pipe.close()
            except OSError:
                pass


def stopped_run(binary, data, fmt, sig, out_path, *extra):
    """smbscope -r - fed slowly; sig once it has read a while; returns (rc,
    stderr, bytes fed)"""
    with open(out_path, "wb") as out:
        p = subprocess.Popen([binary, "-r", "-", "--format", fmt, *extra], stdin=subprocess.PIPE, stdout=out,
                             stderr=subprocess.PIPE)
        # 64 KiB every 10 ms: the whole capture would take seconds
        feeder = Feeder(p.stdin, data, 65536, 0.01)
        feeder.start()
        while feeder.sent < len(data) // 8 and feeder.is_alive():
            time.sleep(0.01)
        p.send_signal(sig)
        err = p.stderr.read().decode(errors="replace")
        rc = p.wait(timeout=120)
        feeder.join(timeout=120)
    return rc, err, feeder.sent


def test_signals(ck, binary, validator, work):
    conns, rounds = MANY
    pcap = work / "many.pcap"
    cap = gen_many.build(conns, rounds)
    cap.write(str(pcap))
    data = pcap.read_bytes()
    total_packets = len(cap.frames)

    out = work / "sigterm.json"
    rc, err, fed = stopped_run(binary, data, "json", signal.SIGTERM, out)
    ck.eq("SIGTERM: exit 1", rc, 1)
    ck.ok("SIGTERM: stderr says so", "SIGTERM" in err and "standard input" in err, err)
    ck.ok("SIGTERM: stopped before the end of the input", fed < len(data), f"fed {fed} of {len(data)}")
    raw = out.read_bytes()
    ck.ok("SIGTERM: last line complete", raw.endswith(b"\n"), repr(raw[-80:]))
    recs = validate(ck, validator, raw.decode(errors="replace"), "SIGTERM")
    if recs:
        st = recs[-1]
        ck.eq("SIGTERM: stats last, interrupted", (st["type"], st.get("interrupted")), ("stats", True))
        ck.ok("SIGTERM: stats counts only what was read", 0 < st.get("packets", 0) < total_packets,
              f"{st.get('packets')} of {total_packets}")
        seen = {r["conn"]["id"] for r in recs if "conn" in r}
        ends = [r for r in recs if r["type"] == "conn"]
        ck.eq("SIGTERM: every connection closed once", sorted(r["conn"]["id"] for r in ends), sorted(seen))
        ck.eq("SIGTERM: all connections were open", len(ends), conns)
        ck.eq("SIGTERM: closed as at end of input", {r["state"] for r in ends}, {"end_of_input"})
        ck.eq("SIGTERM: every open file written", sum(1 for r in recs if r["type"] == "file"), conns)

    out = work / "sigint.txt"
    rc, err, fed = stopped_run(binary, data, "text", signal.SIGINT, out)
    ck.eq("SIGINT text: exit 1", rc, 1)
    ck.ok("SIGINT text: stderr says so", "SIGINT" in err, err)
    raw = out.read_bytes()
    lines = raw.decode(errors="replace").splitlines()
    ck.ok("SIGINT text: last line complete", raw.endswith(b"\n"))
    ck.ok("SIGINT text: STATS last, interrupted", bool(lines) and lines[-1].startswith("-- ") and
          " STATS " in lines[-1] and " interrupted=true " in lines[-1], lines[-1][:200] if lines else "")
    ck.eq("SIGINT text: every connection ended", sum(1 for x in lines if " END " in x and " state=end_of_input " in x), conns)

    # --summary: the interrupted stats, then the summary of what was read
    out = work / "sigterm-summary.json"
    rc, err, fed = stopped_run(binary, data, "json", signal.SIGTERM, out, "--summary")
    ck.eq("SIGTERM --summary: exit 1", rc, 1)
    raw = out.read_bytes()
    ck.ok("SIGTERM --summary: last line complete", raw.endswith(b"\n"), repr(raw[-80:]))
    lines = raw.decode(errors="replace").splitlines()
    first_sum = next((i for i, x in enumerate(lines) if '"type":"summary"' in x), len(lines))
    recs = validate(ck, validator, "\n".join(lines[:first_sum]), "SIGTERM --summary")
    if recs:
        ck.eq("SIGTERM --summary: stats interrupted", recs[-1].get("interrupted"), True)
    sums = [json.loads(x) for x in lines[first_sum:]]
    bad = [e.message for r in sums for e in (validator.iter_errors(r) if validator else [])]
    ck.ok("SIGTERM --summary: summary records after stats, valid",
          bool(sums) and all(r.get("type") == "summary" for r in sums) and not bad, "; ".join(bad[:3]))
    if sums and recs:
        ck.eq("SIGTERM --summary: the summary counts the sessions written",
              sums[0].get("sessions"), sum(1 for r in recs if r["type"] == "session"))

    # nothing interrupted: no interrupted field, exit 0
    rc, out_b, err = smbscope(binary, pcap, "json")
    ck.eq("full run: exit 0", (rc, err), (0, ""))
    ck.ok("full run: stats without interrupted", b'"interrupted"' not in out_b)


def test_write_failure(ck, binary, validator, work):
    data = (work / "many.pcap").read_bytes()
    # rotation: out, then out.1 (the full device: its lines stay buffered until
    # the next rotation closes it, and that close fails), then out.2
    rot = work / "rotated"
    shutil.rmtree(rot, ignore_errors=True)
    rot.mkdir()
    os.symlink("/dev/full", rot / "out.1")
    for where, args, stdout, name in (
            ("-o /dev/full", ["-o", "/dev/full"], subprocess.DEVNULL, "/dev/full"),
            ("standard output", [], open("/dev/full", "wb"), "standard output"),
            ("-o /dev/full --summary", ["-o", "/dev/full", "--summary"], subprocess.DEVNULL, "/dev/full"),
            ("-o /dev/full --summary-only", ["-o", "/dev/full", "--summary-only"], subprocess.DEVNULL, "/dev/full"),
            ("--rotate-size onto /dev/full", ["-o", str(rot / "out"), "--rotate-size", "1000"], subprocess.DEVNULL,
             str(rot / "out.1"))):
        p = subprocess.Popen([binary, "-r", "-", "--format", "json", *args], stdin=subprocess.PIPE,
                             stdout=stdout, stderr=subprocess.PIPE)
        feeder = Feeder(p.stdin, data, 65536, 0)   # as fast as it reads
        feeder.start()
        err = p.stderr.read().decode(errors="replace")
        rc = p.wait(timeout=120)
        feeder.join(timeout=120)
        if stdout is not subprocess.DEVNULL:
            stdout.close()
        ck.eq(f"{where}: exit 1", rc, 1)
        ck.ok(f"{where}: stderr names the output and the error", name in err and os.strerror(errno.ENOSPC) in err,
              err)
        if "--summary-only" in args:
            continue   # nothing is written before the end: the failure shows at the summary
        # the first failed write stops it: what it took is the pipe's buffer and a few records' worth
        ck.ok(f"{where}: stops reading at once", feeder.sent < len(data) // 10, f"fed {feeder.sent} of {len(data)}")


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__.splitlines()[-1])
    binary, work = sys.argv[1], pathlib.Path(sys.argv[2])
    tests = {"floods": test_floods, "offsets": test_offsets, "signals": test_signals, "full": test_write_failure}
    chosen = sys.argv[3:] or list(tests)
    if any(c not in tests for c in chosen):
        sys.exit(__doc__.splitlines()[-1])
    work.mkdir(parents=True, exist_ok=True)
    validator = ci_env.jsonschema_validator()
    ck = Checker()
    if "full" in chosen and "signals" not in chosen:
        gen_many.build(*MANY).write(str(work / "many.pcap"))
    for t in (tests[c] for c in chosen):
        t0 = time.monotonic()
        t(ck, binary, validator, work)
        print(f"{t.__name__}: {time.monotonic() - t0:.1f} s", flush=True)
    for p in ck.problems:
        print("FAIL:", p)
    print(f"{ck.passed} checks passed, {len(ck.problems)} failed")
    return 1 if ck.problems else 0


if __name__ == "__main__":
    sys.exit(main())
