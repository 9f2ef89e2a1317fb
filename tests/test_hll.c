// SPDX-License-Identifier: MIT
/*
 * Unit tests of the HyperLogLog sketch (inspect/hll.c): the error on a
 * million random and a million sequential keys, small counts, a sweep across
 * the switch from linear counting to the raw estimate, merge (register-wise
 * equal to the sketch of the union), idempotence.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>
#include <stdio.h>

#include "inspect/hll.h"
#include "inspect/keyset.h"

#define TEST(name) static void name(void **state __attribute__((unused)))
#define EQ(a, b) assert_int_equal((a), (b))

/* Fixed: the tests are reproducible (the bounds hold for any seed with
 * the probability of a 3-sigma event; these seeds are simply the ones run). */
#define SEED 0x5eed5eed12345678ull

/* splitmix64: distinct outputs for distinct inputs, so "n random keys" are
 * n distinct keys. */
static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/* The hash a keyset would store for the 8-byte key @k. */
static uint64_t hash8(uint64_t k)
{
	return keyset_hash_seed(SEED, &k, 8);
}

/* The hash of an IPv4 source: a 4-byte key, as the metrics add it. */
static uint64_t hash4(uint32_t a)
{
	return keyset_hash_seed(SEED, &a, 4);
}

static void init(struct hll *h)
{
	EQ(hll_init(h), 0);
}

static void assert_within(double est, double n, double sigmas)
{
	double err = fabs(est - n) / n;

	if (err > sigmas * HLL_STD_ERROR)
		fail_msg("estimate %.0f of %.0f: error %.3f%% > %.1f x %.3f%%", est, n, 100 * err,
			 sigmas, 100 * HLL_STD_ERROR);
}

TEST(test_empty)
{
	struct hll h;

	init(&h);
	EQ(hll_count(&h), 0);
	assert_true(hll_estimate(&h) == 0.0);
	EQ(h.hist[0], HLL_M);
	hll_destroy(&h);
	hll_destroy(&h);
	hll_destroy(NULL);
}

TEST(test_small_counts)
{
	struct hll h;

	init(&h);
	hll_add_hash(&h, hash8(1));
	EQ(hll_count(&h), 1);
	for (uint64_t i = 2; i <= 100; i++)
		hll_add_hash(&h, hash8(i));
	/* Linear counting: ~0.3 register collisions expected among 100. */
	assert_true(fabs(hll_estimate(&h) - 100) <= 2);
	for (uint64_t i = 101; i <= 1000; i++)
		hll_add_hash(&h, hash8(i));
	assert_true(fabs(hll_estimate(&h) - 1000) <= 10);
	hll_destroy(&h);
}

TEST(test_million_random)
{
	const uint64_t n = 1000000;
	struct hll h;

	init(&h);
	for (uint64_t i = 0; i < n; i++)
		hll_add_hash(&h, hash8(mix(i)));
	assert_within(hll_estimate(&h), n, 3);
	hll_destroy(&h);
}

/* Spoofed sources are often a counter: 10.0.0.0 and up, in order. The
 * keyset's hash must spread them as well as random keys. */
TEST(test_million_sequential_ipv4)
{
	const uint32_t n = 1000000;
	struct hll h;

	init(&h);
	for (uint32_t i = 0; i < n; i++)
		hll_add_hash(&h, hash4(0x0a000000u + i));
	assert_within(hll_estimate(&h), n, 3);
	hll_destroy(&h);
}

/* Across the small-range switch (2.5 m = 40960) and beyond: every point
 * within 3 standard errors, and the mean error over the sweep near 0 (no
 * bias at one cardinality hides behind the others). */
