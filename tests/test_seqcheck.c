// SPDX-License-Identifier: MIT
/*
 * Unit tests of the sequence check (inspect/seqcheck.[ch]) on frames built
 * here with util/frame.h (tests/frames.h): pktgen headers (struct pktgen_hdr:
 * magic, sequence, seconds, microseconds, big-endian, first in the UDP
 * payload) with gaps, duplicates, reordering, late frames, the 32-bit wrap,
 * several flows over IPv4 and IPv6, the flow table full, latency per clock
 * mode; the xdpi stamp told apart by its magic; merge. Every count is exact.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "frames.h"
#include "inspect/pipeline.h"
#include "inspect/seqcheck.h"

#define TEST(name) static void name(void **state __attribute__((unused)))
#define EQ(a, b) assert_int_equal((a), (b))

#define SRC FB_IP4(198, 18, 0, 1)
#define DST FB_IP4(198, 18, 0, 2)

/* A received frame, parsed. */
struct rx {
	struct fb f;
	struct pkt_info pi;
};

static struct seqcheck S;

static int setup_local(void **state)
{
	(void)state;
	return seqcheck_init(&S, SEQCHECK_CLOCK_LOCAL);
}

static int teardown(void **state)
{
	(void)state;
	seqcheck_destroy(&S);
	return 0;
}

/* UDP/IPv4 from @src:@sport to @dst:@dport whose payload is a pktgen header
 * (then @pad zero bytes, as the kernel pads). */
static void pg4(struct rx *r, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport,
		uint32_t seq, uint32_t sec, uint32_t usec, uint32_t pad)
{
	uint8_t h[XDPI_PKTGEN_HLEN];

	xdpi_put_be32(h, XDPI_PKTGEN_MAGIC);
	xdpi_put_be32(h + 4, seq);
	xdpi_put_be32(h + 8, sec);
	xdpi_put_be32(h + 12, usec);
	fb_init(&r->f);
	fb_eth(&r->f, FB_ETH_IPV4);
	fb_ipv4(&r->f, FB_IPPROTO_UDP, src, dst);
	fb_udp(&r->f, sport, dport);
	fb_bytes(&r->f, h, sizeof(h));
	fb_append(&r->f, pad);
	fb_finish(&r->f);
	pkt_parse(r->f.buf, r->f.len, &r->pi);
}

static void pg6(struct rx *r, uint8_t host, uint16_t sport, uint32_t seq)
{
	uint8_t src[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1}, h[XDPI_PKTGEN_HLEN] = {0};

	src[14] = host;
	xdpi_put_be32(h, XDPI_PKTGEN_MAGIC);
	xdpi_put_be32(h + 4, seq);
	fb_init(&r->f);
	fb_eth(&r->f, FB_ETH_IPV6);
	fb_ipv6(&r->f, FB_IPPROTO_UDP, src, NULL);
	fb_udp(&r->f, sport, 9);
	fb_bytes(&r->f, h, sizeof(h));
	fb_finish(&r->f);
	pkt_parse(r->f.buf, r->f.len, &r->pi);
}

static const struct seqcheck_clock T0 = {0};

static void feed(struct seqcheck *s, const struct rx *r, const struct seqcheck_clock *now)
{
	assert_int_equal(r->pi.malformed, PKT_OK);
	seqcheck_account(s, &r->pi, r->f.buf, r->f.len, now);
}

/* Frames of one pktgen flow (198.18.0.1:10000 -> 198.18.0.2:5201) with the
 * sequence numbers in @seqs, untimed. */
static void flow(struct seqcheck *s, const uint32_t *seqs, size_t n)
{
	struct rx r;

	for (size_t i = 0; i < n; i++) {
		pg4(&r, SRC, DST, 10000, 5201, seqs[i], 0, 0, 2);
		feed(s, &r, &T0);
	}
}

#define FLOW(...)                                 \
	flow(&S, (const uint32_t[]){__VA_ARGS__}, \
	     sizeof((const uint32_t[]){__VA_ARGS__}) / sizeof(uint32_t))

static const struct seqcheck_counts *pg(void)
{
	return &S.k[SEQCHECK_PKTGEN];
}

/* lost, duplicated, reordered, late of the pktgen stamp, in one go. */
static void expect(uint64_t stamped, uint64_t lost, uint64_t dup, uint64_t reord, uint64_t late)
{
	EQ(pg()->stamped, stamped);
	EQ(pg()->lost, lost);
	EQ(pg()->duplicated, dup);
	EQ(pg()->reordered, reord);
	EQ(pg()->late, late);
}

