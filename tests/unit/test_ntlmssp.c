/* Unit tests for the NTLMSSP locator/decoder ([MS-NLMP] 2.2.1). Fixtures
 * are the real AUTHENTICATE messages in fx_ntlmssp.h plus small built ones. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "fx_ntlmssp.h"
#include "ntlmssp.h"
#include "str.h"

/* a window's bytes as UTF-8 (test side conversion) into the caller's buffer */
static const char *text_into(char *buf, size_t cap, const struct rd *w, bool unicode)
{
    buf[0] = 0;
    struct rd r = *w;
    size_t n = rd_left(&r);
    const uint8_t *p = rd_bytes(&r, n);
    if (!p)
        return buf;
    if (unicode)
        str_utf16le_to_utf8(p, n, buf, cap);
    else
        str_oem_to_utf8(p, n, buf, cap);
    return buf;
}

/* each test that uses it declares `char tbuf[256]` */
#define text(w, unicode) text_into(tbuf, sizeof tbuf, (w), (unicode))

static bool parse(const uint8_t *b, size_t n, bool def_unicode, struct ntlmssp_msg *m)
{
    struct rd blob = rd_init(b, n), msg;
    if (!ntlmssp_find(&blob, &msg))
        return false;
    return ntlmssp_parse(&msg, def_unicode, m);
}

START_TEST(v1_authenticate)
{
    char tbuf[256];
    struct ntlmssp_msg m;
    ck_assert(parse(FX_AUTH_V1, sizeof FX_AUTH_V1, false, &m));
    ck_assert_uint_eq(m.type, NTLMSSP_AUTHENTICATE);
    ck_assert(m.have_flags);
    ck_assert_uint_eq(m.flags, 0x60080215);
    ck_assert(m.unicode);
    ck_assert_uint_eq(m.lm_len, 24);
    ck_assert_uint_eq(m.nt_len, 24);
    ck_assert_str_eq(text(&m.domain, true), "VNET3");
    ck_assert_str_eq(text(&m.user, true), "administrator");
    ck_assert_str_eq(text(&m.host, true), "BLU");
    ck_assert(!m.bad_field);
    ck_assert_str_eq(ntlmssp_auth_kind(&m), "ntlmssp-v1");
}
END_TEST

START_TEST(found_inside_spnego)
{
    char tbuf[256];
    uint8_t blob[sizeof FX_SPNEGO_RESP_PREFIX + sizeof FX_AUTH_V1];
    memcpy(blob, FX_SPNEGO_RESP_PREFIX, sizeof FX_SPNEGO_RESP_PREFIX);
    memcpy(blob + sizeof FX_SPNEGO_RESP_PREFIX, FX_AUTH_V1, sizeof FX_AUTH_V1);
    struct rd b = rd_init(blob, sizeof blob), msg;
    ck_assert(ntlmssp_find(&b, &msg));
    ck_assert_uint_eq(rd_left(&msg), sizeof FX_AUTH_V1);
    struct ntlmssp_msg m;
    ck_assert(ntlmssp_parse(&msg, false, &m));
    ck_assert_str_eq(text(&m.user, true), "administrator");
}
END_TEST

START_TEST(v2_authenticate_raw_token)
{
    char tbuf[256];
    struct ntlmssp_msg m;
    ck_assert(parse(FX_AUTH_V2, sizeof FX_AUTH_V2, false, &m));
    ck_assert_uint_eq(m.nt_len, 258);
    ck_assert_str_eq(text(&m.domain, true), "TEST-F7DFBC3FE9");
    ck_assert_str_eq(text(&m.user, true), "test");
    ck_assert_str_eq(text(&m.host, true), "BABYBOOK");
    ck_assert_str_eq(ntlmssp_auth_kind(&m), "ntlmssp-v2");
}
END_TEST

START_TEST(anonymous_authenticate)
{
    char tbuf[256];
    struct ntlmssp_msg m;
    ck_assert(parse(FX_AUTH_ANON_SPNEGO, sizeof FX_AUTH_ANON_SPNEGO, false, &m));
    ck_assert_uint_eq(m.nt_len, 0);
    ck_assert_uint_eq(m.lm_len, 0);
    ck_assert_str_eq(text(&m.user, true), "");
    ck_assert_str_eq(text(&m.host, true), "HOST");
    ck_assert_str_eq(ntlmssp_auth_kind(&m), "ntlmssp-anonymous");
}
END_TEST

