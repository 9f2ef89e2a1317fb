/* SPDX-License-Identifier: MIT */
/*
 * Sequence and latency check of generated traffic (`xdpi live --check-seq`):
 * reads the stamp `xdpi gen` puts in every frame (bpf/gen_shared.h) and
 * counts, per flow, frames lost (gaps), duplicated and reordered, plus a
 * one-way latency histogram (log-linear, 8 buckets per power of two, so
 * percentiles are within 12.5%).
 *
 * Per-flow state: the next expected sequence number and a 64-bit window of
 * which of the 64 numbers below it arrived, so a late frame is told apart
 * from a duplicate within that window; older ones count as "late".
 *
 * Concurrency: one owner per struct, like struct metrics; merge after stop.
 * Errors: int functions return 0 or a negative errno.
 */
#ifndef XDPI_INSPECT_SEQCHECK_H
#define XDPI_INSPECT_SEQCHECK_H

#include <stdbool.h>
#include <stdint.h>

#include "../bpf/gen_shared.h"
#include "../util/bytes.h"
#include "parse.h"

#define SEQCHECK_LAT_BUCKETS 240

struct seqcheck_flow {
	uint32_t next; /* highest sequence seen + 1 */
	bool started;
	uint64_t window; /* bit i: sequence next-1-i arrived */
};

struct seqcheck {
	struct seqcheck_flow *flows; /* XDPI_GEN_MAX_FLOWS entries */
	uint64_t stamped;	     /* frames that carried a stamp */
	uint64_t lost;		     /* sequence numbers skipped and not seen later */
	uint64_t duplicated;
	uint64_t reordered;
	uint64_t late; /* more than 64 behind: duplicate or reordered, unknown */
	uint64_t flows_seen;
	uint64_t lat_hist[SEQCHECK_LAT_BUCKETS];
	uint64_t lat_max;
};

int seqcheck_init(struct seqcheck *s);
void seqcheck_destroy(struct seqcheck *s);
/* dst += src; flows are per receiver, so src's flows must not be in dst's
 * (true when each flow arrives on one queue, as the generator arranges). */
void seqcheck_merge(struct seqcheck *dst, const struct seqcheck *src);
/* Latency at quantile @q (0..1) in ns: the lower bound of its bucket. */
uint64_t seqcheck_latency(const struct seqcheck *s, double q);

static inline unsigned seqcheck_lat_bucket(uint32_t ns)
{
	unsigned e;

	if (ns < 8)
		return ns;
	e = 31u - (unsigned)__builtin_clz(ns);
	return (e - 2) * 8 + ((ns >> (e - 3)) & 7);
}

/* Accounts one parsed frame at @frame received at @now (low 32 bits of
 * CLOCK_MONOTONIC in ns). Frames without a stamp are ignored. */
static inline void seqcheck_account(struct seqcheck *s, const struct pkt_info *pi,
				    const uint8_t *frame, uint32_t now)
{
	struct seqcheck_flow *f;
	uint32_t flow, seq, sent;

	if (!pi->l4_complete || pi->dport != XDPI_GEN_DPORT ||
	    pi->sport - XDPI_GEN_SPORT_BASE >= XDPI_GEN_MAX_FLOWS ||
	    pi->sport < XDPI_GEN_SPORT_BASE)
		return;
	if (pi->l4 == PKT_L4_TCP) {
		seq = pi->tcp_seq;
		sent = pi->tcp_ack;
	} else if (pi->l4 == PKT_L4_UDP && pi->payload_len >= XDPI_GEN_UDP_STAMP &&
		   xdpi_get_be32(frame + pi->payload_off) == XDPI_GEN_UDP_MAGIC) {
		seq = xdpi_get_be32(frame + pi->payload_off + 4);
		sent = xdpi_get_be32(frame + pi->payload_off + 8);
	} else {
		return;
	}
	flow = pi->sport - XDPI_GEN_SPORT_BASE;
	f = &s->flows[flow];
	s->stamped++;
	if (__builtin_expect(!f->started, 0)) {
		f->started = true;
		s->flows_seen++;
		s->lost += seq; /* a flow's numbers start at 0 */
		f->next = seq + 1;
		f->window = 1;
	} else if (seq >= f->next) {
		uint32_t gap = seq - f->next;

		s->lost += gap;
		f->window = gap + 1 >= 64 ? 1 : (f->window << (gap + 1)) | 1;
		f->next = seq + 1;
	} else {
		uint32_t d = f->next - 1 - seq;

		if (d >= 64) {
			/* Too late to tell a duplicate from a reordered frame,
			 * or a new run restarting at 0: counted apart, and the
			 * gap it may fill stays counted as lost. */
			s->late++;
		} else if ((f->window >> d) & 1) {
			s->duplicated++;
		} else {
			f->window |= 1ull << d;
			s->reordered++;
			s->lost--; /* it had been counted as a gap */
		}
	}
	sent = now - sent; /* one-way latency, modulo 2^32 ns */
	s->lat_hist[seqcheck_lat_bucket(sent)]++;
	if (sent > s->lat_max)
		s->lat_max = sent;
}

#endif /* XDPI_INSPECT_SEQCHECK_H */
