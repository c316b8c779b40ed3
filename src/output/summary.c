/* summary: the run's summary tables, gathered from the records (see summary.h;
 * summary_write.c writes them). It reads record fields by name, as every
 * consumer of the NDJSON would: `smb` (status, signing, latency), `session`,
 * `file`, `notice`, `dcerpc`. Tables keyed by wire values (sessions, failure
 * groups, DCE/RPC operations) are found through htab.h under a per-run key. */
#include "summary_int.h"

#include <stdlib.h>
#include <string.h>

static char *dup(const char *s)
{
    if (!s)
        return NULL;
    char *d = strdup(s);
    if (!d)
        abort(); /* as every allocation here: sizes are bounded by --max-summary */
    return d;
}

/* the keyed hash of a string (NULL apart from every string) chained onto h */
static uint64_t hash_str(const struct hkey *k, uint64_t h, const char *s)
{
    return siphash24_u64(k, h ^ (s ? siphash24(k, s, strlen(s) + 1) : UINT64_MAX));
}

static bool same(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

struct summary *summary_new(size_t max)
{
    struct summary *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->max = max ? max : 1;
    hkey_random(&s->key);
    s->sess = calloc(s->max, sizeof *s->sess);
    s->files = calloc(s->max, sizeof *s->files);
    s->fails = calloc(s->max, sizeof *s->fails);
    s->notices = calloc(s->max, sizeof *s->notices);
    s->rpc = calloc(s->max, sizeof *s->rpc);
    if (!s->sess || !s->files || !s->fails || !s->notices || !s->rpc) {
        summary_free(s);
        return NULL;
    }
    return s;
}

void summary_free(struct summary *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n_sess; i++) {
        struct sess *x = &s->sess[i];
        free(x->user), free(x->domain), free(x->host), free(x->auth), free(x->status);
        for (size_t k = 0; k < x->n_shares; k++)
            free(x->shares[k]);
    }
    for (size_t i = 0; i < s->n_files; i++) {
        struct file_ent *f = &s->files[i];
        free(f->name), free(f->share), free(f->kind), free(f->user), free(f->domain), free(f->sha256);
        free(f->no_hash_reason), free(f->extracted), free(f->extract_error);
    }
    for (size_t i = 0; i < s->n_fails; i++) {
        struct fail *f = &s->fails[i];
        free(f->command), free(f->status), free(f->user), free(f->share), free(f->target);
    }
    for (size_t i = 0; i < s->n_notices; i++) {
        struct notice_ent *x = &s->notices[i];
        free(x->name), free(x->severity), free(x->detail), free(x->user);
    }
    for (size_t i = 0; i < s->n_rpc; i++) {
        struct rpc_op *r = &s->rpc[i];
        free(r->interface), free(r->operation);
        for (size_t k = 0; k < r->users.n; k++)
            free(r->users.v[k]);
        for (size_t k = 0; k < r->pipes.n; k++)
            free(r->pipes.v[k]);
    }
    free(s->sess), free(s->files), free(s->fails), free(s->notices), free(s->rpc);
    htab_free(&s->sess_ix), htab_free(&s->fail_ix), htab_free(&s->rpc_ix);
    free(s);
}

/* ---- reading record fields ---- */

static const char *get_str(const struct event *e, const struct fld_t_str *d)
{
    const struct field *f = ev_find(e, NULL, d);
    return f && f->kind == F_STR ? f->v.s : NULL;
}

/* an unsigned integer or a time (both microseconds-or-count in v.u) */
static bool get_u64(const struct event *e, const struct fdesc *d, uint64_t *v)
{
    const struct field *f = ev_find_d(e, NULL, d);
    if (!f || (f->kind != F_UINT && f->kind != F_TS))
        return false;
    *v = f->v.u;
    return true;
}
#define get_uint(e, fd, v) get_u64((e), &(fd)->d, (v))

static bool get_bool(const struct event *e, const struct fld_t_bool *d)
{
    const struct field *f = ev_find(e, NULL, d);
    return f && f->kind == F_BOOL && f->v.b;
}

/* An error response: an NT status of error severity ([MS-ERREF] 2.3: top two
 * bits 11) but STATUS_MORE_PROCESSING_REQUIRED (a logon's next round, not a
 * failure), or a DOS error class/code (MS-CIFS 2.2.2.4; status_code holds
 * the class in its low byte, top bits 00). Warnings (10) and information
 * (01) are not failures. */
static bool is_failure(const struct event *e)
{
    const char *st = get_str(e, F(status));
    uint64_t code;
    if (!st || !get_uint(e, F(status_code), &code) || code == 0)
        return false;
    if (strcmp(st, "STATUS_MORE_PROCESSING_REQUIRED") == 0)
        return false;
    return (code >> 30) == 3 || (code >> 30) == 0;
}

