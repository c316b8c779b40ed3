/* Unit tests for the text sink (src/output/out_text.c): exact bytes for every field
 * kind, the line layout (connection header once, relative times, SMB and
 * ANOMALY lines, STATS, --sensor), the one quoting rule (README "Text
 * quoting") and hostile strings: nothing that can drive a terminal (C0, DEL,
 * C1) or hide or reorder what is shown (bidi, zero-width, tag characters,
 * line separators) leaves the sink unescaped. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adhoc_fields.h"
#include "event.h"
#include "sink.h"
#include "sink_harness.h"

#define HDR1 "C1 2023-11-14T22:13:20.000000Z 10.0.0.1:1025 -> 10.0.0.2:445 community_id=1:abc= conn_uid=CuidV4\n"
#define HDR2 "C2 2023-11-14T22:13:22.000000Z [fe80::1]:50000 -> [fe80::2]:139 community_id=1:v6= conn_uid=CuidV6\n"

/* the code point the UTF-8 sequence at p starts (the sink writes valid UTF-8) */
static unsigned cp_at(const unsigned char *p)
{
    if (p[0] < 0x80)
        return p[0];
    if ((p[0] & 0xe0) == 0xc0)
        return (p[0] & 0x1fu) << 6 | (p[1] & 0x3fu);
    if ((p[0] & 0xf0) == 0xe0)
        return (p[0] & 0x0fu) << 12 | (p[1] & 0x3fu) << 6 | (p[2] & 0x3fu);
    return (p[0] & 0x07u) << 18 | (p[1] & 0x3fu) << 12 | (p[2] & 0x3fu) << 6 | (p[3] & 0x3fu);
}

/* no character that a terminal acts on (C0 but the line ends, DEL, C1) and
 * none that hides or reorders text (bidi, zero-width, separators, tags) */
static void assert_terminal_safe(const char *out)
{
    for (const unsigned char *p = (const unsigned char *)out; *p; p++) {
        if ((*p & 0xc0) == 0x80)
            continue; /* inside a sequence */
        unsigned cp = cp_at(p);
        ck_assert_msg(cp >= 0x20 || cp == '\n', "raw C0 0x%02x at %td", cp, (const char *)p - out);
        ck_assert_msg(cp < 0x7f || cp > 0x9f, "raw DEL/C1 U+%04X at %td", cp, (const char *)p - out);
        ck_assert_msg(!(cp == 0x061c || (cp >= 0x200b && cp <= 0x200f) || (cp >= 0x2028 && cp <= 0x202e) ||
                        (cp >= 0x2060 && cp <= 0x2069) || cp == 0xfeff || (cp >= 0xe0000 && cp <= 0xe007f)),
                      "raw invisible U+%04X at %td", cp, (const char *)p - out);
    }
}

