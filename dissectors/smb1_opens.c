/* smb1_opens: the open table of one connection (FID -> open), what kind each
 * open is (file, directory, pipe, printer), a pipe's DCE/RPC layer, and the
 * `file` record an open writes when it ends.
 * Spec: [MS-CIFS] 3.3.1 (the server's open table), 2.2.4.5 (CLOSE ends a
 * FID), 2.2.4.54 / 3.3.5.41 (LOGOFF_ANDX and TREE_DISCONNECT end the opens of
 * a UID / TID), 2.2.4.64.2 (FileType). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "smb1.h"
#include "smb1_handlers.h"

static void open_charge(struct smb1_conn *c, struct smb1_open *o)
{
    smb1_recharge(c, &o->charged, sizeof *o + MB_OVERHEAD + smb1_str_cost(o->name) + smb1_str_cost(o->share));
}

/* ---- open counts per UID and per TID ---- */

static struct smb1_idcount *idcount_find(const struct smb1_conn *c, const struct htab *t, unsigned tab,
                                         uint16_t id)
{
    for (struct hnode *n = htab_first(t, smb1_id_hash(c, tab, id)); n; n = htab_next(n)) {
        struct smb1_idcount *k = HTAB_ENTRY(n, struct smb1_idcount, hn);
        if (k->id == id)
            return k;
    }
    return NULL;
}

static void idcount_add(struct smb1_conn *c, struct htab *t, unsigned tab, uint16_t id, int delta)
{
    struct smb1_idcount *k = idcount_find(c, t, tab, id);
    if (!k) {
        if (delta < 0)
            return;
        k = mb_calloc(c->mb, sizeof *k);
        k->id = id;
        htab_insert(t, &k->hn, smb1_id_hash(c, tab, id));
    }
    if (delta < 0 && --k->n == 0) {
        htab_remove(t, &k->hn);
        mb_free(c->mb, k, sizeof *k);
    } else if (delta > 0) {
        k->n++;
    }
}

/* ---- open kinds (file, directory, pipe, printer) ---- */

const char *smb1_open_kind_name(enum smb1_open_kind k)
{
    switch (k) {
    case SMB1_OPEN_DIRECTORY: return "directory";
    case SMB1_OPEN_PIPE: return "pipe";
    case SMB1_OPEN_PRINTER: return "printer";
    default: return "file";
    }
}

