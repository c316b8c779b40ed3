/* extract_place: the finish step of --extract: a complete file linked under
 * its SHA-256 with its record line appended, anything else renamed under
 * partial/ after its JSON sidecar (see extract.h, "Finish"). Spec: none;
 * smbscope's own. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "extract.h"
#include "extract_int.h"
#include "sink.h"
#include "str.h"

/* the connection's stable token: 16 hex digits of SHA-256("<community_id>|<start_us>") */
static void conn_token(const struct conn_ref *c, char out[17])
{
    char in[96];
    int k = snprintf(in, sizeof in, "%s|%" PRIu64, c ? c->community_id : "", c ? c->start_us : 0);
    uint8_t d[EVP_MAX_MD_SIZE];
    unsigned dl = 0;
    if (k < 0 || EVP_Digest(in, (size_t)k, d, &dl, EVP_sha256(), NULL) != 1 || dl < 8)
        memset(d, 0, 8);
    str_hex(d, 8, out);
}

static bool is_hex64(const char *h)
{
    if (!h || strlen(h) != 64)
        return false;
    for (const char *p = h; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
            return false;
    return true;
}

static bool fsync_ok(int fd)
{
    return fsync(fd) == 0 || errno == EINVAL; /* EINVAL: a file system that cannot sync */
}

static bool write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            if (w == 0)
                errno = EIO;
            return false;
        }
        p += w;
        n -= (size_t)w;
    }
    return true;
}

/* complete: link the content under its hash (once), append the record line */
static bool place_complete(struct extract_stream *s, const char *sha, struct event *e, char *rel, size_t cap)
{
    struct extractor *x = s->x;
    char dir[16];
    snprintf(dir, sizeof dir, "sha256/%.2s", sha);
    snprintf(rel, cap, "%s/%s", dir, sha);
    /* the content is already there (linked only once synced): no sync needed */
    struct stat st;
    bool dedup = fstatat(x->dirfd, rel, &st, AT_SYMLINK_NOFOLLOW) == 0;
    if (!dedup && (!extract_fd_get(s) || !fsync_ok(s->fd) || !extract_mkdir_ok(x->dirfd, dir))) {
        extract_set_error(s, "io_error", errno);
        return false;
    }
    if (!dedup && linkat(x->dirfd, s->tmp, x->dirfd, rel, 0) != 0) {
        if (errno != EEXIST) {
            extract_set_error(s, "io_error", errno);
            return false;
        }
        dedup = true; /* the name is the content's hash: what is there is the same */
    }
    extract_drop_tmp(s);
    ev_str(e, F(extracted), rel);
    char *line = json_event_line(e, x->sensor);
    char side[144];
    snprintf(side, sizeof side, "%s.json", rel);
    int fd = openat(x->dirfd, side, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    bool ok = false;
    if (line && fd >= 0) {
        size_t n = strlen(line);
        line[n] = '\n'; /* json_event_line's terminator becomes the newline: one write() per line */
        ok = write_all(fd, line, n + 1);
    }
    int saved = errno;
    if (fd >= 0)
        close(fd);
    free(line);
    if (!ok)
        extract_set_error(s, "io_error", saved); /* the content is in place; its line is not */
    x->counts.complete++;
    x->counts.dedup += dedup;
    return true;
}

/* [start, end] as a JSON pair: every range in a sidecar is written so */
static json_t *pair_json(uint64_t a, uint64_t b) { return json_pack("[II]", (json_int_t)a, (json_int_t)b); }

static json_t *range_json(const uint64_t r[2]) { return pair_json(r[0], r[1]); }

static json_t *ranges_json(const uint64_t (*v)[2], size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, range_json(v[i]));
    return a;
}

/* holes of the disk set inside [0, limit) */
static json_t *missing_json(const struct ranges *r, uint64_t limit)
{
    json_t *a = json_array();
    uint64_t pos = 0;
    for (size_t i = 0; i < r->n && pos < limit; i++) {
        if (r->v[i][0] > pos)
            json_array_append_new(a, pair_json(pos, x_min64(r->v[i][0], limit)));
        pos = x_max64(pos, r->v[i][1]);
    }
    if (pos < limit)
        json_array_append_new(a, pair_json(pos, limit));
    return a;
}

static json_t *sidecar_json(const struct extract_stream *s, const struct extract_file_info *fi,
                            const struct event *e)
{
    json_t *o = json_object();
    char *line = json_event_line(e, s->x->sensor);
    json_t *rec = line ? json_loads(line, 0, NULL) : NULL;
    free(line);
    json_object_set_new(o, "schema", json_integer(1));
    json_object_set_new(o, "type", json_string("partial_file"));
    json_object_set_new(o, "record", rec ? rec : json_null());
    json_object_set_new(o, "size", fi->size_known ? json_integer((json_int_t)fi->size) : json_null());
    json_object_set_new(o, "seen_ranges", ranges_json((const uint64_t(*)[2])s->disk.v, s->disk.n));
    uint64_t furthest = s->disk.n ? s->disk.v[s->disk.n - 1][1] : 0;
    json_object_set_new(o, "missing_ranges", missing_json(&s->disk, fi->size_known ? fi->size : furthest));
    json_object_set_new(o, "tail_unknown", json_boolean(!fi->size_known));
    json_object_set_new(o, "no_hash_reason", fi->no_hash_reason ? json_string(fi->no_hash_reason) : json_null());
    json_object_set_new(o, "extract_error", s->error ? json_string(s->error) : json_null());
    json_t *cs = json_array();
    for (size_t i = 0; i < s->n_conflicts; i++) {
        const struct conflict *c = &s->conflicts[i];
        json_array_append_new(cs, json_pack("{s:s, s:o, s:o, s:o, s:s}", "io", c->is_write ? "write" : "read",
                                            "first", range_json(c->first), "second", range_json(c->second),
                                            "differ", range_json(c->differ), "kept", "first"));
    }
    json_object_set_new(o, "overlap_conflicts", cs);
    json_object_set_new(o, "overlap_conflicts_omitted", json_integer((json_int_t)s->conflicts_omitted));
    json_object_set_new(o, "ranges_coarse", json_boolean(s->disk.coarse));
    return o;
}

