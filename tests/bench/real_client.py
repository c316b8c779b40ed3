#!/usr/bin/python3
"""real_client: one of the four concurrent SMB1 clients of the real-traffic
bench capture (tests/bench/mkreal.sh). Reads one file whole the way the
bigread-445 sample does (impacket.smb.SMB, non-extended NTLMv1 logon,
OPEN_ANDX, READ_ANDX of 61440 bytes, CLOSE, TREE_DISCONNECT, LOGOFF_ANDX),
with the samples' own helpers (samples/clients/smb1lib.py).

Usage: real_client.py FILE [--host ...] [--user ...] ...   (options: smb1lib.DEFAULTS)
Prints key=value facts, as the sample clients do, plus client.ip and
client.port (the local end of the connection: the file record's client in
smbscope's output). Exit 0 when the whole file was read."""
import argparse
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "samples", "clients"))

import smb1lib as L  # noqa: E402  (the path above makes it importable)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    for k, v in L.DEFAULTS.items():
        ap.add_argument("--" + k.replace("_", "-"), dest=k, default=v)
    args = ap.parse_args()
    f = L.Facts()
    conn = L.connect(f, args, 445)
    ip, port = conn.get_socket().getsockname()[:2]
    f("client.ip", ip)
    f("client.port", port)
    if not L.login_ntlmv1(conn, f, args):
        return 1
    tid = L.tree_connect(conn, f, args, args.share)
    if tid is None:
        return 1
    r = L.open_andx(conn, f, tid, "\\" + args.file)
    if r is None:
        return 1
    fid, size = r
    got = L.read_all(conn, f, tid, fid, size, chunk=61440)
    L.close_fid(conn, f, tid, fid)
    L.tree_disconnect(conn, f, tid)
    L.logoff(conn, f)
    L.hangup(conn)
    return 0 if got == size else 1


if __name__ == "__main__":
    sys.exit(main())
