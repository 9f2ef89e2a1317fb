// SPDX-License-Identifier: MIT
/*
 * Unit tests of the metrics engine (inspect/metrics.[ch]) on frames built
 * with tests/frames.h and parsed by pkt_parse(): counters, sums across
 * layers, the size histogram, TCP flags, distinct counts, merge.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "frames.h"
#include "inspect/metrics.h"
#include "inspect/parse.h"

#define TEST(name) static void name(void **state __attribute__((unused)))
#define EQ(a, b) assert_int_equal((a), (b))

static const uint32_t A4 = FB_IP4(10, 0, 0, 1);
static const uint32_t B4 = FB_IP4(10, 0, 0, 2);
static const uint32_t C4 = FB_IP4(172, 16, 0, 3);

/* 2001:db8::@n */
static const uint8_t *addr6(uint8_t n)
{
	static uint8_t a[256][16];

	memset(a[n], 0, 16);
	a[n][0] = 0x20;
	a[n][1] = 0x01;
	a[n][2] = 0x0d;
	a[n][3] = 0xb8;
	a[n][15] = n;
	return a[n];
}

/* Parses @f and accounts it with wire length @wire (0: the frame length).
 * Returns the parse result for the caller to check. */
static struct pkt_info account(struct metrics *m, const struct fb *f, uint32_t wire)
{
	struct pkt_info pi;

	pkt_parse(f->buf, f->len, &pi);
	metrics_account(m, &pi, wire ? wire : f->len);
	return pi;
}

/* account(), returning the wire length it accounted. */
static uint64_t account_len(struct metrics *m, const struct fb *f, uint32_t wire)
{
	account(m, f, wire);
	return wire ? wire : f->len;
}

static void tcp4(struct fb *f, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport,
		 uint8_t flags, uint32_t payload)
{
	fb_init(f);
	fb_eth(f, FB_ETH_IPV4);
	fb_ipv4(f, FB_IPPROTO_TCP, src, dst);
	fb_tcp(f, sport, dport, 1, 2, flags, 100);
	fb_payload(f, payload);
	fb_finish(f);
	fb_pad_to(f, 60);
}

static void tcp6(struct fb *f, uint8_t src, uint8_t dst, uint16_t sport, uint16_t dport,
		 uint8_t flags, uint32_t payload)
{
	fb_init(f);
	fb_eth(f, FB_ETH_IPV6);
	fb_ipv6(f, FB_IPPROTO_TCP, addr6(src), addr6(dst));
	fb_tcp(f, sport, dport, 1, 2, flags, 100);
	fb_payload(f, payload);
	fb_finish(f);
}

static void udp4(struct fb *f, uint32_t src, uint32_t dst, uint32_t payload)
{
	fb_init(f);
	fb_eth(f, FB_ETH_IPV4);
	fb_ipv4(f, FB_IPPROTO_UDP, src, dst);
	fb_udp(f, 5000, 53);
	fb_payload(f, payload);
	fb_finish(f);
	fb_pad_to(f, 60);
}

/* A frame that pkt_parse() finds malformed for reason @r (PKT_OK: a good
 * TCP/IPv4 frame). Sources are IPv4 A4 or IPv6 2001:db8::1. */
static void frame_for_reason(struct fb *f, unsigned r)
{
	static const uint8_t bad_opts[] = {2, 0, 0, 0};

	fb_init(f);
	switch (r) {
	case PKT_MAL_ETH_TRUNCATED:
		fb_eth(f, FB_ETH_IPV4);
		fb_trim(f, 10);
		return;
	case PKT_MAL_VLAN_TRUNCATED:
		fb_eth(f, FB_ETH_8021Q);
		fb_vlan(f, 1, FB_ETH_IPV4);
		fb_trim(f, 16);
		return;
	case PKT_MAL_ARP_TRUNCATED:
		fb_eth(f, FB_ETH_ARP);
		fb_arp(f, 1, A4, B4);
		fb_trim(f, 30);
		return;
	case PKT_MAL_IPV4_TRUNCATED:
	case PKT_MAL_IPV4_VERSION:
	case PKT_MAL_IPV4_HEADER_LENGTH:
	case PKT_MAL_IPV4_TOTAL_LENGTH:
		fb_eth(f, FB_ETH_IPV4);
		fb_ipv4(f, FB_IPPROTO_UDP, A4, B4);
		fb_udp(f, 1, 2);
		fb_finish(f);
		if (r == PKT_MAL_IPV4_TRUNCATED)
			fb_trim(f, 30);
		else if (r == PKT_MAL_IPV4_VERSION)
			f->buf[14] = 0x55;
		else if (r == PKT_MAL_IPV4_HEADER_LENGTH)
			f->buf[14] = 0x44;
		else
			fb_wr16(f->buf + 16, 0xffff);
		return;
	case PKT_MAL_IPV6_TRUNCATED:
	case PKT_MAL_IPV6_VERSION:
	case PKT_MAL_IPV6_PAYLOAD_LENGTH:
		fb_eth(f, FB_ETH_IPV6);
		fb_ipv6(f, FB_IPPROTO_UDP, NULL, NULL);
		fb_udp(f, 1, 2);
		fb_finish(f);
		if (r == PKT_MAL_IPV6_TRUNCATED)
			fb_trim(f, 50);
		else if (r == PKT_MAL_IPV6_VERSION)
			f->buf[14] = 0x40;
		else
			fb_wr16(f->buf + 18, 0xffff);
		return;
	case PKT_MAL_IPV6_EXT_TRUNCATED:
		fb_eth(f, FB_ETH_IPV6);
		fb_ipv6(f, FB_IPPROTO_HOPOPTS, NULL, NULL);
		fb_payload(f, 4);
		fb_finish(f);
		return;
	case PKT_MAL_TCP_TRUNCATED:
		fb_eth(f, FB_ETH_IPV4);
		fb_ipv4(f, FB_IPPROTO_TCP, A4, B4);
		fb_payload(f, 10);
		fb_finish(f);
		fb_pad_to(f, 60);
		return;
	case PKT_MAL_TCP_DATA_OFFSET:
	case PKT_MAL_TCP_OPTIONS:
		fb_eth(f, FB_ETH_IPV4);
		fb_ipv4(f, FB_IPPROTO_TCP, A4, B4);
		fb_tcp(f, 1, 2, 3, 4, FB_TCP_SYN, 5);
		if (r == PKT_MAL_TCP_OPTIONS)
			fb_tcp_opts(f, bad_opts, sizeof(bad_opts));
		else
			fb_tcp_doff(f, 3);
		fb_payload(f, 6);
		fb_finish(f);
		return;
	case PKT_MAL_UDP_TRUNCATED:
	case PKT_MAL_UDP_LENGTH:
		fb_eth(f, FB_ETH_IPV6);
		fb_ipv6(f, FB_IPPROTO_UDP, NULL, NULL);
		if (r == PKT_MAL_UDP_TRUNCATED) {
			fb_payload(f, 4);
			fb_finish(f);
		} else {
			fb_udp(f, 1, 2);
			fb_finish(f);
			fb_wr16(f->buf + 58, 3);
		}
		return;
	case PKT_MAL_ICMP_TRUNCATED:
		fb_eth(f, FB_ETH_IPV4);
		fb_ipv4(f, FB_IPPROTO_ICMP, A4, B4);
		fb_payload(f, 4);
		fb_finish(f);
		return;
	case PKT_MAL_ICMPV6_TRUNCATED:
		fb_eth(f, FB_ETH_IPV6);
		fb_ipv6(f, FB_IPPROTO_ICMPV6, NULL, NULL);
		fb_payload(f, 2);
		fb_finish(f);
		return;
	default:
		tcp4(f, A4, B4, 1, 2, FB_TCP_ACK, 0);
		return;
	}
}