/* access refused to a known account (as opposed to a failed logon) */
static bool is_access_denied(const char *st)
{
    static const char *const denied[] = {"STATUS_ACCESS_DENIED", "STATUS_NETWORK_ACCESS_DENIED",
                                         "STATUS_PRIVILEGE_NOT_HELD", "ERRDOS/ERRnoaccess", "ERRSRV/ERRaccess"};
    for (size_t i = 0; i < sizeof denied / sizeof denied[0]; i++)
        if (strcmp(st, denied[i]) == 0)
            return true;
    return false;
}

/* ---- sessions ---- */

/* the open session entry of (connection, UID); a new one when there is none
 * or the last one was closed by its record (which leaves the table: later
 * records of that UID belong to the new one); NULL when the table is full */
static struct sess *sess_get(struct summary *s, const struct event *e, uint64_t uid)
{
    uint64_t h = siphash24_u64(&s->key, siphash24_u64(&s->key, e->conn->num) ^ uid);
    struct sess *old = NULL;
    for (struct hnode *n = htab_first(&s->sess_ix, h); n; n = htab_next(n)) {
        struct sess *x = HTAB_ENTRY(n, struct sess, node);
        if (x->conn.num == e->conn->num && x->uid == uid) {
            if (!x->closed)
                return x;
            old = x;
        }
    }
    if (s->n_sess == s->max)
        return NULL;
    if (old)
        htab_remove(&s->sess_ix, &old->node);
    struct sess *x = &s->sess[s->n_sess++];
    x->conn = *e->conn;
    x->uid = uid;
    htab_insert(&s->sess_ix, &x->node, h);
    return x;
}

static void feed_session(struct summary *s, const struct event *e)
{
    uint64_t uid = 0;
    get_uint(e, F(uid), &uid);
    struct sess *x = sess_get(s, e, uid);
    if (!x) {
        s->sess_omitted++;
        return;
    }
    x->has_record = x->closed = true;
    x->start = e->ts_us;
    get_uint(e, F(start), &x->start);
    x->user = dup(get_str(e, F(user)));
    x->domain = dup(get_str(e, F(domain)));
    x->host = dup(get_str(e, F(host)));
    x->auth = dup(get_str(e, F(auth)));
    x->status = dup(get_str(e, F(status)));
    x->guest = get_bool(e, F(guest));
    const struct field *sh = ev_find(e, NULL, F(shares));
    if (sh && sh->kind == F_STRV) {
        for (size_t i = 0; i < sh->v.sv.n; i++) {
            if (x->n_shares < SUMMARY_MAX_SHARES)
                x->shares[x->n_shares++] = dup(sh->v.sv.v[i]);
            else
                x->shares_omitted++;
        }
    }
    uint64_t more;
    if (get_uint(e, F(shares_omitted), &more))
        x->shares_omitted += more;
}

/* ---- failures ---- */

static void feed_failure(struct summary *s, const struct event *e, const char *what)
{
    const char *command = get_str(e, F(command)), *status = get_str(e, F(status)), *user = get_str(e, F(user)),
               *share = get_str(e, F(share)), *target = get_str(e, F(file));
    if (!target)
        target = get_str(e, F(path));
    const struct hkey *k = &s->key;
    uint64_t h = siphash24_u64(k, e->conn->num);
    h = hash_str(k, hash_str(k, hash_str(k, hash_str(k, hash_str(k, hash_str(k, h, what), command), status), user),
                             share),
                 target);
    struct fail *f = NULL;
    for (struct hnode *n = htab_first(&s->fail_ix, h); n && !f; n = htab_next(n)) {
        struct fail *x = HTAB_ENTRY(n, struct fail, node);
        if (x->conn.num == e->conn->num && x->what == what && same(x->command, command) && same(x->status, status) &&
            same(x->user, user) && same(x->share, share) && same(x->target, target))
            f = x;
    }
    if (!f) {
        if (s->n_fails == s->max) {
            s->fails_omitted++;
            return;
        }
        f = &s->fails[s->n_fails++];
        f->conn = *e->conn;
        f->what = what;
        f->command = dup(command);
        f->status = dup(status);
        f->user = dup(user);
        f->share = dup(share);
        f->target = dup(target);
        f->first = e->ts_us;
        htab_insert(&s->fail_ix, &f->node, h);
    }
    f->count++;
    f->last = e->ts_us;
}

/* ---- smb and file records ---- */

static void lat_add(struct lat *l, uint64_t us)
{
    if (!l->n || us < l->min)
        l->min = us;
    if (us > l->max)
        l->max = us;
    l->n++;
    l->total += us;
}

