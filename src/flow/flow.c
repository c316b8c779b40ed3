/* flow: per-packet TCP handling: orientation, which flows to analyze, the
 * handshake, RST/FIN, port reuse, and the glue between reassembly, the probe
 * buffer and the app. The table itself is in flow_table.c. */
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "community_id.h"
#include "conn_uid.h"
#include "flow_internal.h"
#include "flow_record.h"

static const char *end_name(enum flow_end e)
{
    switch (e) {
    case END_CLOSED: return "closed";
    case END_RESET: return "reset";
    case END_TIMEOUT: return "timeout";
    case END_EVICTED: return "evicted";
    case END_EOI: return "end_of_input";
    case END_REUSED: return "reused";
    case END_NONE: break;
    }
    return "unknown";
}

static enum dir dir_of(const struct flow *f, int side)
{
    return side == f->client_side ? DIR_C2S : DIR_S2C;
}

static int ep_of(const struct flow *f, int side)
{
    return side == 0 ? f->side0_ep : f->side0_ep ^ 1;
}

static bool server_port(const struct flow_table *t, uint16_t port)
{
    return ft_port_listed(t, port);   /* configured: the protocol's ports and --port */
}

static bool analyzed(const struct flow *f) { return f->state == FL_ANALYZED || (f->state == FL_CLOSED && f->h); }

