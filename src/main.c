/* smbscope: command line and wiring only. */
#include <errno.h>
#include <getopt.h>
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
#include "sink.h"

#define DEFAULT_LIVE_FILTER "tcp port 139 or tcp port 445"

enum { EXIT_OK = 0, EXIT_INPUT = 1, EXIT_USAGE = 2 };

/* The one piece of process-wide state: a signal handler can reach nothing
 * else. It only asks the capture loop to stop; everything is flushed by the
 * normal end-of-input path. */
static volatile sig_atomic_t stop_requested;
static struct capture *volatile live_capture;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
    if (live_capture)
        capture_breakloop(live_capture);
}

static void usage(FILE *f)
{
    fputs("usage: smbscope (-r FILE | -i IFACE) [options]\n"
          "\n"
          "Rebuilds SMB1/CIFS sessions (NetBIOS session service, NEGOTIATE, SESSION_SETUP,\n"
          "TREE_CONNECT, OPEN/CREATE, READ/WRITE, CLOSE, ...) from captured traffic.\n"
          "\n"
          "input:\n"
          "  -r FILE            read a pcap or pcapng file (\"-\" reads standard input)\n"
          "  -i IFACE           capture live on IFACE (default filter: " DEFAULT_LIVE_FILTER ")\n"
          "  -f EXPR            BPF filter expression (replaces the live default)\n"
          "  --port N           also analyze TCP port N as NetBIOS/SMB without probing (repeatable)\n"
          "output:\n"
          "  --format text|json transcript for people (default) or NDJSON, schema 1\n"
          "  -o FILE            write to FILE instead of standard output\n"
          "  --extract DIR      write every file seen under DIR: DIR/sha256/XX/SHA256 when\n"
          "                     complete (+ .json, one line per instance), else a sparse\n"
          "                     DIR/partial/TOKEN-N with a .json naming the missing ranges\n"
          "limits (each trips an anomaly record and a stats counter, never a crash):\n"
          "  --max-flows N            TCP flows tracked at once            (100000)\n"
          "  --idle-timeout SEC       idle established flow is closed      (600)\n"
          "  --halfopen-timeout SEC   flow without data both ways          (30)\n"
          "  --max-hole-buffer BYTES  bytes held above a hole, per direction (8388608)\n"
          "  --max-reasm-memory BYTES out-of-order bytes held, all flows   (268435456)\n"
          "  --max-ipfrags N          IPv4 datagrams under reassembly      (4096)\n"
          "  --ipfrag-timeout SEC     IPv4 fragment reassembly timeout     (30)\n"
          "  --max-ipfrag-memory BYTES  bytes held in unfinished datagrams (67108864)\n"
          "  --max-nbss-message BYTES largest NBSS message accepted        (16781312)\n"
          "  --max-smb-buffer BYTES   bytes of one SMB message kept        (131072)\n"
          "  --max-andx N             AndX commands followed per message   (16)\n"
          "  --max-pending N          unanswered requests per connection   (4096)\n"
          "  --max-open-files N       open files tracked per connection    (4096)\n"
          "  --max-string BYTES       longest decoded string               (1024)\n"
          "  --max-dcerpc-stub BYTES  one DCE/RPC call's stub kept          (1048576)\n"
          "  --max-dcerpc-calls N     outstanding DCE/RPC calls per pipe    (64)\n"
          "  --max-dcerpc-contexts N  DCE/RPC contexts remembered per pipe  (64)\n"
          "  --max-file-hold BYTES    out-of-order file data held, per file (16777216)\n"
          "  --max-file-hold-total BYTES  the same, all files             (268435456)\n"
          "  --max-file-verify BYTES  file content kept to check overlaps  (1048576)\n"
          "  --max-file-verify-total BYTES  the same, all files           (67108864)\n"
          "  --extract-max-file BYTES  bytes at offsets from BYTES not extracted (1073741824)\n"
          "  --extract-max-total BYTES bytes --extract writes in the run     (17179869184)\n"
          "  --extract-max-fds N      files being extracted held open      (256)\n"
          "  --tcp-overlap first|last TCP bytes resent with other content: keep the first\n"
          "                           copy, or let a later one replace bytes not yet\n"
          "                           delivered (first)\n"
          "other:\n"
          "  -h, --help         this text\n"
          "  --version          print the version\n"
          "\n"
          "exit status: 0 success, 1 the input could not be read completely (everything\n"
          "before the damage is still analyzed and written), 2 usage error.\n",
          f);
}

