// SPDX-License-Identifier: MIT
/*
 * The capture run. Every resource taken in capture_open() has one owner
 * (struct capture) and one release path (capture_close()), also when set-up
 * fails halfway: each step records what it took before the next one runs.
 */
#include "capture.h"

#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../inspect/filter.h"
#include "../util/clock.h"
#include "../util/log.h"
#include "../util/optval.h"
#include "../util/privs.h"
#include "../inspect/flowrate.h"
#include "../util/sandbox.h"
#include "../xsk/iface.h"
#include "../xsk/worker.h"
#include "../sink/alert_report.h"
#include "../sink/pcapng.h"
#include "../sink/prometheus.h"
#include "../util/version.h"
#include "flowstage.h"
#include "offload.h"
#include "privdrop.h"
#include "losswatch.h"
#include "rxpath.h"
#include "testhooks.h"

/* How long frames redirected just before the stop flag may take to reach
 * the RX rings: a NAPI poll is microseconds; this is generous. */
#define CAPTURE_STOP_GRACE_US 50000

struct capture {
	struct capture_opts o;
	struct capture_test_hooks test;
	struct steer *steer;
	struct worker *workers;	     /* nworkers, cache-line aligned */
	int nworkers;		     /* workers that exist: what capture_close() releases */
	int nqueues;		     /* queues picked for a worker */
	int queues[XDPI_MAX_QUEUES]; /* worker i's queue */
	int cpu_of[XDPI_MAX_QUEUES];
	int iface_queues;
	/* Driver counters at start: the ledger reports this run's share. */
	struct iface_queue_counters *iface_start;
	struct capture_rxpath rx;
	/* -w: a tap per worker, drained into the file by the writer thread. */
	struct tap *taps;
	struct pcapng_writer *writer;
	uint64_t written;
	double started, stopped;
	double started_wall, stopped_wall; /* the same, dated, for the report */
	bool running;
	enum seqcheck_clock_mode seq_clock; /* --sender-clock, auto resolved */
	/* The flow stage: the table all workers share, its expiry thread,
	 * the detection, and where ended flows and alerts go (--json-lines,
	 * --ipfix, --connections, --on-alert). */
	struct flow_stage fs;
	/* The frames lost so far once per second, for an alert's window. */
	struct capture_lost {
		uint64_t at_ns, lost;
		bool ok; /* the count could be read */
	} lost_hist[CAPTURE_LOST_HIST];
	uint32_t lost_n, lost_next;
	/* The alerts started and not yet ended, as of the last drain (the
	 * controlling thread's: `xdpi top` shows them); the rest of the
	 * active ones, past the table, only counted by detect_stats(). */
	struct detect_alert active[CAPTURE_ACTIVE_ALERTS];
	int nactive;
	uint64_t lost_sampled_ns;
	int ifindex; /* to notice the interface going away */
	/* Jumbo frames and NIC metadata (capture_plan_frames(), capture_vlan()). */
	struct capture_nic nic;
	char driver[32];
	struct offload_vlan_state vlan; /* restored by capture_close() */
	/* The reporter's watchdog over the workers (capture_watch()). */
	struct capture_watch {
		uint64_t packets, fill_empty;
		double since; /* no progress while work waited since then; 0: fine */
		bool warned;
	} watch[XDPI_MAX_QUEUES];
	/* Why drops happened: sampled while the workers run. */
	struct losswatch *losswatch;
	/* --prometheus: bound by capture_open(), serving from capture_start()
	 * (after the privileges are dropped), moved by a reload. */
	struct prom_server *prom;
};

/* Frames the ledger counts lost so far, every queue: the sockets' drops
 * and the passive rings' failed copies (the XDP program's counters, read
 * through the map's descriptor, which needs no capability). False when a
 * count could not be read: the alerts then say it is not known. */
static bool capture_lost_now(const struct capture *c, uint64_t *out)
{
	uint64_t lost = 0;
	bool ok = c->workers && c->steer;

	for (int i = 0; c->workers && i < c->nworkers; i++) {
		const struct worker *w = &c->workers[i];
		struct xdpi_queue_stats qs;
		struct xdp_statistics st;

		if (w->xsk) {
			if (xdpi_xsk_stats(w->xsk, &st))
				ok = false;
			else
				lost += st.rx_dropped + st.rx_ring_full +
					st.rx_fill_ring_empty_descs;
		}
		if (!c->steer || steer_queue_stats(c->steer, w->queue_id, &qs))
			ok = false;
		else
			lost += qs.copy_failed + qs.copy_out_failed;
	}
	*out = lost;
	return ok;
}

/* The frames lost since @since_ns (capture time): from the newest sample
 * at or before it, else from the oldest kept (the count then covers more
 * than the window). */
static uint64_t capture_lost_since(const struct capture *c, uint64_t since_ns, uint64_t now_lost)
{
	const struct capture_lost *before = NULL, *oldest = NULL;

	if (now_lost == ALERT_LOST_UNKNOWN)
		return ALERT_LOST_UNKNOWN;

	for (uint32_t i = 0; i < c->lost_n; i++) {
		const struct capture_lost *h = &c->lost_hist[i];

		if (h->at_ns <= since_ns && (!before || h->at_ns > before->at_ns))
			before = h;
		if (!oldest || h->at_ns < oldest->at_ns)
			oldest = h;
	}
	if (!before)
		before = oldest;
	if (!before || !before->ok)
		return ALERT_LOST_UNKNOWN;
	return now_lost >= before->lost ? now_lost - before->lost : 0;
}

struct capture_alert_ctx {
	struct capture *c;
	uint64_t lost;
	bool have_lost;
};

/* Keeps the table of active alerts: an alert's latest record while it
 * lasts, none once it ended. */
static void capture_alert_track(struct capture *c, const struct detect_alert *a)
{
	int i;

	for (i = 0; i < c->nactive && c->active[i].id != a->id; i++)
		;
	if (a->state == DETECT_END) {
		if (i < c->nactive)
			c->active[i] = c->active[--c->nactive];
		return;
	}
	if (i == c->nactive && c->nactive < CAPTURE_ACTIVE_ALERTS)
		c->nactive++;
	if (i < c->nactive)
		c->active[i] = *a;
}

