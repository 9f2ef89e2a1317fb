// SPDX-License-Identifier: MIT
#include "keyset.h"

#include <stdlib.h>
#include <sys/mman.h>

#include "../util/defs.h"

#define KEYSET_MAX_KEY 64

uint64_t keyset_random_seed(void)
{
	uint64_t seed = xdpi_hash_seed();

	/* 0 is not a seed (metrics.h: "the process's one"). */
	return seed ? seed : 0x243f6a8885a308d3ull;
}

/* From here on a table comes from mmap(): page-aligned, zeroed lazily. */
#define KEYSET_MAP_BYTES (1u << 20)
/* Old slots each new key moves while the set grows: more than the 2 that
 * finish the move before the new table is half full. */
#define KEYSET_MIGRATE_STEP 8
/* Bytes of a mapped table faulted in, or given back, per new key: one
 * madvise() or munmap() of 64 pages, a few tens of microseconds, so that
 * a new 96 MiB table is all in after 384 new keys instead of a fault or
 * two in each of the first tens of thousands (a read maps the zero page,
 * the write then copies it), and an old one leaves without one long
 * munmap(). */
#define KEYSET_PACE_BYTES (256u << 10)

static uint8_t *keyset_table_alloc(size_t size, bool *mapped)
{
	uint8_t *p;

	*mapped = size >= KEYSET_MAP_BYTES;
	if (*mapped) {
		p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		return p == MAP_FAILED ? NULL : p;
	}
	/* Cache-line aligned: tables of different workers never share a line. */
	p = xdpi_cacheline_alloc(size);
	if (p)
		memset(p, 0, size);
	return p;
}

static void keyset_table_free(uint8_t *p, uint64_t mask, uint32_t stride, bool mapped)
{
	if (mapped)
		munmap(p, (size_t)(mask + 1) * stride);
	else
		free(p);
}

static int keyset_alloc(struct keyset *s, uint64_t capacity)
{
	s->slots = keyset_table_alloc((size_t)capacity * s->stride, &s->mapped);
	if (!s->slots)
		return -ENOMEM;
	s->mask = capacity - 1;
	s->populated = s->mapped ? 0 : (uint64_t)capacity * s->stride;
	return 0;
}

/* One chunk of the paced work, if any is left: fault in the next chunk of
 * the current table, or unmap the next chunk of a table given back. A
 * kernel without MADV_POPULATE_WRITE (before 5.14) refuses it: the pages
 * then come in as touched. */
static void keyset_pace(struct keyset *s)
{
	uint64_t size = (s->mask + 1) * s->stride;

	if (s->populated < size) {
		uint64_t n = size - s->populated < KEYSET_PACE_BYTES ? size - s->populated
								     : KEYSET_PACE_BYTES;

		if (madvise(s->slots + s->populated, n, MADV_POPULATE_WRITE))
			n = size - s->populated;
		s->populated += n;
	}
	if (s->retiring_len) {
		uint64_t n =
			s->retiring_len < KEYSET_PACE_BYTES ? s->retiring_len : KEYSET_PACE_BYTES;

		munmap(s->retiring + s->retiring_len - n, n);
		s->retiring_len -= n;
	}
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
	if (s->slots)
		keyset_table_free(s->slots, s->mask, s->stride, s->mapped);
	if (s->old)
		keyset_table_free(s->old, s->old_mask, s->stride, s->old_mapped);
	if (s->retiring_len)
		munmap(s->retiring, s->retiring_len);
	s->slots = NULL;
	s->old = NULL;
	s->retiring_len = 0;
	s->mask = 0;
	s->count = 0;
}

/* The first empty slot of @hash's probe in the current table. */
static uint64_t keyset_empty_slot(const struct keyset *s, uint64_t hash)
{
	for (uint64_t i = hash & s->mask;; i = (i + 1) & s->mask) {
		uint64_t sh;

		memcpy(&sh, s->slots + i * s->stride, 8);
		if (sh == 0)
			return i;
	}
}

/* Whether the old table holds @key (it is intact: slots are copied out,
 * never cleared). */
