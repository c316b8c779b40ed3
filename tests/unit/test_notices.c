/* Unit tests for the notice rules (dissectors/notices.c), fed records built
 * by hand, as the analyzer feeds the ones it writes: each rule fires on its
 * exact condition and stays quiet just outside it (README "Notices"), once
 * per key where it says so, with its evidence; the brute-force window and
 * count; the state bound (an evicted key fires again). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "notices.h"
#include "notices_table.h"

#define MAX_OUT 64

struct out {
    struct event ev[MAX_OUT];
    size_t n;
};

static void collect(void *u, const struct event *e)
{
    struct out *o = u;
    ck_assert_uint_lt(o->n, MAX_OUT);
    ck_assert_int_eq(e->type, EV_NOTICE);
    ev_clone(&o->ev[o->n++], e);
}

struct fx {
    struct out out;
    struct emitter em;
    struct notices *n;
    struct conn_ref c[4];
};

static struct conn_ref conn(uint64_t num, const char *client, const char *server)
{
    struct conn_ref c = {.num = num, .start_us = 1000000};
    snprintf(c.id, sizeof c.id, "C%llu", (unsigned long long)num);
    snprintf(c.uid, sizeof c.uid, "CnoticeTest00000%llu", (unsigned long long)num);
    strcpy(c.client_ip, client);
    strcpy(c.server_ip, server);
    return c;
}

static struct fx *fx_new(unsigned count, uint32_t window, size_t max)
{
    struct fx *f = calloc(1, sizeof *f);
    ck_assert_ptr_nonnull(f);
    f->em.emit = collect;
    f->em.u = &f->out;
    struct notices_config cfg = {.brute_count = count, .brute_window_s = window, .max_entries = max};
    f->n = notices_new(&cfg, &f->em);
    ck_assert_ptr_nonnull(f->n);
    f->c[0] = conn(1, "10.0.0.5", "10.0.0.1");
    f->c[1] = conn(2, "10.0.0.5", "10.0.0.1");
    f->c[2] = conn(3, "10.0.0.5", "10.0.0.2");
    f->c[3] = conn(4, "10.0.0.6", "10.0.0.1");
    return f;
}

static void fx_free(struct fx *f)
{
    for (size_t i = 0; i < f->out.n; i++)
        ev_free(&f->out.ev[i]);
    notices_free(f->n);
    free(f);
}

static const char *s_of(const struct event *e, const char *name)
{
    const struct field *f = ev_get(e, NULL, name);
    return f && f->kind == F_STR ? f->v.s : NULL;
}

/* notices of this name written so far */
static size_t count(const struct fx *f, const char *name)
{
    size_t n = 0;
    for (size_t i = 0; i < f->out.n; i++)
        n += strcmp(s_of(&f->out.ev[i], "name"), name) == 0;
    return n;
}

static const struct event *last(const struct fx *f)
{
    ck_assert_uint_gt(f->out.n, 0);
    return &f->out.ev[f->out.n - 1];
}

/* an smb record: command, status (NULL: unanswered), uid, mid */
static void smb_init(struct event *e, const struct conn_ref *c, uint64_t ts, const char *cmd, const char *status,
                     uint64_t status_code, uint64_t uid, uint64_t mid)
{
    ev_init(e, EV_SMB, ts, c);
    ev_str(e, F(command), cmd);
    ev_uint(e, F(code), 0);
    ev_str(e, F(status), status);
    if (status)
        ev_uint(e, F(status_code), status_code);
    else
        ev_null(e, F(status_code));
    ev_uint(e, F(uid), uid);
    ev_uint(e, F(tid), 1);
    ev_uint(e, F(pid), 1);
    ev_uint(e, F(mid), mid);
}

static void feed(struct fx *f, struct event *e)
{
    notices_feed(f->n, e);
    ev_free(e);
}

static void negotiate(struct fx *f, int c, const char *dialect, uint64_t code)
{
    struct event e;
    smb_init(&e, &f->c[c], 2000000, "NEGOTIATE", code ? "STATUS_NOT_SUPPORTED" : "STATUS_SUCCESS", code, 0, 5);
    ev_str(&e, F(dialect), dialect);
    feed(f, &e);
}

