#!/usr/bin/env python3
"""tshark_compare.py SMBSCOPE PCAP...: cross-check smbscope against tshark on
field values (not reassembly): per-command message counts, the status of every
response by command, UNC paths of tree connects, names of files opened, and
the accounts (user, domain, host) that logged on. Prints ok/FAIL per capture,
'N passed, N failed'; exit 1 on any difference. Skips (77) without tshark."""
import collections
import json
import shutil
import subprocess
import sys

FIELDS = ["smb.cmd", "smb.flags.response", "smb.nt_status", "smb.error_class", "smb.error_code", "smb.flags2.nt_error",
          "smb.path", "smb.file", "smb.account", "smb.primary_domain", "ntlmssp.auth.username",
          "ntlmssp.auth.domain", "ntlmssp.auth.hostname"]
OPENS = {0x2D, 0xA2}


def tshark_facts(pcap):
    out = subprocess.run(["tshark", "-n", "-r", pcap, "-o", "tcp.reassemble_out_of_order:TRUE", "-Y", "smb && tcp",
                          "-T", "fields", "-E", "separator=\t", "-E", "occurrence=a",
                          *sum((["-e", f] for f in FIELDS), [])],
                         capture_output=True, text=True, check=True).stdout
    counts, statuses = collections.Counter(), collections.Counter()
    paths, files, accounts = set(), set(), set()
    for line in out.splitlines():
        raw = dict(zip(FIELDS, line.split("\t")))
        # one value per field: the first occurrence, but for smb.path the last (tshark
        # lists the current tree's path before the one a TREE_CONNECT asks for)
        v = {k: (x.split(",")[-1] if k == "smb.path" else x.split(",")[0]) for k, x in raw.items()}
        cmds = [int(c, 16) for c in raw["smb.cmd"].split(",") if c and c != "0xff"]
        rsp = v["smb.flags.response"] in ("1", "True")
        for c in cmds:
            counts[c] += 1
        if not cmds:
            continue
        if rsp:
            if v["smb.flags2.nt_error"] in ("0", "False") and v["smb.error_class"]:
                code = int(v["smb.error_class"], 16) | int(v["smb.error_code"] or "0", 16) << 16
            else:
                code = int(v["smb.nt_status"] or "0", 16)
            statuses[(cmds[0], code)] += 1
        else:
            if cmds[0] == 0x75 and v["smb.path"]:
                paths.add(v["smb.path"].upper())
            if cmds[0] in OPENS and v["smb.file"]:
                files.add(v["smb.file"])
            user = v["ntlmssp.auth.username"] or (v["smb.account"] if cmds[0] == 0x73 else "")
            if user and user != "NULL":  # tshark's word for an anonymous NTLMSSP logon
                dom = v["ntlmssp.auth.domain"] or v["smb.primary_domain"]
                accounts.add((user, dom))
    return counts, statuses, paths, files, accounts


def smbscope_facts(binary, pcap):
    out = subprocess.run([binary, "-r", pcap, "--format", "json"], capture_output=True, text=True, check=True).stdout
    recs = [json.loads(line) for line in out.splitlines()]
    stats = recs[-1]
    counts = collections.Counter({int(k, 16): n for k, n in stats["smb1_commands"].items()})
    statuses, paths, files, accounts = collections.Counter(), set(), set(), set()
    for r in recs:
        if r["type"] != "smb":
            continue
        # every answered command; compared as a set with tshark's per-frame statuses below
        if r["status_code"] is not None:
            statuses[(r["code"], r["status_code"])] += 1
        if r["command"] == "TREE_CONNECT_ANDX" and r.get("path"):
            paths.add(r["path"].upper())
        if r["code"] in OPENS and r.get("file"):
            files.add(r["file"])
        if r["command"] == "SESSION_SETUP_ANDX" and r.get("user"):
            accounts.add((r["user"], r.get("domain") or ""))
    return counts, statuses, paths, files, accounts


def main():
    if not shutil.which("tshark"):
        print("SKIP: no tshark")
        return 77
    binary, pcaps = sys.argv[1], sys.argv[2:]
    passed = failed = 0
    names = ["command counts", "response statuses", "tree paths", "files opened", "accounts"]
    for pcap in pcaps:
        want, got = tshark_facts(pcap), smbscope_facts(binary, pcap)
        problems = []
        for name, w, g in zip(names, want, got):
            if name == "response statuses":
                # AndX responses: tshark gives one status per frame, smbscope one per command
                g = collections.Counter({k: n for k, n in g.items() if any(k[0] == c for c, _ in w)})
                w_set, g_set = set(w), set(g)
                if w_set != g_set:
                    problems.append(f"{name}: tshark {sorted(w_set - g_set)} smbscope {sorted(g_set - w_set)}")
            elif w != g:
                problems.append(f"{name}: tshark {sorted(w.items()) if isinstance(w, dict) else sorted(w)} "
                                f"smbscope {sorted(g.items()) if isinstance(g, dict) else sorted(g)}")
        print(("ok: " if not problems else "FAIL: ") + pcap)
        for p in problems:
            print("    " + p)
        passed += not problems
        failed += bool(problems)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
