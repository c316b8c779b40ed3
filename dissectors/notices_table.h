/* notices_table: the notice rules' bounded state (notices.c): a map from
 * byte-string keys to fixed-size values, at most `cap` entries, the least
 * recently used evicted first, hashed with SipHash under the run's secret
 * key (htab.h) so wire values cannot be chosen to collide. Every operation is O(1) expected. */
#ifndef SMBSCOPE_NOTICES_TABLE_H
#define SMBSCOPE_NOTICES_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "htab.h"

struct ntab;

/* cap >= 1 entries of val_size bytes each (zeroed when created); NULL when
 * out of memory. Memory grows with the entries held, not with cap. */
struct ntab *ntab_new(size_t cap, size_t val_size, const struct hkey *key);
void ntab_free(struct ntab *t);

/* Values are valid until the next ntab_put on the same table (it may move
 * them while the table grows). */
/* the value of key, made most recently used; NULL when absent */
void *ntab_get(struct ntab *t, const void *key, size_t klen);
/* the value of key, created (zeroed) when absent, evicting the least recently
 * used entry when the table is full; *created says which */
void *ntab_put(struct ntab *t, const void *key, size_t klen, bool *created);
/* entries evicted to make room so far */
uint64_t ntab_evicted(const struct ntab *t);
size_t ntab_len(const struct ntab *t);

#endif
