/* str: wire strings (UTF-16LE, OEM code page) to UTF-8, safely.
 * Invalid input becomes U+FFFD; output is always valid UTF-8 and NUL-terminated. */
#ifndef SMBSCOPE_STR_H
#define SMBSCOPE_STR_H

#include <stddef.h>
#include <stdint.h>

/* convert n bytes of UTF-16LE (an odd trailing byte becomes U+FFFD);
 * writes at most cap-1 bytes plus NUL, never splitting a character; returns bytes written */
size_t str_utf16le_to_utf8(const uint8_t *in, size_t n, char *out, size_t cap);
/* OEM strings: ASCII kept, other bytes decoded as code page 850 (the usual OEM page of Western Windows) */
size_t str_oem_to_utf8(const uint8_t *in, size_t n, char *out, size_t cap);
/* length of valid UTF-8 prefix-safe truncation: largest k <= n not splitting a sequence */
size_t str_utf8_trunc(const char *s, size_t n);
/* n bytes as 2n lowercase hex digits plus NUL into out (room for 2n+1) */
void str_hex(const uint8_t *d, size_t n, char *out);

#endif
