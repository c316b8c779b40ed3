/* Unit tests for DCE/RPC over pipes: the PDU parser ([C706] 12.6, [MS-RPCE]
 * 2.2.2) at every truncation length, and the per-pipe reassembler, contexts and
 * call matching (dcerpc.c): PDUs split across pieces, several PDUs in one
 * piece, multi-fragment calls, gaps and resync, the stub limit. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dcerpc.h"

/* ---- annotated fixtures (little-endian, ASCII: drep 10 00 00 00) ---------- */

/* bind: srvsvc 3.0 as context 0 with the NDR transfer syntax */
static const uint8_t BIND[] = {
    0x05, 0x00, 0x0b, 0x03,                         /* v5.0, bind, FIRST|LAST */
    0x10, 0x00, 0x00, 0x00,                         /* drep: little-endian, ASCII, IEEE */
    0x48, 0x00, 0x00, 0x00,                         /* frag_length 72, auth_length 0 */
    0x01, 0x00, 0x00, 0x00,                         /* call_id 1 */
    0xb8, 0x10, 0xb8, 0x10,                         /* max_xmit_frag, max_recv_frag 4280 */
    0x00, 0x00, 0x00, 0x00,                         /* assoc_group_id 0 */
    0x01, 0x00, 0x00, 0x00,                         /* n_context_elem 1, reserved */
    0x00, 0x00, 0x01, 0x00,                         /* p_cont_id 0, n_transfer_syn 1, reserved */
    0xc8, 0x4f, 0x32, 0x4b, 0x70, 0x16, 0xd3, 0x01, /* abstract syntax 4b324fc8-1670-01d3- */
    0x12, 0x78, 0x5a, 0x47, 0xbf, 0x6e, 0xe1, 0x88, /*   1278-5a47bf6ee188 (srvsvc) */
    0x03, 0x00, 0x00, 0x00,                         /* version 3.0 */
    0x04, 0x5d, 0x88, 0x8a, 0xeb, 0x1c, 0xc9, 0x11, /* transfer syntax 8a885d04-1ceb-11c9- */
    0x9f, 0xe8, 0x08, 0x00, 0x2b, 0x10, 0x48, 0x60, /*   9fe8-08002b104860 (NDR) */
    0x02, 0x00, 0x00, 0x00,                         /* version 2 */
};

/* bind_ack: secondary address \PIPE\srvsvc, one result: accepted */
static const uint8_t BIND_ACK[] = {
    0x05, 0x00, 0x0c, 0x03, 0x10, 0x00, 0x00, 0x00, /* v5.0 bind_ack FIRST|LAST, drep */
    0x44, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, /* frag_length 68, auth 0, call_id 1 */
    0xb8, 0x10, 0xb8, 0x10,                         /* max frags */
    0x17, 0xdd, 0x00, 0x00,                         /* assoc_group_id 0xdd17 */
    0x0d, 0x00,                                     /* sec_addr length 13 */
    '\\', 'P', 'I', 'P', 'E', '\\', 's', 'r', 'v', 's', 'v', 'c', 0x00,
    0x00,                                           /* pad to 4 (offset 40) */
    0x01, 0x00, 0x00, 0x00,                         /* n_results 1, reserved */
    0x00, 0x00, 0x00, 0x00,                         /* result acceptance, reason 0 */
    0x04, 0x5d, 0x88, 0x8a, 0xeb, 0x1c, 0xc9, 0x11, 0x9f, 0xe8, 0x08, 0x00, 0x2b, 0x10, 0x48, 0x60,
    0x02, 0x00, 0x00, 0x00,                         /* the transfer syntax accepted */
};

/* request: call_id 2, context 0, opnum 15, stub of 8 bytes */
static const uint8_t REQ[] = {
    0x05, 0x00, 0x00, 0x03, 0x10, 0x00, 0x00, 0x00, /* v5.0 request FIRST|LAST, drep */
    0x20, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, /* frag_length 32, auth 0, call_id 2 */
    0x08, 0x00, 0x00, 0x00,                         /* alloc_hint 8 */
    0x00, 0x00, 0x0f, 0x00,                         /* p_cont_id 0, opnum 15 */
    0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, /* stub */
};

