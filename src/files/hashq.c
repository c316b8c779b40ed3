/* hashq: a ring of byte records from the parsing thread to one hashing
 * thread (see hashq.h for the contract). Spec: none; pthreads(7).
 *
 * Positions are byte counts since the start (never wrap in practice: 2^64);
 * a record sits at pos % HASHQ_RING_BYTES. Only the producer writes records
 * and `pos`; only the thread reads them. `head` (published) and `tail`
 * (hashed) change under the mutex, which is also what orders the record
 * bytes between the two threads. */
#include "hashq.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* every record is a header and its bytes, both rounded to this, so a wrap
 * marker always fits in what is left at the end of the ring */
#define REC_ALIGN 32u
/* hand records over in batches of at least this, and give room back as
 * often: a lock and maybe a wake-up per batch, not per record. A quarter of
 * the ring: on a VM a wake-up cost the producer ~50 us, and at 512 KiB they
 * were 3% of the parsing thread on 10,000 short sessions (2 MiB: ~4% less
 * wall time there) */
#define HANDOVER_BYTES (HASHQ_RING_BYTES / 4)
/* x86-64's huge page; the ring is a whole number of them */
#define HUGE_PAGE_BYTES (2u << 20)
_Static_assert(HASHQ_RING_BYTES % HUGE_PAGE_BYTES == 0, "the ring is whole huge pages");
/* an update longer than this is queued in pieces, so one never needs the whole ring */
#define PIECE_MAX (HASHQ_RING_BYTES / 4)

struct rec {
    EVP_MD_CTX *md;    /* NULL: a wrap marker, the rest of the ring is unused */
    bool *failed;
    size_t len;
    uint8_t pad[REC_ALIGN - 2 * sizeof(void *) - sizeof(size_t)];
};
_Static_assert(sizeof(struct rec) == REC_ALIGN, "a record header is one alignment unit");
_Static_assert((HASHQ_RING_BYTES & (HASHQ_RING_BYTES - 1)) == 0, "the ring is a power of two");

struct hashq {
    uint8_t *ring;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t data;      /* the thread waits here for records */
    pthread_cond_t room;      /* the producer waits here for room or for hashing to reach a position */
    pthread_cond_t done;      /* another thread waits here for hashing to reach a position */
    /* under mu */
    uint64_t head, tail;
    bool stop, thread_waits, producer_waits;
    unsigned others_wait;
    /* producer only */
    uint64_t pos, tail_seen;
};

static size_t round_up(size_t n) { return (n + REC_ALIGN - 1) & ~(size_t)(REC_ALIGN - 1); }

static struct rec *rec_at(const struct hashq *q, uint64_t pos)
{
    return (struct rec *)(q->ring + (pos & (HASHQ_RING_BYTES - 1)));
}

/* under mu: hand over everything written so far */
static void publish(struct hashq *q)
{
    if (q->head == q->pos)
        return;
    q->head = q->pos;
    if (q->thread_waits)
        pthread_cond_signal(&q->data);
}

/* under mu: the hashed position moved */
static void hashed(struct hashq *q)
{
    if (q->producer_waits)
        pthread_cond_signal(&q->room);
    if (q->others_wait)
        pthread_cond_broadcast(&q->done);
}

/* the thread: hash records as they come; give room back batch by batch */
static void *hash_thread(void *arg)
{
    struct hashq *q = arg;
    uint64_t t;
    pthread_mutex_lock(&q->mu);
    t = q->tail;
    for (;;) {
        while (q->head == t && !q->stop) {
            q->thread_waits = true;
            pthread_cond_wait(&q->data, &q->mu);
            q->thread_waits = false;
        }
        if (q->head == t)
            break; /* stopping, and everything is hashed */
        uint64_t h = q->head;
        pthread_mutex_unlock(&q->mu);
        uint64_t given = t;
        while (t < h) {
            const struct rec *r = rec_at(q, t);
            if (!r->md) {
                t += HASHQ_RING_BYTES - (t & (HASHQ_RING_BYTES - 1));
                continue;
            }
            if (EVP_DigestUpdate(r->md, r + 1, r->len) != 1)
                *r->failed = true;
            t += sizeof *r + round_up(r->len);
            if (t - given >= HANDOVER_BYTES && t < h) {
                pthread_mutex_lock(&q->mu);
                q->tail = given = t;
                hashed(q);
                pthread_mutex_unlock(&q->mu);
            }
        }
        pthread_mutex_lock(&q->mu);
        q->tail = t;
        hashed(q);
    }
    pthread_mutex_unlock(&q->mu);
    return NULL;
}

