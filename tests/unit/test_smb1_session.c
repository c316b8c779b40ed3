/* Unit tests for SESSION_SETUP_ANDX ([MS-CIFS] 2.2.4.53, [MS-SMB] 2.2.4.6):
 * the auth kind decision, user/domain/host, OEM vs Unicode strings with
 * alignment padding, multi-round extended security, and the session state.
 * Real fixtures: arkime/smb-smbclient.pcap frames 8-9 (non-extended) and
 * arkime/smbtorture-ntlmssp.pcap frames 7-8 (extended, round one); the
 * AUTHENTICATE rounds wrap the real tokens of fx_ntlmssp.h. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "fx_ntlmssp.h"
#include "smb1_harness.h"

/* smb-smbclient.pcap frame 8: NT LM request (WordCount 13): no OEM password, a
 * Unicode password that is only a terminator (an empty password sent as is) */
static const uint8_t SS_REQ_NTLM[] = {
    0xff, 'S', 'M', 'B', 0x73, 0x00, 0x00, 0x00, 0x00, /* SESSION_SETUP_ANDX, Status 0 */
    0x08, 0x01, 0xc8,                                  /* Flags, Flags2 0xc801 (Unicode) */
    0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x00,    /* PIDHigh, SecurityFeatures, Reserved */
    0xff, 0xff, 0x77, 0x0f, 0x00, 0x00, 0x02, 0x00,    /* TID 0xffff, PID 3959, UID 0, MID 2 */
    0x0d,                                              /* WordCount 13 */
    0xff, 0x00, 0x00, 0x00,                            /* AndXCommand none, reserved, AndXOffset */
    0xff, 0xff,                                        /* MaxBufferSize */
    0x02, 0x00,                                        /* MaxMpxCount */
    0x77, 0x0f,                                        /* VcNumber */
    0x78, 0x0f, 0x00, 0x00,                            /* SessionKey */
    0x00, 0x00,                                        /* OEMPasswordLen 0 */
    0x02, 0x00,                                        /* UnicodePasswordLen 2 */
    0x00, 0x00, 0x00, 0x00,                            /* Reserved */
    0x5c, 0xd0, 0x00, 0x00,                            /* Capabilities */
    0x43, 0x00,                                        /* ByteCount 67 */
    0x00, 0x00,                                        /* UnicodePassword: "" */
    0x00,                                              /* Pad: AccountName to an even offset */
    'u', 0, 's', 0, 'e', 0, 'r', 0, 0, 0,              /* AccountName "user" */
    'W', 0, 'O', 0, 'R', 0, 'K', 0, 'G', 0, 'R', 0, 'O', 0, 'U', 0, 'P', 0, 0, 0, /* PrimaryDomain */
    'U', 0, 'n', 0, 'i', 0, 'x', 0, 0, 0,              /* NativeOS "Unix" */
    'S', 0, 'a', 0, 'm', 0, 'b', 0, 'a', 0, ' ', 0, '3', 0, '.', 0, '6', 0, '.', 0, '3', 0, 0, 0, /* NativeLanMan */
};

/* smb-smbclient.pcap frame 9: response (WordCount 3), logged on as guest */
static const uint8_t SS_RSP_NTLM[] = {
    0xff, 'S', 'M', 'B', 0x73, 0x00, 0x00, 0x00, 0x00,
    0x88, 0x03, 0xc0,                                  /* Flags reply, Flags2 0xc003 */
    0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x00,
    0xff, 0xff, 0x77, 0x0f, 0x00, 0x00, 0x02, 0x00,    /* TID, PID, UID 0 (assigned), MID 2 */
    0x03,                                              /* WordCount 3 */
    0xff, 0x00, 0x00, 0x00,                            /* AndX */
    0x01, 0x00,                                        /* Action: guest */
    0x37, 0x00,                                        /* ByteCount 55 */
    0x00,                                              /* Pad */
    'U', 0, 'n', 0, 'i', 0, 'x', 0, 0, 0,              /* NativeOS */
    'S', 0, 'a', 0, 'm', 0, 'b', 0, 'a', 0, ' ', 0, '3', 0, '.', 0, '6', 0, '.', 0, '3', 0, 0, 0, /* NativeLanMan */
    'W', 0, 'O', 0, 'R', 0, 'K', 0, 'G', 0, 'R', 0, 'O', 0, 'U', 0, 'P', 0, 0, 0, /* PrimaryDomain */
};

