/* smb1_close: commands that end a FID, TID or UID, plus small housekeeping.
 * CLOSE, TREE_DISCONNECT, LOGOFF_ANDX, FIND_CLOSE2, FLUSH, ECHO,
 * QUERY_INFORMATION_DISK. A successful response updates the connection
 * state: files closed emit their `file` record, a logoff its `session` record.
 * Spec: [MS-CIFS] 2.2.4.5 (CLOSE), 2.2.4.51 (TREE_DISCONNECT), 2.2.4.54
 * (LOGOFF_ANDX), 2.2.4.48 (FIND_CLOSE2), 2.2.4.6 (FLUSH), 2.2.4.39 (ECHO),
 * 2.2.4.57 (QUERY_INFORMATION_DISK); 3.3.5.41 and 2.2.4.54 (a tree
 * disconnect or a logoff closes the files opened through that TID or UID). */
#include "smb1.h"
#include "smb1_handlers.h"

void smb1_close_req(struct smb1_link *l)
{
    if (!smb1_need_words(l, 3))
        return;
    struct rd w = l->words;
    uint16_t fid = rd_u16le(&w);
    if (!rd_ok(&w))
        return;
    smb1_ev_fid(l, fid);
    l->p->req.u.close.fid = fid;
    l->p->req.decoded = true;
}

void smb1_close_rsp(struct smb1_link *l)
{
    /* the response names no FID: only a decoded request says which file closed */
    if (smb1_rsp_ok(l) && l->p && l->p->req.decoded)
        smb1_open_close(l->c, l->p->req.u.close.fid, l->ts_us);
}

void smb1_flush_req(struct smb1_link *l)
{
    if (!smb1_need_words(l, 1))
        return;
    struct rd w = l->words;
    uint16_t fid = rd_u16le(&w);
    /* FID 0xFFFF flushes every file of the process: no single name */
    if (rd_ok(&w))
        smb1_ev_fid(l, fid);
}

void smb1_tree_disconnect_req(struct smb1_link *l)
{
    struct smb1_tree *t = smb1_tree_get(l->c, l->h->tid, false);
    ev_str(l->ev, F(path), t ? t->path : NULL);
}

void smb1_tree_disconnect_rsp(struct smb1_link *l)
{
    if (!smb1_rsp_ok(l))
        return;
    uint16_t tid = l->p && l->p->have_request ? l->p->tid : l->h->tid;
    smb1_open_close_tree(l->c, tid, l->ts_us);
    smb1_tree_drop(l->c, tid);
}

void smb1_logoff_rsp(struct smb1_link *l)
{
    if (!smb1_rsp_ok(l))
        return;
    uint16_t uid = l->p && l->p->have_request ? l->p->uid : l->h->uid;
    /* files first: the session record lists them, and they end with it */
    smb1_open_close_uid(l->c, uid, l->ts_us);
    smb1_session_end(l->c, uid, l->ts_us);
}

void smb1_echo_req(struct smb1_link *l)
{
    if (!smb1_need_words(l, 1))
        return;
    struct rd w = l->words;
    uint16_t n = rd_u16le(&w);
    if (rd_ok(&w))
        ev_uint(l->ev, F(echo_count), n);
}

void smb1_find_close2_req(struct smb1_link *l)
{
    if (!smb1_need_words(l, 1))
        return;
    struct rd w = l->words;
    uint16_t sid = rd_u16le(&w);
    if (rd_ok(&w))
        ev_uint(l->ev, F(search_id), sid);
}

void smb1_query_disk_rsp(struct smb1_link *l)
{
    if (l->wct == 0 || !smb1_need_words(l, 4))
        return;
    struct rd w = l->words;
    uint16_t total = rd_u16le(&w);
    uint16_t blocks_per_unit = rd_u16le(&w);
    uint16_t block_size = rd_u16le(&w);
    uint16_t free_units = rd_u16le(&w);
    if (!rd_ok(&w))
        return;
    ev_uint(l->ev, F(total_units), total);
    ev_uint(l->ev, F(blocks_per_unit), blocks_per_unit);
    ev_uint(l->ev, F(block_size), block_size);
    ev_uint(l->ev, F(free_units), free_units);
}
