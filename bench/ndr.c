// SPDX-License-Identifier: MIT
/*
 * MLRsearch for the NDR and PDR goals (the rules are in ndr.h); how this
 * file runs it:
 *
 * Loads. Every load the search asks for is a double it computed once and
 * reuses bit for bit when it comes back to that load, so loads compare
 * exactly and live in a small table (struct ndr_load) holding, per goal,
 * the good and bad seconds of its valid trials. The full-rate trial is
 * load 0, at the rate the generator achieved ("the top"), and is
 * classified like any other load: the old search needed an upper bound
 * just above the top (top x 1.0001) for that; here the top is simply the
 * highest load in the table, and when it is a lower bound with no upper
 * bound anywhere, the goal ends there: nothing above the top can be
 * offered, so more trials could only confirm the generator's limit
 * (gen_limited). A load the generator could not offer is an upper bound
 * for every goal in every phase and has no classified trials.
 *
 * Phases. Each goal has its own phase: non-final phases (width
 * initial_width, halved each phase while above the goal width) use
 * initial_trial_s and a duration sum of one such trial; the final phase
 * uses final_trial_s and the goal's duration_sum. Classification is
 * recomputed from the table with the goal's current phase, so a load's
 * earlier trials count in later phases, and a load one trial decided
 * before is undecided again in the final phase until it has enough.
 * A goal moves to its next phase once its relevant bounds are within the
 * phase width; NDR is served first, then PDR, whose bounds usually come
 * from NDR's trials already.
 *
 * Next load for a goal, first rule that applies:
 *   1. an undecided load strictly between the relevant lower bound (or 0)
 *      and the relevant upper bound (or above): the one trialled most
 *      recently, which keeps a load under trial until it is decided and
 *      then returns to the bounds of the previous phase (the last ones
 *      trialled there) before older, farther loads;
 *   2. no lower bound below the upper one: the first candidate, what the
 *      receiver took at full rate minus a quarter of the goal width, if
 *      below the upper bound and above the floor; otherwise step down from
 *      the upper bound by the goal width, doubling the step each time a
 *      step found no lower bound, at most halving; below NDR_MIN_PPS the
 *      goal ends with no lower bound (result 0). A load that lost at the
 *      guess is most often just above the capacity, hence small steps
 *      first;
 *   3. the midpoint of the relevant bounds.
 * Rule 1 is what makes the repeated trials: in the final phase the
 * bounds a single trial set are undecided again and get trialled until
 * the duration sum decides them.
 *
 * Conditional throughput (draft-ietf-bmwg-mlrsearch, appendix B): the
 * valid trials at the relevant lower bound sorted by loss ascending; with
 * whole = max(duration sum, their total seconds), walk them subtracting
 * each one's seconds from whole x (1 - exceed ratio) and take the loss of
 * the trial at which that reaches 0; if it never does, the missing
 * seconds count as lost (loss 1, result 0). Seen from the other end: the
 * missing seconds and then the worst trials are set aside as long as
 * what is set aside stays within exceed ratio x whole, and the result is
 * the worst loss left. For a goal of loss 0 at a lower bound that is the
 * load itself. backing[] lists the trials in that order (by loss, ties in
 * the order run), so the quantile trial is easy to point at.
 *
 * Budget: before each trial (retries included) the search checks that it
 * fits in max_trials and max_search_s; if it does not, the search stops
 * (never starts a trial that would overrun) and goals still open are
 * marked unresolved. Their results are those of the phase they were in.
 * max_trials is cut to what ndr_result.trial[] holds.
 */
#include "ndr.h"

#include <string.h>

/* Below this no search goes on: a receiver that loses frames at 1 kpps is
 * broken, not slow, and the table says so with an NDR of 0. */
#define NDR_MIN_PPS 1000.0
/* A trial short by more than this many times the allowed shortfall is not
 * retried. */
#define NDR_RETRY_SHORTFALL 5
/* The external search never steps down by more than half: a receiver that
 * lost at a load is rarely ten times slower than it. */
