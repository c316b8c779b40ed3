/* dcerpc_winreg: arguments of the remote registry calls (keys opened, values read and written).
 * Spec: [MS-RRP] 3.1.5.1-3.1.5.5 (OpenClassesRoot...OpenUsers), 3.1.5.7 BaseRegCreateKey, 3.1.5.8
 * BaseRegDeleteKey, 3.1.5.9 BaseRegDeleteValue, 3.1.5.15 BaseRegOpenKey, 3.1.5.17
 * BaseRegQueryValue, 3.1.5.20 BaseRegSaveKey, 3.1.5.22 BaseRegSetValue, 2.2.4 RRP_UNICODE_STRING;
 * [MS-RPRN]-independent value types from [MS-RRP] 3.1.1.5. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "dcerpc_args.h"
#include "dcerpc_ndr.h"
#include "output/event.h"
#include "str.h"

enum {
    OP_CREATE_KEY = 6,
    OP_DELETE_KEY = 7,
    OP_DELETE_VALUE = 8,
    OP_OPEN_KEY = 15,
    OP_QUERY_VALUE = 17,
    OP_SAVE_KEY = 20,
    OP_SET_VALUE = 22,
};

/* the predefined keys the Open* methods return ([MS-RRP] 3.1.5.1-3.1.5.5, 3.1.5.25, 3.1.5.28-29) */
static const char *hive(uint16_t opnum)
{
    switch (opnum) {
    case 0: return "HKCR";
    case 1: return "HKCU";
    case 2: return "HKLM";
    case 3: return "HKPD";
    case 4: return "HKU";
    case 27: return "HKCC";
    case 32: return "HKPT";
    case 33: return "HKPN";
    default: return NULL;
    }
}

/* [MS-RRP] 3.1.1.5 / [MS-RPRN]-shared registry value types */
static const char *type_name(uint32_t t, char *buf, size_t cap)
{
    static const char *const names[] = {"REG_NONE", "REG_SZ", "REG_EXPAND_SZ", "REG_BINARY", "REG_DWORD",
                                        "REG_DWORD_BIG_ENDIAN", "REG_LINK", "REG_MULTI_SZ",
                                        "REG_RESOURCE_LIST", "REG_FULL_RESOURCE_DESCRIPTOR",
                                        "REG_RESOURCE_REQUIREMENTS_LIST", "REG_QWORD"};
    if (t < sizeof names / sizeof names[0])
        return names[t];
    snprintf(buf, cap, "REG_0x%" PRIx32, t);
    return buf;
}

static void value_type(struct event *ev, uint32_t t)
{
    char b[24];
    ev_str(ev, F(value_type), type_name(t, b, sizeof b));
}

/* the hive opens: [in, unique] PREGISTRY_SERVER_NAME (one wchar_t), [in] REGSAM */
static void open_hive(struct rd *r, uint16_t opnum, struct event *ev)
{
    if (ndr_ptr(r))
        ndr_u16(r);
    uint32_t access = ndr_u32(r);
    if (!rd_ok(r))
        return;
    ev_str(ev, F(key_path), hive(opnum));
    ev_uint(ev, F(access_mask), access);
}

/* hKey, then an RRP_UNICODE_STRING (a top-level structure: its pointee follows at once) */
static bool handle_then_name(struct rd *r, char *s, size_t cap)
{
    return ndr_handle(r) && ndr_ustr(r, s, cap);
}

/* BaseRegSetValue's data: [in, size_is(cbData)] LPBYTE lpData (a conformant array) */
static void set_value_data(struct rd *r, uint32_t type, struct event *ev)
{
    uint32_t n = ndr_conformant_hdr(r, 1);
    const uint8_t *b = rd_ok(r) ? rd_bytes(r, n) : NULL;
    if (!b)
        return;
    char s[NDR_STR_MAX];
    if (type == 1 || type == 2 || type == 7) {  /* REG_SZ, REG_EXPAND_SZ, REG_MULTI_SZ */
        uint8_t tmp[2 * NDR_STR_MAX];
        size_t len = n < sizeof tmp ? n : sizeof tmp;
        len &= ~(size_t)1;
        memcpy(tmp, b, len);
        while (len >= 2 && tmp[len - 2] == 0 && tmp[len - 1] == 0)
            len -= 2;
        /* REG_MULTI_SZ: the strings' NUL separators become '|' */
        for (size_t i = 0; type == 7 && i + 1 < len; i += 2)
            if (tmp[i] == 0 && tmp[i + 1] == 0)
                tmp[i] = '|';
        str_utf16le_to_utf8(tmp, len, s, sizeof s);
        ev_str(ev, F(value_data), s);
    } else if (type == 4 && n == 4) {  /* REG_DWORD */
        snprintf(s, sizeof s, "%" PRIu32, (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
                                              (uint32_t)b[3] << 24);
        ev_str(ev, F(value_data), s);
    }
}

void dcerpc_winreg_req(uint16_t opnum, struct rd *stub, struct event *ev)
{
    struct rd r = ndr_stub(stub);
    char s[NDR_STR_MAX];
    if (hive(opnum)) {
        open_hive(&r, opnum, ev);
        return;
    }
    switch (opnum) {
    case OP_OPEN_KEY:
    case OP_CREATE_KEY:
    case OP_DELETE_KEY:
        if (!handle_then_name(&r, s, sizeof s))
            return;
        ev_str(ev, F(key_path), s);
        if (opnum == OP_OPEN_KEY) {
            ndr_u32(&r);  /* dwOptions */
            uint32_t access = ndr_u32(&r);
            if (rd_ok(&r))
                ev_uint(ev, F(access_mask), access);
        } else if (opnum == OP_CREATE_KEY) {
            if (!ndr_ustr(&r, s, sizeof s))  /* lpClass */
                return;
            ndr_u32(&r);  /* dwOptions */
            uint32_t access = ndr_u32(&r);
            if (rd_ok(&r))
                ev_uint(ev, F(access_mask), access);
        }
        break;
    case OP_QUERY_VALUE:
    case OP_DELETE_VALUE:
        if (handle_then_name(&r, s, sizeof s))
            ev_str(ev, F(value_name), s);
        break;
    case OP_SET_VALUE: {
        if (!handle_then_name(&r, s, sizeof s))
            return;
        ev_str(ev, F(value_name), s);
        uint32_t type = ndr_u32(&r);
        if (!rd_ok(&r))
            return;
        value_type(ev, type);
        set_value_data(&r, type, ev);
        break;
    }
    case OP_SAVE_KEY:
        if (handle_then_name(&r, s, sizeof s))
            ev_str(ev, F(file), s);
        break;
    default: break;
    }
}

void dcerpc_winreg_rsp(uint16_t opnum, struct rd *stub, struct event *ev)
{
    if (opnum != OP_QUERY_VALUE)
        return;
    /* [in, out, unique] LPDWORD lpType comes first */
    struct rd r = ndr_stub(stub);
    uint32_t ref = ndr_ptr(&r);
    if (!rd_ok(&r) || !ref)
        return;
    uint32_t type = ndr_u32(&r);
    /* a response that is only the status (4 bytes) never gets here: the referent and the type
     * both had to be read */
    if (rd_ok(&r))
        value_type(ev, type);
}
