/* Unit tests for NBSS framing (RFC 1002 4.3, [MS-SMB] 2.1 direct hosting). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nbss.h"

/* ---- a recorder for records and message pieces ------------------------- */

struct rec {
    char log[8192];
    size_t n;
};

static void logf_(struct rec *r, const char *fmt, const char *a, long b)
{
    r->n += (size_t)snprintf(r->log + r->n, sizeof r->log - r->n, fmt, a, b);
}

static void on_emit(void *u, const struct event *e)
{
    struct rec *r = u;
    const struct field *m = ev_get(e, NULL, e->type == EV_NBSS ? "msg" : "name");
    logf_(r, "[%s:%ld", m && m->kind == F_STR ? m->v.s : "?", 0);
    const char *names[] = {"called", "calling", "error_name", "retarget_ip"};
    for (size_t i = 0; i < 4; i++) {
        const struct field *f = ev_get(e, NULL, names[i]);
        if (f && f->kind == F_STR)
            logf_(r, " %s%ld", f->v.s, 0);
    }
    logf_(r, "]%s", "", 0);
}

static void m_begin(void *u, enum dir d, size_t len, uint64_t ts)
{
    (void)ts;
    logf_(u, "B%s%ld,", d == DIR_C2S ? "c" : "s", (long)len);
}
static void m_data(void *u, enum dir d, const uint8_t *p, size_t n, uint64_t ts)
{
    (void)ts;
    (void)d;
    struct rec *r = u;
    for (size_t i = 0; i < n; i++)
        r->n += (size_t)snprintf(r->log + r->n, sizeof r->log - r->n, "%02x", p[i]);
}
static void m_gap(void *u, enum dir d, size_t n, uint64_t ts)
{
    (void)ts;
    (void)d;
    logf_(u, "<gap%s%ld>", "", (long)n);
}
static void m_end(void *u, enum dir d, bool complete, uint64_t ts)
{
    (void)ts;
    (void)d;
    logf_(u, ",E%s%ld;", complete ? "" : "!", 0);
}

static const struct nbss_msg_ops ops = {m_begin, m_data, m_gap, m_end};

struct fixture {
    struct rec rec;
    struct emitter em;
    struct limits lim;
    struct conn_ref conn;
    struct nbss nb;
};

static void setup(struct fixture *f, bool direct, bool midstream)
{
    memset(f, 0, sizeof *f);
    f->em.emit = on_emit;
    f->em.u = &f->rec;
    f->lim = limits_default();
    strcpy(f->conn.id, "C1");
    nbss_init(&f->nb, direct, midstream, &f->conn, &f->em, &f->lim, &ops, &f->rec);
}

/* ---- fixtures ------------------------------------------------------------ */

/* session request: called FILESRV<20>, calling CLIENT<00> */
static const uint8_t SESSION_REQUEST[] = {
    0x81, 0x00, 0x00, 0x44,                       /* type 0x81, flags 0, length 68 */
    0x20,                                         /* called name: 32 encoded bytes follow */
    'E', 'G', 'E', 'J', 'E', 'M', 'E', 'F', 'F', 'D', 'F', 'C', 'F', 'G', /* F I L E S R V */
    'C', 'A', 'C', 'A', 'C', 'A', 'C', 'A', 'C', 'A', 'C', 'A', 'C', 'A', 'C', 'A', /* 8 spaces */
    'C', 'A',                                     /* suffix 0x20 (file server service) */
    0x00,                                         /* no scope */
    0x20,                                         /* calling name */
    'E', 'D', 'E', 'M', 'E', 'J', 'E', 'F', 'E', 'O', 'F', 'E', /* C L I E N T */
    'C', 'A', 'C', 'A', 'C', 'A', 'C', 'A', 'C', 'A', 'C', 'A', 'C', 'A', 'C', 'A', 'C', 'A', /* 9 spaces */
    'A', 'A',                                     /* suffix 0x00 (workstation) */
    0x00,                                         /* no scope */
};
static const uint8_t POSITIVE[] = {0x82, 0x00, 0x00, 0x00};
static const uint8_t NEGATIVE[] = {0x83, 0x00, 0x00, 0x01, 0x82}; /* called name not present */
static const uint8_t RETARGET[] = {0x84, 0x00, 0x00, 0x06, 10, 0, 0, 7, 0x00, 0x8b}; /* 10.0.0.7:139 */
static const uint8_t KEEPALIVE[] = {0x85, 0x00, 0x00, 0x00};

