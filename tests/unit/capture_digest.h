/* capture_digest: read a capture to its end and sum up what came out (frames
 * with their times, lengths and bytes; how it ended), so two ways of reading
 * the same bytes can be compared: test_pcapview.c and fuzz_pcapview.c
 * (pcapview against libpcap). Header-only: the fuzz target builds without
 * the unit tests' objects. */
#ifndef SMBSCOPE_CAPTURE_DIGEST_H
#define SMBSCOPE_CAPTURE_DIGEST_H

#include <stdio.h>
#include <string.h>

#include "capture.h"

struct capture_digest {
    size_t frames;
    uint64_t sum;              /* of time, lengths and bytes, position-weighted */
    enum capture_status end;
    char err[CAPTURE_ERR_MAX]; /* when end is CAPTURE_ERROR */
};

/* every frame of c; c stays open (the caller closes it) */
static inline void capture_digest(struct capture *c, struct capture_digest *d)
{
    memset(d, 0, sizeof *d);
    struct capture_frame f;
    enum capture_status st;
    while ((st = capture_next(c, &f)) == CAPTURE_FRAME) {
        d->frames++;
        d->sum = d->sum * 1000003u + f.ts_us;
        d->sum = d->sum * 1000003u + f.caplen;
        d->sum = d->sum * 1000003u + f.wirelen;
        for (size_t i = 0; i < f.caplen; i++)
            d->sum = d->sum * 31u + f.data[i];
    }
    d->end = st;
    if (st == CAPTURE_ERROR)
        snprintf(d->err, sizeof d->err, "%s", capture_error(c));
}

static inline int capture_digest_eq(const struct capture_digest *a, const struct capture_digest *b)
{
    return a->frames == b->frames && a->sum == b->sum && a->end == b->end && !strcmp(a->err, b->err);
}

#endif