static void init(struct metrics *m)
{
	EQ(metrics_init(m), 0);
}

static uint64_t sum(const uint64_t *a, unsigned n)
{
	uint64_t s = 0;

	for (unsigned i = 0; i < n; i++)
		s += a[i];
	return s;
}

TEST(test_init_destroy)
{
	struct metrics m;

	init(&m);
	EQ(m.c.packets, 0);
	EQ(m.c.bytes, 0);
	EQ(sum(m.c.l3, PKT_L3__MAX), 0);
	EQ(metrics_unique_src_ips(&m), 0);
	EQ(metrics_tcp_directions(&m), 0);
	EQ(metrics_malformed_total(&m), 0);
	metrics_destroy(&m);
	metrics_destroy(&m);

	memset(&m, 0, sizeof(m));
	metrics_destroy(&m);
	metrics_destroy(NULL);
}

TEST(test_packets_and_bytes)
{
	struct metrics m;
	struct fb f;

	init(&m);
	tcp4(&f, A4, B4, 1, 2, FB_TCP_SYN, 0);
	account(&m, &f, 0);
	/* Bytes are the wire length, not what was captured. */
	account(&m, &f, 1514);
	account(&m, &f, 9000);
	EQ(m.c.packets, 3);
	EQ(m.c.bytes, 60 + 1514 + 9000);
	EQ(metrics_read_packets(&m), 3);
	EQ(metrics_read_bytes(&m), 60 + 1514 + 9000);
	metrics_destroy(&m);
}

TEST(test_l3_l4_sums)
{
	struct metrics m;
	struct fb f;
	uint64_t ip, n = 0;

	init(&m);
	/* One frame per malformed reason, and one good one... */
	for (unsigned r = 0; r < PKT_MAL__MAX; r++) {
		frame_for_reason(&f, r);
		account(&m, &f, 0);
		n++;
	}
	/* ...and a mix of well-formed classes. */
	udp4(&f, A4, B4, 10);
	account(&m, &f, 0);
	tcp6(&f, 1, 2, 3, 4, FB_TCP_SYN, 0);
	account(&m, &f, 0);
	fb_init(&f);
	fb_eth(&f, FB_ETH_IPV4);
	fb_ipv4(&f, FB_IPPROTO_TCP, A4, B4);
	fb_ipv4_frag(&f, 0, 10); /* later fragment: l4 other */
	fb_payload(&f, 30);
	fb_finish(&f);
	account(&m, &f, 0);
	fb_init(&f);
	fb_eth(&f, FB_ETH_IPV6);
	fb_ipv6(&f, FB_IPPROTO_ESP, NULL, NULL);
	fb_payload(&f, 30);
	fb_finish(&f);
	account(&m, &f, 0);
	fb_init(&f);
	fb_eth(&f, FB_ETH_ARP);
	fb_arp(&f, 1, A4, B4);
	account(&m, &f, 0);
	fb_init(&f);
	fb_eth(&f, 0x88cc);
	fb_payload(&f, 46);
	account(&m, &f, 0);
	n += 6;

	ip = m.c.l3[PKT_L3_IPV4] + m.c.l3[PKT_L3_IPV6];
	EQ(m.c.packets, n);
	EQ(sum(m.c.l3, PKT_L3__MAX), n);
	EQ(sum(m.c.l4, PKT_L4__MAX), n);
	EQ(sum(m.c.malformed, PKT_MAL__MAX), n);
	EQ(sum(m.c.size_hist, METRICS_SIZE__MAX), n);
	/* Every IP packet, malformed or not, has exactly one l4 class. */
	EQ(sum(m.c.l4 + 1, PKT_L4__MAX - 1), ip);
	EQ(m.c.l4[PKT_L4_NONE], n - ip);
	/* IPv4: 4 IP-level reasons, TCP x3, ICMP, the good one, UDP, fragment. */
	EQ(m.c.l3[PKT_L3_IPV4], 4 + 3 + 1 + 1 + 1 + 1);
	/* IPv6: 4 IP-level reasons, UDP x2, ICMPv6, TCP, ESP. */
	EQ(m.c.l3[PKT_L3_IPV6], 4 + 2 + 1 + 1 + 1);
	EQ(m.c.l3[PKT_L3_ARP], 2);
	EQ(m.c.l3[PKT_L3_OTHER], 3); /* runt, cut VLAN tag, LLDP */
	EQ(m.c.l4[PKT_L4_TCP], 3 + 1 + 1);
	EQ(m.c.l4[PKT_L4_UDP], 2 + 1);
	EQ(m.c.l4[PKT_L4_ICMP], 1);
	EQ(m.c.l4[PKT_L4_ICMPV6], 1);
	/* IPv4 and IPv6 IP-level reasons, the fragment, ESP. */
	EQ(m.c.l4[PKT_L4_OTHER], 4 + 4 + 1 + 1);
	metrics_destroy(&m);
}

