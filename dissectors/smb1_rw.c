/* smb1_rw: reads, writes and locks on a FID, and where their data lies.
 * READ_ANDX, WRITE_ANDX, the core READ and WRITE, LOCKING_ANDX. The data
 * itself never passes through here: the stream functions tell the core where
 * it lies so it can feed the file tracker.
 * Spec: [MS-CIFS] 2.2.4.42 (READ_ANDX), 2.2.4.43 (WRITE_ANDX), 2.2.4.11
 * (READ), 2.2.4.12 (WRITE), 2.2.4.32 (LOCKING_ANDX); [MS-SMB] 2.2.4.2
 * (READ_ANDX MaxCountHigh, DataLengthHigh), 2.2.4.3 (WRITE_ANDX
 * DataLengthHigh, CountHigh), 3.2.4.4 (MaxCountHigh is for files, a timeout
 * for pipes; the server's READ_ANDX processing ignores MaxCountHigh 0xFFFF). */
#include "smb1.h"
#include "smb1_handlers.h"

#define READX_WCT_32 10   /* 32-bit offset */
#define READX_WCT_64 12   /* with OffsetHigh */
#define READX_RSP_WCT 12
#define WRITEX_WCT_32 12
#define WRITEX_WCT_64 14
#define MAX_COUNT_HIGH_IGNORE 0xffff

/* pipes use the Timeout_or_MaxCountHigh field as a timeout, files as the
 * high half of the count: tell them apart by what the open is */
static bool fid_is_pipe(struct smb1_conn *c, uint16_t fid)
{
    struct smb1_open *o = smb1_open_get(c, fid);
    return o && o->kind == SMB1_OPEN_PIPE;
}

/* a pipe's READ_ANDX / WRITE_ANDX data that was not streamed (the core kept
 * the message whole: a chained or odd layout) goes to its DCE/RPC layer here;
 * data the core streamed already went there as it arrived */
static void pipe_data_kept(struct smb1_link *l, uint16_t fid, bool to_server, size_t off, size_t len)
{
    len = (size_t)smb1_data_bound(l, off, len); /* a gap never reaches past the message */
    struct smb1_open *o = smb1_open_get(l->c, fid);
    if (!o || o->kind != SMB1_OPEN_PIPE || len == 0)
        return;
    const struct smb1_msgview *mv = l->mv;
    if (mv && mv->elide_len && off == mv->elide_at)
        return;
    struct rd d = smb1_msg_window(l, off, len);
    if (rd_ok(&d))
        smb1_pipe_data(l->c, l->c->em, o, to_server, d.p + d.off, rd_left(&d), l->ts_us);
    else
        smb1_pipe_gap(l->c, l->c->em, o, to_server, len, l->ts_us); /* cut short or past the bytes kept */
}

/* ---- READ_ANDX ----------------------------------------------------------- */

void smb1_read_andx_req(struct smb1_link *l)
{
    if (l->wct != READX_WCT_32 && l->wct != READX_WCT_64) {
        smb1_anomaly(l, "smb1_bad_word_count", "READ_ANDX request word count %u", l->wct);
        return;
    }
    struct rd w = l->words;
    rd_skip(&w, 4); /* AndX */
    uint16_t fid = rd_u16le(&w);
    uint64_t offset = rd_u32le(&w);
    uint32_t max_count = rd_u16le(&w);
    rd_u16le(&w); /* MinCountOfBytesToReturn */
    uint16_t max_high = rd_u16le(&w); /* low half of Timeout_or_MaxCountHigh */
    rd_skip(&w, 2 + 2);               /* its high half, Remaining */
    if (l->wct == READX_WCT_64)
        offset |= (uint64_t)rd_u32le(&w) << 32;
    if (!rd_ok(&w))
        return;
    if (max_high != MAX_COUNT_HIGH_IGNORE && !fid_is_pipe(l->c, fid))
        max_count |= (uint32_t)max_high << 16;
    smb1_ev_fid(l, fid);
    ev_uint(l->ev, F(offset), offset);
    ev_uint(l->ev, F(max_count), max_count);
    /* a pipe has no offsets; a file's end is known with the response */
    if (!fid_is_pipe(l->c, fid))
        (void)smb1_range_fits(l, fid, offset, 0);
    l->p->req.u.read.fid = fid;
    l->p->req.u.read.offset = offset;
    l->p->req.u.read.max_count = max_count;
    l->p->req.decoded = true;
}

