/* extract: file content written under --extract DIR as it streams by: the
 * extractor, its temp files and descriptor cache, and the write path (first
 * copy wins, later copies compared). The finish step is extract_place.c (see
 * extract.h for the layout and the rules). Spec: none; smbscope's own. */
#include "extract.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "extract_int.h"
#include "files.h"

void extractor_set_sensor(struct extractor *x, const char *sensor) { x->sensor = sensor; }

/* mkdir that accepts an existing directory */
bool extract_mkdir_ok(int dirfd, const char *name)
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
    static const char *const sub[EXTRACT_N_SUBDIRS] = EXTRACT_SUBDIRS;
    for (size_t i = 0; i < sizeof sub / sizeof sub[0]; i++) {
        if (!extract_mkdir_ok(fd, sub[i])) {
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

void extract_fd_close(struct extract_stream *s)
{
    if (s->fd < 0)
        return;
    close(s->fd);
    s->fd = -1;
    lru_unlink(s);
    s->x->n_fds--;
}

void extract_set_error(struct extract_stream *s, const char *why, int err_no)
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

bool extract_fd_get(struct extract_stream *s)
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
        extract_fd_close(x->lru_tail);
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
        extract_set_error(s, "io_error", errno);
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
        extract_set_error(s, "total_limit", 0);
        n = (size_t)room;
    }
    if (n == 0 || !extract_fd_get(s))
        return;
    if (!pwrite_all(s->fd, p, n, off)) {
        extract_set_error(s, "io_error", errno);
        extract_fd_close(s);
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
        last->first[0] = x_min64(last->first[0], a);
        last->first[1] = x_max64(last->first[1], b);
        last->differ[0] = x_min64(last->differ[0], da);
        last->differ[1] = x_max64(last->differ[1], db);
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
    if (!extract_fd_get(s))
        return false;
    for (uint64_t pos = a; pos < b;) {
        size_t k = (size_t)x_min64(sizeof buf, b - pos);
        ssize_t r = pread(s->fd, buf, k, (off_t)pos);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            extract_set_error(s, "io_error", r < 0 ? errno : EIO);
            return false;
        }
        const uint8_t *q = p + (pos - a);
        /* agreeing copies (the common re-read) cost one memcmp per block;
         * only a block that differs is scanned for its first and last byte */
        if (memcmp(buf, q, (size_t)r) != 0) {
            size_t i = 0, j = (size_t)r;
            while (buf[i] == q[i])
                i++;
            while (buf[j - 1] == q[j - 1])
                j--;
            if (!any)
                *da = pos + i;
            *db = pos + j;
            any = true;
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
    uint64_t end = off + x_min64(n, UINT64_MAX - off);
    if (end > cap) {
        extract_set_error(s, "file_limit", 0);
        if (off >= cap)
            return;
        end = cap;
    }
    uint64_t first_a = 0, first_b = 0, da = 0, db = 0;
    bool conflict = false;
    for (uint64_t pos = off; pos < end;) {
        size_t i = first_after(&s->disk, pos);
        if (i < s->disk.n && s->disk.v[i][0] <= pos) {
            /* already on disk: the first copy stays; check the new one agrees.
             * A coarse list also claims holes it joined over: a hole read
             * back is no first copy, so nothing is compared once it is coarse */
            uint64_t b = x_min64(end, s->disk.v[i][1]);
            uint64_t a1 = 0, b1 = 0;
            if (!s->disk.coarse && compare_disk(s, pos, b, p + (pos - off), &a1, &b1)) {
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
            uint64_t b = i < s->disk.n ? x_min64(end, s->disk.v[i][0]) : end;
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

void extract_drop_tmp(struct extract_stream *s)
{
    extract_fd_close(s);
    if (s->tmp[0])
        unlinkat(s->x->dirfd, s->tmp, 0);
    s->tmp[0] = '\0';
}

void extract_stream_free(struct extract_stream *s)
{
    if (!s)
        return;
    extract_drop_tmp(s);
    ranges_free(&s->disk);
    free(s);
}
