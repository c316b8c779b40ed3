/* Unit tests for the transaction family: TRANSACTION ([MS-CIFS] 2.2.4.33,
 * named pipe sub-commands 2.2.5), NT_TRANSACT (2.2.4.62, sub-commands 2.2.7)
 * and the secondaries (2.2.4.34, 2.2.4.47, 2.2.4.63); TRANSACTION2 is in
 * test_smb1_trans2.c. Real fixtures:
 * zeek/raw_ntlm_in_smb.pcap frames 31 (TRANSACT_NMPIPE) and 156 (NT NOTIFY),
 * zeek/smb1_transaction2_secondary_request.pcap frame 16 (synthetic secondary),
 * suricata-verify filestore-filecontainer-smb1-data-offset.pcap frame 30. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "smb1_harness.h"
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

static void pipe_open(struct th *t)
{
    smb1_open_add(&t->c, 0x4000, 0x0800, 0x0800, "\\srvsvc", TS_REQ - 10);
    smb1_open_add(&t->c, 0x4005, 0x0800, 0x0801, "\\", TS_REQ - 10);
    smb1_open_add(&t->c, 0x4001, 0x0800, 0x0801, "\\dir\\x.txt", TS_REQ - 10);
}

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

START_TEST(every_truncation)
{
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
    tcase_add_test(tc, transaction_named_pipe);
    tcase_add_test(tc, transaction_wait_and_call_nmpipe_have_no_fid);
    tcase_add_test(tc, transaction_lanman_and_mailslot);
    tcase_add_test(tc, nt_transact_notify_and_rename);
    tcase_add_test(tc, nt_transact_create);
    tcase_add_test(tc, secondaries);
    tcase_add_test(tc, sub_command_names);
    tcase_add_test(tc, every_truncation);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
