/* smb1_util: header parsing, message windows, wire strings and small helpers
 * shared by every SMB1 command file. Spec: [MS-CIFS] 2.2.3.1 (header),
 * 2.2.3.2/2.2.3.3 (parameter and data blocks), 2.2.1.1 (strings). */
#include "smb1.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "files.h"
#include "str.h"

bool smb1_hdr_parse(struct rd *r, struct smb1_hdr *h)
{
    memset(h, 0, sizeof *h);
    const uint8_t *magic = rd_bytes(r, 4);
    if (!magic || memcmp(magic, "\xffSMB", 4) != 0)
        return false;
    h->cmd = rd_u8(r);
    h->status = rd_u32le(r);
    h->flags = rd_u8(r);
    h->flags2 = rd_u16le(r);
    uint16_t pid_high = rd_u16le(r);
    rd_copy(r, h->sig, sizeof h->sig);
    rd_u16le(r); /* reserved */
    h->tid = rd_u16le(r);
    uint16_t pid_low = rd_u16le(r);
    h->uid = rd_u16le(r);
    h->mid = rd_u16le(r);
    h->pid = (uint32_t)pid_high << 16 | pid_low;
    h->is_rsp = (h->flags & SMB1_FLAGS_REPLY) != 0;
    h->unicode = (h->flags2 & SMB1_FLAGS2_UNICODE) != 0;
    h->nt_status = (h->flags2 & SMB1_FLAGS2_NT_STATUS) != 0;
    return rd_ok(r);
}

struct smb1_msgview smb1_msgview_plain(const uint8_t *buf, size_t len)
{
    struct smb1_msgview mv = {.buf = buf, .len = len, .valid = len, .elide_at = len, .elide_len = 0};
    return mv;
}

struct rd smb1_msg_window(const struct smb1_link *l, size_t abs_off, size_t len)
{
    const struct smb1_msgview *mv = l->mv;
    struct rd bad = rd_init_at(NULL, 0, abs_off);
    bad.err = true;
    if (!mv || abs_off > mv->valid || len > mv->valid - abs_off)
        return bad;
    size_t end = abs_off + len;
    size_t el_end = mv->elide_at + mv->elide_len;
    if (abs_off < el_end && end > mv->elide_at && mv->elide_len)
        return bad; /* the window touches streamed data that was not kept */
    size_t phys = abs_off >= el_end ? abs_off - mv->elide_len : abs_off;
    return rd_init_at(mv->buf + phys, len, abs_off);
}

uint64_t smb1_data_bound(const struct smb1_link *l, size_t off, uint64_t n)
{
    size_t len = l->mv ? l->mv->len : 0;
    if (off >= len)
        return 0;
    return n < len - off ? n : len - off;
}

/* the largest window starting at abs_off that is all there (up to the elision or the end) */
static struct rd msg_tail(const struct smb1_msgview *mv, size_t abs_off)
{
    struct rd bad = rd_init_at(NULL, 0, abs_off);
    bad.err = true;
    if (abs_off > mv->valid)
        return bad;
    size_t el_end = mv->elide_at + mv->elide_len;
    if (mv->elide_len && abs_off >= mv->elide_at && abs_off < el_end)
        return bad;
    size_t stop = (mv->elide_len && abs_off < mv->elide_at) ? mv->elide_at : mv->valid;
    if (stop > mv->valid)
        stop = mv->valid;
    size_t phys = (mv->elide_len && abs_off >= el_end) ? abs_off - mv->elide_len : abs_off;
    return rd_init_at(mv->buf + phys, stop - abs_off, abs_off);
}

bool smb1_link_at(struct smb1_link *l, const struct smb1_msgview *mv, uint8_t cmd, size_t abs_off)
{
    l->mv = mv;
    l->cmd = cmd;
    l->at = abs_off;
    struct rd r = msg_tail(mv, abs_off);
    l->wct = rd_u8(&r);
    l->words = rd_sub(&r, 2u * l->wct);
    if (!rd_ok(&r)) {
        l->bcc = 0;
        l->bytes = rd_init_at(NULL, 0, abs_off);
        return false;
    }
    l->bcc = rd_u16le(&r);
    /* keep what exists of the data block: a cut message still yields its start */
    size_t have = rd_left(&r);
    l->bytes = rd_sub(&r, l->bcc <= have ? l->bcc : have);
    return true;
}

