/* Unit tests for pcapview (classic pcap records as views): every file here is
 * read twice, by libpcap's pcap_next_ex and through capture_read_views, and
 * the two must give the same frames (time, lengths, bytes) and the same end:
 * a clean end, or the same error message after the same number of records.
 * Files are written byte by byte: both byte orders, micro- and nanosecond
 * magics, versions 2.2/2.3/2.4 (whose length fields libpcap reads
 * differently), captured length over the wire length, over the snapshot,
 * over 262144, negative and past-2038 times, and the file cut at every byte
 * of its last record. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture.h"
#include "capture_digest.h"

struct fb {
    uint8_t *p;
    size_t n, cap;
    bool be;
};

static void put(struct fb *b, const void *s, size_t n)
{
    if (b->n + n > b->cap) {
        b->cap = (b->n + n) * 2;
        b->p = realloc(b->p, b->cap);
        ck_assert_ptr_nonnull(b->p);
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
}

static void put32(struct fb *b, uint32_t v)
{
    uint8_t x[4];
    for (int i = 0; i < 4; i++)
        x[i] = (uint8_t)(b->be ? v >> (24 - 8 * i) : v >> (8 * i));
    put(b, x, 4);
}

static void put16(struct fb *b, uint16_t v)
{
    uint8_t x[2] = {(uint8_t)(b->be ? v >> 8 : v), (uint8_t)(b->be ? v : v >> 8)};
    put(b, x, 2);
}

static void file_header(struct fb *b, bool nsec, uint16_t minor, uint32_t snaplen)
{
    put32(b, nsec ? 0xa1b23c4d : 0xa1b2c3d4);
    put16(b, 2);
    put16(b, minor);
    put32(b, 0);
    put32(b, 0);
    put32(b, snaplen);
    put32(b, 1); /* Ethernet */
}

static void record(struct fb *b, uint32_t sec, uint32_t frac, uint32_t incl, uint32_t orig, uint8_t fill)
{
    put32(b, sec);
    put32(b, frac);
    put32(b, incl);
    put32(b, orig);
    for (uint32_t i = 0; i < incl; i++) {
        uint8_t c = (uint8_t)(fill + i);
        put(b, &c, 1);
    }
}

/* capture_digest of the file, read by libpcap alone or through the views */
static void read_all(const char *path, bool views, struct capture_digest *out)
{
    char err[CAPTURE_ERR_MAX];
    struct capture *c = capture_open_offline(path, err, sizeof err);
    if (!c) {
        memset(out, 0, sizeof *out);
        out->end = CAPTURE_ERROR;
        snprintf(out->err, sizeof out->err, "%s", err);
        return;
    }
    if (views) {
        FILE *f = fopen(path, "rb");
        uint8_t m[4] = {0};
        ck_assert_uint_eq(fread(m, 1, 4, f), 4);
        fclose(f);
        ck_assert(capture_read_views(c, m, NULL, NULL));
    }
    capture_digest(c, out);
    capture_close(c);
}

static void same_as_libpcap(const struct fb *b, size_t len)
{
    char path[] = "/tmp/smbscope-pcapview-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, b->p, len), (ssize_t)len);
    close(fd);
    struct capture_digest a, v;
    read_all(path, false, &a);
    read_all(path, true, &v);
    unlink(path);
    ck_assert_msg(capture_digest_eq(&a, &v),
                  "cut at %zu: libpcap %zu frames end %d \"%s\", views %zu frames end %d \"%s\"", len, a.frames,
                  a.end, a.err, v.frames, v.end, v.err);
}

/* a file of records exercising the length and time rules, then the same
 * file cut at every byte of its last record */
static void check_variant(bool be, bool nsec, uint16_t minor, uint32_t snaplen)
{
    struct fb b = {.be = be};
    file_header(&b, nsec, minor, snaplen);
    record(&b, 1700000000, nsec ? 123456789 : 123456, 60, 60, 1);
    record(&b, 1700000001, 999999, 100, 1514, 2);        /* cut by the snap length */
    record(&b, 1700000002, 5, 1514, 60, 3);              /* captured > wire: 2.3 swaps them */
    record(&b, 0xffffffffu, 0x80000000u, 20, 20, 4);     /* negative as int32: libpcap's sign rules */
    record(&b, 0x80000000u, 1000, 40, 40, 5);            /* past 2038 */
    record(&b, 1700000003, 1, snaplen + 10, 2000, 6);    /* over the snapshot: cut to it */
    size_t before_last = b.n;
    record(&b, 1700000004, 2, 90, 90, 7);
    same_as_libpcap(&b, b.n);
    for (size_t cut = before_last; cut < b.n; cut++)
        same_as_libpcap(&b, cut);
    /* and cut inside a record longer than the snapshot: before and after the
     * snapshot's worth of it (libpcap names a different length for each) */
    b.n = before_last;
    record(&b, 1700000005, 3, snaplen + 300, 9000, 8);
    for (size_t cut = before_last; cut < b.n; cut += cut < before_last + 40 ? 1 : 97)
        same_as_libpcap(&b, cut);
    same_as_libpcap(&b, before_last + 16 + snaplen - 1);
    same_as_libpcap(&b, before_last + 16 + snaplen);
    same_as_libpcap(&b, before_last + 16 + snaplen + 1);
    free(b.p);
}

