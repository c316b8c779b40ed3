#!/usr/bin/python3
"""SMB1 client scenarios for smbscope's sample captures (impacket.smb.SMB).

Usage: smb1_scenarios.py SCENARIO [--host ...] [--user ...] ...

Prints the client's own view of the exchange as key=value lines on stdout
(make_samples.sh stores them as samples/<capture>.facts).  Exit status is 0
when the server behaved as the scenario expects.
"""

import argparse
import hashlib
import socket
import sys
import os
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from impacket import nmb, smb  # noqa: E402

import smb1lib as L  # noqa: E402
import smb1_pipe_scenarios  # noqa: E402,F401  (registers pipe-445 and the DCE/RPC scenarios)

def seed(args, port, capture):
    """The MS-CIFS 'SMB Protocol Packet Exchange Scenario'."""
    f = L.Facts()
    L.header(f, args, capture,
           "negotiate, session setup (non-extended NTLMv1), tree connect, "
           "OPEN_ANDX, READ_ANDX, CLOSE, TREE_DISCONNECT, LOGOFF_ANDX")
    conn = L.connect(f, args, port)
    ok = L.login_ntlmv1(conn, f, args)
    if not ok:
        return 1
    tid = L.tree_connect(conn, f, args, args.share)
    if tid is None:
        return 1
    name = "\\" + args.small_file
    r = L.open_andx(conn, f, tid, name)
    if r is None:
        return 1
    fid, size = r
    L.read_all(conn, f, tid, fid, size, chunk=4096)
    L.close_fid(conn, f, tid, fid)
    L.tree_disconnect(conn, f, tid)
    L.logoff(conn, f)
    L.hangup(conn)
    return 0


@L.scenario("seed-445")
def seed_445(args):
    return seed(args, 445, "seed-445.pcap")


@L.scenario("seed-139")
def seed_139(args):
    return seed(args, 139, "seed-139.pcap")


@L.scenario("bigread-445")
def bigread(args):
    f = L.Facts()
    L.header(f, args, "bigread-445.pcap",
           "like seed-445 but reads the multi-megabyte file with READ_ANDX "
           "in 61440-byte requests")
    conn = L.connect(f, args, 445)
    if not L.login_ntlmv1(conn, f, args):
        return 1
    tid = L.tree_connect(conn, f, args, args.share)
    r = L.open_andx(conn, f, tid, "\\" + args.big_file)
    if r is None:
        return 1
    fid, size = r
    L.read_all(conn, f, tid, fid, size, chunk=61440)
    L.close_fid(conn, f, tid, fid)
    L.tree_disconnect(conn, f, tid)
    L.logoff(conn, f)
    L.hangup(conn)
    return 0


@L.scenario("badlogon-445")
def badlogon(args):
    f = L.Facts()
    L.header(f, args, "badlogon-445.pcap",
           "negotiate, session setup (non-extended NTLMv1) with a wrong "
           "password -> STATUS_LOGON_FAILURE, then the client hangs up")
    conn = L.connect(f, args, 445)
    f("session_setup.password_is_correct", "no")
    ok = L.login_ntlmv1(conn, f, args, password="WrongPassword")
    L.hangup(conn)
    return 0 if not ok else 1


BRUTE_TRIES = 12


@L.scenario("brute-445")
def brute(args):
    """a password guesser: BRUTE_TRIES connections in a row, each a
    non-extended NTLMv1 logon with another wrong password (facts: the first
    try's exchange, then the totals)"""
    f = L.Facts()
    L.header(f, args, "brute-445.pcap",
           "%d connections in a row, each: negotiate, session setup (non-extended NTLMv1) with a "
           "wrong password -> STATUS_LOGON_FAILURE, hang up" % BRUTE_TRIES)
    f("session_setup.password_is_correct", "no")
    quiet = lambda key, value: None  # noqa: E731 (the later tries repeat the first one's facts)
    failed = 0
    for i in range(BRUTE_TRIES):
        facts = f if i == 0 else quiet
        conn = L.connect(facts, args, 445)
        if not L.login_ntlmv1(conn, facts, args, password="Guess%02d" % i):
            failed += 1
        L.hangup(conn)
        # let the server's close land before the next try: connections one
        # after another, as a single-threaded guesser makes them
        time.sleep(0.1)
    f("brute.tries", BRUTE_TRIES)
    f("brute.failed_logons", failed)
    # what smbscope must make of it with its defaults (10 failures within 60 s)
    f("notice.logon_brute_force", 1)
    return 0 if failed == BRUTE_TRIES else 1


