/* Unit tests for the AndX data commands: READ_ANDX ([MS-CIFS] 2.2.4.42,
 * [MS-SMB] 2.2.4.2), WRITE_ANDX (2.2.4.43, [MS-SMB] 2.2.4.3) and their
 * stream functions (the core READ, WRITE and LOCKING_ANDX: test_smb1_rw_core.c). Real fixtures: arkime/smb-smbclient.pcap frames 24-25 (a 15-byte
 * read) and suricata-verify smb-eicar-file.pcap frames 20-21 (a 68-byte
 * write with a pad byte before the data). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "smb1_harness.h"

/* smb-smbclient.pcap frame 24 */
static const uint8_t RX_REQ[] = {
    0xff, 'S', 'M', 'B', 0x2e, 0x00, 0x00, 0x00, 0x00, /* READ_ANDX */
    0x08, 0x01, 0xc8,
    0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x00,
    0x01, 0x00, 0x77, 0x0f, 0x00, 0x00, 0x08, 0x00,    /* TID 1, PID 3959, UID 0, MID 8 */
    0x0a,                                              /* WordCount 10: 32-bit offset */
    0xff, 0x00, 0x00, 0x00,                            /* AndX */
    0xfe, 0x42,                                        /* FID 0x42fe */
    0x00, 0x00, 0x00, 0x00,                            /* Offset 0 */
    0x0f, 0x00,                                        /* MaxCountOfBytesToReturn 15 */
    0x0f, 0x00,                                        /* MinCountOfBytesToReturn 15 */
    0x00, 0x00, 0x00, 0x00,                            /* Timeout_or_MaxCountHigh */
    0x00, 0x00,                                        /* Remaining */
    0x00, 0x00,                                        /* ByteCount */
};

/* smb-smbclient.pcap frame 25 */
static const uint8_t RX_RSP[] = {
    0xff, 'S', 'M', 'B', 0x2e, 0x00, 0x00, 0x00, 0x00, 0x88, 0x03, 0xc0,
    0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x00,
    0x01, 0x00, 0x77, 0x0f, 0x00, 0x00, 0x08, 0x00,
    0x0c,                                              /* WordCount 12 */
    0xff, 0x00, 0x00, 0x00,                            /* AndX */
    0xff, 0xff,                                        /* Available */
    0x00, 0x00,                                        /* DataCompactionMode */
    0x00, 0x00,                                        /* Reserved1 */
    0x0f, 0x00,                                        /* DataLength 15 */
    0x3b, 0x00,                                        /* DataOffset 59 */
    0x00, 0x00,                                        /* DataLengthHigh */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0f, 0x00,    /* Reserved2 (Samba repeats the length in word 11) */
    0x0f, 0x00,                                        /* ByteCount 15 */
    't', 'h', 'i', 's', ' ', 'i', 's', ' ', 'a', ' ', 't', 'e', 's', 't', '\n', /* Data */
};

/* smb-eicar-file.pcap frame 20 */
static const uint8_t WX_REQ[] = {
    0xff, 'S', 'M', 'B', 0x2f, 0x00, 0x00, 0x00, 0x00, /* WRITE_ANDX */
    0x18, 0x43, 0xc8,
    0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x00,
    0x00, 0x08, 0x3f, 0x03, 0x00, 0x08, 0x06, 0x00,    /* TID 0x0800, PID 0x033f, UID 0x0800, MID 6 */
    0x0e,                                              /* WordCount 14: 64-bit offset */
    0xff, 0x00, 0x00, 0x00,                            /* AndX */
    0x00, 0x40,                                        /* FID 0x4000 */
    0x00, 0x00, 0x00, 0x00,                            /* Offset */
    0x00, 0x00, 0x00, 0x00,                            /* Timeout */
    0x00, 0x00,                                        /* WriteMode */
    0x00, 0x00,                                        /* Remaining */
    0x00, 0x00,                                        /* DataLengthHigh */
    0x44, 0x00,                                        /* DataLength 68 */
    0x40, 0x00,                                        /* DataOffset 64 */
    0x00, 0x00, 0x00, 0x00,                            /* OffsetHigh */
    0x45, 0x00,                                        /* ByteCount 69 */
    0x00,                                              /* Pad */
    'X', '5', 'O', '!', 'P', '%', '@', 'A', 'P', '[', '4', '\\', 'P', 'Z', 'X', '5', '4', '(', 'P', '^',
    ')', '7', 'C', 'C', ')', '7', '}', '$', 'E', 'I', 'C', 'A', 'R', '-', 'S', 'T', 'A', 'N', 'D', 'A',
    'R', 'D', '-', 'A', 'N', 'T', 'I', 'V', 'I', 'R', 'U', 'S', '-', 'T', 'E', 'S', 'T', '-', 'F', 'I',
    'L', 'E', '!', '$', 'H', '+', 'H', '*',            /* Data: the EICAR test string */
};

