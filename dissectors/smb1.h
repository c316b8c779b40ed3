/* smb1: SMB1/CIFS core shared by the per-command dissector files.
 * Spec: [MS-CIFS] 2.2.3.1 (header), 2.2.3.2-3 (parameter and data blocks),
 * 2.2.4 (commands); [MS-SMB] 2.2.3.1 (extensions).
 *
 * Message flow (smb1.c): the NBSS layer hands each message over in pieces; the
 * core keeps the non-data part (capped), streams READ_ANDX-response and
 * WRITE_ANDX-request data straight to the file tracker, and at the end walks
 * the AndX chain calling one handler per link (table in smb1_cmds.c). A
 * request creates a pending record holding its half-built `smb` event; the
 * response is matched by (PID, MID, command) to the oldest such request, as
 * servers answer them, and completes it. UID and TID are not in the match key
 * because SESSION_SETUP and TREE_CONNECT responses carry the values the
 * server just assigned, not the request's. */
#ifndef SMBSCOPE_SMB1_H
#define SMBSCOPE_SMB1_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"
#include "files.h"
#include "limits.h"
#include "rd.h"

#define SMB1_HDR_LEN 32
/* in a command chained after an open: "the FID the open in this chain
 * returned" ([MS-CIFS] 3.2.4.1.1, 3.3.5.2: the chain works on one file) */
#define SMB1_FID_CHAINED 0xffff

#define SMB1_FLAGS_REPLY 0x80
#define SMB1_FLAGS2_LONG_NAMES 0x0001
#define SMB1_FLAGS2_SIGNATURE 0x0004
#define SMB1_FLAGS2_EXT_SEC 0x0800
#define SMB1_FLAGS2_NT_STATUS 0x4000
#define SMB1_FLAGS2_UNICODE 0x8000

enum smb1_com {
    SMB1_COM_CREATE_DIRECTORY = 0x00,
    SMB1_COM_DELETE_DIRECTORY = 0x01,
    SMB1_COM_OPEN = 0x02,
    SMB1_COM_CREATE = 0x03,
    SMB1_COM_CLOSE = 0x04,
    SMB1_COM_FLUSH = 0x05,
    SMB1_COM_DELETE = 0x06,
    SMB1_COM_RENAME = 0x07,
    SMB1_COM_QUERY_INFORMATION = 0x08,
    SMB1_COM_READ = 0x0a,
    SMB1_COM_WRITE = 0x0b,
    SMB1_COM_CHECK_DIRECTORY = 0x10,
    SMB1_COM_LOCKING_ANDX = 0x24,
    SMB1_COM_TRANSACTION = 0x25,
    SMB1_COM_TRANSACTION_SECONDARY = 0x26,
    SMB1_COM_ECHO = 0x2b,
    SMB1_COM_OPEN_ANDX = 0x2d,
    SMB1_COM_READ_ANDX = 0x2e,
    SMB1_COM_WRITE_ANDX = 0x2f,
    SMB1_COM_TRANSACTION2 = 0x32,
    SMB1_COM_TRANSACTION2_SECONDARY = 0x33,
    SMB1_COM_FIND_CLOSE2 = 0x34,
    SMB1_COM_TREE_DISCONNECT = 0x71,
    SMB1_COM_NEGOTIATE = 0x72,
    SMB1_COM_SESSION_SETUP_ANDX = 0x73,
    SMB1_COM_LOGOFF_ANDX = 0x74,
    SMB1_COM_TREE_CONNECT_ANDX = 0x75,
    SMB1_COM_QUERY_INFORMATION_DISK = 0x80,
    SMB1_COM_NT_TRANSACT = 0xa0,
    SMB1_COM_NT_TRANSACT_SECONDARY = 0xa1,
    SMB1_COM_NT_CREATE_ANDX = 0xa2,
    SMB1_COM_NT_CANCEL = 0xa4,
    SMB1_COM_NO_ANDX_COMMAND = 0xff,
};

struct smb1_hdr {
    uint8_t cmd;
    uint32_t status;       /* NT status; with DOS errors: class | reserved<<8 | code<<16 as on the wire */
    uint8_t flags;
    uint16_t flags2;
    uint32_t pid;          /* PIDHigh << 16 | PIDLow */
    uint16_t tid, uid, mid;
    uint8_t sig[8];
    bool is_rsp, unicode, nt_status;
};

/* parse the 32-byte header (the reader must start at \xffSMB); false if it is not one */
bool smb1_hdr_parse(struct rd *r, struct smb1_hdr *h);
/* "STATUS_SUCCESS", "STATUS_LOGON_FAILURE", "ERRSRV/ERRbadpw", ... (static or the conn's scratch) */
const char *smb1_status_name(const struct smb1_hdr *h, char *scratch, size_t cap);
bool smb1_status_is_error(const struct smb1_hdr *h);

