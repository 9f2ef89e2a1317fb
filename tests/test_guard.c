// SPDX-License-Identifier: MIT
/*
 * Unit tests of the guard's decision (capture/guard.c): from facts alone,
 * which interfaces the host uses (and `xdpi live` refuses without
 * --takeover) and what it says; the parsers of /proc/net/route,
 * /proc/net/ipv6_route (on captured texts, fed through fmemopen) and
 * SSH_CONNECTION; and the link-state warning.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "capture/guard.h"

#define TEST(name) static void name(void **state __attribute__((unused)))
#define EQ(a, b) assert_int_equal((a), (b))

/* Facts of an interface that is up, with nothing on it: a capture port. */
static struct guard_facts port(void)
{
	struct guard_facts f;

	memset(&f, 0, sizeof(f));
	snprintf(f.ifname, sizeof(f.ifname), "eth1");
	f.link_known = f.up = f.running = true;
	snprintf(f.operstate, sizeof(f.operstate), "up");
	return f;
}

static void add_addr(struct guard_facts *f, const char *text)
{
	struct guard_addr *a = &f->addr[f->naddr++];

	if (inet_pton(AF_INET, text, &a->v4) == 1) {
		a->family = AF_INET;
		return;
	}
	a->family = AF_INET6;
	assert_int_equal(inet_pton(AF_INET6, text, &a->v6), 1);
}

TEST(capture_port_passes)
{
	struct guard_facts f = port();
	char buf[256] = "x";

	EQ(guard_decide(&f), 0);
	EQ(guard_explain(&f, 0, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
	guard_summary(&f, 0, buf, sizeof(buf));
	assert_string_equal(buf, "");
}

TEST(link_local_ipv6_alone_does_not_count)
{
	struct guard_facts f = port();

	add_addr(&f, "fe80::1");
	add_addr(&f, "fe80::2:3");
	EQ(guard_host_addresses(&f), 0);
	EQ(guard_decide(&f), 0);
	/* Any other IPv6 address counts, as does any IPv4 one (169.254/16
	 * too: someone assigned it). */
	add_addr(&f, "2001:db8::2");
	EQ(guard_decide(&f), GUARD_ADDRESS);
	f = port();
	add_addr(&f, "169.254.3.4");
	EQ(guard_decide(&f), GUARD_ADDRESS);
}

TEST(addresses_refused_and_named)
{
	struct guard_facts f = port();
	char buf[512];

	add_addr(&f, "198.18.0.2");
	EQ(guard_decide(&f), GUARD_ADDRESS);
	guard_explain(&f, guard_decide(&f), buf, sizeof(buf));
	assert_string_equal(buf, "it has 1 address: 198.18.0.2\n");
	guard_summary(&f, guard_decide(&f), buf, sizeof(buf));
	assert_string_equal(buf, "1 address");
	/* Three shown, link-local left out, the rest counted. */
	add_addr(&f, "fe80::1");
	add_addr(&f, "2001:db8::2");
	add_addr(&f, "10.0.0.1");
	add_addr(&f, "10.0.0.2");
	f.nmore = 2;
	EQ(guard_host_addresses(&f), 6);
	guard_explain(&f, GUARD_ADDRESS, buf, sizeof(buf));
	assert_string_equal(buf,
			    "it has 6 addresses: 198.18.0.2, 2001:db8::2, 10.0.0.1 and 3 more\n");
}

TEST(ssh_session_on_the_interface)
{
	struct guard_facts f = port();
	char buf[512];

	add_addr(&f, "fe80::1");
	/* SSH over link-local: the only reason, and it is one. */
	assert_int_equal(guard_parse_ssh("fe80::99 51000 fe80::1%eth1 22", &f.ssh), 0);
	f.has_ssh = true;
	EQ(guard_decide(&f), GUARD_SSH);
	guard_explain(&f, GUARD_SSH, buf, sizeof(buf));
	assert_string_equal(
		buf, "your SSH session arrives on it (SSH_CONNECTION's local address fe80::1)\n");
	/* A session to another interface's address is not this one's. */
	assert_int_equal(guard_parse_ssh("192.0.2.7 51000 192.0.2.1 22", &f.ssh), 0);
	EQ(guard_decide(&f), 0);
	/* With an address: both reasons. */
	add_addr(&f, "192.0.2.1");
	EQ(guard_decide(&f), GUARD_ADDRESS | GUARD_SSH);
	guard_summary(&f, guard_decide(&f), buf, sizeof(buf));
	assert_string_equal(buf, "1 address, SSH session");
}

TEST(ssh_connection_parsed)
{
	struct guard_addr a;
	char s[INET6_ADDRSTRLEN];

	EQ(guard_parse_ssh("198.18.0.1 40000 198.18.0.2 22", &a), 0);
	EQ(a.family, AF_INET);
	assert_string_equal(guard_addr_str(&a, s, sizeof(s)), "198.18.0.2");
	EQ(guard_parse_ssh("2001:db8::9 40000 2001:db8::1 2222", &a), 0);
	EQ(a.family, AF_INET6);
	assert_string_equal(guard_addr_str(&a, s, sizeof(s)), "2001:db8::1");
	/* IPv4-mapped: the IPv4 address the interface holds. */
	EQ(guard_parse_ssh("::ffff:198.18.0.1 40000 ::ffff:198.18.0.2 22", &a), 0);
	EQ(a.family, AF_INET);
	assert_string_equal(guard_addr_str(&a, s, sizeof(s)), "198.18.0.2");
	EQ(guard_parse_ssh("", &a), -EINVAL);
	EQ(guard_parse_ssh(NULL, &a), -EINVAL);
	EQ(guard_parse_ssh("198.18.0.1 40000 198.18.0.2", &a), -EINVAL);
	EQ(guard_parse_ssh("198.18.0.1 40000 host.example 22", &a), -EINVAL);
}

static bool route4(const char *text, const char *ifname)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	bool r;

	assert_non_null(f);
	r = guard_route4_default(f, ifname);
	fclose(f);
	return r;
}

static bool route6(const char *text, const char *ifname)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	bool r;

	assert_non_null(f);
	r = guard_route6_default(f, ifname);
	fclose(f);
	return r;
}