#define NDR_MAX_STEP 0.5
/* Durations are sums of doubles: a sum that should equal the duration sum
 * may round a hair below it and must not flip a classification. */
#define NDR_EPS 1e-9

enum ndr_class { NDR_UNDECIDED, NDR_LOWER, NDR_UPPER };

/* How a goal stands once its phase has been brought up to date. */
enum ndr_goal_state {
	NDR_OPEN,  /* wants a trial */
	NDR_DONE,  /* the final phase's width is reached */
	NDR_TOP,   /* the top is a lower bound and nothing is above it */
	NDR_FLOOR, /* no lower bound above NDR_MIN_PPS */
};

struct ndr_load {
	double pps;
	double good_s[NDR__GOALS], bad_s[NDR__GOALS];
	int last;	/* its latest trial: rule 1 prefers the latest */
	bool gen_limit; /* the generator could not offer it */
};

struct ndr_phase {
	double width, trial_s, duration_sum;
	bool final;
};

/* The relevant bounds of one goal in one phase (load indexes, -1: none). */
struct ndr_view {
	int lower, upper;
	int focus; /* rule 1's load */
};

struct ndr_ctx {
	const struct ndr_opts *o;
	ndr_trial_fn run;
	void *run_ctx;
	struct ndr_result *res;
	struct ndr_load load[NDR_MAX_TRIALS];
	int nloads;
	int trial_load[NDR_MAX_TRIALS]; /* per trial: its load if valid, else -1 */
	int phase[NDR__GOALS], nphases[NDR__GOALS];
	double first[NDR__GOALS]; /* rule 2's first candidate */
	double step[NDR__GOALS];  /* rule 2's last step down, 0: none yet */
	enum ndr_goal_state state[NDR__GOALS];
	int max_trials; /* after the full-rate one, clamped to the storage */
	double spent_s; /* asked seconds after the full-rate trial */
};

void ndr_opts_defaults(struct ndr_opts *o)
{
	memset(o, 0, sizeof(*o));
	for (int g = 0; g < NDR__GOALS; g++) {
		o->goal[g].exceed_ratio = 0.5;
		o->goal[g].duration_sum = 3.0;
		o->goal[g].initial_trial_s = 1.0;
		o->goal[g].final_trial_s = 1.0;
		o->goal[g].width = 0.05;
	}
	o->goal[NDR_GOAL_NDR].loss_ratio = 0;
	o->goal[NDR_GOAL_PDR].loss_ratio = 0.005;
	o->initial_width = 0.2;
	o->shortfall = 0.01;
	o->max_trials = 40;
	o->max_search_s = 0;
	o->retries = 1;
}

bool ndr_trial_valid(const struct ndr_trial *t, double shortfall)
{
	return t->requested_pps <= 0 || t->achieved_pps >= (1.0 - shortfall) * t->requested_pps;
}

static double phase_width(const struct ndr_opts *o, int phase)
{
	double w = o->initial_width;

	for (int i = 0; i < phase; i++)
		w /= 2;
	return w;
}

static int count_phases(const struct ndr_opts *o, int g)
{
	double w = o->initial_width;
	int n = 1;

	/* A goal width of 0 would never end the halving. */
	while (w > o->goal[g].width && n < 64) {
		n++;
		w /= 2;
	}
	return n;
}

static struct ndr_phase phase_of(const struct ndr_ctx *s, int g, int phase)
{
	const struct ndr_goal *goal = &s->o->goal[g];
	struct ndr_phase p;

	p.final = phase >= s->nphases[g] - 1;
	if (p.final) {
		p.width = goal->width;
		p.trial_s = goal->final_trial_s;
		p.duration_sum = goal->duration_sum;
	} else {
		p.width = phase_width(s->o, phase);
		p.trial_s = goal->initial_trial_s;
		p.duration_sum = goal->initial_trial_s;
	}
	return p;
}

