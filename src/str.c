/* str: UTF-16LE and OEM (CP850) wire strings to UTF-8. */
#include "str.h"

#include <string.h>

/* append code point cp if it fits whole; returns new length or (size_t)-1 when full */
static size_t put_utf8(char *out, size_t len, size_t cap, uint32_t cp)
{
    uint8_t b[4];
    size_t k;
    if (cp < 0x80) {
        b[0] = (uint8_t)cp;
        k = 1;
    } else if (cp < 0x800) {
        b[0] = (uint8_t)(0xc0 | cp >> 6);
        b[1] = (uint8_t)(0x80 | (cp & 0x3f));
        k = 2;
    } else if (cp < 0x10000) {
        b[0] = (uint8_t)(0xe0 | cp >> 12);
        b[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
        b[2] = (uint8_t)(0x80 | (cp & 0x3f));
        k = 3;
    } else {
        b[0] = (uint8_t)(0xf0 | cp >> 18);
        b[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3f));
        b[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
        b[3] = (uint8_t)(0x80 | (cp & 0x3f));
        k = 4;
    }
    if (cap == 0 || len + k > cap - 1)
        return (size_t)-1;
    memcpy(out + len, b, k);
    return len + k;
}

size_t str_utf16le_to_utf8(const uint8_t *in, size_t n, char *out, size_t cap)
{
    size_t len = 0, i = 0;
    if (cap == 0)
        return 0;
    while (i < n) {
        uint32_t cp;
        if (i + 1 >= n) {
            cp = 0xfffd;
            i = n;
        } else {
            uint32_t u = (uint32_t)in[i] | (uint32_t)in[i + 1] << 8;
            i += 2;
            if (u >= 0xd800 && u < 0xdc00) {
                uint32_t lo = i + 1 < n ? ((uint32_t)in[i] | (uint32_t)in[i + 1] << 8) : 0;
                if (lo >= 0xdc00 && lo < 0xe000) {
                    cp = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
                    i += 2;
                } else {
                    cp = 0xfffd;
                }
            } else if (u >= 0xdc00 && u < 0xe000) {
                cp = 0xfffd;
            } else {
                cp = u;
            }
        }
        size_t nl = put_utf8(out, len, cap, cp);
        if (nl == (size_t)-1)
            break;
        len = nl;
    }
    out[len] = 0;
    return len;
}

/* CP850 upper half, as Unicode code points */
static const uint16_t cp850[128] = {
    0x00c7, 0x00fc, 0x00e9, 0x00e2, 0x00e4, 0x00e0, 0x00e5, 0x00e7, 0x00ea, 0x00eb, 0x00e8, 0x00ef,
    0x00ee, 0x00ec, 0x00c4, 0x00c5, 0x00c9, 0x00e6, 0x00c6, 0x00f4, 0x00f6, 0x00f2, 0x00fb, 0x00f9,
    0x00ff, 0x00d6, 0x00dc, 0x00f8, 0x00a3, 0x00d8, 0x00d7, 0x0192, 0x00e1, 0x00ed, 0x00f3, 0x00fa,
    0x00f1, 0x00d1, 0x00aa, 0x00ba, 0x00bf, 0x00ae, 0x00ac, 0x00bd, 0x00bc, 0x00a1, 0x00ab, 0x00bb,
    0x2591, 0x2592, 0x2593, 0x2502, 0x2524, 0x00c1, 0x00c2, 0x00c0, 0x00a9, 0x2563, 0x2551, 0x2557,
    0x255d, 0x00a2, 0x00a5, 0x2510, 0x2514, 0x2534, 0x252c, 0x251c, 0x2500, 0x253c, 0x00e3, 0x00c3,
    0x255a, 0x2554, 0x2569, 0x2566, 0x2560, 0x2550, 0x256c, 0x00a4, 0x00f0, 0x00d0, 0x00ca, 0x00cb,
    0x00c8, 0x0131, 0x00cd, 0x00ce, 0x00cf, 0x2518, 0x250c, 0x2588, 0x2584, 0x00a6, 0x00cc, 0x2580,
    0x00d3, 0x00df, 0x00d4, 0x00d2, 0x00f5, 0x00d5, 0x00b5, 0x00fe, 0x00de, 0x00da, 0x00db, 0x00d9,
    0x00fd, 0x00dd, 0x00af, 0x00b4, 0x00ad, 0x00b1, 0x2017, 0x00be, 0x00b6, 0x00a7, 0x00f7, 0x00b8,
    0x00b0, 0x00a8, 0x00b7, 0x00b9, 0x00b3, 0x00b2, 0x25a0, 0x00a0,
};

size_t str_oem_to_utf8(const uint8_t *in, size_t n, char *out, size_t cap)
{
    size_t len = 0;
    if (cap == 0)
        return 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t cp = in[i] < 0x80 ? in[i] : cp850[in[i] - 0x80];
        size_t nl = put_utf8(out, len, cap, cp);
        if (nl == (size_t)-1)
            break;
        len = nl;
    }
    out[len] = 0;
    return len;
}

size_t str_utf8_trunc(const char *s, size_t n)
{
    size_t k = n;
    while (k > 0 && ((uint8_t)s[k - 1] & 0xc0) == 0x80)
        k--;
    if (k == 0)
        return 0;
    uint8_t lead = (uint8_t)s[k - 1];
    size_t want = lead < 0x80 ? 1 : lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
    return (n - (k - 1) >= want) ? n : k - 1;
}

void str_hex(const uint8_t *d, size_t n, char *out)
{
    static const char X[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = X[d[i] >> 4];
        out[2 * i + 1] = X[d[i] & 15];
    }
    out[2 * n] = '\0';
}
