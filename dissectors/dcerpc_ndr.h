/* dcerpc_ndr: NDR20 primitives (little-endian, ASCII) over the bounds-checked reader.
 * Spec: [C706] chapter 14 (NDR: alignment, pointers, conformant and varying arrays, deferred
 * pointees), [MS-RPCE] 2.2.5 (NDR20 as Windows uses it), [MS-DTYP] 2.3.10 (RPC_UNICODE_STRING),
 * 2.4.2.3 (RPC_SID).
 *
 * Every reader here takes a struct rd whose window starts at the stub's first byte (base 0), so
 * rd_align() aligns relative to the stub start as NDR requires. Nothing here allocates: a count
 * read from the wire is checked against the bytes left before anything is walked, so a lying
 * count fails at once (the reader goes into error) instead of spinning. Strings are converted
 * with a cap and kept in the event's arena by the list collector. */
#ifndef SMBSCOPE_DCERPC_NDR_H
#define SMBSCOPE_DCERPC_NDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rd.h"

struct event;
struct fld_t_strv;

/* Limits of argument decoding (compile-time: the decoders get no run configuration through the
 * interface contract; README "Limits" lists them). */
#define NDR_STR_MAX 1024   /* bytes of one decoded string (UTF-8, NUL included), like --max-string's default */
#define NDR_LIST_MAX 100   /* entries kept in one list field (names, rids, sids, shares); `count` says how many came */
#define NDR_XML_MAX 65536  /* UTF-16 bytes of a task's XML searched for <Command>/<Arguments> */
#define NDR_SID_MAX 200    /* bytes of "S-1-..." text: 15 sub-authorities of 10 digits fit */

/* the reader's window as seen from the stub start: decoders work on a copy with base 0 */
struct rd ndr_stub(const struct rd *stub);
/* put the reader into error (a lying count or offset): later reads all fail */
void ndr_fail(struct rd *r);

uint8_t ndr_u8(struct rd *r);
uint16_t ndr_u16(struct rd *r);   /* aligned to 2 */
uint32_t ndr_u32(struct rd *r);   /* aligned to 4 */
uint64_t ndr_u64(struct rd *r);   /* aligned to 8 */
/* a unique/full pointer's referent id (aligned 4); 0 is the null pointer */
static inline uint32_t ndr_ptr(struct rd *r) { return ndr_u32(r); }
/* a context handle: 20 opaque bytes (aligned 4), skipped */
bool ndr_handle(struct rd *r);

/* A conformant varying array of n-byte elements: max_count, offset, actual_count. Checks that
 * offset + actual <= max and that actual * elem bytes are there; returns actual (the cursor is on
 * the first element) or sets the error and returns 0. */
uint32_t ndr_varying_hdr(struct rd *r, size_t elem);
/* A conformant array header: max_count, checked against the bytes left (elem bytes each). */
uint32_t ndr_conformant_hdr(struct rd *r, size_t elem);

/* [string] wchar_t*: a conformant varying UTF-16LE string, converted to UTF-8 into out (cap
 * bytes, always NUL-terminated, trailing NULs dropped). Returns false (reader in error, out "")
 * when it does not decode. */
bool ndr_wstr(struct rd *r, char *out, size_t cap);
/* the same for 8-bit [string] char* (OEM text, converted like other OEM strings) */
bool ndr_cstr(struct rd *r, char *out, size_t cap);
/* [string, unique] wchar_t*: referent id, then the string when not null. *present says which;
 * out is "" for a null pointer. */
bool ndr_unique_wstr(struct rd *r, char *out, size_t cap, bool *present);

/* RPC_UNICODE_STRING: Length, MaximumLength (bytes), pointer to a conformant varying array of
 * UTF-16 units. The header is read where the structure sits; the body where the pointee is
 * deferred to (right after, for a top-level parameter). */
struct ndr_ustr {
    uint16_t len, max;
    uint32_t ptr;
};
bool ndr_ustr_hdr(struct rd *r, struct ndr_ustr *h);
/* the deferred body; out "" for a null pointer. The body's actual_count must agree with the
 * header's Length (a mismatch fails: a lying length). */
bool ndr_ustr_body(struct rd *r, const struct ndr_ustr *h, char *out, size_t cap);
/* both, for a structure that is a top-level parameter */
bool ndr_ustr(struct rd *r, char *out, size_t cap);

/* RPC_SID as a conformant structure (max_count first), formatted as S-1-5-21-... into out
 * (NDR_SID_MAX bytes). */
bool ndr_sid(struct rd *r, char *out, size_t cap);

/* Arrays of structures whose members are pointers deferred after the whole array, walked twice
 * without allocating: once over the fixed parts (to find where the pointees start), then element
 * by element, reading each element's pointees in member order. The element's layout is a format
 * string, one letter per member:
 *   'h' uint16   'd' uint32   'c' uint8
 *   's' [string, unique] wchar_t*      (deferred conformant varying string)
 *   'u' RPC_UNICODE_STRING             (header inline, body deferred)
 *   'S' [unique] PRPC_SID              (deferred conformant RPC_SID)
 *   'b' [unique, size_is(previous 'd')] byte*  (deferred conformant byte array, skipped)
 * Each element's values go to the callback; string members point into per-walk buffers valid
 * only during the call. At most NDR_ELEM_MAX members and NDR_ELEM_STRS string members. */
#define NDR_ELEM_MAX 12
#define NDR_ELEM_STRS 4
struct ndr_elem {
    uint32_t u[NDR_ELEM_MAX];          /* numbers; for pointer members the referent id */
    const char *s[NDR_ELEM_MAX];       /* strings ('s', 'u', 'S'); NULL when the pointer is null */
};
typedef void (*ndr_elem_fn)(void *u, uint32_t idx, const struct ndr_elem *e);
/* the conformant array (max_count then n elements) whose count was announced as n by its
 * container; stops cleanly (reader in error) at the first element that does not decode and
 * returns the number of elements handed to fn */
uint32_t ndr_struct_array(struct rd *r, uint32_t n, const char *fmt, ndr_elem_fn fn, void *u);

/* A bounded list of strings destined for one STRV field: copies into the event's arena, keeps
 * the first NDR_LIST_MAX. */
struct ndr_list {
    const char *v[NDR_LIST_MAX];
    size_t n;
    size_t seen;
};
void ndr_list_add(struct event *ev, struct ndr_list *l, const char *s);
void ndr_list_addu(struct event *ev, struct ndr_list *l, uint32_t v);   /* decimal */
/* writes the field when the list is not empty */
void ndr_list_emit(struct event *ev, struct ndr_list *l, const struct fld_t_strv *f);

#endif
