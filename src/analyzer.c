/* analyzer: fans frames through decode -> flow -> app and records out to the sink;
 * counts what the stats record reports. */
#include "analyzer.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anomaly_budget.h"
#include "decode.h"
#include "extract.h"
#include "fchunks.h"
#include "files.h"
#include "flow.h"
#include "hashq.h"
#include "htab.h"
#include "membudget.h"
#include "notices.h"
#include "registry.h"
#include "shard.h"

/* --stats-interval: a counter's value at the last interval record, by its
 * path in the stats record ("packets", "records.smb", "capture.dropped") */
struct stat_mark {
    char *path;
    uint64_t v;
};

struct analyzer {
    struct analyzer_config cfg;
    struct sink *sink;
    struct emitter em;
    struct notices *notices;     /* rules over the records (NULL: --no-notices) */
    struct decode_ctx *dec;
    struct flow_table *flows;
    struct file_pool files;
    struct hashq *hq[ANALYZER_HASH_THREADS_MAX]; /* files.hq */
    /* fetched once for the run (flows' conn and community ids, files' hashes):
     * OpenSSL 3 looks an algorithm up again (locks, a property query) for
     * every digest given its built-in handle; NULL (not found): just that */
    EVP_MD *sha1, *sha256;
    uint8_t chunk_secret[FCHUNK_SECRET];         /* files.chunk_secret */
    const struct app_ops *app_ops;
    struct smb_app_ctx app;
    struct membudget mb;       /* all analysis state (--max-state-memory); every stage charges it */
    uint16_t ports[ANALYZER_MAX_PORTS + APP_MAX_PORTS];
    size_t nports;
    uint64_t last_ts;
    uint64_t records[EV_SUMMARY + 1];    /* records written, per type */
    struct anomaly_budget *anomalies;    /* per-name totals, per-connection caps */
    bool have_capture_stats;
    uint64_t cap_received, cap_dropped, cap_if_dropped;
    bool interrupted;
    struct stat_mark *marks;
    size_t n_marks, cap_marks;
    uint64_t interval_since;              /* the interval record being written: its start */
};

static void write_record(struct analyzer *an, const struct event *e)
{
    if (an->sink->write_error)
        return; /* the run is stopping (main.c): formatting more is wasted */
    an->records[e->type]++;
    an->sink->ops->write(an->sink, e);
}

struct suppressed_ctx {
    struct event *e;
    struct fieldset *counts;
};

static void add_suppressed(void *u, const char *name, uint64_t n)
{
    struct suppressed_ctx *x = u;
    fs_map_uint(x->e, x->counts, name, n);
}

/* before a connection's last record, at its time (the conn record is
 * stamped at the close): the anomaly records it did not write */
static void write_suppressed(struct analyzer *an, const struct event *conn_rec)
{
    struct event e;
    ev_init(&e, EV_SUPPRESSED, conn_rec->ts_us, conn_rec->conn);
    ev_uint(&e, F(limit), an->cfg.lim.anomalies_per_conn);
    struct suppressed_ctx x = {&e, fs_map(&e, NULL, F(counts))};
    if (abudget_conn_end(an->anomalies, conn_rec->conn->num, add_suppressed, &x))
        write_record(an, &e);
    ev_free(&e);
}

static void on_record(void *u, const struct event *e)
{
    struct analyzer *an = u;
    if (e->type == EV_ANOMALY) {
        const struct field *f = ev_find(e, NULL, F(anomaly_name));
        /* every anomaly belongs to a connection but the run-level ones the
         * registry declares (capture_drops, which the sensor already
         * rate-limits): they are always written. One of a flow never
         * analyzed is only counted, as are those past the connection's
         * budget */
        bool run_level = !e->conn && ev_conn_absent_ok(e);
        if (!abudget_admit(an->anomalies, e->conn ? e->conn->num : 0, f && f->kind == F_STR ? f->v.s : "?") &&
            !run_level)
            return;
    }
    if (e->type == EV_CONN)
        write_suppressed(an, e);
    write_record(an, e);
    /* events -> notices -> sinks: a rule that fires writes its notice right
     * after the record that completed it (through on_record, so it is
     * counted and reaches --summary); notices never feed themselves */
    if (an->notices && e->type != EV_NOTICE)
        notices_feed(an->notices, e);
}

static void on_forget(void *u, const struct conn_ref *conn)
{
    struct analyzer *an = u;
    abudget_forget(an->anomalies, conn->num);
}

