// SPDX-License-Identifier: MIT
/*
 * xdpi live: attach the steering program, one AF_XDP socket and one pinned
 * worker per RX queue, a live table every interval, and at the end the same
 * summary as `xdpi read` plus the per-queue drop ledger.
 *
 * Design notes:
 * - Every resource taken in live_setup() has one owner (struct live_run)
 *   and one release path (live_teardown()), also when setup fails halfway:
 *   nothing stays attached to the interface.
 * - SIGINT/SIGTERM are blocked in every thread and read from a signalfd by
 *   the main thread, which is also the reporter; no work in a handler.
 * - Shutdown is ordered so that the ledger closes exactly: the program stops
 *   redirecting, frames already redirected land, the workers drain their RX
 *   rings, and only then are the counters read (struct worker, docs/live.md).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "cmd.h"
#include "../bpf/steer.h"
#include "../capture/ledger.h"
#include "../export/ledger_report.h"
#include "../inspect/filter.h"
#include "../inspect/report.h"
#include "../xsk/iface.h"
#include "../xsk/worker.h"

/* How long frames redirected just before the stop flag may take to reach
 * the RX rings: a NAPI poll is microseconds; this is generous. */
#define LIVE_STOP_GRACE_US 50000
/* IRQ deferral for sockets that really busy-poll: the kernel's napi.rst
 * recommends a small count; the timeout is sized from the ring
 * (iface_safe_deferral_ns()). */
#define LIVE_NAPI_DEFER "2"
/* How often the reporter looks for workers that learned their NAPI id. */
#define LIVE_NAPI_CHECK_MS 100

struct live_opts {
	const char *ifname;
	enum xdpi_filter filter;
	enum steer_xdp_mode xdp_mode;
	struct xdpi_xsk_opts xsk;
	uint32_t batch;
	int queues[XDPI_MAX_QUEUES];
	int nqueues; /* 0: all of the interface's */
	int cpus[CPU_SETSIZE];
	int ncpus; /* 0: spread over the allowed CPUs */
	double interval;
	double duration; /* 0: until a signal */
	uint32_t idle_spin_us;
	const char *record;
	bool json;
	bool inspect;
	bool check_seq;
	bool ceiling; /* count-and-drop in the XDP program, no sockets */
	bool force;
	bool verbose;
};

struct live_run {
	const struct live_opts *o;
	struct steer *steer;
	struct worker *workers;
	int nworkers;
	int iface_queues;
	struct iface_knob napi_defer, gro_flush;
	struct iface_rx_path rx_path;
	bool *napi_reported; /* per worker: its NAPI id was acted upon */
	int sigfd;
	double started, stopped;
	const char *stop_reason;
	FILE *table; /* stdout, or stderr when stdout carries JSON */
	uint64_t *prev_packets, *prev_bytes;
	double prev_time;
	/* Driver counters at start: the ledger reports this run's share. */
	struct iface_queue_counters *iface_start;
};

static void live_usage(FILE *out)
{
	fprintf(out,
		"Usage: xdpi live [OPTIONS] IFACE\n\n"
		"Steers the wanted frames of every RX queue of IFACE into an AF_XDP\n"
		"socket with an XDP program, inspects them with one pinned worker per\n"
		"queue, prints a live table, and at the end the metrics (as `xdpi read`)\n"
		"and the drop ledger, which accounts for every redirected frame\n"
		"(docs/live.md).\n\n"
		"Traffic and duration:\n"
		"  -f, --filter F        frames to steer: tcp (default), udp, ip, all;\n"
		"                        the rest passes to the kernel untouched\n"
		"  -d, --duration S      stop after S seconds (default: at SIGINT/SIGTERM)\n"
		"  -i, --interval S      live table every S seconds (default 1, 0: off)\n"
		"      --no-inspect      receive and return frames without parsing them\n"
		"      --ceiling         no sockets: the XDP program counts and drops the\n"
		"                        wanted frames (the in-kernel ceiling `xdpi bench`\n"
		"                        compares with); the ledger shows them as dropped\n"
		"      --check-seq       check the stamps of `xdpi gen` traffic: frames\n"
		"                        lost, duplicated, reordered per flow, and one-way\n"
		"                        latency percentiles\n"
		"Queues and workers:\n"
		"  -q, --queues LIST     RX queues, e.g. 0,2-3 (default: all)\n"
		"  -c, --cpus LIST       CPUs to pin the workers to, in queue order\n"
		"                        (default: spread over the CPUs this process may\n"
		"                        use, so taskset and cpusets are respected)\n"
		"  -b, --batch N         descriptors per batch, 1..4096 (default 64)\n"
		"Sockets:\n"
		"  -m, --mode M          auto (default: zero-copy, else copy), zerocopy, copy\n"
		"  -x, --xdp-mode M      auto (default: native, else skb), native, skb\n"
		"      --frame-size N    UMEM frame size: 2048 or 4096 (default 2048)\n"
		"      --fill-size N     RX frames of the UMEM; the fill ring is twice\n"
		"                        this (default 8192)\n"
		"      --comp-size N     completion ring size (default 2048)\n"
		"      --rx-size N       RX ring size (default 8192); ring sizes are\n"
		"                        powers of two from 64 to 32768\n"
		"      --no-busy-poll    no preferred busy polling. By default a socket\n"
		"                        that has a NAPI to poll busy-polls it from the\n"
		"                        worker's CPU, and xdpi then sets the interface's\n"
		"                        napi_defer_hard_irqs and a gro_flush_timeout\n"
		"                        sized from its ring (restored on exit); a socket\n"
		"                        without one (veth) spins, then sleeps\n"
		"      --busy-poll-usecs N  SO_BUSY_POLL (default 20)\n"
		"      --idle-spin-us N  how long an idle worker spins on its ring before\n"
		"                        it sleeps in poll() (default 1000; 0: at once)\n"
		"      --no-need-wakeup  do not use the need_wakeup flag\n"
		"Output:\n"
		"  -j, --json            print one JSON object on stdout at the end (the\n"
		"                        `xdpi read` keys plus queues and ledger); the\n"
		"                        live table goes to stderr\n"
		"  -r, --record FILE     write the same JSON record to FILE, for\n"
		"                        `xdpi compare`\n"
		"      --force           replace an XDP program libxdp cannot share\n"
		"  -v, --verbose         show libxdp's and libbpf's messages\n"
		"  -h, --help            this text\n\n"
		"Exit status: 0 when the run ended cleanly and the ledger closed, 1 on a\n"
		"setup or runtime error or unexplained packets, 2 on a usage error.\n");
}

