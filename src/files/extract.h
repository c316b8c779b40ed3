/* extract: file content written out under a directory as it streams by
 * (--extract DIR), so a responder can take the files away. Spec: none (the
 * data comes from READ/WRITE, [MS-CIFS] 2.2.4.42-43, through files.c); the
 * layout and the rules below are smbscope's own.
 *
 * Contract (extract.c and extract_place.c implement it; tests/unit/test_extract.c
 * and test_extract_limits.c pin it):
 *
 * - Layout under DIR (created if missing; opened once, O_DIRECTORY; every
 *   later path is relative to that descriptor and made only of hex digits,
 *   digits and '-': names from the wire are never used as paths):
 *     .tmp/<pid>-<n>               a file being written (and sidecar temps)
 *     sha256/<xx>/<sha256>         a complete file, once per content
 *     sha256/<xx>/<sha256>.json    one JSON line per file instance with that
 *                                  content: exactly the `file` record line
 *                                  (fields plus conn), appended, never rewritten
 *     partial/<token>-<instance>   anything else, sparse
 *     partial/<token>-<instance>.json  its sidecar (one JSON object)
 *   <token> is the first 16 hex digits of SHA-256("<community_id>|<start_us>")
 *   of the connection (stable for the same input, unique in practice across
 *   runs and sensors); <instance> is the open's serial in its connection.
 *
 * - A stream belongs to one file instance. Data is written at its file
 *   offset (pwrite) into its temp file, created (O_EXCL, 0600) at the first
 *   byte; nothing is buffered. Only bytes not already on disk are written:
 *   the first copy of a byte wins, as it does for the hash (files.h). A later
 *   copy of bytes already on disk is compared with them (read back); a
 *   difference is an overlap conflict (kept: the first copy), recorded for
 *   the sidecar: `second` the range of the later READ/WRITE (one entry per
 *   READ/WRITE, however many pieces it came in), `first` the part of it the
 *   first copy covered (from the first to the last overlapping piece that
 *   differed), `differ` first to last differing byte + 1. At most EXTRACT_CONFLICTS_MAX
 *   are listed; the rest are counted. Once the list of bytes on disk is
 *   coarse (FILE_RANGES_MAX disjoint ranges: it then claims holes it joined
 *   over, see ranges_coarse below) nothing more is compared: a hole read back
 *   is no first copy, and bytes in a joined hole stay a hole.
 *
 * - Caps (limits.h): no byte at an offset >= extract_max_file is written
 *   ("file_limit"); no more than extract_max_total bytes are written in the
 *   run, counting every byte passed to pwrite (apparent bytes; sidecars not
 *   counted) ("total_limit"). A write error (ENOSPC, EIO, EMFILE...) stops
 *   that stream ("io_error"). Analysis always goes on. At most
 *   extract_max_fds temp files are open at once; the least recently used is
 *   closed and reopened by name when its data comes again.
 *
 * - Finish (extract_finish, once, with the `file` record being built):
 *   . the record has a sha256 and every byte of [0, size) was written (the
 *     count of written bytes equals the size: writes never overlap) ->
 *     the temp file is fsync'd and linked under sha256/<xx>/<sha256>, unless
 *     that name exists (then it is dropped unsynced: same content), and the
 *     record line is appended to <sha256>.json with one write() (O_APPEND, so
 *     lines of concurrent writers never interleave). A 0-byte complete file
 *     is content too: sha256/e3/e3b0c442...b855 (empty) gets its line.
 *   . else, if any byte was written -> partial: the file is extended (never
 *     shrunk) to the known size when that is <= extract_max_file, so holes
 *     stay holes (never zero-filled by writing); fsync'd; its sidecar is
 *     written to a temp name, fsync'd and renamed first, then the data file
 *     is renamed (a crash between leaves a sidecar without data, never data
 *     without its sidecar). Re-running the same capture into the same DIR
 *     replaces a partial file with the same content and appends the
 *     sha256 lines again.
 *   . else nothing is created (no data seen, e.g. an open never read, a pipe).
 *   The record gains `extracted` (the path relative to DIR, or null) and,
 *   when a cap or an error kept bytes out, `extract_error` ("file_limit",
 *   "total_limit", "io_error"), with an anomaly (extract_file_limit,
 *   extract_total_limit, extract_io_error) per file.
 *
 * - Crash safety: final names appear only by link/rename of a finished,
 *   fsync'd file, so a crash or SIGKILL never leaves under sha256/ or
 *   partial/ a file that is not finished. Temp files of a killed run stay in
 *   .tmp/ (safe to delete when no smbscope writes to DIR). Directories are
 *   not fsync'd: after a power loss a final name may be missing, never wrong.
 *
 * Partial sidecar: {"schema":1, "type":"partial_file", "record":{the file
 * record}, "size": target size or null, "seen_ranges": bytes the file holds,
 * "missing_ranges": [0,size) minus seen (size unknown: the holes below the
 * furthest byte seen, and "tail_unknown": true), "no_hash_reason",
 * "extract_error", "overlap_conflicts": [...], "overlap_conflicts_omitted",
 * "ranges_coarse" (the seen list hit its cap: it then claims some bytes that
 * are holes)}. Ranges are [start, end). */
