/* Unit tests for the file tracker's memory bounds: the out-of-order hold
 * (per file and run-wide), the verify window and its run-wide budget, the
 * range-list cap; a bound gives up the hash, never the coverage.
 * Spec: the semantics block in src/files/files.h; fhold.h. */
#include <check.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fhold.h"
#include "files.h"
#include "files_harness.h"

START_TEST(hold_limit_gives_up_the_hash_only)
{
    struct limits l = limits_default();
    l.file_hold_bytes = 64u << 10;
    struct file_pool pool = {.lim = &l};
    size_t n = 1u << 20, k = 4096;
    uint8_t *buf = make_buf(n, 10);
    struct file_track *f = file_new(&pool);
    file_set_size(f, n);
    for (size_t off = n - k;; off -= k) {
        read_at(f, buf, off, k);
        ck_assert_uint_le(pool.held, l.file_hold_bytes);
        if (off == 0)
            break;
    }
    ck_assert_uint_eq(pool.held, 0);
    struct file_result r;
    file_finish(f, &r);
    ck_assert(!r.has_sha256);
    ck_assert_str_eq(r.no_hash_reason, "hold_limit");
    ck_assert(r.complete); /* coverage is still exact */
    assert_one_range(r.read_ranges, r.n_read_ranges, 0, n);
    file_result_free(&r);
    file_free(f);

    /* the budget across files: the second file can't hold what the first holds */
    l = limits_default();
    l.file_hold_total = 10000;
    struct file_track *a = file_new(&pool), *b = file_new(&pool);
    file_set_size(a, 20000);
    file_set_size(b, 20000);
    read_at(a, buf, 10000, 8000);
    ck_assert_uint_eq(pool.held, 8000);
    read_at(b, buf, 10000, 8000);
    ck_assert_uint_eq(pool.held, 8000);
    read_at(a, buf, 0, 10000);
    read_at(a, buf, 18000, 2000);
    read_at(b, buf, 0, 20000);
    ck_assert_uint_eq(pool.held, 0);
    file_finish(a, &r);
    assert_hash_of(&r, buf, 20000);
    file_result_free(&r);
    file_finish(b, &r);
    ck_assert_str_eq(r.no_hash_reason, "hold_limit");
    ck_assert(r.complete);
    file_result_free(&r);
    file_free(a);
    file_free(b);
    free(buf);
}
END_TEST

START_TEST(range_lists_are_capped)
{
    struct limits l = limits_default();
    struct file_pool pool = {.lim = &l};
    uint8_t b = 7;
    struct file_track *f = file_new(&pool);
    file_set_size(f, 20000);
    for (uint64_t i = 0; i < 5000; i++)
        file_data(f, FILE_READ, 2 * i + 1, &b, 1);
    ck_assert_uint_le(pool.held, l.file_hold_bytes);
    struct file_result r;
    file_finish(f, &r);
    ck_assert_uint_eq(pool.held, 0);
    ck_assert(r.ranges_coarse);
    ck_assert_uint_eq(r.n_read_ranges, FILE_RANGES_MAX);
    ck_assert_uint_eq(r.read_ranges[0][0], 1);
    ck_assert_uint_eq(r.read_ranges[r.n_read_ranges - 1][1], 10000);
    ck_assert_uint_eq(r.bytes_read, 5000);
    ck_assert(!r.complete);
    ck_assert(!r.has_sha256);
    file_result_free(&r);
    file_free(f);
}
END_TEST

START_TEST(long_sequential_stream_holds_nothing)
{
    struct limits l = limits_default();
    struct file_pool pool = {.lim = &l};
    size_t k = 64u << 10;
    uint64_t n = 256ull << 20;
    uint8_t *chunk = malloc(k);
    uint64_t seed = 12;
    EVP_MD_CTX *want = EVP_MD_CTX_new();
    ck_assert_int_eq(EVP_DigestInit_ex(want, EVP_sha256(), NULL), 1);
    struct file_track *f = file_new(&pool);
    file_set_size(f, n);
    for (uint64_t off = 0; off < n; off += k) {
        /* different content per chunk, cheaply */
        for (size_t i = 0; i < k; i += 8) {
            uint64_t v = next_rand(&seed);
            memcpy(chunk + i, &v, 8);
        }
        EVP_DigestUpdate(want, chunk, k);
        file_data(f, FILE_READ, off, chunk, k);
        ck_assert_uint_eq(pool.held, 0);
    }
    uint8_t d[EVP_MAX_MD_SIZE];
    unsigned dl;
    EVP_DigestFinal_ex(want, d, &dl);
    char hexd[65];
    for (unsigned i = 0; i < dl; i++)
        snprintf(hexd + 2 * i, 3, "%02x", d[i]);
    struct file_result r;
    file_finish(f, &r);
    ck_assert(r.has_sha256);
    ck_assert_str_eq(r.sha256, hexd);
    ck_assert_uint_eq(pool.held_peak, 0);
    ck_assert_uint_eq(r.bytes_read, n);
    file_result_free(&r);
    file_free(f);
    EVP_MD_CTX_free(want);
    free(chunk);
}
END_TEST

