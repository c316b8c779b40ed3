/* Unit tests for IP fragment reassembly (ipfrag.c, through decode and on its
 * own): in order, reversed, ragged, duplicated, overlapping (first wins),
 * timeouts, the datagram and byte caps, malformed and snap-cut fragments,
 * IPv6. Spec: RFC 791 section 3.2 (IPv4 fragmentation), RFC 8200 section
 * 4.5 (IPv6 Fragment header). Frames are hand-built (decode_frames.h). */
#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "decode_frames.h"
#include "ipfrag.h"
#include "link.h"

/* ---- IPv4 fragments ---- */

/* the datagram split below: a 20-byte TCP header and 44 bytes of data */
static void datagram(uint8_t dg[64])
{
    const uint8_t tcp[20] = { TCP20 };
    memcpy(dg, tcp, 20);
    for (int i = 0; i < 44; i++)
        dg[20 + i] = (uint8_t)('A' + i % 26);
}

/* one IPv4 fragment (raw link): header, then `len` bytes of `data` */
static size_t frag4(uint8_t *b, uint16_t id, size_t off, bool mf, const uint8_t *data, size_t len)
{
    size_t total = 20 + len;
    const uint8_t hdr[20] = {
        0x45, 0x00,                                      /* version 4, IHL 5 */
        (uint8_t)(total >> 8), (uint8_t)total,           /* total length */
        (uint8_t)(id >> 8), (uint8_t)id,                 /* identification */
        (uint8_t)((mf ? 0x20 : 0x00) | (off / 8) >> 8),  /* MF flag, offset high bits */
        (uint8_t)(off / 8),                              /* offset low bits (8-byte units) */
        0x40, 0x06, 0x00, 0x00,                          /* TTL; TCP; checksum */
        192, 168, 1, 1,                                  /* source */
        192, 168, 1, 2,                                  /* destination */
    };
    memcpy(b, hdr, 20);
    memcpy(b + 20, data, len);
    return total;
}

static enum decode_status send_frag(struct decode_ctx *d, uint64_t ts, uint16_t id, size_t off,
                                    bool mf, const uint8_t *data, size_t len, struct pkt *p)
{
    uint8_t b[128];
    size_t n = frag4(b, id, off, mf, data, len);
    return decode_packet(d, LT_RAW12, ts, b, n, n, p);
}

static void check_whole(const struct pkt *p, const uint8_t dg[64])
{
    ck_assert_uint_eq(p->ipver, 4);
    ck_assert_uint_eq(p->src[0], 192);
    ck_assert_uint_eq(p->dst[3], 2);
    ck_assert_uint_eq(p->dport, 445);
    ck_assert_uint_eq(p->len, 44);
    ck_assert_uint_eq(p->caplen, 44);
    ck_assert_mem_eq(p->payload, dg + 20, 44);
}

START_TEST(frag_in_order)
{
    uint8_t dg[64];
    datagram(dg);
    struct decode_ctx *d = decode_new(NULL);
    struct pkt p;
    /* three pieces of 24, 24, 16 bytes: the first holds only part of the TCP header */
    ck_assert_int_eq(send_frag(d, 1, 7, 0, true, dg, 16, &p), DEC_FRAG_HELD);
    ck_assert_int_eq(send_frag(d, 2, 7, 16, true, dg + 16, 24, &p), DEC_FRAG_HELD);
    ck_assert_int_eq(send_frag(d, 3, 7, 40, false, dg + 40, 24, &p), DEC_TCP);
    check_whole(&p, dg);
    ck_assert_uint_eq(p.ts_us, 3);
    const struct decode_stats *s = decode_stats(d);
    ck_assert_uint_eq(s->frags, 3);
    ck_assert_uint_eq(s->frag_datagrams, 1);
    ck_assert_uint_eq(s->frag_overlaps, 0);
    ck_assert_uint_eq(s->tcp, 1);
    ck_assert_uint_eq(s->packets, 3);
    decode_free(d);
}
END_TEST

