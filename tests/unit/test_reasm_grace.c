/* Unit tests for reassembly rule (a): a hole that the peer has ACKed past is
 * declared a gap, at once when the ACK comes with the peer's data, else after
 * the grace (REASM_ACK_GRACE_US) unless a late segment fills it; the pool
 * lists graces by deadline. Exact callback sequences as in test_reasm.c. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reasm_harness.h"

#define GRACE REASM_ACK_GRACE_US

static void segt(struct rec *c, uint32_t isn, uint32_t off, const char *s, uint64_t ts)
{
    reasm_data(&c->r, isn + 1 + off, (const uint8_t *)s, strlen(s), strlen(s), ts);
}

static void ackt(struct rec *c, uint32_t isn, uint32_t off, bool answer, uint64_t ts)
{
    reasm_ack(&c->r, isn + 1 + off, answer, ts);
}

static void fresh(struct reasm_pool *pool, struct rec *c)
{
    reasm_pool_init(pool, 1 << 20);
    rec_init(c, pool, 1 << 16);
    reasm_isn(&c->r, ISN);
}

static bool in_grace(const struct reasm_pool *pool, uint64_t *deadline)
{
    return reasm_pool_grace(pool, deadline) != NULL;
}

/* an ACK that comes with the peer's own data: what it acknowledges is
 * settled before that data goes on, so its holes are declared at once */
START_TEST(answer_past_the_hole_declares_it_at_once)
{
    struct reasm_pool pool;
    struct rec c;
    rec_start(&c, &pool, 1 << 20, 1 << 16);
    reasm_isn(&c.r, ISN);
    seg(&c, ISN, 0, "abc");
    seg(&c, ISN, 8, "ijk");             /* hole [3,8) */
    ackt(&c, ISN, 3, true, 1);          /* ack up to the hole start: nothing */
    ck_assert_str_eq(c.log, "D:abc");
    ackt(&c, ISN, 5, true, 1);          /* part of the hole acknowledged */
    ck_assert_str_eq(c.log, "D:abc|G:2");
    seg(&c, ISN, 5, "fg");              /* the rest arrives */
    ck_assert_str_eq(c.log, "D:abc|G:2|D:fg");
    seg(&c, ISN, 20, "uv");             /* hole [11,20) */
    ackt(&c, ISN, 22, true, 1);
    ck_assert_str_eq(c.log, "D:abc|G:2|D:fg|G:1|D:ijk|G:9|D:uv");
    /* tail loss with nothing above waits, even for an answer */
    ackt(&c, ISN, 30, true, 1);
    ck_assert_str_eq(c.log, "D:abc|G:2|D:fg|G:1|D:ijk|G:9|D:uv");
    /* data above it: the old ACK is only evidence, the next answer settles it */
    seg(&c, ISN, 30, "X");
    ck_assert_str_eq(c.log, "D:abc|G:2|D:fg|G:1|D:ijk|G:9|D:uv");
    ackt(&c, ISN, 30, true, 2);         /* not higher than before: still an answer */
    ck_assert_str_eq(c.log, "D:abc|G:2|D:fg|G:1|D:ijk|G:9|D:uv|G:8|D:X");
    ck_assert_uint_eq(c.st.gaps, 4);
    ck_assert_uint_eq(c.st.gap_bytes, 20);
    uint64_t d;
    ck_assert(!in_grace(&pool, &d));
    rec_end(&c, &pool);
}
END_TEST

/* the same with pure ACKs: nothing before the grace is over, then the same
 * gaps of the same lengths */
