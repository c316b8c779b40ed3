/* Unit tests for the SMB1 core: message assembly, READ/WRITE data streamed to
 * the file tracker (never kept), gaps inside data, AndX chains (including a
 * command after streamed data), request/response matching. */
#include <check.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smb1_core.h"
#include "smb1_harness.h"

/* OPEN_ANDX of `name` answered with `fid` and `size` (mid 1), then a READ_ANDX
 * request for `count` bytes at 0 (mid 2) */
static void open_then_ask(struct rig *r, const char *name, uint16_t fid, uint32_t size, uint16_t count)
{
    struct mb q, s;
    size_t at;
    mb_hdr_oem(&q, SMB1_COM_OPEN_ANDX, false, 0, 1, 100, 1);
    mb_open_andx_req(&q, 0xff, &at, name);
    rig_send(r, DIR_C2S, &q, 0, 10);
    mb_hdr_oem(&s, SMB1_COM_OPEN_ANDX, true, 0, 1, 100, 1);
    mb_open_andx_rsp(&s, 0xff, &at, fid, size);
    rig_send(r, DIR_S2C, &s, 0, 20);
    mb_hdr_oem(&q, SMB1_COM_READ_ANDX, false, 0, 1, 100, 2);
    mb_read_andx_req(&q, fid, 0, count);
    rig_send(r, DIR_C2S, &q, 0, 30);
}

/* open \f.bin (fid 0x4000, size 3000) then read it whole in one READ_ANDX */
static void open_and_read(struct rig *r, size_t piece)
{
    struct mb s;
    open_then_ask(r, "\\f.bin", 0x4000, sizeof RIG_DATA, sizeof RIG_DATA);
    mb_hdr_oem(&s, SMB1_COM_READ_ANDX, true, 0, 1, 100, 2);
    mb_read_andx_rsp(&s, RIG_DATA, sizeof RIG_DATA);
    rig_send(r, DIR_S2C, &s, piece, 40);
}

START_TEST(read_data_streams_to_the_file_in_any_pieces)
{
    rig_fill_data();
    char want[65], field[160];
    sha256_hex(RIG_DATA, sizeof RIG_DATA, want);
    snprintf(field, sizeof field, "sha256=%s complete=1", want);
    size_t pieces[] = {0, 1, 2, 3, 7, 59, 60, 61, 1000};
    for (size_t i = 0; i < sizeof pieces / sizeof pieces[0]; i++) {
        struct rig *r = rig_new();
        open_and_read(r, pieces[i]);
        rig_end(r);
        ck_assert_msg(strstr(r->log, "command=READ_ANDX") && strstr(r->log, " length=3000"), "%s", r->log);
        ck_assert_msg(strstr(r->log, "bytes_read=3000 bytes_written=0 read_ranges=[0,3000)"), "%s", r->log);
        ck_assert_msg(strstr(r->log, field), "piece %zu: %s", pieces[i], r->log);
        /* the data was never kept: the message buffer holds only the words */
        ck_assert_uint_le(r->k.a[DIR_S2C].bufcap, 512);
        ck_assert_uint_eq(r->pool.held_peak, 0);
        free(r);
    }
}
END_TEST

START_TEST(a_gap_inside_read_data_is_exactly_missing)
{
    rig_fill_data();
    struct rig *r = rig_new();
    struct mb q, s;
    open_then_ask(r, "\\f.bin", 0x4000, sizeof RIG_DATA, sizeof RIG_DATA);
    mb_hdr_oem(&s, SMB1_COM_READ_ANDX, true, 0, 1, 100, 2);
    mb_read_andx_rsp(&s, RIG_DATA, sizeof RIG_DATA);
    /* header and words and 1000 data bytes, then 500 lost, then the rest */
    smb1_msg_begin(&r->k, DIR_S2C, s.n, 40);
    smb1_msg_data(&r->k, DIR_S2C, s.b, 60 + 1000, 40);
    smb1_msg_gap(&r->k, DIR_S2C, 500, 41);
    smb1_msg_data(&r->k, DIR_S2C, s.b + 60 + 1500, s.n - 60 - 1500, 42);
    smb1_msg_end(&r->k, DIR_S2C, true, 42);
    /* a later command is still decoded */
    mb_hdr_oem(&q, SMB1_COM_CLOSE, false, 0, 1, 100, 3);
    mb_wct(&q, 3);
    mb_u16(&q, 0x4000);
    mb_u32(&q, 0);
    mb_bcc(&q);
    mb_end(&q);
    rig_send(r, DIR_C2S, &q, 0, 50);
    mb_hdr_oem(&s, SMB1_COM_CLOSE, true, 0, 1, 100, 3);
    mb_wct(&s, 0);
    mb_bcc(&s);
    mb_end(&s);
    rig_send(r, DIR_S2C, &s, 0, 60);
    rig_end(r);
    ck_assert_msg(strstr(r->log, " length=3000"), "%s", r->log);  /* what the server returned */
    ck_assert_msg(strstr(r->log, "bytes_read=2500 bytes_written=0 read_ranges=[0,1000)[1500,3000)"), "%s", r->log);
    ck_assert_msg(strstr(r->log, "sha256=null complete=0"), "%s", r->log);
    ck_assert_msg(strstr(r->log, "{smb command=CLOSE"), "%s", r->log);
    free(r);
}
END_TEST

START_TEST(open_and_read_chained_in_one_message)
{
    rig_fill_data();
    struct rig *r = rig_new();
    struct mb q, s;
    size_t at, at2;
    /* request: OPEN_ANDX + READ_ANDX */
    mb_hdr_oem(&q, SMB1_COM_OPEN_ANDX, false, 0, 1, 100, 7);
    mb_open_andx_req(&q, SMB1_COM_READ_ANDX, &at, "\\f.bin");
    mb_set_andx(&q, at, q.n);
    mb_read_andx_req(&q, 0xffff, 0, 100); /* FID unknown yet: the server uses the open's */
    rig_send(r, DIR_C2S, &q, 0, 10);
    /* response: OPEN_ANDX + READ_ANDX with 100 bytes */
    mb_hdr_oem(&s, SMB1_COM_OPEN_ANDX, true, 0, 1, 100, 7);
    mb_open_andx_rsp(&s, SMB1_COM_READ_ANDX, &at2, 0x4000, 100);
    mb_set_andx(&s, at2, s.n);
    mb_read_andx_rsp(&s, RIG_DATA, 100);
    rig_send(r, DIR_S2C, &s, 5, 20);
    rig_end(r);
    ck_assert_msg(strstr(r->log, "{smb command=OPEN_ANDX"), "%s", r->log);
    ck_assert_msg(strstr(r->log, "{smb command=READ_ANDX"), "%s", r->log);
    ck_assert_msg(strstr(r->log, " length=100"), "%s", r->log);
    free(r);
}
END_TEST

