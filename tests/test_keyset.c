// SPDX-License-Identifier: MIT
/*
 * Unit tests of the exact key set (inspect/keyset.c): init and destroy,
 * insert and duplicates, growth over many doublings, every key size the
 * metrics use, merge.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "inspect/keyset.h"

#define TEST(name) static void name(void **state __attribute__((unused)))
#define EQ(a, b) assert_int_equal((a), (b))

/* The key sizes of the metrics: IPv4 and IPv6 sources, IPv4 and IPv6
 * 4-tuples; then odd sizes and the maximum. */
static const uint32_t key_sizes[] = {4, 12, 16, 36, 1, 6, 64};
#define N_KEY_SIZES (sizeof(key_sizes) / sizeof(key_sizes[0]))

#define MAX_KEY 64

static uint64_t capacity(const struct keyset *s)
{
	return s->mask + 1;
}

/* A key of @len bytes derived from @i: @i spread over the first bytes, the
 * rest a constant pattern (so that keys differ only where @i does). */
static void make_key(uint8_t *key, uint32_t len, uint32_t i)
{
	for (uint32_t b = 0; b < len; b++)
		key[b] = (uint8_t)(0x5a ^ b);
	for (uint32_t b = 0; b < len && b < 4; b++)
		key[b] = (uint8_t)(i >> (8 * b));
}

TEST(test_init_invalid_key_len)
{
	static const uint32_t bad[] = {0, 65, 128, 0xffffffffu};
	struct keyset s;

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&s, 0xa5, sizeof(s));
		EQ(keyset_init(&s, bad[i], 16), -EINVAL);
		/* Nothing allocated, and safe to destroy. */
		assert_null(s.slots);
		EQ(keyset_count(&s), 0);
		keyset_destroy(&s);
		keyset_destroy(&s);
	}
}

TEST(test_init_valid_sizes)
{
	struct keyset s;

	for (unsigned i = 0; i < N_KEY_SIZES; i++) {
		EQ(keyset_init(&s, key_sizes[i], 0), 0);
		assert_non_null(s.slots);
		EQ(s.key_len, key_sizes[i]);
		EQ(keyset_count(&s), 0);
		EQ(capacity(&s), 16);
		keyset_destroy(&s);
	}
}

TEST(test_init_capacity_rounding)
{
	static const struct {
		uint64_t want, cap;
	} cases[] = {{0, 16},	   {1, 16},	 {16, 16},    {17, 32},
		     {1000, 1024}, {1024, 1024}, {1025, 2048}};
	struct keyset s;

	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		EQ(keyset_init(&s, 4, cases[i].want), 0);
		EQ(capacity(&s), cases[i].cap);
		keyset_destroy(&s);
	}
}

TEST(test_insert_and_duplicate)
{
	uint8_t a[4] = {10, 0, 0, 1}, b[4] = {10, 0, 0, 2};
	struct keyset s;

	EQ(keyset_init(&s, 4, 0), 0);
	EQ(keyset_insert(&s, a, 4), 1);
	EQ(keyset_count(&s), 1);
	EQ(keyset_insert(&s, a, 4), 0);
	EQ(keyset_insert(&s, a, 4), 0);
	EQ(keyset_count(&s), 1);
	EQ(keyset_insert(&s, b, 4), 1);
	EQ(keyset_insert(&s, a, 4), 0);
	EQ(keyset_insert(&s, b, 4), 0);
	EQ(keyset_count(&s), 2);
	/* The all-zero key is a key like any other (an empty slot is marked
	 * by its hash, not by the key). */
	memset(a, 0, sizeof(a));
	EQ(keyset_insert(&s, a, 4), 1);
	EQ(keyset_insert(&s, a, 4), 0);
	EQ(keyset_count(&s), 3);
	keyset_destroy(&s);
}

/* While the set grows, in the middle of moving the old table: every key
 * added so far is found (and not counted twice), every key is walked once,
 * and the count is exact, after each insert. A table past a megabyte
 * comes from mmap(); 40,000 keys of 36 bytes cross that. */
