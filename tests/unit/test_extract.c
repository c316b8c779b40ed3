/* Unit tests for --extract: files written as they stream, content-addressed
 * when complete, sparse with an exact sidecar otherwise, caps, crash safety.
 * Spec: the contract block in src/files/extract.h. Driven through the file tracker
 * (files.h), as the SMB1 dissector drives it. */
#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "event.h"
#include "extract.h"
#include "files.h"
#include "sink.h"

#define SHA256_EMPTY "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

/* one test's world: a fresh directory, an extractor, a pool, the anomalies */
struct world {
    char dir[64];
    struct limits lim;
    struct emitter em;
    struct extractor *x;
    struct file_pool pool;
    struct conn_ref conn;
    char anomalies[8][64];
    size_t n_anomalies;
};

static void on_emit(void *u, const struct event *e)
{
    struct world *w = u;
    ck_assert_int_eq(e->type, EV_ANOMALY);
    const struct field *f = ev_get(e, NULL, "name");
    ck_assert_ptr_nonnull(f);
    if (w->n_anomalies < 8)
        snprintf(w->anomalies[w->n_anomalies], sizeof w->anomalies[0], "%s", f->v.s);
    w->n_anomalies++;
}

static void world_init(struct world *w, struct limits lim)
{
    memset(w, 0, sizeof *w);
    snprintf(w->dir, sizeof w->dir, "/tmp/test_extract.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(w->dir));
    w->lim = lim;
    w->em.emit = on_emit;
    w->em.u = w;
    char err[256] = "";
    char sub[96];
    snprintf(sub, sizeof sub, "%s/x", w->dir); /* created by extractor_open */
    w->x = extractor_open(sub, &w->lim, &w->em, err, sizeof err);
    ck_assert_msg(w->x != NULL, "%s", err);
    snprintf(w->dir + strlen(w->dir), sizeof w->dir - strlen(w->dir), "/x");
    w->pool.lim = &w->lim;
    w->pool.ex = w->x;
    w->conn.num = 1;
    snprintf(w->conn.id, sizeof w->conn.id, "C1");
    snprintf(w->conn.community_id, sizeof w->conn.community_id, "1:m9xXnjOp9XOaMVWT8QxWIH/r5PY=");
    snprintf(w->conn.client_ip, sizeof w->conn.client_ip, "127.0.0.1");
    snprintf(w->conn.server_ip, sizeof w->conn.server_ip, "127.0.0.1");
    w->conn.client_port = 34076;
    w->conn.server_port = 445;
    w->conn.start_us = 1795337646664209ull;
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(p);
}

static void world_free(struct world *w)
{
    extractor_close(w->x);
    char top[64];
    snprintf(top, sizeof top, "%.*s", (int)(strlen(w->dir) - 2), w->dir);
    nftw(top, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* xorshift64: deterministic test data */
static uint8_t *make_buf(size_t n, uint64_t seed)
{
    uint8_t *b = malloc(n ? n : 1);
    ck_assert_ptr_nonnull(b);
    for (size_t i = 0; i < n; i++) {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        b[i] = (uint8_t)(seed >> 24);
    }
    return b;
}

static void sha256_hex(const uint8_t *p, size_t n, char out[65])
{
    uint8_t d[EVP_MAX_MD_SIZE];
    unsigned dl = 0;
    ck_assert_int_eq(EVP_Digest(p, n, d, &dl, EVP_sha256(), NULL), 1);
    for (unsigned i = 0; i < dl; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
}

/* finish f the way smb1_state.c does, into e (caller frees e) */
static void finish(struct world *w, struct file_track *f, uint64_t fid, uint64_t instance, struct event *e,
                   struct file_result *r)
{
    file_finish(f, r);
    ev_init(e, EV_FILE, 1795337646720317ull, &w->conn);
    ev_str(e, F(name), "\\evil\\..\\..\\etc\\passwd");
    ev_uint(e, F(fid), fid);
    ev_str(e, F(sha256), r->has_sha256 ? r->sha256 : NULL);
    ev_bool(e, F(complete), r->complete);
    if (!r->has_sha256)
        ev_str(e, F(no_hash_reason), r->no_hash_reason);
    file_extract(f, r, e, instance);
}

static const char *ev_s(const struct event *e, const char *name)
{
    const struct field *f = ev_get(e, NULL, name);
    ck_assert_msg(f != NULL, "no field %s", name);
    return f->kind == F_STR ? f->v.s : NULL;
}

/* the whole file DIR/rel, or NULL when absent */
static uint8_t *slurp(const struct world *w, const char *rel, size_t *n)
{
    char p[256];
    snprintf(p, sizeof p, "%s/%s", w->dir, rel);
    FILE *fp = fopen(p, "rb");
    if (!fp)
        return NULL;
    struct stat st;
    ck_assert_int_eq(fstat(fileno(fp), &st), 0);
    uint8_t *b = malloc((size_t)st.st_size + 1);
    ck_assert_ptr_nonnull(b);
    *n = fread(b, 1, (size_t)st.st_size, fp);
    ck_assert_uint_eq(*n, (size_t)st.st_size);
    b[*n] = 0;
    fclose(fp);
    return b;
}

/* regular files under DIR/sub (recursive) */
static size_t count_files(const struct world *w, const char *sub)
{
    char p[256];
    snprintf(p, sizeof p, "%s/%s", w->dir, sub);
    DIR *d = opendir(p);
    if (!d)
        return 0;
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.' && (!de->d_name[1] || (de->d_name[1] == '.' && !de->d_name[2])))
            continue;
        char q[512];
        snprintf(q, sizeof q, "%s/%s", sub, de->d_name);
        char full[768];
        snprintf(full, sizeof full, "%s/%s", w->dir, q);
        struct stat st;
        ck_assert_int_eq(lstat(full, &st), 0);
        n += S_ISDIR(st.st_mode) ? count_files(w, q) : 1;
    }
    closedir(d);
    return n;
}

static void assert_ranges(json_t *a, const uint64_t (*want)[2], size_t n)
{
    ck_assert_msg(json_is_array(a), "not an array");
    ck_assert_uint_eq(json_array_size(a), n);
    for (size_t i = 0; i < n; i++) {
        json_t *r = json_array_get(a, i);
        ck_assert_uint_eq((uint64_t)json_integer_value(json_array_get(r, 0)), want[i][0]);
        ck_assert_uint_eq((uint64_t)json_integer_value(json_array_get(r, 1)), want[i][1]);
    }
}

static json_t *sidecar(const struct world *w, const char *rel)
{
    char side[160];
    snprintf(side, sizeof side, "%s.json", rel);
    size_t n;
    uint8_t *b = slurp(w, side, &n);
    ck_assert_msg(b != NULL, "no sidecar %s", side);
    json_error_t je;
    json_t *o = json_loads((const char *)b, 0, &je);
    ck_assert_msg(o != NULL, "sidecar: %s", je.text);
    free(b);
    return o;
}

/* a complete file: under sha256/xx/<hash>, content exact, its line = the record line */
static void assert_complete(const struct world *w, const struct event *e, const uint8_t *want, size_t n)
{
    char h[65], rel[128];
    sha256_hex(want, n, h);
    snprintf(rel, sizeof rel, "sha256/%.2s/%s", h, h);
    ck_assert_str_eq(ev_s(e, "extracted"), rel);
    ck_assert(!ev_has(e, F(extract_error)));
    size_t got_n;
    uint8_t *got = slurp(w, rel, &got_n);
    ck_assert_msg(got != NULL, "%s missing", rel);
    ck_assert_uint_eq(got_n, n);
    ck_assert(n == 0 || memcmp(got, want, n) == 0);
    free(got);
    char side[160];
    snprintf(side, sizeof side, "%s.json", rel);
    uint8_t *lines = slurp(w, side, &got_n);
    ck_assert_ptr_nonnull(lines);
    char *line = json_event_line(e, NULL);
    ck_assert_ptr_nonnull(line);
    /* the last line appended is exactly this record's line */
    size_t ln = strlen(line);
    ck_assert_uint_ge(got_n, ln + 1);
    ck_assert_int_eq(lines[got_n - 1], '\n');
    ck_assert(memcmp(lines + got_n - 1 - ln, line, ln) == 0);
    free(line);
    free(lines);
}

START_TEST(in_order)
{
    struct world w;
    world_init(&w, limits_default());
    size_t n = 200000;
    uint8_t *b = make_buf(n, 1);
    struct file_track *f = file_new(&w.pool);
    file_set_size(f, n);
    for (size_t off = 0; off < n; off += 4096)
        file_data(f, FILE_READ, off, b + off, off + 4096 <= n ? 4096 : n - off);
    struct event e;
    struct file_result r;
    finish(&w, f, 7, 1, &e, &r);
    ck_assert(r.has_sha256);
    assert_complete(&w, &e, b, n);
    ck_assert_uint_eq(count_files(&w, "sha256"), 2);
    ck_assert_uint_eq(count_files(&w, "partial"), 0);
    ck_assert_uint_eq(count_files(&w, ".tmp"), 0);
    ck_assert_uint_eq(extractor_counts(w.x)->bytes, n);
    ck_assert_uint_eq(w.n_anomalies, 0);
    ev_free(&e);
    file_result_free(&r);
    file_free(f);
    free(b);
    world_free(&w);
}
END_TEST

START_TEST(out_of_order)
{
    struct world w;
    world_init(&w, limits_default());
    size_t n = 100000, piece = 3000;
    uint8_t *b = make_buf(n, 2);
    struct file_track *f = file_new(&w.pool);
    file_set_size(f, n);
    /* last piece first, then every odd piece, then every even one */
    for (int pass = 0; pass < 2; pass++)
        for (size_t k = n / piece + 1; k-- > 0;) {
            size_t off = k * piece;
            if (off >= n || (k % 2) != (size_t)pass)
                continue;
            file_data(f, FILE_WRITE, off, b + off, off + piece <= n ? piece : n - off);
        }
    struct event e;
    struct file_result r;
    finish(&w, f, 7, 1, &e, &r);
    ck_assert(r.has_sha256);
    assert_complete(&w, &e, b, n);
    ev_free(&e);
    file_result_free(&r);
    file_free(f);
    free(b);
    world_free(&w);
}
END_TEST

static void partial_name(const struct world *w, uint64_t instance, char *rel, size_t cap)
{
    /* 16 hex digits of SHA-256("<community_id>|<start_us>") */
    char in[96], h[65];
    int k = snprintf(in, sizeof in, "%s|%llu", w->conn.community_id, (unsigned long long)w->conn.start_us);
    sha256_hex((const uint8_t *)in, (size_t)k, h);
    snprintf(rel, cap, "partial/%.16s-%llu", h, (unsigned long long)instance);
}

START_TEST(gap)
{
    struct world w;
    world_init(&w, limits_default());
    size_t n = 1 << 20, hole_a = 65536, hole_b = 1000000;
    uint8_t *b = make_buf(n, 3);
    struct file_track *f = file_new(&w.pool);
    file_set_size(f, n);
    file_data(f, FILE_READ, 0, b, hole_a);
    file_missing(f, FILE_READ, hole_a, hole_b - hole_a);
    file_data(f, FILE_READ, hole_b, b + hole_b, n - hole_b);

    /* nothing under a final name before the finish */
    ck_assert_uint_eq(count_files(&w, "sha256") + count_files(&w, "partial"), 0);
    ck_assert_uint_eq(count_files(&w, ".tmp"), 1);

    struct event e;
    struct file_result r;
    finish(&w, f, 9, 3, &e, &r);
    ck_assert(!r.has_sha256);
    char rel[128];
    partial_name(&w, 3, rel, sizeof rel);
    ck_assert_str_eq(ev_s(&e, "extracted"), rel);
    ck_assert(!ev_has(&e, F(extract_error)));
    size_t got_n;
    uint8_t *got = slurp(&w, rel, &got_n);
    ck_assert_ptr_nonnull(got);
    ck_assert_uint_eq(got_n, n);
    ck_assert(memcmp(got, b, hole_a) == 0);
    ck_assert(memcmp(got + hole_b, b + hole_b, n - hole_b) == 0);
    free(got);
    /* sparse: the hole takes no disk blocks (never zero-filled by writing) */
    char full[256];
    snprintf(full, sizeof full, "%s/%s", w.dir, rel);
    struct stat st;
    ck_assert_int_eq(stat(full, &st), 0);
    ck_assert_msg((uint64_t)st.st_blocks * 512 < (hole_a + (n - hole_b)) * 2, "blocks %lld",
                  (long long)st.st_blocks);
    ck_assert_int_eq(st.st_mode & 0777, 0600);

    json_t *o = sidecar(&w, rel);
    ck_assert_str_eq(json_string_value(json_object_get(o, "type")), "partial_file");
    ck_assert_uint_eq((uint64_t)json_integer_value(json_object_get(o, "size")), n);
    const uint64_t seen[][2] = {{0, 65536}, {1000000, 1048576}};
    const uint64_t missing[][2] = {{65536, 1000000}};
    assert_ranges(json_object_get(o, "seen_ranges"), seen, 2);
    assert_ranges(json_object_get(o, "missing_ranges"), missing, 1);
    ck_assert(json_is_false(json_object_get(o, "tail_unknown")));
    ck_assert_str_eq(json_string_value(json_object_get(o, "no_hash_reason")), "capture_gap");
    ck_assert(json_is_null(json_object_get(o, "extract_error")));
    ck_assert_uint_eq(json_array_size(json_object_get(o, "overlap_conflicts")), 0);
    /* the record inside is the emitted record */
    json_t *rec = json_object_get(o, "record");
    ck_assert_str_eq(json_string_value(json_object_get(rec, "extracted")), rel);
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(rec, "conn"), "id")), "C1");
    json_decref(o);
    ck_assert_uint_eq(count_files(&w, ".tmp"), 0);
    ck_assert_uint_eq(count_files(&w, "sha256"), 0);
    ev_free(&e);
    file_result_free(&r);
    file_free(f);
    free(b);
    world_free(&w);
}
END_TEST

