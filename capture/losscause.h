/* SPDX-License-Identifier: MIT */
/*
 * The causes a fill-ring drop is laid at, and the rule that picks one for
 * a monitor interval (capture/losswatch.h has the why; docs/live.md, "Why
 * frames were lost", the how exact). Pure: no thread, no I/O, so the rule
 * is unit-tested (tests/test_losscause.c) and the ledger can carry the
 * figures without knowing where they come from.
 */
#ifndef XDPI_CAPTURE_LOSSCAUSE_H
#define XDPI_CAPTURE_LOSSCAUSE_H

#include <stdbool.h>
#include <stdint.h>

/* A gap this long between two turns of a worker's loop, outside its own
 * sleeps, is logged (xsk/worker.h): far above a scheduler tick or a
 * batch's work, far below what a ring of thousands of frames holds. */
#define LOSS_GAP_NS 100000

enum loss_cause {
	LOSS_RUNNING = 0,
	LOSS_ASLEEP,
	LOSS_OFF_CPU,
	LOSS__CAUSES,
};

/* "running", "asleep", "off_cpu". */
const char *loss_cause_name(enum loss_cause c);

/* One monitor interval, as loss_classify() sees it. */
struct loss_interval {
	uint64_t t0_ns, t1_ns; /* the two samples (monotonic) */
	uint64_t turn_ns;      /* the worker's last turn, read at t1 */
	bool asleep0, asleep1; /* asleep at t0, at t1 */
	uint64_t sleeps0, sleeps1;
	bool gap_overlaps; /* a logged gap overlaps [t0, t1] */
};

/* The cause drops counted in @iv are laid at (capture/losswatch.h). */
enum loss_cause loss_classify(const struct loss_interval *iv);

/* A worker's figures over the run. */
struct loss_report {
	uint64_t fill_empty[LOSS__CAUSES]; /* sums to the socket's fill_empty */
	uint64_t lossy_intervals;	   /* intervals with a drop */
	uint64_t longest_gap_ns, gaps;	   /* gaps between turns (worker.h) */
	uint64_t sleeps;
	/* schedstat: on the CPU, runnable but waiting, time slices */
	uint64_t run_ns, run_delay_ns, timeslices;
	/* as the thread exited: its CPU time, context switches */
	uint64_t cpu_ns, nvcsw, nivcsw;
};

/* "running", "asleep", "off_cpu", or NULL: the cause named @s, or -1. */
int loss_cause_parse(const char *s);

#endif /* XDPI_CAPTURE_LOSSCAUSE_H */
