/* Unit tests for decode (link layers, IPv4/IPv6, GRE, TCP). Fixtures are
 * hand-built frames, annotated byte by byte (decode_fixtures.h); the IP
 * fragments are in test_ipfrag.c. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "decode_fixtures.h"
#include "link.h"

static const uint8_t addr4_inner_src[4] = {10, 0, 0, 1}, addr4_inner_dst[4] = {10, 0, 0, 2};

/* decode n bytes of f from an exact-size heap copy, so a read past the end is
 * caught by the sanitizers; the copy is gone on return, so p->payload is
 * checked here and cleared (its offset in the frame goes to *at) */
static enum decode_status run(struct decode_ctx *d, const struct fixture *f, size_t n,
                              size_t wirelen, struct pkt *p, size_t *at)
{
    uint8_t *copy = malloc(n ? n : 1);
    ck_assert_ptr_nonnull(copy);
    memcpy(copy, f->b, n);
    enum decode_status st = decode_packet(d, f->dlt, 1000000, n ? copy : NULL, n, wirelen, p);
    *at = SIZE_MAX;
    if (st == DEC_TCP) {
        /* the payload lies in the frame, caplen bytes of it, and equals it there */
        ck_assert(p->payload >= copy && p->payload <= copy + n);
        *at = (size_t)(p->payload - copy);
        ck_assert_uint_le(*at + p->caplen, n);
        ck_assert_mem_eq(p->payload, f->b + *at, p->caplen);
        p->payload = NULL;
    }
    free(copy);
    return st;
}

START_TEST(whole_fixture_decodes)
{
    const struct fixture *f = &fixtures[_i];
    struct decode_ctx *d = decode_new(NULL);
    struct pkt p;
    size_t at;
    enum decode_status st = run(d, f, f->len, f->len, &p, &at);
    ck_assert_msg(st == f->want, "%s: got %d want %d", f->name, st, f->want);
    const struct decode_stats *s = decode_stats(d);
    ck_assert_uint_eq(s->packets, 1);
    ck_assert_uint_eq(s->bytes, f->len);
    ck_assert_uint_eq(s->tcp, st == DEC_TCP);
    ck_assert_uint_eq(s->non_tcp, st == DEC_SKIP);
    ck_assert_uint_eq(s->bad, st == DEC_BAD);
    ck_assert_uint_eq(s->truncated, 0);
    if (st == DEC_TCP) {
        ck_assert_uint_eq(p.ts_us, 1000000);
        ck_assert_uint_eq(p.ipver, f->ipver);
        ck_assert_uint_eq(p.sport, 49153);
        ck_assert_uint_eq(p.dport, 445);
        ck_assert_uint_eq(p.seq, 4096);
        ck_assert_uint_eq(p.ack, 8192);
        ck_assert_uint_eq(p.tcp_flags, TCPF_PSH | TCPF_ACK);
        ck_assert_uint_eq(p.win, 64240);
        ck_assert_uint_eq(p.len, 4);
        ck_assert_uint_eq(p.caplen, 4);
        ck_assert_uint_eq(at, f->hdr);
        ck_assert_uint_eq(f->b[at], 0x85);
        /* tunnels report the inner addresses */
        if (f->ipver == 4) {
            ck_assert_mem_eq(p.src, addr4_inner_src, 4);
            ck_assert_mem_eq(p.dst, addr4_inner_dst, 4);
            for (int i = 4; i < 16; i++)
                ck_assert_uint_eq(p.src[i] | p.dst[i], 0);
        } else {
            ck_assert_mem_eq(p.src, addr6_src, 16);
            ck_assert_mem_eq(p.dst, addr6_dst, 16);
        }
    } else {
        ck_assert_uint_eq(p.caplen, 0);
        ck_assert_uint_eq(p.sport, 0);
    }
    decode_free(d);
}
END_TEST

