/* app: what the TCP layer (flow.c) asks of the protocol analyzer above it.
 * The flow layer owns ordering, reassembly and lifetime; the app sees one
 * exact byte stream per direction with explicit gaps. */
#ifndef SMBSCOPE_APP_H
#define SMBSCOPE_APP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"

enum dir { DIR_C2S = 0, DIR_S2C = 1 };

#define APP_MAX_PORTS 8   /* ports a protocol may declare (app_ops.ports) */

enum probe_verdict { PROBE_NO, PROBE_MORE, PROBE_YES };

/* per-direction counters the conn record reports */
struct half_stats {
    uint64_t packets, bytes;           /* segments and payload bytes seen on the wire */
    uint64_t delivered;                /* bytes delivered in order to the app */
    uint64_t gaps, gap_bytes;          /* holes never filled, delivered as gaps */
    uint64_t retrans_bytes;            /* bytes seen again with the same content */
    uint64_t overlap_bytes;            /* bytes seen again with different content (--tcp-overlap: which copy is kept) */
};

struct app_ops {
    /* content detection for flows not on a known port: look at the first
     * bytes a direction sent. *is_server: the bytes look like they came from
     * the server (e.g. an SMB response), for orientation mid-stream. */
    enum probe_verdict (*probe)(const uint8_t *p, size_t n, bool *is_server);
    /* start analyzing a flow; midstream: no handshake seen, streams may start
     * inside a message. Returns the app's per-connection state. Called when
     * the first byte or gap of an analyzed flow reaches the app, not when the
     * flow is picked (its SYN): a flow that never carries data costs no app
     * state and gets no open/close (its conn record is still written). */
    void *(*open)(void *ctx, const struct conn_ref *conn, bool midstream, uint64_t ts_us);
    void (*data)(void *app, enum dir d, const uint8_t *p, size_t n, uint64_t ts_us);
    /* n bytes of this direction will never be seen (lost, or cut by the snap length) */
    void (*gap)(void *app, enum dir d, size_t n, uint64_t ts_us);
    /* connection over (FIN/RST both ways, timeout, eviction, end of input):
     * emit everything still pending and free the state */
    void (*close)(void *app, uint64_t ts_us);
    /* the TCP ports this protocol is analyzed on without probing (configuration
     * handed to the flow layer, which knows no port numbers of its own) */
    const uint16_t *ports;
    size_t nports;
    /* add the protocol's run counters to the stats record (may be NULL) */
    void (*stats)(void *ctx, struct event *stats);
};

#endif
