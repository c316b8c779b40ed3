/* out_json: a record as one JSON object on one line (NDJSON), schema FIELDS_SCHEMA_VERSION
 * (smbscope.schema.json, generated from src/output/fields.def); the sink that writes the lines is
 * out_json_sink.c. */
#include <stdlib.h>
#include <string.h>

#include "json_render.h"
#include "sink.h"

/* the civil (proleptic Gregorian) date of day z since 1970-01-01 (z >= 0),
 * by whole 400-year eras of 146097 days; arithmetic instead of gmtime_r and
 * strftime, which cost as much as the rest of a short record together */
static void civil_from_days(uint64_t z, uint64_t *y, unsigned *m, unsigned *d)
{
    z += 719468; /* days from 0000-03-01, where an era starts, to 1970-01-01 */
    uint64_t era = z / 146097;
    unsigned doe = (unsigned)(z - era * 146097);                           /* [0, 146096] */
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;  /* [0, 399] */
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);                /* [0, 365], from March 1 */
    unsigned mp = (5 * doy + 2) / 153;                                     /* [0, 11], March = 0 */
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = era * 400 + yoe + (*m <= 2);
}

static char *put_digits(char *w, uint64_t v, int width)
{
    char t[24];
    int n = 0;
    do {
        t[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n < width)
        t[n++] = '0';
    while (n)
        *w++ = t[--n];
    return w;
}

void format_ts(uint64_t ts_us, char *buf, size_t cap)
{
    uint64_t sec = ts_us / 1000000u, y;
    unsigned mo, d, sod = (unsigned)(sec % 86400);
    civil_from_days(sec / 86400, &y, &mo, &d);
    char t[48], *w = t;
    w = put_digits(w, y, 4);
    *w++ = '-';
    w = put_digits(w, mo, 2);
    *w++ = '-';
    w = put_digits(w, d, 2);
    *w++ = 'T';
    w = put_digits(w, sod / 3600, 2);
    *w++ = ':';
    w = put_digits(w, sod / 60 % 60, 2);
    *w++ = ':';
    w = put_digits(w, sod % 60, 2);
    *w++ = '.';
    w = put_digits(w, ts_us % 1000000u, 6);
    *w++ = 'Z';
    size_t n = (size_t)(w - t);
    if (cap == 0)
        return;
    if (n >= cap)
        n = cap - 1;
    memcpy(buf, t, n);
    buf[n] = '\0';
}

/* The line is written straight into a buffer the sink keeps, not built as a
 * jansson tree and dumped: a tree costs a hash table per object and an
 * allocation per value, half of a run over many short sessions. The bytes
 * are what jansson's json_dumps(JSON_COMPACT | JSON_PRESERVE_ORDER) wrote
 * (tests/unit/test_out_json.c keeps that as an oracle and compares), plus
 * the escapes below that jansson leaves raw. */
struct jbuf {
    char *p;
    size_t n, cap;
    bool oom;
};

/* false (and oom set, nothing written from then on) when the buffer cannot grow */
static bool jb_grow(struct jbuf *b, size_t n)
{
    if (b->oom)
        return false;
    size_t cap = b->cap ? b->cap : 1024;
    while (cap - b->n < n + 1)
        cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) {
        b->oom = true;
        return false;
    }
    b->p = p;
    b->cap = cap;
    return true;
}

/* n bytes; one byte is always left for the terminating NUL */
static inline void jb_put(struct jbuf *b, const void *s, size_t n)
{
    if (b->cap - b->n < n + 1 && !jb_grow(b, n))
        return;
    memcpy(b->p + b->n, s, n);
    b->n += n;
}

static void jb_lit(struct jbuf *b, const char *s) { jb_put(b, s, strlen(s)); }

static void jb_char(struct jbuf *b, char c) { jb_put(b, &c, 1); }

static void jb_int(struct jbuf *b, long long v)
{
    char t[24], *w = t;
    if (v < 0)
        *w++ = '-';
    /* the magnitude as unsigned: -LLONG_MIN does not fit a long long */
    w = put_digits(w, v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v, 1);
    jb_put(b, t, (size_t)(w - t));
}

/* JSON consumers read 64-bit signed at best: saturate rather than wrap (sink.h) */
static void jb_uint(struct jbuf *b, uint64_t u) { jb_int(b, (long long)sink_uint(u)); }