static void flow_anomaly(struct flow_table *t, const struct flow *f, uint64_t ts, const char *name,
                         const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void flow_anomaly(struct flow_table *t, const struct flow *f, uint64_t ts, const char *name,
                         const char *fmt, ...)
{
    if (!analyzed(f))
        return;   /* only analyzed flows have a conn to report against */
    char detail[320];   /* room for a reasm detail (256) and its direction */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    emit_anomaly(t->em, ts, &f->h->conn, name, "%s", detail);
}

/* ---- heavy state ---- */

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

static struct flow_streams *streams(struct flow_table *t, struct flow *f)
{
    struct flow_heavy *h = heavy(t, f);
    if (!h)
        return NULL;
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

static void free_streams(struct flow_table *t, struct flow *f)
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

static void flow_free_heavy(struct flow_table *t, struct flow *f)
{
    /* an analyzed flow's conn_ref dies with its heavy state: whoever keeps
     * something per connection may drop it now */
    if (f->h && f->h->conn.num && t->em && t->em->forget)
        t->em->forget(t->em->u, &f->h->conn);
    free_streams(t, f);
    mb_free(t->mb, f->h, sizeof *f->h);
    f->h = NULL;
}

/* ---- opening the app ---- */

static void fill_conn(const struct flow_table *t, struct flow *f)
{
    struct conn_ref *c = &f->h->conn;
    int cep = ep_of(f, f->client_side), sep = cep ^ 1;
    c->num = f->num;
    snprintf(c->id, sizeof c->id, "C%" PRIu64, f->num);
    community_id_v1(0, f->key.ipver, f->key.addr[0], f->key.addr[1], 6, f->key.port[0], f->key.port[1],
                    c->community_id, sizeof c->community_id);
    flow_key_ip_text(&f->key, cep, c->client_ip, sizeof c->client_ip);
    flow_key_ip_text(&f->key, sep, c->server_ip, sizeof c->server_ip);
    c->client_port = f->key.port[cep];
    c->server_port = f->key.port[sep];
    c->start_us = f->start_us;
    conn_uid(t->uid_salt, c->client_ip, c->client_port, c->server_ip, c->server_port, c->start_us, c->uid,
             sizeof c->uid);
}

/* The flow is analyzed from here on, but the app's per-connection state
 * (kilobytes for SMB) is made only when the first byte or gap reaches it
 * (app_of): a SYN flood on 445 must cost a few hundred bytes per flow, not
 * that. Whether it started mid-stream is decided now, as it would have been. */
static bool open_app(struct flow_table *t, struct flow *f)
{
    if (!heavy(t, f))
        return false;
    f->oriented = true;
    fill_conn(t, f);
    f->state = FL_ANALYZED;
    f->app_midstream = !f->saw_syn;
    t->stats.flows_analyzed++;
    return true;
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
    c->t->app->data(app_of(c->t, c->f), dir_of(c->f, side), p, n, ts);
}

static void rp_gap(void *u, int side, uint64_t n, uint64_t ts)
{
    struct replay_ctx *c = u;
    c->t->app->gap(app_of(c->t, c->f), dir_of(c->f, side), (size_t)n, ts);
}

/* side's probe said yes: orient if nothing else did, open, replay */
static void probe_yes(struct flow_table *t, struct flow *f, int side, uint64_t ts)
{
    struct flow_probe *pr = f->h->probe;
    if (!f->oriented)
        f->client_side = pr->is_server[side] ? (uint8_t)(side ^ 1) : (uint8_t)side;
    open_app(t, f);
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
    if (!pr) {
        f->pending_no = true;
        return;
    }
    size_t k = flow_probe_add(pr, side, p, n, ts);
    enum probe_verdict v = flow_probe_run(pr, t->app, side);
    if (v == PROBE_MORE && k < n)
        v = pr->v[side] = PROBE_NO;   /* undecided, and nothing more can be kept */
    if (v == PROBE_YES) {
        probe_yes(t, f, side, ts);
        if (k < n)
            t->app->data(app_of(t, f), dir_of(f, side), p + k, n - k, ts);
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
    if (!pr) {
        f->pending_no = true;
        return;
    }
    flow_probe_gap(pr, side, n, ts);
    if (flow_probe_hopeless(pr))
        f->pending_no = true;
}

/* the probe said no on both sides: drop everything but the tiny entry */
static void become_ignored(struct flow_table *t, struct flow *f)
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
        h->t->app->data(app_of(h->t, f), dir_of(f, h->side), p, n, ts);
    else if (f->state == FL_PROBING && !f->pending_no)
        probe_data(h->t, f, h->side, p, n, ts);
}

static void sink_gap(void *u, uint64_t n, uint64_t ts)
{
    struct half *h = u;
    struct flow *f = h->f;
    if (f->state == FL_ANALYZED)
        h->t->app->gap(app_of(h->t, f), dir_of(f, h->side), (size_t)n, ts);
    else if (f->state == FL_PROBING && !f->pending_no)
        probe_gap(h->t, f, h->side, n, ts);
}

static void sink_anomaly(void *u, uint64_t ts, const char *name, const char *detail)
{
    struct half *h = u;
    flow_anomaly(h->t, h->f, ts, name, "%s (%s)", detail, dir_of(h->f, h->side) == DIR_C2S ? "to server" : "to client");
}

/* ---- ending ---- */

/* where side's stream stands: the sequence number just past what was
 * delivered or declared lost (false when nothing is known about it) */
static bool stream_pos(const struct flow *f, int side, uint32_t *seq)
{
    if (f->h && f->h->s && f->h->s->half[side].r.has_base) {
        const struct reasm *r = &f->h->s->half[side].r;
        *seq = r->base + (uint32_t)r->next;
        return true;
    }
    if (f->isn_known[side]) {
        *seq = f->isn[side] + 1;
        return true;
    }
    return false;
}

/* both sides sent a FIN and everything before each was delivered or declared lost */
static bool fully_closed(const struct flow *f)
{
    const struct flow_streams *s = f->h ? f->h->s : NULL;
    return f->fin[0] && f->fin[1] && (!s || (reasm_done(&s->half[0].r) && reasm_done(&s->half[1].r)));
}

/* end a live flow: flush, close the app, write the conn record, free the
 * reassembly; the caller then lingers or destroys it. A flow in its RST grace
 * always ends as END_RESET, at its last packet (last_us), whatever ends it. */
static void flow_end(struct flow_table *t, struct flow *f, enum flow_end why, uint64_t now)
{
    if (f->state == FL_CLOSED)
        return;
    if (f->rst) {
        /* whatever cuts the grace short, the connection was reset, and it
         * ended with the last packet that belonged to it */
        why = END_RESET;
        now = f->last_us;
    }
    if (f->h && f->h->s) {
        /* deliver what is left, client side first: may still turn a probe to yes */
        int first = f->client_side;
        reasm_flush(&f->h->s->half[first].r, true, now);
        reasm_flush(&f->h->s->half[first ^ 1].r, true, now);
    }
    for (int s = 0; s < 2; s++)
        f->end_known[s] = stream_pos(f, s, &f->end_seq[s]);
    if (f->state == FL_ANALYZED) {
        if (f->h->app)   /* never opened: no byte reached it, nothing to report */
            t->app->close(f->h->app, now);
        f->h->app = NULL;
        struct half_stats st[2] = {{0}, {0}};
        for (int s = 0; s < 2; s++) {
            if (f->h->s)
                st[s] = f->h->s->st[s];
            st[s].packets = f->pkts[s];
        }
        uint64_t dur = f->last_us > f->start_us ? f->last_us - f->start_us : 0;
        flow_emit_conn(t->em, &f->h->conn, now, end_name(why), !f->saw_syn, dur,
                       &st[f->client_side], &st[f->client_side ^ 1]);
        free_streams(t, f);   /* keep the conn for late-packet anomalies */
    } else {
        flow_free_heavy(t, f);
    }
    f->end = (uint8_t)why;
    f->state = FL_CLOSED;
}

static void linger(struct flow_table *t, struct flow *f)
{
    f->last_us = t->clock;
    ft_touch(t, f, FLIST_CLOSED);
}

/* end a flow whose RST grace is over and keep it for late packets */
static void flow_end_reset(struct flow_table *t, struct flow *f)
{
    flow_end(t, f, END_RESET, f->last_us);
    linger(t, f);
}

/* r's ACK grace (reasm.h rule (a)) ended before now: declare its holes, then
 * drop a probe that gave up or close a flow that is done, as a packet would */
static void flow_ack_grace(struct flow_table *t, struct reasm *r, uint64_t now)
{
    /* every reasm in the pool is the r of a struct half */
    struct half *h = (struct half *)(void *)((char *)r - offsetof(struct half, r));
    struct flow *f = h->f;
    reasm_expire(r, now, false);
    /* what a packet of the flow would do after its reassembly */
    if (f->pending_no)
        become_ignored(t, f);
    if (!f->rst && fully_closed(f)) {
        flow_end(t, f, END_CLOSED, now);
        linger(t, f);
    }
}

/* end of input for a live flow: its ACK graces end now; closed if both sides
 * had closed and nothing else held it open, else end_of_input */
static void flow_end_input(struct flow_table *t, struct flow *f, uint64_t now)
{
    enum flow_end why = END_EOI;
    struct flow_streams *s = f->h ? f->h->s : NULL;
    if (s && !f->rst && f->fin[0] && f->fin[1]) {
        /* nothing more will arrive: the ACK graces end now, and a connection
         * both sides closed that only they held open is closed */
        int first = f->client_side;
        reasm_expire(&s->half[first].r, now, true);
        reasm_expire(&s->half[first ^ 1].r, now, true);
        if (fully_closed(f))
            why = END_CLOSED;
    }
    flow_end(t, f, why, now);
}

/* ---- expiry, eviction, teardown: flow_table.c says which flow is due,
 * ending it is done here ---- */

static void destroy(struct flow_table *t, struct flow *f)
{
    flow_free_heavy(t, f);
    ft_destroy(t, f);
}

/* everything due before now, earliest first */
static void expire(struct flow_table *t, uint64_t now)
{
    for (;;) {
        struct flow *v = NULL;
        struct reasm *g = NULL;
        switch (ft_next_due(t, now, &v, &g)) {
        case FT_DUE_NONE:
            return;
        case FT_DUE_GRACE:
            flow_ack_grace(t, g, now);
            break;
        case FT_DUE_RESET:
            flow_end_reset(t, v);   /* moves it to the closed list */
            break;
        case FT_DUE_FLOW:
            if (flow_live(v)) {
                t->stats.flows_timed_out++;
                flow_end(t, v, v->fin[0] && v->fin[1] ? END_CLOSED : END_TIMEOUT, now);
            }
            destroy(t, v);
            break;
        }
    }
}

/* make room for one more flow (ft_victim says which goes); false if none can go */
static bool evict_one(struct flow_table *t, uint64_t now)
{
    struct flow *v = ft_victim(t);
    if (!v)
        return false;
    if (v->list == FLIST_CLOSED) {
        destroy(t, v);   /* already ended and recorded: not an eviction */
        return true;
    }
    if (v->list == FLIST_RESET) {
        flow_end(t, v, END_RESET, now);   /* the grace is cut short; it ends as reset, which it is */
        destroy(t, v);
        return true;
    }
    t->stats.flows_evicted++;
    if (!t->full_reported || now - t->last_full_report >= FLOW_FULL_REPORT_US) {
        t->full_reported = true;
        t->last_full_report = now;
        /* told on the evicted connection itself, just before its records end */
        emit_anomaly(t->em, now, v->h ? &v->h->conn : NULL, "flow_table_full",
                     "%zu flows tracked (max_flows): evicting the idlest; %" PRIu64 " evicted so far",
                     t->count, t->stats.flows_evicted);
    }
    flow_end(t, v, END_EVICTED, now);
    destroy(t, v);
    return true;
}

static struct flow *create(struct flow_table *t, const struct flow_key *k, int src_ep, uint64_t ts_us)
{
    while (ft_full(t) && evict_one(t, t->clock))
        ;
    return ft_create(t, k, src_ep, ts_us);
}

/* over the state budget (membudget.h): destroy closed flows, then evict the
 * idlest live ones (ft_idlest_live), each with an anomaly `state_memory_limit`,
 * until back under it */
static void budget(struct flow_table *t, uint64_t now)
{
    while (mb_over(t->mb)) {
        struct flow *v = t->lhead[FLIST_CLOSED];
        if (v) {
            destroy(t, v);   /* already ended and recorded */
            continue;
        }
        v = ft_idlest_live(t);
        if (!v)
            return;          /* nothing left to evict: the rest is not per-flow state */
        t->stats.flows_evicted++;
        t->mb->evictions++;
        /* told on the evicted connection itself, just before its records end
         * (its conn record says `evicted` too). Always for a connection that
         * carried data (its records end early: say why); for flows that never
         * did, at most once a second, as flow_table_full, so a flood of SYNs
         * cannot flood the output */
        bool carried = v->h && v->h->app;
        if (carried || !t->mem_reported || now - t->last_mem_report >= FLOW_FULL_REPORT_US) {
            t->mem_reported = true;
            t->last_mem_report = now;
            emit_anomaly(t->em, now, v->h ? &v->h->conn : NULL, "state_memory_limit",
                         "analysis state %zu bytes, over the budget of %zu (max_state_memory): this connection, "
                         "the idlest, is evicted with its reassembly and SMB state; %" PRIu64 " evicted so far",
                         t->mb->used, t->mb->limit, t->mb->evictions);
        }
        flow_end(t, v, END_EVICTED, now);
        destroy(t, v);
    }
}

/* ---- decisions on a packet ---- */

static bool is_syn(const struct pkt *p) { return (p->tcp_flags & (TCPF_SYN | TCPF_ACK)) == TCPF_SYN; }
static bool is_synack(const struct pkt *p) { return (p->tcp_flags & (TCPF_SYN | TCPF_ACK)) == (TCPF_SYN | TCPF_ACK); }

/* a packet for a closed flow (or from the side that reset it), whose stream
 * ended at end (if known): the start of a new connection, or late? */
static bool starts_new(const struct flow *f, int side, const struct pkt *p, bool known, uint32_t end)
{
    if (is_syn(p) || is_synack(p))
        return !(f->isn_known[side] && p->seq == f->isn[side]);   /* same ISN: the old one retransmitted */
    if (p->len && known) {
        int32_t d = (int32_t)(p->seq - end);
        return d > (int32_t)FLOW_LATE_WINDOW || d < -(int32_t)FLOW_LATE_WINDOW;
    }
    return false;
}

/* data after the connection ended (or after side's own RST): ignored, told once per side */
static void late_data(struct flow_table *t, struct flow *f, int side, const struct pkt *p, bool known, uint32_t end)
{
    if (!p->len || !analyzed(f) || f->late_warned[side])
        return;
    f->late_warned[side] = true;
    int32_t d = known ? (int32_t)(p->seq - end) : 0;
    flow_anomaly(t, f, p->ts_us, "tcp_data_after_fin",
                 "%zu bytes at %" PRId32 " from the stream end, after the connection %s; ignored", p->len, d,
                 f->rst || f->end == END_RESET ? "was reset" : "closed");
}

/* a SYN on a live flow that can only be a new connection on the same ports */
static bool syn_reuses(const struct flow *f, int side, const struct pkt *p)
{
    if (!is_syn(p))
        return false;
    if (f->isn_known[side])
        return p->seq != f->isn[side];
    if (f->h && f->h->s && f->h->s->half[side].r.has_base)
        return p->seq + 1 != f->h->s->half[side].r.base;
    return f->data[0] || f->data[1];
}

static bool rst_valid(const struct flow *f, int side, const struct pkt *p)
{
    int other = side ^ 1;
    const struct flow_streams *s = f->h ? f->h->s : NULL;
    if (s && s->half[side].r.has_base)
        return reasm_in_window(&s->half[side].r, p->seq, FLOW_RST_WINDOW);
    if (f->isn_known[side])
        return (uint32_t)(p->seq - (f->isn[side] + 1)) <= FLOW_RST_WINDOW;
    if (p->tcp_flags & TCPF_ACK) {
        if (s && s->half[other].r.has_base)
            return reasm_in_window(&s->half[other].r, p->ack, FLOW_RST_WINDOW);
        if (f->isn_known[other])
            return (uint32_t)(p->ack - (f->isn[other] + 1)) <= FLOW_RST_WINDOW;
    }
    return true;   /* nothing known to check it against */
}

static void classify(struct flow_table *t, struct flow *f)
{
    if (f->rst)
        return;   /* stays on the reset list: the grace runs from the RST */
    enum flow_list l = FLIST_HALFOPEN;
    /* both FINs seen: only waiting for stragglers, so the short timer */
    if ((f->hs_done || (f->data[0] && f->data[1])) && !(f->fin[0] && f->fin[1]))
        l = FLIST_EST;
    ft_touch(t, f, l);
}

static void handshake(struct flow *f, int side, const struct pkt *p)
{
    int other = side ^ 1;
    struct flow_streams *s = f->h ? f->h->s : NULL;
    if (is_syn(p)) {
        f->saw_syn = true;
        if (!f->isn_known[side]) {
            f->isn[side] = p->seq;
            f->isn_known[side] = true;
            if (s)
                reasm_isn(&s->half[side].r, p->seq);
        }
        if (!f->oriented) {
            f->client_side = (uint8_t)side;
            f->oriented = true;
        }
    } else if (is_synack(p)) {
        f->saw_syn = true;
        f->synack = true;
        if (!f->isn_known[side]) {
            f->isn[side] = p->seq;
            f->isn_known[side] = true;
            if (s)
                reasm_isn(&s->half[side].r, p->seq);
        }
        if (!f->isn_known[other]) {
            f->isn[other] = p->ack - 1;
            f->isn_known[other] = true;
            if (s)
                reasm_isn(&s->half[other].r, p->ack - 1);
        }
        if (!f->oriented) {
            f->client_side = (uint8_t)other;
            f->oriented = true;
        }
    } else if (f->synack && (p->tcp_flags & TCPF_ACK) && side == f->client_side) {
        f->hs_done = true;
    }
}

static void tcp_segment(struct flow_table *t, struct flow *f, int side, const struct pkt *p)
{
    uint64_t ts = p->ts_us;
    bool syn = p->tcp_flags & TCPF_SYN;
    handshake(f, side, p);
    if (p->len)
        f->data[side] = true;
    if (f->state == FL_IGNORED) {
        /* no reassembly: just enough to know when it ends */
        if (p->tcp_flags & TCPF_FIN)
            f->fin[side] = true;
        if (p->tcp_flags & TCPF_RST) {
            flow_end(t, f, END_RESET, t->clock);
            linger(t, f);
        } else if ((f->fin[0] && f->fin[1]) || (f->rst && (p->tcp_flags & TCPF_FIN))) {
            flow_end(t, f, END_CLOSED, t->clock);
            linger(t, f);
        } else {
            classify(t, f);
        }
        return;
    }
    if (p->tcp_flags & TCPF_RST) {
        if (rst_valid(f, side, p)) {
            if (p->len && f->h && f->h->s)
                f->h->s->st[side].bytes += p->len;
            /* not the end yet: what the other side had sent may still come */
            f->rst = true;
            f->rst_side = (uint8_t)side;
            f->rst_us = t->clock;
            ft_touch(t, f, FLIST_RESET);
        } else {
            int64_t off = 0;
            const struct flow_streams *s = f->h ? f->h->s : NULL;
            if (s)
                reasm_offset(&s->half[side].r, p->seq, &off);
            flow_anomaly(t, f, ts, "tcp_rst_out_of_window",
                         "RST at relative sequence %" PRId64 " (%s) is outside the window; ignored", off,
                         dir_of(f, side) == DIR_C2S ? "from client" : "from server");
            classify(t, f);
        }
        return;
    }
    struct flow_streams *s = (p->len || (p->tcp_flags & TCPF_FIN)) ? streams(t, f) : (f->h ? f->h->s : NULL);
    if (s && (p->tcp_flags & TCPF_ACK))
        reasm_ack(&s->half[side ^ 1].r, p->ack, p->len > 0, ts);
    uint32_t seq = syn ? p->seq + 1 : p->seq;
    if (s && p->len)
        reasm_data(&s->half[side].r, seq, p->payload, p->caplen, p->len, ts);
    if (s && (p->tcp_flags & TCPF_FIN)) {
        f->fin[side] = true;
        reasm_fin(&s->half[side].r, seq + (uint32_t)p->len, ts);
    }
    if (f->pending_no)
        become_ignored(t, f);
    if (f->rst && (p->tcp_flags & TCPF_FIN)) {
        flow_end_reset(t, f);   /* the other side is done too: its FIN was the last thing in flight */
        return;
    }
    if (fully_closed(f)) {
        flow_end(t, f, END_CLOSED, ts);
        linger(t, f);
        return;
    }
    classify(t, f);
}

/* a new connection on the ports of `old`: anomalous unless old closed cleanly.
 * Reported on the new connection if analyzed, else on the old one. */
static void port_reuse_anomaly(struct flow_table *t, const struct flow *old, const struct flow *neu, uint64_t ts)
{
    enum flow_end e = (enum flow_end)old->end;
    const struct flow *at = neu && analyzed(neu) ? neu : old;
    if (e == END_CLOSED || !analyzed(at))
        return;
    flow_anomaly(t, at, ts, "tcp_port_reuse", "new connection on the ports of C%" PRIu64 ", which %s",
                 old->num, e == END_RESET ? "was reset" : e == END_REUSED ? "had not ended" : "had ended");
}

static void new_flow_setup(struct flow_table *t, struct flow *f, const struct pkt *p)
{
    f->state = FL_PROBING;
    if (is_syn(p)) {
        f->client_side = 0;
        f->oriented = true;
    } else if (is_synack(p)) {
        f->client_side = 1;
        f->oriented = true;
    } else {
        /* mid-stream: the side on a server port is the server */
        bool s0 = server_port(t, f->key.port[ep_of(f, 0)]), s1 = server_port(t, f->key.port[ep_of(f, 1)]);
        if (s0 != s1) {
            f->client_side = s0 ? 1 : 0;
            f->oriented = true;
        }
    }
    f->saw_syn = is_syn(p) || is_synack(p);
    if (ft_port_listed(t, f->key.port[0]) || ft_port_listed(t, f->key.port[1]))
        open_app(t, f);
}

enum grace { GRACE_TAKE, GRACE_IGNORE, GRACE_END };

/* does side's segment at seq continue its stream without opening a hole? It
 * starts at most at the highest byte seen or acknowledged, and at least at
 * what was delivered or acknowledged, or not far below: a retransmission of
 * what was sent before is as much in flight as new data */
static bool in_sequence(const struct flow *f, int side, uint32_t seq)
{
    const struct flow_streams *s = f->h ? f->h->s : NULL;
    if (s && s->half[side].r.has_base) {
        const struct reasm *r = &s->half[side].r;
        int64_t o = 0;
        reasm_offset(r, seq, &o);
        if (o < (int64_t)r->next && (int64_t)r->next - o <= (int64_t)FLOW_LATE_WINDOW)
            return true;
        return reasm_in_window(r, seq, 0);
    }
    if (f->isn_known[side])
        return seq == f->isn[side] + 1;   /* nothing sent yet */
    return false;                         /* nowhere known: cannot be shown to be in flight */
}

/* a packet for a flow in its RST grace (FLOW_RST_GRACE_US): O(1) */
static enum grace grace_packet(struct flow_table *t, struct flow *f, int side, const struct pkt *p)
{
    if (side == f->rst_side) {
        uint32_t end = 0;
        bool known = stream_pos(f, side, &end);
        if (starts_new(f, side, p, known, end))
            return GRACE_END;   /* a new connection on these ports: see below */
        late_data(t, f, side, p, known, end);
        return GRACE_IGNORE;    /* its repeated RSTs, ACKs and data after its own RST */
    }
    if (p->tcp_flags & (TCPF_RST | TCPF_SYN))
        return GRACE_END;
    return in_sequence(f, side, p->seq) ? GRACE_TAKE : GRACE_END;
}

void flow_table_clock(struct flow_table *t, uint64_t ts_us)
{
    if (ts_us > t->clock)
        t->clock = ts_us;
    reasm_pool_clock(&t->pool, t->clock);
    expire(t, t->clock);
}

void flow_table_packet(struct flow_table *t, const struct pkt *p)
{
    if (p->ipver != 4 && p->ipver != 6)
        return;
    flow_table_clock(t, p->ts_us);

    struct flow_key k;
    int src_ep;
    flow_key_from_pkt(p, &k, &src_ep);
    struct flow *f = ft_lookup(t, &k);
    int side = f ? (src_ep == f->side0_ep ? 0 : 1) : 0;
    if (f && f->pending_no)
        become_ignored(t, f);
    if (f && flow_live(f) && f->rst) {
        enum grace g = grace_packet(t, f, side, p);
        if (g == GRACE_IGNORE)
            return;
        if (g == GRACE_END)
            flow_end_reset(t, f);   /* and the packet is judged against the ended flow */
    }
    bool reused = false;
    if (f && !flow_live(f)) {
        if (!starts_new(f, side, p, f->end_known[side], f->end_seq[side])) {
            late_data(t, f, side, p, f->end_known[side], f->end_seq[side]);
            return;
        }
        reused = true;
    } else if (f && syn_reuses(f, side, p)) {
        flow_end(t, f, END_REUSED, t->clock);
        reused = true;
    }
    struct flow old = {0};
    if (reused) {
        /* the anomaly goes to the new conn if it is analyzed from the start,
         * else to the old one, which must be reported before it is freed */
        if (!(ft_port_listed(t, k.port[0]) || ft_port_listed(t, k.port[1])))
            port_reuse_anomaly(t, f, NULL, p->ts_us);
        old = *f;
        old.h = NULL;
        destroy(t, f);
        f = NULL;
    }
    if (!f) {
        if ((p->tcp_flags & TCPF_RST) && !reused)
            return;   /* a lone RST starts nothing worth tracking */
        f = create(t, &k, src_ep, p->ts_us);
        if (!f)
            return;
        side = 0;
        new_flow_setup(t, f, p);
        if (reused && analyzed(f))
            port_reuse_anomaly(t, &old, f, p->ts_us);
    }
    f->last_us = t->clock;
    f->pkts[side]++;
    tcp_segment(t, f, side, p);
    t->stats.reasm_mem_peak = t->pool.held_peak;
    /* between packets, never inside a callback: any flow may go, this one too */
    budget(t, t->clock);
}

void flow_table_close_all(struct flow_table *t, uint64_t now_us)
{
    if (now_us > t->clock)
        t->clock = now_us;
    expire(t, t->clock);
    while (t->ahead) {
        struct flow *f = t->ahead;
        if (flow_live(f))
            flow_end_input(t, f, t->clock);
        destroy(t, f);
    }
    t->stats.reasm_mem_peak = t->pool.held_peak;
}

void flow_table_free(struct flow_table *t)
{
    if (!t)
        return;
    /* a caller that skipped close_all still gets every app state closed */
    flow_table_close_all(t, t->clock);
    ft_free(t);
}
