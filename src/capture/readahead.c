/* readahead: a ring of READAHEAD_BLOCKS blocks filled by one thread and
 * drained by the parsing thread (see readahead.h). Spec: none; pthreads(7).
 * Block i of the stream sits in slot i % READAHEAD_BLOCKS; `filled` and
 * `taken` count blocks and change under the mutex, which also orders the
 * block bytes between the threads. */
#include "readahead.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct readahead {
    readahead_fill_fn fill;
    readahead_err_fn errmsg;
    void *u;
    uint8_t *buf;                       /* READAHEAD_BLOCKS x READAHEAD_BYTES */
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;                  /* a block was filled, taken, or the thread should stop */
    /* under mu */
    size_t len[READAHEAD_BLOCKS];
    uint64_t filled, taken;
    bool done, failed, stop;
    char thread_err[256];
    /* the consumer's own */
    size_t off;                         /* read so far from block `taken` */
    char err[256];
};

static void *fill_thread(void *arg)
{
    struct readahead *ra = arg;
    for (;;) {
        pthread_mutex_lock(&ra->mu);
        while (ra->filled - ra->taken == READAHEAD_BLOCKS && !ra->stop)
            pthread_cond_wait(&ra->cv, &ra->mu);
        bool stop = ra->stop;
        uint64_t slot = ra->filled % READAHEAD_BLOCKS;
        pthread_mutex_unlock(&ra->mu);
        if (stop)
            return NULL;
        /* fill the whole block unless the stream ends: fewer, larger hand-overs */
        uint8_t *b = ra->buf + slot * READAHEAD_BYTES;
        size_t got = 0;
        ssize_t r = 1;
        while (got < READAHEAD_BYTES && (r = ra->fill(ra->u, b + got, READAHEAD_BYTES - got)) > 0)
            got += (size_t)r;
        pthread_mutex_lock(&ra->mu);
        ra->len[slot] = got;
        ra->filled++;
        if (r <= 0) {
            ra->done = true;
            if (r < 0) {
                ra->failed = true;
                snprintf(ra->thread_err, sizeof ra->thread_err, "%s", ra->errmsg(ra->u));
            }
        }
        pthread_cond_broadcast(&ra->cv);
        pthread_mutex_unlock(&ra->mu);
        if (r <= 0)
            return NULL;
    }
}

struct readahead *readahead_new(readahead_fill_fn fill, readahead_err_fn errmsg, void *u)
{
    struct readahead *ra = calloc(1, sizeof *ra);
    if (!ra)
        return NULL;
    ra->buf = malloc((size_t)READAHEAD_BLOCKS * READAHEAD_BYTES);
    if (!ra->buf) {
        free(ra);
        return NULL;
    }
    ra->fill = fill;
    ra->errmsg = errmsg;
    ra->u = u;
    pthread_mutex_init(&ra->mu, NULL);
    pthread_cond_init(&ra->cv, NULL);
    /* signals stay with the parsing thread, whose handlers expect them */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = pthread_create(&ra->thread, NULL, fill_thread, ra);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) {
        pthread_cond_destroy(&ra->cv);
        pthread_mutex_destroy(&ra->mu);
        free(ra->buf);
        free(ra);
        errno = rc;
        return NULL;
    }
    return ra;
}

ssize_t readahead_read(struct readahead *ra, uint8_t *buf, size_t n)
{
    pthread_mutex_lock(&ra->mu);
    for (;;) {
        if (ra->taken < ra->filled) {
            uint64_t slot = ra->taken % READAHEAD_BLOCKS;
            size_t len = ra->len[slot];
            if (ra->off < len) {
                pthread_mutex_unlock(&ra->mu);
                /* the block is ours until `taken` moves past it */
                size_t k = len - ra->off < n ? len - ra->off : n;
                memcpy(buf, ra->buf + slot * READAHEAD_BYTES + ra->off, k);
                ra->off += k;
                return (ssize_t)k;
            }
            ra->taken++;
            ra->off = 0;
            pthread_cond_broadcast(&ra->cv);
            continue;
        }
        if (ra->done)
            break;
        pthread_cond_wait(&ra->cv, &ra->mu);
    }
    bool failed = ra->failed;
    if (failed)
        snprintf(ra->err, sizeof ra->err, "%s", ra->thread_err);
    pthread_mutex_unlock(&ra->mu);
    return failed ? -1 : 0;
}

const char *readahead_error(const struct readahead *ra) { return ra->err; }

void readahead_free(struct readahead *ra)
{
    if (!ra)
        return;
    pthread_mutex_lock(&ra->mu);
    ra->stop = true;
    pthread_cond_broadcast(&ra->cv);
    pthread_mutex_unlock(&ra->mu);
    pthread_join(ra->thread, NULL);
    pthread_cond_destroy(&ra->cv);
    pthread_mutex_destroy(&ra->mu);
    free(ra->buf);
    free(ra);
}
