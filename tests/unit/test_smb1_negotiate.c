/* Unit tests for NEGOTIATE ([MS-CIFS] 2.2.4.52, [MS-SMB] 2.2.4.5). The real
 * fixtures are frames of arkime/smb-smbclient.pcap (smbclient against Samba
 * 3.6, non-extended security) and arkime/smbtorture-ntlmssp.pcap (extended
 * security); the rest are built field by field. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "smb1_harness.h"

/* smb-smbclient.pcap frame 4: NEGOTIATE request, 12 dialects */
static const uint8_t NEG_REQ[] = {
    0xff, 'S', 'M', 'B', 0x72,       /* Protocol, Command NEGOTIATE */
    0x00, 0x00, 0x00, 0x00,          /* Status */
    0x08,                            /* Flags: case insensitive */
    0x01, 0xc8,                      /* Flags2 0xc801: unicode, NT status, ext security, long names */
    0x00, 0x00,                      /* PIDHigh */
    0, 0, 0, 0, 0, 0, 0, 0,          /* SecurityFeatures */
    0x00, 0x00,                      /* Reserved */
    0x00, 0x00,                      /* TID */
    0x77, 0x0f,                      /* PIDLow 3959 */
    0x00, 0x00,                      /* UID */
    0x01, 0x00,                      /* MID 1 */
    0x00,                            /* WordCount 0 */
    0x9b, 0x00,                      /* ByteCount 155 */
    0x02, 'P', 'C', ' ', 'N', 'E', 'T', 'W', 'O', 'R', 'K', ' ', 'P', 'R', 'O', 'G', 'R', 'A', 'M', ' ', '1', '.', '0', 0,
    0x02, 'M', 'I', 'C', 'R', 'O', 'S', 'O', 'F', 'T', ' ', 'N', 'E', 'T', 'W', 'O', 'R', 'K', 'S', ' ', '1', '.', '0', '3', 0,
    0x02, 'M', 'I', 'C', 'R', 'O', 'S', 'O', 'F', 'T', ' ', 'N', 'E', 'T', 'W', 'O', 'R', 'K', 'S', ' ', '3', '.', '0', 0,
    0x02, 'L', 'A', 'N', 'M', 'A', 'N', '1', '.', '0', 0,
    0x02, 'L', 'M', '1', '.', '2', 'X', '0', '0', '2', 0,
    0x02, 'D', 'O', 'S', ' ', 'L', 'A', 'N', 'M', 'A', 'N', '2', '.', '1', 0,
    0x02, 'L', 'A', 'N', 'M', 'A', 'N', '2', '.', '1', 0,
    0x02, 'S', 'a', 'm', 'b', 'a', 0,
    0x02, 'N', 'T', ' ', 'L', 'A', 'N', 'M', 'A', 'N', ' ', '1', '.', '0', 0,
    0x02, 'N', 'T', ' ', 'L', 'M', ' ', '0', '.', '1', '2', 0,
};

/* smb-smbclient.pcap frame 6: NT LM response (WordCount 17), no extended security */
static const uint8_t NEG_RSP[] = {
    0xff, 'S', 'M', 'B', 0x72, 0x00, 0x00, 0x00, 0x00, /* Protocol, Command, Status */
    0x88, 0x03, 0xc0,                                  /* Flags reply, Flags2 0xc003: unicode, NT status */
    0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x00,    /* PIDHigh, SecurityFeatures, Reserved */
    0x00, 0x00, 0x77, 0x0f, 0x00, 0x00, 0x01, 0x00,    /* TID, PIDLow, UID, MID 1 */
    0x11,                                              /* WordCount 17 */
    0x08, 0x00,                                        /* DialectIndex 8: "NT LANMAN 1.0" */
    0x02,                                              /* SecurityMode: encrypt passwords, share level */
    0x32, 0x00,                                        /* MaxMpxCount 50 */
    0x01, 0x00,                                        /* MaxNumberVcs 1 */
    0x04, 0x41, 0x00, 0x00,                            /* MaxBufferSize 16644 */
    0x00, 0x00, 0x01, 0x00,                            /* MaxRawSize 65536 */
    0x78, 0x0f, 0x00, 0x00,                            /* SessionKey */
    0xfd, 0xf3, 0x00, 0x00,                            /* Capabilities 0xf3fd */
    0x97, 0x6d, 0xfe, 0xe0, 0x0f, 0xfd, 0xce, 0x01,    /* SystemTime */
    0x2c, 0x01,                                        /* ServerTimeZone */
    0x08,                                              /* ChallengeLength 8 */
    0x1c, 0x00,                                        /* ByteCount 28 */
    0xe0, 0x37, 0x0c, 0x34, 0xb7, 0x66, 0x3b, 0x6d,    /* Challenge */
    'W', 0, 'O', 0, 'R', 0, 'K', 0, 'G', 0, 'R', 0,    /* DomainName "WORKGROUP" (UTF-16LE, */
    'O', 0, 'U', 0, 'P', 0, 0, 0,                      /*   at an odd offset: no pad) */
};

