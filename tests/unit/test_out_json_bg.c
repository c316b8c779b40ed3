/* Unit tests for the JSON sink writing on its own thread
 * (sink_json_background, src/output/owriter.c): the same bytes as the sink
 * writing on the spot for random records, some carrying pending fields
 * (event.h's ev_pending) and connections freed right after the write; each
 * pending settled once, off the parsing thread; a drain; which sinks may go
 * to the background (an -o that does not rotate, not one that does); the
 * summary sink passes a drain on; write errors. Spec: src/output/sink.h,
 * owriter.h, outfile.h. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "event.h"
#include "outfile.h"
#include "json_random.h"
#include "sink.h"
#include "sink_harness.h"

/* a sink that writes on its own thread (sink_json_background) */
static struct sink *json_bg(FILE *out, bool flush_each)
{
    struct sink *s = sink_json_new(out, flush_each);
    ck_assert(sink_json_background(s));
    ck_assert(s->takes_pending);
    return s;
}

/* a pending that sets `late` when settled, and counts where */
struct late {
    struct ev_pending p;
    char value[24];
    unsigned *settled, *on_producer, *with_record;
};

static void late_handover(struct ev_pending *p) { (void)p; }

static void late_settle(struct ev_pending *p, struct event *e, bool producer)
{
    struct late *l = (struct late *)p;
    static const struct fld_t_str LATE = {{"late", "late", FT_STR, FD_PLAIN, NULL, -1, -1}};
    (*l->settled)++;
    *l->on_producer += producer;
    *l->with_record += e != NULL;
    if (e)
        ev_str(e, &LATE, l->value);
    free(l);
}

/* the same random records, some with pending fields, through a sink writing
 * on the spot and one writing on its own thread: the same bytes; each
 * pending settled once, on a record, off the parsing thread when held; the
 * connection of a held record may be gone before it is written */
START_TEST(background_writes_the_same_bytes)
{
    struct mem_sink a, b;
    ms_open(&a, sink_json_new);
    ms_open(&b, json_bg);
    unsigned settled[2] = {0}, on_producer[2] = {0}, with_record[2] = {0}, made = 0;
    for (int side = 0; side < 2; side++) {
        uint64_t x = 0x9E3779B97F4A7C15ull;
        struct mem_sink *m = side ? &b : &a;
        for (unsigned round = 0; round < 5000; round++) {
            struct conn_ref *c = malloc(sizeof *c);
            ck_assert_ptr_nonnull(c);
            *c = rng_next(&x) % 2 ? conn_v4() : conn_v6();
            struct event e;
            ev_init(&e, EV_FILE, T0 + round, rng_next(&x) % 8 ? c : NULL);
            ev_allow_adhoc(&e);
            random_fields(&e, NULL, &x, 0);
            if (rng_next(&x) % 3 == 0) {
                struct late *l = calloc(1, sizeof *l);
                ck_assert_ptr_nonnull(l);
                l->p.handover = late_handover;
                l->p.settle = late_settle;
                snprintf(l->value, sizeof l->value, "v%u", round);
                l->settled = &settled[side];
                l->on_producer = &on_producer[side];
                l->with_record = &with_record[side];
                ev_set_pending(&e, &l->p);
                made += side == 0;
            }
            ms_write(m, &e);
            ev_free(&e);
            memset(c, 0x5a, sizeof *c); /* the flow is gone: its connection with it */
            free(c);
        }
    }
    ck_assert_uint_gt(made, 1000);
    ms_close(&a);
    ms_close(&b);
    ck_assert_uint_eq(a.len, b.len);
    ck_assert(memcmp(a.buf, b.buf, a.len) == 0);
    ck_assert_ptr_nonnull(strstr(a.buf, "\"late\":\"v"));
    for (int side = 0; side < 2; side++) {
        ck_assert_uint_eq(settled[side], made);
        ck_assert_uint_eq(with_record[side], made);
    }
    ck_assert_uint_eq(on_producer[0], made); /* on the spot: the parsing thread */
    ck_assert_uint_eq(on_producer[1], 0);    /* held: the writer thread */
    ms_free(&a);
    ms_free(&b);
}
END_TEST