START_TEST(frag_reversed)
{
    uint8_t dg[64];
    datagram(dg);
    struct decode_ctx *d = decode_new(NULL);
    struct pkt p;
    ck_assert_int_eq(send_frag(d, 1, 7, 40, false, dg + 40, 24, &p), DEC_FRAG_HELD);
    ck_assert_int_eq(send_frag(d, 2, 7, 16, true, dg + 16, 24, &p), DEC_FRAG_HELD);
    ck_assert_int_eq(send_frag(d, 3, 7, 0, true, dg, 16, &p), DEC_TCP);
    check_whole(&p, dg);
    decode_free(d);
}
END_TEST

/* a datagram whose length is not a multiple of 8 (62 bytes: 8 blocks, the
 * last one 6 bytes long) is complete only when every block is there, even
 * when its ragged last piece came first: here the block at 48..55 comes last */
START_TEST(frag_ragged_length_needs_every_block)
{
    uint8_t dg[64];
    datagram(dg);
    struct decode_ctx *d = decode_new(NULL);
    struct pkt p;
    ck_assert_int_eq(send_frag(d, 1, 7, 56, false, dg + 56, 6, &p), DEC_FRAG_HELD);  /* 56..61, last */
    ck_assert_int_eq(send_frag(d, 2, 7, 0, true, dg, 16, &p), DEC_FRAG_HELD);        /* 0..15 */
    ck_assert_int_eq(send_frag(d, 3, 7, 16, true, dg + 16, 32, &p), DEC_FRAG_HELD);  /* 16..47: 7 of 8 blocks */
    ck_assert_int_eq(send_frag(d, 4, 7, 48, true, dg + 48, 8, &p), DEC_TCP);         /* 48..55 */
    ck_assert_uint_eq(p.len, 42);
    ck_assert_uint_eq(p.caplen, 42);
    ck_assert_mem_eq(p.payload, dg + 20, 42);
    decode_free(d);
}
END_TEST

START_TEST(frag_duplicated)
{
    uint8_t dg[64];
    datagram(dg);
    struct decode_ctx *d = decode_new(NULL);
    struct pkt p;
    ck_assert_int_eq(send_frag(d, 1, 7, 0, true, dg, 16, &p), DEC_FRAG_HELD);
    ck_assert_int_eq(send_frag(d, 1, 7, 0, true, dg, 16, &p), DEC_FRAG_HELD);
    ck_assert_int_eq(send_frag(d, 2, 7, 16, true, dg + 16, 24, &p), DEC_FRAG_HELD);
    ck_assert_int_eq(send_frag(d, 3, 7, 40, false, dg + 40, 24, &p), DEC_TCP);
    check_whole(&p, dg);
    ck_assert_uint_eq(decode_stats(d)->frag_overlaps, 1);
    /* a late duplicate after completion starts a new datagram that never finishes */
    ck_assert_int_eq(send_frag(d, 4, 7, 40, false, dg + 40, 24, &p), DEC_FRAG_HELD);
    decode_free(d);
}
END_TEST

/* overlap with different bytes: whichever arrived first is kept, in either order */
START_TEST(frag_overlap_first_wins)
{
    uint8_t dg[64], alt[64];
    datagram(dg);
    memcpy(alt, dg, 64);
    memset(alt + 24, '#', 16);       /* bytes 24..39 differ in the second copy */
    for (int order = 0; order < 2; order++) {
        struct decode_ctx *d = decode_new(NULL);
        struct pkt p;
        const uint8_t *first = order ? alt : dg, *second = order ? dg : alt;
        ck_assert_int_eq(send_frag(d, 1, 9, 0, true, first, 40, &p), DEC_FRAG_HELD);   /* 0..39 */
        ck_assert_int_eq(send_frag(d, 2, 9, 24, false, second + 24, 40, &p), DEC_TCP); /* 24..63 */
        ck_assert_mem_eq(p.payload, first + 20, 20);          /* 20..39 from the first */
        ck_assert_mem_eq(p.payload + 20, second + 40, 24);    /* 40..63 only in the second */
        ck_assert_uint_eq(decode_stats(d)->frag_overlaps, 1);
        decode_free(d);
    }
}
END_TEST