/* the content kept to verify overlaps is budgeted across all files: files
 * past the budget keep none, still hash, and check re-sends by chunk digest */
START_TEST(verify_total_is_shared_by_all_files)
{
    struct limits l = limits_default();
    l.file_verify_bytes = 64u << 10;
    l.file_verify_total = 200000;
    struct file_pool pool = {.lim = &l};
    enum { NF = 10 };
    size_t n = 100u << 10, k = 4096;
    uint8_t *buf = make_buf(n, 14);
    struct file_track *f[NF];
    for (int i = 0; i < NF; i++) {
        f[i] = file_new(&pool);
        ck_assert_ptr_nonnull(f[i]);
        file_set_size(f[i], n);
        for (size_t off = 0; off < n; off += k) {
            read_at(f[i], buf, off, k);
            ck_assert_uint_le(pool.kept, l.file_verify_total);
        }
    }
    /* three full windows, then the 3392 bytes left went to the fourth */
    ck_assert_uint_eq(pool.kept, l.file_verify_total);
    ck_assert_uint_eq(pool.kept_peak, l.file_verify_total);
    ck_assert_uint_eq(pool.held_peak, 0);

    /* a file with a full window checks any re-read in it byte for byte */
    uint8_t *other = malloc(n);
    memcpy(other, buf, n);
    other[30000] ^= 1;
    file_data(f[0], FILE_READ, 29000, other + 29000, 2000);
    /* the fourth checks what it kept, and no further */
    read_at(f[3], buf, 100, 3000);
    read_at(f[4], buf, 100, 3000);
    /* files refused room: an exact re-send is checked by its chunk digest,
     * anything else can't be checked */
    read_at(f[5], buf, 8192, k);
    file_data(f[6], FILE_READ, 8192, other + 8192, k);
    other[8192 + 10] ^= 1;
    file_data(f[7], FILE_READ, 8192, other + 8192, k);

    struct file_result r;
    for (int i = 0; i < NF; i++) {
        file_finish(f[i], &r);
        ck_assert(r.complete || i == 0 || i == 7);
        if (i == 0 || i == 7) {
            ck_assert(r.overlap_conflict);
            ck_assert_str_eq(r.no_hash_reason, "overlap_conflict");
        } else if (i == 4) {
            ck_assert(!r.overlap_conflict);
            ck_assert(!r.has_sha256);
            ck_assert_str_eq(r.no_hash_reason, "overlap_unverified");
        } else {
            assert_hash_of(&r, buf, n);
        }
        file_result_free(&r);
    }
    ck_assert_uint_eq(pool.kept, 0); /* finishing gives the room back */
    ck_assert_uint_eq(pool.kept_peak, l.file_verify_total);
    for (int i = 0; i < NF; i++)
        file_free(f[i]);
    ck_assert_uint_eq(pool.kept, 0);
    free(other);
    free(buf);
}
END_TEST

