/* smb1_session: SESSION_SETUP_ANDX: who logs on, from where, and how.
 * The auth kind (anonymous, plaintext, LM, NTLMv1/v2, NTLMSSP, Kerberos)
 * comes from the request; the final response establishes the session.
 * Spec: [MS-CIFS] 2.2.4.53 (NT LM request WordCount 13, response 3), 3.2.5.2
 * (SecurityMode bit 0x02: challenge/response instead of plaintext);
 * [XOPEN-SMB] LANMAN request WordCount 10; [MS-SMB] 2.2.4.6.1-2.2.4.6.2
 * (extended security: WordCount 12 request, 4 response), 4.1 (the multi-round
 * STATUS_MORE_PROCESSING_REQUIRED exchange); [MS-NLMP] 3.2.5.1.2 (anonymous). */
#include <stdlib.h>
#include <string.h>

#include "ntlmssp.h"
#include "smb1.h"
#include "smb1_handlers.h"

#define STATUS_MORE_PROCESSING_REQUIRED 0xc0000016u
#define ACTION_GUEST 0x0001 /* Action bit 0: logged on as guest */
#define LM_RESPONSE_LEN 24  /* an LM or NTLM (v1) challenge response */

/* the auth kinds are static strings so the session can point at them */
static const char *const AUTH_KINDS[] = {
    "anonymous", "empty", "plaintext", "lm", "ntlmv1", "ntlmv2", "ntlmssp", "ntlmssp-v1", "ntlmssp-v2",
    "ntlmssp-lm", "ntlmssp-anonymous", "ntlmssp-empty", "kerberos", "unknown",
};

static const char *auth_static(const char *s)
{
    if (!s)
        return NULL;
    for (size_t i = 0; i < sizeof AUTH_KINDS / sizeof AUTH_KINDS[0]; i++)
        if (strcmp(AUTH_KINDS[i], s) == 0)
            return AUTH_KINDS[i];
    return "unknown";
}

/* Kerberos OIDs as DER (tag, length, value): 1.2.840.113554.1.2.2 and the
 * Microsoft variant 1.2.840.48018.1.2.2 ([MS-SPNG] 3.2.5.1, RFC 4121 4.1) */
static const uint8_t OID_KRB5[] = {0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02};
static const uint8_t OID_MS_KRB5[] = {0x06, 0x09, 0x2a, 0x86, 0x48, 0x82, 0xf7, 0x12, 0x01, 0x02, 0x02};

static bool blob_has(const struct rd *blob, const uint8_t *needle, size_t k)
{
    struct rd r = *blob;
    size_t n = rd_left(&r);
    const uint8_t *p = rd_bytes(&r, n);
    if (!p)
        return false;
    for (size_t i = 0; i + k <= n; i++)
        if (memcmp(p + i, needle, k) == 0)
            return true;
    return false;
}

/* extended security: the GSS/SPNEGO blob decides the auth kind and, for an
 * NTLMSSP AUTHENTICATE, names the user, domain and workstation */
static void security_blob_req(struct smb1_link *l, const struct rd *blob)
{
    const char *user = NULL, *domain = NULL, *host = NULL, *auth = "unknown";
    struct rd msg;
    struct ntlmssp_msg m;
    if (ntlmssp_find(blob, &msg) && ntlmssp_parse(&msg, l->h->unicode, &m)) {
        auth = ntlmssp_auth_kind(&m);
        if (m.type == NTLMSSP_AUTHENTICATE) {
            domain = smb1_strn(l, &m.domain, rd_left(&m.domain), m.unicode);
            user = smb1_strn(l, &m.user, rd_left(&m.user), m.unicode);
            host = smb1_strn(l, &m.host, rd_left(&m.host), m.unicode);
            if (m.bad_field)
                smb1_anomaly(l, "ntlmssp_bad_field", "an AUTHENTICATE field points outside the message");
        }
    } else if (blob_has(blob, OID_KRB5, sizeof OID_KRB5) || blob_has(blob, OID_MS_KRB5, sizeof OID_MS_KRB5)) {
        auth = "kerberos";
    }
    ev_str(l->ev, F(user), user);
    ev_str(l->ev, F(domain), domain);
    ev_str(l->ev, F(host), host);
    ev_str(l->ev, F(auth), auth);
}

/* non-extended security: the password lengths say what was sent. no_lm: the
 * OEM (LM) password is empty or the single zero byte, which with an empty
 * Unicode (NT) one means no response at all ([MS-NLMP] 3.2.5.1.2: anonymous
 * only when the user name is empty too) */
