/* decode: captured frame -> IPv4/IPv6 (fragments, extension headers, GRE and
 * IP-in-IP tunnels) -> TCP segment. Spec: RFC 791 (IPv4), RFC 8200 (IPv6),
 * RFC 4302 (AH), RFC 2784 + RFC 2890 + RFC 1701 (GRE), draft-wilson-wrec-wccp-v2
 * section 4.12 (WCCP redirect header), RFC 9293 (TCP).
 *
 * Lengths: `cap` is what the capture holds, `wire` what the sender put on the
 * wire. The IP length fields bound everything below them, so Ethernet padding
 * or a trailing FCS never become payload, and a snap-length cut shows as
 * pkt.caplen < pkt.len instead of an error. */
#include "decode.h"

#include <stdlib.h>
#include <string.h>

#include "ipfrag.h"
#include "link.h"
#include "rd.h"

/* Payload bytes all unfinished datagrams may hold together. limits.h has no
 * knob for it yet; 64 MiB is a thousand full-size datagrams in flight. */
/* tunnels inside tunnels followed before giving up */
#define ENCAP_DEPTH_MAX 4
/* IPv6 extension headers walked in one packet (each is >= 8 bytes anyway) */
#define IP6_EXT_MAX 16

#define IPPROTO_V_IPIP 4
#define IPPROTO_V_TCP 6
#define IPPROTO_V_IPV6 41
#define IPPROTO_V_GRE 47

#define GRE_PROTO_WCCP 0x883e
#define GRE_PROTO_TEB 0x6558      /* transparent Ethernet bridging: a whole Ethernet frame */

struct decode_ctx {
    struct decode_stats st;
    struct ipfrag *frag;
    bool cut;                     /* this frame's DEC_BAD came from the snap length, not the sender */
    uint8_t scratch[IPFRAG_DATAGRAM_MAX];  /* the last reassembled datagram; pkt.payload may point here */
};

/* part of the frame: `cap` bytes captured at p, `wire` bytes long on the wire */
struct span {
    const uint8_t *p;
    size_t cap, wire;
};

struct decode_ctx *decode_new(const struct limits *lim)
{
    struct limits def = limits_default();
    if (!lim)
        lim = &def;
    struct decode_ctx *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->frag = ipfrag_new(lim->ipfrag_max, lim->ipfrag_timeout_s, lim->ipfrag_bytes);
    if (!d->frag) {
        free(d);
        return NULL;
    }
    return d;
}

void decode_free(struct decode_ctx *d)
{
    if (!d)
        return;
    ipfrag_free(d->frag);
    free(d);
}

bool decode_linktype_supported(int dlt) { return link_supported(dlt); }

const struct decode_stats *decode_stats(const struct decode_ctx *d) { return &d->st; }

/* the reader ran out inside a header: the snap length's fault if the wire had more */
static enum decode_status short_read(struct decode_ctx *d, const struct span *s)
{
    d->cut = s->cap < s->wire;
    return DEC_BAD;
}

/* the rest of r's window as a span whose wire length is `wire` in total */
static struct span rest_of(struct rd *r, const struct span *s)
{
    size_t at = rd_pos(r);
    struct span t = {NULL, 0, s->wire - at};
    t.cap = rd_left(r);
    t.p = rd_bytes(r, t.cap);
    return t;
}

static enum decode_status ip_by_type(struct decode_ctx *d, uint16_t ethertype, struct span s,
                                     unsigned depth, uint64_t ts, struct pkt *out);

static enum decode_status tcp(struct decode_ctx *d, struct span s, struct pkt *out)
{
    struct rd r = rd_init(s.p, s.cap);
    out->sport = rd_u16be(&r);
    out->dport = rd_u16be(&r);
    out->seq = rd_u32be(&r);
    out->ack = rd_u32be(&r);
    uint8_t off = rd_u8(&r);
    /* low 8 flag bits; NS (in `off`) is unused by anything downstream */
    out->tcp_flags = rd_u8(&r);
    out->win = rd_u16be(&r);
    rd_skip(&r, 4);               /* checksum (offloading makes it unreliable in captures), urgent pointer */
    if (!rd_ok(&r))
        return short_read(d, &s);
    size_t hl = (size_t)(off >> 4) * 4;
    if (hl < 20 || hl > s.wire)
        return DEC_BAD;
    if (!rd_skip(&r, hl - 20))    /* options: MSS, SACK, timestamps; the flow layer does not need them */
        return short_read(d, &s);
    struct span pl = rest_of(&r, &s);
    out->payload = pl.p;
    out->caplen = pl.cap;
    out->len = pl.wire;
    return DEC_TCP;
}

