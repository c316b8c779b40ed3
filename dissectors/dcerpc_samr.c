/* dcerpc_samr: account enumeration and lookups (who listed which users, groups, domains).
 * Spec: [MS-SAMR] 3.1.5.1.2-3.1.5.1.4 SamrConnect2/4/5, 3.1.5.11.1 SamrLookupDomainInSamServer,
 * 3.1.5.2.1 SamrEnumerateDomainsInSamServer, 3.1.5.1.5 SamrOpenDomain, 3.1.5.2.3-5
 * SamrEnumerateGroups/Aliases/UsersInDomain, 3.1.5.11.2 SamrLookupNamesInDomain, 3.1.5.11.3
 * SamrLookupIdsInDomain, 3.1.5.1.9 SamrOpenUser, 3.1.5.3.3 SamrQueryDisplayInformation(2,3),
 * 3.1.5.4.4 SamrCreateUser2InDomain, 2.2.3.9-2.2.3.10 SAMPR_RID_ENUMERATION/ENUMERATION_BUFFER,
 * 2.2.7.4 SAMPR_ULONG_ARRAY, 2.2.7.5 SAMPR_RETURNED_USTRING_ARRAY, 2.2.8.2-2.2.8.14 display
 * buffers. Return values are NTSTATUS. */
#include "dcerpc_args.h"
#include "dcerpc_ndr.h"
#include "output/event.h"

enum {
    OP_LOOKUP_DOMAIN = 5,
    OP_ENUM_DOMAINS = 6,
    OP_OPEN_DOMAIN = 7,
    OP_ENUM_GROUPS = 11,
    OP_CREATE_USER = 12,
    OP_ENUM_USERS = 13,
    OP_ENUM_ALIASES = 15,
    OP_LOOKUP_NAMES = 17,
    OP_LOOKUP_IDS = 18,
    OP_OPEN_USER = 34,
    OP_QUERY_DISPLAY = 40,
    OP_QUERY_DISPLAY2 = 48,
    OP_CREATE_USER2 = 50,
    OP_QUERY_DISPLAY3 = 51,
    OP_CONNECT2 = 57,
    OP_CONNECT4 = 62,
    OP_CONNECT5 = 64,
};

struct lists {
    struct event *ev;
    struct ndr_list names, rids;
    int name_at, rid_at;   /* member index of the name and the RID in the element format (-1: none) */
};

static void add_elem(void *u, uint32_t idx, const struct ndr_elem *e)
{
    (void)idx;
    struct lists *l = u;
    if (l->name_at >= 0 && e->s[l->name_at])
        ndr_list_add(l->ev, &l->names, e->s[l->name_at]);
    if (l->rid_at >= 0)
        ndr_list_addu(l->ev, &l->rids, e->u[l->rid_at]);
}

static void emit_lists(struct lists *l)
{
    ndr_list_emit(l->ev, &l->names, F(names));
    ndr_list_emit(l->ev, &l->rids, F(rids));
}

/* the unique pointer to a {count, pointer to conformant array of fmt} buffer, decoded through l;
 * `count` is written when every element decoded */
static void counted_array(struct rd *r, const char *fmt, struct lists *l)
{
    uint32_t n = ndr_u32(r), ref = ndr_ptr(r);
    if (!rd_ok(r))
        return;
    uint32_t got = ref ? ndr_struct_array(r, n, fmt, add_elem, l) : 0;
    if (got == n)
        ev_uint(l->ev, F(count), n);
    emit_lists(l);
}

/* enumerations: [in, out] EnumerationContext, [out] PSAMPR_ENUMERATION_BUFFER* Buffer (a unique
 * pointer to {EntriesRead, pointer to SAMPR_RID_ENUMERATION[]}), [out] CountReturned */
static void enum_rsp(struct rd *r, struct event *ev, bool rids)
{
    ndr_u32(r);
    uint32_t ref = ndr_ptr(r);
    if (!rd_ok(r) || !ref)
        return;
    /* RelativeId, RPC_UNICODE_STRING Name; for domains the "RID" is only an index ([MS-SAMR]
     * 3.1.5.2.1 sets it to 0, 1...): not reported */
    struct lists l = {.ev = ev, .name_at = 1, .rid_at = rids ? 0 : -1};
    counted_array(r, "du", &l);
}

/* [in] unsigned long Count, [in, size_is(1000), length_is(Count)] names or RIDs: a conformant
 * varying array */
static void lookup_req(struct rd *r, struct event *ev, bool names)
{
    if (!ndr_handle(r))
        return;
    uint32_t count = ndr_u32(r);
    uint32_t n = ndr_varying_hdr(r, names ? 8 : 4);
    if (!rd_ok(r) || n != count)
        return;
    struct lists l = {.ev = ev, .name_at = names ? 0 : -1, .rid_at = names ? -1 : 0};
    if (names) {
        /* the array's elements then their deferred bodies: walked like a conformant array whose
         * max_count was already read, so rebuild the view through a fake conformance */
        struct rd fixed = *r;
        struct ndr_ustr h[1];
        char s[NDR_STR_MAX];
        /* pass 1: headers */
        for (uint32_t i = 0; i < n; i++)
            if (!ndr_ustr_hdr(r, h))
                return;
        /* pass 2: bodies in order */
        for (uint32_t i = 0; i < n; i++) {
            ndr_ustr_hdr(&fixed, h);
            if (!ndr_ustr_body(r, h, s, sizeof s))
                break;
            if (h->ptr)
                ndr_list_add(ev, &l.names, s);
        }
    } else {
        for (uint32_t i = 0; i < n; i++) {
            uint32_t rid = ndr_u32(r);
            if (!rd_ok(r))
                break;
            ndr_list_addu(ev, &l.rids, rid);
        }
    }
    emit_lists(&l);
}