struct hashq *hashq_new(void)
{
    struct hashq *q = calloc(1, sizeof *q);
    if (!q)
        return NULL;
    q->ring = aligned_alloc(HUGE_PAGE_BYTES, HASHQ_RING_BYTES);
    if (!q->ring) {
        free(q);
        return NULL;
    }
    /* in 2 MiB pages where the kernel has them (transparent huge pages in
     * "madvise" mode, Debian's default): 4 page faults instead of 2,048 the
     * first time round, and fewer TLB misses for both threads after. A
     * refusal (no THP) changes nothing but speed. */
    (void)madvise(q->ring, HASHQ_RING_BYTES, MADV_HUGEPAGE);
    pthread_mutex_init(&q->mu, NULL);
    pthread_cond_init(&q->data, NULL);
    pthread_cond_init(&q->room, NULL);
    pthread_cond_init(&q->done, NULL);
    /* signals (SIGINT, SIGTERM, SIGHUP) stay with the parsing thread, whose
     * handlers expect them: the hashing thread starts with all blocked */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = pthread_create(&q->thread, NULL, hash_thread, q);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc == 0)
        (void)pthread_setname_np(q->thread, "smbscope-hash"); /* top -H, perf: which thread is which */
    if (rc != 0) {
        pthread_cond_destroy(&q->done);
        pthread_cond_destroy(&q->room);
        pthread_cond_destroy(&q->data);
        pthread_mutex_destroy(&q->mu);
        free(q->ring);
        free(q);
        errno = rc;
        return NULL;
    }
    return q;
}

/* room for a record of `need` bytes at pos (after a wrap marker if it does not
 * fit before the end of the ring): wait for the thread while there is none */
static void reserve(struct hashq *q, size_t need)
{
    size_t idx = (size_t)(q->pos & (HASHQ_RING_BYTES - 1));
    size_t skip = HASHQ_RING_BYTES - idx < need ? HASHQ_RING_BYTES - idx : 0;
    if (q->pos + skip + need - q->tail_seen > HASHQ_RING_BYTES) {
        pthread_mutex_lock(&q->mu);
        publish(q); /* the thread cannot make room from records it was never given */
        while (q->pos + skip + need - q->tail > HASHQ_RING_BYTES) {
            q->producer_waits = true;
            pthread_cond_wait(&q->room, &q->mu);
            q->producer_waits = false;
        }
        q->tail_seen = q->tail;
        pthread_mutex_unlock(&q->mu);
    }
    if (skip) {
        rec_at(q, q->pos)->md = NULL;
        q->pos += skip;
    }
}

uint64_t hashq_update(struct hashq *q, EVP_MD_CTX *md, bool *failed, const void *p, size_t n)
{
    const uint8_t *b = p;
    while (n > 0) {
        size_t k = n < PIECE_MAX ? n : PIECE_MAX;
        reserve(q, sizeof(struct rec) + round_up(k));
        struct rec *r = rec_at(q, q->pos);
        r->md = md;
        r->failed = failed;
        r->len = k;
        memcpy(r + 1, b, k);
        q->pos += sizeof *r + round_up(k);
        b += k;
        n -= k;
        if (q->pos - q->head >= HANDOVER_BYTES) {
            /* head is only written by this thread: reading it unlocked is safe */
            pthread_mutex_lock(&q->mu);
            publish(q);
            pthread_mutex_unlock(&q->mu);
        }
    }
    return q->pos;
}

void hashq_wait(struct hashq *q, uint64_t pos)
{
    if (!q || pos <= q->tail_seen)
        return;
    pthread_mutex_lock(&q->mu);
    publish(q);
    while (q->tail < pos) {
        q->producer_waits = true;
        pthread_cond_wait(&q->room, &q->mu);
        q->producer_waits = false;
    }
    q->tail_seen = q->tail;
    pthread_mutex_unlock(&q->mu);
}

void hashq_publish(struct hashq *q)
{
    if (!q || q->head == q->pos) /* head is only written by the producer: reading it unlocked is safe here */
        return;
    pthread_mutex_lock(&q->mu);
    publish(q);
    pthread_mutex_unlock(&q->mu);
}

void hashq_wait_published(struct hashq *q, uint64_t pos)
{
    if (!q)
        return;
    pthread_mutex_lock(&q->mu);
    /* a position never handed over would never be reached: the caller's bug */
    if (pos > q->head)
        abort();
    q->others_wait++;
    while (q->tail < pos)
        pthread_cond_wait(&q->done, &q->mu);
    q->others_wait--;
    pthread_mutex_unlock(&q->mu);
}

void hashq_free(struct hashq *q)
{
    if (!q)
        return;
    pthread_mutex_lock(&q->mu);
    publish(q);
    q->stop = true;
    pthread_cond_signal(&q->data);
    pthread_mutex_unlock(&q->mu);
    pthread_join(q->thread, NULL);
    pthread_cond_destroy(&q->done);
    pthread_cond_destroy(&q->room);
    pthread_cond_destroy(&q->data);
    pthread_mutex_destroy(&q->mu);
    free(q->ring);
    free(q);
}
