// SPDX-License-Identifier: MIT
/*
 * Unit tests of the tap (inspect/tap.h: the ring that hands copies of
 * inspected frames to the writer) and of the pcapng writer
 * (sink/pcapng.c): records in order and intact across the wrap, a full
 * live ring drops and counts, a lossless one waits, a producer and the
 * writer thread racing lose nothing, and libpcap reads the file back with
 * every length and time stamp.
 */
#include <pthread.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>
#include <pcap/pcap.h>

#include "sink/pcapng.h"
#include "inspect/tap.h"

#define TEST(name) static void name(void **state __attribute__((unused)))
#define EQ(a, b) assert_int_equal((a), (b))

/* Frame i: i+60 bytes (so sizes vary and wrap at odd places), byte k is
 * (i + k) & 0xff. */
static uint32_t frame_len(uint32_t i)
{
	return 60 + i % 1400;
}

static void frame_fill(uint8_t *buf, uint32_t i)
{
	for (uint32_t k = 0; k < frame_len(i); k++)
		buf[k] = (uint8_t)(i + k);
}

static void check_rec(const struct tap_rec *r, uint32_t i, uint32_t snaplen)
{
	uint32_t want = frame_len(i) < snaplen ? frame_len(i) : snaplen;

	EQ(r->ts_ns, 1000 + (uint64_t)i);
	EQ(r->wire_len, frame_len(i) + 4);
	EQ(r->cap_len, want);
	for (uint32_t k = 0; k < want; k++)
		if (r->data[k] != (uint8_t)(i + k))
			fail_msg("frame %u byte %u differs", i, k);
}

TEST(refuses_bad_sizes)
{
	struct tap t;

	EQ(tap_init(&t, 1000, 100, 0, false), -EINVAL);	   /* not a power of two */
	EQ(tap_init(&t, 32768, 100, 0, false), -EINVAL);   /* too small */
	EQ(tap_init(&t, 65536, 65535, 0, false), -EINVAL); /* too small for the snaplen */
	EQ(tap_init(&t, 65536, 0, 0, false), -EINVAL);
	EQ(tap_init(&t, 65536, 1500, 0, false), 0);
	tap_destroy(&t);
}

/* Many times around the ring, one record at a time: order, content and
 * cut length survive every wrap. */
TEST(wraps_in_order)
{
	static uint8_t buf[2048];
	uint64_t pos = 0;
	struct tap t;

	assert_int_equal(tap_init(&t, 65536, 1000, 0, false), 0);
	for (uint32_t i = 0; i < 5000; i++) {
		const struct tap_rec *r;

		frame_fill(buf, i);
		assert_true(tap_push(&t, buf, frame_len(i), frame_len(i) + 4, 1000 + i));
		r = tap_next(&t, &pos);
		assert_non_null(r);
		check_rec(r, i, 1000);
		assert_null(tap_next(&t, &pos));
		tap_release(&t, pos);
	}
	EQ(t.taken, 5000);
	EQ(t.dropped, 0);
	tap_destroy(&t);
}

TEST(full_live_ring_drops_and_counts)
{
	static uint8_t buf[2048];
	static uint32_t kept[1000];
	uint32_t pushed = 0, dropped = 0, i;
	uint64_t pos = 0;
	struct tap t;

	assert_int_equal(tap_init(&t, 65536, 1500, 0, false), 0);
	for (i = 0; i < 1000; i++) {
		frame_fill(buf, i);
		if (tap_push(&t, buf, frame_len(i), frame_len(i) + 4, 1000 + i))
			kept[pushed++] = i;
		else
			dropped++;
	}
	assert_true(dropped > 0);
	EQ(t.dropped, dropped);
	EQ(t.taken, pushed);
	/* What was taken is intact and in order. */
	for (i = 0; i < pushed; i++) {
		const struct tap_rec *r = tap_next(&t, &pos);

		assert_non_null(r);
		check_rec(r, kept[i], 1500);
	}
	assert_null(tap_next(&t, &pos));
	tap_destroy(&t);
}

struct race {
	struct tap t;
	uint32_t n;
};

static void *producer(void *arg)
{
	struct race *r = arg;
	static uint8_t buf[2048];

	for (uint32_t i = 0; i < r->n; i++) {
		frame_fill(buf, i);
		tap_push(&r->t, buf, frame_len(i), frame_len(i) + 4, 1000 + i);
	}
	return NULL;
}