START_TEST(pure_ack_past_the_hole_declares_it_after_the_grace)
{
    struct reasm_pool pool;
    struct rec c;
    rec_start(&c, &pool, 1 << 20, 1 << 16);
    reasm_isn(&c.r, ISN);
    uint64_t t = 1000, d = 0;
    segt(&c, ISN, 0, "abc", t);
    segt(&c, ISN, 8, "ijk", t);           /* hole [3,8) */
    ackt(&c, ISN, 3, false, t);           /* up to the hole start: no grace */
    ck_assert(!in_grace(&pool, &d));
    ackt(&c, ISN, 5, false, t + 10);      /* part of the hole acknowledged */
    ck_assert(in_grace(&pool, &d));
    ck_assert_uint_eq(d, t + 10 + GRACE);
    reasm_expire(&c.r, t + 10 + GRACE, false);   /* the deadline itself is still in the grace */
    ck_assert_str_eq(c.log, "D:abc");
    reasm_expire(&c.r, t + 11 + GRACE, false);
    ck_assert_str_eq(c.log, "D:abc|G:2");
    ck_assert(!in_grace(&pool, &d));      /* [5,8) is not acknowledged */
    t += 11 + GRACE;
    segt(&c, ISN, 5, "fg", t);
    ck_assert_str_eq(c.log, "D:abc|G:2|D:fg");
    segt(&c, ISN, 20, "uv", t);           /* hole [11,20) */
    ackt(&c, ISN, 22, false, t);
    ck_assert_str_eq(c.log, "D:abc|G:2|D:fg");
    reasm_expire(&c.r, t + GRACE + 1, false);
    ck_assert_str_eq(c.log, "D:abc|G:2|D:fg|G:1|D:ijk|G:9|D:uv");
    t += GRACE + 1;
    /* tail loss with nothing above waits, however long */
    ackt(&c, ISN, 30, false, t);
    reasm_expire(&c.r, t + 10 * GRACE, false);
    ck_assert_str_eq(c.log, "D:abc|G:2|D:fg|G:1|D:ijk|G:9|D:uv");
    ck_assert(!in_grace(&pool, &d));
    /* data above it: its grace starts now, not at the old ACK (a constant skew
     * between the directions must not eat it) */
    t += 10 * GRACE;
    segt(&c, ISN, 30, "X", t);
    ck_assert_str_eq(c.log, "D:abc|G:2|D:fg|G:1|D:ijk|G:9|D:uv");
    ck_assert(in_grace(&pool, &d));
    ck_assert_uint_eq(d, t + GRACE);
    segt(&c, ISN, 31, "Y", t + GRACE);    /* not over: more data still buffers */
    ck_assert_str_eq(c.log, "D:abc|G:2|D:fg|G:1|D:ijk|G:9|D:uv");
    segt(&c, ISN, 32, "Z", t + GRACE + 1); /* over: declared before this segment goes in */
    ck_assert_str_eq(c.log, "D:abc|G:2|D:fg|G:1|D:ijk|G:9|D:uv|G:8|D:XYZ");
    ck_assert_uint_eq(c.st.gaps, 4);
    ck_assert_uint_eq(c.st.gap_bytes, 20);
    ck_assert_uint_eq(c.st.retrans_bytes, 0);
    ck_assert_int_eq(c.nanom, 0);
    rec_end(&c, &pool);
}
END_TEST

/* (i) the ACK passes the hole, the segment arrives within the grace: exact */
START_TEST(late_segment_within_the_grace_fills_the_hole)
{
    struct reasm_pool pool;
    struct rec c;
    rec_start(&c, &pool, 1 << 20, 1 << 16);
    reasm_isn(&c.r, ISN);
    uint64_t t = 5000, d = 0;
    segt(&c, ISN, 0, "abc", t);
    segt(&c, ISN, 8, "ijk", t + 10);       /* hole [3,8) */
    ackt(&c, ISN, 11, false, t + 20);     /* the receiver has it all: the ACK was captured first */
    ackt(&c, ISN, 11, false, t + 30);     /* a duplicate ACK changes nothing */
    ck_assert_str_eq(c.log, "D:abc");
    ck_assert(in_grace(&pool, &d));
    ck_assert_uint_eq(d, t + 20 + GRACE);
    reasm_expire(&c.r, t + 20 + GRACE, false);
    ck_assert_str_eq(c.log, "D:abc");
    segt(&c, ISN, 3, "defgh", t + 20 + GRACE);
    ck_assert_str_eq(c.log, "D:abcdefghijk");
    ck_assert(!in_grace(&pool, &d));
    ck_assert_uint_eq(c.st.gaps, 0);
    ck_assert_uint_eq(c.st.delivered, 11);
    ck_assert_uint_eq(c.st.retrans_bytes, 0);
    ck_assert_uint_eq(c.st.overlap_bytes, 0);
    ck_assert_int_eq(c.nanom, 0);
    /* the end of the stream adds nothing */
    reasm_fin(&c.r, ISN + 1 + 11, t + 30 + GRACE);
    reasm_flush(&c.r, true, t + 30 + GRACE);
    ck_assert_str_eq(c.log, "D:abcdefghijk");
    ck_assert(reasm_done(&c.r));
    rec_end(&c, &pool);
}
END_TEST

