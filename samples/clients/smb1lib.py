"""Small helpers around impacket's SMB1 client (impacket.smb.SMB).

Everything here speaks SMB1 ("NT LM 0.12") only; impacket.smb.SMB never
offers SMB2 dialects.  The scenario scripts print what the *client* knows
as key=value lines ("facts"), independent of any analyzer.
"""

import hashlib
import hmac
import struct
import time

from impacket import nt_errors, ntlm, smb, version

# Defaults; make_samples.sh passes the same values explicitly.
DEFAULTS = {
    "host": "127.0.0.1",
    "user": "smbscope",
    "password": "SmbScope1",
    "domain": "SMBSCOPE",
    "server_name": "SMBSCOPESRV",
    "client_name": "SMBSCOPECLI",
    "share": "PUBLIC",
    "small_file": "hello.txt",
    "big_file": "big.bin",
}

DIALECT = "NT LM 0.12"


class Facts:
    """Prints key=value lines on stdout, in the order things happened."""

    def __init__(self):
        self.keys = set()

    def __call__(self, key, value):
        if isinstance(value, bytes):
            value = value.decode("latin-1")
        value = str(value).replace("\n", "\\n")
        self.keys.add(key)
        print("%s=%s" % (key, value), flush=True)


def nt_status_name(code):
    entry = nt_errors.ERROR_MESSAGES.get(code)
    if entry:
        return entry[0]
    return "0x%08X" % code


DOS_CLASSES = {0x01: "ERRDOS", 0x02: "ERRSRV", 0x03: "ERRHRD", 0xFF: "ERRCMD"}


def packet_status(pkt):
    """Status of a received NewSMBPacket, as the client sees it.

    Returns (text, raw) where raw is the 32-bit NT status, or for a DOS
    error (FLAGS2_NT_STATUS clear) class | code << 16 as it sits on the wire.
    """
    raw = pkt["ErrorClass"] | (pkt["_reserved"] << 8) | (pkt["ErrorCode"] << 16)
    if pkt["Flags2"] & smb.SMB.FLAGS2_NT_STATUS:
        return nt_status_name(raw), raw
    return dos_status_text(pkt["ErrorClass"], pkt["ErrorCode"]), raw


def dos_status_text(eclass, ecode):
    if eclass == 0 and ecode == 0:
        return "SUCCESS (DOS class=0x00 code=0x0000)"
    cname = DOS_CLASSES.get(eclass, "0x%02X" % eclass)
    name = None
    entry = smb.SessionError.error_classes.get(eclass)
    if entry:
        codes = entry[1]
        if codes and ecode in codes:
            name = codes[ecode][0]
    return "%s/%s (DOS class=0x%02X code=0x%04X)" % (
        cname, name or "0x%04X" % ecode, eclass, ecode)


def error_status(exc):
    """Status text for an impacket smb.SessionError."""
    if exc.nt_status:
        return nt_status_name(exc.get_error_code())
    code = exc.get_error_code()
    eclass = exc.get_error_class() & 0xFF
    return dos_status_text(eclass, code)


class NoExtSecSMB(smb.SMB):
    """impacket.smb.SMB that negotiates WITHOUT extended security.

    smb.SMB.__init__ always calls self.neg_session() with
    extended_security=True, which sets FLAGS2_EXTENDED_SECURITY (0x0800) in
    flags2. Overriding neg_session() makes it clear that bit instead, so the
    NEGOTIATE request goes out without it, Samba answers with the old
    (non-extended) NT LM 0.12 response carrying an 8-byte challenge and
    domain name, and every later request goes out without the bit too.
    """

    want_nt_status = True

    def neg_session(self, extended_security=False, negPacket=None):
        if not self.want_nt_status:
            f1, f2 = self.get_flags()
            self.set_flags(flags2=f2 & ~smb.SMB.FLAGS2_NT_STATUS)
        return super().neg_session(extended_security=False, negPacket=negPacket)


class DosErrorsSMB(NoExtSecSMB):
    """Like NoExtSecSMB but never sets FLAGS2_NT_STATUS (asks for DOS errors)."""

    want_nt_status = False