/* request with PFC_OBJECT_UUID: call_id 3, opnum 15, object, stub of 4 */
static const uint8_t REQ_OBJ[] = {
    0x05, 0x00, 0x00, 0x83, 0x10, 0x00, 0x00, 0x00, /* request, OBJECT_UUID|FIRST|LAST */
    0x2c, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, /* frag_length 44, call_id 3 */
    0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0f, 0x00, /* alloc_hint 4, ctx 0, opnum 15 */
    0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, /* object 04030201-0605-0807- */
    0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10, /*   090a-0b0c0d0e0f10 */
    0xde, 0xad, 0xbe, 0xef,                         /* stub */
};

/* response to call_id 2: stub of 8 ending in the return value 5 */
static const uint8_t RSP[] = {
    0x05, 0x00, 0x02, 0x03, 0x10, 0x00, 0x00, 0x00, /* response FIRST|LAST */
    0x20, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, /* frag_length 32, call_id 2 */
    0x08, 0x00, 0x00, 0x00,                         /* alloc_hint 8 */
    0x00, 0x00, 0x00, 0x00,                         /* p_cont_id 0, cancel_count 0, reserved */
    0xaa, 0xbb, 0xcc, 0xdd, 0x05, 0x00, 0x00, 0x00, /* stub: ..., ERROR_ACCESS_DENIED */
};

/* fault for call_id 2: nca_s_op_rng_error */
static const uint8_t FAULT[] = {
    0x05, 0x00, 0x03, 0x03, 0x10, 0x00, 0x00, 0x00, /* fault FIRST|LAST */
    0x20, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, /* frag_length 32, call_id 2 */
    0x20, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* alloc_hint, ctx 0, cancel 0, reserved */
    0x02, 0x00, 0x01, 0x1c,                         /* status 0x1c010002 */
    0x00, 0x00, 0x00, 0x00,                         /* reserved */
};

/* request with an auth verifier: call_id 4, stub 4 + 4 bytes of padding,
 * sec_trailer (NTLMSSP, integrity, pad 4), 16 bytes of signature */
static const uint8_t REQ_AUTH[] = {
    0x05, 0x00, 0x00, 0x03, 0x10, 0x00, 0x00, 0x00, /* request FIRST|LAST */
    0x38, 0x00, 0x10, 0x00, 0x04, 0x00, 0x00, 0x00, /* frag_length 56, auth_length 16, call_id 4 */
    0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0f, 0x00, /* alloc_hint 4, ctx 0, opnum 15 */
    0xca, 0xfe, 0xf0, 0x0d,                         /* stub */
    0x00, 0x00, 0x00, 0x00,                         /* auth padding */
    0x0a, 0x05, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, /* auth_type 10, level 5, pad 4, reserved, ctx id */
    0x01, 0x00, 0x00, 0x00, 0x11, 0x11, 0x11, 0x11, 0x22, 0x22, 0x22, 0x22, 0x33, 0x33, 0x33, 0x33,
};

/* ---- the parser at every length ------------------------------------------ */

static struct dcerpc_pdu pdu;

static void parse_every_cut(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(!dcerpc_pdu_parse(p, i, &pdu), "parsed %zu of %zu bytes", i, n);
    /* the same bytes with a frag_length that claims only what is there: the
     * body is cut inside the PDU itself; a parse that succeeds keeps its stub
     * inside the fragment */
    uint8_t buf[128];
    ck_assert_uint_le(n, sizeof buf);
    for (size_t i = DCERPC_HDR_LEN; i < n; i++) {
        memcpy(buf, p, i);
        buf[8] = (uint8_t)i;
        buf[9] = 0;
        if (dcerpc_pdu_parse(buf, i, &pdu) && pdu.stub.p) {
            ck_assert(pdu.stub.p >= buf);
            ck_assert_uint_le((size_t)(pdu.stub.p - buf) + pdu.stub.len, i);
        }
    }
    ck_assert(dcerpc_pdu_parse(p, n, &pdu));
}

START_TEST(parse_bind)
{
    parse_every_cut(BIND, sizeof BIND);
    ck_assert_uint_eq(pdu.h.ptype, DCERPC_BIND);
    ck_assert_uint_eq(pdu.h.call_id, 1);
    ck_assert_uint_eq(pdu.max_xmit, 4280);
    ck_assert_uint_eq(pdu.n_ctx, 1);
    ck_assert_uint_eq(pdu.ctx[0].id, 0);
    ck_assert_uint_eq(pdu.ctx[0].ver_major, 3);
    ck_assert_uint_eq(pdu.ctx[0].ver_minor, 0);
    ck_assert_uint_eq(pdu.ctx[0].n_transfer, 1);
    ck_assert_mem_eq(pdu.ctx[0].uuid, BIND + 32, 16);
}
END_TEST

