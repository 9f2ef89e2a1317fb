// SPDX-License-Identifier: MIT
#include "ledger.h"

#include <stdlib.h>

static int64_t clamp_s64(__int128 v)
{
	return v > INT64_MAX ? INT64_MAX : v < INT64_MIN ? INT64_MIN : (int64_t)v;
}

/* Exact in 128 bits: a difference of four 64-bit counters needs 66, a sum
 * over INT_MAX queues 97; only the results are clamped to int64_t. */
void ledger_close(struct ledger *l)
{
	__int128 total = 0;

	for (int i = 0; i < l->count; i++) {
		struct ledger_queue *q = &l->q[i];
		__int128 d = (__int128)q->xdp.redirected + q->xdp.copied + q->xdp.copied_out -
			     q->inspected;

		d = d - q->sock.rx_dropped - q->sock.rx_ring_full;
		q->unexplained = clamp_s64(d);
		total += d;
	}
	l->unexplained = clamp_s64(total);
}

void ledger_free(struct ledger *l)
{
	if (!l)
		return;
	free(l->q);
	l->q = NULL;
	l->count = 0;
}