/* a direct-hosted session message carrying a minimal SMB1 header + empty blocks */
static uint8_t smb_msg[4 + 35];
static void make_smb_msg(uint8_t first)
{
    memset(smb_msg, 0, sizeof smb_msg);
    smb_msg[0] = 0x00;                            /* session message */
    smb_msg[1] = 0x00;
    smb_msg[2] = 0x00;
    smb_msg[3] = 35;                              /* 32-byte header + WordCount + ByteCount */
    memcpy(smb_msg + 4, "\xffSMB", 4);
    smb_msg[8] = first;                           /* command */
}

static void feed(struct fixture *f, enum dir d, const uint8_t *p, size_t n)
{
    nbss_data(&f->nb, d, p, n, 1);
}

START_TEST(header_parse_contract)
{
    struct nbss_hdr h;
    for (size_t n = 0; n < 4; n++) {
        struct parse_result r = nbss_hdr_parse(POSITIVE, n, false, &h);
        ck_assert_int_eq(r.status, PARSE_MORE);
        ck_assert_uint_eq(r.needed, 4 - n);
        ck_assert_uint_eq(r.consumed, 0);
    }
    uint8_t big[] = {0x00, 0x01, 0xff, 0xff};     /* RFC 1002: E bit extends to 17 bits */
    ck_assert_int_eq(nbss_hdr_parse(big, 4, false, &h).status, PARSE_OK);
    ck_assert_uint_eq(h.len, 0x1ffff);
    uint8_t bad_flags[] = {0x00, 0x02, 0x00, 0x10}; /* other flag bits: not RFC 1002 */
    ck_assert_int_eq(nbss_hdr_parse(bad_flags, 4, false, &h).status, PARSE_ERROR);
    ck_assert_int_eq(nbss_hdr_parse(bad_flags, 4, true, &h).status, PARSE_OK); /* 24-bit on 445 */
    ck_assert_uint_eq(h.len, 0x20010);
    uint8_t bad_type[] = {0x86, 0x00, 0x00, 0x00};
    ck_assert_int_eq(nbss_hdr_parse(bad_type, 4, false, &h).status, PARSE_ERROR);
    uint8_t long_keepalive[] = {0x85, 0x00, 0x00, 0x01};
    ck_assert_int_eq(nbss_hdr_parse(long_keepalive, 4, false, &h).status, PARSE_ERROR);
}
END_TEST

START_TEST(names_decode_with_suffix)
{
    char out[64];
    ck_assert(nbss_decode_name(SESSION_REQUEST + 5, 32, out, sizeof out));
    ck_assert_str_eq(out, "FILESRV<20>");
    ck_assert(nbss_decode_name(SESSION_REQUEST + 39, 32, out, sizeof out));
    ck_assert_str_eq(out, "CLIENT<00>");
    uint8_t star[32];                              /* "*SMBSERVER" */
    const char *nm = "*SMBSERVER     ";
    for (int i = 0; i < 15; i++) {
        star[2 * i] = (uint8_t)('A' + ((unsigned char)nm[i] >> 4));
        star[2 * i + 1] = (uint8_t)('A' + (nm[i] & 0xf));
    }
    star[30] = 'C';
    star[31] = 'A';
    ck_assert(nbss_decode_name(star, 32, out, sizeof out));
    ck_assert_str_eq(out, "*SMBSERVER<20>");
    star[0] = 'Z';                                 /* not a nibble letter */
    ck_assert(!nbss_decode_name(star, 32, out, sizeof out));
    star[0] = 'A';
    star[1] = 'B';                                 /* byte 0x01: a control character, escaped */
    ck_assert(nbss_decode_name(star, 32, out, sizeof out));
    ck_assert_str_eq(out, "\\x01SMBSERVER<20>");
}
END_TEST

