/* smb1_state: the per-connection SMB1 state types (sessions, trees, opens,
 * pending requests, the connection) and the functions of smb1_state.c that
 * keep sessions, trees and opens and write their records.
 * Spec: [MS-CIFS] 3.3.1 (the server's session, tree connect and open tables). */
#ifndef SMBSCOPE_SMB1_STATE_H
#define SMBSCOPE_SMB1_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dcerpc.h"
#include "event.h"
#include "files.h"
#include "htab.h"
#include "limits.h"
#include "membudget.h"

/* names a session touched: kept in first-seen order, deduplicated, at most
 * STRLIST_MAX (the check is linear, so the cap also bounds its cost) */
#define STRLIST_MAX 1024
struct strlist {
    char **v;
    size_t n, cap;
    size_t omitted;                       /* distinct names past STRLIST_MAX, not kept */
    size_t bytes;                         /* what it costs, for the state budget (membudget.h) */
};
struct smb1_session {
    uint16_t uid;
    char *user, *domain, *host;           /* host = the client's workstation name, when known */
    char *native_os, *native_lanman;      /* from the request (client) */
    char *srv_native_os, *srv_native_lanman, *srv_domain; /* from the response (server) */
    const char *auth;                     /* "anonymous", "plaintext", "lm", "ntlmv1", "ntlmv2", "ntlmssp", "kerberos", ... */
    bool guest;
    char *status;                         /* name of the SESSION_SETUP status */
    struct strlist shares, files;
    bool partial;                         /* first seen mid-session: no SESSION_SETUP seen */
    uint64_t ts_us;                       /* when it began (or was first seen) */
    size_t charged;                       /* bytes charged to the state budget for it (smb1_state.c) */
    struct hnode hn;                      /* in c->session_tab, by UID */
    struct smb1_session *next, *prev;     /* creation order: records come out in it */
};

struct smb1_tree {
    uint16_t tid;
    uint16_t uid;
    char *path;                           /* \\SERVER\share, NULL if never seen */
    char *service;                        /* "A:", "IPC", ... from the response */
    size_t charged;                       /* bytes charged to the state budget for it */
    struct hnode hn;                      /* in c->tree_tab, by TID */
    struct smb1_tree *next, *prev;        /* creation order */
};

/* what an open FID is ([MS-CIFS] 2.2.4.64.2 FileType, 2.2.4.55.2 Service):
 * decided first from the tree (an IPC tree holds pipes, a printer tree print
 * files), then from the open itself (FILE_DIRECTORY_FILE, the response's
 * Directory byte and FileType) and from a \PIPE\ transaction on the FID */
enum smb1_open_kind { SMB1_OPEN_FILE, SMB1_OPEN_DIRECTORY, SMB1_OPEN_PIPE, SMB1_OPEN_PRINTER };

struct smb1_open {
    uint16_t fid;
    uint16_t uid, tid;
    char *name;                           /* path inside the share as the client wrote it; NULL if never seen */
    char *share;                          /* the tree's path, copied at open time */
    bool size_known;
    uint64_t size;
    enum smb1_open_kind kind;
    /* pipes only: payload bytes client->server (WRITE_ANDX, WRITE, the data of
     * TRANSACT_NMPIPE and WRITE_NMPIPE) and server->client (READ_ANDX, READ,
     * TRANSACT_NMPIPE and READ_NMPIPE responses), as the messages declare them */
    uint64_t pipe_in, pipe_out;
    struct file_track *ft;                /* NULL for pipes and directories: they have no content to hash */
    struct dcerpc_pipe *rpc;              /* pipes: the DCE/RPC state, made when the first payload byte comes */
    uint64_t serial;                      /* unique in the connection: FIDs are reused */
    uint64_t ts_us;
    size_t charged;                       /* bytes charged to the state budget for it */
    struct hnode hn;                      /* in c->open_tab, by FID */
    struct smb1_open *next, *prev;        /* creation order: `file` records at the end come out in it */
};

/* how many opens name one UID (or one TID): lets LOGOFF / TREE_DISCONNECT of
 * an ID no open uses cost O(1) instead of a walk over every open */
struct smb1_idcount {
    struct hnode hn;
    uint16_t id;
    size_t n;
};

