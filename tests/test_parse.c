// SPDX-License-Identifier: MIT
/*
 * Unit tests of pkt_parse() (inspect/parse.c): every branch and every
 * malformed reason, on frames built with tests/frames.h.
 *
 * Every frame goes through PARSE(), which parses an exactly sized heap copy
 * (ASan, with SAN=1, catches any read past the end) and then every prefix
 * 0..len of it, each in its own exactly sized buffer. A prefix shorter than
 * what the frame's headers need must come out malformed; a longer one must
 * give the same result as the whole frame. Both pass through the same
 * invariant checks as the fuzzer's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "frames.h"
#include "inspect/parse.h"

#define TEST(name) static void name(void **state __attribute__((unused)))

/* Frames longer than this get their prefixes sampled, not all of them. */
#define PREFIX_ALL_MAX 4096

static const uint32_t A4 = FB_IP4(10, 0, 0, 1);
static const uint32_t B4 = FB_IP4(192, 0, 2, 7);

/* Full parses (not prefixes) per malformed reason, checked by the last test. */
static unsigned seen_reason[PKT_MAL__MAX];

/* Heap buffers in use: a failed assertion jumps out of the test, and the
 * per-test teardown frees them so that LeakSanitizer stays quiet. */
enum { LIVE_FRAME, LIVE_PREFIX, LIVE_TEST, LIVE__MAX };
static void *live[LIVE__MAX];

static void *live_set(int slot, void *p)
{
	live[slot] = p;
	return p;
}

static void live_free(int slot)
{
	free(live[slot]);
	live[slot] = NULL;
}

static int teardown(void **state __attribute__((unused)))
{
	for (int i = 0; i < LIVE__MAX; i++)
		live_free(i);
	return 0;
}

static const char *l3n(unsigned v)
{
	return pkt_l3_name((enum pkt_l3)v);
}

static const char *l4n(unsigned v)
{
	return pkt_l4_name((enum pkt_l4)v);
}

static const char *maln(unsigned v)
{
	return pkt_malformed_name((enum pkt_malformed)v);
}

/* ------------------------------------------------------------------ */
/* Invariants and prefixes                                             */
/* ------------------------------------------------------------------ */

static int is_ip(unsigned l3)
{
	return l3 == PKT_L3_IPV4 || l3 == PKT_L3_IPV6;
}

static void check_addr(const uint8_t *a, const uint8_t *d, uint32_t len, uint32_t alen,
		       const char *what, const char *fn, int line, uint32_t p)
{
	if (!a)
		return;
	if (!d || a < d || a > d + len || (uint32_t)(d + len - a) < alen)
		fail_msg("%s:%d: length %u: %s outside the buffer", fn, line, p, what);
}

/* What every parse result must satisfy, whatever the input. */
static void check_invariants(const uint8_t *d, uint32_t len, const struct pkt_info *pi,
			     const char *fn, int line)
{
	uint32_t alen = pi->l3 == PKT_L3_IPV4 ? 4 : 16;

	if (pi->l3 >= PKT_L3__MAX || pi->l4 >= PKT_L4__MAX || pi->malformed >= PKT_MAL__MAX)
		fail_msg("%s:%d: length %u: enum out of range (l3 %u l4 %u malformed %u)", fn, line,
			 len, pi->l3, pi->l4, pi->malformed);
	if (pi->vlan_count > PKT_MAX_VLANS)
		fail_msg("%s:%d: length %u: vlan_count %u", fn, line, len, pi->vlan_count);
	if ((pi->l4 != PKT_L4_NONE) != is_ip(pi->l3))
		fail_msg("%s:%d: length %u: l3 %s with l4 %s", fn, line, len, l3n(pi->l3),
			 l4n(pi->l4));
	if (len < 14 && (pi->malformed != PKT_MAL_ETH_TRUNCATED || pi->l3 != PKT_L3_OTHER))
		fail_msg("%s:%d: length %u: a runt is not eth_truncated", fn, line, len);
	if (pi->l3_off > len || pi->l4_off > len || pi->payload_off > len)
		fail_msg("%s:%d: length %u: offset past the end (l3 %u l4 %u payload %u)", fn, line,
			 len, pi->l3_off, pi->l4_off, pi->payload_off);
	if (pi->ip_len && pi->malformed == PKT_OK && pi->l3_off + pi->ip_len > len)
		fail_msg("%s:%d: length %u: well-formed with ip_len %u past the end", fn, line, len,
			 pi->ip_len);
	if ((pi->src_addr == NULL) != (pi->dst_addr == NULL))
		fail_msg("%s:%d: length %u: only one address set", fn, line, len);
	if (pi->src_addr && !is_ip(pi->l3))
		fail_msg("%s:%d: length %u: an address on a non-IP frame", fn, line, len);
	check_addr(pi->src_addr, d, len, alen, "src_addr", fn, line, len);
	check_addr(pi->dst_addr, d, len, alen, "dst_addr", fn, line, len);
	if (pi->l4_complete) {
		uint32_t hdr = pi->l4 == PKT_L4_TCP ? 20 : pi->l4 == PKT_L4_UDP ? 8 : 4;

		if (pi->l4 == PKT_L4_NONE || pi->l4 == PKT_L4_OTHER)
			fail_msg("%s:%d: length %u: l4_complete on l4 %s", fn, line, len,
				 l4n(pi->l4));
		if (pi->malformed != PKT_OK && pi->malformed != PKT_MAL_TCP_OPTIONS)
			fail_msg("%s:%d: length %u: l4_complete yet %s", fn, line, len,
				 maln(pi->malformed));
		if (pi->payload_off < pi->l4_off + hdr)
			fail_msg("%s:%d: length %u: payload_off %u inside the L4 header "
				 "at %u",
				 fn, line, len, pi->payload_off, pi->l4_off);
		if ((uint64_t)pi->payload_off + pi->payload_len > len)
			fail_msg("%s:%d: length %u: payload %u+%u past the end", fn, line, len,
				 pi->payload_off, pi->payload_len);
		if ((uint64_t)pi->payload_off + pi->payload_len > (uint64_t)pi->l3_off + pi->ip_len)
			fail_msg("%s:%d: length %u: payload %u+%u past the IP packet", fn, line,
				 len, pi->payload_off, pi->payload_len);
	}
}

/* The shortest prefix that can parse like the whole (well-formed) frame;
 * len + 1 when the whole frame is malformed: every prefix then is too. */
static uint32_t needed_len(const uint8_t *d, uint32_t len, const struct pkt_info *pi)
{
	if (pi->malformed != PKT_OK)
		return len + 1;
	switch (pi->l3) {
	case PKT_L3_IPV4:
	case PKT_L3_IPV6:
		return pi->l3_off + pi->ip_len;
	case PKT_L3_ARP:
		return pi->l3_off + 8u + 2u * (d[pi->l3_off + 4] + d[pi->l3_off + 5]);
	default:
		return pi->l3_off;
	}
}

static long addr_off(const uint8_t *a, const uint8_t *d)
{
	return a ? (long)(a - d) : -1;
}

/* The first field where @a (parsed at @da) and @b (at @db) differ, or NULL. */
static const char *diff_info(const struct pkt_info *a, const uint8_t *da, const struct pkt_info *b,
			     const uint8_t *db)
{
#define CMP(field)                        \
	do {                              \
		if (a->field != b->field) \
			return #field;    \
	} while (0)
	CMP(l3);
	CMP(l4);
	CMP(malformed);
	CMP(vlan_count);
	CMP(vlan_id[0]);
	CMP(vlan_id[1]);
	CMP(ethertype);
	CMP(ip_proto);
	CMP(ip_fragment);
	CMP(l3_off);
	CMP(l4_off);
	CMP(payload_off);
	CMP(ip_len);
	CMP(l4_len);
	CMP(payload_len);
	CMP(sport);
	CMP(dport);
	CMP(tcp_flags);
	CMP(icmp_type);
	CMP(icmp_code);
	CMP(l4_complete);
	CMP(tcp_seq);
	CMP(tcp_ack);
	CMP(tcp_window);
	CMP(tcp_opts.present);
	CMP(tcp_opts.wscale);
	CMP(tcp_opts.mss);
	CMP(tcp_opts.ts_val);
	CMP(tcp_opts.ts_ecr);
#undef CMP
	if (addr_off(a->src_addr, da) != addr_off(b->src_addr, db))
		return "src_addr";
	if (addr_off(a->dst_addr, da) != addr_off(b->dst_addr, db))
		return "dst_addr";
	return NULL;
}

static void check_prefixes(const struct fb *f, const struct pkt_info *full, const uint8_t *fulld,
			   const char *fn, int line)
{
	uint32_t need = needed_len(fulld, f->len, full);

	for (uint32_t p = 0; p <= f->len; p++) {
		struct pkt_info pi;
		const char *diff;
		uint8_t *d;

		/* Long frames: every prefix up to PREFIX_ALL_MAX, then a sample,
		 * the last 64 and both sides of @need. */
		if (p > PREFIX_ALL_MAX && p + 64 < f->len && p % 251 != 0 &&
		    (p + 2 < need || p > need + 2))
			continue;
		d = live_set(LIVE_PREFIX, fb_dup_len(f, p));
		pkt_parse(d, p, &pi);
		check_invariants(d, p, &pi, fn, line);
		if (p < need && pi.malformed == PKT_OK)
			fail_msg("%s:%d: prefix %u of %u (headers need %u) parsed as "
				 "well-formed "
				 "(l3 %s l4 %s)",
				 fn, line, p, f->len, need, l3n(pi.l3), l4n(pi.l4));
		if (p >= need && (diff = diff_info(&pi, d, full, fulld)) != NULL)
			fail_msg("%s:%d: prefix %u of %u (headers need %u): %s differs "
				 "from the "
				 "whole frame's",
				 fn, line, p, f->len, need, diff);
		live_free(LIVE_PREFIX);
	}
}

/*
 * Parses frame @f into *pi: the whole frame and all its prefixes, with the
 * invariants. Addresses in *pi are rebased into f->buf.
 */
