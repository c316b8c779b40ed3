#!/usr/bin/env python3
"""The field registry's products are what is committed, and the closed schema bites.

usage: registry_check.py SMBSCOPE_SCHEMA_TOOL
1. smbscope.schema.json, smbscope-index-template.json and docs/fields.md equal what
   smbscope-schema generates from src/output/fields.def (regenerate: build/smbscope-schema --write .);
2. every declared (record, key) is in the schema, the template and the fields reference;
3. the schema accepts real lines and rejects an unknown key, out-of-set values, a content
   field on a pipe, a missing required key, the wrong schema number; it accepts COM_0x3a;
   conn is absent exactly on run-level anomalies (capture_drops).
"""
import copy
import json
import pathlib
import subprocess
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import schema_check  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[2]
PRODUCTS = {"--schema": "smbscope.schema.json", "--template": "smbscope-index-template.json",
            "--markdown": "docs/fields.md"}


def run(tool, arg):
    return subprocess.run([tool, arg], check=True, capture_output=True, text=True).stdout


def main(tool):
    problems = []
    for arg, name in PRODUCTS.items():
        if run(tool, arg) != (ROOT / name).read_text():
            problems.append(f"{name} differs from `smbscope-schema {arg}`: regenerate with "
                            f"build/smbscope-schema --write . and review the diff")
    schema = json.loads((ROOT / PRODUCTS["--schema"]).read_text())
    template = json.loads((ROOT / PRODUCTS["--template"]).read_text())
    md = (ROOT / PRODUCTS["--markdown"]).read_text()
    defs = schema["$defs"]
    members = [line.split() for line in run(tool, "--list").splitlines()]
    for scope, key in members:
        target = defs.get(scope) if scope != "envelope" else defs["smb"]
        if target is None or key not in target["properties"]:
            problems.append(f"{scope}.{key}: not in the schema")
        if f"`{scope}`" not in md or f"| `{key}` |" not in md:
            problems.append(f"{scope}.{key}: not in docs/fields.md")
        if scope in ("envelope",) or scope in defs and "conn" in defs[scope]["properties"] or scope == "stats":
            if key not in template["template"]["mappings"]["properties"]:
                problems.append(f"{scope}.{key}: not in the index template")
    for d in defs.values():
        if d.get("type") == "object" and d.get("additionalProperties") is not False and "propertyNames" not in d:
            problems.append(f"a schema object is open: {d.get('description')}")

    v = schema_check.load_validator()
    golden = [json.loads(l) for g in ("pipe-445", "seed-445")
              for l in (ROOT / "tests/golden" / f"{g}.json").read_text().splitlines()]
    by_type = {}
    for rec in golden:
        if rec["type"] == "file" and rec["kind"] != "pipe":
            by_type.setdefault("file_content", rec)
        by_type.setdefault(rec["type"] if rec["type"] != "file" or rec["kind"] != "pipe" else "pipe", rec)
    for t, rec in by_type.items():
        errs = list(v.iter_errors(rec))
        if errs:
            problems.append(f"a real {t} line fails: {errs[0].message}")

    def must_fail(why, rec):
        if v.is_valid(rec):
            problems.append(f"the schema accepts {why}")

    def must_pass(why, rec):
        errs = list(v.iter_errors(rec))
        if errs:
            problems.append(f"the schema rejects {why}: {errs[0].message}")

    smb = copy.deepcopy(by_type["smb"])
    must_fail("an unknown key", dict(smb, bogus=1))
    must_fail("an unknown key in conn", dict(smb, conn=dict(smb["conn"], extra="x")))
    must_fail("schema 1", dict(smb, schema=1))
    must_fail("a missing required key", {k: x for k, x in smb.items() if k != "mid"})
    must_fail("a lowercase command", dict(smb, command="negotiate"))
    must_fail("COM_0x3A (upper-case hex)", dict(smb, command="COM_0x3A"))
    must_pass("COM_0x3a", dict(smb, command="COM_0x3a", code=0x3a))
    must_fail("a code above 255", dict(smb, code=256))
    conn = by_type["conn"]
    must_fail("conn.state out of its set", dict(conn, state="exploded"))
    must_pass("conn.state reused", dict(conn, state="reused"))
    must_fail("an unknown key in to_server", dict(conn, to_server=dict(conn["to_server"], extra=1)))
    pipe = by_type["pipe"]
    must_fail("a pipe with sha256", dict(pipe, sha256=None))
    must_fail("a pipe without bytes_in", {k: x for k, x in pipe.items() if k != "bytes_in"})
    must_fail("file.kind out of its set", dict(pipe, kind="socket"))
    if "file_content" not in by_type:
        problems.append("no file record of kind file in the goldens")
    else:
        f = by_type["file_content"]
        must_fail("a file with bytes_in", dict(f, bytes_in=1))
        must_fail("a file without sha256", {k: x for k, x in f.items() if k != "sha256"})
        must_fail("no_hash_reason out of its set", dict(f, no_hash_reason="tired"))
        must_pass("no_hash_reason capture_gap", dict(f, no_hash_reason="capture_gap"))
    stats = by_type["stats"]
    must_fail("a smb1_commands key in upper case", dict(stats, smb1_commands={"0x7A": 1}))
    must_fail("an unknown records key", dict(stats, records=dict(stats["records"], bogus=1)))
    must_fail("a stats record with conn", dict(stats, conn=smb["conn"]))
    must_fail("an unsigned above 2^63-1", dict(stats, packets=2**63))
    # run-level anomalies (WITH_CONN_UNLESS): capture_drops has no conn and its counters; others keep conn
    drops = {"schema": smb["schema"], "type": "anomaly", "ts": smb["ts"], "name": "capture_drops", "detail": "x",
             "since": smb["ts"], "received": 10, "dropped": 3, "if_dropped": 0}
    must_pass("a capture_drops anomaly without conn", drops)
    must_fail("a capture_drops anomaly with conn", dict(drops, conn=smb["conn"]))
    must_fail("a capture_drops anomaly without dropped", {k: x for k, x in drops.items() if k != "dropped"})
    other = {"schema": smb["schema"], "type": "anomaly", "ts": smb["ts"], "name": "nbss_resync", "detail": "x"}
    must_pass("a connection's anomaly", dict(other, conn=smb["conn"]))
    must_fail("a connection's anomaly without conn", other)
    must_fail("a connection's anomaly with capture_drops' counters", dict(other, conn=smb["conn"], dropped=1))
    must_pass("an interval stats record", dict(stats, interval=True, since=smb["ts"]))
    must_fail("an interval stats record whose since is no time", dict(stats, interval=True, since="then"))
    # summary records: keys by section, conn exactly on session/file/failure (tests/joins checks real ones)
    env = {"schema": smb["schema"], "type": "summary", "ts": smb["ts"]}
    totals = dict(env, section="totals", sessions=1, sessions_omitted=0, files_listed=0, files_omitted=0,
                  logon_failures=0, access_denied=0, failures_omitted=0, srt_commands=1,
                  notices=0, notices_omitted=0, dcerpc_ops=1, dcerpc_omitted=0)
    must_pass("a summary totals record", totals)
    must_pass("a summary record with sensor", dict(totals, sensor="tap-1"))
    must_fail("a bad sensor name", dict(totals, sensor="two words"))
    must_fail("a summary totals record with conn", dict(totals, conn=smb["conn"]))
    must_fail("a summary section out of its set", dict(totals, section="bogus"))
    must_fail("a summary totals record without srt_commands",
              {k: x for k, x in totals.items() if k != "srt_commands"})
    sess = dict(env, section="session", conn=smb["conn"], start=smb["ts"], uid=1, user="u", domain=None, host=None,
                auth="ntlmv2", status="STATUS_SUCCESS", guest=False, anonymous=False, signing=False, shares=[],
                failures=0)
    must_pass("a summary session record", sess)
    rpc = dict(env, section="dcerpc", interface="svcctl", operation="CreateServiceW", opnum=12, calls=2, faults=1,
               failures=0, timed=0, min_us=None, max_us=None, avg_us=None, total_us=None, users=["u"], pipes=[])
    must_pass("a summary dcerpc record", rpc)
    must_pass("a summary dcerpc record with users_omitted", dict(rpc, users_omitted=3))
    must_fail("a summary dcerpc record with conn", dict(rpc, conn=smb["conn"]))
    must_fail("a summary dcerpc record without faults", {k: x for k, x in rpc.items() if k != "faults"})
    must_fail("a summary dcerpc record with srt's code", dict(rpc, code=1))
    must_fail("a summary session record with dcerpc's faults", dict(sess, faults=1))
    # notice records: a closed set of names, evidence references in their documented form
    notice = {"schema": smb["schema"], "type": "notice", "ts": smb["ts"], "conn": smb["conn"], "name": "smb1_in_use",
              "severity": "info", "detail": "d",
              "evidence": [f"smb|{smb['conn']['uid']}|{smb['ts']}|NEGOTIATE|0"]}
    must_pass("a notice record", notice)
    must_fail("a notice name outside its set", dict(notice, name="tcp_overlap_conflict"))
    must_fail("a notice severity outside its set", dict(notice, severity="critical"))
    must_fail("a notice evidence reference without its conn uid", dict(notice, evidence=["smb|x|y|NEGOTIATE|0"]))
    must_fail("a notice without evidence", {k: x for k, x in notice.items() if k != "evidence"})
    must_fail("a summary session record without conn", {k: x for k, x in sess.items() if k != "conn"})
    must_fail("a summary session record with a totals key", dict(sess, sessions=1))
    must_fail("a summary session record with srt's calls", dict(sess, calls=1))
    must_fail("a summary start that is not RFC 3339", dict(sess, start="yesterday"))
    must_fail("a conn uid that is not C + 17 base62", dict(sess, conn=dict(smb["conn"], uid="C1")))
    for p in problems:
        print("FAIL:", p)
    print(f"registry: {len(members)} declared keys, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
