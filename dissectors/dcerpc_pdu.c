/* dcerpc_pdu: parse one connection-oriented DCE/RPC PDU: the common header,
 * the bodies of bind / alter_context, their acks and nak, request, response
 * and fault, and the auth verifier that ends a PDU with auth_length != 0;
 * the names of a fault's status.
 * Spec: [C706] 12.6.3 (PDU layouts), 12.6.4.x (per type), appendix E (fault
 * codes); [MS-RPCE] 2.2.2.11 (sec_trailer: auth_type, auth_level, auth_pad_length, auth_reserved,
 * auth_context_id; the stub is padded before it), 2.2.2.13 (object UUID
 * present when PFC_OBJECT_UUID is set). */
#include "dcerpc.h"

#include <string.h>

#include "dcerpc_ifaces.h"

#define SEC_TRAILER_LEN 8
#define SYNTAX_ID_LEN 20       /* a UUID and its 32-bit version */

/* the integer byte order of the sender: drep[0] bit 4 ([C706] 14.2.5) */
static uint16_t get16(struct rd *r, bool le)
{
    return le ? rd_u16le(r) : rd_u16be(r);
}

static uint32_t get32(struct rd *r, bool le)
{
    return le ? rd_u32le(r) : rd_u32be(r);
}

static bool hdr_le(const struct dcerpc_hdr *h)
{
    return (h->drep[0] & 0x10) != 0;
}

static bool co_ptype(uint8_t t)
{
    return t == DCERPC_REQUEST || t == DCERPC_RESPONSE || t == DCERPC_FAULT || (t >= DCERPC_BIND && t <= DCERPC_ORPHANED);
}

const char *dcerpc_ptype_name(uint8_t t)
{
    static const char *const names[] = {
        [DCERPC_REQUEST] = "request", [DCERPC_RESPONSE] = "response", [DCERPC_FAULT] = "fault",
        [DCERPC_BIND] = "bind", [DCERPC_BIND_ACK] = "bind_ack", [DCERPC_BIND_NAK] = "bind_nak",
        [DCERPC_ALTER] = "alter_context", [DCERPC_ALTER_RESP] = "alter_context_resp", [DCERPC_AUTH3] = "auth3",
        [DCERPC_SHUTDOWN] = "shutdown", [DCERPC_CO_CANCEL] = "co_cancel", [DCERPC_ORPHANED] = "orphaned",
    };
    const char *n = t < sizeof names / sizeof names[0] ? names[t] : NULL;
    return n ? n : "unknown";
}

/* [C706] appendix E / N.2 and [MS-RPCE] 3.1.1.5.5: the fault codes a server sends */
const char *dcerpc_fault_name(uint32_t s)
{
    switch (s) {
    case 0x1c010002: return "nca_s_op_rng_error";
    case 0x1c010003: return "nca_s_unk_if";
    case 0x1c010006: return "nca_s_wrong_boot_time";
    case 0x1c010009: return "nca_s_you_crashed";
    case 0x1c01000b: return "nca_s_proto_error";
    case 0x1c010013: return "nca_s_out_args_too_big";
    case 0x1c010014: return "nca_s_server_too_busy";
    case 0x1c010017: return "nca_s_unsupported_type";
    case 0x1c000001: return "nca_s_fault_int_div_by_zero";
    case 0x1c000002: return "nca_s_fault_addr_error";
    case 0x1c000003: return "nca_s_fault_fp_div_zero";
    case 0x1c000004: return "nca_s_fault_fp_underflow";
    case 0x1c000005: return "nca_s_fault_fp_overflow";
    case 0x1c000006: return "nca_s_fault_invalid_tag";
    case 0x1c000007: return "nca_s_fault_invalid_bound";
    case 0x1c00000d: return "nca_s_fault_cancel";
    case 0x1c00000e: return "nca_s_fault_ill_inst";
    case 0x1c00000f: return "nca_s_fault_fp_error";
    case 0x1c000010: return "nca_s_fault_int_overflow";
    case 0x1c00001a: return "nca_s_fault_context_mismatch";
    case 0x1c00001b: return "nca_s_fault_remote_no_memory";
    case 0x1c00001c: return "nca_s_invalid_pres_context_id";
    case 0x1c00001d: return "nca_s_unsupported_authn_level";
    case 0x1c00001f: return "nca_s_invalid_checksum";
    case 0x1c000020: return "nca_s_invalid_crc";
    case 0x00000005: return "nca_s_fault_access_denied";
    case 0x000006f7: return "nca_s_fault_ndr";
    case 0x000006d8: return "nca_s_fault_cant_perform";
    default: return dcerpc_status_name(s);
    }
}

bool dcerpc_hdr_parse(struct rd *r, struct dcerpc_hdr *h)
{
    h->ver = rd_u8(r);
    h->ver_minor = rd_u8(r);
    h->ptype = rd_u8(r);
    h->flags = rd_u8(r);
    rd_copy(r, h->drep, 4);
    bool le = hdr_le(h);
    h->frag_len = get16(r, le);
    h->auth_len = get16(r, le);
    h->call_id = get32(r, le);
    if (!rd_ok(r))
        return false;
    /* drep: integers big/little-endian, characters ASCII/EBCDIC (low nibble),
     * floats IEEE/VAX/Cray/IBM (byte 1), two reserved zero bytes */
    bool drep_ok = (h->drep[0] & 0xee) == 0 && h->drep[1] <= 3 && h->drep[2] == 0 && h->drep[3] == 0;
    size_t need = DCERPC_HDR_LEN + (h->auth_len ? (size_t)SEC_TRAILER_LEN + h->auth_len : 0);
    return h->ver == 5 && h->ver_minor <= 1 && co_ptype(h->ptype) && drep_ok && h->frag_len >= need;
}

