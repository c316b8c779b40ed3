/* Unit tests for the text sink (src/out_text.c): exact bytes for every field
 * kind, the line layout (connection header once, relative times, the END
 * line's rule, SMB and ANOMALY lines, STATS), and hostile strings: nothing
 * that can drive a terminal (C0, DEL, C1) leaves the sink unescaped. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "sink.h"
#include "sink_harness.h"

#define HDR1 "C1 2023-11-14T22:13:20.000000Z 10.0.0.1:1025 -> 10.0.0.2:445 community_id=1:abc=\n"
#define HDR2 "C2 2023-11-14T22:13:22.000000Z [fe80::1]:50000 -> [fe80::2]:139 community_id=1:v6=\n"

/* no byte that a terminal acts on: C0 but the line ends, DEL, UTF-8 C1 (C2 80..C2 9F) */
static void assert_terminal_safe(const char *out)
{
    for (const unsigned char *p = (const unsigned char *)out; *p; p++) {
        ck_assert_msg(*p >= 0x20 || *p == '\n', "raw C0 byte 0x%02x at %td", *p, (const char *)p - out);
        ck_assert_msg(*p != 0x7f, "raw DEL at %td", (const char *)p - out);
        ck_assert_msg(!(*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f), "raw C1 U+00%02X at %td", p[1],
                      (const char *)p - out);
    }
}

