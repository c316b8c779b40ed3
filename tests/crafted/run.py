#!/usr/bin/env python3
"""Crafted-capture test: mkcrafted.py writes crafted.pcap into OUTDIR (twice:
the generator must be deterministic); smbscope turns it into text and JSON
(twice each: so must smbscope), compared byte for byte with
tests/crafted/crafted.txt / .json; every JSON line is validated against the
schema; and the facts the capture was made for are asserted one by one, so
a regression names itself even when the goldens are regenerated carelessly:
  - READ_ANDX of exactly 65536 bytes (DataLength 0, DataLengthHigh 1) and of
    0x1FFFF bytes: their length, and each file's SHA-256 as the generator
    computed it;
  - `signed` true on every signed request, absent on the others;
  - the first connection ends `reused`, the second `closed`, with a
    tcp_port_reuse anomaly;
  - both TRANSACTION records (TRANSACT_NMPIPE on \\srvsvc, \\PIPE\\LANMAN);
  - strings with ESC, C1, quotes and backslashes: exact in JSON, escaped in
    text (no raw control byte anywhere in either output).
Usage: run.py SMBSCOPE OUTDIR [--update]  (--update rewrites the goldens:
read the diff)."""
import difflib
import json
import pathlib
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tools"))
import mkcrafted as mk  # noqa: E402
import schema_check  # noqa: E402
from checker import Checker  # noqa: E402

SIGNED_COMMANDS = {"TREE_CONNECT_ANDX", "NT_CREATE_ANDX", "READ_ANDX", "CLOSE", "TRANSACTION"}


def run(binary, pcap, fmt):
    p = subprocess.run([binary, "-r", str(pcap), "--format", fmt], capture_output=True, timeout=300)
    if p.returncode != 0 or p.stderr:
        raise SystemExit(f"FAIL: smbscope --format {fmt}: exit {p.returncode}: {p.stderr.decode(errors='replace')}")
    return p.stdout


def raw_controls(data):
    """offsets of bytes that drive a terminal or break a line: C0 but \\n, DEL, UTF-8 C1"""
    bad = []
    for i, b in enumerate(data):
        if (b < 0x20 and b != 0x0A) or b == 0x7F or (b == 0xC2 and i + 1 < len(data) and 0x80 <= data[i + 1] <= 0x9F):
            bad.append(i)
    return bad


def check_json(c, records):
    smb = [r for r in records if r["type"] == "smb"]
    conn_of = lambda r: r.get("conn", {}).get("id")  # noqa: E731

    # the two big reads and their files
    for name, fid, (size, sha) in ((mk.FILE_64K, mk.FID_64K, mk.EXPECT[mk.FILE_64K]),
                                   (mk.FILE_BIG, mk.FID_BIG, mk.EXPECT[mk.FILE_BIG])):
        reads = [r for r in smb if r["command"] == "READ_ANDX" and r.get("fid") == fid]
        c.eq(f"READ_ANDX records on fid {fid:#x}", len(reads), 1)
        for r in reads:
            c.eq(f"READ_ANDX fid {fid:#x} max_count", r.get("max_count"), size)
            c.eq(f"READ_ANDX fid {fid:#x} length", r.get("length"), size)
            c.eq(f"READ_ANDX fid {fid:#x} file", r.get("file"), name)
        files = [r for r in records if r["type"] == "file" and r.get("name") == name]
        c.eq(f"file records named {name!r}", len(files), 1)
        for f in files:
            c.eq(f"file {size} size", f.get("size"), size)
            c.eq(f"file {size} bytes_read", f.get("bytes_read"), size)
            c.eq(f"file {size} read_ranges", f.get("read_ranges"), [[0, size]])
            c.eq(f"file {size} sha256", f.get("sha256"), sha)
            c.eq(f"file {size} complete", f.get("complete"), True)
            c.eq(f"file {size} share", f.get("share"), mk.SHARE)

    # signatures: every request after the logon is signed, the others are not
    signed = [r for r in smb if "signed" in r]
    c.eq("records with signed (mid 3..14 on C1)", len(signed), 12)
    for r in smb:
        want = r["command"] in SIGNED_COMMANDS and conn_of(r) == "C1"
        if want:
            c.eq(f"{r['command']} mid {r['mid']} signed", r.get("signed"), True)
        else:
            c.true(f"{conn_of(r)} {r['command']} mid {r['mid']} has no signed", "signed" not in r)

    # port reuse
    ends = {conn_of(r): r.get("state") for r in records if r["type"] == "conn"}
    c.eq("conn states", ends, {"C1": "reused", "C2": "closed"})
    reuse = [r for r in records if r["type"] == "anomaly" and r.get("name") == "tcp_port_reuse"]
    c.eq("tcp_port_reuse anomalies (on C2)", [conn_of(r) for r in reuse], ["C2"])

    # transactions
    trans = [r for r in smb if r["command"] == "TRANSACTION"]
    c.eq("TRANSACTION records", len(trans), 2)
    nm = [r for r in trans if r.get("name") == "\\PIPE\\"]
    c.eq("TRANSACT_NMPIPE records", len(nm), 1)
    for r in nm:
        c.eq("TRANSACT_NMPIPE subcommand", r.get("subcommand"), 0x26)
        c.eq("TRANSACT_NMPIPE subcommand_name", r.get("subcommand_name"), "TRANSACT_NMPIPE")
        c.eq("TRANSACT_NMPIPE fid", r.get("fid"), mk.FID_PIPE)
        c.eq("TRANSACT_NMPIPE file", r.get("file"), mk.PIPE)
        c.eq("TRANSACT_NMPIPE status", r.get("status"), "STATUS_SUCCESS")
        c.eq("TRANSACT_NMPIPE share", r.get("share"), mk.IPC)
    rap = [r for r in trans if r.get("name") == "\\PIPE\\LANMAN"]
    c.eq("\\PIPE\\LANMAN records", len(rap), 1)
    for r in rap:
        c.true("\\PIPE\\LANMAN has no subcommand (RAP: no setup words)", "subcommand" not in r)
        c.eq("\\PIPE\\LANMAN status", r.get("status"), "STATUS_SUCCESS")
    stats = records[-1]
    c.eq("stats smb1_commands 0x25 (two requests, two responses)", stats.get("smb1_commands", {}).get("0x25"), 4)
    c.eq("stats records.smb equals the smb records written", stats.get("records", {}).get("smb"), len(smb))

    # hostile strings arrive exactly
    sessions = [r for r in records if r["type"] == "session"]
    c.eq("session records", len(sessions), 1)
    for s in sessions:
        c.eq("session user", s.get("user"), mk.USER)
        c.eq("session native_os", s.get("native_os"), mk.NATIVE_OS)
        c.eq("session native_lanman", s.get("native_lanman"), mk.NATIVE_LANMAN)
        c.eq("session shares", s.get("shares"), [mk.SHARE, mk.IPC])
        c.eq("session files", s.get("files"), [mk.FILE_64K, mk.FILE_BIG, mk.PIPE])
    tree = [r for r in smb if r["command"] == "TREE_CONNECT_ANDX" and r.get("tid") == mk.TID_SHARE]
    c.eq("TREE_CONNECT_ANDX path", [r.get("path") for r in tree], [mk.SHARE])
    c.true("every C1 record after the logon names the user exactly",
           all(r.get("user") == mk.USER for r in smb if conn_of(r) == "C1" and r["mid"] >= 3))


