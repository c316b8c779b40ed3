/* Unit tests for the flow table: orientation, probing, port reuse,
 * timeouts, eviction, the state budget and the conn record, driven by
 * hand-made packets (flow_harness.h). How flows end on RST and FIN is in
 * test_flow_close.c. */
#include "community_id.h"
#include "flow_harness.h"

START_TEST(handshake_orients_and_fin_closes)
{
    struct fx x;
    fx_init(&x, NULL);
    handshake(&x, 1000, 40000, 445);
    pk(&x, 1100, C, 40000, S, 445, "A", CI + 1, SI + 1, "hello", 0);
    pk(&x, 1200, S, 445, C, 40000, "A", SI + 1, CI + 6, "world!", 0);
    pk(&x, 1300, C, 40000, S, 445, "FA", CI + 6, SI + 7, NULL, 0);
    pk(&x, 1400, S, 445, C, 40000, "FA", SI + 7, CI + 7, NULL, 0);
    ck_assert_str_eq(x.app.log, "O C1 10.0.0.1:40000>10.0.0.2:445 m0 t1000|D>hello|D<world!|X");
    pk(&x, 1500, C, 40000, S, 445, "A", CI + 7, SI + 8, NULL, 0);   /* the last ACK: no new flow */
    ck_assert_uint_eq(flow_table_stats(x.t)->flows, 1);
    ck_assert_int_eq(x.sink.n, 1);
    const struct rec *r = &x.sink.r[0];
    ck_assert_int_eq(r->type, EV_CONN);
    ck_assert_str_eq(r->conn, "C1");
    ck_assert_uint_eq(r->ts, 1400);   /* written at the close; `start` is the first packet */
    ck_assert_str_eq(r->keys, "start,state,midstream,duration_us,to_server,to_client");
    ck_assert_str_eq(r->state, "closed");
    ck_assert(!r->midstream);
    ck_assert_uint_eq(r->duration, 400);
    static const uint64_t to_server[6] = {4, 5, 0, 0, 0, 0}, to_client[6] = {3, 6, 0, 0, 0, 0};
    for (int k = 0; k < 6; k++) {
        ck_assert_uint_eq(r->half[0][k], to_server[k]);
        ck_assert_uint_eq(r->half[1][k], to_client[k]);
    }
    fx_free(&x);
}
END_TEST


START_TEST(syn_sender_is_client_even_on_a_server_port)
{
    struct fx x;
    fx_init(&x, NULL);
    pk(&x, 10, S, 445, C, 50000, "S", SI, 0, NULL, 0);
    /* the app state is made on the first byte, not on the SYN (half-open flows stay small) */
    ck_assert_str_eq(x.app.log, "");
    pk(&x, 11, S, 445, C, 50000, "A", SI + 1, 0, "x", 0);
    ck_assert_str_eq(x.app.log, "O C1 10.0.0.2:445>10.0.0.1:50000 m0 t10|D>x");
    fx_free(&x);
    fx_init(&x, NULL);
    /* the SYN was not captured: the SYN/ACK sender is the server */
    pk(&x, 10, S, 445, C, 40000, "SA", SI, CI + 1, NULL, 0);
    pk(&x, 20, C, 40000, S, 445, "A", CI + 1, SI + 1, "req", 0);
    ck_assert_str_eq(x.app.log, "O C1 10.0.0.1:40000>10.0.0.2:445 m0 t10|D>req");
    fx_free(&x);
}
END_TEST

START_TEST(midstream_orientation_by_port)
{
    struct fx x;
    fx_init(&x, NULL);
    pk(&x, 100, S, 445, C, 40000, "A", 7000, 3000, "resp", 0);
    pk(&x, 200, C, 40000, S, 445, "A", 3000, 7004, "req", 0);
    ck_assert_str_eq(x.app.log, "O C1 10.0.0.1:40000>10.0.0.2:445 m1 t100|D<resp|D>req");
    ck_assert(x.app.last_midstream);
    flow_table_close_all(x.t, 300);
    ck_assert_str_eq(x.app.log, "O C1 10.0.0.1:40000>10.0.0.2:445 m1 t100|D<resp|D>req|X");
    ck_assert_int_eq(x.sink.n, 1);
    ck_assert_str_eq(x.sink.r[0].state, "end_of_input");
    ck_assert(x.sink.r[0].midstream);
    ck_assert_uint_eq(x.sink.r[0].duration, 100);
    ck_assert_uint_eq(x.sink.r[0].half[0][1], 3);
    ck_assert_uint_eq(x.sink.r[0].half[1][1], 4);
    fx_free(&x);
}
END_TEST

