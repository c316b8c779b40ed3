/* Unit tests for the closing and housekeeping commands: CLOSE ([MS-CIFS]
 * 2.2.4.5), TREE_DISCONNECT (2.2.4.51), LOGOFF_ANDX (2.2.4.54), ECHO
 * (2.2.4.39), FIND_CLOSE2 (2.2.4.48), FLUSH (2.2.4.6), QUERY_INFORMATION_DISK
 * (2.2.4.57). Real fixtures: arkime/smb-smbclient.pcap frames 13-14, 26-27,
 * 29-30; arkime/smbtorture-ntlmssp.pcap frames 13-14; suricata-verify
 * smb1-02-smb1_osx.pcap frames 20 and 22 (a DOS-error LOGOFF). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "smb1_harness.h"

#define HDR_SMBCLIENT(cmd, flags, flags2lo, flags2hi, mid)                                      \
    0xff, 'S', 'M', 'B', cmd, 0x00, 0x00, 0x00, 0x00, flags, flags2lo, flags2hi,                 \
        0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x00, /* PIDHigh, SecurityFeatures, Reserved */ \
        0x01, 0x00, 0x77, 0x0f, 0x00, 0x00, mid, 0x00   /* TID 1, PID 3959, UID 0, MID */

/* smb-smbclient.pcap frame 26 */
static const uint8_t CLOSE_REQ[] = {
    HDR_SMBCLIENT(0x04, 0x08, 0x01, 0xc8, 0x09),      /* CLOSE request, MID 9 */
    0x03,                                              /* WordCount 3 */
    0xfe, 0x42,                                        /* FID 0x42fe */
    0xff, 0xff, 0xff, 0xff,                            /* LastTimeModified: leave as is */
    0x00, 0x00,                                        /* ByteCount */
};

/* smb-smbclient.pcap frame 27 */
static const uint8_t CLOSE_RSP[] = {
    HDR_SMBCLIENT(0x04, 0x88, 0x03, 0xc0, 0x09),
    0x00,                                              /* WordCount 0 */
    0x00, 0x00,                                        /* ByteCount */
};

/* smb-smbclient.pcap frames 29 and 30 */
static const uint8_t TDIS_REQ[] = {HDR_SMBCLIENT(0x71, 0x08, 0x01, 0xc8, 0x0a), 0x00, 0x00, 0x00};
static const uint8_t TDIS_RSP[] = {HDR_SMBCLIENT(0x71, 0x88, 0x03, 0xc0, 0x0a), 0x00, 0x00, 0x00};

/* smb-smbclient.pcap frame 13 (the response, frame 14, echoes it) */
static const uint8_t ECHO_REQ[] = {
    HDR_SMBCLIENT(0x2b, 0x08, 0x01, 0xc8, 0x04),
    0x01,                                              /* WordCount 1 */
    0x01, 0x00,                                        /* EchoCount 1 */
    0x10, 0x00,                                        /* ByteCount 16 */
    0xf0, 0xf0, 0xf0, 0xf0, 0xf0, 0xf0, 0xf0, 0xf0,    /* Data */
    0xf0, 0xf0, 0xf0, 0xf0, 0xf0, 0xf0, 0xf0, 0xf0,
};
static const uint8_t ECHO_RSP[] = {
    HDR_SMBCLIENT(0x2b, 0x88, 0x03, 0xc0, 0x04),
    0x01,                                              /* WordCount 1 */
    0x01, 0x00,                                        /* SequenceNumber 1 */
    0x10, 0x00,
    0xf0, 0xf0, 0xf0, 0xf0, 0xf0, 0xf0, 0xf0, 0xf0, 0xf0, 0xf0, 0xf0, 0xf0, 0xf0, 0xf0, 0xf0, 0xf0,
};

/* smbtorture-ntlmssp.pcap frames 13 and 14 */
static const uint8_t QDISK_REQ[] = {
    0xff, 'S', 'M', 'B', 0x80, 0x00, 0x00, 0x00, 0x00, 0x08, 0x03, 0xc8,
    0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x00,
    0x00, 0x08, 0x43, 0x79, 0x00, 0x08, 0x05, 0x00,    /* TID 0x0800, PID 0x7943, UID 0x0800, MID 5 */
    0x00, 0x00, 0x00,                                  /* WordCount 0, ByteCount 0 */
};
static const uint8_t QDISK_RSP[] = {
    0xff, 'S', 'M', 'B', 0x80, 0x00, 0x00, 0x00, 0x00, 0x88, 0x03, 0xc8,
    0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x00,
    0x00, 0x08, 0x43, 0x79, 0x00, 0x08, 0x05, 0x00,
    0x05,                                              /* WordCount 5 */
    0xef, 0x9f,                                        /* TotalUnits 40943 */
    0x00, 0x02,                                        /* BlocksPerUnit 512 */
    0x00, 0x02,                                        /* BlockSize 512 */
    0x1f, 0x37,                                        /* FreeUnits 14111 */
    0x00, 0x00,                                        /* Reserved */
    0x00, 0x00,                                        /* ByteCount */
};

