/* analyzer: fans frames through decode -> flow -> app and records out to the sink;
 * counts what the stats record reports. */
#include "analyzer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "extract.h"
#include "files.h"
#include "flow.h"
#include "notices.h"
#include "registry.h"

struct anomaly_count {
    char *name;
    uint64_t n;
};

struct analyzer {
    struct analyzer_config cfg;
    struct sink *sink;
    struct emitter em;
    struct notices *notices;     /* rules over the records (NULL: --no-notices) */
    struct decode_ctx *dec;
    struct flow_table *flows;
    struct file_pool files;
    const struct app_ops *app_ops;
    struct smb_app_ctx app;
    uint16_t ports[ANALYZER_MAX_PORTS + APP_MAX_PORTS];
    size_t nports;
    uint64_t last_ts;
    uint64_t records[EV_SUMMARY + 1];
    struct anomaly_count *anomalies;
    size_t n_anomalies, cap_anomalies;
    bool have_capture_stats;
    uint64_t cap_received, cap_dropped;
};

static void count_anomaly(struct analyzer *an, const char *name)
{
    for (size_t i = 0; i < an->n_anomalies; i++)
        if (strcmp(an->anomalies[i].name, name) == 0) {
            an->anomalies[i].n++;
            return;
        }
    if (an->n_anomalies == an->cap_anomalies) {
        size_t cap = an->cap_anomalies ? an->cap_anomalies * 2 : 16;
        struct anomaly_count *a = realloc(an->anomalies, cap * sizeof *a);
        if (!a)
            abort();
        an->anomalies = a;
        an->cap_anomalies = cap;
    }
    an->anomalies[an->n_anomalies].name = strdup(name);
    if (!an->anomalies[an->n_anomalies].name)
        abort();
    an->anomalies[an->n_anomalies++].n = 1;
}

static void on_record(void *u, const struct event *e)
{
    struct analyzer *an = u;
    an->records[e->type]++;
    if (e->type == EV_ANOMALY) {
        const struct field *f = ev_find(e, NULL, F(anomaly_name));
        if (f && f->kind == F_STR)
            count_anomaly(an, f->v.s);
        /* schema 1: every record but stats belongs to a connection; one that
         * belongs to none (a flow never analyzed) is only counted */
        if (!e->conn)
            return;
    }
    an->sink->ops->write(an->sink, e);
    /* events -> notices -> sinks: a rule that fires writes its notice right
     * after the record that completed it (through on_record, so it is
     * counted and reaches --summary); notices never feed themselves */
    if (an->notices && e->type != EV_NOTICE)
        notices_feed(an->notices, e);
}

struct analyzer *analyzer_new(const struct analyzer_config *cfg, struct sink *sink)
{
    struct analyzer *an = calloc(1, sizeof *an);
    if (!an)
        return NULL;
    an->cfg = *cfg;
    an->sink = sink;
    an->em.emit = on_record;
    an->em.u = an;
    an->files.lim = &an->cfg.lim;
    an->app.lim = &an->cfg.lim;
    an->app.em = &an->em;
    an->app.files = &an->files;
    /* the protocol's own ports, then --port: the flow layer knows none */
    an->app_ops = &smb_app_ops;
    for (size_t i = 0; i < an->app_ops->nports && i < APP_MAX_PORTS; i++)
        an->ports[an->nports++] = an->app_ops->ports[i];
    for (size_t i = 0; i < cfg->nports && i < ANALYZER_MAX_PORTS; i++)
        an->ports[an->nports++] = cfg->ports[i];
    if (!cfg->no_notices) {
        struct notices_config nc = notices_config_default();
        nc.max_entries = cfg->lim.notice_state_max;
        if (cfg->brute_count)
            nc.brute_count = cfg->brute_count;
        if (cfg->brute_window_s)
            nc.brute_window_s = cfg->brute_window_s;
        an->notices = notices_new(&nc, &an->em);
        if (!an->notices) {
            free(an);
            return NULL;
        }
    }
    an->dec = decode_new(&an->cfg.lim);
    struct flow_config fc = {
        .lim = &an->cfg.lim,
        .ports = an->ports,
        .nports = an->nports,
        .app = an->app_ops,
        .app_ctx = &an->app,
        .em = &an->em,
        .uid_salt = an->cfg.sensor,
    };
    an->flows = flow_table_new(&fc);
    if (!an->dec || !an->flows) {
        analyzer_free(an);
        return NULL;
    }
    return an;
}

bool analyzer_extract(struct analyzer *an, const char *dir, char *err, size_t errlen)
{
    if (an->files.ex)
        return true;
    an->files.ex = extractor_open(dir, &an->cfg.lim, &an->em, err, errlen);
    if (an->files.ex)
        extractor_set_sensor(an->files.ex, an->cfg.sensor);
    return an->files.ex != NULL;
}

