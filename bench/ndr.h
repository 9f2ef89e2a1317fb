/* SPDX-License-Identifier: MIT */
/*
 * No-drop rate search: the highest offered rate a receiver takes with zero
 * loss over a trial (NDR, RFC 2544's throughput) and the highest with loss
 * at most a small ratio (PDR), found together with few trials, the way FD.io
 * CSIT's MLRsearch does:
 *
 *   1. one trial at the generator's full rate: its offered rate bounds both
 *      searches from above, and what the receiver forwarded at that load is
 *      the first candidate;
 *   2. without a loss-free rate yet, the candidate halves until one is
 *      found; then each interval is bisected until it is narrower than the
 *      goal (relative to its upper bound), NDR first;
 *   3. every trial's loss classifies it for both searches at once: zero loss
 *      raises both lower bounds, loss at most pdr_loss raises PDR's and
 *      lowers NDR's upper bound, more lowers both upper bounds.
 *
 * A trial whose generator fell short of the requested rate by more than
 * `shortfall` did not offer that load: it is retried (unless it fell far
 * short, which is the generator's limit rather than a hiccup), and if it
 * stays short it is marked invalid, never classified, and the rate becomes
 * an upper bound the generator cannot pass (result.gen_limited).
 *
 * The search itself does no I/O: it calls the caller's trial function,
 * which runs one trial and reports what it measured. So it can be tested
 * with a modelled receiver (tests/test_ndr.c).
 *
 * Errors: ndr_search() returns 0, or the trial function's negative errno.
 */
#ifndef XDPI_BENCH_NDR_H
#define XDPI_BENCH_NDR_H

#include <stdbool.h>
#include <stdint.h>

struct ndr_trial {
	double requested_pps; /* 0: the generator's full rate */
	double achieved_pps;  /* what the generator offered: sent / seconds */
	uint64_t sent, received;
	double loss; /* (sent - received) / sent, 0..1 */
	bool valid;  /* the generator offered what was requested */
};

/* Runs one trial at @rate_pps (0: full rate) and fills @t, except `valid`,
 * which the search sets. Returns 0 or a negative errno (the search stops). */
typedef int (*ndr_trial_fn)(void *ctx, double rate_pps, struct ndr_trial *t);

struct ndr_opts {
	double goal_width; /* stop when (upper - lower) / upper is below this */
	double pdr_loss;   /* the loss ratio PDR allows */
	double shortfall;  /* achieved below (1 - shortfall) x requested: invalid */
	int max_trials;	   /* after the full-rate one, retries included */
	int retries;	   /* extra tries of a trial the generator fell short in */
	bool full_rate_only;
};

void ndr_opts_defaults(struct ndr_opts *o);

struct ndr_result {
	struct ndr_trial full; /* the full-rate trial */
	double ndr_pps, pdr_pps;
	/* The search stopped at a rate the generator could not offer (or the
	 * receiver lost nothing at the generator's full rate): the real NDR
	 * may be higher. */
	bool gen_limited;
	int trials; /* including the full-rate one and retries */
};

int ndr_search(const struct ndr_opts *o, ndr_trial_fn run, void *ctx, struct ndr_result *res);

/* Whether @t offered what it asked for, within @shortfall. */
bool ndr_trial_valid(const struct ndr_trial *t, double shortfall);

#endif /* XDPI_BENCH_NDR_H */
