/* SPDX-License-Identifier: MIT */
/*
 * Metrics engine: one struct metrics per worker (or per offline reader),
 * updated per packet by metrics_account() and merged into a total by
 * metrics_merge(). Definitions are in docs/metrics.md.
 *
 * Distinct counts (unique sources, TCP flows) are exact up to a bound
 * (struct metrics_opts, default METRICS_DISTINCT_LIMIT_DEFAULT distinct keys
 * per metric) and estimated above it. Each metric keeps its exact sets (IPv4
 * and IPv6 keys, inspect/keyset.h) and a HyperLogLog sketch (inspect/hll.h,
 * 16 KiB, allocated at init). The sketch is filled only when the metric
 * crosses its bound, from the hashes the sets stored: below the bound a
 * packet costs what it cost before (one predictable test more). Crossing it,
 * the sets are freed; from then on a packet costs a hash and a register
 * update, and memory stays flat whatever the traffic. Every set and sketch
 * of a process hashes with one seed, so that sketches of different workers
 * merge and a stored hash is the sketch's hash.
 *
 * Concurrency contract:
 * - metrics_account() is called by the one owning thread only. It takes no
 *   lock, makes no syscall and allocates only when a distinct-count set
 *   doubles (log2(n) times per run); the switch to an estimate frees.
 * - Another thread may read packets and bytes at any time with
 *   metrics_read_packets()/metrics_read_bytes() (relaxed atomics: the live
 *   table wants a recent value, not a consistent snapshot).
 * - Everything else is read, and metrics_merge() called, only after the
 *   owner has stopped.
 *
 * Errors: int functions return 0 or a negative errno.
 */
#ifndef XDPI_INSPECT_METRICS_H
#define XDPI_INSPECT_METRICS_H

#include <stdbool.h>
#include <stdint.h>

#include "../util/defs.h"
#include "hll.h"
#include "keyset.h"
#include "parse.h"

enum metrics_size_bucket {
	METRICS_SIZE_64 = 0, /* up to 64 bytes, runts included */
	METRICS_SIZE_127,
	METRICS_SIZE_255,
	METRICS_SIZE_511,
	METRICS_SIZE_1023,
	METRICS_SIZE_1518,
	METRICS_SIZE_LARGER,
	METRICS_SIZE__MAX,
};

/* Frames by the VLAN tags they had on the wire, in the frame or stripped
 * by the NIC (pkt_info.vlan_count: a third tag counts as QinQ). */
enum metrics_vlan {
	METRICS_VLAN_UNTAGGED = 0,
	METRICS_VLAN_SINGLE,
	METRICS_VLAN_QINQ,
	METRICS_VLAN__MAX,
};

enum metrics_tcp_flag {
	METRICS_TCP_SYN = 0,
	METRICS_TCP_SYNACK,
	METRICS_TCP_FIN,
	METRICS_TCP_RST,
	METRICS_TCP__MAX,
};

struct metrics_counters {
	uint64_t packets;
	uint64_t bytes; /* wire (original) length */
	uint64_t l3[PKT_L3__MAX];
	uint64_t l4[PKT_L4__MAX]; /* [PKT_L4_NONE] counts non-IP frames */
	uint64_t tcp_flags[METRICS_TCP__MAX];
	uint64_t tcp_payload_bytes;
	uint64_t size_hist[METRICS_SIZE__MAX];
	uint64_t vlan[METRICS_VLAN__MAX];
	uint64_t malformed[PKT_MAL__MAX]; /* [PKT_OK] counts well-formed frames */
	/* Inserts a distinct-count set could not take (out of memory), one
	 * per packet: the distinct counts are then lower bounds, and the
	 * reports say so. */
	uint64_t distinct_untracked;
};

/* Exact up to this many distinct keys per metric (about 80 MB of sets for
 * IPv4 flows at the bound), estimated above. */
#define METRICS_DISTINCT_LIMIT_DEFAULT 1000000ull

struct metrics_opts {
	/* A metric (IPv4 and IPv6 keys together) stays exact while it has at
	 * most this many distinct keys; 0: METRICS_DISTINCT_LIMIT_DEFAULT. */
	uint64_t distinct_limit;
	/* The hash seed of every set and sketch; 0: the process's one (from
	 * getrandom()). Only metrics with the same seed merge once one of
	 * them is an estimate. */
	uint64_t seed;
};