TEST(in_order_from_1_is_clean)
{
	uint32_t seqs[500];

	for (uint32_t i = 0; i < 500; i++)
		seqs[i] = i + 1;
	flow(&S, seqs, 500);
	expect(500, 0, 0, 0, 0);
	EQ(pg()->flows, 1);
	EQ(S.pg_used, 1);
	EQ(S.k[SEQCHECK_XDPI].stamped, 0);
	EQ(S.pg_untracked, 0);
}

TEST(gaps_are_lost)
{
	FLOW(1, 2, 3, 4, 8, 9, 10, 20);
	expect(8, 3 + 9, 0, 0, 0);
}

/* pktgen numbers from 1: a flow first seen at 5 lost 1..4. */
TEST(first_frames_missing_are_lost)
{
	FLOW(5, 6, 7);
	expect(3, 4, 0, 0, 0);
}

TEST(duplicates)
{
	FLOW(1, 2, 2, 3, 3, 3, 4, 1);
	expect(8, 0, 4, 0, 0);
}

/* A frame that comes after a later one fills its gap: reordered, not lost. */
TEST(reordering_fills_gaps)
{
	FLOW(1, 3, 2, 4, 7, 5, 6, 8);
	expect(8, 0, 0, 3, 0);
	/* ...and the same frame again is then a duplicate. */
	FLOW(6);
	expect(9, 0, 1, 3, 0);
}

/* 64 behind or more: late (a duplicate or a reordered frame, unknown); the
 * gap it may fill stays lost. 63 behind is still told apart. */
TEST(late_frames)
{
	uint32_t seqs[100];

	for (uint32_t i = 0; i < 99; i++)
		seqs[i] = i < 9 ? i + 1 : i + 2; /* 1..9, 11..100 */
	seqs[99] = 200;				 /* 101..199 missing */
	flow(&S, seqs, 100);
	expect(100, 1 + 99, 0, 0, 0);
	FLOW(10); /* 200 - 10 = 190 behind */
	expect(101, 100, 0, 0, 1);
	FLOW(137); /* 63 behind 200: a gap filled */
	expect(102, 99, 0, 1, 1);
	FLOW(136); /* 64 behind */
	expect(103, 99, 0, 1, 2);
}

/* The 32-bit sequence wraps: in order across it, a gap across it, a
 * reordered frame across it. */
TEST(wrap_of_the_32_bit_sequence)
{
	uint32_t seqs[40];

	/* A flow first seen just below the wrap: nothing before it counted
	 * (it is "before" pktgen's first number in serial arithmetic). */
	for (uint32_t i = 0; i < 40; i++)
		seqs[i] = 0xffffffecu + i; /* ...fffe, ffff, 0, 1, ... 19 */
	flow(&S, seqs, 40);
	expect(40, 0, 0, 0, 0);
	FLOW(22, 21, 20, 25); /* 23, 24 lost */
	expect(44, 2, 0, 2, 0);
	EQ(pg()->flows, 1);
}

TEST(gap_and_reorder_across_the_wrap)
{
	FLOW(0xfffffffdu, 0xfffffffeu, 2, 0xffffffffu, 4, 3, 3);
	/* 0xffffffff, 0, 1 skipped at "2"; 0xffffffff came back; 3 skipped
	 * at 4 and came back; 3 again is a duplicate. */
	expect(7, 2, 1, 2, 0);
	EQ(S.k[SEQCHECK_PKTGEN].flows, 1);
}

/* Every 4-tuple is its own flow: addresses, ports, IPv4 and IPv6. */
TEST(several_flows)
{
	struct rx r;

	for (uint32_t seq = 1; seq <= 10; seq++) {
		if (seq == 5)
			continue;			      /* lost in flow A only */
		pg4(&r, SRC, DST, 10000, 5201, seq, 0, 0, 0); /* A */
		feed(&S, &r, &T0);
	}
	for (uint32_t seq = 1; seq <= 10; seq++) {
		pg4(&r, SRC, DST, 10001, 5201, seq, 0, 0, 0); /* B: other source port */
		feed(&S, &r, &T0);
		pg4(&r, SRC, DST, 10000, 5202, seq, 0, 0, 0); /* C: other destination port */
		feed(&S, &r, &T0);
		pg4(&r, FB_IP4(198, 18, 0, 3), DST, 10000, 5201, seq, 0, 0, 0); /* D */
		feed(&S, &r, &T0);
		pg4(&r, SRC, FB_IP4(198, 18, 0, 4), 10000, 5201, seq, 0, 0, 0); /* E */
		feed(&S, &r, &T0);
		pg6(&r, 1, 10000, seq); /* F */
		feed(&S, &r, &T0);
		pg6(&r, 2, 10000, 11 - seq); /* G: backwards */
		feed(&S, &r, &T0);
	}
	/* G: 10 first (1..9 lost), then 9..1 each reordered. */
	expect(9 + 60, 1, 0, 9, 0);
	EQ(pg()->flows, 7);
	EQ(S.pg_used, 7);
}

