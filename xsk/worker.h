/* SPDX-License-Identifier: MIT */
/*
 * A worker: one thread per RX queue, pinned to one CPU, owning its AF_XDP
 * socket, its UMEM and its metrics. It takes up to `batch` descriptors,
 * parses each frame in place in the UMEM, accounts it, and gives the frames
 * back to the fill ring in the same batch.
 *
 * Stop protocol (docs/live.md, the ledger): the controller first tells the
 * XDP program to stop redirecting, waits for frames already redirected to
 * land, then sets WORKER_DRAIN; a draining worker empties its RX ring and
 * exits. So every redirected frame is either inspected or in the socket's
 * drop counters when the ledger is read.
 *
 * Concurrency: the worker thread writes everything in struct worker except
 * `phase` (written by the controller). While it runs, other threads read
 * its counters with worker_snapshot() (published once per batch, see
 * inspect/pipeline.h) and its NAPI id with worker_napi_known(); the rest
 * after worker_join().
 *
 * Errors: int functions return 0 or a negative errno.
 */
#ifndef XDPI_XSK_WORKER_H
#define XDPI_XSK_WORKER_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "../inspect/pipeline.h"
#include "copyring.h"
#include "xsk.h"

/* How an idle worker (RX ring empty) waits for the next frame. */
enum worker_idle {
	/* Spin in userspace on the RX ring for up to idle_spin_ns after the
	 * last frame, then sleep in poll(): no syscall while traffic flows,
	 * no wake-up latency within a burst, no CPU burnt when it stops. */
	WORKER_IDLE_SPIN_SLEEP = 0,
	/* A busy-poll syscall that runs the queue's NAPI poll on this CPU.
	 * Only where the socket has a NAPI id: without one the syscall polls
	 * nothing (xdpi_xsk_napi_id()). */
	WORKER_IDLE_BUSY_POLL,
};

/* Default spin before sleeping: longer than the gap between a paced
 * generator's bursts and than a VM's vCPU wake-up, short enough to cost
 * nothing measurable when traffic stops. */
#define WORKER_IDLE_SPIN_NS 1000000

/* A gap this long between two turns of the receive loop, outside its own
 * sleeps, is logged (struct worker_activity): far above a scheduler tick
 * or a batch's work, far below what a ring of thousands of frames holds. */
#define WORKER_GAP_LOG_NS 100000
#define WORKER_GAP_LOG 32

/*
 * What the worker was doing, published for the loss monitor
 * (capture/losswatch.h), which tells from it why the fill ring ran dry:
 * written only by the worker (once per turn of its loop, on a line of its
 * own), read by any thread with atomic loads.
 */
struct worker_activity {
	uint64_t turn_ns;	 /* monotonic time of the last turn outside a sleep */
	uint64_t sleeps;	 /* sleeps begun */
	uint32_t asleep;	 /* in its idle sleep now */
	int32_t tid;		 /* for /proc/self/task/TID */
	uint64_t longest_gap_ns; /* between two turns, outside sleeps */
	uint64_t gaps;		 /* gaps logged; gap[i % WORKER_GAP_LOG] */
	/* Set as the thread exits: its CPU time and context switches. */
	uint64_t cpu_ns, nvcsw, nivcsw;
	uint32_t exited;
	struct worker_gap {
		uint64_t start_ns, end_ns;
	} gap[WORKER_GAP_LOG];
};

enum worker_phase {
	WORKER_RUN = 0,
	WORKER_DRAIN, /* the XDP program no longer redirects: empty the ring */
};

