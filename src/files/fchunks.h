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
/* a truncated SHA-256: 128 bits keep a crafted re-send from passing as the
 * same data, at half the memory of the full digest */
#define FCHUNK_DIGEST 16

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
