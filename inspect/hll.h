/* SPDX-License-Identifier: MIT */
/*
 * hll: a HyperLogLog sketch (Flajolet, Fusy, Gandouet, Meunier 2007) of the
 * number of distinct keys, for the distinct counts once their exact sets
 * (inspect/keyset.h) would grow too large. Fixed precision p = 14: 16384
 * one-byte registers (16 KiB), relative standard error 1.04 / sqrt(16384) =
 * 0.81% at every cardinality from a few hundred up.
 *
 * The sketch is fed 64-bit hashes, not keys, so that the hash a keyset has
 * already computed (and stored) for a key is the one the sketch takes: the
 * top 14 bits pick a register, the rank of the first 1 bit in the other 50
 * is the value it keeps if larger. Two sketches can be merged (register
 * max) only if they were fed with the same hash function, i.e. the same
 * keyset seed.
 *
 * Alongside the registers the sketch keeps how many registers hold each
 * value, so that hll_estimate() sums 52 counts instead of reading 16384
 * registers: it can be called once per batch (the live snapshot).
 *
 * Estimator: Ertl's improved raw estimator (2017), which corrects the
 * small range (empty registers, where it equals linear counting) and the
 * top range (saturated registers) inside one formula, without the bias the
 * original paper's switch to linear counting leaves just above 2.5 m (see
 * hll.c). With 64-bit hashes no large-range correction for hash collisions
 * is needed: they matter only near 2^64 keys.
 *
 * Concurrency: none. One writer; others may read after it stopped.
 * Errors: int functions return 0 or a negative errno.
 */
#ifndef XDPI_INSPECT_HLL_H
#define XDPI_INSPECT_HLL_H

#include <stdint.h>

#define HLL_P 14
#define HLL_M (1u << HLL_P)
/* Register values 0 (never hit) .. 64 - p + 1 (50 zero bits then a one, or
 * none: the last value cannot arise from a keyset hash, whose bit 0 is
 * always 1, which caps the rank at 50 and matters only beyond 2^60 keys). */
#define HLL_RANKS (64 - HLL_P + 2)
/* 1.04 / sqrt(HLL_M): the relative standard error of hll_estimate(). */
#define HLL_STD_ERROR 0.008125

struct hll {
	uint8_t *reg;	/* HLL_M registers */
	uint32_t *hist; /* hist[v]: registers holding v; same allocation */
};

/* An empty sketch (16.2 KiB, one allocation). 0 or -ENOMEM. */
int hll_init(struct hll *h);
/* Frees the registers; accepts a zeroed or already destroyed sketch. */
void hll_destroy(struct hll *h);
/* Empties an initialised sketch. */
void hll_clear(struct hll *h);
/* dst = union of dst and src (register-wise max): the result is exactly
 * the sketch of the union of both inputs. Both must be initialised. */
void hll_merge(struct hll *dst, const struct hll *src);
/* The estimated number of distinct hashes added. */
double hll_estimate(const struct hll *h);
/* hll_estimate() rounded to the nearest integer. */
uint64_t hll_count(const struct hll *h);

/* Out of line: the rare register increase (keeps hist in step). */
void hll_raise(struct hll *h, uint32_t idx, uint8_t rank);

/* Adds a 64-bit hash; no allocation, one byte read, rarely a write. Adding
 * a hash again changes nothing. */
static inline __attribute__((always_inline)) void hll_add_hash(struct hll *h, uint64_t hash)
{
	uint32_t idx = (uint32_t)(hash >> (64 - HLL_P));
	uint64_t rest = hash << HLL_P;
	uint8_t rank = rest ? (uint8_t)(__builtin_clzll(rest) + 1) : HLL_RANKS - 1;

	if (__builtin_expect(rank > h->reg[idx], 0))
		hll_raise(h, idx, rank);
}

#endif /* XDPI_INSPECT_HLL_H */
