/* Unit tests for decode (link layers, IPv4/IPv6, GRE, TCP) and the IP
 * fragment table. Fixtures are hand-built frames, annotated byte by byte. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "ipfrag.h"
#include "link.h"

/* ---- building blocks (each expands to annotated bytes) ---- */

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

/* ---- fixtures: TCP over every link type ---- */

static const uint8_t eth_ip4_padded[] = {
    ETH(0x08, 0x00),                     /* Ethernet, IPv4 */
    IP4_TCP,                             /* total length 44 ends the datagram at byte 58 */
    0x00, 0x00,                          /* padding up to the 60-byte minimum */
    0xde, 0xad, 0xbe, 0xef,              /* frame check sequence kept by the capture */
};

static const uint8_t eth_vlan_ip4[] = {
    ETH(0x81, 0x00),                     /* 802.1Q tag follows */
    0x00, 0x64,                          /* TCI: priority 0, VLAN 100 */
    0x08, 0x00,                          /* inner ethertype IPv4 */
    IP4_TCP,
};

static const uint8_t eth_qinq_ip4[] = {
    ETH(0x88, 0xa8),                     /* 802.1ad service tag */
    0x00, 0x0a,                          /* S-TCI: VLAN 10 */
    0x81, 0x00,                          /* 802.1Q customer tag */
    0x00, 0x64,                          /* C-TCI: VLAN 100 */
    0x08, 0x00,                          /* IPv4 */
    IP4_TCP,
};

static const uint8_t eth_9100_ip6[] = {
    ETH(0x91, 0x00),                     /* pre-standard QinQ outer tag */
    0x00, 0x05,                          /* TCI: VLAN 5 */
    0x81, 0x00,                          /* 802.1Q inner tag */
    0x20, 0x64,                          /* TCI: priority 1, VLAN 100 */
    0x86, 0xdd,                          /* IPv6 */
    IP6_TCP,
};

static const uint8_t eth_snap_ip4[] = {
    ETH(0x00, 0x34),                     /* 802.3 length 52: LLC follows */
    0xaa, 0xaa, 0x03,                    /* LLC: DSAP SNAP, SSAP SNAP, UI */
    0x00, 0x00, 0x00,                    /* SNAP OUI 0: an ethertype follows (RFC 1042) */
    0x08, 0x00,                          /* IPv4 */
    IP4_TCP,
};

/* 802.1H bridge tunnel encapsulation: SNAP OUI 00-00-F8 also means "an
 * ethertype follows" (IEEE 802.1H; bridges translating from Token Ring/FDDI) */
static const uint8_t eth_snap_8021h_ip4[] = {
    ETH(0x00, 0x34),                     /* 802.3 length 52: LLC follows */
    0xaa, 0xaa, 0x03,                    /* LLC: DSAP SNAP, SSAP SNAP, UI */
    0x00, 0x00, 0xf8,                    /* SNAP OUI 00-00-F8 (802.1H) */
    0x08, 0x00,                          /* IPv4 */
    IP4_TCP,
};

static const uint8_t sll_ip4[] = {
    0x00, 0x00,                          /* packet type: to us */
    0x00, 0x01,                          /* ARPHRD_ETHER */
    0x00, 0x06,                          /* link address length 6 */
    0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0x00, 0x00,  /* address, padded to 8 */
    0x08, 0x00,                          /* protocol IPv4 */
    IP4_TCP,
};

static const uint8_t sll2_ip6[] = {
    0x86, 0xdd,                          /* protocol IPv6 */
    0x00, 0x00,                          /* reserved */
    0x00, 0x00, 0x00, 0x02,              /* interface index 2 */
    0x00, 0x01,                          /* ARPHRD_ETHER */
    0x04,                                /* packet type: outgoing */
    0x06,                                /* link address length 6 */
    0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0x00, 0x00,  /* address, padded to 8 */
    IP6_TCP,
};

static const uint8_t raw_ip4[] = { IP4_TCP };
static const uint8_t raw_ip6[] = { IP6_TCP };

static const uint8_t null_le_ip4[] = {
    0x02, 0x00, 0x00, 0x00,              /* AF_INET, little-endian host */
    IP4_TCP,
};
static const uint8_t null_be_ip4[] = {
    0x00, 0x00, 0x00, 0x02,              /* AF_INET, big-endian host */
    IP4_TCP,
};
static const uint8_t null_le30_ip6[] = {
    0x1e, 0x00, 0x00, 0x00,              /* AF_INET6 (30, Darwin), little-endian */
    IP6_TCP,
};
static const uint8_t null_be28_ip6[] = {
    0x00, 0x00, 0x00, 0x1c,              /* AF_INET6 (28, FreeBSD), big-endian */
    IP6_TCP,
};
static const uint8_t loop_ip6[] = {
    0x00, 0x00, 0x00, 0x18,              /* AF_INET6 (24, OpenBSD), network order */
    IP6_TCP,
};
static const uint8_t loop_ip4[] = {
    0x00, 0x00, 0x00, 0x02,              /* AF_INET, network order */
    IP4_TCP,
};

static const uint8_t eth_ip4opt_tcpopt[] = {
    ETH(0x08, 0x00),
    0x46, 0x00,                          /* version 4, IHL 6 (24 bytes) */
    0x00, 0x44,                          /* total length 68 */
    0x12, 0x34, 0x00, 0x00,              /* identification; no flags, offset 0 */
    0x40, 0x06, 0x00, 0x00,              /* TTL 64; TCP; checksum */
    10, 0, 0, 1, 10, 0, 0, 2,            /* source, destination */
    0x94, 0x04, 0x00, 0x00,              /* option: router alert (RFC 2113) */
    0xc0, 0x01, 0x01, 0xbd,              /* ports 49153 -> 445 */
    0x00, 0x00, 0x10, 0x00,              /* seq 4096 */
    0x00, 0x00, 0x20, 0x00,              /* ack 8192 */
    0xa0, 0x18,                          /* data offset 10 (40 bytes); PSH|ACK */
    0xfa, 0xf0, 0x00, 0x00, 0x00, 0x00,  /* window; checksum; urgent */
    0x02, 0x04, 0x05, 0xb4,              /* MSS 1460 */
    0x04, 0x02,                          /* SACK permitted */
    0x08, 0x0a, 0, 0, 0, 1, 0, 0, 0, 2,  /* timestamps */
    0x01,                                /* NOP */
    0x03, 0x03, 0x07,                    /* window scale 7 */
    NBSS_KA,
};

