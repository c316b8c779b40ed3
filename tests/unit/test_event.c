/* Unit tests for event records: field order, replacement, arena copies, moves, anomalies,
 * and who owns (and so settles) a record's pending fields. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adhoc_fields.h"
#include "event.h"

START_TEST(fields_keep_order_and_replace_in_place)
{
    const struct fld_t_uint *a = A_UINT("a");
    const struct fld_t_str *b = A_STR("b");
    const struct fld_t_bool *c = A_BOOL("c");
    struct event e;
    ev_init(&e, EV_SMB, 42, NULL);
    ev_allow_adhoc(&e);
    ev_uint(&e, a, 1);
    ev_str(&e, b, "two");
    ev_bool(&e, c, true);
    ev_uint(&e, a, 5);   /* replaces a, stays first */
    ck_assert_uint_eq(e.top.n, 3);
    ck_assert_str_eq(e.top.f[0].name, "a");
    ck_assert_int_eq(e.top.f[0].kind, F_UINT);
    ck_assert_uint_eq(e.top.f[0].v.u, 5);
    ck_assert_str_eq(e.top.f[1].v.s, "two");
    ck_assert(ev_has(&e, c));
    ck_assert(!ev_has(&e, A_BOOL("d")));
    ev_str(&e, b, NULL);
    ck_assert_int_eq(ev_get(&e, NULL, "b")->kind, F_NULL);
    ck_assert_uint_eq(e.top.n, 3);
    ck_assert_str_eq(ev_type_name(e.type), "smb");
    ev_free(&e);
}
END_TEST

START_TEST(strings_are_copied_and_many_fields_grow)
{
    static const char *names[] = {"f0", "f1", "f2", "f3", "f4", "f5", "f6", "f7", "f8", "f9",
                                  "f10", "f11", "f12", "f13", "f14", "f15", "f16", "f17", "f18", "f19"};
    struct fld_t_str d[20];
    for (size_t i = 0; i < 20; i++)
        d[i].d = (struct fdesc){names[i], names[i], FT_STR, FD_PLAIN, NULL, -1, -1};
    struct event e;
    ev_init(&e, EV_FILE, 1, NULL);
    ev_allow_adhoc(&e);
    char buf[16];
    for (size_t i = 0; i < 20; i++) {
        snprintf(buf, sizeof buf, "v%zu", i);
        ev_str(&e, &d[i], buf);
    }
    memset(buf, 'x', sizeof buf);
    ck_assert_uint_eq(e.top.n, 20);
    for (size_t i = 0; i < 20; i++) {
        char want[16];
        snprintf(want, sizeof want, "v%zu", i);
        ck_assert_str_eq(ev_get(&e, NULL, names[i])->v.s, want);
    }
    /* a string far larger than a chunk */
    size_t big = 5000;
    char *s = malloc(big);
    memset(s, 'q', big);
    fs_strn(&e, NULL, A_STR("big"), s, big);
    free(s);
    const struct field *f = ev_get(&e, NULL, "big");
    ck_assert_uint_eq(strlen(f->v.s), big);
    /* strn keeps embedded bytes up to n */
    fs_strn(&e, NULL, A_STR("part"), "hello", 3);
    ck_assert_str_eq(ev_get(&e, NULL, "part")->v.s, "hel");
    ev_free(&e);
}
END_TEST
START_TEST(objects_vectors_ranges)
{
    struct event e;
    ev_init(&e, EV_CONN, 7, NULL);
    ev_allow_adhoc(&e);
    struct fieldset *o = fs_obj(&e, NULL, F(to_server));
    fs_uint(&e, o, F(bytes), 100);
    fs_uint(&e, o, F(gaps), 2);
    const char *v[] = {"x", "yy"};
    fs_strv(&e, NULL, A_STRV("names"), v, 2);
    uint64_t r[2][2] = {{0, 10}, {20, 30}};
    fs_ranges(&e, NULL, A_RANGES("ranges"), (const uint64_t (*)[2])r, 2);
    r[0][0] = 99;
    const struct field *of = ev_find(&e, NULL, F(to_server));
    ck_assert_int_eq(of->kind, F_OBJ);
    ck_assert_uint_eq(ev_get(&e, of->v.obj, "bytes")->v.u, 100);
    ck_assert_uint_eq(ev_get(&e, of->v.obj, "gaps")->v.u, 2);
    const struct field *nf = ev_get(&e, NULL, "names");
    ck_assert_uint_eq(nf->v.sv.n, 2);
    ck_assert_str_eq(nf->v.sv.v[1], "yy");
    const struct field *rf = ev_get(&e, NULL, "ranges");
    ck_assert_uint_eq(rf->v.rg.r[0][0], 0);
    ck_assert_uint_eq(rf->v.rg.r[1][1], 30);
    ev_free(&e);
}
END_TEST

