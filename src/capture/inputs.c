/* inputs: many capture files read as one capture, merged by packet time.
 * Spec: pcap-savefile(5), draft-ietf-opsawg-pcapng, pcap-filter(7).
 *
 * Each input is a source: a zread stream (plain or decompressed) read by
 * libpcap (classic pcap) or by pcapng.c (pcapng, whose interfaces may each
 * have their own link type). The merge is k-way on each source's next packet
 * time, ties broken by which input started first, then by input order, so
 * the result is deterministic and one
 * flow (with its SMB state) continues across files rotated by tcpdump -C/-G.
 * A regular file is opened to learn its first packet time, closed, and opened
 * again only when the merge reaches that time, so a directory of a thousand
 * rotated files holds one or two open, not a thousand. */
#include "inputs.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "decode.h"
#include "pcapng.h"
#include "zread.h"

/* the snap length a filter is compiled for (libpcap's MAXIMUM_SNAPLEN);
 * BPF programs only use it for "len" checks past the captured bytes */
#define FILTER_SNAPLEN 262144

enum src_state { SRC_NEW, SRC_PENDING, SRC_ACTIVE, SRC_DONE };

struct src {
    char *path;                       /* what to open ("-": standard input) */
    char *name;                       /* what messages call it */
    size_t index;                     /* order given: breaks time ties */
    int dir;                          /* index of the directory it came from, or -1 */
    bool have_id;
    dev_t dev;
    ino_t ino;
    enum src_state state;
    bool open, ng, regular;
    struct zread *z;
    struct capture *cap;              /* classic pcap, through libpcap */
    struct pcapng_file pf;            /* pcapng, through pcapng.c */
    uint64_t first_ts;                /* first packet's time, before any filter */
    bool have_head;
    struct capture_frame head;        /* the next packet, valid until this source is read again */
    bool warned_link;
};

struct filt {
    int dlt;
    struct bpf_program prog;
};

struct dir {
    char *name;
    size_t captures;
};

struct inputs {
    struct src *s;
    size_t n, cap;
    struct dir *dirs;
    size_t ndirs;
    struct src **pending;             /* sorted by (first_ts, index) */
    size_t npending, next_pending;
    struct src **active;
    size_t nactive;
    struct src *last;                 /* delivered last: read its next packet on the next call */
    size_t max_open;
    FILE *msgs;
    const char *filter;
    struct filt *filts;
    size_t nfilts;
    bool failed, noted_overlap, have_stdin;
};

__attribute__((format(printf, 2, 3))) static void note(struct inputs *in, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("smbscope: ", in->msgs);
    vfprintf(in->msgs, fmt, ap);
    fputc('\n', in->msgs);
    va_end(ap);
}

struct inputs *inputs_new(size_t max_open, FILE *msgs)
{
    struct inputs *in = calloc(1, sizeof *in);
    if (in) {
        in->max_open = max_open ? max_open : 1;
        in->msgs = msgs;
    }
    return in;
}

static struct src *add_src(struct inputs *in, const char *path, const char *name, int dir)
{
    if (in->n == in->cap) {
        size_t cap = in->cap ? in->cap * 2 : 8;
        struct src *s = realloc(in->s, cap * sizeof *s);
        if (!s)
            return NULL;
        in->s = s;
        in->cap = cap;
    }
    struct src *s = &in->s[in->n];
    memset(s, 0, sizeof *s);
    s->path = strdup(path);
    s->name = strdup(name);
    if (!s->path || !s->name) {
        free(s->path);
        free(s->name);
        return NULL;
    }
    s->index = in->n++;
    s->dir = dir;
    struct stat st;
    if ((strcmp(path, "-") ? stat(path, &st) : fstat(STDIN_FILENO, &st)) == 0 && S_ISREG(st.st_mode)) {
        s->have_id = true;
        s->dev = st.st_dev;
        s->ino = st.st_ino;
    }
    return s;
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* a directory's regular files, in name order (the merge orders them by time) */
static void add_dir(struct inputs *in, const char *path)
{
    DIR *d = opendir(path);
    if (!d) {
        note(in, "%s: %s", path, strerror(errno));
        in->failed = true;
        return;
    }
    struct dir *nd = realloc(in->dirs, (in->ndirs + 1) * sizeof *nd);
    if (!nd || !(nd[in->ndirs].name = strdup(path))) {
        in->dirs = nd ? nd : in->dirs;
        note(in, "%s: out of memory", path);
        in->failed = true;
        closedir(d);
        return;
    }
    in->dirs = nd;
    nd[in->ndirs].captures = 0;
    int di = (int)in->ndirs++;
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            char **nn = realloc(names, cap * sizeof *nn);
            if (!nn)
                break;
            names = nn;
        }
        if (!(names[n] = strdup(e->d_name)))
            break;
        n++;
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof *names, cmp_name);
    size_t plen = strlen(path);
    bool slash = plen && path[plen - 1] == '/';
    for (size_t i = 0; i < n; i++) {
        size_t len = plen + 1 + strlen(names[i]) + 1;
        char *full = malloc(len);
        if (full) {
            snprintf(full, len, "%s%s%s", path, slash ? "" : "/", names[i]);
            struct stat st;
            if (stat(full, &st) != 0)
                note(in, "%s: %s (skipped)", full, strerror(errno));
            else if (S_ISDIR(st.st_mode))
                note(in, "%s: a directory, not read (directories are not descended into)", full);
            else if (!S_ISREG(st.st_mode))
                note(in, "%s: not a regular file (skipped)", full);
            else if (!add_src(in, full, full, di))
                note(in, "%s: out of memory", full);
        }
        free(full);
        free(names[i]);
    }
    free(names);
}