START_TEST(smb1_in_use_once_per_pair)
{
    struct fx *f = fx_new(10, 60, 100);
    negotiate(f, 0, "NT LM 0.12", 0);
    ck_assert_uint_eq(count(f, "smb1_in_use"), 1);
    const struct event *n = last(f);
    ck_assert_str_eq(s_of(n, "severity"), "info");
    const struct field *ev = ev_get(n, NULL, "evidence");
    ck_assert(ev && ev->kind == F_STRV && ev->v.sv.n == 1);
    /* TYPE|CONN_UID|TS|WHAT|ID, TS as the record's own */
    ck_assert_str_eq(ev->v.sv.v[0], "smb|CnoticeTest000001|1970-01-01T00:00:02.000000Z|NEGOTIATE|5");
    negotiate(f, 1, "NT LM 0.12", 0);              /* another connection, same pair */
    ck_assert_uint_eq(count(f, "smb1_in_use"), 1);
    negotiate(f, 2, "LANMAN2.1", 0);               /* another server: a pair of its own */
    ck_assert_uint_eq(count(f, "smb1_in_use"), 2);
    negotiate(f, 3, "SMB 2.002", 0);               /* SMB2 chosen: no SMB1 */
    negotiate(f, 3, "NT LM 0.12", 0xc00000bb);     /* refused */
    ck_assert_uint_eq(count(f, "smb1_in_use"), 2);
    fx_free(f);
}
END_TEST

static void tree(struct fx *f, int c, const char *path, uint64_t code)
{
    struct event e;
    smb_init(&e, &f->c[c], 3000000, "TREE_CONNECT_ANDX", code ? "STATUS_ACCESS_DENIED" : "STATUS_SUCCESS", code,
             100, 7);
    ev_str(&e, F(user), "alice");
    ev_str(&e, F(path), path);
    feed(f, &e);
}

START_TEST(admin_share_access_dollar_shares)
{
    struct fx *f = fx_new(10, 60, 100);
    tree(f, 0, "\\\\SRV\\IPC$", 0);
    tree(f, 0, "\\\\SRV\\print$", 0);
    tree(f, 0, "\\\\SRV\\public", 0);
    tree(f, 0, "\\\\SRV\\C$", 0xc0000022);        /* denied: nothing was reached */
    ck_assert_uint_eq(count(f, "admin_share_access"), 0);
    tree(f, 0, "\\\\SRV\\C$", 0);
    ck_assert_uint_eq(count(f, "admin_share_access"), 1);
    ck_assert_str_eq(s_of(last(f), "user"), "alice");
    ck_assert_ptr_nonnull(strstr(s_of(last(f), "detail"), "\\\\SRV\\C$"));
    tree(f, 0, "\\\\SRV\\C$", 0);                  /* again on the connection */
    ck_assert_uint_eq(count(f, "admin_share_access"), 1);
    tree(f, 0, "\\\\SRV\\ADMIN$", 0);
    tree(f, 0, "\\\\SRV\\finance$", 0);
    tree(f, 1, "\\\\SRV\\C$", 0);                  /* another connection */
    ck_assert_uint_eq(count(f, "admin_share_access"), 4);
    fx_free(f);
}
END_TEST

static void logon(struct fx *f, int c, uint64_t ts, const char *auth, const char *user, const char *status,
                  uint64_t code, uint64_t uid)
{
    struct event e;
    smb_init(&e, &f->c[c], ts, "SESSION_SETUP_ANDX", status, code, uid, 1);
    ev_str(&e, F(user), user);
    ev_str(&e, F(auth), auth);
    feed(f, &e);
}

START_TEST(plaintext_password_once_per_account)
{
    struct fx *f = fx_new(10, 60, 100);
    logon(f, 0, 1000000, "ntlmv2", "bob", "STATUS_SUCCESS", 0, 100);
    logon(f, 0, 1000000, "lm", "bob", "STATUS_SUCCESS", 0, 100);
    ck_assert_uint_eq(count(f, "plaintext_password"), 0);
    logon(f, 0, 1000000, "plaintext", "bob", "STATUS_LOGON_FAILURE", 0xc000006d, 0);
    ck_assert_uint_eq(count(f, "plaintext_password"), 1);
    ck_assert_str_eq(s_of(last(f), "user"), "bob");
    logon(f, 0, 1000000, "plaintext", "bob", "STATUS_SUCCESS", 0, 100);
    ck_assert_uint_eq(count(f, "plaintext_password"), 1);
    logon(f, 0, 1000000, "plaintext", "carol", "STATUS_SUCCESS", 0, 101);
    ck_assert_uint_eq(count(f, "plaintext_password"), 2);
    fx_free(f);
}
END_TEST

