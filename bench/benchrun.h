/* SPDX-License-Identifier: MIT */
/*
 * One benchmark point: a veth testbed, a receiver in the DUT namespace, the
 * generator in the other, identical traffic for every receiver, and what
 * each measured. `xdpi bench` runs four receivers on one point; `xdpi tune`
 * sweeps many points. xdpi's receivers, the AF_PACKET receiver and the
 * generator run as forks of this process that enter the namespace and call
 * the engines' APIs directly (bench/inproc.h): no command line, results
 * handed back typed. A receiver is measured on the same code `xdpi live`
 * runs (pinned workers, privileges dropped, the loss monitor, the ledger).
 * DPDK's testpmd is the one receiver started as a program.
 *
 * Errors: int functions return 0 or a negative errno with a reason in the
 * result's or @err's text. Every namespace, program and sysfs setting a
 * point changes is put back before it returns, also on error.
 */
#ifndef XDPI_BENCH_BENCHRUN_H
#define XDPI_BENCH_BENCHRUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "../capture/ledger.h"
#include "../capture/losscause.h"
#include "generator.h"

struct capture;
struct capture_opts;
struct capture_result;

/* Renders an xdpi receiver's own report for the record: export/
 * live_report.h's live_report_json(), which cmd/ hands bench (bench sits
 * below the renderers). Called in the receiver's process after its run;
 * its figures are read typed, never from this. */
typedef json_t *(*bench_rx_report_fn)(const struct capture_opts *o, const struct capture *c,
				      const struct capture_result *res, const char *stop_reason);

struct testbed {
	char gen_ns[32], dut_ns[32];
	const char *gen_if, *dut_if;
	int queues;
	uint32_t mtu; /* of both ends; 0: veth's default (1500) */
	bool up;
};

/* Creates xdpi-gen-ID and xdpi-dut-ID joined by veth (xdpi-g, xdpi-d) with
 * @queues queues, addresses in 198.18.0.0/15. A failing step is named in
 * @err whole, with what it printed on stderr. */
int testbed_create(struct testbed *tb, int queues, char *err, size_t err_len);
/* The same with @mtu on both veth ends (0: the default), for jumbo frames. */
int testbed_create_mtu(struct testbed *tb, int queues, uint32_t mtu, char *err, size_t err_len);
/* Removes both namespaces (and the veth with them). Accepts a testbed that
 * is not up. */
void testbed_destroy(struct testbed *tb);

enum bench_receiver {
	BENCH_CEILING = 0, /* the XDP program counts and drops */
	BENCH_INSPECT,	   /* xdpi live */
	BENCH_NOINSPECT,   /* xdpi live --no-inspect */
	BENCH_AF_PACKET,   /* xdpi afpacket (libpcap) */
	BENCH_DPDK,	   /* dpdk-testpmd rxonly over net_af_xdp, when installed */
	BENCH_PASSIVE,	   /* xdpi live --passive: copies, the host keeps the frames */
	BENCH_NOFLOWS,	   /* xdpi live --no-flows: inspection without the flow stage */
	BENCH_IPFIX,	   /* xdpi live --ipfix to the DUT's loopback, a record a second per flow */
	BENCH_NODETECT,	   /* xdpi live --no-detect: full inspection without the detectors */
	BENCH__RECEIVERS,
};

/* Where the receive-side NAPI work (XDP program, copy into UMEM) runs. */
enum bench_placement {
	/* Every receiver as it runs with its own defaults: xdpi and testpmd
	 * busy-poll where the socket can, the rest stays with the driver
	 * (veth: softirq on the sending CPU). */
	BENCH_PLACE_AUTO = 0,
	BENCH_PLACE_BUSY_POLL, /* AF_XDP receivers busy-poll; the others as auto */
	BENCH_PLACE_THREADED,  /* threaded NAPI, its kthread pinned to rx CPU */
	BENCH_PLACE_SENDER,    /* no busy polling: softirq on the sending CPU */
};