/* smb-eicar-file.pcap frame 21 */
static const uint8_t WX_RSP[] = {
    0xff, 'S', 'M', 'B', 0x2f, 0x00, 0x00, 0x00, 0x00, 0x98, 0x43, 0xc8,
    0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x00,
    0x00, 0x08, 0x3f, 0x03, 0x00, 0x08, 0x06, 0x00,
    0x06,                                              /* WordCount 6 */
    0xff, 0x00, 0x2f, 0x00,                            /* AndX */
    0x44, 0x00,                                        /* Count 68 */
    0xff, 0xff,                                        /* Available */
    0x00, 0x00,                                        /* CountHigh */
    0x00, 0x00,                                        /* Reserved */
    0x00, 0x00,                                        /* ByteCount */
};

static void smbclient_open(struct th *t) { th_open_file(t, 1, "\\\\LOCALHOST\\MP3", "A:", 0x42fe, "\\tmp\\foo", 15); }
static void eicar_open(struct th *t) { th_open_file(t, 0x0800, "\\\\192.168.1.3\\PUBLIC", "A:", 0x4000, "\\eicar", 0); }

/* hand the streamed bytes to the tracker the way the core does */
static void feed(struct th *t, const uint8_t *msg, const struct smb1_stream *s)
{
    struct smb1_open *o = smb1_open_get(&t->c, s->fid);
    ck_assert_ptr_nonnull(o);
    file_data(o->ft, s->io, s->file_off, msg + s->data_off, (size_t)s->data_len);
}

START_TEST(read_andx_smbclient)
{
    struct th t;
    th_init(&t);
    smbclient_open(&t);
    struct smb1_pending p;
    tx_init(&t, &p);
    th_req(&t, &p, RX_REQ, sizeof RX_REQ, sizeof RX_REQ);
    ck_assert_uint_eq(f_uint(&p, "fid"), 0x42fe);
    ck_assert_str_eq(f_str(&p, "file"), "\\tmp\\foo");
    ck_assert_uint_eq(f_uint(&p, "offset"), 0);
    ck_assert_uint_eq(f_uint(&p, "max_count"), 15);
    struct smb1_stream s;
    ck_assert(th_stream(&t, &p, RX_RSP, sizeof RX_RSP, sizeof RX_RSP, true, &s));
    ck_assert_uint_eq(s.data_off, 59);
    ck_assert_uint_eq(s.data_len, 15);
    ck_assert_uint_eq(s.fid, 0x42fe);
    ck_assert_uint_eq(s.file_off, 0);
    ck_assert_int_eq(s.io, FILE_READ);
    ck_assert(memcmp(RX_RSP + s.data_off, "this is a test\n", 15) == 0);
    feed(&t, RX_RSP, &s);
    th_rsp(&t, &p, RX_RSP, sizeof RX_RSP, sizeof RX_RSP);
    ck_assert_uint_eq(f_uint(&p, "length"), 15);
    ck_assert_uint_eq(f_uint(&p, "data_offset"), 59);
    ck_assert_uint_eq(f_uint(&p, "remaining"), 0xffff);
    tx_free(&p);
    smb1_open_close(&t.c, 0x42fe, TS_RSP);
    const char *rec = th_find(&t, "file ");
    ck_assert_ptr_nonnull(rec);
    ck_assert(strstr(rec, "bytes_read=15 ") != NULL);
    ck_assert(strstr(rec, "read_ranges=[0-15]") != NULL);
    ck_assert(strstr(rec, "complete=true") != NULL);
    th_end(&t);
}
END_TEST

