// SPDX-License-Identifier: MIT
/*
 * The per-queue receive loop. Per batch: one peek on the RX ring, a parse and
 * an account per frame (or nothing with inspection off), one reserve/submit on
 * the fill ring and one release on the RX ring. No syscall unless the ring
 * was empty (then poll(), or with busy polling a recvfrom() that runs the
 * NAPI poll here) or the fill ring asks for a wakeup.
 *
 * Idle (docs/live.md, "Where the receive work runs"): a busy-poll syscall
 * only helps where the socket has a NAPI to poll. Where it has none (veth
 * on Linux 6.13+) the syscall polls nothing: the NAPI work stays with the
 * sender's softirq and the worker burns its CPU in syscalls. So the worker
 * starts spinning in userspace, reads the socket's NAPI id once after its
 * first frames, and switches to busy polling only if there is one. A spin
 * that outlasts its budget without a frame ends in poll().
 *
 * The spin budget adapts, like an adaptive mutex: spinning pays only on a
 * CPU the worker has to itself. Where something else is runnable there (a
 * generator, another worker, the NAPI thread) the spin takes its time slices
 * and delays the very work that would bring frames. So the worker
 * measures, every millisecond of idling, how much of it was taken
 * from it while it spun (gaps between two turns of the spin loop, no
 * syscall): more than a quarter, and the spin stops (budget 0); else the
 * budget grows back by 1/64 of idle_spin_ns, so a shared CPU stays shared.
 * Waking up from a sleep is not counted: a halted vCPU is slow to wake,
 * and that is no other thread's doing.
 *
 * With a flow table (QSBR RCU, inspect/flows.h) the worker is a registered
 * reader: it reports a quiescent state once per batch (pipeline_publish())
 * and on every idle turn, and goes offline around the sleep in worker_idle.
 */
#include "worker.h"

#include <errno.h>
#include <stdio.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "../util/clock.h"
#include "../util/log.h"
#include "../util/sandbox.h"

/* A draining worker exits after this many empty polls in a row. */
#define WORKER_DRAIN_EMPTY_POLLS 3

static int worker_init_common(struct worker *w, uint32_t queue_id, uint32_t batch, int cpu,
			      const struct pipeline_config *cfg)
{
	struct pipeline_config live = *cfg;
	int ret;

	memset(w, 0, sizeof(*w));
	live.filter = NULL; /* the XDP program has filtered */
	ret = pipeline_init(&w->pipe, &live);
	if (ret)
		return ret;
	w->batch = batch;
	w->queue_id = queue_id;
	w->cpu = cpu;
	w->poll_timeout_ms = 100;
	w->idle_spin_ns = WORKER_IDLE_SPIN_NS;
	w->spin_budget_ns = WORKER_IDLE_SPIN_NS;
	w->idle = WORKER_IDLE_SPIN_SLEEP;
	return 0;
}

int worker_init(struct worker *w, struct xdpi_xsk *xsk, uint32_t batch, int cpu,
		const struct pipeline_config *cfg)
{
	int ret = worker_init_common(w, xsk->queue_id, batch, cpu, cfg);

	if (!ret)
		w->xsk = xsk;
	return ret;
}

void worker_set_idle_spin(struct worker *w, uint64_t ns)
{
	w->idle_spin_ns = ns;
	w->spin_budget_ns = ns;
}

void worker_set_test_faults(struct worker *w, uint64_t stall_ns, uint64_t delay_ns,
			    bool sandbox_fails)
{
	w->test_stall_ns = stall_ns;
	w->test_delay_ns = delay_ns;
	w->test_hooks = stall_ns || delay_ns;
	w->test_sandbox_fails = sandbox_fails;
}

int worker_init_passive(struct worker *w, struct xdpi_copyring *ring, uint32_t batch, int cpu,
			const struct pipeline_config *cfg)
{
	int ret = worker_init_common(w, ring->queue_id, batch, cpu, cfg);

	if (!ret) {
		w->ring = ring;
		/* No socket, no NAPI id to learn: the controller knows now. */
		w->napi_checked = true;
		/* The program wakes a sleeping worker only once a share of
		 * the ring waits (xdpi.bpf.c, ring_wake_bytes): a short sleep
		 * keeps a trickle of frames from waiting longer. */
		w->poll_timeout_ms = 10;
	}
	return ret;
}

