/* dcerpc_ifaces: the DCE/RPC interface table (names, UUIDs, versions, operation
 * names, argument decoders), as the contract between the PDU layer (dcerpc.c)
 * and the interface/NDR layer fixes it (/work/notes/dcerpc_contract.md).
 * STAND-IN: this header copies the contract so the PDU layer compiles and is
 * tested on its own; the interface/NDR branch owns the real one.
 * Spec: [MS-RPCE] 2.2.4.12 (abstract syntax: interface UUID and version). */
#ifndef SMBSCOPE_DCERPC_IFACES_H
#define SMBSCOPE_DCERPC_IFACES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct event;
struct rd;

struct dcerpc_iface {
    const char *name;            /* "svcctl", "samr", "srvsvc", ... */
    uint8_t uuid[16];            /* as on the wire in the bind's abstract syntax (little-endian fields) */
    uint16_t ver_major;
    const char *const *ops;      /* ops[opnum] = "CreateServiceW" or NULL */
    size_t n_ops;
    /* decode a whole (reassembled) request / response stub into ev; on a short
     * stub add what was decoded and stop */
    void (*req)(uint16_t opnum, struct rd *stub, struct event *ev);
    void (*rsp)(uint16_t opnum, struct rd *stub, struct event *ev);
    bool status_is_hresult_or_win32; /* the op's return value is the stub's last 4 bytes */
};

const struct dcerpc_iface *dcerpc_iface_by_uuid(const uint8_t uuid[16], uint16_t ver_major); /* NULL: unknown */
const char *dcerpc_op_name(const struct dcerpc_iface *i, uint16_t opnum);                    /* NULL: unknown */
/* "ERROR_SUCCESS", "ERROR_ACCESS_DENIED", "STATUS_..." for a return value; NULL when not known */
const char *dcerpc_status_name(uint32_t code);

#endif
