/* ranges: merged, sorted, capped [start, end) byte range sets.
 * Spec: none (file coverage, see ranges.h and files.h). */
#include "ranges.h"

#include <stdlib.h>
#include <string.h>

void ranges_init(struct ranges *r, size_t max)
{
    memset(r, 0, sizeof *r);
    r->max = max ? max : 1;
}

/* first index whose end reaches start (touching counts, so it merges) */
static size_t first_touching(const struct ranges *r, uint64_t start)
{
    size_t lo = 0, hi = r->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (r->v[mid][1] < start)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* join the neighbouring pair with the smallest gap: the least claimed-but-
 * unseen bytes for one range fewer */
static void join_closest(struct ranges *r)
{
    if (r->n < 2)
        return;
    size_t best = 0;
    uint64_t best_gap = UINT64_MAX;
    for (size_t i = 0; i + 1 < r->n; i++) {
        uint64_t gap = r->v[i + 1][0] - r->v[i][1];
        if (gap < best_gap) {
            best_gap = gap;
            best = i;
        }
    }
    r->v[best][1] = r->v[best + 1][1];
    memmove(&r->v[best + 1], &r->v[best + 2], (r->n - best - 2) * sizeof r->v[0]);
    r->n--;
    r->coarse = true;
}

static bool grow(struct ranges *r)
{
    if (r->n < r->cap)
        return true;
    /* one slot over max: a new range is inserted first, then the set shrinks back */
    size_t limit = r->max + 1;
    if (r->cap >= limit)
        return false;
    size_t cap = r->cap ? r->cap * 2 : 8;
    if (cap > limit)
        cap = limit;
    void *v = realloc(r->v, cap * sizeof r->v[0]);
    if (!v)
        return false;
    r->v = v;
    r->cap = cap;
    return true;
}

void ranges_add(struct ranges *r, uint64_t start, uint64_t end)
{
    if (start >= end)
        return;
    size_t i = first_touching(r, start);
    if (i < r->n && r->v[i][0] <= end) {
        /* merge with every range from i that starts at or before end */
        size_t j = i;
        uint64_t s = start < r->v[i][0] ? start : r->v[i][0];
        uint64_t e = end;
        while (j < r->n && r->v[j][0] <= end) {
            if (r->v[j][1] > e)
                e = r->v[j][1];
            j++;
        }
        r->v[i][0] = s;
        r->v[i][1] = e;
        memmove(&r->v[i + 1], &r->v[j], (r->n - j) * sizeof r->v[0]);
        r->n -= j - i - 1;
        return;
    }
    if (!grow(r)) {
        /* no room (out of memory): widen a neighbour over the gap instead */
        if (r->n == 0) {
            r->coarse = true;
            return;
        }
        if (i == r->n || (i > 0 && start - r->v[i - 1][1] <= r->v[i][0] - end)) {
            r->v[i - 1][1] = end;
        } else {
            r->v[i][0] = start;
        }
        r->coarse = true;
        return;
    }
    memmove(&r->v[i + 1], &r->v[i], (r->n - i) * sizeof r->v[0]);
    r->v[i][0] = start;
    r->v[i][1] = end;
    r->n++;
    if (r->n > r->max)
        join_closest(r);
}

bool ranges_is_exactly(const struct ranges *r, uint64_t start, uint64_t end)
{
    if (start >= end)
        return r->n == 0;
    return r->n == 1 && r->v[0][0] == start && r->v[0][1] == end;
}

uint64_t ranges_bytes(const struct ranges *r)
{
    uint64_t t = 0;
    for (size_t i = 0; i < r->n; i++)
        t += r->v[i][1] - r->v[i][0];
    return t;
}

uint64_t (*ranges_take(struct ranges *r, size_t *n))[2]
{
    uint64_t (*v)[2] = r->v;
    *n = r->n;
    if (r->n == 0) {
        free(v);
        v = NULL;
    }
    r->v = NULL;
    r->n = r->cap = 0;
    return v;
}

void ranges_free(struct ranges *r)
{
    free(r->v);
    r->v = NULL;
    r->n = r->cap = 0;
}
