/* Unit tests for SMB1 AndX chains: the one walker's rules (smb1_andx.c),
 * offsets that must advance, the --max-andx depth, a command chained after
 * streamed WRITE data, and READ/WRITE on FID 0xFFFF chained after an open
 * (the open's FID, [MS-CIFS] 3.2.4.1.1, 3.3.5.2) in any pieces and cuts.
 * Spec: [MS-CIFS] 2.2.3.4 (batched messages), 2.2.4.41, 2.2.4.64. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smb1_core.h"
#include "smb1_harness.h"

START_TEST(open_and_read_chained_in_one_message)
{
    rig_fill_data();
    struct rig *r = rig_new();
    struct mb q, s;
    size_t at, at2;
    /* request: OPEN_ANDX + READ_ANDX */
    mb_hdr_oem(&q, SMB1_COM_OPEN_ANDX, false, 0, 1, 100, 7);
    mb_open_andx_req(&q, SMB1_COM_READ_ANDX, &at, "\\f.bin");
    mb_set_andx(&q, at, q.n);
    mb_read_andx_req(&q, 0xffff, 0, 100); /* FID unknown yet: the server uses the open's */
    rig_send(r, DIR_C2S, &q, 0, 10);
    /* response: OPEN_ANDX + READ_ANDX with 100 bytes */
    mb_hdr_oem(&s, SMB1_COM_OPEN_ANDX, true, 0, 1, 100, 7);
    mb_open_andx_rsp(&s, SMB1_COM_READ_ANDX, &at2, 0x4000, 100);
    mb_set_andx(&s, at2, s.n);
    mb_read_andx_rsp(&s, RIG_DATA, 100);
    rig_send(r, DIR_S2C, &s, 5, 20);
    rig_end(r);
    ck_assert_msg(strstr(r->log, "{smb command=OPEN_ANDX"), "%s", r->log);
    ck_assert_msg(strstr(r->log, "{smb command=READ_ANDX"), "%s", r->log);
    ck_assert_msg(strstr(r->log, " length=100"), "%s", r->log);
    free(r);
}
END_TEST

START_TEST(a_command_chained_after_streamed_write_data_is_decoded)
{
    rig_fill_data();
    struct rig *r = rig_new();
    struct mb q, s;
    size_t at;
    mb_hdr_oem(&q, SMB1_COM_OPEN_ANDX, false, 0, 1, 100, 1);
    mb_open_andx_req(&q, 0xff, &at, "\\w.bin");
    rig_send(r, DIR_C2S, &q, 0, 10);
    mb_hdr_oem(&s, SMB1_COM_OPEN_ANDX, true, 0, 1, 100, 1);
    mb_open_andx_rsp(&s, 0xff, &at, 0x4001, 0);
    rig_send(r, DIR_S2C, &s, 0, 20);
    /* WRITE_ANDX (500 bytes) + CLOSE placed after the data */
    mb_hdr_oem(&q, SMB1_COM_WRITE_ANDX, false, 0, 1, 100, 2);
    mb_write_andx_req(&q, SMB1_COM_CLOSE, &at, 0x4001, RIG_DATA, 500);
    mb_set_andx(&q, at, q.n);
    mb_wct(&q, 3);
    mb_u16(&q, 0x4001);
    mb_u32(&q, 0);
    mb_bcc(&q);
    mb_end(&q);
    rig_send(r, DIR_C2S, &q, 3, 30);
    mb_hdr_oem(&s, SMB1_COM_WRITE_ANDX, true, 0, 1, 100, 2);
    mb_wct(&s, 6);
    at = mb_andx(&s, SMB1_COM_CLOSE);
    mb_u16(&s, 500); /* Count */
    mb_u16(&s, 0);   /* Available */
    mb_u16(&s, 0);   /* CountHigh */
    mb_u16(&s, 0);   /* Reserved */
    mb_bcc(&s);
    mb_end(&s);
    mb_set_andx(&s, at, s.n);
    mb_wct(&s, 0);
    mb_bcc(&s);
    mb_end(&s);
    rig_send(r, DIR_S2C, &s, 0, 40);
    rig_end(r);
    char want[65], field[160];
    sha256_hex(RIG_DATA, 500, want);
    snprintf(field, sizeof field, "write_ranges=[0,500) sha256=%s complete=1", want);
    ck_assert_msg(strstr(r->log, "{smb command=WRITE_ANDX"), "%s", r->log);
    ck_assert_msg(strstr(r->log, "{smb command=CLOSE code=4 status=STATUS_SUCCESS"), "%s", r->log);
    /* the CLOSE's words were read from after the streamed data, not from the data */
    ck_assert_msg(strstr(r->log, " fid=16385 file=\\w.bin}"), "%s", r->log);
    ck_assert_msg(strstr(r->log, field), "%s", r->log);
    /* the file record follows the CLOSE that ended it */
    ck_assert(strstr(r->log, "{smb command=CLOSE") < strstr(r->log, "{file"));
    free(r);
}
END_TEST

