/* fuzz_pcapview: libFuzzer target, differential: a classic pcap file's bytes
 * read by libpcap's pcap_next_ex and by capture_read_views (pcapview) must
 * give the same frames (time, lengths, bytes) and end the same way (the same
 * error message after the same records). Any difference aborts. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct out {
    size_t frames;
    uint64_t sum;
    enum capture_status end;
    char err[CAPTURE_ERR_MAX];
    bool opened, views;
};

static void read_all(const uint8_t *data, size_t size, bool views, struct out *o)
{
    memset(o, 0, sizeof *o);
    FILE *in = fmemopen((void *)data, size, "rb");
    if (!in)
        return;
    char err[CAPTURE_ERR_MAX];
    struct capture *c = capture_open_stream(in, "fuzz", err, sizeof err); /* takes `in` */
    if (!c)
        return;
    o->opened = true;
    if (views)
        o->views = capture_read_views(c, data, NULL, NULL);
    struct capture_frame f;
    enum capture_status st;
    while ((st = capture_next(c, &f)) == CAPTURE_FRAME) {
        o->frames++;
        o->sum = o->sum * 1000003u + f.ts_us;
        o->sum = o->sum * 1000003u + f.caplen;
        o->sum = o->sum * 1000003u + f.wirelen;
        for (size_t i = 0; i < f.caplen; i++)
            o->sum = o->sum * 31u + f.data[i];
    }
    o->end = st;
    if (st == CAPTURE_ERROR)
        snprintf(o->err, sizeof o->err, "%s", capture_error(c));
    capture_close(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 4)
        return 0;
    struct out a, v;
    read_all(data, size, false, &a);
    read_all(data, size, true, &v);
    if (a.opened != v.opened || a.frames != v.frames || a.sum != v.sum || a.end != v.end || strcmp(a.err, v.err)) {
        fprintf(stderr, "pcapview differs from libpcap (views %d): %zu/%zu frames, end %d/%d, \"%s\" / \"%s\"\n",
                v.views, a.frames, v.frames, a.end, v.end, a.err, v.err);
        abort();
    }
    return 0;
}
