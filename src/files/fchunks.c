/* fchunks: a bounded ring of per-chunk digests.
 * Spec: none (overlap checking for files.c, see fchunks.h). */
#include "fchunks.h"

#include <stdlib.h>
#include <string.h>

bool fchunks_add(struct fchunks *c, uint64_t off, uint64_t len, const uint8_t d[FCHUNK_DIGEST])
{
    struct fchunk *slot;
    if (c->n < FCHUNKS_MAX) {
        if (c->n == c->cap) {
            size_t cap = c->cap ? c->cap * 2 : 16;
            if (cap > FCHUNKS_MAX)
                cap = FCHUNKS_MAX;
            void *v = realloc(c->v, cap * sizeof c->v[0]);
            if (!v)
                return false;
            c->v = v;
            c->cap = cap;
        }
        slot = &c->v[c->n++];
    } else {
        slot = &c->v[c->next];
        c->next = (c->next + 1) % FCHUNKS_MAX;
    }
    slot->off = off;
    slot->len = len;
    memcpy(slot->d, d, FCHUNK_DIGEST);
    return true;
}

/* a linear scan: it runs only for data behind the hash cursor, which in-order
 * transfers never produce */
const struct fchunk *fchunks_find(const struct fchunks *c, uint64_t off, uint64_t len)
{
    for (size_t i = 0; i < c->n; i++)
        if (c->v[i].off == off && c->v[i].len == len)
            return &c->v[i];
    return NULL;
}

void fchunks_free(struct fchunks *c)
{
    free(c->v);
    memset(c, 0, sizeof *c);
}