/* a READ_ANDX request built from the layout */
static size_t readx_req(struct mb *m, uint16_t tid, uint16_t fid, uint64_t off, uint16_t max, uint32_t timeout, bool wide)
{
    mb_hdr(m, 0x2e, 0, 0x18, 0xc001, tid, 5, 0, 40);
    mb_words(m);
    mb_u32(m, 0xff);            /* AndX */
    mb_u16(m, fid);             /* FID */
    mb_u32(m, (uint32_t)off);   /* Offset */
    mb_u16(m, max);             /* MaxCountOfBytesToReturn */
    mb_u16(m, max);             /* MinCountOfBytesToReturn */
    mb_u32(m, timeout);         /* Timeout_or_MaxCountHigh */
    mb_u16(m, 0);               /* Remaining */
    if (wide)
        mb_u32(m, (uint32_t)(off >> 32)); /* OffsetHigh */
    mb_bytes(m);
    mb_end(m);
    return m->n;
}

static size_t readx_rsp(struct mb *m, uint16_t len, uint16_t high, uint16_t data_off)
{
    mb_hdr(m, 0x2e, 0, 0x98, 0xc001, 1, 5, 0, 40);
    mb_words(m);
    mb_u32(m, 0xff);     /* AndX */
    mb_u16(m, 0);        /* Available */
    mb_u16(m, 0);        /* DataCompactionMode */
    mb_u16(m, 0);        /* Reserved1 */
    mb_u16(m, len);      /* DataLength */
    mb_u16(m, data_off); /* DataOffset */
    mb_u16(m, high);     /* DataLengthHigh */
    mb_zero(m, 8);       /* Reserved3 */
    mb_bytes(m);
    mb_u8(m, 0);         /* Pad: data at 60 */
    mb_zero(m, 32);      /* the first bytes of the data (the core would have streamed the rest) */
    mb_end(m);
    return m->n;
}

START_TEST(read_andx_large_and_64bit)
{
    struct th t;
    th_init(&t);
    th_open_file(&t, 1, "\\\\SRV\\data", "A:", 0x77, "\\big.iso", 6000000000ull);
    th_open_file(&t, 2, "\\\\SRV\\IPC$", "IPC", 0x78, "\\lsarpc", 0);
    struct smb1_pending p;
    struct mb q, r;
    struct smb1_stream s;

    /* 64-bit offset, MaxCountHigh 1: a 0x1f000-byte read past 4 GiB */
    tx_init(&t, &p);
    size_t n = readx_req(&q, 1, 0x77, 0x100002000ull, 0xf000, 0x00000001, true);
    th_req(&t, &p, q.b, n, n);
    ck_assert_uint_eq(f_uint(&p, "offset"), 0x100002000ull);
    ck_assert_uint_eq(f_uint(&p, "max_count"), 0x1f000);
    size_t k = readx_rsp(&r, 0xf000, 0x0001, 60);
    ck_assert(th_stream(&t, &p, r.b, k, k, true, &s));
    ck_assert_uint_eq(s.data_len, 0x1f000); /* DataLengthHigh counts */
    ck_assert_uint_eq(s.data_off, 60);
    ck_assert_uint_eq(s.file_off, 0x100002000ull);
    th_rsp(&t, &p, r.b, k, k);
    ck_assert_uint_eq(f_uint(&p, "length"), 0x1f000);
    tx_free(&p);
    th_cuts(NULL, q.b, n, r.b, k);

    /* MaxCountHigh 0xFFFF means "ignore" (a timeout of -1) */
    tx_init(&t, &p);
    n = readx_req(&q, 1, 0x77, 0, 0x1000, 0xffffffff, false);
    th_req(&t, &p, q.b, n, n);
    ck_assert_uint_eq(f_uint(&p, "max_count"), 0x1000);
    /* a small read: a non-zero DataLengthHigh is a reserved field's garbage */
    k = readx_rsp(&r, 0x1000, 0x0007, 60);
    ck_assert(th_stream(&t, &p, r.b, k, k, true, &s));
    ck_assert_uint_eq(s.data_len, 0x1000);
    tx_free(&p);
    th_cuts(NULL, q.b, n, r.b, k);

    /* a pipe: the field is a timeout, not a count */
    tx_init(&t, &p);
    n = readx_req(&q, 2, 0x78, 0, 1024, 5000, false);
    th_req(&t, &p, q.b, n, n);
    ck_assert_uint_eq(f_uint(&p, "max_count"), 1024);
    ck_assert_str_eq(f_str(&p, "file"), "\\lsarpc");
    tx_free(&p);
    th_cuts(NULL, q.b, n, NULL, 0);

    /* an unknown FID: file is null */
    tx_init(&t, &p);
    n = readx_req(&q, 1, 0x99, 0, 512, 0, false);
    th_req(&t, &p, q.b, n, n);
    ck_assert(f_null(&p, "file"));
    tx_free(&p);
    th_end(&t);
}
END_TEST