START_TEST(size_unknown)
{
    struct world w;
    world_init(&w, limits_default());
    uint8_t *b = make_buf(300, 4);
    struct file_track *f = file_new(&w.pool);
    file_data(f, FILE_READ, 200, b + 200, 100);
    file_data(f, FILE_READ, 0, b, 100);
    struct event e;
    struct file_result r;
    finish(&w, f, 9, 4, &e, &r);
    char rel[128];
    partial_name(&w, 4, rel, sizeof rel);
    ck_assert_str_eq(ev_s(&e, "extracted"), rel);
    json_t *o = sidecar(&w, rel);
    ck_assert(json_is_null(json_object_get(o, "size")));
    const uint64_t seen[][2] = {{0, 100}, {200, 300}};
    const uint64_t missing[][2] = {{100, 200}};
    assert_ranges(json_object_get(o, "seen_ranges"), seen, 2);
    assert_ranges(json_object_get(o, "missing_ranges"), missing, 1);
    ck_assert(json_is_true(json_object_get(o, "tail_unknown")));
    ck_assert_str_eq(json_string_value(json_object_get(o, "no_hash_reason")), "size_unknown");
    json_decref(o);
    ev_free(&e);
    file_result_free(&r);
    file_free(f);
    free(b);
    world_free(&w);
}
END_TEST

