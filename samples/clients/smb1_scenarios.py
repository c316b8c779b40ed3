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

from impacket import nmb, smb, version  # noqa: E402

import smb1lib as L  # noqa: E402

SCENARIOS = {}


def scenario(name):
    def reg(fn):
        SCENARIOS[name] = fn
        return fn
    return reg


def header(facts, args, capture, what):
    facts("capture", capture)
    facts("scenario", what)
    facts("client", "impacket.smb.SMB (python3-impacket %s)" % version.version)
    facts("protocol", "SMB1 (NT LM 0.12)")


def login_ntlmv1(conn, facts, args, password=None):
    """SESSION_SETUP_ANDX, non-extended, via impacket's login_standard()
    (LM response in the ANSI field, NTLMv1 response in the Unicode field)."""
    password = args.password if password is None else password
    facts("session_setup.auth", "non-extended NTLMv1 (impacket login_standard)")
    facts("session_setup.user", args.user)
    facts("session_setup.domain", args.domain)
    try:
        conn.login_standard(args.user, password, args.domain)
    except smb.SessionError as e:
        facts("session_setup.status", L.error_status(e))
        return False
    facts("session_setup.ansi_password_length", 24)
    facts("session_setup.unicode_password_length", 24)
    facts("session_setup.status", "STATUS_SUCCESS")
    facts("session_setup.uid", conn.get_uid())
    facts("session_setup.server_native_os", conn.get_server_os())
    facts("session_setup.server_native_lanman", conn.get_server_lanman())
    facts("session_setup.server_primary_domain", conn.get_server_domain())
    return True


def seed(args, port, capture):
    """The MS-CIFS 'SMB Protocol Packet Exchange Scenario'."""
    f = L.Facts()
    header(f, args, capture,
           "negotiate, session setup (non-extended NTLMv1), tree connect, "
           "OPEN_ANDX, READ_ANDX, CLOSE, TREE_DISCONNECT, LOGOFF_ANDX")
    conn = L.connect(f, args, port)
    ok = login_ntlmv1(conn, f, args)
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


@scenario("seed-445")
def seed_445(args):
    return seed(args, 445, "seed-445.pcap")


@scenario("seed-139")
def seed_139(args):
    return seed(args, 139, "seed-139.pcap")


@scenario("bigread-445")
def bigread(args):
    f = L.Facts()
    header(f, args, "bigread-445.pcap",
           "like seed-445 but reads the multi-megabyte file with READ_ANDX "
           "in 61440-byte requests")
    conn = L.connect(f, args, 445)
    if not login_ntlmv1(conn, f, args):
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


@scenario("badlogon-445")
def badlogon(args):
    f = L.Facts()
    header(f, args, "badlogon-445.pcap",
           "negotiate, session setup (non-extended NTLMv1) with a wrong "
           "password -> STATUS_LOGON_FAILURE, then the client hangs up")
    conn = L.connect(f, args, 445)
    f("session_setup.password_is_correct", "no")
    ok = login_ntlmv1(conn, f, args, password="WrongPassword")
    L.hangup(conn)
    return 0 if not ok else 1


BRUTE_TRIES = 12


@scenario("brute-445")
def brute(args):
    """a password guesser: BRUTE_TRIES connections in a row, each a
    non-extended NTLMv1 logon with another wrong password (facts: the first
    try's exchange, then the totals)"""
    f = L.Facts()
    header(f, args, "brute-445.pcap",
           "%d connections in a row, each: negotiate, session setup (non-extended NTLMv1) with a "
           "wrong password -> STATUS_LOGON_FAILURE, hang up" % BRUTE_TRIES)
    f("session_setup.password_is_correct", "no")
    quiet = lambda key, value: None  # noqa: E731 (the later tries repeat the first one's facts)
    failed = 0
    for i in range(BRUTE_TRIES):
        facts = f if i == 0 else quiet
        conn = L.connect(facts, args, 445)
        if not login_ntlmv1(conn, facts, args, password="Guess%02d" % i):
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


@scenario("badshare-445")
def badshare(args):
    f = L.Facts()
    header(f, args, "badshare-445.pcap",
           "negotiate, session setup, tree connect to a missing share -> "
           "STATUS_BAD_NETWORK_NAME, logoff")
    conn = L.connect(f, args, 445)
    if not login_ntlmv1(conn, f, args):
        return 1
    tid = L.tree_connect(conn, f, args, "NOSUCHSHARE")
    L.logoff(conn, f)
    L.hangup(conn)
    return 0 if tid is None else 1


