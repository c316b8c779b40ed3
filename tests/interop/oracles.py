#!/usr/bin/env python3
"""oracles.py SMBSCOPE SHARED: file hashes other tools published for the public
captures (tests/interop/file_oracles.tsv: the EICAR test file's SHA-256 on the
suricata-verify EICAR captures, the sha256 values of the suricata-verify
filestore tests) against smbscope's `file` records. For each (capture, name)
the set of results over the records with that name that saw data (bytes read
or written; there must be one) -- the sha256, or
"null REASON" -- must equal the rows' set, and a record with a sha256 must be
complete. A row marked `known` (a known bug) asserts smbscope's current result
instead and says KNOWN BUG. Exit 1 on any difference; without SHARED: exit 77
(skip), but 1 under CI=true."""
import collections
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tools"))
import ci_env  # noqa: E402
import summary  # noqa: E402


def load(path):
    """capture -> name -> (expected results, known results or None, sources)"""
    out = collections.defaultdict(lambda: collections.defaultdict(lambda: [set(), set(), []]))
    for n, line in enumerate(path.read_text().splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        if len(cells) != 6 or not cells[5].strip():
            raise SystemExit(f"{path}:{n}: want 6 tab-separated cells (capture name sha256 no_hash_reason known why)")
        cap, name, sha, reason, known, _why = cells
        want = f"null {reason}" if sha == "null" else sha
        if (sha == "null") == (reason == "-"):
            raise SystemExit(f"{path}:{n}: a null sha256 needs a no_hash_reason, a sha256 none")
        entry = out[cap][name]
        entry[0].add(want)
        if known != "-":
            entry[1].add(known)
        entry[2].append(n)
    return out


def result(rec):
    return rec["sha256"] if rec.get("sha256") else f"null {rec.get('no_hash_reason')}"


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    binary, shared = sys.argv[1], pathlib.Path(sys.argv[2])
    public = shared / "pcaps" / "public"
    if not (public / "INDEX.md").exists():
        return ci_env.missing(f"{public}/INDEX.md not present (the public captures)")
    table = load(HERE / "file_oracles.tsv")
    failed = checked = 0
    for cap, names in sorted(table.items()):
        pcap = public / cap
        run = summary.run_json(binary, pcap, timeout=300, validate=False)
        files = run.of("file")
        for name, (want, known, lines) in sorted(names.items()):
            checked += 1
            # an open that moved no byte has nothing to hash (PsExec re-opens its
            # service binary for attributes only): such records are left out
            mine = [r for r in files if r.get("name") == name and (r.get("bytes_read") or r.get("bytes_written"))]
            got = {result(r) for r in mine}
            problems = list(run.problems)
            if run.rc != 0:
                problems.append(f"smbscope exit status {run.rc}: {run.stderr.strip()[:200]}")
            if not mine:
                problems.append(f"no file record named {name!r} that saw data; "
                                f"names: {sorted({r.get('name') for r in files})[:8]}")
            assert_set = known or want
            if mine and got != assert_set:
                problems.append(f"want {sorted(assert_set)}, got {sorted(got)}")
            for r in mine:
                if r.get("sha256") and not r.get("complete"):
                    problems.append(f"a record with a sha256 is not complete: {r}")
            tag = "FAIL" if problems else ("KNOWN BUG" if known else "ok")
            print(f"{tag}: {cap} {name} (file_oracles.tsv line {','.join(map(str, lines))})")
            if known and not problems:
                print(f"    the truth is {sorted(want)}; smbscope still gives {sorted(got)}")
            for pr in problems:
                print("    " + pr)
            failed += bool(problems)
    print(f"{checked - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
