/* reasm: per-direction TCP reassembly into an exact byte stream (see reasm.h
 * for the delivery and gap rules). */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reasm.h"

/* how many of the oldest holders are looked at to pick the biggest one when
 * the pool is over budget: bounded work, yet frees a lot per flush */
#define REASM_VICTIM_SCAN 8

static uint64_t min_u64(uint64_t a, uint64_t b) { return a < b ? a : b; }
static uint64_t max_u64(uint64_t a, uint64_t b) { return a > b ? a : b; }

static void anomaly(struct reasm *r, const char *name, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void anomaly(struct reasm *r, const char *name, const char *fmt, ...)
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

/* ---- pool lists: intrusive, so membership changes are O(1) ---- */

static void holders_link(struct reasm *r)
{
    struct reasm_pool *p = r->pool;
    r->hprev = p->holders_tail;
    r->hnext = NULL;
    if (p->holders_tail)
        p->holders_tail->hnext = r;
    else
        p->holders = r;
    p->holders_tail = r;
    r->in_holders = true;
}

static void holders_unlink(struct reasm *r)
{
    struct reasm_pool *p = r->pool;
    if (r->hprev)
        r->hprev->hnext = r->hnext;
    else
        p->holders = r->hnext;
    if (r->hnext)
        r->hnext->hprev = r->hprev;
    else
        p->holders_tail = r->hprev;
    r->hprev = r->hnext = NULL;
    r->in_holders = false;
}

static void hists_unlink(struct reasm *r)
{
    struct reasm_pool *p = r->pool;
    if (r->qprev)
        r->qprev->qnext = r->qnext;
    else
        p->hists = r->qnext;
    if (r->qnext)
        r->qnext->qprev = r->qprev;
    else
        p->hists_tail = r->qprev;
    r->qprev = r->qnext = NULL;
    r->in_hists = false;
}

/* most recently used goes last */
static void hists_touch(struct reasm *r)
{
    struct reasm_pool *p = r->pool;
    if (r->in_hists) {
        if (p->hists_tail == r)
            return;
        hists_unlink(r);
    }
    r->qprev = p->hists_tail;
    r->qnext = NULL;
    if (p->hists_tail)
        p->hists_tail->qnext = r;
    else
        p->hists = r;
    p->hists_tail = r;
    r->in_hists = true;
}

/* directions in a grace, by grace_ts: appended with a grace_ts no lower than
 * the tail's, so the head is always the first to end */
static void graces_link(struct reasm *r)
{
    struct reasm_pool *p = r->pool;
    r->gprev = p->graces_tail;
    r->gnext = NULL;
    if (p->graces_tail)
        p->graces_tail->gnext = r;
    else
        p->graces = r;
    p->graces_tail = r;
    r->in_grace = true;
}

static void graces_unlink(struct reasm *r)
{
    struct reasm_pool *p = r->pool;
    if (r->gprev)
        r->gprev->gnext = r->gnext;
    else
        p->graces = r->gnext;
    if (r->gnext)
        r->gnext->gprev = r->gprev;
    else
        p->graces_tail = r->gprev;
    r->gprev = r->gnext = NULL;
    r->in_grace = false;
}

void reasm_pool_init(struct reasm_pool *p, size_t limit)
{
    memset(p, 0, sizeof *p);
    p->limit = limit;
    p->rng = 0x9e3779b9u;
}

void reasm_pool_clock(struct reasm_pool *p, uint64_t now_us)
{
    if (now_us > p->clock)
        p->clock = now_us;
}

struct reasm *reasm_pool_grace(const struct reasm_pool *p, uint64_t *deadline_us)
{
    struct reasm *r = p->graces;
    if (r)
        *deadline_us = r->grace_ts + REASM_ACK_GRACE_US;
    return r;
}

/* ---- segment nodes and their accounting ---- */

static struct rnode *node_new(struct reasm *r, uint64_t start, size_t len, const uint8_t *data, bool missing)
{
    size_t payload = missing ? 0 : len;
    struct rnode *n = malloc(sizeof *n + payload);
    if (!n)
        return NULL;
    n->l = n->r = NULL;
    n->start = start;
    n->len = len;
    n->missing = missing;
    struct reasm_pool *p = r->pool;
    p->rng ^= p->rng << 13;   /* xorshift32: priorities only shape the tree, never the output */
    p->rng ^= p->rng >> 17;
    p->rng ^= p->rng << 5;
    n->prio = p->rng;
    if (payload)
        memcpy(n->data, data, payload);
    size_t m = rnode_mem(n);
    r->mem += m;
    r->held += payload;
    p->used += m;
    mb_charge(p->mb, m);
    p->held += m;
    if (p->held > p->held_peak)
        p->held_peak = p->held;
    if (!r->in_holders)
        holders_link(r);
    return n;
}

static void node_unaccount(struct reasm *r, const struct rnode *n)
{
    size_t m = rnode_mem(n);
    r->mem -= m;
    r->held -= n->missing ? 0 : n->len;
    r->pool->used -= m;
    mb_credit(r->pool->mb, m);
    r->pool->held -= m;
    if (r->mem == 0 && r->in_holders)
        holders_unlink(r);
}

static void node_free(struct reasm *r, struct rnode *n)
{
    node_unaccount(r, n);
    free(n);
}

/* a missing node shrinks in place; its accounted size does not depend on len */
static void node_shrink_missing(struct rnode *n, size_t len) { n->len = len; }

/* ---- history of delivered bytes ---- */

static void hist_drop(struct reasm *r)
{
    if (!r->hist)
        return;
    r->pool->used -= r->hist_cap;
    mb_credit(r->pool->mb, r->hist_cap);
    free(r->hist);
    r->hist = NULL;
    r->hist_cap = r->hist_len = 0;
    if (r->in_hists)
        hists_unlink(r);
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
    size_t omask = r->hist_cap - 1, nmask = cap - 1;
    for (uint64_t o = r->next - r->hist_len; o < r->next; o++)
        h[o & nmask] = r->hist[o & omask];
    free(r->hist);
    r->hist = h;
    r->pool->used += delta;
    mb_charge(r->pool->mb, delta);
    r->hist_cap = cap;
}

/* called before next advances past p[0..n) */
static void hist_append(struct reasm *r, const uint8_t *p, size_t n)
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
    hists_touch(r);
}

