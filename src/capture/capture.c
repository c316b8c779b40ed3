/* capture: libpcap front end. Spec: pcap(3PCAP), pcap_next_ex(3PCAP),
 * pcap-savefile(5) (24-byte file header, 16-byte record headers). */
#include "capture.h"

#include "pcapview.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>
#ifdef __linux__
#include <linux/if_packet.h>
#include <sys/socket.h>
#endif

/* how long a live read waits before reporting CAPTURE_IDLE: short enough
 * that flow timeouts and stop requests are handled promptly on a quiet link */
#define LIVE_TIMEOUT_MS 100
/* classic pcap layout, for byte offsets when the input cannot ftell (a pipe) */
#define PCAP_FILE_HDR 24u
#define PCAP_REC_HDR 16u

struct capture {
    pcap_t *p;
    bool live;
    int fd;                           /* live: pollable descriptor in non-blocking mode, else -1 */
    int dlt;
    char name[256];                   /* file or interface, for messages */
    uint64_t records;
    uint64_t next_off;                /* classic pcap: where the next record starts */
    volatile sig_atomic_t stop;       /* set by capture_breakloop, maybe from a signal handler */
    struct pcap_stat last;            /* libpcap's 32-bit counters at the last capture_stats() */
    struct capture_stats total;       /* the same, widened to 64 bits */
    char err[CAPTURE_ERR_MAX];
    char warn[CAPTURE_ERR_MAX];
    struct pcapview *view;            /* capture_read_views: records read here, not by pcap_next_ex */
    char view_err[PCAP_ERRBUF_SIZE];  /* why view reading stopped (as long as a libpcap message) */
    bool filtered;                    /* capture_set_filter: libpcap must see the records */
};

static struct capture *capture_alloc(const char *name)
{
    struct capture *c = calloc(1, sizeof *c);
    if (c) {
        snprintf(c->name, sizeof c->name, "%s", name);
        c->fd = -1;
    }
    return c;
}

struct capture *capture_open_offline(const char *path, char *err, size_t errlen)
{
    const char *shown = strcmp(path, "-") ? path : "standard input";
    struct capture *c = capture_alloc(shown);
    if (!c) {
        snprintf(err, errlen, "cannot open %s: out of memory", shown);
        return NULL;
    }
    char ebuf[PCAP_ERRBUF_SIZE] = "";
    /* libpcap itself reads stdin for "-"; ask for microseconds whatever the file holds */
    c->p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_MICRO, ebuf);
    if (!c->p) {
        snprintf(err, errlen, "cannot read capture file %s: %s", shown, ebuf);
        free(c);
        return NULL;
    }
    c->dlt = pcap_datalink(c->p);
    c->next_off = PCAP_FILE_HDR;
    return c;
}

struct capture *capture_open_stream(FILE *f, const char *name, char *err, size_t errlen)
{
    struct capture *c = capture_alloc(name);
    if (!c) {
        snprintf(err, errlen, "cannot open %s: out of memory", name);
        fclose(f);
        return NULL;
    }
    char ebuf[PCAP_ERRBUF_SIZE] = "";
    /* libpcap closes f with the handle, or here when it refuses it */
    c->p = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_MICRO, ebuf);
    if (!c->p) {
        snprintf(err, errlen, "cannot read capture file %s: %s", name, ebuf);
        fclose(f);
        free(c);
        return NULL;
    }
    c->dlt = pcap_datalink(c->p);
    c->next_off = PCAP_FILE_HDR;
    return c;
}

/* Linux: hand this socket's share of a fanout group's traffic to it. Hash
 * mode keeps a flow on one socket (the kernel's flow hash is symmetric over
 * the endpoints); DEFRAG reassembles IP fragments before hashing, so a
 * datagram's fragments go together. libpcap 1.10 binds its socket and sets
 * up its TPACKET ring in pcap_activate(); joining after that is what the
 * kernel requires (a bound socket), so it is done on pcap_fileno() here. */