static const char *password_kind(const struct smb1_link *l, uint16_t oem_len, uint16_t uni_len, bool no_lm,
                                 const char *user)
{
    bool no_response = uni_len == 0 && no_lm;
    if (no_response && user && !*user)
        return "anonymous";
    /* the server's NEGOTIATE said passwords go in the clear */
    if (l->c->dialect && !l->c->have_challenge)
        return "plaintext";
    if (no_response)
        return user ? "empty" : "unknown"; /* a named account, nothing to prove it */
    if (uni_len > LM_RESPONSE_LEN)
        return "ntlmv2"; /* NTLMv2 in the Unicode field, LMv2 in the OEM one */
    if (uni_len == LM_RESPONSE_LEN)
        return "ntlmv1";
    if (uni_len == 0 && oem_len == LM_RESPONSE_LEN)
        return "lm";
    return "plaintext";
}

/* after the passwords (never reported): account, domain, native OS and LAN
 * manager; the auth kind follows from the password lengths */
static void account_fields(struct smb1_link *l, uint16_t oem_len, uint16_t uni_len)
{
    struct rd b = l->bytes;
    struct rd oem = rd_sub(&b, oem_len);
    uint8_t first = rd_u8(&oem);
    bool no_lm = oem_len == 0 || (oem_len == 1 && rd_ok(&oem) && first == 0);
    rd_skip(&b, uni_len);
    bool u = l->h->unicode;
    const char *user = rd_ok(&b) ? smb1_str(l, &b, u, true) : NULL;
    const char *domain = rd_ok(&b) && rd_left(&b) ? smb1_str(l, &b, u, true) : NULL;
    const char *os = rd_ok(&b) && rd_left(&b) ? smb1_str(l, &b, u, true) : NULL;
    const char *lanman = rd_ok(&b) && rd_left(&b) ? smb1_str(l, &b, u, true) : NULL;
    ev_str(l->ev, F(user), user);
    ev_str(l->ev, F(domain), domain);
    ev_null(l->ev, F(host)); /* the workstation name is not in this message */
    ev_str(l->ev, F(native_os), os);
    ev_str(l->ev, F(native_lanman), lanman);
    ev_str(l->ev, F(auth), password_kind(l, oem_len, uni_len, no_lm, user));
}

/* NT LM 0.12 without extended security: WordCount 13 */
static void nt_lm_req(struct smb1_link *l, struct rd *w)
{
    rd_skip(w, 4 + 2 + 2 + 2 + 4); /* AndX, MaxBufferSize, MaxMpxCount, VcNumber, SessionKey */
    uint16_t oem_len = rd_u16le(w);
    uint16_t uni_len = rd_u16le(w);
    if (rd_ok(w))
        account_fields(l, oem_len, uni_len);
}

/* LAN Manager dialects: WordCount 10, a single (OEM) password */
static void lanman_req(struct smb1_link *l, struct rd *w)
{
    rd_skip(w, 4 + 2 + 2 + 2 + 4);
    uint16_t pw_len = rd_u16le(w);
    if (rd_ok(w))
        account_fields(l, pw_len, 0);
}

/* extended security: WordCount 12 */
static void ext_sec_req(struct smb1_link *l, struct rd *w)
{
    rd_skip(w, 4 + 2 + 2 + 2 + 4);
    uint16_t blob_len = rd_u16le(w);
    if (!rd_ok(w))
        return;
    struct rd b = l->bytes;
    struct rd blob = rd_sub(&b, blob_len);
    if (!rd_ok(&blob)) {
        /* cut short: still look at what there is of the blob */
        struct rd all = l->bytes;
        blob = rd_rest(&all);
    }
    security_blob_req(l, &blob);
    bool u = l->h->unicode;
    ev_str(l->ev, F(native_os), rd_ok(&b) && rd_left(&b) ? smb1_str(l, &b, u, true) : NULL);
    ev_str(l->ev, F(native_lanman), rd_ok(&b) && rd_left(&b) ? smb1_str(l, &b, u, true) : NULL);
}

void smb1_session_setup_req(struct smb1_link *l)
{
    struct rd w = l->words;
    if (l->wct == 12)
        ext_sec_req(l, &w);
    else if (l->wct == 13)
        nt_lm_req(l, &w);
    else if (l->wct == 10)
        lanman_req(l, &w);
    else
        smb1_anomaly(l, "smb1_bad_word_count", "SESSION_SETUP_ANDX request word count %u", l->wct);
}

