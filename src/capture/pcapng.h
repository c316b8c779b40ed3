/* pcapng: a small bounds-checked pcapng reader that keeps each packet's
 * interface (link type, snap length, timestamp resolution and offset).
 * Spec: draft-ietf-opsawg-pcapng (SHB 0x0A0D0D0A, IDB 1, PB 2, SPB 3, EPB 6).
 *
 * Why not libpcap: libpcap 1.10 (Debian 12) refuses a file whose interfaces
 * differ in link type ("an interface has a type 1 different from the type of
 * the first interface") or snap length -- exactly what mergecap writes from
 * captures of different links -- and pcap_next_ex() has no per-packet
 * interface, so such a file cannot be decoded through it at all. An IDB may
 * come after packets, so the case cannot be told from the start of a stream:
 * every pcapng input is read here, classic pcap still by libpcap. */
#ifndef SMBSCOPE_PCAPNG_H
#define SMBSCOPE_PCAPNG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Largest block accepted (libpcap's own bound for pcapng, 16 MiB): the one
 * buffer a reader holds grows to the largest block seen, never past this. */
#define PCAPNG_MAX_BLOCK (16u << 20)
/* interfaces declared in one section (each a few bytes) */
#define PCAPNG_MAX_IFACES 4096u
#define PCAPNG_ERR_MAX 256

struct pcapng_iface {
    int linktype;              /* LINKTYPE_ value (= DLT_ for every type decoded here) */
    uint32_t snaplen;          /* 0: no limit */
    uint8_t tsresol;           /* if_tsresol: 10^-n, or 2^-n with the high bit set */
    int64_t tsoffset;          /* if_tsoffset: seconds added to every timestamp */
};

/* the state carried from block to block: the section's byte order and interfaces */
struct pcapng {
    bool in_section;           /* an SHB has been seen */
    bool big;                  /* the section is big-endian */
    struct pcapng_iface *ifs;
    size_t nifs, cap;
    uint64_t last_ts_us;       /* for Simple Packet Blocks, which carry no time */
    char err[PCAPNG_ERR_MAX];
};

struct pcapng_pkt {
    uint32_t iface;
    int linktype;
    uint32_t snaplen;
    uint64_t ts_us;
    const uint8_t *data;       /* inside the block given */
    size_t caplen, wirelen;
};

enum pcapng_rc { PCAPNG_PACKET, PCAPNG_OTHER, PCAPNG_BAD };

/* Length of the block starting with hdr (n bytes of it, 12 needed for an
 * SHB, 8 otherwise). An SHB sets the byte order. PCAPNG_BAD with ng->err. */
enum pcapng_rc pcapng_block_len(struct pcapng *ng, const uint8_t *hdr, size_t n, uint32_t *len);
/* one whole block: PCAPNG_PACKET fills *out, PCAPNG_OTHER (a header, an
 * interface, a block skipped), PCAPNG_BAD with ng->err */
enum pcapng_rc pcapng_block(struct pcapng *ng, const uint8_t *blk, size_t len, struct pcapng_pkt *out);
void pcapng_free(struct pcapng *ng);

/* a pcapng stream read from f (not owned) */
struct pcapng_file {
    struct pcapng ng;
    FILE *f;
    uint8_t *buf;
    size_t bufcap;
    uint64_t off;              /* offset of the next block in the stream */
    uint64_t records;          /* packets delivered */
    char err[PCAPNG_ERR_MAX + 64];
};

void pcapng_file_init(struct pcapng_file *pf, FILE *f);
/* 1: a packet in *out (valid until the next call); 0: clean end of the
 * stream (at a block boundary); -1: pf->err says what and at which offset */
int pcapng_file_next(struct pcapng_file *pf, struct pcapng_pkt *out);
void pcapng_file_free(struct pcapng_file *pf);

#endif