static const uint8_t eth_ip6_ext[] = {
    ETH(0x86, 0xdd),
    IP6(96, 0),                          /* payload 96 bytes; next: hop-by-hop */
    60, 0,                               /* hop-by-hop: next dest-options; 8 bytes */
    0x01, 0x04, 0, 0, 0, 0,              /*   PadN, 4 bytes */
    43, 0,                               /* destination options: next routing; 8 bytes */
    0x01, 0x04, 0, 0, 0, 0,              /*   PadN */
    51, 2,                               /* routing: next AH; (2+1)*8 = 24 bytes */
    2, 1,                                /*   type 2, segments left 1 */
    0, 0, 0, 0,                          /*   reserved */
    0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x09,  /* home address */
    44, 4,                               /* AH: next fragment; (4+2)*4 = 24 bytes */
    0, 0,                                /*   reserved */
    0, 0, 0x10, 0x01,                    /*   SPI */
    0, 0, 0, 0x07,                       /*   sequence */
    1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,  /* ICV, 96 bits */
    6, 0,                                /* fragment: next TCP; reserved */
    0x00, 0x00,                          /*   offset 0, M 0: an atomic fragment */
    0, 0, 0, 0x2a,                       /*   identification */
    TCP20, NBSS_KA,
};

static const uint8_t eth_gre_wccp2[] = {
    ETH(0x08, 0x00),
    IP4N(72, 47, 9),                     /* outer IPv4 10.0.9.1 -> 10.0.9.2, GRE */
    0x00, 0x00,                          /* GRE: no C/R/K/S bits, version 0 */
    0x88, 0x3e,                          /* protocol: WCCP */
    0x05, 0x59, 0x00, 0x48,              /* WCCPv2 redirect header: flags, service 89, buckets 0 and 72 */
    IP4_TCP,                             /* the redirected packet */
};

static const uint8_t eth_gre_wccp2_alt[] = {
    ETH(0x08, 0x00),
    IP4N(72, 47, 9),                     /* outer IPv4, GRE */
    0x00, 0x00, 0x88, 0x3e,              /* GRE: WCCP */
    0x40, 0x5a, 0x03, 0x07,              /* redirect header: flags 0x40 (version nibble 4 but IHL 0,
                                            so not IPv4), service 90, buckets 3 and 7 */
    IP4_TCP,
};

static const uint8_t eth_gre_wccp1[] = {
    ETH(0x08, 0x00),
    IP4N(68, 47, 9),                     /* outer IPv4, GRE */
    0x00, 0x00, 0x88, 0x3e,              /* GRE: WCCP, no redirect header (WCCPv1) */
    IP4_TCP,
};

static const uint8_t raw_gre_cks[] = {
    IP4N(80, 47, 9),                     /* outer IPv4, GRE */
    0xb0, 0x00,                          /* GRE: checksum, key and sequence present */
    0x08, 0x00,                          /* protocol IPv4 */
    0x00, 0x00, 0x00, 0x00,              /* checksum; reserved */
    0x00, 0x00, 0x00, 0x2a,              /* key */
    0x00, 0x00, 0x00, 0x01,              /* sequence number */
    IP4_TCP,
};

static const uint8_t raw_gre_route[] = {
    IP4N(84, 47, 9),                     /* outer IPv4, GRE */
    0x40, 0x00,                          /* GRE (RFC 1701): routing present */
    0x08, 0x00,                          /* protocol IPv4 */
    0x00, 0x00, 0x00, 0x00,              /* checksum; offset */
    0x08, 0x00, 0x00, 0x04,              /* SRE: family IPv4, offset 0, length 4 */
    10, 0, 9, 7,                         /*   route entry */
    0x00, 0x00, 0x00, 0x00,              /* NULL SRE ends the list */
    IP4_TCP,
};

static const uint8_t raw_gre_teb[] = {
    IP4N(82, 47, 9),                     /* outer IPv4, GRE */
    0x00, 0x00, 0x65, 0x58,              /* GRE: transparent Ethernet bridging */
    ETH(0x08, 0x00),                     /* bridged Ethernet frame */
    IP4_TCP,
};

static const uint8_t raw_6in4[] = {
    IP4N(84, 41, 9),                     /* IPv4 carrying IPv6 (protocol 41) */
    IP6_TCP,
};

/* ---- fixtures that are not TCP ---- */

static const uint8_t eth_arp[] = {
    ETH(0x08, 0x06),                     /* ARP */
    0x00, 0x01, 0x08, 0x00, 0x06, 0x04,  /* Ethernet, IPv4, sizes 6 and 4 */
    0x00, 0x01,                          /* request */
    0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 10, 0, 0, 1,  /* sender */
    0, 0, 0, 0, 0, 0, 10, 0, 0, 2,       /* target */
};

static const uint8_t eth_udp[] = {
    ETH(0x08, 0x00),
    IP4(32, 17),                         /* IPv4, UDP, total 32 */
    0x00, 0x89, 0x00, 0x89,              /* UDP 137 -> 137 */
    0x00, 0x0c, 0x00, 0x00,              /* length 12; checksum */
    1, 2, 3, 4,                          /* data */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  /* Ethernet padding */
};

static const uint8_t eth_ip6_esp[] = {
    ETH(0x86, 0xdd),
    IP6(8, 50),                          /* IPv6, ESP */
    0x00, 0x00, 0x10, 0x01,              /* SPI */
    0x00, 0x00, 0x00, 0x01,              /* sequence */
};

static const uint8_t eth_llc_netbios[] = {
    ETH(0x00, 0x03),                     /* 802.3 length 3 */
    0xf0, 0xf0, 0x03,                    /* LLC: NetBIOS SAPs, UI */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  /* padding to 60 */
};

static const uint8_t eth_snap_cdp[] = {
    ETH(0x00, 0x08),                     /* 802.3 length */
    0xaa, 0xaa, 0x03,                    /* LLC SNAP */
    0x00, 0x00, 0x0c,                    /* OUI Cisco */
    0x20, 0x00,                          /* CDP */
};

static const uint8_t raw_gre_pptp[] = {
    IP4N(32, 47, 9),                     /* IPv4, GRE */
    0x30, 0x01,                          /* GRE: key and sequence, version 1 (PPTP) */
    0x88, 0x0b,                          /* PPP */
    0x00, 0x00, 0x00, 0x01,              /* payload length 0; call id 1 */
    0x00, 0x00, 0x00, 0x05,              /* sequence */
};

static const uint8_t null_family7[] = {
    0x07, 0x00, 0x00, 0x00,              /* family 7: not IP */
    0x01, 0x02,
};

static const uint8_t wlan_frame[] = {
    0x08, 0x02, 0x00, 0x00,              /* an 802.11 frame: link type not supported */
};

/* ---- malformed fixtures: DEC_BAD whole and cut ---- */

