/* smb1_cmds: the dense table of SMB1 commands and their handlers.
 * Every command code [MS-CIFS] 2.2.2.1 names, whether it is an AndX command,
 * and its handlers and stream functions.
 * Spec: [MS-CIFS] 2.2.2.1 (command codes), 2.2.3.4 (AndX chaining). */
#include <stdlib.h>

#include "smb1.h"
#include "smb1_handlers.h"

#define NAMED(code, nm) [code] = {.name = nm}

const struct smb1_cmd smb1_cmds[256] = {
    [SMB1_COM_CREATE_DIRECTORY] = {.name = "CREATE_DIRECTORY", .req = smb1_path_req},
    [SMB1_COM_DELETE_DIRECTORY] = {.name = "DELETE_DIRECTORY", .req = smb1_path_req},
    [SMB1_COM_OPEN] = {.name = "OPEN", .req = smb1_open_core_req, .rsp = smb1_open_core_rsp},
    [SMB1_COM_CREATE] = {.name = "CREATE", .req = smb1_create_core_req, .rsp = smb1_create_core_rsp},
    [SMB1_COM_CLOSE] = {.name = "CLOSE", .req = smb1_close_req, .rsp = smb1_close_rsp},
    [SMB1_COM_FLUSH] = {.name = "FLUSH", .req = smb1_flush_req},
    [SMB1_COM_DELETE] = {.name = "DELETE", .req = smb1_path_req},
    [SMB1_COM_RENAME] = {.name = "RENAME", .req = smb1_rename_req},
    [SMB1_COM_QUERY_INFORMATION] = {.name = "QUERY_INFORMATION", .req = smb1_path_req, .rsp = smb1_query_info_rsp},
    [0x09] = {.name = "SET_INFORMATION", .req = smb1_path_req},
    [SMB1_COM_READ] = {.name = "READ", .req = smb1_read_core_req, .rsp = smb1_read_core_rsp,
                       .rsp_stream = smb1_read_core_rsp_stream},
    [SMB1_COM_WRITE] = {.name = "WRITE", .req = smb1_write_core_req, .rsp = smb1_write_core_rsp,
                        .req_stream = smb1_write_core_req_stream},
    NAMED(0x0c, "LOCK_BYTE_RANGE"),
    NAMED(0x0d, "UNLOCK_BYTE_RANGE"),
    NAMED(0x0e, "CREATE_TEMPORARY"),
    /* same layout as CREATE, but fails if the file exists ([MS-CIFS] 2.2.4.16) */
    [0x0f] = {.name = "CREATE_NEW", .req = smb1_create_core_req, .rsp = smb1_create_core_rsp},
    [SMB1_COM_CHECK_DIRECTORY] = {.name = "CHECK_DIRECTORY", .req = smb1_path_req},
    NAMED(0x11, "PROCESS_EXIT"),
    NAMED(0x12, "SEEK"),
    NAMED(0x13, "LOCK_AND_READ"),
    NAMED(0x14, "WRITE_AND_UNLOCK"),
    NAMED(0x1a, "READ_RAW"),
    NAMED(0x1b, "READ_MPX"),
    NAMED(0x1c, "READ_MPX_SECONDARY"),
    NAMED(0x1d, "WRITE_RAW"),
    NAMED(0x1e, "WRITE_MPX"),
    NAMED(0x1f, "WRITE_MPX_SECONDARY"),
    NAMED(0x20, "WRITE_COMPLETE"),
    NAMED(0x21, "QUERY_SERVER"),
    NAMED(0x22, "SET_INFORMATION2"),
    NAMED(0x23, "QUERY_INFORMATION2"),
    [SMB1_COM_LOCKING_ANDX] = {.name = "LOCKING_ANDX", .req = smb1_locking_andx_req, .flags = SMB1_ANDX},
    [SMB1_COM_TRANSACTION] = {.name = "TRANSACTION", .req = smb1_trans_req, .rsp = smb1_trans_rsp},
    [SMB1_COM_TRANSACTION_SECONDARY] = {.name = "TRANSACTION_SECONDARY", .req = smb1_trans_secondary_req},
    NAMED(0x27, "IOCTL"),
    NAMED(0x28, "IOCTL_SECONDARY"),
    NAMED(0x29, "COPY"),
    NAMED(0x2a, "MOVE"),
    [SMB1_COM_ECHO] = {.name = "ECHO", .req = smb1_echo_req},
    NAMED(0x2c, "WRITE_AND_CLOSE"),
    [SMB1_COM_OPEN_ANDX] = {.name = "OPEN_ANDX", .req = smb1_open_andx_req, .rsp = smb1_open_andx_rsp,
                            .flags = SMB1_ANDX},
    [SMB1_COM_READ_ANDX] = {.name = "READ_ANDX", .req = smb1_read_andx_req, .rsp = smb1_read_andx_rsp,
                            .flags = SMB1_ANDX, .rsp_stream = smb1_read_andx_rsp_stream},
    [SMB1_COM_WRITE_ANDX] = {.name = "WRITE_ANDX", .req = smb1_write_andx_req, .rsp = smb1_write_andx_rsp,
                             .flags = SMB1_ANDX, .req_stream = smb1_write_andx_req_stream},
    NAMED(0x30, "NEW_FILE_SIZE"),
    NAMED(0x31, "CLOSE_AND_TREE_DISC"),
    [SMB1_COM_TRANSACTION2] = {.name = "TRANSACTION2", .req = smb1_trans2_req, .rsp = smb1_trans2_rsp},
    [SMB1_COM_TRANSACTION2_SECONDARY] = {.name = "TRANSACTION2_SECONDARY", .req = smb1_trans2_secondary_req},
    [SMB1_COM_FIND_CLOSE2] = {.name = "FIND_CLOSE2", .req = smb1_find_close2_req},
    NAMED(0x35, "FIND_NOTIFY_CLOSE"),
    NAMED(0x70, "TREE_CONNECT"),
    [SMB1_COM_TREE_DISCONNECT] = {.name = "TREE_DISCONNECT", .req = smb1_tree_disconnect_req,
                                  .rsp = smb1_tree_disconnect_rsp},
    [SMB1_COM_NEGOTIATE] = {.name = "NEGOTIATE", .req = smb1_negotiate_req, .rsp = smb1_negotiate_rsp},
    [SMB1_COM_SESSION_SETUP_ANDX] = {.name = "SESSION_SETUP_ANDX", .req = smb1_session_setup_req,
                                     .rsp = smb1_session_setup_rsp, .flags = SMB1_ANDX},
    [SMB1_COM_LOGOFF_ANDX] = {.name = "LOGOFF_ANDX", .rsp = smb1_logoff_rsp, .flags = SMB1_ANDX},
    [SMB1_COM_TREE_CONNECT_ANDX] = {.name = "TREE_CONNECT_ANDX", .req = smb1_tree_connect_req,
                                    .rsp = smb1_tree_connect_rsp, .flags = SMB1_ANDX},
    [0x7e] = {.name = "SECURITY_PACKAGE_ANDX", .flags = SMB1_ANDX},
    [SMB1_COM_QUERY_INFORMATION_DISK] = {.name = "QUERY_INFORMATION_DISK", .rsp = smb1_query_disk_rsp},
    NAMED(0x81, "SEARCH"),
    NAMED(0x82, "FIND"),
    NAMED(0x83, "FIND_UNIQUE"),
    NAMED(0x84, "FIND_CLOSE"),
    [SMB1_COM_NT_TRANSACT] = {.name = "NT_TRANSACT", .req = smb1_nt_trans_req, .rsp = smb1_nt_trans_rsp},
    [SMB1_COM_NT_TRANSACT_SECONDARY] = {.name = "NT_TRANSACT_SECONDARY", .req = smb1_nt_trans_secondary_req},
    [SMB1_COM_NT_CREATE_ANDX] = {.name = "NT_CREATE_ANDX", .req = smb1_nt_create_req, .rsp = smb1_nt_create_rsp,
                                 .flags = SMB1_ANDX},
    NAMED(SMB1_COM_NT_CANCEL, "NT_CANCEL"),
    [0xa5] = {.name = "NT_RENAME", .req = smb1_nt_rename_req},
    NAMED(0xc0, "OPEN_PRINT_FILE"),
    NAMED(0xc1, "WRITE_PRINT_FILE"),
    NAMED(0xc2, "CLOSE_PRINT_FILE"),
    NAMED(0xc3, "GET_PRINT_QUEUE"),
    NAMED(0xd8, "READ_BULK"),
    NAMED(0xd9, "WRITE_BULK"),
    NAMED(0xda, "WRITE_BULK_DATA"),
    NAMED(0xfe, "INVALID"),
    NAMED(SMB1_COM_NO_ANDX_COMMAND, "NO_ANDX_COMMAND"),
};

