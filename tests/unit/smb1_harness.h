/* smb1_harness: test scaffolding for the SMB1 command handlers: a connection
 * with a capturing emitter, the pending record the core would keep, helpers
 * that run a handler over a (possibly cut) message exactly as the core
 * would, a small message builder for variant fixtures, field getters, and
 * the real fixtures several files share (smb1_harness.c); AndX links and a
 * whole core with a recording emitter, for the core tests (smb1_rig.c). */
#ifndef SMBSCOPE_SMB1_HARNESS_H
#define SMBSCOPE_SMB1_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "smb1.h"
#include "smb1_core.h"
#include "smb1_handlers.h"

#define TS_REQ 1000000u
#define TS_RSP 1000500u

struct th {
    struct smb1_conn c;
    struct conn_ref ref;
    struct emitter em;
    struct limits lim;
    struct file_pool pool;
    char **out;             /* every emitted record as one line: "type ts=N k=v k=v" */
    size_t n_out, cap_out;
};

void th_init(struct th *t);
/* smb1_state_end (emits what is left) and free everything */
void th_end(struct th *t);
/* the first emitted line starting with prefix (e.g. "file "), or NULL */
const char *th_find(const struct th *t, const char *prefix);
/* how many emitted lines start with prefix */
size_t th_count(const struct th *t, const char *prefix);
/* an emitted line starting with prefix contains needle */
bool th_line_has(const struct th *t, const char *prefix, const char *needle);

/* a tree as TREE_CONNECT_ANDX would leave it: share path and service (either may be NULL) */
void th_tree(struct smb1_conn *c, uint16_t tid, const char *path, const char *service);

/* th_tree, then an open of name on it (FID fid, UID 0, made at TS_REQ - 10)
 * whose size is known to be size, as an open's response leaves it */
void th_open_file(struct th *t, uint16_t tid, const char *share, const char *service, uint16_t fid,
                  const char *name, uint64_t size);

/* the pending record for one exchange */
void tx_init(struct th *t, struct smb1_pending *p);
void tx_free(struct smb1_pending *p);

/* run the request / response handler of msg's command over its first len
 * bytes (the header is taken from the full message, as the core has it) */
void th_req(struct th *t, struct smb1_pending *p, const uint8_t *msg, size_t full, size_t len);
void th_rsp(struct th *t, struct smb1_pending *p, const uint8_t *msg, size_t full, size_t len);
/* the same for the command's stream function; false if it has none or it declines */
bool th_stream(struct th *t, struct smb1_pending *p, const uint8_t *msg, size_t full, size_t len, bool rsp,
               struct smb1_stream *s);

/* request then response, both whole */
void th_exchange(struct th *t, struct smb1_pending *p, const uint8_t *req, size_t req_len, const uint8_t *rsp,
                 size_t rsp_len);

/* Cut the request at every length 0..req_len-1 (response whole), then the
 * response at every length (request whole), each on a fresh connection
 * prepared by setup (may be NULL); streams run too. Nothing may crash or read
 * out of bounds (the sanitizer build checks the latter). */
void th_cuts(void (*setup)(struct th *t), const uint8_t *req, size_t req_len, const uint8_t *rsp,
             size_t rsp_len);

/* fields of the pending event; these fail the test when the kind differs */
const struct field *f_get(const struct smb1_pending *p, const char *name);
const char *f_str(const struct smb1_pending *p, const char *name);   /* must be a string */
uint64_t f_uint(const struct smb1_pending *p, const char *name);     /* must be a uint */
bool f_bool(const struct smb1_pending *p, const char *name);         /* must be a bool */
bool f_null(const struct smb1_pending *p, const char *name);         /* present and null */
bool f_absent(const struct smb1_pending *p, const char *name);

/* ---- message builder for variant fixtures ----------------------------- */

struct mb {
    uint8_t b[8192];
    size_t n;
    size_t wct_at, bcc_at;
};

/* the 32-byte header ([MS-CIFS] 2.2.3.1); flags 0x88 for a response */
void mb_hdr(struct mb *m, uint8_t cmd, uint32_t status, uint8_t flags, uint16_t flags2, uint16_t tid, uint16_t pid,
            uint16_t uid, uint16_t mid);
