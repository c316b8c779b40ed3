#!/usr/bin/env python3
"""--summary says what the records say: for every sample (and every public
capture under ../shared, when present) the summary is recomputed here from
the JSON records of the same run -- sessions (with the failures and
signatures of their UID), files, failed logons and access denials (grouped),
service response times per command (calls, min, max, avg, total over every
answered smb record, AndX links included), DCE/RPC operations (calls,
faults, non-fault failures, latency, users and pipes over the dcerpc records
of each interface and operation) and the totals -- and must be
equal. Also: the records before the summary are exactly the run without
--summary, --summary-only writes the summary alone, the text summary has one
`== ` line per summary record, and --max-summary counts what it leaves out."""
import collections
import json
import pathlib
import subprocess
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "tools"))
import schema_check  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[2]
DENIED = {"STATUS_ACCESS_DENIED", "STATUS_NETWORK_ACCESS_DENIED", "STATUS_PRIVILEGE_NOT_HELD",
          "ERRDOS/ERRnoaccess", "ERRSRV/ERRaccess"}
TAGS = {"totals": "SUMMARY", "session": "SESSION", "file": "FILE", "failure": "FAILURE", "notice": "NOTICE",
        "srt": "SRT", "dcerpc": "DCERPC"}


def run(binary, pcap, *args):
    p = subprocess.run([binary, "-r", str(pcap), *args], capture_output=True, timeout=300)
    if p.returncode not in (0, 1):
        raise RuntimeError(f"{pcap}: exit {p.returncode}: {p.stderr.decode(errors='replace')}")
    return p.stdout


def failure(r):
    """README: an error status (NT severity error, or a DOS class/code), not a logon's next round"""
    st, code = r.get("status"), r.get("status_code")
    if st is None or not code or st == "STATUS_MORE_PROCESSING_REQUIRED":
        return False
    return code >> 30 in (0, 3)


