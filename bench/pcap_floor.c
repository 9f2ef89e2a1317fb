// SPDX-License-Identifier: MIT
/*
 * pcap_floor: the bare libpcap read loop, pcap_open_offline() and
 * pcap_next_ex() to the end, counting frames and touching nothing else. Its
 * cost per frame is the floor for any reader built on libpcap
 * (bench/offline.sh compares xdpi read, tcpdump and ndpiReader against it).
 *
 *   pcap_floor FILE   prints the number of frames read
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>

#include <pcap/pcap.h>

int main(int argc, char **argv)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	struct pcap_pkthdr *h;
	const u_char *data;
	uint64_t frames = 0;
	pcap_t *p;
	int ret;

	if (argc != 2) {
		fprintf(stderr, "Usage: pcap_floor FILE\n");
		return 2;
	}
	p = pcap_open_offline(argv[1], errbuf);
	if (!p) {
		fprintf(stderr, "pcap_floor: %s\n", errbuf);
		return 1;
	}
	while ((ret = pcap_next_ex(p, &h, &data)) == 1)
		frames++;
	if (ret == PCAP_ERROR) {
		fprintf(stderr, "pcap_floor: %s: %s\n", argv[1], pcap_geterr(p));
		pcap_close(p);
		return 1;
	}
	pcap_close(p);
	printf("%" PRIu64 "\n", frames);
	return 0;
}
