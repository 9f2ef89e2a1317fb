// SPDX-License-Identifier: MIT
/*
 * Unit tests of the flow table (inspect/flows.[ch]): one record for both
 * directions, the handshake and its RTT, end reasons, eviction at
 * max_flows, peeks, and the table under several workers and a maintainer
 * at once. Built twice: plainly (and under ASan with SAN=1) and with
 * ThreadSanitizer (test_flows_tsan), which checks the concurrent test for
 * data races; every figure it checks is exact.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "frames.h"
#include "inspect/flows.h"
#include "inspect/parse.h"
#include "util/clock.h"

/* liburcu synchronises with inline-assembly atomics that ThreadSanitizer
 * does not see: accesses inside the library are not checked. flows_int.h
 * tells TSan about the orderings it relies on (publication, grace period,
 * rcu_barrier), so xdpi's own accesses are. */
const char *__tsan_default_suppressions(void);
const char *__tsan_default_suppressions(void)
{
	return "race:liburcu-qsbr.so\nrace:liburcu-cds.so\nrace:liburcu-common.so\n"
	       "race:urcu_qsbr_wake_up_gp\n";
}

#define TEST(name) static void name(void **state __attribute__((unused)))
#define EQ(a, b) assert_int_equal((a), (b))
#define SEC 1000000000ull

#define CLIENT FB_IP4(198, 18, 0, 9) /* the higher address: the key swaps it */
#define SERVER FB_IP4(198, 18, 0, 1)

/* What the on_end hook saw; it may run on the call_rcu thread. */
#define MAX_RECORDS 4096
struct ended {
	pthread_mutex_t lock;
	struct flow_record r[MAX_RECORDS];
	struct peek_result peek[MAX_RECORDS];
	unsigned n;
	uint64_t packets, bytes, count;
};

static void on_end(void *ctx, const struct flow_record *r)
{
	struct ended *e = ctx;

	pthread_mutex_lock(&e->lock);
	e->packets += r->packets_toserver + r->packets_toclient;
	e->bytes += r->bytes_toserver + r->bytes_toclient;
	e->count++;
	if (e->n < MAX_RECORDS) {
		e->r[e->n] = *r;
		if (r->peek) {
			e->peek[e->n] = *r->peek;
			e->r[e->n].peek = &e->peek[e->n];
		}
		e->n++;
	}
	pthread_mutex_unlock(&e->lock);
}

/* on_active: the records so far, kept apart from the ended ones. */
static struct flow_record active_rec[8];
static unsigned active_n;

static void on_active(void *ctx, const struct flow_record *r)
{
	(void)ctx;
	if (active_n < 8)
		active_rec[active_n] = *r;
	active_n++;
}

struct fixture {
	struct flow_table *ft;
	struct flow_worker w;
	struct ended *e;
	struct flow_summary final; /* after fx_close() */
};

/* The next fx_open() sees one direction only (flow_config.one_direction). */
static bool fx_one_direction;

static void fx_open(struct fixture *fx, uint64_t max_flows, bool single_thread)
{
	struct flow_config cfg = {
		.max_flows = max_flows,
		.timeout_ns = 10 * SEC,
		.closed_timeout_ns = 2 * SEC,
		.peeks = true,
		.single_thread = single_thread,
		.on_end = on_end,
		.one_direction = fx_one_direction,
	};

	fx_one_direction = false;

	/* One per process: it outlives fx_close() for the checks. */
	static struct ended e;

	memset(&e, 0, sizeof(e));
	fx->e = &e;
	pthread_mutex_init(&fx->e->lock, NULL);
	cfg.on_end_ctx = fx->e;
	flows_thread_register();
	fx->ft = flow_table_new(&cfg);
	assert_non_null(fx->ft);
	flow_worker_init(&fx->w, fx->ft);
}

static void fx_close(struct fixture *fx)
{
	flow_table_finish(fx->ft, FLOW_END_EOF);
	flow_table_summary(fx->ft, &fx->final);
	flow_table_free(fx->ft);
	flows_thread_unregister();
	pthread_mutex_destroy(&fx->e->lock);
}

/* One TCP segment at time @t from @src:@sport to @dst:@dport. */
static void seg(struct fixture *fx, uint64_t t, uint32_t src, uint16_t sport, uint32_t dst,
		uint16_t dport, uint8_t flags, uint32_t seq, uint32_t ack, const char *payload)
{
	static struct fb f;
	struct pkt_info pi;

	fb_init(&f);
	fb_eth(&f, FB_ETH_IPV4);
	fb_ipv4(&f, FB_IPPROTO_TCP, src, dst);
	fb_tcp(&f, sport, dport, seq, ack, flags, 1000);
	if (payload)
		fb_bytes(&f, payload, (uint32_t)strlen(payload));
	fb_finish(&f);
	pkt_parse(f.buf, f.len, &pi);
	fx->w.now_ns = t;
	flow_worker_account(&fx->w, &pi, f.buf, f.len, f.len);
}

static void handshake(struct fixture *fx, uint64_t t, uint16_t cport, uint64_t rtt_ns)
{
	seg(fx, t, CLIENT, cport, SERVER, 80, PKT_TCP_SYN, 1000, 0, NULL);
	seg(fx, t + rtt_ns / 2, SERVER, 80, CLIENT, cport, PKT_TCP_SYN | PKT_TCP_ACK, 5000, 1001,
	    NULL);
	seg(fx, t + rtt_ns, CLIENT, cport, SERVER, 80, PKT_TCP_ACK, 1001, 5001, NULL);
}

