/* Unit tests for how reassembly holes end without ACK evidence: the hole
 * cap, the pool budget, FIN and flush; and random segment soups checked
 * against a reference model under both overlap policies. Exact callback
 * sequences as in test_reasm.c. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reasm_harness.h"

START_TEST(hole_cap_declares_the_first_hole)
{
    struct reasm_pool pool;
    struct rec c;
    rec_start(&c, &pool, 1 << 20, 10);
    reasm_isn(&c.r, ISN);
    seg(&c, ISN, 0, "ab");
    seg(&c, ISN, 5, "fghij");        /* 5 buffered */
    seg(&c, ISN, 12, "mnopq");       /* 10 buffered: not over the cap */
    ck_assert_str_eq(c.log, "D:ab");
    seg(&c, ISN, 18, "s");           /* 11 > 10: first hole goes, then the next is within the cap */
    ck_assert_str_eq(c.log, "D:ab|G:3|D:fghij");
    seg(&c, ISN, 20, "uvwxyz");      /* 12 buffered: declare [10,12) */
    ck_assert_str_eq(c.log, "D:ab|G:3|D:fghij|G:2|D:mnopq");
    ck_assert_uint_eq(c.r.held, 7);
    reasm_flush(&c.r, true, 2);
    ck_assert_str_eq(c.log, "D:ab|G:3|D:fghij|G:2|D:mnopq|G:1|D:s|G:1|D:uvwxyz");
    reasm_free(&c.r);
}
END_TEST

START_TEST(pool_budget_flushes_the_biggest_old_holder)
{
    struct reasm_pool pool;
    /* room for two nodes of 100 bytes, not three */
    reasm_pool_init(&pool, 2 * (sizeof(struct rnode) + 100) + 20);
    struct rec a, b;
    rec_init(&a, &pool, 1 << 20);
    rec_init(&b, &pool, 1 << 20);
    reasm_isn(&a.r, ISN);
    reasm_isn(&b.r, ISN);
    char big[101], small[11];
    memset(big, 'B', 100);
    big[100] = 0;
    memset(small, 's', 10);
    small[10] = 0;
    seg(&a, ISN, 10, small);
    seg(&b, ISN, 10, big);
    seg(&a, ISN, 30, big);
    /* a holds 110 bytes and is the oldest holder: it is flushed */
    ck_assert_int_eq(a.nanom, 1);
    ck_assert_ptr_nonnull(strstr(a.anomalies, "reasm_memory_limit"));
    ck_assert_str_eq(a.log, "G:10|D:ssssssssss|G:10|D:BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB");
    ck_assert_str_eq(b.log, "");
    ck_assert_uint_eq(pool.reclaims, 1);
    ck_assert_uint_eq(pool.held_peak, 3 * sizeof(struct rnode) + 210);
    seg(&b, ISN, 0, "0123456789");
    ck_assert_uint_eq(strlen(b.log), 2 + 110);
    reasm_free(&a.r);
    reasm_free(&b.r);
    ck_assert_uint_eq(pool.used, 0);
}
END_TEST

START_TEST(fin_and_flush_deliver_everything_with_gaps)
{
    struct reasm_pool pool;
    struct rec c;
    rec_start(&c, &pool, 1 << 20, 1 << 16);
    reasm_isn(&c.r, ISN);
    seg(&c, ISN, 0, "ab");
    seg(&c, ISN, 4, "ef");
    seg(&c, ISN, 9, "j");
    reasm_fin(&c.r, ISN + 1 + 12, 1);
    ck_assert(!reasm_done(&c.r));
    seg(&c, ISN, 11, "lmn");          /* "mn" is past the FIN */
    ck_assert_int_eq(c.nanom, 1);
    ck_assert_str_eq(c.anomalies, "tcp_data_after_fin: bytes [12,14) after the FIN at 12; ignored");
    reasm_flush(&c.r, true, 2);
    ck_assert_str_eq(c.log, "D:ab|G:2|D:ef|G:3|D:j|G:1|D:l");
    ck_assert(reasm_done(&c.r));
    seg(&c, ISN, 12, "zz");
    ck_assert_int_eq(c.nanom, 2);
    ck_assert_ptr_nonnull(strstr(c.anomalies, "tcp_data_after_fin: 2 bytes at offset 12 after the stream ended at 12"));
    ck_assert_str_eq(c.log, "D:ab|G:2|D:ef|G:3|D:j|G:1|D:l");
    reasm_free(&c.r);
}
END_TEST

START_TEST(flush_gap_up_to_fin_and_ack)
{
    struct reasm_pool pool;
    reasm_pool_init(&pool, 1 << 20);
    struct rec c, d;
    rec_init(&c, &pool, 1 << 16);
    rec_init(&d, &pool, 1 << 16);
    reasm_isn(&c.r, ISN);
    seg(&c, ISN, 0, "ab");
    reasm_fin(&c.r, ISN + 1 + 6, 1);   /* bytes [2,6) never seen */
    ck_assert(!reasm_done(&c.r));
    reasm_ack(&c.r, ISN + 1 + 7, false, 1);   /* ack of the FIN: only a tail, waits */
    ck_assert_str_eq(c.log, "D:ab");
    reasm_flush(&c.r, true, 2);
    ck_assert_str_eq(c.log, "D:ab|G:4");
    ck_assert(reasm_done(&c.r));
    /* no FIN: the peer's ACK tells how far the stream went */
    reasm_isn(&d.r, ISN);
    seg(&d, ISN, 0, "xy");
    reasm_ack(&d.r, ISN + 1 + 9, false, 1);
    reasm_flush(&d.r, true, 2);
    ck_assert_str_eq(d.log, "D:xy|G:7");
    reasm_free(&c.r);
    reasm_free(&d.r);
}
END_TEST