/* GRE (RFC 2784, key and sequence from RFC 2890, routing from RFC 1701) */
static enum decode_status gre(struct decode_ctx *d, struct span s, unsigned depth, uint64_t ts,
                              struct pkt *out)
{
    struct rd r = rd_init(s.p, s.cap);
    uint16_t flags = rd_u16be(&r);
    uint16_t proto = rd_u16be(&r);
    if (!rd_ok(&r))
        return short_read(d, &s);
    if ((flags & 0x7) != 0)
        return DEC_SKIP;          /* version 1 is PPTP's enhanced GRE carrying PPP */
    bool csum = flags & 0x8000, routing = flags & 0x4000, key = flags & 0x2000, seq = flags & 0x1000;
    if (csum || routing)
        rd_skip(&r, 4);           /* checksum + offset: present if either bit is set */
    if (key)
        rd_skip(&r, 4);
    if (seq)
        rd_skip(&r, 4);
    if (routing) {
        /* source route entries until the NULL one (family 0, length 0); each
         * entry consumes >= 4 bytes, so the captured length bounds the loop */
        for (;;) {
            uint16_t af = rd_u16be(&r);
            rd_u8(&r);            /* SRE offset */
            uint8_t len = rd_u8(&r);
            if (!rd_ok(&r))
                return short_read(d, &s);
            if (af == 0 && len == 0)
                break;
            rd_skip(&r, len);
        }
    }
    if (!rd_ok(&r))
        return short_read(d, &s);
    uint16_t ethertype = proto;
    if (proto == GRE_PROTO_WCCP) {
        /* WCCPv1 puts the IPv4 packet right here; WCCPv2 first adds a 4-byte
         * redirect header (flags, service id, buckets). An IPv4 header always
         * starts 0x45..0x4f; anything else must be the redirect header */
        int b = rd_peek(&r, 0);
        if (b < 0)
            return short_read(d, &s);
        if (b >> 4 != 4 || (b & 0xf) < 5)
            if (!rd_skip(&r, 4))
                return short_read(d, &s);
        ethertype = ETHERTYPE_IPV4;
    }
    if (proto == GRE_PROTO_TEB) {
        struct span es = rest_of(&r, &s);
        struct rd er = rd_init(es.p, es.cap);
        switch (link_strip(LT_EN10MB, &er, &ethertype)) {
        case LINK_NET: break;
        case LINK_OTHER: return DEC_SKIP;
        case LINK_SHORT: return short_read(d, &es);
        case LINK_BAD: return DEC_BAD;
        }
        struct span inner = rest_of(&er, &es);
        return ip_by_type(d, ethertype, inner, depth + 1, ts, out);
    }
    struct span inner = rest_of(&r, &s);
    return ip_by_type(d, ethertype, inner, depth + 1, ts, out);
}

/* the IP payload `s` carrying protocol `proto` */
static enum decode_status transport(struct decode_ctx *d, uint8_t proto, struct span s,
                                    unsigned depth, uint64_t ts, struct pkt *out)
{
    switch (proto) {
    case IPPROTO_V_TCP: return tcp(d, s, out);
    case IPPROTO_V_GRE: return gre(d, s, depth, ts, out);
    case IPPROTO_V_IPIP: return ip_by_type(d, ETHERTYPE_IPV4, s, depth + 1, ts, out);
    case IPPROTO_V_IPV6: return ip_by_type(d, ETHERTYPE_IPV6, s, depth + 1, ts, out);
    default: return DEC_SKIP;
    }
}

/* hand one fragment to the table; when it completes a datagram, *s becomes
 * the reassembled payload (in scratch) and *proto its protocol */
static enum ipfrag_result fragment(struct decode_ctx *d, const struct ipfrag_key *k, uint64_t ts,
                                   const struct ipfrag_piece *piece, struct span *s, uint8_t *proto)
{
    d->st.frags++;
    size_t len = 0;
    enum ipfrag_result res = ipfrag_add(d->frag, k, ts, piece, d->scratch, sizeof d->scratch,
                                        &len, proto);
    if (res == IPFRAG_DONE) {
        s->p = d->scratch;
        s->cap = s->wire = len;
    }
    return res;
}

static enum decode_status not_done(enum ipfrag_result res)
{
    return res == IPFRAG_HELD ? DEC_FRAG_HELD : DEC_BAD;
}