TEST(test_size_histogram)
{
	static const struct {
		uint32_t len;
		enum metrics_size_bucket b;
	} cases[] = {
		{60, METRICS_SIZE_64},	     {64, METRICS_SIZE_64},	  {65, METRICS_SIZE_127},
		{127, METRICS_SIZE_127},     {128, METRICS_SIZE_255},	  {255, METRICS_SIZE_255},
		{256, METRICS_SIZE_511},     {511, METRICS_SIZE_511},	  {512, METRICS_SIZE_1023},
		{1023, METRICS_SIZE_1023},   {1024, METRICS_SIZE_1518},	  {1518, METRICS_SIZE_1518},
		{1519, METRICS_SIZE_LARGER}, {9000, METRICS_SIZE_LARGER},
	};
	static const char *const names[] = {"64",	"65-127",    "128-255", "256-511",
					    "512-1023", "1024-1518", "1519+"};
	struct metrics m;
	struct fb f;

	init(&m);
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pkt_info pi;

		/* A UDP frame of exactly that many bytes. */
		udp4(&f, A4, B4, cases[i].len - 42);
		EQ(f.len, cases[i].len);
		pi = account(&m, &f, 0);
		EQ(pi.malformed, PKT_OK);
		if (metrics_size_bucket(cases[i].len) != cases[i].b)
			fail_msg("%u bytes: bucket %s, want %s", cases[i].len,
				 metrics_size_bucket_name(metrics_size_bucket(cases[i].len)),
				 names[cases[i].b]);
	}
	for (unsigned b = 0; b < METRICS_SIZE__MAX; b++) {
		EQ(m.c.size_hist[b], 2);
		assert_string_equal(metrics_size_bucket_name((enum metrics_size_bucket)b),
				    names[b]);
	}
	/* Runts and the extremes. */
	EQ(metrics_size_bucket(0), METRICS_SIZE_64);
	EQ(metrics_size_bucket(1), METRICS_SIZE_64);
	EQ(metrics_size_bucket(65535), METRICS_SIZE_LARGER);
	EQ(metrics_size_bucket(0xffffffffu), METRICS_SIZE_LARGER);
	/* Every length 0..2000 lands in the bucket its range says. */
	for (uint32_t len = 0; len <= 2000; len++) {
		unsigned want = len <= 64     ? 0
				: len <= 127  ? 1
				: len <= 255  ? 2
				: len <= 511  ? 3
				: len <= 1023 ? 4
				: len <= 1518 ? 5
					      : 6;
		if (metrics_size_bucket(len) != want)
			fail_msg("%u bytes: bucket %d, want %u", len, (int)metrics_size_bucket(len),
				 want);
	}
	assert_string_equal(metrics_size_bucket_name(METRICS_SIZE__MAX), "invalid");
	assert_string_equal(metrics_size_bucket_name((enum metrics_size_bucket) - 1), "invalid");
	metrics_destroy(&m);
}

