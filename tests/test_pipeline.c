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
#include <string.h>

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
	EQ(metrics_tcp_directions(&p.m), 0);
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
	EQ(metrics_tcp_directions(&a.m), 2);
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
	EQ(s.tcp_directions, 1);
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

/* A whole frame and the same frame in parts must count the same. */
static void assert_same_counters(const struct pipeline *a, const struct pipeline *b)
{
	if (memcmp(&a->m.c, &b->m.c, sizeof(a->m.c)))
		fail_msg("counters differ: packets %lu/%lu bytes %lu/%lu malformed %lu/%lu",
			 (unsigned long)a->m.c.packets, (unsigned long)b->m.c.packets,
			 (unsigned long)a->m.c.bytes, (unsigned long)b->m.c.bytes,
			 (unsigned long)a->m.c.malformed[PKT_OK],
			 (unsigned long)b->m.c.malformed[PKT_OK]);
	EQ(metrics_tcp_directions(&a->m), metrics_tcp_directions(&b->m));
	EQ(metrics_unique_src_ips(&a->m), metrics_unique_src_ips(&b->m));
}

/* @f cut at @cut (and in 1000-byte parts after it), as AF_XDP multi-buffer
 * delivers a frame longer than a UMEM frame. */
static void split(const struct fb *f, uint32_t cut, struct pipeline_frame_ext *fx)
{
	uint32_t off = 0;

	memset(fx, 0, sizeof(*fx));
	while (off < f->len && fx->nparts < PIPELINE_MAX_PARTS) {
		uint32_t n = off ? 1000 : cut;

		if (n > f->len - off)
			n = f->len - off;
		fx->part[fx->nparts] = f->buf + off;
		fx->part_len[fx->nparts++] = n;
		off += n;
	}
	fx->len = f->len;
}

static void ipv6_deep(struct fb *f)
{
	static const uint8_t a[16] = {0x20, 1, 0xd, 0xb8, [15] = 1};
	static const uint8_t b[16] = {0x20, 1, 0xd, 0xb8, [15] = 2};

	fb_init(f);
	fb_eth(f, FB_ETH_IPV6);
	fb_ipv6(f, 60, a, b);
	fb_ipv6_ext(f, 60, 255); /* 2048 bytes each */
	fb_ipv6_ext(f, FB_IPPROTO_TCP, 255);
	fb_tcp(f, 4000, 443, 7, 9, FB_TCP_ACK | FB_TCP_PSH, 100);
	fb_payload(f, 3000);
	fb_finish(f);
}

TEST(frames_in_parts_count_as_whole)
{
	static struct fb frames[3];
	const uint32_t cuts[] = {1, 13, 14, 20, 34, 53, 54, 60, 100, 1792, 2100, 4150, 4169};
	struct pipeline whole, parts;
	struct pipeline_frame_ext fx;
	uint64_t runs = 0, cut_headers = 0;

	tcp4(&frames[0], 1000, FB_TCP_ACK, 8000);
	ipv6_deep(&frames[1]);
	fb_init(&frames[2]);
	fb_eth(&frames[2], FB_ETH_8021Q);
	fb_vlan(&frames[2], 7, FB_ETH_IPV4);
	fb_ipv4(&frames[2], FB_IPPROTO_UDP, FB_IP4(198, 18, 0, 1), FB_IP4(198, 18, 0, 2));
	fb_udp(&frames[2], 53, 53);
	fb_payload(&frames[2], 5000);
	fb_finish(&frames[2]);
	assert_int_equal(pipeline_init(&whole, &(struct pipeline_config){.inspect = true}), 0);
	assert_int_equal(pipeline_init(&parts, &(struct pipeline_config){.inspect = true,
									 .max_frame = 9216}),
			 0);
	for (size_t i = 0; i < 3; i++)
		for (size_t c = 0; c < sizeof(cuts) / sizeof(cuts[0]); c++) {
			struct pkt_info pi;

			if (cuts[c] >= frames[i].len)
				continue;
			split(&frames[i], cuts[c], &fx);
			pipeline_frame_ext(&parts, &fx, NULL);
			run(&whole, &frames[i], 0);
			runs++;
			pkt_parse_wire(frames[i].buf, cuts[c], frames[i].len, &pi);
			cut_headers += pi.malformed != PKT_OK;
		}
	assert_same_counters(&parts, &whole);
	EQ(parts.m.c.malformed[PKT_OK], runs);
	/* Copied whole exactly when a header ran past the first part. */
	EQ(parts.gathered, cut_headers);
	assert_true(cut_headers > 0 && cut_headers < runs);
	EQ(parts.snapped, 0);
	pipeline_destroy(&whole);
	pipeline_destroy(&parts);
}

