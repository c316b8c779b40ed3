/* dcerpc_stream: one direction of a pipe's bytes cut into whole DCE/RPC PDUs
 * by their frag_length, whatever the SMB1 reads and writes that carried them;
 * after a gap or bytes that are not a header, the hunt byte by byte for the
 * next plausible header (dcerpc_hdr_parse) and the anomalies that say so.
 * Spec: [C706] 12.6.3.1 (common header: frag_length), [MS-RPCE] 2.2.2.
 */
#include "dcerpc_pipe.h"

#include <string.h>

static void dir_reserve(struct dir *d, size_t n)
{
    if (n <= d->cap)
        return;
    size_t cap = d->cap ? d->cap : 64;
    while (cap < n)
        cap *= 2;
    d->buf = dcerpc_xrealloc(d->buf, cap);
    d->cap = cap;
}

void dcerpc_data(struct dcerpc_pipe *pp, const struct dcerpc_io *io, bool to_server, const uint8_t *p, size_t n)
{
    int di = to_server ? 0 : 1;
    struct dir *d = &pp->dir[di];
    while (n) {
        if (d->have == 0)
            d->ts_first = io->ts_us;
        if (d->have < DCERPC_HDR_LEN) {
            size_t take = DCERPC_HDR_LEN - d->have < n ? DCERPC_HDR_LEN - d->have : n;
            dir_reserve(d, DCERPC_HDR_LEN);
            memcpy(d->buf + d->have, p, take);
            d->have += take;
            p += take;
            n -= take;
            if (d->have < DCERPC_HDR_LEN)
                return;
            struct rd r = rd_init(d->buf, DCERPC_HDR_LEN);
            if (!dcerpc_hdr_parse(&r, &d->hdr)) {
                /* not a header: after good PDUs that is damage worth saying
                 * once; before any, the pipe may not carry DCE/RPC at all (or
                 * the capture began inside a PDU) */
                if (d->synced && !d->hunting && !d->complained) {
                    dcerpc_anomaly(pp, io, "dcerpc_bad_header",
                                   "%s: bytes that are not a PDU header; resynchronizing",
                                   to_server ? "to server" : "to client");
                    d->complained = true;
                }
                d->hunting = true;
                /* a header starts with its version, 5: no byte before the
                 * next 5 can start one, so they go together. One byte stays
                 * at least: have never reaches 0 while hunting, so ts_first
                 * keeps marking where the hunt began. */
                const uint8_t *v = memchr(d->buf + 1, 5, DCERPC_HDR_LEN - 1);
                size_t drop = v ? (size_t)(v - d->buf) : DCERPC_HDR_LEN - 1;
                memmove(d->buf, d->buf + drop, DCERPC_HDR_LEN - drop);
                d->have -= drop;
                d->skipped += drop;
                continue;
            }
            if (d->hunting && d->synced && d->skipped)
                dcerpc_anomaly(pp, io, "dcerpc_resync", "%s: %llu bytes skipped to the next PDU header",
                               to_server ? "to server" : "to client", (unsigned long long)d->skipped);
            d->hunting = false;
            d->complained = false;
            d->skipped = 0;
            d->synced = true;
            dir_reserve(d, d->hdr.frag_len);
        }
        size_t frag_len = d->hdr.frag_len;
        size_t take = frag_len - d->have < n ? frag_len - d->have : n;
        memcpy(d->buf + d->have, p, take);
        d->have += take;
        p += take;
        n -= take;
        if (d->have == frag_len) {
            d->have = 0;
            dcerpc_pdu_done(pp, io, di, d->buf, frag_len);
        }
    }
}

void dcerpc_gap(struct dcerpc_pipe *pp, const struct dcerpc_io *io, bool to_server, size_t n)
{
    int di = to_server ? 0 : 1;
    struct dir *d = &pp->dir[di];
    if (n == 0)
        return;
    if (d->have >= DCERPC_HDR_LEN && !d->hunting)
        dcerpc_anomaly(pp, io, "dcerpc_gap", "%s: %zu bytes lost inside a %s PDU (call_id %u); %zu bytes of it dropped",
                       to_server ? "to server" : "to client", n, dcerpc_ptype_name(d->hdr.ptype), d->hdr.call_id,
                       d->have);
    dcerpc_calls_lost(pp, to_server);
    d->have = 0;
    d->hunting = true;
    d->complained = true; /* the gap is the reason: no bad-header complaint */
}
