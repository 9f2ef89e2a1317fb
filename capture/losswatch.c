// SPDX-License-Identifier: MIT
/*
 * Design: one thread, asleep between samples (clock_nanosleep on an
 * absolute monotonic deadline, so a late wake-up does not shift the next
 * one). Per sample and worker: one getsockopt() (fill_empty), atomic loads
 * of the worker's activity line, one pread() of its schedstat. No lock is
 * shared with a worker; the only cross-thread writes are the worker's own
 * activity line and this thread's stop flag.
 *
 * The gap log is a ring the worker overwrites: a gap is taken only when it
 * is certain not to have been overwritten while read (its index is within
 * WORKER_GAP_LOG of the count read after it), and only gaps that end after
 * the previous sample can overlap the interval.
 */
#include "losswatch.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/if_xdp.h>

#include "../util/clock.h"
#include "../util/sandbox.h"

/* The worker logs gaps from the length the rule assumes. */
_Static_assert(WORKER_GAP_LOG_NS == LOSS_GAP_NS, "one gap threshold");

/* What the monitor keeps of one worker between samples. */
struct watched {
	struct worker *w;
	int sched_fd; /* /proc/self/task/TID/schedstat; -1 until the TID is known */
	uint64_t fill_empty;
	uint64_t gaps_seen; /* gap log entries already looked at */
	uint64_t last_gap_end_ns;
	bool asleep;
	/* Drops counted while the worker was asleep at the sample, laid at a
	 * cause one sample later (sample_one()). */
	uint64_t pending;
	uint64_t pending_t0;
	bool pending_asleep0;
	uint64_t pending_sleeps0;
	struct loss_report rep;
};

struct losswatch {
	struct watched *q;
	int n;
	pthread_t thread;
	bool started;
	bool sandbox;
	int stop; /* atomic */
	uint64_t t_prev;
};

static void sched_read(struct watched *q, int32_t tid)
{
	char buf[96];
	ssize_t len;
	unsigned long long run, delay, slices;

	if (q->sched_fd < 0 && tid > 0) {
		char path[64];

		snprintf(path, sizeof(path), "/proc/self/task/%d/schedstat", (int)tid);
		q->sched_fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	if (q->sched_fd < 0)
		return;
	/* Once the thread has exited this fails (ESRCH): the last good
	 * figures stay. */
	len = pread(q->sched_fd, buf, sizeof(buf) - 1, 0);
	if (len <= 0)
		return;
	buf[len] = 0;
	if (sscanf(buf, "%llu %llu %llu", &run, &delay, &slices) == 3) {
		q->rep.run_ns = run;
		q->rep.run_delay_ns = delay;
		q->rep.timeslices = slices;
	}
}

/* Whether a gap the worker logged since the last look overlaps
 * [@t0, @t1]; remembers what it has seen. */
static bool gaps_overlap(struct watched *q, const struct worker_activity *a, uint64_t t0,
			 uint64_t t1)
{
	uint64_t from = q->gaps_seen, upto = a->gaps;
	bool overlap = false;

	if (upto - from > WORKER_GAP_LOG)
		from = upto - WORKER_GAP_LOG;
	for (uint64_t i = from; i < upto; i++) {
		const struct worker_gap *g = &a->gap[i % WORKER_GAP_LOG];

		if (g->start_ns < t1 && g->end_ns > t0)
			overlap = true;
	}
	/* A gap that ended inside the last interval but was logged only
	 * after its sample: it still overlapped the interval being
	 * classified if it ended after t0, which the loop above checks. */
	q->gaps_seen = upto;
	return overlap;
}

static void sample_one(struct watched *q, uint64_t t0, uint64_t t1, bool final)
{
	struct worker_activity a;
	struct xdp_statistics st;
	struct loss_interval iv;
	uint64_t dropped;

	if (!q->w->xsk)
		return;
	worker_activity_read(q->w, &a);
	sched_read(q, a.tid);
	if (xdpi_xsk_stats(q->w->xsk, &st))
		return;
	/* Drops held over from the last sample are classified over both
	 * intervals, from the facts at the first one's start. */
	iv = (struct loss_interval){
		.t0_ns = q->pending ? q->pending_t0 : t0,
		.t1_ns = t1,
		.turn_ns = a.turn_ns,
		.asleep0 = q->pending ? q->pending_asleep0 : q->asleep,
		.asleep1 = a.asleep,
		.sleeps0 = q->pending ? q->pending_sleeps0 : q->rep.sleeps,
		.sleeps1 = a.sleeps,
	};
	iv.gap_overlaps = gaps_overlap(q, &a, iv.t0_ns, t1);
	/* An exited worker turns no more: its interval ends at its last
	 * turn, or its absence would read as a gap. */
	if (a.exited && a.turn_ns < t1)
		iv.t1_ns = a.turn_ns > t0 ? a.turn_ns : t0;
	dropped = st.rx_fill_ring_empty_descs > q->fill_empty
			  ? st.rx_fill_ring_empty_descs - q->fill_empty
			  : 0;
	if (dropped)
		q->rep.lossy_intervals++;
	/* Asleep at the sample with drops: a wake-up that has not come, or a
	 * thread stopped in its sleep, which it logs as a gap once it runs
	 * (worker_sleep_end()). One period later tells them apart. */
	if (dropped && a.asleep && !iv.gap_overlaps && !a.exited && !final && !q->pending) {
		q->pending = dropped;
		q->pending_t0 = t0;
		q->pending_asleep0 = q->asleep;
		q->pending_sleeps0 = q->rep.sleeps;
	} else if (dropped || q->pending) {
		q->rep.fill_empty[loss_classify(&iv)] += dropped + q->pending;
		q->pending = 0;
	}
	q->fill_empty = st.rx_fill_ring_empty_descs;
	q->asleep = a.asleep;
	q->rep.sleeps = a.sleeps;
	q->rep.longest_gap_ns = a.longest_gap_ns;
	q->rep.gaps = a.gaps;
	q->rep.cpu_ns = a.cpu_ns;
	q->rep.nvcsw = a.nvcsw;
	q->rep.nivcsw = a.nivcsw;
}

static void sample(struct losswatch *lw, bool final)
{
	uint64_t now = xdpi_mono_ns();

	for (int i = 0; i < lw->n; i++)
		sample_one(&lw->q[i], lw->t_prev, now, final);
	lw->t_prev = now;
}

static void *losswatch_main(void *arg)
{
	struct losswatch *lw = arg;
	struct timespec next;

	pthread_setname_np(pthread_self(), "xdpi-losswatch");
	/* It reads counters and /proc/self: nothing that needs a privilege.
	 * A failure is counted and stops a live run. */
	if (lw->sandbox && sandbox_enter(SANDBOX_LOSSWATCH, -1))
		return NULL;
	clock_gettime(CLOCK_MONOTONIC, &next);
	while (!__atomic_load_n(&lw->stop, __ATOMIC_ACQUIRE)) {
		next.tv_nsec += LOSSWATCH_PERIOD_US * 1000L;
		if (next.tv_nsec >= 1000000000L) {
			next.tv_nsec -= 1000000000L;
			next.tv_sec++;
		}
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL) == EINTR)
			;
		sample(lw, false);
		/* Held up for longer than a period: start afresh from now,
		 * or the loop would run the missed periods back to back. */
		if (xdpi_mono_ns() > (uint64_t)next.tv_sec * 1000000000u + (uint64_t)next.tv_nsec +
					     4ull * LOSSWATCH_PERIOD_US * 1000)
			clock_gettime(CLOCK_MONOTONIC, &next);
	}
	return NULL;
}