START_TEST(every_field_kind)
{
    struct conn_ref c = conn_v4();
    struct mem_sink m;
    ms_open(&m, sink_text_new);
    struct event e;
    ev_init(&e, EV_FILE, T0 + 1500000, &c);
    ev_null(&e, "n");
    ev_bool(&e, "t", true);
    ev_bool(&e, "f", false);
    ev_int(&e, "i", -5);
    ev_int(&e, "imin", INT64_MIN);
    ev_int(&e, "imax", INT64_MAX);
    ev_uint(&e, "u0", 0);
    ev_uint(&e, "below", (uint64_t)INT64_MAX);
    /* unsigned values past int64 saturate exactly as in JSON: the sinks agree */
    ev_uint(&e, "at", (uint64_t)INT64_MAX + 1);
    ev_uint(&e, "max", UINT64_MAX);
    /* the names shown in hex, whatever their value */
    ev_uint(&e, "fid", 0x972a);
    ev_uint(&e, "status_code", 0xc0000022);
    ev_uint(&e, "capabilities", UINT64_MAX);
    ev_uint(&e, "access_mask", 0x12019f);
    ev_uint(&e, "create_options", 0x40);
    ev_uint(&e, "flags", 0);
    ev_uint(&e, "flags2", (uint64_t)INT64_MAX + 1);
    ev_uint(&e, "security_mode", 3);
    ev_uint(&e, "share_access", 7);
    ev_uint(&e, "file_attributes", 0x20);
    /* a hex name as a signed int stays decimal: the rule is for F_UINT */
    ev_int(&e, "mid", -1);
    ev_str(&e, "bare", "a_b.c:d\\e/f$<g>@h-i+j0Z");
    ev_str(&e, "quoted", "a b");
    ev_str(&e, "empty", "");
    ev_str(&e, "nul", NULL);
    const char *none[1] = {NULL};
    fs_strv(&e, NULL, "sv", none, 0);
    const char *v[] = {"x", "y z", ""};
    fs_strv(&e, NULL, "sv2", v, 3);
    fs_ranges(&e, NULL, "rg", NULL, 0);
    const uint64_t r[2][2] = {{0, 76}, {100, UINT64_MAX}};
    fs_ranges(&e, NULL, "rg2", r, 2);
    struct fieldset *o = fs_obj(&e, NULL, "o");
    fs_uint(&e, o, "a", 1);
    fs_uint(&e, o, "fid", 1);
    struct fieldset *in = fs_obj(&e, o, "inner");
    fs_str(&e, in, "s", "p q");
    fs_null(&e, in, "z");
    fs_obj(&e, NULL, "eo");
    ms_write(&m, &e);
    ev_free(&e);
    const char *out = ms_close(&m);
    ck_assert_str_eq(out,
                     HDR1 "C1 +1.500000 FILE n=- t=true f=false i=-5 imin=-9223372036854775808 "
                          "imax=9223372036854775807 u0=0 below=9223372036854775807 at=9223372036854775807 "
                          "max=9223372036854775807 fid=0x972a status_code=0xc0000022 "
                          "capabilities=0x7fffffffffffffff access_mask=0x12019f create_options=0x40 flags=0x0 "
                          "flags2=0x7fffffffffffffff security_mode=0x3 share_access=0x7 file_attributes=0x20 "
                          "mid=-1 bare=a_b.c:d\\e/f$<g>@h-i+j0Z quoted=\"a b\" empty=\"\" nul=- sv=[] "
                          "sv2=[x,\"y z\",\"\"] rg=[] rg2=[0-76,100-9223372036854775807] "
                          "o={a=1 fid=0x1 inner={s=\"p q\" z=-}} eo={}\n");
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
    ev_str(&e, "command", "NEGOTIATE");
    ev_uint(&e, "code", 0x72);
    ev_str(&e, "status", "STATUS_SUCCESS");
    ev_uint(&e, "status_code", 0);
    ev_uint(&e, "uid", 0);
    ev_uint(&e, "pid", 99);
    ev_uint(&e, "mid", 1);
    ev_uint(&e, "latency_us", 18343);
    ev_str(&e, "dialect", "NT LM 0.12");
    ms_write(&m, &e);
    ev_free(&e);

    /* unanswered: status and latency null */
    ev_init(&e, EV_SMB, T0 + 20000, &c1);
    ev_str(&e, "command", "CLOSE");
    ev_null(&e, "status");
    ev_null(&e, "latency_us");
    ev_uint(&e, "fid", 1);
    ms_write(&m, &e);
    ev_free(&e);

    /* a latency under a millisecond keeps its three decimals */
    ev_init(&e, EV_SMB, T0 + 30000, &c1);
    ev_str(&e, "command", "ECHO");
    ev_str(&e, "status", "ERRDOS/ERRbadfid");
    ev_uint(&e, "latency_us", 62);
    ms_write(&m, &e);
    ev_free(&e);

    /* another connection: its own header, IPv6 in brackets */
    ev_init(&e, EV_NBSS, T0 + 2500000, &c2);
    ev_str(&e, "msg", "session_request");
    ms_write(&m, &e);
    ev_free(&e);

    /* back on C1: no second header; a record stamped before the start says +0 */
    ev_init(&e, EV_SESSION, T0 - 5, &c1);
    ev_uint(&e, "uid", 7);
    ms_write(&m, &e);
    ev_free(&e);

    /* anomalies: name, quoted detail, then any other field */
    ev_init(&e, EV_ANOMALY, T0 + 40000, &c1);
    ev_str(&e, "name", "tcp_overlap_conflict");
    ev_str(&e, "detail", "range [3,9) of x");
    ev_str(&e, "kept", "first");
    ms_write(&m, &e);
    ev_free(&e);
    ev_init(&e, EV_ANOMALY, T0 + 40001, &c1);
    ev_str(&e, "name", "nbss_resync");
    ms_write(&m, &e);
    ev_free(&e);

    /* a connection's suppressed anomaly records, counted by name */
    ev_init(&e, EV_SUPPRESSED, T0 + 60000, &c1);
    ev_uint(&e, "limit", 100);
    fs_uint(&e, fs_obj(&e, NULL, "counts"), "pending_limit", 199900);
    ms_write(&m, &e);
    ev_free(&e);

    /* END lines stand where the connection ended: the record's time plus duration_us */
    ev_init(&e, EV_CONN, T0, &c1);
    ev_str(&e, "state", "closed");
    ev_uint(&e, "duration_us", 66969);
    ms_write(&m, &e);
    ev_free(&e);
    ev_init(&e, EV_CONN, T0 + 2000000 + 1000000, &c2);
    ev_str(&e, "state", "reset");
    ev_uint(&e, "duration_us", 2000001);
    ms_write(&m, &e);
    ev_free(&e);
    /* only a conn record's unsigned duration_us moves its line */
    ev_init(&e, EV_CONN, T0 + 5, &c1);
    ev_int(&e, "duration_us", 1000000);
    ms_write(&m, &e);
    ev_free(&e);
    ev_init(&e, EV_FILE, T0 + 5, &c1);
    ev_uint(&e, "duration_us", 1000000);
    ms_write(&m, &e);
    ev_free(&e);

    /* stats: no connection, absolute time */
    ev_init(&e, EV_STATS, T0 + 5000000, NULL);
    ev_uint(&e, "packets", 24);
    struct fieldset *rec = fs_obj(&e, NULL, "records");
    fs_uint(&e, rec, "conn", 1);
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
                               "C1 +0.066969 END state=closed duration_us=66969\n"
                               "C2 +3.000001 END state=reset duration_us=2000001\n"
                               "C1 +0.000005 END duration_us=1000000\n"
                               "C1 +0.000005 FILE duration_us=1000000\n"
                               "-- 2023-11-14T22:13:25.000000Z STATS packets=24 records={conn=1}\n");
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
        ms_write(&m, &e);
        ev_free(&e);
    }
    const char *out = ms_close(&m);
    ck_assert_str_eq(out, "C5000 2023-11-14T22:13:20.000000Z 10.0.0.1:1025 -> 10.0.0.2:445 community_id=1:abc=\n"
                          "C5000 +0.000000 NBSS \n"
                          "C3 2023-11-14T22:13:20.000000Z 10.0.0.1:1025 -> 10.0.0.2:445 community_id=1:abc=\n"
                          "C3 +0.000000 NBSS \n"
                          "C5000 +0.000000 NBSS \n"
                          "C70000 2023-11-14T22:13:20.000000Z 10.0.0.1:1025 -> 10.0.0.2:445 community_id=1:abc=\n"
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
    expect_user("\x1b[2J", "\"\\x1b[2J\"");
    expect_user("\x1b]0;owned\x07", "\"\\x1b]0;owned\\x07\"");
    expect_user("ab\x1b", "\"ab\\x1b\"");
}
END_TEST

