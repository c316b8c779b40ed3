/* Unit tests for the transaction family: TRANSACTION ([MS-CIFS] 2.2.4.33,
 * named pipe sub-commands 2.2.5), TRANSACTION2 (2.2.4.46, sub-commands
 * 2.2.6), NT_TRANSACT (2.2.4.62, sub-commands 2.2.7) and the secondaries
 * (2.2.4.34, 2.2.4.47, 2.2.4.63). Real fixtures: arkime/smb-smbclient.pcap
 * frames 16-17 and 22 (TRANS2 QUERY_PATH/QUERY_FILE_INFORMATION),
 * zeek/raw_ntlm_in_smb.pcap frames 31 (TRANSACT_NMPIPE) and 156 (NT NOTIFY),
 * zeek/smb1_transaction2_secondary_request.pcap frame 16 (synthetic secondary),
 * suricata-verify filestore-filecontainer-smb1-data-offset.pcap frame 30. */
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

/* raw_ntlm_in_smb.pcap frame 156: NT_TRANSACT_NOTIFY_CHANGE (FID in the setup words) */
static const uint8_t NT_NOTIFY_REQ[] = {
    0xff, 'S', 'M', 'B', 0xa0, 0x00, 0x00, 0x00, 0x00, /* NT_TRANSACT */
    0x08, 0x01, 0xc8,
    0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x00,
    0x01, 0x08, 0x00, 0x00, 0x00, 0x08, 0x2e, 0x00,    /* TID 0x0801, PID 0, UID 0x0800, MID 46 */
    0x17,                                              /* WordCount 23 (19 + 4 setup words) */
    0x00,                                              /* MaxSetupCount */
    0x00, 0x00,                                        /* Reserved1 */
    0x00, 0x00, 0x00, 0x00,                            /* TotalParameterCount */
    0x00, 0x00, 0x00, 0x00,                            /* TotalDataCount */
    0xb4, 0x0f, 0x00, 0x00,                            /* MaxParameterCount 4020 */
    0x00, 0x00, 0x00, 0x00,                            /* MaxDataCount */
    0x00, 0x00, 0x00, 0x00,                            /* ParameterCount */
    0x00, 0x00, 0x00, 0x00,                            /* ParameterOffset */
    0x00, 0x00, 0x00, 0x00,                            /* DataCount */
    0x00, 0x00, 0x00, 0x00,                            /* DataOffset */
    0x04,                                              /* SetupCount 4 */
    0x04, 0x00,                                        /* Function: NT_TRANSACT_NOTIFY_CHANGE */
    0x47, 0x0d, 0x00, 0x00,                            /* Setup: CompletionFilter */
    0x05, 0x40,                                        /* FID 0x4005 */
    0x00,                                              /* WatchTree */
    0x00,                                              /* Reserved */
    0x00, 0x00,                                        /* ByteCount */
};

/* filestore-filecontainer-smb1-data-offset.pcap frame 30: function 5 with
 * the FID leading the parameters */
static const uint8_t NT_RENAME_REQ[] = {
    0xff, 'S', 'M', 'B', 0xa0, 0x00, 0x00, 0x00, 0x00, 0x18, 0x05, 0x48,
    0x00, 0x00, 0xb9, 0xeb, 0x54, 0xe2, 0x5e, 0x16, 0x09, 0xd3, 0x00, 0x00, /* signature */
    0x01, 0x08, 0xc0, 0x0a, 0x00, 0x08, 0xe7, 0x4d,    /* TID 0x0801, PID 0x0ac0, UID 0x0800 */
    0x13,                                              /* WordCount 19 */
    0x00, 0x00, 0x00,                                  /* MaxSetupCount, Reserved1 */
    0x04, 0x00, 0x00, 0x00,                            /* TotalParameterCount 4 */
    0xd0, 0x10, 0x00, 0x00,                            /* TotalDataCount */
    0x40, 0x3f, 0x00, 0x00,                            /* MaxParameterCount */
    0xd0, 0x10, 0x00, 0x00,                            /* MaxDataCount */
    0x04, 0x00, 0x00, 0x00,                            /* ParameterCount 4 */
    0x4c, 0x00, 0x00, 0x00,                            /* ParameterOffset 76 */
    0x00, 0x00, 0x00, 0x00,                            /* DataCount */
    0x00, 0x00, 0x00, 0x00,                            /* DataOffset */
    0x00,                                              /* SetupCount 0 */
    0x05, 0x00,                                        /* Function 5: NT_TRANSACT_RENAME */
    0x07, 0x00,                                        /* ByteCount 7 */
    0x00, 0x00, 0x00,                                  /* Pad1 */
    0x01, 0x40,                                        /* 76: FID 0x4001 */
    0x00, 0x00,                                        /* RenameFlags */
};

