/* SPDX-License-Identifier: MIT */
/*
 * A capture run on one interface: the XDP steering program, one AF_XDP
 * socket and one pinned worker per RX queue, the interface knobs busy
 * polling needs, and at the end the merged results and the drop ledger.
 * `xdpi live` drives it through capture_run() (capture/run.h), which
 * calls these in order; bench and `xdpi top` call them directly.
 *
 * Lifecycle (docs/architecture.md):
 *
 *   capture_open -> capture_start -> [capture_tick, capture_queue_read]*
 *     -> capture_stop -> capture_result -> capture_close
 *
 * - capture_open() takes every resource; on failure it has released what
 *   it took, and nothing stays attached to the interface.
 * - capture_stop() is ordered so that the ledger closes exactly: the XDP
 *   program stops redirecting, frames already redirected land, the workers
 *   drain their RX rings and exit, and only then are counters read.
 * - capture_close() releases everything, from any state (also after a
 *   failed capture_start()), and restores the interface knobs it changed.
 *
 * Messages: set-up facts, fallbacks and warnings go through util/log.h
 * (info and warning levels); nothing is written to stdout.
 *
 * Concurrency: one controlling thread calls all of these. The workers
 * inherit that thread's signal mask: block the signals the command handles
 * before capture_start(). capture_queue_read() takes lock-free snapshots
 * while the workers run.
 *
 * Errors: int functions return 0 or a negative errno, after logging why.
 * capture_open() returns -GUARD_REFUSED (capture/guard.h) when the
 * interface carries the host's own traffic and the options do not say
 * takeover: a refusal by policy, checked after the privileges and before
 * anything is attached; `xdpi live` exits 2 on it. Ceiling mode takes
 * frames from the host too (it drops them in XDP) and is held to the same
 * rule.
 */
#ifndef XDPI_CAPTURE_CAPTURE_H
#define XDPI_CAPTURE_CAPTURE_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/if_xdp.h>

#include "guard.h"
#include "ledger.h"
#include "../inspect/pipeline.h"
#include "options.h"

struct capture;
struct ipfix_exporter;

/* One queue as the live table and the final report show it. */
struct capture_queue {
	uint32_t queue_id;
	int cpu;
	bool passive; /* copies through a ring, no socket */
	bool zerocopy;
	bool hugepages;
	struct pipeline_counters counters; /* snapshot: as of the last batch */
	struct xdp_statistics sock;	   /* the socket's drop counters */
	/* Known after capture_stop(): */
	const char *idle; /* how the worker waited: "busy-poll", "spin-sleep", ... */
	bool busy_poll;	  /* it busy-polled a NAPI */
	uint32_t napi_id;
	uint64_t empty_polls, sleeps, spin_stops;
	uint32_t bind_retries;
};

/* What the NIC did to the frames and what xdpi made of it (capture/offload.h,
 * docs/live.md "Jumbo frames" and "NIC metadata"). */
struct capture_nic {
	uint32_t mtu;	    /* 0: unknown */
	uint32_t max_frame; /* the longest frame the sockets take */
	bool multi_buffer;  /* sockets bound with XDP_USE_SG */
	bool frags;	    /* the XDP program has frags support */
	bool rx_metadata;   /* the metadata variant of the XDP program runs */
	/* Each frame carries the time the XDP program saw it (the metadata
	 * variant always does, the plain program when this is set). */
	bool frame_times;
	/* Bytes of that struct in front of each frame in its buffer: the
	 * program put it in the frame's head (a kernel that refuses
	 * bpf_xdp_adjust_meta() to XDP programs), 0 in the metadata area. */
	uint32_t meta_head;
	const char *egress_hook;     /* passive, frames sent: "tcx", "clsact"; NULL */
	const char *vlan;	     /* how stripped tags are handled: "metadata", "offload-off",
				      * "stripping-kept", "not-stripped", "unknown", or
				      * "not-needed" (--ceiling, --no-inspect) */
	struct xdpi_meta_stats meta; /* summed over the queues */
	uint64_t gathered;	     /* frames copied whole to be parsed (worker scratch) */
};

struct capture_result {
	struct pipeline total; /* every worker's pipeline merged */
	struct ledger ledger;
	double duration_s;
	double start_wall, end_wall; /* CLOCK_REALTIME seconds */
	uint64_t written;	     /* -w: frames in the file */
	uint64_t write_dropped;	     /* -w: copies a full buffer refused */
	const char *xdp_mode;	     /* "native" or "skb" */
	struct capture_nic nic;
	/* The flow table's final summary (NULL: no flow stage); the
	 * workers' flow counters are in total. */
	const struct flow_summary *flows;
};

