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

/* One quoting rule for every string value (README "Text quoting"):
 * - a character that could hide, reorder or drive the display is written as
 *   \u{HEX} (lower-case hex of the code point): C0 controls, DEL, C1
 *   controls, bidi controls, line/paragraph separators, zero-width and tag
 *   characters; and so are `"` and `{`, so that a literal `\u{` can never
 *   occur and a backslash never needs escaping (SMB paths stay as typed);
 * - the value is wrapped in double quotes unless it is a plain token:
 *   non-empty, not "-" (the null mark), only printable ASCII without space
 *   and without any of "=,[]{} (the separators of this format). */
static bool escaped_cp(uint32_t cp)
{
    return cp < 0x20 || cp == '"' || cp == '{' || (cp >= 0x7f && cp <= 0x9f) || cp == 0x061c ||
           (cp >= 0x200b && cp <= 0x200f) || (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2060 && cp <= 0x206f) ||
           cp == 0xfeff || (cp >= 0xe0000 && cp <= 0xe007f);
}

/* the code point at p (events hold valid UTF-8; anything else reads as
 * U+FFFD one byte at a time) and its length in *n */
static uint32_t next_cp(const unsigned char *p, size_t *n)
{
    unsigned len = p[0] < 0x80 ? 1 : (p[0] & 0xe0) == 0xc0 ? 2 : (p[0] & 0xf0) == 0xe0 ? 3 : (p[0] & 0xf8) == 0xf0 ? 4 : 0;
    if (!len) {
        *n = 1;
        return 0xfffd;
    }
    uint32_t cp = len == 1 ? p[0] : (uint32_t)(p[0] & (0x7f >> len));
    for (unsigned i = 1; i < len; i++) {
        if ((p[i] & 0xc0) != 0x80) {
            *n = 1;
            return 0xfffd;
        }
        cp = cp << 6 | (p[i] & 0x3f);
    }
    *n = len;
    return cp;
}

static bool plain_token(const char *s)
{
    if (!*s || strcmp(s, "-") == 0)
        return false;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p <= 0x20 || *p >= 0x7f || strchr("\"=,[]{}", *p))
            return false;
    return true;
}

static void put_str(FILE *f, const char *s)
{
    bool quote = !plain_token(s);
    if (quote)
        fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        /* a run of printable ASCII needing no escape goes out in one call,
         * not a stdio call per byte */
        const unsigned char *q = p;
        while (*q >= 0x20 && *q < 0x7f && *q != '"' && *q != '{')
            q++;
        if (q != p) {
            fwrite(p, 1, (size_t)(q - p), f);
            p = q;
            continue;
        }
        size_t n;
        uint32_t cp = next_cp(p, &n);
        if (escaped_cp(cp))
            fprintf(f, "\\u{%" PRIx32 "}", cp);
        else if (cp == 0xfffd && n == 1)
            fputs("\xef\xbf\xbd", f); /* not UTF-8 (cannot happen): U+FFFD */
        else
            fwrite(p, 1, n, f);
        p += n;
    }
    if (quote)
        fputc('"', f);
}

static void put_fieldset(FILE *f, const struct event *e, const struct fieldset *fs, bool skip_head);

/* seconds since the connection's start, as every line of a connection */
static void put_rel(FILE *f, const struct conn_ref *c, uint64_t ts_us)
{
    uint64_t rel = ts_us >= c->start_us ? ts_us - c->start_us : 0;
    fprintf(f, "+%" PRIu64 ".%06" PRIu64, rel / 1000000u, rel % 1000000u);
}

static void put_value(FILE *f, const struct event *e, const struct field *fl)
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
        if (fl->d && fl->d->display == FD_HEX)
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
        put_fieldset(f, e, fl->v.obj, false);
        fputc('}', f);
        break;
    case F_TS:
        /* summary lines may stand without their connection's header
         * (--summary-only); a notice's times may come from other
         * connections (logon_brute_force's first failure) */
        if (e->conn && e->type != EV_SUMMARY && e->type != EV_NOTICE) {
            put_rel(f, e->conn, fl->v.u);
        } else {
            char ts[40];
            format_ts(fl->v.u, ts, sizeof ts);
            fputs(ts, f);
        }
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

static void put_fieldset(FILE *f, const struct event *e, const struct fieldset *fs, bool skip_head)
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
        put_value(f, e, fl);
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

/* "10.0.0.1:1025 -> [fe80::2]:445" */
static void put_endpoints(FILE *f, const struct conn_ref *c)
{
    bool v6c = strchr(c->client_ip, ':') != NULL, v6s = strchr(c->server_ip, ':') != NULL;
    fprintf(f, "%s%s%s:%u -> %s%s%s:%u", v6c ? "[" : "", c->client_ip, v6c ? "]" : "", c->client_port,
            v6s ? "[" : "", c->server_ip, v6s ? "]" : "", c->server_port);
}