START_TEST(control_messages_become_records)
{
    struct fixture f;
    setup(&f, false, false);
    feed(&f, DIR_C2S, SESSION_REQUEST, sizeof SESSION_REQUEST);
    feed(&f, DIR_S2C, NEGATIVE, sizeof NEGATIVE);
    feed(&f, DIR_S2C, RETARGET, sizeof RETARGET);
    feed(&f, DIR_C2S, SESSION_REQUEST, sizeof SESSION_REQUEST);
    feed(&f, DIR_S2C, POSITIVE, sizeof POSITIVE);
    feed(&f, DIR_C2S, KEEPALIVE, sizeof KEEPALIVE);
    ck_assert_str_eq(f.rec.log, "[session_request:0 FILESRV<20>0 CLIENT<00>0]"
                                "[negative_response:0 called name not present0]"
                                "[retarget:0 10.0.0.70]"
                                "[session_request:0 FILESRV<20>0 CLIENT<00>0]"
                                "[positive_response:0]"
                                "[keepalive:0]");
}
END_TEST

START_TEST(every_split_of_a_control_message_gives_the_same_record)
{
    struct fixture ref;
    setup(&ref, false, false);
    feed(&ref, DIR_C2S, SESSION_REQUEST, sizeof SESSION_REQUEST);
    for (size_t cut = 1; cut < sizeof SESSION_REQUEST; cut++) {
        struct fixture f;
        setup(&f, false, false);
        feed(&f, DIR_C2S, SESSION_REQUEST, cut);
        feed(&f, DIR_C2S, SESSION_REQUEST + cut, sizeof SESSION_REQUEST - cut);
        ck_assert_str_eq(f.rec.log, ref.rec.log);
    }
}
END_TEST

START_TEST(every_truncation_of_control_messages_is_silent_and_safe)
{
    const uint8_t *msgs[] = {SESSION_REQUEST, NEGATIVE, RETARGET};
    size_t lens[] = {sizeof SESSION_REQUEST, sizeof NEGATIVE, sizeof RETARGET};
    for (size_t m = 0; m < 3; m++)
        for (size_t n = 0; n < lens[m]; n++) {
            struct fixture f;
            setup(&f, false, false);
            feed(&f, DIR_C2S, msgs[m], n);
            nbss_close(&f.nb, 2);
            ck_assert_str_eq(f.rec.log, "");
        }
}
END_TEST

START_TEST(session_messages_in_pieces_and_several_per_segment)
{
    make_smb_msg(0x72);
    struct fixture ref;
    setup(&ref, true, false);
    feed(&ref, DIR_C2S, smb_msg, sizeof smb_msg);
    ck_assert(strncmp(ref.rec.log, "Bc35,ff534d4272", 15) == 0);
    /* one byte at a time */
    struct fixture f;
    setup(&f, true, false);
    for (size_t i = 0; i < sizeof smb_msg; i++)
        feed(&f, DIR_C2S, smb_msg + i, 1);
    ck_assert_str_eq(f.rec.log, ref.rec.log);
    /* three messages and a keepalive in one segment */
    uint8_t three[3 * sizeof smb_msg + sizeof KEEPALIVE];
    memcpy(three, smb_msg, sizeof smb_msg);
    memcpy(three + sizeof smb_msg, KEEPALIVE, sizeof KEEPALIVE);
    memcpy(three + sizeof smb_msg + sizeof KEEPALIVE, smb_msg, sizeof smb_msg);
    memcpy(three + 2 * sizeof smb_msg + sizeof KEEPALIVE, smb_msg, sizeof smb_msg);
    setup(&f, true, false);
    feed(&f, DIR_C2S, three, sizeof three);
    char want[4 * sizeof ref.rec.log];
    snprintf(want, sizeof want, "%s[keepalive:0]%s%s", ref.rec.log, ref.rec.log, ref.rec.log);
    ck_assert_str_eq(f.rec.log, want);
}
END_TEST

START_TEST(a_gap_inside_a_body_keeps_framing)
{
    make_smb_msg(0x2e);
    struct fixture f;
    setup(&f, true, false);
    feed(&f, DIR_S2C, smb_msg, 20);               /* header + 16 body bytes */
    nbss_gap(&f.nb, DIR_S2C, 10, 1);               /* 10 body bytes lost */
    feed(&f, DIR_S2C, smb_msg + 30, sizeof smb_msg - 30);
    feed(&f, DIR_S2C, smb_msg, sizeof smb_msg);   /* the next message is framed normally */
    /* 16 body bytes, the gap, the last 9, then the next message whole */
    ck_assert_str_eq(f.rec.log, "Bs35,ff534d422e0000000000000000000000<gap10>000000000000000000,E0;Bs35,ff534d422e000000000000000000000000000000000000000000000000000000000000,E0;");
}
END_TEST

