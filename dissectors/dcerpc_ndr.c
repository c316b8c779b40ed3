/* dcerpc_ndr: NDR20 primitives over the bounds-checked reader.
 * Spec: [C706] 14.2 (alignment), 14.3.3-14.3.4 (conformant and varying arrays, strings), 14.3.10-
 * 14.3.12 (pointers, deferral); [MS-DTYP] 2.3.10 (RPC_UNICODE_STRING), 2.4.2.3 (RPC_SID). */
#include "dcerpc_ndr.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "output/event.h"
#include "str.h"

struct rd ndr_stub(const struct rd *stub)
{
    size_t left = rd_left(stub);
    return rd_init(left ? stub->p + stub->off : NULL, left);
}

void ndr_fail(struct rd *r)
{
    /* one byte more than there is: the reader's own sticky error, so every later read fails */
    rd_skip(r, rd_left(r) + 1);
}

uint8_t ndr_u8(struct rd *r) { return rd_u8(r); }

uint16_t ndr_u16(struct rd *r)
{
    rd_align(r, 2);
    return rd_u16le(r);
}

uint32_t ndr_u32(struct rd *r)
{
    rd_align(r, 4);
    return rd_u32le(r);
}

uint64_t ndr_u64(struct rd *r)
{
    rd_align(r, 8);
    return rd_u64le(r);
}

bool ndr_handle(struct rd *r)
{
    rd_align(r, 4);
    return rd_skip(r, 20);
}

uint32_t ndr_conformant_hdr(struct rd *r, size_t elem)
{
    uint32_t max = ndr_u32(r);
    if (!rd_ok(r))
        return 0;
    if (elem && (uint64_t)max * elem > rd_left(r)) {
        ndr_fail(r);
        return 0;
    }
    return max;
}

uint32_t ndr_varying_hdr(struct rd *r, size_t elem)
{
    uint32_t max = ndr_u32(r), off = ndr_u32(r), actual = ndr_u32(r);
    if (!rd_ok(r))
        return 0;
    /* [C706] 14.3.3.3: the transmitted part lies inside the conformant bound */
    if (off > max || actual > max - off || (uint64_t)actual * elem > rd_left(r)) {
        ndr_fail(r);
        return 0;
    }
    return actual;
}

/* n UTF-16 units at the cursor, trailing NULs dropped */
static bool wchars(struct rd *r, uint32_t n, char *out, size_t cap)
{
    const uint8_t *b = rd_bytes(r, (size_t)n * 2);
    if (!b)
        return false;
    while (n && b[2 * n - 2] == 0 && b[2 * n - 1] == 0)
        n--;
    str_utf16le_to_utf8(b, (size_t)n * 2, out, cap);
    return true;
}

bool ndr_wstr(struct rd *r, char *out, size_t cap)
{
    if (cap)
        out[0] = 0;
    uint32_t n = ndr_varying_hdr(r, 2);
    return rd_ok(r) && wchars(r, n, out, cap);
}

bool ndr_cstr(struct rd *r, char *out, size_t cap)
{
    if (cap)
        out[0] = 0;
    uint32_t n = ndr_varying_hdr(r, 1);
    const uint8_t *b = rd_ok(r) ? rd_bytes(r, n) : NULL;
    if (!b)
        return false;
    while (n && b[n - 1] == 0)
        n--;
    str_oem_to_utf8(b, n, out, cap);
    return true;
}

bool ndr_unique_wstr(struct rd *r, char *out, size_t cap, bool *present)
{
    if (cap)
        out[0] = 0;
    uint32_t ref = ndr_ptr(r);
    *present = rd_ok(r) && ref != 0;
    if (!rd_ok(r))
        return false;
    return ref ? ndr_wstr(r, out, cap) : true;
}

bool ndr_ustr_hdr(struct rd *r, struct ndr_ustr *h)
{
    /* the structure holds a pointer: it is aligned to 4, not to its first member's 2 */
    rd_align(r, 4);
    h->len = ndr_u16(r);
    h->max = ndr_u16(r);
    h->ptr = ndr_ptr(r);
    return rd_ok(r);
}

bool ndr_ustr_body(struct rd *r, const struct ndr_ustr *h, char *out, size_t cap)
{
    if (cap)
        out[0] = 0;
    if (!h->ptr)
        return rd_ok(r);
    uint32_t n = ndr_varying_hdr(r, 2);
    if (!rd_ok(r))
        return false;
    /* [MS-DTYP] 2.3.10: the array carries Length/2 units (RRP strings count their NUL there too) */
    if (n != h->len / 2u) {
        ndr_fail(r);
        return false;
    }
    return wchars(r, n, out, cap);
}

bool ndr_ustr(struct rd *r, char *out, size_t cap)
{
    struct ndr_ustr h;
    if (cap)
        out[0] = 0;
    return ndr_ustr_hdr(r, &h) && ndr_ustr_body(r, &h, out, cap);
}

