/* smb1_harness: see smb1_harness.h. */
#include "smb1_harness.h"

#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- capture ------------------------------------------------------------ */

struct sbuf {
    char *s;
    size_t n, cap;
};

static void sb_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    ck_assert_int_ge(k, 0);
    if (b->n + (size_t)k + 1 > b->cap) {
        b->cap = (b->n + (size_t)k + 1) * 2;
        b->s = realloc(b->s, b->cap);
        ck_assert_ptr_nonnull(b->s);
    }
    va_start(ap, fmt);
    vsnprintf(b->s + b->n, b->cap - b->n, fmt, ap);
    va_end(ap);
    b->n += (size_t)k;
}

static void put_fields(struct sbuf *b, const struct fieldset *fs)
{
    for (size_t i = 0; i < fs->n; i++) {
        const struct field *f = &fs->f[i];
        sb_printf(b, " %s=", f->name);
        switch (f->kind) {
        case F_NULL: sb_printf(b, "null"); break;
        case F_BOOL: sb_printf(b, "%s", f->v.b ? "true" : "false"); break;
        case F_INT: sb_printf(b, "%lld", (long long)f->v.i); break;
        case F_UINT: sb_printf(b, "%llu", (unsigned long long)f->v.u); break;
        case F_TS: sb_printf(b, "@%llu", (unsigned long long)f->v.u); break;
        case F_STR: sb_printf(b, "\"%s\"", f->v.s); break;
        case F_STRV:
            sb_printf(b, "[");
            for (size_t k = 0; k < f->v.sv.n; k++)
                sb_printf(b, "%s\"%s\"", k ? "," : "", f->v.sv.v[k]);
            sb_printf(b, "]");
            break;
        case F_RANGES:
            sb_printf(b, "[");
            for (size_t k = 0; k < f->v.rg.n; k++)
                sb_printf(b, "%s%llu-%llu", k ? "," : "", (unsigned long long)f->v.rg.r[k][0],
                          (unsigned long long)f->v.rg.r[k][1]);
            sb_printf(b, "]");
            break;
        case F_OBJ:
            sb_printf(b, "{");
            put_fields(b, f->v.obj);
            sb_printf(b, " }");
            break;
        }
    }
}

static void capture(void *u, const struct event *e)
{
    struct th *t = u;
    struct sbuf b = {0};
    sb_printf(&b, "%s ts=%llu", ev_type_name(e->type), (unsigned long long)e->ts_us);
    put_fields(&b, &e->top);
    if (t->n_out == t->cap_out) {
        t->cap_out = t->cap_out ? t->cap_out * 2 : 16;
        t->out = realloc(t->out, t->cap_out * sizeof *t->out);
        ck_assert_ptr_nonnull(t->out);
    }
    t->out[t->n_out++] = b.s;
}

void th_init(struct th *t)
{
    memset(t, 0, sizeof *t);
    t->ref.num = 1;
    snprintf(t->ref.id, sizeof t->ref.id, "C1");
    t->ref.start_us = TS_REQ;
    t->em.emit = capture;
    t->em.u = t;
    t->lim = limits_default();
    t->pool.lim = &t->lim;
    t->c.conn = &t->ref;
    t->c.em = &t->em;
    t->c.lim = &t->lim;
    t->c.files = &t->pool;
}

void th_end(struct th *t)
{
    smb1_state_end(&t->c, TS_RSP + 1);
    ck_assert_ptr_null(t->c.opens);
    ck_assert_ptr_null(t->c.sessions);
    ck_assert_ptr_null(t->c.trees);
    ck_assert_uint_eq(t->c.n_opens, 0);
    for (size_t i = 0; i < t->n_out; i++)
        free(t->out[i]);
    free(t->out);
    t->out = NULL;
    t->n_out = t->cap_out = 0;
}

const char *th_find(const struct th *t, const char *prefix)
{
    size_t k = strlen(prefix);
    for (size_t i = 0; i < t->n_out; i++)
        if (strncmp(t->out[i], prefix, k) == 0)
            return t->out[i];
    return NULL;
}

size_t th_count(const struct th *t, const char *prefix)
{
    size_t k = strlen(prefix), n = 0;
    for (size_t i = 0; i < t->n_out; i++)
        n += strncmp(t->out[i], prefix, k) == 0;
    return n;
}