void mb_words(struct mb *m);     /* start the parameter block (WordCount patched by mb_bytes) */
void mb_bytes(struct mb *m);     /* end the words, start the data block */
void mb_end(struct mb *m);       /* patch ByteCount */
void mb_u8(struct mb *m, uint8_t v);
void mb_u16(struct mb *m, uint16_t v);
void mb_u32(struct mb *m, uint32_t v);
void mb_u64(struct mb *m, uint64_t v);
void mb_raw(struct mb *m, const void *p, size_t n);
void mb_zero(struct mb *m, size_t n);
void mb_pad2(struct mb *m);                  /* a pad byte if at an odd offset */
void mb_ustr(struct mb *m, const char *ascii); /* UTF-16LE with terminator */
void mb_astr(struct mb *m, const char *ascii); /* OEM with terminator */
void mb_put16_at(struct mb *m, size_t at, uint16_t v);
void mb_put32_at(struct mb *m, size_t at, uint32_t v);

/* ---- SMB1 messages for the core tests (smb1_rig.c) --------------------- */

/* the header with FLAGS2 NT status, long names, OEM strings and PID 0x1234;
 * rsp sets the reply bit */
void mb_hdr_oem(struct mb *m, uint8_t cmd, bool rsp, uint32_t status, uint16_t tid, uint16_t uid, uint16_t mid);
/* start a parameter block with WordCount wct as given (never patched: a test
 * may lie); mb_bcc starts the data block (ByteCount patched by mb_end) */
void mb_wct(struct mb *m, uint8_t wct);
void mb_bcc(struct mb *m);
/* WordCount 0, ByteCount 0 (an error response's link) */
void mb_empty_words(struct mb *m);
/* the AndX words: next command, AndXOffset 0 (returned: its position, for mb_set_andx) */
size_t mb_andx(struct mb *m, uint8_t next);
void mb_set_andx(struct mb *m, size_t at, size_t off);
/* one link each ([MS-CIFS] 2.2.4.41 OPEN_ANDX, 2.2.4.42 READ_ANDX, 2.2.4.43
 * WRITE_ANDX, 2.2.4.64 NT_CREATE_ANDX); *andx_at: the link's AndXOffset.
 * Names are OEM; READ/WRITE data follows a 1-byte pad at offset 0 of the file */
void mb_open_andx_req(struct mb *m, uint8_t next, size_t *andx_at, const char *name);
void mb_open_andx_rsp(struct mb *m, uint8_t next, size_t *andx_at, uint16_t fid, uint32_t size);
void mb_read_andx_req(struct mb *m, uint16_t fid, uint32_t off, uint16_t count);
void mb_read_andx_rsp(struct mb *m, const uint8_t *data, uint16_t len);
void mb_write_andx_req(struct mb *m, uint8_t next, size_t *andx_at, uint16_t fid, const uint8_t *data,
                       uint16_t len);
void mb_nt_create_req(struct mb *m, uint8_t next, size_t *andx_at, const char *name);
void mb_nt_create_rsp(struct mb *m, uint8_t next, size_t *andx_at, uint16_t fid, uint32_t size);

/* ---- a whole core (smb1_core.h) with a recording emitter (smb1_rig.c) -- */

/* every record the core writes, as "{type k=v k=v}\n" lines in log */
struct rig {
    struct limits lim;
    struct file_pool pool;
    struct emitter em;
    struct conn_ref conn;
    struct smb1_core k;
    char log[65536];
    size_t n;
    int records;
};

/* a core with the default limits, connection "C1" (free() it after rig_end) */
struct rig *rig_new(void);
/* connection end, then free the core */
void rig_end(struct rig *r);
/* one whole message in pieces of `piece` bytes (0: all at once) */
void rig_send(struct rig *r, enum dir d, const struct mb *m, size_t piece, uint64_t ts);
void sha256_hex(const uint8_t *p, size_t n, char out[65]);
/* file content for the streaming tests: byte i is i * 7 + 3 after rig_fill_data() */
#define RIG_DATA_LEN 3000
extern uint8_t RIG_DATA[RIG_DATA_LEN];
void rig_fill_data(void);
/* how many times needle occurs in hay */
size_t rig_count(const char *hay, const char *needle);
/* some `smb` record of the log contains needle */
bool rig_smb_has(const char *log, const char *needle);

/* ---- real fixtures shared by several test files (smb1_harness.c) ------ */

/* zeek/raw_ntlm_in_smb.pcap frame 28: NT_CREATE_ANDX of the named pipe
 * \srvsvc on IPC$ (TID 0x0800, UID 0x0800, PID 1, MID 4) */
extern const uint8_t NTC_REQ_PIPE[100];
/* frame 29: its [MS-SMB] extended response (WordCount 42, 50 words follow):
 * FID 0x4000, ResourceType 2 (message-mode pipe) */
extern const uint8_t NTC_RSP_PIPE[135];
/* frame 31: a DCE/RPC bind (72 bytes at offset 84) through TRANSACT_NMPIPE on
 * FID 0x4000 (MID 5) */
extern const uint8_t TRANS_PIPE_REQ[156];

#endif