/* smbtorture-ntlmssp.pcap frame 5: extended security response (CAP_EXTENDED_SECURITY):
 * ServerGUID and a SPNEGO negTokenInit instead of a challenge */
static const uint8_t NEG_RSP_EXT[] = {
    0xff, 'S', 'M', 'B', 0x72, 0x00, 0x00, 0x00, 0x00, 0x88, 0x43, 0xc8, /* Flags2 0xc843: + ext sec */
    0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00,
    0x11,                                              /* WordCount 17 */
    0x0a, 0x00,                                        /* DialectIndex 10 */
    0x03,                                              /* SecurityMode: user level, encrypt */
    0x0a, 0x00, 0x01, 0x00,                            /* MaxMpxCount 10, MaxNumberVcs 1 */
    0x04, 0x11, 0x00, 0x00,                            /* MaxBufferSize 4356 */
    0x00, 0x00, 0x01, 0x00,                            /* MaxRawSize */
    0x00, 0x00, 0x00, 0x00,                            /* SessionKey */
    0xfd, 0xe3, 0x03, 0x80,                            /* Capabilities 0x8003e3fd */
    0xa8, 0x61, 0xb7, 0xcb, 0xb9, 0xec, 0xc5, 0x01,    /* SystemTime */
    0x6c, 0xfd,                                        /* ServerTimeZone */
    0x00,                                              /* ChallengeLength 0 */
    0x50, 0x00,                                        /* ByteCount 80 */
    0xbd, 0xad, 0xb6, 0xaf, 0x27, 0x30, 0x66, 0x4c,    /* ServerGUID */
    0x9e, 0xcd, 0x6c, 0x03, 0x4b, 0x35, 0x29, 0x4b,
    0x60, 0x3e, 0x06, 0x06, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x02, 0xa0, 0x34, 0x30, 0x32, 0xa0, 0x30, /* SecurityBlob */
    0x30, 0x2e, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x82, 0xf7, 0x12, 0x01, 0x02, 0x02, 0x06, 0x09, 0x2a,
    0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02, 0x06, 0x0a, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12,
    0x01, 0x02, 0x02, 0x03, 0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x02, 0x0a,
};

/* a request offering the list the smbtorture capture offers (11 dialects, index 10 = NT LM 0.12) */
static size_t torture_req(struct mb *m)
{
    static const char *const d[] = {
        "PC NETWORK PROGRAM 1.0", "MICROSOFT NETWORKS 1.03", "MICROSOFT NETWORKS 3.0", "LANMAN1.0",
        "Windows for Workgroups 3.1a", "LM1.2X002", "DOS LANMAN2.1", "LANMAN2.1", "Samba", "NT LANMAN 1.0",
        "NT LM 0.12",
    };
    mb_hdr(m, 0x72, 0, 0x08, 0xc843, 0, 0, 0, 1);
    mb_words(m);
    mb_bytes(m);
    for (size_t i = 0; i < sizeof d / sizeof d[0]; i++) {
        mb_u8(m, 0x02); /* BufferFormat: dialect */
        mb_astr(m, d[i]);
    }
    mb_end(m);
    return m->n;
}

