/* out_text: a transcript a person reads top to bottom. Every line starts with
 * the connection id so interleaved connections stay apart (and grep works);
 * a connection's first line gives its endpoints and absolute start time, the
 * rest carry seconds since that start. Nothing from the wire reaches the
 * terminal unescaped. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "sink.h"

struct text_sink {
    struct sink base;
    uint8_t *seen;          /* bit per connection number: header line printed */
    size_t seen_bytes;
};

/* bare when it is a simple token, else quoted with escapes */
static void put_str(FILE *f, const char *s)
{
    bool bare = *s != 0;
    for (const unsigned char *p = (const unsigned char *)s; *p && bare; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              strchr("_.:\\/$<>@-+", *p)))
            bare = false;
    if (bare) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p < 0x20 || *p == 0x7f)
            fprintf(f, "\\x%02x", *p);
        else if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
            /* C1 controls (U+0080..U+009F) can drive terminals too */
            fprintf(f, "\\u%04x", p[1]);
            p++;
        } else
            fputc(*p, f);
    }
    fputc('"', f);
}

static bool hex_field(const char *name)
{
    static const char *const hex[] = {"fid", "status_code", "capabilities", "access_mask", "create_options",
                                      "flags", "flags2", "security_mode", "share_access", "file_attributes"};
    for (size_t i = 0; i < sizeof hex / sizeof hex[0]; i++)
        if (strcmp(name, hex[i]) == 0)
            return true;
    return false;
}

static void put_fieldset(FILE *f, const struct fieldset *fs, const char *const *skip);

static void put_value(FILE *f, const struct field *fl)
{
    switch (fl->kind) {
    case F_NULL:
        fputc('-', f);
        break;
    case F_BOOL:
        fputs(fl->v.b ? "true" : "false", f);
        break;
    case F_INT:
        fprintf(f, "%" PRId64, fl->v.i);
        break;
    case F_UINT:
        /* saturated as the JSON sink does (sink.h): both say the same */
        if (hex_field(fl->name))
            fprintf(f, "0x%" PRIx64, sink_uint(fl->v.u));
        else
            fprintf(f, "%" PRIu64, sink_uint(fl->v.u));
        break;
    case F_STR:
        put_str(f, fl->v.s);
        break;
    case F_STRV:
        fputc('[', f);
        for (size_t i = 0; i < fl->v.sv.n; i++) {
            if (i)
                fputc(',', f);
            put_str(f, fl->v.sv.v[i]);
        }
        fputc(']', f);
        break;
    case F_RANGES:
        fputc('[', f);
        for (size_t i = 0; i < fl->v.rg.n; i++)
            fprintf(f, "%s%" PRIu64 "-%" PRIu64, i ? "," : "", sink_uint(fl->v.rg.r[i][0]),
                    sink_uint(fl->v.rg.r[i][1]));
        fputc(']', f);
        break;
    case F_OBJ:
        fputc('{', f);
        put_fieldset(f, fl->v.obj, NULL);
        fputc('}', f);
        break;
    }
}

static bool skipped(const char *name, const char *const *skip)
{
    for (; skip && *skip; skip++)
        if (strcmp(name, *skip) == 0)
            return true;
    return false;
}

static void put_fieldset(FILE *f, const struct fieldset *fs, const char *const *skip)
{
    bool first = true;
    for (size_t i = 0; i < fs->n; i++) {
        const struct field *fl = &fs->f[i];
        if (skipped(fl->name, skip))
            continue;
        if (!first)
            fputc(' ', f);
        first = false;
        fprintf(f, "%s=", fl->name);
        put_value(f, fl);
    }
}

static const char *str_field(const struct event *e, const char *name)
{
    const struct field *f = ev_get(e, NULL, name);
    return f && f->kind == F_STR ? f->v.s : NULL;
}

