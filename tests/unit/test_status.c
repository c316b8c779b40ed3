/* Unit tests for SMB1 status names ([MS-ERREF] 2.3.1, [MS-CIFS] 2.2.2.4). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "smb1.h"
#include "smb1_status.h"

START_TEST(nt_table_is_sorted_without_duplicates)
{
    size_t n;
    const struct nt_status_entry *t = nt_status_table(&n);
    ck_assert_uint_ge(n, 150);
    for (size_t i = 1; i < n; i++)
        ck_assert_msg(t[i - 1].code < t[i].code, "entry %zu (0x%08x %s) out of order", i, t[i].code,
                      t[i].name);
    /* every entry is reachable through the search */
    for (size_t i = 0; i < n; i++) {
        ck_assert_ptr_nonnull(t[i].name);
        ck_assert_int_eq(strncmp(t[i].name, "STATUS_", 7), 0);
        ck_assert_str_eq(nt_status_name(t[i].code), t[i].name);
    }
}
END_TEST

START_TEST(dos_table_is_sorted_without_duplicates)
{
    size_t n;
    const struct dos_error_entry *t = dos_error_table(&n);
    ck_assert_uint_ge(n, 60);
    for (size_t i = 1; i < n; i++) {
        uint32_t a = (uint32_t)t[i - 1].eclass << 16 | t[i - 1].code;
        uint32_t b = (uint32_t)t[i].eclass << 16 | t[i].code;
        ck_assert_msg(a < b, "entry %zu (%s) out of order", i, t[i].name);
    }
    char buf[32];
    for (size_t i = 0; i < n; i++)
        ck_assert_str_eq(dos_error_name(t[i].eclass, t[i].code, buf, sizeof buf), t[i].name);
}
END_TEST

START_TEST(nt_spot_checks)
{
    static const struct { uint32_t code; const char *name; } want[] = {
        {0x00000000, "STATUS_SUCCESS"},
        {0x00000103, "STATUS_PENDING"},
        {0x0000010C, "STATUS_NOTIFY_ENUM_DIR"},
        {0x00010002, "STATUS_INVALID_SMB"},
        {0x00050002, "STATUS_SMB_BAD_TID"},
        {0x007C0001, "STATUS_OS2_INVALID_LEVEL"},
        {0x80000005, "STATUS_BUFFER_OVERFLOW"},
        {0x80000006, "STATUS_NO_MORE_FILES"},
        {0xC0000016, "STATUS_MORE_PROCESSING_REQUIRED"},
        {0xC0000022, "STATUS_ACCESS_DENIED"},
        {0xC0000034, "STATUS_OBJECT_NAME_NOT_FOUND"},
        {0xC0000043, "STATUS_SHARING_VIOLATION"},
        {0xC000006A, "STATUS_WRONG_PASSWORD"},
        {0xC000006D, "STATUS_LOGON_FAILURE"},
        {0xC0000072, "STATUS_ACCOUNT_DISABLED"},
        {0xC00000BA, "STATUS_FILE_IS_A_DIRECTORY"},
        {0xC00000CC, "STATUS_BAD_NETWORK_NAME"},
        {0xC0000101, "STATUS_DIRECTORY_NOT_EMPTY"},
        {0xC0000120, "STATUS_CANCELLED"},
        {0xC000014B, "STATUS_PIPE_BROKEN"},
        {0xC0000203, "STATUS_USER_SESSION_DELETED"},
        {0xC0000224, "STATUS_PASSWORD_MUST_CHANGE"},
        {0xC0000234, "STATUS_ACCOUNT_LOCKED_OUT"},
        {0xC0000257, "STATUS_PATH_NOT_COVERED"},
        {0xC000035C, "STATUS_NETWORK_SESSION_EXPIRED"},
        {0xC0000388, "STATUS_DOWNGRADE_DETECTED"},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        const char *got = nt_status_name(want[i].code);
        ck_assert_msg(got && strcmp(got, want[i].name) == 0, "0x%08x: got %s want %s", want[i].code,
                      got ? got : "(null)", want[i].name);
    }
    ck_assert_ptr_null(nt_status_name(0xC0DEC0DE));
    ck_assert_ptr_null(nt_status_name(0x00000001));
    ck_assert_ptr_null(nt_status_name(0xFFFFFFFF));
}
END_TEST

