/* sensor: what a long-running smbscope does between records besides
 * analyzing: the output's clock (--rotate), SIGHUP's reopen, periodic stats
 * (--stats-interval) and capture losses reported as they happen. The clock
 * is the wall clock when live (an idle or blinded sensor still reports) and
 * the capture's time when reading files (the same input gives the same
 * output). */
#ifndef SMBSCOPE_SENSOR_H
#define SMBSCOPE_SENSOR_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "analyzer.h"
#include "capture.h"
#include "outfile.h"

/* capture losses: the first is told at once, later ones at most this often
 * (summed), on stderr and as an anomaly capture_drops */
#define SENSOR_DROP_REPORT_S 10
/* how often a live capture's counters are read to notice losses */
#define SENSOR_DROP_CHECK_S 1

struct sensor_config {
    uint64_t stats_interval_us;    /* --stats-interval (0: none) */
    const char *iface;             /* -i, for messages; NULL when reading files */
    FILE *msgs;                    /* stderr */
};

struct sensor;

/* of and cap may be NULL (standard output; files); NULL when out of memory */
struct sensor *sensor_new(const struct sensor_config *cfg, struct analyzer *an, struct outfile *of,
                          struct capture *cap);
/* between records: frame_ts_us is the frame about to be analyzed (0: none,
 * the capture was idle); its time is the clock when reading files */
void sensor_tick(struct sensor *s, uint64_t frame_ts_us);
/* SIGHUP: reopen -o (nothing without -o) */
void sensor_reopen(struct sensor *s);
/* end of input: losses not yet told are told, the capture's counters handed
 * to the analyzer for the last stats record */
void sensor_finish(struct sensor *s);
void sensor_free(struct sensor *s);

/* the wall clock, microseconds since the epoch */
uint64_t sensor_wall_us(void);

#endif