/* ---- comparing a new copy with the kept one ---- */

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
static void cmp_bytes(struct cmp_acc *a, uint64_t off, const uint8_t *kept, const uint8_t *seen, size_t n)
{
    size_t d = 0;
    for (size_t i = 0; i < n; i++)
        d += kept[i] != seen[i];
    cmp_note(a, &a->held, off, off + n, n, d);
}

/* new bytes [s, e) lie below next: compare what the history still has; older
 * bytes cannot be checked and count as retransmitted */
static void cmp_old(struct reasm *r, struct cmp_acc *a, uint64_t s, uint64_t e, const uint8_t *p)
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
static void cmp_report(struct reasm *r, const struct cmp_acc *a, uint64_t s, uint64_t e)
{
    const struct cmp_part *o = &a->old, *h = &a->held;
    r->st->retrans_bytes += a->same;
    r->st->overlap_bytes += o->diff + h->diff;
    if (!a->conflict)
        return;
    if (r->overlap == OVERLAP_FIRST)
        anomaly(r, "tcp_overlap_conflict",
                "segment [%" PRIu64 ",%" PRIu64 ") differs from the first copy [%" PRIu64 ",%" PRIu64
                ") in %" PRIu64 " bytes; first copy kept",
                s, e, a->ks, a->ke, o->diff + h->diff);
    else if (!h->conflict)
        anomaly(r, "tcp_overlap_conflict",
                "segment [%" PRIu64 ",%" PRIu64 ") differs from the delivered copy [%" PRIu64 ",%" PRIu64
                ") in %" PRIu64 " bytes; delivered copy kept",
                s, e, o->ks, o->ke, o->diff);
    else if (!o->conflict)
        anomaly(r, "tcp_overlap_conflict",
                "segment [%" PRIu64 ",%" PRIu64 ") differs from the held copy [%" PRIu64 ",%" PRIu64
                ") in %" PRIu64 " bytes; last copy kept",
                s, e, h->ks, h->ke, h->diff);
    else
        anomaly(r, "tcp_overlap_conflict",
                "segment [%" PRIu64 ",%" PRIu64 ") differs from the held copy [%" PRIu64 ",%" PRIu64
                ") in %" PRIu64 " bytes, last copy kept, and from the delivered copy [%" PRIu64 ",%" PRIu64
                ") in %" PRIu64 " bytes, delivered copy kept",
                s, e, h->ks, h->ke, h->diff, o->ks, o->ke, o->diff);
}