/* The table holds SEQCHECK_PG_MAX_FLOWS flows: frames of later flows are
 * counted apart and not checked; the flows it holds go on being checked. */
TEST(flow_table_overflow)
{
	struct rx r;
	uint32_t n = SEQCHECK_PG_MAX_FLOWS + 50;

	for (uint32_t i = 0; i < n; i++) {
		/* 16 source ports per source address. */
		pg4(&r, SRC + i / 16, DST, (uint16_t)(10000 + i % 16), 5201, 1, 0, 0, 0);
		feed(&S, &r, &T0);
	}
	EQ(pg()->flows, SEQCHECK_PG_MAX_FLOWS);
	EQ(S.pg_used, SEQCHECK_PG_MAX_FLOWS);
	EQ(pg()->stamped, SEQCHECK_PG_MAX_FLOWS);
	EQ(S.pg_untracked, 50);
	for (uint32_t i = 0; i < n; i++) {
		pg4(&r, SRC + i / 16, DST, (uint16_t)(10000 + i % 16), 5201, 3, 0, 0, 0);
		feed(&S, &r, &T0);
	}
	EQ(pg()->stamped, 2 * SEQCHECK_PG_MAX_FLOWS);
	EQ(pg()->lost, SEQCHECK_PG_MAX_FLOWS); /* number 2 of each */
	EQ(S.pg_untracked, 100);
	EQ(pg()->flows, SEQCHECK_PG_MAX_FLOWS);
}

/* The magic decides: xdpi's UDP stamp, pktgen's header on the same ports,
 * neither, a header cut short. */
TEST(stamp_told_apart_by_magic)
{
	struct rx r;
	uint8_t x[XDPI_GEN_UDP_STAMP];

	/* xdpi's UDP stamp: flow 0, numbers 0 and 1. */
	for (uint32_t seq = 0; seq < 2; seq++) {
		xdpi_put_be32(x, XDPI_GEN_UDP_MAGIC);
		xdpi_put_be32(x + 4, seq);
		xdpi_put_be32(x + 8, 0);
		fb_init(&r.f);
		fb_eth(&r.f, FB_ETH_IPV4);
		fb_ipv4(&r.f, FB_IPPROTO_UDP, SRC, DST);
		fb_udp(&r.f, XDPI_GEN_SPORT_BASE, XDPI_GEN_DPORT);
		fb_bytes(&r.f, x, sizeof(x));
		fb_finish(&r.f);
		pkt_parse(r.f.buf, r.f.len, &r.pi);
		feed(&S, &r, &T0);
	}
	/* pktgen on the very same ports. */
	FLOW(1, 2, 3);
	EQ(S.k[SEQCHECK_XDPI].stamped, 2);
	EQ(S.k[SEQCHECK_XDPI].flows, 1);
	EQ(pg()->stamped, 3);
	/* No magic: ignored. */
	pg4(&r, SRC, DST, 10000, 5201, 4, 0, 0, 0);
	xdpi_put_be32(r.f.buf + r.pi.payload_off, 0xbe9be954);
	feed(&S, &r, &T0);
	/* A header cut short on the wire (12 of 16 bytes) or in the capture. */
	fb_init(&r.f);
	fb_eth(&r.f, FB_ETH_IPV4);
	fb_ipv4(&r.f, FB_IPPROTO_UDP, SRC, DST);
	fb_udp(&r.f, 10000, 5201);
	fb_bytes(&r.f, (const uint8_t[]){0xbe, 0x9b, 0xe9, 0x55, 0, 0, 0, 4, 0, 0, 0, 0}, 12);
	fb_finish(&r.f);
	pkt_parse(r.f.buf, r.f.len, &r.pi);
	feed(&S, &r, &T0);
	pg4(&r, SRC, DST, 10000, 5201, 4, 0, 0, 0);
	seqcheck_account(&S, &r.pi, r.f.buf, r.f.len - 1, &T0);
	EQ(pg()->stamped, 3);
	EQ(S.k[SEQCHECK_XDPI].stamped, 2);
	/* TCP is never pktgen's. */
	fb_init(&r.f);
	fb_eth(&r.f, FB_ETH_IPV4);
	fb_ipv4(&r.f, FB_IPPROTO_TCP, SRC, DST);
	fb_tcp(&r.f, 10000, 80, XDPI_PKTGEN_MAGIC, 4, FB_TCP_ACK, 100);
	fb_finish(&r.f);
	pkt_parse(r.f.buf, r.f.len, &r.pi);
	feed(&S, &r, &T0);
	EQ(pg()->stamped, 3);
	EQ(S.k[SEQCHECK_XDPI].stamped, 2);
}

