/* Unit tests for the account-lookup argument decoders, dcerpc_samr.c ([MS-SAMR]) and
 * dcerpc_lsarpc.c ([MS-LSAT]): one fixture per operation, written member by member from the
 * spec's IDL, decoded whole and at every truncation length (ndr_build.h nb_cuts), plus lying
 * SIDs. The other interfaces' decoders are in test_dcerpc_args.c. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "dcerpc_args.h"
#include "ndr_build.h"

/* ---- samr ([MS-SAMR]) ---- */

/* SAMPR_ULONG_ARRAY: Count, [unique, size_is(Count)] pointer to the values */
static void ulong_array(struct nb *w, uint32_t ref, uint32_t n, const uint32_t *v)
{
    nb_u32(w, n);                      /* Count */
    nb_u32(w, ref);                    /* Element */
    nb_u32(w, n);                      /* max_count */
    for (uint32_t i = 0; i < n; i++)
        nb_u32(w, v[i]);
}

/* SamrLookupNamesInDomain / SamrLookupIdsInDomain in-args up to the array: DomainHandle, Count,
 * then the [size_is(1000), length_is(Count)] array's max_count, offset, actual_count */
static void lookup_req_hdr(struct nb *w, uint32_t count)
{
    nb_handle(w);
    nb_u32(w, count);
    nb_u32(w, 1000);
    nb_u32(w, 0);
    nb_u32(w, count);
}

START_TEST(samr_enum_users)
{
    static const char *const users[] = {"Administrator", "Guest", "smbscope"};
    static const uint32_t rids[] = {500, 501, 1000};
    struct nb w = {0};
    nb_u32(&w, 0);                     /* EnumerationContext */
    nb_u32(&w, 0x20000);               /* Buffer: unique pointer */
    nb_u32(&w, 3);                     /* EntriesRead */
    nb_u32(&w, 0x20004);               /* Buffer->Buffer */
    nb_u32(&w, 3);                     /* max_count */
    for (int i = 0; i < 3; i++) {
        nb_u32(&w, rids[i]);           /* RelativeId */
        nb_ustr_hdr(&w, users[i], 0);  /* Name */
    }
    for (int i = 0; i < 3; i++)
        nb_ustr_body(&w, users[i], 0);
    nb_u32(&w, 3);                     /* CountReturned */
    nb_u32(&w, 0);                     /* STATUS_SUCCESS */
    struct event e;
    nb_run(dcerpc_samr_rsp, 13, w.b, w.n, &e);
    ck_assert_uint_eq(nb_strv_n(&e, "names"), 3);
    ck_assert_str_eq(nb_strv(&e, "names", 2), "smbscope");
    ck_assert_str_eq(nb_strv(&e, "rids", 0), "500");
    ck_assert_int_eq(nb_uint(&e, "count"), 3);
    nb_cuts(&e, dcerpc_samr_rsp, 13, &w);
}
END_TEST

START_TEST(samr_lookups_and_open)
{
    struct event e;
    /* SamrLookupNamesInDomain (17): handle, Count, [size_is(1000), length_is(Count)] names */
    struct nb q = {0};
    lookup_req_hdr(&q, 2);
    nb_ustr_hdr(&q, "alice", 0);
    nb_ustr_hdr(&q, "bob", 0);
    nb_ustr_body(&q, "alice", 0);
    nb_ustr_body(&q, "bob", 0);
    nb_run(dcerpc_samr_req, 17, q.b, q.n, &e);
    ck_assert_uint_eq(nb_strv_n(&e, "names"), 2);
    ck_assert_str_eq(nb_strv(&e, "names", 1), "bob");
    nb_cuts(&e, dcerpc_samr_req, 17, &q);

    /* its response: RelativeIds and Use as SAMPR_ULONG_ARRAY */
    struct nb r = {0};
    ulong_array(&r, 0x20000, 2, (const uint32_t[]){1104, 1105});  /* RelativeIds */
    ulong_array(&r, 0x20004, 2, (const uint32_t[]){1, 1});        /* Use: SidTypeUser */
    nb_u32(&r, 0);                     /* STATUS_SUCCESS */
    nb_run(dcerpc_samr_rsp, 17, r.b, r.n, &e);
    ck_assert_uint_eq(nb_strv_n(&e, "rids"), 2);
    ck_assert_str_eq(nb_strv(&e, "rids", 1), "1105");
    nb_cuts(&e, dcerpc_samr_rsp, 17, &r);

    /* SamrLookupIdsInDomain (18) request and response */
    struct nb i = {0};
    lookup_req_hdr(&i, 1);
    nb_u32(&i, 500);
    nb_run(dcerpc_samr_req, 18, i.b, i.n, &e);
    ck_assert_str_eq(nb_strv(&e, "rids", 0), "500");
    nb_cuts(&e, dcerpc_samr_req, 18, &i);
    struct nb j = {0};
    nb_u32(&j, 1);
    nb_u32(&j, 0x20000);
    nb_u32(&j, 1);
    nb_ustr_hdr(&j, "Administrator", 0);
    nb_ustr_body(&j, "Administrator", 0);
    ulong_array(&j, 0x20004, 1, (const uint32_t[]){1});  /* Use */
    nb_u32(&j, 0);
    nb_run(dcerpc_samr_rsp, 18, j.b, j.n, &e);
    ck_assert_str_eq(nb_strv(&e, "names", 0), "Administrator");
    ck_assert_int_eq(nb_uint(&e, "count"), 1);
    nb_cuts(&e, dcerpc_samr_rsp, 18, &j);

    /* SamrOpenDomain (7): handle, access, the domain SID itself */
    const uint32_t sub[] = {21, 1004336348, 1177238915, 682003330};
    struct nb d = {0};
    nb_handle(&d);
    nb_u32(&d, 0x305);
    nb_sid(&d, 5, sub, 4);
    nb_run(dcerpc_samr_req, 7, d.b, d.n, &e);
    ck_assert_str_eq(nb_strv(&e, "sids", 0), "S-1-5-21-1004336348-1177238915-682003330");
    nb_cuts(&e, dcerpc_samr_req, 7, &d);

    /* SamrOpenUser (34): handle, access, UserId */
    struct nb u = {0};
    nb_handle(&u);
    nb_u32(&u, 0x2011b);
    nb_u32(&u, 500);
    nb_run(dcerpc_samr_req, 34, u.b, u.n, &e);
    ck_assert_str_eq(nb_strv(&e, "rids", 0), "500");
    ev_free(&e);

    /* SamrConnect5 (64): ServerName first */
    struct nb c = {0};
    nb_uwstr(&c, "\\\\DC1");
    nb_u32(&c, 0x30);
    nb_run(dcerpc_samr_req, 64, c.b, c.n, &e);
    ck_assert_str_eq(nb_str(&e, "machine"), "\\\\DC1");
    ev_free(&e);
}
END_TEST

