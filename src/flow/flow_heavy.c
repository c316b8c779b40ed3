/* flow_heavy: a flow's heavy state, made on first need and freed with it:
 * the conn_ref and app state of an analyzed flow, the probe buffer of a flow
 * on an unknown port, the reassembly of its two directions, and the sink
 * through which reassembly hands bytes to the probe or the app. Spec: none
 * (smbscope's own layering, flow_internal.h); the app interface is app.h. */
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include "community_id.h"
#include "conn_uid.h"
#include "flow_internal.h"

void flow_anomaly(struct flow_table *t, const struct flow *f, uint64_t ts, const char *name,
                         const char *fmt, ...)
{
    if (!flow_analyzed(f))
        return;   /* only analyzed flows have a conn to report against */
    char detail[320];   /* room for a reasm detail (256) and its direction */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    emit_anomaly(t->em, ts, &f->h->conn, name, "%s", detail);
}

/* ---- heavy state ---- */

/* out of memory aborts (mb_calloc): never NULL */
static struct flow_heavy *heavy(struct flow_table *t, struct flow *f)
{
    if (!f->h)
        f->h = mb_calloc(t->mb, sizeof *f->h);
    return f->h;
}

static void sink_data(void *u, const uint8_t *p, size_t n, uint64_t ts);
static void sink_gap(void *u, uint64_t n, uint64_t ts);
static void sink_anomaly(void *u, uint64_t ts, const char *name, const char *detail);
static const struct reasm_sink FLOW_SINK = {sink_data, sink_gap, sink_anomaly};

struct flow_streams *flow_streams_get(struct flow_table *t, struct flow *f)
{
    struct flow_heavy *h = heavy(t, f);
    if (h->s)
        return h->s;
    h->s = mb_calloc(t->mb, sizeof *h->s);
    for (int s = 0; s < 2; s++) {
        struct half *hf = &h->s->half[s];
        hf->t = t;
        hf->f = f;
        hf->side = s;
        reasm_init(&hf->r, &t->pool, t->lim.reasm_hole_bytes, t->lim.tcp_overlap, &FLOW_SINK, hf, &h->s->st[s]);
        if (f->isn_known[s])
            reasm_isn(&hf->r, f->isn[s]);
    }
    return h->s;
}

static void free_probe(struct flow_table *t, struct flow *f)
{
    mb_free(t->mb, f->h->probe, sizeof *f->h->probe);
    f->h->probe = NULL;
}

void flow_free_streams(struct flow_table *t, struct flow *f)
{
    if (!f->h)
        return;
    if (f->h->s) {
        for (int s = 0; s < 2; s++)
            reasm_free(&f->h->s->half[s].r);
        mb_free(t->mb, f->h->s, sizeof *f->h->s);
        f->h->s = NULL;
    }
    free_probe(t, f);
}

void flow_free_heavy(struct flow_table *t, struct flow *f)
{
    /* an analyzed flow's conn_ref dies with its heavy state: whoever keeps
     * something per connection may drop it now */
    if (f->h && f->h->conn.num && t->em && t->em->forget)
        t->em->forget(t->em->u, &f->h->conn);
    flow_free_streams(t, f);
    mb_free(t->mb, f->h, sizeof *f->h);
    f->h = NULL;
}

/* ---- opening the app ---- */

static void fill_conn(const struct flow_table *t, struct flow *f)
{
    struct conn_ref *c = &f->h->conn;
    int cep = flow_ep(f, f->client_side), sep = cep ^ 1;
    c->num = f->num;
    snprintf(c->id, sizeof c->id, "C%" PRIu64, f->num);
    community_id_v1(0, f->key.ipver, f->key.addr[0], f->key.addr[1], 6, f->key.port[0], f->key.port[1], t->sha1,
                    c->community_id, sizeof c->community_id);
    flow_key_ip_text(&f->key, cep, c->client_ip, sizeof c->client_ip);
    flow_key_ip_text(&f->key, sep, c->server_ip, sizeof c->server_ip);
    c->client_port = f->key.port[cep];
    c->server_port = f->key.port[sep];
    c->start_us = f->start_us;
    conn_uid(t->uid_salt, c->client_ip, c->client_port, c->server_ip, c->server_port, c->start_us, t->sha256, c->uid,
             sizeof c->uid);
}

/* The flow is analyzed from here on, but the app's per-connection state
 * (kilobytes for SMB) is made only when the first byte or gap reaches it
 * (app_of): a SYN flood on 445 must cost a few hundred bytes per flow, not
 * that. Whether it started mid-stream is decided now, as it would have been. */
