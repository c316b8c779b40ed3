/* ipfrag: IP fragment reassembly table. Spec: RFC 791 section 3.2, RFC 8200
 * section 4.5, RFC 815.
 *
 * Coverage is a bitmap of 8-byte blocks: every fragment starts on an 8-byte
 * boundary and every fragment but the last is a multiple of 8 long, so a
 * block is either wholly present or absent (the last one may be short).
 * Overlapping bytes keep what arrived first: the outcome does not depend on
 * the receiver we cannot see, only on capture order, and it is counted. */
#include "ipfrag.h"

#include "htab.h"

#include <stdlib.h>
#include <string.h>

#define BLOCK 8u
#define BLOCKS ((IPFRAG_DATAGRAM_MAX + BLOCK) / BLOCK)
#define KEY_LEN (1 + 1 + 4 + 16 + 16)
#define BUF_FIRST 2048u

struct dgram {
    struct hnode hn;                  /* in the table, by key */
    struct dgram *older, *newer;      /* creation order: expiry and eviction take the oldest */
    uint8_t key[KEY_LEN];
    uint64_t first_us;                /* when its first fragment was seen */
    uint8_t *buf;
    size_t cap;                       /* bytes allocated at buf */
    size_t max_end;                   /* highest fragment end so far */
    size_t total;                     /* payload length, once the last fragment is in */
    bool have_total;
    bool have_proto;
    uint8_t proto;
    size_t nblocks;                   /* bits set in map */
    uint8_t map[(BLOCKS + 7) / 8];
};

struct ipfrag {
    size_t max;
    uint64_t timeout_us;
    size_t mem_max;
    size_t mem;                       /* sum of every datagram's cap */
    size_t count;
    struct htab tab;                  /* datagrams by key (keyed SipHash; empty costs nothing) */
    struct hkey hk;                   /* per-run secret: the sender chooses the keys (htab.h) */
    struct dgram *oldest, *newest;
    struct ipfrag_stats st;
};

struct ipfrag *ipfrag_new(size_t max_datagrams, uint32_t timeout_s, size_t mem_max)
{
    struct ipfrag *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->max = max_datagrams;
    t->timeout_us = (uint64_t)timeout_s * 1000000u;
    t->mem_max = mem_max;
    hkey_random(&t->hk);
    return t;
}

static void key_bytes(const struct ipfrag_key *k, uint8_t out[KEY_LEN])
{
    out[0] = k->ver;
    out[1] = k->proto;
    out[2] = (uint8_t)(k->id >> 24);
    out[3] = (uint8_t)(k->id >> 16);
    out[4] = (uint8_t)(k->id >> 8);
    out[5] = (uint8_t)k->id;
    memcpy(out + 6, k->src, 16);
    memcpy(out + 22, k->dst, 16);
}

static uint64_t key_hash(const struct ipfrag *t, const uint8_t key[KEY_LEN])
{
    /* keyed: fragments of crafted IDs cannot be aimed at one chain */
    return siphash24(&t->hk, key, KEY_LEN);
}

static struct dgram *find(const struct ipfrag *t, const uint8_t key[KEY_LEN])
{
    for (struct hnode *n = htab_first(&t->tab, key_hash(t, key)); n; n = htab_next(n)) {
        struct dgram *g = HTAB_ENTRY(n, struct dgram, hn);
        if (!memcmp(g->key, key, KEY_LEN))
            return g;
    }
    return NULL;
}

static void unlink_free(struct ipfrag *t, struct dgram *g)
{
    htab_remove(&t->tab, &g->hn);
    if (g->older)
        g->older->newer = g->newer;
    else
        t->oldest = g->newer;
    if (g->newer)
        g->newer->older = g->older;
    else
        t->newest = g->older;
    t->mem -= g->cap;
    t->count--;
    free(g->buf);
    free(g);
}

void ipfrag_free(struct ipfrag *t)
{
    if (!t)
        return;
    while (t->oldest)
        unlink_free(t, t->oldest);
    htab_free(&t->tab);
    free(t);
}

void ipfrag_expire(struct ipfrag *t, uint64_t now_us)
{
    /* creation order is capture order; a clock that steps back only delays expiry */
    while (t->oldest && now_us > t->oldest->first_us &&
           now_us - t->oldest->first_us > t->timeout_us) {
        unlink_free(t, t->oldest);
        t->st.timeouts++;
    }
}

