/* files: one tracked file instance (an open FID): which byte ranges were read
 * and written, and a SHA-256 of the content seen on the wire, computed as the
 * data streams by. Memory stays bounded: in-order data is hashed and dropped;
 * out-of-order data is held (capped) until the hash reaches it; content is
 * kept (capped) only to check that overlapping copies agree. */
#ifndef SMBSCOPE_FILES_H
#define SMBSCOPE_FILES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "limits.h"

enum file_io { FILE_READ, FILE_WRITE };

/* shared across all files of a run (the global hold budget) */
struct file_pool {
    const struct limits *lim;
    size_t held;          /* bytes held for out-of-order hashing, all files */
    size_t held_peak;
};

struct file_track;

struct file_result {
    uint64_t bytes_read, bytes_written;       /* bytes seen on the wire */
    uint64_t (*read_ranges)[2];               /* merged, sorted, end exclusive */
    size_t n_read_ranges;
    uint64_t (*write_ranges)[2];
    size_t n_write_ranges;
    bool has_sha256;
    char sha256[65];                          /* lowercase hex when has_sha256 */
    bool complete;                            /* one range [0, size) seen and every overlap agreed */
    bool overlap_conflict;                    /* two copies of a byte differed */
    const char *no_hash_reason;               /* why there is no sha256 (static string), or NULL */
};

struct file_track *file_new(struct file_pool *pool);
/* size from the open (or an end-of-file the server reported); may be called again */
void file_set_size(struct file_track *f, uint64_t size);
/* data seen at file offset off; may arrive in any order, in any pieces */
void file_data(struct file_track *f, enum file_io io, uint64_t off, const uint8_t *p, size_t n);
/* n bytes at off were returned/written but not seen (capture loss) */
void file_missing(struct file_track *f, enum file_io io, uint64_t off, uint64_t n);
/* compute the result (callable once); free it with file_result_free */
void file_finish(struct file_track *f, struct file_result *out);
void file_result_free(struct file_result *r);
void file_free(struct file_track *f);

#endif
