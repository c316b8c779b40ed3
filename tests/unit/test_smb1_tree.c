/* Unit tests for TREE_CONNECT_ANDX ([MS-CIFS] 2.2.4.55, [MS-SMB] 2.2.4.7).
 * Fixtures: arkime/smb-smbclient.pcap frames 10-11 (Unicode, extended
 * response), zeek/raw_ntlm_in_smb.pcap frames 25-26 (IPC$: a pad byte before
 * the Unicode NativeFileSystem), arkime/smb-smb1-ascii.pcap frames 15-16 (OEM). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "smb1_harness.h"

/* smb-smbclient.pcap frame 10 */
static const uint8_t TC_REQ[] = {
    0xff, 'S', 'M', 'B', 0x75, 0x00, 0x00, 0x00, 0x00, /* TREE_CONNECT_ANDX */
    0x08, 0x01, 0xc8,                                  /* Flags, Flags2 0xc801 */
    0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x00,
    0xff, 0xff, 0x77, 0x0f, 0x00, 0x00, 0x03, 0x00,    /* TID 0xffff, PID, UID 0, MID 3 */
    0x04,                                              /* WordCount 4 */
    0xff, 0x00, 0x00, 0x00,                            /* AndX */
    0x08, 0x00,                                        /* Flags: extended response */
    0x01, 0x00,                                        /* PasswordLength 1 */
    0x27, 0x00,                                        /* ByteCount 39 */
    0x00,                                              /* Password: "" */
    '\\', 0, '\\', 0, 'L', 0, 'O', 0, 'C', 0, 'A', 0, 'L', 0, 'H', 0, 'O', 0, 'S', 0, 'T', 0,
    '\\', 0, 'M', 0, 'P', 0, '3', 0, 0, 0,             /* Path "\\LOCALHOST\MP3" (already even: no pad) */
    '?', '?', '?', '?', '?', 0,                        /* Service "?????" (OEM): any type */
};

/* smb-smbclient.pcap frame 11: extended response (WordCount 7) */
static const uint8_t TC_RSP[] = {
    0xff, 'S', 'M', 'B', 0x75, 0x00, 0x00, 0x00, 0x00,
    0x88, 0x03, 0xc0,
    0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x00,
    0x01, 0x00, 0x77, 0x0f, 0x00, 0x00, 0x03, 0x00,    /* TID 1 (assigned), PID, UID 0, MID 3 */
    0x07,                                              /* WordCount 7 */
    0xff, 0x00, 0x00, 0x00,                            /* AndX */
    0x01, 0x00,                                        /* OptionalSupport: SEARCH_BITS */
    0xff, 0x01, 0x1f, 0x10,                            /* MaximalShareAccessRights 0x101f01ff */
    0x00, 0x00, 0x00, 0x00,                            /* GuestMaximalShareAccessRights */
    0x0d, 0x00,                                        /* ByteCount 13 */
    'A', ':', 0,                                       /* Service "A:" (disk) */
    'N', 0, 'T', 0, 'F', 0, 'S', 0, 0, 0,              /* NativeFileSystem "NTFS" */
};

/* raw_ntlm_in_smb.pcap frame 25 */
static const uint8_t TC_REQ_IPC[] = {
    0xff, 'S', 'M', 'B', 0x75, 0x00, 0x00, 0x00, 0x00, 0x08, 0x01, 0xc8,
    0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x00,
    0xff, 0xff, 0x01, 0x00, 0x00, 0x08, 0x03, 0x00,    /* TID 0xffff, PID 1, UID 0x0800, MID 3 */
    0x04, 0xff, 0x00, 0x00, 0x00,                      /* WordCount 4, AndX */
    0x08, 0x00, 0x01, 0x00,                            /* Flags, PasswordLength 1 */
    0x33, 0x00,                                        /* ByteCount 51 */
    0x00,                                              /* Password */
    '\\', 0, '\\', 0, '1', 0, '9', 0, '2', 0, '.', 0, '1', 0, '6', 0, '8', 0, '.', 0, '5', 0, '6', 0,
    '.', 0, '1', 0, '0', 0, '1', 0, '\\', 0, 'I', 0, 'P', 0, 'C', 0, '$', 0, 0, 0, /* Path */
    '?', '?', '?', '?', '?', 0,                        /* Service */
};

/* raw_ntlm_in_smb.pcap frame 26: "IPC" ends at an odd offset, so a pad byte
 * precedes the (empty) Unicode NativeFileSystem */
