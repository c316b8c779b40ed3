/* Unit tests for hashq (SHA-256 on a second thread): digests equal to
 * OpenSSL's one-shot SHA-256 of the same bytes however the updates are cut
 * and interleaved between files (record headers, wrap-around at the ring's
 * end, updates split past a quarter of the ring, back-pressure when the ring
 * is full); hashq_wait as the point after which a context is the caller's. */
#include <check.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <stdlib.h>
#include <string.h>

#include "hashq.h"

#define NF 3

/* a deterministic byte stream per file (xorshift), not a repeating pattern */
static void fill(uint8_t *p, size_t n, uint64_t seed)
{
    uint64_t x = seed * 0x9E3779B97F4A7C15ull + 1;
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        p[i] = (uint8_t)x;
    }
}

static EVP_MD_CTX *md_new(void)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    ck_assert_ptr_nonnull(md);
    ck_assert_int_eq(EVP_DigestInit_ex(md, EVP_sha256(), NULL), 1);
    return md;
}

static void md_final(EVP_MD_CTX *md, uint8_t out[32])
{
    unsigned len = 0;
    ck_assert_int_eq(EVP_DigestFinal_ex(md, out, &len), 1);
    ck_assert_uint_eq(len, 32);
}

/* piece sizes that hit every case: tiny, not a multiple of the record
 * alignment, exactly the split size, larger than it, larger than the ring */
static size_t piece(unsigned i)
{
    static const size_t sizes[] = {1, 31, 32, 33, 1460, 4096, 61440, 65536, HASHQ_RING_BYTES / 4,
                                   HASHQ_RING_BYTES / 4 + 1, HASHQ_RING_BYTES + 12345, 7, 0};
    return sizes[i % (sizeof sizes / sizeof sizes[0])];
}

START_TEST(digests_match_one_shot_sha256)
{
    size_t total = 3 * (size_t)HASHQ_RING_BYTES + 777; /* per file: the ring wraps many times */
    uint8_t *data[NF];
    EVP_MD_CTX *md[NF];
    bool failed[NF] = {false};
    size_t off[NF] = {0};
    uint64_t last[NF] = {0};
    struct hashq *q = hashq_new();
    ck_assert_ptr_nonnull(q);
    for (int f = 0; f < NF; f++) {
        data[f] = malloc(total);
        ck_assert_ptr_nonnull(data[f]);
        fill(data[f], total, (uint64_t)f + 1);
        md[f] = md_new();
    }
    /* interleave the files' updates, each file cut differently */
    for (unsigned step = 0, busy = NF; busy; step++) {
        busy = 0;
        for (int f = 0; f < NF; f++) {
            size_t n = piece(step + (unsigned)f * 5);
            if (n > total - off[f])
                n = total - off[f];
            if (off[f] < total)
                busy++;
            uint64_t pos = hashq_update(q, md[f], &failed[f], data[f] + off[f], n);
            ck_assert_uint_ge(pos, last[f]);
            last[f] = pos;
            off[f] += n;
        }
    }
    for (int f = 0; f < NF; f++) {
        uint8_t got[32], want[32];
        hashq_wait(q, last[f]);
        ck_assert(!failed[f]);
        md_final(md[f], got);
        SHA256(data[f], total, want);
        ck_assert_mem_eq(got, want, 32);
        EVP_MD_CTX_free(md[f]);
        free(data[f]);
    }
    hashq_free(q);
}
END_TEST

/* the position returned is what hashq_wait needs: right after it, the
 * context holds every byte queued before (checked at each of many points,
 * with the thread free to run ahead or lag behind) */
START_TEST(wait_covers_everything_queued_before)
{
    struct hashq *q = hashq_new();
    ck_assert_ptr_nonnull(q);
    uint8_t buf[70000];
    fill(buf, sizeof buf, 42);
    EVP_MD_CTX *md = md_new(), *ref = md_new();
    bool failed = false;
    for (unsigned i = 0; i < 200; i++) {
        size_t n = 1 + (i * 7919u) % sizeof buf;
        uint64_t pos = hashq_update(q, md, &failed, buf, n);
        ck_assert_int_eq(EVP_DigestUpdate(ref, buf, n), 1);
        if (i % 3 == 0) {
            hashq_wait(q, pos);
            /* a copy of each, finalized: equal at this point */
            EVP_MD_CTX *a = EVP_MD_CTX_new(), *b = EVP_MD_CTX_new();
            ck_assert_int_eq(EVP_MD_CTX_copy_ex(a, md), 1);
            ck_assert_int_eq(EVP_MD_CTX_copy_ex(b, ref), 1);
            uint8_t da[32], db[32];
            md_final(a, da);
            md_final(b, db);
            ck_assert_mem_eq(da, db, 32);
            EVP_MD_CTX_free(a);
            EVP_MD_CTX_free(b);
        }
    }
    ck_assert(!failed);
    hashq_free(q);
    EVP_MD_CTX_free(md);
    EVP_MD_CTX_free(ref);
}
END_TEST

/* free hashes what is queued before it stops (nothing is dropped), and an
 * empty queue, a zero-byte update, waiting at 0 and freeing NULL are fine */
START_TEST(free_drains_and_edges)
{
    struct hashq *q = hashq_new();
    ck_assert_ptr_nonnull(q);
    EVP_MD_CTX *md = md_new();
    bool failed = false;
    ck_assert_uint_eq(hashq_update(q, md, &failed, "x", 0), 0);
    hashq_wait(q, 0);
    static uint8_t big[3u << 20];
    fill(big, sizeof big, 7);
    (void)hashq_update(q, md, &failed, big, sizeof big);
    hashq_free(q); /* no wait: free must finish the queued bytes first */
    uint8_t got[32], want[32];
    md_final(md, got);
    SHA256(big, sizeof big, want);
    ck_assert_mem_eq(got, want, 32);
    EVP_MD_CTX_free(md);
    hashq_free(NULL);
    hashq_wait(NULL, 123);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("hashq");
    TCase *tc = tcase_create("hashq");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, digests_match_one_shot_sha256);
    tcase_add_test(tc, wait_covers_everything_queued_before);
    tcase_add_test(tc, free_drains_and_edges);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