struct analyzer *analyzer_new(const struct analyzer_config *cfg, struct sink *sink)
{
    struct analyzer *an = calloc(1, sizeof *an);
    if (!an)
        return NULL;
    an->cfg = *cfg;
    an->sink = sink;
    an->em.emit = on_record;
    an->em.forget = on_forget;
    an->em.u = an;
    an->mb.limit = an->cfg.lim.state_memory;
    an->anomalies = abudget_new(cfg->lim.anomalies_per_conn);
    an->files.lim = &an->cfg.lim;
    an->files.mb = &an->mb;
    /* chunk digests are keyed so a peer cannot make a re-send match (fchunks.h) */
    random_bytes(an->chunk_secret, sizeof an->chunk_secret);
    an->files.chunk_secret = an->chunk_secret;
    for (unsigned i = 0; i < cfg->hash_threads && i < ANALYZER_HASH_THREADS_MAX; i++) {
        an->hq[i] = hashq_new();
        if (!an->hq[i]) {
            /* the output is the same either way, only slower */
            fprintf(stderr, "smbscope: --threads: cannot start hashing thread %u (%s): hashing on fewer threads\n",
                    i + 1, strerror(errno));
            break;
        }
        an->files.n_hq++;
    }
    an->files.hq = an->hq;
    an->sha1 = EVP_MD_fetch(NULL, "SHA1", NULL);
    an->sha256 = EVP_MD_fetch(NULL, "SHA2-256", NULL);
    an->files.sha256 = an->sha256;
    /* a file record may leave its hash to a sink that finishes it on its own
     * thread (--extract turns this off: the sidecar needs the hash first) */
    an->files.defer_sha256 = sink->takes_pending && an->files.n_hq > 0;
    an->app.lim = &an->cfg.lim;
    an->app.mb = &an->mb;
    /* sessions, trees, opens and pending requests are found by values the
     * peers choose: one secret hash key per run (htab.h) */
    hkey_random(&an->app.hkey);
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
            analyzer_free(an); /* the anomaly budget is already held */
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
        .sha1 = an->sha1,
        .sha256 = an->sha256,
        .mb = &an->mb,
    };
    an->flows = flow_table_new(&fc);
    if (!an->dec || !an->flows || !an->anomalies) {
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
    an->files.defer_sha256 = false; /* extraction writes the hash with the file (extract.h) */
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

    if (decode_packet(an->dec, dlt, ts_us, frame, caplen, wirelen, &p) != DEC_TCP)
        return;
    /* --shard: after IP reassembly, so a datagram's fragments decide together;
     * another shard's segment still moves the flows' clock (timeouts) */
    if (shard_keep(&p, an->cfg.shard_k, an->cfg.shard_n))
        flow_table_packet(an->flows, &p);
    else if (p.ipver == 4 || p.ipver == 6)
        flow_table_clock(an->flows, p.ts_us);
}

void analyzer_capture_stats(struct analyzer *an, uint64_t received, uint64_t dropped, uint64_t if_dropped)
{
    an->have_capture_stats = true;
    an->cap_received = received;
    an->cap_dropped = dropped;
    an->cap_if_dropped = if_dropped;
}

void analyzer_capture_drops(struct analyzer *an, uint64_t now_us, uint64_t since_us, uint64_t received,
                            uint64_t dropped, uint64_t if_dropped)
{
    struct event e;
    ev_init(&e, EV_ANOMALY, now_us, NULL);
    ev_str(&e, F(anomaly_name), "capture_drops");
    char detail[160];
    snprintf(detail, sizeof detail, "the capture lost %llu packets (%llu for a full buffer, %llu at the interface) "
             "of %llu received",
             (unsigned long long)(dropped + if_dropped), (unsigned long long)dropped,
             (unsigned long long)if_dropped, (unsigned long long)received);
    ev_str(&e, F(detail), detail);
    ev_ts(&e, F(since), since_us);
    ev_uint(&e, F(received), received);
    ev_uint(&e, F(dropped), dropped);
    ev_uint(&e, F(if_dropped), if_dropped);
    on_record(an, &e);
    ev_free(&e);
}

struct totals_ctx {
    struct event *e;
    struct fieldset *seen, *suppressed;
};

