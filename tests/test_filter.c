// SPDX-License-Identifier: MIT
/*
 * Unit tests of the filter object (inspect/filter.[ch]) and of the check
 * that decides whether the XDP program's interpreter runs a classic BPF
 * program (steer_filter_check() in bpf/steer.c): keywords against
 * expressions, libpcap's error messages, what each kind selects on frames
 * built here (the built-in `tcp` looks past VLAN tags and IPv6 extension
 * headers, libpcap's does not), the wire length as `len`, and every reason
 * the interpreter refuses a program. The kernel side runs in
 * tests/tool_filtercheck (it needs root).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <linux/filter.h>

#include "frames.h"
#include "bpf/steer.h"
#include "inspect/filter.h"

#define TEST(name) static void name(void **state __attribute__((unused)))
#define EQ(a, b) assert_int_equal((a), (b))

static struct xdpi_filter compiled(const char *text)
{
	struct xdpi_filter f;
	char err[512];

	if (xdpi_filter_compile(&f, text, err, sizeof(err)))
		fail_msg("'%s' does not compile: %s", text, err);
	return f;
}

static bool match(const char *text, const struct fb *fr)
{
	struct xdpi_filter f = compiled(text);
	bool m = xdpi_filter_match(&f, fr->buf, fr->len, fr->len);

	xdpi_filter_destroy(&f);
	return m;
}

TEST(keywords_are_built_in)
{
	static const struct {
		const char *text;
		enum xdpi_filter_kind kind;
	} cases[] = {
		{"tcp", XDPI_FILTER_TCP},
		{"udp", XDPI_FILTER_UDP},
		{"ip", XDPI_FILTER_IP},
		{"all", XDPI_FILTER_ALL},
		{" tcp ", XDPI_FILTER_TCP},
		{"", XDPI_FILTER_ALL},
		{" \t", XDPI_FILTER_ALL},
		{"(tcp)", XDPI_FILTER_EXPR},
		{"sctp", XDPI_FILTER_EXPR},
		{"ip6", XDPI_FILTER_EXPR},
		{"tcp port 80", XDPI_FILTER_EXPR},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct xdpi_filter f = compiled(cases[i].text);

		if (f.kind != cases[i].kind)
			fail_msg("'%s': kind %s, want %s", cases[i].text,
				 xdpi_filter_kind_name(f.kind),
				 xdpi_filter_kind_name(cases[i].kind));
		assert_true(f.kind == XDPI_FILTER_EXPR ? f.len > 0 && f.insns : !f.insns);
		xdpi_filter_destroy(&f);
	}
	EQ(xdpi_filter_keyword("udp"), XDPI_FILTER_UDP);
	EQ(xdpi_filter_keyword("expression"), -EINVAL);
	EQ(xdpi_filter_keyword("TCP"), -EINVAL);
}

TEST(bad_expressions_say_why)
{
	static const struct {
		const char *text, *why;
	} cases[] = {
		{"tcp port x", "unknown port 'x'"},
		{"tcp[", "syntax error"},
		{"ip broadcast", "netmask not known"},
		{"port 99999", "illegal port number 99999"},
	};
	struct xdpi_filter f;
	char err[512];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		*err = 0;
		EQ(xdpi_filter_compile(&f, cases[i].text, err, sizeof(err)), -EINVAL);
		if (!strstr(err, cases[i].why))
			fail_msg("'%s': '%s' does not say '%s'", cases[i].text, err, cases[i].why);
		/* nothing allocated on failure, and destroy accepts it */
		assert_null(f.insns);
		xdpi_filter_destroy(&f);
	}
}

TEST(destroy_accepts_zeroed_and_destroyed)
{
	struct xdpi_filter f = {0};

	xdpi_filter_destroy(&f);
	xdpi_filter_destroy(NULL);
	f = compiled("udp port 53");
	xdpi_filter_destroy(&f);
	xdpi_filter_destroy(&f);
	EQ(f.kind, XDPI_FILTER_ALL);
	assert_null(f.insns);
}

static void tcp4(struct fb *f, int vlans)
{
	fb_init(f);
	fb_eth(f, vlans ? FB_ETH_8021Q : FB_ETH_IPV4);
	for (int i = 0; i < vlans; i++)
		fb_vlan(f, (uint16_t)(10 + i), i + 1 < vlans ? FB_ETH_8021Q : FB_ETH_IPV4);
	fb_ipv4(f, FB_IPPROTO_TCP, FB_IP4(198, 18, 0, 1), FB_IP4(198, 18, 0, 2));
	fb_tcp(f, 40000, 443, 1, 0, FB_TCP_SYN, 100);
	fb_finish(f);
}