START_TEST(probe_on_another_port_opens_and_replays)
{
    struct fx x;
    fx_init(&x, NULL);
    handshake(&x, 1000, 40000, 8445);
    pk(&x, 1100, C, 40000, S, 8445, "A", CI + 1, SI + 1, "\0\0\0\x20", 4);
    ck_assert_str_eq(x.app.log, "");
    pk(&x, 1200, C, 40000, S, 8445, "A", CI + 5, SI + 1, "\xffSMBr\0\0\0\0\0", 10);
    pk(&x, 1300, S, 8445, C, 40000, "A", SI + 1, CI + 15, "\0\0\0\x20\xffSMBr\0\0\0\0\x80", 14);
    ck_assert_str_eq(x.app.log, "O C1 10.0.0.1:40000>10.0.0.2:8445 m0 t1000|D>... .SMBr.....|D<... .SMBr.....");
    ck_assert_uint_eq(flow_table_stats(x.t)->flows_analyzed, 1);
    flow_table_close_all(x.t, 2000);
    ck_assert_int_eq(count_type(&x.sink, EV_CONN, NULL), 1);
    ck_assert_uint_eq(x.sink.r[0].half[0][1], 14);
    fx_free(&x);
}
END_TEST

START_TEST(probe_no_on_both_sides_ignores_the_flow)
{
    struct fx x;
    fx_init(&x, NULL);
    handshake(&x, 1000, 40000, 8080);
    pk(&x, 1100, C, 40000, S, 8080, "A", CI + 1, SI + 1, "GET / HTTP/1.1\r\n", 0);
    pk(&x, 1200, S, 8080, C, 40000, "A", SI + 1, CI + 17, "HTTP/1.1 200 OK\r\n", 0);
    /* no longer reassembled: an out-of-order segment holds no memory */
    pk(&x, 1300, C, 40000, S, 8080, "A", CI + 100, SI + 18, "later", 0);
    ck_assert_uint_eq(flow_table_stats(x.t)->reasm_mem_peak, 0);
    ck_assert_str_eq(x.app.log, "");
    flow_table_close_all(x.t, 2000);
    ck_assert_int_eq(x.sink.n, 0);
    ck_assert_uint_eq(flow_table_stats(x.t)->flows, 1);
    ck_assert_uint_eq(flow_table_stats(x.t)->flows_analyzed, 0);
    fx_free(&x);
}
END_TEST

START_TEST(probe_yes_on_the_second_side_replays_both_in_order)
{
    struct fx x;
    fx_init(&x, NULL);
    /* mid-stream, neither port known: A says no, B answers like an SMB server */
    pk(&x, 100, C, 9000, S, 9001, "A", 100, 200, "junk!", 0);
    pk(&x, 150, C, 9000, S, 9001, "A", 105, 200, "more", 0);
    pk(&x, 200, S, 9001, C, 9000, "A", 200, 109, "\0\0\0\x20\xffSMBr\0\0\0\0\x80", 14);
    ck_assert_str_eq(x.app.log, "O C1 10.0.0.1:9000>10.0.0.2:9001 m1 t100|D>junk!more|D<... .SMBr.....");
    fx_free(&x);
    /* the first bytes seen are a response: their sender is the server */
    fx_init(&x, NULL);
    pk(&x, 100, C, 9000, S, 9001, "A", 100, 200, "\0\0\0\x20\xffSMBr\0\0\0\0\x80", 14);
    ck_assert_str_eq(x.app.log, "O C1 10.0.0.2:9001>10.0.0.1:9000 m1 t100|D<... .SMBr.....");
    fx_free(&x);
}
END_TEST