START_TEST(read_andx_stream_declines)
{
    struct th t;
    th_init(&t);
    struct smb1_pending p;
    struct smb1_stream s;
    tx_init(&t, &p);
    /* no request seen: no FID or offset to put the data at */
    ck_assert(!th_stream(&t, &p, RX_RSP, sizeof RX_RSP, sizeof RX_RSP, true, &s));
    th_rsp(&t, &p, RX_RSP, sizeof RX_RSP, sizeof RX_RSP);
    ck_assert_uint_eq(f_uint(&p, "length"), 15);
    tx_free(&p);
    /* an error response has no words */
    tx_init(&t, &p);
    th_req(&t, &p, RX_REQ, sizeof RX_REQ, sizeof RX_REQ);
    struct mb r;
    mb_hdr(&r, 0x2e, 0xc0000008, 0x88, 0xc001, 1, 0x0f77, 0, 8); /* STATUS_INVALID_HANDLE */
    mb_words(&r);
    mb_bytes(&r);
    mb_end(&r);
    ck_assert(!th_stream(&t, &p, r.b, r.n, r.n, true, &s));
    th_rsp(&t, &p, r.b, r.n, r.n);
    ck_assert(f_absent(&p, "length"));
    ck_assert_uint_eq(f_uint(&p, "fid"), 0x42fe);
    ck_assert_uint_eq(th_count(&t, "anomaly"), 0);
    tx_free(&p);
    th_end(&t);
    th_cuts(NULL, RX_REQ, sizeof RX_REQ, r.b, r.n);
}
END_TEST

START_TEST(write_andx_eicar)
{
    struct th t;
    th_init(&t);
    eicar_open(&t);
    struct smb1_pending p;
    tx_init(&t, &p);
    struct smb1_stream s;
    ck_assert(th_stream(&t, &p, WX_REQ, sizeof WX_REQ, sizeof WX_REQ, false, &s));
    ck_assert_uint_eq(s.data_off, 64);
    ck_assert_uint_eq(s.data_len, 68);
    ck_assert_uint_eq(s.fid, 0x4000);
    ck_assert_uint_eq(s.file_off, 0);
    ck_assert_int_eq(s.io, FILE_WRITE);
    ck_assert(memcmp(WX_REQ + s.data_off, "X5O!P%@AP", 9) == 0);
    feed(&t, WX_REQ, &s);
    th_req(&t, &p, WX_REQ, sizeof WX_REQ, sizeof WX_REQ);
    ck_assert_uint_eq(f_uint(&p, "fid"), 0x4000);
    ck_assert_str_eq(f_str(&p, "file"), "\\eicar");
    ck_assert_uint_eq(f_uint(&p, "offset"), 0);
    ck_assert_uint_eq(f_uint(&p, "length"), 68);
    ck_assert_uint_eq(f_uint(&p, "write_mode"), 0);
    th_rsp(&t, &p, WX_RSP, sizeof WX_RSP, sizeof WX_RSP);
    ck_assert_uint_eq(f_uint(&p, "count"), 68);
    /* the file was created empty; the write grew it */
    ck_assert_uint_eq(smb1_open_get(&t.c, 0x4000)->size, 68);
    tx_free(&p);
    smb1_open_close(&t.c, 0x4000, TS_RSP);
    const char *rec = th_find(&t, "file ");
    ck_assert_ptr_nonnull(rec);
    ck_assert(strstr(rec, "size=68 bytes_read=0 bytes_written=68 ") != NULL);
    ck_assert(strstr(rec, "write_ranges=[0-68]") != NULL);
    th_end(&t);
}
END_TEST

