/* Unit tests for event records: field order, replacement, arena copies, moves, anomalies,
 * and who owns (and so settles) a record's pending fields. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adhoc_fields.h"
#include "event.h"
#include "json_random.h"

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

/* two field sets hold the same fields, and every pointer of `img` lies in
 * [lo, hi) (the image owns all it reads) */
static void same_set(const struct fieldset *a, const struct fieldset *img, const char *lo, const char *hi)
{
#define IN_IMG(p) ck_assert((const char *)(p) >= lo && (const char *)(p) < hi)
    ck_assert_uint_eq(a->n, img->n);
    ck_assert_int_eq(a->scope, img->scope);
    ck_assert_ptr_eq(a->map, img->map);
    if (img->n)
        IN_IMG(img->f);
    for (size_t i = 0; i < a->n; i++) {
        const struct field *f = &a->f[i], *g = &img->f[i];
        ck_assert_ptr_eq(f->d, g->d);
        ck_assert_int_eq(f->kind, g->kind);
        ck_assert_str_eq(f->name, g->name);
        if (!f->d)
            IN_IMG(g->name); /* a map's key is the event's own */
        switch (f->kind) {
        case F_BOOL: ck_assert(f->v.b == g->v.b); break;
        case F_INT: ck_assert(f->v.i == g->v.i); break;
        case F_UINT:
        case F_TS: ck_assert(f->v.u == g->v.u); break;
        case F_STR:
            ck_assert_str_eq(f->v.s, g->v.s);
            IN_IMG(g->v.s);
            break;
        case F_STRV:
            ck_assert_uint_eq(f->v.sv.n, g->v.sv.n);
            for (size_t j = 0; j < f->v.sv.n; j++) {
                ck_assert_str_eq(f->v.sv.v[j], g->v.sv.v[j]);
                IN_IMG(g->v.sv.v[j]);
            }
            if (f->v.sv.n)
                IN_IMG(g->v.sv.v);
            break;
        case F_RANGES:
            ck_assert_uint_eq(f->v.rg.n, g->v.rg.n);
            if (f->v.rg.n) {
                IN_IMG(g->v.rg.r);
                ck_assert(memcmp(f->v.rg.r, g->v.rg.r, f->v.rg.n * sizeof *f->v.rg.r) == 0);
            }
            break;
        case F_OBJ:
            IN_IMG(g->v.obj);
            same_set(f->v.obj, g->v.obj, lo, hi);
            break;
        default: break;
        }
    }
#undef IN_IMG
}

/* an image (event.h) holds the record exactly, within the bytes it asked
 * for (a size too small overlaps strings and fields: the compare fails; a
 * byte past them trips the guard), and stands alone: the source is freed
 * before the image is read again */
START_TEST(image_is_a_whole_copy_in_its_own_bytes)
{
    uint64_t x = 0x2545F4914F6CDD1Dull;
    struct conn_ref c = {.num = 3};
    for (unsigned round = 0; round < 3000; round++) {
        struct event e, twin, im;
        ev_init(&e, EV_FILE, 1000 + round, round % 2 ? &c : NULL);
        ev_allow_adhoc(&e);
        random_fields(&e, NULL, &x, 0);
        ev_init(&twin, EV_FILE, 1000 + round, round % 2 ? &c : NULL);
        ev_allow_adhoc(&twin);
        ev_clone(&twin, &e); /* kept to compare against once e is gone */
        size_t n = ev_image_size(&e);
        enum { GUARD = 64 };
        unsigned char *blk = aligned_alloc(_Alignof(max_align_t), (n + GUARD + 15) / 16 * 16);
        ck_assert_ptr_nonnull(blk);
        memset(blk, 0xa5, n + GUARD);
        ev_image(&im, blk, n, &e);
        for (size_t k = n; k < n + GUARD; k++)
            ck_assert_uint_eq(blk[k], 0xa5); /* not a byte past n */
        ck_assert_ptr_eq(im.conn, e.conn);
        ck_assert_ptr_null(im.arena);
        ck_assert_ptr_null(im.pending);
        ck_assert_int_eq(im.type, e.type);
        ck_assert(im.ts_us == e.ts_us);
        ev_free(&e); /* what ev_free leaves is all the image may not read */
        same_set(&twin.top, &im.top, (const char *)blk, (const char *)blk + n);
        ev_free(&twin);
        free(blk);
    }
}
END_TEST

/* the search a replacement needs is skipped only when no field with the
 * descriptor's bit is there: descriptors whose ids share a bit (5 and 69)
 * are still told apart, and each replaced in place */
START_TEST(fields_sharing_a_bit_are_told_apart)
{
    static const struct fld_t_uint a = {{"a", "a", FT_UINT, FD_PLAIN, NULL, -1, 5}};
    static const struct fld_t_uint b = {{"b", "b", FT_UINT, FD_PLAIN, NULL, -1, 69}};
    static const struct fld_t_uint c = {{"c", "c", FT_UINT, FD_PLAIN, NULL, -1, 6}};
    struct event e;
    ev_init(&e, EV_SMB, 1, NULL);
    ev_allow_adhoc(&e);
    ev_uint(&e, &a, 1);
    ev_uint(&e, &b, 2);
    ev_uint(&e, &c, 3);
    ev_uint(&e, &b, 20);
    ev_uint(&e, &a, 10);
    ev_uint(&e, &c, 30);
    ck_assert_uint_eq(e.top.n, 3);
    ck_assert_str_eq(e.top.f[0].name, "a");
    ck_assert_uint_eq(e.top.f[0].v.u, 10);
    ck_assert_uint_eq(e.top.f[1].v.u, 20);
    ck_assert_uint_eq(e.top.f[2].v.u, 30);
    ev_free(&e);
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
    tcase_add_test(tc, image_is_a_whole_copy_in_its_own_bytes);
    tcase_add_test(tc, fields_sharing_a_bit_are_told_apart);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