START_TEST(a_command_chained_after_streamed_write_data_is_decoded)
{
    rig_fill_data();
    struct rig *r = rig_new();
    struct mb q, s;
    size_t at;
    mb_hdr_oem(&q, SMB1_COM_OPEN_ANDX, false, 0, 1, 100, 1);
    mb_open_andx_req(&q, 0xff, &at, "\\w.bin");
    rig_send(r, DIR_C2S, &q, 0, 10);
    mb_hdr_oem(&s, SMB1_COM_OPEN_ANDX, true, 0, 1, 100, 1);
    mb_open_andx_rsp(&s, 0xff, &at, 0x4001, 0);
    rig_send(r, DIR_S2C, &s, 0, 20);
    /* WRITE_ANDX (500 bytes) + CLOSE placed after the data */
    mb_hdr_oem(&q, SMB1_COM_WRITE_ANDX, false, 0, 1, 100, 2);
    mb_write_andx_req(&q, SMB1_COM_CLOSE, &at, 0x4001, RIG_DATA, 500);
    mb_set_andx(&q, at, q.n);
    mb_wct(&q, 3);
    mb_u16(&q, 0x4001);
    mb_u32(&q, 0);
    mb_bcc(&q);
    mb_end(&q);
    rig_send(r, DIR_C2S, &q, 3, 30);
    mb_hdr_oem(&s, SMB1_COM_WRITE_ANDX, true, 0, 1, 100, 2);
    mb_wct(&s, 6);
    at = mb_andx(&s, SMB1_COM_CLOSE);
    mb_u16(&s, 500); /* Count */
    mb_u16(&s, 0);   /* Available */
    mb_u16(&s, 0);   /* CountHigh */
    mb_u16(&s, 0);   /* Reserved */
    mb_bcc(&s);
    mb_end(&s);
    mb_set_andx(&s, at, s.n);
    mb_wct(&s, 0);
    mb_bcc(&s);
    mb_end(&s);
    rig_send(r, DIR_S2C, &s, 0, 40);
    rig_end(r);
    char want[65], field[160];
    sha256_hex(RIG_DATA, 500, want);
    snprintf(field, sizeof field, "write_ranges=[0,500) sha256=%s complete=1", want);
    ck_assert_msg(strstr(r->log, "{smb command=WRITE_ANDX"), "%s", r->log);
    ck_assert_msg(strstr(r->log, "{smb command=CLOSE code=4 status=STATUS_SUCCESS"), "%s", r->log);
    /* the CLOSE's words were read from after the streamed data, not from the data */
    ck_assert_msg(strstr(r->log, " fid=16385 file=\\w.bin}"), "%s", r->log);
    ck_assert_msg(strstr(r->log, field), "%s", r->log);
    /* the file record follows the CLOSE that ended it */
    ck_assert(strstr(r->log, "{smb command=CLOSE") < strstr(r->log, "{file"));
    free(r);
}
END_TEST

START_TEST(an_error_stops_the_chain_and_unreached_links_say_so)
{
    struct rig *r = rig_new();
    struct mb q, s;
    size_t at;
    mb_hdr_oem(&q, SMB1_COM_OPEN_ANDX, false, 0, 1, 100, 9);
    mb_open_andx_req(&q, SMB1_COM_READ_ANDX, &at, "\\nope");
    mb_set_andx(&q, at, q.n);
    mb_read_andx_req(&q, 0xffff, 0, 100);
    rig_send(r, DIR_C2S, &q, 0, 10);
    mb_hdr_oem(&s, SMB1_COM_OPEN_ANDX, true, 0xc0000034, 1, 100, 9); /* OBJECT_NAME_NOT_FOUND */
    mb_wct(&s, 0);
    mb_bcc(&s);
    mb_end(&s);
    rig_send(r, DIR_S2C, &s, 0, 20);
    ck_assert_msg(strstr(r->log, "{smb command=OPEN_ANDX code=45 status=STATUS_OBJECT_NAME_NOT_FOUND"), "%s", r->log);
    ck_assert_msg(strstr(r->log, "file=\\nope"), "%s", r->log);
    ck_assert_msg(strstr(r->log, "{smb command=READ_ANDX code=46 status=null") && strstr(r->log, "executed=0"), "%s",
                  r->log);
    rig_end(r);
    free(r);
}
END_TEST

START_TEST(unmatched_responses_and_unanswered_requests)
{
    struct rig *r = rig_new();
    struct mb q, s;
    mb_hdr_oem(&s, SMB1_COM_CLOSE, true, 0, 1, 100, 40);
    mb_wct(&s, 0);
    mb_bcc(&s);
    mb_end(&s);
    rig_send(r, DIR_S2C, &s, 0, 5);
    ck_assert_msg(strstr(r->log, "{smb command=CLOSE code=4 status=STATUS_SUCCESS") && strstr(r->log, "partial=1"),
                  "%s", r->log);
    mb_hdr_oem(&q, SMB1_COM_ECHO, false, 0, 1, 100, 41);
    mb_wct(&q, 1);
    mb_u16(&q, 1);
    mb_bcc(&q);
    mb_end(&q);
    rig_send(r, DIR_C2S, &q, 0, 6);
    rig_send(r, DIR_C2S, &q, 0, 7); /* the same MID again while the first is unanswered */
    ck_assert_msg(strstr(r->log, "{anomaly name=smb_mid_reused"), "%s", r->log);
    rig_end(r);
    /* both ECHOs end up reported, unanswered */
    const char *p = strstr(r->log, "{smb command=ECHO code=43 status=null");
    ck_assert_msg(p && strstr(p + 1, "{smb command=ECHO code=43 status=null"), "%s", r->log);
    free(r);
}
END_TEST

/* --max-andx N follows N commands of a chain, not N-1: OPEN_ANDX + READ_ANDX
 * is whole under a limit of 2 and cut after the OPEN (with an anomaly) under 1 */
