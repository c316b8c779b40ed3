/* options: the command line, parsed and bounded (options.h). */
#include "options.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inputs.h"
#include "notices.h"
#include "registry.h"

void live_filter(const struct analyzer_config *cfg, char *buf, size_t cap)
{
    size_t n = 0;
    buf[0] = 0;
    for (size_t i = 0; i < smb_app_ops.nports + cfg->nports; i++) {
        uint16_t p = i < smb_app_ops.nports ? smb_app_ops.ports[i] : cfg->ports[i - smb_app_ops.nports];
        int k = snprintf(buf + n, cap - n, "%stcp port %u", n ? " or " : "", (unsigned)p);
        if (k < 0 || (size_t)k >= cap - n)
            break;
        n += (size_t)k;
    }
}

static void usage(FILE *f)
{
    struct analyzer_config none = {0};
    char filter[64];
    live_filter(&none, filter, sizeof filter);
    fputs("usage: smbscope (-r FILE | -i IFACE) [options]\n"
          "\n"
          "Rebuilds SMB1/CIFS sessions (NetBIOS session service, NEGOTIATE, SESSION_SETUP,\n"
          "TREE_CONNECT, OPEN/CREATE, READ/WRITE, CLOSE, ...) from captured traffic.\n"
          "\n"
          "input:\n"
          "  -r FILE|DIR        read a pcap or pcapng file, plain or gzip/zstd/xz (\"-\" reads\n"
          "                     standard input); repeatable, and a directory reads its captures:\n"
          "                     all read as one capture, merged by packet time\n"
          "  -i IFACE           capture live on IFACE (default filter: ",
          f);
    fputs(filter, f);
    fputs(", and each --port)\n"
          "  -f EXPR            BPF filter expression (replaces the live default)\n"
          "  --port N           also analyze TCP port N as NetBIOS/SMB without probing (repeatable)\n"
          "output:\n"
          "  --format text|json transcript for people (default) or NDJSON, schema 2\n"
          "  -o FILE            write to FILE instead of standard output\n"
          "  --extract DIR      write every file seen under DIR: DIR/sha256/XX/SHA256 when\n"
          "                     complete (+ .json, one line per instance), else a sparse\n"
          "                     DIR/partial/TOKEN-N with a .json naming the missing ranges\n"
          "  --sensor NAME      add sensor=NAME to every record (1-64 of A-Z a-z 0-9 . _ : -)\n"
          "  --summary          after the records, a summary: sessions, files, failed logons\n"
          "                     and access denials, response times per command (in the\n"
          "                     --format: == lines, or `summary` records)\n"
          "  --summary-only     the summary alone, without the records before it\n"
          "  --rotate SEC       with -o: a new file at every multiple of SEC seconds (wall clock\n"
          "                     live, capture time reading files); -o may hold strftime(3)\n"
          "                     conversions, evaluated in UTC at each new file\n"
          "  --rotate-size BYTES  with -o: a new file before a record once the file holds BYTES\n"
          "  --stats-interval SEC  also a stats record (interval=true, counters since the last\n"
          "                     one) every SEC seconds (wall clock live, capture time reading files)\n"
          "sensor:\n"
          "  -Z USER            once the capture, -o and --extract are open, run as USER (its\n"
          "                     groups, gid and uid; checked that root cannot come back)\n"
          "  --snaplen BYTES    live: bytes kept of each packet (262144)\n"
          "  --buffer-size BYTES  live: the kernel's capture buffer (67108864)\n"
          "  --shard K/N        analyze only the flows of shard K of N (0 <= K < N): a hash of\n"
          "                     both endpoints, the same in every process and host\n"
          "  --fanout GROUP     live, Linux: share the interface's flows with the other\n"
          "                     processes in AF_PACKET fanout group GROUP (0-65535; hash mode)\n"
          "performance:\n"
          "  --threads N        threads computing files' SHA-256 beside the parsing thread,\n"
          "                     and a JSON output thread (0-8; 0: all on one thread); output\n"
          "                     is the same for any N (1)\n"
          "notices (README \"Notices\": each rule's exact condition):\n"
          "  --no-notices       run no notice rules (no `notice` records)\n"
          "  --brute-force-count N    logon_brute_force: N failed logons from one client (10)\n"
          "  --brute-force-window SEC ...within SEC seconds                       (60)\n"
          "limits (each trips an anomaly record and a stats counter, never a crash):\n"
          "  --max-state-memory BYTES all analysis state (flows, reassembly, SMB state,\n"
          "                           file hold/verify); the idlest connection is\n"
          "                           evicted past it                      (83886080)\n"
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
          "  --max-sessions N         SMB sessions (UIDs) per connection   (4096)\n"
          "  --max-trees N            tree connects (TIDs) per connection  (4096)\n"
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
          "  --max-open-inputs N      inputs open at once for the time merge (32)\n"
          "  --max-summary N          entries per --summary table           (1000)\n"
          "  --max-anomalies-per-conn N  anomaly records of one name per connection;\n"
          "                           the rest are counted (anomalies_suppressed) (100)\n"
          "  --max-notice-state N     entries per notice table (pairs, clients, sessions) (10000)\n"
          "  --tcp-overlap first|last TCP bytes resent with other content: keep the first\n"
          "                           copy, or let a later one replace bytes not yet\n"
          "                           delivered (first)\n"
          "other:\n"
          "  -h, --help         this text\n"
          "  --version          print the version\n"
          "\n"
          "exit status: 0 success, 1 the input could not be read completely (everything\n"
          "before the damage is still analyzed and written; also SIGINT/SIGTERM while\n"
          "reading a file, and a failed write), 2 usage error.\n",
          f);
}

