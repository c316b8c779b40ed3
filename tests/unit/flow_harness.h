/* flow_harness: drive a flow table (flow.c) with hand-made TCP segments and
 * record what it does: a recording app (a toy SMB probe, opens, data, gaps,
 * closes into one log line) and a capturing emitter (conn and anomaly
 * records). Header-only: each flow test is one binary with the real table. */
#ifndef SMBSCOPE_FLOW_HARNESS_H
#define SMBSCOPE_FLOW_HARNESS_H

#include <arpa/inet.h>
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flow.h"
#include "flow_internal.h"   /* FLOW_RST_GRACE_US, REASM_ACK_GRACE_US */

/* ---- a recording app ---- */

struct tapp {
    char log[8192];
    int probes;
    struct conn_ref last_conn;
    bool last_midstream;
};

static inline void tlog(struct tapp *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static inline void tlog(struct tapp *a, const char *fmt, ...)
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
static inline enum probe_verdict smb_probe(const uint8_t *p, size_t n, bool *is_server)
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

static inline void *t_open(void *ctx, const struct conn_ref *c, bool midstream, uint64_t ts)
{
    struct tapp *a = ctx;
    a->last_conn = *c;
    a->last_midstream = midstream;
    tlog(a, "O %s %s:%u>%s:%u m%d t%llu", c->id, c->client_ip, c->client_port, c->server_ip, c->server_port,
         midstream, (unsigned long long)ts);
    return a;
}

static inline void t_data(void *app, enum dir d, const uint8_t *p, size_t n, uint64_t ts)
{
    (void)ts;
    char b[512];
    size_t k = 0;
    for (size_t i = 0; i < n && k < sizeof b - 1; i++)
        b[k++] = p[i] >= 0x20 && p[i] < 0x7f ? (char)p[i] : '.';   /* NULs would end the log */
    b[k] = 0;
    tlog(app, "D%c%s", d == DIR_C2S ? '>' : '<', b);
}

static inline void t_gap(void *app, enum dir d, size_t n, uint64_t ts)
{
    (void)ts;
    tlog(app, "G%c%zu", d == DIR_C2S ? '>' : '<', n);
}

static inline void t_close(void *app, uint64_t ts)
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

static inline void cap(void *u, const struct event *e)
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

static inline int count_type(const struct sink *s, enum ev_type t, const char *name)
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

static inline void fx_init(struct fx *x, const struct limits *lim)
{
    memset(x, 0, sizeof *x);
    x->lim = lim ? *lim : limits_default();
    x->em = (struct emitter){.emit = cap, .u = &x->sink};
    x->ops = APP;
    x->mb.limit = x->lim.state_memory;
    struct flow_config cfg = {&x->lim, PORTS, 3, &x->ops, &x->app, &x->em, NULL, &x->mb, NULL, NULL};
    x->t = flow_table_new(&cfg);
    ck_assert_ptr_nonnull(x->t);
}

static inline void fx_free(struct fx *x)
{
    flow_table_free(x->t);
}

/* a segment "a:pa > b:pb" with flags letters S A F R and payload */
static inline void pk(struct fx *x, uint64_t ts, const char *src, uint16_t sp, const char *dst, uint16_t dp,
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
static inline void handshake(struct fx *x, uint64_t ts, uint16_t cport, uint16_t sport)
{
    pk(x, ts, C, cport, S, sport, "S", CI, 0, NULL, 0);
    pk(x, ts + 10, S, sport, C, cport, "SA", SI, CI + 1, NULL, 0);
    pk(x, ts + 20, C, cport, S, sport, "A", CI + 1, SI + 1, NULL, 0);
}

#endif
