/* Unit tests for the path commands ([MS-CIFS] 2.2.4.1, 2.2.4.2, 2.2.4.7,
 * 2.2.4.8, 2.2.4.9, 2.2.4.10, 2.2.4.17, 2.2.4.66): BufferFormat + name, the
 * Unicode pad before a rename's second name. Real fixture:
 * zeek/raw_ntlm_in_smb.pcap frames 90-91 (QUERY_INFORMATION, refused). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "smb1_harness.h"

/* raw_ntlm_in_smb.pcap frame 90 */
static const uint8_t QI_REQ[] = {
    0xff, 'S', 'M', 'B', 0x08, 0x00, 0x00, 0x00, 0x00, /* QUERY_INFORMATION */
    0x08, 0x01, 0xc8,                                  /* Flags, Flags2 0xc801 (Unicode) */
    0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x00,
    0x01, 0x08, 0x01, 0x00, 0x00, 0x08, 0x18, 0x00,    /* TID 0x0801, PID 1, UID 0x0800, MID 24 */
    0x00,                                              /* WordCount 0 */
    0x39, 0x00,                                        /* ByteCount 57 */
    0x04,                                              /* BufferFormat: SMB_STRING (the name is now even) */
    '\\', 0, '.', 0, 'c', 0, 'o', 0, 'm', 0, '.', 0, 'a', 0, 'p', 0, 'p', 0, 'l', 0, 'e', 0, '.', 0,
    's', 0, 'm', 0, 'b', 0, '.', 0, 's', 0, 't', 0, 'r', 0, 'e', 0, 'a', 0, 'm', 0, 's', 0, '.', 0,
    'o', 0, 'f', 0, 'f', 0, 0, 0,                      /* FileName "\.com.apple.smb.streams.off" */
};

/* raw_ntlm_in_smb.pcap frame 91: STATUS_OBJECT_NAME_NOT_FOUND, no words */
static const uint8_t QI_RSP_ERR[] = {
    0xff, 'S', 'M', 'B', 0x08, 0x34, 0x00, 0x00, 0xc0, 0x88, 0x01, 0xc8,
    0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x00,
    0x01, 0x08, 0x01, 0x00, 0x00, 0x08, 0x18, 0x00,
    0x00, 0x00, 0x00,
};

static size_t path_req(struct mb *m, uint8_t cmd, bool unicode, unsigned words, const char *a, const char *b)
{
    mb_hdr(m, cmd, 0, 0x08, unicode ? 0xc001 : 0x4001, 1, 2, 3, 4);
    mb_words(m);
    for (unsigned i = 0; i < words; i++)
        mb_u16(m, 0x0016); /* SearchAttributes etc. */
    mb_bytes(m);
    mb_u8(m, 0x04);        /* BufferFormat */
    if (unicode) {
        mb_pad2(m);
        mb_ustr(m, a);
    } else {
        mb_astr(m, a);
    }
    if (b) {
        mb_u8(m, 0x04);    /* BufferFormat2 */
        if (unicode) {
            mb_pad2(m);    /* the second name is aligned too */
            mb_ustr(m, b);
        } else {
            mb_astr(m, b);
        }
    }
    mb_end(m);
    return m->n;
}

START_TEST(query_information_refused)
{
    struct th t;
    th_init(&t);
    struct smb1_pending p;
    tx_init(&t, &p);
    th_exchange(&t, &p, QI_REQ, sizeof QI_REQ, QI_RSP_ERR, sizeof QI_RSP_ERR);
    ck_assert_str_eq(f_str(&p, "file"), "\\.com.apple.smb.streams.off");
    ck_assert(f_absent(&p, "size"));
    ck_assert_uint_eq(th_count(&t, "anomaly"), 0);
    tx_free(&p);
    th_end(&t);
}
END_TEST

