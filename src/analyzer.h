/* analyzer: one run's whole state, passed explicitly (no globals): decoder,
 * flow table, SMB context, file pool, the sink, and the run's counters. */
#ifndef SMBSCOPE_ANALYZER_H
#define SMBSCOPE_ANALYZER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "limits.h"
#include "sink.h"

#define ANALYZER_MAX_PORTS 32

struct analyzer_config {
    struct limits lim;
    uint16_t ports[ANALYZER_MAX_PORTS];   /* analyzed without probing; 139 and 445 always */
    size_t nports;
    const char *sensor;                   /* --sensor NAME (not owned), or NULL */
    bool no_notices;                      /* --no-notices: no notice rules run */
    unsigned brute_count;                 /* --brute-force-count (0: the default) */
    uint32_t brute_window_s;              /* --brute-force-window (0: the default) */
    uint32_t shard_k, shard_n;            /* --shard K/N: only flows of shard K (shard.h); n == 0: all */
    unsigned hash_threads;                /* --threads: SHA-256 threads besides the parsing thread (0: none) */
};

/* --threads: the default (one hashing thread beside the parser: two cores
 * busy) and the most (files are spread over them; each has its ring) */
#define ANALYZER_HASH_THREADS_DEFAULT 1u
#define ANALYZER_HASH_THREADS_MAX 8u

struct analyzer;

struct analyzer *analyzer_new(const struct analyzer_config *cfg, struct sink *sink);
/* --extract DIR: write every file's content under dir (extract.h); the
 * analyzer owns the extractor. Call before the first frame. False with a
 * message in err when dir cannot be used. */
bool analyzer_extract(struct analyzer *an, const char *dir, char *err, size_t errlen);
/* one captured frame of link type dlt */
void analyzer_frame(struct analyzer *an, int dlt, uint64_t ts_us, const uint8_t *frame, size_t caplen,
                    size_t wirelen);
/* the run was stopped before the end of its input (SIGINT/SIGTERM while
 * reading a file): the stats record says `interrupted: true` */
void analyzer_interrupted(struct analyzer *an);
/* live capture counters since the capture opened, reported in stats */
void analyzer_capture_stats(struct analyzer *an, uint64_t received, uint64_t dropped, uint64_t if_dropped);
/* --stats-interval: a stats record with interval=true whose counters are
 * those since the last interval record (or the start), stamped now_us, its
 * `since` since_us (the last one's time, or the start) */
void analyzer_stats_interval(struct analyzer *an, uint64_t since_us, uint64_t now_us);
/* the capture lost packets between since_us and now_us: an anomaly
 * capture_drops (a run-level record, without a connection) */
void analyzer_capture_drops(struct analyzer *an, uint64_t now_us, uint64_t since_us, uint64_t received,
                            uint64_t dropped, uint64_t if_dropped);
/* end of input: close every connection, then write the stats record */
void analyzer_finish(struct analyzer *an);
void analyzer_free(struct analyzer *an);

#endif
