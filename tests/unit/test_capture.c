/* Unit tests for capture: pcap files written with libpcap, pcapng files built
 * by hand, standard input, truncated files, filters and error messages. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "capture.h"

#define T0 1700000000u

struct tmp {
    char dir[64];
    char path[128];
};

static void tmp_make(struct tmp *t, const char *name)
{
    snprintf(t->dir, sizeof t->dir, "/tmp/smbscope-capture-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(t->dir));
    snprintf(t->path, sizeof t->path, "%s/%s", t->dir, name);
}

static void tmp_clean(struct tmp *t)
{
    unlink(t->path);
    rmdir(t->dir);
}

/* frame i: caplen 40 + 10 i bytes valued i, wire length `wire_extra` more */
static size_t frame_len(int i) { return 40 + 10 * (size_t)i; }

/* writes n frames through libpcap's own writer */
static void write_pcap(const char *path, int n, int precision, size_t wire_extra)
{
    pcap_t *pd = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, 65535, (u_int)precision);
    ck_assert_ptr_nonnull(pd);
    pcap_dumper_t *dp = pcap_dump_open(pd, path);
    ck_assert_ptr_nonnull(dp);
    for (int i = 0; i < n; i++) {
        uint8_t data[256];
        memset(data, i + 1, sizeof data);
        struct pcap_pkthdr h;
        h.ts.tv_sec = T0 + (unsigned)i;
        /* the sub-second field is in the file's unit: micro- or nanoseconds */
        h.ts.tv_usec = precision == PCAP_TSTAMP_PRECISION_NANO ? 123456789 : 123456;
        h.caplen = (bpf_u_int32)frame_len(i);
        h.len = (bpf_u_int32)(frame_len(i) + wire_extra);
        pcap_dump((u_char *)dp, &h, data);
    }
    pcap_dump_close(dp);
    pcap_close(pd);
}

static void check_frames(struct capture *c, int n, size_t wire_extra)
{
    struct capture_frame f;
    for (int i = 0; i < n; i++) {
        ck_assert_int_eq(capture_next(c, &f), CAPTURE_FRAME);
        ck_assert_uint_eq(f.ts_us, (uint64_t)(T0 + (unsigned)i) * 1000000u + 123456u);
        ck_assert_uint_eq(f.caplen, frame_len(i));
        ck_assert_uint_eq(f.wirelen, frame_len(i) + wire_extra);
        ck_assert_int_eq(f.dlt, DLT_EN10MB);
        ck_assert_uint_eq(f.data[0], (unsigned)i + 1);
        ck_assert_uint_eq(f.data[f.caplen - 1], (unsigned)i + 1);
        ck_assert_uint_eq(capture_records(c), (uint64_t)i + 1);
    }
}

START_TEST(reads_back_a_pcap)
{
    struct tmp t;
    tmp_make(&t, "three.pcap");
    write_pcap(t.path, 3, PCAP_TSTAMP_PRECISION_MICRO, 0);
    char err[CAPTURE_ERR_MAX];
    struct capture *c = capture_open_offline(t.path, err, sizeof err);
    ck_assert_msg(c != NULL, "%s", err);
    ck_assert_int_eq(capture_linktype(c), DLT_EN10MB);
    check_frames(c, 3, 0);
    struct capture_frame f;
    ck_assert_int_eq(capture_next(c, &f), CAPTURE_END);
    ck_assert_int_eq(capture_next(c, &f), CAPTURE_END);
    ck_assert_str_eq(capture_error(c), "");
    ck_assert_ptr_null(capture_warning(c));
    struct capture_stats st;
    ck_assert(!capture_stats(c, &st));     /* files have no kernel counters */
    capture_close(c);
    tmp_clean(&t);
}
END_TEST