/* ---- per-connection state ------------------------------------------- */

/* names a session touched: kept in first-seen order, deduplicated, at most
 * STRLIST_MAX (the check is linear, so the cap also bounds its cost) */
#define STRLIST_MAX 1024
struct strlist {
    char **v;
    size_t n, cap;
    size_t omitted;                       /* distinct names past STRLIST_MAX, not kept */
};
/* append a copy unless already present (keeps first-seen order) */
void strlist_add(struct strlist *l, const char *s);
void strlist_free(struct strlist *l);

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
    struct smb1_session *next;
};

struct smb1_tree {
    uint16_t tid;
    uint16_t uid;
    char *path;                           /* \\SERVER\share, NULL if never seen */
    char *service;                        /* "A:", "IPC", ... from the response */
    struct smb1_tree *next;
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
    uint64_t serial;                      /* unique in the connection: FIDs are reused */
    uint64_t ts_us;
    struct smb1_open *next;
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
    uint16_t uid, tid;                 /* from the request header */
    uint64_t ts_us;                    /* request time */
    bool have_request;                 /* false: response without a seen request (partial); true says
                                        * only that the header was seen: see req.decoded */
    struct event ev;                   /* the `smb` record being built */
    struct smb1_req_info req;
    struct smb1_pending *next, *prev;  /* all pendings, oldest first (smb1_pending.c) */
    struct smb1_pending *hnext;        /* same hash bucket */
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
    struct smb1_session *sessions;
    struct smb1_tree *trees;
    struct smb1_open *opens;
    size_t n_opens;
    uint64_t open_serial;                 /* last serial given to an open */
    uint64_t opens_ended;                 /* opens ended so far: a cached open pointer is valid while this is unchanged */
    struct smb1_pending *pending, *pending_tail; /* oldest first */
    struct smb1_pending **pbuckets;              /* by (PID, MID); SMB1_PENDING_BUCKETS, lazily */
    size_t n_pending;
    uint64_t req_msgs;                    /* request messages seen: numbers each AndX chain */
    uint64_t early_open;                  /* serial of an open made before its response's handler ran
                                           * (data chained after it was streamed); 0: none */
    /* messages seen per command and direction, for stats (request, response) */
    uint64_t cmd_count[256][2];
};

/* unanswered requests (smb1_pending.c): found by (PID, MID, command) in O(1),
 * kept oldest first so the oldest goes when pending_max is reached */
#define SMB1_PENDING_BUCKETS 256
/* the request a response link answers: the oldest pending with this (PID,
 * MID, command) that heads its chain (chain == 0), or that is a link of
 * request chain `chain`; NULL when none. An interim response (at most one per
 * transaction) answers the oldest such request that has not had one yet,
 * when there is one: pipelined transactions on one MID each get their own. */
struct smb1_pending *smb1_pending_answer(const struct smb1_conn *c, uint32_t pid, uint16_t mid, uint8_t cmd,
                                         uint64_t chain, bool interim);
/* the oldest pending with this (PID, MID), any command (chain == 0), or the
 * oldest link of request chain `chain`; NULL when none */
struct smb1_pending *smb1_pending_find_mid(const struct smb1_conn *c, uint32_t pid, uint16_t mid, uint64_t chain);
void smb1_pending_link(struct smb1_conn *c, struct smb1_pending *p);
void smb1_pending_unlink(struct smb1_conn *c, struct smb1_pending *p);
void smb1_pending_table_free(struct smb1_conn *c);

/* sessions / trees / opens (smb1_state.c). get(..., create) returns NULL only
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
/* emit the `file` record for this open and forget it */
void smb1_open_close(struct smb1_conn *c, uint16_t fid, uint64_t ts_us);
/* emit the `session` record (LOGOFF or connection end) and forget it */
void smb1_session_end(struct smb1_conn *c, uint16_t uid, uint64_t ts_us);
/* connection end: files, then sessions, in creation order */
void smb1_state_end(struct smb1_conn *c, uint64_t ts_us);

/* ---- one command of a message (an AndX link) -------------------------- */

struct smb1_link {
    struct smb1_conn *c;
    const struct smb1_hdr *h;
    uint8_t cmd;
    unsigned depth;            /* 0 for the first command of the message */
    size_t at;                 /* message offset of its WordCount (32 for the first command) */
    /* an OPEN_ANDX / NT_CREATE_ANDX earlier in this message: what FID 0xFFFF
     * means here (response: the FID it returned; request: the name it asked for) */
    bool chain_open;
    uint16_t chain_fid;
    const char *chain_name;
    uint8_t wct;
    struct rd words;           /* the parameter words (2 * wct bytes) */
    uint16_t bcc;
    struct rd bytes;           /* the data block (bcc bytes, or fewer if the message was cut) */
    const struct smb1_msgview *mv; /* the message, for smb1_msg_window() */
    struct smb1_pending *p;    /* request: the new pending; response: the matched one */
    struct event *ev;          /* == &p->ev: add command fields here */
    uint64_t ts_us;
};

