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

void smb1_conn_env(struct smb1_conn *c, struct membudget *mb, const struct hkey *hkey)
{
    c->mb = mb;
    if (hkey)
        c->hkey = *hkey;
    c->session_tab.mb = c->tree_tab.mb = c->open_tab.mb = mb;
    c->opens_by_uid.mb = c->opens_by_tid.mb = c->pending_tab.mb = mb;
}

static uint64_t id_hash(const struct smb1_conn *c, unsigned table, uint16_t id)
{
    /* one key for all tables of the run; the table number keeps their
     * hashes apart (not needed for correctness, only for tidiness) */
    return siphash24_u64(&c->hkey, ((uint64_t)table << 16) | id);
}
enum { TAB_SESSION = 1, TAB_TREE, TAB_OPEN, TAB_BY_UID, TAB_BY_TID };

/* ---- accounting (membudget.h) ---- */

static size_t str_cost(const char *s) { return s ? strlen(s) + 1 + MB_OVERHEAD : 0; }

/* set what an object is charged to `now`, charging or crediting the difference */
static void recharge(struct smb1_conn *c, size_t *charged, size_t now)
{
    if (now > *charged)
        mb_charge(c->mb, now - *charged);
    else
        mb_credit(c->mb, *charged - now);
    *charged = now;
}

void smb1_session_charge(struct smb1_conn *c, struct smb1_session *s)
{
    size_t n = sizeof *s + MB_OVERHEAD + str_cost(s->user) + str_cost(s->domain) + str_cost(s->host) +
               str_cost(s->native_os) + str_cost(s->native_lanman) + str_cost(s->srv_native_os) +
               str_cost(s->srv_native_lanman) + str_cost(s->srv_domain) + str_cost(s->status) + s->shares.bytes +
               s->files.bytes;
    recharge(c, &s->charged, n);
}

void smb1_tree_charge(struct smb1_conn *c, struct smb1_tree *t)
{
    recharge(c, &t->charged, sizeof *t + MB_OVERHEAD + str_cost(t->path) + str_cost(t->service));
}

static void open_charge(struct smb1_conn *c, struct smb1_open *o)
{
    recharge(c, &o->charged, sizeof *o + MB_OVERHEAD + str_cost(o->name) + str_cost(o->share));
}

/* ---- open counts per UID and per TID ---- */

static struct smb1_idcount *idcount_find(const struct smb1_conn *c, const struct htab *t, unsigned tab,
                                         uint16_t id)
{
    for (struct hnode *n = htab_first(t, id_hash(c, tab, id)); n; n = htab_next(n)) {
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
        htab_insert(t, &k->hn, id_hash(c, tab, id));
    }
    if (delta < 0 && --k->n == 0) {
        htab_remove(t, &k->hn);
        mb_free(c->mb, k, sizeof *k);
    } else if (delta > 0) {
        k->n++;
    }
}

/* ---- sessions ---------------------------------------------------------- */

/* sessions and trees are keyed by 16-bit values the peer chooses, so a hostile
 * stream could make tens of thousands: --max-sessions, --max-trees */
static size_t sessions_cap(const struct smb1_conn *c)
{
    return c->lim && c->lim->sessions_max ? c->lim->sessions_max : 4096;
}

static size_t trees_cap(const struct smb1_conn *c)
{
    return c->lim && c->lim->trees_max ? c->lim->trees_max : 4096;
}

static struct smb1_session *session_find(const struct smb1_conn *c, uint16_t uid)
{
    for (struct hnode *n = htab_first(&c->session_tab, id_hash(c, TAB_SESSION, uid)); n; n = htab_next(n)) {
        struct smb1_session *s = HTAB_ENTRY(n, struct smb1_session, hn);
        if (s->uid == uid)
            return s;
    }
    return NULL;
}

struct smb1_session *smb1_session_get(struct smb1_conn *c, uint16_t uid, bool create, uint64_t ts_us)
{
    struct smb1_session *s = session_find(c, uid);
    if (s || !create)
        return s;
    if (c->n_sessions >= sessions_cap(c)) {
        emit_anomaly(c->em, ts_us, c->conn, "session_limit",
                     "more than %zu sessions on one connection; uid %u not tracked", c->n_sessions, uid);
        return NULL;
    }
    s = xcalloc(sizeof *s);
    s->uid = uid;
    /* until a SESSION_SETUP response fills it in, we only know the UID exists */
    s->partial = true;
    s->ts_us = ts_us;
    htab_insert(&c->session_tab, &s->hn, id_hash(c, TAB_SESSION, uid));
    s->prev = c->sessions_tail;
    if (c->sessions_tail)
        c->sessions_tail->next = s;
    else
        c->sessions = s;
    c->sessions_tail = s;
    c->n_sessions++;
    smb1_session_charge(c, s);
    return s;
}