START_TEST(snap_cut_records_keep_the_wire_length)
{
    struct tmp t;
    tmp_make(&t, "snapped.pcap");
    write_pcap(t.path, 2, PCAP_TSTAMP_PRECISION_MICRO, 1000);
    char err[CAPTURE_ERR_MAX];
    struct capture *c = capture_open_offline(t.path, err, sizeof err);
    ck_assert_ptr_nonnull(c);
    check_frames(c, 2, 1000);
    capture_close(c);
    tmp_clean(&t);
}
END_TEST

START_TEST(nanosecond_files_give_microseconds)
{
    struct tmp t;
    tmp_make(&t, "nano.pcap");
    write_pcap(t.path, 1, PCAP_TSTAMP_PRECISION_NANO, 0);
    char err[CAPTURE_ERR_MAX];
    struct capture *c = capture_open_offline(t.path, err, sizeof err);
    ck_assert_ptr_nonnull(c);
    struct capture_frame f;
    ck_assert_int_eq(capture_next(c, &f), CAPTURE_FRAME);
    ck_assert_uint_eq(f.ts_us, (uint64_t)T0 * 1000000u + 123456u);
    capture_close(c);
    tmp_clean(&t);
}
END_TEST

/* byte offset of record i (0-based) in a classic pcap of frame_len() records */
static long offset_of(int i)
{
    long off = 24;                         /* file header */
    for (int k = 0; k < i; k++)
        off += 16 + (long)frame_len(k);    /* record header + data */
    return off;
}

static void expect_truncated(struct capture *c, int good, long off)
{
    check_frames(c, good, 0);
    struct capture_frame f;
    ck_assert_int_eq(capture_next(c, &f), CAPTURE_ERROR);
    char want[128];
    snprintf(want, sizeof want, "record %d at byte offset %ld: ", good + 1, off);
    ck_assert_msg(strstr(capture_error(c), want) != NULL, "got: %s", capture_error(c));
    ck_assert_msg(strstr(capture_error(c), "truncated") != NULL, "got: %s", capture_error(c));
}

START_TEST(truncated_file_reports_record_and_offset)
{
    struct tmp t;
    tmp_make(&t, "cut.pcap");
    /* cut 5 bytes into the third record's data, then 8 bytes into its header */
    long cuts[] = {offset_of(2) + 16 + 5, offset_of(2) + 8};
    for (size_t k = 0; k < 2; k++) {
        write_pcap(t.path, 3, PCAP_TSTAMP_PRECISION_MICRO, 0);
        ck_assert_int_eq(truncate(t.path, cuts[k]), 0);
        char err[CAPTURE_ERR_MAX];
        struct capture *c = capture_open_offline(t.path, err, sizeof err);
        ck_assert_ptr_nonnull(c);
        expect_truncated(c, 2, offset_of(2));
        ck_assert_msg(strstr(capture_error(c), t.path) != NULL, "names the file: %s", capture_error(c));
        capture_close(c);
    }
    tmp_clean(&t);
}
END_TEST

/* runs `fn` with standard input fed from `bytes` by a child process */
static void with_stdin(const uint8_t *bytes, size_t len, void (*fn)(void))
{
    int fd[2];
    ck_assert_int_eq(pipe(fd), 0);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        close(fd[0]);
        size_t done = 0;
        while (done < len) {
            ssize_t w = write(fd[1], bytes + done, len - done);
            if (w <= 0)
                _exit(1);
            done += (size_t)w;
        }
        _exit(0);
    }
    close(fd[1]);
    ck_assert_int_ge(dup2(fd[0], STDIN_FILENO), 0);
    close(fd[0]);
    clearerr(stdin);                         /* an earlier test in this process may have hit EOF */
    fn();
    int status;
    waitpid(pid, &status, 0);
}

static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    static uint8_t buf[1 << 16];
    *len = fread(buf, 1, sizeof buf, f);
    fclose(f);
    return buf;
}