static char *dup_or_null(const char *s)
{
    if (!s)
        return NULL;
    char *d = strdup(s);
    if (!d)
        abort();
    return d;
}

static void set_str(char **dst, const char *s)
{
    free(*dst);
    *dst = dup_or_null(s);
}

/* copy this exchange's fields (request side from the event) into a session */
static void fill_session(struct smb1_link *l, struct smb1_session *s, bool guest)
{
    const struct event *e = l->ev;
    set_str(&s->user, smb1_ev_get_str(e, F(user)));
    set_str(&s->domain, smb1_ev_get_str(e, F(domain)));
    set_str(&s->host, smb1_ev_get_str(e, F(host)));
    set_str(&s->native_os, smb1_ev_get_str(e, F(native_os)));
    set_str(&s->native_lanman, smb1_ev_get_str(e, F(native_lanman)));
    set_str(&s->srv_native_os, smb1_ev_get_str(e, F(server_native_os)));
    set_str(&s->srv_native_lanman, smb1_ev_get_str(e, F(server_native_lanman)));
    set_str(&s->srv_domain, smb1_ev_get_str(e, F(server_domain)));
    s->auth = auth_static(smb1_ev_get_str(e, F(auth)));
    s->guest = guest;
    char scratch[64];
    set_str(&s->status, smb1_status_name(l->h, scratch, sizeof scratch));
    s->partial = false;
    smb1_session_charge(l->c, s);
}

void smb1_session_setup_rsp(struct smb1_link *l)
{
    struct rd w = l->words;
    bool guest = false;
    bool more = l->h->nt_status && l->h->status == STATUS_MORE_PROCESSING_REQUIRED;
    if (l->wct == 3 || l->wct == 4) {
        rd_skip(&w, 4); /* AndX */
        uint16_t action = rd_u16le(&w);
        uint16_t blob_len = l->wct == 4 ? rd_u16le(&w) : 0;
        if (rd_ok(&w)) {
            guest = (action & ACTION_GUEST) != 0;
            ev_bool(l->ev, F(guest), guest);
            struct rd b = l->bytes;
            struct rd blob = rd_sub(&b, blob_len);
            struct rd msg;
            struct ntlmssp_msg m;
            /* the server's NTLMSSP CHALLENGE: its nonce, for the record */
            if (blob_len && rd_ok(&blob) && ntlmssp_find(&blob, &msg) && ntlmssp_parse(&msg, l->h->unicode, &m) &&
                m.have_challenge) {
                static const char digits[] = "0123456789abcdef";
                char hex[16];
                for (size_t i = 0; i < 8; i++) {
                    hex[2 * i] = digits[m.challenge[i] >> 4];
                    hex[2 * i + 1] = digits[m.challenge[i] & 15];
                }
                fs_strn(l->ev, NULL, F(challenge), hex, sizeof hex);
            }
            bool u = l->h->unicode;
            if (rd_ok(&b) && rd_left(&b))
                ev_str(l->ev, F(server_native_os), smb1_str(l, &b, u, true));
            if (rd_ok(&b) && rd_left(&b))
                ev_str(l->ev, F(server_native_lanman), smb1_str(l, &b, u, true));
            if (rd_ok(&b) && rd_left(&b))
                ev_str(l->ev, F(server_domain), smb1_str(l, &b, u, true));
        }
    } else if (l->wct != 0) {
        smb1_anomaly(l, "smb1_bad_word_count", "SESSION_SETUP_ANDX response word count %u", l->wct);
    }
    if (more)
        return; /* another round trip follows; only the last one settles the session */

    uint64_t ts = smb1_op_ts(l);
    if (smb1_rsp_ok(l)) {
        struct smb1_session *s = smb1_session_get(l->c, l->h->uid, true, ts);
        if (s)
            fill_session(l, s, guest);
        return;
    }
    /* a failed logon never becomes a session, but is worth its own record;
     * an established session that happens to share the UID is left alone */
    struct smb1_session *s = calloc(1, sizeof *s);
    if (!s)
        abort();
    s->uid = l->h->uid;
    s->ts_us = ts;
    fill_session(l, s, guest);
    smb1_session_record(l->c, s, l->ts_us);
    mb_credit(l->c->mb, s->charged); /* fill_session charged it like any session */
    smb1_session_free(s);
}