static size_t writex_req(struct mb *m, bool wide, uint16_t fid, uint64_t off, uint32_t len, uint16_t mode)
{
    mb_hdr(m, 0x2f, 0, 0x18, 0xc001, 1, 5, 0, 50);
    mb_words(m);
    mb_u32(m, 0xff);                 /* AndX */
    mb_u16(m, fid);                  /* FID */
    mb_u32(m, (uint32_t)off);        /* Offset */
    mb_u32(m, 0);                    /* Timeout */
    mb_u16(m, mode);                 /* WriteMode */
    mb_u16(m, 0);                    /* Remaining */
    mb_u16(m, (uint16_t)(len >> 16)); /* DataLengthHigh */
    mb_u16(m, (uint16_t)len);        /* DataLength */
    size_t data_off_at = m->n;
    mb_u16(m, 0);                    /* DataOffset (patched) */
    if (wide)
        mb_u32(m, (uint32_t)(off >> 32)); /* OffsetHigh */
    mb_bytes(m);
    mb_pad2(m);
    mb_put16_at(m, data_off_at, (uint16_t)m->n);
    mb_zero(m, 16);                  /* the data's first bytes (the rest streamed) */
    mb_end(m);
    return m->n;
}

START_TEST(write_andx_32bit_and_large)
{
    struct th t;
    th_init(&t);
    th_open_file(&t, 1, "\\\\SRV\\data", "A:", 0x55, "\\out.bin", 100);
    struct smb1_pending p;
    struct mb q, r;
    struct smb1_stream s;
    tx_init(&t, &p);
    size_t n = writex_req(&q, false, 0x55, 0x7ffff000, 0x00030000, 0x0001);
    ck_assert(th_stream(&t, &p, q.b, n, n, false, &s));
    ck_assert_uint_eq(s.data_len, 0x30000); /* DataLengthHigh 3 */
    ck_assert_uint_eq(s.file_off, 0x7ffff000);
    ck_assert_uint_eq(s.data_off, 32 + 1 + 24 + 2 + 1);
    th_req(&t, &p, q.b, n, n);
    ck_assert_uint_eq(f_uint(&p, "length"), 0x30000);
    ck_assert_uint_eq(f_uint(&p, "write_mode"), 1);
    mb_hdr(&r, 0x2f, 0, 0x98, 0xc001, 1, 5, 0, 50);
    mb_words(&r);
    mb_u32(&r, 0xff); /* AndX */
    mb_u16(&r, 0);    /* Count (low) */
    mb_u16(&r, 0);    /* Available */
    mb_u16(&r, 3);    /* CountHigh */
    mb_u16(&r, 0);    /* Reserved */
    mb_bytes(&r);
    mb_end(&r);
    th_rsp(&t, &p, r.b, r.n, r.n);
    ck_assert_uint_eq(f_uint(&p, "count"), 0x30000);
    ck_assert_uint_eq(smb1_open_get(&t.c, 0x55)->size, 0x7ffff000ull + 0x30000);
    tx_free(&p);
    th_cuts(NULL, q.b, n, r.b, r.n);

    tx_init(&t, &p);
    n = writex_req(&q, true, 0x55, 0x200000000ull, 16, 0);
    ck_assert(th_stream(&t, &p, q.b, n, n, false, &s));
    ck_assert_uint_eq(s.file_off, 0x200000000ull);
    ck_assert_uint_eq(s.data_off, 32 + 1 + 28 + 2 + 1);
    tx_free(&p);
    th_cuts(NULL, q.b, n, NULL, 0);

    /* a word count that is neither 12 nor 14 */
    tx_init(&t, &p);
    mb_hdr(&q, 0x2f, 0, 0x18, 0xc001, 1, 5, 0, 51);
    mb_words(&q);
    mb_zero(&q, 20);
    mb_bytes(&q);
    mb_end(&q);
    ck_assert(!th_stream(&t, &p, q.b, q.n, q.n, false, &s));
    th_req(&t, &p, q.b, q.n, q.n);
    ck_assert(th_line_has(&t, "anomaly ", "name=\"smb1_bad_word_count\""));
    tx_free(&p);
    th_end(&t);
    th_cuts(NULL, q.b, q.n, NULL, 0);
}
END_TEST

