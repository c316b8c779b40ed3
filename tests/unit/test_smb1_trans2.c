/* Unit tests for TRANSACTION2 ([MS-CIFS] 2.2.4.46, sub-commands 2.2.6): the
 * sub-command and the file it names by path (QUERY/SET_PATH, FIND_FIRST2,
 * OPEN2, CREATE_DIRECTORY) or by FID (QUERY/SET_FILE), parameters that lie
 * outside the message, and a response to a request never decoded.
 * Real fixtures: arkime/smb-smbclient.pcap frames 16-17 and 22
 * (QUERY_PATH/QUERY_FILE_INFORMATION). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "smb1_harness.h"

/* smb-smbclient.pcap frame 16 */
static const uint8_t T2_QPATH_REQ[] = {
    0xff, 'S', 'M', 'B', 0x32, 0x00, 0x00, 0x00, 0x00, /* TRANSACTION2 */
    0x08, 0x01, 0xc8,
    0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x00,
    0x01, 0x00, 0x77, 0x0f, 0x00, 0x00, 0x05, 0x00,    /* TID 1, PID 3959, UID 0, MID 5 */
    0x0f,                                              /* WordCount 15 (14 + 1 setup word) */
    0x12, 0x00,                                        /* TotalParameterCount 18 */
    0x00, 0x00,                                        /* TotalDataCount 0 */
    0x02, 0x00,                                        /* MaxParameterCount 2 */
    0x04, 0x41,                                        /* MaxDataCount 16644 */
    0x00, 0x00,                                        /* MaxSetupCount, Reserved1 */
    0x00, 0x00,                                        /* Flags */
    0x00, 0x00, 0x00, 0x00,                            /* Timeout */
    0x00, 0x00,                                        /* Reserved2 */
    0x12, 0x00,                                        /* ParameterCount 18 */
    0x44, 0x00,                                        /* ParameterOffset 68 */
    0x00, 0x00,                                        /* DataCount 0 */
    0x58, 0x00,                                        /* DataOffset 88 */
    0x01, 0x00,                                        /* SetupCount 1, Reserved3 */
    0x05, 0x00,                                        /* Setup[0]: TRANS2_QUERY_PATH_INFORMATION */
    0x17, 0x00,                                        /* ByteCount 23 */
    0x00,                                              /* Name: "" */
    0x44, 0x20,                                        /* Pad1 to ParameterOffset */
    0x01, 0x01,                                        /* 68: InformationLevel 0x0101: QUERY_FILE_BASIC_INFO */
    0x00, 0x00, 0x00, 0x00,                            /* Reserved */
    '\\', 0, 't', 0, 'm', 0, 'p', 0, '\\', 0, 0, 0,    /* FileName "\tmp\" */
    0x00, 0x00,                                        /* Pad2 */
};

/* smb-smbclient.pcap frame 17 */
static const uint8_t T2_QPATH_RSP[] = {
    0xff, 'S', 'M', 'B', 0x32, 0x00, 0x00, 0x00, 0x00, 0x88, 0x03, 0xc0,
    0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x00,
    0x01, 0x00, 0x77, 0x0f, 0x00, 0x00, 0x05, 0x00,
    0x0a,                                              /* WordCount 10 */
    0x02, 0x00,                                        /* TotalParameterCount 2 */
    0x24, 0x00,                                        /* TotalDataCount 36 */
    0x00, 0x00,                                        /* Reserved1 */
    0x02, 0x00,                                        /* ParameterCount 2 */
    0x38, 0x00,                                        /* ParameterOffset 56 */
    0x00, 0x00,                                        /* ParameterDisplacement */
    0x24, 0x00,                                        /* DataCount 36 */
    0x3c, 0x00,                                        /* DataOffset 60 */
    0x00, 0x00,                                        /* DataDisplacement */
    0x00, 0x00,                                        /* SetupCount, Reserved2 */
    0x29, 0x00,                                        /* ByteCount 41 */
    0x00,                                              /* Pad */
    0x00, 0x00,                                        /* 56: EaErrorOffset */
    0x00, 0x00,                                        /* Pad2 */
    0x71, 0x5e, 0xe1, 0x1e, 0x0f, 0xfd, 0xce, 0x01,    /* 60: CreationTime */
    0x71, 0x5e, 0xe1, 0x1e, 0x0f, 0xfd, 0xce, 0x01,    /* LastAccessTime */
    0x5a, 0xc5, 0x84, 0x40, 0x0f, 0xfd, 0xce, 0x01,    /* LastWriteTime */
    0x5a, 0xc5, 0x84, 0x40, 0x0f, 0xfd, 0xce, 0x01,    /* ChangeTime */
    0x10, 0x00, 0x00, 0x00,                            /* FileAttributes: directory */
};

