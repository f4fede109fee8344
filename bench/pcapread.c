/*
 * Reference for `npm run bench`: the cheapest way to read a capture with libpcap.
 * Reads every record with pcap_next_ex and touches its bytes (a running sum of the first and last
 * captured byte, so the loop cannot be optimised away), then prints one JSON line:
 *   {"packets":N,"bytes":B,"seconds":S,"maxRssKiB":K,"checksum":C}
 * Build: cc -O2 -o pcapread bench/pcapread.c -lpcap
 */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/resource.h>
#include <time.h>

static double now_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s CAPTURE\n", argv[0]);
    return 2;
  }
  char errbuf[PCAP_ERRBUF_SIZE];
  double start = now_seconds();
  pcap_t *p = pcap_open_offline(argv[1], errbuf);
  if (p == NULL) {
    fprintf(stderr, "pcapread: %s\n", errbuf);
    return 1;
  }
  struct pcap_pkthdr *header;
  const u_char *data;
  uint64_t packets = 0, bytes = 0, checksum = 0;
  int rc;
  while ((rc = pcap_next_ex(p, &header, &data)) == 1) {
    packets++;
    bytes += header->caplen;
    if (header->caplen > 0) checksum += data[0] + data[header->caplen - 1];
  }
  if (rc == PCAP_ERROR) {
    fprintf(stderr, "pcapread: %s\n", pcap_geterr(p));
    pcap_close(p);
    return 1;
  }
  pcap_close(p);
  double seconds = now_seconds() - start;
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  printf("{\"packets\":%llu,\"bytes\":%llu,\"seconds\":%.6f,\"maxRssKiB\":%ld,\"checksum\":%llu}\n",
         (unsigned long long)packets, (unsigned long long)bytes, seconds, usage.ru_maxrss,
         (unsigned long long)checksum);
  return 0;
}
