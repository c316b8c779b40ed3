/* zread: one input as a FILE* of decompressed bytes (gzip, zstd, xz by magic).
 * Spec: RFC 1952, RFC 8878, .xz file format 1.1.0; fopencookie(3) (glibc).
 *
 * libpcap reads a capture from any FILE* (pcap_fopen_offline), so the
 * decompressor is presented as one through fopencookie: the capture is
 * decoded by libpcap as it streams, nothing is written to disk or held whole.
 * The three decoders are the system's libraries (zlib, libzstd, liblzma), not
 * hand-written ones. */
#include "zread.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <lzma.h>
#include <zlib.h>
#include <zstd.h>

/* compressed bytes read from the file at a time */
#define ZREAD_IN_BYTES (64u * 1024u)
/* stdio buffer of the decompressed stream: large enough that a packet record
 * is usually one memcpy, small enough to be nothing next to the decoders */
#define ZREAD_OUT_BYTES (64u * 1024u)
/* Decoder memory per open input. xz's own presets need at most 65 MiB
 * (-9: 64 MiB dictionary) and zstd refuses windows above 2^27 by default
 * (levels up to 19 use at most 8 MiB; --long uses 128 MiB): a crafted header
 * cannot make either allocate more. */
#define ZREAD_XZ_MEMLIMIT ((uint64_t)256 << 20)
#define ZREAD_MAGIC_MAX 6
#define ZREAD_PEEK_MAX 16

struct zread {
    int fd;
    bool close_fd;                      /* false for standard input */
    bool regular;
    enum zread_codec codec;
    char name[256];
    uint8_t magic[ZREAD_MAGIC_MAX];     /* raw bytes read to find the codec, replayed first */
    size_t magic_len, magic_off;
    uint8_t *in;                        /* compressed input buffer */
    size_t in_len, in_off;
    bool in_eof;
    bool at_end;                        /* the decoder ended a member/frame and wants no more */
    z_stream gz;
    ZSTD_DStream *zs;
    lzma_stream xz;
    bool dec_ready;
    uint8_t peek[ZREAD_PEEK_MAX];       /* decompressed bytes peeked, served first */
    size_t peek_len, peek_off;
    uint64_t pos;                       /* decompressed bytes handed to stdio (or, direct, to the caller) */
    bool direct;                        /* zread_read_direct took over: stdio's buffer is drained, unused */
    FILE *f;
    char err[256];
};

const char *zread_codec_name(enum zread_codec c)
{
    switch (c) {
    case ZREAD_GZIP: return "gzip";
    case ZREAD_ZSTD: return "zstd";
    case ZREAD_XZ: return "xz";
    default: return "plain";
    }
}

/* the file's own bytes: the magic first, then read(2) */
static ssize_t raw_read(struct zread *z, uint8_t *buf, size_t n)
{
    if (z->magic_off < z->magic_len) {
        size_t k = z->magic_len - z->magic_off;
        k = k < n ? k : n;
        memcpy(buf, z->magic + z->magic_off, k);
        z->magic_off += k;
        return (ssize_t)k;
    }
    ssize_t r;
    do
        r = read(z->fd, buf, n);
    while (r < 0 && errno == EINTR);
    if (r < 0)
        snprintf(z->err, sizeof z->err, "read error: %s", strerror(errno));
    return r;
}

/* refill the compressed buffer when empty; false on a read error */
static bool fill_in(struct zread *z)
{
    if (z->in_off < z->in_len || z->in_eof)
        return true;
    ssize_t r = raw_read(z, z->in, ZREAD_IN_BYTES);
    if (r < 0)
        return false;
    z->in_len = (size_t)r;
    z->in_off = 0;
    z->in_eof = r == 0;
    return true;
}

static ssize_t fail(struct zread *z, const char *what, const char *detail)
{
    snprintf(z->err, sizeof z->err, "%s data %s after %llu uncompressed bytes%s%s", zread_codec_name(z->codec),
             what, (unsigned long long)z->pos, detail ? ": " : "", detail ? detail : "");
    return -1;
}

/* Each decoder returns bytes produced, 0 at a clean end, -1 with z->err set.
 * A clean end is end of input exactly after a complete member (gzip), frame
 * (zstd) or stream (xz); end of input anywhere else is truncation. Members
 * and frames may follow one another (`cat a.gz b.gz`, pigz, zstd -T). */
static ssize_t gz_decode(struct zread *z, uint8_t *out, size_t n)
{
    for (;;) {
        if (!fill_in(z))
            return -1;
        size_t avail = z->in_len - z->in_off;
        if (avail == 0)
            return z->at_end ? 0 : fail(z, "truncated", NULL);
        if (z->at_end) {
            /* another member follows: start over */
            inflateReset(&z->gz);
            z->at_end = false;
        }
        z->gz.next_in = z->in + z->in_off;
        z->gz.avail_in = (uInt)avail;
        z->gz.next_out = out;
        z->gz.avail_out = (uInt)n;
        int rc = inflate(&z->gz, Z_NO_FLUSH);
        z->in_off = z->in_len - z->gz.avail_in;
        size_t got = n - z->gz.avail_out;
        if (rc == Z_STREAM_END)
            z->at_end = true;
        else if (rc != Z_OK && rc != Z_BUF_ERROR)
            return fail(z, "corrupt", z->gz.msg ? z->gz.msg : zError(rc));
        if (got)
            return (ssize_t)got;
    }
}