/* offsets no file can hold ([MS-CIFS] SMB_SET_FILE_END_OF_FILE_INFO: sizes
 * are signed 64-bit): flagged once per command with the exact numbers, even
 * where offset + length wraps past 2^64; in range and on pipes, nothing */
START_TEST(offsets_past_any_file_are_flagged)
{
    struct th t;
    th_init(&t);
    th_open_file(&t, 1, "\\\\SRV\\data", "A:", 0x77, "\\f.bin", 100);
    th_open_file(&t, 2, "\\\\SRV\\IPC$", "IPC", 0x78, "\\lsarpc", 0);
    struct smb1_pending p;
    struct mb q, r;

    /* in range, right up to the end: 2^63-1 - 0x2000 + 0x1000 */
    tx_init(&t, &p);
    size_t n = readx_req(&q, 1, 0x77, 0x7fffffffffffe000ull, 0x1000, 0, true);
    th_req(&t, &p, q.b, n, n);
    size_t k = readx_rsp(&r, 0x1000, 0, 60);
    th_rsp(&t, &p, r.b, k, k);
    tx_free(&p);
    ck_assert_uint_eq(th_count(&t, "anomaly "), 0);

    /* OffsetHigh 0xffffffff: flagged with the request, not again with the response */
    tx_init(&t, &p);
    n = readx_req(&q, 1, 0x77, 0xffffffff00000000ull, 0x1000, 0, true);
    th_req(&t, &p, q.b, n, n);
    ck_assert_uint_eq(f_uint(&p, "offset"), 0xffffffff00000000ull);
    k = readx_rsp(&r, 0x1000, 0, 60);
    th_rsp(&t, &p, r.b, k, k);
    tx_free(&p);
    ck_assert_uint_eq(th_count(&t, "anomaly "), 1);
    ck_assert(th_line_has(&t, "anomaly ", "offset 18446744069414584320 + 0 bytes ends at 18446744069414584320, "
                                          "past 9223372036854775807"));

    /* the offset fits, the response's DataLengthHigh takes the end past 2^63 */
    tx_init(&t, &p);
    n = readx_req(&q, 1, 0x77, 0x7ffffffffffff800ull, 0, 0x00000001, true);
    th_req(&t, &p, q.b, n, n);
    k = readx_rsp(&r, 0, 1, 60);
    th_rsp(&t, &p, r.b, k, k);
    tx_free(&p);
    ck_assert_uint_eq(th_count(&t, "anomaly "), 2);
    ck_assert(th_line_has(&t, "anomaly ", "offset 9223372036854773760 + 65536 bytes ends at 9223372036854839296,"));

    /* a write wrapping past 2^64: the end is still exact */
    tx_init(&t, &p);
    n = writex_req(&q, true, 0x77, 0xfffffffffffff000ull, 0x10000, 0);
    th_req(&t, &p, q.b, n, n);
    tx_free(&p);
    ck_assert_uint_eq(th_count(&t, "anomaly "), 3);
    ck_assert(th_line_has(&t, "anomaly ", "name=\"offset_out_of_range\""));
    ck_assert(th_line_has(&t, "anomaly ", "offset 18446744073709547520 + 65536 bytes ends at 2^64 + 61440,"));

    /* a pipe has no offsets */
    tx_init(&t, &p);
    n = writex_req(&q, true, 0x78, 0xfffffffffffff000ull, 0x10000, 0);
    th_req(&t, &p, q.b, n, n);
    tx_free(&p);
    tx_init(&t, &p);
    n = readx_req(&q, 2, 0x78, 0xffffffff00000000ull, 0x1000, 0, true);
    th_req(&t, &p, q.b, n, n);
    tx_free(&p);
    ck_assert_uint_eq(th_count(&t, "anomaly "), 3);
    th_end(&t);
}
END_TEST

