/* Unit tests for the open commands: OPEN_ANDX ([MS-CIFS] 2.2.4.41),
 * NT_CREATE_ANDX (2.2.4.64, [MS-SMB] 2.2.4.9), OPEN (2.2.4.3), CREATE
 * (2.2.4.4). Real fixtures: arkime/smb-smbclient.pcap frames 19-20 (Unicode
 * OPEN_ANDX), arkime/smb-smb1-ascii.pcap frames 21-22 (OEM OPEN_ANDX),
 * suricata-verify smb-eicar-file.pcap frames 17-18 (NT_CREATE_ANDX) and
 * zeek/raw_ntlm_in_smb.pcap frames 28-29 (NT_CREATE_ANDX, 42-word response). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smb1_harness.h"

/* smb-smbclient.pcap frame 19 */
static const uint8_t OX_REQ[] = {
    0xff, 'S', 'M', 'B', 0x2d, 0x00, 0x00, 0x00, 0x00, /* OPEN_ANDX */
    0x08, 0x01, 0xc8,                                  /* Flags, Flags2 0xc801 */
    0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x00,
    0x01, 0x00, 0x77, 0x0f, 0x00, 0x00, 0x06, 0x00,    /* TID 1, PID 3959, UID 0, MID 6 */
    0x0f,                                              /* WordCount 15 */
    0xff, 0x00, 0x00, 0x00,                            /* AndX */
    0x00, 0x00,                                        /* Flags */
    0x40, 0x00,                                        /* AccessMode: read, deny none */
    0x06, 0x00,                                        /* SearchAttrs: hidden, system */
    0x00, 0x00,                                        /* FileAttrs */
    0x00, 0x00, 0x00, 0x00,                            /* CreationTime */
    0x01, 0x00,                                        /* OpenMode: open if exists, else fail */
    0x00, 0x00, 0x00, 0x00,                            /* AllocationSize */
    0x00, 0x00, 0x00, 0x00,                            /* Timeout */
    0x00, 0x00, 0x00, 0x00,                            /* Reserved */
    0x13, 0x00,                                        /* ByteCount 19 */
    0x00,                                              /* Pad */
    '\\', 0, 't', 0, 'm', 0, 'p', 0, '\\', 0, 'f', 0, 'o', 0, 'o', 0, 0, 0, /* FileName "\tmp\foo" */
};

/* smb-smbclient.pcap frame 20 */
static const uint8_t OX_RSP[] = {
    0xff, 'S', 'M', 'B', 0x2d, 0x00, 0x00, 0x00, 0x00, 0x88, 0x03, 0xc0,
    0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x00,
    0x01, 0x00, 0x77, 0x0f, 0x00, 0x00, 0x06, 0x00,
    0x0f,                                              /* WordCount 15 */
    0xff, 0x00, 0x00, 0x00,                            /* AndX */
    0xfe, 0x42,                                        /* FID 0x42fe */
    0x80, 0x00,                                        /* FileAttrs: normal */
    0x26, 0x36, 0xb3, 0x52,                            /* LastWriteTime */
    0x0f, 0x00, 0x00, 0x00,                            /* FileDataSize 15 */
    0x00, 0x00,                                        /* AccessRights */
    0x00, 0x00,                                        /* ResourceType: disk */
    0x00, 0x00,                                        /* NMPipeStatus */
    0x01, 0x00,                                        /* OpenResults: opened */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00,                /* Reserved */
    0x00, 0x00,                                        /* ByteCount 0 */
};

/* smb-smb1-ascii.pcap frame 21 (OEM) */
static const uint8_t OX_REQ_OEM[] = {
    0xff, 'S', 'M', 'B', 0x2d, 0x00, 0x00, 0x00, 0x00, 0x18, 0x07, 0x28,
    0x00, 0x00, 0x15, 0x19, 0x64, 0x26, 0x57, 0x9c, 0x6a, 0x95, 0x00, 0x00,
    0x01, 0x18, 0x72, 0x7c, 0x00, 0x20, 0xa5, 0x44,    /* TID 0x1801, PID 0x7c72, UID 0x2000 */
    0x0f, 0xff, 0x00, 0x00, 0x00,                      /* WordCount 15, AndX */
    0x00, 0x00,                                        /* Flags */
    0x42, 0x00,                                        /* AccessMode: read/write, deny none */
    0x06, 0x00, 0x00, 0x00,                            /* SearchAttrs, FileAttrs */
    0x00, 0x00, 0x00, 0x00,                            /* CreationTime */
    0x12, 0x00,                                        /* OpenMode: truncate if exists, else create */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* AllocationSize, Timeout, Reserved */
    0x0e, 0x00,                                        /* ByteCount 14 */
    '\\', 'X', 'X', 'X', 'X', 'X', 'X', 'X', 'X', '.', 'e', 'x', 'e', 0, /* FileName (OEM, no pad) */
};

