/* Unit tests for owriter (a sink's ordered writer thread): the file gets
 * exactly the bytes and objects put, in order, across chunk hand-overs,
 * back-pressure (every chunk in flight), a put larger than a chunk and a
 * chunk full of objects; handover runs on the producer before the writer
 * renders; a write error is the first errno, every object is still
 * rendered once; owriter_close writes the last, partial chunk.
 * Spec: src/output/owriter.h. */
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "owriter.h"

/* an object: its bytes are known when put, but (like a file's hash) may only
 * be written once the producer has handed it over */
struct obj {
    char text[64];
    bool handed;          /* set by handover, on the producer */
    pthread_t producer;
};

struct rig {
    pthread_t producer;
    unsigned rendered, render_before_handover, render_on_producer, handover_off_producer;
    unsigned images, images_moved, images_misaligned;
    bool fail_render;     /* render says out of memory */
    char buf[64];
};

static void on_handover(void *u, void *o)
{
    struct rig *r = u;
    struct obj *ob = o;
    if (!pthread_equal(pthread_self(), r->producer))
        r->handover_off_producer++;
    ob->handed = true;
}

static bool on_render(void *u, void *o, const char **p, size_t *n)
{
    struct rig *r = u;
    struct obj *ob = o;
    r->rendered++;
    if (!ob->handed)
        r->render_before_handover++;
    if (pthread_equal(pthread_self(), r->producer))
        r->render_on_producer++;
    snprintf(r->buf, sizeof r->buf, "%s", ob->text);
    free(ob);
    *p = r->buf;
    *n = strlen(r->buf);
    return !r->fail_render;
}

/* an image: where it was put (so a move shows), its text after it */
struct image {
    const void *self;
    size_t len;
    char text[];
};

static bool on_render_image(void *u, void *img, const char **p, size_t *n)
{
    struct rig *r = u;
    struct image *im = img;
    r->images++;
    if (im->self != img)
        r->images_moved++;
    if ((uintptr_t)img % OWRITER_IMAGE_ALIGN)
        r->images_misaligned++;
    if (pthread_equal(pthread_self(), r->producer))
        r->render_on_producer++;
    *p = im->text;
    *n = im->len;
    return !r->fail_render;
}

static const struct owriter_ops ops = {on_handover, on_render, on_render_image};


/* the expected output, grown alongside */
struct text {
    char *p;
    size_t n, cap;
};

static void text_add(struct text *t, const void *p, size_t n)
{
    if (n == 0)
        return; /* an empty image may come first: no buffer yet, and memcpy wants one */
    if (t->n + n > t->cap) {
        t->cap = (t->n + n) * 2;
        t->p = realloc(t->p, t->cap);
        ck_assert_ptr_nonnull(t->p);
    }
    memcpy(t->p + t->n, p, n);
    t->n += n;
}

/* an image of len bytes of text (filled after the put, as the contract
 * allows, before the next call) */
static void put_image(struct owriter *w, struct text *want, unsigned i, size_t len)
{
    struct image *im = owriter_put_image(w, sizeof *im + len);
    ck_assert_ptr_nonnull(im);
    im->self = im;
    im->len = len;
    for (size_t k = 0; k < len; k++)
        im->text[k] = (char)('A' + (i + k) % 26);
    text_add(want, im->text, len);
}

static char *slurp(FILE *f, size_t *n)
{
    ck_assert_int_eq(fflush(f), 0);
    long len = ftell(f);
    ck_assert_int_ge(len, 0);
    char *p = malloc((size_t)len + 1);
    ck_assert_ptr_nonnull(p);
    rewind(f);
    ck_assert_uint_eq(fread(p, 1, (size_t)len, f), (size_t)len);
    *n = (size_t)len;
    return p;
}

/* a writer to a temporary file, this thread its producer */
static struct owriter *writer_on_tmpfile(struct rig *r, FILE **f)
{
    *f = tmpfile();
    ck_assert_ptr_nonnull(*f);
    *r = (struct rig){.producer = pthread_self()};
    struct owriter *w = owriter_new(*f, &ops, r);
    ck_assert_ptr_nonnull(w);
    return w;
}

/* close w (no error) and find exactly want in f; both let go */
static void close_expecting(struct owriter *w, FILE *f, struct text *want)
{
    ck_assert_int_eq(owriter_close(w), 0);
    size_t n;
    char *got = slurp(f, &n);
    ck_assert_uint_eq(n, want->n);
    ck_assert(memcmp(got, want->p, n) == 0);
    free(got);
    free(want->p);
    fclose(f);
}

