// SPDX-License-Identifier: MIT
/*
 * Unit tests of the drop ledger: its arithmetic (capture/ledger.c) and its
 * table and JSON (capture/ledger_report.c). The identity
 * redirected = inspected + rx_dropped + rx_ring_full per queue, with every
 * expected difference worked out by hand in the test; the JSON round trip
 * field by field; and a record read as the untrusted input it is: every
 * key missing, every wrong type, negative and huge numbers, queues out of
 * order, an empty or non-object ledger.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "capture/ledger.h"
#include "capture/ledger_report.h"

#define TEST(name) static void name(void **state __attribute__((unused)))
#define EQ(a, b) assert_int_equal((a), (b))

/* A ledger of @n zeroed queues numbered 0..n-1. */
static struct ledger make_ledger(int n)
{
	struct ledger l = {.q = calloc((size_t)n, sizeof(struct ledger_queue)), .count = n};

	assert_non_null(l.q);
	for (int i = 0; i < n; i++) {
		l.q[i].queue = (uint32_t)i;
		l.q[i].has_socket = true;
	}
	return l;
}

static void set_identity(struct ledger_queue *q, uint64_t redirected, uint64_t inspected,
			 uint64_t rx_dropped, uint64_t rx_ring_full)
{
	q->xdp.redirected = redirected;
	q->inspected = inspected;
	q->sock.rx_dropped = rx_dropped;
	q->sock.rx_ring_full = rx_ring_full;
}

/* --- the arithmetic -------------------------------------------------- */

TEST(test_close_exact)
{
	struct ledger l = make_ledger(1);

	/* 990 + 7 + 3 = 1000 */
	set_identity(&l.q[0], 1000, 990, 7, 3);
	ledger_close(&l);
	EQ(l.q[0].unexplained, 0);
	EQ(l.unexplained, 0);
	ledger_free(&l);
}

/* Passive: the copies are what the worker must account for; the copies
 * the program could not make are not in them. */
TEST(test_close_passive)
{
	struct ledger l = make_ledger(1);

	l.q[0].xdp.copied = 100;
	l.q[0].xdp.copy_failed = 5;
	l.q[0].inspected = 100;
	ledger_close(&l);
	EQ(l.q[0].unexplained, 0);
	l.q[0].inspected = 97;
	ledger_close(&l);
	EQ(l.q[0].unexplained, 3);
	EQ(l.unexplained, 3);
	ledger_free(&l);
}

/* Passive both ways: the copies of frames sent are in the identity too. */
TEST(test_close_passive_both_directions)
{
	struct ledger l = make_ledger(1);

	l.q[0].xdp.copied = 100;
	l.q[0].xdp.copied_out = 50;
	l.q[0].xdp.copy_out_failed = 4;
	l.q[0].xdp.seen_out = 70;
	l.q[0].inspected = 150;
	l.q[0].inspected_out = 50;
	ledger_close(&l);
	EQ(l.q[0].unexplained, 0);
	l.q[0].inspected = 149;
	ledger_close(&l);
	EQ(l.q[0].unexplained, 1);
	/* seen_out and the failed copies stay beside it */
	l.q[0].xdp.seen_out = 0;
	l.q[0].xdp.copy_out_failed = 0;
	ledger_close(&l);
	EQ(l.q[0].unexplained, 1);
	ledger_free(&l);
}

TEST(test_close_unexplained_both_signs)
{
	struct ledger l = make_ledger(1);

	/* frames lost without a count: 1000 - 900 - 50 - 20 = 30 */
	set_identity(&l.q[0], 1000, 900, 50, 20);
	ledger_close(&l);
	EQ(l.q[0].unexplained, 30);
	EQ(l.unexplained, 30);

	/* more accounted for than redirected: 100 - 120 - 5 - 0 = -25 */
	set_identity(&l.q[0], 100, 120, 5, 0);
	ledger_close(&l);
	EQ(l.q[0].unexplained, -25);
	EQ(l.unexplained, -25);

	/* each term counts on its own: one frame more in each */
	set_identity(&l.q[0], 10, 11, 0, 0);
	ledger_close(&l);
	EQ(l.q[0].unexplained, -1);
	set_identity(&l.q[0], 10, 0, 11, 0);
	ledger_close(&l);
	EQ(l.q[0].unexplained, -1);
	set_identity(&l.q[0], 10, 0, 0, 11);
	ledger_close(&l);
	EQ(l.q[0].unexplained, -1);
	set_identity(&l.q[0], 11, 0, 0, 0);
	ledger_close(&l);
	EQ(l.q[0].unexplained, 11);
	ledger_free(&l);
}

TEST(test_close_several_queues_sum)
{
	struct ledger l = make_ledger(4);

	set_identity(&l.q[0], 1000, 900, 50, 20);    /* +30 */
	set_identity(&l.q[1], 100, 120, 5, 0);	     /* -25 */
	set_identity(&l.q[2], 5000, 4000, 600, 400); /* 0 */
	set_identity(&l.q[3], 8, 1, 0, 0);	     /* +7 */
	ledger_close(&l);
	EQ(l.q[0].unexplained, 30);
	EQ(l.q[1].unexplained, -25);
	EQ(l.q[2].unexplained, 0);
	EQ(l.q[3].unexplained, 7);
	EQ(l.unexplained, 12); /* 30 - 25 + 0 + 7 */

	/* differences that cancel out still show per queue */
	set_identity(&l.q[3], 25, 0, 0, 0);
	set_identity(&l.q[0], 0, 0, 0, 0);
	ledger_close(&l);
	EQ(l.q[1].unexplained, -25);
	EQ(l.q[3].unexplained, 25);
	EQ(l.unexplained, 0);
	ledger_free(&l);
}

/* ledger_close() overwrites what a previous close (or a record) left. */
TEST(test_close_recomputes)
{
	struct ledger l = make_ledger(2);

	set_identity(&l.q[0], 10, 10, 0, 0);
	set_identity(&l.q[1], 10, 7, 0, 0);
	l.q[0].unexplained = 777;
	l.q[1].unexplained = -5;
	l.unexplained = 99;
	ledger_close(&l);
	EQ(l.q[0].unexplained, 0);
	EQ(l.q[1].unexplained, 3);
	EQ(l.unexplained, 3);
	ledger_close(&l);
	EQ(l.unexplained, 3);
	ledger_free(&l);
}

/*
 * A queue without a socket: the program's redirect to it fails, so its
 * wanted frames count as redirect_failed (passed to the kernel) and it has
 * nothing redirected to explain. ledger_close() does not look at
 * has_socket: such a queue is held to the same identity, so a redirect
 * counted on it (impossible live, possible in a record) shows as
 * unexplained rather than being excused.
 */