static enum ndr_class classify(const struct ndr_ctx *s, int g, const struct ndr_phase *p,
			       const struct ndr_load *l)
{
	double e = s->o->goal[g].exceed_ratio;
	double good = l->good_s[g], bad = l->bad_s[g];
	double whole = good + bad > p->duration_sum ? good + bad : p->duration_sum;
	double tol = NDR_EPS * whole;

	if (l->gen_limit)
		return NDR_UPPER;
	/* Optimistic exceed ratio bad / whole above the goal's: even if all
	 * missing trials were good the load exceeds. */
	if (bad > e * whole + tol)
		return NDR_UPPER;
	/* Pessimistic (whole - good) / whole within it: even if all missing
	 * trials were bad the load qualifies. */
	if (whole - good <= e * whole + tol)
		return NDR_LOWER;
	return NDR_UNDECIDED;
}

static struct ndr_view view_of(const struct ndr_ctx *s, int g, const struct ndr_phase *p)
{
	struct ndr_view v = {.lower = -1, .upper = -1, .focus = -1};
	enum ndr_class cls[NDR_MAX_TRIALS];
	double lo, hi;

	for (int i = 0; i < s->nloads; i++) {
		cls[i] = classify(s, g, p, &s->load[i]);
		if (cls[i] == NDR_UPPER && (v.upper < 0 || s->load[i].pps < s->load[v.upper].pps))
			v.upper = i;
	}
	hi = v.upper >= 0 ? s->load[v.upper].pps : 0;
	for (int i = 0; i < s->nloads; i++) {
		/* A lower bound above the lowest upper one is loss inversion:
		 * the upper bound is taken as the truth. */
		if (cls[i] != NDR_LOWER || (v.upper >= 0 && s->load[i].pps >= hi))
			continue;
		if (v.lower < 0 || s->load[i].pps > s->load[v.lower].pps)
			v.lower = i;
	}
	lo = v.lower >= 0 ? s->load[v.lower].pps : 0;
	for (int i = 0; i < s->nloads; i++) {
		if (cls[i] != NDR_UNDECIDED || s->load[i].pps <= lo ||
		    (v.upper >= 0 && s->load[i].pps >= hi))
			continue;
		if (v.focus < 0 || s->load[i].last > s->load[v.focus].last)
			v.focus = i;
	}
	return v;
}

/* Brings goal @g's phase up to date and, when it wants a trial, says at
 * which rate (@rate) and whether that is an external step (@step, else 0).
 * Changes nothing but the goal's phase and state: the step is committed
 * only once its trial runs. */
static bool next_load(struct ndr_ctx *s, int g, double *rate, double *step)
{
	struct ndr_phase p;
	struct ndr_view v;
	double lo, hi;

	*step = 0;
	for (;;) {
		p = phase_of(s, g, s->phase[g]);
		v = view_of(s, g, &p);
		if (v.upper < 0 && v.lower == 0) {
			s->state[g] = NDR_TOP;
			return false;
		}
		if (v.upper < 0 || v.lower < 0)
			break;
		lo = s->load[v.lower].pps;
		hi = s->load[v.upper].pps;
		if (hi - lo > p.width * hi)
			break;
		if (p.final) {
			s->state[g] = NDR_DONE;
			return false;
		}
		s->phase[g]++;
		s->step[g] = 0;
	}
	s->state[g] = NDR_OPEN;
	if (v.focus >= 0) {
		*rate = s->load[v.focus].pps;
		return true;
	}
	/* Without an upper bound the top is undecided, hence the focus; this
	 * is only a guard. */
	if (v.upper < 0) {
		s->state[g] = NDR_DONE;
		return false;
	}
	hi = s->load[v.upper].pps;
	if (v.lower < 0) {
		/* Nothing is tried below the upper bound yet (anything there
		 * would be a bound or the focus), so a candidate below it is
		 * new. */
		if (s->first[g] >= NDR_MIN_PPS && s->first[g] < hi) {
			*rate = s->first[g];
			return true;
		}
		*step = s->step[g] > 0 ? 2 * s->step[g] : s->o->goal[g].width;
		if (*step > NDR_MAX_STEP)
			*step = NDR_MAX_STEP;
		*rate = hi * (1 - *step);
		if (*rate < NDR_MIN_PPS) {
			s->state[g] = NDR_FLOOR;
			return false;
		}
		return true;
	}
	lo = s->load[v.lower].pps;
	*rate = (lo + hi) / 2;
	/* Bounds one double apart: no load between them to try. */
	if (!(*rate > lo && *rate < hi)) {
		s->state[g] = NDR_DONE;
		return false;
	}
	return true;
}

