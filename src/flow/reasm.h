/* reasm: one direction of a TCP connection turned into an exact byte stream
 * with explicit gaps.
 *
 * Sequence numbers become 64-bit stream offsets (0 = first byte after the SYN,
 * or the first data byte seen when the connection was picked up mid-stream),
 * using 32-bit serial arithmetic around the delivery point, so streams longer
 * than 4 GiB and wraparound need nothing special.
 *
 * Delivery: bytes go to sink->data strictly in order, each exactly once.
 * Bytes that arrive again with different content are counted
 * (stats->overlap_bytes) and reported (tcp_overlap_conflict, naming the new
 * segment, the first kept range it disagrees with, and which copy was kept);
 * the overlap policy says which copy is delivered: OVERLAP_FIRST keeps the
 * first copy, OVERLAP_LAST lets each later copy replace the bytes still held
 * out of order. Bytes already delivered are never taken back: a conflicting
 * copy of them is reported and ignored under both policies. A hole becomes sink->gap(n) (exact length, merged with adjacent
 * holes, never 0) only when one of these says it will never be filled:
 *   (a) the peer acknowledged bytes at or past the hole's end (the receiver
 *       has them), and either
 *       - the ACK came with data of the peer's own: that data was sent after
 *         the hole's bytes reached the peer, and the app must not see an
 *         answer before what it answers (an SMB client reusing a MID would
 *         have its request and response mismatched), so the hole goes at
 *         once; or
 *       - the hole stayed unfilled for REASM_ACK_GRACE_US of capture time
 *         after a pure ACK: a capture reordered at the capture point often
 *         shows the ACK before the segment it acknowledges, and that segment
 *         still fills the hole within the grace.
 *       A hole's grace starts when it is both acknowledged and has bytes
 *       above it (the later of the two, so a constant skew between the
 *       directions does not eat it). One grace per direction: it covers the
 *       holes below min(ACK, highest byte seen) when it starts; holes
 *       covered later start theirs when that one is over, dated from when
 *       they were covered (so each is declared at most about
 *       2 x REASM_ACK_GRACE_US after it was). A partial acknowledgement of a
 *       hole declares the acknowledged part. The grace is checked on every
 *       call for this direction, and for every direction of a pool through
 *       reasm_pool_grace + reasm_expire (the flow table's timeouts, run on
 *       any packet and at the end of input), so a direction that goes quiet
 *       still gets its gap;
 *   (b) more than hole_cap payload bytes are buffered above the first hole
 *       (at once, grace or not: memory stays bounded);
 *   (c) the shared pool exceeds its budget: histories are dropped first, then
 *       the biggest of the oldest holders is flushed (reasm_memory_limit).
 *       This runs right after a segment is stored, so the budget can be
 *       passed by one segment for that moment;
 *   (d) reasm_flush at the end of the connection (or snap-length cuts, whose
 *       missing part is known the moment the segment arrives).
 * A hole with nothing buffered above it (tail loss) is declared by (d) only
 * (or by (a) once data arrives above it), so a capture that shows an ACK
 * before the data it acknowledges still delivers the data.
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
#include "limits.h"
#include "membudget.h"
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
/* rule (a): how long (capture clock) an acknowledged hole with data above it
 * may still be filled when only pure ACKs passed it. Reordering at a capture
 * point comes from queues: the rings of a multi-queue NIC drained in batches,
 * a mirror port's buffer, the merge of two taps; it skews packets by
 * microseconds to a few milliseconds, and 200 ms leaves a wide margin. Waiting
 * costs little: a gap comes at most about 2 x 200 ms after its hole was
 * acknowledged with data above it (unnoticeable live), sooner when the peer
 * answers, and memory stays bounded by the hole cap and the pool budget
 * meanwhile; declaring too early loses data for good (the late segment is then
 * a retransmission). A count of later segments would not measure this: how
 * many segments a queue delay spans depends on the link speed, and the bytes
 * buffered above a hole are already bounded by rule (b). */
#define REASM_ACK_GRACE_US 200000u

struct reasm;

/* memory shared by every direction of a flow table */
struct reasm_pool {
    size_t limit;              /* budget for buffered segments and histories */
    size_t used;               /* accounted bytes now */
    size_t held;               /* of which out-of-order segments (payload + node) */
    size_t held_peak;          /* maximum of held */
    uint64_t reclaims;         /* holders flushed because of the budget */
    uint32_t rng;              /* treap priorities */
    uint64_t clock;            /* capture clock: the highest timestamp given to any call */
    struct reasm *holders, *holders_tail;   /* directions with buffered segments, oldest first */
    struct reasm *hists, *hists_tail;       /* directions with a history, least recently used first */
    struct reasm *graces, *graces_tail;     /* directions in an ACK grace, by its start (= by deadline) */
    struct membudget *mb;      /* the run's state budget, charged with `used` too (or NULL) */
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
    enum overlap_policy overlap;
    uint64_t ts;               /* timestamp for callbacks of the current call */

    uint32_t base;             /* sequence number of stream offset 0 */
    bool has_base, fin, closed, acked_known;
    bool warned_after_fin, warned_closed, warned_ahead;
    uint64_t next;             /* first offset not yet delivered or declared lost */
    uint64_t max_end;          /* highest offset + 1 seen in a segment */
    uint64_t fin_at;           /* offset of the FIN */
    uint64_t acked;            /* highest offset the peer acknowledged */
    uint64_t pending_gap;      /* declared, not yet passed to sink->gap (merges holes) */

    uint64_t cover;            /* min(acked, max_end): holes below it are acknowledged with data above */
    uint64_t cover_ts;         /* pool clock when cover last grew */
    bool in_grace;             /* rule (a): a grace runs for the holes below grace_mark */
    uint64_t grace_ts;         /* since this pool clock */
    uint64_t grace_mark;
    struct reasm *gprev, *gnext;

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
/* the capture clock moved to now_us (raises pool->clock; never lowers it) */
void reasm_pool_clock(struct reasm_pool *p, uint64_t now_us);
/* the direction whose ACK grace ends first, and when: reasm_expire(r, t, false)
 * with t > *deadline_us declares its holes (NULL: no direction in a grace) */
struct reasm *reasm_pool_grace(const struct reasm_pool *p, uint64_t *deadline_us);

void reasm_init(struct reasm *r, struct reasm_pool *pool, size_t hole_cap, enum overlap_policy overlap,
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
/* the other direction acknowledged everything below ack; answer: the ACK came
 * with data of the other direction's own (rule (a)) */
void reasm_ack(struct reasm *r, uint32_t ack, bool answer, uint64_t ts_us);
/* the capture clock is now_us (whatever call it came with): declare the
 * acknowledged holes whose grace ended before it; all: the grace ends now for
 * every acknowledged hole with data above it (end of input) */
void reasm_expire(struct reasm *r, uint64_t now_us, bool all);
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