/* One ACK at @t from the client on each of @n ports from @first: @n flows. */
static void acks(struct fixture *fx, uint64_t t, uint16_t first, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		seg(fx, t, CLIENT, (uint16_t)(first + i), SERVER, 80, PKT_TCP_ACK, 1, 1, NULL);
}

static const struct flow_record *only_record(const struct fixture *fx)
{
	EQ(fx->e->n, 1);
	return &fx->e->r[0];
}

TEST(handshake_rtt_and_directions)
{
	struct fixture fx;
	const struct flow_record *r;

	fx_open(&fx, 0, true);
	handshake(&fx, 100 * SEC, 40000, 3000000);
	seg(&fx, 100 * SEC + 5000000, CLIENT, 40000, SERVER, 80, PKT_TCP_ACK | PKT_TCP_PSH, 1001,
	    5001, "x");
	EQ(fx.w.c.created, 1);
	EQ(fx.w.c.established, 1);
	fx_close(&fx);
	r = only_record(&fx);
	/* The client has the higher address: directions come from the SYN. */
	EQ(r->src_port, 40000);
	EQ(r->dst_port, 80);
	EQ(r->src_addr[3], 9);
	EQ(r->packets_toserver, 3);
	EQ(r->packets_toclient, 1);
	EQ(r->rtt_ns, 3000000);
	EQ(r->state, FLOW_TCP_ESTABLISHED);
	EQ(r->end_reason, FLOW_END_EOF);
	EQ(r->start_ns, 100 * SEC);
	EQ(r->end_ns, 100 * SEC + 5000000);
	EQ(r->tcp_flags, PKT_TCP_SYN | PKT_TCP_ACK | PKT_TCP_PSH);
}

TEST(retransmitted_syn_restarts_the_rtt)
{
	struct fixture fx;

	fx_open(&fx, 0, true);
	seg(&fx, SEC, CLIENT, 40001, SERVER, 80, PKT_TCP_SYN, 1000, 0, NULL);
	seg(&fx, 2 * SEC, CLIENT, 40001, SERVER, 80, PKT_TCP_SYN, 1000, 0, NULL);
	seg(&fx, 2 * SEC + 100, SERVER, 80, CLIENT, 40001, PKT_TCP_SYN | PKT_TCP_ACK, 7, 1001,
	    NULL);
	seg(&fx, 2 * SEC + 300, CLIENT, 40001, SERVER, 80, PKT_TCP_ACK, 1001, 8, NULL);
	fx_close(&fx);
	EQ(only_record(&fx)->rtt_ns, 300);
}

TEST(wrong_acks_do_not_establish)
{
	struct fixture fx;

	fx_open(&fx, 0, true);
	/* A SYN-ACK that does not acknowledge the SYN, then an ACK. */
	seg(&fx, SEC, CLIENT, 40002, SERVER, 80, PKT_TCP_SYN, 1000, 0, NULL);
	seg(&fx, SEC + 1, SERVER, 80, CLIENT, 40002, PKT_TCP_SYN | PKT_TCP_ACK, 7, 999, NULL);
	seg(&fx, SEC + 2, CLIENT, 40002, SERVER, 80, PKT_TCP_ACK, 1001, 8, NULL);
	/* A SYN answered by RST-ACK: refused, not established. */
	seg(&fx, SEC, CLIENT, 40003, SERVER, 80, PKT_TCP_SYN, 1000, 0, NULL);
	seg(&fx, SEC + 1, SERVER, 80, CLIENT, 40003, PKT_TCP_RST | PKT_TCP_ACK, 0, 1001, NULL);
	/* The right SYN-ACK, then an ACK of the wrong number. */
	seg(&fx, SEC, CLIENT, 40004, SERVER, 80, PKT_TCP_SYN, 1000, 0, NULL);
	seg(&fx, SEC + 1, SERVER, 80, CLIENT, 40004, PKT_TCP_SYN | PKT_TCP_ACK, 7, 1001, NULL);
	seg(&fx, SEC + 2, CLIENT, 40004, SERVER, 80, PKT_TCP_ACK, 1001, 9, NULL);
	EQ(fx.w.c.established, 0);
	EQ(fx.w.c.created, 3);
	fx_close(&fx);
	for (unsigned i = 0; i < fx.e->n; i++)
		EQ(fx.e->r[i].rtt_ns, -1);
}

/* A capture of the client's side only: SYN, then the client's ACK of a
 * SYN-ACK that went another way. The sequence number says the SYN was
 * answered: established, the RTT from SYN to ACK, the record one-way. */
