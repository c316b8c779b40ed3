/* Unit tests for how the flow table ends a connection: RST (validity
 * window, the grace for the peer's data in flight, late data after it) and
 * FIN (waiting for holes until acknowledged, quiet flows' ACK graces),
 * driven by hand-made packets (flow_harness.h). Spec: RFC 9293 sections
 * 3.5.3 (reset processing) and 3.6 (closing a connection). */
#include "flow_harness.h"

/* the setup most cases share: a fresh table with default limits and C1
 * (10.0.0.1:40000 > 10.0.0.2:445) handshaken at t=1000 */
static void open_c1(struct fx *x)
{
    fx_init(x, NULL);
    handshake(x, 1000, 40000, 445);
}

/* open_c1, then the client's 3-byte request "req" at t=1100 */
static void open_with_req(struct fx *x)
{
    open_c1(x);
    pk(x, 1100, C, 40000, S, 445, "A", CI + 1, SI + 1, "req", 0);
}

START_TEST(rst_closes_and_later_data_is_an_anomaly)
{
    struct fx x;
    open_c1(&x);
    pk(&x, 1100, C, 40000, S, 445, "A", CI + 1, SI + 1, "hello", 0);
    pk(&x, 1200, S, 445, C, 40000, "RA", SI + 1, CI + 6, NULL, 0);
    ck_assert_str_eq(x.app.log, "O C1 10.0.0.1:40000>10.0.0.2:445 m0 t1000|D>hello");   /* the grace */
    ck_assert_int_eq(x.sink.n, 0);
    /* past the grace: the flow ends at the RST, and the data is late */
    pk(&x, 1201 + FLOW_RST_GRACE_US, C, 40000, S, 445, "A", CI + 6, SI + 1, "late", 0);
    ck_assert_str_eq(x.app.log, "O C1 10.0.0.1:40000>10.0.0.2:445 m0 t1000|D>hello|X");
    ck_assert_int_eq(count_type(&x.sink, EV_CONN, NULL), 1);
    ck_assert_str_eq(x.sink.r[0].state, "reset");
    ck_assert_uint_eq(x.sink.r[0].duration, 200);
    pk(&x, 1300 + FLOW_RST_GRACE_US, S, 445, C, 40000, "R", SI + 1, 0, NULL, 0);
    ck_assert_uint_eq(flow_table_stats(x.t)->flows, 1);
    ck_assert_uint_eq(flow_table_stats(x.t)->flows_timed_out, 0);
    ck_assert_int_eq(count_type(&x.sink, EV_ANOMALY, "tcp_data_after_fin"), 1);
    const struct rec *a = find(&x.sink, EV_ANOMALY, "tcp_data_after_fin");
    ck_assert_str_eq(a->conn, "C1");
    ck_assert_str_eq(a->detail, "4 bytes at 0 from the stream end, after the connection was reset; ignored");
    fx_free(&x);
}
END_TEST

/* what the server had sent before the client's RST reached it still arrives
 * (smb-filename.pcap: an Echo response 0.1 ms after the client's RST) */
START_TEST(rst_grace_delivers_the_peers_data_in_flight)
{
    struct fx x;
    open_with_req(&x);
    pk(&x, 1200, S, 445, C, 40000, "A", SI + 1, CI + 4, "resp1", 0);
    pk(&x, 1300, C, 40000, S, 445, "RA", CI + 4, SI + 1, NULL, 0);      /* acks none of it */
    pk(&x, 1400, S, 445, C, 40000, "A", SI + 6, CI + 4, "resp2", 0);    /* the next expected byte */
    pk(&x, 1450, C, 40000, S, 445, "R", CI + 4, 0, NULL, 0);            /* the client's answer to it */
    pk(&x, 1500, S, 445, C, 40000, "A", SI + 11, CI + 4, "resp3", 0);
    pk(&x, 1550, S, 445, C, 40000, "A", SI + 9, CI + 4, "p2res", 0);    /* a retransmission overlapping */
    ck_assert_str_eq(x.app.log, "O C1 10.0.0.1:40000>10.0.0.2:445 m0 t1000|D>req|D<resp1|D<resp2|D<resp3");
    ck_assert_int_eq(x.sink.n, 0);
    flow_table_close_all(x.t, 1600);
    ck_assert_str_eq(x.app.log, "O C1 10.0.0.1:40000>10.0.0.2:445 m0 t1000|D>req|D<resp1|D<resp2|D<resp3|X");
    ck_assert_int_eq(x.sink.n, 1);
    const struct rec *r = &x.sink.r[0];
    ck_assert_str_eq(r->state, "reset");
    ck_assert_uint_eq(r->duration, 550);
    /* SYN, ACK, req, RST (its repetition is not part of the connection) */
    static const uint64_t to_server[6] = {4, 3, 0, 0, 0, 0}, to_client[6] = {5, 20, 0, 0, 5, 0};
    for (int k = 0; k < 6; k++) {
        ck_assert_uint_eq(r->half[0][k], to_server[k]);
        ck_assert_uint_eq(r->half[1][k], to_client[k]);
    }
    ck_assert_uint_eq(flow_table_stats(x.t)->flows_timed_out, 0);
    fx_free(&x);
}
END_TEST