bool inputs_add(struct inputs *in, const char *path)
{
    struct stat st;
    if (strcmp(path, "-") == 0) {
        if (in->have_stdin) {
            note(in, "-r -: standard input can be read only once");
            return false;
        }
        in->have_stdin = true;
        if (!add_src(in, path, "standard input", -1))
            note(in, "out of memory");
    } else if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        add_dir(in, path);
    } else if (!add_src(in, path, path, -1)) {
        note(in, "%s: out of memory", path);
    }
    return true;
}

bool inputs_has_file(const struct inputs *in, dev_t dev, ino_t ino)
{
    for (size_t i = 0; i < in->n; i++)
        if (in->s[i].have_id && in->s[i].dev == dev && in->s[i].ino == ino)
            return true;
    return false;
}

/* the filter compiled for link type dlt; NULL (said on msgs) if it does not compile */
static const struct bpf_program *filter_for(struct inputs *in, int dlt, const char *name)
{
    for (size_t i = 0; i < in->nfilts; i++)
        if (in->filts[i].dlt == dlt)
            return &in->filts[i].prog;
    struct filt *nf = realloc(in->filts, (in->nfilts + 1) * sizeof *nf);
    if (!nf) {
        note(in, "%s: out of memory", name);
        return NULL;
    }
    in->filts = nf;
    pcap_t *p = pcap_open_dead(dlt, FILTER_SNAPLEN);
    struct filt *f = &nf[in->nfilts];
    f->dlt = dlt;
    if (!p || pcap_compile(p, &f->prog, in->filter, 1, PCAP_NETMASK_UNKNOWN) < 0) {
        note(in, "filter '%s': bad capture filter \"%s\" for link type %d (%s): %s", in->filter, in->filter, dlt,
             name, p ? pcap_geterr(p) : "out of memory");
        if (p)
            pcap_close(p);
        return NULL;
    }
    pcap_close(p);
    return &nf[in->nfilts++].prog;
}

/* 1 keep, 0 filtered out, -1 the filter does not compile for this link type */
static int filter_pass(struct inputs *in, const struct src *s, const struct capture_frame *f)
{
    if (!in->filter)
        return 1;
    const struct bpf_program *prog = filter_for(in, f->dlt, s->name);
    if (!prog)
        return -1;
    struct pcap_pkthdr h = {.caplen = (bpf_u_int32)f->caplen, .len = (bpf_u_int32)f->wirelen};
    return pcap_offline_filter(prog, &h, f->data) != 0;
}

static void close_src(struct src *s)
{
    if (s->cap)
        capture_close(s->cap); /* closes the zread stream too */
    s->cap = NULL;
    if (s->ng)
        pcapng_file_free(&s->pf);
    zread_free(s->z);
    s->z = NULL;
    s->open = s->have_head = false;
}

static const uint8_t PCAP_MAGICS[4][4] = {
    {0xd4, 0xc3, 0xb2, 0xa1}, {0xa1, 0xb2, 0xc3, 0xd4},   /* microseconds, both orders */
    {0x4d, 0x3c, 0xb2, 0xa1}, {0xa1, 0xb2, 0x3c, 0x4d},   /* nanoseconds */
};
static const uint8_t PCAPNG_MAGIC[4] = {0x0a, 0x0d, 0x0d, 0x0a};