START_TEST(every_field_kind)
{
    struct conn_ref c = conn_v4();
    struct mem_sink m;
    ms_open(&m, sink_text_new);
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
    ev_uint(&e, A_UINT("below"), (uint64_t)INT64_MAX);
    /* unsigned values past int64 saturate exactly as in JSON: the sinks agree */
    ev_uint(&e, A_UINT("at"), (uint64_t)INT64_MAX + 1);
    ev_uint(&e, A_UINT("max"), UINT64_MAX);
    /* the names shown in hex, whatever their value */
    ev_uint(&e, F(fid), 0x972a);
    ev_uint(&e, F(status_code), 0xc0000022);
    ev_uint(&e, F(capabilities), UINT64_MAX);
    ev_uint(&e, F(access_mask), 0x12019f);
    ev_uint(&e, F(create_options), 0x40);
    ev_uint(&e, A_HEX("flags"), 0);
    ev_uint(&e, A_HEX("flags2"), (uint64_t)INT64_MAX + 1);
    ev_uint(&e, F(security_mode), 3);
    ev_uint(&e, A_HEX("share_access"), 7);
    ev_uint(&e, A_HEX("file_attributes"), 0x20);
    /* a hex name as a signed int stays decimal: the rule is for F_UINT */
    ev_int(&e, A_INT_HEX("mid"), -1);
    ev_str(&e, A_STR("bare"), "a_b.c:d\\e/f$<g>@h-i+j0Z?*!#%&()'|~^`;");
    ev_str(&e, A_STR("quoted"), "a b");
    ev_str(&e, A_STR("empty"), "");
    ev_str(&e, A_STR("nul"), NULL);
    const char *none[1] = {NULL};
    fs_strv(&e, NULL, A_STRV("sv"), none, 0);
    const char *v[] = {"x", "y z", ""};
    fs_strv(&e, NULL, A_STRV("sv2"), v, 3);
    fs_ranges(&e, NULL, A_RANGES("rg"), NULL, 0);
    const uint64_t r[2][2] = {{0, 76}, {100, UINT64_MAX}};
    fs_ranges(&e, NULL, A_RANGES("rg2"), r, 2);
    struct fieldset *o = fs_obj(&e, NULL, A_OBJ("o"));
    fs_uint(&e, o, A_UINT("a"), 1);
    fs_uint(&e, o, F(fid), 1);
    struct fieldset *in = fs_obj(&e, o, A_OBJ("inner"));
    fs_str(&e, in, A_STR("s"), "p q");
    fs_null(&e, in, A_STR("z"));
    fs_obj(&e, NULL, A_OBJ("eo"));
    ev_ts(&e, F(start), T0 + 250);          /* a time: seconds since the connection's start */
    ev_ts(&e, A_TS("early"), T0 - 1);       /* before the start: +0, as line times */
    ms_write(&m, &e);
    ev_free(&e);
    const char *out = ms_close(&m);
    ck_assert_str_eq(out,
                     HDR1 "C1 +1.500000 FILE n=- t=true f=false i=-5 imin=-9223372036854775808 "
                          "imax=9223372036854775807 u0=0 below=9223372036854775807 at=9223372036854775807 "
                          "max=9223372036854775807 fid=0x972a status_code=0xc0000022 "
                          "capabilities=0x7fffffffffffffff access_mask=0x12019f create_options=0x40 flags=0x0 "
                          "flags2=0x7fffffffffffffff security_mode=0x3 share_access=0x7 file_attributes=0x20 "
                          "mid=-1 bare=a_b.c:d\\e/f$<g>@h-i+j0Z?*!#%&()'|~^`; quoted=\"a b\" empty=\"\" nul=- sv=[] "
                          "sv2=[x,\"y z\",\"\"] rg=[] rg2=[0-76,100-9223372036854775807] "
                          "o={a=1 fid=0x1 inner={s=\"p q\" z=-}} eo={} start=+0.000250 early=+0.000000\n");
    ms_free(&m);
}
END_TEST

