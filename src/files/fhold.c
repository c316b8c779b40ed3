/* fhold: out-of-order file data held until the hash cursor reaches it.
 * Spec: none (hashing support for files.c, see fhold.h). */
#include "fhold.h"

#include <stdlib.h>
#include <string.h>

static uint64_t seg_end(const struct fhold_seg *s) { return s->off + s->len; }

size_t fhold_find(const struct fhold *h, uint64_t off)
{
    size_t lo = 0, hi = h->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (seg_end(&h->v[mid]) <= off)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

bool fhold_agrees(const struct fhold *h, uint64_t off, const uint8_t *p, size_t n)
{
    uint64_t end = off + n;
    for (size_t i = fhold_find(h, off); i < h->n && h->v[i].off < end; i++) {
        const struct fhold_seg *s = &h->v[i];
        uint64_t a = s->off > off ? s->off : off;
        uint64_t b = seg_end(s) < end ? seg_end(s) : end;
        if (memcmp(p + (a - off), s->p + (a - s->off), (size_t)(b - a)) != 0)
            return false;
    }
    return true;
}

bool fhold_covers(const struct fhold *h, uint64_t off, uint64_t end)
{
    uint64_t pos = off;
    for (size_t i = fhold_find(h, off); i < h->n && pos < end; i++) {
        if (h->v[i].off > pos)
            return false;
        pos = seg_end(&h->v[i]);
    }
    return pos >= end;
}

/* grow a segment's buffer geometrically: appending many small pieces must
 * not copy the whole segment each time */
static bool seg_reserve(struct fhold_seg *s, size_t need)
{
    if (need <= s->cap)
        return true;
    /* a new segment gets exactly its size; only appends grow by doubling */
    size_t cap = s->cap ? s->cap : need;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    uint8_t *p = realloc(s->p, cap);
    if (!p)
        return false;
    s->p = p;
    s->cap = cap;
    return true;
}

bool fhold_add(struct fhold *h, uint64_t off, const uint8_t *p, size_t n)
{
    if (n == 0)
        return true;
    size_t i = fhold_find(h, off);
    /* continues the previous segment: append in place */
    if (i > 0 && seg_end(&h->v[i - 1]) == off) {
        struct fhold_seg *s = &h->v[i - 1];
        if (!seg_reserve(s, s->len + n))
            return false;
        memcpy(s->p + s->len, p, n);
        s->len += n;
        h->bytes += n;
        return true;
    }
    if (h->n >= FHOLD_SEGS_MAX)
        return false;
    if (h->n == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 16;
        if (cap > FHOLD_SEGS_MAX)
            cap = FHOLD_SEGS_MAX;
        void *v = realloc(h->v, cap * sizeof h->v[0]);
        if (!v)
            return false;
        h->v = v;
        h->cap = cap;
    }
    struct fhold_seg s = {.off = off, .len = 0, .cap = 0, .p = NULL};
    if (!seg_reserve(&s, n))
        return false;
    memcpy(s.p, p, n);
    s.len = n;
    memmove(&h->v[i + 1], &h->v[i], (h->n - i) * sizeof h->v[0]);
    h->v[i] = s;
    h->n++;
    h->bytes += n;
    return true;
}

const struct fhold_seg *fhold_first_at(const struct fhold *h, uint64_t pos)
{
    if (h->n == 0 || h->v[0].off > pos)
        return NULL;
    return &h->v[0];
}

void fhold_pop(struct fhold *h)
{
    if (h->n == 0)
        return;
    h->bytes -= h->v[0].len;
    free(h->v[0].p);
    memmove(&h->v[0], &h->v[1], (h->n - 1) * sizeof h->v[0]);
    h->n--;
}

void fhold_clear(struct fhold *h)
{
    for (size_t i = 0; i < h->n; i++)
        free(h->v[i].p);
    free(h->v);
    memset(h, 0, sizeof *h);
}