START_TEST(andx_depth_limit_counts_commands)
{
    for (unsigned limit = 1; limit <= 2; limit++) {
        struct rig *r = rig_new();
        r->lim.andx_depth = limit;
        struct mb q;
        size_t at;
        mb_hdr_oem(&q, SMB1_COM_OPEN_ANDX, false, 0, 1, 100, 7);
        mb_open_andx_req(&q, SMB1_COM_READ_ANDX, &at, "\\f.bin");
        mb_set_andx(&q, at, q.n);
        mb_read_andx_req(&q, 0xffff, 0, 100);
        rig_send(r, DIR_C2S, &q, 0, 10);
        rig_end(r);
        ck_assert_msg(strstr(r->log, "{smb command=OPEN_ANDX"), "limit %u: %s", limit, r->log);
        if (limit == 2) {
            ck_assert_msg(strstr(r->log, "{smb command=READ_ANDX"), "%s", r->log);
            ck_assert_msg(!strstr(r->log, "andx_too_deep"), "%s", r->log);
        } else {
            ck_assert_msg(!strstr(r->log, "{smb command=READ_ANDX"), "%s", r->log);
            ck_assert_msg(strstr(r->log, "{anomaly name=andx_too_deep"), "%s", r->log);
        }
        free(r);
    }
}
END_TEST

START_TEST(andx_offsets_must_advance)
{
    struct rig *r = rig_new();
    struct mb q;
    size_t at;
    mb_hdr_oem(&q, SMB1_COM_OPEN_ANDX, false, 0, 1, 100, 1);
    mb_open_andx_req(&q, SMB1_COM_OPEN_ANDX, &at, "\\loop");
    mb_set_andx(&q, at, 32); /* points back at itself */
    rig_send(r, DIR_C2S, &q, 0, 10);
    ck_assert_msg(strstr(r->log, "{anomaly name=andx_bad_offset"), "%s", r->log);
    rig_end(r);
    ck_assert_int_eq((int)(strstr(r->log, "{smb command=OPEN_ANDX") != NULL), 1);
    free(r);
}
END_TEST

START_TEST(every_truncation_of_a_read_response_is_safe)
{
    rig_fill_data();
    struct mb s;
    mb_hdr_oem(&s, SMB1_COM_READ_ANDX, true, 0, 1, 100, 2);
    mb_read_andx_rsp(&s, RIG_DATA, 200);
    for (size_t cut = 0; cut < s.n; cut++) {
        struct rig *r = rig_new();
        open_then_ask(r, "\\f.bin", 0x4000, 200, 200);
        /* the message announces its full length but is cut short at `cut` */
        smb1_msg_begin(&r->k, DIR_S2C, s.n, 40);
        smb1_msg_data(&r->k, DIR_S2C, s.b, cut, 40);
        smb1_msg_end(&r->k, DIR_S2C, false, 41);
        rig_end(r);
        if (cut >= 32)
            ck_assert_msg(strstr(r->log, "smb_message_incomplete"), "cut %zu: %s", cut, r->log);
        ck_assert_msg(strstr(r->log, "complete=0"), "cut %zu: %s", cut, r->log);
        free(r);
    }
}
END_TEST

START_TEST(limits_cap_the_kept_part)
{
    struct rig *r = rig_new();
    r->lim.smb_buffer = 64;
    struct mb q;
    size_t at;
    mb_hdr_oem(&q, SMB1_COM_OPEN_ANDX, false, 0, 1, 100, 1);
    mb_open_andx_req(&q, 0xff, &at, "\\a-name-longer-than-the-buffer-allows.txt");
    rig_send(r, DIR_C2S, &q, 0, 10);
    rig_end(r);
    ck_assert_msg(strstr(r->log, "{anomaly name=smb_message_truncated"), "%s", r->log);
    ck_assert_uint_le(r->k.a[0].bufcap, 64);
    free(r);
}
END_TEST

static void echo(struct rig *r, bool rsp, uint16_t mid, uint64_t ts)
{
    struct mb m;
    mb_hdr_oem(&m, SMB1_COM_ECHO, rsp, 0, 1, 100, mid);
    mb_wct(&m, 1);
    mb_u16(&m, rsp ? 1 : 1); /* EchoCount / SequenceNumber */
    mb_bcc(&m);
    mb_end(&m);
    rig_send(r, rsp ? DIR_S2C : DIR_C2S, &m, 0, ts);
}

START_TEST(pending_table_evicts_the_oldest_and_matches_the_rest)
{
    struct rig *r = rig_new();
    r->lim.pending_max = 256;
    for (uint16_t mid = 0; mid < 300; mid++)
        echo(r, false, mid, 10 + mid);
    ck_assert_uint_eq(r->k.c.n_pending, 256);
    /* the 44 oldest went, in order, unanswered */
    ck_assert_uint_eq(r->k.c.pending->mid, 44);
    ck_assert_ptr_nonnull(strstr(r->log, "pid=4660 mid=0 latency_us=null"));
    ck_assert_ptr_nonnull(strstr(r->log, "pid=4660 mid=43 latency_us=null"));
    ck_assert_ptr_null(strstr(r->log, "pid=4660 mid=44 latency_us=null"));
    ck_assert(strstr(r->log, "mid=0 latency") < strstr(r->log, "mid=43 latency"));
    int records = r->records;
    /* answers in reverse order all find their requests */
    for (int mid = 299; mid >= 44; mid--)
        echo(r, true, (uint16_t)mid, 1000);
    ck_assert_uint_eq(r->k.c.n_pending, 0);
    ck_assert_ptr_null(strstr(r->log, "partial=1"));
    ck_assert_int_eq(r->records - records, 256);
    /* a response for an evicted request is partial, not mismatched */
    echo(r, true, 3, 2000);
    ck_assert_ptr_nonnull(strstr(r->log, "partial=1"));
    rig_end(r);
    free(r);
}
END_TEST