START_TEST(rst_sender_data_after_its_own_rst_is_ignored)
{
    struct fx x;
    open_with_req(&x);
    pk(&x, 1200, C, 40000, S, 445, "RA", CI + 4, SI + 1, NULL, 0);
    pk(&x, 1300, C, 40000, S, 445, "A", CI + 4, SI + 1, "more", 0);
    pk(&x, 1350, C, 40000, S, 445, "A", CI + 8, SI + 1, "again", 0);
    ck_assert_int_eq(count_type(&x.sink, EV_CONN, NULL), 0);             /* still in its grace */
    ck_assert_int_eq(count_type(&x.sink, EV_ANOMALY, "tcp_data_after_fin"), 1);   /* once */
    const struct rec *a = find(&x.sink, EV_ANOMALY, "tcp_data_after_fin");
    ck_assert_str_eq(a->conn, "C1");
    ck_assert_uint_eq(a->ts, 1300);
    ck_assert_str_eq(a->detail, "4 bytes at 0 from the stream end, after the connection was reset; ignored");
    pk(&x, 1400, S, 445, C, 40000, "A", SI + 1, CI + 4, "resp", 0);     /* the server's still counts */
    ck_assert_str_eq(x.app.log, "O C1 10.0.0.1:40000>10.0.0.2:445 m0 t1000|D>req|D<resp");
    flow_table_close_all(x.t, 2000);
    ck_assert_str_eq(x.app.log, "O C1 10.0.0.1:40000>10.0.0.2:445 m0 t1000|D>req|D<resp|X");
    const struct rec *r = find(&x.sink, EV_CONN, NULL);
    ck_assert_str_eq(r->state, "reset");
    ck_assert_uint_eq(r->duration, 400);
    ck_assert_uint_eq(r->half[0][0], 4);   /* SYN, ACK, req, RST */
    ck_assert_uint_eq(r->half[0][1], 3);
    ck_assert_uint_eq(r->half[1][0], 2);
    ck_assert_uint_eq(r->half[1][1], 4);
    ck_assert_int_eq(count_type(&x.sink, EV_CONN, NULL), 1);
    fx_free(&x);
}
END_TEST

