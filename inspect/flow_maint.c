// SPDX-License-Identifier: MIT
/* The flow table's maintainer (flows.h: one thread, the expiry thread
 * live, the reader offline): a pass walks the pool's slabs in memory
 * order, ends the flows idle past their timeout, evicts the idlest when
 * the table nears its bound, reports active flows, feeds the detection
 * and the summary (flow_summary.c), and hands the records it removed to
 * the on_end hook after one grace period (one call_rcu() a pass), then
 * back to the pool. Also the expiry thread that runs the passes live, and
 * the end of a run (flow_table_finish()). */
#define _LGPL_SOURCE /* the QSBR fast paths inline */
#include "flow_maint.h"

#include <pthread.h>
#include <time.h>

#include "../util/clock.h"
#include "detect.h"
#include "flow_summary.h"
#include "flow_tcp.h"

/* How stale the top-N lists of a live summary may be. */
#define FLOW_TOP_FEED_NS (10ull * 1000000000u)
/* The expiry thread's passes take at most 1/this of a CPU (live). */
#define FLOW_MAINTAIN_SHARE 20

/* @f as a record; its peek, if it has one, unpacked into @peek. */
static void flow_record_fill(const struct flow_table *ft, const struct flow *f,
			     struct flow_record *r, struct peek_result *peek)
{
	const struct flow_ext *ext = flow_ext_of(ft, f);
	unsigned src = __atomic_load_n(&f->initiator, __ATOMIC_RELAXED);
	unsigned dst = src ^ 1;
	uint8_t st = __atomic_load_n(&f->state, __ATOMIC_ACQUIRE) & ~FLOW_TCP_BUSY;

	memset(r, 0, sizeof(*r));
	r->family = f->key.family;
	r->proto = f->key.proto;
	r->has_vlan = f->key.vlan != 0;
	r->vlan = f->key.vlan;
	r->vlan_inner = f->key.vlan_inner;
	memcpy(r->src_addr, flow_key_addr(&f->key, src), f->key.family == 4 ? 4 : 16);
	memcpy(r->dst_addr, flow_key_addr(&f->key, dst), f->key.family == 4 ? 4 : 16);
	r->src_port = f->key.port[src];
	r->dst_port = f->key.port[dst];
	r->packets_toserver = __atomic_load_n(&f->packets[src], __ATOMIC_RELAXED);
	r->packets_toclient = __atomic_load_n(&f->packets[dst], __ATOMIC_RELAXED);
	r->bytes_toserver = __atomic_load_n(&f->bytes[src], __ATOMIC_RELAXED);
	r->bytes_toclient = __atomic_load_n(&f->bytes[dst], __ATOMIC_RELAXED);
	r->ip_bytes_toserver = __atomic_load_n(&f->ip_bytes[src], __ATOMIC_RELAXED);
	r->ip_bytes_toclient = __atomic_load_n(&f->ip_bytes[dst], __ATOMIC_RELAXED);
	if (f->has_rep) {
		r->prev_packets_toserver = ext->rep.packets[src];
		r->prev_packets_toclient = ext->rep.packets[dst];
		r->prev_bytes_toserver = ext->rep.bytes[src];
		r->prev_bytes_toclient = ext->rep.bytes[dst];
		r->prev_ip_bytes_toserver = ext->rep.ip_bytes[src];
		r->prev_ip_bytes_toclient = ext->rep.ip_bytes[dst];
		r->prev_end_ns = ext->rep.end_ns;
	}
	r->start_ns = f->first_ns;
	r->end_ns = __atomic_load_n(&f->last_ns, __ATOMIC_RELAXED);
	r->tcp_flags = __atomic_load_n(&f->tcp_flags, __ATOMIC_RELAXED);
	r->state = st;
	r->end_reason = f->end_reason;
	r->rtt_ns = st == FLOW_TCP_ESTABLISHED ? __atomic_load_n(&f->rtt_ns, __ATOMIC_RELAXED) : -1;
	r->one_way = !r->packets_toserver || !r->packets_toclient;
	r->peek = NULL;
	if (__atomic_load_n(&f->peek_state, __ATOMIC_ACQUIRE) == FLOW_PEEK_KEPT) {
		peek_unpack(&ext->peek, peek);
		r->peek = peek;
	}
}

/* The figures of the ended records to their hook, then the records back
 * to the pool; after a grace period live, at once offline. */
