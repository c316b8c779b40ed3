/* Unit tests for the per-connection state (smb1_state.c): sessions, trees,
 * opens, the `file` and `session` records, the open-files limit and the
 * order records come out in at connection end. Spec context: [MS-CIFS]
 * 3.3.1 (the tables a server keeps), 2.2.4.5 (CLOSE), 2.2.4.54 (LOGOFF). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "smb1_harness.h"


START_TEST(open_close_file_record)
{
    struct th t;
    th_init(&t);
    struct smb1_tree *tr = smb1_tree_get(&t.c, 5, true);
    tr->path = strdup("\\\\FS1\\projects");
    struct smb1_open *o = smb1_open_add(&t.c, 0x4001, 0x0800, 5, "\\plan.txt", 1234);
    ck_assert_ptr_nonnull(o);
    ck_assert_uint_eq(t.c.n_opens, 1);
    ck_assert_str_eq(o->share, "\\\\FS1\\projects");
    o->size_known = true;
    o->size = 10;
    file_set_size(o->ft, 10);
    file_data(o->ft, FILE_READ, 0, (const uint8_t *)"0123456789", 10);
    file_data(o->ft, FILE_WRITE, 4, (const uint8_t *)"xy", 2);
    /* the session behind the open was never seen: a partial one lists it */
    struct smb1_session *s = smb1_session_get(&t.c, 0x0800, false, 0);
    ck_assert_ptr_nonnull(s);
    ck_assert(s->partial);
    ck_assert_uint_eq(s->ts_us, 1234);
    ck_assert_str_eq(s->files.v[0], "\\plan.txt");
    ck_assert_str_eq(s->shares.v[0], "\\\\FS1\\projects");

    smb1_open_close(&t.c, 0x4001, 5000);
    ck_assert_uint_eq(t.c.n_opens, 0);
    ck_assert_ptr_null(smb1_open_get(&t.c, 0x4001));
    ck_assert_uint_eq(t.n_out, 1);
    ck_assert_str_eq(t.out[0], "file ts=5000 start=@1234 name=\"\\plan.txt\" share=\"\\\\FS1\\projects\" kind=\"file\" "
                               "fid=16385 uid=2048 tid=5 user=null domain=null size=10 bytes_read=10 bytes_written=2 read_ranges=[0-10] "
                               "write_ranges=[4-6] sha256=null complete=false partial=false "
                               "no_hash_reason=\"overlap_conflict\""); /* the write changed bytes 4-6 */
    /* closing an unknown FID does nothing */
    smb1_open_close(&t.c, 0x4001, 5001);
    ck_assert_uint_eq(t.n_out, 1);
    th_end(&t);
}
END_TEST

START_TEST(partial_open_has_null_name_and_size)
{
    struct th t;
    th_init(&t);
    smb1_open_add(&t.c, 7, 1, 2, NULL, 10);
    smb1_open_close(&t.c, 7, 20);
    const char *rec = th_find(&t, "file ");
    ck_assert_ptr_nonnull(rec);
    ck_assert(strstr(rec, " name=null share=null ") != NULL);
    ck_assert(strstr(rec, " size=null ") != NULL);
    ck_assert(strstr(rec, " partial=true ") != NULL);
    /* no name: the session's file list stays empty */
    ck_assert_uint_eq(smb1_session_get(&t.c, 1, false, 0)->files.n, 0);
    th_end(&t);
}
END_TEST

