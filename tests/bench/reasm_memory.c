/* reasm_memory: checks that the flow table's memory stays within its caps.
 *
 * 200,000 half-open flows (a SYN each, on port 445 so every one is analyzed)
 * plus one connection that sends 100 MiB above holes the capture lost and the
 * receiver never acknowledges. Peak RSS (getrusage ru_maxrss) must stay within
 *   baseline + flows x per-flow size + reassembly cap + fixed overhead.
 * Modes: "hole" (the per-direction hole cap bounds it, default limits) and
 * "budget" (a 1 GiB hole cap, so the 32 MiB global budget must). Not a timed
 * test: run by `meson test --benchmark` or tests/bench/run_memory.sh. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "flow.h"
#include "flow_internal.h"

#define NFLOWS 200000u
#define SEG 1448u
#define TOTAL (100u << 20)
#define HOLE_EVERY 64u          /* one lost segment in this many */
#define FIXED_OVERHEAD (24u << 20)

struct bapp {
    uint64_t data[2], gaps[2], gap_bytes[2], opens, closes;
};

static enum probe_verdict no_probe(const uint8_t *p, size_t n, bool *is_server)
{
    (void)p;
    (void)n;
    (void)is_server;
    return PROBE_NO;
}

static void *b_open(void *ctx, const struct conn_ref *c, bool midstream, uint64_t ts)
{
    (void)c;
    (void)midstream;
    (void)ts;
    ((struct bapp *)ctx)->opens++;
    return ctx;
}

static void b_data(void *app, enum dir d, const uint8_t *p, size_t n, uint64_t ts)
{
    (void)p;
    (void)ts;
    ((struct bapp *)app)->data[d] += n;
}

static void b_gap(void *app, enum dir d, size_t n, uint64_t ts)
{
    (void)ts;
    struct bapp *a = app;
    a->gaps[d]++;
    a->gap_bytes[d] += n;
}

static void b_close(void *app, uint64_t ts)
{
    (void)ts;
    ((struct bapp *)app)->closes++;
}

struct counts {
    uint64_t conn, anomalies, memory_limit;
};

static void b_emit(void *u, const struct event *e)
{
    struct counts *c = u;
    if (e->type == EV_CONN)
        c->conn++;
    if (e->type == EV_ANOMALY) {
        c->anomalies++;
        const struct field *f = ev_get(e, NULL, "name");
        if (f && strcmp(f->v.s, "reasm_memory_limit") == 0)
            c->memory_limit++;
    }
}

