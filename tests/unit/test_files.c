/* Unit tests for the file tracker: coverage, streaming SHA-256, overlap
 * checks and memory bounds. Spec: the semantics block in src/files/files.h. */
#include <check.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fhold.h"
#include "files.h"

#define SHA256_EMPTY "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

/* xorshift64: deterministic test data without global state */
static uint64_t next_rand(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    *s = x;
    return x;
}

static uint8_t *make_buf(size_t n, uint64_t seed)
{
    uint8_t *b = malloc(n ? n : 1);
    ck_assert_ptr_nonnull(b);
    for (size_t i = 0; i < n; i++)
        b[i] = (uint8_t)(next_rand(&seed) >> 24);
    return b;
}

static void sha256_hex(const uint8_t *p, size_t n, char out[65])
{
    uint8_t d[EVP_MAX_MD_SIZE];
    unsigned dl = 0;
    ck_assert_int_eq(EVP_Digest(p, n, d, &dl, EVP_sha256(), NULL), 1);
    ck_assert_uint_eq(dl, 32);
    for (unsigned i = 0; i < dl; i++) {
        static const char X[] = "0123456789abcdef";
        out[2 * i] = X[d[i] >> 4];
        out[2 * i + 1] = X[d[i] & 15];
    }
    out[64] = '\0';
}

static void assert_hash_of(const struct file_result *r, const uint8_t *p, size_t n)
{
    char want[65];
    sha256_hex(p, n, want);
    ck_assert_msg(r->has_sha256, "no hash: %s", r->no_hash_reason ? r->no_hash_reason : "(null)");
    ck_assert_str_eq(r->sha256, want);
    ck_assert_ptr_null(r->no_hash_reason);
}

static void assert_one_range(uint64_t (*v)[2], size_t n, uint64_t a, uint64_t b)
{
    ck_assert_uint_eq(n, 1);
    ck_assert_uint_eq(v[0][0], a);
    ck_assert_uint_eq(v[0][1], b);
}

static void read_at(struct file_track *f, const uint8_t *buf, uint64_t off, size_t n)
{
    file_data(f, FILE_READ, off, buf + off, n);
}

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
    Suite *s = suite_create("files");
    TCase *tc = tcase_create("files");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, sequential_read_hashes_and_holds_nothing);
    tcase_add_test(tc, reversed_chunks_are_held_then_hashed);
    tcase_add_test(tc, random_permutation_of_1000_chunks);
    tcase_add_test(tc, capture_gap_excluded_and_no_hash);
    tcase_add_test(tc, partial_read_is_incomplete);
    tcase_add_test(tc, same_bytes_overlap_keeps_hash);
    tcase_add_test(tc, different_bytes_overlap_is_a_conflict);
    tcase_add_test(tc, exact_chunk_reread_beyond_verify_window);
    tcase_add_test(tc, declared_chunks_in_pieces);
    tcase_add_test(tc, whole_file_read_twice_keeps_hash);
    tcase_add_test(tc, hold_limit_gives_up_the_hash_only);
    tcase_add_test(tc, written_file);
    tcase_add_test(tc, zero_length_files);
    tcase_add_test(tc, hold_covers_ranges_starting_at_a_segment);
    tcase_add_test(tc, range_lists_are_capped);
    tcase_add_test(tc, long_sequential_stream_holds_nothing);
    tcase_add_test(tc, verify_total_is_shared_by_all_files);
    tcase_add_test(tc, freed_files_give_verify_room_back);
    tcase_add_test(tc, no_verify_room_still_hashes);
    tcase_add_test(tc, offsets_past_any_file_are_dropped);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
