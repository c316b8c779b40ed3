/* smb1_rig: the whole-core half of the SMB1 test harness (declared in
 * smb1_harness.h): AndX links for messages built with struct mb, and a core
 * (smb1_core.h) whose records land in a text log the tests search.
 * Spec: [MS-CIFS] 2.2.3 (message structure), 2.2.4.41-43, 2.2.4.64. */
#include "smb1_harness.h"

#include <check.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- SMB1 messages for the core tests ---------------------------------- */

void mb_hdr_oem(struct mb *m, uint8_t cmd, bool rsp, uint32_t status, uint16_t tid, uint16_t uid, uint16_t mid)
{
    /* FLAGS: the reply bit; FLAGS2: NT status, long names, OEM strings */
    mb_hdr(m, cmd, status, rsp ? 0x80 : 0x00, 0x4001, tid, 0x1234, uid, mid);
}

void mb_wct(struct mb *m, uint8_t wct) { m->wct_at = m->n; mb_u8(m, wct); }
void mb_bcc(struct mb *m) { m->bcc_at = m->n; mb_u16(m, 0); }
/* AndX header words: next command at `off` (patched later with mb_set_andx) */
size_t mb_andx(struct mb *m, uint8_t next)
{
    mb_u8(m, next); mb_u8(m, 0);
    size_t at = m->n;
    mb_u16(m, 0);
    return at;
}
void mb_set_andx(struct mb *m, size_t at, size_t off)
{
    mb_put16_at(m, at, (uint16_t)off);
}

void mb_open_andx_req(struct mb *m, uint8_t next, size_t *andx_at, const char *name)
{
    mb_wct(m, 15);
    *andx_at = mb_andx(m, next);
    mb_u16(m, 0);                      /* Flags */
    mb_u16(m, 0x0040);                 /* AccessMode: read, deny none */
    mb_u16(m, 0x0016);                 /* SearchAttrs */
    mb_u16(m, 0);                      /* FileAttrs */
    mb_u32(m, 0);                      /* CreationTime */
    mb_u16(m, 0x0001);                 /* OpenMode: open if exists, else fail */
    mb_u32(m, 0);                      /* AllocationSize */
    mb_u32(m, 0);                      /* Timeout */
    mb_zero(m, 4);                     /* Reserved */
    mb_bcc(m);
    for (const char *p = name; *p; p++)
        mb_u8(m, (uint8_t)*p);
    mb_u8(m, 0);
    mb_end(m);
}

void mb_open_andx_rsp(struct mb *m, uint8_t next, size_t *andx_at, uint16_t fid, uint32_t size)
{
    mb_wct(m, 15);
    *andx_at = mb_andx(m, next);
    mb_u16(m, fid);
    mb_u16(m, 0);                      /* FileAttrs */
    mb_u32(m, 0);                      /* LastWriteTime */
    mb_u32(m, size);                   /* FileDataSize */
    mb_u16(m, 0);                      /* AccessRights */
    mb_u16(m, 0);                      /* ResourceType: disk */
    mb_u16(m, 0);                      /* NMPipeStatus */
    mb_u16(m, 1);                      /* OpenResults: opened */
    mb_zero(m, 6);                     /* Reserved */
    mb_bcc(m);
    mb_end(m);
}

void mb_read_andx_req(struct mb *m, uint16_t fid, uint32_t off, uint16_t count)
{
    mb_wct(m, 12);
    mb_andx(m, 0xff);
    mb_u16(m, fid);
    mb_u32(m, off);
    mb_u16(m, count);                  /* MaxCountOfBytesToReturn */
    mb_u16(m, count);                  /* MinCount */
    mb_u32(m, 0);                      /* Timeout / MaxCountHigh */
    mb_u16(m, 0);                      /* Remaining */
    mb_u32(m, 0);                      /* OffsetHigh */
    mb_bcc(m);
    mb_end(m);
}

