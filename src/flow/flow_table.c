/* flow_table: the hash of flows and their timeout lists: lookup, creation,
 * the choice of the flow to evict and of what is due to expire, teardown.
 * It never ends a flow itself: flow.c asks it what is due (ft_next_due,
 * ft_victim) and ends those flows, so this file knows nothing of flow.c.
 *
 * Timeouts are cheap: each class of flow (half-open, established, closed and
 * lingering) has its own list ordered by last activity, and flows in their
 * RST grace one ordered by the time of the RST, so the expired flows are
 * always at the heads; the reassembly pool keeps the directions in an ACK
 * grace the same way (reasm_pool_grace), so a packet checks five heads, never
 * the table. The clock is the highest packet timestamp seen, so a timestamp
 * going backwards in a messy capture cannot reorder the lists. */
#include <stdlib.h>
#include <string.h>

#include "flow_internal.h"

#define FT_MIN_BUCKETS 256u

/* ---- lists ---- */

static void list_unlink(struct flow_table *t, struct flow *f)
{
    enum flow_list l = (enum flow_list)f->list;
    if (f->lprev)
        f->lprev->lnext = f->lnext;
    else
        t->lhead[l] = f->lnext;
    if (f->lnext)
        f->lnext->lprev = f->lprev;
    else
        t->ltail[l] = f->lprev;
    f->lprev = f->lnext = NULL;
}

static void list_append(struct flow_table *t, struct flow *f, enum flow_list l)
{
    f->list = (uint8_t)l;
    f->lprev = t->ltail[l];
    f->lnext = NULL;
    if (t->ltail[l])
        t->ltail[l]->lnext = f;
    else
        t->lhead[l] = f;
    t->ltail[l] = f;
}

void ft_touch(struct flow_table *t, struct flow *f, enum flow_list l)
{
    if (f->list == l && t->ltail[l] == f)
        return;
    list_unlink(t, f);
    list_append(t, f, l);
}

/* ---- hash ---- */

static size_t bucket_of(const struct flow_table *t, const struct flow_key *k)
{
    return (size_t)(flow_key_hash(k, t->seed) & (t->nbuckets - 1));
}

/* doubling keeps chains short; if memory is short the table just gets slower */
static void maybe_grow(struct flow_table *t)
{
    if (t->count < t->nbuckets || t->nbuckets > SIZE_MAX / 2 / sizeof(struct flow *))
        return;
    size_t nb = t->nbuckets * 2;
    struct flow **b = calloc(nb, sizeof *b);
    if (!b)
        return;
    struct flow **old = t->buckets;
    size_t on = t->nbuckets;
    t->buckets = b;
    t->nbuckets = nb;
    for (size_t i = 0; i < on; i++) {
        struct flow *f = old[i];
        while (f) {
            struct flow *n = f->hnext;
            size_t j = bucket_of(t, &f->key);
            f->hnext = b[j];
            b[j] = f;
            f = n;
        }
    }
    free(old);
}

struct flow *ft_lookup(struct flow_table *t, const struct flow_key *k)
{
    for (struct flow *f = t->buckets[bucket_of(t, k)]; f; f = f->hnext)
        if (flow_key_eq(&f->key, k))
            return f;
    return NULL;
}

bool ft_port_listed(const struct flow_table *t, uint16_t port)
{
    for (size_t i = 0; i < t->nports; i++)
        if (t->ports[i] == port)
            return true;
    return false;
}

/* ---- lifetime ---- */

void ft_destroy(struct flow_table *t, struct flow *f)
{
    struct flow **pp = &t->buckets[bucket_of(t, &f->key)];
    while (*pp && *pp != f)
        pp = &(*pp)->hnext;
    if (*pp)
        *pp = f->hnext;
    list_unlink(t, f);
    if (f->aprev)
        f->aprev->anext = f->anext;
    else
        t->ahead = f->anext;
    if (f->anext)
        f->anext->aprev = f->aprev;
    else
        t->atail = f->aprev;
    free(f);
    t->count--;
}

