/* files: per-FID coverage and streaming SHA-256 of file content (see files.h
 * for the semantics). Spec: [MS-CIFS] 2.2.4.42-43 for where the data comes
 * from; the rest is smbscope's own. */
#include "files.h"

#include <stdlib.h>
#include <string.h>
#include <xxhash.h>
#if defined(__x86_64__) || defined(__i386__)
/* the library's own CPU dispatch (AVX2/AVX-512 where the CPU has them): the
 * plain entry points are built for the baseline (SSE2), at a third of the speed */
#include <xxh_x86dispatch.h>
#endif

#include "event.h"
#include "extract.h"
#include "fchunks.h"
#include "fdigest.h"
#include "fhold.h"
#include "ranges.h"
#include "str.h"

/* the READ or WRITE whose pieces are arriving */
struct chunk {
    bool active;
    enum file_io io;
    uint64_t off, len, got;
    bool digesting;            /* cmd is running over this chunk's bytes */
    bool broken;               /* a piece was missing: no digest to compare or keep */
    bool have_prior;           /* an earlier copy of exactly this chunk was recorded */
    uint8_t prior[FCHUNK_DIGEST];
    bool deferred;             /* bytes behind the cursor wait for the digest compare */
};

struct file_track {
    struct file_pool *pool;
    bool size_known;
    uint64_t size;
    bool wrote;                /* any write (seen or missing) */
    uint64_t write_end;        /* furthest write end since the last file_set_size */
    uint64_t bytes_read, bytes_written, bytes_missing;
    struct ranges rd, wr, seen;
    bool finished;
    struct extract_stream *ex; /* --extract, or NULL */

    /* hashing; everything below is dropped once `hashing` is false */
    bool hashing;
    const char *reason;        /* why hashing stopped (static) */
    bool conflict;
    struct fdigest *dg;        /* the file's SHA-256, fed strictly in order (maybe on one of pool->hq) */
    uint64_t cursor;           /* bytes [0, cursor) are hashed */
    struct fhold hold;
    uint8_t *head;             /* content of [0, head_len), head_len = min(cursor, head_max) */
    size_t head_len;
    size_t head_cap;           /* allocated, counted in pool->kept */
    size_t head_max;           /* the verify window; shrinks to head_cap when refused room */
    struct fchunks chunks;
    XXH3_state_t *cmd;         /* per-chunk digest (fchunks.h) */
    struct chunk ch;
};

static const struct limits *lim(const struct file_track *f) { return f->pool->lim; }

static uint64_t min64(uint64_t a, uint64_t b) { return a < b ? a : b; }
static uint64_t max64(uint64_t a, uint64_t b) { return a > b ? a : b; }

/* what a tracker costs before any data: the struct, its SHA-256 context and
 * the allocator's headers (the hold and verify buffers are charged as they grow) */
#define FILE_TRACK_COST (sizeof(struct file_track) + 512u)

struct file_track *file_new(struct file_pool *pool)
{
    if (!pool || !pool->lim)
        return NULL;
    struct file_track *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    mb_charge(pool->mb, FILE_TRACK_COST);
    f->pool = pool;
    ranges_init(&f->rd, FILE_RANGES_MAX);
    ranges_init(&f->wr, FILE_RANGES_MAX);
    ranges_init(&f->seen, FILE_RANGES_MAX);
    f->head_max = pool->lim->file_verify_bytes;
    f->ex = extract_stream_new(pool->ex);
    f->dg = fdigest_new(pool->n_hq ? pool->hq[pool->next_hq++ % pool->n_hq] : NULL, pool->sha256);
    if (f->dg) {
        f->hashing = true;
    } else {
        f->reason = "no_memory";
    }
    return f;
}

/* stop hashing for good and give back everything only the hash needed */
static void give_up(struct file_track *f, const char *reason)
{
    if (!f->hashing)
        return;
    f->hashing = false;
    f->reason = reason;
    f->pool->held -= f->hold.bytes;
    mb_credit(f->pool->mb, f->hold.bytes);
    fhold_clear(&f->hold);
    f->pool->kept -= f->head_cap;
    mb_credit(f->pool->mb, f->head_cap);
    free(f->head);
    f->head = NULL;
    f->head_len = f->head_cap = 0;
    fchunks_free(&f->chunks);
    f->ch.digesting = false;
    f->ch.deferred = false;
}

