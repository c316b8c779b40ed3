/* Unit tests for fdigest (a file's SHA-256, inline or through a hashing
 * thread, finishable on another thread): the same hex as OpenSSL's one-shot
 * SHA-256 inline, queued, queued and finished by another thread after
 * fdigest_handover, switched inline before the first byte (and not after);
 * a second final has nothing; freed unfinished while queued; and waiting
 * from another thread for a position never handed over is refused (abort)
 * rather than a hang. Spec: src/files/fdigest.h, src/files/hashq.h. */
#include <check.h>
#include <openssl/sha.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "fdigest.h"
#include "hashq.h"
#include "str.h"

static uint8_t *make(size_t n, unsigned seed)
{
    uint8_t *p = malloc(n ? n : 1);
    ck_assert_ptr_nonnull(p);
    uint32_t x = seed * 2654435761u + 1;
    for (size_t i = 0; i < n; i++) {
        x = x * 1103515245u + 12345u;
        p[i] = (uint8_t)(x >> 16);
    }
    return p;
}

static void want_hex(const uint8_t *p, size_t n, char hex[65])
{
    uint8_t d[32];
    SHA256(p, n, d);
    str_hex(d, 32, hex);
}

/* feed in uneven pieces */
static void feed(struct fdigest *d, const uint8_t *p, size_t n)
{
    size_t step = 1;
    for (size_t off = 0; off < n; off += step, step = step * 3 + 1) {
        size_t k = n - off < step ? n - off : step;
        ck_assert(fdigest_update(d, p + off, k));
    }
}

struct other {
    struct fdigest *d;
    char hex[65];
    bool ok;
};

static void *finish_elsewhere(void *arg)
{
    struct other *o = arg;
    o->ok = fdigest_final(o->d, o->hex, false);
    fdigest_free(o->d, false);
    return NULL;
}

START_TEST(same_digest_every_way)
{
    struct hashq *q = hashq_new();
    ck_assert_ptr_nonnull(q);
    /* a handle fetched once, as the analyzer passes it; NULL: OpenSSL's built-in one */
    EVP_MD *sha = EVP_MD_fetch(NULL, "SHA2-256", NULL);
    ck_assert_ptr_nonnull(sha);
    const size_t sizes[] = {0, 1, 55, 64, 100000, (9u << 20) + 3};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        size_t n = sizes[i];
        uint8_t *p = make(n, (unsigned)i);
        char want[65], got[65];
        want_hex(p, n, want);

        /* inline */
        struct fdigest *d = fdigest_new(NULL, NULL);
        ck_assert_ptr_nonnull(d);
        feed(d, p, n);
        ck_assert(fdigest_final(d, got, true));
        ck_assert_str_eq(got, want);
        ck_assert(!fdigest_final(d, got, true)); /* finished: nothing more to give */
        fdigest_free(d, true);
        d = fdigest_new(NULL, sha);
        feed(d, p, n);
        ck_assert(fdigest_final(d, got, true));
        ck_assert_str_eq(got, want);
        fdigest_free(d, true);

        /* queued, finished by the producer */
        d = fdigest_new(q, sha);
        feed(d, p, n);
        ck_assert(fdigest_final(d, got, true));
        ck_assert_str_eq(got, want);
        fdigest_free(d, true);

        /* queued, handed over, finished and freed by another thread */
        struct other o = {.d = fdigest_new(q, sha)};
        feed(o.d, p, n);
        fdigest_handover(o.d);
        pthread_t t;
        ck_assert_int_eq(pthread_create(&t, NULL, finish_elsewhere, &o), 0);
        ck_assert_int_eq(pthread_join(t, NULL), 0);
        ck_assert(o.ok);
        ck_assert_str_eq(o.hex, want);

        /* made inline before its first byte */
        d = fdigest_new(q, NULL);
        fdigest_inline(d);
        feed(d, p, n);
        ck_assert(fdigest_final(d, got, true));
        ck_assert_str_eq(got, want);
        fdigest_free(d, true);

        /* fdigest_inline after bytes were queued changes nothing */
        if (n > 1) {
            d = fdigest_new(q, sha);
            ck_assert(fdigest_update(d, p, 1));
            fdigest_inline(d);
            ck_assert(fdigest_update(d, p + 1, n - 1));
            ck_assert(fdigest_final(d, got, true));
            ck_assert_str_eq(got, want);
            fdigest_free(d, true);
        }

        /* freed unfinished while the thread may still be hashing it */
        d = fdigest_new(q, NULL);
        feed(d, p, n);
        fdigest_free(d, true);
        free(p);
    }
    fdigest_free(NULL, true);
    hashq_free(q);
    EVP_MD_free(sha);
}
END_TEST

/* hashq_wait_published from another thread: fine once published, refused
 * (abort) for a position the producer never handed over */
static struct hashq *unpub_q;
static uint64_t unpub_pos;

START_TEST(wait_published_after_publish)
{
    struct hashq *q = hashq_new();
    uint8_t *p = make(3u << 20, 9);
    struct fdigest *d = fdigest_new(q, NULL);
    feed(d, p, 3u << 20);
    fdigest_handover(d);
    fdigest_handover(d); /* twice: harmless */
    struct other o = {.d = d};
    pthread_t t;
    ck_assert_int_eq(pthread_create(&t, NULL, finish_elsewhere, &o), 0);
    ck_assert_int_eq(pthread_join(t, NULL), 0);
    char want[65];
    want_hex(p, 3u << 20, want);
    ck_assert(o.ok);
    ck_assert_str_eq(o.hex, want);
    free(p);
    hashq_free(q);
}
END_TEST

static void *wait_unpublished(void *arg)
{
    (void)arg;
    hashq_wait_published(unpub_q, unpub_pos);
    return NULL;
}

START_TEST(wait_unpublished_aborts)
{
    unpub_q = hashq_new();
    uint8_t b[100] = {0};
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    EVP_DigestInit_ex(md, EVP_sha256(), NULL);
    bool failed = false;
    /* a small update stays with the producer until a hand-over */
    unpub_pos = hashq_update(unpub_q, md, &failed, b, sizeof b);
    pthread_t t;
    pthread_create(&t, NULL, wait_unpublished, NULL);
    pthread_join(t, NULL);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("fdigest");
    TCase *tc = tcase_create("fdigest");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, same_digest_every_way);
    tcase_add_test(tc, wait_published_after_publish);
    tcase_add_test_raise_signal(tc, wait_unpublished_aborts, SIGABRT);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
