/* json_random: random records for the JSON sink's tests (test_out_json.c's
 * jansson oracle, test_out_json_bg.c's background sink): hostile strings that
 * hit every branch of the escapers, and fields of every kind, nested.
 * Spec: src/output/event.h (field kinds), src/output/out_json.c. */
#ifndef SMBSCOPE_JSON_RANDOM_H
#define SMBSCOPE_JSON_RANDOM_H

#include <stddef.h>
#include <stdint.h>

#include "event.h"

/* xorshift64 on *x (never 0) */
uint64_t rng_next(uint64_t *x);
/* a NUL-terminated string of at most cap - 1 bytes, valid UTF-8 or not */
void hostile_string(uint64_t *x, char *buf, size_t cap);
/* up to 8 random fields k0..k7 into fs (NULL: the top level), objects up to
 * depth 3, then maps (the event must allow ad hoc fields) */
void random_fields(struct event *e, struct fieldset *fs, uint64_t *x, int depth);

#endif
