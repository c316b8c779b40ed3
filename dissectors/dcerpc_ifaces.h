/* dcerpc_ifaces: the DCE/RPC interfaces smbscope knows over SMB named pipes: name, UUID,
 * version, opnum -> operation name, and the argument decoders of the operations defenders need.
 * Spec: [MS-RPCE] 2.2.2.1 (UUID wire form), the interface sections of [MS-SCMR], [MS-SAMR],
 * [MS-LSAT]/[MS-LSAD], [MS-SRVS], [MS-WKST], [MS-RRP], [MS-RPRN], [MS-EVEN], [MS-NRPC], [MS-TSCH],
 * [C706] (epmapper), [MS-DRSR], [MS-DSSP], [MS-BRWSA]; return codes [MS-ERREF] 2.2 and 2.3.
 *
 * This header is the contract with the PDU layer (dcerpc.c): see notes/dcerpc_contract.md. */
#ifndef SMBSCOPE_DCERPC_IFACES_H
#define SMBSCOPE_DCERPC_IFACES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct event;
struct rd;

struct dcerpc_iface {
    const char *name;            /* "svcctl", "samr", "lsarpc", ... */
    uint8_t uuid[16];            /* as on the wire in the bind's abstract syntax (little-endian fields) */
    uint16_t ver_major;
    const char *const *ops;      /* ops[opnum] = "CreateServiceW" or NULL */
    size_t n_ops;
    /* decode a whole (reassembled) request / response stub; add fields to ev through F(); never
     * fail loudly: on a short stub, add what was decoded and stop. NULL: no arguments decoded. */
    void (*req)(uint16_t opnum, struct rd *stub, struct event *ev);
    void (*rsp)(uint16_t opnum, struct rd *stub, struct event *ev);
    bool status_is_hresult_or_win32; /* the op's return value is the stub's last 4 bytes */
    /* addition to the contract: the return values are NTSTATUS (samr, lsarpc, netlogon), so
     * dcerpc_iface_status_name() reads 0 as STATUS_SUCCESS and 0x105 as STATUS_MORE_ENTRIES */
    bool ntstatus;
};

const struct dcerpc_iface *dcerpc_iface_by_uuid(const uint8_t uuid[16], uint16_t ver_major); /* NULL: unknown */
const char *dcerpc_op_name(const struct dcerpc_iface *i, uint16_t opnum);                    /* NULL: unknown */
/* "ERROR_SUCCESS", "ERROR_ACCESS_DENIED", "STATUS_..." for a return value; NULL when not known.
 * Small values are read as Win32 errors, others as NTSTATUS. */
const char *dcerpc_status_name(uint32_t code);
/* the same, knowing the interface's return type (i may be NULL) */
const char *dcerpc_iface_status_name(const struct dcerpc_iface *i, uint32_t code);

/* the whole table and the Win32/HRESULT/fault names (sorted by code), for listings and tests */
const struct dcerpc_iface *dcerpc_iface_table(size_t *n);
struct nt_status_entry;
const struct nt_status_entry *dcerpc_w32_table(size_t *n);

#endif
