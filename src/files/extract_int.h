/* extract_int: the state extract.c (temp files, descriptors, the write path)
 * and extract_place.c (the finish: link/rename, sidecars, record lines) share.
 * Spec: none; smbscope's own (see extract.h). Not for use outside src/files. */
#ifndef SMBSCOPE_EXTRACT_INT_H
#define SMBSCOPE_EXTRACT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "extract.h"
#include "ranges.h"

struct conflict {
    bool is_write;
    uint64_t first[2], second[2], differ[2];
};

struct extract_stream {
    struct extractor *x;
    char tmp[48];               /* ".tmp/<pid>-<n>", empty until the first byte */
    int fd;                     /* -1 when closed (not created yet, or evicted) */
    struct extract_stream *lru_prev, *lru_next;  /* streams with an open fd, most recent first */
    struct ranges disk;         /* bytes written to the temp file */
    uint64_t written;           /* sum of the bytes written (writes never overlap) */
    const char *error;          /* the first extract_error: "file_limit", "total_limit", "io_error" */
    bool over_file, over_total; /* each cap that kept bytes out */
    bool broken;                /* a write or read failed: this stream writes no more */
    int err_no;                 /* for io_error */
    struct conflict conflicts[EXTRACT_CONFLICTS_MAX];
    size_t n_conflicts;
    uint64_t conflicts_omitted;
    bool finished;
};

struct extractor {
    const struct limits *lim;
    const struct emitter *em;
    int dirfd;
    long pid;
    uint64_t tmp_serial;        /* temp names: <pid>-<serial> */
    struct extract_stream *lru_head, *lru_tail;
    size_t n_fds;
    struct extract_counts counts;
    const char *sensor;
};

static inline uint64_t x_min64(uint64_t a, uint64_t b) { return a < b ? a : b; }
static inline uint64_t x_max64(uint64_t a, uint64_t b) { return a > b ? a : b; }

/* mkdir that accepts an existing directory */
bool extract_mkdir_ok(int dirfd, const char *name);
/* the stream's temp file, open (created at the first call); false on error */
bool extract_fd_get(struct extract_stream *s);
/* closes the stream's descriptor, if open */
void extract_fd_close(struct extract_stream *s);
/* closes and removes the temp file, if any */
void extract_drop_tmp(struct extract_stream *s);
/* records why bytes were kept out: "file_limit", "total_limit", or any other
 * (an I/O failure: the stream writes no more) */
void extract_set_error(struct extract_stream *s, const char *why, int err_no);

#endif