static void flow_ended_release(struct flow_table *ft, struct flow *head)
{
	struct flow *tail = NULL;
	struct peek_result peek;
	struct flow_record r;

	for (struct flow *f = head; f; f = f->next) {
		FLOW_TSAN_ACQUIRE(f);
		if (ft->cfg.on_end) {
			flow_record_fill(ft, f, &r, &peek);
			ft->cfg.on_end(ft->cfg.on_end_ctx, &r);
		}
		FLOW_TSAN_RELEASE(f);
		tail = f;
	}
	/* From here a worker may take them: @head's rcu is not read again. */
	if (tail)
		flow_free_push(ft, head, tail);
}

/* After the grace period: no worker can reach the batch's records any
 * more, so their figures are final. */
static void flow_batch_cb(struct rcu_head *rcu)
{
	struct flow *head = caa_container_of(rcu, struct flow, rcu);

	/* Before the first read: TSan cannot see liburcu's grace period. */
	FLOW_TSAN_ACQUIRE(&flow_grace_token);
	flow_ended_release(head->table, head);
	FLOW_TSAN_RELEASE(&flow_barrier_token);
}

/* The records this pass took out, on their way back: one call_rcu() for
 * them all, carried by the first of them. Offline (one thread, no other
 * reader) at once, so that the next new flow finds room: a read stays
 * deterministic. Live, records that wait (for the grace period, then
 * for the on_end hook: a slow --json-lines reader holds up the call_rcu
 * thread) are records of the pool: while they wait, new flows find it
 * spent and are counted untracked; nothing grows. */
void flow_ended_flush(struct flow_table *ft)
{
	struct flow *head = ft->ended_head;

	if (!head)
		return;
	ft->ended_head = ft->ended_tail = NULL;
	if (ft->cfg.single_thread) {
		flow_ended_release(ft, head);
		return;
	}
	head->table = ft;
	ft->batches = true;
	call_rcu(&head->rcu, flow_batch_cb);
}

/* An active-timeout record for @f if it is due: active_timeout_ns since
 * the flow started or was last reported, and packets since. Its figures so far are a snapshot
 * (workers may still add). */
static void flow_report_active(struct flow_table *ft, struct flow *f, uint64_t now_ns)
{
	struct flow_reported *rep = &flow_ext_of(ft, f)->rep;
	uint64_t since = f->has_rep ? rep->at_ns : f->first_ns;
	unsigned src = __atomic_load_n(&f->initiator, __ATOMIC_RELAXED);
	struct peek_result peek;
	struct flow_record r;

	if (now_ns < since || now_ns - since < ft->cfg.active_timeout_ns)
		return;
	if (!f->has_rep) {
		memset(rep, 0, sizeof(*rep));
		f->has_rep = true;
	}
	flow_record_fill(ft, f, &r, &peek);
	if (r.packets_toserver == r.prev_packets_toserver &&
	    r.packets_toclient == r.prev_packets_toclient)
		return;
	ft->cfg.on_active(ft->cfg.on_end_ctx, &r);
	/* Exactly what the record said: packets that arrived since are in
	 * the next one. */
	rep->packets[src] = r.packets_toserver;
	rep->packets[src ^ 1] = r.packets_toclient;
	rep->bytes[src] = r.bytes_toserver;
	rep->bytes[src ^ 1] = r.bytes_toclient;
	rep->ip_bytes[src] = r.ip_bytes_toserver;
	rep->ip_bytes[src ^ 1] = r.ip_bytes_toclient;
	rep->end_ns = r.end_ns;
	rep->at_ns = now_ns;
}

/* Hands @f to the detection (ft->cfg.detect) as it is at this pass:
 * what its initiator sent since the last look, and its handshake. A pass
 * (and a record's end) skips a record the detection called quiet that
 * sent nothing either way since (its state moves only with a packet), so
 * that a pass costs the flows that changed, not all of them. */
