/* smb1_open: commands that open or create a file and return a FID.
 * OPEN_ANDX, NT_CREATE_ANDX, and the core OPEN, CREATE and CREATE_NEW;
 * each successful response starts a tracked open (smb1_open_add).
 * Spec: [MS-CIFS] 2.2.4.41 (OPEN_ANDX; AccessMode and OpenMode bits in
 * 2.2.4.41.1, OpenResults in 2.2.4.41.2), 2.2.4.64 (NT_CREATE_ANDX),
 * 2.2.4.3 (OPEN), 2.2.4.4 (CREATE), 2.2.4.16 (CREATE_NEW); [MS-SMB] 2.2.4.1.2
 * and 2.2.4.9.2 (extended responses: same leading fields, more words);
 * 3.2.4.1.1 / 3.3.5.2 (a command chained after an open with FID 0xFFFF works
 * on the FID that open returned). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smb1.h"
#include "smb1_handlers.h"
#include "str.h"

#define PATH_BUFFER_FORMAT 0x04 /* SMB_STRING follows ([MS-CIFS] 2.2.1.1) */
#define OPEN_REQ_ATTRIB 0x0001    /* OPEN_ANDX Flags: fill in the file's attributes ([MS-CIFS] 2.2.4.41.1) */

/* keep the requested name for the response, which only carries the FID */
static void keep_name(struct smb1_link *l, const char *name)
{
    l->p->req.u.open.name = strdup(name);
    if (!l->p->req.u.open.name)
        abort();
    l->p->req.owns_str = true;
    l->p->req.decoded = true;
}

#define FILE_DIRECTORY_FILE 0x00000001 /* CreateOptions: the target must be a directory */
#define FILE_TYPE_NOT_SAID 0xffff      /* FileTypeUnknown; also used when a response carries no type */

/* the response half every open command shares: track the new FID, or take
 * the open the core made for it early (data chained after this open was
 * streamed into it before this handler ran); of the kind the response
 * (file_type, directory) and the request's create options say, over what the
 * tree said (smb1_open_add) */
static struct smb1_open *opened(struct smb1_link *l, uint16_t fid, bool size_known, uint64_t size,
                                uint16_t file_type, bool directory)
{
    struct smb1_conn *c = l->c;
    bool req = l->p && l->p->req.decoded;
    struct smb1_open *o = smb1_open_get(c, fid);
    if (!o || !c->early_open || o->serial != c->early_open) {
        const char *name = req ? l->p->req.u.open.name : NULL;
        o = smb1_open_add(c, fid, l->h->uid, l->h->tid, name, smb1_op_ts(l));
    }
    c->early_open = 0;
    if (!o)
        return NULL;
    /* an open asking for FILE_DIRECTORY_FILE succeeds only on a directory */
    if (req && (l->p->req.u.open.create_options & FILE_DIRECTORY_FILE))
        directory = true;
    smb1_open_kind_from_type(c, o, file_type, directory);
    /* a pipe's or a directory's end-of-file is not a content size; one no
     * file can have is flagged and not taken */
    if (size_known && o->ft && smb1_size_fits(l, fid, size)) {
        o->size_known = true;
        o->size = size;
        file_set_size(o->ft, size);
    }
    return o;
}

/* AccessMode ([MS-CIFS] 2.2.4.3.1 / 2.2.4.41.1): bits 0-2 access, 4-6 sharing */
static void access_mode_field(struct smb1_link *l, uint16_t mode)
{
    static const char *const access[8] = {"read", "write", "read/write", "execute"};
    static const char *const sharing[8] = {"compatibility", "deny all", "deny write", "deny read",
                                           "deny none"};
    unsigned a = mode & 7, s = (mode >> 4) & 7;
    char buf[64];
    char abuf[16], sbuf[16];
    const char *at = access[a], *st = sharing[s];
    if (!at) {
        snprintf(abuf, sizeof abuf, "access %u", a);
        at = abuf;
    }
    if (!st) {
        snprintf(sbuf, sizeof sbuf, "sharing %u", s);
        st = sbuf;
    }
    int n = snprintf(buf, sizeof buf, "%s, %s", at, st);
    fs_strn(l->ev, NULL, F(access), buf, n > 0 ? (size_t)n : 0);
}