/* pktgen's time: CLOCK_REALTIME seconds and microseconds against the
 * batch's clock read. */
TEST(latency_of_pktgen_stamps)
{
	const struct seqcheck_clock now = {.real_sec = 1000, .real_nsec = 500000000};
	struct rx r;

	pg4(&r, SRC, DST, 10000, 5201, 1, 1000, 499975, 0); /* 25 us */
	feed(&S, &r, &now);
	pg4(&r, SRC, DST, 10000, 5201, 2, 999, 999999, 0); /* 500.001 ms, across a second */
	feed(&S, &r, &now);
	pg4(&r, SRC, DST, 10000, 5201, 3, 1000, 500001, 0); /* 1 us in the future */
	feed(&S, &r, &now);
	pg4(&r, SRC, DST, 10000, 5201, 4, 0, 0, 0); /* NO_TIMESTAMP */
	feed(&S, &r, &now);
	pg4(&r, SRC, DST, 10000, 5201, 5, 990, 500000, 0); /* 10 s: beyond 2^32 ns */
	feed(&S, &r, &now);
	EQ(pg()->stamped, 5);
	EQ(seqcheck_timed(pg()), 3);
	EQ(pg()->untimed, 1);
	EQ(pg()->negative, 1);
	EQ(pg()->lat_hist[seqcheck_lat_bucket(25000)], 1);
	EQ(pg()->lat_hist[seqcheck_lat_bucket(500001000)], 1);
	EQ(pg()->lat_hist[SEQCHECK_LAT_BUCKETS - 1], 1);
	EQ(pg()->lat_max, 10000000000ull);
	EQ(seqcheck_latency(pg(), 0), 24576); /* the bucket of 25 us */
}

/* What each clock mode times: local both, synced pktgen's, unsynced none;
 * the sequence results are the same in every mode. */
TEST(clock_modes)
{
	static const enum seqcheck_clock_mode modes[] = {
		SEQCHECK_CLOCK_LOCAL, SEQCHECK_CLOCK_SYNCED, SEQCHECK_CLOCK_UNSYNCED};
	const struct seqcheck_clock now = {.mono_ns = 5000, .real_sec = 7, .real_nsec = 3000};

	for (size_t m = 0; m < 3; m++) {
		struct seqcheck s;
		struct rx r;

		assert_int_equal(seqcheck_init(&s, modes[m]), 0);
		pg4(&r, SRC, DST, 10000, 5201, 1, 7, 1, 0);
		feed(&s, &r, &now);
		fb_init(&r.f);
		fb_eth(&r.f, FB_ETH_IPV4);
		fb_ipv4(&r.f, FB_IPPROTO_TCP, SRC, DST);
		fb_tcp(&r.f, XDPI_GEN_SPORT_BASE, XDPI_GEN_DPORT, 0, 4000, FB_TCP_ACK, 100);
		fb_finish(&r.f);
		pkt_parse(r.f.buf, r.f.len, &r.pi);
		feed(&s, &r, &now);
		EQ(s.k[SEQCHECK_PKTGEN].stamped, 1);
		EQ(s.k[SEQCHECK_XDPI].stamped, 1);
		EQ(seqcheck_timed(&s.k[SEQCHECK_PKTGEN]), modes[m] != SEQCHECK_CLOCK_UNSYNCED);
		EQ(seqcheck_timed(&s.k[SEQCHECK_XDPI]), modes[m] == SEQCHECK_CLOCK_LOCAL);
		if (modes[m] == SEQCHECK_CLOCK_LOCAL) {
			EQ(s.k[SEQCHECK_XDPI].lat_max, 1000);
			EQ(s.k[SEQCHECK_PKTGEN].lat_max, 2000);
		}
		seqcheck_destroy(&s);
	}
	assert_string_equal(seqcheck_clock_name(SEQCHECK_CLOCK_SYNCED), "synced");
}

