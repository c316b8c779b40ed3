/* reasm_tree: the out-of-order segments of one TCP direction, kept as a treap
 * keyed by stream offset. Nodes never overlap. A treap (random priorities)
 * keeps every operation O(log n) expected whatever order segments arrive in,
 * where a sorted list degrades to O(n) per insert on crafted 1-byte segments. */
#ifndef SMBSCOPE_REASM_TREE_H
#define SMBSCOPE_REASM_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rnode {
    struct rnode *l, *r;   /* children; in a flattened list, r is "next" */
    uint64_t start;        /* stream offset of the first byte */
    size_t len;            /* > 0 */
    uint32_t prio;         /* heap order: parent prio >= child prio */
    bool missing;          /* known lost (snap-length cut): no data, delivered as a gap */
    uint8_t data[];        /* len bytes unless missing */
};

static inline uint64_t rnode_end(const struct rnode *n) { return n->start + n->len; }
/* bytes of memory a node accounts for (payload and header) */
static inline size_t rnode_mem(const struct rnode *n) { return sizeof *n + (n->missing ? 0 : n->len); }

/* lo gets the nodes with start < key, hi the rest */
void rt_split(struct rnode *t, uint64_t key, struct rnode **lo, struct rnode **hi);
/* every start in a is below every start in b */
struct rnode *rt_merge(struct rnode *a, struct rnode *b);
struct rnode *rt_min(struct rnode *t);
struct rnode *rt_max(struct rnode *t);
/* detach and return the smallest node (NULL if empty) */
struct rnode *rt_pop_min(struct rnode **t);
/* turn a tree into an in-order list linked through ->r (->l cleared) */
struct rnode *rt_flatten(struct rnode *t);
/* build a tree from an in-order list linked through ->r */
struct rnode *rt_from_list(struct rnode *list);

#endif
