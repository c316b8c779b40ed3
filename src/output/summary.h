/* summary: what a responder asks first ("who logged on, what did they touch,
 * what failed, how slow, which remote calls"), gathered from the records as they are written
 * (fed every record, never the bytes) and written at the end as `summary`
 * records. Memory is bounded: each table (sessions, files, failures,
 * notices, DCE/RPC operations) keeps at most `max` entries and counts the rest
 * as omitted; SRT is one slot per command code. */
#ifndef SMBSCOPE_SUMMARY_H
#define SMBSCOPE_SUMMARY_H

#include <stddef.h>
#include <stdint.h>

#include "event.h"

#define SUMMARY_MAX_SHARES 8   /* shares kept per session entry; the rest are counted */
#define SUMMARY_MAX_NAMES 8    /* users and pipes kept per dcerpc entry; calls of the rest are counted */

struct summary;

/* max: --max-summary, entries per table (>= 1) */
struct summary *summary_new(size_t max);
void summary_free(struct summary *s);

/* every record the run writes, in order */
void summary_feed(struct summary *s, const struct event *e);

/* the summary records, in order: totals, sessions, files, failures, notices, srt, dcerpc;
 * each is passed to out() and freed. ts_us: when they are written */
void summary_write(struct summary *s, uint64_t ts_us, void (*out)(void *u, const struct event *e), void *u);

#endif
