/* sink: where records are written; out_text.c and out_json.c decide their look. */
#ifndef SMBSCOPE_SINK_H
#define SMBSCOPE_SINK_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "event.h"
#include "outfile.h"

struct sink;

struct sink_ops {
    void (*write)(struct sink *s, const struct event *e);
    /* writes what the sink keeps for the end (--summary), flushes and frees
     * the sink (not the FILE): 0, or the errno of the first write that
     * failed (main reports it with strerror) */
    int (*close)(struct sink *s);
    /* optional: write out everything held back (a writer thread's queue);
     * after it no record the sink holds refers to the run's state (the
     * hashing threads, event.h's ev_pending), which may then go */
    void (*drain)(struct sink *s);
};

struct sink {
    const struct sink_ops *ops;
    FILE *out;
    bool flush_each;                 /* flush after every record (live capture into a pipe or file) */
    bool write_error;                /* a write failed (disk full, closed pipe) */
    int write_errno;                 /* errno of the first failure (EIO when the C library left none) */
    const char *sensor;              /* --sensor NAME (not owned), or NULL */
    struct outfile *of;              /* -o through outfile.h (not owned), or NULL: out alone */
    unsigned of_gen;                 /* of's generation the last record went to */
    bool takes_pending;              /* records may carry an ev_pending (event.h): the sink finishes them */
};

/* The largest integer a record carries. JSON readers take 64-bit signed at
 * best, so an unsigned value past it saturates, in both sinks alike (text and
 * JSON say the same). No count reaches it; a wire value past it (an offset or
 * size no file can have) is flagged by its dissector with the exact number
 * (`offset_out_of_range`). */
#define SINK_UINT_MAX ((uint64_t)INT64_MAX)
static inline uint64_t sink_uint(uint64_t u) { return u > SINK_UINT_MAX ? SINK_UINT_MAX : u; }

/* call right after a failed stdio call on s->out: keeps the first errno */
static inline void sink_note_error(struct sink *s)
{
    if (!s->write_error) {
        s->write_error = true;
        s->write_errno = errno ? errno : EIO;
    }
}

/* a failure known by its errno (not from a stdio call): the first one is kept */
static inline void sink_note_errno(struct sink *s, int err)
{
    errno = err;
    sink_note_error(s);
}

/* before each record: with an outfile, the stream to write to (a rotation or
 * reopen happens here, between records); true when it is a new file, which
 * must stand on its own. A file closed by a rotation or reopen that lost its
 * last lines is this sink's write failure too: the analyzer formats nothing
 * more and main stops the run, as for a failed write on the stream itself */
static inline bool sink_begin(struct sink *s)
{
    if (!s->of)
        return false;
    s->out = outfile_record(s->of);
    int lost = outfile_error(s->of, NULL);
    if (lost && !s->write_error) {
        s->write_error = true;
        s->write_errno = lost;
    }
    unsigned g = outfile_generation(s->of);
    bool fresh = g != s->of_gen;
    s->of_gen = g;
    return fresh;
}

struct sink *sink_text_new(FILE *out, bool flush_each);
struct sink *sink_json_new(FILE *out, bool flush_each);
/* write on a thread of its own (owriter.h) and take records with pending
 * fields (takes_pending), so the parsing thread waits for neither; only for
 * a sink writing one stream (standard output, or an -o that does not
 * rotate; no flush_each: the writer may be a chunk behind). The stream must
 * not change while the thread writes: drain the sink before an -o reopen
 * (it then writes on the spot). false (errno set) when the thread cannot be
 * had: the sink then writes on the spot as before */
bool sink_json_background(struct sink *s);
/* --summary: records go on to inner (unless !transcript) and feed a summary
 * (at most max_entries per table) whose `summary` records inner gets at
 * close; closing it closes inner. NULL when out of memory (inner untouched) */
struct sink *sink_summary_new(struct sink *inner, bool transcript, size_t max_entries);

/* one record exactly as the JSON sink writes it, without the newline
 * (malloc'd, free() it; NULL when out of memory): extraction's sidecar lines
 * are the record lines. sensor: --sensor NAME, or NULL */
char *json_event_line(const struct event *e, const char *sensor);

/* RFC 3339 UTC with microseconds: "2026-11-20T10:00:00.100000Z" (buf >= 32) */
void format_ts(uint64_t ts_us, char *buf, size_t cap);

#endif
