/* Unit tests for SMB1 request/response matching (smb1.c, smb1_pending.c):
 * unmatched responses and unanswered requests, the pending_max eviction,
 * interim transaction responses, requests pipelined on one PID/MID, and the
 * links of a chain an error response never reached (executed=0, in order).
 * Spec: [MS-CIFS] 3.2.4.1.4, 3.3.5.2 (matching), 3.3.5.57-59 (interim). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smb1_core.h"
#include "smb1_harness.h"

/* the chain the error cases share: OPEN_ANDX of "\\nope" (TID 1, PID 100,
 * MID 9) with a READ_ANDX of the open's FID chained after it; returns where
 * the READ_ANDX link starts, for a case that chains more after it */
static size_t open_nope_and_read(struct mb *q)
{
    size_t at;
    mb_hdr_oem(q, SMB1_COM_OPEN_ANDX, false, 0, 1, 100, 9);
    mb_open_andx_req(q, SMB1_COM_READ_ANDX, &at, "\\nope");
    mb_set_andx(q, at, q->n);
    size_t rd_at = q->n;
    mb_read_andx_req(q, 0xffff, 0, 100);
    return rd_at;
}

/* the server's answer to it: STATUS_OBJECT_NAME_NOT_FOUND, no words */
static void name_not_found(struct mb *s)
{
    mb_hdr_oem(s, SMB1_COM_OPEN_ANDX, true, 0xc0000034, 1, 100, 9);
    mb_empty_words(s);
}

START_TEST(an_error_stops_the_chain_and_unreached_links_say_so)
{
    struct rig *r = rig_new();
    struct mb q, s;
    open_nope_and_read(&q);
    rig_send(r, DIR_C2S, &q, 0, 10);
    name_not_found(&s);
    rig_send(r, DIR_S2C, &s, 0, 20);
    ck_assert_msg(strstr(r->log, "{smb command=OPEN_ANDX code=45 status=STATUS_OBJECT_NAME_NOT_FOUND"), "%s", r->log);
    ck_assert_msg(strstr(r->log, "file=\\nope"), "%s", r->log);
    ck_assert_msg(strstr(r->log, "{smb command=READ_ANDX code=46 status=null") && strstr(r->log, "executed=0"), "%s",
                  r->log);
    rig_end(r);
    free(r);
}
END_TEST

START_TEST(unmatched_responses_and_unanswered_requests)
{
    struct rig *r = rig_new();
    struct mb q, s;
    mb_hdr_oem(&s, SMB1_COM_CLOSE, true, 0, 1, 100, 40);
    mb_wct(&s, 0);
    mb_bcc(&s);
    mb_end(&s);
    rig_send(r, DIR_S2C, &s, 0, 5);
    ck_assert_msg(strstr(r->log, "{smb command=CLOSE code=4 status=STATUS_SUCCESS") && strstr(r->log, "partial=1"),
                  "%s", r->log);
    mb_hdr_oem(&q, SMB1_COM_ECHO, false, 0, 1, 100, 41);
    mb_wct(&q, 1);
    mb_u16(&q, 1);
    mb_bcc(&q);
    mb_end(&q);
    rig_send(r, DIR_C2S, &q, 0, 6);
    rig_send(r, DIR_C2S, &q, 0, 7); /* the same MID again while the first is unanswered */
    ck_assert_msg(strstr(r->log, "{anomaly name=smb_mid_reused"), "%s", r->log);
    rig_end(r);
    /* both ECHOs end up reported, unanswered */
    const char *p = strstr(r->log, "{smb command=ECHO code=43 status=null");
    ck_assert_msg(p && strstr(p + 1, "{smb command=ECHO code=43 status=null"), "%s", r->log);
    free(r);
}
END_TEST