enum {
	OPT_NO_INSPECT = 256,
	OPT_CHECK_SEQ,
	OPT_CEILING,
	OPT_FRAME_SIZE,
	OPT_FILL_SIZE,
	OPT_COMP_SIZE,
	OPT_RX_SIZE,
	OPT_NO_BUSY_POLL,
	OPT_BUSY_POLL_USECS,
	OPT_NO_NEED_WAKEUP,
	OPT_FORCE,
	OPT_IDLE_SPIN_US,
};

static int parse_mode(const char *s, const char *const *names, int n)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(s, names[i]))
			return i;
	return -EINVAL;
}

static int live_parse(int argc, char **argv, struct live_opts *o)
{
	static const struct option opts[] = {
		{"filter", required_argument, NULL, 'f'},
		{"duration", required_argument, NULL, 'd'},
		{"interval", required_argument, NULL, 'i'},
		{"no-inspect", no_argument, NULL, OPT_NO_INSPECT},
		{"check-seq", no_argument, NULL, OPT_CHECK_SEQ},
		{"ceiling", no_argument, NULL, OPT_CEILING},
		{"queues", required_argument, NULL, 'q'},
		{"cpus", required_argument, NULL, 'c'},
		{"batch", required_argument, NULL, 'b'},
		{"mode", required_argument, NULL, 'm'},
		{"xdp-mode", required_argument, NULL, 'x'},
		{"frame-size", required_argument, NULL, OPT_FRAME_SIZE},
		{"fill-size", required_argument, NULL, OPT_FILL_SIZE},
		{"comp-size", required_argument, NULL, OPT_COMP_SIZE},
		{"rx-size", required_argument, NULL, OPT_RX_SIZE},
		{"no-busy-poll", no_argument, NULL, OPT_NO_BUSY_POLL},
		{"busy-poll-usecs", required_argument, NULL, OPT_BUSY_POLL_USECS},
		{"no-need-wakeup", no_argument, NULL, OPT_NO_NEED_WAKEUP},
		{"idle-spin-us", required_argument, NULL, OPT_IDLE_SPIN_US},
		{"json", no_argument, NULL, 'j'},
		{"record", required_argument, NULL, 'r'},
		{"force", no_argument, NULL, OPT_FORCE},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	static const char *const sock_modes[] = {"auto", "zerocopy", "copy"};
	static const char *const xdp_modes[] = {"auto", "native", "skb"};
	int c, v;

	memset(o, 0, sizeof(*o));
	xdpi_xsk_opts_defaults(&o->xsk);
	o->filter = XDPI_FILTER_TCP;
	o->batch = 64;
	o->interval = 1.0;
	o->inspect = true;
	o->idle_spin_us = WORKER_IDLE_SPIN_NS / 1000;

	optind = 1;
	while ((c = getopt_long(argc, argv, "f:d:i:q:c:b:m:x:jr:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			v = xdpi_filter_parse(optarg);
			if (v < 0)
				goto bad;
			o->filter = (enum xdpi_filter)v;
			break;
		case 'd':
			if (xdpi_parse_seconds(optarg, &o->duration))
				goto bad;
			break;
		case 'i':
			if (xdpi_parse_seconds(optarg, &o->interval))
				goto bad;
			break;
		case OPT_NO_INSPECT:
			o->inspect = false;
			break;
		case OPT_CHECK_SEQ:
			o->check_seq = true;
			break;
		case OPT_CEILING:
			o->ceiling = true;
			break;
		case 'q':
			o->nqueues = xdpi_parse_list(optarg, o->queues, XDPI_MAX_QUEUES,
						     XDPI_MAX_QUEUES);
			if (o->nqueues < 0)
				goto bad;
			break;
		case 'c':
			o->ncpus = xdpi_parse_list(optarg, o->cpus, CPU_SETSIZE, CPU_SETSIZE);
			if (o->ncpus < 0)
				goto bad;
			break;
		case 'b':
			if (xdpi_parse_u32(optarg, 1, 4096, &o->batch))
				goto bad;
			break;
		case 'm':
			v = parse_mode(optarg, sock_modes, 3);
			if (v < 0)
				goto bad;
			o->xsk.mode = (enum xdpi_xsk_mode)v;
			break;
		case 'x':
			v = parse_mode(optarg, xdp_modes, 3);
			if (v < 0)
				goto bad;
			o->xdp_mode = (enum steer_xdp_mode)v;
			break;
		case OPT_FRAME_SIZE:
			if (xdpi_parse_u32(optarg, 0, UINT32_MAX, &o->xsk.frame_size))
				goto bad;
			break;
		case OPT_FILL_SIZE:
			if (xdpi_parse_u32(optarg, 0, UINT32_MAX, &o->xsk.fill_size))
				goto bad;
			break;
		case OPT_COMP_SIZE:
			if (xdpi_parse_u32(optarg, 0, UINT32_MAX, &o->xsk.comp_size))
				goto bad;
			break;
		case OPT_RX_SIZE:
			if (xdpi_parse_u32(optarg, 0, UINT32_MAX, &o->xsk.rx_size))
				goto bad;
			break;
		case OPT_NO_BUSY_POLL:
			o->xsk.busy_poll = false;
			break;
		case OPT_BUSY_POLL_USECS:
			if (xdpi_parse_u32(optarg, 0, 1000000, &o->xsk.busy_poll_usecs))
				goto bad;
			break;
		case OPT_NO_NEED_WAKEUP:
			o->xsk.need_wakeup = false;
			break;
		case OPT_IDLE_SPIN_US:
			if (xdpi_parse_u32(optarg, 0, 1000000, &o->idle_spin_us))
				goto bad;
			break;
		case 'j':
			o->json = true;
			break;
		case 'r':
			o->record = optarg;
			break;
		case OPT_FORCE:
			o->force = true;
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'h':
			live_usage(stdout);
			return 1;
		default:
			live_usage(stderr);
			return -EINVAL;
		}
	}
	if (optind != argc - 1) {
		xdpi_err("live takes exactly one IFACE (see 'xdpi live --help')");
		return -EINVAL;
	}
	if (o->check_seq && !o->inspect) {
		xdpi_err("--check-seq reads the frames: it cannot go with --no-inspect");
		return -EINVAL;
	}
	o->ifname = argv[optind];
	o->xsk.ifname = o->ifname;
	o->xsk.busy_poll_budget = o->batch;
	return 0;
bad:
	xdpi_err("invalid value '%s' for option %s (see 'xdpi live --help')", optarg,
		 xdpi_opt_name(argv, optarg));
	return -EINVAL;
}

/* The reporter (this thread) wakes every LIVE_NAPI_CHECK_MS and at each
 * interval: keep it off the workers' CPUs where any other CPU is allowed,
 * so that it never takes a worker's CPU while frames arrive. */
static void live_pin_reporter(const cpu_set_t *allowed, const int *cpu_of, int nworkers)
{
	cpu_set_t rest = *allowed;

	for (int i = 0; i < nworkers; i++)
		CPU_CLR(cpu_of[i], &rest);
	if (CPU_COUNT(&rest))
		sched_setaffinity(0, sizeof(rest), &rest);
}

/* Worker i gets --cpus[i], or the i-th CPU this process may run on. Two
 * workers on one CPU halve each other: allowed, never silently. */
static int live_pick_cpus(const struct live_opts *o, int nworkers, int *cpu_of)
{
	cpu_set_t allowed;
	int list[CPU_SETSIZE], n = 0;

	if (sched_getaffinity(0, sizeof(allowed), &allowed))
		return -errno;
	for (int c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, &allowed))
			list[n++] = c;
	if (o->ncpus) {
		if (o->ncpus < nworkers) {
			xdpi_err("%d workers but only %d CPUs in --cpus", nworkers, o->ncpus);
			return -EINVAL;
		}
		for (int i = 0; i < nworkers; i++) {
			if (!CPU_ISSET(o->cpus[i], &allowed)) {
				xdpi_err("CPU %d is not available to this process (taskset/cpuset)",
					 o->cpus[i]);
				return -EINVAL;
			}
			cpu_of[i] = o->cpus[i];
		}
		live_pin_reporter(&allowed, cpu_of, nworkers);
		return 0;
	}
	for (int i = 0; i < nworkers; i++)
		cpu_of[i] = list[i % n];
	live_pin_reporter(&allowed, cpu_of, nworkers);
	if (nworkers > n)
		xdpi_warn("%d workers share %d CPUs: workers %d and %d both run on CPU %d",
			  nworkers, n, 0, n, cpu_of[0]);
	return 0;
}

static void live_teardown(struct live_run *r)
{
	for (int i = 0; r->workers && i < r->nworkers; i++) {
		worker_set_phase(&r->workers[i], WORKER_DRAIN);
		worker_join(&r->workers[i]);
	}
	/* Detach first: from then on nothing new reaches the sockets. */
	steer_destroy(r->steer);
	r->steer = NULL;
	for (int i = 0; r->workers && i < r->nworkers; i++)
		worker_destroy(&r->workers[i]);
	free(r->workers);
	r->workers = NULL;
	if (iface_knob_restore(&r->napi_defer) | iface_knob_restore(&r->gro_flush))
		xdpi_warn("could not restore %s's napi_defer_hard_irqs/gro_flush_timeout",
			  r->o->ifname);
	if (r->sigfd >= 0)
		close(r->sigfd);
	r->sigfd = -1;
	free(r->prev_packets);
	free(r->prev_bytes);
	r->prev_packets = r->prev_bytes = NULL;
	free(r->iface_start);
	r->iface_start = NULL;
	free(r->napi_reported);
	r->napi_reported = NULL;
}

/* Called once the first worker busy-polls a real NAPI: hold the device's
 * hard IRQs off while it polls, for no longer than its ring absorbs. */
static void live_setup_deferral(struct live_run *r)
{
	const char *ifn = r->o->ifname;
	char flush[16];
	uint32_t ns = iface_safe_deferral_ns(&r->rx_path);
	int ret;

	snprintf(flush, sizeof(flush), "%u", ns);
	ret = iface_knob_set(&r->napi_defer, ifn, "napi_defer_hard_irqs", LIVE_NAPI_DEFER);
	if (!ret)
		ret = iface_knob_set(&r->gro_flush, ifn, "gro_flush_timeout", flush);
	if (ret) {
		xdpi_warn("cannot set %s's napi_defer_hard_irqs/gro_flush_timeout (%s): busy "
			  "polling may not keep the NAPI work on the workers' CPUs",
			  ifn, strerror(-ret));
		return;
	}
	fprintf(stderr,
		"xdpi: busy polling: %s napi_defer_hard_irqs %s->%s, gro_flush_timeout %s->%s ns "
		"(%u-slot %sring at %u Mb/s holds %u ns of 64-byte frames; halved; restored on "
		"exit)\n",
		ifn, r->napi_defer.saved, LIVE_NAPI_DEFER, r->gro_flush.saved, flush,
		r->rx_path.ring_depth, r->rx_path.ring_guessed ? "(assumed) " : "",
		r->rx_path.speed_mbps, ns * 2);
}

/* The reporter's look at workers that have seen their first frames: what
 * their socket's NAPI id allows. Each worker is acted upon once. */
static void live_check_napi(struct live_run *r)
{
	for (int i = 0; i < r->nworkers; i++) {
		struct worker *w = &r->workers[i];
		uint32_t id;

		if (r->napi_reported[i] || !worker_napi_known(w, &id))
			continue;
		r->napi_reported[i] = true;
		if (!w->xsk->busy_poll)
			continue;
		if (!id) {
			fprintf(stderr,
				"xdpi: queue %u: the socket has no NAPI id (driver %s on this "
				"kernel), so busy polling cannot run: the worker spins on its "
				"ring, then sleeps, and the receive work stays where the "
				"driver runs it (docs/live.md)\n",
				w->queue_id, r->rx_path.driver[0] ? r->rx_path.driver : "?");
			continue;
		}
		fprintf(stderr, "xdpi: queue %u: busy polling NAPI %u from cpu %d\n", w->queue_id,
			id, w->cpu);
		if (!r->napi_defer.changed && !r->gro_flush.changed)
			live_setup_deferral(r);
	}
}

/* Settings in force that lose frames whatever xdpi does: said at start-up. */
static void live_warn_rx_path(struct live_run *r)
{
	const char *ifn = r->o->ifname;
	long defer = 0, flush = 0, threaded = 0;

	iface_rx_path(ifn, &r->rx_path);
	iface_knob_read(ifn, "napi_defer_hard_irqs", &defer);
	iface_knob_read(ifn, "gro_flush_timeout", &flush);
	iface_knob_read(ifn, "threaded", &threaded);
	if (defer > 0 && flush > (long)iface_safe_deferral_ns(&r->rx_path) * 2)
		xdpi_warn("%s has napi_defer_hard_irqs %ld and gro_flush_timeout %ld ns: its NAPI "
			  "is held that long after each poll, and its %u-slot ring overflows "
			  "above %.0f pps (set both to 0, or let xdpi size them)",
			  ifn, defer, flush, r->rx_path.ring_depth,
			  iface_deferral_max_pps(&r->rx_path, (uint64_t)flush));
	if (threaded > 0)
		xdpi_warn("%s runs threaded NAPI: its receive work waits for a kthread "
			  "wake-up, which loses frames at moderate rates on hosts with slow "
			  "wake-ups (docs/live.md)",
			  ifn);
}

static int live_setup(struct live_run *r)
{
	const struct live_opts *o = r->o;
	struct steer_opts sopts = {
		.ifname = o->ifname,
		.filter = o->filter,
		.xdp_mode = o->xdp_mode,
		.force = o->force,
		.drop_wanted = o->ceiling,
	};
	int cpu_of[XDPI_MAX_QUEUES] = {0}, queues[XDPI_MAX_QUEUES];
	char err[256];
	sigset_t mask;
	int ret;

	/* Blocked before any thread exists, so every thread inherits it. Every
	 * signal that would end the process by default goes through the
	 * signalfd, so it ends the run through the one teardown (a closed
	 * pipe then fails the write with EPIPE instead of killing). */
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGQUIT);
	sigaddset(&mask, SIGPIPE);
	ret = pthread_sigmask(SIG_BLOCK, &mask, NULL);
	if (ret) {
		xdpi_err("cannot block signals: %s", strerror(ret));
		return -ret;
	}
	sigdelset(&mask, SIGPIPE);
	r->sigfd = signalfd(-1, &mask, SFD_CLOEXEC);
	if (r->sigfd < 0) {
		ret = -errno;
		xdpi_err("cannot set up signal handling: %s", strerror(-ret));
		return ret;
	}

	if (xdpi_xsk_opts_validate(&o->xsk, err, sizeof(err))) {
		xdpi_err("%s", err);
		return -EINVAL;
	}
	if (!if_nametoindex(o->ifname)) {
		xdpi_err("no interface '%s'", o->ifname);
		return -ENODEV;
	}
	ret = xdpi_check_privileges();
	if (ret)
		return ret;
	r->iface_queues = iface_rx_queues(o->ifname);
	if (r->iface_queues < 0) {
		xdpi_err("cannot count %s's RX queues: %s", o->ifname, strerror(-r->iface_queues));
		return r->iface_queues;
	}
	if (r->iface_queues > XDPI_MAX_QUEUES)
		r->iface_queues = XDPI_MAX_QUEUES;
	if (o->nqueues) {
		for (int i = 0; i < o->nqueues; i++) {
			if (o->queues[i] >= r->iface_queues) {
				xdpi_err("queue %d is beyond %s's %d RX queue%s (0-%d)",
					 o->queues[i], o->ifname, r->iface_queues,
					 r->iface_queues == 1 ? "" : "s", r->iface_queues - 1);
				return -EINVAL;
			}
			queues[i] = o->queues[i];
		}
		r->nworkers = o->nqueues;
	} else {
		for (int i = 0; i < r->iface_queues; i++)
			queues[i] = i;
		r->nworkers = r->iface_queues;
	}
	ret = live_pick_cpus(o, r->nworkers, cpu_of);
	if (ret)
		return ret;

	r->iface_start = calloc((size_t)r->iface_queues, sizeof(*r->iface_start));
	if (!r->iface_start) {
		xdpi_err("out of memory");
		return -ENOMEM;
	}
	for (int q = 0; q < r->iface_queues; q++)
		iface_queue_counters(o->ifname, "rx", (uint32_t)q, &r->iface_start[q]);

	ret = steer_ensure_bpffs();
	if (ret == 1)
		fprintf(stderr, "xdpi: mounted bpffs at /sys/fs/bpf (libxdp keeps its "
				"dispatcher state there)\n");
	else if (ret < 0)
		fprintf(stderr,
			"xdpi: no bpffs at /sys/fs/bpf and cannot mount it (%s): "
			"libxdp will attach a single program\n",
			strerror(-ret));

	r->steer = steer_attach(&sopts, err, sizeof(err));
	if (!r->steer) {
		ret = errno ? -errno : -EIO;
		xdpi_err("%s", err);
		return ret;
	}
	fprintf(stderr, "xdpi: XDP program attached to %s in %s mode, %s; filter %s\n", o->ifname,
		steer_xdp_mode_name(r->steer),
		steer_multiprog(r->steer)
			? "through libxdp's dispatcher (shareable)"
			: "as a single program (libxdp's dispatcher is not available here)",
		xdpi_filter_name(o->filter));
	live_warn_rx_path(r);
	if (o->ceiling) {
		r->nworkers = 0;
		r->started = xdpi_now();
		fprintf(stderr, "xdpi: ready: counting and dropping in the XDP program "
				"(ceiling mode, no sockets)\n");
		return 0;
	}

	ret = posix_memalign((void **)&r->workers, XDPI_CACHELINE,
			     sizeof(*r->workers) * (size_t)r->nworkers);
	r->prev_packets = calloc((size_t)r->nworkers, sizeof(uint64_t));
	r->prev_bytes = calloc((size_t)r->nworkers, sizeof(uint64_t));
	r->napi_reported = calloc((size_t)r->nworkers, sizeof(bool));
	if (ret || !r->prev_packets || !r->prev_bytes || !r->napi_reported) {
		if (ret)
			r->workers = NULL;
		xdpi_err("out of memory");
		return -ENOMEM;
	}
	memset(r->workers, 0, sizeof(*r->workers) * (size_t)r->nworkers);
	for (int i = 0; i < r->nworkers; i++) {
		struct xdpi_xsk_opts xo = o->xsk;
		struct xdpi_xsk *x;

		xo.queue_id = (uint32_t)queues[i];
		x = xdpi_xsk_create(&xo, err, sizeof(err));
		if (!x) {
			xdpi_err("%s", err);
			r->nworkers = i; /* tear down only what exists */
			return -EIO;
		}
		ret = worker_init(&r->workers[i], x, o->batch, cpu_of[i], o->inspect, o->check_seq);
		if (ret) {
			xdpi_xsk_destroy(x);
			r->nworkers = i;
			xdpi_err("out of memory");
			return ret;
		}
		r->workers[i].idle_spin_ns = (uint64_t)o->idle_spin_us * 1000;
		r->workers[i].spin_budget_ns = r->workers[i].idle_spin_ns;
		ret = xdpi_xsk_update_xskmap(x, steer_xskmap_fd(r->steer));
		if (ret) {
			r->nworkers = i + 1;
			xdpi_err("cannot add queue %d's socket to the XSKMAP: %s", queues[i],
				 strerror(-ret));
			return ret;
		}
		fprintf(stderr,
			"xdpi: queue %d: AF_XDP %s mode%s, cpu %d, busy polling %s, "
			"UMEM %zu KiB on %s%s\n",
			queues[i], x->zerocopy ? "zero-copy" : "copy",
			!x->zerocopy && o->xsk.mode == XDPI_XSK_MODE_AUTO
				? " (the driver has no zero-copy)"
				: "",
			cpu_of[i],
			x->busy_poll ? "requested" : (o->xsk.busy_poll ? "unavailable" : "off"),
			x->umem_size >> 10, x->hugepages ? "hugepages" : "normal pages",
			x->bind_retries ? " (waited for the kernel to release the queue)" : "");
	}
	r->started = xdpi_now();
	for (int i = 0; i < r->nworkers; i++) {
		ret = worker_start(&r->workers[i]);
		if (ret) {
			xdpi_err("cannot start worker %d: %s", i, strerror(-ret));
			return ret;
		}
	}
	fprintf(stderr, "xdpi: ready: %d worker%s receiving\n", r->nworkers,
		r->nworkers == 1 ? "" : "s");
	return 0;
}

