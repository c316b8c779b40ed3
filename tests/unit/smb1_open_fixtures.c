/* smb1_open_fixtures: the shared open-command fixtures (see
 * smb1_open_fixtures.h). Real bytes from arkime/smb-smbclient.pcap,
 * arkime/smb-smb1-ascii.pcap and suricata-verify smb-eicar-file.pcap;
 * spec: [MS-CIFS] 2.2.4.41 (OPEN_ANDX), 2.2.4.64 (NT_CREATE_ANDX). */
#include "smb1_open_fixtures.h"

/* smb-smbclient.pcap frame 19 */
const uint8_t OX_REQ[] = {
    0xff, 'S', 'M', 'B', 0x2d, 0x00, 0x00, 0x00, 0x00, /* OPEN_ANDX */
    0x08, 0x01, 0xc8,                                  /* Flags, Flags2 0xc801 */
    0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x00,
    0x01, 0x00, 0x77, 0x0f, 0x00, 0x00, 0x06, 0x00,    /* TID 1, PID 3959, UID 0, MID 6 */
    0x0f,                                              /* WordCount 15 */
    0xff, 0x00, 0x00, 0x00,                            /* AndX */
    0x00, 0x00,                                        /* Flags */
    0x40, 0x00,                                        /* AccessMode: read, deny none */
    0x06, 0x00,                                        /* SearchAttrs: hidden, system */
    0x00, 0x00,                                        /* FileAttrs */
    0x00, 0x00, 0x00, 0x00,                            /* CreationTime */
    0x01, 0x00,                                        /* OpenMode: open if exists, else fail */
    0x00, 0x00, 0x00, 0x00,                            /* AllocationSize */
    0x00, 0x00, 0x00, 0x00,                            /* Timeout */
    0x00, 0x00, 0x00, 0x00,                            /* Reserved */
    0x13, 0x00,                                        /* ByteCount 19 */
    0x00,                                              /* Pad */
    '\\', 0, 't', 0, 'm', 0, 'p', 0, '\\', 0, 'f', 0, 'o', 0, 'o', 0, 0, 0, /* FileName "\tmp\foo" */
};

/* smb-smbclient.pcap frame 20 */
const uint8_t OX_RSP[] = {
    0xff, 'S', 'M', 'B', 0x2d, 0x00, 0x00, 0x00, 0x00, 0x88, 0x03, 0xc0,
    0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x00,
    0x01, 0x00, 0x77, 0x0f, 0x00, 0x00, 0x06, 0x00,
    0x0f,                                              /* WordCount 15 */
    0xff, 0x00, 0x00, 0x00,                            /* AndX */
    0xfe, 0x42,                                        /* FID 0x42fe */
    0x80, 0x00,                                        /* FileAttrs: normal */
    0x26, 0x36, 0xb3, 0x52,                            /* LastWriteTime */
    0x0f, 0x00, 0x00, 0x00,                            /* FileDataSize 15 */
    0x00, 0x00,                                        /* AccessRights */
    0x00, 0x00,                                        /* ResourceType: disk */
    0x00, 0x00,                                        /* NMPipeStatus */
    0x01, 0x00,                                        /* OpenResults: opened */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00,                /* Reserved */
    0x00, 0x00,                                        /* ByteCount 0 */
};

