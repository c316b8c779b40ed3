/* smb1: message assembly, AndX chain walk and request/response matching.
 * Spec: [MS-CIFS] 2.2.3 (message structure), 2.2.3.4 (batched AndX messages),
 * 3.2.4.1.4 / 3.3.5.2 (MID/PID matching of responses to requests). */
#include "smb1_core.h"
#include "smb1_handlers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* commands the server never answers */
static bool no_response(uint8_t cmd)
{
    return cmd == SMB1_COM_NT_CANCEL || cmd == SMB1_COM_TRANSACTION_SECONDARY ||
           cmd == SMB1_COM_TRANSACTION2_SECONDARY || cmd == SMB1_COM_NT_TRANSACT_SECONDARY;
}

static void hold_record(void *u, const struct event *e)
{
    struct smb1_core *k = u;
    struct smb1_held *h = &k->held;
    if (h->n == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 4;
        struct event *v = realloc(h->ev, cap * sizeof *v);
        if (!v)
            abort();
        h->ev = v;
        h->cap = cap;
    }
    ev_clone(&h->ev[h->n++], e);
}

/* write the held records, in the order they were made */
static void release_held(struct smb1_core *k)
{
    for (size_t i = 0; i < k->held.n; i++) {
        emit(k->out, &k->held.ev[i]);
        ev_free(&k->held.ev[i]);
    }
    k->held.n = 0;
}

void smb1_core_init(struct smb1_core *k, const struct conn_ref *conn, const struct emitter *em,
                    const struct limits *lim, struct file_pool *files, bool midstream)
{
    memset(k, 0, sizeof *k);
    k->c.conn = conn;
    k->c.em = em;
    k->out = em;
    k->hold.emit = hold_record;
    k->hold.u = k;
    k->c.lim = lim;
    k->c.files = files;
    k->c.midstream = midstream;
}

/* ---- pending requests ---------------------------------------------------- */

/* a pending request: the struct and its `smb` event being built (fields and
 * a few strings; the event's arena is not sized from outside, so a typical
 * one is assumed: the charge is to keep thousands of them honest) */
#define SMB1_PENDING_COST (sizeof(struct smb1_pending) + 1024u)

static void pending_free(struct smb1_conn *c, struct smb1_pending *p)
{
    file_free(p->chained_ft); /* the open it was for never answered */
    smb1_req_free(p);
    ev_free(&p->ev);
    mb_credit(c->mb, SMB1_PENDING_COST);
    free(p);
}

static void emit_pending(struct smb1_conn *c, struct smb1_pending *p)
{
    emit(c->em, &p->ev);
    pending_free(c, p);
}

static void pending_add(struct smb1_conn *c, struct smb1_pending *p, uint64_t ts)
{
    if (c->n_pending >= c->lim->pending_max && c->pending) {
        struct smb1_pending *o = c->pending; /* the oldest */
        smb1_pending_unlink(c, o);
        emit_anomaly(c->em, ts, c->conn, "pending_limit",
                     "more than %zu unanswered requests; oldest reported unanswered", c->lim->pending_max);
        emit_pending(c, o);
    }
    smb1_pending_link(c, p);
}

/* the request a response link answers: the head of the oldest request chain
 * with its (PID, MID, command) for the first link, then the links of that
 * same chain (*chain: 0 until the first link matched) */
static struct smb1_pending *rsp_match(const struct smb1_conn *c, const struct smb1_hdr *h, uint8_t cmd,
                                      unsigned depth, uint64_t *chain, bool interim)
{
    if (depth == 0) {
        struct smb1_pending *p = smb1_pending_answer(c, h->pid, h->mid, cmd, 0, interim);
        *chain = p ? p->chain : 0;
        return p;
    }
    return *chain ? smb1_pending_answer(c, h->pid, h->mid, cmd, *chain, false) : NULL;
}