/* (ii) the segment never comes: a gap of exactly its length once the grace
 * is over, found by the clock alone or by the next segment; a late copy after
 * that is a retransmission. Holes covered later wait from when they were. */
START_TEST(acked_hole_that_never_fills_is_a_gap_after_the_grace)
{
    /* each case on a fresh pool: its clock only goes forward */
    struct reasm_pool pool;
    struct rec c;
    uint64_t t = 1000, d = 0;

    /* by the clock */
    fresh(&pool, &c);
    segt(&c, ISN, 0, "abc", t);
    segt(&c, ISN, 8, "ijk", t);
    ackt(&c, ISN, 11, false, t);
    reasm_expire(&c.r, t + GRACE, false);
    ck_assert_str_eq(c.log, "D:abc");
    reasm_expire(&c.r, t + GRACE + 1, false);
    ck_assert_str_eq(c.log, "D:abc|G:5|D:ijk");
    ck_assert(!in_grace(&pool, &d));
    segt(&c, ISN, 3, "defgh", t + GRACE + 2);   /* too late */
    ck_assert_str_eq(c.log, "D:abc|G:5|D:ijk");
    ck_assert_uint_eq(c.st.gaps, 1);
    ck_assert_uint_eq(c.st.gap_bytes, 5);
    ck_assert_uint_eq(c.st.retrans_bytes, 5);
    rec_end(&c, &pool);

    /* by later traffic of the direction */
    fresh(&pool, &c);
    segt(&c, ISN, 0, "abc", t);
    segt(&c, ISN, 8, "ijk", t);
    ackt(&c, ISN, 11, false, t);
    segt(&c, ISN, 11, "lmn", t + GRACE / 2);
    ck_assert_str_eq(c.log, "D:abc");
    segt(&c, ISN, 14, "opq", t + GRACE + 1);
    ck_assert_str_eq(c.log, "D:abc|G:5|D:ijklmnopq");
    ck_assert_uint_eq(c.st.gap_bytes, 5);
    rec_end(&c, &pool);

    /* by a later pure ACK: checked before it counts */
    fresh(&pool, &c);
    segt(&c, ISN, 0, "abc", t);
    segt(&c, ISN, 8, "ijk", t);
    ackt(&c, ISN, 11, false, t);
    ackt(&c, ISN, 11, false, t + GRACE + 1);
    ck_assert_str_eq(c.log, "D:abc|G:5|D:ijk");
    rec_end(&c, &pool);

    /* a second hole covered during the first one's grace waits from its own
     * cover, not from the first ACK, nor from the end of the first grace */
    fresh(&pool, &c);
    segt(&c, ISN, 0, "abc", t);
    segt(&c, ISN, 8, "ijk", t);
    ackt(&c, ISN, 11, false, t);                 /* covers [3,8) at t */
    segt(&c, ISN, 20, "uv", t + GRACE / 2);
    ackt(&c, ISN, 22, false, t + GRACE / 2);     /* covers [11,20) at t + GRACE/2 */
    reasm_expire(&c.r, t + GRACE + 1, false);
    ck_assert_str_eq(c.log, "D:abc|G:5|D:ijk");
    ck_assert(in_grace(&pool, &d));
    ck_assert_uint_eq(d, t + GRACE / 2 + GRACE);
    reasm_expire(&c.r, t + GRACE / 2 + GRACE, false);
    ck_assert_str_eq(c.log, "D:abc|G:5|D:ijk");
    reasm_expire(&c.r, t + GRACE / 2 + GRACE + 1, false);
    ck_assert_str_eq(c.log, "D:abc|G:5|D:ijk|G:9|D:uv");
    ck_assert_uint_eq(c.st.gaps, 2);
    ck_assert_uint_eq(c.st.gap_bytes, 14);
    rec_end(&c, &pool);

    /* a partial ACK declares the acknowledged part; the rest can still come */
    fresh(&pool, &c);
    segt(&c, ISN, 0, "abc", t);
    segt(&c, ISN, 8, "ijk", t);
    ackt(&c, ISN, 5, false, t);
    reasm_expire(&c.r, t + 10 * GRACE, false);
    ck_assert_str_eq(c.log, "D:abc|G:2");
    segt(&c, ISN, 5, "fgh", t + 10 * GRACE);
    ck_assert_str_eq(c.log, "D:abc|G:2|D:fghijk");
    rec_end(&c, &pool);

    /* long after the grace, several holes go at once, each its exact length */
    fresh(&pool, &c);
    segt(&c, ISN, 2, "c", t);
    segt(&c, ISN, 5, "f", t);
    segt(&c, ISN, 9, "j", t);
    ackt(&c, ISN, 10, false, t);
    ck_assert_str_eq(c.log, "");
    segt(&c, ISN, 12, "m", t + 1000 * GRACE);    /* [10,12) was never acknowledged: it waits */
    ck_assert_str_eq(c.log, "G:2|D:c|G:2|D:f|G:3|D:j");
    reasm_flush(&c.r, true, t + 1000 * GRACE);
    ck_assert_str_eq(c.log, "G:2|D:c|G:2|D:f|G:3|D:j|G:2|D:m");
    ck_assert_uint_eq(c.st.gaps, 4);
    ck_assert_uint_eq(c.st.gap_bytes, 9);
    rec_end(&c, &pool);
    ck_assert(!in_grace(&pool, &d));
}
END_TEST

