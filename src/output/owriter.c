/* owriter: an ordered writer thread for a sink (see owriter.h for the
 * contract). Spec: none; pthreads(7).
 *
 * Chunks go producer -> `full` (FIFO) -> writer -> `spare` -> producer; the
 * lists and the counts change under the mutex, which also orders a chunk's
 * contents between the two threads. */
#include "owriter.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct slot {
    size_t at;      /* the object goes before byte `at` of the chunk */
    size_t skip;    /* an image: the bytes from `at` it (and its padding) takes, not output */
    void *obj;
};

struct chunk {
    char *b;
    size_t n, cap;
    struct slot s[OWRITER_CHUNK_OBJS];
    size_t ns;
    struct chunk *next;
};

struct owriter {
    FILE *out;
    const struct owriter_ops *ops;
    void *u;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t work;          /* the writer waits here for a chunk */
    pthread_cond_t room;          /* the producer waits here for a spare chunk */
    /* under mu */
    struct chunk *full, *full_tail, *spare;
    unsigned made;                /* chunks allocated */
    bool stop;
    /* the producer's */
    struct chunk *cur;
    _Atomic int err;              /* first failure's errno */
};

static void fail(struct owriter *w, int e)
{
    int none = 0;
    atomic_compare_exchange_strong(&w->err, &none, e ? e : EIO);
}

static void write_bytes(struct owriter *w, const char *p, size_t n)
{
    if (n == 0 || atomic_load(&w->err))
        return;
    errno = 0;
    if (fwrite(p, 1, n, w->out) != n || ferror(w->out))
        fail(w, errno);
}

static void write_chunk(struct owriter *w, struct chunk *c)
{
    size_t at = 0;
    for (size_t i = 0; i < c->ns; i++) {
        write_bytes(w, c->b + at, c->s[i].at - at);
        at = c->s[i].at + c->s[i].skip;
        const char *p = NULL;
        size_t n = 0;
        /* rendered (and freed) even after a failure: every object once */
        bool image = c->s[i].skip != 0;
        if (!(image ? w->ops->render_image : w->ops->render)(w->u, c->s[i].obj, &p, &n))
            fail(w, ENOMEM);
        else
            write_bytes(w, p, n);
    }
    write_bytes(w, c->b + at, c->n - at);
    c->n = c->ns = 0;
}

static void *writer_thread(void *arg)
{
    struct owriter *w = arg;
    pthread_mutex_lock(&w->mu);
    for (;;) {
        while (!w->full && !w->stop)
            pthread_cond_wait(&w->work, &w->mu);
        struct chunk *c = w->full;
        if (!c)
            break; /* stopping, and everything is written */
        w->full = c->next;
        if (!w->full)
            w->full_tail = NULL;
        pthread_mutex_unlock(&w->mu);
        write_chunk(w, c);
        pthread_mutex_lock(&w->mu);
        c->next = w->spare;
        w->spare = c;
        pthread_cond_signal(&w->room);
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

static void chunk_free(struct chunk *c)
{
    while (c) {
        struct chunk *n = c->next;
        free(c->b);
        free(c);
        c = n;
    }
}

struct owriter *owriter_new(FILE *out, const struct owriter_ops *ops, void *u)
{
    struct owriter *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->out = out;
    w->ops = ops;
    w->u = u;
    atomic_init(&w->err, 0);
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->work, NULL);
    pthread_cond_init(&w->room, NULL);
    /* the stop and reopen signals stay with the parsing thread, whose
     * handlers expect them; SIGPIPE stays deliverable, so a closed pipe ends
     * the run as it does when the parsing thread writes */
    sigset_t all, old;
    sigfillset(&all);
    sigdelset(&all, SIGPIPE);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = pthread_create(&w->thread, NULL, writer_thread, w);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) {
        pthread_cond_destroy(&w->room);
        pthread_cond_destroy(&w->work);
        pthread_mutex_destroy(&w->mu);
        free(w);
        errno = rc;
        return NULL;
    }
    (void)pthread_setname_np(w->thread, "smbscope-out"); /* top -H, perf: which thread is which */
    return w;
}

/* the producer's chunk to fill: a spare one, a new one while fewer than
 * OWRITER_CHUNKS exist, else wait for the writer to give one back */
