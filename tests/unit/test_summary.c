/* Unit tests for the summary (src/summary.c): sessions joined with the smb
 * records of their UID (failures, signing), files, failures grouped, SRT
 * (min, max, avg over every answered command), the bound (--max-summary:
 * entries past it counted as omitted, never kept), a UID reused after its
 * session ended starting a new entry, and DCE/RPC operations (calls, faults,
 * failures, latency, users and pipes, bounded). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "summary.h"

struct out {
    struct event ev[64];
    size_t n;
};

static void collect(void *u, const struct event *e)
{
    struct out *o = u;
    ck_assert_uint_lt(o->n, 64);
    ev_clone(&o->ev[o->n++], e);
}

static void out_free(struct out *o)
{
    for (size_t i = 0; i < o->n; i++)
        ev_free(&o->ev[i]);
}

static const char *s_of(const struct event *e, const char *name)
{
    const struct field *f = ev_get(e, NULL, name);
    return f && f->kind == F_STR ? f->v.s : NULL;
}

static uint64_t u_of(const struct event *e, const char *name)
{
    const struct field *f = ev_get(e, NULL, name);
    ck_assert_msg(f && (f->kind == F_UINT || f->kind == F_TS), "no %s", name);
    return f->v.u;
}

static bool b_of(const struct event *e, const char *name)
{
    const struct field *f = ev_get(e, NULL, name);
    ck_assert_msg(f && f->kind == F_BOOL, "no %s", name);
    return f->v.b;
}

/* the n-th summary record of a section */
static const struct event *section(const struct out *o, const char *sec, size_t n)
{
    for (size_t i = 0; i < o->n; i++)
        if (strcmp(s_of(&o->ev[i], "section"), sec) == 0 && n-- == 0)
            return &o->ev[i];
    return NULL;
}

static struct conn_ref conn(uint64_t num)
{
    struct conn_ref c = {.num = num, .start_us = 100};
    snprintf(c.id, sizeof c.id, "C%llu", (unsigned long long)num);
    strcpy(c.uid, "CsummaryTest00000");
    strcpy(c.client_ip, "10.0.0.1");
    strcpy(c.server_ip, "10.0.0.2");
    return c;
}

static void smb(struct summary *s, const struct conn_ref *c, uint64_t ts, const char *cmd, unsigned code,
                const char *status, uint64_t status_code, uint64_t uid, int64_t latency, bool sig, const char *file)
{
    struct event e;
    ev_init(&e, EV_SMB, ts, c);
    ev_str(&e, F(command), cmd);
    ev_uint(&e, F(code), code);
    ev_str(&e, F(status), status);
    if (status)
        ev_uint(&e, F(status_code), status_code);
    else
        ev_null(&e, F(status_code));
    ev_uint(&e, F(uid), uid);
    if (latency >= 0)
        ev_uint(&e, F(latency_us), (uint64_t)latency);
    else
        ev_null(&e, F(latency_us));
    if (sig)
        ev_bool(&e, F(signed), true);
    ev_str(&e, F(user), "eve");
    ev_str(&e, F(share), "\\\\S\\x");
    if (file)
        ev_str(&e, F(file), file);
    summary_feed(s, &e);
    ev_free(&e);
}

static void session(struct summary *s, const struct conn_ref *c, uint64_t ts, uint64_t start, uint64_t uid,
                    const char *auth, const char *status, size_t n_shares)
{
    struct event e;
    ev_init(&e, EV_SESSION, ts, c);
    ev_ts(&e, F(start), start);
    ev_uint(&e, F(uid), uid);
    ev_str(&e, F(user), "eve");
    ev_str(&e, F(domain), "D");
    ev_null(&e, F(host));
    ev_str(&e, F(auth), auth);
    ev_str(&e, F(status), status);
    const char *sh[12] = {"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l"};
    fs_strv(&e, NULL, F(shares), sh, n_shares);
    ev_bool(&e, F(guest), false);
    summary_feed(s, &e);
    ev_free(&e);
}

