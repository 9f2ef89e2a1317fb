// SPDX-License-Identifier: MIT
/*
 * Unit tests of the detection stage (inspect/detect.c) on crafted passes:
 * each detector at its threshold's edge (one below: nothing; at it: one
 * alert naming the right endpoints), the outcome rules (completed
 * handshakes are no scan; unanswered attempts count only after the attempt
 * timeout), the windows (a scan's epoch forgotten, a rate window
 * restarted), the end of an alert after the hold, thresholds changed
 * between passes, the volumetric baseline's warm-up, and memory bounded
 * when the tables are full (forged one-attempt sources give way to a real
 * scanner; what cannot be kept is counted); host groups (longest prefix
 * match, a host in two groups, the run's thresholds for a host in none,
 * groups changed between passes).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <arpa/inet.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "inspect/detect.h"
#include "inspect/detect_groups.h"

#define TEST(name) static void name(void **state __attribute__((unused)))
#define EQ(a, b) assert_int_equal((a), (b))
#define SEC 1000000000ull

struct got {
	struct detect_alert a[256];
	unsigned n;
};

static void collect(void *ctx, const struct detect_alert *a)
{
	struct got *g = ctx;

	if (g->n < 256)
		g->a[g->n] = *a;
	g->n++;
}

static struct detect *make(const struct detect_thresholds *th, uint32_t max_entries, struct got *g)
{
	struct detect_config c = {
		.max_entries = max_entries, .emit = g ? collect : NULL, .emit_ctx = g};
	struct detect *d;

	if (th)
		c.th = *th;
	else
		detect_thresholds_defaults(&c.th);
	d = detect_new(&c);
	assert_non_null(d);
	return d;
}

static void ip4(uint8_t out[4], uint32_t v)
{
	out[0] = (uint8_t)(v >> 24);
	out[1] = (uint8_t)(v >> 16);
	out[2] = (uint8_t)(v >> 8);
	out[3] = (uint8_t)v;
}

struct rec {
	uint8_t src[4], dst[4];
	struct detect_obs o;
};

/* A TCP record from @src:@sport to @dst:@dport, new at this pass. */
static struct detect_obs *rec(struct rec *r, uint32_t src, uint16_t sport, uint32_t dst,
			      uint16_t dport)
{
	memset(r, 0, sizeof(*r));
	ip4(r->src, src);
	ip4(r->dst, dst);
	r->o.family = 4;
	r->o.proto = 6;
	r->o.src = r->src;
	r->o.dst = r->dst;
	r->o.sport = sport;
	r->o.dport = dport;
	r->o.syn = true;
	r->o.new_attempt = true;
	r->o.pk_to_dst = 1;
	r->o.by_to_dst = 60;
	return &r->o;
}

#define SCANNER 0xc6120001u /* 198.18.0.1 */
#define VICTIM 0xc6130002u  /* 198.19.0.2 */

/* @n new SYNs to VICTIM:80 from forged sources, @completed of them done. */
static void syns(struct detect *d, unsigned n, unsigned completed, uint64_t now)
{
	struct rec r;

	for (unsigned i = 0; i < n; i++) {
		struct detect_obs *o = rec(&r, 0x0a000000u + i, (uint16_t)(1024 + i), VICTIM, 80);

		o->half_open = i >= completed;
		o->established = i < completed;
		detect_observe(d, o, now);
	}
}

