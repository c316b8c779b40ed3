/* shard: --shard K/N, split the flows among N processes or hosts with no
 * coordination. A flow's shard is a hash of its two endpoints taken in a
 * fixed order (so both directions agree) with no per-run key (so every
 * process and host agrees): FNV-1a 64 over ipver, then the smaller (address,
 * port) and the larger (16 address bytes, IPv4 in the first 4 and zeros;
 * port big-endian), through the splitmix64 finalizer, modulo N. */
#ifndef SMBSCOPE_SHARD_H
#define SMBSCOPE_SHARD_H

#include <stdbool.h>
#include <stdint.h>

#include "decode.h"

/* the flow's hash (before the modulo) */
uint64_t shard_hash(const struct pkt *p);
/* n == 0 means no sharding: every flow is kept */
static inline bool shard_keep(const struct pkt *p, uint32_t k, uint32_t n)
{
    return n == 0 || shard_hash(p) % n == k;
}

#endif