static void file(struct summary *s, const struct conn_ref *c, uint64_t ts, const char *name, const char *sha)
{
    struct event e;
    ev_init(&e, EV_FILE, ts, c);
    ev_ts(&e, F(start), ts - 10);
    ev_str(&e, F(name), name);
    ev_str(&e, F(share), "\\\\S\\x");
    ev_str(&e, F(kind), "file");
    ev_str(&e, F(user), "eve");
    ev_str(&e, F(domain), "D");
    ev_uint(&e, F(bytes_read), 7);
    ev_uint(&e, F(bytes_written), 3);
    ev_str(&e, F(sha256), sha);
    if (!sha)
        ev_str(&e, F(no_hash_reason), "incomplete");
    summary_feed(s, &e);
    ev_free(&e);
}

START_TEST(sessions_files_failures_srt)
{
    struct summary *s = summary_new(100);
    ck_assert_ptr_nonnull(s);
    struct conn_ref c1 = conn(1);
    smb(s, &c1, 110, "NEGOTIATE", 0x72, "STATUS_SUCCESS", 0, 0, 500, false, NULL);
    smb(s, &c1, 120, "SESSION_SETUP_ANDX", 0x73, "STATUS_LOGON_FAILURE", 0xc000006d, 0, 100, false, NULL);
    session(s, &c1, 121, 120, 0, "ntlmv2", "STATUS_LOGON_FAILURE", 0);
    smb(s, &c1, 130, "SESSION_SETUP_ANDX", 0x73, "STATUS_MORE_PROCESSING_REQUIRED", 0xc0000016, 7, 300, false, NULL);
    smb(s, &c1, 131, "SESSION_SETUP_ANDX", 0x73, "STATUS_SUCCESS", 0, 7, 200, true, NULL);
    /* two access denials on one file, one on another; a warning is no failure */
    smb(s, &c1, 140, "NT_CREATE_ANDX", 0xa2, "STATUS_ACCESS_DENIED", 0xc0000022, 7, 10, true, "\\f");
    smb(s, &c1, 150, "NT_CREATE_ANDX", 0xa2, "STATUS_ACCESS_DENIED", 0xc0000022, 7, 30, true, "\\f");
    smb(s, &c1, 151, "OPEN_ANDX", 0x2d, "ERRDOS/ERRnoaccess", 0x00050001, 7, 20, true, "\\g");
    smb(s, &c1, 152, "TRANSACTION2", 0x32, "STATUS_NO_MORE_FILES", 0x80000006, 7, 40, true, NULL);
    smb(s, &c1, 153, "READ_ANDX", 0x2e, "ERRDOS/ERRbadfid", 0x00060001, 7, 5, true, NULL);   /* a failure, not access */
    smb(s, &c1, 154, "CLOSE", 0x04, NULL, 0, 7, -1, true, NULL);                            /* unanswered: no SRT */
    file(s, &c1, 160, "\\f", NULL);
    file(s, &c1, 161, "\\h", "ab");
    session(s, &c1, 170, 130, 7, "ntlmssp-anonymous", "STATUS_SUCCESS", 10);
    struct out o = {0};
    summary_write(s, 999, collect, &o);
    summary_free(s);

    const struct event *t = section(&o, "totals", 0);
    ck_assert_ptr_eq(t, &o.ev[0]);
    ck_assert_uint_eq(u_of(t, "sessions"), 2);
    ck_assert_uint_eq(u_of(t, "files_listed"), 2);
    ck_assert_uint_eq(u_of(t, "logon_failures"), 1);
    ck_assert_uint_eq(u_of(t, "access_denied"), 3);
    ck_assert_uint_eq(u_of(t, "srt_commands"), 6);   /* not the unanswered CLOSE */
    ck_assert_uint_eq(u_of(t, "sessions_omitted") + u_of(t, "files_omitted") + u_of(t, "failures_omitted"), 0);

    const struct event *s0 = section(&o, "session", 0), *s1 = section(&o, "session", 1);
    ck_assert_uint_eq(u_of(s0, "uid"), 0);
    ck_assert_uint_eq(u_of(s0, "failures"), 1);
    ck_assert(!b_of(s0, "signing"));
    ck_assert_str_eq(s_of(s0, "status"), "STATUS_LOGON_FAILURE");
    ck_assert_uint_eq(u_of(s1, "uid"), 7);
    ck_assert_uint_eq(u_of(s1, "start"), 130);
    ck_assert(b_of(s1, "signing"));
    ck_assert(b_of(s1, "anonymous"));
    ck_assert_uint_eq(u_of(s1, "failures"), 4);   /* 3 denials and the bad FID; not the warning */
    const struct field *sh = ev_get(s1, NULL, "shares");
    ck_assert_uint_eq(sh->v.sv.n, SUMMARY_MAX_SHARES);
    ck_assert_uint_eq(u_of(s1, "shares_omitted"), 10 - SUMMARY_MAX_SHARES);
    ck_assert_ptr_null(section(&o, "session", 2));

    const struct event *f0 = section(&o, "file", 0), *f1 = section(&o, "file", 1);
    ck_assert_str_eq(s_of(f0, "name"), "\\f");
    ck_assert_str_eq(s_of(f0, "no_hash_reason"), "incomplete");
    ck_assert_uint_eq(u_of(f0, "start"), 150);
    ck_assert_uint_eq(u_of(f0, "end"), 160);
    ck_assert_uint_eq(u_of(f0, "bytes_read"), 7);
    ck_assert_uint_eq(u_of(f0, "bytes_written"), 3);
    ck_assert_str_eq(s_of(f1, "sha256"), "ab");
    ck_assert_ptr_null(ev_get(f1, NULL, "no_hash_reason"));

    const struct event *x0 = section(&o, "failure", 0), *x1 = section(&o, "failure", 1),
                       *x2 = section(&o, "failure", 2);
    ck_assert_str_eq(s_of(x0, "failure"), "logon_failed");
    ck_assert_uint_eq(u_of(x0, "count"), 1);
    ck_assert_str_eq(s_of(x1, "failure"), "access_denied");
    ck_assert_str_eq(s_of(x1, "target"), "\\f");
    ck_assert_uint_eq(u_of(x1, "count"), 2);
    ck_assert_uint_eq(u_of(x1, "first"), 140);
    ck_assert_uint_eq(u_of(x1, "last"), 150);
    ck_assert_str_eq(s_of(x2, "status"), "ERRDOS/ERRnoaccess");
    ck_assert_ptr_null(section(&o, "failure", 3));

    /* SRT in code order; NT_CREATE_ANDX: 10 and 30 -> min 10, max 30, avg 20 */
    const struct event *r;
    for (size_t i = 0; (r = section(&o, "srt", i)); i++) {
        if (u_of(r, "code") == 0xa2) {
            ck_assert_uint_eq(u_of(r, "calls"), 2);
            ck_assert_uint_eq(u_of(r, "min_us"), 10);
            ck_assert_uint_eq(u_of(r, "max_us"), 30);
            ck_assert_uint_eq(u_of(r, "avg_us"), 20);
        }
        if (u_of(r, "code") == 0x73) {   /* every round of the logon counts */
            ck_assert_uint_eq(u_of(r, "calls"), 3);
            ck_assert_uint_eq(u_of(r, "min_us"), 100);
            ck_assert_uint_eq(u_of(r, "max_us"), 300);
            ck_assert_uint_eq(u_of(r, "total_us"), 600);
        }
        ck_assert_uint_ne(u_of(r, "code"), 0x04);
        if (i)
            ck_assert_uint_gt(u_of(r, "code"), u_of(section(&o, "srt", i - 1), "code"));
    }
    out_free(&o);
}
END_TEST

