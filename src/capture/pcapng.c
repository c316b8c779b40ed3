/* pcapng: block framing and the SHB, IDB, EPB, SPB and obsolete PB bodies;
 * every other block is skipped whole. Spec: draft-ietf-opsawg-pcapng
 * sections 4.1-4.4 and appendix (Packet Block). See pcapng.h for why a
 * reader of our own. Every byte is read through rd.h. */
#include "pcapng.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "rd.h"

#define BT_SHB 0x0A0D0D0Au
#define BT_IDB 1u
#define BT_PB 2u
#define BT_SPB 3u
#define BT_EPB 6u
#define BOM 0x1A2B3C4Du
#define OPT_END 0
#define OPT_TSRESOL 9
#define OPT_TSOFFSET 14
#define MIN_BLOCK 12u
#define MIN_SHB 28u
#define DEFAULT_TSRESOL 6

static uint16_t g16(const struct pcapng *ng, struct rd *r) { return ng->big ? rd_u16be(r) : rd_u16le(r); }
static uint32_t g32(const struct pcapng *ng, struct rd *r) { return ng->big ? rd_u32be(r) : rd_u32le(r); }
static uint64_t g64(const struct pcapng *ng, struct rd *r)
{
    uint64_t a = g32(ng, r), b = g32(ng, r);
    return ng->big ? a << 32 | b : b << 32 | a;
}

__attribute__((format(printf, 2, 3))) static enum pcapng_rc bad(struct pcapng *ng, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ng->err, sizeof ng->err, fmt, ap);
    va_end(ap);
    return PCAPNG_BAD;
}

enum pcapng_rc pcapng_block_len(struct pcapng *ng, const uint8_t *hdr, size_t n, uint32_t *len)
{
    struct rd r = rd_init(hdr, n);
    uint32_t type = rd_u32le(&r); /* the SHB type reads the same in both orders */
    if (!rd_ok(&r))
        return bad(ng, "block header cut short (%zu of 8 bytes)", n);
    if (type == BT_SHB) {
        struct rd b = r;
        rd_skip(&b, 4);
        uint32_t bom = rd_u32le(&b);
        if (!rd_ok(&b))
            return bad(ng, "section header cut short (%zu of 12 bytes)", n);
        if (bom != BOM && bom != __builtin_bswap32(BOM))
            return bad(ng, "section header with a bad byte-order magic 0x%08" PRIx32, bom);
        ng->big = bom != BOM;
    } else if (!ng->in_section) {
        return bad(ng, "not a pcapng stream: block type 0x%08" PRIx32 " before any section header",
                   type);
    }
    *len = g32(ng, &r);
    uint32_t min = type == BT_SHB ? MIN_SHB : MIN_BLOCK;
    if (*len < min || *len % 4 || *len > PCAPNG_MAX_BLOCK)
        return bad(ng, "bad block length %" PRIu32 " (a multiple of 4, at least 12, at most %u)", *len,
                   PCAPNG_MAX_BLOCK);
    return PCAPNG_OTHER;
}

static enum pcapng_rc section(struct pcapng *ng, struct rd *body)
{
    rd_skip(body, 4); /* byte-order magic, checked by pcapng_block_len */
    uint16_t major = g16(ng, body);
    rd_skip(body, 2 + 8); /* minor version, section length (-1: unknown) */
    if (!rd_ok(body))
        return bad(ng, "section header too short");
    if (major != 1)
        return bad(ng, "unsupported pcapng major version %u", major);
    /* a new section starts a new set of interfaces */
    ng->nifs = 0;
    ng->in_section = true;
    return PCAPNG_OTHER;
}

static bool tsresol_ok(uint8_t v)
{
    /* 10^-19 s is the finest decimal unit a 64-bit count can still be exact in */
    return v & 0x80 ? (v & 0x7f) <= 63 : v <= 19;
}

