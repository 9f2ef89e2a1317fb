/* SPDX-License-Identifier: MIT */
/*
 * Sequence and latency check of generated traffic (`xdpi live --check-seq`).
 * Two stamps are read, told apart per frame by their magic
 * (bpf/gen_shared.h):
 *
 *   xdpi     `xdpi gen`'s stamp: flow = source port - 10000 (destination
 *            port 5201), numbered from 0, send time the low 32 bits of
 *            CLOCK_MONOTONIC in ns (TCP: in the sequence and ack fields;
 *            UDP: magic "XDPI" first in the payload).
 *   pktgen   the kernel pktgen's header (struct pktgen_hdr) first in the UDP
 *            payload, magic 0xbe9be955: numbered from 1 per pktgen device,
 *            send time seconds + microseconds of CLOCK_REALTIME. Sent by
 *            pktgen itself or by `xdpi gen --stamp pktgen`. The flow is the
 *            4-tuple (addresses and ports, IPv4 or IPv6): one sequence per
 *            4-tuple, as bench/pktgen.sh configures pktgen (one device per
 *            flow; a pktgen device that walks a port or address range
 *            interleaves one sequence over several 4-tuples, which shows as
 *            loss).
 *
 * Per flow, for both: the next expected number and a 64-bit window of which
 * of the 64 numbers below it arrived, so a late frame is told apart from a
 * duplicate within that window; older ones count as "late". Numbers are
 * compared in serial arithmetic (RFC 1982): a flow's sequence may wrap past
 * 2^32. A flow's first frame counts the numbers before it, from the stamp's
 * first number, as lost.
 *
 * pktgen flows live in a fixed open-addressing table (linear probing,
 * SEQCHECK_PG_SLOTS slots, at most SEQCHECK_PG_MAX_FLOWS flows, at most
 * SEQCHECK_PG_PROBES slots looked at per frame), allocated at init: a frame
 * whose flow does not fit is counted in pg_untracked and not checked.
 *
 * Latency is measured only where the sender's clock is comparable with
 * ours (enum seqcheck_clock_mode): xdpi stamps need the sender on this host
 * (CLOCK_MONOTONIC is per host), pktgen stamps this host or a synchronised
 * CLOCK_REALTIME. The receive time is read once per batch
 * (seqcheck_clock_read()). Histogram: log-linear, 8 buckets per power of
 * two, so percentiles are within 12.5%.
 *
 * The hot path (seqcheck_account()) allocates nothing and makes no syscall.
 * Concurrency: one owner per struct, like struct metrics; merge after stop.
 * Errors: int functions return 0 or a negative errno.
 */
#ifndef XDPI_INSPECT_SEQCHECK_H
#define XDPI_INSPECT_SEQCHECK_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "../bpf/gen_shared.h"
#include "../util/bytes.h"
#include "parse.h"

#define SEQCHECK_LAT_BUCKETS 240
#define SEQCHECK_WINDOW 64
#define SEQCHECK_PG_SLOTS 8192 /* a power of two */
#define SEQCHECK_PG_MAX_FLOWS 4096
#define SEQCHECK_PG_PROBES 64

enum seqcheck_kind {
	SEQCHECK_XDPI = 0,
	SEQCHECK_PKTGEN,
	SEQCHECK_KINDS,
};

/* Whose send times can be compared with this host's clocks. */
enum seqcheck_clock_mode {
	SEQCHECK_CLOCK_LOCAL = 0, /* the sender runs on this host: both stamps */
	SEQCHECK_CLOCK_SYNCED,	  /* another host, CLOCK_REALTIME synchronised: pktgen's */
	SEQCHECK_CLOCK_UNSYNCED,  /* another host: none (sequence results only) */
};

/* One flow's sequence state. */
struct seqcheck_seq {
	uint32_t next; /* highest number seen + 1 */
	bool started;
	uint64_t window; /* bit i: number next-1-i arrived */
};

/* A pktgen flow: its 4-tuple and sequence. words[4] holds the ports and
 * the L3 type, never 0 in a used slot. */
struct seqcheck_pg_flow {
	uint64_t key[5]; /* source, destination address (16 bytes each), ports */
	struct seqcheck_seq st;
};

/* What was counted for one stamp kind. */
struct seqcheck_counts {
	uint64_t stamped; /* frames checked */
	uint64_t lost;	  /* numbers skipped and not seen later */
	uint64_t duplicated;
	uint64_t reordered;
	uint64_t late;	   /* more than 64 behind: duplicate or reordered, unknown */
	uint64_t flows;	   /* flows seen */
	uint64_t untimed;  /* timing on, but the frame had no send time (pktgen 0.0) */
	uint64_t negative; /* sent after it was received: the clocks disagree */
	uint64_t lat_hist[SEQCHECK_LAT_BUCKETS];
	uint64_t lat_max; /* ns */
};