/* a dcerpc record; NULL strings and negative numbers are written as null */
static void rpc(struct summary *s, const struct conn_ref *c, const char *iface, const char *op, int64_t opnum,
                bool fault, int64_t status_code, int64_t latency, const char *user, const char *pipe)
{
    struct event e;
    ev_init(&e, EV_DCERPC, 500, c);
    if (user)
        ev_str(&e, F(user), user);
    ev_str(&e, F(pipe), pipe);
    ev_str(&e, F(interface), iface);
    if (opnum >= 0)
        ev_uint(&e, F(opnum), (uint64_t)opnum);
    else
        ev_null(&e, F(opnum));
    ev_str(&e, F(operation), op);
    if (status_code >= 0)
        ev_uint(&e, F(status_code), (uint64_t)status_code);
    else
        ev_null(&e, F(status_code));
    ev_bool(&e, F(fault), fault);
    if (latency >= 0)
        ev_uint(&e, F(latency_us), (uint64_t)latency);
    else
        ev_null(&e, F(latency_us));
    summary_feed(s, &e);
    ev_free(&e);
}

static bool strv_is(const struct event *e, const char *name, const char *const *want, size_t n)
{
    const struct field *f = ev_get(e, NULL, name);
    if (!f || f->kind != F_STRV || f->v.sv.n != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (strcmp(f->v.sv.v[i], want[i]) != 0)
            return false;
    return true;
}

static bool is_null(const struct event *e, const char *name)
{
    const struct field *f = ev_get(e, NULL, name);
    return f && f->kind == F_NULL;
}

START_TEST(dcerpc_operations)
{
    struct summary *s = summary_new(4);
    struct conn_ref c1 = conn(1), c2 = conn(2);
    /* CreateServiceW on two connections: one fault (status 5, access denied), one
     * ERROR_SERVICE_EXISTS (0x431: a failure), one success, one unanswered (no status, no latency) */
    rpc(s, &c1, "svcctl", "CreateServiceW", 12, true, 5, 40, "u0", "\\svcctl");
    rpc(s, &c1, "svcctl", "CreateServiceW", 12, false, 0x431, 10, "u0", "\\svcctl");
    rpc(s, &c2, "svcctl", "CreateServiceW", 12, false, 0, 25, "u1", "\\ntsvcs");
    rpc(s, &c2, "svcctl", "CreateServiceW", 12, false, -1, -1, NULL, NULL);
    /* an operation not named (interface known by UUID only) and one whose request was not seen */
    rpc(s, &c1, "12345678-1234-abcd-ef00-0123456789ab", NULL, 3, false, 0, -1, "u0", "\\x");
    rpc(s, &c1, "samr", NULL, -1, false, 0, 7, "u0", "\\samr");
    rpc(s, &c1, "samr", NULL, 0, false, 0, 7, "u0", "\\samr");   /* opnum 0 is not an unknown opnum */
    /* the fifth operation: past --max-summary 4, counted */
    rpc(s, &c1, "winreg", "OpenLocalMachine", 2, false, 0, 1, "u0", "\\winreg");
    rpc(s, &c1, "winreg", "OpenLocalMachine", 2, false, 0, 1, "u0", "\\winreg");
    /* more users than listed on the unnamed operation: 10 distinct, 8 kept, calls of the 2 others counted */
    for (int i = 0; i < 11; i++) {
        char user[8];
        snprintf(user, sizeof user, "v%d", i % 10);
        rpc(s, &c1, "12345678-1234-abcd-ef00-0123456789ab", NULL, 3, false, 0, -1, user, "\\x");
    }
    struct out o = {0};
    summary_write(s, 999, collect, &o);
    summary_free(s);

    const struct event *t = section(&o, "totals", 0);
    ck_assert_uint_eq(u_of(t, "dcerpc_ops"), 4);
    ck_assert_uint_eq(u_of(t, "dcerpc_omitted"), 2);

    const struct event *a = section(&o, "dcerpc", 0), *b = section(&o, "dcerpc", 1), *c = section(&o, "dcerpc", 2);
    ck_assert_ptr_null(section(&o, "dcerpc", 4));
    ck_assert_ptr_null(a->conn);   /* run-wide */
    ck_assert_str_eq(s_of(a, "interface"), "svcctl");
    ck_assert_str_eq(s_of(a, "operation"), "CreateServiceW");
    ck_assert_uint_eq(u_of(a, "opnum"), 12);
    ck_assert_uint_eq(u_of(a, "calls"), 4);
    ck_assert_uint_eq(u_of(a, "faults"), 1);
    ck_assert_uint_eq(u_of(a, "failures"), 1);   /* not the fault's status, not the unanswered call */
    ck_assert_uint_eq(u_of(a, "timed"), 3);
    ck_assert_uint_eq(u_of(a, "min_us"), 10);
    ck_assert_uint_eq(u_of(a, "max_us"), 40);
    ck_assert_uint_eq(u_of(a, "avg_us"), 25);
    ck_assert_uint_eq(u_of(a, "total_us"), 75);
    const char *const users_a[] = {"u0", "u1"}, *const pipes_a[] = {"\\svcctl", "\\ntsvcs"};
    ck_assert(strv_is(a, "users", users_a, 2));   /* the null user neither listed nor counted */
    ck_assert(strv_is(a, "pipes", pipes_a, 2));
    ck_assert_ptr_null(ev_get(a, NULL, "users_omitted"));
    ck_assert_ptr_null(ev_get(a, NULL, "pipes_omitted"));

    ck_assert(is_null(b, "operation"));
    ck_assert_uint_eq(u_of(b, "opnum"), 3);
    ck_assert_uint_eq(u_of(b, "calls"), 12);
    ck_assert_uint_eq(u_of(b, "timed"), 0);
    ck_assert(is_null(b, "min_us") && is_null(b, "max_us") && is_null(b, "avg_us") && is_null(b, "total_us"));
    const char *const users_b[] = {"u0", "v0", "v1", "v2", "v3", "v4", "v5", "v6"};
    ck_assert(strv_is(b, "users", users_b, SUMMARY_MAX_NAMES));
    ck_assert_uint_eq(u_of(b, "users_omitted"), 3);   /* v7, v8, v9: one call each */

    ck_assert_str_eq(s_of(c, "interface"), "samr");
    ck_assert(is_null(c, "opnum"));
    ck_assert_uint_eq(u_of(c, "calls"), 1);
    ck_assert_uint_eq(u_of(c, "avg_us"), 7);
    const struct event *d = section(&o, "dcerpc", 3);
    ck_assert_uint_eq(u_of(d, "opnum"), 0);
    ck_assert_uint_eq(u_of(d, "calls"), 1);
    out_free(&o);
}
END_TEST

START_TEST(bounded_and_counted)
{
    struct summary *s = summary_new(2);
    struct conn_ref c1 = conn(1), c2 = conn(2);
    for (int i = 0; i < 5; i++)
        file(s, &c1, 200 + (uint64_t)i, "\\x", NULL);
    for (uint64_t uid = 1; uid <= 4; uid++)
        session(s, &c2, 300, 290, uid, "ntlmv2", "STATUS_SUCCESS", 1);
    for (int i = 0; i < 6; i++) {
        char name[8];
        snprintf(name, sizeof name, "\\%d", i % 3);   /* three distinct targets, twice each */
        smb(s, &c1, 400 + (uint64_t)i, "OPEN_ANDX", 0x2d, "STATUS_ACCESS_DENIED", 0xc0000022, 0, 1, false, name);
    }
    struct out o = {0};
    summary_write(s, 999, collect, &o);
    summary_free(s);
    const struct event *t = section(&o, "totals", 0);
    ck_assert_uint_eq(u_of(t, "files_listed"), 2);
    ck_assert_uint_eq(u_of(t, "files_omitted"), 3);
    ck_assert_uint_eq(u_of(t, "sessions"), 2);
    ck_assert_uint_eq(u_of(t, "sessions_omitted"), 2);
    ck_assert_uint_eq(u_of(t, "access_denied"), 4);     /* in the two groups kept */
    ck_assert_uint_eq(u_of(t, "failures_omitted"), 2);  /* the third target's two */
    ck_assert_ptr_null(section(&o, "file", 2));
    ck_assert_ptr_null(section(&o, "failure", 2));
    out_free(&o);
}
END_TEST

START_TEST(uid_reused_after_logoff_is_a_new_session)
{
    struct summary *s = summary_new(10);
    struct conn_ref c1 = conn(1);
    smb(s, &c1, 110, "ECHO", 0x2b, "STATUS_ACCESS_DENIED", 0xc0000022, 5, 1, false, NULL);
    session(s, &c1, 120, 100, 5, "ntlmv2", "STATUS_SUCCESS", 0);
    smb(s, &c1, 130, "ECHO", 0x2b, "STATUS_SUCCESS", 0, 5, 1, true, NULL);
    session(s, &c1, 140, 125, 5, "ntlmv2", "STATUS_SUCCESS", 0);
    struct out o = {0};
    summary_write(s, 999, collect, &o);
    summary_free(s);
    const struct event *a = section(&o, "session", 0), *b = section(&o, "session", 1);
    ck_assert_uint_eq(u_of(a, "failures"), 1);
    ck_assert(!b_of(a, "signing"));
    ck_assert_uint_eq(u_of(b, "failures"), 0);
    ck_assert(b_of(b, "signing"));
    ck_assert_uint_eq(u_of(b, "start"), 125);
    out_free(&o);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("summary");
    TCase *tc = tcase_create("summary");
    tcase_add_test(tc, sessions_files_failures_srt);
    tcase_add_test(tc, bounded_and_counted);
    tcase_add_test(tc, uid_reused_after_logoff_is_a_new_session);
    tcase_add_test(tc, dcerpc_operations);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
