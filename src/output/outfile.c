/* outfile: -o, reopened and rotated between records; see outfile.h. */
#include "outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

struct outfile {
    struct outfile_config cfg;
    FILE *f;
    char name[OUTFILE_NAME_MAX];   /* the file being written */
    char base[OUTFILE_NAME_MAX];   /* what the pattern gave for it (name without the .N suffix) */
    unsigned seq;                  /* files in a row the pattern gave the same base: base, base.1, ... */
    unsigned gen;
    uint64_t next_rotate_us;       /* the next multiple of --rotate (0: not known yet) */
    uint64_t size_mark;            /* rotate by size once the file holds this many bytes */
    uint64_t clock_us;             /* the last outfile_clock(): names files rotated by size */
    int failed_errno;              /* the first write or close that lost data (0: none) */
    char failed_name[OUTFILE_NAME_MAX]; /* the file it lost data in */
};

/* a write or close lost records: kept (the first one) for main, which stops
 * the run and names the file and the cause, as without rotation */
static void lost(struct outfile *o, int err)
{
    if (o->failed_errno)
        return;
    o->failed_errno = err ? err : EIO;
    memcpy(o->failed_name, o->name, sizeof o->failed_name);
}

/* the pattern at t (UTC); false when it expands to nothing or too much */
static bool expand(const char *pattern, uint64_t t_us, char *out, size_t cap)
{
    time_t sec = (time_t)(t_us / 1000000u);
    struct tm tm;
    if (!gmtime_r(&sec, &tm))
        return false;
    size_t n = strftime(out, cap, pattern, &tm);
    return n > 0 && n < cap;
}

/* the next file's name at t: the pattern's expansion, with .1, .2... when it
 * is the same as the file just finished (a pattern coarser than the rotation,
 * or none at all), so a run never overwrites its own earlier file */
static bool next_name(struct outfile *o, uint64_t t_us, char *name, char *base, unsigned *seq)
{
    if (!expand(o->cfg.pattern, t_us, base, OUTFILE_NAME_MAX))
        return false;
    *seq = o->f && strcmp(base, o->base) == 0 ? o->seq + 1 : 0;
    if (!*seq) {
        memcpy(name, base, OUTFILE_NAME_MAX);
        return true;
    }
    int k = snprintf(name, OUTFILE_NAME_MAX, "%s.%u", base, *seq);
    return k > 0 && k < OUTFILE_NAME_MAX;
}

/* finish the current file: false when its buffered records could not be written */
static bool finish(struct outfile *o)
{
    if (!o->f)
        return true;
    errno = 0;
    bool ok = !ferror(o->f);
    int err = errno;
    if (fclose(o->f) != 0) {
        ok = false;
        err = errno;
    }
    o->f = NULL;
    if (!ok)
        lost(o, err);
    return ok;
}

/* open name for records, emptied first or appended to, as a stream whose
 * position ftello knows without asking the kernel: glibc calls lseek(2) on
 * every ftello until a seek has told it where the stream is, and on every
 * one for a stream opened "a". --rotate-size asks before each record: that
 * was 110,000 lseek calls, ~15% of a run over 10,000 short sessions. So the
 * descriptor carries O_APPEND (every write lands at the end of the file,
 * whoever else made it longer), the stream is opened "w" and told its place
 * once. Its position is then what the file held when opened plus what this
 * process wrote, which is what --rotate-size counts. A pipe cannot seek:
 * ftello fails there as before, and size rotation never trips. */
static FILE *open_out(const char *name, bool append)
{
    int fd = open(name, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | (append ? 0 : O_TRUNC), 0666);
    if (fd < 0)
        return NULL;
    FILE *f = fdopen(fd, "w");
    if (!f) {
        int e = errno;
        close(fd);
        errno = e;
        return NULL;
    }
    (void)fseeko(f, 0, SEEK_END);
    return f;
}

