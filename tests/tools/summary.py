"""Shared helpers for the end-to-end tests (facts, rewrite, live, fresh):
run smbscope on a pcap, read a .facts file, and reduce smbscope's NDJSON to
a summary that leaves out what legitimately changes between two captures of
the same exchange (timestamps, latencies, connection ids, packet counters) but
keeps each record's connection endpoints."""
import difflib
import json
import pathlib
import subprocess

import ci_env

ROOT = pathlib.Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"

# keys dropped from every record: timing
VOLATILE = {"ts", "latency_us", "duration_us"}
# what is kept of a record's `conn`: its endpoints (which side is the client
# and which the server: a swapped orientation must show) and the Community ID
# derived from them. Its `id` is dropped: ids number connections in the order
# smbscope first sees them, which a rewrite that reorders segments or a live
# capture that starts amid other traffic may change without anything being wrong.
CONN_KEEP = ("client", "server", "community_id")
# per-direction conn counters that differ when the same stream is carried by
# other segments (duplicates, overlaps, other segmentation); normalize() puts
# unique_bytes = bytes - retrans_bytes - overlap_bytes (the stream's own bytes
# seen on the wire) in their place
SEGMENT_COUNTERS = {"packets", "bytes", "retrans_bytes", "overlap_bytes"}


class Run:
    def __init__(self, rc, records, stderr, problems):
        self.rc, self.records, self.stderr, self.problems = rc, records, stderr, problems

    def of(self, rtype):
        return [r for r in self.records if r.get("type") == rtype]

    def smb(self, command=None):
        return [r for r in self.of("smb") if command is None or r.get("command") == command]

    def stats(self):
        s = self.of("stats")
        return s[-1] if s else {}


_VALIDATOR = []


def _validator():
    """the schema validator, built once per process (None without jsonschema)"""
    if not _VALIDATOR:
        _VALIDATOR.append(ci_env.jsonschema_validator())
    return _VALIDATOR[0]


def parse_ndjson(text, where, validate=True, piece=False):
    """records and problems (bad JSON, schema violations, stats not last;
    piece: a rotated file that need not end with the stats record)"""
    # jsonschema missing: fatal under CI, a loud note elsewhere (then parse only)
    validator = _validator() if validate else None
    if validator is not None:
        import schema_check
        return schema_check.check_lines(validator, text, where, piece)
    records, problems = [], []
    for i, line in enumerate(text.splitlines(), 1):
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError as e:
            problems.append(f"{where}:{i}: not JSON: {e}")
    return problems, records


def run_json(binary, pcap, *extra, timeout=600, validate=True):
    """smbscope -r PCAP --format json [extra]; never raises on a bad exit
    (nor on a line that is not JSON: that is one of the Run's problems);
    validate=False parses without the schema check"""
    try:
        p = subprocess.run([str(binary), "-r", str(pcap), "--format", "json", *extra],
                           capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return Run(None, [], f"timeout after {timeout} s", [f"{pcap}: timeout"])
    problems, records = parse_ndjson(p.stdout.decode(errors="replace"), pathlib.Path(pcap).name, validate)
    return Run(p.returncode, records, p.stderr.decode(errors="replace"), problems)


def read_facts(path):
    facts = {}
    for line in pathlib.Path(path).read_text().splitlines():
        if "=" in line:
            k, v = line.split("=", 1)
            facts.setdefault(k.strip(), v)
    return facts


def _strip(rec, drop=VOLATILE):
    out = {k: v for k, v in rec.items() if k not in drop}
    if isinstance(out.get("conn"), dict):
        out["conn"] = {k: v for k, v in out["conn"].items() if k in CONN_KEEP}
    return out


def normalize(records, keep=("nbss", "smb", "file", "session", "conn", "anomaly", "stats"),
              drop_counters=SEGMENT_COUNTERS):
    """A comparable summary: records of the kept types in output order without
    volatile keys; conn records without the segment counters; stats without
    its packet/byte totals and capture counters."""
    out = []
    for r in records:
        t = r.get("type")
        if t not in keep:
            continue
        r = _strip(r)
        if t == "conn":
            for d in ("to_server", "to_client"):
                c = r.get(d)
                if isinstance(c, dict):
                    r[d] = {k: v for k, v in c.items() if k not in drop_counters}
                    r[d]["unique_bytes"] = c.get("bytes", 0) - c.get("retrans_bytes", 0) - c.get("overlap_bytes", 0)
        elif t == "stats":
            r = {k: r.get(k) for k in ("flows", "anomalies", "smb1_commands")}
        out.append(r)
    return out


def diff(a, b, la="original", lb="rewritten", limit=12):
    """human-readable differences (a unified diff of the records as sorted-key
    JSON lines) between two normalized summaries; [] when equal"""
    if a == b:
        return []
    ja = [json.dumps(r, sort_keys=True) for r in a]
    jb = [json.dumps(r, sort_keys=True) for r in b]
    lines = [f"{la}: {len(a)} records, {lb}: {len(b)} records"]
    for line in difflib.unified_diff(ja, jb, la, lb, lineterm="", n=0):
        if not line.startswith(("---", "+++")):
            lines.append(line[:400])
        if len(lines) > limit:
            lines.append("...")
            break
    return lines