static const uint8_t bad_ip4_version[] = {
    0x55, 0x00, 0x00, 0x28,              /* version 5 */
    0x00, 0x00, 0x00, 0x00, 0x40, 0x06, 0x00, 0x00,
    10, 0, 0, 1, 10, 0, 0, 2,
    TCP20,
};

static const uint8_t bad_ip4_ihl[] = {
    0x44, 0x00, 0x00, 0x28,              /* IHL 4: shorter than the fixed header */
    0x00, 0x00, 0x00, 0x00, 0x40, 0x06, 0x00, 0x00,
    10, 0, 0, 1, 10, 0, 0, 2,
    TCP20,
};

static const uint8_t bad_ip4_total[] = {
    0x45, 0x00, 0x00, 0x10,              /* total length 16 < header length 20 */
    0x00, 0x00, 0x00, 0x00, 0x40, 0x06, 0x00, 0x00,
    10, 0, 0, 1, 10, 0, 0, 2,
    TCP20,
};

static const uint8_t bad_tcp_off_small[] = {
    IP4(40, 6),
    0xc0, 0x01, 0x01, 0xbd, 0, 0, 0x10, 0, 0, 0, 0x20, 0,
    0x40, 0x18,                          /* data offset 4: shorter than the fixed header */
    0xfa, 0xf0, 0, 0, 0, 0,
};

static const uint8_t bad_tcp_off_big[] = {
    IP4(44, 6),
    0xc0, 0x01, 0x01, 0xbd, 0, 0, 0x10, 0, 0, 0, 0x20, 0,
    0xf0, 0x18,                          /* data offset 15 (60 bytes) > the 24 IP carries */
    0xfa, 0xf0, 0, 0, 0, 0,
    NBSS_KA,
};

static const uint8_t bad_vlan_stack[] = {
    ETH(0x81, 0x00),                     /* eight 802.1Q tags and a ninth TPID: too deep */
    0, 1, 0x81, 0x00, 0, 2, 0x81, 0x00, 0, 3, 0x81, 0x00, 0, 4, 0x81, 0x00,
    0, 5, 0x81, 0x00, 0, 6, 0x81, 0x00, 0, 7, 0x81, 0x00, 0, 8, 0x81, 0x00,
    0, 9, 0x08, 0x00,
    IP4_TCP,
};

static const uint8_t bad_ip6_ext_len[] = {
    IP6(8, 0),                           /* payload 8 bytes; hop-by-hop */
    6, 1,                                /* hop-by-hop length (1+1)*8 = 16 > 8 */
    0x01, 0x04, 0, 0, 0, 0,
};

static const uint8_t bad_snap_len[] = {
    ETH(0x00, 0x30),
    0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00,  /* SNAP, OUI 0 */
    0x00, 0x20,                          /* "ethertype" 32: a length, which SNAP cannot carry */
    IP4_TCP,
};

static const uint8_t bad_raw_version[] = {
    0x75, 0x00, 0x00, 0x14,              /* version 7 on a raw-IP link */
};

/* ---- the fixture table ---- */

struct fixture {
    const char *name;
    int dlt;
    const uint8_t *b;
    size_t len;
    enum decode_status want;     /* for the whole frame */
    size_t hdr;                  /* bytes every header needs (TCP: where payload starts) */
    size_t ip_end;               /* where the outermost IP datagram ends (trailer after) */
    uint8_t ipver;
};

#define FX(name, dlt, want, hdr, ip_end, ver) {#name, dlt, name, sizeof name, want, hdr, ip_end, ver}

static const struct fixture fixtures[] = {
    FX(eth_ip4_padded, LT_EN10MB, DEC_TCP, 54, 58, 4),
    FX(eth_vlan_ip4, LT_EN10MB, DEC_TCP, 58, 62, 4),
    FX(eth_qinq_ip4, LT_EN10MB, DEC_TCP, 62, 66, 4),
    FX(eth_9100_ip6, LT_EN10MB, DEC_TCP, 82, 86, 6),
    FX(eth_snap_ip4, LT_EN10MB, DEC_TCP, 62, 66, 4),
    FX(eth_snap_8021h_ip4, LT_EN10MB, DEC_TCP, 62, 66, 4),
    FX(sll_ip4, LT_LINUX_SLL, DEC_TCP, 56, 60, 4),
    FX(sll2_ip6, LT_LINUX_SLL2, DEC_TCP, 80, 84, 6),
    FX(raw_ip4, LT_RAW12, DEC_TCP, 40, 44, 4),
    FX(raw_ip4, LT_RAW14, DEC_TCP, 40, 44, 4),
    FX(raw_ip4, LT_RAW, DEC_TCP, 40, 44, 4),
    FX(raw_ip4, LT_IPV4, DEC_TCP, 40, 44, 4),
    FX(raw_ip6, LT_RAW12, DEC_TCP, 60, 64, 6),
    FX(raw_ip6, LT_RAW, DEC_TCP, 60, 64, 6),
    FX(raw_ip6, LT_IPV6, DEC_TCP, 60, 64, 6),
    FX(null_le_ip4, LT_NULL, DEC_TCP, 44, 48, 4),
    FX(null_be_ip4, LT_NULL, DEC_TCP, 44, 48, 4),
    FX(null_le30_ip6, LT_NULL, DEC_TCP, 64, 68, 6),
    FX(null_be28_ip6, LT_NULL, DEC_TCP, 64, 68, 6),
    FX(loop_ip6, LT_LOOP, DEC_TCP, 64, 68, 6),
    FX(loop_ip4, LT_LOOP, DEC_TCP, 44, 48, 4),
    FX(eth_ip4opt_tcpopt, LT_EN10MB, DEC_TCP, 78, 82, 4),
    FX(eth_ip6_ext, LT_EN10MB, DEC_TCP, 146, 150, 6),
    FX(eth_gre_wccp2, LT_EN10MB, DEC_TCP, 82, 86, 4),
    FX(eth_gre_wccp2_alt, LT_EN10MB, DEC_TCP, 82, 86, 4),
    FX(eth_gre_wccp1, LT_EN10MB, DEC_TCP, 78, 82, 4),
    FX(raw_gre_cks, LT_RAW12, DEC_TCP, 76, 80, 4),
    FX(raw_gre_route, LT_RAW12, DEC_TCP, 80, 84, 4),
    FX(raw_gre_teb, LT_RAW12, DEC_TCP, 78, 82, 4),
    FX(raw_6in4, LT_RAW12, DEC_TCP, 80, 84, 6),

    FX(eth_arp, LT_EN10MB, DEC_SKIP, 14, 14, 0),
    FX(eth_udp, LT_EN10MB, DEC_SKIP, 34, 46, 0),
    FX(eth_ip6_esp, LT_EN10MB, DEC_SKIP, 54, 62, 0),
    FX(eth_llc_netbios, LT_EN10MB, DEC_SKIP, 17, 17, 0),
    FX(eth_snap_cdp, LT_EN10MB, DEC_SKIP, 22, 22, 0),
    FX(raw_gre_pptp, LT_RAW12, DEC_SKIP, 24, 32, 0),
    FX(null_family7, LT_NULL, DEC_SKIP, 4, 4, 0),
    FX(wlan_frame, 105, DEC_SKIP, 0, 0, 0),

    FX(bad_ip4_version, LT_IPV4, DEC_BAD, 0, 0, 0),
    FX(bad_ip4_ihl, LT_IPV4, DEC_BAD, 0, 0, 0),
    FX(bad_ip4_total, LT_IPV4, DEC_BAD, 0, 0, 0),
    FX(bad_tcp_off_small, LT_RAW12, DEC_BAD, 0, 0, 0),
    FX(bad_tcp_off_big, LT_RAW12, DEC_BAD, 0, 0, 0),
    FX(bad_vlan_stack, LT_EN10MB, DEC_BAD, 0, 0, 0),
    FX(bad_ip6_ext_len, LT_IPV6, DEC_BAD, 0, 0, 0),
    FX(bad_snap_len, LT_EN10MB, DEC_BAD, 0, 0, 0),
    FX(bad_raw_version, LT_RAW, DEC_BAD, 0, 0, 0),
};
#define NFIX (sizeof fixtures / sizeof fixtures[0])

