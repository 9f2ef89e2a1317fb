// SPDX-License-Identifier: MIT
/*
 * Unit tests of the space-saving top-N (inspect/topn.c): exact while the
 * keys fit, a skewed weighted stream over 100k keys against the true
 * counts (the top 10 found and guaranteed, every count an upper bound and
 * count - error a lower bound), keys of different lengths, the index after
 * many replacements, reset, bad arguments; which entries rank
 * (topn_ranked()), by hand and under a flood of one-packet sources.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "inspect/topn.h"

#define TEST(name) static void name(void **state __attribute__((unused)))
#define EQ(a, b) assert_int_equal((a), (b))

/* splitmix64, as a reproducible generator. */
static uint64_t rng_next(uint64_t *s)
{
	uint64_t x = (*s += 0x9e3779b97f4a7c15ull);

	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static struct topn *create(uint32_t cap)
{
	struct topn *t = topn_create(cap);

	assert_non_null(t);
	return t;
}

static uint32_t key_of(const struct topn_entry *e)
{
	uint32_t k;

	EQ(e->len, 4);
	memcpy(&k, e->key, 4);
	return k;
}

TEST(test_create_invalid)
{
	struct topn *t;

	errno = 0;
	assert_null(topn_create(0));
	EQ(errno, EINVAL);
	assert_null(topn_create(TOPN_CAPACITY_MAX + 1));
	EQ(errno, EINVAL);
	t = create(1);
	EQ(topn_add(t, "x", 0, 1), -EINVAL);
	EQ(topn_add(t, "0123456789abcdefX", 17, 1), -EINVAL);
	EQ(topn_add(t, "x", 1, 0), 0); /* weight 0: nothing */
	EQ(topn_size(t), 0);
	EQ(topn_total(t), 0);
	topn_destroy(t);
	topn_destroy(NULL);
}

/* At most K distinct keys: counts exact, errors 0, sorted. */
TEST(test_exact_when_fits)
{
	enum { K = 128, KEYS = 128 };
	static uint64_t truth[KEYS];
	struct topn_entry out[K + 1];
	uint64_t rng = 1, total = 0;
	struct topn *t = create(K);

	memset(truth, 0, sizeof(truth));
	for (int i = 0; i < 100000; i++) {
		uint32_t k = (uint32_t)(rng_next(&rng) % KEYS);
		uint64_t w = 1 + rng_next(&rng) % 1500;

		EQ(topn_add(t, &k, 4, w), 0);
		truth[k] += w;
		total += w;
	}
	EQ(topn_size(t), KEYS);
	EQ(topn_total(t), total);
	EQ(topn_top(t, out, K + 1), KEYS);
	for (int i = 0; i < KEYS; i++) {
		EQ(out[i].count, truth[key_of(&out[i])]);
		EQ(out[i].error, 0);
		if (i)
			assert_true(out[i - 1].count >= out[i].count);
	}
	EQ(topn_top(t, out, 3), 3);
	EQ(topn_top(t, out, 0), 0);
	topn_destroy(t);
}

/* A zipf-like stream (s = 1.1) over 100k keys, weighted like bytes: the
 * heavy hitters must come out on top, with their true weight between
 * count - error and count, and the top 10 guaranteed (each one's lower
 * bound above the 11th's upper bound). */
TEST(test_skewed_stream)
{
	enum { KEYS = 100000, EVENTS = 2000000, K = 128, TOP = 10 };
	uint64_t *truth = calloc(KEYS, sizeof(*truth));
	double *cdf = malloc(KEYS * sizeof(*cdf));
	uint32_t *perm = malloc(KEYS * sizeof(*perm));
	struct topn_entry out[K];
	uint64_t rng = 42, total = 0, kth;
	struct topn *t = create(K);
	double sum = 0;
	uint32_t n;

	assert_non_null(truth);
	assert_non_null(cdf);
	assert_non_null(perm);
	for (uint32_t i = 0; i < KEYS; i++) {
		sum += 1.0 / pow(i + 1, 1.1);
		cdf[i] = sum;
		perm[i] = i;
	}
	/* Rank r is key perm[r]: the heavy keys are not the small ones. */
	for (uint32_t i = KEYS - 1; i > 0; i--) {
		uint32_t j = (uint32_t)(rng_next(&rng) % (i + 1)), x = perm[i];

		perm[i] = perm[j];
		perm[j] = x;
	}
	for (uint32_t e = 0; e < EVENTS; e++) {
		double u = (double)(rng_next(&rng) >> 11) / 9007199254740992.0 * sum;
		uint32_t lo = 0, hi = KEYS - 1, k;
		uint64_t w = 40 + rng_next(&rng) % 1461;

		while (lo < hi) {
			uint32_t mid = (lo + hi) / 2;

			if (cdf[mid] < u)
				lo = mid + 1;
			else
				hi = mid;
		}
		k = perm[lo];
		EQ(topn_add(t, &k, 4, w), 0);
		truth[k] += w;
		total += w;
	}
	EQ(topn_total(t), total);
	n = topn_top(t, out, K);
	EQ(n, K);
	/* Every monitored key: true weight in [count - error, count]; every
	 * error at most total / K. */
	for (uint32_t i = 0; i < n; i++) {
		uint64_t tw = truth[key_of(&out[i])];

		assert_true(out[i].count >= tw);
		assert_true(out[i].count - out[i].error <= tw);
		assert_true(out[i].error <= total / K);
	}
	/* The reported top 10 are the true top 10 (the keys of ranks 0..9,
	 * whose weights are far apart at s = 1.1), and guaranteed. */
	kth = out[TOP].count;
	for (uint32_t i = 0; i < TOP; i++) {
		uint64_t true_rank = KEYS;

		for (uint32_t r = 0; r < KEYS; r++)
			if (perm[r] == key_of(&out[i]))
				true_rank = r;
		assert_true(true_rank < TOP);
		assert_true(out[i].count - out[i].error >= kth);
	}
	topn_destroy(t);
	free(truth);
	free(cdf);
	free(perm);
}

/* Many replacements in a small table: every key monitored can be found
 * again (an add to it does not take a new counter), i.e. the index's
 * deletions left no chain broken. */
TEST(test_index_after_replacements)
{
	enum { K = 8 };
	struct topn_entry out[K];
	uint64_t rng = 7;
	struct topn *t = create(K);

	for (int round = 0; round < 20000; round++) {
		uint32_t k = (uint32_t)(rng_next(&rng) % 1000);

		EQ(topn_add(t, &k, 4, 1 + rng_next(&rng) % 5), 0);
		EQ(topn_size(t), round < K ? (uint32_t)round + 1 : K);
		if (round % 97)
			continue;
		EQ(topn_top(t, out, K), topn_size(t));
		for (uint32_t i = 0; i < topn_size(t); i++) {
			struct topn_entry again[K];
			uint32_t kk = key_of(&out[i]);
			int found = 0;

			EQ(topn_add(t, &kk, 4, 1000000), 0);
			EQ(topn_top(t, again, K), topn_size(t));
			for (uint32_t j = 0; j < topn_size(t); j++)
				if (key_of(&again[j]) == kk) {
					EQ(again[j].count, out[i].count + 1000000);
					EQ(again[j].error, out[i].error);
					found = 1;
				}
			assert_true(found);
			/* The others are unchanged: they were not replaced. */
			for (uint32_t j = 0; j < topn_size(t); j++)
				for (uint32_t l = 0; l < topn_size(t); l++)
					if (key_of(&again[j]) == key_of(&out[l]) && l != i)
						EQ(again[j].count, out[l].count);
			/* The next key is taken from the new order. */
			memcpy(out, again, sizeof(out));
		}
	}
	topn_destroy(t);
}

/* Keys of 2, 4 and 16 bytes: a 2-byte key is not the 4-byte key that
 * starts with it. */
TEST(test_key_lengths)
{
	static const uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
	const uint8_t port[4] = {0x01, 0xbb, 0, 0};
	struct topn_entry out[4];
	struct topn *t = create(4);

	EQ(topn_add(t, port, 2, 5), 0);
	EQ(topn_add(t, port, 4, 7), 0);
	EQ(topn_add(t, v6, 16, 9), 0);
	EQ(topn_add(t, port, 2, 1), 0);
	EQ(topn_top(t, out, 4), 3);
	EQ(out[0].len, 16);
	EQ(out[0].count, 9);
	assert_memory_equal(out[0].key, v6, 16);
	EQ(out[1].len, 4);
	EQ(out[1].count, 7);
	EQ(out[2].len, 2);
	EQ(out[2].count, 6);
	EQ(out[2].key[2], 0); /* zero past len */
	topn_destroy(t);
}

TEST(test_replace_min_and_reset)
{
	struct topn_entry out[2];
	struct topn *t = create(2);
	uint32_t a = 1, b = 2, c = 3;

	topn_add(t, &a, 4, 10);
	topn_add(t, &b, 4, 3);
	/* c replaces b (the minimum, 3): count 3 + 4, error 3. */
	topn_add(t, &c, 4, 4);
	EQ(topn_top(t, out, 2), 2);
	EQ(key_of(&out[0]), a);
	EQ(out[0].count, 10);
	EQ(key_of(&out[1]), c);
	EQ(out[1].count, 7);
	EQ(out[1].error, 3);
	EQ(topn_total(t), 17);

	topn_reset(t);
	EQ(topn_size(t), 0);
	EQ(topn_total(t), 0);
	EQ(topn_top(t, out, 2), 0);
	topn_add(t, &b, 4, 1);
	EQ(topn_top(t, out, 2), 1);
	EQ(key_of(&out[0]), b);
	EQ(out[0].error, 0);
	topn_destroy(t);
}

/* topn_ranked() by hand: exact counts rank, ties included; an error that
 * lets the next count reach past a guaranteed count stops the set there;
 * the keys left out (@next) count against the last. */
TEST(test_ranked_by_hand)
{
	const uint64_t c1[] = {9, 7, 7, 2}, e0[] = {0, 0, 0, 0};
	const uint64_t c2[] = {100, 39, 39, 39}, e2[] = {5, 38, 38, 38};
	const uint64_t c3[] = {100, 90, 20}, e3[] = {0, 15, 0};
	const uint64_t c4[] = {9, 7, 7, 3}, e4[] = {0, 0, 0, 1};

	EQ(topn_ranked(c1, e0, 4, 0), 4);
	EQ(topn_ranked(c1, e0, 4, 2), 4); /* a tie with a key left out */
	EQ(topn_ranked(c4, e4, 4, 3), 3); /* 2 guaranteed, a key left out may weigh 3 */
	EQ(topn_ranked(c2, e2, 4, 39), 1);
	EQ(topn_ranked(c2, e2, 1, 96), 0); /* 95 guaranteed, 96 possible */
	/* 75 guaranteed for the second ranks it above the third's 20 */
	EQ(topn_ranked(c3, e3, 3, 0), 3);
	EQ(topn_ranked(c3, e3, 3, 20), 3);
	EQ(topn_ranked(c3, e3, 0, 5), 0);
}

/* A flood of random sources, one packet each, over three heavy ones (what
 * `hping3 --rand-source` does beside real traffic): the estimates of the
 * flood (counts about 5000 / 128, errors one less) must not rank; the
 * heavy ones must, and the set that ranks is the true top of that size. */
TEST(test_ranked_flood)
{
	enum { FLOOD = 5000, HEAVY = 3 };
	const uint32_t heavy_weight[HEAVY] = {300, 200, 100};
	uint32_t *order = malloc((FLOOD + 600) * sizeof(*order));
	struct topn *t = create(128);
	struct topn_entry e[11];
	uint64_t count[10], error[10], seed = 7;
	uint32_t n = 0, got, ranked;

	assert_non_null(order);
	for (uint32_t k = 0; k < FLOOD; k++)
		order[n++] = 1000 + k;
	for (uint32_t h = 0; h < HEAVY; h++)
		for (uint32_t i = 0; i < heavy_weight[h]; i++)
			order[n++] = h;
	for (uint32_t i = n - 1; i > 0; i--) { /* shuffled */
		uint32_t j = (uint32_t)(rng_next(&seed) % (i + 1)), x = order[i];

		order[i] = order[j];
		order[j] = x;
	}
	for (uint32_t i = 0; i < n; i++)
		EQ(topn_add(t, &order[i], 4, 1), 0);
	got = topn_top(t, e, 11);
	EQ(got, 11);
	for (uint32_t i = 0; i < 10; i++) {
		count[i] = e[i].count;
		error[i] = e[i].error;
	}
	assert_true(e[9].error > 0); /* the flood's estimates are in the list */
	ranked = topn_ranked(count, error, 10, e[10].count);
	EQ(ranked, HEAVY);
	for (uint32_t i = 0; i < HEAVY; i++)
		EQ(key_of(&e[i]), i);
	free(order);
	topn_destroy(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_invalid),
		cmocka_unit_test(test_exact_when_fits),
		cmocka_unit_test(test_skewed_stream),
		cmocka_unit_test(test_index_after_replacements),
		cmocka_unit_test(test_key_lengths),
		cmocka_unit_test(test_replace_min_and_reset),
		cmocka_unit_test(test_ranked_by_hand),
		cmocka_unit_test(test_ranked_flood),
	};

	return cmocka_run_group_tests_name("topn", tests, NULL, NULL);
}
