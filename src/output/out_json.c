/* out_json: one JSON object per line (NDJSON), schema FIELDS_SCHEMA_VERSION (smbscope.schema.json,
 * generated from src/output/fields.def). */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sink.h"

void format_ts(uint64_t ts_us, char *buf, size_t cap)
{
    time_t sec = (time_t)(ts_us / 1000000u);
    struct tm tm;
    gmtime_r(&sec, &tm);
    char day[24];
    strftime(day, sizeof day, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf, cap, "%s.%06uZ", day, (unsigned)(ts_us % 1000000u));
}

static json_t *fieldset_json(const struct fieldset *fs);

/* JSON consumers read 64-bit signed at best: saturate rather than wrap (sink.h) */
static json_int_t json_uint(uint64_t u) { return (json_int_t)sink_uint(u); }

static json_t *field_json(const struct field *f)
{
    switch (f->kind) {
    case F_NULL:
        return json_null();
    case F_BOOL:
        return json_boolean(f->v.b);
    case F_INT:
        return json_integer((json_int_t)f->v.i);
    case F_UINT:
        return json_integer(json_uint(f->v.u));
    case F_STR:
        return json_string(f->v.s);
    case F_STRV: {
        json_t *a = json_array();
        for (size_t i = 0; i < f->v.sv.n; i++)
            json_array_append_new(a, json_string(f->v.sv.v[i]));
        return a;
    }
    case F_RANGES: {
        json_t *a = json_array();
        for (size_t i = 0; i < f->v.rg.n; i++)
            json_array_append_new(a, json_pack("[II]", json_uint(f->v.rg.r[i][0]), json_uint(f->v.rg.r[i][1])));
        return a;
    }
    case F_OBJ:
        return fieldset_json(f->v.obj);
    case F_TS: {
        char ts[40];
        format_ts(f->v.u, ts, sizeof ts);
        return json_string(ts);
    }
    }
    return json_null();
}

static json_t *fieldset_json(const struct fieldset *fs)
{
    json_t *o = json_object();
    for (size_t i = 0; i < fs->n; i++) {
        json_t *v = field_json(&fs->f[i]);
        json_object_set_new(o, fs->f[i].name, v ? v : json_null());
    }
    return o;
}

/* jansson escapes C0 controls; these it writes raw, and each can end a line
 * for some reader (Python's str.splitlines() breaks at U+0085, JavaScript
 * before ES2019 at U+2028/U+2029) or drive a terminal (DEL, C1). Their
 * encodings only occur inside strings, so they are escaped in place.
 * Returns the byte length of the sequence at p to escape, or 0. */
static size_t needs_escape(const unsigned char *p, unsigned *cp)
{
    if (p[0] == 0x7f) {
        *cp = 0x7f;
        return 1;
    }
    if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
        *cp = p[1];
        return 2;
    }
    if (p[0] == 0xe2 && p[1] == 0x80 && (p[2] == 0xa8 || p[2] == 0xa9)) {
        *cp = p[2] == 0xa8 ? 0x2028 : 0x2029;
        return 3;
    }
    return 0;
}

/* the line with those sequences escaped (malloc'd; NULL when out of memory) */
static char *escape_line(char *line)
{
    size_t extra = 0;
    for (const unsigned char *p = (const unsigned char *)line; *p; p++) {
        unsigned cp;
        size_t n = needs_escape(p, &cp);
        if (n) {
            extra += 6 - n;
            p += n - 1;
        }
    }
    if (!extra)
        return line;
    size_t len = strlen(line);
    char *out = malloc(len + extra + 1), *w = out;
    if (out) {
        for (const unsigned char *p = (const unsigned char *)line; *p; p++) {
            unsigned cp;
            size_t n = needs_escape(p, &cp);
            if (!n) {
                *w++ = (char)*p;
                continue;
            }
            /* upper case hex, as jansson writes its own escapes */
            w += snprintf(w, 7, "\\u%04X", cp);
            p += n - 1;
        }
        *w = 0;
    }
    free(line);
    return out;
}

/* the record as the JSON sink writes it (one object, keys in order) */
static json_t *event_json(const struct event *e, const char *sensor)
{
    json_t *o = json_object();
    char ts[40];
    format_ts(e->ts_us, ts, sizeof ts);
    json_object_set_new(o, "schema", json_integer(FIELDS_SCHEMA_VERSION));
    json_object_set_new(o, "type", json_string(ev_type_name(e->type)));
    json_object_set_new(o, "ts", json_string(ts));
    if (sensor)
        json_object_set_new(o, "sensor", json_string(sensor));
    if (e->conn) {
        const struct conn_ref *c = e->conn;
        json_object_set_new(o, "conn",
                            json_pack("{s:s, s:s, s:s, s:{s:s, s:i}, s:{s:s, s:i}}", "id", c->id, "uid", c->uid, "community_id",
                                      c->community_id, "client", "ip", c->client_ip, "port", (int)c->client_port,
                                      "server", "ip", c->server_ip, "port", (int)c->server_port));
    }
    for (size_t i = 0; i < e->top.n; i++) {
        const struct field *f = &e->top.f[i];
        if (json_object_get(o, f->name))
            continue; /* the envelope's keys win; keys never repeat */
        json_t *v = field_json(f);
        json_object_set_new(o, f->name, v ? v : json_null());
    }
    return o;
}

char *json_event_line(const struct event *e, const char *sensor)
{
    json_t *o = event_json(e, sensor);
    char *line = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    return line ? escape_line(line) : NULL;
}

static void json_write(struct sink *s, const struct event *e)
{
    sink_begin(s); /* a new file needs nothing: every line stands alone */
    char *line = json_event_line(e, s->sensor);
    if (!line) {
        errno = ENOMEM;
        sink_note_error(s);
        return;
    }
    if (fputs(line, s->out) == EOF || fputc('\n', s->out) == EOF || ferror(s->out))
        sink_note_error(s);
    free(line);
    if (s->flush_each && fflush(s->out) == EOF)
        sink_note_error(s);
}

static int json_close(struct sink *s)
{
    if (fflush(s->out) == EOF)
        sink_note_error(s);
    int err = s->write_error ? s->write_errno : 0;
    free(s);
    return err;
}

static const struct sink_ops json_ops = {json_write, json_close};

struct sink *sink_json_new(FILE *out, bool flush_each)
{
    struct sink *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->ops = &json_ops;
    s->out = out;
    s->flush_each = flush_each;
    return s;
}
