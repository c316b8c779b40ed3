/* Unit tests for the JSON sink (src/output/out_json.c): exact bytes for every field
 * kind and the envelope (schema, type, ts, conn; none on stats; the
 * envelope's keys win over a field of the same name), and hostile strings:
 * every control is escaped so a record is always exactly one line, and every
 * string parses back to exactly what went in. */
#include <check.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "adhoc_fields.h"
#include "event.h"
#include "sink.h"
#include "json_random.h"
#include "sink_harness.h"

#define CONN1 "\"conn\":{\"id\":\"C1\",\"uid\":\"CuidV4\",\"community_id\":\"1:abc=\",\"client\":{\"ip\":\"10.0.0.1\",\"port\":1025}," \
              "\"server\":{\"ip\":\"10.0.0.2\",\"port\":445}}"
#define CONN2 "\"conn\":{\"id\":\"C2\",\"uid\":\"CuidV6\",\"community_id\":\"1:v6=\",\"client\":{\"ip\":\"fe80::1\",\"port\":50000}," \
              "\"server\":{\"ip\":\"fe80::2\",\"port\":139}}"
#define SESSION_C1 "{\"schema\":2,\"type\":\"session\",\"ts\":\"2023-11-14T22:13:20.000000Z\"," CONN1 ","

/* one line per record, and no byte in it that ends a line for any reader or
 * drives a terminal: C0, DEL, C1 (C2 80..C2 9F), U+2028, U+2029 */
static void assert_one_line_each(const char *out, size_t records)
{
    size_t lines = 0;
    for (const unsigned char *p = (const unsigned char *)out; *p; p++) {
        if (*p == '\n') {
            lines++;
            continue;
        }
        ck_assert_msg(*p >= 0x20 && *p != 0x7f, "raw control 0x%02x at %td", *p, (const char *)p - out);
        ck_assert_msg(!(*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f), "raw C1 at %td", (const char *)p - out);
        ck_assert_msg(!(*p == 0xe2 && p[1] == 0x80 && (p[2] == 0xa8 || p[2] == 0xa9)), "raw U+2028/9 at %td",
                      (const char *)p - out);
    }
    ck_assert_uint_eq(lines, records);
}

START_TEST(every_field_kind)
{
    struct conn_ref c = conn_v4();
    struct mem_sink m;
    ms_open(&m, sink_json_new);
    struct event e;
    ev_init(&e, EV_FILE, T0 + 1500000, &c);
    ev_allow_adhoc(&e);
    ev_null(&e, A_STR("n"));
    ev_bool(&e, A_BOOL("t"), true);
    ev_bool(&e, A_BOOL("f"), false);
    ev_int(&e, A_INT("i"), -5);
    ev_int(&e, A_INT("imin"), INT64_MIN);
    ev_int(&e, A_INT("imax"), INT64_MAX);
    ev_uint(&e, A_UINT("u0"), 0);
    /* unsigned values past int64 saturate: JSON readers take signed 64-bit at best */
    ev_uint(&e, A_UINT("below"), (uint64_t)INT64_MAX);
    ev_uint(&e, A_UINT("at"), (uint64_t)INT64_MAX + 1);
    ev_uint(&e, A_UINT("max"), UINT64_MAX);
    ev_uint(&e, F(fid), 0x972a);                 /* hex only in text */
    ev_uint(&e, F(status_code), 0xc0000022);
    ev_str(&e, A_STR("str"), "a b");
    ev_str(&e, A_STR("empty"), "");
    ev_str(&e, A_STR("unc"), "\\\\srv\\share/x");
    ev_str(&e, A_STR("q"), "say \"hi\"");
    ev_str(&e, A_STR("nul"), NULL);
    fs_strv(&e, NULL, A_STRV("sv"), NULL, 0);
    const char *v[] = {"x", "y z", ""};
    fs_strv(&e, NULL, A_STRV("sv2"), v, 3);
    fs_ranges(&e, NULL, A_RANGES("rg"), NULL, 0);
    const uint64_t r[3][2] = {{0, 76}, {100, (uint64_t)INT64_MAX + 1}, {UINT64_MAX - 1, UINT64_MAX}};
    fs_ranges(&e, NULL, A_RANGES("rg2"), r, 3);
    struct fieldset *o = fs_obj(&e, NULL, A_OBJ("o"));
    fs_uint(&e, o, A_UINT("a"), 1);
    struct fieldset *in = fs_obj(&e, o, A_OBJ("inner"));
    fs_str(&e, in, A_STR("s"), "p q");
    fs_null(&e, in, A_STR("z"));
    fs_obj(&e, NULL, A_OBJ("eo"));
    ms_write(&m, &e);
    ev_free(&e);
    const char *out = ms_close(&m);
    ck_assert_str_eq(out, "{\"schema\":2,\"type\":\"file\",\"ts\":\"2023-11-14T22:13:21.500000Z\"," CONN1
                          ",\"n\":null,\"t\":true,\"f\":false,\"i\":-5,\"imin\":-9223372036854775808,"
                          "\"imax\":9223372036854775807,\"u0\":0,\"below\":9223372036854775807,"
                          "\"at\":9223372036854775807,\"max\":9223372036854775807,\"fid\":38698,"
                          "\"status_code\":3221225506,\"str\":\"a b\",\"empty\":\"\",\"unc\":\"\\\\\\\\srv\\\\share/x\","
                          "\"q\":\"say \\\"hi\\\"\",\"nul\":null,\"sv\":[],\"sv2\":[\"x\",\"y z\",\"\"],\"rg\":[],"
                          "\"rg2\":[[0,76],[100,9223372036854775807],[9223372036854775807,9223372036854775807]],"
                          "\"o\":{\"a\":1,\"inner\":{\"s\":\"p q\",\"z\":null}},\"eo\":{}}\n");
    ms_free(&m);
}
END_TEST