TEST(test_growth_incremental)
{
	const uint32_t n = 40000;
	struct keyset s;
	uint8_t key[36];
	unsigned migrating = 0;

	EQ(keyset_init(&s, 36, 0), 0);
	for (uint32_t i = 0; i < n; i++) {
		uint64_t pos = 0, hash, walked = 0;
		const uint8_t *k;

		make_key(key, 36, i);
		EQ(keyset_insert(&s, key, 36), 1);
		EQ(s.last_hash, keyset_hash(&s, key, 36));
		if (!s.old && (i & 255))
			continue;
		migrating += s.old != NULL;
		/* An earlier key, maybe still only in the old table. */
		make_key(key, 36, (uint32_t)(((uint64_t)i * 2654435761u) % (i + 1)));
		EQ(keyset_insert(&s, key, 36), 0);
		while (keyset_next(&s, &pos, &hash, &k))
			walked++;
		if (walked != keyset_count(&s) || keyset_count(&s) != (uint64_t)i + 1)
			fail_msg("after %u keys: walked %llu, count %llu", i + 1,
				 (unsigned long long)walked, (unsigned long long)keyset_count(&s));
	}
	assert_true(migrating > 100);
	assert_true(s.mapped);
	for (uint32_t i = 0; i < n; i++) {
		make_key(key, 36, i);
		if (keyset_insert(&s, key, 36) != 0)
			fail_msg("key %u lost", i);
	}
	EQ(keyset_count(&s), n);
	keyset_destroy(&s);
}

TEST(test_growth_1e5)
{
	const uint32_t n = 100000;
	struct keyset s;
	uint8_t key[4];

	EQ(keyset_init(&s, 4, 0), 0);
	for (uint32_t i = 0; i < n; i++) {
		memcpy(key, &i, 4);
		if (keyset_insert(&s, key, 4) != 1)
			fail_msg("key %u not new", i);
		if (keyset_count(&s) != (uint64_t)i + 1)
			fail_msg("count %llu after %u keys", (unsigned long long)keyset_count(&s),
				 i + 1);
	}
	EQ(keyset_count(&s), n);
	/* 16 -> 262144 slots: 14 doublings, still at most half full. */
	EQ(capacity(&s), 262144);
	assert_true(keyset_count(&s) * 2 <= capacity(&s));
	for (uint32_t i = 0; i < n; i++) {
		memcpy(key, &i, 4);
		if (keyset_insert(&s, key, 4) != 0)
			fail_msg("key %u lost after growth", i);
	}
	EQ(keyset_count(&s), n);
	/* Keys next to the inserted ones are still new. */
	for (uint32_t i = n; i < n + 1000; i++) {
		memcpy(key, &i, 4);
		EQ(keyset_insert(&s, key, 4), 1);
	}
	EQ(keyset_count(&s), n + 1000);
	keyset_destroy(&s);
}

TEST(test_growth_every_key_size)
{
	const uint32_t n = 20000;
	uint8_t key[MAX_KEY];
	struct keyset s;

	for (unsigned k = 0; k < N_KEY_SIZES; k++) {
		uint32_t len = key_sizes[k];
		/* A 1-byte key has only 256 values. */
		uint32_t count = len == 1 ? 256 : n;

		EQ(keyset_init(&s, len, 0), 0);
		for (uint32_t i = 0; i < count; i++) {
			make_key(key, len, i);
			if (keyset_insert(&s, key, len) != 1)
				fail_msg("key_len %u: key %u not new", len, i);
		}
		EQ(keyset_count(&s), count);
		for (uint32_t i = 0; i < count; i++) {
			make_key(key, len, i);
			if (keyset_insert(&s, key, len) != 0)
				fail_msg("key_len %u: key %u lost", len, i);
		}
		EQ(keyset_count(&s), count);
		keyset_destroy(&s);
	}
}

/* Keys that differ from a base key in one byte only, at every position:
 * every byte of the key takes part in equality. */
