/* smb1_pending: the table of unanswered requests of one connection, found by
 * (PID, MID, command) through a keyed hash (htab.h) and kept in arrival order.
 * [MS-CIFS] 3.2.4.1.3 / 3.3.5.2: a response is matched to its request by PID
 * and MID; the command and the request chain tell AndX links apart, and of
 * several requests on one PID/MID the oldest is answered first. */
#include <stdlib.h>

#include "smb1.h"

static uint64_t key_of(const struct smb1_conn *c, uint32_t pid, uint16_t mid)
{
    /* the peer picks both: a secret key keeps it from aiming at one chain */
    return siphash24_u64(&c->hkey, ((uint64_t)pid << 16) | mid);
}

#define PENDING_OF(n) HTAB_ENTRY(n, struct smb1_pending, hn)

/* Equal keys stay in insertion order in the table, so the first match is the
 * oldest: servers answer a (PID, MID) in the order the requests came
 * ([MS-CIFS] 3.3.5.2), and a client that pipelines several requests on one
 * MID (some exploits do) gets each of them answered in turn. */
struct smb1_pending *smb1_pending_answer(const struct smb1_conn *c, uint32_t pid, uint16_t mid, uint8_t cmd,
                                         uint64_t chain, bool interim)
{
    struct smb1_pending *oldest = NULL;
    for (struct hnode *n = htab_first(&c->pending_tab, key_of(c, pid, mid)); n; n = htab_next(n)) {
        struct smb1_pending *p = PENDING_OF(n);
        if (p->pid != pid || p->mid != mid || p->cmd != cmd || (chain ? p->chain != chain : p->depth != 0))
            continue;
        /* an interim response goes to the oldest that has not had one, if any */
        if (!interim || !p->interim)
            return p;
        if (!oldest)
            oldest = p;
    }
    return oldest;
}

/* the request a response link answers: the head of the oldest request chain
 * with its (PID, MID, command) for the first link, then the links of that
 * same chain (*chain: 0 until the first link matched) */
struct smb1_pending *smb1_pending_rsp_match(const struct smb1_conn *c, const struct smb1_hdr *h, uint8_t cmd,
                                            unsigned depth, uint64_t *chain, bool interim)
{
    if (depth == 0) {
        struct smb1_pending *p = smb1_pending_answer(c, h->pid, h->mid, cmd, 0, interim);
        *chain = p ? p->chain : 0;
        return p;
    }
    return *chain ? smb1_pending_answer(c, h->pid, h->mid, cmd, *chain, false) : NULL;
}

struct smb1_pending *smb1_pending_find_mid(const struct smb1_conn *c, uint32_t pid, uint16_t mid, uint64_t chain)
{
    /* the oldest first: the links of an AndX chain come out in the order they were sent */
    for (struct hnode *n = htab_first(&c->pending_tab, key_of(c, pid, mid)); n; n = htab_next(n)) {
        struct smb1_pending *p = PENDING_OF(n);
        if (p->pid == pid && p->mid == mid && (!chain || p->chain == chain))
            return p;
    }
    return NULL;
}

struct smb1_pending *smb1_pending_find_trans(const struct smb1_conn *c, uint32_t pid, uint16_t mid)
{
    /* insertion order within the chain: the first match is the oldest */
    for (struct hnode *n = htab_first(&c->pending_tab, key_of(c, pid, mid)); n; n = htab_next(n)) {
        struct smb1_pending *p = PENDING_OF(n);
        if (p->pid == pid && p->mid == mid && p->depth == 0 && p->have_request &&
            (p->cmd == SMB1_COM_TRANSACTION || p->cmd == SMB1_COM_TRANSACTION2 || p->cmd == SMB1_COM_NT_TRANSACT))
            return p;
    }
    return NULL;
}

void smb1_pending_link(struct smb1_conn *c, struct smb1_pending *p)
{
    htab_insert(&c->pending_tab, &p->hn, key_of(c, p->pid, p->mid));
    p->next = NULL;
    p->prev = c->pending_tail;
    if (c->pending_tail)
        c->pending_tail->next = p;
    else
        c->pending = p;
    c->pending_tail = p;
    c->n_pending++;
}

void smb1_pending_unlink(struct smb1_conn *c, struct smb1_pending *p)
{
    htab_remove(&c->pending_tab, &p->hn);
    if (p->prev)
        p->prev->next = p->next;
    else
        c->pending = p->next;
    if (p->next)
        p->next->prev = p->prev;
    else
        c->pending_tail = p->prev;
    p->next = p->prev = NULL;
    c->n_pending--;
}

void smb1_pending_table_free(struct smb1_conn *c)
{
    htab_free(&c->pending_tab);
}
