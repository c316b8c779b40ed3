/* Unit tests for htab (keyed hash tables) and membudget: SipHash-2-4 against
 * the paper's vector and OpenSSL's EVP_MAC "SIPHASH" as an oracle; forced
 * collisions, resizing both ways, deletion, equal keys kept in insertion
 * order, and the budget charged for the bucket array and given back. */
#include <check.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <stdlib.h>
#include <string.h>

#include "htab.h"
#include "membudget.h"

struct item {
    struct hnode hn;
    int key, seq;
};

/* the appendix A example: key 00..0f, message 00..0e */
START_TEST(siphash_paper_vector)
{
    uint8_t kb[16], m[15];
    for (int i = 0; i < 16; i++)
        kb[i] = (uint8_t)i;
    for (int i = 0; i < 15; i++)
        m[i] = (uint8_t)i;
    struct hkey k = {0, 0};
    for (int i = 0; i < 8; i++) {
        k.k0 |= (uint64_t)kb[i] << (8 * i);
        k.k1 |= (uint64_t)kb[8 + i] << (8 * i);
    }
    ck_assert_uint_eq(siphash24(&k, m, sizeof m), 0xa129ca6149be45e5ull);
}
END_TEST

/* OpenSSL's SipHash (an independent implementation), 8-byte output, 2-4 rounds */
static uint64_t openssl_siphash(const uint8_t key[16], const uint8_t *m, size_t n)
{
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "SIPHASH", NULL);
    ck_assert_ptr_nonnull(mac);
    EVP_MAC_CTX *ctx = EVP_MAC_CTX_new(mac);
    unsigned size = 8;
    OSSL_PARAM params[] = {OSSL_PARAM_construct_uint("size", &size), OSSL_PARAM_construct_end()};
    ck_assert_int_eq(EVP_MAC_init(ctx, key, 16, params), 1);
    ck_assert_int_eq(EVP_MAC_update(ctx, m, n), 1);
    uint8_t out[8];
    size_t outl = 0;
    ck_assert_int_eq(EVP_MAC_final(ctx, out, &outl, sizeof out), 1);
    ck_assert_uint_eq(outl, 8);
    EVP_MAC_CTX_free(ctx);
    EVP_MAC_free(mac);
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v |= (uint64_t)out[i] << (8 * i);
    return v;
}

START_TEST(siphash_agrees_with_openssl_every_length)
{
    uint8_t key[16], m[64];
    uint32_t x = 12345;
    for (int round = 0; round < 4; round++) {
        for (size_t i = 0; i < sizeof key; i++)
            key[i] = (uint8_t)((x = x * 1103515245u + 12345u) >> 16);
        for (size_t i = 0; i < sizeof m; i++)
            m[i] = (uint8_t)((x = x * 1103515245u + 12345u) >> 16);
        struct hkey k = {0, 0};
        for (int i = 0; i < 8; i++) {
            k.k0 |= (uint64_t)key[i] << (8 * i);
            k.k1 |= (uint64_t)key[8 + i] << (8 * i);
        }
        for (size_t n = 0; n <= sizeof m; n++)
            ck_assert_uint_eq(siphash24(&k, m, n), openssl_siphash(key, m, n));
        uint64_t v = 0x0123456789abcdefull ^ x;
        uint8_t vb[8];
        for (int i = 0; i < 8; i++)
            vb[i] = (uint8_t)(v >> (8 * i));
        ck_assert_uint_eq(siphash24_u64(&k, v), openssl_siphash(key, vb, 8));
    }
}
END_TEST

START_TEST(random_keys_differ)
{
    struct hkey a, b;
    hkey_random(&a);
    hkey_random(&b);
    ck_assert(a.k0 != b.k0 || a.k1 != b.k1);
    /* so do the hashes of one value: a peer cannot precompute collisions */
    ck_assert_uint_ne(siphash24_u64(&a, 7), siphash24_u64(&b, 7));
}
END_TEST

static struct item *find(const struct htab *t, const struct hkey *k, int key)
{
    for (struct hnode *n = htab_first(t, siphash24_u64(k, (uint64_t)key)); n; n = htab_next(n)) {
        struct item *it = HTAB_ENTRY(n, struct item, hn);
        if (it->key == key)
            return it;
    }
    return NULL;
}

