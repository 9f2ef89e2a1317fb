/* SPDX-License-Identifier: MIT */
/*
 * `xdpi bench`'s verdict across runs. One run's NDR is what its trials met:
 * a receiver whose loss comes and goes with its host (DPDK testpmd's
 * 2,048-frame fill ring on a shared VM, docs/benchmarks.md) can land
 * anywhere from one run to the next, and a single run cannot see it. So
 * every searched run appends its figures to a history file, one JSON line
 * per run, keyed by its set-up (machine, traffic, options), and the verdict
 * is also drawn over the last BENCH_HISTORY_RUNS runs of the same set-up:
 * each receiver's spread around its median, whether it stayed within
 * BENCH_STEADY_MARGIN, and a ranking that every one of those runs backs.
 * Where the ceiling itself moved (the host ran faster in one run than in
 * another), each receiver's NDR over the ceiling's of its own run is
 * judged the same way: the ratio measured in one run is what repeats.
 *
 * bench_across_runs() is I/O-free (tests/test_benchhist.c); the file
 * functions return 0 or a negative errno with the reason in @err.
 */
#ifndef XDPI_BENCH_HISTORY_H
#define XDPI_BENCH_HISTORY_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "benchrun.h"

/* The runs one verdict spans, the current one included. */
#define BENCH_HISTORY_RUNS 3
/* A figure within this share of its median repeats; two receivers rank
 * apart only when one's lowest bound clears the other's highest by it. */
#define BENCH_STEADY_MARGIN 0.15

/* What a run keeps of a receiver. */
struct bench_hist_rx {
	bool ran;
	double ndr, pdr;  /* conditional throughput, pps */
	double ndr_upper; /* the search's upper bound, or the most offered */
	bool gen_limited;
};

struct bench_hist_run {
	double time; /* wall clock, seconds */
	struct bench_hist_rx rx[BENCH__RECEIVERS];
};

struct bench_spread {
	double median, min, max;
	double dev; /* the largest |x / median - 1| */
};

struct bench_across_rx {
	bool present; /* ran in every run of the verdict */
	struct bench_spread ndr, pdr;
	double lower, upper; /* the lowest NDR, the highest upper bound */
	bool steady;	     /* both figures within the margin in every run */
	/* NDR over the ceiling's NDR of the same run, where the ceiling ran
	 * (above zero) in every run: what stays when the host's own speed
	 * moves between runs (a shared VM's does). */
	bool ratio_present;
	struct bench_spread ratio;
	bool ratio_steady; /* within the margin in every run */
};

struct bench_across {
	int runs;
	struct bench_across_rx rx[BENCH__RECEIVERS];
	bool steady; /* every present receiver steady */
	/* The ceiling (no receiver's work, only the host's) moved by more
	 * than the margin: the ratios to it are the figures that can repeat. */
	bool host_moved;
	/* The present receivers but the ceiling, best median NDR first. */
	int order[BENCH__RECEIVERS];
	int rank[BENCH__RECEIVERS]; /* 1-based; shared where runs overlap */
	int count;
};

/* The verdict over @runs[0..n) (oldest first, the current one last). */
void bench_across_runs(const struct bench_hist_run *runs, int n, struct bench_across *out);

/* The default history file: $XDG_STATE_HOME/xdpi/bench-history.jsonl, or
 * ~/.local/state/xdpi/... Fills @buf; -ENOENT when neither is set. */
int bench_history_default_path(char *buf, size_t len);

/* The last @max runs of @path whose set-up equals @setup, oldest first, into
 * @runs; their number in *@n. A missing file is no runs. Lines that do not
 * parse, or name no known receiver, are skipped and counted in *@skipped. */
int bench_history_load(const char *path, const json_t *setup, struct bench_hist_run *runs, int max,
		       int *n, int *skipped, char *err, size_t err_len);

/* Appends @run under @setup, creating the file and its directory. */
int bench_history_append(const char *path, const json_t *setup, const struct bench_hist_run *run,
			 char *err, size_t err_len);

#endif /* XDPI_BENCH_HISTORY_H */