START_TEST(overlap_conflict)
{
    struct world w;
    world_init(&w, limits_default());
    uint8_t *a = make_buf(300, 5);
    uint8_t *b2 = malloc(300);
    memcpy(b2, a, 300);
    for (int i = 150; i < 160; i++)
        b2[i] ^= 0x5a; /* the second copy differs at [150, 160) */
    for (int i = 200; i < 300; i++)
        b2[i] ^= 0x33; /* and brings new bytes [200, 300) the first copy never had */
    struct file_track *f = file_new(&w.pool);
    file_set_size(f, 300);
    file_data(f, FILE_READ, 0, a, 200);
    file_chunk(f, FILE_READ, 100, 200);
    file_data(f, FILE_READ, 100, b2 + 100, 120); /* in two pieces: one conflict */
    file_data(f, FILE_READ, 220, b2 + 220, 80);
    struct event e;
    struct file_result r;
    finish(&w, f, 9, 5, &e, &r);
    ck_assert(!r.has_sha256);
    ck_assert(r.overlap_conflict);
    char rel[128];
    partial_name(&w, 5, rel, sizeof rel);
    ck_assert_str_eq(ev_s(&e, "extracted"), rel);
    size_t n;
    uint8_t *got = slurp(&w, rel, &n);
    ck_assert_uint_eq(n, 300);
    ck_assert(memcmp(got, a, 200) == 0);              /* the first copy was kept */
    ck_assert(memcmp(got + 200, b2 + 200, 100) == 0); /* new bytes from the second */
    free(got);
    json_t *o = sidecar(&w, rel);
    json_t *cs = json_object_get(o, "overlap_conflicts");
    ck_assert_uint_eq(json_array_size(cs), 1);
    json_t *c = json_array_get(cs, 0);
    const uint64_t first[][2] = {{100, 200}}, second[][2] = {{100, 300}}, differ[][2] = {{150, 160}};
    json_t *one = json_array();
    json_array_append(one, json_object_get(c, "first"));
    assert_ranges(one, first, 1);
    json_array_clear(one);
    json_array_append(one, json_object_get(c, "second"));
    assert_ranges(one, second, 1);
    json_array_clear(one);
    json_array_append(one, json_object_get(c, "differ"));
    assert_ranges(one, differ, 1);
    json_decref(one);
    ck_assert_str_eq(json_string_value(json_object_get(c, "kept")), "first");
    ck_assert_str_eq(json_string_value(json_object_get(c, "io")), "read");
    ck_assert_str_eq(json_string_value(json_object_get(o, "no_hash_reason")), "overlap_conflict");
    assert_ranges(json_object_get(o, "missing_ranges"), NULL, 0);
    json_decref(o);
    ev_free(&e);
    file_result_free(&r);
    file_free(f);
    free(a);
    free(b2);
    world_free(&w);
}
END_TEST