#define S(x) ((uint64_t)(x) * 1000000u)

START_TEST(brute_force_count_and_window)
{
    struct fx *f = fx_new(3, 10, 100);
    /* two failures, a success and another status (no failed logon) */
    logon(f, 0, S(100), "ntlmv2", "a", "STATUS_LOGON_FAILURE", 0xc000006d, 0);
    logon(f, 1, S(101), "ntlmv2", "b", "STATUS_WRONG_PASSWORD", 0xc000006a, 0);
    logon(f, 0, S(102), "ntlmv2", "a", "STATUS_SUCCESS", 0, 100);
    logon(f, 0, S(102), "ntlmv2", "a", "STATUS_PASSWORD_EXPIRED", 0xc0000071, 0);
    /* another client's failure does not count for this one */
    logon(f, 3, S(103), "ntlmv2", "a", "STATUS_LOGON_FAILURE", 0xc000006d, 0);
    ck_assert_uint_eq(count(f, "logon_brute_force"), 0);
    /* the third from 10.0.0.5 (another server, another account) within 10 s */
    logon(f, 2, S(110), "ntlmv2", "c", "STATUS_NO_SUCH_USER", 0xc0000064, 0);
    ck_assert_uint_eq(count(f, "logon_brute_force"), 1);
    const struct event *n = last(f);
    const struct field *cnt = ev_get(n, NULL, "count"), *first = ev_get(n, NULL, "first");
    ck_assert(cnt && cnt->v.u == 3 && first && first->v.u == S(100));
    const struct field *ev = ev_get(n, NULL, "evidence");
    ck_assert(ev && ev->v.sv.n == 3);
    ck_assert_str_eq(ev->v.sv.v[0], "smb|CnoticeTest000001|1970-01-01T00:01:40.000000Z|SESSION_SETUP_ANDX|1");
    ck_assert_ptr_null(ev_get(n, NULL, "evidence_omitted"));
    /* quiet for a window after it fired */
    logon(f, 0, S(111), "ntlmv2", "a", "STATUS_LOGON_FAILURE", 0xc000006d, 0);
    logon(f, 0, S(112), "ntlmv2", "a", "STATUS_LOGON_FAILURE", 0xc000006d, 0);
    ck_assert_uint_eq(count(f, "logon_brute_force"), 1);
    /* past it, three failures spread over more than 10 s do not fire... */
    logon(f, 0, S(125), "ntlmv2", "a", "STATUS_LOGON_FAILURE", 0xc000006d, 0);
    logon(f, 0, S(131), "ntlmv2", "a", "STATUS_LOGON_FAILURE", 0xc000006d, 0);
    logon(f, 0, S(136), "ntlmv2", "a", "STATUS_LOGON_FAILURE", 0xc000006d, 0);
    ck_assert_uint_eq(count(f, "logon_brute_force"), 1);
    /* ...three within exactly 10 s do (131, 136, 141) */
    logon(f, 0, S(141), "ntlmv2", "a", "ERRSRV/ERRbadpw", 0x00020002, 0);
    ck_assert_uint_eq(count(f, "logon_brute_force"), 2);
    logon(f, 0, S(146), "ntlmv2", "a", "STATUS_LOGON_FAILURE", 0xc000006d, 0);
    ck_assert_uint_eq(count(f, "logon_brute_force"), 2);
    fx_free(f);
}
END_TEST

START_TEST(brute_force_evidence_bounded)
{
    struct fx *f = fx_new(20, 60, 100);
    for (unsigned i = 0; i < 20; i++)
        logon(f, 0, S(100 + i), "ntlmv2", "a", "STATUS_LOGON_FAILURE", 0xc000006d, 0);
    ck_assert_uint_eq(count(f, "logon_brute_force"), 1);
    const struct field *ev = ev_get(last(f), NULL, "evidence"), *om = ev_get(last(f), NULL, "evidence_omitted");
    ck_assert(ev && ev->v.sv.n == NOTICES_MAX_EVIDENCE && om && om->v.u == 20 - NOTICES_MAX_EVIDENCE);
    /* the newest last */
    ck_assert_str_eq(ev->v.sv.v[NOTICES_MAX_EVIDENCE - 1],
                     "smb|CnoticeTest000001|1970-01-01T00:01:59.000000Z|SESSION_SETUP_ANDX|1");
    fx_free(f);
}
END_TEST