/* The metadata the XDP program put before @frame (bpf/xdpi_shared.h), or
 * NULL. Its magic is cleared on the way: the UMEM frame comes back with
 * another frame, which may come without. */
static inline struct xdpi_rx_meta *worker_meta(uint8_t *frame)
{
	struct xdpi_rx_meta *m = (struct xdpi_rx_meta *)(void *)(frame - sizeof(*m));

	if (m->magic != XDPI_META_MAGIC)
		return NULL;
	m->magic = 0;
	return m;
}

/*
 * One frame that is more than a plain buffer: its descriptors from @idx
 * (the chain ends at the first without XDP_PKT_CONTD, which the batch
 * holds: worker_whole_frames()), and its metadata. Returns the number of
 * descriptors it took.
 */
static __attribute__((noinline)) uint32_t worker_frame_ext(struct worker *w, uint32_t idx,
							   const struct xdpi_rx_meta *meta,
							   const struct seqcheck_clock *now)
{
	struct xdpi_xsk *x = w->xsk;
	struct pipeline_frame_ext fx = {0};
	const struct xdp_desc *d;
	uint32_t n = 0, skip = w->meta_head; /* in the first buffer only */

	do {
		d = xdpi_xsk_rx_desc(x, idx + n);
		if (fx.nparts < PIPELINE_MAX_PARTS) {
			fx.part[fx.nparts] = xdpi_xsk_frame(x, d->addr) + skip;
			fx.part_len[fx.nparts++] = d->len - skip;
		}
		fx.len += d->len - skip;
		skip = 0;
		n++;
	} while (d->options & XDP_PKT_CONTD);
	if (meta) {
		fx.stripped_tag = meta->flags & XDPI_META_VLAN;
		fx.tci = meta->vlan_tci;
		fx.tag_proto = meta->vlan_proto;
		if (meta->flags & XDPI_META_TIMESTAMP)
			fx.rx_timestamp_ns = meta->rx_timestamp_ns;
	}
	pipeline_frame_ext(&w->pipe, &fx, now);
	return n;
}

#define WORKER_HEADERS_AHEAD 4
#define WORKER_BUCKET_AHEAD 2

/* The frames of one batch through the pipeline, with the stages of this
 * run fixed at compile time (pipeline_frame()'s constant flags). */