START_TEST(rst_grace_expires_without_more_packets)
{
    struct fx x;
    /* the clock of another flow's packet ends it: not at the deadline, just past it */
    open_with_req(&x);
    pk(&x, 1200, C, 40000, S, 445, "RA", CI + 4, SI + 1, NULL, 0);
    pk(&x, 1200 + FLOW_RST_GRACE_US, C, 40001, S, 445, "S", CI, 0, NULL, 0);
    ck_assert_int_eq(count_type(&x.sink, EV_CONN, NULL), 0);
    pk(&x, 1201 + FLOW_RST_GRACE_US, C, 40001, S, 445, "S", CI, 0, NULL, 0);
    ck_assert_int_eq(count_type(&x.sink, EV_CONN, NULL), 1);
    const struct rec *r = find(&x.sink, EV_CONN, NULL);
    ck_assert_str_eq(r->conn, "C1");
    ck_assert_str_eq(r->state, "reset");
    ck_assert_uint_eq(r->duration, 200);
    ck_assert_uint_eq(flow_table_stats(x.t)->flows_timed_out, 0);
    /* it lingers: the server's reply now is late data, not a new connection */
    pk(&x, 1300 + FLOW_RST_GRACE_US, S, 445, C, 40000, "A", SI + 1, CI + 4, "resp", 0);
    ck_assert_int_eq(count_type(&x.sink, EV_ANOMALY, "tcp_data_after_fin"), 1);
    ck_assert_uint_eq(flow_table_stats(x.t)->flows, 2);
    flow_table_close_all(x.t, 2 * FLOW_RST_GRACE_US);
    /* C2 only ever sent SYNs: its app state was never made, so never closed */
    ck_assert_str_eq(x.app.log, "O C1 10.0.0.1:40000>10.0.0.2:445 m0 t1000|D>req|X");
    ck_assert_int_eq(count_type(&x.sink, EV_CONN, NULL), 2);   /* C1 once, and C2 */
    ck_assert_str_eq(x.sink.r[x.sink.n - 1].conn, "C2");
    ck_assert_str_eq(x.sink.r[x.sink.n - 1].state, "end_of_input");
    fx_free(&x);
    /* end of input ends it as reset (not end_of_input), once */
    open_with_req(&x);
    pk(&x, 1200, S, 445, C, 40000, "R", SI + 1, 0, NULL, 0);
    flow_table_close_all(x.t, 1300);
    ck_assert_str_eq(x.app.log, "O C1 10.0.0.1:40000>10.0.0.2:445 m0 t1000|D>req|X");
    ck_assert_int_eq(x.sink.n, 1);
    ck_assert_str_eq(x.sink.r[0].state, "reset");
    ck_assert_uint_eq(x.sink.r[0].duration, 200);
    fx_free(&x);
    ck_assert_str_eq(x.app.log, "O C1 10.0.0.1:40000>10.0.0.2:445 m0 t1000|D>req|X");
    /* a full table cuts the grace short: the flow ends as reset, it is not evicted */
    struct limits lim = limits_default();
    lim.max_flows = 1;
    fx_init(&x, &lim);
    handshake(&x, 1000, 40000, 445);
    pk(&x, 1200, C, 40000, S, 445, "RA", CI + 1, SI + 1, NULL, 0);
    pk(&x, 1300, C, 40001, S, 445, "S", CI, 0, NULL, 0);
    ck_assert_int_eq(count_type(&x.sink, EV_CONN, NULL), 1);
    ck_assert_str_eq(x.sink.r[0].state, "reset");
    ck_assert_uint_eq(flow_table_stats(x.t)->flows_evicted, 0);
    ck_assert_int_eq(count_type(&x.sink, EV_ANOMALY, "flow_table_full"), 0);
    fx_free(&x);
}
END_TEST

