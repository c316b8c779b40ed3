/* fdigest: a file's SHA-256, computed inline or on a hashing thread
 * (hashq.h), and finishable by the thread the file's record is written on.
 * Spec: none (the hash state of files.c).
 *
 * Contract (fdigest.c implements it; tests/unit/test_fdigest.c pins it):
 *
 * - fdigest_update feeds bytes strictly in order, inline when the digest has
 *   no queue, else through it; fdigest_inline (before the first byte) makes
 *   a digest with a queue hash inline from then on.
 *
 * - The producer (the parsing thread) finishes with fdigest_final(d, hex,
 *   true). Another thread may finish it with producer = false once the
 *   producer has called fdigest_handover: the wait then never publishes
 *   (hashq's producer-only side).
 *
 * - fdigest_final gives the lowercase hex digest, or false when an update or
 *   the final step failed (out of memory): the record says "no_memory".
 *   fdigest_free waits like fdigest_final (the thread may still feed the
 *   context) and frees; either may be called alone, final first or not. */
#ifndef SMBSCOPE_FDIGEST_H
#define SMBSCOPE_FDIGEST_H

#include <stdbool.h>
#include <stddef.h>

#include <openssl/evp.h>

struct hashq;
struct fdigest;

/* NULL when out of memory; hq NULL: inline; sha256: a handle fetched once
 * (EVP_MD_fetch), or NULL for OpenSSL's built-in one */
struct fdigest *fdigest_new(struct hashq *hq, const EVP_MD *sha256);
/* from here on hash on the calling thread (only before the first update) */
void fdigest_inline(struct fdigest *d);
/* false: the update failed and the digest is given up (inline only; a
 * queued update's failure shows at fdigest_final) */
bool fdigest_update(struct fdigest *d, const void *p, size_t n);
/* producer: make everything queued for d reachable by another thread */
void fdigest_handover(struct fdigest *d);
/* wait for the queued updates and finish: hex gets 64 digits and a NUL */
bool fdigest_final(struct fdigest *d, char hex[65], bool producer);
void fdigest_free(struct fdigest *d, bool producer);

#endif