TEST(handshake_seen_one_way)
{
	struct fixture fx;
	const struct flow_record *r;

	fx_open(&fx, 0, true);
	seg(&fx, SEC, CLIENT, 40010, SERVER, 80, PKT_TCP_SYN, 1000, 0, NULL);
	seg(&fx, SEC + 37000, CLIENT, 40010, SERVER, 80, PKT_TCP_ACK, 1001, 5001, NULL);
	seg(&fx, SEC + 40000, CLIENT, 40010, SERVER, 80, PKT_TCP_ACK | PKT_TCP_PSH, 1001, 5001,
	    "GET / HTTP/1.1\r\n");
	EQ(fx.w.c.established, 1);
	fx_close(&fx);
	r = only_record(&fx);
	EQ(r->state, FLOW_TCP_ESTABLISHED);
	EQ(r->rtt_ns, 37000);
	assert_true(r->one_way);
	EQ(r->packets_toclient, 0);
	EQ(fx.final.one_way, 1);
	EQ(fx.final.half_open, 0);
}

/* The same rule does not fire on an ACK of another number, nor once the
 * responder was heard (a SYN-ACK of the wrong number). */
TEST(one_way_ack_needs_the_next_sequence)
{
	struct fixture fx;

	fx_open(&fx, 0, true);
	seg(&fx, SEC, CLIENT, 40011, SERVER, 80, PKT_TCP_SYN, 1000, 0, NULL);
	seg(&fx, SEC + 1, CLIENT, 40011, SERVER, 80, PKT_TCP_ACK, 1002, 5001, NULL);
	seg(&fx, SEC, CLIENT, 40012, SERVER, 80, PKT_TCP_SYN, 1000, 0, NULL);
	seg(&fx, SEC + 1, CLIENT, 40012, SERVER, 80, PKT_TCP_ACK, 999, 5001, NULL);
	EQ(fx.w.c.established, 0);
	fx_close(&fx);
	EQ(fx.final.half_open, 2);
	for (unsigned i = 0; i < fx.e->n; i++) {
		EQ(fx.e->r[i].state, FLOW_TCP_SYN_SENT);
		EQ(fx.e->r[i].rtt_ns, -1);
	}
}

/* Seeing one direction, a lone SYN may have been answered unseen: it is
 * counted apart, not as half-open; a two-way capture counts it half-open. */
TEST(lone_syn_with_one_direction)
{
	struct fixture fx;

	fx_one_direction = true;
	fx_open(&fx, 0, true);
	seg(&fx, SEC, CLIENT, 40013, SERVER, 80, PKT_TCP_SYN, 1000, 0, NULL);
	handshake(&fx, SEC, 40014, 1000);
	fx_close(&fx);
	EQ(fx.final.half_open, 0);
	EQ(fx.final.syn_only, 1);
	EQ(fx.final.one_way, 1); /* the lone SYN; the handshake saw both ways */

	fx_open(&fx, 0, true);
	seg(&fx, SEC, CLIENT, 40013, SERVER, 80, PKT_TCP_SYN, 1000, 0, NULL);
	fx_close(&fx);
	EQ(fx.final.half_open, 1);
	EQ(fx.final.syn_only, 0);
}

TEST(joined_at_the_synack_knows_the_initiator)
{
	struct fixture fx;
	const struct flow_record *r;

	fx_open(&fx, 0, true);
	seg(&fx, SEC, SERVER, 80, CLIENT, 40005, PKT_TCP_SYN | PKT_TCP_ACK, 7, 1001, NULL);
	fx_close(&fx);
	r = only_record(&fx);
	EQ(r->src_port, 40005);
	EQ(r->packets_toclient, 1);
	EQ(r->packets_toserver, 0);
}

/* Port reuse where the first handshake was joined at its SYN-ACK (or
 * later, at a FIN): no ISN of the client's was seen to tell a
 * retransmission from a new SYN, so a SYN once either end closed starts a
 * new record (docs/flows.md, "port reuse"). A mutant that kept such a SYN
 * in the old record survived every test before this one. */
TEST(reuse_after_a_handshake_joined_late)
{
	struct fixture fx;
	unsigned reused = 0, established = 0;

	fx_open(&fx, 0, true);
	/* Joined at the SYN-ACK: the client's ACK, then both FINs. */
	seg(&fx, SEC, SERVER, 80, CLIENT, 40020, PKT_TCP_SYN | PKT_TCP_ACK, 7, 1001, NULL);
	seg(&fx, SEC + 10, CLIENT, 40020, SERVER, 80, PKT_TCP_ACK, 1001, 8, NULL);
	seg(&fx, SEC + 20, CLIENT, 40020, SERVER, 80, PKT_TCP_FIN | PKT_TCP_ACK, 1001, 8, NULL);
	seg(&fx, SEC + 30, SERVER, 80, CLIENT, 40020, PKT_TCP_FIN | PKT_TCP_ACK, 8, 1002, NULL);
	/* Joined at a FIN, nothing of the handshake seen. */
	seg(&fx, SEC, CLIENT, 40021, SERVER, 80, PKT_TCP_FIN | PKT_TCP_ACK, 3001, 9, NULL);
	EQ(fx.w.c.created, 2);
	EQ(fx.w.c.established, 0);
	/* The same ports again, each a new connection with its handshake. */
	handshake(&fx, 2 * SEC, 40020, 4000);
	handshake(&fx, 2 * SEC, 40021, 6000);
	EQ(fx.w.c.created, 4);
	EQ(fx.w.c.established, 2);
	fx_close(&fx);
	EQ(fx.e->n, 4);
	for (unsigned i = 0; i < fx.e->n; i++) {
		const struct flow_record *r = &fx.e->r[i];

		if (r->end_reason == FLOW_END_REUSE) {
			reused++;
			EQ(r->start_ns, SEC);
			EQ(r->rtt_ns, -1);
			/* The client is the initiator, from the SYN-ACK or the FIN's port. */
			EQ(r->dst_port, 80);
		} else {
			established++;
			EQ(r->start_ns, 2 * SEC);
			EQ(r->state, FLOW_TCP_ESTABLISHED);
			EQ(r->packets_toserver, 2);
			EQ(r->packets_toclient, 1);
			EQ(r->rtt_ns, r->src_port == 40020 ? 4000 : 6000);
		}
	}
	EQ(reused, 2);
	EQ(established, 2);
}