/* a TRANSACTION2 request with no parameters or data, subcommand `sub` */
static void trans2_req(struct rig *r, uint16_t mid, uint16_t sub, uint64_t ts)
{
    struct mb m;
    mb_hdr_oem(&m, SMB1_COM_TRANSACTION2, false, 0, 1, 100, mid);
    mb_wct(&m, 15);
    mb_u16(&m, 0); mb_u16(&m, 2000);   /* TotalParameterCount, TotalDataCount: more to come */
    mb_u16(&m, 10); mb_u16(&m, 100);   /* MaxParameterCount, MaxDataCount */
    mb_u8(&m, 0); mb_u8(&m, 0);        /* MaxSetupCount, Reserved1 */
    mb_u16(&m, 0); mb_u32(&m, 0);      /* Flags, Timeout */
    mb_u16(&m, 0);                    /* Reserved2 */
    mb_u16(&m, 0); mb_u16(&m, 0);      /* ParameterCount, ParameterOffset */
    mb_u16(&m, 0); mb_u16(&m, 0);      /* DataCount, DataOffset */
    mb_u8(&m, 1); mb_u8(&m, 0);        /* SetupCount, Reserved3 */
    mb_u16(&m, sub);                  /* Setup[0]: subcommand */
    mb_bcc(&m);
    mb_end(&m);
    rig_send(r, DIR_C2S, &m, 0, ts);
}

START_TEST(an_interim_transaction_response_is_not_the_answer)
{
    struct rig *r = rig_new();
    trans2_req(r, 9, 0x0008, 10);    /* SET_FILE_INFORMATION, data to follow */
    struct mb m;
    mb_hdr_oem(&m, SMB1_COM_TRANSACTION2, true, 0, 1, 100, 9);
    mb_wct(&m, 0);                    /* interim: success, no words, no bytes */
    mb_bcc(&m);
    mb_end(&m);
    rig_send(r, DIR_S2C, &m, 0, 20);
    ck_assert_int_eq(r->records, 0);
    ck_assert_uint_eq(r->k.c.n_pending, 1);
    mb_hdr_oem(&m, SMB1_COM_TRANSACTION2, true, 0, 1, 100, 9);
    mb_wct(&m, 10);                   /* the final response */
    mb_zero(&m, 20);
    mb_bcc(&m);
    mb_end(&m);
    rig_send(r, DIR_S2C, &m, 0, 30);
    rig_end(r);
    ck_assert_msg(strstr(r->log, "{smb command=TRANSACTION2 code=50 status=STATUS_SUCCESS"), "%s", r->log);
    ck_assert_msg(strstr(r->log, "interim_response=1"), "%s", r->log);
    ck_assert_msg(!strstr(r->log, "partial=1") && !strstr(r->log, "executed=0"), "%s", r->log);
    free(r);
}
END_TEST

/* two transactions pipelined on one MID (exploit traffic does this): each
 * interim response goes to a request that has not had one, so both records
 * say interim_response and both finals are paired in order */
START_TEST(pipelined_transactions_each_get_their_interim_response)
{
    struct rig *r = rig_new();
    trans2_req(r, 9, 0x0008, 10);    /* SET_FILE_INFORMATION, data to follow */
    trans2_req(r, 9, 0x0008, 11);    /* the same MID again, before any answer */
    struct mb m;
    for (int i = 0; i < 2; i++) {
        mb_hdr_oem(&m, SMB1_COM_TRANSACTION2, true, 0, 1, 100, 9);
        mb_wct(&m, 0);                /* interim: success, no words, no bytes */
        mb_bcc(&m);
        mb_end(&m);
        rig_send(r, DIR_S2C, &m, 0, (uint64_t)(20 + i));
    }
    ck_assert_int_eq(r->records - (int)rig_count(r->log, "{anomaly"), 0);
    ck_assert_uint_eq(r->k.c.n_pending, 2);
    for (int i = 0; i < 2; i++) {
        mb_hdr_oem(&m, SMB1_COM_TRANSACTION2, true, 0, 1, 100, 9);
        mb_wct(&m, 10);               /* the final responses */
        mb_zero(&m, 20);
        mb_bcc(&m);
        mb_end(&m);
        rig_send(r, DIR_S2C, &m, 0, (uint64_t)(30 + i));
    }
    rig_end(r);
    ck_assert_int_eq((int)rig_count(r->log, "{smb command=TRANSACTION2 code=50 status=STATUS_SUCCESS"), 2);
    ck_assert_int_eq((int)rig_count(r->log, "interim_response=1"), 2);
    /* each final 20 us after its own request */
    ck_assert_int_eq((int)rig_count(r->log, "latency_us=20 "), 2);
    ck_assert_msg(!strstr(r->log, "partial=1") && !strstr(r->log, "executed=0"), "%s", r->log);
    free(r);
}
END_TEST

START_TEST(andx_offset_inside_the_previous_words_is_refused)
{
    struct rig *r = rig_new();
    struct mb q;
    size_t at;
    mb_hdr_oem(&q, SMB1_COM_OPEN_ANDX, false, 0, 1, 100, 1);
    mb_open_andx_req(&q, SMB1_COM_OPEN_ANDX, &at, "\\x");
    mb_set_andx(&q, at, 40); /* after the header but inside this command's own words */
    rig_send(r, DIR_C2S, &q, 0, 10);
    rig_end(r);
    ck_assert_msg(strstr(r->log, "{anomaly name=andx_bad_offset"), "%s", r->log);
    /* one OPEN_ANDX, decoded whole: the bogus second link is not */
    const char *first = strstr(r->log, "{smb command=OPEN_ANDX");
    ck_assert_ptr_nonnull(first);
    ck_assert_ptr_null(strstr(first + 1, "{smb command=OPEN_ANDX"));
    ck_assert_msg(strstr(first, "file=\\x"), "%s", r->log);
    free(r);
}
END_TEST

/* the file a WRITE streams into ends (CLOSE answered in the other direction)
 * while the data still arrives, and its FID is opened again at once: the
 * rest of the data must go nowhere, not to the freed file nor the new one */