/* smb-smb1-ascii.pcap frame 22 */
static const uint8_t OX_RSP_OEM[] = {
    0xff, 'S', 'M', 'B', 0x2d, 0x00, 0x00, 0x00, 0x00, 0x98, 0x07, 0x28,
    0x00, 0x00, 0xe4, 0xfb, 0xb9, 0x23, 0x4a, 0x42, 0x85, 0x60, 0x00, 0x00,
    0x01, 0x18, 0x72, 0x7c, 0x00, 0x20, 0xa5, 0x44,
    0x0f, 0xff, 0x00, 0x41, 0x00,                      /* WordCount 15, AndX */
    0x08, 0xc0,                                        /* FID 0xc008 */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00,                /* FileAttrs, LastWriteTime */
    0x00, 0x00, 0x00, 0x00,                            /* FileDataSize 0 */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00,                /* AccessRights, ResourceType, NMPipeStatus */
    0x02, 0x00,                                        /* OpenResults: created */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00,                /* Reserved */
    0x00, 0x00,                                        /* ByteCount */
};

/* smb-eicar-file.pcap frame 17 */
static const uint8_t NTC_REQ[] = {
    0xff, 'S', 'M', 'B', 0xa2, 0x00, 0x00, 0x00, 0x00, /* NT_CREATE_ANDX */
    0x18, 0x43, 0xc8,                                  /* Flags, Flags2 0xc843 */
    0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x00,
    0x00, 0x08, 0x3f, 0x03, 0x00, 0x08, 0x05, 0x00,    /* TID 0x0800, PID 0x033f, UID 0x0800, MID 5 */
    0x18,                                              /* WordCount 24 */
    0xff, 0x00, 0x00, 0x00,                            /* AndX */
    0x00,                                              /* Reserved */
    0x0e, 0x00,                                        /* NameLength 14 */
    0x00, 0x00, 0x00, 0x00,                            /* Flags */
    0x00, 0x00, 0x00, 0x00,                            /* RootDirectoryFID */
    0x9f, 0x01, 0x12, 0x00,                            /* DesiredAccess 0x0012019f */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,    /* AllocationSize */
    0x00, 0x00, 0x00, 0x00,                            /* ExtFileAttributes */
    0x03, 0x00, 0x00, 0x00,                            /* ShareAccess: read, write */
    0x05, 0x00, 0x00, 0x00,                            /* CreateDisposition: FILE_OVERWRITE_IF */
    0x40, 0x00, 0x00, 0x00,                            /* CreateOptions: non-directory */
    0x02, 0x00, 0x00, 0x00,                            /* ImpersonationLevel */
    0x00,                                              /* SecurityFlags */
    0x11, 0x00,                                        /* ByteCount 17 */
    0x00,                                              /* Pad */
    '\\', 0, 'e', 0, 'i', 0, 'c', 0, 'a', 0, 'r', 0, 0, 0, /* FileName "\eicar" */
    0x00, 0x00,                                        /* (trailing bytes the client sent) */
};