/* ---- delivery ---- */

static void flush_gap(struct reasm *r)
{
    if (!r->pending_gap)
        return;
    uint64_t n = r->pending_gap;
    r->pending_gap = 0;
    r->st->gaps++;
    r->st->gap_bytes += n;
    r->sink->gap(r->u, n, r->ts);
}

static void add_gap(struct reasm *r, uint64_t n)
{
    if (!n)
        return;
    r->pending_gap += n;
    r->next += n;
    r->hist_len = 0;   /* the history must end at next without holes */
}

static void deliver(struct reasm *r, const uint8_t *p, size_t n)
{
    if (!n)
        return;
    flush_gap(r);
    hist_append(r, p, n);
    r->next += n;
    r->st->delivered += n;
    r->sink->data(r->u, p, n, r->ts);
}

/* hand over every buffered node that starts at next */
static void drain(struct reasm *r)
{
    struct rnode *m;
    while ((m = rt_min(r->root)) && m->start <= r->next) {
        rt_pop_min(&r->root);
        uint64_t skip = r->next - m->start;   /* 0 by invariant; defensive */
        if (skip < m->len) {
            if (m->missing)
                add_gap(r, m->len - skip);
            else
                deliver(r, m->data + skip, (size_t)(m->len - skip));
        }
        node_free(r, m);
    }
}

/* rule (b): declare the first holes while too much is buffered above them */
static void resolve(struct reasm *r)
{
    for (;;) {
        drain(r);
        struct rnode *m = rt_min(r->root);
        if (!m || r->held <= r->hole_cap)
            return;
        add_gap(r, m->start - r->next);
    }
}

/* ---- rule (a): the ACK grace ---- */

/* acked or max_end grew: holes below the new cover are acknowledged with data
 * above them from now on */
static void cover_update(struct reasm *r)
{
    uint64_t c = min_u64(r->acked_known ? r->acked : 0, r->max_end);
    if (c > r->cover) {
        r->cover = c;
        r->cover_ts = r->pool->clock;
    }
}

/* after anything moved: a grace whose holes are all gone ends; acknowledged
 * holes with data above them and no grace start one, dated from when the last
 * of them was covered (never before the grace at the tail, which keeps the
 * pool's list in deadline order) */
static void grace_update(struct reasm *r)
{
    if (r->in_grace && (r->next >= r->grace_mark || !r->root))
        graces_unlink(r);
    if (r->in_grace || r->closed || r->cover <= r->next || !r->root)
        return;
    struct reasm *tail = r->pool->graces_tail;
    r->grace_ts = tail ? max_u64(r->cover_ts, tail->grace_ts) : r->cover_ts;
    r->grace_mark = r->cover;
    graces_link(r);
}

static bool grace_over(const struct reasm *r)
{
    return r->in_grace && r->pool->clock - r->grace_ts > REASM_ACK_GRACE_US;
}

/* declare the holes below mark that have data above them */
static void declare_below(struct reasm *r, uint64_t mark)
{
    for (;;) {
        drain(r);
        struct rnode *m = rt_min(r->root);
        if (!m || r->next >= mark)
            return;
        add_gap(r, min_u64(mark, m->start) - r->next);
    }
}

/* the grace for the holes below mark is over; then go on with the holes
 * covered since, whose own grace may be over too */
static void grace_end(struct reasm *r, uint64_t mark)
{
    declare_below(r, mark);
    if (r->in_grace)
        graces_unlink(r);
    grace_update(r);
}