static void jb_u_escape(struct jbuf *b, unsigned cp)
{
    char t[8];
    snprintf(t, sizeof t, "\\u%04X", cp); /* upper case hex, as jansson writes its escapes */
    jb_put(b, t, 6);
}

/* the length of the UTF-8 sequence at p and its code point, or 0 when it is
 * not valid UTF-8 by jansson's rules (RFC 3629: no overlong forms, no
 * surrogates, nothing past U+10FFFF); stops at the terminating NUL */
static size_t utf8_seq(const unsigned char *p, unsigned *cp)
{
    unsigned c = p[0], v;
    size_t len;
    if (c < 0xc2)
        return 0; /* a lone continuation byte, or the start of an overlong 2-byte form */
    if (c < 0xe0) {
        len = 2;
        v = c & 0x1f;
    } else if (c < 0xf0) {
        len = 3;
        v = c & 0x0f;
    } else if (c < 0xf5) {
        len = 4;
        v = c & 0x07;
    } else {
        return 0;
    }
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        v = v << 6 | (p[i] & 0x3f);
    }
    if ((len == 3 && v < 0x800) || (len == 4 && v < 0x10000) || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
        return 0;
    *cp = v;
    return len;
}

/* a byte written as is: printable ASCII but the quote and the backslash */
static inline bool plain_byte(unsigned c) { return c >= 0x20 && c < 0x7f && c != '"' && c != '\\'; }

#define BYTES_01 0x0101010101010101ull
#define BYTES_80 0x8080808080808080ull

/* some byte of x is zero (exact as a yes/no; Hacker's Delight 6-1) */
static inline uint64_t swar_zero(uint64_t x) { return (x - BYTES_01) & ~x & BYTES_80; }

/* some byte of x is not plain_byte's: 0x80 and up, below 0x20 (the same
 * borrow trick, exact as a yes/no for bounds up to 0x80), DEL, quote or
 * backslash */
static inline bool swar_special(uint64_t x)
{
    return ((x & BYTES_80) | ((x - BYTES_01 * 0x20) & ~x & BYTES_80) | swar_zero(x ^ (BYTES_01 * 0x7f)) |
            swar_zero(x ^ (BYTES_01 * '"')) | swar_zero(x ^ (BYTES_01 * '\\'))) != 0;
}

/* the plain bytes from p on: eight at a time (a string is mostly plain, and
 * escaping was a third of rendering a record), never reading past end */
static const unsigned char *plain_run(const unsigned char *p, const unsigned char *end)
{
    uint64_t x;
    while (end - p >= 8 && (memcpy(&x, p, 8), !swar_special(x)))
        p += 8;
    while (p < end && plain_byte(*p))
        p++;
    return p;
}

/* s as a JSON string; null when s is NULL or not valid UTF-8 (what jansson
 * made of it: it refuses such strings). Escaped: quote, backslash, every C0
 * control (\b \f \n \r \t, else \u00XX), and also DEL, the C1 controls and
 * U+2028/U+2029, which can end a line for some reader (Python's
 * str.splitlines() at U+0085, JavaScript before ES2019 at U+2028/U+2029) or
 * drive a terminal. Everything else is written as is. False when null. */
static bool jb_str(struct jbuf *b, const char *s)
{
    if (!s) {
        jb_lit(b, "null");
        return false;
    }
    size_t mark = b->n;
    jb_char(b, '"');
    const unsigned char *p = (const unsigned char *)s, *end = p + strlen(s);
    for (;;) {
        const unsigned char *q = plain_run(p, end);
        jb_put(b, p, (size_t)(q - p));
        p = q;
        unsigned c = *p;
        if (!c)
            break;
        if (c < 0x80) {
            switch (c) {
            case '"': jb_lit(b, "\\\""); break;
            case '\\': jb_lit(b, "\\\\"); break;
            case '\b': jb_lit(b, "\\b"); break;
            case '\f': jb_lit(b, "\\f"); break;
            case '\n': jb_lit(b, "\\n"); break;
            case '\r': jb_lit(b, "\\r"); break;
            case '\t': jb_lit(b, "\\t"); break;
            default: jb_u_escape(b, c); break; /* the other C0 controls, and DEL */
            }
            p++;
            continue;
        }
        unsigned cp;
        size_t len = utf8_seq(p, &cp);
        if (!len) {
            b->n = mark;
            jb_lit(b, "null");
            return false;
        }
        if ((cp >= 0x80 && cp <= 0x9f) || cp == 0x2028 || cp == 0x2029)
            jb_u_escape(b, cp);
        else
            jb_put(b, p, len);
        p += len;
    }
    jb_char(b, '"');
    return true;
}