struct worker {
	/* Owned by the worker thread; first, on its own cache lines. */
	struct pipeline pipe;
	uint64_t batches;
	uint64_t empty_polls;
	uint64_t sleeps;	  /* poll() calls after the spin ran out */
	uint64_t idle_since_ns;	  /* 0 while frames arrive */
	uint64_t spin_budget_ns;  /* adaptive, up to idle_spin_ns (worker.c) */
	uint64_t spin_checked_ns; /* when the worker last looked */
	uint64_t last_turn_ns;	  /* the spin loop's previous turn */
	uint64_t stolen_ns;	  /* preempted while spinning, this check period */
	uint64_t spin_stops;	  /* times the budget was cut: the CPU is shared */
	uint64_t copies_out;	  /* passive: copies of frames sent, read */
	/* Test hooks (capture.c): pause once, or after every batch. */
	uint64_t test_stall_ns, test_delay_ns;
	bool test_hooks;	 /* either is set: one branch per batch */
	bool test_sandbox_fails; /* entering the sandbox fails (EPERM) */
	enum worker_idle idle;	 /* read by the controller after the run */
	uint32_t napi_id;	 /* SO_INCOMING_NAPI_ID, read once after frames */
	bool napi_checked;	 /* napi_id is set; release, read by the controller */
	int failed;		 /* -errno: it could not start receiving; release */

	struct worker_activity act __attribute__((aligned(XDPI_CACHELINE)));

	/* Set up before start, read-only afterwards. */
	/* The source: an AF_XDP socket, or in passive mode a copy ring. */
	struct xdpi_xsk *xsk __attribute__((aligned(XDPI_CACHELINE)));
	struct xdpi_copyring *ring;
	uint32_t batch;
	uint32_t queue_id;
	int cpu; /* -1: not pinned */
	/* Enter util/sandbox.h before the first frame. */
	bool sandbox;
	/* The XDP program writes a struct xdpi_rx_meta before each frame
	 * (bpf/xdpi_shared.h): read it, per frame. With the driver's data,
	 * or only the time the program saw the frame (XDPI_META_MONO_TIME),
	 * which then dates the frame instead of its batch. */
	bool rx_meta;
	/* Bytes in front of each frame in its buffer (the struct, where the
	 * program put it in the frame's head: steer_meta_head_bytes()). */
	uint32_t meta_head;
	int poll_timeout_ms;
	uint64_t idle_spin_ns;

	/* Written by the controller. */
	int phase __attribute__((aligned(XDPI_CACHELINE)));
	pthread_t thread;
	bool started;
};

/* Takes ownership of @xsk. Returns 0 or -ENOMEM (then @xsk is not taken).
 * Each frame goes through a pipeline configured by @cfg (its filter is not
 * applied: the XDP program has selected the frames). */
int worker_init(struct worker *w, struct xdpi_xsk *xsk, uint32_t batch, int cpu,
		const struct pipeline_config *cfg);
/* Passive mode: the same, reading the copies in @ring (taken over). */
/* Before worker_start(): spin up to @ns on an empty ring before sleeping
 * (the budget adapts below it, worker.c). */
void worker_set_idle_spin(struct worker *w, uint64_t ns);
/* Before worker_start(), for tests (capture/testhooks.h): pause @stall_ns
 * once after the first batch, @delay_ns after every batch, and fail to
 * enter the sandbox. All 0/false: none. */
void worker_set_test_faults(struct worker *w, uint64_t stall_ns, uint64_t delay_ns,
			    bool sandbox_fails);
int worker_init_passive(struct worker *w, struct xdpi_copyring *ring, uint32_t batch, int cpu,
			const struct pipeline_config *cfg);
/* Starts the thread, pinned to w->cpu. */
int worker_start(struct worker *w);
void worker_set_phase(struct worker *w, enum worker_phase phase);
/* True once the worker has read its socket's NAPI id (after its first
 * frames), then the id (0: none) in *@napi_id. Any thread. */
bool worker_napi_known(const struct worker *w, uint32_t *napi_id);
/* Any thread: 0 while the worker receives (or has not begun), else the
 * negative errno it stopped on before its first frame (its sandbox). */
int worker_failed(const struct worker *w);
/* Any thread: the counters as of the worker's last batch. */
void worker_snapshot(const struct worker *w, struct pipeline_counters *out);
/* Any thread: a copy of what the worker published last (the gap log may
 * be torn: see losswatch.c for how it is read). */
void worker_activity_read(const struct worker *w, struct worker_activity *out);
/* Waits for the thread to exit (after WORKER_DRAIN). */
void worker_join(struct worker *w);
/* Frees the socket and metrics; the thread must have been joined. */
void worker_destroy(struct worker *w);

#endif /* XDPI_XSK_WORKER_H */