static void open_fid(struct fx *f, int c, uint64_t uid, uint64_t fid)
{
    struct event e;
    smb_init(&e, &f->c[c], S(5), "NT_CREATE_ANDX", "STATUS_SUCCESS", 0, uid, 9);
    ev_uint(&e, F(fid), fid);
    feed(f, &e);
}

static void rpc(struct fx *f, int c, uint64_t fid, const char *user, const char *iface, const char *op,
                int64_t status_code, bool fault, const char *bin)
{
    struct event e;
    ev_init(&e, EV_DCERPC, S(6), &f->c[c]);
    if (user)
        ev_str(&e, F(user), user);
    ev_str(&e, F(pipe), "\\pipe");
    ev_uint(&e, F(fid), fid);
    ev_str(&e, F(interface), iface);
    ev_uint(&e, F(call_id), 3);
    ev_uint(&e, F(opnum), 13);
    ev_str(&e, F(operation), op);
    if (status_code < 0) {
        ev_null(&e, F(status));
        ev_null(&e, F(status_code));
    } else {
        ev_str(&e, F(status), status_code ? "SOMETHING" : "STATUS_SUCCESS");
        ev_uint(&e, F(status_code), (uint64_t)status_code);
    }
    ev_bool(&e, F(fault), fault);
    if (bin) {
        ev_str(&e, F(service_name), "evilsvc");
        ev_str(&e, F(binary_path), bin);
    }
    feed(f, &e);
}

START_TEST(anonymous_enumeration_needs_an_anonymous_session)
{
    struct fx *f = fx_new(10, 60, 100);
    logon(f, 0, S(1), "ntlmssp-anonymous", "", "STATUS_SUCCESS", 0, 100);
    logon(f, 0, S(1), "ntlmv2", "alice", "STATUS_SUCCESS", 0, 200);
    open_fid(f, 0, 100, 0x4000);
    open_fid(f, 0, 200, 0x4001);
    /* alice's session, a refusal, a fault, an unanswered call, a call that enumerates nothing */
    rpc(f, 0, 0x4001, "alice", "samr", "SamrEnumerateUsersInDomain", 0, false, NULL);
    rpc(f, 0, 0x4000, "", "samr", "SamrEnumerateUsersInDomain", 0xc0000022, false, NULL);
    rpc(f, 0, 0x4000, "", "samr", "SamrEnumerateUsersInDomain", 5, true, NULL);
    /* a fault PDU is a refusal whatever status it carries, 0 too */
    rpc(f, 0, 0x4000, "", "samr", "SamrEnumerateUsersInDomain", 0, true, NULL);
    rpc(f, 0, 0x4000, "", "samr", "SamrEnumerateUsersInDomain", -1, false, NULL);
    rpc(f, 0, 0x4000, "", "samr", "SamrConnect5", 0, false, NULL);
    ck_assert_uint_eq(count(f, "anonymous_enumeration"), 0);
    /* STATUS_MORE_ENTRIES is a success */
    rpc(f, 0, 0x4000, "", "samr", "SamrEnumerateUsersInDomain", 0x105, false, NULL);
    ck_assert_uint_eq(count(f, "anonymous_enumeration"), 1);
    rpc(f, 0, 0x4000, "", "samr", "SamrLookupIdsInDomain", 0, false, NULL);     /* once per interface */
    ck_assert_uint_eq(count(f, "anonymous_enumeration"), 1);
    rpc(f, 0, 0x4000, "", "lsarpc", "LsarLookupSids2", 0x107, false, NULL);
    rpc(f, 0, 0x4000, "", "srvsvc", "NetrShareEnum", 234, false, NULL);
    ck_assert_uint_eq(count(f, "anonymous_enumeration"), 3);
    /* the open not seen: an empty account name says anonymous, a null one says nothing */
    rpc(f, 1, 0x4000, NULL, "srvsvc", "NetrShareEnum", 0, false, NULL);
    ck_assert_uint_eq(count(f, "anonymous_enumeration"), 3);
    rpc(f, 1, 0x4000, "", "srvsvc", "NetrShareEnum", 0, false, NULL);
    ck_assert_uint_eq(count(f, "anonymous_enumeration"), 4);
    fx_free(f);
}
END_TEST

