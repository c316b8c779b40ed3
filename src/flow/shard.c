/* shard: the flow's shard from its endpoints; see shard.h. Not keyed: an
 * attacker who picks ports can load one shard, never hide a flow from all. */
#include "shard.h"

#include <string.h>

#include "flow_key.h"

static uint64_t fnv1a(uint64_t h, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

uint64_t shard_hash(const struct pkt *p)
{
    struct flow_key k;
    int src_ep;
    flow_key_from_pkt(p, &k, &src_ep); /* endpoint 0 is the smaller (address, port) */
    uint64_t h = fnv1a(0xcbf29ce484222325ull, &k.ipver, 1);
    for (int ep = 0; ep < 2; ep++) {
        uint8_t port[2] = {(uint8_t)(k.port[ep] >> 8), (uint8_t)k.port[ep]};
        h = fnv1a(h, k.addr[ep], sizeof k.addr[ep]);
        h = fnv1a(h, port, sizeof port);
    }
    /* FNV's low bits mix poorly for small moduli: finish with splitmix64's */
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ull;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebull;
    h ^= h >> 31;
    return h;
}