static void rotate(struct outfile *o, uint64_t t_us)
{
    char name[OUTFILE_NAME_MAX], base[OUTFILE_NAME_MAX];
    unsigned seq;
    FILE *nf = NULL;
    if (!next_name(o, t_us, name, base, &seq)) {
        if (o->cfg.msgs)
            fprintf(o->cfg.msgs, "smbscope: -o %s: the name expands to nothing or more than %d bytes: "
                    "going on with %s\n", o->cfg.pattern, OUTFILE_NAME_MAX - 1, o->name);
    } else if (!(nf = open_out(name, false))) {
        if (o->cfg.msgs)
            fprintf(o->cfg.msgs, "smbscope: -o %s: %s: going on with %s\n", name, strerror(errno), o->name);
    }
    if (!nf) {
        /* records keep going to the current file; try again one interval later */
        off_t at = ftello(o->f);
        o->size_mark = (at > 0 ? (uint64_t)at : 0) + o->cfg.rotate_bytes;
        return;
    }
    finish(o);
    o->f = nf;
    memcpy(o->name, name, sizeof o->name);
    memcpy(o->base, base, sizeof o->base);
    o->seq = seq;
    o->gen++;
    o->size_mark = o->cfg.rotate_bytes;
}

struct outfile *outfile_open(const struct outfile_config *cfg, uint64_t now_us, char *err, size_t errlen)
{
    struct outfile *o = calloc(1, sizeof *o);
    if (!o) {
        snprintf(err, errlen, "-o %s: out of memory", cfg->pattern);
        return NULL;
    }
    o->cfg = *cfg;
    o->size_mark = cfg->rotate_bytes;
    o->clock_us = now_us;
    if (!expand(cfg->pattern, now_us, o->base, sizeof o->base)) {
        snprintf(err, errlen, "-o %s: the name expands to nothing or more than %d bytes", cfg->pattern,
                 OUTFILE_NAME_MAX - 1);
        free(o);
        return NULL;
    }
    memcpy(o->name, o->base, sizeof o->name);
    if (!(o->f = open_out(o->name, false))) {
        snprintf(err, errlen, "-o %s: %s", o->name, strerror(errno));
        free(o);
        return NULL;
    }
    /* the first outfile_clock() sets the first boundary: the wall clock when
     * live, the first packet's time when reading files */
    return o;
}

FILE *outfile_record(struct outfile *o)
{
    if (o->cfg.rotate_bytes) {
        /* the stream's position is what the file holds (after a reopen in
         * append mode, lines already there count too: it rotates sooner) */
        off_t at = ftello(o->f);
        if (at > 0 && (uint64_t)at >= o->size_mark)
            rotate(o, o->clock_us);
    }
    return o->f;
}

unsigned outfile_generation(const struct outfile *o) { return o->gen; }

bool outfile_rotates(const struct outfile *o) { return o->cfg.rotate_us || o->cfg.rotate_bytes; }

const char *outfile_name(const struct outfile *o) { return o->name; }

void outfile_clock(struct outfile *o, uint64_t now_us)
{
    o->clock_us = now_us;
    if (!o->cfg.rotate_us)
        return;
    if (!o->next_rotate_us) {
        /* reading files: the first packet sets the capture clock */
        o->next_rotate_us = (now_us / o->cfg.rotate_us + 1) * o->cfg.rotate_us;
        return;
    }
    if (now_us < o->next_rotate_us)
        return;
    /* named by the boundary crossed; a long silence gives one file, not one per interval */
    uint64_t boundary = now_us / o->cfg.rotate_us * o->cfg.rotate_us;
    o->next_rotate_us = boundary + o->cfg.rotate_us;
    rotate(o, boundary);
}

void outfile_reopen(struct outfile *o)
{
    /* append: logrotate's `create` may have made the new file already (with
     * its owner and mode), and a file not moved away must not lose its lines */
    if (fflush(o->f) == EOF)
        lost(o, errno);
    FILE *nf = open_out(o->name, true);
    if (!nf) {
        if (o->cfg.msgs)
            fprintf(o->cfg.msgs, "smbscope: -o %s: cannot reopen: %s: going on with the file already open\n", o->name,
                    strerror(errno));
        return;
    }
    finish(o);
    o->f = nf;
    o->gen++;
    o->size_mark = o->cfg.rotate_bytes;
}

int outfile_error(const struct outfile *o, const char **name)
{
    if (name)
        *name = o && o->failed_errno ? o->failed_name : NULL;
    return o ? o->failed_errno : 0;
}

int outfile_close(struct outfile *o, char *failed_name, size_t cap)
{
    if (!o)
        return 0;
    finish(o);
    int err = o->failed_errno;
    if (err && failed_name && cap)
        snprintf(failed_name, cap, "%s", o->failed_name);
    free(o);
    return err;
}