TEST(test_tcp_flags)
{
	static const struct {
		uint8_t flags;
		uint8_t syn, synack, fin, rst;
	} cases[] = {
		{FB_TCP_SYN, 1, 0, 0, 0},
		{FB_TCP_SYN | FB_TCP_ECE | FB_TCP_CWR, 1, 0, 0, 0},
		{FB_TCP_SYN | FB_TCP_ACK, 0, 1, 0, 0},
		{FB_TCP_ACK, 0, 0, 0, 0},
		{FB_TCP_PSH | FB_TCP_ACK, 0, 0, 0, 0},
		{0, 0, 0, 0, 0},
		{FB_TCP_FIN | FB_TCP_ACK, 0, 0, 1, 0},
		{FB_TCP_FIN, 0, 0, 1, 0},
		{FB_TCP_RST, 0, 0, 0, 1},
		{FB_TCP_RST | FB_TCP_ACK, 0, 0, 0, 1},
		{FB_TCP_SYN | FB_TCP_FIN, 1, 0, 1, 0},
		{FB_TCP_SYN | FB_TCP_RST, 1, 0, 0, 1},
		{0xff, 0, 1, 1, 1}, /* every flag: SYN+ACK, FIN, RST; not SYN */
		{0xff & ~FB_TCP_ACK, 1, 0, 1, 1},
	};
	uint64_t syn = 0, synack = 0, fin = 0, rst = 0;
	struct metrics m;
	struct fb f;

	init(&m);
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct metrics one;

		init(&one);
		for (int ip6 = 0; ip6 < 2; ip6++) {
			if (ip6)
				tcp6(&f, 1, 2, 3, 4, cases[i].flags, 0);
			else
				tcp4(&f, A4, B4, 3, 4, cases[i].flags, 0);
			account(&one, &f, 0);
			account(&m, &f, 0);
		}
		if (one.c.tcp_flags[METRICS_TCP_SYN] != 2u * cases[i].syn ||
		    one.c.tcp_flags[METRICS_TCP_SYNACK] != 2u * cases[i].synack ||
		    one.c.tcp_flags[METRICS_TCP_FIN] != 2u * cases[i].fin ||
		    one.c.tcp_flags[METRICS_TCP_RST] != 2u * cases[i].rst)
			fail_msg("flags 0x%02x: syn %llu synack %llu fin %llu rst %llu, "
				 "want "
				 "%u %u %u %u (x2)",
				 cases[i].flags,
				 (unsigned long long)one.c.tcp_flags[METRICS_TCP_SYN],
				 (unsigned long long)one.c.tcp_flags[METRICS_TCP_SYNACK],
				 (unsigned long long)one.c.tcp_flags[METRICS_TCP_FIN],
				 (unsigned long long)one.c.tcp_flags[METRICS_TCP_RST], cases[i].syn,
				 cases[i].synack, cases[i].fin, cases[i].rst);
		syn += 2u * cases[i].syn;
		synack += 2u * cases[i].synack;
		fin += 2u * cases[i].fin;
		rst += 2u * cases[i].rst;
		metrics_destroy(&one);
	}
	/* Flags of what is not a complete TCP header are not counted: a bad
	 * data offset, a later fragment, UDP. */
	frame_for_reason(&f, PKT_MAL_TCP_DATA_OFFSET);
	EQ(account(&m, &f, 0).malformed, PKT_MAL_TCP_DATA_OFFSET);
	fb_init(&f);
	fb_eth(&f, FB_ETH_IPV4);
	fb_ipv4(&f, FB_IPPROTO_TCP, A4, B4);
	fb_ipv4_frag(&f, 0, 100);
	fb_tcp(&f, 1, 2, 3, 4, 0xff, 5);
	fb_finish(&f);
	EQ(account(&m, &f, 0).l4, PKT_L4_OTHER);
	udp4(&f, A4, B4, 0xff);
	account(&m, &f, 0);

	EQ(m.c.tcp_flags[METRICS_TCP_SYN], syn);
	EQ(m.c.tcp_flags[METRICS_TCP_SYNACK], synack);
	EQ(m.c.tcp_flags[METRICS_TCP_FIN], fin);
	EQ(m.c.tcp_flags[METRICS_TCP_RST], rst);

	assert_string_equal(metrics_tcp_flag_name(METRICS_TCP_SYN), "syn");
	assert_string_equal(metrics_tcp_flag_name(METRICS_TCP_SYNACK), "synack");
	assert_string_equal(metrics_tcp_flag_name(METRICS_TCP_FIN), "fin");
	assert_string_equal(metrics_tcp_flag_name(METRICS_TCP_RST), "rst");
	assert_string_equal(metrics_tcp_flag_name(METRICS_TCP__MAX), "invalid");
	assert_string_equal(metrics_tcp_flag_name((enum metrics_tcp_flag) - 1), "invalid");
	metrics_destroy(&m);
}

TEST(test_unique_src_ips)
{
	struct metrics m;
	struct fb f;

	init(&m);
	/* IPv4: A, B, C; A and B again, over TCP, UDP and ICMP. */
	tcp4(&f, A4, B4, 1, 2, FB_TCP_SYN, 0);
	account(&m, &f, 0);
	udp4(&f, B4, A4, 5);
	account(&m, &f, 0);
	fb_init(&f);
	fb_eth(&f, FB_ETH_IPV4);
	fb_ipv4(&f, FB_IPPROTO_ICMP, C4, A4);
	fb_icmp(&f, 8, 0, 1);
	fb_finish(&f);
	account(&m, &f, 0);
	tcp4(&f, A4, C4, 7, 8, FB_TCP_ACK, 0);
	account(&m, &f, 0);
	udp4(&f, B4, C4, 1);
	account(&m, &f, 0);
	EQ(metrics_unique_src_ips(&m), 3);

	/* IPv6: ::1 and ::2, ::1 again. */
	tcp6(&f, 1, 2, 1, 2, FB_TCP_SYN, 0);
	account(&m, &f, 0);
	tcp6(&f, 2, 1, 2, 1, FB_TCP_SYN | FB_TCP_ACK, 0);
	account(&m, &f, 0);
	tcp6(&f, 1, 3, 1, 2, FB_TCP_ACK, 10);
	account(&m, &f, 0);
	EQ(metrics_unique_src_ips(&m), 5);

	/* Not IP: no source. */
	fb_init(&f);
	fb_eth(&f, FB_ETH_ARP);
	fb_arp(&f, 1, FB_IP4(192, 168, 1, 1), A4);
	account(&m, &f, 0);
	fb_init(&f);
	fb_eth(&f, FB_ETH_IPV4);
	fb_trim(&f, 12);
	account(&m, &f, 0);
	EQ(metrics_unique_src_ips(&m), 5);
	EQ(m.src.v4.count, 3);
	EQ(m.src.v6.count, 2);
	metrics_destroy(&m);
}