START_TEST(move_leaves_source_empty_and_reusable)
{
    struct event a, b;
    ev_init(&a, EV_NBSS, 5, NULL);
    ev_allow_adhoc(&a);
    ev_str(&a, A_STR("k"), "v");
    ev_move(&b, &a);
    ck_assert_uint_eq(a.top.n, 0);
    ck_assert_ptr_null(a.arena);
    ck_assert_str_eq(ev_get(&b, NULL, "k")->v.s, "v");
    ev_allow_adhoc(&a); /* the move cleared it with the rest */
    ev_str(&a, A_STR("k2"), "again");
    ck_assert_str_eq(ev_get(&a, NULL, "k2")->v.s, "again");
    ev_free(&a);
    ev_free(&b);
}
END_TEST

struct capture {
    char name[64], detail[256];
    int n;
    enum ev_type type;
    uint64_t ts;
};

static void cap_emit(void *u, const struct event *e)
{
    struct capture *c = u;
    c->n++;
    c->type = e->type;
    c->ts = e->ts_us;
    snprintf(c->name, sizeof c->name, "%s", ev_get(e, NULL, "name")->v.s);
    snprintf(c->detail, sizeof c->detail, "%s", ev_get(e, NULL, "detail")->v.s);
}

START_TEST(anomaly_formats_detail)
{
    struct capture c = {0};
    struct emitter em = {.emit = cap_emit, .u = &c};
    emit_anomaly(&em, 77, NULL, "tcp_overlap_conflict", "range [%d,%d) of %s", 3, 9, "x");
    ck_assert_int_eq(c.n, 1);
    ck_assert_int_eq(c.type, EV_ANOMALY);
    ck_assert_uint_eq(c.ts, 77);
    ck_assert_str_eq(c.name, "tcp_overlap_conflict");
    ck_assert_str_eq(c.detail, "range [3,9) of x");
    emit_anomaly(NULL, 1, NULL, "x", "no emitter is not a crash");
}
END_TEST

/* a pending that counts how it is settled */
struct count_pending {
    struct ev_pending p;
    unsigned settled, with_record, on_producer;
};

static void cp_handover(struct ev_pending *p) { (void)p; }

static void cp_settle(struct ev_pending *p, struct event *e, bool producer)
{
    struct count_pending *c = (struct count_pending *)p;
    c->settled++;
    c->with_record += e != NULL;
    c->on_producer += producer;
    if (e)
        ev_str(e, A_STR("late"), "set");
}

static void cp_init(struct count_pending *c)
{
    memset(c, 0, sizeof *c);
    c->p.handover = cp_handover;
    c->p.settle = cp_settle;
}