START_TEST(agreeing_overlap_is_no_conflict)
{
    struct world w;
    world_init(&w, limits_default());
    uint8_t *a = make_buf(5000, 6);
    struct file_track *f = file_new(&w.pool);
    file_set_size(f, 5000);
    file_data(f, FILE_READ, 0, a, 3000);
    file_data(f, FILE_READ, 1000, a + 1000, 4000); /* a re-read that agrees */
    struct event e;
    struct file_result r;
    finish(&w, f, 9, 1, &e, &r);
    ck_assert(r.has_sha256);
    assert_complete(&w, &e, a, 5000);
    ck_assert_uint_eq(extractor_counts(w.x)->bytes, 5000); /* overlapping bytes written once */
    ev_free(&e);
    file_result_free(&r);
    file_free(f);
    free(a);
    world_free(&w);
}
END_TEST

START_TEST(file_cap)
{
    struct limits lim = limits_default();
    lim.extract_max_file = 1000;
    struct world w;
    world_init(&w, lim);
    uint8_t *b = make_buf(3000, 7);
    struct file_track *f = file_new(&w.pool);
    file_set_size(f, 3000);
    file_data(f, FILE_READ, 0, b, 3000);
    struct event e;
    struct file_result r;
    finish(&w, f, 9, 2, &e, &r);
    ck_assert(r.has_sha256); /* analysis is unaffected */
    char rel[128];
    partial_name(&w, 2, rel, sizeof rel);
    ck_assert_str_eq(ev_s(&e, "extracted"), rel);
    ck_assert_str_eq(ev_s(&e, "extract_error"), "file_limit");
    ck_assert_uint_eq(w.n_anomalies, 1);
    ck_assert_str_eq(w.anomalies[0], "extract_file_limit");
    size_t n;
    uint8_t *got = slurp(&w, rel, &n);
    ck_assert_uint_eq(n, 1000); /* never longer than the cap, even to say the size */
    ck_assert(memcmp(got, b, 1000) == 0);
    free(got);
    json_t *o = sidecar(&w, rel);
    const uint64_t missing[][2] = {{1000, 3000}};
    assert_ranges(json_object_get(o, "missing_ranges"), missing, 1);
    ck_assert_str_eq(json_string_value(json_object_get(o, "extract_error")), "file_limit");
    json_decref(o);
    ck_assert_uint_eq(count_files(&w, "sha256"), 0);
    ev_free(&e);
    file_result_free(&r);
    file_free(f);
    free(b);
    world_free(&w);
}
END_TEST