/* what a response needs from its request. `decoded` is set by the request
 * handler once it has filled the union member its response reads; until then
 * (request cut short, bad word count, no request seen) the union is zeroes,
 * not data, and response handlers and stream functions must not use it. */
struct smb1_req_info {
    union {
        struct { uint16_t fid; uint64_t offset; uint32_t max_count; } read;
        struct { uint16_t fid; uint64_t offset; } write;
        struct {                                     /* OPEN_ANDX / NT_CREATE_ANDX */
            char *name;                              /* requested name (owned) */
            uint16_t flags;                          /* OPEN_ANDX Flags */
            uint32_t create_options;                 /* NT_CREATE_ANDX CreateOptions */
        } open;
        struct { char *path; } tree;                 /* TREE_CONNECT_ANDX: UNC path (owned) */
        struct { uint16_t fid; } close;
        struct {                                     /* TRANS2 / TRANS / NT_TRANS */
            uint16_t subcmd;
            char *name;                              /* name if any (owned) */
            bool pipe_io;                            /* TRANS: a pipe read/write on fid */
            uint16_t fid;
            uint64_t data_in;                        /* request data not yet counted: fid not known as a pipe */
        } trans;
    } u;
    bool owns_str;                                   /* free the string member this union holds */
    bool decoded;                                    /* the request filled the member u the response reads */
};

struct smb1_pending {
    uint32_t pid;
    uint16_t mid;
    uint8_t cmd;
    uint64_t chain;                    /* the request message it came in (links of one AndX chain share it; 0: none seen) */
    unsigned depth;                    /* its place in that chain (0: the head) */
    bool interim;                      /* a transaction the server already sent its interim response for */
    struct file_track *chained_ft;     /* a WRITE chained after an open in the same request (FID 0xFFFF):
                                        * its data, streamed before the open had a FID; the open takes it
                                        * over when the response names the FID (owned until then) */
    uint16_t uid, tid;                 /* from the request header */
    uint64_t ts_us;                    /* request time */
    bool have_request;                 /* false: response without a seen request (partial); true says
                                        * only that the header was seen: see req.decoded */
    struct event ev;                   /* the `smb` record being built */
    struct smb1_req_info req;
    struct smb1_pending *next, *prev;  /* all pendings, oldest first (smb1_pending.c) */
    struct hnode hn;                   /* in c->pending_tab, by (PID, MID) */
};

struct smb1_conn {
    const struct conn_ref *conn;
    const struct emitter *em;
    const struct limits *lim;
    struct file_pool *files;
    bool midstream;
    /* NEGOTIATE: the dialects the client offered last, and the one chosen */
    struct strlist dialects;
    char *dialect;
    uint8_t challenge[8];
    bool have_challenge;
    /* The tables are keyed by values the peer chooses, so each is a keyed hash
     * (htab.h: O(1) expected whatever the peer sends) beside a list in
     * creation order, which is what records follow (never the hash). */
    struct membudget *mb;                 /* the run's state budget (or NULL) */
    struct hkey hkey;                     /* the run's secret hash key */
    struct smb1_session *sessions, *sessions_tail;
    struct htab session_tab;
    size_t n_sessions;
    struct smb1_tree *trees, *trees_tail;
    struct htab tree_tab;
    size_t n_trees;
    struct smb1_open *opens, *opens_tail;
    struct htab open_tab;
    struct htab opens_by_uid, opens_by_tid;   /* struct smb1_idcount */
    size_t n_opens;
    uint64_t open_serial;                 /* last serial given to an open */
    uint64_t opens_ended;                 /* opens ended so far: a cached open pointer is valid while this is unchanged */
    struct smb1_pending *pending, *pending_tail; /* oldest first */
    struct htab pending_tab;                     /* by (PID, MID); equal keys oldest first */
    size_t n_pending;
    uint64_t req_msgs;                    /* request messages seen: numbers each AndX chain */
    uint64_t early_open;                  /* serial of an open made before its response's handler ran
                                           * (data chained after it was streamed); 0: none */
    /* messages seen per command and direction, for stats (request, response) */
    uint64_t cmd_count[256][2];
};