START_TEST(freed_files_give_verify_room_back)
{
    struct limits l = limits_default();
    l.file_verify_bytes = 64u << 10;
    l.file_verify_total = 64u << 10;
    struct file_pool pool = {.lim = &l};
    size_t n = 100u << 10;
    uint8_t *buf = make_buf(n, 15);
    uint8_t *other = malloc(n);
    memcpy(other, buf, n);
    other[50000] ^= 1;
    struct file_result r;
    for (int round = 0; round < 3; round++) {
        struct file_track *a = file_new(&pool), *b = file_new(&pool);
        file_set_size(a, n);
        file_set_size(b, n);
        read_at(a, buf, 0, n);
        ck_assert_uint_eq(pool.kept, l.file_verify_total);
        read_at(b, buf, 0, n);
        ck_assert_uint_eq(pool.kept, l.file_verify_total); /* b got none */
        /* the same unverifiable-for-b re-read: a compares it, b can't */
        file_data(a, FILE_READ, 49000, other + 49000, 2000);
        file_data(b, FILE_READ, 49000, other + 49000, 2000);
        /* never finished, only freed: the room still comes back */
        file_free(a);
        ck_assert_uint_eq(pool.kept, 0);
        file_finish(b, &r);
        ck_assert(!r.overlap_conflict); /* the difference went unseen, and the hash unclaimed */
        ck_assert(!r.has_sha256);
        ck_assert_str_eq(r.no_hash_reason, "overlap_unverified");
        file_result_free(&r);
        file_free(b);
    }
    ck_assert_uint_eq(pool.kept, 0);
    ck_assert_uint_eq(pool.kept_peak, l.file_verify_total);
    free(other);
    free(buf);
}
END_TEST

START_TEST(no_verify_room_still_hashes)
{
    struct limits l = limits_default();
    l.file_verify_total = 0;
    struct file_pool pool = {.lim = &l};
    size_t n = 300000, k = 10000;
    uint8_t *buf = make_buf(n, 16);
    struct file_result r;

    /* in order, out of order, and exact re-sends: all hashed, none kept */
    struct file_track *f = file_new(&pool);
    file_set_size(f, n);
    read_at(f, buf, 20000, k);
    read_at(f, buf, 0, k);
    read_at(f, buf, 10000, k);
    read_at(f, buf, 0, k);          /* an exact re-send inside the default window */
    for (size_t off = 30000; off < n; off += k)
        read_at(f, buf, off, k);
    read_at(f, buf, 150000, k);
    ck_assert_uint_eq(pool.kept, 0);
    file_finish(f, &r);
    assert_hash_of(&r, buf, n);
    ck_assert(r.complete);
    file_result_free(&r);
    file_free(f);

    /* a re-read that is no earlier chunk can't be checked */
    f = file_new(&pool);
    file_set_size(f, n);
    for (size_t off = 0; off < n; off += k)
        read_at(f, buf, off, k);
    read_at(f, buf, 5, 100);
    file_finish(f, &r);
    ck_assert(!r.has_sha256);
    ck_assert(!r.overlap_conflict);
    ck_assert(r.complete);
    ck_assert_str_eq(r.no_hash_reason, "overlap_unverified");
    file_result_free(&r);
    file_free(f);
    ck_assert_uint_eq(pool.kept_peak, 0);
    free(buf);
}
END_TEST

/* fhold_covers: held bytes [10,20) and [20,30) cover any range inside 10..30,
 * including one starting exactly where a held segment starts (a lost re-read
 * of data still held must not cost the hash); a byte before 10 or at 30 is not */
START_TEST(hold_covers_ranges_starting_at_a_segment)
{
    struct fhold h = {0};
    uint8_t b[10];
    memset(b, 'x', sizeof b);
    ck_assert(fhold_add(&h, 10, b, 10));
    ck_assert(fhold_add(&h, 20, b, 10)); /* appended to the first segment */
    ck_assert(fhold_add(&h, 40, b, 10));
    ck_assert(fhold_covers(&h, 10, 20));
    ck_assert(fhold_covers(&h, 10, 30));
    ck_assert(fhold_covers(&h, 12, 30));
    ck_assert(fhold_covers(&h, 40, 50));
    ck_assert(!fhold_covers(&h, 9, 20));
    ck_assert(!fhold_covers(&h, 10, 31));
    ck_assert(!fhold_covers(&h, 25, 45));
    fhold_clear(&h);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("files_limits");
    TCase *tc = tcase_create("files_limits");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, hold_limit_gives_up_the_hash_only);
    tcase_add_test(tc, hold_covers_ranges_starting_at_a_segment);
    tcase_add_test(tc, range_lists_are_capped);
    tcase_add_test(tc, long_sequential_stream_holds_nothing);
    tcase_add_test(tc, verify_total_is_shared_by_all_files);
    tcase_add_test(tc, freed_files_give_verify_room_back);
    tcase_add_test(tc, no_verify_room_still_hashes);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
