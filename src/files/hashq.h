/* hashq: the files' SHA-256 computed on a second thread, so hashing (the
 * largest single cost of a run over file transfers) overlaps parsing on
 * another core. Spec: none (a work queue for files.c).
 *
 * Contract (hashq.c implements it; tests/unit/test_hashq.c pins it):
 *
 * - One producer (the parsing thread) and one hashing thread. hashq_update
 *   copies the bytes into a ring of HASHQ_RING_BYTES and returns; the thread
 *   feeds them to EVP_DigestUpdate of the given context in exactly the order
 *   they were queued, so a digest is the same as if it were computed inline,
 *   and the run's output does not depend on threads or timing.
 *
 * - Memory is fixed: the ring (HASHQ_RING_BYTES), allocated once. A producer
 *   that finds it full waits for the thread (back-pressure), so a slow hash
 *   never grows memory. Updates larger than a quarter of the ring are split.
 *
 * - A context belongs to the thread from its first update until the producer
 *   has waited for the position hashq_update returned last for it
 *   (hashq_wait): only then may it finalize, reset or free the context, or
 *   read the update's failure flag. hashq_wait also makes the thread start on
 *   anything queued but not yet handed over.
 *
 * - A failed EVP_DigestUpdate sets *failed (given with the update) to true;
 *   later updates of that context still run (harmless) and the producer, which
 *   reads the flag after hashq_wait, gives the hash up.
 *
 * - Another thread (the output writer, owriter.h) may wait for a position
 *   with hashq_wait_published, once the producer has handed it over with
 *   hashq_publish; it then owns the context as the producer would.
 *
 * - hashq_free hashes everything queued, stops and joins the thread. */
#ifndef SMBSCOPE_HASHQ_H
#define SMBSCOPE_HASHQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

/* bytes in flight to the hashing thread: enough to ride out the bursts of
 * several large READs (a 64 KiB READ_ANDX is 1/128 of it), small next to the
 * run's memory budget */
#define HASHQ_RING_BYTES (8u << 20)

struct hashq;

/* start the thread; NULL (and errno) when it cannot be had: hash inline then */
struct hashq *hashq_new(void);
/* queue n bytes for md; the position to wait for so that they are hashed */
uint64_t hashq_update(struct hashq *q, EVP_MD_CTX *md, bool *failed, const void *p, size_t n);
/* return once every update queued up to position pos is hashed */
void hashq_wait(struct hashq *q, uint64_t pos);
/* producer: hand everything queued so far to the thread (hashq_wait does
 * too), so that another thread may wait for it */
void hashq_publish(struct hashq *q);
/* any thread but the producer: return once every update up to pos, which
 * the producer published (hashq_publish), is hashed */
void hashq_wait_published(struct hashq *q, uint64_t pos);
/* hash what is queued, stop the thread, free everything (NULL is fine) */
void hashq_free(struct hashq *q);

#endif