/* IPv6 TCP, after extension header @ext (FB_IPPROTO_NONE: none). */
static void tcp6(struct fb *f, uint8_t ext)
{
	static const uint8_t a[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
	static const uint8_t b[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 2};

	fb_init(f);
	fb_eth(f, FB_ETH_IPV6);
	fb_ipv6(f, ext == FB_IPPROTO_NONE ? FB_IPPROTO_TCP : ext, a, b);
	if (ext == FB_IPPROTO_FRAGMENT)
		fb_ipv6_frag(f, FB_IPPROTO_TCP, 0, 1);
	else if (ext != FB_IPPROTO_NONE)
		fb_ipv6_ext(f, FB_IPPROTO_TCP, 0);
	fb_tcp(f, 40000, 80, 1, 0, FB_TCP_SYN | FB_TCP_ACK, 100);
	fb_finish(f);
}

/* Decide and document: the keyword is xdpi's class (through two VLAN tags
 * and IPv6 extension headers), an expression is libpcap's, word for word. */
TEST(keyword_tcp_and_libpcap_tcp_differ_as_documented)
{
	struct fb f;

	tcp4(&f, 0);
	assert_true(match("tcp", &f));
	assert_true(match("(tcp)", &f));
	assert_true(match("tcp port 443 and host 198.18.0.2", &f));
	assert_false(match("vlan", &f));
	assert_true(match("tcp[tcpflags] & tcp-syn != 0", &f));

	tcp4(&f, 1);
	assert_true(match("tcp", &f));
	assert_false(match("(tcp)", &f)); /* libpcap: untagged only */
	assert_true(match("vlan and tcp", &f));
	assert_true(match("vlan 10 and tcp port 443", &f));
	assert_false(match("vlan 11", &f));

	tcp4(&f, 2);
	assert_true(match("tcp", &f));
	assert_false(match("vlan and tcp", &f));
	assert_true(match("vlan and vlan and tcp", &f));

	tcp6(&f, FB_IPPROTO_NONE);
	assert_true(match("tcp", &f));
	assert_true(match("ip6 and tcp", &f));
	assert_true(match("ip", &f));	 /* the keyword ip is IPv4 or IPv6 */
	assert_false(match("(ip)", &f)); /* libpcap's ip is IPv4 */

	tcp6(&f, FB_IPPROTO_HOPOPTS);
	assert_true(match("tcp", &f));
	assert_false(match("(tcp)", &f)); /* libpcap stops at the extension header */
	assert_true(match("ip6 protochain 6", &f));
	tcp6(&f, FB_IPPROTO_ROUTING);
	assert_true(match("tcp", &f));
	assert_false(match("(tcp)", &f));

	tcp6(&f, FB_IPPROTO_FRAGMENT);
	assert_true(match("tcp", &f));
	assert_true(match("(tcp)", &f)); /* but looks past one fragment header */
}

/* An expression's len is the wire length (tcpdump's), the built-ins read
 * what was captured. */
TEST(len_is_the_wire_length)
{
	struct xdpi_filter big = compiled("greater 1000"), tcp = compiled("tcp");
	struct fb f;

	tcp4(&f, 0);
	assert_false(xdpi_filter_match(&big, f.buf, f.len, f.len));
	assert_true(xdpi_filter_match(&big, f.buf, f.len, 1500));
	assert_true(xdpi_filter_match(&tcp, f.buf, f.len, 1500));
	/* a load past what was captured rejects */
	assert_false(match("ether[100] = 0", &f));
	xdpi_filter_destroy(&big);
	xdpi_filter_destroy(&tcp);
}

#define S(c, k)                \
	{                      \
		(c), 0, 0, (k) \
	}
#define JMP(c, k, t, f)            \
	{                          \
		(c), (t), (f), (k) \
	}
#define RET1 S(BPF_RET | BPF_K, 1)

/* One program per reason the interpreter refuses; each says which. */
TEST(kernel_check_refuses_what_the_interpreter_does_not_run)
{
	static const struct {
		const char *why;
		struct xdpi_cbpf_insn insns[4];
		uint32_t len;
	} cases[] = {
		{"opcode", {S(BPF_LD | BPF_B | BPF_MSH, 0), RET1}, 2},
		{"opcode", {S(BPF_MISC | 0x40, 0), RET1}, 2},
		{"opcode", {S(BPF_LDX | BPF_W | BPF_ABS, 14), RET1}, 2},
		{"beyond M[15]", {S(BPF_ST, 16), RET1}, 2},
		{"beyond M[15]", {S(BPF_LDX | BPF_MEM, 99), RET1}, 2},
		{"constant 0", {S(BPF_ALU | BPF_DIV | BPF_K, 0), RET1}, 2},
		{"constant 0", {S(BPF_ALU | BPF_MOD | BPF_K, 0), RET1}, 2},
		{"shift by 32", {S(BPF_ALU | BPF_LSH | BPF_K, 32), RET1}, 2},
		{"backwards", {RET1, S(BPF_JMP | BPF_JA, 0xffffffff), RET1}, 3},
		{"past the end", {S(BPF_JMP | BPF_JA, 1), RET1}, 2},
		{"past the end", {JMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 1), RET1}, 2},
		{"past the end", {JMP(BPF_JMP | BPF_JGT | BPF_X, 0, 1, 0), RET1}, 2},
		{"end with a RET", {S(BPF_LD | BPF_IMM, 1)}, 1},
		{"empty", {RET1}, 0},
	};
	static struct xdpi_cbpf_insn many[XDPI_CBPF_MAX_INSNS + 1];
	struct xdpi_filter f;
	char err[512];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		*err = 0;
		if (steer_filter_check(cases[i].insns, cases[i].len, err, sizeof(err)) != -EINVAL ||
		    !strstr(err, cases[i].why))
			fail_msg("case %zu: '%s' does not say '%s'", i, err, cases[i].why);
	}
	for (size_t i = 0; i < XDPI_CBPF_MAX_INSNS + 1; i++)
		many[i] = (struct xdpi_cbpf_insn)RET1;
	EQ(steer_filter_check(many, XDPI_CBPF_MAX_INSNS, err, sizeof(err)), 0);
	EQ(steer_filter_check(many, XDPI_CBPF_MAX_INSNS + 1, err, sizeof(err)), -E2BIG);
	assert_non_null(strstr(err, "257 classic BPF instructions"));
	/* libpcap's protochain walks with a backward jump */
	f = compiled("ip6 protochain 6");
	EQ(steer_filter_check(f.insns, f.len, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "protochain"));
	xdpi_filter_destroy(&f);
}