static void capture_alert(void *ctx, const struct detect_alert *a)
{
	struct capture_alert_ctx *x = ctx;
	uint64_t lost;

	if (!x->have_lost) {
		if (!capture_lost_now(x->c, &x->lost))
			x->lost = ALERT_LOST_UNKNOWN;
		x->have_lost = true;
	}
	lost = capture_lost_since(x->c, a->window_start_ns, x->lost);
	flow_stage_alert(&x->c->fs, a, lost, true);
	capture_alert_track(x->c, a);
}

/* The alerts the detection raised since the last tick, with the frames
 * lost in each one's window (sampled once a second). */
static void capture_alerts(struct capture *c)
{
	struct capture_alert_ctx x = {.c = c};
	uint64_t now = xdpi_wall_ns();

	if (!c->fs.detect)
		return;
	alert_hook_reap(&c->fs.hook);
	if (now - c->lost_sampled_ns >= 1000000000ull) {
		bool ok = capture_lost_now(c, &x.lost);

		x.have_lost = true;
		c->lost_hist[c->lost_next] =
			(struct capture_lost){.at_ns = now, .lost = x.lost, .ok = ok};
		if (!ok)
			x.lost = ALERT_LOST_UNKNOWN;
		c->lost_next = (c->lost_next + 1) % CAPTURE_LOST_HIST;
		c->lost_n += c->lost_n < CAPTURE_LOST_HIST;
		c->lost_sampled_ns = now;
	}
	if (detect_drain(c->fs.detect, capture_alert, &x) && c->fs.jsonl)
		jsonl_flush(c->fs.jsonl);
}

/* The reporter (the controlling thread) wakes every CAPTURE_TICK_MS and at
 * each interval: keep it off the workers' CPUs where any other CPU is
 * allowed, so that it never takes a worker's CPU while frames arrive. */
static void capture_pin_controller(const cpu_set_t *allowed, const int *cpu_of, int nworkers)
{
	cpu_set_t rest = *allowed;

	for (int i = 0; i < nworkers; i++)
		CPU_CLR(cpu_of[i], &rest);
	if (CPU_COUNT(&rest))
		sched_setaffinity(0, sizeof(rest), &rest);
}

/* Worker i gets --cpus[i], or the i-th CPU this process may run on. Two
 * workers on one CPU halve each other: allowed, never silently. */
static int capture_pick_cpus(struct capture *c)
{
	const struct capture_opts *o = &c->o;
	int list[CPU_SETSIZE], n = 0;
	cpu_set_t allowed;

	if (sched_getaffinity(0, sizeof(allowed), &allowed))
		return -errno;
	for (int cpu = 0; cpu < CPU_SETSIZE; cpu++)
		if (CPU_ISSET(cpu, &allowed))
			list[n++] = cpu;
	if (o->ncpus && o->ncpus < c->nqueues) {
		xdpi_err("%d workers but only %d CPUs in --cpus", c->nqueues, o->ncpus);
		return -EINVAL;
	}
	for (int i = 0; i < c->nqueues; i++) {
		c->cpu_of[i] = o->ncpus ? o->cpus[i] : list[i % n];
		if (!CPU_ISSET(c->cpu_of[i], &allowed)) {
			xdpi_err("CPU %d is not available to this process (taskset/cpuset)",
				 c->cpu_of[i]);
			return -EINVAL;
		}
	}
	capture_pin_controller(&allowed, c->cpu_of, c->nqueues);
	if (!o->ncpus && c->nqueues > n)
		xdpi_warn("%d workers share %d CPUs: workers %d and %d both run on CPU %d",
			  c->nqueues, n, 0, n, c->cpu_of[0]);
	return 0;
}

/* Which queues get a worker: --queues, else all of the interface's. */
static int capture_pick_queues(struct capture *c)
{
	const struct capture_opts *o = &c->o;

	c->iface_queues = iface_rx_queues(o->ifname);
	if (c->iface_queues < 0) {
		xdpi_err("cannot count %s's RX queues: %s", o->ifname, strerror(-c->iface_queues));
		return c->iface_queues;
	}
	if (c->iface_queues > XDPI_MAX_QUEUES)
		c->iface_queues = XDPI_MAX_QUEUES;
	c->nqueues = o->nqueues ? o->nqueues : c->iface_queues;
	for (int i = 0; i < c->nqueues; i++) {
		c->queues[i] = o->nqueues ? o->queues[i] : i;
		if (c->queues[i] >= c->iface_queues) {
			xdpi_err("queue %d is beyond %s's %d RX queue%s (0-%d)", c->queues[i],
				 o->ifname, c->iface_queues, c->iface_queues == 1 ? "" : "s",
				 c->iface_queues - 1);
			return -EINVAL;
		}
	}
	return 0;
}

static int capture_check(struct capture *c)
{
	char err[256];
	int ret;

	if (capture_opts_check(&c->o, err, sizeof(err))) {
		xdpi_err("%s", err);
		return -EINVAL;
	}
	c->ifindex = (int)if_nametoindex(c->o.ifname);
	if (!c->ifindex) {
		xdpi_err("no interface '%s'", c->o.ifname);
		return -ENODEV;
	}
	ret = xdpi_check_privileges();
	if (!ret)
		ret = guard_check(c->o.ifname, c->o.filter, c->o.takeover, c->o.passive);
	if (!ret)
		ret = capture_pick_queues(c);
	if (!ret)
		ret = capture_pick_cpus(c);
	return ret;
}

/* --check-seq compares send times with this host's clocks only where the
 * sender's are known to compare: on veth the peer is on this host. */
static void capture_pick_clock(struct capture *c)
{
	static const enum seqcheck_clock_mode modes[] = {
		[CAPTURE_CLOCK_LOCAL] = SEQCHECK_CLOCK_LOCAL,
		[CAPTURE_CLOCK_SYNCED] = SEQCHECK_CLOCK_SYNCED,
		[CAPTURE_CLOCK_UNSYNCED] = SEQCHECK_CLOCK_UNSYNCED,
	};
	struct iface_rx_path p;

	if (!c->o.check_seq)
		return;
	if (c->o.sender_clock != CAPTURE_CLOCK_AUTO) {
		c->seq_clock = modes[c->o.sender_clock];
		return;
	}
	iface_rx_path(c->o.ifname, &p);
	if (!strcmp(p.driver, "veth")) {
		c->seq_clock = SEQCHECK_CLOCK_LOCAL;
		xdpi_info("--check-seq: %s is a veth, whose peer is on this host: one-way latency "
			  "measured against this host's clocks",
			  c->o.ifname);
	} else {
		c->seq_clock = SEQCHECK_CLOCK_UNSYNCED;
		xdpi_info("--check-seq: the senders' clocks are not known to match this host's: "
			  "sequence results only (--sender-clock local or synced to measure "
			  "latency)");
	}
}

