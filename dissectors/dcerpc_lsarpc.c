/* dcerpc_lsarpc: SID and name translation (lookupsid-style enumeration).
 * Spec: [MS-LSAD] 3.1.4.4.1 LsarOpenPolicy2; [MS-LSAT] 3.1.4.5-3.1.4.9 LsarLookupNames(2,3,4),
 * 3.1.4.10-3.1.4.12 LsarLookupSids(2,3), 2.2.3 LSAPR_SID_INFORMATION, 2.2.4
 * LSAPR_SID_ENUM_BUFFER, 2.2.11-2.2.12 LSAPR_REFERENCED_DOMAIN_LIST / LSAPR_TRUST_INFORMATION,
 * 2.2.13-2.2.16 LSA_TRANSLATED_SID(_EX, _EX2), 2.2.17-2.2.20 LSAPR_TRANSLATED_NAME(S)(_EX).
 * Return values are NTSTATUS. */
#include <stdio.h>
#include <string.h>

#include "dcerpc_args.h"
#include "dcerpc_ndr.h"
#include "output/event.h"

enum {
    OP_LOOKUP_NAMES = 14,
    OP_LOOKUP_SIDS = 15,
    OP_OPEN_POLICY2 = 44,
    OP_LOOKUP_SIDS2 = 57,
    OP_LOOKUP_NAMES2 = 58,
    OP_LOOKUP_NAMES3 = 68,
    OP_LOOKUP_SIDS3 = 76,
    OP_LOOKUP_NAMES4 = 77,
};

/* the domains a response refers to by index: names and SIDs of the first DOMAINS_MAX kept */
#define DOMAINS_MAX 8
struct domains {
    uint32_t n;
    char name[DOMAINS_MAX][128];
    char sid[DOMAINS_MAX][NDR_SID_MAX];
};

struct ctx {
    struct event *ev;
    struct domains *dom;
    struct ndr_list names, sids;
};

static void add_domain(void *u, uint32_t idx, const struct ndr_elem *e)
{
    struct domains *d = u;
    if (idx >= DOMAINS_MAX)
        return;
    snprintf(d->name[idx], sizeof d->name[idx], "%s", e->s[0] ? e->s[0] : "");
    snprintf(d->sid[idx], sizeof d->sid[idx], "%s", e->s[1] ? e->s[1] : "");
    d->n = idx + 1;
}

/* [out] PLSAPR_REFERENCED_DOMAIN_LIST* ReferencedDomains: a unique pointer to {Entries, pointer to
 * LSAPR_TRUST_INFORMATION[] {RPC_UNICODE_STRING Name, PRPC_SID Sid}, MaxEntries} */
static bool referenced_domains(struct rd *r, struct domains *d)
{
    d->n = 0;
    uint32_t ref = ndr_ptr(r);
    if (!rd_ok(r) || !ref)
        return rd_ok(r);
    uint32_t n = ndr_u32(r), arr = ndr_ptr(r);
    ndr_u32(r);  /* MaxEntries */
    if (!rd_ok(r))
        return false;
    return !arr || ndr_struct_array(r, n, "uS", add_domain, d) == n;
}

static void add_name(void *u, uint32_t idx, const struct ndr_elem *e)
{
    (void)idx;
    struct ctx *c = u;
    /* LSAPR_TRANSLATED_NAME(_EX): Use, Name, DomainIndex (-1: none) */
    uint32_t di = e->u[2];
    const char *name = e->s[1] ? e->s[1] : "";
    if (di < c->dom->n && c->dom->name[di][0]) {
        char b[NDR_STR_MAX];
        snprintf(b, sizeof b, "%s\\%s", c->dom->name[di], name);
        ndr_list_add(c->ev, &c->names, b);
    } else {
        ndr_list_add(c->ev, &c->names, name);
    }
}

static void add_sid_rid(void *u, uint32_t idx, const struct ndr_elem *e)
{
    (void)idx;
    struct ctx *c = u;
    /* LSA_TRANSLATED_SID(_EX): Use, RelativeId, DomainIndex; the account's SID is the domain's
     * plus the RID (a domain itself comes back with the RID 0xffffffff... or its own SID) */
    uint32_t rid = e->u[1], di = e->u[2];
    if (di >= c->dom->n || !c->dom->sid[di][0])
        return;
    char b[NDR_SID_MAX + 16];
    if (e->u[0] == 3)  /* SidTypeDomain: the domain's own SID */
        snprintf(b, sizeof b, "%s", c->dom->sid[di]);
    else
        snprintf(b, sizeof b, "%s-%u", c->dom->sid[di], rid);
    ndr_list_add(c->ev, &c->sids, b);
}

