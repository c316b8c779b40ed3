#!/usr/bin/env python3
"""Cross-check smbscope against tshark on field values (not reassembly):
per-command message counts, the statuses of responses by command, UNC paths of
tree connects, names of files opened, the FIDs the opens returned, and the
accounts (user, domain) that logged on.

  tshark_compare.py SMBSCOPE PCAP...
      every difference fails (the bundled samples: smbscope and tshark agree)
  tshark_compare.py SMBSCOPE --public SHARED [--allow FILE]
      every capture of SHARED/pcaps/public/INDEX.md; a difference fails unless
      the allow-list (default tests/interop/tshark_allow.tsv) names it exactly,
      and an allow-list entry that matches no difference fails too (stale).

Allow-list: tab-separated `capture field item tshark smbscope why`, one
hand-checked difference per line, as this script prints them. Prints ok/FAIL
per capture, 'N passed, N failed'; exit 1 on any failure. Without tshark (or,
with --public, without SHARED): exit 77 (skip), but exit 1 under CI=true."""
import collections
import pathlib
import subprocess
import sys

import compare_cli
import summary

FIELDS = ["smb.cmd", "smb.flags.response", "smb.nt_status", "smb.error_class", "smb.error_code", "smb.flags2.nt_error",
          "smb.path", "smb.file", "smb.fid", "smb.account", "smb.primary_domain", "ntlmssp.auth.username",
          "ntlmssp.auth.domain", "ntlmssp.auth.hostname"]
OPENS = {0x2D, 0xA2}
NAMES = ["commands", "statuses", "paths", "files", "fids", "accounts"]
DEFAULT_ALLOW = pathlib.Path(__file__).resolve().parents[1] / "interop" / "tshark_allow.tsv"
ALLOW_CELLS = "capture field item tshark smbscope why"


def empty_facts():
    return {"commands": collections.Counter(), "statuses": set(), "paths": set(), "files": set(),
            "fids": set(), "accounts": set()}


def tshark_null(v):
    """tshark shows an empty NTLMSSP string as NULL"""
    return "" if v == "NULL" else v


def tshark_facts(pcap):
    out = subprocess.run(["tshark", "-n", "-r", pcap, "-o", "tcp.reassemble_out_of_order:TRUE", "-Y", "smb && tcp",
                          "-T", "fields", "-E", "separator=\t", "-E", "occurrence=a",
                          *sum((["-e", f] for f in FIELDS), [])],
                         capture_output=True, text=True, check=True).stdout
    f = empty_facts()
    for line in out.splitlines():
        raw = dict(zip(FIELDS, line.split("\t")))
        # one value per field: the first occurrence, but for smb.path the last (tshark
        # lists the current tree's path before the one a TREE_CONNECT asks for)
        v = {k: (x.split(",")[-1] if k == "smb.path" else x.split(",")[0]) for k, x in raw.items()}
        cmds = [int(c, 16) for c in raw["smb.cmd"].split(",") if c and c != "0xff"]
        rsp = v["smb.flags.response"] in ("1", "True")
        for c in cmds:
            f["commands"][c] += 1
        if not cmds:
            continue
        if rsp:
            if v["smb.flags2.nt_error"] in ("0", "False") and v["smb.error_class"]:
                code = int(v["smb.error_class"], 16) | int(v["smb.error_code"] or "0", 16) << 16
            else:
                code = int(v["smb.nt_status"] or "0", 16)
            f["statuses"].add((cmds[0], code))
            if cmds[0] in OPENS and code == 0 and v["smb.fid"]:
                f["fids"].add(int(v["smb.fid"], 16))
        else:
            if cmds[0] == 0x75 and v["smb.path"]:
                f["paths"].add(v["smb.path"].upper())
            if cmds[0] in OPENS and v["smb.file"]:
                f["files"].add(v["smb.file"])
            user = v["ntlmssp.auth.username"] or (v["smb.account"] if cmds[0] == 0x73 else "")
            if user and user != "NULL":  # tshark's word for an anonymous NTLMSSP logon
                dom = tshark_null(v["ntlmssp.auth.domain"]) or v["smb.primary_domain"]
                f["accounts"].add((user, dom))
    return f


def smbscope_facts(binary, pcap):
    """the facts of smbscope's records, and its summary.Run"""
    run = summary.run_json(binary, pcap, validate=False)
    recs = run.records
    f = empty_facts()
    stats = recs[-1] if recs and recs[-1].get("type") == "stats" else {}
    f["commands"] = collections.Counter({int(k, 16): n for k, n in stats.get("smb1_commands", {}).items()})
    for r in recs:
        if r["type"] != "smb":
            continue
        if r["status_code"] is not None:
            f["statuses"].add((r["code"], r["status_code"]))
        if r["command"] == "TREE_CONNECT_ANDX" and r.get("path"):
            f["paths"].add(r["path"].upper())
        if r["code"] in OPENS and r.get("file"):
            f["files"].add(r["file"])
        if r["code"] in OPENS and r["status_code"] == 0 and isinstance(r.get("fid"), int):
            f["fids"].add(r["fid"])
        if r["command"] == "SESSION_SETUP_ANDX" and r.get("user"):
            f["accounts"].add((r["user"], r.get("domain") or ""))
    return f, run


def item_text(name, x):
    if name == "statuses":
        return f"0x{x[0]:02x} 0x{x[1]:08x}"
    if name == "fids":
        return f"0x{x:04x}"
    if name == "accounts":
        return f"{x[1]}\\{x[0]}"
    return str(x)


def differences(want, got):
    """(field, item, tshark, smbscope) for every difference"""
    out = []
    cw, cg = want["commands"], got["commands"]
    for c in sorted(set(cw) | set(cg)):
        if cw.get(c, 0) != cg.get(c, 0):
            out.append(("commands", f"0x{c:02x}", str(cw.get(c, 0)), str(cg.get(c, 0))))
    for name in NAMES[1:]:
        w, g = want[name], got[name]
        if name == "statuses":
            # AndX responses: tshark gives one status per frame, smbscope one per command
            g = {k for k in g if any(k[0] == c for c, _ in w)}
        for x in sorted(w - g):
            out.append((name, item_text(name, x), "yes", "-"))
        for x in sorted(g - w):
            out.append((name, item_text(name, x), "-", "yes"))
    return out


def main():
    args = compare_cli.parse_args(sys.argv[1:], __doc__, DEFAULT_ALLOW, ALLOW_CELLS)
    if isinstance(args, int):
        return args
    binary, todo, allow = args
    passed = failed = 0
    for name, pcap in todo:
        want = tshark_facts(pcap)
        got, run = smbscope_facts(binary, pcap)
        diffs = differences(want, got)
        probs = compare_cli.problems(run, diffs, allow.get(name, set()), "field item tshark smbscope")
        note = f" ({len(diffs)} allowed differences)" if diffs and not probs else ""
        ok = compare_cli.report(name, probs, note)
        passed += ok
        failed += not ok
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