static void live_table_row(struct live_run *r, double now)
{
	double dt = now - r->prev_time;
	uint64_t tp = 0, tb = 0;

	if (dt <= 0)
		return;
	for (int i = 0; i < r->nworkers; i++) {
		struct worker *w = &r->workers[i];
		uint64_t p = metrics_read_packets(&w->m), b = metrics_read_bytes(&w->m);
		struct xdp_statistics st;

		xdpi_xsk_stats(w->xsk, &st);
		fprintf(r->table,
			"%7.1f  q%-4u %12.0f %10.1f %11" PRIu64 " %10" PRIu64 " %11" PRIu64
			"  %s\n",
			now - r->started, w->queue_id, (double)(p - r->prev_packets[i]) / dt,
			(double)(b - r->prev_bytes[i]) * 8 / dt / 1e6, (uint64_t)st.rx_dropped,
			(uint64_t)st.rx_ring_full, (uint64_t)st.rx_fill_ring_empty_descs,
			w->xsk->zerocopy ? "zerocopy" : "copy");
		tp += p - r->prev_packets[i];
		tb += b - r->prev_bytes[i];
		r->prev_packets[i] = p;
		r->prev_bytes[i] = b;
	}
	if (r->nworkers > 1)
		fprintf(r->table, "%7.1f  total %12.0f %10.1f\n", now - r->started, (double)tp / dt,
			(double)tb * 8 / dt / 1e6);
	fflush(r->table);
	r->prev_time = now;
}

