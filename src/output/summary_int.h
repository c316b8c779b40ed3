/* summary_int: the summary's tables, shared by summary.c (gathering them from
 * the records) and summary_write.c (writing them as `summary` records); not
 * for any other file. Bounds: summary.h. */
#ifndef SMBSCOPE_SUMMARY_INT_H
#define SMBSCOPE_SUMMARY_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"
#include "htab.h"
#include "summary.h"

/* latencies of answered calls: count, min, max, sum (microseconds) */
struct lat {
    uint64_t n, min, max, total;
};

struct sess {
    struct hnode node; /* in sess_ix by (connection, UID) */
    struct conn_ref conn;
    uint64_t uid;
    bool has_record;   /* its `session` record came: reported */
    bool closed;       /* ...and later records of this UID are a new session */
    uint64_t start;
    char *user, *domain, *host, *auth, *status;
    bool guest;
    bool signing;      /* a request of this session carried a signature */
    char *shares[SUMMARY_MAX_SHARES];
    size_t n_shares, shares_omitted;
    uint64_t failures; /* responses of this UID with an error status */
};

struct file_ent {
    struct conn_ref conn;
    uint64_t start, ts;
    char *name, *share, *kind, *user, *domain, *sha256, *no_hash_reason, *extracted, *extract_error;
    bool has_content, has_pipe, has_extracted;
    uint64_t a, b;     /* bytes_read, bytes_written (or a pipe's bytes_in, bytes_out) */
};

struct fail {
    struct hnode node; /* in fail_ix by every field below but count and times */
    struct conn_ref conn;
    const char *what;  /* "logon_failed" or "access_denied" */
    char *command, *status, *user, *share, *target;
    uint64_t count, first, last;
};

/* a notice record, as listed in the notice section */
struct notice_ent {
    struct conn_ref conn;
    uint64_t ts;
    char *name, *severity, *detail, *user;
};

/* one command code's service response times (every call is timed) */
struct srt {
    char command[48];
    struct lat lat;
};

/* distinct names, first seen first, at most SUMMARY_MAX_NAMES; calls with
 * another name are counted (counting distinct ones would need them all) */
struct names {
    char *v[SUMMARY_MAX_NAMES];
    size_t n;
    uint64_t omitted;
};

/* one DCE/RPC operation, run-wide: the dcerpc records of (interface, opnum,
 * operation), each part possibly null */
struct rpc_op {
    struct hnode node; /* in rpc_ix by (interface, operation, opnum) */
    char *interface, *operation;
    bool has_opnum;
    uint64_t opnum;
    uint64_t calls, faults, failures;
    struct lat lat;    /* the calls with a latency */
    struct names users, pipes;
};

/* Each table is an array of `max` entries allocated once (so entries never
 * move and can sit in an htab), filled in record order: records are written
 * in that order, never in hash order. */
struct summary {
    size_t max;
    struct hkey key;   /* the tables' SipHash key: wire values cannot be chosen to collide */
    struct sess *sess;
    size_t n_sess, sess_omitted;
    struct htab sess_ix;
    struct file_ent *files;
    size_t n_files, files_omitted;
    struct fail *fails;
    size_t n_fails;
    uint64_t fails_omitted;   /* failure responses in no entry */
    struct htab fail_ix;
    struct notice_ent *notices;
    size_t n_notices, notices_omitted;
    struct srt srt[256];
    struct rpc_op *rpc;
    size_t n_rpc;
    uint64_t rpc_omitted;   /* dcerpc records in no entry */
    struct htab rpc_ix;
};

#endif
