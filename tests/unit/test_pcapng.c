/* Unit tests for pcapng.c: annotated pcapng byte fixtures in both byte
 * orders (SHB, two IDBs of different link types and snap lengths, EPB, SPB,
 * a skipped block), every truncation length of the stream and of each
 * block, and the malformed cases the reader must refuse. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pcapng.h"

/* Little-endian section: what mergecap writes from an Ethernet capture cut at
 * 200 bytes and a Linux cooked (SLL) capture. */
static const uint8_t LE[] = {
    /* SHB: type, length 28, byte-order magic, version 1.0, section length -1, length */
    0x0a, 0x0d, 0x0d, 0x0a, 28, 0, 0, 0, 0x4d, 0x3c, 0x2b, 0x1a, 1, 0, 0, 0,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 28, 0, 0, 0,
    /* IDB 0 (offset 28): type 1, length 32, LINKTYPE_ETHERNET, reserved, snaplen 200,
     * if_tsresol (9, length 1) = 9 (nanoseconds) + 3 padding, opt_endofopt, length */
    1, 0, 0, 0, 32, 0, 0, 0, 1, 0, 0, 0, 200, 0, 0, 0,
    9, 0, 1, 0, 9, 0, 0, 0, 0, 0, 0, 0, 32, 0, 0, 0,
    /* IDB 1 (offset 60): type 1, length 20, LINKTYPE_LINUX_SLL (113), snaplen 0, no options */
    1, 0, 0, 0, 20, 0, 0, 0, 113, 0, 0, 0, 0, 0, 0, 0, 20, 0, 0, 0,
    /* ISB (offset 80): type 5, length 12, empty: skipped */
    5, 0, 0, 0, 12, 0, 0, 0, 12, 0, 0, 0,
    /* EPB (offset 92): type 6, length 40, interface 1, timestamp 0x00000001:0x00000002
     * (microseconds), caplen 5, origlen 60, 5 bytes + 3 padding, length */
    6, 0, 0, 0, 40, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0,
    5, 0, 0, 0, 60, 0, 0, 0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0, 0, 0, 40, 0, 0, 0,
    /* EPB (offset 132): interface 0 (nanoseconds): 1700000000.123456789 s =
     * 0x17979cfe_3d85cd15 ns; caplen 4, origlen 4 */
    6, 0, 0, 0, 36, 0, 0, 0, 0, 0, 0, 0, 0xfe, 0x9c, 0x97, 0x17, 0x15, 0xcd, 0x85, 0x3d,
    4, 0, 0, 0, 4, 0, 0, 0, 0xb1, 0xb2, 0xb3, 0xb4, 36, 0, 0, 0,
    /* SPB (offset 168): type 3, length 24, origlen 6, 6 bytes + 2 padding: interface 0 */
    3, 0, 0, 0, 24, 0, 0, 0, 6, 0, 0, 0, 0xc1, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0, 0, 24, 0, 0, 0,
};
/* where each block of LE ends, and how many packets lie before that */
static const size_t LE_ENDS[] = {28, 60, 80, 92, 132, 168, 192};
static const int LE_PKTS[] = {0, 0, 0, 0, 1, 2, 3};

/* Big-endian section: IDB with if_tsresol 2^-10 and if_tsoffset 100 s, one EPB. */
static const uint8_t BE[] = {
    /* SHB: length 28, magic 1a2b3c4d as written big-endian */
    0x0a, 0x0d, 0x0d, 0x0a, 0, 0, 0, 28, 0x1a, 0x2b, 0x3c, 0x4d, 0, 1, 0, 0,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 28,
    /* IDB (offset 28): length 40, LINKTYPE_RAW (101), snaplen 65535,
     * if_tsresol = 0x8a (2^-10 s) + padding, if_tsoffset (14, length 8) = 100 */
    0, 0, 0, 1, 0, 0, 0, 40, 0, 101, 0, 0, 0, 0, 0xff, 0xff,
    0, 9, 0, 1, 0x8a, 0, 0, 0, 0, 14, 0, 8, 0, 0, 0, 0, 0, 0, 0, 100, 0, 0, 0, 40,
    /* EPB (offset 68): interface 0, timestamp 3 s + 512/1024 s = 3584 units, caplen 2, origlen 2 */
    0, 0, 0, 6, 0, 0, 0, 36, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x0e, 0x00,
    0, 0, 0, 2, 0, 0, 0, 2, 0xd1, 0xd2, 0, 0, 0, 0, 0, 36,
};