static int capture_read_iface_start(struct capture *c)
{
	c->iface_start = calloc((size_t)c->iface_queues, sizeof(*c->iface_start));
	if (!c->iface_start) {
		xdpi_err("out of memory");
		return -ENOMEM;
	}
	for (int q = 0; q < c->iface_queues; q++)
		iface_queue_counters(c->o.ifname, "rx", (uint32_t)q, &c->iface_start[q]);
	return 0;
}

/* The headroom the kernel keeps in front of each frame in a UMEM frame. */
#define CAPTURE_XSK_HEADROOM 256

/* The longest frame: --max-frame, else the MTU with the Ethernet header and
 * two VLAN tags. Longer than a UMEM frame holds (with what the program puts
 * in the frame's head: known once it is attached, and planned again then):
 * multi-buffer sockets. */
static void capture_plan_frames(struct capture *c)
{
	struct capture_opts *o = &c->o;
	uint32_t room = o->xsk.frame_size - CAPTURE_XSK_HEADROOM - c->nic.meta_head;

	if (offload_mtu(o->ifname, &c->nic.mtu))
		c->nic.mtu = 0;
	c->nic.max_frame = o->max_frame ? o->max_frame
			   : c->nic.mtu ? c->nic.mtu + 14 + 8
					: 1514 + 8;
	if (o->passive || o->ceiling || c->nic.max_frame <= room)
		return;
	o->xsk.multi_buffer = true;
	c->nic.multi_buffer = true;
	xdpi_info("frames up to %u bytes (%s): multi-buffer sockets, a frame over %u bytes "
		  "takes several %u-byte UMEM frames",
		  c->nic.max_frame, o->max_frame ? "--max-frame" : "the MTU", room,
		  o->xsk.frame_size);
}

/* The metadata variant where the driver has something to give: the plain
 * program otherwise, which libxdp can share with other programs. */
static bool capture_wants_metadata(struct capture *c)
{
	const struct capture_opts *o = &c->o;

	if (iface_driver(o->ifname, c->driver, sizeof(c->driver)))
		c->driver[0] = 0;
	/* Without inspection nothing would read it: the kfuncs and the
	 * metadata line per frame would be pure cost. */
	return !o->no_rx_metadata && !o->passive && !o->ceiling && o->inspect &&
	       offload_driver_has_metadata(c->driver);
}

static int capture_attach(struct capture *c)
{
	const struct capture_opts *o = &c->o;
	struct steer_opts sopts = {
		.ifname = o->ifname,
		.xdp_mode = o->xdp_mode,
		.force = o->force,
		.drop_wanted = o->ceiling,
		.passive = o->passive,
		.max_take = o->count,
		.snaplen = o->snaplen,
		.ring_size = o->ring_size,
		.rx_meta = capture_wants_metadata(c),
		.copy_in = capture_direction_of(o) != CAPTURE_DIR_OUT,
		.copy_out = capture_direction_of(o) != CAPTURE_DIR_IN,
		/* Nothing reads a frame's time without inspection or -w. */
		.stamp_frames = !o->passive && !o->ceiling && (o->inspect || o->write) &&
				!o->no_frame_times,
		.meta_in_head = c->test.meta_in_head,
	};
	struct xdpi_filter flt;
	const char *why;
	char err[512];
	int ret;

	ret = steer_ensure_bpffs();
	if (ret == 1)
		xdpi_info("mounted bpffs at /sys/fs/bpf (libxdp keeps its dispatcher state there)");
	else if (ret < 0)
		xdpi_info("no bpffs at /sys/fs/bpf and cannot mount it (%s): libxdp will attach a "
			  "single program",
			  strerror(-ret));
	/* An expression's program is copied into the XDP program's read-only
	 * data before load: the compiled filter is needed only until then. */
	ret = xdpi_filter_compile(&flt, o->filter, err, sizeof(err));
	if (ret) {
		xdpi_err("filter '%s': %s", o->filter, err);
		return ret;
	}
	sopts.filter = flt.kind;
	sopts.insns = flt.insns;
	sopts.insn_count = flt.len;
	c->steer = steer_attach(&sopts, err, sizeof(err));
	ret = c->steer ? 0 : errno ? -errno : -EIO;
	xdpi_filter_destroy(&flt);
	if (ret) {
		xdpi_err("%s", err);
		return ret;
	}
	c->nic.rx_metadata = steer_rx_meta(c->steer, &why);
	/* Passive copies always carry the time the program made them. */
	c->nic.frame_times = sopts.stamp_frames || o->passive;
	c->nic.frags = steer_frags(c->steer);
	xdpi_info("XDP program attached to %s in %s mode, %s; filter %s", o->ifname,
		  steer_xdp_mode_name(c->steer),
		  c->nic.rx_metadata ? "alone, bound to the device for its metadata"
		  : steer_multiprog(c->steer)
			  ? "through libxdp's dispatcher (shareable)"
			  : "as a single program (libxdp's dispatcher is not available here)",
		  o->filter);
	if (why)
		xdpi_info("no NIC metadata: %s", why);
	c->nic.meta_head = steer_meta_head_bytes(c->steer, &why);
	if (c->nic.meta_head && why)
		xdpi_info("%s: the XDP program puts each frame's time in front of the frame "
			  "(bpf_xdp_adjust_head()), %u bytes the worker skips",
			  why, c->nic.meta_head);
	if (!c->nic.frags && c->nic.max_frame > (uint32_t)getpagesize() - 512)
		xdpi_warn("this kernel has no multi-buffer XDP (Linux 5.18): frames longer than "
			  "a page cannot reach the XDP program; lower the MTU");
	return 0;
}

/*
 * A NIC that strips VLAN tags hides them from XDP unless the driver hands
 * them over (the metadata variant, where driver and kernel have the kfunc).
 * Otherwise stripping is turned off for the run (restored at the end)
 * unless --keep-offloads; a tag xdpi cannot see is said, never silent.
 */