/* One distinct count: exact sets while estimated is false, else the
 * sketch alone (the sets are then freed and empty). */
struct metrics_distinct {
	struct keyset v4, v6;
	struct hll hll;
	bool estimated;
};

struct metrics {
	struct metrics_counters c;
	struct metrics_distinct src;  /* 4- and 16-byte source addresses */
	struct metrics_distinct flow; /* src, dst, sport, dport */
	uint64_t distinct_limit;
	uint64_t seed;
} __attribute__((aligned(XDPI_CACHELINE)));

#define METRICS_FLOW4_KEY 12
#define METRICS_FLOW6_KEY 36

/* metrics_init_opts() with the defaults. */
int metrics_init(struct metrics *m);
/* @o may be NULL (defaults). Returns 0 or -ENOMEM; on error nothing is
 * left allocated. */
int metrics_init_opts(struct metrics *m, const struct metrics_opts *o);
/* Accepts a zeroed or destroyed struct. */
void metrics_destroy(struct metrics *m);
/*
 * dst += src (counters summed, distinct counts united). A distinct count of
 * dst stays exact while the union has at most dst's bound of keys; past it,
 * or if either side is an estimate, it becomes the sketch of the union
 * (exactly the sketch one metrics would have had for all the keys). 0,
 * -ENOMEM, or -EINVAL for sketches of different seeds; on error
 * distinct_untracked counts one more.
 */
int metrics_merge(struct metrics *dst, const struct metrics *src);

/* Exact counts, or estimates (relative standard error HLL_STD_ERROR) once
 * metrics_*_estimated() says so. Cheap enough for once per batch. */
uint64_t metrics_unique_src_ips(const struct metrics *m);
uint64_t metrics_tcp_directions(const struct metrics *m);
bool metrics_unique_src_ips_estimated(const struct metrics *m);
bool metrics_tcp_directions_estimated(const struct metrics *m);
static inline uint64_t metrics_distinct_limit(const struct metrics *m)
{
	return m->distinct_limit;
}
uint64_t metrics_malformed_total(const struct metrics *m);
const char *metrics_size_bucket_name(enum metrics_size_bucket b);
/* "untagged", "single", "qinq". */
const char *metrics_vlan_name(enum metrics_vlan v);
const char *metrics_tcp_flag_name(enum metrics_tcp_flag f);

static inline enum metrics_size_bucket metrics_size_bucket(uint32_t wire_len)
{
	if (wire_len <= 64)
		return METRICS_SIZE_64;
	if (wire_len > 1518)
		return METRICS_SIZE_LARGER;
	/* 65..127 -> 1, 128..255 -> 2, ... 1024..1518 -> 5 */
	return (enum metrics_size_bucket)(31 - __builtin_clz(wire_len) - 5);
}

/* Single writer: a relaxed store lets the reporter read without tearing. */
static inline void metrics_counter_add(uint64_t *c, uint64_t n)
{
	__atomic_store_n(c, *c + n, __ATOMIC_RELAXED);
}

static inline uint64_t metrics_read_packets(const struct metrics *m)
{
	return __atomic_load_n(&m->c.packets, __ATOMIC_RELAXED);
}

static inline uint64_t metrics_read_bytes(const struct metrics *m)
{
	return __atomic_load_n(&m->c.bytes, __ATOMIC_RELAXED);
}

/* Out of line, once per metric: frees the sets, marks the metric
 * estimated. The sketch has every key already (metrics_distinct_noted()):
 * the switch walks nothing, so a worker does not stop for a million keys
 * at the bound. */
void metrics_distinct_switch(struct metrics_distinct *d);

/* After a keyset insert into @set of @d: counts a lost key; a new one goes
 * into the sketch too (the sets' hashes are the sketch's, one seed), and
 * past the bound the metric switches. Returns @ret. */
static inline int metrics_distinct_noted(struct metrics *m, struct metrics_distinct *d,
					 const struct keyset *set, int ret)
{
	if (__builtin_expect(ret < 0, 0)) {
		m->c.distinct_untracked++;
	} else if (ret > 0) {
		hll_add_hash(&d->hll, set->last_hash);
		if (__builtin_expect(d->v4.count + d->v6.count > m->distinct_limit, 0))
			metrics_distinct_switch(d);
	}
	return ret;
}

