// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: pkt_parse() on arbitrary bytes, then metrics_account()
 * on the result, with the parser's invariants checked after every input.
 * Built by tests/tests.mk into build/fuzz/fuzz_parse (clang, ASan, UBSan);
 * run by tests/t_fuzz.sh and `make fuzz`, seeded from tests/fuzz-corpus/.
 *
 * Every input is also parsed
 * - again, and must give the same result (the parser keeps no state);
 * - as a snapped capture (the same bytes, a longer wire length derived from
 *   the input), with the same invariants, since a captured length shorter
 *   than the wire is the path pcap files with a snap length take;
 * - as a prefix of itself with the true wire length: what a prefix parses
 *   completely, the whole frame must parse the same way;
 * - through the userspace mirror of the XDP filter, whose answers must nest
 *   (tcp and udp imply ip, ip implies all), and through compiled pcap-filter
 *   expressions (inspect/filter.c with libpcap), whose answers must nest
 *   too (`tcp port 80` implies `(tcp)`, which implies `ip or ip6`), and
 *   `E` and `not E` never both select a frame (both may reject one: a
 *   load past the end of a short frame rejects, whatever the expression);
 * - through the payload peeks (inspect/peek.c), twice: as the whole input
 *   (so that the fuzzer reaches HTTP and TLS without building a frame
 *   first) and as the TCP payload the parser found. Each result must be
 *   sanitized and bounded, the same on a second peek, and a prefix of the
 *   input must give a part of what the whole gives.
 *
 * libFuzzer hands over an exactly sized heap copy of each input, so ASan
 * reports any read past @size. A broken invariant aborts with a message.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <string.h>

#include "inspect/filter.h"
#include "inspect/metrics.h"
#include "inspect/parse.h"
#include "inspect/peek.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Distinct-count sets grow with the inputs: start over past this many keys
 * so that a long session stays within the fuzzer's memory limit. */
#define MAX_KEYS (1u << 20)

static struct metrics m;
static int m_ready;

static void fail(const char *what, const struct pkt_info *pi, size_t size)
{
	fprintf(stderr,
		"fuzz_parse: invariant broken: %s (len %zu l3 %s l4 %s %s l3_off %u "
		"l4_off %u payload_off %u payload_len %u ip_len %u)\n",
		what, size, pkt_l3_name((enum pkt_l3)pi->l3), pkt_l4_name((enum pkt_l4)pi->l4),
		pkt_malformed_name((enum pkt_malformed)pi->malformed), pi->l3_off, pi->l4_off,
		pi->payload_off, pi->payload_len, pi->ip_len);
	abort();
}

static int addr_inside(const uint8_t *a, const uint8_t *data, size_t size, size_t alen)
{
	return a >= data && a <= data + size && (size_t)(data + size - a) >= alen;
}

/* @size bytes captured of a frame of @wire bytes: pointers stay within
 * what was captured, offsets and lengths within the wire. */