static inline __attribute__((always_inline)) void
worker_frames(struct worker *w, uint32_t idx, uint32_t n, const bool inspect, const bool check_seq)
{
	struct xdpi_xsk *x = w->xsk;
	/* The clocks the latency needs, read once per batch (vDSO, no syscall). */
	struct seqcheck_clock now = {0};
	/* The batch's time, and the offset that turns the program's
	 * CLOCK_MONOTONIC stamp of each frame into wall time: the frames of
	 * a batch arrived over as long as the worker took to come back. */
	const uint64_t batch_mono = xdpi_mono_ns();
	const uint64_t mono_to_wall = xdpi_wall_ns() - batch_mono;

	if (check_seq)
		seqcheck_clock_read(w->pipe.seq, &now);
	if (w->pipe.tap) /* the write stage's time stamp, without a frame's own */
		w->pipe.tap_ts_ns = batch_mono;
	if (w->pipe.cfg.flows) /* flows are dated: the wall clock */
		pipeline_clock(&w->pipe, batch_mono + mono_to_wall);

	/* The frames were written by another CPU (the copy into the UMEM runs
	 * in NAPI): start loading the headers WORKER_HEADERS_AHEAD frames
	 * ahead, and the flow index bucket of the frame WORKER_BUCKET_AHEAD
	 * ahead (its headers are in by then), so that neither miss stalls the
	 * frame being parsed. Without inspection the frame is never read. */
	const bool flows = inspect && w->pipe.cfg.flows;

	for (uint32_t i = 0; inspect && i < n && i < WORKER_HEADERS_AHEAD; i++)
		__builtin_prefetch(xdpi_xsk_frame(x, xdpi_xsk_rx_desc(x, idx + i)->addr));
	for (uint32_t i = 0; i < n; i++) {
		const struct xdp_desc *d = xdpi_xsk_rx_desc(x, idx + i);
		uint8_t *frame = xdpi_xsk_frame(x, d->addr) + w->meta_head;
		const uint32_t len = d->len - w->meta_head;
		const struct xdpi_rx_meta *meta = w->rx_meta ? worker_meta(frame) : NULL;

		if (inspect && i + WORKER_HEADERS_AHEAD < n)
			__builtin_prefetch(xdpi_xsk_frame(
				x, xdpi_xsk_rx_desc(x, idx + i + WORKER_HEADERS_AHEAD)->addr));
		if (flows && i + WORKER_BUCKET_AHEAD < n) {
			const struct xdp_desc *a =
				xdpi_xsk_rx_desc(x, idx + i + WORKER_BUCKET_AHEAD);

			flow_worker_prefetch(&w->pipe.fw, xdpi_xsk_frame(x, a->addr) + w->meta_head,
					     a->len - w->meta_head);
		}
		if (meta && (meta->flags & XDPI_META_MONO_TIME)) {
			w->pipe.tap_ts_ns = meta->rx_timestamp_ns;
			if (w->pipe.cfg.flows)
				pipeline_clock(&w->pipe, meta->rx_timestamp_ns + mono_to_wall);
		}
		/* A chain of buffers, a stripped tag or the NIC's time: out
		 * of line. The RSS hash alone changes nothing here. */
		if (__builtin_expect((d->options & XDP_PKT_CONTD) ||
					     (meta && (meta->flags &
						       (XDPI_META_VLAN | XDPI_META_TIMESTAMP))),
				     0)) {
			i += worker_frame_ext(w, idx + i, meta, check_seq ? &now : NULL) - 1;
			continue;
		}
		pipeline_frame(&w->pipe, frame, len, len, &now, false, inspect, check_seq);
	}
}

/* Passive: up to a batch of copies, read in place in the ring; the XDP
 * program timed each one, and that is the receive time. */
static inline __attribute__((always_inline)) uint32_t
worker_copies(struct worker *w, unsigned long prod, const bool inspect, const bool check_seq)
{
	struct seqcheck_clock batch = {0}, now = {0};
	const struct xdpi_copy_rec *rec;
	uint32_t n = 0;

	const uint64_t mono_to_wall = xdpi_wall_ns() - xdpi_mono_ns();

	if (check_seq) /* once per batch, as in worker_frames() */
		seqcheck_clock_read(w->pipe.seq, &batch);
	while (n < w->batch && (rec = xdpi_copyring_next(w->ring, prod))) {
		/* Each copy dated by the program that made it. */
		if (w->pipe.cfg.flows)
			pipeline_clock(&w->pipe, rec->ts_ns + mono_to_wall);
		w->copies_out += rec->flags & XDPI_COPY_OUT;
		if (check_seq) {
			/* The record's own time; the wall clock moved back by
			 * as much as the monotonic one since then. */
			uint32_t ago = batch.mono_ns - (uint32_t)rec->ts_ns;

			now.mono_ns = (uint32_t)rec->ts_ns;
			now.real_sec = batch.real_sec -
				       (uint32_t)(((uint64_t)ago + 999999999u - batch.real_nsec) /
						  1000000000u);
			now.real_nsec = (uint32_t)(((uint64_t)batch.real_nsec + 1000000000u -
						    ago % 1000000000u) %
						   1000000000u);
		}
		w->pipe.tap_ts_ns = rec->ts_ns;
		pipeline_frame(&w->pipe, rec->data, rec->cap_len, rec->wire_len, &now, false,
			       inspect, check_seq);
		n++;
	}
	return n;
}