def nofile(args, capture, cls, dos):
    f = L.Facts()
    header(f, args, capture,
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
        ok = login_ntlmv1(conn, f, args)
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


@scenario("nofile-445")
def nofile_445(args):
    return nofile(args, "nofile-445.pcap", L.NoExtSecSMB, dos=False)


@scenario("nofile-dos-445")
def nofile_dos_445(args):
    return nofile(args, "nofile-dos-445.pcap", L.DosErrorsSMB, dos=True)


@scenario("anon-445")
def anon(args):
    f = L.Facts()
    header(f, args, "anon-445.pcap",
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
    header(f, args, capture,
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


@scenario("lm-445")
def lm_445(args):
    return altauth(args, "lm-445.pcap", "lm")


@scenario("ntlmv2-445")
def ntlmv2_445(args):
    return altauth(args, "ntlmv2-445.pcap", "ntlmv2")


@scenario("netbios-negative-139")
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


@scenario("chain-445")
def chain(args):
    """OPEN_ANDX with READ_ANDX chained in the same message. The READ's FID
    is 0xFFFF: "the FID the open in this chain returned" ([MS-CIFS] 2.2.4.2 /
    3.3.5.2; Samba's chain_fsp)."""
    f = L.Facts()
    header(f, args, "chain-445.pcap",
           "negotiate, session setup (non-extended NTLMv1), tree connect, "
           "OPEN_ANDX with READ_ANDX chained in one message (READ FID 0xFFFF), "
           "CLOSE, TREE_DISCONNECT, LOGOFF_ANDX")
    conn = L.connect(f, args, 445)
    if not login_ntlmv1(conn, f, args):
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


# ---------------------------------------------------------------- pipe-445

PIPE_NAME = "\\srvsvc"


def nt_create_pipe(conn, tid, name):
    """NT_CREATE_ANDX of a named pipe; returns (status text, fid, FileType)."""
    pkt = smb.NewSMBPacket()
    pkt["Tid"] = tid
    nc = smb.SMBCommand(smb.SMB.SMB_COM_NT_CREATE_ANDX)
    nc["Parameters"] = smb.SMBNtCreateAndX_Parameters()
    nc["Data"] = smb.SMBNtCreateAndX_Data(flags=conn.get_flags()[1])
    nc["Parameters"]["FileNameLength"] = len(name)
    nc["Parameters"]["CreateFlags"] = 0x16            # oplock, batch oplock, extended response (as impacket)
    nc["Parameters"]["AccessMask"] = 0x0002019f     # read/write data, attributes, EA, control
    nc["Parameters"]["ShareAccess"] = smb.FILE_SHARE_READ | smb.FILE_SHARE_WRITE
    nc["Parameters"]["Disposition"] = smb.FILE_OPEN
    nc["Parameters"]["CreateOptions"] = 0x40          # FILE_NON_DIRECTORY_FILE
    nc["Data"]["FileName"] = name
    pkt.addCommand(nc)
    conn.sendSMB(pkt)
    resp = conn.recvSMB()
    text, raw = L.packet_status(resp)
    if raw != 0:
        return text, None, None
    p = smb.SMBNtCreateAndXResponse_Parameters(smb.SMBCommand(resp["Data"][0])["Parameters"])
    return text, p["Fid"], p["FileType"]


def pipe_transport(conn, tid, fid, host, stats):
    """A DCE/RPC transport on an open pipe FID of an SMB1 connection: PDUs go
    out by WRITE_ANDX and come back by READ_ANDX, or, in "transact" mode, go
    out and come back in one TRANSACT_NMPIPE. Counts the payload bytes."""
    from impacket.dcerpc.v5 import transport

    class PipeTransport(transport.DCERPCTransport):
        mode = "rw"

        def __init__(self):
            transport.DCERPCTransport.__init__(self, host, 445)
            self._answer = None

        def connect(self):
            return 1

        def disconnect(self):
            return 1

        def send(self, data, forceWriteAndx=0, forceRecv=0):
            stats["bytes_written"] += len(data)
            if self.mode == "transact":
                self._answer = conn.TransactNamedPipe(tid, fid, data)
            else:
                conn.write_andx(tid, fid, data)

        def recv(self, forceRecv=0, count=0):
            if self._answer is not None:
                data, self._answer = self._answer, None
            else:
                data = conn.read_andx(tid, fid, max_size=4280)
            stats["bytes_read"] += len(data)
            # a FAULT PDU (ptype 3): its status follows the 24-byte fault header; impacket's
            # exception does not always carry it, so the facts take it from the wire
            if len(data) >= 28 and data[2] == 3:
                LAST_FAULT["status"] = int.from_bytes(data[24:28], "little")
            return data

    return PipeTransport()


@scenario("pipe-445")
def pipe(args):
    """A srvsvc named-pipe session over IPC$: NT_CREATE_ANDX \\srvsvc, the
    DCE/RPC bind written with WRITE_ANDX and its bind_ack read with READ_ANDX,
    then NetrShareEnum (level 1) in one TRANSACT_NMPIPE, CLOSE."""
    from impacket.dcerpc.v5 import srvs
    f = L.Facts()
    header(f, args, "pipe-445.pcap",
           "negotiate, session setup (non-extended NTLMv1), tree connect to "
           "IPC$, NT_CREATE_ANDX \\srvsvc, DCE/RPC bind (WRITE_ANDX + READ_ANDX), "
           "NetrShareEnum level 1 (TRANSACT_NMPIPE), CLOSE, TREE_DISCONNECT, "
           "LOGOFF_ANDX")
    conn = L.connect(f, args, 445)
    if not login_ntlmv1(conn, f, args):
        return 1
    tid = L.tree_connect(conn, f, args, "IPC$")
    if tid is None:
        return 1
    # count the SMB requests the pipe conversation makes, by command
    sent = {}
    orig_send = conn.sendSMB

    def counting_send(pkt):
        sent[pkt["Command"]] = sent.get(pkt["Command"], 0) + 1
        return orig_send(pkt)

    f("pipe.command", "NT_CREATE_ANDX")
    f("pipe.name", PIPE_NAME)
    text, fid, ftype = nt_create_pipe(conn, tid, PIPE_NAME)
    f("pipe.status", text)
    if fid is None:
        return 1
    f("pipe.fid", fid)
    f("pipe.file_type", ftype)
    stats = {"bytes_written": 0, "bytes_read": 0}
    conn.sendSMB = counting_send
    t = pipe_transport(conn, tid, fid, args.host, stats)
    from impacket.dcerpc.v5 import rpcrt
    dce = rpcrt.DCERPC_v5(t)
    dce.bind(srvs.MSRPC_UUID_SRVS)
    f("rpc.interface", "srvsvc 4b324fc8-1670-01d3-1278-5a47bf6ee188 v3.0")
    f("rpc.bind", "bind_ack (bind by WRITE_ANDX, answer by READ_ANDX)")
    t.mode = "transact"
    resp = srvs.hNetrShareEnum(dce, 1)
    conn.sendSMB = orig_send
    shares = [e["shi1_netname"][:-1] for e in resp["InfoStruct"]["ShareInfo"]["Level1"]["Buffer"]]
    f("rpc.call", "NetrShareEnum (opnum 15) level 1 by TRANSACT_NMPIPE")
    f("rpc.status", "0x%08x" % resp["ErrorCode"])
    f("rpc.shares", ",".join(shares))
    f("pipe.write_andx_requests", sent.get(smb.SMB.SMB_COM_WRITE_ANDX, 0))
    f("pipe.read_andx_requests", sent.get(smb.SMB.SMB_COM_READ_ANDX, 0))
    f("pipe.transaction_requests", sent.get(smb.SMB.SMB_COM_TRANSACTION, 0))
    f("pipe.bytes_written", stats["bytes_written"])
    f("pipe.bytes_read", stats["bytes_read"])
    L.close_fid(conn, f, tid, fid)
    L.tree_disconnect(conn, f, tid)
    L.logoff(conn, f)
    L.hangup(conn)
    return 0 if "PUBLIC" in [x.upper() for x in shares] else 1


# ---------------------------------------------------------------- DCE/RPC scenarios
# What impacket's services.py, samrdump.py / lookupsid.py and reg.py do, driven through the same
# SMB1 pipe transport as pipe-445 (their own SMBConnection would negotiate SMB2): the bind by
# WRITE_ANDX + READ_ANDX, every call in one TRANSACT_NMPIPE. Facts are what the client saw.

def rpc_open(f, args, capture, what, pipe_name, iface_uuid):
    header(f, args, capture, what)
    conn = L.connect(f, args, 445)
    if not login_ntlmv1(conn, f, args):
        return None
    tid = L.tree_connect(conn, f, args, "IPC$")
    if tid is None:
        return None
    f("pipe.command", "NT_CREATE_ANDX")
    text, fid, _ = nt_create_pipe(conn, tid, pipe_name)
    f("pipe.name", pipe_name)
    f("pipe.status", text)
    if fid is None:
        return None
    f("pipe.fid", fid)
    from impacket.dcerpc.v5 import rpcrt
    stats = {"bytes_written": 0, "bytes_read": 0}
    t = pipe_transport(conn, tid, fid, args.host, stats)
    dce = rpcrt.DCERPC_v5(t)
    dce.bind(iface_uuid)
    t.mode = "transact"
    dce.smbscope_stats = stats
    return conn, tid, fid, dce


def rpc_close(conn, f, tid, fid, dce):
    f("pipe.bytes_written", dce.smbscope_stats["bytes_written"])
    f("pipe.bytes_read", dce.smbscope_stats["bytes_read"])
    L.close_fid(conn, f, tid, fid)
    L.tree_disconnect(conn, f, tid)
    L.logoff(conn, f)
    L.hangup(conn)


LAST_FAULT = {"status": None}


def rpc_try(f, key, fn):
    """run one call; its status goes to key.status (0x... as returned, or the fault's status
    when the server answered with a FAULT PDU)"""
    from impacket.dcerpc.v5.rpcrt import DCERPCException
    LAST_FAULT["status"] = None
    try:
        resp = fn()
        f(key + ".status", "0x%08x" % resp["ErrorCode"])
        return resp
    except DCERPCException as e:
        code = LAST_FAULT["status"] if LAST_FAULT["status"] is not None else e.get_error_code()
        f(key + ".status", "0x%08x" % (code or 0))
        return None


SVC_NAME = "smbscopesvc"
SVC_BINPATH = "%COMSPEC% /Q /c echo smbscope ^> C:\\smbscope.txt"


@scenario("svcctl-445")
def svcctl(args):
    """services.py create / start / delete over \\svcctl: OpenSCManagerW, CreateServiceW (with
    a binary path), OpenServiceW, StartServiceW, DeleteService, CloseServiceHandle. Samba answers
    what it implements (it does not create services): the statuses say what it answered."""
    from impacket.dcerpc.v5 import scmr
    f = L.Facts()
    r = rpc_open(f, args, "svcctl-445.pcap", "svcctl: OpenSCManagerW, CreateServiceW, OpenServiceW, "
                 "StartServiceW, DeleteService over \\svcctl", "\\svcctl", scmr.MSRPC_UUID_SCMR)
    if r is None:
        return 1
    conn, tid, fid, dce = r
    f("rpc.interface", "svcctl")
    scm = rpc_try(f, "rpc.OpenSCManagerW", lambda: scmr.hROpenSCManagerW(dce, "\\\\" + args.host + "\x00"))
    # Samba refuses a non-admin account the SCM (ERROR_ACCESS_DENIED): the calls still go out, on
    # a null handle, as an attacker's would with the wrong account, and fail on the server
    h = scm["lpScHandle"] if scm is not None else b"\x00" * 20
    f("rpc.CreateServiceW.service_name", SVC_NAME)
    f("rpc.CreateServiceW.binary_path", SVC_BINPATH)
    f("rpc.CreateServiceW.start_type", "demand")
    # a creation with a binary path, whatever the server answers (README "Notices")
    f("notice.remote_service_created", 1)
    cr = rpc_try(f, "rpc.CreateServiceW", lambda: scmr.hRCreateServiceW(
        dce, h, SVC_NAME + "\x00", SVC_NAME + "\x00", lpBinaryPathName=SVC_BINPATH + "\x00",
        dwStartType=scmr.SERVICE_DEMAND_START))
    f("rpc.OpenServiceW.service_name", SVC_NAME)
    op = rpc_try(f, "rpc.OpenServiceW", lambda: scmr.hROpenServiceW(dce, h, SVC_NAME + "\x00"))
    svc = cr["lpServiceHandle"] if cr else (op["lpServiceHandle"] if op else b"\x00" * 20)
    rpc_try(f, "rpc.StartServiceW", lambda: scmr.hRStartServiceW(dce, svc))
    rpc_try(f, "rpc.DeleteService", lambda: scmr.hRDeleteService(dce, svc))
    rpc_close(conn, f, tid, fid, dce)
    return 0


@scenario("samr-445")
def samr_enum(args):
    """samrdump: SamrConnect, SamrEnumerateDomainsInSamServer, SamrLookupDomainInSamServer,
    SamrOpenDomain, SamrEnumerateUsersInDomain over \\samr."""
    from impacket.dcerpc.v5 import samr
    f = L.Facts()
    r = rpc_open(f, args, "samr-445.pcap", "samr: connect, enumerate domains, look the domain up, "
                 "open it, enumerate its users", "\\samr", samr.MSRPC_UUID_SAMR)
    if r is None:
        return 1
    conn, tid, fid, dce = r
    f("rpc.interface", "samr")
    # enumerations by a named session: not anonymous_enumeration
    f("notice.anonymous_enumeration", 0)
    c = rpc_try(f, "rpc.SamrConnect", lambda: samr.hSamrConnect(dce))
    if c is None:
        return 1
    sh = c["ServerHandle"]
    d = rpc_try(f, "rpc.SamrEnumerateDomainsInSamServer", lambda: samr.hSamrEnumerateDomainsInSamServer(dce, sh))
    doms = [e["Name"] for e in d["Buffer"]["Buffer"]] if d else []
    f("rpc.SamrEnumerateDomainsInSamServer.names", ",".join(doms))
    dom = [x for x in doms if x.lower() != "builtin"][0]
    lk = rpc_try(f, "rpc.SamrLookupDomainInSamServer", lambda: samr.hSamrLookupDomainInSamServer(dce, sh, dom))
    sid = lk["DomainId"]
    f("rpc.SamrLookupDomainInSamServer.sid", sid.formatCanonical())
    od = rpc_try(f, "rpc.SamrOpenDomain", lambda: samr.hSamrOpenDomain(dce, sh, domainId=sid))
    u = rpc_try(f, "rpc.SamrEnumerateUsersInDomain",
                lambda: samr.hSamrEnumerateUsersInDomain(dce, od["DomainHandle"]))
    users = [e["Name"] for e in u["Buffer"]["Buffer"]] if u else []
    f("rpc.SamrEnumerateUsersInDomain.names", ",".join(users))
    f("rpc.SamrEnumerateUsersInDomain.rids", ",".join(str(e["RelativeId"]) for e in u["Buffer"]["Buffer"]) if u else "")
    rpc_close(conn, f, tid, fid, dce)
    return 0 if users else 1


@scenario("winreg-445")
def winreg(args):
    """reg.py query: OpenLocalMachine, BaseRegOpenKey, BaseRegQueryValue over \\winreg."""
    from impacket.dcerpc.v5 import rrp
    f = L.Facts()
    r = rpc_open(f, args, "winreg-445.pcap", "winreg: OpenLocalMachine, BaseRegOpenKey, BaseRegQueryValue",
                 "\\winreg", rrp.MSRPC_UUID_RRP)
    if r is None:
        return 1
    conn, tid, fid, dce = r
    f("rpc.interface", "winreg")
    hk = rpc_try(f, "rpc.OpenLocalMachine", lambda: rrp.hOpenLocalMachine(dce))
    if hk is None:
        return 1
    key = "SYSTEM\\CurrentControlSet\\Control\\ProductOptions"
    f("rpc.BaseRegOpenKey.key_path", key)
    ok = rpc_try(f, "rpc.BaseRegOpenKey", lambda: rrp.hBaseRegOpenKey(dce, hk["phKey"], key))
    if ok is not None:
        f("rpc.BaseRegQueryValue.value_name", "ProductType")
        from impacket.dcerpc.v5.rpcrt import DCERPCException
        try:
            t, v = rrp.hBaseRegQueryValue(dce, ok["phkResult"], "ProductType")
            f("rpc.BaseRegQueryValue.status", "0x00000000")
            f("rpc.BaseRegQueryValue.value_type", t)
        except DCERPCException as e:
            f("rpc.BaseRegQueryValue.status", "0x%08x" % (e.get_error_code() or 0))
    rpc_close(conn, f, tid, fid, dce)
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("scenario", choices=sorted(SCENARIOS))
    for k, v in L.DEFAULTS.items():
        ap.add_argument("--" + k.replace("_", "-"), dest=k, default=v)
    args = ap.parse_args()
    return SCENARIOS[args.scenario](args)


if __name__ == "__main__":
    sys.exit(main())
