/* Unit tests for what an open is and whose it is: the `file` record's `kind`
 * (file, directory, pipe, printer) from the tree's service and share, the
 * create options and the open's response; a file that becomes a pipe keeps
 * the bytes seen; and `user` / `domain` on every file record (a pipe's bytes
 * through the core: test_smb1_pipe.c).
 * Spec: [MS-CIFS] 2.2.4.55.2 (Service "IPC", "LPT1:"), 2.2.4.64.2 (FileType,
 * Directory), 2.2.4.41.2 (OPEN_ANDX ResourceType),
 * [MS-FSA] 2.1.5.1 (FILE_DIRECTORY_FILE opens only a directory).
 * Real fixtures (smb1_harness.h): zeek/raw_ntlm_in_smb.pcap frames 28-29
 * (NT_CREATE_ANDX of \srvsvc, 42-word response, FileType 2). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "smb1_core.h"
#include "smb1_harness.h"

/* ---- builders for variants (layouts: [MS-CIFS] sections named inline) ---- */

#define TID 7
#define PID 9
#define UID 3

/* NT_CREATE_ANDX request, OEM name ([MS-CIFS] 2.2.4.64.1) */
static void ntc_req(struct mb *m, uint16_t mid, const char *name, uint32_t options)
{
    mb_hdr(m, 0xa2, 0, 0x18, 0x4001, TID, PID, UID, mid);
    mb_words(m);
    mb_u32(m, 0xff);       /* AndX: none */
    mb_u8(m, 0);           /* Reserved */
    mb_u16(m, 0);          /* NameLength 0: read to the NUL */
    mb_u32(m, 0);          /* Flags */
    mb_u32(m, 0);          /* RootDirectoryFID */
    mb_u32(m, 0x00120089); /* DesiredAccess: generic read */
    mb_u64(m, 0);          /* AllocationSize */
    mb_u32(m, 0);          /* ExtFileAttributes */
    mb_u32(m, 7);          /* ShareAccess */
    mb_u32(m, 1);          /* CreateDisposition: open */
    mb_u32(m, options);    /* CreateOptions */
    mb_u32(m, 2);          /* ImpersonationLevel */
    mb_u8(m, 0);           /* SecurityFlags */
    mb_bytes(m);
    mb_astr(m, name);
    mb_end(m);
}

/* NT_CREATE_ANDX response, 34 words ([MS-CIFS] 2.2.4.64.2) */
static void ntc_rsp(struct mb *m, uint16_t mid, uint16_t fid, uint64_t eof, uint16_t type, uint8_t dir)
{
    mb_hdr(m, 0xa2, 0, 0x98, 0x4001, TID, PID, UID, mid);
    mb_words(m);
    mb_u32(m, 0xff);   /* AndX: none */
    mb_u8(m, 0);       /* OplockLevel */
    mb_u16(m, fid);    /* FID */
    mb_u32(m, 1);      /* CreateAction: opened */
    mb_zero(m, 32);    /* four times */
    mb_u32(m, dir ? 0x10 : 0x80); /* ExtFileAttributes */
    mb_u64(m, 0);      /* AllocationSize */
    mb_u64(m, eof);    /* EndOfFile */
    mb_u16(m, type);   /* ResourceType (FileType) */
    mb_u16(m, 0);      /* NMPipeStatus */
    mb_u8(m, dir);     /* Directory */
    mb_bytes(m);
    mb_end(m);
}

/* OPEN_ANDX request ([MS-CIFS] 2.2.4.41.1), Flags REQ_ATTRIB (0x0001) */
static void ox_req(struct mb *m, uint16_t mid, const char *name)
{
    mb_hdr(m, 0x2d, 0, 0x08, 0x4001, TID, PID, UID, mid);
    mb_words(m);
    mb_u32(m, 0xff);   /* AndX: none */
    mb_u16(m, 0x0001); /* Flags: REQ_ATTRIB */
    mb_u16(m, 0x0042); /* AccessMode: read/write, deny none */
    mb_u16(m, 0x0016); /* SearchAttrs */
    mb_u16(m, 0);      /* FileAttrs */
    mb_u32(m, 0);      /* CreationTime */
    mb_u16(m, 0x0001); /* OpenMode: open if exists */
    mb_u32(m, 0);      /* AllocationSize */
    mb_u32(m, 0);      /* Timeout */
    mb_zero(m, 4);     /* Reserved */
    mb_bytes(m);
    mb_astr(m, name);
    mb_end(m);
}

