/* Unit tests for --extract, where the content goes: files written as they
 * stream, content-addressed when complete, sparse with an exact sidecar
 * otherwise, overlaps (first copy kept), nothing left behind. Caps, errors
 * and descriptors are in test_extract_limits.c.
 * Spec: the contract block in src/files/extract.h. Driven through the file
 * tracker (files.h), as the SMB1 dissector drives it (extract_harness.h). */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "extract_harness.h"
#include "sink.h"

START_TEST(in_order)
{
    struct world w;
    world_init(&w, limits_default());
    size_t n = 200000;
    uint8_t *b = make_buf(n, 1);
    struct xfile x;
    xf_new(&w, &x, (int64_t)n);
    for (size_t off = 0; off < n; off += 4096)
        file_data(x.f, FILE_READ, off, b + off, off + 4096 <= n ? 4096 : n - off);
    xf_finish(&w, &x, 7, 1);
    ck_assert(x.r.has_sha256);
    assert_complete(&w, &x.e, b, n);
    ck_assert_uint_eq(count_files(&w, "sha256"), 2);
    ck_assert_uint_eq(count_files(&w, "partial"), 0);
    ck_assert_uint_eq(count_files(&w, ".tmp"), 0);
    ck_assert_uint_eq(extractor_counts(w.x)->bytes, n);
    ck_assert_uint_eq(w.n_anomalies, 0);
    xf_free(&x);
    free(b);
    world_free(&w);
}
END_TEST

START_TEST(out_of_order)
{
    struct world w;
    world_init(&w, limits_default());
    size_t n = 100000, piece = 3000;
    uint8_t *b = make_buf(n, 2);
    struct xfile x;
    xf_new(&w, &x, (int64_t)n);
    /* last piece first, then every odd piece, then every even one */
    for (int pass = 0; pass < 2; pass++)
        for (size_t k = n / piece + 1; k-- > 0;) {
            size_t off = k * piece;
            if (off >= n || (k % 2) != (size_t)pass)
                continue;
            file_data(x.f, FILE_WRITE, off, b + off, off + piece <= n ? piece : n - off);
        }
    xf_finish(&w, &x, 7, 1);
    ck_assert(x.r.has_sha256);
    assert_complete(&w, &x.e, b, n);
    xf_free(&x);
    free(b);
    world_free(&w);
}
END_TEST

START_TEST(gap)
{
    struct world w;
    world_init(&w, limits_default());
    size_t n = 1 << 20, hole_a = 65536, hole_b = 1000000;
    uint8_t *b = make_buf(n, 3);
    struct xfile x;
    xf_new(&w, &x, (int64_t)n);
    file_data(x.f, FILE_READ, 0, b, hole_a);
    file_missing(x.f, FILE_READ, hole_a, hole_b - hole_a);
    file_data(x.f, FILE_READ, hole_b, b + hole_b, n - hole_b);

    /* nothing under a final name before the finish */
    ck_assert_uint_eq(count_files(&w, "sha256") + count_files(&w, "partial"), 0);
    ck_assert_uint_eq(count_files(&w, ".tmp"), 1);

    xf_finish(&w, &x, 9, 3);
    ck_assert(!x.r.has_sha256);
    char rel[128];
    assert_partial(&w, &x.e, 3, rel, sizeof rel);
    ck_assert(!ev_has(&x.e, F(extract_error)));
    uint8_t *got = slurp_n(&w, rel, n);
    ck_assert(memcmp(got, b, hole_a) == 0);
    ck_assert(memcmp(got + hole_b, b + hole_b, n - hole_b) == 0);
    free(got);
    /* sparse: the hole takes no disk blocks (never zero-filled by writing) */
    char full[256];
    snprintf(full, sizeof full, "%s/%s", w.dir, rel);
    struct stat st;
    ck_assert_int_eq(stat(full, &st), 0);
    ck_assert_msg((uint64_t)st.st_blocks * 512 < (hole_a + (n - hole_b)) * 2, "blocks %lld",
                  (long long)st.st_blocks);
    ck_assert_int_eq(st.st_mode & 0777, 0600);

    json_t *o = sidecar(&w, rel);
    ck_assert_str_eq(json_string_value(json_object_get(o, "type")), "partial_file");
    ck_assert_uint_eq((uint64_t)json_integer_value(json_object_get(o, "size")), n);
    const uint64_t seen[][2] = {{0, 65536}, {1000000, 1048576}};
    const uint64_t missing[][2] = {{65536, 1000000}};
    assert_ranges(json_object_get(o, "seen_ranges"), seen, 2);
    assert_ranges(json_object_get(o, "missing_ranges"), missing, 1);
    ck_assert(json_is_false(json_object_get(o, "tail_unknown")));
    ck_assert_str_eq(json_string_value(json_object_get(o, "no_hash_reason")), "capture_gap");
    ck_assert(json_is_null(json_object_get(o, "extract_error")));
    ck_assert_uint_eq(json_array_size(json_object_get(o, "overlap_conflicts")), 0);
    /* the record inside is the emitted record */
    json_t *rec = json_object_get(o, "record");
    ck_assert_str_eq(json_string_value(json_object_get(rec, "extracted")), rel);
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(rec, "conn"), "id")), "C1");
    json_decref(o);
    ck_assert_uint_eq(count_files(&w, ".tmp"), 0);
    ck_assert_uint_eq(count_files(&w, "sha256"), 0);
    xf_free(&x);
    free(b);
    world_free(&w);
}
END_TEST