START_TEST(total_cap)
{
    struct limits lim = limits_default();
    lim.extract_max_total = 5000;
    struct world w;
    world_init(&w, lim);
    uint8_t *b = make_buf(4000, 8);
    struct file_track *f1 = file_new(&w.pool), *f2 = file_new(&w.pool), *f3 = file_new(&w.pool);
    file_set_size(f1, 2000);
    file_set_size(f2, 4000);
    file_set_size(f3, 1000);
    file_data(f1, FILE_READ, 0, b, 2000);
    file_data(f2, FILE_READ, 0, b, 4000);
    file_data(f3, FILE_READ, 0, b, 1000);
    struct event e1, e2, e3;
    struct file_result r1, r2, r3;
    finish(&w, f1, 1, 1, &e1, &r1);
    finish(&w, f2, 2, 2, &e2, &r2);
    finish(&w, f3, 3, 3, &e3, &r3);
    assert_complete(&w, &e1, b, 2000);
    char rel[128];
    partial_name(&w, 2, rel, sizeof rel);
    ck_assert_str_eq(ev_s(&e2, "extracted"), rel);
    ck_assert_str_eq(ev_s(&e2, "extract_error"), "total_limit");
    json_t *o = sidecar(&w, rel);
    const uint64_t seen[][2] = {{0, 3000}};
    assert_ranges(json_object_get(o, "seen_ranges"), seen, 1);
    json_decref(o);
    /* nothing left for the third: no file at all, and the record says why */
    ck_assert_ptr_null(ev_s(&e3, "extracted"));
    ck_assert_str_eq(ev_s(&e3, "extract_error"), "total_limit");
    ck_assert_uint_eq(extractor_counts(w.x)->bytes, 5000);
    ck_assert_uint_eq(w.n_anomalies, 2);
    ck_assert_str_eq(w.anomalies[0], "extract_total_limit");
    ck_assert_str_eq(w.anomalies[1], "extract_total_limit");
    ck_assert_uint_eq(count_files(&w, "partial"), 2);
    ck_assert_uint_eq(count_files(&w, ".tmp"), 0);
    struct event *es[] = {&e1, &e2, &e3};
    struct file_result *rs[] = {&r1, &r2, &r3};
    struct file_track *fs[] = {f1, f2, f3};
    for (int i = 0; i < 3; i++) {
        ev_free(es[i]);
        file_result_free(rs[i]);
        file_free(fs[i]);
    }
    free(b);
    world_free(&w);
}
END_TEST