/* cut by the snap length: the wire had the whole frame, the capture has n bytes */
START_TEST(every_snap_cut)
{
    const struct fixture *f = &fixtures[_i];
    struct decode_ctx *d = decode_new(NULL);
    for (size_t n = 0; n < f->len; n++) {
        struct pkt p;
        size_t at;
        enum decode_status st = run(d, f, n, f->len, &p, &at);
        enum decode_status want = f->want == DEC_BAD || n < f->hdr ? DEC_BAD : f->want;
        ck_assert_msg(st == want, "%s cut at %zu: got %d want %d", f->name, n, st, want);
        if (st == DEC_TCP) {
            size_t have = n < f->ip_end ? n : f->ip_end;
            ck_assert_uint_eq(at, f->hdr);
            ck_assert_uint_eq(p.caplen, have - f->hdr);
            ck_assert_uint_eq(p.len, 4);  /* still the length on the wire */
        }
    }
    const struct decode_stats *s = decode_stats(d);
    if (f->want != DEC_BAD)        /* every DEC_BAD here was the snap length's doing */
        ck_assert_uint_eq(s->truncated, s->bad);
    decode_free(d);
}
END_TEST

/* a frame that really was short on the wire: lengths inside it lie */
START_TEST(every_wire_cut)
{
    const struct fixture *f = &fixtures[_i];
    struct decode_ctx *d = decode_new(NULL);
    for (size_t n = 0; n < f->len; n++) {
        struct pkt p;
        size_t at;
        enum decode_status st = run(d, f, n, n, &p, &at);
        enum decode_status want = f->want == DEC_BAD || n < f->ip_end ? DEC_BAD : f->want;
        ck_assert_msg(st == want, "%s wire-cut at %zu: got %d want %d", f->name, n, st, want);
        if (st == DEC_TCP)
            ck_assert_uint_eq(p.caplen, p.len);
    }
    ck_assert_uint_eq(decode_stats(d)->truncated, 0);
    decode_free(d);
}
END_TEST

START_TEST(padding_is_not_payload)
{
    struct decode_ctx *d = decode_new(NULL);
    struct pkt p;
    ck_assert_int_eq(decode_packet(d, LT_EN10MB, 0, eth_ip4_padded, sizeof eth_ip4_padded,
                                   sizeof eth_ip4_padded, &p), DEC_TCP);
    ck_assert_uint_eq(p.len, 4);
    ck_assert_uint_eq(p.caplen, 4);
    ck_assert_ptr_eq(p.payload, eth_ip4_padded + 54);  /* in place, no copy */
    decode_free(d);
}
END_TEST

START_TEST(snap_cut_frame_shows_caplen_below_len)
{
    struct decode_ctx *d = decode_new(NULL);
    struct pkt p;
    /* the first 56 bytes of a 64-byte frame: 2 of the 4 payload bytes */
    ck_assert_int_eq(decode_packet(d, LT_EN10MB, 0, eth_ip4_padded, 56, 64, &p), DEC_TCP);
    ck_assert_uint_eq(p.caplen, 2);
    ck_assert_uint_eq(p.len, 4);
    ck_assert_uint_eq(decode_stats(d)->truncated, 0);
    /* cut inside the TCP header: bad, and counted as truncated */
    ck_assert_int_eq(decode_packet(d, LT_EN10MB, 0, eth_ip4_padded, 40, 64, &p), DEC_BAD);
    ck_assert_uint_eq(decode_stats(d)->truncated, 1);
    ck_assert_uint_eq(decode_stats(d)->bad, 1);
    decode_free(d);
}
END_TEST

START_TEST(supported_link_types)
{
    int yes[] = {0, 1, 12, 14, 101, 108, 113, 228, 229, 276};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
        ck_assert(decode_linktype_supported(yes[i]));
    ck_assert(!decode_linktype_supported(105));
    ck_assert(!decode_linktype_supported(127));
    ck_assert(!decode_linktype_supported(-1));
}
END_TEST

/* IP-in-IP nested `levels` deep around IP4_TCP, on a raw link */
static size_t nest_ipip(uint8_t *b, unsigned levels)
{
    static const uint8_t inner[] = { IP4_TCP };
    size_t total = sizeof inner + 20u * levels;
    size_t at = 0;
    for (unsigned i = 0; i < levels; i++, total -= 20) {
        const uint8_t hdr[20] = { IP4N(total, 4, 9) };  /* IPv4 carrying IPv4 (protocol 4) */
        memcpy(b + at, hdr, 20);
        at += 20;
    }
    memcpy(b + at, inner, sizeof inner);
    return at + sizeof inner;
}