def connect(facts, args, port, cls=NoExtSecSMB):
    facts("server", args.host)
    facts("port", port)
    if port == 139:
        facts("transport", "NBSS session over TCP 139")
        facts("nbss.called_name", "%s<20>" % args.server_name.upper())
        facts("nbss.calling_name", "%s<00>" % args.client_name.upper())
        remote_name = args.server_name
    else:
        facts("transport", "direct TCP 445 (4-byte NBSS-style length header)")
        remote_name = args.host
    conn = cls(remote_name, args.host, my_name=args.client_name, sess_port=port)
    if port == 139:
        facts("nbss.session_response", "POSITIVE SESSION RESPONSE (0x82)")
    dp = conn._dialects_parameters
    facts("negotiate.dialects_offered", DIALECT)
    facts("negotiate.status", "STATUS_SUCCESS")
    facts("negotiate.dialect_index", dp["DialectIndex"])
    ext = bool(dp["Capabilities"] & smb.SMB.CAP_EXTENDED_SECURITY)
    facts("negotiate.extended_security", "yes" if ext else "no")
    if ext:
        raise SystemExit("server chose extended security; expected non-extended")
    facts("negotiate.challenge_length", dp["ChallengeLength"])
    facts("negotiate.server_capabilities", "0x%08X" % dp["Capabilities"])
    facts("negotiate.security_mode", "0x%02X" % dp["SecurityMode"])
    facts("negotiate.max_buffer_size", dp["MaxBufferSize"])
    return conn


def session_setup_raw(conn, facts, user, domain, ansi_pwd, unicode_pwd,
                      capabilities=None):
    """SESSION_SETUP_ANDX without extended security, with caller-chosen
    password responses (what impacket's login_standard() does, but it only
    knows NTLMv1).  Returns (status_text, ok)."""
    if capabilities is None:
        capabilities = (smb.SMB.CAP_RAW_MODE | smb.SMB.CAP_USE_NT_ERRORS
                        | smb.SMB.CAP_LARGE_READX | smb.SMB.CAP_LARGE_WRITEX)
    f1, f2 = conn.get_flags()
    # Like login_standard(): this request's strings go out in ASCII.
    conn.set_flags(flags2=f2 & ~smb.SMB.FLAGS2_UNICODE)
    pkt = smb.NewSMBPacket()
    ss = smb.SMBCommand(smb.SMB.SMB_COM_SESSION_SETUP_ANDX)
    ss["Parameters"] = smb.SMBSessionSetupAndX_Parameters()
    ss["Data"] = smb.SMBSessionSetupAndX_Data()
    ss["Parameters"]["MaxBuffer"] = 61440
    ss["Parameters"]["MaxMpxCount"] = 2
    ss["Parameters"]["VCNumber"] = 1
    ss["Parameters"]["SessionKey"] = conn._dialects_parameters["SessionKey"]
    ss["Parameters"]["AnsiPwdLength"] = len(ansi_pwd)
    ss["Parameters"]["UnicodePwdLength"] = len(unicode_pwd)
    ss["Parameters"]["Capabilities"] = capabilities
    ss["Data"]["AnsiPwd"] = ansi_pwd
    ss["Data"]["UnicodePwd"] = unicode_pwd
    ss["Data"]["Account"] = user
    ss["Data"]["PrimaryDomain"] = domain
    ss["Data"]["NativeOS"] = "posix"
    ss["Data"]["NativeLanMan"] = "smbscope-samples"
    pkt.addCommand(ss)
    conn.sendSMB(pkt)
    resp = conn.recvSMB()
    conn.set_flags(flags2=f2)
    text, raw = packet_status(resp)
    facts("session_setup.client_capabilities", "0x%08X" % capabilities)
    facts("session_setup.ansi_password_length", len(ansi_pwd))
    facts("session_setup.unicode_password_length", len(unicode_pwd))
    facts("session_setup.status", text)
    if raw == 0:
        conn._uid = resp["Uid"]
        r = smb.SMBCommand(resp["Data"][0])
        p = smb.SMBSessionSetupAndXResponse_Parameters(r["Parameters"])
        facts("session_setup.uid", conn._uid)
        facts("session_setup.action", "0x%04X" % p["Action"])
        return text, True
    return text, False


def challenge(conn):
    return conn._dialects_data["Challenge"]


def lm_response(conn, password):
    return ntlm.get_ntlmv1_response(ntlm.compute_lmhash(password), challenge(conn))


def ntlmv1_response(conn, password):
    return ntlm.get_ntlmv1_response(ntlm.compute_nthash(password), challenge(conn))


