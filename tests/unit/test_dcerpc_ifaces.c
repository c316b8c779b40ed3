/* Unit tests for the interface table (dcerpc_ifaces.c) and the NDR primitives (dcerpc_ndr.c).
 * The opnum tables were reviewed opnum by opnum against tshark's decoders with
 * tests/tools/dcerpc_opnums_vs_tshark.py; the spot checks here pin the operations the argument
 * decoders and the notices rely on, with the numbers from the specs' method pages. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "dcerpc_ndr.h"
#include "ndr_build.h"
#include "smb1_status.h"

/* the bind's abstract syntax bytes, as captured (svcctl from impacket's services.py) */
static const uint8_t svcctl_wire[16] = {0x81, 0xbb, 0x7a, 0x36, 0x44, 0x98, 0xf1, 0x35,
                                        0xad, 0x32, 0x98, 0xf0, 0x38, 0x00, 0x10, 0x03};

START_TEST(lookup_by_uuid)
{
    const struct dcerpc_iface *i = dcerpc_iface_by_uuid(svcctl_wire, 2);
    ck_assert_ptr_nonnull(i);
    ck_assert_str_eq(i->name, "svcctl");
    ck_assert_ptr_null(dcerpc_iface_by_uuid(svcctl_wire, 1));  /* another major version */
    uint8_t other[16];
    memcpy(other, svcctl_wire, 16);
    other[15] ^= 1;
    ck_assert_ptr_null(dcerpc_iface_by_uuid(other, 2));
    /* lsarpc and samr differ in their last byte only; spoolss and netlogon in the last two */
    const uint8_t lsa[16] = {0x78, 0x57, 0x34, 0x12, 0x34, 0x12, 0xcd, 0xab,
                             0xef, 0x00, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab};
    const uint8_t samr[16] = {0x78, 0x57, 0x34, 0x12, 0x34, 0x12, 0xcd, 0xab,
                              0xef, 0x00, 0x01, 0x23, 0x45, 0x67, 0x89, 0xac};
    ck_assert_str_eq(dcerpc_iface_by_uuid(lsa, 0)->name, "lsarpc");
    ck_assert_str_eq(dcerpc_iface_by_uuid(samr, 1)->name, "samr");
    size_t n;
    const struct dcerpc_iface *t = dcerpc_iface_table(&n);
    for (size_t a = 0; a < n; a++) {
        ck_assert_ptr_eq(dcerpc_iface_by_uuid(t[a].uuid, t[a].ver_major), &t[a]);  /* no duplicates */
        ck_assert_uint_gt(t[a].n_ops, 0);
        ck_assert(t[a].status_is_hresult_or_win32);
    }
    ck_assert_uint_ge(n, 15);
}
END_TEST

static const char *op(const char *iface, uint16_t opnum)
{
    size_t n;
    const struct dcerpc_iface *t = dcerpc_iface_table(&n);
    for (size_t i = 0; i < n; i++)
        if (strcmp(t[i].name, iface) == 0)
            return dcerpc_op_name(&t[i], opnum);
    return "no such interface";
}

START_TEST(operation_names)
{
    ck_assert_str_eq(op("svcctl", 12), "CreateServiceW");          /* [MS-SCMR] 3.1.4.12 */
    ck_assert_str_eq(op("svcctl", 15), "OpenSCManagerW");
    ck_assert_str_eq(op("svcctl", 19), "StartServiceW");
    ck_assert_str_eq(op("svcctl", 2), "DeleteService");
    ck_assert_str_eq(op("samr", 13), "SamrEnumerateUsersInDomain");
    ck_assert_str_eq(op("samr", 64), "SamrConnect5");
    ck_assert_str_eq(op("lsarpc", 76), "LsarLookupSids3");
    ck_assert_str_eq(op("lsarpc", 44), "LsarOpenPolicy2");
    ck_assert_str_eq(op("srvsvc", 15), "NetrShareEnum");
    ck_assert_str_eq(op("winreg", 22), "BaseRegSetValue");
    ck_assert_str_eq(op("spoolss", 89), "RpcAddPrinterDriverEx");
    ck_assert_str_eq(op("spoolss", 69), "RpcOpenPrinterEx");
    ck_assert_str_eq(op("eventlog", 25), "ElfrReportEventExW");     /* [MS-EVEN] 3.1.4.16 */
    ck_assert_str_eq(op("netlogon", 26), "NetrServerAuthenticate3");
    ck_assert_str_eq(op("tsch", 1), "SchRpcRegisterTask");
    ck_assert_str_eq(op("atsvc", 0), "NetrJobAdd");
    ck_assert_str_eq(op("drsuapi", 3), "DRSGetNCChanges");
    ck_assert_ptr_null(op("srvsvc", 0));                            /* NotUsedOnWire */
    ck_assert_ptr_null(op("svcctl", 60000));
    ck_assert_ptr_null(dcerpc_op_name(NULL, 0));
}
END_TEST

