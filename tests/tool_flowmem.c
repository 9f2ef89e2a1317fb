// SPDX-License-Identifier: MIT
/*
 * tool_flowmem N: inserts N distinct flows into a flow table and prints, as
 * JSON, what they cost in resident memory (VmRSS before and after, so the
 * table, the records and the allocator's overhead all count) next to what
 * flow_bytes_per_flow() declares. For tests/t_flows.sh and
 * docs/benchmarks.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inspect/flows.h"

static long rss_kib(void)
{
	char line[256];
	long kib = -1;
	FILE *f = fopen("/proc/self/status", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

int main(int argc, char **argv)
{
	struct flow_config cfg = {.peeks = false};
	struct flow_worker w;
	struct flow_table *ft;
	struct pkt_info pi;
	uint8_t addrs[8];
	long before, after;
	unsigned long n;

	if (argc != 2 || (n = strtoul(argv[1], NULL, 10)) == 0 || n > 100000000ul) {
		fprintf(stderr, "usage: tool_flowmem N (1..100000000)\n");
		return 2;
	}
	flows_thread_register();
	/* A table bounded at N: the index is sized by the bound (docs/flows.md). */
	cfg.max_flows = n;
	before = rss_kib();
	ft = flow_table_new(&cfg);
	if (!ft) {
		perror("flow_table_new");
		return 1;
	}
	flow_worker_init(&w, ft);
	memset(&pi, 0, sizeof(pi));
	pi.l3 = PKT_L3_IPV4;
	pi.l4 = PKT_L4_TCP;
	pi.l4_complete = true;
	pi.ip_proto = 6;
	pi.tcp_flags = 0x10; /* ACK: no handshake work */
	pi.src_addr = addrs;
	pi.dst_addr = addrs + 4;
	memcpy(addrs + 4, "\xc6\x12\x00\x01", 4);
	for (unsigned long i = 0; i < n; i++) {
		uint32_t src = 0xc6130000u + (uint32_t)(i >> 16);

		addrs[0] = (uint8_t)(src >> 24);
		addrs[1] = (uint8_t)(src >> 16);
		addrs[2] = (uint8_t)(src >> 8);
		addrs[3] = (uint8_t)src;
		pi.sport = (uint16_t)i;
		pi.dport = 80;
		w.now_ns = 1000000000ull + i;
		flow_worker_account(&w, &pi, NULL, 0, 64);
		if (i % 64 == 0)
			flows_quiescent();
	}
	flows_quiescent();
	after = rss_kib();
	printf("{\"flows\": %lu, \"created\": %llu, \"rss_before_kib\": %ld, \"rss_after_kib\": %ld, "
	       "\"rss_bytes_per_flow\": %.1f, \"declared_bytes_per_flow\": %llu, "
	       "\"default_max_flows\": %llu}\n",
	       n, (unsigned long long)w.c.created, before, after,
	       (double)(after - before) * 1024.0 / (double)n,
	       (unsigned long long)flow_bytes_per_flow(),
	       (unsigned long long)flow_max_flows_default());
	flow_table_finish(ft, FLOW_END_EOF);
	flow_table_free(ft);
	flows_thread_unregister();
	return 0;
}
