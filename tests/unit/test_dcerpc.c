/* Unit tests for DCE/RPC over pipes: the per-pipe reassembler
 * (dcerpc_stream.c), contexts and call matching (dcerpc.c): PDUs split across
 * pieces, several PDUs in one piece, multi-fragment calls, gaps and resync,
 * the stub limit. The PDU parser's tests are in test_dcerpc_pdu.c. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dcerpc.h"
#include "dcerpc_fixtures.h"

/* ---- the per-pipe layer --------------------------------------------------- */

#define MAXREC 32
struct cap {
    struct event ev[MAXREC];
    size_t n;
};

static void cap_emit(void *u, const struct event *e)
{
    struct cap *c = u;
    ck_assert_uint_lt(c->n, MAXREC);
    ev_clone(&c->ev[c->n++], e);
}

struct px {
    struct cap cap;
    struct emitter em;
    struct limits lim;
    struct conn_ref ref;
    struct dcerpc_io io;
    struct dcerpc_pipe *pp;
};

static void px_init(struct px *x)
{
    memset(x, 0, sizeof *x);
    x->em = (struct emitter){cap_emit, &x->cap, NULL};
    x->lim = limits_default();
    strcpy(x->ref.id, "C1");
    x->io = (struct dcerpc_io){&x->ref, &x->em, &x->lim, 1000};
    x->pp = dcerpc_pipe_new("\\srvsvc", 0x4000, "alice", "\\\\SRV\\IPC$");
}

static void px_end(struct px *x)
{
    dcerpc_pipe_end(x->pp, &x->io);
    x->pp = NULL;
}

static void px_free(struct px *x)
{
    if (x->pp)
        px_end(x);
    for (size_t i = 0; i < x->cap.n; i++)
        ev_free(&x->cap.ev[i]);
}

static void put(struct px *x, bool to_server, const uint8_t *p, size_t n)
{
    x->io.ts_us += 100;
    dcerpc_data(x->pp, &x->io, to_server, p, n);
}

/* feed in three pieces (cut at a and b) */
static void put3(struct px *x, bool to_server, const uint8_t *p, size_t n, size_t a, size_t b)
{
    put(x, to_server, p, a);
    put(x, to_server, p + a, b - a);
    put(x, to_server, p + b, n - b);
}

static size_t count(const struct px *x, enum ev_type t, const char *anomaly)
{
    size_t k = 0;
    for (size_t i = 0; i < x->cap.n; i++) {
        if (x->cap.ev[i].type != t)
            continue;
        const struct field *f = anomaly ? ev_find(&x->cap.ev[i], NULL, F(anomaly_name)) : NULL;
        k += !anomaly || (f && strcmp(f->v.s, anomaly) == 0);
    }
    return k;
}

static const struct event *nth(const struct px *x, enum ev_type t, size_t want)
{
    for (size_t i = 0; i < x->cap.n; i++)
        if (x->cap.ev[i].type == t && want-- == 0)
            return &x->cap.ev[i];
    ck_abort_msg("no record %zu of type %d", want, t);
    return NULL;
}

static const char *s_of(const struct event *e, const char *name)
{
    const struct field *f = ev_get(e, NULL, name);
    ck_assert_msg(f && f->kind == F_STR, "%s not a string", name);
    return f->v.s;
}

static uint64_t u_of(const struct event *e, const char *name)
{
    const struct field *f = ev_get(e, NULL, name);
    ck_assert_msg(f && f->kind == F_UINT, "%s not a uint", name);
    return f->v.u;
}

static bool is_null(const struct event *e, const char *name)
{
    const struct field *f = ev_get(e, NULL, name);
    return f && f->kind == F_NULL;
}

static bool b_of(const struct event *e, const char *name)
{
    const struct field *f = ev_get(e, NULL, name);
    ck_assert_msg(f && f->kind == F_BOOL, "%s not a bool", name);
    return f->v.b;
}