START_TEST(a_gap_through_a_header_resyncs_on_the_next_smb_message)
{
    make_smb_msg(0x2e);
    struct fixture f;
    setup(&f, true, false);
    feed(&f, DIR_S2C, smb_msg, 2);                /* half a header, then loss */
    nbss_gap(&f.nb, DIR_S2C, 100, 1);
    uint8_t junk[50];
    memset(junk, 0x41, sizeof junk);
    feed(&f, DIR_S2C, junk, sizeof junk);
    feed(&f, DIR_S2C, smb_msg, sizeof smb_msg);
    ck_assert_ptr_nonnull(strstr(f.rec.log, "[nbss_resync:0]Bs35,ff534d422e"));
    ck_assert_ptr_nonnull(strstr(f.rec.log, ",E0;"));
}
END_TEST

START_TEST(a_gap_longer_than_the_body_ends_it_then_hunts)
{
    make_smb_msg(0x2e);
    struct fixture f;
    setup(&f, true, false);
    feed(&f, DIR_S2C, smb_msg, 30);
    nbss_gap(&f.nb, DIR_S2C, 20, 1);              /* 9 body bytes + 11 of whatever came next */
    feed(&f, DIR_S2C, smb_msg, sizeof smb_msg);
    const char *want = "Bs35,ff534d422e000000000000000000000000000000000000000000<gap9>,E0;"; /* 26 body bytes, then 9 lost */
    ck_assert(strncmp(f.rec.log, want, strlen(want)) == 0);
    ck_assert_ptr_nonnull(strstr(f.rec.log, "[nbss_resync:0]Bs35"));
}
END_TEST

START_TEST(midstream_starts_hunting_inside_a_message)
{
    make_smb_msg(0x73);
    struct fixture f;
    setup(&f, true, true);
    feed(&f, DIR_C2S, smb_msg + 7, sizeof smb_msg - 7); /* the tail of some message */
    feed(&f, DIR_C2S, smb_msg, sizeof smb_msg);
    /* the tail was skipped and said so once, as a pickup rather than a resync */
    ck_assert(strncmp(f.rec.log, "[midstream_pickup:0]Bc35,ff534d4273", 35) == 0);
    ck_assert_ptr_null(strstr(f.rec.log, "nbss_resync"));
    /* starting exactly on a header skips nothing and says nothing */
    setup(&f, true, true);
    feed(&f, DIR_C2S, smb_msg, sizeof smb_msg);
    ck_assert(strncmp(f.rec.log, "Bc35,ff534d4273", 15) == 0);
}
END_TEST

START_TEST(bad_headers_and_oversized_messages_resync)
{
    make_smb_msg(0x72);
    struct fixture f;
    setup(&f, false, false);
    uint8_t bad[] = {0x99, 0x00, 0x00, 0x00};
    feed(&f, DIR_C2S, bad, sizeof bad);
    feed(&f, DIR_C2S, smb_msg, sizeof smb_msg);
    ck_assert_ptr_nonnull(strstr(f.rec.log, "[nbss_bad_header:0]"));
    ck_assert_ptr_nonnull(strstr(f.rec.log, "Bc35,ff534d4272"));
    setup(&f, true, false);
    f.lim.nbss_max_msg = 20;
    feed(&f, DIR_C2S, smb_msg, sizeof smb_msg);
    ck_assert_ptr_nonnull(strstr(f.rec.log, "[nbss_message_too_large:0]"));
    ck_assert_ptr_null(strstr(f.rec.log, "Bc35"));
}
END_TEST

START_TEST(resync_wants_word_and_byte_counts_that_fit)
{
    make_smb_msg(0x72);
    ck_assert(nbss_plausible(smb_msg, sizeof smb_msg, true, 1u << 24));
    smb_msg[4 + 32] = 1;                           /* one word: 32 + 1 + 2 + 2 > 35 */
    ck_assert(!nbss_plausible(smb_msg, sizeof smb_msg, true, 1u << 24));
    smb_msg[4 + 32] = 0;
    smb_msg[4 + 33] = 1;                           /* ByteCount 1 with no byte left */
    ck_assert(!nbss_plausible(smb_msg, sizeof smb_msg, true, 1u << 24));
    smb_msg[4 + 33] = 0;
    /* hunting skips such a decoy and takes the real message after it */
    struct fixture f;
    setup(&f, true, false);
    uint8_t decoy[sizeof smb_msg];
    memcpy(decoy, smb_msg, sizeof decoy);
    decoy[4 + 33] = 0xff;                          /* its ByteCount runs past its length */
    nbss_gap(&f.nb, DIR_C2S, 10, 1);
    feed(&f, DIR_C2S, decoy, sizeof decoy);
    feed(&f, DIR_C2S, smb_msg, sizeof smb_msg);
    ck_assert_str_eq(f.rec.log, "[nbss_resync:0]Bc35,ff534d4272000000000000000000000000000000000000000000000000000000000000,E0;");
}
END_TEST

