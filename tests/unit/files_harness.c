/* files_harness: shared file-tracker test helpers (see files_harness.h).
 * Spec: the semantics block in src/files/files.h. */
#include "files_harness.h"

#include <check.h>
#include <openssl/evp.h>
#include <stdlib.h>

uint64_t next_rand(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    *s = x;
    return x;
}

uint8_t *make_buf(size_t n, uint64_t seed)
{
    uint8_t *b = malloc(n ? n : 1);
    ck_assert_ptr_nonnull(b);
    for (size_t i = 0; i < n; i++)
        b[i] = (uint8_t)(next_rand(&seed) >> 24);
    return b;
}

void sha256_hex(const uint8_t *p, size_t n, char out[65])
{
    uint8_t d[EVP_MAX_MD_SIZE];
    unsigned dl = 0;
    ck_assert_int_eq(EVP_Digest(p, n, d, &dl, EVP_sha256(), NULL), 1);
    ck_assert_uint_eq(dl, 32);
    for (unsigned i = 0; i < dl; i++) {
        static const char X[] = "0123456789abcdef";
        out[2 * i] = X[d[i] >> 4];
        out[2 * i + 1] = X[d[i] & 15];
    }
    out[64] = '\0';
}

void assert_hash_of(const struct file_result *r, const uint8_t *p, size_t n)
{
    char want[65];
    sha256_hex(p, n, want);
    ck_assert_msg(r->has_sha256, "no hash: %s", r->no_hash_reason ? r->no_hash_reason : "(null)");
    ck_assert_str_eq(r->sha256, want);
    ck_assert_ptr_null(r->no_hash_reason);
}

void assert_one_range(uint64_t (*v)[2], size_t n, uint64_t a, uint64_t b)
{
    ck_assert_uint_eq(n, 1);
    ck_assert_uint_eq(v[0][0], a);
    ck_assert_uint_eq(v[0][1], b);
}

void read_at(struct file_track *f, const uint8_t *buf, uint64_t off, size_t n)
{
    file_data(f, FILE_READ, off, buf + off, n);
}