static FILE *mem(const uint8_t *b, size_t n)
{
    /* fmemopen refuses size 0 on some libcs: an empty tmpfile instead */
    FILE *f = n ? fmemopen((void *)b, n, "rb") : tmpfile();
    ck_assert_ptr_nonnull(f);
    return f;
}

START_TEST(le_whole)
{
    FILE *f = mem(LE, sizeof LE);
    struct pcapng_file pf;
    pcapng_file_init(&pf, f);
    struct pcapng_pkt p;
    ck_assert_int_eq(pcapng_file_next(&pf, &p), 1);
    ck_assert_uint_eq(p.iface, 1);
    ck_assert_int_eq(p.linktype, 113);              /* its own interface's link type */
    ck_assert_uint_eq(p.snaplen, 0);
    ck_assert_uint_eq(p.ts_us, ((uint64_t)1 << 32) | 2);
    ck_assert_uint_eq(p.caplen, 5);
    ck_assert_uint_eq(p.wirelen, 60);
    ck_assert_mem_eq(p.data, "\xa1\xa2\xa3\xa4\xa5", 5);
    ck_assert_int_eq(pcapng_file_next(&pf, &p), 1);
    ck_assert_uint_eq(p.iface, 0);
    ck_assert_int_eq(p.linktype, 1);
    ck_assert_uint_eq(p.snaplen, 200);
    ck_assert_uint_eq(p.ts_us, 1700000000123456u);  /* nanoseconds cut to microseconds */
    ck_assert_mem_eq(p.data, "\xb1\xb2\xb3\xb4", 4);
    ck_assert_int_eq(pcapng_file_next(&pf, &p), 1);  /* SPB: interface 0, previous time */
    ck_assert_int_eq(p.linktype, 1);
    ck_assert_uint_eq(p.caplen, 6);
    ck_assert_uint_eq(p.wirelen, 6);
    ck_assert_uint_eq(p.ts_us, 1700000000123456u);
    ck_assert_mem_eq(p.data, "\xc1\xc2\xc3\xc4\xc5\xc6", 6);
    ck_assert_int_eq(pcapng_file_next(&pf, &p), 0);
    ck_assert_uint_eq(pf.records, 3);
    pcapng_file_free(&pf);
    fclose(f);
}
END_TEST

START_TEST(be_whole)
{
    FILE *f = mem(BE, sizeof BE);
    struct pcapng_file pf;
    pcapng_file_init(&pf, f);
    struct pcapng_pkt p;
    ck_assert_int_eq(pcapng_file_next(&pf, &p), 1);
    ck_assert_int_eq(p.linktype, 101);
    ck_assert_uint_eq(p.snaplen, 65535);
    ck_assert_uint_eq(p.ts_us, 103500000u);          /* 3.5 s + if_tsoffset 100 s */
    ck_assert_uint_eq(p.caplen, 2);
    ck_assert_mem_eq(p.data, "\xd1\xd2", 2);
    ck_assert_int_eq(pcapng_file_next(&pf, &p), 0);
    pcapng_file_free(&pf);
    fclose(f);
}
END_TEST

/* the BE stream with its if_tsresol, if_tsoffset and EPB timestamp replaced */
static uint64_t be_ts_with(uint8_t tsresol, uint64_t tsoffset, uint64_t ts)
{
    uint8_t b[sizeof BE];
    memcpy(b, BE, sizeof BE);
    b[48] = tsresol;
    for (int i = 0; i < 8; i++) {
        b[56 + i] = (uint8_t)(tsoffset >> (56 - 8 * i));  /* if_tsoffset value */
        b[80 + i] = (uint8_t)(ts >> (56 - 8 * i));        /* EPB timestamp high, low */
    }
    FILE *f = mem(b, sizeof b);
    struct pcapng_file pf;
    pcapng_file_init(&pf, f);
    struct pcapng_pkt p;
    ck_assert_int_eq(pcapng_file_next(&pf, &p), 1);
    pcapng_file_free(&pf);
    fclose(f);
    return p.ts_us;
}

