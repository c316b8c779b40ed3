/* ndr_build: a tiny NDR20 writer for the DCE/RPC unit tests' fixtures, and the checks shared by
 * them. Each fixture is written member by member from the spec's IDL (the comments at the call
 * sites name each one), so the bytes are what a Windows client or server marshals: aligned to
 * the stub start, strings as conformant varying arrays counting their NUL, pointees deferred. */
#ifndef SMBSCOPE_TESTS_NDR_BUILD_H
#define SMBSCOPE_TESTS_NDR_BUILD_H

#include <check.h>
#include <stdint.h>
#include <string.h>

#include "dcerpc_ifaces.h"
#include "output/event.h"
#include "rd.h"

struct nb {
    uint8_t b[8192];
    size_t n;
};

static inline void nb_align(struct nb *w, size_t a)
{
    while (w->n % a)
        w->b[w->n++] = 0xAA;  /* padding bytes are never read: make them visible if they are */
}
static inline void nb_u8(struct nb *w, uint8_t v) { w->b[w->n++] = v; }
static inline void nb_u16(struct nb *w, uint16_t v)
{
    nb_align(w, 2);
    w->b[w->n++] = (uint8_t)v;
    w->b[w->n++] = (uint8_t)(v >> 8);
}
static inline void nb_u32(struct nb *w, uint32_t v)
{
    nb_align(w, 4);
    for (int i = 0; i < 4; i++)
        w->b[w->n++] = (uint8_t)(v >> (8 * i));
}
static inline void nb_bytes(struct nb *w, const void *p, size_t n)
{
    memcpy(w->b + w->n, p, n);
    w->n += n;
}
/* a context handle: 20 bytes */
static inline void nb_handle(struct nb *w)
{
    nb_align(w, 4);
    for (int i = 0; i < 20; i++)
        w->b[w->n++] = (uint8_t)(0x40 + i);
}
/* ASCII s as UTF-16LE units, with or without the NUL */
static inline void nb_utf16(struct nb *w, const char *s, int nul)
{
    for (; *s; s++) {
        w->b[w->n++] = (uint8_t)*s;
        w->b[w->n++] = 0;
    }
    if (nul) {
        w->b[w->n++] = 0;
        w->b[w->n++] = 0;
    }
}
/* [string] wchar_t*: max_count, offset, actual_count (NUL included), units */
static inline void nb_wstr(struct nb *w, const char *s)
{
    uint32_t n = (uint32_t)strlen(s) + 1;
    nb_u32(w, n);
    nb_u32(w, 0);
    nb_u32(w, n);
    nb_utf16(w, s, 1);
}
/* [string, unique] wchar_t*: referent id then the string, or a null pointer */
static inline void nb_uwstr(struct nb *w, const char *s)
{
    if (!s) {
        nb_u32(w, 0);
        return;
    }
    nb_u32(w, 0x00020000u + (uint32_t)w->n);
    nb_wstr(w, s);
}
/* RPC_UNICODE_STRING header; nul: the RRP form whose Length counts the NUL */
static inline void nb_ustr_hdr(struct nb *w, const char *s, int nul)
{
    nb_align(w, 4);
    uint16_t len = (uint16_t)(2 * (strlen(s) + (nul ? 1 : 0)));
    nb_u16(w, len);
    nb_u16(w, (uint16_t)(len + 2));
    nb_u32(w, 0x00020000u + (uint32_t)w->n);
}
/* its deferred body: max_count = MaximumLength/2, offset 0, actual_count = Length/2 */
static inline void nb_ustr_body(struct nb *w, const char *s, int nul)
{
    uint32_t n = (uint32_t)strlen(s) + (nul ? 1 : 0);
    nb_u32(w, n + 1);
    nb_u32(w, 0);
    nb_u32(w, n);
    nb_utf16(w, s, nul);
}
static inline void nb_ustr(struct nb *w, const char *s, int nul)
{
    nb_ustr_hdr(w, s, nul);
    nb_ustr_body(w, s, nul);
}
/* RPC_SID as a conformant structure: max_count, Revision, SubAuthorityCount, authority, subs */
static inline void nb_sid(struct nb *w, uint8_t auth, const uint32_t *sub, uint8_t n)
{
    nb_u32(w, n);
    nb_u8(w, 1);
    nb_u8(w, n);
    const uint8_t ia[6] = {0, 0, 0, 0, 0, auth};
    nb_bytes(w, ia, 6);
    for (uint8_t i = 0; i < n; i++)
        nb_u32(w, sub[i]);
}

