/* privdrop: setgroups (initgroups), setgid, setuid, verified. Spec: POSIX
 * setuid(2)/setgid(2): with an effective uid of 0 they set the real, effective
 * and saved ids, so nothing is left to regain; Linux clears every capability
 * when all uids leave 0 (capabilities(7)). */
#include "privdrop.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

bool privdrop(const char *user, const char *const *handover, char *err, size_t errlen)
{
    errno = 0;
    struct passwd *pw = getpwnam(user);
    if (!pw) {
        snprintf(err, errlen, "-Z %s: %s", user, errno ? strerror(errno) : "no such user");
        return false;
    }
    uid_t uid = pw->pw_uid;
    gid_t gid = pw->pw_gid;
    for (const char *const *d = handover; d && *d; d++)
        if (lchown(*d, uid, gid) != 0) {
            snprintf(err, errlen, "-Z %s: giving %s to it: %s", user, *d, strerror(errno));
            return false;
        }
    /* groups before the gid before the uid: each step needs the privilege the next one removes */
    if (initgroups(user, gid) != 0) {
        snprintf(err, errlen, "-Z %s: setting its groups: %s", user, strerror(errno));
        return false;
    }
    if (setgid(gid) != 0) {
        snprintf(err, errlen, "-Z %s: setgid(%u): %s", user, (unsigned)gid, strerror(errno));
        return false;
    }
    if (setuid(uid) != 0) {
        snprintf(err, errlen, "-Z %s: setuid(%u): %s", user, (unsigned)uid, strerror(errno));
        return false;
    }
    /* trust, but verify: every id is the user's, and root cannot come back */
    if (getuid() != uid || geteuid() != uid || getgid() != gid || getegid() != gid) {
        snprintf(err, errlen, "-Z %s: the ids did not all change (uid %u/%u, gid %u/%u)", user, (unsigned)getuid(),
                 (unsigned)geteuid(), (unsigned)getgid(), (unsigned)getegid());
        return false;
    }
    if (uid != 0 && setuid(0) == 0) {
        snprintf(err, errlen, "-Z %s: setuid(0) still succeeds after the drop", user);
        return false;
    }
    return true;
}