TEST(test_syn_flood_edge)
{
	struct detect_thresholds th;
	struct got g = {0};
	struct detect *d;

	detect_thresholds_defaults(&th);
	th.syn_rate = 100;
	th.vol_flows = 0; /* this test is about SYN floods only */
	th.vol_pps = 0;
	/* One below the rate: nothing. */
	d = make(&th, 0, &g);
	detect_pass_end(d, 10 * SEC);
	syns(d, 99, 0, 11 * SEC);
	detect_pass_end(d, 11 * SEC);
	EQ(g.n, 0);
	detect_free(d);
	/* At the rate: one alert, naming the destination and port. */
	d = make(&th, 0, &g);
	detect_pass_end(d, 10 * SEC);
	syns(d, 100, 0, 11 * SEC);
	detect_pass_end(d, 11 * SEC);
	EQ(g.n, 1);
	EQ(g.a[0].kind, DETECT_SYN_FLOOD);
	EQ(g.a[0].state, DETECT_START);
	assert_true(g.a[0].has_dst && g.a[0].has_port && !g.a[0].has_src);
	EQ(g.a[0].port, 80);
	EQ(memcmp(g.a[0].dst, "\xc6\x13\x00\x02", 4), 0);
	EQ(g.a[0].attempts, 100);
	EQ(g.a[0].half_open, 100);
	assert_true(g.a[0].n_samples >= 1);
	assert_false(g.a[0].answers_unseen);
	detect_free(d);
	/* At the rate, but more than the ratio completed: a busy server. */
	g.n = 0;
	d = make(&th, 0, &g);
	detect_pass_end(d, 10 * SEC);
	syns(d, 100, 11, 11 * SEC);
	detect_pass_end(d, 11 * SEC);
	EQ(g.n, 0);
	detect_free(d);
	/* Exactly the ratio completed: still a flood. */
	d = make(&th, 0, &g);
	detect_pass_end(d, 10 * SEC);
	syns(d, 100, 10, 11 * SEC);
	detect_pass_end(d, 11 * SEC);
	EQ(g.n, 1);
	detect_free(d);
}

TEST(test_syn_flood_ends_after_hold)
{
	struct detect_thresholds th;
	struct got g = {0};
	struct detect *d;

	detect_thresholds_defaults(&th);
	th.syn_rate = 100;
	th.hold_s = 3;
	th.vol_flows = 0;
	d = make(&th, 0, &g);
	detect_pass_end(d, 10 * SEC);
	for (uint64_t t = 11; t <= 13; t++) {
		syns(d, 500, 0, t * SEC);
		detect_pass_end(d, t * SEC);
	}
	EQ(g.n, 1);
	EQ(g.a[0].state, DETECT_START);
	/* Quiet from 14 s on: the last pass above was at 13 s. */
	for (uint64_t t = 14; t < 16; t++)
		detect_pass_end(d, t * SEC);
	EQ(g.n, 1);
	detect_pass_end(d, 16 * SEC);
	EQ(g.n, 2);
	EQ(g.a[1].state, DETECT_END);
	EQ(g.a[1].id, g.a[0].id);
	detect_pass_end(d, 17 * SEC);
	EQ(g.n, 2);
	detect_free(d);
}

/* @n failed attempts from @src to @dst on ports from @port0 (refused). */
static void refused(struct detect *d, uint32_t src, uint32_t dst, uint16_t port0, unsigned n,
		    uint64_t now)
{
	struct rec r;

	for (unsigned i = 0; i < n; i++) {
		struct detect_obs *o = rec(&r, src, 40000, dst, (uint16_t)(port0 + i));

		o->reset = true;
		EQ(detect_observe(d, o, now), true);
	}
}

TEST(test_port_scan_edge)
{
	struct got g = {0};
	struct detect *d = make(NULL, 0, &g);

	detect_pass_end(d, 1 * SEC);
	refused(d, SCANNER, VICTIM, 1000, 14, 2 * SEC);
	refused(d, SCANNER, VICTIM, 1000, 14, 2 * SEC); /* the same ports again */
	detect_pass_end(d, 2 * SEC);
	EQ(g.n, 0);
	refused(d, SCANNER, VICTIM, 2000, 1, 3 * SEC);
	detect_pass_end(d, 3 * SEC);
	EQ(g.n, 1);
	EQ(g.a[0].kind, DETECT_PORT_SCAN);
	assert_true(g.a[0].has_src && g.a[0].has_dst);
	EQ(memcmp(g.a[0].src, "\xc6\x12\x00\x01", 4), 0);
	EQ(memcmp(g.a[0].dst, "\xc6\x13\x00\x02", 4), 0);
	EQ(g.a[0].distinct, 15);
	/* More ports: the same alert goes on, no second start. */
	refused(d, SCANNER, VICTIM, 3000, 100, 4 * SEC);
	detect_pass_end(d, 4 * SEC);
	EQ(g.n, 1);
	detect_free(d);
}

TEST(test_completed_is_no_scan)
{
	struct got g = {0};
	struct detect *d = make(NULL, 0, &g);
	struct rec r;

	detect_pass_end(d, 1 * SEC);
	/* A busy client: 100 ports of one host, every handshake completed. */
	for (unsigned i = 0; i < 100; i++) {
		struct detect_obs *o = rec(&r, SCANNER, 40000, VICTIM, (uint16_t)(1000 + i));

		o->established = true;
		detect_observe(d, o, 2 * SEC);
	}
	detect_pass_end(d, 2 * SEC);
	EQ(g.n, 0);
	detect_free(d);
}

