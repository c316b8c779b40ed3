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

static void put_fieldset(FILE *f, const struct fieldset *fs, bool skip_head);

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
        if (fl->d && fl->d->display == FD_HEX)
            fprintf(f, "0x%" PRIx64, fl->v.u);
        else
            fprintf(f, "%" PRIu64, fl->v.u);
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
            fprintf(f, "%s%" PRIu64 "-%" PRIu64, i ? "," : "", fl->v.rg.r[i][0], fl->v.rg.r[i][1]);
        fputc(']', f);
        break;
    case F_OBJ:
        fputc('{', f);
        put_fieldset(f, fl->v.obj, false);
        fputc('}', f);
        break;
    }
}

/* fields the registry marks H are printed in the line's head (smb command,
 * status, latency; anomaly name, detail), so the key=value list skips them */
static bool in_head(const struct fieldset *fs, const struct field *fl)
{
    const struct fld_member *m = fld_member(fs->scope, fl->d);
    return m && (m->flags & FM_H);
}

static void put_fieldset(FILE *f, const struct fieldset *fs, bool skip_head)
{
    bool first = true;
    for (size_t i = 0; i < fs->n; i++) {
        const struct field *fl = &fs->f[i];
        if (skip_head && in_head(fs, fl))
            continue;
        if (!first)
            fputc(' ', f);
        first = false;
        fprintf(f, "%s=", fl->name);
        put_value(f, fl);
    }
}

static size_t listed(const struct fieldset *fs)
{
    size_t n = 0;
    for (size_t i = 0; i < fs->n; i++)
        n += !in_head(fs, &fs->f[i]);
    return n;
}

static const char *str_field(const struct event *e, const struct fld_t_str *d)
{
    const struct field *f = ev_find(e, NULL, d);
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
        const struct field *dur = e->type == EV_CONN ? ev_find(e, NULL, F(duration_us)) : NULL;
        if (dur && dur->kind == F_UINT)
            rel += dur->v.u;
        fprintf(f, "%s +%" PRIu64 ".%06" PRIu64 " ", e->conn->id, rel / 1000000u, rel % 1000000u);
    } else {
        char ts[40];
        format_ts(e->ts_us, ts, sizeof ts);
        fprintf(f, "-- %s ", ts);
    }
    switch (e->type) {
    case EV_SMB: {
        const char *cmd = str_field(e, F(command));
        const char *st = str_field(e, F(status));
        const struct field *lat = ev_find(e, NULL, F(latency_us));
        fprintf(f, "%s ", cmd ? cmd : "?");
        fputs(st ? st : "(no response)", f);
        if (lat && lat->kind == F_UINT)
            fprintf(f, " %" PRIu64 ".%03" PRIu64 "ms", lat->v.u / 1000u, lat->v.u % 1000u);
        fputc(' ', f);
        put_fieldset(f, &e->top, true);
        break;
    }
    case EV_DCERPC:
    case EV_DCERPC_BIND: {
        /* DCERPC \pipe interface operation status latency, then the rest;
         * DCERPC_BIND \pipe bind|alter_context latency, then the rest */
        bool bind = e->type == EV_DCERPC_BIND;
        const char *pipe = str_field(e, F(pipe));
        fputs(bind ? "DCERPC_BIND " : "DCERPC ", f);
        put_str(f, pipe ? pipe : "-");
        if (bind) {
            const char *kind = str_field(e, F(bind_kind));
            fputc(' ', f);
            put_str(f, kind ? kind : "-");
        } else {
            const char *iface = str_field(e, F(interface)), *op = str_field(e, F(operation));
            const char *st = str_field(e, F(status));
            const struct field *code = ev_find(e, NULL, F(status_code));
            fputc(' ', f);
            put_str(f, iface ? iface : "-");
            fputc(' ', f);
            put_str(f, op ? op : "-");
            fputc(' ', f);
            if (st)
                put_str(f, st);
            else if (code && code->kind == F_UINT)
                fprintf(f, "0x%08" PRIx64, code->v.u);
            else
                fputs("(no status)", f);
        }
        const struct field *lat = ev_find(e, NULL, F(latency_us));
        if (lat && lat->kind == F_UINT)
            fprintf(f, " %" PRIu64 ".%03" PRIu64 "ms", lat->v.u / 1000u, lat->v.u % 1000u);
        if (listed(&e->top)) {
            fputc(' ', f);
            put_fieldset(f, &e->top, true);
        }
        break;
    }
    case EV_ANOMALY: {
        const char *name = str_field(e, F(anomaly_name)), *detail = str_field(e, F(detail));
        fputs("ANOMALY ", f);
        put_str(f, name ? name : "?");
        if (detail) {
            fputc(' ', f);
            put_str(f, detail);
        }
        if (listed(&e->top)) {
            fputc(' ', f);
            put_fieldset(f, &e->top, true);
        }
        break;
    }
    default: {
        static const char *const tags[] = {[EV_CONN] = "END", [EV_NBSS] = "NBSS", [EV_FILE] = "FILE",
                                           [EV_SESSION] = "SESSION", [EV_STATS] = "STATS"};
        fprintf(f, "%s ", tags[e->type]);
        put_fieldset(f, &e->top, false);
        break;
    }
    }
    if (fputc('\n', f) == EOF)
        s->write_error = true;
    if (s->flush_each && fflush(f) == EOF)
        s->write_error = true;
}

static bool text_close(struct sink *s)
{
    struct text_sink *t = (struct text_sink *)s;
    bool ok = fflush(s->out) != EOF && !s->write_error;
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
