/* flow: TCP flow table (canonical 5-tuple), client/server orientation,
 * per-direction reassembly (reasm.c), timeouts and eviction. It drives the
 * app (app.h) and writes one `conn` record per connection when it ends. */
#ifndef SMBSCOPE_FLOW_H
#define SMBSCOPE_FLOW_H

#include <openssl/evp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app.h"
#include "decode.h"
#include "event.h"
#include "limits.h"

struct flow_stats {
    uint64_t flows, flows_analyzed, flows_evicted, flows_timed_out;
    uint64_t reasm_mem_peak;       /* bytes held above holes at the peak */
};

struct flow_table;
struct membudget;

struct flow_config {
    const struct limits *lim;
    const uint16_t *ports;         /* ports analyzed without probing (the app's ports and --port ...) */
    size_t nports;
    const struct app_ops *app;
    void *app_ctx;                 /* passed to app->open */
    const struct emitter *em;      /* conn and anomaly records */
    const char *uid_salt;          /* mixed into conn uids (--sensor NAME), or NULL; not owned */
    struct membudget *mb;          /* the run's state budget: charged, and enforced by evicting (or NULL) */
    /* the run's digest handles (conn uids: SHA-256, community ids: SHA-1),
     * fetched once by the owner; NULL: OpenSSL's built-in ones. Not owned */
    const EVP_MD *sha1, *sha256;
};

struct flow_table *flow_table_new(const struct flow_config *cfg);
/* one decoded TCP segment; also runs timeouts using p->ts_us as the clock */
void flow_table_packet(struct flow_table *t, const struct pkt *p);
/* the time of a TCP segment the table does not see (--shard: another
 * shard's): timeouts and graces fire as if it had been seen, so a shard's
 * records are the unsharded run's, times included */
void flow_table_clock(struct flow_table *t, uint64_t ts_us);
/* end of input (or signal): close every flow, oldest first */
void flow_table_close_all(struct flow_table *t, uint64_t now_us);
void flow_table_free(struct flow_table *t);
const struct flow_stats *flow_table_stats(const struct flow_table *t);

#endif