static inline __attribute__((always_inline)) void flow_detect(struct flow_table *ft, struct flow *f,
							      bool ending)
{
	unsigned src = __atomic_load_n(&f->initiator, __ATOMIC_RELAXED);
	uint32_t p = (uint32_t)__atomic_load_n(&f->packets[src], __ATOMIC_RELAXED);
	uint32_t r = (uint32_t)__atomic_load_n(&f->packets[src ^ 1], __ATOMIC_RELAXED);
	uint8_t st = __atomic_load_n(&f->state, __ATOMIC_ACQUIRE) & ~FLOW_TCP_BUSY;
	uint32_t b;
	uint64_t now;
	bool done;

	/* Counts only grow: both equal to the last look's (in either order,
	 * should the initiator have changed) means no packet since. Live, a
	 * worker counts a packet before it moves the state: the state is
	 * compared too. Its end changes nothing either: an end decides only
	 * an outcome still to take, and a half-open attempt. */
	if ((f->mflags & FLOW_M_DET_QUIET) && p == f->det_packets && r == f->det_replies &&
	    st == f->mflags >> FLOW_M_DET_STATE)
		return;
	b = (uint32_t)__atomic_load_n(&f->bytes[src], __ATOMIC_RELAXED);
	now = ft->det_now_ns;
	struct detect_obs o = {
		.family = f->key.family,
		.proto = f->key.proto,
		.src = flow_key_addr(&f->key, src),
		.dst = flow_key_addr(&f->key, src ^ 1),
		.sport = f->key.port[src],
		.dport = f->key.port[src ^ 1],
		.syn = st != FLOW_TCP_NONE && st != FLOW_TCP_SYN_ACK_FIRST,
		.new_attempt = !(f->mflags & FLOW_M_DET_SEEN),
		.half_open = st == FLOW_TCP_SYN_SENT || st == FLOW_TCP_SYN_RCVD,
		.established = st == FLOW_TCP_ESTABLISHED,
		.reset = st == FLOW_TCP_RESET,
		.outcome_done = f->mflags & FLOW_M_DET_OUTCOME,
		.ending = ending,
		.answered = __atomic_load_n(&f->packets[src ^ 1], __ATOMIC_RELAXED) != 0,
		.age_ns = now > f->first_ns ? now - f->first_ns : 0,
		.pk_to_dst = (uint32_t)(p - f->det_packets),
		.by_to_dst = (uint32_t)(b - f->det_bytes),
	};

	f->det_packets = p;
	f->det_replies = r;
	f->det_bytes = b;
	f->mflags |= FLOW_M_DET_SEEN;
	if (detect_observe(ft->cfg.detect, &o, now))
		f->mflags |= FLOW_M_DET_OUTCOME;
	done = f->mflags & FLOW_M_DET_OUTCOME;
	f->mflags &= (uint8_t)(~FLOW_M_DET_QUIET & ((1u << FLOW_M_DET_STATE) - 1));
	if (detect_quiet(ft->cfg.detect, &o, done))
		f->mflags |= (uint8_t)(FLOW_M_DET_QUIET | st << FLOW_M_DET_STATE);
}

/* Takes @f out of the table, onto this pass's ended list: its hook runs
 * once the list is flushed (flow_ended_flush()). */
static void flow_remove(struct flow_table *ft, struct flow *f, enum flow_end_reason reason)
{
	/* A retired record is out of the index already (flow_reuse()). */
	if (__atomic_load_n(&f->retired, __ATOMIC_ACQUIRE))
		reason = FLOW_END_REUSE;
	else if (!flow_index_del(ft, f))
		return; /* already removed */
	flow_feed(ft, f, true);
	if (ft->cfg.detect)
		flow_detect(ft, f, true);
	f->end_reason = (uint8_t)reason;
	ft->work.ended[reason]++;
	ft->work.one_way += !__atomic_load_n(&f->packets[0], __ATOMIC_RELAXED) ||
			    !__atomic_load_n(&f->packets[1], __ATOMIC_RELAXED);
	ft->count--;
	__atomic_store_n(&f->live, 0, __ATOMIC_RELAXED);
	f->next = NULL;
	if (ft->ended_tail)
		ft->ended_tail->next = f;
	else
		ft->ended_head = f;
	ft->ended_tail = f;
}

/* A walk over the records in the table, slab by slab in memory order: the
 * maintainer's, which reads each record once, in the order the hardware
 * prefetcher follows, where the hash table's list would jump. */
struct flow_walk {
	uint32_t slab, i, used;
	struct flow *rec;
};

static struct flow *flow_walk_next(struct flow_table *ft, struct flow_walk *it)
{
	for (;;) {
		while (it->i < it->used) {
			struct flow *f = &it->rec[it->i++];

			if (__atomic_load_n(&f->live, __ATOMIC_ACQUIRE)) {
				FLOW_TSAN_ACQUIRE(f);
				return f;
			}
		}
		if (it->slab >= ft->nslabs)
			return NULL;
		it->rec = __atomic_load_n(&ft->slabs[it->slab].rec, __ATOMIC_ACQUIRE);
		it->used =
			it->rec ? __atomic_load_n(&ft->slab_used[it->slab].n, __ATOMIC_ACQUIRE) : 0;
		it->slab++;
		it->i = 0;
	}
}

