/* smb1_open_fixtures: real open-command exchanges and NT_CREATE_ANDX builders
 * shared by test_smb1_open.c (OPEN_ANDX, OPEN, CREATE, every truncation) and
 * test_smb1_ntcreate.c (NT_CREATE_ANDX). Spec: [MS-CIFS] 2.2.4.41 (OPEN_ANDX),
 * 2.2.4.64 (NT_CREATE_ANDX). The byte-by-byte annotations are in the .c. */
#ifndef SMBSCOPE_SMB1_OPEN_FIXTURES_H
#define SMBSCOPE_SMB1_OPEN_FIXTURES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "smb1_harness.h"

/* arkime/smb-smbclient.pcap frames 19-20: Unicode OPEN_ANDX and its response */
extern const uint8_t OX_REQ[84];
extern const uint8_t OX_RSP[65];
/* arkime/smb-smb1-ascii.pcap frames 21-22: OEM OPEN_ANDX and its response */
extern const uint8_t OX_REQ_OEM[79];
extern const uint8_t OX_RSP_OEM[65];
/* suricata-verify smb-eicar-file.pcap frames 17-18: NT_CREATE_ANDX */
extern const uint8_t NTC_REQ[100];
extern const uint8_t NTC_RSP[103];

/* the trees those captures opened first */
void smbclient_tree(struct th *t);
void eicar_tree(struct th *t);

/* an NT_CREATE_ANDX request built from the layout, for variants */
size_t ntc_req(struct mb *m, bool unicode, uint32_t root_fid, const char *name, uint16_t name_len);
/* its response: FID fid, CreateDisposition action, EndOfFile eof, a directory or not */
size_t ntc_rsp(struct mb *m, uint16_t fid, uint32_t action, uint64_t eof, bool dir);

#endif
