// SPDX-License-Identifier: MIT
/*
 * Unit tests of the no-drop-rate search (bench/ndr.c) against modelled
 * receivers and generators: a receiver with a known capacity and a band of
 * small loss above it, a generator with a full rate and a rate it cannot
 * pace beyond. The search must land within its goal of the model's true
 * NDR and PDR, never count a trial the generator fell short in, stop within
 * its trial budget and pass errors on.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "bench/ndr.h"

#define TEST(name) static void name(void **state __attribute__((unused)))

struct model {
	double capacity;   /* loss-free up to here */
	double pdr_band;   /* up to capacity * (1 + pdr_band): loss 0.05% */
	double gen_full;   /* the generator's unpaced rate */
	double gen_paced;  /* the generator cannot pace above this (0: no limit) */
	int fail_at_trial; /* the trial function fails at this trial (0: never) */
	int trials;
	int invalid_seen;
	double max_classified_invalid; /* a rate the generator fell short at */
};

static int model_trial(void *ctx, double rate, struct ndr_trial *t)
{
	struct model *m = ctx;
	double offered = rate > 0 ? rate : m->gen_full;

	m->trials++;
	if (m->fail_at_trial && m->trials == m->fail_at_trial)
		return -EIO;
	if (rate > 0 && m->gen_paced && offered > m->gen_paced)
		offered = m->gen_paced;
	t->requested_pps = rate;
	t->achieved_pps = offered;
	t->sent = (uint64_t)offered;
	if (offered <= m->capacity)
		t->loss = 0;
	else if (offered <= m->capacity * (1 + m->pdr_band))
		t->loss = 0.0005;
	else
		t->loss = (offered - m->capacity) / offered;
	t->received = (uint64_t)((double)t->sent * (1 - t->loss));
	return 0;
}

TEST(test_finds_ndr_within_goal)
{
	struct model m = {.capacity = 2.3e6, .gen_full = 5e6};
	struct ndr_opts o;
	struct ndr_result r;

	ndr_opts_defaults(&o);
	assert_int_equal(ndr_search(&o, model_trial, &m, &r), 0);
	assert_true(r.ndr_pps <= m.capacity);
	assert_true(r.ndr_pps >= m.capacity * (1 - o.goal_width));
	assert_true(r.pdr_pps >= r.ndr_pps);
	assert_false(r.gen_limited);
	assert_int_equal(r.trials, m.trials);
	assert_true(r.trials <= 1 + o.max_trials);
	assert_true(r.full.loss > 0);
	assert_true(r.full.valid);
}

TEST(test_finds_pdr_above_ndr)
{
	struct model m = {.capacity = 1e6, .pdr_band = 0.2, .gen_full = 4e6};
	struct ndr_opts o;
	struct ndr_result r;

	ndr_opts_defaults(&o);
	o.max_trials = 16;
	assert_int_equal(ndr_search(&o, model_trial, &m, &r), 0);
	assert_true(r.ndr_pps <= m.capacity);
	assert_true(r.ndr_pps >= m.capacity * (1 - o.goal_width));
	assert_true(r.pdr_pps <= m.capacity * 1.2);
	assert_true(r.pdr_pps >= m.capacity * 1.2 * (1 - o.goal_width));
}

TEST(test_receiver_faster_than_generator)
{
	struct model m = {.capacity = 9e6, .gen_full = 5e6};
	struct ndr_opts o;
	struct ndr_result r;

	ndr_opts_defaults(&o);
	assert_int_equal(ndr_search(&o, model_trial, &m, &r), 0);
	assert_int_equal(r.trials, 1);
	assert_true(r.ndr_pps == 5e6);
	assert_true(r.gen_limited);
}

/* The generator cannot pace above 0.8 Mpps while the receiver could take
 * 2 Mpps: no trial above 0.8 Mpps may count, the NDR is at most that, and
 * the result says the generator was the limit. */
TEST(test_generator_shortfall_never_counts)
{
	struct model m = {.capacity = 2e6, .gen_full = 5e6, .gen_paced = 0.8e6};
	struct ndr_opts o;
	struct ndr_result r;

	ndr_opts_defaults(&o);
	assert_int_equal(ndr_search(&o, model_trial, &m, &r), 0);
	/* Within the shortfall it tolerates, a trial counts at its requested rate. */
	assert_true(r.ndr_pps <= 0.8e6 / (1 - o.shortfall));
	assert_true(r.ndr_pps >= 0.8e6 * (1 - o.goal_width));
	assert_true(r.gen_limited);
}

