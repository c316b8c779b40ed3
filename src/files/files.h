/* files: one tracked file instance (an open FID): which byte ranges were read
 * and written, and a SHA-256 of the content seen on the wire, computed as the
 * data streams by. Memory stays bounded: in-order data is hashed and dropped;
 * out-of-order data is held (capped) until the hash reaches it; content is
 * kept (capped) only to check that overlapping copies agree.
 * Spec: [MS-CIFS] 2.2.4.42 (READ_ANDX), 2.2.4.43 (WRITE_ANDX): the offsets and
 * lengths fed here; the hashing and coverage rules are smbscope's own.
 *
 * Semantics (files.c implements them; tests/unit/test_files*.c pin them):
 *
 * - bytes_read / bytes_written count every byte seen on the wire, repeats
 *   included: a range read twice counts twice. The range lists are the union
 *   (each byte once). Bytes reported by file_missing count in neither; they
 *   are totalled in bytes_missing.
 *
 * - The hash covers reads and writes together: the file's content as the wire
 *   showed it. Data at the hash cursor is hashed at once; data ahead of it is
 *   held until the cursor gets there, within lim->file_hold_bytes for this
 *   file and lim->file_hold_total for all files (pool->held). Past either, the
 *   hash is given up ("hold_limit") and held data freed; ranges stay exact.
 *
 * - Data behind the cursor (a re-read, a re-write, a retry) must agree with
 *   the first copy. It is checked against the first lim->file_verify_bytes of
 *   the file, whose content is kept while lim->file_verify_total for all files
 *   (pool->kept) allows (a file refused room keeps no more: its window ends
 *   where its kept content does), or, for a chunk sent again with the same
 *   offset and length, against a digest of that chunk (the most recent
 *   FCHUNKS_MAX chunks are remembered). Data ahead of the cursor is compared
 *   byte for byte with what is held. A difference sets overlap_conflict (the
 *   first copy wins; "overlap_conflict"); an overlap there is no way to check
 *   gives up the hash ("overlap_unverified"). Checking stops once the hash is
 *   given up for any reason.
 *
 * - Target size: the size from file_set_size (the latest call wins), or, when
 *   writes were seen, the furthest write end since that call if it is larger
 *   (a write extends the file; a size reported after the writes, such as a
 *   truncation, supersedes them). Unknown when no size was set and nothing
 *   was written.
 *
 * - complete: the bytes seen (reads and writes) are exactly [0, target) and no
 *   conflict was seen. has_sha256: complete, and the hash was never given up.
 *   So a 0-byte file whose size is known is complete with the SHA-256 of no
 *   data; a file of unknown size never has a hash ("size_unknown").
 *
 * - no_hash_reason (static strings): the first reason the hash was given up
 *   ("overlap_conflict", "overlap_unverified", "hold_limit", "capture_gap":
 *   a file_missing gap at or past the cursor, which it can never pass,
 *   "no_memory"), else at finish "size_unknown", "size_mismatch" (bytes were
 *   seen past the target size) or "incomplete".
 *
 * - Offsets: a file's end-of-file is a 64-bit signed integer ([MS-CIFS]
 *   SMB_SET_FILE_END_OF_FILE_INFO, [MS-FSCC] 2.4.14 FileEndOfFileInformation:
 *   MUST be >= 0), so no file holds a byte at or past FILE_OFFSET_END
 *   (2^63-1). Data a READ/WRITE puts there is dropped here: not counted,
 *   ranged, hashed or extracted (the dissector flags it as
 *   offset_out_of_range); every range end is then <= FILE_OFFSET_END, which
 *   any signed 64-bit reader can hold.
 *
 * - Range lists keep at most FILE_RANGES_MAX disjoint ranges each; past that
 *   the two closest neighbours are joined and ranges_coarse is set (the lists
 *   then claim some unseen bytes). The hash does not depend on the lists, but
 *   `complete` is only claimed from coarse lists when the hash proves it. */
#ifndef SMBSCOPE_FILES_H
#define SMBSCOPE_FILES_H

#include <openssl/evp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "limits.h"
#include "membudget.h"

enum file_io { FILE_READ, FILE_WRITE };

/* no byte at this offset or past it is tracked (see Offsets above) */
#define FILE_OFFSET_END ((uint64_t)INT64_MAX)

