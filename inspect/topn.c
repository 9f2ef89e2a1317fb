// SPDX-License-Identifier: MIT
#include "topn.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "keyset.h"

struct topn_slot {
	struct topn_entry e;
	uint64_t hash;
	uint32_t heap_pos;
};

/* A heap node carries its counter's count: a sift compares neighbours in
 * the heap array instead of following each to its slot. */
struct topn_node {
	uint64_t count; /* == slots[slot].e.count */
	uint32_t slot;
};

struct topn {
	struct topn_slot *slots; /* [cap]; the first used are in use */
	struct topn_node *heap;	 /* [cap + 1] min-heap by count, then a sentinel */
	uint32_t *index;	 /* [mask + 1] slot number + 1; 0 is empty */
	uint32_t *order;	 /* [cap] topn_top()'s sort, allocated once */
	uint32_t cap, used, mask;
	uint64_t seed;
	uint64_t total;
};

struct topn *topn_create(uint32_t capacity)
{
	struct topn *t;
	uint32_t size = 4;

	if (capacity == 0 || capacity > TOPN_CAPACITY_MAX) {
		errno = EINVAL;
		return NULL;
	}
	/* At most half full: short probes, and a probe always ends. */
	while (size < 2 * capacity)
		size <<= 1;
	t = calloc(1, sizeof(*t));
	if (!t)
		goto err;
	t->slots = calloc(capacity, sizeof(*t->slots));
	t->heap = calloc(capacity + 1, sizeof(*t->heap));
	t->index = calloc(size, sizeof(*t->index));
	t->order = calloc(capacity, sizeof(*t->order));
	if (!t->slots || !t->heap || !t->index || !t->order)
		goto err_free;
	t->heap[0].count = UINT64_MAX;
	t->cap = capacity;
	t->mask = size - 1;
	/* Seeded: a peer cannot aim its keys at one probe chain. */
	t->seed = keyset_random_seed();
	return t;

err_free:
	topn_destroy(t);
err:
	errno = ENOMEM;
	return NULL;
}

void topn_destroy(struct topn *t)
{
	if (!t)
		return;
	free(t->slots);
	free(t->heap);
	free(t->index);
	free(t->order);
	free(t);
}

void topn_reset(struct topn *t)
{
	memset(t->index, 0, (t->mask + 1) * sizeof(*t->index));
	t->used = 0;
	t->heap[0].count = UINT64_MAX;
	t->total = 0;
}

uint32_t topn_capacity(const struct topn *t)
{
	return t->cap;
}

uint32_t topn_size(const struct topn *t)
{
	return t->used;
}

uint64_t topn_total(const struct topn *t)
{
	return t->total;
}

static inline void heap_set(struct topn *t, uint32_t pos, struct topn_node n)
{
	t->heap[pos] = n;
	t->slots[n.slot].heap_pos = pos;
}

static void heap_up(struct topn *t, uint32_t pos)
{
	struct topn_node n = t->heap[pos];

	while (pos > 0) {
		uint32_t parent = (pos - 1) / 2;

		if (t->heap[parent].count <= n.count)
			break;
		heap_set(t, pos, t->heap[parent]);
		pos = parent;
	}
	heap_set(t, pos, n);
}

/* The counter at @pos grew: it sinks below smaller children. The node
 * past the last (heap[used]) is a sentinel of the largest count, so that
 * a last child without a sibling needs no test of its own. */
static void heap_down(struct topn *t, uint32_t pos)
{
	struct topn_node n = t->heap[pos];
	uint32_t used = t->used;

	for (;;) {
		uint32_t child = 2 * pos + 1;
		uint64_t c0, c1;

		if (child >= used)
			break;
		c0 = t->heap[child].count;
		c1 = t->heap[child + 1].count;
		if (c1 < c0) {
			child++;
			c0 = c1;
		}
		if (c0 >= n.count)
			break;
		heap_set(t, pos, t->heap[child]);
		pos = child;
	}
	heap_set(t, pos, n);
}

/* Keys are zero past their length: two words compare any of them. */
static inline bool key_eq(const uint8_t *a, const uint8_t *b)
{
	uint64_t x[2], y[2];

	memcpy(x, a, sizeof(x));
	memcpy(y, b, sizeof(y));
	return ((x[0] ^ y[0]) | (x[1] ^ y[1])) == 0;
}

/* The index position holding @key, or the empty one where it would go. */
static uint32_t index_find(const struct topn *t, const uint8_t *key, uint32_t len, uint64_t hash)
{
	uint32_t i = (uint32_t)hash & t->mask;

	for (;; i = (i + 1) & t->mask) {
		const struct topn_slot *s;

		if (!t->index[i])
			return i;
		s = &t->slots[t->index[i] - 1];
		if (s->hash == hash && s->e.len == len && key_eq(s->e.key, key))
			return i;
	}
}