static void found_conflict(struct file_track *f)
{
    f->conflict = true;
    give_up(f, "overlap_conflict");
}

/* Make room to keep the content of [0, need) (need clamped to the verify
 * window), within the pool-wide lim->file_verify_total. What cannot be had
 * shrinks the window to the room there is, for good: overlaps past it fall
 * back to chunk digests or become unverifiable, which is honest, rather than
 * wrong. False when the window shrank. */
static bool head_reserve(struct file_track *f, uint64_t need)
{
    need = min64(need, f->head_max);
    if (need <= f->head_cap)
        return true;
    struct file_pool *pool = f->pool;
    size_t total = lim(f)->file_verify_total;
    size_t room = total > pool->kept ? total - pool->kept : 0;
    size_t cap = f->head_cap ? f->head_cap : 4096;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? (size_t)need : cap * 2;
    if (cap > f->head_max)
        cap = f->head_max;
    bool enough = true;
    if (cap - f->head_cap > room) {
        /* no slack for doubling: exactly what is needed, or all that is left */
        if (need - f->head_cap <= room) {
            cap = (size_t)need;
        } else {
            cap = f->head_cap + room;
            enough = false;
        }
    }
    if (cap > f->head_cap) {
        uint8_t *h = realloc(f->head, cap);
        if (!h) {
            f->head_max = f->head_cap;
            return false;
        }
        pool->kept += cap - f->head_cap;
        mb_charge(pool->mb, cap - f->head_cap);
        if (pool->kept > pool->kept_peak)
            pool->kept_peak = pool->kept;
        f->head = h;
        f->head_cap = cap;
    }
    if (!enough)
        f->head_max = f->head_cap;
    return enough;
}

/* keep hashed bytes that fall in the verify window [0, head_max) */
static void head_keep(struct file_track *f, const uint8_t *p, size_t n)
{
    if (f->cursor >= f->head_max)
        return;
    (void)head_reserve(f, f->cursor + n);
    if (f->cursor >= f->head_max)
        return;
    size_t keep = (size_t)min64(n, f->head_max - f->cursor);
    memcpy(f->head + f->head_len, p, keep);
    f->head_len += keep;
}

static uint64_t target_size(const struct file_track *f, bool *known);

/* hash n bytes sitting exactly at the cursor (queued to the hashing thread
 * when there is one: the order of updates is the order of the cursor) */
static void hash_at_cursor(struct file_track *f, const uint8_t *p, size_t n)
{
    bool known;
    if (f->cursor == 0 && f->pool->n_hq && !f->pool->defer_sha256 && target_size(f, &known) <= FILE_HASH_INLINE_MAX &&
        known)
        fdigest_inline(f->dg); /* before its first byte is queued: a small file is hashed here (files.h) */
    if (!fdigest_update(f->dg, p, n)) {
        give_up(f, "no_memory");
        return;
    }
    head_keep(f, p, n);
    f->cursor += n;
}

/* A held segment the active chunk is still going to deliver stays held, so
 * that delivery can be compared with it byte for byte; once hashed it could
 * only be checked through the verify window or a chunk digest. */
static bool chunk_will_cover(const struct file_track *f, const struct fhold_seg *s)
{
    if (!f->ch.active)
        return false;
    uint64_t next = f->ch.off + f->ch.got, end = f->ch.off + f->ch.len;
    return s->off + s->len > next && s->off < end;
}

/* hash held segments the cursor has reached */
static void drain(struct file_track *f)
{
    const struct fhold_seg *s;
    while (f->hashing && (s = fhold_first_at(&f->hold, f->cursor)) != NULL) {
        if (chunk_will_cover(f, s))
            return;
        uint64_t skip = f->cursor - s->off;
        size_t len = s->len;
        if (skip < len)
            hash_at_cursor(f, s->p + skip, (size_t)(len - skip));
        if (!f->hashing)
            return; /* give_up already released the hold, this segment included */
        f->pool->held -= len;
        mb_credit(f->pool->mb, len);
        fhold_pop(&f->hold);
    }
}