START_TEST(records_match_libpcap)
{
    for (int be = 0; be < 2; be++)
        for (int nsec = 0; nsec < 2; nsec++)
            for (uint16_t minor = 2; minor <= 4; minor++)
                check_variant(be, nsec, minor, minor == 4 ? 1500 : 65535);
}
END_TEST

/* lengths libpcap refuses, named the way it names them */
START_TEST(insane_lengths_match_libpcap)
{
    const uint32_t caplens[] = {262144, 262145, 70000, 0x7fffffff, 0xffffffff};
    for (size_t i = 0; i < sizeof caplens / sizeof caplens[0]; i++) {
        for (uint32_t snap = 65535; snap <= 300000; snap += 234465) {
            struct fb b = {.be = false};
            file_header(&b, false, 4, snap);
            record(&b, 1700000000, 1, 30, 30, 1);
            put32(&b, 1700000001);
            put32(&b, 2);
            put32(&b, caplens[i]);
            put32(&b, caplens[i]);
            uint8_t z[4096] = {0};
            for (uint32_t k = 0; k < 70; k++)
                put(&b, z, sizeof z); /* 280 KiB of data: enough for any length that is not refused */
            same_as_libpcap(&b, b.n);
            free(b.p);
        }
    }
}
END_TEST

/* more records than the buffer holds, of every size up to the largest, so
 * records straddle every refill */
START_TEST(many_records_across_refills)
{
    struct fb b = {.be = true};
    file_header(&b, true, 4, 262144);
    uint32_t len = 1;
    for (int i = 0; i < 3000; i++) {
        len = (len * 1103515245u + 12345u) % 262145u;
        record(&b, 1700000000 + (uint32_t)i, (uint32_t)i * 7919u, i % 50 ? len % 3000 : len, len, (uint8_t)i);
    }
    same_as_libpcap(&b, b.n);
    free(b.p);
}
END_TEST

/* not taken: a filter on the handle, a file already being read, an unknown magic */
START_TEST(refused_when_libpcap_must_read)
{
    struct fb b = {.be = false};
    file_header(&b, false, 4, 65535);
    record(&b, 1700000000, 1, 30, 30, 1);
    record(&b, 1700000001, 1, 30, 30, 1);
    char path[] = "/tmp/smbscope-pcapview-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_eq(write(fd, b.p, b.n), (ssize_t)b.n);
    close(fd);
    char err[CAPTURE_ERR_MAX];
    const uint8_t magic[4] = {0xd4, 0xc3, 0xb2, 0xa1}, other[4] = {0x0a, 0x0d, 0x0d, 0x0a};
    struct capture *c = capture_open_offline(path, err, sizeof err);
    ck_assert(!capture_read_views(c, other, NULL, NULL));
    ck_assert(capture_set_filter(c, "tcp"));
    ck_assert(!capture_read_views(c, magic, NULL, NULL));
    capture_close(c);
    c = capture_open_offline(path, err, sizeof err);
    struct capture_frame fr;
    ck_assert_int_eq(capture_next(c, &fr), CAPTURE_FRAME);
    ck_assert(!capture_read_views(c, magic, NULL, NULL));
    ck_assert_int_eq(capture_next(c, &fr), CAPTURE_FRAME);
    ck_assert_int_eq(capture_next(c, &fr), CAPTURE_END);
    capture_close(c);
    unlink(path);
    free(b.p);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("pcapview");
    TCase *tc = tcase_create("pcapview");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, records_match_libpcap);
    tcase_add_test(tc, insane_lengths_match_libpcap);
    tcase_add_test(tc, many_records_across_refills);
    tcase_add_test(tc, refused_when_libpcap_must_read);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
