/* Unit tests for the field registry's runtime check (src/output/fields.def, event.c):
 * what the compiler cannot see (a declared key emitted into a record that
 * does not declare it, a null where the registry says never, a value outside
 * a closed set or above a maximum, a bad map key) aborts; declared use does
 * not. The compile-time half (a misspelt F(name), a wrong value type) is the
 * build itself. */
#include <check.h>
#include <signal.h>

#include "event.h"

static void record(enum ev_type t, void (*fill)(struct event *e))
{
    struct event e;
    ev_init(&e, t, 1, NULL);
    fill(&e);
    ev_free(&e);
}

static void ok_smb(struct event *e)
{
    ev_str(e, F(command), "COM_0x3a");
    ev_uint(e, F(code), 0x3a);
    ev_null(e, F(status));
    ev_uint(e, F(fid), 0xffff);
}
static void undeclared_in_smb(struct event *e) { ev_uint(e, F(bytes_in), 1); }     /* a file key */
static void null_command(struct event *e) { ev_null(e, F(command)); }
static void bad_state(struct event *e) { ev_str(e, F(state), "exploded"); }
static void code_too_big(struct event *e) { ev_uint(e, F(code), 256); }
static void anomaly_key_in_file(struct event *e) { ev_str(e, F(anomaly_name), "x"); }
static void nested_wrong(struct event *e)
{
    struct fieldset *o = fs_obj(e, NULL, F(to_server));
    fs_uint(e, o, F(duration_us), 1); /* a conn key, not a direction key */
}
static void ok_stats(struct event *e)
{
    fs_map_uint(e, fs_map(e, NULL, F(smb1_commands)), "0x72", 2);
    fs_map_uint(e, fs_map(e, NULL, F(records)), "smb", 2);
    struct fieldset *x = fs_obj(e, NULL, F(extract));
    fs_uint(e, x, F(extract_complete), 1);
}
static void bad_map_key(struct event *e) { fs_map_uint(e, fs_map(e, NULL, F(records)), "bogus", 1); }

START_TEST(declared_use_passes)
{
    record(EV_SMB, ok_smb);
    record(EV_STATS, ok_stats);
}
END_TEST
START_TEST(undeclared_key_aborts) { record(EV_SMB, undeclared_in_smb); }
END_TEST
START_TEST(null_where_never_null_aborts) { record(EV_SMB, null_command); }
END_TEST
START_TEST(out_of_set_value_aborts) { record(EV_CONN, bad_state); }
END_TEST
START_TEST(above_maximum_aborts) { record(EV_SMB, code_too_big); }
END_TEST
START_TEST(key_of_another_record_aborts) { record(EV_FILE, anomaly_key_in_file); }
END_TEST
START_TEST(nested_undeclared_aborts) { record(EV_CONN, nested_wrong); }
END_TEST
START_TEST(bad_map_key_aborts) { record(EV_STATS, bad_map_key); }
END_TEST

/* every registry key is a plain lowercase identifier: the JSON sink writes
 * registry keys without looking for characters to escape (out_json.c) */
START_TEST(registry_keys_are_plain_identifiers)
{
    for (int i = 0; i < FI_COUNT; i++) {
        const char *n = fld_all[i]->name;
        ck_assert_msg(n && *n, "field %d has no name", i);
        for (const char *c = n; *c; c++)
            ck_assert_msg((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_',
                          "key \"%s\" is not a plain identifier", n);
        ck_assert_int_eq(fld_all[i]->id, i);
    }
}
END_TEST

START_TEST(member_lookup_matches_the_table)
{
    for (size_t i = 0; i < fld_n_members; i++)
        ck_assert_ptr_eq(fld_member(fld_members[i].scope, fld_members[i].d), &fld_members[i]);
    ck_assert_ptr_null(fld_member(SC_smb, &fld_bytes_in.d));
    ck_assert_ptr_nonnull(fld_member(SC_file, &fld_bytes_in.d));
    ck_assert(fld_member(SC_smb, &fld_latency_us.d)->flags & FM_H);
    ck_assert(!(fld_member(SC_nbss, &fld_latency_us.d)->flags & FM_H));
    ck_assert_int_eq(fld_record_scope(EV_STATS), SC_stats);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("fields");
    TCase *tc = tcase_create("fields");
    tcase_add_test(tc, declared_use_passes);
    tcase_add_test(tc, member_lookup_matches_the_table);
    tcase_add_test(tc, registry_keys_are_plain_identifiers);
    tcase_add_test_raise_signal(tc, undeclared_key_aborts, SIGABRT);
    tcase_add_test_raise_signal(tc, null_where_never_null_aborts, SIGABRT);
    tcase_add_test_raise_signal(tc, out_of_set_value_aborts, SIGABRT);
    tcase_add_test_raise_signal(tc, above_maximum_aborts, SIGABRT);
    tcase_add_test_raise_signal(tc, key_of_another_record_aborts, SIGABRT);
    tcase_add_test_raise_signal(tc, nested_undeclared_aborts, SIGABRT);
    tcase_add_test_raise_signal(tc, bad_map_key_aborts, SIGABRT);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