/* hunting takes a candidate as soon as its look-ahead (NBSS header + SMB1
 * header through WordCount, NBSS_RESYNC_LOOKAHEAD bytes) is buffered: the
 * message begins with the segment that completed its header, not a later one */
START_TEST(resync_as_soon_as_the_lookahead_is_in)
{
    make_smb_msg(0x72);
    struct fixture f;
    setup(&f, true, false);
    nbss_gap(&f.nb, DIR_C2S, 10, 1);
    feed(&f, DIR_C2S, smb_msg, NBSS_RESYNC_LOOKAHEAD);        /* 37 of 39 bytes */
    ck_assert_uint_eq(NBSS_RESYNC_LOOKAHEAD, 37);
    ck_assert_str_eq(f.rec.log, "[nbss_resync:0]Bc35,ff534d4272"
                                "00000000000000000000000000000000000000000000000000000000");  /* 28 zero bytes */
    feed(&f, DIR_C2S, smb_msg + NBSS_RESYNC_LOOKAHEAD, sizeof smb_msg - NBSS_RESYNC_LOOKAHEAD);
    ck_assert_str_eq(f.rec.log, "[nbss_resync:0]Bc35,ff534d4272000000000000000000000000000000000000000000000000000000000000,E0;");
}
END_TEST

START_TEST(close_ends_a_body_cut_short)
{
    make_smb_msg(0x2e);
    struct fixture f;
    setup(&f, true, false);
    feed(&f, DIR_S2C, smb_msg, 10);
    nbss_close(&f.nb, 5);
    ck_assert_str_eq(f.rec.log, "Bs35,ff534d422e00,E!0;");
}
END_TEST

START_TEST(probe_detects_nbss_and_orientation)
{
    bool srv;
    make_smb_msg(0x72);
    ck_assert_int_eq(nbss_probe(smb_msg, 3, &srv), PROBE_MORE);
    ck_assert_int_eq(nbss_probe(smb_msg, sizeof smb_msg, &srv), PROBE_YES);
    ck_assert(!srv);
    smb_msg[4 + 9] = 0x80;                         /* FLAGS: reply */
    ck_assert_int_eq(nbss_probe(smb_msg, sizeof smb_msg, &srv), PROBE_YES);
    ck_assert(srv);
    ck_assert_int_eq(nbss_probe(SESSION_REQUEST, sizeof SESSION_REQUEST, &srv), PROBE_YES);
    const uint8_t http[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n0123456789012345";
    ck_assert_int_eq(nbss_probe(http, sizeof http - 1, &srv), PROBE_NO);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("nbss");
    TCase *tc = tcase_create("nbss");
    tcase_add_test(tc, header_parse_contract);
    tcase_add_test(tc, names_decode_with_suffix);
    tcase_add_test(tc, control_messages_become_records);
    tcase_add_test(tc, every_split_of_a_control_message_gives_the_same_record);
    tcase_add_test(tc, every_truncation_of_control_messages_is_silent_and_safe);
    tcase_add_test(tc, session_messages_in_pieces_and_several_per_segment);
    tcase_add_test(tc, a_gap_inside_a_body_keeps_framing);
    tcase_add_test(tc, a_gap_through_a_header_resyncs_on_the_next_smb_message);
    tcase_add_test(tc, a_gap_longer_than_the_body_ends_it_then_hunts);
    tcase_add_test(tc, midstream_starts_hunting_inside_a_message);
    tcase_add_test(tc, bad_headers_and_oversized_messages_resync);
    tcase_add_test(tc, resync_wants_word_and_byte_counts_that_fit);
    tcase_add_test(tc, close_ends_a_body_cut_short);
    tcase_add_test(tc, resync_as_soon_as_the_lookahead_is_in);
    tcase_add_test(tc, probe_detects_nbss_and_orientation);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
