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

#define EV_CHUNK_MIN (1024 - sizeof(struct ev_chunk))
/* a record's first field array: SMB and file records carry 17-20 fields
 * besides the envelope, so 16 made every second record grow it once */
#define EV_TOP_FIELDS_FIRST 32

static const char *const type_names[] = {
    [EV_CONN] = "conn", [EV_NBSS] = "nbss", [EV_SMB] = "smb", [EV_FILE] = "file",
    [EV_SESSION] = "session", [EV_ANOMALY] = "anomaly", [EV_DCERPC] = "dcerpc",
    [EV_DCERPC_BIND] = "dcerpc_bind", [EV_SUPPRESSED] = "anomalies_suppressed", [EV_NOTICE] = "notice",
    [EV_STATS] = "stats",
    [EV_SUMMARY] = "summary",
};

const char *ev_type_name(enum ev_type t) { return type_names[t]; }

/* allocate n bytes owned by the event; aborts only on out-of-memory, like
 * every allocation here (input can never make it fail: sizes are bounded) */
static void *ev_alloc(struct event *e, size_t n)
{
    n = EV_IMAGE_ROUND(n);
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
    e->top.scope = fld_record_scope((int)t);
}

void ev_free(struct event *e)
{
    struct ev_pending *p = ev_release_pending(e);
    if (p)
        p->settle(p, NULL, true);
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

#ifndef NDEBUG
/* the contract is broken by the code, never by input: say where and stop */
static void violation(const struct event *e, const struct fieldset *fs, const char *key, const char *why)
{
    const char *where = fs && fs->scope >= 0 && fs->scope < SC_COUNT ? fld_scopes[fs->scope].name : "map";
    fprintf(stderr, "smbscope: field registry violation: %s record, %s.%s: %s (declare it in src/output/fields.def)\n",
            ev_type_name(e->type), where, key, why);
    abort();
}
#endif

/* check that fs may carry d and return its member line (NULL for ad hoc) */
static const struct fld_member *check_member(const struct event *e, const struct fieldset *fs,
                                             const struct fdesc *d)
{
    const struct fld_member *m = fld_member(fs->scope, d);
#ifndef NDEBUG
    if (!m && !e->adhoc)
        violation(e, fs, d->name, "not declared here");
#else
    (void)e;
#endif
    return m;
}

static void check_null(const struct event *e, const struct fieldset *fs, const struct fld_member *m)
{
#ifndef NDEBUG
    if (m && !e->adhoc && !(m->flags & FM_N))
        violation(e, fs, m->d->name, "null where the registry says never null");
#else
    (void)e, (void)fs, (void)m;
#endif
}

static void check_str(const struct event *e, const struct fieldset *fs, const struct fdesc *d, const char *s)
{
#ifndef NDEBUG
    const char *const *v = d->check ? d->check->values : NULL;
    if (!v || e->adhoc)
        return;
    for (; *v; v++)
        if (strcmp(*v, s) == 0)
            return;
    violation(e, fs, d->name, s);
#else
    (void)e, (void)fs, (void)d, (void)s;
#endif
}

static void check_uint(const struct event *e, const struct fieldset *fs, const struct fdesc *d, uint64_t u)
{
#ifndef NDEBUG
    if (!e->adhoc && d->check && d->check->umax && u > d->check->umax)
        violation(e, fs, d->name, "above the declared maximum");
#else
    (void)e, (void)fs, (void)d, (void)u;
#endif
}

/* the slot for key in fs: the existing one (replace in place) or a new one;
 * d == NULL for a map's entries (looked up by name) */
static struct field *slot(struct event *e, struct fieldset *fs, const struct fdesc *d, const char *key)
{
    /* a record's fields are nearly all new: the search (one per add, over
     * all the fields before it) runs only when the descriptor's bit says
     * it may be there; ad hoc descriptors (id -1) share bit 63 */
    uint64_t bit = d ? 1ull << ((unsigned)d->id & 63) : 0;
    if (!d || (fs->seen & bit))
        for (size_t i = 0; i < fs->n; i++)
            if (d ? fs->f[i].d == d : strcmp(fs->f[i].name, key) == 0)
                return &fs->f[i];
    if (fs->n == fs->cap) {
        size_t cap = fs->cap ? fs->cap * 2 : fs == &e->top ? EV_TOP_FIELDS_FIRST : 16;
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
    fs->seen |= bit;
    struct field *f = &fs->f[fs->n++];
    memset(f, 0, sizeof *f);
    f->name = key;
    f->d = d;
    return f;
}

static struct fieldset *set_of(struct event *e, struct fieldset *fs)
{
    if (fs)
        return fs;
    e->top.scope = fld_record_scope((int)e->type);
    return &e->top;
}

/* the slot for descriptor d, checked against the registry, holding a value of kind */
static struct field *dslot(struct event *e, struct fieldset **fs, const struct fdesc *d, enum fkind kind)
{
    *fs = set_of(e, *fs);
    check_member(e, *fs, d);
    struct field *f = slot(e, *fs, d, d->name);
    f->kind = kind;
    return f;
}

void fs_null_d(struct event *e, struct fieldset *fs, const struct fdesc *d)
{
    fs = set_of(e, fs);
    const struct fld_member *m = check_member(e, fs, d);
    check_null(e, fs, m);
    slot(e, fs, d, d->name)->kind = F_NULL;
}

void fs_bool(struct event *e, struct fieldset *fs, const struct fld_t_bool *fd, bool v)
{
    dslot(e, &fs, &fd->d, F_BOOL)->v.b = v;
}

void fs_int(struct event *e, struct fieldset *fs, const struct fld_t_int *fd, int64_t v)
{
    dslot(e, &fs, &fd->d, F_INT)->v.i = v;
}

void fs_uint(struct event *e, struct fieldset *fs, const struct fld_t_uint *fd, uint64_t v)
{
    struct field *f = dslot(e, &fs, &fd->d, F_UINT);
    check_uint(e, fs, &fd->d, v);
    f->v.u = v;
}

void fs_ts(struct event *e, struct fieldset *fs, const struct fld_t_ts *fd, uint64_t ts_us)
{
    dslot(e, &fs, &fd->d, F_TS)->v.u = ts_us;
}

void fs_strn(struct event *e, struct fieldset *fs, const struct fld_t_str *fd, const char *s, size_t n)
{
    if (!s) {
        fs_null_d(e, fs, &fd->d);
        return;
    }
    const char *copy = ev_strdup(e, s, n); /* before the slot: allocating never moves a set, but stay simple */
    struct field *f = dslot(e, &fs, &fd->d, F_STR);
    check_str(e, fs, &fd->d, copy);
    f->v.s = copy;
}

void fs_str(struct event *e, struct fieldset *fs, const struct fld_t_str *fd, const char *s)
{
    fs_strn(e, fs, fd, s, s ? strlen(s) : 0);
}

void fs_strv(struct event *e, struct fieldset *fs, const struct fld_t_strv *fd, const char *const *v, size_t n)
{
    const char **copy = ev_alloc(e, (n ? n : 1) * sizeof *copy);
    for (size_t i = 0; i < n; i++)
        copy[i] = ev_strdup(e, v[i], strlen(v[i]));
    struct field *f = dslot(e, &fs, &fd->d, F_STRV);
    f->v.sv.v = copy;
    f->v.sv.n = n;
}

void fs_ranges(struct event *e, struct fieldset *fs, const struct fld_t_ranges *fd, const uint64_t (*r)[2],
               size_t n)
{
    uint64_t (*copy)[2] = ev_alloc(e, (n ? n : 1) * sizeof *copy);
    if (n)
        memcpy(copy, r, n * sizeof *copy);
    struct field *f = dslot(e, &fs, &fd->d, F_RANGES);
    f->v.rg.r = (const uint64_t(*)[2])copy;
    f->v.rg.n = n;
}

static struct fieldset *sub_set(struct event *e, struct fieldset *fs, const struct fdesc *d, int scope,
                                const struct fdesc *map)
{
    fs = set_of(e, fs);
    check_member(e, fs, d);
    struct field *f = slot(e, fs, d, d->name);
    if (f->kind == F_OBJ)
        return f->v.obj;
    struct fieldset *o = ev_alloc(e, sizeof *o);
    memset(o, 0, sizeof *o);
    o->scope = scope;
    o->map = map;
    f = slot(e, fs, d, d->name); /* the set may have moved while allocating */
    f->kind = F_OBJ;
    f->v.obj = o;
    return o;
}

struct fieldset *fs_obj(struct event *e, struct fieldset *fs, const struct fld_t_obj *fd)
{
    return sub_set(e, fs, &fd->d, fd->d.child, NULL);
}

struct fieldset *fs_map(struct event *e, struct fieldset *fs, const struct fld_t_map *fd)
{
    return sub_set(e, fs, &fd->d, -1, &fd->d);
}

void fs_map_uint(struct event *e, struct fieldset *map, const char *key, uint64_t v)
{
#ifndef NDEBUG
    if (!map->map && !e->adhoc)
        violation(e, map, key, "not a map");
    if (map->map)
        check_str(e, map, map->map, key);
#endif
    struct field *f = slot(e, map, NULL, key);
    if (f->name == key)
        f->name = ev_strdup(e, key, strlen(key));
    f->kind = F_UINT;
    f->v.u = v;
}

/* the descriptor of an ad hoc field, as the typed adders want it */
#define AS(type, d) ((const struct type *)(const void *)(d))

static void clone_set(struct event *e, struct fieldset *dst, const struct fieldset *src)
{
    for (size_t i = 0; i < src->n; i++) {
        const struct field *f = &src->f[i];
        if (!f->d) {
            fs_map_uint(e, dst, f->name, f->v.u);
            continue;
        }
        switch (f->kind) {
        case F_NULL: fs_null_d(e, dst, f->d); break;
        case F_BOOL: fs_bool(e, dst, AS(fld_t_bool, f->d), f->v.b); break;
        case F_INT: fs_int(e, dst, AS(fld_t_int, f->d), f->v.i); break;
        case F_UINT: fs_uint(e, dst, AS(fld_t_uint, f->d), f->v.u); break;
        case F_TS: fs_ts(e, dst, AS(fld_t_ts, f->d), f->v.u); break;
        case F_STR: fs_str(e, dst, AS(fld_t_str, f->d), f->v.s); break;
        case F_STRV: fs_strv(e, dst, AS(fld_t_strv, f->d), f->v.sv.v, f->v.sv.n); break;
        case F_RANGES: fs_ranges(e, dst, AS(fld_t_ranges, f->d), f->v.rg.r, f->v.rg.n); break;
        case F_OBJ:
            clone_set(e, sub_set(e, dst, f->d, f->v.obj->scope, f->v.obj->map), f->v.obj);
            break;
        }
    }
}

void ev_clone(struct event *dst, const struct event *src)
{
    ev_init(dst, src->type, src->ts_us, src->conn);
    dst->adhoc = src->adhoc;
    clone_set(dst, set_of(dst, NULL), &src->top);
}

void ev_set_pending(struct event *e, struct ev_pending *p)
{
    if (!p)
        return;
    if (!e->pending)
        e->pending = ev_alloc(e, sizeof *e->pending);
    e->pending->p = p;
}

struct ev_pending *ev_give_pending(const struct event *src)
{
    struct ev_pending *p = ev_pending_of(src);
    if (p)
        src->pending->p = NULL; /* the cell is src's own memory, not the pending's */
    return p;
}

void ev_take_pending(struct event *dst, const struct event *src)
{
    ev_set_pending(dst, ev_give_pending(src));
}

void ev_clone_taking(struct event *dst, const struct event *src)
{
    ev_clone(dst, src);
    ev_take_pending(dst, src);
}

struct ev_pending *ev_release_pending(struct event *e)
{
    struct ev_pending *p = ev_pending_of(e);
    if (p)
        e->pending->p = NULL;
    return p;
}

const struct field *ev_find_d(const struct event *e, const struct fieldset *fs, const struct fdesc *d)
{
    if (!fs)
        fs = &e->top;
    for (size_t i = 0; i < fs->n; i++)
        if (fs->f[i].d == d)
            return &fs->f[i];
    return NULL;
}

bool ev_conn_absent_ok(const struct event *e)
{
    int sc = fld_record_scope((int)e->type);
    if (sc < 0 || fld_scopes[sc].conn_absent_when == FC_ANY)
        return false;
    const struct fld_cond *c = &fld_conds[fld_scopes[sc].conn_absent_when];
    const struct field *f = ev_find_d(e, NULL, c->d);
    if (!f || f->kind != F_STR)
        return false;
    for (const char *const *v = c->check->values; *v; v++)
        if (strcmp(*v, f->v.s) == 0)
            return true;
    return false;
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

void emit_anomaly(const struct emitter *em, uint64_t ts_us, const struct conn_ref *conn,
                  const char *name, const char *fmt, ...)
{
    if (!em)
        return; /* callers without a sink (tests, probes) may pass none */
    struct event e;
    ev_init(&e, EV_ANOMALY, ts_us, conn);
    ev_str(&e, F(anomaly_name), name);
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    fs_strn(&e, NULL, F(detail), buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
    emit(em, &e);
    ev_free(&e);
}

/* images: the aligned part (field arrays, nested sets, string vectors,
 * ranges) from the block's start, the strings after it, so only the
 * aligned part's own items are padded */
static void set_image_size(const struct fieldset *fs, size_t *al, size_t *str)
{
    *al += EV_IMAGE_ROUND(fs->n * sizeof *fs->f);
    for (size_t i = 0; i < fs->n; i++) {
        const struct field *f = &fs->f[i];
        if (!f->d)
            *str += strlen(f->name) + 1; /* a map's key, owned by the event */
        switch (f->kind) {
        case F_STR: *str += f->v.s ? strlen(f->v.s) + 1 : 0; break;
        case F_STRV:
            *al += EV_IMAGE_ROUND(f->v.sv.n * sizeof *f->v.sv.v);
            for (size_t j = 0; j < f->v.sv.n; j++)
                *str += strlen(f->v.sv.v[j]) + 1;
            break;
        case F_RANGES: *al += EV_IMAGE_ROUND(f->v.rg.n * sizeof *f->v.rg.r); break;
        case F_OBJ:
            *al += EV_IMAGE_ROUND(sizeof *f->v.obj);
            set_image_size(f->v.obj, al, str);
            break;
        default: break;
        }
    }
}

size_t ev_image_size(const struct event *e)
{
    size_t al = 0, str = 0;
    set_image_size(&e->top, &al, &str);
    return al + str;
}

struct image_cursor {
    char *al, *str;
};

static void *img_take(struct image_cursor *c, size_t n)
{
    void *p = c->al;
    c->al += EV_IMAGE_ROUND(n);
    return p;
}

/* strings fill the block from its end down: where they start need not be known */
static const char *img_str(struct image_cursor *c, const char *s)
{
    size_t n = strlen(s) + 1;
    c->str -= n;
    return memcpy(c->str, s, n);
}

static void set_image(struct image_cursor *c, struct fieldset *dst, const struct fieldset *src)
{
    *dst = *src;
    dst->cap = src->n;
    dst->f = img_take(c, src->n * sizeof *src->f);
    if (src->n)
        memcpy(dst->f, src->f, src->n * sizeof *src->f);
    for (size_t i = 0; i < src->n; i++) {
        struct field *f = &dst->f[i];
        if (!f->d)
            f->name = img_str(c, f->name);
        switch (f->kind) {
        case F_STR:
            if (f->v.s)
                f->v.s = img_str(c, f->v.s);
            break;
        case F_STRV: {
            const char **v = img_take(c, f->v.sv.n * sizeof *v);
            for (size_t j = 0; j < f->v.sv.n; j++)
                v[j] = img_str(c, f->v.sv.v[j]);
            f->v.sv.v = v;
            break;
        }
        case F_RANGES: {
            uint64_t (*r)[2] = img_take(c, f->v.rg.n * sizeof *r);
            if (f->v.rg.n)
                memcpy(r, f->v.rg.r, f->v.rg.n * sizeof *r);
            f->v.rg.r = (const uint64_t(*)[2])r;
            break;
        }
        case F_OBJ: {
            struct fieldset *o = img_take(c, sizeof *o);
            set_image(c, o, f->v.obj);
            f->v.obj = o;
            break;
        }
        default: break;
        }
    }
}

void ev_image(struct event *dst, void *img, size_t n, const struct event *src)
{
    struct image_cursor c = {img, (char *)img + n};
    *dst = *src;
    dst->arena = NULL;
    dst->pending = NULL;
    set_image(&c, &dst->top, &src->top);
}
