/* smbscope: wiring only: options.c parses the command line; this opens the
 * inputs and the output, runs the frames through the analyzer and exits with
 * the status README "Usage" gives. */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analyzer.h"
#include "capture.h"
#include "decode.h"
#include "extract.h"
#include "inputs.h"
#include "options.h"
#include "outfile.h"
#include "privdrop.h"
#include "registry.h"
#include "sensor.h"
#include "sink.h"

/* The process-wide state: a signal handler can reach nothing else, and only
 * main() reads it. The stop handler only asks the capture loop to stop (the
 * signal number, 0 until then); everything is then written by the normal
 * end-of-input path, so every line is complete. SIGHUP has its own flag, so a
 * reopen never reads as a stop nor a stop as a reopen. */
static volatile sig_atomic_t stop_requested;
static struct capture *volatile live_capture;
/* --- sensor: SIGHUP only sets this; the main loop reopens -o between records --- */
static volatile sig_atomic_t reopen_requested;

static void on_sighup(int sig)
{
    (void)sig;
    reopen_requested = 1;
}
/* --- end sensor --- */

static void on_signal(int sig)
{
    stop_requested = sig;
    if (live_capture)
        capture_breakloop(live_capture);
}

/* SIGINT and SIGTERM stop the run cleanly. SA_RESTART: a write blocked on a
 * slow reader (a pipe into a pager) or a read of a pipe is resumed, not cut
 * short with EINTR, which would leave a line half written; the loop sees the
 * flag after the frame at hand. poll() is never restarted, so a live wait
 * still wakes at once. */