static void read_three_from_stdin(void)
{
    char err[CAPTURE_ERR_MAX];
    struct capture *c = capture_open_offline("-", err, sizeof err);
    ck_assert_msg(c != NULL, "%s", err);
    check_frames(c, 3, 0);
    struct capture_frame f;
    ck_assert_int_eq(capture_next(c, &f), CAPTURE_END);
    capture_close(c);
}

START_TEST(reads_standard_input)
{
    struct tmp t;
    tmp_make(&t, "stdin.pcap");
    write_pcap(t.path, 3, PCAP_TSTAMP_PRECISION_MICRO, 0);
    size_t len;
    const uint8_t *b = slurp(t.path, &len);
    with_stdin(b, len, read_three_from_stdin);
    tmp_clean(&t);
}
END_TEST

static void read_truncated_from_stdin(void)
{
    char err[CAPTURE_ERR_MAX];
    struct capture *c = capture_open_offline("-", err, sizeof err);
    ck_assert_ptr_nonnull(c);
    /* a pipe cannot tell its position: the offset is counted from record sizes */
    expect_truncated(c, 2, offset_of(2));
    ck_assert_msg(strstr(capture_error(c), "standard input") != NULL, "%s", capture_error(c));
    capture_close(c);
}

START_TEST(truncated_standard_input)
{
    struct tmp t;
    tmp_make(&t, "stdin-cut.pcap");
    write_pcap(t.path, 3, PCAP_TSTAMP_PRECISION_MICRO, 0);
    size_t len;
    const uint8_t *b = slurp(t.path, &len);
    with_stdin(b, (size_t)offset_of(2) + 20, read_truncated_from_stdin);
    tmp_clean(&t);
}
END_TEST

/* ---- pcapng, built by hand (little-endian section) ---- */

static size_t le32(uint8_t *b, uint32_t v)
{
    b[0] = (uint8_t)v;
    b[1] = (uint8_t)(v >> 8);
    b[2] = (uint8_t)(v >> 16);
    b[3] = (uint8_t)(v >> 24);
    return 4;
}

static const uint8_t pcapng_shb[] = {
    0x0a, 0x0d, 0x0d, 0x0a,                  /* block type: Section Header */
    28, 0, 0, 0,                             /* block total length */
    0x4d, 0x3c, 0x2b, 0x1a,                  /* byte-order magic 0x1A2B3C4D, little-endian */
    1, 0, 0, 0,                              /* version 1.0 */
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,  /* section length: unknown */
    28, 0, 0, 0,                             /* block total length again */
};

static const uint8_t pcapng_idb_ns[] = {
    1, 0, 0, 0,                              /* block type: Interface Description */
    32, 0, 0, 0,                             /* block total length */
    1, 0,                                    /* link type 1: Ethernet */
    0, 0,                                    /* reserved */
    0, 0, 0, 0,                              /* snap length: none */
    9, 0, 1, 0,                              /* option if_tsresol, length 1 */
    9, 0, 0, 0,                              /*   10^-9 s, padded to 4 */
    0, 0, 0, 0,                              /* opt_endofopt */
    32, 0, 0, 0,                             /* block total length again */
};

/* an Enhanced Packet Block: 28 bytes of header, data padded to 4, trailer */
static size_t pcapng_epb(uint8_t *b, uint64_t ts, const uint8_t *data, uint32_t caplen, uint32_t wire)
{
    uint32_t padded = (caplen + 3) & ~3u;
    uint32_t total = 32 + padded;
    size_t at = 0;
    at += le32(b + at, 6);                   /* block type: Enhanced Packet */
    at += le32(b + at, total);               /* block total length */
    at += le32(b + at, 0);                   /* interface 0 */
    at += le32(b + at, (uint32_t)(ts >> 32));  /* timestamp, high 32 bits */
    at += le32(b + at, (uint32_t)ts);        /* timestamp, low 32 bits */
    at += le32(b + at, caplen);              /* captured length */
    at += le32(b + at, wire);                /* original length */
    memset(b + at, 0, padded);
    memcpy(b + at, data, caplen);
    at += padded;
    at += le32(b + at, total);               /* block total length again */
    return at;
}