TEST(test_unanswered_after_timeout)
{
	struct got g = {0};
	struct detect *d = make(NULL, 0, &g);
	struct rec r;
	struct detect_obs *o;

	detect_pass_end(d, 1 * SEC);
	/* A SYN younger than the attempt timeout (1 s) is not failed yet. */
	o = rec(&r, SCANNER, 40000, VICTIM, 22);
	o->half_open = true;
	o->age_ns = SEC / 2;
	EQ(detect_observe(d, o, 2 * SEC), false);
	o->new_attempt = false;
	o->age_ns = SEC;
	EQ(detect_observe(d, o, 3 * SEC), true);
	/* Its outcome taken, never again. */
	o->outcome_done = true;
	EQ(detect_observe(d, o, 4 * SEC), false);
	/* An attempt ending unanswered fails whatever its age. */
	o = rec(&r, SCANNER, 40001, VICTIM, 23);
	o->half_open = true;
	o->ending = true;
	EQ(detect_observe(d, o, 4 * SEC), true);
	detect_free(d);
}

TEST(test_scan_window_forgets)
{
	struct detect_thresholds th;
	struct got g = {0};
	struct detect *d;

	detect_thresholds_defaults(&th);
	th.scan_window_s = 10;
	d = make(&th, 0, &g);
	detect_pass_end(d, 1 * SEC);
	refused(d, SCANNER, VICTIM, 1000, 14, 2 * SEC);
	detect_pass_end(d, 2 * SEC);
	/* One more, but a window later: the first 14 are forgotten. */
	refused(d, SCANNER, VICTIM, 2000, 1, 13 * SEC);
	detect_pass_end(d, 13 * SEC);
	EQ(g.n, 0);
	detect_free(d);
}

TEST(test_address_scan_edge)
{
	struct got g = {0};
	struct detect *d = make(NULL, 0, &g);

	detect_pass_end(d, 1 * SEC);
	for (uint32_t h = 0; h < 24; h++)
		refused(d, SCANNER, 0xc6130100u + h, 443, 1, 2 * SEC);
	detect_pass_end(d, 2 * SEC);
	EQ(g.n, 0);
	refused(d, SCANNER, 0xc6130100u + 200, 443, 1, 3 * SEC);
	detect_pass_end(d, 3 * SEC);
	EQ(g.n, 1);
	EQ(g.a[0].kind, DETECT_ADDRESS_SCAN);
	assert_true(g.a[0].has_src && g.a[0].has_port && !g.a[0].has_dst);
	EQ(g.a[0].port, 443);
	EQ(g.a[0].distinct, 25);
	/* It ends after the hold (5 s) without failed attempts. */
	detect_pass_end(d, 7 * SEC);
	EQ(g.n, 1);
	detect_pass_end(d, 8 * SEC);
	EQ(g.n, 2);
	EQ(g.a[1].state, DETECT_END);
	detect_free(d);
}

/* @pk packets (60 bytes each) from SCANNER to @dst over existing flows,
 * this pass. */
static void traffic_to(struct detect *d, uint32_t dst, uint64_t pk, uint64_t now)
{
	struct rec r;
	struct detect_obs *o = rec(&r, SCANNER, 5000, dst, 53);

	o->proto = 17;
	o->syn = false;
	o->new_attempt = false;
	o->pk_to_dst = pk;
	o->by_to_dst = pk * 60;
	detect_observe(d, o, now);
}

/* The same to VICTIM. */
static void traffic(struct detect *d, uint64_t pk, uint64_t now)
{
	traffic_to(d, VICTIM, pk, now);
}

TEST(test_volumetric_edge)
{
	struct detect_thresholds th;
	struct got g = {0};
	struct detect *d;

	detect_thresholds_defaults(&th);
	th.vol_pps = 1000;
	th.vol_deviations = 0;
	d = make(&th, 0, &g);
	detect_pass_end(d, 1 * SEC);
	traffic(d, 999, 2 * SEC);
	detect_pass_end(d, 2 * SEC);
	EQ(g.n, 0);
	traffic(d, 1000, 3 * SEC);
	detect_pass_end(d, 3 * SEC);
	EQ(g.n, 1);
	EQ(g.a[0].kind, DETECT_VOLUMETRIC);
	assert_true(g.a[0].has_dst && !g.a[0].has_src);
	assert_true(g.a[0].rate >= 1000 && g.a[0].rate < 1001);
	assert_false(g.a[0].by_baseline);
	detect_free(d);
}