/* times a lying interface makes too large or too small for 64-bit
 * microseconds clamp to the ends, never wrap to an ordinary-looking time */
START_TEST(time_extremes_clamp)
{
    ck_assert_uint_eq(be_ts_with(0x8a, 100, 3584), 103500000u);  /* the fixture as it is */
    /* if_tsoffset near +2^63 s and -2^63 s */
    ck_assert_uint_eq(be_ts_with(0x8a, (uint64_t)INT64_MAX, 3584), UINT64_MAX);
    ck_assert_uint_eq(be_ts_with(0x8a, (uint64_t)INT64_MIN, 3584), 0);
    ck_assert_uint_eq(be_ts_with(0x8a, (uint64_t)-5, 3584), 0);  /* 3.5 s - 5 s: before the epoch */
    /* whole seconds (2^-0) of 2^64 - 1: 10^6 times that does not fit */
    ck_assert_uint_eq(be_ts_with(0x80, 0, UINT64_MAX), UINT64_MAX);
    ck_assert_uint_eq(be_ts_with(0x80, 0, 7), 7000000u);
}
END_TEST

/* two sections back to back (cat a.pcapng b.pcapng): the second has its own
 * byte order and interfaces */
START_TEST(two_sections)
{
    uint8_t b[sizeof LE + sizeof BE];
    memcpy(b, LE, sizeof LE);
    memcpy(b + sizeof LE, BE, sizeof BE);
    FILE *f = mem(b, sizeof b);
    struct pcapng_file pf;
    pcapng_file_init(&pf, f);
    struct pcapng_pkt p;
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq(pcapng_file_next(&pf, &p), 1);
    ck_assert_int_eq(pcapng_file_next(&pf, &p), 1);
    ck_assert_int_eq(p.linktype, 101);
    ck_assert_uint_eq(pf.ng.nifs, 1);                 /* the first section's interfaces are gone */
    ck_assert_int_eq(pcapng_file_next(&pf, &p), 0);
    pcapng_file_free(&pf);
    fclose(f);
}
END_TEST

/* Every prefix of the stream: a clean end exactly at a block boundary with
 * the packets before it, otherwise an error saying truncated and where. */
static void every_prefix(const uint8_t *b, size_t len, const size_t *ends, const int *pkts, size_t nends)
{
    for (size_t k = 0; k < len; k++) {
        FILE *f = mem(b, k);
        struct pcapng_file pf;
        pcapng_file_init(&pf, f);
        struct pcapng_pkt p;
        int r, n = 0;
        while ((r = pcapng_file_next(&pf, &p)) == 1)
            n++;
        int want_n = 0, boundary = k == 0;
        for (size_t i = 0; i < nends; i++) {
            if (ends[i] <= k)
                want_n = pkts[i];
            if (ends[i] == k)
                boundary = 1;
        }
        ck_assert_msg(n == want_n, "prefix %zu: %d packets, want %d", k, n, want_n);
        if (boundary) {
            ck_assert_msg(r == 0, "prefix %zu ends at a block boundary: clean end, got %d (%s)", k, r, pf.err);
        } else {
            ck_assert_msg(r == -1, "prefix %zu: want an error, got %d", k, r);
            ck_assert_msg(strstr(pf.err, "truncated") && strstr(pf.err, "at offset"), "prefix %zu: %s", k, pf.err);
        }
        pcapng_file_free(&pf);
        fclose(f);
    }
}

START_TEST(le_every_prefix) { every_prefix(LE, sizeof LE, LE_ENDS, LE_PKTS, 7); }
END_TEST

START_TEST(be_every_prefix)
{
    static const size_t ends[] = {28, 68, 104};
    static const int pkts[] = {0, 0, 1};
    every_prefix(BE, sizeof BE, ends, pkts, 3);
}
END_TEST

/* a block cut to k bytes and given consistent lengths (leading and trailing
 * both k), so the body parsers see a short body rather than a bad frame */