START_TEST(pending_is_settled_once_by_its_owner)
{
    struct count_pending cp;
    /* the record that made it owns it: freed, it settles it (no record, producer) */
    cp_init(&cp);
    struct event e;
    ev_init(&e, EV_FILE, 1, NULL);
    ev_allow_adhoc(&e);
    ev_set_pending(&e, NULL); /* nothing to own: nothing changes */
    ck_assert_ptr_null(ev_pending_of(&e));
    ev_set_pending(&e, &cp.p);
    ck_assert_ptr_eq(ev_pending_of(&e), &cp.p);
    ev_free(&e);
    ck_assert_uint_eq(cp.settled, 1);
    ck_assert_uint_eq(cp.with_record, 0);
    ck_assert_uint_eq(cp.on_producer, 1);

    /* a clone does not take it; ev_take_pending does, from then on the
     * original lets go without settling */
    cp_init(&cp);
    ev_init(&e, EV_FILE, 1, NULL);
    ev_allow_adhoc(&e);
    ev_uint(&e, A_UINT("a"), 7);
    ev_set_pending(&e, &cp.p);
    struct event c1, c2, c3;
    ev_clone(&c1, &e);
    ck_assert_ptr_null(ev_pending_of(&c1));
    ev_take_pending(&c1, &e);
    ck_assert_ptr_eq(ev_pending_of(&c1), &cp.p);
    ck_assert_ptr_null(ev_pending_of(&e));
    /* taking from one that no longer owns it takes nothing */
    ev_clone(&c2, &c1);
    ev_take_pending(&c2, &e);
    ck_assert_ptr_null(ev_pending_of(&c2));
    ev_free(&e);
    ck_assert_uint_eq(cp.settled, 0);
    /* a clone of the clone takes it on; moving keeps it with the moved record */
    ev_take_pending(&c2, &c1);
    ck_assert(ev_pending_of(&c2) && !ev_pending_of(&c1));
    ev_free(&c1);
    ck_assert_uint_eq(cp.settled, 0);
    ev_move(&c3, &c2);
    ck_assert_ptr_eq(ev_pending_of(&c3), &cp.p);
    ev_free(&c2);
    ck_assert_uint_eq(cp.settled, 0);
    /* the owner releases it and settles it on a record */
    struct ev_pending *p = ev_release_pending(&c3);
    ck_assert_ptr_eq(p, &cp.p);
    ck_assert_ptr_null(ev_release_pending(&c3));
    p->settle(p, &c3, false);
    ck_assert_uint_eq(cp.settled, 1);
    ck_assert_uint_eq(cp.with_record, 1);
    ck_assert_uint_eq(cp.on_producer, 0);
    ck_assert_str_eq(ev_get(&c3, NULL, "late")->v.s, "set");
    ck_assert_uint_eq(ev_get(&c3, NULL, "a")->v.u, 7);
    ev_free(&c3);
    ck_assert_uint_eq(cp.settled, 1);
}
END_TEST

/* once taken, the pending may be settled and freed (on another thread)
 * before the record it came from is freed: freeing that record must not
 * touch it. The pending's memory is scribbled over before the original's
 * ev_free, which must neither read nor settle it */
START_TEST(original_never_touches_a_taken_pending)
{
    struct count_pending *cp = malloc(sizeof *cp);
    ck_assert_ptr_nonnull(cp);
    cp_init(cp);
    struct event e, c;
    ev_init(&e, EV_FILE, 1, NULL);
    ev_allow_adhoc(&e);
    ev_set_pending(&e, &cp->p);
    ev_clone(&c, &e);
    ev_take_pending(&c, &e);
    struct ev_pending *p = ev_release_pending(&c);
    p->settle(p, &c, false);
    ck_assert_uint_eq(cp->settled, 1);
    /* as if freed and reused: zeros make a null settle, which crashes if
     * called, and any owner count read from it look like the original's */
    memset(cp, 0, sizeof *cp);
    ev_free(&e);
    ev_free(&c);
    free(cp);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("event");
    TCase *tc = tcase_create("event");
    tcase_add_test(tc, fields_keep_order_and_replace_in_place);
    tcase_add_test(tc, strings_are_copied_and_many_fields_grow);
    tcase_add_test(tc, objects_vectors_ranges);
    tcase_add_test(tc, move_leaves_source_empty_and_reusable);
    tcase_add_test(tc, anomaly_formats_detail);
    tcase_add_test(tc, pending_is_settled_once_by_its_owner);
    tcase_add_test(tc, original_never_touches_a_taken_pending);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