bool th_line_has(const struct th *t, const char *prefix, const char *needle)
{
    size_t k = strlen(prefix);
    for (size_t i = 0; i < t->n_out; i++)
        if (strncmp(t->out[i], prefix, k) == 0 && strstr(t->out[i], needle))
            return true;
    return false;
}

/* ---- running handlers --------------------------------------------------- */

void th_tree(struct smb1_conn *c, uint16_t tid, const char *path, const char *service)
{
    struct smb1_tree *tr = smb1_tree_get(c, tid, true);
    ck_assert_ptr_nonnull(tr);
    tr->path = path ? strdup(path) : NULL;
    tr->service = service ? strdup(service) : NULL;
}

void th_open_file(struct th *t, uint16_t tid, const char *share, const char *service, uint16_t fid,
                  const char *name, uint64_t size)
{
    th_tree(&t->c, tid, share, service);
    struct smb1_open *o = smb1_open_add(&t->c, fid, 0, tid, name, TS_REQ - 10);
    ck_assert_ptr_nonnull(o);
    o->size_known = true;
    o->size = size;
    file_set_size(o->ft, size);
}

void tx_init(struct th *t, struct smb1_pending *p)
{
    memset(p, 0, sizeof *p);
    ev_init(&p->ev, EV_SMB, TS_REQ, &t->ref);
}

void tx_free(struct smb1_pending *p)
{
    smb1_req_free(p);
    ev_free(&p->ev);
}

/* set up the link the core would build for the first command at offset 32 */
static bool make_link(struct th *t, struct smb1_pending *p, struct smb1_hdr *h, struct smb1_msgview *mv,
                      struct smb1_link *l, const uint8_t *msg, size_t full, size_t len, uint64_t ts)
{
    ck_assert_uint_ge(full, SMB1_HDR_LEN);
    ck_assert_uint_le(len, full);
    struct rd r = rd_init(msg, full);
    ck_assert(smb1_hdr_parse(&r, h));
    /* a copy of exactly len bytes, so reading past the cut is an ASan error */
    uint8_t *cut = malloc(len ? len : 1);
    ck_assert_ptr_nonnull(cut);
    if (len)
        memcpy(cut, msg, len);
    *mv = smb1_msgview_plain(cut, len);
    mv->len = full; /* the core knows the message's length from NBSS */
    memset(l, 0, sizeof *l);
    l->c = &t->c;
    l->h = h;
    l->p = p;
    l->ev = &p->ev;
    l->ts_us = ts;
    /* the core would not call a handler whose words are missing; the tests
     * do, to be sure handlers never trust wct alone */
    smb1_link_at(l, mv, h->cmd, SMB1_HDR_LEN);
    l->cmd = h->cmd;
    return true;
}

static void run(struct th *t, struct smb1_pending *p, const uint8_t *msg, size_t full, size_t len, bool rsp)
{
    struct smb1_hdr h;
    struct smb1_msgview mv;
    struct smb1_link l;
    make_link(t, p, &h, &mv, &l, msg, full, len, rsp ? TS_RSP : TS_REQ);
    if (!rsp) {
        p->pid = h.pid;
        p->mid = h.mid;
        p->cmd = h.cmd;
        p->uid = h.uid;
        p->tid = h.tid;
        p->ts_us = TS_REQ;
        p->have_request = true;
    } else if (!p->have_request) {
        p->cmd = h.cmd;
    }
    const struct smb1_cmd *c = &smb1_cmds[h.cmd];
    smb1_handler fn = rsp ? c->rsp : c->req;
    if (fn)
        fn(&l);
    free((void *)mv.buf);
}

void th_req(struct th *t, struct smb1_pending *p, const uint8_t *msg, size_t full, size_t len)
{
    run(t, p, msg, full, len, false);
}

void th_rsp(struct th *t, struct smb1_pending *p, const uint8_t *msg, size_t full, size_t len)
{
    run(t, p, msg, full, len, true);
}

bool th_stream(struct th *t, struct smb1_pending *p, const uint8_t *msg, size_t full, size_t len, bool rsp,
               struct smb1_stream *s)
{
    struct smb1_hdr h;
    struct smb1_msgview mv;
    struct smb1_link l;
    make_link(t, p, &h, &mv, &l, msg, full, len, rsp ? TS_RSP : TS_REQ);
    const struct smb1_cmd *c = &smb1_cmds[h.cmd];
    smb1_streamer fn = rsp ? c->rsp_stream : c->req_stream;
    memset(s, 0, sizeof *s);
    bool ok = fn ? fn(&l, s) : false;
    free((void *)mv.buf);
    return ok;
}