START_TEST(envelope)
{
    struct conn_ref c1 = conn_v4(), c2 = conn_v6();
    struct mem_sink m;
    ms_open(&m, sink_json_new);
    struct event e;
    /* every type's name; ts is the record's own time (no END-line rule here) */
    static const enum ev_type types[] = {EV_CONN, EV_NBSS, EV_SMB, EV_FILE, EV_SESSION, EV_ANOMALY, EV_SUPPRESSED};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        ev_init(&e, types[i], T0 + 2000000 + i, &c2);
        ev_allow_adhoc(&e);
        ev_uint(&e, F(duration_us), 5);
        ms_write(&m, &e);
        ev_free(&e);
    }
    /* fields named like the envelope's keys lose to it: keys never repeat */
    ev_init(&e, EV_SMB, T0 + 7, &c1);
    ev_allow_adhoc(&e);
    ev_uint(&e, F(schema), 99);
    ev_str(&e, F(type), "bogus");
    ev_str(&e, F(command), "ECHO");
    ev_ts(&e, F(ts), 1);   /* a field named ts: the envelope's wins */
    ev_str(&e, A_STR("conn"), "C9");
    ms_write(&m, &e);
    ev_free(&e);
    /* stats: no conn */
    ev_init(&e, EV_STATS, T0 + 5000000, NULL);
    ev_allow_adhoc(&e);
    ev_uint(&e, F(packets), 24);
    ev_str(&e, F(type), "bogus");
    ms_write(&m, &e);
    ev_free(&e);
    const char *out = ms_close(&m);
    ck_assert_str_eq(out, "{\"schema\":2,\"type\":\"conn\",\"ts\":\"2023-11-14T22:13:22.000000Z\"," CONN2
                          ",\"duration_us\":5}\n"
                          "{\"schema\":2,\"type\":\"nbss\",\"ts\":\"2023-11-14T22:13:22.000001Z\"," CONN2
                          ",\"duration_us\":5}\n"
                          "{\"schema\":2,\"type\":\"smb\",\"ts\":\"2023-11-14T22:13:22.000002Z\"," CONN2
                          ",\"duration_us\":5}\n"
                          "{\"schema\":2,\"type\":\"file\",\"ts\":\"2023-11-14T22:13:22.000003Z\"," CONN2
                          ",\"duration_us\":5}\n"
                          "{\"schema\":2,\"type\":\"session\",\"ts\":\"2023-11-14T22:13:22.000004Z\"," CONN2
                          ",\"duration_us\":5}\n"
                          "{\"schema\":2,\"type\":\"anomaly\",\"ts\":\"2023-11-14T22:13:22.000005Z\"," CONN2
                          ",\"duration_us\":5}\n"
                          "{\"schema\":2,\"type\":\"anomalies_suppressed\",\"ts\":\"2023-11-14T22:13:22.000006Z\","
                          CONN2 ",\"duration_us\":5}\n"
                          "{\"schema\":2,\"type\":\"smb\",\"ts\":\"2023-11-14T22:13:20.000007Z\"," CONN1
                          ",\"command\":\"ECHO\"}\n"
                          "{\"schema\":2,\"type\":\"stats\",\"ts\":\"2023-11-14T22:13:25.000000Z\",\"packets\":24}\n");
    assert_one_line_each(out, 9);
    ms_free(&m);
}
END_TEST

