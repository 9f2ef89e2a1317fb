// SPDX-License-Identifier: MIT
/*
 * The harness's in-process children (bench/inproc.h). Design notes:
 * - Namespace: setns() on /run/netns/NAME (what `ip netns add` made), then
 *   a mount namespace of the child's own with /sys mounted afresh: sysfs
 *   shows the network namespace of whoever mounts it, and the capture
 *   reads queues and knobs there. bpffs is then missing from /sys/fs/bpf;
 *   the capture mounts it itself (steer_ensure_bpffs()), as under `ip
 *   netns exec`.
 * - Signals: the four that stop `xdpi live` stay blocked in the child and
 *   its threads (the workers inherit the mask); the parent says stop
 *   through the shared mapping, read at every tick. A child that does not
 *   answer is killed by the parent, which then removes its leftovers.
 * - Output: the parent's stdio buffers are flushed before the fork, so
 *   that nothing of the parent's is written twice; the child writes its
 *   report straight to descriptor 1 and leaves through _exit().
 */
#include "inproc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <time.h>
#include <unistd.h>

#include "../bpf/steer.h"
#include "../capture/capture.h"
#include "../capture/privdrop.h"
#include "../util/child.h"
#include "../util/clock.h"
#include "../util/log.h"
#include "../util/sandbox.h"
#include "../util/signals.h"

struct bench_shared *bench_shared_map(void)
{
	void *m = mmap(NULL, sizeof(struct bench_shared), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	return m == MAP_FAILED ? NULL : m;
}

void bench_shared_unmap(struct bench_shared *sh)
{
	if (sh)
		munmap(sh, sizeof(*sh));
}

static bool stop_asked(const struct bench_shared *sh)
{
	return __atomic_load_n(&sh->stop, __ATOMIC_ACQUIRE);
}

/* The result is complete: the parent reads it after waitpid(), which
 * orders it anyway; the flag says the child got that far. */
static void done(struct bench_shared *sh)
{
	__atomic_store_n(&sh->done, 1, __ATOMIC_RELEASE);
}

static int ns_enter(const char *ns)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "/run/netns/%s", ns);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		xdpi_err("cannot open the namespace %s: %s", path, strerror(errno));
		return -errno;
	}
	if (setns(fd, CLONE_NEWNET)) {
		xdpi_err("cannot enter the namespace %s: %s", ns, strerror(errno));
		close(fd);
		return -errno;
	}
	close(fd);
	/* Mounts stay ours: nothing propagates back to the host. */
	if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_SLAVE | MS_REC, NULL)) {
		xdpi_err("cannot make a mount namespace: %s", strerror(errno));
		return -errno;
	}
	umount2("/sys", MNT_DETACH);
	if (mount("sysfs", "/sys", "sysfs", 0, NULL)) {
		xdpi_err("cannot mount the namespace's sysfs: %s", strerror(errno));
		return -errno;
	}
	return 0;
}

pid_t bench_fork(int out_fd, int err_fd, const cpu_set_t *cpus, const char *ns,
		 const char *log_prefix, bench_child_fn fn, void *arg)
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid)
		return pid < 0 ? -errno : pid;
	if (dup2(out_fd, 1) < 0 || dup2(err_fd, 2) < 0)
		_exit(126);
	xdpi_child_prepare(3);
	if (xdpi_signals_block())
		_exit(126);
	/* The harness keeps itself off the receiver's CPUs
	 * (bench_pin_harness()); its children choose their own. */
	if (cpus)
		sched_setaffinity(0, sizeof(*cpus), cpus);
	xdpi_log_set_prefix(log_prefix);
	if (ns && ns_enter(ns))
		_exit(1);
	_exit(fn(arg) ? 1 : 0);
}

/* Sleeps a tick, or less when the parent asks to stop. */
static void tick_sleep(const struct bench_shared *sh, int ms)
{
	for (int i = 0; i < ms / 10 && !stop_asked(sh); i++) {
		struct timespec ts = {0, 10 * 1000000L};

		nanosleep(&ts, NULL);
	}
}

/* The run after capture_start(): ticks until the parent says stop, or the
 * run cannot go on. */