static enum pcapng_rc interface(struct pcapng *ng, struct rd *body)
{
    struct pcapng_iface ifc = {.tsresol = DEFAULT_TSRESOL};
    ifc.linktype = g16(ng, body);
    rd_skip(body, 2);
    ifc.snaplen = g32(ng, body);
    if (!rd_ok(body))
        return bad(ng, "interface description too short");
    /* options: code, length, value padded to 4; opt_endofopt or the block's end stops */
    while (rd_left(body) >= 4) {
        uint16_t code = g16(ng, body), olen = g16(ng, body);
        struct rd v = rd_sub(body, olen);
        rd_skip(body, (4 - olen % 4) % 4);
        if (!rd_ok(body) || !rd_ok(&v))
            return bad(ng, "interface option %u overruns its block (length %u)", code, olen);
        if (code == OPT_END)
            break;
        if (code == OPT_TSRESOL && olen == 1) {
            ifc.tsresol = rd_u8(&v);
            if (!tsresol_ok(ifc.tsresol))
                return bad(ng, "unsupported if_tsresol 0x%02x", ifc.tsresol);
        } else if (code == OPT_TSOFFSET && olen == 8) {
            ifc.tsoffset = (int64_t)g64(ng, &v);
        }
    }
    if (ng->nifs == PCAPNG_MAX_IFACES)
        return bad(ng, "more than %u interfaces in one section", PCAPNG_MAX_IFACES);
    if (ng->nifs == ng->cap) {
        size_t cap = ng->cap ? ng->cap * 2 : 4;
        struct pcapng_iface *n = realloc(ng->ifs, cap * sizeof *n);
        if (!n)
            return bad(ng, "out of memory for interface %zu", ng->nifs);
        ng->ifs = n;
        ng->cap = cap;
    }
    ng->ifs[ng->nifs++] = ifc;
    return PCAPNG_OTHER;
}

/* a timestamp in the interface's units to microseconds since the epoch */
static uint64_t to_us(const struct pcapng_iface *ifc, uint64_t t)
{
    unsigned e = ifc->tsresol & 0x7f;
    uint64_t us;
    if (ifc->tsresol & 0x80) {
        /* coarse binary units (2^-0 .. 2^-19 s) can overflow 64 bits: clamp */
        unsigned __int128 v = ((unsigned __int128)t * 1000000u) >> e;
        us = v > UINT64_MAX ? UINT64_MAX : (uint64_t)v;
    } else if (e >= 6) {
        uint64_t d = 1;
        for (unsigned i = 6; i < e; i++)
            d *= 10;
        us = t / d;
    } else {
        uint64_t m = 1;
        for (unsigned i = e; i < 6; i++)
            m *= 10;
        us = t > UINT64_MAX / m ? UINT64_MAX : t * m;
    }
    /* the offset is a wire value of up to 2^63 s: in microseconds it may not
     * fit 64 bits, so the sum is taken in 128 and clamped to [0, UINT64_MAX]
     * (a time before the epoch clamps to 0, as the stream's other times do) */
    __int128 sum = (__int128)us + (__int128)ifc->tsoffset * 1000000;
    us = sum < 0 ? 0 : sum > (__int128)UINT64_MAX ? UINT64_MAX : (uint64_t)sum;
    return us;
}

static enum pcapng_rc packet_iface(struct pcapng *ng, uint32_t id, struct pcapng_pkt *out)
{
    if (id >= ng->nifs)
        return bad(ng, "packet on interface %" PRIu32 ", but only %zu declared", id, ng->nifs);
    out->iface = id;
    out->linktype = ng->ifs[id].linktype;
    out->snaplen = ng->ifs[id].snaplen;
    return PCAPNG_PACKET;
}

/* caplen bytes of data, padded to 4 (the padding may be missing at the very end of the body) */
static enum pcapng_rc packet_data(struct pcapng *ng, struct rd *body, uint32_t caplen, uint32_t wirelen,
                                  struct pcapng_pkt *out)
{
    out->data = rd_bytes(body, caplen);
    if (!out->data)
        return bad(ng, "captured length %" PRIu32 " overruns its block (%zu bytes left)", caplen,
                   rd_left(body));
    out->caplen = caplen;
    out->wirelen = wirelen > caplen ? wirelen : caplen;
    return PCAPNG_PACKET;
}

static enum pcapng_rc enhanced(struct pcapng *ng, struct rd *body, struct pcapng_pkt *out)
{
    uint32_t id = g32(ng, body);
    uint64_t hi = g32(ng, body), lo = g32(ng, body);
    uint32_t caplen = g32(ng, body), wirelen = g32(ng, body);
    if (!rd_ok(body))
        return bad(ng, "enhanced packet block too short");
    if (packet_iface(ng, id, out) != PCAPNG_PACKET)
        return PCAPNG_BAD;
    out->ts_us = ng->last_ts_us = to_us(&ng->ifs[id], hi << 32 | lo);
    return packet_data(ng, body, caplen, wirelen, out);
}

static enum pcapng_rc obsolete(struct pcapng *ng, struct rd *body, struct pcapng_pkt *out)
{
    uint16_t id = g16(ng, body);
    rd_skip(body, 2); /* drops count */
    uint64_t hi = g32(ng, body), lo = g32(ng, body);
    uint32_t caplen = g32(ng, body), wirelen = g32(ng, body);
    if (!rd_ok(body))
        return bad(ng, "packet block too short");
    if (packet_iface(ng, id, out) != PCAPNG_PACKET)
        return PCAPNG_BAD;
    out->ts_us = ng->last_ts_us = to_us(&ng->ifs[id], hi << 32 | lo);
    return packet_data(ng, body, caplen, wirelen, out);
}

