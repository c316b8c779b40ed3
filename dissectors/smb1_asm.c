/* smb1_asm: SMB1 message assembly from NBSS pieces, per direction. Keeps a
 * message's bytes (up to lim->smb_buffer) and streams the data of a READ or
 * WRITE straight to the open's file tracker or pipe instead of keeping it;
 * a whole message goes to smb1_msg_process() (smb1.c).
 * Spec: [MS-CIFS] 2.2.3 (message structure), 2.2.3.4 (batched AndX messages),
 * 2.2.4.42 / 2.2.4.43 (READ_ANDX / WRITE_ANDX DataOffset, DataLength). */
#include "smb1_core.h"
#include "smb1_handlers.h"

#include <stdlib.h>
#include <string.h>

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
    mv.len = a->msg_len;
    struct chain_open co = {0};
    uint64_t chain = 0;
    size_t o = SMB1_HDR_LEN;
    uint8_t cmd = h.cmd;
    for (unsigned depth = 0;; depth++) {
        if (have < o + 1) {
            a->need_at = o + 1;
            return;
        }
        struct rd wr = rd_init(a->buf, have);
        rd_seek(&wr, o);
        size_t words_end = o + 1 + 2 * (size_t)rd_u8(&wr) + 2; /* through the byte count (have > o: read) */
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
        l.p = h.is_rsp ? smb1_pending_rsp_match(c, &h, cmd, depth, &chain, false) : NULL;
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
    smb1_msg_process(k, a, complete);
    asm_reset(k, a);
}
