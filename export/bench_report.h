/* SPDX-License-Identifier: MIT */
/*
 * What `xdpi bench` prints and records: the run's heading, a line per
 * trial, the table of receivers with its footnotes, the ledger of the
 * inspecting run, and the JSON record (keys in docs/bench.md). It builds
 * and prints; cmd/bench.c measures (bench/benchrun.h, bench/ndr.h) and
 * decides where the output goes. bench_machine_json() also serves
 * `xdpi tune`'s record.
 *
 * Errors: json functions return NULL on allocation failure.
 */
#ifndef XDPI_EXPORT_BENCH_REPORT_H
#define XDPI_EXPORT_BENCH_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "../bench/benchrun.h"
#include "../bench/history.h"
#include "../bench/ndr.h"

/* One receiver's measurements in this run. */
struct bench_rx {
	bool ran;
	struct ndr_result ndr;
	struct bench_result full; /* the full-rate (or --rate) trial, kept whole */
	const char *placement;
	int64_t unexplained; /* summed over every trial */
	/* The search's trials are the record's "trials" from this index on. */
	int trial_base;
	int lossy_trials, stalled_trials; /* stalled: the loss met a stall */
};

/* The run as a whole, for the record. */
struct bench_run_info {
	bool search; /* NDR/PDR searched, not one trial per receiver */
	int failures;
	const char *cmdline;
	double trial_s;
	double start, end; /* wall clock (report_wall_now()) */
};

/* "xdpi live (inspect)", ...: the receiver as the table names it. */
const char *bench_receiver_label(enum bench_receiver r);

/* The testbed and the traffic every trial of the run gets. */
void bench_heading_print(FILE *out, const struct testbed *tb, const struct bench_cfg *cfg,
			 bool search);
/* One trial of a receiver's search (@t: what the search made of @b;
 * @stalled: its loss coincided with a stall, cmd/bench.c). */
void bench_trial_print(FILE *out, enum bench_receiver r, const struct bench_result *b,
		       const struct ndr_trial *t, bool stalled);
/* One of the ceiling's trials that choose its placement. */
void bench_placement_trial_print(FILE *out, enum bench_receiver r, const struct bench_result *b);
json_t *bench_trial_json(enum bench_receiver r, const struct bench_result *b,
			 const struct ndr_trial *t, bool stalled);
/* The receiver's CPU time per frame received in @b (0: unknown). */
double bench_cpu_ns_per_frame(const struct bench_result *b);

/* The run's verdict: the receivers (but the ceiling) by NDR, with a rank
 * shared where the search's bounds overlap, unless stalls decided too
 * many trials to back any ranking. */
struct bench_verdict {
	int order[BENCH__RECEIVERS]; /* enum bench_receiver, best first */
	int rank[BENCH__RECEIVERS];  /* 1-based; equal: told apart by nothing */
	int count;
	bool noisy;
	int stalled_trials, trials; /* of the receivers that made it noisy */
};
void bench_verdict(const struct bench_rx *rx, struct bench_verdict *v);

/* The receivers that ran, side by side, and what qualifies their figures. */
/* @frame_bytes: the mean frame size on the wire (FCS included), for the
 * Gbit/s column. */
void bench_table_print(FILE *out, const struct bench_rx *rx, bool search, double frame_bytes);
/* The drop ledger of the inspecting receiver's full-rate trial, if it ran. */
void bench_ledger_print(FILE *out, const struct bench_rx *rx);
/* The record of the run; @trials: every trial's bench_trial_json(). */
json_t *bench_report_json(const struct bench_rx *rx, json_t *trials,
			  const struct bench_run_info *run);

/* The upper bound of @b's NDR: the search's, or the most it was offered
 * when the search found none (it lost nothing at the generator's rate). */
double bench_ndr_upper(const struct bench_rx *b);
/* What the history keeps of this run's receivers (bench/history.h). */
void bench_history_run_of(const struct bench_rx *rx, double time, struct bench_hist_run *out);
/* The verdict across runs: a spread per receiver, which ones repeat, and
 * the ranking every run backs; nothing with fewer than two runs. */
void bench_across_print(FILE *out, const struct bench_across *a);
json_t *bench_across_json(const struct bench_across *a);

/* Facts for benchmark records: kernel release, CPU model, CPU count. */
json_t *bench_machine_json(void);

#endif /* XDPI_EXPORT_BENCH_REPORT_H */