/* the string as the JSON sink writes field user (shown), and it parses back to value */
static void expect_user(const char *value, const char *shown)
{
    struct conn_ref c = conn_v4();
    char *out = ms_one_str(sink_json_new, &c, "user", value);
    char want[512];
    snprintf(want, sizeof want, SESSION_C1 "\"user\":%s}\n", shown);
    ck_assert_str_eq(out, want);
    assert_one_line_each(out, 1);
    json_error_t err;
    json_t *o = json_loads(out, 0, &err);
    ck_assert_msg(o != NULL, "not JSON: %s", err.text);
    ck_assert_str_eq(json_string_value(json_object_get(o, "user")), value);
    json_decref(o);
    free(out);
}

/* a key that is not the registry's (ad hoc here; a map's keys are the same
 * case) is escaped like any string, and left out when not valid UTF-8 */
START_TEST(keys_outside_the_registry_are_escaped)
{
    struct conn_ref c = conn_v4();
    char *out = ms_one_str(sink_json_new, &c, "a\"b\n\xe2\x80\xa8", "v");
    ck_assert_str_eq(out, SESSION_C1 "\"a\\\"b\\n\\u2028\":\"v\"}\n");
    free(out);
    out = ms_one_str(sink_json_new, &c, "bad\xff", "v");
    char want[512];
    snprintf(want, sizeof want, "%.*s}\n", (int)strlen(SESSION_C1) - 1, SESSION_C1); /* no member, no comma */
    ck_assert_str_eq(out, want);
    free(out);
}
END_TEST

START_TEST(escape_sequence_is_escaped)
{
    expect_user("\x1b[2J", "\"\\u001B[2J\"");
    expect_user("\x1b]0;owned\x07", "\"\\u001B]0;owned\\u0007\"");
}
END_TEST

START_TEST(every_c0_control_and_del_is_escaped)
{
    for (unsigned ch = 0x01; ch <= 0x7f; ch++) {
        if (ch >= 0x20 && ch < 0x7f)
            continue;
        char esc[8];
        switch (ch) {
        case '\b': strcpy(esc, "\\b"); break;
        case '\t': strcpy(esc, "\\t"); break;
        case '\n': strcpy(esc, "\\n"); break;
        case '\f': strcpy(esc, "\\f"); break;
        case '\r': strcpy(esc, "\\r"); break;
        default: snprintf(esc, sizeof esc, "\\u%04X", ch); break;
        }
        char value[8], shown[32];
        snprintf(value, sizeof value, "a%cb", (char)ch);
        snprintf(shown, sizeof shown, "\"a%sb\"", esc);
        expect_user(value, shown);
    }
}
END_TEST

START_TEST(every_c1_control_and_line_separator_is_escaped)
{
    for (unsigned ch = 0x80; ch <= 0x9f; ch++) {
        char value[8], shown[32];
        snprintf(value, sizeof value, "a%c%cb", 0xc2, (char)ch);
        snprintf(shown, sizeof shown, "\"a\\u%04Xb\"", ch);
        expect_user(value, shown);
        snprintf(value, sizeof value, "%c%c", 0xc2, (char)ch);
        snprintf(shown, sizeof shown, "\"\\u%04X\"", ch);
        expect_user(value, shown);
    }
    expect_user("x\xe2\x80\xa8y", "\"x\\u2028y\"");
    expect_user("\xe2\x80\xa9", "\"\\u2029\"");
    expect_user("\xc3\x82\xc2\x85\x7f", "\"\xc3\x82\\u0085\\u007F\"");
}
END_TEST

