/* ipfrag: IP fragment reassembly, bounded in datagrams, bytes and time.
 * Spec: RFC 791 section 3.2 (IPv4 fragmentation), RFC 8200 section 4.5 (IPv6),
 * RFC 815 (tracking holes). Overlaps: bytes that arrived first win. */
#ifndef SMBSCOPE_IPFRAG_H
#define SMBSCOPE_IPFRAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* largest datagram payload the 16-bit IP length fields allow */
#define IPFRAG_DATAGRAM_MAX 65535u

/* identifies one datagram: RFC 791 (src, dst, protocol, id); RFC 8200 (src, dst, id) */
struct ipfrag_key {
    uint8_t ver;          /* 4 or 6 */
    uint8_t proto;        /* IPv4 protocol; 0 for IPv6 (not part of its key) */
    uint32_t id;
    uint8_t src[16], dst[16];
};

/* one fragment's data, as captured in full */
struct ipfrag_piece {
    size_t off;           /* byte offset in the datagram payload (a multiple of 8) */
    const uint8_t *data;
    size_t len;
    bool more;            /* more fragments follow (MF / M flag) */
    uint8_t proto;        /* upper protocol, taken from the fragment at offset 0 */
    size_t max_len;       /* largest payload this IP version can carry */
};

struct ipfrag_stats {
    uint64_t datagrams;   /* reassembled */
    uint64_t timeouts;    /* dropped unfinished when their time ran out */
    uint64_t dropped;     /* dropped unfinished to stay within the datagram or byte cap */
    uint64_t overlaps;    /* fragments that overlapped data already held */
};

enum ipfrag_result {
    IPFRAG_HELD,          /* taken (or dropped for a cap): nothing to deliver yet */
    IPFRAG_DONE,          /* the datagram is whole: its payload is in the output buffer */
    IPFRAG_BAD,           /* malformed, or inconsistent with the datagram's known end: refused */
};

struct ipfrag;

/* max_datagrams 0 disables reassembly (every fragment is dropped, counted);
 * mem_max bounds the payload bytes held over all datagrams */
struct ipfrag *ipfrag_new(size_t max_datagrams, uint32_t timeout_s, size_t mem_max);
void ipfrag_free(struct ipfrag *t);
/* drop datagrams whose first fragment is older than the timeout */
void ipfrag_expire(struct ipfrag *t, uint64_t now_us);
/* on IPFRAG_DONE the payload is copied to out (cap >= IPFRAG_DATAGRAM_MAX
 * needed), its length to *out_len and its protocol to *out_proto */
enum ipfrag_result ipfrag_add(struct ipfrag *t, const struct ipfrag_key *k, uint64_t ts_us,
                              const struct ipfrag_piece *p, uint8_t *out, size_t out_cap,
                              size_t *out_len, uint8_t *out_proto);
const struct ipfrag_stats *ipfrag_stats(const struct ipfrag *t);
/* datagrams and payload bytes held right now */
size_t ipfrag_pending(const struct ipfrag *t);
size_t ipfrag_mem(const struct ipfrag *t);

#endif