static enum decode_status ipv4(struct decode_ctx *d, struct span s, unsigned depth, uint64_t ts,
                               struct pkt *out)
{
    struct rd r = rd_init(s.p, s.cap);
    uint8_t vihl = rd_u8(&r);
    rd_u8(&r);                    /* DSCP, ECN */
    uint16_t total = rd_u16be(&r);
    uint16_t id = rd_u16be(&r);
    uint16_t frag = rd_u16be(&r);
    rd_u8(&r);                    /* TTL */
    uint8_t proto = rd_u8(&r);
    rd_u16be(&r);                 /* header checksum: not checked, offloading leaves it wrong in captures */
    uint8_t src[4], dst[4];
    rd_copy(&r, src, 4);
    rd_copy(&r, dst, 4);
    if (!rd_ok(&r))
        return short_read(d, &s);
    size_t hl = (size_t)(vihl & 0xf) * 4;
    /* total length 0 is what TSO hands to a capture on the sending host:
     * the frame's own length is the only truth then */
    size_t len = total ? total : s.wire;
    if (vihl >> 4 != 4 || hl < 20 || len < hl || len > s.wire)
        return DEC_BAD;
    if (!rd_skip(&r, hl - 20))    /* options: nothing in them changes where TCP is */
        return short_read(d, &s);
    /* the datagram ends at its total length: padding after it is not ours */
    struct rd body = rd_init(s.p, s.cap < len ? s.cap : len);
    rd_skip(&body, hl);
    struct span ls = {s.p, body.len, len};
    struct span pl = rest_of(&body, &ls);

    memset(out->src, 0, sizeof out->src);
    memset(out->dst, 0, sizeof out->dst);
    memcpy(out->src, src, 4);
    memcpy(out->dst, dst, 4);
    out->ipver = 4;

    bool more = frag & 0x2000;
    size_t off = (size_t)(frag & 0x1fff) * 8;
    if (more || off) {
        if (pl.cap < pl.wire)     /* cannot hold bytes we never saw */
            return short_read(d, &pl);
        struct ipfrag_key k = {.ver = 4, .proto = proto, .id = id};
        memcpy(k.src, src, 4);
        memcpy(k.dst, dst, 4);
        struct ipfrag_piece piece = {off, pl.p, pl.cap, more, proto, IPFRAG_DATAGRAM_MAX - 20};
        enum ipfrag_result res = fragment(d, &k, ts, &piece, &pl, &proto);
        if (res != IPFRAG_DONE)
            return not_done(res);
    }
    return transport(d, proto, pl, depth, ts, out);
}

static bool ip6_generic_ext(uint8_t nh)
{
    /* hop-by-hop, routing, destination options, mobility, HIP, shim6: all
     * "next header, length in 8-byte units beyond the first 8" */
    return nh == 0 || nh == 43 || nh == 60 || nh == 135 || nh == 139 || nh == 140;
}

static enum decode_status ipv6(struct decode_ctx *d, struct span s, unsigned depth, uint64_t ts,
                               struct pkt *out)
{
    struct rd r = rd_init(s.p, s.cap);
    uint32_t vtf = rd_u32be(&r);
    uint16_t plen = rd_u16be(&r);
    uint8_t nh = rd_u8(&r);
    rd_u8(&r);                    /* hop limit */
    uint8_t src[16], dst[16];
    rd_copy(&r, src, 16);
    rd_copy(&r, dst, 16);
    if (!rd_ok(&r))
        return short_read(d, &s);
    /* payload length 0: a jumbogram or a TSO capture, the frame length rules */
    size_t len = plen ? plen : s.wire - 40;
    if (vtf >> 28 != 6 || len > s.wire - 40)
        return DEC_BAD;
    struct rd body = rd_init(s.p, s.cap < 40 + len ? s.cap : 40 + len);
    rd_skip(&body, 40);
    struct span ls = {s.p, body.len, 40 + len};
    struct span cur = rest_of(&body, &ls);

    memcpy(out->src, src, 16);
    memcpy(out->dst, dst, 16);
    out->ipver = 6;