static const uint8_t TC_RSP_IPC[] = {
    0xff, 'S', 'M', 'B', 0x75, 0x00, 0x00, 0x00, 0x00, 0x88, 0x01, 0xc8,
    0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x00,
    0x00, 0x08, 0x01, 0x00, 0x00, 0x08, 0x03, 0x00,    /* TID 0x0800, PID 1, UID 0x0800, MID 3 */
    0x07, 0xff, 0x00, 0x38, 0x00,                      /* WordCount 7, AndX */
    0x01, 0x00,                                        /* OptionalSupport */
    0xff, 0x01, 0x00, 0x00,                            /* MaximalShareAccessRights */
    0xff, 0x01, 0x00, 0x00,                            /* GuestMaximalShareAccessRights */
    0x07, 0x00,                                        /* ByteCount 7 */
    'I', 'P', 'C', 0,                                  /* Service "IPC" */
    0x00,                                              /* Pad */
    0x00, 0x00,                                        /* NativeFileSystem "" */
};

/* smb-smb1-ascii.pcap frame 15: OEM strings (Flags2 0x2807, no Unicode) */
static const uint8_t TC_REQ_OEM[] = {
    0xff, 'S', 'M', 'B', 0x75, 0x00, 0x00, 0x00, 0x00, 0x18, 0x07, 0x28,
    0x00, 0x00, 0x90, 0xf0, 0xa3, 0xc7, 0x25, 0x7c, 0xe1, 0x87, 0x00, 0x00, /* PIDHigh, signature, Reserved */
    0x00, 0x00, 0x72, 0x7c, 0x00, 0x20, 0xa5, 0x44,    /* TID 0, PID 0x7c72, UID 0x2000, MID 0x44a5 */
    0x04, 0xff, 0x00, 0x00, 0x00,                      /* WordCount 4, AndX */
    0x00, 0x00, 0x01, 0x00,                            /* Flags, PasswordLength 1 */
    0x18, 0x00,                                        /* ByteCount 24 */
    0x00,                                              /* Password */
    '\\', '\\', '1', '0', '.', '1', '0', '.', '0', '.', '2', '\\', 'I', 'P', 'C', '$', 0, /* Path */
    '?', '?', '?', '?', '?', 0,                        /* Service */
};

/* smb-smb1-ascii.pcap frame 16 */
static const uint8_t TC_RSP_OEM[] = {
    0xff, 'S', 'M', 'B', 0x75, 0x00, 0x00, 0x00, 0x00, 0x98, 0x07, 0x28,
    0x00, 0x00, 0xba, 0xe6, 0x6c, 0x18, 0x16, 0xf6, 0x36, 0x70, 0x00, 0x00,
    0x00, 0x18, 0x72, 0x7c, 0x00, 0x20, 0xa5, 0x44,    /* TID 0x1800 */
    0x03, 0xff, 0x00, 0x2e, 0x00,                      /* WordCount 3, AndX */
    0x01, 0x00,                                        /* OptionalSupport */
    0x05, 0x00,                                        /* ByteCount 5 */
    'I', 'P', 'C', 0,                                  /* Service */
    0x00,                                              /* NativeFileSystem "" (OEM) */
};

START_TEST(disk_share_unicode)
{
    struct th t;
    th_init(&t);
    struct smb1_pending p;
    tx_init(&t, &p);
    th_exchange(&t, &p, TC_REQ, sizeof TC_REQ, TC_RSP, sizeof TC_RSP);
    ck_assert_str_eq(f_str(&p, "path"), "\\\\LOCALHOST\\MP3");
    ck_assert_str_eq(f_str(&p, "service"), "?????");
    ck_assert_str_eq(f_str(&p, "share_type"), "A:");
    ck_assert_str_eq(f_str(&p, "native_fs"), "NTFS");
    struct smb1_tree *tr = smb1_tree_get(&t.c, 1, false);
    ck_assert_ptr_nonnull(tr);
    ck_assert_str_eq(tr->path, "\\\\LOCALHOST\\MP3");
    ck_assert_str_eq(tr->service, "A:");
    ck_assert_uint_eq(tr->uid, 0);
    /* the session (never seen set up) lists the share */
    struct smb1_session *s = smb1_session_get(&t.c, 0, false, 0);
    ck_assert_ptr_nonnull(s);
    ck_assert(s->partial);
    ck_assert_uint_eq(s->shares.n, 1);
    ck_assert_str_eq(s->shares.v[0], "\\\\LOCALHOST\\MP3");
    tx_free(&p);
    th_end(&t);
}
END_TEST