int losswatch_start(struct worker *workers, int n, bool sandbox, struct losswatch **out)
{
	struct losswatch *lw = calloc(1, sizeof(*lw));
	sigset_t all, old;
	int ret;

	*out = NULL;
	if (!lw)
		return -ENOMEM;
	lw->q = calloc((size_t)(n ? n : 1), sizeof(*lw->q));
	if (!lw->q) {
		free(lw);
		return -ENOMEM;
	}
	lw->n = n;
	lw->sandbox = sandbox;
	/* The sockets are this run's: every drop they counted, also before
	 * the first sample (a worker not yet running: off its CPU), is laid
	 * at a cause, so that the split sums to fill_empty. */
	for (int i = 0; i < n; i++) {
		lw->q[i].w = &workers[i];
		lw->q[i].sched_fd = -1;
	}
	lw->t_prev = xdpi_mono_ns();
	/* Signals are the controlling thread's to take. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	ret = pthread_create(&lw->thread, NULL, losswatch_main, lw);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (ret) {
		losswatch_free(lw);
		return -ret;
	}
	lw->started = true;
	*out = lw;
	return 0;
}

void losswatch_stop(struct losswatch *lw)
{
	if (!lw || !lw->started)
		return;
	__atomic_store_n(&lw->stop, 1, __ATOMIC_RELEASE);
	pthread_join(lw->thread, NULL);
	lw->started = false;
	/* The workers have exited: this sample takes the last drops. */
	sample(lw, true);
}

void losswatch_read(const struct losswatch *lw, int i, struct loss_report *out)
{
	memset(out, 0, sizeof(*out));
	if (lw && i >= 0 && i < lw->n)
		*out = lw->q[i].rep;
}

void losswatch_free(struct losswatch *lw)
{
	if (!lw)
		return;
	losswatch_stop(lw);
	for (int i = 0; i < lw->n; i++)
		if (lw->q[i].sched_fd >= 0)
			close(lw->q[i].sched_fd);
	free(lw->q);
	free(lw);
}