static void check_wire(const uint8_t *data, size_t size, size_t wire, const struct pkt_info *pi)
{
	int ip = pi->l3 == PKT_L3_IPV4 || pi->l3 == PKT_L3_IPV6;
	size_t alen = pi->l3 == PKT_L3_IPV4 ? 4 : 16;

	if (pi->l3 >= PKT_L3__MAX || pi->l4 >= PKT_L4__MAX || pi->malformed >= PKT_MAL__MAX)
		fail("enum out of range", pi, size);
	if (pi->vlan_count > PKT_MAX_VLANS)
		fail("vlan_count", pi, size);
	if ((pi->l4 != PKT_L4_NONE) != ip)
		fail("l4 != none iff l3 is IPv4/IPv6", pi, size);
	if (size < 14 && pi->malformed != PKT_MAL_ETH_TRUNCATED)
		fail("a runt is not eth_truncated", pi, size);
	/* A snapped capture may end before a header the wire carries: its
	 * offset then lies past the capture, never past the wire. Pointers
	 * (the addresses below) must stay in the capture. */
	if (pi->l3_off > wire || pi->l4_off > wire || pi->payload_off > wire)
		fail("offset past the end", pi, size);
	if (pi->l4_complete && pi->l4_off > size)
		fail("a complete L4 header outside the capture", pi, size);
	if ((pi->src_addr == NULL) != (pi->dst_addr == NULL))
		fail("only one address set", pi, size);
	if (pi->src_addr && !ip)
		fail("address on a non-IP frame", pi, size);
	if (pi->src_addr && !addr_inside(pi->src_addr, data, size, alen))
		fail("src_addr outside the buffer", pi, size);
	if (pi->dst_addr && !addr_inside(pi->dst_addr, data, size, alen))
		fail("dst_addr outside the buffer", pi, size);
	if (pi->malformed == PKT_OK && ip && (size_t)pi->l3_off + pi->ip_len > wire)
		fail("well-formed IP packet longer than the frame", pi, size);
	if (pi->l4_complete) {
		if (pi->l4 == PKT_L4_NONE || pi->l4 == PKT_L4_OTHER)
			fail("l4_complete without an L4 header", pi, size);
		if (pi->malformed != PKT_OK && pi->malformed != PKT_MAL_TCP_OPTIONS)
			fail("l4_complete on a malformed header", pi, size);
		if ((uint64_t)pi->payload_off + pi->payload_len > wire)
			fail("payload_off + payload_len past the end", pi, size);
		if ((uint64_t)pi->payload_off + pi->payload_len > (uint64_t)pi->l3_off + pi->ip_len)
			fail("payload past the IP packet", pi, size);
		if (pi->payload_off < pi->l4_off)
			fail("payload before the L4 header", pi, size);
	}
}

static void check(const uint8_t *data, size_t size, const struct pkt_info *pi)
{
	check_wire(data, size, size, pi);
}

static void check_deterministic(const uint8_t *data, size_t size, const struct pkt_info *pi)
{
	struct pkt_info again;

	pkt_parse(data, (uint32_t)size, &again);
	if (memcmp(&again, pi, sizeof(again)))
		fail("a second parse of the same bytes differs", pi, size);
}

/* The same bytes captured from a longer frame: wire length from the input. */
static void check_snapped(const uint8_t *data, size_t size)
{
	uint32_t extra = size ? 1u + (uint32_t)data[size - 1] * 97u : 1u;
	struct pkt_info pi;

	pkt_parse_wire(data, (uint32_t)size, (uint32_t)size + extra, &pi);
	check_wire(data, size, size + extra, &pi);
	metrics_account(&m, &pi, (uint32_t)size + extra);
}

/* A prefix parsed with the true wire length: whatever it completes, the
 * whole frame completes the same way. */
static void check_prefix(const uint8_t *data, size_t size, const struct pkt_info *full)
{
	struct pkt_info pi;
	uint32_t cut = (uint32_t)size - (uint32_t)size / 3;

	if (!size)
		return;
	pkt_parse_wire(data, cut, (uint32_t)size, &pi);
	check_wire(data, cut, size, &pi);
	if (pi.l4_complete && pi.malformed == PKT_OK &&
	    (!full->l4_complete || full->l4 != pi.l4 || full->l4_off != pi.l4_off ||
	     full->sport != pi.sport || full->dport != pi.dport))
		fail("a prefix completes L4 differently from the whole frame", &pi, cut);
}

static void check_filter(const uint8_t *data, size_t size)
{
	bool tcp = xdpi_filter_builtin_match(XDPI_FILTER_TCP, data, (uint32_t)size);
	bool udp = xdpi_filter_builtin_match(XDPI_FILTER_UDP, data, (uint32_t)size);
	bool ip = xdpi_filter_builtin_match(XDPI_FILTER_IP, data, (uint32_t)size);
	bool all = xdpi_filter_builtin_match(XDPI_FILTER_ALL, data, (uint32_t)size);

	if (!all || (tcp && !ip) || (udp && !ip) || (tcp && udp)) {
		fprintf(stderr, "fuzz_parse: filters do not nest: tcp %d udp %d ip %d all %d\n",
			tcp, udp, ip, all);
		abort();
	}
}

/* Expressions, each implied by the one before it, and their negations. */
static const char *const exprs[] = {"tcp port 80", "(tcp)", "ip or ip6"};
static const char *const not_exprs[] = {"not tcp port 80", "not tcp", "not (ip or ip6)"};
#define NEXPRS (sizeof(exprs) / sizeof(exprs[0]))
static struct xdpi_filter expr_f[NEXPRS], not_f[NEXPRS];

