/* Unit tests for SMB1 message assembly (smb1_asm.c): READ/WRITE data
 * streamed to the file tracker in any pieces (never kept), gaps inside the
 * data, every truncation of a streamed response, the smb_buffer cap on the
 * kept part, a file that ends while its data is still arriving; and the
 * name lists of smb1_util.c.
 * Spec: [MS-CIFS] 2.2.3 (message structure), 2.2.4.42 (READ_ANDX). */
#include <check.h>
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

/* a pending that counts how it was settled */
struct counted {
    struct ev_pending p;
    unsigned *settled, *with_record;
};

static void counted_handover(struct ev_pending *p) { (void)p; }

static void counted_settle(struct ev_pending *p, struct event *e, bool producer)
{
    struct counted *c = (struct counted *)p;
    (void)producer;
    (*c->settled)++;
    *c->with_record += e != NULL;
    free(c);
}

/* a record held behind its command's `smb` record (a CLOSE's `file`)
 * carries its pending hash along; released to an emitter that does not take
 * it (the analyzer dropping records after a write error), the core settles
 * it, once, without a record: nothing leaks, nothing is settled twice */
START_TEST(a_held_record_s_pending_is_settled_when_nobody_takes_it)
{
    struct rig *r = rig_new();
    unsigned settled = 0, with_record = 0;
    for (int i = 0; i < 3; i++) {
        struct counted *c = calloc(1, sizeof *c);
        ck_assert_ptr_nonnull(c);
        c->p.handover = counted_handover;
        c->p.settle = counted_settle;
        c->settled = &settled;
        c->with_record = &with_record;
        struct event e;
        ev_init(&e, EV_SESSION, 5, &r->conn);
        ev_uint(&e, F(uid), 100 + (unsigned)i);
        ev_set_pending(&e, &c->p);
        r->k.hold.emit(r->k.hold.u, &e); /* as a handler's record goes */
        ev_free(&e);                     /* the hold owns the pending now */
        ck_assert_uint_eq(settled, 0);
    }
    rig_end(r); /* the held records are written at the end */
    ck_assert_uint_eq(r->records, 3);
    ck_assert_uint_eq(rig_count(r->log, "uid=10"), 3);
    ck_assert_uint_eq(settled, 3);
    ck_assert_uint_eq(with_record, 0);
    free(r);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("smb1_core");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, read_data_streams_to_the_file_in_any_pieces);
    tcase_add_test(tc, a_gap_inside_read_data_is_exactly_missing);
    tcase_add_test(tc, every_truncation_of_a_read_response_is_safe);
    tcase_add_test(tc, limits_cap_the_kept_part);
    tcase_add_test(tc, name_lists_dedup_and_cap);
    tcase_add_test(tc, a_file_ending_mid_stream_stops_its_data);
    tcase_add_test(tc, a_held_record_s_pending_is_settled_when_nobody_takes_it);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
