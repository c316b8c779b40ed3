/* dcerpc_spoolss: printers opened and printer drivers installed (PrintNightmare's path).
 * Spec: [MS-RPRN] 3.1.4.2.2 RpcOpenPrinter, 3.1.4.2.14 RpcOpenPrinterEx, 3.1.4.4.8
 * RpcAddPrinterDriverEx, 2.2.1.5.1 DRIVER_CONTAINER, 2.2.1.5.2-2.2.1.5.6 DRIVER_INFO_2..8 (all
 * start with cVersion, pName, pEnvironment, pDriverPath, pDataFile, pConfigFile; levels 2-4 are
 * decoded). */
#include "dcerpc_args.h"
#include "dcerpc_ndr.h"
#include "output/event.h"

enum {
    OP_OPEN_PRINTER = 1,
    OP_OPEN_PRINTER_EX = 69,
    OP_ADD_DRIVER_EX = 89,
};

static void add_driver(struct rd *r, struct event *ev)
{
    char s[NDR_STR_MAX];
    bool present;
    /* [in, string, unique] STRING_HANDLE pName */
    if (!ndr_unique_wstr(r, s, sizeof s, &present))
        return;
    if (present)
        ev_str(ev, F(machine), s);
    /* [in] PDRIVER_CONTAINER (ref): Level, the union's discriminant, a unique pointer to the level */
    uint32_t level = ndr_u32(r), tag = ndr_u32(r), ref = ndr_ptr(r);
    if (!rd_ok(r))
        return;
    ev_uint(ev, F(level), level);
    /* levels 2-4 only: 6 and 8 hold 8-byte members whose alignment moves the structure, and
     * are decoded no further than their level */
    if (tag != level || !ref || level < 2 || level > 4)
        return;
    /* cVersion, then five [string, unique] pointers whose strings follow the whole structure
     * (the later members' pointees come after, so the prefix can be read alone) */
    ndr_u32(r);
    uint32_t p[5];
    for (int i = 0; i < 5; i++)
        p[i] = ndr_ptr(r);
    if (!rd_ok(r))
        return;
    /* the rest of the structure's fixed part, before the deferred strings: level 3 adds
     * pHelpFile, pMonitorName, pDefaultDataType, cchDependentFiles, pDependentFiles; level 4
     * adds cchPreviousNames, pszzPreviousNames */
    static const size_t rest[5] = {[2] = 0, [3] = 20, [4] = 28};
    if (!rd_skip(r, rest[level]))
        return;
    const struct fld_t_str *f[5] = {F(driver_name), NULL, F(driver_path), F(data_file), F(config_file)};
    for (int i = 0; i < 5; i++) {
        if (!p[i])
            continue;
        if (!ndr_wstr(r, s, sizeof s))
            return;
        if (f[i])
            ev_str(ev, f[i], s);
    }
}

void dcerpc_spoolss_req(uint16_t opnum, struct rd *stub, struct event *ev)
{
    struct rd r = ndr_stub(stub);
    char s[NDR_STR_MAX];
    bool present;
    switch (opnum) {
    case OP_OPEN_PRINTER:
    case OP_OPEN_PRINTER_EX:
        /* [in, string, unique] STRING_HANDLE pPrinterName first */
        if (ndr_unique_wstr(&r, s, sizeof s, &present) && present)
            ev_str(ev, F(printer), s);
        break;
    case OP_ADD_DRIVER_EX: add_driver(&r, ev); break;
    default: break;
    }
}