static void echo(struct rig *r, bool rsp, uint16_t mid, uint64_t ts)
{
    struct mb m;
    mb_hdr_oem(&m, SMB1_COM_ECHO, rsp, 0, 1, 100, mid);
    mb_wct(&m, 1);
    mb_u16(&m, rsp ? 1 : 1); /* EchoCount / SequenceNumber */
    mb_bcc(&m);
    mb_end(&m);
    rig_send(r, rsp ? DIR_S2C : DIR_C2S, &m, 0, ts);
}

START_TEST(pending_table_evicts_the_oldest_and_matches_the_rest)
{
    struct rig *r = rig_new();
    r->lim.pending_max = 256;
    for (uint16_t mid = 0; mid < 300; mid++)
        echo(r, false, mid, 10 + mid);
    ck_assert_uint_eq(r->k.c.n_pending, 256);
    /* the 44 oldest went, in order, unanswered */
    ck_assert_uint_eq(r->k.c.pending->mid, 44);
    ck_assert_ptr_nonnull(strstr(r->log, "pid=4660 mid=0 latency_us=null"));
    ck_assert_ptr_nonnull(strstr(r->log, "pid=4660 mid=43 latency_us=null"));
    ck_assert_ptr_null(strstr(r->log, "pid=4660 mid=44 latency_us=null"));
    ck_assert(strstr(r->log, "mid=0 latency") < strstr(r->log, "mid=43 latency"));
    int records = r->records;
    /* answers in reverse order all find their requests */
    for (int mid = 299; mid >= 44; mid--)
        echo(r, true, (uint16_t)mid, 1000);
    ck_assert_uint_eq(r->k.c.n_pending, 0);
    ck_assert_ptr_null(strstr(r->log, "partial=1"));
    ck_assert_int_eq(r->records - records, 256);
    /* a response for an evicted request is partial, not mismatched */
    echo(r, true, 3, 2000);
    ck_assert_ptr_nonnull(strstr(r->log, "partial=1"));
    rig_end(r);
    free(r);
}
END_TEST

/* a TRANSACTION2 request with no parameters or data, subcommand `sub` */
static void trans2_req(struct rig *r, uint16_t mid, uint16_t sub, uint64_t ts)
{
    struct mb m;
    mb_hdr_oem(&m, SMB1_COM_TRANSACTION2, false, 0, 1, 100, mid);
    mb_wct(&m, 15);
    mb_u16(&m, 0); mb_u16(&m, 2000);   /* TotalParameterCount, TotalDataCount: more to come */
    mb_u16(&m, 10); mb_u16(&m, 100);   /* MaxParameterCount, MaxDataCount */
    mb_u8(&m, 0); mb_u8(&m, 0);        /* MaxSetupCount, Reserved1 */
    mb_u16(&m, 0); mb_u32(&m, 0);      /* Flags, Timeout */
    mb_u16(&m, 0);                    /* Reserved2 */
    mb_u16(&m, 0); mb_u16(&m, 0);      /* ParameterCount, ParameterOffset */
    mb_u16(&m, 0); mb_u16(&m, 0);      /* DataCount, DataOffset */
    mb_u8(&m, 1); mb_u8(&m, 0);        /* SetupCount, Reserved3 */
    mb_u16(&m, sub);                  /* Setup[0]: subcommand */
    mb_bcc(&m);
    mb_end(&m);
    rig_send(r, DIR_C2S, &m, 0, ts);
}

