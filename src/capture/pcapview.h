/* pcapview: the records of a classic pcap file (after its 24-byte header,
 * which libpcap read and checked) as views into one large buffer, instead of
 * libpcap copying each record out of stdio's buffer into its own: one copy of
 * the input fewer, no stdio call per record. Spec: pcap-savefile(5); the
 * record rules are libpcap 1.10's (sf-pcap.c), so a file reads the same
 * either way, errors included.
 *
 * Contract (pcapview.c implements it; tests/unit/test_pcapview.c compares it
 * with libpcap's pcap_next_ex on the same files):
 * - Record header: 16 bytes (seconds, sub-seconds, captured length, wire
 *   length), byte-swapped when the file is. Seconds and sub-seconds are
 *   signed 32-bit in the file's own order, as libpcap takes them (a swapped
 *   file's are taken unsigned, as libpcap does); nanosecond files are scaled
 *   down to microseconds (division, truncating).
 * - Lengths: minor version < 3 has them interchanged, 3 maybe (when
 *   captured > wire), as libpcap reads them.
 * - A captured length over PCAPVIEW_MAX_CAPLEN is an error ("invalid packet
 *   capture length N, bigger than snaplen of S" when over the snapshot too,
 *   else "... bigger than maximum of 262144"); over the snapshot length, the
 *   record is cut to it (the rest skipped).
 * - End of input right after a record: the end. Within a header or a
 *   record: "truncated dump file; tried to read N header|captured bytes, only
 *   got M". A read error: "error reading dump file: <strerror>".
 * - A view stays valid until the next pcapview_next or pcapview_free. */
#ifndef SMBSCOPE_PCAPVIEW_H
#define SMBSCOPE_PCAPVIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

/* libpcap's largest sane captured length for the link types smbscope reads */
#define PCAPVIEW_MAX_CAPLEN 262144u
/* the buffer: reads of about this much at a time; holds the largest record */
#define PCAPVIEW_BUF_BYTES (1u << 20)

struct pcapview_rec {
    int64_t sec, usec;          /* as libpcap's struct timeval would hold them (may be negative) */
    uint32_t caplen, len;
    const uint8_t *data;
};

struct pcapview;

/* where the bytes come from: up to n bytes into buf, how many (0 at the
 * end); -1 on a read error, with *err_no set */
typedef ssize_t (*pcapview_read_fn)(void *u, void *buf, size_t n, int *err_no);

/* records from a source positioned right after the file header; NULL when
 * out of memory */
struct pcapview *pcapview_new(pcapview_read_fn read, void *u, bool swapped, bool nsec, unsigned minor,
                              uint32_t snapshot);
/* the reader for a FILE* (fread) */
ssize_t pcapview_read_file(void *file, void *buf, size_t n, int *err_no);
/* 1 and *r, 0 at the end, -1 with a message in err */
int pcapview_next(struct pcapview *v, struct pcapview_rec *r, char *err, size_t errlen);
void pcapview_free(struct pcapview *v);

#endif