/* random segments (overlapping, duplicated, conflicting, some ranges never
 * sent) in random order, with pure ACKs, against a reference: each byte is the
 * first copy that arrived (OVERLAP_FIRST), or the last one that arrived before
 * it was delivered, i.e. before every byte up to it was covered (OVERLAP_LAST);
 * each never-covered run is one gap at the flush */
static uint32_t rnd(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

static void random_segments(int seed, enum overlap_policy pol)
{
    enum { LEN = 3000, MAXSEG = 80 };
    uint32_t rs = 0x12345678u + (uint32_t)seed;
    for (int iter = 0; iter < 40; iter++) {
        static uint8_t truth[LEN], want[LEN];
        static bool covered[LEN], lost[LEN];
        for (int i = 0; i < LEN; i++) {
            truth[i] = (uint8_t)('a' + rnd(&rs) % 26);
            covered[i] = false;
            lost[i] = false;
        }
        /* a few ranges nobody ever sends */
        int nlost = (int)(rnd(&rs) % 4);
        for (int k = 0; k < nlost; k++) {
            int a = 1 + (int)(rnd(&rs) % (LEN - 100)), n = 1 + (int)(rnd(&rs) % 60);
            for (int i = a; i < a + n; i++)
                lost[i] = true;
        }
        struct reasm_pool pool;
        reasm_pool_init(&pool, 64u << 20);
        struct rec c;
        rec_init_policy(&c, &pool, 64u << 20, pol);
        uint32_t isn = rnd(&rs);
        int prefix = 0;   /* bytes [0, prefix) are covered, so delivered */
        reasm_isn(&c.r, isn);
        /* enough random segments to cover everything not lost, several times */
        static uint8_t buf[MAXSEG];
        int segs = 0;
        for (;;) {
            bool done = true;
            for (int i = 0; i < LEN; i++)
                if (!lost[i] && !covered[i]) {
                    done = false;
                    break;
                }
            if (done && segs > 200)
                break;
            int a = (int)(rnd(&rs) % LEN), n = 1 + (int)(rnd(&rs) % MAXSEG);
            if (a + n > LEN)
                n = LEN - a;
            bool skip = false;
            for (int i = a; i < a + n; i++)
                skip |= lost[i];
            if (skip)
                continue;
            bool conflict = rnd(&rs) % 8 == 0;
            for (int i = 0; i < n; i++) {
                buf[i] = conflict ? (uint8_t)('A' + rnd(&rs) % 26) : truth[a + i];
                if (!covered[a + i] || (pol == OVERLAP_LAST && a + i >= prefix))
                    want[a + i] = buf[i];   /* the copy kept */
                covered[a + i] = true;
            }
            while (prefix < LEN && covered[prefix])
                prefix++;
            reasm_data(&c.r, isn + 1 + (uint32_t)a, buf, (size_t)n, (size_t)n, 1);
            segs++;
            /* pure ACKs anywhere, even past data not seen yet, within the
             * grace: they change nothing (rule (a)) */
            if (rnd(&rs) % 4 == 0)
                reasm_ack(&c.r, isn + 1 + rnd(&rs) % (LEN + 1), false, 1 + (uint64_t)segs);
        }
        reasm_fin(&c.r, isn + 1 + LEN, 2);
        reasm_flush(&c.r, true, 2);
        /* the expected log */
        static char exp[sizeof c.log];
        size_t el = 0;
        int i = 0;
        while (i < LEN) {
            int j = i;
            if (covered[i]) {
                while (j < LEN && covered[j])
                    j++;
                el += (size_t)snprintf(exp + el, sizeof exp - el, "%sD:%.*s", el ? "|" : "", j - i, (const char *)want + i);
            } else {
                while (j < LEN && !covered[j])
                    j++;
                el += (size_t)snprintf(exp + el, sizeof exp - el, "%sG:%d", el ? "|" : "", j - i);
            }
            i = j;
        }
        ck_assert_str_eq(c.log, exp);
        ck_assert(reasm_done(&c.r));
        reasm_free(&c.r);
        ck_assert_uint_eq(pool.used, 0);
    }
}

START_TEST(random_segments_match_a_reference)
{
    random_segments(_i, OVERLAP_FIRST);
}
END_TEST

START_TEST(random_segments_match_a_reference_last_copy)
{
    random_segments(_i, OVERLAP_LAST);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("reasm_holes");
    TCase *tc = tcase_create("reasm_holes");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, hole_cap_declares_the_first_hole);
    tcase_add_test(tc, pool_budget_flushes_the_biggest_old_holder);
    tcase_add_test(tc, fin_and_flush_deliver_everything_with_gaps);
    tcase_add_test(tc, flush_gap_up_to_fin_and_ack);
    tcase_add_loop_test(tc, random_segments_match_a_reference, 0, 5);
    tcase_add_loop_test(tc, random_segments_match_a_reference_last_copy, 0, 5);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