@L.scenario("badshare-445")
def badshare(args):
    f = L.Facts()
    L.header(f, args, "badshare-445.pcap",
           "negotiate, session setup, tree connect to a missing share -> "
           "STATUS_BAD_NETWORK_NAME, logoff")
    conn = L.connect(f, args, 445)
    if not L.login_ntlmv1(conn, f, args):
        return 1
    tid = L.tree_connect(conn, f, args, "NOSUCHSHARE")
    L.logoff(conn, f)
    L.hangup(conn)
    return 0 if tid is None else 1


def nofile(args, capture, cls, dos):
    f = L.Facts()
    L.header(f, args, capture,
           "negotiate, session setup, tree connect, OPEN_ANDX of a missing "
           "file -> %s, tree disconnect, logoff" %
           ("ERRDOS/ERRbadfile (DOS error class 0x01 code 0x0002)" if dos
            else "STATUS_OBJECT_NAME_NOT_FOUND"))
    conn = L.connect(f, args, 445, cls=cls)
    if dos:
        # No CAP_STATUS32 (CAP_USE_NT_ERRORS) and no FLAGS2_NT_STATUS:
        # the server must answer with DOS error classes/codes.
        f("session_setup.auth", "non-extended NTLMv1")
        f("session_setup.user", args.user)
        f("session_setup.domain", args.domain)
        f("flags2_nt_status", "no")
        caps = (smb.SMB.CAP_RAW_MODE | smb.SMB.CAP_LARGE_READX
                | smb.SMB.CAP_LARGE_WRITEX)
        _, ok = L.session_setup_raw(conn, f, args.user, args.domain,
                                    L.lm_response(conn, args.password),
                                    L.ntlmv1_response(conn, args.password),
                                    capabilities=caps)
    else:
        ok = L.login_ntlmv1(conn, f, args)
    if not ok:
        return 1
    tid = L.tree_connect(conn, f, args, args.share)
    if tid is None:
        return 1
    r = L.open_andx(conn, f, tid, "\\missing.txt")
    L.tree_disconnect(conn, f, tid)
    L.logoff(conn, f)
    L.hangup(conn)
    return 0 if r is None else 1


@L.scenario("nofile-445")
def nofile_445(args):
    return nofile(args, "nofile-445.pcap", L.NoExtSecSMB, dos=False)


@L.scenario("nofile-dos-445")
def nofile_dos_445(args):
    return nofile(args, "nofile-dos-445.pcap", L.DosErrorsSMB, dos=True)


@L.scenario("anon-445")
def anon(args):
    f = L.Facts()
    L.header(f, args, "anon-445.pcap",
           "negotiate, anonymous (null session) session setup, tree connect "
           "to IPC$, tree disconnect, logoff")
    conn = L.connect(f, args, 445)
    f("session_setup.auth", "anonymous (empty user, empty passwords)")
    f("session_setup.user", "")
    f("session_setup.domain", "")
    try:
        conn.login_standard("", "")
    except smb.SessionError as e:
        f("session_setup.status", L.error_status(e))
        return 1
    f("session_setup.ansi_password_length", 0)
    f("session_setup.unicode_password_length", 0)
    f("session_setup.status", "STATUS_SUCCESS")
    f("session_setup.uid", conn.get_uid())
    f("session_setup.guest", "yes" if conn.isGuestSession() else "no")
    tid = L.tree_connect(conn, f, args, "IPC$")
    if tid is None:
        return 1
    L.tree_disconnect(conn, f, tid)
    L.logoff(conn, f)
    L.hangup(conn)
    return 0