struct seqcheck {
	struct seqcheck_seq *flows;  /* xdpi: XDPI_GEN_MAX_FLOWS, by source port */
	struct seqcheck_pg_flow *pg; /* pktgen: SEQCHECK_PG_SLOTS slots */
	uint64_t pg_used;	     /* slots taken */
	uint64_t pg_untracked;	     /* pktgen frames whose flow did not fit */
	enum seqcheck_clock_mode clock;
	bool time_xdpi, time_pktgen; /* set from clock at init */
	struct seqcheck_counts k[SEQCHECK_KINDS];
};

/* The receive time of a batch. */
struct seqcheck_clock {
	uint32_t mono_ns;   /* low 32 bits of CLOCK_MONOTONIC in ns */
	uint32_t real_sec;  /* CLOCK_REALTIME seconds, low 32 bits */
	uint32_t real_nsec; /* and nanoseconds */
};

int seqcheck_init(struct seqcheck *s, enum seqcheck_clock_mode clock);
void seqcheck_destroy(struct seqcheck *s);
/* dst += src; flows are per receiver, so src's flows must not be in dst's
 * (true when each flow arrives on one queue, as the generators arrange). */
void seqcheck_merge(struct seqcheck *dst, const struct seqcheck *src);
/* Both kinds added up. */
void seqcheck_total(const struct seqcheck *s, struct seqcheck_counts *out);
/* Frames timed (in the histogram). */
uint64_t seqcheck_timed(const struct seqcheck_counts *c);
/* Latency at quantile @q (0..1) in ns: the lower bound of its bucket. */
uint64_t seqcheck_latency(const struct seqcheck_counts *c, double q);
/* "local", "synced", "unsynced". */
const char *seqcheck_clock_name(enum seqcheck_clock_mode m);

/* Reads the clocks @s compares stamps with (none when it times nothing):
 * once per batch, through the vDSO. */
static inline void seqcheck_clock_read(const struct seqcheck *s, struct seqcheck_clock *c)
{
	struct timespec ts;

	if (s->time_xdpi) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		c->mono_ns = (uint32_t)((uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec);
	}
	if (s->time_pktgen) {
		clock_gettime(CLOCK_REALTIME, &ts);
		c->real_sec = (uint32_t)ts.tv_sec;
		c->real_nsec = (uint32_t)ts.tv_nsec;
	}
}

static inline unsigned seqcheck_lat_bucket(uint32_t ns)
{
	unsigned e;

	if (ns < 8)
		return ns;
	e = 31u - (unsigned)__builtin_clz(ns);
	return (e - 2) * 8 + ((ns >> (e - 3)) & 7);
}

static inline void seqcheck_lat_add(struct seqcheck_counts *k, uint64_t ns)
{
	k->lat_hist[seqcheck_lat_bucket(ns > UINT32_MAX ? UINT32_MAX : (uint32_t)ns)]++;
	if (ns > k->lat_max)
		k->lat_max = ns;
}

/* Frame number @seq of flow @f, whose numbers start at @first. */
static inline void seqcheck_step(struct seqcheck_counts *k, struct seqcheck_seq *f, uint32_t seq,
				 uint32_t first)
{
	int32_t d;

	k->stamped++;
	if (__builtin_expect(!f->started, 0)) {
		/* The numbers from @first up to this one were lost; bits of the
		 * window below @first are marked as seen: nothing was sent
		 * there that could fill a gap. */
		d = (int32_t)(seq - first);
		if (d < 0)
			d = 0;
		f->started = true;
		k->flows++;
		k->lost += (uint32_t)d;
		f->next = seq + 1;
		f->window = d >= SEQCHECK_WINDOW - 1 ? 1 : (~0ull << (d + 1)) | 1;
		return;
	}
	d = (int32_t)(seq - f->next);
	if (d >= 0) {
		uint32_t gap = (uint32_t)d;

		k->lost += gap;
		f->window = gap >= SEQCHECK_WINDOW - 1 ? 1 : (f->window << (gap + 1)) | 1;
		f->next = seq + 1;
	} else {
		uint32_t back = f->next - 1 - seq;

		if (back >= SEQCHECK_WINDOW) {
			/* Too late to tell a duplicate from a reordered frame,
			 * or a new run restarting at 0: counted apart, and the
			 * gap it may fill stays counted as lost. */
			k->late++;
		} else if ((f->window >> back) & 1) {
			k->duplicated++;
		} else {
			f->window |= 1ull << back;
			k->reordered++;
			k->lost--; /* it had been counted as a gap */
		}
	}
}

/* The slot of the pktgen flow of @pi (inserted if new and there is room),
 * or NULL. At most SEQCHECK_PG_PROBES slots are looked at. */