/* A simultaneous open (each end's SYN) completed by the initiator's ACK
 * of the other's SYN, its own SYN-ACK not captured: established, but no
 * RTT, since no SYN was answered by a SYN-ACK to it alone (docs/flows.md).
 * The same with both SYN-ACKs seen. */
TEST(simultaneous_open_has_no_rtt)
{
	struct fixture fx;

	fx_open(&fx, 0, true);
	seg(&fx, SEC, CLIENT, 40030, SERVER, 5000, PKT_TCP_SYN, 1000, 0, NULL);
	seg(&fx, SEC + 1000, SERVER, 5000, CLIENT, 40030, PKT_TCP_SYN, 9000, 0, NULL);
	seg(&fx, SEC + 3000, CLIENT, 40030, SERVER, 5000, PKT_TCP_ACK, 1001, 9001, NULL);

	seg(&fx, SEC, CLIENT, 40031, SERVER, 5000, PKT_TCP_SYN, 1000, 0, NULL);
	seg(&fx, SEC + 1000, SERVER, 5000, CLIENT, 40031, PKT_TCP_SYN, 9000, 0, NULL);
	seg(&fx, SEC + 2000, SERVER, 5000, CLIENT, 40031, PKT_TCP_SYN | PKT_TCP_ACK, 9000, 1001,
	    NULL);
	seg(&fx, SEC + 3000, CLIENT, 40031, SERVER, 5000, PKT_TCP_SYN | PKT_TCP_ACK, 1000, 9001,
	    NULL);
	EQ(fx.w.c.created, 2);
	EQ(fx.w.c.established, 2);
	fx_close(&fx);
	EQ(fx.e->n, 2);
	for (unsigned i = 0; i < fx.e->n; i++) {
		EQ(fx.e->r[i].state, FLOW_TCP_ESTABLISHED);
		EQ(fx.e->r[i].rtt_ns, -1);
		/* The initiator: the first SYN's sender. */
		EQ(fx.e->r[i].dst_port, 5000);
	}
}

TEST(end_reasons_by_timeout)
{
	struct fixture fx;
	struct flow_summary s;
	int by_port[3] = {0};

	fx_open(&fx, 0, true);
	seg(&fx, SEC, CLIENT, 1, SERVER, 80, PKT_TCP_ACK, 1, 1, NULL);
	seg(&fx, SEC, CLIENT, 2, SERVER, 80, PKT_TCP_FIN | PKT_TCP_ACK, 1, 1, NULL);
	seg(&fx, SEC, CLIENT, 3, SERVER, 80, PKT_TCP_RST, 1, 1, NULL);
	/* The closed timeout (2 s) has passed, the idle one (10 s) not. */
	flow_table_maintain(fx.ft, 4 * SEC);
	flow_table_summary(fx.ft, &s);
	EQ(s.ended[FLOW_END_FIN], 1);
	EQ(s.ended[FLOW_END_RST], 1);
	EQ(s.active, 1);
	flow_table_maintain(fx.ft, 12 * SEC);
	flow_table_summary(fx.ft, &s);
	EQ(s.ended[FLOW_END_TIMEOUT], 1);
	EQ(s.active, 0);
	fx_close(&fx);
	EQ(fx.e->n, 3);
	for (unsigned i = 0; i < 3; i++)
		by_port[fx.e->r[i].src_port - 1] = fx.e->r[i].end_reason;
	EQ(by_port[0], FLOW_END_TIMEOUT);
	EQ(by_port[1], FLOW_END_FIN);
	EQ(by_port[2], FLOW_END_RST);
}

/* SIGHUP's new timeouts (flow_table_set_timeouts()), on a table without
 * an expiry thread: they apply at once. */
TEST(timeouts_set_directly)
{
	struct fixture fx;
	struct flow_summary s;

	fx_open(&fx, 0, true);
	seg(&fx, SEC, CLIENT, 1, SERVER, 80, PKT_TCP_ACK, 1, 1, NULL);
	flow_table_maintain(fx.ft, 4 * SEC); /* the 10 s timeout: still open */
	flow_table_summary(fx.ft, &s);
	EQ(s.active, 1);
	/* 2 s, and a closed timeout above it is held to it. */
	flow_table_set_timeouts(fx.ft, 2 * SEC, 5 * SEC, 0);
	flow_table_maintain(fx.ft, 4 * SEC);
	flow_table_summary(fx.ft, &s);
	EQ(s.ended[FLOW_END_TIMEOUT], 1);
	EQ(s.active, 0);
	fx_close(&fx);
	EQ(fx.e->n, 1);
}

