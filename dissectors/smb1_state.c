/* smb1_state: per-connection sessions, trees and opens, and their records.
 * Sessions (UID), trees (TID) and opens (FID); the `file` and `session`
 * records they produce when they end.
 * Spec: [MS-CIFS] 3.3.1 (the server's session, tree connect and open tables),
 * 2.2.4.5 (CLOSE ends a FID), 2.2.4.54 (LOGOFF_ANDX ends a UID), 3.3.5.41
 * (TREE_DISCONNECT ends a TID). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "smb1.h"
#include "smb1_handlers.h"

static char *xstrdup(const char *s)
{
    if (!s)
        return NULL;
    char *d = strdup(s);
    if (!d)
        abort(); /* out of memory only: input never makes this fail */
    return d;
}

static void *xcalloc(size_t n)
{
    void *p = calloc(1, n);
    if (!p)
        abort();
    return p;
}

/* sessions and trees are keyed by 16-bit values the peer chooses, so a hostile
 * stream could make tens of thousands; the open-files limit bounds them too */
static size_t state_cap(const struct smb1_conn *c)
{
    return c->lim ? c->lim->files_max : 4096;
}

/* ---- sessions ---------------------------------------------------------- */

struct smb1_session *smb1_session_get(struct smb1_conn *c, uint16_t uid, bool create, uint64_t ts_us)
{
    size_t n = 0;
    struct smb1_session **tail = &c->sessions;
    for (struct smb1_session *s = c->sessions; s; s = s->next, n++) {
        if (s->uid == uid)
            return s;
        tail = &s->next;
    }
    if (!create)
        return NULL;
    if (n >= state_cap(c)) {
        emit_anomaly(c->em, ts_us, c->conn, "session_limit",
                     "more than %zu sessions on one connection; uid %u not tracked", n, uid);
        return NULL;
    }
    struct smb1_session *s = xcalloc(sizeof *s);
    s->uid = uid;
    /* until a SESSION_SETUP response fills it in, we only know the UID exists */
    s->partial = true;
    s->ts_us = ts_us;
    *tail = s;
    return s;
}

void smb1_session_free(struct smb1_session *s)
{
    if (!s)
        return;
    free(s->user);
    free(s->domain);
    free(s->host);
    free(s->native_os);
    free(s->native_lanman);
    free(s->srv_native_os);
    free(s->srv_native_lanman);
    free(s->srv_domain);
    free(s->status);
    strlist_free(&s->shares);
    strlist_free(&s->files);
    free(s);
}

void smb1_session_record(struct smb1_conn *c, const struct smb1_session *s, uint64_t ts_us)
{
    (void)ts_us; /* the record is stamped with when the session began */
    struct event e;
    ev_init(&e, EV_SESSION, s->ts_us, c->conn);
    ev_uint(&e, F(uid), s->uid);
    ev_str(&e, F(dialect), c->dialect);
    ev_str(&e, F(user), s->user);
    ev_str(&e, F(domain), s->domain);
    ev_str(&e, F(host), s->host);
    ev_str(&e, F(auth), s->auth);
    ev_str(&e, F(status), s->status);
    fs_strv(&e, NULL, F(shares), (const char *const *)s->shares.v, s->shares.n);
    fs_strv(&e, NULL, F(files), (const char *const *)s->files.v, s->files.n);
    if (s->shares.omitted)
        ev_uint(&e, F(shares_omitted), s->shares.omitted);
    if (s->files.omitted)
        ev_uint(&e, F(files_omitted), s->files.omitted); /* more distinct files than the list keeps */
    ev_bool(&e, F(guest), s->guest);
    ev_str(&e, F(native_os), s->native_os);
    ev_str(&e, F(native_lanman), s->native_lanman);
    ev_bool(&e, F(partial), s->partial);
    emit(c->em, &e);
    ev_free(&e);
}

void smb1_session_end(struct smb1_conn *c, uint16_t uid, uint64_t ts_us)
{
    for (struct smb1_session **pp = &c->sessions; *pp; pp = &(*pp)->next) {
        struct smb1_session *s = *pp;
        if (s->uid != uid)
            continue;
        smb1_session_record(c, s, ts_us);
        *pp = s->next;
        smb1_session_free(s);
        return;
    }
}

