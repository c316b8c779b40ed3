/* Unit tests for per-direction reassembly: ordering, overlaps (both policies),
 * sequence-number wrap, snap-length cuts, midstream starts, window checks and
 * the delivered-bytes history. Every case asserts the exact callback
 * sequence, recorded as "D:<bytes>|G:<n>|..." (reasm_harness.h).
 * The ACK grace is in test_reasm_grace.c; hole caps, budgets, FIN/flush and
 * the random reference in test_reasm_holes.c. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reasm_harness.h"

START_TEST(in_order_and_exact_retransmission)
{
    struct reasm_pool pool;
    struct rec c;
    rec_start(&c, &pool, 1 << 20, 1 << 16);
    reasm_isn(&c.r, ISN);
    seg(&c, ISN, 0, "abc");
    seg(&c, ISN, 3, "def");
    seg(&c, ISN, 0, "abc");      /* exact retransmission of delivered data */
    seg(&c, ISN, 2, "cd");       /* partial overlap, same bytes */
    ck_assert_str_eq(c.log, "D:abcdef");
    ck_assert_uint_eq(c.st.delivered, 6);
    ck_assert_uint_eq(c.st.retrans_bytes, 5);
    ck_assert_uint_eq(c.st.overlap_bytes, 0);
    ck_assert_uint_eq(c.st.bytes, 11);
    ck_assert_int_eq(c.nanom, 0);
    rec_end(&c, &pool);
}
END_TEST

/* 5 segments, two overlapping, delivered in every one of the 120 orders */
START_TEST(all_permutations_of_five_segments)
{
    static const struct { uint32_t off; const char *s; } S[5] = {
        {0, "The q"}, {5, "uick "}, {7, "ck brown"}, {15, " f"}, {17, "ox!"},
    };
    int count = 0;
    for (int code = 0; code < 5 * 5 * 5 * 5 * 5; code++) {
        int idx[5], seen = 0, x = code;
        for (int k = 0; k < 5; k++, x /= 5) {
            idx[k] = x % 5;
            seen |= 1 << idx[k];
        }
        if (seen != 0x1f)
            continue;   /* not a permutation */
        struct reasm_pool pool;
        reasm_pool_init(&pool, 1 << 20);
        struct rec c;
        rec_init(&c, &pool, 1 << 16);
        /* ISN just below the wrap so every order crosses 2^32 */
        uint32_t isn = 0xFFFFFFF5u;
        reasm_isn(&c.r, isn);
        for (int k = 0; k < 5; k++)
            seg(&c, isn, S[idx[k]].off, S[idx[k]].s);
        ck_assert_str_eq(c.log, "D:The quick brown fox!");
        ck_assert_uint_eq(c.st.retrans_bytes, 3);   /* "ck " sent twice */
        ck_assert_uint_eq(c.st.overlap_bytes, 0);
        ck_assert_uint_eq(c.st.gaps, 0);
        ck_assert_int_eq(c.nanom, 0);
        reasm_free(&c.r);
        ck_assert_uint_eq(pool.used, 0);
        count++;
    }
    ck_assert_int_eq(count, 120);
}
END_TEST

START_TEST(one_byte_segments_reverse_order)
{
    struct reasm_pool pool;
    struct rec c;
    rec_start(&c, &pool, 1 << 20, 1 << 16);
    reasm_isn(&c.r, ISN);
    const char *msg = "reassembly";
    for (int k = (int)strlen(msg) - 1; k >= 0; k--) {
        char b[2] = {msg[k], 0};
        seg(&c, ISN, (uint32_t)k, b);
        if (k)
            ck_assert_str_eq(c.log, "");
    }
    ck_assert_str_eq(c.log, "D:reassembly");
    reasm_free(&c.r);
}
END_TEST

