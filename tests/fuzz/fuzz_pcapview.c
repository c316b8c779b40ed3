/* fuzz_pcapview: libFuzzer target, differential: a classic pcap file's bytes
 * read by libpcap's pcap_next_ex and by capture_read_views (pcapview) must
 * give the same frames (time, lengths, bytes) and end the same way (the same
 * error message after the same records). Any difference aborts. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "../unit/capture_digest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* capture_digest of the bytes, read by libpcap alone or through the views;
 * false when libpcap does not take them as a capture */
static bool read_all(const uint8_t *data, size_t size, bool views, struct capture_digest *d, bool *used_views)
{
    memset(d, 0, sizeof *d);
    FILE *in = fmemopen((void *)data, size, "rb");
    if (!in)
        return false;
    char err[CAPTURE_ERR_MAX];
    struct capture *c = capture_open_stream(in, "fuzz", err, sizeof err); /* takes `in` */
    if (!c)
        return false;
    *used_views = views && capture_read_views(c, data, NULL, NULL);
    capture_digest(c, d);
    capture_close(c);
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 4)
        return 0;
    struct capture_digest a, v;
    bool unused, views = false;
    bool opened_a = read_all(data, size, false, &a, &unused), opened_v = read_all(data, size, true, &v, &views);
    if (opened_a != opened_v || !capture_digest_eq(&a, &v)) {
        fprintf(stderr, "pcapview differs from libpcap (views %d): %zu/%zu frames, end %d/%d, \"%s\" / \"%s\"\n",
                views, a.frames, v.frames, a.end, v.end, a.err, v.err);
        abort();
    }
    return 0;
}