void th_exchange(struct th *t, struct smb1_pending *p, const uint8_t *req, size_t req_len, const uint8_t *rsp,
                 size_t rsp_len)
{
    th_req(t, p, req, req_len, req_len);
    th_rsp(t, p, rsp, rsp_len, rsp_len);
}

static void one_cut(void (*setup)(struct th *t), const uint8_t *req, size_t req_len, size_t req_cut,
                    const uint8_t *rsp, size_t rsp_len, size_t rsp_cut)
{
    struct th t;
    th_init(&t);
    if (setup)
        setup(&t);
    struct smb1_pending p;
    tx_init(&t, &p);
    struct smb1_stream s;
    if (req) {
        th_stream(&t, &p, req, req_len, req_cut, false, &s);
        th_req(&t, &p, req, req_len, req_cut);
    }
    if (rsp) {
        th_stream(&t, &p, rsp, rsp_len, rsp_cut, true, &s);
        th_rsp(&t, &p, rsp, rsp_len, rsp_cut);
    }
    tx_free(&p);
    th_end(&t);
}

void th_cuts(void (*setup)(struct th *t), const uint8_t *req, size_t req_len, const uint8_t *rsp,
             size_t rsp_len)
{
    for (size_t cut = 0; req && cut < req_len; cut++)
        one_cut(setup, req, req_len, cut, rsp, rsp_len, rsp_len);
    for (size_t cut = 0; rsp && cut < rsp_len; cut++)
        one_cut(setup, req, req_len, req_len, rsp, rsp_len, cut);
    /* a response whose request was never seen */
    if (rsp)
        one_cut(setup, NULL, 0, 0, rsp, rsp_len, rsp_len);
}

/* ---- fields --------------------------------------------------------------- */

const struct field *f_get(const struct smb1_pending *p, const char *name)
{
    return ev_get(&p->ev, NULL, name);
}

const char *f_str(const struct smb1_pending *p, const char *name)
{
    const struct field *f = f_get(p, name);
    ck_assert_msg(f != NULL, "field %s absent", name);
    ck_assert_msg(f->kind == F_STR, "field %s is not a string (kind %d)", name, f->kind);
    return f->v.s;
}

uint64_t f_uint(const struct smb1_pending *p, const char *name)
{
    const struct field *f = f_get(p, name);
    ck_assert_msg(f != NULL, "field %s absent", name);
    ck_assert_msg(f->kind == F_UINT, "field %s is not a uint (kind %d)", name, f->kind);
    return f->v.u;
}

bool f_bool(const struct smb1_pending *p, const char *name)
{
    const struct field *f = f_get(p, name);
    ck_assert_msg(f != NULL, "field %s absent", name);
    ck_assert_msg(f->kind == F_BOOL, "field %s is not a bool (kind %d)", name, f->kind);
    return f->v.b;
}

bool f_null(const struct smb1_pending *p, const char *name)
{
    const struct field *f = f_get(p, name);
    return f && f->kind == F_NULL;
}

bool f_absent(const struct smb1_pending *p, const char *name)
{
    return f_get(p, name) == NULL;
}

/* ---- builder ---------------------------------------------------------------- */

static void room(struct mb *m, size_t k)
{
    ck_assert_uint_le(m->n + k, sizeof m->b);
}

void mb_u8(struct mb *m, uint8_t v)
{
    room(m, 1);
    m->b[m->n++] = v;
}

void mb_u16(struct mb *m, uint16_t v)
{
    mb_u8(m, (uint8_t)v);
    mb_u8(m, (uint8_t)(v >> 8));
}

void mb_u32(struct mb *m, uint32_t v)
{
    mb_u16(m, (uint16_t)v);
    mb_u16(m, (uint16_t)(v >> 16));
}

void mb_u64(struct mb *m, uint64_t v)
{
    mb_u32(m, (uint32_t)v);
    mb_u32(m, (uint32_t)(v >> 32));
}

void mb_raw(struct mb *m, const void *p, size_t n)
{
    room(m, n);
    memcpy(m->b + m->n, p, n);
    m->n += n;
}

void mb_zero(struct mb *m, size_t n)
{
    room(m, n);
    memset(m->b + m->n, 0, n);
    m->n += n;
}

