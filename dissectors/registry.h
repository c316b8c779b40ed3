/* registry: the protocol analyzer the flow layer drives (app_ops for NBSS + SMB1). */
#ifndef SMBSCOPE_REGISTRY_H
#define SMBSCOPE_REGISTRY_H

#include "app.h"
#include "files.h"
#include "htab.h"
#include "limits.h"

/* what every connection's analyzer shares with the run */
struct smb_app_ctx {
    const struct limits *lim;
    const struct emitter *em;
    struct file_pool *files;
    /* SMB1 messages per command code (requests + responses, each AndX link), all connections */
    uint64_t cmd_count[256];
    uint64_t connections;
    struct membudget *mb;      /* the run's state budget (or NULL) */
    struct hkey hkey;          /* the run's secret key for tables keyed by wire values */
};

extern const struct app_ops smb_app_ops;

#endif
