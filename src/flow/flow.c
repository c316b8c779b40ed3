/* flow: per-packet TCP handling: orientation, which flows to analyze, the
 * handshake, RST/FIN and the RST grace, port reuse, late data. Spec: RFC 9293
 * sections 3.5 (establishing, 3.5.3 reset processing) and 3.6 (closing).
 * The table is in flow_table.c, heavy state and the app glue in
 * flow_heavy.c, ending flows (expiry, eviction, budget) in flow_end.c. */
#include <inttypes.h>

#include "flow_internal.h"

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
    if (!p->len || !flow_analyzed(f) || f->late_warned[side])
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
            flow_linger(t, f);
        } else if ((f->fin[0] && f->fin[1]) || (f->rst && (p->tcp_flags & TCPF_FIN))) {
            flow_end(t, f, END_CLOSED, t->clock);
            flow_linger(t, f);
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
                         flow_dir(f, side) == DIR_C2S ? "from client" : "from server");
            classify(t, f);
        }
        return;
    }
    struct flow_streams *s = (p->len || (p->tcp_flags & TCPF_FIN)) ? flow_streams_get(t, f) : (f->h ? f->h->s : NULL);
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
        flow_become_ignored(t, f);
    if (f->rst && (p->tcp_flags & TCPF_FIN)) {
        flow_end_reset(t, f);   /* the other side is done too: its FIN was the last thing in flight */
        return;
    }
    if (flow_fully_closed(f)) {
        flow_end(t, f, END_CLOSED, ts);
        flow_linger(t, f);
        return;
    }
    classify(t, f);
}

/* a new connection on the ports of `old`: anomalous unless old closed cleanly.
 * Reported on the new connection if analyzed, else on the old one. */
static void port_reuse_anomaly(struct flow_table *t, const struct flow *old, const struct flow *neu, uint64_t ts)
{
    enum flow_end e = (enum flow_end)old->end;
    const struct flow *at = neu && flow_analyzed(neu) ? neu : old;
    if (e == END_CLOSED || !flow_analyzed(at))
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
        /* mid-stream: the side on a server port (the protocol's and --port) is the server */
        bool s0 = ft_port_listed(t, f->key.port[flow_ep(f, 0)]), s1 = ft_port_listed(t, f->key.port[flow_ep(f, 1)]);
        if (s0 != s1) {
            f->client_side = s0 ? 1 : 0;
            f->oriented = true;
        }
    }
    f->saw_syn = is_syn(p) || is_synack(p);
    if (ft_port_listed(t, f->key.port[0]) || ft_port_listed(t, f->key.port[1]))
        flow_open_app(t, f);
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
        bool known = flow_stream_pos(f, side, &end);
        if (starts_new(f, side, p, known, end))
            return GRACE_END;   /* a new connection on these ports: see below */
        late_data(t, f, side, p, known, end);
        return GRACE_IGNORE;    /* its repeated RSTs, ACKs and data after its own RST */
    }
    if (p->tcp_flags & (TCPF_RST | TCPF_SYN))
        return GRACE_END;
    return in_sequence(f, side, p->seq) ? GRACE_TAKE : GRACE_END;
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
        flow_become_ignored(t, f);
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
        flow_destroy(t, f);
        f = NULL;
    }
    if (!f) {
        if ((p->tcp_flags & TCPF_RST) && !reused)
            return;   /* a lone RST starts nothing worth tracking */
        f = flow_create(t, &k, src_ep, p->ts_us);
        side = 0;
        new_flow_setup(t, f, p);
        if (reused && flow_analyzed(f))
            port_reuse_anomaly(t, &old, f, p->ts_us);
    }
    f->last_us = t->clock;
    f->pkts[side]++;
    tcp_segment(t, f, side, p);
    t->stats.reasm_mem_peak = t->pool.held_peak;
    /* between packets, never inside a callback: any flow may go, this one too */
    flow_budget(t, t->clock);
}