/* ---- OPEN_ANDX ----------------------------------------------------------- */

/* OpenMode: bits 0-1 what to do if the file exists, bit 4 create if not */
static const char *open_action_text(uint16_t open_mode)
{
    static const char *const text[4][2] = {
        {"fail", "fail or create"},
        {"open or fail", "open or create"},
        {"truncate or fail", "truncate or create"},
        {"invalid", "invalid"},
    };
    return text[open_mode & 3][(open_mode >> 4) & 1];
}

void smb1_open_andx_req(struct smb1_link *l)
{
    if (!smb1_need_words(l, 15))
        return;
    struct rd w = l->words;
    rd_skip(&w, 4); /* AndX */
    uint16_t flags = rd_u16le(&w);
    uint16_t access = rd_u16le(&w);
    rd_skip(&w, 2 + 2 + 4); /* SearchAttrs, FileAttrs, CreationTime */
    uint16_t open_mode = rd_u16le(&w);
    if (!rd_ok(&w))
        return;
    struct rd b = l->bytes;
    const char *name = smb1_str(l, &b, l->h->unicode, true);
    ev_str(l->ev, F(file), name);
    access_mode_field(l, access);
    ev_uint(l->ev, F(open_function), open_mode);
    ev_str(l->ev, F(open_action), open_action_text(open_mode));
    keep_name(l, name);
    l->p->req.u.open.flags = flags;
}

/* what an OPEN_ANDX or NT_CREATE_ANDX response says about the new open */
struct open_rsp {
    uint16_t fid;
    bool size_known;
    uint64_t size;
    uint32_t action;           /* OPEN_ANDX OpenResults, NT_CREATE_ANDX CreateAction */
    bool directory;
    uint16_t file_type;        /* ResourceType; FILE_TYPE_NOT_SAID when it proves nothing */
};

static bool open_andx_rsp_words(const struct smb1_link *l, struct open_rsp *r)
{
    if (l->wct < 15)
        return false;
    struct rd w = l->words;
    rd_skip(&w, 4); /* AndX */
    r->fid = rd_u16le(&w);
    uint16_t attrs = rd_u16le(&w);
    uint32_t mtime = rd_u32le(&w);
    uint32_t size = rd_u32le(&w);
    uint16_t rights = rd_u16le(&w);
    uint16_t rtype = rd_u16le(&w);
    uint16_t pipe = rd_u16le(&w);
    uint16_t results = rd_u16le(&w);
    if (!rd_ok(&w))
        return false;
    /* [MS-CIFS] 2.2.4.41.2: unless the request set REQ_ATTRIB the server fills
     * in the FID only and zeroes everything after it (Windows does), so a
     * zero size then says nothing. Samba fills the block in anyway: one that
     * is not all zeroes was filled in by the server and says what the client
     * itself was told. */
    const struct smb1_pending *p = l->p;
    bool asked = p && p->req.decoded && (p->req.u.open.flags & OPEN_REQ_ATTRIB);
    bool filled = attrs || mtime || size || rights || rtype || pipe || results;
    r->size_known = asked || filled;
    r->size = size;
    r->action = results;
    r->directory = false;
    /* ResourceType is zero when the request did not ask for the additional
     * information ([MS-CIFS] 2.2.4.41.2), so 0 ("disk") proves nothing: only a
     * pipe or printer type overrides what the tree said */
    r->file_type = rtype ? rtype : FILE_TYPE_NOT_SAID;
    return true;
}

void smb1_open_andx_rsp(struct smb1_link *l)
{
    if (l->wct == 0)
        return; /* error: the request's `file` stays on the record */
    struct open_rsp r;
    if (!smb1_need_words(l, 15) || !open_andx_rsp_words(l, &r))
        return;
    static const char *const action[4] = {"unknown", "opened", "created", "truncated"};
    ev_uint(l->ev, F(fid), r.fid);
    if (r.size_known)
        ev_uint(l->ev, F(size), r.size);
    else
        ev_null(l->ev, F(size));
    ev_str(l->ev, F(action), action[r.action & 3]);
    if (smb1_rsp_ok(l))
        opened(l, r.fid, r.size_known, r.size, r.file_type, r.directory);
}