START_TEST(a_file_ending_mid_stream_stops_its_data)
{
    rig_fill_data();
    struct rig *r = rig_new();
    struct mb q, s, w;
    size_t at;
    mb_hdr_oem(&q, SMB1_COM_OPEN_ANDX, false, 0, 1, 100, 1);
    mb_open_andx_req(&q, 0xff, &at, "\\old.bin");
    rig_send(r, DIR_C2S, &q, 0, 10);
    mb_hdr_oem(&s, SMB1_COM_OPEN_ANDX, true, 0, 1, 100, 1);
    mb_open_andx_rsp(&s, 0xff, &at, 0x4001, 0);
    rig_send(r, DIR_S2C, &s, 0, 20);
    mb_hdr_oem(&q, SMB1_COM_CLOSE, false, 0, 1, 100, 2);
    mb_wct(&q, 3);
    mb_u16(&q, 0x4001);
    mb_u32(&q, 0);
    mb_bcc(&q);
    mb_end(&q);
    rig_send(r, DIR_C2S, &q, 0, 30);
    /* the client starts a 1000-byte WRITE to the same file */
    mb_hdr_oem(&w, SMB1_COM_WRITE_ANDX, false, 0, 1, 100, 3);
    mb_write_andx_req(&w, 0xff, &at, 0x4001, RIG_DATA, 1000);
    smb1_msg_begin(&r->k, DIR_C2S, w.n, 40);
    smb1_msg_data(&r->k, DIR_C2S, w.b, 64 + 100, 40);
    /* meanwhile the server closes it, and the FID is reused for a new file */
    mb_hdr_oem(&s, SMB1_COM_CLOSE, true, 0, 1, 100, 2);
    mb_wct(&s, 0);
    mb_bcc(&s);
    mb_end(&s);
    rig_send(r, DIR_S2C, &s, 0, 41);
    mb_hdr_oem(&s, SMB1_COM_OPEN_ANDX, true, 0, 1, 100, 77); /* an open whose request was not seen */
    mb_open_andx_rsp(&s, 0xff, &at, 0x4001, 0);
    rig_send(r, DIR_S2C, &s, 0, 42);
    smb1_msg_data(&r->k, DIR_C2S, w.b + 64 + 100, w.n - 64 - 100, 43);
    smb1_msg_end(&r->k, DIR_C2S, true, 43);
    rig_end(r);
    /* the old file got only what came before its end (data starts at offset
     * 60: 104 of the 164 bytes sent were data); the new one got nothing */
    ck_assert_msg(strstr(r->log, "bytes_written=104 read_ranges= write_ranges=[0,104)"), "%s", r->log);
    ck_assert_msg(strstr(r->log, "bytes_written=0 read_ranges= write_ranges="), "%s", r->log);
    free(r);
}
END_TEST

/* ---- FID 0xFFFF chained after an open ([MS-CIFS] 3.2.4.1.1, 3.3.5.2) ----- */

/* an open chained with a READ_ANDX on FID 0xFFFF, request and response; the
 * response cut at `cut` bytes (m->n: whole) and sent in pieces of `piece` */
static void chained_open_read(struct rig *r, bool nt, size_t piece, size_t cut)
{
    struct mb q, s;
    size_t at, at2;
    mb_hdr_oem(&q, nt ? SMB1_COM_NT_CREATE_ANDX : SMB1_COM_OPEN_ANDX, false, 0, 1, 100, 7);
    if (nt)
        mb_nt_create_req(&q, SMB1_COM_READ_ANDX, &at, "\\f.bin");
    else
        mb_open_andx_req(&q, SMB1_COM_READ_ANDX, &at, "\\f.bin");
    mb_set_andx(&q, at, q.n);
    mb_read_andx_req(&q, 0xffff, 0, 100); /* FID 0xFFFF: the open's */
    rig_send(r, DIR_C2S, &q, 0, 10);
    mb_hdr_oem(&s, nt ? SMB1_COM_NT_CREATE_ANDX : SMB1_COM_OPEN_ANDX, true, 0, 1, 100, 7);
    if (nt)
        mb_nt_create_rsp(&s, SMB1_COM_READ_ANDX, &at2, 0x4000, 100);
    else
        mb_open_andx_rsp(&s, SMB1_COM_READ_ANDX, &at2, 0x4000, 100);
    mb_set_andx(&s, at2, s.n);
    mb_read_andx_rsp(&s, RIG_DATA, 100);
    if (cut >= s.n) {
        rig_send(r, DIR_S2C, &s, piece, 20);
        return;
    }
    smb1_msg_begin(&r->k, DIR_S2C, s.n, 20);
    smb1_msg_data(&r->k, DIR_S2C, s.b, cut, 20);
    smb1_msg_end(&r->k, DIR_S2C, false, 21);
}

START_TEST(chained_read_on_fid_ffff_feeds_the_open)
{
    rig_fill_data();
    char want[65], field[200];
    sha256_hex(RIG_DATA, 100, want);
    size_t pieces[] = {0, 1, 5, 7, 64};
    for (int nt = 0; nt <= 1; nt++) {
        for (size_t i = 0; i < sizeof pieces / sizeof pieces[0]; i++) {
            struct rig *r = rig_new();
            chained_open_read(r, nt, pieces[i], SIZE_MAX);
            /* the READ names the open's FID and file */
            const char *rd = strstr(r->log, "{smb command=READ_ANDX");
            ck_assert_msg(rd && strstr(rd, " fid=16384 file=\\f.bin "), "nt %d piece %zu: %s", nt, pieces[i], r->log);
            rig_end(r);
            /* one file record, the real open's, with the data; no phantom */
            const char *f = strstr(r->log, "{file");
            ck_assert_msg(f && !strstr(f + 1, "{file"), "%s", r->log);
            ck_assert_msg(!strstr(r->log, "fid=65535"), "%s", r->log);
            snprintf(field, sizeof field, "name=\\f.bin share=null kind=file fid=16384 uid=100 tid=1 user=null domain=null size=100 bytes_read=100");
            ck_assert_msg(strstr(f, field), "nt %d piece %zu: %s", nt, pieces[i], r->log);
            snprintf(field, sizeof field, "read_ranges=[0,100) write_ranges= sha256=%s complete=1", want);
            ck_assert_msg(strstr(f, field), "nt %d piece %zu: %s", nt, pieces[i], r->log);
            ck_assert_msg(!strstr(r->log, "fid_reused") && !rig_smb_has(r->log, "partial=1"), "%s", r->log);
            free(r);
        }
    }
}
END_TEST

/* a WRITE chained after an open in one request carries FID 0xFFFF: its data
 * streams before the open has a FID, and the open takes it over when the
 * response names the FID; in any pieces */