static void parse_frame(const struct fb *f, struct pkt_info *pi, const char *fn, int line)
{
	uint8_t *d = live_set(LIVE_FRAME, fb_dup(f));

	pkt_parse(d, f->len, pi);
	check_invariants(d, f->len, pi, fn, line);
	check_prefixes(f, pi, d, fn, line);
	if (pi->malformed < PKT_MAL__MAX)
		seen_reason[pi->malformed]++;
	if (pi->src_addr)
		pi->src_addr = f->buf + (pi->src_addr - d);
	if (pi->dst_addr)
		pi->dst_addr = f->buf + (pi->dst_addr - d);
	live_free(LIVE_FRAME);
}

#define PARSE(f, pi) parse_frame((f), (pi), __func__, __LINE__)

static void expect_class(const struct pkt_info *pi, unsigned l3, unsigned l4, unsigned mal,
			 const char *fn, int line, long k)
{
	if (pi->l3 != l3 || pi->l4 != l4 || pi->malformed != mal)
		fail_msg("%s:%d (case %ld): got l3 %s l4 %s %s, want l3 %s l4 %s %s", fn, line, k,
			 l3n(pi->l3), l4n(pi->l4), maln(pi->malformed), l3n(l3), l4n(l4),
			 maln(mal));
}

/* EXPECT(pi, L3, L4, REASON) with the short names: EXPECT(pi, IPV4, TCP, OK). */
#define EXPECTK(pi, l3, l4, mal, k) \
	expect_class(&(pi), PKT_L3_##l3, PKT_L4_##l4, PKT_##mal, __func__, __LINE__, (long)(k))
#define EXPECT(pi, l3, l4, mal) EXPECTK(pi, l3, l4, mal, -1)
#define EQ(a, b) assert_int_equal((a), (b))

/* Frame starters: Ethernet, then an IPv4 or IPv6 header. */
static void v4(struct fb *f, uint8_t proto)
{
	fb_init(f);
	fb_eth(f, FB_ETH_IPV4);
	fb_ipv4(f, proto, A4, B4);
}

static void v6(struct fb *f, uint8_t next)
{
	fb_init(f);
	fb_eth(f, FB_ETH_IPV6);
	fb_ipv6(f, next, NULL, NULL);
}

static void assert_no_l4_fields(const struct pkt_info *pi)
{
	EQ(pi->sport, 0);
	EQ(pi->dport, 0);
	EQ(pi->tcp_flags, 0);
	EQ(pi->tcp_seq, 0);
	EQ(pi->l4_complete, false);
	EQ(pi->payload_off, 0);
	EQ(pi->payload_len, 0);
}

/* ------------------------------------------------------------------ */
/* Ethernet and VLAN                                                   */
/* ------------------------------------------------------------------ */

TEST(test_eth_unknown_ethertype)
{
	static const uint16_t types[] = {0x88b5, 0x88cc, 0x0000, 0x002e, 0xffff};
	struct fb f;
	struct pkt_info pi;

	for (unsigned i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		for (int padded = 0; padded < 2; padded++) {
			fb_init(&f);
			fb_eth(&f, types[i]);
			if (padded)
				fb_payload(&f, 46);
			PARSE(&f, &pi);
			EXPECTK(pi, OTHER, NONE, OK, i);
			EQ(pi.ethertype, types[i]);
			EQ(pi.l3_off, 14);
			EQ(pi.vlan_count, 0);
			EQ(pi.ip_proto, 0);
			assert_null(pi.src_addr);
			assert_null(pi.dst_addr);
			assert_no_l4_fields(&pi);
		}
	}
}

TEST(test_eth_runt)
{
	struct fb f;
	struct pkt_info pi;

	for (uint32_t n = 0; n < 14; n++) {
		fb_init(&f);
		fb_eth(&f, FB_ETH_IPV4);
		fb_trim(&f, n);
		PARSE(&f, &pi);
		EXPECTK(pi, OTHER, NONE, MAL_ETH_TRUNCATED, n);
		EQ(pi.ethertype, 0);
		EQ(pi.l3_off, 0);
		assert_null(pi.src_addr);
	}
	/* 14 bytes is a whole Ethernet header: what is cut is the IPv4 one. */
	fb_init(&f);
	fb_eth(&f, FB_ETH_IPV4);
	PARSE(&f, &pi);
	EXPECT(pi, IPV4, OTHER, MAL_IPV4_TRUNCATED);
}

TEST(test_vlan_one_tag)
{
	struct fb f;
	struct pkt_info pi;

	/* PCP 5, DEI 1, VLAN 100: only the 12-bit id is kept. */
	fb_init(&f);
	fb_eth(&f, FB_ETH_8021Q);
	fb_vlan(&f, 0xb000 | 100, FB_ETH_IPV4);
	fb_ipv4(&f, FB_IPPROTO_UDP, A4, B4);
	fb_udp(&f, 53, 5353);
	fb_payload(&f, 12);
	fb_finish(&f);
	PARSE(&f, &pi);
	EXPECT(pi, IPV4, UDP, OK);
	EQ(pi.vlan_count, 1);
	EQ(pi.vlan_id[0], 100);
	EQ(pi.vlan_id[1], 0);
	EQ(pi.ethertype, FB_ETH_IPV4);
	EQ(pi.l3_off, 18);
	EQ(pi.l4_off, 38);
	assert_ptr_equal(pi.src_addr, f.buf + 18 + 12);
	assert_ptr_equal(pi.dst_addr, f.buf + 18 + 16);
	EQ(pi.sport, 53);
	EQ(pi.dport, 5353);

	/* VLAN 4095, over ARP. */
	fb_init(&f);
	fb_eth(&f, FB_ETH_8021Q);
	fb_vlan(&f, 0x0fff, FB_ETH_ARP);
	fb_arp(&f, 1, A4, B4);
	PARSE(&f, &pi);
	EXPECT(pi, ARP, NONE, OK);
	EQ(pi.vlan_count, 1);
	EQ(pi.vlan_id[0], 4095);
	EQ(pi.l3_off, 18);
}

TEST(test_vlan_qinq)
{
	struct fb f;
	struct pkt_info pi;

	fb_init(&f);
	fb_eth(&f, FB_ETH_8021AD);
	fb_vlan(&f, 10, FB_ETH_8021Q);
	fb_vlan(&f, 0xe000 | 20, FB_ETH_IPV6);
	fb_ipv6(&f, FB_IPPROTO_TCP, NULL, NULL);
	fb_tcp(&f, 40000, 22, 7, 8, FB_TCP_ACK, 1000);
	fb_finish(&f);
	PARSE(&f, &pi);
	EXPECT(pi, IPV6, TCP, OK);
	EQ(pi.vlan_count, 2);
	EQ(pi.vlan_id[0], 10);
	EQ(pi.vlan_id[1], 20);
	EQ(pi.ethertype, FB_ETH_IPV6);
	EQ(pi.l3_off, 22);
	EQ(pi.l4_off, 62);
	assert_ptr_equal(pi.src_addr, f.buf + 22 + 8);
	EQ(pi.dport, 22);

	/* Two 802.1Q tags (the old double tagging) are accepted too. */
	fb_init(&f);
	fb_eth(&f, FB_ETH_8021Q);
	fb_vlan(&f, 1, FB_ETH_8021Q);
	fb_vlan(&f, 2, FB_ETH_IPV4);
	fb_ipv4(&f, FB_IPPROTO_ICMP, A4, B4);
	fb_icmp(&f, 8, 0, 0x00010001);
	fb_finish(&f);
	PARSE(&f, &pi);
	EXPECT(pi, IPV4, ICMP, OK);
	EQ(pi.vlan_count, 2);
	EQ(pi.vlan_id[0], 1);
	EQ(pi.vlan_id[1], 2);
	EQ(pi.l3_off, 22);
}

TEST(test_vlan_9100_is_not_a_tag)
{
	struct fb f;
	struct pkt_info pi;

	fb_init(&f);
	fb_eth(&f, 0x9100);
	fb_vlan(&f, 30, FB_ETH_IPV4);
	fb_ipv4(&f, FB_IPPROTO_UDP, A4, B4);
	fb_udp(&f, 1, 2);
	fb_finish(&f);
	PARSE(&f, &pi);
	EXPECT(pi, OTHER, NONE, OK);
	EQ(pi.ethertype, 0x9100);
	EQ(pi.vlan_count, 0);
	EQ(pi.l3_off, 14);
	assert_null(pi.src_addr);
}

TEST(test_vlan_third_tag)
{
	struct fb f;
	struct pkt_info pi;

	fb_init(&f);
	fb_eth(&f, FB_ETH_8021AD);
	fb_vlan(&f, 1, FB_ETH_8021Q);
	fb_vlan(&f, 2, FB_ETH_8021Q);
	fb_vlan(&f, 3, FB_ETH_IPV4);
	fb_ipv4(&f, FB_IPPROTO_TCP, A4, B4);
	fb_tcp(&f, 1, 2, 3, 4, FB_TCP_SYN, 5);
	fb_finish(&f);
	PARSE(&f, &pi);
	EXPECT(pi, OTHER, NONE, OK);
	EQ(pi.vlan_count, 2);
	EQ(pi.vlan_id[0], 1);
	EQ(pi.vlan_id[1], 2);
	EQ(pi.ethertype, FB_ETH_8021Q);
	EQ(pi.l3_off, 22);
	assert_null(pi.src_addr);
	assert_no_l4_fields(&pi);
}

TEST(test_vlan_truncated)
{
	struct fb f;
	struct pkt_info pi;

	/* First tag cut: 0 to 3 of its 4 bytes. */
	for (uint32_t k = 0; k < 4; k++) {
		fb_init(&f);
		fb_eth(&f, FB_ETH_8021Q);
		fb_vlan(&f, 7, FB_ETH_IPV4);
		fb_trim(&f, 14 + k);
		PARSE(&f, &pi);
		EXPECTK(pi, OTHER, NONE, MAL_VLAN_TRUNCATED, k);
		EQ(pi.vlan_count, 0);
		EQ(pi.ethertype, FB_ETH_8021Q);
	}
	/* Second tag of a QinQ frame cut: the first one stays. */
	for (uint32_t k = 0; k < 4; k++) {
		fb_init(&f);
		fb_eth(&f, FB_ETH_8021AD);
		fb_vlan(&f, 5, FB_ETH_8021Q);
		fb_vlan(&f, 6, FB_ETH_IPV4);
		fb_trim(&f, 18 + k);
		PARSE(&f, &pi);
		EXPECTK(pi, OTHER, NONE, MAL_VLAN_TRUNCATED, k);
		EQ(pi.vlan_count, 1);
		EQ(pi.vlan_id[0], 5);
		EQ(pi.ethertype, FB_ETH_8021Q);
	}
}

/* ------------------------------------------------------------------ */
/* ARP                                                                 */
/* ------------------------------------------------------------------ */

TEST(test_arp_ok)
{
	struct fb f;
	struct pkt_info pi;

	for (int padded = 0; padded < 2; padded++) {
		fb_init(&f);
		fb_eth(&f, FB_ETH_ARP);
		fb_arp(&f, 2, A4, B4);
		if (padded)
			fb_pad_to(&f, 60);
		PARSE(&f, &pi);
		EXPECT(pi, ARP, NONE, OK);
		EQ(pi.ethertype, FB_ETH_ARP);
		EQ(pi.l3_off, 14);
		assert_null(pi.src_addr);
		EQ(pi.ip_len, 0);
	}
	/* Address lengths 0: the fixed part alone is a whole ARP header. */
	fb_init(&f);
	fb_eth(&f, FB_ETH_ARP);
	fb_append(&f, 8);
	PARSE(&f, &pi);
	EXPECT(pi, ARP, NONE, OK);
}

TEST(test_arp_truncated)
{
	struct fb f;
	struct pkt_info pi;

	/* The fixed part cut, then the addresses cut. */
	for (uint32_t k = 0; k < 28; k++) {
		fb_init(&f);
		fb_eth(&f, FB_ETH_ARP);
		fb_arp(&f, 1, A4, B4);
		fb_trim(&f, 14 + k);
		PARSE(&f, &pi);
		EXPECTK(pi, ARP, NONE, MAL_ARP_TRUNCATED, k);
	}
	/* Address lengths 255 + 255 do not fit a minimum frame. */
	fb_init(&f);
	fb_eth(&f, FB_ETH_ARP);
	fb_arp(&f, 1, A4, B4);
	f.buf[14 + 4] = 255;
	f.buf[14 + 5] = 255;
	fb_pad_to(&f, 60);
	PARSE(&f, &pi);
	EXPECT(pi, ARP, NONE, MAL_ARP_TRUNCATED);
}

/* ------------------------------------------------------------------ */
/* IPv4                                                                */
/* ------------------------------------------------------------------ */

TEST(test_ipv4_tcp_ok)
{
	struct fb f;
	struct pkt_info pi;

	v4(&f, FB_IPPROTO_TCP);
	fb_tcp(&f, 33000, 80, 100, 0, FB_TCP_SYN, 64240);
	fb_payload(&f, 10);
	fb_finish(&f);
	PARSE(&f, &pi);
	EXPECT(pi, IPV4, TCP, OK);
	EQ(pi.ethertype, FB_ETH_IPV4);
	EQ(pi.vlan_count, 0);
	EQ(pi.l3_off, 14);
	EQ(pi.l4_off, 34);
	EQ(pi.ip_proto, 6);
	EQ(pi.ip_len, 50);
	EQ(pi.l4_len, 30);
	EQ(pi.ip_fragment, false);
	assert_ptr_equal(pi.src_addr, f.buf + 26);
	assert_ptr_equal(pi.dst_addr, f.buf + 30);
	assert_memory_equal(pi.src_addr, "\x0a\x00\x00\x01", 4);
	assert_memory_equal(pi.dst_addr, "\xc0\x00\x02\x07", 4);
	EQ(pi.l4_complete, true);
	EQ(pi.payload_off, 54);
	EQ(pi.payload_len, 10);
}

TEST(test_ipv4_options)
{
	struct fb f;
	struct pkt_info pi;

	for (uint32_t words = 1; words <= 10; words++) {
		uint32_t ihl = 20 + 4 * words;

		v4(&f, FB_IPPROTO_UDP);
		fb_ipv4_opts(&f, words);
		fb_udp(&f, 1000, 2000);
		fb_payload(&f, 5);
		fb_finish(&f);
		PARSE(&f, &pi);
		EXPECTK(pi, IPV4, UDP, OK, words);
		EQ(f.buf[14] & 0x0f, 5 + words);
		EQ(pi.l4_off, 14 + ihl);
		EQ(pi.ip_len, ihl + 13);
		EQ(pi.l4_len, 13);
		EQ(pi.payload_off, 14 + ihl + 8);
		EQ(pi.payload_len, 5);
		EQ(pi.sport, 1000);
	}
}

TEST(test_ipv4_truncated)
{
	struct fb f;
	struct pkt_info pi;

	for (uint32_t k = 0; k < 20; k++) {
		v4(&f, FB_IPPROTO_TCP);
		fb_tcp(&f, 1, 2, 3, 4, 0, 5);
		fb_finish(&f);
		fb_trim(&f, 14 + k);
		PARSE(&f, &pi);
		EXPECTK(pi, IPV4, OTHER, MAL_IPV4_TRUNCATED, k);
		assert_null(pi.src_addr);
		EQ(pi.l3_off, 14);
		assert_no_l4_fields(&pi);
	}
}

TEST(test_ipv4_bad_version)
{
	static const uint8_t versions[] = {0, 6, 15};
	struct fb f;
	struct pkt_info pi;

	for (unsigned i = 0; i < sizeof(versions); i++) {
		v4(&f, FB_IPPROTO_TCP);
		fb_tcp(&f, 1, 2, 3, 4, 0, 5);
		fb_finish(&f);
		f.buf[14] = (uint8_t)(versions[i] << 4 | 5);
		PARSE(&f, &pi);
		EXPECTK(pi, IPV4, OTHER, MAL_IPV4_VERSION, versions[i]);
		assert_null(pi.src_addr);
		assert_no_l4_fields(&pi);
	}
}

TEST(test_ipv4_ihl_below_5)
{
	struct fb f;
	struct pkt_info pi;

	for (uint8_t ihl = 0; ihl < 5; ihl++) {
		v4(&f, FB_IPPROTO_TCP);
		fb_tcp(&f, 1, 2, 3, 4, 0, 5);
		fb_finish(&f);
		f.buf[14] = (uint8_t)(0x40 | ihl);
		PARSE(&f, &pi);
		EXPECTK(pi, IPV4, OTHER, MAL_IPV4_HEADER_LENGTH, ihl);
		assert_no_l4_fields(&pi);
	}
}

TEST(test_ipv4_options_cut)
{
	struct fb f;
	struct pkt_info pi;

	/* IHL 15 (60 bytes), the frame ends inside the options. */
	for (uint32_t k = 20; k < 60; k++) {
		v4(&f, FB_IPPROTO_UDP);
		fb_ipv4_opts(&f, 10);
		fb_udp(&f, 1, 2);
		fb_finish(&f);
		fb_trim(&f, 14 + k);
		PARSE(&f, &pi);
		EXPECTK(pi, IPV4, OTHER, MAL_IPV4_TRUNCATED, k);
		assert_no_l4_fields(&pi);
	}
}

TEST(test_ipv4_total_below_ihl)
{
	static const uint16_t totals[] = {0, 1, 19};
	struct fb f;
	struct pkt_info pi;

	for (unsigned i = 0; i < sizeof(totals) / sizeof(totals[0]); i++) {
		v4(&f, FB_IPPROTO_UDP);
		fb_udp(&f, 1, 2);
		fb_payload(&f, 20);
		fb_finish(&f);
		fb_wr16(f.buf + 16, totals[i]);
		PARSE(&f, &pi);
		EXPECTK(pi, IPV4, OTHER, MAL_IPV4_TOTAL_LENGTH, totals[i]);
		EQ(pi.ip_len, totals[i]);
		assert_no_l4_fields(&pi);
	}
	/* With options: IHL 6 is 24 bytes, a total of 20..23 is below it. */
	for (uint16_t total = 20; total < 24; total++) {
		v4(&f, FB_IPPROTO_UDP);
		fb_ipv4_opts(&f, 1);
		fb_udp(&f, 1, 2);
		fb_finish(&f);
		fb_wr16(f.buf + 16, total);
		PARSE(&f, &pi);
		EXPECTK(pi, IPV4, OTHER, MAL_IPV4_TOTAL_LENGTH, total);
	}
}

TEST(test_ipv4_total_above_frame)
{
	struct fb f;
	struct pkt_info pi;

	v4(&f, FB_IPPROTO_UDP);
	fb_udp(&f, 1, 2);
	fb_payload(&f, 4);
	fb_finish(&f);
	fb_wr16(f.buf + 16, 20 + 8 + 5);
	PARSE(&f, &pi);
	EXPECT(pi, IPV4, OTHER, MAL_IPV4_TOTAL_LENGTH);
	EQ(pi.ip_len, 33);
	assert_non_null(pi.src_addr);
	assert_no_l4_fields(&pi);

	fb_wr16(f.buf + 16, 0xffff);
	PARSE(&f, &pi);
	EXPECT(pi, IPV4, OTHER, MAL_IPV4_TOTAL_LENGTH);
	EQ(pi.ip_len, 0xffff);
}

TEST(test_ipv4_ethernet_padding)
{
	struct fb f;
	struct pkt_info pi;

	/* UDP with 2 bytes of payload, padded to the 60-byte minimum. */
	v4(&f, FB_IPPROTO_UDP);
	fb_udp(&f, 7, 9);
	fb_payload(&f, 2);
	fb_finish(&f);
	fb_pad_to(&f, 60);
	EQ(f.len, 60);
	PARSE(&f, &pi);
	EXPECT(pi, IPV4, UDP, OK);
	EQ(pi.ip_len, 30);
	EQ(pi.l4_len, 10);
	EQ(pi.payload_off, 42);
	EQ(pi.payload_len, 2);

	/* TCP without payload: the padding is not payload. */
	v4(&f, FB_IPPROTO_TCP);
	fb_tcp(&f, 1, 2, 3, 4, FB_TCP_ACK, 5);
	fb_finish(&f);
	fb_pad_to(&f, 60);
	PARSE(&f, &pi);
	EXPECT(pi, IPV4, TCP, OK);
	EQ(pi.ip_len, 40);
	EQ(pi.l4_len, 20);
	EQ(pi.payload_len, 0);

	/* Lots of trailing bytes: still bounded by the total length. */
	v4(&f, FB_IPPROTO_TCP);
	fb_tcp(&f, 1, 2, 3, 4, FB_TCP_ACK, 5);
	fb_payload(&f, 3);
	fb_finish(&f);
	fb_pad(&f, 900);
	PARSE(&f, &pi);
	EXPECT(pi, IPV4, TCP, OK);
	EQ(pi.payload_len, 3);
	EQ(pi.l4_len, 23);
}

TEST(test_ipv4_first_fragment)
{
	struct fb f;
	struct pkt_info pi;

	v4(&f, FB_IPPROTO_TCP);
	fb_ipv4_frag(&f, FB_IP_MF, 0);
	fb_tcp(&f, 5555, 443, 11, 22, FB_TCP_PSH | FB_TCP_ACK, 300);
	fb_payload(&f, 64);
	fb_finish(&f);
	PARSE(&f, &pi);
	EXPECT(pi, IPV4, TCP, OK);
	EQ(pi.ip_fragment, true);
	EQ(pi.sport, 5555);
	EQ(pi.dport, 443);
	EQ(pi.tcp_flags, FB_TCP_PSH | FB_TCP_ACK);
	EQ(pi.l4_complete, true);
	EQ(pi.payload_len, 64);
}

TEST(test_ipv4_later_fragment)
{
	static const uint16_t flags[] = {0, FB_IP_MF, FB_IP_DF};
	struct fb f;
	struct pkt_info pi;

	for (unsigned i = 0; i < 3; i++) {
		/* The bytes after the header look like TCP but are not. */
		v4(&f, FB_IPPROTO_TCP);
		fb_ipv4_frag(&f, flags[i], 185);
		fb_tcp(&f, 1, 2, 3, 4, FB_TCP_SYN, 5);
		fb_payload(&f, 8);
		fb_finish(&f);
		PARSE(&f, &pi);
		EXPECTK(pi, IPV4, OTHER, OK, i);
		EQ(pi.ip_fragment, true);
		EQ(pi.ip_proto, 6);
		EQ(pi.l4_off, 34);
		EQ(pi.l4_len, 28);
		assert_no_l4_fields(&pi);
		assert_non_null(pi.src_addr);
	}
	/* A later fragment too short for a TCP header is not tcp_truncated. */
	v4(&f, FB_IPPROTO_TCP);
	fb_ipv4_frag(&f, 0, 1);
	fb_payload(&f, 3);
	fb_finish(&f);
	PARSE(&f, &pi);
	EXPECT(pi, IPV4, OTHER, OK);
	EQ(pi.ip_fragment, true);
	/* The largest offset. */
	v4(&f, FB_IPPROTO_UDP);
	fb_ipv4_frag(&f, 0, 0x1fff);
	fb_payload(&f, 8);
	fb_finish(&f);
	PARSE(&f, &pi);
	EXPECT(pi, IPV4, OTHER, OK);
	EQ(pi.ip_fragment, true);
}

TEST(test_ipv4_df_is_not_a_fragment)
{
	static const uint16_t flags[] = {0, FB_IP_DF, 0x8000, 0x8000 | FB_IP_DF};
	struct fb f;
	struct pkt_info pi;

	for (unsigned i = 0; i < 4; i++) {
		v4(&f, FB_IPPROTO_TCP);
		fb_ipv4_frag(&f, flags[i], 0);
		fb_tcp(&f, 1, 2, 3, 4, FB_TCP_ACK, 5);
		fb_finish(&f);
		PARSE(&f, &pi);
		EXPECTK(pi, IPV4, TCP, OK, flags[i]);
		EQ(pi.ip_fragment, false);
		EQ(pi.l4_complete, true);
	}
}

TEST(test_ipv4_other_protocol)
{
	static const uint8_t protos[] = {FB_IPPROTO_GRE, FB_IPPROTO_ESP, 0, 41, 132, 255};
	struct fb f;
	struct pkt_info pi;

	for (unsigned i = 0; i < sizeof(protos); i++) {
		v4(&f, protos[i]);
		fb_payload(&f, 24);
		fb_finish(&f);
		PARSE(&f, &pi);
		EXPECTK(pi, IPV4, OTHER, OK, protos[i]);
		EQ(pi.ip_proto, protos[i]);
		EQ(pi.l4_off, 34);
		EQ(pi.l4_len, 24);
		assert_no_l4_fields(&pi);
	}
}

/* ------------------------------------------------------------------ */
/* IPv6                                                                */
/* ------------------------------------------------------------------ */

TEST(test_ipv6_ok)
{
	static const uint8_t src[16] = {0xfe, 0x80, [8] = 0x11, [15] = 0x99};
	static const uint8_t dst[16] = {0xff, 0x02, [15] = 1};
	struct fb f;
	struct pkt_info pi;

	fb_init(&f);
	fb_eth(&f, FB_ETH_IPV6);
	fb_ipv6(&f, FB_IPPROTO_TCP, src, dst);
	fb_tcp(&f, 50000, 8080, 1, 2, FB_TCP_SYN | FB_TCP_ACK, 7);
	fb_payload(&f, 3);
	fb_finish(&f);
	PARSE(&f, &pi);
	EXPECT(pi, IPV6, TCP, OK);
	EQ(pi.ethertype, FB_ETH_IPV6);
	EQ(pi.l3_off, 14);
	EQ(pi.l4_off, 54);
	EQ(pi.ip_proto, 6);
	EQ(pi.ip_len, 63);
	EQ(pi.l4_len, 23);
	EQ(pi.ip_fragment, false);
	assert_ptr_equal(pi.src_addr, f.buf + 22);
	assert_ptr_equal(pi.dst_addr, f.buf + 38);
	assert_memory_equal(pi.src_addr, src, 16);
	assert_memory_equal(pi.dst_addr, dst, 16);
	EQ(pi.payload_off, 74);
	EQ(pi.payload_len, 3);

	v6(&f, FB_IPPROTO_UDP);
	fb_udp(&f, 546, 547);
	fb_payload(&f, 30);
	fb_finish(&f);
	PARSE(&f, &pi);
	EXPECT(pi, IPV6, UDP, OK);
	EQ(pi.ip_proto, 17);
	EQ(pi.sport, 546);
	EQ(pi.payload_off, 62);
	EQ(pi.payload_len, 30);

	v6(&f, FB_IPPROTO_ICMPV6);
	fb_icmp6(&f, 135, 0);
	fb_payload(&f, 20);
	fb_finish(&f);
	PARSE(&f, &pi);
	EXPECT(pi, IPV6, ICMPV6, OK);
	EQ(pi.ip_proto, 58);
	EQ(pi.icmp_type, 135);
	EQ(pi.icmp_code, 0);
	EQ(pi.l4_complete, true);

	/* Padding after a short IPv6 packet. */
	v6(&f, FB_IPPROTO_UDP);
	fb_udp(&f, 1, 2);
	fb_finish(&f);
	fb_pad(&f, 100);
	PARSE(&f, &pi);
	EXPECT(pi, IPV6, UDP, OK);
	EQ(pi.ip_len, 48);
	EQ(pi.l4_len, 8);
	EQ(pi.payload_len, 0);
}

TEST(test_ipv6_truncated)
{
	struct fb f;
	struct pkt_info pi;

	for (uint32_t k = 0; k < 40; k++) {
		v6(&f, FB_IPPROTO_TCP);
		fb_tcp(&f, 1, 2, 3, 4, 0, 5);
		fb_finish(&f);
		fb_trim(&f, 14 + k);
		PARSE(&f, &pi);
		EXPECTK(pi, IPV6, OTHER, MAL_IPV6_TRUNCATED, k);
		assert_null(pi.src_addr);
		assert_no_l4_fields(&pi);
	}
}

TEST(test_ipv6_bad_version)
{
	static const uint8_t versions[] = {0, 4, 7, 15};
	struct fb f;
	struct pkt_info pi;

	for (unsigned i = 0; i < sizeof(versions); i++) {
		v6(&f, FB_IPPROTO_TCP);
		fb_tcp(&f, 1, 2, 3, 4, 0, 5);
		fb_finish(&f);
		f.buf[14] = (uint8_t)(versions[i] << 4);
		PARSE(&f, &pi);
		EXPECTK(pi, IPV6, OTHER, MAL_IPV6_VERSION, versions[i]);
		assert_null(pi.src_addr);
		assert_no_l4_fields(&pi);
	}
}

TEST(test_ipv6_payload_length_above_frame)
{
	struct fb f;
	struct pkt_info pi;

	v6(&f, FB_IPPROTO_UDP);
	fb_udp(&f, 1, 2);
	fb_payload(&f, 4);
	fb_finish(&f);
	fb_wr16(f.buf + 18, 13);
	PARSE(&f, &pi);
	EXPECT(pi, IPV6, OTHER, MAL_IPV6_PAYLOAD_LENGTH);
	EQ(pi.ip_len, 53);
	assert_no_l4_fields(&pi);

	fb_wr16(f.buf + 18, 0xffff);
	PARSE(&f, &pi);
	EXPECT(pi, IPV6, OTHER, MAL_IPV6_PAYLOAD_LENGTH);
	EQ(pi.ip_len, 40 + 0xffff);
}

TEST(test_ipv6_each_extension)
{
	static const uint8_t types[] = {FB_IPPROTO_HOPOPTS, FB_IPPROTO_ROUTING, FB_IPPROTO_DSTOPTS};
	struct fb f;
	struct pkt_info pi;

	for (unsigned i = 0; i < 3; i++) {
		for (uint8_t extlen = 0; extlen < 3; extlen++) {
			uint32_t l4 = 54 + (extlen + 1u) * 8;

			v6(&f, types[i]);
			fb_ipv6_ext(&f, FB_IPPROTO_TCP, extlen);
			fb_tcp(&f, 100, 200, 1, 2, FB_TCP_ACK, 3);
			fb_payload(&f, 1);
			fb_finish(&f);
			PARSE(&f, &pi);
			EXPECTK(pi, IPV6, TCP, OK, types[i]);
			EQ(pi.ip_proto, 6);
			EQ(pi.ip_fragment, false);
			EQ(pi.l4_off, l4);
			EQ(pi.l4_len, 21);
			EQ(pi.payload_off, l4 + 20);
			EQ(pi.payload_len, 1);
			EQ(pi.sport, 100);
		}
	}
}

TEST(test_ipv6_extension_chain)
{
	struct fb f;
	struct pkt_info pi;

	v6(&f, FB_IPPROTO_HOPOPTS);
	fb_ipv6_ext(&f, FB_IPPROTO_DSTOPTS, 0);
	fb_ipv6_ext(&f, FB_IPPROTO_ROUTING, 1);
	fb_ipv6_ext(&f, FB_IPPROTO_FRAGMENT, 2);
	fb_ipv6_frag(&f, FB_IPPROTO_DSTOPTS, 0, 1);
	fb_ipv6_ext(&f, FB_IPPROTO_UDP, 0);
	fb_udp(&f, 4500, 4500);
	fb_payload(&f, 9);
	fb_finish(&f);
	PARSE(&f, &pi);
	EXPECT(pi, IPV6, UDP, OK);
	EQ(pi.ip_proto, 17);
	EQ(pi.ip_fragment, true);
	EQ(pi.l4_off, 54 + 8 + 16 + 24 + 8 + 8);
	EQ(pi.l4_len, 17);
	EQ(pi.payload_len, 9);

	/* Ending in an ICMPv6 message. */
	v6(&f, FB_IPPROTO_HOPOPTS);
	fb_ipv6_ext(&f, FB_IPPROTO_ICMPV6, 0);
	fb_icmp6(&f, 143, 0);
	fb_payload(&f, 24);
	fb_finish(&f);
	PARSE(&f, &pi);
	EXPECT(pi, IPV6, ICMPV6, OK);
	EQ(pi.icmp_type, 143);
	EQ(pi.l4_off, 62);
}

TEST(test_ipv6_first_fragment)
{
	struct fb f;
	struct pkt_info pi;

	v6(&f, FB_IPPROTO_FRAGMENT);
	fb_ipv6_frag(&f, FB_IPPROTO_TCP, 0, 1);
	fb_tcp(&f, 1111, 2222, 3, 4, FB_TCP_SYN, 5);
	fb_payload(&f, 100);
	fb_finish(&f);
	PARSE(&f, &pi);
	EXPECT(pi, IPV6, TCP, OK);
	EQ(pi.ip_fragment, true);
	EQ(pi.ip_proto, 6);
	EQ(pi.l4_off, 62);
	EQ(pi.sport, 1111);
	EQ(pi.payload_len, 100);

	/* An atomic fragment (offset 0, no M flag) is still a fragment header. */
	v6(&f, FB_IPPROTO_FRAGMENT);
	fb_ipv6_frag(&f, FB_IPPROTO_UDP, 0, 0);
	fb_udp(&f, 1, 2);
	fb_finish(&f);
	PARSE(&f, &pi);
	EXPECT(pi, IPV6, UDP, OK);
	EQ(pi.ip_fragment, true);
}

TEST(test_ipv6_later_fragment)
{
	static const uint16_t offsets[] = {1, 100, 0x1fff};
	struct fb f;
	struct pkt_info pi;

	for (unsigned i = 0; i < 3; i++) {
		for (int more = 0; more < 2; more++) {
			v6(&f, FB_IPPROTO_HOPOPTS);
			fb_ipv6_ext(&f, FB_IPPROTO_FRAGMENT, 0);
			fb_ipv6_frag(&f, FB_IPPROTO_TCP, offsets[i], more);
			fb_payload(&f, 12); /* too short for TCP: not read */
			fb_finish(&f);
			PARSE(&f, &pi);
			EXPECTK(pi, IPV6, OTHER, OK, offsets[i]);
			EQ(pi.ip_fragment, true);
			EQ(pi.ip_proto, 6);
			EQ(pi.l4_off, 54 + 8 + 8);
			EQ(pi.l4_len, 12);
			assert_no_l4_fields(&pi);
		}
	}
}

TEST(test_ipv6_fragment_header_chain)
{
	struct fb f;
	struct pkt_info pi;

	/* 200 fragment headers with offset 0: real captures have them, and a
	 * fixed walk limit would misclassify them. */
	v6(&f, FB_IPPROTO_FRAGMENT);
	for (int i = 0; i < 200; i++)
		fb_ipv6_frag(&f, i == 199 ? FB_IPPROTO_TCP : FB_IPPROTO_FRAGMENT, 0, 1);
	fb_tcp(&f, 9, 10, 11, 12, FB_TCP_FIN | FB_TCP_ACK, 13);
	fb_payload(&f, 2);
	fb_finish(&f);
	PARSE(&f, &pi);
	EXPECT(pi, IPV6, TCP, OK);
	EQ(pi.ip_fragment, true);
	EQ(pi.l4_off, 54 + 200 * 8);
	EQ(pi.sport, 9);
	EQ(pi.dport, 10);
	EQ(pi.tcp_flags, FB_TCP_FIN | FB_TCP_ACK);
	EQ(pi.payload_len, 2);

	/* 1000 destination options headers, likewise. */
	v6(&f, FB_IPPROTO_DSTOPTS);
	for (int i = 0; i < 1000; i++)
		fb_ipv6_ext(&f, i == 999 ? FB_IPPROTO_UDP : FB_IPPROTO_DSTOPTS, 0);
	fb_udp(&f, 1, 2);
	fb_finish(&f);
	PARSE(&f, &pi);
	EXPECT(pi, IPV6, UDP, OK);
	EQ(pi.l4_off, 54 + 8000);
}

TEST(test_ipv6_extension_truncated)
{
	static const uint8_t types[] = {FB_IPPROTO_HOPOPTS, FB_IPPROTO_ROUTING, FB_IPPROTO_DSTOPTS,
					FB_IPPROTO_FRAGMENT};
	struct fb f;
	struct pkt_info pi;

	/* Fewer than 8 bytes left for the extension header. */
	for (unsigned i = 0; i < 4; i++) {
		for (uint32_t k = 0; k < 8; k++) {
			v6(&f, types[i]);
			fb_payload(&f, k);
			fb_finish(&f);
			PARSE(&f, &pi);
			EXPECTK(pi, IPV6, OTHER, MAL_IPV6_EXT_TRUNCATED, types[i] * 100 + k);
			assert_non_null(pi.src_addr);
			assert_no_l4_fields(&pi);
		}
	}
	/* The length field overruns the payload: 16 or 2048 bytes announced. */
	for (unsigned i = 0; i < 3; i++) {
		for (uint32_t k = 8; k < 16; k++) {
			v6(&f, types[i]);
			fb_ipv6_ext(&f, FB_IPPROTO_TCP, 0);
			fb_payload(&f, k - 8);
			f.buf[55] = 1;
			fb_finish(&f);
			PARSE(&f, &pi);
			EXPECTK(pi, IPV6, OTHER, MAL_IPV6_EXT_TRUNCATED, types[i] * 100 + k);
		}
		v6(&f, types[i]);
		fb_ipv6_ext(&f, FB_IPPROTO_TCP, 0);
		fb_tcp(&f, 1, 2, 3, 4, 0, 5);
		f.buf[55] = 255;
		fb_finish(&f);
		fb_pad(&f, 2048); /* in the frame, but past the payload length */
		PARSE(&f, &pi);
		EXPECTK(pi, IPV6, OTHER, MAL_IPV6_EXT_TRUNCATED, types[i]);
	}
	/* Deeper in a chain: the second header is cut. */
	v6(&f, FB_IPPROTO_HOPOPTS);
	fb_ipv6_ext(&f, FB_IPPROTO_ROUTING, 0);
	fb_ipv6_ext(&f, FB_IPPROTO_TCP, 1);
	fb_finish(&f);
	fb_wr16(f.buf + 18, 8 + 12);
	fb_trim(&f, 14 + 40 + 20);
	PARSE(&f, &pi);
	EXPECT(pi, IPV6, OTHER, MAL_IPV6_EXT_TRUNCATED);
}

TEST(test_ipv6_headers_not_walked)
{
	static const uint8_t protos[] = {FB_IPPROTO_AH,	  FB_IPPROTO_ESP, FB_IPPROTO_MOBILITY,
					 FB_IPPROTO_NONE, FB_IPPROTO_GRE, 41};
	struct fb f;
	struct pkt_info pi;

	for (unsigned i = 0; i < sizeof(protos); i++) {
		/* Directly after the base header... */
		v6(&f, protos[i]);
		fb_payload(&f, 24);
		f.buf[54] = FB_IPPROTO_TCP; /* a next-header field: not followed */
		fb_finish(&f);
		PARSE(&f, &pi);
		EXPECTK(pi, IPV6, OTHER, OK, protos[i]);
		EQ(pi.ip_proto, protos[i]);
		EQ(pi.l4_off, 54);
		EQ(pi.l4_len, 24);
		assert_no_l4_fields(&pi);

		/* ...and after a hop-by-hop header. */
		v6(&f, FB_IPPROTO_HOPOPTS);
		fb_ipv6_ext(&f, protos[i], 0);
		fb_payload(&f, 16);
		fb_finish(&f);
		PARSE(&f, &pi);
		EXPECTK(pi, IPV6, OTHER, OK, protos[i]);
		EQ(pi.ip_proto, protos[i]);
		EQ(pi.l4_off, 62);
	}
	/* No Next Header with nothing after it. */
	v6(&f, FB_IPPROTO_NONE);
	fb_finish(&f);
	PARSE(&f, &pi);
	EXPECT(pi, IPV6, OTHER, OK);
	EQ(pi.l4_len, 0);
}

/*
 * Offsets are from the start of the frame (parse.h). An IPv6 packet of up to
 * 40 + 65535 bytes can put its L4 header past byte 65535 of the frame (a long
 * extension chain); pcap snap lengths reach 262144, so such a frame reaches
 * pkt_parse() from `xdpi read`. The reported offsets must then still locate
 * the TCP header, or the frame must not claim a complete L4 header.
 */
TEST(test_ipv6_offsets_past_64k)
{
	struct fb *f = live_set(LIVE_TEST, malloc(sizeof(*f)));
	struct pkt_info pi;
	uint32_t tcp_off;

	assert_non_null(f);
	v6(f, FB_IPPROTO_DSTOPTS);
	for (int i = 0; i < 31; i++)
		fb_ipv6_ext(f, FB_IPPROTO_DSTOPTS, 255); /* 2048 bytes each */
	fb_ipv6_ext(f, FB_IPPROTO_TCP, 249);		 /* 2000 bytes */
	tcp_off = f->len;
	fb_tcp(f, 0x1234, 0x5678, 1, 2, FB_TCP_ACK, 3);
	fb_finish(f);
	EQ(tcp_off, 65542);
	EQ(f->len, 65562);
	PARSE(f, &pi);
	/* Offsets are 32-bit and the walk is bounded by the frame only: a
	 * TCP header past 64 KiB parses in full. */
	EQ(pi.l3, PKT_L3_IPV6);
	assert_true(pi.l4_complete);
	EXPECT(pi, IPV6, TCP, OK);
	EQ(pi.sport, 0x1234);
	EQ(pi.l4_off, tcp_off);
	EQ(pi.payload_off, tcp_off + 20);
	live_free(LIVE_TEST);
}

/* ------------------------------------------------------------------ */
/* TCP                                                                 */
/* ------------------------------------------------------------------ */

TEST(test_tcp_fields)
{
	struct fb f;
	struct pkt_info pi;

	v4(&f, FB_IPPROTO_TCP);
	fb_tcp(&f, 0xc001, 443, 0xdeadbeef, 0x01020304, FB_TCP_PSH | FB_TCP_ACK, 0xfedc);
	fb_payload(&f, 100);
	fb_finish(&f);
	PARSE(&f, &pi);
	EXPECT(pi, IPV4, TCP, OK);
	EQ(pi.sport, 0xc001);
	EQ(pi.dport, 443);
	EQ(pi.tcp_seq, 0xdeadbeef);
	EQ(pi.tcp_ack, 0x01020304);
	EQ(pi.tcp_flags, FB_TCP_PSH | FB_TCP_ACK);
	EQ(pi.tcp_window, 0xfedc);
	EQ(pi.l4_complete, true);
	EQ(pi.l4_off, 34);
	EQ(pi.l4_len, 120);
	EQ(pi.payload_off, 54);
	EQ(pi.payload_len, 100);
	EQ(pi.tcp_opts.present, 0);
	EQ(pi.icmp_type, 0);
}

TEST(test_tcp_every_flag_combination)
{
	struct fb f;
	struct pkt_info pi;

	for (unsigned flags = 0; flags < 256; flags++) {
		if (flags % 2)
			v4(&f, FB_IPPROTO_TCP);
		else
			v6(&f, FB_IPPROTO_TCP);
		fb_tcp(&f, 1, 2, 3, 4, (uint8_t)flags, 5);
		fb_finish(&f);
		PARSE(&f, &pi);
		EXPECTK(pi, IPV4 + (flags % 2 == 0), TCP, OK, flags);
		EQ(pi.tcp_flags, flags);
		EQ(pi.l4_complete, true);
	}
}

TEST(test_tcp_truncated)
{
	struct fb f;
	struct pkt_info pi;

	for (uint32_t k = 0; k < 20; k++) {
		for (int ip6 = 0; ip6 < 2; ip6++) {
			if (ip6)
				v6(&f, FB_IPPROTO_TCP);
			else
				v4(&f, FB_IPPROTO_TCP);
			fb_payload(&f, k);
			fb_finish(&f);
			fb_pad_to(&f, 60);
			PARSE(&f, &pi);
			EXPECTK(pi, IPV4 + ip6, TCP, MAL_TCP_TRUNCATED, k);
			EQ(pi.l4_complete, false);
			EQ(pi.l4_off, ip6 ? 54 : 34);
			EQ(pi.payload_len, 0);
		}
	}
}

TEST(test_tcp_data_offset_below_5)
{
	struct fb f;
	struct pkt_info pi;

	for (uint8_t doff = 0; doff < 5; doff++) {
		v4(&f, FB_IPPROTO_TCP);
		fb_tcp(&f, 1, 2, 3, 4, FB_TCP_SYN, 5);
		fb_payload(&f, 40);
		fb_tcp_doff(&f, doff);
		fb_finish(&f);
		PARSE(&f, &pi);
		EXPECTK(pi, IPV4, TCP, MAL_TCP_DATA_OFFSET, doff);
		EQ(pi.l4_complete, false);
		EQ(pi.payload_len, 0);
	}
}

TEST(test_tcp_data_offset_beyond_packet)
{
	struct fb f;
	struct pkt_info pi;

	/* A 20-byte header claiming 24..60 bytes. */
	for (uint8_t doff = 6; doff < 16; doff++) {
		v6(&f, FB_IPPROTO_TCP);
		fb_tcp(&f, 1, 2, 3, 4, FB_TCP_SYN, 5);
		fb_tcp_doff(&f, doff);
		fb_finish(&f);
		fb_pad(&f, 60); /* in the frame but past the IP packet */
		PARSE(&f, &pi);
		EXPECTK(pi, IPV6, TCP, MAL_TCP_TRUNCATED, doff);
		EQ(pi.l4_complete, false);
		EQ(pi.payload_len, 0);
	}
	/* One byte short of a 60-byte header. */
	v4(&f, FB_IPPROTO_TCP);
	fb_tcp(&f, 1, 2, 3, 4, FB_TCP_SYN, 5);
	fb_payload(&f, 39);
	fb_tcp_doff(&f, 15);
	fb_finish(&f);
	PARSE(&f, &pi);
	EXPECT(pi, IPV4, TCP, MAL_TCP_TRUNCATED);
	/* Exactly 60: complete. */
	v4(&f, FB_IPPROTO_TCP);
	fb_tcp(&f, 1, 2, 3, 4, FB_TCP_SYN, 5);
	fb_payload(&f, 40);
	memset(f.buf + 54, 1, 40); /* NOPs */
	fb_tcp_doff(&f, 15);
	fb_finish(&f);
	PARSE(&f, &pi);
	EXPECT(pi, IPV4, TCP, OK);
	EQ(pi.payload_off, 94);
	EQ(pi.payload_len, 0);
}

/* A TCP/IPv4 frame with @n bytes of raw options and 5 bytes of payload. */
static void tcp_with_opts(struct fb *f, const uint8_t *opts, uint32_t n)
{
	v4(f, FB_IPPROTO_TCP);
	fb_tcp(f, 4321, 80, 0x11111111, 0x22222222, FB_TCP_SYN | FB_TCP_ACK, 29200);
	fb_tcp_opts(f, opts, n);
	fb_payload(f, 5);
	fb_finish(f);
}

static void assert_tcp_filled(const struct pkt_info *pi, uint32_t n)
{
	uint32_t doff = 20 + ((n + 3) & ~3u);

	EQ(pi->l4, PKT_L4_TCP);
	EQ(pi->l4_complete, true);
	EQ(pi->sport, 4321);
	EQ(pi->dport, 80);
	EQ(pi->tcp_seq, 0x11111111);
	EQ(pi->tcp_ack, 0x22222222);
	EQ(pi->tcp_flags, FB_TCP_SYN | FB_TCP_ACK);
	EQ(pi->tcp_window, 29200);
	EQ(pi->payload_off, 34 + doff);
	EQ(pi->payload_len, 5);
}

TEST(test_tcp_options_known)
{
	/* A Linux SYN-ACK: MSS, SACK-permitted, timestamps, NOP, wscale. */
	/* clang-format off */
	static const uint8_t opts[] = {
		2, 4, 0x05, 0xb4,			/* MSS 1460 */
		4, 2,					/* SACK permitted */
		8, 10, 1, 2, 3, 4, 0xa1, 0xa2, 0xa3, 0xa4,	/* timestamps */
		1,					/* NOP */
		3, 3, 7,				/* wscale 7 */
	};
	/* NOP padding between options and a final EOL. */
	static const uint8_t opts2[] = {
		1, 1,					/* NOP NOP */
		8, 10, 0, 0, 0, 9, 0, 0, 0, 8,		/* timestamps */
		1,					/* NOP */
		2, 4, 0x23, 0x28,			/* MSS 9000 */
		0,					/* EOL */
	};
	/* clang-format on */
	struct fb f;
	struct pkt_info pi;

	tcp_with_opts(&f, opts, sizeof(opts));
	PARSE(&f, &pi);
	EXPECT(pi, IPV4, TCP, OK);
	assert_tcp_filled(&pi, sizeof(opts));
	EQ(pi.tcp_opts.present,
	   PKT_TCPOPT_MSS | PKT_TCPOPT_WSCALE | PKT_TCPOPT_SACK_PERM | PKT_TCPOPT_TIMESTAMP);
	EQ(pi.tcp_opts.mss, 1460);
	EQ(pi.tcp_opts.wscale, 7);
	EQ(pi.tcp_opts.ts_val, 0x01020304);
	EQ(pi.tcp_opts.ts_ecr, 0xa1a2a3a4);

	tcp_with_opts(&f, opts2, sizeof(opts2));
	PARSE(&f, &pi);
	EXPECT(pi, IPV4, TCP, OK);
	assert_tcp_filled(&pi, sizeof(opts2));
	EQ(pi.tcp_opts.present, PKT_TCPOPT_MSS | PKT_TCPOPT_TIMESTAMP);
	EQ(pi.tcp_opts.mss, 9000);
	EQ(pi.tcp_opts.ts_val, 9);
	EQ(pi.tcp_opts.ts_ecr, 8);
	EQ(pi.tcp_opts.wscale, 0);
}

TEST(test_tcp_options_eol)
{
	/* wscale 14, EOL: everything after EOL is ignored, even nonsense. */
	static const uint8_t opts[] = {3, 3, 14, 0, 2, 0, 2, 4, 1, 1, 0xff};
	static const uint8_t only_nops[] = {1, 1, 1, 1, 1, 1, 1, 1};
	static const uint8_t only_eol[] = {0, 0, 0, 0};
	struct fb f;
	struct pkt_info pi;

	tcp_with_opts(&f, opts, sizeof(opts));
	PARSE(&f, &pi);
	EXPECT(pi, IPV4, TCP, OK);
	assert_tcp_filled(&pi, sizeof(opts));
	EQ(pi.tcp_opts.present, PKT_TCPOPT_WSCALE);
	EQ(pi.tcp_opts.wscale, 14);
	EQ(pi.tcp_opts.mss, 0);

	tcp_with_opts(&f, only_nops, sizeof(only_nops));
	PARSE(&f, &pi);
	EXPECT(pi, IPV4, TCP, OK);
	EQ(pi.tcp_opts.present, 0);

	tcp_with_opts(&f, only_eol, sizeof(only_eol));
	PARSE(&f, &pi);
	EXPECT(pi, IPV4, TCP, OK);
	EQ(pi.tcp_opts.present, 0);
}

TEST(test_tcp_options_unknown_skipped)
{
	/* MPTCP (30, 12 bytes), SACK blocks (5, 10 bytes), a 2-byte unknown
	 * kind, then MSS: the unknown ones are stepped over by their length. */
	/* clang-format off */
	static const uint8_t opts[] = {
		30, 12, 2, 4, 0, 0, 0, 0, 0, 0, 0, 0,	/* MPTCP */
		5, 10, 2, 4, 0, 0, 0, 0, 0, 0,		/* SACK blocks */
		254, 2,					/* experimental, empty */
		2, 4, 0x02, 0x18,			/* MSS 536 */
	};
	/* clang-format on */
	struct fb f;
	struct pkt_info pi;

	tcp_with_opts(&f, opts, sizeof(opts));
	PARSE(&f, &pi);
	EXPECT(pi, IPV4, TCP, OK);
	assert_tcp_filled(&pi, sizeof(opts));
	EQ(pi.tcp_opts.present, PKT_TCPOPT_MSS);
	EQ(pi.tcp_opts.mss, 536);
}

TEST(test_tcp_options_bad)
{
	static const struct {
		const char *what;
		uint8_t n;
		uint8_t opts[12];
	} cases[] = {
		{"length 0", 4, {2, 0, 5, 0xb4}},
		{"length 1", 4, {30, 1, 1, 1}},
		{"length 0 after NOPs", 4, {1, 1, 8, 0}},
		{"overruns the header", 8, {8, 10, 1, 2, 3, 4, 5, 6}},
		{"overruns by one", 4, {1, 30, 4, 0}},
		{"kind in the last byte", 4, {1, 1, 1, 2}},
		{"MSS length 3", 4, {2, 3, 5, 1}},
		{"MSS length 5", 8, {2, 5, 5, 0xb4, 0, 1, 1, 1}},
		{"MSS length 2", 4, {2, 2, 1, 1}},
		{"wscale length 2", 4, {3, 2, 1, 1}},
		{"wscale length 4", 4, {3, 4, 7, 0}},
		{"SACK-permitted length 3", 4, {4, 3, 0, 1}},
		{"timestamps length 8", 8, {8, 8, 0, 0, 0, 1, 0, 0}},
		{"timestamps length 12", 12, {8, 12, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0}},
		{"good MSS then length 1", 8, {2, 4, 5, 0xb4, 3, 1, 0, 0}},
	};
	struct fb f;
	struct pkt_info pi;

	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		tcp_with_opts(&f, cases[i].opts, cases[i].n);
		PARSE(&f, &pi);
		if (pi.malformed != PKT_MAL_TCP_OPTIONS)
			fail_msg("%s: got %s, want tcp_bad_options", cases[i].what,
				 maln(pi.malformed));
		EXPECTK(pi, IPV4, TCP, MAL_TCP_OPTIONS, i);
		assert_tcp_filled(&pi, cases[i].n);
	}
}

