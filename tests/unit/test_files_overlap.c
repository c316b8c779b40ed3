/* Unit tests for the file tracker's overlap checks: data behind the hash
 * cursor checked against the verify window or a chunk digest, data ahead of
 * it against what is held; a difference is a conflict, an overlap with no
 * way to check gives up the hash. Spec: files.h semantics ("Data behind the
 * cursor"), fchunks.h. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "files.h"
#include "files_harness.h"

START_TEST(same_bytes_overlap_keeps_hash)
{
    struct limits l = limits_default();
    struct file_pool pool = {.lim = &l};
    size_t n = 20000;
    uint8_t *buf = make_buf(n, 6);
    struct file_track *f = file_new(&pool);
    file_set_size(f, n);
    read_at(f, buf, 0, 4096);
    read_at(f, buf, 2048, 6144);   /* half behind the cursor, in the verify window */
    read_at(f, buf, 12000, 4000);  /* held */
    read_at(f, buf, 10000, 4000);  /* overlaps the held piece, lands ahead of the cursor */
    read_at(f, buf, 0, 100);       /* plain re-read of the start */
    read_at(f, buf, 8192, 1808);   /* fills the gap; the held data drains */
    read_at(f, buf, 16000, 4000);
    ck_assert_uint_eq(pool.held, 0);
    struct file_result r;
    file_finish(f, &r);
    assert_hash_of(&r, buf, n);
    ck_assert(r.complete);
    ck_assert(!r.overlap_conflict);
    ck_assert_uint_eq(r.bytes_read, 4096 + 6144 + 4000 + 4000 + 100 + 1808 + 4000);
    assert_one_range(r.read_ranges, r.n_read_ranges, 0, n);
    file_result_free(&r);
    file_free(f);
    free(buf);
}
END_TEST

START_TEST(different_bytes_overlap_is_a_conflict)
{
    struct limits l = limits_default();
    struct file_pool pool = {.lim = &l};
    size_t n = 8192;
    uint8_t *buf = make_buf(n, 7);
    uint8_t *other = malloc(n);
    memcpy(other, buf, n);
    other[1000] ^= 0x55;

    /* behind the cursor, inside the verify window */
    struct file_track *f = file_new(&pool);
    file_set_size(f, n);
    read_at(f, buf, 0, n);
    file_data(f, FILE_READ, 0, other, 4096);
    struct file_result r;
    file_finish(f, &r);
    ck_assert(r.overlap_conflict);
    ck_assert(!r.has_sha256);
    ck_assert(!r.complete);
    ck_assert_str_eq(r.no_hash_reason, "overlap_conflict");
    assert_one_range(r.read_ranges, r.n_read_ranges, 0, n);
    file_result_free(&r);
    file_free(f);

    /* ahead of the cursor: the held first copy is compared */
    f = file_new(&pool);
    file_set_size(f, n);
    read_at(f, buf, 512, 1024);
    ck_assert_uint_eq(pool.held, 1024);
    file_data(f, FILE_READ, 0, other, n);
    ck_assert_uint_eq(pool.held, 0); /* given up: held data released */
    file_finish(f, &r);
    ck_assert(r.overlap_conflict);
    ck_assert(!r.has_sha256);
    ck_assert_str_eq(r.no_hash_reason, "overlap_conflict");
    file_result_free(&r);
    file_free(f);
    free(other);
    free(buf);
}
END_TEST

START_TEST(exact_chunk_reread_beyond_verify_window)
{
    struct limits l = limits_default();
    l.file_verify_bytes = 4096;
    struct file_pool pool = {.lim = &l};
    size_t n = 1u << 20, k = 10000;
    uint8_t *buf = make_buf(n, 8);
    uint8_t *other = malloc(k);
    memcpy(other, buf + 500000, k);
    other[k - 1] ^= 1;

    struct file_track *f = file_new(&pool);
    file_set_size(f, n);
    for (size_t off = 0; off < n; off += k)
        read_at(f, buf, off, n - off < k ? n - off : k);
    /* re-read as one piece, then as a declared chunk in other pieces */
    read_at(f, buf, 500000, k);
    file_chunk(f, FILE_READ, 500000, k);
    read_at(f, buf, 500000, 1);
    read_at(f, buf, 500001, 4999);
    read_at(f, buf, 505000, 5000);
    /* the last, short chunk too */
    read_at(f, buf, n - n % k, n % k);
    struct file_result r;
    file_finish(f, &r);
    assert_hash_of(&r, buf, n);
    ck_assert(!r.overlap_conflict);
    ck_assert_uint_eq(r.bytes_read, n + 2 * k + n % k);
    file_result_free(&r);
    file_free(f);

    /* the same re-read with one byte changed */
    f = file_new(&pool);
    file_set_size(f, n);
    for (size_t off = 0; off < n; off += k)
        read_at(f, buf, off, n - off < k ? n - off : k);
    file_data(f, FILE_READ, 500000, other, k);
    file_finish(f, &r);
    ck_assert(r.overlap_conflict);
    ck_assert(!r.has_sha256);
    ck_assert_str_eq(r.no_hash_reason, "overlap_conflict");
    file_result_free(&r);
    file_free(f);

    /* a re-read that is no earlier chunk, past the window: can't be checked */
    f = file_new(&pool);
    file_set_size(f, n);
    for (size_t off = 0; off < n; off += k)
        read_at(f, buf, off, n - off < k ? n - off : k);
    read_at(f, buf, 500001, 100);
    file_finish(f, &r);
    ck_assert(!r.overlap_conflict);
    ck_assert(!r.has_sha256);
    ck_assert(r.complete); /* every byte seen, and nothing disagreed */
    ck_assert_str_eq(r.no_hash_reason, "overlap_unverified");
    file_result_free(&r);
    file_free(f);

    /* a shorter re-read starting where an earlier chunk did is no chunk of
     * its own: it can't be checked against that chunk's digest (nor called a
     * conflict for differing from it) */
    f = file_new(&pool);
    file_set_size(f, n);
    for (size_t off = 0; off < n; off += k)
        read_at(f, buf, off, n - off < k ? n - off : k);
    read_at(f, buf, 500000, 100);
    file_finish(f, &r);
    ck_assert(!r.overlap_conflict);
    ck_assert_str_eq(r.no_hash_reason, "overlap_unverified");
    file_result_free(&r);
    file_free(f);

    /* a declared re-read chunk whose middle piece was lost can't be checked */
    f = file_new(&pool);
    file_set_size(f, n);
    for (size_t off = 0; off < n; off += k)
        read_at(f, buf, off, n - off < k ? n - off : k);
    file_chunk(f, FILE_READ, 500000, k);
    read_at(f, buf, 500000, 100);
    file_missing(f, FILE_READ, 500100, 100);
    read_at(f, buf, 500200, k - 200);
    file_finish(f, &r);
    ck_assert(!r.has_sha256);
    ck_assert_str_eq(r.no_hash_reason, "overlap_unverified");
    file_result_free(&r);
    file_free(f);
    free(other);
    free(buf);
}
END_TEST

