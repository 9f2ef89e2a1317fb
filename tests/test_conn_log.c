// SPDX-License-Identifier: MIT
/*
 * Unit tests of --connections' queue (sink/conn_log.c, queued mode):
 * records go in as the flow table's hook hands them over, and each must
 * come out once, in order, as a line that carries its own figures (read
 * back from the -v columns, not from the formatter); a full ring refuses
 * and counts, never overwrites; the name is a copy (the peek is gone once
 * the hook returns); and two producer threads against a draining consumer
 * lose nothing uncounted. Built a second time under ThreadSanitizer
 * (test_conn_log_tsan).
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sink/conn_log.h"
#include "inspect/peek.h"

#define TEST(name) static void name(void **state __attribute__((unused)))

/* A record of producer @p, number @n: both readable from the -v line
 * (the source address's third byte, packets to the server). */
static void rec(struct flow_record *r, unsigned p, uint64_t n)
{
	memset(r, 0, sizeof(*r));
	r->family = 4;
	r->proto = 6;
	r->src_addr[0] = 10;
	r->src_addr[2] = (uint8_t)p;
	r->src_addr[3] = 1;
	r->dst_addr[0] = 10;
	r->dst_addr[3] = 2;
	r->src_port = 40000;
	r->dst_port = 80;
	r->packets_toserver = n;
	r->bytes_toserver = n * 60;
	r->start_ns = 1700000000ull * 1000000000ull;
	r->end_ns = r->start_ns + 1000;
	r->rtt_ns = -1;
}

/* The output of a queued log, and what was read back from it. */
struct out {
	char *buf;
	size_t len;
	FILE *f;
};

static struct conn_log *open_queued(struct out *o, uint32_t slots)
{
	struct conn_log *cl;

	memset(o, 0, sizeof(*o));
	o->f = open_memstream(&o->buf, &o->len);
	assert_non_null(o->f);
	assert_int_equal(conn_log_open_queued(&cl, o->f, true, slots), 0);
	return cl;
}

/* The lines after the header: producer and number of each, in order;
 * returns how many. Fails on a line that is not a whole -v line. */
static size_t read_back(struct out *o, unsigned *prod, uint64_t *num, size_t max)
{
	size_t n = 0;
	char *save = NULL, *line;

	fflush(o->f);
	line = strtok_r(o->buf, "\n", &save);
	assert_non_null(line);
	assert_true(!strncmp(line, "start duration proto", 20));
	while ((line = strtok_r(NULL, "\n", &save))) {
		unsigned a, b, c, d, sport, dport;
		uint64_t pk, by, pk2, by2;
		char when[40], dur[20], proto[8], dst[40], state[40], rtt[8], name[300];
		int got = sscanf(line,
				 "%39s %19s %7s %u.%u.%u.%u %u %39s %u %39s %" SCNu64 " %" SCNu64
				 " %" SCNu64 " %" SCNu64 " %7s %299s",
				 when, dur, proto, &a, &b, &c, &d, &sport, dst, &dport, state, &pk,
				 &by, &pk2, &by2, rtt, name);

		assert_int_equal(got, 17);
		assert_string_equal(proto, "tcp");
		assert_int_equal(by, pk * 60);
		assert_true(n < max);
		prod[n] = c;
		num[n] = pk;
		n++;
	}
	return n;
}

/* In order, once each, across the ring's wrap, drained in steps. */
TEST(order_and_wrap)
{
	static unsigned prod[64];
	static uint64_t num[64];
	struct flow_record r;
	struct out o;
	struct conn_log *cl = open_queued(&o, 8);
	uint64_t next = 0, lines = 0;

	for (int round = 0; round < 8; round++) {
		/* 1..7 records a round: the indices pass the ring size. */
		for (int i = 0; i <= round % 7; i++) {
			rec(&r, 1, next++);
			conn_log_end(cl, &r);
		}
		lines += conn_log_drain(cl);
	}
	assert_int_equal(conn_log_refused(cl), 0);
	assert_int_equal(lines, next);
	assert_int_equal(read_back(&o, prod, num, 64), next);
	for (uint64_t i = 0; i < next; i++)
		assert_int_equal(num[i], i);
	assert_int_equal(conn_log_close(cl), 0);
	fclose(o.f);
	free(o.buf);
}