static size_t reblock(uint8_t *dst, const uint8_t *blk, size_t k, bool big)
{
    memcpy(dst, blk, k - 4);
    for (int i = 0; i < 4; i++) {
        uint8_t v = (uint8_t)(k >> (8 * (big ? 3 - i : i)));
        dst[4 + i] = v;
        dst[k - 4 + i] = v;
    }
    return k;
}

/* the LE section's SHB and both IDBs, so packet blocks have interfaces */
static void le_section(struct pcapng *ng)
{
    memset(ng, 0, sizeof *ng);
    struct pcapng_pkt p;
    ck_assert_int_eq(pcapng_block(ng, LE, 28, &p), PCAPNG_OTHER);
    ck_assert_int_eq(pcapng_block(ng, LE + 28, 32, &p), PCAPNG_OTHER);
    ck_assert_int_eq(pcapng_block(ng, LE + 60, 20, &p), PCAPNG_OTHER);
}

START_TEST(block_every_length)
{
    uint8_t buf[64];
    struct pcapng ng;
    struct pcapng_pkt p;
    /* each block handed over with fewer bytes than its length says: refused */
    for (size_t off = 0; off < sizeof LE;) {
        size_t len = LE[off + 4];
        for (size_t k = 0; k < len; k++) {
            le_section(&ng);
            memcpy(buf, LE + off, k);
            ck_assert_msg(pcapng_block(&ng, buf, k, &p) == PCAPNG_BAD, "block at %zu cut to %zu", off, k);
            pcapng_free(&ng);
        }
        off += len;
    }
    /* SHB with a consistent shorter length: below 28 it cannot hold its fields */
    for (size_t k = 12; k < 28; k += 4) {
        memset(&ng, 0, sizeof ng);
        ck_assert_int_eq(pcapng_block(&ng, buf, reblock(buf, LE, k, false), &p), PCAPNG_BAD);
    }
    /* IDB 0 (32 bytes) shortened: 8 bytes of fields need length 20; an option
     * whose value or padding runs past the body is refused */
    static const enum pcapng_rc idb_want[] = {[12] = PCAPNG_BAD, [16] = PCAPNG_BAD, [20] = PCAPNG_OTHER,
                                              [24] = PCAPNG_BAD, [28] = PCAPNG_OTHER};
    for (size_t k = 12; k < 32; k += 4) {
        le_section(&ng);
        ck_assert_msg(pcapng_block(&ng, buf, reblock(buf, LE + 28, k, false), &p) == idb_want[k], "IDB length %zu",
                      k);
        pcapng_free(&ng);
    }
    /* EPB (40 bytes): 20 bytes of fields + 5 captured: every shorter length refused */
    for (size_t k = 12; k < 40; k += 4) {
        le_section(&ng);
        ck_assert_msg(pcapng_block(&ng, buf, reblock(buf, LE + 92, k, false), &p) == PCAPNG_BAD, "EPB length %zu",
                      k);
        pcapng_free(&ng);
    }
    /* SPB (24 bytes): the captured length is what the block holds, so a short
     * one is a shorter packet, and without its 4-byte wire length it is refused */
    le_section(&ng);
    ck_assert_int_eq(pcapng_block(&ng, buf, reblock(buf, LE + 168, 12, false), &p), PCAPNG_BAD);
    for (size_t k = 16; k < 24; k += 4) {
        ck_assert_int_eq(pcapng_block(&ng, buf, reblock(buf, LE + 168, k, false), &p), PCAPNG_PACKET);
        ck_assert_uint_eq(p.caplen, k - 16);
        ck_assert_uint_eq(p.wirelen, 6);
    }
    pcapng_free(&ng);
}
END_TEST