TEST(test_broken_receiver_ndr_zero)
{
	struct model m = {.capacity = 0, .gen_full = 5e6};
	struct ndr_opts o;
	struct ndr_result r;

	ndr_opts_defaults(&o);
	o.max_trials = 40;
	assert_int_equal(ndr_search(&o, model_trial, &m, &r), 0);
	assert_true(r.ndr_pps == 0);
	assert_true(r.pdr_pps == 0);
	assert_true(r.trials < 1 + o.max_trials); /* stopped at the floor */
}

TEST(test_trial_error_propagates)
{
	struct model m = {.capacity = 1e6, .gen_full = 5e6, .fail_at_trial = 3};
	struct model first = {.capacity = 1e6, .gen_full = 5e6, .fail_at_trial = 1};
	struct ndr_opts o;
	struct ndr_result r;

	ndr_opts_defaults(&o);
	assert_int_equal(ndr_search(&o, model_trial, &m, &r), -EIO);
	assert_int_equal(ndr_search(&o, model_trial, &first, &r), -EIO);
}

TEST(test_full_rate_only)
{
	struct model m = {.capacity = 1e6, .gen_full = 5e6};
	struct ndr_opts o;
	struct ndr_result r;

	ndr_opts_defaults(&o);
	o.full_rate_only = true;
	assert_int_equal(ndr_search(&o, model_trial, &m, &r), 0);
	assert_int_equal(r.trials, 1);
	assert_true(r.full.achieved_pps == 5e6);
	assert_true(r.full.loss > 0.79 && r.full.loss < 0.81);
}

TEST(test_budget_respected)
{
	struct model m = {.capacity = 1234567, .gen_full = 6e6};
	struct ndr_opts o;
	struct ndr_result r;

	ndr_opts_defaults(&o);
	o.goal_width = 1e-9; /* never reached: the budget ends the search */
	o.max_trials = 5;
	assert_int_equal(ndr_search(&o, model_trial, &m, &r), 0);
	assert_int_equal(r.trials, 6);
	assert_true(r.ndr_pps <= m.capacity);
}

TEST(test_trial_valid_threshold)
{
	struct ndr_trial t = {.requested_pps = 1e6, .achieved_pps = 0.99e6};

	assert_true(ndr_trial_valid(&t, 0.01));
	t.achieved_pps = 0.9899e6;
	assert_false(ndr_trial_valid(&t, 0.01));
	t.requested_pps = 0; /* full rate: nothing was requested */
	assert_true(ndr_trial_valid(&t, 0.01));
}

/* A receiver that lost a little at one rate (a stall: within the PDR) and,
 * by chance, nothing at a higher one, which the PDR search then tries: the
 * NDR stays below the rate that lost. */
static int noisy_trial(void *ctx, double rate, struct ndr_trial *t)
{
	struct model *m = ctx;
	double offered = rate > 0 ? rate : m->gen_full;
	bool stall = offered > 0.47 * m->gen_full && offered < 0.50 * m->gen_full;

	m->trials++;
	t->requested_pps = rate;
	t->achieved_pps = offered;
	t->sent = 1000000;
	t->loss = stall ? 0.0005 : offered > 0.9 * m->gen_full ? 0.01 : 0;
	t->received = (uint64_t)((double)t->sent * (1 - t->loss));
	if (stall)
		m->max_classified_invalid = offered; /* the rate that lost */
	return 0;
}

TEST(test_loss_inversion_keeps_ndr_below_a_lossy_rate)
{
	struct model m = {.gen_full = 1e6};
	struct ndr_opts o;
	struct ndr_result r;

	ndr_opts_defaults(&o);
	o.max_trials = 30;
	assert_int_equal(ndr_search(&o, noisy_trial, &m, &r), 0);
	/* the search met the stall (the model is built so that it does) */
	assert_true(m.max_classified_invalid > 0);
	assert_true(r.ndr_pps > 0);
	assert_true(r.ndr_pps < m.max_classified_invalid);
	/* and the PDR, which the stall's small loss allows, is above it */
	assert_true(r.pdr_pps > m.max_classified_invalid);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_finds_ndr_within_goal),
		cmocka_unit_test(test_finds_pdr_above_ndr),
		cmocka_unit_test(test_receiver_faster_than_generator),
		cmocka_unit_test(test_generator_shortfall_never_counts),
		cmocka_unit_test(test_broken_receiver_ndr_zero),
		cmocka_unit_test(test_trial_error_propagates),
		cmocka_unit_test(test_full_rate_only),
		cmocka_unit_test(test_budget_respected),
		cmocka_unit_test(test_trial_valid_threshold),
		cmocka_unit_test(test_loss_inversion_keeps_ndr_below_a_lossy_rate),
	};

	return cmocka_run_group_tests_name("ndr", tests, NULL, NULL);
}