def check_text(c, text):
    bad = raw_controls(text)
    c.eq("raw control bytes in the text output (offsets)", bad[:5], [])
    # the escaped forms, written out by hand from the text sink's one rule
    # (README "Text quoting"): \u{HEX} for controls, `"` and `{`; backslashes as is
    for what, shown in (("user", 'user="eve\\u{1b}[2J\\u{22}q\\x\\u{85}"'),
                        ("native_os", 'native_os="crafted\\u{9b}31m"'),
                        ("native_lanman", 'native_lanman="say \\u{22}hi\\u{22} \\ back"'),
                        ("share path", 'path="\\\\SRV\\sh\\u{1b}[2J\\u{22}\\u{9d}"'),
                        ("file name", 'file="\\esc\\u{1b}]0;t\\u{7}\\u{22}q\\64k\\u{90}.bin"')):
        c.true(f"text shows {what} as {shown}", shown.encode() in text)
    c.true("text: READ_ANDX of 65536", b" max_count=65536 length=65536 " in text)
    c.true("text: READ_ANDX of 131071", b" max_count=131071 length=131071 " in text)
    # the END line stands when it was written: the SYN that reused the 4-tuple
    c.true("text: C1 END state=reused", b"C1 +0.020560 END start=+0.000000 state=reused midstream=false "
           b"duration_us=19560 " in text)


def main():
    binary, outdir = sys.argv[1], pathlib.Path(sys.argv[2])
    update = "--update" in sys.argv
    outdir.mkdir(parents=True, exist_ok=True)
    pcap, again = outdir / "crafted.pcap", outdir / "crafted-again.pcap"
    mk.build().write(pcap)
    mk.build().write(again)
    problems = []
    if pcap.read_bytes() != again.read_bytes():
        problems.append("mkcrafted.py is not deterministic")

    out = {}
    for fmt, ext in (("text", "txt"), ("json", "json")):
        out[fmt] = run(binary, pcap, fmt)
        if run(binary, pcap, fmt) != out[fmt]:
            problems.append(f"--format {fmt}: two runs differ")
        golden = HERE / f"crafted.{ext}"
        if update:
            golden.write_bytes(out[fmt])
        elif not golden.exists():
            problems.append(f"missing golden {golden} (run with --update and read it)")
        elif golden.read_bytes() != out[fmt]:
            diff = difflib.unified_diff(golden.read_text(errors="replace").splitlines(),
                                        out[fmt].decode(errors="replace").splitlines(),
                                        "golden/crafted." + ext, "actual", lineterm="", n=0)
            problems.append(f"crafted.{ext} differs from golden:\n" + "\n".join(list(diff)[:40]))

    validator = schema_check.load_validator()  # jsonschema missing: an error, not a skip
    probs, _ = schema_check.check_lines(validator, out["json"].decode(), "crafted.json")
    problems += probs
    # records split on \n only: a record that a reader could see as two lines is caught below
    records = [json.loads(line) for line in out["json"].split(b"\n") if line]
    c = Checker()
    c.eq("raw control bytes in the JSON output (offsets)", raw_controls(out["json"])[:5], [])
    c.eq("JSON lines by str.splitlines() (no U+0085/U+2028 breaks)", len(out["json"].decode().splitlines()),
         len(records))
    check_json(c, records)
    check_text(c, out["text"])
    problems += c.problems

    for p in problems:
        print("FAIL:", p)
    print(f"crafted: {c.passed} facts held, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
