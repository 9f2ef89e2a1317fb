// SPDX-License-Identifier: MIT
/*
 * tool_pcapgen: writes deterministic pcap files for the offline tests.
 *
 *   tool_pcapgen CASE OUT.pcap   write one case
 *   tool_pcapgen --list          the Ethernet cases, one a line (incl. mixed)
 *
 * Frames are built in code, header by header, and written with libpcap
 * (pcap_open_dead + pcap_dump), never by hand. Every case is a fixed list of
 * frames; the "random" case draws from a fixed-seed generator, so each run
 * writes the same bytes. "mixed" is every listed case in one file.
 *
 * Cases outside the list (and outside "mixed"):
 * - "raw" and "sll" write an IPv4 packet with link type DLT_RAW /
 *   DLT_LINUX_SLL (not Ethernet), for the error tests;
 * - "snapped" writes frames captured shorter than on the wire (caplen <
 *   len, whole headers, cut payload), which xdpi handles differently from
 *   the metric definitions (see tests/t_read_oracle.sh).
 *
 * The expected metrics are not here: tests/oracle.py derives them from
 * tshark's dissection of the same file.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include "util/frame.h"

#define MAX_FRAME 9216

#define ETH_IPV4 0x0800
#define ETH_ARP 0x0806
#define ETH_IPV6 0x86dd
#define ETH_8021Q 0x8100
#define ETH_QINQ 0x88a8
#define ETH_9100 0x9100

enum {
	P_HOPOPTS = 0,
	P_ICMP = 1,
	P_TCP = 6,
	P_UDP = 17,
	P_ROUTING = 43,
	P_FRAGMENT = 44,
	P_ESP = 50,
	P_AH = 51,
	P_ICMPV6 = 58,
	P_NONE = 59,
	P_DSTOPTS = 60,
	P_MOBILITY = 135,
	P_EXPERIMENT = 253,
};

/* A frame under construction: headers are appended in wire order
 * (util/frame.h writes them), finish() sets what depends on the end. */
struct frame {
	uint8_t d[MAX_FRAME];
	uint32_t n;
	uint32_t ip_off;
	uint8_t ip_ver; /* 0: no IP header to finish */
	uint32_t l4_off;
	uint8_t l4_proto;
	bool l4_csum; /* the L4 header at l4_off gets its checksum */
};

/* The one output file, and the frame counter for timestamps. */
static pcap_dumper_t *g_dump;
static uint64_t g_frames;
static uint16_t g_ip_id = 0x1000;
static struct frame g_f;	    /* frames are big: one static builder */
static uint32_t g_snap = MAX_FRAME; /* capture at most this much of a frame */

static void die(const char *msg)
{
	fprintf(stderr, "tool_pcapgen: %s\n", msg);
	exit(1);
}

/* ---- bytes ---- */

/* The next @n bytes of the frame, to write. */
static uint8_t *put(struct frame *f, uint32_t n)
{
	uint8_t *p;

	if (f->n + n > MAX_FRAME)
		die("frame too long");
	p = f->d + f->n;
	f->n += n;
	return p;
}

static void put8(struct frame *f, uint8_t v)
{
	*put(f, 1) = v;
}

static void put16(struct frame *f, uint16_t v)
{
	xdpi_put_be16(put(f, 2), v);
}

static void put32(struct frame *f, uint32_t v)
{
	xdpi_put_be32(put(f, 4), v);
}

static void putn(struct frame *f, const uint8_t *p, uint32_t n)
{
	memcpy(put(f, n), p, n);
}

/* A recognisable, deterministic payload. */
static void payload(struct frame *f, uint32_t n, uint8_t seed)
{
	uint8_t *p = put(f, n);

	for (uint32_t i = 0; i < n; i++)
		p[i] = (uint8_t)(seed + i * 7u);
}

/* ---- addresses ---- */

#define IP4(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

/* 2001:db8:NET::HOST */
struct ip6 {
	uint8_t a[16];
};

static struct ip6 a6(uint16_t net, uint16_t host)
{
	struct ip6 x = {{0x20, 0x01, 0x0d, 0xb8}};

	x.a[4] = (uint8_t)(net >> 8);
	x.a[5] = (uint8_t)net;
	x.a[14] = (uint8_t)(host >> 8);
	x.a[15] = (uint8_t)host;
	return x;
}

/* fe80::HOST */
static struct ip6 a6_ll(uint16_t host)
{
	struct ip6 x = {{0xfe, 0x80}};

	x.a[14] = (uint8_t)(host >> 8);
	x.a[15] = (uint8_t)host;
	return x;
}

/* ---- link layer ---- */