/* the SMB layer streams a READ's data in TCP-sized pieces: declared chunks
 * keep whole-chunk checks working whatever the piece boundaries */
START_TEST(declared_chunks_in_pieces)
{
    struct limits l = limits_default();
    l.file_verify_bytes = 4096;
    struct file_pool pool = {.lim = &l};
    size_t n = 200000, k = 20000;
    uint8_t *buf = make_buf(n, 13);
    struct file_result r;

    /* first pass in 1460-byte pieces, re-read of one chunk in 1000-byte pieces */
    struct file_track *f = file_new(&pool);
    file_set_size(f, n);
    for (size_t off = 0; off < n; off += k) {
        file_chunk(f, FILE_READ, off, k);
        for (size_t p = off; p < off + k; p += 1460)
            read_at(f, buf, p, off + k - p < 1460 ? off + k - p : 1460);
    }
    file_chunk(f, FILE_READ, 100000, k);
    for (size_t p = 100000; p < 100000 + k; p += 1000)
        read_at(f, buf, p, 1000);
    file_finish(f, &r);
    assert_hash_of(&r, buf, n);
    file_result_free(&r);
    file_free(f);

    /* held data a chunk is about to deliver again stays held until then, so
     * the second copy is compared byte for byte rather than left unverifiable */
    uint8_t *other = malloc(n);
    memcpy(other, buf, n);
    other[55000] ^= 0x80;
    for (int differ = 0; differ < 2; differ++) {
        f = file_new(&pool);
        file_set_size(f, n);
        read_at(f, buf, 0, 40000);
        read_at(f, buf, 50000, 10000);          /* held, ahead of the cursor */
        file_chunk(f, FILE_READ, 40000, 20000);
        file_data(f, FILE_READ, 40000, other + 40000, 10000);
        ck_assert_uint_eq(pool.held, 10000);    /* not drained: the chunk continues over it */
        file_data(f, FILE_READ, 50000, (differ ? other : buf) + 50000, 10000);
        ck_assert_uint_eq(pool.held, 0);
        read_at(f, buf, 60000, n - 60000);
        file_finish(f, &r);
        if (differ) {
            ck_assert(r.overlap_conflict);
            ck_assert_str_eq(r.no_hash_reason, "overlap_conflict");
        } else {
            assert_hash_of(&r, buf, n);
        }
        file_result_free(&r);
        file_free(f);
    }

    /* a chunk cut short (the next data is elsewhere) releases what it kept */
    f = file_new(&pool);
    file_set_size(f, n);
    read_at(f, buf, 0, 40000);
    read_at(f, buf, 50000, 10000);
    file_chunk(f, FILE_READ, 40000, 20000);
    read_at(f, buf, 40000, 10000);
    read_at(f, buf, 60000, n - 60000);          /* not the chunk's next piece */
    ck_assert_uint_eq(pool.held, 0);
    file_finish(f, &r);
    assert_hash_of(&r, buf, n);
    file_result_free(&r);
    file_free(f);
    free(other);
    free(buf);
}
END_TEST

START_TEST(whole_file_read_twice_keeps_hash)
{
    struct limits l = limits_default();
    l.file_verify_bytes = 64u << 10;
    struct file_pool pool = {.lim = &l};
    size_t n = 4u << 20, k = 61440;
    uint8_t *buf = make_buf(n, 9);
    struct file_track *f = file_new(&pool);
    file_set_size(f, n);
    for (int pass = 0; pass < 2; pass++)
        for (size_t off = 0; off < n; off += k)
            read_at(f, buf, off, n - off < k ? n - off : k);
    struct file_result r;
    file_finish(f, &r);
    assert_hash_of(&r, buf, n);
    ck_assert_uint_eq(r.bytes_read, 2 * (uint64_t)n);
    file_result_free(&r);
    file_free(f);
    free(buf);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("files_overlap");
    TCase *tc = tcase_create("files_overlap");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, same_bytes_overlap_keeps_hash);
    tcase_add_test(tc, different_bytes_overlap_is_a_conflict);
    tcase_add_test(tc, exact_chunk_reread_beyond_verify_window);
    tcase_add_test(tc, declared_chunks_in_pieces);
    tcase_add_test(tc, whole_file_read_twice_keeps_hash);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