START_TEST(remote_service_and_task)
{
    struct fx *f = fx_new(10, 60, 100);
    rpc(f, 0, 0x4000, "alice", "svcctl", "OpenServiceW", 0, false, NULL);
    /* a change that does not set the binary path (a start type alone) is no creation */
    rpc(f, 0, 0x4000, "alice", "svcctl", "ChangeServiceConfigW", 0, false, NULL);
    ck_assert_uint_eq(count(f, "remote_service_created"), 0);
    /* a creation whose arguments were not decoded (CreateServiceA) still is one */
    rpc(f, 0, 0x4000, "alice", "svcctl", "CreateServiceA", 0, false, NULL);
    ck_assert_uint_eq(count(f, "remote_service_created"), 1);
    ck_assert_str_eq(s_of(last(f), "detail"), "svcctl CreateServiceA service - binary_path (not decoded) (STATUS_SUCCESS)");
    rpc(f, 0, 0x4000, "alice", "svcctl", "CreateServiceW", 0, false, "%COMSPEC% /c evil.bat");
    ck_assert_uint_eq(count(f, "remote_service_created"), 2);
    ck_assert_ptr_nonnull(strstr(s_of(last(f), "detail"), "%COMSPEC% /c evil.bat"));
    ck_assert_ptr_nonnull(strstr(s_of(last(f), "detail"), "evilsvc"));
    ck_assert_str_eq(s_of(last(f), "severity"), "high");
    const struct field *ev = ev_get(last(f), NULL, "evidence");
    ck_assert_str_eq(ev->v.sv.v[0], "dcerpc|CnoticeTest000001|1970-01-01T00:00:06.000000Z|svcctl.CreateServiceW|3");
    /* every creation is its own notice, denied ones too */
    rpc(f, 0, 0x4000, "alice", "svcctl", "ChangeServiceConfigW", 5, false, "c:\\x.exe");
    ck_assert_uint_eq(count(f, "remote_service_created"), 3);
    rpc(f, 0, 0x4000, "alice", "tsch", "SchRpcRun", 0, false, NULL);
    rpc(f, 0, 0x4000, "alice", "atsvc", "NetrJobEnum", 0, false, NULL);
    ck_assert_uint_eq(count(f, "remote_task_created"), 0);
    rpc(f, 0, 0x4000, "alice", "atsvc", "NetrJobAdd", 0, false, NULL);
    rpc(f, 0, 0x4000, "alice", "tsch", "SchRpcRegisterTask", 0, false, NULL);
    ck_assert_uint_eq(count(f, "remote_task_created"), 2);
    /* the task's path, command and arguments as the tsch decoder writes them */
    struct event e;
    ev_init(&e, EV_DCERPC, S(6), &f->c[0]);
    ev_str(&e, F(interface), "tsch");
    ev_str(&e, F(operation), "SchRpcRegisterTask");
    ev_uint(&e, F(call_id), 4);
    ev_str(&e, F(task_path), "\\evil");
    ev_str(&e, F(task_command), "cmd.exe");
    ev_str(&e, F(task_arguments), "/c whoami");
    feed(f, &e);
    ck_assert_uint_eq(count(f, "remote_task_created"), 3);
    ck_assert_str_eq(s_of(last(f), "detail"),
                     "tsch SchRpcRegisterTask task \\evil command cmd.exe /c whoami (unanswered)");
    fx_free(f);
}
END_TEST

static void trans(struct fx *f, int c, const char *cmd, const char *open, int64_t fn, uint64_t total)
{
    struct event e;
    smb_init(&e, &f->c[c], S(7), cmd, NULL, 0, 100, 42);
    if (open)
        ev_str(&e, F(open_transaction), open);
    if (fn >= 0) {
        ev_uint(&e, F(function), (uint64_t)fn);
        ev_uint(&e, F(total_data_count), total);
    }
    feed(f, &e);
}