bool ndr_sid(struct rd *r, char *out, size_t cap)
{
    if (cap)
        out[0] = 0;
    uint32_t max = ndr_conformant_hdr(r, 4);
    uint8_t rev = ndr_u8(r), n = ndr_u8(r);
    const uint8_t *auth = rd_bytes(r, 6);
    if (!rd_ok(r) || !auth)
        return false;
    /* the conformance and the structure's own count must agree; [MS-DTYP] 2.4.2.3 allows 15 */
    if (n != max || n > 15 || (size_t)n * 4 > rd_left(r)) {
        ndr_fail(r);
        return false;
    }
    uint64_t ia = 0;
    for (int i = 0; i < 6; i++)
        ia = ia << 8 | auth[i];
    char buf[NDR_SID_MAX];
    int k = snprintf(buf, sizeof buf, "S-%u-%" PRIu64, rev, ia);
    for (unsigned i = 0; i < n; i++) {
        uint32_t sa = rd_u32le(r);
        if (k > 0 && (size_t)k < sizeof buf)
            k += snprintf(buf + k, sizeof buf - (size_t)k, "-%" PRIu32, sa);
    }
    if (!rd_ok(r))
        return false;
    snprintf(out, cap, "%s", buf);
    return true;
}

/* fixed part of one member; returns false on a bad format or a read error */
static bool member_fixed(struct rd *r, char m, uint32_t *u, struct ndr_ustr *us)
{
    switch (m) {
    case 'c': *u = ndr_u8(r); break;
    case 'h': *u = ndr_u16(r); break;
    case 'd': case 's': case 'S': case 'b': *u = ndr_u32(r); break;
    case 'u': ndr_ustr_hdr(r, us); *u = us->ptr; break;
    default: ndr_fail(r); return false;
    }
    return rd_ok(r);
}

/* smallest bytes one member takes (bounds a lying element count before walking) */
static size_t member_size(char m) { return m == 'c' ? 1 : m == 'h' ? 2 : m == 'u' ? 8 : 4; }

/* a structure is aligned to its largest member ([C706] 14.3.2): every element starts there */
static size_t elem_align(const char *fmt)
{
    size_t a = 1;
    for (; *fmt; fmt++)
        if (member_size(*fmt) > a)
            a = member_size(*fmt) > 4 ? 4 : member_size(*fmt);
    return a;
}

uint32_t ndr_struct_array(struct rd *r, uint32_t n, const char *fmt, ndr_elem_fn fn, void *u)
{
    size_t nm = strlen(fmt), esize = 0;
    if (nm == 0 || nm > NDR_ELEM_MAX) {
        ndr_fail(r);
        return 0;
    }
    for (size_t i = 0; i < nm; i++)
        esize += member_size(fmt[i]);
    size_t align = elem_align(fmt);
    uint32_t max = ndr_conformant_hdr(r, esize);
    if (!rd_ok(r))
        return 0;
    if (max < n || (uint64_t)n * esize > rd_left(r)) {
        ndr_fail(r);
        return 0;
    }
    /* pass 1: the fixed parts of every element (max_count of them on the wire) */
    struct rd fixed = *r;
    for (uint32_t i = 0; i < max && rd_ok(r); i++) {
        rd_align(r, align);
        for (size_t k = 0; k < nm; k++) {
            uint32_t v;
            struct ndr_ustr us;
            if (!member_fixed(r, fmt[k], &v, &us))
                return 0;
        }
    }
    /* pass 2: element by element, fixed part again from `fixed`, pointees from r */
    char bufs[NDR_ELEM_STRS][NDR_STR_MAX];
    uint32_t done = 0;
    for (uint32_t i = 0; i < max; i++) {
        struct ndr_elem e;
        struct ndr_ustr us[NDR_ELEM_MAX];
        size_t nstr = 0;
        memset(&e, 0, sizeof e);
        rd_align(&fixed, align);
        for (size_t k = 0; k < nm; k++)
            if (!member_fixed(&fixed, fmt[k], &e.u[k], &us[k]))
                return done;
        for (size_t k = 0; k < nm; k++) {
            char m = fmt[k];
            if (!e.u[k] || (m != 's' && m != 'u' && m != 'S' && m != 'b'))
                continue;
            char scratch[NDR_SID_MAX];
            char *dst = nstr < NDR_ELEM_STRS ? bufs[nstr] : scratch;
            size_t cap = nstr < NDR_ELEM_STRS ? NDR_STR_MAX : sizeof scratch;
            bool ok;
            if (m == 's')
                ok = ndr_wstr(r, dst, cap);
            else if (m == 'u')
                ok = ndr_ustr_body(r, &us[k], dst, cap);
            else if (m == 'S')
                ok = ndr_sid(r, dst, cap);
            else {
                uint32_t len = ndr_conformant_hdr(r, 1);
                ok = rd_ok(r) && rd_skip(r, len);
                dst = NULL;
            }
            if (!ok)
                return done;
            if (dst && nstr < NDR_ELEM_STRS) {
                e.s[k] = dst;
                nstr++;
            }
        }
        /* elements past the container's count (max_count > n) are walked, so the cursor ends
         * after the array, but not reported: n is what the container announced as valid */
        if (i < n) {
            fn(u, i, &e);
            done++;
        }
    }
    return done;
}

void ndr_list_add(struct event *ev, struct ndr_list *l, const char *s)
{
    l->seen++;
    if (l->n < NDR_LIST_MAX)
        l->v[l->n++] = ev_strdup(ev, s, strlen(s));
}

void ndr_list_addu(struct event *ev, struct ndr_list *l, uint32_t v)
{
    char b[16];
    snprintf(b, sizeof b, "%" PRIu32, v);
    ndr_list_add(ev, l, b);
}

void ndr_list_emit(struct event *ev, struct ndr_list *l, const struct fld_t_strv *f)
{
    if (l->n)
        fs_strv(ev, NULL, f, l->v, l->n);
}