struct bench_cfg {
	struct gen_opts gen; /* ifname, cpus, size, flows, proto, rate, duration */
	int rx_cpus[GEN_MAX_THREADS];
	int nrx_cpus;
	enum bench_placement placement;
	uint32_t batch;	     /* 0: xdpi's default */
	uint32_t rx_size;    /* 0: default */
	uint32_t fill_size;  /* 0: default */
	uint32_t frame_size; /* 0: default */
	bool no_need_wakeup;
	bool check_seq;
	bool takeover;		      /* an external interface the host uses (`tune --takeover`) */
	uint64_t max_flows;	      /* the inspecting receivers' --max-flows; 0: live's default */
	bench_rx_report_fn rx_report; /* NULL: the record has no receiver report */
};

struct bench_result {
	enum bench_receiver receiver;
	const char *placement; /* what was in force */
	uint64_t sent;
	uint64_t requested_pps; /* 0: full rate */
	uint64_t fell_behind;	/* frames the paced generator could not send in time */
	double seconds;		/* the generator's sending time */
	uint64_t received;
	uint64_t sent_by_host; /* passive: frames the DUT sent, copied and inspected too */
	double sent_pps, recv_pps;
	double rx_busy, gen_busy; /* share of the rx / gen CPU busy, 0..1 */
	int64_t unexplained;	  /* xdpi receivers: the ledger's */
	uint64_t socket_drops;	  /* rx_dropped + rx_ring_full */
	uint64_t veth_refused;	  /* frames the DUT's veth ring refused, before XDP */
	/* Why an xdpi receiver lost what it lost (capture/losswatch.h),
	 * summed over its queues, and its workers' scheduling. */
	bool has_causes;
	uint64_t fill_empty[LOSS__CAUSES];
	uint64_t run_delay_ns, nivcsw, longest_gap_ns, gaps;
	/* CPU time the receiver spent: xdpi's workers over their life, other
	 * receivers' whole process over the generator's run; 0: unknown. */
	uint64_t rx_cpu_ns;
	double rx_steal_s; /* the rx CPU's steal time (a VM's host took it) */
	/* xdpi receivers: the ledger, as the receiver closed it (owned). */
	struct ledger ledger;
	/* The receiver's own report for the record (owned): xdpi's rendered
	 * by cfg->rx_report, AF_PACKET's counts, testpmd's statistics. */
	json_t *receiver_json;
	char err[256];
};

const char *bench_receiver_name(enum bench_receiver r);
/* The receiver named @s ("ceiling", "inspect", ...), or -EINVAL. */
int bench_receiver_parse(const char *s);
/* "inspect,ceiling" into @out (at most @max): the count or -EINVAL. */
int bench_receivers_parse(const char *s, int *out, int max);
/* Whether dpdk-testpmd is installed (the dpdk receiver can run). */
bool bench_have_dpdk(void);
const char *bench_placement_name(enum bench_placement p);
int bench_placement_parse(const char *s);
/* "busy-poll,threaded" into @out (at most @max; "auto" is no placement
 * to sweep): the count or -EINVAL. */
int bench_placements_parse(const char *s, int *out, int max);

/* The harness's defaults: gen_opts_defaults() traffic for @duration seconds
 * a trial, the generator on CPU 0 and the receiver on CPU 1 (CPU 0 when
 * there is only one). */
void bench_cfg_defaults(struct bench_cfg *cfg, double duration);

/* Runs @r on @tb with @cfg. Fills @res (release with bench_result_free).
 * With @tb NULL, runs the receiver on cfg->gen.ifname in this namespace for
 * cfg->gen.duration while the user's own traffic flows (`tune --external`);
 * then "sent" is what the XDP program steered. */
int bench_run(const struct testbed *tb, const struct bench_cfg *cfg, enum bench_receiver r,
	      struct bench_result *res);
void bench_result_free(struct bench_result *res);
/* A short run into the in-kernel drop that nothing counts: a fresh testbed
 * loses frames on its first traffic. */
int bench_warm_up(const struct testbed *tb, const struct bench_cfg *cfg);

/* Moves the calling process (the harness: it polls its children) onto the
 * generator's CPUs, off the receiver's, where it would preempt a worker.
 * The receivers and generators it starts get every CPU back. */
void bench_pin_harness(const struct bench_cfg *cfg);

#endif /* XDPI_BENCH_BENCHRUN_H */