static struct chunk *current(struct owriter *w)
{
    if (w->cur)
        return w->cur;
    pthread_mutex_lock(&w->mu);
    while (!w->spare && w->made >= OWRITER_CHUNKS)
        pthread_cond_wait(&w->room, &w->mu);
    struct chunk *c = w->spare;
    if (c) {
        w->spare = c->next;
    } else if ((c = calloc(1, sizeof *c))) {
        w->made++;
    }
    pthread_mutex_unlock(&w->mu);
    if (c)
        c->next = NULL;
    return w->cur = c;
}

static void hand_over(struct owriter *w)
{
    struct chunk *c = w->cur;
    if (!c || (c->n == 0 && c->ns == 0))
        return;
    for (size_t i = 0; i < c->ns; i++)
        if (w->ops->handover && !c->s[i].skip) /* an image is finished when put */
            w->ops->handover(w->u, c->s[i].obj);
    w->cur = NULL;
    pthread_mutex_lock(&w->mu);
    if (w->full_tail)
        w->full_tail->next = c;
    else
        w->full = c;
    w->full_tail = c;
    pthread_cond_signal(&w->work);
    pthread_mutex_unlock(&w->mu);
}

/* the producer's chunk, with n bytes free from an `align`-aligned offset
 * (*at). What a chunk holds never moves, so an image stays where it was
 * put: a chunk that is full (handed over lazily, at the next put, so that
 * the last image is written before the writer can see it) or lacks the
 * room goes to the writer, and only an empty one grows */
static struct chunk *room(struct owriter *w, size_t n, size_t align, size_t *at)
{
    struct chunk *c = current(w);
    if (c && (c->n >= OWRITER_CHUNK_BYTES || c->ns == OWRITER_CHUNK_OBJS)) {
        hand_over(w);
        c = current(w);
    }
    if (!c)
        goto oom;
    size_t a = (c->n + align - 1) / align * align;
    if (a <= c->cap && c->cap - a >= n) {
        *at = a;
        return c;
    }
    if (c->n || c->ns) {
        hand_over(w);
        if (!(c = current(w)))
            goto oom;
    }
    if (c->cap < n) {
        size_t cap = n > OWRITER_CHUNK_BYTES ? n : OWRITER_CHUNK_BYTES;
        char *b = realloc(c->b, cap); /* empty: nothing in it moves */
        if (!b)
            goto oom;
        c->b = b;
        c->cap = cap;
    }
    *at = 0;
    return c;
oom:
    fail(w, ENOMEM);
    return NULL;
}

bool owriter_put(struct owriter *w, const void *p, size_t n)
{
    size_t at;
    struct chunk *c = room(w, n, 1, &at);
    if (!c)
        return false;
    if (n)
        memcpy(c->b + at, p, n);
    c->n = at + n;
    return true;
}

bool owriter_put_obj(struct owriter *w, void *obj)
{
    size_t at;
    struct chunk *c = room(w, 0, 1, &at);
    if (!c)
        return false;
    c->s[c->ns++] = (struct slot){c->n, 0, obj};
    return true;
}

void *owriter_put_image(struct owriter *w, size_t n)
{
    size_t at;
    /* at least a byte: a skip of 0 is what says "not an image" */
    struct chunk *c = room(w, n ? n : 1, OWRITER_IMAGE_ALIGN, &at);
    if (!c)
        return NULL;
    void *img = c->b + at;
    c->s[c->ns++] = (struct slot){c->n, at + (n ? n : 1) - c->n, img};
    c->n = at + (n ? n : 1);
    return img;
}

int owriter_error(struct owriter *w) { return w ? atomic_load(&w->err) : 0; }

int owriter_close(struct owriter *w)
{
    if (!w)
        return 0;
    hand_over(w);
    pthread_mutex_lock(&w->mu);
    w->stop = true;
    pthread_cond_signal(&w->work);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->thread, NULL);
    chunk_free(w->spare);
    chunk_free(w->cur);
    pthread_cond_destroy(&w->room);
    pthread_cond_destroy(&w->work);
    pthread_mutex_destroy(&w->mu);
    int err = atomic_load(&w->err);
    free(w);
    return err;
}