START_TEST(size_unknown)
{
    struct world w;
    world_init(&w, limits_default());
    uint8_t *b = make_buf(300, 4);
    struct xfile x;
    xf_new(&w, &x, -1);
    file_data(x.f, FILE_READ, 200, b + 200, 100);
    file_data(x.f, FILE_READ, 0, b, 100);
    xf_finish(&w, &x, 9, 4);
    char rel[128];
    assert_partial(&w, &x.e, 4, rel, sizeof rel);
    json_t *o = sidecar(&w, rel);
    ck_assert(json_is_null(json_object_get(o, "size")));
    const uint64_t seen[][2] = {{0, 100}, {200, 300}};
    const uint64_t missing[][2] = {{100, 200}};
    assert_ranges(json_object_get(o, "seen_ranges"), seen, 2);
    assert_ranges(json_object_get(o, "missing_ranges"), missing, 1);
    ck_assert(json_is_true(json_object_get(o, "tail_unknown")));
    ck_assert_str_eq(json_string_value(json_object_get(o, "no_hash_reason")), "size_unknown");
    json_decref(o);
    xf_free(&x);
    free(b);
    world_free(&w);
}
END_TEST

START_TEST(overlap_conflict)
{
    struct world w;
    world_init(&w, limits_default());
    uint8_t *a = make_buf(300, 5);
    uint8_t *b2 = malloc(300);
    memcpy(b2, a, 300);
    for (int i = 150; i < 160; i++)
        b2[i] ^= 0x5a; /* the second copy differs at [150, 160) */
    for (int i = 200; i < 300; i++)
        b2[i] ^= 0x33; /* and brings new bytes [200, 300) the first copy never had */
    struct xfile x;
    xf_new(&w, &x, 300);
    file_data(x.f, FILE_READ, 0, a, 200);
    file_chunk(x.f, FILE_READ, 100, 200);
    file_data(x.f, FILE_READ, 100, b2 + 100, 120); /* in two pieces: one conflict */
    file_data(x.f, FILE_READ, 220, b2 + 220, 80);
    xf_finish(&w, &x, 9, 5);
    ck_assert(!x.r.has_sha256);
    ck_assert(x.r.overlap_conflict);
    char rel[128];
    assert_partial(&w, &x.e, 5, rel, sizeof rel);
    uint8_t *got = slurp_n(&w, rel, 300);
    ck_assert(memcmp(got, a, 200) == 0);              /* the first copy was kept */
    ck_assert(memcmp(got + 200, b2 + 200, 100) == 0); /* new bytes from the second */
    free(got);
    json_t *o = sidecar(&w, rel);
    json_t *cs = json_object_get(o, "overlap_conflicts");
    ck_assert_uint_eq(json_array_size(cs), 1);
    json_t *c = json_array_get(cs, 0);
    assert_range(json_object_get(c, "first"), 100, 200);
    assert_range(json_object_get(c, "second"), 100, 300);
    assert_range(json_object_get(c, "differ"), 150, 160);
    ck_assert_str_eq(json_string_value(json_object_get(c, "kept")), "first");
    ck_assert_str_eq(json_string_value(json_object_get(c, "io")), "read");
    ck_assert_str_eq(json_string_value(json_object_get(o, "no_hash_reason")), "overlap_conflict");
    assert_ranges(json_object_get(o, "missing_ranges"), NULL, 0);
    json_decref(o);
    xf_free(&x);
    free(a);
    free(b2);
    world_free(&w);
}
END_TEST