static inline struct seqcheck_pg_flow *seqcheck_pg_flow(struct seqcheck *s,
							const struct pkt_info *pi)
{
	uint64_t key[5] = {0}, h;
	struct seqcheck_pg_flow *f;
	uint32_t alen = pi->l3 == PKT_L3_IPV6 ? 16 : 4;

	memcpy(key, pi->src_addr, alen);
	memcpy(key + 2, pi->dst_addr, alen);
	key[4] = (uint64_t)pi->sport << 32 | (uint64_t)pi->dport << 16 | pi->l3;
	/* Multiply-xorshift over the words: sequential ports spread. */
	h = key[4] * 0x9e3779b97f4a7c15ull;
	for (int i = 0; i < 4; i++)
		h = (h ^ key[i] ^ (h >> 29)) * 0xbf58476d1ce4e5b9ull;
	h ^= h >> 32;
	for (uint32_t i = 0; i < SEQCHECK_PG_PROBES; i++) {
		f = &s->pg[(h + i) & (SEQCHECK_PG_SLOTS - 1)];
		if (!f->key[4]) {
			if (s->pg_used >= SEQCHECK_PG_MAX_FLOWS)
				return NULL;
			memcpy(f->key, key, sizeof(key));
			s->pg_used++;
			return f;
		}
		if (f->key[4] == key[4] && f->key[0] == key[0] && f->key[1] == key[1] &&
		    f->key[2] == key[2] && f->key[3] == key[3])
			return f;
	}
	return NULL;
}

static inline void seqcheck_pktgen(struct seqcheck *s, const struct pkt_info *pi,
				   const uint8_t *hdr, const struct seqcheck_clock *now)
{
	struct seqcheck_counts *k = &s->k[SEQCHECK_PKTGEN];
	struct seqcheck_pg_flow *f = seqcheck_pg_flow(s, pi);
	uint32_t sec, usec;
	int64_t ns;

	if (!f) {
		s->pg_untracked++;
		return;
	}
	seqcheck_step(k, &f->st, xdpi_get_be32(hdr + 4), XDPI_PKTGEN_FIRST_SEQ);
	if (!s->time_pktgen)
		return;
	sec = xdpi_get_be32(hdr + 8);
	usec = xdpi_get_be32(hdr + 12);
	if (!sec && !usec) {
		k->untimed++;
		return;
	}
	/* The seconds are the low 32 bits on both sides. */
	ns = (int64_t)(int32_t)(now->real_sec - sec) * 1000000000 + (int64_t)now->real_nsec -
	     (int64_t)usec * 1000;
	if (ns < 0)
		k->negative++;
	else
		seqcheck_lat_add(k, (uint64_t)ns);
}

/* Accounts one parsed frame at @frame (@caplen bytes) received at @now.
 * Frames without a stamp are ignored. */
static inline void seqcheck_account(struct seqcheck *s, const struct pkt_info *pi,
				    const uint8_t *frame, uint32_t caplen,
				    const struct seqcheck_clock *now)
{
	struct seqcheck_counts *k = &s->k[SEQCHECK_XDPI];
	uint32_t seq, sent;

	if (!pi->l4_complete)
		return;
	if (pi->l4 == PKT_L4_UDP) {
		const uint8_t *p = frame + pi->payload_off;
		uint32_t magic;

		if (pi->payload_len < XDPI_GEN_UDP_STAMP ||
		    pi->payload_off + XDPI_GEN_UDP_STAMP > caplen)
			return;
		magic = xdpi_get_be32(p);
		if (magic == XDPI_PKTGEN_MAGIC) {
			if (pi->payload_len >= XDPI_PKTGEN_HLEN &&
			    pi->payload_off + XDPI_PKTGEN_HLEN <= caplen)
				seqcheck_pktgen(s, pi, p, now);
			return;
		}
		if (magic != XDPI_GEN_UDP_MAGIC)
			return;
		seq = xdpi_get_be32(p + 4);
		sent = xdpi_get_be32(p + 8);
	} else if (pi->l4 == PKT_L4_TCP) {
		seq = pi->tcp_seq;
		sent = pi->tcp_ack;
	} else {
		return;
	}
	if (pi->dport != XDPI_GEN_DPORT || pi->sport < XDPI_GEN_SPORT_BASE ||
	    pi->sport - XDPI_GEN_SPORT_BASE >= XDPI_GEN_MAX_FLOWS)
		return;
	seqcheck_step(k, &s->flows[pi->sport - XDPI_GEN_SPORT_BASE], seq, 0);
	if (s->time_xdpi)
		seqcheck_lat_add(k, now->mono_ns - sent); /* one-way, modulo 2^32 ns */
}

#endif /* XDPI_INSPECT_SEQCHECK_H */