struct readx_rsp {
    uint16_t available, data_offset;
    uint32_t length;
};

static bool readx_rsp_words(const struct smb1_link *l, struct readx_rsp *r)
{
    if (l->wct != READX_RSP_WCT)
        return false;
    struct rd w = l->words;
    rd_skip(&w, 4); /* AndX */
    r->available = rd_u16le(&w);
    rd_skip(&w, 2 + 2); /* DataCompactionMode, Reserved1 */
    uint16_t len = rd_u16le(&w);
    r->data_offset = rd_u16le(&w);
    uint16_t high = rd_u16le(&w);
    if (!rd_ok(&w))
        return false;
    r->length = len;
    /* DataLengthHigh was Reserved before CAP_LARGE_READX: trust it only when
     * the read asked for more than 16 bits' worth (or the request is unseen or
     * was not decoded) */
    const struct smb1_pending *p = l->p;
    if (!p || !p->req.decoded || p->req.u.read.max_count > 0xffff)
        r->length |= (uint32_t)high << 16;
    return true;
}

void smb1_read_andx_rsp(struct smb1_link *l)
{
    struct readx_rsp r;
    if (l->wct == 0)
        return;
    if (!readx_rsp_words(l, &r)) {
        smb1_anomaly(l, "smb1_bad_word_count", "READ_ANDX response word count %u", l->wct);
        return;
    }
    ev_uint(l->ev, F(length), r.length);
    ev_uint(l->ev, F(data_offset), r.data_offset);
    ev_uint(l->ev, F(remaining), r.available);
    /* a pipe's data is not streamed to a file: count it here */
    if (l->p && l->p->req.decoded) {
        uint16_t fid = l->p->req.u.read.fid;
        uint64_t off = l->p->req.u.read.offset;
        smb1_pipe_count(l->c, fid, false, smb1_data_bound(l, r.data_offset, r.length));
        /* an offset already past the end was flagged with the request */
        if (r.length && off <= FILE_OFFSET_END && !fid_is_pipe(l->c, fid))
            (void)smb1_range_fits(l, fid, off, r.length);
        pipe_data_kept(l, fid, false, r.data_offset, r.length);
    }
}

bool smb1_read_andx_rsp_stream(const struct smb1_link *l, struct smb1_stream *s)
{
    struct readx_rsp r;
    /* without the decoded request there is no FID or file offset to put the data at */
    if (!l->p || !l->p->req.decoded || !readx_rsp_words(l, &r))
        return false;
    s->data_off = r.data_offset;
    s->data_len = r.length;
    s->fid = l->p->req.u.read.fid;
    s->file_off = l->p->req.u.read.offset;
    s->io = FILE_READ;
    return true;
}

/* ---- WRITE_ANDX ---------------------------------------------------------- */

struct writex_req {
    uint16_t fid, write_mode, data_offset;
    uint32_t length;
    uint64_t offset;
};

static bool writex_req_words(const struct smb1_link *l, struct writex_req *q)
{
    if (l->wct != WRITEX_WCT_32 && l->wct != WRITEX_WCT_64)
        return false;
    struct rd w = l->words;
    rd_skip(&w, 4); /* AndX */
    q->fid = rd_u16le(&w);
    q->offset = rd_u32le(&w);
    rd_u32le(&w); /* Timeout */
    q->write_mode = rd_u16le(&w);
    rd_u16le(&w); /* Remaining */
    uint16_t high = rd_u16le(&w);
    uint16_t len = rd_u16le(&w);
    q->data_offset = rd_u16le(&w);
    if (l->wct == WRITEX_WCT_64)
        q->offset |= (uint64_t)rd_u32le(&w) << 32;
    q->length = len | (uint32_t)high << 16;
    return rd_ok(&w);
}