START_TEST(chained_write_on_fid_ffff_feeds_the_open)
{
    rig_fill_data();
    char want[65], field[200];
    sha256_hex(RIG_DATA, 100, want);
    size_t pieces[] = {0, 1, 7, 64};
    for (size_t i = 0; i < sizeof pieces / sizeof pieces[0]; i++) {
        struct rig *r = rig_new();
        struct mb q, s;
        size_t at, at2;
        mb_hdr_oem(&q, SMB1_COM_OPEN_ANDX, false, 0, 1, 100, 7);
        mb_open_andx_req(&q, SMB1_COM_WRITE_ANDX, &at, "\\w.bin");
        mb_set_andx(&q, at, q.n);
        mb_write_andx_req(&q, 0xff, &at2, 0xffff, RIG_DATA, 100); /* FID 0xFFFF: the open's */
        rig_send(r, DIR_C2S, &q, pieces[i], 10);
        mb_hdr_oem(&s, SMB1_COM_OPEN_ANDX, true, 0, 1, 100, 7);
        mb_open_andx_rsp(&s, SMB1_COM_WRITE_ANDX, &at, 0x4000, 0);
        mb_set_andx(&s, at, s.n);
        mb_wct(&s, 6);
        mb_andx(&s, 0xff);
        mb_u16(&s, 100);               /* Count */
        mb_u16(&s, 0);                 /* Available */
        mb_u16(&s, 0);                 /* CountHigh */
        mb_u16(&s, 0);                 /* Reserved */
        mb_bcc(&s);
        mb_end(&s);
        rig_send(r, DIR_S2C, &s, 0, 20);
        const char *w = strstr(r->log, "{smb command=WRITE_ANDX");
        ck_assert_msg(w && strstr(w, " fid=16384 file=\\w.bin "), "piece %zu: %s", pieces[i], r->log);
        rig_end(r);
        const char *f = strstr(r->log, "{file");
        ck_assert_msg(f && !strstr(f + 1, "{file"), "%s", r->log);
        snprintf(field, sizeof field, "bytes_written=100 read_ranges= write_ranges=[0,100) sha256=%s complete=1", want);
        ck_assert_msg(strstr(f, field), "piece %zu: %s", pieces[i], r->log);
        free(r);
    }
}
END_TEST

/* the open fails: the chained WRITE's data belongs to no file and is dropped
 * with its request (no leak, no record) */
START_TEST(chained_write_after_a_failed_open_goes_nowhere)
{
    rig_fill_data();
    struct rig *r = rig_new();
    struct mb q, s;
    size_t at, at2;
    mb_hdr_oem(&q, SMB1_COM_OPEN_ANDX, false, 0, 1, 100, 7);
    mb_open_andx_req(&q, SMB1_COM_WRITE_ANDX, &at, "\\w.bin");
    mb_set_andx(&q, at, q.n);
    mb_write_andx_req(&q, 0xff, &at2, 0xffff, RIG_DATA, 100);
    rig_send(r, DIR_C2S, &q, 5, 10);
    mb_hdr_oem(&s, SMB1_COM_OPEN_ANDX, true, 0xc0000022, 1, 100, 7); /* ACCESS_DENIED */
    mb_empty_words(&s);
    rig_send(r, DIR_S2C, &s, 0, 20);
    rig_end(r);
    ck_assert_msg(!strstr(r->log, "{file"), "%s", r->log);
    ck_assert_msg(strstr(r->log, "{smb command=WRITE_ANDX") && strstr(r->log, "executed=0"), "%s", r->log);
    free(r);
}
END_TEST

START_TEST(chained_read_on_fid_ffff_every_truncation)
{
    rig_fill_data();
    for (int nt = 0; nt <= 1; nt++) {
        struct mb s;
        size_t at;
        mb_hdr_oem(&s, SMB1_COM_OPEN_ANDX, true, 0, 1, 100, 7);
        if (nt)
            mb_nt_create_rsp(&s, SMB1_COM_READ_ANDX, &at, 0x4000, 100);
        else
            mb_open_andx_rsp(&s, SMB1_COM_READ_ANDX, &at, 0x4000, 100);
        mb_read_andx_rsp(&s, RIG_DATA, 100);
        for (size_t cut = 0; cut < s.n; cut++) {
            struct rig *r = rig_new();
            chained_open_read(r, nt, 0, cut);
            rig_end(r);
            /* never a phantom open, never more than one file record */
            ck_assert_msg(!strstr(r->log, "fid=65535 uid"), "nt %d cut %zu: %s", nt, cut, r->log);
            const char *f = strstr(r->log, "{file");
            ck_assert_msg(!f || !strstr(f + 1, "{file"), "nt %d cut %zu: %s", nt, cut, r->log);
            if (f)
                ck_assert_msg(strstr(f, "name=\\f.bin") && strstr(f, "complete=0"), "nt %d cut %zu: %s", nt, cut,
                              r->log);
            free(r);
        }
    }
}
END_TEST

/* ---- pipelined requests on one MID (EternalChampion-style) --------------- */


