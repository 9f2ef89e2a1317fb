// SPDX-License-Identifier: MIT
#include "seqcheck.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int seqcheck_init(struct seqcheck *s)
{
	memset(s, 0, sizeof(*s));
	s->flows = calloc(XDPI_GEN_MAX_FLOWS, sizeof(*s->flows));
	return s->flows ? 0 : -ENOMEM;
}

void seqcheck_destroy(struct seqcheck *s)
{
	if (!s)
		return;
	free(s->flows);
	s->flows = NULL;
}

void seqcheck_merge(struct seqcheck *dst, const struct seqcheck *src)
{
	dst->stamped += src->stamped;
	dst->lost += src->lost;
	dst->duplicated += src->duplicated;
	dst->reordered += src->reordered;
	dst->late += src->late;
	dst->flows_seen += src->flows_seen;
	for (int i = 0; i < SEQCHECK_LAT_BUCKETS; i++)
		dst->lat_hist[i] += src->lat_hist[i];
	if (src->lat_max > dst->lat_max)
		dst->lat_max = src->lat_max;
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

uint64_t seqcheck_latency(const struct seqcheck *s, double q)
{
	uint64_t total = 0, seen = 0, want;

	for (int i = 0; i < SEQCHECK_LAT_BUCKETS; i++)
		total += s->lat_hist[i];
	if (!total)
		return 0;
	want = (uint64_t)(q * (double)total);
	if (want >= total)
		want = total - 1;
	for (unsigned i = 0; i < SEQCHECK_LAT_BUCKETS; i++) {
		seen += s->lat_hist[i];
		if (seen > want)
			return bucket_low(i);
	}
	return s->lat_max;
}
