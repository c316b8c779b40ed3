/* extract: file content written under --extract DIR as it streams by (see
 * extract.h for the layout and the rules). Spec: none; smbscope's own. */
#include "extract.h"

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

#include "files.h"
#include "ranges.h"
#include "sink.h"

struct conflict {
    bool is_write;
    uint64_t first[2], second[2], differ[2];
};

struct extract_stream {
    struct extractor *x;
    char tmp[48];               /* ".tmp/<pid>-<n>", empty until the first byte */
    int fd;                     /* -1 when closed (not created yet, or evicted) */
    struct extract_stream *lru_prev, *lru_next;  /* streams with an open fd, most recent first */
    struct ranges disk;         /* bytes written to the temp file */
    uint64_t written;           /* sum of the bytes written (writes never overlap) */
    const char *error;          /* the first extract_error: "file_limit", "total_limit", "io_error" */
    bool over_file, over_total; /* each cap that kept bytes out */
    bool broken;                /* a write or read failed: this stream writes no more */
    int err_no;                 /* for io_error */
    struct conflict conflicts[EXTRACT_CONFLICTS_MAX];
    size_t n_conflicts;
    uint64_t conflicts_omitted;
    bool finished;
};

struct extractor {
    const struct limits *lim;
    const struct emitter *em;
    int dirfd;
    long pid;
    uint64_t tmp_serial;        /* temp names: <pid>-<serial> */
    struct extract_stream *lru_head, *lru_tail;
    size_t n_fds;
    size_t n_streams;
    struct extract_counts counts;
    const char *sensor;
};

void extractor_set_sensor(struct extractor *x, const char *sensor) { x->sensor = sensor; }

static uint64_t min64(uint64_t a, uint64_t b) { return a < b ? a : b; }
static uint64_t max64(uint64_t a, uint64_t b) { return a > b ? a : b; }

/* mkdir that accepts an existing directory */
static bool mkdir_ok(int dirfd, const char *name)
{
    return mkdirat(dirfd, name, 0700) == 0 || errno == EEXIST;
}

struct extractor *extractor_open(const char *dir, const struct limits *lim, const struct emitter *em,
                                 char *err, size_t errlen)
{
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        snprintf(err, errlen, "--extract %s: %s", dir, strerror(errno));
        return NULL;
    }
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "--extract %s: %s", dir, strerror(errno));
        return NULL;
    }
    static const char *const sub[] = {".tmp", "sha256", "partial"};
    for (size_t i = 0; i < sizeof sub / sizeof sub[0]; i++) {
        if (!mkdir_ok(fd, sub[i])) {
            snprintf(err, errlen, "--extract %s/%s: %s", dir, sub[i], strerror(errno));
            close(fd);
            return NULL;
        }
    }
    struct extractor *x = calloc(1, sizeof *x);
    if (!x) {
        snprintf(err, errlen, "out of memory");
        close(fd);
        return NULL;
    }
    x->lim = lim;
    x->em = em;
    x->dirfd = fd;
    x->pid = (long)getpid();
    return x;
}

const struct extract_counts *extractor_counts(const struct extractor *x) { return &x->counts; }

void extractor_close(struct extractor *x)
{
    if (!x)
        return;
    close(x->dirfd);
    free(x);
}

struct extract_stream *extract_stream_new(struct extractor *x)
{
    if (!x)
        return NULL;
    struct extract_stream *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->x = x;
    s->fd = -1;
    ranges_init(&s->disk, FILE_RANGES_MAX);
    x->n_streams++;
    return s;
}

/* ---- descriptors: at most lim->extract_max_fds open, least recent closed -- */

static void lru_unlink(struct extract_stream *s)
{
    struct extractor *x = s->x;
    if (s->lru_prev)
        s->lru_prev->lru_next = s->lru_next;
    else
        x->lru_head = s->lru_next;
    if (s->lru_next)
        s->lru_next->lru_prev = s->lru_prev;
    else
        x->lru_tail = s->lru_prev;
    s->lru_prev = s->lru_next = NULL;
}