START_TEST(request_lists_dialects_in_order)
{
    struct th t;
    th_init(&t);
    struct smb1_pending p;
    tx_init(&t, &p);
    th_req(&t, &p, NEG_REQ, sizeof NEG_REQ, sizeof NEG_REQ);
    const struct field *f = f_get(&p, "dialects");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(f->kind, F_STRV);
    ck_assert_uint_eq(f->v.sv.n, 10);
    ck_assert_str_eq(f->v.sv.v[0], "PC NETWORK PROGRAM 1.0");
    ck_assert_str_eq(f->v.sv.v[8], "NT LANMAN 1.0");
    ck_assert_str_eq(f->v.sv.v[9], "NT LM 0.12");
    ck_assert_uint_eq(t.c.dialects.n, 10);
    ck_assert_uint_eq(th_count(&t, "anomaly"), 0);
    tx_free(&p);
    th_end(&t);
}
END_TEST

START_TEST(nt_lm_response_with_challenge_and_domain)
{
    struct th t;
    th_init(&t);
    struct smb1_pending p;
    tx_init(&t, &p);
    th_exchange(&t, &p, NEG_REQ, sizeof NEG_REQ, NEG_RSP, sizeof NEG_RSP);
    ck_assert_str_eq(f_str(&p, "dialect"), "NT LANMAN 1.0");
    ck_assert(f_absent(&p, "dialect_index"));
    ck_assert_uint_eq(f_uint(&p, "security_mode"), 0x02);
    ck_assert_uint_eq(f_uint(&p, "capabilities"), 0xf3fd);
    ck_assert_uint_eq(f_uint(&p, "max_buffer"), 16644);
    ck_assert_str_eq(f_str(&p, "challenge"), "e0370c34b7663b6d");
    ck_assert_str_eq(f_str(&p, "domain"), "WORKGROUP");
    ck_assert(f_absent(&p, "server"));
    ck_assert_str_eq(t.c.dialect, "NT LANMAN 1.0");
    ck_assert(t.c.have_challenge);
    ck_assert_uint_eq(t.c.challenge[0], 0xe0);
    tx_free(&p);
    th_end(&t);
}
END_TEST

START_TEST(extended_security_response_has_no_challenge)
{
    struct th t;
    th_init(&t);
    struct smb1_pending p;
    tx_init(&t, &p);
    struct mb m;
    size_t n = torture_req(&m);
    th_exchange(&t, &p, m.b, n, NEG_RSP_EXT, sizeof NEG_RSP_EXT);
    ck_assert_str_eq(f_str(&p, "dialect"), "NT LM 0.12");
    ck_assert_uint_eq(f_uint(&p, "capabilities"), 0x8003e3fd);
    ck_assert_uint_eq(f_uint(&p, "security_mode"), 0x03);
    ck_assert(f_absent(&p, "challenge"));
    ck_assert(f_absent(&p, "domain"));
    ck_assert(!t.c.have_challenge);
    tx_free(&p);
    th_end(&t);
}
END_TEST

static size_t index_only_rsp(struct mb *m, uint16_t idx)
{
    mb_hdr(m, 0x72, 0, 0x88, 0xc001, 0, 0, 0, 1);
    mb_words(m);
    mb_u16(m, idx); /* DialectIndex */
    mb_bytes(m);
    mb_end(m);
    return m->n;
}

START_TEST(no_dialect_accepted_is_null_with_index)
{
    struct th t;
    th_init(&t);
    struct smb1_pending p;
    tx_init(&t, &p);
    struct mb m;
    size_t n = index_only_rsp(&m, 0xffff);
    th_exchange(&t, &p, NEG_REQ, sizeof NEG_REQ, m.b, n);
    ck_assert(f_null(&p, "dialect"));
    ck_assert_uint_eq(f_uint(&p, "dialect_index"), 0xffff);
    ck_assert_ptr_null(t.c.dialect);
    ck_assert_uint_eq(th_count(&t, "anomaly"), 0);
    tx_free(&p);
    th_end(&t);
    th_cuts(NULL, NEG_REQ, sizeof NEG_REQ, m.b, n);
}
END_TEST