/* A file whose target size is known and at most this when its first byte is
 * hashed is hashed on the calling thread even with hashing threads (pool->hq),
 * unless its record may leave the hash to the sink (pool->defer_sha256): its
 * `file` record, at the close, would otherwise wait for the thread to hash
 * all of it (the whole file of a short session comes in one READ), and the
 * hand-over costs more than the hash. Which thread hashes never changes the
 * result. */
#define FILE_HASH_INLINE_MAX (256u << 10)

/* most disjoint ranges kept per list (read, write, seen) */
#define FILE_RANGES_MAX 4096

struct extractor;
struct extract_stream;
struct event;

/* shared across all files of a run (the global hold and verify budgets) */
struct file_pool {
    const struct limits *lim;
    struct extractor *ex;  /* --extract: every file's content is also written out (extract.h); or NULL */
    size_t held;          /* bytes held for out-of-order hashing, all files */
    size_t held_peak;
    size_t kept;          /* file content kept to verify overlaps, all files */
    size_t kept_peak;
    struct membudget *mb;  /* the run's state budget, charged for trackers, held and kept bytes (or NULL) */
    struct hashq **hq;     /* n_hq hashing threads (hashq.h); none: SHA-256 on the calling thread */
    unsigned n_hq;
    unsigned next_hq;      /* new files take the threads in turn */
    /* with hq: file_finish may leave a complete file's SHA-256 to whoever
     * writes its record (file_result.sha256_pending), so the parsing thread
     * never waits for a hash; set when the sink takes pending records and
     * nothing else reads the hash (no --extract) */
    bool defer_sha256;
    const uint8_t *chunk_secret; /* FCHUNK_SECRET random bytes keying chunk digests (fchunks.h), or NULL: XXH3's default */
    /* SHA-256 fetched once for the run (EVP_MD_fetch; each context takes its
     * own reference), or NULL: OpenSSL's built-in handle, which looks the
     * algorithm up again for every file */
    const EVP_MD *sha256;
};

struct file_track;

struct file_result {
    uint64_t bytes_read, bytes_written;       /* bytes seen on the wire, repeats included */
    uint64_t bytes_missing;                   /* bytes reported by file_missing (not seen) */
    uint64_t (*read_ranges)[2];               /* merged, sorted, end exclusive */
    size_t n_read_ranges;
    uint64_t (*write_ranges)[2];
    size_t n_write_ranges;
    bool ranges_coarse;                       /* a list hit FILE_RANGES_MAX and was coarsened */
    bool has_sha256;
    char sha256[65];                          /* lowercase hex when has_sha256 */
    bool complete;                            /* one range [0, size) seen and no overlap disagreed */
    bool overlap_conflict;                    /* two copies of a byte differed */
    const char *no_hash_reason;               /* why there is no sha256 (static string), or NULL */
    /* pool->defer_sha256: the file is whole and its hash still being
     * computed (has_sha256 false, no reason): put it on the record
     * (ev_set_pending), whose settle writes sha256, or no_hash_reason
     * "no_memory" when the hash failed. Owned here until taken */
    struct ev_pending *sha256_pending;
};

/* NULL when out of memory */
struct file_track *file_new(struct file_pool *pool);
/* size from the open (or an end-of-file the server reported); may be called again */
void file_set_size(struct file_track *f, uint64_t size);
/* optional: the next file_data / file_missing calls, up to len bytes from off,
 * are the pieces of one READ or WRITE (in order). Declaring it lets a chunk
 * re-sent in different pieces be checked as a whole; without it every
 * file_data call is a chunk of its own. */
void file_chunk(struct file_track *f, enum file_io io, uint64_t off, uint64_t len);
/* data seen at file offset off; may arrive in any order, in any pieces */
void file_data(struct file_track *f, enum file_io io, uint64_t off, const uint8_t *p, size_t n);
/* n bytes at off were returned/written but not seen (capture loss) */
void file_missing(struct file_track *f, enum file_io io, uint64_t off, uint64_t n);
/* compute the result (callable once; a second call gives an empty result
 * with reason "finished"); free it with file_result_free */
void file_finish(struct file_track *f, struct file_result *out);
void file_result_free(struct file_result *r);
/* --extract, after file_finish: place the file's content (extract.h) and add
 * `extracted` (and `extract_error`) to e, its `file` record, before it is
 * emitted; instance is unique in e's connection. Does nothing (adds nothing)
 * when the pool has no extractor. */
void file_extract(struct file_track *f, const struct file_result *r, struct event *e, uint64_t instance);
void file_free(struct file_track *f);

#endif