START_TEST(tunnel_depth_is_bounded)
{
    uint8_t b[512];
    struct decode_ctx *d = decode_new(NULL);
    struct pkt p;
    size_t n = nest_ipip(b, 4);      /* innermost at depth 4: allowed */
    ck_assert_int_eq(decode_packet(d, LT_RAW12, 0, b, n, n, &p), DEC_TCP);
    ck_assert_uint_eq(p.len, 4);
    n = nest_ipip(b, 5);             /* one more: refused */
    ck_assert_int_eq(decode_packet(d, LT_RAW12, 0, b, n, n, &p), DEC_BAD);
    decode_free(d);
}
END_TEST

START_TEST(eight_vlan_tags_are_fine_nine_are_not)
{
    /* drop the first of bad_vlan_stack's nine tags */
    uint8_t b[sizeof bad_vlan_stack - 4];
    memcpy(b, bad_vlan_stack, 12);                   /* MACs */
    memcpy(b + 12, bad_vlan_stack + 16, sizeof b - 12);
    struct decode_ctx *d = decode_new(NULL);
    struct pkt p;
    ck_assert_int_eq(decode_packet(d, LT_EN10MB, 0, b, sizeof b, sizeof b, &p), DEC_TCP);
    ck_assert_int_eq(decode_packet(d, LT_EN10MB, 0, bad_vlan_stack, sizeof bad_vlan_stack,
                                   sizeof bad_vlan_stack, &p), DEC_BAD);
    decode_free(d);
}
END_TEST

START_TEST(tso_zero_total_length_uses_frame)
{
    uint8_t b[sizeof raw_ip4];
    memcpy(b, raw_ip4, sizeof b);
    b[2] = b[3] = 0;                 /* IPv4 total length 0, as TSO leaves it in a sender's capture */
    struct decode_ctx *d = decode_new(NULL);
    struct pkt p;
    ck_assert_int_eq(decode_packet(d, LT_RAW12, 0, b, sizeof b, sizeof b, &p), DEC_TCP);
    ck_assert_uint_eq(p.len, 4);
    decode_free(d);
}
END_TEST

START_TEST(garbage_never_crashes)
{
    /* pseudo-random frames on every link type: any status, no crash or overread */
    struct decode_ctx *d = decode_new(NULL);
    uint32_t x = 12345;
    int dlts[] = {0, 1, 12, 101, 108, 113, 228, 229, 276};
    for (int i = 0; i < 20000; i++) {
        size_t n = 0;
        uint8_t *b = malloc(96);
        /* start from a valid frame so the walk gets deep, then flip bytes */
        const struct fixture *f = &fixtures[(size_t)i % NFIX];
        n = f->len < 96 ? f->len : 96;
        memcpy(b, f->b, n);
        for (int k = 0; k < 3; k++) {
            x = x * 1103515245u + 12345u;
            b[(x >> 8) % n] = (uint8_t)(x >> 16);
        }
        struct pkt p;
        int dlt = i % 3 ? f->dlt : dlts[(x >> 4) % 9];
        uint8_t *e = malloc(n);
        memcpy(e, b, n);
        enum decode_status st = decode_packet(d, dlt, (uint64_t)i, e, n, n + (x & 7), &p);
        if (st == DEC_TCP)
            ck_assert_uint_le(p.caplen, p.len);
        free(e);
        free(b);
    }
    ck_assert_uint_eq(decode_stats(d)->packets, 20000);
    decode_free(d);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("decode");
    TCase *tc = tcase_create("fixtures");
    tcase_add_loop_test(tc, whole_fixture_decodes, 0, (int)NFIX);
    tcase_add_loop_test(tc, every_snap_cut, 0, (int)NFIX);
    tcase_add_loop_test(tc, every_wire_cut, 0, (int)NFIX);
    tcase_add_test(tc, padding_is_not_payload);
    tcase_add_test(tc, snap_cut_frame_shows_caplen_below_len);
    tcase_add_test(tc, supported_link_types);
    tcase_add_test(tc, tunnel_depth_is_bounded);
    tcase_add_test(tc, eight_vlan_tags_are_fine_nine_are_not);
    tcase_add_test(tc, tso_zero_total_length_uses_frame);
    tcase_add_test(tc, garbage_never_crashes);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
