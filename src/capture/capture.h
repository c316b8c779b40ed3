/* capture: a thin wrapper over libpcap for files (pcap, pcapng, "-" = stdin)
 * and live interfaces, with BPF filters and drop statistics.
 * Spec: pcap(3PCAP), pcap-savefile(5), pcapng (draft-ietf-opsawg-pcapng). */
#ifndef SMBSCOPE_CAPTURE_H
#define SMBSCOPE_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "pcapview.h"

/* room for any message this module writes */
#define CAPTURE_ERR_MAX 512

struct capture;

struct capture_frame {
    uint64_t ts_us;            /* microseconds since the epoch */
    const uint8_t *data;       /* valid until the next capture_next() or capture_close() */
    size_t caplen;             /* bytes at data */
    size_t wirelen;            /* bytes the frame had on the wire (>= caplen) */
    int dlt;                   /* libpcap DLT_ value of the frame's link layer */
};

enum capture_status {
    CAPTURE_FRAME,             /* *f holds the next frame */
    CAPTURE_IDLE,              /* live only: nothing arrived within the read timeout (about 250 ms),
                                  or a signal interrupted the wait: a chance for periodic work */
    CAPTURE_END,               /* end of the file, or capture_breakloop() was called */
    CAPTURE_ERROR,             /* the input cannot be read further: capture_error() says why and where */
};

struct capture_stats {
    uint64_t received;         /* packets the kernel saw for this capture */
    uint64_t dropped;          /* lost because the capture buffer was full (a slow reader) */
    uint64_t if_dropped;       /* lost by the interface or its driver (libpcap's ps_ifdrop) */
};

/* live capture settings (smbscope --snaplen, --buffer-size, --fanout) */
#define CAPTURE_SNAPLEN_DEFAULT 262144
#define CAPTURE_BUFFER_DEFAULT (64u << 20)
struct capture_live_opts {
    uint32_t snaplen;          /* bytes kept of each packet; 0: the default */
    uint64_t buffer_bytes;     /* kernel capture buffer; 0: the default */
    int fanout_group;          /* Linux: join this AF_PACKET fanout group in hash mode; -1: none */
};

/* path "-" reads standard input; NULL on failure with a message in err */
struct capture *capture_open_offline(const char *path, char *err, size_t errlen);
/* a file already open as a stream (a decompressor: zread.h), shown as name
 * in messages; f belongs to the capture from here on, even on failure */
struct capture *capture_open_stream(FILE *f, const char *name, char *err, size_t errlen);
/* from now on read the records of a classic pcap file (its first four bytes
 * are magic) as views into a large buffer (pcapview.h): one copy of the input
 * fewer, the same frames and errors. The bytes after the file header come
 * from read(u, ...) (zread_read_direct: not through stdio), or with read NULL
 * from the handle's FILE. Only for a file just opened, without a filter, of a
 * link type smbscope decodes; false (nothing changes) otherwise */
bool capture_read_views(struct capture *c, const uint8_t magic[4], pcapview_read_fn read, void *u);
/* promiscuous, block delivery with a short read timeout so a caller polling
 * a stop flag wakes up; opts (NULL: every default) set the snap length, the
 * buffer and a fanout group; NULL on failure */
struct capture *capture_open_live(const char *ifname, const struct capture_live_opts *opts, char *err,
                                  size_t errlen);
/* compile and install a BPF filter; false with capture_error() set on failure */
bool capture_set_filter(struct capture *c, const char *expr);
enum capture_status capture_next(struct capture *c, struct capture_frame *f);
/* the last error, or "" */
const char *capture_error(const struct capture *c);
/* what libpcap warned about when activating a live capture, or NULL */
const char *capture_warning(const struct capture *c);
int capture_linktype(const struct capture *c);
/* frames delivered so far */
uint64_t capture_records(const struct capture *c);
/* live captures only: false for files or if libpcap cannot tell. Counters
 * are since the capture opened, 64-bit (libpcap's 32-bit ones wrap: each call
 * adds what they moved since the last, so call it at least every 2^32 packets) */
bool capture_stats(struct capture *c, struct capture_stats *out);
/* async-signal-safe: the next (or a blocked) capture_next() returns CAPTURE_END */
void capture_breakloop(struct capture *c);
void capture_close(struct capture *c);

#endif