/* The core's view of one message: bytes [0, valid) of the message exist,
 * except [elide_at, elide_at + elide_len), which were streamed to a file and
 * not kept; buf holds the kept bytes back to back. */
struct smb1_msgview {
    const uint8_t *buf;
    size_t valid;              /* logical bytes of the message present (up to the first hole or the cap) */
    size_t elide_at, elide_len;
};
/* a contiguous message (nothing elided) */
struct smb1_msgview smb1_msgview_plain(const uint8_t *buf, size_t len);
/* set l->wct/words/bcc/bytes/cmd/at for the link whose word count sits at abs_off
 * (32 for the first command); false if its word block is not all there */
bool smb1_link_at(struct smb1_link *l, const struct smb1_msgview *mv, uint8_t cmd, size_t abs_off);

/* The AndX walk ([MS-CIFS] 2.2.3.4), the one rule set the message assembler
 * and the command loop share (smb1_andx.c): from a link whose word block is
 * whole, where the next command is. It must start after this link's words and
 * byte count (so offsets strictly advance), inside the message, and the chain
 * holds at most max_links commands. */
enum smb1_andx_step {
    SMB1_ANDX_END,             /* no further command (not an AndX command, wct < 2, or 0xFF) */
    SMB1_ANDX_NEXT,            /* *next, *next_at set */
    SMB1_ANDX_BAD_OFFSET,      /* the offset goes back, into this link, or past the message: *next, *next_at say where */
    SMB1_ANDX_TOO_DEEP,        /* the chain is longer than max_links */
};
enum smb1_andx_step smb1_andx_next(const struct smb1_link *l, size_t msg_len, unsigned max_links, uint8_t *next,
                                   size_t *next_at);

/* a window at an absolute message offset (ParameterOffset, DataOffset ...);
 * in error when it is not (wholly) there */
struct rd smb1_msg_window(const struct smb1_link *l, size_t abs_off, size_t len);

/* read a NUL-terminated string (UTF-16LE when unicode, else OEM) into UTF-8,
 * capped at lim->str_max; align: skip a pad byte to an even message offset
 * first (unicode only). Returns a string owned by l->ev, never NULL (may be ""). */
const char *smb1_str(struct smb1_link *l, struct rd *r, bool unicode, bool align);
/* the same for a counted string of n bytes (no terminator needed) */
const char *smb1_strn(struct smb1_link *l, struct rd *r, size_t n, bool unicode);
void smb1_anomaly(struct smb1_link *l, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A file's size is a signed 64-bit integer ([MS-CIFS]
 * SMB_SET_FILE_END_OF_FILE_INFO, [MS-FSCC] 2.4.14), so bytes [off, off+len)
 * reaching past FILE_OFFSET_END (2^63-1) lie outside every file: an
 * `offset_out_of_range` anomaly (once per call) gives the exact numbers
 * (record fields saturate at 2^63-1) and false comes back; the file tracker
 * drops such data itself. True when the range fits. */
bool smb1_range_fits(struct smb1_link *l, uint16_t fid, uint64_t off, uint64_t len);
/* the same for a size a server reports (EndOfFile): false (flagged) when it is
 * past 2^63-1, so the caller does not take it as the file's size */
bool smb1_size_fits(struct smb1_link *l, uint16_t fid, uint64_t size);

/* the part of a message a stream function describes: file data to hand to
 * the file tracker as it arrives instead of keeping it */
struct smb1_stream {
    size_t data_off;           /* absolute offset in the message */
    uint64_t data_len;         /* bytes (may exceed what the message holds: clipped by the core) */
    uint16_t fid;
    uint64_t file_off;
    enum file_io io;
};

typedef void (*smb1_handler)(struct smb1_link *l);
/* from the words alone (l->bytes may be empty), say where the data lies */
typedef bool (*smb1_streamer)(const struct smb1_link *l, struct smb1_stream *s);

enum smb1_cmd_flags { SMB1_ANDX = 1 };

struct smb1_cmd {
    const char *name;          /* MS-CIFS name without SMB_COM_ */
    smb1_handler req, rsp;     /* NULL: only the generic fields */
    unsigned flags;
    smb1_streamer req_stream, rsp_stream;
};

/* the dense table (smb1_cmds.c) */
extern const struct smb1_cmd smb1_cmds[256];
/* "COM_0x%02x" style name for commands without an entry */
const char *smb1_cmd_name(uint8_t cmd, char *scratch, size_t cap);

#endif