/* OPEN_ANDX response ([MS-CIFS] 2.2.4.41.2) */
static void ox_rsp(struct mb *m, uint16_t mid, uint16_t fid, uint32_t size, uint16_t type)
{
    mb_hdr(m, 0x2d, 0, 0x88, 0x4001, TID, PID, UID, mid);
    mb_words(m);
    mb_u32(m, 0xff);   /* AndX: none */
    mb_u16(m, fid);    /* FID */
    mb_u16(m, 0);      /* FileAttrs */
    mb_u32(m, 0);      /* LastWriteTime */
    mb_u32(m, size);   /* FileDataSize */
    mb_u16(m, 3);      /* AccessRights: read/write */
    mb_u16(m, type);   /* ResourceType */
    mb_u16(m, 0);      /* NMPipeStatus */
    mb_u16(m, 1);      /* OpenResults: opened */
    mb_zero(m, 6);     /* Reserved */
    mb_bytes(m);
    mb_end(m);
}

/* request then response of one open, on t's connection */
static void open_exchange(struct th *t, const struct mb *q, const struct mb *r)
{
    struct smb1_pending p;
    tx_init(t, &p);
    th_exchange(t, &p, q->b, q->n, r->b, r->n);
    tx_free(&p);
}

/* ---- kind from the tree and the open -------------------------------------- */

START_TEST(ipc_tree_and_nt_create_pipe_response)
{
    struct th t;
    th_init(&t);
    th_tree(&t.c, 0x0800, "\\\\192.168.56.101\\IPC$", "IPC");
    struct smb1_pending p;
    tx_init(&t, &p);
    th_exchange(&t, &p, NTC_REQ_PIPE, sizeof NTC_REQ_PIPE, NTC_RSP_PIPE, sizeof NTC_RSP_PIPE);
    tx_free(&p);
    struct smb1_open *o = smb1_open_get(&t.c, 0x4000);
    ck_assert_ptr_nonnull(o);
    ck_assert_int_eq(o->kind, SMB1_OPEN_PIPE);
    ck_assert_ptr_null(o->ft);     /* nothing to hash */
    ck_assert(!o->size_known);     /* a pipe's EndOfFile is not a size */
    smb1_open_close(&t.c, 0x4000, TS_RSP);
    ck_assert_str_eq(th_find(&t, "file "),
                     "file ts=1000500 start=@1000000 name=\"\\srvsvc\" share=\"\\\\192.168.56.101\\IPC$\" kind=\"pipe\" fid=16384 "
                     "uid=2048 tid=2048 user=null domain=null size=null bytes_in=0 bytes_out=0 partial=false");
    th_end(&t);
}
END_TEST

static void ipc_tree(struct th *t) { th_tree(&t->c, 0x0800, "\\\\S\\IPC$", "IPC"); }

START_TEST(pipe_response_alone_and_ipc_share_path_alone)
{
    /* no tree seen: the response's FileType (message-mode pipe) decides */
    struct th t;
    th_init(&t);
    struct smb1_pending p;
    tx_init(&t, &p);
    th_exchange(&t, &p, NTC_REQ_PIPE, sizeof NTC_REQ_PIPE, NTC_RSP_PIPE, sizeof NTC_RSP_PIPE);
    tx_free(&p);
    ck_assert_int_eq(smb1_open_get(&t.c, 0x4000)->kind, SMB1_OPEN_PIPE);
    th_end(&t);

    /* a tree whose response was not seen (no service): its path ends in IPC$ */
    th_init(&t);
    th_tree(&t.c, 5, "\\\\SRV\\ipc$", NULL);
    ck_assert_int_eq(smb1_open_add(&t.c, 1, UID, 5, "\\winreg", 1)->kind, SMB1_OPEN_PIPE);
    th_tree(&t.c, 6, "\\\\SRV\\C$", NULL);
    ck_assert_int_eq(smb1_open_add(&t.c, 2, UID, 6, "\\x", 1)->kind, SMB1_OPEN_FILE);
    /* the service, when known, wins over the path */
    th_tree(&t.c, 8, "\\\\SRV\\IPC$", "A:");
    ck_assert_int_eq(smb1_open_add(&t.c, 3, UID, 8, "\\y", 1)->kind, SMB1_OPEN_FILE);
    th_end(&t);

    /* every cut of the real exchange is safe on an IPC tree */
    th_cuts(ipc_tree, NTC_REQ_PIPE, sizeof NTC_REQ_PIPE, NTC_RSP_PIPE, sizeof NTC_RSP_PIPE);
}
END_TEST

