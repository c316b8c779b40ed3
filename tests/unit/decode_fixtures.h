/* decode_fixtures: the decode unit test's frames, annotated byte by byte:
 * TCP over every link type decoded (Ethernet II with VLAN/QinQ/SNAP, Linux
 * SLL/SLL2, raw IP, BSD null/loop, GRE and WCCP, 6in4), frames that are
 * not TCP, malformed ones, and the table saying what each must decode to.
 * Spec: the link types are tcpdump.org's LINKTYPE_ list; the layers as in
 * decode_frames.h, GRE RFC 2784 + 2890 + 1701, WCCP draft-wilson-wrec-wccp-v2. */
#ifndef SMBSCOPE_DECODE_FIXTURES_H
#define SMBSCOPE_DECODE_FIXTURES_H

#include <stddef.h>
#include <stdint.h>

#include "decode.h"
#include "decode_frames.h"
#include "link.h"

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

#endif
