/* reasm: one direction of a TCP connection turned into an exact byte stream
 * with explicit gaps.
 *
 * Sequence numbers become 64-bit stream offsets (0 = first byte after the SYN,
 * or the first data byte seen when the connection was picked up mid-stream),
 * using 32-bit serial arithmetic around the delivery point, so streams longer
 * than 4 GiB and wraparound need nothing special.
 *
 * Delivery: bytes go to sink->data strictly in order, each exactly once, first
 * copy wins. A hole becomes sink->gap(n) (exact length, merged with adjacent
 * holes, never 0) only when one of these says it will never be filled:
 *   (a) the peer acknowledged bytes at or past the hole's end (the receiver
 *       has them, so the capture lost them); a partial acknowledgement of the
 *       hole declares the acknowledged part;
 *   (b) more than hole_cap payload bytes are buffered above the first hole;
 *   (c) the shared pool exceeds its budget: histories are dropped first, then
 *       the biggest of the oldest holders is flushed (reasm_memory_limit).
 *       This runs right after a segment is stored, so the budget can be
 *       passed by one segment for that moment;
 *   (d) reasm_flush at the end of the connection (or snap-length cuts, whose
 *       missing part is known the moment the segment arrives).
 * A hole with nothing buffered above it (tail loss) is declared by (d) only,
 * so a capture that shows an ACK before the data it acknowledges still
 * delivers the data.
 *
 * Mid-stream pick-up: bytes below offset 0 (sent before the capture started,
 * or before the ISN) are ignored silently; they cannot be placed in a stream
 * whose start was never seen. */
#ifndef SMBSCOPE_REASM_H
#define SMBSCOPE_REASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app.h"
#include "reasm_tree.h"

/* delivered bytes kept per direction to tell a retransmission (same bytes)
 * from a conflicting overlap; grown on demand, dropped first under memory
 * pressure. Older duplicates cannot be checked and count as retransmissions. */
#define REASM_HIST_MIN 1024u
#define REASM_HIST_MAX 16384u
/* segments starting this far beyond what was seen or acknowledged are not
 * part of this stream (tcp_seq_out_of_window) */
#define REASM_MAX_AHEAD (1ull << 30)
/* an acknowledgement this far past the data seen is not believed */
#define REASM_ACK_AHEAD (1ull << 26)

struct reasm;

/* memory shared by every direction of a flow table */
struct reasm_pool {
    size_t limit;              /* budget for buffered segments and histories */
    size_t used;               /* accounted bytes now */
    size_t held;               /* of which out-of-order segments (payload + node) */
    size_t held_peak;          /* maximum of held */
    uint64_t reclaims;         /* holders flushed because of the budget */
    uint32_t rng;              /* treap priorities */
    struct reasm *holders, *holders_tail;   /* directions with buffered segments, oldest first */
    struct reasm *hists, *hists_tail;       /* directions with a history, least recently used first */
};

struct reasm_sink {
    void (*data)(void *u, const uint8_t *p, size_t n, uint64_t ts_us);
    void (*gap)(void *u, uint64_t n, uint64_t ts_us);
    void (*anomaly)(void *u, uint64_t ts_us, const char *name, const char *detail);
};

struct reasm {
    struct reasm_pool *pool;
    const struct reasm_sink *sink;
    void *u;
    struct half_stats *st;
    size_t hole_cap;
    uint64_t ts;               /* timestamp for callbacks of the current call */

    uint32_t base;             /* sequence number of stream offset 0 */
    bool has_base, fin, closed, acked_known;
    bool warned_after_fin, warned_closed, warned_ahead;
    uint64_t next;             /* first offset not yet delivered or declared lost */
    uint64_t max_end;          /* highest offset + 1 seen in a segment */
    uint64_t fin_at;           /* offset of the FIN */
    uint64_t acked;            /* highest offset the peer acknowledged */
    uint64_t pending_gap;      /* declared, not yet passed to sink->gap (merges holes) */

    struct rnode *root;        /* buffered segments, all starting above next */
    size_t held;               /* their payload bytes (hole cap) */
    size_t mem;                /* their accounted memory (pool) */
    struct reasm *hprev, *hnext;
    bool in_holders;

    uint8_t *hist;             /* ring: delivered bytes [next - hist_len, next) at offset & (cap - 1) */
    size_t hist_cap, hist_len;
    struct reasm *qprev, *qnext;
    bool in_hists;
};

void reasm_pool_init(struct reasm_pool *p, size_t limit);

void reasm_init(struct reasm *r, struct reasm_pool *pool, size_t hole_cap,
                const struct reasm_sink *sink, void *u, struct half_stats *st);
/* drop buffers without delivering them (after reasm_flush, or on teardown) */
void reasm_free(struct reasm *r);

/* the direction's SYN had sequence number isn (ignored once the start is known) */
void reasm_isn(struct reasm *r, uint32_t isn);
/* payload of a segment: caplen bytes captured at p, len on the wire (the rest
 * is known-missing). Counts stats->bytes. */
void reasm_data(struct reasm *r, uint32_t seq, const uint8_t *p, size_t caplen, size_t len, uint64_t ts_us);
/* a FIN with sequence number seq (the offset just past the last data byte) */
void reasm_fin(struct reasm *r, uint32_t seq, uint64_t ts_us);
/* the other direction acknowledged everything below ack */
void reasm_ack(struct reasm *r, uint32_t ack, uint64_t ts_us);
/* deliver everything buffered with gaps between; at_end: the stream is over,
 * so bytes known to exist past it (FIN, peer ACK) become a final gap and later
 * data is refused */
void reasm_flush(struct reasm *r, bool at_end, uint64_t ts_us);

/* FIN seen and everything before it delivered or declared lost */
bool reasm_done(const struct reasm *r);
/* offset of seq in this stream (false when the start is not known) */
bool reasm_offset(const struct reasm *r, uint32_t seq, int64_t *off);
/* is seq a plausible position for this sender: from the lower of what was
 * delivered and what the peer acknowledged, up to window past the highest */
bool reasm_in_window(const struct reasm *r, uint32_t seq, uint64_t window);

#endif
