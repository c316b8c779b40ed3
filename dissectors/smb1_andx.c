/* smb1_andx: the AndX walk, one rule set for the message assembler (which
 * looks for READ/WRITE data to stream) and the command loop (which decodes
 * every link), so both always see the same chain.
 * Spec: [MS-CIFS] 2.2.3.4 (batched messages: AndXCommand, AndXOffset point at
 * the next command's WordCount), 3.2.4.1.1 (chaining). */
#include "smb1.h"

enum smb1_andx_step smb1_andx_next(const struct smb1_link *l, size_t msg_len, unsigned max_links, uint8_t *next,
                                   size_t *next_at)
{
    if (!(smb1_cmds[l->cmd].flags & SMB1_ANDX) || l->wct < 2)
        return SMB1_ANDX_END;
    struct rd w = l->words;
    uint8_t cmd = rd_u8(&w);
    rd_u8(&w); /* AndXReserved */
    size_t off = rd_u16le(&w);
    if (!rd_ok(&w) || cmd == SMB1_COM_NO_ANDX_COMMAND)
        return SMB1_ANDX_END;
    *next = cmd;
    *next_at = off;
    /* after this link's WordCount, words and ByteCount: a chain can neither
     * loop nor read one link's words as another's */
    size_t words_end = l->at + 1 + 2 * (size_t)l->wct + 2;
    if (off < words_end || off >= msg_len)
        return SMB1_ANDX_BAD_OFFSET;
    if (l->depth + 1 >= max_links)
        return SMB1_ANDX_TOO_DEEP;
    return SMB1_ANDX_NEXT;
}
