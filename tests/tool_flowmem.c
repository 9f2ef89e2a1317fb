// SPDX-License-Identifier: MIT
/*
 * tool_flowmem N [--peeks]: inserts N distinct flows into a flow table and
 * prints, as JSON, what they cost in resident memory (VmRSS before and
 * after, so the table, the records and the allocator's overhead all count)
 * next to what flow_bytes_per_flow() declares. With --peeks every flow's
 * first segment carries an HTTP request whose path and Host fill their
 * bounds, so every flow keeps a peek: the most a flow holds. For
 * tests/t_flows.sh and docs/benchmarks.md.
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

/* A frame's TCP payload for --peeks: a request line and a Host at their
 * bounds (255 characters each). */
static uint32_t http_payload(uint8_t *p, size_t room)
{
	char path[256], host[256];
	int n;

	memset(path, 'p', sizeof(path) - 1);
	path[0] = '/';
	path[sizeof(path) - 1] = 0;
	memset(host, 'h', sizeof(host) - 1);
	host[sizeof(host) - 1] = 0;
	n = snprintf((char *)p, room, "GET %s HTTP/1.1\r\nHost: %s\r\n\r\n", path, host);
	return n < 0 || (size_t)n >= room ? 0 : (uint32_t)n;
}

int main(int argc, char **argv)
{
	struct flow_config cfg = {.peeks = false};
	static uint8_t frame[1024];
	uint32_t payload_len = 0;
	struct flow_worker w;
	struct flow_table *ft;
	struct pkt_info pi;
	uint8_t addrs[8];
	long before, after;
	unsigned long n;

	if (argc < 2 || argc > 3 || (argc == 3 && strcmp(argv[2], "--peeks")) ||
	    (n = strtoul(argv[1], NULL, 10)) == 0 || n > 100000000ul) {
		fprintf(stderr, "usage: tool_flowmem N [--peeks] (N: 1..100000000)\n");
		return 2;
	}
	if (argc == 3) {
		cfg.peeks = true;
		payload_len = http_payload(frame + 54, sizeof(frame) - 54);
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
	pi.payload_off = 54; /* Ethernet, IPv4, TCP: where --peeks put it */
	pi.payload_len = payload_len;
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
		flow_worker_account(&w, &pi, frame, 54 + payload_len, 64 + payload_len);
		if (i % 64 == 0)
			flows_quiescent();
	}
	flows_quiescent();
	after = rss_kib();
	printf("{\"flows\": %lu, \"created\": %llu, \"peeked\": %llu, \"rss_before_kib\": %ld, \"rss_after_kib\": %ld, "
	       "\"rss_bytes_per_flow\": %.1f, \"declared_bytes_per_flow\": %llu, "
	       "\"default_max_flows\": %llu}\n",
	       n, (unsigned long long)w.c.created, (unsigned long long)w.c.peeked, before, after,
	       (double)(after - before) * 1024.0 / (double)n,
	       (unsigned long long)flow_bytes_per_flow(),
	       (unsigned long long)flow_max_flows_default());
	flow_table_finish(ft, FLOW_END_EOF);
	flow_table_free(ft);
	flows_thread_unregister();
	return 0;
}