/* ... and under the expiry thread, which takes them between two passes. */
TEST(timeouts_retuned_under_the_expiry_thread)
{
	struct fixture fx;
	struct flow_summary s = {0};

	fx_open(&fx, 0, false);
	assert_int_equal(flow_table_start_expiry(fx.ft, 10 * 1000000ull), 0);
	seg(&fx, xdpi_wall_ns(), CLIENT, 1, SERVER, 80, PKT_TCP_ACK, 1, 1, NULL);
	flow_table_set_timeouts(fx.ft, 50 * 1000000ull, 20 * 1000000ull, 0);
	/* Within 5 s the flow has ended by the new timeout, not the 10 s. */
	flows_thread_offline();
	for (int i = 0; i < 500 && !s.ended[FLOW_END_TIMEOUT]; i++) {
		struct timespec ts = {0, 10 * 1000000};

		nanosleep(&ts, NULL);
		flow_table_summary(fx.ft, &s);
	}
	flows_thread_online();
	EQ(s.ended[FLOW_END_TIMEOUT], 1);
	flow_table_stop_expiry(fx.ft);
	fx_close(&fx);
	EQ(fx.e->count, 1);
}

TEST(eviction_takes_the_idlest)
{
	struct fixture fx;
	uint64_t eof = 0;

	fx_open(&fx, 64, true);
	for (uint16_t p = 1; p <= 1000; p++)
		seg(&fx, SEC + p * 1000ull, CLIENT, p, SERVER, 80, PKT_TCP_ACK, 1, 1, NULL);
	EQ(fx.w.c.created, 1000);
	EQ(fx.w.c.untracked, 0);
	fx_close(&fx);
	EQ(fx.e->count, 1000);
	/* Every eviction made room for the newest: the last 64 flows stayed
	 * to the end, and no flow older than them did. */
	for (unsigned i = 0; i < fx.e->n; i++) {
		const struct flow_record *r = &fx.e->r[i];

		if (r->end_reason == FLOW_END_EOF) {
			eof++;
			assert_true(r->src_port > 1000 - 64);
		} else {
			EQ(r->end_reason, FLOW_END_EVICTED);
		}
	}
	assert_true(eof >= 56 && eof <= 64);
	EQ(fx.final.ended[FLOW_END_EVICTED], 1000 - eof);
	EQ(fx.final.ended[FLOW_END_EOF], eof);
}

TEST(active_timeout_reports_deltas)
{
	struct flow_config cfg = {
		.timeout_ns = 100 * SEC,
		.closed_timeout_ns = 100 * SEC,
		.single_thread = true,
		.on_end = on_end,
		.on_active = on_active,
		.active_timeout_ns = 2 * SEC,
	};
	struct fixture fx;
	const struct flow_record *r;

	fx_open(&fx, 0, true);
	flow_table_free(fx.ft); /* again, with an active timeout */
	cfg.on_end_ctx = fx.e;
	fx.ft = flow_table_new(&cfg);
	assert_non_null(fx.ft);
	flow_worker_init(&fx.w, fx.ft);
	active_n = 0;
	seg(&fx, SEC, CLIENT, 5000, SERVER, 80, PKT_TCP_ACK, 1, 1, "ab");
	seg(&fx, SEC + 1, SERVER, 80, CLIENT, 5000, PKT_TCP_ACK, 1, 3, NULL);
	flow_table_maintain(fx.ft, 2 * SEC); /* 1 s open: not yet */
	EQ(active_n, 0);
	flow_table_maintain(fx.ft, 3 * SEC + 1);
	EQ(active_n, 1);
	EQ(active_rec[0].packets_toserver, 1);
	EQ(active_rec[0].packets_toclient, 1);
	EQ(active_rec[0].prev_packets_toserver, 0);
	EQ(active_rec[0].ip_bytes_toserver, 20 + 20 + 2);
	seg(&fx, 4 * SEC, CLIENT, 5000, SERVER, 80, PKT_TCP_ACK, 3, 3, NULL);
	flow_table_maintain(fx.ft, 5 * SEC); /* 2 s since the report: not yet */
	EQ(active_n, 1);
	flow_table_maintain(fx.ft, 6 * SEC);
	EQ(active_n, 2);
	EQ(active_rec[1].packets_toserver, 2);
	EQ(active_rec[1].prev_packets_toserver, 1);
	EQ(active_rec[1].prev_packets_toclient, 1);
	EQ(active_rec[1].prev_end_ns, SEC + 1);
	flow_table_maintain(fx.ft, 9 * SEC); /* nothing new: no record */
	EQ(active_n, 2);
	fx_close(&fx);
	r = only_record(&fx);
	EQ(r->packets_toserver, 2);
	EQ(r->prev_packets_toserver, 2);
	EQ(r->prev_end_ns, 4 * SEC);
}

TEST(full_table_counts_untracked_live)
{
	struct fixture fx;

	fx_open(&fx, 8, false);
	acks(&fx, SEC, 1, 20);
	acks(&fx, SEC, 1, 1); /* tracked */
	EQ(fx.w.c.created, 8);
	EQ(fx.w.c.untracked, 12);
	fx_close(&fx);
	EQ(fx.e->count, 8);
	EQ(fx.e->packets, 9);
}

/* The bound is exact when it is not a power of two: the last slab of the
 * pool is the shorter. */