/* Adds a key of @len bytes (a constant) to @d: 1 if new (or estimated:
 * unknown), 0 if seen before, -ENOMEM if lost. */
static inline __attribute__((always_inline)) int metrics_distinct_add(struct metrics *m,
								      struct metrics_distinct *d,
								      const void *key, uint32_t len,
								      bool v6)
{
	if (__builtin_expect(d->estimated, 0)) {
		hll_add_hash(&d->hll, keyset_hash_seed(m->seed, key, len));
		return 1;
	}
	struct keyset *set = v6 ? &d->v6 : &d->v4;

	return metrics_distinct_noted(m, d, set, keyset_insert(set, key, len));
}

/* Accounts one parsed frame of @wire_len bytes on the wire. */
/*
 * The same, told by the flow table that this direction of the frame's flow
 * (@dir_seen) had packets before: its 4-tuple and its source were counted
 * then, by this pipeline or another of the run, so the distinct sets (whose
 * union is the run's count) need no lookup. Without a flow table: false.
 */
static inline __attribute__((always_inline)) void
metrics_account_seen(struct metrics *m, const struct pkt_info *pi, uint32_t wire_len, bool dir_seen)
{
	struct metrics_counters *c = &m->c;

	metrics_counter_add(&c->packets, 1);
	metrics_counter_add(&c->bytes, wire_len);
	c->l3[pi->l3]++;
	c->l4[pi->l4]++;
	c->size_hist[metrics_size_bucket(wire_len)]++;
	c->vlan[pi->vlan_count < METRICS_VLAN__MAX ? pi->vlan_count : METRICS_VLAN_QINQ]++;
	c->malformed[pi->malformed]++;

	if (!pi->src_addr)
		return;
	if (pi->l4 == PKT_L4_TCP && pi->l4_complete) {
		uint8_t f = pi->tcp_flags;
		uint8_t key[METRICS_FLOW6_KEY];
		int ret;

		/* Most segments carry none of SYN, FIN, RST: one test. */
		if (f & (PKT_TCP_SYN | PKT_TCP_FIN | PKT_TCP_RST)) {
			c->tcp_flags[METRICS_TCP_SYN] +=
				(f & (PKT_TCP_SYN | PKT_TCP_ACK)) == PKT_TCP_SYN;
			c->tcp_flags[METRICS_TCP_SYNACK] +=
				(f & (PKT_TCP_SYN | PKT_TCP_ACK)) == (PKT_TCP_SYN | PKT_TCP_ACK);
			c->tcp_flags[METRICS_TCP_FIN] += f & PKT_TCP_FIN;
			c->tcp_flags[METRICS_TCP_RST] += (f & PKT_TCP_RST) >> 2;
		}
		c->tcp_payload_bytes += pi->payload_len;

		if (dir_seen)
			return;
		if (pi->l3 == PKT_L3_IPV4) {
			memcpy(key, pi->src_addr, 8); /* src and dst are adjacent */
			memcpy(key + 8, &pi->sport, 2);
			memcpy(key + 10, &pi->dport, 2);
			ret = metrics_distinct_add(m, &m->flow, key, METRICS_FLOW4_KEY, false);
		} else {
			memcpy(key, pi->src_addr, 32);
			memcpy(key + 32, &pi->sport, 2);
			memcpy(key + 34, &pi->dport, 2);
			ret = metrics_distinct_add(m, &m->flow, key, METRICS_FLOW6_KEY, true);
		}
		/* A flow seen before had its source counted then: most TCP
		 * packets skip the second lookup (not once flows are an
		 * estimate, which cannot tell). */
		if (ret == 0)
			return;
	}
	if (dir_seen)
		return;
	if (pi->l3 == PKT_L3_IPV4)
		metrics_distinct_add(m, &m->src, pi->src_addr, 4, false);
	else
		metrics_distinct_add(m, &m->src, pi->src_addr, 16, true);
}

/* Accounts one parsed frame of @wire_len bytes on the wire. */
static inline void metrics_account(struct metrics *m, const struct pkt_info *pi, uint32_t wire_len)
{
	metrics_account_seen(m, pi, wire_len, false);
}

#endif /* XDPI_INSPECT_METRICS_H */
