/* community_id: Community ID v1 (seed, ordered endpoints, SHA-1, base64).
 *
 * The spec orders the endpoints so both directions hash alike: the smaller
 * (address, port) pair goes first, addresses compared as network-order bytes. */
#include <string.h>

#include <openssl/evp.h>

#include "community_id.h"

bool community_id_v1(uint16_t seed, uint8_t ipver, const uint8_t *src, const uint8_t *dst,
                     uint8_t proto, uint16_t sport, uint16_t dport, const EVP_MD *sha1, char *out, size_t outsz)
{
    if (!out || outsz == 0)
        return false;
    out[0] = '\0';
    if (outsz < COMMUNITY_ID_LEN || (ipver != 4 && ipver != 6))
        return false;
    size_t alen = ipver == 4 ? 4 : 16;
    int c = memcmp(src, dst, alen);
    if (c > 0 || (c == 0 && sport > dport)) {
        const uint8_t *t = src;
        src = dst;
        dst = t;
        uint16_t tp = sport;
        sport = dport;
        dport = tp;
    }
    uint8_t buf[2 + 16 + 16 + 1 + 1 + 2 + 2];
    size_t n = 0;
    buf[n++] = (uint8_t)(seed >> 8);
    buf[n++] = (uint8_t)seed;
    memcpy(buf + n, src, alen);
    n += alen;
    memcpy(buf + n, dst, alen);
    n += alen;
    buf[n++] = proto;
    buf[n++] = 0;   /* padding byte */
    buf[n++] = (uint8_t)(sport >> 8);
    buf[n++] = (uint8_t)sport;
    buf[n++] = (uint8_t)(dport >> 8);
    buf[n++] = (uint8_t)dport;
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    if (EVP_Digest(buf, n, md, &mdlen, sha1 ? sha1 : EVP_sha1(), NULL) != 1 || mdlen != 20)
        return false;
    out[0] = '1';
    out[1] = ':';
    /* 20 bytes -> 28 characters plus the NUL EVP_EncodeBlock writes */
    if (EVP_EncodeBlock((unsigned char *)out + 2, md, (int)mdlen) != 28) {
        out[0] = '\0';
        return false;
    }
    return true;
}
