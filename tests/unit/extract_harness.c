/* extract_harness: --extract test scaffolding (see extract_harness.h).
 * Spec: the contract block in src/files/extract.h. */
#include "extract_harness.h"

#include <check.h>
#include <dirent.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sink.h"

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

void world_init(struct world *w, struct limits lim)
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

void world_free(struct world *w)
{
    extractor_close(w->x);
    char top[64];
    snprintf(top, sizeof top, "%.*s", (int)(strlen(w->dir) - 2), w->dir);
    nftw(top, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

void xf_new(struct world *w, struct xfile *x, int64_t size)
{
    memset(x, 0, sizeof *x);
    x->f = file_new(&w->pool);
    ck_assert_ptr_nonnull(x->f);
    if (size >= 0)
        file_set_size(x->f, (uint64_t)size);
}

void xf_finish(struct world *w, struct xfile *x, uint64_t fid, uint64_t instance)
{
    file_finish(x->f, &x->r);
    ev_init(&x->e, EV_FILE, 1795337646720317ull, &w->conn);
    ev_str(&x->e, F(name), "\\evil\\..\\..\\etc\\passwd");
    ev_uint(&x->e, F(fid), fid);
    ev_str(&x->e, F(sha256), x->r.has_sha256 ? x->r.sha256 : NULL);
    ev_bool(&x->e, F(complete), x->r.complete);
    if (!x->r.has_sha256)
        ev_str(&x->e, F(no_hash_reason), x->r.no_hash_reason);
    file_extract(x->f, &x->r, &x->e, instance);
}

void xf_free(struct xfile *x)
{
    ev_free(&x->e);
    file_result_free(&x->r);
    file_free(x->f);
}

const char *ev_s(const struct event *e, const char *name)
{
    const struct field *f = ev_get(e, NULL, name);
    ck_assert_msg(f != NULL, "no field %s", name);
    return f->kind == F_STR ? f->v.s : NULL;
}

uint8_t *slurp(const struct world *w, const char *rel, size_t *n)
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

uint8_t *slurp_n(const struct world *w, const char *rel, size_t want_n)
{
    size_t n;
    uint8_t *b = slurp(w, rel, &n);
    ck_assert_msg(b != NULL, "%s missing", rel);
    ck_assert_uint_eq(n, want_n);
    return b;
}

size_t count_files(const struct world *w, const char *sub)
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

void partial_name(const struct world *w, uint64_t instance, char *rel, size_t cap)
{
    /* 16 hex digits of SHA-256("<community_id>|<start_us>") */
    char in[96], h[65];
    int k = snprintf(in, sizeof in, "%s|%llu", w->conn.community_id, (unsigned long long)w->conn.start_us);
    sha256_hex((const uint8_t *)in, (size_t)k, h);
    snprintf(rel, cap, "partial/%.16s-%llu", h, (unsigned long long)instance);
}

void assert_partial(const struct world *w, const struct event *e, uint64_t instance, char *rel, size_t cap)
{
    partial_name(w, instance, rel, cap);
    ck_assert_str_eq(ev_s(e, "extracted"), rel);
}

void assert_complete(const struct world *w, const struct event *e, const uint8_t *want, size_t n)
{
    char h[65], rel[128];
    sha256_hex(want, n, h);
    snprintf(rel, sizeof rel, "sha256/%.2s/%s", h, h);
    ck_assert_str_eq(ev_s(e, "extracted"), rel);
    ck_assert(!ev_has(e, F(extract_error)));
    uint8_t *got = slurp_n(w, rel, n);
    ck_assert(n == 0 || memcmp(got, want, n) == 0);
    free(got);
    char side[160];
    snprintf(side, sizeof side, "%s.json", rel);
    size_t got_n;
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

json_t *sidecar(const struct world *w, const char *rel)
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

void assert_ranges(json_t *a, const uint64_t (*want)[2], size_t n)
{
    ck_assert_msg(json_is_array(a), "not an array");
    ck_assert_uint_eq(json_array_size(a), n);
    for (size_t i = 0; i < n; i++)
        assert_range(json_array_get(a, i), want[i][0], want[i][1]);
}

void assert_range(json_t *r, uint64_t a, uint64_t b)
{
    ck_assert_uint_eq((uint64_t)json_integer_value(json_array_get(r, 0)), a);
    ck_assert_uint_eq((uint64_t)json_integer_value(json_array_get(r, 1)), b);
}