/* The frame with its outer tag in it, then without, the tag given apart. */
static void tagged_pair(struct fb *with, struct fb *without, int inner_tags)
{
	for (int k = 0; k < 2; k++) {
		struct fb *f = k ? without : with;

		fb_init(f);
		fb_eth(f, k == 0 || inner_tags ? FB_ETH_8021Q : FB_ETH_IPV4);
		if (k == 0)
			fb_vlan(f, 0xb000 | 100, inner_tags ? FB_ETH_8021Q : FB_ETH_IPV4);
		for (int t = 0; t < inner_tags; t++)
			fb_vlan(f, (uint16_t)(200 + t),
				t + 1 < inner_tags ? FB_ETH_8021Q : FB_ETH_IPV4);
		fb_ipv4(f, FB_IPPROTO_TCP, FB_IP4(198, 18, 0, 1), FB_IP4(198, 18, 0, 2));
		fb_tcp(f, 5000, 80, 1, 2, FB_TCP_SYN, 100);
		fb_payload(f, 40);
		fb_finish(f);
	}
}

TEST(stripped_tag_counts_as_in_frame)
{
	static struct fb with, without;
	struct pipeline in_frame, stripped;
	struct pipeline_frame_ext fx;

	for (int inner = 0; inner <= 2; inner++) {
		assert_int_equal(
			pipeline_init(&in_frame, &(struct pipeline_config){.inspect = true}), 0);
		assert_int_equal(
			pipeline_init(&stripped, &(struct pipeline_config){.inspect = true,
									   .max_frame = 2048}),
			0);
		tagged_pair(&with, &without, inner);
		memset(&fx, 0, sizeof(fx));
		fx.part[0] = without.buf;
		fx.part_len[0] = fx.len = without.len;
		fx.nparts = 1;
		fx.stripped_tag = true;
		fx.tci = 0xb000 | 100;
		fx.tag_proto = 0x8100;
		pipeline_frame_ext(&stripped, &fx, NULL);
		run(&in_frame, &with, 0);
		assert_same_counters(&stripped, &in_frame);
		EQ(stripped.m.c.bytes, without.len + 4);
		/* One tag, QinQ, and a third tag (l3 other), as in the frame. */
		EQ(stripped.m.c.vlan[inner ? METRICS_VLAN_QINQ : METRICS_VLAN_SINGLE], 1);
		EQ(stripped.m.c.l3[inner == 2 ? PKT_L3_OTHER : PKT_L3_IPV4], 1);
		EQ(stripped.gathered, 0); /* one piece already: nothing copied */
		pipeline_destroy(&in_frame);
		pipeline_destroy(&stripped);
	}
}

/* The start times of the flows that ended, in the order they ended. */
struct starts {
	uint64_t ns[4];
	int n;
};

static void note_start(void *ctx, const struct flow_record *r)
{
	struct starts *st = ctx;

	if (st->n < 4)
		st->ns[st->n++] = r->start_ns;
}

TEST(receive_time_dates_flows_when_on_the_wall_clock)
{
	const uint64_t wall = 1700000000ull * 1000000000ull;
	static struct fb a, b;
	struct starts st = {0};
	struct flow_config fc = {.timeout_ns = 60ull * 1000000000ull,
				 .closed_timeout_ns = 60ull * 1000000000ull,
				 .single_thread = true,
				 .on_end = note_start,
				 .on_end_ctx = &st};
	struct pipeline_frame_ext fx = {0};
	struct flow_table *ft;
	struct pipeline p;

	flows_thread_register();
	ft = flow_table_new(&fc);
	assert_non_null(ft);
	assert_int_equal(pipeline_init(&p, &(struct pipeline_config){.inspect = true,
								     .flows = ft,
								     .max_frame = 2048}),
			 0);
	tcp4(&a, 1001, FB_TCP_SYN, 0);
	tcp4(&b, 1002, FB_TCP_SYN, 0);
	pipeline_clock(&p, wall);
	/* A NIC clock on the wall clock, 300 ms earlier: the flow's start. */
	fx.part[0] = a.buf;
	fx.part_len[0] = fx.len = a.len;
	fx.nparts = 1;
	fx.rx_timestamp_ns = wall - 300000000ull;
	pipeline_frame_ext(&p, &fx, NULL);
	EQ(p.fw.now_ns, wall); /* the batch's time again for the next frame */
	/* A free-running clock (seconds since the NIC's reset): ignored. */
	fx.part[0] = b.buf;
	fx.part_len[0] = fx.len = b.len;
	fx.rx_timestamp_ns = 12345678900ull;
	pipeline_frame_ext(&p, &fx, NULL);
	pipeline_destroy(&p);
	flow_table_finish(ft, FLOW_END_EOF);
	flow_table_free(ft);
	flows_thread_unregister();
	EQ(st.n, 2);
	assert_true((st.ns[0] == wall - 300000000ull && st.ns[1] == wall) ||
		    (st.ns[1] == wall - 300000000ull && st.ns[0] == wall));
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
		cmocka_unit_test(frames_in_parts_count_as_whole),
		cmocka_unit_test(stripped_tag_counts_as_in_frame),
		cmocka_unit_test(receive_time_dates_flows_when_on_the_wall_clock),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
