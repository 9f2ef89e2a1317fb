// SPDX-License-Identifier: MIT
/*
 * Unit tests of the rule that lays fill-ring drops at a cause
 * (capture/losscause.h): each cause from the facts that decide it, the
 * order when several hold, and the edges of the gap threshold. The live
 * half (the monitor thread, a stopped process) is t_loss.sh's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "capture/losscause.h"

#define TEST(name) static void name(void **state __attribute__((unused)))
#define MS 1000000ull

/* A 2 ms interval from 100 ms on, in which the worker turned just now,
 * never slept and logged no gap: a worker that ran all along. */
static struct loss_interval running_interval(void)
{
	return (struct loss_interval){
		.t0_ns = 100 * MS,
		.t1_ns = 102 * MS,
		.turn_ns = 102 * MS - 1000,
		.sleeps0 = 7,
		.sleeps1 = 7,
	};
}

TEST(test_running)
{
	struct loss_interval iv = running_interval();

	assert_int_equal(loss_classify(&iv), LOSS_RUNNING);
}

TEST(test_logged_gap_is_off_cpu)
{
	struct loss_interval iv = running_interval();

	iv.gap_overlaps = true;
	assert_int_equal(loss_classify(&iv), LOSS_OFF_CPU);
}

/* No turn for a whole interval and not asleep: stopped or descheduled,
 * before the worker could log the gap (SIGSTOP, a vCPU taken away). */
TEST(test_open_gap_is_off_cpu)
{
	struct loss_interval iv = running_interval();

	iv.turn_ns = 50 * MS;
	assert_int_equal(loss_classify(&iv), LOSS_OFF_CPU);
	/* an open gap from inside the interval counts from the threshold */
	iv.turn_ns = iv.t1_ns - LOSS_GAP_NS;
	assert_int_equal(loss_classify(&iv), LOSS_OFF_CPU);
	iv.turn_ns = iv.t1_ns - LOSS_GAP_NS + 1;
	assert_int_equal(loss_classify(&iv), LOSS_RUNNING);
}

/* A turn stamped after the monitor read its clock is no gap (no
 * wrap-around of the unsigned difference). */
TEST(test_turn_after_t1_is_no_gap)
{
	struct loss_interval iv = running_interval();

	iv.turn_ns = iv.t1_ns + 5000;
	assert_int_equal(loss_classify(&iv), LOSS_RUNNING);
}

TEST(test_asleep)
{
	struct loss_interval iv = running_interval();

	/* asleep at the end: its stale turn is its sleep, not a gap */
	iv.asleep1 = true;
	iv.turn_ns = 10 * MS;
	assert_int_equal(loss_classify(&iv), LOSS_ASLEEP);
	/* asleep at the start only, then woken and running */
	iv = running_interval();
	iv.asleep0 = true;
	assert_int_equal(loss_classify(&iv), LOSS_ASLEEP);
	/* slept and woke within the interval: only the count moved */
	iv = running_interval();
	iv.sleeps1 = iv.sleeps0 + 1;
	assert_int_equal(loss_classify(&iv), LOSS_ASLEEP);
}

/* A gap the worker did not choose outweighs a sleep in the same
 * interval: the sleep only makes a late wake-up possible. */
TEST(test_gap_beats_sleep)
{
	struct loss_interval iv = running_interval();

	iv.sleeps1 = iv.sleeps0 + 3;
	iv.asleep0 = true;
	iv.gap_overlaps = true;
	assert_int_equal(loss_classify(&iv), LOSS_OFF_CPU);
	/* open gap after waking: not asleep at t1, no turn since */
	iv = running_interval();
	iv.asleep0 = true;
	iv.turn_ns = iv.t0_ns;
	assert_int_equal(loss_classify(&iv), LOSS_OFF_CPU);
}

TEST(test_names)
{
	assert_string_equal(loss_cause_name(LOSS_RUNNING), "running");
	assert_string_equal(loss_cause_name(LOSS_ASLEEP), "asleep");
	assert_string_equal(loss_cause_name(LOSS_OFF_CPU), "off_cpu");
	assert_string_equal(loss_cause_name(LOSS__CAUSES), "invalid");
	for (int c = 0; c < LOSS__CAUSES; c++)
		assert_int_equal(loss_cause_parse(loss_cause_name((enum loss_cause)c)), c);
	assert_int_equal(loss_cause_parse("offcpu"), -1);
	assert_int_equal(loss_cause_parse(""), -1);
	assert_int_equal(loss_cause_parse(NULL), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_running),
		cmocka_unit_test(test_logged_gap_is_off_cpu),
		cmocka_unit_test(test_open_gap_is_off_cpu),
		cmocka_unit_test(test_turn_after_t1_is_no_gap),
		cmocka_unit_test(test_asleep),
		cmocka_unit_test(test_gap_beats_sleep),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests_name("losscause", tests, NULL, NULL);
}