enum opt_id {
    OPT_FORMAT = 256, OPT_VERSION, OPT_PORT,
    OPT_MAX_FLOWS, OPT_IDLE, OPT_HALFOPEN, OPT_HOLE, OPT_REASM, OPT_IPFRAGS, OPT_IPFRAG_TO, OPT_IPFRAG_MEM,
    OPT_NBSS, OPT_SMBBUF, OPT_ANDX, OPT_PENDING, OPT_FILES, OPT_STRING, OPT_HOLD, OPT_HOLD_TOTAL, OPT_VERIFY,
    OPT_VERIFY_TOTAL, OPT_OVERLAP, OPT_EXTRACT, OPT_EXTRACT_FILE, OPT_EXTRACT_TOTAL, OPT_EXTRACT_FDS,
    OPT_MAX_OPEN_INPUTS, /* many inputs */
    OPT_SENSOR, OPT_SUMMARY, OPT_SUMMARY_ONLY, OPT_MAX_SUMMARY,
    OPT_STATE_MEM, OPT_SESSIONS, OPT_TREES,
    OPT_ANOMALIES,
    OPT_RPC_STUB, OPT_RPC_CALLS, OPT_RPC_CTX,
    OPT_NO_NOTICES, OPT_BRUTE_COUNT, OPT_BRUTE_WINDOW, OPT_MAX_NOTICE_STATE,
    OPT_ROTATE, OPT_ROTATE_SIZE, OPT_STATS_INTERVAL, OPT_SNAPLEN, OPT_BUFFER_SIZE, OPT_SHARD, OPT_FANOUT, /* sensor */
    OPT_THREADS,
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
    {"max-open-inputs", required_argument, NULL, OPT_MAX_OPEN_INPUTS},
    {"sensor", required_argument, NULL, OPT_SENSOR},
    {"summary", no_argument, NULL, OPT_SUMMARY},
    {"summary-only", no_argument, NULL, OPT_SUMMARY_ONLY},
    {"max-summary", required_argument, NULL, OPT_MAX_SUMMARY},
    {"max-state-memory", required_argument, NULL, OPT_STATE_MEM},
    {"max-sessions", required_argument, NULL, OPT_SESSIONS},
    {"max-trees", required_argument, NULL, OPT_TREES},
    {"max-anomalies-per-conn", required_argument, NULL, OPT_ANOMALIES},
    {"no-notices", no_argument, NULL, OPT_NO_NOTICES},
    {"brute-force-count", required_argument, NULL, OPT_BRUTE_COUNT},
    {"brute-force-window", required_argument, NULL, OPT_BRUTE_WINDOW},
    {"max-notice-state", required_argument, NULL, OPT_MAX_NOTICE_STATE},
    {"rotate", required_argument, NULL, OPT_ROTATE},
    {"rotate-size", required_argument, NULL, OPT_ROTATE_SIZE},
    {"stats-interval", required_argument, NULL, OPT_STATS_INTERVAL},
    {"snaplen", required_argument, NULL, OPT_SNAPLEN},
    {"buffer-size", required_argument, NULL, OPT_BUFFER_SIZE},
    {"shard", required_argument, NULL, OPT_SHARD},
    {"threads", required_argument, NULL, OPT_THREADS},
    {"fanout", required_argument, NULL, OPT_FANOUT},
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

/* --shard K/N */
static bool parse_shard(const char *s, struct analyzer_config *cfg)
{
    unsigned long k, n;
    char *end;
    errno = 0;
    k = strtoul(s, &end, 10);
    if (!errno && end != s && *end == '/' && end[1] >= '0' && end[1] <= '9' && s[0] >= '0' && s[0] <= '9') {
        const char *ns = end + 1;
        n = strtoul(ns, &end, 10);
        if (!errno && !*end && n >= 1 && n <= 65536 && k < n) {
            cfg->shard_k = (uint32_t)k;
            cfg->shard_n = (uint32_t)n;
            return true;
        }
    }
    fprintf(stderr, "smbscope: --shard: '%s' is not K/N with 0 <= K < N <= 65536\n", s);
    return false;
}

int options_parse(int argc, char **argv, struct run_opts *o, struct analyzer_config *cfg)
{
    int c;
    uint64_t v;
    while ((c = getopt_long(argc, argv, "hr:i:f:o:Z:", long_opts, NULL)) != -1) {
        const char *name = NULL;
        for (const struct option *lo = long_opts; lo->name; lo++)
            if (lo->val == c)
                name = lo->name;
        switch (c) {
        case 'h': usage(stdout); return EXIT_OK;
        case OPT_VERSION: puts("smbscope " SMBSCOPE_VERSION); return EXIT_OK;
        case 'r': o->reads[o->nreads++] = optarg; break;
        case OPT_MAX_OPEN_INPUTS:
            if (!parse_num("--max-open-inputs", optarg, 1, 65536, &o->max_open_inputs))
                return EXIT_USAGE;
            break;
        case 'i': o->iface = optarg; break;
        case 'f': o->filter = optarg; break;
        case 'o': o->out_path = optarg; break;
        case OPT_EXTRACT: o->extract_dir = optarg; break;
        case OPT_SUMMARY: o->summary = true; break;
        case OPT_NO_NOTICES: cfg->no_notices = true; break;
        case OPT_BRUTE_COUNT:
            if (!parse_num("--brute-force-count", optarg, 1, NOTICES_BRUTE_COUNT_MAX, &v))
                return EXIT_USAGE;
            cfg->brute_count = (unsigned)v;
            break;
        case OPT_BRUTE_WINDOW:
            if (!parse_num("--brute-force-window", optarg, 1, 86400, &v))
                return EXIT_USAGE;
            cfg->brute_window_s = (uint32_t)v;
            break;
        case OPT_SUMMARY_ONLY: o->summary = o->summary_only = true; break;
        /* sensor */
        case 'Z': o->user = optarg; break;
        case OPT_ROTATE:
            if (!parse_num("--rotate", optarg, 1, 86400 * 366, &o->rotate_s))
                return EXIT_USAGE;
            break;
        case OPT_ROTATE_SIZE:
            if (!parse_num("--rotate-size", optarg, 1, (uint64_t)1 << 50, &o->rotate_bytes))
                return EXIT_USAGE;
            break;
        case OPT_STATS_INTERVAL:
            if (!parse_num("--stats-interval", optarg, 1, 86400 * 366, &o->stats_interval_s))
                return EXIT_USAGE;
            break;
        case OPT_SNAPLEN:
            if (!parse_num("--snaplen", optarg, 64, CAPTURE_SNAPLEN_DEFAULT, &v))
                return EXIT_USAGE;
            o->live.snaplen = (uint32_t)v;
            break;
        case OPT_BUFFER_SIZE:
            if (!parse_num("--buffer-size", optarg, 4096, INT32_MAX, &o->live.buffer_bytes))
                return EXIT_USAGE;
            break;
        case OPT_FANOUT:
            if (!parse_num("--fanout", optarg, 0, 65535, &v))
                return EXIT_USAGE;
            o->live.fanout_group = (int)v;
            break;
        case OPT_SHARD:
            if (!parse_shard(optarg, cfg))
                return EXIT_USAGE;
            break;
        case OPT_THREADS:
            if (!parse_num("--threads", optarg, 0, ANALYZER_HASH_THREADS_MAX, &v))
                return EXIT_USAGE;
            cfg->hash_threads = (unsigned)v;
            break;
        case OPT_SENSOR:
            /* a name a SIEM can key on as is: no quoting, no escapes */
            if (!*optarg || strlen(optarg) > 64 || strspn(optarg, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                                                  "0123456789._:-") != strlen(optarg)) {
                fprintf(stderr, "smbscope: --sensor: '%s' is not 1-64 of A-Z a-z 0-9 . _ : -\n", optarg);
                return EXIT_USAGE;
            }
            cfg->sensor = optarg;
            break;
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
        LIMIT(OPT_MAX_SUMMARY, summary_max, 1, 10000000, size_t)
        LIMIT(OPT_STATE_MEM, state_memory, 1u << 20, (uint64_t)1 << 40, size_t)
        LIMIT(OPT_SESSIONS, sessions_max, 1, 100000000, size_t)
        LIMIT(OPT_TREES, trees_max, 1, 100000000, size_t)
        LIMIT(OPT_ANOMALIES, anomalies_per_conn, 0, 100000000, uint64_t)
        LIMIT(OPT_MAX_NOTICE_STATE, notice_state_max, 1, 10000000, size_t)
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
    if (!o->nreads == !o->iface) {
        fprintf(stderr, "smbscope: give exactly one of -r FILE or -i IFACE (see -h)\n");
        return EXIT_USAGE;
    }
    if ((o->rotate_s || o->rotate_bytes) && !o->out_path) {
        fprintf(stderr, "smbscope: --rotate and --rotate-size rotate the -o file: give -o\n");
        return EXIT_USAGE;
    }
    if (!o->iface && (o->live.snaplen || o->live.buffer_bytes || o->live.fanout_group >= 0)) {
        fprintf(stderr, "smbscope: --snaplen, --buffer-size and --fanout apply to live capture (-i)\n");
        return EXIT_USAGE;
    }
    return -1;
}