/* data sits after a 1-byte pad: DataOffset = 60 when this is the first link */
void mb_read_andx_rsp(struct mb *m, const uint8_t *data, uint16_t len)
{
    mb_wct(m, 12);
    mb_andx(m, 0xff);
    mb_u16(m, 0xffff);                 /* Available */
    mb_u16(m, 0);                      /* DataCompactionMode */
    mb_u16(m, 0);                      /* Reserved1 */
    mb_u16(m, len);                    /* DataLength */
    size_t off_at = m->n;
    mb_u16(m, 0);                      /* DataOffset, patched */
    mb_u16(m, 0);                      /* DataLengthHigh */
    mb_zero(m, 8);                     /* Reserved2 */
    mb_bcc(m);
    mb_u8(m, 0);                       /* Pad */
    mb_put16_at(m, off_at, (uint16_t)m->n);
    mb_raw(m, data, len);
    mb_end(m);
}

void mb_write_andx_req(struct mb *m, uint8_t next, size_t *andx_at, uint16_t fid, const uint8_t *data,
                       uint16_t len)
{
    mb_wct(m, 12);
    *andx_at = mb_andx(m, next);
    mb_u16(m, fid);
    mb_u32(m, 0);                      /* Offset */
    mb_u32(m, 0);                      /* Timeout */
    mb_u16(m, 0);                      /* WriteMode */
    mb_u16(m, 0);                      /* Remaining */
    mb_u16(m, 0);                      /* DataLengthHigh */
    mb_u16(m, len);                    /* DataLength */
    size_t off_at = m->n;
    mb_u16(m, 0);                      /* DataOffset, patched */
    mb_bcc(m);
    mb_u8(m, 0);                       /* Pad */
    mb_put16_at(m, off_at, (uint16_t)m->n);
    mb_raw(m, data, len);
    mb_end(m);
}

/* ---- a core with a recording emitter -------------------------------------- */

static void put_field(struct rig *r, const struct field *f)
{
    switch (f->kind) {
    case F_STR: r->n += (size_t)snprintf(r->log + r->n, sizeof r->log - r->n, " %s=%s", f->name, f->v.s); break;
    case F_UINT: r->n += (size_t)snprintf(r->log + r->n, sizeof r->log - r->n, " %s=%llu", f->name, (unsigned long long)f->v.u); break;
    case F_BOOL: r->n += (size_t)snprintf(r->log + r->n, sizeof r->log - r->n, " %s=%d", f->name, f->v.b); break;
    case F_NULL: r->n += (size_t)snprintf(r->log + r->n, sizeof r->log - r->n, " %s=null", f->name); break;
    case F_RANGES:
        r->n += (size_t)snprintf(r->log + r->n, sizeof r->log - r->n, " %s=", f->name);
        for (size_t i = 0; i < f->v.rg.n; i++)
            r->n += (size_t)snprintf(r->log + r->n, sizeof r->log - r->n, "[%llu,%llu)",
                                     (unsigned long long)f->v.rg.r[i][0], (unsigned long long)f->v.rg.r[i][1]);
        break;
    default: break;
    }
}

static void on_emit(void *u, const struct event *e)
{
    struct rig *r = u;
    r->records++;
    r->n += (size_t)snprintf(r->log + r->n, sizeof r->log - r->n, "{%s", ev_type_name(e->type));
    for (size_t i = 0; i < e->top.n; i++)
        put_field(r, &e->top.f[i]);
    r->n += (size_t)snprintf(r->log + r->n, sizeof r->log - r->n, "}\n");
}

struct rig *rig_new(void)
{
    struct rig *r = calloc(1, sizeof *r);
    r->lim = limits_default();
    r->pool.lim = &r->lim;
    r->em.emit = on_emit;
    r->em.u = r;
    strcpy(r->conn.id, "C1");
    smb1_core_init(&r->k, &r->conn, &r->em, &r->lim, &r->pool, false);
    return r;
}

