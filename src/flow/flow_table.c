/* flow_table: the hash of flows and their timeout lists: lookup, creation,
 * the choice of the flow to evict and of what is due to expire, teardown.
 * It never ends a flow itself: flow_end.c asks it what is due (ft_next_due,
 * ft_victim) and ends those flows, so this file knows nothing of flow_end.c.
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

static uint64_t key_hash(const struct flow_table *t, const struct flow_key *k)
{
    /* the key is zeroed before it is filled (padding too): hash its bytes */
    return siphash24(&t->hkey, k, sizeof *k);
}

/* The recent-flows slot of a key: its ports and the low bytes of its
 * addresses folded, no secret. A peer can make its flows share a slot, which
 * only sends them to the keyed table (the cache decides nothing else). */
static size_t ft_recent_slot(const struct flow_key *k)
{
    unsigned v = (unsigned)(k->port[0] ^ k->port[1]) ^ k->addr[0][3] ^ k->addr[1][3] ^ k->addr[0][15] ^
                 k->addr[1][15];
    return (v ^ v >> 4) & (FT_RECENT - 1);
}

struct flow *ft_lookup(struct flow_table *t, const struct flow_key *k)
{
    /* segments come in runs of a few flows (a READ's response is dozens of
     * them): a recent flow is checked before the key is hashed */
    struct flow **slot = &t->recent[ft_recent_slot(k)];
    if (*slot && flow_key_eq(&(*slot)->key, k))
        return *slot;
    for (struct hnode *n = htab_first(&t->tab, key_hash(t, k)); n; n = htab_next(n)) {
        struct flow *f = HTAB_ENTRY(n, struct flow, hn);
        if (flow_key_eq(&f->key, k))
            return *slot = f;
    }
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
    if (t->recent[ft_recent_slot(&f->key)] == f)
        t->recent[ft_recent_slot(&f->key)] = NULL;
    htab_remove(&t->tab, &f->hn);
    list_unlink(t, f);
    if (f->aprev)
        f->aprev->anext = f->anext;
    else
        t->ahead = f->anext;
    if (f->anext)
        f->anext->aprev = f->aprev;
    else
        t->atail = f->aprev;
    mb_free(t->mb, f, sizeof *f);
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

struct flow *ft_idlest_live(const struct flow_table *t)
{
    static const enum flow_list live[] = {FLIST_HALFOPEN, FLIST_EST, FLIST_RESET};
    struct flow *v = NULL;
    for (size_t i = 0; i < sizeof live / sizeof live[0]; i++) {
        struct flow *h = t->lhead[live[i]];
        if (h && (!v || h->last_us < v->last_us))
            v = h;
    }
    return v;
}

struct flow *ft_create(struct flow_table *t, const struct flow_key *k, int src_ep, uint64_t ts_us)
{
    struct flow *f = mb_calloc(t->mb, sizeof *f);
    f->key = *k;
    f->side0_ep = (uint8_t)src_ep;
    f->num = ++t->next_num;
    f->start_us = ts_us;
    f->last_us = t->clock;
    htab_insert(&t->tab, &f->hn, key_hash(t, k));
    f->aprev = t->atail;
    if (t->atail)
        t->atail->anext = f;
    else
        t->ahead = f;
    t->atail = f;
    list_append(t, f, FLIST_HALFOPEN);
    t->count++;
    t->stats.flows++;
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
    t->sha1 = cfg->sha1;
    t->sha256 = cfg->sha256;
    if (cfg->nports) {
        t->ports = malloc(cfg->nports * sizeof *t->ports);
        if (!t->ports) {
            ft_free(t);
            return NULL;
        }
        memcpy(t->ports, cfg->ports, cfg->nports * sizeof *t->ports);
        t->nports = cfg->nports;
    }
    /* a secret per run: the peers choose the keys. It only spreads chains
     * and never changes what is output (records follow the `a` list) */
    hkey_random(&t->hkey);
    t->mb = cfg->mb;
    t->tab.mb = cfg->mb;
    reasm_pool_init(&t->pool, t->lim.reasm_total_bytes);
    t->pool.mb = cfg->mb;
    return t;
}

void ft_free(struct flow_table *t)
{
    htab_free(&t->tab);
    free(t->ports);
    free(t);
}

const struct flow_stats *flow_table_stats(const struct flow_table *t)
{
    return &t->stats;   /* reasm_mem_peak is copied from the pool after every packet */
}