TEST(test_volumetric_baseline)
{
	struct detect_thresholds th;
	struct got g = {0};
	struct detect *d;
	uint64_t t = 1;

	detect_thresholds_defaults(&th);
	th.vol_pps = 0;
	th.vol_bps = 0;
	th.vol_flows = 0;
	th.vol_warmup_s = 100;
	th.vol_baseline_min_pps = 1000;
	d = make(&th, 0, &g);
	detect_pass_end(d, t * SEC);
	/* A steady 2000 pps (+-100) for 50 s; a spike to 20000 in the
	 * warm-up does not alert. */
	for (; t < 50; t++) {
		traffic(d, 2000 + (t % 2 ? 100 : 0) - (t % 2 ? 0 : 100), t * SEC);
		detect_pass_end(d, t * SEC);
	}
	traffic(d, 20000, t * SEC);
	detect_pass_end(d, t * SEC);
	EQ(g.n, 0);
	for (t++; t < 120; t++) {
		traffic(d, 2000 + (t % 2 ? 100 : 0) - (t % 2 ? 0 : 100), t * SEC);
		detect_pass_end(d, t * SEC);
	}
	EQ(g.n, 0);
	/* Warm: the same spike alerts, by its baseline. */
	traffic(d, 20000, t * SEC);
	detect_pass_end(d, t * SEC);
	EQ(g.n, 1);
	assert_true(g.a[0].by_baseline);
	assert_true(g.a[0].baseline_pps > 1500 && g.a[0].baseline_pps < 2500);
	detect_free(d);
}

TEST(test_thresholds_at_next_pass)
{
	struct detect_thresholds th;
	struct got g = {0};
	struct detect *d = make(NULL, 0, &g);

	detect_pass_end(d, 1 * SEC);
	refused(d, SCANNER, VICTIM, 1000, 5, 2 * SEC);
	detect_pass_end(d, 2 * SEC);
	EQ(g.n, 0);
	detect_thresholds_defaults(&th);
	th.port_scan_ports = 5;
	detect_set_thresholds(d, &th);
	detect_pass_end(d, 3 * SEC);
	/* Scans are decided at a pass with the counts it has. */
	EQ(g.n, 1);
	EQ(g.a[0].kind, DETECT_PORT_SCAN);
	detect_free(d);
}

TEST(test_bounded_when_full)
{
	struct got g = {0};
	struct detect *d = make(NULL, 64, &g);
	struct detect_thresholds th;
	struct detect_stats s;

	detect_pass_end(d, 1 * SEC);
	/* 100000 forged sources, one refused attempt each. */
	for (uint32_t i = 0; i < 100000; i++)
		refused(d, 0x0a000000u + i, VICTIM, 80, 1, 2 * SEC);
	detect_pass_end(d, 2 * SEC);
	detect_stats(d, &s);
	EQ(s.max_entries, 128);
	/* The bound docs/detect.md states per entry. */
	assert_true(detect_bytes_per_entry() <= 512);
	assert_true(s.entries <= s.max_entries);
	/* A SYN flood to VICTIM:80 (and its new flows): no scan. */
	EQ(s.alerts[DETECT_SYN_FLOOD], 1);
	EQ(s.alerts[DETECT_PORT_SCAN] + s.alerts[DETECT_ADDRESS_SCAN], 0);
	/* A real scanner still gets an entry: the one-attempt ones give way. */
	refused(d, SCANNER, VICTIM, 1000, 20, 3 * SEC);
	detect_pass_end(d, 3 * SEC);
	detect_stats(d, &s);
	EQ(s.alerts[DETECT_PORT_SCAN], 1);
	EQ(g.a[g.n - 1].kind, DETECT_PORT_SCAN);
	EQ(memcmp(g.a[g.n - 1].src, "\xc6\x12\x00\x01", 4), 0);
	detect_free(d);

	/* A rate table full of open alerts: new destinations are counted
	 * untracked, the open alerts kept. */
	g.n = 0;
	detect_thresholds_defaults(&th);
	th.vol_pps = 10;
	d = make(&th, 64, &g);
	detect_pass_end(d, 1 * SEC);
	for (uint32_t h = 0; h < 200; h++) {
		struct rec r;
		struct detect_obs *o = rec(&r, SCANNER, 5000, 0xc6130000u + h, 53);

		o->proto = 17;
		o->syn = false;
		o->pk_to_dst = 100;
		detect_observe(d, o, 2 * SEC);
	}
	detect_pass_end(d, 2 * SEC);
	detect_stats(d, &s);
	assert_true(s.untracked > 0);
	assert_true(s.entries <= 128);
	EQ(s.active[DETECT_VOLUMETRIC], g.n);
	assert_true(g.n > 0 && g.n <= 64);
	detect_free(d);
}

