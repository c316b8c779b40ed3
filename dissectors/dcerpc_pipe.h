/* dcerpc_pipe: one pipe's DCE/RPC state, shared inside the layer by dcerpc.c
 * (presentation contexts, bind and call bookkeeping, the records) and
 * dcerpc_stream.c (each direction's bytes cut into whole PDUs, resync after
 * a gap or garbage). Not for use outside dissectors/dcerpc*.c.
 * Spec: [C706] 12.6 (connection-oriented PDUs), 12.4 (fragments). */
#ifndef SMBSCOPE_DCERPC_PIPE_H
#define SMBSCOPE_DCERPC_PIPE_H

#include <stdlib.h>

#include "dcerpc.h"

/* realloc that aborts on out-of-memory, like all of the run's state (sizes
 * are bounded by frag_length and the limits) */
static inline void *dcerpc_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n);
    if (!q)
        abort();
    return q;
}

struct dcerpc_iface;
struct call;                          /* dcerpc.c */

/* a presentation context proposed (and perhaps accepted) on the pipe */
struct ctx_ent {
    uint16_t id;
    uint8_t uuid[16];
    uint16_t ver_major, ver_minor;
    const struct dcerpc_iface *iface;
};

/* the bind / alter_context waiting for its ack */
struct bind {
    bool active;
    bool alter;
    uint32_t call_id;
    uint64_t ts_us, end_ts;
    size_t n;
    struct dcerpc_ctx_elem *ctx;
};

/* one direction's byte stream (dcerpc_stream.c) */
struct dir {
    uint8_t *buf;                     /* the PDU being gathered (at most 65535 bytes: frag_length) */
    size_t have, cap;
    bool synced;                      /* a good header was seen in this direction */
    bool hunting;                     /* looking for a header (after a gap or garbage) */
    bool complained;                  /* the bad header that started this hunt was reported */
    uint64_t skipped;                 /* bytes dropped while hunting */
    uint64_t ts_first;                /* when the PDU being gathered began */
    struct dcerpc_hdr hdr;            /* its header, once have >= DCERPC_HDR_LEN and not hunting */
};

struct dcerpc_pipe {
    char *pipe, *user, *share;
    uint16_t fid;
    struct dir dir[2];                /* [0] to the server, [1] to the client */
    struct ctx_ent *ctx;
    size_t n_ctx;
    struct call *calls;               /* oldest first */
    size_t n_calls;
    struct bind bind;
    bool drep_reported;
};

/* an anomaly on the pipe: "pipe NAME fid N: " and the detail */
void dcerpc_anomaly(const struct dcerpc_pipe *pp, const struct dcerpc_io *io, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* a whole PDU (n bytes at p, n == its frag_length) arrived in direction di (0: to the server) */
void dcerpc_pdu_done(struct dcerpc_pipe *pp, const struct dcerpc_io *io, int di, const uint8_t *p, size_t n);
/* bytes of the direction were lost: every call joining a stub in it misses some now */
void dcerpc_calls_lost(struct dcerpc_pipe *pp, bool to_server);

#endif