/* a write error (here EFBIG from RLIMIT_FSIZE, as ENOSPC would be): the
 * record says so, the analysis is unchanged, the next file is extracted */
START_TEST(write_error)
{
    struct world w;
    world_init(&w, limits_default());
    signal(SIGXFSZ, SIG_IGN);
    struct rlimit rl = {.rlim_cur = 4096, .rlim_max = RLIM_INFINITY};
    ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &rl), 0); /* Check runs each test in its own process */
    uint8_t *b = make_buf(10000, 14);
    struct file_track *f = file_new(&w.pool);
    file_set_size(f, 10000);
    file_data(f, FILE_READ, 0, b, 10000);
    struct event e;
    struct file_result r;
    finish(&w, f, 9, 1, &e, &r);
    ck_assert(r.has_sha256);
    ck_assert_str_eq(ev_s(&e, "extract_error"), "io_error");
    ck_assert_uint_eq(w.n_anomalies, 1);
    ck_assert_str_eq(w.anomalies[0], "extract_io_error");
    ck_assert_uint_eq(count_files(&w, "sha256"), 0);
    ck_assert_uint_eq(count_files(&w, ".tmp"), 0);
    struct file_track *g = file_new(&w.pool);
    file_set_size(g, 100);
    file_data(g, FILE_READ, 0, b, 100);
    struct event e2;
    struct file_result r2;
    finish(&w, g, 10, 2, &e2, &r2);
    assert_complete(&w, &e2, b, 100);
    ev_free(&e);
    ev_free(&e2);
    file_result_free(&r);
    file_result_free(&r2);
    file_free(f);
    file_free(g);
    free(b);
    world_free(&w);
}
END_TEST