TEST(test_close_queue_without_socket)
{
	struct ledger l = make_ledger(2);

	l.q[0].has_socket = false;
	l.q[0].xdp.seen = 540;
	l.q[0].xdp.passed = 40;
	l.q[0].xdp.redirect_failed = 500;
	set_identity(&l.q[1], 300, 300, 0, 0);
	ledger_close(&l);
	EQ(l.q[0].unexplained, 0);
	EQ(l.unexplained, 0);

	l.q[0].xdp.redirected = 12;
	ledger_close(&l);
	EQ(l.q[0].unexplained, 12);
	EQ(l.unexplained, 12);

	/* the same counters with a socket: the same answer */
	l.q[0].has_socket = true;
	ledger_close(&l);
	EQ(l.q[0].unexplained, 12);
	ledger_free(&l);
}

/* Only redirected, inspected, rx_dropped and rx_ring_full enter the
 * identity; every other counter, the driver's included, is shown only. */
TEST(test_close_other_counters_do_not_count)
{
	struct ledger l = make_ledger(1);
	struct ledger_queue *q = &l.q[0];

	set_identity(q, 1000, 900, 50, 20); /* +30 */
	q->xdp.seen = 123456;
	q->xdp.seen_bytes = 99999999;
	q->xdp.passed = 4444;
	q->xdp.redirected_bytes = 64000;
	q->xdp.redirect_failed = 333;
	q->xdp.dropped = 222;
	q->xdp.stopping_passed = 111;
	q->sock.rx_invalid_descs = 17;
	q->sock.tx_invalid_descs = 18;
	q->sock.rx_fill_ring_empty_descs = 50; /* the same event as rx_dropped */
	q->sock.tx_ring_empty_descs = 19;
	q->iface.count = 3;
	strcpy(q->iface.c[0].name, "xdp_redirect");
	q->iface.c[0].value = 1000;
	strcpy(q->iface.c[1].name, "xdp_drops");
	q->iface.c[1].value = 5555;
	strcpy(q->iface.c[2].name, "packets");
	q->iface.c[2].value = UINT64_MAX;
	ledger_close(&l);
	EQ(q->unexplained, 30);
	EQ(l.unexplained, 30);
	ledger_free(&l);
}

/* Counters no run reaches (a forged record): no overflow (UBSan would
 * abort), the difference saturates, and the total is the exact sum. */
TEST(test_close_saturates)
{
	struct ledger l = make_ledger(2);

	/* 0 - (2^63 - 1) - (2^63 - 1) is below INT64_MIN */
	set_identity(&l.q[0], 0, INT64_MAX, INT64_MAX, 0);
	ledger_close(&l);
	EQ(l.q[0].unexplained, INT64_MIN);
	EQ(l.unexplained, INT64_MIN);

	/* 2^64 - 1 redirected, nothing else: above INT64_MAX */
	set_identity(&l.q[0], UINT64_MAX, 0, 0, 0);
	ledger_close(&l);
	EQ(l.q[0].unexplained, INT64_MAX);
	EQ(l.unexplained, INT64_MAX);

	/* each queue fits, the total does not: -(2^63 - 1) - 2 */
	set_identity(&l.q[0], 0, INT64_MAX, 0, 0);
	set_identity(&l.q[1], 0, 2, 0, 0);
	ledger_close(&l);
	EQ(l.q[0].unexplained, -INT64_MAX);
	EQ(l.q[1].unexplained, -2);
	EQ(l.unexplained, INT64_MIN);

	/* each queue saturates, the exact total is 0 */
	set_identity(&l.q[0], 0, INT64_MAX, INT64_MAX, 10);
	set_identity(&l.q[1], UINT64_MAX, 0, 0, 0);
	ledger_close(&l);
	EQ(l.q[0].unexplained, INT64_MIN);
	EQ(l.q[1].unexplained, INT64_MAX);
	/* -(2^64 - 2) - 10 + (2^64 - 1) = -9 */
	EQ(l.unexplained, -9);
	ledger_free(&l);
}

TEST(test_ledger_free)
{
	struct ledger l = make_ledger(3);
	struct ledger empty = {0};

	ledger_free(&l);
	assert_null(l.q);
	EQ(l.count, 0);
	ledger_free(&l); /* twice */
	ledger_free(&empty);
	ledger_free(NULL);
	ledger_close(&empty);
	EQ(empty.unexplained, 0);
}

/* What `xdpi live` says when its program steered nothing: counts summed
 * over the queues, each case in its words. */
TEST(test_nothing_steered)
{
	struct ledger l = make_ledger(2);
	char why[256] = "";

	assert_true(ledger_nothing_steered(&l, "tcp", why, sizeof(why)));
	assert_string_equal(why, "no frame reached the XDP program");
	l.q[0].xdp.seen = l.q[0].xdp.passed = 50;
	l.q[1].xdp.seen = l.q[1].xdp.passed = 1;
	assert_true(ledger_nothing_steered(&l, "tcp", why, sizeof(why)));
	assert_string_equal(why, "51 frames seen, none matched filter tcp");
	l.q[1].xdp.passed = 0;
	l.q[1].xdp.redirect_failed = 1; /* wanted, no socket on queue 1 */
	assert_true(ledger_nothing_steered(&l, "udp", why, sizeof(why)));
	assert_string_equal(why, "51 frames seen, 1 matched filter udp, none reached a socket (no "
				 "socket on their queue, or they came while xdpi stopped)");
	l.q[1].xdp.redirected = 1;
	assert_false(ledger_nothing_steered(&l, "tcp", why, sizeof(why)));
	l.q[1].xdp.redirected = 0;
	l.q[0].xdp.dropped = 3; /* ceiling mode steers by dropping */
	assert_false(ledger_nothing_steered(&l, "tcp", why, sizeof(why)));
	l.q[0].xdp.dropped = 0;
	l.q[0].xdp.copied = 2; /* passive mode copies */
	assert_false(ledger_nothing_steered(&l, "tcp", why, sizeof(why)));
	l.q[0].xdp.copied = 0;
	l.q[0].xdp.seen = 0;
	l.q[1].xdp.seen = 1;
	l.q[1].xdp.redirect_failed = 0;
	l.q[1].xdp.passed = 1;
	assert_true(ledger_nothing_steered(&l, "ip", why, sizeof(why)));
	assert_string_equal(why, "1 frame seen, none matched filter ip");
	ledger_free(&l);
}

/* --- the table ------------------------------------------------------- */

static char *print_to_string(const struct ledger *l)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	ledger_print(f, l);
	assert_int_equal(fclose(f), 0);
	return buf;
}

