/* dcerpc: per pipe, the whole PDUs dcerpc_stream.c cuts: presentation
 * contexts, fragment joining and call matching; writes `dcerpc` (one per call)
 * and `dcerpc_bind` (one per bind / alter_context exchange) records.
 * Spec: [C706] 12.4 (fragments: FIRST_FRAG .. LAST_FRAG of one call_id),
 * 12.6.3.1 (bind contexts and results), 12.6.4.7 (fault status); [MS-RPCE]
 * 2.2.2.11 (auth levels: 6 = packet privacy, the stub is encrypted). */
#include "dcerpc_pipe.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dcerpc_ifaces.h"

#define AUTH_LEVEL_PRIVACY 6   /* [MS-RPCE] 2.2.1.1.8 RPC_C_AUTHN_LEVEL_PKT_PRIVACY */
#define STATUS_LEN 4           /* the operation's return value ends the response stub */

/* one call from its first request fragment (or first response, when the
 * request was not seen) to its last response fragment or fault */
struct call {
    uint32_t call_id;
    struct event ev;                  /* the `dcerpc` record being built */
    const struct dcerpc_iface *iface;
    uint16_t opnum;
    bool have_req, req_done, rsp_started;
    bool decode;                      /* the stubs can be decoded: little-endian ASCII, not sealed */
    bool lost;                        /* a fragment of the stub in progress was lost or cut */
    bool over;                        /* the stub in progress passed --max-dcerpc-stub */
    bool sealed;
    uint8_t *stub;                    /* the direction in progress's stub, joined */
    size_t len, cap;
    uint8_t tail[STATUS_LEN];         /* the last stub bytes seen, kept even past the limit */
    size_t tail_n;
    uint64_t req_bytes, rsp_bytes;
    uint64_t req_end_ts;
    struct call *next;
};

static char *xstrdup_opt(const char *s)
{
    if (!s)
        return NULL;
    char *d = strdup(s);
    if (!d)
        abort();
    return d;
}

struct dcerpc_pipe *dcerpc_pipe_new(const char *pipe, uint16_t fid, const char *user, const char *share)
{
    struct dcerpc_pipe *pp = calloc(1, sizeof *pp);
    if (!pp)
        abort();
    pp->pipe = xstrdup_opt(pipe);
    pp->user = xstrdup_opt(user);
    pp->share = xstrdup_opt(share);
    pp->fid = fid;
    return pp;
}

static void uuid_str(const uint8_t u[16], char out[37])
{
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[3], u[2], u[1], u[0],
             u[5], u[4], u[7], u[6], u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
}

/* "srvsvc", or the UUID when the table does not know it */
static void iface_label(const struct ctx_ent *c, char *out, size_t cap)
{
    if (c->iface) {
        snprintf(out, cap, "%s", c->iface->name);
    } else {
        char u[37];
        uuid_str(c->uuid, u);
        snprintf(out, cap, "%s", u);
    }
}

static struct ctx_ent *ctx_find(struct dcerpc_pipe *pp, uint16_t id)
{
    for (size_t i = 0; i < pp->n_ctx; i++)
        if (pp->ctx[i].id == id)
            return &pp->ctx[i];
    return NULL;
}