/* smb1_transaction2_secondary_request.pcap frame 16 (synthetic values) */
static const uint8_t T2_SECONDARY[] = {
    0xff, 'S', 'M', 'B', 0x33, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* Flags2 0: OEM */
    0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x00,
    0x6e, 0x73, 0x01, 0x00, 0xc5, 0x63, 0x02, 0x00,
    0x09,                                              /* WordCount 9 */
    0x0b, 0x00,                                        /* TotalParameterCount 11 */
    0x09, 0x00,                                        /* TotalDataCount 9 */
    0x0b, 0x00,                                        /* ParameterCount 11 */
    0x36, 0x00,                                        /* ParameterOffset 54 */
    0x09, 0x00,                                        /* ParameterDisplacement 9 */
    0x09, 0x00,                                        /* DataCount 9 */
    0x44, 0x00,                                        /* DataOffset 68 */
    0x0b, 0x00,                                        /* DataDisplacement 11 */
    0xff, 0xff,                                        /* FID */
    0x18, 0x00,                                        /* ByteCount 24 */
    0x00,                                              /* Pad */
    's', 'o', 'm', 'e', '_', 'p', 'a', 'r', 'a', 'm', 's', /* Trans2_Parameters */
    0x00, 0x00, 0x00,                                  /* Pad */
    's', 'o', 'm', 'e', '_', 'd', 'a', 't', 'a',       /* Trans2_Data */
};

static void smbclient_open(struct th *t)
{
    struct smb1_tree *tr = smb1_tree_get(&t->c, 1, true);
    tr->path = strdup("\\\\LOCALHOST\\MP3");
    smb1_open_add(&t->c, 0x42fe, 0, 1, "\\tmp\\foo", TS_REQ - 10);
}