/* smb-smbclient.pcap frame 22 */
static const uint8_t T2_QFILE_REQ[] = {
    0xff, 'S', 'M', 'B', 0x32, 0x00, 0x00, 0x00, 0x00, 0x08, 0x01, 0xc8,
    0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x00,
    0x01, 0x00, 0x77, 0x0f, 0x00, 0x00, 0x07, 0x00,    /* MID 7 */
    0x0f,                                              /* WordCount 15 */
    0x04, 0x00, 0x00, 0x00, 0x02, 0x00, 0x04, 0x41,    /* TotalParameterCount 4, TotalDataCount, MaxParameterCount, MaxDataCount */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* MaxSetupCount .. Reserved2 */
    0x04, 0x00,                                        /* ParameterCount 4 */
    0x44, 0x00,                                        /* ParameterOffset 68 */
    0x00, 0x00, 0x48, 0x00,                            /* DataCount 0, DataOffset 72 */
    0x01, 0x00,                                        /* SetupCount 1 */
    0x07, 0x00,                                        /* Setup[0]: TRANS2_QUERY_FILE_INFORMATION */
    0x07, 0x00,                                        /* ByteCount 7 */
    0x00, 0x44, 0x20,                                  /* Name, Pad1 */
    0xfe, 0x42,                                        /* 68: FID 0x42fe */
    0x07, 0x01,                                        /* InformationLevel 0x0107: QUERY_FILE_ALL_INFO */
};

static void smbclient_open(struct th *t)
{
    struct smb1_tree *tr = smb1_tree_get(&t->c, 1, true);
    tr->path = strdup("\\\\LOCALHOST\\MP3");
    smb1_open_add(&t->c, 0x42fe, 0, 1, "\\tmp\\foo", TS_REQ - 10);
}

START_TEST(trans2_query_path)
{
    struct th t;
    th_init(&t);
    struct smb1_pending p;
    tx_init(&t, &p);
    th_exchange(&t, &p, T2_QPATH_REQ, sizeof T2_QPATH_REQ, T2_QPATH_RSP, sizeof T2_QPATH_RSP);
    ck_assert_uint_eq(f_uint(&p, "subcommand"), 5);
    ck_assert_str_eq(f_str(&p, "subcommand_name"), "QUERY_PATH_INFORMATION");
    ck_assert_uint_eq(f_uint(&p, "info_level"), 0x0101);
    ck_assert_str_eq(f_str(&p, "file"), "\\tmp\\");
    ck_assert_uint_eq(th_count(&t, "anomaly"), 0);
    tx_free(&p);
    th_end(&t);
}
END_TEST

START_TEST(trans2_query_file_by_fid)
{
    struct th t;
    th_init(&t);
    smbclient_open(&t);
    struct smb1_pending p;
    tx_init(&t, &p);
    th_req(&t, &p, T2_QFILE_REQ, sizeof T2_QFILE_REQ, sizeof T2_QFILE_REQ);
    ck_assert_str_eq(f_str(&p, "subcommand_name"), "QUERY_FILE_INFORMATION");
    ck_assert_uint_eq(f_uint(&p, "fid"), 0x42fe);
    ck_assert_str_eq(f_str(&p, "file"), "\\tmp\\foo");
    ck_assert_uint_eq(f_uint(&p, "info_level"), 0x0107);
    tx_free(&p);
    th_end(&t);
}
END_TEST