/* smbtorture-ntlmssp.pcap frame 7: extended security round one (WordCount 12):
 * SPNEGO negTokenInit carrying an NTLMSSP NEGOTIATE */
static const uint8_t SS_REQ_EXT1[] = {
    0xff, 'S', 'M', 'B', 0x73, 0x00, 0x00, 0x00, 0x00,
    0x08, 0x03, 0xc8,                                  /* Flags2 0xc803: Unicode, ext security */
    0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x00,
    0x00, 0x00, 0x43, 0x79, 0x00, 0x00, 0x02, 0x00,    /* TID 0, PID 0x7943, UID 0, MID 2 */
    0x0c,                                              /* WordCount 12 */
    0xff, 0x00, 0x00, 0x00,                            /* AndX */
    0x00, 0x30,                                        /* MaxBufferSize */
    0x32, 0x00,                                        /* MaxMpxCount */
    0x01, 0x00,                                        /* VcNumber */
    0x00, 0x00, 0x00, 0x00,                            /* SessionKey */
    0x4a, 0x00,                                        /* SecurityBlobLength 74 */
    0x00, 0x00, 0x00, 0x00,                            /* Reserved */
    0xfd, 0xe3, 0x03, 0x80,                            /* Capabilities */
    0x99, 0x00,                                        /* ByteCount 153 */
    /* SecurityBlob: GSS-API [APPLICATION 0], SPNEGO OID, negTokenInit {mechTypes {NTLMSSP}, mechToken} */
    0x60, 0x48, 0x06, 0x06, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x02, 0xa0, 0x3e,
    0x30, 0x3c, 0xa0, 0x0e, 0x30, 0x0c, 0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04,
    0x01, 0x82, 0x37, 0x02, 0x02, 0x0a, 0xa2, 0x2a, 0x04, 0x28,
    'N', 'T', 'L', 'M', 'S', 'S', 'P', 0x00, 0x01, 0x00, 0x00, 0x00, /* NTLMSSP NEGOTIATE */
    0x15, 0x02, 0x08, 0x60, 0x05, 0x00, 0x05, 0x00, 0x20, 0x00, 0x00, 0x00,
    0x03, 0x00, 0x03, 0x00, 0x25, 0x00, 0x00, 0x00, 'V', 'N', 'E', 'T', '3', 'B', 'L', 'U',
    0x00,                                              /* Pad */
    'U', 0, 'n', 0, 'i', 0, 'x', 0, 0, 0,              /* NativeOS */
    'S', 0, 'a', 0, 'm', 0, 'b', 0, 'a', 0, ' ', 0, '3', 0, '.', 0, '9', 0, '.', 0, '0', 0, '-', 0,
    'S', 0, 'V', 0, 'N', 0, '-', 0, 'b', 0, 'u', 0, 'i', 0, 'l', 0, 'd', 0, '-', 0, '1', 0, '1', 0,
    '5', 0, '7', 0, '2', 0, 0, 0,                      /* NativeLanMan "Samba 3.9.0-SVN-build-11572" */
    'V', 0, 'N', 0, 'E', 0, 'T', 0, '3', 0, 0, 0,      /* PrimaryDomain (Samba sends it too) */
};

/* smbtorture-ntlmssp.pcap frame 8: the SPNEGO negTokenResp with the NTLMSSP
 * CHALLENGE (ServerChallenge 28a3a326a53fa6f5) that came back with
 * STATUS_MORE_PROCESSING_REQUIRED */