START_TEST(printer_by_service_and_by_file_type)
{
    struct th t;
    th_init(&t);
    th_tree(&t.c, TID, "\\\\SRV\\LaserJet", "LPT1:");
    struct mb q, r;
    ntc_req(&q, 1, "\\job", 0x40);
    ntc_rsp(&r, 1, 0x10, 0, 0xffff, 0); /* FileTypeUnknown: the tree's word stands */
    open_exchange(&t, &q, &r);
    struct smb1_open *o = smb1_open_get(&t.c, 0x10);
    ck_assert_int_eq(o->kind, SMB1_OPEN_PRINTER);
    ck_assert_ptr_nonnull(o->ft); /* a print job is content: it keeps its hash */
    smb1_open_close(&t.c, 0x10, TS_RSP);
    ck_assert(th_line_has(&t, "file ", " kind=\"printer\" "));
    ck_assert(th_line_has(&t, "file ", " sha256=\"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\""));
    th_end(&t);

    /* a disk-service tree, but the response says printer (FileType 3) */
    th_init(&t);
    th_tree(&t.c, TID, "\\\\SRV\\share", "A:");
    ntc_req(&q, 1, "\\p", 0x40);
    ntc_rsp(&r, 1, 0x11, 0, 3, 0);
    open_exchange(&t, &q, &r);
    ck_assert_int_eq(smb1_open_get(&t.c, 0x11)->kind, SMB1_OPEN_PRINTER);
    th_end(&t);
}
END_TEST

START_TEST(directory_by_create_options_and_by_directory_byte)
{
    struct th t;
    th_init(&t);
    th_tree(&t.c, TID, "\\\\SRV\\share", "A:");
    struct mb q, r;
    /* FILE_DIRECTORY_FILE asked: a successful open is a directory even if
     * the response's Directory byte says 0 */
    ntc_req(&q, 1, "\\docs", 0x01);
    ntc_rsp(&r, 1, 0x20, 0, 0, 0);
    open_exchange(&t, &q, &r);
    ck_assert_int_eq(smb1_open_get(&t.c, 0x20)->kind, SMB1_OPEN_DIRECTORY);
    ck_assert_ptr_null(smb1_open_get(&t.c, 0x20)->ft);
    /* no create option, the Directory byte says so */
    ntc_req(&q, 2, "\\pics", 0x40);
    ntc_rsp(&r, 2, 0x21, 0, 0, 1);
    open_exchange(&t, &q, &r);
    ck_assert_int_eq(smb1_open_get(&t.c, 0x21)->kind, SMB1_OPEN_DIRECTORY);
    /* neither: a file with its size */
    ntc_req(&q, 3, "\\a.txt", 0x40);
    ntc_rsp(&r, 3, 0x22, 12, 0, 0);
    open_exchange(&t, &q, &r);
    ck_assert_int_eq(smb1_open_get(&t.c, 0x22)->kind, SMB1_OPEN_FILE);
    smb1_open_close(&t.c, 0x20, TS_RSP);
    /* a directory has no content fields at all */
    ck_assert_str_eq(th_find(&t, "file "), "file ts=1000500 start=@1000000 name=\"\\docs\" share=\"\\\\SRV\\share\" kind=\"directory\" "
                                           "fid=32 uid=3 tid=7 user=null domain=null size=null partial=false");
    smb1_open_close(&t.c, 0x22, TS_RSP);
    ck_assert(th_line_has(&t, "file ", " kind=\"file\" fid=34 uid=3 tid=7 user=null domain=null size=12 bytes_read=0 "));
    th_end(&t);
    ntc_req(&q, 1, "\\docs", 0x01);
    ntc_rsp(&r, 1, 0x20, 0, 0, 0);
    th_cuts(NULL, q.b, q.n, r.b, r.n);
}
END_TEST

START_TEST(open_andx_file_type)
{
    struct th t;
    th_init(&t);
    th_tree(&t.c, TID, "\\\\SRV\\share", "A:");
    struct mb q, r;
    /* ResourceType 1 (byte-mode pipe) overrides a disk tree */
    ox_req(&q, 1, "\\pipe\\x");
    ox_rsp(&r, 1, 0x30, 0, 1);
    open_exchange(&t, &q, &r);
    ck_assert_int_eq(smb1_open_get(&t.c, 0x30)->kind, SMB1_OPEN_PIPE);
    ck_assert(!smb1_open_get(&t.c, 0x30)->size_known);
    /* ResourceType 3: printer */
    ox_req(&q, 2, "\\lp");
    ox_rsp(&r, 2, 0x31, 0, 3);
    open_exchange(&t, &q, &r);
    ck_assert_int_eq(smb1_open_get(&t.c, 0x31)->kind, SMB1_OPEN_PRINTER);
    /* ResourceType 0 on a disk tree: a file */
    ox_req(&q, 3, "\\f");
    ox_rsp(&r, 3, 0x32, 9, 0);
    open_exchange(&t, &q, &r);
    ck_assert_int_eq(smb1_open_get(&t.c, 0x32)->kind, SMB1_OPEN_FILE);
    ck_assert(smb1_open_get(&t.c, 0x32)->size_known);
    th_end(&t);

    /* ResourceType 0 is also what a server sends when it was not asked for
     * the additional fields: it does not turn an IPC tree's open into a file */
    th_init(&t);
    th_tree(&t.c, TID, "\\\\SRV\\IPC$", "IPC");
    ox_req(&q, 1, "\\srvsvc");
    ox_rsp(&r, 1, 0x33, 0, 0);
    open_exchange(&t, &q, &r);
    ck_assert_int_eq(smb1_open_get(&t.c, 0x33)->kind, SMB1_OPEN_PIPE);
    th_end(&t);
    th_cuts(NULL, q.b, q.n, r.b, r.n);
}
END_TEST

