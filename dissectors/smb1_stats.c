/* smb1_stats: SMB1 message counts per command code for the stats record
 * ([MS-CIFS] 2.2.2.1 command codes). */
#include "smb1_stats.h"

void smb1_stats_commands(const uint64_t count[256], struct event *stats)
{
    /* keys as "0x72": how analysts (and tshark's smb.cmd) name command codes */
    static const char hexkeys[256][5] = {
#define K(n) "0x" #n
#define ROW(h) K(h##0), K(h##1), K(h##2), K(h##3), K(h##4), K(h##5), K(h##6), K(h##7), K(h##8), K(h##9), \
               K(h##a), K(h##b), K(h##c), K(h##d), K(h##e), K(h##f)
        ROW(0), ROW(1), ROW(2), ROW(3), ROW(4), ROW(5), ROW(6), ROW(7),
        ROW(8), ROW(9), ROW(a), ROW(b), ROW(c), ROW(d), ROW(e), ROW(f),
#undef ROW
#undef K
    };
    struct fieldset *cmds = fs_map(stats, NULL, F(smb1_commands));
    for (int i = 0; i < 256; i++)
        if (count[i])
            fs_map_uint(stats, cmds, hexkeys[i], count[i]);
}