/* --sensor NAME: on the lines that stand for a whole connection or run */
static void put_sensor(FILE *f, const char *sensor)
{
    if (!sensor)
        return;
    fputs(" sensor=", f);
    put_str(f, sensor);
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
    FILE *f = t->base.out;
    fprintf(f, "%s %s ", c->id, ts);
    put_endpoints(f, c);
    fprintf(f, " community_id=%s conn_uid=%s", c->community_id, c->uid);
    put_sensor(f, t->base.sensor);
    fputc('\n', f);
}

/* --summary: "== SECTION" lines for people, after the transcript or alone,
 * so they name their connection in full (id, endpoints, uid); times absolute */
static void summary_line(struct sink *s, const struct event *e)
{
    FILE *f = s->out;
    static const char *const sections[][2] = {
        {"totals", "SUMMARY"}, {"session", "SESSION"}, {"file", "FILE"}, {"failure", "FAILURE"},
        {"notice", "NOTICE"}, {"srt", "SRT"}, {"dcerpc", "DCERPC"}};
    const char *sec = str_field(e, F(section)), *tag = "?";
    for (size_t i = 0; sec && i < sizeof sections / sizeof sections[0]; i++)
        if (strcmp(sec, sections[i][0]) == 0)
            tag = sections[i][1];
    fprintf(f, "== %s", tag);
    if (!e->conn) {
        if (strcmp(tag, "SUMMARY") == 0) { /* the heading: when and where */
            char ts[40];
            format_ts(e->ts_us, ts, sizeof ts);
            fprintf(f, " %s", ts);
            put_sensor(f, s->sensor);
        }
    } else {
        fprintf(f, " %s ", e->conn->id);
        put_endpoints(f, e->conn);
        fprintf(f, " conn_uid=%s", e->conn->uid);
    }
    fputc(' ', f);
    put_fieldset(f, e, &e->top, true); /* section is the tag (a head field) */
}

static void text_write(struct sink *s, const struct event *e)
{
    struct text_sink *t = (struct text_sink *)s;
    /* a new file (rotation, SIGHUP) stands on its own: each connection's
     * header line comes again before its next line there, so grep by
     * connection works per file */
    if (sink_begin(s) && t->seen)
        memset(t->seen, 0, t->seen_bytes);
    FILE *f = s->out;
    if (e->type == EV_SUMMARY) {
        summary_line(s, e);
    } else if (e->conn) {
        conn_header(t, e->conn);
        fprintf(f, "%s ", e->conn->id);
        put_rel(f, e->conn, e->ts_us);
        fputc(' ', f);
    } else {
        char ts[40];
        format_ts(e->ts_us, ts, sizeof ts);
        fprintf(f, "-- %s ", ts);
    }
    switch (e->type) {
    case EV_SUMMARY:
        break;
    case EV_SMB: {
        const char *cmd = str_field(e, F(command));
        const char *st = str_field(e, F(status));
        const struct field *lat = ev_find(e, NULL, F(latency_us));
        fprintf(f, "%s ", cmd ? cmd : "?");
        fputs(st ? st : "(no response)", f);
        if (lat && lat->kind == F_UINT)
            fprintf(f, " %" PRIu64 ".%03" PRIu64 "ms", lat->v.u / 1000u, lat->v.u % 1000u);
        fputc(' ', f);
        put_fieldset(f, e, &e->top, true);
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
            put_fieldset(f, e, &e->top, true);
        }
        break;
    }
    case EV_ANOMALY:
    case EV_NOTICE: {
        /* both: a stable name and a sentence in the head, the rest as key=value */
        const char *name = str_field(e, e->type == EV_ANOMALY ? F(anomaly_name) : F(notice_name));
        const char *detail = str_field(e, F(detail));
        fputs(e->type == EV_ANOMALY ? "ANOMALY " : "NOTICE ", f);
        put_str(f, name ? name : "?");
        if (detail) {
            fputc(' ', f);
            put_str(f, detail);
        }
        if (listed(&e->top)) {
            fputc(' ', f);
            put_fieldset(f, e, &e->top, true);
        }
        break;
    }
    default: {
        static const char *const tags[] = {[EV_CONN] = "END", [EV_NBSS] = "NBSS", [EV_FILE] = "FILE",
                                           [EV_SESSION] = "SESSION", [EV_SUPPRESSED] = "ANOMALIES_SUPPRESSED",
                                           [EV_STATS] = "STATS"};
        fputs(tags[e->type], f);
        if (e->type == EV_STATS)
            put_sensor(f, s->sensor);
        fputc(' ', f);
        put_fieldset(f, e, &e->top, false);
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

static int text_close(struct sink *s)
{
    struct text_sink *t = (struct text_sink *)s;
    if (fflush(s->out) == EOF)
        sink_note_error(s);
    int err = s->write_error ? s->write_errno : 0;
    free(t->seen);
    free(t);
    return err;
}

static const struct sink_ops text_ops = {.write = text_write, .close = text_close};

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
