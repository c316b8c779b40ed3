/* Unit tests for -o's file management (src/output/outfile.c): names from a
 * strftime pattern in UTC, .N when a name repeats, size rotation only before
 * a record (never inside one), rotation by the clock at multiples of the
 * interval (one file for a long silence), SIGHUP's reopen after a move
 * (logrotate create), failures that keep the current file, and a rotated
 * file that lost its last lines (kept with its errno and name: main stops). */
#include <errno.h>
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "outfile.h"

#define SEC 1000000ull
/* 2026-11-20T10:00:00Z */
#define T0 (1795168800ull * SEC)

static char dir[64];

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/smbscope-outfile-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}

static char *path(const char *name)
{
    static char p[256];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return p;
}

/* the file's content, "" when missing (static buffer) */
static const char *slurp(const char *name)
{
    static char buf[4096];
    buf[0] = 0;
    FILE *f = fopen(path(name), "r");
    if (!f)
        return NULL;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = 0;
    fclose(f);
    return buf;
}

static struct outfile *open_pattern(const char *pattern, uint64_t rotate_s, uint64_t bytes, uint64_t now)
{
    char pat[256], err[256] = "";
    snprintf(pat, sizeof pat, "%s/%s", dir, pattern);
    static char keep[8][256]; /* the config's pattern must outlive the outfile */
    static int n;
    char *p = keep[n++ % 8];
    memcpy(p, pat, sizeof pat);
    struct outfile_config c = {p, rotate_s * SEC, bytes, NULL};
    struct outfile *o = outfile_open(&c, now, err, sizeof err);
    ck_assert_msg(o != NULL, "%s", err);
    return o;
}

static void put(struct outfile *o, const char *line)
{
    ck_assert_int_ge(fputs(line, outfile_record(o)), 0);
}

START_TEST(pattern_is_utc_and_size_rotates_between_records)
{
    struct outfile *o = open_pattern("s-%Y%m%d-%H%M%S.json", 0, 10, T0);
    ck_assert_str_eq(outfile_name(o), path("s-20261120-100000.json"));
    unsigned g = outfile_generation(o);
    put(o, "123456789\n");          /* 10 bytes: at the limit, still one file */
    ck_assert_uint_eq(outfile_generation(o), g);
    put(o, "abcdefghijklmnopqrstuvwxyz\n"); /* the check is before a record: this one goes to a new file */
    ck_assert_uint_eq(outfile_generation(o), g + 1);
    put(o, "x\n");                  /* 27 bytes there already: the next record starts another */
    ck_assert_int_eq(outfile_close(o, NULL, 0), 0);
    ck_assert_str_eq(slurp("s-20261120-100000.json"), "123456789\n");
    /* the same second: the same name, so .1, .2 */
    ck_assert_str_eq(slurp("s-20261120-100000.json.1"), "abcdefghijklmnopqrstuvwxyz\n");
    ck_assert_str_eq(slurp("s-20261120-100000.json.2"), "x\n");
    ck_assert_ptr_null(slurp("s-20261120-100000.json.3"));
}
END_TEST

START_TEST(time_rotation_at_multiples)
{
    struct outfile *o = open_pattern("t-%H%M%S", 60, 0, T0 + 5 * SEC);
    put(o, "a\n");
    outfile_clock(o, T0 + 30 * SEC);  /* sets the first boundary: 10:01:00 */
    put(o, "b\n");
    outfile_clock(o, T0 + 59 * SEC);
    put(o, "c\n");
    outfile_clock(o, T0 + 60 * SEC);  /* the boundary: a new file named by it */
    put(o, "d\n");
    outfile_clock(o, T0 + 3600 * SEC + 7 * SEC); /* an hour of silence: one file, named 11:00:00 */
    put(o, "e\n");
    outfile_clock(o, T0 + 3600 * SEC + 59 * SEC);
    put(o, "f\n");
    ck_assert_int_eq(outfile_close(o, NULL, 0), 0);
    ck_assert_str_eq(slurp("t-100005"), "a\nb\nc\n");
    ck_assert_str_eq(slurp("t-100100"), "d\n");
    ck_assert_str_eq(slurp("t-110000"), "e\nf\n");
    ck_assert_ptr_null(slurp("t-100200"));
}
END_TEST

