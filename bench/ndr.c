// SPDX-License-Identifier: MIT
#include "ndr.h"

#include <string.h>

/* Below this no search goes on: a receiver that loses frames at 1 kpps is
 * broken, not slow, and the table says so with an NDR of 0. */
#define NDR_MIN_PPS 1000.0
/* A trial short by more than this many times the allowed shortfall is not
 * retried. */
#define NDR_RETRY_SHORTFALL 5

void ndr_opts_defaults(struct ndr_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->goal_width = 0.05;
	o->pdr_loss = 0.001;
	o->shortfall = 0.01;
	o->max_trials = 8;
	o->retries = 1;
}

bool ndr_trial_valid(const struct ndr_trial *t, double shortfall)
{
	return t->requested_pps <= 0 || t->achieved_pps >= (1.0 - shortfall) * t->requested_pps;
}

/* Both searches' bounds. An upper bound set by an invalid trial is one the
 * generator could not pass; it is remembered so that the result can say
 * the NDR may be the generator's limit, not the receiver's. */
struct ndr_bounds {
	double lo_ndr, hi_ndr, lo_pdr, hi_pdr;
	bool hi_ndr_by_gen;
};

static void bounds_classify(struct ndr_bounds *b, double rate, double loss, double pdr_loss)
{
	if (loss <= 0) {
		/* A loss-free trial above a rate that lost is noise in the
		 * receiver's favour: the bound stays where a loss was seen. */
		if (rate > b->lo_ndr)
			b->lo_ndr = rate < b->hi_ndr ? rate : b->lo_ndr;
		if (rate > b->lo_pdr)
			b->lo_pdr = rate < b->hi_pdr ? rate : b->lo_pdr;
		return;
	}
	if (rate < b->hi_ndr) {
		b->hi_ndr = rate;
		b->hi_ndr_by_gen = false;
	}
	if (loss <= pdr_loss) {
		if (rate > b->lo_pdr && rate < b->hi_pdr)
			b->lo_pdr = rate;
	} else if (rate < b->hi_pdr) {
		b->hi_pdr = rate;
	}
}

static bool interval_open(double lo, double hi, double goal)
{
	return hi > lo && hi - lo > goal * hi;
}

/* Runs a trial at @rate, again while the generator falls short (up to the
 * retries and the trial budget). */
static int trial_at(const struct ndr_opts *o, ndr_trial_fn run, void *ctx, double rate,
		    struct ndr_result *res, struct ndr_trial *t)
{
	for (int attempt = 0;; attempt++) {
		int ret = run(ctx, rate, t);

		res->trials++;
		if (ret)
			return ret;
		t->requested_pps = rate;
		t->valid = ndr_trial_valid(t, o->shortfall);
		if (t->valid || attempt >= o->retries || res->trials >= 1 + o->max_trials)
			return 0;
		/* Far short is the generator's limit, not a hiccup: a retry
		 * would only spend the budget. */
		if (!ndr_trial_valid(t, NDR_RETRY_SHORTFALL * o->shortfall))
			return 0;
	}
}

int ndr_search(const struct ndr_opts *o, ndr_trial_fn run, void *ctx, struct ndr_result *res)
{
	struct ndr_bounds b = {0};
	double first, top;
	bool tried_first = false;
	int ret;

	memset(res, 0, sizeof(*res));
	ret = run(ctx, 0, &res->full);
	res->trials = 1;
	if (ret)
		return ret;
	res->full.requested_pps = 0;
	res->full.valid = true;
	if (o->full_rate_only)
		return 0;

	top = res->full.achieved_pps;
	/* Just above the top: the full-rate trial itself is classified. */
	b.hi_ndr = b.hi_pdr = top * 1.0001;
	bounds_classify(&b, top, res->full.loss, o->pdr_loss);
	/* What the receiver took at the highest load: MLRsearch's first guess. */
	first = top * (1.0 - res->full.loss) * (1.0 - o->goal_width / 4);

	while (res->trials < 1 + o->max_trials) {
		bool ndr_open = interval_open(b.lo_ndr, b.hi_ndr, o->goal_width);
		double lo, hi, rate;
		struct ndr_trial t;

		if (!ndr_open && !interval_open(b.lo_pdr, b.hi_pdr, o->goal_width))
			break;
		lo = ndr_open ? b.lo_ndr : b.lo_pdr;
		hi = ndr_open ? b.hi_ndr : b.hi_pdr;
		if (lo > 0) {
			rate = (lo + hi) / 2;
		} else if (!tried_first && first < hi) {
			rate = first;
			tried_first = true;
		} else {
			rate = hi / 2;
		}
		if (rate < NDR_MIN_PPS)
			break;
		ret = trial_at(o, run, ctx, rate, res, &t);
		if (ret)
			return ret;
		if (!t.valid) {
			if (rate < b.hi_ndr) {
				b.hi_ndr = rate;
				b.hi_ndr_by_gen = true;
			}
			if (rate < b.hi_pdr)
				b.hi_pdr = rate;
			if (b.lo_ndr > b.hi_ndr)
				b.lo_ndr = b.hi_ndr;
			if (b.lo_pdr > b.hi_pdr)
				b.lo_pdr = b.hi_pdr;
			continue;
		}
		bounds_classify(&b, rate, t.loss, o->pdr_loss);
	}
	res->ndr_pps = b.lo_ndr;
	res->pdr_pps = b.lo_pdr > b.lo_ndr ? b.lo_pdr : b.lo_ndr;
	res->gen_limited = b.hi_ndr_by_gen || res->full.loss <= 0;
	return 0;
}
