/* files_harness: shared helpers for the file tracker's unit tests
 * (test_files.c, test_files_limits.c) and --extract's (extract_harness.c):
 * deterministic test data, SHA-256 in hex, result checks.
 * Spec: the semantics block in src/files/files.h. */
#ifndef SMBSCOPE_FILES_HARNESS_H
#define SMBSCOPE_FILES_HARNESS_H

#include <stddef.h>
#include <stdint.h>

#include "files.h"

#define SHA256_EMPTY "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

/* xorshift64: deterministic test data without global state */
uint64_t next_rand(uint64_t *s);
/* n bytes of next_rand(seed) (caller frees) */
uint8_t *make_buf(size_t n, uint64_t seed);
void sha256_hex(const uint8_t *p, size_t n, char out[65]);
/* r has the SHA-256 of p[0, n) and no no_hash_reason */
void assert_hash_of(const struct file_result *r, const uint8_t *p, size_t n);
/* v is exactly the one range [a, b) */
void assert_one_range(uint64_t (*v)[2], size_t n, uint64_t a, uint64_t b);
/* buf[off, off+n) read at file offset off */
void read_at(struct file_track *f, const uint8_t *buf, uint64_t off, size_t n);

#endif