/* smb1-02-smb1_osx.pcap frames 20 and 22: LOGOFF_ANDX refused with a DOS error */
static const uint8_t LOGOFF_REQ[] = {
    0xff, 'S', 'M', 'B', 0x74, 0x00, 0x00, 0x00, 0x00, 0x08, 0x01, 0xc8,
    0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x00,
    0xff, 0xff, 0x01, 0x00, 0xe6, 0x6b, 0x02, 0x00,    /* TID 0xffff, PID 1, UID 0x6be6, MID 2 */
    0x02, 0xff, 0x00, 0x00, 0x00,                      /* WordCount 2, AndX */
    0x00, 0x00,                                        /* ByteCount */
};
static const uint8_t LOGOFF_RSP_BADUID[] = {
    0xff, 'S', 'M', 'B', 0x74,
    0x02, 0x00, 0x5b, 0x00,                            /* Status: ERRSRV / ERRbaduid (DOS error) */
    0x88, 0x03, 0x88,                                  /* Flags, Flags2 0x8803: no NT status */
    0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x00,
    0xff, 0xff, 0x01, 0x00, 0xe6, 0x6b, 0x02, 0x00,
    0x00, 0x00, 0x00,                                  /* WordCount 0, ByteCount 0 */
};

static void smbclient_state(struct th *t)
{
    struct smb1_tree *tr = smb1_tree_get(&t->c, 1, true);
    tr->path = strdup("\\\\LOCALHOST\\MP3");
    struct smb1_open *o = smb1_open_add(&t->c, 0x42fe, 0, 1, "\\tmp\\foo", 990000);
    o->size_known = true;
    o->size = 15;
    file_set_size(o->ft, 15);
}

START_TEST(close_emits_file_record)
{
    struct th t;
    th_init(&t);
    smbclient_state(&t);
    struct smb1_pending p;
    tx_init(&t, &p);
    th_req(&t, &p, CLOSE_REQ, sizeof CLOSE_REQ, sizeof CLOSE_REQ);
    ck_assert_uint_eq(f_uint(&p, "fid"), 0x42fe);
    ck_assert_str_eq(f_str(&p, "file"), "\\tmp\\foo");
    ck_assert_uint_eq(th_count(&t, "file "), 0);
    th_rsp(&t, &p, CLOSE_RSP, sizeof CLOSE_RSP, sizeof CLOSE_RSP);
    ck_assert_ptr_null(smb1_open_get(&t.c, 0x42fe));
    ck_assert_str_eq(th_find(&t, "file "),
                     "file ts=1000500 start=@990000 name=\"\\tmp\\foo\" share=\"\\\\LOCALHOST\\MP3\" kind=\"file\" fid=17150 uid=0 "
                     "tid=1 user=null domain=null size=15 "
                     "bytes_read=0 bytes_written=0 read_ranges=[] write_ranges=[] sha256=null complete=false "
                     "partial=false no_hash_reason=\"incomplete\"");
    tx_free(&p);
    th_end(&t);
}
END_TEST

START_TEST(close_failure_or_unseen_request_keeps_open)
{
    struct th t;
    th_init(&t);
    smbclient_state(&t);
    struct smb1_pending p;
    tx_init(&t, &p);
    struct mb r;
    mb_hdr(&r, 0x04, 0xc0000008, 0x88, 0xc001, 1, 0x0f77, 0, 9); /* STATUS_INVALID_HANDLE */
    mb_words(&r);
    mb_bytes(&r);
    mb_end(&r);
    th_exchange(&t, &p, CLOSE_REQ, sizeof CLOSE_REQ, r.b, r.n);
    ck_assert_ptr_nonnull(smb1_open_get(&t.c, 0x42fe));
    tx_free(&p);
    th_cuts(smbclient_state, CLOSE_REQ, sizeof CLOSE_REQ, r.b, r.n);
    tx_init(&t, &p);
    th_rsp(&t, &p, CLOSE_RSP, sizeof CLOSE_RSP, sizeof CLOSE_RSP);
    ck_assert_ptr_nonnull(smb1_open_get(&t.c, 0x42fe));
    ck_assert_uint_eq(th_count(&t, "file "), 0);
    tx_free(&p);
    th_end(&t);
    /* th_end emitted it at connection end */
}
END_TEST

