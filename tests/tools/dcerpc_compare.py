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
import pathlib
import subprocess
import sys

import compare_cli
import summary

FIELDS = ["tcp.srcport", "tcp.dstport", "smb.flags.response", "smb.fid", "dcerpc.pkt_type", "dcerpc.cn_call_id",
          "dcerpc.cn_ctx_id", "dcerpc.opnum", "dcerpc.cn_bind_to_uuid", "dcerpc.cn_bind_if_ver"]
DEFAULT_ALLOW = pathlib.Path(__file__).resolve().parents[1] / "interop" / "dcerpc_allow.tsv"
ALLOW_CELLS = "capture call tshark smbscope why"
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
    """the requests of smbscope's dcerpc records, and its summary.Run"""
    run = summary.run_json(binary, pcap, validate=False)
    calls = set()
    for r in run.of("dcerpc"):
        if r["opnum"] is not None:
            calls.add((r["conn"]["client"]["port"], r["fid"], r["call_id"], r["opnum"], r["interface_uuid"] or "-"))
    return calls, run


def call_text(c):
    return f"port={c[0]} fid=0x{c[1]:04x} call_id={c[2]} opnum={c[3]} uuid={c[4]}" if c[1] is not None else \
        f"port={c[0]} fid=- call_id={c[2]} opnum={c[3]} uuid={c[4]}"


def main():
    args = compare_cli.parse_args(sys.argv[1:], __doc__, DEFAULT_ALLOW, ALLOW_CELLS, missing_ok=True)
    if isinstance(args, int):
        return args
    binary, todo, allow = args
    passed = failed = total = 0
    for name, pcap in todo:
        want = tshark_calls(pcap)
        got, run = smbscope_calls(binary, pcap)
        total += len(want)
        diffs = [(call_text(c), "yes", "-") for c in sorted(want - got, key=str)]
        diffs += [(call_text(c), "-", "yes") for c in sorted(got - want, key=str)]
        probs = compare_cli.problems(run, diffs, allow.get(name, set()), "call tshark smbscope")
        if not want and not got and not probs and name != pcap:
            continue  # no DCE/RPC in this public capture
        note = f" ({len(want)} requests" + (f", {len(diffs)} allowed differences)" if diffs else ")")
        ok = compare_cli.report(name, probs, note)
        passed += ok
        failed += not ok
    print(f"{passed} passed, {failed} failed, {total} tshark requests compared")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