static struct obj *obj_new(unsigned i)
{
    struct obj *o = calloc(1, sizeof *o);
    ck_assert_ptr_nonnull(o);
    snprintf(o->text, sizeof o->text, "<obj %u>", i);
    return o;
}

START_TEST(order_kept_across_chunks_and_objects)
{
    FILE *f;
    struct rig r;
    struct owriter *w = writer_on_tmpfile(&r, &f);
    struct text want = {0};
    unsigned nobj = 0;
    /* lines of many sizes, objects between some (runs of objects too), a put
     * larger than a chunk, and a chunk that fills with objects alone: far
     * more than OWRITER_CHUNKS chunks, so the producer waits for room */
    static char big[3 * OWRITER_CHUNK_BYTES + 17];
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (char)('a' + i % 26);
    for (unsigned i = 0; i < 40000; i++) {
        char line[300];
        int n = snprintf(line, sizeof line, "line %u %.*s\n", i, (int)(i * 7919 % 250), big);
        ck_assert(owriter_put(w, line, (size_t)n));
        text_add(&want, line, (size_t)n);
        unsigned k = i % 97 == 0 ? 3 : i % 5 == 0 ? 1 : 0;
        if (i == 20000)
            k = OWRITER_CHUNK_OBJS + 5; /* a chunk full of objects, and more */
        for (unsigned j = 0; j < k; j++) {
            struct obj *o = obj_new(nobj++);
            text_add(&want, o->text, strlen(o->text));
            ck_assert(owriter_put_obj(w, o));
        }
        if (i == 30000) {
            ck_assert(owriter_put(w, big, sizeof big));
            text_add(&want, big, sizeof big);
        }
    }
    /* the last chunk is partial: close must write it */
    struct obj *o = obj_new(nobj++);
    text_add(&want, o->text, strlen(o->text));
    ck_assert(owriter_put_obj(w, o));
    ck_assert(owriter_put(w, "end\n", 4));
    text_add(&want, "end\n", 4);
    ck_assert_int_eq(owriter_error(w), 0);
    close_expecting(w, f, &want);
    ck_assert_uint_eq(r.rendered, nobj);
    ck_assert_uint_eq(r.render_before_handover, 0);
    ck_assert_uint_eq(r.render_on_producer, 0);
    ck_assert_uint_eq(r.handover_off_producer, 0);
}
END_TEST

/* images among bytes and objects: in order, never moved once put (a chunk
 * holding them is not grown), aligned, one larger than a chunk, images of
 * no bytes, and a chunk that fills with images alone */
START_TEST(images_in_order_and_never_moved)
{
    FILE *f;
    struct rig r;
    struct owriter *w = writer_on_tmpfile(&r, &f);
    struct text want = {0};
    unsigned nimg = 0, nobj = 0;
    static char big[2 * OWRITER_CHUNK_BYTES + 3];
    memset(big, 'z', sizeof big);
    for (unsigned i = 0; i < 30000; i++) {
        char line[64];
        int n = snprintf(line, sizeof line, "l%u,", i);
        size_t len = i % 4 ? (size_t)n : 1; /* odd lengths: the images after them need padding */
        if (i % 3) { /* and some images follow images */
            ck_assert(owriter_put(w, line, len));
            text_add(&want, line, len);
        }
        put_image(w, &want, i, i * 104729 % 700);
        nimg++;
        if (i % 11 == 0) {
            struct obj *o = obj_new(nobj++);
            text_add(&want, o->text, strlen(o->text));
            ck_assert(owriter_put_obj(w, o));
        }
        if (i == 1000) {
            ck_assert(owriter_put(w, big, sizeof big)); /* bytes larger than a chunk */
            text_add(&want, big, sizeof big);
        }
        if (i == 2000) {
            put_image(w, &want, i, 3 * OWRITER_CHUNK_BYTES); /* an image larger than a chunk */
            nimg++;
        }
        if (i == 3000)
            for (unsigned k = 0; k < OWRITER_CHUNK_OBJS + 3; k++, nimg++)
                put_image(w, &want, k, k % 2); /* a chunk of images alone, some empty */
    }
    close_expecting(w, f, &want);
    ck_assert_uint_eq(r.images, nimg);
    ck_assert_uint_eq(r.rendered, nobj);
    ck_assert_uint_eq(r.images_moved, 0);
    ck_assert_uint_eq(r.images_misaligned, 0);
    ck_assert_uint_eq(r.render_on_producer, 0);
}
END_TEST

