/* conn_uid: see conn_uid.h. */
#include "conn_uid.h"

#include <inttypes.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

void conn_uid(const char *salt, const char *client_ip, uint16_t client_port, const char *server_ip, uint16_t server_port,
              uint64_t first_us, const EVP_MD *sha256, char *out, size_t outsz)
{
    if (outsz < CONN_UID_LEN) {
        if (outsz)
            out[0] = 0;
        return;
    }
    /* a versioned, unambiguous text form: '|' never occurs in an IP's text
     * nor in a sensor name (main.c allows A-Z a-z 0-9 . _ : -) */
    char in[240];
    int n = snprintf(in, sizeof in, "smbscope-uid-1|%s|%s|%u|%s|%u|%" PRIu64, salt ? salt : "", client_ip,
                     (unsigned)client_port, server_ip, (unsigned)server_port, first_us);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned mdlen = 0;
    if (n < 0 || !EVP_Digest(in, (size_t)n < sizeof in ? (size_t)n : sizeof in - 1, md, &mdlen, sha256 ? sha256 : EVP_sha256(), NULL)) {
        out[0] = 0;
        return;
    }
    /* 96 bits, big-endian, written in base 62 with a fixed width
     * (62^17 > 2^96), least significant digit last */
    static const char digits[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    uint8_t num[12];
    memcpy(num, md, sizeof num);
    out[0] = 'C';
    for (int d = CONN_UID_LEN - 2; d >= 1; d--) {
        unsigned rem = 0;
        for (size_t i = 0; i < sizeof num; i++) {
            unsigned cur = rem * 256u + num[i];
            num[i] = (uint8_t)(cur / 62u);
            rem = cur % 62u;
        }
        out[d] = digits[rem];
    }
    out[CONN_UID_LEN - 1] = 0;
}
