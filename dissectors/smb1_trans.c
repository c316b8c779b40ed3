/* smb1_trans: the transaction commands: sub-command and the file it names.
 * TRANSACTION (named pipes, mailslots, RAP), TRANSACTION2 (file system
 * sub-commands), NT_TRANSACT (NT create, ioctl, security, notify) and their
 * secondary requests; the file is named by path or by FID.
 * Spec: [MS-CIFS] 2.2.4.33 (TRANSACTION), 2.2.4.34 (TRANSACTION_SECONDARY),
 * 2.2.4.46 (TRANSACTION2), 2.2.4.47 (TRANSACTION2_SECONDARY), 2.2.4.62
 * (NT_TRANSACT), 2.2.4.63 (NT_TRANSACT_SECONDARY), 2.2.5 (named pipe
 * sub-commands), 2.2.6 (TRANS2 sub-commands), 2.2.7 (NT_TRANSACT
 * sub-commands); [MS-SMB] 2.2.7.5-2.2.7.6 (quota sub-commands). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "smb1.h"
#include "smb1_handlers.h"

/* ---- names ------------------------------------------------------------- */

const char *smb1_trans2_name(uint16_t subcmd)
{
    static const char *const names[] = {
        [0x00] = "OPEN2", [0x01] = "FIND_FIRST2", [0x02] = "FIND_NEXT2",
        [0x03] = "QUERY_FS_INFORMATION", [0x04] = "SET_FS_INFORMATION",
        [0x05] = "QUERY_PATH_INFORMATION", [0x06] = "SET_PATH_INFORMATION",
        [0x07] = "QUERY_FILE_INFORMATION", [0x08] = "SET_FILE_INFORMATION",
        [0x09] = "FSCTL", [0x0a] = "IOCTL2", [0x0b] = "FIND_NOTIFY_FIRST",
        [0x0c] = "FIND_NOTIFY_NEXT", [0x0d] = "CREATE_DIRECTORY",
        [0x0e] = "SESSION_SETUP", [0x10] = "GET_DFS_REFERRAL",
        [0x11] = "REPORT_DFS_INCONSISTENCY",
    };
    const char *n = subcmd < sizeof names / sizeof names[0] ? names[subcmd] : NULL;
    return n ? n : "unknown";
}

const char *smb1_nt_trans_name(uint16_t function)
{
    static const char *const names[] = {
        [1] = "CREATE", [2] = "IOCTL", [3] = "SET_SECURITY_DESC", [4] = "NOTIFY_CHANGE",
        [5] = "RENAME", [6] = "QUERY_SECURITY_DESC", [7] = "GET_USER_QUOTA", [8] = "SET_USER_QUOTA",
    };
    const char *n = function < sizeof names / sizeof names[0] ? names[function] : NULL;
    return n ? n : "unknown";
}

static const char *pipe_subcmd_name(uint16_t subcmd)
{
    switch (subcmd) {
    case 0x0001: return "SET_NMPIPE_STATE";
    case 0x0011: return "RAW_READ_NMPIPE";
    case 0x0021: return "QUERY_NMPIPE_STATE";
    case 0x0022: return "QUERY_NMPIPE_INFO";
    case 0x0023: return "PEEK_NMPIPE";
    case 0x0026: return "TRANSACT_NMPIPE";
    case 0x0031: return "RAW_WRITE_NMPIPE";
    case 0x0036: return "READ_NMPIPE";
    case 0x0037: return "WRITE_NMPIPE";
    case 0x0053: return "WAIT_NMPIPE";
    case 0x0054: return "CALL_NMPIPE";
    default: return "unknown";
    }
}

/* ---- pipe payload (the `file` record's bytes_in / bytes_out) ----------- */

enum {
    PIPE_RAW_READ = 0x0011, PIPE_TRANSACT = 0x0026, PIPE_RAW_WRITE = 0x0031, PIPE_READ = 0x0036,
    PIPE_WRITE = 0x0037, PIPE_WAIT = 0x0053, PIPE_CALL = 0x0054,
};