START_TEST(agreeing_overlap_is_no_conflict)
{
    struct world w;
    world_init(&w, limits_default());
    uint8_t *a = make_buf(5000, 6);
    struct xfile x;
    xf_new(&w, &x, 5000);
    file_data(x.f, FILE_READ, 0, a, 3000);
    file_data(x.f, FILE_READ, 1000, a + 1000, 4000); /* a re-read that agrees */
    xf_finish(&w, &x, 9, 1);
    ck_assert(x.r.has_sha256);
    assert_complete(&w, &x.e, a, 5000);
    ck_assert_uint_eq(extractor_counts(w.x)->bytes, 5000); /* overlapping bytes written once */
    xf_free(&x);
    free(a);
    world_free(&w);
}
END_TEST

START_TEST(zero_byte_file)
{
    struct world w;
    world_init(&w, limits_default());
    struct xfile x;
    xf_new(&w, &x, 0);
    xf_finish(&w, &x, 9, 1);
    ck_assert(x.r.has_sha256);
    ck_assert_str_eq(x.r.sha256, SHA256_EMPTY);
    assert_complete(&w, &x.e, (const uint8_t *)"", 0);
    ck_assert_str_eq(ev_s(&x.e, "extracted"), "sha256/e3/" SHA256_EMPTY);
    xf_free(&x);
    world_free(&w);
}
END_TEST

START_TEST(nothing_seen_nothing_written)
{
    struct world w;
    world_init(&w, limits_default());
    struct xfile x, y;
    xf_new(&w, &x, 500); /* opened, never read */
    xf_new(&w, &y, -1);  /* size unknown, no data (a pipe) */
    xf_finish(&w, &x, 9, 1);
    xf_finish(&w, &y, 10, 2);
    ck_assert_ptr_null(ev_s(&x.e, "extracted"));
    ck_assert_ptr_null(ev_s(&y.e, "extracted"));
    ck_assert(!ev_has(&x.e, F(extract_error)));
    ck_assert(!ev_has(&y.e, F(extract_error)));
    ck_assert_uint_eq(count_files(&w, ""), 0);
    xf_free(&x);
    xf_free(&y);
    world_free(&w);
}
END_TEST