START_TEST(ms17_010_shapes)
{
    struct fx *f = fx_new(10, 60, 100);
    /* ordinary: secondaries of their own transaction, a CREATE with a big descriptor, a cancel */
    trans(f, 0, "TRANSACTION2_SECONDARY", "TRANSACTION2", -1, 0);
    trans(f, 0, "NT_TRANSACT_SECONDARY", "NT_TRANSACT", -1, 0);
    trans(f, 0, "TRANSACTION_SECONDARY", NULL, -1, 0);
    trans(f, 0, "NT_TRANSACT", NULL, 1, 100000);
    trans(f, 0, "NT_TRANSACT", NULL, 0, 0xffff);
    trans(f, 0, "NT_CANCEL", "NT_TRANSACT", -1, 0);
    trans(f, 0, "WRITE_ANDX", NULL, -1, 0);
    ck_assert_uint_eq(count(f, "ms17_010_exploit"), 0);
    trans(f, 0, "TRANSACTION2_SECONDARY", "NT_TRANSACT", -1, 0);
    ck_assert_uint_eq(count(f, "ms17_010_exploit"), 1);
    ck_assert_ptr_nonnull(strstr(s_of(last(f), "detail"), "EternalBlue"));
    trans(f, 0, "NT_TRANSACT", NULL, 0, 0x10000);   /* the same exploit, once per connection */
    ck_assert_uint_eq(count(f, "ms17_010_exploit"), 1);
    trans(f, 1, "NT_TRANSACT", NULL, 0, 0x10000);
    ck_assert_uint_eq(count(f, "ms17_010_exploit"), 2);
    trans(f, 1, "NT_TRANSACT", NULL, 5, 0);
    ck_assert_ptr_nonnull(strstr(s_of(last(f), "detail"), "EternalChampion"));
    trans(f, 1, "WRITE_ANDX", "TRANSACTION", -1, 0);
    ck_assert_ptr_nonnull(strstr(s_of(last(f), "detail"), "EternalSynergy"));
    trans(f, 1, "NT_TRANSACT_SECONDARY", "TRANSACTION", -1, 0);
    ck_assert_ptr_nonnull(strstr(s_of(last(f), "detail"), "type confusion"));
    ck_assert_uint_eq(count(f, "ms17_010_exploit"), 5);
    fx_free(f);
}
END_TEST

static void peek(struct fx *f, int c, uint64_t fid, const char *status, uint64_t code)
{
    struct event e;
    smb_init(&e, &f->c[c], S(8), "TRANSACTION", status, code, 100, 64);
    ev_uint(&e, F(subcommand), 0x23);
    ev_uint(&e, F(fid), fid);
    feed(f, &e);
}

START_TEST(ms17_010_probe_peek_fid_zero)
{
    struct fx *f = fx_new(10, 60, 100);
    peek(f, 0, 0x4000, "STATUS_SUCCESS", 0);
    ck_assert_uint_eq(count(f, "ms17_010_probe"), 0);
    peek(f, 0, 0, "STATUS_INSUFF_SERVER_RESOURCES", 0xc0000205);
    ck_assert_uint_eq(count(f, "ms17_010_probe"), 1);
    ck_assert_ptr_nonnull(strstr(s_of(last(f), "detail"), "lacks the MS17-010 fix"));
    peek(f, 1, 0, "STATUS_ACCESS_DENIED", 0xc0000022);
    ck_assert_uint_eq(count(f, "ms17_010_probe"), 2);
    ck_assert_ptr_null(strstr(s_of(last(f), "detail"), "lacks"));
    fx_free(f);
}
END_TEST

static void t2(struct fx *f, int c, int64_t subcmd, uint64_t mid, const char *status, bool partial)
{
    struct event e;
    smb_init(&e, &f->c[c], S(9), "TRANSACTION2", status, status ? 0xc0000002 : 0, 0, mid);
    if (partial)
        ev_bool(&e, F(partial), true);
    if (subcmd >= 0)
        ev_uint(&e, F(subcommand), (uint64_t)subcmd);
    feed(f, &e);
}

START_TEST(doublepulsar_ping_and_reply)
{
    struct fx *f = fx_new(10, 60, 100);
    t2(f, 0, 0x01, 65, "STATUS_NOT_IMPLEMENTED", false);   /* FIND_FIRST2 */
    t2(f, 0, -1, 65, "STATUS_NOT_IMPLEMENTED", true);      /* the reply of a clean server: same MID */
    t2(f, 0, 0x05, 81, "STATUS_NOT_IMPLEMENTED", false);   /* its request was seen under that MID */
    t2(f, 0, -1, 84, "STATUS_NOT_IMPLEMENTED", true);
    ck_assert_uint_eq(count(f, "doublepulsar"), 0);
    t2(f, 0, 0x0e, 65, NULL, false);                        /* the ping */
    ck_assert_uint_eq(count(f, "doublepulsar"), 1);
    t2(f, 0, 0x0e, 66, NULL, false);                        /* once per connection */
    ck_assert_uint_eq(count(f, "doublepulsar"), 1);
    t2(f, 0, -1, 81, "STATUS_NOT_IMPLEMENTED", true);       /* the implant's answer */
    ck_assert_uint_eq(count(f, "doublepulsar"), 2);
    ck_assert_ptr_nonnull(strstr(s_of(last(f), "detail"), "installed"));
    fx_free(f);
}
END_TEST

