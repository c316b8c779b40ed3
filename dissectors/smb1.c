/* smb1: the per-message command loop: each AndX link of a whole message is
 * matched to its request, decoded by its handler and written as an `smb`
 * record (smb1_asm.c assembles the messages and streams their data).
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

/* a held record: its image (event.h: one allocation, where a clone makes
 * one per field and checks each again) and the pending it took over (a
 * file record's hash), in a cell the image points at as its own */
struct smb1_held_rec {
    struct ev_pending_cell cell;
    struct event ev;
};

#define HELD_REC_HEAD EV_IMAGE_ROUND(sizeof(struct smb1_held_rec))

static void hold_record(void *u, const struct event *e)
{
    struct smb1_core *k = u;
    struct smb1_held *h = &k->held;
    if (h->n == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 4;
        struct smb1_held_rec **v = realloc(h->rec, cap * sizeof *v);
        if (!v)
            abort();
        h->rec = v;
        h->cap = cap;
    }
    size_t n = ev_image_size(e);
    struct smb1_held_rec *r = malloc(HELD_REC_HEAD + n);
    if (!r)
        abort(); /* as every event allocation (event.c) */
    ev_image(&r->ev, (char *)r + HELD_REC_HEAD, n, e);
    r->cell.p = ev_give_pending(e); /* a file record's hash goes with it (event.h) */
    r->ev.pending = r->cell.p ? &r->cell : NULL;
    h->rec[h->n++] = r;
}

/* write the held records, in the order they were made; a pending no sink
 * took is settled without a record, as ev_free would */
static void release_held(struct smb1_core *k)
{
    for (size_t i = 0; i < k->held.n; i++) {
        struct smb1_held_rec *r = k->held.rec[i];
        emit(k->out, &r->ev);
        struct ev_pending *p = ev_release_pending(&r->ev);
        if (p)
            p->settle(p, NULL, true);
        free(r);
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

/* the message starts as an SMB2/3 one does: 0xFE (or 0xFD, transform) then "SMB" */
static bool smb2_magic(const uint8_t *buf, size_t len)
{
    struct rd r = rd_init(buf, len);
    uint8_t b0 = rd_u8(&r);
    const uint8_t *sig = rd_bytes(&r, 3);
    return sig && (b0 == 0xfe || b0 == 0xfd) && memcmp(sig, "SMB", 3) == 0;
}

static void process(struct smb1_core *k, struct smb1_asm *a, bool complete)
{
    struct smb1_conn *c = &k->c;
    struct smb1_msgview mv = {.buf = a->buf, .len = a->msg_len, .valid = a->valid,
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
        if (smb2_magic(a->buf, a->phys)) {
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
            struct smb1_pending *same_mid = depth == 0 ? smb1_pending_find_mid(c, h.pid, h.mid, 0) : NULL;
            if (same_mid && !no_response(cmd))
                emit_anomaly(c->em, a->ts_begin, c->conn, "smb_mid_reused",
                             "pid=%u mid=%u reused while an earlier request on it is unanswered", h.pid, h.mid);
            /* a transaction still open on this PID/MID: its secondaries
             * continue it; any other request that names it is what the
             * MS17-010 exploits send (the notices read this field). Only
             * looked for when something is pending on the PID/MID at all:
             * most requests then cost one lookup, not two. */
            struct smb1_pending *open_trans = same_mid ? smb1_pending_find_trans(c, h.pid, h.mid) : NULL;
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
            p = smb1_pending_rsp_match(c, &h, cmd, depth, &chain, go_ahead);
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
            chain_name = smb1_xstrdup(p->req.u.open.name ? p->req.u.open.name : "");
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


void smb1_msg_process(struct smb1_core *k, struct smb1_asm *a, bool complete)
{
    process(k, a, complete);
    release_held(k); /* DCE/RPC records of the streamed data, if process() wrote no record to follow */
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
    free(k->held.rec);
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