    bool reassembled = false;
    struct rd e = rd_init(cur.p, cur.cap);
    for (unsigned n = 0;; n++) {
        if (n == IP6_EXT_MAX)
            return DEC_BAD;
        size_t at = rd_pos(&e);
        if (ip6_generic_ext(nh) || nh == 51) {
            uint8_t next = rd_u8(&e);
            uint8_t hlen = rd_u8(&e);
            if (!rd_ok(&e))
                return short_read(d, &cur);
            /* AH (RFC 4302) counts 4-byte units minus 2, the others 8-byte units minus 1 */
            size_t elen = nh == 51 ? ((size_t)hlen + 2) * 4 : ((size_t)hlen + 1) * 8;
            if (elen > cur.wire - at)
                return DEC_BAD;
            if (!rd_skip(&e, elen - 2))
                return short_read(d, &cur);
            nh = next;
            continue;
        }
        if (nh != 44)
            break;
        uint8_t next = rd_u8(&e);
        rd_u8(&e);                /* reserved */
        uint16_t offm = rd_u16be(&e);
        uint32_t id = rd_u32be(&e);
        if (!rd_ok(&e))
            return short_read(d, &cur);
        size_t off = offm & 0xfff8;
        bool more = offm & 1;
        nh = next;
        if (!off && !more)
            continue;             /* RFC 6946 atomic fragment: the whole packet, nothing to wait for */
        if (reassembled)
            return DEC_BAD;       /* a fragment header inside a reassembled datagram */
        struct span fs = rest_of(&e, &cur);
        if (fs.cap < fs.wire)
            return short_read(d, &fs);
        struct ipfrag_key k = {.ver = 6, .id = id};
        memcpy(k.src, src, 16);
        memcpy(k.dst, dst, 16);
        struct ipfrag_piece piece = {off, fs.p, fs.cap, more, next, IPFRAG_DATAGRAM_MAX - 8};
        enum ipfrag_result res = fragment(d, &k, ts, &piece, &cur, &nh);
        if (res != IPFRAG_DONE)
            return not_done(res);
        reassembled = true;
        e = rd_init(cur.p, cur.cap);
    }
    return transport(d, nh, rest_of(&e, &cur), depth, ts, out);
}

static enum decode_status ip_by_type(struct decode_ctx *d, uint16_t ethertype, struct span s,
                                     unsigned depth, uint64_t ts, struct pkt *out)
{
    if (depth > ENCAP_DEPTH_MAX)
        return DEC_BAD;           /* tunnels nested deeper than anyone deploys */
    switch (ethertype) {
    case ETHERTYPE_IPV4: return ipv4(d, s, depth, ts, out);
    case ETHERTYPE_IPV6: return ipv6(d, s, depth, ts, out);
    default: return DEC_SKIP;
    }
}

static void count(struct decode_ctx *d, enum decode_status st)
{
    switch (st) {
    case DEC_TCP: d->st.tcp++; break;
    case DEC_SKIP: d->st.non_tcp++; break;
    case DEC_FRAG_HELD: break;
    case DEC_BAD:
        d->st.bad++;
        if (d->cut)
            d->st.truncated++;
        break;
    }
    const struct ipfrag_stats *fs = ipfrag_stats(d->frag);
    d->st.frag_datagrams = fs->datagrams;
    d->st.frag_timeouts = fs->timeouts;
    d->st.frag_dropped = fs->dropped;
    d->st.frag_overlaps = fs->overlaps;
}

enum decode_status decode_packet(struct decode_ctx *d, int dlt, uint64_t ts_us,
                                 const uint8_t *frame, size_t caplen, size_t wirelen,
                                 struct pkt *out)
{
    memset(out, 0, sizeof *out);
    out->ts_us = ts_us;
    d->cut = false;
    d->st.packets++;
    if (!frame) {                 /* an empty frame: give the reader a real (empty) buffer */
        frame = (const uint8_t *)"";
        caplen = 0;
    }
    if (wirelen < caplen)         /* a broken record header; what we hold is at least on the wire */
        wirelen = caplen;
    d->st.bytes += wirelen;
    ipfrag_expire(d->frag, ts_us);

    struct span s = {frame, caplen, wirelen};
    struct rd r = rd_init(frame, caplen);
    uint16_t ethertype = 0;
    enum decode_status st;
    switch (link_strip(dlt, &r, &ethertype)) {
    case LINK_NET:
        st = ip_by_type(d, ethertype, rest_of(&r, &s), 0, ts_us, out);
        break;
    case LINK_OTHER:
        st = DEC_SKIP;
        break;
    case LINK_SHORT:
        st = short_read(d, &s);
        break;
    case LINK_BAD:
    default:
        st = DEC_BAD;
        break;
    }
    if (st != DEC_TCP) {          /* a half-filled pkt must not look like a segment */
        memset(out, 0, sizeof *out);
        out->ts_us = ts_us;
    }
    count(d, st);
    return st;
}
