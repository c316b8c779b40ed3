/* outfile: the -o file the sinks write through, and its life as a sensor's
 * log: reopened on request (SIGHUP, logrotate's `create` mode), rotated by
 * time (--rotate) and size (--rotate-size) under a strftime(3) name (as
 * tcpdump -G/-C). A rotation or reopen only ever happens between two
 * records (the sinks ask for the stream before each record), so no record
 * is split or lost, and every file holds whole lines. Names are evaluated
 * in UTC, like every time smbscope writes. */
#ifndef SMBSCOPE_OUTFILE_H
#define SMBSCOPE_OUTFILE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* the longest file name a pattern may expand to */
#define OUTFILE_NAME_MAX 4096

struct outfile_config {
    const char *pattern;       /* -o: a file name, strftime(3) conversions evaluated in UTC */
    uint64_t rotate_us;        /* --rotate: a new file at each multiple of this (0: never) */
    uint64_t rotate_bytes;     /* --rotate-size: a new file before a record once this many bytes are written (0: never) */
    FILE *msgs;                /* where rotation and reopen failures are told (stderr) */
};

struct outfile;

/* opens the first file, named by now_us (wall clock); NULL with a message in err */
struct outfile *outfile_open(const struct outfile_config *cfg, uint64_t now_us, char *err, size_t errlen);
/* before each record: rotates first when the size limit is reached; the stream to write the record to */
FILE *outfile_record(struct outfile *o);
/* changes each time a new file is started (rotation or reopen): a sink that
 * writes per-file context (the text transcript's connection headers) repeats it */
unsigned outfile_generation(const struct outfile *o);
/* the clock, between records (wall clock live, capture time reading files):
 * rotates when a multiple of --rotate has passed since the last file began */
void outfile_clock(struct outfile *o, uint64_t now_us);
/* SIGHUP: close the current file and open its name again (appending; created
 * if moved away). On failure the old stream is kept and the failure told */
void outfile_reopen(struct outfile *o);
/* rotates by time or by size: the file may change before any record */
bool outfile_rotates(const struct outfile *o);
/* the name of the file being written */
const char *outfile_name(const struct outfile *o);
/* the errno of the first write or close that lost records (a rotated file's
 * last buffered lines included), 0 when none; *name (if given) the file it
 * happened in. main stops the run at once on it, as on any failed write */
int outfile_error(const struct outfile *o, const char **name);
/* flushes and closes: 0, or the errno of the first failure (as outfile_error),
 * whose file name is then copied into failed_name (if given) */
int outfile_close(struct outfile *o, char *failed_name, size_t cap);

#endif