static void add_total(void *u, const char *name, uint64_t seen, uint64_t suppressed)
{
    struct totals_ctx *x = u;
    fs_map_uint(x->e, x->seen, name, seen);
    if (suppressed && x->suppressed)
        fs_map_uint(x->e, x->suppressed, name, suppressed);
}

static struct stat_mark *mark_of(struct analyzer *an, const char *path)
{
    for (size_t i = 0; i < an->n_marks; i++)
        if (strcmp(an->marks[i].path, path) == 0)
            return &an->marks[i];
    if (an->n_marks == an->cap_marks) {
        size_t cap = an->cap_marks ? an->cap_marks * 2 : 64;
        struct stat_mark *m = realloc(an->marks, cap * sizeof *m);
        if (!m)
            abort();
        an->marks = m;
        an->cap_marks = cap;
    }
    struct stat_mark *m = &an->marks[an->n_marks++];
    m->path = strdup(path);
    if (!m->path)
        abort();
    m->v = 0;
    return m;
}

/* turn the run's counters in fs into those since the last interval record;
 * peaks stay the run's (a peak has no difference) */
static void to_interval(struct analyzer *an, struct fieldset *fs, const char *prefix)
{
    for (size_t i = 0; i < fs->n; i++) {
        struct field *f = &fs->f[i];
        char path[160];
        snprintf(path, sizeof path, "%s%s%s", prefix, *prefix ? "." : "", f->name);
        if (f->kind == F_OBJ) {
            to_interval(an, f->v.obj, path);
        } else if (f->kind == F_UINT) {
            size_t nl = strlen(f->name);
            if (nl >= 5 && strcmp(f->name + nl - 5, "_peak") == 0)
                continue;
            struct stat_mark *m = mark_of(an, path);
            uint64_t now = f->v.u;
            f->v.u = now >= m->v ? now - m->v : now; /* never below zero, whatever a counter did */
            m->v = now;
        }
    }
}

static void write_stats(struct analyzer *an, uint64_t ts_us, bool interval)
{
    struct event e;
    ev_init(&e, EV_STATS, ts_us, NULL);
    if (interval) {
        ev_bool(&e, F(interval), true);
        ev_ts(&e, F(since), an->interval_since);
    }
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
        fs_uint(&e, c, F(if_dropped), an->cap_if_dropped);
    }
    if (an->interrupted)
        ev_bool(&e, F(interrupted), true); /* only when true: a full run's record is unchanged */
    struct fieldset *r = fs_map(&e, NULL, F(records));
    for (int t = 0; t < EV_STATS; t++)
        if (t != EV_SUPPRESSED || an->records[t])
            fs_map_uint(&e, r, ev_type_name((enum ev_type)t), an->records[t]);
    /* names in order: the record must not depend on discovery order. Every
     * occurrence counts in `anomalies`; `anomalies_suppressed` (only when
     * some were) counts those the per-connection bound kept from the output */
    struct totals_ctx tc = {&e, fs_map(&e, NULL, F(anomalies)), NULL};
    if (abudget_suppressed_total(an->anomalies))
        tc.suppressed = fs_map(&e, NULL, F(anomalies_suppressed));
    abudget_totals(an->anomalies, add_total, &tc);
    /* the protocol's own counters (SMB1: smb1_commands), through its hook */
    if (an->app_ops->stats)
        an->app_ops->stats(&an->app, &e);
    if (interval)
        to_interval(an, &e.top, "");
    write_record(an, &e);
    ev_free(&e);
}

void analyzer_interrupted(struct analyzer *an) { an->interrupted = true; }

void analyzer_stats_interval(struct analyzer *an, uint64_t since_us, uint64_t now_us)
{
    an->interval_since = since_us;
    write_stats(an, now_us, true);
}

void analyzer_finish(struct analyzer *an)
{
    flow_table_close_all(an->flows, an->last_ts);
    write_stats(an, an->last_ts, false);
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
    /* records still held by the sink may wait for the hashing threads */
    if (an->sink->ops->drain)
        an->sink->ops->drain(an->sink);
    /* after the flows and the sink: their files waited for their hashes */
    for (unsigned i = 0; i < an->files.n_hq; i++)
        hashq_free(an->hq[i]);
    EVP_MD_free(an->sha1);
    EVP_MD_free(an->sha256);
    abudget_free(an->anomalies);
    for (size_t i = 0; i < an->n_marks; i++)
        free(an->marks[i].path);
    free(an->marks);
    free(an);
}
