/* pcapview: classic pcap records as views into a buffer refilled with large
 * reads (see pcapview.h). Spec: pcap-savefile(5); libpcap 1.10 sf-pcap.c for
 * how damaged records are treated. */
#include "pcapview.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rd.h"

#define REC_HDR 16u
/* have() can only gather a record the buffer can hold: a larger one would
 * read as truncated instead of failing the caplen check */
_Static_assert(PCAPVIEW_BUF_BYTES >= REC_HDR + PCAPVIEW_MAX_CAPLEN, "the buffer holds the largest record");

struct pcapview {
    pcapview_read_fn read;
    void *u;
    bool swapped, nsec;
    unsigned minor;
    uint32_t snapshot;
    uint8_t *buf;
    size_t len, off;            /* bytes in buf; the next record's start */
    bool eof, failed;
    int err_no;
};

ssize_t pcapview_read_file(void *file, void *buf, size_t n, int *err_no)
{
    FILE *f = file;
    size_t got = fread(buf, 1, n, f);
    if (got == 0 && ferror(f)) {
        *err_no = errno ? errno : EIO;
        return -1;
    }
    return (ssize_t)got;
}

struct pcapview *pcapview_new(pcapview_read_fn read, void *u, bool swapped, bool nsec, unsigned minor,
                              uint32_t snapshot)
{
    struct pcapview *v = calloc(1, sizeof *v);
    if (!v || !(v->buf = malloc(PCAPVIEW_BUF_BYTES))) {
        free(v);
        return NULL;
    }
    v->read = read;
    v->u = u;
    v->swapped = swapped;
    v->nsec = nsec;
    v->minor = minor;
    v->snapshot = snapshot;
    return v;
}

void pcapview_free(struct pcapview *v)
{
    if (v)
        free(v->buf);
    free(v);
}

/* at least n bytes from off on, unless the input ends (or fails) first;
 * returns how many there are */
static size_t have(struct pcapview *v, size_t n)
{
    if (v->len - v->off >= n || v->eof || v->failed)
        return v->len - v->off;
    /* keep the partial record, move it to the front, fill the rest */
    memmove(v->buf, v->buf + v->off, v->len - v->off);
    v->len -= v->off;
    v->off = 0;
    while (v->len < n && !v->eof && !v->failed) {
        int e = 0;
        ssize_t got = v->read(v->u, v->buf + v->len, PCAPVIEW_BUF_BYTES - v->len, &e);
        if (got < 0) {
            v->failed = true;
            v->err_no = e ? e : EIO;
        } else if (got == 0) {
            v->eof = true;
        } else {
            v->len += (size_t)got;
        }
    }
    return v->len - v->off;
}

/* a header field in the file's byte order */
static uint32_t u32(const struct pcapview *v, struct rd *r)
{
    uint32_t le = rd_u32le(r);
    return v->swapped ? __builtin_bswap32(le) : le;
}

static int read_error(const struct pcapview *v, char *err, size_t errlen)
{
    snprintf(err, errlen, "error reading dump file: %s", strerror(v->err_no));
    return -1;
}

int pcapview_next(struct pcapview *v, struct pcapview_rec *r, char *err, size_t errlen)
{
    size_t n = have(v, REC_HDR);
    if (n < REC_HDR) {
        if (v->failed)
            return read_error(v, err, errlen);
        if (n == 0)
            return 0;
        snprintf(err, errlen, "truncated dump file; tried to read %u header bytes, only got %zu", REC_HDR, n);
        return -1;
    }
    struct rd h = rd_init(v->buf + v->off, REC_HDR);
    uint32_t sec = u32(v, &h), frac = u32(v, &h), caplen = u32(v, &h), len = u32(v, &h);
    /* libpcap keeps a native file's fields as signed 32-bit values and a
     * swapped file's as the unsigned result of its swap */
    r->sec = v->swapped ? (int64_t)sec : (int64_t)(int32_t)sec;
    r->usec = v->swapped ? (int64_t)frac : (int64_t)(int32_t)frac;
    if (v->nsec)
        r->usec /= 1000;
    if (v->minor < 3 || (v->minor == 3 && caplen > len)) {
        uint32_t t = caplen;
        caplen = len;
        len = t;
    }
    if (caplen > PCAPVIEW_MAX_CAPLEN) {
        if (caplen > v->snapshot)
            snprintf(err, errlen, "invalid packet capture length %u, bigger than snaplen of %d", caplen,
                     (int)v->snapshot);
        else
            snprintf(err, errlen, "invalid packet capture length %u, bigger than maximum of %u", caplen,
                     PCAPVIEW_MAX_CAPLEN);
        return -1;
    }
    n = have(v, REC_HDR + (size_t)caplen) - REC_HDR;
    if (n < caplen) {
        if (v->failed)
            return read_error(v, err, errlen);
        /* libpcap names the snapshot when even that much was missing */
        uint32_t tried = caplen > v->snapshot && n < v->snapshot ? v->snapshot : caplen;
        snprintf(err, errlen, "truncated dump file; tried to read %u captured bytes, only got %zu", tried, n);
        return -1;
    }
    r->data = v->buf + v->off + REC_HDR;
    r->caplen = caplen > v->snapshot ? v->snapshot : caplen; /* the rest of a record past the snapshot is skipped */
    r->len = len;
    v->off += REC_HDR + (size_t)caplen;
    return 1;
}