static bool keyset_in_old(const struct keyset *s, const void *key, uint64_t hash)
{
	for (uint64_t i = hash & s->old_mask;; i = (i + 1) & s->old_mask) {
		const uint8_t *slot = s->old + i * s->stride;
		uint64_t sh;

		memcpy(&sh, slot, 8);
		if (sh == 0)
			return false;
		if (sh == hash && memcmp(slot + 8, key, s->key_len) == 0)
			return true;
	}
}

/* Copies up to @n more old slots into the current table; frees the old
 * one when all are. Its keys are in no other slot of the new table: a key
 * found in the old one is never added again. */
static void keyset_migrate(struct keyset *s, uint64_t n)
{
	for (; n && s->moved <= s->old_mask; n--, s->moved++) {
		const uint8_t *slot = s->old + s->moved * s->stride;
		uint64_t h;

		memcpy(&h, slot, 8);
		if (h)
			memcpy(s->slots + keyset_empty_slot(s, h) * s->stride, slot, s->stride);
	}
	if (s->moved > s->old_mask) {
		/* A mapped table leaves a chunk per new key (keyset_pace()). */
		if (s->old_mapped && !s->retiring_len) {
			s->retiring = s->old;
			s->retiring_len = (s->old_mask + 1) * s->stride;
		} else {
			keyset_table_free(s->old, s->old_mask, s->stride, s->old_mapped);
		}
		s->old = NULL;
	}
}

/* A table twice the size; the current one becomes the old one. */
static int keyset_grow(struct keyset *s)
{
	uint8_t *cur = s->slots;
	uint64_t cur_mask = s->mask;
	bool cur_mapped = s->mapped;
	int err;

	if (s->old) /* still moving (only if a step did not suffice) */
		keyset_migrate(s, s->old_mask + 1);
	err = keyset_alloc(s, (cur_mask + 1) * 2);
	if (err) {
		s->slots = cur;
		s->mask = cur_mask;
		s->mapped = cur_mapped;
		return err;
	}
	s->old = cur;
	s->old_mask = cur_mask;
	s->old_mapped = cur_mapped;
	s->moved = 0;
	return 0;
}

int keyset_add_new(struct keyset *s, const void *key, uint64_t hash, uint64_t slot)
{
	uint8_t *p;

	if (s->old) {
		if (keyset_in_old(s, key, hash))
			return 0;
		keyset_migrate(s, KEYSET_MIGRATE_STEP);
		slot = keyset_empty_slot(s, hash); /* the step may have filled it */
	}
	if (s->mapped || s->retiring_len)
		keyset_pace(s);
	if ((s->count + 1) * 2 > s->mask + 1) {
		int err = keyset_grow(s);

		if (err)
			return err;
		slot = keyset_empty_slot(s, hash);
	}
	p = s->slots + slot * s->stride;
	memcpy(p, &hash, 8);
	memcpy(p + 8, key, s->key_len);
	s->count++;
	s->last_hash = hash;
	return 1;
}

int keyset_merge(struct keyset *dst, const struct keyset *src)
{
	const uint8_t *key;
	uint64_t pos = 0, h;

	if (dst->key_len != src->key_len)
		return -EINVAL;
	while (keyset_next(src, &pos, &h, &key)) {
		/* Seeds differ between sets: rehash with the destination's. */
		int ret = keyset_insert(dst, key, src->key_len);

		if (ret < 0)
			return ret;
	}
	return 0;
}

/* Positions: the current table's slots, then the old one's not yet
 * copied. */
int keyset_next(const struct keyset *s, uint64_t *pos, uint64_t *hash, const uint8_t **key)
{
	uint64_t cap = s->slots ? s->mask + 1 : 0;

	for (; *pos < cap + (s->old ? s->old_mask + 1 : 0); ++*pos) {
		const uint8_t *slot;
		uint64_t h;

		if (*pos < cap) {
			slot = s->slots + *pos * s->stride;
		} else {
			if (*pos - cap < s->moved)
				*pos = cap + s->moved;
			if (*pos - cap > s->old_mask)
				break;
			slot = s->old + (*pos - cap) * s->stride;
		}
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
