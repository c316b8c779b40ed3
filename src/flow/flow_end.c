/* flow_end: ending flows: the final flush and the conn record, lingering for
 * late packets, expiry on the packet clock, eviction when the table is full
 * (max_flows) or the state is over its budget (max_state_memory), and the
 * end of input. flow_table.c says which flow is due; it is ended here.
 * Spec: RFC 9293 section 3.6 (closing a connection) for when a flow is done. */
#include <inttypes.h>
#include <stddef.h>

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

/* where side's stream stands: the sequence number just past what was
 * delivered or declared lost (false when nothing is known about it) */
bool flow_stream_pos(const struct flow *f, int side, uint32_t *seq)
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
bool flow_fully_closed(const struct flow *f)
{
    const struct flow_streams *s = f->h ? f->h->s : NULL;
    return f->fin[0] && f->fin[1] && (!s || (reasm_done(&s->half[0].r) && reasm_done(&s->half[1].r)));
}

/* end a live flow: flush, close the app, write the conn record, free the
 * reassembly; the caller then lingers or destroys it. A flow in its RST grace
 * always ends as END_RESET, at its last packet (last_us), whatever ends it. */
void flow_end(struct flow_table *t, struct flow *f, enum flow_end why, uint64_t now)
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
        f->end_known[s] = flow_stream_pos(f, s, &f->end_seq[s]);
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
        flow_free_streams(t, f);   /* keep the conn for late-packet anomalies */
    } else {
        flow_free_heavy(t, f);
    }
    f->end = (uint8_t)why;
    f->state = FL_CLOSED;
}

void flow_linger(struct flow_table *t, struct flow *f)
{
    f->last_us = t->clock;
    ft_touch(t, f, FLIST_CLOSED);
}

/* end a flow whose RST grace is over and keep it for late packets */
void flow_end_reset(struct flow_table *t, struct flow *f)
{
    flow_end(t, f, END_RESET, f->last_us);
    flow_linger(t, f);
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
        flow_become_ignored(t, f);
    if (!f->rst && flow_fully_closed(f)) {
        flow_end(t, f, END_CLOSED, now);
        flow_linger(t, f);
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
        if (flow_fully_closed(f))
            why = END_CLOSED;
    }
    flow_end(t, f, why, now);
}

/* ---- expiry, eviction, teardown: flow_table.c says which flow is due,
 * ending it is done here ---- */

void flow_destroy(struct flow_table *t, struct flow *f)
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
            flow_destroy(t, v);
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
        flow_destroy(t, v);   /* already ended and recorded: not an eviction */
        return true;
    }
    if (v->list == FLIST_RESET) {
        flow_end(t, v, END_RESET, now);   /* the grace is cut short; it ends as reset, which it is */
        flow_destroy(t, v);
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
    flow_destroy(t, v);
    return true;
}

struct flow *flow_create(struct flow_table *t, const struct flow_key *k, int src_ep, uint64_t ts_us)
{
    while (ft_full(t) && evict_one(t, t->clock))
        ;
    return ft_create(t, k, src_ep, ts_us);
}

/* over the state budget (membudget.h): destroy closed flows, then evict the
 * idlest live ones (ft_idlest_live), each with an anomaly `state_memory_limit`,
 * until back under it */
void flow_budget(struct flow_table *t, uint64_t now)
{
    while (mb_over(t->mb)) {
        struct flow *v = t->lhead[FLIST_CLOSED];
        if (v) {
            flow_destroy(t, v);   /* already ended and recorded */
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
        flow_destroy(t, v);
    }
}

void flow_table_clock(struct flow_table *t, uint64_t ts_us)
{
    if (ts_us > t->clock)
        t->clock = ts_us;
    reasm_pool_clock(&t->pool, t->clock);
    expire(t, t->clock);
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
        flow_destroy(t, f);
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