static inline uint32_t worker_ring_batch(struct worker *w)
{
	const struct pipeline_config *cfg = &w->pipe.cfg;
	unsigned long prod = xdpi_copyring_producer(w->ring);
	uint32_t n;

	if (!cfg->inspect)
		n = worker_copies(w, prod, false, false);
	else if (cfg->check_seq)
		n = worker_copies(w, prod, true, true);
	else
		n = worker_copies(w, prod, true, false);
	if (!n)
		return 0;
	xdpi_copyring_release(w->ring);
	pipeline_publish(&w->pipe);
	w->batches++;
	return n;
}

/* Descriptors a frame may take beyond a batch: the kernel splits a frame
 * into at most MAX_SKB_FRAGS + 1 (18) buffers. */
#define WORKER_CHAIN_MAX 64

/*
 * Multi-buffer: a batch ends on a frame's last buffer, so that a frame is
 * parsed and its buffers given back together. A batch that stops inside a
 * frame takes up to WORKER_CHAIN_MAX more descriptors to finish it; a
 * frame still unfinished (its last buffers not in the ring yet) is left in
 * the ring for the next batch. Returns the descriptors to process.
 */
static uint32_t worker_whole_frames(struct worker *w, uint32_t idx, uint32_t n)
{
	struct xdpi_xsk *x = w->xsk;
	uint32_t more_idx, keep;

	if (!(xdpi_xsk_rx_desc(x, idx + n - 1)->options & XDP_PKT_CONTD))
		return n;
	n += xdpi_xsk_rx_peek(x, WORKER_CHAIN_MAX, &more_idx);
	for (keep = n; keep && (xdpi_xsk_rx_desc(x, idx + keep - 1)->options & XDP_PKT_CONTD);
	     keep--)
		;
	xdpi_xsk_rx_unpeek(x, n - keep);
	return keep;
}

static inline uint32_t worker_batch(struct worker *w)
{
	const struct pipeline_config *cfg = &w->pipe.cfg;
	uint32_t idx, n;

	if (w->ring)
		return worker_ring_batch(w);
	n = xdpi_xsk_rx_peek(w->xsk, w->batch, &idx);
	if (n && w->xsk->multi_buffer)
		n = worker_whole_frames(w, idx, n);
	if (!n)
		return 0;
	if (!cfg->inspect)
		worker_frames(w, idx, n, false, false);
	else if (cfg->check_seq)
		worker_frames(w, idx, n, true, true);
	else
		worker_frames(w, idx, n, true, false);
	xdpi_xsk_rx_done(w->xsk, idx, n);
	pipeline_publish(&w->pipe);
	w->batches++;
	return n;
}

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield" ::: "memory");
#endif
}

/* Once, after the first frames: the kernel has recorded the socket's NAPI
 * (or never will). One syscall in the life of the worker. */
static void worker_check_napi(struct worker *w)
{
	uint32_t id = xdpi_xsk_napi_id(w->xsk);

	if (id && w->xsk->busy_poll)
		w->idle = WORKER_IDLE_BUSY_POLL;
	w->napi_id = id;
	__atomic_store_n(&w->napi_checked, true, __ATOMIC_RELEASE);
}

/* A gap this long between two turns of the spin loop is time the worker was
 * preempted while it spun: a scheduler tick or a kernel thread's blip is
 * far shorter. */
#define WORKER_STOLEN_GAP_NS 50000
#define WORKER_SPIN_CHECK_NS 1000000
/* Stolen more than this share of a check period: the CPU is contended. */
#define WORKER_STOLEN_MAX_NS (WORKER_SPIN_CHECK_NS / 4)

/* See the file comment: stop spinning while the CPU is contended. */
static void worker_adapt_spin(struct worker *w)
{
	if (w->stolen_ns > WORKER_STOLEN_MAX_NS) {
		w->spin_budget_ns = 0;
		w->spin_stops++;
	} else if (w->spin_budget_ns < w->idle_spin_ns) {
		/* Back slowly: contention comes and goes in time slices. */
		w->spin_budget_ns += w->idle_spin_ns / 64;
		if (w->spin_budget_ns > w->idle_spin_ns)
			w->spin_budget_ns = w->idle_spin_ns;
	}
	w->stolen_ns = 0;
}