static const uint8_t CHALLENGE_BLOB[] = {
    0xa1, 0x81, 0xb0, 0x30, 0x81, 0xad, 0xa0, 0x03, 0x0a, 0x01, 0x01, 0xa1,
    0x0c, 0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x02,
    0x0a, 0xa2, 0x81, 0x97, 0x04, 0x81, 0x94, 0x4e, 0x54, 0x4c, 0x4d, 0x53,
    0x53, 0x50, 0x00, 0x02, 0x00, 0x00, 0x00, 0x0c, 0x00, 0x0c, 0x00, 0x38,
    0x00, 0x00, 0x00, 0x15, 0x02, 0x8a, 0x62, 0x28, 0xa3, 0xa3, 0x26, 0xa5,
    0x3f, 0xa6, 0xf5, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x50,
    0x00, 0x50, 0x00, 0x44, 0x00, 0x00, 0x00, 0x06, 0x00, 0x6f, 0x14, 0x00,
    0x00, 0x00, 0x0f, 0x56, 0x00, 0x49, 0x00, 0x53, 0x00, 0x54, 0x00, 0x41,
    0x00, 0x32, 0x00, 0x02, 0x00, 0x0c, 0x00, 0x56, 0x00, 0x49, 0x00, 0x53,
    0x00, 0x54, 0x00, 0x41, 0x00, 0x32, 0x00, 0x01, 0x00, 0x0c, 0x00, 0x56,
    0x00, 0x49, 0x00, 0x53, 0x00, 0x54, 0x00, 0x41, 0x00, 0x32, 0x00, 0x04,
    0x00, 0x0c, 0x00, 0x76, 0x00, 0x69, 0x00, 0x73, 0x00, 0x74, 0x00, 0x61,
    0x00, 0x32, 0x00, 0x03, 0x00, 0x0c, 0x00, 0x76, 0x00, 0x69, 0x00, 0x73,
    0x00, 0x74, 0x00, 0x61, 0x00, 0x32, 0x00, 0x07, 0x00, 0x08, 0x00, 0xa8,
    0x61, 0xb7, 0xcb, 0xb9, 0xec, 0xc5, 0x01, 0x00, 0x00, 0x00, 0x00,
};

/* SPNEGO negTokenResp { negState accept-completed } */
static const uint8_t ACCEPT_BLOB[] = {0xa1, 0x07, 0x30, 0x05, 0xa0, 0x03, 0x0a, 0x01, 0x00};

/* a GSS-API Kerberos AP-REQ head: [APPLICATION 0] { OID 1.2.840.113554.1.2.2, TOK_ID 01 00, AP-REQ ... } */
static const uint8_t KRB5_BLOB[] = {
    0x60, 0x1a, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02, /* krb5 mech OID */
    0x01, 0x00,                                                                   /* TOK_ID AP_REQ */
    0x6e, 0x0b, 0x30, 0x09, 0xa0, 0x03, 0x02, 0x01, 0x05, 0xa1, 0x02, 0x02, 0x00, /* AP-REQ pvno 5 ... */
};

#define STATUS_MORE_PROCESSING 0xc0000016u
#define STATUS_LOGON_FAILURE 0xc000006du

/* an extended security request (WordCount 12) carrying blob */
static size_t ext_req(struct mb *m, const uint8_t *pre, size_t pre_n, const uint8_t *blob, size_t n, uint16_t uid,
                      uint16_t mid)
{
    mb_hdr(m, 0x73, 0, 0x08, 0xc803, 0, 0x7943, uid, mid);
    mb_words(m);
    mb_u32(m, 0x000000ff);           /* AndX: none */
    mb_u16(m, 0x3000);               /* MaxBufferSize */
    mb_u16(m, 50);                   /* MaxMpxCount */
    mb_u16(m, 1);                    /* VcNumber */
    mb_u32(m, 0);                    /* SessionKey */
    mb_u16(m, (uint16_t)(pre_n + n)); /* SecurityBlobLength */
    mb_u32(m, 0);                    /* Reserved */
    mb_u32(m, 0x8003e3fd);           /* Capabilities */
    mb_bytes(m);
    mb_raw(m, pre, pre_n);           /* SecurityBlob */
    mb_raw(m, blob, n);
    mb_pad2(m);
    mb_ustr(m, "Unix");              /* NativeOS */
    mb_ustr(m, "Samba");             /* NativeLanMan */
    mb_end(m);
    return m->n;
}