static void pipe_open(struct th *t)
{
    smb1_open_add(&t->c, 0x4000, 0x0800, 0x0800, "\\srvsvc", TS_REQ - 10);
    smb1_open_add(&t->c, 0x4005, 0x0800, 0x0801, "\\", TS_REQ - 10);
    smb1_open_add(&t->c, 0x4001, 0x0800, 0x0801, "\\dir\\x.txt", TS_REQ - 10);
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

START_TEST(transaction_named_pipe)
{
    struct th t;
    th_init(&t);
    pipe_open(&t);
    struct smb1_pending p;
    tx_init(&t, &p);
    th_req(&t, &p, TRANS_PIPE_REQ, sizeof TRANS_PIPE_REQ, sizeof TRANS_PIPE_REQ);
    ck_assert_str_eq(f_str(&p, "name"), "\\PIPE\\");
    ck_assert_uint_eq(f_uint(&p, "subcommand"), 0x26);
    ck_assert_str_eq(f_str(&p, "subcommand_name"), "TRANSACT_NMPIPE");
    ck_assert_uint_eq(f_uint(&p, "fid"), 0x4000);
    ck_assert_str_eq(f_str(&p, "file"), "\\srvsvc");
    tx_free(&p);
    th_end(&t);
}
END_TEST

/* WAIT_NMPIPE and CALL_NMPIPE name the pipe, not an open FID: their setup
 * word 1 is a priority ([MS-CIFS] 2.2.5.10, 2.2.5.11) and must not be reported
 * as a FID even when it happens to equal one that is open (0x4000 here) */
START_TEST(transaction_wait_and_call_nmpipe_have_no_fid)
{
    static const struct { uint8_t sub; const char *name; } cases[] = {
        {0x53, "WAIT_NMPIPE"}, {0x54, "CALL_NMPIPE"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct th t;
        th_init(&t);
        pipe_open(&t);
        struct smb1_pending p;
        tx_init(&t, &p);
        uint8_t q[sizeof TRANS_PIPE_REQ];
        memcpy(q, TRANS_PIPE_REQ, sizeof q);
        q[33 + 28] = cases[i].sub; /* Setup[0]; Setup[1] stays 0x4000 */
        th_req(&t, &p, q, sizeof q, sizeof q);
        ck_assert_uint_eq(f_uint(&p, "subcommand"), cases[i].sub);
        ck_assert_str_eq(f_str(&p, "subcommand_name"), cases[i].name);
        ck_assert_msg(f_absent(&p, "fid"), "%s reported a fid", cases[i].name);
        ck_assert(f_absent(&p, "file"));
        tx_free(&p);
        th_end(&t);
    }
}
END_TEST

START_TEST(transaction_lanman_and_mailslot)
{
    struct th t;
    th_init(&t);
    struct smb1_pending p;
    struct mb q;
    for (int i = 0; i < 2; i++) {
        tx_init(&t, &p);
        mb_hdr(&q, 0x25, 0, 0x18, 0x0001, 1, 2, 3, 100 + i); /* OEM */
        mb_words(&q);
        mb_zero(&q, 26);                /* counts, maxima, Flags, Timeout, ParameterCount..DataOffset */
        mb_u8(&q, i ? 3 : 0);           /* SetupCount */
        mb_u8(&q, 0);                   /* Reserved3 */
        if (i) {
            mb_u16(&q, 1);              /* Setup[0]: write mail slot */
            mb_u16(&q, 1);              /* Priority */
            mb_u16(&q, 2);              /* Class: unreliable */
        }
        mb_bytes(&q);
        mb_astr(&q, i ? "\\MAILSLOT\\BROWSE" : "\\PIPE\\LANMAN");
        mb_end(&q);
        th_req(&t, &p, q.b, q.n, q.n);
        if (i) {
            ck_assert_str_eq(f_str(&p, "name"), "\\MAILSLOT\\BROWSE");
            ck_assert_str_eq(f_str(&p, "subcommand_name"), "MAILSLOT_WRITE");
            ck_assert(f_absent(&p, "fid"));
        } else {
            ck_assert_str_eq(f_str(&p, "name"), "\\PIPE\\LANMAN");
            ck_assert(f_absent(&p, "subcommand"));
        }
        tx_free(&p);
        th_cuts(NULL, q.b, q.n, NULL, 0);
    }
    th_end(&t);
}
END_TEST

START_TEST(nt_transact_notify_and_rename)
{
    struct th t;
    th_init(&t);
    pipe_open(&t);
    struct smb1_pending p;
    tx_init(&t, &p);
    th_req(&t, &p, NT_NOTIFY_REQ, sizeof NT_NOTIFY_REQ, sizeof NT_NOTIFY_REQ);
    ck_assert_uint_eq(f_uint(&p, "function"), 4);
    ck_assert_str_eq(f_str(&p, "function_name"), "NOTIFY_CHANGE");
    ck_assert_uint_eq(f_uint(&p, "fid"), 0x4005);
    ck_assert_str_eq(f_str(&p, "file"), "\\");
    tx_free(&p);
    tx_init(&t, &p);
    th_req(&t, &p, NT_RENAME_REQ, sizeof NT_RENAME_REQ, sizeof NT_RENAME_REQ);
    ck_assert_str_eq(f_str(&p, "function_name"), "RENAME");
    ck_assert_uint_eq(f_uint(&p, "fid"), 0x4001);
    ck_assert_str_eq(f_str(&p, "file"), "\\dir\\x.txt");
    tx_free(&p);
    th_end(&t);
}
END_TEST

/* NT_TRANSACT_CREATE request with its 53 bytes of fixed parameters and a name */
static size_t nt_create_req(struct mb *m, bool unicode, const char *name)
{
    mb_hdr(m, 0xa0, 0, 0x18, unicode ? 0xc001 : 0x4001, 1, 2, 3, 110);
    mb_words(m);
    mb_u8(m, 0);             /* MaxSetupCount */
    mb_u16(m, 0);            /* Reserved1 */
    size_t tpc_at = m->n;
    mb_u32(m, 0);            /* TotalParameterCount (patched) */
    mb_u32(m, 0);            /* TotalDataCount */
    mb_u32(m, 256);          /* MaxParameterCount */
    mb_u32(m, 0);            /* MaxDataCount */
    size_t pc_at = m->n;
    mb_u32(m, 0);            /* ParameterCount (patched) */
    size_t po_at = m->n;
    mb_u32(m, 0);            /* ParameterOffset (patched) */
    mb_u32(m, 0);            /* DataCount */
    mb_u32(m, 0);            /* DataOffset */
    mb_u8(m, 0);             /* SetupCount */
    mb_u16(m, 1);            /* Function: NT_TRANSACT_CREATE */
    mb_bytes(m);
    while (m->n % 4)
        mb_u8(m, 0);         /* Pad1 */
    size_t p0 = m->n;
    mb_u32(m, 0);            /* Flags */
    mb_u32(m, 0);            /* RootDirectoryFID */
    mb_u32(m, 0x00130197);   /* DesiredAccess */
    mb_u64(m, 0);            /* AllocationSize */
    mb_u32(m, 0x80);         /* ExtFileAttributes */
    mb_u32(m, 1);            /* ShareAccess */
    mb_u32(m, 2);            /* CreateDisposition: create */
    mb_u32(m, 0x44);         /* CreateOptions */
    mb_u32(m, 0);            /* SecurityDescriptorLength */
    mb_u32(m, 0);            /* EALength */
    size_t nl_at = m->n;
    mb_u32(m, 0);            /* NameLength (patched) */
    mb_u32(m, 2);            /* ImpersonationLevel */
    mb_u8(m, 0);             /* SecurityFlags */
    if (unicode)
        mb_pad2(m);          /* the name is aligned */
    size_t n0 = m->n;
    if (unicode)
        mb_ustr(m, name);
    else
        mb_astr(m, name);
    mb_put32_at(m, nl_at, (uint32_t)(m->n - n0));
    mb_put32_at(m, tpc_at, (uint32_t)(m->n - p0));
    mb_put32_at(m, pc_at, (uint32_t)(m->n - p0));
    mb_put32_at(m, po_at, (uint32_t)p0);
    mb_end(m);
    return m->n;
}

static size_t nt_create_rsp(struct mb *m, uint16_t fid, uint32_t action, uint64_t eof)
{
    mb_hdr(m, 0xa0, 0, 0x98, 0xc001, 1, 2, 3, 110);
    mb_words(m);
    mb_zero(m, 3);           /* Reserved1 */
    mb_u32(m, 69);           /* TotalParameterCount */
    mb_u32(m, 0);            /* TotalDataCount */
    mb_u32(m, 69);           /* ParameterCount */
    mb_u32(m, 72);           /* ParameterOffset */
    mb_u32(m, 0);            /* ParameterDisplacement */
    mb_u32(m, 0);            /* DataCount */
    mb_u32(m, 144);          /* DataOffset */
    mb_u32(m, 0);            /* DataDisplacement */
    mb_u8(m, 0);             /* SetupCount */
    mb_bytes(m);
    while (m->n < 72)
        mb_u8(m, 0);         /* Pad1 */
    mb_u8(m, 0);             /* OpLockLevel */
    mb_u8(m, 0);             /* Reserved */
    mb_u16(m, fid);          /* FID */
    mb_u32(m, action);       /* CreateAction */
    mb_u32(m, 0);            /* EAErrorOffset */
    mb_zero(m, 32);          /* times */
    mb_u32(m, 0x80);         /* ExtFileAttributes */
    mb_u64(m, 0);            /* AllocationSize */
    mb_u64(m, eof);          /* EndOfFile */
    mb_u16(m, 0);            /* FileType */
    mb_u16(m, 0);            /* DeviceState */
    mb_u8(m, 0);             /* Directory */
    mb_end(m);
    return m->n;
}

START_TEST(nt_transact_create)
{
    for (int u = 0; u < 2; u++) {
        struct th t;
        th_init(&t);
        struct smb1_pending p;
        tx_init(&t, &p);
        struct mb q, r;
        size_t n = nt_create_req(&q, u, "\\secure\\acl.txt");
        size_t k = nt_create_rsp(&r, 0x0d0d, 2, 0);
        th_exchange(&t, &p, q.b, n, r.b, k);
        ck_assert_str_eq(f_str(&p, "function_name"), "CREATE");
        ck_assert_str_eq(f_str(&p, "file"), "\\secure\\acl.txt");
        ck_assert_uint_eq(f_uint(&p, "access_mask"), 0x00130197);
        ck_assert_str_eq(f_str(&p, "disposition"), "create");
        ck_assert_uint_eq(f_uint(&p, "create_options"), 0x44);
        ck_assert_uint_eq(f_uint(&p, "fid"), 0x0d0d);
        ck_assert_str_eq(f_str(&p, "create_action"), "created");
        ck_assert(!f_bool(&p, "is_directory"));
        struct smb1_open *o = smb1_open_get(&t.c, 0x0d0d);
        ck_assert_ptr_nonnull(o);
        ck_assert_str_eq(o->name, "\\secure\\acl.txt");
        tx_free(&p);
        th_cuts(NULL, q.b, n, r.b, k);
        th_end(&t);
    }
}
END_TEST

START_TEST(secondaries)
{
    struct th t;
    th_init(&t);
    struct smb1_pending p;
    tx_init(&t, &p);
    th_req(&t, &p, T2_SECONDARY, sizeof T2_SECONDARY, sizeof T2_SECONDARY);
    ck_assert_uint_eq(f_uint(&p, "param_count"), 11);
    ck_assert_uint_eq(f_uint(&p, "param_displacement"), 9);
    ck_assert_uint_eq(f_uint(&p, "data_count"), 9);
    ck_assert_uint_eq(f_uint(&p, "data_displacement"), 11);
    tx_free(&p);

    struct mb q;
    tx_init(&t, &p);
    mb_hdr(&q, 0x26, 0, 0x18, 0xc001, 1, 2, 3, 120); /* TRANSACTION_SECONDARY */
    mb_words(&q);
    mb_u16(&q, 0); mb_u16(&q, 8000); /* totals */
    mb_u16(&q, 0); mb_u16(&q, 0); mb_u16(&q, 0); /* ParameterCount, Offset, Displacement */
    mb_u16(&q, 3000); mb_u16(&q, 52); mb_u16(&q, 4000); /* DataCount, Offset, Displacement */
    mb_bytes(&q);
    mb_end(&q);
    th_req(&t, &p, q.b, q.n, q.n);
    ck_assert_uint_eq(f_uint(&p, "data_count"), 3000);
    ck_assert_uint_eq(f_uint(&p, "data_displacement"), 4000);
    tx_free(&p);
    th_cuts(NULL, q.b, q.n, NULL, 0);

    tx_init(&t, &p);
    mb_hdr(&q, 0xa1, 0, 0x18, 0xc001, 1, 2, 3, 121); /* NT_TRANSACT_SECONDARY */
    mb_words(&q);
    mb_zero(&q, 3);                       /* Reserved1 */
    mb_u32(&q, 100); mb_u32(&q, 70000);   /* totals */
    mb_u32(&q, 0); mb_u32(&q, 0); mb_u32(&q, 100); /* Parameter* */
    mb_u32(&q, 60000); mb_u32(&q, 72); mb_u32(&q, 10000); /* Data* */
    mb_u8(&q, 0);                         /* Reserved2 */
    mb_bytes(&q);
    mb_end(&q);
    th_req(&t, &p, q.b, q.n, q.n);
    ck_assert_uint_eq(f_uint(&p, "param_displacement"), 100);
    ck_assert_uint_eq(f_uint(&p, "data_count"), 60000);
    ck_assert_uint_eq(f_uint(&p, "data_displacement"), 10000);
    tx_free(&p);
    th_cuts(NULL, q.b, q.n, NULL, 0);
    ck_assert_uint_eq(th_count(&t, "anomaly"), 0);
    th_end(&t);
}
END_TEST

START_TEST(sub_command_names)
{
    ck_assert_str_eq(smb1_trans2_name(0x10), "GET_DFS_REFERRAL");
    ck_assert_str_eq(smb1_trans2_name(0x0f), "unknown");
    ck_assert_str_eq(smb1_trans2_name(0x1234), "unknown");
    ck_assert_str_eq(smb1_nt_trans_name(6), "QUERY_SECURITY_DESC");
    ck_assert_str_eq(smb1_nt_trans_name(0), "unknown");
    ck_assert_str_eq(smb1_nt_trans_name(9), "unknown");
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
    th_cuts(pipe_open, TRANS_PIPE_REQ, sizeof TRANS_PIPE_REQ, NULL, 0);
    th_cuts(pipe_open, NT_NOTIFY_REQ, sizeof NT_NOTIFY_REQ, NULL, 0);
    th_cuts(pipe_open, NT_RENAME_REQ, sizeof NT_RENAME_REQ, NULL, 0);
    th_cuts(NULL, T2_SECONDARY, sizeof T2_SECONDARY, NULL, 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("smb1_trans");
    TCase *tc = tcase_create("trans");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, trans2_query_path);
    tcase_add_test(tc, trans2_query_file_by_fid);
    tcase_add_test(tc, trans2_find_first_set_path_open2);
    tcase_add_test(tc, trans2_parameters_out_of_message);
    tcase_add_test(tc, transaction_named_pipe);
    tcase_add_test(tc, transaction_wait_and_call_nmpipe_have_no_fid);
    tcase_add_test(tc, transaction_lanman_and_mailslot);
    tcase_add_test(tc, nt_transact_notify_and_rename);
    tcase_add_test(tc, nt_transact_create);
    tcase_add_test(tc, secondaries);
    tcase_add_test(tc, sub_command_names);
    tcase_add_test(tc, trans2_undecoded_request_opens_nothing);
    tcase_add_test(tc, every_truncation);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