/* sub-commands whose request data is written into the pipe, and whose
 * response data was read from it ([MS-CIFS] 2.2.5); PEEK is left out: what it
 * shows is read again later */
static bool pipe_writes(uint16_t subcmd)
{
    return subcmd == PIPE_TRANSACT || subcmd == PIPE_WRITE || subcmd == PIPE_RAW_WRITE;
}

static bool pipe_reads(uint16_t subcmd)
{
    return subcmd == PIPE_TRANSACT || subcmd == PIPE_READ || subcmd == PIPE_RAW_READ;
}

/* a pipe transaction on fid carrying data_count bytes of request data. When
 * the FID is not known as a pipe yet (the open was not seen as one) the bytes
 * wait in the pending request: only a successful response proves it is one,
 * and a file must not lose its hash to a bogus \PIPE\ request */
static void pipe_request(struct smb1_link *l, uint16_t subcmd, uint16_t fid, uint16_t data_count)
{
    if (!pipe_writes(subcmd) && !pipe_reads(subcmd))
        return;
    /* a FID whose open was not seen (the capture began later) that a pipe
     * sub-command names is a pipe: nothing was hashed for it to lose */
    if (!smb1_open_get(l->c, fid)) {
        struct smb1_open *o = smb1_open_add(l->c, fid, l->h->uid, l->h->tid, NULL, l->ts_us);
        if (o)
            smb1_open_set_kind(l->c, o, SMB1_OPEN_PIPE);
    }
    l->p->req.u.trans.fid = fid;
    l->p->req.u.trans.pipe_io = true;
    if (pipe_writes(subcmd) && !smb1_pipe_count(l->c, fid, true, data_count))
        l->p->req.u.trans.data_in = data_count;
}

/* the pipe bytes a transaction carries, to the pipe's DCE/RPC layer (when
 * the FID is known as a pipe; the data must be in the message) */
static void pipe_payload(struct smb1_link *l, uint16_t fid, bool to_server, uint16_t off, uint16_t count)
{
    count = (uint16_t)smb1_data_bound(l, off, count); /* a gap never reaches past the message */
    if (count == 0)
        return;
    struct smb1_open *o = smb1_open_get(l->c, fid);
    if (!o || o->kind != SMB1_OPEN_PIPE)
        return;
    struct rd d = smb1_msg_window(l, off, count);
    if (rd_ok(&d))
        smb1_pipe_data(l->c, l->c->em, o, to_server, d.p + d.off, rd_left(&d), l->ts_us);
    else
        smb1_pipe_gap(l->c, l->c->em, o, to_server, count, l->ts_us); /* cut off or past the kept bytes */
}

void smb1_trans_rsp(struct smb1_link *l)
{
    struct smb1_pending *p = l->p;
    if (!p || !p->req.decoded || !p->req.u.trans.pipe_io || l->wct < 10)
        return;
    struct rd w = l->words;
    rd_skip(&w, 2 + 2 + 2 + 2 + 2 + 2); /* totals, Reserved1, parameter count, offset, displacement */
    uint16_t data_count = rd_u16le(&w);
    uint16_t data_off = rd_u16le(&w);
    if (!rd_ok(&w))
        return;
    uint16_t fid = p->req.u.trans.fid;
    struct smb1_open *o = smb1_open_get(l->c, fid);
    if (o && o->kind != SMB1_OPEN_PIPE && smb1_rsp_ok(l))
        smb1_open_set_kind(l->c, o, SMB1_OPEN_PIPE); /* the server ran a pipe operation on it */
    /* request data held back until the FID proved to be a pipe */
    if (smb1_pipe_count(l->c, fid, true, p->req.u.trans.data_in))
        p->req.u.trans.data_in = 0;
    if (pipe_reads(p->req.u.trans.subcmd)) {
        smb1_pipe_count(l->c, fid, false, smb1_data_bound(l, data_off, data_count));
        pipe_payload(l, fid, false, data_off, data_count);
    }
}