static const char *xdpi_loop(struct capture *c, const struct capture_opts *o,
			     struct bench_shared *sh, int *fault)
{
	while (!stop_asked(sh)) {
		if (!o->keep_privileges && sandbox_failures()) {
			xdpi_err("a thread could not enter its sandbox: stopping the run");
			*fault = -EPERM;
			return "sandbox failed";
		}
		*fault = capture_tick(c);
		if (*fault == -ENODEV) {
			xdpi_err("%s: the interface went away during the run", o->ifname);
			return "interface gone";
		}
		if (*fault) {
			xdpi_err("a worker stopped: stopping the run");
			return "worker failed";
		}
		tick_sleep(sh, CAPTURE_TICK_MS);
	}
	/* The harness ends the run when its traffic's duration is over. */
	return "duration reached (the harness's)";
}

static void xdpi_hand_back(struct bench_shared *sh, const struct capture_result *res)
{
	int n = res->ledger.count < XDPI_MAX_QUEUES ? res->ledger.count : XDPI_MAX_QUEUES;

	sh->packets = res->total.m.c.packets;
	sh->unexplained = res->ledger.unexplained;
	sh->nqueues = n;
	memcpy(sh->q, res->ledger.q, (size_t)n * sizeof(sh->q[0]));
}

int bench_child_xdpi(void *arg)
{
	const struct bench_xdpi_child *x = arg;
	const struct capture_opts *o = x->o;
	struct capture_result res;
	const char *why;
	struct capture *c;
	int ret, fault = 0;

	ret = capture_privs_begin(o);
	if (!ret)
		ret = capture_open(o, &c);
	if (ret)
		return ret;
	ret = capture_start(c);
	if (ret) {
		capture_close(c);
		return ret;
	}
	if (o->ceiling)
		xdpi_info("ready: counting and dropping in the XDP program (ceiling mode)");
	else
		xdpi_info("ready: %d worker%s receiving", capture_queue_count(c),
			  capture_queue_count(c) == 1 ? "" : "s");
	__atomic_store_n(&x->sh->ready, 1, __ATOMIC_RELEASE);
	why = xdpi_loop(c, o, x->sh, &fault);
	capture_stop(c);
	ret = capture_result(c, &res);
	if (ret) {
		xdpi_err("cannot build the result: %s", strerror(-ret));
		capture_close(c);
		return ret;
	}
	xdpi_hand_back(x->sh, &res);
	if (x->report) {
		json_t *j = x->report(o, c, &res, why);

		if (!j || json_dumpfd(j, 1, JSON_COMPACT))
			xdpi_warn("cannot write the receiver's report");
		json_decref(j);
	}
	capture_result_free(&res);
	capture_close(c);
	if (!fault)
		done(x->sh);
	return fault;
}

int bench_child_afpacket(void *arg)
{
	const struct bench_afp_child *x = arg;
	struct afp_rx *a;
	double start;

	if (x->cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(x->cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set)) {
			xdpi_err("cannot pin to CPU %d", x->cpu);
			return -EINVAL;
		}
	}
	a = afp_rx_open(x->ifname);
	if (!a)
		return -EIO;
	xdpi_info("ready: capturing %s with libpcap (%s)", x->ifname, afp_rx_lib_version());
	__atomic_store_n(&x->sh->ready, 1, __ATOMIC_RELEASE);
	start = xdpi_now();
	while (!stop_asked(x->sh)) {
		struct pollfd pfd = {.fd = afp_rx_fd(a), .events = POLLIN};

		if (poll(&pfd, 1, CAPTURE_TICK_MS) < 0 && errno != EINTR)
			break;
		afp_rx_drain(a, 0);
	}
	afp_rx_drain(a, 0);
	x->sh->afp_seconds = xdpi_now() - start;
	afp_rx_counts(a, &x->sh->afp);
	afp_rx_close(a);
	done(x->sh);
	return 0;
}

int bench_child_gen(void *arg)
{
	const struct bench_gen_child *x = arg;
	uint64_t refused = gen_tx_refused(x->o->ifname);
	char err[256] = "";
	int ret;

	ret = gen_run(x->o, &x->sh->stop, &x->sh->gen, err, sizeof(err));
	if (ret) {
		xdpi_err("%s", *err ? err : strerror(-ret));
		return ret;
	}
	x->sh->gen_refused = gen_tx_refused(x->o->ifname) - refused;
	done(x->sh);
	return 0;
}

int bench_child_detach(void *ifname)
{
	char err[256];
	int ret = steer_detach_iface(ifname, false, err, sizeof(err));

	if (ret < 0)
		xdpi_err("%s: %s", (const char *)ifname, err);
	return ret < 0 ? ret : 0;
}
