/* nbss: NetBIOS session service framing, RFC 1002 section 4.3 (port 139, 17-bit
 * length) and "direct hosting" (port 445, [MS-SMB] 2.1: 24-bit length). */
#ifndef SMBSCOPE_NBSS_H
#define SMBSCOPE_NBSS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app.h"
#include "event.h"
#include "limits.h"
#include "parse.h"

enum nbss_type {
    NBSS_MESSAGE = 0x00,
    NBSS_REQUEST = 0x81,
    NBSS_POSITIVE = 0x82,
    NBSS_NEGATIVE = 0x83,
    NBSS_RETARGET = 0x84,
    NBSS_KEEPALIVE = 0x85,
};

#define NBSS_HDR_LEN 4
/* bytes a resync candidate needs: header + a 32-byte SMB header + word count */
#define NBSS_RESYNC_LOOKAHEAD (NBSS_HDR_LEN + 33)

struct nbss_hdr {
    uint8_t type;
    uint32_t len;
};

/* parse a header: OK (consumed 4), MORE (needed), or ERROR for an unknown type,
 * bad flags, or a control message with a length it cannot have */
struct parse_result nbss_hdr_parse(const uint8_t *p, size_t n, bool direct, struct nbss_hdr *h);
/* a plausible session message carrying SMB starts at p (used to resync and to probe) */
bool nbss_plausible(const uint8_t *p, size_t n, bool direct, size_t max_msg);
/* content detection for any port (app_ops.probe) */
enum probe_verdict nbss_probe(const uint8_t *p, size_t n, bool *is_server);
/* "FILESRV<20>" from a first-level-encoded NetBIOS name (RFC 1001 14.1) */
bool nbss_decode_name(const uint8_t *enc, size_t n, char *out, size_t cap);

/* where session-message bodies go, in pieces */
struct nbss_msg_ops {
    void (*begin)(void *u, enum dir d, size_t len, uint64_t ts_us);
    void (*data)(void *u, enum dir d, const uint8_t *p, size_t n, uint64_t ts_us);
    void (*gap)(void *u, enum dir d, size_t n, uint64_t ts_us);   /* bytes of this body lost */
    void (*end)(void *u, enum dir d, bool complete, uint64_t ts_us); /* complete=false: cut short */
};

enum nbss_state { NB_HDR, NB_BODY, NB_CTL, NB_HUNT };

struct nbss_dir {
    enum nbss_state state;
    uint8_t hdr[NBSS_HDR_LEN];
    size_t hdr_have;
    struct nbss_hdr cur;
    size_t body_left;
    uint8_t ctl[320];                         /* control message body (session request is <= 2 * 255 + ...) */
    size_t ctl_have;
    uint8_t hunt[256];                        /* resync scan window */
    size_t hunt_have;
    uint64_t resyncs, skipped;                /* times resynced, bytes skipped while hunting */
    bool pickup;                              /* hunting for the first header of a mid-stream capture */
};

struct nbss {
    bool direct;                              /* 24-bit lengths (445); false: RFC 1002 17-bit */
    const struct conn_ref *conn;
    const struct emitter *em;
    const struct limits *lim;
    const struct nbss_msg_ops *ops;
    void *u;
    struct nbss_dir d[2];
    uint64_t req_ts;                          /* last session request time, for the response latency */
};

void nbss_init(struct nbss *nb, bool direct, bool midstream, const struct conn_ref *conn,
               const struct emitter *em, const struct limits *lim, const struct nbss_msg_ops *ops, void *u);
void nbss_data(struct nbss *nb, enum dir d, const uint8_t *p, size_t n, uint64_t ts_us);
void nbss_gap(struct nbss *nb, enum dir d, size_t n, uint64_t ts_us);
/* connection over: end a body cut short */
void nbss_close(struct nbss *nb, uint64_t ts_us);

#endif
