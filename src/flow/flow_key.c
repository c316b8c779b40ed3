/* flow_key: canonical 5-tuple, equality, hash, address text. */
#include <arpa/inet.h>
#include <string.h>

#include "flow_key.h"

void flow_key_from_pkt(const struct pkt *p, struct flow_key *k, int *src_ep)
{
    memset(k, 0, sizeof *k);   /* padding too: keys are compared with memcmp */
    size_t alen = p->ipver == 6 ? 16 : 4;
    int c = memcmp(p->src, p->dst, alen);
    bool src_first = c < 0 || (c == 0 && p->sport <= p->dport);
    int s = src_first ? 0 : 1;
    memcpy(k->addr[s], p->src, alen);
    memcpy(k->addr[s ^ 1], p->dst, alen);
    k->port[s] = p->sport;
    k->port[s ^ 1] = p->dport;
    k->ipver = p->ipver;
    *src_ep = s;
}

bool flow_key_eq(const struct flow_key *a, const struct flow_key *b)
{
    return memcmp(a, b, sizeof *a) == 0;
}

void flow_key_ip_text(const struct flow_key *k, int ep, char *out, size_t outsz)
{
    /* IPv4 written here: glibc's inet_ntop goes through sprintf per octet,
     * ~3,500 instructions per address, twice for every new connection */
    if (k->ipver != 6 && outsz >= INET_ADDRSTRLEN) {
        char *o = out;
        for (int i = 0; i < 4; i++) {
            unsigned v = k->addr[ep][i];
            if (v >= 100)
                *o++ = (char)('0' + v / 100);
            if (v >= 10)
                *o++ = (char)('0' + v / 10 % 10);
            *o++ = (char)('0' + v % 10);
            *o++ = i < 3 ? '.' : '\0';
        }
        return;
    }
    if (!inet_ntop(k->ipver == 6 ? AF_INET6 : AF_INET, k->addr[ep], out, (socklen_t)outsz) && outsz)
        out[0] = '\0';
}