/* ------------------------------------------------------------------ */
/* UDP                                                                 */
/* ------------------------------------------------------------------ */

TEST(test_udp_ok)
{
	struct fb f;
	struct pkt_info pi;

	v4(&f, FB_IPPROTO_UDP);
	fb_udp(&f, 12345, 53);
	fb_payload(&f, 33);
	fb_finish(&f);
	PARSE(&f, &pi);
	EXPECT(pi, IPV4, UDP, OK);
	EQ(pi.sport, 12345);
	EQ(pi.dport, 53);
	EQ(pi.l4_off, 34);
	EQ(pi.l4_len, 41);
	EQ(pi.payload_off, 42);
	EQ(pi.payload_len, 33);
	EQ(pi.l4_complete, true);
	EQ(pi.tcp_flags, 0);

	/* Empty datagram. */
	v6(&f, FB_IPPROTO_UDP);
	fb_udp(&f, 1, 2);
	fb_finish(&f);
	PARSE(&f, &pi);
	EXPECT(pi, IPV6, UDP, OK);
	EQ(pi.payload_off, 62);
	EQ(pi.payload_len, 0);
	EQ(pi.l4_complete, true);

	/* A UDP length shorter than the IP payload: the UDP length wins. */
	v4(&f, FB_IPPROTO_UDP);
	fb_udp(&f, 1, 2);
	fb_payload(&f, 20);
	fb_finish(&f);
	fb_wr16(f.buf + 38, 8 + 5);
	PARSE(&f, &pi);
	EXPECT(pi, IPV4, UDP, OK);
	EQ(pi.l4_len, 28);
	EQ(pi.payload_len, 5);
}

