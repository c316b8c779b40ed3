/* link: strip a captured frame's link-layer header down to IPv4 or IPv6.
 * Spec: tcpdump.org LINKTYPE registry (linktypes.html), IEEE 802.3 / 802.2 LLC /
 * SNAP (RFC 1042), IEEE 802.1Q and 802.1ad, Linux cooked capture v1 and v2. */
#ifndef SMBSCOPE_LINK_H
#define SMBSCOPE_LINK_H

#include <stdbool.h>
#include <stdint.h>

#include "rd.h"

/* libpcap DLT_ / LINKTYPE_ numbers as libpcap reports them on Linux */
enum {
    LT_NULL = 0,        /* BSD loopback, 4-byte family in the capturing host's order */
    LT_EN10MB = 1,      /* Ethernet */
    LT_RAW12 = 12,      /* DLT_RAW on most systems */
    LT_RAW14 = 14,      /* DLT_RAW on OpenBSD */
    LT_RAW = 101,       /* LINKTYPE_RAW as written in files */
    LT_LOOP = 108,      /* OpenBSD loopback, 4-byte family in network order */
    LT_LINUX_SLL = 113,
    LT_IPV4 = 228,
    LT_IPV6 = 229,
    LT_LINUX_SLL2 = 276,
};

#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_IPV6 0x86dd

enum link_status {
    LINK_NET,    /* cursor at an IP header; *ethertype says which version */
    LINK_OTHER,  /* well formed, but not IP (ARP, IPX, unknown DLT ...) */
    LINK_SHORT,  /* ran out of bytes inside the link header */
    LINK_BAD,    /* malformed (too many VLAN tags, impossible IP version) */
};

bool link_supported(int dlt);
/* reads the link header(s) of a frame from r; on LINK_NET r's cursor sits
 * on the network header and *ethertype is ETHERTYPE_IPV4 or ETHERTYPE_IPV6 */
enum link_status link_strip(int dlt, struct rd *r, uint16_t *ethertype);

#endif