static bool budget_allows(const struct ndr_ctx *s, double duration_s)
{
	double max_s = s->o->max_search_s;

	if (s->res->trials - 1 >= s->max_trials)
		return false;
	return max_s <= 0 || s->spent_s + duration_s <= max_s * (1 + NDR_EPS);
}

static int load_index(struct ndr_ctx *s, double pps)
{
	struct ndr_load *l;

	for (int i = 0; i < s->nloads; i++)
		if (s->load[i].pps == pps)
			return i;
	/* Every load has a trial, so the table cannot outgrow the trials. */
	l = &s->load[s->nloads];
	memset(l, 0, sizeof(*l));
	l->pps = pps;
	return s->nloads++;
}

static void count_trial(struct ndr_ctx *s, int li, int ti)
{
	const struct ndr_trial *t = &s->res->trial[ti];
	struct ndr_load *l = &s->load[li];

	l->last = ti;
	if (!t->valid) {
		l->gen_limit = true;
		return;
	}
	s->trial_load[ti] = li;
	for (int g = 0; g < NDR__GOALS; g++) {
		if (t->loss > s->o->goal[g].loss_ratio)
			l->bad_s[g] += t->duration_s;
		else
			l->good_s[g] += t->duration_s;
	}
}

/* One trial at @rate, again while the generator falls short (up to the
 * retries and the budget). Returns 1 when the budget has no room for it. */
static int trial_at(struct ndr_ctx *s, double rate, double duration_s)
{
	const struct ndr_opts *o = s->o;
	struct ndr_result *res = s->res;

	for (int attempt = 0;; attempt++) {
		int ti = res->trials, ret;
		struct ndr_trial *t = &res->trial[ti];

		if (!budget_allows(s, duration_s)) {
			/* A retry the budget has no room for leaves the
			 * short trial as it was: the generator's limit. */
			if (attempt)
				count_trial(s, load_index(s, rate), ti - 1);
			return attempt ? 0 : 1;
		}
		memset(t, 0, sizeof(*t));
		ret = s->run(s->run_ctx, rate, duration_s, t);
		res->trials++;
		res->trial_seconds += duration_s;
		s->spent_s += duration_s;
		s->trial_load[ti] = -1;
		if (ret)
			return ret;
		t->requested_pps = rate;
		t->duration_s = duration_s;
		t->valid = ndr_trial_valid(t, o->shortfall);
		/* Far short is the generator's limit, not a hiccup: a retry
		 * would only spend the budget. */
		if (t->valid || attempt >= o->retries ||
		    !ndr_trial_valid(t, NDR_RETRY_SHORTFALL * o->shortfall)) {
			count_trial(s, load_index(s, rate), ti);
			return 0;
		}
	}
}

/* The conditional throughput at load @li (the rule is in the note at the
 * top), and the trials behind it. */