START_TEST(zero_byte_file)
{
    struct world w;
    world_init(&w, limits_default());
    struct file_track *f = file_new(&w.pool);
    file_set_size(f, 0);
    struct event e;
    struct file_result r;
    finish(&w, f, 9, 1, &e, &r);
    ck_assert(r.has_sha256);
    ck_assert_str_eq(r.sha256, SHA256_EMPTY);
    assert_complete(&w, &e, (const uint8_t *)"", 0);
    ck_assert_str_eq(ev_s(&e, "extracted"), "sha256/e3/" SHA256_EMPTY);
    ev_free(&e);
    file_result_free(&r);
    file_free(f);
    world_free(&w);
}
END_TEST

START_TEST(nothing_seen_nothing_written)
{
    struct world w;
    world_init(&w, limits_default());
    struct file_track *f = file_new(&w.pool);
    file_set_size(f, 500); /* opened, never read */
    struct file_track *g = file_new(&w.pool); /* size unknown, no data (a pipe) */
    struct event e, e2;
    struct file_result r, r2;
    finish(&w, f, 9, 1, &e, &r);
    finish(&w, g, 10, 2, &e2, &r2);
    ck_assert_ptr_null(ev_s(&e, "extracted"));
    ck_assert_ptr_null(ev_s(&e2, "extracted"));
    ck_assert(!ev_has(&e, F(extract_error)));
    ck_assert(!ev_has(&e2, F(extract_error)));
    ck_assert_uint_eq(count_files(&w, ""), 0);
    ev_free(&e);
    ev_free(&e2);
    file_result_free(&r);
    file_result_free(&r2);
    file_free(f);
    file_free(g);
    world_free(&w);
}
END_TEST

START_TEST(same_content_twice)
{
    struct world w;
    world_init(&w, limits_default());
    uint8_t *b = make_buf(10000, 9);
    struct file_track *f = file_new(&w.pool), *g = file_new(&w.pool);
    file_set_size(f, 10000);
    file_set_size(g, 10000);
    file_data(f, FILE_READ, 0, b, 10000);
    file_data(g, FILE_WRITE, 0, b, 10000);
    struct event e, e2;
    struct file_result r, r2;
    finish(&w, f, 1, 1, &e, &r);
    finish(&w, g, 2, 2, &e2, &r2);
    assert_complete(&w, &e2, b, 10000);
    ck_assert_str_eq(ev_s(&e, "extracted"), ev_s(&e2, "extracted"));
    ck_assert_uint_eq(count_files(&w, "sha256"), 2); /* one content file, one sidecar */
    char side[160];
    snprintf(side, sizeof side, "%s.json", ev_s(&e, "extracted"));
    size_t n;
    uint8_t *lines = slurp(&w, side, &n);
    char *l1 = json_event_line(&e, NULL), *l2 = json_event_line(&e2, NULL);
    char want[4096];
    snprintf(want, sizeof want, "%s\n%s\n", l1, l2);
    ck_assert_str_eq((const char *)lines, want);
    free(l1);
    free(l2);
    free(lines);
    ck_assert_uint_eq(extractor_counts(w.x)->complete, 2);
    ck_assert_uint_eq(extractor_counts(w.x)->dedup, 1);
    ck_assert_uint_eq(count_files(&w, ".tmp"), 0);
    ev_free(&e);
    ev_free(&e2);
    file_result_free(&r);
    file_result_free(&r2);
    file_free(f);
    file_free(g);
    free(b);
    world_free(&w);
}
END_TEST

START_TEST(unfinished_leaves_no_final_name)
{
    struct world w;
    world_init(&w, limits_default());
    uint8_t *b = make_buf(1000, 10);
    struct file_track *f = file_new(&w.pool);
    file_set_size(f, 1000);
    file_data(f, FILE_READ, 0, b, 1000); /* whole, but never finished */
    ck_assert_uint_eq(count_files(&w, ".tmp"), 1);
    ck_assert_uint_eq(count_files(&w, "sha256") + count_files(&w, "partial"), 0);
    file_free(f);
    ck_assert_uint_eq(count_files(&w, ""), 0); /* the temp file went with it */
    free(b);
    world_free(&w);
}
END_TEST

static size_t open_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    ck_assert_ptr_nonnull(d);
    size_t n = 0;
    while (readdir(d))
        n++;
    closedir(d);
    return n;
}

