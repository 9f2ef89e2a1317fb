/* SPDX-License-Identifier: MIT */
/*
 * The drop ledger: per queue, what the XDP program did with the frames
 * (kernel-side counters), what the socket dropped (XDP_STATISTICS), what the
 * driver counted (ethtool), and what the worker inspected. The identity
 *
 *     redirected = inspected + rx_dropped + rx_ring_full
 *
 * must hold per queue once the run is drained; any difference is printed as
 * unexplained. `xdpi live` builds it, `xdpi compare` re-checks it from the
 * JSON record. docs/live.md explains each counter.
 *
 * Errors: int functions return 0 or a negative errno; json functions return
 * NULL on allocation failure.
 */
#ifndef XDPI_CMD_LEDGER_H
#define XDPI_CMD_LEDGER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>
#include <linux/if_xdp.h>

#include "../bpf/xdpi_shared.h"
#include "../xsk/iface.h"

struct ledger_queue {
	uint32_t queue;
	bool has_socket;
	struct xdpi_queue_stats xdp;
	struct xdp_statistics sock;
	struct iface_queue_counters iface;
	uint64_t inspected;
	int64_t unexplained;
};

struct ledger {
	struct ledger_queue *q;
	int count;
	int64_t unexplained; /* sum over queues */
};

/* Computes unexplained per queue and in total. */
void ledger_close(struct ledger *l);
void ledger_print(FILE *out, const struct ledger *l);
json_t *ledger_to_json(const struct ledger *l);
/* Reads a ledger back from ledger_to_json()'s output. 0 or -EINVAL. */
int ledger_from_json(json_t *obj, struct ledger *l);
void ledger_free(struct ledger *l);

#endif /* XDPI_CMD_LEDGER_H */