/* a TRANSACTION2 request with one setup word and the given parameters */
static size_t t2_req(struct mb *m, bool unicode, uint16_t subcmd, const uint8_t *params, size_t n)
{
    mb_hdr(m, 0x32, 0, 0x18, unicode ? 0xc001 : 0x4001, 1, 2, 3, 90);
    mb_words(m);
    mb_u16(m, (uint16_t)n); /* TotalParameterCount */
    mb_u16(m, 0);           /* TotalDataCount */
    mb_u16(m, 10);          /* MaxParameterCount */
    mb_u16(m, 4096);        /* MaxDataCount */
    mb_u16(m, 0);           /* MaxSetupCount, Reserved1 */
    mb_u16(m, 0);           /* Flags */
    mb_u32(m, 0);           /* Timeout */
    mb_u16(m, 0);           /* Reserved2 */
    mb_u16(m, (uint16_t)n); /* ParameterCount */
    size_t poff_at = m->n;
    mb_u16(m, 0);           /* ParameterOffset (patched) */
    mb_u16(m, 0);           /* DataCount */
    size_t doff_at = m->n;
    mb_u16(m, 0);           /* DataOffset (patched) */
    mb_u8(m, 1);            /* SetupCount */
    mb_u8(m, 0);            /* Reserved3 */
    mb_u16(m, subcmd);      /* Setup[0] */
    mb_bytes(m);
    mb_u8(m, 0);            /* Name */
    while (m->n % 4)
        mb_u8(m, 0);        /* Pad1 */
    mb_put16_at(m, poff_at, (uint16_t)m->n);
    mb_raw(m, params, n);   /* Trans2_Parameters */
    mb_put16_at(m, doff_at, (uint16_t)m->n);
    mb_end(m);
    return m->n;
}

/* the UTF-16LE or OEM bytes of an ASCII name, terminated */
static size_t name_bytes(uint8_t *out, const char *s, bool unicode)
{
    size_t k = 0;
    for (; *s; s++) {
        out[k++] = (uint8_t)*s;
        if (unicode)
            out[k++] = 0;
    }
    out[k++] = 0;
    if (unicode)
        out[k++] = 0;
    return k;
}

