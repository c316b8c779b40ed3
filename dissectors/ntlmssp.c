/* ntlmssp: locate and decode NTLMSSP messages (see ntlmssp.h).
 * Spec: [MS-NLMP] 2.2.1.1-2.2.1.3 (message layouts), 2.2.2.5 (flags),
 * 2.2.2.6/2.2.2.8 (LM/NTLM v1 responses are 24 bytes; an NTLMv2 response is a
 * 16-byte proof plus a client challenge blob, so always longer). */
#include "ntlmssp.h"

#include <string.h>

static const uint8_t SIGNATURE[8] = {'N', 'T', 'L', 'M', 'S', 'S', 'P', 0};

/* AUTHENTICATE: the fixed header up to and including NegotiateFlags */
#define AUTH_FLAGS_OFF 60
#define AUTH_MIN_WITH_FLAGS 64

bool ntlmssp_find(const struct rd *blob, struct rd *msg)
{
    struct rd r = *blob;
    size_t n = rd_left(&r);
    const uint8_t *p = rd_bytes(&r, n);
    if (!p || n < sizeof SIGNATURE)
        return false;
    for (size_t i = 0; i + sizeof SIGNATURE <= n; i++) {
        if (p[i] != 'N' || memcmp(p + i, SIGNATURE, sizeof SIGNATURE) != 0)
            continue;
        struct rd from = *blob;
        rd_skip(&from, i);
        *msg = rd_rest(&from);
        return rd_ok(msg);
    }
    return false;
}

/* a security buffer (Len, MaxLen, BufferOffset) -> window into msg; the
 * offset is relative to the signature ([MS-NLMP] 2.2.1.3) */
static struct rd sec_buffer(const struct rd *msg, struct rd *hdr, uint16_t *len_out, bool *bad,
                            size_t *min_off)
{
    uint16_t len = rd_u16le(hdr);
    rd_u16le(hdr); /* MaxLen: informational */
    uint32_t off = rd_u32le(hdr);
    if (len_out)
        *len_out = 0; /* the length is only believed once its bytes are found */
    struct rd empty = rd_init_at(NULL, 0, rd_abs(msg));
    if (!rd_ok(hdr) || len == 0)
        return empty;
    if (off < *min_off)
        *min_off = off;
    struct rd w = *msg;
    if (!rd_seek(&w, off)) {
        *bad = true;
        return empty;
    }
    struct rd f = rd_sub(&w, len);
    if (!rd_ok(&f)) {
        *bad = true;
        return empty;
    }
    if (len_out)
        *len_out = len;
    return f;
}

static void parse_authenticate(const struct rd *msg, struct rd *r, bool default_unicode, struct ntlmssp_msg *m)
{
    size_t min_off = SIZE_MAX;
    /* the fields whose lengths decide the auth kind (ntlmssp_auth_kind) */
    struct rd lm = sec_buffer(msg, r, &m->lm_len, &m->lens_bad, &min_off);
    sec_buffer(msg, r, &m->nt_len, &m->lens_bad, &min_off);
    m->domain = sec_buffer(msg, r, NULL, &m->bad_field, &min_off);
    m->user = sec_buffer(msg, r, &m->user_len, &m->lens_bad, &min_off);
    if (m->lens_bad)
        m->bad_field = true;
    if (m->lm_len == 1) {
        uint8_t b = rd_u8(&lm);
        m->lm_zero = rd_ok(&lm) && b == 0;
    }
    m->host = sec_buffer(msg, r, NULL, &m->bad_field, &min_off);
    sec_buffer(msg, r, NULL, &m->bad_field, &min_off); /* EncryptedRandomSessionKey */
    /* the oldest clients end the header before NegotiateFlags: their payload
     * then starts right at offset 52/60, inside where the flags would be */
    if (min_off >= AUTH_MIN_WITH_FLAGS) {
        struct rd f = *msg;
        rd_skip(&f, AUTH_FLAGS_OFF);
        uint32_t flags = rd_u32le(&f);
        if (rd_ok(&f)) {
            m->flags = flags;
            m->have_flags = true;
        }
    }
    if (m->have_flags)
        m->unicode = (m->flags & NTLMSSP_FLAG_UNICODE) != 0;
    else
        m->unicode = default_unicode;
}

bool ntlmssp_parse(const struct rd *msg, bool default_unicode, struct ntlmssp_msg *m)
{
    memset(m, 0, sizeof *m);
    m->domain = m->user = m->host = rd_init_at(NULL, 0, 0);
    struct rd r = *msg;
    uint8_t sig[8];
    rd_copy(&r, sig, sizeof sig);
    m->type = rd_u32le(&r);
    if (!rd_ok(&r) || memcmp(sig, SIGNATURE, sizeof sig) != 0)
        return false;
    switch (m->type) {
    case NTLMSSP_NEGOTIATE: {
        uint32_t flags = rd_u32le(&r);
        if (rd_ok(&r)) {
            m->flags = flags;
            m->have_flags = true;
        }
        break;
    }
    case NTLMSSP_CHALLENGE: {
        rd_skip(&r, 8); /* TargetNameFields */
        uint32_t flags = rd_u32le(&r);
        uint8_t chal[8];
        rd_copy(&r, chal, sizeof chal);
        if (rd_ok(&r)) {
            m->flags = flags;
            m->have_flags = true;
            memcpy(m->challenge, chal, sizeof chal);
            m->have_challenge = true;
        }
        break;
    }
    case NTLMSSP_AUTHENTICATE:
        parse_authenticate(msg, &r, default_unicode, m);
        if (!rd_ok(&r))
            return false;
        break;
    default:
        break;
    }
    if (m->type != NTLMSSP_AUTHENTICATE)
        m->unicode = m->have_flags ? (m->flags & NTLMSSP_FLAG_UNICODE) != 0 : default_unicode;
    return true;
}

const char *ntlmssp_auth_kind(const struct ntlmssp_msg *m)
{
    if (m->type != NTLMSSP_AUTHENTICATE)
        return "ntlmssp";
    if (m->lens_bad)
        return "unknown"; /* a response or the user name lies outside the message: its length says nothing */
    if (m->nt_len == 0) {
        /* [MS-NLMP] 3.2.5.1.2: anonymous when the user name and the responses
         * are empty (3.1.5.1.2: NtChallengeResponse empty, LmChallengeResponse
         * empty or the single zero byte Z(1)). A named account without any
         * response is not anonymous; one with only an LM response is LM. */
        bool no_lm = m->lm_len == 0 || m->lm_zero;
        if (no_lm)
            return m->user_len == 0 ? "ntlmssp-anonymous" : "ntlmssp-empty";
        if (m->lm_len == 24)
            return "ntlmssp-lm";
        return "unknown";
    }
    if (m->nt_len == 24)
        return "ntlmssp-v1";
    if (m->nt_len > 24)
        return "ntlmssp-v2";
    return "unknown";
}
