// SPDX-License-Identifier: MIT
#include "pipeline.h"

#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

int pipeline_init(struct pipeline *p, const struct pipeline_config *cfg)
{
	int ret;

	memset(p, 0, sizeof(*p));
	p->cfg = *cfg;
	/* Selecting every frame is no filter: no test per frame. */
	if (p->cfg.filter && p->cfg.filter->kind == XDPI_FILTER_ALL)
		p->cfg.filter = NULL;
	if (!cfg->inspect)
		p->cfg.flows = NULL;
	if (!p->cfg.flows)
		p->cfg.maintain_flows = false;
	flow_worker_init(&p->fw, p->cfg.flows);
	ret = metrics_init_opts(&p->m, &(struct metrics_opts){.distinct_limit = cfg->distinct_limit,
							      .seed = cfg->distinct_seed});
	if (ret)
		return ret;
	if (cfg->check_seq) {
		/* Its own cache lines: read and written per frame. */
		p->seq = xdpi_cacheline_alloc(sizeof(*p->seq));
		if (!p->seq || seqcheck_init(p->seq, cfg->seq_clock)) {
			free(p->seq);
			p->seq = NULL;
			metrics_destroy(&p->m);
			return -ENOMEM;
		}
	}
	return 0;
}

void pipeline_destroy(struct pipeline *p)
{
	if (!p)
		return;
	metrics_destroy(&p->m);
	seqcheck_destroy(p->seq);
	free(p->seq);
	p->seq = NULL;
}

int pipeline_merge(struct pipeline *dst, const struct pipeline *src)
{
	dst->filtered_out += src->filtered_out;
	dst->snapped += src->snapped;
	dst->fw.c.created += src->fw.c.created;
	dst->fw.c.established += src->fw.c.established;
	dst->fw.c.untracked += src->fw.c.untracked;
	dst->fw.c.peeked += src->fw.c.peeked;
	if (dst->seq && src->seq)
		seqcheck_merge(dst->seq, src->seq);
	return metrics_merge(&dst->m, &src->m);
}

/*
 * A seqlock (the kernel's seqcount_t, in C11 atomics): the owner makes the
 * sequence odd, writes, makes it even; a reader copies between two reads of
 * an even, unchanged sequence. Every shared word is accessed atomically
 * (relaxed), so a reader that races a write sees torn data only in a copy
 * it throws away, and the code has no data race for the sanitizers.
 */
#define SNAP_WORDS (sizeof(struct pipeline_counters) / sizeof(uint64_t))
_Static_assert(sizeof(struct pipeline_counters) % sizeof(uint64_t) == 0, "u64 only");

static void pipeline_counters_read(const struct pipeline *p, struct pipeline_counters *v)
{
	v->c = p->m.c;
	v->unique_src_ips = metrics_unique_src_ips(&p->m);
	v->tcp_flows = metrics_tcp_flows(&p->m);
	v->filtered_out = p->filtered_out;
	v->snapped = p->snapped;
	v->flows = p->fw.c;
}

/* Once per maintenance period of capture time (flows.h); the call_rcu
 * thread frees what the pass removed once this thread has been quiescent. */
void pipeline_maintain(struct pipeline *p)
{
	flow_table_maintain(p->cfg.flows, p->fw.now_ns);
	flows_quiescent();
	p->next_maintain_ns = p->fw.now_ns + flow_table_maintain_period(p->cfg.flows);
}

void pipeline_publish(struct pipeline *p)
{
	struct pipeline_counters v;
	uint64_t *dst = (uint64_t *)&p->snap.v;
	const uint64_t *src = (const uint64_t *)&v;
	uint32_t seq = p->snap.seq;

	pipeline_counters_read(p, &v);
	__atomic_store_n(&p->snap.seq, seq + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	for (size_t i = 0; i < SNAP_WORDS; i++)
		__atomic_store_n(&dst[i], src[i], __ATOMIC_RELAXED);
	__atomic_store_n(&p->snap.seq, seq + 2, __ATOMIC_RELEASE);
	if (p->cfg.flows)
		flows_quiescent();
}

void pipeline_snapshot(const struct pipeline *p, struct pipeline_counters *out)
{
	const uint64_t *src = (const uint64_t *)&p->snap.v;
	uint64_t *dst = (uint64_t *)out;
	uint32_t before, after;
	unsigned tries = 0;

	do {
		/* An owner preempted mid-publish may share this CPU. */
		if (++tries % 64 == 0)
			sched_yield();
		before = __atomic_load_n(&p->snap.seq, __ATOMIC_ACQUIRE);
		for (size_t i = 0; i < SNAP_WORDS; i++)
			dst[i] = __atomic_load_n(&src[i], __ATOMIC_RELAXED);
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		after = __atomic_load_n(&p->snap.seq, __ATOMIC_RELAXED);
	} while ((before & 1) || before != after);
}