/* smb-smb1-ascii.pcap frame 21 (OEM) */
const uint8_t OX_REQ_OEM[] = {
    0xff, 'S', 'M', 'B', 0x2d, 0x00, 0x00, 0x00, 0x00, 0x18, 0x07, 0x28,
    0x00, 0x00, 0x15, 0x19, 0x64, 0x26, 0x57, 0x9c, 0x6a, 0x95, 0x00, 0x00,
    0x01, 0x18, 0x72, 0x7c, 0x00, 0x20, 0xa5, 0x44,    /* TID 0x1801, PID 0x7c72, UID 0x2000 */
    0x0f, 0xff, 0x00, 0x00, 0x00,                      /* WordCount 15, AndX */
    0x00, 0x00,                                        /* Flags */
    0x42, 0x00,                                        /* AccessMode: read/write, deny none */
    0x06, 0x00, 0x00, 0x00,                            /* SearchAttrs, FileAttrs */
    0x00, 0x00, 0x00, 0x00,                            /* CreationTime */
    0x12, 0x00,                                        /* OpenMode: truncate if exists, else create */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* AllocationSize, Timeout, Reserved */
    0x0e, 0x00,                                        /* ByteCount 14 */
    '\\', 'X', 'X', 'X', 'X', 'X', 'X', 'X', 'X', '.', 'e', 'x', 'e', 0, /* FileName (OEM, no pad) */
};

/* smb-smb1-ascii.pcap frame 22 */
const uint8_t OX_RSP_OEM[] = {
    0xff, 'S', 'M', 'B', 0x2d, 0x00, 0x00, 0x00, 0x00, 0x98, 0x07, 0x28,
    0x00, 0x00, 0xe4, 0xfb, 0xb9, 0x23, 0x4a, 0x42, 0x85, 0x60, 0x00, 0x00,
    0x01, 0x18, 0x72, 0x7c, 0x00, 0x20, 0xa5, 0x44,
    0x0f, 0xff, 0x00, 0x41, 0x00,                      /* WordCount 15, AndX */
    0x08, 0xc0,                                        /* FID 0xc008 */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00,                /* FileAttrs, LastWriteTime */
    0x00, 0x00, 0x00, 0x00,                            /* FileDataSize 0 */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00,                /* AccessRights, ResourceType, NMPipeStatus */
    0x02, 0x00,                                        /* OpenResults: created */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00,                /* Reserved */
    0x00, 0x00,                                        /* ByteCount */
};

/* smb-eicar-file.pcap frame 17 */
const uint8_t NTC_REQ[] = {
    0xff, 'S', 'M', 'B', 0xa2, 0x00, 0x00, 0x00, 0x00, /* NT_CREATE_ANDX */
    0x18, 0x43, 0xc8,                                  /* Flags, Flags2 0xc843 */
    0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x00,
    0x00, 0x08, 0x3f, 0x03, 0x00, 0x08, 0x05, 0x00,    /* TID 0x0800, PID 0x033f, UID 0x0800, MID 5 */
    0x18,                                              /* WordCount 24 */
    0xff, 0x00, 0x00, 0x00,                            /* AndX */
    0x00,                                              /* Reserved */
    0x0e, 0x00,                                        /* NameLength 14 */
    0x00, 0x00, 0x00, 0x00,                            /* Flags */
    0x00, 0x00, 0x00, 0x00,                            /* RootDirectoryFID */
    0x9f, 0x01, 0x12, 0x00,                            /* DesiredAccess 0x0012019f */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,    /* AllocationSize */
    0x00, 0x00, 0x00, 0x00,                            /* ExtFileAttributes */
    0x03, 0x00, 0x00, 0x00,                            /* ShareAccess: read, write */
    0x05, 0x00, 0x00, 0x00,                            /* CreateDisposition: FILE_OVERWRITE_IF */
    0x40, 0x00, 0x00, 0x00,                            /* CreateOptions: non-directory */
    0x02, 0x00, 0x00, 0x00,                            /* ImpersonationLevel */
    0x00,                                              /* SecurityFlags */
    0x11, 0x00,                                        /* ByteCount 17 */
    0x00,                                              /* Pad */
    '\\', 0, 'e', 0, 'i', 0, 'c', 0, 'a', 0, 'r', 0, 0, 0, /* FileName "\eicar" */
    0x00, 0x00,                                        /* (trailing bytes the client sent) */
};