TEST(bound_exact_when_not_a_power_of_two)
{
	struct fixture fx;

	fx_open(&fx, 1000, false);
	for (unsigned i = 0; i < 1500; i++)
		seg(&fx, SEC, CLIENT + (i >> 10), (uint16_t)(1024 + (i & 1023)), SERVER, 80,
		    PKT_TCP_ACK, 1, 1, NULL);
	EQ(fx.w.c.created, 1000);
	EQ(fx.w.c.untracked, 500);
	fx_close(&fx);
	EQ(fx.e->count, 1000);
}

/* Every key is found again, both directions on one record, however full
 * its bucket got: 20,000 flows, then each answered, in a table held at
 * 20,000 (two slots of seven a bucket on average, so some overflow). */
TEST(every_flow_found_again_in_a_full_index)
{
	struct fixture fx;

	fx_open(&fx, 20000, false);
	for (int dir = 0; dir < 2; dir++)
		for (unsigned i = 0; i < 20000; i++) {
			uint32_t c = CLIENT + (i >> 12);
			uint16_t p = (uint16_t)(1024 + (i & 4095));

			if (dir)
				seg(&fx, 2 * SEC, SERVER, 80, c, p, PKT_TCP_ACK, 1, 1, NULL);
			else
				seg(&fx, SEC, c, p, SERVER, 80, PKT_TCP_ACK, 1, 1, NULL);
		}
	EQ(fx.w.c.created, 20000);
	EQ(fx.w.c.untracked, 0);
	fx_close(&fx);
	EQ(fx.e->count, 20000);
	EQ(fx.e->packets, 40000);
}

/* Live, records that ended come back to the pool after a grace period:
 * a table of 8 takes 8 new flows again once the first 8 timed out. */
TEST(records_come_back_after_the_grace_period)
{
	struct fixture fx;

	fx_open(&fx, 8, false);
	acks(&fx, SEC, 1, 8);
	acks(&fx, SEC, 9, 1); /* full */
	EQ(fx.w.c.untracked, 1);
	flow_table_maintain(fx.ft, 12 * SEC); /* all 8 timed out */
	for (int i = 0; i < 500; i++) {
		struct timespec ts = {0, 2 * 1000000};

		pthread_mutex_lock(&fx.e->lock);
		if (fx.e->count == 8) {
			pthread_mutex_unlock(&fx.e->lock);
			break;
		}
		pthread_mutex_unlock(&fx.e->lock);
		flows_thread_offline(); /* the grace period may end */
		nanosleep(&ts, NULL);
		flows_thread_online();
	}
	EQ(fx.e->count, 8);
	acks(&fx, 13 * SEC, 11, 8);
	EQ(fx.w.c.created, 16);
	EQ(fx.w.c.untracked, 1);
	fx_close(&fx);
	EQ(fx.e->count, 16);
}

/* The prefetch builds the key flow_worker_account() looks up, from the raw
 * headers: same hash for IPv4 and IPv6, TCP and UDP, both directions, a
 * VLAN tag, IPv4 options, and a later fragment (no ports); nothing for
 * ARP. */
TEST(prefetch_hashes_the_key_the_lookup_uses)
{
	struct fixture fx;
	static struct fb f;
	struct pkt_info pi;
	unsigned checked = 0;

	fx_open(&fx, 0, false);
	for (int kind = 0; kind < 9; kind++) {
		fb_init(&f);
		if (kind == 2) {
			fb_eth(&f, 0x8100);
			fb_vlan(&f, 0x2007, FB_ETH_IPV4);
		} else if (kind == 8) { /* QinQ: both tags are in the key */
			fb_eth(&f, FB_ETH_8021AD);
			fb_vlan(&f, 100, FB_ETH_8021Q);
			fb_vlan(&f, 0x3005, FB_ETH_IPV4);
		} else if (kind == 5) {
			fb_eth(&f, 0x86dd);
		} else if (kind == 7) {
			fb_eth(&f, 0x0806);
		} else {
			fb_eth(&f, FB_ETH_IPV4);
		}
		if (kind == 5)
			fb_ipv6(&f, FB_IPPROTO_TCP, NULL, NULL);
		else if (kind == 7)
			fb_arp(&f, 1, CLIENT, SERVER);
		else
			fb_ipv4(&f, kind == 3 ? FB_IPPROTO_UDP : FB_IPPROTO_TCP,
				kind == 1 ? SERVER : CLIENT, kind == 1 ? CLIENT : SERVER);
		if (kind == 4)
			fb_ipv4_opts(&f, 3);
		if (kind == 6)
			fb_ipv4_frag(&f, 0, 185);
		if (kind == 3)
			fb_udp(&f, 5353, 53);
		else if (kind == 6)
			fb_payload(&f, 30);
		else if (kind != 7)
			fb_tcp(&f, kind == 1 ? 80 : 40000, kind == 1 ? 40000 : 80, 1, 1,
			       PKT_TCP_ACK, 1000);
		fb_finish(&f);
		pkt_parse(f.buf, f.len, &pi);
		EQ(flow_worker_prefetch(&fx.w, f.buf, f.len), flow_worker_hash(&fx.w, &pi));
		checked += kind != 7;
	}
	EQ(checked, 8);
	fx_close(&fx);
}

