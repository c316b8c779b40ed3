/* Unit tests for anomaly_budget: per-connection, per-name caps on anomaly
 * records, the counts of what was held back, and the connection table. */
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anomaly_budget.h"

/* what abudget_conn_end / abudget_totals handed out, as "name=n,..." text */
struct got {
    char text[512];
};

static void got_one(void *u, const char *name, uint64_t n)
{
    struct got *g = u;
    size_t l = strlen(g->text);
    snprintf(g->text + l, sizeof g->text - l, "%s%s=%llu", l ? "," : "", name, (unsigned long long)n);
}

static void got_total(void *u, const char *name, uint64_t seen, uint64_t suppressed)
{
    struct got *g = u;
    size_t l = strlen(g->text);
    snprintf(g->text + l, sizeof g->text - l, "%s%s=%llu/%llu", l ? "," : "", name, (unsigned long long)seen,
             (unsigned long long)suppressed);
}

static unsigned admitted(struct anomaly_budget *b, uint64_t conn, const char *name, unsigned times)
{
    unsigned n = 0;
    for (unsigned i = 0; i < times; i++)
        n += abudget_admit(b, conn, name);
    return n;
}

START_TEST(each_name_capped_per_connection)
{
    struct anomaly_budget *b = abudget_new(3);
    ck_assert_uint_eq(admitted(b, 1, "pending_limit", 5), 3);   /* 3 written, 2 held back */
    ck_assert_uint_eq(admitted(b, 1, "fid_reused", 2), 2);      /* another name: its own budget */
    ck_assert_uint_eq(admitted(b, 2, "pending_limit", 4), 3);   /* another connection: its own */
    ck_assert_uint_eq(admitted(b, 0, "flow_table_full", 2), 0); /* no connection: counted only */
    ck_assert_uint_eq(abudget_suppressed_total(b), 3);

    struct got g = {""};
    ck_assert_uint_eq(abudget_conn_end(b, 1, got_one, &g), 1);
    ck_assert_str_eq(g.text, "pending_limit=2");
    /* said once: a second end reports nothing new */
    g.text[0] = 0;
    ck_assert_uint_eq(abudget_conn_end(b, 1, got_one, &g), 0);
    ck_assert_str_eq(g.text, "");
    /* late anomalies after the end stay bounded: the written count is kept */
    ck_assert_uint_eq(admitted(b, 1, "pending_limit", 2), 0);
    ck_assert_uint_eq(admitted(b, 1, "fid_reused", 2), 1);

    g.text[0] = 0;
    abudget_totals(b, got_total, &g);
    /* name order, every occurrence seen, those held back */
    ck_assert_str_eq(g.text, "fid_reused=4/1,flow_table_full=2/0,pending_limit=11/5");
    ck_assert_uint_eq(abudget_suppressed_total(b), 6);

    /* a forgotten connection starts afresh (a new one would have a new number) */
    abudget_forget(b, 1);
    ck_assert_uint_eq(abudget_conns(b), 1);
    ck_assert_uint_eq(admitted(b, 1, "pending_limit", 4), 3);
    abudget_free(b);
}
END_TEST

START_TEST(names_reported_in_order_with_counts)
{
    struct anomaly_budget *b = abudget_new(1);
    admitted(b, 7, "zeta", 4);
    admitted(b, 7, "alpha", 2);
    admitted(b, 7, "mid", 1);   /* within budget: not in the record */
    struct got g = {""};
    ck_assert_uint_eq(abudget_conn_end(b, 7, got_one, &g), 2);
    ck_assert_str_eq(g.text, "alpha=1,zeta=3");
    /* a connection that never had an anomaly has nothing to say */
    ck_assert_uint_eq(abudget_conn_end(b, 8, got_one, &g), 0);
    ck_assert_uint_eq(abudget_conn_end(b, 0, got_one, &g), 0);
    abudget_free(b);
}
END_TEST

START_TEST(zero_budget_writes_nothing)
{
    struct anomaly_budget *b = abudget_new(0);
    ck_assert_uint_eq(admitted(b, 1, "x", 10), 0);
    struct got g = {""};
    ck_assert_uint_eq(abudget_conn_end(b, 1, got_one, &g), 1);
    ck_assert_str_eq(g.text, "x=10");
    abudget_free(b);
}
END_TEST

/* many connections, half forgotten in a scattered order: every one left is
 * still found with its own counts (deletion keeps probe runs whole) */
START_TEST(connection_table_survives_forgetting)
{
    enum { N = 20000 };
    struct anomaly_budget *b = abudget_new(2);
    for (uint64_t c = 1; c <= N; c++)
        ck_assert_uint_eq(admitted(b, c, "a", 1), 1);
    ck_assert_uint_eq(abudget_conns(b), N);
    for (uint64_t i = 0; i < N; i++) {
        uint64_t c = (i * 7919) % N + 1;   /* a permutation of 1..N (7919 is prime, N is not its multiple) */
        if (c % 2)
            abudget_forget(b, c);
    }
    abudget_forget(b, N + 5);   /* unknown: nothing happens */
    ck_assert_uint_eq(abudget_conns(b), N / 2);
    for (uint64_t c = 1; c <= N; c++) {
        /* kept ones had used 1 of 2; forgotten ones start again at 0 of 2 */
        unsigned want = c % 2 ? 2 : 1;
        ck_assert_uint_eq(admitted(b, c, "a", 3), want);
    }
    ck_assert_uint_eq(abudget_conns(b), N);
    abudget_free(b);
}
END_TEST

/* connection numbers that collide (any 64-bit values, not consecutive ones
 * the hash spreads evenly), in a table kept small (at most 31 in 64 slots),
 * so probe runs form, and some wrap from the last slot to the first; each
 * round forgets a scattered half: the rest must still be found */
static uint64_t xorshift(uint64_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

START_TEST(probe_runs_survive_forgetting_across_the_wrap)
{
    enum { K = 31, ROUNDS = 2000 };
    uint64_t x = 0x9e3779b97f4a7c15u;
    for (int round = 0; round < ROUNDS; round++) {
        struct anomaly_budget *b = abudget_new(1);
        uint64_t conns[K];
        for (int i = 0; i < K; i++) {
            do
                conns[i] = xorshift(&x);
            while (conns[i] == 0);
            ck_assert_uint_eq(admitted(b, conns[i], "a", 1), 1);
        }
        bool gone[K] = {false};
        for (int i = 0; i < K; i++) {
            int j = (int)(xorshift(&x) % K);
            if (!gone[j] && (xorshift(&x) & 1)) {
                abudget_forget(b, conns[j]);
                gone[j] = true;
            }
        }
        /* kept ones have used their one record; forgotten ones start again */
        for (int i = 0; i < K; i++)
            ck_assert_uint_eq(admitted(b, conns[i], "a", 1), gone[i] ? 1 : 0);
        abudget_free(b);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("anomaly_budget");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, each_name_capped_per_connection);
    tcase_add_test(tc, names_reported_in_order_with_counts);
    tcase_add_test(tc, zero_budget_writes_nothing);
    tcase_add_test(tc, connection_table_survives_forgetting);
    tcase_add_test(tc, probe_runs_survive_forgetting_across_the_wrap);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