static void lru_front(struct extract_stream *s)
{
    struct extractor *x = s->x;
    s->lru_next = x->lru_head;
    if (x->lru_head)
        x->lru_head->lru_prev = s;
    x->lru_head = s;
    if (!x->lru_tail)
        x->lru_tail = s;
}

static void fd_close(struct extract_stream *s)
{
    if (s->fd < 0)
        return;
    close(s->fd);
    s->fd = -1;
    lru_unlink(s);
    s->x->n_fds--;
}

static void set_error(struct extract_stream *s, const char *why, int err_no)
{
    if (!s->error)
        s->error = why;
    if (strcmp(why, "file_limit") == 0) {
        s->over_file = true;
    } else if (strcmp(why, "total_limit") == 0) {
        s->over_total = true;
    } else if (!s->broken) {
        /* a failed write may have left some bytes it does not record: the
         * file is not trusted with more */
        s->broken = true;
        s->err_no = err_no;
    }
}

/* the stream's temp file, open (created at the first call); false on error */
static bool fd_get(struct extract_stream *s)
{
    struct extractor *x = s->x;
    if (s->fd >= 0) {
        if (x->lru_head != s) {
            lru_unlink(s);
            lru_front(s);
        }
        return true;
    }
    size_t max = x->lim->extract_max_fds ? x->lim->extract_max_fds : 1;
    while (x->n_fds >= max && x->lru_tail)
        fd_close(x->lru_tail);
    if (s->tmp[0]) {
        s->fd = openat(x->dirfd, s->tmp, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
    } else {
        /* a name left by a killed run with the same pid is skipped, never reused */
        for (int tries = 0; tries < 64 && s->fd < 0; tries++) {
            snprintf(s->tmp, sizeof s->tmp, ".tmp/%ld-%" PRIu64, x->pid, ++x->tmp_serial);
            s->fd = openat(x->dirfd, s->tmp, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
            if (s->fd < 0 && errno != EEXIST)
                break;
        }
        if (s->fd < 0)
            s->tmp[0] = '\0';
    }
    if (s->fd < 0) {
        set_error(s, "io_error", errno);
        return false;
    }
    x->n_fds++;
    lru_front(s);
    return true;
}

/* ---- writing ------------------------------------------------------------- */

static bool pwrite_all(int fd, const uint8_t *p, size_t n, uint64_t off)
{
    while (n) {
        ssize_t w = pwrite(fd, p, n, (off_t)off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            if (w == 0)
                errno = EIO;
            return false;
        }
        p += w;
        n -= (size_t)w;
        off += (uint64_t)w;
    }
    return true;
}

/* write [off, off+n) that is not on disk yet, within the run's budget */
static void write_new(struct extract_stream *s, uint64_t off, const uint8_t *p, size_t n)
{
    struct extractor *x = s->x;
    uint64_t budget = x->lim->extract_max_total;
    uint64_t room = budget > x->counts.bytes ? budget - x->counts.bytes : 0;
    if (n > room) {
        set_error(s, "total_limit", 0);
        n = (size_t)room;
    }
    if (n == 0 || !fd_get(s))
        return;
    if (!pwrite_all(s->fd, p, n, off)) {
        set_error(s, "io_error", errno);
        fd_close(s);
        return;
    }
    ranges_add(&s->disk, off, off + n);
    s->written += n;
    x->counts.bytes += n;
}

static void note_conflict(struct extract_stream *s, bool is_write, const uint64_t chunk[2], uint64_t a,
                          uint64_t b, uint64_t da, uint64_t db)
{
    struct conflict *last = s->n_conflicts ? &s->conflicts[s->n_conflicts - 1] : NULL;
    /* another piece of the same READ/WRITE: one conflict, not one per piece */
    if (last && last->is_write == is_write && last->second[0] == chunk[0] && last->second[1] == chunk[1]) {
        last->first[0] = min64(last->first[0], a);
        last->first[1] = max64(last->first[1], b);
        last->differ[0] = min64(last->differ[0], da);
        last->differ[1] = max64(last->differ[1], db);
        return;
    }
    if (s->n_conflicts == EXTRACT_CONFLICTS_MAX) {
        s->conflicts_omitted++;
        return;
    }
    struct conflict *c = &s->conflicts[s->n_conflicts++];
    c->is_write = is_write;
    c->first[0] = a, c->first[1] = b;
    c->second[0] = chunk[0], c->second[1] = chunk[1];
    c->differ[0] = da, c->differ[1] = db;
}

/* [a, b) is on disk: compare the new copy p (at file offset a) with it.
 * Reports the first and last differing offsets (*da < *db when any). */
static bool compare_disk(struct extract_stream *s, uint64_t a, uint64_t b, const uint8_t *p, uint64_t *da,
                         uint64_t *db)
{
    uint8_t buf[8192];
    bool any = false;
    if (!fd_get(s))
        return false;
    for (uint64_t pos = a; pos < b;) {
        size_t k = (size_t)min64(sizeof buf, b - pos);
        ssize_t r = pread(s->fd, buf, k, (off_t)pos);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            set_error(s, "io_error", r < 0 ? errno : EIO);
            return false;
        }
        const uint8_t *q = p + (pos - a);
        for (size_t i = 0; i < (size_t)r; i++) {
            if (buf[i] != q[i]) {
                if (!any)
                    *da = pos + i;
                *db = pos + i + 1;
                any = true;
            }
        }
        pos += (uint64_t)r;
    }
    return any;
}

/* first range whose end is past pos */
static size_t first_after(const struct ranges *r, uint64_t pos)
{
    size_t lo = 0, hi = r->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (r->v[mid][1] <= pos)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

void extract_data(struct extract_stream *s, bool is_write, uint64_t chunk_off, uint64_t chunk_len, uint64_t off,
                  const uint8_t *p, size_t n)
{
    if (!s || s->finished || n == 0 || !p)
        return;
    if (s->broken)
        return;
    uint64_t cap = s->x->lim->extract_max_file;
    uint64_t end = off + min64(n, UINT64_MAX - off);
    if (end > cap) {
        set_error(s, "file_limit", 0);
        if (off >= cap)
            return;
        end = cap;
    }
    uint64_t first_a = 0, first_b = 0, da = 0, db = 0;
    bool conflict = false;
    for (uint64_t pos = off; pos < end;) {
        size_t i = first_after(&s->disk, pos);
        if (i < s->disk.n && s->disk.v[i][0] <= pos) {
            /* already on disk: the first copy stays; check the new one agrees */
            uint64_t b = min64(end, s->disk.v[i][1]);
            uint64_t a1 = 0, b1 = 0;
            if (compare_disk(s, pos, b, p + (pos - off), &a1, &b1)) {
                if (!conflict) {
                    first_a = pos;
                    da = a1;
                }
                first_b = b;
                db = b1;
                conflict = true;
            }
            if (s->broken)
                break; /* could not read it back */
            pos = b;
        } else {
            uint64_t b = i < s->disk.n ? min64(end, s->disk.v[i][0]) : end;
            write_new(s, pos, p + (pos - off), (size_t)(b - pos));
            if (s->over_total || s->broken)
                break; /* nothing more can be written */
            pos = b;
        }
    }
    if (conflict) {
        uint64_t chunk[2] = {chunk_off, chunk_off + chunk_len};
        if (chunk_len == 0 || off < chunk_off || off + n > chunk[1])
            chunk[0] = off, chunk[1] = off + n; /* not a piece of it: the piece itself */
        note_conflict(s, is_write, chunk, first_a, first_b, da, db);
    }
}

/* ---- finishing ----------------------------------------------------------- */

static void hex(const uint8_t *d, size_t n, char *out)
{
    static const char X[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = X[d[i] >> 4];
        out[2 * i + 1] = X[d[i] & 15];
    }
    out[2 * n] = '\0';
}

/* the connection's stable token: 16 hex digits of SHA-256("<community_id>|<start_us>") */
static void conn_token(const struct conn_ref *c, char out[17])
{
    char in[96];
    int k = snprintf(in, sizeof in, "%s|%" PRIu64, c ? c->community_id : "", c ? c->start_us : 0);
    uint8_t d[EVP_MAX_MD_SIZE];
    unsigned dl = 0;
    if (k < 0 || EVP_Digest(in, (size_t)k, d, &dl, EVP_sha256(), NULL) != 1 || dl < 8)
        memset(d, 0, 8);
    hex(d, 8, out);
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

static void drop_tmp(struct extract_stream *s)
{
    fd_close(s);
    if (s->tmp[0])
        unlinkat(s->x->dirfd, s->tmp, 0);
    s->tmp[0] = '\0';
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
    if (!dedup && (!fd_get(s) || !fsync_ok(s->fd) || !mkdir_ok(x->dirfd, dir))) {
        set_error(s, "io_error", errno);
        return false;
    }
    if (!dedup && linkat(x->dirfd, s->tmp, x->dirfd, rel, 0) != 0) {
        if (errno != EEXIST) {
            set_error(s, "io_error", errno);
            return false;
        }
        dedup = true; /* the name is the content's hash: what is there is the same */
    }
    drop_tmp(s);
    ev_str(e, F(extracted), rel);
    char *line = json_event_line(e, x->sensor);
    char side[144];
    snprintf(side, sizeof side, "%s.json", rel);
    int fd = openat(x->dirfd, side, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    bool ok = false;
    if (line && fd >= 0) {
        size_t n = strlen(line);
        line[n] = '\n'; /* json_dumps' terminator becomes the newline: one write() per line */
        ok = write_all(fd, line, n + 1);
    }
    int saved = errno;
    if (fd >= 0)
        close(fd);
    free(line);
    if (!ok)
        set_error(s, "io_error", saved); /* the content is in place; its line is not */
    x->counts.complete++;
    x->counts.dedup += dedup;
    return true;
}

static json_t *ranges_json(const uint64_t (*v)[2], size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_pack("[II]", (json_int_t)v[i][0], (json_int_t)v[i][1]));
    return a;
}

static json_t *range_json(const uint64_t r[2]) { return json_pack("[II]", (json_int_t)r[0], (json_int_t)r[1]); }

/* holes of the disk set inside [0, limit) */
static json_t *missing_json(const struct ranges *r, uint64_t limit)
{
    json_t *a = json_array();
    uint64_t pos = 0;
    for (size_t i = 0; i < r->n && pos < limit; i++) {
        if (r->v[i][0] > pos)
            json_array_append_new(a, json_pack("[II]", (json_int_t)pos, (json_int_t)min64(r->v[i][0], limit)));
        pos = max64(pos, r->v[i][1]);
    }
    if (pos < limit)
        json_array_append_new(a, json_pack("[II]", (json_int_t)pos, (json_int_t)limit));
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
    if (!fd_get(s))
        return false;
    /* extend (never shrink, never write zeros): the file's length says its size */
    struct stat st;
    if (fi->size_known && fi->size <= x->lim->extract_max_file && fstat(s->fd, &st) == 0 &&
        (uint64_t)st.st_size < fi->size && ftruncate(s->fd, (off_t)fi->size) != 0) {
        set_error(s, "io_error", errno);
        return false;
    }
    if (!fsync_ok(s->fd)) {
        set_error(s, "io_error", errno);
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
        set_error(s, "io_error", saved);
        return false;
    }
    fd_close(s);
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
    drop_tmp(s);
}

void extract_stream_free(struct extract_stream *s)
{
    if (!s)
        return;
    drop_tmp(s);
    ranges_free(&s->disk);
    s->x->n_streams--;
    free(s);
}