START_TEST(split_in_three)
{
    struct px x;
    px_init(&x);
    put3(&x, true, BIND, sizeof BIND, 3, 40);
    put3(&x, false, BIND_ACK, sizeof BIND_ACK, 15, 16);
    put3(&x, true, REQ, sizeof REQ, 1, 31);
    ck_assert_uint_eq(count(&x, EV_DCERPC, NULL), 0);
    put3(&x, false, RSP, sizeof RSP, 16, 17);
    ck_assert_uint_eq(count(&x, EV_DCERPC_BIND, NULL), 1);
    const struct event *b = nth(&x, EV_DCERPC_BIND, 0);
    const struct field *ctx = ev_get(b, NULL, "contexts");
    ck_assert(ctx && ctx->kind == F_STRV && ctx->v.sv.n == 1);
    ck_assert_str_eq(ctx->v.sv.v[0], "0:srvsvc 3.0 accepted");
    ck_assert_uint_eq(u_of(b, "assoc_group"), 0xdd17);
    ck_assert_uint_eq(count(&x, EV_DCERPC, NULL), 1);
    const struct event *e = nth(&x, EV_DCERPC, 0);
    ck_assert_str_eq(s_of(e, "pipe"), "\\srvsvc");
    ck_assert_str_eq(s_of(e, "user"), "alice");
    ck_assert_str_eq(s_of(e, "interface"), "srvsvc");
    ck_assert_str_eq(s_of(e, "interface_uuid"), "4b324fc8-1670-01d3-1278-5a47bf6ee188");
    ck_assert_str_eq(s_of(e, "interface_version"), "3.0");
    ck_assert_uint_eq(u_of(e, "call_id"), 2);
    ck_assert_uint_eq(u_of(e, "opnum"), 15);
    ck_assert_str_eq(s_of(e, "operation"), "NetrShareEnum");
    ck_assert_str_eq(s_of(e, "status"), "ERROR_ACCESS_DENIED");
    ck_assert_uint_eq(u_of(e, "status_code"), 5);
    ck_assert(!b_of(e, "fault"));
    ck_assert_uint_eq(u_of(e, "request_stub_bytes"), 8);
    ck_assert_uint_eq(u_of(e, "response_stub_bytes"), 8);
    ck_assert(!is_null(e, "latency_us"));
    ck_assert_uint_eq(count(&x, EV_ANOMALY, NULL), 0);
    px_free(&x);
}
END_TEST

START_TEST(two_in_one_piece)
{
    struct px x;
    px_init(&x);
    uint8_t two[sizeof BIND + sizeof REQ];
    memcpy(two, BIND, sizeof BIND);
    memcpy(two + sizeof BIND, REQ, sizeof REQ);
    put(&x, true, two, sizeof two);
    uint8_t back[sizeof BIND_ACK + sizeof RSP];
    memcpy(back, BIND_ACK, sizeof BIND_ACK);
    memcpy(back + sizeof BIND_ACK, RSP, sizeof RSP);
    put(&x, false, back, sizeof back);
    ck_assert_uint_eq(count(&x, EV_DCERPC_BIND, NULL), 1);
    ck_assert_uint_eq(count(&x, EV_DCERPC, NULL), 1);
    ck_assert_str_eq(s_of(nth(&x, EV_DCERPC, 0), "operation"), "NetrShareEnum");
    px_free(&x);
}
END_TEST

/* a fragment of REQ / RSP: flags and stub replaced */
static size_t frag(uint8_t *out, const uint8_t *pdu, uint8_t flags, const uint8_t *stub, size_t n)
{
    memcpy(out, pdu, 24);
    out[3] = flags;
    memcpy(out + 24, stub, n);
    out[8] = (uint8_t)(24 + n);
    return 24 + n;
}