START_TEST(conflicting_overlap_first_copy_wins)
{
    struct reasm_pool pool;
    struct rec c;
    rec_start(&c, &pool, 1 << 20, 1 << 16);
    reasm_isn(&c.r, ISN);
    /* buffered above a hole */
    seg(&c, ISN, 4, "EFGH");
    seg(&c, ISN, 6, "xyIJ");     /* "xy" conflicts with "GH", "IJ" is new */
    ck_assert_int_eq(c.nanom, 1);
    ck_assert_str_eq(c.anomalies,
                     "tcp_overlap_conflict: segment [6,10) differs from the first copy [6,8) in 2 bytes; first copy kept");
    seg(&c, ISN, 0, "abcd");
    ck_assert_str_eq(c.log, "D:abcdEFGHIJ");
    /* already delivered, checked against the history */
    seg(&c, ISN, 2, "cdEq");
    ck_assert_int_eq(c.nanom, 2);
    ck_assert_ptr_nonnull(strstr(c.anomalies, "segment [2,6) differs from the first copy [2,6) in 1 bytes"));
    ck_assert_str_eq(c.log, "D:abcdEFGHIJ");
    ck_assert_uint_eq(c.st.overlap_bytes, 3);
    ck_assert_uint_eq(c.st.retrans_bytes, 3);
    reasm_free(&c.r);
}
END_TEST

START_TEST(default_overlap_policy_is_first)
{
    ck_assert_int_eq(limits_default().tcp_overlap, OVERLAP_FIRST);
}
END_TEST

START_TEST(conflicting_overlap_last_copy_replaces_held_bytes)
{
    struct reasm_pool pool;
    reasm_pool_init(&pool, 1 << 20);
    struct rec c;
    rec_init_policy(&c, &pool, 1 << 16, OVERLAP_LAST);
    reasm_isn(&c.r, ISN);
    /* buffered above a hole: the later copy replaces what is held */
    seg(&c, ISN, 4, "EFGH");
    seg(&c, ISN, 6, "xyIJ");     /* "xy" conflicts with "GH", "IJ" is new */
    ck_assert_int_eq(c.nanom, 1);
    ck_assert_str_eq(c.anomalies,
                     "tcp_overlap_conflict: segment [6,10) differs from the held copy [6,8) in 2 bytes; last copy kept");
    ck_assert_str_eq(c.log, "");
    seg(&c, ISN, 0, "abcd");
    ck_assert_str_eq(c.log, "D:abcdEFxyIJ");
    /* already delivered: reported and ignored, as under first */
    seg(&c, ISN, 2, "cdEq");
    ck_assert_int_eq(c.nanom, 2);
    ck_assert_ptr_nonnull(strstr(c.anomalies, "\ntcp_overlap_conflict: segment [2,6) differs from the delivered copy [2,6) "
                                              "in 1 bytes; delivered copy kept"));
    ck_assert_str_eq(c.log, "D:abcdEFxyIJ");
    /* the same counters as under first: the meaning does not change */
    ck_assert_uint_eq(c.st.overlap_bytes, 3);
    ck_assert_uint_eq(c.st.retrans_bytes, 3);
    ck_assert_uint_eq(c.st.delivered, 10);
    rec_end(&c, &pool);
}
END_TEST

/* held bytes change hands each time under last, never under first */
START_TEST(repeated_copies_of_held_bytes_under_each_policy)
{
    static const char *const want[2] = {"D:abcdefGH", "D:abcdefQz"};
    static const enum overlap_policy pol[2] = {OVERLAP_FIRST, OVERLAP_LAST};
    for (int k = 0; k < 2; k++) {
        struct reasm_pool pool;
        reasm_pool_init(&pool, 1 << 20);
        struct rec c;
        rec_init_policy(&c, &pool, 1 << 16, pol[k]);
        reasm_isn(&c.r, ISN);
        seg(&c, ISN, 6, "GH");
        seg(&c, ISN, 6, "gh");      /* both bytes differ */
        seg(&c, ISN, 5, "fgx");     /* "g" agrees with the copy kept under last, not under first */
        seg(&c, ISN, 6, "Qz");
        seg(&c, ISN, 0, "abcde");
        ck_assert_str_eq(c.log, want[k]);
        ck_assert_int_eq(c.nanom, 3);
        /* overlap_bytes counts disagreement with the copy kept at the time */
        ck_assert_uint_eq(c.st.overlap_bytes, k == 0 ? 2 + 2 + 2 : 2 + 1 + 2);
        ck_assert_uint_eq(c.st.retrans_bytes, k == 0 ? 0 : 1);
        ck_assert_uint_eq(c.st.delivered, 8);
        reasm_free(&c.r);
        ck_assert_uint_eq(pool.used, 0);
    }
}
END_TEST

