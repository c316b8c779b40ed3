/* privdrop: -Z USER, become USER for good once everything that needs root is
 * open (as tcpdump -Z): USER's supplementary groups, then its gid, then its
 * uid, then proof that none of it can be undone. */
#ifndef SMBSCOPE_PRIVDROP_H
#define SMBSCOPE_PRIVDROP_H

#include <stdbool.h>
#include <stddef.h>

/* false with a message in err: unknown user, a call refused, or a check
 * failed (the process must not go on then) */
bool privdrop(const char *user, char *err, size_t errlen);

#endif
