/* rd: bounds-checked byte reader with sticky error. */
#include "rd.h"

#include <string.h>

struct rd rd_init(const uint8_t *p, size_t len) { return rd_init_at(p, len, 0); }

struct rd rd_init_at(const uint8_t *p, size_t len, size_t base)
{
    struct rd r = {.p = p, .len = p ? len : 0, .off = 0, .base = base, .err = false, .err_off = 0};
    return r;
}

static bool rd_need(struct rd *r, size_t n)
{
    if (r->err)
        return false;
    if (n > r->len - r->off) {
        r->err = true;
        r->err_off = r->off;
        return false;
    }
    return true;
}

uint8_t rd_u8(struct rd *r)
{
    if (!rd_need(r, 1))
        return 0;
    return r->p[r->off++];
}

uint16_t rd_u16le(struct rd *r)
{
    if (!rd_need(r, 2))
        return 0;
    const uint8_t *b = r->p + r->off;
    r->off += 2;
    return (uint16_t)(b[0] | (uint16_t)b[1] << 8);
}

uint32_t rd_u32le(struct rd *r)
{
    if (!rd_need(r, 4))
        return 0;
    const uint8_t *b = r->p + r->off;
    r->off += 4;
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

uint64_t rd_u64le(struct rd *r)
{
    if (!rd_need(r, 8))
        return 0;
    uint64_t lo = rd_u32le(r);
    uint64_t hi = rd_u32le(r);
    return lo | hi << 32;
}

uint16_t rd_u16be(struct rd *r)
{
    if (!rd_need(r, 2))
        return 0;
    const uint8_t *b = r->p + r->off;
    r->off += 2;
    return (uint16_t)((uint16_t)b[0] << 8 | b[1]);
}

uint32_t rd_u24be(struct rd *r)
{
    if (!rd_need(r, 3))
        return 0;
    const uint8_t *b = r->p + r->off;
    r->off += 3;
    return (uint32_t)b[0] << 16 | (uint32_t)b[1] << 8 | b[2];
}

uint32_t rd_u32be(struct rd *r)
{
    if (!rd_need(r, 4))
        return 0;
    const uint8_t *b = r->p + r->off;
    r->off += 4;
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

bool rd_skip(struct rd *r, size_t n)
{
    if (!rd_need(r, n))
        return false;
    r->off += n;
    return true;
}

bool rd_copy(struct rd *r, void *dst, size_t n)
{
    if (!rd_need(r, n)) {
        if (n)
            memset(dst, 0, n);
        return false;
    }
    if (n)
        memcpy(dst, r->p + r->off, n);
    r->off += n;
    return true;
}

const uint8_t *rd_bytes(struct rd *r, size_t n)
{
    static const uint8_t empty[1];
    if (!rd_need(r, n))
        return NULL;
    if (!r->p)
        return empty; /* an empty window over nothing: never offset a null pointer */
    const uint8_t *b = r->p + r->off;
    r->off += n;
    return b;
}

struct rd rd_sub(struct rd *r, size_t n)
{
    size_t at = rd_abs(r);
    const uint8_t *b = rd_bytes(r, n);
    if (!b) {
        struct rd bad = rd_init_at(NULL, 0, at);
        bad.err = true;
        return bad;
    }
    return rd_init_at(b, n, at);
}

struct rd rd_rest(struct rd *r) { return rd_sub(r, rd_left(r)); }

bool rd_seek(struct rd *r, size_t off)
{
    if (r->err)
        return false;
    if (off > r->len) {
        r->err = true;
        r->err_off = r->off;
        return false;
    }
    r->off = off;
    return true;
}

bool rd_align(struct rd *r, size_t align)
{
    if (align < 2)
        return rd_ok(r);
    size_t mis = rd_abs(r) % align;
    return mis ? rd_skip(r, align - mis) : rd_ok(r);
}

int rd_peek(const struct rd *r, size_t ahead)
{
    if (r->err || ahead >= r->len - r->off)
        return -1;
    return r->p[r->off + ahead];
}