/* one segment over delivered bytes, a hole and held bytes: under last the held
 * part is replaced, the delivered part never; one anomaly names both */
START_TEST(conflict_over_delivered_and_held_bytes)
{
    static const enum overlap_policy pol[2] = {OVERLAP_FIRST, OVERLAP_LAST};
    static const char *const want[2] = {"D:abcdEFGH", "D:abcdEFgh"};
    static const char *const why[2] = {
        "tcp_overlap_conflict: segment [2,8) differs from the first copy [2,4) in 3 bytes; first copy kept",
        "tcp_overlap_conflict: segment [2,8) differs from the held copy [6,8) in 2 bytes, last copy kept, "
        "and from the delivered copy [2,4) in 1 bytes, delivered copy kept",
    };
    for (int k = 0; k < 2; k++) {
        struct reasm_pool pool;
        reasm_pool_init(&pool, 1 << 20);
        struct rec c;
        rec_init_policy(&c, &pool, 1 << 16, pol[k]);
        reasm_isn(&c.r, ISN);
        seg(&c, ISN, 0, "abcd");
        seg(&c, ISN, 6, "GH");
        ck_assert_str_eq(c.log, "D:abcd");
        seg(&c, ISN, 2, "cXEFgh");  /* "X" vs delivered "d", "EF" fills the hole, "gh" vs held "GH" */
        ck_assert_str_eq(c.log, want[k]);
        ck_assert_int_eq(c.nanom, 1);
        ck_assert_str_eq(c.anomalies, why[k]);
        ck_assert_uint_eq(c.st.overlap_bytes, 3);
        ck_assert_uint_eq(c.st.retrans_bytes, 1);
        ck_assert_uint_eq(c.st.delivered, 8);
        reasm_free(&c.r);
        ck_assert_uint_eq(pool.used, 0);
    }
}
END_TEST

/* a later copy of a snap-length cut range fills it under both policies; a
 * later cut never erases held data, under last either */
START_TEST(last_policy_and_missing_ranges)
{
    struct reasm_pool pool;
    reasm_pool_init(&pool, 1 << 20);
    struct rec c;
    rec_init_policy(&c, &pool, 1 << 16, OVERLAP_LAST);
    reasm_isn(&c.r, ISN);
    reasm_data(&c.r, ISN + 1 + 4, (const uint8_t *)"EF", 2, 4, 1);   /* [6,8) not captured */
    reasm_data(&c.r, ISN + 1 + 4, (const uint8_t *)"ef", 1, 4, 1);   /* only "e" captured, vs "E" */
    seg(&c, ISN, 6, "GH");
    seg(&c, ISN, 0, "abcd");
    ck_assert_str_eq(c.log, "D:abcdeFGH");
    ck_assert_int_eq(c.nanom, 1);
    ck_assert_uint_eq(c.st.overlap_bytes, 1);
    rec_end(&c, &pool);
}
END_TEST

START_TEST(retransmitted_isn_and_wraparound)
{
    struct reasm_pool pool;
    struct rec c;
    rec_start(&c, &pool, 1 << 20, 1 << 16);
    uint32_t isn = 0xFFFFFFFEu;   /* data starts at 0xFFFFFFFF and wraps after one byte */
    reasm_isn(&c.r, isn);
    reasm_isn(&c.r, isn);         /* SYN retransmitted */
    reasm_isn(&c.r, 12345);       /* a later SYN cannot move the start */
    seg(&c, isn, 4, "efgh");      /* seq 3: past the wrap */
    seg(&c, isn, 0, "abcd");      /* seq 0xFFFFFFFF..2 */
    ck_assert_str_eq(c.log, "D:abcdefgh");
    int64_t off;
    ck_assert(reasm_offset(&c.r, 7, &off));
    ck_assert_int_eq(off, 8);
    reasm_free(&c.r);
}
END_TEST