TEST(test_tcp_directions_directional)
{
	struct metrics m;
	struct fb f;

	init(&m);
	tcp4(&f, A4, B4, 40000, 80, FB_TCP_SYN, 0);
	account(&m, &f, 0);
	EQ(metrics_tcp_directions(&m), 1);
	/* The same 4-tuple again: the same flow. */
	tcp4(&f, A4, B4, 40000, 80, FB_TCP_ACK, 100);
	account(&m, &f, 0);
	EQ(metrics_tcp_directions(&m), 1);
	/* The reply: B -> A is another flow. */
	tcp4(&f, B4, A4, 80, 40000, FB_TCP_SYN | FB_TCP_ACK, 0);
	account(&m, &f, 0);
	EQ(metrics_tcp_directions(&m), 2);
	/* Another source port, another destination, swapped ports. */
	tcp4(&f, A4, B4, 40001, 80, FB_TCP_SYN, 0);
	account(&m, &f, 0);
	tcp4(&f, A4, C4, 40000, 80, FB_TCP_SYN, 0);
	account(&m, &f, 0);
	tcp4(&f, A4, B4, 80, 40000, FB_TCP_SYN, 0);
	account(&m, &f, 0);
	EQ(metrics_tcp_directions(&m), 5);

	/* IPv6, likewise. */
	tcp6(&f, 1, 2, 1000, 443, FB_TCP_SYN, 0);
	account(&m, &f, 0);
	tcp6(&f, 1, 2, 1000, 443, FB_TCP_ACK, 0);
	account(&m, &f, 0);
	tcp6(&f, 2, 1, 443, 1000, FB_TCP_ACK, 0);
	account(&m, &f, 0);
	tcp6(&f, 1, 3, 1000, 443, FB_TCP_ACK, 0);
	account(&m, &f, 0);
	EQ(metrics_tcp_directions(&m), 5 + 3);
	EQ(m.flow.v4.count, 5);
	EQ(m.flow.v6.count, 3);

	/* UDP and later fragments are not TCP flows. */
	udp4(&f, A4, C4, 9);
	account(&m, &f, 0);
	fb_init(&f);
	fb_eth(&f, FB_ETH_IPV6);
	fb_ipv6(&f, FB_IPPROTO_FRAGMENT, addr6(9), addr6(8));
	fb_ipv6_frag(&f, FB_IPPROTO_TCP, 10, 0);
	fb_tcp(&f, 5, 6, 7, 8, FB_TCP_SYN, 9);
	fb_finish(&f);
	account(&m, &f, 0);
	EQ(metrics_tcp_directions(&m), 8);
	metrics_destroy(&m);
}

TEST(test_tcp_payload_bytes)
{
	static const uint8_t opts[] = {2, 4, 5, 0xb4, 1, 3, 3, 7, 4, 2};
	struct pkt_info pi;
	struct metrics m;
	struct fb f;

	init(&m);
	/* 2 bytes of payload, 4 bytes of Ethernet padding. */
	tcp4(&f, A4, B4, 1, 2, FB_TCP_PSH | FB_TCP_ACK, 2);
	EQ(f.len, 60);
	pi = account(&m, &f, 0);
	EQ(pi.payload_len, 2);
	EQ(m.c.tcp_payload_bytes, 2);
	/* No payload at all, padded. */
	tcp4(&f, A4, B4, 1, 2, FB_TCP_ACK, 0);
	account(&m, &f, 0);
	EQ(m.c.tcp_payload_bytes, 2);
	tcp4(&f, A4, B4, 1, 2, FB_TCP_ACK, 1000);
	account(&m, &f, 0);
	tcp6(&f, 1, 2, 3, 4, FB_TCP_ACK, 7);
	fb_pad(&f, 30);
	account(&m, &f, 0);
	EQ(m.c.tcp_payload_bytes, 1009);
	/* Options are header, not payload. */
	fb_init(&f);
	fb_eth(&f, FB_ETH_IPV4);
	fb_ipv4(&f, FB_IPPROTO_TCP, A4, B4);
	fb_tcp(&f, 1, 2, 3, 4, FB_TCP_SYN, 5);
	fb_tcp_opts(&f, opts, sizeof(opts));
	fb_payload(&f, 5);
	fb_finish(&f);
	account(&m, &f, 0);
	EQ(m.c.tcp_payload_bytes, 1014);
	/* Neither UDP payload nor a later TCP fragment counts. */
	udp4(&f, A4, B4, 500);
	account(&m, &f, 0);
	fb_init(&f);
	fb_eth(&f, FB_ETH_IPV4);
	fb_ipv4(&f, FB_IPPROTO_TCP, A4, B4);
	fb_ipv4_frag(&f, 0, 100);
	fb_payload(&f, 400);
	fb_finish(&f);
	account(&m, &f, 0);
	EQ(m.c.tcp_payload_bytes, 1014);
	metrics_destroy(&m);
}