static const uint8_t mac_src[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
static const uint8_t mac_dst[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x02};

/* Starts a frame. */
static void eth(struct frame *f, uint16_t type)
{
	f->n = 0;
	f->ip_ver = 0;
	f->l4_csum = false;
	f->l4_off = 0;
	frame_eth(put(f, FRAME_ETH_HLEN), mac_dst, mac_src, NULL, 0, type);
}

/* One tag after the type that announced it: TCI, then the next type. */
static void tag(struct frame *f, uint16_t tci, uint16_t next)
{
	frame_vlan(put(f, FRAME_VLAN_HLEN), tci, next);
}

/* A reply tells the sender's MAC; a request leaves the target's zero. */
static void arp(struct frame *f, uint16_t op, uint32_t spa, uint32_t tpa)
{
	frame_arp(put(f, FRAME_ARP_LEN), op, mac_src, spa, op == 1 ? NULL : mac_src, tpa);
}

/* ---- IP ---- */

/* A complete IPv4 header that announces @payload bytes after it. */
static void ip4_raw(struct frame *f, uint32_t src, uint32_t dst, uint8_t proto, uint16_t frag,
		    const uint8_t *opts, uint8_t opts_len, uint16_t payload)
{
	const struct frame_ipv4 ip = {
		.src = src,
		.dst = dst,
		.payload_len = payload,
		.id = g_ip_id++,
		.frag = frag,
		.ttl = 64,
		.proto = proto,
		.opts = opts,
		.opts_len = opts_len,
	};

	if (opts_len % 4 || opts_len > FRAME_OPTS_MAX)
		die("bad IPv4 options length");
	frame_ipv4(put(f, FRAME_IPV4_HLEN + opts_len), &ip);
}

/* The packet's own IPv4 header: total length and checksum set by finish(). */
static void ip4o(struct frame *f, uint32_t src, uint32_t dst, uint8_t proto, uint16_t frag,
		 const uint8_t *opts, uint8_t opts_len)
{
	f->ip_off = f->n;
	f->ip_ver = 4;
	ip4_raw(f, src, dst, proto, frag, opts, opts_len, 0);
}

static void ip4(struct frame *f, uint32_t src, uint32_t dst, uint8_t proto)
{
	ip4o(f, src, dst, proto, FRAME_IP_DF, NULL, 0);
}

static void ip6_raw(struct frame *f, struct ip6 src, struct ip6 dst, uint8_t nxt, uint16_t plen)
{
	const struct frame_ipv6 ip = {
		.src = src.a,
		.dst = dst.a,
		.payload_len = plen,
		.flow = 0x12345,
		.next = nxt,
		.hops = 64,
	};

	frame_ipv6(put(f, FRAME_IPV6_HLEN), &ip);
}

static void ip6(struct frame *f, struct ip6 src, struct ip6 dst, uint8_t nxt)
{
	f->ip_off = f->n;
	f->ip_ver = 6;
	ip6_raw(f, src, dst, nxt, 0);
}

/* Hop-by-hop or destination options: (len8 + 1) * 8 bytes of PadN. */
static void ext_opts(struct frame *f, uint8_t nxt, uint8_t len8)
{
	frame_ipv6_opts(put(f, (len8 + 1u) * 8), nxt, len8, NULL, 0);
}

/* A segment routing header (type 4) with one segment: 24 bytes. */
static void ext_srh(struct frame *f, uint8_t nxt)
{
	struct ip6 seg = a6(0xff, 1);
	uint8_t *p = put(f, 24);

	frame_ipv6_ext(p, nxt, 2);
	p[2] = 4; /* segments left, last entry, flags and tag 0 */
	memcpy(p + 8, seg.a, 16);
}

static void ext_frag(struct frame *f, uint8_t nxt, uint16_t off8, int more, uint32_t id)
{
	frame_ipv6_frag(put(f, FRAME_IPV6_FRAG_HLEN), nxt, off8, more, id);
}

/* AH with a 12-byte ICV: 24 bytes. */
static void ext_ah(struct frame *f, uint8_t nxt)
{
	put8(f, nxt);
	put8(f, 4);
	put16(f, 0);
	put32(f, 0x1000);
	put32(f, 1);
	payload(f, 12, 0xa0);
}

/* ---- L4 ---- */

static void l4_begin(struct frame *f, uint8_t proto)
{
	f->l4_off = f->n;
	f->l4_proto = proto;
	f->l4_csum = true;
}

/* A TCP header with @opts (padded with EOL to a multiple of 4). */
static void tcp_raw(struct frame *f, uint16_t sp, uint16_t dp, uint32_t seq, uint32_t ack,
		    uint16_t flags, const uint8_t *opts, uint8_t opts_len)
{
	const struct frame_tcp tcp = {
		.sport = sp,
		.dport = dp,
		.seq = seq,
		.ack = ack,
		.flags = flags,
		.window = 64240,
		.opts = opts,
		.opts_len = opts_len,
	};
	uint8_t h[FRAME_TCP_HLEN + FRAME_OPTS_MAX];
	size_t n = frame_tcp(h, &tcp, NULL, 0);

	if (!n)
		die("TCP options too long");
	putn(f, h, (uint32_t)n);
}

static void tcpo(struct frame *f, uint16_t sp, uint16_t dp, uint32_t seq, uint32_t ack,
		 uint16_t flags, const uint8_t *opts, uint8_t opts_len, uint32_t len)
{
	l4_begin(f, P_TCP);
	tcp_raw(f, sp, dp, seq, ack, flags, opts, opts_len);
	payload(f, len, (uint8_t)(sp + dp));
}

static void tcp(struct frame *f, uint16_t sp, uint16_t dp, uint16_t flags, uint32_t len)
{
	tcpo(f, sp, dp, 1000u + sp, 5000u + dp, flags, NULL, 0, len);
}

/* A UDP header announcing @len bytes of payload, and no more. */
static void udp_raw(struct frame *f, uint16_t sp, uint16_t dp, uint32_t len)
{
	frame_udp(put(f, FRAME_UDP_HLEN), sp, dp, NULL, len);
}

static void udp(struct frame *f, uint16_t sp, uint16_t dp, uint32_t len)
{
	l4_begin(f, P_UDP);
	udp_raw(f, sp, dp, len);
	payload(f, len, (uint8_t)sp);
}

/* ICMP or ICMPv6: type, code, checksum, 4 bytes of rest. */
static void icmp(struct frame *f, uint8_t proto, uint8_t type, uint8_t code, uint32_t rest)
{
	l4_begin(f, proto);
	frame_icmp(put(f, FRAME_ICMP_HLEN), type, code, rest, NULL, 0);
}

/* Sets the IP lengths, then the L4 checksum (over what the frame holds). */
static void finish(struct frame *f)
{
	uint8_t *ip = f->d + f->ip_off;
	uint32_t len = f->n - f->ip_off, l4len = f->n - f->l4_off, pseudo = 0;

	if (f->ip_ver == 4) {
		frame_ipv4_set_len(ip, len);
		pseudo = frame_pseudo4(ip + 12, ip + 16, f->l4_proto, l4len); /* source, dest. */
	} else if (f->ip_ver == 6) {
		frame_ipv6_set_len(ip, len);
		pseudo = frame_pseudo6(ip + 8, ip + 24, f->l4_proto, l4len);
	}
	if (f->l4_csum)
		frame_l4_csum(f->d + f->l4_off, l4len, f->l4_proto, pseudo);
}

static void write_frame(const struct frame *f)
{
	struct pcap_pkthdr h;

	if (!g_dump)
		die("no output");
	h.ts.tv_sec = 1700000000 + (time_t)(g_frames / 1000);
	h.ts.tv_usec = (suseconds_t)(g_frames % 1000) * 1000;
	h.caplen = f->n < g_snap ? f->n : g_snap;
	h.len = f->n;
	pcap_dump((u_char *)g_dump, &h, f->d);
	g_frames++;
}

/* Finishes the headers, pads to @min bytes with @pad (0: no padding). */
static void emit_pad(struct frame *f, uint32_t min, uint8_t pad)
{
	finish(f);
	while (f->n < min)
		put8(f, pad);
	write_frame(f);
}

static void emit(struct frame *f)
{
	emit_pad(f, 0, 0);
}

/* ---- cases ---- */

/* A TCP segment over IPv4 in one call. */
static void tcp4(uint32_t s, uint32_t d, uint16_t sp, uint16_t dp, uint16_t flags, uint32_t len)
{
	struct frame *f = &g_f;

	eth(f, ETH_IPV4);
	ip4(f, s, d, P_TCP);
	tcp(f, sp, dp, flags, len);
	emit(f);
}

static void tcp6(struct ip6 s, struct ip6 d, uint16_t sp, uint16_t dp, uint16_t flags, uint32_t len)
{
	struct frame *f = &g_f;

	eth(f, ETH_IPV6);
	ip6(f, s, d, P_TCP);
	tcp(f, sp, dp, flags, len);
	emit(f);
}

static void udp4(uint32_t s, uint32_t d, uint16_t sp, uint16_t dp, uint32_t len)
{
	struct frame *f = &g_f;

	eth(f, ETH_IPV4);
	ip4(f, s, d, P_UDP);
	udp(f, sp, dp, len);
	emit(f);
}

static void udp6(struct ip6 s, struct ip6 d, uint16_t sp, uint16_t dp, uint32_t len)
{
	struct frame *f = &g_f;

	eth(f, ETH_IPV6);
	ip6(f, s, d, P_UDP);
	udp(f, sp, dp, len);
	emit(f);
}

/* A TCP connection: handshake, data both ways, then FIN or RST. */
static void conn4(uint32_t c, uint32_t s, uint16_t cp, uint16_t sp, uint32_t up, uint32_t down,
		  int rst)
{
	tcp4(c, s, cp, sp, FRAME_TCP_SYN, 0);
	tcp4(s, c, sp, cp, FRAME_TCP_SYN | FRAME_TCP_ACK, 0);
	tcp4(c, s, cp, sp, FRAME_TCP_ACK, 0);
	tcp4(c, s, cp, sp, FRAME_TCP_PSH | FRAME_TCP_ACK, up);
	tcp4(s, c, sp, cp, FRAME_TCP_ACK, 0);
	tcp4(s, c, sp, cp, FRAME_TCP_PSH | FRAME_TCP_ACK, down);
	tcp4(c, s, cp, sp, FRAME_TCP_ACK, 0);
	if (rst) {
		tcp4(c, s, cp, sp, FRAME_TCP_RST | FRAME_TCP_ACK, 0);
		return;
	}
	tcp4(c, s, cp, sp, FRAME_TCP_FIN | FRAME_TCP_ACK, 0);
	tcp4(s, c, sp, cp, FRAME_TCP_FIN | FRAME_TCP_ACK, 0);
	tcp4(c, s, cp, sp, FRAME_TCP_ACK, 0);
}

static void case_handshakes(void)
{
	uint32_t server = IP4(192, 0, 2, 10);

	for (uint32_t i = 0; i < 4; i++)
		for (uint32_t j = 0; j < 2; j++)
			conn4(IP4(10, 1, 0, 1 + i), server, (uint16_t)(40000 + i * 10 + j), 30000,
			      50 + 17 * i + 5 * j, 300 + 101 * i, (i + j) % 3 == 2);
	/* A SYN to a closed port, answered by RST+ACK. */
	tcp4(IP4(10, 1, 0, 9), server, 41000, 31, FRAME_TCP_SYN, 0);
	tcp4(server, IP4(10, 1, 0, 9), 31, 41000, FRAME_TCP_RST | FRAME_TCP_ACK, 0);
	/* A retransmitted SYN: same flow, counted twice as syn. */
	tcp4(IP4(10, 1, 0, 9), server, 41001, 30000, FRAME_TCP_SYN, 0);
	tcp4(IP4(10, 1, 0, 9), server, 41001, 30000, FRAME_TCP_SYN, 0);
	/* Flows that differ only in the destination address, or port. */
	tcp4(IP4(10, 1, 0, 9), IP4(192, 0, 2, 11), 41001, 30000, FRAME_TCP_SYN, 0);
	tcp4(IP4(10, 1, 0, 9), server, 41001, 30001, FRAME_TCP_SYN, 0);
}

static void case_tcp_options(void)
{
	/* Linux SYN: MSS, SACK-perm, timestamps, NOP, window scale. */
	static const uint8_t syn[] = {2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0,
				      0, 1, 0,	  0,	0, 0, 1, 3,  3, 7};
	static const uint8_t synack[] = {2, 4, 0x05, 0x8c, 1, 1, 4, 2, 1, 3, 3, 9};
	static const uint8_t ts[] = {1, 1, 8, 10, 0, 0, 0, 2, 0, 0, 0, 1};
	static const uint8_t sack[] = {1, 1, 5, 10, 0, 0, 0x10, 0, 0, 0, 0x20, 0};
	static const uint8_t mss_eol[] = {2, 4, 0x23, 0x28, 0}; /* + EOL padding */
	static const uint8_t full[] = {1, 1,  1, 1, 2, 4, 0x05, 0xb4, 3, 3, 14, 4, 2, 1,
				       8, 10, 1, 2, 3, 4, 5,	6,    7, 8, 1,	1, 1, 1,
				       1, 1,  1, 1, 1, 1, 1,	1,    1, 1, 1,	0};
	struct ip6 c6 = a6(3, 1), s6 = a6(3, 2);
	uint32_t c = IP4(10, 3, 0, 1), s = IP4(10, 3, 0, 2);
	struct frame *f = &g_f;

	eth(f, ETH_IPV4);
	ip4(f, c, s, P_TCP);
	tcpo(f, 45000, 8443, 100, 0, FRAME_TCP_SYN, syn, sizeof(syn), 0);
	emit(f);
	eth(f, ETH_IPV4);
	ip4(f, s, c, P_TCP);
	tcpo(f, 8443, 45000, 900, 101, FRAME_TCP_SYN | FRAME_TCP_ACK, synack, sizeof(synack), 0);
	emit(f);
	eth(f, ETH_IPV4);
	ip4(f, c, s, P_TCP);
	tcpo(f, 45000, 8443, 101, 901, FRAME_TCP_ACK, ts, sizeof(ts), 0);
	emit(f);
	eth(f, ETH_IPV4);
	ip4(f, c, s, P_TCP);
	tcpo(f, 45000, 8443, 101, 901, FRAME_TCP_PSH | FRAME_TCP_ACK, ts, sizeof(ts), 517);
	emit(f);
	eth(f, ETH_IPV4);
	ip4(f, s, c, P_TCP);
	tcpo(f, 8443, 45000, 901, 618, FRAME_TCP_ACK, sack, sizeof(sack), 0);
	emit(f);
	eth(f, ETH_IPV4);
	ip4(f, s, c, P_TCP);
	tcpo(f, 8443, 45000, 901, 618, FRAME_TCP_PSH | FRAME_TCP_ACK, ts, sizeof(ts), 1200);
	emit(f);
	eth(f, ETH_IPV4);
	ip4(f, c, s, P_TCP);
	tcpo(f, 45001, 8443, 7, 0, FRAME_TCP_SYN, mss_eol, sizeof(mss_eol), 0);
	emit(f);
	/* 40 bytes of options, the most a header can hold. */
	eth(f, ETH_IPV4);
	ip4(f, c, s, P_TCP);
	tcpo(f, 45002, 8443, 7, 0, FRAME_TCP_SYN, full, sizeof(full), 0);
	emit(f);
	eth(f, ETH_IPV6);
	ip6(f, c6, s6, P_TCP);
	tcpo(f, 45003, 8443, 1, 0, FRAME_TCP_SYN, syn, sizeof(syn), 0);
	emit(f);
	eth(f, ETH_IPV6);
	ip6(f, s6, c6, P_TCP);
	tcpo(f, 8443, 45003, 1, 2, FRAME_TCP_SYN | FRAME_TCP_ACK, synack, sizeof(synack), 0);
	emit(f);
	eth(f, ETH_IPV6);
	ip6(f, c6, s6, P_TCP);
	tcpo(f, 45003, 8443, 2, 2, FRAME_TCP_PSH | FRAME_TCP_ACK, ts, sizeof(ts), 333);
	emit(f);
}

static void case_tcp_flags(void)
{
	static const uint16_t combos[] = {
		0x1ff, /* every flag, NS/AE included */
		0xff,  /* every flag of byte 13 */
		FRAME_TCP_SYN | FRAME_TCP_FIN,
		FRAME_TCP_SYN | FRAME_TCP_RST,
		FRAME_TCP_FIN,
		FRAME_TCP_RST,
		0,					       /* null scan */
		FRAME_TCP_FIN | FRAME_TCP_PSH | FRAME_TCP_URG, /* xmas scan */
		FRAME_TCP_URG | FRAME_TCP_PSH | FRAME_TCP_ACK,
		FRAME_TCP_SYN | FRAME_TCP_ECE | FRAME_TCP_CWR,
		FRAME_TCP_SYN | FRAME_TCP_ACK | FRAME_TCP_ECE,
		FRAME_TCP_SYN | FRAME_TCP_ACK | FRAME_TCP_FIN,
		FRAME_TCP_RST | FRAME_TCP_ACK,
		FRAME_TCP_FIN | FRAME_TCP_ACK,
		FRAME_TCP_ACK | FRAME_TCP_CWR,
	};
	uint32_t c = IP4(10, 4, 0, 1), s = IP4(10, 4, 0, 2);

	for (uint32_t i = 0; i < sizeof(combos) / sizeof(combos[0]); i++)
		tcp4(c, s, (uint16_t)(50000 + i), 9, combos[i], i % 3 ? 0 : 10 + i);
	tcp6(a6(4, 1), a6(4, 2), 50100, 9, 0x1ff, 5);
	tcp6(a6(4, 2), a6(4, 1), 9, 50100, FRAME_TCP_SYN | FRAME_TCP_ACK, 0);
}

static void case_vlan(void)
{
	struct frame *f = &g_f;

	eth(f, ETH_8021Q);
	tag(f, 100, ETH_IPV4);
	ip4(f, IP4(10, 5, 0, 1), IP4(10, 5, 0, 2), P_TCP);
	tcp(f, 40500, 22, FRAME_TCP_SYN, 0);
	emit(f);
	eth(f, ETH_8021Q);
	tag(f, 0xe000 | 100, ETH_IPV4); /* priority 7 */
	ip4(f, IP4(10, 5, 0, 2), IP4(10, 5, 0, 1), P_TCP);
	tcp(f, 22, 40500, FRAME_TCP_SYN | FRAME_TCP_ACK, 0);
	emit(f);
	eth(f, ETH_8021Q);
	tag(f, 100, ETH_IPV4);
	ip4(f, IP4(10, 5, 0, 1), IP4(10, 5, 0, 2), P_TCP);
	tcp(f, 40500, 22, FRAME_TCP_PSH | FRAME_TCP_ACK, 120);
	emit(f);
	eth(f, ETH_8021Q);
	tag(f, 4094, ETH_IPV4);
	ip4(f, IP4(10, 5, 0, 3), IP4(10, 5, 0, 255), P_UDP);
	udp(f, 40501, 40502, 64);
	emit(f);
	eth(f, ETH_8021Q);
	tag(f, 200, ETH_IPV6);
	ip6(f, a6(5, 1), a6(5, 2), P_TCP);
	tcp(f, 40503, 22, FRAME_TCP_SYN, 0);
	emit(f);
	eth(f, ETH_8021Q);
	tag(f, 200, ETH_ARP);
	arp(f, 1, IP4(10, 5, 0, 1), IP4(10, 5, 0, 2));
	emit_pad(f, 64, 0);
	eth(f, ETH_8021Q);
	tag(f, 0, ETH_IPV4); /* priority tag, VID 0 */
	ip4(f, IP4(10, 5, 0, 4), IP4(10, 5, 0, 1), P_ICMP);
	icmp(f, P_ICMP, 8, 0, 0x00010001);
	payload(f, 32, 1);
	emit(f);
}

static void case_qinq(void)
{
	struct frame *f = &g_f;

	eth(f, ETH_QINQ);
	tag(f, 10, ETH_8021Q);
	tag(f, 100, ETH_IPV4);
	ip4(f, IP4(10, 6, 0, 1), IP4(10, 6, 0, 2), P_TCP);
	tcp(f, 40600, 443, FRAME_TCP_SYN, 0);
	emit(f);
	eth(f, ETH_QINQ);
	tag(f, 10, ETH_8021Q);
	tag(f, 100, ETH_IPV4);
	ip4(f, IP4(10, 6, 0, 2), IP4(10, 6, 0, 1), P_TCP);
	tcp(f, 443, 40600, FRAME_TCP_PSH | FRAME_TCP_ACK, 700);
	emit(f);
	eth(f, ETH_QINQ);
	tag(f, 11, ETH_8021Q);
	tag(f, 101, ETH_IPV6);
	ip6(f, a6(6, 1), a6(6, 2), P_UDP);
	udp(f, 40601, 40602, 200);
	emit(f);
	eth(f, ETH_QINQ);
	tag(f, 11, ETH_8021Q);
	tag(f, 101, ETH_ARP);
	arp(f, 2, IP4(10, 6, 0, 9), IP4(10, 6, 0, 1));
	emit_pad(f, 68, 0);
	/* Two 802.1Q tags (the older double tagging) are two tags as well. */
	eth(f, ETH_8021Q);
	tag(f, 12, ETH_8021Q);
	tag(f, 102, ETH_IPV4);
	ip4(f, IP4(10, 6, 0, 3), IP4(10, 6, 0, 1), P_TCP);
	tcp(f, 40603, 443, FRAME_TCP_FIN | FRAME_TCP_ACK, 0);
	emit(f);
	/* An S-tag directly before IP. */
	eth(f, ETH_QINQ);
	tag(f, 13, ETH_IPV4);
	ip4(f, IP4(10, 6, 0, 4), IP4(10, 6, 0, 1), P_UDP);
	udp(f, 40604, 40605, 10);
	emit(f);
}

/* 0x9100 is not one of the two tag types: l3 other, nothing above counted. */
static void case_tag9100(void)
{
	struct frame *f = &g_f;

	eth(f, ETH_9100);
	tag(f, 20, ETH_8021Q);
	tag(f, 200, ETH_IPV4);
	ip4(f, IP4(10, 7, 0, 1), IP4(10, 7, 0, 2), P_TCP);
	tcp(f, 40700, 80, FRAME_TCP_SYN, 0);
	emit(f);
	eth(f, ETH_9100);
	tag(f, 21, ETH_IPV4);
	ip4(f, IP4(10, 7, 0, 3), IP4(10, 7, 0, 2), P_TCP);
	tcp(f, 40701, 80, FRAME_TCP_PSH | FRAME_TCP_ACK, 90);
	emit(f);
	eth(f, ETH_9100);
	tag(f, 22, ETH_IPV6);
	ip6(f, a6(7, 1), a6(7, 2), P_UDP);
	udp(f, 40702, 40703, 30);
	emit(f);
	/* Reference: the same with a real tag. */
	eth(f, ETH_8021Q);
	tag(f, 21, ETH_IPV4);
	ip4(f, IP4(10, 7, 0, 4), IP4(10, 7, 0, 2), P_TCP);
	tcp(f, 40704, 80, FRAME_TCP_SYN, 0);
	emit(f);
}

/* A third tag makes the frame l3 other. */
static void case_triple_tag(void)
{
	struct frame *f = &g_f;

	eth(f, ETH_QINQ);
	tag(f, 30, ETH_8021Q);
	tag(f, 300, ETH_8021Q);
	tag(f, 301, ETH_IPV4);
	ip4(f, IP4(10, 8, 0, 1), IP4(10, 8, 0, 2), P_TCP);
	tcp(f, 40800, 80, FRAME_TCP_SYN, 0);
	emit(f);
	eth(f, ETH_8021Q);
	tag(f, 31, ETH_8021Q);
	tag(f, 310, ETH_8021Q);
	tag(f, 311, ETH_IPV6);
	ip6(f, a6(8, 1), a6(8, 2), P_TCP);
	tcp(f, 40801, 80, FRAME_TCP_SYN, 0);
	emit(f);
	eth(f, ETH_QINQ);
	tag(f, 32, ETH_QINQ);
	tag(f, 320, ETH_8021Q);
	tag(f, 321, ETH_ARP);
	arp(f, 1, IP4(10, 8, 0, 1), IP4(10, 8, 0, 2));
	emit(f);
	/* Two tags, for reference. */
	eth(f, ETH_QINQ);
	tag(f, 30, ETH_8021Q);
	tag(f, 300, ETH_IPV4);
	ip4(f, IP4(10, 8, 0, 3), IP4(10, 8, 0, 2), P_TCP);
	tcp(f, 40802, 80, FRAME_TCP_SYN, 0);
	emit(f);
}

static void case_ipv6(void)
{
	struct ip6 c1 = a6(9, 1), c2 = a6(9, 2), s = a6(9, 0x100);

	tcp6(c1, s, 46000, 8080, FRAME_TCP_SYN, 0);
	tcp6(s, c1, 8080, 46000, FRAME_TCP_SYN | FRAME_TCP_ACK, 0);
	tcp6(c1, s, 46000, 8080, FRAME_TCP_ACK, 0);
	tcp6(c1, s, 46000, 8080, FRAME_TCP_PSH | FRAME_TCP_ACK, 240);
	tcp6(s, c1, 8080, 46000, FRAME_TCP_PSH | FRAME_TCP_ACK, 1400);
	tcp6(c1, s, 46000, 8080, FRAME_TCP_FIN | FRAME_TCP_ACK, 0);
	tcp6(s, c1, 8080, 46000, FRAME_TCP_FIN | FRAME_TCP_ACK, 0);
	tcp6(c1, s, 46000, 8080, FRAME_TCP_ACK, 0);
	tcp6(c2, s, 46001, 8080, FRAME_TCP_SYN, 0);
	tcp6(s, c2, 8080, 46001, FRAME_TCP_RST | FRAME_TCP_ACK, 0);
	/* Flows that differ only in the destination address, or port. */
	tcp6(c1, a6(9, 0x101), 46000, 8080, FRAME_TCP_SYN, 0);
	tcp6(c1, s, 46000, 8081, FRAME_TCP_SYN, 0);
	udp6(c1, s, 46002, 46003, 100);
	udp6(c2, s, 46004, 46003, 0);
	udp6(a6_ll(5), a6_ll(6), 46005, 46006, 48);
}

static void case_ipv6_ext(void)
{
	struct ip6 a = a6(10, 1), b = a6(10, 2);
	struct frame *f = &g_f;

	/* Hop-by-hop, then TCP. */
	eth(f, ETH_IPV6);
	ip6(f, a, b, P_HOPOPTS);
	ext_opts(f, P_TCP, 0);
	tcp(f, 47000, 80, FRAME_TCP_SYN, 0);
	emit(f);
	/* Routing (SRH), then TCP data. */
	eth(f, ETH_IPV6);
	ip6(f, a, b, P_ROUTING);
	ext_srh(f, P_TCP);
	tcp(f, 47000, 80, FRAME_TCP_PSH | FRAME_TCP_ACK, 40);
	emit(f);
	/* Destination options (16 bytes), then UDP. */
	eth(f, ETH_IPV6);
	ip6(f, a, b, P_DSTOPTS);
	ext_opts(f, P_UDP, 1);
	udp(f, 47001, 47002, 25);
	emit(f);
	/* A chain: hop-by-hop, dstopts, routing, dstopts, TCP. */
	eth(f, ETH_IPV6);
	ip6(f, b, a, P_HOPOPTS);
	ext_opts(f, P_DSTOPTS, 0);
	ext_opts(f, P_ROUTING, 2);
	ext_srh(f, P_DSTOPTS);
	ext_opts(f, P_TCP, 0);
	tcp(f, 80, 47000, FRAME_TCP_SYN | FRAME_TCP_ACK, 10);
	emit(f);
	/* First fragment (offset 0, M set): TCP with its own payload. */
	eth(f, ETH_IPV6);
	ip6(f, a, b, P_FRAGMENT);
	ext_frag(f, P_TCP, 0, 1, 0xabc);
	tcp(f, 47003, 80, FRAME_TCP_PSH | FRAME_TCP_ACK, 64);
	emit(f);
	/* A later fragment (offset 11 * 8): other. */
	eth(f, ETH_IPV6);
	ip6(f, a, b, P_FRAGMENT);
	ext_frag(f, P_TCP, 11, 0, 0xabc);
	payload(f, 30, 9);
	emit(f);
	/* A later fragment behind hop-by-hop, with more to come. */
	eth(f, ETH_IPV6);
	ip6(f, a6(10, 3), b, P_HOPOPTS);
	ext_opts(f, P_FRAGMENT, 0);
	ext_frag(f, P_UDP, 100, 1, 0xabd);
	payload(f, 48, 10);
	emit(f);
	/* 150 fragment headers with offset 0, then TCP. */
	eth(f, ETH_IPV6);
	ip6(f, a6(10, 4), b, P_FRAGMENT);
	for (int i = 0; i < 150; i++)
		ext_frag(f, i == 149 ? P_TCP : P_FRAGMENT, 0, 0, 0x1000u + (uint32_t)i);
	tcp(f, 47004, 80, FRAME_TCP_PSH | FRAME_TCP_ACK, 20);
	emit(f);
	/* Atomic fragment (offset 0, M clear) then UDP. */
	eth(f, ETH_IPV6);
	ip6(f, a, b, P_FRAGMENT);
	ext_frag(f, P_UDP, 0, 0, 0xabe);
	udp(f, 47005, 47006, 12);
	emit(f);
	/* AH, then TCP: AH stops the walk (other). */
	eth(f, ETH_IPV6);
	ip6(f, a6(10, 5), b, P_AH);
	ext_ah(f, P_TCP);
	tcp(f, 47007, 80, FRAME_TCP_SYN, 0);
	emit(f);
	/* ESP. */
	eth(f, ETH_IPV6);
	ip6(f, a6(10, 6), b, P_ESP);
	put32(f, 0x2000);
	put32(f, 7);
	payload(f, 64, 11);
	emit(f);
	/* No next header, directly and after hop-by-hop. */
	eth(f, ETH_IPV6);
	ip6(f, a, b, P_NONE);
	emit(f);
	eth(f, ETH_IPV6);
	ip6(f, a, b, P_HOPOPTS);
	ext_opts(f, P_NONE, 0);
	emit(f);
	/* Mobility header (binding refresh request). */
	eth(f, ETH_IPV6);
	ip6(f, a6(10, 7), b, P_MOBILITY);
	put8(f, P_NONE);
	put8(f, 0);
	put8(f, 0);
	put8(f, 0);
	put16(f, 0);
	put16(f, 0);
	emit(f);
	/* Hop-by-hop, then ICMPv6 (MLD-like). */
	eth(f, ETH_IPV6);
	ip6(f, a6_ll(1), a6_ll(2), P_HOPOPTS);
	ext_opts(f, P_ICMPV6, 0);
	icmp(f, P_ICMPV6, 128, 0, 0x00020001);
	payload(f, 16, 3);
	emit(f);
	/* Fragment offset 0 behind dstopts, then UDP. */
	eth(f, ETH_IPV6);
	ip6(f, a6(10, 8), a, P_DSTOPTS);
	ext_opts(f, P_FRAGMENT, 0);
	ext_frag(f, P_UDP, 0, 1, 0xabf);
	udp(f, 47008, 47009, 100);
	emit(f);
}

static void case_ipv4_options(void)
{
	static const uint8_t ra[] = {0x94, 4, 0, 0};			   /* router alert */
	static const uint8_t nops[] = {1, 1, 1, 0};			   /* NOPs, EOL */
	static const uint8_t rr[] = {7, 11, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0}; /* RR */
	uint8_t tsopt[40] = {68, 36, 5, 0};				   /* timestamps */
	struct frame *f = &g_f;

	for (int i = 36; i < 40; i++)
		tsopt[i] = 1;
	eth(f, ETH_IPV4);
	ip4o(f, IP4(10, 11, 0, 1), IP4(10, 11, 0, 2), P_TCP, 0, ra, sizeof(ra));
	tcp(f, 48000, 80, FRAME_TCP_PSH | FRAME_TCP_ACK, 50);
	emit(f);
	eth(f, ETH_IPV4);
	ip4o(f, IP4(10, 11, 0, 2), IP4(10, 11, 0, 1), P_TCP, 0, nops, sizeof(nops));
	tcp(f, 80, 48000, FRAME_TCP_SYN | FRAME_TCP_ACK, 0);
	emit(f);
	eth(f, ETH_IPV4);
	ip4o(f, IP4(10, 11, 0, 1), IP4(10, 11, 0, 3), P_UDP, 0, rr, sizeof(rr));
	udp(f, 48001, 48002, 33);
	emit(f);
	eth(f, ETH_IPV4);
	ip4o(f, IP4(10, 11, 0, 4), IP4(10, 11, 0, 2), P_TCP, 0, tsopt, sizeof(tsopt));
	tcp(f, 48003, 80, FRAME_TCP_PSH | FRAME_TCP_ACK, 77);
	emit(f);
	eth(f, ETH_IPV4);
	ip4o(f, IP4(10, 11, 0, 4), IP4(10, 11, 0, 2), P_ICMP, 0, nops, sizeof(nops));
	icmp(f, P_ICMP, 8, 0, 0x00030001);
	payload(f, 8, 4);
	emit(f);
}

static void case_ipv4_frag(void)
{
	uint32_t a = IP4(10, 12, 0, 1), b = IP4(10, 12, 0, 2);
	struct frame *f = &g_f;

	/* First fragment (MF): TCP header and 100 bytes of its payload. */
	eth(f, ETH_IPV4);
	ip4o(f, a, b, P_TCP, 0x2000, NULL, 0);
	tcp(f, 49000, 80, FRAME_TCP_PSH | FRAME_TCP_ACK, 100);
	emit(f);
	/* The last fragment, at 120 bytes: other. */
	eth(f, ETH_IPV4);
	ip4o(f, a, b, P_TCP, 15, NULL, 0);
	payload(f, 80, 5);
	emit(f);
	/* A middle fragment (MF and an offset). */
	eth(f, ETH_IPV4);
	ip4o(f, IP4(10, 12, 0, 3), b, P_TCP, 0x2000 | 200, NULL, 0);
	payload(f, 160, 6);
	emit(f);
	/* UDP, first fragment and the next one. */
	eth(f, ETH_IPV4);
	ip4o(f, a, b, P_UDP, 0x2000, NULL, 0);
	udp(f, 49001, 49002, 1472);
	emit(f);
	eth(f, ETH_IPV4);
	ip4o(f, IP4(10, 12, 0, 4), b, P_UDP, 185, NULL, 0);
	payload(f, 500, 7);
	emit(f);
	/* A first fragment with options and a SYN. */
	eth(f, ETH_IPV4);
	{
		static const uint8_t nops[] = {1, 1, 1, 1};

		ip4o(f, IP4(10, 12, 0, 5), b, P_TCP, 0x2000, nops, sizeof(nops));
	}
	tcp(f, 49003, 80, FRAME_TCP_SYN, 16);
	emit(f);
	/* DF and offset 0: not a fragment. */
	tcp4(a, b, 49004, 80, FRAME_TCP_ACK, 0);
	/* A later fragment of ICMP. */
	eth(f, ETH_IPV4);
	ip4o(f, a, b, P_ICMP, 0x2000 | 3, NULL, 0);
	payload(f, 24, 8);
	emit(f);
}

static void case_udp(void)
{
	for (uint32_t i = 0; i < 6; i++)
		udp4(IP4(10, 13, 0, 1 + i % 3), IP4(10, 13, 1, 1), (uint16_t)(51000 + i), 51999,
		     i * 97);
	udp4(IP4(10, 13, 0, 1), IP4(255, 255, 255, 255), 51100, 51101, 300);
	udp6(a6(13, 1), a6(13, 2), 51200, 51201, 700);
}

static void case_icmp(void)
{
	uint32_t a = IP4(10, 14, 0, 1), b = IP4(10, 14, 0, 2), router = IP4(10, 14, 0, 254);
	struct frame *f = &g_f;

	eth(f, ETH_IPV4);
	ip4(f, a, b, P_ICMP);
	icmp(f, P_ICMP, 8, 0, 0x12340001);
	payload(f, 56, 1);
	emit(f);
	eth(f, ETH_IPV4);
	ip4(f, b, a, P_ICMP);
	icmp(f, P_ICMP, 0, 0, 0x12340001);
	payload(f, 56, 1);
	emit(f);
	/* Host unreachable quoting an IPv4 + TCP SYN header: one icmp
	 * packet; the quoted source, flow and SYN are not counted. */
	eth(f, ETH_IPV4);
	ip4(f, router, a, P_ICMP);
	icmp(f, P_ICMP, 3, 1, 0);
	ip4_raw(f, IP4(10, 14, 9, 9), IP4(10, 14, 9, 10), P_TCP, 0x4000, NULL, 0, 40);
	tcp_raw(f, 49999, 80, 1, 0, FRAME_TCP_SYN, NULL, 0);
	emit(f);
	/* Time exceeded quoting IPv4 + the first 8 bytes of UDP. */
	eth(f, ETH_IPV4);
	ip4(f, router, a, P_ICMP);
	icmp(f, P_ICMP, 11, 0, 0);
	ip4_raw(f, IP4(10, 14, 9, 11), IP4(10, 14, 9, 12), P_UDP, 0, NULL, 0, 20);
	udp_raw(f, 33434, 33435, 12);
	emit(f);
	/* Port unreachable quoting IPv4 + full TCP header with payload. */
	eth(f, ETH_IPV4);
	ip4(f, router, b, P_ICMP);
	icmp(f, P_ICMP, 3, 3, 0);
	ip4_raw(f, IP4(10, 14, 9, 13), IP4(10, 14, 9, 14), P_TCP, 0, NULL, 0, 28);
	tcp_raw(f, 49998, 81, 1, 1, FRAME_TCP_FIN | FRAME_TCP_RST | FRAME_TCP_ACK, NULL, 0);
	payload(f, 8, 2);
	emit(f);
}

static void case_icmpv6(void)
{
	struct ip6 a = a6(15, 1), b = a6(15, 2);
	struct frame *f = &g_f;

	eth(f, ETH_IPV6);
	ip6(f, a, b, P_ICMPV6);
	icmp(f, P_ICMPV6, 128, 0, 0x56780001);
	payload(f, 56, 1);
	emit(f);
	eth(f, ETH_IPV6);
	ip6(f, b, a, P_ICMPV6);
	icmp(f, P_ICMPV6, 129, 0, 0x56780001);
	payload(f, 56, 1);
	emit(f);
	/* Neighbour solicitation for b. */
	eth(f, ETH_IPV6);
	ip6(f, a6_ll(1), a6_ll(2), P_ICMPV6);
	icmp(f, P_ICMPV6, 135, 0, 0);
	putn(f, b.a, 16);
	emit(f);
	/* Destination unreachable quoting IPv6 + TCP SYN. */
	eth(f, ETH_IPV6);
	ip6(f, a6(15, 0xfe), a, P_ICMPV6);
	icmp(f, P_ICMPV6, 1, 4, 0);
	ip6_raw(f, a6(15, 0x99), a6(15, 0x9a), P_TCP, 20);
	tcp_raw(f, 49997, 80, 1, 0, FRAME_TCP_SYN, NULL, 0);
	emit(f);
	/* Packet too big quoting IPv6 + UDP. */
	eth(f, ETH_IPV6);
	ip6(f, a6(15, 0xfe), a, P_ICMPV6);
	icmp(f, P_ICMPV6, 2, 0, 1280);
	ip6_raw(f, a6(15, 0x9b), a6(15, 0x9c), P_UDP, 108);
	udp_raw(f, 49996, 53, 100);
	payload(f, 100, 2);
	emit(f);
}

static void case_arp(void)
{
	struct frame *f = &g_f;

	eth(f, ETH_ARP);
	arp(f, 1, IP4(10, 16, 0, 1), IP4(10, 16, 0, 2));
	emit_pad(f, 60, 0);
	eth(f, ETH_ARP);
	arp(f, 2, IP4(10, 16, 0, 2), IP4(10, 16, 0, 1));
	emit_pad(f, 60, 0);
	eth(f, ETH_ARP);
	arp(f, 1, IP4(10, 16, 0, 3), IP4(10, 16, 0, 3)); /* gratuitous */
	emit_pad(f, 60, 0);
}

static void case_runts(void)
{
	struct frame *f = &g_f;

	/* ARP as the sender's capture sees it: 42 bytes. */
	eth(f, ETH_ARP);
	arp(f, 1, IP4(10, 17, 0, 1), IP4(10, 17, 0, 2));
	emit(f);
	/* A bare TCP ACK: 54 bytes. */
	tcp4(IP4(10, 17, 0, 1), IP4(10, 17, 0, 2), 52000, 80, FRAME_TCP_ACK, 0);
	/* A 54-byte IPv6 frame with no next header. */
	eth(f, ETH_IPV6);
	ip6(f, a6(17, 1), a6(17, 2), P_NONE);
	emit(f);
	/* UDP with 8 bytes of payload: 50 bytes. */
	udp4(IP4(10, 17, 0, 3), IP4(10, 17, 0, 2), 52001, 52002, 8);
	/* An Ethernet header alone, typed IPv4: 14 bytes. */
	eth(f, ETH_IPV4);
	emit(f);
	/* Shorter than an Ethernet header. */
	eth(f, ETH_IPV4);
	f->n = 10;
	emit(f);
}

static void case_padding(void)
{
	struct frame *f = &g_f;

	/* 54-byte TCP ACK padded to 60: no payload. */
	eth(f, ETH_IPV4);
	ip4(f, IP4(10, 18, 0, 1), IP4(10, 18, 0, 2), P_TCP);
	tcp(f, 53000, 80, FRAME_TCP_ACK, 0);
	emit_pad(f, 60, 0);
	/* 2 payload bytes, padded with non-zero garbage. */
	eth(f, ETH_IPV4);
	ip4(f, IP4(10, 18, 0, 1), IP4(10, 18, 0, 2), P_TCP);
	tcp(f, 53000, 80, FRAME_TCP_PSH | FRAME_TCP_ACK, 2);
	emit_pad(f, 60, 0xee);
	/* A FIN padded to 64 behind a VLAN tag. */
	eth(f, ETH_8021Q);
	tag(f, 5, ETH_IPV4);
	ip4(f, IP4(10, 18, 0, 2), IP4(10, 18, 0, 1), P_TCP);
	tcp(f, 80, 53000, FRAME_TCP_FIN | FRAME_TCP_ACK, 0);
	emit_pad(f, 64, 0x55);
	/* UDP with 4 bytes, padded. */
	eth(f, ETH_IPV4);
	ip4(f, IP4(10, 18, 0, 3), IP4(10, 18, 0, 2), P_UDP);
	udp(f, 53001, 53002, 4);
	emit_pad(f, 60, 0xaa);
	/* IPv6 TCP ACK padded well past the minimum. */
	eth(f, ETH_IPV6);
	ip6(f, a6(18, 1), a6(18, 2), P_TCP);
	tcp(f, 53003, 80, FRAME_TCP_ACK, 0);
	emit_pad(f, 90, 0x11);
}

static void case_jumbo(void)
{
	uint32_t a = IP4(10, 19, 0, 1), b = IP4(10, 19, 0, 2);

	tcp4(a, b, 54000, 80, FRAME_TCP_PSH | FRAME_TCP_ACK, 1518 - 54);
	tcp4(a, b, 54000, 80, FRAME_TCP_PSH | FRAME_TCP_ACK, 1519 - 54);
	tcp4(a, b, 54000, 80, FRAME_TCP_PSH | FRAME_TCP_ACK, 9000 - 54);
	tcp4(b, a, 80, 54000, FRAME_TCP_ACK, 0);
	udp6(a6(19, 1), a6(19, 2), 54001, 54002, 9000 - 62);
	tcp6(a6(19, 1), a6(19, 2), 54003, 80, FRAME_TCP_PSH | FRAME_TCP_ACK, 4000);
}

/* Every histogram boundary: wire sizes 60..1519. */
static void case_sizes(void)
{
	static const uint32_t sizes[] = {54,  60,  64,	 65,   127,  128,  255,	 256,
					 511, 512, 1023, 1024, 1517, 1518, 1519, 1520};

	for (uint32_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		tcp4(IP4(10, 20, 0, 1), IP4(10, 20, 0, 2), 55000, 80, FRAME_TCP_ACK, sizes[i] - 54);
}

/* Frames captured shorter than on the wire (a snap length of 96). */
static void case_snapped(void)
{
	g_snap = 96;
	tcp4(IP4(10, 23, 0, 1), IP4(10, 23, 0, 2), 56000, 80, FRAME_TCP_PSH | FRAME_TCP_ACK, 1000);
	tcp4(IP4(10, 23, 0, 2), IP4(10, 23, 0, 1), 80, 56000, FRAME_TCP_ACK, 0);
	udp4(IP4(10, 23, 0, 1), IP4(10, 23, 0, 2), 56001, 56002, 500);
	tcp6(a6(23, 1), a6(23, 2), 56003, 80, FRAME_TCP_PSH | FRAME_TCP_ACK, 3000);
	g_snap = MAX_FRAME;
}

/* Many sources and flows: the distinct sets grow several times. */
static void case_many_flows(void)
{
	for (uint32_t i = 0; i < 3000; i++)
		tcp4(IP4(10, 24, i >> 8, i & 0xff), IP4(10, 25, 0, 1 + i % 7),
		     (uint16_t)(1024 + i % 5000), (uint16_t)(80 + i % 3), FRAME_TCP_SYN, 0);
	for (uint32_t i = 0; i < 700; i++)
		tcp6(a6(24, (uint16_t)(1 + i % 400)), a6(25, 1), (uint16_t)(2000 + i), 443,
		     FRAME_TCP_ACK, i % 50);
}

static void case_empty(void)
{
}

/* ---- random mix, fixed seed ---- */

static uint64_t g_rng = 0x5eed5eed12345678ull;

static uint32_t rnd(uint32_t n)
{
	g_rng ^= g_rng << 13;
	g_rng ^= g_rng >> 7;
	g_rng ^= g_rng << 17;
	return (uint32_t)((g_rng >> 11) % n);
}

static void case_random(void)
{
	static const uint16_t flagset[] = {
		FRAME_TCP_SYN,
		FRAME_TCP_SYN | FRAME_TCP_ACK,
		FRAME_TCP_ACK,
		FRAME_TCP_PSH | FRAME_TCP_ACK,
		FRAME_TCP_FIN | FRAME_TCP_ACK,
		FRAME_TCP_RST,
		FRAME_TCP_RST | FRAME_TCP_ACK,
		0x1ff,
		FRAME_TCP_SYN | FRAME_TCP_FIN,
		FRAME_TCP_URG | FRAME_TCP_ACK,
	};
	static const uint16_t tags[] = {ETH_8021Q, ETH_QINQ, ETH_8021Q, ETH_9100};
	struct frame *f = &g_f;

	g_rng = 0x5eed5eed12345678ull;
	for (int i = 0; i < 400; i++) {
		uint32_t ntags = rnd(100) < 60 ? 0 : 1 + rnd(3);
		uint32_t kind = rnd(100);
		uint16_t type;
		uint32_t l4 = rnd(100), plen;

		if (kind < 50)
			type = ETH_IPV4;
		else if (kind < 85)
			type = ETH_IPV6;
		else if (kind < 95)
			type = ETH_ARP;
		else
			type = 0x88b5; /* local experimental */
		plen = rnd(10) == 0 ? rnd(8000) : rnd(1400);

		eth(f, ntags ? tags[rnd(4)] : type);
		for (uint32_t t = 0; t < ntags; t++)
			tag(f, (uint16_t)(1 + rnd(4000)), t + 1 < ntags ? tags[rnd(4)] : type);

		if (type == ETH_ARP) {
			arp(f, (uint16_t)(1 + rnd(2)), IP4(10, 21, 0, 1 + rnd(20)),
			    IP4(10, 21, 0, 1 + rnd(20)));
			emit_pad(f, rnd(2) ? 60 : 0, 0);
			continue;
		}
		if (type != ETH_IPV4 && type != ETH_IPV6) {
			payload(f, 46, (uint8_t)i);
			emit(f);
			continue;
		}
		if (type == ETH_IPV4) {
			static const uint8_t nops[8] = {1, 1, 1, 1, 1, 1, 1, 0};
			uint8_t proto = l4 < 55	  ? P_TCP
					: l4 < 80 ? P_UDP
					: l4 < 90 ? P_ICMP
						  : P_EXPERIMENT;
			uint16_t frag = rnd(10) == 0 ? (uint16_t)(0x2000 | rnd(2)) : 0x4000;

			ip4o(f, IP4(10, 21, 0, 1 + rnd(20)), IP4(10, 21, 1, 1 + rnd(4)), proto,
			     frag, nops, (uint8_t)(rnd(3) * 4));
			l4 = proto;
		} else {
			uint8_t proto = l4 < 55	  ? P_TCP
					: l4 < 80 ? P_UDP
					: l4 < 90 ? P_ICMPV6
						  : P_EXPERIMENT;
			uint32_t next = rnd(4) == 0 ? rnd(5) : 0;
			static const uint8_t exts[] = {P_HOPOPTS, P_DSTOPTS, P_ROUTING, P_FRAGMENT};

			/* 0..3 extension headers, hop-by-hop first if any. */
			uint8_t chain[3];
			uint32_t nchain = next > 3 ? 3 : next;

			for (uint32_t k = 0; k < nchain; k++)
				chain[k] = k == 0 && rnd(2) ? P_HOPOPTS : exts[1 + rnd(3)];
			ip6(f, a6(21, (uint16_t)(1 + rnd(20))), a6(21, (uint16_t)(0x100 + rnd(4))),
			    nchain ? chain[0] : proto);
			for (uint32_t k = 0; k < nchain; k++) {
				uint8_t nx = k + 1 < nchain ? chain[k + 1] : proto;

				if (chain[k] == P_ROUTING)
					ext_srh(f, nx);
				else if (chain[k] == P_FRAGMENT)
					ext_frag(f, nx, (uint16_t)(rnd(4) == 0 ? 1 + rnd(100) : 0),
						 (int)rnd(2), (uint32_t)i);
				else
					ext_opts(f, nx, (uint8_t)rnd(2));
			}
			l4 = proto;
		}
		switch (l4) {
		case P_TCP:
			tcp(f, (uint16_t)(60000 + rnd(6)), (uint16_t)(80 + rnd(3)),
			    flagset[rnd(sizeof(flagset) / sizeof(flagset[0]))], plen);
			break;
		case P_UDP:
			udp(f, (uint16_t)(60000 + rnd(6)), (uint16_t)(61000 + rnd(3)), plen);
			break;
		case P_ICMP:
		case P_ICMPV6:
			icmp(f, (uint8_t)l4, l4 == P_ICMP ? 8 : 128, 0, (uint32_t)i);
			payload(f, plen % 200, 1);
			break;
		default:
			payload(f, plen % 300, 2);
			break;
		}
		emit_pad(f, rnd(3) == 0 ? 60 : 0, (uint8_t)rnd(256));
	}
}

/* ---- driver ---- */

struct gen_case {
	const char *name;
	void (*fn)(void);
};

static const struct gen_case cases[] = {
	{"handshakes", case_handshakes},
	{"tcp_options", case_tcp_options},
	{"tcp_flags", case_tcp_flags},
	{"vlan", case_vlan},
	{"qinq", case_qinq},
	{"tag9100", case_tag9100},
	{"triple_tag", case_triple_tag},
	{"ipv6", case_ipv6},
	{"ipv6_ext", case_ipv6_ext},
	{"ipv4_options", case_ipv4_options},
	{"ipv4_frag", case_ipv4_frag},
	{"udp", case_udp},
	{"icmp", case_icmp},
	{"icmpv6", case_icmpv6},
	{"arp", case_arp},
	{"runts", case_runts},
	{"padding", case_padding},
	{"jumbo", case_jumbo},
	{"sizes", case_sizes},
	{"random", case_random},
	{"many_flows", case_many_flows},
	{"empty", case_empty},
};

#define N_CASES (sizeof(cases) / sizeof(cases[0]))

static void case_mixed(void)
{
	for (size_t i = 0; i < N_CASES; i++)
		cases[i].fn();
}

/* One IPv4 UDP packet with no link header, for a non-Ethernet file. */
static void write_other_link(const char *out, int dlt)
{
	struct frame *f = &g_f;
	struct pcap_pkthdr h = {.ts = {1700000000, 0}};
	pcap_t *p = pcap_open_dead(dlt, 65535);
	pcap_dumper_t *d;

	if (!p)
		die("pcap_open_dead failed");
	d = pcap_dump_open(p, out);
	if (!d)
		die(pcap_geterr(p));
	memset(f, 0, sizeof(*f));
	if (dlt == DLT_LINUX_SLL) {
		static const uint8_t sll[16] = {0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0, 0x08, 0};

		putn(f, sll, sizeof(sll));
	}
	ip4(f, IP4(10, 22, 0, 1), IP4(10, 22, 0, 2), P_UDP);
	udp(f, 1000, 2000, 20);
	finish(f);
	h.caplen = h.len = f->n;
	pcap_dump((u_char *)d, &h, f->d);
	pcap_dump_close(d);
	pcap_close(p);
}

static void usage(FILE *out)
{
	fprintf(out, "usage: tool_pcapgen CASE OUT.pcap | tool_pcapgen --list\n"
		     "cases: see --list (mixed is all of them); also snapped (caplen < "
		     "len), raw and sll (not Ethernet)\n");
}

int main(int argc, char **argv)
{
	void (*fn)(void) = NULL;
	pcap_t *p;

	if (argc == 2 && !strcmp(argv[1], "--list")) {
		for (size_t i = 0; i < N_CASES; i++)
			printf("%s\n", cases[i].name);
		printf("mixed\n");
		return 0;
	}
	if (argc != 3) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "raw") || !strcmp(argv[1], "sll")) {
		write_other_link(argv[2], argv[1][0] == 'r' ? DLT_RAW : DLT_LINUX_SLL);
		return 0;
	}
	if (!strcmp(argv[1], "mixed"))
		fn = case_mixed;
	else if (!strcmp(argv[1], "snapped"))
		fn = case_snapped;
	for (size_t i = 0; i < N_CASES && !fn; i++)
		if (!strcmp(argv[1], cases[i].name))
			fn = cases[i].fn;
	if (!fn) {
		fprintf(stderr, "tool_pcapgen: unknown case '%s'\n", argv[1]);
		usage(stderr);
		return 2;
	}
	p = pcap_open_dead(DLT_EN10MB, 65535);
	if (!p)
		die("pcap_open_dead failed");
	g_dump = pcap_dump_open(p, argv[2]);
	if (!g_dump)
		die(pcap_geterr(p));
	fn();
	if (pcap_dump_flush(g_dump))
		die("write failed");
	pcap_dump_close(g_dump);
	pcap_close(p);
	return 0;
}
