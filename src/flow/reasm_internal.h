/* reasm_internal: what reasm.c (insert, deliver, graces), reasm_pool.c
 * (pool lists, node accounting) and reasm_overlap.c (history, overlap
 * compare) share. Not for use outside the reassembly. */
#ifndef SMBSCOPE_REASM_INTERNAL_H
#define SMBSCOPE_REASM_INTERNAL_H

#include <stdarg.h>
#include <stdio.h>

#include "reasm.h"

static inline uint64_t min_u64(uint64_t a, uint64_t b) { return a < b ? a : b; }
static inline uint64_t max_u64(uint64_t a, uint64_t b) { return a > b ? a : b; }

/* one anomaly record through the sink, at the time of r's current packet */
static inline void reasm_anomaly(struct reasm *r, const char *name, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static inline void reasm_anomaly(struct reasm *r, const char *name, const char *fmt, ...)
{
    if (!r->sink->anomaly)
        return;
    char detail[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    r->sink->anomaly(r->u, r->ts, name, detail);
}

/* ---- reasm_pool.c ---- */

void reasm_holders_unlink(struct reasm *r);
void reasm_hists_unlink(struct reasm *r);
/* most recently used goes last */
void reasm_hists_touch(struct reasm *r);
/* directions in a grace, by grace_ts: appended with a grace_ts no lower than
 * the tail's, so the head is always the first to end */
void reasm_graces_link(struct reasm *r);
void reasm_graces_unlink(struct reasm *r);
/* a node for [start, start + len) (data copied, or a known-missing range),
 * accounted to r and its pool; NULL if out of memory */
struct rnode *reasm_node_new(struct reasm *r, uint64_t start, size_t len, const uint8_t *data, bool missing);
void reasm_node_free(struct reasm *r, struct rnode *n);

/* ---- reasm_overlap.c ---- */

void reasm_hist_drop(struct reasm *r);
/* called before next advances past p[0..n) */
void reasm_hist_append(struct reasm *r, const uint8_t *p, size_t n);

/* one kind of kept copy: bytes already delivered, or bytes held out of order */
struct cmp_part {
    uint64_t diff;       /* bytes that disagreed */
    bool conflict;
    uint64_t ks, ke;     /* first kept range that disagreed */
};

struct cmp_acc {
    uint64_t same;
    struct cmp_part old, held;
    bool conflict;       /* either kind */
    uint64_t ks, ke;     /* first kept range of either kind that disagreed */
};

/* new bytes [off, off + n) overlap held ones */
void reasm_cmp_bytes(struct cmp_acc *a, uint64_t off, const uint8_t *kept, const uint8_t *seen, size_t n);
/* new bytes [s, e) lie below next: compare what the history still has */
void reasm_cmp_old(struct reasm *r, struct cmp_acc *a, uint64_t s, uint64_t e, const uint8_t *p);
/* count the segment [s, e) and report its conflicts, once */
void reasm_cmp_report(struct reasm *r, const struct cmp_acc *a, uint64_t s, uint64_t e);

#endif