/*
 * The loss monitor's view (struct worker_activity). Every turn of the loop
 * is stamped; a turn that comes long after the previous one, with no sleep
 * between them, is time the thread was not running although it had not
 * chosen to wait: preempted, descheduled, stopped. Those gaps are logged
 * with their times, so that drops counted meanwhile can be laid at them.
 */
static __attribute__((noinline, cold)) void worker_log_gap(struct worker *w, uint64_t start,
							   uint64_t end)
{
	struct worker_activity *a = &w->act;
	struct worker_gap *g = &a->gap[a->gaps % WORKER_GAP_LOG];

	__atomic_store_n(&g->start_ns, start, __ATOMIC_RELAXED);
	__atomic_store_n(&g->end_ns, end, __ATOMIC_RELAXED);
	__atomic_store_n(&a->gaps, a->gaps + 1, __ATOMIC_RELEASE);
	if (end - start > a->longest_gap_ns)
		__atomic_store_n(&a->longest_gap_ns, end - start, __ATOMIC_RELAXED);
}

static inline void worker_turn(struct worker *w, uint64_t now)
{
	struct worker_activity *a = &w->act;

	if (__builtin_expect(now - a->turn_ns >= WORKER_GAP_LOG_NS, 0))
		worker_log_gap(w, a->turn_ns, now);
	__atomic_store_n(&a->turn_ns, now, __ATOMIC_RELEASE);
}

/* A sleep is the worker's own choice: it is not a gap, and drops while it
 * lasts (and while its wake-up is pending) are laid at the sleep. */
static uint64_t worker_sleep_begin(struct worker *w)
{
	__atomic_store_n(&w->act.sleeps, w->act.sleeps + 1, __ATOMIC_RELAXED);
	__atomic_store_n(&w->act.asleep, 1, __ATOMIC_RELEASE);
	return xdpi_mono_ns();
}

/* Past its timeout a sleep is over whatever happens: a wait longer than
 * that by more than a wake-up takes is time the thread could not run
 * (stopped, or its CPU taken), a gap like any other. A stop lands in a
 * sleep as often as not: SIGSTOP wakes a thread from poll() to stop it
 * and the call resumes afterwards, so from here it is just a long poll. */
#define WORKER_OVERSLEEP_NS 2000000

static void worker_sleep_end(struct worker *w, uint64_t began, int timeout_ms)
{
	uint64_t now = xdpi_mono_ns(), due = began + (uint64_t)timeout_ms * 1000000u;

	if (now > due + WORKER_OVERSLEEP_NS)
		worker_log_gap(w, due, now);
	/* The next turn measures its gap from here. */
	__atomic_store_n(&w->act.turn_ns, now, __ATOMIC_RELAXED);
	__atomic_store_n(&w->act.asleep, 0, __ATOMIC_RELEASE);
}

/* What the thread cost, as it exits: for the CPU time per frame. */
static void worker_account_exit(struct worker *w)
{
	struct timespec ts;
	struct rusage ru;

	if (!clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts))
		__atomic_store_n(&w->act.cpu_ns,
				 (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec,
				 __ATOMIC_RELAXED);
	if (!getrusage(RUSAGE_THREAD, &ru)) {
		__atomic_store_n(&w->act.nvcsw, (uint64_t)ru.ru_nvcsw, __ATOMIC_RELAXED);
		__atomic_store_n(&w->act.nivcsw, (uint64_t)ru.ru_nivcsw, __ATOMIC_RELAXED);
	}
	__atomic_store_n(&w->act.exited, 1, __ATOMIC_RELEASE);
}

