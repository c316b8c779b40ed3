/* Unit tests for per-direction reassembly: every case asserts the exact
 * callback sequence, recorded as "D:<bytes>|G:<n>|..." (adjacent data merged). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reasm.h"

struct rec {
    char log[4096];
    size_t len;
    bool last_data;
    char anomalies[1024];
    int nanom;
    struct half_stats st;
    struct reasm r;
};

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

static const struct reasm_sink SINK = {rec_data, rec_gap, rec_anomaly};

static void rec_init_policy(struct rec *c, struct reasm_pool *pool, size_t hole_cap, enum overlap_policy pol)
{
    memset(c, 0, sizeof *c);
    reasm_init(&c->r, pool, hole_cap, pol, &SINK, c, &c->st);
}

static void rec_init(struct rec *c, struct reasm_pool *pool, size_t hole_cap)
{
    rec_init_policy(c, pool, hole_cap, limits_default().tcp_overlap);
}

/* a fresh pool and one direction's reassembler on it */
static void rec_start(struct rec *c, struct reasm_pool *pool, size_t pool_cap, size_t hole_cap)
{
    reasm_pool_init(pool, pool_cap);
    rec_init(c, pool, hole_cap);
}

/* free it: everything it held goes back to the pool */
static void rec_end(struct rec *c, struct reasm_pool *pool)
{
    reasm_free(&c->r);
    ck_assert_uint_eq(pool->used, 0);
}

/* text segment at offset off from isn+1 */
static void seg(struct rec *c, uint32_t isn, uint32_t off, const char *s)
{
    reasm_data(&c->r, isn + 1 + off, (const uint8_t *)s, strlen(s), strlen(s), 1);
}

#define ISN 1000u

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

/* ---- rule (a): ACK evidence, the grace ---- */

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
    tcase_add_test(tc, answer_past_the_hole_declares_it_at_once);
    tcase_add_test(tc, pure_ack_past_the_hole_declares_it_after_the_grace);
    tcase_add_test(tc, late_segment_within_the_grace_fills_the_hole);
    tcase_add_test(tc, acked_hole_that_never_fills_is_a_gap_after_the_grace);
    tcase_add_test(tc, grace_is_bounded_by_the_hole_cap_and_the_budget);
    tcase_add_test(tc, all_permutations_with_the_acks_in_the_original_order);
    tcase_add_test(tc, pool_lists_graces_by_deadline);
    tcase_add_test(tc, expire_all_ends_the_grace_now);
    tcase_add_test(tc, hole_cap_declares_the_first_hole);
    tcase_add_test(tc, pool_budget_flushes_the_biggest_old_holder);
    tcase_add_test(tc, fin_and_flush_deliver_everything_with_gaps);
    tcase_add_test(tc, flush_gap_up_to_fin_and_ack);
    tcase_add_test(tc, midstream_start_and_pre_capture_data);
    tcase_add_test(tc, window_checks);
    tcase_add_test(tc, history_survives_budget_pressure_by_being_dropped);
    tcase_add_test(tc, history_grows_after_wrapping);
    tcase_add_loop_test(tc, random_segments_match_a_reference, 0, 5);
    tcase_add_loop_test(tc, random_segments_match_a_reference_last_copy, 0, 5);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
