#!/usr/bin/env python3
"""run.py SMBSCOPE [DIR]: smbscope on rewritten copies of samples/*.pcap (or DIR/*.pcap).

* reorder, duplicate, overlap, tiny (every sample): the TCP byte streams are
  unchanged (checked with pcaprw's own reassembly), so smbscope must report the
  same records as for the original, compared as summary.normalize() summaries
  (no timestamps, latencies, conn packet/retrans/overlap counters); duplicate
  and overlap must show up as retrans_bytes + overlap_bytes > 0.
* drop (bigread-445): one full-size segment inside the 20th READ_ANDX response's
  data removed: big.bin's file record has bytes_read = size - dropped, one hole
  of exactly the dropped bytes at their file offset, complete false, sha256 null;
  to_client gap_bytes = dropped; the same smb records (command, status, mid,
  offset, length) as the original.
* cutstart: seed-445 from its SESSION_SETUP_ANDX request on, bigread-445 from
  the middle of its 10th READ_ANDX response: midstream true, and every request
  sent after the cut is reported as in the original.
* snaplen 200 (bigread-445): exit 0, gaps reported in to_client, the READ_ANDX
  records still there with their offsets and lengths, big.bin not complete."""
import pathlib
import sys
import tempfile

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tools"))
sys.path.insert(0, str(HERE))
import pcaprw as rw  # noqa: E402
import summary  # noqa: E402
from report import failures, report  # noqa: E402

OPS = {"reorder": rw.reorder, "duplicate": rw.duplicate, "overlap": rw.overlap, "tiny": rw.tiny}


def basic(run):
    """exit status and schema problems"""
    return ([] if run.rc == 0 else [f"exit status {run.rc}: {run.stderr.strip()[:300]}"]) + run.problems[:5]


def smb_keys(run):
    return [(r.get("command"), r.get("status"), r.get("mid"), r.get("offset"), r.get("length")) for r in run.smb()]


def conn_sum(run, direction, key):
    return sum((r.get(direction) or {}).get(key, 0) for r in run.of("conn"))


def resent(pc, new, orig, run):
    """retrans_bytes grew by the payload bytes the rewrite added, overlap_bytes not at all"""
    p = []
    for d, to_server in (("to_server", True), ("to_client", False)):
        added = payload_bytes(new, to_server) - payload_bytes(pc, to_server)
        got = conn_sum(run, d, "retrans_bytes") - conn_sum(orig, d, "retrans_bytes")
        if got != added:
            p.append(f"{d} retrans_bytes grew by {got}, want {added} (the payload bytes sent again)")
        if conn_sum(run, d, "overlap_bytes") != conn_sum(orig, d, "overlap_bytes"):
            p.append(f"{d} overlap_bytes: {conn_sum(orig, d, 'overlap_bytes')} -> "
                     f"{conn_sum(run, d, 'overlap_bytes')}, but every byte sent again was the same")
    return p


def payload_bytes(pc, to_server):
    """payload bytes sent to the SMB port (or from it), every connection of the capture (brute-445 has 12)"""
    port = 3 if to_server else 1
    return sum(s.end - s.pay for s in rw.segments(pc) if s is not None and s.key[port] in (445, 139))


def same_streams(a, b):
    return {k: v[0] for k, v in rw.streams(a).items()} == {k: v[0] for k, v in rw.streams(b).items()}


def rewritten(binary, tmp, pc, name, new):
    path = tmp / f"{name}.pcap"
    rw.write_pcap(path, new)
    return summary.run_json(binary, path)


def check_drop(binary, tmp, pc, orig, facts):
    size = int(facts["open.file_size"])
    idx, n, off = rw.find_read_segment(pc)
    run = rewritten(binary, tmp, pc, "bigread-445.drop", rw.drop(pc, idx)[0])
    fr = [r for r in run.of("file") if r.get("name") == facts["open.name"]]
    p = basic(run)
    print(f"     drop: frame {idx + 1}, {n} payload bytes, file offset {off}")
    if len(fr) != 1:
        p.append(f"{len(fr)} file records for {facts['open.name']}")
    for f in fr:
        want = {"bytes_read": size - n, "read_ranges": [[0, off], [off + n, size]],
                "complete": False, "sha256": None}
        p += [f"file.{k}: want {v!r}, got {f.get(k)!r}" for k, v in want.items() if f.get(k) != v]
    gap = conn_sum(run, "to_client", "gap_bytes")
    if gap != n:
        p.append(f"to_client gap_bytes: want {n}, got {gap}")
    if smb_keys(run) != smb_keys(orig):
        p.append(f"smb records differ: {len(smb_keys(orig))} originally, {len(smb_keys(run))} now; "
                 f"first difference at {next((i for i, (a, b) in enumerate(zip(smb_keys(orig), smb_keys(run))) if a != b), '-')}")
    report("bigread-445 drop", p)