/* the last byte a file can hold is at 2^63-2: a range ending exactly at
 * 2^63-1 fits (no anomaly), one byte more does not */
START_TEST(offset_range_ending_at_the_last_offset_fits)
{
    struct th t;
    th_init(&t);
    th_open_file(&t, 1, "\\\\SRV\\data", "A:", 0x77, "\\f.bin", 100);
    struct smb1_pending p;
    struct mb q;
    tx_init(&t, &p);
    size_t n = writex_req(&q, true, 0x77, 0x7fffffffffffefffull, 0x1000, 0);
    th_req(&t, &p, q.b, n, n);
    tx_free(&p);
    ck_assert_uint_eq(th_count(&t, "anomaly "), 0);
    tx_init(&t, &p);
    n = writex_req(&q, true, 0x77, 0x7ffffffffffff000ull, 0x1000, 0);
    th_req(&t, &p, q.b, n, n);
    tx_free(&p);
    ck_assert_uint_eq(th_count(&t, "anomaly "), 1);
    ck_assert(th_line_has(&t, "anomaly ", "offset 9223372036854771712 + 4096 bytes ends at 9223372036854775808,"));
    th_end(&t);
}
END_TEST

/* A request cut inside its words (or with a word count the handler refuses)
 * decodes nothing: its response must not stream data to FID 0 at offset 0, or
 * grow FID 0, from the zeroes of a request never decoded. */
static void zero_fid_open(struct th *t) { th_open_file(t, 1, "\\\\SRV\\data", "A:", 0, "\\zero.bin", 0); }