TEST(test_udp_truncated)
{
	struct fb f;
	struct pkt_info pi;

	for (uint32_t k = 0; k < 8; k++) {
		for (int ip6 = 0; ip6 < 2; ip6++) {
			if (ip6)
				v6(&f, FB_IPPROTO_UDP);
			else
				v4(&f, FB_IPPROTO_UDP);
			fb_payload(&f, k);
			fb_finish(&f);
			fb_pad_to(&f, 60);
			PARSE(&f, &pi);
			EXPECTK(pi, IPV4 + ip6, UDP, MAL_UDP_TRUNCATED, k);
			EQ(pi.l4_complete, false);
		}
	}
}

TEST(test_udp_bad_length)
{
	static const uint16_t above[] = {19, 100, 0xffff};
	struct fb f;
	struct pkt_info pi;

	for (uint16_t ulen = 0; ulen < 8; ulen++) {
		v4(&f, FB_IPPROTO_UDP);
		fb_udp(&f, 1, 2);
		fb_payload(&f, 10);
		fb_finish(&f);
		fb_wr16(f.buf + 38, ulen);
		PARSE(&f, &pi);
		EXPECTK(pi, IPV4, UDP, MAL_UDP_LENGTH, ulen);
		EQ(pi.l4_complete, false);
		EQ(pi.payload_len, 0);
	}
	/* Above what the IP packet holds, even with padding in the frame. */
	for (unsigned i = 0; i < 3; i++) {
		v6(&f, FB_IPPROTO_UDP);
		fb_udp(&f, 1, 2);
		fb_payload(&f, 10);
		fb_finish(&f);
		fb_pad(&f, 200);
		fb_wr16(f.buf + 58, above[i]);
		PARSE(&f, &pi);
		EXPECTK(pi, IPV6, UDP, MAL_UDP_LENGTH, above[i]);
		EQ(pi.l4_complete, false);
	}
}

