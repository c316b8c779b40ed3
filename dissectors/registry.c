/* registry: wires NBSS framing to the SMB1 engine for one TCP connection and
 * offers content detection for connections on other ports. */
#include "registry.h"

#include <stdlib.h>
#include <string.h>

#include "nbss.h"
#include "smb1_core.h"
#include "smb1_stats.h"

struct smb_app {
    struct smb_app_ctx *ctx;
    struct nbss nb;
    struct smb1_core core;
};

static void on_begin(void *u, enum dir d, size_t len, uint64_t ts)
{
    smb1_msg_begin(&((struct smb_app *)u)->core, d, len, ts);
}
static void on_data(void *u, enum dir d, const uint8_t *p, size_t n, uint64_t ts)
{
    smb1_msg_data(&((struct smb_app *)u)->core, d, p, n, ts);
}
static void on_gap(void *u, enum dir d, size_t n, uint64_t ts)
{
    smb1_msg_gap(&((struct smb_app *)u)->core, d, n, ts);
}
static void on_end(void *u, enum dir d, bool complete, uint64_t ts)
{
    smb1_msg_end(&((struct smb_app *)u)->core, d, complete, ts);
}

static const struct nbss_msg_ops to_smb1 = {on_begin, on_data, on_gap, on_end};

static void *app_open(void *ctxp, const struct conn_ref *conn, bool midstream, uint64_t ts_us)
{
    (void)ts_us;
    struct smb_app_ctx *ctx = ctxp;
    struct smb_app *a = mb_calloc(ctx->mb, sizeof *a);
    a->ctx = ctx;
    ctx->connections++;
    /* RFC 1002 framing on 139; direct hosting elsewhere until a session request says otherwise */
    nbss_init(&a->nb, conn->server_port != 139, midstream, conn, ctx->em, ctx->lim, &to_smb1, a);
    smb1_core_init(&a->core, conn, ctx->em, ctx->lim, ctx->files, midstream);
    smb1_conn_env(&a->core.c, ctx->mb, &ctx->hkey);
    return a;
}

static void app_data(void *app, enum dir d, const uint8_t *p, size_t n, uint64_t ts_us)
{
    struct smb_app *a = app;
    nbss_data(&a->nb, d, p, n, ts_us);
}

static void app_gap(void *app, enum dir d, size_t n, uint64_t ts_us)
{
    struct smb_app *a = app;
    nbss_gap(&a->nb, d, n, ts_us);
}

static void app_close(void *app, uint64_t ts_us)
{
    struct smb_app *a = app;
    nbss_close(&a->nb, ts_us);
    smb1_core_end(&a->core, ts_us);
    for (int i = 0; i < 256; i++)
        a->ctx->cmd_count[i] += a->core.c.cmd_count[i][0] + a->core.c.cmd_count[i][1];
    smb1_core_free(&a->core);
    mb_free(a->ctx->mb, a, sizeof *a);
}

/* the stats record's smb1_commands, from the SMB1 module */
static void app_stats(void *ctxp, struct event *stats)
{
    const struct smb_app_ctx *ctx = ctxp;
    smb1_stats_commands(ctx->cmd_count, stats);
}

/* NetBIOS session service (RFC 1002) and direct hosting ([MS-SMB] 2.1) */
static const uint16_t smb_ports[] = {139, 445};

const struct app_ops smb_app_ops = {
    .ports = smb_ports,
    .nports = sizeof smb_ports / sizeof smb_ports[0],
    .stats = app_stats,
    .probe = nbss_probe,
    .open = app_open,
    .data = app_data,
    .gap = app_gap,
    .close = app_close,
};