START_TEST(dos_names_and_unknowns)
{
    char buf[32];
    ck_assert_str_eq(dos_error_name(0x01, 0x0002, buf, sizeof buf), "ERRDOS/ERRbadfile");
    ck_assert_str_eq(dos_error_name(0x01, 0x0005, buf, sizeof buf), "ERRDOS/ERRnoaccess");
    ck_assert_str_eq(dos_error_name(0x02, 0x0002, buf, sizeof buf), "ERRSRV/ERRbadpw");
    ck_assert_str_eq(dos_error_name(0x02, 0x0006, buf, sizeof buf), "ERRSRV/ERRinvnetname");
    ck_assert_str_eq(dos_error_name(0x02, 0x005B, buf, sizeof buf), "ERRSRV/ERRbaduid");
    ck_assert_str_eq(dos_error_name(0x03, 0x0015, buf, sizeof buf), "ERRHRD/ERRnotready");
    /* the same code means different things in different classes */
    ck_assert_str_eq(dos_error_name(0x01, 0x0020, buf, sizeof buf), "ERRDOS/ERRbadshare");
    ck_assert_str_eq(dos_error_name(0x02, 0x0005, buf, sizeof buf), "ERRSRV/ERRinvtid");
    /* unknown codes in a known class, and unknown classes */
    ck_assert_str_eq(dos_error_name(0x01, 0x4242, buf, sizeof buf), "ERRDOS/0x4242");
    ck_assert_str_eq(dos_error_name(0xff, 0x0001, buf, sizeof buf), "ERRCMD/0x0001");
    ck_assert_str_eq(dos_error_name(0x42, 0x0001, buf, sizeof buf), "0x42/0x0001");
    /* the buffer bounds the text; without one an unknown pair is "?" */
    char small[8];
    ck_assert_str_eq(dos_error_name(0x01, 0x4242, small, sizeof small), "ERRDOS/");
    ck_assert_str_eq(dos_error_name(0x01, 0x4242, NULL, 0), "?");
    ck_assert_str_eq(dos_error_name(0x01, 0x0002, NULL, 0), "ERRDOS/ERRbadfile");
}
END_TEST

static struct smb1_hdr hdr(uint32_t status, bool nt)
{
    struct smb1_hdr h;
    memset(&h, 0, sizeof h);
    h.status = status;
    h.nt_status = nt;
    h.is_rsp = true;
    return h;
}

START_TEST(header_status_names)
{
    char buf[32];
    struct smb1_hdr h = hdr(0xC000006D, true);
    ck_assert_str_eq(smb1_status_name(&h, buf, sizeof buf), "STATUS_LOGON_FAILURE");
    h = hdr(0xC0DEC0DE, true);
    ck_assert_str_eq(smb1_status_name(&h, buf, sizeof buf), "0xc0dec0de");
    h = hdr(0, true);
    ck_assert_str_eq(smb1_status_name(&h, buf, sizeof buf), "STATUS_SUCCESS");
    /* DOS: class in the low byte, code in the high half */
    h = hdr(0, false);
    ck_assert_str_eq(smb1_status_name(&h, buf, sizeof buf), "STATUS_SUCCESS");
    h = hdr(0x00020001, false);
    ck_assert_str_eq(smb1_status_name(&h, buf, sizeof buf), "ERRDOS/ERRbadfile");
    h = hdr(0x00020002, false);
    ck_assert_str_eq(smb1_status_name(&h, buf, sizeof buf), "ERRSRV/ERRbadpw");
    h = hdr(0x00570001, false);
    ck_assert_str_eq(smb1_status_name(&h, buf, sizeof buf), "ERRDOS/ERRinvalidparam");
    h = hdr(0x12340001, false);
    ck_assert_str_eq(smb1_status_name(&h, buf, sizeof buf), "ERRDOS/0x1234");
}
END_TEST

START_TEST(header_status_is_error)
{
    struct smb1_hdr h = hdr(0, true);
    ck_assert(!smb1_status_is_error(&h));
    h = hdr(0xC0000022, true);
    ck_assert(smb1_status_is_error(&h));
    h = hdr(0xC0000016, true); /* MORE_PROCESSING_REQUIRED: severity error on the wire */
    ck_assert(smb1_status_is_error(&h));
    h = hdr(0x80000005, true); /* warning: data still returned */
    ck_assert(!smb1_status_is_error(&h));
    h = hdr(0x00000103, true); /* PENDING: low byte 0x03 but reserved byte set */
    ck_assert(!smb1_status_is_error(&h));
    h = hdr(0x0000010C, true);
    ck_assert(!smb1_status_is_error(&h));
    h = hdr(0x00010002, true); /* STATUS_INVALID_SMB */
    ck_assert(smb1_status_is_error(&h));
    h = hdr(0x005B0002, true); /* STATUS_SMB_BAD_UID */
    ck_assert(smb1_status_is_error(&h));
    h = hdr(0x00020001, false);
    ck_assert(smb1_status_is_error(&h));
    h = hdr(0, false);
    ck_assert(!smb1_status_is_error(&h));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("status");
    TCase *tc = tcase_create("status");
    tcase_add_test(tc, nt_table_is_sorted_without_duplicates);
    tcase_add_test(tc, dos_table_is_sorted_without_duplicates);
    tcase_add_test(tc, nt_spot_checks);
    tcase_add_test(tc, dos_names_and_unknowns);
    tcase_add_test(tc, header_status_names);
    tcase_add_test(tc, header_status_is_error);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
