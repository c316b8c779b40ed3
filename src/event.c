/* event: typed named fields with an owned arena; see event.h. */
#include "event.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ev_chunk {
    struct ev_chunk *next;
    size_t used, cap;
    max_align_t align[];       /* data follows, suitably aligned */
};

#define EV_CHUNK_MIN 1024

static const char *const type_names[] = {
    [EV_CONN] = "conn", [EV_NBSS] = "nbss", [EV_SMB] = "smb", [EV_FILE] = "file",
    [EV_SESSION] = "session", [EV_ANOMALY] = "anomaly", [EV_SUPPRESSED] = "anomalies_suppressed",
    [EV_STATS] = "stats",
};

const char *ev_type_name(enum ev_type t) { return type_names[t]; }

/* allocate n bytes owned by the event; aborts only on out-of-memory, like
 * every allocation here (input can never make it fail: sizes are bounded) */
static void *ev_alloc(struct event *e, size_t n)
{
    n = (n + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
    struct ev_chunk *c = e->arena;
    if (!c || c->cap - c->used < n) {
        size_t cap = n > EV_CHUNK_MIN ? n : EV_CHUNK_MIN;
        c = malloc(sizeof *c + cap);
        if (!c)
            abort();
        c->used = 0;
        c->cap = cap;
        c->next = e->arena;
        e->arena = c;
    }
    void *p = (char *)c->align + c->used;
    c->used += n;
    return p;
}

void ev_init(struct event *e, enum ev_type t, uint64_t ts_us, const struct conn_ref *conn)
{
    memset(e, 0, sizeof *e);
    e->type = t;
    e->ts_us = ts_us;
    e->conn = conn;
}

void ev_free(struct event *e)
{
    struct ev_chunk *c = e->arena;
    while (c) {
        struct ev_chunk *n = c->next;
        free(c);
        c = n;
    }
    free(e->top.f);
    memset(e, 0, sizeof *e);
}

void ev_move(struct event *dst, struct event *src)
{
    *dst = *src;
    memset(src, 0, sizeof *src);
}

const char *ev_strdup(struct event *e, const char *s, size_t n)
{
    char *d = ev_alloc(e, n + 1);
    if (n)
        memcpy(d, s, n);
    d[n] = 0;
    return d;
}

/* the slot for `name` in fs: the existing one (replace in place) or a new one */
static struct field *slot(struct event *e, struct fieldset *fs, const char *name)
{
    if (!fs)
        fs = &e->top;
    for (size_t i = 0; i < fs->n; i++)
        if (strcmp(fs->f[i].name, name) == 0)
            return &fs->f[i];
    if (fs->n == fs->cap) {
        size_t cap = fs->cap ? fs->cap * 2 : 16;
        struct field *nf;
        if (fs == &e->top) {
            nf = realloc(fs->f, cap * sizeof *nf);
            if (!nf)
                abort();
        } else {
            /* nested sets live in the arena: grow by copying */
            nf = ev_alloc(e, cap * sizeof *nf);
            if (fs->n)
                memcpy(nf, fs->f, fs->n * sizeof *nf);
        }
        fs->f = nf;
        fs->cap = cap;
    }
    struct field *f = &fs->f[fs->n++];
    memset(f, 0, sizeof *f);
    f->name = name;
    return f;
}

void fs_null(struct event *e, struct fieldset *fs, const char *name) { slot(e, fs, name)->kind = F_NULL; }

void fs_bool(struct event *e, struct fieldset *fs, const char *name, bool v)
{
    struct field *f = slot(e, fs, name);
    f->kind = F_BOOL;
    f->v.b = v;
}

void fs_int(struct event *e, struct fieldset *fs, const char *name, int64_t v)
{
    struct field *f = slot(e, fs, name);
    f->kind = F_INT;
    f->v.i = v;
}

void fs_uint(struct event *e, struct fieldset *fs, const char *name, uint64_t v)
{
    struct field *f = slot(e, fs, name);
    f->kind = F_UINT;
    f->v.u = v;
}

void fs_strn(struct event *e, struct fieldset *fs, const char *name, const char *s, size_t n)
{
    struct field *f = slot(e, fs, name);
    if (!s) {
        f->kind = F_NULL;
        return;
    }
    f->kind = F_STR;
    f->v.s = ev_strdup(e, s, n);
}

void fs_str(struct event *e, struct fieldset *fs, const char *name, const char *s)
{
    fs_strn(e, fs, name, s, s ? strlen(s) : 0);
}

void fs_strv(struct event *e, struct fieldset *fs, const char *name, const char *const *v, size_t n)
{
    const char **copy = ev_alloc(e, (n ? n : 1) * sizeof *copy);
    for (size_t i = 0; i < n; i++)
        copy[i] = ev_strdup(e, v[i], strlen(v[i]));
    struct field *f = slot(e, fs, name);
    f->kind = F_STRV;
    f->v.sv.v = copy;
    f->v.sv.n = n;
}

void fs_ranges(struct event *e, struct fieldset *fs, const char *name, const uint64_t (*r)[2], size_t n)
{
    uint64_t (*copy)[2] = ev_alloc(e, (n ? n : 1) * sizeof *copy);
    if (n)
        memcpy(copy, r, n * sizeof *copy);
    struct field *f = slot(e, fs, name);
    f->kind = F_RANGES;
    f->v.rg.r = (const uint64_t(*)[2])copy;
    f->v.rg.n = n;
}

struct fieldset *fs_obj(struct event *e, struct fieldset *fs, const char *name)
{
    struct field *f = slot(e, fs, name);
    if (f->kind == F_OBJ)
        return f->v.obj;
    struct fieldset *o = ev_alloc(e, sizeof *o);
    memset(o, 0, sizeof *o);
    f = slot(e, fs, name); /* the set may have moved while allocating */
    f->kind = F_OBJ;
    f->v.obj = o;
    return o;
}

static void clone_set(struct event *e, struct fieldset *dst, const struct fieldset *src)
{
    for (size_t i = 0; i < src->n; i++) {
        const struct field *f = &src->f[i];
        switch (f->kind) {
        case F_NULL: fs_null(e, dst, f->name); break;
        case F_BOOL: fs_bool(e, dst, f->name, f->v.b); break;
        case F_INT: fs_int(e, dst, f->name, f->v.i); break;
        case F_UINT: fs_uint(e, dst, f->name, f->v.u); break;
        case F_STR: fs_str(e, dst, f->name, f->v.s); break;
        case F_STRV: fs_strv(e, dst, f->name, f->v.sv.v, f->v.sv.n); break;
        case F_RANGES: fs_ranges(e, dst, f->name, f->v.rg.r, f->v.rg.n); break;
        case F_OBJ: clone_set(e, fs_obj(e, dst, f->name), f->v.obj); break;
        }
    }
}

void ev_clone(struct event *dst, const struct event *src)
{
    ev_init(dst, src->type, src->ts_us, src->conn);
    clone_set(dst, &dst->top, &src->top);
}

const struct field *ev_get(const struct event *e, const struct fieldset *fs, const char *name)
{
    if (!fs)
        fs = &e->top;
    for (size_t i = 0; i < fs->n; i++)
        if (strcmp(fs->f[i].name, name) == 0)
            return &fs->f[i];
    return NULL;
}

bool ev_has(const struct event *e, const char *name) { return ev_get(e, NULL, name) != NULL; }

void emit_anomaly(const struct emitter *em, uint64_t ts_us, const struct conn_ref *conn,
                  const char *name, const char *fmt, ...)
{
    if (!em)
        return; /* callers without a sink (tests, probes) may pass none */
    struct event e;
    ev_init(&e, EV_ANOMALY, ts_us, conn);
    ev_str(&e, "name", name);
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    fs_strn(&e, NULL, "detail", buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
    emit(em, &e);
    ev_free(&e);
}