START_TEST(trans2_find_first_set_path_open2)
{
    for (int u = 0; u < 2; u++) {
        struct th t;
        th_init(&t);
        struct smb1_pending p;
        struct mb q, r;
        uint8_t prm[128];
        size_t n;

        /* FIND_FIRST2: SearchAttributes, SearchCount, Flags, InformationLevel, SearchStorageType, FileName */
        tx_init(&t, &p);
        static const uint8_t ff[] = {0x16, 0x00, 0x56, 0x05, 0x06, 0x00, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00};
        memcpy(prm, ff, sizeof ff);
        n = sizeof ff + name_bytes(prm + sizeof ff, "\\docs\\*", u);
        size_t m = t2_req(&q, u, 0x01, prm, n);
        th_req(&t, &p, q.b, m, m);
        ck_assert_str_eq(f_str(&p, "subcommand_name"), "FIND_FIRST2");
        ck_assert_str_eq(f_str(&p, "file"), "\\docs\\*");
        ck_assert_uint_eq(f_uint(&p, "info_level"), 0x0104);
        /* its response: SID, SearchCount, EndOfSearch, EaErrorOffset, LastNameOffset */
        mb_hdr(&r, 0x32, 0, 0x98, 0xc001, 1, 2, 3, 90);
        mb_words(&r);
        mb_u16(&r, 10);  /* TotalParameterCount */
        mb_u16(&r, 0);   /* TotalDataCount */
        mb_u16(&r, 0);   /* Reserved1 */
        mb_u16(&r, 10);  /* ParameterCount */
        mb_u16(&r, 56);  /* ParameterOffset */
        mb_u16(&r, 0);   /* ParameterDisplacement */
        mb_u16(&r, 0);   /* DataCount */
        mb_u16(&r, 68);  /* DataOffset */
        mb_u16(&r, 0);   /* DataDisplacement */
        mb_u16(&r, 0);   /* SetupCount, Reserved2 */
        mb_bytes(&r);
        mb_u8(&r, 0);    /* Pad to 56 */
        mb_u16(&r, 0x0a0b); /* SID */
        mb_u16(&r, 3);   /* SearchCount */
        mb_u16(&r, 1);   /* EndOfSearch */
        mb_u16(&r, 0);   /* EaErrorOffset */
        mb_u16(&r, 0);   /* LastNameOffset */
        mb_end(&r);
        ck_assert_uint_eq(r.n, 56 + 10);
        th_rsp(&t, &p, r.b, r.n, r.n);
        ck_assert_uint_eq(f_uint(&p, "search_id"), 0x0a0b);
        tx_free(&p);
        th_cuts(NULL, q.b, m, r.b, r.n);

        /* SET_PATH_INFORMATION: InformationLevel, Reserved, FileName */
        tx_init(&t, &p);
        static const uint8_t sp[] = {0x01, 0x01, 0x00, 0x00, 0x00, 0x00};
        memcpy(prm, sp, sizeof sp);
        n = sizeof sp + name_bytes(prm + sizeof sp, "\\report.pdf", u);
        m = t2_req(&q, u, 0x06, prm, n);
        th_req(&t, &p, q.b, m, m);
        ck_assert_str_eq(f_str(&p, "subcommand_name"), "SET_PATH_INFORMATION");
        ck_assert_str_eq(f_str(&p, "file"), "\\report.pdf");
        tx_free(&p);
        th_cuts(NULL, q.b, m, NULL, 0);

        /* OPEN2: 28 bytes of fields, then the name; the response opens a FID */
        tx_init(&t, &p);
        memset(prm, 0, 28);
        prm[2] = 0x42; /* AccessMode */
        prm[12] = 0x11; /* OpenMode: open or create */
        n = 28 + name_bytes(prm + 28, "\\log.txt", u);
        m = t2_req(&q, u, 0x00, prm, n);
        th_req(&t, &p, q.b, m, m);
        ck_assert_str_eq(f_str(&p, "subcommand_name"), "OPEN2");
        ck_assert_str_eq(f_str(&p, "file"), "\\log.txt");
        mb_hdr(&r, 0x32, 0, 0x98, 0xc001, 1, 2, 3, 90);
        mb_words(&r);
        mb_u16(&r, 30); mb_u16(&r, 0); mb_u16(&r, 0); /* totals, Reserved1 */
        mb_u16(&r, 30); mb_u16(&r, 56); mb_u16(&r, 0); /* ParameterCount, Offset, Displacement */
        mb_u16(&r, 0); mb_u16(&r, 86); mb_u16(&r, 0);  /* Data */
        mb_u16(&r, 0);                                 /* SetupCount */
        mb_bytes(&r);
        mb_u8(&r, 0);      /* Pad */
        mb_u16(&r, 0x0c01); /* FID */
        mb_u16(&r, 0x20);  /* FileAttributes */
        mb_u32(&r, 0);     /* CreationTime */
        mb_u32(&r, 4321);  /* FileDataSize */
        mb_zero(&r, 18);   /* AccessMode .. ExtendedAttributeLength */
        mb_end(&r);
        th_rsp(&t, &p, r.b, r.n, r.n);
        ck_assert_uint_eq(f_uint(&p, "fid"), 0x0c01);
        ck_assert_uint_eq(f_uint(&p, "size"), 4321);
        struct smb1_open *o = smb1_open_get(&t.c, 0x0c01);
        ck_assert_ptr_nonnull(o);
        ck_assert_str_eq(o->name, "\\log.txt");
        ck_assert_uint_eq(o->size, 4321);
        tx_free(&p);
        th_cuts(NULL, q.b, m, r.b, r.n);
        ck_assert_uint_eq(th_count(&t, "anomaly"), 0);
        th_end(&t);
    }
}
END_TEST

