/* ranges: a set of byte offsets kept as merged, sorted [start, end) ranges,
 * with a cap on how many disjoint ranges it holds.
 * Spec: none (file coverage for the `file` record, see files.h).
 *
 * Adjacent and overlapping ranges merge as they are added, so in-order or
 * re-read data costs one range. When a new range would exceed the cap, the
 * two neighbours with the smallest gap between them are joined: the set then
 * claims bytes that were never added, and `coarse` says so. */
#ifndef SMBSCOPE_RANGES_H
#define SMBSCOPE_RANGES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ranges {
    uint64_t (*v)[2];
    size_t n, cap;
    size_t max;           /* most disjoint ranges kept (>= 1) */
    bool coarse;          /* some gap was joined over (cap hit, or no memory) */
};

void ranges_init(struct ranges *r, size_t max);
/* add [start, end); empty ranges are ignored */
void ranges_add(struct ranges *r, uint64_t start, uint64_t end);
/* true when the set is exactly [start, end) (for an empty range: the set is empty) */
bool ranges_is_exactly(const struct ranges *r, uint64_t start, uint64_t end);
/* total bytes covered */
uint64_t ranges_bytes(const struct ranges *r);
/* hand the array to the caller (who frees it) and leave the set empty */
uint64_t (*ranges_take(struct ranges *r, size_t *n))[2];
void ranges_free(struct ranges *r);

#endif