static struct smb1_pending *pending_new(struct smb1_conn *c, const struct smb1_hdr *h, uint8_t cmd,
                                        uint64_t ts)
{
    struct smb1_pending *p = calloc(1, sizeof *p);
    if (!p)
        abort();
    mb_charge(c->mb, SMB1_PENDING_COST);
    p->pid = h->pid;
    p->mid = h->mid;
    p->cmd = cmd;
    p->uid = h->uid;
    p->tid = h->tid;
    p->ts_us = ts;
    ev_init(&p->ev, EV_SMB, ts, c->conn);
    char scratch[16];
    ev_str(&p->ev, F(command), smb1_cmd_name(cmd, scratch, sizeof scratch));
    ev_uint(&p->ev, F(code), cmd);
    ev_null(&p->ev, F(status));
    ev_null(&p->ev, F(status_code));
    ev_uint(&p->ev, F(uid), h->uid);
    ev_uint(&p->ev, F(tid), h->tid);
    ev_uint(&p->ev, F(pid), h->pid);
    ev_uint(&p->ev, F(mid), h->mid);
    ev_null(&p->ev, F(latency_us));
    if (h->flags2 & SMB1_FLAGS2_SIGNATURE)
        ev_bool(&p->ev, F(signed), true); /* the client signs: the session key is in use */
    /* the context a reader wants on every step: who, and on which share */
    const struct smb1_session *ss = smb1_session_get(c, h->uid, false, ts);
    if (ss && ss->user && *ss->user)
        ev_str(&p->ev, F(user), ss->user);
    const struct smb1_tree *tr = smb1_tree_get(c, h->tid, false);
    if (tr && tr->path)
        ev_str(&p->ev, F(share), tr->path);
    return p;
}

/* ---- message assembly ---------------------------------------------------- */

/* the open a streamed message feeds, if it still exists: a CLOSE in the
 * other direction can end it while the data is still arriving */
static struct smb1_open *stream_open(struct smb1_core *k, struct smb1_asm *a)
{
    if (a->open_check != k->c.opens_ended) {
        /* some open ended since we looked: ours may be gone (FIDs are reused, hence the serial) */
        struct smb1_open *o = smb1_open_get(&k->c, a->s.fid);
        a->open = o && o->serial == a->open_serial ? o : NULL;
        a->open_check = k->c.opens_ended;
    }
    return a->open;
}

/* the file tracker of that open (NULL for a pipe) */
static struct file_track *stream_file(struct smb1_core *k, struct smb1_asm *a)
{
    if (a->orphan)
        return a->orphan; /* a chained WRITE's data before its open has a FID */
    struct smb1_open *o = stream_open(k, a);
    return o ? o->ft : NULL;
}

/* the pipe that open is (NULL for a file); its DCE/RPC records are held like
 * a handler's, to follow the message's own `smb` record */
static struct smb1_open *stream_pipe(struct smb1_core *k, struct smb1_asm *a)
{
    struct smb1_open *o = stream_open(k, a);
    return o && !o->ft && o->kind == SMB1_OPEN_PIPE ? o : NULL;
}

static void stream_pipe_gap(struct smb1_core *k, struct smb1_asm *a, size_t n, uint64_t ts_us)
{
    struct smb1_open *o = stream_pipe(k, a);
    if (o)
        smb1_pipe_gap(&k->c, &k->hold, o, a->s.io == FILE_WRITE, n, ts_us);
}

/* the file offset of the streamed byte at message position pos (inside the
 * elided data); false when it lies at or past FILE_OFFSET_END, where no file
 * holds bytes: the sum would otherwise wrap past 2^64 and land the bytes at
 * small offsets (the handler flags the command as offset_out_of_range) */
static bool stream_off(const struct smb1_asm *a, size_t pos, uint64_t *off)
{
    uint64_t rel = pos - a->elide_at;
    if (a->s.file_off >= FILE_OFFSET_END || rel >= FILE_OFFSET_END - a->s.file_off)
        return false;
    *off = a->s.file_off + rel;
    return true;
}

static void asm_reset(struct smb1_core *k, struct smb1_asm *a)
{
    /* keep small buffers for the next message; give big ones back (flat memory) */
    if (a->bufcap > 16384) {
        mb_credit(k->c.mb, a->bufcap);
        free(a->buf);
        a->buf = NULL;
        a->bufcap = 0;
    }
    file_free(a->orphan); /* only when process() never ran for this message */
    uint8_t *buf = a->buf;
    size_t cap = a->bufcap;
    memset(a, 0, sizeof *a);
    a->buf = buf;
    a->bufcap = cap;
}