START_TEST(undecoded_request_gives_response_nothing)
{
    struct th t;
    th_init(&t);
    zero_fid_open(&t);
    struct smb1_pending p;
    struct smb1_stream s;
    struct mb q, r;
    /* READ_ANDX: every cut before the words are whole */
    for (size_t cut = 0; cut < SMB1_HDR_LEN + 1 + 2 * 10; cut++) {
        tx_init(&t, &p);
        th_req(&t, &p, RX_REQ, sizeof RX_REQ, cut);
        ck_assert(p.have_request);
        ck_assert_msg(!th_stream(&t, &p, RX_RSP, sizeof RX_RSP, sizeof RX_RSP, true, &s),
                      "READ_ANDX data streamed to FID %u after a request cut at %zu", s.fid, cut);
        th_rsp(&t, &p, RX_RSP, sizeof RX_RSP, sizeof RX_RSP);
        ck_assert_uint_eq(f_uint(&p, "length"), 15);
        tx_free(&p);
    }
    /* READ_ANDX with a word count the handler refuses */
    uint8_t bad[sizeof RX_REQ];
    memcpy(bad, RX_REQ, sizeof bad);
    bad[SMB1_HDR_LEN] = 9;
    tx_init(&t, &p);
    th_req(&t, &p, bad, sizeof bad, sizeof bad);
    ck_assert(!th_stream(&t, &p, RX_RSP, sizeof RX_RSP, sizeof RX_RSP, true, &s));
    tx_free(&p);
    /* core READ */
    mb_hdr(&q, 0x0a, 0, 0x08, 0x0001, 1, 1, 0, 60);
    mb_words(&q);
    mb_u16(&q, 0x0a01); mb_u16(&q, 512); mb_u32(&q, 512); mb_u16(&q, 0);
    mb_bytes(&q);
    mb_end(&q);
    mb_hdr(&r, 0x0a, 0, 0x88, 0x0001, 1, 1, 0, 60);
    mb_words(&r);
    mb_u16(&r, 4);
    mb_zero(&r, 8);
    mb_bytes(&r);
    mb_u8(&r, 0x01);
    mb_u16(&r, 4);
    mb_raw(&r, "data", 4);
    mb_end(&r);
    for (size_t cut = 0; cut < SMB1_HDR_LEN + 1 + 2 * 5; cut++) {
        tx_init(&t, &p);
        th_req(&t, &p, q.b, q.n, cut);
        ck_assert_msg(!th_stream(&t, &p, r.b, r.n, r.n, true, &s),
                      "READ data streamed to FID %u after a request cut at %zu", s.fid, cut);
        tx_free(&p);
    }
    /* WRITE_ANDX: a success response must not grow FID 0 */
    for (size_t cut = 0; cut < SMB1_HDR_LEN + 1 + 2 * 14; cut++) {
        tx_init(&t, &p);
        th_req(&t, &p, WX_REQ, sizeof WX_REQ, cut);
        th_rsp(&t, &p, WX_RSP, sizeof WX_RSP, sizeof WX_RSP);
        ck_assert_uint_eq(f_uint(&p, "count"), 68);
        ck_assert_msg(smb1_open_get(&t.c, 0)->size == 0, "FID 0 grew after a WRITE_ANDX cut at %zu", cut);
        tx_free(&p);
    }
    /* core WRITE */
    mb_hdr(&q, 0x0b, 0, 0x08, 0x0001, 1, 1, 0, 61);
    mb_words(&q);
    mb_u16(&q, 0x0a01); mb_u16(&q, 100); mb_u32(&q, 800); mb_u16(&q, 0);
    mb_bytes(&q);
    mb_u8(&q, 0x01);
    mb_u16(&q, 100);
    mb_zero(&q, 100);
    mb_end(&q);
    mb_hdr(&r, 0x0b, 0, 0x88, 0x0001, 1, 1, 0, 61);
    mb_words(&r);
    mb_u16(&r, 100);
    mb_bytes(&r);
    mb_end(&r);
    for (size_t cut = 0; cut < SMB1_HDR_LEN + 1 + 2 * 5; cut++) {
        tx_init(&t, &p);
        th_req(&t, &p, q.b, q.n, cut);
        th_rsp(&t, &p, r.b, r.n, r.n);
        ck_assert_msg(smb1_open_get(&t.c, 0)->size == 0, "FID 0 grew after a WRITE cut at %zu", cut);
        tx_free(&p);
    }
    th_end(&t);
}
END_TEST

START_TEST(every_truncation)
{
    th_cuts(smbclient_open, RX_REQ, sizeof RX_REQ, RX_RSP, sizeof RX_RSP);
    th_cuts(eicar_open, WX_REQ, sizeof WX_REQ, WX_RSP, sizeof WX_RSP);
    struct mb q, r;
    size_t n = readx_req(&q, 1, 0x42fe, 0x100000000ull, 0xf000, 1, true);
    size_t k = readx_rsp(&r, 0xf000, 1, 60);
    th_cuts(smbclient_open, q.b, n, r.b, k);
    n = writex_req(&q, true, 0x4000, 0x100000000ull, 0x10010, 8);
    th_cuts(eicar_open, q.b, n, WX_RSP, sizeof WX_RSP);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("smb1_rw");
    TCase *tc = tcase_create("rw");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, read_andx_smbclient);
    tcase_add_test(tc, read_andx_large_and_64bit);
    tcase_add_test(tc, read_andx_stream_declines);
    tcase_add_test(tc, write_andx_eicar);
    tcase_add_test(tc, write_andx_32bit_and_large);
    tcase_add_test(tc, offsets_past_any_file_are_flagged);
    tcase_add_test(tc, offset_range_ending_at_the_last_offset_fits);
    tcase_add_test(tc, undecoded_request_gives_response_nothing);
    tcase_add_test(tc, every_truncation);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