START_TEST(reopen_after_move_and_append)
{
    struct outfile *o = open_pattern("log.json", 0, 0, T0);
    put(o, "one\n");
    char moved[256];
    snprintf(moved, sizeof moved, "%s", path("log.json.1"));
    ck_assert_int_eq(rename(path("log.json"), moved), 0);
    put(o, "two\n");                /* before the signal is acted on: still the moved file */
    outfile_reopen(o);
    put(o, "three\n");
    outfile_reopen(o);              /* not moved: appended, nothing lost */
    put(o, "four\n");
    ck_assert_int_eq(outfile_close(o, NULL, 0), 0);
    ck_assert_str_eq(slurp("log.json.1"), "one\ntwo\n");
    ck_assert_str_eq(slurp("log.json"), "three\nfour\n");
}
END_TEST

/* another writer appends n bytes ("z...z\n") to name */
static void append_elsewhere(const char *name, size_t n)
{
    char b[256];
    ck_assert_uint_le(n, sizeof b);
    memset(b, 'z', n);
    b[n - 1] = '\n';
    int fd = open(path(name), O_WRONLY | O_APPEND);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, b, n), (ssize_t)n);
    close(fd);
}

/* --rotate-size counts what the file held when opened plus what smbscope
 * wrote; the stream knows its place without asking the kernel each record
 * (glibc would lseek per ftello otherwise, and see the other writer's
 * bytes), and every line still lands at the end of the file */
START_TEST(size_counts_own_bytes_and_lines_append)
{
    static const char zs[] = "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz"
                             "zzzzzzzz\n"; /* 100 bytes */
    char want[512];
    /* a file this run made */
    struct outfile *o = open_pattern("own.json", 0, 50, T0);
    unsigned g = outfile_generation(o);
    put(o, "123456789\n");
    ck_assert_int_eq(fflush(outfile_record(o)), 0);
    append_elsewhere("own.json", 100);
    put(o, "a\n");                 /* 10 bytes of its own: no rotation, after the other's bytes */
    put(o, "b\n");                 /* 12 */
    ck_assert_uint_eq(outfile_generation(o), g);
    ck_assert_int_eq(outfile_close(o, NULL, 0), 0);
    snprintf(want, sizeof want, "123456789\n%sa\nb\n", zs);
    ck_assert_str_eq(slurp("own.json"), want);
    ck_assert_ptr_null(slurp("own.json.1"));

    /* reopened (SIGHUP): what the file held counts, then its own bytes */
    o = open_pattern("re.json", 0, 25, T0);
    put(o, "0123456789abcdefghi\n");  /* 20 */
    outfile_reopen(o);
    g = outfile_generation(o);
    append_elsewhere("re.json", 100);
    put(o, "c\n");                 /* 20 held when reopened: no rotation */
    put(o, "d\n");                 /* 22 */
    put(o, "e\n");                 /* 24 */
    ck_assert_uint_eq(outfile_generation(o), g);
    put(o, "f\n");                 /* 26 >= 25: a new file for this record */
    ck_assert_uint_eq(outfile_generation(o), g + 1);
    ck_assert_int_eq(outfile_close(o, NULL, 0), 0);
    snprintf(want, sizeof want, "0123456789abcdefghi\n%sc\nd\ne\n", zs);
    ck_assert_str_eq(slurp("re.json"), want);
    ck_assert_str_eq(slurp("re.json.1"), "f\n");
}
END_TEST

