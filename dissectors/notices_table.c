/* notices_table: a bounded LRU map (see notices_table.h). Entries live in one
 * array; a chained hash (bucket heads, next-in-bucket) finds them and a
 * doubly linked list orders them by use. Indices, not pointers: -1 is none.
 * The arrays grow (doubling, up to cap) as entries come: a value can be large
 * (the brute-force ring: 43 KB at --brute-force-count 256), so reserving
 * cap of them at start would cost hundreds of MB a quiet run never uses. */
#include "notices_table.h"

#include <stdlib.h>
#include <string.h>

struct nent {
    char *key;
    size_t klen;
    uint64_t h;
    long hnext, prev, next;   /* bucket chain; LRU list (prev: more recent) */
};

#define NTAB_MIN_ALLOC 16      /* first growth step, and the fewest buckets */

struct ntab {
    size_t cap, val_size, n, mask;
    size_t alloc;             /* entries the arrays hold room for (<= cap) */
    struct hkey key;
    uint64_t evicted;
    struct nent *e;
    unsigned char *vals;
    long *bucket;
    long head, tail;          /* most and least recently used */
};

/* buckets for at least n entries (a power of two): every entry rehashed */
static bool rehash(struct ntab *t, size_t n)
{
    size_t nb = NTAB_MIN_ALLOC;
    while (nb < n)
        nb *= 2;
    long *b = malloc(nb * sizeof *b);
    if (!b)
        return false;
    for (size_t i = 0; i < nb; i++)
        b[i] = -1;
    t->mask = nb - 1;
    for (size_t i = 0; i < t->n; i++) {
        t->e[i].hnext = b[t->e[i].h & t->mask];
        b[t->e[i].h & t->mask] = (long)i;
    }
    free(t->bucket);
    t->bucket = b;
    return true;
}

/* room for one more entry: double the arrays (at most to cap) */
static void grow(struct ntab *t)
{
    size_t alloc = t->alloc ? t->alloc * 2 : NTAB_MIN_ALLOC;
    if (alloc > t->cap)
        alloc = t->cap;
    struct nent *e = realloc(t->e, alloc * sizeof *e);
    if (e)
        t->e = e;
    unsigned char *v = e ? realloc(t->vals, alloc * t->val_size) : NULL;
    if (v)
        t->vals = v;
    if (!e || !v || !rehash(t, alloc))
        abort(); /* as every allocation of the run's state: sizes are bounded */
    t->alloc = alloc;
}

struct ntab *ntab_new(size_t cap, size_t val_size, const struct hkey *key)
{
    struct ntab *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->cap = cap ? cap : 1;
    t->val_size = val_size ? val_size : 1;
    t->key = *key;
    if (!rehash(t, 0)) {
        free(t);
        return NULL;
    }
    t->head = t->tail = -1;
    return t;
}

void ntab_free(struct ntab *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n; i++)
        free(t->e[i].key);
    free(t->e);
    free(t->vals);
    free(t->bucket);
    free(t);
}

/* keys are wire-chosen (client addresses, UIDs, FIDs, account names): the
 * same keyed SipHash as every other such table (htab.h) */
static uint64_t hash(const struct ntab *t, const void *key, size_t klen)
{
    return siphash24(&t->key, key, klen);
}

static void lru_unlink(struct ntab *t, long i)
{
    struct nent *x = &t->e[i];
    if (x->prev >= 0)
        t->e[x->prev].next = x->next;
    else
        t->head = x->next;
    if (x->next >= 0)
        t->e[x->next].prev = x->prev;
    else
        t->tail = x->prev;
}

static void lru_front(struct ntab *t, long i)
{
    struct nent *x = &t->e[i];
    x->prev = -1;
    x->next = t->head;
    if (t->head >= 0)
        t->e[t->head].prev = i;
    t->head = i;
    if (t->tail < 0)
        t->tail = i;
}

static long find(const struct ntab *t, const void *key, size_t klen, uint64_t h)
{
    for (long i = t->bucket[h & t->mask]; i >= 0; i = t->e[i].hnext)
        if (t->e[i].h == h && t->e[i].klen == klen && memcmp(t->e[i].key, key, klen) == 0)
            return i;
    return -1;
}

void *ntab_get(struct ntab *t, const void *key, size_t klen)
{
    long i = find(t, key, klen, hash(t, key, klen));
    if (i < 0)
        return NULL;
    lru_unlink(t, i);
    lru_front(t, i);
    return t->vals + (size_t)i * t->val_size;
}

/* take entry i out of its bucket chain */
static void bucket_unlink(struct ntab *t, long i)
{
    long *pp = &t->bucket[t->e[i].h & t->mask];
    while (*pp != i)
        pp = &t->e[*pp].hnext;
    *pp = t->e[i].hnext;
}

void *ntab_put(struct ntab *t, const void *key, size_t klen, bool *created)
{
    uint64_t h = hash(t, key, klen);
    long i = find(t, key, klen, h);
    *created = i < 0;
    if (i >= 0) {
        lru_unlink(t, i);
        lru_front(t, i);
        return t->vals + (size_t)i * t->val_size;
    }
    char *k = malloc(klen ? klen : 1);
    if (!k)
        abort(); /* as every allocation of the run's state: sizes are bounded */
    memcpy(k, key, klen);
    if (t->n < t->cap) {
        if (t->n == t->alloc)
            grow(t);
        i = (long)t->n++;
    } else {
        i = t->tail; /* the idlest goes */
        lru_unlink(t, i);
        bucket_unlink(t, i);
        free(t->e[i].key);
        t->evicted++;
    }
    struct nent *x = &t->e[i];
    x->key = k;
    x->klen = klen;
    x->h = h;
    x->hnext = t->bucket[h & t->mask];
    t->bucket[h & t->mask] = i;
    lru_front(t, i);
    unsigned char *v = t->vals + (size_t)i * t->val_size;
    memset(v, 0, t->val_size);
    return v;
}

uint64_t ntab_evicted(const struct ntab *t) { return t->evicted; }
size_t ntab_len(const struct ntab *t) { return t->n; }