TEST(test_malformed_by_reason)
{
	struct metrics m;
	struct fb f;
	uint64_t bad = 0;

	init(&m);
	/* Reason r is seen r times, so that each counter is told apart; the
	 * good frame 3 times. */
	for (unsigned r = 0; r < PKT_MAL__MAX; r++) {
		unsigned times = r ? r : 3;

		frame_for_reason(&f, r);
		for (unsigned i = 0; i < times; i++) {
			struct pkt_info pi = account(&m, &f, 0);

			if (pi.malformed != r)
				fail_msg("frame for %s parses as %s",
					 pkt_malformed_name((enum pkt_malformed)r),
					 pkt_malformed_name((enum pkt_malformed)pi.malformed));
		}
		bad += r ? r : 0;
	}
	EQ(m.c.malformed[PKT_OK], 3);
	for (unsigned r = 1; r < PKT_MAL__MAX; r++)
		if (m.c.malformed[r] != r)
			fail_msg("%s: %llu, want %u", pkt_malformed_name((enum pkt_malformed)r),
				 (unsigned long long)m.c.malformed[r], r);
	EQ(metrics_malformed_total(&m), bad);
	EQ(m.c.packets, bad + 3);
	metrics_destroy(&m);
}

TEST(test_merge_two_workers)
{
	struct metrics w1, w2, total;
	uint64_t bytes1 = 0, bytes2 = 0; /* the wire lengths the test gave */
	struct fb f;

	init(&w1);
	init(&w2);
	init(&total);

	/* Worker 1: flow A:1->B:80 (SYN, 10 bytes payload), IPv6 flow
	 * ::1->::2, a UDP from C, a malformed IPv4. */
	tcp4(&f, A4, B4, 1, 80, FB_TCP_SYN, 10);
	bytes1 += account_len(&w1, &f, 0);
	tcp6(&f, 1, 2, 5, 6, FB_TCP_SYN | FB_TCP_ACK, 0);
	bytes1 += account_len(&w1, &f, 0);
	udp4(&f, C4, A4, 100);
	bytes1 += account_len(&w1, &f, 0);
	frame_for_reason(&f, PKT_MAL_IPV4_VERSION);
	bytes1 += account_len(&w1, &f, 0);

	/* Worker 2: the same A:1->B:80 flow (RSS can split a flow when the
	 * hash changes), its reply B:80->A:1, IPv6 ::1->::2 again and ::3->::2,
	 * an ARP, two tcp_truncated. */
	tcp4(&f, A4, B4, 1, 80, FB_TCP_ACK, 20);
	bytes2 += account_len(&w2, &f, 0);
	tcp4(&f, B4, A4, 80, 1, FB_TCP_FIN | FB_TCP_ACK, 0);
	bytes2 += account_len(&w2, &f, 1600);
	tcp6(&f, 1, 2, 5, 6, FB_TCP_ACK, 3);
	bytes2 += account_len(&w2, &f, 0);
	tcp6(&f, 3, 2, 5, 6, FB_TCP_RST, 0);
	bytes2 += account_len(&w2, &f, 0);
	fb_init(&f);
	fb_eth(&f, FB_ETH_ARP);
	fb_arp(&f, 1, A4, B4);
	fb_pad_to(&f, 60);
	bytes2 += account_len(&w2, &f, 0);
	frame_for_reason(&f, PKT_MAL_TCP_TRUNCATED);
	bytes2 += account_len(&w2, &f, 0);
	bytes2 += account_len(&w2, &f, 0);

	EQ(metrics_tcp_directions(&w1), 2);
	EQ(metrics_tcp_directions(&w2), 4);
	EQ(metrics_unique_src_ips(&w1), 3); /* A, C, ::1; the bad-version frame has none */
	EQ(metrics_unique_src_ips(&w2), 4); /* A, B, ::1, ::3 */

	EQ(metrics_merge(&total, &w1), 0);
	EQ(metrics_merge(&total, &w2), 0);

	EQ(total.c.packets, 4 + 7);
	EQ(metrics_read_packets(&total), 11);
	EQ(w1.c.bytes, bytes1);
	EQ(w2.c.bytes, bytes2);
	EQ(total.c.bytes, bytes1 + bytes2);
	EQ(total.c.l3[PKT_L3_IPV4], 3 + 4);
	EQ(total.c.l3[PKT_L3_IPV6], 1 + 2);
	EQ(total.c.l3[PKT_L3_ARP], 1);
	EQ(total.c.l4[PKT_L4_TCP], 2 + 6);
	EQ(total.c.l4[PKT_L4_UDP], 1);
	EQ(total.c.l4[PKT_L4_OTHER], 1);
	EQ(total.c.l4[PKT_L4_NONE], 1);
	EQ(total.c.tcp_flags[METRICS_TCP_SYN], 1);
	EQ(total.c.tcp_flags[METRICS_TCP_SYNACK], 1);
	EQ(total.c.tcp_flags[METRICS_TCP_FIN], 1);
	EQ(total.c.tcp_flags[METRICS_TCP_RST], 1);
	EQ(total.c.tcp_payload_bytes, 10 + 20 + 3);
	EQ(total.c.size_hist[METRICS_SIZE_64], 2 + 3);
	EQ(total.c.size_hist[METRICS_SIZE_127], 1 + 3);
	EQ(total.c.size_hist[METRICS_SIZE_255], 1);
	EQ(total.c.size_hist[METRICS_SIZE_LARGER], 1);
	EQ(sum(total.c.size_hist, METRICS_SIZE__MAX), 11);
	EQ(total.c.malformed[PKT_OK], 3 + 5);
	EQ(total.c.malformed[PKT_MAL_IPV4_VERSION], 1);
	EQ(total.c.malformed[PKT_MAL_TCP_TRUNCATED], 2);
	EQ(metrics_malformed_total(&total), 3);
	EQ(total.c.distinct_untracked, 0);
	/* Distinct counts are of the union: A->B once. */
	EQ(metrics_tcp_directions(&total), 4);
	EQ(total.flow.v4.count, 2);	       /* A->B, B->A */
	EQ(total.flow.v6.count, 2);	       /* ::1->::2, ::3->::2 */
	EQ(metrics_unique_src_ips(&total), 5); /* A, B, C, ::1, ::3 */

	/* The sources are unchanged. */
	EQ(w1.c.packets, 4);
	EQ(w2.c.packets, 7);
	EQ(metrics_tcp_directions(&w2), 4);

	/* Merging one worker twice doubles its counters, not its sets. */
	EQ(metrics_merge(&total, &w1), 0);
	EQ(total.c.packets, 15);
	EQ(metrics_tcp_directions(&total), 4);

	metrics_destroy(&w1);
	metrics_destroy(&w2);
	metrics_destroy(&total);
}