static bool join_fanout(struct capture *c, int group, char *err, size_t errlen)
{
#if defined(__linux__) && defined(PACKET_FANOUT)
    int fd = pcap_fileno(c->p);
    /* the mode and flags go in the high 16 bits; FLAG_DEFRAG (0x8000) shifted there
     * does not fit a signed int: build it unsigned */
    uint32_t uarg = (uint32_t)(group & 0xffff) | (uint32_t)(PACKET_FANOUT_HASH | PACKET_FANOUT_FLAG_DEFRAG) << 16;
    int arg;
    memcpy(&arg, &uarg, sizeof arg);
    if (fd < 0 || setsockopt(fd, SOL_PACKET, PACKET_FANOUT, &arg, sizeof arg) < 0) {
        snprintf(err, errlen, "cannot capture on %s: --fanout %d: %s", c->name, group,
                 fd < 0 ? "no socket" : strerror(errno));
        return false;
    }
    return true;
#else
    snprintf(err, errlen, "cannot capture on %s: --fanout %d: AF_PACKET fanout needs Linux", c->name, group);
    return false;
#endif
}

struct capture *capture_open_live(const char *ifname, const struct capture_live_opts *opts, char *err,
                                  size_t errlen)
{
    struct capture_live_opts def = {.fanout_group = -1};
    if (!opts)
        opts = &def;
    struct capture *c = capture_alloc(ifname);
    if (!c) {
        snprintf(err, errlen, "cannot capture on %s: out of memory", ifname);
        return NULL;
    }
    char ebuf[PCAP_ERRBUF_SIZE] = "";
    c->p = pcap_create(ifname, ebuf);
    if (!c->p) {
        snprintf(err, errlen, "cannot capture on %s: %s", ifname, ebuf);
        free(c);
        return NULL;
    }
    c->live = true;
    pcap_set_snaplen(c->p, opts->snaplen ? (int)opts->snaplen : CAPTURE_SNAPLEN_DEFAULT);
    pcap_set_promisc(c->p, 1);
    /* Not immediate mode: packet-at-a-time wakeups drop most of a fast burst
     * (measured: 2372 of 2474 frames of a top-speed replay). A large kernel
     * buffer delivered in blocks loses none, and the read timeout still hands
     * over a partly filled block within LIVE_TIMEOUT_MS, so records appear as
     * traffic happens. */
    uint64_t buf = opts->buffer_bytes ? opts->buffer_bytes : CAPTURE_BUFFER_DEFAULT;
    pcap_set_buffer_size(c->p, buf > INT32_MAX ? INT32_MAX : (int)buf);
    pcap_set_timeout(c->p, LIVE_TIMEOUT_MS);
    pcap_set_tstamp_precision(c->p, PCAP_TSTAMP_PRECISION_MICRO);
    int rc = pcap_activate(c->p);
    if (rc < 0) {
        /* generic errors carry their text in geterr; the others mostly only in statustostr */
        const char *detail = pcap_geterr(c->p);
        snprintf(err, errlen, "cannot capture on %s: %s%s%s", ifname, pcap_statustostr(rc),
                 detail && *detail ? ": " : "", detail ? detail : "");
        pcap_close(c->p);
        free(c);
        return NULL;
    }
    if (rc > 0) {
        const char *detail = pcap_geterr(c->p);
        snprintf(c->warn, sizeof c->warn, "capture on %s: %s%s%s", ifname, pcap_statustostr(rc),
                 detail && *detail ? ": " : "", detail ? detail : "");
    }
    if (opts->fanout_group >= 0 && !join_fanout(c, opts->fanout_group, err, errlen)) {
        pcap_close(c->p);
        free(c);
        return NULL;
    }
    /* Linux libpcap keeps waiting through its own read timeout, so poll
     * ourselves: a non-blocking handle plus poll() gives a real idle tick,
     * and a signal interrupts the wait */
    c->fd = pcap_get_selectable_fd(c->p);
    if (c->fd >= 0 && pcap_setnonblock(c->p, 1, ebuf) < 0)
        c->fd = -1;
    c->dlt = pcap_datalink(c->p);
    return c;
}