static void live_loop(struct live_run *r)
{
	const struct live_opts *o = r->o;
	double deadline = o->duration > 0 ? r->started + o->duration : 0;
	double next = o->interval > 0 ? r->started + o->interval : 0;

	r->prev_time = r->started;
	if (next)
		fprintf(r->table, "%7s  %-5s %12s %10s %11s %10s %11s  %s\n", "time", "queue",
			"pps", "Mbit/s", "rx_dropped", "ring_full", "fill_empty", "mode");
	for (;;) {
		double now = xdpi_now(), wake = 0;
		struct pollfd pfd = {.fd = r->sigfd, .events = POLLIN};
		int timeout;

		if (deadline && now >= deadline) {
			r->stop_reason = "duration reached";
			break;
		}
		if (next && now >= next) {
			live_table_row(r, now);
			next += o->interval;
			continue;
		}
		live_check_napi(r);
		wake = next;
		if (deadline && (!wake || deadline < wake))
			wake = deadline;
		timeout = wake ? (int)((wake - now) * 1000) + 1 : -1;
		if (timeout < 0 || timeout > LIVE_NAPI_CHECK_MS)
			timeout = LIVE_NAPI_CHECK_MS;
		if (poll(&pfd, 1, timeout) > 0) {
			struct signalfd_siginfo si;

			if (read(r->sigfd, &si, sizeof(si)) == sizeof(si)) {
				r->stop_reason = si.ssi_signo == SIGINT	   ? "SIGINT"
						 : si.ssi_signo == SIGTERM ? "SIGTERM"
						 : si.ssi_signo == SIGHUP  ? "SIGHUP"
									   : "SIGQUIT";
				break;
			}
		}
	}
}