/* --max-andx N follows N commands of a chain, not N-1: OPEN_ANDX + READ_ANDX
 * is whole under a limit of 2 and cut after the OPEN (with an anomaly) under 1 */
START_TEST(andx_depth_limit_counts_commands)
{
    for (unsigned limit = 1; limit <= 2; limit++) {
        struct rig *r = rig_new();
        r->lim.andx_depth = limit;
        struct mb q;
        size_t at;
        mb_hdr_oem(&q, SMB1_COM_OPEN_ANDX, false, 0, 1, 100, 7);
        mb_open_andx_req(&q, SMB1_COM_READ_ANDX, &at, "\\f.bin");
        mb_set_andx(&q, at, q.n);
        mb_read_andx_req(&q, 0xffff, 0, 100);
        rig_send(r, DIR_C2S, &q, 0, 10);
        rig_end(r);
        ck_assert_msg(strstr(r->log, "{smb command=OPEN_ANDX"), "limit %u: %s", limit, r->log);
        if (limit == 2) {
            ck_assert_msg(strstr(r->log, "{smb command=READ_ANDX"), "%s", r->log);
            ck_assert_msg(!strstr(r->log, "andx_too_deep"), "%s", r->log);
        } else {
            ck_assert_msg(!strstr(r->log, "{smb command=READ_ANDX"), "%s", r->log);
            ck_assert_msg(strstr(r->log, "{anomaly name=andx_too_deep"), "%s", r->log);
        }
        free(r);
    }
}
END_TEST

START_TEST(andx_offsets_must_advance)
{
    struct rig *r = rig_new();
    struct mb q;
    size_t at;
    mb_hdr_oem(&q, SMB1_COM_OPEN_ANDX, false, 0, 1, 100, 1);
    mb_open_andx_req(&q, SMB1_COM_OPEN_ANDX, &at, "\\loop");
    mb_set_andx(&q, at, 32); /* points back at itself */
    rig_send(r, DIR_C2S, &q, 0, 10);
    ck_assert_msg(strstr(r->log, "{anomaly name=andx_bad_offset"), "%s", r->log);
    rig_end(r);
    ck_assert_int_eq((int)(strstr(r->log, "{smb command=OPEN_ANDX") != NULL), 1);
    free(r);
}
END_TEST

START_TEST(andx_offset_inside_the_previous_words_is_refused)
{
    struct rig *r = rig_new();
    struct mb q;
    size_t at;
    mb_hdr_oem(&q, SMB1_COM_OPEN_ANDX, false, 0, 1, 100, 1);
    mb_open_andx_req(&q, SMB1_COM_OPEN_ANDX, &at, "\\x");
    mb_set_andx(&q, at, 40); /* after the header but inside this command's own words */
    rig_send(r, DIR_C2S, &q, 0, 10);
    rig_end(r);
    ck_assert_msg(strstr(r->log, "{anomaly name=andx_bad_offset"), "%s", r->log);
    /* one OPEN_ANDX, decoded whole: the bogus second link is not */
    const char *first = strstr(r->log, "{smb command=OPEN_ANDX");
    ck_assert_ptr_nonnull(first);
    ck_assert_ptr_null(strstr(first + 1, "{smb command=OPEN_ANDX"));
    ck_assert_msg(strstr(first, "file=\\x"), "%s", r->log);
    free(r);
}
END_TEST

/* an open chained with a READ_ANDX on FID 0xFFFF, request and response; the
 * response cut at `cut` bytes (m->n: whole) and sent in pieces of `piece` */