/* smb-eicar-file.pcap frame 18 (WordCount 34) */
const uint8_t NTC_RSP[] = {
    0xff, 'S', 'M', 'B', 0xa2, 0x00, 0x00, 0x00, 0x00, 0x98, 0x43, 0xc8,
    0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x00,
    0x00, 0x08, 0x3f, 0x03, 0x00, 0x08, 0x05, 0x00,
    0x22,                                              /* WordCount 34 */
    0xff, 0x00, 0x67, 0x00,                            /* AndX */
    0x00,                                              /* OplockLevel */
    0x00, 0x40,                                        /* FID 0x4000 */
    0x02, 0x00, 0x00, 0x00,                            /* CreateDisposition (action): created */
    0x38, 0x8c, 0x6f, 0xde, 0x1f, 0xdc, 0xd5, 0x01,    /* CreateTime */
    0x38, 0x8c, 0x6f, 0xde, 0x1f, 0xdc, 0xd5, 0x01,    /* LastAccessTime */
    0x38, 0x8c, 0x6f, 0xde, 0x1f, 0xdc, 0xd5, 0x01,    /* LastWriteTime */
    0x38, 0x8c, 0x6f, 0xde, 0x1f, 0xdc, 0xd5, 0x01,    /* LastChangeTime */
    0x20, 0x00, 0x00, 0x00,                            /* ExtFileAttributes: archive */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,    /* AllocationSize */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,    /* EndOfFile 0 */
    0x00, 0x00,                                        /* ResourceType: disk */
    0x00, 0x00,                                        /* NMPipeStatus */
    0x00,                                              /* Directory: no */
    0x00, 0x00,                                        /* ByteCount */
};

void smbclient_tree(struct th *t) { th_tree(&t->c, 1, "\\\\LOCALHOST\\MP3", "A:"); }
void eicar_tree(struct th *t) { th_tree(&t->c, 0x0800, "\\\\192.168.1.3\\PUBLIC", "A:"); }

size_t ntc_req(struct mb *m, bool unicode, uint32_t root_fid, const char *name, uint16_t name_len)
{
    mb_hdr(m, 0xa2, 0, 0x18, unicode ? 0xc001 : 0x4001, 7, 9, 3, 11);
    mb_words(m);
    mb_u32(m, 0xff);       /* AndX */
    mb_u8(m, 0);           /* Reserved */
    mb_u16(m, name_len);   /* NameLength */
    mb_u32(m, 0);          /* Flags */
    mb_u32(m, root_fid);   /* RootDirectoryFID */
    mb_u32(m, 0x00120089); /* DesiredAccess: generic read */
    mb_u64(m, 0);          /* AllocationSize */
    mb_u32(m, 0);          /* ExtFileAttributes */
    mb_u32(m, 7);          /* ShareAccess */
    mb_u32(m, 1);          /* CreateDisposition: open */
    mb_u32(m, 0x21);       /* CreateOptions: directory, sync io */
    mb_u32(m, 2);          /* ImpersonationLevel */
    mb_u8(m, 0);           /* SecurityFlags */
    mb_bytes(m);
    if (unicode) {
        mb_pad2(m);
        mb_ustr(m, name);
    } else {
        mb_astr(m, name);
    }
    mb_end(m);
    return m->n;
}

size_t ntc_rsp(struct mb *m, uint16_t fid, uint32_t action, uint64_t eof, bool dir)
{
    mb_hdr(m, 0xa2, 0, 0x98, 0xc001, 7, 9, 3, 11);
    mb_words(m);
    mb_u32(m, 0xff);  /* AndX */
    mb_u8(m, 0);      /* OplockLevel */
    mb_u16(m, fid);   /* FID */
    mb_u32(m, action); /* CreateDisposition */
    mb_zero(m, 32);   /* times */
    mb_u32(m, dir ? 0x10 : 0x20); /* ExtFileAttributes */
    mb_u64(m, 0);     /* AllocationSize */
    mb_u64(m, eof);   /* EndOfFile */
    mb_u16(m, 0);     /* ResourceType */
    mb_u16(m, 0);     /* NMPipeStatus */
    mb_u8(m, dir);    /* Directory */
    mb_bytes(m);
    mb_end(m);
    return m->n;
}
