/* notices: rules over the records (never the bytes) that name what defenders
 * hunt: SMB1 in use, admin shares, clear-text passwords, logon brute force,
 * anonymous enumeration, remote service and task creation, the MS17-010
 * exploit shapes and the DoublePulsar implant. Each rule's exact condition
 * is in README "Notices". The module sees every record the run writes (the
 * analyzer feeds it after the sink) and writes `notice` records right after
 * the record that completed a rule. Its state is bounded: every table holds
 * at most `max_entries` entries, the least recently used evicted first. */
#ifndef SMBSCOPE_NOTICES_H
#define SMBSCOPE_NOTICES_H

#include <stddef.h>
#include <stdint.h>

#include "event.h"

#define NOTICES_MAX_EVIDENCE 16        /* evidence references listed per notice; the rest are counted */
#define NOTICES_BRUTE_COUNT_MAX 256    /* largest --brute-force-count (the per-client ring holds that many) */

struct notices_config {
    unsigned brute_count;      /* --brute-force-count: failed logons from one client... (10) */
    uint32_t brute_window_s;   /* --brute-force-window: ...within this many seconds (60) */
    size_t max_entries;        /* --max-notice-state: entries per notice table (10000) */
};

static inline struct notices_config notices_config_default(void)
{
    struct notices_config c = {.brute_count = 10, .brute_window_s = 60, .max_entries = 10000};
    return c;
}

struct notices;

/* out: where notice records go (the analyzer's emitter); NULL when out of memory */
struct notices *notices_new(const struct notices_config *cfg, const struct emitter *out);
void notices_free(struct notices *n);
/* every record the run writes, in order (notice records are ignored) */
void notices_feed(struct notices *n, const struct event *e);

#endif