/* the grace never lets memory grow past the hole cap or the pool budget */
START_TEST(grace_is_bounded_by_the_hole_cap_and_the_budget)
{
    struct reasm_pool pool;
    reasm_pool_init(&pool, 1 << 20);
    struct rec c;
    uint64_t d = 0;
    rec_init(&c, &pool, 10);
    reasm_isn(&c.r, ISN);
    segt(&c, ISN, 0, "ab", 1);
    ackt(&c, ISN, 40, false, 1);
    segt(&c, ISN, 5, "fghij", 2);        /* 5 buffered, in the grace */
    segt(&c, ISN, 12, "mnopq", 3);       /* 10 buffered: not over the cap */
    ck_assert_str_eq(c.log, "D:ab");
    ck_assert(in_grace(&pool, &d));
    segt(&c, ISN, 18, "s", 4);           /* 11 > 10: rule (b) at once, grace or not */
    ck_assert_str_eq(c.log, "D:ab|G:3|D:fghij");
    ck_assert_uint_eq(c.r.held, 6);
    /* [10,12) and [17,18) are still in a grace, dated from the last cover (4) */
    ck_assert(in_grace(&pool, &d));
    ck_assert_uint_eq(d, 4 + GRACE);
    reasm_expire(&c.r, 4 + GRACE, false);
    ck_assert_str_eq(c.log, "D:ab|G:3|D:fghij");
    reasm_expire(&c.r, 5 + GRACE, false);
    ck_assert_str_eq(c.log, "D:ab|G:3|D:fghij|G:2|D:mnopq|G:1|D:s");
    rec_end(&c, &pool);

    /* the pool budget (rule (c)) flushes a holder in its grace and ends it */
    struct reasm_pool small;
    reasm_pool_init(&small, 2 * (sizeof(struct rnode) + 100) + 20);
    struct rec a;
    rec_init(&a, &small, 1 << 20);
    reasm_isn(&a.r, ISN);
    char big[101];
    memset(big, 'B', 100);
    big[100] = 0;
    segt(&a, ISN, 10, big, 1);
    ackt(&a, ISN, 200, false, 1);
    ck_assert(in_grace(&small, &d));
    segt(&a, ISN, 120, big, 2);
    segt(&a, ISN, 230, big, 3);           /* over budget: flushed */
    ck_assert_uint_eq(small.reclaims, 1);
    ck_assert(!in_grace(&small, &d));
    ck_assert_uint_eq(a.st.gap_bytes, 10 + 10 + 10);
    reasm_free(&a.r);
    ck_assert_uint_eq(small.used, 0);
}
END_TEST

