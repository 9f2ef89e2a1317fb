// SPDX-License-Identifier: MIT
#include "metrics.h"

#include <errno.h>
#include <string.h>

/*
 * One seed per process: sketches of different workers (and the exact sets
 * merged into a sketch) must hash alike to merge, and nothing outlives the
 * process, so nothing needs the same seed across runs. Set once, then only
 * read.
 */
static uint64_t metrics_process_seed(void)
{
	static uint64_t seed;
	uint64_t s = __atomic_load_n(&seed, __ATOMIC_ACQUIRE), fresh, none = 0;

	if (s)
		return s;
	fresh = keyset_random_seed();
	if (__atomic_compare_exchange_n(&seed, &none, fresh, false, __ATOMIC_ACQ_REL,
					__ATOMIC_ACQUIRE))
		return fresh;
	return none; /* another thread set it first */
}

static int distinct_init(struct metrics_distinct *d, uint32_t len4, uint32_t len6, uint64_t seed)
{
	int err;

	err = keyset_init_seeded(&d->v4, len4, 1024, seed);
	if (err)
		goto err_out;
	err = keyset_init_seeded(&d->v6, len6, 256, seed);
	if (err)
		goto err_v4;
	err = hll_init(&d->hll);
	if (err)
		goto err_v6;
	d->estimated = false;
	return 0;

err_v6:
	keyset_destroy(&d->v6);
err_v4:
	keyset_destroy(&d->v4);
err_out:
	return err;
}

static void distinct_destroy(struct metrics_distinct *d)
{
	keyset_destroy(&d->v4);
	keyset_destroy(&d->v6);
	hll_destroy(&d->hll);
}

int metrics_init_opts(struct metrics *m, const struct metrics_opts *o)
{
	int err;

	memset(m, 0, sizeof(*m));
	m->distinct_limit =
		o && o->distinct_limit ? o->distinct_limit : METRICS_DISTINCT_LIMIT_DEFAULT;
	m->seed = o && o->seed ? o->seed : metrics_process_seed();
	err = distinct_init(&m->src, 4, 16, m->seed);
	if (err)
		return err;
	err = distinct_init(&m->flow, METRICS_FLOW4_KEY, METRICS_FLOW6_KEY, m->seed);
	if (err) {
		distinct_destroy(&m->src);
		return err;
	}
	return 0;
}

int metrics_init(struct metrics *m)
{
	return metrics_init_opts(m, NULL);
}

void metrics_destroy(struct metrics *m)
{
	if (!m)
		return;
	distinct_destroy(&m->src);
	distinct_destroy(&m->flow);
}

void metrics_distinct_switch(struct metrics_distinct *d)
{
	keyset_destroy(&d->v4);
	keyset_destroy(&d->v6);
	d->estimated = true;
}

/* Exact keys of @s into @d, which switches as soon as it passes @limit
 * (so that a merge never holds much more than the bound). */
static int distinct_merge_set(struct metrics_distinct *d, struct keyset *dset,
			      const struct keyset *s, uint64_t limit, uint64_t seed)
{
	const uint8_t *key;
	uint64_t pos = 0, hash;

	while (keyset_next(s, &pos, &hash, &key)) {
		int ret;

		if (d->estimated) {
			hll_add_hash(&d->hll, s->seed == seed
						      ? hash
						      : keyset_hash_seed(seed, key, s->key_len));
			continue;
		}
		ret = keyset_insert(dset, key, s->key_len);
		if (ret < 0)
			return ret;
		if (ret > 0)
			hll_add_hash(&d->hll, dset->last_hash);
		if (ret > 0 && d->v4.count + d->v6.count > limit)
			metrics_distinct_switch(d);
	}
	return 0;
}

static int distinct_merge(struct metrics *dm, struct metrics_distinct *d, const struct metrics *sm,
			  const struct metrics_distinct *s)
{
	int err;

	if (s->estimated) {
		/* A sketch cannot be rehashed. */
		if (sm->seed != dm->seed)
			return -EINVAL;
		if (!d->estimated)
			metrics_distinct_switch(d);
		hll_merge(&d->hll, &s->hll);
		return 0;
	}
	err = distinct_merge_set(d, &d->v4, &s->v4, dm->distinct_limit, dm->seed);
	if (!err)
		err = distinct_merge_set(d, &d->v6, &s->v6, dm->distinct_limit, dm->seed);
	return err;
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

	err = distinct_merge(dst, &dst->src, src, &src->src);
	if (!err)
		err = distinct_merge(dst, &dst->flow, src, &src->flow);
	if (err)
		d->distinct_untracked++;
	return err;
}

static uint64_t distinct_count(const struct metrics_distinct *d)
{
	return d->estimated ? hll_count(&d->hll) : keyset_count(&d->v4) + keyset_count(&d->v6);
}

uint64_t metrics_unique_src_ips(const struct metrics *m)
{
	return distinct_count(&m->src);
}

uint64_t metrics_tcp_directions(const struct metrics *m)
{
	return distinct_count(&m->flow);
}

bool metrics_unique_src_ips_estimated(const struct metrics *m)
{
	return m->src.estimated;
}

bool metrics_tcp_directions_estimated(const struct metrics *m)
{
	return m->flow.estimated;
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

const char *metrics_vlan_name(enum metrics_vlan v)
{
	static const char *const names[METRICS_VLAN__MAX] = {"untagged", "single", "qinq"};

	return (unsigned)v < METRICS_VLAN__MAX ? names[v] : "invalid";
}

const char *metrics_tcp_flag_name(enum metrics_tcp_flag f)
{
	static const char *const names[METRICS_TCP__MAX] = {"syn", "synack", "fin", "rst"};
	return (unsigned)f < METRICS_TCP__MAX ? names[f] : "invalid";
}