START_TEST(stream_longer_than_4gib)
{
    /* snap-cut segments move the stream on without buffering: 70000 x 64000
     * bytes on the wire (4.48 GB), 1 byte captured each */
    struct reasm_pool pool;
    struct rec c;
    rec_start(&c, &pool, 1 << 20, 1 << 16);
    uint32_t isn = 77;
    reasm_isn(&c.r, isn);
    uint64_t off = 0;
    for (int k = 0; k < 70000; k++) {
        uint8_t b = 'a' + (uint8_t)(k % 26);
        reasm_data(&c.r, isn + 1 + (uint32_t)off, &b, 1, 64000, 1);
        off += 64000;
        c.len = 0;   /* only counters matter here */
        c.log[0] = 0;
        c.last_data = false;
    }
    ck_assert_uint_eq(c.r.next, off);
    ck_assert_uint_gt(off, 1ull << 32);
    /* one out-of-order pair beyond 4 GiB still reassembles */
    reasm_data(&c.r, isn + 1 + (uint32_t)(off + 3), (const uint8_t *)"def", 3, 3, 1);
    reasm_data(&c.r, isn + 1 + (uint32_t)off, (const uint8_t *)"abc", 3, 3, 1);
    ck_assert_str_eq(c.log, "D:abcdef");
    ck_assert_uint_eq(c.st.delivered, 70006);
    ck_assert_uint_eq(c.st.gaps, 70000);
    ck_assert_uint_eq(c.st.gap_bytes, 70000ull * 63999);
    reasm_free(&c.r);
}
END_TEST

START_TEST(snap_length_cut_is_a_known_gap)
{
    struct reasm_pool pool;
    struct rec c;
    rec_start(&c, &pool, 1 << 20, 1 << 16);
    reasm_isn(&c.r, ISN);
    /* in order: 2 of 5 bytes captured */
    reasm_data(&c.r, ISN + 1, (const uint8_t *)"ab", 2, 5, 1);
    ck_assert_str_eq(c.log, "D:ab|G:3");
    /* out of order cut segment, then a full copy fills its missing part */
    reasm_data(&c.r, ISN + 1 + 8, (const uint8_t *)"ij", 2, 4, 1);   /* [8,10) data, [10,12) missing */
    reasm_data(&c.r, ISN + 1 + 10, (const uint8_t *)"kl", 2, 2, 1);  /* fills [10,12) */
    reasm_data(&c.r, ISN + 1 + 13, (const uint8_t *)"n", 1, 3, 1);   /* [13,14) data, [14,16) missing */
    reasm_data(&c.r, ISN + 1 + 5, (const uint8_t *)"fgh", 3, 3, 1);
    ck_assert_str_eq(c.log, "D:ab|G:3|D:fghijkl");
    reasm_data(&c.r, ISN + 1 + 12, (const uint8_t *)"m", 1, 1, 1);
    ck_assert_str_eq(c.log, "D:ab|G:3|D:fghijklmn|G:2");
    ck_assert_uint_eq(c.st.gaps, 2);
    ck_assert_uint_eq(c.st.gap_bytes, 5);
    ck_assert_uint_eq(c.st.retrans_bytes, 0);
    rec_end(&c, &pool);

    /* a missing range split in the middle by data that arrives later */
    rec_init(&c, &pool, 1 << 16);
    reasm_isn(&c.r, ISN);
    seg(&c, ISN, 0, "ab");
    reasm_data(&c.r, ISN + 1 + 3, (const uint8_t *)"d", 1, 7, 1);   /* [3,4) data, [4,10) missing */
    seg(&c, ISN, 6, "gh");                                          /* splits it: [4,6) and [8,10) */
    seg(&c, ISN, 9, "jk");                                          /* overlaps the tail and goes past */
    ck_assert_str_eq(c.log, "D:ab");
    seg(&c, ISN, 2, "c");
    ck_assert_str_eq(c.log, "D:abcd|G:2|D:gh|G:1|D:jk");
    ck_assert_uint_eq(c.st.gap_bytes, 3);
    rec_end(&c, &pool);
}
END_TEST