/* the run's state budget and hash key for this connection's tables (call
 * once, before any state is made; without it nothing is charged and the
 * key is zero: fine for unit tests) */
void smb1_conn_env(struct smb1_conn *c, struct membudget *mb, const struct hkey *hkey);
/* the session's or tree's strings changed: charge the budget the difference */
void smb1_session_charge(struct smb1_conn *c, struct smb1_session *s);
void smb1_tree_charge(struct smb1_conn *c, struct smb1_tree *t);

/* sessions / trees (smb1_state.c), opens (smb1_opens.c). get(..., create) returns NULL only
 * when create is false and it is absent, or a limit stops it (anomaly emitted). */
struct smb1_session *smb1_session_get(struct smb1_conn *c, uint16_t uid, bool create, uint64_t ts_us);
struct smb1_tree *smb1_tree_get(struct smb1_conn *c, uint16_t tid, bool create);
void smb1_tree_drop(struct smb1_conn *c, uint16_t tid);
struct smb1_open *smb1_open_add(struct smb1_conn *c, uint16_t fid, uint16_t uid, uint16_t tid,
                                const char *name, uint64_t ts_us);
struct smb1_open *smb1_open_get(struct smb1_conn *c, uint16_t fid);
/* "file", "directory", "pipe", "printer" */
const char *smb1_open_kind_name(enum smb1_open_kind k);
/* the open is known to be of kind k (later evidence wins). Becoming a pipe or a
 * directory drops the content tracker (a pipe's bytes already counted by it
 * move to pipe_in / pipe_out); becoming a file or printer gives it one */
void smb1_open_set_kind(struct smb1_conn *c, struct smb1_open *o, enum smb1_open_kind k);
/* from a response's FileType ([MS-CIFS] 2.2.4.64.2: 0 disk, 1 byte-mode pipe,
 * 2 message-mode pipe, 3 printer) and Directory byte; other values say nothing */
void smb1_open_kind_from_type(struct smb1_conn *c, struct smb1_open *o, uint16_t file_type, bool directory);
/* count n payload bytes on FID when it is an open pipe (to_server: bytes_in);
 * false when the FID is not a known pipe */
bool smb1_pipe_count(struct smb1_conn *c, uint16_t fid, bool to_server, uint64_t n);
/* payload bytes written to (to_server) or read from the pipe o, in order, for
 * its DCE/RPC layer; records go to em. A gap: n bytes the capture lost. */
void smb1_pipe_data(struct smb1_conn *c, const struct emitter *em, struct smb1_open *o, bool to_server,
                    const uint8_t *p, size_t n, uint64_t ts_us);
void smb1_pipe_gap(struct smb1_conn *c, const struct emitter *em, struct smb1_open *o, bool to_server, size_t n,
                   uint64_t ts_us);
/* emit the `file` record for this open and forget it */
void smb1_open_close(struct smb1_conn *c, uint16_t fid, uint64_t ts_us);
/* emit the `session` record (LOGOFF or connection end) and forget it */
void smb1_session_end(struct smb1_conn *c, uint16_t uid, uint64_t ts_us);
/* connection end: files, then sessions, in creation order */
void smb1_state_end(struct smb1_conn *c, uint64_t ts_us);
/* end every open, in creation order, each writing its `file` record (smb1_opens.c) */
void smb1_open_end_all(struct smb1_conn *c, uint64_t ts_us);

/* shared by the state tables (smb1_state.c, smb1_opens.c), not by handlers:
 * one hash key for all tables (the table number keeps their hashes apart),
 * the membudget charge of an object, allocation that only fails on OOM */
enum { SMB1_TAB_SESSION = 1, SMB1_TAB_TREE, SMB1_TAB_OPEN, SMB1_TAB_BY_UID, SMB1_TAB_BY_TID };
uint64_t smb1_id_hash(const struct smb1_conn *c, unsigned table, uint16_t id);
size_t smb1_str_cost(const char *s);
/* set what an object is charged to `now`, charging or crediting the difference */
void smb1_recharge(struct smb1_conn *c, size_t *charged, size_t now);
char *smb1_xstrdup(const char *s);
void *smb1_xcalloc(size_t n);

#endif
