/* fchunks: a digest per chunk (one READ or WRITE: offset, length) of file
 * data already hashed, so an exact re-send of that chunk can be checked
 * against the first copy without keeping the content.
 * Spec: none (overlap checking for files.c).
 *
 * Bounded: the most recent FCHUNKS_MAX chunks are remembered (a ring, the
 * oldest forgotten first), 32 bytes each. Retries and re-reads tend to follow
 * the original closely, which is what the recency order favours. */
#ifndef SMBSCOPE_FCHUNKS_H
#define SMBSCOPE_FCHUNKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FCHUNKS_MAX 4096
/* XXH3-128 under the pool's secret (files.h, struct file_pool): the file's
 * SHA-256 already covers these bytes once; the re-send check needs a digest
 * that costs little next to it (XXH3 runs at memory speed, a second SHA-256
 * doubled the run's hashing). 128 bits make an accidental match negligible,
 * and the per-run random secret keeps a peer from crafting a re-send that
 * passes as the first copy without knowing it. */
#define FCHUNK_DIGEST 16
/* bytes of that secret (a valid XXH3 secret is at least 136) */
#define FCHUNK_SECRET 192

struct fchunk {
    uint64_t off, len;
    uint8_t d[FCHUNK_DIGEST];
};

struct fchunks {
    struct fchunk *v;
    size_t n, cap;
    size_t next;              /* where the next record goes once the ring is full */
};

/* remember a chunk (false only when memory ran out; nothing is lost but the record) */
bool fchunks_add(struct fchunks *c, uint64_t off, uint64_t len, const uint8_t d[FCHUNK_DIGEST]);
/* the record for exactly (off, len), or NULL */
const struct fchunk *fchunks_find(const struct fchunks *c, uint64_t off, uint64_t len);
void fchunks_free(struct fchunks *c);

#endif
