// SPDX-License-Identifier: MIT
/*
 * Unit tests of the per-frame pipeline (inspect/pipeline.[ch]): what each
 * configuration does with a frame (filter, inspection off, sequence check),
 * merge, and the counter snapshots a reader takes while the owner runs.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "frames.h"
#include "inspect/pipeline.h"

#define TEST(name) static void name(void **state __attribute__((unused)))
#define EQ(a, b) assert_int_equal((a), (b))

static void tcp4(struct fb *f, uint16_t sport, uint8_t flags, uint32_t payload)
{
	fb_init(f);
	fb_eth(f, FB_ETH_IPV4);
	fb_ipv4(f, FB_IPPROTO_TCP, FB_IP4(198, 18, 0, 1), FB_IP4(198, 18, 0, 2));
	fb_tcp(f, sport, 80, 1, 2, flags, 100);
	fb_payload(f, payload);
	fb_finish(f);
}

static void udp4(struct fb *f, uint32_t payload)
{
	fb_init(f);
	fb_eth(f, FB_ETH_IPV4);
	fb_ipv4(f, FB_IPPROTO_UDP, FB_IP4(198, 18, 0, 1), FB_IP4(198, 18, 0, 2));
	fb_udp(f, 1000, 53);
	fb_payload(f, payload);
	fb_finish(f);
}

/* The offline caller's way: the filter a runtime test, inspection on. */
static void run(struct pipeline *p, const struct fb *f, uint32_t wire)
{
	pipeline_frame(p, f->buf, f->len, wire ? wire : f->len, NULL, p->cfg.filter != NULL, true,
		       false);
}

/* @text compiled; fails the test if it does not compile. */
static struct xdpi_filter compiled(const char *text)
{
	struct xdpi_filter f;
	char err[512];

	if (xdpi_filter_compile(&f, text, err, sizeof(err)))
		fail_msg("'%s' does not compile: %s", text, err);
	return f;
}

TEST(filter_counts_the_rest_apart)
{
	struct pipeline p;
	struct fb t, u;

	struct xdpi_filter tcp = compiled("tcp");

	tcp4(&t, 1000, FB_TCP_SYN, 0);
	udp4(&u, 10);
	assert_int_equal(
		pipeline_init(&p, &(struct pipeline_config){.filter = &tcp, .inspect = true}), 0);
	run(&p, &t, 0);
	run(&p, &u, 0);
	run(&p, &u, 0);
	EQ(p.filtered_out, 2);
	EQ(p.m.c.packets, 1);
	EQ(p.m.c.bytes, t.len);
	EQ(p.m.c.l4[PKT_L4_TCP], 1);
	EQ(p.m.c.l4[PKT_L4_UDP], 0);
	EQ(p.m.c.tcp_flags[METRICS_TCP_SYN], 1);
	pipeline_destroy(&p);
	xdpi_filter_destroy(&tcp);
}

/* An expression is a filter stage like the built-ins; its `len` is the
 * wire length of a snapped frame. */
TEST(expression_filter)
{
	struct xdpi_filter dns = compiled("udp port 53"), big = compiled("greater 500");
	struct pipeline p, q;
	struct fb t, u;

	tcp4(&t, 1000, FB_TCP_SYN, 0);
	udp4(&u, 10);
	assert_int_equal(
		pipeline_init(&p, &(struct pipeline_config){.filter = &dns, .inspect = true}), 0);
	run(&p, &t, 0);
	run(&p, &u, 0);
	EQ(p.filtered_out, 1);
	EQ(p.m.c.packets, 1);
	EQ(p.m.c.l4[PKT_L4_UDP], 1);
	assert_int_equal(
		pipeline_init(&q, &(struct pipeline_config){.filter = &big, .inspect = true}), 0);
	run(&q, &u, 0);
	run(&q, &u, 1000); /* 1000 bytes on the wire, u.len captured */
	EQ(q.filtered_out, 1);
	EQ(q.m.c.packets, 1);
	EQ(q.m.c.bytes, 1000);
	pipeline_destroy(&p);
	pipeline_destroy(&q);
	xdpi_filter_destroy(&dns);
	xdpi_filter_destroy(&big);
}

