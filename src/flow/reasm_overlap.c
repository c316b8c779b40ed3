/* reasm_overlap: the history of delivered bytes and the comparison of a
 * retransmitted copy with the kept one (retrans/overlap counts and the
 * tcp_overlap_conflict anomaly; see reasm.h for the overlap policy). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "reasm_internal.h"

/* ---- history of delivered bytes ---- */

void reasm_hist_drop(struct reasm *r)
{
    if (!r->hist)
        return;
    r->pool->used -= r->hist_cap;
    mb_credit(r->pool->mb, r->hist_cap);
    free(r->hist);
    r->hist = NULL;
    r->hist_cap = r->hist_len = 0;
    if (r->in_hists)
        reasm_hists_unlink(r);
}

static void hist_grow(struct reasm *r, size_t want)
{
    size_t cap = r->hist_cap ? r->hist_cap : REASM_HIST_MIN;
    while (cap < want && cap < REASM_HIST_MAX)
        cap *= 2;
    if (cap <= r->hist_cap)
        return;
    size_t delta = cap - r->hist_cap;
    /* history is a nicety: it never pushes the pool over budget */
    if (r->pool->used + delta > r->pool->limit)
        return;
    const struct membudget *mb = r->pool->mb;
    if (mb && mb->limit && mb->used + delta > mb->limit)
        return;   /* nor the run's state budget */
    uint8_t *h = malloc(cap);
    if (!h)
        return;
    /* the kept bytes keep their stream offsets modulo the new size: copied in
     * the few runs that are contiguous in both rings (a byte at a time was 5%
     * of a run over short connections, whose histories all grow) */
    size_t omask = r->hist_cap - 1, nmask = cap - 1;
    for (uint64_t o = r->next - r->hist_len; o < r->next;) {
        size_t from = (size_t)(o & omask), to = (size_t)(o & nmask);
        size_t run = (size_t)(r->next - o);
        if (run > r->hist_cap - from)
            run = r->hist_cap - from;
        if (run > cap - to)
            run = cap - to;
        memcpy(h + to, r->hist + from, run);
        o += run;
    }
    free(r->hist);
    r->hist = h;
    r->pool->used += delta;
    mb_charge(r->pool->mb, delta);
    r->hist_cap = cap;
}

/* called before next advances past p[0..n) */
void reasm_hist_append(struct reasm *r, const uint8_t *p, size_t n)
{
    size_t want = r->hist_len + n;
    if (want > REASM_HIST_MAX || want < n)
        want = REASM_HIST_MAX;
    if (want > r->hist_cap)
        hist_grow(r, want);
    if (!r->hist_cap)
        return;
    size_t cap = r->hist_cap, mask = cap - 1;
    uint64_t off = r->next;
    size_t keep = n;
    if (keep > cap) {
        off += keep - cap;
        p += keep - cap;
        keep = cap;
    }
    size_t at = (size_t)(off & mask);
    size_t first = keep < cap - at ? keep : cap - at;
    memcpy(r->hist + at, p, first);
    memcpy(r->hist, p + first, keep - first);
    r->hist_len = r->hist_len + n > cap ? cap : r->hist_len + n;
    reasm_hists_touch(r);
}

/* ---- comparing a new copy with the kept one ---- */

static void cmp_note(struct cmp_acc *a, struct cmp_part *part, uint64_t ks, uint64_t ke, size_t n, size_t d)
{
    part->diff += d;
    a->same += n - d;
    if (!d)
        return;
    if (!part->conflict) {
        part->conflict = true;
        part->ks = ks;
        part->ke = ke;
    }
    if (!a->conflict) {
        a->conflict = true;
        a->ks = ks;
        a->ke = ke;
    }
}

/* new bytes [off, off + n) overlap held ones */
void reasm_cmp_bytes(struct cmp_acc *a, uint64_t off, const uint8_t *kept, const uint8_t *seen, size_t n)
{
    size_t d = 0;
    for (size_t i = 0; i < n; i++)
        d += kept[i] != seen[i];
    cmp_note(a, &a->held, off, off + n, n, d);
}

/* new bytes [s, e) lie below next: compare what the history still has; older
 * bytes cannot be checked and count as retransmitted */
void reasm_cmp_old(struct reasm *r, struct cmp_acc *a, uint64_t s, uint64_t e, const uint8_t *p)
{
    uint64_t hs = r->next - r->hist_len;
    if (s < hs) {
        uint64_t u = min_u64(e, hs) - s;
        a->same += u;
        p += u;
        s += u;
    }
    if (s >= e)
        return;
    size_t mask = r->hist_cap - 1, d = 0;
    for (uint64_t o = s; o < e; o++)
        d += r->hist[o & mask] != p[o - s];
    cmp_note(a, &a->old, s, e, (size_t)(e - s), d);
}

/* one anomaly per conflicting segment [s, e). Under OVERLAP_LAST it says
 * which kept copy was replaced (held) and which could not be (delivered). */
void reasm_cmp_report(struct reasm *r, const struct cmp_acc *a, uint64_t s, uint64_t e)
{
    const struct cmp_part *o = &a->old, *h = &a->held;
    r->st->retrans_bytes += a->same;
    r->st->overlap_bytes += o->diff + h->diff;
    if (!a->conflict)
        return;
    if (r->overlap == OVERLAP_FIRST)
        reasm_anomaly(r, "tcp_overlap_conflict",
                "segment [%" PRIu64 ",%" PRIu64 ") differs from the first copy [%" PRIu64 ",%" PRIu64
                ") in %" PRIu64 " bytes; first copy kept",
                s, e, a->ks, a->ke, o->diff + h->diff);
    else if (!h->conflict)
        reasm_anomaly(r, "tcp_overlap_conflict",
                "segment [%" PRIu64 ",%" PRIu64 ") differs from the delivered copy [%" PRIu64 ",%" PRIu64
                ") in %" PRIu64 " bytes; delivered copy kept",
                s, e, o->ks, o->ke, o->diff);
    else if (!o->conflict)
        reasm_anomaly(r, "tcp_overlap_conflict",
                "segment [%" PRIu64 ",%" PRIu64 ") differs from the held copy [%" PRIu64 ",%" PRIu64
                ") in %" PRIu64 " bytes; last copy kept",
                s, e, h->ks, h->ke, h->diff);
    else
        reasm_anomaly(r, "tcp_overlap_conflict",
                "segment [%" PRIu64 ",%" PRIu64 ") differs from the held copy [%" PRIu64 ",%" PRIu64
                ") in %" PRIu64 " bytes, last copy kept, and from the delivered copy [%" PRIu64 ",%" PRIu64
                ") in %" PRIu64 " bytes, delivered copy kept",
                s, e, h->ks, h->ke, h->diff, o->ks, o->ke, o->diff);
}