TEST(peeks_http_and_hostile_host)
{
	struct fixture fx;
	const struct flow_record *r;

	fx_open(&fx, 0, true);
	handshake(&fx, SEC, 40010, 1000);
	seg(&fx, SEC + 2000, CLIENT, 40010, SERVER, 80, PKT_TCP_ACK | PKT_TCP_PSH, 1001, 5001,
	    "GET /a HTTP/1.1\r\nHost: \"q\\\x01\xff\r\n\r\n");
	/* Only the first payload of each side is looked at. */
	seg(&fx, SEC + 3000, CLIENT, 40010, SERVER, 80, PKT_TCP_ACK | PKT_TCP_PSH, 1030, 5001,
	    "POST / HTTP/1.1\r\nHost: other\r\n\r\n");
	EQ(fx.w.c.peeked, 1);
	fx_close(&fx);
	r = only_record(&fx);
	assert_non_null(r->peek);
	EQ(r->peek->kind, PEEK_HTTP);
	EQ(r->peek->http_method, PEEK_HTTP_GET);
	assert_string_equal(r->peek->http_path, "/a");
	assert_string_equal(r->peek->http_host, "\"q\\\\\\x01\\xff");
}

/* A peek lives in its record's extension, which the next flow of the
 * record reuses: each flow reports its own peek, or none. A table of 4,
 * 16 flows in turn (every fourth with a request), evicting as it goes. */
TEST(peeks_stay_with_their_flow_through_reuse)
{
	struct fixture fx;
	unsigned with = 0;

	fx_open(&fx, 4, true);
	for (unsigned i = 0; i < 16; i++) {
		char req[64];

		snprintf(req, sizeof(req), "GET /%u HTTP/1.1\r\nHost: h%u\r\n\r\n", i, i);
		seg(&fx, SEC + i, CLIENT, (uint16_t)(40000 + i), SERVER, 80,
		    PKT_TCP_ACK | PKT_TCP_PSH, 1, 1, i % 4 == 0 ? req : NULL);
	}
	EQ(fx.w.c.created, 16);
	fx_close(&fx);
	EQ(fx.e->n, 16);
	for (unsigned k = 0; k < fx.e->n; k++) {
		const struct flow_record *r = &fx.e->r[k];
		unsigned i = (unsigned)(r->src_port - 40000);
		char host[16];

		if (i % 4) {
			assert_null(r->peek);
			continue;
		}
		with++;
		snprintf(host, sizeof(host), "h%u", i);
		assert_non_null(r->peek);
		EQ(r->peek->kind, PEEK_HTTP);
		assert_string_equal(r->peek->http_host, host);
	}
	EQ(with, 4);
	EQ(fx.final.http_methods[PEEK_HTTP_GET], 4);
}

TEST(non_ip_and_udp)
{
	struct fixture fx;
	static struct fb f;
	struct pkt_info pi;

	fx_open(&fx, 0, true);
	fb_init(&f);
	fb_eth(&f, 0x0806);
	fb_arp(&f, 1, CLIENT, SERVER);
	fb_finish(&f);
	pkt_parse(f.buf, f.len, &pi);
	flow_worker_account(&fx.w, &pi, f.buf, f.len, f.len);
	EQ(fx.w.c.created, 0);
	for (int dir = 0; dir < 2; dir++) {
		fb_init(&f);
		fb_eth(&f, FB_ETH_IPV4);
		fb_ipv4(&f, FB_IPPROTO_UDP, dir ? SERVER : CLIENT, dir ? CLIENT : SERVER);
		fb_udp(&f, dir ? 53 : 5353, dir ? 5353 : 53);
		fb_payload(&f, 10);
		fb_finish(&f);
		pkt_parse(f.buf, f.len, &pi);
		flow_worker_account(&fx.w, &pi, f.buf, f.len, f.len);
	}
	EQ(fx.w.c.created, 1);
	fx_close(&fx);
	EQ(only_record(&fx)->proto, 17);
	EQ(only_record(&fx)->packets_toclient, 1);
}

/* ---- Concurrency: workers, a maintainer and the call_rcu thread -------- */

#define WORKERS 3
#define PACKETS_PER_WORKER 60000
#define KEYS 512

struct race {
	struct flow_table *ft;
	uint64_t clock; /* capture time, advanced by the maintainer */
	int stop;
	struct flow_counters c[WORKERS];
	uint64_t bytes_sent[WORKERS];
};

struct race_worker {
	struct race *r;
	int id;
};

static void *race_worker_main(void *arg)
{
	struct race_worker *rw = arg;
	struct flow_worker w;
	static __thread struct fb f;
	struct pkt_info pi;
	uint32_t x = 2463534242u + (uint32_t)rw->id;

	flows_thread_register();
	flow_worker_init(&w, rw->r->ft);
	for (int i = 0; i < PACKETS_PER_WORKER; i++) {
		uint32_t key, dir;

		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		key = x % KEYS;
		dir = (x >> 16) & 1; /* both directions from every worker */
		fb_init(&f);
		fb_eth(&f, FB_ETH_IPV4);
		fb_ipv4(&f, FB_IPPROTO_TCP, dir ? SERVER : CLIENT, dir ? CLIENT : SERVER);
		fb_tcp(&f, dir ? 80 : (uint16_t)(1024 + key), dir ? (uint16_t)(1024 + key) : 80, 1,
		       1, (i % 7) ? PKT_TCP_ACK : PKT_TCP_SYN, 1000);
		fb_payload(&f, key % 3 ? 0 : 20);
		fb_finish(&f);
		pkt_parse(f.buf, f.len, &pi);
		w.now_ns = __atomic_load_n(&rw->r->clock, __ATOMIC_RELAXED);
		flow_worker_account(&w, &pi, f.buf, f.len, f.len);
		rw->r->bytes_sent[rw->id] += f.len;
		if (i % 64 == 63)
			flows_quiescent(); /* a batch */
	}
	rw->r->c[rw->id] = w.c;
	flows_thread_unregister();
	return NULL;
}

