/* dcerpc_ifaces: STAND-IN interface table for the PDU layer's build and tests
 * only: srvsvc and svcctl with a few operation names and no argument decoders.
 * The interface/NDR branch owns the real table (dcerpc_ifaces.c there); at
 * merge that file replaces this one (see /work/notes/dcerpc_contract.md).
 * Spec: [MS-SRVS] 1.9 and [MS-SCMR] 1.9 (UUIDs and versions), [MS-SRVS]
 * 3.1.4, [MS-SCMR] 3.1.4 (opnums). */
#include "dcerpc_ifaces.h"

#include <string.h>

/* the UUIDs in wire order: first three fields little-endian */
static const char *const srvsvc_ops[] = {[15] = "NetrShareEnum"};
static const char *const svcctl_ops[] = {[12] = "CreateServiceW", [15] = "OpenSCManagerW", [19] = "StartServiceW"};

static const struct dcerpc_iface ifaces[] = {
    {"srvsvc",
     {0xc8, 0x4f, 0x32, 0x4b, 0x70, 0x16, 0xd3, 0x01, 0x12, 0x78, 0x5a, 0x47, 0xbf, 0x6e, 0xe1, 0x88},
     3, srvsvc_ops, sizeof srvsvc_ops / sizeof srvsvc_ops[0], NULL, NULL, true},
    {"svcctl",
     {0x81, 0xbb, 0x7a, 0x36, 0x44, 0x98, 0xf1, 0x35, 0xad, 0x32, 0x98, 0xf0, 0x38, 0x00, 0x10, 0x03},
     2, svcctl_ops, sizeof svcctl_ops / sizeof svcctl_ops[0], NULL, NULL, true},
};

const struct dcerpc_iface *dcerpc_iface_by_uuid(const uint8_t uuid[16], uint16_t ver_major)
{
    for (size_t i = 0; i < sizeof ifaces / sizeof ifaces[0]; i++)
        if (ifaces[i].ver_major == ver_major && memcmp(ifaces[i].uuid, uuid, 16) == 0)
            return &ifaces[i];
    return NULL;
}

const char *dcerpc_op_name(const struct dcerpc_iface *i, uint16_t opnum)
{
    return i && opnum < i->n_ops ? i->ops[opnum] : NULL;
}

const char *dcerpc_status_name(uint32_t code)
{
    switch (code) {
    case 0x00000000: return "ERROR_SUCCESS";
    case 0x00000005: return "ERROR_ACCESS_DENIED";
    case 0x00000057: return "ERROR_INVALID_PARAMETER";
    case 0x000000ea: return "ERROR_MORE_DATA";
    default: return NULL;
    }
}