enum opt_id {
    OPT_FORMAT = 256, OPT_VERSION, OPT_PORT,
    OPT_MAX_FLOWS, OPT_IDLE, OPT_HALFOPEN, OPT_HOLE, OPT_REASM, OPT_IPFRAGS, OPT_IPFRAG_TO, OPT_IPFRAG_MEM,
    OPT_NBSS, OPT_SMBBUF, OPT_ANDX, OPT_PENDING, OPT_FILES, OPT_STRING, OPT_HOLD, OPT_HOLD_TOTAL, OPT_VERIFY,
    OPT_VERIFY_TOTAL, OPT_OVERLAP, OPT_EXTRACT, OPT_EXTRACT_FILE, OPT_EXTRACT_TOTAL, OPT_EXTRACT_FDS,
    OPT_RPC_STUB, OPT_RPC_CALLS, OPT_RPC_CTX,
};

static const struct option long_opts[] = {
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, OPT_VERSION},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"port", required_argument, NULL, OPT_PORT},
    {"max-flows", required_argument, NULL, OPT_MAX_FLOWS},
    {"idle-timeout", required_argument, NULL, OPT_IDLE},
    {"halfopen-timeout", required_argument, NULL, OPT_HALFOPEN},
    {"max-hole-buffer", required_argument, NULL, OPT_HOLE},
    {"max-reasm-memory", required_argument, NULL, OPT_REASM},
    {"max-ipfrags", required_argument, NULL, OPT_IPFRAGS},
    {"ipfrag-timeout", required_argument, NULL, OPT_IPFRAG_TO},
    {"max-ipfrag-memory", required_argument, NULL, OPT_IPFRAG_MEM},
    {"max-nbss-message", required_argument, NULL, OPT_NBSS},
    {"max-smb-buffer", required_argument, NULL, OPT_SMBBUF},
    {"max-andx", required_argument, NULL, OPT_ANDX},
    {"max-pending", required_argument, NULL, OPT_PENDING},
    {"max-open-files", required_argument, NULL, OPT_FILES},
    {"max-string", required_argument, NULL, OPT_STRING},
    {"max-dcerpc-stub", required_argument, NULL, OPT_RPC_STUB},
    {"max-dcerpc-calls", required_argument, NULL, OPT_RPC_CALLS},
    {"max-dcerpc-contexts", required_argument, NULL, OPT_RPC_CTX},
    {"max-file-hold", required_argument, NULL, OPT_HOLD},
    {"max-file-hold-total", required_argument, NULL, OPT_HOLD_TOTAL},
    {"max-file-verify", required_argument, NULL, OPT_VERIFY},
    {"max-file-verify-total", required_argument, NULL, OPT_VERIFY_TOTAL},
    {"tcp-overlap", required_argument, NULL, OPT_OVERLAP},
    {"extract", required_argument, NULL, OPT_EXTRACT},
    {"extract-max-file", required_argument, NULL, OPT_EXTRACT_FILE},
    {"extract-max-total", required_argument, NULL, OPT_EXTRACT_TOTAL},
    {"extract-max-fds", required_argument, NULL, OPT_EXTRACT_FDS},
    {NULL, 0, NULL, 0},
};

/* a whole decimal number in [min, max] */
static bool parse_num(const char *opt, const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end || s[0] == '-' || v < min || v > max) {
        fprintf(stderr, "smbscope: %s: '%s' is not a number from %" PRIu64 " to %" PRIu64 "\n", opt, s, min,
                max);
        return false;
    }
    *out = v;
    return true;
}

struct run_opts {
    const char *read_path, *iface, *filter, *out_path, *extract_dir;
    bool json;
};

/* -o must never name an input: opening it for writing would truncate the
 * evidence before a byte of it was read. The same file is the same device and
 * inode, whatever path (symlink, hard link, ./x) leads to it; `-r -` reads
 * standard input, which may be that file too (`< evidence.pcap`). A missing
 * output cannot collide. */
static bool output_is_input(const char *out_path, const char *in_path)
{
    struct stat so, si;
    if (!out_path || !in_path || stat(out_path, &so) != 0)
        return false;
    int rc = strcmp(in_path, "-") == 0 ? fstat(STDIN_FILENO, &si) : stat(in_path, &si);
    return rc == 0 && S_ISREG(si.st_mode) && so.st_dev == si.st_dev && so.st_ino == si.st_ino;
}