START_TEST(samr_query_display)
{
    /* SamrQueryDisplayInformation (40) response, DomainDisplayUser */
    struct nb w = {0};
    nb_u32(&w, 100);                   /* TotalAvailable */
    nb_u32(&w, 100);                   /* TotalReturned */
    nb_u16(&w, 1);                     /* union discriminant: DomainDisplayUser */
    nb_u32(&w, 2);                     /* EntriesRead */
    nb_u32(&w, 0x20000);               /* Buffer */
    nb_u32(&w, 2);                     /* max_count */
    const char *names[] = {"alice", "bob"};
    for (uint32_t i = 0; i < 2; i++) {
        nb_u32(&w, i + 1);             /* Index */
        nb_u32(&w, 1100 + i);          /* Rid */
        nb_u32(&w, 0x10);              /* AccountControl */
        nb_ustr_hdr(&w, names[i], 0);  /* AccountName */
        nb_ustr_hdr(&w, "", 0);        /* AdminComment */
        nb_ustr_hdr(&w, "Full", 0);    /* FullName */
    }
    for (uint32_t i = 0; i < 2; i++) {
        nb_ustr_body(&w, names[i], 0);
        nb_ustr_body(&w, "", 0);
        nb_ustr_body(&w, "Full", 0);
    }
    nb_u32(&w, 0);
    struct event e;
    nb_run(dcerpc_samr_rsp, 40, w.b, w.n, &e);
    ck_assert_uint_eq(nb_strv_n(&e, "names"), 2);
    ck_assert_str_eq(nb_strv(&e, "names", 1), "bob");
    ck_assert_str_eq(nb_strv(&e, "rids", 1), "1101");
    ck_assert_int_eq(nb_uint(&e, "level"), 1);
    nb_cuts(&e, dcerpc_samr_rsp, 40, &w);
}
END_TEST

/* ---- lsarpc ([MS-LSAT]) ---- */

static const uint32_t dom_sub[] = {21, 111, 222, 333};

/* a response's [out] PLSAPR_REFERENCED_DOMAIN_LIST: one domain, CORP, S-1-5-21-111-222-333 */
static void referenced_corp(struct nb *r)
{
    nb_u32(r, 0x20000);                /* ReferencedDomains */
    nb_u32(r, 1);                      /* Entries */
    nb_u32(r, 0x20004);                /* Domains */
    nb_u32(r, 32);                     /* MaxEntries */
    nb_u32(r, 1);                      /* max_count */
    nb_ustr_hdr(r, "CORP", 0);         /* Name */
    nb_u32(r, 0x20008);                /* Sid */
    nb_ustr_body(r, "CORP", 0);
    nb_sid(r, 5, dom_sub, 4);
}