static void asm_keep(struct smb1_core *k, struct smb1_asm *a, const uint8_t *p, size_t n)
{
    if (a->frozen || n == 0)
        return;
    size_t cap = k->c.lim->smb_buffer;
    size_t take = n;
    if (a->phys + take > cap) {
        take = cap > a->phys ? cap - a->phys : 0;
        a->frozen = true;
        emit_anomaly(k->c.em, a->ts_begin, k->c.conn, "smb_message_truncated",
                     "message of %zu bytes: only the first %zu kept (limit %zu)", a->msg_len,
                     a->pos + take, cap);
    }
    if (a->phys + take > a->bufcap) {
        size_t want = a->bufcap ? a->bufcap : 512;
        while (want < a->phys + take)
            want *= 2;
        if (want > cap)
            want = cap;
        uint8_t *nb = realloc(a->buf, want);
        if (!nb)
            abort();
        mb_charge(k->c.mb, want - a->bufcap);
        a->buf = nb;
        a->bufcap = want;
    }
    memcpy(a->buf + a->phys, p, take);
    a->phys += take;
}

/* an OPEN_ANDX / NT_CREATE_ANDX link met while walking a message */
struct chain_open {
    bool seen;
    uint8_t cmd;
    size_t at;
    unsigned depth;
    struct smb1_pending *p;    /* its request (responses), or NULL */
};

/* the link at l streams its data (st): choose the file and start streaming,
 * or fall back to keeping the message whole (PLAIN) */
static void asm_stream(struct smb1_core *k, struct smb1_asm *a, const struct smb1_msgview *mv, struct smb1_link *l,
                       smb1_streamer st, const struct chain_open *co)
{
    struct smb1_conn *c = &k->c;
    size_t have = a->phys;
    size_t words_end = l->at + 1 + 2 * (size_t)l->wct + 2;
    struct smb1_stream s;
    /* data must lie after the words and after everything kept so far:
     * bytes already kept would never reach the file tracker */
    if (!st(l, &s) || s.data_off < words_end || s.data_off < have || s.data_off >= a->msg_len || s.data_len == 0) {
        a->mode = ASM_PLAIN;
        return;
    }
    if (s.data_len > a->msg_len - s.data_off)
        s.data_len = a->msg_len - s.data_off; /* the core clips, handlers report what the server said */
    struct smb1_open *op = NULL;
    if (s.fid == SMB1_FID_CHAINED && co->seen) {
        /* the FID the open earlier in this message returned. A response
         * carries it in the open's words, which came first: make that open
         * now so the data lands in it. A request's open has no FID yet: its
         * chained data streams into a tracker of its own, which the open
         * takes over when the response names the FID (process()). */
        struct smb1_link lo = {.c = c, .h = l->h, .depth = co->depth, .ts_us = a->ts_begin, .p = co->p};
        if (l->h->is_rsp && smb1_link_at(&lo, mv, co->cmd, co->at))
            op = smb1_open_early(&lo);
        if (op) {
            s.fid = op->fid;
        } else if (!l->h->is_rsp && s.io == FILE_WRITE && (a->orphan = file_new(c->files))) {
            a->orphan_depth = l->depth;
            a->s = s;
            a->elide_at = s.data_off;
            a->elide_len = (size_t)s.data_len;
            a->mode = ASM_STREAM;
            file_chunk(a->orphan, s.io, s.file_off, s.data_len);
            return;
        }
    } else {
        op = smb1_open_get(c, s.fid);
        if (!op)
            op = smb1_open_add(c, s.fid, l->h->uid, l->h->tid, NULL, a->ts_begin);
    }
    /* files stream to their tracker, pipes to their DCE/RPC layer */
    if (!op || (!op->ft && op->kind != SMB1_OPEN_PIPE)) {
        a->mode = ASM_PLAIN;
        return;
    }
    a->s = s;
    a->open_serial = op->serial;
    a->open = op;
    a->open_check = c->opens_ended;
    a->elide_at = s.data_off;
    a->elide_len = (size_t)s.data_len;
    a->mode = ASM_STREAM;
    /* one READ/WRITE: lets the tracker compare a re-sent chunk as a whole */
    if (op->ft)
        file_chunk(op->ft, s.io, s.file_off, s.data_len);
}

/* Walk as much of the chain as is kept to find READ/WRITE data to stream
 * (the same walk and matching as process()). Sets a->mode (PLAIN or STREAM)
 * or a new a->need_at. While undecided nothing is elided, so logical offsets
 * equal offsets into a->buf. */