TEST(test_print)
{
	struct ledger l = make_ledger(2);
	char *out;

	set_identity(&l.q[0], 1000, 900, 50, 20); /* +30 */
	l.q[0].xdp.seen = 1200;
	l.q[0].xdp.passed = 150;
	l.q[0].xdp.redirect_failed = 20;
	l.q[0].xdp.stopping_passed = 30;
	l.q[0].sock.rx_fill_ring_empty_descs = 50;
	set_identity(&l.q[1], 100, 120, 5, 0); /* -25 */
	l.q[1].queue = 7;
	l.q[1].xdp.seen = 110;
	l.q[1].xdp.passed = 10;
	ledger_close(&l);
	out = print_to_string(&l);
	/* passed is passed + redirect_failed + stopping_passed; each column
	 * as wide as its heading or its widest number; fill_empty a note */
	assert_non_null(strstr(out, "queue seen passed redirected inspected rx_dropped ring_full "
				    "unexplained\n"));
	assert_non_null(strstr(out, "q0    1200    200       1000       900         50        20"
				    "          30\n"));
	assert_non_null(strstr(out, "q7     110     10        100       120          5         0"
				    "         -25\n"));
	assert_non_null(strstr(out, "total 1310    210       1100      1020         55        20"
				    "           5\n"));
	assert_non_null(strstr(out, "fill_empty 50: times a socket found its fill ring empty"));
	for (char *line = out; line; line = strchr(line + 1, '\n'))
		assert_true(strcspn(line + 1, "\n") <= 80);
	assert_non_null(strstr(out, "LEDGER DOES NOT CLOSE: 5 packets unexplained\n"));
	free(out);

	set_identity(&l.q[0], 1000, 930, 50, 20);
	set_identity(&l.q[1], 100, 95, 5, 0);
	ledger_close(&l);
	l.q[0].sock.rx_fill_ring_empty_descs = 0;
	out = print_to_string(&l);
	assert_non_null(strstr(out, "holds on every queue: 0 unexplained\n"));
	assert_null(strstr(out, "fill_empty"));
	assert_null(strstr(out, "DOES NOT CLOSE"));
	free(out);

	/* More inspected than redirected (a negative total) does not close
	 * either: the table says so, with the sign. */
	set_identity(&l.q[0], 1000, 1010, 0, 0);
	set_identity(&l.q[1], 100, 100, 0, 0);
	ledger_close(&l);
	out = print_to_string(&l);
	assert_non_null(strstr(out, "LEDGER DOES NOT CLOSE: -10 packets unexplained\n"));
	assert_null(strstr(out, "0 unexplained\n"));
	free(out);
	ledger_free(&l);
}

/* --- JSON ------------------------------------------------------------ */

static const char *const xdp_keys[] = {"seen",		 "seen_bytes",	     "passed",
				       "redirected",	 "redirected_bytes", "redirect_failed",
				       "dropped",	 "stopping_passed",  "copied",
				       "copy_failed",	 "seen_out",	     "copied_out",
				       "copy_out_failed"};
static const char *const sock_keys[] = {"rx_dropped", "rx_invalid_descs", "rx_ring_full",
					"rx_fill_ring_empty_descs"};

#define NXDP (sizeof(xdp_keys) / sizeof(xdp_keys[0]))
#define NSOCK (sizeof(sock_keys) / sizeof(sock_keys[0]))

/* Every JSON counter of queue @i gets a value of its own. */
static void fill_queue(struct ledger_queue *q, int i)
{
	uint64_t b = (uint64_t)(i + 1) * 1000;

	q->queue = (uint32_t)i;
	q->has_socket = i != 1;
	q->xdp.seen = b + 1;
	q->xdp.seen_bytes = b + 2;
	q->xdp.passed = b + 3;
	q->xdp.redirected = b + 4;
	q->xdp.redirected_bytes = b + 5;
	q->xdp.redirect_failed = b + 6;
	q->xdp.dropped = b + 7;
	q->xdp.stopping_passed = b + 8;
	/* In the identity too: 0 here keeps the sums of the tests below. */
	q->xdp.copied = 0;
	q->xdp.copy_failed = b + 14;
	q->xdp.seen_out = b + 15;
	q->xdp.copied_out = 0; /* in the identity, like copied */
	q->xdp.copy_out_failed = b + 16;
	q->sock.rx_dropped = b + 9;
	q->sock.rx_invalid_descs = b + 10;
	q->sock.rx_ring_full = b + 11;
	q->sock.rx_fill_ring_empty_descs = b + 12;
	q->inspected = b + 13;
	q->iface.count = i;
	for (int c = 0; c < i; c++) {
		snprintf(q->iface.c[c].name, sizeof(q->iface.c[c].name), "counter_%d", c);
		q->iface.c[c].value = b + 100 + (uint64_t)c;
	}
}

static int64_t jint(json_t *o, const char *group, const char *key)
{
	json_t *v = json_object_get(group ? json_object_get(o, group) : o, key);

	assert_true(json_is_integer(v));
	return json_integer_value(v);
}

/* The keys ledger_to_json() writes are the record's format, which the
 * shell tests and `xdpi bench` read by name: checked one by one. */
/* Issue 25: sums past 2^64 - 1 (a forged record's counters) never wrap:
 * the table shows 2^64 - 1, and ledger_sums_fit() says they do not fit. */
TEST(test_print_sums_saturate)
{
	struct ledger l = make_ledger(2);
	char *out;

	set_identity(&l.q[0], 100, 100, 0, 0);
	set_identity(&l.q[1], 200, 200, 0, 0);
	l.q[0].xdp.seen = UINT64_MAX / 2 + 1; /* 2^63 */
	l.q[1].xdp.seen = UINT64_MAX / 2;     /* the total exactly 2^64 - 1: fits */
	ledger_close(&l);
	assert_true(ledger_sums_fit(&l));
	l.q[1].xdp.seen = UINT64_MAX / 2 + 1; /* 2^64: does not */
	assert_false(ledger_sums_fit(&l));
	l.q[0].xdp.seen = l.q[1].xdp.seen = 0;

	/* each queue's own counters fit; their total is 2^64 + 2^64 - 2 */
	set_identity(&l.q[0], UINT64_MAX, UINT64_MAX, 0, 0);
	set_identity(&l.q[1], UINT64_MAX, UINT64_MAX, 0, 0);
	ledger_close(&l);
	EQ(l.unexplained, 0);
	assert_false(ledger_sums_fit(&l));
	out = print_to_string(&l);
	assert_non_null(strstr(out, "\ntotal    0      0 18446744073709551615 "
				    "18446744073709551615          0         0           0\n"));
	/* a wrapped total would be 2^64 - 2 */
	assert_null(strstr(out, "18446744073709551614"));
	free(out);

	/* one queue: passed + redirect_failed + stopping_passed, and
	 * redirected + copied, within a queue */
	ledger_free(&l);
	l = make_ledger(1);
	l.q[0].xdp.passed = UINT64_MAX;
	l.q[0].xdp.stopping_passed = 1;
	ledger_close(&l);
	assert_false(ledger_sums_fit(&l));
	l.q[0].xdp.passed = 0;
	assert_true(ledger_sums_fit(&l));
	l.q[0].xdp.redirected = UINT64_MAX;
	l.q[0].xdp.copied = 1;
	assert_false(ledger_sums_fit(&l));
	ledger_free(&l);
}

