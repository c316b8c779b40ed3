/* Unit tests for the file tracker: coverage and streaming SHA-256 (in order,
 * out of order, gaps, writes, sizes, offsets). Overlap checks are in
 * test_files_overlap.c, memory bounds in test_files_limits.c.
 * Spec: the semantics block in src/files/files.h. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "files.h"
#include "files_harness.h"

/* no file holds a byte at or past 2^63-1 (files.h, Offsets): data there is
 * dropped, a piece reaching past it keeps only the part below, and no range
 * end goes past FILE_OFFSET_END (so a signed 64-bit reader holds them all) */
START_TEST(offsets_past_any_file_are_dropped)
{
    struct limits l = limits_default();
    struct file_pool pool = {.lim = &l};
    uint8_t *buf = make_buf(4096, 9);
    struct file_track *f = file_new(&pool);
    ck_assert_ptr_nonnull(f);
    const uint64_t E = FILE_OFFSET_END;
    ck_assert_uint_eq(E, 9223372036854775807u);
    /* declared as one READ reaching 2^63 + 4080: only the 16 bytes below E count */
    file_chunk(f, FILE_READ, E - 16, 4096);
    file_data(f, FILE_READ, E - 16, buf, 4096);
    /* wholly past the end, and wrapping past 2^64 */
    file_chunk(f, FILE_READ, UINT64_MAX - 15, 4096);
    file_data(f, FILE_READ, UINT64_MAX - 15, buf, 4096);
    file_data(f, FILE_WRITE, E, buf, 1);
    file_data(f, FILE_WRITE, (uint64_t)1 << 63, buf, 100);
    file_missing(f, FILE_WRITE, E + 1, 10);
    file_missing(f, FILE_READ, E - 4, 8);    /* 4 bytes of it lie inside */
    struct file_result r;
    file_finish(f, &r);
    ck_assert_uint_eq(r.bytes_read, 16);
    ck_assert_uint_eq(r.bytes_written, 0);
    ck_assert_uint_eq(r.bytes_missing, 4);
    assert_one_range(r.read_ranges, r.n_read_ranges, E - 16, E);
    ck_assert_uint_eq(r.n_write_ranges, 0);
    ck_assert(!r.has_sha256);
    file_result_free(&r);
    file_free(f);
    free(buf);
}
END_TEST

START_TEST(sequential_read_hashes_and_holds_nothing)
{
    struct limits l = limits_default();
    struct file_pool pool = {.lim = &l};
    size_t n = 1u << 20;
    uint8_t *buf = make_buf(n, 1);
    struct file_track *f = file_new(&pool);
    ck_assert_ptr_nonnull(f);
    file_set_size(f, n);
    for (size_t off = 0; off < n; off += 61440) {
        size_t k = n - off < 61440 ? n - off : 61440;
        read_at(f, buf, off, k);
        ck_assert_uint_eq(pool.held, 0);
    }
    struct file_result r;
    file_finish(f, &r);
    assert_hash_of(&r, buf, n);
    ck_assert(r.complete);
    ck_assert(!r.overlap_conflict);
    ck_assert_uint_eq(r.bytes_read, n);
    ck_assert_uint_eq(r.bytes_written, 0);
    assert_one_range(r.read_ranges, r.n_read_ranges, 0, n);
    ck_assert_uint_eq(r.n_write_ranges, 0);
    ck_assert_uint_eq(pool.held_peak, 0);
    file_result_free(&r);
    file_free(f);
    free(buf);
}
END_TEST

START_TEST(reversed_chunks_are_held_then_hashed)
{
    struct limits l = limits_default();
    struct file_pool pool = {.lim = &l};
    size_t n = 1000000, k = 4096;
    uint8_t *buf = make_buf(n, 2);
    struct file_track *f = file_new(&pool);
    file_set_size(f, n);
    size_t last = (n - 1) / k * k;
    for (size_t off = last;; off -= k) {
        read_at(f, buf, off, n - off < k ? n - off : k);
        if (off == 0)
            break;
    }
    ck_assert_uint_eq(pool.held, 0);
    ck_assert_uint_eq(pool.held_peak, n - k); /* everything but the first chunk waited */
    struct file_result r;
    file_finish(f, &r);
    assert_hash_of(&r, buf, n);
    ck_assert(r.complete);
    assert_one_range(r.read_ranges, r.n_read_ranges, 0, n);
    file_result_free(&r);
    file_free(f);
    free(buf);
}
END_TEST

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