static void asm_decide(struct smb1_core *k, struct smb1_asm *a)
{
    struct smb1_conn *c = &k->c;
    size_t have = a->phys;
    if (have < SMB1_HDR_LEN + 1) {
        a->need_at = SMB1_HDR_LEN + 1;
        return;
    }
    struct rd r = rd_init(a->buf, have);
    struct smb1_hdr h;
    if (!smb1_hdr_parse(&r, &h)) {
        a->mode = ASM_PLAIN;
        return;
    }
    struct smb1_msgview mv = smb1_msgview_plain(a->buf, have);
    struct chain_open co = {0};
    uint64_t chain = 0;
    size_t o = SMB1_HDR_LEN;
    uint8_t cmd = h.cmd;
    for (unsigned depth = 0;; depth++) {
        if (have < o + 1) {
            a->need_at = o + 1;
            return;
        }
        size_t words_end = o + 1 + 2 * (size_t)a->buf[o] + 2; /* through the byte count */
        if (words_end > a->msg_len) {
            a->mode = ASM_PLAIN;
            return;
        }
        if (have < words_end) {
            a->need_at = words_end;
            return;
        }
        struct smb1_link l = {.c = c, .h = &h, .depth = depth, .ts_us = a->ts_begin};
        smb1_link_at(&l, &mv, cmd, o);
        l.p = h.is_rsp ? rsp_match(c, &h, cmd, depth, &chain, false) : NULL;
        smb1_streamer st = h.is_rsp ? smb1_cmds[cmd].rsp_stream : smb1_cmds[cmd].req_stream;
        if (st) {
            asm_stream(k, a, &mv, &l, st, &co);
            return;
        }
        if (cmd == SMB1_COM_OPEN_ANDX || cmd == SMB1_COM_NT_CREATE_ANDX)
            co = (struct chain_open){.seen = true, .cmd = cmd, .at = o, .depth = depth, .p = l.p};
        uint8_t next;
        size_t next_at;
        if (smb1_andx_next(&l, a->msg_len, c->lim->andx_depth, &next, &next_at) != SMB1_ANDX_NEXT) {
            a->mode = ASM_PLAIN; /* process() reports a bad chain */
            return;
        }
        o = next_at;
        cmd = next;
    }
}

void smb1_msg_begin(struct smb1_core *k, enum dir d, size_t len, uint64_t ts_us)
{
    struct smb1_asm *a = &k->a[d];
    if (a->active)
        smb1_msg_end(k, d, false, ts_us);
    asm_reset(k, a);
    a->active = true;
    a->msg_len = len;
    a->ts_begin = a->ts_end = ts_us;
    a->mode = ASM_UNDECIDED;
    a->need_at = SMB1_HDR_LEN + 1;
}

void smb1_msg_data(struct smb1_core *k, enum dir d, const uint8_t *p, size_t n, uint64_t ts_us)
{
    struct smb1_asm *a = &k->a[d];
    if (!a->active)
        return;
    a->ts_end = ts_us;
    while (n) {
        size_t take = n;
        if (a->mode == ASM_UNDECIDED) {
            if (a->need_at > a->pos && a->need_at - a->pos < take)
                take = a->need_at - a->pos;
            asm_keep(k, a, p, take);
        } else if (a->mode == ASM_STREAM && a->pos < a->elide_at + a->elide_len) {
            if (a->pos < a->elide_at) {
                if (a->elide_at - a->pos < take)
                    take = a->elide_at - a->pos;
                asm_keep(k, a, p, take);
            } else {
                size_t left = a->elide_at + a->elide_len - a->pos;
                if (left < take)
                    take = left;
                struct file_track *ft = stream_file(k, a);
                struct smb1_open *po = ft ? NULL : stream_pipe(k, a);
                uint64_t fo;
                if (ft && stream_off(a, a->pos, &fo))
                    file_data(ft, a->s.io, fo, p, take);
                else if (po)
                    smb1_pipe_data(&k->c, &k->hold, po, a->s.io == FILE_WRITE, p, take, ts_us);
            }
        } else {
            asm_keep(k, a, p, take);
        }
        a->pos += take;
        p += take;
        n -= take;
        if (!a->frozen)
            a->valid = a->pos;
        if (a->mode == ASM_UNDECIDED && a->pos >= a->need_at) {
            if (a->frozen)
                a->mode = ASM_PLAIN;
            else
                asm_decide(k, a);
        }
    }
}

