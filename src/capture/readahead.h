/* readahead: an input's bytes produced by a thread of their own (the read
 * syscalls, and the decompression of a .gz/.zst/.xz capture), a few blocks
 * ahead of the parsing thread that consumes them. Spec: none; pthreads(7).
 *
 * Contract (readahead.c implements it; tests/unit/test_readahead.c pins it):
 * - The thread calls fill(u, buf, n) until it returns 0 (end) or -1 (error,
 *   with its message from errmsg(u)), filling READAHEAD_BLOCKS blocks of
 *   READAHEAD_BYTES in turn, and waits while all are full: memory is fixed.
 * - readahead_read hands out the same bytes in the same order, then 0 at the
 *   end or -1 at the error (after every byte before it); readahead_error is
 *   that message (a copy the caller's thread owns), "" before an error.
 * - fill and errmsg run on the thread only, from readahead_new until
 *   readahead_free: the caller must not touch what they use meanwhile.
 *   readahead_free stops the thread at its next block and joins it, so fill
 *   must not block forever (a regular file's read(2) does not). */
#ifndef SMBSCOPE_READAHEAD_H
#define SMBSCOPE_READAHEAD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* 4 x 128 KiB: reads large enough that syscalls cost little, and half a MiB
 * per open input (--max-open-inputs of them at most) */
#define READAHEAD_BLOCKS 4u
#define READAHEAD_BYTES (128u << 10)

struct readahead;

typedef ssize_t (*readahead_fill_fn)(void *u, uint8_t *buf, size_t n);
typedef const char *(*readahead_err_fn)(void *u);

/* NULL (and errno) when the thread or memory cannot be had: read directly then */
struct readahead *readahead_new(readahead_fill_fn fill, readahead_err_fn errmsg, void *u);
/* up to n bytes into buf: how many, 0 at the end, -1 at an error */
ssize_t readahead_read(struct readahead *ra, uint8_t *buf, size_t n);
const char *readahead_error(const struct readahead *ra);
void readahead_free(struct readahead *ra);

#endif