static void grace_check(struct reasm *r)
{
    while (grace_over(r))
        grace_end(r, r->grace_mark);
}

/* deliver everything buffered, declaring every hole */
static void flush_buffered(struct reasm *r)
{
    for (;;) {
        drain(r);
        struct rnode *m = rt_min(r->root);
        if (!m)
            return;
        add_gap(r, m->start - r->next);
    }
}

/* rule (c): bring the pool under budget */
static void pool_enforce(struct reasm_pool *p, uint64_t ts)
{
    while (p->used > p->limit) {
        if (p->hists) {
            hist_drop(p->hists);
            continue;
        }
        struct reasm *v = NULL;
        int k = 0;
        for (struct reasm *h = p->holders; h && k < REASM_VICTIM_SCAN; h = h->hnext, k++)
            if (!v || h->mem > v->mem)
                v = h;
        if (!v)
            return;
        v->ts = ts;
        anomaly(v, "reasm_memory_limit",
                "reassembly memory %zu bytes over the %zu byte budget: declaring holes to release %zu bytes",
                p->used, p->limit, v->mem);
        p->reclaims++;
        flush_buffered(v);
        grace_update(v);
        flush_gap(v);
    }
}

/* ---- insertion ---- */

/* add [s, e) (data at p, or a known-missing range) where s >= next. New data
 * wins over missing ranges; where data meets data, the existing copy stays
 * under OVERLAP_FIRST and is overwritten under OVERLAP_LAST. A new missing
 * range never replaces data. */
static void insert_range(struct reasm *r, uint64_t s, uint64_t e, const uint8_t *p, bool missing,
                         struct cmp_acc *acc)
{
    struct rnode *lo, *hi, *mid, *rest, *pred_alone = NULL;
    rt_split(r->root, s, &lo, &hi);
    struct rnode *pred = rt_max(lo);
    if (pred && rnode_end(pred) > s) {
        struct rnode *lo2;
        rt_split(lo, pred->start, &lo2, &pred_alone);
        lo = lo2;
    }
    rt_split(hi, e, &mid, &rest);
    struct rnode *list = rt_flatten(mid);
    if (pred_alone) {
        struct rnode *pl = rt_flatten(pred_alone);
        pl->r = list;
        list = pl;
    }

    struct rnode *out = NULL, **tail = &out;
#define OUT(node) do { struct rnode *o_ = (node); if (o_) { o_->r = NULL; *tail = o_; tail = &o_->r; } } while (0)
#define PIECE(a, b, miss) OUT(node_new(r, (a), (size_t)((b) - (a)), (miss) ? NULL : p + ((a) - s), (miss)))
    uint64_t c = s;
    while (list) {
        struct rnode *n = list;
        list = n->r;
        uint64_t ns = n->start, ne = rnode_end(n);
        if (ns > c && c < e) {
            uint64_t b = min_u64(ns, e);
            PIECE(c, b, missing);
            c = b;
        }
        uint64_t os = max_u64(ns, s), oe = min_u64(ne, e);
        if (n->missing && !missing && os < oe) {
            if (ns < os) {
                node_shrink_missing(n, (size_t)(os - ns));
                OUT(n);
            } else {
                node_free(r, n);
            }
            PIECE(os, oe, false);
            if (oe < ne)
                OUT(node_new(r, oe, (size_t)(ne - oe), NULL, true));
        } else {
            if (!n->missing && !missing && os < oe) {
                cmp_bytes(acc, os, n->data + (os - ns), p + (os - s), (size_t)(oe - os));
                if (r->overlap == OVERLAP_LAST)
                    memcpy(n->data + (os - ns), p + (os - s), (size_t)(oe - os));
            }
            OUT(n);
        }
        if (oe > c)
            c = oe;
    }
    if (c < e)
        PIECE(c, e, missing);
#undef PIECE
#undef OUT
    r->root = rt_merge(rt_merge(lo, rt_from_list(out)), rest);
}