void smb1_msg_gap(struct smb1_core *k, enum dir d, size_t n, uint64_t ts_us)
{
    struct smb1_asm *a = &k->a[d];
    if (!a->active)
        return;
    a->ts_end = ts_us;
    size_t el_end = a->elide_at + a->elide_len;
    /* the part of the gap inside the streamed data only costs file coverage */
    if (a->mode == ASM_STREAM && a->pos >= a->elide_at && a->pos < el_end) {
        size_t k2 = el_end - a->pos < n ? el_end - a->pos : n;
        struct file_track *ft = stream_file(k, a);
        uint64_t fo;
        if (ft && stream_off(a, a->pos, &fo))
            file_missing(ft, a->s.io, fo, k2);
        else if (!ft)
            stream_pipe_gap(k, a, k2, ts_us);
        a->pos += k2;
        n -= k2;
        if (!a->frozen)
            a->valid = a->pos;
    }
    if (n == 0)
        return;
    /* a hole in the kept part: what follows cannot be parsed, but a stream
     * region further on still gets exact coverage */
    if (a->mode == ASM_STREAM && a->pos < a->elide_at && a->pos + n > a->elide_at) {
        size_t before = a->elide_at - a->pos;
        size_t inside = n - before;
        if (inside > a->elide_len)
            inside = a->elide_len;
        struct file_track *ft = stream_file(k, a);
        if (ft)
            file_missing(ft, a->s.io, a->s.file_off, inside);
        else
            stream_pipe_gap(k, a, inside, ts_us);
    }
    a->frozen = true;
    if (a->mode == ASM_UNDECIDED)
        a->mode = ASM_PLAIN;
    a->pos += n;
}

/* ---- whole-message processing ------------------------------------------ */

/* [MS-CIFS] 3.3.5.57, 3.3.5.58, 3.3.5.59: a transaction too large for one
 * request gets an interim response (success, no words, no bytes) before the
 * secondary requests; it is not the answer */
static bool is_interim(const struct smb1_hdr *h, const struct smb1_link *l, bool whole)
{
    bool trans = l->cmd == SMB1_COM_TRANSACTION || l->cmd == SMB1_COM_TRANSACTION2 || l->cmd == SMB1_COM_NT_TRANSACT;
    return trans && whole && l->depth == 0 && !smb1_status_is_error(h) && l->wct == 0 && l->bcc == 0;
}

static void set_response_fields(struct smb1_pending *p, const struct smb1_hdr *h, uint64_t rsp_ts,
                                uint64_t req_end)
{
    char scratch[48];
    ev_str(&p->ev, F(status), smb1_status_name(h, scratch, sizeof scratch));
    ev_uint(&p->ev, F(status_code), h->status);
    ev_uint(&p->ev, F(uid), h->uid);
    ev_uint(&p->ev, F(tid), h->tid);
    if (p->have_request && rsp_ts >= req_end)
        ev_uint(&p->ev, F(latency_us), rsp_ts - req_end);
}

/* links of the request chain this response answered that it did not reach
 * (the server stopped at an error); other requests on the same PID/MID are
 * still waiting for their own responses */
static void flush_unreached(struct smb1_conn *c, const struct smb1_hdr *h, uint64_t chain)
{
    struct smb1_pending *p;
    while (chain && (p = smb1_pending_find_mid(c, h->pid, h->mid, chain))) {
        smb1_pending_unlink(c, p);
        ev_bool(&p->ev, F(executed), false);
        emit_pending(c, p);
    }
}

/* a WRITE chained after an open in one request: the open just answered
 * (earlier in this response) takes over the data its WRITE streamed */
static void adopt_chained(struct smb1_conn *c, struct smb1_pending *p, uint16_t fid)
{
    struct smb1_open *o = p->chained_ft ? smb1_open_get(c, fid) : NULL;
    if (!o || !o->ft)
        return; /* no such open, or not one with content (a pipe): the data goes with the request */
    file_free(o->ft); /* made by the open's response a moment ago: nothing in it yet */
    o->ft = p->chained_ft;
    p->chained_ft = NULL;
    if (o->size_known)
        file_set_size(o->ft, o->size);
}

static char *dup_str(const char *s)
{
    char *d = strdup(s ? s : "");
    if (!d)
        abort();
    return d;
}