/* A full ring keeps what it holds and counts what it turns away. */
TEST(full_refuses_and_counts)
{
	static unsigned prod[16];
	static uint64_t num[16];
	struct flow_record r;
	struct out o;
	struct conn_log *cl = open_queued(&o, 4);

	for (int i = 0; i < 10; i++) {
		rec(&r, 1, (uint64_t)i);
		conn_log_end(cl, &r);
	}
	assert_int_equal(conn_log_refused(cl), 6);
	assert_int_equal(conn_log_drain(cl), 4);
	/* Room again. */
	rec(&r, 1, 10);
	conn_log_end(cl, &r);
	assert_int_equal(conn_log_close(cl), 0); /* drains the last */
	assert_int_equal(read_back(&o, prod, num, 16), 5);
	assert_int_equal(num[0], 0);
	assert_int_equal(num[3], 3);
	assert_int_equal(num[4], 10);
	fclose(o.f);
	free(o.buf);
}

/* The name is copied: the peek is overwritten once the hook returns. */
TEST(name_is_a_copy)
{
	struct peek_result peek = {.kind = PEEK_TLS};
	struct flow_record r;
	struct out o;
	struct conn_log *cl = open_queued(&o, 4);

	rec(&r, 1, 1);
	snprintf(peek.tls_sni, sizeof(peek.tls_sni), "first.example");
	r.peek = &peek;
	conn_log_end(cl, &r);
	snprintf(peek.tls_sni, sizeof(peek.tls_sni), "other.example");
	conn_log_drain(cl);
	fflush(o.f);
	assert_non_null(strstr(o.buf, " S:first.example\n"));
	assert_null(strstr(o.buf, "other.example"));
	assert_int_equal(conn_log_close(cl), 0);
	fclose(o.f);
	free(o.buf);
}

#define PRODUCERS 2
#define PER_PRODUCER 20000

struct producer {
	struct conn_log *cl;
	unsigned id;
};

static void *produce(void *arg)
{
	struct producer *p = arg;
	struct flow_record r;

	for (uint64_t i = 0; i < PER_PRODUCER; i++) {
		rec(&r, p->id, i);
		conn_log_end(p->cl, &r);
	}
	return NULL;
}

/* Two producers, a consumer draining while they run: every record is a
 * line or counted as refused, and each producer's lines keep its order. */
TEST(producers_and_consumer)
{
	static unsigned prod[PRODUCERS * PER_PRODUCER];
	static uint64_t num[PRODUCERS * PER_PRODUCER];
	struct producer p[PRODUCERS];
	pthread_t t[PRODUCERS];
	uint64_t lines = 0, last[PRODUCERS + 1];
	bool seen_any[PRODUCERS + 1] = {false};
	struct out o;
	struct conn_log *cl = open_queued(&o, 256);
	size_t n;

	for (unsigned i = 0; i < PRODUCERS; i++) {
		p[i] = (struct producer){.cl = cl, .id = i + 1};
		assert_int_equal(pthread_create(&t[i], NULL, produce, &p[i]), 0);
	}
	for (int k = 0; k < 2000; k++)
		lines += conn_log_drain(cl);
	for (unsigned i = 0; i < PRODUCERS; i++)
		pthread_join(t[i], NULL);
	lines += conn_log_drain(cl);
	assert_int_equal(lines + conn_log_refused(cl), PRODUCERS * PER_PRODUCER);
	n = read_back(&o, prod, num, PRODUCERS * PER_PRODUCER);
	assert_int_equal(n, lines);
	for (size_t i = 0; i < n; i++) {
		assert_true(prod[i] >= 1 && prod[i] <= PRODUCERS);
		/* Strictly rising per producer: none twice, none reordered. */
		if (seen_any[prod[i]])
			assert_true(num[i] > last[prod[i]]);
		seen_any[prod[i]] = true;
		last[prod[i]] = num[i];
	}
	assert_int_equal(conn_log_close(cl), 0);
	fclose(o.f);
	free(o.buf);
}

TEST(bad_sizes)
{
	struct conn_log *cl = (struct conn_log *)1;

	assert_int_equal(conn_log_open_queued(&cl, stdout, false, 0), -EINVAL);
	assert_null(cl);
	assert_int_equal(conn_log_open_queued(&cl, stdout, false, 1), -EINVAL);
	assert_int_equal(conn_log_open_queued(&cl, stdout, false, 12), -EINVAL);
	assert_int_equal(conn_log_close(NULL), 0);
	assert_int_equal(conn_log_drain(NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(order_and_wrap), cmocka_unit_test(full_refuses_and_counts),
		cmocka_unit_test(name_is_a_copy), cmocka_unit_test(producers_and_consumer),
		cmocka_unit_test(bad_sizes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
