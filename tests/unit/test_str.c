/* Unit tests for wire string conversion (UTF-16LE and OEM CP850 to UTF-8). */
#include <check.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>

#include "str.h"

START_TEST(utf16_basic_and_surrogates)
{
    char out[64];
    const uint8_t abc[] = {'a', 0, 'b', 0, 0xe9, 0x00, 0xac, 0x20}; /* a b é € */
    ck_assert_uint_eq(str_utf16le_to_utf8(abc, sizeof abc, out, sizeof out), 7);
    ck_assert_str_eq(out, "ab\xc3\xa9\xe2\x82\xac");
    const uint8_t pair[] = {0x3d, 0xd8, 0x00, 0xde}; /* U+1F600 as a surrogate pair */
    str_utf16le_to_utf8(pair, sizeof pair, out, sizeof out);
    ck_assert_str_eq(out, "\xf0\x9f\x98\x80");
    const uint8_t lone_hi[] = {0x3d, 0xd8, 'x', 0};  /* high surrogate without its low half */
    str_utf16le_to_utf8(lone_hi, sizeof lone_hi, out, sizeof out);
    ck_assert_str_eq(out, "\xef\xbf\xbdx");
    const uint8_t lone_lo[] = {0x00, 0xde};
    str_utf16le_to_utf8(lone_lo, sizeof lone_lo, out, sizeof out);
    ck_assert_str_eq(out, "\xef\xbf\xbd");
    const uint8_t odd[] = {'a', 0, 'b'};             /* a stray odd byte */
    str_utf16le_to_utf8(odd, sizeof odd, out, sizeof out);
    ck_assert_str_eq(out, "a\xef\xbf\xbd");
    const uint8_t nul[] = {'a', 0, 0, 0, 'b', 0};    /* U+0000 inside a counted string converts like any other */
    size_t n = str_utf16le_to_utf8(nul, sizeof nul, out, sizeof out);
    ck_assert_uint_eq(n, 3);
}
END_TEST

START_TEST(utf16_never_splits_a_character_at_the_cap)
{
    const uint8_t euro3[] = {0xac, 0x20, 0xac, 0x20, 0xac, 0x20}; /* 3 x 3-byte chars */
    char out[8];
    for (size_t cap = 1; cap <= sizeof out; cap++) {
        size_t n = str_utf16le_to_utf8(euro3, sizeof euro3, out, cap);
        ck_assert_uint_eq(n % 3, 0);
        ck_assert_uint_lt(n, cap);
        ck_assert_uint_eq(strlen(out), n);
    }
    ck_assert_uint_eq(str_utf16le_to_utf8(euro3, sizeof euro3, out, 0), 0);
}
END_TEST

START_TEST(oem_matches_iconv_cp850)
{
    iconv_t cd = iconv_open("UTF-8", "CP850");
    ck_assert(cd != (iconv_t)-1);
    for (int b = 0x20; b < 0x100; b++) {
        if (b == 0x7f)
            continue;
        char in[1] = {(char)b}, ref[8] = {0}, out[8];
        char *ip = in, *op = ref;
        size_t il = 1, ol = sizeof ref - 1;
        ck_assert_int_ne((int)iconv(cd, &ip, &il, &op, &ol), -1);
        uint8_t ub = (uint8_t)b;
        str_oem_to_utf8(&ub, 1, out, sizeof out);
        ck_assert_msg(strcmp(out, ref) == 0, "byte 0x%02x: got %s want %s", b, out, ref);
    }
    iconv_close(cd);
}
END_TEST

START_TEST(utf8_trunc)
{
    const char *s = "a\xe2\x82\xac"; /* a € */
    ck_assert_uint_eq(str_utf8_trunc(s, 4), 4);
    ck_assert_uint_eq(str_utf8_trunc(s, 3), 1);
    ck_assert_uint_eq(str_utf8_trunc(s, 2), 1);
    ck_assert_uint_eq(str_utf8_trunc(s, 1), 1);
    ck_assert_uint_eq(str_utf8_trunc(s, 0), 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("str");
    TCase *tc = tcase_create("str");
    tcase_add_test(tc, utf16_basic_and_surrogates);
    tcase_add_test(tc, utf16_never_splits_a_character_at_the_cap);
    tcase_add_test(tc, oem_matches_iconv_cp850);
    tcase_add_test(tc, utf8_trunc);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
