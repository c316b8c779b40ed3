#!/usr/bin/python3
"""Run Samba's smbclient forced to SMB1 (NT1) and print its facts.

One smbclient process, one TCP connection:
  ls                       (TRANS2 FIND_FIRST2 on \\127.0.0.1\\public)
  get hello.txt            (NT_CREATE_ANDX + READ_ANDX + CLOSE)
  tcon upload              (second TREE_CONNECT_ANDX, to the writable share)
  put upload.txt           (NT_CREATE_ANDX + WRITE_ANDX + CLOSE)
Authentication is smbclient's default for NT1: extended security,
SPNEGO/NTLMSSP with NTLMv2.
"""

import argparse
import hashlib
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import smb1lib as L  # noqa: E402

UPLOAD_CONTENT = b"Uploaded by the smbscope smbclient NT1 sample.\n" * 4


def sha256(b):
    return hashlib.sha256(b).hexdigest()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--conf", required=True, help="client smb.conf")
    ap.add_argument("--workdir", required=True, help="local scratch dir")
    ap.add_argument("--upload-share", default="upload")
    ap.add_argument("--public-share", default="public")
    for k, v in L.DEFAULTS.items():
        if k != "share":
            ap.add_argument("--" + k.replace("_", "-"), dest=k, default=v)
    a = ap.parse_args()

    f = L.Facts()
    ver = subprocess.run(["smbclient", "--version"], capture_output=True,
                         text=True).stdout.strip()
    f("capture", "smbclient-nt1.pcap")
    f("scenario", "smbclient -m NT1: negotiate, extended-security session "
      "setup (SPNEGO/NTLMSSP, NTLMv2), tree connect public, ls, get, "
      "tree connect upload, put, exit")
    f("client", "smbclient (%s)" % ver)
    f("protocol", "SMB1 (NT LM 0.12)")
    f("server", a.host)
    f("port", 445)
    f("session_setup.auth", "extended security, SPNEGO/NTLMSSP, NTLMv2")
    f("session_setup.user", a.user)
    f("session_setup.domain", a.domain)

    # Run in the scratch dir with relative local names so that nothing
    # run-specific (temp paths, timings, dates) ends up in the facts.
    got = "got-" + a.small_file
    src = "upload.txt"
    wd = a.workdir
    if os.path.exists(os.path.join(wd, got)):
        os.unlink(os.path.join(wd, got))
    with open(os.path.join(wd, src), "wb") as fh:
        fh.write(UPLOAD_CONTENT)

    unc = "\\\\%s\\%s" % (a.host, a.public_share)
    cmds = "ls; get %s %s; tcon %s; put %s upload.txt; exit" % (
        a.small_file, got, a.upload_share, src)
    argv = ["smbclient", "-s", a.conf, "-m", "NT1",
            "--option=client min protocol=NT1",
            "--option=client max protocol=NT1",
            "-p", "445",
            "-U", "%s\\%s%%%s" % (a.domain, a.user, a.password),
            unc.replace("\\", "/"), "-c", cmds]
    shown = ["<client.conf>" if x == a.conf else x for x in argv]
    f("smbclient.argv", " ".join(x if " " not in x else repr(x)
                                 for x in shown).replace(a.password, "<password>"))
    # smbclient upper-cases the \\server\share path it sends.
    f("tree_connect.1.path", unc.upper())
    f("tree_connect.2.path", ("\\\\%s\\%s" % (a.host, a.upload_share)).upper())
    p = subprocess.run(argv, capture_output=True, text=True, cwd=wd)
    out = (p.stdout + p.stderr)
    sys.stderr.write(out)
    f("smbclient.exit_status", p.returncode)
    bad = [w for w in out.split() if w.startswith("NT_STATUS_")]
    f("smbclient.errors", ",".join(bad) if bad else "none")
    names = []
    for line in out.splitlines():
        m = re.match(r"^  (.+?)\s+([DNAHSR]+)\s+\d+\s+\w{3} \w{3} ", line)
        if m:
            names.append(m.group(1))
    f("ls.pattern", "\\*")
    f("ls.names", " ".join(names))
    f("ls.status", "STATUS_SUCCESS" if a.small_file in names else "missing listing")
    f("get.name", "\\" + a.small_file)
    if os.path.exists(os.path.join(wd, got)):
        data = open(os.path.join(wd, got), "rb").read()
        f("get.status", "STATUS_SUCCESS")
        f("read.bytes", len(data))
        f("read.sha256", sha256(data))
    else:
        f("get.status", "failed")
        data = None
    f("put.name", "\\upload.txt")
    f("put.status", "STATUS_SUCCESS" if p.returncode == 0 and not bad else "failed")
    f("write.bytes", len(UPLOAD_CONTENT))
    f("write.sha256", sha256(UPLOAD_CONTENT))
    return 0 if p.returncode == 0 and not bad and data is not None else 1


if __name__ == "__main__":
    sys.exit(main())