static void hold(struct file_track *f, uint64_t off, const uint8_t *p, size_t n)
{
    if (f->hold.bytes + n > lim(f)->file_hold_bytes || f->pool->held + n > lim(f)->file_hold_total) {
        give_up(f, "hold_limit");
        return;
    }
    if (!fhold_add(&f->hold, off, p, n)) {
        give_up(f, f->hold.n >= FHOLD_SEGS_MAX ? "hold_limit" : "no_memory");
        return;
    }
    f->pool->held += n;
    mb_charge(f->pool->mb, n);
    if (f->pool->held > f->pool->held_peak)
        f->pool->held_peak = f->pool->held;
}

/* [off, off+n) with off >= cursor: compare with what is held, then hash what
 * sits at the cursor and hold the rest */
static void take_ahead(struct file_track *f, uint64_t off, const uint8_t *p, size_t n)
{
    if (!fhold_agrees(&f->hold, off, p, n)) {
        found_conflict(f);
        return;
    }
    uint64_t end = off + n, pos = off;
    while (f->hashing) {
        /* bytes the cursor passed while draining were held, and compared above */
        pos = max64(pos, f->cursor);
        if (pos >= end)
            break;
        size_t i = fhold_find(&f->hold, pos);
        if (i < f->hold.n && f->hold.v[i].off <= pos) {
            pos = f->hold.v[i].off + f->hold.v[i].len;
            continue;
        }
        uint64_t next = i < f->hold.n ? min64(f->hold.v[i].off, end) : end;
        if (pos == f->cursor) {
            hash_at_cursor(f, p + (pos - off), (size_t)(next - pos));
            drain(f);
        } else {
            hold(f, pos, p + (pos - off), (size_t)(next - pos));
        }
        pos = next;
    }
}

/* [off, off+n) entirely behind the cursor: check it against the first copy */
static void verify_behind(struct file_track *f, uint64_t off, const uint8_t *p, size_t n)
{
    if (off < f->head_len) {
        size_t m = (size_t)min64(n, f->head_len - off);
        if (memcmp(f->head + off, p, m) != 0) {
            found_conflict(f);
            return;
        }
        off += m;
        p += m;
        n -= m;
    }
    if (n == 0)
        return;
    if (f->ch.active && f->ch.have_prior && f->ch.digesting) {
        f->ch.deferred = true;
        return;
    }
    give_up(f, "overlap_unverified");
}

static void chunk_end(struct file_track *f, bool complete)
{
    struct chunk *c = &f->ch;
    if (!c->active)
        return;
    c->active = false;
    uint8_t d[FCHUNK_DIGEST];
    bool have = false;
    if (c->digesting) {
        XXH128_canonical_t cd;
        XXH128_canonicalFromHash(&cd, XXH3_128bits_digest(f->cmd));
        memcpy(d, cd.digest, sizeof d);
        have = true;
        c->digesting = false;
    }
    bool whole = complete && !c->broken && have;
    if (f->hashing) {
        if (whole && c->have_prior) {
            if (memcmp(d, c->prior, FCHUNK_DIGEST) != 0)
                found_conflict(f);
        } else if (c->deferred) {
            give_up(f, "overlap_unverified");
        } else if (whole) {
            /* losing a record (no memory) only means a later re-send of this
             * chunk cannot be checked */
            (void)fchunks_add(&f->chunks, c->off, c->len, d);
        }
    }
    c->deferred = false;
    drain(f);
}

static void chunk_begin(struct file_track *f, enum file_io io, uint64_t off, uint64_t len)
{
    chunk_end(f, false);
    if (len == 0)
        return;
    struct chunk *c = &f->ch;
    memset(c, 0, sizeof *c);
    c->active = true;
    c->io = io;
    c->off = off;
    c->len = len;
    /* chunks wholly inside the verify window are checked byte for byte, if
     * the window can have room for them; else they get a digest */
    if (!f->hashing)
        return;
    if (off < f->head_max && head_reserve(f, off + len) && off + len <= f->head_max)
        return;
    if (!f->cmd)
        f->cmd = XXH3_createState();
    if (!f->cmd)
        return;
    XXH_errorcode rc = f->pool->chunk_secret
        ? XXH3_128bits_reset_withSecret(f->cmd, f->pool->chunk_secret, FCHUNK_SECRET)
        : XXH3_128bits_reset(f->cmd);
    if (rc != XXH_OK)
        return;
    c->digesting = true;
    /* only a chunk reaching behind the cursor can be a re-send; in-order
     * data never pays for the lookup */
    if (off < f->cursor) {
        const struct fchunk *r = fchunks_find(&f->chunks, off, len);
        if (r) {
            c->have_prior = true;
            memcpy(c->prior, r->d, FCHUNK_DIGEST);
        }
    }
}