/* ------------------------------------------------------------------ */
/* ICMP                                                                */
/* ------------------------------------------------------------------ */

TEST(test_icmp_ok)
{
	struct fb f;
	struct pkt_info pi;

	v4(&f, FB_IPPROTO_ICMP);
	fb_icmp(&f, 8, 0, 0x12340001);
	fb_payload(&f, 56);
	fb_finish(&f);
	PARSE(&f, &pi);
	EXPECT(pi, IPV4, ICMP, OK);
	EQ(pi.ip_proto, 1);
	EQ(pi.icmp_type, 8);
	EQ(pi.icmp_code, 0);
	EQ(pi.l4_complete, true);
	EQ(pi.l4_off, 34);
	EQ(pi.l4_len, 64);
	EQ(pi.sport, 0);
	EQ(pi.dport, 0);

	/* Exactly the 8-byte header. */
	v4(&f, FB_IPPROTO_ICMP);
	fb_icmp(&f, 0, 0, 0);
	fb_finish(&f);
	fb_pad_to(&f, 60);
	PARSE(&f, &pi);
	EXPECT(pi, IPV4, ICMP, OK);
	EQ(pi.l4_complete, true);
}

TEST(test_icmp_truncated)
{
	struct fb f;
	struct pkt_info pi;

	for (uint32_t k = 0; k < 8; k++) {
		v4(&f, FB_IPPROTO_ICMP);
		fb_icmp(&f, 8, 0, 0);
		fb_finish(&f);
		fb_wr16(f.buf + 16, (uint16_t)(20 + k));
		fb_trim(&f, 34 + k);
		PARSE(&f, &pi);
		EXPECTK(pi, IPV4, ICMP, MAL_ICMP_TRUNCATED, k);
		EQ(pi.l4_complete, false);
		EQ(pi.icmp_type, 0);
	}
}

