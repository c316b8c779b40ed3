/* sensor: rotation clock, SIGHUP, interval stats, drop reports; see sensor.h. */
#include "sensor.h"

#include <inttypes.h>
#include <stdlib.h>
#include <time.h>

#define US 1000000u

struct sensor {
    struct sensor_config cfg;
    struct analyzer *an;
    struct outfile *of;
    struct capture *cap;
    uint64_t started_us;           /* the first clock value */
    uint64_t next_stats_us;        /* the next multiple of --stats-interval (0: not started) */
    uint64_t last_stats_us;        /* the last interval record, or the start */
    uint64_t next_check_us;        /* live: when the capture's counters are read next */
    struct capture_stats told;     /* the counters at the last drop report */
    uint64_t told_us;              /* its time (0: never reported) */
    struct capture_stats seen;     /* the counters at the last read */
};

uint64_t sensor_wall_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * US + (uint64_t)ts.tv_nsec / 1000u;
}

struct sensor *sensor_new(const struct sensor_config *cfg, struct analyzer *an, struct outfile *of,
                          struct capture *cap)
{
    struct sensor *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->cfg = *cfg;
    s->an = an;
    s->of = of;
    s->cap = cap;
    return s;
}

/* losses since the last report: an anomaly and one line on stderr */
static void tell_drops(struct sensor *s, uint64_t now_us)
{
    uint64_t dropped = s->seen.dropped - s->told.dropped, if_dropped = s->seen.if_dropped - s->told.if_dropped;
    if (!dropped && !if_dropped)
        return;
    uint64_t received = s->seen.received - s->told.received;
    uint64_t since = s->told_us ? s->told_us : s->started_us;
    if (s->cfg.msgs)
        fprintf(s->cfg.msgs,
                "smbscope: %s: the capture lost %" PRIu64 " packets in %" PRIu64 " s (%" PRIu64
                " for a full buffer: a slow reader or a small --buffer-size; %" PRIu64 " at the interface) of %" PRIu64
                " received\n",
                s->cfg.iface ? s->cfg.iface : "capture", dropped + if_dropped, (now_us - since + US / 2) / US, dropped,
                if_dropped, received);
    analyzer_capture_drops(s->an, now_us, since, received, dropped, if_dropped);
    s->told = s->seen;
    s->told_us = now_us;
}

/* live: read the counters (every SENSOR_DROP_CHECK_S, or now when
 * refresh); report losses at once the first time, then at most every
 * SENSOR_DROP_REPORT_S, and at the end (last) whatever is left */
static void check_drops(struct sensor *s, uint64_t now_us, bool refresh, bool last)
{
    if (!s->cap || (!refresh && !last && now_us < s->next_check_us))
        return;
    s->next_check_us = now_us + SENSOR_DROP_CHECK_S * US;
    struct capture_stats cs;
    if (!capture_stats(s->cap, &cs))
        return;
    s->seen = cs;
    analyzer_capture_stats(s->an, cs.received, cs.dropped, cs.if_dropped);
    if (last || !s->told_us || now_us >= s->told_us + SENSOR_DROP_REPORT_S * US)
        tell_drops(s, now_us);
}

void sensor_tick(struct sensor *s, uint64_t frame_ts_us)
{
    uint64_t now = s->cap ? sensor_wall_us() : frame_ts_us;
    if (!now)
        return;
    if (!s->started_us)
        s->started_us = s->last_stats_us = now;
    if (s->of)
        outfile_clock(s->of, now);
    check_drops(s, now, false, false);
    uint64_t iv = s->cfg.stats_interval_us;
    if (!iv)
        return;
    if (!s->next_stats_us) {
        s->next_stats_us = (now / iv + 1) * iv;
        return;
    }
    if (now < s->next_stats_us)
        return;
    /* a long silence in a file gives one record, not one per interval */
    s->next_stats_us = (now / iv + 1) * iv;
    check_drops(s, now, true, false); /* the record counts the capture up to now */
    analyzer_stats_interval(s->an, s->last_stats_us, now);
    s->last_stats_us = now;
}

void sensor_reopen(struct sensor *s)
{
    if (s->of)
        outfile_reopen(s->of);
}

void sensor_finish(struct sensor *s)
{
    if (s->cap)
        check_drops(s, sensor_wall_us(), true, true);
}

void sensor_free(struct sensor *s) { free(s); }
