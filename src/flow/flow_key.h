/* flow_key: the canonical TCP 5-tuple (both directions map to one key) and
 * its hash. Endpoint 0 is the smaller (address, port), the order Community ID
 * uses too. */
#ifndef SMBSCOPE_FLOW_KEY_H
#define SMBSCOPE_FLOW_KEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode.h"

struct flow_key {
    uint8_t addr[2][16];   /* IPv4 uses the first 4 bytes, rest zero */
    uint16_t port[2];
    uint8_t ipver;
};

/* *src_ep: which endpoint (0 or 1) sent p */
void flow_key_from_pkt(const struct pkt *p, struct flow_key *k, int *src_ep);
bool flow_key_eq(const struct flow_key *a, const struct flow_key *b);
/* endpoint address as text (inet_ntop) */
void flow_key_ip_text(const struct flow_key *k, int ep, char *out, size_t outsz);

#endif
