/* decode_frames: annotated building blocks of hand-built frames (Ethernet II,
 * IPv4, IPv6, TCP, an NBSS keep-alive) for the decode and IP fragment unit
 * tests. Spec: IEEE 802.3 (Ethernet II), RFC 791 (IPv4), RFC 8200 (IPv6),
 * RFC 9293 (TCP), RFC 1002 section 4.3.7 (session keep-alive). */
#ifndef SMBSCOPE_DECODE_FRAMES_H
#define SMBSCOPE_DECODE_FRAMES_H

#include <stdint.h>

/* Ethernet II: destination MAC, source MAC, ethertype (or 802.3 length) */
#define ETH(t_hi, t_lo) \
    0x00, 0x11, 0x22, 0x33, 0x44, 0x55,  /* destination MAC */ \
    0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb,  /* source MAC */ \
    t_hi, t_lo                           /* ethertype / length */

/* IPv4 header without options, source 10.0.net.1, destination 10.0.net.2 */
#define IP4N(tot, proto, net) \
    0x45, 0x00,                          /* version 4, IHL 5 (20 bytes); DSCP/ECN */ \
    (tot) >> 8, (tot) & 0xff,            /* total length */ \
    0x12, 0x34,                          /* identification */ \
    0x40, 0x00,                          /* flags DF; fragment offset 0 */ \
    0x40, (proto),                       /* TTL 64; protocol */ \
    0x00, 0x00,                          /* header checksum (not checked) */ \
    10, 0, (net), 1,                     /* source */ \
    10, 0, (net), 2                      /* destination */
#define IP4(tot, proto) IP4N(tot, proto, 0)

/* IPv6 header, 2001:db8::1 -> 2001:db8::2 */
#define IP6(plen, nh) \
    0x60, 0x00, 0x00, 0x00,              /* version 6; traffic class; flow label */ \
    (plen) >> 8, (plen) & 0xff,          /* payload length */ \
    (nh), 0x40,                          /* next header; hop limit 64 */ \
    0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,  /* source */ \
    0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02   /* destination */

/* TCP header, 20 bytes: 49153 -> 445, seq 4096, ack 8192, PSH|ACK, window 64240 */
#define TCP20 \
    0xc0, 0x01,                          /* source port 49153 */ \
    0x01, 0xbd,                          /* destination port 445 */ \
    0x00, 0x00, 0x10, 0x00,              /* sequence number 4096 */ \
    0x00, 0x00, 0x20, 0x00,              /* acknowledgment number 8192 */ \
    0x50, 0x18,                          /* data offset 5 (20 bytes); flags PSH|ACK */ \
    0xfa, 0xf0,                          /* window 64240 */ \
    0x00, 0x00,                          /* checksum (not checked) */ \
    0x00, 0x00                           /* urgent pointer */

/* 4 payload bytes: an NBSS keep-alive (type 0x85, flags, length 0) */
#define NBSS_KA 0x85, 0x00, 0x00, 0x00

#define IP4_TCP IP4(44, 6), TCP20, NBSS_KA      /* 44 bytes: 20 IP + 20 TCP + 4 */
#define IP6_TCP IP6(24, 6), TCP20, NBSS_KA      /* 64 bytes: 40 IP + 20 TCP + 4 */

/* the addresses IP6() carries */
static const uint8_t addr6_src[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
static const uint8_t addr6_dst[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 2};

#endif
