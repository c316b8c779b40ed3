/* anomaly_budget: per-connection, per-name caps on anomaly records; see
 * anomaly_budget.h. Spec: none (smbscope's output policy). */
#include "anomaly_budget.h"

#include <stdlib.h>
#include <string.h>

/* one anomaly name seen in the run */
struct ab_name {
    char *name;
    uint64_t seen, suppressed;
};

/* one name's counts on one connection */
struct ab_count {
    uint32_t name;            /* index into names */
    uint64_t written, suppressed;
};

struct ab_conn {
    uint64_t conn;
    struct ab_count *v;
    size_t n, cap;
};

struct anomaly_budget {
    uint64_t per_conn;
    struct ab_name *names;    /* in order of first sight: indexes stay valid */
    size_t n_names, cap_names;
    uint64_t suppressed_total;
    /* open addressing, linear probing, keyed by connection number */
    struct ab_conn **slots;
    size_t cap_slots;         /* a power of two, or 0 */
    size_t n_conns;
};

static void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n);
    if (!q)
        abort(); /* out of memory, as everywhere here: sizes are bounded */
    return q;
}

struct anomaly_budget *abudget_new(uint64_t per_conn)
{
    struct anomaly_budget *b = calloc(1, sizeof *b);
    if (b)
        b->per_conn = per_conn;
    return b;
}

void abudget_free(struct anomaly_budget *b)
{
    if (!b)
        return;
    for (size_t i = 0; i < b->cap_slots; i++)
        if (b->slots[i]) {
            free(b->slots[i]->v);
            free(b->slots[i]);
        }
    free(b->slots);
    for (size_t i = 0; i < b->n_names; i++)
        free(b->names[i].name);
    free(b->names);
    free(b);
}

/* the names are smbscope's own (a few dozen string constants), never wire
 * text: a scan is as fast as a hash at this size */
static uint32_t name_index(struct anomaly_budget *b, const char *name)
{
    for (size_t i = 0; i < b->n_names; i++)
        if (strcmp(b->names[i].name, name) == 0)
            return (uint32_t)i;
    if (b->n_names == b->cap_names) {
        b->cap_names = b->cap_names ? b->cap_names * 2 : 32;
        b->names = xrealloc(b->names, b->cap_names * sizeof *b->names);
    }
    char *copy = strdup(name);
    if (!copy)
        abort();
    b->names[b->n_names] = (struct ab_name){.name = copy};
    return (uint32_t)b->n_names++;
}

/* Fibonacci hashing: connection numbers are consecutive, this spreads them */
static size_t slot_of(const struct anomaly_budget *b, uint64_t conn)
{
    return (size_t)((conn * UINT64_C(0x9E3779B97F4A7C15)) >> 32) & (b->cap_slots - 1);
}

static size_t find_slot(const struct anomaly_budget *b, uint64_t conn)
{
    size_t i = slot_of(b, conn);
    while (b->slots[i] && b->slots[i]->conn != conn)
        i = (i + 1) & (b->cap_slots - 1);
    return i;
}

static void grow_slots(struct anomaly_budget *b)
{
    size_t old_cap = b->cap_slots;
    struct ab_conn **old = b->slots;
    b->cap_slots = old_cap ? old_cap * 2 : 64;
    b->slots = calloc(b->cap_slots, sizeof *b->slots);
    if (!b->slots)
        abort();
    for (size_t i = 0; i < old_cap; i++)
        if (old[i])
            b->slots[find_slot(b, old[i]->conn)] = old[i];
    free(old);
}

static struct ab_conn *conn_get(struct anomaly_budget *b, uint64_t conn, bool create)
{
    if (b->cap_slots) {
        size_t i = find_slot(b, conn);
        if (b->slots[i] || !create)
            return b->slots[i];
    } else if (!create) {
        return NULL;
    }
    /* at most half full: probes stay short */
    if ((b->n_conns + 1) * 2 > b->cap_slots)
        grow_slots(b);
    struct ab_conn *c = calloc(1, sizeof *c);
    if (!c)
        abort();
    c->conn = conn;
    b->slots[find_slot(b, conn)] = c;
    b->n_conns++;
    return c;
}