START_TEST(quotes_backslashes_and_printable_utf8)
{
    expect_user("say \"hi\"", "\"say \\\"hi\\\"\"");
    expect_user("\\\"", "\"\\\\\\\"\"");
    expect_user("", "\"\"");
    expect_user(" ", "\" \"");
    expect_user("a/b", "\"a/b\"");
    expect_user("\xc3\xa9t\xc3\xa9", "\"\xc3\xa9t\xc3\xa9\"");
    expect_user("\xc2\xa0", "\"\xc2\xa0\"");
    expect_user("\xe2\x80\xa7\xe2\x80\xaa", "\"\xe2\x80\xa7\xe2\x80\xaa\""); /* U+2027, U+202A: not separators */
    expect_user("\xe6\x97\xa5\xe6\x9c\xac", "\"\xe6\x97\xa5\xe6\x9c\xac\"");
    expect_user("\xf0\x9f\x98\x80", "\"\xf0\x9f\x98\x80\"");
}
END_TEST

/* strings are scanned eight bytes at a time: every byte that needs an
 * escape (and UTF-8 that needs none) at every place of a long string, in
 * and across the eight-byte blocks, comes out as it does alone */
START_TEST(escapes_found_at_every_place_of_a_long_string)
{
    static const struct {
        const char *in, *out;
    } special[] = {
        {"\"", "\\\""}, {"\\", "\\\\"}, {"\n", "\\n"}, {"\t", "\\t"}, {"\x01", "\\u0001"}, {"\x1f", "\\u001F"},
        {"\x7f", "\\u007F"}, {"\xc2\x85", "\\u0085"}, {"\xe2\x80\xa8", "\\u2028"}, {"\xc3\xa9", "\xc3\xa9"},
    };
    for (size_t k = 0; k < sizeof special / sizeof special[0]; k++) {
        for (size_t at = 0; at <= 20; at++) {
            char value[64], shown[96];
            snprintf(value, sizeof value, "%.*s%s%.*s", (int)at, "abcdefghijklmnopqrstu", special[k].in,
                     (int)(20 - at), "ABCDEFGHIJKLMNOPQRSTU");
            snprintf(shown, sizeof shown, "\"%.*s%s%.*s\"", (int)at, "abcdefghijklmnopqrstu", special[k].out,
                     (int)(20 - at), "ABCDEFGHIJKLMNOPQRSTU");
            expect_user(value, shown);
        }
    }
}
END_TEST

/* hostile strings in vectors and nested objects, several records: still one line each */
START_TEST(hostile_strings_everywhere)
{
    struct conn_ref c = conn_v4();
    struct mem_sink m;
    ms_open(&m, sink_json_new);
    const char *v[] = {"\x1b[2J", "\xc2\x9b" "31m", "a\nb"};
    ms_write_hostile(&m, &c, v, "\r\n\xc2\x85\xe2\x80\xa8", "x", "line\nbreak");
    const char *out = ms_close(&m);
    ck_assert_str_eq(out, SESSION_C1 "\"shares\":[\"\\u001B[2J\",\"\\u009B31m\",\"a\\nb\"],"
                                     "\"o\":{\"s\":\"\\r\\n\\u0085\\u2028\"}}\n"
                                     "{\"schema\":2,\"type\":\"anomaly\",\"ts\":\"2023-11-14T22:13:20.000000Z\"," CONN1
                                     ",\"name\":\"x\",\"detail\":\"line\\nbreak\"}\n");
    assert_one_line_each(out, 2);
    ms_free(&m);
}
END_TEST

/* --sensor goes after ts on every record, stats too; an F_TS field is RFC 3339
 * like ts; json_event_line (extraction's sidecars) writes the same bytes */