START_TEST(an_interim_transaction_response_is_not_the_answer)
{
    struct rig *r = rig_new();
    trans2_req(r, 9, 0x0008, 10);    /* SET_FILE_INFORMATION, data to follow */
    struct mb m;
    mb_hdr_oem(&m, SMB1_COM_TRANSACTION2, true, 0, 1, 100, 9);
    mb_wct(&m, 0);                    /* interim: success, no words, no bytes */
    mb_bcc(&m);
    mb_end(&m);
    rig_send(r, DIR_S2C, &m, 0, 20);
    ck_assert_int_eq(r->records, 0);
    ck_assert_uint_eq(r->k.c.n_pending, 1);
    mb_hdr_oem(&m, SMB1_COM_TRANSACTION2, true, 0, 1, 100, 9);
    mb_wct(&m, 10);                   /* the final response */
    mb_zero(&m, 20);
    mb_bcc(&m);
    mb_end(&m);
    rig_send(r, DIR_S2C, &m, 0, 30);
    rig_end(r);
    ck_assert_msg(strstr(r->log, "{smb command=TRANSACTION2 code=50 status=STATUS_SUCCESS"), "%s", r->log);
    ck_assert_msg(strstr(r->log, "interim_response=1"), "%s", r->log);
    ck_assert_msg(!strstr(r->log, "partial=1") && !strstr(r->log, "executed=0"), "%s", r->log);
    free(r);
}
END_TEST

/* two transactions pipelined on one MID (exploit traffic does this): each
 * interim response goes to a request that has not had one, so both records
 * say interim_response and both finals are paired in order */
START_TEST(pipelined_transactions_each_get_their_interim_response)
{
    struct rig *r = rig_new();
    trans2_req(r, 9, 0x0008, 10);    /* SET_FILE_INFORMATION, data to follow */
    trans2_req(r, 9, 0x0008, 11);    /* the same MID again, before any answer */
    struct mb m;
    for (int i = 0; i < 2; i++) {
        mb_hdr_oem(&m, SMB1_COM_TRANSACTION2, true, 0, 1, 100, 9);
        mb_wct(&m, 0);                /* interim: success, no words, no bytes */
        mb_bcc(&m);
        mb_end(&m);
        rig_send(r, DIR_S2C, &m, 0, (uint64_t)(20 + i));
    }
    ck_assert_int_eq(r->records - (int)rig_count(r->log, "{anomaly"), 0);
    ck_assert_uint_eq(r->k.c.n_pending, 2);
    for (int i = 0; i < 2; i++) {
        mb_hdr_oem(&m, SMB1_COM_TRANSACTION2, true, 0, 1, 100, 9);
        mb_wct(&m, 10);               /* the final responses */
        mb_zero(&m, 20);
        mb_bcc(&m);
        mb_end(&m);
        rig_send(r, DIR_S2C, &m, 0, (uint64_t)(30 + i));
    }
    rig_end(r);
    ck_assert_int_eq((int)rig_count(r->log, "{smb command=TRANSACTION2 code=50 status=STATUS_SUCCESS"), 2);
    ck_assert_int_eq((int)rig_count(r->log, "interim_response=1"), 2);
    /* each final 20 us after its own request */
    ck_assert_int_eq((int)rig_count(r->log, "latency_us=20 "), 2);
    ck_assert_msg(!strstr(r->log, "partial=1") && !strstr(r->log, "executed=0"), "%s", r->log);
    free(r);
}
END_TEST