START_TEST(line_layout)
{
    struct conn_ref c1 = conn_v4(), c2 = conn_v6();
    struct mem_sink m;
    ms_open(&m, sink_text_new);
    struct event e;

    /* an answered SMB command: COMMAND STATUS LATENCY, then fields but the ones already shown */
    ev_init(&e, EV_SMB, T0 + 12536, &c1);
    ev_allow_adhoc(&e);
    ev_str(&e, F(command), "NEGOTIATE");
    ev_uint(&e, F(code), 0x72);
    ev_str(&e, F(status), "STATUS_SUCCESS");
    ev_uint(&e, F(status_code), 0);
    ev_uint(&e, F(uid), 0);
    ev_uint(&e, F(pid), 99);
    ev_uint(&e, F(mid), 1);
    ev_uint(&e, F(latency_us), 18343);
    ev_str(&e, F(dialect), "NT LM 0.12");
    ms_write(&m, &e);
    ev_free(&e);

    /* unanswered: status and latency null */
    ev_init(&e, EV_SMB, T0 + 20000, &c1);
    ev_allow_adhoc(&e);
    ev_str(&e, F(command), "CLOSE");
    ev_null(&e, F(status));
    ev_null(&e, F(latency_us));
    ev_uint(&e, F(fid), 1);
    ms_write(&m, &e);
    ev_free(&e);

    /* a latency under a millisecond keeps its three decimals */
    ev_init(&e, EV_SMB, T0 + 30000, &c1);
    ev_allow_adhoc(&e);
    ev_str(&e, F(command), "ECHO");
    ev_str(&e, F(status), "ERRDOS/ERRbadfid");
    ev_uint(&e, F(latency_us), 62);
    ms_write(&m, &e);
    ev_free(&e);

    /* another connection: its own header, IPv6 in brackets */
    ev_init(&e, EV_NBSS, T0 + 2500000, &c2);
    ev_allow_adhoc(&e);
    ev_str(&e, F(msg), "session_request");
    ms_write(&m, &e);
    ev_free(&e);

    /* back on C1: no second header; a record stamped before the start says +0 */
    ev_init(&e, EV_SESSION, T0 - 5, &c1);
    ev_allow_adhoc(&e);
    ev_uint(&e, F(uid), 7);
    ms_write(&m, &e);
    ev_free(&e);

    /* anomalies: name, quoted detail, then any other field */
    ev_init(&e, EV_ANOMALY, T0 + 40000, &c1);
    ev_allow_adhoc(&e);
    ev_str(&e, F(anomaly_name), "tcp_overlap_conflict");
    ev_str(&e, F(detail), "range [3,9) of x");
    ev_str(&e, A_STR("kept"), "first");
    ms_write(&m, &e);
    ev_free(&e);
    ev_init(&e, EV_ANOMALY, T0 + 40001, &c1);
    ev_allow_adhoc(&e);
    ev_str(&e, F(anomaly_name), "nbss_resync");
    ms_write(&m, &e);
    ev_free(&e);

    /* a connection's suppressed anomaly records, counted by name */
    ev_init(&e, EV_SUPPRESSED, T0 + 60000, &c1);
    ev_uint(&e, F(limit), 100);
    fs_map_uint(&e, fs_map(&e, NULL, F(counts)), "pending_limit", 199900);
    ms_write(&m, &e);
    ev_free(&e);

    /* END lines stand at their own time (when the record was written), like
     * every line; `start` says when the connection began */
    ev_init(&e, EV_CONN, T0 + 66969, &c1);
    ev_allow_adhoc(&e);
    ev_ts(&e, F(start), T0);
    ev_str(&e, F(state), "closed");
    ev_uint(&e, F(duration_us), 66969);
    ms_write(&m, &e);
    ev_free(&e);
    ev_init(&e, EV_CONN, T0 + 2000000 + 3000001, &c2);
    ev_allow_adhoc(&e);
    ev_ts(&e, F(start), T0 + 2000000);
    ev_str(&e, F(state), "reset");
    ev_uint(&e, F(duration_us), 2000001);   /* no longer moves the line */
    ms_write(&m, &e);
    ev_free(&e);

    /* stats: no connection, absolute time */
    ev_init(&e, EV_STATS, T0 + 5000000, NULL);
    ev_allow_adhoc(&e);
    ev_uint(&e, F(packets), 24);
    struct fieldset *rec = fs_map(&e, NULL, F(records));
    fs_map_uint(&e, rec, "conn", 1);
    ms_write(&m, &e);
    ev_free(&e);

    const char *out = ms_close(&m);
    ck_assert_str_eq(out, HDR1 "C1 +0.012536 NEGOTIATE STATUS_SUCCESS 18.343ms uid=0 mid=1 dialect=\"NT LM 0.12\"\n"
                               "C1 +0.020000 CLOSE (no response) fid=0x1\n"
                               "C1 +0.030000 ECHO ERRDOS/ERRbadfid 0.062ms \n" HDR2
                               "C2 +0.500000 NBSS msg=session_request\n"
                               "C1 +0.000000 SESSION uid=7\n"
                               "C1 +0.040000 ANOMALY tcp_overlap_conflict \"range [3,9) of x\" kept=first\n"
                               "C1 +0.040001 ANOMALY nbss_resync\n"
                               "C1 +0.060000 ANOMALIES_SUPPRESSED limit=100 counts={pending_limit=199900}\n"
                               "C1 +0.066969 END start=+0.000000 state=closed duration_us=66969\n"
                               "C2 +3.000001 END start=+0.000000 state=reset duration_us=2000001\n"
                               "-- 2023-11-14T22:13:25.000000Z STATS packets=24 records={conn=1}\n");
    ms_free(&m);
}
END_TEST