START_TEST(tail_missing_keeps_size)
{
    struct world w;
    world_init(&w, limits_default());
    uint8_t *b = make_buf(4000, 13);
    struct file_track *f = file_new(&w.pool);
    file_set_size(f, 10000);
    file_data(f, FILE_READ, 0, b, 4000);
    struct event e;
    struct file_result r;
    finish(&w, f, 9, 6, &e, &r);
    char rel[128];
    partial_name(&w, 6, rel, sizeof rel);
    ck_assert_str_eq(ev_s(&e, "extracted"), rel);
    size_t n;
    uint8_t *got = slurp(&w, rel, &n);
    ck_assert_uint_eq(n, 10000); /* the length says the size; the tail is a hole */
    ck_assert(memcmp(got, b, 4000) == 0);
    free(got);
    json_t *o = sidecar(&w, rel);
    const uint64_t missing[][2] = {{4000, 10000}};
    assert_ranges(json_object_get(o, "missing_ranges"), missing, 1);
    ck_assert_str_eq(json_string_value(json_object_get(o, "no_hash_reason")), "incomplete");
    json_decref(o);
    ev_free(&e);
    file_result_free(&r);
    file_free(f);
    free(b);
    world_free(&w);
}
END_TEST

START_TEST(descriptor_cap)
{
    struct limits lim = limits_default();
    lim.extract_max_fds = 1;
    struct world w;
    world_init(&w, lim);
    uint8_t *a = make_buf(8000, 11), *b = make_buf(8000, 12);
    struct file_track *f = file_new(&w.pool), *g = file_new(&w.pool);
    file_set_size(f, 8000);
    file_set_size(g, 8000);
    size_t before = open_fds();
    for (size_t off = 0; off < 8000; off += 1000) { /* interleaved: each write reopens */
        file_data(f, FILE_READ, off, a + off, 1000);
        file_data(g, FILE_READ, off, b + off, 1000);
        ck_assert_uint_le(open_fds(), before + 1);
    }
    struct event e, e2;
    struct file_result r, r2;
    finish(&w, f, 1, 1, &e, &r);
    finish(&w, g, 2, 2, &e2, &r2);
    assert_complete(&w, &e, a, 8000);
    assert_complete(&w, &e2, b, 8000);
    ev_free(&e);
    ev_free(&e2);
    file_result_free(&r);
    file_result_free(&r2);
    file_free(f);
    file_free(g);
    free(a);
    free(b);
    world_free(&w);
}
END_TEST

START_TEST(no_extractor_adds_nothing)
{
    struct limits lim = limits_default();
    struct file_pool pool = {.lim = &lim};
    struct file_track *f = file_new(&pool);
    file_set_size(f, 3);
    file_data(f, FILE_READ, 0, (const uint8_t *)"abc", 3);
    struct file_result r;
    file_finish(f, &r);
    struct event e;
    ev_init(&e, EV_FILE, 0, NULL);
    file_extract(f, &r, &e, 1);
    ck_assert(!ev_has(&e, F(extracted)));
    ck_assert(!ev_has(&e, F(extract_error)));
    ev_free(&e);
    file_result_free(&r);
    file_free(f);
}
END_TEST

START_TEST(unusable_dir)
{
    struct limits lim = limits_default();
    struct emitter em = {0};
    char err[256] = "";
    ck_assert_ptr_null(extractor_open("/proc/version/x", &lim, &em, err, sizeof err));
    ck_assert(strstr(err, "/proc/version/x") != NULL);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("extract");
    TCase *t = tcase_create("core");
    tcase_add_test(t, in_order);
    tcase_add_test(t, out_of_order);
    tcase_add_test(t, gap);
    tcase_add_test(t, size_unknown);
    tcase_add_test(t, tail_missing_keeps_size);
    tcase_add_test(t, overlap_conflict);
    tcase_add_test(t, agreeing_overlap_is_no_conflict);
    tcase_add_test(t, file_cap);
    tcase_add_test(t, total_cap);
    tcase_add_test(t, write_error);
    tcase_add_test(t, zero_byte_file);
    tcase_add_test(t, nothing_seen_nothing_written);
    tcase_add_test(t, same_content_twice);
    tcase_add_test(t, unfinished_leaves_no_final_name);
    tcase_add_test(t, descriptor_cap);
    tcase_add_test(t, no_extractor_adds_nothing);
    tcase_add_test(t, unusable_dir);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
