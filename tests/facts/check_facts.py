#!/usr/bin/env python3
"""check_facts.py SMBSCOPE PCAP FACTS: run smbscope on PCAP (JSON) and check every
fact of FACTS (what the client saw) that a passive analyzer can know: NBSS names
and responses, dialect, challenge length, statuses per step, user, domain, auth
kind, server native OS/LanMan, UID/TID/FID, tree paths, file names, sizes, bytes
read/written and their SHA-256. Prints one ok/FAIL line per check, then
'N passed, N failed'; exit status 1 on any failure. A fact smbscope has no key
or record for is a failure: every fact checked here is one smbscope reports."""
import pathlib
import re
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "tools"))
import summary  # noqa: E402

# NT status values (MS-ERREF 2.3.1) of the status names that occur in facts files
NT_STATUS = {
    "STATUS_SUCCESS": 0x00000000, "STATUS_MORE_PROCESSING_REQUIRED": 0xC0000016,
    "STATUS_OBJECT_NAME_NOT_FOUND": 0xC0000034, "STATUS_LOGON_FAILURE": 0xC000006D,
    "STATUS_BAD_NETWORK_NAME": 0xC00000CC, "STATUS_NOT_FOUND": 0xC0000225,
}
# the NT LM 0.12 dialect and its alias ([MS-CIFS] 1.7; Samba picks the alias from smbclient's list)
NT1_NAMES = ("NT LM 0.12", "NT LANMAN 1.0")
DOS_RE = re.compile(r"^(\S+) \(DOS class=0x([0-9a-fA-F]+) code=0x([0-9a-fA-F]+)\)$")


def auth_kind(desc):
    """the facts' description of the logon -> smbscope's auth name"""
    d = desc.lower()
    if d.startswith("anonymous"):
        return "anonymous"
    if "ntlmssp" in d:
        return "ntlmssp-v2" if "ntlmv2" in d else "ntlmssp-v1"
    if "lm only" in d:
        return "lm"
    if "ntlmv2" in d:
        return "ntlmv2"
    if "ntlmv1" in d:
        return "ntlmv1"
    if "plaintext" in d:
        return "plaintext"
    raise ValueError(f"unknown auth description {desc!r}")


class Checker:
    def __init__(self):
        self.passed = self.failed = 0

    def eq(self, what, want, got):
        ok = want == got
        self.passed += ok
        self.failed += not ok
        print(f"{'ok  ' if ok else 'FAIL'} {what}: want {want!r}, got {got!r}")
        return ok

    def true(self, what, cond, detail=""):
        self.passed += bool(cond)
        self.failed += not cond
        print(f"{'ok  ' if cond else 'FAIL'} {what}{': ' + detail if detail else ''}")
        return cond

    def opt(self, what, rec, keys, want, conv=lambda v: v):
        """compare with the first of `keys` present in rec; fail if none is"""
        for k in keys:
            if rec is not None and k in rec:
                return self.eq(f"{what} [{k}]", want, conv(rec[k]))
        return self.true(what, False, f"want {want!r}, but " +
                         ("no record" if rec is None else f"no {'/'.join(keys)} key in smbscope's record"))

    def status(self, what, rec, fact):
        if rec is None:
            return self.true(what, False, f"want {fact!r}, no record")
        got = (rec.get("status"), rec.get("status_code"))
        m = DOS_RE.match(fact)
        if m:   # DOS error: class in the low byte, code in the high 16 bits, as on the wire
            code = int(m.group(2), 16) | int(m.group(3), 16) << 16
            ok = got[1] == code and (code == 0 or got[0] == m.group(1))
            want = (m.group(1) if code else "(any name)", code)
        else:
            want = (fact, NT_STATUS.get(fact, got[1]))
            ok = got == want
        return self.true(what, ok, f"want {want[0]!r} 0x{want[1]:08x}, got {got[0]!r} "
                         + (f"0x{got[1]:08x}" if isinstance(got[1], int) else repr(got[1])))


def one(recs):
    return recs[-1] if recs else None


