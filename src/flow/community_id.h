/* community_id: Community ID v1 flow hash ("1:" + base64 SHA-1 of the
 * canonically ordered 5-tuple), so records join with Zeek/Suricata output. */
#ifndef SMBSCOPE_COMMUNITY_ID_H
#define SMBSCOPE_COMMUNITY_ID_H

#include <openssl/evp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define COMMUNITY_ID_LEN 31   /* "1:" + 28 base64 characters + NUL */

/* addresses are 4 (ipver 4) or 16 (ipver 6) bytes in network order; ports in
 * host order. Writes a NUL-terminated id into out (outsz >= COMMUNITY_ID_LEN);
 * returns false (and writes "") if it cannot. sha1: SHA-1 fetched once by the
 * caller (EVP_MD_fetch), or NULL for OpenSSL's built-in handle, which looks
 * the algorithm up again per call. */
bool community_id_v1(uint16_t seed, uint8_t ipver, const uint8_t *src, const uint8_t *dst,
                     uint8_t proto, uint16_t sport, uint16_t dport, const EVP_MD *sha1, char *out, size_t outsz);

#endif