static enum flow_end_reason flow_idle_reason(const struct flow *f)
{
	if (__atomic_load_n(&f->rst_seen, __ATOMIC_RELAXED))
		return FLOW_END_RST;
	if (__atomic_load_n(&f->fin_seen, __ATOMIC_RELAXED))
		return FLOW_END_FIN;
	return FLOW_END_TIMEOUT;
}

/* Evicts the @need flows seen least recently: one pass for the range of
 * last-seen times, one to count them in 64 slices of it, one to remove the
 * oldest slices (and part of the slice where @need is reached). */
#define FLOW_EVICT_SLICES 64
static void flow_evict_range(struct flow_table *ft, uint64_t need, uint64_t lo, uint64_t hi);

void flow_evict_idlest(struct flow_table *ft, uint64_t need)
{
	uint64_t lo = UINT64_MAX, hi = 0;
	struct flow_walk it = {0};
	struct flow *f;

	if (!need)
		return;
	while ((f = flow_walk_next(ft, &it))) {
		uint64_t t = __atomic_load_n(&f->last_ns, __ATOMIC_RELAXED);

		lo = t < lo ? t : lo;
		hi = t > hi ? t : hi;
	}
	flow_evict_range(ft, need, lo, hi);
}

/* The same, the range of last-seen times known (the maintainer's pass
 * found it): a flow seen after @hi since is in the newest slice. */
static void flow_evict_range(struct flow_table *ft, uint64_t need, uint64_t lo, uint64_t hi)
{
	uint64_t hist[FLOW_EVICT_SLICES] = {0};
	uint64_t width, below = 0, in_edge;
	struct flow_walk it = {0};
	struct flow *f;
	unsigned edge = 0;

	if (!need || lo > hi)
		return;
	width = (hi - lo) / FLOW_EVICT_SLICES + 1;
	while ((f = flow_walk_next(ft, &it))) {
		uint64_t sl = (__atomic_load_n(&f->last_ns, __ATOMIC_RELAXED) - lo) / width;

		hist[sl < FLOW_EVICT_SLICES ? sl : FLOW_EVICT_SLICES - 1]++;
	}
	while (edge < FLOW_EVICT_SLICES - 1 && below + hist[edge] < need)
		below += hist[edge++];
	in_edge = need - below; /* how many to take from the edge slice */
	it = (struct flow_walk){0};
	while ((f = flow_walk_next(ft, &it))) {
		uint64_t sl = (__atomic_load_n(&f->last_ns, __ATOMIC_RELAXED) - lo) / width;

		if (sl > FLOW_EVICT_SLICES - 1)
			sl = FLOW_EVICT_SLICES - 1;
		if (sl < edge) {
			flow_remove(ft, f, FLOW_END_EVICTED);
		} else if (sl == edge && in_edge) {
			in_edge--;
			flow_remove(ft, f, FLOW_END_EVICTED);
		}
	}
}

