"""compare_cli: what the tshark cross-checks (tshark_compare.py, dcerpc_compare.py)
share: their command line (SMBSCOPE PCAP... or SMBSCOPE --public SHARED
[--allow FILE]), the allow-list of hand-checked differences, and judging and
printing one capture's differences against it."""
import collections
import pathlib
import shutil

import ci_env


def public_captures(shared):
    """(SHARED/pcaps/public, the captures its INDEX.md lists) or (None, [])"""
    public = pathlib.Path(shared) / "pcaps" / "public"
    index = public / "INDEX.md"
    if not index.exists():
        return None, []
    rows = []
    for line in index.read_text().splitlines():
        if line.startswith("| ") and not line.startswith(("| path", "|---")):
            rows.append(line.strip("| ").split(" |")[0].strip())
    return public, rows


def load_allow(path, header, missing_ok=False):
    """capture -> set of the differences (the cells between the capture and
    the closing `why`); `header` names the cells, capture first and why last"""
    allow = collections.defaultdict(set)
    if missing_ok and not path.exists():
        return allow
    ncells = len(header.split())
    for n, line in enumerate(path.read_text().splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        if len(cells) != ncells or not cells[-1].strip():
            raise SystemExit(f"{path}:{n}: want {ncells} tab-separated cells ({header})")
        allow[cells[0]].add(tuple(cells[1:-1]))
    return allow


def parse_args(argv, doc, default_allow, header, missing_ok=False):
    """(binary, [(name, pcap)], allow) to compare, or an exit status: usage,
    a missing prerequisite (ci_env.missing), or an allow-list naming a capture
    INDEX.md does not list (stale)"""
    if not argv:
        print(doc)
        return 2
    binary, rest = argv[0], argv[1:]
    allow, todo = {}, [(p, p) for p in rest]
    if rest[:1] == ["--public"]:
        if len(rest) < 2:
            print(doc)
            return 2
        public, rows = public_captures(rest[1])
        if public is None:
            return ci_env.missing(f"{rest[1]}/pcaps/public/INDEX.md not present (the public captures)")
        allow_path = pathlib.Path(rest[3]) if rest[2:3] == ["--allow"] and len(rest) > 3 else default_allow
        allow = load_allow(allow_path, header, missing_ok)
        todo = [(r, str(public / r)) for r in rows]
        for cap in sorted(set(allow) - set(rows)):
            print(f"FAIL: {allow_path.name} names {cap}, which INDEX.md does not list (stale)")
            return 1
    if not shutil.which("tshark"):
        return ci_env.missing("tshark not installed (Debian package tshark)")
    return binary, todo, allow


def problems(run, diffs, allowed, columns):
    """what fails one capture: a bad exit or output (run: summary.Run), a
    difference the allow-list does not name, an allow-list entry that
    matches no difference (stale)"""
    out = [] if run.rc in (0, 1) else [f"smbscope exit status {run.rc}"]
    out += run.problems
    out += ["differs: " + "\t".join(d) + f"   ({columns})" for d in diffs if d not in allowed]
    out += ["allow-list entry matches no difference (stale): " + "\t".join(d) for d in sorted(allowed - set(diffs))]
    return out


def report(name, probs, note=""):
    """print ok/FAIL for one capture and its problems; True when it passed"""
    print(("ok: " if not probs else "FAIL: ") + name + note)
    for p in probs:
        print("    " + p)
    return not probs