TEST(test_icmp6_ok_and_truncated)
{
	struct fb f;
	struct pkt_info pi;

	v6(&f, FB_IPPROTO_ICMPV6);
	fb_icmp6(&f, 128, 0);
	fb_payload(&f, 4 + 56);
	fb_finish(&f);
	PARSE(&f, &pi);
	EXPECT(pi, IPV6, ICMPV6, OK);
	EQ(pi.icmp_type, 128);
	EQ(pi.payload_off, 58);
	EQ(pi.payload_len, 60);

	/* The 4-byte header alone is complete. */
	v6(&f, FB_IPPROTO_ICMPV6);
	fb_icmp6(&f, 2, 0);
	fb_finish(&f);
	PARSE(&f, &pi);
	EXPECT(pi, IPV6, ICMPV6, OK);
	EQ(pi.icmp_type, 2);
	EQ(pi.payload_len, 0);

	for (uint32_t k = 0; k < 4; k++) {
		v6(&f, FB_IPPROTO_ICMPV6);
		fb_payload(&f, k);
		fb_finish(&f);
		fb_pad_to(&f, 60);
		PARSE(&f, &pi);
		EXPECTK(pi, IPV6, ICMPV6, MAL_ICMPV6_TRUNCATED, k);
		EQ(pi.l4_complete, false);
	}
}