TEST(test_to_json_keys)
{
	struct ledger l = make_ledger(3);
	json_t *o, *q;

	for (int i = 0; i < 3; i++)
		fill_queue(&l.q[i], i);
	ledger_close(&l);
	o = ledger_to_json(&l);
	assert_non_null(o);
	EQ(json_object_size(o), 2);
	/* per queue: (b + 4) - (b + 13) - (b + 9) - (b + 11) = -2b - 29 */
	EQ(jint(o, NULL, "unexplained"), -2029 - 4029 - 6029);
	EQ(json_array_size(json_object_get(o, "queues")), 3);
	q = json_array_get(json_object_get(o, "queues"), 1);
	EQ(json_object_size(q), 8);
	EQ(jint(q, NULL, "inspected_out"), 0);
	EQ(jint(q, NULL, "queue"), 1);
	assert_true(json_is_false(json_object_get(q, "socket_bound")));
	assert_true(json_is_true(
		json_object_get(json_array_get(json_object_get(o, "queues"), 0), "socket_bound")));
	EQ(jint(q, NULL, "inspected"), 2013);
	EQ(jint(q, NULL, "unexplained"), -4029);
	EQ(json_object_size(json_object_get(q, "xdp")), NXDP);
	for (size_t k = 0; k < 8; k++)
		EQ(jint(q, "xdp", xdp_keys[k]), 2001 + (int64_t)k);
	EQ(jint(q, "xdp", "copied"), 0);
	EQ(jint(q, "xdp", "copy_failed"), 2014);
	EQ(jint(q, "xdp", "seen_out"), 2015);
	EQ(jint(q, "xdp", "copied_out"), 0);
	EQ(jint(q, "xdp", "copy_out_failed"), 2016);
	EQ(json_object_size(json_object_get(q, "socket")), NSOCK);
	for (size_t k = 0; k < NSOCK; k++)
		EQ(jint(q, "socket", sock_keys[k]), 2009 + (int64_t)k);
	EQ(json_object_size(json_object_get(q, "iface")), 1);
	EQ(jint(q, "iface", "counter_0"), 2100);
	q = json_array_get(json_object_get(o, "queues"), 0);
	EQ(json_object_size(json_object_get(q, "iface")), 0);
	json_decref(o);
	ledger_free(&l);
}

static void assert_queue_equal(const struct ledger_queue *a, const struct ledger_queue *b)
{
	EQ(a->queue, b->queue);
	EQ(a->has_socket, b->has_socket);
	EQ(a->xdp.seen, b->xdp.seen);
	EQ(a->xdp.seen_bytes, b->xdp.seen_bytes);
	EQ(a->xdp.passed, b->xdp.passed);
	EQ(a->xdp.redirected, b->xdp.redirected);
	EQ(a->xdp.redirected_bytes, b->xdp.redirected_bytes);
	EQ(a->xdp.redirect_failed, b->xdp.redirect_failed);
	EQ(a->xdp.dropped, b->xdp.dropped);
	EQ(a->xdp.stopping_passed, b->xdp.stopping_passed);
	EQ(a->xdp.copied, b->xdp.copied);
	EQ(a->xdp.copy_failed, b->xdp.copy_failed);
	EQ(a->xdp.seen_out, b->xdp.seen_out);
	EQ(a->xdp.copied_out, b->xdp.copied_out);
	EQ(a->xdp.copy_out_failed, b->xdp.copy_out_failed);
	EQ(a->inspected_out, b->inspected_out);
	EQ(a->sock.rx_dropped, b->sock.rx_dropped);
	EQ(a->sock.rx_invalid_descs, b->sock.rx_invalid_descs);
	EQ(a->sock.rx_ring_full, b->sock.rx_ring_full);
	EQ(a->sock.rx_fill_ring_empty_descs, b->sock.rx_fill_ring_empty_descs);
	EQ(a->inspected, b->inspected);
	EQ(a->unexplained, b->unexplained);
	EQ(a->iface.count, b->iface.count);
	/* jansson keeps an object's keys in insertion order */
	for (int c = 0; c < a->iface.count; c++) {
		assert_string_equal(a->iface.c[c].name, b->iface.c[c].name);
		EQ(a->iface.c[c].value, b->iface.c[c].value);
	}
}

/* to_json, through text as a record goes, then from_json: every field. */
TEST(test_json_round_trip)
{
	struct ledger l = make_ledger(4), back;
	json_t *o, *loaded;
	char *text;

	for (int i = 0; i < 4; i++)
		fill_queue(&l.q[i], i);
	l.q[2].xdp.copied_out = 7;
	l.q[2].inspected_out = 7;
	/* queue 3: the largest counters a record can hold, and a full,
	 * longest-named set of driver counters */
	l.q[3].xdp.seen = INT64_MAX;
	l.q[3].inspected = INT64_MAX - 10000;
	l.q[3].iface.count = IFACE_MAX_QUEUE_COUNTERS;
	for (int c = 0; c < IFACE_MAX_QUEUE_COUNTERS; c++) {
		memset(l.q[3].iface.c[c].name, 'a' + c, 31);
		l.q[3].iface.c[c].name[31] = '\0';
		l.q[3].iface.c[c].value = c == 0 ? INT64_MAX : (uint64_t)c;
	}
	ledger_close(&l);
	EQ(l.q[0].unexplained, -2029);
	/* (4000 + 4) - (2^63 - 1 - 10000) - 4009 - 4011 */
	EQ(l.q[3].unexplained, -INT64_MAX + 5984);
	EQ(l.unexplained, INT64_MIN); /* saturated */
	o = ledger_to_json(&l);
	assert_non_null(o);
	text = json_dumps(o, JSON_COMPACT);
	assert_non_null(text);
	loaded = json_loads(text, 0, NULL);
	assert_non_null(loaded);
	EQ(ledger_from_json(loaded, &back), 0);
	EQ(back.count, 4);
	for (int i = 0; i < 4; i++)
		assert_queue_equal(&l.q[i], &back.q[i]);
	EQ(back.unexplained, l.unexplained);
	ledger_free(&back);

	/* and straight from the object */
	EQ(ledger_from_json(o, &back), 0);
	EQ(back.count, 4);
	for (int i = 0; i < 4; i++)
		assert_queue_equal(&l.q[i], &back.q[i]);
	ledger_free(&back);
	free(text);
	json_decref(loaded);
	json_decref(o);
	ledger_free(&l);
}

/* Counters past 2^63 (a forged or endless source) round-trip exactly,
 * as the decimal strings util/u64json.h writes, and never negative. */