/* partial: sparse file sized to what is known, sidecar first, then the data */
static bool place_partial(struct extract_stream *s, const struct extract_file_info *fi, struct event *e,
                          uint64_t instance, char *rel, size_t cap)
{
    struct extractor *x = s->x;
    char tok[17];
    conn_token(e->conn, tok);
    snprintf(rel, cap, "partial/%s-%" PRIu64, tok, instance);
    if (!extract_fd_get(s))
        return false;
    /* extend (never shrink, never write zeros): the file's length says its size */
    struct stat st;
    if (fi->size_known && fi->size <= x->lim->extract_max_file && fstat(s->fd, &st) == 0 &&
        (uint64_t)st.st_size < fi->size && ftruncate(s->fd, (off_t)fi->size) != 0) {
        extract_set_error(s, "io_error", errno);
        return false;
    }
    if (!fsync_ok(s->fd)) {
        extract_set_error(s, "io_error", errno);
        return false;
    }
    ev_str(e, F(extracted), rel);
    if (s->error)
        ev_str(e, F(extract_error), s->error); /* the sidecar's record is the emitted one */
    json_t *o = sidecar_json(s, fi, e);
    char *text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    char side_tmp[64], side[144];
    snprintf(side_tmp, sizeof side_tmp, "%s.json", s->tmp);
    snprintf(side, sizeof side, "%s.json", rel);
    int fd = text ? openat(x->dirfd, side_tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600) : -1;
    bool ok = false;
    if (fd >= 0) {
        size_t n = strlen(text);
        text[n] = '\n';
        ok = write_all(fd, text, n + 1) && fsync_ok(fd);
    }
    int saved = text ? errno : ENOMEM;
    if (fd >= 0)
        close(fd);
    free(text);
    if (ok && renameat(x->dirfd, side_tmp, x->dirfd, side) != 0) {
        saved = errno;
        ok = false;
    }
    if (ok && renameat(x->dirfd, s->tmp, x->dirfd, rel) != 0) {
        saved = errno;
        unlinkat(x->dirfd, side, 0); /* never a sidecar naming data that is not there */
        ok = false;
    }
    if (!ok) {
        unlinkat(x->dirfd, side_tmp, 0);
        extract_set_error(s, "io_error", saved);
        return false;
    }
    extract_fd_close(s);
    s->tmp[0] = '\0'; /* renamed: nothing left to remove */
    x->counts.partial++;
    return true;
}

/* one anomaly per cause that kept this file's bytes out */
static void anomalies(struct extract_stream *s, const struct event *e, const char *rel)
{
    const struct limits *lim = s->x->lim;
    const char *where = rel ? rel : "nothing";
    if (s->over_file)
        emit_anomaly(s->x->em, e->ts_us, e->conn, "extract_file_limit",
                     "bytes at offsets from %" PRIu64 " (--extract-max-file) not extracted; extracted: %s",
                     lim->extract_max_file, where);
    if (s->over_total)
        emit_anomaly(s->x->em, e->ts_us, e->conn, "extract_total_limit",
                     "extraction budget of %" PRIu64 " bytes (--extract-max-total) spent; extracted: %s",
                     lim->extract_max_total, where);
    if (s->broken)
        emit_anomaly(s->x->em, e->ts_us, e->conn, "extract_io_error", "%s; extracted: %s", strerror(s->err_no),
                     where);
}

void extract_finish(struct extract_stream *s, const struct extract_file_info *fi, struct event *e,
                    uint64_t instance)
{
    if (!s || s->finished)
        return;
    s->finished = true;
    char rel[128];
    bool placed = false;
    bool whole = is_hex64(fi->sha256) && fi->size_known && !s->error && s->written == fi->size &&
                 (fi->size == 0 || ranges_is_exactly(&s->disk, 0, fi->size));
    if (whole) {
        placed = place_complete(s, fi->sha256, e, rel, sizeof rel);
    } else if (s->disk.n) {
        placed = place_partial(s, fi, e, instance, rel, sizeof rel);
    }
    if (!placed)
        ev_null(e, F(extracted));
    if (s->error) {
        ev_str(e, F(extract_error), s->error);
        s->x->counts.errors++;
        anomalies(s, e, placed ? rel : NULL);
    }
    extract_drop_tmp(s);
}