static void feed_smb(struct summary *s, const struct event *e)
{
    uint64_t code, lat;
    if (get_uint(e, F(code), &code) && code < 256 && get_uint(e, F(latency_us), &lat)) {
        /* service response time: every answered command, each AndX link its own record */
        struct srt *t = &s->srt[code];
        if (!t->lat.n) {
            const char *name = get_str(e, F(command));
            strncpy(t->command, name ? name : "?", sizeof t->command - 1);
        }
        lat_add(&t->lat, lat);
    }
    bool failed = is_failure(e), sig = get_bool(e, F(signed));
    uint64_t uid;
    if ((failed || sig) && get_uint(e, F(uid), &uid)) {
        struct sess *x = sess_get(s, e, uid);
        if (x) {
            x->failures += failed;
            x->signing |= sig;
        }
    }
    if (!failed)
        return;
    const char *cmd = get_str(e, F(command)), *st = get_str(e, F(status));
    if (cmd && strcmp(cmd, "SESSION_SETUP_ANDX") == 0)
        feed_failure(s, e, "logon_failed");
    else if (is_access_denied(st))
        feed_failure(s, e, "access_denied");
}

static void feed_file(struct summary *s, const struct event *e)
{
    if (s->n_files == s->max) {
        s->files_omitted++;
        return;
    }
    struct file_ent *f = &s->files[s->n_files++];
    f->conn = *e->conn;
    f->ts = f->start = e->ts_us;
    get_uint(e, F(start), &f->start);
    f->name = dup(get_str(e, F(name)));
    f->share = dup(get_str(e, F(share)));
    f->kind = dup(get_str(e, F(kind)));
    f->user = dup(get_str(e, F(user)));
    f->domain = dup(get_str(e, F(domain)));
    f->sha256 = dup(get_str(e, F(sha256)));
    f->no_hash_reason = dup(get_str(e, F(no_hash_reason)));
    f->has_content = get_uint(e, F(bytes_read), &f->a) && get_uint(e, F(bytes_written), &f->b);
    f->has_pipe = !f->has_content && get_uint(e, F(bytes_in), &f->b) && get_uint(e, F(bytes_out), &f->a);
    f->has_extracted = ev_has(e, F(extracted));
    f->extracted = dup(get_str(e, F(extracted)));
    f->extract_error = dup(get_str(e, F(extract_error)));
}

/* every notice, in the order written, up to `max` */
static void feed_notice(struct summary *s, const struct event *e)
{
    if (s->n_notices == s->max) {
        s->notices_omitted++;
        return;
    }
    struct notice_ent *x = &s->notices[s->n_notices++];
    x->conn = *e->conn;
    x->ts = e->ts_us;
    x->name = dup(get_str(e, F(notice_name)));
    x->severity = dup(get_str(e, F(severity)));
    x->detail = dup(get_str(e, F(detail)));
    x->user = dup(get_str(e, F(user)));
}

/* ---- dcerpc records ---- */

/* a null name (not seen) is neither listed nor counted */
static void names_add(struct names *n, const char *v)
{
    if (!v)
        return;
    for (size_t i = 0; i < n->n; i++)
        if (strcmp(n->v[i], v) == 0)
            return;
    if (n->n < SUMMARY_MAX_NAMES)
        n->v[n->n++] = dup(v);
    else
        n->omitted++;
}

static void feed_dcerpc(struct summary *s, const struct event *e)
{
    const char *interface = get_str(e, F(interface)), *operation = get_str(e, F(operation));
    uint64_t opnum = 0;
    bool has_opnum = get_uint(e, F(opnum), &opnum);
    uint64_t h = hash_str(&s->key, hash_str(&s->key, 0, interface), operation);
    h = siphash24_u64(&s->key, h ^ (has_opnum ? opnum : UINT64_MAX));
    struct rpc_op *r = NULL;
    for (struct hnode *n = htab_first(&s->rpc_ix, h); n && !r; n = htab_next(n)) {
        struct rpc_op *x = HTAB_ENTRY(n, struct rpc_op, node);
        if (same(x->interface, interface) && same(x->operation, operation) && x->has_opnum == has_opnum &&
            (!has_opnum || x->opnum == opnum))
            r = x;
    }
    if (!r) {
        if (s->n_rpc == s->max) {
            s->rpc_omitted++;
            return;
        }
        r = &s->rpc[s->n_rpc++];
        r->interface = dup(interface);
        r->operation = dup(operation);
        r->has_opnum = has_opnum;
        r->opnum = opnum;
        htab_insert(&s->rpc_ix, &r->node, h);
    }
    r->calls++;
    uint64_t code, lat;
    if (get_bool(e, F(fault)))
        r->faults++;
    else if (get_uint(e, F(status_code), &code) && code != 0)
        r->failures++;
    if (get_uint(e, F(latency_us), &lat))
        lat_add(&r->lat, lat);
    names_add(&r->users, get_str(e, F(user)));
    names_add(&r->pipes, get_str(e, F(pipe)));
}

void summary_feed(struct summary *s, const struct event *e)
{
    if (!e->conn)
        return;
    switch (e->type) {
    case EV_SMB: feed_smb(s, e); break;
    case EV_SESSION: feed_session(s, e); break;
    case EV_FILE: feed_file(s, e); break;
    case EV_NOTICE: feed_notice(s, e); break;
    case EV_DCERPC: feed_dcerpc(s, e); break;
    default: break;
    }
}
