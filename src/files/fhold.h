/* fhold: file data that arrived ahead of the hash cursor, copied and kept
 * (sorted, disjoint) until the cursor reaches it.
 * Spec: none (hashing support for files.c).
 *
 * Segments never overlap: files.c compares a new piece against what is held
 * (the first copy wins) and adds only the bytes not held yet. A piece that
 * continues the previous segment is appended to it, so a run of small pieces
 * after one out-of-order piece costs one segment, not thousands. */
#ifndef SMBSCOPE_FHOLD_H
#define SMBSCOPE_FHOLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* most segments one file holds; past it the hold is refused like a full budget */
#define FHOLD_SEGS_MAX 4096

struct fhold_seg {
    uint64_t off;
    size_t len, cap;
    uint8_t *p;
};

struct fhold {
    struct fhold_seg *v;
    size_t n, cap;
    size_t bytes;             /* payload held (what the hold budgets count) */
};

/* index of the first segment that ends after off (n if none) */
size_t fhold_find(const struct fhold *h, uint64_t off);
/* compare [off, off+n) with the held bytes it overlaps: true when they all agree */
bool fhold_agrees(const struct fhold *h, uint64_t off, const uint8_t *p, size_t n);
/* true when every byte of [off, end) is held */
bool fhold_covers(const struct fhold *h, uint64_t off, uint64_t end);
/* keep a copy of [off, off+n), which must not overlap a held segment; false
 * when out of memory or at FHOLD_SEGS_MAX (nothing is added then) */
bool fhold_add(struct fhold *h, uint64_t off, const uint8_t *p, size_t n);
/* the first segment, if it starts at or before pos (its bytes before pos are
 * then already hashed; the caller skips them); NULL otherwise */
const struct fhold_seg *fhold_first_at(const struct fhold *h, uint64_t pos);
/* drop the first segment */
void fhold_pop(struct fhold *h);
void fhold_clear(struct fhold *h);

#endif
