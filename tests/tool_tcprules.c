// SPDX-License-Identifier: MIT
/*
 * tool_tcprules CASE FILE.pcap: one capture per connection-tracking rule of
 * docs/flows.md ("Connection tracking"), written frame by frame in the
 * order and with the timestamps the rule is about (tests/t_tcprules.sh
 * reads them with xdpi and tshark). `tool_tcprules list` names the cases.
 *
 * Every case is between a client 10.26.0.1 and a server 10.26.0.2 (port
 * 80), client ISN 1000 and server ISN 5000 unless the case is about ISNs;
 * times are in microseconds from the capture's start.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <pcap/pcap.h>

#include "frames.h"

#define CLIENT FB_IP4(10, 26, 0, 1)
#define SERVER FB_IP4(10, 26, 0, 2)
#define CPORT 40000
#define SPORT 80
#define CISN 1000u
#define SISN 5000u

static pcap_dumper_t *out;
static struct fb f;
/* The tags every frame carries: none, one (outer), or two (QinQ). */
static uint16_t tag_outer, tag_inner;

/* One TCP segment at @t_us: from the client (@from_client) or the server,
 * with @len bytes of payload. */
static void seg(uint64_t t_us, int from_client, uint32_t seq, uint32_t ack, uint8_t flags,
		uint32_t len)
{
	struct pcap_pkthdr h;
	uint16_t next = FB_ETH_IPV4;

	fb_init(&f);
	if (tag_inner) {
		fb_eth(&f, FB_ETH_8021AD);
		fb_vlan(&f, tag_outer, FB_ETH_8021Q);
		fb_vlan(&f, tag_inner, next);
	} else if (tag_outer) {
		fb_eth(&f, FB_ETH_8021Q);
		fb_vlan(&f, tag_outer, next);
	} else {
		fb_eth(&f, next);
	}
	fb_ipv4(&f, FB_IPPROTO_TCP, from_client ? CLIENT : SERVER, from_client ? SERVER : CLIENT);
	fb_tcp(&f, from_client ? CPORT : SPORT, from_client ? SPORT : CPORT, seq, ack, flags,
	       64240);
	fb_payload(&f, len);
	fb_finish(&f);
	fb_pad_to(&f, 60);
	h.ts.tv_sec = 1700000000 + (time_t)(t_us / 1000000);
	h.ts.tv_usec = (suseconds_t)(t_us % 1000000);
	h.caplen = h.len = f.len;
	pcap_dump((u_char *)out, &h, f.buf);
}

/* Data both ways after a handshake at @t_us, then FINs: the client's
 * next sequence number is @c, the server's @s. */
static void data_and_close(uint64_t t_us, uint32_t c, uint32_t s)
{
	seg(t_us, 1, c, s, FB_TCP_PSH | FB_TCP_ACK, 100);
	seg(t_us + 1000, 0, s, c + 100, FB_TCP_PSH | FB_TCP_ACK, 200);
	seg(t_us + 2000, 1, c + 100, s + 200, FB_TCP_FIN | FB_TCP_ACK, 0);
	seg(t_us + 3000, 0, s + 200, c + 101, FB_TCP_FIN | FB_TCP_ACK, 0);
	seg(t_us + 4000, 1, c + 101, s + 201, FB_TCP_ACK, 0);
}

/* A whole connection starting at @t_us with the client's ISN @isn. */
static void connection(uint64_t t_us, uint32_t isn)
{
	seg(t_us, 1, isn, 0, FB_TCP_SYN, 0);
	seg(t_us + 10000, 0, SISN, isn + 1, FB_TCP_SYN | FB_TCP_ACK, 0);
	seg(t_us + 20000, 1, isn + 1, SISN + 1, FB_TCP_ACK, 0);
	data_and_close(t_us + 21000, isn + 1, SISN + 1);
}

/* 1. The SYN-ACK first in the file, its SYN after it but stamped earlier
 * (as seen on a real capture: 12.533, 12.503, 25.643 ms). */
static void case_synack_first(void)
{
	seg(12533, 0, SISN, CISN + 1, FB_TCP_SYN | FB_TCP_ACK, 0);
	seg(12503, 1, CISN, 0, FB_TCP_SYN, 0);
	seg(25643, 1, CISN + 1, SISN + 1, FB_TCP_ACK, 0);
	data_and_close(26000, CISN + 1, SISN + 1);
}

/* 2. An RST during the handshake, then the ACK that would have completed
 * it, within the closed timeout. */
static void case_rst_handshake(void)
{
	seg(0, 1, CISN, 0, FB_TCP_SYN, 0);
	seg(10000, 0, SISN, CISN + 1, FB_TCP_SYN | FB_TCP_ACK, 0);
	seg(15000, 1, CISN + 1, 0, FB_TCP_RST, 0);
	seg(20000, 1, CISN + 1, SISN + 1, FB_TCP_ACK, 0);
}

/* 3. The client gives up on its SYN and retries with a new ISN; the
 * answer is to the retry, 10 ms after it. */
static void case_new_isn(void)
{
	seg(0, 1, CISN, 0, FB_TCP_SYN, 0);
	seg(1000000, 1, 7000, 0, FB_TCP_SYN, 0);
	seg(1010000, 0, SISN, 7001, FB_TCP_SYN | FB_TCP_ACK, 0);
	seg(1020000, 1, 7001, SISN + 1, FB_TCP_ACK, 0);
	data_and_close(1021000, 7001, SISN + 1);
}

