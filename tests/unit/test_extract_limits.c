/* Unit tests for --extract under its limits: the per-file and run-wide byte
 * caps, a write error, the descriptor cap and an unusable directory; the
 * analysis is never changed by them. Where the content goes is in
 * test_extract.c. Spec: the contract block in src/files/extract.h ("Caps"). */
#include <check.h>
#include <dirent.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "extract_harness.h"

START_TEST(file_cap)
{
    struct limits lim = limits_default();
    lim.extract_max_file = 1000;
    struct world w;
    world_init(&w, lim);
    uint8_t *b = make_buf(3000, 7);
    struct xfile x;
    xf_new(&w, &x, 3000);
    file_data(x.f, FILE_READ, 0, b, 3000);
    xf_finish(&w, &x, 9, 2);
    ck_assert(x.r.has_sha256); /* analysis is unaffected */
    char rel[128];
    assert_partial(&w, &x.e, 2, rel, sizeof rel);
    ck_assert_str_eq(ev_s(&x.e, "extract_error"), "file_limit");
    ck_assert_uint_eq(w.n_anomalies, 1);
    ck_assert_str_eq(w.anomalies[0], "extract_file_limit");
    uint8_t *got = slurp_n(&w, rel, 1000); /* never longer than the cap, even to say the size */
    ck_assert(memcmp(got, b, 1000) == 0);
    free(got);
    json_t *o = sidecar(&w, rel);
    const uint64_t missing[][2] = {{1000, 3000}};
    assert_ranges(json_object_get(o, "missing_ranges"), missing, 1);
    ck_assert_str_eq(json_string_value(json_object_get(o, "extract_error")), "file_limit");
    json_decref(o);
    ck_assert_uint_eq(count_files(&w, "sha256"), 0);
    xf_free(&x);
    free(b);
    world_free(&w);
}
END_TEST

START_TEST(total_cap)
{
    struct limits lim = limits_default();
    lim.extract_max_total = 5000;
    struct world w;
    world_init(&w, lim);
    uint8_t *b = make_buf(4000, 8);
    const size_t size[3] = {2000, 4000, 1000};
    struct xfile x[3];
    for (int i = 0; i < 3; i++)
        xf_new(&w, &x[i], (int64_t)size[i]);
    for (int i = 0; i < 3; i++)
        file_data(x[i].f, FILE_READ, 0, b, size[i]);
    for (int i = 0; i < 3; i++)
        xf_finish(&w, &x[i], (uint64_t)i + 1, (uint64_t)i + 1);
    assert_complete(&w, &x[0].e, b, 2000);
    char rel[128];
    assert_partial(&w, &x[1].e, 2, rel, sizeof rel);
    ck_assert_str_eq(ev_s(&x[1].e, "extract_error"), "total_limit");
    json_t *o = sidecar(&w, rel);
    const uint64_t seen[][2] = {{0, 3000}};
    assert_ranges(json_object_get(o, "seen_ranges"), seen, 1);
    json_decref(o);
    /* nothing left for the third: no file at all, and the record says why */
    ck_assert_ptr_null(ev_s(&x[2].e, "extracted"));
    ck_assert_str_eq(ev_s(&x[2].e, "extract_error"), "total_limit");
    ck_assert_uint_eq(extractor_counts(w.x)->bytes, 5000);
    ck_assert_uint_eq(w.n_anomalies, 2);
    ck_assert_str_eq(w.anomalies[0], "extract_total_limit");
    ck_assert_str_eq(w.anomalies[1], "extract_total_limit");
    ck_assert_uint_eq(count_files(&w, "partial"), 2);
    ck_assert_uint_eq(count_files(&w, ".tmp"), 0);
    for (int i = 0; i < 3; i++)
        xf_free(&x[i]);
    free(b);
    world_free(&w);
}
END_TEST

/* a write error (here EFBIG from RLIMIT_FSIZE, as ENOSPC would be): the
 * record says so, the analysis is unchanged, the next file is extracted */