/* true: open; false: not (said on msgs unless a directory's non-capture file, which is noted) */
static bool open_src(struct inputs *in, struct src *s)
{
    char err[CAPTURE_ERR_MAX];
    s->z = zread_open(s->path, err, sizeof err);
    if (!s->z) {
        note(in, "%s", err);
        in->failed = true;
        return false;
    }
    s->regular = zread_is_regular(s->z);
    uint8_t m[4];
    size_t got = zread_peek(s->z, m, sizeof m);
    enum zread_codec codec = zread_codec(s->z);
    bool pcap = false;
    for (size_t i = 0; i < 4 && got == 4; i++)
        pcap |= !memcmp(m, PCAP_MAGICS[i], 4);
    s->ng = got == 4 && !memcmp(m, PCAPNG_MAGIC, 4);
    if (!pcap && !s->ng) {
        const char *ze = zread_error(s->z);
        if (*ze) {
            note(in, "%s: %s", s->name, ze);
            in->failed = true;
        } else {
            /* a directory's other files are skipped; a file named with -r is an error */
            note(in, "%s: not a pcap or pcapng file%s%s%s", s->name, codec ? " inside its " : "",
                 codec ? zread_codec_name(codec) : "", s->dir >= 0 ? " (skipped)" : "");
            in->failed |= s->dir < 0;
        }
        close_src(s);
        return false;
    }
    if (s->ng) {
        pcapng_file_init(&s->pf, zread_file(s->z));
    } else {
        s->cap = capture_open_stream(zread_file(s->z), s->name, err, sizeof err);
        if (!s->cap) {
            note(in, "%s", err);
            in->failed = true;
            close_src(s);
            return false;
        }
        int dlt = capture_linktype(s->cap);
        /* a regular file is read in large blocks, its records used where they
         * lie; a pipe keeps libpcap's record-at-a-time reads, which hand over
         * each packet as soon as it arrives */
        if (s->regular)
            (void)capture_read_views(s->cap, m, zread_read_direct, s->z);
        if (!decode_linktype_supported(dlt)) {
            note(in, "%s: unsupported link type %d (supported: Ethernet, Linux cooked SLL/SLL2, raw IP, "
                 "BSD loopback)", s->name, dlt);
            in->failed = true;
            close_src(s);
            return false;
        }
    }
    s->open = true;
    if (s->dir >= 0)
        in->dirs[s->dir].captures++;
    return true;
}

/* the next packet of s, unfiltered: 1, 0 at its end, -1 (said on msgs) */
static int src_read(struct inputs *in, struct src *s, struct capture_frame *f)
{
    const char *ze;
    if (!s->ng) {
        switch (capture_next(s->cap, f)) {
        case CAPTURE_FRAME: return 1;
        case CAPTURE_END: case CAPTURE_IDLE: return 0;
        default: break;
        }
        ze = zread_error(s->z);
        if (*ze)
            note(in, "%s: %s (reading record %" PRIu64 ")", s->name, ze, capture_records(s->cap) + 1);
        else
            note(in, "%s", capture_error(s->cap));
        return -1;
    }
    struct pcapng_pkt p;
    int r = pcapng_file_next(&s->pf, &p);
    if (r == 1) {
        f->ts_us = p.ts_us;
        f->data = p.data;
        f->caplen = p.caplen;
        f->wirelen = p.wirelen;
        f->dlt = p.linktype;
        if (!s->warned_link && !decode_linktype_supported(p.linktype)) {
            /* its packets still go on, counted as bad_packets; other interfaces are decoded */
            note(in, "%s: interface %" PRIu32 " has unsupported link type %d: its packets are not decoded",
                 s->name, p.iface, p.linktype);
            s->warned_link = true;
            in->failed = true;
        }
        return 1;
    }
    if (r == 0)
        return 0;
    ze = zread_error(s->z);
    note(in, "%s: %s", s->name, *ze ? ze : s->pf.err);
    return -1;
}

/* the next packet of s that passes the filter into s->head */
static int read_head(struct inputs *in, struct src *s)
{
    for (;;) {
        int r = src_read(in, s, &s->head);
        if (r == 1) {
            int keep = filter_pass(in, s, &s->head);
            if (keep == 0)
                continue;
            r = keep;
        }
        if (r < 0)
            in->failed = true;
        s->have_head = r == 1;
        return r;
    }
}