/* A lossless producer racing a consumer: every record, in order. */
TEST(lossless_race_loses_nothing)
{
	static struct race r;
	uint64_t pos = 0;
	pthread_t th;
	uint32_t got = 0;

	assert_int_equal(tap_init(&r.t, 65536, 1500, 0, true), 0);
	r.n = 200000;
	assert_int_equal(pthread_create(&th, NULL, producer, &r), 0);
	while (got < r.n) {
		const struct tap_rec *rec = tap_next(&r.t, &pos);

		if (!rec) {
			tap_release(&r.t, pos);
			continue;
		}
		check_rec(rec, got, 1500);
		got++;
		if (got % 16 == 0)
			tap_release(&r.t, pos);
	}
	pthread_join(th, NULL);
	EQ(r.t.dropped, 0);
	EQ(r.t.taken, r.n);
	tap_destroy(&r.t);
}

/* Two taps through the writer thread, read back with libpcap: every frame,
 * lengths, content, and the interface each came through. */
TEST(pcapng_reads_back)
{
	static uint8_t buf[2048];
	char path[] = "/tmp/xdpi-test-tap-XXXXXX", err[256], errbuf[PCAP_ERRBUF_SIZE];
	struct pcapng_writer *w;
	struct tap taps[2];
	struct pcap_pkthdr *h;
	const u_char *data;
	uint64_t frames = 0;
	uint32_t seen[2] = {0, 0};
	pcap_t *p;
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(tap_init(&taps[0], 65536, 200, 0, true), 0);
	assert_int_equal(tap_init(&taps[1], 65536, 200, 3, true), 0);
	assert_int_equal(
		pcapng_writer_open(&w, path, "xdpi test", "xdpi-d", taps, 2, err, sizeof(err)), 0);
	assert_int_equal(pcapng_writer_start(w, false), 0);
	for (uint32_t i = 0; i < 3000; i++) {
		frame_fill(buf, i);
		tap_push(&taps[i & 1], buf, frame_len(i), frame_len(i) + 4,
			 1700000000000000000ull + i);
	}
	assert_int_equal(pcapng_writer_stop(w, &frames), 0);
	EQ(frames, 3000);

	p = pcap_open_offline(path, errbuf);
	assert_non_null(p);
	EQ(pcap_datalink(p), DLT_EN10MB);
	while (pcap_next_ex(p, &h, &data) == 1) {
		/* Which tap: queue 0 holds the even frames, queue 3 the odd. */
		uint32_t q = data[0] & 1 ? 1 : 0, i = seen[q] * 2 + q;

		assert_true(i < 3000);
		EQ(h->len, frame_len(i) + 4);
		EQ(h->caplen, frame_len(i) < 200 ? frame_len(i) : 200);
		EQ(data[0], (uint8_t)i);
		seen[q]++;
	}
	EQ(seen[0] + seen[1], 3000);
	pcap_close(p);
	unlink(path);
	tap_destroy(&taps[0]);
	tap_destroy(&taps[1]);
}

TEST(pcapng_refuses_a_symlink)
{
	char err[256] = "";
	struct pcapng_writer *w;
	struct tap t;
	char link[] = "/tmp/xdpi-test-link-XXXXXX";
	int fd = mkstemp(link);

	assert_true(fd >= 0);
	close(fd);
	unlink(link);
	assert_int_equal(symlink("/tmp/xdpi-test-target-never", link), 0);
	assert_int_equal(tap_init(&t, 65536, 200, 0, true), 0);
	assert_true(pcapng_writer_open(&w, link, "x", "i", &t, 1, err, sizeof(err)) < 0);
	assert_true(err[0] != 0);
	assert_int_equal(access("/tmp/xdpi-test-target-never", F_OK), -1);
	unlink(link);
	tap_destroy(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(refuses_bad_sizes),
		cmocka_unit_test(wraps_in_order),
		cmocka_unit_test(full_live_ring_drops_and_counts),
		cmocka_unit_test(lossless_race_loses_nothing),
		cmocka_unit_test(pcapng_reads_back),
		cmocka_unit_test(pcapng_refuses_a_symlink),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