START_TEST(sensor_and_start)
{
    struct conn_ref c = conn_v4();
    struct mem_sink m;
    ms_open(&m, sink_json_new);
    m.s->sensor = "tap-1";
    struct event e;
    ev_init(&e, EV_FILE, T0 + 9, &c);
    ev_ts(&e, F(start), T0 + 1);
    ms_write(&m, &e);
    char *line = json_event_line(&e, "tap-1");
    ev_free(&e);
    ev_init(&e, EV_STATS, T0 + 10, NULL);
    ms_write(&m, &e);
    ev_free(&e);
    const char *out = ms_close(&m);
    ck_assert_str_eq(out, "{\"schema\":2,\"type\":\"file\",\"ts\":\"2023-11-14T22:13:20.000009Z\",\"sensor\":\"tap-1\","
                          CONN1 ",\"start\":\"2023-11-14T22:13:20.000001Z\"}\n"
                          "{\"schema\":2,\"type\":\"stats\",\"ts\":\"2023-11-14T22:13:20.000010Z\",\"sensor\":\"tap-1\"}\n");
    ck_assert_ptr_nonnull(line);
    ck_assert(strncmp(out, line, strlen(line)) == 0 && out[strlen(line)] == '\n');
    free(line);
    ms_free(&m);
}
END_TEST

/* ---- the differential check: the sink against jansson ----
 * The sink writes its lines itself; until it did, they were jansson's
 * json_dumps(JSON_COMPACT | JSON_PRESERVE_ORDER) of a tree, with DEL, C1 and
 * U+2028/9 escaped afterwards. That renderer is kept here as the oracle, and
 * random records full of hostile strings (controls, every escape, invalid
 * UTF-8: overlong, surrogates, past U+10FFFF, cut sequences) must come out
 * byte for byte the same. */
static json_t *oracle_fields(const struct fieldset *fs);

static json_t *oracle_field(const struct field *f)
{
    switch (f->kind) {
    case F_NULL: return json_null();
    case F_BOOL: return json_boolean(f->v.b);
    case F_INT: return json_integer((json_int_t)f->v.i);
    case F_UINT: return json_integer((json_int_t)sink_uint(f->v.u));
    case F_STR: return json_string(f->v.s);
    case F_STRV: {
        json_t *a = json_array();
        for (size_t i = 0; i < f->v.sv.n; i++)
            json_array_append_new(a, json_string(f->v.sv.v[i]));
        return a;
    }
    case F_RANGES: {
        json_t *a = json_array();
        for (size_t i = 0; i < f->v.rg.n; i++)
            json_array_append_new(a, json_pack("[II]", (json_int_t)sink_uint(f->v.rg.r[i][0]),
                                               (json_int_t)sink_uint(f->v.rg.r[i][1])));
        return a;
    }
    case F_OBJ: return oracle_fields(f->v.obj);
    case F_TS: {
        char ts[40];
        format_ts(f->v.u, ts, sizeof ts);
        return json_string(ts);
    }
    }
    return json_null();
}

static json_t *oracle_fields(const struct fieldset *fs)
{
    json_t *o = json_object();
    for (size_t i = 0; i < fs->n; i++) {
        json_t *v = oracle_field(&fs->f[i]);
        json_object_set_new(o, fs->f[i].name, v ? v : json_null());
    }
    return o;
}

static char *oracle_line(const struct event *e, const char *sensor)
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
        json_object_set_new(o, "conn", json_pack("{s:s, s:s, s:s, s:{s:s, s:i}, s:{s:s, s:i}}", "id", c->id, "uid",
                                                 c->uid, "community_id", c->community_id, "client", "ip", c->client_ip,
                                                 "port", (int)c->client_port, "server", "ip", c->server_ip, "port",
                                                 (int)c->server_port));
    }
    for (size_t i = 0; i < e->top.n; i++) {
        const struct field *f = &e->top.f[i];
        if (json_object_get(o, f->name))
            continue;
        json_t *v = oracle_field(f);
        json_object_set_new(o, f->name, v ? v : json_null());
    }
    char *line = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    ck_assert_ptr_nonnull(line);
    /* DEL, C1, U+2028/9 escaped in place */
    size_t len = strlen(line);
    char *out = malloc(6 * len + 1), *w = out;
    ck_assert_ptr_nonnull(out);
    for (const unsigned char *p = (const unsigned char *)line; *p; p++) {
        unsigned cp = 0;
        size_t n = 0;
        if (p[0] == 0x7f)
            cp = 0x7f, n = 1;
        else if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
            cp = p[1], n = 2;
        else if (p[0] == 0xe2 && p[1] == 0x80 && (p[2] == 0xa8 || p[2] == 0xa9))
            cp = p[2] == 0xa8 ? 0x2028 : 0x2029, n = 3;
        if (!n) {
            *w++ = (char)*p;
            continue;
        }
        w += snprintf(w, 7, "\\u%04X", cp);
        p += n - 1;
    }
    *w = 0;
    free(line);
    return out;
}

