/* dcerpc_srvsvc: share enumeration (what shares a client listed).
 * Spec: [MS-SRVS] 3.1.4.8 NetrShareEnum, 3.1.4.23 NetrShareEnumSticky, 2.2.4.38
 * SHARE_ENUM_STRUCT, 2.2.4.22-2.2.4.25 SHARE_INFO_0/1/2/501/502 and their containers. */
#include "dcerpc_args.h"
#include "dcerpc_ndr.h"
#include "output/event.h"

enum {
    OP_SHARE_ENUM = 15,
    OP_SHARE_ENUM_STICKY = 36,
};

/* each level's SHARE_INFO_x as an element format (dcerpc_ndr.h): netname first in all of them */
static const char *level_fmt(uint32_t level)
{
    switch (level) {
    case 0: return "s";               /* shi0_netname */
    case 1: return "sds";             /* netname, type, remark */
    case 2: return "sdsdddss";        /* + permissions, max_uses, current_uses, path, passwd */
    case 501: return "sdsd";          /* netname, type, remark, flags */
    case 502: return "sdsdddssdb";    /* level 2 + reserved, [size_is(reserved)] security_descriptor */
    default: return NULL;
    }
}

struct shares {
    struct event *ev;
    struct ndr_list l;
};

static void add_share(void *u, uint32_t idx, const struct ndr_elem *e)
{
    (void)idx;
    struct shares *sh = u;
    if (e->s[0])
        ndr_list_add(sh->ev, &sh->l, e->s[0]);
}

/* [in, string, unique] SRVSVC_HANDLE ServerName */
static bool server_name(struct rd *r, struct event *ev)
{
    char s[NDR_STR_MAX];
    bool present;
    bool ok = ndr_unique_wstr(r, s, sizeof s, &present);
    if (ok && present)
        ev_str(ev, F(machine), s);
    return ok;
}

/* SHARE_ENUM_STRUCT: Level, the union's discriminant, a unique pointer to the level's container
 * {EntriesRead, [size_is(EntriesRead)] pointer to the array}; returns the level (or -1) */
static int64_t share_enum_struct(struct rd *r, struct event *ev, bool entries)
{
    uint32_t level = ndr_u32(r), tag = ndr_u32(r);
    if (!rd_ok(r))
        return -1;
    ev_uint(ev, F(level), level);
    const char *fmt = level_fmt(level);
    if (tag != level || !fmt || !ndr_ptr(r) || !rd_ok(r))
        return -1;
    uint32_t n = ndr_u32(r), buf = ndr_ptr(r);
    if (!rd_ok(r))
        return -1;
    if (!buf) {
        if (entries)
            ev_uint(ev, F(count), 0);
        return level;
    }
    struct shares sh = {.ev = ev};
    uint32_t got = ndr_struct_array(r, n, fmt, add_share, &sh);
    if (entries && got == n)
        ev_uint(ev, F(count), n);
    if (entries)
        ndr_list_emit(ev, &sh.l, F(shares));
    return rd_ok(r) ? (int64_t)level : -1;
}

void dcerpc_srvsvc_req(uint16_t opnum, struct rd *stub, struct event *ev)
{
    if (opnum != OP_SHARE_ENUM && opnum != OP_SHARE_ENUM_STICKY)
        return;
    struct rd r = ndr_stub(stub);
    if (server_name(&r, ev))
        share_enum_struct(&r, ev, false);
}

void dcerpc_srvsvc_rsp(uint16_t opnum, struct rd *stub, struct event *ev)
{
    if (opnum != OP_SHARE_ENUM && opnum != OP_SHARE_ENUM_STICKY)
        return;
    struct rd r = ndr_stub(stub);
    share_enum_struct(&r, ev, true);
}