TEST(test_queue_and_one_direction)
{
	struct detect_config c = {.one_direction = true};
	struct got g = {0};
	struct detect_stats s;
	struct detect *d;

	detect_thresholds_defaults(&c.th);
	d = detect_new(&c);
	assert_non_null(d);
	detect_pass_end(d, 1 * SEC);
	refused(d, SCANNER, VICTIM, 1000, 15, 2 * SEC);
	detect_pass_end(d, 2 * SEC);
	/* Queued until drained, in order. */
	EQ(g.n, 0);
	EQ(detect_drain(d, collect, &g), 1);
	EQ(g.n, 1);
	assert_true(g.a[0].answers_unseen);
	detect_finish(d, 3 * SEC);
	EQ(detect_drain(d, collect, &g), 1);
	EQ(g.a[1].state, DETECT_END);
	/* The end of a scan says what it reached. */
	EQ(g.a[1].distinct, 15);
	EQ(g.a[1].threshold_distinct, 15);
	detect_stats(d, &s);
	EQ(s.alerts[DETECT_PORT_SCAN], 1);
	EQ(s.active[DETECT_PORT_SCAN], 0);
	EQ(s.dropped, 0);
	detect_free(d);
}

/* @n UDP probes from @src to @dst, ports from @port0, @age old, answered
 * or not; how many outcomes detect_observe() took. */
static unsigned udp_probes(struct detect *d, uint32_t src, uint32_t dst, uint16_t port0, unsigned n,
			   bool answered, uint64_t age, uint64_t now)
{
	unsigned took = 0;
	struct rec r;

	for (unsigned i = 0; i < n; i++) {
		struct detect_obs *o = rec(&r, src, 40000, dst, (uint16_t)(port0 + i));

		o->proto = 17;
		o->syn = false;
		o->answered = answered;
		o->age_ns = age;
		took += detect_observe(d, o, now);
	}
	return took;
}

TEST(test_udp_scans)
{
	struct got g = {0};
	struct detect *d = make(NULL, 0, &g);
	struct detect_config c = {.emit = collect, .emit_ctx = &g, .one_direction = true};

	detect_pass_end(d, 1 * SEC);
	/* Answered probes are no scan, and their outcome is taken at once. */
	EQ(udp_probes(d, SCANNER, VICTIM, 100, 20, true, 0, 2 * SEC), 20);
	/* Unanswered, but younger than the attempt timeout: not yet failed. */
	EQ(udp_probes(d, SCANNER, VICTIM, 200, 20, false, SEC / 2, 2 * SEC), 0);
	detect_pass_end(d, 2 * SEC);
	EQ(g.n, 0);
	/* 14 ports failed: nothing; TCP refusals on 10 more ports of the same
	 * host do not add to them (each protocol its own scan). */
	EQ(udp_probes(d, SCANNER, VICTIM, 300, 14, false, SEC, 3 * SEC), 14);
	refused(d, SCANNER, VICTIM, 500, 10, 3 * SEC);
	detect_pass_end(d, 3 * SEC);
	EQ(g.n, 0);
	/* The 15th UDP port: a UDP port scan. */
	EQ(udp_probes(d, SCANNER, VICTIM, 400, 1, false, SEC, 4 * SEC), 1);
	detect_pass_end(d, 4 * SEC);
	EQ(g.n, 1);
	EQ(g.a[0].kind, DETECT_PORT_SCAN);
	EQ(g.a[0].proto, 17);
	EQ(g.a[0].distinct, 15);
	EQ(memcmp(g.a[0].src, "\xc6\x12\x00\x01", 4), 0);
	/* Address scan: 25 hosts on one UDP port, unanswered at their end. */
	g.n = 0;
	for (unsigned h = 0; h < 25; h++) {
		struct rec r;
		struct detect_obs *o = rec(&r, SCANNER + 1, 40000, 0xc6130100u + h, 161);

		o->proto = 17;
		o->syn = false;
		o->ending = true;
		detect_observe(d, o, 5 * SEC);
	}
	detect_pass_end(d, 5 * SEC);
	EQ(g.n, 1);
	EQ(g.a[0].kind, DETECT_ADDRESS_SCAN);
	EQ(g.a[0].proto, 17);
	EQ(g.a[0].port, 161);
	/* Multicast destinations never answer: no scan of them. */
	g.n = 0;
	EQ(udp_probes(d, SCANNER + 2, 0xef010101u, 1000, 40, false, SEC, 6 * SEC), 0);
	detect_pass_end(d, 6 * SEC);
	EQ(g.n, 0);
	detect_free(d);
	/* One direction captured: an answer may be unseen, so UDP never
	 * fails. */
	detect_thresholds_defaults(&c.th);
	d = detect_new(&c);
	assert_non_null(d);
	detect_pass_end(d, 1 * SEC);
	EQ(udp_probes(d, SCANNER, VICTIM, 100, 40, false, SEC, 2 * SEC), 0);
	detect_pass_end(d, 2 * SEC);
	EQ(g.n, 0);
	detect_free(d);
}