START_TEST(status_names)
{
    size_t n;
    const struct nt_status_entry *w = dcerpc_w32_table(&n);
    for (size_t i = 1; i < n; i++)
        ck_assert_uint_lt(w[i - 1].code, w[i].code);  /* sorted, no repeats: binary search works */
    ck_assert_str_eq(dcerpc_status_name(0), "ERROR_SUCCESS");
    ck_assert_str_eq(dcerpc_status_name(5), "ERROR_ACCESS_DENIED");
    ck_assert_str_eq(dcerpc_status_name(1073), "ERROR_SERVICE_EXISTS");
    ck_assert_str_eq(dcerpc_status_name(0x1C010002), "nca_s_op_rng_error");
    ck_assert_str_eq(dcerpc_status_name(0xC0000022), "STATUS_ACCESS_DENIED");  /* from smb1_status.c */
    ck_assert_ptr_null(dcerpc_status_name(0x4242));
    size_t ni;
    const struct dcerpc_iface *t = dcerpc_iface_table(&ni);
    const struct dcerpc_iface *samr = NULL;
    for (size_t i = 0; i < ni; i++)
        if (strcmp(t[i].name, "samr") == 0)
            samr = &t[i];
    ck_assert_str_eq(dcerpc_iface_status_name(samr, 0), "STATUS_SUCCESS");
    ck_assert_str_eq(dcerpc_iface_status_name(samr, 0x105), "STATUS_MORE_ENTRIES");
    ck_assert_str_eq(dcerpc_iface_status_name(NULL, 259), "ERROR_NO_MORE_ITEMS");
}
END_TEST

START_TEST(ndr_alignment_is_relative_to_the_stub)
{
    /* the stub sits 3 bytes into its buffer: alignment counts from the stub, not the buffer */
    uint8_t buf[3 + 12] = {0xee, 0xee, 0xee, 0x01, 0xAA, 0xAA, 0xAA, 0x78, 0x56, 0x34, 0x12, 0x02, 0xAA, 0x03, 0x00};
    struct rd whole = rd_init(buf, sizeof buf);
    rd_skip(&whole, 3);
    struct rd r = ndr_stub(&whole);
    ck_assert_uint_eq(ndr_u8(&r), 1);
    ck_assert_uint_eq(ndr_u32(&r), 0x12345678);
    ck_assert_uint_eq(ndr_u8(&r), 2);
    ck_assert_uint_eq(ndr_u16(&r), 3);
    ck_assert(rd_ok(&r));
    ck_assert_uint_eq(ndr_u16(&r), 0);  /* past the end */
    ck_assert(!rd_ok(&r));
}
END_TEST

START_TEST(ndr_strings)
{
    struct nb w = {0};
    nb_wstr(&w, "abc");
    char out[16];
    struct rd r = rd_init(w.b, w.n);
    ck_assert(ndr_wstr(&r, out, sizeof out));
    ck_assert_str_eq(out, "abc");
    ck_assert_uint_eq(rd_left(&r), 0);
    /* a cap shorter than the string: cut, still NUL-terminated */
    r = rd_init(w.b, w.n);
    ck_assert(ndr_wstr(&r, out, 3));
    ck_assert_str_eq(out, "ab");
    /* an RPC_UNICODE_STRING whose body disagrees with its Length fails */
    struct nb u = {0};
    nb_ustr(&u, "name", 0);
    u.b[0] = 6;  /* Length 6: 3 units, the body says 4 */
    r = rd_init(u.b, u.n);
    ck_assert(!ndr_ustr(&r, out, sizeof out));
    ck_assert_str_eq(out, "");
    /* a null RPC_UNICODE_STRING pointer: empty, fine */
    struct nb z = {0};
    nb_u16(&z, 0);
    nb_u16(&z, 0);
    nb_u32(&z, 0);
    r = rd_init(z.b, z.n);
    ck_assert(ndr_ustr(&r, out, sizeof out));
    ck_assert_str_eq(out, "");
    /* the 8-bit form */
    const uint8_t c[] = {4, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 'H', 'P', '1', 0};
    r = rd_init(c, sizeof c);
    ck_assert(ndr_cstr(&r, out, sizeof out));
    ck_assert_str_eq(out, "HP1");
}
END_TEST

static void count_elems(void *u, uint32_t idx, const struct ndr_elem *e)
{
    (void)e;
    uint32_t *n = u;
    ck_assert_uint_eq(idx, *n);
    (*n)++;
}