/* --sensor: on each connection's header line and on the STATS line */
START_TEST(sensor_on_header_and_stats)
{
    struct conn_ref c = conn_v4();
    struct mem_sink m;
    ms_open(&m, sink_text_new);
    m.s->sensor = "dc-tap.1";
    struct event e;
    ev_init(&e, EV_NBSS, T0 + 1, &c);
    ms_write(&m, &e);
    ev_free(&e);
    ev_init(&e, EV_STATS, T0 + 2, NULL);
    ev_uint(&e, F(packets), 1);
    ms_write(&m, &e);
    ev_free(&e);
    ck_assert_str_eq(ms_close(&m), "C1 2023-11-14T22:13:20.000000Z 10.0.0.1:1025 -> 10.0.0.2:445 community_id=1:abc= "
                                   "conn_uid=CuidV4 sensor=dc-tap.1\n"
                                   "C1 +0.000001 NBSS \n"
                                   "-- 2023-11-14T22:13:20.000002Z STATS sensor=dc-tap.1 packets=1\n");
    ms_free(&m);
}
END_TEST

/* connection numbers far apart: the header bitmap grows */
START_TEST(many_connections_one_header_each)
{
    struct mem_sink m;
    ms_open(&m, sink_text_new);
    static const uint64_t nums[] = {5000, 3, 5000, 70000, 3};
    for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++) {
        struct conn_ref c = conn_v4();
        c.num = nums[i];
        snprintf(c.id, sizeof c.id, "C%llu", (unsigned long long)nums[i]);
        struct event e;
        ev_init(&e, EV_NBSS, T0, &c);
        ev_allow_adhoc(&e);
        ms_write(&m, &e);
        ev_free(&e);
    }
    const char *out = ms_close(&m);
    ck_assert_str_eq(out, "C5000 2023-11-14T22:13:20.000000Z 10.0.0.1:1025 -> 10.0.0.2:445 community_id=1:abc= conn_uid=CuidV4\n"
                          "C5000 +0.000000 NBSS \n"
                          "C3 2023-11-14T22:13:20.000000Z 10.0.0.1:1025 -> 10.0.0.2:445 community_id=1:abc= conn_uid=CuidV4\n"
                          "C3 +0.000000 NBSS \n"
                          "C5000 +0.000000 NBSS \n"
                          "C70000 2023-11-14T22:13:20.000000Z 10.0.0.1:1025 -> 10.0.0.2:445 community_id=1:abc= conn_uid=CuidV4\n"
                          "C70000 +0.000000 NBSS \n"
                          "C3 +0.000000 NBSS \n");
    ms_free(&m);
}
END_TEST

/* the value as the text sink shows field user=..., on C1 */
static void expect_user(const char *value, const char *shown)
{
    struct conn_ref c = conn_v4();
    char *out = ms_one_str(sink_text_new, &c, "user", value);
    char want[256];
    snprintf(want, sizeof want, HDR1 "C1 +0.000000 SESSION user=%s\n", shown);
    ck_assert_str_eq(out, want);
    assert_terminal_safe(out);
    free(out);
}

START_TEST(escape_sequence_is_escaped)
{
    expect_user("\x1b[2J", "\"\\u{1b}[2J\"");
    expect_user("\x1b]0;owned\x07", "\"\\u{1b}]0;owned\\u{7}\"");
    expect_user("ab\x1b", "\"ab\\u{1b}\"");
}
END_TEST

START_TEST(every_c0_control_and_del_is_escaped)
{
    for (unsigned ch = 0x01; ch <= 0x7f; ch++) {
        if (ch >= 0x20 && ch < 0x7f)
            continue;
        char value[8], shown[32];
        snprintf(value, sizeof value, "a%cb", (char)ch);
        snprintf(shown, sizeof shown, "\"a\\u{%x}b\"", ch);
        expect_user(value, shown);
        snprintf(value, sizeof value, "%c", (char)ch);
        snprintf(shown, sizeof shown, "\"\\u{%x}\"", ch);
        expect_user(value, shown);
    }
}
END_TEST

START_TEST(every_c1_control_is_escaped)
{
    for (unsigned ch = 0x80; ch <= 0x9f; ch++) {
        char value[8], shown[32];
        snprintf(value, sizeof value, "a%c%cb", 0xc2, (char)ch);
        snprintf(shown, sizeof shown, "\"a\\u{%x}b\"", ch);
        expect_user(value, shown);
        snprintf(value, sizeof value, "%c%c", 0xc2, (char)ch);
        snprintf(shown, sizeof shown, "\"\\u{%x}\"", ch);
        expect_user(value, shown);
    }
    /* U+00C2 then U+0085: the C1 after another character is still caught */
    expect_user("\xc3\x82\xc2\x85", "\"\xc3\x82\\u{85}\"");
}
END_TEST