void mb_pad2(struct mb *m)
{
    if (m->n & 1)
        mb_u8(m, 0);
}

void mb_ustr(struct mb *m, const char *ascii)
{
    for (const char *c = ascii; *c; c++)
        mb_u16(m, (uint8_t)*c);
    mb_u16(m, 0);
}

void mb_astr(struct mb *m, const char *ascii)
{
    mb_raw(m, ascii, strlen(ascii) + 1);
}

void mb_put16_at(struct mb *m, size_t at, uint16_t v)
{
    ck_assert_uint_le(at + 2, m->n);
    m->b[at] = (uint8_t)v;
    m->b[at + 1] = (uint8_t)(v >> 8);
}

void mb_put32_at(struct mb *m, size_t at, uint32_t v)
{
    mb_put16_at(m, at, (uint16_t)v);
    mb_put16_at(m, at + 2, (uint16_t)(v >> 16));
}

void mb_hdr(struct mb *m, uint8_t cmd, uint32_t status, uint8_t flags, uint16_t flags2, uint16_t tid, uint16_t pid,
            uint16_t uid, uint16_t mid)
{
    m->n = 0;
    mb_raw(m, "\xffSMB", 4); /* Protocol */
    mb_u8(m, cmd);           /* Command */
    mb_u32(m, status);       /* Status */
    mb_u8(m, flags);         /* Flags */
    mb_u16(m, flags2);       /* Flags2 */
    mb_u16(m, 0);            /* PIDHigh */
    mb_zero(m, 8);           /* SecurityFeatures */
    mb_u16(m, 0);            /* Reserved */
    mb_u16(m, tid);          /* TID */
    mb_u16(m, pid);          /* PIDLow */
    mb_u16(m, uid);          /* UID */
    mb_u16(m, mid);          /* MID */
}

void mb_words(struct mb *m)
{
    m->wct_at = m->n;
    mb_u8(m, 0);
}

void mb_bytes(struct mb *m)
{
    size_t words = m->n - m->wct_at - 1;
    ck_assert_uint_eq(words % 2, 0);
    m->b[m->wct_at] = (uint8_t)(words / 2);
    m->bcc_at = m->n;
    mb_u16(m, 0);
}

void mb_end(struct mb *m)
{
    mb_put16_at(m, m->bcc_at, (uint16_t)(m->n - m->bcc_at - 2));
}

/* ---- real fixtures shared by several test files ------------------------ */

/* raw_ntlm_in_smb.pcap frame 28: a named pipe on IPC$ */
const uint8_t NTC_REQ_PIPE[] = {
    0xff, 'S', 'M', 'B', 0xa2, 0x00, 0x00, 0x00, 0x00, 0x08, 0x01, 0xc8,
    0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x00,
    0x00, 0x08, 0x01, 0x00, 0x00, 0x08, 0x04, 0x00,    /* TID 0x0800, PID 1, UID 0x0800, MID 4 */
    0x18, 0xff, 0x00, 0x00, 0x00,                      /* WordCount 24, AndX */
    0x00,                                              /* Reserved */
    0x10, 0x00,                                        /* NameLength 16 (with the terminator) */
    0x10, 0x00, 0x00, 0x00,                            /* Flags: extended response */
    0x00, 0x00, 0x00, 0x00,                            /* RootDirectoryFID */
    0x00, 0x00, 0x00, 0xc0,                            /* DesiredAccess: GENERIC_READ|GENERIC_WRITE */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,    /* AllocationSize */
    0x80, 0x00, 0x00, 0x00,                            /* ExtFileAttributes */
    0x03, 0x00, 0x00, 0x00,                            /* ShareAccess */
    0x01, 0x00, 0x00, 0x00,                            /* CreateDisposition: FILE_OPEN */
    0x00, 0x00, 0x00, 0x00,                            /* CreateOptions */
    0x02, 0x00, 0x00, 0x00,                            /* ImpersonationLevel */
    0x00,                                              /* SecurityFlags */
    0x11, 0x00,                                        /* ByteCount 17 */
    0x00,                                              /* Pad */
    '\\', 0, 's', 0, 'r', 0, 'v', 0, 's', 0, 'v', 0, 'c', 0, 0, 0, /* FileName "\srvsvc" */
};

