/* smb1_core: per-connection SMB1 engine fed by NBSS message pieces. */
#ifndef SMBSCOPE_SMB1_CORE_H
#define SMBSCOPE_SMB1_CORE_H

#include "app.h"
#include "smb1.h"

/* one direction's message being assembled */
struct smb1_asm {
    bool active;               /* inside a message */
    uint8_t *buf;              /* the kept bytes (capped at lim->smb_buffer) */
    size_t bufcap, phys;
    size_t msg_len, pos;       /* logical: the message's length and bytes seen or skipped so far */
    size_t valid;              /* logical prefix that is present (kept or streamed) */
    bool frozen;               /* a hole or the cap stopped `valid` */
    enum { ASM_UNDECIDED, ASM_PLAIN, ASM_STREAM } mode;
    size_t need_at;            /* undecided: decide again once this many bytes are kept */
    size_t elide_at, elide_len;
    struct smb1_stream s;
    uint64_t open_serial;      /* the open the data belongs to: it may end while the data arrives */
    struct smb1_open *open;    /* that open, valid while c.opens_ended == open_check */
    uint64_t open_check;
    struct file_track *orphan; /* request data chained after an open (FID 0xFFFF): no open yet, so
                                * it streams here and goes to the link's pending request */
    unsigned orphan_depth;     /* that link's place in the chain */
    uint64_t ts_begin, ts_end;
};

/* records a handler causes (a CLOSE's `file`, a LOGOFF's `session`) are held
 * while it runs and written right after the command's own `smb` record */
struct smb1_held_rec;
struct smb1_held {
    struct smb1_held_rec **rec;
    size_t n, cap;
};

struct smb1_core {
    struct smb1_conn c;
    const struct emitter *out;     /* the run's emitter; c.em points at `hold` during handlers */
    struct emitter hold;
    struct smb1_held held;
    struct smb1_asm a[2];
    uint64_t smb2_msgs;
};

void smb1_core_init(struct smb1_core *k, const struct conn_ref *conn, const struct emitter *em,
                    const struct limits *lim, struct file_pool *files, bool midstream);
void smb1_msg_begin(struct smb1_core *k, enum dir d, size_t len, uint64_t ts_us);
void smb1_msg_data(struct smb1_core *k, enum dir d, const uint8_t *p, size_t n, uint64_t ts_us);
void smb1_msg_gap(struct smb1_core *k, enum dir d, size_t n, uint64_t ts_us);
void smb1_msg_end(struct smb1_core *k, enum dir d, bool complete, uint64_t ts_us);
/* the whole message a has assembled: each AndX link matched, decoded and
 * written (smb1.c; called by smb1_msg_end in smb1_asm.c) */
void smb1_msg_process(struct smb1_core *k, struct smb1_asm *a, bool complete);
/* connection end: unanswered requests, open files, sessions */
void smb1_core_end(struct smb1_core *k, uint64_t ts_us);
void smb1_core_free(struct smb1_core *k);

#endif
