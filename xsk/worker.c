// SPDX-License-Identifier: MIT
/*
 * The per-queue receive loop. Per batch: one peek on the RX ring, a parse and
 * an account per frame (or nothing with inspection off), one reserve/submit on
 * the fill ring and one release on the RX ring. No syscall unless the ring
 * was empty (then poll(), or with busy polling a recvfrom() that runs the
 * NAPI poll here) or the fill ring asks for a wakeup.
 *
 * The flow table will use QSBR RCU: the worker will report a quiescent state
 * once per batch (end of worker_batch) and go offline around the poll() in
 * worker_idle.
 */
#include "worker.h"

#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../inspect/parse.h"

/* A draining worker exits after this many empty polls in a row. */
#define WORKER_DRAIN_EMPTY_POLLS 3

int worker_init(struct worker *w, struct xsk_ctx *xsk, uint32_t batch, int cpu, bool inspect,
		bool check_seq)
{
	int ret;

	memset(w, 0, sizeof(*w));
	ret = metrics_init(&w->m);
	if (ret)
		return ret;
	if (check_seq) {
		/* Its own cache lines: read and written per packet. */
		w->seq = aligned_alloc(XDPI_CACHELINE, (sizeof(*w->seq) + XDPI_CACHELINE - 1) &
							       ~(size_t)(XDPI_CACHELINE - 1));
		if (!w->seq || seqcheck_init(w->seq)) {
			free(w->seq);
			metrics_destroy(&w->m);
			return -ENOMEM;
		}
	}
	w->xsk = xsk;
	w->batch = batch;
	w->queue_id = xsk->queue_id;
	w->cpu = cpu;
	w->inspect = inspect;
	w->poll_timeout_ms = 100;
	return 0;
}

static inline uint32_t worker_batch(struct worker *w)
{
	struct xsk_ctx *x = w->xsk;
	uint32_t idx, n, i;

	n = xsk_ctx__rx_peek(x, w->batch, &idx);
	if (!n)
		return 0;
	if (w->inspect) {
		uint32_t now = 0;

		if (w->seq) {
			struct timespec ts;

			/* One clock read per batch (vDSO, no syscall). */
			clock_gettime(CLOCK_MONOTONIC, &ts);
			now = (uint32_t)((uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec);
		}
		/* The frames were written by another CPU (the copy into the
		 * UMEM runs in NAPI): start loading the next one's headers
		 * while this one is parsed. */
		__builtin_prefetch(xsk_ctx__frame(x, xsk_ctx__rx_desc(x, idx)->addr));
		for (i = 0; i < n; i++) {
			const struct xdp_desc *d = xsk_ctx__rx_desc(x, idx + i);
			const uint8_t *frame = xsk_ctx__frame(x, d->addr);
			struct pkt_info pi;

			if (i + 1 < n)
				__builtin_prefetch(
					xsk_ctx__frame(x, xsk_ctx__rx_desc(x, idx + i + 1)->addr));
			pkt_parse(frame, d->len, &pi);
			metrics_account(&w->m, &pi, d->len);
			if (w->seq) /* the same way for every frame of a run */
				seqcheck_account(w->seq, &pi, frame, now);
		}
	} else {
		uint64_t bytes = 0;

		for (i = 0; i < n; i++)
			bytes += xsk_ctx__rx_desc(x, idx + i)->len;
		metrics_counter_add(&w->m.c.packets, n);
		metrics_counter_add(&w->m.c.bytes, bytes);
	}
	xsk_ctx__rx_done(x, idx, n);
	w->batches++;
	return n;
}

static void worker_idle(struct worker *w)
{
	w->empty_polls++;
	if (w->xsk->busy_poll)
		xsk_ctx__kick_rx(w->xsk);
	else
		xsk_ctx__wait_rx(w->xsk, w->poll_timeout_ms);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	int empty_in_drain = 0;

	for (;;) {
		if (worker_batch(w)) {
			empty_in_drain = 0;
			continue;
		}
		if (__atomic_load_n(&w->phase, __ATOMIC_ACQUIRE) == WORKER_DRAIN) {
			/* Each kick also runs a NAPI poll that may flush more. */
			if (++empty_in_drain >= WORKER_DRAIN_EMPTY_POLLS)
				break;
			xsk_ctx__kick_rx(w->xsk);
			continue;
		}
		worker_idle(w);
	}
	return NULL;
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
	xsk_ctx__destroy(w->xsk);
	w->xsk = NULL;
	metrics_destroy(&w->m);
	seqcheck_destroy(w->seq);
	free(w->seq);
	w->seq = NULL;
}