START_TEST(core_dialect_and_out_of_range_index)
{
    struct th t;
    th_init(&t);
    struct smb1_pending p;
    tx_init(&t, &p);
    struct mb m;
    size_t n = index_only_rsp(&m, 0); /* Core Protocol: WordCount 1 */
    th_exchange(&t, &p, NEG_REQ, sizeof NEG_REQ, m.b, n);
    ck_assert_str_eq(f_str(&p, "dialect"), "PC NETWORK PROGRAM 1.0");
    tx_free(&p);

    tx_init(&t, &p);
    n = index_only_rsp(&m, 12);
    th_exchange(&t, &p, NEG_REQ, sizeof NEG_REQ, m.b, n);
    ck_assert(f_null(&p, "dialect"));
    ck_assert_uint_eq(f_uint(&p, "dialect_index"), 12);
    ck_assert(th_line_has(&t, "anomaly ", "name=\"smb1_negotiate_index\""));
    tx_free(&p);
    th_end(&t);
    th_cuts(NULL, NEG_REQ, sizeof NEG_REQ, m.b, n);
}
END_TEST

START_TEST(duplicate_dialects_keep_their_index)
{
    struct th t;
    th_init(&t);
    struct smb1_pending p;
    tx_init(&t, &p);
    struct mb q;
    mb_hdr(&q, 0x72, 0, 0x08, 0x0001, 0, 0, 0, 1);
    mb_words(&q);
    mb_bytes(&q);
    mb_u8(&q, 2);
    mb_astr(&q, "LANMAN1.0");
    mb_u8(&q, 2);
    mb_astr(&q, "LANMAN1.0"); /* the same string offered twice */
    mb_u8(&q, 2);
    mb_astr(&q, "NT LM 0.12");
    mb_end(&q);
    struct mb m;
    size_t n = index_only_rsp(&m, 2);
    th_exchange(&t, &p, q.b, q.n, m.b, n);
    ck_assert_str_eq(f_str(&p, "dialect"), "NT LM 0.12");
    ck_assert_uint_eq(t.c.dialects.n, 2); /* the connection's copy is deduplicated */
    tx_free(&p);
    th_end(&t);
    th_cuts(NULL, q.b, q.n, m.b, n);
}
END_TEST

START_TEST(lanman_response_oem_domain)
{
    struct th t;
    th_init(&t);
    struct smb1_pending p;
    tx_init(&t, &p);
    struct mb m;
    mb_hdr(&m, 0x72, 0, 0x88, 0x0001, 0, 0, 0, 1);
    mb_words(&m);
    mb_u16(&m, 6);      /* DialectIndex 6: LANMAN2.1 */
    mb_u16(&m, 0x0003); /* SecurityMode: user level, encrypt */
    mb_u16(&m, 4356);   /* MaxBufferSize */
    mb_u16(&m, 50);     /* MaxMpxCount */
    mb_u16(&m, 1);      /* MaxNumberVcs */
    mb_u16(&m, 3);      /* RawMode */
    mb_u32(&m, 0);      /* SessionKey */
    mb_u16(&m, 0);      /* ServerTime */
    mb_u16(&m, 0);      /* ServerDate */
    mb_u16(&m, 0);      /* ServerTimeZone */
    mb_u16(&m, 8);      /* EncryptionKeyLength */
    mb_u16(&m, 0);      /* Reserved */
    mb_bytes(&m);
    mb_raw(&m, "\x11\x22\x33\x44\x55\x66\x77\x88", 8); /* EncryptionKey */
    mb_astr(&m, "OFFICE");                             /* PrimaryDomain (OEM) */
    mb_end(&m);
    th_exchange(&t, &p, NEG_REQ, sizeof NEG_REQ, m.b, m.n);
    ck_assert_str_eq(f_str(&p, "dialect"), "LANMAN2.1");
    ck_assert_uint_eq(f_uint(&p, "security_mode"), 3);
    ck_assert_uint_eq(f_uint(&p, "max_buffer"), 4356);
    ck_assert_str_eq(f_str(&p, "challenge"), "1122334455667788");
    ck_assert_str_eq(f_str(&p, "domain"), "OFFICE");
    ck_assert(f_absent(&p, "capabilities"));
    ck_assert(t.c.have_challenge);
    tx_free(&p);
    th_end(&t);
    th_cuts(NULL, NEG_REQ, sizeof NEG_REQ, m.b, m.n);
}
END_TEST

