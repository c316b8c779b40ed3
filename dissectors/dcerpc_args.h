/* dcerpc_args: the per-family argument decoders behind dcerpc_ifaces' table (one file each:
 * dcerpc_svcctl.c, dcerpc_winreg.c, dcerpc_srvsvc.c, dcerpc_samr.c, dcerpc_lsarpc.c,
 * dcerpc_tsch.c (atsvc and ITaskSchedulerService), dcerpc_spoolss.c). Each takes the whole
 * reassembled stub; see dcerpc_ifaces.h for the rules. */
#ifndef SMBSCOPE_DCERPC_ARGS_H
#define SMBSCOPE_DCERPC_ARGS_H

#include <stdint.h>

struct event;
struct rd;

#define DCERPC_REQ(fam) void dcerpc_##fam##_req(uint16_t opnum, struct rd *stub, struct event *ev);
#define DCERPC_RSP(fam) void dcerpc_##fam##_rsp(uint16_t opnum, struct rd *stub, struct event *ev);
DCERPC_REQ(svcctl)
DCERPC_REQ(winreg)
DCERPC_RSP(winreg)
DCERPC_REQ(srvsvc)
DCERPC_RSP(srvsvc)
DCERPC_REQ(samr)
DCERPC_RSP(samr)
DCERPC_REQ(lsarpc)
DCERPC_RSP(lsarpc)
DCERPC_REQ(atsvc)
DCERPC_REQ(tsch)
DCERPC_REQ(spoolss)
#undef DCERPC_REQ
#undef DCERPC_RSP

#endif
