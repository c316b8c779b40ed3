#!/usr/bin/env python3
"""Interop suite over ../shared/pcaps/public (when absent: a skip, but a failure
under CI=true): every capture runs in both formats within a timeout, without a
crash or sanitizer report, with schema-valid JSON. On every capture the `smb`
records account for every SMB1 message stats.smb1_commands counts, command by
command: a record is its request (unless `partial`), its response (when it has
a status) and an interim response (`interim_response`), each AndX link its own
record -- so records of a command cannot go missing while the stats still count
them. For the real SMB1-over-TCP captures (not tagged SYN, FUZZ, NEG or
mid-session in INDEX.md) those per-command counts equal tshark's (INDEX.md's
"SMB1 commands (TCP)" column, from the *.tshark.tsv files), but where
tshark_misses.tsv lists a hand-checked difference."""
import collections
import pathlib
import re
import subprocess
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "tools"))
import ci_env  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[2]


def parse_index(index):
    rows = []
    for line in index.read_text().splitlines():
        if not line.startswith("| ") or line.startswith("| path") or line.startswith("|---"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 11:
            continue
        rows.append({"path": cells[0], "cmds": cells[6], "tags": cells[10]})
    return rows


def expected_counts(cell):
    if cell in ("-", ""):
        return {}
    out = {}
    for part in cell.split():
        code, n = part.split(":")
        out[code.lower()] = int(n)
    return out


def load_misses(path):
    """(capture, code) -> (smbscope count, tshark count) for the hand-checked differences."""
    out = {}
    for line in path.read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        cap, code, ours, theirs, _why = line.split("\t", 4)
        out[(cap, code.lower())] = (int(ours), int(theirs))
    return out


def record_counts(recs):
    """per command code ("0x25"), the SMB1 messages the smb records stand for"""
    out = collections.Counter()
    for r in recs:
        if r.get("type") != "smb":
            continue
        n = (0 if r.get("partial") else 1) + (r.get("status_code") is not None) + bool(r.get("interim_response"))
        out[f"0x{r['code']:02x}"] += n
    return out


def count_diff(a, b):
    keys = sorted(set(a) | set(b))
    return " ".join(f"{k}:{a.get(k, 0)}/{b.get(k, 0)}" for k in keys if a.get(k, 0) != b.get(k, 0))


def comparable(row):
    tags = row["tags"]
    if re.search(r"\bSYN\b|\bFUZZ\b|mid-session|mid-stream|\bNEG\b", tags):
        return False
    return bool(expected_counts(row["cmds"]))


def main():
    binary = sys.argv[1]
    shared = pathlib.Path(sys.argv[2]) if len(sys.argv) > 2 else ROOT.parent / "shared"
    public = shared / "pcaps" / "public"
    index = public / "INDEX.md"
    if not index.exists():
        return ci_env.missing(f"{index} not present (the public captures, ../shared beside the checkout)")
    validator = ci_env.jsonschema_validator()
    if validator is None:
        return ci_env.missing("python jsonschema module (python3-jsonschema)")
    import schema_check
    rows = parse_index(index)
    misses = load_misses(pathlib.Path(__file__).with_name("tshark_misses.tsv"))
    passed = failed = 0
    for row in rows:
        pcap = public / row["path"]
        problems = []
        stats, recs = None, []
        for fmt in ("text", "json"):
            try:
                p = subprocess.run([binary, "-r", str(pcap), "--format", fmt], capture_output=True, timeout=120)
            except subprocess.TimeoutExpired:
                problems.append(f"{fmt}: timed out")
                continue
            err = p.stderr.decode(errors="replace")
            if p.returncode not in (0, 1) or "Sanitizer" in err or "runtime error" in err:
                problems.append(f"{fmt}: exit {p.returncode}: {err[-2000:]}")
                continue
            if p.returncode == 1 and not err.strip():
                problems.append(f"{fmt}: exit 1 without saying why on stderr")
            if fmt == "json":
                probs, recs = schema_check.check_lines(validator, p.stdout.decode(), row["path"])
                problems += probs[:10]
                stats = next((r for r in recs if r.get("type") == "stats"), None)
        by_records = record_counts(recs)
        if stats is not None:
            got = {k.lower(): v for k, v in stats.get("smb1_commands", {}).items()}
            if dict(by_records) != got:
                problems.append(f"smb records (messages they stand for) vs stats.smb1_commands differ: "
                                f"{count_diff(by_records, got)}")
        if comparable(row) and stats is not None:
            want = expected_counts(row["cmds"])
            for (cap, code), (ours, theirs) in misses.items():
                if cap == row["path"]:
                    if want.get(code, 0) != theirs:
                        problems.append(f"tshark_misses.tsv is stale for {code}: INDEX says {want.get(code, 0)}")
                    want[code] = ours
            got = {k.lower(): v for k, v in stats.get("smb1_commands", {}).items()}
            if want != got:
                problems.append(f"stats.smb1_commands (smbscope/tshark) differ: {count_diff(got, want)}")
            if dict(by_records) != want:
                problems.append(f"per-command smb records (smbscope/tshark) differ: {count_diff(by_records, want)}")
        tag = "ok" if not problems else "FAIL"
        extra = " (counts compared with tshark)" if comparable(row) else ""
        print(f"{tag}: {row['path']}{extra}")
        for pr in problems:
            print("   ", pr)
        if problems:
            failed += 1
        else:
            passed += 1
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