START_TEST(a_side_saying_no_is_followed_only_so_far)
{
    struct fx x;
    fx_init(&x, NULL);
    static char blob[1001];
    memset(blob, 'x', 1000);
    uint32_t seq = 100;
    /* 256 bytes fill the probe buffer, then up to 64 KiB more are only counted */
    for (int i = 0; i < 65; i++, seq += 1000)
        pk(&x, 100 + (uint64_t)i, C, 9000, S, 9001, "A", seq, 200, blob, 0);
    pk(&x, 200, S, 9001, C, 9000, "A", 200, seq, "\0\0\0\x20\xffSMBr\0\0\0\0\x80", 14);
    char want[512];
    snprintf(want, sizeof want, "O C1 10.0.0.1:9000>10.0.0.2:9001 m1 t100|D>%.256s|D<... .SMBr.....|G>64744", blob);
    ck_assert_str_eq(x.app.log, want);
    fx_free(&x);
    fx_init(&x, NULL);
    seq = 100;
    for (int i = 0; i < 66; i++, seq += 1000)
        pk(&x, 100 + (uint64_t)i, C, 9000, S, 9001, "A", seq, 200, blob, 0);
    pk(&x, 200, S, 9001, C, 9000, "A", 200, seq, "\0\0\0\x20\xffSMBr\0\0\0\0\x80", 14);
    ck_assert_str_eq(x.app.log, "");
    fx_free(&x);
}
END_TEST

START_TEST(port_reuse)
{
    struct fx x;
    /* after a reset: anomaly on the new connection */
    fx_init(&x, NULL);
    handshake(&x, 1000, 40000, 445);
    pk(&x, 1100, C, 40000, S, 445, "RA", CI + 1, SI + 1, NULL, 0);
    pk(&x, 2000, C, 40000, S, 445, "S", 90000, 0, NULL, 0);
    ck_assert_uint_eq(flow_table_stats(x.t)->flows, 2);
    const struct rec *a = find(&x.sink, EV_ANOMALY, "tcp_port_reuse");
    ck_assert_ptr_nonnull(a);
    ck_assert_str_eq(a->conn, "C2");
    ck_assert_str_eq(a->detail, "new connection on the ports of C1, which was reset");
    fx_free(&x);
    /* after a clean close: no anomaly; a retransmitted old SYN starts nothing */
    fx_init(&x, NULL);
    handshake(&x, 1000, 40000, 445);
    pk(&x, 1100, C, 40000, S, 445, "FA", CI + 1, SI + 1, NULL, 0);
    pk(&x, 1200, S, 445, C, 40000, "FA", SI + 1, CI + 2, NULL, 0);
    pk(&x, 1300, C, 40000, S, 445, "S", CI, 0, NULL, 0);
    ck_assert_uint_eq(flow_table_stats(x.t)->flows, 1);
    pk(&x, 2000, C, 40000, S, 445, "S", 90000, 0, NULL, 0);
    ck_assert_uint_eq(flow_table_stats(x.t)->flows, 2);
    ck_assert_int_eq(count_type(&x.sink, EV_ANOMALY, NULL), 0);
    ck_assert_str_eq(x.sink.r[0].state, "closed");
    fx_free(&x);
    /* a live connection replaced by a SYN with another ISN */
    fx_init(&x, NULL);
    handshake(&x, 1000, 40000, 445);
    pk(&x, 1100, C, 40000, S, 445, "S", CI, 0, NULL, 0);   /* retransmission: same flow */
    pk(&x, 1200, C, 40000, S, 445, "A", CI + 1, SI + 1, "x", 0);
    pk(&x, 2000, C, 40000, S, 445, "S", 90000, 0, NULL, 0);
    ck_assert_uint_eq(flow_table_stats(x.t)->flows, 2);
    ck_assert_str_eq(x.sink.r[0].state, "reused");
    ck_assert_str_eq(x.sink.r[0].conn, "C1");
    a = find(&x.sink, EV_ANOMALY, "tcp_port_reuse");
    ck_assert_ptr_nonnull(a);
    ck_assert_str_eq(a->detail, "new connection on the ports of C1, which had not ended");
    ck_assert_str_eq(x.app.log, "O C1 10.0.0.1:40000>10.0.0.2:445 m0 t1000|D>x|X");
    pk(&x, 2100, C, 40000, S, 445, "A", 90001, 0, "y", 0);   /* C2's first byte opens it */
    ck_assert_str_eq(x.app.log, "O C1 10.0.0.1:40000>10.0.0.2:445 m0 t1000|D>x|X|O C2 10.0.0.1:40000>10.0.0.2:445 m0 t2000|D>y");
    fx_free(&x);
}
END_TEST

