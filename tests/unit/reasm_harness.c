/* reasm_harness: the recorder shared by the reassembly unit tests (see
 * reasm_harness.h). Spec: src/reasm.h. */
#include "reasm_harness.h"

#include <check.h>
#include <stdio.h>
#include <string.h>

static void rec_put(struct rec *c, const char *s, size_t n)
{
    if (c->len + n >= sizeof c->log)
        n = sizeof c->log - 1 - c->len;
    memcpy(c->log + c->len, s, n);
    c->len += n;
    c->log[c->len] = '\0';
}

static void rec_data(void *u, const uint8_t *p, size_t n, uint64_t ts)
{
    (void)ts;
    struct rec *c = u;
    ck_assert_uint_gt(n, 0);
    if (!c->last_data)
        rec_put(c, c->len ? "|D:" : "D:", c->len ? 3 : 2);
    rec_put(c, (const char *)p, n);
    c->last_data = true;
}

static void rec_gap(void *u, uint64_t n, uint64_t ts)
{
    (void)ts;
    struct rec *c = u;
    ck_assert_uint_gt(n, 0);
    char b[32];
    int k = snprintf(b, sizeof b, "%sG:%llu", c->len ? "|" : "", (unsigned long long)n);
    rec_put(c, b, (size_t)k);
    c->last_data = false;
}

static void rec_anomaly(void *u, uint64_t ts, const char *name, const char *detail)
{
    (void)ts;
    struct rec *c = u;
    size_t l = strlen(c->anomalies);
    snprintf(c->anomalies + l, sizeof c->anomalies - l, "%s%s: %s", l ? "\n" : "", name, detail);
    c->nanom++;
}

const struct reasm_sink SINK = {rec_data, rec_gap, rec_anomaly};

void rec_init_policy(struct rec *c, struct reasm_pool *pool, size_t hole_cap, enum overlap_policy pol)
{
    memset(c, 0, sizeof *c);
    reasm_init(&c->r, pool, hole_cap, pol, &SINK, c, &c->st);
}

void rec_init(struct rec *c, struct reasm_pool *pool, size_t hole_cap)
{
    rec_init_policy(c, pool, hole_cap, limits_default().tcp_overlap);
}

void rec_start(struct rec *c, struct reasm_pool *pool, size_t pool_cap, size_t hole_cap)
{
    reasm_pool_init(pool, pool_cap);
    rec_init(c, pool, hole_cap);
}

void rec_end(struct rec *c, struct reasm_pool *pool)
{
    reasm_free(&c->r);
    ck_assert_uint_eq(pool->used, 0);
}

void seg(struct rec *c, uint32_t isn, uint32_t off, const char *s)
{
    reasm_data(&c->r, isn + 1 + off, (const uint8_t *)s, strlen(s), strlen(s), 1);
}
