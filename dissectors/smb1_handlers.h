/* smb1_handlers: the command handlers the table points at, and shared helpers.
 * The per-command handlers and stream functions smb1_cmds.c lists, and the
 * few helpers the command files share.
 * Spec: [MS-CIFS] 2.2.4 (commands), [MS-SMB] 2.2.4 (extensions).
 * Internal to the dissectors: the core only needs smb1.h and smb1_req_free. */
#ifndef SMBSCOPE_SMB1_HANDLERS_H
#define SMBSCOPE_SMB1_HANDLERS_H

#include "smb1.h"

/* NEGOTIATE (smb1_negotiate.c) */
void smb1_negotiate_req(struct smb1_link *l);
void smb1_negotiate_rsp(struct smb1_link *l);

/* SESSION_SETUP_ANDX (smb1_session.c) */
void smb1_session_setup_req(struct smb1_link *l);
void smb1_session_setup_rsp(struct smb1_link *l);

/* TREE_CONNECT_ANDX (smb1_tree.c) */
void smb1_tree_connect_req(struct smb1_link *l);
void smb1_tree_connect_rsp(struct smb1_link *l);

/* opens (smb1_open.c) */
void smb1_open_andx_req(struct smb1_link *l);
void smb1_open_andx_rsp(struct smb1_link *l);
void smb1_nt_create_req(struct smb1_link *l);
void smb1_nt_create_rsp(struct smb1_link *l);
void smb1_open_core_req(struct smb1_link *l);
void smb1_open_core_rsp(struct smb1_link *l);
void smb1_create_core_req(struct smb1_link *l);
void smb1_create_core_rsp(struct smb1_link *l);
/* a successful OPEN_ANDX / NT_CREATE_ANDX response link: the FID it returned
 * (what FID 0xFFFF means in the links chained after it) */
bool smb1_open_rsp_fid(const struct smb1_link *l, uint16_t *fid);
/* create now the open such a response link makes, before its handler runs:
 * data chained after it streams into it. The handler then takes this open
 * (c->early_open) instead of starting another. NULL when it cannot. */
struct smb1_open *smb1_open_early(struct smb1_link *l);
/* NT create dispositions and actions, shared with NT_TRANSACT_CREATE */
const char *smb1_nt_disposition_name(uint32_t d);
const char *smb1_nt_create_action_name(uint32_t a);

/* reads, writes, locks (smb1_rw.c) */
void smb1_read_andx_req(struct smb1_link *l);
void smb1_read_andx_rsp(struct smb1_link *l);
bool smb1_read_andx_rsp_stream(const struct smb1_link *l, struct smb1_stream *s);
void smb1_write_andx_req(struct smb1_link *l);
void smb1_write_andx_rsp(struct smb1_link *l);
bool smb1_write_andx_req_stream(const struct smb1_link *l, struct smb1_stream *s);
void smb1_read_core_req(struct smb1_link *l);
void smb1_read_core_rsp(struct smb1_link *l);
bool smb1_read_core_rsp_stream(const struct smb1_link *l, struct smb1_stream *s);
void smb1_write_core_req(struct smb1_link *l);
void smb1_write_core_rsp(struct smb1_link *l);
bool smb1_write_core_req_stream(const struct smb1_link *l, struct smb1_stream *s);
void smb1_locking_andx_req(struct smb1_link *l);

/* closes and session/tree teardown, small FID commands (smb1_close.c) */
void smb1_close_req(struct smb1_link *l);
void smb1_close_rsp(struct smb1_link *l);
void smb1_flush_req(struct smb1_link *l);
void smb1_tree_disconnect_req(struct smb1_link *l);
void smb1_tree_disconnect_rsp(struct smb1_link *l);
void smb1_logoff_rsp(struct smb1_link *l);
void smb1_echo_req(struct smb1_link *l);
void smb1_find_close2_req(struct smb1_link *l);
void smb1_query_disk_rsp(struct smb1_link *l);

/* commands naming paths (smb1_path.c) */
void smb1_path_req(struct smb1_link *l);          /* one path: `file` */
void smb1_rename_req(struct smb1_link *l);        /* `from`, `to` */
void smb1_nt_rename_req(struct smb1_link *l);
void smb1_query_info_rsp(struct smb1_link *l);

/* transactions (smb1_trans.c) */
void smb1_trans_req(struct smb1_link *l);
void smb1_trans_rsp(struct smb1_link *l);
void smb1_trans2_req(struct smb1_link *l);
void smb1_trans2_rsp(struct smb1_link *l);
void smb1_nt_trans_req(struct smb1_link *l);
void smb1_nt_trans_rsp(struct smb1_link *l);
void smb1_trans_secondary_req(struct smb1_link *l);
void smb1_trans2_secondary_req(struct smb1_link *l);
void smb1_nt_trans_secondary_req(struct smb1_link *l);
const char *smb1_trans2_name(uint16_t subcmd);
const char *smb1_nt_trans_name(uint16_t function);

/* ---- shared helpers (smb1_state.c) ------------------------------------ */

/* the response reports success (a warning such as STATUS_BUFFER_OVERFLOW counts) */
bool smb1_rsp_ok(const struct smb1_link *l);
/* when the operation began: the request's time if it was seen */
uint64_t smb1_op_ts(const struct smb1_link *l);
/* add `fid` and `file` (the open's name, null when the open is unknown) */
void smb1_ev_fid(struct smb1_link *l, uint16_t fid);
/* the request's parameter words are there (wct >= min); else an anomaly */
bool smb1_need_words(struct smb1_link *l, unsigned min);
/* a string field of the pending event (request side), or NULL */
const char *smb1_ev_get_str(const struct event *e, const struct fld_t_str *name);
/* emit a `session` record for s (linked or not) */
void smb1_session_record(struct smb1_conn *c, const struct smb1_session *s, uint64_t ts_us);
/* free a session's strings and lists and s itself */
void smb1_session_free(struct smb1_session *s);
/* emit and forget every open of a tree / of a session */
void smb1_open_close_tree(struct smb1_conn *c, uint16_t tid, uint64_t ts_us);
void smb1_open_close_uid(struct smb1_conn *c, uint16_t uid, uint64_t ts_us);

/* free the string a request handler left in p->req (owns_str), by command:
 * OPEN/CREATE/CREATE_NEW/OPEN_ANDX/NT_CREATE_ANDX -> u.open.name,
 * TREE_CONNECT_ANDX -> u.tree.path, TRANSACTION2/NT_TRANSACT -> u.trans.name.
 * Idempotent. (smb1_cmds.c) */
void smb1_req_free(struct smb1_pending *p);
/* a decoded request chained after an open that named FID 0xFFFF now names
 * `fid`, the FID that open returned (READ, WRITE, CLOSE families, whose
 * responses and data need it). True when it changed. (smb1_cmds.c) */
bool smb1_req_chain_fid(struct smb1_pending *p, uint16_t fid);

#endif