TEST(test_json_round_trip_past_2_63)
{
	struct ledger l = make_ledger(1), back;
	json_t *o, *loaded, *v;
	char *text;

	fill_queue(&l.q[0], 0);
	l.q[0].xdp.seen = (UINT64_C(1) << 63) + 5;
	l.q[0].xdp.seen_bytes = UINT64_MAX;
	l.q[0].iface.count = 1;
	strcpy(l.q[0].iface.c[0].name, "rx_bytes");
	l.q[0].iface.c[0].value = UINT64_MAX - 1;
	ledger_close(&l);
	o = ledger_to_json(&l);
	assert_non_null(o);
	v = json_object_get(json_object_get(json_array_get(json_object_get(o, "queues"), 0), "xdp"),
			    "seen");
	assert_string_equal(json_string_value(v), "9223372036854775813");
	text = json_dumps(o, JSON_COMPACT);
	assert_non_null(text);
	assert_non_null(strstr(text, "\"seen_bytes\":\"18446744073709551615\""));
	assert_null(strstr(text, "\"seen\":-"));
	loaded = json_loads(text, 0, NULL);
	assert_non_null(loaded);
	EQ(ledger_from_json(loaded, &back), 0);
	assert_queue_equal(&l.q[0], &back.q[0]);
	assert_true(back.q[0].xdp.seen == (UINT64_C(1) << 63) + 5);
	assert_true(back.q[0].iface.c[0].value == UINT64_MAX - 1);
	ledger_free(&back);
	free(text);
	json_decref(loaded);
	json_decref(o);
	ledger_free(&l);
}

/* A record of one queue, written by hand as `xdpi live --record` would:
 * 1000 - 988 - 7 - 3 = 2 unexplained. */
static const char record[] =
	"{\"queues\": [{\"queue\": 0, \"socket_bound\": true,"
	" \"xdp\": {\"seen\": 1200, \"seen_bytes\": 96000, \"passed\": 150, \"redirected\": 1000,"
	"  \"redirected_bytes\": 80000, \"redirect_failed\": 20, \"dropped\": 0,"
	"  \"stopping_passed\": 30, \"copied\": 0, \"copy_failed\": 0},"
	" \"socket\": {\"rx_dropped\": 7, \"rx_invalid_descs\": 1, \"rx_ring_full\": 3,"
	"  \"rx_fill_ring_empty_descs\": 7},"
	" \"iface\": {\"xdp_redirect\": 1000, \"xdp_packets\": 1200},"
	" \"inspected\": 988, \"unexplained\": 2}],"
	" \"unexplained\": 2}";

static json_t *load_record(void)
{
	json_t *o = json_loads(record, 0, NULL);

	assert_non_null(o);
	return o;
}

static json_t *queue0(json_t *rec)
{
	return json_array_get(json_object_get(rec, "queues"), 0);
}

/* ledger_from_json() must refuse @rec, and leave the ledger empty. */
static void assert_refused(json_t *rec)
{
	struct ledger l;

	memset(&l, 0x5a, sizeof(l));
	EQ(ledger_from_json(rec, &l), -EINVAL);
	assert_null(l.q);
	EQ(l.count, 0);
	EQ(l.unexplained, 0);
}

TEST(test_from_json_hand_written)
{
	json_t *rec = load_record();
	struct ledger l;

	EQ(ledger_from_json(rec, &l), 0);
	EQ(l.count, 1);
	EQ(l.q[0].queue, 0);
	assert_true(l.q[0].has_socket);
	EQ(l.q[0].xdp.seen, 1200);
	EQ(l.q[0].xdp.seen_bytes, 96000);
	EQ(l.q[0].xdp.passed, 150);
	EQ(l.q[0].xdp.redirected, 1000);
	EQ(l.q[0].xdp.redirected_bytes, 80000);
	EQ(l.q[0].xdp.redirect_failed, 20);
	EQ(l.q[0].xdp.dropped, 0);
	EQ(l.q[0].xdp.stopping_passed, 30);
	EQ(l.q[0].sock.rx_dropped, 7);
	EQ(l.q[0].sock.rx_invalid_descs, 1);
	EQ(l.q[0].sock.rx_ring_full, 3);
	EQ(l.q[0].sock.rx_fill_ring_empty_descs, 7);
	EQ(l.q[0].inspected, 988);
	/* a record from before --direction: no counters of frames sent */
	EQ(l.q[0].xdp.seen_out, 0);
	EQ(l.q[0].xdp.copied_out, 0);
	EQ(l.q[0].xdp.copy_out_failed, 0);
	EQ(l.q[0].inspected_out, 0);
	EQ(l.q[0].iface.count, 2);
	assert_string_equal(l.q[0].iface.c[0].name, "xdp_redirect");
	EQ(l.q[0].iface.c[0].value, 1000);
	assert_string_equal(l.q[0].iface.c[1].name, "xdp_packets");
	EQ(l.q[0].iface.c[1].value, 1200);
	EQ(l.q[0].unexplained, 2);
	EQ(l.unexplained, 2);
	ledger_free(&l);
	json_decref(rec);
}

/* The counters of frames sent: read when there, refused when not
 * counters, and no more frames sent inspected than inspected at all. */
TEST(test_from_json_egress_keys)
{
	json_t *rec = load_record();
	json_t *xdp = json_object_get(queue0(rec), "xdp");
	struct ledger l;

	json_object_set_new(xdp, "copied_out", json_integer(12));
	json_object_set_new(xdp, "seen_out", json_integer(20));
	json_object_set_new(queue0(rec), "inspected_out", json_integer(12));
	EQ(ledger_from_json(rec, &l), 0);
	EQ(l.q[0].xdp.copied_out, 12);
	EQ(l.q[0].xdp.seen_out, 20);
	EQ(l.q[0].inspected_out, 12);
	EQ(l.q[0].unexplained, 2 + 12); /* the copies are in the identity */
	ledger_free(&l);
	json_object_set_new(queue0(rec), "inspected_out", json_integer(989));
	assert_refused(rec);
	json_object_set_new(queue0(rec), "inspected_out", json_string("12"));
	assert_refused(rec);
	json_object_set_new(queue0(rec), "inspected_out", json_integer(0));
	json_object_set_new(xdp, "copy_out_failed", json_integer(-1));
	assert_refused(rec);
	json_object_set_new(xdp, "copy_out_failed", json_true());
	assert_refused(rec);
	json_decref(rec);
}

/* The recorded "unexplained" values are derived: recomputed from the
 * counters, never trusted, and not needed. */
TEST(test_from_json_recomputes_unexplained)
{
	json_t *rec = load_record();
	struct ledger l;

	json_object_set_new(queue0(rec), "unexplained", json_integer(0));
	json_object_set_new(rec, "unexplained", json_integer(-40));
	EQ(ledger_from_json(rec, &l), 0);
	EQ(l.q[0].unexplained, 2);
	EQ(l.unexplained, 2);
	ledger_free(&l);

	json_object_del(queue0(rec), "unexplained");
	json_object_del(rec, "unexplained");
	EQ(ledger_from_json(rec, &l), 0);
	EQ(l.unexplained, 2);
	ledger_free(&l);
	json_decref(rec);
}

