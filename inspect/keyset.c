// SPDX-License-Identifier: MIT
#include "keyset.h"

#include <stdlib.h>

#include "../util/defs.h"

#define KEYSET_MAX_KEY 64

uint64_t keyset_random_seed(void)
{
	uint64_t seed = xdpi_hash_seed();

	/* 0 is not a seed (metrics.h: "the process's one"). */
	return seed ? seed : 0x243f6a8885a308d3ull;
}

static int keyset_alloc(struct keyset *s, uint64_t capacity)
{
	size_t size = (size_t)capacity * s->stride;

	/* Cache-line aligned: tables of different workers never share a line. */
	s->slots = xdpi_cacheline_alloc(size);
	if (!s->slots)
		return -ENOMEM;
	memset(s->slots, 0, size);
	s->mask = capacity - 1;
	return 0;
}

int keyset_init(struct keyset *s, uint32_t key_len, uint64_t initial_capacity)
{
	return keyset_init_seeded(s, key_len, initial_capacity, keyset_random_seed());
}

int keyset_init_seeded(struct keyset *s, uint32_t key_len, uint64_t initial_capacity, uint64_t seed)
{
	uint64_t cap = 16;

	memset(s, 0, sizeof(*s));
	if (key_len == 0 || key_len > KEYSET_MAX_KEY)
		return -EINVAL;
	while (cap < initial_capacity && cap < (1ull << 40))
		cap <<= 1;
	s->key_len = key_len;
	s->stride = 8 + ((key_len + 7) & ~7u);
	s->seed = seed;
	return keyset_alloc(s, cap);
}

void keyset_destroy(struct keyset *s)
{
	if (!s)
		return;
	free(s->slots);
	s->slots = NULL;
	s->mask = 0;
	s->count = 0;
}

static int keyset_grow(struct keyset *s)
{
	uint8_t *old = s->slots;
	uint64_t old_cap = s->mask + 1, i;
	int err;

	err = keyset_alloc(s, old_cap * 2);
	if (err) {
		s->slots = old;
		return err;
	}
	for (i = 0; i < old_cap; i++) {
		const uint8_t *slot = old + i * s->stride;
		uint64_t h, j;

		memcpy(&h, slot, 8);
		if (h == 0)
			continue;
		for (j = h & s->mask;; j = (j + 1) & s->mask) {
			uint64_t sh;

			memcpy(&sh, s->slots + j * s->stride, 8);
			if (sh == 0)
				break;
		}
		memcpy(s->slots + j * s->stride, slot, s->stride);
	}
	free(old);
	return 0;
}

int keyset_add_new(struct keyset *s, const void *key, uint64_t hash, uint64_t slot)
{
	uint8_t *p;

	if ((s->count + 1) * 2 > s->mask + 1) {
		int err = keyset_grow(s);

		if (err)
			return err;
		/* Slot positions moved: find the new empty one. */
		for (slot = hash & s->mask;; slot = (slot + 1) & s->mask) {
			uint64_t sh;

			memcpy(&sh, s->slots + slot * s->stride, 8);
			if (sh == 0)
				break;
		}
	}
	p = s->slots + slot * s->stride;
	memcpy(p, &hash, 8);
	memcpy(p + 8, key, s->key_len);
	s->count++;
	return 1;
}

int keyset_merge(struct keyset *dst, const struct keyset *src)
{
	uint64_t i;

	if (dst->key_len != src->key_len)
		return -EINVAL;
	for (i = 0; src->slots && i <= src->mask; i++) {
		const uint8_t *slot = src->slots + i * src->stride;
		uint64_t h;
		int ret;

		memcpy(&h, slot, 8);
		if (h == 0)
			continue;
		/* Seeds differ between sets: rehash with the destination's. */
		ret = keyset_insert(dst, slot + 8, src->key_len);
		if (ret < 0)
			return ret;
	}
	return 0;
}

int keyset_next(const struct keyset *s, uint64_t *pos, uint64_t *hash, const uint8_t **key)
{
	for (; s->slots && *pos <= s->mask; ++*pos) {
		const uint8_t *slot = s->slots + *pos * s->stride;
		uint64_t h;

		memcpy(&h, slot, 8);
		if (h == 0)
			continue;
		*hash = h;
		*key = slot + 8;
		++*pos;
		return 1;
	}
	return 0;
}