def check(binary, pcap, facts_path):
    f = summary.read_facts(facts_path)
    c = Checker()
    run = summary.run_json(binary, pcap)
    c.eq("smbscope exit status", 0, run.rc)
    c.true("JSON valid against the schema", not run.problems, "; ".join(run.problems[:3]))
    smb, files, sessions, nbss = run.smb(), run.of("file"), run.of("session"), run.of("nbss")

    # ---- NetBIOS session service
    if "nbss.called_name" in f:
        req = one([r for r in nbss if r.get("msg") == "session_request"])
        c.eq("nbss.called_name", f["nbss.called_name"], req and req.get("called"))
        c.eq("nbss.calling_name", f["nbss.calling_name"], req and req.get("calling"))
    resp = f.get("nbss.session_response", "")
    if resp.startswith("POSITIVE"):
        c.true("nbss positive response", any(r.get("msg") == "positive_response" for r in nbss))
    elif resp.startswith("NEGATIVE"):
        neg = one([r for r in nbss if r.get("msg") == "negative_response"])
        code = int(f["nbss.error_code"].split()[0], 16)
        c.eq("nbss.error_code", code, neg and neg.get("error"))
        c.eq("no SMB after a negative session response", 0, len(smb))
    if f.get("server_closed_connection") == "yes":
        c.eq("connection end", ["closed"], [r.get("state") for r in run.of("conn")])

    # ---- NEGOTIATE. The dialect is the offered one the server picked; where the
    # facts only name the protocol level ("SMB1 (NT LM 0.12)", a constant in the
    # client scripts), any name of that dialect will do.
    neg = one(run.smb("NEGOTIATE"))
    dialect = None
    if "negotiate.dialects_offered" in f:
        offered = f["negotiate.dialects_offered"].split(", ")
        dialect = {offered[int(f["negotiate.dialect_index"])]}
        c.eq("negotiate.dialects_offered", offered, neg and neg.get("dialects"))
    elif "NT LM 0.12" in f.get("protocol", ""):
        dialect = set(NT1_NAMES)
    if dialect:
        c.true("negotiated dialect", neg and neg.get("dialect") in dialect,
               f"want {' or '.join(sorted(dialect))}, got {neg and neg.get('dialect')!r}")
    if "negotiate.dialects_offered" in f:
        c.status("negotiate.status", neg, f["negotiate.status"])
        clen = int(f["negotiate.challenge_length"])
        # README: smbscope rebuilds the NEGOTIATE challenge (hex); required, not optional
        ch = (neg or {}).get("challenge")
        c.eq("negotiate.challenge_length", clen, len(ch) // 2 if isinstance(ch, str) else ch)
        c.opt("negotiate.security_mode", neg, ["security_mode"], int(f["negotiate.security_mode"], 16))
        c.opt("negotiate.server_capabilities", neg, ["capabilities"],
              int(f["negotiate.server_capabilities"], 16))
        c.opt("negotiate.max_buffer_size", neg, ["max_buffer", "max_buffer_size"],
              int(f["negotiate.max_buffer_size"]))

    # ---- SESSION_SETUP_ANDX (the last leg carries the outcome)
    uid = tid = sess = None
    if "session_setup.user" in f:
        ss = one(run.smb("SESSION_SETUP_ANDX"))
        user, domain = f["session_setup.user"], f["session_setup.domain"]
        kind = auth_kind(f["session_setup.auth"])
        c.eq("session_setup.user", user, ss and ss.get("user"))
        c.eq("session_setup.domain", domain, ss and ss.get("domain"))
        c.eq("session_setup.auth", kind, ss and ss.get("auth"))
        if "session_setup.status" in f:
            c.status("session_setup.status", ss, f["session_setup.status"])
        if "session_setup.uid" in f:
            uid = int(f["session_setup.uid"])
            c.eq("session_setup.uid", uid, ss and ss.get("uid"))
        for key, names in (("server_native_os", ["server_native_os"]),
                           ("server_native_lanman", ["server_native_lanman"]),
                           ("server_primary_domain", ["server_domain", "server_primary_domain"])):
            if "session_setup." + key in f:
                c.opt("session_setup." + key, ss, names, f["session_setup." + key])
        if "session_setup.guest" in f:
            c.opt("session_setup.guest", ss, ["guest"], f["session_setup.guest"] == "yes")
        # the session record
        st = f.get("session_setup.status", "STATUS_SUCCESS")
        found = [s for s in sessions if s.get("user") == user and (uid is None or s.get("uid") == uid)]
        if uid is not None or st.startswith(("STATUS_SUCCESS", "SUCCESS")):
            c.eq("session records for the logon", 1, len(found))
        sess = one(found[:1])
        if sess is not None:
            c.eq("session.domain", domain, sess.get("domain"))
            c.eq("session.auth", kind, sess.get("auth"))
            if dialect:
                c.true("session.dialect", sess.get("dialect") in dialect, repr(sess.get("dialect")))
            if DOS_RE.match(st):
                c.true("session.status is success", sess.get("status") in ("STATUS_SUCCESS", "SUCCESS"),
                       repr(sess.get("status")))
            else:
                c.eq("session.status", st, sess.get("status"))

    # ---- notices the scenario was made to raise (notice.NAME=count)
    for k in (k for k in f if k.startswith("notice.")):
        name = k[len("notice."):]
        c.eq(k, int(f[k]), len([r for r in run.of("notice") if r.get("name") == name]))
    if "brute.failed_logons" in f:
        c.eq("brute.failed_logons", int(f["brute.failed_logons"]),
             len([r for r in run.smb("SESSION_SETUP_ANDX") if r.get("status") == "STATUS_LOGON_FAILURE"]))

    # ---- TREE_CONNECT_ANDX
    trees = run.smb("TREE_CONNECT_ANDX")
    paths = [f[k] for k in f if re.fullmatch(r"tree_connect(\.\d+)?\.path", k)]
    for i, path in enumerate(paths):
        tc = one([t for t in trees if t.get("path") == path])
        c.true(f"tree connect to {path} reported", tc is not None,
               f"paths seen: {[t.get('path') for t in trees]}")
        ok = "tree_connect.status" not in f or f["tree_connect.status"] == "STATUS_SUCCESS"
        if "tree_connect.status" in f:
            c.status(f"tree_connect.status {path}", tc, f["tree_connect.status"])
        if "tree_connect.service" in f:
            c.eq("tree_connect.service", f["tree_connect.service"], tc and tc.get("service"))
        if "tree_connect.tid" in f:
            tid = int(f["tree_connect.tid"])
            c.eq("tree_connect.tid", tid, tc and tc.get("tid"))
        if sess is not None:
            c.eq(f"session.shares has {path}", ok, path in (sess.get("shares") or []))

    # ---- opens, reads, writes (impacket: open.*/read.*; smbclient: get.*/put.*/write.*)
    def file_checks(label, name, status, command=None, fid=None, size=None, share=None):
        opens = [r for r in smb if r.get("command") in ("OPEN_ANDX", "NT_CREATE_ANDX") and r.get("file") == name]
        op = one(opens)
        c.true(f"{label}: open of {name} reported", op is not None,
               f"opened: {[r.get('file') for r in smb if 'file' in r]}")
        if command:
            c.eq(f"{label}.command", command, op and op.get("command"))
        c.status(f"{label}.status", op, status)
        frec = [r for r in files if r.get("name") == name]
        if status != "STATUS_SUCCESS":
            c.eq(f"{label}: no file record for a failed open", 0, len(frec))
            return None
        if fid is not None:
            c.eq(f"{label}.fid", fid, op and op.get("fid"))
        if size is not None:
            c.eq(f"{label}.file_size", size, op and op.get("size"))
        c.eq(f"{label}: file records for {name}", 1, len(frec))
        fr = one(frec)
        if fr is not None:
            if fid is not None:
                c.eq(f"{label}: file.fid", fid, fr.get("fid"))
            if size is not None:
                c.eq(f"{label}: file.size", size, fr.get("size"))
            if uid is not None:
                c.eq(f"{label}: file.uid", uid, fr.get("uid"))
                c.eq(f"{label}: open uid", uid, op and op.get("uid"))
            if tid is not None:
                c.eq(f"{label}: file.tid", tid, fr.get("tid"))
                c.eq(f"{label}: open tid", tid, op and op.get("tid"))
            if share is not None:
                c.eq(f"{label}: file.share", share, fr.get("share"))
            # who opened it (README: every file record names its session's account)
            if "session_setup.user" in f:
                c.opt(f"{label}: file.user", fr, ["user"], f["session_setup.user"])
                c.opt(f"{label}: file.domain", fr, ["domain"], f["session_setup.domain"])
        if sess is not None:
            c.true(f"{label}: session.files has {name}", name in (sess.get("files") or []),
                   repr(sess.get("files")))
        return fr

    def data_checks(label, fr, command, nbytes, sha, size=None, requests=None, status=None):
        key = "bytes_read" if command == "READ_ANDX" else "bytes_written"
        fid = fr.get("fid") if fr else None
        recs = [r for r in run.smb(command) if r.get("fid") == fid]
        if requests is not None:
            c.eq(f"{label}.requests ({command} records)", requests, len(recs))
        if status is not None:
            bad = [r.get("status") for r in recs if r.get("status") != status]
            c.true(f"{label}.status of every {command}", recs and not bad, f"want {status}, other: {bad[:3]}")
        c.eq(f"{label}.bytes (sum of {command} lengths)", nbytes, sum(r.get("length") or 0 for r in recs))
        c.eq(f"{label}.bytes (file.{key})", nbytes, fr and fr.get(key))
        c.eq(f"{label}.sha256", sha, fr and fr.get("sha256"))
        if size is not None and nbytes == size:
            c.eq(f"{label}: file.{key[6:]}_ranges", [[0, size]], fr and fr.get(key[6:] + "_ranges"))
            c.eq(f"{label}: file.complete", True, fr and fr.get("complete"))

    share = paths[-1] if paths else None
    if "open.name" in f:
        size = int(f["open.file_size"]) if "open.file_size" in f else None
        fr = file_checks("open", f["open.name"], f["open.status"], f.get("open.command"),
                         int(f["open.fid"]) if "open.fid" in f else None, size, share)
        if "read.bytes" in f:
            data_checks("read", fr, f["read.command"], int(f["read.bytes"]), f["read.sha256"],
                        size, int(f["read.requests"]), f["read.status"])
    if "get.name" in f:
        fr = file_checks("get", f["get.name"], f["get.status"], share=f.get("tree_connect.1.path"))
        if "read.bytes" in f:
            data_checks("read", fr, "READ_ANDX", int(f["read.bytes"]), f["read.sha256"])
    if "put.name" in f:
        fr = file_checks("put", f["put.name"], f["put.status"], share=f.get("tree_connect.2.path"))
        if "write.bytes" in f:
            data_checks("write", fr, "WRITE_ANDX", int(f["write.bytes"]), f["write.sha256"])
    if "pipe.name" in f:
        # a named pipe: an open that is not a file (no hash), with its payload counted
        fr = file_checks("pipe", f["pipe.name"], f["pipe.status"], f.get("pipe.command"),
                         int(f["pipe.fid"]) if "pipe.fid" in f else None, None, share)
        if fr is not None:
            c.opt("pipe: file.kind", fr, ["kind"], "pipe")
            c.opt("pipe.bytes_written (file.bytes_in)", fr, ["bytes_in"], int(f["pipe.bytes_written"]))
            c.opt("pipe.bytes_read (file.bytes_out)", fr, ["bytes_out"], int(f["pipe.bytes_read"]))
            if "kind" in fr:
                c.eq("pipe: no content fields on a pipe", [],
                     [k for k in ("sha256", "complete", "no_hash_reason", "read_ranges", "write_ranges") if k in fr])
            for key, command in (("pipe.write_andx_requests", "WRITE_ANDX"), ("pipe.read_andx_requests", "READ_ANDX"),
                                 ("pipe.transaction_requests", "TRANSACTION")):
                if key in f:
                    recs = [r for r in run.smb(command) if r.get("fid") == fr.get("fid")]
                    c.eq(f"{key} ({command} records on the pipe)", int(f[key]), len(recs))
                    c.eq(f"{key}: each names the pipe", [f["pipe.name"]] * len(recs), [r.get("file") for r in recs])
        if "rpc.shares" in f:
            # what NetrShareEnum returned, decoded from the response stub
            enum = [r for r in run.of("dcerpc") if r.get("operation") == "NetrShareEnum"]
            c.eq("rpc.shares (NetrShareEnum's dcerpc record)", f["rpc.shares"].split(","),
                 enum[0].get("shares") if enum else None)
    if "ls.pattern" in f:
        t2 = [r for r in run.smb("TRANSACTION2") if r.get("subcommand_name") == "FIND_FIRST2"]
        if t2:
            c.status("ls.status (FIND_FIRST2)", t2[0], f["ls.status"])
            c.opt("ls.pattern", t2[0], ["file", "pattern"], f["ls.pattern"])
        else:
            c.true("ls.status (FIND_FIRST2)", False, "no TRANSACTION2 record with subcommand_name FIND_FIRST2")

    # ---- DCE/RPC calls (svcctl-445, samr-445, winreg-445): what the client sent and was told
    dce = run.of("dcerpc")
    if "rpc.interface" in f:
        # the fact may go on with the UUID and version ("srvsvc 4b324fc8-... v3.0"): the name leads
        want_iface = f["rpc.interface"].split()[0]
        c.true("dcerpc: the calls were decoded", bool(dce), f"{len(dce)} dcerpc records")
        c.true("dcerpc: every call names the interface",
               all(r.get("interface") == want_iface for r in dce),
               str(sorted({r.get("interface") for r in dce})))

        def call(op):
            return one([r for r in dce if r.get("operation") == op])

        for key, op, field in (("rpc.CreateServiceW.service_name", "CreateServiceW", "service_name"),
                               ("rpc.CreateServiceW.binary_path", "CreateServiceW", "binary_path"),
                               ("rpc.CreateServiceW.start_type", "CreateServiceW", "start_type"),
                               ("rpc.OpenServiceW.service_name", "OpenServiceW", "service_name"),
                               ("rpc.BaseRegOpenKey.key_path", "BaseRegOpenKey", "key_path"),
                               ("rpc.BaseRegQueryValue.value_name", "BaseRegQueryValue", "value_name")):
            if key in f:
                r = call(op)
                c.eq(f"{key} ({op} record's {field})", f[key], r and r.get(field))
        for key, op, field in (("rpc.SamrEnumerateUsersInDomain.names", "SamrEnumerateUsersInDomain", "names"),
                               ("rpc.SamrEnumerateUsersInDomain.rids", "SamrEnumerateUsersInDomain", "rids"),
                               ("rpc.SamrEnumerateDomainsInSamServer.names", "SamrEnumerateDomainsInSamServer",
                                "names")):
            if key in f:
                r = call(op)
                c.eq(f"{key} ({op} record's {field})", f[key].split(",") if f[key] else [], r and r.get(field))
        if "rpc.SamrLookupDomainInSamServer.sid" in f:
            r = call("SamrLookupDomainInSamServer")
            c.eq("rpc.SamrLookupDomainInSamServer.sid", [f["rpc.SamrLookupDomainInSamServer.sid"]],
                 r and r.get("sids"))
        for k, v in f.items():
            # rpc.<Operation>.status: the op's return value (or the fault code) as the client saw it
            if k.startswith("rpc.") and k.endswith(".status") and k.count(".") == 2:
                r = call(k.split(".")[1])
                # the call must have been decoded: a missing record fails, it is not a skip
                c.eq(k, int(v, 16), r.get("status_code") if r is not None else "no dcerpc record")

    # ---- the rest of the exchange
    for step, command in (("close", "CLOSE"), ("tree_disconnect", "TREE_DISCONNECT"),
                          ("logoff", "LOGOFF_ANDX")):
        if step + ".status" in f:
            recs = run.smb(command)
            c.true(f"{step}: {command} reported", bool(recs))
            for r in recs:
                c.status(f"{step}.status", r, f[step + ".status"])

    print(f"{c.passed} passed, {c.failed} failed")
    return c.failed == 0


def main():
    if len(sys.argv) != 4:
        print(__doc__)
        return 2
    return 0 if check(*sys.argv[1:]) else 1


if __name__ == "__main__":
    sys.exit(main())