START_TEST(pipelined_requests_on_one_mid_each_get_their_response)
{
    struct rig *r = rig_new();
    struct mb m;
    size_t at;
    /* five requests, all MID 0, before any answer */
    mb_hdr_oem(&m, SMB1_COM_CLOSE, false, 0, 1, 100, 0);
    mb_wct(&m, 3);
    mb_u16(&m, 0x4000);                /* FID */
    mb_u32(&m, 0);                     /* LastTimeModified */
    mb_bcc(&m);
    mb_end(&m);
    rig_send(r, DIR_C2S, &m, 0, 10);
    mb_hdr_oem(&m, SMB1_COM_TREE_DISCONNECT, false, 0, 1, 100, 0);
    mb_empty_words(&m);
    rig_send(r, DIR_C2S, &m, 0, 11);
    mb_hdr_oem(&m, SMB1_COM_TREE_CONNECT_ANDX, false, 0, 0xffff, 100, 0);
    mb_wct(&m, 4);
    mb_andx(&m, 0xff);
    mb_u16(&m, 0);                     /* Flags */
    mb_u16(&m, 1);                     /* PasswordLength */
    mb_bcc(&m);
    mb_u8(&m, 0);                      /* Password */
    for (const char *c = "\\\\SRV\\IPC$"; *c; c++)
        mb_u8(&m, (uint8_t)*c);        /* Path */
    mb_u8(&m, 0);
    for (const char *c = "?????"; *c; c++)
        mb_u8(&m, (uint8_t)*c);        /* Service */
    mb_u8(&m, 0);
    mb_end(&m);
    rig_send(r, DIR_C2S, &m, 0, 12);
    mb_hdr_oem(&m, SMB1_COM_NT_CREATE_ANDX, false, 0, 2, 100, 0);
    mb_nt_create_req(&m, 0xff, &at, "\\browser");
    rig_send(r, DIR_C2S, &m, 0, 13);
    mb_hdr_oem(&m, SMB1_COM_NT_TRANSACT, false, 0, 2, 100, 0);
    mb_wct(&m, 19);
    mb_u8(&m, 0);                      /* MaxSetupCount */
    mb_u16(&m, 0);                     /* Reserved1 */
    mb_zero(&m, 4 * 8);                  /* Total/Max/Count/Offset of parameters and data: none */
    mb_u8(&m, 0);                      /* SetupCount */
    mb_u16(&m, 0);                     /* Function */
    mb_bcc(&m);
    mb_end(&m);
    rig_send(r, DIR_C2S, &m, 0, 14);
    ck_assert_uint_eq(r->k.c.n_pending, 5);
    /* reuse is reported, and nothing was dropped for it */
    int reused = 0;
    for (const char *p = r->log; (p = strstr(p, "{anomaly name=smb_mid_reused")); p++)
        reused++;
    ck_assert_int_eq(reused, 4);
    ck_assert_msg(!strstr(r->log, "{smb"), "%s", r->log);

    /* the answers, in order, each 10 us after its request */
    mb_hdr_oem(&m, SMB1_COM_CLOSE, true, 0, 1, 100, 0);
    mb_empty_words(&m);
    rig_send(r, DIR_S2C, &m, 0, 20);
    mb_hdr_oem(&m, SMB1_COM_TREE_DISCONNECT, true, 0, 1, 100, 0);
    mb_empty_words(&m);
    rig_send(r, DIR_S2C, &m, 0, 21);
    mb_hdr_oem(&m, SMB1_COM_TREE_CONNECT_ANDX, true, 0, 2, 100, 0);
    mb_wct(&m, 3);
    mb_andx(&m, 0xff);
    mb_u16(&m, 0);                     /* OptionalSupport */
    mb_bcc(&m);
    for (const char *c = "IPC"; *c; c++)
        mb_u8(&m, (uint8_t)*c);        /* Service */
    mb_u8(&m, 0);
    mb_u8(&m, 0);                      /* NativeFileSystem "" */
    mb_end(&m);
    rig_send(r, DIR_S2C, &m, 0, 22);
    mb_hdr_oem(&m, SMB1_COM_NT_CREATE_ANDX, true, 0, 2, 100, 0);
    mb_nt_create_rsp(&m, 0xff, &at, 0x4001, 0);
    rig_send(r, DIR_S2C, &m, 0, 23);
    mb_hdr_oem(&m, SMB1_COM_NT_TRANSACT, true, 0, 2, 100, 0);
    mb_wct(&m, 18);
    mb_zero(&m, 36);                     /* a final response: no parameters, no data */
    mb_bcc(&m);
    mb_end(&m);
    rig_send(r, DIR_S2C, &m, 0, 24);
    ck_assert_uint_eq(r->k.c.n_pending, 0);
    rig_end(r);
    static const char *const cmds[] = {"CLOSE code=4", "TREE_DISCONNECT code=113", "TREE_CONNECT_ANDX code=117",
                                       "NT_CREATE_ANDX code=162", "NT_TRANSACT code=160"};
    for (size_t i = 0; i < 5; i++) {
        char want[96];
        snprintf(want, sizeof want, "{smb command=%s status=STATUS_SUCCESS", cmds[i]);
        const char *rec = strstr(r->log, want);
        ck_assert_msg(rec, "%s missing: %s", cmds[i], r->log);
        ck_assert_msg(!strstr(rec + 1, want), "%s twice: %s", cmds[i], r->log);
        /* paired with its own request: 10 us */
        const char *end = strchr(rec, '}');
        const char *lat = strstr(rec, " latency_us=10");
        ck_assert_msg(lat && lat < end, "%s: %s", cmds[i], r->log);
    }
    ck_assert_msg(!rig_smb_has(r->log, "partial=1") && !rig_smb_has(r->log, "executed=0") &&
                      !rig_smb_has(r->log, "status=null"),
                  "%s", r->log);
    free(r);
}
END_TEST