/* returns -1 to go on, or an exit code */
static int parse_args(int argc, char **argv, struct run_opts *o, struct analyzer_config *cfg)
{
    int c;
    uint64_t v;
    while ((c = getopt_long(argc, argv, "hr:i:f:o:", long_opts, NULL)) != -1) {
        const char *name = NULL;
        for (const struct option *lo = long_opts; lo->name; lo++)
            if (lo->val == c)
                name = lo->name;
        switch (c) {
        case 'h': usage(stdout); return EXIT_OK;
        case OPT_VERSION: puts("smbscope " SMBSCOPE_VERSION); return EXIT_OK;
        case 'r': o->read_path = optarg; break;
        case 'i': o->iface = optarg; break;
        case 'f': o->filter = optarg; break;
        case 'o': o->out_path = optarg; break;
        case OPT_EXTRACT: o->extract_dir = optarg; break;
        case OPT_FORMAT:
            if (strcmp(optarg, "json") == 0)
                o->json = true;
            else if (strcmp(optarg, "text") == 0)
                o->json = false;
            else {
                fprintf(stderr, "smbscope: --format: '%s' is not text or json\n", optarg);
                return EXIT_USAGE;
            }
            break;
        case OPT_PORT:
            if (!parse_num("--port", optarg, 1, 65535, &v))
                return EXIT_USAGE;
            if (cfg->nports == ANALYZER_MAX_PORTS) {
                fprintf(stderr, "smbscope: --port: at most %d ports\n", ANALYZER_MAX_PORTS);
                return EXIT_USAGE;
            }
            cfg->ports[cfg->nports++] = (uint16_t)v;
            break;
        case OPT_OVERLAP:
            if (strcmp(optarg, "first") == 0)
                cfg->lim.tcp_overlap = OVERLAP_FIRST;
            else if (strcmp(optarg, "last") == 0)
                cfg->lim.tcp_overlap = OVERLAP_LAST;
            else {
                fprintf(stderr, "smbscope: --tcp-overlap: '%s' is not first or last\n", optarg);
                return EXIT_USAGE;
            }
            break;
#define LIMIT(ID, FIELD, MIN, MAX, TYPE) \
    case ID: \
        if (!parse_num(name ? name : "limit", optarg, MIN, MAX, &v)) \
            return EXIT_USAGE; \
        cfg->lim.FIELD = (TYPE)v; \
        break;
        LIMIT(OPT_MAX_FLOWS, max_flows, 1, 100000000, size_t)
        LIMIT(OPT_IDLE, idle_timeout_s, 1, 86400 * 365, uint32_t)
        LIMIT(OPT_HALFOPEN, halfopen_timeout_s, 1, 86400 * 365, uint32_t)
        LIMIT(OPT_HOLE, reasm_hole_bytes, 0, (uint64_t)1 << 40, size_t)
        LIMIT(OPT_REASM, reasm_total_bytes, 0, (uint64_t)1 << 40, size_t)
        LIMIT(OPT_IPFRAGS, ipfrag_max, 0, 10000000, size_t)
        LIMIT(OPT_IPFRAG_TO, ipfrag_timeout_s, 1, 3600, uint32_t)
        LIMIT(OPT_IPFRAG_MEM, ipfrag_bytes, 0, (uint64_t)1 << 40, size_t)
        LIMIT(OPT_NBSS, nbss_max_msg, 64, 1u << 24, size_t)
        LIMIT(OPT_SMBBUF, smb_buffer, 64, (uint64_t)1 << 30, size_t)
        LIMIT(OPT_ANDX, andx_depth, 1, 255, unsigned)
        LIMIT(OPT_PENDING, pending_max, 1, 100000000, size_t)
        LIMIT(OPT_FILES, files_max, 1, 100000000, size_t)
        LIMIT(OPT_STRING, str_max, 16, 1u << 20, size_t)
        LIMIT(OPT_RPC_STUB, dcerpc_stub_max, 0, (uint64_t)1 << 32, size_t)
        LIMIT(OPT_RPC_CALLS, dcerpc_calls_max, 1, 1000000, size_t)
        LIMIT(OPT_RPC_CTX, dcerpc_contexts_max, 1, 65536, size_t)
        LIMIT(OPT_HOLD, file_hold_bytes, 0, (uint64_t)1 << 40, size_t)
        LIMIT(OPT_HOLD_TOTAL, file_hold_total, 0, (uint64_t)1 << 40, size_t)
        LIMIT(OPT_VERIFY, file_verify_bytes, 0, (uint64_t)1 << 40, size_t)
        LIMIT(OPT_VERIFY_TOTAL, file_verify_total, 0, (uint64_t)1 << 40, size_t)
        LIMIT(OPT_EXTRACT_FILE, extract_max_file, 0, (uint64_t)1 << 62, uint64_t)
        LIMIT(OPT_EXTRACT_TOTAL, extract_max_total, 0, (uint64_t)1 << 62, uint64_t)
        LIMIT(OPT_EXTRACT_FDS, extract_max_fds, 1, 65536, size_t)
#undef LIMIT
        default:
            usage(stderr);
            return EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "smbscope: unexpected argument '%s'\n", argv[optind]);
        return EXIT_USAGE;
    }
    if (!o->read_path == !o->iface) {
        fprintf(stderr, "smbscope: give exactly one of -r FILE or -i IFACE (see -h)\n");
        return EXIT_USAGE;
    }
    if (output_is_input(o->out_path, o->read_path)) {
        fprintf(stderr, "smbscope: -o %s is the input file %s: refusing to overwrite the input\n", o->out_path,
                o->read_path);
        return EXIT_USAGE;
    }
    return -1;
}

