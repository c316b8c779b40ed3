/* fuzz_pcap: libFuzzer target for the whole pipeline from a pcap file's bytes:
 * link/IP/TCP decode, fragments, flows, reassembly, NBSS, SMB1, both sinks. */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>

#include "analyzer.h"
#include "sink.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FILE *in = fmemopen((void *)data, size, "rb");
    if (!in)
        return 0;
    char err[PCAP_ERRBUF_SIZE];
    pcap_t *p = pcap_fopen_offline(in, err); /* takes ownership of `in` */
    if (!p) {
        fclose(in);
        return 0;
    }
    FILE *out = fopen("/dev/null", "w");
    /* the JSON run goes through --summary too (small tables: the bounds trip) */
    struct sink *sinks[2] = {sink_text_new(out, false), sink_summary_new(sink_json_new(out, false), true, 4)};
    struct analyzer_config cfg = {.lim = limits_default()};
    cfg.lim.max_flows = 16;
    cfg.lim.smb_buffer = 8192;
    for (int s = 0; s < 2; s++) {
        struct analyzer *an = analyzer_new(&cfg, sinks[s]);
        struct pcap_pkthdr *h;
        const u_char *d;
        while (an && pcap_next_ex(p, &h, &d) == 1)
            analyzer_frame(an, pcap_datalink(p), (uint64_t)h->ts.tv_sec * 1000000u + (uint64_t)h->ts.tv_usec, d,
                           h->caplen, h->len);
        if (an) {
            analyzer_finish(an);
            analyzer_free(an);
        }
        sinks[s]->ops->close(sinks[s]);
        if (s == 0) {
            pcap_close(p);
            in = fmemopen((void *)data, size, "rb");
            p = in ? pcap_fopen_offline(in, err) : NULL;
            if (!p) {
                if (in)
                    fclose(in);
                sinks[1]->ops->close(sinks[1]);
                break;
            }
        }
    }
    if (p)
        pcap_close(p);
    fclose(out);
    return 0;
}