static const uint8_t addr4_inner_src[4] = {10, 0, 0, 1}, addr4_inner_dst[4] = {10, 0, 0, 2};
static const uint8_t addr6_src[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
static const uint8_t addr6_dst[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 2};

/* decode n bytes of f from an exact-size heap copy, so a read past the end is
 * caught by the sanitizers; the copy is gone on return, so p->payload is
 * checked here and cleared (its offset in the frame goes to *at) */
static enum decode_status run(struct decode_ctx *d, const struct fixture *f, size_t n,
                              size_t wirelen, struct pkt *p, size_t *at)
{
    uint8_t *copy = malloc(n ? n : 1);
    ck_assert_ptr_nonnull(copy);
    memcpy(copy, f->b, n);
    enum decode_status st = decode_packet(d, f->dlt, 1000000, n ? copy : NULL, n, wirelen, p);
    *at = SIZE_MAX;
    if (st == DEC_TCP) {
        /* the payload lies in the frame, caplen bytes of it, and equals it there */
        ck_assert(p->payload >= copy && p->payload <= copy + n);
        *at = (size_t)(p->payload - copy);
        ck_assert_uint_le(*at + p->caplen, n);
        ck_assert_mem_eq(p->payload, f->b + *at, p->caplen);
        p->payload = NULL;
    }
    free(copy);
    return st;
}

START_TEST(whole_fixture_decodes)
{
    const struct fixture *f = &fixtures[_i];
    struct decode_ctx *d = decode_new(NULL);
    struct pkt p;
    size_t at;
    enum decode_status st = run(d, f, f->len, f->len, &p, &at);
    ck_assert_msg(st == f->want, "%s: got %d want %d", f->name, st, f->want);
    const struct decode_stats *s = decode_stats(d);
    ck_assert_uint_eq(s->packets, 1);
    ck_assert_uint_eq(s->bytes, f->len);
    ck_assert_uint_eq(s->tcp, st == DEC_TCP);
    ck_assert_uint_eq(s->non_tcp, st == DEC_SKIP);
    ck_assert_uint_eq(s->bad, st == DEC_BAD);
    ck_assert_uint_eq(s->truncated, 0);
    if (st == DEC_TCP) {
        ck_assert_uint_eq(p.ts_us, 1000000);
        ck_assert_uint_eq(p.ipver, f->ipver);
        ck_assert_uint_eq(p.sport, 49153);
        ck_assert_uint_eq(p.dport, 445);
        ck_assert_uint_eq(p.seq, 4096);
        ck_assert_uint_eq(p.ack, 8192);
        ck_assert_uint_eq(p.tcp_flags, TCPF_PSH | TCPF_ACK);
        ck_assert_uint_eq(p.win, 64240);
        ck_assert_uint_eq(p.len, 4);
        ck_assert_uint_eq(p.caplen, 4);
        ck_assert_uint_eq(at, f->hdr);
        ck_assert_uint_eq(f->b[at], 0x85);
        /* tunnels report the inner addresses */
        if (f->ipver == 4) {
            ck_assert_mem_eq(p.src, addr4_inner_src, 4);
            ck_assert_mem_eq(p.dst, addr4_inner_dst, 4);
            for (int i = 4; i < 16; i++)
                ck_assert_uint_eq(p.src[i] | p.dst[i], 0);
        } else {
            ck_assert_mem_eq(p.src, addr6_src, 16);
            ck_assert_mem_eq(p.dst, addr6_dst, 16);
        }
    } else {
        ck_assert_uint_eq(p.caplen, 0);
        ck_assert_uint_eq(p.sport, 0);
    }
    decode_free(d);
}
END_TEST

/* cut by the snap length: the wire had the whole frame, the capture has n bytes */
START_TEST(every_snap_cut)
{
    const struct fixture *f = &fixtures[_i];
    struct decode_ctx *d = decode_new(NULL);
    for (size_t n = 0; n < f->len; n++) {
        struct pkt p;
        size_t at;
        enum decode_status st = run(d, f, n, f->len, &p, &at);
        enum decode_status want = f->want == DEC_BAD || n < f->hdr ? DEC_BAD : f->want;
        ck_assert_msg(st == want, "%s cut at %zu: got %d want %d", f->name, n, st, want);
        if (st == DEC_TCP) {
            size_t have = n < f->ip_end ? n : f->ip_end;
            ck_assert_uint_eq(at, f->hdr);
            ck_assert_uint_eq(p.caplen, have - f->hdr);
            ck_assert_uint_eq(p.len, 4);  /* still the length on the wire */
        }
    }
    const struct decode_stats *s = decode_stats(d);
    if (f->want != DEC_BAD)        /* every DEC_BAD here was the snap length's doing */
        ck_assert_uint_eq(s->truncated, s->bad);
    decode_free(d);
}
END_TEST

/* a frame that really was short on the wire: lengths inside it lie */
START_TEST(every_wire_cut)
{
    const struct fixture *f = &fixtures[_i];
    struct decode_ctx *d = decode_new(NULL);
    for (size_t n = 0; n < f->len; n++) {
        struct pkt p;
        size_t at;
        enum decode_status st = run(d, f, n, n, &p, &at);
        enum decode_status want = f->want == DEC_BAD || n < f->ip_end ? DEC_BAD : f->want;
        ck_assert_msg(st == want, "%s wire-cut at %zu: got %d want %d", f->name, n, st, want);
        if (st == DEC_TCP)
            ck_assert_uint_eq(p.caplen, p.len);
    }
    ck_assert_uint_eq(decode_stats(d)->truncated, 0);
    decode_free(d);
}
END_TEST

START_TEST(padding_is_not_payload)
{
    struct decode_ctx *d = decode_new(NULL);
    struct pkt p;
    ck_assert_int_eq(decode_packet(d, LT_EN10MB, 0, eth_ip4_padded, sizeof eth_ip4_padded,
                                   sizeof eth_ip4_padded, &p), DEC_TCP);
    ck_assert_uint_eq(p.len, 4);
    ck_assert_uint_eq(p.caplen, 4);
    ck_assert_ptr_eq(p.payload, eth_ip4_padded + 54);  /* in place, no copy */
    decode_free(d);
}
END_TEST

START_TEST(snap_cut_frame_shows_caplen_below_len)
{
    struct decode_ctx *d = decode_new(NULL);
    struct pkt p;
    /* the first 56 bytes of a 64-byte frame: 2 of the 4 payload bytes */
    ck_assert_int_eq(decode_packet(d, LT_EN10MB, 0, eth_ip4_padded, 56, 64, &p), DEC_TCP);
    ck_assert_uint_eq(p.caplen, 2);
    ck_assert_uint_eq(p.len, 4);
    ck_assert_uint_eq(decode_stats(d)->truncated, 0);
    /* cut inside the TCP header: bad, and counted as truncated */
    ck_assert_int_eq(decode_packet(d, LT_EN10MB, 0, eth_ip4_padded, 40, 64, &p), DEC_BAD);
    ck_assert_uint_eq(decode_stats(d)->truncated, 1);
    ck_assert_uint_eq(decode_stats(d)->bad, 1);
    decode_free(d);
}
END_TEST

START_TEST(supported_link_types)
{
    int yes[] = {0, 1, 12, 14, 101, 108, 113, 228, 229, 276};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
        ck_assert(decode_linktype_supported(yes[i]));
    ck_assert(!decode_linktype_supported(105));
    ck_assert(!decode_linktype_supported(127));
    ck_assert(!decode_linktype_supported(-1));
}
END_TEST

/* IP-in-IP nested `levels` deep around IP4_TCP, on a raw link */
static size_t nest_ipip(uint8_t *b, unsigned levels)
{
    static const uint8_t inner[] = { IP4_TCP };
    size_t total = sizeof inner + 20u * levels;
    size_t at = 0;
    for (unsigned i = 0; i < levels; i++, total -= 20) {
        const uint8_t hdr[20] = { IP4N(total, 4, 9) };  /* IPv4 carrying IPv4 (protocol 4) */
        memcpy(b + at, hdr, 20);
        at += 20;
    }
    memcpy(b + at, inner, sizeof inner);
    return at + sizeof inner;
}

START_TEST(tunnel_depth_is_bounded)
{
    uint8_t b[512];
    struct decode_ctx *d = decode_new(NULL);
    struct pkt p;
    size_t n = nest_ipip(b, 4);      /* innermost at depth 4: allowed */
    ck_assert_int_eq(decode_packet(d, LT_RAW12, 0, b, n, n, &p), DEC_TCP);
    ck_assert_uint_eq(p.len, 4);
    n = nest_ipip(b, 5);             /* one more: refused */
    ck_assert_int_eq(decode_packet(d, LT_RAW12, 0, b, n, n, &p), DEC_BAD);
    decode_free(d);
}
END_TEST

START_TEST(eight_vlan_tags_are_fine_nine_are_not)
{
    /* drop the first of bad_vlan_stack's nine tags */
    uint8_t b[sizeof bad_vlan_stack - 4];
    memcpy(b, bad_vlan_stack, 12);                   /* MACs */
    memcpy(b + 12, bad_vlan_stack + 16, sizeof b - 12);
    struct decode_ctx *d = decode_new(NULL);
    struct pkt p;
    ck_assert_int_eq(decode_packet(d, LT_EN10MB, 0, b, sizeof b, sizeof b, &p), DEC_TCP);
    ck_assert_int_eq(decode_packet(d, LT_EN10MB, 0, bad_vlan_stack, sizeof bad_vlan_stack,
                                   sizeof bad_vlan_stack, &p), DEC_BAD);
    decode_free(d);
}
END_TEST

START_TEST(tso_zero_total_length_uses_frame)
{
    uint8_t b[sizeof raw_ip4];
    memcpy(b, raw_ip4, sizeof b);
    b[2] = b[3] = 0;                 /* IPv4 total length 0, as TSO leaves it in a sender's capture */
    struct decode_ctx *d = decode_new(NULL);
    struct pkt p;
    ck_assert_int_eq(decode_packet(d, LT_RAW12, 0, b, sizeof b, sizeof b, &p), DEC_TCP);
    ck_assert_uint_eq(p.len, 4);
    decode_free(d);
}
END_TEST

/* ---- IPv4 fragments ---- */

/* the datagram split below: a 20-byte TCP header and 44 bytes of data */
static void datagram(uint8_t dg[64])
{
    const uint8_t tcp[20] = { TCP20 };
    memcpy(dg, tcp, 20);
    for (int i = 0; i < 44; i++)
        dg[20 + i] = (uint8_t)('A' + i % 26);
}

/* one IPv4 fragment (raw link): header, then `len` bytes of `data` */
static size_t frag4(uint8_t *b, uint16_t id, size_t off, bool mf, const uint8_t *data, size_t len)
{
    size_t total = 20 + len;
    const uint8_t hdr[20] = {
        0x45, 0x00,                                      /* version 4, IHL 5 */
        (uint8_t)(total >> 8), (uint8_t)total,           /* total length */
        (uint8_t)(id >> 8), (uint8_t)id,                 /* identification */
        (uint8_t)((mf ? 0x20 : 0x00) | (off / 8) >> 8),  /* MF flag, offset high bits */
        (uint8_t)(off / 8),                              /* offset low bits (8-byte units) */
        0x40, 0x06, 0x00, 0x00,                          /* TTL; TCP; checksum */
        192, 168, 1, 1,                                  /* source */
        192, 168, 1, 2,                                  /* destination */
    };
    memcpy(b, hdr, 20);
    memcpy(b + 20, data, len);
    return total;
}

static enum decode_status send_frag(struct decode_ctx *d, uint64_t ts, uint16_t id, size_t off,
                                    bool mf, const uint8_t *data, size_t len, struct pkt *p)
{
    uint8_t b[128];
    size_t n = frag4(b, id, off, mf, data, len);
    return decode_packet(d, LT_RAW12, ts, b, n, n, p);
}

static void check_whole(const struct pkt *p, const uint8_t dg[64])
{
    ck_assert_uint_eq(p->ipver, 4);
    ck_assert_uint_eq(p->src[0], 192);
    ck_assert_uint_eq(p->dst[3], 2);
    ck_assert_uint_eq(p->dport, 445);
    ck_assert_uint_eq(p->len, 44);
    ck_assert_uint_eq(p->caplen, 44);
    ck_assert_mem_eq(p->payload, dg + 20, 44);
}

START_TEST(frag_in_order)
{
    uint8_t dg[64];
    datagram(dg);
    struct decode_ctx *d = decode_new(NULL);
    struct pkt p;
    /* three pieces of 24, 24, 16 bytes: the first holds only part of the TCP header */
    ck_assert_int_eq(send_frag(d, 1, 7, 0, true, dg, 16, &p), DEC_FRAG_HELD);
    ck_assert_int_eq(send_frag(d, 2, 7, 16, true, dg + 16, 24, &p), DEC_FRAG_HELD);
    ck_assert_int_eq(send_frag(d, 3, 7, 40, false, dg + 40, 24, &p), DEC_TCP);
    check_whole(&p, dg);
    ck_assert_uint_eq(p.ts_us, 3);
    const struct decode_stats *s = decode_stats(d);
    ck_assert_uint_eq(s->frags, 3);
    ck_assert_uint_eq(s->frag_datagrams, 1);
    ck_assert_uint_eq(s->frag_overlaps, 0);
    ck_assert_uint_eq(s->tcp, 1);
    ck_assert_uint_eq(s->packets, 3);
    decode_free(d);
}
END_TEST

START_TEST(frag_reversed)
{
    uint8_t dg[64];
    datagram(dg);
    struct decode_ctx *d = decode_new(NULL);
    struct pkt p;
    ck_assert_int_eq(send_frag(d, 1, 7, 40, false, dg + 40, 24, &p), DEC_FRAG_HELD);
    ck_assert_int_eq(send_frag(d, 2, 7, 16, true, dg + 16, 24, &p), DEC_FRAG_HELD);
    ck_assert_int_eq(send_frag(d, 3, 7, 0, true, dg, 16, &p), DEC_TCP);
    check_whole(&p, dg);
    decode_free(d);
}
END_TEST

/* a datagram whose length is not a multiple of 8 (62 bytes: 8 blocks, the
 * last one 6 bytes long) is complete only when every block is there, even
 * when its ragged last piece came first: here the block at 48..55 comes last */
START_TEST(frag_ragged_length_needs_every_block)
{
    uint8_t dg[64];
    datagram(dg);
    struct decode_ctx *d = decode_new(NULL);
    struct pkt p;
    ck_assert_int_eq(send_frag(d, 1, 7, 56, false, dg + 56, 6, &p), DEC_FRAG_HELD);  /* 56..61, last */
    ck_assert_int_eq(send_frag(d, 2, 7, 0, true, dg, 16, &p), DEC_FRAG_HELD);        /* 0..15 */
    ck_assert_int_eq(send_frag(d, 3, 7, 16, true, dg + 16, 32, &p), DEC_FRAG_HELD);  /* 16..47: 7 of 8 blocks */
    ck_assert_int_eq(send_frag(d, 4, 7, 48, true, dg + 48, 8, &p), DEC_TCP);         /* 48..55 */
    ck_assert_uint_eq(p.len, 42);
    ck_assert_uint_eq(p.caplen, 42);
    ck_assert_mem_eq(p.payload, dg + 20, 42);
    decode_free(d);
}
END_TEST

START_TEST(frag_duplicated)
{
    uint8_t dg[64];
    datagram(dg);
    struct decode_ctx *d = decode_new(NULL);
    struct pkt p;
    ck_assert_int_eq(send_frag(d, 1, 7, 0, true, dg, 16, &p), DEC_FRAG_HELD);
    ck_assert_int_eq(send_frag(d, 1, 7, 0, true, dg, 16, &p), DEC_FRAG_HELD);
    ck_assert_int_eq(send_frag(d, 2, 7, 16, true, dg + 16, 24, &p), DEC_FRAG_HELD);
    ck_assert_int_eq(send_frag(d, 3, 7, 40, false, dg + 40, 24, &p), DEC_TCP);
    check_whole(&p, dg);
    ck_assert_uint_eq(decode_stats(d)->frag_overlaps, 1);
    /* a late duplicate after completion starts a new datagram that never finishes */
    ck_assert_int_eq(send_frag(d, 4, 7, 40, false, dg + 40, 24, &p), DEC_FRAG_HELD);
    decode_free(d);
}
END_TEST

/* overlap with different bytes: whichever arrived first is kept, in either order */
START_TEST(frag_overlap_first_wins)
{
    uint8_t dg[64], alt[64];
    datagram(dg);
    memcpy(alt, dg, 64);
    memset(alt + 24, '#', 16);       /* bytes 24..39 differ in the second copy */
    for (int order = 0; order < 2; order++) {
        struct decode_ctx *d = decode_new(NULL);
        struct pkt p;
        const uint8_t *first = order ? alt : dg, *second = order ? dg : alt;
        ck_assert_int_eq(send_frag(d, 1, 9, 0, true, first, 40, &p), DEC_FRAG_HELD);   /* 0..39 */
        ck_assert_int_eq(send_frag(d, 2, 9, 24, false, second + 24, 40, &p), DEC_TCP); /* 24..63 */
        ck_assert_mem_eq(p.payload, first + 20, 20);          /* 20..39 from the first */
        ck_assert_mem_eq(p.payload + 20, second + 40, 24);    /* 40..63 only in the second */
        ck_assert_uint_eq(decode_stats(d)->frag_overlaps, 1);
        decode_free(d);
    }
}
END_TEST

START_TEST(frag_timeout)
{
    uint8_t dg[64];
    datagram(dg);
    struct limits lim = limits_default();
    lim.ipfrag_timeout_s = 30;
    struct decode_ctx *d = decode_new(&lim);
    struct pkt p;
    ck_assert_int_eq(send_frag(d, 1000000, 7, 0, true, dg, 16, &p), DEC_FRAG_HELD);
    ck_assert_int_eq(send_frag(d, 31000000, 7, 16, true, dg + 16, 24, &p), DEC_FRAG_HELD);
    ck_assert_uint_eq(decode_stats(d)->frag_timeouts, 0);   /* exactly 30 s: still alive */
    ck_assert_int_eq(send_frag(d, 31000000, 7, 40, false, dg + 40, 24, &p), DEC_TCP);
    ck_assert_uint_eq(decode_stats(d)->frag_timeouts, 0);

    ck_assert_int_eq(send_frag(d, 40000000, 8, 0, true, dg, 16, &p), DEC_FRAG_HELD);
    ck_assert_int_eq(send_frag(d, 70000001, 8, 16, true, dg + 16, 24, &p), DEC_FRAG_HELD);
    ck_assert_uint_eq(decode_stats(d)->frag_timeouts, 1);   /* the first piece expired */
    ck_assert_int_eq(send_frag(d, 70000002, 8, 40, false, dg + 40, 24, &p), DEC_FRAG_HELD);
    ck_assert_uint_eq(decode_stats(d)->frag_datagrams, 1);
    /* a clock that steps backwards does not expire anything */
    ck_assert_int_eq(send_frag(d, 5, 8, 0, true, dg, 16, &p), DEC_TCP);
    decode_free(d);
}
END_TEST

START_TEST(frag_datagram_cap)
{
    uint8_t dg[64];
    datagram(dg);
    struct limits lim = limits_default();
    lim.ipfrag_max = 2;
    struct decode_ctx *d = decode_new(&lim);
    struct pkt p;
    for (uint16_t id = 1; id <= 3; id++)
        ck_assert_int_eq(send_frag(d, id, id, 0, true, dg, 40, &p), DEC_FRAG_HELD);
    ck_assert_uint_eq(decode_stats(d)->frag_dropped, 1);    /* id 1, the oldest, made room for id 3 */
    ck_assert_int_eq(send_frag(d, 4, 1, 40, false, dg + 40, 24, &p), DEC_FRAG_HELD);
    ck_assert_uint_eq(decode_stats(d)->frag_dropped, 2);    /* id 1 again pushed id 2 out */
    ck_assert_int_eq(send_frag(d, 5, 3, 40, false, dg + 40, 24, &p), DEC_TCP);
    check_whole(&p, dg);
    decode_free(d);
}
END_TEST

START_TEST(frag_disabled)
{
    uint8_t dg[64];
    datagram(dg);
    struct limits lim = limits_default();
    lim.ipfrag_max = 0;
    struct decode_ctx *d = decode_new(&lim);
    struct pkt p;
    ck_assert_int_eq(send_frag(d, 1, 7, 0, true, dg, 40, &p), DEC_FRAG_HELD);
    ck_assert_int_eq(send_frag(d, 2, 7, 40, false, dg + 40, 24, &p), DEC_FRAG_HELD);
    ck_assert_uint_eq(decode_stats(d)->frag_dropped, 2);
    decode_free(d);
}
END_TEST

START_TEST(frag_malformed)
{
    uint8_t dg[64];
    datagram(dg);
    struct decode_ctx *d = decode_new(NULL);
    struct pkt p;
    /* a non-final piece whose length is not a multiple of 8 */
    ck_assert_int_eq(send_frag(d, 1, 7, 0, true, dg, 20, &p), DEC_BAD);
    /* running past 65535 bytes ("ping of death") */
    ck_assert_int_eq(send_frag(d, 1, 7, 65528, false, dg, 16, &p), DEC_BAD);
    /* two different ends for one datagram: the second is refused */
    ck_assert_int_eq(send_frag(d, 1, 7, 40, false, dg + 40, 24, &p), DEC_FRAG_HELD);
    ck_assert_int_eq(send_frag(d, 1, 7, 40, false, dg + 40, 16, &p), DEC_BAD);
    /* data beyond the known end */
    ck_assert_int_eq(send_frag(d, 1, 7, 56, true, dg + 40, 16, &p), DEC_BAD);
    /* the datagram still completes from consistent pieces */
    ck_assert_int_eq(send_frag(d, 1, 7, 0, true, dg, 40, &p), DEC_TCP);
    check_whole(&p, dg);
    ck_assert_uint_eq(decode_stats(d)->bad, 4);
    decode_free(d);
}
END_TEST

START_TEST(frag_snap_cut_is_not_held)
{
    uint8_t dg[64], b[128];
    datagram(dg);
    struct decode_ctx *d = decode_new(NULL);
    struct pkt p;
    size_t n = frag4(b, 7, 0, true, dg, 40);
    ck_assert_int_eq(decode_packet(d, LT_RAW12, 0, b, n - 8, n, &p), DEC_BAD);
    ck_assert_uint_eq(decode_stats(d)->truncated, 1);
    decode_free(d);
}
END_TEST

/* the reassembled payload lives in the context: valid until the next call */
START_TEST(frag_payload_survives_until_next_call)
{
    uint8_t dg[64];
    datagram(dg);
    struct decode_ctx *d = decode_new(NULL);
    struct pkt p;
    uint8_t b[128];
    size_t n = frag4(b, 7, 0, true, dg, 40);
    ck_assert_int_eq(decode_packet(d, LT_RAW12, 0, b, n, n, &p), DEC_FRAG_HELD);
    n = frag4(b, 7, 40, false, dg + 40, 24);
    ck_assert_int_eq(decode_packet(d, LT_RAW12, 0, b, n, n, &p), DEC_TCP);
    memset(b, 0xee, sizeof b);       /* the caller's frame buffer is reused */
    ck_assert_mem_eq(p.payload, dg + 20, 44);
    decode_free(d);
}
END_TEST

/* ---- IPv6 fragments ---- */

/* IPv6 + fragment header + `len` bytes of data, on a raw link */
static size_t frag6(uint8_t *b, uint32_t id, size_t off, bool m, const uint8_t *data, size_t len)
{
    const uint8_t hdr[48] = {
        IP6((8 + len), 44),                               /* IPv6, next header: fragment */
        6, 0,                                             /* fragment: next TCP; reserved */
        (uint8_t)(off >> 8), (uint8_t)((off & 0xf8) | (m ? 1 : 0)),  /* offset; M flag */
        (uint8_t)(id >> 24), (uint8_t)(id >> 16), (uint8_t)(id >> 8), (uint8_t)id,  /* identification */
    };
    memcpy(b, hdr, 48);
    memcpy(b + 48, data, len);
    return 48 + len;
}

START_TEST(frag6_reassembled)
{
    uint8_t dg[64], b[128];
    datagram(dg);
    struct decode_ctx *d = decode_new(NULL);
    struct pkt p;
    size_t n = frag6(b, 0x01020304, 32, false, dg + 32, 32);
    ck_assert_int_eq(decode_packet(d, LT_IPV6, 0, b, n, n, &p), DEC_FRAG_HELD);
    n = frag6(b, 0x01020304, 0, true, dg, 32);
    ck_assert_int_eq(decode_packet(d, LT_IPV6, 0, b, n, n, &p), DEC_TCP);
    ck_assert_uint_eq(p.ipver, 6);
    ck_assert_mem_eq(p.src, addr6_src, 16);
    ck_assert_uint_eq(p.len, 44);
    ck_assert_mem_eq(p.payload, dg + 20, 44);
    ck_assert_uint_eq(decode_stats(d)->frag_datagrams, 1);
    /* every cut of a fragment is bad, never held */
    for (size_t cut = 0; cut < n; cut++) {
        uint8_t *c = malloc(cut ? cut : 1);
        memcpy(c, b, cut);
        ck_assert_int_eq(decode_packet(d, LT_IPV6, 0, c, cut, n, &p), DEC_BAD);
        free(c);
    }
    decode_free(d);
}
END_TEST

/* ---- the fragment table on its own: the byte cap ---- */

START_TEST(ipfrag_memory_cap)
{
    /* room for two 2 KiB buffers: the third datagram evicts the oldest */
    struct ipfrag *t = ipfrag_new(100, 30, 4096);
    uint8_t data[64] = {0}, out[IPFRAG_DATAGRAM_MAX];
    size_t len;
    uint8_t proto;
    for (uint32_t id = 1; id <= 3; id++) {
        struct ipfrag_key k = {.ver = 4, .proto = 6, .id = id};
        struct ipfrag_piece pc = {0, data, 64, true, 6, 65515};
        ck_assert_int_eq(ipfrag_add(t, &k, 0, &pc, out, sizeof out, &len, &proto), IPFRAG_HELD);
    }
    ck_assert_uint_eq(ipfrag_pending(t), 2);
    ck_assert_uint_le(ipfrag_mem(t), 4096);
    ck_assert_uint_eq(ipfrag_stats(t)->dropped, 1);
    /* a datagram that cannot fit at all is dropped, not held */
    struct ipfrag_key k = {.ver = 4, .proto = 6, .id = 99};
    struct ipfrag_piece big = {8192, data, 64, true, 6, 65515};
    ck_assert_int_eq(ipfrag_add(t, &k, 0, &big, out, sizeof out, &len, &proto), IPFRAG_HELD);
    ck_assert_uint_le(ipfrag_mem(t), 4096);
    ck_assert_uint_eq(ipfrag_stats(t)->dropped, 4);
    ipfrag_free(t);
}
END_TEST

START_TEST(ipfrag_many_datagrams)
{
    /* fill a large table, then let everything time out */
    struct ipfrag *t = ipfrag_new(5000, 1, 64u << 20);
    uint8_t data[8] = {0}, out[IPFRAG_DATAGRAM_MAX];
    size_t len;
    uint8_t proto;
    for (uint32_t id = 0; id < 6000; id++) {
        struct ipfrag_key k = {.ver = 6, .id = id};
        struct ipfrag_piece pc = {8, data, 8, true, 6, 65527};
        ck_assert_int_eq(ipfrag_add(t, &k, id, &pc, out, sizeof out, &len, &proto), IPFRAG_HELD);
    }
    ck_assert_uint_eq(ipfrag_pending(t), 5000);
    ck_assert_uint_eq(ipfrag_stats(t)->dropped, 1000);
    ipfrag_expire(t, 10000000);
    ck_assert_uint_eq(ipfrag_pending(t), 0);
    ck_assert_uint_eq(ipfrag_mem(t), 0);
    ck_assert_uint_eq(ipfrag_stats(t)->timeouts, 5000);
    ipfrag_free(t);
}
END_TEST

START_TEST(garbage_never_crashes)
{
    /* pseudo-random frames on every link type: any status, no crash or overread */
    struct decode_ctx *d = decode_new(NULL);
    uint32_t x = 12345;
    int dlts[] = {0, 1, 12, 101, 108, 113, 228, 229, 276};
    for (int i = 0; i < 20000; i++) {
        size_t n = 0;
        uint8_t *b = malloc(96);
        /* start from a valid frame so the walk gets deep, then flip bytes */
        const struct fixture *f = &fixtures[(size_t)i % NFIX];
        n = f->len < 96 ? f->len : 96;
        memcpy(b, f->b, n);
        for (int k = 0; k < 3; k++) {
            x = x * 1103515245u + 12345u;
            b[(x >> 8) % n] = (uint8_t)(x >> 16);
        }
        struct pkt p;
        int dlt = i % 3 ? f->dlt : dlts[(x >> 4) % 9];
        uint8_t *e = malloc(n);
        memcpy(e, b, n);
        enum decode_status st = decode_packet(d, dlt, (uint64_t)i, e, n, n + (x & 7), &p);
        if (st == DEC_TCP)
            ck_assert_uint_le(p.caplen, p.len);
        free(e);
        free(b);
    }
    ck_assert_uint_eq(decode_stats(d)->packets, 20000);
    decode_free(d);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("decode");
    TCase *tc = tcase_create("fixtures");
    tcase_add_loop_test(tc, whole_fixture_decodes, 0, (int)NFIX);
    tcase_add_loop_test(tc, every_snap_cut, 0, (int)NFIX);
    tcase_add_loop_test(tc, every_wire_cut, 0, (int)NFIX);
    tcase_add_test(tc, padding_is_not_payload);
    tcase_add_test(tc, snap_cut_frame_shows_caplen_below_len);
    tcase_add_test(tc, supported_link_types);
    tcase_add_test(tc, tunnel_depth_is_bounded);
    tcase_add_test(tc, eight_vlan_tags_are_fine_nine_are_not);
    tcase_add_test(tc, tso_zero_total_length_uses_frame);
    tcase_add_test(tc, garbage_never_crashes);
    suite_add_tcase(s, tc);
    TCase *tf = tcase_create("fragments");
    tcase_add_test(tf, frag_in_order);
    tcase_add_test(tf, frag_reversed);
    tcase_add_test(tf, frag_ragged_length_needs_every_block);
    tcase_add_test(tf, frag_duplicated);
    tcase_add_test(tf, frag_overlap_first_wins);
    tcase_add_test(tf, frag_timeout);
    tcase_add_test(tf, frag_datagram_cap);
    tcase_add_test(tf, frag_disabled);
    tcase_add_test(tf, frag_malformed);
    tcase_add_test(tf, frag_snap_cut_is_not_held);
    tcase_add_test(tf, frag_payload_survives_until_next_call);
    tcase_add_test(tf, frag6_reassembled);
    tcase_add_test(tf, ipfrag_memory_cap);
    tcase_add_test(tf, ipfrag_many_datagrams);
    suite_add_tcase(s, tf);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
