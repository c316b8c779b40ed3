/* smb1_util: header parsing, message windows, wire strings, anomalies and
 * small helpers of smb1_util.c shared by every SMB1 command file.
 * Spec: [MS-CIFS] 2.2.3.1 (header), 2.2.3.2-3 (blocks), 2.2.1.1 (strings). */
#ifndef SMBSCOPE_SMB1_UTIL_H
#define SMBSCOPE_SMB1_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rd.h"
#include "smb1_cmds.h"
#include "smb1_state.h"

struct smb1_hdr;

/* parse the 32-byte header (the reader must start at \xffSMB); false if it is not one */
bool smb1_hdr_parse(struct rd *r, struct smb1_hdr *h);
/* append a copy unless already present (keeps first-seen order) */
void strlist_add(struct strlist *l, const char *s);
void strlist_free(struct strlist *l);


/* a contiguous message (nothing elided) */
struct smb1_msgview smb1_msgview_plain(const uint8_t *buf, size_t len);
/* set l->wct/words/bcc/bytes/cmd/at for the link whose word count sits at abs_off
 * (32 for the first command); false if its word block is not all there */
bool smb1_link_at(struct smb1_link *l, const struct smb1_msgview *mv, uint8_t cmd, size_t abs_off);

/* a window at an absolute message offset (ParameterOffset, DataOffset ...);
 * in error when it is not (wholly) there */
struct rd smb1_msg_window(const struct smb1_link *l, size_t abs_off, size_t len);

/* a data count the message states (DataLength, DataCount ...) for data at
 * message offset off, bounded by what a message of its length can hold past
 * off: a count may be believed for bytes the capture lost, never for bytes
 * past the message's end (0 when off is at or past it) */
uint64_t smb1_data_bound(const struct smb1_link *l, size_t off, uint64_t n);

/* read a NUL-terminated string (UTF-16LE when unicode, else OEM) into UTF-8,
 * capped at lim->str_max; align: skip a pad byte to an even message offset
 * first (unicode only). Returns a string owned by l->ev, never NULL (may be ""). */
const char *smb1_str(struct smb1_link *l, struct rd *r, bool unicode, bool align);
/* the same for a counted string of n bytes (no terminator needed) */
const char *smb1_strn(struct smb1_link *l, struct rd *r, size_t n, bool unicode);
void smb1_anomaly(struct smb1_link *l, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A file's size is a signed 64-bit integer ([MS-CIFS]
 * SMB_SET_FILE_END_OF_FILE_INFO, [MS-FSCC] 2.4.14), so bytes [off, off+len)
 * reaching past FILE_OFFSET_END (2^63-1) lie outside every file: an
 * `offset_out_of_range` anomaly (once per call) gives the exact numbers
 * (record fields saturate at 2^63-1) and false comes back; the file tracker
 * drops such data itself. True when the range fits. */
bool smb1_range_fits(struct smb1_link *l, uint16_t fid, uint64_t off, uint64_t len);
/* the same for a size a server reports (EndOfFile): false (flagged) when it is
 * past 2^63-1, so the caller does not take it as the file's size */
bool smb1_size_fits(struct smb1_link *l, uint16_t fid, uint64_t size);

/* "COM_0x%02x" style name for commands without an entry */
const char *smb1_cmd_name(uint8_t cmd, char *scratch, size_t cap);

#endif