#ifndef SMBSCOPE_EXTRACT_H
#define SMBSCOPE_EXTRACT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"
#include "limits.h"

#define EXTRACT_CONFLICTS_MAX 64
/* the directories extractor_open makes under DIR (the layout above); main
 * hands the same ones to -Z's USER, so the list is kept here, once */
#define EXTRACT_SUBDIRS {".tmp", "sha256", "partial"}
#define EXTRACT_N_SUBDIRS 3

struct extractor;
struct extract_stream;

/* what the run's extraction did (also the stats a test reads) */
struct extract_counts {
    uint64_t complete;       /* instances linked or deduplicated under sha256/ */
    uint64_t dedup;          /* ... of which the content was already there */
    uint64_t partial;        /* instances written under partial/ */
    uint64_t bytes;          /* bytes written (the extract_max_total budget) */
    uint64_t errors;         /* instances with an extract_error */
};

/* Opens (creating if needed) dir and its .tmp, sha256, partial folders.
 * em receives the extract_* anomalies. NULL with a message in err on failure. */
/* --sensor NAME (not owned; NULL for none): sidecar record lines carry it,
 * exactly as the JSON sink writes the record */
void extractor_set_sensor(struct extractor *x, const char *sensor);
struct extractor *extractor_open(const char *dir, const struct limits *lim, const struct emitter *em,
                                 char *err, size_t errlen);
const struct extract_counts *extractor_counts(const struct extractor *x);
/* every stream must have been freed first */
void extractor_close(struct extractor *x);

/* one file instance; NULL when out of memory (the file is then not extracted) */
struct extract_stream *extract_stream_new(struct extractor *x);
/* content seen at file offset off (read or written, any order, any pieces);
 * [chunk_off, chunk_off + chunk_len) is the READ or WRITE it is a piece of
 * (named in overlap conflicts; chunk_len 0: the piece is its own) */
void extract_data(struct extract_stream *s, bool is_write, uint64_t chunk_off, uint64_t chunk_len, uint64_t off,
                  const uint8_t *p, size_t n);

/* what the file tracker concluded (files.h) */
struct extract_file_info {
    bool size_known;
    uint64_t size;               /* the target size (open size or furthest write) */
    const char *sha256;          /* hex, or NULL */
    const char *no_hash_reason;  /* or NULL */
};
/* Places the file (see above) and adds `extracted` (and `extract_error`) to e,
 * the `file` record about to be emitted; instance is unique in e->conn. */
void extract_finish(struct extract_stream *s, const struct extract_file_info *fi, struct event *e,
                    uint64_t instance);
/* frees the stream; an unfinished one's temp file is removed */
void extract_stream_free(struct extract_stream *s);

#endif
