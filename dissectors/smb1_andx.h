/* smb1_andx: the AndX walk shared by the message assembler and the command
 * loop (smb1_andx.c). Spec: [MS-CIFS] 2.2.3.4. */
#ifndef SMBSCOPE_SMB1_ANDX_H
#define SMBSCOPE_SMB1_ANDX_H

#include <stddef.h>
#include <stdint.h>

#include "smb1_cmds.h"

/* The AndX walk ([MS-CIFS] 2.2.3.4), the one rule set the message assembler
 * and the command loop share (smb1_andx.c): from a link whose word block is
 * whole, where the next command is. It must start after this link's words and
 * byte count (so offsets strictly advance), inside the message, and the chain
 * holds at most max_links commands. */
enum smb1_andx_step {
    SMB1_ANDX_END,             /* no further command (not an AndX command, wct < 2, or 0xFF) */
    SMB1_ANDX_NEXT,            /* *next, *next_at set */
    SMB1_ANDX_BAD_OFFSET,      /* the offset goes back, into this link, or past the message: *next, *next_at say where */
    SMB1_ANDX_TOO_DEEP,        /* the chain is longer than max_links */
};
enum smb1_andx_step smb1_andx_next(const struct smb1_link *l, size_t msg_len, unsigned max_links, uint8_t *next,
                                   size_t *next_at);

#endif