/* Ordered stop: see the file comment. */
static void live_stop(struct live_run *r)
{
	int ret = steer_stop(r->steer);

	if (ret)
		xdpi_warn("cannot tell the XDP program to stop (%s): frames arriving "
			  "during shutdown may show as unexplained",
			  strerror(-ret));
	usleep(LIVE_STOP_GRACE_US);
	for (int i = 0; i < r->nworkers; i++)
		worker_set_phase(&r->workers[i], WORKER_DRAIN);
	for (int i = 0; i < r->nworkers; i++)
		worker_join(&r->workers[i]);
	r->stopped = xdpi_now();
}

static int live_ledger(struct live_run *r, struct ledger *l)
{
	l->q = calloc((size_t)r->iface_queues, sizeof(*l->q));
	if (!l->q)
		return -ENOMEM;
	l->count = r->iface_queues;
	for (int q = 0; q < r->iface_queues; q++) {
		struct ledger_queue *e = &l->q[q];

		e->queue = (uint32_t)q;
		steer_queue_stats(r->steer, (uint32_t)q, &e->xdp);
		iface_queue_counters(r->o->ifname, "rx", (uint32_t)q, &e->iface);
		for (int c = 0; c < e->iface.count; c++)
			for (int k = 0; k < r->iface_start[q].count; k++)
				if (!strcmp(e->iface.c[c].name, r->iface_start[q].c[k].name))
					e->iface.c[c].value -= r->iface_start[q].c[k].value;
		for (int i = 0; i < r->nworkers; i++) {
			struct worker *w = &r->workers[i];

			if (w->queue_id != (uint32_t)q)
				continue;
			e->has_socket = true;
			e->inspected = w->m.c.packets;
			xdpi_xsk_stats(w->xsk, &e->sock);
		}
	}
	ledger_close(l);
	return 0;
}