bool capture_set_filter(struct capture *c, const char *expr)
{
    bpf_u_int32 net = 0, mask = PCAP_NETMASK_UNKNOWN;
    char ebuf[PCAP_ERRBUF_SIZE];
    /* the netmask only matters to the "broadcast" primitive; unknown is fine */
    if (c->live && pcap_lookupnet(c->name, &net, &mask, ebuf) < 0)
        mask = PCAP_NETMASK_UNKNOWN;
    struct bpf_program prog;
    if (pcap_compile(c->p, &prog, expr, 1, mask) < 0) {
        snprintf(c->err, sizeof c->err, "bad capture filter \"%s\": %s", expr, pcap_geterr(c->p));
        return false;
    }
    int rc = pcap_setfilter(c->p, &prog);
    pcap_freecode(&prog);
    c->filtered = true;
    if (rc < 0) {
        snprintf(c->err, sizeof c->err, "cannot install capture filter \"%s\": %s", expr,
                 pcap_geterr(c->p));
        return false;
    }
    return true;
}

/* Where the next record starts, or -1 if unknown. Classic pcap's fixed-size
 * headers let us count it without asking the kernel (an ftell is a syscall,
 * per packet); pcapng blocks carry options we never see, so there the file
 * position is asked before each read. */
static long long record_offset(const struct capture *c)
{
    if (pcap_major_version(c->p) == 2)
        return (long long)c->next_off;
    FILE *f = pcap_file(c->p);
    long pos = f ? ftell(f) : -1;
    return pos >= 0 ? pos : -1;
}

/* libpcap's message, or the view reader's (which mirrors libpcap's wording);
 * its length is unknown here, as pcap_geterr's always was */
__attribute__((noinline)) static const char *why_failed(struct capture *c)
{
    return c->view ? c->view_err : pcap_geterr(c->p);
}

static void read_error(struct capture *c, long long off)
{
    const char *why = why_failed(c);
    if (c->live) {
        snprintf(c->err, sizeof c->err, "capture on %s failed after %" PRIu64 " packets: %s",
                 c->name, c->records, why);
    } else if (off >= 0) {
        snprintf(c->err, sizeof c->err,
                 "capture file %s: cannot read record %" PRIu64 " at byte offset %lld: %s",
                 c->name, c->records + 1, off, why);
    } else {
        snprintf(c->err, sizeof c->err, "capture file %s: cannot read record %" PRIu64 ": %s",
                 c->name, c->records + 1, why);
    }
}

/* the next record through the view reader: what pcap_next_ex would give */
static enum capture_status view_next(struct capture *c, struct capture_frame *f, long long off)
{
    struct pcapview_rec r;
    int rc = pcapview_next(c->view, &r, c->view_err, sizeof c->view_err);
    if (rc == 0)
        return CAPTURE_END;
    if (rc < 0) {
        read_error(c, off);
        return CAPTURE_ERROR;
    }
    c->records++;
    c->next_off += PCAP_REC_HDR + r.caplen;
    f->ts_us = (r.sec > 0 ? (uint64_t)r.sec : 0) * 1000000u + (r.usec > 0 ? (uint64_t)r.usec : 0);
    f->data = r.data;
    f->caplen = r.caplen;
    f->wirelen = r.len > r.caplen ? r.len : r.caplen;
    f->dlt = c->dlt;
    return CAPTURE_FRAME;
}

