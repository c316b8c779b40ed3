/* smb1_negotiate: NEGOTIATE: dialects offered and chosen, server security.
 * Also the server's challenge, domain and name (non-extended security).
 * Spec: [MS-CIFS] 2.2.4.52.1 (request), 2.2.4.52.2 (response: core,
 * LAN Manager and NT LM formats), 3.2.5.2 (SecurityMode bits);
 * [MS-SMB] 2.2.4.5.2 (extended security response). */
#include <stdlib.h>
#include <string.h>

#include "smb1.h"
#include "smb1_handlers.h"

#define NEG_ENCRYPT_PASSWORDS 0x02   /* SecurityMode: challenge/response, not plaintext */
#define CAP_EXTENDED_SECURITY 0x80000000u
#define CAP_UNICODE 0x00000004u      /* [MS-CIFS] 2.2.4.52.2 Capabilities */
#define DIALECT_NONE 0xffff          /* the server accepted none of the dialects */

/* Dialects kept from one NEGOTIATE request. The list is otherwise bounded
 * only by the byte count (up to ~32K two-byte dialects): each would be a
 * string held in the pending record until the response, and a strlist_add
 * scan for the session record. Real clients offer about a dozen. The rest are
 * counted (`dialects_omitted`), not kept; a DialectIndex pointing past the
 * kept ones reports `dialect` null plus `dialect_index`. */
#define SMB1_MAX_DIALECTS 64

/* step over one NUL-terminated OEM dialect string (or what is left of it) */
static void skip_dialect(struct rd *b)
{
    while (rd_left(b) > 0 && rd_u8(b) != 0)
        ;
}

void smb1_negotiate_req(struct smb1_link *l)
{
    struct rd b = l->bytes;
    const char *v[SMB1_MAX_DIALECTS] = {0};
    size_t n = 0, omitted = 0;
    while (rd_left(&b) > 0) {
        uint8_t fmt = rd_u8(&b);
        if (fmt != 0x02) {
            /* 0x02 is the only BufferFormat a dialect may have; stop rather than guess */
            smb1_anomaly(l, "smb1_negotiate_format", "dialect buffer format 0x%02x", fmt);
            break;
        }
        if (n < SMB1_MAX_DIALECTS) {
            /* dialect strings are always OEM, whatever FLAGS2 says */
            v[n++] = smb1_str(l, &b, false, false);
        } else {
            skip_dialect(&b);
            omitted++;
        }
    }
    fs_strv(l->ev, NULL, F(dialects), v, n);
    if (omitted) {
        ev_uint(l->ev, F(dialects_omitted), omitted);
        smb1_anomaly(l, "smb_dialects_truncated", "%zu dialects offered: first %d kept", n + omitted,
                     SMB1_MAX_DIALECTS);
    }
    /* the connection keeps the last offer (deduplicated) for the session record */
    mb_credit(l->c->mb, l->c->dialects.bytes);
    strlist_free(&l->c->dialects);
    for (size_t i = 0; i < n; i++)
        strlist_add(&l->c->dialects, v[i]);
    mb_charge(l->c->mb, l->c->dialects.bytes);
}

static void hex_field(struct smb1_link *l, const struct fld_t_str *name, const uint8_t *p, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    char buf[2 * 255 + 1];
    if (n > 255)
        n = 255;
    for (size_t i = 0; i < n; i++) {
        buf[2 * i] = digits[p[i] >> 4];
        buf[2 * i + 1] = digits[p[i] & 15];
    }
    fs_strn(l->ev, NULL, name, buf, 2 * n);
}

/* the challenge and, after it, the server's domain and name (NT LM and LANMAN) */
static void challenge_and_names(struct smb1_link *l, uint8_t security_mode, size_t key_len, bool unicode)
{
    struct rd b = l->bytes;
    const uint8_t *key = rd_bytes(&b, key_len);
    if (!key)
        return;
    if (key_len)
        hex_field(l, F(challenge), key, key_len);
    /* the password check of SESSION_SETUP is challenge/response only when
     * the server asked for it and gave a challenge to answer */
    l->c->have_challenge = (security_mode & NEG_ENCRYPT_PASSWORDS) && key_len == 8;
    if (key_len == 8)
        memcpy(l->c->challenge, key, 8);
    if (rd_left(&b) == 0)
        return;
    /* no alignment pad before DomainName: it follows the 8-byte challenge at an
     * odd offset, and Windows and Samba both send it unaligned */
    ev_str(l->ev, F(domain), smb1_str(l, &b, unicode, false));
    /* ServerName ([MS-SMB] 2.2.4.5.2.2) is there only if bytes remain */
    if (rd_left(&b) > 0)
        ev_str(l->ev, F(server), smb1_str(l, &b, unicode, false));
}