def expected(records):
    sessions, files, groups, srt, notices, rpc = [], [], {}, {}, [], {}
    open_sess = {}
    for r in records:
        t, c = r["type"], r.get("conn")
        if t == "smb":
            if r.get("latency_us") is not None:
                s = srt.setdefault(r["code"], {"command": r["command"], "lat": []})
                s["lat"].append(r["latency_us"])
            bad, sig = failure(r), r.get("signed") is True
            if bad or sig:
                o = open_sess.setdefault((c["id"], r["uid"]), {"failures": 0, "signing": False})
                o["failures"] += bad
                o["signing"] |= sig
            if bad:
                what = ("logon_failed" if r["command"] == "SESSION_SETUP_ANDX"
                        else "access_denied" if r["status"] in DENIED else None)
                if what:
                    target = r.get("file") if r.get("file") is not None else r.get("path")
                    key = (c["uid"], what, r["command"], r["status"], r.get("user"), r.get("share"), target)
                    g = groups.setdefault(key, {"count": 0, "first": r["ts"]})
                    g["count"] += 1
                    g["last"] = r["ts"]
        elif t == "session":
            o = open_sess.pop((c["id"], r["uid"]), {"failures": 0, "signing": False})
            sessions.append({
                "conn": c["uid"], "start": r["start"], "uid": r["uid"], "user": r["user"], "domain": r["domain"],
                "host": r["host"], "auth": r["auth"], "status": r["status"], "guest": r["guest"],
                "anonymous": r["auth"] in ("anonymous", "ntlmssp-anonymous"), "signing": o["signing"],
                "shares": r["shares"][:8], "failures": o["failures"]})
        elif t == "dcerpc":
            key = (r["interface"], r["operation"], r["opnum"])
            o = rpc.setdefault(key, {"calls": 0, "faults": 0, "failures": 0, "lat": [], "users": [], "pipes": [],
                                     "users_omitted": 0, "pipes_omitted": 0})
            o["calls"] += 1
            if r["fault"]:
                o["faults"] += 1
            elif r["status_code"]:
                o["failures"] += 1
            if r["latency_us"] is not None:
                o["lat"].append(r["latency_us"])
            for k, v in (("users", r.get("user")), ("pipes", r["pipe"])):
                if v is not None and v not in o[k]:
                    if len(o[k]) < 8:
                        o[k].append(v)
                    else:
                        o[k + "_omitted"] += 1
        elif t == "notice":
            notices.append({"conn": c["uid"], "name": r["name"], "severity": r["severity"], "detail": r["detail"],
                            "user": r.get("user"), "when": r["ts"]})
        elif t == "file":
            f = {"conn": c["uid"], "start": r["start"], "end": r["ts"], "name": r["name"], "share": r["share"],
                 "kind": r["kind"], "user": r["user"], "domain": r["domain"]}
            if "bytes_read" in r:
                f.update(bytes_read=r["bytes_read"], bytes_written=r["bytes_written"], sha256=r["sha256"])
                if r["sha256"] is None:
                    f["no_hash_reason"] = r.get("no_hash_reason")
            elif "bytes_in" in r:
                f.update(bytes_read=r["bytes_out"], bytes_written=r["bytes_in"])
            files.append(f)
    fails = [{"conn": k[0], "failure": k[1], "command": k[2], "status": k[3], "user": k[4], "share": k[5],
              "target": k[6], **g} for k, g in groups.items()]
    srts = [{"code": code, "command": s["command"], "calls": len(s["lat"]), "min_us": min(s["lat"]),
             "max_us": max(s["lat"]), "total_us": sum(s["lat"]),
             "avg_us": (sum(s["lat"]) + len(s["lat"]) // 2) // len(s["lat"])} for code, s in sorted(srt.items())]
    rpcs = []
    for (iface, op, opnum), o in rpc.items():
        lat = o["lat"]
        e = {"interface": iface, "operation": op, "opnum": opnum, "calls": o["calls"], "faults": o["faults"],
             "failures": o["failures"], "timed": len(lat), "min_us": min(lat) if lat else None,
             "max_us": max(lat) if lat else None, "avg_us": (sum(lat) + len(lat) // 2) // len(lat) if lat else None,
             "total_us": sum(lat) if lat else None, "users": o["users"], "pipes": o["pipes"]}
        for k in ("users_omitted", "pipes_omitted"):
            if o[k]:
                e[k] = o[k]
        rpcs.append(e)
    totals = {"sessions": len(sessions), "files_listed": len(files),
              "logon_failures": sum(f["count"] for f in fails if f["failure"] == "logon_failed"),
              "access_denied": sum(f["count"] for f in fails if f["failure"] == "access_denied"),
              "srt_commands": len(srts), "sessions_omitted": 0, "files_omitted": 0, "failures_omitted": 0,
              "notices": len(notices), "notices_omitted": 0, "dcerpc_ops": len(rpcs), "dcerpc_omitted": 0}
    return totals, sessions, files, fails, notices, srts, rpcs


def got(summary):
    by = collections.defaultdict(list)
    for r in summary:
        sec = r["section"]
        keys = {"totals": expected_keys_totals, "session": expected_keys_session, "file": expected_keys_file,
                "failure": expected_keys_failure, "notice": expected_keys_notice, "srt": expected_keys_srt,
                "dcerpc": expected_keys_dcerpc}[sec]
        row = {k: r.get(k) for k in keys if k in r}
        if "conn" in keys:
            row["conn"] = r["conn"]["uid"]
        by[sec].append(row)
    return by


expected_keys_totals = ("sessions", "files_listed", "logon_failures", "access_denied", "srt_commands", "sessions_omitted",
                        "files_omitted", "failures_omitted", "notices", "notices_omitted", "dcerpc_ops",
                        "dcerpc_omitted")
expected_keys_session = ("conn", "start", "uid", "user", "domain", "host", "auth", "status", "guest", "anonymous",
                         "signing", "shares", "failures")
expected_keys_file = ("conn", "start", "end", "name", "share", "kind", "user", "domain", "bytes_read",
                      "bytes_written", "sha256", "no_hash_reason")
expected_keys_failure = ("conn", "failure", "command", "status", "user", "share", "target", "count", "first", "last")
expected_keys_notice = ("conn", "name", "severity", "detail", "user", "when")
expected_keys_srt = ("code", "command", "calls", "min_us", "max_us", "total_us", "avg_us")
expected_keys_dcerpc = ("interface", "operation", "opnum", "calls", "faults", "failures", "timed", "min_us", "max_us",
                        "avg_us", "total_us", "users", "users_omitted", "pipes", "pipes_omitted")


def check(binary, pcap, validator, problems):
    name = pcap.name
    plain = run(binary, pcap, "--format", "json")
    full = run(binary, pcap, "--format", "json", "--summary")
    only = run(binary, pcap, "--format", "json", "--summary-only")
    probs, recs = schema_check.check_lines(validator, full.decode(), name)
    problems += probs
    n_body = sum(1 for r in recs if r["type"] != "summary")
    lines = full.decode().splitlines(keepends=True)
    if "".join(lines[:n_body]).encode() != plain:
        problems.append(f"{name}: the records before the summary differ from a run without --summary")
    if "".join(lines[n_body:]).encode() != only:
        problems.append(f"{name}: --summary-only is not the summary of --summary")
    body, summary = recs[:n_body], recs[n_body:]
    totals, sessions, files, fails, notices, srts, rpcs = expected(body)
    g = got(summary)
    for sec, want in (("totals", [totals]), ("session", sessions), ("file", files), ("failure", fails),
                      ("notice", notices), ("srt", srts), ("dcerpc", rpcs)):
        have = g.get(sec, [])
        if have != want:
            diff = next((f"#{i}: want {w} got {h}" for i, (w, h) in enumerate(zip(want, have)) if w != h),
                        f"{len(want)} wanted, {len(have)} written")
            problems.append(f"{name}: summary {sec} differs from the records: {diff}"[:600])
    text, tplain = run(binary, pcap, "--summary"), run(binary, pcap)
    if not text.startswith(tplain):
        problems.append(f"{name}: text: the transcript before the summary differs from a run without --summary")
    tags = collections.Counter(line.split(b" ")[1].decode() for line in text[len(tplain):].splitlines())
    want_tags = collections.Counter(TAGS[r["section"]] for r in summary)
    if tags != want_tags:
        problems.append(f"{name}: text summary lines {dict(tags)} != JSON summary records {dict(want_tags)}")
    return len(summary)


def main():
    binary = sys.argv[1]
    shared = pathlib.Path(sys.argv[2]) if len(sys.argv) > 2 else ROOT.parent / "shared"
    validator = schema_check.load_validator()
    inputs = sorted((ROOT / "samples").glob("*.pcap"))
    public = shared / "pcaps" / "public"
    if public.is_dir():
        inputs += sorted(p for p in public.rglob("*") if p.suffix in (".pcap", ".pcapng", ".cap"))
    problems, n = [], 0
    for pcap in inputs:
        n += check(binary, pcap, validator, problems)
    # the bound: one entry per table, the rest counted
    big = ROOT / "samples" / "smbclient-nt1.pcap"
    recs = [json.loads(x) for x in run(binary, big, "--format", "json", "--summary-only", "--max-summary", "1").splitlines()]
    tot = recs[0]
    n_files = sum(1 for x in run(binary, big, "--format", "json").splitlines() if json.loads(x)["type"] == "file")
    if n_files < 2 or (tot["files_listed"], tot["files_omitted"]) != (1, n_files - 1):
        problems.append(f"--max-summary 1: files {tot['files_listed']} omitted {tot['files_omitted']} of {n_files}")
    if sum(1 for r in recs if r["section"] == "file") != 1:
        problems.append("--max-summary 1: more than one file record")
    # ...and for the dcerpc operations: the first one kept, the calls of the others counted
    rpc = ROOT / "samples" / "samr-445.pcap"
    calls = [json.loads(x) for x in run(binary, rpc, "--format", "json").splitlines()]
    calls = [r for r in calls if r["type"] == "dcerpc"]
    first = (calls[0]["interface"], calls[0]["operation"], calls[0]["opnum"]) if calls else None
    n_first = sum(1 for r in calls if (r["interface"], r["operation"], r["opnum"]) == first)
    recs = [json.loads(x) for x in run(binary, rpc, "--format", "json", "--summary-only", "--max-summary", "1").splitlines()]
    ops = [r for r in recs if r["section"] == "dcerpc"]
    if n_first == len(calls) or (recs[0]["dcerpc_ops"], recs[0]["dcerpc_omitted"]) != (1, len(calls) - n_first) \
            or len(ops) != 1 or ops[0]["calls"] != n_first:
        problems.append(f"--max-summary 1: dcerpc ops {recs[0]['dcerpc_ops']} omitted {recs[0]['dcerpc_omitted']}"
                        f" of {len(calls)} calls ({n_first} of the first operation), {len(ops)} entries")
    for p in problems[:30]:
        print("FAIL:", p)
    print(f"{len(inputs)} inputs, {n} summary records checked, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
