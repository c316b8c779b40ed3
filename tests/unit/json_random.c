/* json_random: random records for the JSON sink's tests (see json_random.h). */
#include "json_random.h"

#include <stdio.h>
#include <string.h>

#include "adhoc_fields.h"
#include "sink_harness.h"

uint64_t rng_next(uint64_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

/* a string of pieces chosen to hit every branch of both escapers */
void hostile_string(uint64_t *x, char *buf, size_t cap)
{
    static const char *const valid[] = {
        "a", "Zz9", " ", "\"", "\\", "/", "\b", "\f", "\n", "\r", "\t", "\x01", "\x1b", "\x1f", "\x7f",
        "\xc2\x80", "\xc2\x85", "\xc2\x9f", "\xc2\xa0", "\xc3\xa9", "\xdf\xbf", "\xe0\xa0\x80",
        "\xe2\x80\xa8", "\xe2\x80\xa9", "\xe2\x80\xa7", "\xe2\x80\xaa", "\xe2\x80\xae", "\xe2\x81\xa6",
        "\xed\x9f\xbf", "\xee\x80\x80", "\xef\xbb\xbf", "\xef\xbf\xbf", "\xf0\x90\x80\x80",
        "\xf0\x9f\x98\x80", "\xf4\x8f\xbf\xbf",
    };
    /* continuation alone, overlong 2/3/4-byte forms (at their upper edges too),
     * surrogates (both edges), past U+10FFFF, cut sequences, 0xf5 and up */
    static const char *const invalid[] = {
        "\x80", "\xbf", "\xc0\xaf", "\xc1\xbf", "\xe0\x80\xaf", "\xe0\x9f\xbf", "\xf0\x80\x80\xaf",
        "\xf0\x8f\xbf\xbf", "\xed\xa0\x80", "\xed\xbf\xbf", "\xf4\x90\x80\x80", "\xc3", "\xe2\x82",
        "\xf0\x9f\x98", "\xf5\x80\x80\x80", "\xf8\x88\x80\x80\x80", "\xff", "\xc3(", "\xe2(\xa1",
    };
    size_t n = 0, k = rng_next(x) % 6;
    /* mostly valid strings, so whole records with every field kind are compared too */
    bool valid_only = rng_next(x) % 3 != 0;
    for (size_t i = 0; i < k; i++) {
        size_t nv = sizeof valid / sizeof valid[0], ni = sizeof invalid / sizeof invalid[0];
        size_t j = rng_next(x) % (valid_only ? nv : nv + ni);
        const char *p = j < nv ? valid[j] : invalid[j - nv];
        size_t l = strlen(p);
        if (n + l >= cap)
            break;
        memcpy(buf + n, p, l);
        n += l;
    }
    buf[n] = 0;
}

/* The random records' field descriptors, k0..k7 of each kind. Static: the
 * event keeps pointers to its descriptors and tells fields apart by them
 * (event.h), so a compound literal (A_STR() and friends) that ends with its
 * block could be reused at the same address by the next field, which would
 * then replace the first one's value instead of adding a field. */
#define K8(kind, ft)                                                                                          \
    {{{"k0", "k0", ft, FD_PLAIN, NULL, -1, -1}}, {{"k1", "k1", ft, FD_PLAIN, NULL, -1, -1}},                  \
     {{"k2", "k2", ft, FD_PLAIN, NULL, -1, -1}}, {{"k3", "k3", ft, FD_PLAIN, NULL, -1, -1}},                  \
     {{"k4", "k4", ft, FD_PLAIN, NULL, -1, -1}}, {{"k5", "k5", ft, FD_PLAIN, NULL, -1, -1}},                  \
     {{"k6", "k6", ft, FD_PLAIN, NULL, -1, -1}}, {{"k7", "k7", ft, FD_PLAIN, NULL, -1, -1}}}
static const struct fld_t_str K_STR[8] = K8(str, FT_STR);
static const struct fld_t_bool K_BOOL[8] = K8(bool, FT_BOOL);
static const struct fld_t_int K_INT[8] = K8(int, FT_INT);
static const struct fld_t_uint K_UINT[8] = K8(uint, FT_UINT);
static const struct fld_t_strv K_STRV[8] = K8(strv, FT_STRV);
static const struct fld_t_ranges K_RANGES[8] = K8(ranges, FT_RANGES);
static const struct fld_t_ts K_TS[8] = K8(ts, FT_TS);
static const struct fld_t_obj K_OBJ[8] = K8(obj, FT_OBJ);
static const struct fld_t_map K_MAP[8] = K8(map, FT_MAP);

void random_fields(struct event *e, struct fieldset *fs, uint64_t *x, int depth)
{
    size_t n = rng_next(x) % 8;
    char s[64];
    for (size_t i = 0; i < n; i++) {
        /* field i is named k<i>: names never repeat within a set (event.h) */
        switch (rng_next(x) % 9) {
        case 0: fs_null_d(e, fs, &K_STR[i].d); break;
        case 1: fs_bool(e, fs, &K_BOOL[i], rng_next(x) & 1); break;
        case 2: fs_int(e, fs, &K_INT[i], (int64_t)rng_next(x)); break;
        case 3: fs_uint(e, fs, &K_UINT[i], rng_next(x) >> (rng_next(x) % 64)); break;
        case 4:
            hostile_string(x, s, sizeof s);
            fs_str(e, fs, &K_STR[i], rng_next(x) % 10 ? s : NULL);
            break;
        case 5: {
            char b[3][64];
            const char *v[3] = {b[0], b[1], b[2]};
            size_t k = rng_next(x) % 4;
            for (size_t j = 0; j < k; j++)
                hostile_string(x, b[j], sizeof b[j]);
            fs_strv(e, fs, &K_STRV[i], v, k);
            break;
        }
        case 6: {
            uint64_t r[2][2] = {{rng_next(x) >> 40, rng_next(x)}, {rng_next(x) >> 1, UINT64_MAX}};
            fs_ranges(e, fs, &K_RANGES[i], (const uint64_t(*)[2])r, rng_next(x) % 3);
            break;
        }
        case 7: fs_ts(e, fs, &K_TS[i], T0 + rng_next(x) % 100000000000ull); break;
        default:
            if (depth < 3) {
                random_fields(e, fs_obj(e, fs, &K_OBJ[i]), x, depth + 1);
            } else {
                /* a map: keys are any string, invalid ones too */
                struct fieldset *m = fs_map(e, fs, &K_MAP[i]);
                for (unsigned j = 0, k = (unsigned)(rng_next(x) % 3); j < k; j++) {
                    hostile_string(x, s, sizeof s);
                    snprintf(s + strlen(s), sizeof s - strlen(s), "#%u", j); /* distinct */
                    fs_map_uint(e, m, s, j);
                }
            }
            break;
        }
    }
}