/* The test's own KEY=VALUE for groups (xdpi's goes through its options). */
static int set_key(struct detect_thresholds *th, const char *key, const char *value)
{
	char *end;
	double v = strtod(value, &end);

	if (*end || end == value)
		return -EINVAL;
	if (!strcmp(key, "volumetric-pps"))
		th->vol_pps = v;
	else if (!strcmp(key, "syn-flood-rate"))
		th->syn_rate = v;
	else
		return -EINVAL;
	return 0;
}

static int lookup4(const struct detect_groups *gs, uint32_t a)
{
	uint8_t b[4];

	ip4(b, a);
	return detect_groups_lookup(gs, 4, b);
}

static int lookup6(const struct detect_groups *gs, const char *s)
{
	uint8_t b[16];

	assert_int_equal(inet_pton(AF_INET6, s, b), 1);
	return detect_groups_lookup(gs, 6, b);
}

TEST(test_host_groups_lookup)
{
	static struct detect_groups gs;
	struct detect_thresholds base;
	char err[256];

	detect_thresholds_defaults(&base);
	EQ(detect_groups_parse(&gs,
			       "wide 198.18.0.0/15 volumetric-pps=500; "
			       "narrow 198.19.0.0/24,2001:db8::/32 volumetric-pps=2000 "
			       "syn-flood-rate=50;host 198.19.0.2\tvolumetric-pps=5000;",
			       &base, set_key, err, sizeof(err)),
	   0);
	EQ(gs.n, 3);
	EQ(gs.np, 4);
	assert_string_equal(gs.g[0].name, "wide");
	/* Longest prefix: a host in all three groups takes its /32. */
	EQ(lookup4(&gs, 0xc6130002u), 2);
	/* A host in two groups (/15 and /24) takes the /24. */
	EQ(lookup4(&gs, 0xc6130007u), 1);
	EQ(lookup4(&gs, 0xc61300ffu), 1);
	EQ(lookup4(&gs, 0xc6130100u), 0);
	EQ(lookup4(&gs, 0xc6120505u), 0);
	EQ(lookup4(&gs, 0xc6110000u), -1); /* just below 198.18.0.0/15 */
	EQ(lookup4(&gs, 0xc6140000u), -1); /* just above */
	EQ(lookup4(&gs, 0x0a000001u), -1);
	EQ(lookup6(&gs, "2001:db8:ffff::1"), 1);
	EQ(lookup6(&gs, "2001:db9::"), -1);
	EQ(lookup6(&gs, "::ffff:198.19.0.2"), -1); /* IPv6 never matches IPv4 */
	/* Each group: the base with its own keys. */
	assert_true(gs.g[0].th.vol_pps == 500 && gs.g[0].th.syn_rate == base.syn_rate);
	assert_true(gs.g[1].th.vol_pps == 2000 && gs.g[1].th.syn_rate == 50);
	assert_true(gs.g[2].th.vol_pps == 5000 && gs.g[2].th.vol_bps == base.vol_bps);
	/* Refused, with a reason. */
	static const char *const bad[] = {
		"a 10.0.0.0/8; a 11.0.0.0/8",		       /* a name twice */
		"a 10.0.0.0/8; b 10.0.0.0/8",		       /* a prefix in two groups */
		"a 10.0.0.1/8",				       /* host bits set */
		"a 10.0.0.0/33",			       /* too long */
		"a 10.0.0.0/",				       /* no length */
		"a volumetric-pps=5",			       /* no prefixes */
		"a 10.0.0.0/8 scan-window=5",		       /* not a per-host threshold */
		"a 10.0.0.0/8 volumetric-pps=x",	       /* a bad value */
		"a 10.0.0.0/8 volumetric-pps",		       /* not KEY=VALUE */
		"a/b 10.0.0.0/8",			       /* a bad name */
		"abcdefghijabcdefghijabcdefghijab 10.0.0.0/8", /* 32 characters */
		" ; ",					       /* no group */
		"a 2001:db8::/129",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = 0;
		EQ(detect_groups_parse(&gs, bad[i], &base, set_key, err, sizeof(err)), -EINVAL);
		assert_true(err[0] != 0);
		EQ(gs.n, 0);
	}
}