/* The index position of slot @slot, which is in the index. */
static uint32_t index_of_slot(const struct topn *t, uint32_t slot)
{
	uint32_t i = (uint32_t)t->slots[slot].hash & t->mask;

	while (t->index[i] != slot + 1)
		i = (i + 1) & t->mask;
	return i;
}

/* The first empty index position on the probe path of @hash. */
static uint32_t index_empty(const struct topn *t, uint64_t hash)
{
	uint32_t i = (uint32_t)hash & t->mask;

	while (t->index[i])
		i = (i + 1) & t->mask;
	return i;
}

/* Empties index position @i and moves up the entries after it that probed
 * past it, so that every chain stays unbroken without tombstones. */
static void index_delete(struct topn *t, uint32_t i)
{
	uint32_t j = i;

	for (;;) {
		uint32_t home;

		j = (j + 1) & t->mask;
		if (!t->index[j])
			break;
		home = (uint32_t)t->slots[t->index[j] - 1].hash & t->mask;
		/* The entry at j may fill i if i lies on its probe path, i.e.
		 * between its home and j (cyclically). */
		if (((j - home) & t->mask) >= ((j - i) & t->mask)) {
			t->index[i] = t->index[j];
			i = j;
		}
	}
	t->index[i] = 0;
}

int topn_add(struct topn *t, const void *key, uint32_t len, uint64_t weight)
{
	uint8_t k[TOPN_KEY_MAX] = {0};
	struct topn_slot *s;
	uint64_t hash;
	uint32_t i, slot;

	if (len == 0 || len > TOPN_KEY_MAX)
		return -EINVAL;
	if (weight == 0)
		return 0;
	/* Addresses, the common key, hash with a constant length (inlined). */
	if (len == TOPN_KEY_MAX) {
		memcpy(k, key, TOPN_KEY_MAX);
		hash = keyset_hash_seed(t->seed, k, TOPN_KEY_MAX);
	} else {
		memcpy(k, key, len);
		hash = keyset_hash_seed(t->seed, k, len);
	}
	t->total += weight;
	i = index_find(t, k, len, hash);
	if (t->index[i]) {
		slot = t->index[i] - 1;
		s = &t->slots[slot];
		s->e.count += weight;
		t->heap[s->heap_pos].count = s->e.count;
		heap_down(t, s->heap_pos);
		return 0;
	}
	if (t->used < t->cap) {
		slot = t->used++;
		s = &t->slots[slot];
		memcpy(s->e.key, k, sizeof(k));
		s->e.len = len;
		s->e.count = weight;
		s->e.error = 0;
		s->hash = hash;
		t->index[i] = slot + 1;
		t->heap[t->used].count = UINT64_MAX; /* the sentinel moves on */
		heap_set(t, t->used - 1, (struct topn_node){.count = weight, .slot = slot});
		heap_up(t, t->used - 1);
		return 0;
	}
	/* Full: the new key takes over the smallest counter, and its count
	 * so far becomes the new key's error. */
	slot = t->heap[0].slot;
	s = &t->slots[slot];
	index_delete(t, index_of_slot(t, slot));
	s->e.error = s->e.count;
	s->e.count += weight;
	memcpy(s->e.key, k, sizeof(k));
	s->e.len = len;
	s->hash = hash;
	/* The deletion may have moved the empty position the key probed to;
	 * the key is in no position, so the first empty one on its path. */
	t->index[index_empty(t, hash)] = slot + 1;
	t->heap[0].count = s->e.count;
	heap_down(t, 0);
	return 0;
}

static int entry_cmp(const void *a, const void *b, void *arg)
{
	const struct topn *t = arg;
	const struct topn_entry *x = &t->slots[*(const uint32_t *)a].e;
	const struct topn_entry *y = &t->slots[*(const uint32_t *)b].e;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return memcmp(x->key, y->key, x->len);
}

uint32_t topn_top(struct topn *t, struct topn_entry *out, uint32_t n)
{
	uint32_t i;

	if (n > t->used)
		n = t->used;
	/* K is small and this runs once per report: sort the slot numbers
	 * (the heap stays a heap). */
	for (i = 0; i < t->used; i++)
		t->order[i] = i;
	qsort_r(t->order, t->used, sizeof(*t->order), entry_cmp, t);
	for (i = 0; i < n; i++)
		out[i] = t->slots[t->order[i]].e;
	return n;
}

uint32_t topn_ranked(const uint64_t *count, const uint64_t *error, uint32_t n, uint64_t next)
{
	uint64_t floor = UINT64_MAX; /* the least guaranteed count of the first k */
	uint32_t ranked = 0;

	for (uint32_t k = 1; k <= n; k++) {
		uint64_t g = count[k - 1] - error[k - 1];

		if (g < floor)
			floor = g;
		if (floor >= (k < n ? count[k] : next))
			ranked = k;
	}
	return ranked;
}