/* one range of a segment, already trimmed to offsets >= 0 */
static void accept(struct reasm *r, uint64_t s, uint64_t e, const uint8_t *p, bool missing, struct cmp_acc *acc)
{
    if (s >= e)
        return;
    if (s < r->next) {
        uint64_t b = min_u64(e, r->next);
        if (!missing)
            cmp_old(r, acc, s, b, p);
        if (!missing)
            p += b - s;
        s = b;
        if (s >= e)
            return;
    }
    struct rnode *m = rt_min(r->root);
    if (s == r->next && (!m || e <= m->start)) {
        /* the common case: in order, nothing buffered in the way */
        if (missing)
            add_gap(r, e - s);
        else
            deliver(r, p, (size_t)(e - s));
    } else {
        insert_range(r, s, e, p, missing, acc);
    }
    drain(r);
}

/* ---- public API ---- */

void reasm_init(struct reasm *r, struct reasm_pool *pool, size_t hole_cap, enum overlap_policy overlap,
                const struct reasm_sink *sink, void *u, struct half_stats *st)
{
    memset(r, 0, sizeof *r);
    r->pool = pool;
    r->hole_cap = hole_cap;
    r->overlap = overlap;
    r->sink = sink;
    r->u = u;
    r->st = st;
}

void reasm_free(struct reasm *r)
{
    struct rnode *m;
    while ((m = rt_pop_min(&r->root)))
        node_free(r, m);
    hist_drop(r);
    if (r->in_holders)
        holders_unlink(r);
    if (r->in_grace)
        graces_unlink(r);
}

static int64_t offset_of(const struct reasm *r, uint32_t seq)
{
    uint32_t at_next = r->base + (uint32_t)r->next;
    return (int64_t)r->next + (int32_t)(seq - at_next);
}

bool reasm_offset(const struct reasm *r, uint32_t seq, int64_t *off)
{
    if (!r->has_base)
        return false;
    *off = offset_of(r, seq);
    return true;
}

void reasm_isn(struct reasm *r, uint32_t isn)
{
    if (r->has_base)
        return;
    r->base = isn + 1;
    r->has_base = true;
}

static void segment(struct reasm *r, uint32_t seq, const uint8_t *p, size_t caplen, size_t len, uint64_t ts_us)
{
    if (caplen > len)
        caplen = len;
    if (!r->has_base) {
        r->base = seq;
        r->has_base = true;
    }
    int64_t so = offset_of(r, seq);
    if (r->closed) {
        if (!r->warned_closed) {
            r->warned_closed = true;
            anomaly(r, "tcp_data_after_fin", "%zu bytes at offset %" PRId64 " after the stream ended at %" PRIu64,
                    len, so, r->next);
        }
        return;
    }
    if (so + (int64_t)len <= 0)
        return;   /* wholly before the stream start */
    uint64_t skip = so < 0 ? (uint64_t)-so : 0;
    uint64_t s = (uint64_t)so + skip, e = (uint64_t)so + len;
    /* captured bytes end here; when the captured part lies wholly before the
     * stream start there are none (so + caplen would wrap below zero) */
    uint64_t cap_end = caplen > skip ? (uint64_t)so + caplen : s;

    uint64_t seen = max_u64(max_u64(r->max_end, r->next), r->acked_known ? r->acked : 0);
    if (s > seen && s - seen > REASM_MAX_AHEAD) {
        if (!r->warned_ahead) {
            r->warned_ahead = true;
            anomaly(r, "tcp_seq_out_of_window",
                    "%zu bytes at offset %" PRIu64 ", more than %llu past the stream position %" PRIu64 "; ignored",
                    len, s, (unsigned long long)REASM_MAX_AHEAD, seen);
        }
        return;
    }
    if (r->fin && e > r->fin_at) {
        if (!r->warned_after_fin) {
            r->warned_after_fin = true;
            anomaly(r, "tcp_data_after_fin", "bytes [%" PRIu64 ",%" PRIu64 ") after the FIN at %" PRIu64 "; ignored",
                    max_u64(s, r->fin_at), e, r->fin_at);
        }
        e = r->fin_at;
        if (s >= e)
            return;
    }
    if (e > r->max_end)
        r->max_end = e;

    struct cmp_acc acc = {0};
    uint64_t de = min_u64(cap_end, e);
    if (s < de)
        accept(r, s, de, p + skip, false, &acc);
    accept(r, max_u64(s, de), e, NULL, true, &acc);
    cmp_report(r, &acc, s, de > s ? de : s);
    resolve(r);
    cover_update(r);
    grace_update(r);
    pool_enforce(r->pool, ts_us);
}