void flow_table_maintain(struct flow_table *ft, uint64_t now_ns)
{
	struct flow_walk it = {0};
	uint64_t active = 0, half_open = 0, syn_only = 0, high, low, lo = UINT64_MAX, hi = 0;
	bool top = now_ns >= ft->next_feed_ns;
	bool view = ft->cfg.on_view && now_ns >= ft->next_view_ns;
	struct flow *f;

	if (top)
		ft->next_feed_ns = now_ns + FLOW_TOP_FEED_NS;
	/* A little early, so that a pass that comes a few ms short of the
	 * period (the expiry thread's timer) is not skipped for a whole one. */
	if (view)
		ft->next_view_ns = now_ns + ft->cfg.view_period_ns - ft->cfg.view_period_ns / 8;
	ft->det_now_ns = now_ns;

	while ((f = flow_walk_next(ft, &it))) {
		uint64_t last = __atomic_load_n(&f->last_ns, __ATOMIC_RELAXED);
		enum flow_end_reason why = flow_idle_reason(f);
		uint64_t timeout =
			why == FLOW_END_TIMEOUT ? ft->cfg.timeout_ns : ft->cfg.closed_timeout_ns;
		uint8_t st;

		if ((now_ns > last && now_ns - last >= timeout) ||
		    __atomic_load_n(&f->retired, __ATOMIC_ACQUIRE)) {
			flow_remove(ft, f, why);
			continue;
		}
		lo = last < lo ? last : lo;
		hi = last > hi ? last : hi;
		flow_feed(ft, f, top);
		if (ft->cfg.detect)
			flow_detect(ft, f, false);
		if (ft->cfg.on_active)
			flow_report_active(ft, f, now_ns);
		if (view) {
			struct peek_result peek;
			struct flow_record r;

			flow_record_fill(ft, f, &r, &peek);
			ft->cfg.on_view(ft->cfg.view_ctx, f->idx, &r);
		}
		active++;
		st = __atomic_load_n(&f->state, __ATOMIC_RELAXED) & ~FLOW_TCP_BUSY;
		flow_count_open(ft, st, &half_open, &syn_only);
	}
	/* Records a worker published after the walk passed their place are
	 * counted on the next pass. */
	ft->count = active;
	/* Live, workers refuse new flows at max_flows: keep room ahead. */
	high = ft->cfg.max_flows - ft->cfg.max_flows / 16;
	low = ft->cfg.max_flows / 8 * 7;
	if (!ft->cfg.single_thread && active >= high && active > low) {
		flow_evict_range(ft, active - low, lo, hi);
		active = ft->count;
	}
	flow_ended_flush(ft);
	if (ft->cfg.detect)
		detect_pass_end(ft->cfg.detect, now_ns);
	ft->work.active = active;
	ft->work.half_open = half_open;
	ft->work.syn_only = syn_only;
	flow_publish(ft);
	if (view && ft->cfg.on_view_done)
		ft->cfg.on_view_done(ft->cfg.view_ctx, now_ns);
}

uint64_t flow_table_maintain_period(const struct flow_table *ft)
{
	/* A pass walks every flow: as rarely as the timeouts allow, so that
	 * no flow outlives its timeout by more than half of it. */
	uint64_t p = ft->cfg.closed_timeout_ns / 2;

	/* Active-timeout records are due on passes too. */
	if (ft->cfg.on_active && ft->cfg.active_timeout_ns / 2 < p)
		p = ft->cfg.active_timeout_ns / 2;
	/* A rate view is only as fresh as its passes. */
	if (ft->cfg.on_view && ft->cfg.view_period_ns && ft->cfg.view_period_ns < p)
		p = ft->cfg.view_period_ns;
	return p ? p : 1;
}

void flow_table_set_view(struct flow_table *ft,
			 void (*on_view)(void *, uint64_t, const struct flow_record *),
			 void (*on_view_done)(void *, uint64_t), void *ctx, uint64_t period_ns)
{
	ft->cfg.on_view = on_view;
	ft->cfg.on_view_done = on_view_done;
	ft->cfg.view_ctx = ctx;
	ft->cfg.view_period_ns = period_ns;
	ft->next_view_ns = 0;
}

void flow_table_finish(struct flow_table *ft, enum flow_end_reason reason)
{
	struct flow_walk it = {0};
	struct flow *f;

	uint64_t active = 0, half_open = 0, syn_only = 0;

	if (!ft)
		return;
	/* The gauges keep what was open at the end: that is what a final
	 * summary reports, not the empty table this leaves. */
	while ((f = flow_walk_next(ft, &it))) {
		uint8_t st = __atomic_load_n(&f->state, __ATOMIC_RELAXED) & ~FLOW_TCP_BUSY;

		active++;
		flow_count_open(ft, st, &half_open, &syn_only);
		flow_remove(ft, f, reason);
	}
	flow_ended_flush(ft);
	ft->work.active = active;
	ft->work.half_open = half_open;
	ft->work.syn_only = syn_only;
	flow_publish(ft);
	/* The hooks run in the call_rcu thread after a grace period, which
	 * this (registered) thread must not hold up while it waits. */
	flows_thread_offline();
	rcu_barrier();
	FLOW_TSAN_ACQUIRE(&flow_barrier_token);
	flows_thread_online();
}