static void conn_header(struct text_sink *t, const struct conn_ref *c)
{
    size_t byte = (size_t)(c->num / 8), bit = (size_t)(c->num % 8);
    if (byte >= t->seen_bytes) {
        size_t n = t->seen_bytes ? t->seen_bytes : 64;
        while (n <= byte)
            n *= 2;
        uint8_t *s = realloc(t->seen, n);
        if (!s)
            abort();
        memset(s + t->seen_bytes, 0, n - t->seen_bytes);
        t->seen = s;
        t->seen_bytes = n;
    }
    if (t->seen[byte] & (1u << bit))
        return;
    t->seen[byte] |= (uint8_t)(1u << bit);
    char ts[40];
    format_ts(c->start_us, ts, sizeof ts);
    bool v6c = strchr(c->client_ip, ':') != NULL, v6s = strchr(c->server_ip, ':') != NULL;
    fprintf(t->base.out, "%s %s %s%s%s:%u -> %s%s%s:%u community_id=%s\n", c->id, ts, v6c ? "[" : "",
            c->client_ip, v6c ? "]" : "", c->client_port, v6s ? "[" : "", c->server_ip, v6s ? "]" : "",
            c->server_port, c->community_id);
}

static void text_write(struct sink *s, const struct event *e)
{
    struct text_sink *t = (struct text_sink *)s;
    FILE *f = s->out;
    if (e->conn) {
        conn_header(t, e->conn);
        uint64_t rel = e->ts_us >= e->conn->start_us ? e->ts_us - e->conn->start_us : 0;
        /* the END line stands where the connection ended, not where it began */
        const struct field *dur = e->type == EV_CONN ? ev_get(e, NULL, "duration_us") : NULL;
        if (dur && dur->kind == F_UINT)
            rel += dur->v.u;
        fprintf(f, "%s +%" PRIu64 ".%06" PRIu64 " ", e->conn->id, rel / 1000000u, rel % 1000000u);
    } else {
        char ts[40];
        format_ts(e->ts_us, ts, sizeof ts);
        fprintf(f, "-- %s ", ts);
    }
    static const char *const smb_skip[] = {"command", "code", "status", "status_code", "pid", "latency_us", NULL};
    static const char *const anomaly_skip[] = {"name", "detail", NULL};
    switch (e->type) {
    case EV_SMB: {
        const char *cmd = str_field(e, "command");
        const char *st = str_field(e, "status");
        const struct field *lat = ev_get(e, NULL, "latency_us");
        fprintf(f, "%s ", cmd ? cmd : "?");
        fputs(st ? st : "(no response)", f);
        if (lat && lat->kind == F_UINT)
            fprintf(f, " %" PRIu64 ".%03" PRIu64 "ms", lat->v.u / 1000u, lat->v.u % 1000u);
        fputc(' ', f);
        put_fieldset(f, &e->top, smb_skip);
        break;
    }
    case EV_ANOMALY: {
        const char *name = str_field(e, "name"), *detail = str_field(e, "detail");
        fputs("ANOMALY ", f);
        put_str(f, name ? name : "?");
        if (detail) {
            fputc(' ', f);
            put_str(f, detail);
        }
        if (e->top.n > 2) {
            fputc(' ', f);
            put_fieldset(f, &e->top, anomaly_skip);
        }
        break;
    }
    default: {
        static const char *const tags[] = {[EV_CONN] = "END", [EV_NBSS] = "NBSS", [EV_FILE] = "FILE",
                                           [EV_SESSION] = "SESSION", [EV_SUPPRESSED] = "ANOMALIES_SUPPRESSED",
                                           [EV_STATS] = "STATS"};
        fprintf(f, "%s ", tags[e->type]);
        put_fieldset(f, &e->top, NULL);
        break;
    }
    }
    /* any fprintf above may have been the one whose buffer flush failed:
     * the stream's error flag remembers it */
    if (fputc('\n', f) == EOF || ferror(f))
        sink_note_error(s);
    if (s->flush_each && fflush(f) == EOF)
        sink_note_error(s);
}

static bool text_close(struct sink *s)
{
    struct text_sink *t = (struct text_sink *)s;
    if (fflush(s->out) == EOF)
        sink_note_error(s);
    bool ok = !s->write_error;
    free(t->seen);
    free(t);
    return ok;
}

static const struct sink_ops text_ops = {text_write, text_close};

struct sink *sink_text_new(FILE *out, bool flush_each)
{
    struct text_sink *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->base.ops = &text_ops;
    t->base.out = out;
    t->base.flush_each = flush_each;
    return &t->base;
}