void reasm_data(struct reasm *r, uint32_t seq, const uint8_t *p, size_t caplen, size_t len, uint64_t ts_us)
{
    r->ts = ts_us;
    reasm_pool_clock(r->pool, ts_us);
    grace_check(r);   /* a segment after the grace is too late to fill its hole */
    r->st->bytes += len;
    if (len)
        segment(r, seq, p, caplen, len, ts_us);
    flush_gap(r);
}

void reasm_fin(struct reasm *r, uint32_t seq, uint64_t ts_us)
{
    r->ts = ts_us;
    reasm_pool_clock(r->pool, ts_us);
    grace_check(r);
    flush_gap(r);
    if (!r->has_base) {
        r->base = seq;
        r->has_base = true;
    }
    int64_t o = offset_of(r, seq);
    if (r->fin || r->closed || o < 0)
        return;   /* the first FIN defines the end */
    r->fin = true;
    r->fin_at = (uint64_t)o;
}

void reasm_ack(struct reasm *r, uint32_t ack, bool answer, uint64_t ts_us)
{
    if (!r->has_base || r->closed)
        return;
    r->ts = ts_us;
    reasm_pool_clock(r->pool, ts_us);
    grace_check(r);
    flush_gap(r);
    int64_t o = offset_of(r, ack);
    if (o <= 0)
        return;
    uint64_t a = (uint64_t)o;
    uint64_t seen = max_u64(r->max_end, r->next);
    if (r->fin) {
        seen = max_u64(seen, r->fin_at);
        if (a > r->fin_at)
            a = r->fin_at;   /* the FIN's own sequence number is not a byte */
    }
    if (a > seen && a - seen > REASM_ACK_AHEAD)
        return;
    if (answer) {
        /* the peer's data, sent after these bytes reached it, goes to the
         * app now: the holes it acknowledges must be settled before it */
        declare_below(r, min_u64(a, r->max_end));
        grace_update(r);
        flush_gap(r);
    }
    if (r->acked_known && a <= r->acked)
        return;
    r->acked = a;
    r->acked_known = true;
    cover_update(r);
    grace_update(r);   /* no gap yet: the segment may still come (rule (a)) */
}

void reasm_expire(struct reasm *r, uint64_t now_us, bool all)
{
    r->ts = now_us;
    reasm_pool_clock(r->pool, now_us);
    if (r->closed) {
        if (r->in_grace)
            graces_unlink(r);   /* never the case (flush ends it): a stuck head would stop the timeouts */
        return;
    }
    if (all)
        grace_end(r, r->cover);
    else
        grace_check(r);
    flush_gap(r);
}

void reasm_flush(struct reasm *r, bool at_end, uint64_t ts_us)
{
    r->ts = ts_us;
    if (r->closed)
        return;
    flush_buffered(r);
    grace_update(r);
    if (at_end) {
        uint64_t end = r->next;
        if (r->fin)
            end = max_u64(end, r->fin_at);
        else if (r->acked_known)
            end = max_u64(end, r->acked);
        add_gap(r, end - r->next);
        r->closed = true;
    }
    flush_gap(r);
    if (at_end)
        hist_drop(r);
}

bool reasm_done(const struct reasm *r)
{
    return r->fin && r->next >= r->fin_at;
}

bool reasm_in_window(const struct reasm *r, uint32_t seq, uint64_t window)
{
    if (!r->has_base)
        return true;
    int64_t o = offset_of(r, seq);
    uint64_t lo = r->next, hi = max_u64(r->max_end, r->next);
    if (r->acked_known) {
        lo = min_u64(lo, r->acked);
        hi = max_u64(hi, r->acked);
    }
    if (r->fin)
        hi = max_u64(hi, r->fin_at + 1);
    return o >= 0 && (uint64_t)o >= lo && (uint64_t)o <= hi + window;
}