TEST(test_every_key_byte_counts)
{
	uint8_t key[MAX_KEY];
	struct keyset s;

	for (unsigned k = 0; k < N_KEY_SIZES; k++) {
		uint32_t len = key_sizes[k];

		EQ(keyset_init(&s, len, 0), 0);
		memset(key, 0x11, sizeof(key));
		EQ(keyset_insert(&s, key, len), 1);
		for (uint32_t pos = 0; pos < len; pos++) {
			for (unsigned v = 0; v < 256; v++) {
				int want = v != 0x11;

				memset(key, 0x11, sizeof(key));
				key[pos] = (uint8_t)v;
				if (keyset_insert(&s, key, len) != want)
					fail_msg("key_len %u: byte %u = %u: not %s", len, pos, v,
						 want ? "new" : "a duplicate");
			}
		}
		EQ(keyset_count(&s), 1 + (uint64_t)len * 255);
		keyset_destroy(&s);
	}
}

/* Bytes past key_len are not part of the key. */
TEST(test_bytes_past_key_len_ignored)
{
	uint8_t key[16];
	struct keyset s;

	EQ(keyset_init(&s, 12, 0), 0);
	memset(key, 1, sizeof(key));
	EQ(keyset_insert(&s, key, 12), 1);
	memset(key + 12, 2, 4);
	EQ(keyset_insert(&s, key, 12), 0);
	EQ(keyset_count(&s), 1);
	keyset_destroy(&s);
}

static void fill_range(struct keyset *s, uint32_t len, uint32_t from, uint32_t to)
{
	uint8_t key[MAX_KEY];

	for (uint32_t i = from; i < to; i++) {
		make_key(key, len, i);
		EQ(keyset_insert(s, key, len), 1);
	}
}

TEST(test_merge_overlap)
{
	static const uint32_t lens[] = {4, 12, 16, 36};
	uint8_t key[MAX_KEY];
	struct keyset a, b;

	for (unsigned k = 0; k < 4; k++) {
		uint32_t len = lens[k];

		EQ(keyset_init(&a, len, 0), 0);
		EQ(keyset_init(&b, len, 0), 0);
		fill_range(&a, len, 0, 3000);
		fill_range(&b, len, 2000, 7000); /* 1000 in common */
		EQ(keyset_merge(&a, &b), 0);
		EQ(keyset_count(&a), 7000);
		EQ(keyset_count(&b), 5000); /* the source is left alone */
		for (uint32_t i = 0; i < 7000; i++) {
			make_key(key, len, i);
			if (keyset_insert(&a, key, len) != 0)
				fail_msg("key_len %u: key %u missing after merge", len, i);
		}
		EQ(keyset_count(&a), 7000);
		/* Merging again adds nothing; merging into itself neither. */
		EQ(keyset_merge(&a, &b), 0);
		EQ(keyset_merge(&a, &a), 0);
		EQ(keyset_count(&a), 7000);
		/* The other way round gives the same union. */
		EQ(keyset_merge(&b, &a), 0);
		EQ(keyset_count(&b), 7000);
		keyset_destroy(&a);
		keyset_destroy(&b);
	}
}

TEST(test_merge_edge_cases)
{
	struct keyset a, b, zero;

	memset(&zero, 0, sizeof(zero));
	EQ(keyset_init(&a, 4, 0), 0);
	EQ(keyset_init(&b, 4, 0), 0);
	fill_range(&a, 4, 0, 10);

	/* Empty source, empty destination. */
	EQ(keyset_merge(&a, &b), 0);
	EQ(keyset_count(&a), 10);
	EQ(keyset_merge(&b, &a), 0);
	EQ(keyset_count(&b), 10);

	/* A destroyed source, with its key_len still set, is empty. */
	keyset_destroy(&b);
	EQ(keyset_merge(&a, &b), 0);
	EQ(keyset_count(&a), 10);

	/* Different key lengths. */
	EQ(keyset_init(&b, 12, 0), 0);
	fill_range(&b, 12, 0, 5);
	EQ(keyset_merge(&a, &b), -EINVAL);
	EQ(keyset_merge(&b, &a), -EINVAL);
	EQ(keyset_count(&a), 10);
	EQ(keyset_count(&b), 5);

	/* A zeroed source has key_len 0: refused, nothing added. */
	assert_true(keyset_merge(&a, &zero) < 0);
	EQ(keyset_count(&a), 10);

	keyset_destroy(&a);
	keyset_destroy(&b);
}