START_TEST(write_error)
{
    struct world w;
    world_init(&w, limits_default());
    signal(SIGXFSZ, SIG_IGN);
    struct rlimit rl = {.rlim_cur = 4096, .rlim_max = RLIM_INFINITY};
    ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &rl), 0); /* Check runs each test in its own process */
    uint8_t *b = make_buf(10000, 14);
    struct xfile x, y;
    xf_new(&w, &x, 10000);
    file_data(x.f, FILE_READ, 0, b, 10000);
    xf_finish(&w, &x, 9, 1);
    ck_assert(x.r.has_sha256);
    ck_assert_str_eq(ev_s(&x.e, "extract_error"), "io_error");
    ck_assert_uint_eq(w.n_anomalies, 1);
    ck_assert_str_eq(w.anomalies[0], "extract_io_error");
    ck_assert_uint_eq(count_files(&w, "sha256"), 0);
    ck_assert_uint_eq(count_files(&w, ".tmp"), 0);
    xf_new(&w, &y, 100);
    file_data(y.f, FILE_READ, 0, b, 100);
    xf_finish(&w, &y, 10, 2);
    assert_complete(&w, &y.e, b, 100);
    xf_free(&x);
    xf_free(&y);
    free(b);
    world_free(&w);
}
END_TEST

static size_t open_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    ck_assert_ptr_nonnull(d);
    size_t n = 0;
    while (readdir(d))
        n++;
    closedir(d);
    return n;
}

START_TEST(descriptor_cap)
{
    struct limits lim = limits_default();
    lim.extract_max_fds = 1;
    struct world w;
    world_init(&w, lim);
    uint8_t *a = make_buf(8000, 11), *b = make_buf(8000, 12);
    struct xfile x, y;
    xf_new(&w, &x, 8000);
    xf_new(&w, &y, 8000);
    size_t before = open_fds();
    for (size_t off = 0; off < 8000; off += 1000) { /* interleaved: each write reopens */
        file_data(x.f, FILE_READ, off, a + off, 1000);
        file_data(y.f, FILE_READ, off, b + off, 1000);
        ck_assert_uint_le(open_fds(), before + 1);
    }
    xf_finish(&w, &x, 1, 1);
    xf_finish(&w, &y, 2, 2);
    assert_complete(&w, &x.e, a, 8000);
    assert_complete(&w, &y.e, b, 8000);
    xf_free(&x);
    xf_free(&y);
    free(a);
    free(b);
    world_free(&w);
}
END_TEST

START_TEST(unusable_dir)
{
    struct limits lim = limits_default();
    struct emitter em = {0};
    char err[256] = "";
    ck_assert_ptr_null(extractor_open("/proc/version/x", &lim, &em, err, sizeof err));
    ck_assert(strstr(err, "/proc/version/x") != NULL);
}
END_TEST

/* more disjoint pieces than the list of bytes on disk keeps (FILE_RANGES_MAX):
 * the list joins holes it never wrote, and the pieces that later fill those
 * holes were compared with the holes (zeros) and reported as hundreds of
 * overlap conflicts, though no byte was ever sent twice. A coarse list
 * compares nothing: no conflict, ranges_coarse says the file has holes. */
START_TEST(coarse_ranges_claim_no_conflict)
{
    struct world w;
    world_init(&w, limits_default());
    const size_t blk = 16, nb = 2 * (FILE_RANGES_MAX + 1000), n = blk * nb;
    uint8_t *b = make_buf(n, 15);
    struct xfile x;
    xf_new(&w, &x, (int64_t)n);
    for (size_t pass = 0; pass < 2; pass++) /* every even block, then every odd one */
        for (size_t k = pass; k < nb; k += 2)
            file_data(x.f, FILE_READ, k * blk, b + k * blk, blk);
    xf_finish(&w, &x, 9, 1);
    ck_assert(!x.r.overlap_conflict); /* the tracker saw no overlap either */
    char rel[128];
    assert_partial(&w, &x.e, 1, rel, sizeof rel);
    ck_assert(!ev_has(&x.e, F(extract_error)));
    uint8_t *got = slurp_n(&w, rel, n);
    ck_assert(memcmp(got, b, blk) == 0); /* the first pieces were written */
    free(got);
    json_t *o = sidecar(&w, rel);
    ck_assert(json_is_true(json_object_get(o, "ranges_coarse")));
    ck_assert_uint_eq(json_array_size(json_object_get(o, "overlap_conflicts")), 0);
    ck_assert_int_eq(json_integer_value(json_object_get(o, "overlap_conflicts_omitted")), 0);
    json_decref(o);
    xf_free(&x);
    free(b);
    world_free(&w);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("extract_limits");
    TCase *t = tcase_create("core");
    tcase_add_test(t, file_cap);
    tcase_add_test(t, total_cap);
    tcase_add_test(t, write_error);
    tcase_add_test(t, descriptor_cap);
    tcase_add_test(t, unusable_dir);
    tcase_add_test(t, coarse_ranges_claim_no_conflict);
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
