/* nbss: NetBIOS session service framing and control messages.
 * Spec: RFC 1002 4.3.1 (header), 4.3.2-4.3.7 (request, responses, retarget,
 * keepalive); RFC 1001 14.1 (first-level name encoding); [MS-SMB] 2.1 (direct
 * TCP transport on 445: type 0 and a 24-bit length). */
#include "nbss.h"

#include <stdio.h>
#include <string.h>

#include "rd.h"

struct parse_result nbss_hdr_parse(const uint8_t *p, size_t n, bool direct, struct nbss_hdr *h)
{
    if (n < NBSS_HDR_LEN)
        return parse_more(0, NBSS_HDR_LEN - n);
    struct rd r = rd_init(p, NBSS_HDR_LEN);
    h->type = rd_u8(&r);
    uint8_t flags = rd_u8(&r);
    uint16_t len16 = rd_u16be(&r);
    if (h->type == NBSS_MESSAGE && direct) {
        h->len = (uint32_t)flags << 16 | len16;
        return parse_ok(NBSS_HDR_LEN);
    }
    /* RFC 1002: only the low flag bit (length extension) may be set */
    if (flags & 0xfe)
        return parse_error(0);
    h->len = (uint32_t)(flags & 1) << 16 | len16;
    switch (h->type) {
    case NBSS_MESSAGE:
        return parse_ok(NBSS_HDR_LEN);
    case NBSS_REQUEST:
        /* two encoded names of at least 34 bytes each */
        return h->len >= 68 && h->len <= 2 * 256 ? parse_ok(NBSS_HDR_LEN) : parse_error(0);
    case NBSS_POSITIVE:
    case NBSS_KEEPALIVE:
        return h->len == 0 ? parse_ok(NBSS_HDR_LEN) : parse_error(0);
    case NBSS_NEGATIVE:
        return h->len == 1 ? parse_ok(NBSS_HDR_LEN) : parse_error(0);
    case NBSS_RETARGET:
        return h->len == 6 ? parse_ok(NBSS_HDR_LEN) : parse_error(0);
    default:
        return parse_error(0);
    }
}

/* an SMB header of any version, and for SMB1 a word count that fits */
static bool smb_plausible(const uint8_t *s, size_t n, size_t msg_len)
{
    if (n < 4 || s[1] != 'S' || s[2] != 'M' || s[3] != 'B')
        return false;
    if (s[0] == 0xfe || s[0] == 0xfd)
        return msg_len >= 64 || s[0] == 0xfd;
    if (s[0] != 0xff || msg_len < 35)
        return false;
    if (n < 33)
        return true; /* cannot check further yet: the caller asks for enough */
    size_t wct = s[32];
    size_t words_end = 33 + 2 * wct; /* the byte count sits here */
    if (words_end + 2 > msg_len)
        return false;
    if (n < words_end + 2)
        return true; /* the byte count is beyond what the window holds */
    size_t bcc = (size_t)s[words_end] | (size_t)s[words_end + 1] << 8;
    return words_end + 2 + bcc <= msg_len;
}

bool nbss_plausible(const uint8_t *p, size_t n, bool direct, size_t max_msg)
{
    struct nbss_hdr h;
    struct parse_result pr = nbss_hdr_parse(p, n, direct, &h);
    if (pr.status != PARSE_OK || h.type != NBSS_MESSAGE || h.len > max_msg)
        return false;
    return smb_plausible(p + NBSS_HDR_LEN, n - NBSS_HDR_LEN, h.len);
}

enum probe_verdict nbss_probe(const uint8_t *p, size_t n, bool *is_server)
{
    *is_server = false;
    if (n < 1)
        return PROBE_MORE;
    if (p[0] == NBSS_REQUEST) {
        struct nbss_hdr h;
        struct parse_result pr = nbss_hdr_parse(p, n, false, &h);
        if (pr.status == PARSE_MORE)
            return PROBE_MORE;
        if (pr.status != PARSE_OK || n < 5 || p[4] != 0x20)
            return PROBE_NO;
        return PROBE_YES;
    }
    if (p[0] != NBSS_MESSAGE)
        return PROBE_NO;
    if (n < NBSS_HDR_LEN + 33)
        return PROBE_MORE;
    if (!nbss_plausible(p, n, true, 1u << 24))
        return PROBE_NO;
    if (p[4] == 0xff)
        *is_server = (p[4 + 9] & 0x80) != 0; /* SMB1 FLAGS reply bit */
    else if (n >= NBSS_HDR_LEN + 20)
        *is_server = (p[4 + 16] & 0x01) != 0; /* SMB2 flags: server-to-redirector */
    return PROBE_YES;
}