static void session_unlink(struct smb1_conn *c, struct smb1_session *s)
{
    htab_remove(&c->session_tab, &s->hn);
    if (s->prev)
        s->prev->next = s->next;
    else
        c->sessions = s->next;
    if (s->next)
        s->next->prev = s->prev;
    else
        c->sessions_tail = s->prev;
    c->n_sessions--;
    recharge(c, &s->charged, 0);
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
    /* stamped when written (logoff, failure or connection end) so the
     * transcript stays in time order; `start` is when the session began */
    struct event e;
    ev_init(&e, EV_SESSION, ts_us, c->conn);
    ev_ts(&e, F(start), s->ts_us);
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
    struct smb1_session *s = session_find(c, uid);
    if (!s)
        return;
    smb1_session_record(c, s, ts_us);
    session_unlink(c, s);
    smb1_session_free(s);
}

/* ---- trees ------------------------------------------------------------- */

static struct smb1_tree *tree_find(const struct smb1_conn *c, uint16_t tid)
{
    for (struct hnode *n = htab_first(&c->tree_tab, id_hash(c, TAB_TREE, tid)); n; n = htab_next(n)) {
        struct smb1_tree *t = HTAB_ENTRY(n, struct smb1_tree, hn);
        if (t->tid == tid)
            return t;
    }
    return NULL;
}

struct smb1_tree *smb1_tree_get(struct smb1_conn *c, uint16_t tid, bool create)
{
    struct smb1_tree *t = tree_find(c, tid);
    if (t || !create)
        return t;
    if (c->n_trees >= trees_cap(c)) {
        /* no packet time here: stamp it with the connection start */
        emit_anomaly(c->em, c->conn ? c->conn->start_us : 0, c->conn, "tree_limit",
                     "more than %zu tree connects on one connection; tid %u not tracked", c->n_trees, tid);
        return NULL;
    }
    t = xcalloc(sizeof *t);
    t->tid = tid;
    htab_insert(&c->tree_tab, &t->hn, id_hash(c, TAB_TREE, tid));
    t->prev = c->trees_tail;
    if (c->trees_tail)
        c->trees_tail->next = t;
    else
        c->trees = t;
    c->trees_tail = t;
    c->n_trees++;
    smb1_tree_charge(c, t);
    return t;
}

static void tree_free(struct smb1_conn *c, struct smb1_tree *t)
{
    htab_remove(&c->tree_tab, &t->hn);
    if (t->prev)
        t->prev->next = t->next;
    else
        c->trees = t->next;
    if (t->next)
        t->next->prev = t->prev;
    else
        c->trees_tail = t->prev;
    c->n_trees--;
    recharge(c, &t->charged, 0);
    free(t->path);
    free(t->service);
    free(t);
}

void smb1_tree_drop(struct smb1_conn *c, uint16_t tid)
{
    struct smb1_tree *t = tree_find(c, tid);
    if (t)
        tree_free(c, t);
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
    for (struct hnode *n = htab_first(&c->open_tab, id_hash(c, TAB_OPEN, fid)); n; n = htab_next(n)) {
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
    htab_insert(&c->open_tab, &o->hn, id_hash(c, TAB_OPEN, fid));
    o->prev = c->opens_tail;
    if (c->opens_tail)
        c->opens_tail->next = o;
    else
        c->opens = o;
    c->opens_tail = o;
    c->n_opens++;
    idcount_add(c, &c->opens_by_uid, TAB_BY_UID, uid, +1);
    idcount_add(c, &c->opens_by_tid, TAB_BY_TID, tid, +1);
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
    idcount_add(c, &c->opens_by_uid, TAB_BY_UID, o->uid, -1);
    idcount_add(c, &c->opens_by_tid, TAB_BY_TID, o->tid, -1);
    c->opens_ended++; /* tells holders of an open pointer to look it up again */
    pipe_rpc_end(c, o);
    open_record(c, o, ts_us);
    recharge(c, &o->charged, 0);
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
    const struct smb1_idcount *k = by_tid ? idcount_find(c, &c->opens_by_tid, TAB_BY_TID, id)
                                          : idcount_find(c, &c->opens_by_uid, TAB_BY_UID, id);
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

void smb1_state_end(struct smb1_conn *c, uint64_t ts_us)
{
    /* files before sessions: a session record lists the files it opened */
    while (c->opens)
        open_end(c, c->opens, ts_us);
    while (c->sessions) {
        struct smb1_session *s = c->sessions;
        smb1_session_record(c, s, ts_us);
        session_unlink(c, s);
        smb1_session_free(s);
    }
    while (c->trees)
        tree_free(c, c->trees);
    htab_free(&c->session_tab);
    htab_free(&c->tree_tab);
    htab_free(&c->open_tab);
    htab_free(&c->opens_by_uid);
    htab_free(&c->opens_by_tid);
    /* set by the NEGOTIATE handlers; freeing twice is harmless (NULL/emptied) */
    mb_credit(c->mb, c->dialects.bytes);
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
