/* SPDX-License-Identifier: MIT */
/*
 * Why frames were lost: the loss monitor. A socket whose fill ring is
 * empty drops what arrives (the ledger's fill_empty). Whether that is "the
 * inspector is too slow" or "the host took the CPU away" decides what a
 * user does next, and no counter of the kernel's tells them apart. So a
 * thread samples, every LOSSWATCH_PERIOD_US, each socket's fill_empty
 * count (XDP_STATISTICS) beside what its worker published
 * (struct worker_activity: the time of its last turn, whether it sleeps,
 * the gaps between turns that it did not choose), and lays the drops
 * counted in each interval at one cause:
 *
 *   off_cpu  a gap between two turns of the worker overlaps the interval,
 *            or one is in progress at its end: the thread was runnable or
 *            stopped but not running (preempted, a vCPU descheduled by the
 *            host, SIGSTOP);
 *   asleep   else, the worker slept in its idle wait during the interval
 *            (drops while the wake-up was pending: the wake-up latency);
 *   running  else: the worker ran all along and did not keep up.
 *
 * How exact (docs/live.md, "Why frames were lost"): the split always sums
 * to fill_empty; each drop is laid at the state of the interval it was
 * counted in, which is LOSSWATCH_PERIOD_US long unless the monitor itself
 * was held up (then the interval is longer and takes the worst state seen
 * in it). Gaps shorter than WORKER_GAP_LOG_NS are not seen; they cannot
 * empty a ring of thousands of frames either.
 *
 * The monitor also keeps each worker's scheduling figures from
 * /proc/self/task/TID/schedstat (run time, run delay: time runnable but
 * not running, time slices), read each period while the thread lives.
 *
 * Concurrency: one thread of its own; losswatch_read() from the owner
 * after losswatch_stop(). It holds no capability.
 *
 * Errors: 0 or a negative errno.
 */
#ifndef XDPI_CAPTURE_LOSSWATCH_H
#define XDPI_CAPTURE_LOSSWATCH_H

#include "../xsk/worker.h"
#include "losscause.h"

#define LOSSWATCH_PERIOD_US 2000

struct losswatch;

/* Starts the monitor over @n workers (their sockets; a worker without a
 * socket is skipped). The workers must outlive it. */
int losswatch_start(struct worker *workers, int n, bool sandbox, struct losswatch **out);
/* After the workers were joined: a last sample (so that the split sums to
 * the final counters), then the thread ends. Accepts NULL. */
void losswatch_stop(struct losswatch *lw);
/* After losswatch_stop(): worker @i's figures. */
void losswatch_read(const struct losswatch *lw, int i, struct loss_report *out);
/* Accepts NULL. */
void losswatch_free(struct losswatch *lw);

#endif /* XDPI_CAPTURE_LOSSWATCH_H */
