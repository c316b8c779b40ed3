/* smb1: SMB1/CIFS core shared by the per-command dissector files.
 * Spec: [MS-CIFS] 2.2.3.1 (header), 2.2.3.2-3 (parameter and data blocks),
 * 2.2.4 (commands); [MS-SMB] 2.2.3.1 (extensions).
 *
 * Message flow (smb1.c): the NBSS layer hands each message over in pieces; the
 * core keeps the non-data part (capped), streams READ_ANDX-response and
 * WRITE_ANDX-request data straight to the file tracker, and at the end walks
 * the AndX chain calling one handler per link (table in smb1_cmds.c). A
 * request creates a pending record holding its half-built `smb` event; the
 * response is matched by (PID, MID, command) to the oldest such request, as
 * servers answer them, and completes it. UID and TID are not in the match key
 * because SESSION_SETUP and TREE_CONNECT responses carry the values the
 * server just assigned, not the request's. */
#ifndef SMBSCOPE_SMB1_H
#define SMBSCOPE_SMB1_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* what the command files need, one header per file that defines it: the
 * connection state (smb1_state.c, smb1_pending.c), the handler interface and
 * command table (smb1_cmds.c), the AndX walk (smb1_andx.c), the shared helpers
 * (smb1_util.c) and status names (smb1_status.c) */
#include "smb1_andx.h"
#include "smb1_cmds.h"
#include "smb1_pending.h"
#include "smb1_state.h"
#include "smb1_status.h"
#include "smb1_util.h"

#define SMB1_HDR_LEN 32
/* in a command chained after an open: "the FID the open in this chain
 * returned" ([MS-CIFS] 3.2.4.1.1, 3.3.5.2: the chain works on one file) */
#define SMB1_FID_CHAINED 0xffff

#define SMB1_FLAGS_REPLY 0x80
#define SMB1_FLAGS2_LONG_NAMES 0x0001
#define SMB1_FLAGS2_SIGNATURE 0x0004
#define SMB1_FLAGS2_EXT_SEC 0x0800
#define SMB1_FLAGS2_NT_STATUS 0x4000
#define SMB1_FLAGS2_UNICODE 0x8000

enum smb1_com {
    SMB1_COM_CREATE_DIRECTORY = 0x00,
    SMB1_COM_DELETE_DIRECTORY = 0x01,
    SMB1_COM_OPEN = 0x02,
    SMB1_COM_CREATE = 0x03,
    SMB1_COM_CLOSE = 0x04,
    SMB1_COM_FLUSH = 0x05,
    SMB1_COM_DELETE = 0x06,
    SMB1_COM_RENAME = 0x07,
    SMB1_COM_QUERY_INFORMATION = 0x08,
    SMB1_COM_READ = 0x0a,
    SMB1_COM_WRITE = 0x0b,
    SMB1_COM_CHECK_DIRECTORY = 0x10,
    SMB1_COM_LOCKING_ANDX = 0x24,
    SMB1_COM_TRANSACTION = 0x25,
    SMB1_COM_TRANSACTION_SECONDARY = 0x26,
    SMB1_COM_ECHO = 0x2b,
    SMB1_COM_OPEN_ANDX = 0x2d,
    SMB1_COM_READ_ANDX = 0x2e,
    SMB1_COM_WRITE_ANDX = 0x2f,
    SMB1_COM_TRANSACTION2 = 0x32,
    SMB1_COM_TRANSACTION2_SECONDARY = 0x33,
    SMB1_COM_FIND_CLOSE2 = 0x34,
    SMB1_COM_TREE_DISCONNECT = 0x71,
    SMB1_COM_NEGOTIATE = 0x72,
    SMB1_COM_SESSION_SETUP_ANDX = 0x73,
    SMB1_COM_LOGOFF_ANDX = 0x74,
    SMB1_COM_TREE_CONNECT_ANDX = 0x75,
    SMB1_COM_QUERY_INFORMATION_DISK = 0x80,
    SMB1_COM_NT_TRANSACT = 0xa0,
    SMB1_COM_NT_TRANSACT_SECONDARY = 0xa1,
    SMB1_COM_NT_CREATE_ANDX = 0xa2,
    SMB1_COM_NT_CANCEL = 0xa4,
    SMB1_COM_NO_ANDX_COMMAND = 0xff,
};

struct smb1_hdr {
    uint8_t cmd;
    uint32_t status;       /* NT status; with DOS errors: class | reserved<<8 | code<<16 as on the wire */
    uint8_t flags;
    uint16_t flags2;
    uint32_t pid;          /* PIDHigh << 16 | PIDLow */
    uint16_t tid, uid, mid;
    uint8_t sig[8];
    bool is_rsp, unicode, nt_status;
};

#endif