/* the code point cp as UTF-8 into out (NUL-terminated) */
static void utf8(unsigned cp, char *out)
{
    unsigned char *o = (unsigned char *)out;
    if (cp < 0x800) {
        *o++ = (unsigned char)(0xc0 | cp >> 6);
    } else if (cp < 0x10000) {
        *o++ = (unsigned char)(0xe0 | cp >> 12);
        *o++ = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
    } else {
        *o++ = (unsigned char)(0xf0 | cp >> 18);
        *o++ = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
        *o++ = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
    }
    *o++ = (unsigned char)(0x80 | (cp & 0x3f));
    *o = 0;
}

/* issue 9.6: what hides or reorders text is escaped like a control */
START_TEST(bidi_zero_width_separators_and_tags_are_escaped)
{
    /* the classic: displays as "invoiceexe.jpg" if the U+202E gets through */
    expect_user("invoice\xe2\x80\xaegpj.exe", "\"invoice\\u{202e}gpj.exe\"");
    static const unsigned escaped[] = {
        0x061c,                                         /* ARABIC LETTER MARK */
        0x200b, 0x200c, 0x200d,                         /* zero width space, non-joiner, joiner */
        0x200e, 0x200f,                                 /* LRM, RLM */
        0x2028, 0x2029,                                 /* line and paragraph separators */
        0x202a, 0x202b, 0x202c, 0x202d, 0x202e,         /* LRE RLE PDF LRO RLO */
        0x2060,                                         /* word joiner */
        0x2066, 0x2067, 0x2068, 0x2069,                 /* LRI RLI FSI PDI */
        0xfeff,                                         /* zero width no-break space (BOM) */
        0xe0000, 0xe0001, 0xe0041, 0xe007f,             /* tag characters */
    };
    for (size_t i = 0; i < sizeof escaped / sizeof escaped[0]; i++) {
        char value[16], shown[48], ch[8];
        utf8(escaped[i], ch);
        snprintf(value, sizeof value, "a%sb", ch);
        snprintf(shown, sizeof shown, "\"a\\u{%x}b\"", escaped[i]);
        expect_user(value, shown);
    }
    /* their neighbours are ordinary, visible characters: shown as they are */
    static const unsigned kept[] = {0x061b, 0x200a, 0x2027, 0x202f, 0x205f, 0x2070, 0xfefe, 0xff01, 0xdffff, 0xe0080};
    for (size_t i = 0; i < sizeof kept / sizeof kept[0]; i++) {
        char value[16], shown[48], ch[8];
        utf8(kept[i], ch);
        snprintf(value, sizeof value, "a%sb", ch);
        snprintf(shown, sizeof shown, "\"a%sb\"", ch);
        expect_user(value, shown);
    }
}
END_TEST

/* README "Text quoting": backslashes are never escaped; the one escape is
 * \u{HEX}, and since `{` and `"` are always escaped, a literal `\u{` cannot
 * occur: every output reads back to exactly one value */
START_TEST(one_quoting_rule)
{
    expect_user("say \"hi\"", "\"say \\u{22}hi\\u{22}\"");
    expect_user("\"", "\"\\u{22}\"");
    expect_user("\\\"", "\"\\\\u{22}\"");
    expect_user("a\\ b", "\"a\\ b\"");
    expect_user("\\\\srv\\share", "\\\\srv\\share"); /* a UNC path is a plain token */
    expect_user("\\", "\\");
    expect_user(" ", "\" \"");
    expect_user("", "\"\"");
    expect_user("-", "\"-\"");                       /* not the null mark */
    expect_user("a=b", "\"a=b\"");
    expect_user("a,b", "\"a,b\"");
    expect_user("[x]", "\"[x]\"");
    expect_user("{x}", "\"\\u{7b}x}\"");
    expect_user("x}", "\"x}\"");
    /* a literal backslash-x or backslash-u is not an escape: shown as is */
    expect_user("\\x1b", "\\x1b");
    expect_user("\\u001b", "\\u001b");
    /* a literal "\u{1b}" (6 characters) differs from an escaped ESC */
    expect_user("\\u{1b}", "\"\\u\\u{7b}1b}\"");
    expect_user("\x1b", "\"\\u{1b}\"");
}
END_TEST