/* SamrLookupNamesInDomain response: RelativeIds then Use, both SAMPR_ULONG_ARRAY {Count, unique
 * pointer to a conformant array of unsigned long} */
static void lookup_names_rsp(struct rd *r, struct event *ev)
{
    uint32_t n = ndr_u32(r), ref = ndr_ptr(r);
    if (!rd_ok(r))
        return;
    struct lists l = {.ev = ev, .name_at = -1, .rid_at = 0};
    uint32_t got = ref ? ndr_struct_array(r, n, "d", add_elem, &l) : 0;
    if (got == n)
        ev_uint(ev, F(count), n);
    emit_lists(&l);
}

/* SamrLookupIdsInDomain response: Names, a SAMPR_RETURNED_USTRING_ARRAY {Count, pointer to
 * RPC_UNICODE_STRING[]}, then Use */
static void lookup_ids_rsp(struct rd *r, struct event *ev)
{
    struct lists l = {.ev = ev, .name_at = 0, .rid_at = -1};
    counted_array(r, "u", &l);
}

/* SamrQueryDisplayInformation(2,3) response: TotalAvailable, TotalReturned, then the union
 * (discriminant DOMAIN_DISPLAY_INFORMATION, an enum: 16 bits) of display buffers */
static void display_rsp(struct rd *r, struct event *ev)
{
    ndr_u32(r);
    ndr_u32(r);
    uint16_t cls = ndr_u16(r);
    if (!rd_ok(r))
        return;
    ev_uint(ev, F(level), cls);
    const char *fmt;
    switch (cls) {
    case 1: fmt = "ddduuu"; break;  /* user: Index, Rid, AccountControl, AccountName, AdminComment, FullName */
    case 2: fmt = "ddduu"; break;   /* machine: Index, Rid, AccountControl, AccountName, AdminComment */
    case 3: fmt = "ddduu"; break;   /* group: Index, Rid, Attributes, AccountName, AdminComment */
    default: return;                /* 4, 5: OEM names ([MS-SAMR] 2.2.8.5): not decoded */
    }
    struct lists l = {.ev = ev, .name_at = 3, .rid_at = 1};
    counted_array(r, fmt, &l);
}

void dcerpc_samr_req(uint16_t opnum, struct rd *stub, struct event *ev)
{
    struct rd r = ndr_stub(stub);
    char s[NDR_STR_MAX];
    bool present;
    switch (opnum) {
    case OP_CONNECT2:
    case OP_CONNECT4:
    case OP_CONNECT5:
        /* [in, unique, string] PSAMPR_SERVER_NAME ServerName */
        if (ndr_unique_wstr(&r, s, sizeof s, &present) && present)
            ev_str(ev, F(machine), s);
        break;
    case OP_LOOKUP_DOMAIN:
        if (ndr_handle(&r) && ndr_ustr(&r, s, sizeof s))
            ev_str(ev, F(domain), s);
        break;
    case OP_OPEN_DOMAIN:
        /* ServerHandle, DesiredAccess, [in] PRPC_SID DomainId (a ref pointer: the SID itself) */
        if (!ndr_handle(&r))
            return;
        ndr_u32(&r);
        if (rd_ok(&r) && ndr_sid(&r, s, sizeof s)) {
            const char *v[1] = {s};
            fs_strv(ev, NULL, F(sids), v, 1);
        }
        break;
    case OP_LOOKUP_NAMES: lookup_req(&r, ev, true); break;
    case OP_LOOKUP_IDS: lookup_req(&r, ev, false); break;
    case OP_OPEN_USER: {
        if (!ndr_handle(&r))
            return;
        ndr_u32(&r);  /* DesiredAccess */
        uint32_t rid = ndr_u32(&r);
        if (rd_ok(&r)) {
            struct ndr_list l = {0};
            ndr_list_addu(ev, &l, rid);
            ndr_list_emit(ev, &l, F(rids));
        }
        break;
    }
    case OP_CREATE_USER:
    case OP_CREATE_USER2:
        if (ndr_handle(&r) && ndr_ustr(&r, s, sizeof s))
            ev_str(ev, F(user_name), s);
        break;
    default: break;
    }
}

void dcerpc_samr_rsp(uint16_t opnum, struct rd *stub, struct event *ev)
{
    struct rd r = ndr_stub(stub);
    char s[NDR_STR_MAX];
    switch (opnum) {
    case OP_ENUM_DOMAINS: enum_rsp(&r, ev, false); break;
    case OP_ENUM_GROUPS:
    case OP_ENUM_USERS:
    case OP_ENUM_ALIASES: enum_rsp(&r, ev, true); break;
    case OP_LOOKUP_NAMES: lookup_names_rsp(&r, ev); break;
    case OP_LOOKUP_IDS: lookup_ids_rsp(&r, ev); break;
    case OP_QUERY_DISPLAY:
    case OP_QUERY_DISPLAY2:
    case OP_QUERY_DISPLAY3: display_rsp(&r, ev); break;
    case OP_LOOKUP_DOMAIN: {
        /* [out] PRPC_SID* DomainId: a unique pointer to the SID */
        uint32_t ref = ndr_ptr(&r);
        if (rd_ok(&r) && ref && ndr_sid(&r, s, sizeof s)) {
            const char *v[1] = {s};
            fs_strv(ev, NULL, F(sids), v, 1);
        }
        break;
    }
    default: break;
    }
}
