/* pcap_loop: the floor for any pcap analyzer — read every record with libpcap
 * and touch each byte once (a checksum), nothing else. Benchmarks quote
 * smbscope's time as a multiple of this. */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>

int main(int argc, char **argv)
{
    char err[PCAP_ERRBUF_SIZE];
    if (argc != 2) {
        fprintf(stderr, "usage: pcap_loop FILE\n");
        return 2;
    }
    pcap_t *p = pcap_open_offline(argv[1], err);
    if (!p) {
        fprintf(stderr, "pcap_loop: %s\n", err);
        return 1;
    }
    struct pcap_pkthdr *h;
    const u_char *d;
    uint64_t n = 0, bytes = 0, sum = 0;
    int rc;
    while ((rc = pcap_next_ex(p, &h, &d)) == 1) {
        n++;
        bytes += h->caplen;
        for (uint32_t i = 0; i < h->caplen; i++)
            sum += d[i];
    }
    printf("%llu packets %llu bytes checksum %llu\n", (unsigned long long)n, (unsigned long long)bytes,
           (unsigned long long)sum);
    pcap_close(p);
    return rc == -2 ? 0 : 1;
}
