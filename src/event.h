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

/* EV_SUPPRESSED: `anomalies_suppressed`, the anomaly records a connection
 * did not write (anomaly_budget.h); EV_STATS stays last */
enum ev_type { EV_CONN, EV_NBSS, EV_SMB, EV_FILE, EV_SESSION, EV_ANOMALY, EV_SUPPRESSED, EV_STATS };
const char *ev_type_name(enum ev_type t);

/* the connection every record (but stats) belongs to */
struct conn_ref {
    uint64_t num;              /* 1, 2, ... in order of first packet */
    char id[24];               /* "C<num>" */
    char community_id[48];     /* Community ID v1, "1:<base64>" */
    char client_ip[48];
    uint16_t client_port;
    char server_ip[48];
    uint16_t server_port;
    uint64_t start_us;
};

enum fkind { F_NULL, F_BOOL, F_INT, F_UINT, F_STR, F_STRV, F_RANGES, F_OBJ };

struct fieldset;

struct field {
    const char *name;          /* static string */
    enum fkind kind;
    union {
        bool b;
        int64_t i;
        uint64_t u;
        const char *s;                                    /* F_STR, owned by the event */
        struct { const char **v; size_t n; } sv;          /* F_STRV */
        struct { const uint64_t (*r)[2]; size_t n; } rg;  /* F_RANGES: [start, end) pairs */
        struct fieldset *obj;                             /* F_OBJ */
    } v;
};

struct fieldset {
    struct field *f;
    size_t n, cap;
};

struct ev_chunk;

struct event {
    enum ev_type type;
    uint64_t ts_us;
    const struct conn_ref *conn;   /* NULL for stats */
    struct fieldset top;
    struct ev_chunk *arena;        /* everything the event owns */
};

void ev_init(struct event *e, enum ev_type t, uint64_t ts_us, const struct conn_ref *conn);
void ev_free(struct event *e);
/* move src into dst (dst must be free); src is left empty and reusable */
void ev_move(struct event *dst, struct event *src);

/* deep copy of src into dst (dst must be free) */
void ev_clone(struct event *dst, const struct event *src);

/* adders on any fieldset of the event (fs == NULL means the top level) */
void fs_null(struct event *e, struct fieldset *fs, const char *name);
void fs_bool(struct event *e, struct fieldset *fs, const char *name, bool v);
void fs_int(struct event *e, struct fieldset *fs, const char *name, int64_t v);
void fs_uint(struct event *e, struct fieldset *fs, const char *name, uint64_t v);
void fs_str(struct event *e, struct fieldset *fs, const char *name, const char *s);       /* NULL -> null */
void fs_strn(struct event *e, struct fieldset *fs, const char *name, const char *s, size_t n);
void fs_strv(struct event *e, struct fieldset *fs, const char *name, const char *const *v, size_t n);
void fs_ranges(struct event *e, struct fieldset *fs, const char *name, const uint64_t (*r)[2], size_t n);
struct fieldset *fs_obj(struct event *e, struct fieldset *fs, const char *name);

static inline void ev_null(struct event *e, const char *n) { fs_null(e, NULL, n); }
static inline void ev_bool(struct event *e, const char *n, bool v) { fs_bool(e, NULL, n, v); }
static inline void ev_int(struct event *e, const char *n, int64_t v) { fs_int(e, NULL, n, v); }
static inline void ev_uint(struct event *e, const char *n, uint64_t v) { fs_uint(e, NULL, n, v); }
static inline void ev_str(struct event *e, const char *n, const char *s) { fs_str(e, NULL, n, s); }

/* look a field up (top level when fs == NULL); NULL when absent */
const struct field *ev_get(const struct event *e, const struct fieldset *fs, const char *name);
bool ev_has(const struct event *e, const char *name);
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