START_TEST(state_bounded_evicted_keys_fire_again)
{
    struct fx *f = fx_new(10, 60, 1);
    negotiate(f, 0, "NT LM 0.12", 0);   /* 10.0.0.5 - 10.0.0.1 */
    negotiate(f, 2, "NT LM 0.12", 0);   /* 10.0.0.5 - 10.0.0.2: evicts the first */
    negotiate(f, 1, "NT LM 0.12", 0);   /* the first pair again */
    ck_assert_uint_eq(count(f, "smb1_in_use"), 3);
    negotiate(f, 1, "NT LM 0.12", 0);
    ck_assert_uint_eq(count(f, "smb1_in_use"), 3);
    fx_free(f);
}
END_TEST

START_TEST(records_without_a_connection_ignored)
{
    struct fx *f = fx_new(10, 60, 100);
    struct event e;
    ev_init(&e, EV_STATS, 1, NULL);
    ev_uint(&e, F(packets), 1);
    feed(f, &e);
    ck_assert_uint_eq(f->out.n, 0);
    fx_free(f);
}
END_TEST

/* the table itself (notices_table.c), past its growth steps (16, 32, 64 entries,
 * then the cap of 100): every value kept, then the least recently used evicted */
START_TEST(table_grows_keeps_values_evicts_lru)
{
    struct hkey key = {1, 2};
    struct ntab *t = ntab_new(100, sizeof(uint32_t), &key);
    ck_assert_ptr_nonnull(t);
    bool created;
    for (uint32_t i = 0; i < 100; i++) {
        uint32_t *v = ntab_put(t, &i, sizeof i, &created);
        ck_assert(created);
        ck_assert_uint_eq(*v, 0);
        *v = i + 1000;
    }
    ck_assert_uint_eq(ntab_len(t), 100);
    for (uint32_t i = 0; i < 100; i++) {
        uint32_t *v = ntab_get(t, &i, sizeof i);
        ck_assert_ptr_nonnull(v);
        ck_assert_uint_eq(*v, i + 1000);
    }
    /* every key used in order 0..99: 0 is the idlest; touch it, so 1 goes */
    uint32_t k = 0;
    ck_assert_ptr_nonnull(ntab_get(t, &k, sizeof k));
    k = 100;
    uint32_t *v = ntab_put(t, &k, sizeof k, &created);
    ck_assert(created);
    ck_assert_uint_eq(*v, 0);
    ck_assert_uint_eq(ntab_len(t), 100);
    ck_assert_uint_eq(ntab_evicted(t), 1);
    k = 1;
    ck_assert_ptr_null(ntab_get(t, &k, sizeof k));
    k = 0;
    ck_assert_ptr_nonnull(ntab_get(t, &k, sizeof k));
    ntab_put(t, &k, sizeof k, &created);
    ck_assert(!created);
    ntab_free(t);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("notices");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, smb1_in_use_once_per_pair);
    tcase_add_test(tc, admin_share_access_dollar_shares);
    tcase_add_test(tc, plaintext_password_once_per_account);
    tcase_add_test(tc, brute_force_count_and_window);
    tcase_add_test(tc, brute_force_evidence_bounded);
    tcase_add_test(tc, anonymous_enumeration_needs_an_anonymous_session);
    tcase_add_test(tc, remote_service_and_task);
    tcase_add_test(tc, ms17_010_shapes);
    tcase_add_test(tc, ms17_010_probe_peek_fid_zero);
    tcase_add_test(tc, doublepulsar_ping_and_reply);
    tcase_add_test(tc, state_bounded_evicted_keys_fire_again);
    tcase_add_test(tc, records_without_a_connection_ignored);
    tcase_add_test(tc, table_grows_keeps_values_evicts_lru);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