/* ---- running a decoder and checking what it wrote ---- */
static const struct conn_ref nb_conn = {.num = 1, .id = "C1"};

typedef void (*nb_decoder)(uint16_t opnum, struct rd *stub, struct event *ev);

static inline void nb_run(nb_decoder fn, uint16_t opnum, const uint8_t *p, size_t n, struct event *ev)
{
    ev_init(ev, EV_DCERPC, 1, &nb_conn);
    /* the stub as the PDU layer hands it: a window inside a larger buffer, not at offset 0 */
    struct rd whole = rd_init(p, n);
    fn(opnum, &whole, ev);
}

static inline const char *nb_str(const struct event *e, const char *key)
{
    const struct field *f = ev_get(e, NULL, key);
    return f && f->kind == F_STR ? f->v.s : NULL;
}
static inline int64_t nb_uint(const struct event *e, const char *key)
{
    const struct field *f = ev_get(e, NULL, key);
    return f && f->kind == F_UINT ? (int64_t)f->v.u : -1;
}
static inline size_t nb_strv_n(const struct event *e, const char *key)
{
    const struct field *f = ev_get(e, NULL, key);
    return f && f->kind == F_STRV ? f->v.sv.n : 0;
}
static inline const char *nb_strv(const struct event *e, const char *key, size_t i)
{
    const struct field *f = ev_get(e, NULL, key);
    return f && f->kind == F_STRV && i < f->v.sv.n ? f->v.sv.v[i] : NULL;
}

/* every field of `part` is in `full` with the same value; a list may be a prefix of full's */
static inline void nb_subset(const struct event *part, const struct event *full, size_t cut)
{
    for (size_t i = 0; i < part->top.n; i++) {
        const struct field *a = &part->top.f[i];
        const struct field *b = ev_get(full, NULL, a->name);
        ck_assert_msg(b != NULL, "cut %zu: %s is not in the whole stub's record", cut, a->name);
        ck_assert_int_eq(a->kind, b->kind);
        switch (a->kind) {
        case F_STR: ck_assert_msg(strcmp(a->v.s, b->v.s) == 0, "cut %zu: %s=%s, whole: %s", cut, a->name,
                                  a->v.s, b->v.s); break;
        case F_UINT: ck_assert_msg(a->v.u == b->v.u, "cut %zu: %s differs", cut, a->name); break;
        case F_STRV:
            ck_assert_msg(a->v.sv.n <= b->v.sv.n, "cut %zu: %s longer than whole", cut, a->name);
            for (size_t k = 0; k < a->v.sv.n; k++)
                ck_assert_str_eq(a->v.sv.v[k], b->v.sv.v[k]);
            break;
        default: break;
        }
    }
}

/* every truncation 0..n-1 of the stub w whose whole decode the test has checked in *whole (each
 * copied into a buffer of exactly that size, so the sanitizer build sees any read past it):
 * nothing crashes, nothing is invented. Frees *whole. */
static inline void nb_cuts(struct event *whole, nb_decoder fn, uint16_t opnum, const struct nb *w)
{
    for (size_t cut = 0; cut < w->n; cut++) {
        uint8_t *c = malloc(cut ? cut : 1);
        memcpy(c, w->b, cut);
        struct event part;
        nb_run(fn, opnum, c, cut, &part);
        nb_subset(&part, whole, cut);
        ev_free(&part);
        free(c);
    }
    ev_free(whole);
}

#endif