TEST(test_malformed_total)
{
	struct metrics m;
	struct fb f;

	init(&m);
	EQ(metrics_malformed_total(&m), 0);
	tcp4(&f, A4, B4, 1, 2, FB_TCP_SYN, 0);
	account(&m, &f, 0);
	account(&m, &f, 0);
	EQ(metrics_malformed_total(&m), 0);
	frame_for_reason(&f, PKT_MAL_ETH_TRUNCATED);
	account(&m, &f, 0);
	frame_for_reason(&f, PKT_MAL_ICMPV6_TRUNCATED); /* the last reason */
	account(&m, &f, 0);
	EQ(metrics_malformed_total(&m), 2);
	EQ(m.c.malformed[PKT_OK], 2);
	metrics_destroy(&m);
}

/* The distinct counts past their bound (inspect/metrics.h). */

/* A fixed seed: the estimates, hence the tests, are reproducible (the
 * bounds checked hold for any seed but with a 3-sigma event's chance). */
static void init_limit(struct metrics *m, uint64_t limit)
{
	const struct metrics_opts o = {.distinct_limit = limit, .seed = 0x5eed5eed12345678ull};

	EQ(metrics_init_opts(m, &o), 0);
	EQ(metrics_distinct_limit(m), limit);
}

/* A UDP packet from IPv4 source @i (10.x.y.z). */
static void src_n(struct metrics *m, uint32_t i)
{
	struct fb f;

	udp4(&f, FB_IP4(10, 0, 0, 0) + i, C4, 1);
	account(m, &f, 0);
}

/* A TCP packet of flow @i: A -> B, ports from @i. */
static void flow_n(struct metrics *m, uint32_t i)
{
	struct fb f;

	tcp4(&f, A4, B4, (uint16_t)(1024 + i % 60000), (uint16_t)(1 + i / 60000), FB_TCP_ACK, 0);
	account(m, &f, 0);
}

static void assert_estimate(uint64_t est, uint64_t n)
{
	double err = ((double)est - (double)n) / (double)n;

	if (err > 3 * HLL_STD_ERROR || err < -3 * HLL_STD_ERROR)
		fail_msg("estimate %llu of %llu: error %.3f%%", (unsigned long long)est,
			 (unsigned long long)n, 100 * err);
}

TEST(test_distinct_default_limit)
{
	struct metrics m;

	init(&m);
	EQ(metrics_distinct_limit(&m), METRICS_DISTINCT_LIMIT_DEFAULT);
	EQ(METRICS_DISTINCT_LIMIT_DEFAULT, 1000000);
	assert_false(metrics_unique_src_ips_estimated(&m));
	assert_false(metrics_tcp_directions_estimated(&m));
	metrics_destroy(&m);
}

/* Exact up to the bound included, an estimate from the next key on. */
TEST(test_distinct_switch_at_limit)
{
	struct metrics m;

	init_limit(&m, 1000);
	for (uint32_t i = 0; i < 1000; i++)
		src_n(&m, i);
	src_n(&m, 0); /* known keys never switch */
	EQ(metrics_unique_src_ips(&m), 1000);
	assert_false(metrics_unique_src_ips_estimated(&m));
	src_n(&m, 1000);
	assert_true(metrics_unique_src_ips_estimated(&m));
	/* The sets are freed; the sketch had every key. */
	assert_null(m.src.v4.slots);
	EQ(m.src.v4.count + m.src.v6.count, 0);
	/* Linear counting's standard deviation at 1001 keys is ~5.5. */
	assert_true(metrics_unique_src_ips(&m) >= 1001 - 20 &&
		    metrics_unique_src_ips(&m) <= 1001 + 20);
	assert_false(metrics_tcp_directions_estimated(&m));
	EQ(m.c.distinct_untracked, 0);
	metrics_destroy(&m);
}

TEST(test_distinct_sources_estimate)
{
	struct metrics m;
	struct fb f;

	init_limit(&m, 1000);
	for (uint32_t i = 0; i < 100000; i++)
		src_n(&m, i);
	/* Seen again: no change. */
	for (uint32_t i = 0; i < 100000; i += 7)
		src_n(&m, i);
	/* IPv6 sources go to the same sketch. */
	for (uint8_t i = 1; i <= 100; i++) {
		tcp6(&f, i, 200, 1, 2, FB_TCP_SYN, 0);
		account(&m, &f, 0);
	}
	assert_true(metrics_unique_src_ips_estimated(&m));
	assert_estimate(metrics_unique_src_ips(&m), 100100);
	/* 100 flows: still exact. */
	assert_false(metrics_tcp_directions_estimated(&m));
	EQ(metrics_tcp_directions(&m), 100);
	metrics_destroy(&m);
}