static long maxrss_kib(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

static void ip4(uint8_t *a, uint32_t v)
{
    a[0] = (uint8_t)(v >> 24);
    a[1] = (uint8_t)(v >> 16);
    a[2] = (uint8_t)(v >> 8);
    a[3] = (uint8_t)v;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "hole";
    struct limits lim = limits_default();
    lim.max_flows = NFLOWS + 16;
    if (strcmp(mode, "budget") == 0) {
        lim.reasm_hole_bytes = 1u << 30;
        lim.reasm_total_bytes = 32u << 20;
    } else if (strcmp(mode, "hole") != 0) {
        fprintf(stderr, "usage: %s [hole|budget]\n", argv[0]);
        return 2;
    }
    long base_kib = maxrss_kib();

    struct bapp app = {0};
    struct counts cnt = {0};
    struct emitter em = {.emit = b_emit, .u = &cnt};
    static const uint16_t ports[] = {139, 445};
    struct app_ops ops = {no_probe, b_open, b_data, b_gap, b_close, NULL, 0, NULL};
    struct flow_config cfg = {&lim, ports, 2, &ops, &app, &em, NULL, NULL, NULL, NULL};
    struct flow_table *t = flow_table_new(&cfg);
    if (!t)
        return 1;

    struct pkt p;
    memset(&p, 0, sizeof p);
    p.ipver = 4;
    uint64_t ts = 1000000;
    for (uint32_t i = 0; i < NFLOWS; i++) {
        ip4(p.src, 0x0a000000u + (i >> 8));
        ip4(p.dst, 0xc0a80001u);
        p.sport = (uint16_t)(1024 + (i & 0xff));
        p.dport = 445;
        p.seq = i * 7919u;
        p.tcp_flags = TCPF_SYN;
        p.ts_us = ts++;
        flow_table_packet(t, &p);
    }
    long flows_kib = maxrss_kib();

    /* the big connection: handshake, then data with lost segments, no ACKs back */
    static uint8_t seg[SEG];
    for (size_t i = 0; i < SEG; i++)
        seg[i] = (uint8_t)i;
    uint8_t cli[4], srv[4];
    ip4(cli, 0x0b000001u);
    ip4(srv, 0xc0a80002u);
    memcpy(p.src, cli, 4);
    memcpy(p.dst, srv, 4);
    p.sport = 50000;
    p.dport = 445;
    p.seq = 100;
    p.tcp_flags = TCPF_SYN;
    p.ts_us = ts++;
    flow_table_packet(t, &p);
    uint64_t sent = 0, lost = 0;
    uint32_t seq = 101;
    p.tcp_flags = TCPF_ACK;
    p.ack = 1;
    for (uint32_t k = 0; sent < TOTAL; k++) {
        if (k % HOLE_EVERY == 0) {
            lost += SEG;   /* never captured */
        } else {
            p.seq = seq;
            p.payload = seg;
            p.caplen = p.len = SEG;
            p.ts_us = ts++;
            flow_table_packet(t, &p);
            sent += SEG;
        }
        seq += SEG;
    }
    const struct flow_stats *st = flow_table_stats(t);
    uint64_t peak_reasm = st->reasm_mem_peak;
    long peak_kib = maxrss_kib();
    flow_table_close_all(t, ts);

    /* the bound: what the caps allow, per flow and for reassembly */
    uint64_t per_flow = sizeof(struct flow) + sizeof(struct flow_heavy) + 2 * 32 /* malloc headers */
                        + 2 * sizeof(void *) /* hash buckets at load <= 1 */;
    uint64_t per_node = sizeof(struct rnode) + 32;
    uint64_t hole_mem = lim.reasm_hole_bytes + (lim.reasm_hole_bytes / SEG + 1) * per_node;
    uint64_t reasm_cap = hole_mem < lim.reasm_total_bytes ? hole_mem : lim.reasm_total_bytes;
    uint64_t bound = (uint64_t)base_kib * 1024 + (uint64_t)NFLOWS * per_flow + reasm_cap + SEG + FIXED_OVERHEAD;

    printf("mode=%s flows=%u max_flows=%zu hole_cap=%zu reasm_total=%zu\n", mode, NFLOWS, lim.max_flows,
           lim.reasm_hole_bytes, lim.reasm_total_bytes);
    printf("rss: baseline %ld KiB, after flows %ld KiB, peak %ld KiB; bound %llu KiB (per flow %llu B, reasm cap %llu B)\n",
           base_kib, flows_kib, peak_kib, (unsigned long long)(bound / 1024), (unsigned long long)per_flow,
           (unsigned long long)reasm_cap);
    printf("reasm: peak held %llu B; stream: sent %llu B above %llu lost B; delivered %llu B, %llu gaps, %llu gap B; "
           "reasm_memory_limit anomalies %llu; conn records %llu\n",
           (unsigned long long)peak_reasm, (unsigned long long)sent, (unsigned long long)lost,
           (unsigned long long)app.data[DIR_C2S], (unsigned long long)app.gaps[DIR_C2S],
           (unsigned long long)app.gap_bytes[DIR_C2S], (unsigned long long)cnt.memory_limit,
           (unsigned long long)cnt.conn);
    int bad = 0;
#if defined(__SANITIZE_ADDRESS__)
    puts("note: RSS bound not checked under AddressSanitizer (shadow memory and quarantine)");
    if (0) {
#else
    if ((uint64_t)peak_kib * 1024 > bound) {
#endif
        printf("FAIL: peak RSS above the bound\n");
        bad = 1;
    }
    /* the budget is enforced right after a segment is inserted: one segment over at most */
    if (peak_reasm > reasm_cap + SEG + per_node) {
        printf("FAIL: reassembly peak above its cap\n");
        bad = 1;
    }
    if (app.data[DIR_C2S] != sent || app.gap_bytes[DIR_C2S] != lost) {
        printf("FAIL: stream not exact\n");
        bad = 1;
    }
    /* every flow is reported, but only the one that carried data made app
     * state (app.h: the app opens on the first byte, not on the SYN) */
    if (cnt.conn != NFLOWS + 1 || app.opens != 1 || app.closes != 1) {
        printf("FAIL: %llu conn records, %llu opens, %llu closes\n", (unsigned long long)cnt.conn,
               (unsigned long long)app.opens, (unsigned long long)app.closes);
        bad = 1;
    }
    if (strcmp(mode, "budget") == 0 && cnt.memory_limit == 0) {
        printf("FAIL: the global budget never tripped\n");
        bad = 1;
    }
    flow_table_free(t);
    puts(bad ? "FAIL" : "OK");
    return bad;
}