START_TEST(lsarpc_lookup_sids)
{
    struct event e;
    /* LsarLookupSids (15) request: handle, SidEnumBuffer {Entries, pointer to SID pointers} */
    struct nb q = {0};
    nb_handle(&q);
    nb_u32(&q, 2);
    nb_u32(&q, 0x20000);
    nb_u32(&q, 2);                     /* max_count */
    nb_u32(&q, 0x20004);               /* Sid pointers */
    nb_u32(&q, 0x20008);
    const uint32_t s500[] = {21, 111, 222, 333, 500}, s501[] = {21, 111, 222, 333, 501};
    nb_sid(&q, 5, s500, 5);
    nb_sid(&q, 5, s501, 5);
    nb_u32(&q, 0);                     /* TranslatedNames: Entries */
    nb_u32(&q, 0);                     /*   Names: null */
    nb_u16(&q, 1);                     /* LookupLevel */
    nb_u32(&q, 0);                     /* MappedCount */
    nb_run(dcerpc_lsarpc_req, 15, q.b, q.n, &e);
    ck_assert_uint_eq(nb_strv_n(&e, "sids"), 2);
    ck_assert_str_eq(nb_strv(&e, "sids", 1), "S-1-5-21-111-222-333-501");
    nb_cuts(&e, dcerpc_lsarpc_req, 15, &q);

    /* response: ReferencedDomains, TranslatedNames, MappedCount, status */
    struct nb r = {0};
    referenced_corp(&r);
    nb_u32(&r, 2);                     /* TranslatedNames: Entries */
    nb_u32(&r, 0x2000c);               /* Names */
    nb_u32(&r, 2);                     /* max_count */
    nb_u16(&r, 1);                     /* Use: SidTypeUser */
    nb_ustr_hdr(&r, "Administrator", 0);
    nb_u32(&r, 0);                     /* DomainIndex */
    nb_u16(&r, 1);
    nb_ustr_hdr(&r, "Guest", 0);
    nb_u32(&r, 0);
    nb_ustr_body(&r, "Administrator", 0);
    nb_ustr_body(&r, "Guest", 0);
    nb_u32(&r, 2);                     /* MappedCount */
    nb_u32(&r, 0);
    nb_run(dcerpc_lsarpc_rsp, 15, r.b, r.n, &e);
    ck_assert_uint_eq(nb_strv_n(&e, "names"), 2);
    ck_assert_str_eq(nb_strv(&e, "names", 0), "CORP\\Administrator");
    ck_assert_int_eq(nb_uint(&e, "count"), 2);
    nb_cuts(&e, dcerpc_lsarpc_rsp, 15, &r);
}
END_TEST

START_TEST(lsarpc_lookup_names)
{
    struct event e;
    struct nb q = {0};
    nb_handle(&q);
    nb_u32(&q, 1);                     /* Count */
    nb_u32(&q, 1);                     /* max_count */
    nb_ustr_hdr(&q, "krbtgt", 0);
    nb_ustr_body(&q, "krbtgt", 0);
    nb_run(dcerpc_lsarpc_req, 14, q.b, q.n, &e);
    ck_assert_str_eq(nb_strv(&e, "names", 0), "krbtgt");
    nb_cuts(&e, dcerpc_lsarpc_req, 14, &q);

    struct nb r = {0};
    referenced_corp(&r);
    nb_u32(&r, 1);                     /* TranslatedSids: Entries */
    nb_u32(&r, 0x2000c);
    nb_u32(&r, 1);
    nb_u16(&r, 1);                     /* Use */
    nb_u32(&r, 502);                   /* RelativeId */
    nb_u32(&r, 0);                     /* DomainIndex */
    nb_u32(&r, 1);                     /* MappedCount */
    nb_u32(&r, 0);
    nb_run(dcerpc_lsarpc_rsp, 14, r.b, r.n, &e);
    ck_assert_str_eq(nb_strv(&e, "sids", 0), "S-1-5-21-111-222-333-502");
    nb_cuts(&e, dcerpc_lsarpc_rsp, 14, &r);
}
END_TEST

START_TEST(lsarpc_lying_sid)
{
    /* a SID whose conformance disagrees with its SubAuthorityCount, then one claiming 200 */
    struct nb q = {0};
    nb_handle(&q);
    nb_u32(&q, 1);
    nb_u32(&q, 0x20000);
    nb_u32(&q, 1);
    nb_u32(&q, 0x20004);
    nb_sid(&q, 5, dom_sub, 4);
    q.b[q.n - 16 - 8 - 4] = 3;         /* max_count 3, SubAuthorityCount 4 */
    struct event e;
    nb_run(dcerpc_lsarpc_req, 15, q.b, q.n, &e);
    ck_assert_uint_eq(nb_strv_n(&e, "sids"), 0);
    ev_free(&e);
    q.b[q.n - 16 - 8 - 4] = 200;
    q.b[q.n - 16 - 8 + 1] = 200;
    nb_run(dcerpc_lsarpc_req, 15, q.b, q.n, &e);
    ck_assert_uint_eq(nb_strv_n(&e, "sids"), 0);
    ev_free(&e);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("dcerpc_args_sam");
    TCase *tc = tcase_create("decoders");
    tcase_add_test(tc, samr_enum_users);
    tcase_add_test(tc, samr_lookups_and_open);
    tcase_add_test(tc, samr_query_display);
    tcase_add_test(tc, lsarpc_lookup_sids);
    tcase_add_test(tc, lsarpc_lookup_names);
    tcase_add_test(tc, lsarpc_lying_sid);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