void dcerpc_anomaly(const struct dcerpc_pipe *pp, const struct dcerpc_io *io, const char *name, const char *fmt, ...)
{
    char detail[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    emit_anomaly(io->em, io->ts_us, io->conn, name, "pipe %s fid %u: %s", pp->pipe ? pp->pipe : "?", pp->fid,
                 detail);
}

/* ---- contexts (bind / alter_context) --------------------------------------- */

static void ctx_remember(struct dcerpc_pipe *pp, const struct dcerpc_io *io, const struct dcerpc_ctx_elem *e)
{
    struct ctx_ent *c = ctx_find(pp, e->id);
    if (!c) {
        if (pp->n_ctx >= io->lim->dcerpc_contexts_max) {
            dcerpc_anomaly(pp, io, "dcerpc_context_limit", "more than %zu presentation contexts; context %u not kept",
                    io->lim->dcerpc_contexts_max, e->id);
            return;
        }
        pp->ctx = dcerpc_xrealloc(pp->ctx, (pp->n_ctx + 1) * sizeof *pp->ctx);
        c = &pp->ctx[pp->n_ctx++];
    }
    c->id = e->id;
    memcpy(c->uuid, e->uuid, 16);
    c->ver_major = e->ver_major;
    c->ver_minor = e->ver_minor;
    c->iface = dcerpc_iface_by_uuid(e->uuid, e->ver_major);
}

static const char *result_name(uint16_t r)
{
    switch (r) {
    case 0: return "accepted";
    case 1: return "user_rejection";
    case 2: return "provider_rejection";
    case 3: return "negotiate_ack"; /* [MS-RPCE] 3.3.1.5.3 bind time feature negotiation */
    default: return "unknown_result";
    }
}

static void bind_free(struct bind *b)
{
    free(b->ctx);
    memset(b, 0, sizeof *b);
}

static void bind_record_base(struct dcerpc_pipe *pp, struct event *e, bool alter, uint32_t call_id)
{
    if (pp->user)
        ev_str(e, F(user), pp->user);
    if (pp->share)
        ev_str(e, F(share), pp->share);
    ev_str(e, F(pipe), pp->pipe);
    ev_uint(e, F(fid), pp->fid);
    ev_str(e, F(bind_kind), alter ? "alter_context" : "bind");
    ev_uint(e, F(call_id), call_id);
}

/* the bind's record: its contexts with the ack's results (NULL: no ack) */
static void bind_emit(struct dcerpc_pipe *pp, const struct dcerpc_io *io, const struct dcerpc_pdu *ack)
{
    struct bind *b = &pp->bind;
    struct event e;
    /* written now (ts), begun with the bind (start): the transcript stays in time order */
    ev_init(&e, EV_DCERPC_BIND, io->ts_us > b->ts_us ? io->ts_us : b->ts_us, io->conn);
    ev_ts(&e, F(start), b->ts_us);
    bind_record_base(pp, &e, b->alter, b->call_id);
    const char **v = calloc(b->n ? b->n : 1, sizeof *v);
    char(*s)[96] = calloc(b->n ? b->n : 1, sizeof *s);
    if (!v || !s)
        abort();
    for (size_t i = 0; i < b->n; i++) {
        struct ctx_ent c = {.id = b->ctx[i].id, .ver_major = b->ctx[i].ver_major};
        memcpy(c.uuid, b->ctx[i].uuid, 16);
        c.iface = dcerpc_iface_by_uuid(c.uuid, c.ver_major);
        char label[48];
        iface_label(&c, label, sizeof label);
        const char *res = "unanswered";
        if (ack && ack->h.ptype == DCERPC_BIND_NAK)
            res = "rejected";
        else if (ack)
            res = i < ack->n_results ? result_name(ack->results[i].result) : "no_result";
        snprintf(s[i], sizeof s[i], "%u:%s %u.%u %s", c.id, label, b->ctx[i].ver_major, b->ctx[i].ver_minor, res);
        v[i] = s[i];
    }
    fs_strv(&e, NULL, F(contexts), v, b->n);
    if (ack && ack->h.ptype != DCERPC_BIND_NAK)
        ev_uint(&e, F(assoc_group), ack->assoc_group);
    if (ack && ack->h.ptype == DCERPC_BIND_NAK)
        ev_uint(&e, F(reject_reason), ack->reject_reason);
    if (ack && io->ts_us >= b->end_ts)
        ev_uint(&e, F(latency_us), io->ts_us - b->end_ts);
    else
        ev_null(&e, F(latency_us));
    emit(io->em, &e);
    ev_free(&e);
    free(v);
    free(s);
    bind_free(b);
}

static void on_bind(struct dcerpc_pipe *pp, const struct dcerpc_io *io, const struct dcerpc_pdu *d)
{
    if (pp->bind.active)
        bind_emit(pp, io, NULL); /* a second bind before the first was answered */
    struct bind *b = &pp->bind;
    b->active = true;
    b->alter = d->h.ptype == DCERPC_ALTER;
    b->call_id = d->h.call_id;
    b->ts_us = pp->dir[0].ts_first;
    b->end_ts = io->ts_us;
    b->n = d->n_ctx;
    b->ctx = calloc(d->n_ctx ? d->n_ctx : 1, sizeof *b->ctx);
    if (!b->ctx)
        abort();
    memcpy(b->ctx, d->ctx, d->n_ctx * sizeof *b->ctx);
    /* a request may follow before the ack is seen (or the ack is lost): the
     * proposed syntax is what the context will mean if it is accepted */
    for (size_t i = 0; i < d->n_ctx; i++)
        ctx_remember(pp, io, &d->ctx[i]);
}

static void on_bind_ack(struct dcerpc_pipe *pp, const struct dcerpc_io *io, const struct dcerpc_pdu *d)
{
    if (pp->bind.active) {
        bind_emit(pp, io, d);
        return;
    }
    /* an ack whose bind was not seen: its results without the contexts */
    struct event e;
    ev_init(&e, EV_DCERPC_BIND, io->ts_us, io->conn);
    ev_ts(&e, F(start), pp->dir[1].ts_first);
    bind_record_base(pp, &e, d->h.ptype == DCERPC_ALTER_RESP, d->h.call_id);
    const char **v = calloc(d->n_results ? d->n_results : 1, sizeof *v);
    char(*s)[48] = calloc(d->n_results ? d->n_results : 1, sizeof *s);
    if (!v || !s)
        abort();
    for (size_t i = 0; i < d->n_results; i++) {
        snprintf(s[i], sizeof s[i], "?:? %s", result_name(d->results[i].result));
        v[i] = s[i];
    }
    fs_strv(&e, NULL, F(contexts), v, d->h.ptype == DCERPC_BIND_NAK ? 0 : d->n_results);
    if (d->h.ptype == DCERPC_BIND_NAK)
        ev_uint(&e, F(reject_reason), d->reject_reason);
    else
        ev_uint(&e, F(assoc_group), d->assoc_group);
    ev_null(&e, F(latency_us));
    ev_bool(&e, F(partial), true);
    emit(io->em, &e);
    ev_free(&e);
    free(v);
    free(s);
}

/* ---- calls ------------------------------------------------------------------ */

static struct call *call_find(struct dcerpc_pipe *pp, uint32_t call_id)
{
    for (struct call *c = pp->calls; c; c = c->next)
        if (c->call_id == call_id)
            return c;
    return NULL;
}

static void call_unlink(struct dcerpc_pipe *pp, struct call *c)
{
    for (struct call **cc = &pp->calls; *cc; cc = &(*cc)->next) {
        if (*cc == c) {
            *cc = c->next;
            pp->n_calls--;
            return;
        }
    }
}

static void call_free(struct call *c)
{
    ev_free(&c->ev);
    free(c->stub);
    free(c);
}

/* write the record of a call (answered or not) and forget it */
static void call_emit(struct dcerpc_pipe *pp, const struct dcerpc_io *io, struct call *c)
{
    call_unlink(pp, c);
    if (c->have_req && !c->req_done)
        ev_uint(&c->ev, F(request_stub_bytes), c->req_bytes);
    if (io->ts_us > c->ev.ts_us)
        c->ev.ts_us = io->ts_us;
    emit(io->em, &c->ev);
    call_free(c);
}

/* the interface of the call's context (its context_id is written already) */
static void call_set_ctx(struct dcerpc_pipe *pp, struct call *c, uint16_t ctx_id)
{
    const struct ctx_ent *x = ctx_find(pp, ctx_id);
    if (!x)
        return;
    c->iface = x->iface;
    char label[48], u[37], ver[16];
    iface_label(x, label, sizeof label);
    uuid_str(x->uuid, u);
    snprintf(ver, sizeof ver, "%u.%u", x->ver_major, x->ver_minor);
    ev_str(&c->ev, F(interface), label);
    ev_str(&c->ev, F(interface_uuid), u);
    ev_str(&c->ev, F(interface_version), ver);
}

static struct call *call_new(struct dcerpc_pipe *pp, const struct dcerpc_io *io, const struct dcerpc_pdu *d,
                             uint64_t ts)
{
    if (pp->n_calls >= io->lim->dcerpc_calls_max && pp->calls) {
        dcerpc_anomaly(pp, io, "dcerpc_call_limit",
                       "more than %zu outstanding calls; oldest (call_id %u) reported unanswered",
                       io->lim->dcerpc_calls_max, pp->calls->call_id);
        call_emit(pp, io, pp->calls);
    }
    struct call *c = calloc(1, sizeof *c);
    if (!c)
        abort();
    c->call_id = d->h.call_id;
    c->decode = dcerpc_drep_le_ascii(&d->h);
    struct event *e = &c->ev;
    ev_init(e, EV_DCERPC, ts, io->conn);
    ev_ts(e, F(start), ts); /* ts becomes the time it is written (call_emit) */
    if (pp->user)
        ev_str(e, F(user), pp->user);
    if (pp->share)
        ev_str(e, F(share), pp->share);
    ev_str(e, F(pipe), pp->pipe);
    ev_uint(e, F(fid), pp->fid);
    ev_null(e, F(interface));
    ev_null(e, F(interface_uuid));
    ev_null(e, F(interface_version));
    ev_uint(e, F(context_id), d->ctx_id);
    ev_uint(e, F(call_id), d->h.call_id);
    ev_null(e, F(opnum));
    ev_null(e, F(operation));
    ev_null(e, F(status));
    ev_null(e, F(status_code));
    ev_bool(e, F(fault), false);
    ev_null(e, F(latency_us));
    ev_null(e, F(request_stub_bytes));
    ev_null(e, F(response_stub_bytes));
    call_set_ctx(pp, c, d->ctx_id);
    struct call **tail = &pp->calls;
    while (*tail)
        tail = &(*tail)->next;
    *tail = c;
    pp->n_calls++;
    if (!c->decode && !pp->drep_reported) {
        pp->drep_reported = true;
        dcerpc_anomaly(pp, io, "dcerpc_unsupported_drep", "data representation %02x %02x: arguments not decoded",
                d->h.drep[0], d->h.drep[1]);
    }
    return c;
}

static void stub_reset(struct call *c)
{
    free(c->stub);
    c->stub = NULL;
    c->len = c->cap = 0;
    c->tail_n = 0;
    c->over = false;
    c->lost = false;
}

/* join a fragment's stub to the call's, up to --max-dcerpc-stub */
static void stub_add(struct dcerpc_pipe *pp, const struct dcerpc_io *io, struct call *c, const struct rd *stub)
{
    size_t n = rd_left(stub);
    const uint8_t *p = stub->p + stub->off;
    /* the last 4 bytes seen, for the return value */
    for (size_t i = n > STATUS_LEN ? n - STATUS_LEN : 0; i < n; i++) {
        if (c->tail_n == STATUS_LEN) {
            memmove(c->tail, c->tail + 1, STATUS_LEN - 1);
            c->tail_n--;
        }
        c->tail[c->tail_n++] = p[i];
    }
    size_t max = io->lim->dcerpc_stub_max;
    size_t take = n;
    if (c->len + take > max) {
        take = max > c->len ? max - c->len : 0;
        if (!c->over)
            dcerpc_anomaly(pp, io, "dcerpc_stub_limit", "call_id %u: stub longer than %zu bytes; only the first kept",
                    c->call_id, max);
        c->over = true;
        ev_bool(&c->ev, F(stub_truncated), true);
    }
    if (take == 0)
        return;
    if (c->len + take > c->cap) {
        size_t cap = c->cap ? c->cap : 256;
        while (cap < c->len + take)
            cap *= 2;
        c->stub = dcerpc_xrealloc(c->stub, cap);
        c->cap = cap;
    }
    memcpy(c->stub + c->len, p, take);
    c->len += take;
}

static bool sealed(const struct dcerpc_pdu *d)
{
    return d->has_auth && d->auth_level >= AUTH_LEVEL_PRIVACY;
}

static void on_request(struct dcerpc_pipe *pp, const struct dcerpc_io *io, const struct dcerpc_pdu *d)
{
    struct call *c = call_find(pp, d->h.call_id);
    bool first = d->h.flags & DCERPC_PFC_FIRST_FRAG;
    if (c && first && c->have_req) {
        dcerpc_anomaly(pp, io, "dcerpc_call_id_reused", "call_id %u reused while the call is unanswered", c->call_id);
        call_emit(pp, io, c);
        c = NULL;
    }
    if (!c) {
        c = call_new(pp, io, d, pp->dir[0].ts_first);
        if (!first)
            c->lost = true; /* its first fragments were not seen */
    }
    if (!c->have_req) {
        c->have_req = true;
        c->opnum = d->opnum;
        ev_uint(&c->ev, F(opnum), d->opnum);
        ev_str(&c->ev, F(operation), dcerpc_op_name(c->iface, d->opnum));
        if (d->has_object) {
            char u[37];
            uuid_str(d->object, u);
            ev_str(&c->ev, F(object_uuid), u);
        }
    }
    if (sealed(d) && !c->sealed) {
        c->sealed = true;
        ev_bool(&c->ev, F(encrypted), true);
    }
    c->req_bytes += rd_left(&d->stub);
    stub_add(pp, io, c, &d->stub);
    if (!(d->h.flags & DCERPC_PFC_LAST_FRAG))
        return;
    c->req_done = true;
    c->req_end_ts = io->ts_us;
    ev_uint(&c->ev, F(request_stub_bytes), c->req_bytes);
    if (c->decode && !c->sealed && !c->lost && c->iface && c->iface->req) {
        struct rd r = rd_init(c->stub, c->len);
        c->iface->req(c->opnum, &r, &c->ev);
    }
    stub_reset(c);
}

/* a response or fault with no call waiting: a call known only by its answer */
static struct call *answer_call(struct dcerpc_pipe *pp, const struct dcerpc_io *io, const struct dcerpc_pdu *d)
{
    struct call *c = call_find(pp, d->h.call_id);
    if (c && c->have_req && !c->req_done) {
        /* answered before its last request fragment was seen (lost): what
         * was joined is not the whole request */
        ev_uint(&c->ev, F(request_stub_bytes), c->req_bytes);
        stub_reset(c);
        c->req_done = true;
    }
    if (!c) {
        c = call_new(pp, io, d, pp->dir[1].ts_first);
        ev_bool(&c->ev, F(partial), true);
    }
    if (!c->rsp_started) {
        c->rsp_started = true;
        if (c->req_done && pp->dir[1].ts_first >= c->req_end_ts)
            ev_uint(&c->ev, F(latency_us), pp->dir[1].ts_first - c->req_end_ts);
    }
    return c;
}

static void on_response(struct dcerpc_pipe *pp, const struct dcerpc_io *io, const struct dcerpc_pdu *d)
{
    struct call *c = answer_call(pp, io, d);
    if (d->h.flags & DCERPC_PFC_FIRST_FRAG && c->rsp_bytes) {
        stub_reset(c); /* a new first fragment: start the stub again */
        c->rsp_bytes = 0;
    }
    if (sealed(d) && !c->sealed) {
        c->sealed = true;
        ev_bool(&c->ev, F(encrypted), true);
    }
    c->rsp_bytes += rd_left(&d->stub);
    stub_add(pp, io, c, &d->stub);
    if (!(d->h.flags & DCERPC_PFC_LAST_FRAG))
        return;
    ev_uint(&c->ev, F(response_stub_bytes), c->rsp_bytes);
    /* the operation's return value: the stub's last 4 bytes (in the clear) */
    if (c->iface && c->iface->status_is_hresult_or_win32 && !c->sealed && c->tail_n == STATUS_LEN) {
        struct rd t = rd_init(c->tail, STATUS_LEN);
        uint32_t st = d->h.drep[0] & 0x10 ? rd_u32le(&t) : rd_u32be(&t);
        ev_str(&c->ev, F(status), dcerpc_iface_status_name(c->iface, st));
        ev_uint(&c->ev, F(status_code), st);
    }
    if (c->decode && !c->sealed && !c->lost && c->have_req && c->iface && c->iface->rsp) {
        struct rd r = rd_init(c->stub, c->len);
        c->iface->rsp(c->opnum, &r, &c->ev);
    }
    call_emit(pp, io, c);
}

static void on_fault(struct dcerpc_pipe *pp, const struct dcerpc_io *io, const struct dcerpc_pdu *d)
{
    struct call *c = answer_call(pp, io, d);
    ev_str(&c->ev, F(status), dcerpc_fault_name(d->status));
    ev_uint(&c->ev, F(status_code), d->status);
    ev_bool(&c->ev, F(fault), true);
    ev_uint(&c->ev, F(response_stub_bytes), rd_left(&d->stub));
    call_emit(pp, io, c);
}

void dcerpc_pdu_done(struct dcerpc_pipe *pp, const struct dcerpc_io *io, int di, const uint8_t *p, size_t n)
{
    struct dcerpc_pdu *d = malloc(sizeof *d); /* ~6 KiB of context slots: not on the stack */
    if (!d)
        abort();
    if (!dcerpc_pdu_parse(p, n, d)) {
        dcerpc_anomaly(pp, io, "dcerpc_bad_pdu", "%s PDU of %zu bytes does not parse", dcerpc_ptype_name(p[2]), n);
        free(d);
        return;
    }
    if (d->bad_auth_pad)
        dcerpc_anomaly(pp, io, "dcerpc_bad_auth_pad", "call_id %u: auth padding of %u bytes longer than the stub",
                d->h.call_id, d->auth_pad);
    bool to_server = di == 0;
    uint8_t t = d->h.ptype;
    bool client_pdu = t == DCERPC_REQUEST || t == DCERPC_BIND || t == DCERPC_ALTER || t == DCERPC_AUTH3 ||
                      t == DCERPC_CO_CANCEL || t == DCERPC_ORPHANED;
    bool server_pdu = t == DCERPC_RESPONSE || t == DCERPC_FAULT || t == DCERPC_BIND_ACK || t == DCERPC_BIND_NAK ||
                      t == DCERPC_ALTER_RESP || t == DCERPC_SHUTDOWN;
    if ((to_server && !client_pdu) || (!to_server && !server_pdu)) {
        dcerpc_anomaly(pp, io, "dcerpc_wrong_direction", "%s PDU sent %s", dcerpc_ptype_name(t),
                to_server ? "to the server" : "to the client");
        free(d);
        return;
    }
    switch (t) {
    case DCERPC_REQUEST: on_request(pp, io, d); break;
    case DCERPC_RESPONSE: on_response(pp, io, d); break;
    case DCERPC_FAULT: on_fault(pp, io, d); break;
    case DCERPC_BIND:
    case DCERPC_ALTER: on_bind(pp, io, d); break;
    case DCERPC_BIND_ACK:
    case DCERPC_ALTER_RESP:
    case DCERPC_BIND_NAK: on_bind_ack(pp, io, d); break;
    default: break; /* auth3, cancel, orphaned, shutdown: nothing to report */
    }
    free(d);
}

void dcerpc_calls_lost(struct dcerpc_pipe *pp, bool to_server)
{
    for (struct call *c = pp->calls; c; c = c->next) {
        bool joining = to_server ? c->have_req && !c->req_done : c->rsp_started;
        if (joining)
            c->lost = true;
    }
}

void dcerpc_pipe_end(struct dcerpc_pipe *pp, const struct dcerpc_io *io)
{
    if (!pp)
        return;
    if (pp->bind.active)
        bind_emit(pp, io, NULL);
    while (pp->calls)
        call_emit(pp, io, pp->calls);
    for (int i = 0; i < 2; i++)
        free(pp->dir[i].buf);
    free(pp->ctx);
    free(pp->pipe);
    free(pp->user);
    free(pp->share);
    free(pp);
}
