// SPDX-License-Identifier: MIT
/*
 * tool_pgframes: writes a pcap of frames as the kernel's pktgen sends them
 * (UDP/IPv4, payload struct pktgen_hdr: magic, sequence number, send time
 * 0.0 as with pktgen's NO_TIMESTAMP, then zeros), in an order the test
 * chooses, so that `xdpi live --check-seq` can be given known gaps,
 * duplicates, reordering and wraps of the 32-bit sequence.
 *
 *   tool_pgframes OUT.pcap SPORT:FIRST[-LAST]...
 *
 * Each argument appends the frames of flow 198.18.0.1:SPORT ->
 * 198.18.0.2:5201 numbered FIRST to LAST (one frame if no LAST; LAST below
 * FIRST wraps past 2^32 - 1 to 0), in that order. 64 bytes on the wire.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include "bpf/gen_shared.h"
#include "util/frame.h"

#define FRAME_LEN 60 /* 64 on the wire */

static const uint8_t mac_src[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
static const uint8_t mac_dst[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x02};

static void frame(pcap_dumper_t *d, uint16_t sport, uint32_t seq)
{
	const uint32_t l4 = FRAME_ETH_HLEN + FRAME_IPV4_HLEN;
	const struct frame_ipv4 ip = {
		.src = 0xc6120001,
		.dst = 0xc6120002,
		.payload_len = FRAME_LEN - l4,
		.ttl = 32,
		.proto = 17,
	};
	uint8_t buf[FRAME_LEN] = {0}, *p = buf + l4 + FRAME_UDP_HLEN;
	struct pcap_pkthdr h = {.caplen = FRAME_LEN, .len = FRAME_LEN};

	frame_eth(buf, mac_dst, mac_src, NULL, 0, 0x0800);
	frame_ipv4(buf + FRAME_ETH_HLEN, &ip);
	frame_udp(buf + l4, sport, XDPI_GEN_DPORT, NULL, FRAME_LEN - l4 - FRAME_UDP_HLEN);
	xdpi_put_be32(p, XDPI_PKTGEN_MAGIC);
	xdpi_put_be32(p + 4, seq);
	pcap_dump((u_char *)d, &h, buf);
}

static int parse_u32(const char *s, char **end, uint32_t *out)
{
	unsigned long long v;

	errno = 0;
	v = strtoull(s, end, 10);
	if (errno || *end == s || v > UINT32_MAX)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

int main(int argc, char **argv)
{
	pcap_dumper_t *d;
	pcap_t *p;

	if (argc < 3) {
		fprintf(stderr, "usage: tool_pgframes OUT.pcap SPORT:FIRST[-LAST]...\n");
		return 2;
	}
	p = pcap_open_dead(DLT_EN10MB, 65535);
	d = p ? pcap_dump_open(p, argv[1]) : NULL;
	if (!d) {
		fprintf(stderr, "tool_pgframes: cannot write %s\n", argv[1]);
		return 1;
	}
	for (int i = 2; i < argc; i++) {
		uint32_t sport, first, last;
		char *end;

		if (parse_u32(argv[i], &end, &sport) || sport > 65535 || *end != ':' ||
		    parse_u32(end + 1, &end, &first)) {
			fprintf(stderr, "tool_pgframes: bad frames '%s'\n", argv[i]);
			return 2;
		}
		last = first;
		if (*end == '-' && parse_u32(end + 1, &end, &last)) {
			fprintf(stderr, "tool_pgframes: bad range '%s'\n", argv[i]);
			return 2;
		}
		if (*end) {
			fprintf(stderr, "tool_pgframes: bad frames '%s'\n", argv[i]);
			return 2;
		}
		for (uint32_t seq = first;; seq++) {
			frame(d, (uint16_t)sport, seq);
			if (seq == last)
				break;
		}
	}
	pcap_dump_close(d);
	pcap_close(p);
	return 0;
}
