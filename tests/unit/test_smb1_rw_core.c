/* Unit tests for the core data commands READ ([MS-CIFS] 2.2.4.11) and WRITE
 * (2.2.4.12) with their stream functions (the data follows ByteCount,
 * BufferFormat and a 16-bit length), and LOCKING_ANDX (2.2.4.32). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "smb1_harness.h"

START_TEST(core_read_and_write)
{
    struct th t;
    th_init(&t);
    th_open_file(&t, 1, "\\\\SRV\\dos", "A:", 0x0a01, "\\AUTOEXEC.BAT", 812);
    struct smb1_pending p;
    struct mb q, r;
    struct smb1_stream s;

    tx_init(&t, &p);
    mb_hdr(&q, 0x0a, 0, 0x08, 0x0001, 1, 1, 0, 60); /* READ */
    mb_words(&q);
    mb_u16(&q, 0x0a01); /* FID */
    mb_u16(&q, 512);    /* CountOfBytesToRead */
    mb_u32(&q, 512);    /* ReadOffsetInBytes */
    mb_u16(&q, 0);      /* EstimateOfRemainingBytesToBeRead */
    mb_bytes(&q);
    mb_end(&q);
    mb_hdr(&r, 0x0a, 0, 0x88, 0x0001, 1, 1, 0, 60);
    mb_words(&r);
    mb_u16(&r, 300);    /* CountOfBytesReturned */
    mb_zero(&r, 8);     /* Reserved */
    mb_bytes(&r);
    mb_u8(&r, 0x01);    /* BufferFormat: data block */
    mb_u16(&r, 300);    /* CountOfBytesRead */
    size_t data_at = r.n;
    for (int i = 0; i < 300; i++)
        mb_u8(&r, (uint8_t)i);
    mb_end(&r);
    th_req(&t, &p, q.b, q.n, q.n);
    ck_assert_str_eq(f_str(&p, "file"), "\\AUTOEXEC.BAT");
    ck_assert_uint_eq(f_uint(&p, "count"), 512);
    ck_assert_uint_eq(f_uint(&p, "offset"), 512);
    ck_assert(th_stream(&t, &p, r.b, r.n, r.n, true, &s));
    ck_assert_uint_eq(s.data_off, data_at);
    ck_assert_uint_eq(s.data_len, 300);
    ck_assert_uint_eq(s.file_off, 512);
    th_rsp(&t, &p, r.b, r.n, r.n);
    ck_assert_uint_eq(f_uint(&p, "count"), 300);
    tx_free(&p);
    th_cuts(NULL, q.b, q.n, r.b, r.n);

    tx_init(&t, &p);
    mb_hdr(&q, 0x0b, 0, 0x08, 0x0001, 1, 1, 0, 61); /* WRITE */
    mb_words(&q);
    mb_u16(&q, 0x0a01); /* FID */
    mb_u16(&q, 100);    /* CountOfBytesToWrite */
    mb_u32(&q, 800);    /* WriteOffsetInBytes */
    mb_u16(&q, 0);      /* EstimateOfRemainingBytesToBeWritten */
    mb_bytes(&q);
    mb_u8(&q, 0x01);    /* BufferFormat */
    mb_u16(&q, 100);    /* DataLength */
    data_at = q.n;
    mb_zero(&q, 100);
    mb_end(&q);
    mb_hdr(&r, 0x0b, 0, 0x88, 0x0001, 1, 1, 0, 61);
    mb_words(&r);
    mb_u16(&r, 100);    /* CountOfBytesWritten */
    mb_bytes(&r);
    mb_end(&r);
    ck_assert(th_stream(&t, &p, q.b, q.n, q.n, false, &s));
    ck_assert_uint_eq(s.data_off, data_at);
    ck_assert_uint_eq(s.data_len, 100);
    ck_assert_uint_eq(s.file_off, 800);
    ck_assert_int_eq(s.io, FILE_WRITE);
    th_exchange(&t, &p, q.b, q.n, r.b, r.n);
    ck_assert_uint_eq(f_uint(&p, "count"), 100);
    ck_assert_uint_eq(smb1_open_get(&t.c, 0x0a01)->size, 900);
    tx_free(&p);
    th_end(&t);
    th_cuts(NULL, q.b, q.n, r.b, r.n);
}
END_TEST

START_TEST(locking_andx)
{
    struct th t;
    th_init(&t);
    th_open_file(&t, 1, "\\\\SRV\\db", "A:", 0x31, "\\ledger.mdb", 4096);
    struct smb1_pending p;
    tx_init(&t, &p);
    struct mb q;
    mb_hdr(&q, 0x24, 0, 0x08, 0xc001, 1, 1, 0, 70);
    mb_words(&q);
    mb_u32(&q, 0xff);   /* AndX */
    mb_u16(&q, 0x31);   /* FID */
    mb_u8(&q, 0x10);    /* TypeOfLock: large files */
    mb_u8(&q, 0);       /* NewOpLockLevel */
    mb_u32(&q, 0);      /* Timeout */
    mb_u16(&q, 1);      /* NumberOfRequestedUnlocks */
    mb_u16(&q, 2);      /* NumberOfRequestedLocks */
    mb_bytes(&q);
    mb_zero(&q, 60);    /* three LOCKING_ANDX_RANGE64 */
    mb_end(&q);
    th_req(&t, &p, q.b, q.n, q.n);
    ck_assert_uint_eq(f_uint(&p, "fid"), 0x31);
    ck_assert_str_eq(f_str(&p, "file"), "\\ledger.mdb");
    ck_assert_uint_eq(f_uint(&p, "lock_type"), 0x10);
    ck_assert_uint_eq(f_uint(&p, "unlocks"), 1);
    ck_assert_uint_eq(f_uint(&p, "locks"), 2);
    tx_free(&p);
    th_cuts(NULL, q.b, q.n, NULL, 0);
    th_end(&t);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("smb1_rw_core");
    TCase *tc = tcase_create("rw_core");
    tcase_add_test(tc, core_read_and_write);
    tcase_add_test(tc, locking_andx);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
