/* flow_probe: the first bytes of a flow on an unknown port, kept (bounded) in
 * arrival order while app->probe decides, then replayed to the app exactly as
 * they came, gaps included, so analysis loses nothing to the detection. */
#ifndef SMBSCOPE_FLOW_PROBE_H
#define SMBSCOPE_FLOW_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app.h"

#define FLOW_PROBE_BYTES 256   /* per direction: enough for an NBSS + SMB header */
#define FLOW_PROBE_LOG 16      /* data/gap pieces remembered, both directions */
/* a side that said no is still followed (its bytes become a gap in the
 * replay) in case the other side says yes, but only this far: past it the
 * flow is given up rather than reassembled for nothing */
#define FLOW_PROBE_WAIT_BYTES (64u << 10)

struct probe_piece {
    uint64_t ts;
    uint64_t n;
    uint32_t off;              /* into buf[side] (data pieces) */
    uint8_t side;
    bool gap;
};

struct flow_probe {
    uint8_t buf[2][FLOW_PROBE_BYTES];
    size_t len[2];             /* bytes kept */
    size_t view[2];            /* the probe looks at buf[side][view..len): bytes after the last gap */
    uint64_t lost[2];          /* bytes (and gaps) past what could be kept: replayed as one gap */
    enum probe_verdict v[2];
    bool is_server[2];
    struct probe_piece log[FLOW_PROBE_LOG];
    size_t nlog;
};

void flow_probe_init(struct flow_probe *pr);
/* keep up to n bytes of side; returns how many were kept. Once a side lost
 * anything, nothing more of it is kept (the replay must stay in order). */
size_t flow_probe_add(struct flow_probe *pr, int side, const uint8_t *p, size_t n, uint64_t ts);
/* a gap of n bytes in side; the probe view restarts after it */
void flow_probe_gap(struct flow_probe *pr, int side, uint64_t n, uint64_t ts);
/* ask app->probe about side's bytes if still undecided; a full buffer that
 * is still PROBE_MORE becomes PROBE_NO */
enum probe_verdict flow_probe_run(struct flow_probe *pr, const struct app_ops *app, int side);

/* no side can say yes any more, or one said no and the other kept silent too long */
bool flow_probe_hopeless(const struct flow_probe *pr);

struct probe_replay {
    void (*data)(void *u, int side, const uint8_t *p, size_t n, uint64_t ts);
    void (*gap)(void *u, int side, uint64_t n, uint64_t ts);
    void *u;
};
/* everything kept, in arrival order, then each side's lost bytes as a gap */
void flow_probe_replay(const struct flow_probe *pr, const struct probe_replay *cb, uint64_t ts_now);

#endif