static void jb_fieldset(struct jbuf *b, const struct fieldset *fs);
static void jb_field(struct jbuf *b, const struct field *f);

/* ",name:value" (no comma for the first); a member whose name is not a
 * valid string is left out, as jansson refused to set it */
static void jb_member(struct jbuf *b, bool *first, const struct field *f)
{
    size_t mark = b->n;
    if (!*first)
        jb_char(b, ',');
    if (f->d && f->d->id >= 0) {
        /* a registry key is a plain lowercase identifier (test_fields pins
         * it): nothing to escape, so no scan for it (one per member) */
        jb_char(b, '"');
        jb_lit(b, f->name);
        jb_put(b, "\":", 2);
        jb_field(b, f);
        *first = false;
        return;
    }
    if (!jb_str(b, f->name)) {
        b->n = mark;
        return;
    }
    jb_char(b, ':');
    jb_field(b, f);
    *first = false;
}

static void jb_field(struct jbuf *b, const struct field *f)
{
    switch (f->kind) {
    case F_NULL: jb_lit(b, "null"); return;
    case F_BOOL: jb_lit(b, f->v.b ? "true" : "false"); return;
    case F_INT: jb_int(b, (long long)f->v.i); return;
    case F_UINT: jb_uint(b, f->v.u); return;
    case F_STR: jb_str(b, f->v.s); return;
    case F_STRV: {
        /* an element that is not a string jansson would take was left out */
        jb_char(b, '[');
        bool first = true;
        for (size_t i = 0; i < f->v.sv.n; i++) {
            size_t mark = b->n;
            if (!first)
                jb_char(b, ',');
            if (jb_str(b, f->v.sv.v[i]))
                first = false;
            else
                b->n = mark;
        }
        jb_char(b, ']');
        return;
    }
    case F_RANGES:
        jb_char(b, '[');
        for (size_t i = 0; i < f->v.rg.n; i++) {
            jb_lit(b, i ? ",[" : "[");
            jb_uint(b, f->v.rg.r[i][0]);
            jb_char(b, ',');
            jb_uint(b, f->v.rg.r[i][1]);
            jb_char(b, ']');
        }
        jb_char(b, ']');
        return;
    case F_OBJ: jb_fieldset(b, f->v.obj); return;
    case F_TS: {
        char ts[40];
        format_ts(f->v.u, ts, sizeof ts);
        jb_str(b, ts);
        return;
    }
    }
    jb_lit(b, "null");
}

/* names never repeat in a fieldset (event.h), so none is looked for */
static void jb_fieldset(struct jbuf *b, const struct fieldset *fs)
{
    jb_char(b, '{');
    bool first = true;
    for (size_t i = 0; i < fs->n; i++)
        jb_member(b, &first, &fs->f[i]);
    jb_char(b, '}');
}

/* the last conn object rendered, by the connection it was rendered from: a
 * connection's records mostly come in runs, and the object (a fifth of a
 * short record's bytes, five strings to scan) is then copied, not rebuilt.
 * Keyed by the whole conn_ref, not its number, so it can never be stale. */
struct conn_cache {
    struct conn_ref key;
    bool valid;
    struct jbuf bytes;
};

static void jb_conn_build(struct jbuf *b, const struct conn_ref *c);

/* the conn object; left out whole when a string in it is not valid (as
 * jansson's json_pack failed then). cc: the renderer's cache, or NULL */
static void jb_conn(struct jbuf *b, const struct conn_ref *c, struct conn_cache *cc)
{
    if (cc && cc->valid && memcmp(&cc->key, c, sizeof *c) == 0) {
        jb_put(b, cc->bytes.p, cc->bytes.n);
        return;
    }
    size_t mark = b->n;
    jb_conn_build(b, c);
    if (!cc || b->oom)
        return;
    cc->valid = false;
    cc->bytes.n = 0;
    jb_put(&cc->bytes, b->p + mark, b->n - mark);
    if (cc->bytes.oom) { /* no cache then: the next record builds its own */
        free(cc->bytes.p);
        cc->bytes = (struct jbuf){0};
        return;
    }
    memcpy(&cc->key, c, sizeof *c); /* bytes, padding included: what memcmp compares */
    cc->valid = true;
}