/* The timeouts of flow_table_new(), and the period that keeps them. */
static void flow_set_timeouts(struct flow_table *ft, uint64_t timeout_ns, uint64_t closed_ns,
			      uint64_t active_ns)
{
	uint64_t p;

	ft->cfg.timeout_ns = timeout_ns ? timeout_ns : FLOW_TIMEOUT_DEFAULT_NS;
	ft->cfg.closed_timeout_ns = closed_ns ? closed_ns : FLOW_CLOSED_TIMEOUT_DEFAULT_NS;
	if (ft->cfg.closed_timeout_ns > ft->cfg.timeout_ns)
		ft->cfg.closed_timeout_ns = ft->cfg.timeout_ns;
	if (ft->cfg.on_active && active_ns)
		ft->cfg.active_timeout_ns = active_ns;
	/* Only ever shorter: the period the caller chose is an upper bound. */
	p = flow_table_maintain_period(ft);
	if (p < ft->period_ns)
		ft->period_ns = p;
}

void flow_table_set_timeouts(struct flow_table *ft, uint64_t timeout_ns, uint64_t closed_ns,
			     uint64_t active_ns)
{
	pthread_mutex_lock(&ft->stop_lock);
	if (ft->thread_started) {
		ft->retune = true;
		ft->retune_timeout_ns = timeout_ns;
		ft->retune_closed_ns = closed_ns;
		ft->retune_active_ns = active_ns;
		pthread_cond_signal(&ft->stop_cond);
	} else {
		flow_set_timeouts(ft, timeout_ns, closed_ns, active_ns);
	}
	pthread_mutex_unlock(&ft->stop_lock);
}

static uint64_t flow_thread_cpu_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts))
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void *flow_expiry_main(void *arg)
{
	struct flow_table *ft = arg;
	uint64_t pass_ns = 0;
	bool stop;

	pthread_setname_np(pthread_self(), "xdpi-flows");
	if (ft->cfg.thread_enter && ft->cfg.thread_enter())
		return NULL;
	rcu_register_thread();
	for (;;) {
		struct timespec until;
		uint64_t t, wait = ft->period_ns, stretched = FLOW_MAINTAIN_SHARE * pass_ns;
		uint64_t bound = flow_table_maintain_period(ft);

		/* A pass walks every record: a big table is walked less often,
		 * so that the walk takes at most 1/FLOW_MAINTAIN_SHARE of a
		 * CPU, but never so rarely that a flow outlives its timeout
		 * by more than half of it. */
		if (stretched > wait)
			wait = stretched < bound ? stretched : bound;
		flows_thread_offline();
		clock_gettime(CLOCK_REALTIME, &until);
		t = (uint64_t)until.tv_nsec + wait;
		until.tv_sec += (time_t)(t / 1000000000u);
		until.tv_nsec = (long)(t % 1000000000u);
		pthread_mutex_lock(&ft->stop_lock);
		while (!ft->stop && !ft->retune &&
		       pthread_cond_timedwait(&ft->stop_cond, &ft->stop_lock, &until) == 0)
			;
		stop = ft->stop;
		if (ft->retune) {
			flow_set_timeouts(ft, ft->retune_timeout_ns, ft->retune_closed_ns,
					  ft->retune_active_ns);
			ft->retune = false;
		}
		pthread_mutex_unlock(&ft->stop_lock);
		rcu_thread_online();
		if (stop)
			break;
		/* The pass's own CPU time: on a busy CPU its wall time is
		 * mostly waiting, which the stretch must not count. */
		t = flow_thread_cpu_ns();
		flow_table_maintain(ft, xdpi_wall_ns());
		/* A moving average: one long pass (the top-N feed, every
		 * FLOW_TOP_FEED_NS) must not space out the evictions after it. */
		pass_ns = (3 * pass_ns + (flow_thread_cpu_ns() - t)) / 4;
	}
	flows_thread_unregister();
	return NULL;
}

int flow_table_start_expiry(struct flow_table *ft, uint64_t period_ns)
{
	int ret;

	ft->period_ns = period_ns;
	ft->stop = false;
	ret = pthread_create(&ft->thread, NULL, flow_expiry_main, ft);
	if (ret)
		return -ret;
	ft->thread_started = true;
	return 0;
}

void flow_table_stop_expiry(struct flow_table *ft)
{
	if (!ft->thread_started)
		return;
	pthread_mutex_lock(&ft->stop_lock);
	ft->stop = true;
	pthread_cond_signal(&ft->stop_cond);
	pthread_mutex_unlock(&ft->stop_lock);
	pthread_join(ft->thread, NULL);
	ft->thread_started = false;
}