/* mid-stream: a snap-cut segment that starts before the stream start and
 * whose captured part ends before it too carries no data at all (the
 * captured end once wrapped below zero and read far past the buffer) */
START_TEST(snap_cut_segment_before_the_stream_start_has_no_data)
{
    struct reasm_pool pool;
    struct rec c;
    rec_start(&c, &pool, 1 << 20, 1 << 20);
    static const uint8_t one[1] = {'x'};
    reasm_data(&c.r, 100000, (const uint8_t *)"abc", 3, 3, 1);   /* no ISN: this starts the stream */
    reasm_data(&c.r, 99999, one, 0, 65000, 2);                    /* 65000 on the wire, none captured */
    reasm_flush(&c.r, true, 3);
    ck_assert_str_eq(c.log, "D:abc|G:64996");
    ck_assert_uint_eq(c.st.overlap_bytes, 0);
    rec_end(&c, &pool);
}
END_TEST

START_TEST(midstream_start_and_pre_capture_data)
{
    struct reasm_pool pool;
    struct rec c;
    rec_start(&c, &pool, 1 << 20, 1 << 16);
    reasm_data(&c.r, 5000, (const uint8_t *)"mid", 3, 3, 1);
    reasm_data(&c.r, 4990, (const uint8_t *)"early", 5, 5, 1);     /* before the start: ignored */
    reasm_data(&c.r, 4998, (const uint8_t *)"xxmidst", 7, 7, 1);   /* straddles the start */
    ck_assert_str_eq(c.log, "D:midst");
    ck_assert_uint_eq(c.st.retrans_bytes, 3);
    ck_assert_int_eq(c.nanom, 0);
    reasm_free(&c.r);
}
END_TEST

START_TEST(window_checks)
{
    struct reasm_pool pool;
    struct rec c;
    rec_start(&c, &pool, 1 << 20, 1 << 16);
    ck_assert(reasm_in_window(&c.r, 123, 100));   /* nothing known: anything goes */
    reasm_isn(&c.r, ISN);
    seg(&c, ISN, 0, "abcd");
    ck_assert(reasm_in_window(&c.r, ISN + 1 + 4, 100));
    ck_assert(reasm_in_window(&c.r, ISN + 1 + 104, 100));
    ck_assert(!reasm_in_window(&c.r, ISN + 1 + 105, 100));
    ck_assert(!reasm_in_window(&c.r, ISN + 1 + 3, 100));
    ck_assert(!reasm_in_window(&c.r, ISN + 1 + (1u << 30), 100));
    /* far-ahead segments are not part of the stream */
    seg(&c, ISN, (1u << 30) + 100, "zz");
    ck_assert_int_eq(c.nanom, 1);
    ck_assert_ptr_nonnull(strstr(c.anomalies, "tcp_seq_out_of_window"));
    ck_assert_uint_eq(c.r.held, 0);
    reasm_free(&c.r);
}
END_TEST

START_TEST(history_survives_budget_pressure_by_being_dropped)
{
    struct reasm_pool pool;
    reasm_pool_init(&pool, REASM_HIST_MIN + sizeof(struct rnode) + 8);
    struct rec c;
    rec_init(&c, &pool, 1 << 16);
    reasm_isn(&c.r, ISN);
    seg(&c, ISN, 0, "abcdef");
    ck_assert_uint_eq(c.r.hist_cap, REASM_HIST_MIN);
    seg(&c, ISN, 10, "klmnopqrst");    /* pushes the pool over: history goes first */
    ck_assert_uint_eq(c.r.hist_cap, 0);
    ck_assert_str_eq(c.log, "D:abcdef");
    ck_assert_int_eq(c.nanom, 0);
    seg(&c, ISN, 0, "abXdef");          /* unverifiable now: counted as retransmission */
    ck_assert_int_eq(c.nanom, 0);
    ck_assert_uint_eq(c.st.retrans_bytes, 6);
    rec_end(&c, &pool);
}
END_TEST

