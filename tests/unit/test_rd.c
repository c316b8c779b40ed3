/* Unit tests for the bounds-checked reader. */
#include <check.h>
#include <stdlib.h>

#include "rd.h"

static const uint8_t B[] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09};

START_TEST(reads_little_and_big_endian)
{
    struct rd r = rd_init(B, sizeof B);
    ck_assert_uint_eq(rd_u8(&r), 0x01);
    ck_assert_uint_eq(rd_u16le(&r), 0x0302);
    ck_assert_uint_eq(rd_u16be(&r), 0x0405);
    ck_assert_uint_eq(rd_u32le(&r), 0x09080706);
    ck_assert(rd_ok(&r));
    ck_assert_uint_eq(rd_left(&r), 0);
    r = rd_init(B, sizeof B);
    ck_assert_uint_eq(rd_u64le(&r), 0x0807060504030201ull);
    r = rd_init(B, sizeof B);
    ck_assert_uint_eq(rd_u32be(&r), 0x01020304);
    ck_assert_uint_eq(rd_u24be(&r), 0x050607);
}
END_TEST

START_TEST(past_the_end_is_sticky_and_does_not_advance)
{
    /* every truncation length of a 9-byte record read as u8,u16,u32,u16 */
    for (size_t n = 0; n < sizeof B; n++) {
        struct rd r = rd_init(B, n);
        rd_u8(&r);
        rd_u16le(&r);
        rd_u32le(&r);
        uint16_t last = rd_u16le(&r);
        ck_assert(!rd_ok(&r));
        ck_assert_uint_eq(last, 0);
        ck_assert_uint_eq(rd_left(&r), 0);
        size_t where = r.err_off;
        ck_assert_uint_le(where, n);
        /* later reads keep the first error position */
        rd_u8(&r);
        ck_assert_uint_eq(r.err_off, where);
    }
}
END_TEST

START_TEST(sub_windows_are_bounded_and_know_their_base)
{
    struct rd r = rd_init(B, sizeof B);
    rd_skip(&r, 3);
    struct rd s = rd_sub(&r, 4);
    ck_assert(rd_ok(&s));
    ck_assert_uint_eq(s.base, 3);
    ck_assert_uint_eq(rd_u32le(&s), 0x07060504);
    rd_u8(&s);
    ck_assert(!rd_ok(&s));
    ck_assert(rd_ok(&r));
    ck_assert_uint_eq(rd_left(&r), 2);
    struct rd bad = rd_sub(&r, 3);
    ck_assert(!rd_ok(&bad));
    ck_assert(!rd_ok(&r));
    ck_assert_uint_eq(rd_left(&bad), 0);
}
END_TEST

START_TEST(align_is_relative_to_the_message)
{
    struct rd r = rd_init_at(B, sizeof B, 1); /* window starts at odd message offset */
    ck_assert(rd_align(&r, 2));
    ck_assert_uint_eq(rd_pos(&r), 1);
    ck_assert(rd_align(&r, 2));
    ck_assert_uint_eq(rd_pos(&r), 1);
    ck_assert(rd_align(&r, 4));
    ck_assert_uint_eq(rd_abs(&r), 4);
}
END_TEST

START_TEST(seek_copy_peek)
{
    struct rd r = rd_init(B, sizeof B);
    uint8_t out[3];
    ck_assert(rd_seek(&r, 6));
    ck_assert_int_eq(rd_peek(&r, 0), 0x07);
    ck_assert_int_eq(rd_peek(&r, 3), -1);
    ck_assert(rd_copy(&r, out, 3));
    ck_assert_uint_eq(out[2], 0x09);
    ck_assert(!rd_copy(&r, out, 1));
    ck_assert_uint_eq(out[0], 0);
    r = rd_init(B, sizeof B);
    ck_assert(!rd_seek(&r, 10));
    ck_assert(!rd_ok(&r));
    r = rd_init(NULL, 5);
    ck_assert_uint_eq(rd_left(&r), 0);
    ck_assert(rd_bytes(&r, 1) == NULL);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("rd");
    TCase *tc = tcase_create("rd");
    tcase_add_test(tc, reads_little_and_big_endian);
    tcase_add_test(tc, past_the_end_is_sticky_and_does_not_advance);
    tcase_add_test(tc, sub_windows_are_bounded_and_know_their_base);
    tcase_add_test(tc, align_is_relative_to_the_message);
    tcase_add_test(tc, seek_copy_peek);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
