/* limits: every resource limit smbscope enforces, named, with its default,
 * and the one fixed policy that can be chosen (tcp_overlap). Each has a
 * command-line option (see README "Limits"). When a limit trips the analyzer
 * emits an anomaly, counts it in stats, and carries on. */
#ifndef SMBSCOPE_LIMITS_H
#define SMBSCOPE_LIMITS_H

#include <stddef.h>
#include <stdint.h>

/* which copy of TCP bytes that arrive twice with different content is kept
 * (--tcp-overlap). Only bytes still held out of order can be replaced: bytes
 * already delivered stay as they were under either policy. */
enum overlap_policy {
    OVERLAP_FIRST,   /* the first copy seen wins */
    OVERLAP_LAST,    /* a later copy replaces held (not yet delivered) bytes */
};

struct limits {
    size_t max_flows;              /* --max-flows: TCP flows tracked at once */
    uint32_t idle_timeout_s;       /* --idle-timeout: established flow idle time before it is closed */
    uint32_t halfopen_timeout_s;   /* --halfopen-timeout: flow without data both ways (or no handshake done) */
    size_t reasm_hole_bytes;       /* --max-hole-buffer: bytes buffered above a hole, per direction */
    size_t reasm_total_bytes;      /* --max-reasm-memory: out-of-order bytes buffered, all flows */
    size_t ipfrag_max;             /* --max-ipfrags: IPv4 datagrams under reassembly at once */
    uint32_t ipfrag_timeout_s;     /* --ipfrag-timeout */
    size_t ipfrag_bytes;           /* --max-ipfrag-memory: bytes held in unfinished datagrams */
    size_t nbss_max_msg;           /* --max-nbss-message: largest NBSS message accepted */
    size_t smb_buffer;             /* --max-smb-buffer: bytes of one SMB message kept (file data is streamed, not kept) */
    unsigned andx_depth;           /* --max-andx: AndX links followed in one message */
    size_t pending_max;            /* --max-pending: unanswered requests per connection */
    size_t files_max;              /* --max-open-files: open files tracked per connection */
    size_t sessions_max;           /* --max-sessions: SMB sessions (UIDs) tracked per connection */
    size_t trees_max;              /* --max-trees: tree connects (TIDs) tracked per connection */
    size_t state_memory;           /* --max-state-memory: all analysis state, all connections (membudget.h) */
    size_t str_max;                /* --max-string: bytes of one decoded string (UTF-8) */
    size_t file_hold_bytes;        /* --max-file-hold: out-of-order file data held for hashing, per file */
    size_t file_hold_total;        /* --max-file-hold-total: the same, all files */
    size_t file_verify_bytes;      /* --max-file-verify: file content kept to check overlapping reads/writes agree */
    size_t file_verify_total;      /* --max-file-verify-total: the same, all files */
    uint64_t extract_max_file;     /* --extract-max-file: bytes at offsets from here on are not extracted */
    uint64_t extract_max_total;    /* --extract-max-total: bytes written by --extract in the whole run */
    size_t extract_max_fds;        /* --extract-max-fds: files being extracted held open at once */
    uint64_t anomalies_per_conn;   /* --max-anomalies-per-conn: records of one anomaly name per connection */
    size_t dcerpc_stub_max;        /* --max-dcerpc-stub: bytes of one call's joined request or response stub kept */
    size_t dcerpc_calls_max;       /* --max-dcerpc-calls: outstanding DCE/RPC calls per pipe */
    size_t dcerpc_contexts_max;    /* --max-dcerpc-contexts: presentation contexts remembered per pipe */
    enum overlap_policy tcp_overlap; /* --tcp-overlap: which copy of conflicting TCP bytes is kept */
    size_t summary_max;            /* --max-summary: entries per --summary table (sessions, files, failures, notices, dcerpc operations) */
    size_t notice_state_max;       /* --max-notice-state: entries per notice table (client-server pairs, clients, sessions, pipes, fired keys) */
};

static inline struct limits limits_default(void)
{
    struct limits l = {
        .max_flows = 100000,
        .idle_timeout_s = 600,
        .halfopen_timeout_s = 30,
        .reasm_hole_bytes = 8u << 20,
        .reasm_total_bytes = 256u << 20,
        .ipfrag_max = 4096,
        .ipfrag_timeout_s = 30,
        .ipfrag_bytes = 64u << 20,
        .nbss_max_msg = (16u << 20) + 4096,
        .smb_buffer = 128u << 10,
        .andx_depth = 16,
        .pending_max = 4096,
        .files_max = 4096,
        .sessions_max = 4096,
        .trees_max = 4096,
        /* with code, libraries, stdio and allocator slack the process stays
         * under 128 MB (tests/bench/state_memory.sh measures it) */
        .state_memory = 80u << 20,
        .str_max = 1024,
        .file_hold_bytes = 16u << 20,
        .file_hold_total = 256u << 20,
        .file_verify_bytes = 1u << 20,
        .file_verify_total = 64u << 20,
        /* SMB1 files above 1 GiB are rare (disk images, backups) and not
         * what a responder extracts first; 16 GiB keeps a default run from
         * filling a disk; both can be raised */
        .extract_max_file = (uint64_t)1 << 30,
        .extract_max_total = (uint64_t)16 << 30,
        /* well under the usual 1024 descriptors per process */
        .extract_max_fds = 256,
        /* enough to see what happened and how often it repeats; the
         * rest are counted (anomalies_suppressed) */
        .anomalies_per_conn = 100,
        /* Windows caps a call's stub far lower for most interfaces; 1 MiB
         * holds a large enumeration (NetrShareEnum, SamrEnumerateUsers) */
        .dcerpc_stub_max = 1u << 20,
        /* clients over SMB pipes rarely have more than one call in flight */
        .dcerpc_calls_max = 64,
        .dcerpc_contexts_max = 64,
        .tcp_overlap = OVERLAP_FIRST,
        /* a few MB at most (an entry holds a handful of --max-string strings) */
        .summary_max = 1000,
        /* an entry is a key and at most a brute-force ring (168 bytes per
         * failure): 17 MB for the client table with the defaults, reserved
         * up front, touched as clients come (README "Limits") */
        .notice_state_max = 10000,
    };
    return l;
}

#endif