static json_t *seqcheck_json(const struct seqcheck *s)
{
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:{s:I, s:I, s:I, s:I, s:I}}", "flows",
			 (json_int_t)s->flows_seen, "stamped", (json_int_t)s->stamped, "lost",
			 (json_int_t)s->lost, "duplicated", (json_int_t)s->duplicated, "reordered",
			 (json_int_t)s->reordered, "late", (json_int_t)s->late, "latency_ns", "p50",
			 (json_int_t)seqcheck_latency(s, 0.5), "p90",
			 (json_int_t)seqcheck_latency(s, 0.9), "p99",
			 (json_int_t)seqcheck_latency(s, 0.99), "p999",
			 (json_int_t)seqcheck_latency(s, 0.999), "max", (json_int_t)s->lat_max);
}

static void seqcheck_print(FILE *out, const struct seqcheck *s)
{
	fprintf(out,
		"\nSequence check: %" PRIu64 " stamped frames in %" PRIu64 " flows: lost %" PRIu64
		", duplicated %" PRIu64 ", reordered %" PRIu64 "\n"
		"one-way latency: p50 %.1f us, p90 %.1f us, p99 %.1f us, p99.9 %.1f us, max "
		"%.1f us\n",
		s->stamped, s->flows_seen, s->lost, s->duplicated, s->reordered,
		(double)seqcheck_latency(s, 0.5) / 1e3, (double)seqcheck_latency(s, 0.9) / 1e3,
		(double)seqcheck_latency(s, 0.99) / 1e3, (double)seqcheck_latency(s, 0.999) / 1e3,
		(double)s->lat_max / 1e3);
}

