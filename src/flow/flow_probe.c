/* flow_probe: bounded first-bytes buffer and replay log for content detection. */
#include <string.h>

#include "flow_probe.h"

void flow_probe_init(struct flow_probe *pr)
{
    memset(pr, 0, sizeof *pr);
    pr->v[0] = pr->v[1] = PROBE_MORE;
}

static bool side_full(const struct flow_probe *pr, int side)
{
    return pr->lost[side] || pr->len[side] == FLOW_PROBE_BYTES;
}

size_t flow_probe_add(struct flow_probe *pr, int side, const uint8_t *p, size_t n, uint64_t ts)
{
    if (!n || pr->lost[side])
        return 0;
    size_t room = FLOW_PROBE_BYTES - pr->len[side];
    size_t k = n < room ? n : room;
    if (!k)
        return 0;
    struct probe_piece *last = pr->nlog ? &pr->log[pr->nlog - 1] : NULL;
    if (last && !last->gap && last->side == side) {
        last->n += k;   /* contiguous with the previous piece of this side */
    } else {
        if (pr->nlog == FLOW_PROBE_LOG)
            return 0;
        pr->log[pr->nlog++] = (struct probe_piece){ts, k, (uint32_t)pr->len[side], (uint8_t)side, false};
    }
    memcpy(pr->buf[side] + pr->len[side], p, k);
    pr->len[side] += k;
    return k;
}

void flow_probe_gap(struct flow_probe *pr, int side, uint64_t n, uint64_t ts)
{
    if (!n)
        return;
    if (!pr->lost[side]) {
        struct probe_piece *last = pr->nlog ? &pr->log[pr->nlog - 1] : NULL;
        if (last && last->gap && last->side == side) {
            last->n += n;
            pr->view[side] = pr->len[side];
            return;
        }
        if (pr->nlog < FLOW_PROBE_LOG) {
            pr->log[pr->nlog++] = (struct probe_piece){ts, n, 0, (uint8_t)side, true};
            pr->view[side] = pr->len[side];
            return;
        }
    }
    pr->lost[side] += n;
}

enum probe_verdict flow_probe_run(struct flow_probe *pr, const struct app_ops *app, int side)
{
    if (pr->v[side] != PROBE_MORE)
        return pr->v[side];
    size_t n = pr->len[side] - pr->view[side];
    if (n) {
        bool is_server = false;
        enum probe_verdict v = app->probe ? app->probe(pr->buf[side] + pr->view[side], n, &is_server) : PROBE_NO;
        pr->v[side] = v;
        pr->is_server[side] = is_server;
    }
    if (pr->v[side] == PROBE_MORE && side_full(pr, side))
        pr->v[side] = PROBE_NO;
    return pr->v[side];
}

bool flow_probe_hopeless(const struct flow_probe *pr)
{
    bool no0 = pr->v[0] == PROBE_NO, no1 = pr->v[1] == PROBE_NO;
    return (no0 && no1) || (no0 && pr->lost[0] > FLOW_PROBE_WAIT_BYTES) ||
           (no1 && pr->lost[1] > FLOW_PROBE_WAIT_BYTES);
}

void flow_probe_replay(const struct flow_probe *pr, const struct probe_replay *cb, uint64_t ts_now)
{
    for (size_t i = 0; i < pr->nlog; i++) {
        const struct probe_piece *pc = &pr->log[i];
        if (pc->gap)
            cb->gap(cb->u, pc->side, pc->n, pc->ts);
        else
            cb->data(cb->u, pc->side, pr->buf[pc->side] + pc->off, (size_t)pc->n, pc->ts);
    }
    for (int s = 0; s < 2; s++)
        if (pr->lost[s])
            cb->gap(cb->u, s, pr->lost[s], ts_now);
}