/* an extended security response (WordCount 4) */
static size_t ext_rsp(struct mb *m, uint32_t status, uint16_t uid, uint16_t mid, uint16_t action, const uint8_t *blob,
                      size_t n)
{
    mb_hdr(m, 0x73, status, 0x88, 0xc803, 0, 0x7943, uid, mid);
    mb_words(m);
    mb_u32(m, 0x000000ff); /* AndX */
    mb_u16(m, action);     /* Action */
    mb_u16(m, (uint16_t)n); /* SecurityBlobLength */
    mb_bytes(m);
    mb_raw(m, blob, n);
    mb_pad2(m);
    mb_ustr(m, "Windows (TM) Code Name \"Longhorn\" Ultimate 5231"); /* NativeOS */
    mb_ustr(m, "Windows (TM) Code Name \"Longhorn\" Ultimate 6.0");  /* NativeLanMan */
    mb_end(m);
    return m->n;
}

/* a non-extended NT LM request (WordCount 13) with passwords of the given lengths */
static size_t ntlm_req(struct mb *m, bool unicode, uint16_t oem_len, uint16_t uni_len, const char *user)
{
    mb_hdr(m, 0x73, 0, 0x08, unicode ? 0xc001 : 0x4001, 0xffff, 0x1234, 0, 7);
    mb_words(m);
    mb_u32(m, 0x000000ff);  /* AndX */
    mb_u16(m, 16644);       /* MaxBufferSize */
    mb_u16(m, 50);          /* MaxMpxCount */
    mb_u16(m, 0);           /* VcNumber */
    mb_u32(m, 0);           /* SessionKey */
    mb_u16(m, oem_len);     /* OEMPasswordLen */
    mb_u16(m, uni_len);     /* UnicodePasswordLen */
    mb_u32(m, 0);           /* Reserved */
    mb_u32(m, 0x000000d4);  /* Capabilities */
    mb_bytes(m);
    for (size_t i = 0; i < (size_t)oem_len + uni_len; i++)
        mb_u8(m, (uint8_t)(0x5a ^ i)); /* OEMPassword, UnicodePassword */
    if (unicode) {
        mb_pad2(m);
        mb_ustr(m, user);       /* AccountName */
        mb_ustr(m, "OFFICE");   /* PrimaryDomain */
        mb_ustr(m, "Windows 2000 2195");
        mb_ustr(m, "Windows 2000 5.0");
    } else {
        mb_astr(m, user);
        mb_astr(m, "OFFICE");
        mb_astr(m, "Windows 4.0");
        mb_astr(m, "Windows 4.0");
    }
    mb_end(m);
    return m->n;
}

static size_t plain_rsp(struct mb *m, uint32_t status, uint16_t uid, uint16_t mid, bool words)
{
    mb_hdr(m, 0x73, status, 0x88, 0xc001, 0xffff, 0x1234, uid, mid);
    mb_words(m);
    if (words) {
        mb_u32(m, 0x000000ff); /* AndX */
        mb_u16(m, 0);          /* Action */
    }
    mb_bytes(m);
    if (words) {
        mb_pad2(m);
        mb_ustr(m, "Windows 5.0");
        mb_ustr(m, "Windows 2000 LAN Manager");
        mb_ustr(m, "OFFICE");
    }
    mb_end(m);
    return m->n;
}

static void plain_server(struct th *t)
{
    t->c.dialect = strdup("NT LM 0.12");
}

