/* smb1_state: per-connection sessions (UID) and trees (TID), the `session`
 * records they produce when they end, and what the state tables share (keys,
 * accounting); the opens (FID) are in smb1_opens.c.
 * Spec: [MS-CIFS] 3.3.1 (the server's session, tree connect and open tables),
 * 2.2.4.5 (CLOSE ends a FID), 2.2.4.54 (LOGOFF_ANDX ends a UID), 3.3.5.41
 * (TREE_DISCONNECT ends a TID). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "smb1.h"
#include "smb1_handlers.h"

char *smb1_xstrdup(const char *s)
{
    if (!s)
        return NULL;
    char *d = strdup(s);
    if (!d)
        abort(); /* out of memory only: input never makes this fail */
    return d;
}

void *smb1_xcalloc(size_t n)
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

uint64_t smb1_id_hash(const struct smb1_conn *c, unsigned table, uint16_t id)
{
    /* one key for all tables of the run; the table number keeps their
     * hashes apart (not needed for correctness, only for tidiness) */
    return siphash24_u64(&c->hkey, ((uint64_t)table << 16) | id);
}

/* ---- accounting (membudget.h) ---- */

size_t smb1_str_cost(const char *s) { return s ? strlen(s) + 1 + MB_OVERHEAD : 0; }

/* set what an object is charged to `now`, charging or crediting the difference */
void smb1_recharge(struct smb1_conn *c, size_t *charged, size_t now)
{
    if (now > *charged)
        mb_charge(c->mb, now - *charged);
    else
        mb_credit(c->mb, *charged - now);
    *charged = now;
}

void smb1_session_charge(struct smb1_conn *c, struct smb1_session *s)
{
    size_t n = sizeof *s + MB_OVERHEAD + smb1_str_cost(s->user) + smb1_str_cost(s->domain) + smb1_str_cost(s->host) +
               smb1_str_cost(s->native_os) + smb1_str_cost(s->native_lanman) + smb1_str_cost(s->srv_native_os) +
               smb1_str_cost(s->srv_native_lanman) + smb1_str_cost(s->srv_domain) + smb1_str_cost(s->status) + s->shares.bytes +
               s->files.bytes;
    smb1_recharge(c, &s->charged, n);
}

void smb1_tree_charge(struct smb1_conn *c, struct smb1_tree *t)
{
    smb1_recharge(c, &t->charged, sizeof *t + MB_OVERHEAD + smb1_str_cost(t->path) + smb1_str_cost(t->service));
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
    for (struct hnode *n = htab_first(&c->session_tab, smb1_id_hash(c, SMB1_TAB_SESSION, uid)); n; n = htab_next(n)) {
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
    s = smb1_xcalloc(sizeof *s);
    s->uid = uid;
    /* until a SESSION_SETUP response fills it in, we only know the UID exists */
    s->partial = true;
    s->ts_us = ts_us;
    htab_insert(&c->session_tab, &s->hn, smb1_id_hash(c, SMB1_TAB_SESSION, uid));
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
    smb1_recharge(c, &s->charged, 0);
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
    for (struct hnode *n = htab_first(&c->tree_tab, smb1_id_hash(c, SMB1_TAB_TREE, tid)); n; n = htab_next(n)) {
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
    t = smb1_xcalloc(sizeof *t);
    t->tid = tid;
    htab_insert(&c->tree_tab, &t->hn, smb1_id_hash(c, SMB1_TAB_TREE, tid));
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
    smb1_recharge(c, &t->charged, 0);
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

void smb1_state_end(struct smb1_conn *c, uint64_t ts_us)
{
    /* files before sessions: a session record lists the files it opened */
    smb1_open_end_all(c, ts_us);
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