TEST(test_distinct_flows_estimate)
{
	struct metrics m;

	init_limit(&m, 1000);
	for (uint32_t i = 0; i < 50000; i++)
		flow_n(&m, i);
	assert_true(metrics_tcp_directions_estimated(&m));
	assert_estimate(metrics_tcp_directions(&m), 50000);
	/* One source, counted exactly although flows no longer tell a new
	 * flow from a known one. */
	assert_false(metrics_unique_src_ips_estimated(&m));
	EQ(metrics_unique_src_ips(&m), 1);
	metrics_destroy(&m);
}

/* @m fed the sources [from, to). */
static void sources(struct metrics *m, uint64_t limit, uint32_t from, uint32_t to)
{
	init_limit(m, limit);
	for (uint32_t i = from; i < to; i++)
		src_n(m, i);
}

/* Every combination: the merge equals one metrics fed all the keys. */
TEST(test_distinct_merge_combinations)
{
	static const struct {
		uint32_t a_from, a_to, b_from, b_to;
		bool a_est, b_est, want_est;
	} cases[] = {
		/* exact + exact, union under the bound: exact */
		{0, 600, 400, 1000, false, false, false},
		/* exact + exact, union over it: estimate */
		{0, 600, 600, 1200, false, false, true},
		/* exact + estimate, estimate + exact, estimate + estimate */
		{0, 500, 300, 5000, false, true, true},
		{0, 5000, 4000, 4500, true, false, true},
		{0, 5000, 2500, 9000, true, true, true},
	};

	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct metrics a, b, all;
		uint32_t lo = cases[i].a_from < cases[i].b_from ? cases[i].a_from : cases[i].b_from;
		uint32_t hi = cases[i].a_to > cases[i].b_to ? cases[i].a_to : cases[i].b_to;

		sources(&a, 1000, cases[i].a_from, cases[i].a_to);
		sources(&b, 1000, cases[i].b_from, cases[i].b_to);
		sources(&all, 1000, lo, hi);
		EQ(metrics_unique_src_ips_estimated(&a), cases[i].a_est);
		EQ(metrics_unique_src_ips_estimated(&b), cases[i].b_est);

		EQ(metrics_merge(&a, &b), 0);
		EQ(metrics_unique_src_ips_estimated(&a), cases[i].want_est);
		EQ(metrics_unique_src_ips_estimated(&all), cases[i].want_est);
		/* Exact, or the very sketch of the union. */
		EQ(metrics_unique_src_ips(&a), metrics_unique_src_ips(&all));
		if (cases[i].want_est) {
			assert_memory_equal(a.src.hll.reg, all.src.hll.reg, HLL_M);
			assert_estimate(metrics_unique_src_ips(&a), hi - lo);
		} else {
			EQ(metrics_unique_src_ips(&a), hi - lo);
		}
		EQ(a.c.distinct_untracked, 0);
		metrics_destroy(&a);
		metrics_destroy(&b);
		metrics_destroy(&all);
	}
}

/* A sketch of another seed cannot be merged; exact sets can (rehashed). */
TEST(test_distinct_merge_seeds)
{
	const struct metrics_opts o1 = {.distinct_limit = 100, .seed = 1};
	const struct metrics_opts o2 = {.distinct_limit = 100, .seed = 2};
	struct metrics a, b, c;

	EQ(metrics_init_opts(&a, &o1), 0);
	EQ(metrics_init_opts(&b, &o2), 0);
	EQ(metrics_init_opts(&c, &o2), 0);
	for (uint32_t i = 0; i < 90; i++) {
		src_n(&a, i);
		src_n(&b, i + 50);
	}
	for (uint32_t i = 0; i < 500; i++)
		src_n(&c, i);
	EQ(metrics_merge(&a, &b), 0); /* exact: 140 keys, past 100 */
	assert_true(metrics_unique_src_ips_estimated(&a));
	assert_true(metrics_unique_src_ips(&a) >= 137 && metrics_unique_src_ips(&a) <= 143);
	EQ(metrics_merge(&a, &c), -EINVAL);
	EQ(a.c.distinct_untracked, 1);
	metrics_destroy(&a);
	metrics_destroy(&b);
	metrics_destroy(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_destroy),
		cmocka_unit_test(test_packets_and_bytes),
		cmocka_unit_test(test_l3_l4_sums),
		cmocka_unit_test(test_size_histogram),
		cmocka_unit_test(test_tcp_flags),
		cmocka_unit_test(test_unique_src_ips),
		cmocka_unit_test(test_tcp_directions_directional),
		cmocka_unit_test(test_tcp_payload_bytes),
		cmocka_unit_test(test_malformed_by_reason),
		cmocka_unit_test(test_merge_two_workers),
		cmocka_unit_test(test_malformed_total),
		cmocka_unit_test(test_distinct_default_limit),
		cmocka_unit_test(test_distinct_switch_at_limit),
		cmocka_unit_test(test_distinct_sources_estimate),
		cmocka_unit_test(test_distinct_flows_estimate),
		cmocka_unit_test(test_distinct_merge_combinations),
		cmocka_unit_test(test_distinct_merge_seeds),
	};

	return cmocka_run_group_tests_name("metrics", tests, NULL, NULL);
}
