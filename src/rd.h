/* rd: bounds-checked little/big-endian byte reader with a sticky error.
 *
 * Every byte taken from the wire goes through one of these. Reading past the
 * end sets `err` once (remembering where), returns 0 and never advances, so a
 * dissector can read a whole structure and test rd_ok() once before using it. */
#ifndef SMBSCOPE_RD_H
#define SMBSCOPE_RD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rd {
    const uint8_t *p;  /* window start */
    size_t len;        /* window length */
    size_t off;        /* cursor, 0..len */
    size_t base;       /* absolute offset of p[0] in the enclosing message (alignment, seeks) */
    bool err;          /* sticky: set by the first read past the end */
    size_t err_off;    /* cursor position of that first failed read */
};

struct rd rd_init(const uint8_t *p, size_t len);
/* a window whose first byte sits `base` bytes into its message */
struct rd rd_init_at(const uint8_t *p, size_t len, size_t base);

static inline bool rd_ok(const struct rd *r) { return !r->err; }
static inline size_t rd_left(const struct rd *r) { return r->err ? 0 : r->len - r->off; }
static inline size_t rd_pos(const struct rd *r) { return r->off; }
/* absolute position within the message (for alignment and offsets) */
static inline size_t rd_abs(const struct rd *r) { return r->base + r->off; }

uint8_t rd_u8(struct rd *r);
uint16_t rd_u16le(struct rd *r);
uint32_t rd_u32le(struct rd *r);
uint64_t rd_u64le(struct rd *r);
uint16_t rd_u16be(struct rd *r);
uint32_t rd_u32be(struct rd *r);
uint32_t rd_u24be(struct rd *r);

bool rd_skip(struct rd *r, size_t n);
/* copy n bytes out; on failure dst is zero-filled and err set */
bool rd_copy(struct rd *r, void *dst, size_t n);
/* borrow n bytes in place (never cast this onto a struct); NULL on failure */
const uint8_t *rd_bytes(struct rd *r, size_t n);
/* take the next n bytes as a sub-window and advance past them; on failure the
 * sub-window is empty and already in error, and r is in error too */
struct rd rd_sub(struct rd *r, size_t n);
/* the rest of the window as a sub-window (advances to the end) */
struct rd rd_rest(struct rd *r);
/* move to an absolute position (relative to the window start) */
bool rd_seek(struct rd *r, size_t off);
/* skip to the next `align`-byte boundary of the enclosing message (base + off) */
bool rd_align(struct rd *r, size_t align);
/* peek one byte at cursor+ahead without advancing or setting err; -1 if absent */
int rd_peek(const struct rd *r, size_t ahead);

#endif