START_TEST(parse_bind_ack)
{
    parse_every_cut(BIND_ACK, sizeof BIND_ACK);
    ck_assert_uint_eq(pdu.h.ptype, DCERPC_BIND_ACK);
    ck_assert_uint_eq(pdu.assoc_group, 0xdd17);
    ck_assert_uint_eq(pdu.n_results, 1);
    ck_assert_uint_eq(pdu.results[0].result, 0);
}
END_TEST

START_TEST(parse_request)
{
    parse_every_cut(REQ, sizeof REQ);
    ck_assert_uint_eq(pdu.h.ptype, DCERPC_REQUEST);
    ck_assert_uint_eq(pdu.h.call_id, 2);
    ck_assert_uint_eq(pdu.opnum, 15);
    ck_assert_uint_eq(pdu.ctx_id, 0);
    ck_assert(!pdu.has_object);
    ck_assert_uint_eq(pdu.stub.len, 8);
    ck_assert_mem_eq(pdu.stub.p, REQ + 24, 8);
}
END_TEST

START_TEST(parse_request_object)
{
    parse_every_cut(REQ_OBJ, sizeof REQ_OBJ);
    ck_assert(pdu.has_object);
    ck_assert_mem_eq(pdu.object, REQ_OBJ + 24, 16);
    ck_assert_uint_eq(pdu.stub.len, 4);
    ck_assert_mem_eq(pdu.stub.p, REQ_OBJ + 40, 4);
}
END_TEST

START_TEST(parse_response_fault)
{
    parse_every_cut(RSP, sizeof RSP);
    ck_assert_uint_eq(pdu.h.ptype, DCERPC_RESPONSE);
    ck_assert_uint_eq(pdu.stub.len, 8);
    ck_assert_mem_eq(pdu.stub.p, RSP + 24, 8);
    parse_every_cut(FAULT, sizeof FAULT);
    ck_assert_uint_eq(pdu.h.ptype, DCERPC_FAULT);
    ck_assert_uint_eq(pdu.status, 0x1c010002);
}
END_TEST

START_TEST(parse_auth_trailer)
{
    parse_every_cut(REQ_AUTH, sizeof REQ_AUTH);
    ck_assert(pdu.has_auth);
    ck_assert_uint_eq(pdu.auth_type, 10);
    ck_assert_uint_eq(pdu.auth_level, 5);
    ck_assert_uint_eq(pdu.auth_pad, 4);
    ck_assert(!pdu.bad_auth_pad);
    ck_assert_uint_eq(pdu.stub.len, 4); /* trailer, signature and padding left out */
    ck_assert_mem_eq(pdu.stub.p, REQ_AUTH + 24, 4);
}
END_TEST

START_TEST(header_plausibility)
{
    struct dcerpc_hdr h;
    uint8_t b[16];
    memcpy(b, REQ, 16);
    struct rd r = rd_init(b, 16);
    ck_assert(dcerpc_hdr_parse(&r, &h));
    b[0] = 4; /* version */
    r = rd_init(b, 16);
    ck_assert(!dcerpc_hdr_parse(&r, &h));
    memcpy(b, REQ, 16);
    b[2] = 1; /* ping: connectionless only */
    r = rd_init(b, 16);
    ck_assert(!dcerpc_hdr_parse(&r, &h));
    memcpy(b, REQ, 16);
    b[8] = 15; /* shorter than a header */
    r = rd_init(b, 16);
    ck_assert(!dcerpc_hdr_parse(&r, &h));
    memcpy(b, REQ_AUTH, 16);
    b[8] = 30; /* too short for its auth verifier */
    r = rd_init(b, 16);
    ck_assert(!dcerpc_hdr_parse(&r, &h));
}
END_TEST

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

int main(void)
{
    Suite *s = suite_create("dcerpc");
    TCase *t = tcase_create("pdu");
    tcase_add_test(t, parse_bind);
    tcase_add_test(t, parse_bind_ack);
    tcase_add_test(t, parse_request);
    tcase_add_test(t, parse_request_object);
    tcase_add_test(t, parse_response_fault);
    tcase_add_test(t, parse_auth_trailer);
    tcase_add_test(t, header_plausibility);
    suite_add_tcase(s, t);
    TCase *p = tcase_create("pipe");
    tcase_add_test(p, split_in_three);
    tcase_add_test(p, two_in_one_piece);
    tcase_add_test(p, multi_fragment_call);
    tcase_add_test(p, gap_then_resync);
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