static void capture_vlan(struct capture *c)
{
	const char *ifname = c->o.ifname;
	int ret;

	if (c->o.ceiling || !c->o.inspect) { /* no frame is parsed */
		c->nic.vlan = "not-needed";
		return;
	}
	if (c->nic.rx_metadata && offload_driver_has_vlan_kfunc(c->driver) &&
	    offload_kernel_has_vlan_kfunc()) {
		c->nic.vlan = "metadata";
		return;
	}
	if (offload_vlan_read(ifname, &c->vlan)) {
		c->nic.vlan = "unknown";
		return;
	}
	if (!offload_vlan_stripping(&c->vlan)) {
		c->nic.vlan = "not-stripped";
		return;
	}
	if (c->o.keep_offloads) {
		c->nic.vlan = "stripping-kept";
		xdpi_warn("%s strips VLAN tags (rx-vlan-offload) and its driver cannot hand them "
			  "to XDP: with --keep-offloads the VLAN metrics miss every stripped tag",
			  ifname);
		return;
	}
	ret = offload_vlan_strip_off(ifname, &c->vlan);
	if (offload_vlan_stripping(&c->vlan)) {
		c->nic.vlan = "stripping-kept";
		xdpi_warn("%s strips VLAN tags (rx-vlan-offload) and cannot stop (%s): the VLAN "
			  "metrics miss every stripped tag",
			  ifname, ret ? strerror(-ret) : "fixed by the driver");
		return;
	}
	c->nic.vlan = "offload-off";
	xdpi_info("%s: VLAN tag stripping (rx-vlan-offload) turned off for the run, so that "
		  "tags stay in the frames; restored on exit (--keep-offloads leaves it on)",
		  ifname);
}

static void capture_vlan_restore(struct capture *c)
{
	int ret = offload_vlan_restore(c->o.ifname, &c->vlan);

	if (ret)
		xdpi_warn("could not turn VLAN tag stripping back on for %s (%s): 'ethtool -K %s "
			  "rxvlan on' does",
			  c->o.ifname, strerror(-ret), c->o.ifname);
}

static void capture_log_queue(const struct capture *c, int i)
{
	const struct xdpi_xsk *x = c->workers[i].xsk;
	const struct capture_opts *o = &c->o;
	char pages[96] = "hugepages";

	if (!x->hugepages)
		snprintf(pages, sizeof(pages), "normal pages%s%s%s",
			 x->hugepages_errno ? " (no hugepages: " : "",
			 x->hugepages_errno ? strerror(x->hugepages_errno) : "",
			 x->hugepages_errno ? ")" : "");
	xdpi_info("queue %d: AF_XDP %s mode%s, cpu %d, busy polling %s, UMEM %zu KiB on %s%s",
		  c->queues[i], x->zerocopy ? "zero-copy" : "copy",
		  !x->zerocopy && o->xsk.mode == XDPI_XSK_MODE_AUTO
			  ? " (the driver has no zero-copy)"
			  : "",
		  c->cpu_of[i],
		  x->busy_poll ? "requested" : (o->xsk.busy_poll ? "unavailable" : "off"),
		  x->umem_size >> 10, pages,
		  x->bind_retries ? " (waited for the kernel to release the queue)" : "");
}

/* The worker's idle policy and the faults a test asked for
 * (capture/testhooks.h). */
static void capture_worker_settings(const struct capture *c, struct worker *w)
{
	const struct capture_test_hooks *t = &c->test;
	int q = (int)w->queue_id;

	worker_set_idle_spin(w, (uint64_t)c->o.idle_spin_us * 1000);
	worker_set_test_faults(w, t->stall_queue == q ? t->stall_ns : 0,
			       t->slow_queue == q ? t->delay_ns : 0, t->sandbox_fails_queue == q);
}

/* Passive: ring and worker i, the ring in the program's map. */
static int capture_open_copier(struct capture *c, int i, const struct pipeline_config *pc)
{
	uint32_t q = (uint32_t)c->queues[i];
	struct xdpi_copyring *r;
	char err[256];
	int ret;

	r = xdpi_copyring_create(q, c->o.ring_size, err, sizeof(err));
	if (!r) {
		xdpi_err("%s", err);
		return -EIO;
	}
	ret = worker_init_passive(&c->workers[i], r, c->o.batch, c->cpu_of[i], pc);
	if (ret) {
		xdpi_copyring_destroy(r);
		xdpi_err("out of memory");
		return ret;
	}
	c->nworkers = i + 1;
	capture_worker_settings(c, &c->workers[i]);
	ret = steer_set_ring(c->steer, q, r->fd);
	if (ret) {
		xdpi_err("cannot add queue %u's ring to the XDP program: %s", q, strerror(-ret));
		return ret;
	}
	xdpi_info("queue %u: passive, copies of up to %u bytes into a %u KiB ring, cpu %d", q,
		  c->o.snaplen, c->o.ring_size >> 10, c->cpu_of[i]);
	return 0;
}

/* Socket and worker i; on failure c->nworkers counts the workers that exist,
 * so that capture_close() releases exactly those. */
static int capture_open_worker(struct capture *c, int i, const struct pipeline_config *pc)
{
	struct xdpi_xsk_opts xo = c->o.xsk;
	struct worker *w = &c->workers[i];
	struct xdpi_xsk *x;
	char err[256];
	int ret;

	xo.queue_id = (uint32_t)c->queues[i];
	x = xdpi_xsk_create(&xo, err, sizeof(err));
	if (!x) {
		xdpi_err("%s", err);
		return -EIO;
	}
	ret = worker_init(w, x, c->o.batch, c->cpu_of[i], pc);
	if (ret) {
		xdpi_xsk_destroy(x);
		xdpi_err("out of memory");
		return ret;
	}
	c->nworkers = i + 1;
	w->rx_meta = c->nic.rx_metadata || c->nic.frame_times;
	w->meta_head = c->nic.meta_head;
	capture_worker_settings(c, w);
	ret = xdpi_xsk_update_xskmap(x, steer_xskmap_fd(c->steer));
	if (ret) {
		xdpi_err("cannot add queue %d's socket to the XSKMAP: %s", c->queues[i],
			 strerror(-ret));
		return ret;
	}
	capture_log_queue(c, i);
	return 0;
}

/* Maintenance of the flow table while the run goes on. */
#define CAPTURE_FLOW_EXPIRY_NS (250ull * 1000000)