def altauth(args, capture, kind):
    f = L.Facts()
    L.header(f, args, capture,
           "like seed-445, but the non-extended session setup carries %s" %
           {"lm": "only an LM response (Unicode password empty)",
            "ntlmv2": "LMv2 + NTLMv2 responses"}[kind])
    conn = L.connect(f, args, 445)
    f("session_setup.user", args.user)
    f("session_setup.domain", args.domain)
    if kind == "lm":
        f("session_setup.auth", "non-extended LM only")
        ansi, uni = L.lm_response(conn, args.password), b""
    else:
        f("session_setup.auth", "non-extended LMv2 + NTLMv2")
        ansi, uni = L.ntlmv2_responses(conn, args.user, args.domain,
                                       args.password, b"\x5a" * 8)
    _, ok = L.session_setup_raw(conn, f, args.user, args.domain, ansi, uni)
    if not ok:
        return 1
    tid = L.tree_connect(conn, f, args, args.share)
    r = L.open_andx(conn, f, tid, "\\" + args.small_file)
    if r is None:
        return 1
    fid, size = r
    L.read_all(conn, f, tid, fid, size, chunk=4096)
    L.close_fid(conn, f, tid, fid)
    L.tree_disconnect(conn, f, tid)
    L.logoff(conn, f)
    L.hangup(conn)
    return 0


@L.scenario("lm-445")
def lm_445(args):
    return altauth(args, "lm-445.pcap", "lm")


@L.scenario("ntlmv2-445")
def ntlmv2_445(args):
    return altauth(args, "ntlmv2-445.pcap", "ntlmv2")


@L.scenario("netbios-negative-139")
def netbios_negative(args):
    """NBSS SESSION REQUEST whose *calling* name has suffix 0x52 ('R').

    Samba's smbd refuses such "pathworks" sessions with a NEGATIVE SESSION
    RESPONSE (0x83), error 0x82 (Called name not present), and hangs up.
    """
    f = L.Facts()
    f("capture", "netbios-negative-139.pcap")
    f("scenario", "NBSS session request on TCP 139 refused with a negative "
      "session response; no SMB at all")
    f("client", "python3 socket + impacket.nmb.encode_name")
    f("server", args.host)
    f("port", 139)
    called = args.server_name.upper()
    calling = args.client_name.upper()
    f("nbss.called_name", "%s<20>" % called)
    f("nbss.calling_name", "%s<52>" % calling)
    payload = (nmb.encode_name(called, nmb.TYPE_SERVER, "")
               + nmb.encode_name(calling, 0x52, ""))
    req = bytes([0x81, 0]) + len(payload).to_bytes(2, "big") + payload
    s = socket.create_connection((args.host, 139), timeout=10)
    s.sendall(req)
    resp = b""
    while True:
        chunk = s.recv(4096)
        if not chunk:
            break
        resp += chunk
    s.close()
    f("nbss.request_type", "0x81 SESSION REQUEST")
    if len(resp) >= 4:
        f("nbss.response_type", "0x%02X" % resp[0])
        f("nbss.response_length", int.from_bytes(resp[2:4], "big"))
    if len(resp) >= 5 and resp[0] == 0x83:
        codes = {0x80: "Not listening on called name",
                 0x81: "Not listening for calling name",
                 0x82: "Called name not present",
                 0x83: "Called name present, but insufficient resources",
                 0x8F: "Unspecified error"}
        f("nbss.session_response", "NEGATIVE SESSION RESPONSE (0x83)")
        f("nbss.error_code", "0x%02X %s" % (resp[4], codes.get(resp[4], "?")))
        f("server_closed_connection", "yes")
        return 0
    f("nbss.session_response", "unexpected: %s" % resp.hex())
    return 1


# ---------------------------------------------------------------- chain-445

# OPEN_ANDX Flags ([MS-CIFS] 2.2.4.41.1): REQ_ATTRIB asks for the file's
# attributes, size and type in the response
REQ_ATTRIB = 0x0001
CHAIN_READ_SIZE = 4096


