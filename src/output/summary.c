/* summary: the run's summary, gathered from the records (see summary.h).
 * It reads record fields by name, as every consumer of the NDJSON would:
 * `smb` (status, signing, latency), `session`, `file`, `notice`, `dcerpc`. */
#include "summary.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

struct sess {
    struct conn_ref conn;
    uint64_t uid;
    bool has_record;   /* its `session` record came: reported */
    bool closed;       /* ...and later records of this UID are a new session */
    uint64_t start;
    char *user, *domain, *host, *auth, *status;
    bool guest;
    bool signing;      /* a request of this session carried a signature */
    char *shares[SUMMARY_MAX_SHARES];
    size_t n_shares, shares_omitted;
    uint64_t failures; /* responses of this UID with an error status */
};

struct file_ent {
    struct conn_ref conn;
    uint64_t start, ts;
    char *name, *share, *kind, *user, *domain, *sha256, *no_hash_reason, *extracted, *extract_error;
    bool has_content, has_pipe, has_extracted;
    uint64_t a, b;     /* bytes_read, bytes_written (or a pipe's bytes_in, bytes_out) */
};

struct fail {
    struct conn_ref conn;
    const char *what;  /* "logon_failed" or "access_denied" */
    char *command, *status, *user, *share, *target;
    uint64_t count, first, last;
};

/* a notice record, as listed in the notice section */
struct notice_ent {
    struct conn_ref conn;
    uint64_t ts;
    char *name, *severity, *detail, *user;
};

struct srt {
    char command[48];
    uint64_t calls, min, max, total;
};

/* distinct names, first seen first, at most SUMMARY_MAX_NAMES; calls with
 * another name are counted (counting distinct ones would need them all) */
struct names {
    char *v[SUMMARY_MAX_NAMES];
    size_t n;
    uint64_t omitted;
};

/* one DCE/RPC operation, run-wide: the dcerpc records of (interface, opnum,
 * operation), each part possibly null */
struct rpc_op {
    char *interface, *operation;
    bool has_opnum;
    uint64_t opnum;
    uint64_t calls, faults, failures, timed, min, max, total;
    struct names users, pipes;
};

/* an index from a 64-bit key hash to entry numbers: open addressing, at most
 * half full (a table stops growing at `max` entries), seeded per run so that
 * wire values cannot be chosen to collide */
struct index {
    uint64_t *hash;
    uint32_t *slot;    /* entry number + 1; 0: empty */
    size_t mask;
};

struct summary {
    size_t max;
    uint64_t seed;
    struct sess *sess;
    size_t n_sess, sess_omitted;
    struct index sess_ix;
    struct file_ent *files;
    size_t n_files, files_omitted;
    struct fail *fails;
    size_t n_fails;
    uint64_t fail_events, fails_omitted;   /* failure responses; those in no entry */
    struct index fail_ix;
    struct notice_ent *notices;
    size_t n_notices, notices_omitted;
    struct srt srt[256];
    struct rpc_op *rpc;
    size_t n_rpc;
    uint64_t rpc_omitted;   /* dcerpc records in no entry */
    struct index rpc_ix;
};

static char *dup(const char *s)
{
    if (!s)
        return NULL;
    char *d = strdup(s);
    if (!d)
        abort(); /* as every allocation here: sizes are bounded by --max-summary */
    return d;
}

static bool ix_init(struct index *ix, size_t max)
{
    size_t cap = 16;
    while (cap < 2 * max)
        cap *= 2;
    ix->hash = calloc(cap, sizeof *ix->hash);
    ix->slot = calloc(cap, sizeof *ix->slot);
    ix->mask = cap - 1;
    return ix->hash && ix->slot;
}

