/* decode: link layer -> IPv4/IPv6 -> TCP, producing one struct pkt per TCP
 * segment. Link types: Ethernet (802.1Q, QinQ), Linux SLL and SLL2, raw IP
 * (DLT_RAW, LINKTYPE_IPV4/IPV6), BSD NULL/LOOP. IPv4 fragments are reassembled
 * (bounded, with a timeout); IPv6 extension headers are walked. */
#ifndef SMBSCOPE_DECODE_H
#define SMBSCOPE_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "limits.h"

#define TCPF_FIN 0x01
#define TCPF_SYN 0x02
#define TCPF_RST 0x04
#define TCPF_PSH 0x08
#define TCPF_ACK 0x10

struct pkt {
    uint64_t ts_us;
    uint8_t ipver;             /* 4 or 6 */
    uint8_t src[16], dst[16];  /* IPv4 uses the first 4 bytes, rest zero */
    uint16_t sport, dport;
    uint32_t seq, ack;
    uint8_t tcp_flags;
    uint16_t win;
    const uint8_t *payload;    /* captured TCP payload bytes */
    size_t caplen;             /* bytes at payload (<= len) */
    size_t len;                /* TCP payload length on the wire, from the IP length */
};

enum decode_status {
    DEC_TCP,         /* *out holds a TCP segment */
    DEC_SKIP,        /* not TCP (or not IP): nothing to do */
    DEC_FRAG_HELD,   /* an IP (v4 or v6) fragment kept until its datagram is whole */
    DEC_BAD,         /* malformed or truncated headers; counted */
};

/* counters the stats record reports:
 * packets/bytes: every frame and its wire length; tcp, non_tcp, bad: by result
 * (DEC_TCP, DEC_SKIP, DEC_BAD); truncated: those of `bad` whose headers were cut
 * by the snap length (caplen < wirelen) rather than malformed; frags: fragments
 * seen; frag_datagrams: reassembled; frag_timeouts: dropped unfinished at
 * lim->ipfrag_timeout_s; frag_dropped: dropped unfinished for the datagram cap
 * (lim->ipfrag_max) or the byte cap; frag_overlaps: fragments overlapping bytes
 * already held (the first bytes win) */
struct decode_stats {
    uint64_t packets, bytes, tcp, non_tcp, bad, truncated;
    uint64_t frags, frag_datagrams, frag_timeouts, frag_dropped, frag_overlaps;
};

struct decode_ctx;   /* IPv4 fragment table + scratch */

struct decode_ctx *decode_new(const struct limits *lim);
void decode_free(struct decode_ctx *d);
/* true if the libpcap DLT_/LINKTYPE_ value is supported */
bool decode_linktype_supported(int dlt);
/* decode one captured frame; out->payload stays valid until the next call */
enum decode_status decode_packet(struct decode_ctx *d, int dlt, uint64_t ts_us,
                                 const uint8_t *frame, size_t caplen, size_t wirelen,
                                 struct pkt *out);
const struct decode_stats *decode_stats(const struct decode_ctx *d);

#endif