bool capture_read_views(struct capture *c, const uint8_t magic[4], pcapview_read_fn read, void *u)
{
    static const uint8_t usec_le[4] = {0xd4, 0xc3, 0xb2, 0xa1}, usec_be[4] = {0xa1, 0xb2, 0xc3, 0xd4},
                         nsec_le[4] = {0x4d, 0x3c, 0xb2, 0xa1}, nsec_be[4] = {0xa1, 0xb2, 0x3c, 0x4d};
    bool usec = !memcmp(magic, usec_le, 4) || !memcmp(magic, usec_be, 4);
    bool nsec = !memcmp(magic, nsec_le, 4) || !memcmp(magic, nsec_be, 4);
    /* only what pcapview reads exactly as libpcap does: classic 2.x records
     * (not the Kuznetzov or DG/UX variants), sane lengths capped at 262144,
     * no filter installed on the handle, nothing read yet */
    if (c->live || c->view || c->filtered || c->records || (!usec && !nsec) || pcap_major_version(c->p) != 2)
        return false;
    switch (c->dlt) {
    case DLT_NULL: case DLT_EN10MB: case DLT_RAW: case DLT_LOOP: case DLT_LINUX_SLL:
#ifdef DLT_LINUX_SLL2
    case DLT_LINUX_SLL2:
#endif
#ifdef DLT_IPV4
    case DLT_IPV4: case DLT_IPV6:
#endif
        break;
    default:
        return false;
    }
    FILE *f = pcap_file(c->p);
    if (!read) {
        if (!f)
            return false;
        read = pcapview_read_file;
        u = f;
    }
    c->view = pcapview_new(read, u, pcap_is_swapped(c->p) == 1, nsec, (unsigned)pcap_minor_version(c->p),
                           (uint32_t)pcap_snapshot(c->p));
    return c->view != NULL;
}

enum capture_status capture_next(struct capture *c, struct capture_frame *f)
{
    if (c->stop)
        return CAPTURE_END;
    long long off = c->live ? -1 : record_offset(c);
    if (c->view)
        return view_next(c, f, off);
    struct pcap_pkthdr *h;
    const u_char *data;
    int rc = pcap_next_ex(c->p, &h, &data);
    if (rc == 0 && c->fd >= 0) {
        struct pollfd pfd = {.fd = c->fd, .events = POLLIN};
        int pr = poll(&pfd, 1, LIVE_TIMEOUT_MS);
        if (pr < 0 && errno != EINTR) {
            snprintf(c->err, sizeof c->err, "capture on %s: poll: %s", c->name, strerror(errno));
            return CAPTURE_ERROR;
        }
        /* readable (or an error to collect): read now; else idle or interrupted */
        rc = pr > 0 && !c->stop ? pcap_next_ex(c->p, &h, &data) : 0;
    }
    switch (rc) {
    case 1:
        break;
    case 0:
        return c->stop ? CAPTURE_END : CAPTURE_IDLE;
    case PCAP_ERROR_BREAK:            /* end of file, or pcap_breakloop on a live handle */
        return CAPTURE_END;
    default:
        read_error(c, off);
        return CAPTURE_ERROR;
    }
    c->records++;
    c->next_off += PCAP_REC_HDR + h->caplen;
    uint64_t sec = h->ts.tv_sec > 0 ? (uint64_t)h->ts.tv_sec : 0;
    uint64_t usec = h->ts.tv_usec > 0 ? (uint64_t)h->ts.tv_usec : 0;
    f->ts_us = sec * 1000000u + usec;
    f->data = data;
    f->caplen = h->caplen;
    f->wirelen = h->len > h->caplen ? h->len : h->caplen;
    f->dlt = c->dlt;
    return CAPTURE_FRAME;
}

const char *capture_error(const struct capture *c) { return c->err; }

const char *capture_warning(const struct capture *c) { return c->warn[0] ? c->warn : NULL; }

int capture_linktype(const struct capture *c) { return c->dlt; }

uint64_t capture_records(const struct capture *c) { return c->records; }

bool capture_stats(struct capture *c, struct capture_stats *out)
{
    struct pcap_stat ps;
    if (!c->live || pcap_stats(c->p, &ps) < 0)
        return false;
    /* unsigned differences: right across one wrap of a 32-bit counter */
    c->total.received += (u_int)(ps.ps_recv - c->last.ps_recv);
    c->total.dropped += (u_int)(ps.ps_drop - c->last.ps_drop);
    c->total.if_dropped += (u_int)(ps.ps_ifdrop - c->last.ps_ifdrop);
    c->last = ps;
    *out = c->total;
    return true;
}

void capture_breakloop(struct capture *c)
{
    /* only a flag store and pcap_breakloop (a flag and, on Linux, an eventfd
     * write): both async-signal-safe */
    c->stop = 1;
    pcap_breakloop(c->p);
}

void capture_close(struct capture *c)
{
    if (!c)
        return;
    pcapview_free(c->view);
    pcap_close(c->p);
    free(c);
}