/* --json-lines, before anything is attached: a path refused (a symlink,
 * not a regular file: util/outfile.h) costs nothing to undo. With --user
 * a file made here is the user's, so that the user can reopen it after a
 * rotation (jsonl_open()). */
static int capture_open_jsonl(struct capture *c)
{
	const struct capture_flow_opts *fo = &c->o.flows;
	struct jsonl_owner owner = {.name = c->o.user};
	bool for_user = c->o.user && !c->o.keep_privileges;

	if (!fo->json_lines)
		return 0;
	if (for_user && privs_user_ids(c->o.user, &owner.uid, &owner.gid)) {
		xdpi_err("--user %s: no such user", c->o.user);
		return -ENOENT;
	}
	return flow_stage_open_jsonl(&c->fs, fo->json_lines, for_user ? &owner : NULL);
}

/* The flow maintainer's first step: its sandbox. A failure is counted
 * (sandbox_failures()) and stops the run. */
static int capture_flows_sandbox(void)
{
	return sandbox_enter(SANDBOX_EXPIRY, -1);
}

/* --connections: records the call_rcu thread may queue between two drains
 * of the reporter (every CAPTURE_TICK_MS): 8192 of 448 bytes, 3.5 MiB at
 * most, touched only as they fill (docs/flows.md, "Connection lines"). */
#define CAPTURE_CONN_SLOTS 8192u

/* The flow table unless inspection or flows are off, and its exporters. */
static int capture_open_flows(struct capture *c)
{
	const struct capture_flow_opts *fo = &c->o.flows;
	const struct flow_stage_config cfg = {
		.fo = fo,
		.off_by = fo->off || !c->o.inspect || c->o.ceiling
				  ? "--no-flows, --no-inspect or --ceiling"
				  : NULL,
		/* A lone SYN's answer is seen only when both directions are. */
		.one_direction = c->o.passive && capture_direction_of(&c->o) != CAPTURE_DIR_INOUT,
		.thread_enter = c->o.keep_privileges ? NULL : capture_flows_sandbox,
		/* Its thread is made by capture_start(), after the drop. */
		.ipfix_sandbox = !c->o.keep_privileges,
		.ipfix_deferred = true,
		.connections = c->o.connections,
		.verbose = c->o.verbose,
		.conn_slots = c->test.conn_slots ? c->test.conn_slots : CAPTURE_CONN_SLOTS,
	};

	return flow_stage_open(&c->fs, &cfg);
}