TEST(ipv4_default_route)
{
	/* /proc/net/route of a host: default via eth0, a subnet on eth1, an
	 * unreachable default (reject, no device). */
	static const char text[] =
		"Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
		"eth0\t00000000\t0100000A\t0003\t0\t0\t100\t00000000\t0\t0\t0\n"
		"eth0\t0000000A\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0\n"
		"eth1\t000012C6\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n"
		"*\t00000000\t00000000\t0201\t0\t0\t0\t00000000\t0\t0\t0\n";
	static const char down[] =
		"Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
		"eth2\t00000000\t0100000A\t0002\t0\t0\t0\t00000000\t0\t0\t0\n"
		"eth3\t00000000\t00000000\t0201\t0\t0\t0\t00000000\t0\t0\t0\n";

	assert_true(route4(text, "eth0"));
	assert_false(route4(text, "eth1")); /* a subnet route is not a default */
	assert_false(route4(text, "eth"));  /* whole names only */
	assert_false(route4(text, "*"));    /* reject */
	assert_false(route4(down, "eth2")); /* not RTF_UP */
	assert_false(route4(down, "eth3")); /* reject */
	assert_false(route4("", "eth0"));
}

TEST(ipv6_default_route)
{
	/* /proc/net/ipv6_route: a default via eth0, eth1's prefix, lo's
	 * unreachable default (RTF_REJECT, not up). */
	static const char text[] =
		"20010db8000000000000000000000000 40 00000000000000000000000000000000 00 "
		"00000000000000000000000000000000 00000100 00000001 00000000 00000001     eth1\n"
		"00000000000000000000000000000000 00 00000000000000000000000000000000 00 "
		"fe800000000000000000000000000001 00000400 00000001 00000000 00000003     eth0\n"
		"00000000000000000000000000000000 00 00000000000000000000000000000000 00 "
		"00000000000000000000000000000000 ffffffff 00000001 00000000 00200200       lo\n";

	assert_true(route6(text, "eth0"));
	assert_false(route6(text, "eth1"));
	assert_false(route6(text, "lo"));
	assert_false(route6("garbage\n", "eth0"));
}