static void worker_idle(struct worker *w, uint64_t now)
{
	uint64_t began;

	w->empty_polls++;
	if (w->pipe.cfg.flows) /* no batch, no quiescent state: here then */
		flows_quiescent();
	if (w->idle == WORKER_IDLE_BUSY_POLL) {
		xdpi_xsk_kick_rx(w->xsk);
		return;
	}
	if (!w->idle_since_ns)
		w->idle_since_ns = now;
	else if (now - w->last_turn_ns > WORKER_STOLEN_GAP_NS)
		w->stolen_ns += now - w->last_turn_ns;
	w->last_turn_ns = now;
	/* A worker that spins between bursts may never reach a sleep: look
	 * at the CPU's contention every millisecond of idling as well. */
	if (now - w->spin_checked_ns >= WORKER_SPIN_CHECK_NS) {
		w->spin_checked_ns = now;
		worker_adapt_spin(w);
	}
	if (now - w->idle_since_ns < w->spin_budget_ns) {
		cpu_relax();
		return;
	}
	w->sleeps++;
	if (w->pipe.cfg.flows) /* a sleeping reader must not hold up frees */
		flows_thread_offline();
	began = worker_sleep_begin(w);
	if (w->ring)
		xdpi_copyring_wait(w->ring, w->poll_timeout_ms);
	else
		xdpi_xsk_wait_rx(w->xsk, w->poll_timeout_ms);
	worker_sleep_end(w, began, w->poll_timeout_ms);
	if (w->pipe.cfg.flows)
		flows_thread_online();
	w->idle_since_ns = 0; /* spin again before the next sleep */
}

/* Pauses @ns, offline as in worker_idle so that frees of the flow table go
 * on meanwhile. */
static void worker_test_sleep(struct worker *w, uint64_t ns)
{
	struct timespec ts = {.tv_sec = (time_t)(ns / 1000000000u),
			      .tv_nsec = (long)(ns % 1000000000u)};

	if (w->pipe.cfg.flows)
		flows_thread_offline();
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
	if (w->pipe.cfg.flows)
		flows_thread_online();
}

/* The test hooks of capture.c (XDPI_TEST_STALL_QUEUE, XDPI_TEST_SLOW_QUEUE):
 * a worker that stops taking frames while they arrive, as a descheduled
 * thread would, or one slower than its traffic, as on a NIC at line rate. */
static __attribute__((noinline, cold)) void worker_test_hooks(struct worker *w)
{
	uint64_t stall = w->test_stall_ns;

	w->test_stall_ns = 0;
	if (stall)
		worker_test_sleep(w, stall);
	if (w->test_delay_ns)
		worker_test_sleep(w, w->test_delay_ns);
}

/* Named for /proc and the tests; then, before any frame is read, the
 * sandbox. A worker that cannot enter it reads nothing and says so through
 * worker_failed(): the controller ends the run (its frames meanwhile are
 * the socket's drops, in the ledger). */
static int worker_enter_sandbox(struct worker *w)
{
	char name[16];
	int ret;

	snprintf(name, sizeof(name), "xdpi-q%u", w->queue_id);
	pthread_setname_np(pthread_self(), name);
	if (!w->sandbox)
		return 0;
	ret = w->test_sandbox_fails
		      ? -EPERM
		      : sandbox_enter(SANDBOX_WORKER, w->xsk ? w->xsk->fd : w->ring->fd);
	if (ret) {
		xdpi_err("queue %u: the worker cannot enter its sandbox (%s): it stops",
			 w->queue_id, strerror(-ret));
		__atomic_store_n(&w->failed, ret, __ATOMIC_RELEASE);
	}
	return ret;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	int empty_in_drain = 0;

	__atomic_store_n(&w->act.tid, (int32_t)gettid(), __ATOMIC_RELAXED);
	if (worker_enter_sandbox(w)) {
		worker_account_exit(w);
		return NULL;
	}
	__atomic_store_n(&w->act.turn_ns, xdpi_mono_ns(), __ATOMIC_RELEASE);
	if (w->pipe.cfg.flows)
		flows_thread_register();
	for (;;) {
		uint64_t now = xdpi_mono_ns();

		worker_turn(w, now);
		if (worker_batch(w)) {
			empty_in_drain = 0;
			w->idle_since_ns = 0;
			if (!w->napi_checked)
				worker_check_napi(w);
			if (__builtin_expect(w->test_hooks, 0))
				worker_test_hooks(w);
			continue;
		}
		if (__atomic_load_n(&w->phase, __ATOMIC_ACQUIRE) == WORKER_DRAIN) {
			/* Each kick also runs a NAPI poll that may flush more. */
			if (++empty_in_drain >= WORKER_DRAIN_EMPTY_POLLS)
				break;
			if (w->xsk)
				xdpi_xsk_kick_rx(w->xsk);
			continue;
		}
		worker_idle(w, now);
	}
	if (w->pipe.cfg.flows)
		flows_thread_unregister();
	worker_account_exit(w);
	return NULL;
}