void rig_end(struct rig *r)
{
    smb1_core_end(&r->k, 999);
    smb1_core_free(&r->k);
}

/* one whole message in pieces of `piece` bytes (0: all at once) */
void rig_send(struct rig *r, enum dir d, const struct mb *m, size_t piece, uint64_t ts)
{
    smb1_msg_begin(&r->k, d, m->n, ts);
    size_t step = piece ? piece : m->n;
    for (size_t i = 0; i < m->n; i += step)
        smb1_msg_data(&r->k, d, m->b + i, m->n - i < step ? m->n - i : step, ts);
    smb1_msg_end(&r->k, d, true, ts);
}

void sha256_hex(const uint8_t *p, size_t n, char out[65])
{
    uint8_t md[32];
    unsigned len = 0;
    EVP_Digest(p, n, md, &len, EVP_sha256(), NULL);
    for (int i = 0; i < 32; i++)
        sprintf(out + 2 * i, "%02x", md[i]);
}

uint8_t RIG_DATA[RIG_DATA_LEN];

void rig_fill_data(void)
{
    for (size_t i = 0; i < sizeof RIG_DATA; i++)
        RIG_DATA[i] = (uint8_t)(i * 7 + 3);
}

size_t rig_count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p++)
        n++;
    return n;
}

/* some `smb` record of the log contains needle */
bool rig_smb_has(const char *log, const char *needle)
{
    for (const char *l = log; (l = strstr(l, "{smb ")); l++) {
        const char *end = strchr(l, '}');
        const char *hit = strstr(l, needle);
        if (hit && end && hit < end)
            return true;
    }
    return false;
}

void mb_nt_create_req(struct mb *m, uint8_t next, size_t *andx_at, const char *name)
{
    mb_wct(m, 24);
    *andx_at = mb_andx(m, next);
    mb_u8(m, 0);                       /* Reserved */
    mb_u16(m, (uint16_t)strlen(name)); /* NameLength */
    mb_u32(m, 0);                      /* Flags */
    mb_u32(m, 0);                      /* RootDirectoryFID */
    mb_u32(m, 0x00120089);             /* DesiredAccess: read */
    mb_zero(m, 8);                     /* AllocationSize */
    mb_u32(m, 0);                      /* ExtFileAttributes */
    mb_u32(m, 1);                      /* ShareAccess: read */
    mb_u32(m, 1);                      /* CreateDisposition: open */
    mb_u32(m, 0x40);                   /* CreateOptions: non-directory file */
    mb_u32(m, 2);                      /* ImpersonationLevel */
    mb_u8(m, 0);                       /* SecurityFlags */
    mb_bcc(m);
    for (const char *c = name; *c; c++)
        mb_u8(m, (uint8_t)*c);         /* FileName (OEM) */
    mb_u8(m, 0);
    mb_end(m);
}

void mb_nt_create_rsp(struct mb *m, uint8_t next, size_t *andx_at, uint16_t fid, uint32_t size)
{
    mb_wct(m, 34);
    *andx_at = mb_andx(m, next);
    mb_u8(m, 0);                       /* OplockLevel */
    mb_u16(m, fid);                    /* FID */
    mb_u32(m, 1);                      /* CreateDisposition (action): opened */
    mb_zero(m, 32);                    /* CreationTime, LastAccessTime, LastWriteTime, ChangeTime */
    mb_u32(m, 0x80);                   /* ExtFileAttributes: normal */
    mb_u32(m, size); mb_u32(m, 0);     /* AllocationSize */
    mb_u32(m, size); mb_u32(m, 0);     /* EndOfFile */
    mb_u16(m, 0);                      /* ResourceType: disk */
    mb_u16(m, 0);                      /* NMPipeStatus */
    mb_u8(m, 0);                       /* Directory: no */
    mb_bcc(m);
    mb_end(m);
}

void mb_empty_words(struct mb *m) { mb_wct(m, 0); mb_bcc(m); mb_end(m); }
