/* smb1_pending: the table of unanswered requests of one connection, found by
 * (PID, MID, command) through a small hash and kept in arrival order.
 * [MS-CIFS] 3.2.4.1.3 / 3.3.5.2: a response is matched to its request by PID
 * and MID; the command and the request chain tell AndX links apart, and of
 * several requests on one PID/MID the oldest is answered first. */
#include <stdlib.h>

#include "smb1.h"

static size_t bucket_of(uint32_t pid, uint16_t mid)
{
    /* MIDs of one client increase; PIDs differ per process: mix both */
    return ((pid * 2654435761u) ^ mid) & (SMB1_PENDING_BUCKETS - 1);
}

/* Buckets hold the newest first, so the last match is the oldest: servers
 * answer a (PID, MID) in the order the requests came ([MS-CIFS] 3.3.5.2), and
 * a client that pipelines several requests on one MID (some exploits do) gets
 * each of them answered in turn. */
struct smb1_pending *smb1_pending_answer(const struct smb1_conn *c, uint32_t pid, uint16_t mid, uint8_t cmd,
                                         uint64_t chain, bool interim)
{
    if (!c->pbuckets)
        return NULL;
    struct smb1_pending *oldest = NULL, *oldest_fresh = NULL;
    for (struct smb1_pending *p = c->pbuckets[bucket_of(pid, mid)]; p; p = p->hnext)
        if (p->pid == pid && p->mid == mid && p->cmd == cmd && (chain ? p->chain == chain : p->depth == 0)) {
            oldest = p;
            if (!p->interim)
                oldest_fresh = p;
        }
    return interim && oldest_fresh ? oldest_fresh : oldest;
}

struct smb1_pending *smb1_pending_find_mid(const struct smb1_conn *c, uint32_t pid, uint16_t mid, uint64_t chain)
{
    if (!c->pbuckets)
        return NULL;
    /* the oldest first: the links of an AndX chain come out in the order they were sent */
    struct smb1_pending *oldest = NULL;
    for (struct smb1_pending *p = c->pbuckets[bucket_of(pid, mid)]; p; p = p->hnext)
        if (p->pid == pid && p->mid == mid && (!chain || p->chain == chain))
            oldest = p;
    return oldest;
}

struct smb1_pending *smb1_pending_find_trans(const struct smb1_conn *c, uint32_t pid, uint16_t mid)
{
    if (!c->pbuckets)
        return NULL;
    struct smb1_pending *oldest = NULL;
    for (struct smb1_pending *p = c->pbuckets[bucket_of(pid, mid)]; p; p = p->hnext)
        if (p->pid == pid && p->mid == mid && p->depth == 0 && p->have_request &&
            (p->cmd == SMB1_COM_TRANSACTION || p->cmd == SMB1_COM_TRANSACTION2 || p->cmd == SMB1_COM_NT_TRANSACT))
            oldest = p;
    return oldest;
}

void smb1_pending_link(struct smb1_conn *c, struct smb1_pending *p)
{
    if (!c->pbuckets) {
        c->pbuckets = calloc(SMB1_PENDING_BUCKETS, sizeof *c->pbuckets);
        if (!c->pbuckets)
            abort();
    }
    size_t b = bucket_of(p->pid, p->mid);
    p->hnext = c->pbuckets[b];
    c->pbuckets[b] = p;
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
    struct smb1_pending **pp = &c->pbuckets[bucket_of(p->pid, p->mid)];
    while (*pp != p)
        pp = &(*pp)->hnext;
    *pp = p->hnext;
    if (p->prev)
        p->prev->next = p->next;
    else
        c->pending = p->next;
    if (p->next)
        p->next->prev = p->prev;
    else
        c->pending_tail = p->prev;
    p->next = p->prev = p->hnext = NULL;
    c->n_pending--;
}

void smb1_pending_table_free(struct smb1_conn *c)
{
    free(c->pbuckets);
    c->pbuckets = NULL;
}
