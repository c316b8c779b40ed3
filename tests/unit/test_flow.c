/* Unit tests for the flow table: orientation, probing, lifetime, port reuse,
 * timeouts, eviction and the conn record, driven by hand-made packets. */
#include <arpa/inet.h>
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "community_id.h"
#include "flow.h"
#include "flow_internal.h"   /* FLOW_RST_GRACE_US, REASM_ACK_GRACE_US */

/* ---- a recording app ---- */

struct tapp {
    char log[8192];
    int probes;
    struct conn_ref last_conn;
    bool last_midstream;
};

static void tlog(struct tapp *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void tlog(struct tapp *a, const char *fmt, ...)
{
    size_t l = strlen(a->log);
    if (l && l < sizeof a->log - 1)
        a->log[l++] = '|';
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(a->log + l, sizeof a->log - l, fmt, ap);
    va_end(ap);
}

/* "\x00 len len len \xff S M B": yes; a consistent prefix: more; else no */
static enum probe_verdict smb_probe(const uint8_t *p, size_t n, bool *is_server)
{
    static const uint8_t magic[4] = {0xff, 'S', 'M', 'B'};
    if (n >= 1 && p[0] != 0)
        return PROBE_NO;
    for (size_t i = 4; i < n && i < 8; i++)
        if (p[i] != magic[i - 4])
            return PROBE_NO;
    if (n < 14)
        return PROBE_MORE;
    *is_server = (p[4 + 9] & 0x80) != 0;   /* SMB flags: reply */
    return PROBE_YES;
}

static void *t_open(void *ctx, const struct conn_ref *c, bool midstream, uint64_t ts)
{
    struct tapp *a = ctx;
    a->last_conn = *c;
    a->last_midstream = midstream;
    tlog(a, "O %s %s:%u>%s:%u m%d t%llu", c->id, c->client_ip, c->client_port, c->server_ip, c->server_port,
         midstream, (unsigned long long)ts);
    return a;
}

static void t_data(void *app, enum dir d, const uint8_t *p, size_t n, uint64_t ts)
{
    (void)ts;
    char b[512];
    size_t k = 0;
    for (size_t i = 0; i < n && k < sizeof b - 1; i++)
        b[k++] = p[i] >= 0x20 && p[i] < 0x7f ? (char)p[i] : '.';   /* NULs would end the log */
    b[k] = 0;
    tlog(app, "D%c%s", d == DIR_C2S ? '>' : '<', b);
}

static void t_gap(void *app, enum dir d, size_t n, uint64_t ts)
{
    (void)ts;
    tlog(app, "G%c%zu", d == DIR_C2S ? '>' : '<', n);
}

static void t_close(void *app, uint64_t ts)
{
    (void)ts;
    tlog(app, "X");
}

static const struct app_ops APP = {smb_probe, t_open, t_data, t_gap, t_close, NULL, 0, NULL};

/* ---- a capturing emitter ---- */

struct rec {
    enum ev_type type;
    uint64_t ts;
    char conn[24];
    char name[48], detail[256], state[24];
    bool midstream;
    uint64_t duration;
    uint64_t half[2][6];   /* to_server, to_client: packets bytes gaps gap_bytes retrans overlap */
    char keys[160];
};

struct sink {
    struct rec r[64];
    int n;
};

static void cap(void *u, const struct event *e)
{
    struct sink *s = u;
    ck_assert_int_lt(s->n, 64);
    struct rec *r = &s->r[s->n++];
    memset(r, 0, sizeof *r);
    r->type = e->type;
    r->ts = e->ts_us;
    if (e->conn)
        snprintf(r->conn, sizeof r->conn, "%s", e->conn->id);
    for (size_t i = 0; i < e->top.n; i++) {
        size_t l = strlen(r->keys);
        snprintf(r->keys + l, sizeof r->keys - l, "%s%s", l ? "," : "", e->top.f[i].name);
    }
    if (e->type == EV_ANOMALY) {
        snprintf(r->name, sizeof r->name, "%s", ev_get(e, NULL, "name")->v.s);
        snprintf(r->detail, sizeof r->detail, "%s", ev_get(e, NULL, "detail")->v.s);
        return;
    }
    ck_assert_int_eq(e->type, EV_CONN);
    snprintf(r->state, sizeof r->state, "%s", ev_get(e, NULL, "state")->v.s);
    r->midstream = ev_get(e, NULL, "midstream")->v.b;
    r->duration = ev_get(e, NULL, "duration_us")->v.u;
    static const char *hn[2] = {"to_server", "to_client"};
    static const char *fn[6] = {"packets", "bytes", "gaps", "gap_bytes", "retrans_bytes", "overlap_bytes"};
    for (int h = 0; h < 2; h++) {
        const struct field *o = ev_get(e, NULL, hn[h]);
        ck_assert_int_eq(o->kind, F_OBJ);
        ck_assert_uint_eq(o->v.obj->n, 6);
        for (int k = 0; k < 6; k++) {
            ck_assert_str_eq(o->v.obj->f[k].name, fn[k]);
            r->half[h][k] = o->v.obj->f[k].v.u;
        }
    }
}

static int count_type(const struct sink *s, enum ev_type t, const char *name)
{
    int n = 0;
    for (int i = 0; i < s->n; i++)
        if (s->r[i].type == t && (!name || strcmp(s->r[i].name, name) == 0))
            n++;
    return n;
}

static const struct rec *find(const struct sink *s, enum ev_type t, const char *name)
{
    for (int i = 0; i < s->n; i++)
        if (s->r[i].type == t && (!name || strcmp(s->r[i].name, name) == 0))
            return &s->r[i];
    return NULL;
}

/* ---- fixture ---- */

struct fx {
    struct limits lim;
    struct tapp app;
    struct sink sink;
    struct emitter em;
    struct app_ops ops;
    struct membudget mb;
    struct flow_table *t;
};

static const uint16_t PORTS[] = {139, 445, 80};

static void fx_init(struct fx *x, const struct limits *lim)
{
    memset(x, 0, sizeof *x);
    x->lim = lim ? *lim : limits_default();
    x->em = (struct emitter){.emit = cap, .u = &x->sink};
    x->ops = APP;
    x->mb.limit = x->lim.state_memory;
    struct flow_config cfg = {&x->lim, PORTS, 3, &x->ops, &x->app, &x->em, NULL, &x->mb};
    x->t = flow_table_new(&cfg);
    ck_assert_ptr_nonnull(x->t);
}

static void fx_free(struct fx *x)
{
    flow_table_free(x->t);
}

/* a segment "a:pa > b:pb" with flags letters S A F R and payload */
static void pk(struct fx *x, uint64_t ts, const char *src, uint16_t sp, const char *dst, uint16_t dp,
               const char *flags, uint32_t seq, uint32_t ack, const char *data, size_t len)
{
    struct pkt p;
    memset(&p, 0, sizeof p);
    p.ts_us = ts;
    if (strchr(src, ':')) {
        p.ipver = 6;
        ck_assert_int_eq(inet_pton(AF_INET6, src, p.src), 1);
        ck_assert_int_eq(inet_pton(AF_INET6, dst, p.dst), 1);
    } else {
        p.ipver = 4;
        ck_assert_int_eq(inet_pton(AF_INET, src, p.src), 1);
        ck_assert_int_eq(inet_pton(AF_INET, dst, p.dst), 1);
    }
    p.sport = sp;
    p.dport = dp;
    p.seq = seq;
    p.ack = ack;
    for (const char *f = flags; *f; f++)
        p.tcp_flags |= *f == 'S' ? TCPF_SYN : *f == 'A' ? TCPF_ACK : *f == 'F' ? TCPF_FIN : *f == 'R' ? TCPF_RST : 0;
    p.win = 65535;
    p.payload = (const uint8_t *)data;
    p.caplen = data ? (len ? len : strlen(data)) : 0;
    p.len = p.caplen;
    flow_table_packet(x->t, &p);
}

#define C "10.0.0.1"
#define S "10.0.0.2"
#define CI 1000u   /* client ISN */
#define SI 5000u   /* server ISN */

/* handshake client:40000 -> server:port */
static void handshake(struct fx *x, uint64_t ts, uint16_t cport, uint16_t sport)
{
    pk(x, ts, C, cport, S, sport, "S", CI, 0, NULL, 0);
    pk(x, ts + 10, S, sport, C, cport, "SA", SI, CI + 1, NULL, 0);
    pk(x, ts + 20, C, cport, S, sport, "A", CI + 1, SI + 1, NULL, 0);
}

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

START_TEST(rst_closes_and_later_data_is_an_anomaly)
{
    struct fx x;
    fx_init(&x, NULL);
    handshake(&x, 1000, 40000, 445);
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
    fx_init(&x, NULL);
    handshake(&x, 1000, 40000, 445);
    pk(&x, 1100, C, 40000, S, 445, "A", CI + 1, SI + 1, "req", 0);
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
    fx_init(&x, NULL);
    handshake(&x, 1000, 40000, 445);
    pk(&x, 1100, C, 40000, S, 445, "A", CI + 1, SI + 1, "req", 0);
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
    fx_init(&x, NULL);
    handshake(&x, 1000, 40000, 445);
    pk(&x, 1100, C, 40000, S, 445, "A", CI + 1, SI + 1, "req", 0);
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
    fx_init(&x, NULL);
    handshake(&x, 1000, 40000, 445);
    pk(&x, 1100, C, 40000, S, 445, "A", CI + 1, SI + 1, "req", 0);
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
    fx_init(&x, NULL);
    handshake(&x, 1000, 40000, 445);
    pk(&x, 1100, C, 40000, S, 445, "A", CI + 1, SI + 1, "req", 0);
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
    fx_init(&x, NULL);
    handshake(&x, 1000, 40000, 445);
    pk(&x, 1100, C, 40000, S, 445, "A", CI + 1, SI + 1, "req", 0);
    pk(&x, 1200, C, 40000, S, 445, "RA", CI + 4, SI + 1, NULL, 0);
    pk(&x, 1300, S, 445, C, 40000, "FA", SI + 1, CI + 4, "bye", 0);
    ck_assert_str_eq(x.app.log, "O C1 10.0.0.1:40000>10.0.0.2:445 m0 t1000|D>req|D<bye|X");
    ck_assert_int_eq(x.sink.n, 1);
    ck_assert_str_eq(x.sink.r[0].state, "reset");
    ck_assert_uint_eq(x.sink.r[0].duration, 300);
    fx_free(&x);
    /* the server's own RST */
    fx_init(&x, NULL);
    handshake(&x, 1000, 40000, 445);
    pk(&x, 1100, C, 40000, S, 445, "A", CI + 1, SI + 1, "req", 0);
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
    fx_init(&x, NULL);
    handshake(&x, 1000, 40000, 445);
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

START_TEST(fin_waits_for_the_hole_until_acked)
{
    struct fx x;
    fx_init(&x, NULL);
    handshake(&x, 1000, 40000, 445);
    pk(&x, 1100, C, 40000, S, 445, "A", CI + 1, SI + 1, "ab", 0);
    pk(&x, 1200, C, 40000, S, 445, "FA", CI + 5, SI + 1, "ef", 0);   /* [2,4) missing */
    pk(&x, 1300, S, 445, C, 40000, "FA", SI + 1, CI + 3, NULL, 0);    /* acks only "ab" */
    ck_assert_str_eq(x.app.log, "O C1 10.0.0.1:40000>10.0.0.2:445 m0 t1000|D>ab");
    pk(&x, 1400, C, 40000, S, 445, "A", CI + 3, SI + 2, "cd", 0);     /* retransmission fills it */
    ck_assert_str_eq(x.app.log, "O C1 10.0.0.1:40000>10.0.0.2:445 m0 t1000|D>ab|D>cd|D>ef|X");
    fx_free(&x);

    /* the server acknowledges everything and the FIN with a pure ACK: the
     * missing segment may still be captured after it, within the grace */
    fx_init(&x, NULL);
    handshake(&x, 1000, 40000, 445);
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
    fx_init(&x, NULL);
    handshake(&x, 1000, 40000, 445);
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
    fx_init(&x, NULL);
    handshake(&x, 1000, 40000, 445);
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
    fx_init(&x, NULL);
    handshake(&x, 1000, 40000, 445);
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
    fx_init(&x, NULL);
    handshake(&x, 1000, 40000, 445);
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

START_TEST(community_id_known_example)
{
    char id[COMMUNITY_ID_LEN];
    uint8_t a[4] = {128, 232, 110, 120}, b[4] = {66, 35, 250, 204};
    ck_assert(community_id_v1(0, 4, a, b, 6, 34855, 80, id, sizeof id));
    ck_assert_str_eq(id, "1:LQU9qZlK+B5F3KDmev6m5PMibrg=");
    ck_assert(community_id_v1(0, 4, b, a, 6, 80, 34855, id, sizeof id));
    ck_assert_str_eq(id, "1:LQU9qZlK+B5F3KDmev6m5PMibrg=");
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
    tcase_add_test(tc, rst_closes_and_later_data_is_an_anomaly);
    tcase_add_test(tc, rst_grace_delivers_the_peers_data_in_flight);
    tcase_add_test(tc, rst_sender_data_after_its_own_rst_is_ignored);
    tcase_add_test(tc, rst_grace_expires_without_more_packets);
    tcase_add_test(tc, rst_grace_ends_at_once_on_out_of_sequence_data);
    tcase_add_test(tc, rst_out_of_window_is_ignored);
    tcase_add_test(tc, port_reuse);
    tcase_add_test(tc, timeouts);
    tcase_add_test(tc, max_flows_evicts_half_open_first);
    tcase_add_test(tc, conn_record_counts_gaps_and_retransmissions);
    tcase_add_test(tc, overlap_policy_reaches_the_reassembler);
    tcase_add_test(tc, fin_waits_for_the_hole_until_acked);
    tcase_add_test(tc, quiet_flow_gets_its_acked_hole_declared);
    tcase_add_test(tc, community_id_known_example);
    tcase_add_test(tc, ipv6_and_close_all_oldest_first);
    tcase_add_test(tc, state_budget_evicts_the_idlest);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