START_TEST(pipelined_requests_on_one_mid_each_get_their_response)
{
    struct rig *r = rig_new();
    struct mb m;
    size_t at;
    /* five requests, all MID 0, before any answer */
    mb_hdr_oem(&m, SMB1_COM_CLOSE, false, 0, 1, 100, 0);
    mb_wct(&m, 3);
    mb_u16(&m, 0x4000);                /* FID */
    mb_u32(&m, 0);                     /* LastTimeModified */
    mb_bcc(&m);
    mb_end(&m);
    rig_send(r, DIR_C2S, &m, 0, 10);
    mb_hdr_oem(&m, SMB1_COM_TREE_DISCONNECT, false, 0, 1, 100, 0);
    mb_empty_words(&m);
    rig_send(r, DIR_C2S, &m, 0, 11);
    mb_hdr_oem(&m, SMB1_COM_TREE_CONNECT_ANDX, false, 0, 0xffff, 100, 0);
    mb_wct(&m, 4);
    mb_andx(&m, 0xff);
    mb_u16(&m, 0);                     /* Flags */
    mb_u16(&m, 1);                     /* PasswordLength */
    mb_bcc(&m);
    mb_u8(&m, 0);                      /* Password */
    for (const char *c = "\\\\SRV\\IPC$"; *c; c++)
        mb_u8(&m, (uint8_t)*c);        /* Path */
    mb_u8(&m, 0);
    for (const char *c = "?????"; *c; c++)
        mb_u8(&m, (uint8_t)*c);        /* Service */
    mb_u8(&m, 0);
    mb_end(&m);
    rig_send(r, DIR_C2S, &m, 0, 12);
    mb_hdr_oem(&m, SMB1_COM_NT_CREATE_ANDX, false, 0, 2, 100, 0);
    mb_nt_create_req(&m, 0xff, &at, "\\browser");
    rig_send(r, DIR_C2S, &m, 0, 13);
    mb_hdr_oem(&m, SMB1_COM_NT_TRANSACT, false, 0, 2, 100, 0);
    mb_wct(&m, 19);
    mb_u8(&m, 0);                      /* MaxSetupCount */
    mb_u16(&m, 0);                     /* Reserved1 */
    mb_zero(&m, 4 * 8);                  /* Total/Max/Count/Offset of parameters and data: none */
    mb_u8(&m, 0);                      /* SetupCount */
    mb_u16(&m, 0);                     /* Function */
    mb_bcc(&m);
    mb_end(&m);
    rig_send(r, DIR_C2S, &m, 0, 14);
    ck_assert_uint_eq(r->k.c.n_pending, 5);
    /* reuse is reported, and nothing was dropped for it */
    int reused = 0;
    for (const char *p = r->log; (p = strstr(p, "{anomaly name=smb_mid_reused")); p++)
        reused++;
    ck_assert_int_eq(reused, 4);
    ck_assert_msg(!strstr(r->log, "{smb"), "%s", r->log);

    /* the answers, in order, each 10 us after its request */
    mb_hdr_oem(&m, SMB1_COM_CLOSE, true, 0, 1, 100, 0);
    mb_empty_words(&m);
    rig_send(r, DIR_S2C, &m, 0, 20);
    mb_hdr_oem(&m, SMB1_COM_TREE_DISCONNECT, true, 0, 1, 100, 0);
    mb_empty_words(&m);
    rig_send(r, DIR_S2C, &m, 0, 21);
    mb_hdr_oem(&m, SMB1_COM_TREE_CONNECT_ANDX, true, 0, 2, 100, 0);
    mb_wct(&m, 3);
    mb_andx(&m, 0xff);
    mb_u16(&m, 0);                     /* OptionalSupport */
    mb_bcc(&m);
    for (const char *c = "IPC"; *c; c++)
        mb_u8(&m, (uint8_t)*c);        /* Service */
    mb_u8(&m, 0);
    mb_u8(&m, 0);                      /* NativeFileSystem "" */
    mb_end(&m);
    rig_send(r, DIR_S2C, &m, 0, 22);
    mb_hdr_oem(&m, SMB1_COM_NT_CREATE_ANDX, true, 0, 2, 100, 0);
    mb_nt_create_rsp(&m, 0xff, &at, 0x4001, 0);
    rig_send(r, DIR_S2C, &m, 0, 23);
    mb_hdr_oem(&m, SMB1_COM_NT_TRANSACT, true, 0, 2, 100, 0);
    mb_wct(&m, 18);
    mb_zero(&m, 36);                     /* a final response: no parameters, no data */
    mb_bcc(&m);
    mb_end(&m);
    rig_send(r, DIR_S2C, &m, 0, 24);
    ck_assert_uint_eq(r->k.c.n_pending, 0);
    rig_end(r);
    static const char *const cmds[] = {"CLOSE code=4", "TREE_DISCONNECT code=113", "TREE_CONNECT_ANDX code=117",
                                       "NT_CREATE_ANDX code=162", "NT_TRANSACT code=160"};
    for (size_t i = 0; i < 5; i++) {
        char want[96];
        snprintf(want, sizeof want, "{smb command=%s status=STATUS_SUCCESS", cmds[i]);
        const char *rec = strstr(r->log, want);
        ck_assert_msg(rec, "%s missing: %s", cmds[i], r->log);
        ck_assert_msg(!strstr(rec + 1, want), "%s twice: %s", cmds[i], r->log);
        /* paired with its own request: 10 us */
        const char *end = strchr(rec, '}');
        const char *lat = strstr(rec, " latency_us=10");
        ck_assert_msg(lat && lat < end, "%s: %s", cmds[i], r->log);
    }
    ck_assert_msg(!rig_smb_has(r->log, "partial=1") && !rig_smb_has(r->log, "executed=0") &&
                      !rig_smb_has(r->log, "status=null"),
                  "%s", r->log);
    free(r);
}
END_TEST

/* an error that stops one chain leaves another request on the same MID waiting */
START_TEST(an_error_stops_only_its_own_chain)
{
    struct rig *r = rig_new();
    struct mb q, s;
    size_t at;
    mb_hdr_oem(&q, SMB1_COM_OPEN_ANDX, false, 0, 1, 100, 9);
    mb_open_andx_req(&q, SMB1_COM_READ_ANDX, &at, "\\nope");
    mb_set_andx(&q, at, q.n);
    mb_read_andx_req(&q, 0xffff, 0, 100);
    rig_send(r, DIR_C2S, &q, 0, 10);
    echo(r, false, 9, 11); /* pipelined on the same MID */
    mb_hdr_oem(&s, SMB1_COM_OPEN_ANDX, true, 0xc0000034, 1, 100, 9);
    mb_empty_words(&s);
    rig_send(r, DIR_S2C, &s, 0, 20);
    ck_assert_msg(strstr(r->log, "{smb command=READ_ANDX code=46 status=null") && strstr(r->log, "executed=0"), "%s",
                  r->log);
    ck_assert_msg(!strstr(r->log, "{smb command=ECHO"), "%s", r->log);
    ck_assert_uint_eq(r->k.c.n_pending, 1);
    echo(r, true, 9, 30);
    ck_assert_msg(strstr(r->log, "{smb command=ECHO code=43 status=STATUS_SUCCESS"), "%s", r->log);
    ck_assert_msg(!rig_smb_has(r->log, "partial=1"), "%s", r->log);
    rig_end(r);
    free(r);
}
END_TEST

/* the links an error never reached come out in the order they were sent */
START_TEST(unreached_links_are_reported_in_chain_order)
{
    struct rig *r = rig_new();
    struct mb q, s;
    size_t at;
    mb_hdr_oem(&q, SMB1_COM_OPEN_ANDX, false, 0, 1, 100, 9);
    mb_open_andx_req(&q, SMB1_COM_READ_ANDX, &at, "\\nope");
    mb_set_andx(&q, at, q.n);
    size_t rd_at = q.n;
    mb_read_andx_req(&q, 0xffff, 0, 100);
    q.b[rd_at + 1] = SMB1_COM_CLOSE;     /* READ_ANDX's AndXCommand: a CLOSE follows */
    mb_set_andx(&q, rd_at + 3, q.n);
    mb_wct(&q, 3);
    mb_u16(&q, 0xffff);                /* FID: the open's */
    mb_u32(&q, 0);                     /* LastTimeModified */
    mb_bcc(&q);
    mb_end(&q);
    rig_send(r, DIR_C2S, &q, 0, 10);
    mb_hdr_oem(&s, SMB1_COM_OPEN_ANDX, true, 0xc0000034, 1, 100, 9);
    mb_empty_words(&s);
    rig_send(r, DIR_S2C, &s, 0, 20);
    const char *rd = strstr(r->log, "{smb command=READ_ANDX");
    const char *cl = strstr(r->log, "{smb command=CLOSE");
    ck_assert_msg(rd && cl && rd < cl, "%s", r->log);
    ck_assert_int_eq((int)rig_count(r->log, "executed=0"), 2);
    ck_assert_uint_eq(r->k.c.n_pending, 0);
    rig_end(r);
    free(r);
}
END_TEST