void smb1_write_andx_req(struct smb1_link *l)
{
    struct writex_req q;
    if (!writex_req_words(l, &q)) {
        smb1_anomaly(l, "smb1_bad_word_count", "WRITE_ANDX request word count %u", l->wct);
        return;
    }
    smb1_ev_fid(l, q.fid);
    ev_uint(l->ev, F(offset), q.offset);
    ev_uint(l->ev, F(length), q.length);
    ev_uint(l->ev, F(write_mode), q.write_mode);
    if (!fid_is_pipe(l->c, q.fid))
        (void)smb1_range_fits(l, q.fid, q.offset, q.length);
    smb1_pipe_count(l->c, q.fid, true, smb1_data_bound(l, q.data_offset, q.length));
    pipe_data_kept(l, q.fid, true, q.data_offset, q.length);
    l->p->req.u.write.fid = q.fid;
    l->p->req.u.write.offset = q.offset;
    l->p->req.decoded = true;
}

bool smb1_write_andx_req_stream(const struct smb1_link *l, struct smb1_stream *s)
{
    struct writex_req q;
    if (!writex_req_words(l, &q))
        return false;
    s->data_off = q.data_offset;
    s->data_len = q.length;
    s->fid = q.fid;
    s->file_off = q.offset;
    s->io = FILE_WRITE;
    return true;
}

/* a write past the end grows the file: keep the size the tracker checks
 * completeness against in step with what the server accepted */
static void grew(struct smb1_link *l, uint16_t fid, uint64_t offset, uint64_t count)
{
    struct smb1_open *o = smb1_open_get(l->c, fid);
    /* a range past any file's end was flagged with the request */
    if (!o || !o->size_known || count == 0 || offset > FILE_OFFSET_END - count || offset + count <= o->size)
        return;
    o->size = offset + count;
    file_set_size(o->ft, o->size);
}

void smb1_write_andx_rsp(struct smb1_link *l)
{
    if (l->wct == 0 || !smb1_need_words(l, 6))
        return;
    struct rd w = l->words;
    rd_skip(&w, 4); /* AndX */
    uint16_t count = rd_u16le(&w);
    rd_u16le(&w); /* Available */
    uint16_t high = rd_u16le(&w);
    if (!rd_ok(&w))
        return;
    uint32_t total = count | (uint32_t)high << 16;
    ev_uint(l->ev, F(count), total);
    if (smb1_rsp_ok(l) && l->p && l->p->req.decoded)
        grew(l, l->p->req.u.write.fid, l->p->req.u.write.offset, total);
}

/* ---- core READ and WRITE ------------------------------------------------- */

/* both carry their data after the words: ByteCount, BufferFormat (0x01),
 * a 16-bit length, then the bytes ([MS-CIFS] 2.2.4.11.2, 2.2.4.12.1) */
#define CORE_DATA_AFTER_WORDS (2 + 1 + 2)
#define CORE_RW_WCT 5
#define CORE_DATA_OFF(l) ((l)->words.base + 2u * CORE_RW_WCT + CORE_DATA_AFTER_WORDS)

/* the request words READ and WRITE share: FID, Count, Offset
 * ([MS-CIFS] 2.2.4.11.1, 2.2.4.12.1), reported on the record */
static bool core_rw_req_words(struct smb1_link *l, uint16_t *fid, uint16_t *count, uint32_t *offset)
{
    if (!smb1_need_words(l, CORE_RW_WCT))
        return false;
    struct rd w = l->words;
    *fid = rd_u16le(&w);
    *count = rd_u16le(&w);
    *offset = rd_u32le(&w);
    if (!rd_ok(&w))
        return false;
    smb1_ev_fid(l, *fid);
    ev_uint(l->ev, F(count), *count);
    ev_uint(l->ev, F(offset), *offset);
    return true;
}