START_TEST(trans2_parameters_out_of_message)
{
    struct th t;
    th_init(&t);
    struct smb1_pending p;
    tx_init(&t, &p);
    uint8_t q[sizeof T2_QPATH_REQ];
    memcpy(q, T2_QPATH_REQ, sizeof q);
    q[33 + 20] = 0xf0; /* ParameterOffset: far past the end */
    th_req(&t, &p, q, sizeof q, sizeof q);
    ck_assert_uint_eq(f_uint(&p, "subcommand"), 5);
    ck_assert(f_absent(&p, "file"));
    tx_free(&p);
    th_cuts(NULL, q, sizeof q, NULL, 0);
    /* a SetupCount that does not fit in the words */
    tx_init(&t, &p);
    memcpy(q, T2_QPATH_REQ, sizeof q);
    q[33 + 26] = 9;
    th_req(&t, &p, q, sizeof q, sizeof q);
    ck_assert(f_absent(&p, "subcommand"));
    ck_assert(th_line_has(&t, "anomaly ", "name=\"smb1_trans_setup\""));
    tx_free(&p);
    th_end(&t);
    th_cuts(NULL, q, sizeof q, NULL, 0);
}
END_TEST

/* a TRANSACTION2 request cut inside its words has no known sub-command: a
 * response that would parse as OPEN2 (sub-command 0, the zeroes of a request
 * never decoded) must not invent an open */
START_TEST(trans2_undecoded_request_opens_nothing)
{
    struct mb r;
    mb_hdr(&r, 0x32, 0, 0x98, 0xc001, 1, 0x0f77, 0, 5);
    mb_words(&r);
    mb_u16(&r, 12); mb_u16(&r, 0); mb_u16(&r, 0);  /* totals, Reserved1 */
    mb_u16(&r, 12); mb_u16(&r, 56); mb_u16(&r, 0); /* ParameterCount, Offset, Displacement */
    mb_u16(&r, 0); mb_u16(&r, 68); mb_u16(&r, 0);  /* Data */
    mb_u16(&r, 0);                                 /* SetupCount */
    mb_bytes(&r);
    mb_u8(&r, 0);       /* Pad to 56 */
    mb_u16(&r, 0x0800); /* FIND_FIRST2: SID ... */
    mb_u16(&r, 3);      /* SearchCount */
    mb_u16(&r, 1);      /* EndOfSearch */
    mb_u16(&r, 0);      /* EaErrorOffset */
    mb_u16(&r, 0);      /* LastNameOffset */
    mb_u16(&r, 0);      /* pad */
    mb_end(&r);
    struct th t;
    th_init(&t);
    for (size_t cut = 0; cut < SMB1_HDR_LEN + 1 + 2 * 15; cut++) { /* WordCount 15 */
        struct smb1_pending p;
        tx_init(&t, &p);
        th_req(&t, &p, T2_QPATH_REQ, sizeof T2_QPATH_REQ, cut);
        ck_assert(p.have_request);
        th_rsp(&t, &p, r.b, r.n, r.n);
        ck_assert_msg(f_absent(&p, "fid"), "request cut at %zu: response read as OPEN2", cut);
        ck_assert_ptr_null(smb1_open_get(&t.c, 0x0800));
        tx_free(&p);
    }
    ck_assert_uint_eq(th_count(&t, "file "), 0);
    th_end(&t);
}
END_TEST

START_TEST(every_truncation)
{
    th_cuts(NULL, T2_QPATH_REQ, sizeof T2_QPATH_REQ, T2_QPATH_RSP, sizeof T2_QPATH_RSP);
    th_cuts(smbclient_open, T2_QFILE_REQ, sizeof T2_QFILE_REQ, T2_QPATH_RSP, sizeof T2_QPATH_RSP);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("smb1_trans2");
    TCase *tc = tcase_create("trans2");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, trans2_query_path);
    tcase_add_test(tc, trans2_query_file_by_fid);
    tcase_add_test(tc, trans2_find_first_set_path_open2);
    tcase_add_test(tc, trans2_parameters_out_of_message);
    tcase_add_test(tc, trans2_undecoded_request_opens_nothing);
    tcase_add_test(tc, every_truncation);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