/* the one AndX walker: every rule, on a link built the way both callers build it */
START_TEST(andx_walker_rules)
{
    struct mb q;
    size_t at;
    mb_hdr_oem(&q, SMB1_COM_OPEN_ANDX, false, 0, 1, 100, 1);
    mb_open_andx_req(&q, SMB1_COM_READ_ANDX, &at, "\\x");
    size_t first_end = q.n;                   /* the first link ends here */
    mb_read_andx_req(&q, 0x4000, 0, 10);
    struct smb1_msgview mv = smb1_msgview_plain(q.b, q.n);
    struct smb1_hdr h;
    struct rd r = rd_init(q.b, q.n);
    ck_assert(smb1_hdr_parse(&r, &h));
    struct {
        size_t off;
        unsigned depth, max;
        enum smb1_andx_step want;
    } cases[] = {
        {first_end, 0, 16, SMB1_ANDX_NEXT},
        {32 + 1 + 30 + 2, 0, 16, SMB1_ANDX_NEXT},       /* right after its ByteCount: allowed */
        {32, 0, 16, SMB1_ANDX_BAD_OFFSET},              /* back to itself */
        {32 + 1 + 30 + 2 - 1, 0, 16, SMB1_ANDX_BAD_OFFSET}, /* into its own ByteCount */
        {q.n, 0, 16, SMB1_ANDX_BAD_OFFSET},             /* past the message */
        {first_end, 15, 16, SMB1_ANDX_TOO_DEEP},        /* the 17th command */
        {first_end, 14, 16, SMB1_ANDX_NEXT},            /* the 16th is still followed */
        {first_end, 0, 1, SMB1_ANDX_TOO_DEEP},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        mb_set_andx(&q, at, cases[i].off);
        struct smb1_link l = {.h = &h, .depth = cases[i].depth};
        ck_assert(smb1_link_at(&l, &mv, SMB1_COM_OPEN_ANDX, SMB1_HDR_LEN));
        uint8_t next = 0;
        size_t next_at = 0;
        ck_assert_msg(smb1_andx_next(&l, q.n, cases[i].max, &next, &next_at) == cases[i].want, "case %zu", i);
        if (cases[i].want != SMB1_ANDX_TOO_DEEP)
            ck_assert(next == SMB1_COM_READ_ANDX && next_at == cases[i].off);
    }
    /* 0xFF ends the chain; so does a command that is not AndX */
    q.b[at - 2] = SMB1_COM_NO_ANDX_COMMAND;
    struct smb1_link l = {.h = &h};
    ck_assert(smb1_link_at(&l, &mv, SMB1_COM_OPEN_ANDX, SMB1_HDR_LEN));
    uint8_t next;
    size_t next_at;
    ck_assert(smb1_andx_next(&l, q.n, 16, &next, &next_at) == SMB1_ANDX_END);
    q.b[at - 2] = SMB1_COM_READ_ANDX;
    ck_assert(smb1_link_at(&l, &mv, SMB1_COM_ECHO, SMB1_HDR_LEN));
    ck_assert(smb1_andx_next(&l, q.n, 16, &next, &next_at) == SMB1_ANDX_END);
}
END_TEST

START_TEST(name_lists_dedup_and_cap)
{
    struct strlist l = {0};
    char name[32];
    for (int i = 0; i < STRLIST_MAX + 76; i++) {
        snprintf(name, sizeof name, "\\f%d", i);
        strlist_add(&l, name);
        strlist_add(&l, "\\f0"); /* repeats are neither kept nor counted */
    }
    ck_assert_uint_eq(l.n, STRLIST_MAX);
    ck_assert_uint_eq(l.omitted, 76);
    ck_assert_str_eq(l.v[1], "\\f1");
    strlist_free(&l);
    ck_assert_uint_eq(l.n, 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("smb1_core");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, read_data_streams_to_the_file_in_any_pieces);
    tcase_add_test(tc, a_gap_inside_read_data_is_exactly_missing);
    tcase_add_test(tc, open_and_read_chained_in_one_message);
    tcase_add_test(tc, a_command_chained_after_streamed_write_data_is_decoded);
    tcase_add_test(tc, an_error_stops_the_chain_and_unreached_links_say_so);
    tcase_add_test(tc, unmatched_responses_and_unanswered_requests);
    tcase_add_test(tc, andx_offsets_must_advance);
    tcase_add_test(tc, andx_depth_limit_counts_commands);
    tcase_add_test(tc, every_truncation_of_a_read_response_is_safe);
    tcase_add_test(tc, limits_cap_the_kept_part);
    tcase_add_test(tc, name_lists_dedup_and_cap);
    tcase_add_test(tc, a_file_ending_mid_stream_stops_its_data);
    tcase_add_test(tc, an_interim_transaction_response_is_not_the_answer);
    tcase_add_test(tc, pipelined_transactions_each_get_their_interim_response);
    tcase_add_test(tc, andx_offset_inside_the_previous_words_is_refused);
    tcase_add_test(tc, pending_table_evicts_the_oldest_and_matches_the_rest);
    tcase_add_test(tc, chained_read_on_fid_ffff_feeds_the_open);
    tcase_add_test(tc, chained_read_on_fid_ffff_every_truncation);
    tcase_add_test(tc, chained_write_on_fid_ffff_feeds_the_open);
    tcase_add_test(tc, chained_write_after_a_failed_open_goes_nowhere);
    tcase_add_test(tc, pipelined_requests_on_one_mid_each_get_their_response);
    tcase_add_test(tc, an_error_stops_only_its_own_chain);
    tcase_add_test(tc, unreached_links_are_reported_in_chain_order);
    tcase_add_test(tc, andx_walker_rules);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