/* How the worker waited for frames: what was asked and what the socket
 * allowed (struct worker, enum worker_idle). */
static const char *live_idle_name(const struct worker *w)
{
	if (w->idle == WORKER_IDLE_BUSY_POLL)
		return "busy-poll";
	if (w->xsk->busy_poll && w->napi_checked)
		return "spin-sleep (no NAPI id to busy-poll)";
	return "spin-sleep";
}

static json_t *live_json(struct live_run *r, const struct metrics *total,
			 const struct seqcheck *seq, const struct ledger *l)
{
	json_t *o = report_metrics_json(total), *queues = json_array(), *lj = ledger_to_json(l);

	if (!o || !queues || !lj) {
		json_decref(o);
		json_decref(queues);
		json_decref(lj);
		return NULL;
	}
	for (int i = 0; i < r->nworkers; i++) {
		struct worker *w = &r->workers[i];

		json_array_append_new(
			queues,
			json_pack("{s:i, s:i, s:s, s:s, s:b, s:s, s:I, s:b, s:I, s:I, s:I, s:I, "
				  "s:I, s:I}",
				  "queue", (int)w->queue_id, "cpu", w->cpu, "mode",
				  w->xsk->zerocopy ? "zerocopy" : "copy", "xdp_mode",
				  steer_xdp_mode_name(r->steer), "busy_poll",
				  w->idle == WORKER_IDLE_BUSY_POLL, "idle", live_idle_name(w),
				  "napi_id", (json_int_t)w->napi_id, "hugepages", w->xsk->hugepages,
				  "packets", (json_int_t)w->m.c.packets, "bytes",
				  (json_int_t)w->m.c.bytes, "empty_polls",
				  (json_int_t)w->empty_polls, "sleeps", (json_int_t)w->sleeps,
				  "spin_stops", (json_int_t)w->spin_stops, "bind_retries",
				  (json_int_t)w->xsk->bind_retries));
	}
	json_object_set_new(o, "interface", json_string(r->o->ifname));
	json_object_set_new(o, "filter", json_string(xdpi_filter_name(r->o->filter)));
	json_object_set_new(o, "inspect", json_boolean(r->o->inspect));
	json_object_set_new(o, "ceiling", json_boolean(r->o->ceiling));
	json_object_set_new(o, "duration_s", json_real(r->stopped - r->started));
	json_object_set_new(o, "stop_reason", json_string(r->stop_reason ?: "error"));
	json_object_set_new(o, "queues", queues);
	json_object_set_new(o, "ledger", lj);
	if (seq)
		json_object_set_new(o, "seq_check", seqcheck_json(seq));
	return o;
}

