/* link: link-layer headers down to IP. Spec: tcpdump.org linktypes.html;
 * IEEE 802.3 (length vs type at 1500/1536), 802.2 LLC + SNAP (RFC 1042),
 * 802.1Q / 802.1ad tags; Linux cooked capture (LINKTYPE_LINUX_SLL, _SLL2). */
#include "link.h"

/* Tags and SNAP headers walked before giving up: real QinQ stacks are two deep,
 * a frame with more is built to make a parser spin or recurse. */
#define ENCAP_HOPS_MAX 8

#define ETH_LEN_MAX 1500          /* a type field <= this is an 802.3 length: LLC follows */
#define ARPHRD_NETLINK 824        /* SLL protocol is a netlink family there, not an ethertype */
#define SLL_P_802_2 0x0004        /* SLL "protocol" for 802.2 LLC frames */

bool link_supported(int dlt)
{
    switch (dlt) {
    case LT_NULL: case LT_EN10MB: case LT_RAW12: case LT_RAW14: case LT_RAW:
    case LT_LOOP: case LT_LINUX_SLL: case LT_IPV4: case LT_IPV6: case LT_LINUX_SLL2:
        return true;
    default:
        return false;
    }
}

static bool is_vlan_tpid(uint16_t t)
{
    /* 802.1Q C-tag, 802.1ad S-tag, and the pre-standard QinQ TPID still seen */
    return t == 0x8100 || t == 0x88a8 || t == 0x9100;
}

/* From an ethertype-or-length field, follow VLAN tags and LLC/SNAP to IP. */
static enum link_status walk_type(struct rd *r, uint16_t type, uint16_t *ethertype)
{
    for (unsigned hop = 0; hop <= ENCAP_HOPS_MAX; hop++) {
        if (type == ETHERTYPE_IPV4 || type == ETHERTYPE_IPV6) {
            *ethertype = type;
            return LINK_NET;
        }
        if (is_vlan_tpid(type)) {
            rd_u16be(r);              /* TCI: priority, DEI, VLAN id; not needed to reach IP */
            type = rd_u16be(r);
        } else if (type <= ETH_LEN_MAX) {
            uint8_t dsap = rd_u8(r), ssap = rd_u8(r), ctrl = rd_u8(r);
            if (!rd_ok(r))
                return LINK_SHORT;
            /* only SNAP (AA AA 03) can carry an ethertype; other SAPs are IPX, STP, NetBEUI... */
            if (dsap != 0xaa || ssap != 0xaa || ctrl != 0x03)
                return LINK_OTHER;
            uint32_t oui = rd_u24be(r);
            type = rd_u16be(r);
            if (!rd_ok(r))
                return LINK_SHORT;
            /* OUI 0 (RFC 1042) and 00-00-F8 (802.1H) mean "the next field is an ethertype" */
            if (oui != 0 && oui != 0xf8)
                return LINK_OTHER;
            if (type <= ETH_LEN_MAX)
                return LINK_BAD;      /* SNAP never carries a length: would loop on itself */
        } else {
            return LINK_OTHER;
        }
        if (!rd_ok(r))
            return LINK_SHORT;
    }
    return LINK_BAD;
}

static enum link_status ethernet(struct rd *r, uint16_t *ethertype)
{
    rd_skip(r, 12);                   /* destination and source MAC */
    uint16_t type = rd_u16be(r);
    if (!rd_ok(r))
        return LINK_SHORT;
    return walk_type(r, type, ethertype);
}

/* the SLL protocol field: an ethertype, except small values (Linux ETH_P_*) */
static enum link_status sll_protocol(struct rd *r, uint16_t arphrd, uint16_t proto, uint16_t *ethertype)
{
    if (arphrd == ARPHRD_NETLINK)
        return LINK_OTHER;
    if (proto <= ETH_LEN_MAX && proto != SLL_P_802_2)
        return LINK_OTHER;            /* 802.3 raw (IPX), CAN, ...: never IP */
    return walk_type(r, proto, ethertype);
}

static enum link_status linux_sll(struct rd *r, uint16_t *ethertype)
{
    rd_u16be(r);                      /* packet type: to us, broadcast, outgoing ... */
    uint16_t arphrd = rd_u16be(r);
    rd_skip(r, 2 + 8);                /* address length, address (always 8 bytes of room) */
    uint16_t proto = rd_u16be(r);
    if (!rd_ok(r))
        return LINK_SHORT;
    return sll_protocol(r, arphrd, proto, ethertype);
}

static enum link_status linux_sll2(struct rd *r, uint16_t *ethertype)
{
    uint16_t proto = rd_u16be(r);
    rd_skip(r, 2 + 4);                /* reserved, interface index */
    uint16_t arphrd = rd_u16be(r);
    rd_skip(r, 1 + 1 + 8);            /* packet type, address length, address */
    if (!rd_ok(r))
        return LINK_SHORT;
    return sll_protocol(r, arphrd, proto, ethertype);
}

/* raw IP: the version nibble is all there is to go on */
static enum link_status raw_ip(struct rd *r, uint16_t *ethertype)
{
    int b = rd_peek(r, 0);
    if (b < 0)
        return LINK_SHORT;
    switch (b >> 4) {
    case 4: *ethertype = ETHERTYPE_IPV4; return LINK_NET;
    case 6: *ethertype = ETHERTYPE_IPV6; return LINK_NET;
    default: return LINK_BAD;
    }
}

static enum link_status bsd_family(uint32_t family, uint16_t *ethertype)
{
    switch (family) {
    case 2:                           /* AF_INET everywhere */
        *ethertype = ETHERTYPE_IPV4;
        return LINK_NET;
    case 24: case 28: case 30:        /* AF_INET6 on NetBSD/OpenBSD, FreeBSD, Darwin */
        *ethertype = ETHERTYPE_IPV6;
        return LINK_NET;
    default:
        return LINK_OTHER;
    }
}

static enum link_status bsd_null(struct rd *r, uint16_t *ethertype)
{
    uint32_t le = rd_u32le(r);
    if (!rd_ok(r))
        return LINK_SHORT;
    /* host byte order of whoever captured: a family is small, so a value with
     * high bits set was written big-endian */
    uint32_t family = le;
    if (le > 0xffff)
        family = (le >> 24) | ((le >> 8) & 0xff00) | ((le << 8) & 0xff0000) | (le << 24);
    return bsd_family(family, ethertype);
}

static enum link_status bsd_loop(struct rd *r, uint16_t *ethertype)
{
    uint32_t family = rd_u32be(r);
    if (!rd_ok(r))
        return LINK_SHORT;
    return bsd_family(family, ethertype);
}

enum link_status link_strip(int dlt, struct rd *r, uint16_t *ethertype)
{
    switch (dlt) {
    case LT_EN10MB: return ethernet(r, ethertype);
    case LT_LINUX_SLL: return linux_sll(r, ethertype);
    case LT_LINUX_SLL2: return linux_sll2(r, ethertype);
    case LT_RAW12: case LT_RAW14: case LT_RAW: return raw_ip(r, ethertype);
    case LT_IPV4:
        *ethertype = ETHERTYPE_IPV4;
        return LINK_NET;
    case LT_IPV6:
        *ethertype = ETHERTYPE_IPV6;
        return LINK_NET;
    case LT_NULL: return bsd_null(r, ethertype);
    case LT_LOOP: return bsd_loop(r, ethertype);
    default: return LINK_OTHER;
    }
}