static void check_expressions(const uint8_t *data, size_t size)
{
	static int ready;
	bool prev = false;
	char err[512];

	if (!ready) {
		for (size_t i = 0; i < NEXPRS; i++)
			if (xdpi_filter_compile(&expr_f[i], exprs[i], err, sizeof(err)) ||
			    xdpi_filter_compile(&not_f[i], not_exprs[i], err, sizeof(err)))
				abort();
		ready = 1;
	}
	for (size_t i = 0; i < NEXPRS; i++) {
		/* the wire length is the captured one plus a little */
		bool m = xdpi_filter_match(&expr_f[i], data, (uint32_t)size, (uint32_t)size + 4);
		bool n = xdpi_filter_match(&not_f[i], data, (uint32_t)size, (uint32_t)size + 4);

		if ((m && n) || (prev && !m)) {
			fprintf(stderr, "fuzz_parse: '%s' %d, its negation %d, the one before %d\n",
				exprs[i], m, n, prev);
			abort();
		}
		prev = m;
	}
}

static void peek_fail(const char *what, const struct peek_result *r, size_t size)
{
	fprintf(stderr,
		"fuzz_parse: peek invariant broken: %s (len %zu kind %s truncated 0x%x "
		"malformed %d)\n",
		what, size, peek_kind_name((enum peek_kind)r->kind), r->truncated, r->malformed);
	abort();
}

/* Terminated in its array, printable, every '\' starting "\\" or "\xNN". */
static int sane(const char *s, size_t size)
{
	const char *nul = memchr(s, '\0', size);

	if (!nul)
		return 0;
	for (const char *c = s; c < nul; c++) {
		if (*c < 0x20 || *c > 0x7e)
			return 0;
		if (*c != '\\')
			continue;
		if (c[1] == '\\')
			c++;
		else if (c[1] == 'x' && c[2] && strchr("0123456789abcdef", c[2]) && c[3] &&
			 strchr("0123456789abcdef", c[3]))
			c += 3;
		else
			return 0;
	}
	return 1;
}

static void check_peek_result(const struct peek_result *r, size_t size)
{
	if (r->kind >= PEEK_KIND__MAX)
		peek_fail("kind out of range", r, size);
	if (r->kind == PEEK_NONE)
		return;
	if (!sane(r->http_method_name, sizeof(r->http_method_name)) ||
	    !sane(r->http_path, sizeof(r->http_path)) ||
	    !sane(r->http_host, sizeof(r->http_host)) || !sane(r->tls_sni, sizeof(r->tls_sni)))
		peek_fail("a string not sanitized or not terminated", r, size);
	if (r->tls_alpn_count > PEEK_ALPN_MAX || r->tls_version_count > PEEK_TLS_VERSIONS_MAX ||
	    r->http_method >= PEEK_HTTP__MAX)
		peek_fail("a count or method out of range", r, size);
	for (int i = 0; i < PEEK_ALPN_MAX; i++)
		if (!sane(r->tls_alpn[i], sizeof(r->tls_alpn[i])) ||
		    (i >= r->tls_alpn_count && r->tls_alpn[i][0]))
			peek_fail("an ALPN name not sanitized or past the count", r, size);
	if (r->kind == PEEK_HTTP &&
	    (r->tls_sni[0] || r->tls_alpn_count || r->tls_version_count || r->malformed))
		peek_fail("TLS fields on HTTP", r, size);
	if (r->kind == PEEK_TLS && (r->http_path[0] || r->http_host[0] || r->http_method_name[0]))
		peek_fail("HTTP fields on TLS", r, size);
}

static int str_prefix(const char *pre, const char *s)
{
	return !strncmp(pre, s, strlen(pre));
}