def check_cutstart(binary, tmp, pc, orig, name, cut_at):
    """cut_at(pc) -> first frame index kept"""
    n = cut_at(pc)
    cli, _ = rw.client_server(pc)
    buf, pieces = rw.streams(pc)[cli]
    first = min(off for i, off, _ in pieces if i >= n)         # first client byte after the cut
    later = sum(1 for m in rw.messages(buf) if not m.reply and m.start >= first)
    run = rewritten(binary, tmp, pc, f"{name}.cutstart", rw.cutstart(pc, n)[0])
    p = basic(run)
    mid = [r.get("midstream") for r in run.of("conn")]
    if mid != [True]:
        p.append(f"conn midstream: want [True], got {mid}")
    want, got = summary.normalize(orig.smb())[-later:], summary.normalize(run.smb())[-later:]
    for w, g in zip(want, got):     # names set up before the cut may be unknown (null)
        for k in ("file", "path"):
            if k in g and g[k] is None:
                w.pop(k, None), g.pop(k)
        for k in ("user", "share"):  # context resolved from a logon/tree connect that was cut off
            if k not in g:
                w.pop(k, None)
    if later == 0 or got != want:
        p.append(f"the {later} requests after the cut are not reported as in the original:")
        p += summary.diff(want, got, "original", "cut")
    print(f"     cutstart {n}: {later} requests after the cut")
    report(f"{name} cutstart", p)


def check_snaplen(binary, tmp, pc, orig, facts, n=200):
    run = rewritten(binary, tmp, pc, "bigread-445.snaplen", rw.snaplen(pc, n)[0])
    p = basic(run)
    if not conn_sum(run, "to_client", "gaps") or not conn_sum(run, "to_client", "gap_bytes"):
        p.append("no gap reported in to_client")
    reads = lambda r: [(x.get("offset"), x.get("length"), x.get("status")) for x in r.smb("READ_ANDX")]  # noqa: E731
    if reads(run) != reads(orig):
        p.append(f"READ_ANDX records: {len(reads(orig))} originally, {len(reads(run))} now, "
                 f"first: {reads(orig)[:1]} vs {reads(run)[:1]}")
    for f in [r for r in run.of("file") if r.get("name") == facts["open.name"]]:
        if f.get("complete") or f.get("sha256"):
            p.append(f"file with missing data: complete {f.get('complete')}, sha256 {f.get('sha256')}")
    report(f"bigread-445 snaplen {n}", p)


def session_setup_frame(pc):
    cli, _ = rw.client_server(pc)
    buf, pieces = rw.streams(pc)[cli]
    start = next(m.start for m in rw.messages(buf) if m.cmd == 0x73 and not m.reply)
    return next(i for i, off, ln in pieces if off <= start < off + ln)


def mid_read_frame(pc, nth=10, seg=5):
    _, srv = rw.client_server(pc)
    buf, pieces = rw.streams(pc)[srv]
    start = [m.start for m in rw.messages(buf) if m.cmd == 0x2E and m.reply][nth - 1]
    return sorted((off, i) for i, off, _ in pieces if off >= start)[seg][1]


def main():
    if len(sys.argv) not in (2, 3):
        print(__doc__)
        return 2
    binary = sys.argv[1]
    # an optional directory of other captures made the same way (tests/fresh/run.sh)
    where = pathlib.Path(sys.argv[2]) if len(sys.argv) == 3 else summary.SAMPLES
    pcaps = sorted(where.glob("*.pcap"))
    if not pcaps:
        print("FAIL: no samples")
        return 1
    with tempfile.TemporaryDirectory(prefix="smbscope-rewrite-") as d:
        tmp = pathlib.Path(d)
        for pcap in pcaps:
            pc = rw.read_pcap(pcap)
            orig = summary.run_json(binary, pcap)
            if basic(orig):
                report(f"{pcap.stem} original", basic(orig))
                continue
            base = summary.normalize(orig.records)
            for op, fn in OPS.items():
                new, note = fn(pc)
                p = [] if same_streams(pc, new) else ["pcaprw bug: the TCP streams changed"]
                run = rewritten(binary, tmp, pc, f"{pcap.stem}.{op}", new)
                p += basic(run) + summary.diff(base, summary.normalize(run.records))
                if op in ("duplicate", "overlap"):    # every byte sent again is the same byte
                    p += resent(pc, new, orig, run)
                print(f"     {pcap.stem} {op}: {note}")
                report(f"{pcap.stem} {op}", p)
                (tmp / f"{pcap.stem}.{op}.pcap").unlink()
            if pcap.stem == "bigread-445":
                facts = summary.read_facts(pcap.with_suffix(".facts"))
                check_drop(binary, tmp, pc, orig, facts)
                check_cutstart(binary, tmp, pc, orig, pcap.stem, mid_read_frame)
                check_snaplen(binary, tmp, pc, orig, facts)
            if pcap.stem == "seed-445":
                check_cutstart(binary, tmp, pc, orig, pcap.stem, session_setup_frame)
    print(f"{'FAIL: ' + ', '.join(failures) if failures else 'all rewrites ok'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
