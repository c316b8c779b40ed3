#!/usr/bin/env python3
"""Cross-check smbscope's DCE/RPC calls against tshark's DCE/RPC decode: every
request PDU tshark dissects on an SMB1 pipe must be reported by smbscope as a
`dcerpc` record with the same call_id, opnum and interface (the UUID tshark
took from the bind of the same pipe; none when the bind is not in the
capture), and smbscope must report no request tshark does not see.

  dcerpc_compare.py SMBSCOPE PCAP...
      every difference fails (the bundled samples)
  dcerpc_compare.py SMBSCOPE --public SHARED [--allow FILE]
      every capture of SHARED/pcaps/public/INDEX.md; a difference fails unless
      the allow-list (default tests/interop/dcerpc_allow.tsv) names it exactly,
      and an allow-list entry that matches no difference fails too (stale).

A call is (client port, FID, call_id, opnum, interface UUID or "-"). Allow-list:
tab-separated `capture call tshark smbscope why`, as this script prints them.
Exit 1 on any failure; without tshark (or SHARED) exit 77 (skip), 1 under CI=true."""
import json
import pathlib
import shutil
import subprocess
import sys

import ci_env
from tshark_compare import public_captures

FIELDS = ["tcp.srcport", "tcp.dstport", "smb.flags.response", "smb.fid", "dcerpc.pkt_type", "dcerpc.cn_call_id",
          "dcerpc.cn_ctx_id", "dcerpc.opnum", "dcerpc.cn_bind_to_uuid", "dcerpc.cn_bind_if_ver"]
DEFAULT_ALLOW = pathlib.Path(__file__).resolve().parents[1] / "interop" / "dcerpc_allow.tsv"
REQUEST, BIND, ALTER = 0, 11, 14


def split(v):
    return [x for x in v.split(",") if x != ""] if v else []


def tshark_calls(pcap):
    out = subprocess.run(["tshark", "-n", "-r", pcap, "-o", "tcp.reassemble_out_of_order:TRUE", "-Y",
                          "dcerpc && smb && tcp", "-T", "fields", "-E", "separator=\t", "-E", "occurrence=a",
                          *sum((["-e", f] for f in FIELDS), [])],
                         capture_output=True, text=True, check=True).stdout
    ctx = {}     # (client port, fid, context id) -> interface UUID, from the binds
    calls = set()
    for line in out.splitlines():
        v = dict(zip(FIELDS, line.split("\t")))
        if v["smb.flags.response"] in ("1", "True"):
            continue
        fid = int(split(v["smb.fid"])[0], 16) if split(v["smb.fid"]) else None
        port = int(split(v["tcp.srcport"])[0])
        types = [int(t) for t in split(v["dcerpc.pkt_type"])]
        if any(t in (BIND, ALTER) for t in types):
            for c, u in zip(split(v["dcerpc.cn_ctx_id"]), split(v["dcerpc.cn_bind_to_uuid"])):
                ctx[(port, fid, int(c))] = u
            continue
        reqs = zip(split(v["dcerpc.cn_call_id"]), split(v["dcerpc.cn_ctx_id"]), split(v["dcerpc.opnum"]))
        for call_id, c, op in (r for t, r in zip(types, reqs) if t == REQUEST):
            calls.add((port, fid, int(call_id), int(op), ctx.get((port, fid, int(c)), "-")))
    return calls


def smbscope_calls(binary, pcap):
    p = subprocess.run([binary, "-r", pcap, "--format", "json"], capture_output=True, text=True)
    calls = set()
    for line in p.stdout.splitlines():
        r = json.loads(line)
        if r["type"] == "dcerpc" and r["opnum"] is not None:
            calls.add((r["conn"]["client"]["port"], r["fid"], r["call_id"], r["opnum"], r["interface_uuid"] or "-"))
    return calls, p.returncode


def call_text(c):
    return f"port={c[0]} fid=0x{c[1]:04x} call_id={c[2]} opnum={c[3]} uuid={c[4]}" if c[1] is not None else \
        f"port={c[0]} fid=- call_id={c[2]} opnum={c[3]} uuid={c[4]}"


def load_allow(path):
    allow = {}
    if not path.exists():
        return allow
    for n, line in enumerate(path.read_text().splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        if len(cells) != 5 or not cells[4].strip():
            raise SystemExit(f"{path}:{n}: want 5 tab-separated cells (capture call tshark smbscope why)")
        allow.setdefault(cells[0], set()).add(tuple(cells[1:4]))
    return allow


def main():
    args = sys.argv[1:]
    if not args:
        print(__doc__)
        return 2
    binary, rest = args[0], args[1:]
    allow, names = {}, None
    if rest[:1] == ["--public"]:
        if len(rest) < 2:
            print(__doc__)
            return 2
        public, rows = public_captures(rest[1])
        if public is None:
            return ci_env.missing(f"{rest[1]}/pcaps/public/INDEX.md not present (the public captures)")
        allow_path = pathlib.Path(rest[3]) if rest[2:3] == ["--allow"] and len(rest) > 3 else DEFAULT_ALLOW
        allow = load_allow(allow_path)
        pcaps, names = [str(public / r) for r in rows], rows
    else:
        pcaps = rest
    if not shutil.which("tshark"):
        return ci_env.missing("tshark not installed (Debian package tshark)")
    passed = failed = total = 0
    for i, pcap in enumerate(pcaps):
        name = names[i] if names else pcap
        want = tshark_calls(pcap)
        got, rc = smbscope_calls(binary, pcap)
        total += len(want)
        diffs = [(call_text(c), "yes", "-") for c in sorted(want - got, key=str)]
        diffs += [(call_text(c), "-", "yes") for c in sorted(got - want, key=str)]
        allowed = allow.get(name, set())
        problems = [] if rc in (0, 1) else [f"smbscope exit status {rc}"]
        problems += ["differs: " + "\t".join(d) + "   (call tshark smbscope)" for d in diffs if d not in allowed]
        problems += ["allow-list entry matches no difference (stale): " + "\t".join(d)
                     for d in sorted(allowed - set(diffs))]
        if not want and not got and not problems and names:
            continue  # no DCE/RPC in this public capture
        note = f" ({len(want)} requests" + (f", {len(diffs)} allowed differences)" if diffs else ")")
        print(("ok: " if not problems else "FAIL: ") + name + note)
        for p in problems:
            print("    " + p)
        passed += not problems
        failed += bool(problems)
    print(f"{passed} passed, {failed} failed, {total} tshark requests compared")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