START_TEST(frag_timeout)
{
    uint8_t dg[64];
    datagram(dg);
    struct limits lim = limits_default();
    lim.ipfrag_timeout_s = 30;
    struct decode_ctx *d = decode_new(&lim);
    struct pkt p;
    ck_assert_int_eq(send_frag(d, 1000000, 7, 0, true, dg, 16, &p), DEC_FRAG_HELD);
    ck_assert_int_eq(send_frag(d, 31000000, 7, 16, true, dg + 16, 24, &p), DEC_FRAG_HELD);
    ck_assert_uint_eq(decode_stats(d)->frag_timeouts, 0);   /* exactly 30 s: still alive */
    ck_assert_int_eq(send_frag(d, 31000000, 7, 40, false, dg + 40, 24, &p), DEC_TCP);
    ck_assert_uint_eq(decode_stats(d)->frag_timeouts, 0);

    ck_assert_int_eq(send_frag(d, 40000000, 8, 0, true, dg, 16, &p), DEC_FRAG_HELD);
    ck_assert_int_eq(send_frag(d, 70000001, 8, 16, true, dg + 16, 24, &p), DEC_FRAG_HELD);
    ck_assert_uint_eq(decode_stats(d)->frag_timeouts, 1);   /* the first piece expired */
    ck_assert_int_eq(send_frag(d, 70000002, 8, 40, false, dg + 40, 24, &p), DEC_FRAG_HELD);
    ck_assert_uint_eq(decode_stats(d)->frag_datagrams, 1);
    /* a clock that steps backwards does not expire anything */
    ck_assert_int_eq(send_frag(d, 5, 8, 0, true, dg, 16, &p), DEC_TCP);
    decode_free(d);
}
END_TEST

START_TEST(frag_datagram_cap)
{
    uint8_t dg[64];
    datagram(dg);
    struct limits lim = limits_default();
    lim.ipfrag_max = 2;
    struct decode_ctx *d = decode_new(&lim);
    struct pkt p;
    for (uint16_t id = 1; id <= 3; id++)
        ck_assert_int_eq(send_frag(d, id, id, 0, true, dg, 40, &p), DEC_FRAG_HELD);
    ck_assert_uint_eq(decode_stats(d)->frag_dropped, 1);    /* id 1, the oldest, made room for id 3 */
    ck_assert_int_eq(send_frag(d, 4, 1, 40, false, dg + 40, 24, &p), DEC_FRAG_HELD);
    ck_assert_uint_eq(decode_stats(d)->frag_dropped, 2);    /* id 1 again pushed id 2 out */
    ck_assert_int_eq(send_frag(d, 5, 3, 40, false, dg + 40, 24, &p), DEC_TCP);
    check_whole(&p, dg);
    decode_free(d);
}
END_TEST

START_TEST(frag_disabled)
{
    uint8_t dg[64];
    datagram(dg);
    struct limits lim = limits_default();
    lim.ipfrag_max = 0;
    struct decode_ctx *d = decode_new(&lim);
    struct pkt p;
    ck_assert_int_eq(send_frag(d, 1, 7, 0, true, dg, 40, &p), DEC_FRAG_HELD);
    ck_assert_int_eq(send_frag(d, 2, 7, 40, false, dg + 40, 24, &p), DEC_FRAG_HELD);
    ck_assert_uint_eq(decode_stats(d)->frag_dropped, 2);
    decode_free(d);
}
END_TEST