TEST(no_filter_takes_everything)
{
	struct pipeline p;
	struct fb t, u;

	struct xdpi_filter all = compiled("all");

	tcp4(&t, 1000, FB_TCP_ACK, 5);
	udp4(&u, 10);
	assert_int_equal(
		pipeline_init(&p, &(struct pipeline_config){.filter = &all, .inspect = true}), 0);
	assert_null(p.cfg.filter); /* no test per frame */
	run(&p, &t, 0);
	run(&p, &u, 0);
	EQ(p.filtered_out, 0);
	EQ(p.m.c.packets, 2);
	EQ(p.m.c.l4[PKT_L4_TCP], 1);
	EQ(p.m.c.l4[PKT_L4_UDP], 1);
	EQ(p.m.c.tcp_payload_bytes, 5);
	pipeline_destroy(&p);
	xdpi_filter_destroy(&all);
}

/* A frame captured shorter than on the wire counts by its wire length. */
TEST(snapped_frames_counted)
{
	struct pipeline p;
	struct fb t;

	tcp4(&t, 1000, FB_TCP_ACK, 100);
	assert_int_equal(pipeline_init(&p, &(struct pipeline_config){.inspect = true}), 0);
	run(&p, &t, t.len + 1000);
	run(&p, &t, 0);
	EQ(p.snapped, 1);
	EQ(p.m.c.bytes, 2 * (uint64_t)t.len + 1000);
	pipeline_destroy(&p);
}

/* Without inspection the frame is not parsed: packets and bytes only. */
TEST(inspection_off_counts_packets_and_bytes)
{
	struct pipeline p;
	struct fb t;

	tcp4(&t, 1000, FB_TCP_SYN, 0);
	assert_int_equal(pipeline_init(&p, &(struct pipeline_config){.inspect = false}), 0);
	pipeline_frame(&p, t.buf, t.len, t.len, NULL, false, false, false);
	pipeline_frame(&p, t.buf, t.len, t.len, NULL, false, false, false);
	EQ(p.m.c.packets, 2);
	EQ(p.m.c.bytes, 2 * (uint64_t)t.len);
	EQ(p.m.c.l3[PKT_L3_IPV4], 0);
	EQ(p.m.c.tcp_flags[METRICS_TCP_SYN], 0);
	EQ(metrics_tcp_flows(&p.m), 0);
	pipeline_destroy(&p);
}

/* A stamped `xdpi gen` frame reaches the sequence check; a gap is a loss. */
TEST(sequence_check_stage)
{
	struct pipeline p;
	struct fb f;

	assert_int_equal(
		pipeline_init(&p, &(struct pipeline_config){.inspect = true, .check_seq = true}),
		0);
	assert_non_null(p.seq);
	for (uint32_t seq = 0; seq < 10; seq++) {
		if (seq == 4)
			continue;
		fb_init(&f);
		fb_eth(&f, FB_ETH_IPV4);
		fb_ipv4(&f, FB_IPPROTO_TCP, FB_IP4(198, 18, 0, 1), FB_IP4(198, 18, 0, 2));
		fb_tcp(&f, XDPI_GEN_SPORT_BASE, XDPI_GEN_DPORT, seq, 1000, FB_TCP_ACK, 100);
		fb_finish(&f);
		pipeline_frame(&p, f.buf, f.len, f.len, &(struct seqcheck_clock){.mono_ns = 2000},
			       false, true, true);
	}
	EQ(p.seq->k[SEQCHECK_XDPI].stamped, 9);
	EQ(p.seq->k[SEQCHECK_XDPI].lost, 1);
	EQ(p.seq->k[SEQCHECK_XDPI].flows, 1);
	EQ(p.seq->k[SEQCHECK_XDPI].lat_hist[seqcheck_lat_bucket(1000)], 9);
	pipeline_destroy(&p);
}