/* @data is the payload to peek: the whole input or a frame's TCP payload. */
static void check_peek(const uint8_t *data, size_t size)
{
	static struct peek_result r, again, pre;
	uint32_t cut = (uint32_t)size - (uint32_t)size / 3;

	memset(&r, 0, sizeof(r));
	memset(&again, 0, sizeof(again));
	if (peek_payload(data, (uint32_t)size, &r) != r.kind)
		peek_fail("returned kind differs from out->kind", &r, size);
	check_peek_result(&r, size);
	peek_payload(data, (uint32_t)size, &again);
	if (memcmp(&r, &again, sizeof(r)))
		peek_fail("a second peek of the same bytes differs", &r, size);

	peek_payload(data, cut, &pre);
	check_peek_result(&pre, cut);
	if (pre.kind == PEEK_TLS) {
		if (r.kind != PEEK_TLS)
			peek_fail("a prefix is TLS, the whole is not", &pre, cut);
		if ((pre.malformed && !r.malformed) ||
		    (pre.tls_sni[0] && strcmp(pre.tls_sni, r.tls_sni)) ||
		    pre.tls_alpn_count > r.tls_alpn_count)
			peek_fail("a TLS prefix is not a part of the whole", &pre, cut);
		for (int i = 0; i < pre.tls_alpn_count; i++)
			if (strcmp(pre.tls_alpn[i], r.tls_alpn[i]))
				peek_fail("a prefix's ALPN name differs", &pre, cut);
	} else if (pre.kind == PEEK_HTTP && r.kind == PEEK_HTTP) {
		if (pre.http_method != r.http_method ||
		    strcmp(pre.http_method_name, r.http_method_name) ||
		    !str_prefix(pre.http_path, r.http_path) ||
		    !str_prefix(pre.http_host, r.http_host))
			peek_fail("an HTTP prefix is not a part of the whole", &pre, cut);
	}
}

/* A tag the NIC stripped (pkt_parse_stripped()) parses as the same frame
 * with the tag put back: the same results, offsets 4 bytes apart. */
static void check_stripped(const uint8_t *data, size_t size)
{
	static uint8_t tagged[(1u << 16) + 4];
	const uint16_t tci = (uint16_t)(size > 20 ? data[14] << 8 | data[19] : 0x2064);
	struct pkt_info a, b;

	if (size < 14 || size > (1u << 16))
		return;
	memcpy(tagged, data, 12);
	tagged[12] = 0x81;
	tagged[13] = 0x00;
	tagged[14] = (uint8_t)(tci >> 8);
	tagged[15] = (uint8_t)tci;
	memcpy(tagged + 16, data + 12, size - 12);
	pkt_parse(tagged, (uint32_t)size + 4, &a);
	pkt_parse_stripped(data, (uint32_t)size, (uint32_t)size, tci, &b);
	if (a.l3 != b.l3 || a.l4 != b.l4 || a.malformed != b.malformed ||
	    a.vlan_count != b.vlan_count || a.vlan_id[0] != b.vlan_id[0] ||
	    a.vlan_id[1] != b.vlan_id[1] || a.ethertype != b.ethertype ||
	    a.ip_proto != b.ip_proto || a.sport != b.sport || a.dport != b.dport ||
	    a.ip_len != b.ip_len || a.payload_len != b.payload_len || a.tcp_flags != b.tcp_flags ||
	    a.tcp_seq != b.tcp_seq || (b.l3_off && a.l3_off != b.l3_off + 4))
		fail("a stripped tag parses unlike the same tag in the frame", &b, size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pkt_info pi;

	if (size > UINT32_MAX)
		return 0;
	if (!m_ready) {
		if (metrics_init(&m))
			abort();
		m_ready = 1;
	}
	pkt_parse(data, (uint32_t)size, &pi);
	check(data, size, &pi);
	metrics_account(&m, &pi, (uint32_t)size);
	check_deterministic(data, size, &pi);
	check_snapped(data, size);
	check_prefix(data, size, &pi);
	check_filter(data, size);
	check_expressions(data, size);
	check_peek(data, size);
	check_stripped(data, size);
	if (pi.l4 == PKT_L4_TCP && pi.l4_complete &&
	    (uint64_t)pi.payload_off + pi.payload_len <= size)
		check_peek(data + pi.payload_off, pi.payload_len);

	if (m.c.packets != m.c.malformed[PKT_OK] + metrics_malformed_total(&m))
		fail("packets != ok + malformed", &pi, size);
	if (metrics_unique_src_ips(&m) + metrics_tcp_directions(&m) > MAX_KEYS) {
		metrics_destroy(&m);
		m_ready = 0;
	}
	return 0;
}