static void jb_conn_build(struct jbuf *b, const struct conn_ref *c)
{
    size_t mark = b->n;
    bool ok = true;
    jb_lit(b, ",\"conn\":{\"id\":");
    ok &= jb_str(b, c->id);
    jb_lit(b, ",\"uid\":");
    ok &= jb_str(b, c->uid);
    jb_lit(b, ",\"community_id\":");
    ok &= jb_str(b, c->community_id);
    jb_lit(b, ",\"client\":{\"ip\":");
    ok &= jb_str(b, c->client_ip);
    jb_lit(b, ",\"port\":");
    jb_int(b, (int)c->client_port);
    jb_lit(b, "},\"server\":{\"ip\":");
    ok &= jb_str(b, c->server_ip);
    jb_lit(b, ",\"port\":");
    jb_int(b, (int)c->server_port);
    jb_lit(b, "}}");
    if (!ok)
        b->n = mark;
}

/* an envelope key, which the record's own fields never override */
static bool envelope_key(const char *name, bool sensor, bool conn)
{
    switch (name[0]) {
    case 's': return !strcmp(name, "schema") || (sensor && !strcmp(name, "sensor"));
    case 't': return !strcmp(name, "type") || !strcmp(name, "ts");
    case 'c': return conn && !strcmp(name, "conn");
    default: return false;
    }
}

/* the record as the JSON sink writes it (one object, keys in order), no newline */
static void jb_event(struct jbuf *b, const struct event *e, const char *sensor, struct conn_cache *cc)
{
    char ts[40];
    format_ts(e->ts_us, ts, sizeof ts);
    jb_lit(b, "{\"schema\":");
    jb_int(b, FIELDS_SCHEMA_VERSION);
    jb_lit(b, ",\"type\":");
    jb_str(b, ev_type_name(e->type));
    jb_lit(b, ",\"ts\":");
    jb_str(b, ts);
    if (sensor) {
        jb_lit(b, ",\"sensor\":");
        jb_str(b, sensor);
    }
    if (e->conn)
        jb_conn(b, e->conn, cc);
    bool first = false; /* after the envelope */
    for (size_t i = 0; i < e->top.n; i++) {
        const struct field *f = &e->top.f[i];
        /* a registry field the envelope does not declare cannot be one of its keys */
        bool maybe = !f->d || f->d->id < 0 || fld_member(SC_envelope, f->d);
        if (f->name && !(maybe && envelope_key(f->name, sensor != NULL, e->conn != NULL)))
            jb_member(b, &first, f);
    }
    jb_char(b, '}');
}

char *json_event_line(const struct event *e, const char *sensor)
{
    struct jbuf b = {0};
    jb_event(&b, e, sensor, NULL);
    if (b.oom || !b.p) {
        free(b.p);
        return NULL;
    }
    b.p[b.n] = '\0';
    return b.p;
}

/* render e as one line into b (emptied first); false when out of memory
 * (the buffer is then dropped: the next record starts a smaller one) */
static bool render_line(struct jbuf *b, struct conn_cache *cc, const struct event *e, const char *sensor)
{
    b->n = 0;
    jb_event(b, e, sensor, cc);
    jb_char(b, '\n');
    if (!b->oom)
        return true;
    free(b->p);
    *b = (struct jbuf){0};
    return false;
}

struct json_renderer {
    struct jbuf line;       /* reused for every record */
    struct conn_cache cc;   /* the last conn object */
};

struct json_renderer *json_renderer_new(void) { return calloc(1, sizeof(struct json_renderer)); }

void json_renderer_free(struct json_renderer *r)
{
    if (!r)
        return;
    free(r->line.p);
    free(r->cc.bytes.p);
    free(r);
}

bool json_render(struct json_renderer *r, const struct event *e, const char *sensor, const char **p, size_t *n)
{
    bool ok = render_line(&r->line, &r->cc, e, sensor);
    *p = r->line.p;
    *n = ok ? r->line.n : 0;
    return ok;
}