START_TEST(timeouts)
{
    struct limits lim = limits_default();
    lim.halfopen_timeout_s = 30;
    lim.idle_timeout_s = 600;
    struct fx x;
    fx_init(&x, &lim);
    uint64_t s = 1000000;
    pk(&x, 0, C, 40000, S, 445, "S", CI, 0, NULL, 0);                  /* half-open */
    handshake(&x, 1, 40001, 445);                                       /* established... */
    pk(&x, 30, C, 40001, S, 445, "A", CI + 1, SI + 1, "q", 0);
    pk(&x, 40, S, 445, C, 40001, "A", SI + 1, CI + 2, "r", 0);
    pk(&x, 30 * s, C, 1, S, 2, "A", 1, 1, NULL, 0);                     /* not yet: 30 s is not beyond 30 s */
    ck_assert_int_eq(count_type(&x.sink, EV_CONN, NULL), 0);
    pk(&x, 31 * s, C, 1, S, 2, "A", 1, 1, NULL, 0);
    ck_assert_int_eq(count_type(&x.sink, EV_CONN, NULL), 1);
    ck_assert_str_eq(x.sink.r[0].conn, "C1");
    ck_assert_str_eq(x.sink.r[0].state, "timeout");
    pk(&x, 599 * s, C, 1, S, 2, "A", 1, 1, NULL, 0);
    ck_assert_int_eq(count_type(&x.sink, EV_CONN, NULL), 1);
    pk(&x, 601 * s, C, 1, S, 2, "A", 1, 1, NULL, 0);
    ck_assert_int_eq(count_type(&x.sink, EV_CONN, NULL), 2);
    ck_assert_str_eq(x.sink.r[1].conn, "C2");
    ck_assert_str_eq(x.sink.r[1].state, "timeout");
    ck_assert_uint_eq(x.sink.r[1].duration, 39);
    /* C1, C2 and the unanalyzed probe flow between ports 1 and 2 */
    ck_assert_uint_eq(flow_table_stats(x.t)->flows_timed_out, 3);
    fx_free(&x);
}
END_TEST

START_TEST(max_flows_evicts_half_open_first)
{
    struct limits lim = limits_default();
    lim.max_flows = 2;
    struct fx x;
    fx_init(&x, &lim);
    handshake(&x, 1000, 40000, 445);
    pk(&x, 1100, C, 40000, S, 445, "A", CI + 1, SI + 1, "q", 0);
    pk(&x, 1200, S, 445, C, 40000, "A", SI + 1, CI + 2, "r", 0);
    pk(&x, 2000, C, 40001, S, 445, "S", CI, 0, NULL, 0);
    pk(&x, 3000, C, 40002, S, 445, "S", CI, 0, NULL, 0);
    ck_assert_int_eq(count_type(&x.sink, EV_CONN, NULL), 1);
    const struct rec *r = find(&x.sink, EV_CONN, NULL);
    ck_assert_str_eq(r->conn, "C2");
    ck_assert_str_eq(r->state, "evicted");
    ck_assert_int_eq(count_type(&x.sink, EV_ANOMALY, "flow_table_full"), 1);
    pk(&x, 4000, C, 40003, S, 445, "S", CI, 0, NULL, 0);
    ck_assert_uint_eq(flow_table_stats(x.t)->flows_evicted, 2);
    ck_assert_int_eq(count_type(&x.sink, EV_ANOMALY, "flow_table_full"), 1);   /* once per run */
    ck_assert_str_eq(x.sink.r[x.sink.n - 1].conn, "C3");
    /* the established flow is still there */
    pk(&x, 5000, C, 40000, S, 445, "A", CI + 2, SI + 2, "z", 0);
    ck_assert_ptr_nonnull(strstr(x.app.log, "D>z"));
    fx_free(&x);
}
END_TEST