/* [MS-NLMP] 3.2.5.1.2: anonymous only with an empty user name AND no
 * response (NT empty, LM empty or Z(1)); a named LM-only logon is LM */
START_TEST(anonymous_needs_no_name_and_no_response)
{
    char tbuf[256];
    struct ntlmssp_msg m;
    ck_assert(parse(FX_AUTH_ANON_Z1, sizeof FX_AUTH_ANON_Z1, false, &m));
    ck_assert_uint_eq(m.lm_len, 1);
    ck_assert(m.lm_zero);
    ck_assert_uint_eq(m.nt_len, 0);
    ck_assert_uint_eq(m.user_len, 0);
    ck_assert_str_eq(text(&m.host, false), "PC7");
    ck_assert_str_eq(ntlmssp_auth_kind(&m), "ntlmssp-anonymous");

    ck_assert(parse(FX_AUTH_LM_ONLY, sizeof FX_AUTH_LM_ONLY, false, &m));
    ck_assert_uint_eq(m.lm_len, 24);
    ck_assert_uint_eq(m.nt_len, 0);
    ck_assert_str_eq(text(&m.user, false), "alice");
    ck_assert_str_eq(text(&m.domain, false), "LAB");
    ck_assert_str_eq(ntlmssp_auth_kind(&m), "ntlmssp-lm");

    ck_assert(parse(FX_AUTH_NAMED_Z1, sizeof FX_AUTH_NAMED_Z1, false, &m));
    ck_assert_str_eq(text(&m.user, false), "bob");
    ck_assert_str_eq(ntlmssp_auth_kind(&m), "ntlmssp-empty");

    /* Z(1) means the zero byte: any other single byte is not "no response" */
    uint8_t b[sizeof FX_AUTH_ANON_Z1];
    memcpy(b, FX_AUTH_ANON_Z1, sizeof b);
    b[64] = 0x01;
    ck_assert(parse(b, sizeof b, false, &m));
    ck_assert(!m.lm_zero);
    ck_assert_str_eq(ntlmssp_auth_kind(&m), "unknown");

    /* every truncation parses safely and never calls a cut named logon anonymous */
    for (size_t cut = 0; cut < sizeof FX_AUTH_LM_ONLY; cut++) {
        if (parse(FX_AUTH_LM_ONLY, cut, false, &m))
            ck_assert_str_ne(ntlmssp_auth_kind(&m), "ntlmssp-anonymous");
    }
    for (size_t cut = 0; cut < sizeof FX_AUTH_NAMED_Z1; cut++) {
        if (parse(FX_AUTH_NAMED_Z1, cut, false, &m))
            ck_assert_str_ne(ntlmssp_auth_kind(&m), "ntlmssp-anonymous");
    }
}
END_TEST

/* an AUTHENTICATE built field by field: OEM strings, chosen lengths */
static size_t build_auth(uint8_t *b, uint32_t flags, uint16_t nt_len, bool with_flags)
{
    const char *dom = "LAB", *user = "alice", *ws = "PC7";
    size_t hdr = with_flags ? 64 : 52; /* the oldest layout stops before NegotiateFlags */
    size_t n = 0;
    memcpy(b, "NTLMSSP\0", 8);
    b[8] = 3, b[9] = b[10] = b[11] = 0;
    size_t off = hdr;
    struct { size_t len; const void *p; } f[6] = {
        {24, NULL}, {nt_len, NULL}, {strlen(dom), dom}, {strlen(user), user}, {strlen(ws), ws}, {0, NULL},
    };
    memset(b + 12, 0, hdr - 12);
    for (size_t i = 0; i < 6; i++) {
        uint8_t *sb = b + 12 + 8 * i;
        if (12 + 8 * i + 8 > hdr)
            break;
        sb[0] = (uint8_t)f[i].len, sb[1] = (uint8_t)(f[i].len >> 8);
        sb[2] = sb[0], sb[3] = sb[1];
        sb[4] = (uint8_t)off, sb[5] = (uint8_t)(off >> 8), sb[6] = 0, sb[7] = 0;
        if (f[i].p)
            memcpy(b + off, f[i].p, f[i].len);
        else
            memset(b + off, 0xab, f[i].len);
        off += f[i].len;
    }
    if (with_flags) {
        b[60] = (uint8_t)flags, b[61] = (uint8_t)(flags >> 8), b[62] = (uint8_t)(flags >> 16),
        b[63] = (uint8_t)(flags >> 24);
    }
    n = off;
    return n;
}