/* Where a key lives: NULL for the queue entry itself, else its group; and
 * for a counter, where ledger_from_json() must put it (the test's own
 * table, not the code's). */
struct key {
	const char *group;
	const char *name;
	size_t off; /* of its uint64_t in struct ledger_queue */
};

#define QOFF(f) offsetof(struct ledger_queue, f)

static const struct key counter_keys[] = {
	{NULL, "queue", 0}, /* a uint32_t: checked apart */
	{NULL, "inspected", QOFF(inspected)},
	{"xdp", "seen", QOFF(xdp.seen)},
	{"xdp", "seen_bytes", QOFF(xdp.seen_bytes)},
	{"xdp", "passed", QOFF(xdp.passed)},
	{"xdp", "redirected", QOFF(xdp.redirected)},
	{"xdp", "redirected_bytes", QOFF(xdp.redirected_bytes)},
	{"xdp", "redirect_failed", QOFF(xdp.redirect_failed)},
	{"xdp", "dropped", QOFF(xdp.dropped)},
	{"xdp", "stopping_passed", QOFF(xdp.stopping_passed)},
	{"xdp", "copied", QOFF(xdp.copied)},
	{"xdp", "copy_failed", QOFF(xdp.copy_failed)},
	{"socket", "rx_dropped", QOFF(sock.rx_dropped)},
	{"socket", "rx_invalid_descs", QOFF(sock.rx_invalid_descs)},
	{"socket", "rx_ring_full", QOFF(sock.rx_ring_full)},
	{"socket", "rx_fill_ring_empty_descs", QOFF(sock.rx_fill_ring_empty_descs)},
	{"iface", "xdp_redirect", QOFF(iface.c[0].value)}, /* the record's first */
};

#define NCOUNTERS (sizeof(counter_keys) / sizeof(counter_keys[0]))

static json_t *key_parent(json_t *rec, const struct key *k)
{
	json_t *q = queue0(rec);

	return k->group ? json_object_get(q, k->group) : q;
}

/* Sets key @k of a fresh record to @v (stolen) and checks the refusal. */
static void assert_refused_with(const struct key *k, json_t *v)
{
	json_t *rec = load_record();

	assert_non_null(v);
	assert_int_equal(json_object_set_new(key_parent(rec, k), k->name, v), 0);
	assert_refused(rec);
	json_decref(rec);
}

TEST(test_from_json_missing_keys)
{
	static const struct key entry_keys[] = {
		{NULL, "socket_bound"}, {NULL, "xdp"}, {NULL, "socket"}, {NULL, "iface"}};
	json_t *rec;

	for (size_t i = 0; i < NCOUNTERS; i++) {
		/* the driver's counters are what the driver has: none is
		 * required */
		if (counter_keys[i].group && !strcmp(counter_keys[i].group, "iface"))
			continue;
		rec = load_record();
		assert_int_equal(
			json_object_del(key_parent(rec, &counter_keys[i]), counter_keys[i].name),
			0);
		assert_refused(rec);
		json_decref(rec);
	}
	for (size_t i = 0; i < sizeof(entry_keys) / sizeof(entry_keys[0]); i++) {
		rec = load_record();
		assert_int_equal(json_object_del(queue0(rec), entry_keys[i].name), 0);
		assert_refused(rec);
		json_decref(rec);
	}
	rec = load_record();
	json_object_del(rec, "queues");
	assert_refused(rec);
	json_decref(rec);

	/* an empty iface object is what a driver without counters gives */
	rec = load_record();
	json_object_clear(json_object_get(queue0(rec), "iface"));
	{
		struct ledger l;

		EQ(ledger_from_json(rec, &l), 0);
		EQ(l.q[0].iface.count, 0);
		ledger_free(&l);
	}
	json_decref(rec);
}

/* --- loss causes (capture/losswatch.h) beside the identity ------------- */

static void fill_causes(struct ledger_queue *q)
{
	q->has_causes = true;
	q->sock.rx_fill_ring_empty_descs = 600;
	q->sock.rx_dropped = 600;
	q->loss.fill_empty[LOSS_RUNNING] = 100;
	q->loss.fill_empty[LOSS_ASLEEP] = 200;
	q->loss.fill_empty[LOSS_OFF_CPU] = 300;
	q->loss.cpu_ns = 11;
	q->loss.run_ns = 12;
	q->loss.run_delay_ns = 32500000;
	q->loss.timeslices = 14;
	q->loss.nvcsw = 15;
	q->loss.nivcsw = 16;
	q->loss.longest_gap_ns = 41200000;
	q->loss.gaps = 18;
	q->loss.sleeps = 19;
	q->loss.lossy_intervals = 20;
}

/* A ledger of @n queues, the first with fill_causes() figures. */
static void causes_ledger(struct ledger *l, size_t n)
{
	memset(l, 0, sizeof(*l));
	l->q = calloc(n, sizeof(*l->q));
	assert_non_null(l->q);
	l->count = (int)n;
	fill_causes(&l->q[0]);
}

static const char *const cause_keys[] = {"running", "asleep", "off_cpu"};
static const char *const worker_keys[] = {
	"cpu_ns", "run_ns",	    "run_delay_ns", "timeslices", "nvcsw",
	"nivcsw", "longest_gap_ns", "gaps",	    "sleeps",	  "lossy_intervals"};

TEST(test_causes_json_round_trip)
{
	struct ledger l = {0}, back;
	json_t *o;

	causes_ledger(&l, 1);
	ledger_close(&l);
	o = ledger_to_json(&l);
	assert_non_null(o);
	/* the keys by name, as `xdpi bench` and the shell tests read them */
	EQ(jint(queue0(o), "fill_empty_causes", "running"), 100);
	EQ(jint(queue0(o), "fill_empty_causes", "asleep"), 200);
	EQ(jint(queue0(o), "fill_empty_causes", "off_cpu"), 300);
	EQ(jint(queue0(o), "worker", "run_delay_ns"), 32500000);
	EQ(jint(queue0(o), "worker", "longest_gap_ns"), 41200000);
	EQ(json_object_size(json_object_get(queue0(o), "fill_empty_causes")), 3);
	EQ(json_object_size(json_object_get(queue0(o), "worker")),
	   sizeof(worker_keys) / sizeof(worker_keys[0]));
	EQ(ledger_from_json(o, &back), 0);
	assert_true(back.q[0].has_causes);
	assert_memory_equal(&back.q[0].loss, &l.q[0].loss, sizeof(l.q[0].loss));
	ledger_free(&back);

	/* a record from before the monitor: neither group, none read */
	json_object_del(queue0(o), "fill_empty_causes");
	json_object_del(queue0(o), "worker");
	EQ(ledger_from_json(o, &back), 0);
	assert_false(back.q[0].has_causes);
	EQ(back.q[0].loss.fill_empty[LOSS_OFF_CPU], 0);
	ledger_free(&back);
	json_decref(o);

	/* without causes, nothing is written */
	l.q[0].has_causes = false;
	o = ledger_to_json(&l);
	assert_null(json_object_get(queue0(o), "fill_empty_causes"));
	assert_null(json_object_get(queue0(o), "worker"));
	json_decref(o);
	ledger_free(&l);
}