START_TEST(conn_record_counts_gaps_and_retransmissions)
{
    struct fx x;
    fx_init(&x, NULL);
    handshake(&x, 1000, 40000, 445);
    /* bytes [0,4) never captured */
    pk(&x, 1100, C, 40000, S, 445, "A", CI + 5, SI + 1, "bbbb", 0);
    ck_assert_str_eq(x.app.log, "");   /* held above the hole: nothing reached the app yet */
    pk(&x, 1200, S, 445, C, 40000, "A", SI + 1, CI + 9, "ok", 0);   /* the server got them */
    pk(&x, 1300, C, 40000, S, 445, "A", CI + 5, SI + 3, "bbbb", 0); /* retransmission */
    pk(&x, 1400, C, 40000, S, 445, "A", CI + 5, SI + 3, "bbXb", 0); /* conflicting copy */
    pk(&x, 1500, C, 40000, S, 445, "FA", CI + 9, SI + 3, NULL, 0);
    pk(&x, 1600, S, 445, C, 40000, "FA", SI + 3, CI + 10, NULL, 0);
    ck_assert_str_eq(x.app.log, "O C1 10.0.0.1:40000>10.0.0.2:445 m0 t1000|G>4|D>bbbb|D<ok|X");
    const struct rec *r = find(&x.sink, EV_CONN, NULL);
    static const uint64_t to_server[6] = {6, 12, 1, 4, 7, 1}, to_client[6] = {3, 2, 0, 0, 0, 0};
    for (int k = 0; k < 6; k++) {
        ck_assert_uint_eq(r->half[0][k], to_server[k]);
        ck_assert_uint_eq(r->half[1][k], to_client[k]);
    }
    const struct rec *a = find(&x.sink, EV_ANOMALY, "tcp_overlap_conflict");
    ck_assert_ptr_nonnull(a);
    ck_assert_str_eq(a->conn, "C1");
    ck_assert_str_eq(a->detail, "segment [4,8) differs from the first copy [4,8) in 1 bytes; first copy kept (to server)");
    fx_free(&x);
}
END_TEST

/* --tcp-overlap reaches every direction's reassembler */
START_TEST(overlap_policy_reaches_the_reassembler)
{
    static const enum overlap_policy pol[2] = {OVERLAP_FIRST, OVERLAP_LAST};
    static const char *const log[2] = {
        "O C1 10.0.0.1:40000>10.0.0.2:445 m0 t1000|D>aaaa|D>bbbb",
        "O C1 10.0.0.1:40000>10.0.0.2:445 m0 t1000|D>aaaa|D>bbXb",
    };
    static const char *const why[2] = {
        "segment [4,8) differs from the first copy [4,8) in 1 bytes; first copy kept (to server)",
        "segment [4,8) differs from the held copy [4,8) in 1 bytes; last copy kept (to server)",
    };
    for (int k = 0; k < 2; k++) {
        struct limits lim = limits_default();
        lim.tcp_overlap = pol[k];
        struct fx x;
        fx_init(&x, &lim);
        handshake(&x, 1000, 40000, 445);
        pk(&x, 1100, C, 40000, S, 445, "A", CI + 5, SI + 1, "bbbb", 0);   /* held above [0,4) */
        pk(&x, 1200, C, 40000, S, 445, "A", CI + 5, SI + 1, "bbXb", 0);   /* conflicting copy, still held */
        pk(&x, 1300, C, 40000, S, 445, "A", CI + 1, SI + 1, "aaaa", 0);
        ck_assert_str_eq(x.app.log, log[k]);
        const struct rec *a = find(&x.sink, EV_ANOMALY, "tcp_overlap_conflict");
        ck_assert_ptr_nonnull(a);
        ck_assert_str_eq(a->detail, why[k]);
        fx_free(&x);
    }
}
END_TEST

START_TEST(community_id_known_example)
{
    char id[COMMUNITY_ID_LEN];
    uint8_t a[4] = {128, 232, 110, 120}, b[4] = {66, 35, 250, 204};
    ck_assert(community_id_v1(0, 4, a, b, 6, 34855, 80, NULL, id, sizeof id));
    ck_assert_str_eq(id, "1:LQU9qZlK+B5F3KDmev6m5PMibrg=");
    ck_assert(community_id_v1(0, 4, b, a, 6, 80, 34855, NULL, id, sizeof id));
    ck_assert_str_eq(id, "1:LQU9qZlK+B5F3KDmev6m5PMibrg=");
    EVP_MD *sha1 = EVP_MD_fetch(NULL, "SHA1", NULL); /* as the flow table passes it */
    ck_assert_ptr_nonnull(sha1);
    ck_assert(community_id_v1(0, 4, b, a, 6, 80, 34855, sha1, id, sizeof id));
    ck_assert_str_eq(id, "1:LQU9qZlK+B5F3KDmev6m5PMibrg=");
    EVP_MD_free(sha1);
    struct fx x;
    fx_init(&x, NULL);
    pk(&x, 5, "128.232.110.120", 34855, "66.35.250.204", 80, "S", 1, 0, NULL, 0);
    pk(&x, 6, "128.232.110.120", 34855, "66.35.250.204", 80, "A", 2, 0, "x", 0);
    ck_assert_str_eq(x.app.last_conn.community_id, "1:LQU9qZlK+B5F3KDmev6m5PMibrg=");
    ck_assert_str_eq(x.app.last_conn.id, "C1");
    ck_assert_uint_eq(x.app.last_conn.num, 1);
    ck_assert_uint_eq(x.app.last_conn.start_us, 5);
    fx_free(&x);
}
END_TEST