START_TEST(oem_strings_and_odd_lengths)
{
    char tbuf[256];
    uint8_t b[512];
    struct ntlmssp_msg m;
    size_t n = build_auth(b, NTLMSSP_FLAG_OEM, 24, true);
    ck_assert(parse(b, n, true, &m));
    ck_assert(!m.unicode);
    ck_assert_str_eq(text(&m.domain, false), "LAB");
    ck_assert_str_eq(text(&m.user, false), "alice");
    ck_assert_str_eq(text(&m.host, false), "PC7");
    ck_assert_str_eq(ntlmssp_auth_kind(&m), "ntlmssp-v1");

    n = build_auth(b, NTLMSSP_FLAG_OEM, 16, true); /* neither v1 nor v2 */
    ck_assert(parse(b, n, true, &m));
    ck_assert_str_eq(ntlmssp_auth_kind(&m), "unknown");
}
END_TEST

START_TEST(no_flags_layout_uses_default_encoding)
{
    char tbuf[256];
    uint8_t b[512];
    struct ntlmssp_msg m;
    size_t n = build_auth(b, 0, 24, false);
    ck_assert(parse(b, n, false, &m));
    ck_assert(!m.have_flags);
    ck_assert(!m.unicode);
    ck_assert_str_eq(text(&m.user, false), "alice");
    ck_assert(parse(b, n, true, &m));
    ck_assert(m.unicode);
}
END_TEST

START_TEST(field_outside_message_is_flagged)
{
    char tbuf[256];
    uint8_t b[512];
    struct ntlmssp_msg m;
    size_t n = build_auth(b, NTLMSSP_FLAG_OEM, 24, true);
    b[12 + 3 * 8 + 4] = 0xf0; /* UserName offset 0x..f0: past the end */
    b[12 + 3 * 8 + 5] = 0x01;
    ck_assert(parse(b, n, true, &m));
    ck_assert(m.bad_field);
    ck_assert_uint_eq(rd_left(&m.user), 0);
    ck_assert_str_eq(text(&m.domain, false), "LAB");
}
END_TEST

/* a response or user name length whose bytes are not in the message says
 * nothing: before, a lying NtChallengeResponse length made any logon
 * "ntlmssp-v2" and a lying UserName length a nameless one "ntlmssp-empty" */
START_TEST(lying_lengths_are_not_believed)
{
    uint8_t b[512];
    struct ntlmssp_msg m;
    size_t n = build_auth(b, NTLMSSP_FLAG_OEM, 24, true);
    b[12 + 1 * 8] = 0x00; /* NtChallengeResponse Len 0x100: past the end */
    b[12 + 1 * 8 + 1] = 0x01;
    ck_assert(parse(b, n, true, &m));
    ck_assert(m.bad_field && m.lens_bad);
    ck_assert_uint_eq(m.nt_len, 0);
    ck_assert_str_eq(ntlmssp_auth_kind(&m), "unknown");

    /* no responses, UserName 5 bytes claimed at an offset past the end */
    n = build_auth(b, NTLMSSP_FLAG_OEM, 0, true);
    b[12] = b[13] = 0;                 /* LmChallengeResponse Len 0 */
    b[12 + 3 * 8 + 4] = 0xf0;          /* UserName offset 0x1f0 */
    b[12 + 3 * 8 + 5] = 0x01;
    ck_assert(parse(b, n, true, &m));
    ck_assert_uint_eq(m.user_len, 0);
    ck_assert_str_eq(ntlmssp_auth_kind(&m), "unknown");

    /* a lying Workstation length is flagged but does not decide the kind */
    n = build_auth(b, NTLMSSP_FLAG_OEM, 24, true);
    b[12 + 4 * 8] = 0xff;
    ck_assert(parse(b, n, true, &m));
    ck_assert(m.bad_field && !m.lens_bad);
    ck_assert_str_eq(ntlmssp_auth_kind(&m), "ntlmssp-v1");
}
END_TEST

