/* SPDX-License-Identifier: MIT */
/*
 * The one keyed hash of fixed-size keys (addresses, tuples, flow keys): a
 * word-at-a-time multiply-xorshift mix, seeded per table from getrandom() so
 * that crafted traffic cannot aim at one chain. Inline: with a constant
 * length the loops unroll into a handful of multiplies.
 */
#ifndef XDPI_UTIL_HASH_H
#define XDPI_UTIL_HASH_H

#include <stdint.h>
#include <string.h>
#include <sys/random.h>

static inline __attribute__((always_inline)) uint64_t xdpi_hash64(uint64_t seed, const void *key,
								  uint32_t len)
{
	const uint8_t *p = key;
	uint64_t h = seed ^ (len * 0x9e3779b97f4a7c15ull);
	uint64_t w;
	uint32_t t;

#pragma GCC unroll 8
	for (; len >= 8; len -= 8, p += 8) {
		memcpy(&w, p, 8);
		h = (h ^ w) * 0xbf58476d1ce4e5b9ull;
		h ^= h >> 31;
	}
	if (len >= 4) {
		memcpy(&t, p, 4);
		h = (h ^ t) * 0x94d049bb133111ebull;
		h ^= h >> 29;
		len -= 4;
		p += 4;
	}
	for (; len; len--, p++)
		h = (h ^ *p) * 0x94d049bb133111ebull;
	h ^= h >> 32;
	h *= 0xd6e8feb86659fd93ull;
	h ^= h >> 32;
	return h;
}

/* A seed for one table. Falls back to a fixed one rather than fail: the
 * table stays correct, it only loses its resistance to crafted keys. */
static inline uint64_t xdpi_hash_seed(void)
{
	uint64_t seed = 0;

	if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) != sizeof(seed) || !seed)
		seed = 0x243f6a8885a308d3ull;
	return seed;
}

#endif /* XDPI_UTIL_HASH_H */