/* (iii) 5 segments in every order, the receiver's ACKs where they were in
 * the original capture (each right after its segment there): in the
 * reordered capture an ACK often comes before the data it acknowledges. And
 * the harshest case: every ACK before any data. */
START_TEST(all_permutations_with_the_acks_in_the_original_order)
{
    static const struct { uint32_t off; const char *s; } S[5] = {
        {0, "The q"}, {5, "uick "}, {7, "ck brown"}, {15, " f"}, {17, "ox!"},
    };
    int count = 0;
    for (int mode = 0; mode < 2; mode++)
        for (int code = 0; code < 5 * 5 * 5 * 5 * 5; code++) {
            int idx[5], seen = 0, x = code;
            for (int k = 0; k < 5; k++, x /= 5) {
                idx[k] = x % 5;
                seen |= 1 << idx[k];
            }
            if (seen != 0x1f)
                continue;
            struct reasm_pool pool;
            reasm_pool_init(&pool, 1 << 20);
            struct rec c;
            rec_init(&c, &pool, 1 << 16);
            uint32_t isn = 0xFFFFFFF5u;
            reasm_isn(&c.r, isn);
            uint64_t t = 1000000;
            if (mode == 1)
                for (int k = 0; k < 5; k++)
                    ackt(&c, isn, S[k].off + (uint32_t)strlen(S[k].s), false, t++);
            for (int k = 0; k < 5; k++, t += 1000) {
                segt(&c, isn, S[idx[k]].off, S[idx[k]].s, t);
                if (mode == 0)   /* the slot's ACK: for the segment originally there */
                    ackt(&c, isn, S[k].off + (uint32_t)strlen(S[k].s), false, t + 1);
            }
            ck_assert_str_eq(c.log, "D:The quick brown fox!");
            ck_assert_uint_eq(c.st.gaps, 0);
            ck_assert_uint_eq(c.st.retrans_bytes, 3);
            ck_assert_uint_eq(c.st.overlap_bytes, 0);
            ck_assert_int_eq(c.nanom, 0);
            uint64_t d;
            ck_assert(!in_grace(&pool, &d));
            reasm_fin(&c.r, isn + 1 + 20, t);
            reasm_flush(&c.r, true, t);
            ck_assert_str_eq(c.log, "D:The quick brown fox!");
            reasm_free(&c.r);
            ck_assert_uint_eq(pool.used, 0);
            count++;
        }
    ck_assert_int_eq(count, 240);
}
END_TEST

/* the pool lists the directions in a grace by deadline, for the flow table's
 * timeouts; every way out of a grace takes a direction off the list */
