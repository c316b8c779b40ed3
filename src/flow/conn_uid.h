/* conn_uid: a connection id that joins across runs and sensors: "C" + 17
 * base62 digits of the first 96 bits of SHA-256 over the sensor name (when
 * given), the client and server endpoints and the first packet's time in
 * microseconds. The same input gives the same uid; other runs give other
 * uids unless they saw the same connection start at the same microsecond
 * (a copy of the same capture), and other sensors always do (Zeek's uids are
 * the same idea, but random, so they differ between runs of one input). */
#ifndef SMBSCOPE_CONN_UID_H
#define SMBSCOPE_CONN_UID_H

#include <openssl/evp.h>
#include <stddef.h>
#include <stdint.h>

#define CONN_UID_LEN 19   /* "C" + 17 base62 digits + NUL */

/* ips as text (the form records carry); writes "" when out is too small.
 * sha256: SHA-256 fetched once by the caller (EVP_MD_fetch), or NULL for
 * OpenSSL's built-in handle, which looks the algorithm up again per call */
void conn_uid(const char *salt, const char *client_ip, uint16_t client_port, const char *server_ip, uint16_t server_port,
              uint64_t first_us, const EVP_MD *sha256, char *out, size_t outsz);

#endif