static ssize_t zstd_decode(struct zread *z, uint8_t *out, size_t n)
{
    for (;;) {
        if (!fill_in(z))
            return -1;
        size_t avail = z->in_len - z->in_off;
        ZSTD_inBuffer ib = {z->in + z->in_off, avail, 0};
        ZSTD_outBuffer ob = {out, n, 0};
        if (avail == 0 && z->at_end)
            return 0;
        size_t rc = ZSTD_decompressStream(z->zs, &ob, &ib);
        z->in_off += ib.pos;
        if (ZSTD_isError(rc))
            return fail(z, "corrupt", ZSTD_getErrorName(rc));
        /* 0: a frame is complete and flushed */
        z->at_end = rc == 0;
        if (ob.pos)
            return (ssize_t)ob.pos;
        if (avail == 0)
            return fail(z, "truncated", NULL);
    }
}

static ssize_t xz_decode(struct zread *z, uint8_t *out, size_t n)
{
    for (;;) {
        if (!fill_in(z))
            return -1;
        if (z->at_end)
            return 0;
        size_t avail = z->in_len - z->in_off;
        z->xz.next_in = z->in + z->in_off;
        z->xz.avail_in = avail;
        z->xz.next_out = out;
        z->xz.avail_out = n;
        /* LZMA_CONCATENATED: the end of input must be announced with FINISH */
        lzma_ret rc = lzma_code(&z->xz, avail == 0 ? LZMA_FINISH : LZMA_RUN);
        z->in_off = z->in_len - z->xz.avail_in;
        size_t got = n - z->xz.avail_out;
        if (rc == LZMA_STREAM_END)
            z->at_end = true;
        else if (rc == LZMA_BUF_ERROR && avail == 0)
            return got ? (ssize_t)got : fail(z, "truncated", NULL);
        else if (rc == LZMA_MEMLIMIT_ERROR)
            return fail(z, "needs more decoder memory than the limit", "256 MiB");
        else if (rc != LZMA_OK)
            return fail(z, "corrupt", rc == LZMA_FORMAT_ERROR ? "bad header"
                                    : rc == LZMA_DATA_ERROR ? "bad data" : "decoder error");
        if (got)
            return (ssize_t)got;
    }
}

static ssize_t decode(struct zread *z, uint8_t *out, size_t n)
{
    switch (z->codec) {
    case ZREAD_GZIP: return gz_decode(z, out, n);
    case ZREAD_ZSTD: return zstd_decode(z, out, n);
    case ZREAD_XZ: return xz_decode(z, out, n);
    default: return raw_read(z, out, n);
    }
}

static ssize_t cookie_read(void *cookie, char *buf, size_t size)
{
    struct zread *z = cookie;
    ssize_t r;
    if (z->peek_off < z->peek_len) {
        size_t k = z->peek_len - z->peek_off;
        k = k < size ? k : size;
        memcpy(buf, z->peek + z->peek_off, k);
        z->peek_off += k;
        r = (ssize_t)k;
    } else {
        r = decode(z, (uint8_t *)buf, size);
    }
    if (r < 0) {
        errno = EIO;
        return -1;
    }
    z->pos += (uint64_t)r;
    return r;
}

/* only ftell's question (where am I?) is answered: the stream cannot seek */
static int cookie_seek(void *cookie, off64_t *off, int whence)
{
    struct zread *z = cookie;
    if (whence == SEEK_CUR && *off == 0) {
        *off = (off64_t)z->pos;
        return 0;
    }
    errno = ESPIPE;
    return -1;
}

static void release(struct zread *z)
{
    if (z->dec_ready) {
        if (z->codec == ZREAD_GZIP)
            inflateEnd(&z->gz);
        else if (z->codec == ZREAD_ZSTD)
            ZSTD_freeDStream(z->zs);
        else if (z->codec == ZREAD_XZ)
            lzma_end(&z->xz);
        z->dec_ready = false;
    }
    if (z->close_fd && z->fd >= 0)
        close(z->fd);
    z->fd = -1;
    free(z->in);
    z->in = NULL;
}

static int cookie_close(void *cookie)
{
    struct zread *z = cookie;
    release(z);
    z->f = NULL;
    return 0;
}

static enum zread_codec sniff(const uint8_t *m, size_t n)
{
    static const uint8_t gz[] = {0x1f, 0x8b}, zs[] = {0x28, 0xb5, 0x2f, 0xfd},
                         xz[] = {0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00};
    if (n >= sizeof gz && !memcmp(m, gz, sizeof gz))
        return ZREAD_GZIP;
    if (n >= sizeof zs && !memcmp(m, zs, sizeof zs))
        return ZREAD_ZSTD;
    if (n >= sizeof xz && !memcmp(m, xz, sizeof xz))
        return ZREAD_XZ;
    return ZREAD_PLAIN;
}