TEST(merge_sums_everything)
{
	struct pipeline a, b;
	struct fb t, u;

	struct xdpi_filter tcp = compiled("tcp");

	tcp4(&t, 1000, FB_TCP_SYN, 0);
	udp4(&u, 0);
	assert_int_equal(
		pipeline_init(&a, &(struct pipeline_config){.filter = &tcp, .inspect = true}), 0);
	assert_int_equal(pipeline_init(&b, &a.cfg), 0);
	run(&a, &t, 0);
	run(&b, &u, 0);
	tcp4(&t, 1001, FB_TCP_SYN, 0);
	run(&b, &t, 0);
	assert_int_equal(pipeline_merge(&a, &b), 0);
	EQ(a.m.c.packets, 2);
	EQ(a.filtered_out, 1);
	EQ(metrics_tcp_flows(&a.m), 2);
	EQ(metrics_unique_src_ips(&a.m), 1);
	pipeline_destroy(&a);
	pipeline_destroy(&b);
	xdpi_filter_destroy(&tcp);
}

TEST(snapshot_shows_the_last_publish)
{
	struct pipeline p;
	struct pipeline_counters s;
	struct fb t;

	tcp4(&t, 1000, FB_TCP_SYN, 0);
	assert_int_equal(pipeline_init(&p, &(struct pipeline_config){.inspect = true}), 0);
	pipeline_snapshot(&p, &s);
	EQ(s.c.packets, 0);
	run(&p, &t, 0);
	pipeline_snapshot(&p, &s);
	EQ(s.c.packets, 0); /* not published yet */
	pipeline_publish(&p);
	run(&p, &t, 0);
	pipeline_snapshot(&p, &s);
	EQ(s.c.packets, 1);
	EQ(s.c.bytes, t.len);
	EQ(s.tcp_flows, 1);
	EQ(s.unique_src_ips, 1);
	pipeline_publish(&p);
	pipeline_snapshot(&p, &s);
	EQ(s.c.packets, 2);
	EQ(s.c.tcp_flags[METRICS_TCP_SYN], 2);
	pipeline_destroy(&p);
}

/* A reader racing the owner's publishes must only ever see whole ones: in
 * every publish below, all counters of struct metrics_counters move
 * together, so a torn copy shows as two that differ. */
struct race {
	struct pipeline p;
	int done;
	uint64_t publishes;
};

static void *race_writer(void *arg)
{
	struct race *r = arg;
	uint64_t *words = (uint64_t *)&r->p.m.c;
	size_t n = sizeof(r->p.m.c) / sizeof(uint64_t);

	for (uint64_t k = 1; k <= r->publishes; k++) {
		for (size_t i = 0; i < n; i++)
			words[i] = k;
		r->p.filtered_out = k;
		r->p.snapped = k;
		pipeline_publish(&r->p);
	}
	__atomic_store_n(&r->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

TEST(snapshot_never_torn)
{
	static struct race r;
	struct pipeline_counters s;
	uint64_t reads = 0, torn = 0, last = 0;
	pthread_t t;

	assert_int_equal(pipeline_init(&r.p, &(struct pipeline_config){.inspect = true}), 0);
	r.publishes = 2000000;
	assert_int_equal(pthread_create(&t, NULL, race_writer, &r), 0);
	while (!__atomic_load_n(&r.done, __ATOMIC_ACQUIRE)) {
		const uint64_t *w = (const uint64_t *)&s.c;

		pipeline_snapshot(&r.p, &s);
		reads++;
		for (size_t i = 1; i < sizeof(s.c) / sizeof(uint64_t); i++)
			torn += w[i] != w[0];
		torn += s.filtered_out != w[0] || s.snapped != w[0];
		/* Never backwards: each snapshot is a later publish. */
		torn += w[0] < last;
		last = w[0];
	}
	pthread_join(t, NULL);
	pipeline_snapshot(&r.p, &s);
	EQ(s.c.packets, r.publishes);
	EQ(torn, 0);
	assert_true(reads > 0);
	pipeline_destroy(&r.p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(filter_counts_the_rest_apart),
		cmocka_unit_test(no_filter_takes_everything),
		cmocka_unit_test(expression_filter),
		cmocka_unit_test(snapped_frames_counted),
		cmocka_unit_test(inspection_off_counts_packets_and_bytes),
		cmocka_unit_test(sequence_check_stage),
		cmocka_unit_test(merge_sums_everything),
		cmocka_unit_test(snapshot_shows_the_last_publish),
		cmocka_unit_test(snapshot_never_torn),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