void smb1_req_free(struct smb1_pending *p)
{
    if (!p->req.owns_str)
        return;
    switch (p->cmd) {
    case SMB1_COM_OPEN:
    case SMB1_COM_CREATE:
    case 0x0f: /* CREATE_NEW */
    case SMB1_COM_OPEN_ANDX:
    case SMB1_COM_NT_CREATE_ANDX:
        free(p->req.u.open.name);
        p->req.u.open.name = NULL;
        break;
    case SMB1_COM_TREE_CONNECT_ANDX:
        free(p->req.u.tree.path);
        p->req.u.tree.path = NULL;
        break;
    case SMB1_COM_TRANSACTION:
    case SMB1_COM_TRANSACTION2:
    case SMB1_COM_NT_TRANSACT:
        free(p->req.u.trans.name);
        p->req.u.trans.name = NULL;
        break;
    default:
        break;
    }
    p->req.owns_str = false;
}

bool smb1_req_chain_fid(struct smb1_pending *p, uint16_t fid)
{
    if (!p->req.decoded)
        return false;
    uint16_t *slot = NULL;
    switch (p->cmd) {
    case SMB1_COM_READ:
    case SMB1_COM_READ_ANDX:
        slot = &p->req.u.read.fid;
        break;
    case SMB1_COM_WRITE:
    case SMB1_COM_WRITE_ANDX:
        slot = &p->req.u.write.fid;
        break;
    case SMB1_COM_CLOSE:
        slot = &p->req.u.close.fid;
        break;
    default:
        return false;
    }
    if (*slot != SMB1_FID_CHAINED)
        return false;
    *slot = fid;
    return true;
}