START_TEST(tree_disconnect_closes_its_files)
{
    struct th t;
    th_init(&t);
    smbclient_state(&t);
    smb1_open_add(&t.c, 0x0101, 0, 2, "\\other", TS_REQ); /* on another tree */
    struct smb1_pending p;
    tx_init(&t, &p);
    th_exchange(&t, &p, TDIS_REQ, sizeof TDIS_REQ, TDIS_RSP, sizeof TDIS_RSP);
    ck_assert_str_eq(f_str(&p, "path"), "\\\\LOCALHOST\\MP3");
    ck_assert_ptr_null(smb1_tree_get(&t.c, 1, false));
    ck_assert_ptr_null(smb1_open_get(&t.c, 0x42fe));
    ck_assert_ptr_nonnull(smb1_open_get(&t.c, 0x0101));
    ck_assert_uint_eq(th_count(&t, "file "), 1);
    tx_free(&p);
    th_end(&t);
}
END_TEST

static size_t logoff(struct mb *m, bool rsp, uint32_t status, uint16_t uid)
{
    mb_hdr(m, 0x74, status, rsp ? 0x88 : 0x08, 0xc001, 0xffff, 1, uid, 30);
    mb_words(m);
    if (!rsp || status == 0)
        mb_u32(m, 0xff); /* AndX */
    mb_bytes(m);
    mb_end(m);
    return m->n;
}

START_TEST(logoff_ends_session_after_its_files)
{
    struct th t;
    th_init(&t);
    struct smb1_session *s = smb1_session_get(&t.c, 0x6be6, true, TS_REQ - 100);
    s->partial = false;
    s->user = strdup("alice");
    smb1_open_add(&t.c, 0x10, 0x6be6, 3, "\\a.txt", TS_REQ - 50);
    smb1_open_add(&t.c, 0x11, 0x7000, 3, "\\b.txt", TS_REQ - 40); /* someone else's */
    struct smb1_pending p;
    tx_init(&t, &p);
    struct mb q, r;
    size_t n = logoff(&q, false, 0, 0x6be6);
    size_t k = logoff(&r, true, 0, 0x6be6);
    th_exchange(&t, &p, q.b, n, r.b, k);
    ck_assert_ptr_null(smb1_session_get(&t.c, 0x6be6, false, 0));
    ck_assert_ptr_null(smb1_open_get(&t.c, 0x10));
    ck_assert_ptr_nonnull(smb1_open_get(&t.c, 0x11));
    ck_assert_uint_eq(t.n_out, 2);
    ck_assert(strncmp(t.out[0], "file ", 5) == 0);
    ck_assert(strstr(t.out[0], "name=\"\\a.txt\"") != NULL);
    ck_assert(strncmp(t.out[1], "session ", 8) == 0);
    ck_assert(strstr(t.out[1], "uid=27622 ") != NULL);
    ck_assert(strstr(t.out[1], "user=\"alice\"") != NULL);
    ck_assert(strstr(t.out[1], "files=[\"\\a.txt\"]") != NULL);
    tx_free(&p);
    th_end(&t);
}
END_TEST

START_TEST(logoff_refused_keeps_session)
{
    struct th t;
    th_init(&t);
    smb1_session_get(&t.c, 0x6be6, true, TS_REQ);
    struct smb1_pending p;
    tx_init(&t, &p);
    th_exchange(&t, &p, LOGOFF_REQ, sizeof LOGOFF_REQ, LOGOFF_RSP_BADUID, sizeof LOGOFF_RSP_BADUID);
    ck_assert_ptr_nonnull(smb1_session_get(&t.c, 0x6be6, false, 0));
    ck_assert_uint_eq(t.n_out, 0);
    tx_free(&p);
    th_end(&t);
}
END_TEST

