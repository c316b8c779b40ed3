/* options: the command line (README "Usage" and "Limits", man/smbscope.1):
 * every option parsed and checked against its bounds, and -h's text. */
#ifndef SMBSCOPE_OPTIONS_H
#define SMBSCOPE_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyzer.h"
#include "capture.h"

enum { EXIT_OK = 0, EXIT_INPUT = 1, EXIT_USAGE = 2 };

/* what the command line asks of main.c (the analyzer's part goes to its config) */
struct run_opts {
    const char *iface, *filter, *out_path, *extract_dir;
    bool json;
    const char **reads;   /* every -r, in order (many inputs: inputs.h) */
    size_t nreads;
    uint64_t max_open_inputs;
    bool summary, summary_only;
    const char *user;                            /* -Z */
    uint64_t rotate_s, rotate_bytes, stats_interval_s;
    struct capture_live_opts live;               /* --snaplen, --buffer-size, --fanout */
};

/* argv into o and cfg (both preset with their defaults; o->reads has room
 * for argc entries): -1 to go on, or the exit code (-h, --version, a usage
 * error, reported on stderr) */
int options_parse(int argc, char **argv, struct run_opts *o, struct analyzer_config *cfg);

/* the live default filter: "tcp port P or tcp port Q ..." over the protocol's
 * own ports (app_ops.ports) and --port, so it never disagrees with the analyzer */
void live_filter(const struct analyzer_config *cfg, char *buf, size_t cap);

#endif