START_TEST(grow_find_delete_shrink)
{
    struct membudget mb = {0};
    struct htab t = {.mb = &mb};
    struct hkey k = {1, 2};
    enum { N = 5000 };
    struct item *it = calloc(N, sizeof *it);
    ck_assert_ptr_null(find(&t, &k, 1));   /* an empty table answers */
    struct item stray = {.key = 7};
    stray.hn.hash = siphash24_u64(&k, 7);
    htab_remove(&t, &stray.hn);            /* removing what is not there is a no-op, even when empty */
    ck_assert_uint_eq(mb.used, 0);         /* and costs nothing */
    for (int i = 0; i < N; i++) {
        it[i].key = i;
        htab_insert(&t, &it[i].hn, siphash24_u64(&k, (uint64_t)i));
        ck_assert_uint_le(t.n, t.nb);      /* at most one entry per bucket on average */
    }
    ck_assert_uint_eq(t.n, N);
    ck_assert_uint_ge(t.nb, N);
    ck_assert_uint_eq(mb.used, t.nb * sizeof(struct hnode *) + MB_OVERHEAD);
    for (int i = 0; i < N; i++)
        ck_assert_ptr_eq(find(&t, &k, i), &it[i]);
    ck_assert_ptr_null(find(&t, &k, N));
    size_t big = t.nb;
    /* delete every other one: the rest stay findable */
    for (int i = 0; i < N; i += 2)
        htab_remove(&t, &it[i].hn);
    for (int i = 0; i < N; i++)
        ck_assert_ptr_eq(find(&t, &k, i), i % 2 ? &it[i] : NULL);
    /* down to a few: the bucket array shrinks */
    for (int i = 1; i < N - 20; i += 2)
        htab_remove(&t, &it[i].hn);
    ck_assert_uint_lt(t.nb, big / 8);
    for (int i = N - 19; i < N; i += 2)
        ck_assert_ptr_eq(find(&t, &k, i), &it[i]);
    ck_assert_uint_eq(mb.used, t.nb * sizeof(struct hnode *) + MB_OVERHEAD);
    for (int i = N - 19; i < N; i += 2)
        htab_remove(&t, &it[i].hn);
    ck_assert_uint_eq(t.n, 0);
    ck_assert_uint_eq(t.nb, 0);            /* emptied: nothing left allocated */
    ck_assert_uint_eq(mb.used, 0);
    htab_free(&t);
    free(it);
}
END_TEST

/* every node with one hash value (what a peer would aim for without the
 * key): still all found, equal keys in insertion order, across resizes */
START_TEST(collisions_and_insertion_order)
{
    struct htab t = {0};
    enum { N = 300 };
    struct item it[N];
    memset(it, 0, sizeof it);
    for (int i = 0; i < N; i++) {
        it[i].key = i % 3;                 /* three keys, a hundred entries each */
        it[i].seq = i;
        htab_insert(&t, &it[i].hn, 42);
    }
    ck_assert_uint_ge(t.nb, N);            /* it grew while they all shared a chain */
    int last[3] = {-1, -1, -1}, seen = 0;
    for (struct hnode *n = htab_first(&t, 42); n; n = htab_next(n)) {
        struct item *x = HTAB_ENTRY(n, struct item, hn);
        ck_assert_int_gt(x->seq, last[x->key]);   /* oldest first within each key */
        last[x->key] = x->seq;
        seen++;
    }
    ck_assert_int_eq(seen, N);
    /* other hashes in the same bucket are skipped by htab_next */
    struct item other = {.key = 9};
    htab_insert(&t, &other.hn, 42 + t.nb);
    seen = 0;
    for (struct hnode *n = htab_first(&t, 42); n; n = htab_next(n))
        seen++;
    ck_assert_int_eq(seen, N);
    ck_assert_ptr_eq(htab_first(&t, 42 + t.nb), &other.hn);
    /* removing the oldest of a key makes the next one the first found */
    htab_remove(&t, &it[0].hn);
    ck_assert_ptr_eq(htab_first(&t, 42), &it[1].hn);
    /* shrinking keeps the order too */
    for (int i = 1; i < N - 6; i++)
        htab_remove(&t, &it[i].hn);
    int order[8], k = 0;
    for (struct hnode *n = htab_first(&t, 42); n; n = htab_next(n))
        order[k++] = HTAB_ENTRY(n, struct item, hn)->seq;
    ck_assert_int_eq(k, 6);
    for (int i = 0; i < 6; i++)
        ck_assert_int_eq(order[i], N - 6 + i);
    htab_free(&t);
}
END_TEST

START_TEST(budget_charges_and_credits)
{
    struct membudget mb = {.limit = 1000};
    void *p = mb_calloc(&mb, 500);
    ck_assert_uint_eq(mb.used, 500 + MB_OVERHEAD);
    ck_assert(!mb_over(&mb));
    char *s = mb_strdup(&mb, "0123456789");
    ck_assert_uint_eq(mb.used, 500 + 11 + 2 * MB_OVERHEAD);
    void *q = mb_calloc(&mb, 500);
    ck_assert(mb_over(&mb));
    ck_assert_uint_eq(mb.peak, 1000 + 11 + 3 * MB_OVERHEAD);
    mb_free(&mb, q, 500);
    mb_strfree(&mb, s);
    mb_free(&mb, p, 500);
    ck_assert_uint_eq(mb.used, 0);
    ck_assert(!mb_over(NULL));             /* no budget: nothing is ever over */
    mb_charge(NULL, 5);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("htab");
    TCase *tc = tcase_create("htab");
    tcase_add_test(tc, siphash_paper_vector);
    tcase_add_test(tc, siphash_agrees_with_openssl_every_length);
    tcase_add_test(tc, random_keys_differ);
    tcase_add_test(tc, grow_find_delete_shrink);
    tcase_add_test(tc, collisions_and_insertion_order);
    tcase_add_test(tc, budget_charges_and_credits);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