static size_t build_pcapng(uint8_t *b, size_t *second_epb_at)
{
    uint8_t d1[62], d2[41];
    memset(d1, 0x11, sizeof d1);
    memset(d2, 0x22, sizeof d2);
    size_t at = 0;
    memcpy(b, pcapng_shb, sizeof pcapng_shb);
    at += sizeof pcapng_shb;
    memcpy(b + at, pcapng_idb_ns, sizeof pcapng_idb_ns);
    at += sizeof pcapng_idb_ns;
    at += pcapng_epb(b + at, (uint64_t)T0 * 1000000000u + 123456789u, d1, sizeof d1, sizeof d1);
    *second_epb_at = at;
    at += pcapng_epb(b + at, (uint64_t)(T0 + 1) * 1000000000u + 5000u, d2, sizeof d2, 1500);
    return at;
}

static void write_bytes(const char *path, const uint8_t *b, size_t n)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(b, 1, n, f), n);
    fclose(f);
}

START_TEST(reads_pcapng)
{
    uint8_t b[512];
    size_t second;
    size_t n = build_pcapng(b, &second);
    struct tmp t;
    tmp_make(&t, "hand.pcapng");
    write_bytes(t.path, b, n);
    char err[CAPTURE_ERR_MAX];
    struct capture *c = capture_open_offline(t.path, err, sizeof err);
    ck_assert_msg(c != NULL, "%s", err);
    ck_assert_int_eq(capture_linktype(c), DLT_EN10MB);
    struct capture_frame f;
    ck_assert_int_eq(capture_next(c, &f), CAPTURE_FRAME);
    ck_assert_uint_eq(f.ts_us, (uint64_t)T0 * 1000000u + 123456u);  /* ns cut to us */
    ck_assert_uint_eq(f.caplen, 62);
    ck_assert_uint_eq(f.wirelen, 62);
    ck_assert_uint_eq(f.data[61], 0x11);
    ck_assert_int_eq(capture_next(c, &f), CAPTURE_FRAME);
    ck_assert_uint_eq(f.ts_us, (uint64_t)(T0 + 1) * 1000000u + 5u);
    ck_assert_uint_eq(f.caplen, 41);
    ck_assert_uint_eq(f.wirelen, 1500);
    ck_assert_uint_eq(f.data[40], 0x22);
    ck_assert_int_eq(capture_next(c, &f), CAPTURE_END);
    capture_close(c);

    /* cut inside the second packet block: one frame, then where it broke */
    write_bytes(t.path, b, second + 30);
    c = capture_open_offline(t.path, err, sizeof err);
    ck_assert_ptr_nonnull(c);
    ck_assert_int_eq(capture_next(c, &f), CAPTURE_FRAME);
    ck_assert_int_eq(capture_next(c, &f), CAPTURE_ERROR);
    char want[64];
    snprintf(want, sizeof want, "record 2 at byte offset %zu: ", second);
    ck_assert_msg(strstr(capture_error(c), want) != NULL, "got: %s", capture_error(c));
    capture_close(c);
    tmp_clean(&t);
}
END_TEST