/* Everything libpcap emits for the expressions users write runs. */
TEST(kernel_check_accepts_libpcap_programs)
{
	static const char *const exprs[] = {
		"tcp port 443",
		"host 198.18.0.1 and udp",
		"vlan and tcp",
		"not arp",
		"tcp[tcpflags] & tcp-syn != 0",
		"icmp or arp",
		"ip6 and tcp",
		"udp and src net 10.0.0.0/8",
		"greater 100 and less 1000",
		"ip[2:2] % 7 = 3 or ip[8] * 2 > 100 or ip[9] / 3 = 2",
		"tcp[((tcp[12:1] & 0xf0) >> 2):4] = 0x47455420",
		"ether[0] ^ 0xff = 0 or ether[1] << 3 = 8 or -ether[2] = 0",
		"vlan 100 and vlan 200 and ip6 and udp port 53",
	};
	char err[512];

	for (size_t i = 0; i < sizeof(exprs) / sizeof(exprs[0]); i++) {
		struct xdpi_filter f = compiled(exprs[i]);

		if (steer_filter_check(f.insns, f.len, err, sizeof(err)))
			fail_msg("'%s': %s", exprs[i], err);
		xdpi_filter_destroy(&f);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(keywords_are_built_in),
		cmocka_unit_test(bad_expressions_say_why),
		cmocka_unit_test(destroy_accepts_zeroed_and_destroyed),
		cmocka_unit_test(keyword_tcp_and_libpcap_tcp_differ_as_documented),
		cmocka_unit_test(len_is_the_wire_length),
		cmocka_unit_test(kernel_check_refuses_what_the_interpreter_does_not_run),
		cmocka_unit_test(kernel_check_accepts_libpcap_programs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