/* [MS-CIFS] 2.2.4.52.2, WordCount 0x11 */
static void nt_lm_response(struct smb1_link *l, struct rd *w)
{
    uint8_t security_mode = rd_u8(w);
    rd_u16le(w); /* MaxMpxCount */
    rd_u16le(w); /* MaxNumberVcs */
    uint32_t max_buffer = rd_u32le(w);
    rd_u32le(w); /* MaxRawSize */
    rd_u32le(w); /* SessionKey */
    uint32_t caps = rd_u32le(w);
    rd_skip(w, 8 + 2); /* SystemTime, ServerTimeZone */
    uint8_t key_len = rd_u8(w);
    if (!rd_ok(w))
        return;
    ev_uint(l->ev, F(security_mode), security_mode);
    ev_uint(l->ev, F(capabilities), caps);
    ev_uint(l->ev, F(max_buffer), max_buffer);
    if (caps & CAP_EXTENDED_SECURITY) {
        /* ServerGUID and a GSS blob: the challenge travels in SESSION_SETUP */
        l->c->have_challenge = false;
        return;
    }
    /* servers that can speak Unicode send these names in UTF-16 even when the
     * client's FLAGS2 (echoed in the response) did not ask for Unicode */
    challenge_and_names(l, security_mode, key_len, l->h->unicode || (caps & CAP_UNICODE));
}

/* [MS-CIFS] 2.2.4.52.2, WordCount 0x0D (LAN Manager 1.0 - 2.1) */
static void lanman_response(struct smb1_link *l, struct rd *w)
{
    uint16_t security_mode = rd_u16le(w);
    uint16_t max_buffer = rd_u16le(w);
    rd_skip(w, 2 + 2 + 2 + 4 + 2 + 2 + 2); /* MaxMpxCount .. ServerTimeZone */
    uint16_t key_len = rd_u16le(w);
    if (!rd_ok(w))
        return;
    ev_uint(l->ev, F(security_mode), security_mode);
    ev_uint(l->ev, F(max_buffer), max_buffer);
    challenge_and_names(l, (uint8_t)security_mode, key_len, false);
}

void smb1_negotiate_rsp(struct smb1_link *l)
{
    if (l->wct < 1)
        return; /* an error response: only the generic fields */
    struct rd w = l->words;
    uint16_t idx = rd_u16le(&w);
    if (!rd_ok(&w))
        return;
    /* the index points into this exchange's request list (duplicates included) */
    const struct field *f = ev_find(l->ev, NULL, F(dialects));
    const struct field *om = ev_find(l->ev, NULL, F(dialects_omitted));
    size_t offered = f && f->kind == F_STRV ? f->v.sv.n : 0;
    if (om && om->kind == F_UINT)
        offered += om->v.u; /* offered but not kept: a valid index, no name */
    const char *chosen = NULL;
    if (f && f->kind == F_STRV && idx < f->v.sv.n)
        chosen = f->v.sv.v[idx];
    else if (idx != DIALECT_NONE && f && f->kind == F_STRV && idx >= offered)
        smb1_anomaly(l, "smb1_negotiate_index", "dialect index %u of %zu offered", idx, offered);
    ev_str(l->ev, F(dialect), chosen);
    if (!chosen)
        ev_uint(l->ev, F(dialect_index), idx);
    free(l->c->dialect);
    l->c->dialect = chosen ? strdup(chosen) : NULL;
    if (chosen && !l->c->dialect)
        abort();

    if (l->wct >= 17)
        nt_lm_response(l, &w);
    else if (l->wct >= 13)
        lanman_response(l, &w);
}