START_TEST(open_files_limit)
{
    struct th t;
    th_init(&t);
    t.lim.files_max = 2;
    ck_assert_ptr_nonnull(smb1_open_add(&t.c, 1, 1, 1, "\\a", 1));
    ck_assert_ptr_nonnull(smb1_open_add(&t.c, 2, 1, 1, "\\b", 2));
    ck_assert_ptr_null(smb1_open_add(&t.c, 3, 1, 1, "\\c", 3));
    ck_assert_uint_eq(t.c.n_opens, 2);
    ck_assert(th_line_has(&t, "anomaly ", "name=\"open_files_limit\""));
    ck_assert_ptr_null(smb1_open_get(&t.c, 3));
    /* room again once one closes */
    smb1_open_close(&t.c, 1, 4);
    ck_assert_ptr_nonnull(smb1_open_add(&t.c, 3, 1, 1, "\\c", 5));
    /* sessions and trees have bounds of their own (--max-sessions, --max-trees) */
    t.lim.sessions_max = 2;
    t.lim.trees_max = 2;
    ck_assert_ptr_nonnull(smb1_session_get(&t.c, 2, true, 6));
    ck_assert_ptr_null(smb1_session_get(&t.c, 3, true, 6));
    ck_assert(th_line_has(&t, "anomaly ", "name=\"session_limit\""));
    ck_assert_ptr_nonnull(smb1_tree_get(&t.c, 1, true));
    ck_assert_ptr_nonnull(smb1_tree_get(&t.c, 2, true));
    ck_assert_ptr_null(smb1_tree_get(&t.c, 3, true));
    ck_assert(th_line_has(&t, "anomaly ", "name=\"tree_limit\""));
    th_end(&t);
}
END_TEST

START_TEST(fid_reuse_finishes_the_old_open)
{
    struct th t;
    th_init(&t);
    smb1_open_add(&t.c, 9, 1, 1, "\\first", 1);
    struct smb1_open *o = smb1_open_add(&t.c, 9, 1, 1, "\\second", 2);
    ck_assert_ptr_nonnull(o);
    ck_assert_str_eq(o->name, "\\second");
    ck_assert_uint_eq(t.c.n_opens, 1);
    ck_assert(th_line_has(&t, "anomaly ", "name=\"fid_reused\""));
    ck_assert(th_line_has(&t, "file ", "name=\"\\first\""));
    th_end(&t);
}
END_TEST

START_TEST(end_emits_files_then_sessions_in_creation_order)
{
    struct th t;
    th_init(&t);
    t.c.dialect = strdup("NT LM 0.12");
    strlist_add(&t.c.dialects, "NT LM 0.12");
    struct smb1_session *a = smb1_session_get(&t.c, 100, true, 1);
    a->partial = false;
    a->user = strdup("ann");
    a->auth = "ntlmv2";
    a->status = strdup("STATUS_SUCCESS");
    smb1_session_get(&t.c, 200, true, 2);
    smb1_open_add(&t.c, 0x30, 200, 1, "\\z", 3);
    smb1_open_add(&t.c, 0x10, 100, 1, "\\y", 4);
    smb1_open_add(&t.c, 0x20, 100, 1, "\\x", 5);
    smb1_state_end(&t.c, 99);
    ck_assert_uint_eq(t.n_out, 5);
    ck_assert(strstr(t.out[0], "name=\"\\z\"") != NULL);
    ck_assert(strstr(t.out[1], "name=\"\\y\"") != NULL);
    ck_assert(strstr(t.out[2], "name=\"\\x\"") != NULL);
    ck_assert_str_eq(t.out[3], "session ts=99 start=@1 uid=100 dialect=\"NT LM 0.12\" user=\"ann\" domain=null host=null "
                               "auth=\"ntlmv2\" status=\"STATUS_SUCCESS\" shares=[] files=[\"\\y\",\"\\x\"] "
                               "guest=false native_os=null native_lanman=null partial=false");
    ck_assert(strncmp(t.out[4], "session ts=99 start=@2 uid=200 ", 31) == 0);
    ck_assert(strstr(t.out[4], "auth=null status=null") != NULL);
    ck_assert(strstr(t.out[4], "partial=true") != NULL);
    /* the NEGOTIATE state is released too, and a second end is harmless */
    ck_assert_ptr_null(t.c.dialect);
    ck_assert_uint_eq(t.c.dialects.n, 0);
    smb1_state_end(&t.c, 100);
    ck_assert_uint_eq(t.n_out, 5);
    th_end(&t);
}
END_TEST

