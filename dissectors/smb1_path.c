/* smb1_path: commands that act on a path name rather than a FID.
 * DELETE, RENAME, NT_RENAME, QUERY_INFORMATION, SET_INFORMATION,
 * CREATE_DIRECTORY, DELETE_DIRECTORY, CHECK_DIRECTORY.
 * Spec: [MS-CIFS] 2.2.4.1 (CREATE_DIRECTORY), 2.2.4.2 (DELETE_DIRECTORY),
 * 2.2.4.7 (DELETE), 2.2.4.8 (RENAME), 2.2.4.9 (QUERY_INFORMATION), 2.2.4.10
 * (SET_INFORMATION), 2.2.4.17 (CHECK_DIRECTORY), 2.2.4.66 (NT_RENAME);
 * 2.2.1.1 (a BufferFormat byte 0x04 precedes each SMB_STRING). */
#include "smb1.h"
#include "smb1_handlers.h"

#define PATH_BUFFER_FORMAT 0x04

/* one BufferFormat + name; Unicode names sit at even message offsets, so a
 * pad byte may follow the format byte (before the second name of a rename) */
static const char *path_arg(struct smb1_link *l, struct rd *b)
{
    uint8_t fmt = rd_u8(b);
    if (!rd_ok(b))
        return NULL;
    if (fmt != PATH_BUFFER_FORMAT)
        smb1_anomaly(l, "smb1_buffer_format", "buffer format 0x%02x before a path", fmt);
    return smb1_str(l, b, l->h->unicode, true);
}

void smb1_path_req(struct smb1_link *l)
{
    struct rd b = l->bytes;
    ev_str(l->ev, F(file), path_arg(l, &b));
}

static void two_paths(struct smb1_link *l)
{
    struct rd b = l->bytes;
    ev_str(l->ev, F(from), path_arg(l, &b));
    ev_str(l->ev, F(to), path_arg(l, &b));
}

void smb1_rename_req(struct smb1_link *l)
{
    two_paths(l);
}

void smb1_nt_rename_req(struct smb1_link *l)
{
    /* InformationLevel says rename, hard link or copy; the names are the same */
    two_paths(l);
}

void smb1_query_info_rsp(struct smb1_link *l)
{
    if (l->wct == 0 || !smb1_need_words(l, 5))
        return;
    struct rd w = l->words;
    rd_skip(&w, 2 + 4); /* FileAttributes, LastWriteTime */
    uint32_t size = rd_u32le(&w);
    if (rd_ok(&w))
        ev_uint(l->ev, F(size), size);
}