/* 4. TCP Fast Open: 100 bytes in the SYN, which the SYN-ACK acknowledges. */
static void case_fastopen(void)
{
	seg(0, 1, CISN, 0, FB_TCP_SYN, 100);
	seg(10000, 0, SISN, CISN + 101, FB_TCP_SYN | FB_TCP_ACK, 0);
	seg(20000, 1, CISN + 101, SISN + 1, FB_TCP_ACK, 0);
	data_and_close(21000, CISN + 101, SISN + 1);
}

/* 5. Port reuse: a connection closed with FINs, another on the same ports
 * with a new ISN 100 ms later (within the closed timeout); then a third
 * one over the second while it is established (no FIN, no RST). */
static void case_port_reuse(void)
{
	connection(0, CISN);
	seg(125000, 1, 9000, 0, FB_TCP_SYN, 0);
	seg(135000, 0, SISN, 9001, FB_TCP_SYN | FB_TCP_ACK, 0);
	seg(145000, 1, 9001, SISN + 1, FB_TCP_ACK, 0);
	connection(200000, 20000);
}

/* 6. QinQ: the same addresses and ports under one outer tag (100) and two
 * inner ones (10 and 20): two connections. */
static void case_qinq(void)
{
	tag_outer = 100;
	tag_inner = 10;
	connection(0, CISN);
	tag_inner = 20;
	connection(100000, CISN);
}

/* 7a. Simultaneous open: each end's SYN, then each end's SYN-ACK. */
static void case_simultaneous(void)
{
	seg(0, 1, CISN, 0, FB_TCP_SYN, 0);
	seg(1000, 0, SISN, 0, FB_TCP_SYN, 0);
	seg(10000, 0, SISN, CISN + 1, FB_TCP_SYN | FB_TCP_ACK, 0);
	seg(11000, 1, CISN, SISN + 1, FB_TCP_SYN | FB_TCP_ACK, 0);
	data_and_close(20000, CISN + 1, SISN + 1);
}

/* 7b. Every frame of the handshake with one timestamp. */
static void case_zero_rtt(void)
{
	seg(5000, 1, CISN, 0, FB_TCP_SYN, 0);
	seg(5000, 0, SISN, CISN + 1, FB_TCP_SYN | FB_TCP_ACK, 0);
	seg(5000, 1, CISN + 1, SISN + 1, FB_TCP_ACK, 0);
	data_and_close(5000, CISN + 1, SISN + 1);
}

/* 7c. A SYN to a closed port, answered by RST-ACK. */
static void case_rst_ack_answer(void)
{
	seg(0, 1, CISN, 0, FB_TCP_SYN, 0);
	seg(10000, 0, 0, CISN + 1, FB_TCP_RST | FB_TCP_ACK, 0);
}

/* 7d. One connection seen on two VLANs (a mirror of both sides of a
 * router, say): each frame twice, on VLAN 10 then on VLAN 20. */
static void case_vlan_copies(void)
{
	static const struct {
		uint64_t t;
		int c;
		uint32_t seq, ack;
		uint8_t flags;
		uint32_t len;
	} s[] = {
		{0, 1, CISN, 0, FB_TCP_SYN, 0},
		{10000, 0, SISN, CISN + 1, FB_TCP_SYN | FB_TCP_ACK, 0},
		{20000, 1, CISN + 1, SISN + 1, FB_TCP_ACK, 0},
		{21000, 1, CISN + 1, SISN + 1, FB_TCP_PSH | FB_TCP_ACK, 100},
		{22000, 1, CISN + 101, SISN + 1, FB_TCP_FIN | FB_TCP_ACK, 0},
		{23000, 0, SISN + 1, CISN + 102, FB_TCP_FIN | FB_TCP_ACK, 0},
		{24000, 1, CISN + 102, SISN + 2, FB_TCP_ACK, 0},
	};

	for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++) {
		tag_outer = 10;
		seg(s[i].t, s[i].c, s[i].seq, s[i].ack, s[i].flags, s[i].len);
		tag_outer = 20;
		seg(s[i].t + 50, s[i].c, s[i].seq, s[i].ack, s[i].flags, s[i].len);
	}
}

static const struct {
	const char *name;
	void (*write)(void);
} cases[] = {
	{"synack_first", case_synack_first},
	{"rst_handshake", case_rst_handshake},
	{"new_isn", case_new_isn},
	{"fastopen", case_fastopen},
	{"port_reuse", case_port_reuse},
	{"qinq", case_qinq},
	{"simultaneous", case_simultaneous},
	{"zero_rtt", case_zero_rtt},
	{"rst_ack_answer", case_rst_ack_answer},
	{"vlan_copies", case_vlan_copies},
};

int main(int argc, char **argv)
{
	pcap_t *p;

	if (argc == 2 && !strcmp(argv[1], "list")) {
		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
			printf("%s\n", cases[i].name);
		return 0;
	}
	if (argc != 3) {
		fprintf(stderr, "usage: tool_tcprules CASE FILE.pcap | list\n");
		return 2;
	}
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (strcmp(argv[1], cases[i].name))
			continue;
		p = pcap_open_dead(DLT_EN10MB, 65535);
		out = p ? pcap_dump_open(p, argv[2]) : NULL;
		if (!out) {
			fprintf(stderr, "tool_tcprules: cannot write %s\n", argv[2]);
			return 1;
		}
		cases[i].write();
		pcap_dump_close(out);
		pcap_close(p);
		return 0;
	}
	fprintf(stderr, "tool_tcprules: no case %s (tool_tcprules list)\n", argv[1]);
	return 2;
}