START_TEST(multi_fragment_call)
{
    struct px x;
    px_init(&x);
    put(&x, true, BIND, sizeof BIND);
    put(&x, false, BIND_ACK, sizeof BIND_ACK);
    uint8_t f[64], stub[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
    put(&x, true, f, frag(f, REQ, DCERPC_PFC_FIRST_FRAG, stub, 12));
    put(&x, true, f, frag(f, REQ, 0, stub, 8));
    put(&x, true, f, frag(f, REQ, DCERPC_PFC_LAST_FRAG, stub, 4));
    uint8_t rstub[8] = {9, 9, 9, 9, 0, 0, 0, 0};
    put(&x, false, f, frag(f, RSP, DCERPC_PFC_FIRST_FRAG, rstub, 6));
    ck_assert_uint_eq(count(&x, EV_DCERPC, NULL), 0);
    /* the return value straddles the fragments: 00 00 | 00 00 */
    put(&x, false, f, frag(f, RSP, DCERPC_PFC_LAST_FRAG, rstub + 6, 2));
    ck_assert_uint_eq(count(&x, EV_DCERPC, NULL), 1);
    const struct event *e = nth(&x, EV_DCERPC, 0);
    ck_assert_uint_eq(u_of(e, "request_stub_bytes"), 24);
    ck_assert_uint_eq(u_of(e, "response_stub_bytes"), 8);
    ck_assert_str_eq(s_of(e, "status"), "ERROR_SUCCESS");
    ck_assert_uint_eq(u_of(e, "status_code"), 0);
    px_free(&x);
}
END_TEST

START_TEST(gap_then_resync)
{
    struct px x;
    px_init(&x);
    put(&x, true, BIND, sizeof BIND);
    put(&x, false, BIND_ACK, sizeof BIND_ACK);
    /* the request's middle is lost: its call never completes */
    put(&x, true, REQ, 20);
    dcerpc_gap(x.pp, &x.io, true, 10);
    ck_assert_uint_eq(count(&x, EV_ANOMALY, "dcerpc_gap"), 1);
    /* the rest of that PDU, then a whole one (call_id 3) */
    uint8_t next[2 + sizeof REQ];
    memcpy(next, REQ + 30, 2);
    memcpy(next + 2, REQ, sizeof REQ);
    next[2 + 12] = 3;
    put(&x, true, next, sizeof next);
    ck_assert_uint_eq(count(&x, EV_ANOMALY, "dcerpc_resync"), 1);
    uint8_t rsp[sizeof RSP];
    memcpy(rsp, RSP, sizeof rsp);
    rsp[12] = 3;
    put(&x, false, rsp, sizeof rsp);
    ck_assert_uint_eq(count(&x, EV_DCERPC, NULL), 1);
    const struct event *e = nth(&x, EV_DCERPC, 0);
    ck_assert_uint_eq(u_of(e, "call_id"), 3);
    ck_assert_uint_eq(u_of(e, "opnum"), 15);
    /* garbage after good PDUs: one bad-header anomaly, then resync */
    uint8_t junk[5] = {1, 2, 3, 4, 5};
    put(&x, true, junk, sizeof junk);
    put(&x, true, REQ, 16);
    ck_assert_uint_eq(count(&x, EV_ANOMALY, "dcerpc_bad_header"), 1);
    put(&x, true, REQ + 16, sizeof REQ - 16);
    ck_assert_uint_eq(count(&x, EV_ANOMALY, "dcerpc_resync"), 2);
    put(&x, false, RSP, sizeof RSP);
    ck_assert_uint_eq(count(&x, EV_DCERPC, NULL), 2);
    px_free(&x);
}
END_TEST

START_TEST(not_rpc_is_silent)
{
    struct px x;
    px_init(&x);
    const char *text = "C:\\Windows\\system32> whoami\r\nnt authority\\system\r\n";
    put(&x, true, (const uint8_t *)text, strlen(text));
    put(&x, false, (const uint8_t *)text, strlen(text));
    px_end(&x);
    ck_assert_uint_eq(x.cap.n, 0);
    px_free(&x);
}
END_TEST

START_TEST(stub_limit_keeps_status)
{
    struct px x;
    px_init(&x);
    x.lim.dcerpc_stub_max = 3;
    put(&x, true, BIND, sizeof BIND);
    put(&x, false, BIND_ACK, sizeof BIND_ACK);
    put(&x, true, REQ, sizeof REQ);
    put(&x, false, RSP, sizeof RSP);
    const struct event *e = nth(&x, EV_DCERPC, 0);
    ck_assert(b_of(e, "stub_truncated"));
    ck_assert_uint_eq(u_of(e, "response_stub_bytes"), 8);
    ck_assert_uint_eq(u_of(e, "status_code"), 5);
    ck_assert_uint_eq(count(&x, EV_ANOMALY, "dcerpc_stub_limit"), 2);
    px_free(&x);
}
END_TEST

START_TEST(fault_and_partial)
{
    struct px x;
    px_init(&x);
    put(&x, true, BIND, sizeof BIND);
    put(&x, false, BIND_ACK, sizeof BIND_ACK);
    put(&x, true, REQ, sizeof REQ);
    put(&x, false, FAULT, sizeof FAULT);
    const struct event *e = nth(&x, EV_DCERPC, 0);
    ck_assert(b_of(e, "fault"));
    ck_assert_str_eq(s_of(e, "status"), "nca_s_op_rng_error");
    ck_assert_uint_eq(u_of(e, "status_code"), 0x1c010002);
    /* a response whose request was not seen */
    uint8_t rsp[sizeof RSP];
    memcpy(rsp, RSP, sizeof rsp);
    rsp[12] = 9;
    put(&x, false, rsp, sizeof rsp);
    e = nth(&x, EV_DCERPC, 1);
    ck_assert(b_of(e, "partial"));
    ck_assert(is_null(e, "opnum"));
    ck_assert_str_eq(s_of(e, "interface"), "srvsvc");
    ck_assert(is_null(e, "latency_us"));
    px_free(&x);
}
END_TEST

START_TEST(unanswered_at_end)
{
    struct px x;
    px_init(&x);
    put(&x, true, BIND, sizeof BIND);
    put(&x, true, REQ_OBJ, sizeof REQ_OBJ);
    px_end(&x);
    const struct event *b = nth(&x, EV_DCERPC_BIND, 0);
    ck_assert_str_eq(ev_get(b, NULL, "contexts")->v.sv.v[0], "0:srvsvc 3.0 unanswered");
    const struct event *e = nth(&x, EV_DCERPC, 0);
    ck_assert(is_null(e, "status"));
    ck_assert(is_null(e, "response_stub_bytes"));
    ck_assert_str_eq(s_of(e, "object_uuid"), "04030201-0605-0807-090a-0b0c0d0e0f10");
    ck_assert_uint_eq(u_of(e, "request_stub_bytes"), 4);
    px_free(&x);
}
END_TEST

/* the whole exchange cut into two pieces at every point, then stopped at
 * every length: the same records for the former, no crash for the latter */
START_TEST(every_split_and_cut)
{
    uint8_t c2s[sizeof BIND + sizeof REQ], s2c[sizeof BIND_ACK + sizeof RSP];
    memcpy(c2s, BIND, sizeof BIND);
    memcpy(c2s + sizeof BIND, REQ, sizeof REQ);
    memcpy(s2c, BIND_ACK, sizeof BIND_ACK);
    memcpy(s2c + sizeof BIND_ACK, RSP, sizeof RSP);
    for (size_t i = 0; i <= sizeof c2s; i++) {
        struct px x;
        px_init(&x);
        put(&x, true, c2s, i);
        put(&x, true, c2s + i, sizeof c2s - i);
        put(&x, false, s2c, i < sizeof s2c ? i : sizeof s2c);
        if (i < sizeof s2c)
            put(&x, false, s2c + i, sizeof s2c - i);
        ck_assert_uint_eq(count(&x, EV_DCERPC, NULL), 1);
        ck_assert_uint_eq(count(&x, EV_DCERPC_BIND, NULL), 1);
        ck_assert_uint_eq(count(&x, EV_ANOMALY, NULL), 0);
        ck_assert_str_eq(s_of(nth(&x, EV_DCERPC, 0), "status"), "ERROR_ACCESS_DENIED");
        px_free(&x);
    }
    for (size_t i = 0; i < sizeof s2c; i++) {
        struct px x;
        px_init(&x);
        put(&x, true, c2s, sizeof c2s);
        put(&x, false, s2c, i);
        px_end(&x);
        /* the call is reported, answered or not */
        ck_assert_uint_eq(count(&x, EV_DCERPC, NULL), 1);
        px_free(&x);
    }
}
END_TEST

START_TEST(big_endian_not_decoded)
{
    struct px x;
    px_init(&x);
    /* the request in big-endian: drep 00, integers swapped */
    uint8_t be[sizeof REQ];
    memcpy(be, REQ, sizeof be);
    be[4] = 0x00;
    be[8] = 0x00, be[9] = 0x20;                                  /* frag_length 32 */
    be[12] = 0, be[13] = 0, be[14] = 0, be[15] = 2;              /* call_id 2 */
    be[16] = 0, be[17] = 0, be[18] = 0, be[19] = 8;              /* alloc_hint */
    be[22] = 0x00, be[23] = 0x0f;                                /* opnum 15 */
    put(&x, true, be, sizeof be);
    px_end(&x);
    ck_assert_uint_eq(count(&x, EV_ANOMALY, "dcerpc_unsupported_drep"), 1);
    ck_assert_uint_eq(u_of(nth(&x, EV_DCERPC, 0), "opnum"), 15);
    px_free(&x);
}
END_TEST

/* the hunt after garbage counts every byte it skips, 5s (the version byte a
 * header starts with) among them, and finds the PDU after them */
START_TEST(resync_counts_every_skipped_byte)
{
    struct px x;
    px_init(&x);
    put(&x, true, BIND, sizeof BIND);
    put(&x, false, BIND_ACK, sizeof BIND_ACK);
    uint8_t junk[45];
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = i % 7 == 3 ? 5 : (uint8_t)(0x30 + i);
    junk[20] = 5, junk[21] = 0;        /* a version, then not a header */
    put3(&x, true, junk, sizeof junk, 7, 30);
    put3(&x, true, REQ, sizeof REQ, 5, 17);
    ck_assert_uint_eq(count(&x, EV_ANOMALY, "dcerpc_bad_header"), 1);
    ck_assert_uint_eq(count(&x, EV_ANOMALY, "dcerpc_resync"), 1);
    const struct event *a = nth(&x, EV_ANOMALY, 1);
    ck_assert_ptr_nonnull(strstr(s_of(a, "detail"), ": 45 bytes skipped"));
    put(&x, false, RSP, sizeof RSP);
    ck_assert_uint_eq(u_of(nth(&x, EV_DCERPC, 0), "call_id"), 2);
    px_free(&x);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("dcerpc");
    TCase *p = tcase_create("pipe");
    tcase_add_test(p, split_in_three);
    tcase_add_test(p, two_in_one_piece);
    tcase_add_test(p, multi_fragment_call);
    tcase_add_test(p, gap_then_resync);
    tcase_add_test(p, resync_counts_every_skipped_byte);
    tcase_add_test(p, not_rpc_is_silent);
    tcase_add_test(p, stub_limit_keeps_status);
    tcase_add_test(p, fault_and_partial);
    tcase_add_test(p, unanswered_at_end);
    tcase_add_test(p, every_split_and_cut);
    tcase_add_test(p, big_endian_not_decoded);
    suite_add_tcase(s, p);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
