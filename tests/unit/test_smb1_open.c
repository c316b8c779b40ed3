/* Unit tests for the open commands other than NT_CREATE_ANDX: OPEN_ANDX
 * ([MS-CIFS] 2.2.4.41), OPEN (2.2.4.3), CREATE (2.2.4.4), and every
 * truncation of every open exchange (NT_CREATE_ANDX's too). Real fixtures
 * (smb1_open_fixtures.h): arkime/smb-smbclient.pcap frames 19-20 (Unicode
 * OPEN_ANDX), arkime/smb-smb1-ascii.pcap frames 21-22 (OEM OPEN_ANDX).
 * NT_CREATE_ANDX is in test_smb1_ntcreate.c. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smb1_harness.h"
#include "smb1_open_fixtures.h"

START_TEST(open_andx_unicode)
{
    struct th t;
    th_init(&t);
    smbclient_tree(&t);
    struct smb1_pending p;
    tx_init(&t, &p);
    th_exchange(&t, &p, OX_REQ, sizeof OX_REQ, OX_RSP, sizeof OX_RSP);
    ck_assert_str_eq(f_str(&p, "file"), "\\tmp\\foo");
    ck_assert_str_eq(f_str(&p, "access"), "read, deny none");
    ck_assert_uint_eq(f_uint(&p, "open_function"), 1);
    ck_assert_str_eq(f_str(&p, "open_action"), "open or fail");
    ck_assert_uint_eq(f_uint(&p, "fid"), 0x42fe);
    ck_assert_uint_eq(f_uint(&p, "size"), 15);
    ck_assert_str_eq(f_str(&p, "action"), "opened");
    struct smb1_open *o = smb1_open_get(&t.c, 0x42fe);
    ck_assert_ptr_nonnull(o);
    ck_assert_str_eq(o->name, "\\tmp\\foo");
    ck_assert_str_eq(o->share, "\\\\LOCALHOST\\MP3");
    ck_assert(o->size_known);
    ck_assert_uint_eq(o->size, 15);
    ck_assert_uint_eq(o->ts_us, TS_REQ);
    struct smb1_session *s = smb1_session_get(&t.c, 0, false, 0);
    ck_assert_ptr_nonnull(s);
    ck_assert_str_eq(s->files.v[0], "\\tmp\\foo");
    ck_assert_str_eq(s->shares.v[0], "\\\\LOCALHOST\\MP3");
    tx_free(&p);
    th_end(&t);
}
END_TEST

START_TEST(open_andx_oem_truncate_or_create)
{
    struct th t;
    th_init(&t);
    struct smb1_pending p;
    tx_init(&t, &p);
    th_exchange(&t, &p, OX_REQ_OEM, sizeof OX_REQ_OEM, OX_RSP_OEM, sizeof OX_RSP_OEM);
    ck_assert_str_eq(f_str(&p, "file"), "\\XXXXXXXX.exe");
    ck_assert_str_eq(f_str(&p, "access"), "read/write, deny none");
    ck_assert_uint_eq(f_uint(&p, "open_function"), 0x12);
    ck_assert_str_eq(f_str(&p, "open_action"), "truncate or create");
    ck_assert_uint_eq(f_uint(&p, "fid"), 0xc008);
    ck_assert_str_eq(f_str(&p, "action"), "created");
    struct smb1_open *o = smb1_open_get(&t.c, 0xc008);
    ck_assert_ptr_nonnull(o);
    ck_assert_ptr_null(o->share); /* the tree connect was not seen */
    tx_free(&p);
    th_end(&t);
}
END_TEST