START_TEST(random_permutation_of_1000_chunks)
{
    struct limits l = limits_default();
    struct file_pool pool = {.lim = &l};
    size_t n = 5u << 20, nchunks = 1000;
    uint64_t seed = 0x9e3779b97f4a7c15ull;
    uint8_t *buf = make_buf(n, 3);
    /* 999 distinct random cut points make 1000 chunks of uneven size */
    uint64_t cuts[1001];
    cuts[0] = 0;
    cuts[nchunks] = n;
    for (size_t i = 1; i < nchunks;) {
        uint64_t c = 1 + next_rand(&seed) % (n - 1);
        bool dup = false;
        for (size_t j = 1; j < i; j++)
            dup |= cuts[j] == c;
        if (!dup)
            cuts[i++] = c;
    }
    qsort(cuts + 1, nchunks - 1, sizeof cuts[0], cmp_u64);
    size_t order[1000];
    for (size_t i = 0; i < nchunks; i++)
        order[i] = i;
    for (size_t i = nchunks - 1; i > 0; i--) {
        size_t j = next_rand(&seed) % (i + 1);
        size_t t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
    struct file_track *f = file_new(&pool);
    file_set_size(f, n);
    for (size_t i = 0; i < nchunks; i++) {
        size_t c = order[i];
        read_at(f, buf, cuts[c], cuts[c + 1] - cuts[c]);
        ck_assert_uint_le(pool.held, l.file_hold_bytes);
    }
    ck_assert_uint_eq(pool.held, 0);
    ck_assert_uint_gt(pool.held_peak, 0);
    struct file_result r;
    file_finish(f, &r);
    assert_hash_of(&r, buf, n);
    ck_assert(r.complete);
    ck_assert_uint_eq(r.bytes_read, n);
    assert_one_range(r.read_ranges, r.n_read_ranges, 0, n);
    file_result_free(&r);
    file_free(f);
    free(buf);
}
END_TEST

START_TEST(capture_gap_excluded_and_no_hash)
{
    struct limits l = limits_default();
    struct file_pool pool = {.lim = &l};
    uint8_t *buf = make_buf(300, 4);
    struct file_track *f = file_new(&pool);
    file_set_size(f, 300);
    read_at(f, buf, 0, 100);
    file_missing(f, FILE_READ, 100, 100);
    read_at(f, buf, 200, 100);
    ck_assert_uint_eq(pool.held, 0); /* nothing is held for a hash that can't finish */
    struct file_result r;
    file_finish(f, &r);
    ck_assert(!r.has_sha256);
    ck_assert(!r.complete);
    ck_assert_str_eq(r.no_hash_reason, "capture_gap");
    ck_assert_uint_eq(r.bytes_read, 200);
    ck_assert_uint_eq(r.bytes_missing, 100);
    ck_assert_uint_eq(r.n_read_ranges, 2);
    ck_assert_uint_eq(r.read_ranges[0][0], 0);
    ck_assert_uint_eq(r.read_ranges[0][1], 100);
    ck_assert_uint_eq(r.read_ranges[1][0], 200);
    ck_assert_uint_eq(r.read_ranges[1][1], 300);
    file_result_free(&r);
    file_free(f);
    free(buf);
}
END_TEST

START_TEST(partial_read_is_incomplete)
{
    struct limits l = limits_default();
    struct file_pool pool = {.lim = &l};
    uint8_t *buf = make_buf(100, 5);
    struct file_track *f = file_new(&pool);
    file_set_size(f, 100);
    read_at(f, buf, 0, 50);
    struct file_result r;
    file_finish(f, &r);
    ck_assert(!r.has_sha256);
    ck_assert(!r.complete);
    ck_assert_str_eq(r.no_hash_reason, "incomplete");
    assert_one_range(r.read_ranges, r.n_read_ranges, 0, 50);
    file_result_free(&r);
    file_free(f);

    /* a missed re-read of bytes already hashed costs nothing */
    f = file_new(&pool);
    file_set_size(f, 100);
    read_at(f, buf, 0, 100);
    file_missing(f, FILE_READ, 0, 50);
    file_finish(f, &r);
    assert_hash_of(&r, buf, 100);
    ck_assert_uint_eq(r.bytes_missing, 50);
    file_result_free(&r);
    file_free(f);

    /* whole file read but its size never learnt */
    f = file_new(&pool);
    read_at(f, buf, 0, 100);
    file_finish(f, &r);
    ck_assert(!r.has_sha256);
    ck_assert(!r.complete);
    ck_assert_str_eq(r.no_hash_reason, "size_unknown");
    file_result_free(&r);
    file_free(f);
    free(buf);
}
END_TEST

START_TEST(written_file)
{
    struct limits l = limits_default();
    struct file_pool pool = {.lim = &l};
    uint8_t *buf = make_buf(100, 11);
    struct file_result r;

    /* a new file (size 0 at open) written 0..68 in pieces */
    struct file_track *f = file_new(&pool);
    file_set_size(f, 0);
    file_data(f, FILE_WRITE, 0, buf, 30);
    file_data(f, FILE_WRITE, 30, buf + 30, 38);
    file_finish(f, &r);
    assert_hash_of(&r, buf, 68);
    ck_assert(r.complete);
    ck_assert_uint_eq(r.bytes_written, 68);
    ck_assert_uint_eq(r.bytes_read, 0);
    assert_one_range(r.write_ranges, r.n_write_ranges, 0, 68);
    ck_assert_uint_eq(r.n_read_ranges, 0);
    file_result_free(&r);
    file_free(f);

    /* size never known: the writes define it */
    f = file_new(&pool);
    file_data(f, FILE_WRITE, 34, buf + 34, 34);
    file_data(f, FILE_WRITE, 0, buf, 34);
    file_finish(f, &r);
    assert_hash_of(&r, buf, 68);
    file_result_free(&r);
    file_free(f);

    /* an existing 100-byte file with its header rewritten: the rest unseen */
    f = file_new(&pool);
    file_set_size(f, 100);
    file_data(f, FILE_WRITE, 0, buf, 10);
    file_finish(f, &r);
    ck_assert(!r.has_sha256);
    ck_assert(!r.complete);
    ck_assert_str_eq(r.no_hash_reason, "incomplete");
    file_result_free(&r);
    file_free(f);

    /* preallocated (end of file set first), then written */
    f = file_new(&pool);
    file_set_size(f, 0);
    file_set_size(f, 68);
    file_data(f, FILE_WRITE, 0, buf, 68);
    file_finish(f, &r);
    assert_hash_of(&r, buf, 68);
    file_result_free(&r);
    file_free(f);

    /* truncated after the writes: what was hashed is no longer the file */
    f = file_new(&pool);
    file_data(f, FILE_WRITE, 0, buf, 68);
    file_set_size(f, 50);
    file_finish(f, &r);
    ck_assert(!r.has_sha256);
    ck_assert(!r.complete);
    ck_assert_str_eq(r.no_hash_reason, "size_mismatch");
    file_result_free(&r);
    file_free(f);

    /* written, then read back: one hash over both */
    f = file_new(&pool);
    file_set_size(f, 0);
    file_data(f, FILE_WRITE, 0, buf, 100);
    file_data(f, FILE_READ, 0, buf, 100);
    file_finish(f, &r);
    assert_hash_of(&r, buf, 100);
    assert_one_range(r.read_ranges, r.n_read_ranges, 0, 100);
    assert_one_range(r.write_ranges, r.n_write_ranges, 0, 100);
    file_result_free(&r);
    file_free(f);

    /* read 0..50 and written 50..100: together the whole file */
    f = file_new(&pool);
    file_set_size(f, 100);
    file_data(f, FILE_WRITE, 50, buf + 50, 50);
    file_data(f, FILE_READ, 0, buf, 50);
    file_finish(f, &r);
    assert_hash_of(&r, buf, 100);
    ck_assert(r.complete);
    file_result_free(&r);
    file_free(f);
    free(buf);
}
END_TEST

START_TEST(zero_length_files)
{
    struct limits l = limits_default();
    struct file_pool pool = {.lim = &l};
    struct file_result r;
    struct file_track *f = file_new(&pool);
    file_set_size(f, 0);
    file_finish(f, &r);
    ck_assert(r.has_sha256);
    ck_assert_str_eq(r.sha256, SHA256_EMPTY);
    ck_assert(r.complete);
    ck_assert_uint_eq(r.n_read_ranges, 0);
    ck_assert_ptr_null(r.read_ranges);
    file_result_free(&r);
    file_free(f);

    f = file_new(&pool);
    file_finish(f, &r);
    ck_assert(!r.has_sha256);
    ck_assert(!r.complete);
    ck_assert_str_eq(r.no_hash_reason, "size_unknown");
    file_result_free(&r);
    /* finishing again gives an empty result */
    file_finish(f, &r);
    ck_assert(!r.has_sha256);
    ck_assert_str_eq(r.no_hash_reason, "finished");
    file_free(f);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("files");
    TCase *tc = tcase_create("files");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, sequential_read_hashes_and_holds_nothing);
    tcase_add_test(tc, reversed_chunks_are_held_then_hashed);
    tcase_add_test(tc, random_permutation_of_1000_chunks);
    tcase_add_test(tc, capture_gap_excluded_and_no_hash);
    tcase_add_test(tc, partial_read_is_incomplete);
    tcase_add_test(tc, written_file);
    tcase_add_test(tc, zero_length_files);
    tcase_add_test(tc, offsets_past_any_file_are_dropped);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