static void chained_open_read(struct rig *r, bool nt, size_t piece, size_t cut)
{
    struct mb q, s;
    size_t at, at2;
    mb_hdr_oem(&q, nt ? SMB1_COM_NT_CREATE_ANDX : SMB1_COM_OPEN_ANDX, false, 0, 1, 100, 7);
    if (nt)
        mb_nt_create_req(&q, SMB1_COM_READ_ANDX, &at, "\\f.bin");
    else
        mb_open_andx_req(&q, SMB1_COM_READ_ANDX, &at, "\\f.bin");
    mb_set_andx(&q, at, q.n);
    mb_read_andx_req(&q, 0xffff, 0, 100); /* FID 0xFFFF: the open's */
    rig_send(r, DIR_C2S, &q, 0, 10);
    mb_hdr_oem(&s, nt ? SMB1_COM_NT_CREATE_ANDX : SMB1_COM_OPEN_ANDX, true, 0, 1, 100, 7);
    if (nt)
        mb_nt_create_rsp(&s, SMB1_COM_READ_ANDX, &at2, 0x4000, 100);
    else
        mb_open_andx_rsp(&s, SMB1_COM_READ_ANDX, &at2, 0x4000, 100);
    mb_set_andx(&s, at2, s.n);
    mb_read_andx_rsp(&s, RIG_DATA, 100);
    if (cut >= s.n) {
        rig_send(r, DIR_S2C, &s, piece, 20);
        return;
    }
    smb1_msg_begin(&r->k, DIR_S2C, s.n, 20);
    smb1_msg_data(&r->k, DIR_S2C, s.b, cut, 20);
    smb1_msg_end(&r->k, DIR_S2C, false, 21);
}

START_TEST(chained_read_on_fid_ffff_feeds_the_open)
{
    rig_fill_data();
    char want[65], field[200];
    sha256_hex(RIG_DATA, 100, want);
    size_t pieces[] = {0, 1, 5, 7, 64};
    for (int nt = 0; nt <= 1; nt++) {
        for (size_t i = 0; i < sizeof pieces / sizeof pieces[0]; i++) {
            struct rig *r = rig_new();
            chained_open_read(r, nt, pieces[i], SIZE_MAX);
            /* the READ names the open's FID and file */
            const char *rd = strstr(r->log, "{smb command=READ_ANDX");
            ck_assert_msg(rd && strstr(rd, " fid=16384 file=\\f.bin "), "nt %d piece %zu: %s", nt, pieces[i], r->log);
            rig_end(r);
            /* one file record, the real open's, with the data; no phantom */
            const char *f = strstr(r->log, "{file");
            ck_assert_msg(f && !strstr(f + 1, "{file"), "%s", r->log);
            ck_assert_msg(!strstr(r->log, "fid=65535"), "%s", r->log);
            snprintf(field, sizeof field, "name=\\f.bin share=null kind=file fid=16384 uid=100 tid=1 user=null domain=null size=100 bytes_read=100");
            ck_assert_msg(strstr(f, field), "nt %d piece %zu: %s", nt, pieces[i], r->log);
            snprintf(field, sizeof field, "read_ranges=[0,100) write_ranges= sha256=%s complete=1", want);
            ck_assert_msg(strstr(f, field), "nt %d piece %zu: %s", nt, pieces[i], r->log);
            ck_assert_msg(!strstr(r->log, "fid_reused") && !rig_smb_has(r->log, "partial=1"), "%s", r->log);
            free(r);
        }
    }
}
END_TEST

/* a WRITE chained after an open in one request carries FID 0xFFFF: its data
 * streams before the open has a FID, and the open takes it over when the
 * response names the FID; in any pieces */