void analyzer_frame(struct analyzer *an, int dlt, uint64_t ts_us, const uint8_t *frame, size_t caplen,
                    size_t wirelen)
{
    struct pkt p;
    if (ts_us > an->last_ts)
        an->last_ts = ts_us;
    if (decode_packet(an->dec, dlt, ts_us, frame, caplen, wirelen, &p) == DEC_TCP)
        flow_table_packet(an->flows, &p);
}

void analyzer_capture_stats(struct analyzer *an, uint64_t received, uint64_t dropped)
{
    an->have_capture_stats = true;
    an->cap_received = received;
    an->cap_dropped = dropped;
}

static int cmp_anomaly(const void *a, const void *b)
{
    return strcmp(((const struct anomaly_count *)a)->name, ((const struct anomaly_count *)b)->name);
}

static void write_stats(struct analyzer *an)
{
    struct event e;
    ev_init(&e, EV_STATS, an->last_ts, NULL);
    const struct decode_stats *ds = decode_stats(an->dec);
    const struct flow_stats *fs = flow_table_stats(an->flows);
    ev_uint(&e, F(packets), ds->packets);
    ev_uint(&e, F(bytes), ds->bytes);
    ev_uint(&e, F(tcp_segments), ds->tcp);
    ev_uint(&e, F(non_tcp), ds->non_tcp);
    ev_uint(&e, F(bad_packets), ds->bad);
    ev_uint(&e, F(ip_fragments), ds->frags);
    ev_uint(&e, F(ip_datagrams_reassembled), ds->frag_datagrams);
    ev_uint(&e, F(ip_fragment_timeouts), ds->frag_timeouts);
    ev_uint(&e, F(flows), fs->flows);
    ev_uint(&e, F(flows_analyzed), fs->flows_analyzed);
    ev_uint(&e, F(flows_evicted), fs->flows_evicted);
    ev_uint(&e, F(flows_timed_out), fs->flows_timed_out);
    ev_uint(&e, F(reasm_memory_peak), fs->reasm_mem_peak);
    ev_uint(&e, F(file_hold_peak), an->files.held_peak);
    ev_uint(&e, F(file_verify_peak), an->files.kept_peak);
    if (an->files.ex) {
        /* only with --extract: output without it stays as it was */
        const struct extract_counts *xc = extractor_counts(an->files.ex);
        struct fieldset *x = fs_obj(&e, NULL, F(extract));
        fs_uint(&e, x, F(extract_complete), xc->complete);
        fs_uint(&e, x, F(extract_dedup), xc->dedup);
        fs_uint(&e, x, F(extract_partial), xc->partial);
        fs_uint(&e, x, F(bytes), xc->bytes);
        fs_uint(&e, x, F(extract_errors), xc->errors);
    }
    if (an->have_capture_stats) {
        struct fieldset *c = fs_obj(&e, NULL, F(capture));
        fs_uint(&e, c, F(received), an->cap_received);
        fs_uint(&e, c, F(dropped), an->cap_dropped);
    }
    struct fieldset *r = fs_map(&e, NULL, F(records));
    for (int t = 0; t < EV_STATS; t++)
        fs_map_uint(&e, r, ev_type_name((enum ev_type)t), an->records[t]);
    /* anomaly names sorted: the record must not depend on discovery order */
    if (an->n_anomalies)
        qsort(an->anomalies, an->n_anomalies, sizeof *an->anomalies, cmp_anomaly);
    struct fieldset *a = fs_map(&e, NULL, F(anomalies));
    for (size_t i = 0; i < an->n_anomalies; i++)
        fs_map_uint(&e, a, an->anomalies[i].name, an->anomalies[i].n);
    /* the protocol's own counters (SMB1: smb1_commands), through its hook */
    if (an->app_ops->stats)
        an->app_ops->stats(&an->app, &e);
    on_record(an, &e);
    ev_free(&e);
}

void analyzer_finish(struct analyzer *an)
{
    flow_table_close_all(an->flows, an->last_ts);
    write_stats(an);
}

void analyzer_free(struct analyzer *an)
{
    if (!an)
        return;
    if (an->flows)
        flow_table_free(an->flows);
    if (an->dec)
        decode_free(an->dec);
    notices_free(an->notices);
    /* after the flows: their files' streams belong to it */
    extractor_close(an->files.ex);
    for (size_t i = 0; i < an->n_anomalies; i++)
        free(an->anomalies[i].name);
    free(an->anomalies);
    free(an);
}