bool nbss_decode_name(const uint8_t *enc, size_t n, char *out, size_t cap)
{
    if (n != 32 || cap < 21)
        return false;
    char raw[16];
    for (size_t i = 0; i < 16; i++) {
        uint8_t hi = enc[2 * i], lo = enc[2 * i + 1];
        if (hi < 'A' || hi > 'P' || lo < 'A' || lo > 'P')
            return false;
        raw[i] = (char)((hi - 'A') << 4 | (lo - 'A'));
    }
    size_t len = 15;
    while (len > 0 && raw[len - 1] == ' ')
        len--;
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)raw[i];
        /* printable ASCII as is; anything else escaped so names never carry controls */
        if (c >= 0x20 && c < 0x7f && c != '\\') {
            if (o + 1 >= cap)
                return false;
            out[o++] = (char)c;
        } else {
            if (o + 5 >= cap)
                return false;
            o += (size_t)snprintf(out + o, cap - o, "\\x%02x", c);
        }
    }
    if (o + 5 > cap)
        return false;
    snprintf(out + o, cap - o, "<%02x>", (unsigned char)raw[15]);
    return true;
}

/* read one length-prefixed encoded name plus its scope labels */
static bool read_name(struct rd *r, char *out, size_t cap)
{
    uint8_t l = rd_u8(r);
    const uint8_t *enc = rd_bytes(r, l);
    if (!enc || !nbss_decode_name(enc, l, out, cap))
        return false;
    /* scope: labels until a zero length; bounded by the bytes left */
    while (rd_ok(r)) {
        uint8_t lab = rd_u8(r);
        if (lab == 0 || !rd_skip(r, lab))
            break;
    }
    return rd_ok(r);
}

static const char *negative_name(uint8_t code)
{
    switch (code) {
    case 0x80: return "not listening on called name";
    case 0x81: return "not listening for calling name";
    case 0x82: return "called name not present";
    case 0x83: return "called name present, but insufficient resources";
    case 0x8f: return "unspecified error";
    default: return "unknown";
    }
}

static void control_message(struct nbss *nb, enum dir d, uint64_t ts)
{
    struct nbss_dir *nd = &nb->d[d];
    struct event e;
    ev_init(&e, EV_NBSS, ts, nb->conn);
    struct rd r = rd_init(nd->ctl, nd->ctl_have);
    char called[96], calling[96];
    switch (nd->cur.type) {
    case NBSS_REQUEST:
        ev_str(&e, F(msg), "session_request");
        if (read_name(&r, called, sizeof called) && read_name(&r, calling, sizeof calling)) {
            ev_str(&e, F(called), called);
            ev_str(&e, F(calling), calling);
        } else {
            ev_null(&e, F(called));
            ev_null(&e, F(calling));
            emit_anomaly(nb->em, ts, nb->conn, "nbss_bad_name", "session request names do not decode");
        }
        nb->req_ts = ts;
        nb->direct = false; /* a session request means RFC 1002 framing on any port */
        break;
    case NBSS_POSITIVE:
        ev_str(&e, F(msg), "positive_response");
        break;
    case NBSS_NEGATIVE: {
        uint8_t code = rd_u8(&r);
        ev_str(&e, F(msg), "negative_response");
        ev_uint(&e, F(error), code);
        ev_str(&e, F(error_name), negative_name(code));
        break;
    }
    case NBSS_RETARGET: {
        uint8_t ip[4];
        rd_copy(&r, ip, 4);
        uint16_t port = rd_u16be(&r);
        char txt[20];
        snprintf(txt, sizeof txt, "%u.%u.%u.%u", ip[0], ip[1], ip[2], ip[3]);
        ev_str(&e, F(msg), "retarget");
        ev_str(&e, F(retarget_ip), txt);
        ev_uint(&e, F(retarget_port), port);
        break;
    }
    default:
        ev_str(&e, F(msg), "keepalive");
        break;
    }
    if ((nd->cur.type == NBSS_POSITIVE || nd->cur.type == NBSS_NEGATIVE) && nb->req_ts && ts >= nb->req_ts)
        ev_uint(&e, F(latency_us), ts - nb->req_ts);
    emit(nb->em, &e);
    ev_free(&e);
}

