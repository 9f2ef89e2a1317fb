// SPDX-License-Identifier: MIT
#include "seqcheck.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int seqcheck_init(struct seqcheck *s, enum seqcheck_clock_mode clock)
{
	memset(s, 0, sizeof(*s));
	s->clock = clock;
	/* CLOCK_MONOTONIC is per host; CLOCK_REALTIME can be synchronised. */
	s->time_xdpi = clock == SEQCHECK_CLOCK_LOCAL;
	s->time_pktgen = clock != SEQCHECK_CLOCK_UNSYNCED;
	s->flows = calloc(XDPI_GEN_MAX_FLOWS, sizeof(*s->flows));
	s->pg = calloc(SEQCHECK_PG_SLOTS, sizeof(*s->pg));
	if (!s->flows || !s->pg) {
		seqcheck_destroy(s);
		return -ENOMEM;
	}
	return 0;
}

void seqcheck_destroy(struct seqcheck *s)
{
	if (!s)
		return;
	free(s->flows);
	free(s->pg);
	s->flows = NULL;
	s->pg = NULL;
}

static void counts_add(struct seqcheck_counts *dst, const struct seqcheck_counts *src)
{
	dst->stamped += src->stamped;
	dst->lost += src->lost;
	dst->duplicated += src->duplicated;
	dst->reordered += src->reordered;
	dst->late += src->late;
	dst->flows += src->flows;
	dst->untimed += src->untimed;
	dst->negative += src->negative;
	for (int i = 0; i < SEQCHECK_LAT_BUCKETS; i++)
		dst->lat_hist[i] += src->lat_hist[i];
	if (src->lat_max > dst->lat_max)
		dst->lat_max = src->lat_max;
}

void seqcheck_merge(struct seqcheck *dst, const struct seqcheck *src)
{
	for (int k = 0; k < SEQCHECK_KINDS; k++)
		counts_add(&dst->k[k], &src->k[k]);
	dst->pg_untracked += src->pg_untracked;
}

void seqcheck_total(const struct seqcheck *s, struct seqcheck_counts *out)
{
	memset(out, 0, sizeof(*out));
	for (int k = 0; k < SEQCHECK_KINDS; k++)
		counts_add(out, &s->k[k]);
}

const char *seqcheck_clock_name(enum seqcheck_clock_mode m)
{
	static const char *const names[] = {"local", "synced", "unsynced"};

	return (unsigned)m <= SEQCHECK_CLOCK_UNSYNCED ? names[m] : "?";
}

static uint64_t bucket_low(unsigned idx)
{
	unsigned e, m;

	if (idx < 8)
		return idx;
	e = idx / 8 + 2;
	m = idx % 8;
	return (uint64_t)(8 + m) << (e - 3);
}

uint64_t seqcheck_timed(const struct seqcheck_counts *c)
{
	uint64_t total = 0;

	for (int i = 0; i < SEQCHECK_LAT_BUCKETS; i++)
		total += c->lat_hist[i];
	return total;
}

uint64_t seqcheck_latency(const struct seqcheck_counts *c, double q)
{
	uint64_t total = seqcheck_timed(c), seen = 0, want;

	if (!total)
		return 0;
	want = (uint64_t)(q * (double)total);
	if (want >= total)
		want = total - 1;
	for (unsigned i = 0; i < SEQCHECK_LAT_BUCKETS; i++) {
		seen += c->lat_hist[i];
		if (seen > want)
			return bucket_low(i);
	}
	return c->lat_max;
}
