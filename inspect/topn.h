/* SPDX-License-Identifier: MIT */
/*
 * topn: the heaviest keys of a stream in fixed memory, by the space-saving
 * algorithm (Metwally, Agrawal, El Abbadi, "Efficient computation of
 * frequent and top-k elements in data streams", 2005), with weighted
 * updates: a source address by packets, by bytes; a port.
 *
 * K counters (the capacity, fixed at creation) monitor K keys. A key already
 * monitored adds its weight to its counter. A new key takes a free counter,
 * or else replaces the key of the smallest counter and inherits that count
 * as its error: its count is then an upper bound of its true weight, and
 * count - error a lower bound (the guaranteed part). Every error is at most
 * total / K, so any key heavier than total / K is monitored; while at most K
 * distinct keys were added, every count is exact (error 0).
 *
 * Layout: the counters in one array; an open-addressing index (linear
 * probing, at most half full, deletion by backward shift so there are no
 * tombstones) finds a key's counter in O(1) expected; a binary min-heap of
 * the counters finds the smallest. A heap rather than the paper's
 * stream-summary buckets because the weights are arbitrary (bytes): a
 * bucket list moves a counter one bucket per unit of weight, a heap moves it
 * O(log K) places whatever the weight (7 for K = 128).
 *
 * Meant to be fed once per second by a flow-table walk with per-flow deltas:
 * one instance per ranking (packets, bytes).
 *
 * Concurrency: none; a topn belongs to one thread at a time.
 * Errors: int functions return 0 or a negative errno; pointer functions
 * return NULL and set errno.
 */
#ifndef XDPI_INSPECT_TOPN_H
#define XDPI_INSPECT_TOPN_H

#include <stdint.h>

/* An IPv6 address; shorter keys (IPv4, a port) use the first bytes. */
#define TOPN_KEY_MAX 16
#define TOPN_CAPACITY_MAX (1u << 20)

struct topn;

struct topn_entry {
	uint8_t key[TOPN_KEY_MAX]; /* zero past len */
	uint32_t len;
	uint64_t count; /* >= the key's true weight */
	uint64_t error; /* count - error <= the key's true weight */
};

/* Monitors @capacity keys (1 .. TOPN_CAPACITY_MAX; 128 is plenty for a
 * top 10). NULL with errno EINVAL or ENOMEM. */
struct topn *topn_create(uint32_t capacity);
/* Accepts NULL. */
void topn_destroy(struct topn *t);
/* Forgets every key (a new interval); keeps the memory. */
void topn_reset(struct topn *t);

/* Adds @weight to @key of @len bytes (1 .. TOPN_KEY_MAX; keys of different
 * lengths are different keys). O(1) expected plus O(log K). Weight 0 does
 * nothing. 0 or -EINVAL. */
int topn_add(struct topn *t, const void *key, uint32_t len, uint64_t weight);

/* The @n heaviest monitored keys into @out, by count descending (ties by
 * key), at most the number monitored. Returns how many were written. No
 * allocation (it sorts in a buffer of @t's, hence not const). */
uint32_t topn_top(struct topn *t, struct topn_entry *out, uint32_t n);

/* How many of @n entries, by count descending, lead as a set that is
 * certainly the heaviest: the largest k for which every one of the first
 * k has a guaranteed count (count - error) at least the count of the
 * (k+1)th, or @next for the last (the largest count of any key not among
 * the @n: 0 when there is none). The rest cannot be told from keys that
 * may weigh as much; a report shows them as approximate or not at all. */
uint32_t topn_ranked(const uint64_t *count, const uint64_t *error, uint32_t n, uint64_t next);

uint32_t topn_capacity(const struct topn *t);
/* Keys monitored now (<= capacity). */
uint32_t topn_size(const struct topn *t);
/* The sum of every weight added since creation or reset. */
uint64_t topn_total(const struct topn *t);

#endif /* XDPI_INSPECT_TOPN_H */