START_TEST(frag_malformed)
{
    uint8_t dg[64];
    datagram(dg);
    struct decode_ctx *d = decode_new(NULL);
    struct pkt p;
    /* a non-final piece whose length is not a multiple of 8 */
    ck_assert_int_eq(send_frag(d, 1, 7, 0, true, dg, 20, &p), DEC_BAD);
    /* running past 65535 bytes ("ping of death") */
    ck_assert_int_eq(send_frag(d, 1, 7, 65528, false, dg, 16, &p), DEC_BAD);
    /* two different ends for one datagram: the second is refused */
    ck_assert_int_eq(send_frag(d, 1, 7, 40, false, dg + 40, 24, &p), DEC_FRAG_HELD);
    ck_assert_int_eq(send_frag(d, 1, 7, 40, false, dg + 40, 16, &p), DEC_BAD);
    /* data beyond the known end */
    ck_assert_int_eq(send_frag(d, 1, 7, 56, true, dg + 40, 16, &p), DEC_BAD);
    /* the datagram still completes from consistent pieces */
    ck_assert_int_eq(send_frag(d, 1, 7, 0, true, dg, 40, &p), DEC_TCP);
    check_whole(&p, dg);
    ck_assert_uint_eq(decode_stats(d)->bad, 4);
    decode_free(d);
}
END_TEST

START_TEST(frag_snap_cut_is_not_held)
{
    uint8_t dg[64], b[128];
    datagram(dg);
    struct decode_ctx *d = decode_new(NULL);
    struct pkt p;
    size_t n = frag4(b, 7, 0, true, dg, 40);
    ck_assert_int_eq(decode_packet(d, LT_RAW12, 0, b, n - 8, n, &p), DEC_BAD);
    ck_assert_uint_eq(decode_stats(d)->truncated, 1);
    decode_free(d);
}
END_TEST

/* the reassembled payload lives in the context: valid until the next call */
START_TEST(frag_payload_survives_until_next_call)
{
    uint8_t dg[64];
    datagram(dg);
    struct decode_ctx *d = decode_new(NULL);
    struct pkt p;
    uint8_t b[128];
    size_t n = frag4(b, 7, 0, true, dg, 40);
    ck_assert_int_eq(decode_packet(d, LT_RAW12, 0, b, n, n, &p), DEC_FRAG_HELD);
    n = frag4(b, 7, 40, false, dg + 40, 24);
    ck_assert_int_eq(decode_packet(d, LT_RAW12, 0, b, n, n, &p), DEC_TCP);
    memset(b, 0xee, sizeof b);       /* the caller's frame buffer is reused */
    ck_assert_mem_eq(p.payload, dg + 20, 44);
    decode_free(d);
}
END_TEST

/* ---- IPv6 fragments ---- */

/* IPv6 + fragment header + `len` bytes of data, on a raw link */
static size_t frag6(uint8_t *b, uint32_t id, size_t off, bool m, const uint8_t *data, size_t len)
{
    const uint8_t hdr[48] = {
        IP6((8 + len), 44),                               /* IPv6, next header: fragment */
        6, 0,                                             /* fragment: next TCP; reserved */
        (uint8_t)(off >> 8), (uint8_t)((off & 0xf8) | (m ? 1 : 0)),  /* offset; M flag */
        (uint8_t)(id >> 24), (uint8_t)(id >> 16), (uint8_t)(id >> 8), (uint8_t)id,  /* identification */
    };
    memcpy(b, hdr, 48);
    memcpy(b + 48, data, len);
    return 48 + len;
}

START_TEST(frag6_reassembled)
{
    uint8_t dg[64], b[128];
    datagram(dg);
    struct decode_ctx *d = decode_new(NULL);
    struct pkt p;
    size_t n = frag6(b, 0x01020304, 32, false, dg + 32, 32);
    ck_assert_int_eq(decode_packet(d, LT_IPV6, 0, b, n, n, &p), DEC_FRAG_HELD);
    n = frag6(b, 0x01020304, 0, true, dg, 32);
    ck_assert_int_eq(decode_packet(d, LT_IPV6, 0, b, n, n, &p), DEC_TCP);
    ck_assert_uint_eq(p.ipver, 6);
    ck_assert_mem_eq(p.src, addr6_src, 16);
    ck_assert_uint_eq(p.len, 44);
    ck_assert_mem_eq(p.payload, dg + 20, 44);
    ck_assert_uint_eq(decode_stats(d)->frag_datagrams, 1);
    /* every cut of a fragment is bad, never held */
    for (size_t cut = 0; cut < n; cut++) {
        uint8_t *c = malloc(cut ? cut : 1);
        memcpy(c, b, cut);
        ck_assert_int_eq(decode_packet(d, LT_IPV6, 0, c, cut, n, &p), DEC_BAD);
        free(c);
    }
    decode_free(d);
}
END_TEST

