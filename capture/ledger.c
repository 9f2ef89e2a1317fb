// SPDX-License-Identifier: MIT
#include "ledger.h"

#include <stdlib.h>

void ledger_close(struct ledger *l)
{
	l->unexplained = 0;
	for (int i = 0; i < l->count; i++) {
		struct ledger_queue *q = &l->q[i];

		q->unexplained = (int64_t)q->xdp.redirected - (int64_t)q->inspected -
				 (int64_t)q->sock.rx_dropped - (int64_t)q->sock.rx_ring_full;
		l->unexplained += q->unexplained;
	}
}

void ledger_free(struct ledger *l)
{
	free(l->q);
	l->q = NULL;
	l->count = 0;
}
