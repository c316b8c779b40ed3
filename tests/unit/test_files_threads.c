/* Unit tests for the file tracker with a hashing thread (pool.hq): the same
 * results as inline hashing (SHA-256, completeness, no false conflicts) for
 * in-order, out-of-order and re-read data of every size, small files (hashed
 * on the calling thread, FILE_HASH_INLINE_MAX) and large ones (on the
 * thread); files freed unfinished while the thread still hashes them.
 * Spec: the semantics block in src/files/files.h, src/files/hashq.h. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "files.h"
#include "files_harness.h"
#include "hashq.h"

/* a file read in 61440-byte READs, some pieces out of order and one READ
 * sent again: its result must be what inline hashing gives */
static void read_file(struct file_track *f, const uint8_t *buf, size_t n)
{
    file_set_size(f, n);
    for (size_t off = 0; off < n; off += 61440) {
        size_t len = n - off < 61440 ? n - off : 61440;
        file_chunk(f, FILE_READ, off, len);
        /* second half first, then the first half */
        size_t h = len / 2;
        file_data(f, FILE_READ, off + h, buf + off + h, len - h);
        file_data(f, FILE_READ, off, buf + off, h);
        if (off == 61440 * 3) { /* a re-read of a whole READ: checked by chunk digest, no conflict */
            file_chunk(f, FILE_READ, off, len);
            file_data(f, FILE_READ, off, buf + off, len);
        }
    }
}

START_TEST(thread_hash_equals_inline_hash)
{
    struct limits l = limits_default();
    struct hashq *q = hashq_new();
    ck_assert_ptr_nonnull(q);
    struct hashq *qs[1] = {q};
    struct file_pool threaded = {.lim = &l, .hq = qs, .n_hq = 1}, inline_pool = {.lim = &l};
    const size_t sizes[] = {0, 1, 100000, 3u << 20, (20u << 20) + 7};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        uint8_t *buf = make_buf(sizes[i] ? sizes[i] : 1, i + 1);
        struct file_result a, b;
        struct file_track *f = file_new(&threaded), *g = file_new(&inline_pool);
        read_file(f, buf, sizes[i]);
        read_file(g, buf, sizes[i]);
        file_finish(f, &a);
        file_finish(g, &b);
        assert_hash_of(&a, buf, sizes[i]);
        assert_hash_of(&b, buf, sizes[i]);
        ck_assert(a.complete && !a.overlap_conflict);
        file_result_free(&a);
        file_result_free(&b);
        file_free(f);
        file_free(g);
        free(buf);
    }
    /* unfinished files freed while the thread may still be hashing them */
    uint8_t *buf = make_buf(8u << 20, 99);
    for (int i = 0; i < 4; i++) {
        struct file_track *f = file_new(&threaded);
        read_file(f, buf, 8u << 20);
        file_free(f);
    }
    free(buf);
    hashq_free(q);
}
END_TEST

int main(void)
{
    Suite *su = suite_create("files_threads");
    TCase *tc = tcase_create("files_threads");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, thread_hash_equals_inline_hash);
    suite_add_tcase(su, tc);
    SRunner *sr = srunner_create(su);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