static void process(struct smb1_core *k, struct smb1_asm *a, bool complete)
{
    struct smb1_conn *c = &k->c;
    struct smb1_msgview mv = {.buf = a->buf, .valid = a->valid,
                              .elide_at = a->mode == ASM_STREAM ? a->elide_at : a->valid,
                              .elide_len = a->mode == ASM_STREAM ? a->elide_len : 0};
    if (mv.elide_at > mv.valid) {
        mv.elide_at = mv.valid;
        mv.elide_len = 0;
    } else if (mv.elide_len > mv.valid - mv.elide_at) {
        mv.elide_len = mv.valid - mv.elide_at;
    }
    struct rd r = rd_init(a->buf, a->phys < SMB1_HDR_LEN ? a->phys : SMB1_HDR_LEN);
    struct smb1_hdr h;
    if (!smb1_hdr_parse(&r, &h)) {
        if (a->phys >= 4 && (a->buf[0] == 0xfe || a->buf[0] == 0xfd) && memcmp(a->buf + 1, "SMB", 3) == 0) {
            if (k->smb2_msgs++ == 0)
                emit_anomaly(c->em, a->ts_begin, c->conn, "smb2_not_analyzed",
                             "SMB2/3 traffic on this connection is framed but not decoded");
        } else if (a->valid >= SMB1_HDR_LEN || complete) {
            emit_anomaly(c->em, a->ts_begin, c->conn, "smb_bad_header",
                         "session message of %zu bytes without an SMB1 header", a->msg_len);
        }
        return;
    }
    if (!complete || a->valid < a->msg_len)
        emit_anomaly(c->em, a->ts_begin, c->conn, "smb_message_incomplete",
                     "%s mid=%u: %zu of %zu bytes present", h.is_rsp ? "response" : "request", h.mid,
                     a->valid, a->msg_len);
    /* requests: this message's chain number; responses: the chain answered */
    uint64_t chain = h.is_rsp ? 0 : ++c->req_msgs;
    bool interim = false;
    /* an open earlier in this message (FID 0xFFFF after it means its file) */
    bool chain_open = false;
    uint16_t chain_fid = 0;
    char *chain_name = NULL;
    size_t o = SMB1_HDR_LEN;
    uint8_t cmd = h.cmd;
    for (unsigned depth = 0;; depth++) {
        struct smb1_link l = {.c = c, .h = &h, .depth = depth, .ts_us = a->ts_begin, .chain_open = chain_open,
                              .chain_fid = chain_fid, .chain_name = chain_name};
        bool whole = smb1_link_at(&l, &mv, cmd, o);
        c->cmd_count[cmd][h.is_rsp]++;
        struct smb1_pending *p;
        if (!h.is_rsp) {
            /* a server answers one PID/MID at a time; a client that sends
             * another request on it before the answer came is pipelining
             * (or confused): both requests stay pending and are answered in
             * turn. Links of one chain and the requests that share their
             * MID by design (secondaries, cancel) are not reuse. */
            if (depth == 0 && !no_response(cmd) && smb1_pending_find_mid(c, h.pid, h.mid, 0))
                emit_anomaly(c->em, a->ts_begin, c->conn, "smb_mid_reused",
                             "pid=%u mid=%u reused while an earlier request on it is unanswered", h.pid, h.mid);
            /* a transaction still open on this PID/MID: its secondaries
             * continue it; any other request that names it is what the
             * MS17-010 exploits send (the notices read this field) */
            struct smb1_pending *open_trans = depth == 0 ? smb1_pending_find_trans(c, h.pid, h.mid) : NULL;
            p = pending_new(c, &h, cmd, a->ts_begin);
            if (open_trans)
                ev_str(&p->ev, F(open_transaction), smb1_cmds[open_trans->cmd].name);
            p->have_request = true;
            p->ts_us = a->ts_end; /* latency runs from the request's last byte */
            p->chain = chain;
            p->depth = depth;
            if (a->orphan && depth == a->orphan_depth) {
                p->chained_ft = a->orphan;
                a->orphan = NULL;
            }
        } else {
            bool go_ahead = is_interim(&h, &l, whole);
            p = rsp_match(c, &h, cmd, depth, &chain, go_ahead);
            if (p && go_ahead) {
                /* the server's go-ahead for the secondary requests: the final
                 * response completes the record */
                p->interim = true;
                ev_bool(&p->ev, F(interim_response), true);
                interim = true;
                break;
            }
            if (p) {
                smb1_pending_unlink(c, p);
            } else {
                p = pending_new(c, &h, cmd, a->ts_begin);
                ev_bool(&p->ev, F(partial), true);
            }
            set_response_fields(p, &h, a->ts_begin, p->ts_us);
        }
        l.p = p;
        l.ev = &p->ev;
        c->em = &k->hold;
        /* FID 0xFFFF chained after an open: the FID that open returned */
        if (h.is_rsp && chain_open && smb1_req_chain_fid(p, chain_fid)) {
            smb1_ev_fid(&l, chain_fid);
            adopt_chained(c, p, chain_fid);
        }
        smb1_handler fn = h.is_rsp ? smb1_cmds[cmd].rsp : smb1_cmds[cmd].req;
        if (whole && fn)
            fn(&l);
        else if (!whole)
            smb1_anomaly(&l, "smb_truncated", "parameter block cut short");
        c->em = k->out;
        if (whole && h.is_rsp && smb1_open_rsp_fid(&l, &chain_fid)) {
            chain_open = true;
        } else if (whole && !h.is_rsp && (cmd == SMB1_COM_OPEN_ANDX || cmd == SMB1_COM_NT_CREATE_ANDX) &&
                   p->req.decoded) {
            chain_open = true;
            free(chain_name);
            chain_name = dup_str(p->req.u.open.name);
        }
        if (h.is_rsp || no_response(cmd))
            emit_pending(c, p);
        else
            pending_add(c, p, a->ts_begin);
        release_held(k);
        /* next link */
        if (!whole)
            break;
        uint8_t next;
        size_t next_at;
        enum smb1_andx_step st = smb1_andx_next(&l, a->msg_len, c->lim->andx_depth, &next, &next_at);
        if (st == SMB1_ANDX_BAD_OFFSET) {
            smb1_anomaly(&l, "andx_bad_offset", "next command 0x%02x at offset %zu (this one at %zu)", next,
                         next_at, o);
        } else if (st == SMB1_ANDX_TOO_DEEP) {
            smb1_anomaly(&l, "andx_too_deep", "chain longer than %u commands", c->lim->andx_depth);
        }
        if (st != SMB1_ANDX_NEXT)
            break;
        o = next_at;
        cmd = next;
    }
    if (h.is_rsp && !interim)
        flush_unreached(c, &h, chain);
    free(chain_name);
    c->early_open = 0; /* an open made early was taken by its handler, or stays as it is */
}