/* format_ts does its own calendar arithmetic: it must agree with gmtime_r and
 * strftime (the C library's calendar) at every kind of day boundary: epoch,
 * leap days (2000 yes, 2100 no, 2400 yes), year ends, the 32-bit time_t limit,
 * and random instants up to the largest microsecond count */
static void libc_ts(uint64_t ts_us, char *buf, size_t cap)
{
    time_t sec = (time_t)(ts_us / 1000000u);
    struct tm tm;
    ck_assert_ptr_nonnull(gmtime_r(&sec, &tm));
    char day[40];
    strftime(day, sizeof day, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf, cap, "%s.%06uZ", day, (unsigned)(ts_us % 1000000u));
}

START_TEST(format_ts_agrees_with_the_c_library)
{
    static const uint64_t secs[] = {0, 59, 60, 3599, 86399, 86400, 951782399, 951782400, 951868799, 951868800,
                                    978307199, 978307200, 1700000000, 2147483647, 2147483648, 4107542399,
                                    4107542400, 4107628800, 13574563200, 13574649599, 253402300799,
                                    253402300800};
    char got[48], want[48];
    for (size_t i = 0; i < sizeof secs / sizeof secs[0]; i++) {
        for (uint64_t us = 0; us < 3; us++) {
            uint64_t t = secs[i] * 1000000u + us * 999999u / 2;
            format_ts(t, got, sizeof got);
            libc_ts(t, want, sizeof want);
            ck_assert_str_eq(got, want);
        }
    }
    uint64_t x = 88172645463325252ull;
    for (int i = 0; i < 200000; i++) {
        uint64_t t = rng_next(&x) % (i % 2 ? 4102444800000000ull : UINT64_MAX);
        format_ts(t, got, sizeof got);
        libc_ts(t, want, sizeof want);
        ck_assert_msg(strcmp(got, want) == 0, "%llu: got %s want %s", (unsigned long long)t, got, want);
    }
    /* a short buffer gets what fits, terminated */
    format_ts(0, got, 5);
    ck_assert_str_eq(got, "1970");
}
END_TEST

START_TEST(same_bytes_as_jansson)
{
    uint64_t x = 0x2545F4914F6CDD1Dull;
    struct conn_ref c = conn_v4();
    for (unsigned round = 0; round < 20000; round++) {
        struct event e;
        ev_init(&e, (enum ev_type)(rng_next(&x) % (EV_SUMMARY + 1)), T0 + rng_next(&x) % 1000000000,
                rng_next(&x) % 4 ? &c : NULL);
        ev_allow_adhoc(&e);
        /* now and then a field named like an envelope key, which must lose */
        static const struct fld_t_str TYPE = {{"type", "type", FT_STR, FD_PLAIN, NULL, -1, -1}};
        static const struct fld_t_uint CONN = {{"conn", "conn", FT_UINT, FD_PLAIN, NULL, -1, -1}};
        if (rng_next(&x) % 8 == 0)
            ev_str(&e, &TYPE, "x");
        if (rng_next(&x) % 8 == 0)
            ev_uint(&e, &CONN, 1);
        random_fields(&e, NULL, &x, 0);
        const char *sensor = rng_next(&x) % 3 ? NULL : "tap-1";
        char *got = json_event_line(&e, sensor), *want = oracle_line(&e, sensor);
        ck_assert_ptr_nonnull(got);
        ck_assert_msg(strcmp(got, want) == 0, "round %u:\n got %s\nwant %s", round, got, want);
        free(got);
        free(want);
        ev_free(&e);
    }
}
END_TEST