static double conditional_throughput(const struct ndr_ctx *s, int g, const struct ndr_phase *p,
				     int li, struct ndr_goal_result *gr)
{
	const struct ndr_result *res = s->res;
	double e = s->o->goal[g].exceed_ratio;
	double total = 0, whole, remaining;
	int n = 0;

	for (int i = 0; i < res->trials; i++) {
		int k;

		if (s->trial_load[i] != li)
			continue;
		total += res->trial[i].duration_s;
		/* Insertion by loss, ties in the order run. */
		for (k = n; k > 0 && res->trial[gr->backing[k - 1]].loss > res->trial[i].loss; k--)
			gr->backing[k] = gr->backing[k - 1];
		gr->backing[k] = i;
		n++;
	}
	gr->nbacking = n;
	whole = total > p->duration_sum ? total : p->duration_sum;
	remaining = whole * (1 - e);
	for (int k = 0; k < n; k++) {
		const struct ndr_trial *t = &res->trial[gr->backing[k]];

		remaining -= t->duration_s;
		if (remaining <= NDR_EPS * whole)
			return s->load[li].pps * (1 - t->loss);
	}
	return 0;
}

static void goal_result(struct ndr_ctx *s, int g)
{
	struct ndr_goal_result *gr = &s->res->goal[g];
	struct ndr_phase p = phase_of(s, g, s->phase[g]);
	struct ndr_view v = view_of(s, g, &p);

	gr->unresolved = s->state[g] == NDR_OPEN;
	if (v.upper >= 0) {
		gr->upper_load = s->load[v.upper].pps;
		gr->gen_limited = s->load[v.upper].gen_limit;
	} else {
		gr->gen_limited = v.lower == 0;
	}
	if (v.lower >= 0) {
		gr->lower_load = s->load[v.lower].pps;
		gr->pps = conditional_throughput(s, g, &p, v.lower, gr);
	}
}

int ndr_search(const struct ndr_opts *o, ndr_trial_fn run, void *ctx, struct ndr_result *res)
{
	struct ndr_ctx s = {.o = o, .run = run, .run_ctx = ctx, .res = res};
	double first_s = o->goal[NDR_GOAL_NDR].initial_trial_s;
	double top;
	int ret;

	memset(res, 0, sizeof(*res));
	ret = run(ctx, 0, first_s, &res->trial[0]);
	res->trials = 1;
	res->trial_seconds = first_s;
	if (ret)
		return ret;
	res->trial[0].requested_pps = 0;
	res->trial[0].duration_s = first_s;
	res->trial[0].valid = true;
	res->full = res->trial[0];
	if (o->full_rate_only)
		return 0;

	top = res->full.achieved_pps;
	count_trial(&s, load_index(&s, top), 0);
	s.max_trials = o->max_trials < NDR_MAX_TRIALS - 1 ? o->max_trials : NDR_MAX_TRIALS - 1;
	for (int g = 0; g < NDR__GOALS; g++) {
		s.nphases[g] = count_phases(o, g);
		/* What the receiver took at the highest load, a little under
		 * so that it is likely a lower bound at once. */
		s.first[g] = top * (1 - res->full.loss) * (1 - o->goal[g].width / 4);
	}

	for (;;) {
		double rate = 0, step = 0;
		int g;

		for (g = 0; g < NDR__GOALS; g++)
			if (next_load(&s, g, &rate, &step))
				break;
		if (g == NDR__GOALS)
			break;
		ret = trial_at(&s, rate, phase_of(&s, g, s.phase[g]).trial_s);
		if (ret < 0)
			return ret;
		if (ret > 0)
			break;
		/* Any other kind of load ends a run of steps down. */
		s.step[g] = step;
	}

	/* The states where the budget stopped the search. */
	for (int g = 0; g < NDR__GOALS; g++) {
		double rate, step;

		next_load(&s, g, &rate, &step);
		goal_result(&s, g);
	}
	res->ndr_pps = res->goal[NDR_GOAL_NDR].pps;
	/* A PDR below the NDR is loss inversion between the goals: the NDR's
	 * trials met the stricter goal, so they meet PDR's too. */
	res->pdr_pps = res->goal[NDR_GOAL_PDR].pps > res->ndr_pps ? res->goal[NDR_GOAL_PDR].pps
								  : res->ndr_pps;
	res->gen_limited = res->goal[NDR_GOAL_NDR].gen_limited;
	return 0;
}