/* an error that stops one chain leaves another request on the same MID waiting */
START_TEST(an_error_stops_only_its_own_chain)
{
    struct rig *r = rig_new();
    struct mb q, s;
    open_nope_and_read(&q);
    rig_send(r, DIR_C2S, &q, 0, 10);
    echo(r, false, 9, 11); /* pipelined on the same MID */
    name_not_found(&s);
    rig_send(r, DIR_S2C, &s, 0, 20);
    ck_assert_msg(strstr(r->log, "{smb command=READ_ANDX code=46 status=null") && strstr(r->log, "executed=0"), "%s",
                  r->log);
    ck_assert_msg(!strstr(r->log, "{smb command=ECHO"), "%s", r->log);
    ck_assert_uint_eq(r->k.c.n_pending, 1);
    echo(r, true, 9, 30);
    ck_assert_msg(strstr(r->log, "{smb command=ECHO code=43 status=STATUS_SUCCESS"), "%s", r->log);
    ck_assert_msg(!rig_smb_has(r->log, "partial=1"), "%s", r->log);
    rig_end(r);
    free(r);
}
END_TEST

/* the links an error never reached come out in the order they were sent */
START_TEST(unreached_links_are_reported_in_chain_order)
{
    struct rig *r = rig_new();
    struct mb q, s;
    size_t rd_at = open_nope_and_read(&q);
    q.b[rd_at + 1] = SMB1_COM_CLOSE;     /* READ_ANDX's AndXCommand: a CLOSE follows */
    mb_set_andx(&q, rd_at + 3, q.n);
    mb_wct(&q, 3);
    mb_u16(&q, 0xffff);                /* FID: the open's */
    mb_u32(&q, 0);                     /* LastTimeModified */
    mb_bcc(&q);
    mb_end(&q);
    rig_send(r, DIR_C2S, &q, 0, 10);
    name_not_found(&s);
    rig_send(r, DIR_S2C, &s, 0, 20);
    const char *rd = strstr(r->log, "{smb command=READ_ANDX");
    const char *cl = strstr(r->log, "{smb command=CLOSE");
    ck_assert_msg(rd && cl && rd < cl, "%s", r->log);
    ck_assert_int_eq((int)rig_count(r->log, "executed=0"), 2);
    ck_assert_uint_eq(r->k.c.n_pending, 0);
    rig_end(r);
    free(r);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("smb1_match");
    TCase *tc = tcase_create("match");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, an_error_stops_the_chain_and_unreached_links_say_so);
    tcase_add_test(tc, unmatched_responses_and_unanswered_requests);
    tcase_add_test(tc, an_interim_transaction_response_is_not_the_answer);
    tcase_add_test(tc, pipelined_transactions_each_get_their_interim_response);
    tcase_add_test(tc, pending_table_evicts_the_oldest_and_matches_the_rest);
    tcase_add_test(tc, pipelined_requests_on_one_mid_each_get_their_response);
    tcase_add_test(tc, an_error_stops_only_its_own_chain);
    tcase_add_test(tc, unreached_links_are_reported_in_chain_order);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