/* The sink keeps the last conn object it rendered: every line must still be
 * what json_event_line (no cache) gives, when records of several connections
 * interleave, and when a connection's fields change in place (same address,
 * same number: the cache is keyed by content, never by identity). */
START_TEST(conn_object_reused_only_when_unchanged)
{
    struct conn_ref a = conn_v4(), b = conn_v6(), c = conn_v4();
    snprintf(c.id, sizeof c.id, "C2");
    c.num = 2;
    struct conn_ref *conns[] = {&a, &a, &b, &a, &c, &c, &b, &b, &a, &c, NULL, &a};
    struct mem_sink m;
    ms_open(&m, sink_json_new);
    size_t cap = 0, len = 0;
    char *want = NULL;
    for (int round = 0; round < 4; round++) {
        for (size_t i = 0; i < sizeof conns / sizeof conns[0]; i++) {
            if (round == 1 && i == 3)
                a.server_port = 139;                        /* changed in place */
            if (round == 2 && i == 5)
                snprintf(c.client_ip, sizeof c.client_ip, "192.0.2.77");
            if (round == 3 && i == 1)
                snprintf(a.uid, sizeof a.uid, "Cnewuid");
            if (round == 3 && i == 7)
                b.client_port = 1;
            struct event e;
            ev_init(&e, EV_SMB, T0 + round * 100 + i, conns[i]);
            ev_allow_adhoc(&e);
            ev_uint(&e, F(mid), i);
            ms_write(&m, &e);
            char *line = json_event_line(&e, NULL);
            ck_assert_ptr_nonnull(line);
            size_t n = strlen(line);
            if (len + n + 2 > cap) {
                cap = (len + n + 2) * 2;
                want = realloc(want, cap);
                ck_assert_ptr_nonnull(want);
            }
            memcpy(want + len, line, n);
            len += n;
            want[len++] = '\n';
            want[len] = '\0';
            free(line);
            ev_free(&e);
        }
    }
    /* line by line: a mismatch names its line, not two 5 KB strings */
    const char *got = ms_close(&m), *w = want;
    for (int line = 1; *got || *w; line++) {
        size_t gn = strcspn(got, "\n"), wn = strcspn(w, "\n");
        ck_assert_msg(gn == wn && memcmp(got, w, gn) == 0, "line %d:\n got %.*s\nwant %.*s", line, (int)gn, got,
                      (int)wn, w);
        got += gn + (got[gn] == '\n');
        w += wn + (w[wn] == '\n');
    }
    ck_assert_ptr_nonnull(strstr(want, "\"port\":139"));
    ck_assert_ptr_nonnull(strstr(want, "192.0.2.77"));
    ck_assert_ptr_nonnull(strstr(want, "Cnewuid"));
    free(want);
    ms_free(&m);
}
END_TEST

START_TEST(write_errors_are_reported)
{
    check_write_error(sink_json_new, false);
    check_write_error(sink_json_new, true);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("out_json");
    TCase *tc = tcase_create("out_json");
    /* the randomized jansson and libc comparisons take 6 s alone under ASan and
     * twice that beside another test process: Check's default 4 s is too tight */
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, every_field_kind);
    tcase_add_test(tc, envelope);
    tcase_add_test(tc, escape_sequence_is_escaped);
    tcase_add_test(tc, keys_outside_the_registry_are_escaped);
    tcase_add_test(tc, every_c0_control_and_del_is_escaped);
    tcase_add_test(tc, every_c1_control_and_line_separator_is_escaped);
    tcase_add_test(tc, quotes_backslashes_and_printable_utf8);
    tcase_add_test(tc, escapes_found_at_every_place_of_a_long_string);
    tcase_add_test(tc, hostile_strings_everywhere);
    tcase_add_test(tc, sensor_and_start);
    tcase_add_test(tc, write_errors_are_reported);
    tcase_add_test(tc, same_bytes_as_jansson);
    tcase_add_test(tc, conn_object_reused_only_when_unchanged);
    tcase_add_test(tc, format_ts_agrees_with_the_c_library);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
