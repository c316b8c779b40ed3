/* dcerpc_svcctl: arguments of the service control manager calls (remote service creation).
 * Spec: [MS-SCMR] 3.1.4.12 RCreateServiceW, 3.1.4.11 RChangeServiceConfigW, 3.1.4.15
 * ROpenSCManagerW, 3.1.4.16 ROpenServiceW, 3.1.4.30 RStartServiceW, 2.2.47 dwStartType values.
 *
 * RDeleteService and the others take only a handle: the service they act on is known through the
 * handle OpenServiceW/CreateServiceW returned, which the PDU layer maps across calls. */
#include <stdio.h>

#include "dcerpc_args.h"
#include "dcerpc_ndr.h"
#include "output/event.h"

enum {
    OP_CHANGE_CONFIG = 11,
    OP_CREATE = 12,
    OP_OPEN_SCM = 15,
    OP_OPEN_SERVICE = 16,
    OP_START = 19,
};

#define SERVICE_NO_CHANGE 0xffffffffu

static void str_if(struct event *ev, const struct fld_t_str *f, bool ok, bool present, const char *s)
{
    if (ok && present)
        ev_str(ev, f, s);
}

/* [MS-SCMR] 2.2.47 (dwStartType) */
static void start_type(struct event *ev, uint32_t v)
{
    static const char *const names[] = {"boot", "system", "auto", "demand", "disabled"};
    if (v < sizeof names / sizeof names[0])
        ev_str(ev, F(start_type), names[v]);
}

/* [in, unique, size_is(n)] LPBYTE followed later by its DWORD size: skip the pointee */
static void skip_bytes_ptr(struct rd *r)
{
    if (ndr_ptr(r) && rd_ok(r)) {
        uint32_t n = ndr_conformant_hdr(r, 1);
        rd_skip(r, n);
    }
}

static void create_service(struct rd *r, struct event *ev)
{
    char s[NDR_STR_MAX];
    bool present;
    if (!ndr_handle(r))
        return;
    if (!ndr_wstr(r, s, sizeof s))  /* lpServiceName: [in, string] (a ref pointer: no referent id) */
        return;
    ev_str(ev, F(service_name), s);
    bool ok = ndr_unique_wstr(r, s, sizeof s, &present);  /* lpDisplayName */
    str_if(ev, F(display_name), ok, present, s);
    uint32_t access = ndr_u32(r), type = ndr_u32(r), start = ndr_u32(r);
    ndr_u32(r);  /* dwErrorControl */
    if (!rd_ok(r))
        return;
    ev_uint(ev, F(access_mask), access);
    ev_uint(ev, F(service_type), type);
    start_type(ev, start);
    if (!ndr_wstr(r, s, sizeof s))  /* lpBinaryPathName: [in, string] */
        return;
    ev_str(ev, F(binary_path), s);
    if (!ndr_unique_wstr(r, s, sizeof s, &present))  /* lpLoadOrderGroup */
        return;
    if (ndr_ptr(r))  /* lpdwTagId */
        ndr_u32(r);
    skip_bytes_ptr(r);  /* lpDependencies */
    ndr_u32(r);         /* dwDependSize */
    if (!rd_ok(r))
        return;
    ok = ndr_unique_wstr(r, s, sizeof s, &present);  /* lpServiceStartName */
    str_if(ev, F(user_name), ok, present, s);
}

static void change_config(struct rd *r, struct event *ev)
{
    char s[NDR_STR_MAX];
    bool present;
    if (!ndr_handle(r))
        return;
    uint32_t type = ndr_u32(r), start = ndr_u32(r);
    ndr_u32(r);  /* dwErrorControl */
    if (!rd_ok(r))
        return;
    if (type != SERVICE_NO_CHANGE)
        ev_uint(ev, F(service_type), type);
    start_type(ev, start);
    bool ok = ndr_unique_wstr(r, s, sizeof s, &present);  /* lpBinaryPathName */
    str_if(ev, F(binary_path), ok, present, s);
    if (!ok || !ndr_unique_wstr(r, s, sizeof s, &present))  /* lpLoadOrderGroup */
        return;
    if (ndr_ptr(r))  /* lpdwTagId */
        ndr_u32(r);
    skip_bytes_ptr(r);  /* lpDependencies */
    ndr_u32(r);         /* dwDependSize */
    if (!rd_ok(r))
        return;
    ok = ndr_unique_wstr(r, s, sizeof s, &present);  /* lpServiceStartName */
    str_if(ev, F(user_name), ok, present, s);
    if (!ok)
        return;
    skip_bytes_ptr(r);  /* lpPassword */
    ndr_u32(r);         /* dwPwSize */
    if (!rd_ok(r))
        return;
    ok = ndr_unique_wstr(r, s, sizeof s, &present);  /* lpDisplayName */
    str_if(ev, F(display_name), ok, present, s);
}

static void open_scm(struct rd *r, struct event *ev)
{
    char s[NDR_STR_MAX];
    bool present;
    bool ok = ndr_unique_wstr(r, s, sizeof s, &present);  /* lpMachineName */
    str_if(ev, F(machine), ok, present, s);
    if (!ok || !ndr_unique_wstr(r, s, sizeof s, &present))  /* lpDatabaseName */
        return;
    uint32_t access = ndr_u32(r);
    if (rd_ok(r))
        ev_uint(ev, F(access_mask), access);
}

static void open_service(struct rd *r, struct event *ev)
{
    char s[NDR_STR_MAX];
    if (!ndr_handle(r) || !ndr_wstr(r, s, sizeof s))  /* lpServiceName: [in, string] */
        return;
    ev_str(ev, F(service_name), s);
    uint32_t access = ndr_u32(r);
    if (rd_ok(r))
        ev_uint(ev, F(access_mask), access);
}

/* argv: [in, unique, size_is(argc)] LPSTRING_PTRSW, an array of [string, unique] wchar_t* */
static void add_arg(void *u, uint32_t idx, const struct ndr_elem *e)
{
    (void)idx;
    void **a = u;
    if (e->s[0])
        ndr_list_add(a[0], a[1], e->s[0]);
}

static void start_service(struct rd *r, struct event *ev)
{
    if (!ndr_handle(r))
        return;
    uint32_t argc = ndr_u32(r);
    if (!rd_ok(r) || !ndr_ptr(r) || !rd_ok(r))
        return;
    struct ndr_list l = {0};
    void *a[2] = {ev, &l};
    ndr_struct_array(r, argc, "s", add_arg, a);
    ndr_list_emit(ev, &l, F(service_args));
}

void dcerpc_svcctl_req(uint16_t opnum, struct rd *stub, struct event *ev)
{
    struct rd r = ndr_stub(stub);
    switch (opnum) {
    case OP_CREATE: create_service(&r, ev); break;
    case OP_CHANGE_CONFIG: change_config(&r, ev); break;
    case OP_OPEN_SCM: open_scm(&r, ev); break;
    case OP_OPEN_SERVICE: open_service(&r, ev); break;
    case OP_START: start_service(&r, ev); break;
    default: break;
    }
}