START_TEST(kind_names)
{
    ck_assert_str_eq(smb1_open_kind_name(SMB1_OPEN_FILE), "file");
    ck_assert_str_eq(smb1_open_kind_name(SMB1_OPEN_DIRECTORY), "directory");
    ck_assert_str_eq(smb1_open_kind_name(SMB1_OPEN_PIPE), "pipe");
    ck_assert_str_eq(smb1_open_kind_name(SMB1_OPEN_PRINTER), "printer");
}
END_TEST

/* data a file tracker already counted moves to the pipe's counters */
START_TEST(becoming_a_pipe_keeps_the_bytes_seen)
{
    struct th t;
    th_init(&t);
    struct smb1_open *o = smb1_open_add(&t.c, 1, UID, TID, "\\x", 1);
    file_data(o->ft, FILE_WRITE, 0, (const uint8_t *)"abcd", 4);
    file_data(o->ft, FILE_READ, 0, (const uint8_t *)"wxyz!", 5);
    smb1_open_set_kind(&t.c, o, SMB1_OPEN_PIPE);
    ck_assert_ptr_null(o->ft);
    ck_assert_uint_eq(o->pipe_in, 4);
    ck_assert_uint_eq(o->pipe_out, 5);
    ck_assert(!smb1_pipe_count(&t.c, 2, true, 1)); /* unknown FID */
    ck_assert(smb1_pipe_count(&t.c, 1, true, UINT64_MAX)); /* saturates, never wraps */
    ck_assert_uint_eq(o->pipe_in, UINT64_MAX);
    th_end(&t);
}
END_TEST

/* ---- who touched it -------------------------------------------------------- */

START_TEST(file_records_carry_user_and_domain)
{
    struct th t;
    th_init(&t);
    struct smb1_session *s = smb1_session_get(&t.c, 0x64, true, 1);
    s->user = strdup("bob");
    s->domain = strdup("WORKGROUP");
    smb1_open_add(&t.c, 1, 0x64, TID, "\\known", 2);
    smb1_open_add(&t.c, 2, 0x65, TID, "\\unknown", 3); /* its session is a partial one: no account */
    smb1_open_close(&t.c, 1, 4);
    smb1_open_close(&t.c, 2, 5);
    ck_assert(th_line_has(&t, "file ", "name=\"\\known\" share=null kind=\"file\" fid=1 uid=100 tid=7 user=\"bob\" "
                                       "domain=\"WORKGROUP\" "));
    ck_assert(th_line_has(&t, "file ", "name=\"\\unknown\" share=null kind=\"file\" fid=2 uid=101 tid=7 user=null "
                                       "domain=null "));
    /* a file still open at LOGOFF is written before its session goes */
    smb1_open_add(&t.c, 3, 0x64, TID, "\\late", 6);
    smb1_open_close_uid(&t.c, 0x64, 7);
    smb1_session_end(&t.c, 0x64, 7);
    ck_assert(th_line_has(&t, "file ", "name=\"\\late\" share=null kind=\"file\" fid=3 uid=100 tid=7 user=\"bob\" "));
    th_end(&t);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("smb1_kind");
    TCase *tc = tcase_create("kind");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, ipc_tree_and_nt_create_pipe_response);
    tcase_add_test(tc, pipe_response_alone_and_ipc_share_path_alone);
    tcase_add_test(tc, printer_by_service_and_by_file_type);
    tcase_add_test(tc, directory_by_create_options_and_by_directory_byte);
    tcase_add_test(tc, open_andx_file_type);
    tcase_add_test(tc, kind_names);
    tcase_add_test(tc, becoming_a_pipe_keeps_the_bytes_seen);
    tcase_add_test(tc, file_records_carry_user_and_domain);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