void smb1_msg_end(struct smb1_core *k, enum dir d, bool complete, uint64_t ts_us)
{
    struct smb1_asm *a = &k->a[d];
    if (!a->active)
        return;
    a->ts_end = ts_us;
    /* streamed data the message never delivered */
    struct file_track *ft = a->mode == ASM_STREAM ? stream_file(k, a) : NULL;
    if (a->mode == ASM_STREAM && a->pos < a->elide_at + a->elide_len) {
        size_t from = a->pos > a->elide_at ? a->pos : a->elide_at;
        uint64_t fo;
        if (ft && stream_off(a, from, &fo))
            file_missing(ft, a->s.io, fo, a->elide_at + a->elide_len - from);
        else if (!ft)
            stream_pipe_gap(k, a, a->elide_at + a->elide_len - from, ts_us);
    }
    process(k, a, complete);
    release_held(k); /* DCE/RPC records of the streamed data, if process() wrote no record to follow */
    asm_reset(k, a);
}

void smb1_core_end(struct smb1_core *k, uint64_t ts_us)
{
    struct smb1_conn *c = &k->c;
    for (int d = 0; d < 2; d++)
        if (k->a[d].active)
            smb1_msg_end(k, (enum dir)d, false, ts_us);
    while (c->pending) {
        struct smb1_pending *p = c->pending;
        smb1_pending_unlink(c, p);
        emit_pending(c, p);
    }
    smb1_state_end(c, ts_us);
}

void smb1_core_free(struct smb1_core *k)
{
    release_held(k);
    free(k->held.ev);
    for (int d = 0; d < 2; d++) {
        mb_credit(k->c.mb, k->a[d].bufcap);
        free(k->a[d].buf);
    }
    while (k->c.pending) {
        struct smb1_pending *p = k->c.pending;
        smb1_pending_unlink(&k->c, p);
        pending_free(&k->c, p);
    }
    smb1_pending_table_free(&k->c);
    mb_credit(k->c.mb, k->c.dialects.bytes);
    strlist_free(&k->c.dialects);
    free(k->c.dialect);
}
