/* event: records with named fields, all memory in a per-event arena of chunks.
 *
 * Field arrays and copied strings are bump-allocated from malloc'd chunks that
 * ev_free releases in one sweep, so a dissector never tracks what it added.
 * Growing a field array copies it into a fresh arena block and abandons the old
 * one (doubling keeps the waste below the live size). On allocation failure the
 * field is silently dropped: a record missing a field beats aborting a run. */
#include <stdarg.h>
#include <stdalign.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"

#define EV_CHUNK 1024u   /* typical record fits one chunk */
#define EV_ALIGN alignof(max_align_t)

struct ev_chunk {
    struct ev_chunk *next;
    size_t used, cap;
    alignas(max_align_t) unsigned char mem[];
};

const char *ev_type_name(enum ev_type t)
{
    switch (t) {
    case EV_CONN: return "conn";
    case EV_NBSS: return "nbss";
    case EV_SMB: return "smb";
    case EV_FILE: return "file";
    case EV_SESSION: return "session";
    case EV_ANOMALY: return "anomaly";
    case EV_STATS: return "stats";
    }
    return "unknown";
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
    e->arena = NULL;
    e->top = (struct fieldset){0};
}

void ev_move(struct event *dst, struct event *src)
{
    *dst = *src;
    src->arena = NULL;
    src->top = (struct fieldset){0};
}

static void *ev_alloc(struct event *e, size_t n)
{
    size_t need = (n + EV_ALIGN - 1) & ~(EV_ALIGN - 1);
    if (need < n)
        return NULL;
    struct ev_chunk *c = e->arena;
    if (!c || c->cap - c->used < need) {
        size_t cap = need > EV_CHUNK ? need : EV_CHUNK;
        if (cap > SIZE_MAX - sizeof *c)
            return NULL;
        struct ev_chunk *nc = malloc(sizeof *nc + cap);
        if (!nc)
            return NULL;
        nc->used = 0;
        nc->cap = cap;
        /* a big one-off block goes behind the current chunk so the current
         * chunk's free space stays usable for small fields */
        if (c && need > EV_CHUNK) {
            nc->next = c->next;
            c->next = nc;
        } else {
            nc->next = c;
            e->arena = nc;
        }
        c = nc;
    }
    void *p = c->mem + c->used;
    c->used += need;
    return p;
}

const char *ev_strdup(struct event *e, const char *s, size_t n)
{
    if (n == SIZE_MAX)
        return NULL;
    char *d = ev_alloc(e, n + 1);
    if (!d)
        return NULL;
    if (n)
        memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

/* the slot for `name` in fs: the existing one (replaced in place, so key order
 * stays that of the first set) or a new one at the end */
static struct field *fs_slot(struct event *e, struct fieldset *fs, const char *name)
{
    if (!fs)
        fs = &e->top;
    for (size_t i = 0; i < fs->n; i++)
        if (strcmp(fs->f[i].name, name) == 0)
            return &fs->f[i];
    if (fs->n == fs->cap) {
        size_t cap = fs->cap ? fs->cap * 2 : 8;
        struct field *nf = ev_alloc(e, cap * sizeof *nf);
        if (!nf)
            return NULL;
        if (fs->n)
            memcpy(nf, fs->f, fs->n * sizeof *nf);
        fs->f = nf;
        fs->cap = cap;
    }
    struct field *f = &fs->f[fs->n++];
    memset(f, 0, sizeof *f);
    f->name = name;
    return f;
}

void fs_null(struct event *e, struct fieldset *fs, const char *name)
{
    struct field *f = fs_slot(e, fs, name);
    if (f)
        f->kind = F_NULL;
}

void fs_bool(struct event *e, struct fieldset *fs, const char *name, bool v)
{
    struct field *f = fs_slot(e, fs, name);
    if (f) {
        f->kind = F_BOOL;
        f->v.b = v;
    }
}

void fs_int(struct event *e, struct fieldset *fs, const char *name, int64_t v)
{
    struct field *f = fs_slot(e, fs, name);
    if (f) {
        f->kind = F_INT;
        f->v.i = v;
    }
}

void fs_uint(struct event *e, struct fieldset *fs, const char *name, uint64_t v)
{
    struct field *f = fs_slot(e, fs, name);
    if (f) {
        f->kind = F_UINT;
        f->v.u = v;
    }
}

void fs_strn(struct event *e, struct fieldset *fs, const char *name, const char *s, size_t n)
{
    if (!s) {
        fs_null(e, fs, name);
        return;
    }
    /* copy before taking the slot: s may point into this event's arena */
    const char *c = ev_strdup(e, s, n);
    struct field *f = fs_slot(e, fs, name);
    if (!f)
        return;
    if (!c) {
        f->kind = F_NULL;
        return;
    }
    f->kind = F_STR;
    f->v.s = c;
}

void fs_str(struct event *e, struct fieldset *fs, const char *name, const char *s)
{
    fs_strn(e, fs, name, s, s ? strlen(s) : 0);
}

void fs_strv(struct event *e, struct fieldset *fs, const char *name, const char *const *v, size_t n)
{
    const char **cv = NULL;
    if (n) {
        if (n > SIZE_MAX / sizeof *cv)
            return;
        cv = ev_alloc(e, n * sizeof *cv);
        if (!cv)
            return;
        for (size_t i = 0; i < n; i++) {
            cv[i] = v[i] ? ev_strdup(e, v[i], strlen(v[i])) : ev_strdup(e, "", 0);
            if (!cv[i])
                return;
        }
    }
    struct field *f = fs_slot(e, fs, name);
    if (f) {
        f->kind = F_STRV;
        f->v.sv.v = cv;
        f->v.sv.n = n;
    }
}

void fs_ranges(struct event *e, struct fieldset *fs, const char *name, const uint64_t (*r)[2], size_t n)
{
    uint64_t (*cr)[2] = NULL;
    if (n) {
        if (n > SIZE_MAX / sizeof *cr)
            return;
        cr = ev_alloc(e, n * sizeof *cr);
        if (!cr)
            return;
        memcpy(cr, r, n * sizeof *cr);
    }
    struct field *f = fs_slot(e, fs, name);
    if (f) {
        f->kind = F_RANGES;
        f->v.rg.r = (const uint64_t (*)[2])cr;
        f->v.rg.n = n;
    }
}

struct fieldset *fs_obj(struct event *e, struct fieldset *fs, const char *name)
{
    struct fieldset *o = ev_alloc(e, sizeof *o);
    if (!o)
        return NULL;
    memset(o, 0, sizeof *o);
    struct field *f = fs_slot(e, fs, name);
    if (!f)
        return NULL;
    f->kind = F_OBJ;
    f->v.obj = o;
    return o;
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

bool ev_has(const struct event *e, const char *name)
{
    return ev_get(e, NULL, name) != NULL;
}

void emit_anomaly(const struct emitter *em, uint64_t ts_us, const struct conn_ref *conn,
                  const char *name, const char *fmt, ...)
{
    if (!em || !em->emit)
        return;
    struct event e;
    ev_init(&e, EV_ANOMALY, ts_us, conn);
    ev_str(&e, "name", name);
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n >= 0) {
        char *d = ev_alloc(&e, (size_t)n + 1);
        if (d) {
            vsnprintf(d, (size_t)n + 1, fmt, ap2);
            struct field *f = fs_slot(&e, NULL, "detail");
            if (f) {
                f->kind = F_STR;
                f->v.s = d;
            }
        }
    }
    va_end(ap2);
    emit(em, &e);
    ev_free(&e);
}