static size_t nt_rsp_with_server(struct mb *m, uint8_t security_mode)
{
    mb_hdr(m, 0x72, 0, 0x88, 0xc001, 0, 0, 0, 1);
    mb_words(m);
    mb_u16(m, 9);             /* DialectIndex 9: NT LM 0.12 */
    mb_u8(m, security_mode);  /* SecurityMode */
    mb_u16(m, 50);            /* MaxMpxCount */
    mb_u16(m, 1);             /* MaxNumberVcs */
    mb_u32(m, 16644);         /* MaxBufferSize */
    mb_u32(m, 65536);         /* MaxRawSize */
    mb_u32(m, 0);             /* SessionKey */
    mb_u32(m, 0x0000e3fd);    /* Capabilities */
    mb_u64(m, 0);             /* SystemTime */
    mb_u16(m, 0);             /* ServerTimeZone */
    mb_u8(m, 8);              /* ChallengeLength */
    mb_bytes(m);
    mb_raw(m, "\x01\x23\x45\x67\x89\xab\xcd\xef", 8); /* Challenge */
    mb_ustr(m, "CORP");                               /* DomainName */
    mb_ustr(m, "FILESRV01");                          /* ServerName ([MS-SMB]) */
    mb_end(m);
    return m->n;
}

START_TEST(server_name_after_domain)
{
    struct th t;
    th_init(&t);
    struct smb1_pending p;
    tx_init(&t, &p);
    struct mb m;
    size_t n = nt_rsp_with_server(&m, 0x01); /* user level, plaintext passwords */
    th_exchange(&t, &p, NEG_REQ, sizeof NEG_REQ, m.b, n);
    ck_assert_str_eq(f_str(&p, "dialect"), "NT LM 0.12");
    ck_assert_str_eq(f_str(&p, "domain"), "CORP");
    ck_assert_str_eq(f_str(&p, "server"), "FILESRV01");
    ck_assert(!t.c.have_challenge); /* the server asked for plaintext */
    tx_free(&p);
    th_end(&t);
}
END_TEST

START_TEST(error_response_and_unseen_request)
{
    struct th t;
    th_init(&t);
    struct smb1_pending p;
    tx_init(&t, &p);
    struct mb m;
    mb_hdr(&m, 0x72, 0xc0000002, 0x88, 0xc001, 0, 0, 0, 1); /* STATUS_NOT_IMPLEMENTED */
    mb_words(&m);
    mb_bytes(&m);
    mb_end(&m);
    th_exchange(&t, &p, NEG_REQ, sizeof NEG_REQ, m.b, m.n);
    ck_assert(f_absent(&p, "dialect"));
    tx_free(&p);
    th_cuts(NULL, NEG_REQ, sizeof NEG_REQ, m.b, m.n);

    /* mid-stream: the response alone cannot name the dialect */
    tx_init(&t, &p);
    th_rsp(&t, &p, NEG_RSP, sizeof NEG_RSP, sizeof NEG_RSP);
    ck_assert(f_null(&p, "dialect"));
    ck_assert_uint_eq(f_uint(&p, "dialect_index"), 8);
    ck_assert_str_eq(f_str(&p, "domain"), "WORKGROUP");
    tx_free(&p);
    th_end(&t);
}
END_TEST

/* the dialect list is capped (each kept dialect is held until the response
 * and scanned for the session record): the rest are counted, not kept; a
 * DialectIndex into the uncounted part is no protocol error */
