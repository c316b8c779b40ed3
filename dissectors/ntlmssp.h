/* ntlmssp: find and decode NTLMSSP messages in SMB security blobs.
 * Raw, or inside SPNEGO/GSS-API; enough to tell who logged on and how.
 * Spec: [MS-NLMP] 2.2.1.1 (NEGOTIATE_MESSAGE), 2.2.1.2 (CHALLENGE_MESSAGE),
 * 2.2.1.3 (AUTHENTICATE_MESSAGE), 2.2.2.5 (NegotiateFlags), 3.3.1/3.3.2
 * (NTLM v1 and v2 responses), 3.2.5.1.2 (anonymous). */
#ifndef SMBSCOPE_NTLMSSP_H
#define SMBSCOPE_NTLMSSP_H

#include <stdbool.h>
#include <stdint.h>

#include "rd.h"

#define NTLMSSP_NEGOTIATE 1
#define NTLMSSP_CHALLENGE 2
#define NTLMSSP_AUTHENTICATE 3

#define NTLMSSP_FLAG_UNICODE 0x00000001u
#define NTLMSSP_FLAG_OEM 0x00000002u

struct ntlmssp_msg {
    uint32_t type;                   /* NTLMSSP_NEGOTIATE .. AUTHENTICATE, other values as seen */
    uint32_t flags;                  /* NegotiateFlags (0 when the message has none) */
    bool have_flags;
    bool unicode;                    /* strings are UTF-16LE (else OEM) */
    /* CHALLENGE */
    bool have_challenge;
    uint8_t challenge[8];
    /* AUTHENTICATE: response lengths and the name strings as windows into
     * the message (an absent or out-of-bounds field is an empty window, and
     * its length 0: a length is only taken when its bytes are there) */
    uint16_t lm_len, nt_len, user_len;
    bool lm_zero;                    /* LmChallengeResponse is the single byte 0 (Z(1)) */
    struct rd domain, user, host;
    bool bad_field;                  /* some field pointed outside the message */
    bool lens_bad;                   /* one of those was LM, NT or UserName: the auth kind is unknown */
};

/* the NTLMSSP message inside a security blob: searches the blob (bounded by
 * its length) for the signature "NTLMSSP\0" and sets *msg to the window from
 * there to the end of the blob. False when there is none. */
bool ntlmssp_find(const struct rd *blob, struct rd *msg);

/* decode one message starting at its signature. default_unicode decides the
 * string encoding for an AUTHENTICATE without NegotiateFlags (the oldest
 * layout). False when the header itself is not all there. */
bool ntlmssp_parse(const struct rd *msg, bool default_unicode, struct ntlmssp_msg *m);

/* for an AUTHENTICATE: "ntlmssp-anonymous" (no user name, no response),
 * "ntlmssp-empty" (a user name, no response), "ntlmssp-lm" (only a 24-byte LM
 * response), "ntlmssp-v1", "ntlmssp-v2" or "unknown" (also when a response
 * or the user name lies outside the message); for the other messages
 * "ntlmssp" (the version is not known yet) */
const char *ntlmssp_auth_kind(const struct ntlmssp_msg *m);

#endif