START_TEST(ipv6_and_close_all_oldest_first)
{
    struct fx x;
    fx_init(&x, NULL);
    pk(&x, 1, "2001:db8::1", 40000, "2001:db8::2", 445, "S", CI, 0, NULL, 0);
    pk(&x, 1, "2001:db8::1", 40000, "2001:db8::2", 445, "A", CI + 1, 0, "a", 0);
    pk(&x, 2, C, 40001, S, 445, "S", CI, 0, NULL, 0);
    pk(&x, 2, C, 40001, S, 445, "A", CI + 1, 0, "b", 0);
    pk(&x, 3, C, 40002, S, 445, "S", CI, 0, NULL, 0);
    pk(&x, 3, C, 40002, S, 445, "A", CI + 1, 0, "c", 0);
    pk(&x, 4, "2001:db8::1", 40000, "2001:db8::2", 445, "S", CI, 0, NULL, 0);   /* C1 most recent now */
    ck_assert_str_eq(x.app.log, "O C1 2001:db8::1:40000>2001:db8::2:445 m0 t1|D>a|"
                                "O C2 10.0.0.1:40001>10.0.0.2:445 m0 t2|D>b|O C3 10.0.0.1:40002>10.0.0.2:445 m0 t3|D>c");
    flow_table_close_all(x.t, 10);
    ck_assert_int_eq(x.sink.n, 3);
    for (int i = 0; i < 3; i++) {
        char id[8];
        snprintf(id, sizeof id, "C%d", i + 1);
        ck_assert_str_eq(x.sink.r[i].conn, id);
        ck_assert_str_eq(x.sink.r[i].state, "end_of_input");
    }
    fx_free(&x);
}
END_TEST

/* The state budget: past it the idlest connection is evicted (an anomaly on
 * it, its conn record `evicted`), the others go on; every byte charged is
 * given back when the flows end. A SYN alone costs under 512 bytes. */
START_TEST(state_budget_evicts_the_idlest)
{
    struct fx x;
    fx_init(&x, NULL);
    x.mb.limit = 0;   /* measure first */
    pk(&x, 1, C, 50000, S, 445, "S", CI, 0, NULL, 0);
    size_t one_syn = x.mb.used;
    /* what each more half-open flow (analyzed, no data yet) costs: 512 bytes
     * at most, the table's bucket array included (the first flow also pays
     * for the table's first buckets) */
    struct fx y;
    fx_init(&y, NULL);
    y.mb.limit = 0;
    for (uint16_t i = 0; i < 50; i++)
        pk(&y, 1, C, (uint16_t)(20000 + i), S, 445, "S", CI, 0, NULL, 0);
    ck_assert_uint_le(y.mb.used, 50u * 512u);
    fx_free(&y);
    handshake(&x, 1000, 40000, 445);
    pk(&x, 1100, C, 40000, S, 445, "A", CI + 1, SI + 1, "one", 0);
    handshake(&x, 2000, 40001, 445);
    pk(&x, 2100, C, 40001, S, 445, "A", CI + 1, SI + 1, "two", 0);
    pk(&x, 2200, C, 50000, S, 445, "S", CI, 0, NULL, 0);   /* the first flow: busy again */
    ck_assert_uint_gt(x.mb.used, 3 * one_syn);
    /* room for what there is and a little: the next flow's reassembly tips it */
    x.mb.limit = x.mb.used + 64;
    handshake(&x, 3000, 40002, 445);
    pk(&x, 3100, C, 40002, S, 445, "A", CI + 1, SI + 1, "three", 0);
    const struct rec *a = find(&x.sink, EV_ANOMALY, "state_memory_limit");
    ck_assert_ptr_nonnull(a);
    ck_assert_str_eq(a->conn, "C2");   /* idle since 1100: the idlest */
    ck_assert_ptr_nonnull(strstr(a->detail, "the idlest, is evicted"));
    const struct rec *c = find(&x.sink, EV_CONN, NULL);
    ck_assert_str_eq(c->conn, "C2");
    ck_assert_str_eq(c->state, "evicted");
    ck_assert_uint_le(x.mb.used, x.mb.limit);
    ck_assert_uint_ge(x.mb.evictions, 1);
    ck_assert_uint_ge(flow_table_stats(x.t)->flows_evicted, 1);
    /* the newest goes on being analyzed */
    pk(&x, 3200, C, 40002, S, 445, "A", CI + 6, SI + 1, "four", 0);
    ck_assert_ptr_nonnull(strstr(x.app.log, "D>three|D>four"));
    flow_table_close_all(x.t, 4000);
    ck_assert_uint_eq(x.mb.used, 0);   /* everything charged was given back */
    fx_free(&x);
}
END_TEST