START_TEST(dialect_list_capped)
{
    struct th t;
    th_init(&t);
    struct smb1_pending p;
    struct mb q, m;
    mb_hdr(&q, 0x72, 0, 0x08, 0x0001, 0, 0, 0, 1);
    mb_words(&q);
    mb_bytes(&q);
    for (int i = 0; i < 70; i++) {
        char d[8];
        snprintf(d, sizeof d, "D%d", i);
        mb_u8(&q, 2);
        mb_astr(&q, d);
    }
    mb_end(&q);
    tx_init(&t, &p);
    size_t n = index_only_rsp(&m, 63);
    th_exchange(&t, &p, q.b, q.n, m.b, n);
    const struct field *f = f_get(&p, "dialects");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(f->kind, F_STRV);
    ck_assert_uint_eq(f->v.sv.n, 64);
    ck_assert_str_eq(f->v.sv.v[63], "D63");
    ck_assert_uint_eq(f_uint(&p, "dialects_omitted"), 6);
    ck_assert_str_eq(f_str(&p, "dialect"), "D63");
    ck_assert_uint_eq(t.c.dialects.n, 64);
    ck_assert_uint_eq(th_count(&t, "anomaly "), 1);
    ck_assert(th_line_has(&t, "anomaly ", "name=\"smb_dialects_truncated\""));
    tx_free(&p);
    /* an index into the omitted dialects: offered, but its name was not kept */
    tx_init(&t, &p);
    n = index_only_rsp(&m, 69);
    th_exchange(&t, &p, q.b, q.n, m.b, n);
    ck_assert(f_null(&p, "dialect"));
    ck_assert_uint_eq(f_uint(&p, "dialect_index"), 69);
    ck_assert_uint_eq(th_count(&t, "anomaly "), 2);
    ck_assert(!th_line_has(&t, "anomaly ", "name=\"smb1_negotiate_index\""));
    tx_free(&p);
    /* past every dialect offered */
    tx_init(&t, &p);
    n = index_only_rsp(&m, 70);
    th_exchange(&t, &p, q.b, q.n, m.b, n);
    ck_assert(f_null(&p, "dialect"));
    ck_assert_uint_eq(f_uint(&p, "dialect_index"), 70);
    ck_assert(th_line_has(&t, "anomaly ", "name=\"smb1_negotiate_index\""));
    tx_free(&p);
    /* at the cap exactly: nothing omitted */
    mb_hdr(&q, 0x72, 0, 0x08, 0x0001, 0, 0, 0, 1);
    mb_words(&q);
    mb_bytes(&q);
    for (int i = 0; i < 64; i++) {
        mb_u8(&q, 2);
        mb_astr(&q, "NT LM 0.12");
    }
    mb_end(&q);
    tx_init(&t, &p);
    th_req(&t, &p, q.b, q.n, q.n);
    ck_assert_uint_eq(f_get(&p, "dialects")->v.sv.n, 64);
    ck_assert(f_absent(&p, "dialects_omitted"));
    tx_free(&p);
    th_end(&t);
    th_cuts(NULL, q.b, q.n, m.b, n);
}
END_TEST

START_TEST(every_truncation)
{
    th_cuts(NULL, NEG_REQ, sizeof NEG_REQ, NEG_RSP, sizeof NEG_RSP);
    struct mb m;
    size_t n = torture_req(&m);
    th_cuts(NULL, m.b, n, NEG_RSP_EXT, sizeof NEG_RSP_EXT);
    struct mb s;
    size_t k = nt_rsp_with_server(&s, 3);
    th_cuts(NULL, m.b, n, s.b, k);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("smb1_negotiate");
    TCase *tc = tcase_create("negotiate");
    tcase_add_test(tc, request_lists_dialects_in_order);
    tcase_add_test(tc, nt_lm_response_with_challenge_and_domain);
    tcase_add_test(tc, extended_security_response_has_no_challenge);
    tcase_add_test(tc, no_dialect_accepted_is_null_with_index);
    tcase_add_test(tc, core_dialect_and_out_of_range_index);
    tcase_add_test(tc, duplicate_dialects_keep_their_index);
    tcase_add_test(tc, lanman_response_oem_domain);
    tcase_add_test(tc, server_name_after_domain);
    tcase_add_test(tc, error_response_and_unseen_request);
    tcase_add_test(tc, dialect_list_capped);
    tcase_add_test(tc, every_truncation);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