/* a history that wrapped in its first ring (no room to grow then) keeps every
 * byte at its offset when it grows later: a retransmission of wrapped bytes is
 * checked against exactly what was delivered */
START_TEST(history_grows_after_wrapping)
{
    struct reasm_pool pool;
    reasm_pool_init(&pool, REASM_HIST_MIN + 8);
    struct rec c;
    rec_init(&c, &pool, 1 << 16);
    reasm_isn(&c.r, ISN);
    char data[3000], a[1200];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (char)('A' + (i * 7 + i / 26) % 26);
    /* 1500 bytes through a 1024-byte ring: it wraps at 1024 */
    memcpy(a, data, 700);
    a[700] = 0;
    seg(&c, ISN, 0, a);
    memcpy(a, data + 700, 800);
    a[800] = 0;
    seg(&c, ISN, 700, a);
    ck_assert_uint_eq(c.r.hist_cap, REASM_HIST_MIN);
    ck_assert_uint_eq(c.r.hist_len, REASM_HIST_MIN);
    /* room now: the next delivery grows the ring, copying the wrapped bytes */
    pool.limit = 1 << 20;
    memcpy(a, data + 1500, 1000);
    a[1000] = 0;
    seg(&c, ISN, 1500, a);
    ck_assert_uint_gt(c.r.hist_cap, REASM_HIST_MIN);
    ck_assert_int_eq(c.nanom, 0);
    /* the same bytes again, across the old wrap point: no conflict */
    memcpy(a, data + 900, 700);
    a[700] = 0;
    seg(&c, ISN, 900, a);
    ck_assert_int_eq(c.nanom, 0);
    /* one byte changed on each side of where the old ring wrapped */
    a[123] ^= 0x20; /* stream offset 1023 */
    a[125] ^= 0x20; /* stream offset 1025 */
    seg(&c, ISN, 900, a);
    ck_assert_int_eq(c.nanom, 1);
    ck_assert_ptr_nonnull(strstr(c.anomalies, "segment [900,1600) differs from the first copy [900,1600) in 2 bytes"));
    ck_assert_uint_eq(c.st.retrans_bytes, 700 + 698); /* the differing bytes count as overlap, not retransmission */
    reasm_free(&c.r);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("reasm");
    TCase *tc = tcase_create("reasm");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, in_order_and_exact_retransmission);
    tcase_add_test(tc, all_permutations_of_five_segments);
    tcase_add_test(tc, one_byte_segments_reverse_order);
    tcase_add_test(tc, conflicting_overlap_first_copy_wins);
    tcase_add_test(tc, default_overlap_policy_is_first);
    tcase_add_test(tc, conflicting_overlap_last_copy_replaces_held_bytes);
    tcase_add_test(tc, repeated_copies_of_held_bytes_under_each_policy);
    tcase_add_test(tc, conflict_over_delivered_and_held_bytes);
    tcase_add_test(tc, last_policy_and_missing_ranges);
    tcase_add_test(tc, retransmitted_isn_and_wraparound);
    tcase_add_test(tc, stream_longer_than_4gib);
    tcase_add_test(tc, snap_length_cut_is_a_known_gap);
    tcase_add_test(tc, snap_cut_segment_before_the_stream_start_has_no_data);
    tcase_add_test(tc, midstream_start_and_pre_capture_data);
    tcase_add_test(tc, window_checks);
    tcase_add_test(tc, history_survives_budget_pressure_by_being_dropped);
    tcase_add_test(tc, history_grows_after_wrapping);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