START_TEST(pool_lists_graces_by_deadline)
{
    struct reasm_pool pool;
    reasm_pool_init(&pool, 1 << 20);
    struct rec a, b;
    rec_init(&a, &pool, 1 << 16);
    rec_init(&b, &pool, 1 << 16);
    reasm_isn(&a.r, ISN);
    reasm_isn(&b.r, ISN);
    uint64_t d = 0;
    ck_assert(!in_grace(&pool, &d));
    segt(&a, ISN, 4, "efgh", 1000);
    ackt(&a, ISN, 8, false, 1000);           /* a: [0,4) covered at 1000 */
    segt(&a, ISN, 12, "mn", 1500);
    ackt(&a, ISN, 14, false, 1500);          /* a: [8,12) covered at 1500 */
    segt(&b, ISN, 2, "cd", 3000);
    ackt(&b, ISN, 4, false, 3000);           /* b: [0,2) covered at 3000 */
    ck_assert_ptr_eq(reasm_pool_grace(&pool, &d), &a.r);
    ck_assert_uint_eq(d, 1000 + GRACE);
    /* a's first grace ends; its second hole waits from 1500, but behind b
     * in the list: it may wait a little longer, never less */
    reasm_expire(&a.r, 1001 + GRACE, false);
    ck_assert_str_eq(a.log, "G:4|D:efgh");
    ck_assert_ptr_eq(reasm_pool_grace(&pool, &d), &b.r);
    ck_assert_uint_eq(d, 3000 + GRACE);
    ck_assert_ptr_eq(b.r.gnext, &a.r);
    ck_assert_uint_eq(a.r.grace_ts, 3000);
    /* the missing segment fills a's hole: off the list */
    segt(&a, ISN, 8, "ijkl", 1002 + GRACE);
    ck_assert_str_eq(a.log, "G:4|D:efghijklmn");
    ck_assert_ptr_eq(reasm_pool_grace(&pool, &d), &b.r);
    ck_assert_ptr_null(b.r.gnext);
    reasm_expire(&b.r, 3001 + GRACE, false);
    ck_assert_str_eq(b.log, "G:2|D:cd");
    ck_assert(!in_grace(&pool, &d));
    /* flush and free take a direction off too */
    segt(&b, ISN, 8, "ij", 4000 + GRACE);
    ackt(&b, ISN, 10, false, 4000 + GRACE);
    ck_assert_ptr_eq(reasm_pool_grace(&pool, &d), &b.r);
    reasm_flush(&b.r, true, 4001 + GRACE);
    ck_assert(!in_grace(&pool, &d));
    ck_assert_str_eq(b.log, "G:2|D:cd|G:4|D:ij");
    segt(&a, ISN, 20, "uv", 5000 + GRACE);
    ackt(&a, ISN, 22, false, 5000 + GRACE);
    ck_assert_ptr_eq(reasm_pool_grace(&pool, &d), &a.r);
    reasm_free(&a.r);
    ck_assert(!in_grace(&pool, &d));
    reasm_free(&b.r);
    ck_assert_uint_eq(pool.used, 0);
}
END_TEST

/* at the end of input the graces end: every acknowledged hole with data above
 * it goes; a tail stays for the flush */
START_TEST(expire_all_ends_the_grace_now)
{
    struct reasm_pool pool;
    struct rec c;
    rec_start(&c, &pool, 1 << 20, 1 << 16);
    reasm_isn(&c.r, ISN);
    uint64_t d = 0;
    segt(&c, ISN, 0, "ab", 10);
    segt(&c, ISN, 4, "ef", 10);
    segt(&c, ISN, 8, "ij", 10);
    ackt(&c, ISN, 7, false, 20);
    reasm_expire(&c.r, 30, false);
    ck_assert_str_eq(c.log, "D:ab");
    reasm_expire(&c.r, 30, true);
    ck_assert_str_eq(c.log, "D:ab|G:2|D:ef|G:1");   /* [7,8) is not acknowledged */
    ck_assert(!in_grace(&pool, &d));
    reasm_flush(&c.r, true, 30);   /* the rest of the hole: declared apart, as a later ACK would */
    ck_assert_str_eq(c.log, "D:ab|G:2|D:ef|G:1|G:1|D:ij");
    ck_assert_uint_eq(c.st.gaps, 3);
    ck_assert_uint_eq(c.st.gap_bytes, 4);
    rec_end(&c, &pool);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("reasm_grace");
    TCase *tc = tcase_create("reasm_grace");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, answer_past_the_hole_declares_it_at_once);
    tcase_add_test(tc, pure_ack_past_the_hole_declares_it_after_the_grace);
    tcase_add_test(tc, late_segment_within_the_grace_fills_the_hole);
    tcase_add_test(tc, acked_hole_that_never_fills_is_a_gap_after_the_grace);
    tcase_add_test(tc, grace_is_bounded_by_the_hole_cap_and_the_budget);
    tcase_add_test(tc, all_permutations_with_the_acks_in_the_original_order);
    tcase_add_test(tc, pool_lists_graces_by_deadline);
    tcase_add_test(tc, expire_all_ends_the_grace_now);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