static void add_sid(void *u, uint32_t idx, const struct ndr_elem *e)
{
    (void)idx;
    struct ctx *c = u;
    /* LSAPR_TRANSLATED_SID_EX2: Use, Sid, DomainIndex, Flags; or LSAPR_SID_INFORMATION: Sid */
    const char *s = e->s[1] ? e->s[1] : e->s[0];
    if (s)
        ndr_list_add(c->ev, &c->sids, s);
}

/* the names a lookup asks for: RPC_UNICODE_STRING[] */
static void add_plain_name(void *u, uint32_t idx, const struct ndr_elem *e)
{
    (void)idx;
    struct ctx *c = u;
    if (e->s[0])
        ndr_list_add(c->ev, &c->names, e->s[0]);
}

/* {Entries, pointer to elements} with the elements through fn; `count` when all decoded */
static void translated(struct rd *r, struct ctx *c, const char *fmt, ndr_elem_fn fn)
{
    uint32_t n = ndr_u32(r), arr = ndr_ptr(r);
    if (!rd_ok(r))
        return;
    uint32_t got = arr ? ndr_struct_array(r, n, fmt, fn, c) : 0;
    if (got == n)
        ev_uint(c->ev, F(count), n);
}

static void emit_lists(struct ctx *c)
{
    ndr_list_emit(c->ev, &c->names, F(names));
    ndr_list_emit(c->ev, &c->sids, F(sids));
}

void dcerpc_lsarpc_req(uint16_t opnum, struct rd *stub, struct event *ev)
{
    struct rd r = ndr_stub(stub);
    struct domains dom = {0};
    struct ctx c = {.ev = ev, .dom = &dom};
    char s[NDR_STR_MAX];
    bool present;
    switch (opnum) {
    case OP_OPEN_POLICY2:
        if (ndr_unique_wstr(&r, s, sizeof s, &present) && present)
            ev_str(ev, F(machine), s);
        break;
    case OP_LOOKUP_SIDS:
    case OP_LOOKUP_SIDS2:
    case OP_LOOKUP_SIDS3: {
        /* [in] PLSAPR_SID_ENUM_BUFFER SidEnumBuffer {Entries, pointer to LSAPR_SID_INFORMATION[]} */
        if (opnum != OP_LOOKUP_SIDS3 && !ndr_handle(&r))
            return;
        uint32_t n = ndr_u32(&r), arr = ndr_ptr(&r);
        if (rd_ok(&r) && arr)
            ndr_struct_array(&r, n, "S", add_sid, &c);
        emit_lists(&c);
        break;
    }
    case OP_LOOKUP_NAMES:
    case OP_LOOKUP_NAMES2:
    case OP_LOOKUP_NAMES3:
    case OP_LOOKUP_NAMES4: {
        /* Count, [in, size_is(Count)] PRPC_UNICODE_STRING Names: a conformant array */
        if (opnum != OP_LOOKUP_NAMES4 && !ndr_handle(&r))
            return;
        uint32_t n = ndr_u32(&r);
        if (!rd_ok(&r))
            return;
        ndr_struct_array(&r, n, "u", add_plain_name, &c);
        emit_lists(&c);
        break;
    }
    default: break;
    }
}

void dcerpc_lsarpc_rsp(uint16_t opnum, struct rd *stub, struct event *ev)
{
    struct rd r = ndr_stub(stub);
    struct domains dom;
    struct ctx c = {.ev = ev, .dom = &dom};
    switch (opnum) {
    case OP_LOOKUP_SIDS:
    case OP_LOOKUP_SIDS2:
    case OP_LOOKUP_SIDS3:
        if (!referenced_domains(&r, &dom))
            return;
        /* LSAPR_TRANSLATED_NAMES: {Use, Name, DomainIndex}; _EX adds Flags */
        translated(&r, &c, opnum == OP_LOOKUP_SIDS ? "hud" : "hudd", add_name);
        emit_lists(&c);
        break;
    case OP_LOOKUP_NAMES:
    case OP_LOOKUP_NAMES2:
        if (!referenced_domains(&r, &dom))
            return;
        /* LSAPR_TRANSLATED_SIDS: {Use, RelativeId, DomainIndex}; _EX adds Flags */
        translated(&r, &c, opnum == OP_LOOKUP_NAMES ? "hdd" : "hddd", add_sid_rid);
        emit_lists(&c);
        break;
    case OP_LOOKUP_NAMES3:
    case OP_LOOKUP_NAMES4:
        if (!referenced_domains(&r, &dom))
            return;
        /* LSAPR_TRANSLATED_SIDS_EX2: {Use, PRPC_SID Sid, DomainIndex, Flags} */
        translated(&r, &c, "hSdd", add_sid);
        emit_lists(&c);
        break;
    default: break;
    }
}