static struct ab_count *count_of(struct ab_conn *c, uint32_t name)
{
    for (size_t i = 0; i < c->n; i++)
        if (c->v[i].name == name)
            return &c->v[i];
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 4;
        c->v = xrealloc(c->v, c->cap * sizeof *c->v);
    }
    c->v[c->n] = (struct ab_count){.name = name};
    return &c->v[c->n++];
}

bool abudget_admit(struct anomaly_budget *b, uint64_t conn, const char *name)
{
    uint32_t ni = name_index(b, name);
    b->names[ni].seen++;
    if (conn == 0)
        return false;
    struct ab_count *k = count_of(conn_get(b, conn, true), ni);
    if (k->written < b->per_conn) {
        k->written++;
        return true;
    }
    k->suppressed++;
    b->names[ni].suppressed++;
    b->suppressed_total++;
    return false;
}

struct named_count {
    const char *name;
    uint64_t n;               /* a count, or an index into names */
};

static int cmp_named(const void *x, const void *y)
{
    return strcmp(((const struct named_count *)x)->name, ((const struct named_count *)y)->name);
}

size_t abudget_conn_end(struct anomaly_budget *b, uint64_t conn,
                        void (*fn)(void *u, const char *name, uint64_t suppressed), void *u)
{
    struct ab_conn *c = conn ? conn_get(b, conn, false) : NULL;
    if (!c)
        return 0;
    size_t n = 0;
    for (size_t i = 0; i < c->n; i++)
        n += c->v[i].suppressed != 0;
    if (!n)
        return 0;
    struct named_count *v = malloc(n * sizeof *v);
    if (!v)
        abort();
    n = 0;
    for (size_t i = 0; i < c->n; i++)
        if (c->v[i].suppressed) {
            v[n++] = (struct named_count){b->names[c->v[i].name].name, c->v[i].suppressed};
            c->v[i].suppressed = 0;
        }
    /* name order: the record must not depend on which anomaly came first */
    qsort(v, n, sizeof *v, cmp_named);
    for (size_t i = 0; i < n; i++)
        fn(u, v[i].name, v[i].n);
    free(v);
    return n;
}

void abudget_forget(struct anomaly_budget *b, uint64_t conn)
{
    if (!b->cap_slots || conn == 0)
        return;
    size_t i = find_slot(b, conn);
    if (!b->slots[i])
        return;
    free(b->slots[i]->v);
    free(b->slots[i]);
    b->slots[i] = NULL;
    b->n_conns--;
    /* backward-shift deletion: move later members of the probe run into the
     * hole when their home slot does not lie between the hole and them */
    size_t mask = b->cap_slots - 1, hole = i;
    for (size_t j = (i + 1) & mask; b->slots[j]; j = (j + 1) & mask) {
        size_t home = slot_of(b, b->slots[j]->conn);
        bool stays = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);
        if (!stays) {
            b->slots[hole] = b->slots[j];
            b->slots[j] = NULL;
            hole = j;
        }
    }
}

void abudget_totals(struct anomaly_budget *b,
                    void (*fn)(void *u, const char *name, uint64_t seen, uint64_t suppressed), void *u)
{
    if (!b->n_names)
        return;
    struct named_count *order = malloc(b->n_names * sizeof *order);
    if (!order)
        abort();
    for (size_t i = 0; i < b->n_names; i++)
        order[i] = (struct named_count){b->names[i].name, i};
    qsort(order, b->n_names, sizeof *order, cmp_named);
    for (size_t i = 0; i < b->n_names; i++) {
        const struct ab_name *nm = &b->names[order[i].n];
        fn(u, nm->name, nm->seen, nm->suppressed);
    }
    free(order);
}

uint64_t abudget_suppressed_total(const struct anomaly_budget *b) { return b->suppressed_total; }

size_t abudget_conns(const struct anomaly_budget *b) { return b->n_conns; }
