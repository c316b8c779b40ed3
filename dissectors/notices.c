/* notices: rules over events (see notices.h; README "Notices" gives each
 * rule's exact condition). The rules read record fields by name, as a SIEM
 * reading the NDJSON would: `smb` (command, status, auth, path, subcommand,
 * function, open_transaction...) and `dcerpc` (interface, operation,
 * binary_path...). Facts behind the MS17-010 and DoublePulsar shapes:
 * [MS-CIFS] 2.2.4.33-2.2.4.34, 2.2.4.46-2.2.4.47, 2.2.4.62-2.2.4.63 (the
 * secondaries of a transaction are of its own type, and carry its PID and
 * MID), 2.2.7.5 (NT_TRANSACT_RENAME: clients SHOULD NOT send it), 2.2.6.13
 * (TRANS2_SESSION_SETUP: reserved); MSRC's EternalBlue/Champion/Synergy
 * analyses; the DoublePulsar implant answers its ping with the MID raised by
 * 16 (65 -> 81) and STATUS_NOT_IMPLEMENTED. */
#include "notices.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "notices_table.h"
#include "sink.h"

#define EVIDENCE_MAX_LEN 160   /* one reference: type, conn uid, ts, a name, an id */

/* one failed logon remembered for the brute-force rule */
struct fail_ref {
    uint64_t ts;
    char ref[EVIDENCE_MAX_LEN];
};

/* per client IP: a ring of its last brute_count failed logons */
struct client {
    uint64_t quiet_until;   /* a notice fired: none again before this time */
    size_t n, next;         /* entries held; where the next one goes */
    struct fail_ref ring[]; /* brute_count of them */
};

struct sess_val {
    bool anonymous;
};

struct fid_val {
    uint16_t uid;
};

struct notices {
    struct notices_config cfg;
    const struct emitter *out;
    struct ntab *once;      /* rule keys that fired already (deduplication) */
    struct ntab *clients;   /* logon_brute_force: per client IP */
    struct ntab *sessions;  /* (conn, uid) -> anonymous? */
    struct ntab *fids;      /* (conn, fid) -> uid that opened it */
};

struct notices *notices_new(const struct notices_config *cfg, const struct emitter *out)
{
    struct notices *n = calloc(1, sizeof *n);
    if (!n)
        return NULL;
    n->cfg = *cfg;
    if (n->cfg.brute_count < 1)
        n->cfg.brute_count = 1;
    if (n->cfg.brute_count > NOTICES_BRUTE_COUNT_MAX)
        n->cfg.brute_count = NOTICES_BRUTE_COUNT_MAX;
    n->out = out;
    /* a secret per run: the keys are wire-chosen (htab.h) */
    struct hkey key;
    hkey_random(&key);
    size_t cap = cfg->max_entries;
    n->once = ntab_new(cap, 1, &key);
    n->clients = ntab_new(cap, sizeof(struct client) + n->cfg.brute_count * sizeof(struct fail_ref), &key);
    n->sessions = ntab_new(cap, sizeof(struct sess_val), &key);
    n->fids = ntab_new(cap, sizeof(struct fid_val), &key);
    if (!n->once || !n->clients || !n->sessions || !n->fids) {
        notices_free(n);
        return NULL;
    }
    return n;
}

void notices_free(struct notices *n)
{
    if (!n)
        return;
    ntab_free(n->once);
    ntab_free(n->clients);
    ntab_free(n->sessions);
    ntab_free(n->fids);
    free(n);
}

/* ---- reading record fields ---- */

static const char *get_str(const struct event *e, const struct fld_t_str *d)
{
    const struct field *f = ev_find(e, NULL, d);
    return f && f->kind == F_STR ? f->v.s : NULL;
}

