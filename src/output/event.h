/* event: transcript records with typed, named fields. Dissectors build them;
 * sinks (out_text.c, out_json.c) decide how they look. Strings in events are
 * always valid UTF-8 (wire strings are converted before they get here) but may
 * hold any character: sinks escape. Field names never repeat: setting a name
 * again replaces its value in place (so a record's key order is stable). */
#ifndef SMBSCOPE_EVENT_H
#define SMBSCOPE_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fields.h"

/* EV_DCERPC, EV_DCERPC_BIND: calls and binds on named pipes (dcerpc.h);
 * EV_SUPPRESSED: `anomalies_suppressed`, the anomaly records a connection
 * did not write (anomaly_budget.h); EV_NOTICE: written by the notice rules
 * (dissectors/notices.h); the types before EV_STATS are the ones
 * stats.records counts; EV_SUMMARY: written after stats with --summary
 * (summary.h) */
enum ev_type { EV_CONN, EV_NBSS, EV_SMB, EV_FILE, EV_SESSION, EV_ANOMALY, EV_DCERPC, EV_DCERPC_BIND, EV_SUPPRESSED,
               EV_NOTICE, EV_STATS, EV_SUMMARY };
const char *ev_type_name(enum ev_type t);

/* the connection every record (but stats) belongs to */
struct conn_ref {
    uint64_t num;              /* 1, 2, ... in order of first packet */
    char id[24];               /* "C<num>" */
    char uid[24];              /* conn_uid(): stable for the input, unique across runs and sensors */
    char community_id[48];     /* Community ID v1, "1:<base64>" */
    char client_ip[48];
    uint16_t client_port;
    char server_ip[48];
    uint16_t server_port;
    uint64_t start_us;
};

/* F_TS: a time in microseconds since the epoch (JSON: RFC 3339 like `ts`;
 * text: seconds since the connection's start, like the line's own time) */
enum fkind { F_NULL, F_BOOL, F_INT, F_UINT, F_STR, F_STRV, F_RANGES, F_OBJ, F_TS };

struct fieldset;

struct field {
    const char *name;          /* the key: d->name, or a map's key (owned by the event) */
    const struct fdesc *d;     /* the registry's descriptor; NULL for a map's entries */
    enum fkind kind;
    union {
        bool b;
        int64_t i;
        uint64_t u;                                       /* F_UINT, F_TS */
        const char *s;                                    /* F_STR, owned by the event */
        struct { const char **v; size_t n; } sv;          /* F_STRV */
        struct { const uint64_t (*r)[2]; size_t n; } rg;  /* F_RANGES: [start, end) pairs */
        struct fieldset *obj;                             /* F_OBJ */
    } v;
};

struct fieldset {
    struct field *f;
    size_t n, cap;
    uint64_t seen;             /* bit (id & 63) of every descriptor set here: most adds need no search */
    int scope;                 /* the registry scope of its keys; -1 for a map */
    const struct fdesc *map;   /* a map's descriptor (its key check), else NULL */
};

struct ev_chunk;
struct event;

/* A record with fields finished later, by whichever thread writes it: a
 * file's SHA-256 still being computed on a hashing thread (files.c). Only a
 * sink that says so (sink.takes_pending) gets such records. One event owns
 * the pending at a time: whoever keeps a clone of the record (a hold queue,
 * the sink) moves it to the clone with ev_take_pending; the sink releases
 * it from its clone (ev_release_pending) and calls settle, on the thread
 * that renders it, before rendering. An owner freed with it unsettled
 * (ev_free) settles it without a record, on the parsing thread.
 *
 * Who owns it is kept in the events' own memory, never in the pending:
 * once taken, the pending may be settled and freed on another thread while
 * the record it came from is still being freed. */
struct ev_pending {
    /* the parsing thread, before the record goes to another thread: make
     * sure that thread can finish it */
    void (*handover)(struct ev_pending *p);
    /* set e's late fields (e NULL: only let go), then free p; producer:
     * called on the parsing thread */
    void (*settle)(struct ev_pending *p, struct event *e, bool producer);
};

/* the event's hold on its pending (in its arena: a const event can give it up) */
struct ev_pending_cell {
    struct ev_pending *p;      /* NULL once taken or released */
};

struct event {
    enum ev_type type;
    uint64_t ts_us;
    const struct conn_ref *conn;   /* NULL for stats */
    struct fieldset top;
    struct ev_chunk *arena;        /* everything the event owns */
    bool adhoc;                    /* unit tests of the sinks only: fields outside the registry allowed */
    struct ev_pending_cell *pending; /* fields still to be finished (see above), or NULL; not cloned */
};

void ev_init(struct event *e, enum ev_type t, uint64_t ts_us, const struct conn_ref *conn);
/* settles a pending nobody took (on the calling thread, as the producer) */
void ev_free(struct event *e);
/* move src into dst (dst must be free); src is left empty and reusable */
void ev_move(struct event *dst, struct event *src);

/* deep copy of src into dst (dst must be free); a pending stays src's */
void ev_clone(struct event *dst, const struct event *src);
/* A record copied into one block of memory the caller provides (a sink's
 * queue to its writer thread: no allocation, no registry checks, where a
 * clone makes both for every field): img holds n = ev_image_size(e)
 * bytes, aligned for any type. dst reads like e but owns nothing: never
 * ev_free it, let the block go. The connection is e's pointer (copy it if
 * it may go first); no pending comes along. */