int capture_open(const struct capture_opts *o, struct capture **out);
/* Starts the workers (none in ceiling mode). */
int capture_start(struct capture *c);
/* Housekeeping while the run goes on, every ~CAPTURE_TICK_MS: acts on the
 * NAPI ids the workers learned (busy polling and IRQ deferral), and
 * watches the workers: one that takes no frame for CAPTURE_STALL_MS while
 * its RX ring holds some or its socket drops for an empty fill ring is
 * warned about once, and its recovery said. Needs no privilege (already
 * open sockets and the shared counters only). Returns 0, -ENODEV once
 * the interface is gone (deleted), or a worker's error once one could not
 * start receiving (its sandbox, logged by the worker): the run should
 * stop. */
int capture_tick(struct capture *c);
#define CAPTURE_STALL_MS 1000
#define CAPTURE_TICK_MS 100
/* With a count (-c): true once the XDP program has taken that many. */
bool capture_count_reached(const struct capture *c);
/* Workers (queues with a socket); 0 in ceiling mode. */
int capture_queue_count(const struct capture *c);
void capture_queue_read(const struct capture *c, int i, struct capture_queue *out);
/* Ordered stop (see above). The run's duration ends here. */
void capture_stop(struct capture *c);
/* After capture_stop(): the merged pipeline and the ledger. Free with
 * capture_result_free(). 0 or -ENOMEM. */
int capture_result(struct capture *c, struct capture_result *res);
void capture_result_free(struct capture_result *res);
/* Accepts NULL. */
void capture_close(struct capture *c);

/* --json-lines: where the command writes its "stats" lines (NULL: none). */
struct jsonl *capture_jsonl(const struct capture *c);
/* SIGHUP (capture/reload.h), from the thread that owns the run. Reopens the
 * --json-lines file at @path (the same one after a rotation, or a new
 * one; jsonl_reopen()): 0, -ENOENT without --json-lines, or a negative
 * errno with the reason in @err (the old file stays in use). @path must
 * outlive the capture. */
int capture_reopen_jsonl(struct capture *c, const char *path, char *err, size_t err_len);
/* The flow timeouts of @fo (--flow-timeout, --flow-closed-timeout,
 * --ipfix-active-timeout), from the flow expiry's next pass; -ENOENT
 * without a flow table. */
int capture_set_flow_timeouts(struct capture *c, const struct capture_flow_opts *fo);
/* The detection's thresholds of @fo (SIGHUP), applied at its next pass;
 * -ENOENT without detection, -EINVAL for thresholds out of range. */
int capture_set_detect(struct capture *c, const struct capture_flow_opts *fo);
/* Any time: the detection's counts; false without detection. */
bool capture_detect_stats(const struct capture *c, struct detect_stats *out);
/* The controlling thread, between ticks: the alerts started and not yet
 * ended (their latest records), at most CAPTURE_ACTIVE_ALERTS of them,
 * into *@out; returns how many. Valid until the next capture_tick(). */
#define CAPTURE_ACTIVE_ALERTS 8
struct detect_alert;
int capture_active_alerts(const struct capture *c, const struct detect_alert **out);
/* Seconds of frames-lost history an alert's window can look back on. */
#define CAPTURE_LOST_HIST 600
/* --ipfix: the exporter (NULL: none); its counts are final after
 * capture_stop(). */
struct ipfix_exporter *capture_ipfix(const struct capture *c);
/* --connections: the queue of ended connections (NULL: none), which the
 * controlling thread drains to stdout with conn_log_drain() (sink/
 * conn_log.h) between ticks, and once more after capture_stop(), when
 * every flow has ended and its record is queued. */
struct conn_log;
struct conn_log *capture_conn_log(const struct capture *c);
/* Before capture_start(): the flow table's maintainer feeds @fr (`xdpi
 * top`, inspect/flowrate.h) every @period_ns. -ENOENT without a flow
 * table. */
struct flowrate;
int capture_set_flow_view(struct capture *c, struct flowrate *fr, uint64_t period_ns);
/* Any time: the flow table's summary as of its last maintenance; false
 * without a flow stage. */
bool capture_flow_summary(const struct capture *c, struct flow_summary *out);
/* --prometheus: the HTTP server (NULL: none), which the controlling thread
 * publishes the figures to (capture_run(), through the command's
 * renderer, export/prom_publish.h); bound by
 * capture_open(), serving from capture_start() until capture_close(). */
struct prom_server;
struct prom_server *capture_prometheus(const struct capture *c);
/* SIGHUP: serves on @addr_port (which must outlive the capture) instead;
 * on failure (said in @err) the old server goes on. */
int capture_move_prometheus(struct capture *c, const char *addr_port, char *err, size_t err_len);

#endif /* XDPI_CAPTURE_CAPTURE_H */