static enum pcapng_rc simple(struct pcapng *ng, struct rd *body, struct pcapng_pkt *out)
{
    uint32_t wirelen = g32(ng, body);
    if (!rd_ok(body))
        return bad(ng, "simple packet block too short");
    if (packet_iface(ng, 0, out) != PCAPNG_PACKET)
        return PCAPNG_BAD;
    /* the captured length is implied: the wire length, cut at the snap
     * length, within what the block holds */
    size_t caplen = wirelen;
    if (out->snaplen && caplen > out->snaplen)
        caplen = out->snaplen;
    if (caplen > rd_left(body))
        caplen = rd_left(body);
    /* no timestamp in an SPB: the previous packet's time keeps the stream in order */
    out->ts_us = ng->last_ts_us;
    return packet_data(ng, body, (uint32_t)caplen, wirelen, out);
}

enum pcapng_rc pcapng_block(struct pcapng *ng, const uint8_t *blk, size_t len, struct pcapng_pkt *out)
{
    uint32_t blen;
    if (pcapng_block_len(ng, blk, len, &blen) == PCAPNG_BAD)
        return PCAPNG_BAD;
    if (blen != len)
        return bad(ng, "block of %zu bytes says it has %" PRIu32, len, blen);
    struct rd r = rd_init(blk, len);
    uint32_t type = g32(ng, &r);
    rd_skip(&r, 4);
    struct rd body = rd_sub(&r, len - MIN_BLOCK);
    uint32_t trail = g32(ng, &r);
    if (!rd_ok(&r) || trail != blen)
        return bad(ng, "block length %" PRIu32 " and trailing length %" PRIu32 " differ", blen, trail);
    memset(out, 0, sizeof *out);
    switch (type) {
    case BT_SHB: return section(ng, &body);
    case BT_IDB: return interface(ng, &body);
    case BT_EPB: return enhanced(ng, &body, out);
    case BT_SPB: return simple(ng, &body, out);
    case BT_PB: return obsolete(ng, &body, out);
    default: return PCAPNG_OTHER; /* statistics, name resolution, custom...: not needed */
    }
}

void pcapng_free(struct pcapng *ng)
{
    free(ng->ifs);
    ng->ifs = NULL;
    ng->nifs = ng->cap = 0;
}

void pcapng_file_init(struct pcapng_file *pf, FILE *f)
{
    memset(pf, 0, sizeof *pf);
    pf->f = f;
}

static int file_fail(struct pcapng_file *pf, const char *why)
{
    snprintf(pf->err, sizeof pf->err, "%s at offset %" PRIu64, why, pf->off);
    return -1;
}

int pcapng_file_next(struct pcapng_file *pf, struct pcapng_pkt *out)
{
    for (;;) {
        uint8_t hdr[12];
        size_t got = fread(hdr, 1, 8, pf->f);
        if (got == 0 && !ferror(pf->f))
            return 0;
        /* an SHB's byte order is in its first 12 bytes */
        size_t need = got == 8 && hdr[0] == 0x0A && hdr[1] == 0x0D && hdr[2] == 0x0D && hdr[3] == 0x0A ? 12 : 8;
        if (need == 12)
            got += fread(hdr + 8, 1, 4, pf->f);
        if (ferror(pf->f))
            return file_fail(pf, "read error");
        if (got < need) {
            char why[64];
            snprintf(why, sizeof why, "truncated block header (%zu of %zu bytes)", got, need);
            return file_fail(pf, why);
        }
        uint32_t blen;
        if (pcapng_block_len(&pf->ng, hdr, got, &blen) == PCAPNG_BAD)
            return file_fail(pf, pf->ng.err);
        if (blen > pf->bufcap) {
            uint8_t *n = realloc(pf->buf, blen);
            if (!n)
                return file_fail(pf, "out of memory for a block");
            pf->buf = n;
            pf->bufcap = blen;
        }
        memcpy(pf->buf, hdr, got);
        size_t rest = fread(pf->buf + got, 1, blen - got, pf->f);
        if (ferror(pf->f))
            return file_fail(pf, "read error");
        if (rest < blen - got) {
            char why[96];
            snprintf(why, sizeof why, "truncated block (%zu of %" PRIu32 " bytes)", got + rest, blen);
            return file_fail(pf, why);
        }
        enum pcapng_rc rc = pcapng_block(&pf->ng, pf->buf, blen, out);
        if (rc == PCAPNG_BAD)
            return file_fail(pf, pf->ng.err);
        pf->off += blen;
        if (rc == PCAPNG_PACKET) {
            pf->records++;
            return 1;
        }
    }
}

void pcapng_file_free(struct pcapng_file *pf)
{
    pcapng_free(&pf->ng);
    free(pf->buf);
    pf->buf = NULL;
}
