/* Unit tests for the file tracker with a hashing thread (pool.hq): the same
 * results as inline hashing (SHA-256, completeness, no false conflicts) for
 * in-order, out-of-order and re-read data of every size, small files (hashed
 * on the calling thread, FILE_HASH_INLINE_MAX) and large ones (on the
 * thread); files freed unfinished while the thread still hashes them; with
 * pool.defer_sha256 a whole file's hash left to its record (sha256_pending),
 * settled on the parsing thread or on another one after the hand-over.
 * Spec: the semantics block in src/files/files.h, src/files/hashq.h,
 * event.h (ev_pending). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pthread.h>

#include "event.h"
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

/* a `file` record as smb1_opens.c builds it: sha256 null until settled */
static void record_of(struct event *e, struct file_result *r)
{
    ev_init(e, EV_FILE, 1, NULL);
    ev_str(e, F(sha256), r->has_sha256 ? r->sha256 : NULL);
    ev_bool(e, F(complete), r->complete);
    ev_set_pending(e, r->sha256_pending);
    r->sha256_pending = NULL;
}

static void *settle_elsewhere(void *arg)
{
    struct event *e = arg;
    struct ev_pending *p = ev_release_pending(e);
    p->settle(p, e, false);
    return NULL;
}

START_TEST(deferred_hash_is_the_same_hash)
{
    struct limits l = limits_default();
    struct hashq *q = hashq_new();
    ck_assert_ptr_nonnull(q);
    struct hashq *qs[1] = {q};
    struct file_pool pool = {.lim = &l, .hq = qs, .n_hq = 1, .defer_sha256 = true};
    /* small ones too: deferred, they go to the thread (FILE_HASH_INLINE_MAX) */
    const size_t sizes[] = {0, 1, 100000, 3u << 20};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        for (int where = 0; where < 3; where++) {
            uint8_t *buf = make_buf(sizes[i] ? sizes[i] : 1, i + 7);
            char want[65];
            sha256_hex(buf, sizes[i], want);
            struct file_track *f = file_new(&pool);
            read_file(f, buf, sizes[i]);
            struct file_result r;
            file_finish(f, &r);
            file_free(f); /* the tracker may go: the hash is the record's */
            ck_assert_ptr_nonnull(r.sha256_pending);
            ck_assert(!r.has_sha256 && !r.no_hash_reason);
            ck_assert(r.complete);
            struct event e, c;
            record_of(&e, &r);
            file_result_free(&r);
            ck_assert_int_eq(ev_get(&e, NULL, "sha256")->kind, F_NULL);
            if (where == 2) {
                ev_free(&e); /* nobody wrote it: settled without a record */
                free(buf);
                continue;
            }
            /* the sink's way: a clone takes it, the original goes */
            ev_clone(&c, &e);
            ev_take_pending(&c, &e);
            ev_free(&e);
            if (where == 0) {
                struct ev_pending *p = ev_release_pending(&c);
                p->settle(p, &c, true);
            } else {
                ev_pending_of(&c)->handover(ev_pending_of(&c));
                pthread_t t;
                ck_assert_int_eq(pthread_create(&t, NULL, settle_elsewhere, &c), 0);
                ck_assert_int_eq(pthread_join(t, NULL), 0);
            }
            const struct field *h = ev_get(&c, NULL, "sha256");
            ck_assert_int_eq(h->kind, F_STR);
            ck_assert_str_eq(h->v.s, want);
            ck_assert_ptr_null(ev_get(&c, NULL, "no_hash_reason"));
            ev_free(&c);
            free(buf);
        }
    }
    /* only a whole file's hash is deferred: an incomplete one says why at once */
    uint8_t *buf = make_buf(200000, 3);
    struct file_track *f = file_new(&pool);
    file_set_size(f, 300000);
    read_at(f, buf, 0, 200000);
    struct file_result r;
    file_finish(f, &r);
    ck_assert_ptr_null(r.sha256_pending);
    ck_assert_str_eq(r.no_hash_reason, "incomplete");
    file_result_free(&r);
    file_free(f);
    /* a result freed with its hash unclaimed lets it go (no leak, no race) */
    f = file_new(&pool);
    read_file(f, buf, 200000);
    file_finish(f, &r);
    ck_assert_ptr_nonnull(r.sha256_pending);
    file_result_free(&r);
    ck_assert_ptr_null(r.sha256_pending);
    file_free(f);
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
    tcase_add_test(tc, deferred_hash_is_the_same_hash);
    suite_add_tcase(su, tc);
    SRunner *sr = srunner_create(su);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