/* Only the clocks a mode needs are read. */
TEST(clock_read_reads_what_is_timed)
{
	struct seqcheck s;
	struct seqcheck_clock c = {1, 2, 3};

	assert_int_equal(seqcheck_init(&s, SEQCHECK_CLOCK_UNSYNCED), 0);
	seqcheck_clock_read(&s, &c);
	EQ(c.mono_ns, 1);
	EQ(c.real_sec, 2);
	seqcheck_destroy(&s);
	assert_int_equal(seqcheck_init(&s, SEQCHECK_CLOCK_SYNCED), 0);
	seqcheck_clock_read(&s, &c);
	EQ(c.mono_ns, 1);
	assert_true(c.real_sec > 1600000000u); /* a wall clock */
	seqcheck_destroy(&s);
}

TEST(merge_and_total)
{
	struct seqcheck a, b;
	struct seqcheck_counts t;
	struct rx r;

	assert_int_equal(seqcheck_init(&a, SEQCHECK_CLOCK_LOCAL), 0);
	assert_int_equal(seqcheck_init(&b, SEQCHECK_CLOCK_LOCAL), 0);
	pg4(&r, SRC, DST, 10000, 5201, 3, 0, 0, 0);
	feed(&a, &r, &T0); /* 2 lost */
	pg4(&r, SRC, DST, 10001, 5201, 1, 0, 0, 0);
	feed(&b, &r, &T0);
	feed(&b, &r, &T0); /* a duplicate */
	b.pg_untracked = 7;
	seqcheck_merge(&a, &b);
	EQ(a.k[SEQCHECK_PKTGEN].stamped, 3);
	EQ(a.k[SEQCHECK_PKTGEN].flows, 2);
	EQ(a.k[SEQCHECK_PKTGEN].lost, 2);
	EQ(a.k[SEQCHECK_PKTGEN].duplicated, 1);
	EQ(a.pg_untracked, 7);
	fb_init(&r.f);
	fb_eth(&r.f, FB_ETH_IPV4);
	fb_ipv4(&r.f, FB_IPPROTO_TCP, SRC, DST);
	fb_tcp(&r.f, XDPI_GEN_SPORT_BASE + 1, XDPI_GEN_DPORT, 2, 0, FB_TCP_ACK, 100);
	fb_finish(&r.f);
	pkt_parse(r.f.buf, r.f.len, &r.pi);
	feed(&a, &r, &T0); /* xdpi flow 1 from 2: 0 and 1 lost */
	seqcheck_total(&a, &t);
	EQ(t.stamped, 4);
	EQ(t.flows, 3);
	EQ(t.lost, 4);
	EQ(t.duplicated, 1);
	seqcheck_destroy(&a);
	seqcheck_destroy(&b);
}

/* Through the pipeline, as the live worker calls it. */
TEST(pipeline_stage_reads_pktgen)
{
	struct pipeline p;
	struct rx r;

	assert_int_equal(
		pipeline_init(&p, &(struct pipeline_config){.inspect = true,
							    .check_seq = true,
							    .seq_clock = SEQCHECK_CLOCK_UNSYNCED}),
		0);
	for (uint32_t seq = 1; seq <= 10; seq++) {
		if (seq == 4)
			continue;
		pg4(&r, SRC, DST, 10000, 5201, seq, 1, 1, 2);
		pipeline_frame(&p, r.f.buf, r.f.len, r.f.len, &T0, false, true, true);
	}
	EQ(p.m.c.packets, 9);
	EQ(p.seq->k[SEQCHECK_PKTGEN].stamped, 9);
	EQ(p.seq->k[SEQCHECK_PKTGEN].lost, 1);
	EQ(seqcheck_timed(&p.seq->k[SEQCHECK_PKTGEN]), 0);
	EQ(p.seq->clock, SEQCHECK_CLOCK_UNSYNCED);
	pipeline_destroy(&p);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup_local, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(in_order_from_1_is_clean),
		T(gaps_are_lost),
		T(first_frames_missing_are_lost),
		T(duplicates),
		T(reordering_fills_gaps),
		T(late_frames),
		T(wrap_of_the_32_bit_sequence),
		T(gap_and_reorder_across_the_wrap),
		T(several_flows),
		T(flow_table_overflow),
		T(stamp_told_apart_by_magic),
		T(latency_of_pktgen_stamps),
		cmocka_unit_test(clock_modes),
		cmocka_unit_test(clock_read_reads_what_is_timed),
		cmocka_unit_test(merge_and_total),
		cmocka_unit_test(pipeline_stage_reads_pktgen),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