/* smb-eicar-file.pcap frame 18 (WordCount 34) */
static const uint8_t NTC_RSP[] = {
    0xff, 'S', 'M', 'B', 0xa2, 0x00, 0x00, 0x00, 0x00, 0x98, 0x43, 0xc8,
    0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x00,
    0x00, 0x08, 0x3f, 0x03, 0x00, 0x08, 0x05, 0x00,
    0x22,                                              /* WordCount 34 */
    0xff, 0x00, 0x67, 0x00,                            /* AndX */
    0x00,                                              /* OplockLevel */
    0x00, 0x40,                                        /* FID 0x4000 */
    0x02, 0x00, 0x00, 0x00,                            /* CreateDisposition (action): created */
    0x38, 0x8c, 0x6f, 0xde, 0x1f, 0xdc, 0xd5, 0x01,    /* CreateTime */
    0x38, 0x8c, 0x6f, 0xde, 0x1f, 0xdc, 0xd5, 0x01,    /* LastAccessTime */
    0x38, 0x8c, 0x6f, 0xde, 0x1f, 0xdc, 0xd5, 0x01,    /* LastWriteTime */
    0x38, 0x8c, 0x6f, 0xde, 0x1f, 0xdc, 0xd5, 0x01,    /* LastChangeTime */
    0x20, 0x00, 0x00, 0x00,                            /* ExtFileAttributes: archive */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,    /* AllocationSize */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,    /* EndOfFile 0 */
    0x00, 0x00,                                        /* ResourceType: disk */
    0x00, 0x00,                                        /* NMPipeStatus */
    0x00,                                              /* Directory: no */
    0x00, 0x00,                                        /* ByteCount */
};

static void smbclient_tree(struct th *t) { th_tree(&t->c, 1, "\\\\LOCALHOST\\MP3", "A:"); }
static void eicar_tree(struct th *t) { th_tree(&t->c, 0x0800, "\\\\192.168.1.3\\PUBLIC", "A:"); }

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

/* an NT_CREATE_ANDX request built from the layout, for variants */
static size_t ntc_req(struct mb *m, bool unicode, uint32_t root_fid, const char *name, uint16_t name_len)
{
    mb_hdr(m, 0xa2, 0, 0x18, unicode ? 0xc001 : 0x4001, 7, 9, 3, 11);
    mb_words(m);
    mb_u32(m, 0xff);       /* AndX */
    mb_u8(m, 0);           /* Reserved */
    mb_u16(m, name_len);   /* NameLength */
    mb_u32(m, 0);          /* Flags */
    mb_u32(m, root_fid);   /* RootDirectoryFID */
    mb_u32(m, 0x00120089); /* DesiredAccess: generic read */
    mb_u64(m, 0);          /* AllocationSize */
    mb_u32(m, 0);          /* ExtFileAttributes */
    mb_u32(m, 7);          /* ShareAccess */
    mb_u32(m, 1);          /* CreateDisposition: open */
    mb_u32(m, 0x21);       /* CreateOptions: directory, sync io */
    mb_u32(m, 2);          /* ImpersonationLevel */
    mb_u8(m, 0);           /* SecurityFlags */
    mb_bytes(m);
    if (unicode) {
        mb_pad2(m);
        mb_ustr(m, name);
    } else {
        mb_astr(m, name);
    }
    mb_end(m);
    return m->n;
}

static size_t ntc_rsp(struct mb *m, uint16_t fid, uint32_t action, uint64_t eof, bool dir)
{
    mb_hdr(m, 0xa2, 0, 0x98, 0xc001, 7, 9, 3, 11);
    mb_words(m);
    mb_u32(m, 0xff);  /* AndX */
    mb_u8(m, 0);      /* OplockLevel */
    mb_u16(m, fid);   /* FID */
    mb_u32(m, action); /* CreateDisposition */
    mb_zero(m, 32);   /* times */
    mb_u32(m, dir ? 0x10 : 0x20); /* ExtFileAttributes */
    mb_u64(m, 0);     /* AllocationSize */
    mb_u64(m, eof);   /* EndOfFile */
    mb_u16(m, 0);     /* ResourceType */
    mb_u16(m, 0);     /* NMPipeStatus */
    mb_u8(m, dir);    /* Directory */
    mb_bytes(m);
    mb_end(m);
    return m->n;
}

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
    tcase_add_test(tc, nt_create_eicar);
    tcase_add_test(tc, nt_create_extended_response_pipe);
    tcase_add_test(tc, nt_create_relative_to_directory_and_oem);
    tcase_add_test(tc, core_open_and_create);
    tcase_add_test(tc, nt_create_relative_name_capped);
    tcase_add_test(tc, every_truncation);
    tcase_add_test(tc, open_andx_size_only_when_asked);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