void worker_activity_read(const struct worker *w, struct worker_activity *out)
{
	const struct worker_activity *a = &w->act;

	out->exited = __atomic_load_n(&a->exited, __ATOMIC_ACQUIRE);
	out->gaps = __atomic_load_n(&a->gaps, __ATOMIC_ACQUIRE);
	out->turn_ns = __atomic_load_n(&a->turn_ns, __ATOMIC_ACQUIRE);
	out->asleep = __atomic_load_n(&a->asleep, __ATOMIC_ACQUIRE);
	out->sleeps = __atomic_load_n(&a->sleeps, __ATOMIC_RELAXED);
	out->tid = __atomic_load_n(&a->tid, __ATOMIC_RELAXED);
	out->longest_gap_ns = __atomic_load_n(&a->longest_gap_ns, __ATOMIC_RELAXED);
	out->cpu_ns = __atomic_load_n(&a->cpu_ns, __ATOMIC_RELAXED);
	out->nvcsw = __atomic_load_n(&a->nvcsw, __ATOMIC_RELAXED);
	out->nivcsw = __atomic_load_n(&a->nivcsw, __ATOMIC_RELAXED);
	for (int i = 0; i < WORKER_GAP_LOG; i++) {
		out->gap[i].start_ns = __atomic_load_n(&a->gap[i].start_ns, __ATOMIC_RELAXED);
		out->gap[i].end_ns = __atomic_load_n(&a->gap[i].end_ns, __ATOMIC_RELAXED);
	}
}

void worker_snapshot(const struct worker *w, struct pipeline_counters *out)
{
	pipeline_snapshot(&w->pipe, out);
}

int worker_failed(const struct worker *w)
{
	return __atomic_load_n(&w->failed, __ATOMIC_ACQUIRE);
}

bool worker_napi_known(const struct worker *w, uint32_t *napi_id)
{
	if (!__atomic_load_n(&w->napi_checked, __ATOMIC_ACQUIRE))
		return false;
	*napi_id = w->napi_id;
	return true;
}

int worker_start(struct worker *w)
{
	pthread_attr_t attr;
	cpu_set_t set;
	int ret;

	ret = pthread_attr_init(&attr);
	if (ret)
		return -ret;
	if (w->cpu >= 0) {
		CPU_ZERO(&set);
		CPU_SET(w->cpu, &set);
		ret = pthread_attr_setaffinity_np(&attr, sizeof(set), &set);
	}
	if (!ret)
		ret = pthread_create(&w->thread, &attr, worker_main, w);
	pthread_attr_destroy(&attr);
	if (ret)
		return -ret;
	w->started = true;
	return 0;
}

void worker_set_phase(struct worker *w, enum worker_phase phase)
{
	__atomic_store_n(&w->phase, phase, __ATOMIC_RELEASE);
}

void worker_join(struct worker *w)
{
	if (!w->started)
		return;
	pthread_join(w->thread, NULL);
	w->started = false;
}

void worker_destroy(struct worker *w)
{
	if (!w)
		return;
	xdpi_xsk_destroy(w->xsk);
	w->xsk = NULL;
	xdpi_copyring_destroy(w->ring);
	w->ring = NULL;
	pipeline_destroy(&w->pipe);
}