static const char *conv(struct smb1_link *l, const uint8_t *p, size_t n, bool unicode)
{
    size_t cap = l->c && l->c->lim ? l->c->lim->str_max + 1 : 1025;
    char *tmp = malloc(cap);
    if (!tmp)
        abort();
    size_t len = unicode ? str_utf16le_to_utf8(p, n, tmp, cap) : str_oem_to_utf8(p, n, tmp, cap);
    const char *s = ev_strdup(l->ev, tmp, len);
    free(tmp);
    return s;
}

const char *smb1_str(struct smb1_link *l, struct rd *r, bool unicode, bool align)
{
    if (unicode && align)
        rd_align(r, 2);
    if (!rd_ok(r))
        return ev_strdup(l->ev, "", 0);
    size_t start = rd_pos(r), n = 0;
    const size_t unit = unicode ? 2 : 1;
    for (;;) {
        if (rd_left(r) < unit) {
            /* no terminator: take what is there (servers do omit it at the end) */
            n = rd_pos(r) - start;
            rd_skip(r, rd_left(r));
            break;
        }
        const uint8_t *c = rd_bytes(r, unit);
        if (c[0] == 0 && (unit == 1 || c[1] == 0)) {
            n = rd_pos(r) - start - unit;
            break;
        }
    }
    return conv(l, r->p + start, n, unicode);
}

const char *smb1_strn(struct smb1_link *l, struct rd *r, size_t n, bool unicode)
{
    const uint8_t *p = rd_bytes(r, n);
    if (!p)
        return ev_strdup(l->ev, "", 0);
    /* a counted string may still carry its terminator */
    size_t unit = unicode ? 2 : 1;
    while (n >= unit && p[n - 1] == 0 && (unit == 1 || p[n - 2] == 0))
        n -= unit;
    return conv(l, p, n, unicode);
}

void smb1_anomaly(struct smb1_link *l, const char *name, const char *fmt, ...)
{
    char buf[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    char cname[24];
    emit_anomaly(l->c->em, l->ts_us, l->c->conn, name, "%s mid=%u: %s",
                 smb1_cmd_name(l->cmd, cname, sizeof cname), l->h ? l->h->mid : 0, buf);
}

bool smb1_range_fits(struct smb1_link *l, uint16_t fid, uint64_t off, uint64_t len)
{
    if (off <= FILE_OFFSET_END && len <= FILE_OFFSET_END - off)
        return true;
    /* exact, even where the end wraps past 2^64 (a 64-bit offset plus a
     * 32-bit length fits in 2^64 + 2^32) */
    char end[48];
    if (len <= UINT64_MAX - off)
        snprintf(end, sizeof end, "%" PRIu64, off + len);
    else
        snprintf(end, sizeof end, "2^64 + %" PRIu64, len - (UINT64_MAX - off) - 1);
    smb1_anomaly(l, "offset_out_of_range",
                 "fid 0x%04x: offset %" PRIu64 " + %" PRIu64 " bytes ends at %s, past %" PRIu64
                 " (no file holds a byte there); data there is not tracked",
                 fid, off, len, end, FILE_OFFSET_END);
    return false;
}

bool smb1_size_fits(struct smb1_link *l, uint16_t fid, uint64_t size)
{
    if (size <= FILE_OFFSET_END)
        return true;
    smb1_anomaly(l, "offset_out_of_range",
                 "fid 0x%04x: size %" PRIu64 " is past %" PRIu64 " (a file size is signed 64-bit); not used",
                 fid, size, FILE_OFFSET_END);
    return false;
}

const char *smb1_cmd_name(uint8_t cmd, char *scratch, size_t cap)
{
    if (smb1_cmds[cmd].name)
        return smb1_cmds[cmd].name;
    snprintf(scratch, cap, "COM_0x%02x", cmd);
    return scratch;
}

void strlist_add(struct strlist *l, const char *s)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->v[i], s) == 0)
            return;
    if (l->n >= STRLIST_MAX) {
        l->omitted++;
        return;
    }
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 4;
        char **v = realloc(l->v, cap * sizeof *v);
        if (!v)
            abort();
        l->bytes += (cap - l->cap) * sizeof *v + (l->cap ? 0 : MB_OVERHEAD);
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n] = strdup(s);
    if (!l->v[l->n])
        abort();
    l->bytes += strlen(s) + 1 + MB_OVERHEAD;
    l->n++;
}

void strlist_free(struct strlist *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    memset(l, 0, sizeof *l);
}