START_TEST(ndr_struct_array_bounds)
{
    /* max_count 0x40000000 of 8-byte elements in a 20-byte stub: refused before any walk */
    struct nb w = {0};
    nb_u32(&w, 0x40000000);
    for (int i = 0; i < 4; i++)
        nb_u32(&w, 0);
    struct rd r = rd_init(w.b, w.n);
    uint32_t n = 0;
    ck_assert_uint_eq(ndr_struct_array(&r, 0x40000000, "dd", count_elems, &n), 0);
    ck_assert_uint_eq(n, 0);
    ck_assert(!rd_ok(&r));
    /* a container count above max_count is a lie too */
    struct nb x = {0};
    nb_u32(&x, 1);
    nb_u32(&x, 7);
    r = rd_init(x.b, x.n);
    ck_assert_uint_eq(ndr_struct_array(&r, 2, "d", count_elems, &n), 0);
    /* max_count above the container's count: the extra elements are walked, not reported */
    struct nb y = {0};
    nb_u32(&y, 3);
    nb_u32(&y, 0x20000);
    nb_u32(&y, 0);
    nb_u32(&y, 0x20004);
    nb_wstr(&y, "a");
    nb_wstr(&y, "c");
    nb_u32(&y, 0x99);                  /* what follows the array */
    r = rd_init(y.b, y.n);
    n = 0;
    ck_assert_uint_eq(ndr_struct_array(&r, 2, "s", count_elems, &n), 2);
    ck_assert_uint_eq(n, 2);
    ck_assert_uint_eq(ndr_u32(&r), 0x99);
    /* an unknown format letter fails cleanly */
    r = rd_init(y.b, y.n);
    ck_assert_uint_eq(ndr_struct_array(&r, 1, "z", count_elems, &n), 0);
    ck_assert(!rd_ok(&r));
}
END_TEST

/* counts, offsets and lengths from the wire that claim more than the stub holds, or whose sum
 * wraps in 32 bits: each header fails at once (the reader in error), nothing is walked */
START_TEST(ndr_lying_counts)
{
    char out[16];
    /* varying: offset + actual_count wraps past max_count in 32 bits (the units are there) */
    struct nb v = {0};
    nb_u32(&v, 0xffffffff);            /* max_count */
    nb_u32(&v, 0xffffffff);            /* offset */
    nb_u32(&v, 2);                     /* actual_count: offset + 2 wraps to 1 */
    nb_utf16(&v, "a", 1);
    struct rd r = rd_init(v.b, v.n);
    ck_assert(!ndr_wstr(&r, out, sizeof out));
    ck_assert(!rd_ok(&r));
    ck_assert_str_eq(out, "");
    /* conformant: max_count of 4-byte elements past the bytes there */
    struct nb c = {0};
    nb_u32(&c, 0x40000001);            /* x 4 wraps to 4 in 32 bits */
    nb_u32(&c, 7);
    r = rd_init(c.b, c.n);
    ck_assert_uint_eq(ndr_conformant_hdr(&r, 4), 0);
    ck_assert(!rd_ok(&r));
    /* a deferred [size_is] byte array ('b') whose conformance lies, inside an array of structures */
    struct nb b = {0};
    nb_u32(&b, 1);                     /* max_count */
    nb_u32(&b, 3);                     /* 'd': the size */
    nb_u32(&b, 0x20000);               /* 'b': referent */
    nb_u32(&b, 0x7fffffff);            /* the byte array's max_count */
    nb_bytes(&b, "xyz", 3);
    r = rd_init(b.b, b.n);
    uint32_t n = 0;
    ck_assert_uint_eq(ndr_struct_array(&r, 1, "db", count_elems, &n), 0);
    ck_assert_uint_eq(n, 0);
    ck_assert(!rd_ok(&r));
}
END_TEST

START_TEST(ndr_list_caps)
{
    struct event e;
    ev_init(&e, EV_DCERPC, 1, &nb_conn);
    struct ndr_list l = {0};
    for (uint32_t i = 0; i < NDR_LIST_MAX + 50; i++)
        ndr_list_addu(&e, &l, i);
    ck_assert_uint_eq(l.n, NDR_LIST_MAX);
    ck_assert_uint_eq(l.seen, NDR_LIST_MAX + 50);
    ndr_list_emit(&e, &l, F(rids));
    ck_assert_uint_eq(nb_strv_n(&e, "rids"), NDR_LIST_MAX);
    ev_free(&e);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("dcerpc_ifaces");
    TCase *tc = tcase_create("table");
    tcase_add_test(tc, lookup_by_uuid);
    tcase_add_test(tc, operation_names);
    tcase_add_test(tc, status_names);
    tcase_add_test(tc, ndr_alignment_is_relative_to_the_stub);
    tcase_add_test(tc, ndr_strings);
    tcase_add_test(tc, ndr_struct_array_bounds);
    tcase_add_test(tc, ndr_lying_counts);
    tcase_add_test(tc, ndr_list_caps);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