def ntlmv2_responses(conn, user, domain, password, client_challenge):
    """(LMv2, NTLMv2) responses per MS-NLMP 3.3.2, with an AV list that is
    just MsvAvEOL (no target info exists without extended security)."""
    key = hmac.new(ntlm.compute_nthash(password),
                   user.upper().encode("utf-16le") + domain.encode("utf-16le"),
                   hashlib.md5).digest()
    sc = challenge(conn)
    ts = struct.pack("<q", 116444736000000000 + int(time.time()) * 10000000)
    blob = (b"\x01\x01" + b"\x00" * 6 + ts + client_challenge + b"\x00" * 4
            + b"\x00\x00\x00\x00"  # MsvAvEOL
            + b"\x00" * 4)
    proof = hmac.new(key, sc + blob, hashlib.md5).digest()
    lmv2 = hmac.new(key, sc + client_challenge, hashlib.md5).digest() + client_challenge
    return lmv2, proof + blob


def simple_request(conn, cmd, tid=None, params=None):
    """Send a parameterless-data request (TREE_DISCONNECT, LOGOFF_ANDX) and
    return the response status text."""
    pkt = smb.NewSMBPacket()
    if tid is not None:
        pkt["Tid"] = tid
    c = smb.SMBCommand(cmd)
    if params is not None:
        c["Parameters"] = params
    pkt.addCommand(c)
    conn.sendSMB(pkt)
    resp = conn.recvSMB()
    return packet_status(resp)[0]


def tree_connect(conn, facts, args, share, service=smb.SERVICE_ANY):
    # impacket builds the path as \\<host>\<SHARE> and upper-cases it.
    facts("tree_connect.path", ("\\\\%s\\%s" % (args.host, share)).upper())
    facts("tree_connect.service", service)
    try:
        tid = conn.tree_connect_andx(share, service=service)
    except smb.SessionError as e:
        facts("tree_connect.status", error_status(e))
        return None
    facts("tree_connect.status", "STATUS_SUCCESS")
    facts("tree_connect.tid", tid)
    return tid


def open_andx(conn, facts, tid, name):
    facts("open.command", "OPEN_ANDX")
    facts("open.name", name)
    try:
        r = conn.open_andx(tid, name, smb.SMB_O_OPEN,
                           smb.SMB_SHARE_DENY_NONE | smb.SMB_ACCESS_READ)
    except smb.SessionError as e:
        facts("open.status", error_status(e))
        return None
    fid = r[0]
    facts("open.status", "STATUS_SUCCESS")
    facts("open.fid", fid)
    facts("open.file_size", r[3])
    return fid, r[3]


def read_all(conn, facts, tid, fid, size, chunk):
    h = hashlib.sha256()
    total = 0
    requests = 0
    while total < size:
        want = min(chunk, size - total)
        data = conn.read_andx(tid, fid, offset=total, max_size=want)
        requests += 1
        if not data:
            break
        h.update(data)
        total += len(data)
    facts("read.command", "READ_ANDX")
    facts("read.request_size", chunk)
    facts("read.requests", requests)
    facts("read.status", "STATUS_SUCCESS")
    facts("read.bytes", total)
    facts("read.sha256", h.hexdigest())
    return total


def close_fid(conn, facts, tid, fid):
    try:
        conn.close(tid, fid)
        facts("close.status", "STATUS_SUCCESS")
    except smb.SessionError as e:
        facts("close.status", error_status(e))


def tree_disconnect(conn, facts, tid):
    facts("tree_disconnect.status",
          simple_request(conn, smb.SMB.SMB_COM_TREE_DISCONNECT, tid=tid))


def logoff(conn, facts):
    facts("logoff.status",
          simple_request(conn, smb.SMB.SMB_COM_LOGOFF_ANDX,
                         params=smb.SMBLogOffAndX()))
    conn._uid = 0


def hangup(conn):
    try:
        conn.close_session()
    except Exception:
        pass


# ---------------------------------------------------------------- scenarios
# every scenario registers under its capture's name (smb1_scenarios.py runs it)

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
        facts("session_setup.status", error_status(e))
        return False
    facts("session_setup.ansi_password_length", 24)
    facts("session_setup.unicode_password_length", 24)
    facts("session_setup.status", "STATUS_SUCCESS")
    facts("session_setup.uid", conn.get_uid())
    facts("session_setup.server_native_os", conn.get_server_os())
    facts("session_setup.server_native_lanman", conn.get_server_lanman())
    facts("session_setup.server_primary_domain", conn.get_server_domain())
    return True
