/* inputs: every -r (files, directories, standard input; plain or gzip/zstd/xz;
 * pcap or pcapng) read as ONE capture, merged by packet time.
 * Spec: pcap-savefile(5), draft-ietf-opsawg-pcapng; tcpdump(1) -C/-G for
 * the rotated file sets this is built for. */
#ifndef SMBSCOPE_INPUTS_H
#define SMBSCOPE_INPUTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "capture.h"

/* Inputs whose packets overlap in time are held open together for the merge
 * (each a descriptor and a decoder: up to a few MiB for zstd/xz). Rotated
 * files follow one another, so one or two are open at a time. */
#define INPUTS_MAX_OPEN_DEFAULT 32

struct inputs;

/* messages (skipped files, errors, each naming its file) go to msgs */
struct inputs *inputs_new(size_t max_open, FILE *msgs);
/* -r PATH: a file, "-" (standard input) or a directory (its regular files
 * that are captures, by magic; anything else is skipped with a note).
 * False for a usage error (standard input named twice). */
bool inputs_add(struct inputs *in, const char *path);
/* true when a file given (or found in a directory given) is dev/ino */
bool inputs_has_file(const struct inputs *in, dev_t dev, ino_t ino);
/* Look at every input: its format and first packet time, which sets the
 * order. filter (NULL: none) is a BPF expression applied to every packet.
 * Returns 0 when at least one input can be read, 1 when none can (all
 * missing, unreadable, not captures), 2 for a filter that does not compile. */
int inputs_start(struct inputs *in, const char *filter);
/* the next packet of the merged capture: oldest first; on a tie, the input
 * whose first packet is older, then the order given (a directory's files in
 * name order). Only
 * CAPTURE_FRAME or CAPTURE_END: an input that fails says so on msgs and
 * ends there, the others go on. */
enum capture_status inputs_next(struct inputs *in, struct capture_frame *f);
/* some input could not be read completely (exit status 1) */
bool inputs_failed(const struct inputs *in);
void inputs_free(struct inputs *in);

#endif