/* A copy of @o whose queue 0 lost @key of @group (@key NULL: the whole
 * group), or has it set to @v (stolen) instead: refused. */
static void assert_refused_edit(json_t *o, const char *group, const char *key, json_t *v)
{
	json_t *rec = json_deep_copy(o), *parent = queue0(rec);

	if (key)
		parent = json_object_get(parent, group);
	if (v)
		json_object_set_new(parent, key, v);
	else
		json_object_del(parent, key ? key : group);
	assert_refused(rec);
	json_decref(rec);
}

TEST(test_causes_json_refused)
{
	struct ledger l = {0};
	json_t *o;

	causes_ledger(&l, 1);
	ledger_close(&l);
	o = ledger_to_json(&l);
	ledger_free(&l);
	for (size_t i = 0; i < 3; i++) {
		assert_refused_edit(o, "fill_empty_causes", cause_keys[i], NULL);
		assert_refused_edit(o, "fill_empty_causes", cause_keys[i], json_integer(-1));
	}
	for (size_t i = 0; i < sizeof(worker_keys) / sizeof(worker_keys[0]); i++)
		assert_refused_edit(o, "worker", worker_keys[i], NULL);
	/* one group without the other is no record of ours */
	assert_refused_edit(o, "worker", NULL, NULL);
	assert_refused_edit(o, "fill_empty_causes", NULL, NULL);
	json_decref(o);
}

TEST(test_causes_print)
{
	struct ledger l = {0};
	char *out;

	causes_ledger(&l, 2);
	l.q[1].queue = 1;
	l.q[1].has_causes = true; /* lost nothing: no worker line */
	ledger_close(&l);
	out = print_to_string(&l);
	assert_non_null(strstr(out, "fill_empty 600: "));
	assert_non_null(strstr(out, "while its worker ran 100, slept (wake-up) 200, was off its "
				    "CPU 300\n"));
	assert_non_null(strstr(out, "q0 worker: longest gap 41.2 ms, run delay 32.5 ms, 16 "
				    "involuntary switches, 19 sleeps\n"));
	assert_null(strstr(out, "q1 worker"));
	free(out);
	/* no monitor (passive, an old record): the count alone */
	l.q[0].has_causes = l.q[1].has_causes = false;
	out = print_to_string(&l);
	assert_non_null(strstr(out, "fill_empty 600: "));
	assert_null(strstr(out, "while its worker"));
	free(out);
	ledger_free(&l);
}

TEST(test_from_json_wrong_types)
{
	static const struct key groups[] = {{NULL, "xdp"}, {NULL, "socket"}, {NULL, "iface"}};
	json_t *rec;

	for (size_t i = 0; i < NCOUNTERS; i++) {
		const struct key *k = &counter_keys[i];

		assert_refused_with(k, json_string("5"));
		assert_refused_with(k, json_real(5.0));
		assert_refused_with(k, json_true());
		assert_refused_with(k, json_false());
		assert_refused_with(k, json_null());
		assert_refused_with(k, json_pack("[i]", 5));
		assert_refused_with(k, json_pack("{s:i}", "value", 5));
	}
	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
		assert_refused_with(&groups[i], json_integer(0));
		assert_refused_with(&groups[i], json_string("{}"));
		assert_refused_with(&groups[i], json_null());
		assert_refused_with(&groups[i], json_array());
	}
	{
		static const struct key bound = {NULL, "socket_bound"};

		assert_refused_with(&bound, json_integer(1));
		assert_refused_with(&bound, json_string("true"));
		assert_refused_with(&bound, json_null());
	}
	/* a queue entry that is not an object */
	for (int t = 0; t < 4; t++) {
		rec = load_record();
		json_array_set_new(json_object_get(rec, "queues"), 0,
				   t == 0   ? json_integer(0)
				   : t == 1 ? json_string("queue")
				   : t == 2 ? json_null()
					    : json_pack("[i]", 0));
		assert_refused(rec);
		json_decref(rec);
	}
	/* "queues" not an array: the entry itself, without its array */
	rec = load_record();
	json_object_set(rec, "queues", queue0(rec));
	assert_refused(rec);
	json_object_set_new(rec, "queues", json_object());
	assert_refused(rec);
	json_object_set_new(rec, "queues", json_string("[]"));
	assert_refused(rec);
	json_object_set_new(rec, "queues", json_null());
	assert_refused(rec);
	json_decref(rec);
	/* socket_bound false is a boolean too */
	rec = load_record();
	json_object_set_new(queue0(rec), "socket_bound", json_false());
	{
		struct ledger l;

		EQ(ledger_from_json(rec, &l), 0);
		assert_false(l.q[0].has_socket);
		ledger_free(&l);
	}
	json_decref(rec);
}

TEST(test_from_json_negative)
{
	for (size_t i = 0; i < NCOUNTERS; i++) {
		assert_refused_with(&counter_keys[i], json_integer(-1));
		assert_refused_with(&counter_keys[i], json_integer(INT64_MIN));
		/* what to_json writes for a counter of 2^63 */
		assert_refused_with(&counter_keys[i],
				    json_integer((json_int_t)(UINT64_C(1) << 63)));
		/* and for 2^64 - 1 */
		assert_refused_with(&counter_keys[i], json_integer((json_int_t)UINT64_MAX));
		/* strings that are not a counter's digits */
		assert_refused_with(&counter_keys[i], json_string("-1"));
		assert_refused_with(&counter_keys[i], json_string("18446744073709551616"));
		assert_refused_with(&counter_keys[i], json_string(" 1"));
		assert_refused_with(&counter_keys[i], json_string("0x10"));
		assert_refused_with(&counter_keys[i], json_string(""));
		assert_refused_with(&counter_keys[i], json_string("9223372036854775807"));
		assert_refused_with(&counter_keys[i], json_string("09223372036854775808"));
	}
}

