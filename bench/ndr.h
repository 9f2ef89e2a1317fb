/* SPDX-License-Identifier: MIT */
/*
 * The throughput search: MLRsearch (IETF BMWG, draft-ietf-bmwg-mlrsearch;
 * FD.io CSIT runs it) for two goals at once, NDR (loss ratio 0) and PDR
 * (loss ratio at most 0.5%), on the same trials.
 *
 * Why not RFC 2544's one-trial bisection: on a shared host one stall of
 * the receiver's CPU (tens of ms) loses frames at any load, and a single
 * trial that meets it decides the result. MLRsearch repeats short trials
 * at a load and classifies the load by the share of trial time that
 * exceeded the goal's loss ratio:
 *
 *   - a trial is "bad" for a goal when its loss ratio is above the goal's
 *     loss ratio, "good" otherwise; durations add up per load;
 *   - with G good and B bad seconds at a load and S the goal duration sum,
 *     the optimistic exceed ratio is B / max(S, G + B) (missing trials
 *     assumed good), the pessimistic one (B + max(0, S - G - B)) /
 *     max(S, G + B) (missing trials assumed bad);
 *   - the load is an upper bound once the optimistic ratio is above the
 *     goal exceed ratio, a lower bound once the pessimistic one is at most
 *     it, and undecided (more trials there) otherwise;
 *   - the relevant upper bound is the lowest upper bound; the relevant
 *     lower bound the highest lower bound below it. The search ends for a
 *     goal when (upper - lower) / upper is at most the goal width.
 *
 * The result per goal is the conditional throughput at the relevant lower
 * bound: the load times (1 - the loss ratio of that load's trials at the
 * goal exceed ratio quantile), i.e. the worst loss left once the worst
 * trials, up to exceed_ratio of the duration, are set aside. For NDR that
 * is the load itself.
 *
 * Trial durations: the search starts with initial_trial_s and a goal
 * duration sum of one trial (one trial decides), then for the final width
 * uses final_trial_s and the goal's duration_sum, so early bounds are
 * cheap and the final ones are backed by repeated trials. A load's trials
 * from earlier phases still count.
 *
 * The first trial is at the generator's full rate: its offered rate
 * bounds the search from above and what the receiver took at that load
 * is the first candidate.
 *
 * A trial whose generator fell short of the requested rate by more than
 * `shortfall` did not offer that load: it is retried once (unless it fell
 * far short, the generator's limit rather than a hiccup), and if it stays
 * short it is marked invalid, never classified, and that rate becomes an
 * upper bound the generator cannot pass (goal result gen_limited).
 *
 * The search does no I/O: it calls the caller's trial function, so it is
 * tested with modelled receivers (tests/test_ndr.c), one of which stalls
 * at random.
 *
 * Errors: ndr_search() returns 0, or the trial function's negative errno.
 */
#ifndef XDPI_BENCH_NDR_H
#define XDPI_BENCH_NDR_H

#include <stdbool.h>
#include <stdint.h>

/* The trials one search keeps (its budget cannot exceed this). */
#define NDR_MAX_TRIALS 128

enum ndr_goal_id { NDR_GOAL_NDR = 0, NDR_GOAL_PDR, NDR__GOALS };

struct ndr_trial {
	double requested_pps; /* 0: the generator's full rate */
	double duration_s;    /* what the search asked for */
	double achieved_pps;  /* what the generator offered: sent / seconds */
	uint64_t sent, received;
	double loss; /* (sent - received) / sent, 0..1 */
	bool valid;  /* the generator offered what was requested */
};

/* Runs one trial at @rate_pps (0: full rate) for @duration_s and fills @t,
 * except `valid`, which the search sets. Returns 0 or a negative errno
 * (the search stops). */
typedef int (*ndr_trial_fn)(void *ctx, double rate_pps, double duration_s, struct ndr_trial *t);

struct ndr_goal {
	double loss_ratio;	/* a trial above this is bad for the goal */
	double exceed_ratio;	/* share of trial time that may be bad */
	double duration_sum;	/* s of trials that classify a load */
	double initial_trial_s; /* trial duration before the final phase */
	double final_trial_s;	/* trial duration in the final phase */
	double width;		/* stop at (upper - lower) / upper <= width */
};

struct ndr_opts {
	struct ndr_goal goal[NDR__GOALS];
	/* Widths of the phases before the final one: the first phase stops
	 * at initial_width, each next one halves it until the goal width. */
	double initial_width;
	double shortfall;    /* achieved below (1 - shortfall) x requested: invalid */
	int max_trials;	     /* after the full-rate one, retries included */
	double max_search_s; /* trial seconds after the full-rate one; 0: no limit */
	int retries;	     /* extra tries of a trial the generator fell short in */
	bool full_rate_only;
};

/* NDR: loss 0, PDR: loss 0.005; exceed ratio 0.5, duration sum 3 s, 1 s
 * trials, width 0.05 (docs/bench.md says why). */
void ndr_opts_defaults(struct ndr_opts *o);

struct ndr_goal_result {
	/* Conditional throughput at the relevant lower bound; 0 when no
	 * load qualified as one. */
	double pps;
	double lower_load, upper_load; /* relevant bounds; upper 0: none */
	/* The trials (indexes into ndr_result.trial) at the lower bound
	 * that back pps. */
	int backing[NDR_MAX_TRIALS];
	int nbacking;
	/* The search stopped at a rate the generator could not offer, or the
	 * receiver met the goal at the generator's full rate: the receiver's
	 * own limit may be higher. */
	bool gen_limited;
	/* The width was not reached within the budget. */
	bool unresolved;
};

struct ndr_result {
	struct ndr_trial full; /* the full-rate trial (trial[0]) */
	struct ndr_goal_result goal[NDR__GOALS];
	double ndr_pps, pdr_pps;		/* goal[].pps */
	bool gen_limited;			/* goal[NDR].gen_limited */
	int trials;				/* including the full-rate one and retries */
	double trial_seconds;			/* sum of the trials' asked durations */
	struct ndr_trial trial[NDR_MAX_TRIALS]; /* in the order run */
};

int ndr_search(const struct ndr_opts *o, ndr_trial_fn run, void *ctx, struct ndr_result *res);

/* Whether @t offered what it asked for, within @shortfall. */
bool ndr_trial_valid(const struct ndr_trial *t, double shortfall);

#endif /* XDPI_BENCH_NDR_H */