/* An ICMPv4 port unreachable quoting the IPv4/TCP packet that caused it. */
static void icmp_error_frame(struct fb *f)
{
	v4(f, FB_IPPROTO_ICMP);
	fb_icmp(f, 3, 3, 0);
	fb_ipv4(f, FB_IPPROTO_TCP, B4, FB_IP4(198, 51, 100, 9));
	fb_tcp(f, 7777, 8888, 1, 2, FB_TCP_SYN, 3);
	fb_finish(f);
}

TEST(test_icmp_error_quoting_tcp)
{
	struct fb f;
	struct pkt_info pi;

	icmp_error_frame(&f);
	PARSE(&f, &pi);
	EXPECT(pi, IPV4, ICMP, OK);
	EQ(pi.ip_proto, 1);
	EQ(pi.icmp_type, 3);
	EQ(pi.icmp_code, 3);
	assert_ptr_equal(pi.src_addr, f.buf + 26);
	assert_memory_equal(pi.src_addr, "\x0a\x00\x00\x01", 4);
	assert_ptr_equal(pi.dst_addr, f.buf + 30);
	/* Nothing of the quoted TCP header leaks into the outer fields. */
	EQ(pi.sport, 0);
	EQ(pi.dport, 0);
	EQ(pi.tcp_flags, 0);
	EQ(pi.tcp_seq, 0);
	EQ(pi.l4_off, 34);
	EQ(pi.l4_len, 8 + 20 + 20);

	/* The same over IPv6: ICMPv6 destination unreachable. */
	v6(&f, FB_IPPROTO_ICMPV6);
	fb_icmp6(&f, 1, 4);
	fb_payload(&f, 4);
	fb_ipv6(&f, FB_IPPROTO_UDP, NULL, NULL);
	fb_udp(&f, 1, 2);
	fb_finish(&f);
	PARSE(&f, &pi);
	EXPECT(pi, IPV6, ICMPV6, OK);
	EQ(pi.icmp_type, 1);
	EQ(pi.icmp_code, 4);
	assert_ptr_equal(pi.src_addr, f.buf + 22);
	EQ(pi.sport, 0);
}

