/* SPDX-License-Identifier: MIT */
/*
 * The harness's children that run this binary's own engines: a fork that
 * enters a testbed namespace and calls the engine's API directly (the
 * capture for an xdpi receiver, bench/afpacket.h, the generator), with no
 * exec and no command line. What it measured comes back typed, through a
 * mapping shared with the parent made before the fork; nothing is parsed.
 *
 * A child is still a process of its own, so that what a receiver is
 * measured on stays as `xdpi live` runs it (its pinned workers, its
 * privileges dropped, its sandbox, its loss monitor), and so that one
 * that crashes or hangs costs the harness only a SIGKILL and a clean-up.
 *
 * Internal to bench/ (benchrun.c). Errors: int functions return 0 or a
 * negative errno, logged through util/log.h.
 */
#ifndef XDPI_BENCH_INPROC_H
#define XDPI_BENCH_INPROC_H

#include <sched.h>
#include <stdint.h>
#include <sys/types.h>

#include "afpacket.h"
#include "benchrun.h"
#include "generator.h"
#include "../capture/ledger.h"
#include "../capture/options.h"

/* What a child reports, written by it alone but for @stop. */
struct bench_shared {
	int ready; /* the child is receiving (atomic) */
	int stop;  /* the parent asks it to stop (atomic) */
	int done;  /* its result below is complete (atomic) */
	/* An xdpi receiver: the frames its pipelines took and its ledger. */
	uint64_t packets;
	int64_t unexplained;
	int nqueues;
	struct ledger_queue q[XDPI_MAX_QUEUES];
	/* The AF_PACKET receiver. */
	struct afp_counts afp;
	double afp_seconds;
	/* The generator, and the frames the peer refused meanwhile. */
	struct gen_result gen;
	uint64_t gen_refused;
};

/* A zeroed mapping shared with the children forked after; NULL on error. */
struct bench_shared *bench_shared_map(void);
/* Accepts NULL. */
void bench_shared_unmap(struct bench_shared *sh);

/* What a child does once it is set up: its exit status (0: success). */
typedef int (*bench_child_fn)(void *arg);

/* Forks a child with stdout and stderr on @out_fd and @err_fd, default
 * signal dispositions but SIGINT, SIGTERM, SIGHUP and SIGQUIT blocked (its
 * parent stops it through bench_shared.stop), every descriptor above 2
 * closed, @cpus its affinity, in network namespace @ns (NULL: this one)
 * with a fresh sysfs of that namespace, as `ip netns exec` gives; then
 * runs @fn(@arg) and exits with what it returns. The pid or -errno. */
pid_t bench_fork(int out_fd, int err_fd, const cpu_set_t *cpus, const char *ns,
		 const char *log_prefix, bench_child_fn fn, void *arg);

/* Child bodies. */
struct bench_xdpi_child {
	const struct capture_opts *o;
	bench_rx_report_fn report; /* NULL: no report on stdout */
	struct bench_shared *sh;
};
int bench_child_xdpi(void *arg);

struct bench_afp_child {
	const char *ifname;
	int cpu;
	struct bench_shared *sh;
};
int bench_child_afpacket(void *arg);

struct bench_gen_child {
	const struct gen_opts *o;
	struct bench_shared *sh;
};
int bench_child_gen(void *arg);

/* Removes what a killed xdpi receiver left on @ifname (its XDP program),
 * as `xdpi detach` does. */
int bench_child_detach(void *ifname);

#endif /* XDPI_BENCH_INPROC_H */