START_TEST(non_extended_smbclient)
{
    struct th t;
    th_init(&t);
    struct smb1_pending p;
    tx_init(&t, &p);
    th_exchange(&t, &p, SS_REQ_NTLM, sizeof SS_REQ_NTLM, SS_RSP_NTLM, sizeof SS_RSP_NTLM);
    ck_assert_str_eq(f_str(&p, "user"), "user");
    ck_assert_str_eq(f_str(&p, "domain"), "WORKGROUP");
    ck_assert(f_null(&p, "host"));
    ck_assert_str_eq(f_str(&p, "native_os"), "Unix");
    ck_assert_str_eq(f_str(&p, "native_lanman"), "Samba 3.6.3");
    /* not a 24-byte response but the password itself (empty): plaintext */
    ck_assert_str_eq(f_str(&p, "auth"), "plaintext");
    ck_assert(f_bool(&p, "guest"));
    ck_assert_str_eq(f_str(&p, "server_native_os"), "Unix");
    ck_assert_str_eq(f_str(&p, "server_native_lanman"), "Samba 3.6.3");
    ck_assert_str_eq(f_str(&p, "server_domain"), "WORKGROUP");
    struct smb1_session *s = smb1_session_get(&t.c, 0, false, 0);
    ck_assert_ptr_nonnull(s);
    ck_assert(!s->partial);
    ck_assert_str_eq(s->user, "user");
    ck_assert_str_eq(s->auth, "plaintext");
    ck_assert(s->guest);
    ck_assert_str_eq(s->status, "STATUS_SUCCESS");
    ck_assert_str_eq(s->srv_native_lanman, "Samba 3.6.3");
    tx_free(&p);
    th_end(&t);
}
END_TEST

START_TEST(session_record_at_connection_end)
{
    struct th t;
    th_init(&t);
    t.c.dialect = strdup("NT LANMAN 1.0");
    struct smb1_pending p;
    tx_init(&t, &p);
    th_exchange(&t, &p, SS_REQ_NTLM, sizeof SS_REQ_NTLM, SS_RSP_NTLM, sizeof SS_RSP_NTLM);
    tx_free(&p);
    smb1_state_end(&t.c, TS_RSP + 5);
    const char *rec = th_find(&t, "session ");
    ck_assert_ptr_nonnull(rec);
    ck_assert_str_eq(rec, "session ts=1000505 start=@1000000 uid=0 dialect=\"NT LANMAN 1.0\" user=\"user\" domain=\"WORKGROUP\" host=null "
                          "auth=\"plaintext\" status=\"STATUS_SUCCESS\" shares=[] files=[] guest=true "
                          "native_os=\"Unix\" native_lanman=\"Samba 3.6.3\" partial=false");
    th_end(&t);
}
END_TEST

START_TEST(extended_security_two_rounds)
{
    struct th t;
    th_init(&t);
    /* round one: NEGOTIATE -> CHALLENGE, STATUS_MORE_PROCESSING_REQUIRED */
    struct smb1_pending p1;
    tx_init(&t, &p1);
    struct mb r1;
    size_t n1 = ext_rsp(&r1, STATUS_MORE_PROCESSING, 0x0800, 2, 0, CHALLENGE_BLOB, sizeof CHALLENGE_BLOB);
    th_exchange(&t, &p1, SS_REQ_EXT1, sizeof SS_REQ_EXT1, r1.b, n1);
    ck_assert_str_eq(f_str(&p1, "auth"), "ntlmssp");
    ck_assert(f_null(&p1, "user"));
    ck_assert(f_null(&p1, "host"));
    ck_assert_str_eq(f_str(&p1, "native_os"), "Unix");
    ck_assert_str_eq(f_str(&p1, "native_lanman"), "Samba 3.9.0-SVN-build-11572");
    ck_assert_str_eq(f_str(&p1, "challenge"), "28a3a326a53fa6f5");
    ck_assert_str_eq(f_str(&p1, "server_native_os"), "Windows (TM) Code Name \"Longhorn\" Ultimate 5231");
    ck_assert_ptr_null(t.c.sessions); /* not settled yet */
    tx_free(&p1);

    /* round two: AUTHENTICATE (NTLM v1, inside SPNEGO) -> success */
    struct smb1_pending p2;
    tx_init(&t, &p2);
    struct mb q2, r2;
    size_t m2 = ext_req(&q2, FX_SPNEGO_RESP_PREFIX, sizeof FX_SPNEGO_RESP_PREFIX, FX_AUTH_V1, sizeof FX_AUTH_V1,
                        0x0800, 3);
    size_t n2 = ext_rsp(&r2, 0, 0x0800, 3, 0, ACCEPT_BLOB, sizeof ACCEPT_BLOB);
    th_exchange(&t, &p2, q2.b, m2, r2.b, n2);
    ck_assert_str_eq(f_str(&p2, "user"), "administrator");
    ck_assert_str_eq(f_str(&p2, "domain"), "VNET3");
    ck_assert_str_eq(f_str(&p2, "host"), "BLU");
    ck_assert_str_eq(f_str(&p2, "auth"), "ntlmssp-v1");
    ck_assert(!f_bool(&p2, "guest"));
    ck_assert_uint_eq(th_count(&t, "anomaly"), 0);
    tx_free(&p2);
    struct smb1_session *s = smb1_session_get(&t.c, 0x0800, false, 0);
    ck_assert_ptr_nonnull(s);
    ck_assert_str_eq(s->user, "administrator");
    ck_assert_str_eq(s->host, "BLU");
    ck_assert_str_eq(s->auth, "ntlmssp-v1");
    ck_assert_uint_eq(s->ts_us, TS_REQ);
    th_end(&t);
}
END_TEST

