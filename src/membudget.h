/* membudget: the one global budget for analysis state (--max-state-memory).
 * Every stage that keeps state for a connection (flow table, reassembly, SMB
 * sessions/trees/opens/pending requests and their strings, file hold and
 * verify buffers) charges what it allocates here and credits it back when it
 * frees it; between packets, flow_end.c evicts the idlest connection (the
 * table names it: ft_idlest_live) while the total is over the limit. The
 * object belongs to the analyzer and is passed down explicitly: no globals,
 * so tests can make as many as they like. A NULL budget accounts nothing (unit tests of one stage).
 *
 * Charges are what the allocator is asked for plus MB_OVERHEAD per block
 * (glibc's chunk header and rounding), so the total tracks resident memory
 * closely enough to keep the process under its bound. */
#ifndef SMBSCOPE_MEMBUDGET_H
#define SMBSCOPE_MEMBUDGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MB_OVERHEAD 16u

struct membudget {
    size_t limit;              /* 0: unlimited */
    size_t used;               /* bytes charged now */
    size_t peak;               /* highest `used` */
    uint64_t evictions;        /* connections evicted to get back under the limit */
};

static inline void mb_charge(struct membudget *mb, size_t n)
{
    if (!mb)
        return;
    mb->used += n;
    if (mb->used > mb->peak)
        mb->peak = mb->used;
}

static inline void mb_credit(struct membudget *mb, size_t n)
{
    if (!mb)
        return;
    /* never wraps: a stage crediting more than it charged is a bug the
     * unit tests catch by checking `used` returns to zero */
    mb->used = n > mb->used ? 0 : mb->used - n;
}

static inline bool mb_over(const struct membudget *mb)
{
    return mb && mb->limit && mb->used > mb->limit;
}

/* calloc / free of n bytes, charged with the per-block overhead. Out of
 * memory aborts, as everywhere in smbscope: input never makes it fail, the
 * budget does. */
static inline void *mb_calloc(struct membudget *mb, size_t n)
{
    void *p = calloc(1, n);
    if (!p)
        abort();
    mb_charge(mb, n + MB_OVERHEAD);
    return p;
}

static inline void mb_free(struct membudget *mb, void *p, size_t n)
{
    if (!p)
        return;
    mb_credit(mb, n + MB_OVERHEAD);
    free(p);
}

/* strings: the length is found again at free time */
static inline char *mb_strdup(struct membudget *mb, const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (!d)
        abort();
    memcpy(d, s, n);
    mb_charge(mb, n + MB_OVERHEAD);
    return d;
}

static inline void mb_strfree(struct membudget *mb, char *s)
{
    if (!s)
        return;
    mb_credit(mb, strlen(s) + 1 + MB_OVERHEAD);
    free(s);
}

#endif