START_TEST(chained_write_on_fid_ffff_feeds_the_open)
{
    rig_fill_data();
    char want[65], field[200];
    sha256_hex(RIG_DATA, 100, want);
    size_t pieces[] = {0, 1, 7, 64};
    for (size_t i = 0; i < sizeof pieces / sizeof pieces[0]; i++) {
        struct rig *r = rig_new();
        struct mb q, s;
        size_t at, at2;
        mb_hdr_oem(&q, SMB1_COM_OPEN_ANDX, false, 0, 1, 100, 7);
        mb_open_andx_req(&q, SMB1_COM_WRITE_ANDX, &at, "\\w.bin");
        mb_set_andx(&q, at, q.n);
        mb_write_andx_req(&q, 0xff, &at2, 0xffff, RIG_DATA, 100); /* FID 0xFFFF: the open's */
        rig_send(r, DIR_C2S, &q, pieces[i], 10);
        mb_hdr_oem(&s, SMB1_COM_OPEN_ANDX, true, 0, 1, 100, 7);
        mb_open_andx_rsp(&s, SMB1_COM_WRITE_ANDX, &at, 0x4000, 0);
        mb_set_andx(&s, at, s.n);
        mb_wct(&s, 6);
        mb_andx(&s, 0xff);
        mb_u16(&s, 100);               /* Count */
        mb_u16(&s, 0);                 /* Available */
        mb_u16(&s, 0);                 /* CountHigh */
        mb_u16(&s, 0);                 /* Reserved */
        mb_bcc(&s);
        mb_end(&s);
        rig_send(r, DIR_S2C, &s, 0, 20);
        const char *w = strstr(r->log, "{smb command=WRITE_ANDX");
        ck_assert_msg(w && strstr(w, " fid=16384 file=\\w.bin "), "piece %zu: %s", pieces[i], r->log);
        rig_end(r);
        const char *f = strstr(r->log, "{file");
        ck_assert_msg(f && !strstr(f + 1, "{file"), "%s", r->log);
        snprintf(field, sizeof field, "bytes_written=100 read_ranges= write_ranges=[0,100) sha256=%s complete=1", want);
        ck_assert_msg(strstr(f, field), "piece %zu: %s", pieces[i], r->log);
        free(r);
    }
}
END_TEST

/* the open fails: the chained WRITE's data belongs to no file and is dropped
 * with its request (no leak, no record) */
START_TEST(chained_write_after_a_failed_open_goes_nowhere)
{
    rig_fill_data();
    struct rig *r = rig_new();
    struct mb q, s;
    size_t at, at2;
    mb_hdr_oem(&q, SMB1_COM_OPEN_ANDX, false, 0, 1, 100, 7);
    mb_open_andx_req(&q, SMB1_COM_WRITE_ANDX, &at, "\\w.bin");
    mb_set_andx(&q, at, q.n);
    mb_write_andx_req(&q, 0xff, &at2, 0xffff, RIG_DATA, 100);
    rig_send(r, DIR_C2S, &q, 5, 10);
    mb_hdr_oem(&s, SMB1_COM_OPEN_ANDX, true, 0xc0000022, 1, 100, 7); /* ACCESS_DENIED */
    mb_empty_words(&s);
    rig_send(r, DIR_S2C, &s, 0, 20);
    rig_end(r);
    ck_assert_msg(!strstr(r->log, "{file"), "%s", r->log);
    ck_assert_msg(strstr(r->log, "{smb command=WRITE_ANDX") && strstr(r->log, "executed=0"), "%s", r->log);
    free(r);
}
END_TEST

START_TEST(chained_read_on_fid_ffff_every_truncation)
{
    rig_fill_data();
    for (int nt = 0; nt <= 1; nt++) {
        struct mb s;
        size_t at;
        mb_hdr_oem(&s, SMB1_COM_OPEN_ANDX, true, 0, 1, 100, 7);
        if (nt)
            mb_nt_create_rsp(&s, SMB1_COM_READ_ANDX, &at, 0x4000, 100);
        else
            mb_open_andx_rsp(&s, SMB1_COM_READ_ANDX, &at, 0x4000, 100);
        mb_read_andx_rsp(&s, RIG_DATA, 100);
        for (size_t cut = 0; cut < s.n; cut++) {
            struct rig *r = rig_new();
            chained_open_read(r, nt, 0, cut);
            rig_end(r);
            /* never a phantom open, never more than one file record */
            ck_assert_msg(!strstr(r->log, "fid=65535 uid"), "nt %d cut %zu: %s", nt, cut, r->log);
            const char *f = strstr(r->log, "{file");
            ck_assert_msg(!f || !strstr(f + 1, "{file"), "nt %d cut %zu: %s", nt, cut, r->log);
            if (f)
                ck_assert_msg(strstr(f, "name=\\f.bin") && strstr(f, "complete=0"), "nt %d cut %zu: %s", nt, cut,
                              r->log);
            free(r);
        }
    }
}
END_TEST