START_TEST(open_andx_failure_keeps_file)
{
    struct th t;
    th_init(&t);
    struct smb1_pending p;
    tx_init(&t, &p);
    struct mb r;
    mb_hdr(&r, 0x2d, 0xc0000034, 0x88, 0xc001, 1, 0x0f77, 0, 6); /* STATUS_OBJECT_NAME_NOT_FOUND */
    mb_words(&r);
    mb_bytes(&r);
    mb_end(&r);
    th_exchange(&t, &p, OX_REQ, sizeof OX_REQ, r.b, r.n);
    ck_assert_str_eq(f_str(&p, "file"), "\\tmp\\foo");
    ck_assert(f_absent(&p, "fid"));
    ck_assert_ptr_null(t.c.opens);
    ck_assert_uint_eq(th_count(&t, "anomaly"), 0);
    tx_free(&p);
    th_end(&t);
    th_cuts(NULL, OX_REQ, sizeof OX_REQ, r.b, r.n);
}
END_TEST

START_TEST(open_mode_texts)
{
    static const struct { uint16_t mode; const char *text; } cases[] = {
        {0x00, "fail"}, {0x10, "fail or create"}, {0x01, "open or fail"}, {0x11, "open or create"},
        {0x02, "truncate or fail"}, {0x12, "truncate or create"}, {0x03, "invalid"},
    };
    static const struct { uint16_t access; const char *text; } acc[] = {
        {0x0000, "read, compatibility"}, {0x0011, "write, deny all"}, {0x0022, "read/write, deny write"},
        {0x0033, "execute, deny read"}, {0x0047, "access 7, deny none"}, {0x0070, "read, sharing 7"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct th t;
        th_init(&t);
        struct smb1_pending p;
        tx_init(&t, &p);
        struct mb q;
        mb_hdr(&q, 0x2d, 0, 0x08, 0xc001, 1, 1, 1, 1);
        mb_words(&q);
        mb_u32(&q, 0xff);          /* AndX */
        mb_u16(&q, 0);             /* Flags */
        mb_u16(&q, acc[i % 6].access); /* AccessMode */
        mb_u16(&q, 0);             /* SearchAttrs */
        mb_u16(&q, 0);             /* FileAttrs */
        mb_u32(&q, 0);             /* CreationTime */
        mb_u16(&q, cases[i].mode); /* OpenMode */
        mb_zero(&q, 12);           /* AllocationSize, Timeout, Reserved */
        mb_bytes(&q);
        mb_pad2(&q);
        mb_ustr(&q, "\\a.txt");
        mb_end(&q);
        th_req(&t, &p, q.b, q.n, q.n);
        ck_assert_str_eq(f_str(&p, "open_action"), cases[i].text);
        ck_assert_str_eq(f_str(&p, "access"), acc[i % 6].text);
        ck_assert_str_eq(f_str(&p, "file"), "\\a.txt");
        tx_free(&p);
        th_end(&t);
        th_cuts(NULL, q.b, q.n, NULL, 0);
    }
}
END_TEST

START_TEST(core_open_and_create)
{
    struct th t;
    th_init(&t);
    struct smb1_pending p;
    tx_init(&t, &p);
    struct mb q, r;
    mb_hdr(&q, 0x02, 0, 0x08, 0x0001, 5, 1, 2, 20); /* OPEN */
    mb_words(&q);
    mb_u16(&q, 0x0022);   /* AccessMode: read/write, deny write */
    mb_u16(&q, 0x0016);   /* SearchAttributes */
    mb_bytes(&q);
    mb_u8(&q, 0x04);      /* BufferFormat */
    mb_astr(&q, "\\AUTOEXEC.BAT");
    mb_end(&q);
    mb_hdr(&r, 0x02, 0, 0x88, 0x0001, 5, 1, 2, 20);
    mb_words(&r);
    mb_u16(&r, 0x0a01);   /* FID */
    mb_u16(&r, 0x20);     /* FileAttrs */
    mb_u32(&r, 0);        /* LastModified */
    mb_u32(&r, 812);      /* FileSize */
    mb_u16(&r, 0x22);     /* AccessMode */
    mb_bytes(&r);
    mb_end(&r);
    th_exchange(&t, &p, q.b, q.n, r.b, r.n);
    ck_assert_str_eq(f_str(&p, "file"), "\\AUTOEXEC.BAT");
    ck_assert_str_eq(f_str(&p, "access"), "read/write, deny write");
    ck_assert_uint_eq(f_uint(&p, "fid"), 0x0a01);
    ck_assert_uint_eq(f_uint(&p, "size"), 812);
    ck_assert_uint_eq(smb1_open_get(&t.c, 0x0a01)->size, 812);
    tx_free(&p);
    th_cuts(NULL, q.b, q.n, r.b, r.n);

    tx_init(&t, &p);
    mb_hdr(&q, 0x03, 0, 0x08, 0xc001, 5, 1, 2, 21); /* CREATE, Unicode */
    mb_words(&q);
    mb_u16(&q, 0x20);     /* FileAttributes */
    mb_u32(&q, 0);        /* CreationTime */
    mb_bytes(&q);
    mb_u8(&q, 0x04);      /* BufferFormat: the name then sits at an even offset */
    mb_pad2(&q);
    mb_ustr(&q, "\\new.txt");
    mb_end(&q);
    mb_hdr(&r, 0x03, 0, 0x88, 0xc001, 5, 1, 2, 21);
    mb_words(&r);
    mb_u16(&r, 0x0a02);   /* FID */
    mb_bytes(&r);
    mb_end(&r);
    th_exchange(&t, &p, q.b, q.n, r.b, r.n);
    ck_assert_str_eq(f_str(&p, "file"), "\\new.txt");
    ck_assert_uint_eq(f_uint(&p, "fid"), 0x0a02);
    struct smb1_open *o = smb1_open_get(&t.c, 0x0a02);
    ck_assert(o->size_known);
    ck_assert_uint_eq(o->size, 0);
    ck_assert_uint_eq(th_count(&t, "anomaly"), 0);
    tx_free(&p);
    th_end(&t);
    th_cuts(NULL, q.b, q.n, r.b, r.n);
}
END_TEST

/* ---- OPEN_ANDX: attributes only when asked ([MS-CIFS] 2.2.4.41.1-2) ---- */

static size_t ox_req(struct mb *m, uint16_t flags)
{
    mb_hdr(m, 0x2d, 0, 0x08, 0x4001, 1, 0x0200, 0x0800, 9);
    mb_words(m);
    mb_u32(m, 0x000000ff);  /* AndX: none */
    mb_u16(m, flags);       /* Flags: bit 0 REQ_ATTRIB asks for the attributes */
    mb_u16(m, 0x0040);      /* AccessMode: read, deny none */
    mb_u16(m, 0x0016);      /* SearchAttrs */
    mb_u16(m, 0);           /* FileAttrs */
    mb_u32(m, 0);           /* CreationTime */
    mb_u16(m, 0x0001);      /* OpenMode: open if exists, else fail */
    mb_u32(m, 0);           /* AllocationSize */
    mb_u32(m, 0);           /* Timeout */
    mb_u32(m, 0);           /* Reserved */
    mb_bytes(m);
    mb_astr(m, "\\WINDOWS\\system32\\powershell.exe"); /* FileName (OEM) */
    mb_end(m);
    return m->n;
}

static size_t ox_rsp(struct mb *m, uint16_t attrs, uint32_t size, uint16_t results)
{
    mb_hdr(m, 0x2d, 0, 0x88, 0x4001, 1, 0x0200, 0x0800, 9);
    mb_words(m);
    mb_u32(m, 0x000000ff);  /* AndX: none */
    mb_u16(m, 0x4001);      /* FID */
    mb_u16(m, attrs);       /* FileAttrs */
    mb_u32(m, 0);           /* LastWriteTime */
    mb_u32(m, size);        /* FileDataSize */
    mb_u16(m, 0);           /* AccessRights */
    mb_u16(m, 0);           /* ResourceType: disk */
    mb_u16(m, 0);           /* NMPipeStatus */
    mb_u16(m, results);     /* OpenResults */
    mb_zero(m, 6);          /* Reserved */
    mb_bytes(m);
    mb_end(m);
    return m->n;
}

START_TEST(open_andx_size_only_when_asked)
{
    struct {
        uint16_t flags, attrs;
        uint32_t size;
        uint16_t results;
        bool known;
    } cases[] = {
        /* Windows: REQ_ATTRIB clear, everything after the FID zero: the zero
         * size means nothing */
        {0x0000, 0, 0, 0, false},
        /* asked for: a zero size is a real empty file */
        {0x0001, 0, 0, 0, true},
        {0x0001, 0x0020, 1234, 1, true},
        /* not asked, but the server filled the block in anyway (Samba): what
         * the client itself was told */
        {0x0000, 0x0020, 1234, 1, true},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct th t;
        th_init(&t);
        struct smb1_pending p;
        tx_init(&t, &p);
        struct mb q, r;
        size_t m = ox_req(&q, cases[i].flags);
        size_t n = ox_rsp(&r, cases[i].attrs, cases[i].size, cases[i].results);
        th_exchange(&t, &p, q.b, m, r.b, n);
        ck_assert_uint_eq(f_uint(&p, "fid"), 0x4001);
        struct smb1_open *o = smb1_open_get(&t.c, 0x4001);
        ck_assert_ptr_nonnull(o);
        ck_assert_msg(o->size_known == cases[i].known, "case %zu", i);
        if (cases[i].known) {
            ck_assert_uint_eq(f_uint(&p, "size"), cases[i].size);
            ck_assert_uint_eq(o->size, cases[i].size);
        } else {
            ck_assert_msg(f_null(&p, "size"), "case %zu", i);
        }
        tx_free(&p);
        /* the file record: no data seen; of unknown size it is never complete */
        smb1_state_end(&t.c, TS_RSP + 1);
        const char *rec = th_find(&t, "file ");
        ck_assert_ptr_nonnull(rec);
        if (cases[i].known) {
            char want[32];
            snprintf(want, sizeof want, " size=%u ", cases[i].size);
            ck_assert_msg(strstr(rec, want), "case %zu: %s", i, rec);
        } else {
            ck_assert_msg(strstr(rec, " size=null ") && strstr(rec, " sha256=null complete=false"), "case %zu: %s",
                          i, rec);
        }
        th_end(&t);
        th_cuts(NULL, q.b, m, r.b, n);
    }
}
END_TEST

START_TEST(every_truncation)
{
    th_cuts(smbclient_tree, OX_REQ, sizeof OX_REQ, OX_RSP, sizeof OX_RSP);
    th_cuts(NULL, OX_REQ_OEM, sizeof OX_REQ_OEM, OX_RSP_OEM, sizeof OX_RSP_OEM);
    th_cuts(eicar_tree, NTC_REQ, sizeof NTC_REQ, NTC_RSP, sizeof NTC_RSP);
    th_cuts(NULL, NTC_REQ_PIPE, sizeof NTC_REQ_PIPE, NTC_RSP_PIPE, sizeof NTC_RSP_PIPE);
    struct mb q, r;
    size_t n = ntc_req(&q, true, 0, "\\docs\\a", 14);
    size_t k = ntc_rsp(&r, 0x12, 2, 77, false);
    th_cuts(NULL, q.b, n, r.b, k);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("smb1_open");
    TCase *tc = tcase_create("open");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, open_andx_unicode);
    tcase_add_test(tc, open_andx_oem_truncate_or_create);
    tcase_add_test(tc, open_andx_failure_keeps_file);
    tcase_add_test(tc, open_mode_texts);
    tcase_add_test(tc, core_open_and_create);
    tcase_add_test(tc, every_truncation);
    tcase_add_test(tc, open_andx_size_only_when_asked);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