static struct dgram *create(struct ipfrag *t, const uint8_t key[KEY_LEN], uint64_t ts_us)
{
    if (t->count >= t->max) {         /* the oldest is the least likely to complete */
        unlink_free(t, t->oldest);
        t->st.dropped++;
    }
    struct dgram *g = calloc(1, sizeof *g);
    if (!g)
        return NULL;
    memcpy(g->key, key, KEY_LEN);
    g->first_us = ts_us;
    htab_insert(&t->tab, &g->hn, key_hash(t, key));
    g->older = t->newest;
    if (t->newest)
        t->newest->newer = g;
    else
        t->oldest = g;
    t->newest = g;
    t->count++;
    return g;
}

/* room for `end` payload bytes in g, evicting older datagrams to stay under mem_max */
static bool reserve(struct ipfrag *t, struct dgram *g, size_t end)
{
    if (end <= g->cap)
        return true;
    size_t cap = g->cap ? g->cap : BUF_FIRST;
    while (cap < end)
        cap *= 2;
    if (cap > IPFRAG_DATAGRAM_MAX)
        cap = IPFRAG_DATAGRAM_MAX;
    size_t grow = cap - g->cap;
    while (t->mem + grow > t->mem_max) {
        struct dgram *victim = t->oldest != g ? t->oldest : g->newer;
        if (!victim)
            break;
        unlink_free(t, victim);
        t->st.dropped++;
    }
    if (t->mem + grow > t->mem_max)
        return false;
    uint8_t *nb = realloc(g->buf, cap);
    if (!nb)
        return false;
    g->buf = nb;
    g->cap = cap;
    t->mem += grow;
    return true;
}

static bool has_block(const struct dgram *g, size_t b) { return g->map[b / 8] >> (b % 8) & 1; }

/* a fragment that contradicts what the datagram already says about its end */
static bool conflicts(const struct dgram *g, const struct ipfrag_piece *p)
{
    size_t end = p->off + p->len;
    if (g->have_total)
        return end > g->total || (!p->more && end != g->total);
    return !p->more && end < g->max_end;
}

enum ipfrag_result ipfrag_add(struct ipfrag *t, const struct ipfrag_key *k, uint64_t ts_us,
                              const struct ipfrag_piece *p, uint8_t *out, size_t out_cap,
                              size_t *out_len, uint8_t *out_proto)
{
    size_t max_len = p->max_len < IPFRAG_DATAGRAM_MAX ? p->max_len : IPFRAG_DATAGRAM_MAX;
    /* RFC 791/8200: offsets count 8-byte units and only the last piece may be ragged */
    if (p->off % BLOCK || (p->more && (p->len == 0 || p->len % BLOCK)))
        return IPFRAG_BAD;
    if (p->off > max_len || p->len > max_len - p->off)
        return IPFRAG_BAD;            /* would overflow the length field ("ping of death") */
    if (t->max == 0) {
        t->st.dropped++;
        return IPFRAG_HELD;
    }
    uint8_t key[KEY_LEN];
    key_bytes(k, key);
    struct dgram *g = find(t, key);
    if (g && conflicts(g, p))
        return IPFRAG_BAD;
    if (!g && !(g = create(t, key, ts_us))) {
        t->st.dropped++;
        return IPFRAG_HELD;
    }
    size_t end = p->off + p->len;
    if (!reserve(t, g, end)) {
        unlink_free(t, g);
        t->st.dropped++;
        return IPFRAG_HELD;
    }
    bool overlap = false;
    for (size_t from = p->off; from < end; from += BLOCK) {
        size_t b = from / BLOCK;
        if (has_block(g, b)) {
            overlap = true;
            continue;
        }
        size_t n = end - from < BLOCK ? end - from : BLOCK;
        memcpy(g->buf + from, p->data + (from - p->off), n);
        g->map[b / 8] |= (uint8_t)(1u << (b % 8));
        g->nblocks++;
    }
    if (overlap)
        t->st.overlaps++;
    if (end > g->max_end)
        g->max_end = end;
    if (!p->more) {
        g->have_total = true;
        g->total = end;
    }
    if (p->off == 0 && !g->have_proto) {
        g->have_proto = true;
        g->proto = p->proto;
    }
    if (!g->have_total || !g->have_proto || g->nblocks != (g->total + BLOCK - 1) / BLOCK)
        return IPFRAG_HELD;
    if (g->total > out_cap) {         /* the caller's buffer is too small: a caller bug, not input */
        unlink_free(t, g);
        t->st.dropped++;
        return IPFRAG_HELD;
    }
    if (g->total)
        memcpy(out, g->buf, g->total);
    *out_len = g->total;
    *out_proto = g->proto;
    unlink_free(t, g);
    t->st.datagrams++;
    return IPFRAG_DONE;
}

const struct ipfrag_stats *ipfrag_stats(const struct ipfrag *t) { return &t->st; }
size_t ipfrag_pending(const struct ipfrag *t) { return t->count; }
size_t ipfrag_mem(const struct ipfrag *t) { return t->mem; }
