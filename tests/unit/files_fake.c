/* TEST DOUBLE for src/files.c (written elsewhere): a trivial files.h that
 * only counts bytes and remembers ranges in arrival order, so the SMB1
 * command tests can check what reaches the tracker without the real hashing.
 * Never linked into the analyzer. */
#include <stdlib.h>
#include <string.h>

#include "files.h"

#define FAKE_MAX_RANGES 16

struct file_track {
    struct file_pool *pool;
    uint64_t size;
    bool size_set;
    uint64_t bytes[2];
    uint64_t ranges[2][FAKE_MAX_RANGES][2];
    size_t n_ranges[2];
};

struct file_track *file_new(struct file_pool *pool)
{
    struct file_track *f = calloc(1, sizeof *f);
    if (!f)
        abort();
    f->pool = pool;
    return f;
}

void file_set_size(struct file_track *f, uint64_t size)
{
    f->size = size;
    f->size_set = true;
}

void file_data(struct file_track *f, enum file_io io, uint64_t off, const uint8_t *p, size_t n)
{
    (void)p;
    f->bytes[io] += n;
    if (f->n_ranges[io] < FAKE_MAX_RANGES) {
        f->ranges[io][f->n_ranges[io]][0] = off;
        f->ranges[io][f->n_ranges[io]][1] = off + n;
        f->n_ranges[io]++;
    }
}

void file_missing(struct file_track *f, enum file_io io, uint64_t off, uint64_t n)
{
    (void)f;
    (void)io;
    (void)off;
    (void)n;
}

static uint64_t (*copy_ranges(const uint64_t (*r)[2], size_t n))[2]
{
    uint64_t (*c)[2] = calloc(n ? n : 1, sizeof *c);
    if (!c)
        abort();
    if (n)
        memcpy(c, r, n * sizeof *c);
    return c;
}

void file_finish(struct file_track *f, struct file_result *out)
{
    memset(out, 0, sizeof *out);
    out->bytes_read = f->bytes[FILE_READ];
    out->bytes_written = f->bytes[FILE_WRITE];
    out->read_ranges = copy_ranges((const uint64_t(*)[2])f->ranges[FILE_READ], f->n_ranges[FILE_READ]);
    out->n_read_ranges = f->n_ranges[FILE_READ];
    out->write_ranges = copy_ranges((const uint64_t(*)[2])f->ranges[FILE_WRITE], f->n_ranges[FILE_WRITE]);
    out->n_write_ranges = f->n_ranges[FILE_WRITE];
    /* the double reports the size it was given as "complete" coverage only
     * when one range covers [0, size): enough for the state tests */
    out->complete = f->size_set && out->n_read_ranges == 1 && f->ranges[FILE_READ][0][0] == 0 &&
                    f->ranges[FILE_READ][0][1] == f->size;
    out->has_sha256 = false;
    out->no_hash_reason = "test double";
}

void file_result_free(struct file_result *r)
{
    free(r->read_ranges);
    free(r->write_ranges);
    memset(r, 0, sizeof *r);
}

void file_free(struct file_track *f)
{
    free(f);
}

/* the size the double was last told, for assertions */
uint64_t files_fake_size(const struct file_track *f);
uint64_t files_fake_size(const struct file_track *f)
{
    return f->size;
}