size_t ev_image_size(const struct event *e);
/* n rounded up to the alignment an image needs (a head placed before one) */
#define EV_IMAGE_ROUND(n) (((n) + _Alignof(max_align_t) - 1) / _Alignof(max_align_t) * _Alignof(max_align_t))
void ev_image(struct event *dst, void *img, size_t n, const struct event *src);
/* the parsing thread: a clone that keeps the record (a hold queue, a sink)
 * and so owns its pending from now on: ev_clone + ev_take_pending */
void ev_clone_taking(struct event *dst, const struct event *src);
/* give e a pending to own (NULL: nothing) */
void ev_set_pending(struct event *e, struct ev_pending *p);
/* the pending e owns, or NULL */
static inline struct ev_pending *ev_pending_of(const struct event *e) { return e->pending ? e->pending->p : NULL; }
/* the parsing thread: dst (a clone of src) owns src's pending from now on,
 * if src owned one */
void ev_take_pending(struct event *dst, const struct event *src);
/* the parsing thread: src's pending, for a holder that is not an event (a
 * sink's held image, which settles it); src owns it no more. NULL: none */
struct ev_pending *ev_give_pending(const struct event *src);
/* e owns nothing from now on; the pending it owned (the caller settles it), or NULL */
struct ev_pending *ev_release_pending(struct event *e);

/* adders on any fieldset of the event (fs == NULL means the top level). The
 * field is a registry descriptor, F(cname), of the adder's type; a field the
 * fieldset's record or object does not declare, a null where the registry
 * says it is never null, or a value outside its closed set aborts with a
 * message (unless NDEBUG): the output contract is checked as it is built. */
void fs_null_d(struct event *e, struct fieldset *fs, const struct fdesc *d);
#define fs_null(e, fs, f) fs_null_d((e), (fs), &(f)->d)
void fs_bool(struct event *e, struct fieldset *fs, const struct fld_t_bool *f, bool v);
void fs_int(struct event *e, struct fieldset *fs, const struct fld_t_int *f, int64_t v);
void fs_uint(struct event *e, struct fieldset *fs, const struct fld_t_uint *f, uint64_t v);
void fs_ts(struct event *e, struct fieldset *fs, const struct fld_t_ts *f, uint64_t ts_us);   /* a TS field */
void fs_str(struct event *e, struct fieldset *fs, const struct fld_t_str *f, const char *s);       /* NULL -> null */
void fs_strn(struct event *e, struct fieldset *fs, const struct fld_t_str *f, const char *s, size_t n);
void fs_strv(struct event *e, struct fieldset *fs, const struct fld_t_strv *f, const char *const *v, size_t n);
void fs_ranges(struct event *e, struct fieldset *fs, const struct fld_t_ranges *f, const uint64_t (*r)[2], size_t n);
struct fieldset *fs_obj(struct event *e, struct fieldset *fs, const struct fld_t_obj *f);
/* a map of unsigned integers with dynamic keys (copied): stats.anomalies... */
struct fieldset *fs_map(struct event *e, struct fieldset *fs, const struct fld_t_map *f);
void fs_map_uint(struct event *e, struct fieldset *map, const char *key, uint64_t v);

#define ev_null(e, f) fs_null((e), NULL, (f))
static inline void ev_bool(struct event *e, const struct fld_t_bool *f, bool v) { fs_bool(e, NULL, f, v); }
static inline void ev_int(struct event *e, const struct fld_t_int *f, int64_t v) { fs_int(e, NULL, f, v); }
static inline void ev_uint(struct event *e, const struct fld_t_uint *f, uint64_t v) { fs_uint(e, NULL, f, v); }
static inline void ev_ts(struct event *e, const struct fld_t_ts *f, uint64_t ts_us) { fs_ts(e, NULL, f, ts_us); }
static inline void ev_str(struct event *e, const struct fld_t_str *f, const char *s) { fs_str(e, NULL, f, s); }

/* sink unit tests only: let this event carry ad hoc descriptors (made-up
 * names exercising every value kind); never used by the analyzer */
static inline void ev_allow_adhoc(struct event *e) { e->adhoc = true; }

/* look a field up by descriptor (top level when fs == NULL); NULL when absent */
const struct field *ev_find_d(const struct event *e, const struct fieldset *fs, const struct fdesc *d);
#define ev_find(e, fs, f) ev_find_d((e), (fs), &(f)->d)
#define ev_has(e, f) (ev_find((e), NULL, (f)) != NULL)
/* the registry lets this record stand without a connection: a record type
 * declared WITH_CONN_UNLESS(cond) whose cond holds (a run-level anomaly) */
bool ev_conn_absent_ok(const struct event *e);
/* look a key up by name (maps, tests); NULL when absent */
const struct field *ev_get(const struct event *e, const struct fieldset *fs, const char *name);
/* copy a string into the event's arena */
const char *ev_strdup(struct event *e, const char *s, size_t n);

/* where finished records go (the analyzer fans them out to its sink) */
struct emitter {
    void (*emit)(void *u, const struct event *e);
    void *u;
    /* optional: conn is about to be freed (no record will name it again), so
     * whatever the receiver keeps per connection can go */
    void (*forget)(void *u, const struct conn_ref *conn);
};
static inline void emit(const struct emitter *em, const struct event *e) { em->emit(em->u, e); }

/* build and emit an anomaly record in one call */
void emit_anomaly(const struct emitter *em, uint64_t ts_us, const struct conn_ref *conn,
                  const char *name, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

#endif