/* when the flow at the head of list l is due */
static uint64_t deadline_us(const struct flow_table *t, const struct flow *f, enum flow_list l)
{
    if (l == FLIST_RESET)
        return f->rst_us + FLOW_RST_GRACE_US;   /* fixed at the RST */
    /* closed flows linger as long as a half-open one may wait: long enough
     * for retransmissions and the last ACKs, short enough to free them soon */
    uint32_t s = l == FLIST_EST ? t->lim.idle_timeout_s : t->lim.halfopen_timeout_s;
    return f->last_us + (uint64_t)s * 1000000u;
}

bool ft_full(const struct flow_table *t)
{
    size_t max = t->lim.max_flows ? t->lim.max_flows : 1;
    return t->count >= max && t->count;
}

/* room for one more flow: the idlest goes, closed ones first, then those
 * reset and in their grace, then half-open, then established */
struct flow *ft_victim(const struct flow_table *t)
{
    if (t->lhead[FLIST_CLOSED])
        return t->lhead[FLIST_CLOSED];
    if (t->lhead[FLIST_RESET])
        return t->lhead[FLIST_RESET];
    return t->lhead[FLIST_HALFOPEN] ? t->lhead[FLIST_HALFOPEN] : t->lhead[FLIST_EST];
}

struct flow *ft_create(struct flow_table *t, const struct flow_key *k, int src_ep, uint64_t ts_us)
{
    struct flow *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    f->key = *k;
    f->side0_ep = (uint8_t)src_ep;
    f->num = ++t->next_num;
    f->start_us = ts_us;
    f->last_us = t->clock;
    size_t b = bucket_of(t, k);
    f->hnext = t->buckets[b];
    t->buckets[b] = f;
    f->aprev = t->atail;
    if (t->atail)
        t->atail->anext = f;
    else
        t->ahead = f;
    t->atail = f;
    list_append(t, f, FLIST_HALFOPEN);
    t->count++;
    t->stats.flows++;
    maybe_grow(t);
    return f;
}

enum ft_due ft_next_due(const struct flow_table *t, uint64_t now, struct flow **fp, struct reasm **rp)
{
    struct flow *v = NULL;
    uint64_t best = 0;
    for (int l = 0; l < FLIST_N; l++) {
        struct flow *h = t->lhead[l];
        if (!h)
            continue;
        uint64_t d = deadline_us(t, h, (enum flow_list)l);
        if (!v || d < best) {
            v = h;
            best = d;
        }
    }
    /* ACK graces of the reassembly (reasm.h rule (a)), in the same order */
    uint64_t gd = 0;
    struct reasm *g = reasm_pool_grace(&t->pool, &gd);
    if (g && gd < now && (!v || gd <= best)) {
        *rp = g;
        return FT_DUE_GRACE;
    }
    if (!v || best >= now)
        return FT_DUE_NONE;
    *fp = v;
    return v->list == FLIST_RESET ? FT_DUE_RESET : FT_DUE_FLOW;
}

/* ---- public API ---- */

struct flow_table *flow_table_new(const struct flow_config *cfg)
{
    if (!cfg || !cfg->lim || !cfg->app)
        return NULL;
    struct flow_table *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->lim = *cfg->lim;
    t->app = cfg->app;
    t->app_ctx = cfg->app_ctx;
    t->em = cfg->em;
    t->uid_salt = cfg->uid_salt;
    if (cfg->nports) {
        t->ports = malloc(cfg->nports * sizeof *t->ports);
        if (!t->ports) {
            free(t);
            return NULL;
        }
        memcpy(t->ports, cfg->ports, cfg->nports * sizeof *t->ports);
        t->nports = cfg->nports;
    }
    t->nbuckets = FT_MIN_BUCKETS;
    t->buckets = calloc(t->nbuckets, sizeof *t->buckets);
    if (!t->buckets) {
        free(t->ports);
        free(t);
        return NULL;
    }
    /* the seed only spreads chains; it never changes what is output */
    t->seed = (uint64_t)(uintptr_t)t ^ 0x5bd1e9955bd1e995ull;
    reasm_pool_init(&t->pool, t->lim.reasm_total_bytes);
    return t;
}

void ft_free(struct flow_table *t)
{
    free(t->buckets);
    free(t->ports);
    free(t);
}

const struct flow_stats *flow_table_stats(const struct flow_table *t)
{
    return &t->stats;   /* reasm_mem_peak is copied from the pool after every packet */
}