TEST(test_host_groups_thresholds)
{
	static struct detect_groups gs;
	struct detect_config c = {0};
	struct detect_thresholds base;
	struct got g = {0};
	char err[256];
	struct detect *d;

	detect_thresholds_defaults(&base);
	base.vol_pps = 1000;
	base.vol_deviations = 0;
	base.vol_flows = 0;
	EQ(detect_groups_parse(&gs,
			       "servers 198.19.0.0/24 volumetric-pps=100; "
			       "big 198.19.0.2 volumetric-pps=5000",
			       &base, set_key, err, sizeof(err)),
	   0);
	c.th = base;
	c.groups = &gs;
	c.emit = collect;
	c.emit_ctx = &g;
	d = detect_new(&c);
	assert_non_null(d);
	detect_pass_end(d, 1 * SEC);
	traffic_to(d, 0xc6130002u, 4999, 2 * SEC); /* big: under its 5000 */
	traffic_to(d, 0xc6130009u, 100, 2 * SEC);  /* servers: at its 100 */
	traffic_to(d, 0x0a000001u, 999, 2 * SEC);  /* none: under the run's 1000 */
	traffic_to(d, 0x0a000002u, 1000, 2 * SEC); /* none: at it */
	detect_pass_end(d, 2 * SEC);
	EQ(g.n, 2);
	for (unsigned i = 0; i < 2; i++) {
		const struct detect_alert *a = &g.a[i];

		EQ(a->kind, DETECT_VOLUMETRIC);
		if (!memcmp(a->dst, "\xc6\x13\x00\x09", 4))
			assert_string_equal(a->group, "servers");
		else if (!memcmp(a->dst, "\x0a\x00\x00\x02", 4))
			assert_string_equal(a->group, "");
		else
			fail_msg("alert for an unexpected host");
	}
	/* Groups changed between passes: the big host loses its own group
	 * and falls into servers', at once for a destination already
	 * tracked. */
	EQ(detect_groups_parse(&gs, "servers 198.19.0.0/24 volumetric-pps=100", &base, set_key, err,
			       sizeof(err)),
	   0);
	EQ(detect_set_groups(d, &gs), 0);
	g.n = 0;
	traffic_to(d, 0xc6130002u, 200, 3 * SEC);
	detect_pass_end(d, 3 * SEC);
	EQ(g.n, 1);
	EQ(memcmp(g.a[0].dst, "\xc6\x13\x00\x02", 4), 0);
	assert_string_equal(g.a[0].group, "servers");
	/* No groups at all: the run's thresholds for every host. */
	EQ(detect_set_groups(d, NULL), 0);
	g.n = 0;
	traffic_to(d, 0xc6130003u, 200, 4 * SEC);
	detect_pass_end(d, 4 * SEC);
	for (unsigned i = 0; i < g.n; i++)
		assert_true(g.a[i].state != DETECT_START); /* ends only, none raised */
	detect_free(d);
}

TEST(test_thresholds_check)
{
	struct detect_thresholds th;
	struct detect_config c = {0};

	detect_thresholds_defaults(&th);
	EQ(detect_thresholds_check(&th), 0);
	th.syn_ratio = 1.5;
	EQ(detect_thresholds_check(&th), -EINVAL);
	c.th = th;
	assert_null(detect_new(&c));
	detect_free(NULL);
}

