/* Unit tests for zread's direct reader (zread_read_direct, what pcapview
 * reads through): after a peek and some reads through the FILE (libpcap
 * reading the file header), the direct reads continue exactly where the FILE
 * stopped, however the reads are cut, for a plain file and a gzip one; a gzip
 * stream cut short ends in an error after every byte before the cut. */
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "zread.h"

#define N (3u << 20)

static uint8_t *content(void)
{
    uint8_t *p = malloc(N);
    ck_assert_ptr_nonnull(p);
    uint32_t x = 12345;
    for (size_t i = 0; i < N; i++) {
        x = x * 1103515245u + 12345u;
        p[i] = (uint8_t)(i % 7 ? x >> 16 : i); /* compressible enough, not trivial */
    }
    return p;
}

static void write_file(const char *path, const uint8_t *p, size_t n, bool gz, size_t cut)
{
    if (!gz) {
        FILE *f = fopen(path, "wb");
        ck_assert_uint_eq(fwrite(p, 1, n, f), n);
        fclose(f);
        return;
    }
    gzFile g = gzopen(path, "wb6");
    ck_assert_ptr_nonnull(g);
    ck_assert_int_eq(gzwrite(g, p, (unsigned)n), (int)n);
    gzclose(g);
    if (cut) {
        FILE *f = fopen(path, "rb");
        fseek(f, 0, SEEK_END);
        long len = ftell(f);
        fclose(f);
        ck_assert(truncate(path, len - (long)cut) == 0);
    }
}

/* peek, FILE reads, then direct reads: returns the last direct result */
static ssize_t read_mixed(const char *path, uint8_t *out, size_t *got, char *zerr, size_t zerrlen)
{
    char err[256];
    struct zread *z = zread_open(path, err, sizeof err);
    ck_assert_ptr_nonnull(z);
    uint8_t m[4];
    ck_assert_uint_eq(zread_peek(z, m, 4), 4);
    FILE *f = zread_file(z);
    *got = fread(out, 1, 24, f); /* like libpcap's file header */
    ck_assert_uint_eq(*got, 24);
    ck_assert_uint_eq(fread(out + 24, 1, 1000, f), 1000);
    *got += 1000;
    ssize_t r;
    unsigned i = 0;
    for (;;) {
        int e = 0;
        size_t want = 1 + (++i * 40503u) % 300000u;
        if (want > N + 1 - *got)
            want = N + 1 - *got;
        r = zread_read_direct(z, out + *got, want, &e);
        if (r <= 0) {
            if (r < 0)
                ck_assert_int_ne(e, 0);
            break;
        }
        *got += (size_t)r;
    }
    snprintf(zerr, zerrlen, "%s", zread_error(z));
    zread_free(z);
    return r;
}

START_TEST(direct_reads_continue_where_stdio_stopped)
{
    uint8_t *p = content(), *out = malloc(N + 1);
    for (int gz = 0; gz < 2; gz++) {
        char path[] = "/tmp/smbscope-zread-XXXXXX";
        int fd = mkstemp(path);
        close(fd);
        write_file(path, p, N, gz, 0);
        size_t got;
        char zerr[256];
        ck_assert_int_eq(read_mixed(path, out, &got, zerr, sizeof zerr), 0);
        ck_assert_uint_eq(got, N);
        ck_assert(memcmp(out, p, N) == 0);
        ck_assert_str_eq(zerr, "");
        unlink(path);
    }
    free(p);
    free(out);
}
END_TEST

START_TEST(cut_gzip_is_an_error_after_the_bytes_before_it)
{
    uint8_t *p = content(), *out = malloc(N + 1);
    char path[] = "/tmp/smbscope-zread-XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    write_file(path, p, N, true, 5000);
    size_t got;
    char zerr[256];
    ck_assert_int_eq(read_mixed(path, out, &got, zerr, sizeof zerr), -1);
    ck_assert_uint_lt(got, N);
    ck_assert_uint_gt(got, N / 2);
    ck_assert(memcmp(out, p, got) == 0);
    ck_assert_ptr_nonnull(strstr(zerr, "truncated"));
    unlink(path);
    free(p);
    free(out);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("zread");
    TCase *tc = tcase_create("zread");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, direct_reads_continue_where_stdio_stopped);
    tcase_add_test(tc, cut_gzip_is_an_error_after_the_bytes_before_it);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