/* the same path looks the same quoted or not: only the quotes differ */
START_TEST(same_path_same_text_quoted_or_bare)
{
    struct conn_ref c = conn_v4();
    struct mem_sink m;
    ms_open(&m, sink_text_new);
    struct event e;
    ev_init(&e, EV_SESSION, T0, &c);
    ev_allow_adhoc(&e);   /* share and ipc beside shares: not a session record's keys */
    const char *v[] = {"\\\\h\\IPC$", "\\\\h\\MY PICTURES"};
    fs_strv(&e, NULL, F(shares), v, 2);
    ev_str(&e, F(share), "\\\\h\\MY PICTURES");
    ev_str(&e, A_STR("ipc"), "\\\\h\\IPC$");
    ms_write(&m, &e);
    ev_free(&e);
    ck_assert_str_eq(ms_close(&m), HDR1 "C1 +0.000000 SESSION shares=[\\\\h\\IPC$,\"\\\\h\\MY PICTURES\"] "
                                        "share=\"\\\\h\\MY PICTURES\" ipc=\\\\h\\IPC$\n");
    ms_free(&m);
}
END_TEST

START_TEST(printable_utf8_passes_through)
{
    expect_user("\xc3\xa9t\xc3\xa9", "\"\xc3\xa9t\xc3\xa9\"");         /* été */
    expect_user("\xc2\xa0", "\"\xc2\xa0\"");                           /* U+00A0, just past C1 */
    expect_user("\xe6\x97\xa5\xe6\x9c\xac", "\"\xe6\x97\xa5\xe6\x9c\xac\""); /* 日本 */
    expect_user("\xf0\x9f\x98\x80", "\"\xf0\x9f\x98\x80\"");           /* U+1F600 */
    expect_user("\xef\xbf\xbd", "\"\xef\xbf\xbd\"");                   /* U+FFFD from the converter */
}
END_TEST

/* strings in every position: string vectors, nested objects, anomaly name and detail */
START_TEST(hostile_strings_everywhere)
{
    struct conn_ref c = conn_v4();
    struct mem_sink m;
    ms_open(&m, sink_text_new);
    const char *v[] = {"\x1b[2J", "\xc2\x9b" "31m", "ok"};
    ms_write_hostile(&m, &c, v, "\r\n", "\x1b[2J", "line\nbreak \xc2\x85 next");
    struct event e;
    ev_init(&e, EV_SMB, T0, &c);
    ev_allow_adhoc(&e);
    ev_str(&e, F(command), "TRANSACTION");
    ev_str(&e, F(status), "STATUS_SUCCESS");
    ev_str(&e, F(name), "\\PIPE\\\x1b[2J");
    ms_write(&m, &e);
    ev_free(&e);
    const char *out = ms_close(&m);
    ck_assert_str_eq(out, HDR1 "C1 +0.000000 SESSION shares=[\"\\u{1b}[2J\",\"\\u{9b}31m\",ok] o={s=\"\\u{d}\\u{a}\"}\n"
                               "C1 +0.000000 ANOMALY \"\\u{1b}[2J\" \"line\\u{a}break \\u{85} next\"\n"
                               "C1 +0.000000 TRANSACTION STATUS_SUCCESS name=\"\\PIPE\\\\u{1b}[2J\"\n");
    assert_terminal_safe(out);
    ms_free(&m);
}
END_TEST

START_TEST(write_errors_are_reported)
{
    check_write_error(sink_text_new, false);
    check_write_error(sink_text_new, true);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("out_text");
    TCase *tc = tcase_create("out_text");
    tcase_add_test(tc, every_field_kind);
    tcase_add_test(tc, line_layout);
    tcase_add_test(tc, many_connections_one_header_each);
    tcase_add_test(tc, escape_sequence_is_escaped);
    tcase_add_test(tc, every_c0_control_and_del_is_escaped);
    tcase_add_test(tc, every_c1_control_is_escaped);
    tcase_add_test(tc, bidi_zero_width_separators_and_tags_are_escaped);
    tcase_add_test(tc, one_quoting_rule);
    tcase_add_test(tc, same_path_same_text_quoted_or_bare);
    tcase_add_test(tc, sensor_on_header_and_stats);
    tcase_add_test(tc, printable_utf8_passes_through);
    tcase_add_test(tc, hostile_strings_everywhere);
    tcase_add_test(tc, write_errors_are_reported);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