static bool get_u64(const struct event *e, const struct fdesc *d, uint64_t *v)
{
    const struct field *f = ev_find_d(e, NULL, d);
    if (!f || f->kind != F_UINT)
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

static bool is(const char *s, const char *want)
{
    return s && strcmp(s, want) == 0;
}

static bool in_list(const char *s, const char *const *list)
{
    for (; s && *list; list++)
        if (strcmp(s, *list) == 0)
            return true;
    return false;
}

/* the smb record's response said success (NT status 0) */
static bool smb_ok(const struct event *e)
{
    uint64_t code;
    return get_uint(e, F(status_code), &code) && code == 0;
}

/* ---- evidence: TYPE|CONN_UID|TS|WHAT|ID (fields.def `evidence`) ---- */

static void evidence_ref(const struct event *e, char *buf, size_t cap)
{
    char ts[40];
    format_ts(e->ts_us, ts, sizeof ts);
    uint64_t id = 0;
    if (e->type == EV_DCERPC) {
        const char *iface = get_str(e, F(interface)), *op = get_str(e, F(operation));
        uint64_t opnum = 0;
        char opbuf[32];
        if (!op) {
            snprintf(opbuf, sizeof opbuf, get_uint(e, F(opnum), &opnum) ? "opnum%" PRIu64 : "?", opnum);
            op = opbuf;
        }
        get_uint(e, F(call_id), &id);
        snprintf(buf, cap, "dcerpc|%s|%s|%.40s.%.40s|%" PRIu64, e->conn->uid, ts, iface ? iface : "?", op, id);
    } else {
        const char *cmd = get_str(e, F(command));
        get_uint(e, F(mid), &id);
        snprintf(buf, cap, "smb|%s|%s|%.40s|%" PRIu64, e->conn->uid, ts, cmd ? cmd : "?", id);
    }
}

/* ---- writing a notice ---- */

struct notice {
    const char *name, *severity;
    const char *user;
    bool has_user;
    const char *const *refs;
    size_t n_refs, omitted;
    uint64_t count, first;  /* logon_brute_force only (count != 0) */
};

/* a malloc'd string (aborts on out-of-memory, like all of the run's state) */
static char *vformat(const char *fmt, va_list ap)
{
    va_list aq;
    va_copy(aq, ap);
    int len = vsnprintf(NULL, 0, fmt, aq);
    va_end(aq);
    size_t n = len > 0 ? (size_t)len + 1 : 1;
    char *s = malloc(n);
    if (!s)
        abort();
    vsnprintf(s, n, fmt, ap);
    return s;
}

static void fire(struct notices *n, const struct event *at, const struct notice *x, const char *detail)
{
    struct event e;
    ev_init(&e, EV_NOTICE, at->ts_us, at->conn);
    ev_str(&e, F(notice_name), x->name);
    ev_str(&e, F(severity), x->severity);
    ev_str(&e, F(detail), detail);
    if (x->has_user)
        ev_str(&e, F(user), x->user);
    if (x->count) {
        ev_uint(&e, F(count), x->count);
        ev_ts(&e, F(first), x->first);
    }
    fs_strv(&e, NULL, F(evidence), x->refs, x->n_refs);
    if (x->omitted)
        ev_uint(&e, F(evidence_omitted), x->omitted);
    emit(n->out, &e);
    ev_free(&e);
}

/* a notice resting on one record (its account, when it names one) */
static void fire_on(struct notices *n, const struct event *at, const char *name, const char *severity,
                    const char *detail)
{
    char ref[EVIDENCE_MAX_LEN];
    evidence_ref(at, ref, sizeof ref);
    const char *refs[1] = {ref};
    const struct field *u = ev_find(at, NULL, F(user));
    struct notice x = {.name = name, .severity = severity, .refs = refs, .n_refs = 1, .has_user = u != NULL,
                       .user = u && u->kind == F_STR ? u->v.s : NULL};
    fire(n, at, &x, detail);
}

static void fire1(struct notices *n, const struct event *at, const char *name, const char *severity, const char *fmt,
                  ...) __attribute__((format(printf, 5, 6)));

static void fire1(struct notices *n, const struct event *at, const char *name, const char *severity, const char *fmt,
                  ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *detail = vformat(fmt, ap);
    va_end(ap);
    fire_on(n, at, name, severity, detail);
    free(detail);
}

/* true the first time (rule, conn, a, b) is seen: the rule fires once per
 * key while the key stays in the table (README: an evicted key may fire again) */
static bool first_time(struct notices *n, const char *rule, uint64_t conn, const char *a, const char *b)
{
    size_t lr = strlen(rule), la = a ? strlen(a) : 0, lb = b ? strlen(b) : 0;
    size_t len = lr + 1 + sizeof conn + la + 1 + lb;
    char small[256]; /* nearly every key: the table copies it, so no allocation here */
    char *k = len <= sizeof small ? small : malloc(len);
    if (!k)
        abort();
    char *p = k;
    memcpy(p, rule, lr + 1), p += lr + 1;
    memcpy(p, &conn, sizeof conn), p += sizeof conn;
    memcpy(p, a ? a : "", la + 1), p += la + 1;
    memcpy(p, b ? b : "", lb);
    bool created;
    ntab_put(n->once, k, len, &created);
    if (k != small)
        free(k);
    return created;
}

/* ---- per-connection state: sessions and pipes ---- */

struct conn_key {
    uint64_t conn;
    uint64_t id;
};

static struct sess_val *session(struct notices *n, uint64_t conn, uint64_t uid, bool create)
{
    struct conn_key k = {conn, uid};
    bool created;
    return create ? ntab_put(n->sessions, &k, sizeof k, &created) : ntab_get(n->sessions, &k, sizeof k);
}

static bool anonymous_auth(const char *auth)
{
    return is(auth, "anonymous") || is(auth, "ntlmssp-anonymous");
}

/* ---- smb rules ---- */

/* smb1_in_use: once per client and server address */
static void rule_smb1(struct notices *n, const struct event *e)
{
    const char *dialect = get_str(e, F(dialect));
    if (!dialect || !smb_ok(e) || strncmp(dialect, "SMB 2", 5) == 0)
        return;
    if (!first_time(n, "smb1_in_use", 0, e->conn->client_ip, e->conn->server_ip))
        return;
    fire1(n, e, "smb1_in_use", "info", "SMB1 (%s) negotiated between client %s and server %s", dialect,
          e->conn->client_ip, e->conn->server_ip);
}

/* admin_share_access: a successful tree connect to a `$` share but IPC$ and PRINT$ */
static void rule_admin_share(struct notices *n, const struct event *e)
{
    const char *path = get_str(e, F(path));
    if (!path || !smb_ok(e))
        return;
    const char *share = strrchr(path, '\\');
    share = share ? share + 1 : path;
    size_t len = strlen(share);
    if (len < 2 || share[len - 1] != '$' || strcasecmp(share, "IPC$") == 0 || strcasecmp(share, "PRINT$") == 0)
        return;
    if (!first_time(n, "admin_share_access", e->conn->num, share, NULL))
        return;
    const char *user = get_str(e, F(user));
    fire1(n, e, "admin_share_access", "medium", "tree connect to administrative share %s%s%s", path,
          user ? " by " : "", user ? user : "");
}

static const char *const logon_failed[] = {
    "STATUS_LOGON_FAILURE", "STATUS_WRONG_PASSWORD", "STATUS_NO_SUCH_USER", "STATUS_ACCOUNT_LOCKED_OUT",
    "ERRSRV/ERRbadpw", NULL,
};

/* logon_brute_force: brute_count failed logons from one client IP within
 * brute_window_s (any server, any account), then quiet for a window */
static void rule_brute(struct notices *n, const struct event *e)
{
    const char *ip = e->conn->client_ip;
    bool created;
    struct client *c = ntab_put(n->clients, ip, strlen(ip), &created);
    size_t cap = n->cfg.brute_count;
    struct fail_ref *slot = &c->ring[c->next];
    slot->ts = e->ts_us;
    evidence_ref(e, slot->ref, sizeof slot->ref);
    c->next = (c->next + 1) % cap;
    if (c->n < cap)
        c->n++;
    if (c->n < cap || e->ts_us < c->quiet_until)
        return;
    /* the ring holds exactly the last brute_count failures: their span */
    uint64_t lo = UINT64_MAX, hi = 0;
    for (size_t i = 0; i < cap; i++) {
        lo = c->ring[i].ts < lo ? c->ring[i].ts : lo;
        hi = c->ring[i].ts > hi ? c->ring[i].ts : hi;
    }
    uint64_t window = (uint64_t)n->cfg.brute_window_s * 1000000u;
    if (hi - lo > window)
        return;
    c->quiet_until = e->ts_us + window;
    /* evidence: the last NOTICES_MAX_EVIDENCE failures, oldest first */
    size_t shown = cap < NOTICES_MAX_EVIDENCE ? cap : NOTICES_MAX_EVIDENCE;
    const char *refs[NOTICES_MAX_EVIDENCE];
    for (size_t i = 0; i < shown; i++)
        refs[i] = c->ring[(c->next + cap - shown + i) % cap].ref;
    const char *user = get_str(e, F(user)), *status = get_str(e, F(status));
    struct notice x = {.name = "logon_brute_force", .severity = "high", .refs = refs, .n_refs = shown,
                       .omitted = cap - shown, .count = cap, .first = lo};
    uint64_t span = hi - lo;
    char detail[512];
    snprintf(detail, sizeof detail, "%zu failed logons from %s within %" PRIu64 ".%03" PRIu64 " s (limit %zu in %"
             PRIu32 " s); the last: account %.200s, %.80s", cap, ip, span / 1000000u, span / 1000u % 1000u, cap,
             n->cfg.brute_window_s, user ? user : "-", status ? status : "-");
    fire(n, e, &x, detail);
}

static void rule_session_setup(struct notices *n, const struct event *e)
{
    const char *auth = get_str(e, F(auth)), *user = get_str(e, F(user)), *status = get_str(e, F(status));
    if (is(auth, "plaintext") && first_time(n, "plaintext_password", e->conn->num, user, NULL))
        fire1(n, e, "plaintext_password", "high", "SESSION_SETUP_ANDX sent the password of %s in clear text (%s)",
              user ? user : "-", status ? status : "unanswered");
    uint64_t uid;
    if (smb_ok(e) && get_uint(e, F(uid), &uid)) {
        struct sess_val *s = session(n, e->conn->num, uid, true);
        s->anonymous = anonymous_auth(auth);
    }
    if (in_list(status, logon_failed))
        rule_brute(n, e);
}

/* an open on the connection: remember which session holds the FID (the
 * dcerpc record names the pipe's FID, not its session) */
static void rule_open(struct notices *n, const struct event *e)
{
    uint64_t fid, uid;
    if (!smb_ok(e) || !get_uint(e, F(fid), &fid) || !get_uint(e, F(uid), &uid))
        return;
    struct conn_key k = {e->conn->num, fid};
    bool created;
    struct fid_val *v = ntab_put(n->fids, &k, sizeof k, &created);
    v->uid = (uint16_t)uid;
}

/* the primary a secondary belongs to, by its command */
static const char *primary_of(const char *secondary)
{
    if (is(secondary, "TRANSACTION_SECONDARY"))
        return "TRANSACTION";
    if (is(secondary, "TRANSACTION2_SECONDARY"))
        return "TRANSACTION2";
    if (is(secondary, "NT_TRANSACT_SECONDARY"))
        return "NT_TRANSACT";
    return NULL;
}

enum {
    NT_RENAME = 5,
    T2_SESSION_SETUP = 0x0e,
    PIPE_PEEK = 0x0023,
    DOUBLEPULSAR_MID_LO = 81,  /* the implant's answers: its ping's MID (65) + 16, and the next two */
    DOUBLEPULSAR_MID_HI = 83,
};

/* one notice per connection and exploit shape */
static void ms17(struct notices *n, const struct event *e, const char *shape, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void ms17(struct notices *n, const struct event *e, const char *shape, const char *fmt, ...)
{
    if (!first_time(n, "ms17_010_exploit", e->conn->num, shape, NULL))
        return;
    va_list ap;
    va_start(ap, fmt);
    char *detail = vformat(fmt, ap);
    va_end(ap);
    fire_on(n, e, "ms17_010_exploit", "high", detail);
    free(detail);
}

/* ms17_010_exploit, ms17_010_probe, doublepulsar: the transaction shapes */
static void rule_trans(struct notices *n, const struct event *e, const char *cmd)
{
    const char *open = get_str(e, F(open_transaction)), *prim = primary_of(cmd);
    uint64_t v, mid = 0, total = 0;
    get_uint(e, F(mid), &mid);
    if (prim && open && strcmp(open, prim) != 0) {
        /* a secondary of another type than its transaction: the server's
         * type confusion all these exploits rely on; EternalBlue's is a
         * TRANSACTION2_SECONDARY feeding an NT_TRANSACT */
        if (is(cmd, "TRANSACTION2_SECONDARY") && is(open, "NT_TRANSACT"))
            ms17(n, e, "eternalblue", "EternalBlue shape: %s continues an unanswered %s on the same PID and MID",
                 cmd, open);
        else
            ms17(n, e, "secondary_mismatch",
                 "transaction type confusion (EternalChampion, EternalSynergy): %s continues an unanswered %s on "
                 "the same PID and MID", cmd, open);
    } else if (is(cmd, "WRITE_ANDX") && open) {
        ms17(n, e, "eternalsynergy",
             "EternalRomance/EternalSynergy shape: %s on the PID and MID of an unanswered %s", cmd, open);
    } else if (is(cmd, "NT_TRANSACT") && get_uint(e, F(function), &v)) {
        if (v == NT_RENAME)
            ms17(n, e, "eternalchampion",
                 "EternalChampion shape: %s with function 5 (NT_TRANSACT_RENAME, which clients never send)", cmd);
        else if ((v == 0 || v > 8) && get_uint(e, F(total_data_count), &total) && total > 0xffff)
            ms17(n, e, "eternalblue",
                 "EternalBlue shape: %s with an undefined function (%" PRIu64 ") and %" PRIu64
                 " bytes of data (above 65535: the FEA list overflow)", cmd, v, total);
    } else if (is(cmd, "TRANSACTION") && get_uint(e, F(subcommand), &v) && v == PIPE_PEEK &&
               get_uint(e, F(fid), &v) && v == 0 && first_time(n, "ms17_010_probe", e->conn->num, NULL, NULL)) {
        const char *st = get_str(e, F(status));
        fire1(n, e, "ms17_010_probe", "medium",
              "PEEK_NMPIPE on FID 0 (the MS17-010 check) answered %s%s", st ? st : "(no response)",
              is(st, "STATUS_INSUFF_SERVER_RESOURCES") ? ": the server lacks the MS17-010 fix" : "");
    } else if (is(cmd, "TRANSACTION2")) {
        const char *st = get_str(e, F(status));
        if (get_uint(e, F(subcommand), &v) && v == T2_SESSION_SETUP &&
            first_time(n, "doublepulsar", e->conn->num, "request", NULL))
            fire1(n, e, "doublepulsar", "high",
                  "TRANS2_SESSION_SETUP request (reserved; the DoublePulsar implant's ping and command), mid=%" PRIu64
                  ", answered %s", mid, st ? st : "(no response)");
        if (get_bool(e, F(partial)) && is(st, "STATUS_NOT_IMPLEMENTED") && mid >= DOUBLEPULSAR_MID_LO &&
            mid <= DOUBLEPULSAR_MID_HI && first_time(n, "doublepulsar", e->conn->num, "reply", NULL))
            fire1(n, e, "doublepulsar", "high",
                  "TRANSACTION2 answer STATUS_NOT_IMPLEMENTED on mid=%" PRIu64 " that no request used (the "
                  "DoublePulsar implant answers its ping with the MID raised by 16: it is installed)", mid);
    }
}

static void feed_smb(struct notices *n, const struct event *e)
{
    const char *cmd = get_str(e, F(command));
    if (!cmd)
        return;
    if (is(cmd, "NEGOTIATE"))
        rule_smb1(n, e);
    else if (is(cmd, "SESSION_SETUP_ANDX"))
        rule_session_setup(n, e);
    else if (is(cmd, "TREE_CONNECT_ANDX") || is(cmd, "TREE_CONNECT"))
        rule_admin_share(n, e);
    else if (is(cmd, "NT_CREATE_ANDX") || is(cmd, "OPEN_ANDX"))
        rule_open(n, e);
    rule_trans(n, e, cmd);
}

/* ---- dcerpc rules ---- */

static const char *const service_ops[] = {
    "CreateServiceW", "CreateServiceA", "CreateServiceWOW64W", "CreateServiceWOW64A",
    "ChangeServiceConfigW", "ChangeServiceConfigA", NULL,
};

/* enumerations of accounts, groups, SIDs and shares */
static const char *const samr_enum[] = {
    "SamrEnumerateDomainsInSamServer", "SamrEnumerateUsersInDomain", "SamrEnumerateGroupsInDomain",
    "SamrEnumerateAliasesInDomain", "SamrQueryDisplayInformation", "SamrQueryDisplayInformation2",
    "SamrQueryDisplayInformation3", "SamrLookupIdsInDomain", "SamrGetMembersInGroup", "SamrGetMembersInAlias", NULL,
};
static const char *const lsarpc_enum[] = {
    "LsarLookupSids", "LsarLookupSids2", "LsarLookupSids3", "LsarEnumerateAccounts",
    "LsarEnumerateTrustedDomains", "LsarEnumerateTrustedDomainsEx", NULL,
};
static const char *const srvsvc_enum[] = {
    "NetrShareEnum", "NetrShareEnumSticky", "NetrSessionEnum", "NetrConnectionEnum", NULL,
};

/* the call did what it asked: no fault, and a success return value
 * (0, STATUS_MORE_ENTRIES, STATUS_SOME_NOT_MAPPED, ERROR_MORE_DATA) */
static bool rpc_ok(const struct event *e)
{
    uint64_t code;
    if (get_bool(e, F(fault)) || !get_uint(e, F(status_code), &code))
        return false;
    return code == 0 || code == 0x105 || code == 0x107 || code == 234;
}

/* the session that opened the call's pipe logged on anonymously; when the
 * open was not seen, an empty account name says so */
static bool rpc_anonymous(struct notices *n, const struct event *e)
{
    uint64_t fid;
    if (get_uint(e, F(fid), &fid)) {
        struct conn_key k = {e->conn->num, fid};
        const struct fid_val *f = ntab_get(n->fids, &k, sizeof k);
        const struct sess_val *s = f ? session(n, e->conn->num, f->uid, false) : NULL;
        if (s)
            return s->anonymous;
    }
    return is(get_str(e, F(user)), "");
}

static void feed_dcerpc(struct notices *n, const struct event *e)
{
    const char *iface = get_str(e, F(interface)), *op = get_str(e, F(operation));
    if (!iface || !op)
        return;
    const char *st = get_str(e, F(status));
    const char *status = st ? st : get_bool(e, F(fault)) ? "a fault" : "unanswered";
    if (is(iface, "svcctl") && in_list(op, service_ops)) {
        /* a creation is the fact even when its arguments were not decoded
         * (the ANSI variants, a stub cut short); a change is one only when
         * it sets the binary path (not a start type alone) */
        const char *bin = get_str(e, F(binary_path)), *svc = get_str(e, F(service_name));
        if (bin || strncmp(op, "CreateService", 13) == 0)
            fire1(n, e, "remote_service_created", "high", "svcctl %s service %s binary_path %s (%s)", op,
                  svc ? svc : "-", bin ? bin : "(not decoded)", status);
    } else if ((is(iface, "atsvc") && is(op, "NetrJobAdd")) || (is(iface, "tsch") && is(op, "SchRpcRegisterTask"))) {
        /* atsvc: the job's whole command line; tsch: the XML's <Command>
         * and <Arguments> (dcerpc_tsch.c) */
        const char *cmd = get_str(e, F(task_command)), *args = get_str(e, F(task_arguments));
        const char *path = get_str(e, F(task_path));
        fire1(n, e, "remote_task_created", "high", "%s %s task %s command %s%s%s (%s)", iface, op,
              path ? path : "-", cmd ? cmd : "-", args ? " " : "", args ? args : "", status);
    } else if (((is(iface, "samr") && in_list(op, samr_enum)) || (is(iface, "lsarpc") && in_list(op, lsarpc_enum)) ||
                (is(iface, "srvsvc") && in_list(op, srvsvc_enum))) &&
               rpc_ok(e) && rpc_anonymous(n, e) && first_time(n, "anonymous_enumeration", e->conn->num, iface, NULL)) {
        fire1(n, e, "anonymous_enumeration", "medium", "%s %s by an anonymous session (%s)", iface, op, status);
    }
}

void notices_feed(struct notices *n, const struct event *e)
{
    if (!e->conn)
        return;
    if (e->type == EV_SMB)
        feed_smb(n, e);
    else if (e->type == EV_DCERPC)
        feed_dcerpc(n, e);
}
