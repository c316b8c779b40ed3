/* Unit tests for the DCE/RPC PDU parser (dcerpc_pdu.c, [C706] 12.6,
 * [MS-RPCE] 2.2.2): every PDU type at every truncation length, the header's
 * plausibility test (the resync test) and lying counts and lengths. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "dcerpc.h"
#include "dcerpc_fixtures.h"

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

/* counts and lengths from the wire that claim more than the PDU holds: the
 * parse fails (nothing is used) or, for the auth padding, the stub is empty;
 * alloc_hint is only a hint: the stub is what the fragment carries */
START_TEST(lying_counts_and_lengths)
{
    uint8_t b[128];
    memcpy(b, BIND, sizeof BIND);
    b[24] = 2;                         /* n_context_elem 2, one there */
    ck_assert(!dcerpc_pdu_parse(b, sizeof BIND, &pdu));
    b[24] = 255;
    ck_assert(!dcerpc_pdu_parse(b, sizeof BIND, &pdu));
    memcpy(b, BIND, sizeof BIND);
    b[30] = 255;                       /* n_transfer_syn 255, one there */
    ck_assert(!dcerpc_pdu_parse(b, sizeof BIND, &pdu));

    memcpy(b, BIND_ACK, sizeof BIND_ACK);
    b[24] = 0xff, b[25] = 0xff;        /* sec_addr length 65535 */
    ck_assert(!dcerpc_pdu_parse(b, sizeof BIND_ACK, &pdu));
    memcpy(b, BIND_ACK, sizeof BIND_ACK);
    b[40] = 255;                       /* n_results 255, one there */
    ck_assert(!dcerpc_pdu_parse(b, sizeof BIND_ACK, &pdu));

    memcpy(b, REQ_AUTH, sizeof REQ_AUTH);
    b[34] = 200;                       /* auth_pad_length 200, the body holds 8 */
    ck_assert(dcerpc_pdu_parse(b, sizeof REQ_AUTH, &pdu));
    ck_assert(pdu.bad_auth_pad);
    ck_assert_uint_eq(pdu.stub.len, 0);

    memcpy(b, REQ, sizeof REQ);
    b[16] = b[17] = b[18] = b[19] = 0xff;  /* alloc_hint 4 GiB */
    ck_assert(dcerpc_pdu_parse(b, sizeof REQ, &pdu));
    ck_assert_uint_eq(pdu.alloc_hint, 0xffffffffu);
    ck_assert_uint_eq(pdu.stub.len, 8);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("dcerpc_pdu");
    TCase *t = tcase_create("pdu");
    tcase_add_test(t, parse_bind);
    tcase_add_test(t, parse_bind_ack);
    tcase_add_test(t, parse_request);
    tcase_add_test(t, parse_request_object);
    tcase_add_test(t, parse_response_fault);
    tcase_add_test(t, parse_auth_trailer);
    tcase_add_test(t, header_plausibility);
    tcase_add_test(t, lying_counts_and_lengths);
    suite_add_tcase(s, t);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
