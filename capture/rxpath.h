/* SPDX-License-Identifier: MIT */
/*
 * Where a capture's receive work runs, and the interface knobs that move
 * it: warnings at start about settings that lose frames whatever xdpi
 * does, and, once a worker learns its socket has a NAPI to busy-poll, the
 * IRQ deferral sized from the ring (restored at the end). Internal to
 * capture/.
 *
 * Concurrency: the capture's controlling thread only.
 */
#ifndef XDPI_CAPTURE_RXPATH_H
#define XDPI_CAPTURE_RXPATH_H

#include <stdbool.h>

#include "../xsk/iface.h"
#include "../xsk/worker.h"

struct capture_rxpath {
	struct iface_rx_path path;
	struct iface_knob napi_defer, gro_flush;
	bool *napi_reported; /* per worker: its NAPI id was acted upon */
	/* Privileges dropped (capture/privdrop.h): a knob write mid-run
	 * raises the kept ones around it. */
	bool raise_for_knobs;
};

/* 0 or -ENOMEM. */
int capture_rxpath_alloc(struct capture_rxpath *r, int nworkers);
/* Reads @ifname's receive path and warns about what loses frames. */
void capture_rxpath_warn(struct capture_rxpath *r, const char *ifname);
/* Acts once on each worker that has learned its NAPI id. */
void capture_rxpath_check_napi(struct capture_rxpath *r, const char *ifname,
			       const struct worker *workers, int nworkers);
/* Restores the knobs it changed and frees. Accepts a zeroed struct. */
void capture_rxpath_release(struct capture_rxpath *r, const char *ifname);

#endif /* XDPI_CAPTURE_RXPATH_H */
