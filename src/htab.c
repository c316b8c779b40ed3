/* htab: keyed, resizable, intrusive chained hash table; SipHash-2-4.
 * Spec: J.-P. Aumasson, D. J. Bernstein, "SipHash: a fast short-input PRF"
 * (2012), section 2 (the algorithm) and appendix A (the test vector). */
#include "htab.h"

#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

/* ---- SipHash-2-4 ---- */

static inline uint64_t rotl(uint64_t x, unsigned b) { return (x << b) | (x >> (64 - b)); }

#define SIPROUND()                                                                                 \
    do {                                                                                           \
        v0 += v1; v1 = rotl(v1, 13); v1 ^= v0; v0 = rotl(v0, 32);                                  \
        v2 += v3; v3 = rotl(v3, 16); v3 ^= v2;                                                     \
        v0 += v3; v3 = rotl(v3, 21); v3 ^= v0;                                                     \
        v2 += v1; v1 = rotl(v1, 17); v1 ^= v2; v2 = rotl(v2, 32);                                  \
    } while (0)

static uint64_t le64(const uint8_t *p, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

uint64_t siphash24(const struct hkey *k, const void *data, size_t n)
{
    const uint8_t *p = data;
    uint64_t v0 = k->k0 ^ 0x736f6d6570736575ull, v1 = k->k1 ^ 0x646f72616e646f6dull;
    uint64_t v2 = k->k0 ^ 0x6c7967656e657261ull, v3 = k->k1 ^ 0x7465646279746573ull;
    size_t whole = n & ~(size_t)7;
    for (size_t i = 0; i < whole; i += 8) {
        uint64_t m = le64(p + i, 8);
        v3 ^= m;
        SIPROUND();
        SIPROUND();
        v0 ^= m;
    }
    /* the last word: the remaining bytes and the length's low byte on top */
    uint64_t m = le64(p + whole, n - whole) | ((uint64_t)(n & 0xff) << 56);
    v3 ^= m;
    SIPROUND();
    SIPROUND();
    v0 ^= m;
    v2 ^= 0xff;
    SIPROUND();
    SIPROUND();
    SIPROUND();
    SIPROUND();
    return v0 ^ v1 ^ v2 ^ v3;
}

uint64_t siphash24_u64(const struct hkey *k, uint64_t v)
{
    uint8_t b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)(v >> (8 * i));
    return siphash24(k, b, sizeof b);
}

void random_bytes(void *p, size_t n)
{
    uint8_t *b = p;
    size_t got = 0;
    while (got < n) {
        ssize_t r = getrandom(b + got, n - got, 0);
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    if (got < n) {
        /* no getrandom (very old kernel, seccomp): still differs per run,
         * which is what keeps a recorded attack from being replayed */
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        uint64_t x = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 30) ^ ((uint64_t)getpid() << 17) ^
                     (uint64_t)(uintptr_t)p;
        for (size_t i = got; i < n; i++) {
            x = x * 6364136223846793005u + 1442695040888963407u; /* an LCG step: spreads the seed */
            b[i] = (uint8_t)(x >> 56);
        }
    }
}

void hkey_random(struct hkey *k)
{
    uint8_t b[16];
    random_bytes(b, sizeof b);
    k->k0 = le64(b, 8);
    k->k1 = le64(b + 8, 8);
}

/* ---- the table ---- */

static size_t slot(size_t nb, uint64_t hash) { return (size_t)(hash & (nb - 1)); }

/* move every node to a table of nb buckets, keeping each chain's order (equal
 * keys share a chain, so their insertion order survives) */
static void rehash(struct htab *t, size_t nb)
{
    if (nb > SIZE_MAX / sizeof(struct hnode *))
        return;
    struct hnode **b = calloc(nb, sizeof *b);
    if (!b)
        return; /* out of memory: keep the old size, only slower */
    mb_charge(t->mb, nb * sizeof *b + MB_OVERHEAD);
    /* prepend everything, then reverse each chain: the old order comes back */
    for (size_t i = 0; i < t->nb; i++) {
        struct hnode *x = t->b[i];
        while (x) {
            struct hnode *nx = x->next;
            size_t j = slot(nb, x->hash);
            x->next = b[j];
            b[j] = x;
            x = nx;
        }
    }
    for (size_t j = 0; j < nb; j++) {
        struct hnode *rev = NULL, *x = b[j];
        while (x) {
            struct hnode *nx = x->next;
            x->next = rev;
            rev = x;
            x = nx;
        }
        b[j] = rev;
    }
    if (t->b)
        mb_credit(t->mb, t->nb * sizeof *t->b + MB_OVERHEAD);
    free(t->b);
    t->b = b;
    t->nb = nb;
}

void htab_insert(struct htab *t, struct hnode *node, uint64_t hash)
{
    if (t->nb == 0)
        rehash(t, HTAB_MIN_BUCKETS);
    else if (t->n >= t->nb && t->nb <= SIZE_MAX / 4)
        rehash(t, t->nb * 2);
    if (!t->b)
        abort(); /* no first bucket array: out of memory */
    node->hash = hash;
    node->next = NULL;
    struct hnode **pp = &t->b[slot(t->nb, hash)];
    while (*pp)
        pp = &(*pp)->next;
    *pp = node;
    t->n++;
}

struct hnode *htab_first(const struct htab *t, uint64_t hash)
{
    if (!t->nb)
        return NULL;
    for (struct hnode *x = t->b[slot(t->nb, hash)]; x; x = x->next)
        if (x->hash == hash)
            return x;
    return NULL;
}

struct hnode *htab_next(const struct hnode *node)
{
    for (struct hnode *x = node->next; x; x = x->next)
        if (x->hash == node->hash)
            return x;
    return NULL;
}

void htab_remove(struct htab *t, struct hnode *node)
{
    if (!t->b)
        return; /* an empty table (it frees its buckets when emptied): nothing to undo */
    struct hnode **pp = &t->b[slot(t->nb, node->hash)];
    while (*pp && *pp != node)
        pp = &(*pp)->next;
    if (!*pp)
        return; /* not in the table: nothing to undo */
    *pp = node->next;
    node->next = NULL;
    t->n--;
    if (t->n == 0) {
        htab_free(t); /* an emptied table costs nothing again */
        return;
    }
    if (t->nb > HTAB_MIN_BUCKETS && t->n < t->nb / 8)
        rehash(t, t->nb / 2);
}

void htab_free(struct htab *t)
{
    if (t->b)
        mb_credit(t->mb, t->nb * sizeof *t->b + MB_OVERHEAD);
    free(t->b);
    t->b = NULL;
    t->nb = 0;
    t->n = 0;
}
