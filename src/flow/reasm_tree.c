/* reasm_tree: treap split/merge primitives for reassembly segments.
 * Recursion depth is the tree height, O(log n) expected with random
 * priorities (about 40 levels for a million nodes). */
#include "reasm_tree.h"

void rt_split(struct rnode *t, uint64_t key, struct rnode **lo, struct rnode **hi)
{
    if (!t) {
        *lo = *hi = NULL;
        return;
    }
    if (t->start < key) {
        rt_split(t->r, key, &t->r, hi);
        *lo = t;
    } else {
        rt_split(t->l, key, lo, &t->l);
        *hi = t;
    }
}

struct rnode *rt_merge(struct rnode *a, struct rnode *b)
{
    if (!a)
        return b;
    if (!b)
        return a;
    if (a->prio >= b->prio) {
        a->r = rt_merge(a->r, b);
        return a;
    }
    b->l = rt_merge(a, b->l);
    return b;
}

struct rnode *rt_min(struct rnode *t)
{
    while (t && t->l)
        t = t->l;
    return t;
}

struct rnode *rt_max(struct rnode *t)
{
    while (t && t->r)
        t = t->r;
    return t;
}

struct rnode *rt_pop_min(struct rnode **t)
{
    struct rnode **pp = t;
    if (!*pp)
        return NULL;
    while ((*pp)->l)
        pp = &(*pp)->l;
    struct rnode *m = *pp;
    *pp = m->r;   /* the min has no left child; its right subtree takes its place */
    m->l = m->r = NULL;
    return m;
}

/* appends t's nodes in order after *tail */
static void flatten_into(struct rnode *t, struct rnode ***tail)
{
    while (t) {
        struct rnode *l = t->l, *r = t->r;
        flatten_into(l, tail);
        t->l = t->r = NULL;
        **tail = t;
        *tail = &t->r;
        t = r;   /* loop instead of recursing on the right spine */
    }
}

struct rnode *rt_flatten(struct rnode *t)
{
    struct rnode *head = NULL, **tail = &head;
    flatten_into(t, &tail);
    return head;
}

struct rnode *rt_from_list(struct rnode *list)
{
    struct rnode *root = NULL;
    while (list) {
        struct rnode *n = list;
        list = n->r;
        n->l = n->r = NULL;
        root = rt_merge(root, n);
    }
    return root;
}