TEST(routes_masters_and_stacked_devices)
{
	struct guard_facts f = port();
	char buf[512];

	f.route4 = true;
	f.route6 = true;
	EQ(guard_decide(&f), GUARD_ROUTE4 | GUARD_ROUTE6);
	guard_explain(&f, guard_decide(&f), buf, sizeof(buf));
	assert_string_equal(buf, "the IPv4 default route goes through it\n"
				 "the IPv6 default route goes through it\n");
	f = port();
	snprintf(f.master, sizeof(f.master), "br0");
	snprintf(f.master_kind, sizeof(f.master_kind), "bridge");
	EQ(guard_decide(&f), GUARD_MASTER);
	guard_summary(&f, GUARD_MASTER, buf, sizeof(buf));
	assert_string_equal(buf, "port of bridge br0");
	snprintf(f.master_kind, sizeof(f.master_kind), "bond");
	guard_explain(&f, GUARD_MASTER, buf, sizeof(buf));
	assert_string_equal(buf, "it is a slave of bond br0, whose traffic comes in through it\n");
	f.master_kind[0] = 0;
	guard_summary(&f, GUARD_MASTER, buf, sizeof(buf));
	assert_string_equal(buf, "enslaved to br0");
	f = port();
	snprintf(f.upper, sizeof(f.upper), "eth1.100");
	f.nupper = 1;
	EQ(guard_decide(&f), GUARD_UPPER);
	guard_explain(&f, GUARD_UPPER, buf, sizeof(buf));
	assert_string_equal(buf, "eth1.100 is stacked on it (VLAN, macvlan, ...)\n");
	f.nupper = 3;
	guard_explain(&f, GUARD_UPPER, buf, sizeof(buf));
	assert_string_equal(buf,
			    "eth1.100 and 2 more devices are stacked on it (VLAN, macvlan, ...)\n");
	guard_summary(&f, GUARD_UPPER, buf, sizeof(buf));
	assert_string_equal(buf, "under eth1.100");
}

TEST(every_reason_has_a_line_a_word_and_a_name)
{
	struct guard_facts f = port();
	char buf[1024], words[256];
	int lines = 0;

	add_addr(&f, "192.0.2.1");
	f.route4 = f.route6 = true;
	assert_int_equal(guard_parse_ssh("192.0.2.9 1 192.0.2.1 22", &f.ssh), 0);
	f.has_ssh = true;
	snprintf(f.master, sizeof(f.master), "bond0");
	snprintf(f.upper, sizeof(f.upper), "eth1.5");
	f.nupper = 1;
	EQ(guard_decide(&f),
	   GUARD_ADDRESS | GUARD_ROUTE4 | GUARD_ROUTE6 | GUARD_SSH | GUARD_MASTER | GUARD_UPPER);
	guard_explain(&f, guard_decide(&f), buf, sizeof(buf));
	for (char *p = buf; (p = strchr(p, '\n')); p++)
		lines++;
	EQ(lines, 6);
	guard_summary(&f, guard_decide(&f), words, sizeof(words));
	assert_string_equal(words, "1 address, IPv4 default route, IPv6 default route, SSH "
				   "session, enslaved to bond0, under eth1.5");
	for (unsigned bit = 1; bit <= GUARD__LAST; bit <<= 1)
		assert_string_not_equal(guard_reason_name(bit), "?");
	assert_string_equal(guard_reason_name(GUARD_ROUTE6), "default_route_ipv6");
}

/* A short buffer is cut, never overrun, and the full length told. */
TEST(explain_truncates_safely)
{
	struct guard_facts f = port();
	char big[1024], small[12];
	size_t full;

	add_addr(&f, "192.0.2.1");
	f.route4 = true;
	full = guard_explain(&f, guard_decide(&f), big, sizeof(big));
	EQ(full, strlen(big));
	memset(small, 'x', sizeof(small));
	EQ(guard_explain(&f, guard_decide(&f), small, sizeof(small)), full);
	EQ(strlen(small), sizeof(small) - 1);
	assert_memory_equal(small, big, sizeof(small) - 1);
}

TEST(link_state_warning)
{
	struct guard_facts f = port();
	char buf[256];

	assert_false(guard_link_problem(&f, buf, sizeof(buf)));
	f.up = f.running = false;
	assert_true(guard_link_problem(&f, buf, sizeof(buf)));
	assert_string_equal(buf,
			    "eth1 is down: no frame arrives until it is up (ip link set eth1 up)");
	f.up = true;
	snprintf(f.operstate, sizeof(f.operstate), "lowerlayerdown");
	assert_true(guard_link_problem(&f, buf, sizeof(buf)));
	assert_string_equal(buf, "eth1 is up but has no link (operstate lowerlayerdown): no frame "
				 "arrives until it has one");
	/* Flags not read: nothing said. */
	f.link_known = false;
	assert_false(guard_link_problem(&f, buf, sizeof(buf)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(capture_port_passes),
		cmocka_unit_test(link_local_ipv6_alone_does_not_count),
		cmocka_unit_test(addresses_refused_and_named),
		cmocka_unit_test(ssh_session_on_the_interface),
		cmocka_unit_test(ssh_connection_parsed),
		cmocka_unit_test(ipv4_default_route),
		cmocka_unit_test(ipv6_default_route),
		cmocka_unit_test(routes_masters_and_stacked_devices),
		cmocka_unit_test(every_reason_has_a_line_a_word_and_a_name),
		cmocka_unit_test(explain_truncates_safely),
		cmocka_unit_test(link_state_warning),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
