/* SPDX-License-Identifier: MIT */
/*
 * The per-frame pipeline: what happens to one frame, for the live workers
 * and for `xdpi read` alike. Its stages, in order:
 *
 *   filter -> write (-w) -> parse -> flows -> metrics -> sequence check
 *
 * The flow stage (inspect/flows.h, with its payload peeks) is a runtime
 * test, not a constant: it costs far more than the branch.
 *
 * The order is written once, in pipeline_take() (the stages before the
 * parse) and pipeline_account() (those after it), which both entry points
 * call: pipeline_frame() for a plain buffer, pipeline_frame_ext() for a
 * frame in several buffers or with NIC metadata.
 *
 * A stage is configured once (struct pipeline_config) and keeps its state in
 * struct pipeline; adding one is an edit of pipeline_take() or
 * pipeline_account() and of pipeline_init()/pipeline_destroy()/
 * pipeline_merge(). The stages each run
 * per frame are fixed for a run: the caller picks the specialisation once
 * (pipeline_frame() is inlined with constant flags) so that a stage that is
 * off costs no test per frame.
 *
 * Snapshots: the owner publishes its counters (pipeline_publish(), once per
 * batch) under a sequence counter; any thread may take a consistent copy
 * with pipeline_snapshot() while the owner runs. The owner never waits and
 * takes no lock: a reader that raced a publish retries.
 *
 * Concurrency: one owning thread calls pipeline_frame()/pipeline_publish();
 * pipeline_snapshot() from any thread; everything else (merge, reading the
 * metrics and the sequence check directly) after the owner has stopped.
 * Errors: int functions return 0 or a negative errno.
 */
#ifndef XDPI_INSPECT_PIPELINE_H
#define XDPI_INSPECT_PIPELINE_H

#include <stdbool.h>
#include <stdint.h>

#include "../bpf/xdpi_shared.h"
#include "filter.h"
#include "flows.h"
#include "metrics.h"
#include "parse.h"
#include "seqcheck.h"
#include "tap.h"

struct pipeline_config {
	/* Frames the filter does not select are counted in filtered_out and
	 * go no further. NULL (or a filter of kind ALL): every frame. Live,
	 * the XDP program has already filtered: NULL. Borrowed: the filter
	 * outlives the pipeline. */
	const struct xdpi_filter *filter;
	bool inspect;	/* false: packets and bytes only, the frame is not read */
	bool check_seq; /* the stamps of `xdpi gen` and pktgen (inspect/seqcheck.h) */
	enum seqcheck_clock_mode seq_clock; /* whose send times compare with ours */
	/* The flow stage: a table shared with the other pipelines of the run
	 * (borrowed), or NULL. With inspect only. */
	struct flow_table *flows;
	/* The distinct counts' exact bound (--distinct-limit; 0: default). */
	uint64_t distinct_limit;
	uint64_t distinct_seed; /* 0: the process's random one (metrics.h) */
	/* Offline: this pipeline's owner also maintains the table, once per
	 * second of capture time (pipeline_clock()). */
	bool maintain_flows;
	/* Live: the longest frame the socket can deliver in several buffers
	 * (AF_XDP multi-buffer), or with a stripped VLAN tag put back; a
	 * scratch buffer of this size holds such a frame when it must be
	 * whole in one piece (pipeline_frame_ext()). 0: none. */
	uint32_t max_frame;
};

/* A frame as the NIC delivered it beyond one plain buffer: in several
 * buffers, and/or with metadata (bpf/xdpi_shared.h, struct xdpi_rx_meta). */
#define PIPELINE_MAX_PARTS 32
struct pipeline_frame_ext {
	const uint8_t *part[PIPELINE_MAX_PARTS];
	uint32_t part_len[PIPELINE_MAX_PARTS];
	uint32_t nparts;
	uint32_t len; /* all parts, without a stripped tag */
	bool stripped_tag;
	uint16_t tci;		  /* the stripped tag, when stripped_tag */
	uint16_t tag_proto;	  /* its TPID: 0x8100 or 0x88a8 */
	uint64_t rx_timestamp_ns; /* the NIC's receive time; 0: none */
};

/* What a reader may see of a running pipeline. */
struct pipeline_counters {
	struct metrics_counters c;
	uint64_t unique_src_ips;
	uint64_t tcp_directions;
	uint64_t filtered_out;
	uint64_t snapped; /* frames captured shorter than on the wire */
	struct flow_counters flows;
};

struct pipeline {
	/* Owned by the running thread, written per frame. */
	struct metrics m;
	struct seqcheck *seq; /* NULL unless check_seq; on lines of its own */
	uint64_t filtered_out;
	uint64_t snapped;
	struct pipeline_config cfg;
	/* The write stage (-w): copies of the frames the filter took, stamped
	 * tap_ts_ns (set by the caller per batch, or per frame offline). */
	struct tap *tap;
	uint64_t tap_ts_ns;
	/* The flow stage; its now_ns is the capture time (pipeline_clock()). */
	struct flow_worker fw;
	uint64_t next_maintain_ns;
	uint8_t *scratch;  /* cfg.max_frame + a tag: pipeline_frame_ext() */
	uint64_t gathered; /* frames copied whole into scratch */