static int live_report(struct live_run *r)
{
	const struct live_opts *o = r->o;
	struct seqcheck seq = {0};
	struct ledger l = {0};
	struct metrics total;
	json_t *obj = NULL;
	int ret;

	ret = metrics_init(&total);
	/* A merge out of memory leaves the distinct counts as lower bounds
	 * (counted in distinct_untracked); the report still stands. */
	for (int i = 0; !ret && i < r->nworkers; i++)
		metrics_merge(&total, &r->workers[i].m);
	for (int i = 0; !ret && o->check_seq && i < r->nworkers; i++)
		seqcheck_merge(&seq, r->workers[i].seq);
	if (!ret)
		ret = live_ledger(r, &l);
	if (!ret && (o->json || o->record)) {
		obj = live_json(r, &total, o->check_seq ? &seq : NULL, &l);
		ret = obj ? 0 : -ENOMEM;
	}
	if (ret) {
		xdpi_err("cannot build the report: %s", strerror(-ret));
		goto out;
	}
	if (o->record && json_dump_file(obj, o->record, JSON_INDENT(1))) {
		xdpi_err("cannot write the record to %s", o->record);
		ret = -EIO;
	}
	if (o->json) {
		if (report_json_print(stdout, obj))
			ret = -EIO;
	} else {
		printf("\nxdpi live %s: %.1f s, stopped by %s, filter %s%s\n", o->ifname,
		       r->stopped - r->started, r->stop_reason, xdpi_filter_name(o->filter),
		       o->ceiling   ? ", ceiling mode (dropped in XDP, nothing inspected)"
		       : o->inspect ? ""
				    : ", inspection off (only packets and bytes count)");
		report_metrics_print(stdout, &total);
		if (o->check_seq)
			seqcheck_print(stdout, &seq);
		ledger_print(stdout, &l);
	}
	if (!ret && l.unexplained) {
		xdpi_err("the ledger does not close: %" PRId64 " packets unexplained",
			 l.unexplained);
		ret = -EPROTO;
	}
out:
	json_decref(obj);
	ledger_free(&l);
	metrics_destroy(&total);
	return ret;
}

int cmd_live(int argc, char **argv)
{
	struct live_opts o;
	struct live_run r = {.o = &o, .sigfd = -1};
	int ret;

	ret = live_parse(argc, argv, &o);
	if (ret)
		return ret > 0 ? XDPI_EXIT_OK : XDPI_EXIT_USAGE;
	if (o.verbose)
		xdpi_log_set_level(XDPI_LOG_DEBUG);
	r.table = o.json ? stderr : stdout;

	ret = live_setup(&r);
	if (ret) {
		live_teardown(&r);
		return XDPI_EXIT_FAIL;
	}
	live_loop(&r);
	live_stop(&r);
	ret = live_report(&r);
	live_teardown(&r);
	return ret ? XDPI_EXIT_FAIL : XDPI_EXIT_OK;
}
