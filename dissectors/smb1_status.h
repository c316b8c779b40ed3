/* smb1_status: names for the status an SMB1 response carries, either a
 * 32-bit NT status or a DOS error class/code pair.
 * Spec: [MS-ERREF] 2.3.1 (NTSTATUS values), [MS-CIFS] 2.2.2.4 (SMB error
 * classes and codes), [MS-SMB] 2.2.2.4 (SMB-specific NT status values).
 *
 * The header-level helpers (smb1_status_name, smb1_status_is_error) and the
 * table lookups they are built on. */
#ifndef SMBSCOPE_SMB1_STATUS_H
#define SMBSCOPE_SMB1_STATUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct smb1_hdr;

/* DOS error classes ([MS-CIFS] 2.2.2.4) */
#define SMB1_ERRCLS_SUCCESS 0x00
#define SMB1_ERRCLS_DOS 0x01
#define SMB1_ERRCLS_SRV 0x02
#define SMB1_ERRCLS_HRD 0x03
#define SMB1_ERRCLS_CMD 0xff

/* "STATUS_LOGON_FAILURE", or NULL when the code is not in the table */
const char *nt_status_name(uint32_t status);

/* "ERRDOS/ERRbadfile" (a static string) when the pair is known; otherwise the
 * pair is formatted into buf ("ERRDOS/0x0057", or "0x42/0x0001" for a class
 * with no name) and buf is returned. With no usable buf (NULL or cap 0) an
 * unknown pair yields the static "?". */
const char *dos_error_name(uint8_t eclass, uint16_t code, char *buf, size_t cap);

/* read-only views of the tables, for tests and listings */
struct nt_status_entry {
    uint32_t code;
    const char *name;
};
struct dos_error_entry {
    uint8_t eclass;
    uint16_t code;
    const char *name;          /* "ERRSRV/ERRbadpw" */
};
const struct nt_status_entry *nt_status_table(size_t *n);
const struct dos_error_entry *dos_error_table(size_t *n);

/* "STATUS_SUCCESS", "STATUS_LOGON_FAILURE", "ERRSRV/ERRbadpw", ... (static or the conn's scratch) */
const char *smb1_status_name(const struct smb1_hdr *h, char *scratch, size_t cap);
bool smb1_status_is_error(const struct smb1_hdr *h);

#endif