/* ---- NT_CREATE_ANDX ----------------------------------------------------- */

/* "dir\\name", capped at lim->str_max bytes of UTF-8 like every decoded
 * string (no character split): each open's name is bounded, so a chain of
 * opens relative to the previous one cannot grow names without end */
static const char *join_relative(struct smb1_link *l, const char *dir, const char *name)
{
    size_t dl = strlen(dir), nl = strlen(name);
    size_t len = dl + 1 + nl;
    char *full = malloc(len + 1);
    if (!full)
        abort();
    memcpy(full, dir, dl);
    full[dl] = '\\';
    memcpy(full + dl + 1, name, nl + 1);
    size_t max = l->c->lim->str_max;
    if (len > max) {
        size_t keep = str_utf8_trunc(full, max);
        smb1_anomaly(l, "smb_name_truncated", "name relative to an open directory: %zu bytes, first %zu kept",
                     len, keep);
        len = keep;
    }
    const char *s = ev_strdup(l->ev, full, len);
    free(full);
    return s;
}

const char *smb1_nt_disposition_name(uint32_t d)
{
    static const char *const names[] = {"supersede", "open", "create", "open_if", "overwrite", "overwrite_if"};
    return d < sizeof names / sizeof names[0] ? names[d] : "unknown";
}

const char *smb1_nt_create_action_name(uint32_t a)
{
    static const char *const names[] = {"superseded", "opened", "created", "overwritten"};
    return a < sizeof names / sizeof names[0] ? names[a] : "unknown";
}

void smb1_nt_create_req(struct smb1_link *l)
{
    if (!smb1_need_words(l, 24))
        return;
    struct rd w = l->words;
    rd_skip(&w, 4 + 1); /* AndX, Reserved */
    uint16_t name_len = rd_u16le(&w);
    rd_u32le(&w); /* Flags */
    uint32_t root_fid = rd_u32le(&w);
    uint32_t access = rd_u32le(&w);
    rd_skip(&w, 8 + 4 + 4); /* AllocationSize, ExtFileAttributes, ShareAccess */
    uint32_t disposition = rd_u32le(&w);
    uint32_t options = rd_u32le(&w);
    if (!rd_ok(&w))
        return;
    struct rd b = l->bytes;
    bool u = l->h->unicode;
    if (u)
        rd_align(&b, 2);
    /* NameLength counts the name's bytes (with or without its terminator,
     * depending on the client); when it does not fit, read to the NUL */
    const char *name = name_len && name_len <= rd_left(&b) ? smb1_strn(l, &b, name_len, u)
                                                           : smb1_str(l, &b, u, false);
    /* a name relative to an open directory: prefix that directory's name */
    struct smb1_open *dir = root_fid ? smb1_open_get(l->c, (uint16_t)root_fid) : NULL;
    if (dir && dir->name)
        name = join_relative(l, dir->name, name);
    ev_str(l->ev, F(file), name);
    ev_uint(l->ev, F(access_mask), access);
    ev_str(l->ev, F(disposition), smb1_nt_disposition_name(disposition));
    ev_uint(l->ev, F(create_options), options);
    l->p->req.u.open.create_options = options;
    keep_name(l, name);
}

static bool nt_create_rsp_words(const struct smb1_link *l, struct open_rsp *r)
{
    /* 34 words in [MS-CIFS]; [MS-SMB] servers send 42 (and more bytes than
     * that claims): the fields read here lead both layouts */
    if (l->wct < 34)
        return false;
    struct rd w = l->words;
    rd_skip(&w, 4 + 1); /* AndX, OplockLevel */
    r->fid = rd_u16le(&w);
    r->action = rd_u32le(&w);
    rd_skip(&w, 4 * 8 + 4 + 8); /* four times, ExtFileAttributes, AllocationSize */
    r->size = rd_u64le(&w);
    r->file_type = rd_u16le(&w); /* ResourceType (FileType) */
    rd_skip(&w, 2);              /* NMPipeStatus */
    r->directory = rd_u8(&w) != 0;
    r->size_known = !r->directory;
    return rd_ok(&w);
}