void flow_open_app(struct flow_table *t, struct flow *f)
{
    heavy(t, f);
    f->oriented = true;
    fill_conn(t, f);
    f->state = FL_ANALYZED;
    f->app_midstream = !f->saw_syn;
    t->stats.flows_analyzed++;
}

/* the app state of an analyzed flow, opened on first use */
static void *app_of(struct flow_table *t, struct flow *f)
{
    if (!f->h->app)
        f->h->app = t->app->open(t->app_ctx, &f->h->conn, f->app_midstream, f->start_us);
    return f->h->app;
}

/* ---- probing ---- */

struct replay_ctx {
    struct flow_table *t;
    struct flow *f;
};

static void rp_data(void *u, int side, const uint8_t *p, size_t n, uint64_t ts)
{
    struct replay_ctx *c = u;
    c->t->app->data(app_of(c->t, c->f), flow_dir(c->f, side), p, n, ts);
}

static void rp_gap(void *u, int side, uint64_t n, uint64_t ts)
{
    struct replay_ctx *c = u;
    c->t->app->gap(app_of(c->t, c->f), flow_dir(c->f, side), (size_t)n, ts);
}

/* side's probe said yes: orient if nothing else did, open, replay */
static void probe_yes(struct flow_table *t, struct flow *f, int side, uint64_t ts)
{
    struct flow_probe *pr = f->h->probe;
    if (!f->oriented)
        f->client_side = pr->is_server[side] ? (uint8_t)(side ^ 1) : (uint8_t)side;
    flow_open_app(t, f);
    struct replay_ctx c = {t, f};
    struct probe_replay cb = {rp_data, rp_gap, &c};
    flow_probe_replay(pr, &cb, ts);
    free_probe(t, f);
}

static struct flow_probe *probe_state(struct flow_table *t, struct flow *f)
{
    if (!f->h->probe) {
        f->h->probe = mb_calloc(t->mb, sizeof *f->h->probe);
        flow_probe_init(f->h->probe);
    }
    return f->h->probe;
}

static void probe_data(struct flow_table *t, struct flow *f, int side, const uint8_t *p, size_t n, uint64_t ts)
{
    struct flow_probe *pr = probe_state(t, f);
    size_t k = flow_probe_add(pr, side, p, n, ts);
    enum probe_verdict v = flow_probe_run(pr, t->app, side);
    if (v == PROBE_MORE && k < n)
        v = pr->v[side] = PROBE_NO;   /* undecided, and nothing more can be kept */
    if (v == PROBE_YES) {
        probe_yes(t, f, side, ts);
        if (k < n)
            t->app->data(app_of(t, f), flow_dir(f, side), p + k, n - k, ts);
        return;
    }
    if (k < n)
        pr->lost[side] += n - k;
    if (flow_probe_hopeless(pr))
        f->pending_no = true;   /* acted on outside the reassembly callback */
}

static void probe_gap(struct flow_table *t, struct flow *f, int side, uint64_t n, uint64_t ts)
{
    struct flow_probe *pr = probe_state(t, f);
    flow_probe_gap(pr, side, n, ts);
    if (flow_probe_hopeless(pr))
        f->pending_no = true;
}

/* the probe said no on both sides: drop everything but the tiny entry */
void flow_become_ignored(struct flow_table *t, struct flow *f)
{
    f->pending_no = false;
    if (f->state != FL_PROBING)
        return;
    f->state = FL_IGNORED;
    flow_free_heavy(t, f);
}

/* ---- reassembly sink ---- */

static void sink_data(void *u, const uint8_t *p, size_t n, uint64_t ts)
{
    struct half *h = u;
    struct flow *f = h->f;
    if (f->state == FL_ANALYZED)
        h->t->app->data(app_of(h->t, f), flow_dir(f, h->side), p, n, ts);
    else if (f->state == FL_PROBING && !f->pending_no)
        probe_data(h->t, f, h->side, p, n, ts);
}

static void sink_gap(void *u, uint64_t n, uint64_t ts)
{
    struct half *h = u;
    struct flow *f = h->f;
    if (f->state == FL_ANALYZED)
        h->t->app->gap(app_of(h->t, f), flow_dir(f, h->side), (size_t)n, ts);
    else if (f->state == FL_PROBING && !f->pending_no)
        probe_gap(h->t, f, h->side, n, ts);
}

static void sink_anomaly(void *u, uint64_t ts, const char *name, const char *detail)
{
    struct half *h = u;
    flow_anomaly(h->t, h->f, ts, name, "%s (%s)", detail, flow_dir(h->f, h->side) == DIR_C2S ? "to server" : "to client");
}
