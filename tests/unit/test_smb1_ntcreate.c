/* Unit tests for NT_CREATE_ANDX ([MS-CIFS] 2.2.4.64, [MS-SMB] 2.2.4.9):
 * real exchanges from suricata-verify smb-eicar-file.pcap frames 17-18 and
 * zeek/raw_ntlm_in_smb.pcap frames 28-29 (42-word response), names relative
 * to an open directory, OEM names. Fixtures: smb1_open_fixtures.h; its
 * truncations are in test_smb1_open.c's every_truncation. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smb1_harness.h"
#include "smb1_open_fixtures.h"

START_TEST(nt_create_eicar)
{
    struct th t;
    th_init(&t);
    eicar_tree(&t);
    struct smb1_pending p;
    tx_init(&t, &p);
    th_exchange(&t, &p, NTC_REQ, sizeof NTC_REQ, NTC_RSP, sizeof NTC_RSP);
    ck_assert_str_eq(f_str(&p, "file"), "\\eicar");
    ck_assert_uint_eq(f_uint(&p, "access_mask"), 0x0012019f);
    ck_assert_str_eq(f_str(&p, "disposition"), "overwrite_if");
    ck_assert_uint_eq(f_uint(&p, "create_options"), 0x40);
    ck_assert_uint_eq(f_uint(&p, "fid"), 0x4000);
    ck_assert_uint_eq(f_uint(&p, "size"), 0);
    ck_assert_str_eq(f_str(&p, "create_action"), "created");
    ck_assert(!f_bool(&p, "is_directory"));
    struct smb1_open *o = smb1_open_get(&t.c, 0x4000);
    ck_assert_ptr_nonnull(o);
    ck_assert_str_eq(o->name, "\\eicar");
    ck_assert_str_eq(o->share, "\\\\192.168.1.3\\PUBLIC");
    ck_assert(o->size_known);
    ck_assert_uint_eq(o->uid, 0x0800);
    ck_assert_uint_eq(o->tid, 0x0800);
    tx_free(&p);
    th_end(&t);
}
END_TEST

START_TEST(nt_create_extended_response_pipe)
{
    struct th t;
    th_init(&t);
    th_tree(&t.c, 0x0800, "\\\\192.168.56.101\\IPC$", "IPC");
    struct smb1_pending p;
    tx_init(&t, &p);
    th_exchange(&t, &p, NTC_REQ_PIPE, sizeof NTC_REQ_PIPE, NTC_RSP_PIPE, sizeof NTC_RSP_PIPE);
    ck_assert_str_eq(f_str(&p, "file"), "\\srvsvc"); /* NameLength counted the terminator */
    ck_assert_uint_eq(f_uint(&p, "access_mask"), 0xc0000000);
    ck_assert_str_eq(f_str(&p, "disposition"), "open");
    ck_assert_uint_eq(f_uint(&p, "fid"), 0x4000);
    ck_assert_str_eq(f_str(&p, "create_action"), "opened");
    ck_assert_ptr_nonnull(smb1_open_get(&t.c, 0x4000));
    ck_assert_uint_eq(th_count(&t, "anomaly"), 0);
    tx_free(&p);
    th_end(&t);
}
END_TEST

START_TEST(nt_create_relative_to_directory_and_oem)
{
    struct th t;
    th_init(&t);
    struct smb1_pending p;
    tx_init(&t, &p);
    struct mb q, r;
    /* open the directory first */
    size_t n = ntc_req(&q, true, 0, "\\docs", 0);
    size_t k = ntc_rsp(&r, 0x11, 1, 0, true);
    th_exchange(&t, &p, q.b, n, r.b, k);
    ck_assert(f_bool(&p, "is_directory"));
    ck_assert(!smb1_open_get(&t.c, 0x11)->size_known);
    tx_free(&p);
    /* then a name relative to it (OEM this time; NameLength 0 means "read to the NUL") */
    tx_init(&t, &p);
    n = ntc_req(&q, false, 0x11, "plan.doc", 0);
    k = ntc_rsp(&r, 0x12, 1, 5000000000ull, false);
    th_exchange(&t, &p, q.b, n, r.b, k);
    ck_assert_str_eq(f_str(&p, "file"), "\\docs\\plan.doc");
    ck_assert_uint_eq(f_uint(&p, "size"), 5000000000ull);
    ck_assert_str_eq(smb1_open_get(&t.c, 0x12)->name, "\\docs\\plan.doc");
    tx_free(&p);
    th_end(&t);
    th_cuts(NULL, q.b, n, r.b, k);
}
END_TEST

/* a name relative to an open directory is capped at --max-string bytes of
 * UTF-8 (never splitting a character), with one anomaly per open: a chain of
 * opens each relative to the one before cannot grow names without end */
START_TEST(nt_create_relative_name_capped)
{
    struct th t;
    th_init(&t);
    t.lim.str_max = 32;
    struct smb1_pending p;
    struct mb q, r;
    tx_init(&t, &p);
    size_t n = ntc_req(&q, false, 0, "\\dir", 0);
    size_t k = ntc_rsp(&r, 1, 1, 0, true);
    th_exchange(&t, &p, q.b, n, r.b, k);
    ck_assert_uint_eq(th_count(&t, "anomaly "), 0);
    tx_free(&p);
    /* "\dir\" and 16 e-acute (OEM 0x82, two bytes of UTF-8 each): 37 bytes;
     * 32 would split the 14th, so 31 are kept */
    tx_init(&t, &p);
    n = ntc_req(&q, false, 1, "\x82\x82\x82\x82\x82\x82\x82\x82\x82\x82\x82\x82\x82\x82\x82\x82", 0);
    k = ntc_rsp(&r, 2, 1, 0, true);
    th_exchange(&t, &p, q.b, n, r.b, k);
    const char *f = f_str(&p, "file");
    ck_assert_uint_eq(strlen(f), 31);
    ck_assert_mem_eq(f, "\\dir\\\xc3\xa9", 7);
    ck_assert_str_eq(f + 29, "\xc3\xa9");
    ck_assert_str_eq(smb1_open_get(&t.c, 2)->name, f);
    ck_assert_uint_eq(th_count(&t, "anomaly "), 1);
    ck_assert(th_line_has(&t, "anomaly ", "name=\"smb_name_truncated\""));
    tx_free(&p);
    /* a chain of opens, each relative to the one before */
    for (uint16_t fid = 3; fid < 203; fid++) {
        tx_init(&t, &p);
        n = ntc_req(&q, false, fid - 1u, "sub", 0);
        k = ntc_rsp(&r, fid, 1, 0, true);
        th_exchange(&t, &p, q.b, n, r.b, k);
        ck_assert_uint_le(strlen(f_str(&p, "file")), 32);
        ck_assert_uint_le(strlen(smb1_open_get(&t.c, fid)->name), 32);
        tx_free(&p);
    }
    ck_assert_uint_eq(th_count(&t, "anomaly "), 201);
    ck_assert_uint_eq(th_count(&t, "anomaly "), th_count(&t, "anomaly ts=1000000 name=\"smb_name_truncated\""));
    th_end(&t);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("smb1_ntcreate");
    TCase *tc = tcase_create("nt_create");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, nt_create_eicar);
    tcase_add_test(tc, nt_create_extended_response_pipe);
    tcase_add_test(tc, nt_create_relative_to_directory_and_oem);
    tcase_add_test(tc, nt_create_relative_name_capped);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