void nbss_init(struct nbss *nb, bool direct, bool midstream, const struct conn_ref *conn,
               const struct emitter *em, const struct limits *lim, const struct nbss_msg_ops *ops, void *u)
{
    memset(nb, 0, sizeof *nb);
    nb->direct = direct;
    nb->conn = conn;
    nb->em = em;
    nb->lim = lim;
    nb->ops = ops;
    nb->u = u;
    nb->d[0].state = nb->d[1].state = midstream ? NB_HUNT : NB_HDR;
    nb->d[0].pickup = nb->d[1].pickup = midstream;
}

static void start_hunt(struct nbss *nb, enum dir d)
{
    nb->d[d].state = NB_HUNT;
    nb->d[d].hunt_have = 0;
    nb->d[d].hdr_have = 0;
}

/* a header is complete in nd->hdr: decide what follows */
static void header_done(struct nbss *nb, enum dir d, uint64_t ts)
{
    struct nbss_dir *nd = &nb->d[d];
    struct parse_result pr = nbss_hdr_parse(nd->hdr, NBSS_HDR_LEN, nb->direct, &nd->cur);
    nd->hdr_have = 0;
    if (pr.status != PARSE_OK) {
        emit_anomaly(nb->em, ts, nb->conn, "nbss_bad_header", "%s: type 0x%02x flags 0x%02x, resyncing",
                     d == DIR_C2S ? "client" : "server", nd->hdr[0], nd->hdr[1]);
        start_hunt(nb, d);
        return;
    }
    if (nd->cur.type != NBSS_MESSAGE) {
        nd->ctl_have = 0;
        nd->body_left = nd->cur.len;
        nd->state = NB_CTL;
        if (nd->body_left == 0) {
            control_message(nb, d, ts);
            nd->state = NB_HDR;
        }
        return;
    }
    if (nd->cur.len > nb->lim->nbss_max_msg) {
        emit_anomaly(nb->em, ts, nb->conn, "nbss_message_too_large", "%s: %u bytes (limit %zu), resyncing",
                     d == DIR_C2S ? "client" : "server", nd->cur.len, nb->lim->nbss_max_msg);
        start_hunt(nb, d);
        return;
    }
    nd->body_left = nd->cur.len;
    nb->ops->begin(nb->u, d, nd->cur.len, ts);
    if (nd->body_left == 0)
        nb->ops->end(nb->u, d, true, ts); /* an empty session message: nothing more */
    else
        nd->state = NB_BODY;
}

/* feed bytes while framing is known; returns bytes used (stops early only to hunt) */
static size_t feed_framed(struct nbss *nb, enum dir d, const uint8_t *p, size_t n, uint64_t ts)
{
    struct nbss_dir *nd = &nb->d[d];
    size_t used = 0;
    while (used < n && nd->state != NB_HUNT) {
        size_t left = n - used;
        switch (nd->state) {
        case NB_HDR: {
            size_t k = NBSS_HDR_LEN - nd->hdr_have;
            if (k > left)
                k = left;
            memcpy(nd->hdr + nd->hdr_have, p + used, k);
            nd->hdr_have += k;
            used += k;
            if (nd->hdr_have == NBSS_HDR_LEN)
                header_done(nb, d, ts);
            break;
        }
        case NB_BODY: {
            size_t k = nd->body_left < left ? nd->body_left : left;
            nb->ops->data(nb->u, d, p + used, k, ts);
            used += k;
            nd->body_left -= k;
            if (nd->body_left == 0) {
                nd->state = NB_HDR;
                nb->ops->end(nb->u, d, true, ts);
            }
            break;
        }
        case NB_CTL: {
            size_t k = nd->body_left < left ? nd->body_left : left;
            size_t room = sizeof nd->ctl - nd->ctl_have;
            memcpy(nd->ctl + nd->ctl_have, p + used, k < room ? k : room);
            nd->ctl_have += k < room ? k : room;
            used += k;
            nd->body_left -= k;
            if (nd->body_left == 0) {
                control_message(nb, d, ts);
                nd->state = NB_HDR;
            }
            break;
        }
        case NB_HUNT:
            break;
        }
    }
    return used;
}