START_TEST(negotiate_and_challenge)
{
    /* NEGOTIATE_MESSAGE: signature, type 1, flags 0x60088215 */
    static const uint8_t neg[] = {'N', 'T', 'L', 'M', 'S', 'S', 'P', 0, 1, 0, 0, 0, 0x15, 0x82, 0x08, 0x60};
    struct ntlmssp_msg m;
    ck_assert(parse(neg, sizeof neg, false, &m));
    ck_assert_uint_eq(m.type, NTLMSSP_NEGOTIATE);
    ck_assert_str_eq(ntlmssp_auth_kind(&m), "ntlmssp");
    /* CHALLENGE_MESSAGE head as in smbtorture-ntlmssp.pcap frame 8 */
    static const uint8_t chal[] = {
        'N', 'T', 'L', 'M', 'S', 'S', 'P', 0, 2, 0, 0, 0,  /* Signature, MessageType 2 */
        0x0c, 0x00, 0x0c, 0x00, 0x38, 0x00, 0x00, 0x00,   /* TargetNameFields */
        0x15, 0x02, 0x8a, 0x62,                           /* NegotiateFlags */
        0x28, 0xa3, 0xa3, 0x26, 0xa5, 0x3f, 0xa6, 0xf5,   /* ServerChallenge */
    };
    ck_assert(parse(chal, sizeof chal, false, &m));
    ck_assert_uint_eq(m.type, NTLMSSP_CHALLENGE);
    ck_assert(m.have_challenge);
    ck_assert_uint_eq(m.challenge[0], 0x28);
    ck_assert_uint_eq(m.challenge[7], 0xf5);
}
END_TEST

START_TEST(signature_search_is_bounded)
{
    static const uint8_t none[] = {0x60, 0x48, 'N', 'T', 'L', 'M', 'S', 'S'}; /* cut inside the signature */
    struct rd b = rd_init(none, sizeof none), msg;
    ck_assert(!ntlmssp_find(&b, &msg));
    static const uint8_t only[] = {0x04, 'N', 'T', 'L', 'M', 'S', 'S', 'P', 0}; /* signature, no type */
    b = rd_init(only, sizeof only);
    ck_assert(ntlmssp_find(&b, &msg));
    struct ntlmssp_msg m;
    ck_assert(!ntlmssp_parse(&msg, false, &m));
    b = rd_init(NULL, 0);
    ck_assert(!ntlmssp_find(&b, &msg));
}
END_TEST

static void cuts(const uint8_t *full, size_t n)
{
    char tbuf[256];
    for (size_t cut = 0; cut < n; cut++) {
        uint8_t *b = malloc(cut ? cut : 1);
        ck_assert_ptr_nonnull(b);
        memcpy(b, full, cut);
        struct ntlmssp_msg m;
        if (parse(b, cut, true, &m)) {
            /* every window handed out lies inside the cut message */
            const struct rd *w[3] = {&m.domain, &m.user, &m.host};
            for (int i = 0; i < 3; i++) {
                struct rd r = *w[i];
                size_t k = rd_left(&r);
                const uint8_t *p = rd_bytes(&r, k);
                if (k) {
                    ck_assert(p >= b && p + k <= b + cut);
                    (void)text(w[i], m.unicode);
                }
            }
            ntlmssp_auth_kind(&m);
        }
        free(b);
    }
}

START_TEST(every_truncation)
{
    cuts(FX_AUTH_V1, sizeof FX_AUTH_V1);
    cuts(FX_AUTH_V2, sizeof FX_AUTH_V2);
    cuts(FX_AUTH_ANON_SPNEGO, sizeof FX_AUTH_ANON_SPNEGO);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("ntlmssp");
    TCase *tc = tcase_create("ntlmssp");
    tcase_add_test(tc, v1_authenticate);
    tcase_add_test(tc, found_inside_spnego);
    tcase_add_test(tc, v2_authenticate_raw_token);
    tcase_add_test(tc, anonymous_authenticate);
    tcase_add_test(tc, anonymous_needs_no_name_and_no_response);
    tcase_add_test(tc, oem_strings_and_odd_lengths);
    tcase_add_test(tc, no_flags_layout_uses_default_encoding);
    tcase_add_test(tc, field_outside_message_is_flagged);
    tcase_add_test(tc, lying_lengths_are_not_believed);
    tcase_add_test(tc, negotiate_and_challenge);
    tcase_add_test(tc, signature_search_is_bounded);
    tcase_add_test(tc, every_truncation);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