static void *race_maintainer_main(void *arg)
{
	struct race *r = arg;

	flows_thread_register();
	while (!__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE)) {
		/* Time runs fast: flows time out and come back, and the
		 * small table evicts. */
		uint64_t now = __atomic_add_fetch(&r->clock, SEC / 2, __ATOMIC_RELAXED);

		flow_table_maintain(r->ft, now);
		flows_quiescent();
	}
	flows_thread_unregister();
	return NULL;
}

TEST(concurrent_workers_and_maintainer)
{
	struct flow_config cfg = {
		.max_flows = KEYS / 2,
		.timeout_ns = 2 * SEC,
		.closed_timeout_ns = SEC,
		.peeks = true,
		.on_end = on_end,
	};
	struct race_worker rw[WORKERS];
	pthread_t t[WORKERS], m;
	struct race *r = calloc(1, sizeof(*r));
	struct ended *e = calloc(1, sizeof(*e));
	uint64_t created = 0, untracked = 0, bytes = 0, ended = 0;
	struct flow_summary s;

	assert_non_null(r);
	assert_non_null(e);
	pthread_mutex_init(&e->lock, NULL);
	cfg.on_end_ctx = e;
	r->clock = SEC;
	flows_thread_register();
	r->ft = flow_table_new(&cfg);
	assert_non_null(r->ft);
	flows_thread_offline(); /* this thread only waits from here */
	assert_int_equal(pthread_create(&m, NULL, race_maintainer_main, r), 0);
	for (int i = 0; i < WORKERS; i++) {
		rw[i] = (struct race_worker){r, i};
		assert_int_equal(pthread_create(&t[i], NULL, race_worker_main, &rw[i]), 0);
	}
	for (int i = 0; i < WORKERS; i++)
		pthread_join(t[i], NULL);
	__atomic_store_n(&r->stop, 1, __ATOMIC_RELEASE);
	pthread_join(m, NULL);
	flows_thread_online();
	flow_table_finish(r->ft, FLOW_END_EOF);
	flow_table_summary(r->ft, &s);
	for (int i = 0; i < WORKERS; i++) {
		created += r->c[i].created;
		untracked += r->c[i].untracked;
		bytes += r->bytes_sent[i];
	}
	for (int i = 0; i < FLOW_END__MAX; i++)
		ended += s.ended[i];
	/* Every record ended once, and handed every packet it counted. */
	EQ(e->count, created);
	EQ(ended, created);
	EQ(s.active, e->count - s.ended[FLOW_END_EVICTED] - s.ended[FLOW_END_TIMEOUT] -
			     s.ended[FLOW_END_FIN] - s.ended[FLOW_END_RST]);
	EQ(e->packets + untracked, (uint64_t)WORKERS * PACKETS_PER_WORKER);
	assert_true(created >= KEYS / 2);
	assert_true(e->bytes <= bytes);
	flow_table_free(r->ft);
	flows_thread_unregister();
	pthread_mutex_destroy(&e->lock);
	free(e);
	free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(handshake_rtt_and_directions),
		cmocka_unit_test(retransmitted_syn_restarts_the_rtt),
		cmocka_unit_test(wrong_acks_do_not_establish),
		cmocka_unit_test(handshake_seen_one_way),
		cmocka_unit_test(one_way_ack_needs_the_next_sequence),
		cmocka_unit_test(lone_syn_with_one_direction),
		cmocka_unit_test(joined_at_the_synack_knows_the_initiator),
		cmocka_unit_test(reuse_after_a_handshake_joined_late),
		cmocka_unit_test(simultaneous_open_has_no_rtt),
		cmocka_unit_test(end_reasons_by_timeout),
		cmocka_unit_test(timeouts_set_directly),
		cmocka_unit_test(timeouts_retuned_under_the_expiry_thread),
		cmocka_unit_test(eviction_takes_the_idlest),
		cmocka_unit_test(active_timeout_reports_deltas),
		cmocka_unit_test(full_table_counts_untracked_live),
		cmocka_unit_test(bound_exact_when_not_a_power_of_two),
		cmocka_unit_test(every_flow_found_again_in_a_full_index),
		cmocka_unit_test(records_come_back_after_the_grace_period),
		cmocka_unit_test(prefetch_hashes_the_key_the_lookup_uses),
		cmocka_unit_test(peeks_http_and_hostile_host),
		cmocka_unit_test(peeks_stay_with_their_flow_through_reuse),
		cmocka_unit_test(non_ip_and_udp),
		cmocka_unit_test(concurrent_workers_and_maintainer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