/* hunting: scan the window for a plausible header; on a hit, resume framing there */
static size_t feed_hunt(struct nbss *nb, enum dir d, const uint8_t *p, size_t n, uint64_t ts)
{
    struct nbss_dir *nd = &nb->d[d];
    size_t room = sizeof nd->hunt - nd->hunt_have;
    size_t k = n < room ? n : room;
    memcpy(nd->hunt + nd->hunt_have, p, k);
    nd->hunt_have += k;
    for (size_t i = 0; i + NBSS_RESYNC_LOOKAHEAD <= nd->hunt_have; i++) {
        if (!nbss_plausible(nd->hunt + i, nd->hunt_have - i, nb->direct, nb->lim->nbss_max_msg))
            continue;
        nd->skipped += i;
        if (!nd->pickup) {
            nd->resyncs++;
            emit_anomaly(nb->em, ts, nb->conn, "nbss_resync", "%s: resynchronized after skipping %zu bytes",
                         d == DIR_C2S ? "client" : "server", (size_t)nd->skipped);
        } else if (nd->skipped) {
            /* a capture that starts inside a message: say how much was passed over */
            emit_anomaly(nb->em, ts, nb->conn, "midstream_pickup",
                         "%s: first message header found after %zu bytes", d == DIR_C2S ? "client" : "server",
                         (size_t)nd->skipped);
        }
        nd->pickup = false;
        nd->skipped = 0;
        /* replay the window from the candidate; the caller feeds the rest */
        uint8_t win[sizeof nd->hunt];
        size_t wn = nd->hunt_have - i;
        memcpy(win, nd->hunt + i, wn);
        nd->state = NB_HDR;
        nd->hdr_have = 0;
        nd->hunt_have = 0;
        size_t done = feed_framed(nb, d, win, wn, ts);
        if (done < wn) {
            /* framing broke again inside the window: hunt over what is left of it */
            size_t rest = wn - done;
            memcpy(nd->hunt, win + done, rest);
            nd->hunt_have = rest;
        }
        return k;
    }
    /* no candidate: keep the tail that could still start one */
    size_t keep = NBSS_RESYNC_LOOKAHEAD - 1;
    if (nd->hunt_have > keep) {
        nd->skipped += nd->hunt_have - keep;
        memmove(nd->hunt, nd->hunt + nd->hunt_have - keep, keep);
        nd->hunt_have = keep;
    }
    return k;
}

void nbss_data(struct nbss *nb, enum dir d, const uint8_t *p, size_t n, uint64_t ts_us)
{
    size_t used = 0;
    while (used < n) {
        if (nb->d[d].state == NB_HUNT)
            used += feed_hunt(nb, d, p + used, n - used, ts_us);
        else
            used += feed_framed(nb, d, p + used, n - used, ts_us);
    }
}

void nbss_gap(struct nbss *nb, enum dir d, size_t n, uint64_t ts_us)
{
    struct nbss_dir *nd = &nb->d[d];
    if (n == 0)
        return;
    if (nd->state == NB_BODY) {
        size_t k = nd->body_left < n ? nd->body_left : n;
        nb->ops->gap(nb->u, d, k, ts_us);
        nd->body_left -= k;
        n -= k;
        if (nd->body_left == 0) {
            nd->state = NB_HDR;
            nb->ops->end(nb->u, d, true, ts_us);
        }
        if (n == 0)
            return; /* framing survives: the gap was inside one message */
    } else if (nd->state == NB_CTL) {
        emit_anomaly(nb->em, ts_us, nb->conn, "nbss_control_lost", "%s: control message cut by a gap",
                     d == DIR_C2S ? "client" : "server");
    }
    /* the gap took a header (or more): resync on the next plausible one */
    start_hunt(nb, d);
}

void nbss_close(struct nbss *nb, uint64_t ts_us)
{
    for (int d = 0; d < 2; d++) {
        if (nb->d[d].state == NB_BODY) {
            nb->ops->end(nb->u, (enum dir)d, false, ts_us);
            nb->d[d].state = NB_HDR;
        }
    }
}
