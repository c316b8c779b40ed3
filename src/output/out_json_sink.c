/* out_json_sink: the JSON sink (sink.h): each record as one line (out_json.c renders it),
 * written on the spot or, with sink_json_background, by a writer thread (owriter.h) to which
 * the parsing thread hands records as images (event.h) and records still waiting for a hash
 * as held objects. Spec: none beyond sink.h's contract; NDJSON. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "json_render.h"
#include "owriter.h"
#include "sink.h"

struct json_sink {
    struct sink s;                   /* first: the sink the callers hold */
    struct json_renderer *here;      /* the parsing thread's */
    struct owriter *w;               /* sink_json_background: the writer thread, or NULL */
    struct json_renderer *writer;    /* the writer thread's, for the records it finishes */
};

/* a record without pending fields, for the writer thread to render: an
 * image (event.h) in the writer's queue, with its own copy of the
 * connection. Copying the fields costs a fraction of rendering them (no
 * escaping, no number formatting), so the parsing thread hands most of a
 * run's JSON work to a core of its own */
struct image {
    struct event ev;
    struct conn_ref conn;
};

#define IMAGE_HEAD EV_IMAGE_ROUND(sizeof(struct image))

/* the record's image after its head (a copy of e's connection, if any) */
static void image_fill(struct image *im, size_t head, size_t n, const struct event *e)
{
    ev_image(&im->ev, (char *)im + head, n, e);
    if (e->conn) {
        im->conn = *e->conn;
        im->ev.conn = &im->conn;
    }
}

/* a record with pending fields, held for the writer thread: its image in
 * one allocation (the pending's handover must run first, so not in the
 * queue's memory), and the pending it took over from the record */
struct held {
    struct image im;
    struct ev_pending *p;
};

#define HELD_HEAD EV_IMAGE_ROUND(sizeof(struct held))

static void held_handover(void *u, void *obj)
{
    (void)u;
    struct held *h = obj;
    h->p->handover(h->p);
}

/* the writer thread: finish the record on a clone of its image (the late
 * fields need an event that can grow), render it, let both go */
static bool held_render(void *u, void *obj, const char **p, size_t *n)
{
    struct json_sink *js = u;
    struct held *h = obj;
    struct event c;
    ev_clone(&c, &h->im.ev);
    h->p->settle(h->p, &c, false);
    bool ok = json_render(js->writer, &c, js->s.sensor, p, n);
    ev_free(&c);
    free(h);
    return ok;
}

static bool image_render(void *u, void *img, const char **p, size_t *n)
{
    struct json_sink *js = u;
    struct image *im = img;
    return json_render(js->writer, &im->ev, js->s.sensor, p, n);
}

static const struct owriter_ops held_ops = {held_handover, held_render, image_render};

/* a record without pending fields to the writer; false when out of memory */
static bool put_image(struct json_sink *js, const struct event *e)
{
    size_t n = ev_image_size(e);
    struct image *im = owriter_put_image(js->w, IMAGE_HEAD + n);
    if (!im)
        return false;
    image_fill(im, IMAGE_HEAD, n, e);
    return true;
}

/* a record with pending fields: to the writer as an image and the pending
 * it takes over; false when out of memory */
static bool hold(struct json_sink *js, const struct event *e)
{
    size_t n = ev_image_size(e);
    struct held *h = malloc(HELD_HEAD + n);
    if (!h)
        return false;
    image_fill(&h->im, HELD_HEAD, n, e);
    h->p = ev_give_pending(e); /* before the writer can see it */
    if (!owriter_put_obj(js->w, h)) {
        h->p->settle(h->p, NULL, true); /* the record is lost, the run stops (ENOMEM) */
        free(h);
        return false;
    }
    return true;
}

/* a record with pending fields and no writer thread: finished here, on a clone */
static bool render_pending_here(struct json_sink *js, const struct event *e, const char **line, size_t *n)
{
    struct event c;
    ev_clone_taking(&c, e);
    struct ev_pending *p = ev_release_pending(&c);
    if (p)
        p->settle(p, &c, true);
    bool ok = json_render(js->here, &c, js->s.sensor, line, n);
    ev_free(&c);
    return ok;
}

static void json_write(struct sink *s, const struct event *e)
{
    struct json_sink *js = (struct json_sink *)s;
    sink_begin(s); /* a new file needs nothing: every line stands alone */
    int werr = owriter_error(js->w);
    if (werr)
        sink_note_errno(s, werr);
    bool pending = ev_pending_of(e) != NULL;
    if (js->w) {
        if (!(pending ? hold(js, e) : put_image(js, e)))
            sink_note_errno(s, ENOMEM);
        return;
    }
    const char *line;
    size_t n;
    bool ok = pending ? render_pending_here(js, e, &line, &n) : json_render(js->here, e, s->sensor, &line, &n);
    if (!ok) {
        sink_note_errno(s, ENOMEM);
        return;
    }
    if (fwrite(line, 1, n, s->out) != n || ferror(s->out))
        sink_note_error(s);
    if (s->flush_each && fflush(s->out) == EOF)
        sink_note_error(s);
}

/* the writer's queue written out and the thread gone: from here on the sink
 * writes on the spot (records after a drain are rare: none but a test's) */
static void json_drain(struct sink *s)
{
    struct json_sink *js = (struct json_sink *)s;
    int err = owriter_close(js->w);
    js->w = NULL;
    s->takes_pending = false;
    if (err)
        sink_note_errno(s, err);
}

static int json_close(struct sink *s)
{
    json_drain(s);
    if (fflush(s->out) == EOF)
        sink_note_error(s);
    int err = s->write_error ? s->write_errno : 0;
    json_renderer_free(((struct json_sink *)s)->here);
    json_renderer_free(((struct json_sink *)s)->writer);
    free(s);
    return err;
}

static const struct sink_ops json_ops = {.write = json_write, .close = json_close, .drain = json_drain};

struct sink *sink_json_new(FILE *out, bool flush_each)
{
    struct json_sink *js = calloc(1, sizeof *js);
    if (!js)
        return NULL;
    js->here = json_renderer_new();
    js->writer = json_renderer_new();
    if (!js->here || !js->writer) {
        json_renderer_free(js->here);
        json_renderer_free(js->writer);
        free(js);
        return NULL;
    }
    struct sink *s = &js->s;
    s->ops = &json_ops;
    s->out = out;
    s->flush_each = flush_each;
    return s;
}

bool sink_json_background(struct sink *s)
{
    struct json_sink *js = (struct json_sink *)s;
    /* an -o that rotates changes its file between records, by a size the
     * writer's queue would hide: written on the spot */
    if (s->ops != &json_ops || js->w || (s->of && outfile_rotates(s->of)) || s->flush_each) {
        errno = EINVAL;
        return false;
    }
    js->w = owriter_new(s->out, &held_ops, js);
    s->takes_pending = js->w != NULL;
    return js->w != NULL;
}