	/* Published by the owner, read by anyone (seqlock). */
	struct {
		uint32_t seq; /* odd while the owner writes */
		struct pipeline_counters v;
	} snap XDPI_CACHE_ALIGNED;
} XDPI_CACHE_ALIGNED;

/* Returns 0 or -ENOMEM; on error nothing is left allocated. */
int pipeline_init(struct pipeline *p, const struct pipeline_config *cfg);
/* Accepts a zeroed or destroyed struct. */
void pipeline_destroy(struct pipeline *p);
/* dst += src: metrics (distinct sets united), sequence check and counters.
 * Both must have the same configuration. 0, or -ENOMEM (then the distinct
 * counts are lower bounds, counted in distinct_untracked). */
int pipeline_merge(struct pipeline *dst, const struct pipeline *src);

/* Owner, offline: maintenance of the flow table at capture time. */
void pipeline_maintain(struct pipeline *p);

/* Owner: the capture time of the frames that follow (the wall clock once
 * per batch live, each record's time stamp offline). */
static inline void pipeline_clock(struct pipeline *p, uint64_t now_ns)
{
	p->fw.now_ns = now_ns;
	if (p->cfg.maintain_flows && now_ns >= p->next_maintain_ns)
		pipeline_maintain(p);
}

/* Owner: makes the counters so far visible to pipeline_snapshot(), and
 * with a flow table reports a quiescent state (inspect/flows.h). */
void pipeline_publish(struct pipeline *p);
/* Any thread: a consistent copy of the last published counters. */
void pipeline_snapshot(const struct pipeline *p, struct pipeline_counters *out);

/* The stages before the parse: write (-w), then, without inspection, the
 * count alone. Returns whether the frame goes on to the parse. */
static inline __attribute__((always_inline)) bool pipeline_take(struct pipeline *p,
								const uint8_t *frame,
								uint32_t caplen, uint32_t wire_len,
								const bool inspect)
{
	if (p->tap)
		tap_push(p->tap, frame, caplen, wire_len, p->tap_ts_ns);
	if (!inspect) {
		p->m.c.packets++;
		p->m.c.bytes += wire_len;
		return false;
	}
	return true;
}

/* The stages after the parse: flows, metrics, sequence check. */
static inline __attribute__((always_inline)) void
pipeline_account(struct pipeline *p, const struct pkt_info *pi, const uint8_t *frame,
		 uint32_t caplen, uint32_t wire_len, const struct seqcheck_clock *now,
		 const bool check_seq)
{
	/* The flow stage first: a direction it has seen spares the distinct
	 * counts their lookups (metrics_account_seen()). */
	metrics_account_seen(&p->m, pi, wire_len,
			     p->cfg.flows &&
				     flow_worker_account(&p->fw, pi, frame, caplen, wire_len));
	if (check_seq)
		seqcheck_account(p->seq, pi, frame, caplen, now);
}

/*
 * The one place that decides what happens to a frame of @caplen bytes
 * captured (of @wire_len on the wire) at @now (seqcheck_clock_read() once
 * per batch; read only by the sequence check, NULL without it). Callers
 * pass p->cfg's flags as constants (see the file comment): @inspect and
 * @check_seq must equal them; @filter is p->cfg.filter != NULL.
 */
static inline __attribute__((always_inline)) void
pipeline_frame(struct pipeline *p, const uint8_t *frame, uint32_t caplen, uint32_t wire_len,
	       const struct seqcheck_clock *now, const bool filter, const bool inspect,
	       const bool check_seq)
{
	struct pkt_info pi;

	if (filter && !xdpi_filter_match(p->cfg.filter, frame, caplen, wire_len)) {
		p->filtered_out++;
		return;
	}
	if (!pipeline_take(p, frame, caplen, wire_len, inspect))
		return;
	pkt_parse_wire(frame, caplen, wire_len, &pi);
	pipeline_account(p, &pi, frame, caplen, wire_len, now, check_seq);
	p->snapped += caplen < wire_len;
}

/*
 * pipeline_frame() for a frame that is more than one plain buffer: its
 * first part is parsed in place when the headers fit it (the others only
 * add to its length); it is copied whole into the scratch buffer only when
 * a header runs past the first part, or when the write stage needs its
 * bytes. A stripped VLAN tag counts as though it were in the frame (its
 * 4 bytes included), and a hardware receive time dates the frame for the
 * sequence check and the flows. Out of line: the plain path stays small.
 */
void pipeline_frame_ext(struct pipeline *p, const struct pipeline_frame_ext *fx,
			const struct seqcheck_clock *now);

#endif /* XDPI_INSPECT_PIPELINE_H */