static void catch_stop_signals(void)
{
    struct sigaction sa = {.sa_handler = on_signal, .sa_flags = SA_RESTART};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

/* -o must never name an input: opening it for writing would truncate the
 * evidence before a byte of it was read. The same file is the same device and
 * inode, whatever path (symlink, hard link, ./x) leads to it; `-r -` reads
 * standard input, which may be that file too (`< evidence.pcap`), and a
 * directory's files are inputs too. A missing output cannot collide. */
static bool output_is_input(const char *out_path, const struct inputs *in)
{
    struct stat so;
    return out_path && stat(out_path, &so) == 0 && inputs_has_file(in, so.st_dev, so.st_ino);
}

/* what -r read, for a message: the one input, or how many */
static const char *input_name(const struct run_opts *o, char *buf, size_t cap)
{
    if (o->nreads != 1)
        snprintf(buf, cap, "%zu inputs", o->nreads);
    else
        snprintf(buf, cap, "%s", strcmp(o->reads[0], "-") ? o->reads[0] : "standard input");
    return buf;
}

/* a record could not be written (the sink's stream, or a file rotation or
 * SIGHUP closed with lines still buffered): the run stops at once, as
 * analyzing on would only produce what nobody can see */
static bool output_failed(const struct sink *sink, const struct outfile *of)
{
    return sink->write_error || outfile_error(of, NULL) != 0;
}

int main(int argc, char **argv)
{
    const char *reads[argc > 0 ? argc : 1];
    struct run_opts o = {.reads = reads, .max_open_inputs = INPUTS_MAX_OPEN_DEFAULT, .live.fanout_group = -1};
    struct analyzer_config cfg = {.lim = limits_default(), .hash_threads = ANALYZER_HASH_THREADS_DEFAULT};
    int rc = options_parse(argc, argv, &o, &cfg);
    if (rc >= 0)
        return rc;

    char err[512] = "";
    struct capture *cap = NULL;
    /* many inputs (files, directories, compressed) read as one capture: inputs.h */
    struct inputs *ins = o.nreads ? inputs_new((size_t)o.max_open_inputs, stderr) : NULL;
    if (o.nreads) {
        for (size_t i = 0; ins && i < o.nreads; i++)
            if (!inputs_add(ins, o.reads[i]))
                rc = EXIT_USAGE;
        if (ins && rc < 0 && output_is_input(o.out_path, ins)) {
            fprintf(stderr, "smbscope: -o %s is an input file: refusing to overwrite the input\n", o.out_path);
            rc = EXIT_USAGE;
        }
        if (ins && rc < 0 && (rc = inputs_start(ins, o.filter)) == 0)
            rc = -1;
        if (!ins || rc >= 0) {
            if (!ins)
                fprintf(stderr, "smbscope: out of memory\n");
            inputs_free(ins);
            return !ins ? EXIT_INPUT : rc == 2 ? EXIT_USAGE : rc;
        }
    } else if (!(cap = capture_open_live(o.iface, &o.live, err, sizeof err))) {
        fprintf(stderr, "smbscope: %s\n", err);
        return EXIT_INPUT;
    }
    char live_default[ANALYZER_MAX_PORTS * 24 + 64];
    live_filter(&cfg, live_default, sizeof live_default);
    const char *filter = o.filter ? o.filter : (o.iface ? live_default : NULL);
    if (cap && filter && !capture_set_filter(cap, filter)) {
        fprintf(stderr, "smbscope: filter '%s': %s\n", filter, capture_error(cap));
        capture_close(cap);
        return EXIT_USAGE;
    }
    if (cap && !decode_linktype_supported(capture_linktype(cap))) {
        fprintf(stderr, "smbscope: unsupported link type %d (supported: Ethernet, Linux cooked SLL/SLL2, "
                "raw IP, BSD loopback)\n", capture_linktype(cap));
        capture_close(cap);
        inputs_free(ins);
        return EXIT_INPUT;
    }

    FILE *out = stdout;
    struct outfile *of = NULL; /* -o, reopened and rotated between records (outfile.h) */
    if (o.out_path) {
        struct outfile_config oc = {o.out_path, o.rotate_s * 1000000u, o.rotate_bytes, stderr};
        if (!(of = outfile_open(&oc, sensor_wall_us(), err, sizeof err))) {
            fprintf(stderr, "smbscope: %s\n", err);
            capture_close(cap);
            inputs_free(ins);
            return EXIT_INPUT;
        }
        out = outfile_record(of);
    }
    /* live records must reach a pipe or file as they happen */
    bool flush_each = o.iface && !isatty(fileno(out));
    struct sink *sink = o.json ? sink_json_new(out, flush_each) : sink_text_new(out, flush_each);
    if (sink) {
        sink->sensor = cfg.sensor;
        sink->of = of;
    }
    /* with helper threads, JSON read from files is written by a thread of
     * its own (owriter.h): the parsing thread makes no write calls and
     * leaves file hashes to it; the bytes are the same. Live records must
     * show as they happen (on a terminal too), so live writes on the spot;
     * the sink itself refuses (EINVAL) text, a rotating -o and flush_each */
    if (sink && !o.iface && cfg.hash_threads > 0 && !sink_json_background(sink) && errno != EINVAL)
        fprintf(stderr, "smbscope: --threads: cannot start the output thread (%s): writing on the parsing thread\n",
                strerror(errno));
    if (sink && o.summary) {
        struct sink *sum = sink_summary_new(sink, !o.summary_only, cfg.lim.summary_max);
        if (!sum)
            sink->ops->close(sink);
        sink = sum;
    }
    struct analyzer *an = sink ? analyzer_new(&cfg, sink) : NULL;
    if (!an) {
        fprintf(stderr, "smbscope: out of memory\n");
        return EXIT_INPUT;
    }

    if (o.extract_dir && !analyzer_extract(an, o.extract_dir, err, sizeof err)) {
        fprintf(stderr, "smbscope: %s\n", err);
        analyzer_free(an);
        sink->ops->close(sink);
        outfile_close(of, NULL, 0);
        capture_close(cap);
        inputs_free(ins);
        return EXIT_INPUT;
    }

    /* --- sensor: periodic duties, then -Z once everything root opens is open --- */
    struct sensor_config sc = {o.stats_interval_s * 1000000u, o.iface, stderr};
    struct sensor *sn = sensor_new(&sc, an, of, cap);
    /* --extract's directories, made by root, are written into after -Z */
    static const char *const sub[EXTRACT_N_SUBDIRS] = EXTRACT_SUBDIRS;
    char xdirs[1 + EXTRACT_N_SUBDIRS][4096];
    const char *handover[2 + EXTRACT_N_SUBDIRS] = {0};
    for (int i = 0; o.extract_dir && i < 1 + EXTRACT_N_SUBDIRS; i++) {
        snprintf(xdirs[i], sizeof xdirs[i], "%s%s%s", o.extract_dir, i ? "/" : "", i ? sub[i - 1] : "");
        handover[i] = xdirs[i];
    }
    if (sn && o.user && !privdrop(o.user, handover, err, sizeof err)) {
        fprintf(stderr, "smbscope: %s\n", err);
        sensor_free(sn);
        sn = NULL;
        rc = EXIT_INPUT;
    } else if (sn && o.iface && !o.user && geteuid() == 0) {
        fprintf(stderr, "smbscope: warning: capturing as root; -Z USER runs as USER once the capture and "
                "the output are open\n");
    }
    if (!sn) {
        if (rc < 0)
            fprintf(stderr, "smbscope: out of memory\n");
        analyzer_free(an);
        sink->ops->close(sink);
        outfile_close(of, NULL, 0);
        capture_close(cap);
        inputs_free(ins);
        return EXIT_INPUT;
    }
    /* SA_RESTART as for SIGINT/SIGTERM (catch_stop_signals): a write or read
     * in progress resumes, the reopen waits for the loop */
    struct sigaction hup = {.sa_handler = on_sighup, .sa_flags = SA_RESTART};
    sigemptyset(&hup.sa_mask);
    sigaction(SIGHUP, &hup, NULL);
    /* --- end sensor --- */

    if (o.iface) {
        if (capture_warning(cap))
            fprintf(stderr, "smbscope: %s: %s\n", o.iface, capture_warning(cap));
        live_capture = cap;
    }
    catch_stop_signals();

    struct capture_frame fr;
    int st;
    uint64_t nread = 0; /* packets read, for the messages below */
    /* stop at a signal, and at once when the output cannot be written:
     * reading on would only analyze what nobody can see */
    while (!stop_requested && !output_failed(sink, of) &&
           (st = ins ? inputs_next(ins, &fr) : capture_next(cap, &fr)) != CAPTURE_END) {
        if (st == CAPTURE_ERROR) {
            fprintf(stderr, "smbscope: %s\n", capture_error(cap));
            rc = EXIT_INPUT;
            break;
        }
        /* sensor: between records, SIGHUP's reopen, rotation, interval stats, drops */
        if (reopen_requested) {
            reopen_requested = 0;
            /* the output thread writes to the file about to be closed: its
             * queue first, then the sink writes on the spot (sink.h) */
            if (sink->ops->drain)
                sink->ops->drain(sink);
            sensor_reopen(sn);
        }
        sensor_tick(sn, st == CAPTURE_FRAME ? fr.ts_us : 0);
        if (st != CAPTURE_FRAME)
            continue;
        nread++;
        analyzer_frame(an, fr.dlt, fr.ts_us, fr.data, fr.caplen, fr.wirelen);
    }
    sensor_finish(sn); /* losses not yet told, and the capture's counters for stats */
    sensor_free(sn);
    if (ins && inputs_failed(ins))
        rc = EXIT_INPUT;
    live_capture = NULL;
    int sig = stop_requested;
    if (sig && !o.iface) {
        char what[1024];
        /* a capture read only in part: every connection is still closed and
         * written as at the end of input, and stats says so */
        fprintf(stderr, "smbscope: %s: stopped reading %s after %" PRIu64 " packets; the records written are "
                "complete\n", sig == SIGINT ? "SIGINT" : "SIGTERM", input_name(&o, what, sizeof what), nread);
        analyzer_interrupted(an);
        rc = EXIT_INPUT;
    }
    if (!output_failed(sink, of))
        analyzer_finish(an);
    analyzer_free(an); /* a run stopped by a write failure still closes its files (--extract) */
    /* the failed file is named, with rotation not the pattern: one a
     * rotation or reopen closed with lines lost (which stopped the sink
     * too), else the one the sink writes to now */
    char wname[OUTFILE_NAME_MAX];
    const char *lost_in = NULL;
    int werrno = outfile_error(of, &lost_in);
    snprintf(wname, sizeof wname, "%s", lost_in ? lost_in : of ? outfile_name(of) : "standard output");
    /* the sink's close writes what it kept for the end (--summary) and
     * flushes: its result is the first failure's errno; then outfile's
     * final close, naming its file */
    int serrno = sink->ops->close(sink);
    if (!werrno)
        werrno = serrno;
    int oerrno = outfile_close(of, werrno ? NULL : wname, sizeof wname);
    if (!werrno)
        werrno = oerrno;
    capture_close(cap);
    inputs_free(ins);
    if (werrno) {
        fprintf(stderr, "smbscope: writing %s failed: %s; stopped after reading %" PRIu64 " packets\n", wname,
                strerror(werrno), nread);
        return EXIT_INPUT;
    }
    return rc < 0 ? EXIT_OK : rc;
}