/* raw_ntlm_in_smb.pcap frame 29: [MS-SMB] extended response: WordCount 42,
 * but 50 words of fields follow (a known Windows quirk) */
const uint8_t NTC_RSP_PIPE[] = {
    0xff, 'S', 'M', 'B', 0xa2, 0x00, 0x00, 0x00, 0x00, 0x88, 0x01, 0xc8,
    0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x00,
    0x00, 0x08, 0x01, 0x00, 0x00, 0x08, 0x04, 0x00,
    0x2a,                                              /* WordCount 42 */
    0xff, 0x00, 0x87, 0x00,                            /* AndX */
    0x00,                                              /* OplockLevel */
    0x00, 0x40,                                        /* FID 0x4000 */
    0x01, 0x00, 0x00, 0x00,                            /* CreateAction: opened */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,    /* CreateTime, LastAccessTime */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,    /* LastWriteTime, LastChangeTime */
    0x80, 0x00, 0x00, 0x00,                            /* ExtFileAttributes */
    0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,    /* AllocationSize 4096 */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,    /* EndOfFile 0 */
    0x02, 0x00,                                        /* ResourceType: message-mode pipe */
    0xff, 0x05,                                        /* NMPipeStatus */
    0x00,                                              /* Directory */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,    /* VolumeGUID */
    0, 0, 0, 0, 0, 0, 0, 0,                            /* FileId */
    0x9b, 0x01, 0x12, 0x00,                            /* MaximalAccessRights */
    0x9b, 0x01, 0x12, 0x00,                            /* GuestMaximalAccessRights */
    0x00, 0x00,                                        /* ByteCount */
};

/* raw_ntlm_in_smb.pcap frame 31: a DCE/RPC bind through TRANSACT_NMPIPE */
const uint8_t TRANS_PIPE_REQ[] = {
    0xff, 'S', 'M', 'B', 0x25, 0x00, 0x00, 0x00, 0x00, /* TRANSACTION */
    0x08, 0x01, 0xc8,
    0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x00,
    0x00, 0x08, 0x01, 0x00, 0x00, 0x08, 0x05, 0x00,    /* TID 0x0800, PID 1, UID 0x0800, MID 5 */
    0x10,                                              /* WordCount 16 (14 + 2 setup words) */
    0x00, 0x00,                                        /* TotalParameterCount */
    0x48, 0x00,                                        /* TotalDataCount 72 */
    0x00, 0x00,                                        /* MaxParameterCount */
    0x00, 0x10,                                        /* MaxDataCount 4096 */
    0x00, 0x00,                                        /* MaxSetupCount, Reserved1 */
    0x00, 0x00,                                        /* Flags */
    0x00, 0x00, 0x00, 0x00,                            /* Timeout */
    0x00, 0x00,                                        /* Reserved2 */
    0x00, 0x00,                                        /* ParameterCount */
    0x54, 0x00,                                        /* ParameterOffset 84 */
    0x48, 0x00,                                        /* DataCount 72 */
    0x54, 0x00,                                        /* DataOffset 84 */
    0x02, 0x00,                                        /* SetupCount 2, Reserved3 */
    0x26, 0x00,                                        /* Setup[0]: TRANS_TRANSACT_NMPIPE */
    0x00, 0x40,                                        /* Setup[1]: FID 0x4000 */
    0x59, 0x00,                                        /* ByteCount 89 */
    0x00,                                              /* Pad: Name to an even offset */
    '\\', 0, 'P', 0, 'I', 0, 'P', 0, 'E', 0, '\\', 0, 0, 0, /* Name "\PIPE\" */
    0x00, 0x00,                                        /* Pad2 */
    0x05, 0x00, 0x0b, 0x03, 0x10, 0x00, 0x00, 0x00, 0x48, 0x00, 0x00, 0x00, /* Data: DCE/RPC bind */
    0x03, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0xc8, 0x4f, 0x32, 0x4b,
    0x70, 0x16, 0xd3, 0x01, 0x12, 0x78, 0x5a, 0x47, 0xbf, 0x6e, 0xe1, 0x88,
    0x03, 0x00, 0x00, 0x00, 0x04, 0x5d, 0x88, 0x8a, 0xeb, 0x1c, 0xc9, 0x11,
    0x9f, 0xe8, 0x08, 0x00, 0x2b, 0x10, 0x48, 0x60, 0x02, 0x00, 0x00, 0x00,
};