START_TEST(every_c0_control_and_del_is_escaped)
{
    for (unsigned ch = 0x01; ch <= 0x7f; ch++) {
        if (ch >= 0x20 && ch < 0x7f)
            continue;
        char value[8], shown[32];
        snprintf(value, sizeof value, "a%cb", (char)ch);
        snprintf(shown, sizeof shown, "\"a\\x%02xb\"", ch);
        expect_user(value, shown);
        snprintf(value, sizeof value, "%c", (char)ch);
        snprintf(shown, sizeof shown, "\"\\x%02x\"", ch);
        expect_user(value, shown);
    }
}
END_TEST

START_TEST(every_c1_control_is_escaped)
{
    for (unsigned ch = 0x80; ch <= 0x9f; ch++) {
        char value[8], shown[32];
        snprintf(value, sizeof value, "a%c%cb", 0xc2, (char)ch);
        snprintf(shown, sizeof shown, "\"a\\u%04xb\"", ch);
        expect_user(value, shown);
        snprintf(value, sizeof value, "%c%c", 0xc2, (char)ch);
        snprintf(shown, sizeof shown, "\"\\u%04x\"", ch);
        expect_user(value, shown);
    }
    /* U+00C2 then U+0085: the C1 after another character is still caught */
    expect_user("\xc3\x82\xc2\x85", "\"\xc3\x82\\u0085\"");
}
END_TEST

START_TEST(quotes_backslashes_spaces_empty)
{
    expect_user("say \"hi\"", "\"say \\\"hi\\\"\"");
    expect_user("\"", "\"\\\"\"");
    expect_user("\\\"", "\"\\\\\\\"\"");
    expect_user("a\\ b", "\"a\\\\ b\"");
    expect_user("\\\\srv\\share", "\\\\srv\\share"); /* a UNC path is a plain token */
    expect_user("\\", "\\");
    expect_user(" ", "\" \"");
    expect_user("", "\"\"");
    expect_user("a=b", "\"a=b\"");
    expect_user("{x}", "\"{x}\"");
}
END_TEST

START_TEST(printable_utf8_passes_through)
{
    expect_user("\xc3\xa9t\xc3\xa9", "\"\xc3\xa9t\xc3\xa9\"");         /* été */
    expect_user("\xc2\xa0", "\"\xc2\xa0\"");                           /* U+00A0, just past C1 */
    expect_user("\xe6\x97\xa5\xe6\x9c\xac", "\"\xe6\x97\xa5\xe6\x9c\xac\""); /* 日本 */
    expect_user("\xf0\x9f\x98\x80", "\"\xf0\x9f\x98\x80\"");           /* U+1F600 */
}
END_TEST

/* strings in every position: string vectors, nested objects, anomaly name and detail */
START_TEST(hostile_strings_everywhere)
{
    struct conn_ref c = conn_v4();
    struct mem_sink m;
    ms_open(&m, sink_text_new);
    struct event e;
    ev_init(&e, EV_SESSION, T0, &c);
    const char *v[] = {"\x1b[2J", "\xc2\x9b" "31m", "ok"};
    fs_strv(&e, NULL, "shares", v, 3);
    struct fieldset *o = fs_obj(&e, NULL, "o");
    fs_str(&e, o, "s", "\r\n");
    ms_write(&m, &e);
    ev_free(&e);
    ev_init(&e, EV_ANOMALY, T0, &c);
    ev_str(&e, "name", "\x1b[2J");
    ev_str(&e, "detail", "line\nbreak \xc2\x85 next");
    ms_write(&m, &e);
    ev_free(&e);
    ev_init(&e, EV_SMB, T0, &c);
    ev_str(&e, "command", "TRANSACTION");
    ev_str(&e, "status", "STATUS_SUCCESS");
    ev_str(&e, "name", "\\PIPE\\\x1b[2J");
    ms_write(&m, &e);
    ev_free(&e);
    const char *out = ms_close(&m);
    ck_assert_str_eq(out, HDR1 "C1 +0.000000 SESSION shares=[\"\\x1b[2J\",\"\\u009b31m\",ok] o={s=\"\\x0d\\x0a\"}\n"
                               "C1 +0.000000 ANOMALY \"\\x1b[2J\" \"line\\x0abreak \\u0085 next\"\n"
                               "C1 +0.000000 TRANSACTION STATUS_SUCCESS name=\"\\\\PIPE\\\\\\x1b[2J\"\n");
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
    tcase_add_test(tc, quotes_backslashes_spaces_empty);
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
