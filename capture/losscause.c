// SPDX-License-Identifier: MIT
#include "losscause.h"

#include <string.h>

static const char *const cause_names[LOSS__CAUSES] = {"running", "asleep", "off_cpu"};

const char *loss_cause_name(enum loss_cause c)
{
	return (unsigned)c < LOSS__CAUSES ? cause_names[c] : "invalid";
}

int loss_cause_parse(const char *s)
{
	for (int c = 0; s && c < LOSS__CAUSES; c++)
		if (!strcmp(s, cause_names[c]))
			return c;
	return -1;
}

/* The order is the evidence's strength: a gap the worker did not choose
 * is a fact it logged; a sleep in the interval only makes a late wake-up
 * possible; running is what is left. */
enum loss_cause loss_classify(const struct loss_interval *iv)
{
	/* A gap still open at t1: the worker has not turned for that long and
	 * is not in its own sleep. */
	bool gap_open =
		!iv->asleep1 && iv->turn_ns < iv->t1_ns && iv->t1_ns - iv->turn_ns >= LOSS_GAP_NS;

	if (iv->gap_overlaps || gap_open)
		return LOSS_OFF_CPU;
	if (iv->asleep0 || iv->asleep1 || iv->sleeps1 != iv->sleeps0)
		return LOSS_ASLEEP;
	return LOSS_RUNNING;
}
