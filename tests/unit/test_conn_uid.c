/* Unit tests for conn_uid (src/conn_uid.c): known values (computed
 * independently from the definition in README: SHA-256 of
 * "smbscope-uid-1|SENSOR|CLIENT_IP|PORT|SERVER_IP|PORT|FIRST_US", first 96
 * bits in 17 base62 digits after "C"), every input changes the uid, and a
 * buffer too small gets "". */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "conn_uid.h"

#define T_SEED 1795337646664209ull   /* samples/seed-445.pcap's first packet */

START_TEST(known_values)
{
    char u[CONN_UID_LEN];
    conn_uid(NULL, "127.0.0.1", 34076, "127.0.0.1", 445, T_SEED, NULL, u, sizeof u);
    ck_assert_str_eq(u, "C0IFpMveiTyRJ5maqj");
    conn_uid("", "127.0.0.1", 34076, "127.0.0.1", 445, T_SEED, NULL, u, sizeof u);   /* no sensor = empty */
    ck_assert_str_eq(u, "C0IFpMveiTyRJ5maqj");
    conn_uid("tap-1", "127.0.0.1", 34076, "127.0.0.1", 445, T_SEED, NULL, u, sizeof u);
    ck_assert_str_eq(u, "C1EU4NUXCGc7u4dVFF");
    conn_uid(NULL, "fe80::1", 50000, "fe80::2", 139, 0, NULL, u, sizeof u);
    ck_assert_str_eq(u, "C0tvTmvX7or564BCqv");
    /* the same through a handle fetched once, as the flow table passes it */
    EVP_MD *sha256 = EVP_MD_fetch(NULL, "SHA2-256", NULL);
    ck_assert_ptr_nonnull(sha256);
    conn_uid("tap-1", "127.0.0.1", 34076, "127.0.0.1", 445, T_SEED, sha256, u, sizeof u);
    ck_assert_str_eq(u, "C1EU4NUXCGc7u4dVFF");
    conn_uid(NULL, "fe80::1", 50000, "fe80::2", 139, 0, sha256, u, sizeof u);
    ck_assert_str_eq(u, "C0tvTmvX7or564BCqv");
    EVP_MD_free(sha256);
}
END_TEST

START_TEST(every_input_counts)
{
    char base[CONN_UID_LEN], u[CONN_UID_LEN];
    conn_uid(NULL, "10.0.0.1", 1025, "10.0.0.2", 445, 1000, NULL, base, sizeof base);
    ck_assert_uint_eq(strlen(base), CONN_UID_LEN - 1);
    conn_uid("s", "10.0.0.1", 1025, "10.0.0.2", 445, 1000, NULL, u, sizeof u);
    ck_assert_str_ne(u, base);
    conn_uid(NULL, "10.0.0.3", 1025, "10.0.0.2", 445, 1000, NULL, u, sizeof u);
    ck_assert_str_ne(u, base);
    conn_uid(NULL, "10.0.0.1", 1026, "10.0.0.2", 445, 1000, NULL, u, sizeof u);
    ck_assert_str_ne(u, base);
    conn_uid(NULL, "10.0.0.1", 1025, "10.0.0.3", 445, 1000, NULL, u, sizeof u);
    ck_assert_str_ne(u, base);
    conn_uid(NULL, "10.0.0.1", 1025, "10.0.0.2", 139, 1000, NULL, u, sizeof u);
    ck_assert_str_ne(u, base);
    conn_uid(NULL, "10.0.0.1", 1025, "10.0.0.2", 445, 1001, NULL, u, sizeof u);   /* one microsecond later */
    ck_assert_str_ne(u, base);
    /* client and server are not interchangeable */
    conn_uid(NULL, "10.0.0.2", 445, "10.0.0.1", 1025, 1000, NULL, u, sizeof u);
    ck_assert_str_ne(u, base);
    conn_uid(NULL, "10.0.0.1", 1025, "10.0.0.2", 445, 1000, NULL, u, sizeof u);   /* and it is a function */
    ck_assert_str_eq(u, base);
    for (const char *p = base + 1; *p; p++)
        ck_assert((*p >= '0' && *p <= '9') || (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z'));
}
END_TEST

START_TEST(small_buffer_gets_empty)
{
    char u[CONN_UID_LEN] = "x";
    conn_uid(NULL, "10.0.0.1", 1, "10.0.0.2", 2, 3, NULL, u, CONN_UID_LEN - 1);
    ck_assert_str_eq(u, "");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("conn_uid");
    TCase *tc = tcase_create("conn_uid");
    tcase_add_test(tc, known_values);
    tcase_add_test(tc, every_input_counts);
    tcase_add_test(tc, small_buffer_gets_empty);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