TEST(test_sweep)
{
	double sum_err = 0;
	int points = 0;
	struct hll h;

	init(&h);
	for (uint64_t n = 1, next = 2000; n <= 400000; n++) {
		hll_add_hash(&h, hash8(mix(n ^ 0xabcdefull)));
		if (n != next)
			continue;
		assert_within(hll_estimate(&h), (double)n, 3);
		sum_err += (hll_estimate(&h) - (double)n) / (double)n;
		points++;
		next += next < 100000 ? 2000 : 20000;
	}
	if (fabs(sum_err / points) > HLL_STD_ERROR)
		fail_msg("mean error %.3f%% over %d points", 100 * sum_err / points, points);
	hll_destroy(&h);
}

TEST(test_idempotent)
{
	struct hll h;
	static uint8_t before[HLL_M];

	init(&h);
	for (uint64_t i = 0; i < 50000; i++)
		hll_add_hash(&h, hash8(i));
	memcpy(before, h.reg, HLL_M);
	double est = hll_estimate(&h);

	for (uint64_t i = 0; i < 50000; i++)
		hll_add_hash(&h, hash8(i));
	assert_memory_equal(before, h.reg, HLL_M);
	assert_true(hll_estimate(&h) == est);
	hll_destroy(&h);
}

/* The registers count themselves right: hist always sums to m and matches
 * a recount. */
static void check_hist(const struct hll *h)
{
	uint32_t hist[HLL_RANKS] = {0};

	for (uint32_t i = 0; i < HLL_M; i++) {
		assert_true(h->reg[i] < HLL_RANKS);
		hist[h->reg[i]]++;
	}
	assert_memory_equal(hist, h->hist, sizeof(hist));
}

TEST(test_merge_is_union)
{
	struct hll a, b, u, e;

	init(&a);
	init(&b);
	init(&u);
	init(&e);
	/* a: 0 .. 600k, b: 400k .. 1M, u: all of them. */
	for (uint64_t i = 0; i < 1000000; i++) {
		uint64_t h = hash8(mix(i));

		if (i < 600000)
			hll_add_hash(&a, h);
		if (i >= 400000)
			hll_add_hash(&b, h);
		hll_add_hash(&u, h);
	}
	hll_merge(&a, &b);
	assert_memory_equal(a.reg, u.reg, HLL_M);
	check_hist(&a);
	assert_true(hll_estimate(&a) == hll_estimate(&u));
	assert_within(hll_estimate(&a), 1000000, 3);

	/* Merging again, or an empty sketch, changes nothing; merging into
	 * an empty one copies. */
	hll_merge(&a, &b);
	hll_merge(&a, &e);
	assert_memory_equal(a.reg, u.reg, HLL_M);
	hll_merge(&e, &u);
	assert_memory_equal(e.reg, u.reg, HLL_M);
	check_hist(&e);

	hll_clear(&a);
	EQ(hll_count(&a), 0);
	check_hist(&a);
	hll_destroy(&a);
	hll_destroy(&b);
	hll_destroy(&u);
	hll_destroy(&e);
}

/* The largest rank a hash can give lands in the last register value. */
TEST(test_extreme_hashes)
{
	struct hll h;

	init(&h);
	hll_add_hash(&h, 0);		       /* register 0, no 1 bit: rank 51 */
	hll_add_hash(&h, ~0ull);	       /* last register, rank 1 */
	hll_add_hash(&h, (1ull << 50) | 1ull); /* register 1, rank 50 */
	EQ(h.reg[0], HLL_RANKS - 1);
	EQ(h.reg[HLL_M - 1], 1);
	EQ(h.reg[1], 50);
	check_hist(&h);
	EQ(hll_count(&h), 3);
	hll_destroy(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_small_counts),
		cmocka_unit_test(test_million_random),
		cmocka_unit_test(test_million_sequential_ipv4),
		cmocka_unit_test(test_sweep),
		cmocka_unit_test(test_idempotent),
		cmocka_unit_test(test_merge_is_union),
		cmocka_unit_test(test_extreme_hashes),
	};

	return cmocka_run_group_tests_name("hll", tests, NULL, NULL);
}
