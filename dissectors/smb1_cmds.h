/* smb1_cmds: the interface a command handler is called through (one AndX
 * link, the message view, the stream description) and the dense command table
 * of smb1_cmds.c. Spec: [MS-CIFS] 2.2.3 (message structure), 2.2.4 (commands). */
#ifndef SMBSCOPE_SMB1_CMDS_H
#define SMBSCOPE_SMB1_CMDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"
#include "files.h"
#include "rd.h"
#include "smb1_state.h"

struct smb1_hdr;

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
    size_t len;                /* the message's length (from its NBSS header), present or not */
    size_t valid;              /* logical bytes of the message present (up to the first hole or the cap) */
    size_t elide_at, elide_len;
};
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

#endif
