/* sink_summary: --summary. A sink in front of the real one: every record is
 * fed to the summary (summary.h) and, unless summary_only, passed on; at
 * close the `summary` records follow, stamped with the last record's time
 * (the stats record's), then the real sink is closed. */
#include <stdlib.h>

#include "sink.h"
#include "summary.h"

struct summary_sink {
    struct sink base;
    struct sink *inner;
    struct summary *sum;
    bool transcript;
    uint64_t last_ts;
};

/* the analyzer and main watch this sink: a failure below is ours, so the
 * run stops at once as it does without --summary */
static void take_inner_error(struct sink *s, const struct sink *inner)
{
    if (inner->write_error && !s->write_error) {
        s->write_error = true;
        s->write_errno = inner->write_errno;
    }
}

static void summary_sink_write(struct sink *s, const struct event *e)
{
    struct summary_sink *t = (struct summary_sink *)s;
    summary_feed(t->sum, e);
    if (e->ts_us > t->last_ts)
        t->last_ts = e->ts_us;
    if (t->transcript)
        t->inner->ops->write(t->inner, e);
    take_inner_error(s, t->inner);
}

static void to_inner(void *u, const struct event *e)
{
    struct sink *inner = u;
    inner->ops->write(inner, e);
}

static int summary_sink_close(struct sink *s)
{
    struct summary_sink *t = (struct summary_sink *)s;
    /* a run stopped by a failed write has nothing more to say */
    if (!s->write_error)
        summary_write(t->sum, t->last_ts, to_inner, t->inner);
    summary_free(t->sum);
    int err = t->inner->ops->close(t->inner);
    if (s->write_error && !err)
        err = s->write_errno;
    free(t);
    return err;
}

/* the real sink's writer thread, if any, writes out its queue (before an -o
 * reopen, and before the hashing threads stop) */
static void summary_sink_drain(struct sink *s)
{
    struct summary_sink *t = (struct summary_sink *)s;
    if (t->inner->ops->drain)
        t->inner->ops->drain(t->inner);
    take_inner_error(s, t->inner);
}

static const struct sink_ops summary_ops = {
    .write = summary_sink_write, .close = summary_sink_close, .drain = summary_sink_drain};

struct sink *sink_summary_new(struct sink *inner, bool transcript, size_t max_entries)
{
    struct summary_sink *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->sum = summary_new(max_entries);
    if (!t->sum) {
        free(t);
        return NULL;
    }
    t->base.ops = &summary_ops;
    t->base.out = inner->out;
    t->base.flush_each = inner->flush_each;
    t->base.sensor = inner->sensor;
    t->inner = inner;
    t->transcript = transcript;
    return &t->base;
}