TEST(test_destroy)
{
	struct keyset s;

	memset(&s, 0, sizeof(s));
	keyset_destroy(&s);
	keyset_destroy(&s);
	keyset_destroy(NULL);

	EQ(keyset_init(&s, 36, 100), 0);
	fill_range(&s, 36, 0, 100);
	EQ(keyset_count(&s), 100);
	keyset_destroy(&s);
	assert_null(s.slots);
	EQ(keyset_count(&s), 0);
	keyset_destroy(&s);

	/* A destroyed set can be initialised again. */
	EQ(keyset_init(&s, 4, 0), 0);
	fill_range(&s, 4, 0, 50);
	EQ(keyset_count(&s), 50);
	keyset_destroy(&s);
}

/* Two sets have different seeds, yet agree on the keys (merge rehashes). */
TEST(test_independent_sets)
{
	struct keyset a, b;
	uint8_t key[4];

	EQ(keyset_init(&a, 4, 0), 0);
	EQ(keyset_init(&b, 4, 0), 0);
	for (uint32_t i = 0; i < 5000; i++) {
		memcpy(key, &i, 4);
		EQ(keyset_insert(i % 2 ? &a : &b, key, 4), 1);
	}
	EQ(keyset_count(&a), 2500);
	EQ(keyset_count(&b), 2500);
	EQ(keyset_merge(&a, &b), 0);
	EQ(keyset_count(&a), 5000);
	keyset_destroy(&a);
	keyset_destroy(&b);
}

/* keyset_next() visits every key once, with the hash keyset_hash() gives;
 * sets of one seed hash a key alike (what the sketches rely on). */
TEST(test_next_and_shared_seed)
{
	enum { N = 5000 };
	static uint8_t seen[N];
	struct keyset a, b;
	const uint8_t *key;
	uint64_t pos = 0, hash, visits = 0;
	uint8_t k[MAX_KEY];

	EQ(keyset_init_seeded(&a, 12, 0, 77), 0);
	EQ(keyset_init_seeded(&b, 12, 0, 77), 0);
	EQ(a.seed, 77);
	memset(seen, 0, sizeof(seen));
	for (uint32_t i = 0; i < N; i++) {
		make_key(k, 12, i);
		EQ(keyset_insert(&a, k, 12), 1);
		assert_true(keyset_hash(&a, k, 12) == keyset_hash(&b, k, 12));
		assert_true(keyset_hash(&a, k, 12) == keyset_hash_seed(77, k, 12));
	}
	while (keyset_next(&a, &pos, &hash, &key)) {
		uint32_t i = 0;

		memcpy(&i, key, 4);
		assert_true(i < N);
		EQ(seen[i], 0);
		seen[i] = 1;
		assert_true(hash == keyset_hash(&a, key, 12));
		visits++;
	}
	EQ(visits, N);
	EQ(keyset_next(&a, &pos, &hash, &key), 0); /* stays at the end */
	keyset_destroy(&a);
	pos = 0;
	EQ(keyset_next(&a, &pos, &hash, &key), 0); /* destroyed: empty */
	keyset_destroy(&b);
	assert_true(keyset_random_seed() != 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_invalid_key_len),
		cmocka_unit_test(test_init_valid_sizes),
		cmocka_unit_test(test_init_capacity_rounding),
		cmocka_unit_test(test_growth_incremental),
		cmocka_unit_test(test_insert_and_duplicate),
		cmocka_unit_test(test_growth_1e5),
		cmocka_unit_test(test_growth_every_key_size),
		cmocka_unit_test(test_every_key_byte_counts),
		cmocka_unit_test(test_bytes_past_key_len_ignored),
		cmocka_unit_test(test_merge_overlap),
		cmocka_unit_test(test_merge_edge_cases),
		cmocka_unit_test(test_destroy),
		cmocka_unit_test(test_independent_sets),
		cmocka_unit_test(test_next_and_shared_seed),
	};

	return cmocka_run_group_tests_name("keyset", tests, NULL, NULL);
}