/* the slot for hash h where eq(entry) holds, or the empty slot to put it in */
static size_t ix_find(const struct index *ix, uint64_t h, bool (*eq)(const void *ctx, size_t i), const void *ctx)
{
    size_t i = (size_t)h & ix->mask;
    while (ix->slot[i] && !(ix->hash[i] == h && eq(ctx, ix->slot[i] - 1)))
        i = (i + 1) & ix->mask;
    return i;
}

/* FNV-1a over the seed and the bytes (a NUL after each string keeps fields apart) */
static uint64_t mix(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 0x100000001b3ull;
    return h;
}

static uint64_t mix_str(uint64_t h, const char *s)
{
    return s ? mix(h, s, strlen(s) + 1) : mix(h, "\xff", 1);
}

struct summary *summary_new(size_t max)
{
    struct summary *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->max = max ? max : 1;
    if (getrandom(&s->seed, sizeof s->seed, GRND_NONBLOCK) != (ssize_t)sizeof s->seed)
        s->seed = (uint64_t)time(NULL) * 0x9e3779b97f4a7c15ull;
    s->sess = calloc(s->max, sizeof *s->sess);
    s->files = calloc(s->max, sizeof *s->files);
    s->fails = calloc(s->max, sizeof *s->fails);
    s->notices = calloc(s->max, sizeof *s->notices);
    s->rpc = calloc(s->max, sizeof *s->rpc);
    if (!s->sess || !s->files || !s->fails || !s->notices || !s->rpc || !ix_init(&s->sess_ix, s->max) ||
        !ix_init(&s->fail_ix, s->max) || !ix_init(&s->rpc_ix, s->max)) {
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
    free(s->sess_ix.hash), free(s->sess_ix.slot), free(s->fail_ix.hash), free(s->fail_ix.slot);
    free(s->rpc_ix.hash), free(s->rpc_ix.slot);
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

struct sess_key {
    const struct summary *s;
    uint64_t conn, uid;
};

static bool sess_eq(const void *ctx, size_t i)
{
    const struct sess_key *k = ctx;
    return k->s->sess[i].conn.num == k->conn && k->s->sess[i].uid == k->uid;
}

/* the open session entry of (connection, UID); a new one when there is none
 * or the last one was closed by its record; NULL when the table is full */
static struct sess *sess_get(struct summary *s, const struct event *e, uint64_t uid)
{
    struct sess_key k = {s, e->conn->num, uid};
    uint64_t h = mix(mix(s->seed, &k.conn, sizeof k.conn), &uid, sizeof uid);
    size_t i = ix_find(&s->sess_ix, h, sess_eq, &k);
    if (s->sess_ix.slot[i] && !s->sess[s->sess_ix.slot[i] - 1].closed)
        return &s->sess[s->sess_ix.slot[i] - 1];
    if (s->n_sess == s->max)
        return NULL;
    struct sess *x = &s->sess[s->n_sess++];
    x->conn = *e->conn;
    x->uid = uid;
    s->sess_ix.hash[i] = h;
    s->sess_ix.slot[i] = (uint32_t)s->n_sess; /* replaces a closed one in place */
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

struct fail_key {
    const struct summary *s;
    const struct event *e;
    const char *what, *command, *status, *user, *share, *target;
};

static bool fail_eq(const void *ctx, size_t i)
{
    const struct fail_key *k = ctx;
    const struct fail *f = &k->s->fails[i];
#define SAME(a, b) ((a) == (b) || ((a) && (b) && strcmp((a), (b)) == 0))
    return f->conn.num == k->e->conn->num && f->what == k->what && SAME(f->command, k->command) &&
           SAME(f->status, k->status) && SAME(f->user, k->user) && SAME(f->share, k->share) &&
           SAME(f->target, k->target);
#undef SAME
}

static void feed_failure(struct summary *s, const struct event *e, const char *what)
{
    s->fail_events++;
    struct fail_key k = {s, e, what, get_str(e, F(command)), get_str(e, F(status)), get_str(e, F(user)),
                         get_str(e, F(share)), get_str(e, F(file))};
    if (!k.target)
        k.target = get_str(e, F(path));
    uint64_t h = mix(s->seed, &e->conn->num, sizeof e->conn->num);
    h = mix_str(mix_str(mix_str(mix_str(mix_str(mix_str(h, what), k.command), k.status), k.user), k.share), k.target);
    size_t i = ix_find(&s->fail_ix, h, fail_eq, &k);
    struct fail *f;
    if (s->fail_ix.slot[i]) {
        f = &s->fails[s->fail_ix.slot[i] - 1];
    } else if (s->n_fails < s->max) {
        f = &s->fails[s->n_fails++];
        f->conn = *e->conn;
        f->what = what;
        f->command = dup(k.command);
        f->status = dup(k.status);
        f->user = dup(k.user);
        f->share = dup(k.share);
        f->target = dup(k.target);
        f->first = e->ts_us;
        s->fail_ix.hash[i] = h;
        s->fail_ix.slot[i] = (uint32_t)s->n_fails;
    } else {
        s->fails_omitted++;
        return;
    }
    f->count++;
    f->last = e->ts_us;
}

/* ---- smb and file records ---- */

static void feed_smb(struct summary *s, const struct event *e)
{
    uint64_t code, lat;
    if (get_uint(e, F(code), &code) && code < 256 && get_uint(e, F(latency_us), &lat)) {
        /* service response time: every answered command, each AndX link its own record */
        struct srt *t = &s->srt[code];
        if (!t->calls) {
            const char *name = get_str(e, F(command));
            strncpy(t->command, name ? name : "?", sizeof t->command - 1);
            t->min = lat;
        }
        t->calls++;
        t->total += lat;
        if (lat < t->min)
            t->min = lat;
        if (lat > t->max)
            t->max = lat;
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

#define SAME(a, b) ((a) == (b) || ((a) && (b) && strcmp((a), (b)) == 0))

struct rpc_key {
    const struct summary *s;
    const char *interface, *operation;
    bool has_opnum;
    uint64_t opnum;
};

static bool rpc_eq(const void *ctx, size_t i)
{
    const struct rpc_key *k = ctx;
    const struct rpc_op *r = &k->s->rpc[i];
    return SAME(r->interface, k->interface) && SAME(r->operation, k->operation) && r->has_opnum == k->has_opnum &&
           (!r->has_opnum || r->opnum == k->opnum);
}
#undef SAME

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
    struct rpc_key k = {s, get_str(e, F(interface)), get_str(e, F(operation)), false, 0};
    k.has_opnum = get_uint(e, F(opnum), &k.opnum);
    uint64_t h = mix_str(mix_str(s->seed, k.interface), k.operation);
    h = k.has_opnum ? mix(h, &k.opnum, sizeof k.opnum) : mix(h, "\xff", 1);
    size_t i = ix_find(&s->rpc_ix, h, rpc_eq, &k);
    struct rpc_op *r;
    if (s->rpc_ix.slot[i]) {
        r = &s->rpc[s->rpc_ix.slot[i] - 1];
    } else if (s->n_rpc < s->max) {
        r = &s->rpc[s->n_rpc++];
        r->interface = dup(k.interface);
        r->operation = dup(k.operation);
        r->has_opnum = k.has_opnum;
        r->opnum = k.opnum;
        s->rpc_ix.hash[i] = h;
        s->rpc_ix.slot[i] = (uint32_t)s->n_rpc;
    } else {
        s->rpc_omitted++;
        return;
    }
    r->calls++;
    uint64_t code, lat;
    if (get_bool(e, F(fault)))
        r->faults++;
    else if (get_uint(e, F(status_code), &code) && code != 0)
        r->failures++;
    if (get_uint(e, F(latency_us), &lat)) {
        if (!r->timed || lat < r->min)
            r->min = lat;
        if (lat > r->max)
            r->max = lat;
        r->timed++;
        r->total += lat;
    }
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

/* ---- writing ---- */

static void put(struct event *e, void (*out)(void *u, const struct event *e), void *u)
{
    out(u, e);
    ev_free(e);
}

static bool anonymous(const char *auth)
{
    return auth && (strcmp(auth, "anonymous") == 0 || strcmp(auth, "ntlmssp-anonymous") == 0);
}

void summary_write(struct summary *s, uint64_t ts_us, void (*out)(void *u, const struct event *e), void *u)
{
    struct event e;
    size_t n_sess = 0, logons = 0, denied = 0, srt_cmds = 0;
    for (size_t i = 0; i < s->n_sess; i++)
        n_sess += s->sess[i].has_record;
    for (size_t i = 0; i < s->n_fails; i++) {
        logons += strcmp(s->fails[i].what, "logon_failed") == 0 ? s->fails[i].count : 0;
        denied += strcmp(s->fails[i].what, "access_denied") == 0 ? s->fails[i].count : 0;
    }
    for (int c = 0; c < 256; c++)
        srt_cmds += s->srt[c].calls != 0;

    ev_init(&e, EV_SUMMARY, ts_us, NULL);
    ev_str(&e, F(section), "totals");
    ev_uint(&e, F(sessions), n_sess);
    ev_uint(&e, F(sessions_omitted), s->sess_omitted);
    ev_uint(&e, F(files_listed), s->n_files);
    ev_uint(&e, F(files_omitted), s->files_omitted);
    ev_uint(&e, F(logon_failures), logons);
    ev_uint(&e, F(access_denied), denied);
    ev_uint(&e, F(failures_omitted), s->fails_omitted);
    ev_uint(&e, F(srt_commands), srt_cmds);
    ev_uint(&e, F(notices), s->n_notices + s->notices_omitted);
    ev_uint(&e, F(notices_omitted), s->notices_omitted);
    ev_uint(&e, F(dcerpc_ops), s->n_rpc);
    ev_uint(&e, F(dcerpc_omitted), s->rpc_omitted);
    put(&e, out, u);

    for (size_t i = 0; i < s->n_sess; i++) {
        const struct sess *x = &s->sess[i];
        if (!x->has_record)
            continue; /* only seen through failures or signatures: no session record */
        ev_init(&e, EV_SUMMARY, ts_us, &x->conn);
        ev_str(&e, F(section), "session");
        ev_ts(&e, F(start), x->start);
        ev_uint(&e, F(uid), x->uid);
        ev_str(&e, F(user), x->user);
        ev_str(&e, F(domain), x->domain);
        ev_str(&e, F(host), x->host);
        ev_str(&e, F(auth), x->auth);
        ev_str(&e, F(status), x->status);
        ev_bool(&e, F(guest), x->guest);
        ev_bool(&e, F(anonymous), anonymous(x->auth));
        ev_bool(&e, F(signing), x->signing);
        fs_strv(&e, NULL, F(shares), (const char *const *)x->shares, x->n_shares);
        if (x->shares_omitted)
            ev_uint(&e, F(shares_omitted), x->shares_omitted);
        ev_uint(&e, F(failures), x->failures);
        put(&e, out, u);
    }
    for (size_t i = 0; i < s->n_files; i++) {
        const struct file_ent *f = &s->files[i];
        ev_init(&e, EV_SUMMARY, ts_us, &f->conn);
        ev_str(&e, F(section), "file");
        ev_ts(&e, F(start), f->start);
        ev_ts(&e, F(end), f->ts);
        ev_str(&e, F(name), f->name);
        ev_str(&e, F(share), f->share);
        ev_str(&e, F(kind), f->kind);
        ev_str(&e, F(user), f->user);
        ev_str(&e, F(domain), f->domain);
        if (f->has_content || f->has_pipe) {
            ev_uint(&e, F(bytes_read), f->a);
            ev_uint(&e, F(bytes_written), f->b);
        }
        if (f->has_content) {
            ev_str(&e, F(sha256), f->sha256);
            if (!f->sha256)
                ev_str(&e, F(no_hash_reason), f->no_hash_reason);
        }
        if (f->has_extracted)
            ev_str(&e, F(extracted), f->extracted);
        if (f->extract_error)
            ev_str(&e, F(extract_error), f->extract_error);
        put(&e, out, u);
    }
    for (size_t i = 0; i < s->n_fails; i++) {
        const struct fail *f = &s->fails[i];
        ev_init(&e, EV_SUMMARY, ts_us, &f->conn);
        ev_str(&e, F(section), "failure");
        ev_str(&e, F(failure), f->what);
        ev_str(&e, F(command), f->command);
        ev_str(&e, F(status), f->status);
        ev_str(&e, F(user), f->user);
        ev_str(&e, F(share), f->share);
        ev_str(&e, F(target), f->target);
        ev_uint(&e, F(count), f->count);
        ev_ts(&e, F(first), f->first);
        ev_ts(&e, F(last), f->last);
        put(&e, out, u);
    }
    for (size_t i = 0; i < s->n_notices; i++) {
        const struct notice_ent *x = &s->notices[i];
        ev_init(&e, EV_SUMMARY, ts_us, &x->conn);
        ev_str(&e, F(section), "notice");
        ev_str(&e, F(name), x->name);
        ev_str(&e, F(severity), x->severity);
        ev_str(&e, F(detail), x->detail);
        ev_str(&e, F(user), x->user);
        ev_ts(&e, F(when), x->ts);
        put(&e, out, u);
    }
    for (int c = 0; c < 256; c++) {
        const struct srt *t = &s->srt[c];
        if (!t->calls)
            continue;
        ev_init(&e, EV_SUMMARY, ts_us, NULL);
        ev_str(&e, F(section), "srt");
        ev_str(&e, F(command), t->command);
        ev_uint(&e, F(code), (uint64_t)c);
        ev_uint(&e, F(calls), t->calls);
        ev_uint(&e, F(min_us), t->min);
        ev_uint(&e, F(max_us), t->max);
        ev_uint(&e, F(avg_us), (t->total + t->calls / 2) / t->calls);
        ev_uint(&e, F(total_us), t->total);
        put(&e, out, u);
    }
    for (size_t i = 0; i < s->n_rpc; i++) {
        const struct rpc_op *r = &s->rpc[i];
        ev_init(&e, EV_SUMMARY, ts_us, NULL);
        ev_str(&e, F(section), "dcerpc");
        ev_str(&e, F(interface), r->interface);
        ev_str(&e, F(operation), r->operation);
        if (r->has_opnum)
            ev_uint(&e, F(opnum), r->opnum);
        else
            ev_null(&e, F(opnum));
        ev_uint(&e, F(calls), r->calls);
        ev_uint(&e, F(faults), r->faults);
        ev_uint(&e, F(failures), r->failures);
        ev_uint(&e, F(timed), r->timed);
        if (r->timed) {
            ev_uint(&e, F(min_us), r->min);
            ev_uint(&e, F(max_us), r->max);
            ev_uint(&e, F(avg_us), (r->total + r->timed / 2) / r->timed);
            ev_uint(&e, F(total_us), r->total);
        } else {
            ev_null(&e, F(min_us));
            ev_null(&e, F(max_us));
            ev_null(&e, F(avg_us));
            ev_null(&e, F(total_us));
        }
        fs_strv(&e, NULL, F(users), (const char *const *)r->users.v, r->users.n);
        if (r->users.omitted)
            ev_uint(&e, F(users_omitted), r->users.omitted);
        fs_strv(&e, NULL, F(pipes), (const char *const *)r->pipes.v, r->pipes.n);
        if (r->pipes.omitted)
            ev_uint(&e, F(pipes_omitted), r->pipes.omitted);
        put(&e, out, u);
    }
}
