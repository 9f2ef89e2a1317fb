/* SPDX-License-Identifier: MIT */
/*
 * The drop ledger's arithmetic: per queue, what the XDP program did with the
 * frames (kernel-side counters), what the socket dropped (XDP_STATISTICS),
 * what the driver counted (ethtool), and what the worker inspected. The
 * identity
 *
 *     redirected + copied + copied_out = inspected + rx_dropped + rx_ring_full
 *
 * (copied, copied_out: the frames received and sent that the programs
 * copied into the queue's ring in passive mode, where nothing is
 * redirected and the socket counters are 0; the copies they could not
 * make, copy_failed and copy_out_failed, are shown beside it).
 * must hold per queue once the run is drained; any difference is
 * unexplained. Only these counters enter it: the others (seen,
 * passed, redirect_failed, the driver's, ...) are shown beside it. A queue
 * without a socket is held to the same identity: the program's redirects
 * to it fail and count as redirect_failed, so it has nothing to explain.
 * `xdpi live` fills a ledger once its workers are joined; export/
 * ledger_report.h prints it and reads it back from a record. docs/live.md
 * explains each counter.
 *
 * Concurrency: none inside; a ledger belongs to the thread that fills it.
 *
 * Errors: nothing here fails. A difference or a total beyond int64_t
 * (only from counters no run reaches: a forged record) saturates at
 * INT64_MIN or INT64_MAX.
 */
#ifndef XDPI_CAPTURE_LEDGER_H
#define XDPI_CAPTURE_LEDGER_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/if_xdp.h>

#include "../bpf/xdpi_shared.h"
#include "losscause.h"
#include "../xsk/iface.h"

struct ledger_queue {
	uint32_t queue;
	bool has_socket;
	struct xdpi_queue_stats xdp;
	struct xdp_statistics sock;
	struct iface_queue_counters iface;
	uint64_t inspected;
	uint64_t inspected_out; /* of inspected: frames sent (passive) */
	int64_t unexplained;
	/* Why the fill ring ran dry (sock.rx_fill_ring_empty_descs split by
	 * cause) and how the worker was scheduled: capture/losswatch.h.
	 * Shown beside the identity, never in it; zero without a socket. */
	bool has_causes;
	struct loss_report loss;
};

struct ledger {
	struct ledger_queue *q;
	int count;
	int64_t unexplained; /* sum over queues */
};

/* Computes unexplained per queue and in total. */
void ledger_close(struct ledger *l);
/* Frees the queues; the ledger is then empty. Accepts NULL and an empty
 * ledger. */
void ledger_free(struct ledger *l);

#endif /* XDPI_CAPTURE_LEDGER_H */
