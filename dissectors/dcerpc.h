/* dcerpc: DCE/RPC connection-oriented PDUs carried by SMB1 named pipes.
 * The PDU parser (dcerpc_pdu.c); per pipe and direction, the PDU
 * reassembler (dcerpc_stream.c); bind/alter_context contexts, fragment
 * joining and call matching by call_id that write the `dcerpc` and
 * `dcerpc_bind` records (dcerpc.c). The pipe's bytes come from SMB1 (WRITE_ANDX / READ_ANDX data as
 * it streams, TRANSACT_NMPIPE and READ/WRITE_NMPIPE data); this layer knows
 * nothing of SMB1.
 * Spec: [C706] 12.6 (connection-oriented PDUs), [MS-RPCE] 2.2.2 (extensions),
 * 2.2.6 (auth trailer). */
#ifndef SMBSCOPE_DCERPC_H
#define SMBSCOPE_DCERPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"
#include "limits.h"
#include "rd.h"

#define DCERPC_HDR_LEN 16

enum dcerpc_ptype {
    DCERPC_REQUEST = 0, DCERPC_RESPONSE = 2, DCERPC_FAULT = 3, DCERPC_BIND = 11, DCERPC_BIND_ACK = 12,
    DCERPC_BIND_NAK = 13, DCERPC_ALTER = 14, DCERPC_ALTER_RESP = 15, DCERPC_AUTH3 = 16, DCERPC_SHUTDOWN = 17,
    DCERPC_CO_CANCEL = 18, DCERPC_ORPHANED = 19,
};

/* pfc_flags ([C706] 12.6.3.1) */
#define DCERPC_PFC_FIRST_FRAG 0x01
#define DCERPC_PFC_LAST_FRAG 0x02
#define DCERPC_PFC_OBJECT_UUID 0x80

/* the common header ([C706] 12.6.3.1): integers in the sender's byte order (drep) */
struct dcerpc_hdr {
    uint8_t ver, ver_minor, ptype, flags;
    uint8_t drep[4];
    uint16_t frag_len, auth_len;
    uint32_t call_id;
};

/* the 16 header bytes at r: true when they are a plausible connection-oriented
 * header (version 5.0/5.1, a connection-oriented type, a known data
 * representation, a fragment length that holds the header and the auth
 * trailer). This is also the resync test after a gap. */
bool dcerpc_hdr_parse(struct rd *r, struct dcerpc_hdr *h);
/* little-endian integers and ASCII characters: the only representation whose
 * stubs are decoded */
static inline bool dcerpc_drep_le_ascii(const struct dcerpc_hdr *h) { return (h->drep[0] & 0x10) && h->drep[1] == 0; }
const char *dcerpc_ptype_name(uint8_t ptype);
/* a fault PDU's status: the nca_s_* name, else the Win32/NTSTATUS name */
const char *dcerpc_fault_name(uint32_t status);

/* one presentation context of a bind / alter_context ([C706] 12.6.3.1 p_cont_elem_t) */
struct dcerpc_ctx_elem {
    uint16_t id;
    uint8_t uuid[16];          /* abstract syntax, wire order */
    uint16_t ver_major, ver_minor;
    uint8_t n_transfer;
};
/* one result of a bind_ack / alter_context_resp (p_result_t) */
struct dcerpc_result {
    uint16_t result, reason;
};
#define DCERPC_CTX_MAX 255     /* n_context_elem / n_results are 8-bit */

struct dcerpc_pdu {
    struct dcerpc_hdr h;
    /* request, response, fault */
    uint32_t alloc_hint;
    uint16_t ctx_id, opnum;
    uint8_t cancel_count;
    uint32_t status;           /* fault */
    bool has_object;
    uint8_t object[16];
    struct rd stub;            /* stub data: the auth trailer and its padding left out */
    /* bind, alter_context and their acks */
    uint16_t max_xmit, max_recv;
    uint32_t assoc_group;
    size_t n_ctx;              /* bind / alter_context */
    struct dcerpc_ctx_elem ctx[DCERPC_CTX_MAX];
    size_t n_results;          /* bind_ack / alter_context_resp */
    struct dcerpc_result results[DCERPC_CTX_MAX];
    uint16_t reject_reason;    /* bind_nak */
    /* auth verifier ([MS-RPCE] 2.2.2.11) */
    bool has_auth;
    uint8_t auth_type, auth_level, auth_pad;
    bool bad_auth_pad;         /* the padding claimed more than the body holds: stub taken as empty */
};

/* parse one whole PDU (p[0..n) from its header on; n may exceed frag_len). False
 * when it is shorter than frag_len or its body does not fit (nothing is used
 * then). The stub window points into p. */
bool dcerpc_pdu_parse(const uint8_t *p, size_t n, struct dcerpc_pdu *out);

/* ---- per pipe -------------------------------------------------------------- */

/* what each feeding call brings: where records go and when */
struct dcerpc_io {
    const struct conn_ref *conn;
    const struct emitter *em;
    const struct limits *lim;
    uint64_t ts_us;
};

struct dcerpc_pipe;
/* the pipe's identity for its records: name ("\svcctl", NULL when the open was
 * not seen), FID, the session's account and the tree (NULL when unknown) */
struct dcerpc_pipe *dcerpc_pipe_new(const char *pipe, uint16_t fid, const char *user, const char *share);
/* n payload bytes written to the pipe (to_server) or read from it */
void dcerpc_data(struct dcerpc_pipe *pp, const struct dcerpc_io *io, bool to_server, const uint8_t *p, size_t n);
/* n payload bytes the capture lost */
void dcerpc_gap(struct dcerpc_pipe *pp, const struct dcerpc_io *io, bool to_server, size_t n);
/* the pipe closed (or its connection ended): report unanswered calls and
 * binds, then free it */
void dcerpc_pipe_end(struct dcerpc_pipe *pp, const struct dcerpc_io *io);

#endif
