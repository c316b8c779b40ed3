/* smb1_pending: the table of unanswered requests of one connection
 * (smb1_pending.c). Spec: [MS-CIFS] 3.2.4.1.3, 3.3.5.2 (matching responses). */
#ifndef SMBSCOPE_SMB1_PENDING_H
#define SMBSCOPE_SMB1_PENDING_H

#include <stdint.h>

#include "smb1_state.h"

struct smb1_hdr;

/* unanswered requests (smb1_pending.c): found by (PID, MID, command) in O(1)
 * expected (plus the requests pending on that very PID/MID, at most
 * pending_max), kept oldest first so the oldest goes when pending_max is reached */
/* the request a response link answers: the oldest pending with this (PID,
 * MID, command) that heads its chain (chain == 0), or that is a link of
 * request chain `chain`; NULL when none. An interim response (at most one per
 * transaction) answers the oldest such request that has not had one yet,
 * when there is one: pipelined transactions on one MID each get their own. */
struct smb1_pending *smb1_pending_answer(const struct smb1_conn *c, uint32_t pid, uint16_t mid, uint8_t cmd,
                                         uint64_t chain, bool interim);
/* the request a response link answers: for the first link (depth 0) the head
 * of the oldest request chain with its (PID, MID, command), setting *chain to
 * that chain; for later links the link of that same chain (NULL while *chain
 * is 0). interim as for smb1_pending_answer. */
struct smb1_pending *smb1_pending_rsp_match(const struct smb1_conn *c, const struct smb1_hdr *h, uint8_t cmd,
                                            unsigned depth, uint64_t *chain, bool interim);
/* the oldest pending with this (PID, MID), any command (chain == 0), or the
 * oldest link of request chain `chain`; NULL when none */
struct smb1_pending *smb1_pending_find_mid(const struct smb1_conn *c, uint32_t pid, uint16_t mid, uint64_t chain);
/* the oldest unanswered transaction request (TRANSACTION, TRANSACTION2,
 * NT_TRANSACT; the head of its message) with this (PID, MID); NULL when none */
struct smb1_pending *smb1_pending_find_trans(const struct smb1_conn *c, uint32_t pid, uint16_t mid);
void smb1_pending_link(struct smb1_conn *c, struct smb1_pending *p);
void smb1_pending_unlink(struct smb1_conn *c, struct smb1_pending *p);
void smb1_pending_table_free(struct smb1_conn *c);

#endif