START_TEST(echo_flush_find_close_disk)
{
    struct th t;
    th_init(&t);
    smbclient_state(&t);
    struct smb1_pending p;

    tx_init(&t, &p);
    th_exchange(&t, &p, ECHO_REQ, sizeof ECHO_REQ, ECHO_RSP, sizeof ECHO_RSP);
    ck_assert_uint_eq(f_uint(&p, "echo_count"), 1);
    tx_free(&p);

    tx_init(&t, &p);
    th_exchange(&t, &p, QDISK_REQ, sizeof QDISK_REQ, QDISK_RSP, sizeof QDISK_RSP);
    ck_assert_uint_eq(f_uint(&p, "total_units"), 40943);
    ck_assert_uint_eq(f_uint(&p, "blocks_per_unit"), 512);
    ck_assert_uint_eq(f_uint(&p, "block_size"), 512);
    ck_assert_uint_eq(f_uint(&p, "free_units"), 14111);
    tx_free(&p);

    struct mb q;
    tx_init(&t, &p);
    mb_hdr(&q, 0x05, 0, 0x08, 0xc001, 1, 0x0f77, 0, 40); /* FLUSH */
    mb_words(&q);
    mb_u16(&q, 0x42fe); /* FID */
    mb_bytes(&q);
    mb_end(&q);
    th_req(&t, &p, q.b, q.n, q.n);
    ck_assert_uint_eq(f_uint(&p, "fid"), 0x42fe);
    ck_assert_str_eq(f_str(&p, "file"), "\\tmp\\foo");
    tx_free(&p);
    th_cuts(smbclient_state, q.b, q.n, NULL, 0);

    tx_init(&t, &p);
    mb_hdr(&q, 0x34, 0, 0x08, 0xc001, 1, 0x0f77, 0, 41); /* FIND_CLOSE2 */
    mb_words(&q);
    mb_u16(&q, 0x0007); /* SearchHandle */
    mb_bytes(&q);
    mb_end(&q);
    th_req(&t, &p, q.b, q.n, q.n);
    ck_assert_uint_eq(f_uint(&p, "search_id"), 7);
    tx_free(&p);
    th_cuts(NULL, q.b, q.n, NULL, 0);
    ck_assert_uint_eq(th_count(&t, "anomaly"), 0);
    th_end(&t);
}
END_TEST

/* a CLOSE request cut inside its words names no FID: its success response
 * must not close FID 0 (the zeroes of a request never decoded) */
START_TEST(undecoded_close_keeps_fid_zero)
{
    struct th t;
    th_init(&t);
    ck_assert_ptr_nonnull(smb1_open_add(&t.c, 0, 0, 1, "\\zero", 990000));
    for (size_t cut = 0; cut < SMB1_HDR_LEN + 1 + 2 * 3; cut++) { /* WordCount 3 */
        struct smb1_pending p;
        tx_init(&t, &p);
        th_req(&t, &p, CLOSE_REQ, sizeof CLOSE_REQ, cut);
        ck_assert(p.have_request);
        th_rsp(&t, &p, CLOSE_RSP, sizeof CLOSE_RSP, sizeof CLOSE_RSP);
        ck_assert_msg(smb1_open_get(&t.c, 0) != NULL, "FID 0 closed after a CLOSE request cut at %zu", cut);
        tx_free(&p);
    }
    ck_assert_uint_eq(th_count(&t, "file "), 0);
    th_end(&t);
}
END_TEST

START_TEST(every_truncation)
{
    th_cuts(smbclient_state, CLOSE_REQ, sizeof CLOSE_REQ, CLOSE_RSP, sizeof CLOSE_RSP);
    th_cuts(smbclient_state, TDIS_REQ, sizeof TDIS_REQ, TDIS_RSP, sizeof TDIS_RSP);
    th_cuts(NULL, ECHO_REQ, sizeof ECHO_REQ, ECHO_RSP, sizeof ECHO_RSP);
    th_cuts(NULL, QDISK_REQ, sizeof QDISK_REQ, QDISK_RSP, sizeof QDISK_RSP);
    th_cuts(NULL, LOGOFF_REQ, sizeof LOGOFF_REQ, LOGOFF_RSP_BADUID, sizeof LOGOFF_RSP_BADUID);
    struct mb q, r;
    size_t n = logoff(&q, false, 0, 0);
    size_t k = logoff(&r, true, 0, 0);
    th_cuts(smbclient_state, q.b, n, r.b, k);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("smb1_close");
    TCase *tc = tcase_create("close");
    tcase_add_test(tc, close_emits_file_record);
    tcase_add_test(tc, close_failure_or_unseen_request_keeps_open);
    tcase_add_test(tc, tree_disconnect_closes_its_files);
    tcase_add_test(tc, logoff_ends_session_after_its_files);
    tcase_add_test(tc, logoff_refused_keeps_session);
    tcase_add_test(tc, echo_flush_find_close_disk);
    tcase_add_test(tc, undecoded_close_keeps_fid_zero);
    tcase_add_test(tc, every_truncation);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