START_TEST(ipc_with_pad_before_native_fs)
{
    struct th t;
    th_init(&t);
    struct smb1_pending p;
    tx_init(&t, &p);
    th_exchange(&t, &p, TC_REQ_IPC, sizeof TC_REQ_IPC, TC_RSP_IPC, sizeof TC_RSP_IPC);
    ck_assert_str_eq(f_str(&p, "path"), "\\\\192.168.56.101\\IPC$");
    ck_assert_str_eq(f_str(&p, "share_type"), "IPC");
    ck_assert_str_eq(f_str(&p, "native_fs"), "");
    struct smb1_tree *tr = smb1_tree_get(&t.c, 0x0800, false);
    ck_assert_ptr_nonnull(tr);
    ck_assert_str_eq(tr->service, "IPC");
    ck_assert_uint_eq(th_count(&t, "anomaly"), 0);
    tx_free(&p);
    th_end(&t);
}
END_TEST

START_TEST(pad_before_native_fs_is_skipped)
{
    struct th t;
    th_init(&t);
    struct smb1_pending p;
    tx_init(&t, &p);
    struct mb r;
    mb_hdr(&r, 0x75, 0, 0x88, 0xc001, 9, 1, 1, 3);
    mb_words(&r);
    mb_u32(&r, 0xff);     /* AndX */
    mb_u16(&r, 0x0001);   /* OptionalSupport */
    mb_bytes(&r);
    mb_astr(&r, "IPC");   /* Service: ends at an odd offset */
    ck_assert_uint_eq(r.n % 2, 1);
    mb_pad2(&r);          /* Pad */
    mb_ustr(&r, "NTFS");  /* NativeFileSystem */
    mb_end(&r);
    th_exchange(&t, &p, TC_REQ, sizeof TC_REQ, r.b, r.n);
    ck_assert_str_eq(f_str(&p, "share_type"), "IPC");
    ck_assert_str_eq(f_str(&p, "native_fs"), "NTFS");
    tx_free(&p);
    th_end(&t);
    th_cuts(NULL, TC_REQ, sizeof TC_REQ, r.b, r.n);
}
END_TEST

START_TEST(oem_strings)
{
    struct th t;
    th_init(&t);
    struct smb1_pending p;
    tx_init(&t, &p);
    th_exchange(&t, &p, TC_REQ_OEM, sizeof TC_REQ_OEM, TC_RSP_OEM, sizeof TC_RSP_OEM);
    ck_assert_str_eq(f_str(&p, "path"), "\\\\10.10.0.2\\IPC$");
    ck_assert_str_eq(f_str(&p, "share_type"), "IPC");
    ck_assert_str_eq(f_str(&p, "native_fs"), "");
    ck_assert_ptr_nonnull(smb1_tree_get(&t.c, 0x1800, false));
    tx_free(&p);
    th_end(&t);
}
END_TEST

START_TEST(refused_connect_keeps_the_path)
{
    struct th t;
    th_init(&t);
    struct smb1_pending p;
    tx_init(&t, &p);
    struct mb r;
    mb_hdr(&r, 0x75, 0xc00000cc, 0x88, 0xc001, 0, 0x0f77, 0, 3); /* STATUS_BAD_NETWORK_NAME */
    mb_words(&r);
    mb_bytes(&r);
    mb_end(&r);
    th_exchange(&t, &p, TC_REQ, sizeof TC_REQ, r.b, r.n);
    ck_assert_str_eq(f_str(&p, "path"), "\\\\LOCALHOST\\MP3");
    ck_assert(f_absent(&p, "share_type"));
    ck_assert_ptr_null(t.c.trees);
    ck_assert_ptr_null(t.c.sessions);
    ck_assert_uint_eq(th_count(&t, "anomaly"), 0);
    tx_free(&p);
    th_end(&t);
    th_cuts(NULL, TC_REQ, sizeof TC_REQ, r.b, r.n);
}
END_TEST

START_TEST(every_truncation)
{
    th_cuts(NULL, TC_REQ, sizeof TC_REQ, TC_RSP, sizeof TC_RSP);
    th_cuts(NULL, TC_REQ_IPC, sizeof TC_REQ_IPC, TC_RSP_IPC, sizeof TC_RSP_IPC);
    th_cuts(NULL, TC_REQ_OEM, sizeof TC_REQ_OEM, TC_RSP_OEM, sizeof TC_RSP_OEM);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("smb1_tree");
    TCase *tc = tcase_create("tree");
    tcase_add_test(tc, disk_share_unicode);
    tcase_add_test(tc, ipc_with_pad_before_native_fs);
    tcase_add_test(tc, pad_before_native_fs_is_skipped);
    tcase_add_test(tc, oem_strings);
    tcase_add_test(tc, refused_connect_keeps_the_path);
    tcase_add_test(tc, every_truncation);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
