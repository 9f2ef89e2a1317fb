// SPDX-License-Identifier: MIT
/*
 * Holds the XDP program's steering decision against the userspace mirror
 * (inspect/filter.c) on every frame of a pcap, for every filter: the program
 * runs in the kernel through BPF_PROG_TEST_RUN in count-and-drop mode, so
 * XDP_DROP_ACTION means "wanted". Prints TAP lines (one per filter).
 *   tool_filtercheck FILE.pcap
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include "bpf/steer.h"
#include "inspect/filter.h"

/* linux/bpf.h and pcap.h both define struct bpf_insn; only this is needed. */
#define XDP_DROP_ACTION 1

int main(int argc, char **argv)
{
	char errbuf[PCAP_ERRBUF_SIZE], err[256];
	int failed = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: %s FILE.pcap\n", argv[0]);
		return 2;
	}
	for (int f = 0; f < XDPI_FILTER__MAX; f++) {
		struct steer_opts so = {.filter = f, .drop_wanted = true};
		struct pcap_pkthdr *h;
		const u_char *data;
		unsigned long frames = 0, wanted = 0, mismatches = 0;
		struct steer *s = steer_attach(&so, err, sizeof(err));
		pcap_t *p;

		if (!s) {
			printf("not ok %d - filter %s: %s\n", f + 1, xdpi_filter_name(f), err);
			failed++;
			continue;
		}
		p = pcap_open_offline(argv[1], errbuf);
		if (!p) {
			printf("not ok %d - filter %s: %s\n", f + 1, xdpi_filter_name(f), errbuf);
			steer_destroy(s);
			failed++;
			continue;
		}
		while (pcap_next_ex(p, &h, &data) == 1) {
			int act = steer_test_run(s, data, h->caplen);
			bool user = xdpi_filter_match(f, data, h->caplen);

			frames++;
			wanted += user;
			/* The kernel refuses test runs on frames below 14 bytes. */
			if (act < 0 && h->caplen < 14)
				continue;
			if ((act == XDP_DROP_ACTION) != user) {
				if (mismatches++ < 5)
					printf("# filter %s frame %lu (%u bytes): kernel %s, "
					       "userspace %s\n",
					       xdpi_filter_name(f), frames, h->caplen,
					       act == XDP_DROP_ACTION ? "steers" : "passes",
					       user ? "steers" : "passes");
			}
		}
		pcap_close(p);
		steer_destroy(s);
		printf("%s %d - filter %s: kernel and userspace agree on %lu frames (%lu "
		       "steered)\n",
		       mismatches ? "not ok" : "ok", f + 1, xdpi_filter_name(f),
		       frames - mismatches, wanted);
		failed += mismatches != 0;
	}
	printf("1..%d\n", XDPI_FILTER__MAX);
	return failed ? 1 : 0;
}
