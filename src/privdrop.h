/* privdrop: -Z USER, become USER for good once everything that needs root is
 * open (as tcpdump -Z): USER's supplementary groups, then its gid, then its
 * uid, then proof that none of it can be undone. */
#ifndef SMBSCOPE_PRIVDROP_H
#define SMBSCOPE_PRIVDROP_H

#include <stdbool.h>
#include <stddef.h>

/* handover: NULL or a NULL-terminated list of directories root made for
 * the run (--extract DIR and its .tmp, sha256, partial) that USER must go on
 * writing into: each is given to USER and its group first (not recursively).
 * False with a message in err: unknown user, a call refused, or a check
 * failed (the process must not go on then) */
bool privdrop(const char *user, const char *const *handover, char *err, size_t errlen);

#endif