static void keep_name(struct smb1_link *l, const char *name)
{
    l->p->req.u.trans.name = strdup(name);
    if (!l->p->req.u.trans.name)
        abort();
    l->p->req.owns_str = true;
}

static bool prefix_ci(const char *s, const char *prefix)
{
    return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

/* ---- TRANSACTION ------------------------------------------------------- */

/* words shared by TRANSACTION and TRANSACTION2 requests ([MS-CIFS] 2.2.4.33.1) */
struct trans_req {
    uint16_t param_count, param_off, data_count, data_off;
    uint8_t setup_count;
    struct rd setup;
};

#define TRANS_REQ_FIXED_WORDS 14

static bool trans_req_words(struct smb1_link *l, struct trans_req *t)
{
    if (!smb1_need_words(l, TRANS_REQ_FIXED_WORDS))
        return false;
    struct rd w = l->words;
    uint16_t total_pc = rd_u16le(&w), total_dc = rd_u16le(&w);
    rd_skip(&w, 2 + 2 + 1 + 1 + 2 + 4 + 2); /* maxima, Flags, Timeout, Reserved2 */
    t->param_count = rd_u16le(&w);
    t->param_off = rd_u16le(&w);
    t->data_count = rd_u16le(&w);
    t->data_off = rd_u16le(&w);
    t->setup_count = rd_u8(&w);
    rd_u8(&w); /* Reserved3 */
    /* the setup words must fit in the word block the WordCount declared */
    t->setup = rd_sub(&w, 2u * t->setup_count);
    if (!rd_ok(&w)) {
        smb1_anomaly(l, "smb1_trans_setup", "setup count %u does not fit word count %u", t->setup_count, l->wct);
        return false;
    }
    /* the totals the secondaries must add up to (the MS17-010 exploits lie here) */
    ev_uint(l->ev, F(total_param_count), total_pc);
    ev_uint(l->ev, F(total_data_count), total_dc);
    return true;
}

void smb1_trans_req(struct smb1_link *l)
{
    struct trans_req t;
    if (!trans_req_words(l, &t))
        return;
    struct rd b = l->bytes;
    const char *name = smb1_str(l, &b, l->h->unicode, true);
    ev_str(l->ev, F(name), name);
    if (t.setup_count == 0)
        return; /* e.g. \PIPE\LANMAN (RAP): the operation is in the parameters */
    uint16_t subcmd = rd_u16le(&t.setup);
    if (!rd_ok(&t.setup))
        return;
    ev_uint(l->ev, F(subcommand), subcmd);
    l->p->req.u.trans.subcmd = subcmd;
    l->p->req.decoded = true;
    if (prefix_ci(name, "\\PIPE\\")) {
        ev_str(l->ev, F(subcommand_name), pipe_subcmd_name(subcmd));
        /* the pipe sub-commands but WAIT/CALL address an open pipe by FID in setup word 1 */
        uint16_t fid = rd_u16le(&t.setup);
        if (rd_ok(&t.setup) && subcmd != PIPE_WAIT && subcmd != PIPE_CALL) {
            smb1_ev_fid(l, fid);
            pipe_request(l, subcmd, fid, (uint16_t)smb1_data_bound(l, t.data_off, t.data_count));
            if (pipe_writes(subcmd))
                pipe_payload(l, fid, true, t.data_off, t.data_count);
        }
    } else if (prefix_ci(name, "\\MAILSLOT\\") && subcmd == 0x0001) {
        ev_str(l->ev, F(subcommand_name), "MAILSLOT_WRITE");
    }
}

/* ---- TRANSACTION2 ------------------------------------------------------ */

enum {
    T2_OPEN2 = 0x00, T2_FIND_FIRST2 = 0x01, T2_FIND_NEXT2 = 0x02,
    T2_QUERY_PATH = 0x05, T2_SET_PATH = 0x06, T2_QUERY_FILE = 0x07, T2_SET_FILE = 0x08,
    T2_CREATE_DIRECTORY = 0x0d, T2_GET_DFS_REFERRAL = 0x10,
};

/* the name at the end of a TRANS2 parameter block ([MS-CIFS] 2.2.6.x.1) */
static const char *param_name(struct smb1_link *l, struct rd *p, size_t skip, bool unicode)
{
    if (!rd_skip(p, skip))
        return NULL;
    return smb1_str(l, p, unicode, false);
}

void smb1_trans2_req(struct smb1_link *l)
{
    struct trans_req t;
    if (!trans_req_words(l, &t))
        return;
    uint16_t subcmd = rd_u16le(&t.setup);
    if (!rd_ok(&t.setup)) {
        smb1_anomaly(l, "smb1_trans_setup", "TRANSACTION2 without a sub-command");
        return;
    }
    ev_uint(l->ev, F(subcommand), subcmd);
    ev_str(l->ev, F(subcommand_name), smb1_trans2_name(subcmd));
    l->p->req.u.trans.subcmd = subcmd;
    l->p->req.decoded = true; /* the name, when there is one, follows */

    struct rd p = smb1_msg_window(l, t.param_off, t.param_count);
    if (!rd_ok(&p))
        return; /* the parameters are not (all) in this message */
    bool u = l->h->unicode;
    const char *name = NULL;
    struct rd lv = p;
    switch (subcmd) {
    case T2_OPEN2:
        /* Flags, AccessMode, Reserved1, FileAttributes, CreationTime,
         * OpenMode, AllocationSize, Reserved[5] */
        name = param_name(l, &p, 2 + 2 + 2 + 2 + 4 + 2 + 4 + 10, u);
        if (name)
            keep_name(l, name);
        break;
    case T2_FIND_FIRST2: {
        /* SearchAttributes, SearchCount, Flags, InformationLevel, SearchStorageType */
        rd_skip(&lv, 6);
        uint16_t level = rd_u16le(&lv);
        if (rd_ok(&lv))
            ev_uint(l->ev, F(info_level), level);
        name = param_name(l, &p, 2 + 2 + 2 + 2 + 4, u);
        break;
    }
    case T2_FIND_NEXT2: {
        uint16_t sid = rd_u16le(&lv);
        rd_skip(&lv, 2);
        uint16_t level = rd_u16le(&lv);
        if (rd_ok(&lv)) {
            ev_uint(l->ev, F(search_id), sid);
            ev_uint(l->ev, F(info_level), level);
        }
        break;
    }
    case T2_QUERY_PATH:
    case T2_SET_PATH: {
        uint16_t level = rd_u16le(&lv);
        if (rd_ok(&lv))
            ev_uint(l->ev, F(info_level), level);
        name = param_name(l, &p, 2 + 4, u); /* InformationLevel, Reserved */
        break;
    }
    case T2_QUERY_FILE:
    case T2_SET_FILE: {
        uint16_t fid = rd_u16le(&lv);
        uint16_t level = rd_u16le(&lv);
        if (rd_ok(&lv)) {
            smb1_ev_fid(l, fid);
            ev_uint(l->ev, F(info_level), level);
        }
        break;
    }
    case T2_CREATE_DIRECTORY:
        name = param_name(l, &p, 4, u); /* Reserved */
        break;
    case T2_GET_DFS_REFERRAL:
        /* MaxReferralLevel, then a name that is Unicode whatever FLAGS2 says
         * ([MS-DFSC] 2.2.2) */
        name = param_name(l, &p, 2, true);
        break;
    default:
        break;
    }
    if (name)
        ev_str(l->ev, F(file), name);
}

/* words shared by TRANSACTION and TRANSACTION2 responses ([MS-CIFS] 2.2.4.46.2) */
static struct rd trans_rsp_params(struct smb1_link *l)
{
    struct rd bad = rd_init_at(NULL, 0, 0);
    bad.err = true;
    if (l->wct < 10)
        return bad;
    struct rd w = l->words;
    rd_skip(&w, 2 + 2 + 2); /* totals, Reserved1 */
    uint16_t count = rd_u16le(&w);
    uint16_t off = rd_u16le(&w);
    uint16_t displacement = rd_u16le(&w);
    /* only the first part of a multi-part response starts the parameters */
    if (!rd_ok(&w) || displacement != 0)
        return bad;
    return smb1_msg_window(l, off, count);
}

void smb1_trans2_rsp(struct smb1_link *l)
{
    if (!l->p || !l->p->req.decoded || l->wct == 0)
        return; /* the sub-command is only known from the (decoded) request */
    uint16_t subcmd = l->p->req.u.trans.subcmd;
    struct rd p = trans_rsp_params(l);
    if (!rd_ok(&p))
        return;
    if (subcmd == T2_FIND_FIRST2) {
        uint16_t sid = rd_u16le(&p);
        if (rd_ok(&p))
            ev_uint(l->ev, F(search_id), sid);
    } else if (subcmd == T2_OPEN2) {
        /* FID, FileAttributes, CreationTime, FileDataSize, AccessMode,
         * ResourceType, NMPipeStatus, ActionTaken ([MS-CIFS] 2.2.6.1.2) */
        uint16_t fid = rd_u16le(&p);
        rd_skip(&p, 2 + 4);
        uint32_t size = rd_u32le(&p);
        rd_skip(&p, 2); /* AccessMode */
        uint16_t type = rd_u16le(&p); /* ResourceType */
        if (!rd_ok(&p))
            return;
        ev_uint(l->ev, F(fid), fid);
        ev_uint(l->ev, F(size), size);
        if (!smb1_rsp_ok(l))
            return;
        struct smb1_open *o =
            smb1_open_add(l->c, fid, l->h->uid, l->h->tid, l->p->req.u.trans.name, smb1_op_ts(l));
        /* like OPEN_ANDX, a zero type may only mean "not asked for" */
        if (o && type)
            smb1_open_kind_from_type(l->c, o, type, false);
        if (o && o->ft) {
            o->size_known = true;
            o->size = size;
            file_set_size(o->ft, size);
        }
    }
}

/* ---- NT_TRANSACT ------------------------------------------------------- */

enum {
    NT_CREATE = 1, NT_IOCTL = 2, NT_SET_SECURITY = 3, NT_NOTIFY = 4, NT_RENAME = 5,
    NT_QUERY_SECURITY = 6, NT_GET_QUOTA = 7, NT_SET_QUOTA = 8,
};

#define NT_TRANS_REQ_FIXED_WORDS 19
#define NT_TRANS_RSP_FIXED_WORDS 18
#define NT_CREATE_NAME_OFF 53 /* the name follows 53 bytes of fixed parameters */

/* NT_TRANSACT_CREATE parameters ([MS-CIFS] 2.2.7.1.1) */
static void nt_create_params(struct smb1_link *l, struct rd *p)
{
    rd_skip(p, 4 + 4); /* Flags, RootDirectoryFID */
    uint32_t access = rd_u32le(p);
    rd_skip(p, 8 + 4 + 4); /* AllocationSize, ExtFileAttributes, ShareAccess */
    uint32_t disposition = rd_u32le(p);
    uint32_t options = rd_u32le(p);
    rd_skip(p, 4 + 4); /* SecurityDescriptorLength, EALength */
    uint32_t name_len = rd_u32le(p);
    rd_skip(p, 4 + 1); /* ImpersonationLevel, SecurityFlags */
    if (!rd_ok(p))
        return;
    bool u = l->h->unicode;
    if (u)
        rd_align(p, 2);
    const char *name = name_len && name_len <= rd_left(p) ? smb1_strn(l, p, name_len, u) : smb1_str(l, p, u, false);
    ev_str(l->ev, F(file), name);
    ev_uint(l->ev, F(access_mask), access);
    ev_str(l->ev, F(disposition), smb1_nt_disposition_name(disposition));
    ev_uint(l->ev, F(create_options), options);
    keep_name(l, name);
}

void smb1_nt_trans_req(struct smb1_link *l)
{
    if (!smb1_need_words(l, NT_TRANS_REQ_FIXED_WORDS))
        return;
    struct rd w = l->words;
    rd_skip(&w, 1 + 2); /* MaxSetupCount, Reserved1 */
    uint32_t total_pc = rd_u32le(&w), total_dc = rd_u32le(&w);
    rd_skip(&w, 4 + 4); /* maxima */
    uint32_t param_count = rd_u32le(&w);
    uint32_t param_off = rd_u32le(&w);
    rd_skip(&w, 4 + 4); /* DataCount, DataOffset */
    uint8_t setup_count = rd_u8(&w);
    uint16_t function = rd_u16le(&w);
    struct rd setup = rd_sub(&w, 2u * setup_count);
    if (!rd_ok(&w)) {
        smb1_anomaly(l, "smb1_trans_setup", "setup count %u does not fit word count %u", setup_count, l->wct);
        return;
    }
    ev_uint(l->ev, F(function), function);
    ev_str(l->ev, F(function_name), smb1_nt_trans_name(function));
    ev_uint(l->ev, F(total_param_count), total_pc);
    ev_uint(l->ev, F(total_data_count), total_dc);
    l->p->req.u.trans.subcmd = function;
    l->p->req.decoded = true; /* the name, when there is one, follows */

    if (function == NT_IOCTL || function == NT_NOTIFY) {
        /* setup: FunctionCode or CompletionFilter (4), then the FID */
        uint32_t code = rd_u32le(&setup);
        uint16_t fid = rd_u16le(&setup);
        if (rd_ok(&setup)) {
            if (function == NT_IOCTL)
                ev_uint(l->ev, F(ioctl_code), code);
            smb1_ev_fid(l, fid);
        }
        return;
    }
    struct rd p = smb1_msg_window(l, param_off, param_count);
    if (!rd_ok(&p))
        return;
    switch (function) {
    case NT_CREATE:
        nt_create_params(l, &p);
        break;
    case NT_SET_SECURITY:
    case NT_RENAME:
    case NT_QUERY_SECURITY:
    case NT_GET_QUOTA:
    case NT_SET_QUOTA: {
        /* each of these starts its parameters with the FID */
        uint16_t fid = rd_u16le(&p);
        if (rd_ok(&p))
            smb1_ev_fid(l, fid);
        break;
    }
    default:
        break;
    }
}

void smb1_nt_trans_rsp(struct smb1_link *l)
{
    if (!l->p || !l->p->req.decoded || l->p->req.u.trans.subcmd != NT_CREATE || l->wct == 0)
        return;
    if (!smb1_need_words(l, NT_TRANS_RSP_FIXED_WORDS))
        return;
    struct rd w = l->words;
    rd_skip(&w, 3 + 4 + 4); /* Reserved1, totals */
    uint32_t count = rd_u32le(&w);
    uint32_t off = rd_u32le(&w);
    uint32_t displacement = rd_u32le(&w);
    if (!rd_ok(&w) || displacement != 0)
        return;
    /* NT_TRANSACT_CREATE response parameters ([MS-CIFS] 2.2.7.1.2) */
    struct rd p = smb1_msg_window(l, off, count);
    rd_skip(&p, 1 + 1); /* OpLockLevel, Reserved */
    uint16_t fid = rd_u16le(&p);
    uint32_t action = rd_u32le(&p);
    rd_skip(&p, 4 + 4 * 8 + 4 + 8); /* EAErrorOffset, times, ExtFileAttributes, AllocationSize */
    uint64_t eof = rd_u64le(&p);
    uint16_t type = rd_u16le(&p); /* FileType */
    rd_skip(&p, 2); /* DeviceState */
    uint8_t directory = rd_u8(&p);
    if (!rd_ok(&p))
        return;
    ev_uint(l->ev, F(fid), fid);
    ev_uint(l->ev, F(size), eof);
    ev_str(l->ev, F(create_action), smb1_nt_create_action_name(action));
    ev_bool(l->ev, F(is_directory), directory != 0);
    if (!smb1_rsp_ok(l))
        return;
    struct smb1_open *o = smb1_open_add(l->c, fid, l->h->uid, l->h->tid, l->p->req.u.trans.name, smb1_op_ts(l));
    if (o)
        smb1_open_kind_from_type(l->c, o, type, directory != 0);
    if (o && o->ft && smb1_size_fits(l, fid, eof)) {
        o->size_known = true;
        o->size = eof;
        file_set_size(o->ft, eof);
    }
}

/* ---- secondaries: more parameter/data bytes for a transaction ----------- */

static void secondary_fields(struct smb1_link *l, uint32_t tpc, uint32_t tdc, uint32_t pc, uint32_t pd, uint32_t dc,
                             uint32_t dd)
{
    ev_uint(l->ev, F(total_param_count), tpc);
    ev_uint(l->ev, F(total_data_count), tdc);
    ev_uint(l->ev, F(param_count), pc);
    ev_uint(l->ev, F(param_displacement), pd);
    ev_uint(l->ev, F(data_count), dc);
    ev_uint(l->ev, F(data_displacement), dd);
}

/* TRANSACTION_SECONDARY (8 words) and TRANSACTION2_SECONDARY (9: + FID);
 * the message's data count, 0 when the words are not there */
static uint16_t trans_secondary(struct smb1_link *l, unsigned words, uint16_t *data_off)
{
    if (!smb1_need_words(l, words))
        return 0;
    struct rd w = l->words;
    uint16_t tpc = rd_u16le(&w), tdc = rd_u16le(&w);
    uint16_t pc = rd_u16le(&w);
    rd_u16le(&w); /* ParameterOffset */
    uint16_t pd = rd_u16le(&w);
    uint16_t dc = rd_u16le(&w);
    *data_off = rd_u16le(&w);
    uint16_t dd = rd_u16le(&w);
    if (!rd_ok(&w))
        return 0;
    secondary_fields(l, tpc, tdc, pc, pd, dc, dd);
    return dc;
}

void smb1_trans_secondary_req(struct smb1_link *l)
{
    uint16_t data_off = 0;
    uint16_t said = trans_secondary(l, 8, &data_off);
    uint16_t dc = (uint16_t)smb1_data_bound(l, data_off, said);
    /* more request data of a pipe transaction still waiting for its answer */
    struct smb1_pending *prim = smb1_pending_answer(l->c, l->h->pid, l->h->mid, SMB1_COM_TRANSACTION, 0, false);
    if (!dc || !prim || !prim->req.decoded || !prim->req.u.trans.pipe_io || !pipe_writes(prim->req.u.trans.subcmd))
        return;
    if (!smb1_pipe_count(l->c, prim->req.u.trans.fid, true, dc))
        prim->req.u.trans.data_in += dc;
    /* secondaries come in order in practice; the pipe reads them as they come */
    pipe_payload(l, prim->req.u.trans.fid, true, data_off, dc);
}

void smb1_trans2_secondary_req(struct smb1_link *l)
{
    uint16_t data_off;
    trans_secondary(l, 9, &data_off);
}

void smb1_nt_trans_secondary_req(struct smb1_link *l)
{
    if (!smb1_need_words(l, 18))
        return;
    struct rd w = l->words;
    rd_skip(&w, 3); /* Reserved1 */
    uint32_t tpc = rd_u32le(&w), tdc = rd_u32le(&w);
    uint32_t pc = rd_u32le(&w);
    rd_u32le(&w); /* ParameterOffset */
    uint32_t pd = rd_u32le(&w);
    uint32_t dc = rd_u32le(&w);
    rd_u32le(&w); /* DataOffset */
    uint32_t dd = rd_u32le(&w);
    if (rd_ok(&w))
        secondary_fields(l, tpc, tdc, pc, pd, dc, dd);
}
