/* dcerpc_tsch: remote scheduled tasks (the at command and the Task Scheduler service).
 * Spec: [MS-TSCH] 3.2.5.2.1 NetrJobAdd, 2.3.4 AT_INFO; 3.2.5.4.2 SchRpcRegisterTask, 3.2.5.4.3
 * SchRpcRetrieveTask, 3.2.5.4.13 SchRpcRun, 3.2.5.4.14 SchRpcDelete, 3.2.5.4.20 SchRpcEnableTask;
 * 2.5 (task XML: Actions/Exec/Command and Arguments). */
#include <stdlib.h>
#include <string.h>

#include "dcerpc_args.h"
#include "dcerpc_ndr.h"
#include "output/event.h"
#include "str.h"

enum {
    OP_JOB_ADD = 0,
    OP_REGISTER_TASK = 1,
    OP_RETRIEVE_TASK = 2,
    OP_RUN = 12,
    OP_DELETE = 13,
    OP_ENABLE = 19,
};

void dcerpc_atsvc_req(uint16_t opnum, struct rd *stub, struct event *ev)
{
    if (opnum != OP_JOB_ADD)
        return;
    struct rd r = ndr_stub(stub);
    char s[NDR_STR_MAX];
    bool present;
    /* [in, string, unique] ATSVC_HANDLE ServerName, [in] LPAT_INFO pAtInfo (a ref pointer) */
    if (!ndr_unique_wstr(&r, s, sizeof s, &present))
        return;
    if (present)
        ev_str(ev, F(machine), s);
    /* AT_INFO: JobTime (DWORD_PTR: 4 bytes in NDR20), DaysOfMonth, DaysOfWeek, Flags, Command */
    ndr_u32(&r);
    ndr_u32(&r);
    ndr_u8(&r);
    ndr_u8(&r);
    uint32_t ref = ndr_ptr(&r);
    if (rd_ok(&r) && ref && ndr_wstr(&r, s, sizeof s))
        ev_str(ev, F(task_command), s);
}

/* the text between <tag> and </tag> (the first such element), or false */
static bool xml_elem(const char *xml, const char *tag, char *out, size_t cap)
{
    char open[32], close[32];
    size_t tl = strlen(tag);
    if (tl + 4 > sizeof open)
        return false;
    open[0] = '<';
    memcpy(open + 1, tag, tl);
    open[tl + 1] = '>';
    open[tl + 2] = 0;
    close[0] = '<';
    close[1] = '/';
    memcpy(close + 2, tag, tl);
    close[tl + 2] = '>';
    close[tl + 3] = 0;
    const char *a = strstr(xml, open);
    if (!a)
        return false;
    a += tl + 2;
    const char *b = strstr(a, close);
    if (!b)
        return false;
    size_t n = (size_t)(b - a);
    if (n >= cap)
        n = str_utf8_trunc(a, cap - 1);
    memcpy(out, a, n);
    out[n] = 0;
    return true;
}

/* [in, string] const wchar_t* xml: converted up to NDR_XML_MAX bytes and searched */
static void task_xml(struct rd *r, struct event *ev)
{
    uint32_t n = ndr_varying_hdr(r, 2);
    const uint8_t *b = rd_ok(r) ? rd_bytes(r, (size_t)n * 2) : NULL;
    if (!b)
        return;
    uint32_t chars = n;
    if (chars && b[2 * chars - 2] == 0 && b[2 * chars - 1] == 0)
        chars--;
    ev_uint(ev, F(xml_length), chars);
    size_t in = (size_t)chars * 2 < NDR_XML_MAX ? (size_t)chars * 2 : NDR_XML_MAX;
    /* UTF-8 takes at most 3 bytes per UTF-16 unit (4 per surrogate pair) */
    static const size_t cap = NDR_XML_MAX / 2 * 3 + 1;
    char *xml = malloc(cap);
    if (!xml)
        return;
    str_utf16le_to_utf8(b, in, xml, cap);
    char s[NDR_STR_MAX];
    if (xml_elem(xml, "Command", s, sizeof s))
        ev_str(ev, F(task_command), s);
    if (xml_elem(xml, "Arguments", s, sizeof s))
        ev_str(ev, F(task_arguments), s);
    free(xml);
}

void dcerpc_tsch_req(uint16_t opnum, struct rd *stub, struct event *ev)
{
    struct rd r = ndr_stub(stub);
    char s[NDR_STR_MAX];
    bool present;
    switch (opnum) {
    case OP_REGISTER_TASK:
        /* [in, string, unique] path, [in, string] xml, ... */
        if (!ndr_unique_wstr(&r, s, sizeof s, &present))
            return;
        if (present)
            ev_str(ev, F(task_path), s);
        task_xml(&r, ev);
        break;
    case OP_RETRIEVE_TASK:
    case OP_RUN:
    case OP_DELETE:
    case OP_ENABLE:
        /* [in, string] const wchar_t* path first */
        if (ndr_wstr(&r, s, sizeof s))
            ev_str(ev, F(task_path), s);
        break;
    default: break;
    }
}