/* a UUID as the table keeps it: wire order of a little-endian sender (the
 * first three fields are integers in the sender's order) */
static void get_uuid(struct rd *r, bool le, uint8_t out[16])
{
    rd_copy(r, out, 16);
    if (le)
        return;
    uint8_t t;
    t = out[0], out[0] = out[3], out[3] = t;
    t = out[1], out[1] = out[2], out[2] = t;
    t = out[4], out[4] = out[5], out[5] = t;
    t = out[6], out[6] = out[7], out[7] = t;
}

/* p_cont_list_t ([C706] 12.6.3.1) */
static void bind_body(struct rd *r, bool le, struct dcerpc_pdu *o)
{
    o->max_xmit = get16(r, le);
    o->max_recv = get16(r, le);
    o->assoc_group = get32(r, le);
    uint8_t n = rd_u8(r);
    rd_skip(r, 1 + 2); /* reserved, reserved2 */
    for (size_t i = 0; i < n && rd_ok(r); i++) {
        struct dcerpc_ctx_elem *c = &o->ctx[i];
        c->id = get16(r, le);
        c->n_transfer = rd_u8(r);
        rd_skip(r, 1);
        get_uuid(r, le, c->uuid);
        uint32_t v = get32(r, le); /* major in the low half, minor in the high half */
        c->ver_major = (uint16_t)(v & 0xffff);
        c->ver_minor = (uint16_t)(v >> 16);
        rd_skip(r, (size_t)SYNTAX_ID_LEN * c->n_transfer);
        if (rd_ok(r))
            o->n_ctx = i + 1;
    }
}

/* bind_ack / alter_context_resp: secondary address, padding to 4, p_result_list_t */
static void ack_body(struct rd *r, bool le, struct dcerpc_pdu *o)
{
    o->max_xmit = get16(r, le);
    o->max_recv = get16(r, le);
    o->assoc_group = get32(r, le);
    uint16_t addr_len = get16(r, le);
    rd_skip(r, addr_len);
    if (rd_ok(r) && rd_pos(r) % 4)
        rd_skip(r, 4 - rd_pos(r) % 4); /* aligned from the PDU's start */
    uint8_t n = rd_u8(r);
    rd_skip(r, 1 + 2);
    for (size_t i = 0; i < n && rd_ok(r); i++) {
        o->results[i].result = get16(r, le);
        o->results[i].reason = get16(r, le);
        rd_skip(r, SYNTAX_ID_LEN);
        if (rd_ok(r))
            o->n_results = i + 1;
    }
}

bool dcerpc_pdu_parse(const uint8_t *p, size_t n, struct dcerpc_pdu *o)
{
    memset(o, 0, sizeof *o);
    struct rd r = rd_init(p, n);
    if (!dcerpc_hdr_parse(&r, &o->h) || n < o->h.frag_len)
        return false;
    const struct dcerpc_hdr *h = &o->h;
    bool le = hdr_le(h);
    /* the body ends where the auth verifier's trailer begins */
    size_t body_end = h->frag_len;
    struct rd tr = rd_init(NULL, 0);
    if (h->auth_len) {
        body_end = h->frag_len - h->auth_len - SEC_TRAILER_LEN;
        tr = rd_init(p + body_end, SEC_TRAILER_LEN);
        o->has_auth = true;
        o->auth_type = rd_u8(&tr);
        o->auth_level = rd_u8(&tr);
        o->auth_pad = rd_u8(&tr);
    }
    struct rd b = rd_init(p, body_end);
    rd_skip(&b, DCERPC_HDR_LEN);
    switch (h->ptype) {
    case DCERPC_REQUEST:
    case DCERPC_RESPONSE:
    case DCERPC_FAULT:
        o->alloc_hint = get32(&b, le);
        o->ctx_id = get16(&b, le);
        if (h->ptype == DCERPC_REQUEST) {
            o->opnum = get16(&b, le);
            if (h->flags & DCERPC_PFC_OBJECT_UUID) {
                o->has_object = true;
                get_uuid(&b, le, o->object);
            }
        } else {
            o->cancel_count = rd_u8(&b);
            rd_skip(&b, 1);
            if (h->ptype == DCERPC_FAULT) {
                o->status = get32(&b, le);
                rd_skip(&b, 4); /* reserved */
            }
        }
        if (!rd_ok(&b))
            return false;
        {
            /* the stub, less the padding that aligns the auth trailer */
            size_t left = rd_left(&b);
            size_t pad = o->has_auth ? o->auth_pad : 0;
            if (pad > left) {
                o->bad_auth_pad = true;
                pad = left;
            }
            o->stub = rd_sub(&b, left - pad);
        }
        return true;
    case DCERPC_BIND:
    case DCERPC_ALTER:
        bind_body(&b, le, o);
        return rd_ok(&b);
    case DCERPC_BIND_ACK:
    case DCERPC_ALTER_RESP:
        ack_body(&b, le, o);
        return rd_ok(&b);
    case DCERPC_BIND_NAK:
        o->reject_reason = get16(&b, le);
        return rd_ok(&b);
    default:
        return true; /* auth3, shutdown, cancel, orphaned: the header says it all */
    }
}