static int capture_open_workers(struct capture *c)
{
	const struct pipeline_config pc = {
		.inspect = c->o.inspect,
		.check_seq = c->o.check_seq,
		.seq_clock = c->seq_clock,
		.flows = c->fs.ft,
		.distinct_limit = c->o.flows.distinct_limit,
		/* Frames in several buffers or with a stripped tag may have
		 * to be put in one piece. */
		.max_frame = c->nic.multi_buffer || c->nic.rx_metadata ? c->nic.max_frame : 0,
	};
	int n = c->nqueues, ret;

	c->workers = xdpi_cacheline_alloc(sizeof(*c->workers) * (size_t)n);
	if (!c->workers || capture_rxpath_alloc(&c->rx, n)) {
		xdpi_err("out of memory");
		return -ENOMEM;
	}
	memset(c->workers, 0, sizeof(*c->workers) * (size_t)n);
	for (int i = 0; i < n; i++) {
		ret = c->o.passive ? capture_open_copier(c, i, &pc)
				   : capture_open_worker(c, i, &pc);
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * Passive, frames sent: once every queue's ring is in the program's map,
 * the egress program copies into them (round robin over TX queues: the
 * flow table is shared, so any worker will do). The test hook no_tcx
 * takes the clsact path where the kernel has tcx (capture/testhooks.h).
 */
static int capture_attach_egress(struct capture *c)
{
	uint32_t queues[XDPI_MAX_QUEUES];
	char err[256];
	int ret;

	for (int i = 0; i < c->nworkers; i++)
		queues[i] = c->workers[i].queue_id;
	ret = steer_attach_egress(c->steer, queues, c->nworkers, c->test.no_tcx, err, sizeof(err));
	if (ret) {
		xdpi_err("%s: %s", c->o.ifname, err);
		return ret;
	}
	c->nic.egress_hook = steer_egress_hook(c->steer);
	xdpi_info("frames sent on %s: copied by a tc egress program (%s) into the queues' rings",
		  c->o.ifname, c->nic.egress_hook);
	return 0;
}

/* Copies of up to this many bytes, in 8 MiB per queue: a second of 64-byte
 * frames at 100 kpps, or bursts; a full tap drops copies, never frames. */
#define CAPTURE_WRITE_SNAPLEN 65535
#define CAPTURE_TAP_SIZE (8u << 20)

static int capture_open_writer(struct capture *c)
{
	char err[256], app[64];
	int ret;

	c->taps = calloc((size_t)c->nworkers, sizeof(*c->taps));
	if (!c->taps) {
		xdpi_err("out of memory");
		return -ENOMEM;
	}
	for (int i = 0; i < c->nworkers; i++) {
		ret = tap_init(&c->taps[i], CAPTURE_TAP_SIZE, CAPTURE_WRITE_SNAPLEN,
			       c->workers[i].queue_id, false);
		if (ret) {
			xdpi_err("out of memory");
			return ret;
		}
		c->workers[i].pipe.tap = &c->taps[i];
	}
	snprintf(app, sizeof(app), "xdpi %s", xdpi_version());
	ret = pcapng_writer_open(&c->writer, c->o.write, app, c->o.ifname, c->taps, c->nworkers,
				 err, sizeof(err));
	if (ret)
		xdpi_err("%s", err);
	return ret;
}

/* Bound before anything is attached: a port in use costs nothing to
 * undo. Served only once set-up has dropped the privileges. */
static int capture_open_prometheus(struct capture *c)
{
	char err[256];
	int ret;

	if (!c->o.flows.prometheus)
		return 0;
	ret = prom_server_open(&c->prom, c->o.flows.prometheus, err, sizeof(err));
	if (ret)
		xdpi_err("%s", err);
	return ret;
}

int capture_open(const struct capture_opts *o, struct capture **out)
{
	struct capture *c;
	int ret;

	*out = NULL;
	c = calloc(1, sizeof(*c));
	if (!c) {
		xdpi_err("out of memory");
		return -ENOMEM;
	}
	c->o = *o;
	capture_test_hooks_read(&c->test);
	c->o.xsk.ifname = o->ifname;
	c->o.xsk.busy_poll_budget = o->batch;
	ret = capture_open_prometheus(c);
	if (!ret)
		ret = capture_check(c);
	/* Before the run takes its memory (util/sandbox.h). */
	if (!ret && !o->keep_privileges)
		ret = sandbox_prepare();
	if (!ret)
		ret = capture_open_jsonl(c);
	if (!ret) {
		capture_pick_clock(c);
		ret = capture_read_iface_start(c);
	}
	if (!ret)
		ret = capture_privs_raise(&c->o);
	if (!ret) {
		capture_plan_frames(c);
		ret = capture_attach(c);
	}
	if (!ret && c->nic.meta_head && !c->nic.multi_buffer)
		capture_plan_frames(c);
	if (!ret) {
		capture_vlan(c);
		capture_rxpath_warn(&c->rx, o->ifname);
	}
	/* The flow stage's threads (IPFIX, liburcu's) start with nothing
	 * effective: they never need a privilege. */
	if (!ret)
		ret = capture_privs_lower(&c->o);
	if (!ret)
		ret = capture_open_flows(c);
	if (!ret)
		ret = capture_privs_raise(&c->o);
	if (!ret && !o->ceiling)
		ret = capture_open_workers(c);
	if (!ret && o->passive && capture_direction_of(o) != CAPTURE_DIR_IN)
		ret = capture_attach_egress(c);
	if (!ret && o->write && !o->ceiling)
		ret = capture_open_writer(c);
	/* Attached and bound: from here on only teardown needs privileges. */
	if (!ret)
		ret = capture_privs_drop(&c->o, jsonl_fd(c->fs.jsonl));
	c->rx.raise_for_knobs = !o->keep_privileges;
	if (ret) {
		capture_close(c);
		return ret;
	}
	*out = c;
	return 0;
}

int capture_start(struct capture *c)
{
	if (c->prom) {
		char err[256];
		int ret = prom_server_run(c->prom, !c->o.keep_privileges, err, sizeof(err));

		if (ret) {
			xdpi_err("%s", err);
			return ret;
		}
	}
	c->started = xdpi_now();
	c->started_wall = xdpi_wall_now();
	c->running = true;
	if (c->writer) {
		int ret = pcapng_writer_start(c->writer, !c->o.keep_privileges);

		if (ret) {
			xdpi_err("cannot start the writer: %s", strerror(-ret));
			return ret;
		}
	}
	/* The IPFIX thread, after the drop. */
	if (c->fs.sinks.ipfix) {
		int ret = flow_stage_start(&c->fs);

		if (ret)
			return ret;
	}
	if (c->fs.ft) {
		uint64_t period = flow_table_maintain_period(c->fs.ft);
		int ret = flow_table_start_expiry(c->fs.ft, period < CAPTURE_FLOW_EXPIRY_NS
								    ? period
								    : CAPTURE_FLOW_EXPIRY_NS);

		if (ret) {
			xdpi_err("cannot start the flow expiry thread: %s", strerror(-ret));
			return ret;
		}
	}
	for (int i = 0; i < c->nworkers; i++) {
		int ret = c->test.fail_worker == i ? -EAGAIN : 0;

		c->workers[i].sandbox = !c->o.keep_privileges;
		if (!ret)
			ret = worker_start(&c->workers[i]);
		if (ret) {
			xdpi_err("cannot start worker %d: %s", i, strerror(-ret));
			return ret;
		}
	}
	/* Without it the drops keep their count, not their cause: the run
	 * goes on. */
	if (c->nworkers && !c->o.passive) {
		int ret = losswatch_start(c->workers, c->nworkers, !c->o.keep_privileges,
					  &c->losswatch);

		if (ret)
			xdpi_warn("cannot start the loss monitor (%s): drops will not be split "
				  "by cause",
				  strerror(-ret));
	}
	return 0;
}

/* See capture_tick() in capture.h. A worker that neither takes frames nor
 * has any waiting is idle, not stalled. */
static void capture_watch(struct capture *c, double now)
{
	for (int i = 0; i < c->nworkers; i++) {
		struct capture_watch *wa = &c->watch[i];
		const struct worker *w = &c->workers[i];
		struct pipeline_counters pc;
		struct xdp_statistics st;
		uint32_t pending;
		bool waiting;

		if (!w->xsk || !w->started)
			continue;
		worker_snapshot(w, &pc);
		pending = xdpi_xsk_rx_pending(w->xsk);
		if (xdpi_xsk_stats(w->xsk, &st))
			st.rx_fill_ring_empty_descs = wa->fill_empty;
		waiting = pending || st.rx_fill_ring_empty_descs != wa->fill_empty;
		wa->fill_empty = st.rx_fill_ring_empty_descs;
		if (pc.c.packets != wa->packets || !waiting) {
			if (wa->warned)
				xdpi_warn("queue %u: worker resumed after %.1f s", w->queue_id,
					  now - wa->since);
			wa->packets = pc.c.packets;
			wa->since = 0;
			wa->warned = false;
			continue;
		}
		if (!wa->since)
			wa->since = now;
		else if (!wa->warned && now - wa->since >= CAPTURE_STALL_MS / 1000.0) {
			xdpi_warn("queue %u: worker stalled: no frame taken for %.1f s while %u "
				  "wait in its RX ring (fill ring empty: %llu drops so far)",
				  w->queue_id, now - wa->since, pending,
				  (unsigned long long)st.rx_fill_ring_empty_descs);
			wa->warned = true;
		}
	}
}

int capture_tick(struct capture *c)
{
	char name[IF_NAMESIZE];

	/* Gone, not renamed: the index is never reused while we hold it. */
	if (!if_indextoname((unsigned)c->ifindex, name))
		return -ENODEV;
	for (int i = 0; i < c->nworkers; i++) {
		int ret = worker_failed(&c->workers[i]);

		if (ret)
			return ret;
	}
	capture_rxpath_check_napi(&c->rx, c->o.ifname, c->workers, c->nworkers);
	capture_watch(c, xdpi_now());
	capture_alerts(c);
	return 0;
}

bool capture_count_reached(const struct capture *c)
{
	uint64_t taken;

	return c->o.count && !steer_taken(c->steer, &taken) && taken >= c->o.count;
}

int capture_queue_count(const struct capture *c)
{
	return c->nworkers;
}

static const char *capture_idle_name(const struct worker *w)
{
	if (w->idle == WORKER_IDLE_BUSY_POLL)
		return "busy-poll";
	if (w->xsk && w->xsk->busy_poll && w->napi_checked)
		return "spin-sleep (no NAPI id to busy-poll)";
	return "spin-sleep";
}

void capture_queue_read(const struct capture *c, int i, struct capture_queue *q)
{
	const struct worker *w = &c->workers[i];

	memset(q, 0, sizeof(*q));
	q->queue_id = w->queue_id;
	q->cpu = w->cpu;
	q->passive = w->ring != NULL;
	worker_snapshot(w, &q->counters);
	if (w->xsk) {
		q->zerocopy = w->xsk->zerocopy;
		q->hugepages = w->xsk->hugepages;
		q->bind_retries = w->xsk->bind_retries;
		xdpi_xsk_stats(w->xsk, &q->sock);
	}
	if (c->running)
		return;
	/* The worker has been joined: its own fields are stable. */
	q->idle = capture_idle_name(w);
	q->busy_poll = w->idle == WORKER_IDLE_BUSY_POLL;
	q->napi_id = w->napi_id;
	q->empty_polls = w->empty_polls;
	q->sleeps = w->sleeps;
	q->spin_stops = w->spin_stops;
}

/* After the workers: what they copied is written out, the file closed. */
static void capture_close_writer(struct capture *c)
{
	int ret;

	if (!c->writer)
		return;
	ret = pcapng_writer_stop(c->writer, &c->written);
	c->writer = NULL;
	if (ret)
		xdpi_err("cannot write %s: %s", c->o.write, strerror(-ret));
}

/* Drains and joins every started worker; they exit once their rings are
 * empty. Only after the XDP program stopped redirecting (or was detached)
 * can that be quick under traffic: capture_halt() is the one caller. */
static void capture_join_workers(struct capture *c)
{
	for (int i = 0; i < c->nworkers; i++)
		worker_set_phase(&c->workers[i], WORKER_DRAIN);
	for (int i = 0; i < c->nworkers; i++)
		worker_join(&c->workers[i]);
	c->running = false;
}

/* After the workers: the flows still open end ("eof"), their records are
 * written, and the summary is final. */
static void capture_finish_flows(struct capture *c)
{
	if (!c->fs.ft || c->fs.finished)
		return;
	flow_stage_finish(&c->fs, xdpi_wall_ns());
	capture_alerts(c); /* the alerts the finish ended */
	flow_stage_flush(&c->fs);
}

static bool capture_any_started(const struct capture *c)
{
	for (int i = 0; c->workers && i < c->nworkers; i++)
		if (c->workers[i].started)
			return true;
	return false;
}

/* The ordered stop: the XDP program stops redirecting, the frames already
 * redirected land, then the workers drain and are joined. Any started
 * worker counts, whatever state the run reached (a start that failed for
 * worker i > 0 leaves workers 0..i-1 running under traffic: joined first,
 * they would drain a ring that never empties). */
static void capture_halt(struct capture *c)
{
	int ret;

	if (!capture_any_started(c)) {
		c->running = false;
		return;
	}
	ret = c->steer ? steer_stop(c->steer) : -ENODEV;
	if (ret)
		xdpi_warn("cannot tell the XDP program to stop (%s): frames arriving during "
			  "shutdown may show as unexplained",
			  strerror(-ret));
	usleep(CAPTURE_STOP_GRACE_US);
	capture_join_workers(c);
	losswatch_stop(c->losswatch);
}

void capture_stop(struct capture *c)
{
	capture_halt(c);
	c->stopped = xdpi_now();
	c->stopped_wall = xdpi_wall_now();
	capture_close_writer(c);
	capture_finish_flows(c);
}

static void capture_ledger_queue(const struct capture *c, int q, struct ledger_queue *e)
{
	const struct iface_queue_counters *start = &c->iface_start[q];

	e->queue = (uint32_t)q;
	steer_queue_stats(c->steer, (uint32_t)q, &e->xdp);
	iface_queue_counters(c->o.ifname, "rx", (uint32_t)q, &e->iface);
	for (int k = 0; k < e->iface.count; k++)
		for (int s = 0; s < start->count; s++)
			if (!strcmp(e->iface.c[k].name, start->c[s].name))
				/* A counter the driver reset during the run has
				 * no share to report: 0, not a wrapped value. */
				e->iface.c[k].value =
					e->iface.c[k].value > start->c[s].value
						? e->iface.c[k].value - start->c[s].value
						: 0;
	for (int i = 0; i < c->nworkers; i++) {
		const struct worker *w = &c->workers[i];

		if (w->queue_id != (uint32_t)q)
			continue;
		e->has_socket = w->xsk != NULL;
		e->inspected = w->pipe.m.c.packets;
		e->inspected_out = w->copies_out;
		if (w->xsk)
			xdpi_xsk_stats(w->xsk, &e->sock);
		e->has_causes = w->xsk && c->losswatch;
		if (e->has_causes)
			losswatch_read(c->losswatch, i, &e->loss);
	}
}

int capture_result(struct capture *c, struct capture_result *res)
{
	const struct pipeline_config pc = {
		.inspect = c->o.inspect,
		.check_seq = c->o.check_seq,
		.seq_clock = c->seq_clock,
		.distinct_limit = c->o.flows.distinct_limit,
	};
	int ret;

	memset(res, 0, sizeof(*res));
	res->duration_s = c->stopped - c->started;
	res->start_wall = c->started_wall;
	res->end_wall = c->stopped_wall;
	res->written = c->written;
	for (int i = 0; c->taps && i < c->nworkers; i++)
		res->write_dropped += c->taps[i].dropped;
	res->xdp_mode = steer_xdp_mode_name(c->steer);
	res->nic = c->nic;
	for (int q = 0; q < c->iface_queues && q < XDPI_MAX_QUEUES; q++) {
		struct xdpi_meta_stats m;

		if (steer_meta_stats(c->steer, (uint32_t)q, &m))
			continue;
		res->nic.meta.vlan += m.vlan;
		res->nic.meta.hash += m.hash;
		res->nic.meta.timestamp += m.timestamp;
		res->nic.meta.no_room += m.no_room;
		res->nic.meta.multi_buffer += m.multi_buffer;
	}
	for (int i = 0; i < c->nworkers; i++)
		res->nic.gathered += c->workers[i].pipe.gathered;
	res->flows = c->fs.ft ? &c->fs.summary : NULL;
	ret = pipeline_init(&res->total, &pc);
	if (ret)
		return ret;
	/* A merge out of memory leaves the distinct counts as lower bounds
	 * (counted in distinct_untracked); the result still stands. */
	for (int i = 0; i < c->nworkers; i++)
		pipeline_merge(&res->total, &c->workers[i].pipe);
	res->ledger.q = calloc((size_t)c->iface_queues, sizeof(*res->ledger.q));
	if (!res->ledger.q) {
		capture_result_free(res);
		return -ENOMEM;
	}
	res->ledger.count = c->iface_queues;
	for (int q = 0; q < c->iface_queues; q++)
		capture_ledger_queue(c, q, &res->ledger.q[q]);
	ledger_close(&res->ledger);
	return 0;
}

void capture_result_free(struct capture_result *res)
{
	pipeline_destroy(&res->total);
	ledger_free(&res->ledger);
}

void capture_close(struct capture *c)
{
	if (!c)
		return;
	capture_halt(c);
	capture_close_writer(c);
	for (int i = 0; c->taps && i < c->nworkers; i++)
		tap_destroy(&c->taps[i]);
	free(c->taps);
	losswatch_free(c->losswatch);
	c->losswatch = NULL;
	/* Detach, the sockets and the knobs' restore need the privileges kept
	 * for them: raised for these steps alone, so that the rest (the flow
	 * sinks, the libraries' callbacks, whose pointers the other threads
	 * could reach) runs with none. Detach first: from then on nothing new
	 * reaches the sockets. */
	capture_privs_teardown(&c->o);
	steer_destroy(c->steer);
	c->steer = NULL;
	capture_vlan_restore(c);
	for (int i = 0; c->workers && i < c->nworkers; i++)
		worker_destroy(&c->workers[i]);
	capture_rxpath_release(&c->rx, c->o.ifname);
	capture_privs_teardown_done(&c->o);
	free(c->workers);
	c->workers = NULL; /* the alerts of the flows still to end read no ledger */
	free(c->iface_start);
	/* A run that failed before capture_stop() still writes its flows
	 * (the workers are joined); then the table is empty and can go. */
	capture_finish_flows(c);
	flow_stage_close(&c->fs);
	/* Last: it serves the final figures until the run is gone. */
	prom_server_stop(c->prom);
	free(c);
}

struct conn_log *capture_conn_log(const struct capture *c)
{
	return c->fs.sinks.conn;
}

struct jsonl *capture_jsonl(const struct capture *c)
{
	return c->fs.jsonl;
}

int capture_reopen_jsonl(struct capture *c, const char *path, char *err, size_t err_len)
{
	int ret;

	if (!c->fs.jsonl)
		return -ENOENT;
	ret = jsonl_reopen(c->fs.jsonl, path, err, err_len);
	if (!ret) /* what capture_close() names */
		c->o.flows.json_lines = c->fs.jsonl_path = path;
	else if (ret == -EACCES && c->o.user && !c->o.keep_privileges) {
		size_t n = strlen(err);

		snprintf(err + n, err_len > n ? err_len - n : 0,
			 " (as user %s: the rotation must leave a file %s can write, as "
			 "logrotate's create does)",
			 c->o.user, c->o.user);
	}
	return ret;
}

int capture_set_flow_timeouts(struct capture *c, const struct capture_flow_opts *fo)
{
	if (!c->fs.ft)
		return -ENOENT;
	flow_table_set_timeouts(c->fs.ft, (uint64_t)(fo->timeout * 1e9),
				(uint64_t)(fo->closed_timeout * 1e9),
				(uint64_t)(fo->ipfix_active_timeout * 1e9));
	c->o.flows.timeout = fo->timeout;
	c->o.flows.closed_timeout = fo->closed_timeout;
	c->o.flows.ipfix_active_timeout = fo->ipfix_active_timeout;
	return 0;
}

int capture_set_detect(struct capture *c, const struct capture_flow_opts *fo)
{
	struct detect_groups *gs;
	char err[256];
	int ret;

	if (!c->fs.detect)
		return -ENOENT;
	if (detect_thresholds_check(&fo->detect))
		return -EINVAL;
	/* The groups start from the thresholds: built again on the new ones. */
	ret = capture_host_groups(fo, &gs, err, sizeof(err));
	if (!ret)
		ret = detect_set_groups(c->fs.detect, gs);
	free(gs);
	if (ret)
		return ret;
	detect_set_thresholds(c->fs.detect, &fo->detect);
	c->o.flows.detect = fo->detect;
	return 0;
}

int capture_active_alerts(const struct capture *c, const struct detect_alert **out)
{
	*out = c->active;
	return c->nactive;
}

bool capture_detect_stats(const struct capture *c, struct detect_stats *out)
{
	if (!c->fs.detect)
		return false;
	detect_stats(c->fs.detect, out);
	return true;
}

struct ipfix_exporter *capture_ipfix(const struct capture *c)
{
	return c->fs.sinks.ipfix;
}

bool capture_flow_summary(const struct capture *c, struct flow_summary *out)
{
	if (!c->fs.ft)
		return false;
	flow_table_summary(c->fs.ft, out);
	return true;
}

int capture_set_flow_view(struct capture *c, struct flowrate *fr, uint64_t period_ns)
{
	if (!c->fs.ft)
		return -ENOENT;
	flow_table_set_view(c->fs.ft, flowrate_on_view, flowrate_on_view_done, fr, period_ns);
	return 0;
}

struct prom_server *capture_prometheus(const struct capture *c)
{
	return c->prom;
}

int capture_move_prometheus(struct capture *c, const char *addr_port, char *err, size_t err_len)
{
	struct prom_server *p;

	/* The new one first: on failure the old one keeps serving. Its
	 * thread is made by this (dropped) thread and sheds the rest. */
	if (prom_server_open(&p, addr_port, err, err_len) ||
	    prom_server_run(p, !c->o.keep_privileges, err, err_len)) {
		prom_server_stop(p);
		return -EIO;
	}
	prom_server_stop(c->prom);
	c->prom = p;
	c->o.flows.prometheus = addr_port;
	return 0;
}
