/* smb1_tree: TREE_CONNECT_ANDX: the share a client connects to.
 * The UNC path and requested service, and the share type and file system
 * the server reports.
 * Spec: [MS-CIFS] 2.2.4.55.1 (request), 2.2.4.55.2 (response, service
 * strings "A:", "LPT1:", "IPC", "COMM", "?????"); [MS-SMB] 2.2.4.7.2
 * (extended response, WordCount 7). */
#include <stdlib.h>
#include <string.h>

#include "smb1.h"
#include "smb1_handlers.h"

void smb1_tree_connect_req(struct smb1_link *l)
{
    if (!smb1_need_words(l, 4))
        return;
    struct rd w = l->words;
    rd_skip(&w, 4 + 2); /* AndX, Flags */
    uint16_t pw_len = rd_u16le(&w);
    struct rd b = l->bytes;
    rd_skip(&b, pw_len); /* share-level password: never reported */
    if (!rd_ok(&w) || !rd_ok(&b))
        return;
    const char *path = smb1_str(l, &b, l->h->unicode, true);
    ev_str(l->ev, F(path), path);
    /* the service type is always OEM ([MS-CIFS] 2.2.4.55.1) */
    if (rd_left(&b))
        ev_str(l->ev, F(service), smb1_str(l, &b, false, false));
    l->p->req.u.tree.path = strdup(path);
    if (!l->p->req.u.tree.path)
        abort();
    l->p->req.owns_str = true;
    l->p->req.decoded = true;
}

void smb1_tree_connect_rsp(struct smb1_link *l)
{
    const char *service = NULL;
    if (l->wct >= 3) {
        struct rd b = l->bytes;
        if (rd_left(&b)) {
            service = smb1_str(l, &b, false, false);
            ev_str(l->ev, F(share_type), service);
        }
        if (rd_ok(&b) && rd_left(&b))
            ev_str(l->ev, F(native_fs), smb1_str(l, &b, l->h->unicode, true));
    } else if (smb1_rsp_ok(l)) {
        smb1_need_words(l, 3);
    }
    if (!smb1_rsp_ok(l))
        return;
    /* the response header carries the TID the server just assigned */
    struct smb1_tree *t = smb1_tree_get(l->c, l->h->tid, true);
    if (!t)
        return;
    t->uid = l->h->uid;
    const char *path = l->p && l->p->req.decoded ? l->p->req.u.tree.path : NULL;
    if (path) {
        free(t->path);
        t->path = strdup(path);
        if (!t->path)
            abort();
    }
    if (service) {
        free(t->service);
        t->service = strdup(service);
        if (!t->service)
            abort();
    }
    smb1_tree_charge(l->c, t);
    if (t->path) {
        struct smb1_session *s = smb1_session_get(l->c, l->h->uid, true, smb1_op_ts(l));
        if (s) {
            strlist_add(&s->shares, t->path);
            smb1_session_charge(l->c, s);
        }
    }
}