def parse_chain_response(raw):
    """(open_words, read_words, read_data) of an OPEN_ANDX response with a
    READ_ANDX response chained after it, parsed from the raw SMB message."""
    import struct
    wct = raw[32]
    ow = raw[33:33 + 2 * wct]
    next_cmd, _, next_off = struct.unpack_from("<BBH", ow, 0)
    if next_cmd != smb.SMB.SMB_COM_READ_ANDX:
        raise SystemExit("no READ_ANDX chained in the response (AndXCommand 0x%02x)" % next_cmd)
    (fid, _attrs, _mtime, size, _access, ftype, _ipc, action) = struct.unpack_from("<HHLLHHHH", ow, 4)
    rw = raw[next_off + 1:next_off + 1 + 2 * raw[next_off]]
    (_avail, _mode, _res, dlen, doff, dhigh) = struct.unpack_from("<HHHHHH", rw, 4)
    dlen |= dhigh << 16
    return (fid, size, ftype, action), raw[doff:doff + dlen]


@L.scenario("chain-445")
def chain(args):
    """OPEN_ANDX with READ_ANDX chained in the same message. The READ's FID
    is 0xFFFF: "the FID the open in this chain returned" ([MS-CIFS] 2.2.4.2 /
    3.3.5.2; Samba's chain_fsp)."""
    f = L.Facts()
    L.header(f, args, "chain-445.pcap",
           "negotiate, session setup (non-extended NTLMv1), tree connect, "
           "OPEN_ANDX with READ_ANDX chained in one message (READ FID 0xFFFF), "
           "CLOSE, TREE_DISCONNECT, LOGOFF_ANDX")
    conn = L.connect(f, args, 445)
    if not L.login_ntlmv1(conn, f, args):
        return 1
    tid = L.tree_connect(conn, f, args, args.share)
    if tid is None:
        return 1
    name = "\\" + args.small_file
    pkt = smb.NewSMBPacket()
    pkt["Tid"] = tid
    op = smb.SMBCommand(smb.SMB.SMB_COM_OPEN_ANDX)
    op["Parameters"] = smb.SMBOpenAndX_Parameters()
    op["Parameters"]["Flags"] = REQ_ATTRIB
    op["Parameters"]["DesiredAccess"] = smb.SMB_SHARE_DENY_NONE | smb.SMB_ACCESS_READ
    op["Parameters"]["OpenMode"] = smb.SMB_O_OPEN
    op["Parameters"]["SearchAttributes"] = smb.ATTR_READONLY | smb.ATTR_HIDDEN | smb.ATTR_ARCHIVE
    op["Data"] = smb.SMBOpenAndX_Data(flags=conn.get_flags()[1])
    op["Data"]["FileName"] = name
    pkt.addCommand(op)
    rd = smb.SMBCommand(smb.SMB.SMB_COM_READ_ANDX)
    rd["Parameters"] = smb.SMBReadAndX_Parameters()
    rd["Parameters"]["Fid"] = 0xFFFF          # the FID the chained open returns
    rd["Parameters"]["Offset"] = 0
    rd["Parameters"]["MaxCount"] = CHAIN_READ_SIZE
    pkt.addCommand(rd)                        # sets the open's AndXCommand/AndXOffset
    f("chain.commands", "OPEN_ANDX,READ_ANDX")
    f("chain.read_fid", "0xFFFF")
    f("open.command", "OPEN_ANDX")
    f("open.name", name)
    conn.sendSMB(pkt)
    resp = conn.recvSMB()
    text, raw_status = L.packet_status(resp)
    f("open.status", text)
    if raw_status != 0:
        return 1
    (fid, size, ftype, _action), data = parse_chain_response(resp.getData())
    f("open.fid", fid)
    f("open.file_size", size)
    f("open.file_type", ftype)
    f("read.command", "READ_ANDX")
    f("read.request_size", CHAIN_READ_SIZE)
    f("read.requests", 1)
    f("read.status", text)
    f("read.bytes", len(data))
    f("read.sha256", hashlib.sha256(data).hexdigest())
    L.close_fid(conn, f, tid, fid)
    L.tree_disconnect(conn, f, tid)
    L.logoff(conn, f)
    L.hangup(conn)
    return 0 if len(data) == size else 1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("scenario", choices=sorted(L.SCENARIOS))
    for k, v in L.DEFAULTS.items():
        ap.add_argument("--" + k.replace("_", "-"), dest=k, default=v)
    args = ap.parse_args()
    return L.SCENARIOS[args.scenario](args)


if __name__ == "__main__":
    sys.exit(main())
