/* reasm_pool: the reassembly pool shared by every direction: its intrusive
 * lists (holders, history LRU, ACK graces) and the accounting of segment
 * nodes against the budget (see reasm.h rule (c)). */
#include <stdlib.h>
#include <string.h>

#include "reasm_internal.h"

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

void reasm_holders_unlink(struct reasm *r)
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

void reasm_hists_unlink(struct reasm *r)
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
void reasm_hists_touch(struct reasm *r)
{
    struct reasm_pool *p = r->pool;
    if (r->in_hists) {
        if (p->hists_tail == r)
            return;
        reasm_hists_unlink(r);
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
void reasm_graces_link(struct reasm *r)
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

void reasm_graces_unlink(struct reasm *r)
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

struct rnode *reasm_node_new(struct reasm *r, uint64_t start, size_t len, const uint8_t *data, bool missing)
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
        reasm_holders_unlink(r);
}

void reasm_node_free(struct reasm *r, struct rnode *n)
{
    node_unaccount(r, n);
    free(n);
}