/* the one AndX walker: every rule, on a link built the way both callers build it */
START_TEST(andx_walker_rules)
{
    struct mb q;
    size_t at;
    mb_hdr_oem(&q, SMB1_COM_OPEN_ANDX, false, 0, 1, 100, 1);
    mb_open_andx_req(&q, SMB1_COM_READ_ANDX, &at, "\\x");
    size_t first_end = q.n;                   /* the first link ends here */
    mb_read_andx_req(&q, 0x4000, 0, 10);
    struct smb1_msgview mv = smb1_msgview_plain(q.b, q.n);
    struct smb1_hdr h;
    struct rd r = rd_init(q.b, q.n);
    ck_assert(smb1_hdr_parse(&r, &h));
    struct {
        size_t off;
        unsigned depth, max;
        enum smb1_andx_step want;
    } cases[] = {
        {first_end, 0, 16, SMB1_ANDX_NEXT},
        {32 + 1 + 30 + 2, 0, 16, SMB1_ANDX_NEXT},       /* right after its ByteCount: allowed */
        {32, 0, 16, SMB1_ANDX_BAD_OFFSET},              /* back to itself */
        {32 + 1 + 30 + 2 - 1, 0, 16, SMB1_ANDX_BAD_OFFSET}, /* into its own ByteCount */
        {q.n, 0, 16, SMB1_ANDX_BAD_OFFSET},             /* past the message */
        {first_end, 15, 16, SMB1_ANDX_TOO_DEEP},        /* the 17th command */
        {first_end, 14, 16, SMB1_ANDX_NEXT},            /* the 16th is still followed */
        {first_end, 0, 1, SMB1_ANDX_TOO_DEEP},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        mb_set_andx(&q, at, cases[i].off);
        struct smb1_link l = {.h = &h, .depth = cases[i].depth};
        ck_assert(smb1_link_at(&l, &mv, SMB1_COM_OPEN_ANDX, SMB1_HDR_LEN));
        uint8_t next = 0;
        size_t next_at = 0;
        ck_assert_msg(smb1_andx_next(&l, q.n, cases[i].max, &next, &next_at) == cases[i].want, "case %zu", i);
        if (cases[i].want != SMB1_ANDX_TOO_DEEP)
            ck_assert(next == SMB1_COM_READ_ANDX && next_at == cases[i].off);
    }
    /* 0xFF ends the chain; so does a command that is not AndX */
    q.b[at - 2] = SMB1_COM_NO_ANDX_COMMAND;
    struct smb1_link l = {.h = &h};
    ck_assert(smb1_link_at(&l, &mv, SMB1_COM_OPEN_ANDX, SMB1_HDR_LEN));
    uint8_t next;
    size_t next_at;
    ck_assert(smb1_andx_next(&l, q.n, 16, &next, &next_at) == SMB1_ANDX_END);
    q.b[at - 2] = SMB1_COM_READ_ANDX;
    ck_assert(smb1_link_at(&l, &mv, SMB1_COM_ECHO, SMB1_HDR_LEN));
    ck_assert(smb1_andx_next(&l, q.n, 16, &next, &next_at) == SMB1_ANDX_END);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("smb1_chain");
    TCase *tc = tcase_create("chain");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, open_and_read_chained_in_one_message);
    tcase_add_test(tc, a_command_chained_after_streamed_write_data_is_decoded);
    tcase_add_test(tc, andx_offsets_must_advance);
    tcase_add_test(tc, andx_depth_limit_counts_commands);
    tcase_add_test(tc, andx_offset_inside_the_previous_words_is_refused);
    tcase_add_test(tc, chained_read_on_fid_ffff_feeds_the_open);
    tcase_add_test(tc, chained_read_on_fid_ffff_every_truncation);
    tcase_add_test(tc, chained_write_on_fid_ffff_feeds_the_open);
    tcase_add_test(tc, chained_write_after_a_failed_open_goes_nowhere);
    tcase_add_test(tc, andx_walker_rules);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