START_TEST(rst_grace_ends_at_once_on_out_of_sequence_data)
{
    struct fx x;
    /* a hole in the server's stream: not in flight, so the end, and late */
    open_with_req(&x);
    pk(&x, 1200, C, 40000, S, 445, "RA", CI + 4, SI + 1, NULL, 0);
    pk(&x, 1300, S, 445, C, 40000, "A", SI + 100, CI + 4, "resp", 0);
    ck_assert_str_eq(x.app.log, "O C1 10.0.0.1:40000>10.0.0.2:445 m0 t1000|D>req|X");
    ck_assert_int_eq(count_type(&x.sink, EV_CONN, NULL), 1);
    ck_assert_str_eq(x.sink.r[0].state, "reset");
    ck_assert_uint_eq(x.sink.r[0].duration, 200);
    ck_assert_uint_eq(x.sink.r[0].half[1][0], 1);   /* the SYN/ACK only */
    const struct rec *a = find(&x.sink, EV_ANOMALY, "tcp_data_after_fin");
    ck_assert_ptr_nonnull(a);
    ck_assert_str_eq(a->detail, "4 bytes at 99 from the stream end, after the connection was reset; ignored");
    pk(&x, 1400, S, 445, C, 40000, "A", SI + 1, CI + 4, "resp", 0);   /* too late now */
    ck_assert_str_eq(x.app.log, "O C1 10.0.0.1:40000>10.0.0.2:445 m0 t1000|D>req|X");
    fx_free(&x);
    /* the server's FIN: its data is delivered, then the end */
    open_with_req(&x);
    pk(&x, 1200, C, 40000, S, 445, "RA", CI + 4, SI + 1, NULL, 0);
    pk(&x, 1300, S, 445, C, 40000, "FA", SI + 1, CI + 4, "bye", 0);
    ck_assert_str_eq(x.app.log, "O C1 10.0.0.1:40000>10.0.0.2:445 m0 t1000|D>req|D<bye|X");
    ck_assert_int_eq(x.sink.n, 1);
    ck_assert_str_eq(x.sink.r[0].state, "reset");
    ck_assert_uint_eq(x.sink.r[0].duration, 300);
    fx_free(&x);
    /* the server's own RST */
    open_with_req(&x);
    pk(&x, 1200, C, 40000, S, 445, "RA", CI + 4, SI + 1, NULL, 0);
    pk(&x, 1300, S, 445, C, 40000, "R", SI + 1, 0, NULL, 0);
    ck_assert_str_eq(x.app.log, "O C1 10.0.0.1:40000>10.0.0.2:445 m0 t1000|D>req|X");
    ck_assert_int_eq(x.sink.n, 1);
    ck_assert_str_eq(x.sink.r[0].state, "reset");
    ck_assert_uint_eq(x.sink.r[0].duration, 200);
    fx_free(&x);
}
END_TEST

START_TEST(rst_out_of_window_is_ignored)
{
    struct fx x;
    open_c1(&x);
    pk(&x, 1100, C, 40000, S, 445, "A", CI + 1, SI + 1, "hello", 0);
    pk(&x, 1200, S, 445, C, 40000, "R", SI + 1 + (1u << 30), 0, NULL, 0);
    ck_assert_int_eq(count_type(&x.sink, EV_ANOMALY, "tcp_rst_out_of_window"), 1);
    ck_assert_int_eq(count_type(&x.sink, EV_CONN, NULL), 0);
    pk(&x, 1300, C, 40000, S, 445, "A", CI + 6, SI + 1, "again", 0);
    pk(&x, 1400, C, 40000, S, 445, "FA", CI + 11, SI + 1, NULL, 0);
    pk(&x, 1500, S, 445, C, 40000, "FA", SI + 1, CI + 12, NULL, 0);
    ck_assert_str_eq(x.app.log, "O C1 10.0.0.1:40000>10.0.0.2:445 m0 t1000|D>hello|D>again|X");
    ck_assert_str_eq(find(&x.sink, EV_CONN, NULL)->state, "closed");
    fx_free(&x);
}
END_TEST