/* ---- the fragment table on its own: the byte cap ---- */

START_TEST(ipfrag_memory_cap)
{
    /* room for two 2 KiB buffers: the third datagram evicts the oldest */
    struct ipfrag *t = ipfrag_new(100, 30, 4096);
    uint8_t data[64] = {0}, out[IPFRAG_DATAGRAM_MAX];
    size_t len;
    uint8_t proto;
    for (uint32_t id = 1; id <= 3; id++) {
        struct ipfrag_key k = {.ver = 4, .proto = 6, .id = id};
        struct ipfrag_piece pc = {0, data, 64, true, 6, 65515};
        ck_assert_int_eq(ipfrag_add(t, &k, 0, &pc, out, sizeof out, &len, &proto), IPFRAG_HELD);
    }
    ck_assert_uint_eq(ipfrag_pending(t), 2);
    ck_assert_uint_le(ipfrag_mem(t), 4096);
    ck_assert_uint_eq(ipfrag_stats(t)->dropped, 1);
    /* a datagram that cannot fit at all is dropped, not held */
    struct ipfrag_key k = {.ver = 4, .proto = 6, .id = 99};
    struct ipfrag_piece big = {8192, data, 64, true, 6, 65515};
    ck_assert_int_eq(ipfrag_add(t, &k, 0, &big, out, sizeof out, &len, &proto), IPFRAG_HELD);
    ck_assert_uint_le(ipfrag_mem(t), 4096);
    ck_assert_uint_eq(ipfrag_stats(t)->dropped, 4);
    ipfrag_free(t);
}
END_TEST

START_TEST(ipfrag_many_datagrams)
{
    /* fill a large table, then let everything time out */
    struct ipfrag *t = ipfrag_new(5000, 1, 64u << 20);
    uint8_t data[8] = {0}, out[IPFRAG_DATAGRAM_MAX];
    size_t len;
    uint8_t proto;
    for (uint32_t id = 0; id < 6000; id++) {
        struct ipfrag_key k = {.ver = 6, .id = id};
        struct ipfrag_piece pc = {8, data, 8, true, 6, 65527};
        ck_assert_int_eq(ipfrag_add(t, &k, id, &pc, out, sizeof out, &len, &proto), IPFRAG_HELD);
    }
    ck_assert_uint_eq(ipfrag_pending(t), 5000);
    ck_assert_uint_eq(ipfrag_stats(t)->dropped, 1000);
    ipfrag_expire(t, 10000000);
    ck_assert_uint_eq(ipfrag_pending(t), 0);
    ck_assert_uint_eq(ipfrag_mem(t), 0);
    ck_assert_uint_eq(ipfrag_stats(t)->timeouts, 5000);
    ipfrag_free(t);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("ipfrag");
    TCase *tf = tcase_create("fragments");
    tcase_add_test(tf, frag_in_order);
    tcase_add_test(tf, frag_reversed);
    tcase_add_test(tf, frag_ragged_length_needs_every_block);
    tcase_add_test(tf, frag_duplicated);
    tcase_add_test(tf, frag_overlap_first_wins);
    tcase_add_test(tf, frag_timeout);
    tcase_add_test(tf, frag_datagram_cap);
    tcase_add_test(tf, frag_disabled);
    tcase_add_test(tf, frag_malformed);
    tcase_add_test(tf, frag_snap_cut_is_not_held);
    tcase_add_test(tf, frag_payload_survives_until_next_call);
    tcase_add_test(tf, frag6_reassembled);
    tcase_add_test(tf, ipfrag_memory_cap);
    tcase_add_test(tf, ipfrag_many_datagrams);
    suite_add_tcase(s, tf);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