static int cmp_pending(const void *a, const void *b)
{
    const struct src *x = *(struct src *const *)a, *y = *(struct src *const *)b;
    if (x->first_ts != y->first_ts)
        return x->first_ts < y->first_ts ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

int inputs_start(struct inputs *in, const char *filter)
{
    in->filter = filter;
    size_t usable = 0;
    in->pending = calloc(in->n ? in->n : 1, sizeof *in->pending);
    in->active = calloc(in->n ? in->n : 1, sizeof *in->active);
    if (!in->pending || !in->active) {
        note(in, "out of memory");
        return 1;
    }
    for (size_t i = 0; i < in->n; i++) {
        struct src *s = &in->s[i];
        s->state = SRC_DONE;
        if (!open_src(in, s))
            continue;
        usable++;
        /* a bad filter is a usage error, found before any output: compile it
         * for the file's link type (classic) or its first packet's (pcapng) */
        if (filter && s->cap && !filter_for(in, capture_linktype(s->cap), s->name))
            return 2;
        int r = src_read(in, s, &s->head);
        if (r == 1 && filter && !filter_for(in, s->head.dlt, s->name))
            return 2;
        if (r < 0)
            in->failed = true;
        if (r != 1) {
            close_src(s);
            continue;
        }
        s->first_ts = s->head.ts_us;
        s->state = SRC_PENDING;
        in->pending[in->npending++] = s;
        if (s->regular) {
            close_src(s); /* opened again when the merge reaches its first packet */
        } else {
            /* standard input or a pipe cannot be opened again: keep it, and
             * its first packet unless the filter drops it */
            r = filter_pass(in, s, &s->head);
            s->have_head = r == 1;
            in->failed |= r < 0;
        }
    }
    for (size_t d = 0; d < in->ndirs; d++) {
        if (!in->dirs[d].captures) {
            note(in, "%s: no pcap or pcapng files in this directory", in->dirs[d].name);
            in->failed = true;
        }
    }
    if (in->npending > 1)
        qsort(in->pending, in->npending, sizeof *in->pending, cmp_pending);
    return usable ? 0 : 1;
}

/* Merge order: packet time; on a tie, the input that started earlier (the
 * older of two rotated files, whose last packet shares a microsecond with
 * the next file's first), then the order given. Deterministic either way. */
static bool before(const struct src *a, const struct src *b)
{
    if (a->head.ts_us != b->head.ts_us)
        return a->head.ts_us < b->head.ts_us;
    if (a->first_ts != b->first_ts)
        return a->first_ts < b->first_ts;
    return a->index < b->index;
}

static void finish(struct inputs *in, struct src *s)
{
    close_src(s);
    if (s->state == SRC_ACTIVE) {
        for (size_t i = 0; i < in->nactive; i++) {
            if (in->active[i] == s) {
                in->active[i] = in->active[--in->nactive];
                break;
            }
        }
    }
    s->state = SRC_DONE;
}

static void activate(struct inputs *in, struct src *s)
{
    if (!s->open && !open_src(in, s)) {
        s->state = SRC_DONE;
        return;
    }
    if (!s->have_head && read_head(in, s) != 1) {
        finish(in, s);
        return;
    }
    s->state = SRC_ACTIVE;
    in->active[in->nactive++] = s;
}

enum capture_status inputs_next(struct inputs *in, struct capture_frame *f)
{
    if (in->last) {
        struct src *s = in->last;
        in->last = NULL;
        s->have_head = false;
        if (read_head(in, s) != 1)
            finish(in, s);
    }
    for (;;) {
        struct src *m = NULL;
        for (size_t i = 0; i < in->nactive; i++)
            if (!m || before(in->active[i], m))
                m = in->active[i];
        if (in->next_pending < in->npending) {
            struct src *p = in->pending[in->next_pending];
            if (!m || p->first_ts <= m->head.ts_us) {
                if (!m || in->nactive < in->max_open) {
                    in->next_pending++;
                    activate(in, p);
                    continue;
                }
                if (!in->noted_overlap) {
                    note(in, "more than %zu inputs overlap in time (--max-open-inputs): %s and later ones are "
                         "read after packets newer than their own", in->max_open, p->name);
                    in->noted_overlap = true;
                }
            }
        }
        if (!m)
            return CAPTURE_END;
        *f = m->head;
        in->last = m;
        return CAPTURE_FRAME;
    }
}

bool inputs_failed(const struct inputs *in) { return in->failed; }

void inputs_free(struct inputs *in)
{
    if (!in)
        return;
    for (size_t i = 0; i < in->n; i++) {
        close_src(&in->s[i]);
        free(in->s[i].path);
        free(in->s[i].name);
    }
    for (size_t i = 0; i < in->nfilts; i++)
        pcap_freecode(&in->filts[i].prog);
    for (size_t d = 0; d < in->ndirs; d++)
        free(in->dirs[d].name);
    free(in->filts);
    free(in->dirs);
    free(in->s);
    free(in->pending);
    free(in->active);
    free(in);
}