static bool start_decoder(struct zread *z)
{
    switch (z->codec) {
    case ZREAD_GZIP:
        /* 16 + MAX_WBITS: gzip wrapper only (a bare zlib stream has other magic) */
        z->dec_ready = inflateInit2(&z->gz, 16 + MAX_WBITS) == Z_OK;
        break;
    case ZREAD_ZSTD:
        z->zs = ZSTD_createDStream();
        z->dec_ready = z->zs != NULL;
        break;
    case ZREAD_XZ:
        z->xz = (lzma_stream)LZMA_STREAM_INIT;
        z->dec_ready = lzma_stream_decoder(&z->xz, ZREAD_XZ_MEMLIMIT, LZMA_CONCATENATED) == LZMA_OK;
        break;
    default:
        return true;
    }
    return z->dec_ready;
}

struct zread *zread_open(const char *path, char *err, size_t errlen)
{
    bool is_stdin = strcmp(path, "-") == 0;
    const char *shown = is_stdin ? "standard input" : path;
    struct zread *z = calloc(1, sizeof *z);
    if (!z || !(z->in = malloc(ZREAD_IN_BYTES))) {
        snprintf(err, errlen, "%s: out of memory", shown);
        free(z);
        return NULL;
    }
    snprintf(z->name, sizeof z->name, "%s", shown);
    z->fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
    z->close_fd = !is_stdin;
    if (z->fd < 0) {
        snprintf(err, errlen, "%s: %s", shown, strerror(errno));
        free(z->in);
        free(z);
        return NULL;
    }
    struct stat st;
    if (fstat(z->fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "%s: is a directory", shown);
        release(z);
        free(z);
        return NULL;
    }
    /* standard input is never opened again, even when it is a file (< x.pcap) */
    z->regular = !is_stdin && fstat(z->fd, &st) == 0 && S_ISREG(st.st_mode);
    /* up to the longest magic; a pipe may hand it over in pieces */
    while (z->magic_len < ZREAD_MAGIC_MAX) {
        ssize_t r = read(z->fd, z->magic + z->magic_len, ZREAD_MAGIC_MAX - z->magic_len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            snprintf(err, errlen, "%s: %s", shown, strerror(errno));
            release(z);
            free(z);
            return NULL;
        }
        if (r == 0)
            break;
        z->magic_len += (size_t)r;
    }
    z->codec = sniff(z->magic, z->magic_len);
    cookie_io_functions_t io = {.read = cookie_read, .seek = cookie_seek, .close = cookie_close};
    if (!start_decoder(z) || !(z->f = fopencookie(z, "r", io))) {
        snprintf(err, errlen, "%s: cannot start the %s decoder: out of memory", shown, zread_codec_name(z->codec));
        release(z);
        free(z);
        return NULL;
    }
    setvbuf(z->f, NULL, _IOFBF, ZREAD_OUT_BYTES);
    return z;
}

FILE *zread_file(struct zread *z) { return z->f; }

ssize_t zread_read_direct(void *zr, void *buf, size_t n, int *err_no)
{
    struct zread *z = zr;
    if (!z->f)
        return 0;
    if (!z->direct) {
        /* what stdio holds already (handed over, not yet consumed: its
         * position is behind ours by that much) comes first, from stdio */
        long at = ftell(z->f);
        if (at < 0 || (uint64_t)at > z->pos) {
            *err_no = EIO;
            return -1;
        }
        size_t held = (size_t)(z->pos - (uint64_t)at);
        if (held) {
            size_t k = held < n ? held : n;
            size_t got = fread(buf, 1, k, z->f);
            if (got != k) {
                *err_no = EIO;
                return -1;
            }
            return (ssize_t)got;
        }
        z->direct = true;
    }
    ssize_t r = cookie_read(z, buf, n);
    if (r < 0)
        *err_no = errno ? errno : EIO;
    return r;
}

size_t zread_peek(struct zread *z, uint8_t *buf, size_t n)
{
    n = n < ZREAD_PEEK_MAX ? n : ZREAD_PEEK_MAX;
    while (z->peek_len < n) {
        ssize_t r = decode(z, z->peek + z->peek_len, n - z->peek_len);
        if (r <= 0)
            break;
        z->peek_len += (size_t)r;
    }
    size_t k = z->peek_len < n ? z->peek_len : n;
    memcpy(buf, z->peek, k);
    return k;
}

enum zread_codec zread_codec(const struct zread *z) { return z->codec; }

const char *zread_error(const struct zread *z) { return z->err; }

int zread_is_regular(const struct zread *z) { return z->regular; }

void zread_free(struct zread *z)
{
    if (!z)
        return;
    if (z->f)
        fclose(z->f); /* runs cookie_close */
    else
        release(z);
    free(z);
}