START_TEST(rotation_into_a_missing_directory_goes_on)
{
    char pat[256], err[256];
    ck_assert_int_eq(mkdir(path("d"), 0700), 0);
    snprintf(pat, sizeof pat, "%s/d/%%M/x", dir);
    /* the first file's directory (minute 00) exists, the next one's does not */
    ck_assert_int_eq(mkdir(path("d/00"), 0700), 0);
    FILE *msgs = tmpfile();
    struct outfile_config c = {pat, 60 * SEC, 0, msgs};
    struct outfile *o = outfile_open(&c, T0, err, sizeof err);
    ck_assert_ptr_nonnull(o);
    put(o, "a\n");
    outfile_clock(o, T0);
    outfile_clock(o, T0 + 60 * SEC); /* d/01/x cannot be made: told, and the records stay in d/00/x */
    put(o, "b\n");
    ck_assert_uint_eq(outfile_generation(o), 0);
    ck_assert_int_eq(outfile_close(o, NULL, 0), 0);     /* nothing was lost */
    ck_assert_str_eq(slurp("d/00/x"), "a\nb\n");
    ck_assert_int_gt(ftell(msgs), 0);
    fclose(msgs);
}
END_TEST

START_TEST(open_failures)
{
    char pat[256], err[256] = "";
    snprintf(pat, sizeof pat, "%s/none/x", dir);
    struct outfile_config c = {pat, 0, 0, NULL};
    ck_assert_ptr_null(outfile_open(&c, T0, err, sizeof err));
    ck_assert_ptr_nonnull(strstr(err, "No such file"));
    struct outfile_config empty = {"", 0, 0, NULL}; /* expands to nothing */
    ck_assert_ptr_null(outfile_open(&empty, T0, err, sizeof err));
    ck_assert_ptr_nonnull(strstr(err, "expands to nothing"));
    ck_assert_int_eq(outfile_close(NULL, NULL, 0), 0);
}
END_TEST

START_TEST(lost_lines_of_a_rotated_file_are_kept)
{
    /* the second file (x.1) is the full device: its lines stay buffered
     * until the rotation to x.2 closes it, and that close fails */
    ck_assert_int_eq(symlink("/dev/full", path("x.1")), 0);
    struct outfile *o = open_pattern("x", 0, 10, T0);
    put(o, "123456789\n");
    ck_assert_int_eq(outfile_error(o, NULL), 0);
    put(o, "abcdefghi\n");            /* into x.1: buffered, no error yet */
    ck_assert_str_eq(outfile_name(o), path("x.1"));
    ck_assert_int_eq(outfile_error(o, NULL), 0);
    put(o, "ABCDEFGHI\n");            /* x.1 closed: its line is lost */
    ck_assert_str_eq(outfile_name(o), path("x.2"));
    const char *name = NULL;
    ck_assert_int_eq(outfile_error(o, &name), ENOSPC);
    ck_assert_str_eq(name, path("x.1"));
    char failed[256] = "";
    ck_assert_int_eq(outfile_close(o, failed, sizeof failed), ENOSPC);
    ck_assert_str_eq(failed, path("x.1"));
    ck_assert_str_eq(slurp("x"), "123456789\n");
    ck_assert_str_eq(slurp("x.2"), "ABCDEFGHI\n"); /* the records after it still whole */
}
END_TEST

START_TEST(reopen_of_a_full_file_is_kept)
{
    /* SIGHUP flushes the file before reopening it: a failed flush is kept too */
    ck_assert_int_eq(symlink("/dev/full", path("y")), 0);
    struct outfile *o = open_pattern("y", 0, 0, T0);
    put(o, "abc\n");
    outfile_reopen(o);
    const char *name = NULL;
    ck_assert_int_eq(outfile_error(o, &name), ENOSPC);
    ck_assert_str_eq(name, path("y"));
    ck_assert_int_eq(outfile_close(o, NULL, 0), ENOSPC);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("outfile");
    TCase *tc = tcase_create("outfile");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, pattern_is_utc_and_size_rotates_between_records);
    tcase_add_test(tc, time_rotation_at_multiples);
    tcase_add_test(tc, reopen_after_move_and_append);
    tcase_add_test(tc, size_counts_own_bytes_and_lines_append);
    tcase_add_test(tc, rotation_into_a_missing_directory_goes_on);
    tcase_add_test(tc, open_failures);
    tcase_add_test(tc, lost_lines_of_a_rotated_file_are_kept);
    tcase_add_test(tc, reopen_of_a_full_file_is_kept);
    suite_add_tcase(s, tc);
    SRunner *r = srunner_create(s);
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