START_TEST(fin_waits_for_the_hole_until_acked)
{
    struct fx x;
    open_c1(&x);
    pk(&x, 1100, C, 40000, S, 445, "A", CI + 1, SI + 1, "ab", 0);
    pk(&x, 1200, C, 40000, S, 445, "FA", CI + 5, SI + 1, "ef", 0);   /* [2,4) missing */
    pk(&x, 1300, S, 445, C, 40000, "FA", SI + 1, CI + 3, NULL, 0);    /* acks only "ab" */
    ck_assert_str_eq(x.app.log, "O C1 10.0.0.1:40000>10.0.0.2:445 m0 t1000|D>ab");
    pk(&x, 1400, C, 40000, S, 445, "A", CI + 3, SI + 2, "cd", 0);     /* retransmission fills it */
    ck_assert_str_eq(x.app.log, "O C1 10.0.0.1:40000>10.0.0.2:445 m0 t1000|D>ab|D>cd|D>ef|X");
    fx_free(&x);

    /* the server acknowledges everything and the FIN with a pure ACK: the
     * missing segment may still be captured after it, within the grace */
    open_c1(&x);
    pk(&x, 1100, C, 40000, S, 445, "A", CI + 1, SI + 1, "ab", 0);
    pk(&x, 1200, C, 40000, S, 445, "FA", CI + 5, SI + 1, "ef", 0);
    pk(&x, 1300, S, 445, C, 40000, "FA", SI + 1, CI + 8, NULL, 0);
    ck_assert_str_eq(x.app.log, "O C1 10.0.0.1:40000>10.0.0.2:445 m0 t1000|D>ab");
    ck_assert_int_eq(count_type(&x.sink, EV_CONN, NULL), 0);
    pk(&x, 1300 + REASM_ACK_GRACE_US, C, 40000, S, 445, "A", CI + 3, SI + 2, "cd", 0);
    ck_assert_str_eq(x.app.log, "O C1 10.0.0.1:40000>10.0.0.2:445 m0 t1000|D>ab|D>cd|D>ef|X");
    const struct rec *r = find(&x.sink, EV_CONN, NULL);
    ck_assert_str_eq(r->state, "closed");
    ck_assert_uint_eq(r->half[0][2], 0);
    fx_free(&x);

    /* it never comes: a packet of another flow past the grace declares the
     * hole, and the flow, done, closes */
    open_c1(&x);
    pk(&x, 1100, C, 40000, S, 445, "A", CI + 1, SI + 1, "ab", 0);
    pk(&x, 1200, C, 40000, S, 445, "FA", CI + 5, SI + 1, "ef", 0);
    pk(&x, 1300, S, 445, C, 40000, "FA", SI + 1, CI + 8, NULL, 0);
    pk(&x, 1300 + REASM_ACK_GRACE_US, C, 40001, S, 8888, "S", CI, 0, NULL, 0);
    ck_assert_str_eq(x.app.log, "O C1 10.0.0.1:40000>10.0.0.2:445 m0 t1000|D>ab");
    pk(&x, 1301 + REASM_ACK_GRACE_US, C, 40001, S, 8888, "S", CI, 0, NULL, 0);
    ck_assert_str_eq(x.app.log, "O C1 10.0.0.1:40000>10.0.0.2:445 m0 t1000|D>ab|G>2|D>ef|X");
    r = find(&x.sink, EV_CONN, NULL);
    ck_assert_str_eq(r->conn, "C1");
    ck_assert_str_eq(r->state, "closed");
    ck_assert_uint_eq(r->duration, 300);
    ck_assert_uint_eq(r->half[0][2], 1);
    ck_assert_uint_eq(r->half[0][3], 2);
    ck_assert_uint_eq(flow_table_stats(x.t)->flows_timed_out, 0);
    fx_free(&x);

    /* the input ends within the grace: nothing more can come, it is closed */
    open_c1(&x);
    pk(&x, 1100, C, 40000, S, 445, "A", CI + 1, SI + 1, "ab", 0);
    pk(&x, 1200, C, 40000, S, 445, "FA", CI + 5, SI + 1, "ef", 0);
    pk(&x, 1300, S, 445, C, 40000, "FA", SI + 1, CI + 8, NULL, 0);
    flow_table_close_all(x.t, 1400);
    ck_assert_str_eq(x.app.log, "O C1 10.0.0.1:40000>10.0.0.2:445 m0 t1000|D>ab|G>2|D>ef|X");
    r = find(&x.sink, EV_CONN, NULL);
    ck_assert_str_eq(r->state, "closed");
    ck_assert_uint_eq(r->half[0][3], 2);
    fx_free(&x);

    /* an ACK that comes with the server's own data settles the hole before it */
    open_c1(&x);
    pk(&x, 1100, C, 40000, S, 445, "A", CI + 1, SI + 1, "ab", 0);
    pk(&x, 1200, C, 40000, S, 445, "FA", CI + 5, SI + 1, "ef", 0);
    pk(&x, 1300, S, 445, C, 40000, "FA", SI + 1, CI + 8, "ok", 0);
    ck_assert_str_eq(x.app.log, "O C1 10.0.0.1:40000>10.0.0.2:445 m0 t1000|D>ab|G>2|D>ef|D<ok|X");
    ck_assert_str_eq(find(&x.sink, EV_CONN, NULL)->state, "closed");
    fx_free(&x);
}
END_TEST

/* (iv) a flow that goes quiet with an acknowledged hole still gets its gap:
 * from any packet of the table, from its own next packet, at the end */