void file_chunk(struct file_track *f, enum file_io io, uint64_t off, uint64_t len)
{
    if (!f || f->finished)
        return;
    /* only the part a file can hold (files.h, Offsets) */
    len = off < FILE_OFFSET_END ? min64(len, FILE_OFFSET_END - off) : 0;
    chunk_begin(f, io, off, len);
}

/* does [off, off+n) continue the active chunk? */
static bool in_chunk(const struct file_track *f, enum file_io io, uint64_t off, uint64_t n)
{
    const struct chunk *c = &f->ch;
    return c->active && c->io == io && off == c->off + c->got && n <= c->len - c->got;
}

void file_set_size(struct file_track *f, uint64_t size)
{
    if (!f || f->finished)
        return;
    f->size_known = true;
    f->size = size;
    f->write_end = 0;
}

static void note_write_extent(struct file_track *f, uint64_t end)
{
    f->wrote = true;
    f->write_end = max64(f->write_end, end);
}

void file_data(struct file_track *f, enum file_io io, uint64_t off, const uint8_t *p, size_t n)
{
    if (!f || f->finished || n == 0 || !p || off >= FILE_OFFSET_END)
        return;
    n = (size_t)min64(n, FILE_OFFSET_END - off);
    uint64_t end = off + n;
    if (!in_chunk(f, io, off, n))
        chunk_begin(f, io, off, n);
    extract_data(f->ex, io == FILE_WRITE, f->ch.off, f->ch.active ? f->ch.len : 0, off, p, n);

    if (io == FILE_READ) {
        f->bytes_read += n;
        ranges_add(&f->rd, off, end);
    } else {
        f->bytes_written += n;
        ranges_add(&f->wr, off, end);
        note_write_extent(f, end);
    }
    ranges_add(&f->seen, off, end);

    struct chunk *c = &f->ch;
    c->got += n;
    if (c->digesting && XXH3_128bits_update(f->cmd, p, n) != XXH_OK)
        c->digesting = false;
    if (f->hashing) {
        uint64_t cur = f->cursor;
        if (off < cur)
            verify_behind(f, off, p, (size_t)(min64(end, cur) - off));
        if (f->hashing && end > cur) {
            uint64_t a = max64(off, cur);
            take_ahead(f, a, p + (a - off), (size_t)(end - a));
        }
    }
    if (c->active && c->got == c->len)
        chunk_end(f, true);
}

void file_missing(struct file_track *f, enum file_io io, uint64_t off, uint64_t n)
{
    if (!f || f->finished || n == 0 || off >= FILE_OFFSET_END)
        return;
    n = min64(n, FILE_OFFSET_END - off);
    uint64_t end = off + n;
    bool part = in_chunk(f, io, off, n);
    if (!part)
        chunk_end(f, false);
    f->bytes_missing += n;
    if (io == FILE_WRITE)
        note_write_extent(f, end);
    if (f->hashing && end > f->cursor && !fhold_covers(&f->hold, max64(off, f->cursor), end))
        give_up(f, "capture_gap");
    if (part) {
        f->ch.broken = true;
        f->ch.got += n;
        if (f->ch.got == f->ch.len)
            chunk_end(f, true);
    }
}

/* the target size (files.h): the size set, or the furthest write since if
 * larger; *known false when neither was seen */
static uint64_t target_size(const struct file_track *f, bool *known)
{
    *known = f->size_known || f->wrote;
    return max64(f->size_known ? f->size : 0, f->write_end);
}

static uint64_t seen_end(const struct ranges *r) { return r->n ? r->v[r->n - 1][1] : 0; }

/* a whole file's hash finished by the thread that writes its record */
struct sha_pending {
    struct ev_pending p; /* first: the record holds this */
    struct fdigest *dg;
};

static void sha_handover(struct ev_pending *p) { fdigest_handover(((struct sha_pending *)p)->dg); }