START_TEST(malformed)
{
    uint8_t b[sizeof LE];
    struct pcapng ng;
    struct pcapng_pkt p;
    /* a packet block before any section header */
    memset(&ng, 0, sizeof ng);
    ck_assert_int_eq(pcapng_block(&ng, LE + 92, 40, &p), PCAPNG_BAD);
    ck_assert_ptr_nonnull(strstr(ng.err, "before any section header"));
    /* bad byte-order magic */
    memcpy(b, LE, 28);
    b[8] = 0x00;
    ck_assert_int_eq(pcapng_block(&ng, b, 28, &p), PCAPNG_BAD);
    /* major version 2 */
    memcpy(b, LE, 28);
    b[12] = 2;
    ck_assert_int_eq(pcapng_block(&ng, b, 28, &p), PCAPNG_BAD);
    ck_assert_ptr_nonnull(strstr(ng.err, "version"));
    /* trailing length differs from the leading one */
    le_section(&ng);
    memcpy(b, LE + 92, 40);
    b[36] = 44;
    ck_assert_int_eq(pcapng_block(&ng, b, 40, &p), PCAPNG_BAD);
    /* a packet on an interface never declared */
    memcpy(b, LE + 92, 40);
    b[8] = 2;
    ck_assert_int_eq(pcapng_block(&ng, b, 40, &p), PCAPNG_BAD);
    ck_assert_ptr_nonnull(strstr(ng.err, "interface 2"));
    /* captured length past the block */
    memcpy(b, LE + 92, 40);
    b[20] = 9;
    ck_assert_int_eq(pcapng_block(&ng, b, 40, &p), PCAPNG_BAD);
    ck_assert_ptr_nonnull(strstr(ng.err, "overruns"));
    /* a captured length near 2^32 cannot wrap the bounds check */
    memcpy(b, LE + 92, 40);
    memset(b + 20, 0xff, 4);
    ck_assert_int_eq(pcapng_block(&ng, b, 40, &p), PCAPNG_BAD);
    /* an IDB option whose length runs past the block */
    memcpy(b, LE + 28, 32);
    b[18] = 40;
    ck_assert_int_eq(pcapng_block(&ng, b, 32, &p), PCAPNG_BAD);
    /* an if_tsresol a 64-bit count cannot hold */
    memcpy(b, LE + 28, 32);
    b[20] = 20;
    ck_assert_int_eq(pcapng_block(&ng, b, 32, &p), PCAPNG_BAD);
    pcapng_free(&ng);
    /* block lengths: not a multiple of 4, below 12, above the limit */
    uint32_t len;
    memset(&ng, 0, sizeof ng);
    ng.in_section = true;
    const uint8_t odd[8] = {6, 0, 0, 0, 41, 0, 0, 0}, tiny[8] = {6, 0, 0, 0, 8, 0, 0, 0},
                  huge[8] = {6, 0, 0, 0, 0x04, 0, 0, 0x01};
    ck_assert_int_eq(pcapng_block_len(&ng, odd, 8, &len), PCAPNG_BAD);
    ck_assert_int_eq(pcapng_block_len(&ng, tiny, 8, &len), PCAPNG_BAD);
    ck_assert_int_eq(pcapng_block_len(&ng, huge, 8, &len), PCAPNG_BAD);
    const uint8_t max[8] = {6, 0, 0, 0, 0, 0, 0, 0x01};  /* exactly PCAPNG_MAX_BLOCK */
    ck_assert_int_eq(pcapng_block_len(&ng, max, 8, &len), PCAPNG_OTHER);
    ck_assert_uint_eq(len, PCAPNG_MAX_BLOCK);
}
END_TEST

/* the stream reader says where the damage is */
START_TEST(error_offset)
{
    uint8_t b[sizeof LE];
    memcpy(b, LE, sizeof LE);
    b[132 + 8] = 7; /* second EPB on interface 7 */
    FILE *f = mem(b, sizeof b);
    struct pcapng_file pf;
    pcapng_file_init(&pf, f);
    struct pcapng_pkt p;
    ck_assert_int_eq(pcapng_file_next(&pf, &p), 1);
    ck_assert_int_eq(pcapng_file_next(&pf, &p), -1);
    ck_assert_ptr_nonnull(strstr(pf.err, "interface 7"));
    ck_assert_ptr_nonnull(strstr(pf.err, "at offset 132"));
    pcapng_file_free(&pf);
    fclose(f);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("pcapng");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, le_whole);
    tcase_add_test(tc, be_whole);
    tcase_add_test(tc, time_extremes_clamp);
    tcase_add_test(tc, two_sections);
    tcase_add_test(tc, le_every_prefix);
    tcase_add_test(tc, be_every_prefix);
    tcase_add_test(tc, block_every_length);
    tcase_add_test(tc, malformed);
    tcase_add_test(tc, error_offset);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