/* detect_quiet()'s promise, which the flow table's passes rely on to skip
 * records: a record it calls quiet, looked at again with nothing sent
 * since, changes nothing. Two detectors see the same records pass after
 * pass (lingering half-open SYNs enough for a SYN flood by half-open
 * count, completed and refused handshakes, mid-stream TCP, ICMP, UDP
 * probes of one source, enough unanswered for a port scan once their
 * attempt timeout passes); one skips the records called quiet, as the
 * flow table does. Their alerts must be the same, and not none. */
TEST(test_quiet_skip_same_alerts)
{
	enum { N = 140, PASSES = 30 };
	struct detect_thresholds th;
	struct got *ga = calloc(1, sizeof(*ga)), *gb = calloc(1, sizeof(*gb));
	struct detect *a, *b;
	struct rec r[N];
	bool done[N] = {0}, quiet[N] = {0};

	assert_non_null(ga);
	assert_non_null(gb);
	detect_thresholds_defaults(&th);
	th.syn_rate = 1e9; /* the flood by half-open count only */
	th.syn_half_open = 50;
	th.vol_flows = 0;
	a = make(&th, 0, ga);
	b = make(&th, 0, gb);
	for (unsigned p = 0; p < PASSES; p++) {
		uint64_t now = SEC / 2 + p * SEC;

		for (unsigned i = 0; i < N; i++) {
			struct detect_obs *o;
			bool took;

			if (!p) {
				o = rec(&r[i], 0x0a000000u + i, (uint16_t)(2000 + i), VICTIM,
					i < 60 ? 80 : (uint16_t)(1 + i));
				o->half_open = i < 60;		    /* lingering SYNs */
				o->established = i >= 60 && i < 80; /* completed */
				o->reset = i >= 80 && i < 90;	    /* refused */
				o->syn = i < 90;		    /* 90..: mid-stream */
				if (i >= 100 && i < 135) {	    /* a third answered */
					ip4(r[i].src, SCANNER);
					o->proto = 17;
					o->answered = i % 3 == 0;
				}
				if (i >= 135)
					o->proto = 1;
			} else {
				o = &r[i].o;
				o->new_attempt = false;
				o->pk_to_dst = 0;
				o->by_to_dst = 0;
			}
			o->age_ns = now - SEC / 2 + SEC / 10;
			o->outcome_done = done[i];
			took = detect_observe(a, o, now);
			if (!quiet[i])
				assert_true(detect_observe(b, o, now) == took);
			done[i] = done[i] || took;
			quiet[i] = detect_quiet(a, o, done[i]);
		}
		detect_pass_end(a, now);
		detect_pass_end(b, now);
	}
	detect_finish(a, SEC / 2 + PASSES * SEC);
	detect_finish(b, SEC / 2 + PASSES * SEC);
	assert_true(ga->n > 0);
	EQ(gb->n, ga->n);
	for (unsigned i = 0; i < ga->n && i < 256; i++) {
		EQ(gb->a[i].kind, ga->a[i].kind);
		EQ(gb->a[i].state, ga->a[i].state);
		EQ(gb->a[i].now_ns, ga->a[i].now_ns);
		EQ(gb->a[i].half_open, ga->a[i].half_open);
		EQ(gb->a[i].attempts, ga->a[i].attempts);
		EQ(gb->a[i].distinct, ga->a[i].distinct);
	}
	detect_free(a);
	detect_free(b);
	free(ga);
	free(gb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_syn_flood_edge),
		cmocka_unit_test(test_syn_flood_ends_after_hold),
		cmocka_unit_test(test_port_scan_edge),
		cmocka_unit_test(test_completed_is_no_scan),
		cmocka_unit_test(test_unanswered_after_timeout),
		cmocka_unit_test(test_scan_window_forgets),
		cmocka_unit_test(test_address_scan_edge),
		cmocka_unit_test(test_volumetric_edge),
		cmocka_unit_test(test_volumetric_baseline),
		cmocka_unit_test(test_thresholds_at_next_pass),
		cmocka_unit_test(test_bounded_when_full),
		cmocka_unit_test(test_queue_and_one_direction),
		cmocka_unit_test(test_thresholds_check),
		cmocka_unit_test(test_udp_scans),
		cmocka_unit_test(test_host_groups_lookup),
		cmocka_unit_test(test_host_groups_thresholds),
		cmocka_unit_test(test_quiet_skip_same_alerts),
	};

	return cmocka_run_group_tests_name("detect", tests, NULL, NULL);
}