int main(int argc, char **argv)
{
    struct run_opts o = {0};
    struct analyzer_config cfg = {.lim = limits_default()};
    int rc = parse_args(argc, argv, &o, &cfg);
    if (rc >= 0)
        return rc;

    char err[512] = "";
    struct capture *cap = o.read_path ? capture_open_offline(o.read_path, err, sizeof err)
                                      : capture_open_live(o.iface, err, sizeof err);
    if (!cap) {
        fprintf(stderr, "smbscope: %s\n", err);
        return EXIT_INPUT;
    }
    const char *filter = o.filter ? o.filter : (o.iface ? DEFAULT_LIVE_FILTER : NULL);
    if (filter && !capture_set_filter(cap, filter)) {
        fprintf(stderr, "smbscope: filter '%s': %s\n", filter, capture_error(cap));
        capture_close(cap);
        return EXIT_USAGE;
    }
    if (!decode_linktype_supported(capture_linktype(cap))) {
        fprintf(stderr, "smbscope: unsupported link type %d (supported: Ethernet, Linux cooked SLL/SLL2, "
                "raw IP, BSD loopback)\n", capture_linktype(cap));
        capture_close(cap);
        return EXIT_INPUT;
    }

    FILE *out = stdout;
    if (o.out_path && !(out = fopen(o.out_path, "w"))) {
        fprintf(stderr, "smbscope: -o %s: %s\n", o.out_path, strerror(errno));
        capture_close(cap);
        return EXIT_INPUT;
    }
    /* live records must reach a pipe or file as they happen */
    bool flush_each = o.iface && !isatty(fileno(out));
    struct sink *sink = o.json ? sink_json_new(out, flush_each) : sink_text_new(out, flush_each);
    struct analyzer *an = sink ? analyzer_new(&cfg, sink) : NULL;
    if (!an) {
        fprintf(stderr, "smbscope: out of memory\n");
        return EXIT_INPUT;
    }

    if (o.extract_dir && !analyzer_extract(an, o.extract_dir, err, sizeof err)) {
        fprintf(stderr, "smbscope: %s\n", err);
        analyzer_free(an);
        sink->ops->close(sink);
        if (out != stdout)
            fclose(out);
        capture_close(cap);
        return EXIT_INPUT;
    }

    if (o.iface) {
        if (capture_warning(cap))
            fprintf(stderr, "smbscope: %s: %s\n", o.iface, capture_warning(cap));
        live_capture = cap;
        struct sigaction sa = {.sa_handler = on_signal};
        sigemptyset(&sa.sa_mask);
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
    }

    struct capture_frame fr;
    int st;
    while (!stop_requested && (st = capture_next(cap, &fr)) != CAPTURE_END) {
        if (st == CAPTURE_ERROR) {
            fprintf(stderr, "smbscope: %s\n", capture_error(cap));
            rc = EXIT_INPUT;
            break;
        }
        if (st == CAPTURE_FRAME)
            analyzer_frame(an, fr.dlt, fr.ts_us, fr.data, fr.caplen, fr.wirelen);
    }
    if (o.iface) {
        struct capture_stats cs;
        if (capture_stats(cap, &cs))
            analyzer_capture_stats(an, cs.received, cs.dropped);
    }
    live_capture = NULL;
    analyzer_finish(an);
    analyzer_free(an);
    bool werr = !sink->ops->close(sink);
    if (out != stdout && fclose(out) != 0)
        werr = true;
    capture_close(cap);
    if (werr) {
        fprintf(stderr, "smbscope: writing the output failed\n");
        return EXIT_INPUT;
    }
    return rc < 0 ? EXIT_OK : rc;
}