START_TEST(only_objects_and_empty)
{
    /* nothing put: nothing written */
    FILE *f = tmpfile();
    struct rig r = {.producer = pthread_self()};
    struct owriter *w = owriter_new(f, &ops, &r);
    ck_assert_ptr_nonnull(w);
    ck_assert_int_eq(owriter_close(w), 0);
    size_t n;
    char *got = slurp(f, &n);
    ck_assert_uint_eq(n, 0);
    free(got);
    /* objects alone, the first at offset 0 of a chunk */
    rewind(f);
    w = owriter_new(f, &ops, &r);
    ck_assert(owriter_put_obj(w, obj_new(1)));
    ck_assert(owriter_put_obj(w, obj_new(2)));
    ck_assert_int_eq(owriter_close(w), 0);
    got = slurp(f, &n);
    ck_assert_uint_eq(n, strlen("<obj 1><obj 2>"));
    ck_assert(memcmp(got, "<obj 1><obj 2>", n) == 0);
    free(got);
    fclose(f);
    ck_assert_int_eq(owriter_close(NULL), 0);
    ck_assert_int_eq(owriter_error(NULL), 0);
}
END_TEST

START_TEST(write_error_is_kept_and_objects_still_rendered)
{
    FILE *f = fopen("/dev/full", "w");
    ck_assert_ptr_nonnull(f);
    struct rig r = {.producer = pthread_self()};
    struct owriter *w = owriter_new(f, &ops, &r);
    ck_assert_ptr_nonnull(w);
    char line[1000];
    memset(line, 'x', sizeof line);
    unsigned nobj = 0;
    /* far more than stdio buffers: the writes themselves fail */
    for (unsigned i = 0; i < 5000; i++) {
        ck_assert(owriter_put(w, line, sizeof line));
        if (i % 3 == 0) {
            ck_assert(owriter_put_obj(w, obj_new(i)));
            nobj++;
        }
    }
    /* the producer learns of it while putting (the writer is at most
     * OWRITER_CHUNKS chunks behind) */
    ck_assert_int_eq(owriter_error(w), ENOSPC);
    ck_assert_int_eq(owriter_close(w), ENOSPC);
    ck_assert_uint_eq(r.rendered, nobj); /* every object once: none leaked */
    fclose(f);

    /* the first failure is the one kept: a write error, then renders that
     * fail (out of memory) do not replace it */
    f = fopen("/dev/full", "w");
    struct rig r2 = {.producer = pthread_self(), .fail_render = true};
    w = owriter_new(f, &ops, &r2);
    for (unsigned i = 0; i < 5000; i++)
        ck_assert(owriter_put(w, line, sizeof line));
    for (unsigned i = 0; i < 10; i++)
        ck_assert(owriter_put_obj(w, obj_new(i)));
    ck_assert_int_eq(owriter_close(w), ENOSPC);
    ck_assert_uint_eq(r2.rendered, 10);
    fclose(f);
}
END_TEST

START_TEST(render_failure_is_enomem)
{
    FILE *f = tmpfile();
    struct rig r = {.producer = pthread_self(), .fail_render = true};
    struct owriter *w = owriter_new(f, &ops, &r);
    ck_assert(owriter_put(w, "a\n", 2));
    ck_assert(owriter_put_obj(w, obj_new(1)));
    ck_assert(owriter_put(w, "b\n", 2));
    ck_assert_int_eq(owriter_close(w), ENOMEM);
    size_t n;
    char *got = slurp(f, &n);
    /* what came before the failure is written, nothing after it */
    ck_assert_uint_eq(n, 2);
    ck_assert(memcmp(got, "a\n", 2) == 0);
    free(got);
    fclose(f);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("owriter");
    TCase *tc = tcase_create("owriter");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, order_kept_across_chunks_and_objects);
    tcase_add_test(tc, images_in_order_and_never_moved);
    tcase_add_test(tc, only_objects_and_empty);
    tcase_add_test(tc, write_error_is_kept_and_objects_still_rendered);
    tcase_add_test(tc, render_failure_is_enomem);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
