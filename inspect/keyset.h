/* SPDX-License-Identifier: MIT */
/*
 * keyset: an exact set of fixed-size keys (addresses, 4-tuples), owned by one
 * thread, used for the distinct counts (unique sources, TCP flows).
 *
 * Open addressing with linear probing; each slot holds the key's 64-bit hash
 * (0 marks an empty slot) followed by the key, so probes compare one word
 * before touching the key and growth never rehashes keys. The table doubles
 * at half load: growth allocates, but only log2(n) times over a run, never in
 * steady state. Growth is incremental, as Redis's dict rehashes: the old
 * table stays, read-only, while each new key moves KEYSET_MIGRATE_STEP of
 * its slots into the new one, so no insert pays for the whole table (a
 * million keys took a worker 40 ms at once, every frame of which it did not
 * read). Tables of a megabyte or more come from mmap(), and are faulted in
 * (and given back) a chunk per new key, in order, rather than a page at a
 * time as random inserts reach them, each a fault or two. The hash is seeded
 * from getrandom() so that crafted traffic
 * cannot aim at one chain; a caller may give several sets one seed
 * (keyset_init_seeded()), and then a key has the same hash in all of them:
 * the stored hashes can feed a sketch (inspect/hll.h) that outlives the set.
 *
 * Why not a library: the per-packet budget of `xdpi read` is ~150
 * instructions for parse plus all metrics (docs/benchmarks.md); GLib's
 * GHashTable or liburcu's cds_lfht cost more than that per lookup. The
 * shared, concurrent flow table is a different job (inspect/flows.c).
 *
 * Concurrency: none. One writer; others may read only after it stopped.
 * Errors: int functions return 0 (or 1 where stated) or a negative errno.
 */
#ifndef XDPI_INSPECT_KEYSET_H
#define XDPI_INSPECT_KEYSET_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "../util/hash.h"

struct keyset {
	uint8_t *slots;
	uint64_t mask;	/* capacity - 1, capacity a power of two */
	uint64_t count; /* keys in both tables */
	uint64_t seed;
	uint32_t key_len;
	uint32_t stride; /* 8-byte hash + key, rounded up to 8 */
	/* While growing: the previous table, whose slots below `moved` are
	 * copied into `slots` already; NULL otherwise. */
	uint8_t *old;
	uint64_t old_mask, moved;
	bool mapped, old_mapped; /* from mmap(), not the heap */
	/* A mapped table's bytes faulted in ahead of the inserts, and of a
	 * table being given back, the bytes still mapped (both: see
	 * keyset.c, keyset_pace()). */
	uint64_t populated;
	uint8_t *retiring;
	uint64_t retiring_len;
	uint64_t last_hash; /* of the key keyset_insert() last added */
};

/* @key_len bytes per key, at most 64, hashed with a seed of its own.
 * Returns 0 or -errno. */
int keyset_init(struct keyset *s, uint32_t key_len, uint64_t initial_capacity);
/* The same with the seed @seed (keyset_random_seed(), shared). */
int keyset_init_seeded(struct keyset *s, uint32_t key_len, uint64_t initial_capacity,
		       uint64_t seed);
/* A seed from getrandom() (a fixed one if that fails: the sets stay exact,
 * they only lose their resistance to crafted collisions). Never 0. */
uint64_t keyset_random_seed(void);
/* Frees the table; accepts a zeroed or already destroyed set. */
void keyset_destroy(struct keyset *s);
/* Adds every key of @src to @dst. Returns 0 or -ENOMEM. */
int keyset_merge(struct keyset *dst, const struct keyset *src);

static inline uint64_t keyset_count(const struct keyset *s)
{
	return s->count;
}

/*
 * Walks the stored keys: start with *@pos = 0; while a key remains, returns
 * 1 with its hash and a pointer to its bytes (valid until the set changes),
 * then 0.
 */
int keyset_next(const struct keyset *s, uint64_t *pos, uint64_t *hash, const uint8_t **key);

/* The hash of a set seeded @seed, without the set (the length is part of
 * it: keys of different sizes never share a hash by construction). Bit 0 is
 * always 1; the other 63 are well mixed. */
static inline __attribute__((always_inline)) uint64_t
keyset_hash_seed(uint64_t seed, const void *key, uint32_t len)
{
	return xdpi_hash64(seed, key, len) | 1; /* 0 marks an empty slot */
}

static inline __attribute__((always_inline)) uint64_t keyset_hash(const struct keyset *s,
								  const void *key, uint32_t len)
{
	return keyset_hash_seed(s->seed, key, len);
}

/* Out-of-line slow path of keyset_insert(): a key not in the table, whose
 * probe ended at empty slot @slot. While the set grows, looks in the old
 * table first (0 if there). Stores it, growing the table first if it is
 * half full; the key's hash is then in last_hash. */
int keyset_add_new(struct keyset *s, const void *key, uint64_t hash, uint64_t slot);

/*
 * Inserts @key (@len must equal the set's key_len; pass a constant so the
 * hash and compare inline). The set must have been initialised. Returns 1
 * if new, 0 if present, -ENOMEM if the table was full and could not grow
 * (the key is then not counted).
 */
static inline __attribute__((always_inline)) int keyset_insert(struct keyset *s, const void *key,
							       uint32_t len)
{
	uint64_t h = keyset_hash(s, key, len);
	uint64_t i = h & s->mask;

	for (;; i = (i + 1) & s->mask) {
		const uint8_t *slot = s->slots + i * s->stride;
		uint64_t sh;

		memcpy(&sh, slot, 8);
		if (sh == h && memcmp(slot + 8, key, len) == 0)
			return 0;
		if (sh == 0)
			return keyset_add_new(s, key, h, i);
	}
}

#endif /* XDPI_INSPECT_KEYSET_H */