START_TEST(quiet_flow_gets_its_acked_hole_declared)
{
    struct fx x;
    open_c1(&x);
    pk(&x, 1100, C, 40000, S, 445, "A", CI + 1, SI + 1, "ab", 0);
    pk(&x, 1200, C, 40000, S, 445, "A", CI + 5, SI + 1, "ef", 0);     /* [2,4) missing */
    pk(&x, 1300, S, 445, C, 40000, "A", SI + 1, CI + 7, NULL, 0);     /* pure ACK of all */
    ck_assert_str_eq(x.app.log, "O C1 10.0.0.1:40000>10.0.0.2:445 m0 t1000|D>ab");
    pk(&x, 1300 + REASM_ACK_GRACE_US, C, 40001, S, 8888, "S", CI, 0, NULL, 0);
    ck_assert_str_eq(x.app.log, "O C1 10.0.0.1:40000>10.0.0.2:445 m0 t1000|D>ab");
    pk(&x, 1301 + REASM_ACK_GRACE_US, C, 40001, S, 8888, "S", CI, 0, NULL, 0);
    ck_assert_str_eq(x.app.log, "O C1 10.0.0.1:40000>10.0.0.2:445 m0 t1000|D>ab|G>2|D>ef");
    /* still open: the stream goes on, a late copy is a retransmission */
    pk(&x, 1400 + REASM_ACK_GRACE_US, C, 40000, S, 445, "A", CI + 3, SI + 1, "cdefgh", 0);
    ck_assert_str_eq(x.app.log, "O C1 10.0.0.1:40000>10.0.0.2:445 m0 t1000|D>ab|G>2|D>ef|D>gh");
    ck_assert_int_eq(count_type(&x.sink, EV_CONN, NULL), 0);
    /* the flow's own next packet after the grace: declared before it counts */
    pk(&x, 2000 + REASM_ACK_GRACE_US, C, 40000, S, 445, "A", CI + 11, SI + 1, "kl", 0);   /* [8,10) missing */
    pk(&x, 2100 + REASM_ACK_GRACE_US, S, 445, C, 40000, "A", SI + 1, CI + 13, NULL, 0);
    pk(&x, 2101 + 2 * REASM_ACK_GRACE_US, S, 445, C, 40000, "A", SI + 1, CI + 13, NULL, 0);
    ck_assert_str_eq(x.app.log, "O C1 10.0.0.1:40000>10.0.0.2:445 m0 t1000|D>ab|G>2|D>ef|D>gh|G>2|D>kl");
    /* at the end of input, an acknowledged hole within its grace goes too */
    pk(&x, 3000 + 2 * REASM_ACK_GRACE_US, C, 40000, S, 445, "A", CI + 14, SI + 1, "no", 0);   /* [12,13) missing */
    pk(&x, 3100 + 2 * REASM_ACK_GRACE_US, S, 445, C, 40000, "A", SI + 1, CI + 16, NULL, 0);
    flow_table_close_all(x.t, 3200 + 2 * REASM_ACK_GRACE_US);
    ck_assert_str_eq(x.app.log,
                     "O C1 10.0.0.1:40000>10.0.0.2:445 m0 t1000|D>ab|G>2|D>ef|D>gh|G>2|D>kl|G>1|D>no|X");
    const struct rec *r = find(&x.sink, EV_CONN, NULL);
    ck_assert_str_eq(r->state, "end_of_input");
    ck_assert_uint_eq(r->half[0][2], 3);
    ck_assert_uint_eq(r->half[0][3], 5);
    ck_assert_uint_eq(r->half[0][4], 4);   /* "cd" came too late, "ef" again */
    fx_free(&x);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("flow_close");
    TCase *tc = tcase_create("flow_close");
    tcase_add_test(tc, rst_closes_and_later_data_is_an_anomaly);
    tcase_add_test(tc, rst_grace_delivers_the_peers_data_in_flight);
    tcase_add_test(tc, rst_sender_data_after_its_own_rst_is_ignored);
    tcase_add_test(tc, rst_grace_expires_without_more_packets);
    tcase_add_test(tc, rst_grace_ends_at_once_on_out_of_sequence_data);
    tcase_add_test(tc, rst_out_of_window_is_ignored);
    tcase_add_test(tc, fin_waits_for_the_hole_until_acked);
    tcase_add_test(tc, quiet_flow_gets_its_acked_hole_declared);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