/* ---- trees ------------------------------------------------------------- */

struct smb1_tree *smb1_tree_get(struct smb1_conn *c, uint16_t tid, bool create)
{
    size_t n = 0;
    struct smb1_tree **tail = &c->trees;
    for (struct smb1_tree *t = c->trees; t; t = t->next, n++) {
        if (t->tid == tid)
            return t;
        tail = &t->next;
    }
    if (!create)
        return NULL;
    if (n >= state_cap(c)) {
        /* no packet time here: stamp it with the connection start */
        emit_anomaly(c->em, c->conn ? c->conn->start_us : 0, c->conn, "tree_limit",
                     "more than %zu tree connects on one connection; tid %u not tracked", n, tid);
        return NULL;
    }
    struct smb1_tree *t = xcalloc(sizeof *t);
    t->tid = tid;
    *tail = t;
    return t;
}

static void tree_free(struct smb1_tree *t)
{
    free(t->path);
    free(t->service);
    free(t);
}

void smb1_tree_drop(struct smb1_conn *c, uint16_t tid)
{
    for (struct smb1_tree **pp = &c->trees; *pp; pp = &(*pp)->next) {
        struct smb1_tree *t = *pp;
        if (t->tid == tid) {
            *pp = t->next;
            tree_free(t);
            return;
        }
    }
}

/* ---- opens ------------------------------------------------------------- */

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
    for (struct smb1_open *o = c->opens; o; o = o->next)
        if (o->fid == fid)
            return o;
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

void smb1_pipe_data(struct smb1_conn *c, const struct emitter *em, struct smb1_open *o, bool to_server,
                    const uint8_t *p, size_t n, uint64_t ts_us)
{
    if (!o || o->kind != SMB1_OPEN_PIPE || n == 0)
        return;
    struct limits def = limits_default(); /* a connection made without limits (tests) */
    struct dcerpc_io io = {.conn = c->conn, .em = em, .lim = c->lim ? c->lim : &def, .ts_us = ts_us};
    dcerpc_data(pipe_rpc(c, o, ts_us), &io, to_server, p, n);
}

void smb1_pipe_gap(struct smb1_conn *c, const struct emitter *em, struct smb1_open *o, bool to_server, size_t n,
                   uint64_t ts_us)
{
    if (!o || o->kind != SMB1_OPEN_PIPE || !o->rpc || n == 0)
        return;
    struct limits def = limits_default();
    struct dcerpc_io io = {.conn = c->conn, .em = em, .lim = c->lim ? c->lim : &def, .ts_us = ts_us};
    dcerpc_gap(o->rpc, &io, to_server, n);
}