START_TEST(same_content_twice)
{
    struct world w;
    world_init(&w, limits_default());
    uint8_t *b = make_buf(10000, 9);
    struct xfile x, y;
    xf_new(&w, &x, 10000);
    xf_new(&w, &y, 10000);
    file_data(x.f, FILE_READ, 0, b, 10000);
    file_data(y.f, FILE_WRITE, 0, b, 10000);
    xf_finish(&w, &x, 1, 1);
    xf_finish(&w, &y, 2, 2);
    assert_complete(&w, &y.e, b, 10000);
    ck_assert_str_eq(ev_s(&x.e, "extracted"), ev_s(&y.e, "extracted"));
    ck_assert_uint_eq(count_files(&w, "sha256"), 2); /* one content file, one sidecar */
    char side[160];
    snprintf(side, sizeof side, "%s.json", ev_s(&x.e, "extracted"));
    size_t n;
    uint8_t *lines = slurp(&w, side, &n);
    char *l1 = json_event_line(&x.e, NULL), *l2 = json_event_line(&y.e, NULL);
    char want[4096];
    snprintf(want, sizeof want, "%s\n%s\n", l1, l2);
    ck_assert_str_eq((const char *)lines, want);
    free(l1);
    free(l2);
    free(lines);
    ck_assert_uint_eq(extractor_counts(w.x)->complete, 2);
    ck_assert_uint_eq(extractor_counts(w.x)->dedup, 1);
    ck_assert_uint_eq(count_files(&w, ".tmp"), 0);
    xf_free(&x);
    xf_free(&y);
    free(b);
    world_free(&w);
}
END_TEST

START_TEST(unfinished_leaves_no_final_name)
{
    struct world w;
    world_init(&w, limits_default());
    uint8_t *b = make_buf(1000, 10);
    struct file_track *f = file_new(&w.pool);
    file_set_size(f, 1000);
    file_data(f, FILE_READ, 0, b, 1000); /* whole, but never finished */
    ck_assert_uint_eq(count_files(&w, ".tmp"), 1);
    ck_assert_uint_eq(count_files(&w, "sha256") + count_files(&w, "partial"), 0);
    file_free(f);
    ck_assert_uint_eq(count_files(&w, ""), 0); /* the temp file went with it */
    free(b);
    world_free(&w);
}
END_TEST

START_TEST(tail_missing_keeps_size)
{
    struct world w;
    world_init(&w, limits_default());
    uint8_t *b = make_buf(4000, 13);
    struct xfile x;
    xf_new(&w, &x, 10000);
    file_data(x.f, FILE_READ, 0, b, 4000);
    xf_finish(&w, &x, 9, 6);
    char rel[128];
    assert_partial(&w, &x.e, 6, rel, sizeof rel);
    uint8_t *got = slurp_n(&w, rel, 10000); /* the length says the size; the tail is a hole */
    ck_assert(memcmp(got, b, 4000) == 0);
    free(got);
    json_t *o = sidecar(&w, rel);
    const uint64_t missing[][2] = {{4000, 10000}};
    assert_ranges(json_object_get(o, "missing_ranges"), missing, 1);
    ck_assert_str_eq(json_string_value(json_object_get(o, "no_hash_reason")), "incomplete");
    json_decref(o);
    xf_free(&x);
    free(b);
    world_free(&w);
}
END_TEST

START_TEST(no_extractor_adds_nothing)
{
    struct limits lim = limits_default();
    struct file_pool pool = {.lim = &lim};
    struct file_track *f = file_new(&pool);
    file_set_size(f, 3);
    file_data(f, FILE_READ, 0, (const uint8_t *)"abc", 3);
    struct file_result r;
    file_finish(f, &r);
    struct event e;
    ev_init(&e, EV_FILE, 0, NULL);
    file_extract(f, &r, &e, 1);
    ck_assert(!ev_has(&e, F(extracted)));
    ck_assert(!ev_has(&e, F(extract_error)));
    ev_free(&e);
    file_result_free(&r);
    file_free(f);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("extract");
    TCase *t = tcase_create("core");
    tcase_add_test(t, in_order);
    tcase_add_test(t, out_of_order);
    tcase_add_test(t, gap);
    tcase_add_test(t, size_unknown);
    tcase_add_test(t, tail_missing_keeps_size);
    tcase_add_test(t, overlap_conflict);
    tcase_add_test(t, agreeing_overlap_is_no_conflict);
    tcase_add_test(t, zero_byte_file);
    tcase_add_test(t, nothing_seen_nothing_written);
    tcase_add_test(t, same_content_twice);
    tcase_add_test(t, unfinished_leaves_no_final_name);
    tcase_add_test(t, no_extractor_adds_nothing);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