/* after a drain the sink writes on the spot: records still come out, in order */
START_TEST(drain_then_write)
{
    struct mem_sink m;
    ms_open(&m, json_bg);
    struct event e;
    ev_init(&e, EV_STATS, T0, NULL);
    ev_uint(&e, F(packets), 1);
    ms_write(&m, &e);
    m.s->ops->drain(m.s);
    ck_assert(!m.s->takes_pending);
    ev_uint(&e, F(packets), 2);
    ms_write(&m, &e);
    ev_free(&e);
    ms_close(&m);
    ck_assert_ptr_nonnull(strstr(m.buf, "\"packets\":1}\n"));
    ck_assert_ptr_nonnull(strstr(m.buf, "\"packets\":2}\n"));
    ck_assert(strstr(m.buf, "\"packets\":1}") < strstr(m.buf, "\"packets\":2}"));
    ms_free(&m);
    /* only a sink that writes one stream on the spot may go to the background */
    FILE *f = fopen("/dev/null", "w");
    struct sink *s = sink_json_new(f, true);
    ck_assert(!sink_json_background(s));
    ck_assert(!s->takes_pending);
    ck_assert_int_eq(s->ops->close(s), 0);
    s = sink_text_new(f, false);
    ck_assert(!sink_json_background(s));
    ck_assert_int_eq(s->ops->close(s), 0);
    fclose(f);
}
END_TEST

/* an -o that does not rotate is one stream: it may be written by the
 * thread, with the same bytes; one that rotates may not */
START_TEST(outfile_without_rotation_goes_to_the_background)
{
    char dir[] = "/tmp/smbscope-bg-XXXXXX", pat[64], err[256] = "";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(pat, sizeof pat, "%s/out.json", dir);
    struct outfile_config c = {pat, 0, 0, NULL};
    struct outfile *of = outfile_open(&c, T0, err, sizeof err);
    ck_assert_msg(of != NULL, "%s", err);
    struct sink *s = sink_json_new(outfile_record(of), false);
    s->of = of;
    ck_assert(sink_json_background(s));
    struct event e;
    ev_init(&e, EV_STATS, T0, NULL);
    for (unsigned i = 1; i <= 3; i++) {
        ev_uint(&e, F(packets), i);
        s->ops->write(s, &e);
    }
    ev_free(&e);
    ck_assert_int_eq(s->ops->close(s), 0);
    ck_assert_int_eq(outfile_close(of, NULL, 0), 0);
    char buf[1024] = "";
    FILE *f = fopen(pat, "r");
    ck_assert_ptr_nonnull(f);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    ck_assert_ptr_nonnull(strstr(buf, "\"packets\":1}\n"));
    ck_assert(strstr(buf, "\"packets\":1}") < strstr(buf, "\"packets\":2}"));
    ck_assert(strstr(buf, "\"packets\":2}") < strstr(buf, "\"packets\":3}\n"));
    unlink(pat);

    /* rotating by size or by time: on the spot */
    for (int by_time = 0; by_time < 2; by_time++) {
        struct outfile_config r = {pat, by_time ? 60000000u : 0, by_time ? 0 : 1000, NULL};
        of = outfile_open(&r, T0, err, sizeof err);
        ck_assert_msg(of != NULL, "%s", err);
        ck_assert(outfile_rotates(of));
        s = sink_json_new(outfile_record(of), false);
        s->of = of;
        ck_assert(!sink_json_background(s));
        ck_assert(!s->takes_pending);
        ck_assert_int_eq(s->ops->close(s), 0);
        ck_assert_int_eq(outfile_close(of, NULL, 0), 0);
        unlink(pat);
    }
    ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

/* --summary wraps the sink: its drain reaches the writer thread (main
 * drains before an -o reopen, the analyzer before the hashing threads stop) */
START_TEST(summary_passes_the_drain_on)
{
    struct mem_sink m;
    ms_open(&m, json_bg);
    struct sink *inner = m.s;
    struct sink *sum = sink_summary_new(inner, true, 16);
    ck_assert_ptr_nonnull(sum);
    ck_assert_ptr_nonnull(sum->ops->drain);
    struct event e;
    ev_init(&e, EV_STATS, T0, NULL);
    ev_uint(&e, F(packets), 7);
    sum->ops->write(sum, &e);
    ev_free(&e);
    sum->ops->drain(sum);
    ck_assert(!inner->takes_pending); /* the thread is gone: everything is written */
    ck_assert_int_eq(fflush(m.f), 0);
    ck_assert_ptr_nonnull(strstr(m.buf, "\"packets\":7}\n"));
    m.s = sum; /* closing the summary sink closes the inner one */
    ms_close(&m);
    ms_free(&m);
}
END_TEST

START_TEST(write_errors_are_reported)
{
    check_write_error(json_bg, false);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("out_json_bg");
    TCase *tc = tcase_create("out_json_bg");
    tcase_add_test(tc, background_writes_the_same_bytes);
    tcase_add_test(tc, drain_then_write);
    tcase_add_test(tc, outfile_without_rotation_goes_to_the_background);
    tcase_add_test(tc, summary_passes_the_drain_on);
    tcase_add_test(tc, write_errors_are_reported);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