static bool ends_with_ci(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

/* what an open on this tree is before the open says more: the service the
 * TREE_CONNECT response named ([MS-CIFS] 2.2.4.55.2: "IPC" named pipes,
 * "LPT1:" printer), else a share path ending in IPC$ */
static enum smb1_open_kind tree_kind(const struct smb1_tree *t, const char *share)
{
    if (t && t->service) {
        if (strcmp(t->service, "IPC") == 0)
            return SMB1_OPEN_PIPE;
        if (strcmp(t->service, "LPT1:") == 0)
            return SMB1_OPEN_PRINTER;
        return SMB1_OPEN_FILE;
    }
    return share && ends_with_ci(share, "\\IPC$") ? SMB1_OPEN_PIPE : SMB1_OPEN_FILE;
}

static void pipe_rpc_end(struct smb1_conn *c, struct smb1_open *o);

void smb1_open_set_kind(struct smb1_conn *c, struct smb1_open *o, enum smb1_open_kind k)
{
    if (o->kind == k)
        return;
    if (o->kind == SMB1_OPEN_PIPE)
        pipe_rpc_end(c, o);
    o->kind = k;
    if (k == SMB1_OPEN_FILE || k == SMB1_OPEN_PRINTER) {
        /* content from here on (an open's response says so before any data) */
        if (!o->ft)
            o->ft = file_new(c->files);
        return;
    }
    if (!o->ft)
        return;
    if (k == SMB1_OPEN_PIPE) {
        /* bytes seen before the FID was known to be a pipe still count */
        struct file_result r;
        file_finish(o->ft, &r);
        o->pipe_in += r.bytes_written;
        o->pipe_out += r.bytes_read;
        file_result_free(&r);
    }
    file_free(o->ft);
    o->ft = NULL;
    o->size_known = false;
}

void smb1_open_kind_from_type(struct smb1_conn *c, struct smb1_open *o, uint16_t file_type, bool directory)
{
    enum { TYPE_DISK = 0, TYPE_BYTE_PIPE = 1, TYPE_MESSAGE_PIPE = 2, TYPE_PRINTER = 3 };
    if (file_type == TYPE_BYTE_PIPE || file_type == TYPE_MESSAGE_PIPE)
        smb1_open_set_kind(c, o, SMB1_OPEN_PIPE);
    else if (file_type == TYPE_PRINTER)
        smb1_open_set_kind(c, o, SMB1_OPEN_PRINTER);
    else if (directory)
        smb1_open_set_kind(c, o, SMB1_OPEN_DIRECTORY);
    else if (file_type == TYPE_DISK)
        smb1_open_set_kind(c, o, SMB1_OPEN_FILE);
}

bool smb1_pipe_count(struct smb1_conn *c, uint16_t fid, bool to_server, uint64_t n)
{
    struct smb1_open *o = smb1_open_get(c, fid);
    if (!o || o->kind != SMB1_OPEN_PIPE)
        return false;
    uint64_t *ctr = to_server ? &o->pipe_in : &o->pipe_out;
    *ctr = n > UINT64_MAX - *ctr ? UINT64_MAX : *ctr + n;
    return true;
}

/* ---- the open table ---- */

struct smb1_open *smb1_open_get(struct smb1_conn *c, uint16_t fid)
{
    for (struct hnode *n = htab_first(&c->open_tab, smb1_id_hash(c, SMB1_TAB_OPEN, fid)); n; n = htab_next(n)) {
        struct smb1_open *o = HTAB_ENTRY(n, struct smb1_open, hn);
        if (o->fid == fid)
            return o;
    }
    return NULL;
}

/* the pipe's DCE/RPC state, made on first use with the pipe's identity */
static struct dcerpc_pipe *pipe_rpc(struct smb1_conn *c, struct smb1_open *o, uint64_t ts_us)
{
    if (!o->rpc) {
        const struct smb1_session *s = smb1_session_get(c, o->uid, false, ts_us);
        const char *user = s && s->user && *s->user ? s->user : NULL;
        o->rpc = dcerpc_pipe_new(o->name, o->fid, user, o->share);
    }
    return o->rpc;
}

/* what the DCE/RPC layer writes with; def: the limits of a connection made
 * without any (tests), filled only then */
static struct dcerpc_io pipe_io(const struct smb1_conn *c, const struct emitter *em, uint64_t ts_us,
                                struct limits *def)
{
    if (!c->lim)
        *def = limits_default();
    struct dcerpc_io io = {.conn = c->conn, .em = em, .lim = c->lim ? c->lim : def, .ts_us = ts_us};
    return io;
}

void smb1_pipe_data(struct smb1_conn *c, const struct emitter *em, struct smb1_open *o, bool to_server,
                    const uint8_t *p, size_t n, uint64_t ts_us)
{
    if (!o || o->kind != SMB1_OPEN_PIPE || n == 0)
        return;
    struct limits def;
    struct dcerpc_io io = pipe_io(c, em, ts_us, &def);
    dcerpc_data(pipe_rpc(c, o, ts_us), &io, to_server, p, n);
}

void smb1_pipe_gap(struct smb1_conn *c, const struct emitter *em, struct smb1_open *o, bool to_server, size_t n,
                   uint64_t ts_us)
{
    if (!o || o->kind != SMB1_OPEN_PIPE || !o->rpc || n == 0)
        return;
    struct limits def;
    struct dcerpc_io io = pipe_io(c, em, ts_us, &def);
    dcerpc_gap(o->rpc, &io, to_server, n);
}

/* the pipe's calls still open are reported (unanswered) before its file record */
static void pipe_rpc_end(struct smb1_conn *c, struct smb1_open *o)
{
    if (!o->rpc)
        return;
    struct limits def;
    struct dcerpc_io io = pipe_io(c, c->em, o->ts_us, &def);
    dcerpc_pipe_end(o->rpc, &io);
    o->rpc = NULL;
}

struct smb1_open *smb1_open_add(struct smb1_conn *c, uint16_t fid, uint16_t uid, uint16_t tid,
                                const char *name, uint64_t ts_us)
{
    /* the server only hands out a FID again after it was closed, so an open
     * still holding it lost its CLOSE to the capture: finish it now */
    if (smb1_open_get(c, fid)) {
        emit_anomaly(c->em, ts_us, c->conn, "fid_reused", "fid %u opened again without a close seen", fid);
        smb1_open_close(c, fid, ts_us);
    }
    if (c->lim && c->n_opens >= c->lim->files_max) {
        emit_anomaly(c->em, ts_us, c->conn, "open_files_limit",
                     "more than %zu open files on one connection; fid %u not tracked", c->lim->files_max, fid);
        return NULL;
    }
    struct smb1_open *o = smb1_xcalloc(sizeof *o);
    o->fid = fid;
    o->serial = ++c->open_serial;
    o->uid = uid;
    o->tid = tid;
    o->name = smb1_xstrdup(name);
    struct smb1_tree *t = smb1_tree_get(c, tid, false);
    o->share = smb1_xstrdup(t ? t->path : NULL);
    o->kind = tree_kind(t, o->share);
    /* only files (and print files) have content worth hashing */
    if (o->kind == SMB1_OPEN_FILE || o->kind == SMB1_OPEN_PRINTER)
        o->ft = file_new(c->files);
    o->ts_us = ts_us;
    htab_insert(&c->open_tab, &o->hn, smb1_id_hash(c, SMB1_TAB_OPEN, fid));
    o->prev = c->opens_tail;
    if (c->opens_tail)
        c->opens_tail->next = o;
    else
        c->opens = o;
    c->opens_tail = o;
    c->n_opens++;
    idcount_add(c, &c->opens_by_uid, SMB1_TAB_BY_UID, uid, +1);
    idcount_add(c, &c->opens_by_tid, SMB1_TAB_BY_TID, tid, +1);
    open_charge(c, o);

    struct smb1_session *s = smb1_session_get(c, uid, true, ts_us);
    if (s) {
        if (o->name)
            strlist_add(&s->files, o->name);
        if (o->share)
            strlist_add(&s->shares, o->share);
        smb1_session_charge(c, s);
    }
    return o;
}

/* the content fields of a file or print file: counts, ranges and the hash */
static void content_fields(struct event *e, const struct file_result *r)
{
    ev_uint(e, F(bytes_read), r->bytes_read);
    ev_uint(e, F(bytes_written), r->bytes_written);
    fs_ranges(e, NULL, F(read_ranges), (const uint64_t(*)[2])r->read_ranges, r->n_read_ranges);
    fs_ranges(e, NULL, F(write_ranges), (const uint64_t(*)[2])r->write_ranges, r->n_write_ranges);
    ev_str(e, F(sha256), r->has_sha256 ? r->sha256 : NULL);
    ev_bool(e, F(complete), r->complete);
}

static void open_record(struct smb1_conn *c, struct smb1_open *o, uint64_t ts_us)
{
    struct file_result r;
    memset(&r, 0, sizeof r);
    bool content = o->kind == SMB1_OPEN_FILE || o->kind == SMB1_OPEN_PRINTER;
    if (content)
        file_finish(o->ft, &r);

    struct event e;
    /* stamped when written (the close, or the end of the tree, session or
     * connection); `start` is the open */
    ev_init(&e, EV_FILE, ts_us, c->conn);
    ev_ts(&e, F(start), o->ts_us);
    ev_str(&e, F(name), o->name);
    ev_str(&e, F(share), o->share);
    ev_str(&e, F(kind), smb1_open_kind_name(o->kind));
    ev_uint(&e, F(fid), o->fid);
    ev_uint(&e, F(uid), o->uid);
    ev_uint(&e, F(tid), o->tid);
    /* who: the account of the open's session, so no join is needed */
    const struct smb1_session *s = smb1_session_get(c, o->uid, false, 0);
    ev_str(&e, F(user), s ? s->user : NULL);
    ev_str(&e, F(domain), s ? s->domain : NULL);
    if (o->size_known)
        ev_uint(&e, F(size), o->size);
    else
        ev_null(&e, F(size));
    if (content) {
        content_fields(&e, &r);
    } else if (o->kind == SMB1_OPEN_PIPE) {
        /* a pipe is a conversation, not content: no ranges, no hash */
        ev_uint(&e, F(bytes_in), o->pipe_in);
        ev_uint(&e, F(bytes_out), o->pipe_out);
    }
    /* never saw the open: the data is real but the name is unknown */
    ev_bool(&e, F(partial), o->name == NULL);
    if (content && !r.has_sha256 && !r.sha256_pending)
        ev_str(&e, F(no_hash_reason), r.no_hash_reason ? r.no_hash_reason : "unknown");
    /* --extract: the content goes out with the finished record (adds `extracted`) */
    file_extract(o->ft, &r, &e, o->serial);
    /* the hash still being computed: whoever writes the record sets sha256
     * (or no_hash_reason, which comes last either way: no --extract then) */
    ev_set_pending(&e, r.sha256_pending);
    r.sha256_pending = NULL;
    emit(c->em, &e);
    ev_free(&e);
    file_result_free(&r);
}

static void open_free(struct smb1_open *o)
{
    file_free(o->ft);
    free(o->name);
    free(o->share);
    free(o);
}

/* unlink o, write its `file` record (ts_us: when it ends), free it */
static void open_end(struct smb1_conn *c, struct smb1_open *o, uint64_t ts_us)
{
    htab_remove(&c->open_tab, &o->hn);
    if (o->prev)
        o->prev->next = o->next;
    else
        c->opens = o->next;
    if (o->next)
        o->next->prev = o->prev;
    else
        c->opens_tail = o->prev;
    c->n_opens--;
    idcount_add(c, &c->opens_by_uid, SMB1_TAB_BY_UID, o->uid, -1);
    idcount_add(c, &c->opens_by_tid, SMB1_TAB_BY_TID, o->tid, -1);
    c->opens_ended++; /* tells holders of an open pointer to look it up again */
    pipe_rpc_end(c, o);
    open_record(c, o, ts_us);
    smb1_recharge(c, &o->charged, 0);
    open_free(o);
}

void smb1_open_close(struct smb1_conn *c, uint16_t fid, uint64_t ts_us)
{
    struct smb1_open *o = smb1_open_get(c, fid);
    if (o)
        open_end(c, o, ts_us);
}

/* end every open whose tree (by_tid) or session matches `id`, in creation
 * order. Only walks the opens when one uses the ID (counted per ID), so a
 * flood of LOGOFF / TREE_DISCONNECT for unknown IDs costs O(1) each, and a
 * walk ends at least one open, which an OPEN response had to make. */
static void close_matching(struct smb1_conn *c, bool by_tid, uint16_t id, uint64_t ts_us)
{
    const struct smb1_idcount *k = by_tid ? idcount_find(c, &c->opens_by_tid, SMB1_TAB_BY_TID, id)
                                          : idcount_find(c, &c->opens_by_uid, SMB1_TAB_BY_UID, id);
    if (!k)
        return;
    struct smb1_open *o = c->opens;
    while (o) {
        struct smb1_open *next = o->next;
        if ((by_tid ? o->tid : o->uid) == id)
            open_end(c, o, ts_us); /* records only: never ends another open, so next stays valid */
        o = next;
    }
}

void smb1_open_close_tree(struct smb1_conn *c, uint16_t tid, uint64_t ts_us)
{
    close_matching(c, true, tid, ts_us);
}

void smb1_open_close_uid(struct smb1_conn *c, uint16_t uid, uint64_t ts_us)
{
    close_matching(c, false, uid, ts_us);
}

void smb1_open_end_all(struct smb1_conn *c, uint64_t ts_us)
{
    while (c->opens)
        open_end(c, c->opens, ts_us);
}
