#!/usr/bin/env python3
"""Notices on real captures: every samples/*.pcap and every public capture
(../shared/pcaps/public) through smbscope --format json; the notices each one
raises (name: count) must be exactly the reviewed table in expected.tsv, where
a capture not listed may raise only smb1_in_use (ordinary traffic raises no
attack notice). Also: every notice's evidence names records of the same run
(its conn uid, ts and command or operation), a notice comes right after the
record it rests on, and --no-notices writes none."""
import collections
import json
import pathlib
import subprocess
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "tools"))
import ci_env  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[2]
HERE = pathlib.Path(__file__).resolve().parent
ORDINARY = {"smb1_in_use"}


def run(binary, pcap, *args):
    p = subprocess.run([binary, "-r", str(pcap), "--format", "json", *args], capture_output=True, timeout=300)
    if p.returncode not in (0, 1):
        raise RuntimeError(f"{pcap}: exit {p.returncode}: {p.stderr.decode(errors='replace')}")
    return [json.loads(x) for x in p.stdout.splitlines()]


def load_expected():
    want = {}
    for line in (HERE / "expected.tsv").read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, notices = line.split("\t")
        want[name] = {} if notices == "-" else {k: int(v) for k, v in (x.split(":") for x in notices.split())}
    return want


def ref_of(r):
    """the evidence reference of a record, as fields.def documents it"""
    if r["type"] == "dcerpc":
        op = r.get("operation") or (f"opnum{r['opnum']}" if r.get("opnum") is not None else "?")
        return f"dcerpc|{r['conn']['uid']}|{r['ts']}|{r.get('interface') or '?'}.{op}|{r['call_id']}"
    return f"smb|{r['conn']['uid']}|{r['ts']}|{r['command']}|{r['mid']}"


def check(binary, pcap, label, want, problems):
    recs = run(binary, pcap)
    got = collections.Counter(r["name"] for r in recs if r["type"] == "notice")
    if label in want:
        if dict(got) != want[label]:
            problems.append(f"{label}: notices {dict(sorted(got.items()))}, expected {want[label]}")
    elif set(got) - ORDINARY:
        problems.append(f"{label}: ordinary traffic raised {dict(sorted(got.items()))}")
    refs = {ref_of(r) for r in recs if r["type"] in ("smb", "dcerpc")}
    for i, r in enumerate(recs):
        if r["type"] != "notice":
            continue
        for e in r["evidence"]:
            if e not in refs:
                problems.append(f"{label}: {r['name']} evidence {e} names no record of the run")
        # in place: the record that completed the rule is the one just before (or another notice of it)
        j = i - 1
        while j >= 0 and recs[j]["type"] == "notice":
            j -= 1
        if j < 0 or ref_of(recs[j]) != r["evidence"][-1]:
            problems.append(f"{label}: {r['name']} is not written right after the record it rests on")
    if got and any(r["type"] == "notice" for r in run(binary, pcap, "--no-notices")):
        problems.append(f"{label}: --no-notices still writes notices")
    return sum(got.values())


def main():
    binary = sys.argv[1]
    shared = pathlib.Path(sys.argv[2]) if len(sys.argv) > 2 else ROOT.parent / "shared"
    want = load_expected()
    inputs = [(p, p.name) for p in sorted((ROOT / "samples").glob("*.pcap"))]
    public = shared / "pcaps" / "public"
    if public.is_dir():
        inputs += [(p, str(p.relative_to(public))) for p in sorted(public.rglob("*"))
                   if p.suffix in (".pcap", ".pcapng", ".cap")]
    elif ci_env.in_ci():
        return ci_env.missing(f"{public} (the public captures the expected notices name)")
    else:
        print(f"note: {public} not found: samples only")
    labels = {label for _, label in inputs}
    problems, n = [], 0
    for name in want:
        if name not in labels and (public.is_dir() or "/" not in name):
            problems.append(f"{name}: listed in expected.tsv but not found")
    for pcap, label in inputs:
        n += check(binary, pcap, label, want, problems)
    for p in problems[:40]:
        print("FAIL:", p)
    print(f"{len(inputs)} captures, {n} notices checked, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