START_TEST(trees_and_session_end)
{
    struct th t;
    th_init(&t);
    smb1_tree_get(&t.c, 1, true)->path = strdup("\\\\S\\a");
    smb1_tree_get(&t.c, 2, true)->path = strdup("\\\\S\\b");
    ck_assert_ptr_eq(smb1_tree_get(&t.c, 1, false), t.c.trees);
    smb1_tree_drop(&t.c, 1);
    ck_assert_ptr_null(smb1_tree_get(&t.c, 1, false));
    ck_assert_str_eq(smb1_tree_get(&t.c, 2, false)->path, "\\\\S\\b");
    smb1_tree_drop(&t.c, 42); /* unknown: nothing */
    smb1_session_get(&t.c, 5, true, 1);
    smb1_session_end(&t.c, 6, 2); /* unknown: nothing */
    ck_assert_uint_eq(th_count(&t, "session "), 0);
    smb1_session_end(&t.c, 5, 2);
    ck_assert_uint_eq(th_count(&t, "session "), 1);
    ck_assert_ptr_null(t.c.sessions);
    th_end(&t);
}
END_TEST

START_TEST(close_by_tree_and_by_uid)
{
    struct th t;
    th_init(&t);
    smb1_open_add(&t.c, 1, 10, 1, "\\a", 1);
    smb1_open_add(&t.c, 2, 20, 1, "\\b", 2);
    smb1_open_add(&t.c, 3, 10, 2, "\\c", 3);
    smb1_open_add(&t.c, 4, 20, 2, "\\d", 4);
    smb1_open_close_tree(&t.c, 1, 5);
    ck_assert_uint_eq(t.c.n_opens, 2);
    ck_assert_ptr_nonnull(smb1_open_get(&t.c, 3));
    smb1_open_close_uid(&t.c, 20, 6);
    ck_assert_uint_eq(t.c.n_opens, 1);
    ck_assert_ptr_nonnull(smb1_open_get(&t.c, 3));
    ck_assert_uint_eq(th_count(&t, "file "), 3);
    th_end(&t);
}
END_TEST

START_TEST(set_size_reaches_tracker)
{
    struct th t;
    th_init(&t);
    struct smb1_pending p;
    tx_init(&t, &p);
    /* an OPEN_ANDX response sets the tracker's size through smb1_open_add's track */
    struct mb q, r;
    mb_hdr(&q, 0x2d, 0, 0x08, 0x4001, 1, 1, 1, 1);
    mb_words(&q);
    mb_u32(&q, 0xff); mb_u16(&q, 0); mb_u16(&q, 0x40); mb_u16(&q, 0); mb_u16(&q, 0);
    mb_u32(&q, 0); mb_u16(&q, 1); mb_zero(&q, 12);
    mb_bytes(&q);
    mb_astr(&q, "\\s.bin");
    mb_end(&q);
    mb_hdr(&r, 0x2d, 0, 0x88, 0x4001, 1, 1, 1, 1);
    mb_words(&r);
    mb_u32(&r, 0xff); mb_u16(&r, 0x77); mb_u16(&r, 0); mb_u32(&r, 0);
    mb_u32(&r, 999); /* FileDataSize */
    mb_zero(&r, 14);
    mb_bytes(&r);
    mb_end(&r);
    th_exchange(&t, &p, q.b, q.n, r.b, r.n);
    ck_assert(smb1_open_get(&t.c, 0x77)->size_known);
    ck_assert_uint_eq(smb1_open_get(&t.c, 0x77)->size, 999);
    tx_free(&p);
    th_end(&t);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("smb1_state");
    TCase *tc = tcase_create("state");
    tcase_add_test(tc, open_close_file_record);
    tcase_add_test(tc, partial_open_has_null_name_and_size);
    tcase_add_test(tc, open_files_limit);
    tcase_add_test(tc, fid_reuse_finishes_the_old_open);
    tcase_add_test(tc, end_emits_files_then_sessions_in_creation_order);
    tcase_add_test(tc, trees_and_session_end);
    tcase_add_test(tc, close_by_tree_and_by_uid);
    tcase_add_test(tc, set_size_reaches_tracker);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