void smb1_read_core_req(struct smb1_link *l)
{
    uint16_t fid, count;
    uint32_t offset;
    if (!core_rw_req_words(l, &fid, &count, &offset))
        return;
    l->p->req.u.read.fid = fid;
    l->p->req.u.read.offset = offset;
    l->p->req.u.read.max_count = count;
    l->p->req.decoded = true;
}

void smb1_read_core_rsp(struct smb1_link *l)
{
    if (l->wct == 0 || !smb1_need_words(l, CORE_RW_WCT))
        return;
    struct rd w = l->words;
    uint16_t count = rd_u16le(&w);
    if (!rd_ok(&w))
        return;
    ev_uint(l->ev, F(count), count);
    if (l->p && l->p->req.decoded)
        smb1_pipe_count(l->c, l->p->req.u.read.fid, false, smb1_data_bound(l, CORE_DATA_OFF(l), count));
}

bool smb1_read_core_rsp_stream(const struct smb1_link *l, struct smb1_stream *s)
{
    if (!l->p || !l->p->req.decoded || l->wct != CORE_RW_WCT)
        return false;
    struct rd w = l->words;
    uint16_t count = rd_u16le(&w);
    if (!rd_ok(&w))
        return false;
    s->data_off = CORE_DATA_OFF(l);
    s->data_len = count;
    s->fid = l->p->req.u.read.fid;
    s->file_off = l->p->req.u.read.offset;
    s->io = FILE_READ;
    return true;
}

void smb1_write_core_req(struct smb1_link *l)
{
    uint16_t fid, count;
    uint32_t offset;
    if (!core_rw_req_words(l, &fid, &count, &offset))
        return;
    smb1_pipe_count(l->c, fid, true, smb1_data_bound(l, CORE_DATA_OFF(l), count));
    l->p->req.u.write.fid = fid;
    l->p->req.u.write.offset = offset;
    l->p->req.decoded = true;
}

bool smb1_write_core_req_stream(const struct smb1_link *l, struct smb1_stream *s)
{
    if (l->wct != CORE_RW_WCT)
        return false;
    struct rd w = l->words;
    uint16_t fid = rd_u16le(&w);
    uint16_t count = rd_u16le(&w);
    uint32_t offset = rd_u32le(&w);
    if (!rd_ok(&w))
        return false;
    s->data_off = CORE_DATA_OFF(l);
    s->data_len = count;
    s->fid = fid;
    s->file_off = offset;
    s->io = FILE_WRITE;
    return true;
}

void smb1_write_core_rsp(struct smb1_link *l)
{
    if (l->wct == 0 || !smb1_need_words(l, 1))
        return;
    struct rd w = l->words;
    uint16_t count = rd_u16le(&w);
    if (!rd_ok(&w))
        return;
    ev_uint(l->ev, F(count), count);
    if (smb1_rsp_ok(l) && l->p && l->p->req.decoded)
        grew(l, l->p->req.u.write.fid, l->p->req.u.write.offset, count);
}

/* ---- LOCKING_ANDX -------------------------------------------------------- */

void smb1_locking_andx_req(struct smb1_link *l)
{
    if (!smb1_need_words(l, 8))
        return;
    struct rd w = l->words;
    rd_skip(&w, 4); /* AndX */
    uint16_t fid = rd_u16le(&w);
    uint8_t type = rd_u8(&w);
    rd_skip(&w, 1 + 4); /* NewOpLockLevel, Timeout */
    uint16_t unlocks = rd_u16le(&w);
    uint16_t locks = rd_u16le(&w);
    if (!rd_ok(&w))
        return;
    smb1_ev_fid(l, fid);
    ev_uint(l->ev, F(lock_type), type);
    ev_uint(l->ev, F(unlocks), unlocks);
    ev_uint(l->ev, F(locks), locks);
}