/* endpoint text: IPv4 is written by hand (flow_key.c), so it must match
 * inet_ntop for every octet width and place, and stay within outsz */
START_TEST(ip_text_matches_inet_ntop)
{
    static const uint8_t widths[] = {0, 1, 9, 10, 42, 99, 100, 101, 199, 200, 255};
    struct flow_key k;
    char got[INET6_ADDRSTRLEN], want[INET6_ADDRSTRLEN];
    memset(&k, 0, sizeof k);
    k.ipver = 4;
    size_t n = sizeof widths, tried = 0;
    for (size_t a = 0; a < n; a++)
        for (size_t b = 0; b < n; b++)
            for (size_t c = 0; c < n; c++)
                for (size_t d = 0; d < n; d++) {
                    const uint8_t ip[4] = {widths[a], widths[b], widths[c], widths[d]};
                    memcpy(k.addr[1], ip, 4);
                    memset(got, 'x', sizeof got);
                    flow_key_ip_text(&k, 1, got, 16);   /* "255.255.255.255" and its NUL: exactly 16 */
                    ck_assert_ptr_nonnull(inet_ntop(AF_INET, ip, want, sizeof want));
                    ck_assert_str_eq(got, want);
                    ck_assert_int_eq(got[16], 'x');     /* nothing written past outsz */
                    tried++;
                }
    ck_assert_uint_eq(tried, n * n * n * n);
    /* too small for the text: empty, as inet_ntop's failure gives */
    const uint8_t wide[4] = {255, 255, 255, 255};
    memcpy(k.addr[0], wide, 4);
    memset(got, 'x', sizeof got);
    flow_key_ip_text(&k, 0, got, 15);
    ck_assert_str_eq(got, "");
    const uint8_t narrow[4] = {1, 2, 3, 4};
    memcpy(k.addr[0], narrow, 4);
    flow_key_ip_text(&k, 0, got, 8);
    ck_assert_str_eq(got, "1.2.3.4");
    /* IPv6 still goes through inet_ntop */
    k.ipver = 6;
    const uint8_t v6[16] = {0xfe, 0x80, [15] = 1};
    memcpy(k.addr[0], v6, 16);
    flow_key_ip_text(&k, 0, got, sizeof got);
    ck_assert_str_eq(got, "fe80::1");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("flow");
    TCase *tc = tcase_create("flow");
    tcase_add_test(tc, handshake_orients_and_fin_closes);
    tcase_add_test(tc, syn_sender_is_client_even_on_a_server_port);
    tcase_add_test(tc, midstream_orientation_by_port);
    tcase_add_test(tc, probe_on_another_port_opens_and_replays);
    tcase_add_test(tc, probe_no_on_both_sides_ignores_the_flow);
    tcase_add_test(tc, probe_yes_on_the_second_side_replays_both_in_order);
    tcase_add_test(tc, a_side_saying_no_is_followed_only_so_far);
    tcase_add_test(tc, port_reuse);
    tcase_add_test(tc, timeouts);
    tcase_add_test(tc, max_flows_evicts_half_open_first);
    tcase_add_test(tc, conn_record_counts_gaps_and_retransmissions);
    tcase_add_test(tc, overlap_policy_reaches_the_reassembler);
    tcase_add_test(tc, community_id_known_example);
    tcase_add_test(tc, ipv6_and_close_all_oldest_first);
    tcase_add_test(tc, state_budget_evicts_the_idlest);
    tcase_add_test(tc, ip_text_matches_inet_ntop);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
