/* TEST DOUBLE for dissectors/smb1_status.c (written elsewhere): just enough
 * of smb1_status_name/smb1_status_is_error for the command handler tests.
 * NT status: severity bits 11 are errors ([MS-ERREF] 2.3); DOS errors: a
 * non-zero class byte. Never linked into the analyzer. */
#include <stdio.h>

#include "smb1.h"

bool smb1_status_is_error(const struct smb1_hdr *h)
{
    if (h->nt_status)
        return (h->status >> 30) == 3;
    return (h->status & 0xff) != 0;
}

const char *smb1_status_name(const struct smb1_hdr *h, char *scratch, size_t cap)
{
    if (h->status == 0)
        return "STATUS_SUCCESS";
    snprintf(scratch, cap, "0x%08x", h->status);
    return scratch;
}