START_TEST(filter_selects_and_rejects)
{
    /* two raw-IP frames: a TCP one, and a UDP one */
    static const uint8_t tcp[40] = {
        0x45, 0, 0, 40, 0, 0, 0, 0, 64, 6, 0, 0,     /* IPv4, total 40, TCP */
        10, 0, 0, 1, 10, 0, 0, 2,                    /* addresses */
        0xc0, 0x01, 0x01, 0xbd, 0, 0, 0, 1, 0, 0, 0, 0,  /* 49153 -> 445, seq, ack */
        0x50, 0x02, 0x20, 0x00, 0, 0, 0, 0,          /* data offset 5, SYN, window */
    };
    static const uint8_t udp[28] = {
        0x45, 0, 0, 28, 0, 0, 0, 0, 64, 17, 0, 0,    /* IPv4, total 28, UDP */
        10, 0, 0, 1, 10, 0, 0, 2,
        0, 137, 0, 137, 0, 8, 0, 0,                  /* 137 -> 137, length 8 */
    };
    struct tmp t;
    tmp_make(&t, "mixed.pcap");
    pcap_t *pd = pcap_open_dead(DLT_RAW, 65535);
    pcap_dumper_t *dp = pcap_dump_open(pd, t.path);
    struct pcap_pkthdr h = {{T0, 0}, sizeof udp, sizeof udp};
    pcap_dump((u_char *)dp, &h, udp);
    h.caplen = h.len = sizeof tcp;
    pcap_dump((u_char *)dp, &h, tcp);
    pcap_dump_close(dp);
    pcap_close(pd);

    char err[CAPTURE_ERR_MAX];
    struct capture *c = capture_open_offline(t.path, err, sizeof err);
    ck_assert_ptr_nonnull(c);
    ck_assert(!capture_set_filter(c, "tcp port"));
    ck_assert_msg(strstr(capture_error(c), "tcp port") != NULL, "%s", capture_error(c));
    ck_assert(capture_set_filter(c, "tcp port 445"));
    struct capture_frame f;
    ck_assert_int_eq(capture_next(c, &f), CAPTURE_FRAME);
    ck_assert_uint_eq(f.caplen, sizeof tcp);
    ck_assert_int_eq(capture_next(c, &f), CAPTURE_END);
    capture_close(c);
    tmp_clean(&t);
}
END_TEST

START_TEST(open_errors_say_what)
{
    char err[CAPTURE_ERR_MAX];
    ck_assert_ptr_null(capture_open_offline("/nonexistent/x.pcap", err, sizeof err));
    ck_assert_msg(strstr(err, "/nonexistent/x.pcap") != NULL, "%s", err);

    struct tmp t;
    tmp_make(&t, "junk.pcap");
    write_bytes(t.path, (const uint8_t *)"not a capture file at all", 25);
    ck_assert_ptr_null(capture_open_offline(t.path, err, sizeof err));
    ck_assert_msg(strstr(err, t.path) != NULL, "%s", err);
    tmp_clean(&t);

    ck_assert_ptr_null(capture_open_live("smbscope-no-such-if0", NULL, err, sizeof err));
    ck_assert_msg(strstr(err, "smbscope-no-such-if0") != NULL, "%s", err);
}
END_TEST

START_TEST(breakloop_ends_reading)
{
    struct tmp t;
    tmp_make(&t, "brk.pcap");
    write_pcap(t.path, 3, PCAP_TSTAMP_PRECISION_MICRO, 0);
    char err[CAPTURE_ERR_MAX];
    struct capture *c = capture_open_offline(t.path, err, sizeof err);
    ck_assert_ptr_nonnull(c);
    check_frames(c, 1, 0);
    capture_breakloop(c);
    struct capture_frame f;
    ck_assert_int_eq(capture_next(c, &f), CAPTURE_END);
    ck_assert_uint_eq(capture_records(c), 1);
    capture_close(c);
    capture_close(NULL);
    tmp_clean(&t);
}
END_TEST