START_TEST(raw_ntlmv2_anonymous_and_kerberos_tokens)
{
    static const uint8_t none[1];
    struct {
        const uint8_t *blob;
        size_t n;
        const char *auth, *user, *domain, *host;
    } cases[] = {
        {FX_AUTH_V2, sizeof FX_AUTH_V2, "ntlmssp-v2", "test", "TEST-F7DFBC3FE9", "BABYBOOK"},
        {FX_AUTH_ANON_SPNEGO, sizeof FX_AUTH_ANON_SPNEGO, "ntlmssp-anonymous", "", "", "HOST"}, /* LM empty */
        {FX_AUTH_ANON_Z1, sizeof FX_AUTH_ANON_Z1, "ntlmssp-anonymous", "", "", "PC7"},          /* LM = Z(1) */
        {FX_AUTH_LM_ONLY, sizeof FX_AUTH_LM_ONLY, "ntlmssp-lm", "alice", "LAB", "PC7"},
        {FX_AUTH_NAMED_Z1, sizeof FX_AUTH_NAMED_Z1, "ntlmssp-empty", "bob", "", "PC7"},
        {KRB5_BLOB, sizeof KRB5_BLOB, "kerberos", NULL, NULL, NULL},
        {ACCEPT_BLOB, sizeof ACCEPT_BLOB, "unknown", NULL, NULL, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct th t;
        th_init(&t);
        struct smb1_pending p;
        tx_init(&t, &p);
        struct mb q, r;
        size_t m = ext_req(&q, none, 0, cases[i].blob, cases[i].n, 0x0800, 3);
        size_t n = ext_rsp(&r, 0, 0x0800, 3, 0, ACCEPT_BLOB, sizeof ACCEPT_BLOB);
        th_exchange(&t, &p, q.b, m, r.b, n);
        ck_assert_str_eq(f_str(&p, "auth"), cases[i].auth);
        if (cases[i].user) {
            ck_assert_str_eq(f_str(&p, "user"), cases[i].user);
            ck_assert_str_eq(f_str(&p, "domain"), cases[i].domain);
            ck_assert_str_eq(f_str(&p, "host"), cases[i].host);
        } else {
            ck_assert(f_null(&p, "user"));
            ck_assert(f_null(&p, "host"));
        }
        ck_assert_str_eq(smb1_session_get(&t.c, 0x0800, false, 0)->auth, cases[i].auth);
        tx_free(&p);
        th_end(&t);
        th_cuts(NULL, q.b, m, r.b, n);
    }
}
END_TEST

START_TEST(password_kinds)
{
    struct {
        bool unicode, negotiated_plain;
        uint16_t oem, uni;
        const char *user, *auth;
        bool zero_lm;           /* the OEM password is zero bytes (else 0x5a, 0x5b, ...) */
    } cases[] = {
        {true, false, 24, 24, "alice", "ntlmv1", false},
        {true, false, 0, 24, "alice", "ntlmv1", false},
        {true, false, 24, 0, "alice", "lm", false},
        {true, false, 24, 74, "alice", "ntlmv2", false},
        /* [MS-NLMP] 3.2.5.1.2: anonymous needs an empty user name AND no
         * response (NT empty, LM empty or the single zero byte) */
        {true, false, 0, 0, "alice", "empty", false},     /* named, no response: not anonymous */
        {true, false, 1, 0, "alice", "empty", true},
        {true, false, 0, 0, "", "anonymous", false},
        {true, false, 1, 0, "", "anonymous", true},       /* LM = Z(1) */
        {true, false, 1, 0, "", "plaintext", false},      /* one non-zero byte: a password, not Z(1) */
        {false, false, 24, 0, "", "lm", false},           /* no name but an LM response: not anonymous */
        {false, false, 8, 0, "alice", "plaintext", false}, /* not a 24-byte response */
        {true, true, 24, 24, "alice", "plaintext", false}, /* the server said: no encryption */
        {false, true, 0, 0, "", "anonymous", false},
        {false, true, 0, 0, "alice", "plaintext", false},  /* an empty plaintext password */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct th t;
        th_init(&t);
        /* a NEGOTIATE was seen; it asked for challenge/response unless plain */
        t.c.dialect = strdup("NT LM 0.12");
        t.c.have_challenge = !cases[i].negotiated_plain;
        struct smb1_pending p;
        tx_init(&t, &p);
        struct mb q, r;
        size_t m = ntlm_req(&q, cases[i].unicode, cases[i].oem, cases[i].uni, cases[i].user);
        if (cases[i].zero_lm)
            memset(q.b + q.bcc_at + 2, 0, cases[i].oem); /* OEMPassword: zeroes */
        size_t n = plain_rsp(&r, 0, 100, 7, true);
        th_exchange(&t, &p, q.b, m, r.b, n);
        ck_assert_msg(strcmp(f_str(&p, "auth"), cases[i].auth) == 0, "case %zu: %s", i, f_str(&p, "auth"));
        ck_assert_str_eq(f_str(&p, "user"), cases[i].user);
        ck_assert_str_eq(f_str(&p, "domain"), "OFFICE");
        ck_assert_str_eq(f_str(&p, "native_os"), cases[i].unicode ? "Windows 2000 2195" : "Windows 4.0");
        ck_assert_str_eq(f_str(&p, "server_domain"), "OFFICE");
        tx_free(&p);
        th_end(&t);
        th_cuts(cases[i].negotiated_plain ? plain_server : NULL, q.b, m, r.b, n);
    }
}
END_TEST

START_TEST(lanman_request)
{
    struct th t;
    th_init(&t);
    struct smb1_pending p;
    tx_init(&t, &p);
    struct mb q;
    mb_hdr(&q, 0x73, 0, 0x08, 0x0001, 0, 0x0200, 0, 4);
    mb_words(&q);
    mb_u32(&q, 0x000000ff); /* AndX */
    mb_u16(&q, 4356);       /* MaxBufferSize */
    mb_u16(&q, 2);          /* MaxMpxCount */
    mb_u16(&q, 0);          /* VcNumber */
    mb_u32(&q, 0);          /* SessionKey */
    mb_u16(&q, 24);         /* PasswordLength */
    mb_u32(&q, 0);          /* Reserved */
    mb_bytes(&q);
    mb_zero(&q, 24);        /* AccountPassword: an LM response */
    mb_astr(&q, "BOB");     /* AccountName */
    mb_astr(&q, "WG");      /* PrimaryDomain */
    mb_astr(&q, "OS/2");    /* NativeOS */
    mb_astr(&q, "LAN Manager 2.1"); /* NativeLanMan */
    mb_end(&q);
    th_req(&t, &p, q.b, q.n, q.n);
    ck_assert_str_eq(f_str(&p, "auth"), "lm");
    ck_assert_str_eq(f_str(&p, "user"), "BOB");
    ck_assert_str_eq(f_str(&p, "domain"), "WG");
    ck_assert_str_eq(f_str(&p, "native_lanman"), "LAN Manager 2.1");
    tx_free(&p);
    th_end(&t);
    th_cuts(NULL, q.b, q.n, NULL, 0);
}
END_TEST

START_TEST(failed_logon_is_its_own_record)
{
    struct th t;
    th_init(&t);
    struct smb1_pending p;
    tx_init(&t, &p);
    struct mb q, r;
    size_t m = ntlm_req(&q, true, 24, 24, "mallory");
    size_t n = plain_rsp(&r, STATUS_LOGON_FAILURE, 0, 7, false);
    th_exchange(&t, &p, q.b, m, r.b, n);
    ck_assert(f_absent(&p, "guest")); /* no words in the error response */
    ck_assert_ptr_null(t.c.sessions);
    const char *rec = th_find(&t, "session ");
    ck_assert_ptr_nonnull(rec);
    ck_assert(strstr(rec, "user=\"mallory\"") != NULL);
    ck_assert(strstr(rec, "status=\"STATUS_LOGON_FAILURE\"") != NULL);
    ck_assert(strstr(rec, "auth=\"ntlmv1\"") != NULL);
    ck_assert(strstr(rec, "partial=false") != NULL);
    tx_free(&p);
    th_end(&t);
}
END_TEST

START_TEST(response_without_request)
{
    struct th t;
    th_init(&t);
    struct smb1_pending p;
    tx_init(&t, &p);
    th_rsp(&t, &p, SS_RSP_NTLM, sizeof SS_RSP_NTLM, sizeof SS_RSP_NTLM);
    ck_assert(f_bool(&p, "guest"));
    struct smb1_session *s = smb1_session_get(&t.c, 0, false, 0);
    ck_assert_ptr_nonnull(s);
    ck_assert_ptr_null(s->user);
    ck_assert_ptr_null(s->auth);
    ck_assert_uint_eq(s->ts_us, TS_RSP);
    tx_free(&p);
    th_end(&t);
}
END_TEST

START_TEST(every_truncation)
{
    th_cuts(NULL, SS_REQ_NTLM, sizeof SS_REQ_NTLM, SS_RSP_NTLM, sizeof SS_RSP_NTLM);
    th_cuts(plain_server, SS_REQ_NTLM, sizeof SS_REQ_NTLM, SS_RSP_NTLM, sizeof SS_RSP_NTLM);
    struct mb r1;
    size_t n1 = ext_rsp(&r1, STATUS_MORE_PROCESSING, 0x0800, 2, 0, CHALLENGE_BLOB, sizeof CHALLENGE_BLOB);
    th_cuts(NULL, SS_REQ_EXT1, sizeof SS_REQ_EXT1, r1.b, n1);
    struct mb q, r;
    size_t m = ext_req(&q, FX_SPNEGO_RESP_PREFIX, sizeof FX_SPNEGO_RESP_PREFIX, FX_AUTH_V1, sizeof FX_AUTH_V1, 1, 3);
    size_t n = ext_rsp(&r, 0, 0x0800, 3, 1, ACCEPT_BLOB, sizeof ACCEPT_BLOB);
    th_cuts(NULL, q.b, m, r.b, n);
    static const uint8_t none[1];
    m = ext_req(&q, none, 0, FX_AUTH_V2, sizeof FX_AUTH_V2, 1, 3);
    th_cuts(NULL, q.b, m, r.b, n);
    m = ntlm_req(&q, false, 24, 0, "carol");
    n = plain_rsp(&r, STATUS_LOGON_FAILURE, 0, 7, false);
    th_cuts(NULL, q.b, m, r.b, n);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("smb1_session");
    TCase *tc = tcase_create("session");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, non_extended_smbclient);
    tcase_add_test(tc, session_record_at_connection_end);
    tcase_add_test(tc, extended_security_two_rounds);
    tcase_add_test(tc, raw_ntlmv2_anonymous_and_kerberos_tokens);
    tcase_add_test(tc, password_kinds);
    tcase_add_test(tc, lanman_request);
    tcase_add_test(tc, failed_logon_is_its_own_record);
    tcase_add_test(tc, response_without_request);
    tcase_add_test(tc, every_truncation);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
