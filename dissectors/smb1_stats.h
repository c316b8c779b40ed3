/* smb1_stats: the SMB1 module's part of the run's stats record. */
#ifndef SMBSCOPE_SMB1_STATS_H
#define SMBSCOPE_SMB1_STATS_H

#include <stdint.h>

#include "event.h"

/* `smb1_commands` {"0x72": messages, ...}: requests and responses per command
 * code ([MS-CIFS] 2.2.2.1), every AndX link counted; codes never seen are left out */
void smb1_stats_commands(const uint64_t count[256], struct event *stats);

#endif