static void sha_settle(struct ev_pending *p, struct event *e, bool producer)
{
    struct sha_pending *sp = (struct sha_pending *)p;
    char hex[65];
    /* what file_finish would have said on the spot (files.h) */
    if (e && fdigest_final(sp->dg, hex, producer))
        ev_str(e, F(sha256), hex);
    else if (e)
        ev_str(e, F(no_hash_reason), "no_memory");
    fdigest_free(sp->dg, producer);
    free(sp);
}

/* NULL when out of memory (the caller finishes the hash itself) */
static struct ev_pending *sha_pending_of(struct fdigest *dg)
{
    struct sha_pending *sp = calloc(1, sizeof *sp);
    if (!sp)
        return NULL;
    sp->p.handover = sha_handover;
    sp->p.settle = sha_settle;
    sp->dg = dg;
    return &sp->p;
}

void file_finish(struct file_track *f, struct file_result *out)
{
    memset(out, 0, sizeof *out);
    if (!f)
        return;
    if (f->finished) {
        out->no_hash_reason = "finished";
        return;
    }
    chunk_end(f, false);
    f->finished = true;

    bool known;
    uint64_t target = target_size(f, &known);
    uint64_t last = seen_end(&f->seen); /* exact even in a coarse list: joins never move the ends */

    out->bytes_read = f->bytes_read;
    out->bytes_written = f->bytes_written;
    out->bytes_missing = f->bytes_missing;
    out->overlap_conflict = f->conflict;
    out->ranges_coarse = f->rd.coarse || f->wr.coarse || f->seen.coarse;

    /* while hashing, the cursor is the exact length of the seen prefix from 0 */
    bool hash_whole = f->hashing && known && f->cursor == target && last <= target;
    bool list_whole = known && !f->seen.coarse && ranges_is_exactly(&f->seen, 0, target);
    out->complete = !f->conflict && (hash_whole || list_whole);

    if (hash_whole && f->pool->defer_sha256 && (out->sha256_pending = sha_pending_of(f->dg))) {
        f->dg = NULL; /* the record's now */
    } else if (hash_whole) {
        if (fdigest_final(f->dg, out->sha256, true)) {
            out->has_sha256 = true;
        } else {
            out->no_hash_reason = "no_memory";
        }
    } else if (!f->hashing) {
        out->no_hash_reason = f->reason;
    } else if (!known) {
        out->no_hash_reason = "size_unknown";
    } else if (last > target) {
        out->no_hash_reason = "size_mismatch";
    } else {
        out->no_hash_reason = "incomplete";
    }
    give_up(f, out->no_hash_reason ? out->no_hash_reason : "finished");

    out->read_ranges = ranges_take(&f->rd, &out->n_read_ranges);
    out->write_ranges = ranges_take(&f->wr, &out->n_write_ranges);
}

void file_result_free(struct file_result *r)
{
    if (!r)
        return;
    if (r->sha256_pending)
        r->sha256_pending->settle(r->sha256_pending, NULL, true);
    r->sha256_pending = NULL;
    free(r->read_ranges);
    free(r->write_ranges);
    r->read_ranges = r->write_ranges = NULL;
    r->n_read_ranges = r->n_write_ranges = 0;
}

void file_extract(struct file_track *f, const struct file_result *r, struct event *e, uint64_t instance)
{
    if (!f || !f->pool->ex)
        return;
    if (!f->ex) {
        ev_null(e, F(extracted));
        ev_str(e, F(extract_error), "no_memory");
        return;
    }
    bool known;
    uint64_t size = target_size(f, &known);
    struct extract_file_info fi = {
        .size_known = known,
        .size = size,
        .sha256 = r->has_sha256 ? r->sha256 : NULL,
        .no_hash_reason = r->has_sha256 ? NULL : r->no_hash_reason,
    };
    extract_finish(f->ex, &fi, e, instance);
}

void file_free(struct file_track *f)
{
    if (!f)
        return;
    extract_stream_free(f->ex);
    give_up(f, "freed");
    ranges_free(&f->rd);
    ranges_free(&f->wr);
    ranges_free(&f->seen);
    fdigest_free(f->dg, true); /* (waits: the hashing thread may still be feeding it) */
    XXH3_freeState(f->cmd);
    mb_credit(f->pool->mb, FILE_TRACK_COST);
    free(f);
}