/*
 * The ICMPv4 header is 8 bytes (parse.c checks for ICMP_HLEN 8 before taking
 * it as complete): its payload, the quoted packet of an error, starts after
 * them. ICMPv6's is 4 bytes.
 */
TEST(test_icmp_payload_after_header)
{
	struct fb f;
	struct pkt_info pi;

	icmp_error_frame(&f);
	PARSE(&f, &pi);
	EXPECT(pi, IPV4, ICMP, OK);
	EQ(pi.payload_off, 34 + 8);
	EQ(pi.payload_len, 40);
	EQ(f.buf[pi.payload_off], 0x45); /* the quoted IPv4 header */
}

/* ------------------------------------------------------------------ */
/* Names                                                               */
/* ------------------------------------------------------------------ */

static void assert_name_ok(const char *name)
{
	assert_non_null(name);
	assert_true(name[0] != '\0');
	for (const char *c = name; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_'))
			fail_msg("name \"%s\" is not lower-case [a-z0-9_]", name);
}

TEST(test_names)
{
	static const char *const l3[] = {"other", "ipv4", "ipv6", "arp"};
	static const char *const l4[] = {"none", "tcp", "udp", "icmp", "icmpv6", "other"};
	static const char *const mal[] = {
		"ok",
		"eth_truncated",
		"vlan_truncated",
		"arp_truncated",
		"ipv4_truncated",
		"ipv4_bad_version",
		"ipv4_bad_header_length",
		"ipv4_bad_total_length",
		"ipv6_truncated",
		"ipv6_bad_version",
		"ipv6_bad_payload_length",
		"ipv6_ext_truncated",
		"tcp_truncated",
		"tcp_bad_data_offset",
		"tcp_bad_options",
		"udp_truncated",
		"udp_bad_length",
		"icmp_truncated",
		"icmpv6_truncated",
	};
	static const int bad[] = {-1, -1000, 255, 256, 0x7fffffff};

	assert_int_equal(sizeof(l3) / sizeof(l3[0]), PKT_L3__MAX);
	assert_int_equal(sizeof(l4) / sizeof(l4[0]), PKT_L4__MAX);
	assert_int_equal(sizeof(mal) / sizeof(mal[0]), PKT_MAL__MAX);
	for (unsigned i = 0; i < PKT_L3__MAX; i++) {
		assert_name_ok(l3n(i));
		assert_string_equal(l3n(i), l3[i]);
	}
	for (unsigned i = 0; i < PKT_L4__MAX; i++) {
		assert_name_ok(l4n(i));
		assert_string_equal(l4n(i), l4[i]);
	}
	for (unsigned i = 0; i < PKT_MAL__MAX; i++) {
		assert_name_ok(maln(i));
		assert_string_equal(maln(i), mal[i]);
		for (unsigned j = 0; j < i; j++)
			assert_string_not_equal(maln(i), maln(j));
	}
	assert_string_equal(l3n(PKT_L3__MAX), "invalid");
	assert_string_equal(l4n(PKT_L4__MAX), "invalid");
	assert_string_equal(maln(PKT_MAL__MAX), "invalid");
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_string_equal(pkt_l3_name((enum pkt_l3)bad[i]), "invalid");
		assert_string_equal(pkt_l4_name((enum pkt_l4)bad[i]), "invalid");
		assert_string_equal(pkt_malformed_name((enum pkt_malformed)bad[i]), "invalid");
	}
}

/* Runs last: the tests above produced every reason on a whole frame. */
TEST(test_every_reason_covered)
{
	for (unsigned r = 0; r < PKT_MAL__MAX; r++)
		if (!seen_reason[r])
			fail_msg("no test produced %s", maln(r));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_eth_unknown_ethertype, teardown),
		cmocka_unit_test_teardown(test_eth_runt, teardown),
		cmocka_unit_test_teardown(test_vlan_one_tag, teardown),
		cmocka_unit_test_teardown(test_vlan_qinq, teardown),
		cmocka_unit_test_teardown(test_vlan_9100_is_not_a_tag, teardown),
		cmocka_unit_test_teardown(test_vlan_third_tag, teardown),
		cmocka_unit_test_teardown(test_vlan_truncated, teardown),
		cmocka_unit_test_teardown(test_arp_ok, teardown),
		cmocka_unit_test_teardown(test_arp_truncated, teardown),
		cmocka_unit_test_teardown(test_ipv4_tcp_ok, teardown),
		cmocka_unit_test_teardown(test_ipv4_options, teardown),
		cmocka_unit_test_teardown(test_ipv4_truncated, teardown),
		cmocka_unit_test_teardown(test_ipv4_bad_version, teardown),
		cmocka_unit_test_teardown(test_ipv4_ihl_below_5, teardown),
		cmocka_unit_test_teardown(test_ipv4_options_cut, teardown),
		cmocka_unit_test_teardown(test_ipv4_total_below_ihl, teardown),
		cmocka_unit_test_teardown(test_ipv4_total_above_frame, teardown),
		cmocka_unit_test_teardown(test_ipv4_ethernet_padding, teardown),
		cmocka_unit_test_teardown(test_ipv4_first_fragment, teardown),
		cmocka_unit_test_teardown(test_ipv4_later_fragment, teardown),
		cmocka_unit_test_teardown(test_ipv4_df_is_not_a_fragment, teardown),
		cmocka_unit_test_teardown(test_ipv4_other_protocol, teardown),
		cmocka_unit_test_teardown(test_ipv6_ok, teardown),
		cmocka_unit_test_teardown(test_ipv6_truncated, teardown),
		cmocka_unit_test_teardown(test_ipv6_bad_version, teardown),
		cmocka_unit_test_teardown(test_ipv6_payload_length_above_frame, teardown),
		cmocka_unit_test_teardown(test_ipv6_each_extension, teardown),
		cmocka_unit_test_teardown(test_ipv6_extension_chain, teardown),
		cmocka_unit_test_teardown(test_ipv6_first_fragment, teardown),
		cmocka_unit_test_teardown(test_ipv6_later_fragment, teardown),
		cmocka_unit_test_teardown(test_ipv6_fragment_header_chain, teardown),
		cmocka_unit_test_teardown(test_ipv6_extension_truncated, teardown),
		cmocka_unit_test_teardown(test_ipv6_headers_not_walked, teardown),
		cmocka_unit_test_teardown(test_ipv6_offsets_past_64k, teardown),
		cmocka_unit_test_teardown(test_tcp_fields, teardown),
		cmocka_unit_test_teardown(test_tcp_every_flag_combination, teardown),
		cmocka_unit_test_teardown(test_tcp_truncated, teardown),
		cmocka_unit_test_teardown(test_tcp_data_offset_below_5, teardown),
		cmocka_unit_test_teardown(test_tcp_data_offset_beyond_packet, teardown),
		cmocka_unit_test_teardown(test_tcp_options_known, teardown),
		cmocka_unit_test_teardown(test_tcp_options_eol, teardown),
		cmocka_unit_test_teardown(test_tcp_options_unknown_skipped, teardown),
		cmocka_unit_test_teardown(test_tcp_options_bad, teardown),
		cmocka_unit_test_teardown(test_udp_ok, teardown),
		cmocka_unit_test_teardown(test_udp_truncated, teardown),
		cmocka_unit_test_teardown(test_udp_bad_length, teardown),
		cmocka_unit_test_teardown(test_icmp_ok, teardown),
		cmocka_unit_test_teardown(test_icmp_truncated, teardown),
		cmocka_unit_test_teardown(test_icmp6_ok_and_truncated, teardown),
		cmocka_unit_test_teardown(test_icmp_error_quoting_tcp, teardown),
		cmocka_unit_test_teardown(test_icmp_payload_after_header, teardown),
		cmocka_unit_test_teardown(test_names, teardown),
		cmocka_unit_test_teardown(test_every_reason_covered, teardown),
	};

	return cmocka_run_group_tests_name("parse", tests, NULL, NULL);
}
