/* SPDX-License-Identifier: MIT */
/*
 * Metrics engine: one struct metrics per worker (or per offline reader),
 * updated per packet by metrics_account() and merged into a total by
 * metrics_merge(). Definitions are in docs/metrics.md.
 *
 * Concurrency contract:
 * - metrics_account() is called by the one owning thread only. It takes no
 *   lock, makes no syscall and allocates only when a distinct-count set
 *   doubles (log2(n) times per run).
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

#include <stdint.h>

#include "../util/defs.h"
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
	uint64_t malformed[PKT_MAL__MAX]; /* [PKT_OK] counts well-formed frames */
	/* Inserts a distinct-count set could not take (out of memory), one
	 * per packet: the distinct counts are then lower bounds, and the
	 * reports say so. */
	uint64_t distinct_untracked;
};

struct metrics {
	struct metrics_counters c;
	struct keyset src4, src6;   /* 4- and 16-byte source addresses */
	struct keyset flow4, flow6; /* src, dst, sport, dport */
} __attribute__((aligned(XDPI_CACHELINE)));

#define METRICS_FLOW4_KEY 12
#define METRICS_FLOW6_KEY 36

/* Returns 0 or -ENOMEM; on error nothing is left allocated. */
int metrics_init(struct metrics *m);
/* Accepts a zeroed or destroyed struct. */
void metrics_destroy(struct metrics *m);
/* dst += src (counters summed, distinct sets united). 0 or -ENOMEM. */
int metrics_merge(struct metrics *dst, const struct metrics *src);

uint64_t metrics_unique_src_ips(const struct metrics *m);
uint64_t metrics_tcp_flows(const struct metrics *m);
uint64_t metrics_malformed_total(const struct metrics *m);
const char *metrics_size_bucket_name(enum metrics_size_bucket b);
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

static inline void metrics_note_distinct(struct metrics *m, int ret)
{
	if (__builtin_expect(ret < 0, 0))
		m->c.distinct_untracked++;
}

/* Accounts one parsed frame of @wire_len bytes on the wire. */
static inline void metrics_account(struct metrics *m, const struct pkt_info *pi, uint32_t wire_len)
{
	struct metrics_counters *c = &m->c;

	metrics_counter_add(&c->packets, 1);
	metrics_counter_add(&c->bytes, wire_len);
	c->l3[pi->l3]++;
	c->l4[pi->l4]++;
	c->size_hist[metrics_size_bucket(wire_len)]++;
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

		if (pi->l3 == PKT_L3_IPV4) {
			memcpy(key, pi->src_addr, 8); /* src and dst are adjacent */
			memcpy(key + 8, &pi->sport, 2);
			memcpy(key + 10, &pi->dport, 2);
			ret = keyset_insert(&m->flow4, key, METRICS_FLOW4_KEY);
		} else {
			memcpy(key, pi->src_addr, 32);
			memcpy(key + 32, &pi->sport, 2);
			memcpy(key + 34, &pi->dport, 2);
			ret = keyset_insert(&m->flow6, key, METRICS_FLOW6_KEY);
		}
		metrics_note_distinct(m, ret);
		/* A flow seen before had its source counted then: most TCP
		 * packets skip the second lookup. */
		if (ret == 0)
			return;
	}
	if (pi->l3 == PKT_L3_IPV4)
		metrics_note_distinct(m, keyset_insert(&m->src4, pi->src_addr, 4));
	else
		metrics_note_distinct(m, keyset_insert(&m->src6, pi->src_addr, 16));
}

#endif /* XDPI_INSPECT_METRICS_H */