TEST(test_from_json_huge)
{
	struct ledger l;
	json_t *rec;

	/* the largest a record holds: accepted, read exactly, into its field */
	for (size_t i = 1; i < NCOUNTERS; i++) {
		const struct key *k = &counter_keys[i];

		rec = load_record();
		json_object_set_new(key_parent(rec, k), k->name, json_integer(INT64_MAX));
		EQ(ledger_from_json(rec, &l), 0);
		EQ(*(uint64_t *)((char *)&l.q[0] + k->off), INT64_MAX);
		ledger_free(&l);
		json_decref(rec);
	}
	/* inspected 2^63 - 1 of 1000 redirected: 1000 - (2^63 - 1) - 7 - 3 */
	rec = load_record();
	json_object_set_new(queue0(rec), "inspected", json_integer(INT64_MAX));
	EQ(ledger_from_json(rec, &l), 0);
	EQ(l.q[0].unexplained, 990 - INT64_MAX);
	ledger_free(&l);
	json_decref(rec);

	/* past 2^63 in the text: jansson itself refuses the number ... */
	assert_null(json_loads("{\"queues\": [{\"queue\": 0, \"inspected\": "
			       "9223372036854775808}]}",
			       0, NULL));
	/* ... or, asked to, reads it as a real, which is not a counter */
	for (size_t i = 0; i < NCOUNTERS; i++) {
		assert_refused_with(&counter_keys[i], json_real(9223372036854775808.0));
		assert_refused_with(&counter_keys[i], json_real(1e300));
	}
	/* a queue number past 32 bits */
	{
		static const struct key queue = {NULL, "queue"};

		assert_refused_with(&queue, json_integer(UINT32_MAX));
		assert_refused_with(&queue, json_integer((json_int_t)UINT32_MAX + 1));
		assert_refused_with(&queue, json_integer(INT64_MAX));
	}
}

/* The array holds every RX queue of the interface, entry i for queue i:
 * its length is the queue count, and a queue number that does not match
 * its place means the count does not match the array. */
TEST(test_from_json_queue_numbers)
{
	json_t *rec, *arr;
	struct ledger l;

	rec = load_record();
	arr = json_object_get(rec, "queues");
	json_array_append_new(arr, json_deep_copy(queue0(rec)));
	assert_refused(rec); /* queue 0 twice */
	json_object_set_new(json_array_get(arr, 1), "queue", json_integer(2));
	assert_refused(rec); /* 0, 2: queue 1 missing */
	json_object_set_new(json_array_get(arr, 1), "queue", json_integer(0));
	json_object_set_new(json_array_get(arr, 0), "queue", json_integer(1));
	assert_refused(rec); /* 1, 0 */
	json_object_set_new(json_array_get(arr, 1), "queue", json_integer(1));
	assert_refused(rec); /* 1, 1 */
	json_object_set_new(json_array_get(arr, 0), "queue", json_integer(0));
	EQ(ledger_from_json(rec, &l), 0); /* 0, 1 */
	EQ(l.count, 2);
	EQ(l.q[1].queue, 1);
	EQ(l.unexplained, 4); /* 2 + 2 */
	ledger_free(&l);

	/* a bad second entry after a good first one: nothing leaks (ASan) */
	json_object_set_new(json_array_get(arr, 1), "inspected", json_integer(-1));
	assert_refused(rec);
	json_decref(rec);

	rec = load_record();
	json_object_set_new(queue0(rec), "queue", json_integer(1));
	assert_refused(rec); /* one entry, for queue 1 */
	json_decref(rec);
}

TEST(test_from_json_empty_and_not_object)
{
	json_t *rec = load_record();
	json_t *others[] = {json_array(), json_string("ledger"), json_integer(0), json_null(),
			    json_object()};

	json_array_clear(json_object_get(rec, "queues"));
	assert_refused(rec);
	json_decref(rec);
	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		assert_refused(others[i]);
		json_decref(others[i]);
	}
	assert_refused(NULL); /* json_object_get(rec, "ledger") of a record without one */
}

/* The driver's counters: at most IFACE_MAX_QUEUE_COUNTERS, names that fit. */
TEST(test_from_json_iface_limits)
{
	char name[40];
	struct ledger l;
	json_t *rec, *ifc;

	rec = load_record();
	ifc = json_object_get(queue0(rec), "iface");
	json_object_clear(ifc);
	for (int c = 0; c < IFACE_MAX_QUEUE_COUNTERS; c++) {
		snprintf(name, sizeof(name), "c%02d", c);
		json_object_set_new(ifc, name, json_integer(c));
	}
	EQ(ledger_from_json(rec, &l), 0);
	EQ(l.q[0].iface.count, IFACE_MAX_QUEUE_COUNTERS);
	ledger_free(&l);
	json_object_set_new(ifc, "one_too_many", json_integer(1));
	assert_refused(rec);
	json_decref(rec);

	rec = load_record();
	ifc = json_object_get(queue0(rec), "iface");
	memset(name, 'n', 31);
	name[31] = '\0';
	json_object_set_new(ifc, name, json_integer(5)); /* 31 characters fit */
	EQ(ledger_from_json(rec, &l), 0);
	EQ(l.q[0].iface.count, 3);
	assert_string_equal(l.q[0].iface.c[2].name, name);
	EQ(l.q[0].iface.c[2].value, 5);
	ledger_free(&l);
	name[31] = 'n';
	name[32] = '\0';
	json_object_set_new(ifc, name, json_integer(5)); /* 32 do not */
	assert_refused(rec);
	json_decref(rec);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_close_exact),
		cmocka_unit_test(test_close_passive),
		cmocka_unit_test(test_close_passive_both_directions),
		cmocka_unit_test(test_close_unexplained_both_signs),
		cmocka_unit_test(test_close_several_queues_sum),
		cmocka_unit_test(test_close_recomputes),
		cmocka_unit_test(test_close_queue_without_socket),
		cmocka_unit_test(test_close_other_counters_do_not_count),
		cmocka_unit_test(test_close_saturates),
		cmocka_unit_test(test_ledger_free),
		cmocka_unit_test(test_nothing_steered),
		cmocka_unit_test(test_print),
		cmocka_unit_test(test_print_sums_saturate),
		cmocka_unit_test(test_to_json_keys),
		cmocka_unit_test(test_json_round_trip),
		cmocka_unit_test(test_json_round_trip_past_2_63),
		cmocka_unit_test(test_from_json_hand_written),
		cmocka_unit_test(test_from_json_recomputes_unexplained),
		cmocka_unit_test(test_from_json_missing_keys),
		cmocka_unit_test(test_causes_json_round_trip),
		cmocka_unit_test(test_causes_json_refused),
		cmocka_unit_test(test_causes_print),
		cmocka_unit_test(test_from_json_wrong_types),
		cmocka_unit_test(test_from_json_negative),
		cmocka_unit_test(test_from_json_egress_keys),
		cmocka_unit_test(test_from_json_huge),
		cmocka_unit_test(test_from_json_queue_numbers),
		cmocka_unit_test(test_from_json_empty_and_not_object),
		cmocka_unit_test(test_from_json_iface_limits),
	};

	return cmocka_run_group_tests_name("ledger", tests, NULL, NULL);
}
