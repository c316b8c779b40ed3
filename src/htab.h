/* htab: one small intrusive hash table for every lookup by a wire-chosen key
 * (flows by 5-tuple; IP fragments by datagram ID; SMB sessions by UID, trees
 * by TID, opens by FID, pending requests by PID/MID), with SipHash-2-4 under a
 * per-run random key.
 *
 * Why keyed: the peer chooses these keys, and with a fixed or guessable hash
 * it could put them all in one chain and make every lookup linear (a sensor
 * blinded by one client). With a secret 128-bit key it cannot aim at a bucket.
 * Why SipHash-2-4: it is the keyed hash designed for exactly this (Aumasson &
 * Bernstein, 2012), small enough to write here from the paper and check
 * against OpenSSL's EVP_MAC "SIPHASH" in the unit test; OpenSSL's own EVP_MAC
 * costs a context and several indirect calls per hash, too much per packet.
 * Output never depends on the key: tables are only ever searched, never
 * walked for output (owners keep an insertion-ordered list beside them).
 *
 * Chained, with the nodes inside the owners' structs (no allocation per
 * entry). Entries with equal keys stay in insertion order within their chain
 * (also across resizes), so "the oldest match" is the first one found. The
 * bucket array doubles above one entry per bucket and halves below one per
 * eight (hysteresis: no resize ping-pong), starting empty: a table that was
 * never used costs nothing. A zeroed struct htab is a valid empty table. */
#ifndef SMBSCOPE_HTAB_H
#define SMBSCOPE_HTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "membudget.h"

#define HTAB_MIN_BUCKETS 8u

struct hkey {
    uint64_t k0, k1;
};

/* a fresh secret key from the kernel (getrandom), for one run */
void hkey_random(struct hkey *k);
/* n secret bytes from the kernel (getrandom), for one run's keys */
void random_bytes(void *p, size_t n);
/* SipHash-2-4 of n bytes under k */
uint64_t siphash24(const struct hkey *k, const void *p, size_t n);
/* the same of one 64-bit value (as 8 little-endian bytes) */
uint64_t siphash24_u64(const struct hkey *k, uint64_t v);

struct hnode {
    struct hnode *next;
    uint64_t hash;
};

struct htab {
    struct hnode **b;
    size_t nb;                 /* buckets: 0 or a power of two */
    size_t n;                  /* entries */
    struct membudget *mb;      /* charged for the bucket array; may be NULL */
};

/* add node with this hash after every entry already there (may resize) */
void htab_insert(struct htab *t, struct hnode *node, uint64_t hash);
/* the first entry whose hash is `hash` (the caller compares keys), then the next ones */
struct hnode *htab_first(const struct htab *t, uint64_t hash);
struct hnode *htab_next(const struct hnode *node);
/* unlink a node that is in the table (may resize) */
void htab_remove(struct htab *t, struct hnode *node);
/* free the bucket array; the nodes belong to their owners */
void htab_free(struct htab *t);

/* the struct holding member `m` at node pointer p */
#define HTAB_ENTRY(p, type, m) ((type *)(void *)((char *)(p) - offsetof(type, m)))

#endif
