"""SMB1 client scenarios on a named pipe, for smbscope's sample captures: pipe-445
(srvsvc over TRANSACT_NMPIPE and WRITE_ANDX/READ_ANDX) and the DCE/RPC
scenarios svcctl-445, samr-445, winreg-445 ([MS-CIFS] 2.2.4.33 TRANSACTION,
[C706] connection-oriented DCE/RPC). smb1_scenarios.py imports this module,
which registers them, and runs them like the others."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from impacket import smb  # noqa: E402

import smb1lib as L  # noqa: E402


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


@L.scenario("pipe-445")
def pipe(args):
    """A srvsvc named-pipe session over IPC$: NT_CREATE_ANDX \\srvsvc, the
    DCE/RPC bind written with WRITE_ANDX and its bind_ack read with READ_ANDX,
    then NetrShareEnum (level 1) in one TRANSACT_NMPIPE, CLOSE."""
    from impacket.dcerpc.v5 import srvs
    f = L.Facts()
    L.header(f, args, "pipe-445.pcap",
           "negotiate, session setup (non-extended NTLMv1), tree connect to "
           "IPC$, NT_CREATE_ANDX \\srvsvc, DCE/RPC bind (WRITE_ANDX + READ_ANDX), "
           "NetrShareEnum level 1 (TRANSACT_NMPIPE), CLOSE, TREE_DISCONNECT, "
           "LOGOFF_ANDX")
    conn = L.connect(f, args, 445)
    if not L.login_ntlmv1(conn, f, args):
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

def rpc_open(args, capture, what, pipe_name, iface_uuid, interface):
    """log on, open pipe_name on IPC$ and bind iface_uuid over it: (facts, conn,
    tid, fid, dce), or None when a step failed (its facts say which)"""
    f = L.Facts()
    L.header(f, args, capture, what)
    conn = L.connect(f, args, 445)
    if not L.login_ntlmv1(conn, f, args):
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
    f("rpc.interface", interface)
    return f, conn, tid, fid, dce


def rpc_close(f, conn, tid, fid, dce):
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


@L.scenario("svcctl-445")
def svcctl(args):
    """services.py create / start / delete over \\svcctl: OpenSCManagerW, CreateServiceW (with
    a binary path), OpenServiceW, StartServiceW, DeleteService, CloseServiceHandle. Samba answers
    what it implements (it does not create services): the statuses say what it answered."""
    from impacket.dcerpc.v5 import scmr
    r = rpc_open(args, "svcctl-445.pcap", "svcctl: OpenSCManagerW, CreateServiceW, OpenServiceW, "
                 "StartServiceW, DeleteService over \\svcctl", "\\svcctl", scmr.MSRPC_UUID_SCMR, "svcctl")
    if r is None:
        return 1
    f, conn, tid, fid, dce = r
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
    rpc_close(f, conn, tid, fid, dce)
    return 0


@L.scenario("samr-445")
def samr_enum(args):
    """samrdump: SamrConnect, SamrEnumerateDomainsInSamServer, SamrLookupDomainInSamServer,
    SamrOpenDomain, SamrEnumerateUsersInDomain over \\samr."""
    from impacket.dcerpc.v5 import samr
    r = rpc_open(args, "samr-445.pcap", "samr: connect, enumerate domains, look the domain up, "
                 "open it, enumerate its users", "\\samr", samr.MSRPC_UUID_SAMR, "samr")
    if r is None:
        return 1
    f, conn, tid, fid, dce = r
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
    rpc_close(f, conn, tid, fid, dce)
    return 0 if users else 1


@L.scenario("winreg-445")
def winreg(args):
    """reg.py query: OpenLocalMachine, BaseRegOpenKey, BaseRegQueryValue over \\winreg."""
    from impacket.dcerpc.v5 import rrp
    r = rpc_open(args, "winreg-445.pcap", "winreg: OpenLocalMachine, BaseRegOpenKey, BaseRegQueryValue",
                 "\\winreg", rrp.MSRPC_UUID_RRP, "winreg")
    if r is None:
        return 1
    f, conn, tid, fid, dce = r
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
    rpc_close(f, conn, tid, fid, dce)
    return 0