void smb1_nt_create_rsp(struct smb1_link *l)
{
    if (l->wct == 0)
        return;
    struct open_rsp r;
    if (!smb1_need_words(l, 34) || !nt_create_rsp_words(l, &r))
        return;
    ev_uint(l->ev, F(fid), r.fid);
    ev_uint(l->ev, F(size), r.size);
    ev_str(l->ev, F(create_action), smb1_nt_create_action_name(r.action));
    ev_bool(l->ev, F(is_directory), r.directory);
    if (smb1_rsp_ok(l))
        opened(l, r.fid, r.size_known, r.size, r.file_type, r.directory);
}

/* ---- FID 0xFFFF after an open in the same message ------------------------ */

static bool open_rsp_words(const struct smb1_link *l, struct open_rsp *r)
{
    if (!smb1_rsp_ok(l))
        return false;
    if (l->cmd == SMB1_COM_OPEN_ANDX)
        return open_andx_rsp_words(l, r);
    if (l->cmd == SMB1_COM_NT_CREATE_ANDX)
        return nt_create_rsp_words(l, r);
    return false;
}

bool smb1_open_rsp_fid(const struct smb1_link *l, uint16_t *fid)
{
    struct open_rsp r;
    if (!open_rsp_words(l, &r))
        return false;
    *fid = r.fid;
    return true;
}

struct smb1_open *smb1_open_early(struct smb1_link *l)
{
    struct open_rsp r;
    if (!open_rsp_words(l, &r))
        return NULL;
    struct smb1_open *o = opened(l, r.fid, r.size_known, r.size, r.file_type, r.directory);
    if (o)
        l->c->early_open = o->serial;
    return o;
}

/* ---- core OPEN, CREATE, CREATE_NEW -------------------------------------- */

static const char *path_after_format(struct smb1_link *l)
{
    struct rd b = l->bytes;
    uint8_t fmt = rd_u8(&b);
    if (rd_ok(&b) && fmt != PATH_BUFFER_FORMAT)
        smb1_anomaly(l, "smb1_buffer_format", "buffer format 0x%02x before a file name", fmt);
    return smb1_str(l, &b, l->h->unicode, true);
}

void smb1_open_core_req(struct smb1_link *l)
{
    if (!smb1_need_words(l, 2))
        return;
    struct rd w = l->words;
    uint16_t access = rd_u16le(&w);
    const char *name = path_after_format(l);
    ev_str(l->ev, F(file), name);
    if (rd_ok(&w))
        access_mode_field(l, access);
    keep_name(l, name);
}

void smb1_open_core_rsp(struct smb1_link *l)
{
    if (l->wct == 0 || !smb1_need_words(l, 7))
        return;
    struct rd w = l->words;
    uint16_t fid = rd_u16le(&w);
    rd_skip(&w, 2 + 4); /* FileAttributes, LastModified */
    uint32_t size = rd_u32le(&w);
    if (!rd_ok(&w))
        return;
    ev_uint(l->ev, F(fid), fid);
    ev_uint(l->ev, F(size), size);
    if (smb1_rsp_ok(l))
        opened(l, fid, true, size, FILE_TYPE_NOT_SAID, false);
}

void smb1_create_core_req(struct smb1_link *l)
{
    if (!smb1_need_words(l, 3))
        return;
    const char *name = path_after_format(l);
    ev_str(l->ev, F(file), name);
    keep_name(l, name);
}

void smb1_create_core_rsp(struct smb1_link *l)
{
    if (l->wct == 0 || !smb1_need_words(l, 1))
        return;
    struct rd w = l->words;
    uint16_t fid = rd_u16le(&w);
    if (!rd_ok(&w))
        return;
    ev_uint(l->ev, F(fid), fid);
    /* CREATE makes a new file or truncates an existing one: it is empty now */
    if (smb1_rsp_ok(l))
        opened(l, fid, true, 0, FILE_TYPE_NOT_SAID, false);
}