START_TEST(query_information_size)
{
    struct th t;
    th_init(&t);
    struct smb1_pending p;
    tx_init(&t, &p);
    struct mb r;
    mb_hdr(&r, 0x08, 0, 0x88, 0xc001, 1, 2, 3, 4);
    mb_words(&r);
    mb_u16(&r, 0x20);   /* FileAttributes */
    mb_u32(&r, 0);      /* LastWriteTime */
    mb_u32(&r, 123456); /* FileSize */
    mb_zero(&r, 10);    /* Reserved */
    mb_bytes(&r);
    mb_end(&r);
    th_exchange(&t, &p, QI_REQ, sizeof QI_REQ, r.b, r.n);
    ck_assert_uint_eq(f_uint(&p, "size"), 123456);
    tx_free(&p);
    th_end(&t);
    th_cuts(NULL, QI_REQ, sizeof QI_REQ, r.b, r.n);
}
END_TEST

START_TEST(single_path_commands)
{
    static const struct { uint8_t cmd; unsigned words; } cmds[] = {
        {0x00, 0}, /* CREATE_DIRECTORY */
        {0x01, 0}, /* DELETE_DIRECTORY */
        {0x06, 1}, /* DELETE: SearchAttributes */
        {0x09, 8}, /* SET_INFORMATION: attributes, time, reserved */
        {0x10, 0}, /* CHECK_DIRECTORY */
    };
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        for (int u = 0; u < 2; u++) {
            struct th t;
            th_init(&t);
            struct smb1_pending p;
            tx_init(&t, &p);
            struct mb q;
            size_t n = path_req(&q, cmds[i].cmd, u, cmds[i].words, "\\dir\\sub", NULL);
            th_req(&t, &p, q.b, n, n);
            ck_assert_str_eq(f_str(&p, "file"), "\\dir\\sub");
            ck_assert_uint_eq(th_count(&t, "anomaly"), 0);
            tx_free(&p);
            th_cuts(NULL, q.b, n, NULL, 0);
            th_end(&t);
        }
    }
}
END_TEST

START_TEST(rename_unicode_pad_and_oem)
{
    for (int u = 0; u < 2; u++) {
        for (uint8_t cmd = 0x07; cmd != 0; cmd = cmd == 0x07 ? 0xa5 : 0) {
            struct th t;
            th_init(&t);
            struct smb1_pending p;
            tx_init(&t, &p);
            struct mb q;
            /* RENAME has one word (SearchAttributes); NT_RENAME four */
            size_t n = path_req(&q, cmd, u, cmd == 0x07 ? 1 : 4, "\\old name.txt", "\\new name.txt");
            th_req(&t, &p, q.b, n, n);
            ck_assert_str_eq(f_str(&p, "from"), "\\old name.txt");
            ck_assert_str_eq(f_str(&p, "to"), "\\new name.txt");
            tx_free(&p);
            th_cuts(NULL, q.b, n, NULL, 0);
            th_end(&t);
        }
    }
}
END_TEST

START_TEST(wrong_buffer_format_is_flagged)
{
    struct th t;
    th_init(&t);
    struct smb1_pending p;
    tx_init(&t, &p);
    struct mb q;
    size_t n = path_req(&q, 0x06, false, 1, "\\x", NULL);
    q.b[32 + 1 + 2 + 2] = 0x02; /* BufferFormat: a dialect string, not a path */
    th_req(&t, &p, q.b, n, n);
    ck_assert_str_eq(f_str(&p, "file"), "\\x");
    ck_assert(th_line_has(&t, "anomaly ", "name=\"smb1_buffer_format\""));
    tx_free(&p);
    th_end(&t);
    th_cuts(NULL, q.b, n, NULL, 0);
}
END_TEST

START_TEST(every_truncation)
{
    th_cuts(NULL, QI_REQ, sizeof QI_REQ, QI_RSP_ERR, sizeof QI_RSP_ERR);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("smb1_path");
    TCase *tc = tcase_create("path");
    tcase_add_test(tc, query_information_refused);
    tcase_add_test(tc, query_information_size);
    tcase_add_test(tc, single_path_commands);
    tcase_add_test(tc, rename_unicode_pad_and_oem);
    tcase_add_test(tc, wrong_buffer_format_is_flagged);
    tcase_add_test(tc, every_truncation);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