/* the pipe's calls still open are reported (unanswered) before its file record */
static void pipe_rpc_end(struct smb1_conn *c, struct smb1_open *o)
{
    if (!o->rpc)
        return;
    struct limits def = limits_default();
    struct dcerpc_io io = {.conn = c->conn, .em = c->em, .lim = c->lim ? c->lim : &def, .ts_us = o->ts_us};
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
    struct smb1_open *o = xcalloc(sizeof *o);
    o->fid = fid;
    o->serial = ++c->open_serial;
    o->uid = uid;
    o->tid = tid;
    o->name = xstrdup(name);
    struct smb1_tree *t = smb1_tree_get(c, tid, false);
    o->share = xstrdup(t ? t->path : NULL);
    o->kind = tree_kind(t, o->share);
    /* only files (and print files) have content worth hashing */
    if (o->kind == SMB1_OPEN_FILE || o->kind == SMB1_OPEN_PRINTER)
        o->ft = file_new(c->files);
    o->ts_us = ts_us;
    struct smb1_open **tail = &c->opens;
    while (*tail)
        tail = &(*tail)->next;
    *tail = o;
    c->n_opens++;

    struct smb1_session *s = smb1_session_get(c, uid, true, ts_us);
    if (s) {
        if (o->name)
            strlist_add(&s->files, o->name);
        if (o->share)
            strlist_add(&s->shares, o->share);
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

static void open_record(struct smb1_conn *c, struct smb1_open *o)
{
    struct file_result r;
    memset(&r, 0, sizeof r);
    bool content = o->kind == SMB1_OPEN_FILE || o->kind == SMB1_OPEN_PRINTER;
    if (content)
        file_finish(o->ft, &r);

    struct event e;
    ev_init(&e, EV_FILE, o->ts_us, c->conn);
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
    if (content && !r.has_sha256)
        ev_str(&e, F(no_hash_reason), r.no_hash_reason ? r.no_hash_reason : "unknown");
    /* --extract: the content goes out with the finished record (adds `extracted`) */
    file_extract(o->ft, &r, &e, o->serial);
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

/* unlink *pp, write its `file` record, free it */
static void open_end(struct smb1_conn *c, struct smb1_open **pp)
{
    struct smb1_open *o = *pp;
    *pp = o->next;
    c->n_opens--;
    c->opens_ended++; /* tells holders of an open pointer to look it up again */
    pipe_rpc_end(c, o);
    open_record(c, o);
    open_free(o);
}

void smb1_open_close(struct smb1_conn *c, uint16_t fid, uint64_t ts_us)
{
    (void)ts_us; /* the record carries the open time; the close time is the smb record's */
    for (struct smb1_open **pp = &c->opens; *pp; pp = &(*pp)->next) {
        if ((*pp)->fid == fid) {
            open_end(c, pp);
            return;
        }
    }
}

/* end every open whose tree (by_tid) or session matches `id` */
static void close_matching(struct smb1_conn *c, bool by_tid, uint16_t id)
{
    struct smb1_open **pp = &c->opens;
    while (*pp) {
        struct smb1_open *o = *pp;
        if ((by_tid ? o->tid : o->uid) != id)
            pp = &o->next;
        else
            open_end(c, pp);
    }
}

void smb1_open_close_tree(struct smb1_conn *c, uint16_t tid, uint64_t ts_us)
{
    (void)ts_us;
    close_matching(c, true, tid);
}

void smb1_open_close_uid(struct smb1_conn *c, uint16_t uid, uint64_t ts_us)
{
    (void)ts_us;
    close_matching(c, false, uid);
}

void smb1_state_end(struct smb1_conn *c, uint64_t ts_us)
{
    /* files before sessions: a session record lists the files it opened */
    while (c->opens)
        smb1_open_close(c, c->opens->fid, ts_us);
    while (c->sessions) {
        struct smb1_session *s = c->sessions;
        smb1_session_record(c, s, ts_us);
        c->sessions = s->next;
        smb1_session_free(s);
    }
    while (c->trees) {
        struct smb1_tree *t = c->trees;
        c->trees = t->next;
        tree_free(t);
    }
    /* set by the NEGOTIATE handlers; freeing twice is harmless (NULL/emptied) */
    strlist_free(&c->dialects);
    free(c->dialect);
    c->dialect = NULL;
}

/* ---- helpers shared by the command files -------------------------------- */

bool smb1_rsp_ok(const struct smb1_link *l)
{
    return l->h && !smb1_status_is_error(l->h);
}

uint64_t smb1_op_ts(const struct smb1_link *l)
{
    return l->p && l->p->have_request ? l->p->ts_us : l->ts_us;
}

void smb1_ev_fid(struct smb1_link *l, uint16_t fid)
{
    ev_uint(l->ev, F(fid), fid);
    struct smb1_open *o = smb1_open_get(l->c, fid);
    const char *name = o ? o->name : NULL;
    if (fid == SMB1_FID_CHAINED && l->chain_open && l->chain_name)
        name = l->chain_name; /* the file an open earlier in this request asks for: no FID yet */
    ev_str(l->ev, F(file), name);
}

bool smb1_need_words(struct smb1_link *l, unsigned min)
{
    if (l->wct >= min && rd_left(&l->words) >= 2u * min)
        return true;
    /* error responses legitimately carry no words; anything else is malformed */
    if (!l->h || !l->h->is_rsp || smb1_rsp_ok(l))
        smb1_anomaly(l, "smb1_bad_word_count", "word count %u, need at least %u", l->wct, min);
    return false;
}

const char *smb1_ev_get_str(const struct event *e, const struct fld_t_str *name)
{
    const struct field *f = ev_find(e, NULL, name);
    return f && f->kind == F_STR ? f->v.s : NULL;
}
