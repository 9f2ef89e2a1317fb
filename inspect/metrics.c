// SPDX-License-Identifier: MIT
#include "metrics.h"

#include <string.h>

int metrics_init(struct metrics *m)
{
	int err;

	memset(m, 0, sizeof(*m));
	err = keyset_init(&m->src4, 4, 1024);
	if (err)
		goto err_out;
	err = keyset_init(&m->src6, 16, 256);
	if (err)
		goto err_src4;
	err = keyset_init(&m->flow4, METRICS_FLOW4_KEY, 1024);
	if (err)
		goto err_src6;
	err = keyset_init(&m->flow6, METRICS_FLOW6_KEY, 256);
	if (err)
		goto err_flow4;
	return 0;

err_flow4:
	keyset_destroy(&m->flow4);
err_src6:
	keyset_destroy(&m->src6);
err_src4:
	keyset_destroy(&m->src4);
err_out:
	return err;
}

void metrics_destroy(struct metrics *m)
{
	if (!m)
		return;
	keyset_destroy(&m->src4);
	keyset_destroy(&m->src6);
	keyset_destroy(&m->flow4);
	keyset_destroy(&m->flow6);
}

static void add_array(uint64_t *dst, const uint64_t *src, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dst[i] += src[i];
}

int metrics_merge(struct metrics *dst, const struct metrics *src)
{
	const struct metrics_counters *s = &src->c;
	struct metrics_counters *d = &dst->c;
	int err;

	/* The counters struct is all uint64_t: sum it as an array. */
	_Static_assert(sizeof(*d) % sizeof(uint64_t) == 0, "counters are u64 only");
	add_array((uint64_t *)d, (const uint64_t *)s, sizeof(*d) / sizeof(uint64_t));

	err = keyset_merge(&dst->src4, &src->src4);
	if (!err)
		err = keyset_merge(&dst->src6, &src->src6);
	if (!err)
		err = keyset_merge(&dst->flow4, &src->flow4);
	if (!err)
		err = keyset_merge(&dst->flow6, &src->flow6);
	if (err)
		d->distinct_untracked++;
	return err;
}

uint64_t metrics_unique_src_ips(const struct metrics *m)
{
	return keyset_count(&m->src4) + keyset_count(&m->src6);
}

uint64_t metrics_tcp_flows(const struct metrics *m)
{
	return keyset_count(&m->flow4) + keyset_count(&m->flow6);
}

uint64_t metrics_malformed_total(const struct metrics *m)
{
	uint64_t total = 0;

	for (int r = PKT_OK + 1; r < PKT_MAL__MAX; r++)
		total += m->c.malformed[r];
	return total;
}

const char *metrics_size_bucket_name(enum metrics_size_bucket b)
{
	static const char *const names[METRICS_SIZE__MAX] = {
		"64", "65-127", "128-255", "256-511", "512-1023", "1024-1518", "1519+",
	};
	return (unsigned)b < METRICS_SIZE__MAX ? names[b] : "invalid";
}

const char *metrics_tcp_flag_name(enum metrics_tcp_flag f)
{
	static const char *const names[METRICS_TCP__MAX] = {"syn", "synack", "fin", "rst"};
	return (unsigned)f < METRICS_TCP__MAX ? names[f] : "invalid";
}
