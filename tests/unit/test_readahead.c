/* Unit tests for readahead (an input's bytes produced on a thread of their
 * own): the consumer gets exactly the producer's bytes in order however
 * either side cuts them, then 0 at the end; an error comes after every byte
 * before it, with the producer's message; freeing mid-stream stops the
 * thread. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "readahead.h"

struct src {
    const uint8_t *p;
    size_t len, pos;
    size_t fail_at;        /* -1 here, or SIZE_MAX for none */
    unsigned calls;
    char err[64];
};

/* short reads of varying sizes, like a pipe or a decoder */
static ssize_t src_fill(void *u, uint8_t *buf, size_t n)
{
    struct src *s = u;
    s->calls++;
    if (s->pos >= s->fail_at) {
        snprintf(s->err, sizeof s->err, "boom at %zu", s->pos);
        return -1;
    }
    size_t k = 1 + (s->calls * 40503u) % 100000u;
    if (k > n)
        k = n;
    if (k > s->len - s->pos)
        k = s->len - s->pos;
    if (s->fail_at != SIZE_MAX && k > s->fail_at - s->pos)
        k = s->fail_at - s->pos;
    memcpy(buf, s->p + s->pos, k);
    s->pos += k;
    return (ssize_t)k;
}

static const char *src_err(void *u) { return ((struct src *)u)->err; }

static uint8_t *pattern(size_t n)
{
    uint8_t *p = malloc(n ? n : 1);
    ck_assert_ptr_nonnull(p);
    uint32_t x = 2463534242u;
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        p[i] = (uint8_t)x;
    }
    return p;
}

/* read everything with reads of varying size; returns the last result */
static ssize_t drain(struct readahead *ra, uint8_t *out, size_t cap, size_t *got)
{
    ssize_t r;
    unsigned i = 0;
    *got = 0;
    for (;;) {
        size_t want = 1 + (++i * 7919u) % 70000u;
        if (want > cap - *got)
            want = cap - *got + 1; /* ask past the end too */
        uint8_t tmp[70001];
        r = readahead_read(ra, tmp, want);
        if (r <= 0)
            return r;
        ck_assert_uint_le(*got + (size_t)r, cap);
        memcpy(out + *got, tmp, (size_t)r);
        *got += (size_t)r;
    }
}

START_TEST(same_bytes_then_end)
{
    /* sizes around the block size, and many blocks (the ring wraps) */
    const size_t sizes[] = {0, 1, READAHEAD_BYTES - 1, READAHEAD_BYTES, READAHEAD_BYTES + 1,
                            READAHEAD_BLOCKS * READAHEAD_BYTES, 13 * READAHEAD_BYTES + 4321};
    for (size_t t = 0; t < sizeof sizes / sizeof sizes[0]; t++) {
        size_t n = sizes[t];
        uint8_t *p = pattern(n), *out = malloc(n + 1);
        struct src s = {.p = p, .len = n, .fail_at = SIZE_MAX};
        struct readahead *ra = readahead_new(src_fill, src_err, &s);
        ck_assert_ptr_nonnull(ra);
        size_t got;
        ck_assert_int_eq(drain(ra, out, n, &got), 0);
        ck_assert_uint_eq(got, n);
        ck_assert(n == 0 || memcmp(out, p, n) == 0);
        ck_assert_str_eq(readahead_error(ra), "");
        uint8_t b;
        ck_assert_int_eq(readahead_read(ra, &b, 1), 0); /* the end stays the end */
        readahead_free(ra);
        free(p);
        free(out);
    }
}
END_TEST

START_TEST(error_after_the_bytes_before_it)
{
    const size_t fails[] = {0, 1, READAHEAD_BYTES, 5 * READAHEAD_BYTES + 17};
    for (size_t t = 0; t < sizeof fails / sizeof fails[0]; t++) {
        size_t n = 8 * READAHEAD_BYTES, at = fails[t];
        uint8_t *p = pattern(n), *out = malloc(n + 1);
        struct src s = {.p = p, .len = n, .fail_at = at};
        struct readahead *ra = readahead_new(src_fill, src_err, &s);
        ck_assert_ptr_nonnull(ra);
        size_t got;
        ck_assert_int_eq(drain(ra, out, n, &got), -1);
        ck_assert_uint_eq(got, at);
        ck_assert(at == 0 || memcmp(out, p, at) == 0);
        char want[64];
        snprintf(want, sizeof want, "boom at %zu", at);
        ck_assert_str_eq(readahead_error(ra), want);
        readahead_free(ra);
        free(p);
        free(out);
    }
}
END_TEST

/* the producer stays at most READAHEAD_BLOCKS blocks ahead, and freeing with
 * most of the stream unread returns (the thread stops at its next block) */
START_TEST(bounded_and_free_mid_stream)
{
    size_t n = 64 * READAHEAD_BYTES;
    uint8_t *p = pattern(n);
    struct src s = {.p = p, .len = n, .fail_at = SIZE_MAX};
    struct readahead *ra = readahead_new(src_fill, src_err, &s);
    ck_assert_ptr_nonnull(ra);
    uint8_t b[10];
    ck_assert_int_eq(readahead_read(ra, b, sizeof b), (ssize_t)sizeof b);
    ck_assert_mem_eq(b, p, sizeof b);
    readahead_free(ra); /* joins: s is no longer touched after this */
    ck_assert_uint_le(s.pos, (READAHEAD_BLOCKS + 1) * (size_t)READAHEAD_BYTES);
    ck_assert_uint_lt(s.pos, n);
    free(p);
    readahead_free(NULL);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("readahead");
    TCase *tc = tcase_create("readahead");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, same_bytes_then_end);
    tcase_add_test(tc, error_after_the_bytes_before_it);
    tcase_add_test(tc, bounded_and_free_mid_stream);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