/* needs capture rights on the loopback interface; without them there is nothing to run */
START_TEST(live_loopback_idles_sees_traffic_and_stops)
{
    char err[CAPTURE_ERR_MAX];
    struct capture *c = capture_open_live("lo", NULL, err, sizeof err);
    if (!c) {
        fprintf(stderr, "live capture test not run: %s\n", err);
        return;
    }
    ck_assert(capture_set_filter(c, "udp and dst port 9 and host 127.0.0.1"));
    struct capture_frame f;
    ck_assert_int_eq(capture_next(c, &f), CAPTURE_IDLE);   /* nothing sent yet */

    int s = socket(AF_INET, SOCK_DGRAM, 0);
    ck_assert_int_ge(s, 0);
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(9)};
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(sendto(s, "smbscope", 8, 0, (struct sockaddr *)&to, sizeof to), 8);
    close(s);
    enum capture_status st = CAPTURE_IDLE;
    for (int i = 0; i < 20 && st == CAPTURE_IDLE; i++)
        st = capture_next(c, &f);
    ck_assert_int_eq(st, CAPTURE_FRAME);
    ck_assert_uint_eq(f.caplen, 14 + 20 + 8 + 8);          /* Ethernet, IPv4, UDP, data */
    ck_assert_uint_eq(f.wirelen, f.caplen);
    ck_assert_int_eq(f.dlt, DLT_EN10MB);
    struct capture_stats cs;
    ck_assert(capture_stats(c, &cs));
    capture_breakloop(c);
    ck_assert_int_eq(capture_next(c, &f), CAPTURE_END);
    capture_close(c);
}
END_TEST

/* --snaplen cuts what is kept, not the wire length; --fanout joins a group
 * (two handles in one group share it) */
START_TEST(live_snaplen_and_fanout)
{
    char err[CAPTURE_ERR_MAX];
    struct capture_live_opts opts = {.snaplen = 64, .buffer_bytes = 1 << 20, .fanout_group = 4243};
    struct capture *c = capture_open_live("lo", &opts, err, sizeof err);
    if (!c) {
        fprintf(stderr, "live capture test not run: %s\n", err);
        return;
    }
    struct capture *c2 = capture_open_live("lo", &opts, err, sizeof err);
    ck_assert_msg(c2 != NULL, "a second member of the fanout group: %s", err);
    ck_assert(capture_set_filter(c, "udp and dst port 9 and host 127.0.0.1"));
    ck_assert(capture_set_filter(c2, "udp and dst port 9 and host 127.0.0.1"));
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    ck_assert_int_ge(s, 0);
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(9)};
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    char data[200] = "smbscope";
    ck_assert_int_eq(sendto(s, data, sizeof data, 0, (struct sockaddr *)&to, sizeof to), (ssize_t)sizeof data);
    close(s);
    /* the one flow goes to exactly one member */
    struct capture_frame f;
    int frames = 0;
    for (int i = 0; i < 20 && !frames; i++) {
        frames += capture_next(c, &f) == CAPTURE_FRAME;
        if (!frames && capture_next(c2, &f) == CAPTURE_FRAME)
            frames++;
    }
    ck_assert_int_eq(frames, 1);
    ck_assert_uint_eq(f.caplen, 64);
    ck_assert_uint_eq(f.wirelen, 14 + 20 + 8 + sizeof data);
    capture_close(c2);
    capture_close(c);
    struct capture_live_opts bad = {.fanout_group = -1, .snaplen = 64};
    ck_assert_ptr_null(capture_open_live("smbscope-no-such-if0", &bad, err, sizeof err));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("capture");
    TCase *tc = tcase_create("capture");
    tcase_add_test(tc, reads_back_a_pcap);
    tcase_add_test(tc, live_snaplen_and_fanout);
    tcase_add_test(tc, snap_cut_records_keep_the_wire_length);
    tcase_add_test(tc, nanosecond_files_give_microseconds);
    tcase_add_test(tc, truncated_file_reports_record_and_offset);
    tcase_add_test(tc, reads_standard_input);
    tcase_add_test(tc, truncated_standard_input);
    tcase_add_test(tc, reads_pcapng);
    tcase_add_test(tc, filter_selects_and_rejects);
    tcase_add_test(tc, open_errors_say_what);
    tcase_add_test(tc, breakloop_ends_reading);
    tcase_add_test(tc, live_loopback_idles_sees_traffic_and_stops);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
