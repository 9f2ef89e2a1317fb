// SPDX-License-Identifier: MIT
#include "rxpath.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/log.h"
#include "../util/privs.h"

/* IRQ deferral for sockets that really busy-poll: the kernel's napi.rst
 * recommends a small count; the timeout is sized from the ring
 * (iface_safe_deferral_ns()). */
#define RXPATH_NAPI_DEFER "2"

int capture_rxpath_alloc(struct capture_rxpath *r, int nworkers)
{
	r->napi_reported = calloc((size_t)(nworkers ? nworkers : 1), sizeof(bool));
	return r->napi_reported ? 0 : -ENOMEM;
}

/* Settings in force that lose frames whatever xdpi does: said at start-up. */
void capture_rxpath_warn(struct capture_rxpath *r, const char *ifn)
{
	long defer = 0, flush = 0, threaded = 0;

	iface_rx_path(ifn, &r->path);
	iface_knob_read(ifn, "napi_defer_hard_irqs", &defer);
	iface_knob_read(ifn, "gro_flush_timeout", &flush);
	iface_knob_read(ifn, "threaded", &threaded);
	if (defer > 0 && flush > (long)iface_safe_deferral_ns(&r->path) * 2)
		xdpi_warn("%s has napi_defer_hard_irqs %ld and gro_flush_timeout %ld ns: its NAPI "
			  "is held that long after each poll, and its %u-slot ring overflows "
			  "above %.0f pps (set both to 0, or let xdpi size them)",
			  ifn, defer, flush, r->path.ring_depth,
			  iface_deferral_max_pps(&r->path, (uint64_t)flush));
	if (threaded > 0)
		xdpi_warn("%s runs threaded NAPI: its receive work waits for a kthread "
			  "wake-up, which loses frames at moderate rates on hosts with slow "
			  "wake-ups (docs/live.md)",
			  ifn);
}

/* Called once the first worker busy-polls a real NAPI: hold the device's
 * hard IRQs off while it polls, for no longer than its ring absorbs. */
static void rxpath_set_deferral(struct capture_rxpath *r, const char *ifn)
{
	char flush[16];
	uint32_t ns = iface_safe_deferral_ns(&r->path);
	int ret;

	snprintf(flush, sizeof(flush), "%u", ns);
	/* sysfs checks CAP_NET_ADMIN at each write, not at open. */
	ret = r->raise_for_knobs ? privs_raise() : 0;
	if (!ret)
		ret = iface_knob_set(&r->napi_defer, ifn, "napi_defer_hard_irqs",
				     RXPATH_NAPI_DEFER);
	if (!ret)
		ret = iface_knob_set(&r->gro_flush, ifn, "gro_flush_timeout", flush);
	if (r->raise_for_knobs)
		privs_lower();
	if (ret) {
		xdpi_warn("cannot set %s's napi_defer_hard_irqs/gro_flush_timeout (%s): busy "
			  "polling may not keep the NAPI work on the workers' CPUs",
			  ifn, strerror(-ret));
		return;
	}
	xdpi_info("busy polling: %s napi_defer_hard_irqs %s->%s, gro_flush_timeout %s->%s ns "
		  "(%u-slot %sring at %u Mb/s holds %u ns of 64-byte frames; halved; restored on "
		  "exit)",
		  ifn, r->napi_defer.saved, RXPATH_NAPI_DEFER, r->gro_flush.saved, flush,
		  r->path.ring_depth, r->path.ring_guessed ? "(assumed) " : "", r->path.speed_mbps,
		  ns * 2);
}

/* The reporter's look at workers that have seen their first frames: what
 * their socket's NAPI id allows. Each worker is acted upon once. */
void capture_rxpath_check_napi(struct capture_rxpath *r, const char *ifname,
			       const struct worker *workers, int nworkers)
{
	for (int i = 0; i < nworkers; i++) {
		const struct worker *w = &workers[i];
		uint32_t id;

		if (r->napi_reported[i] || !worker_napi_known(w, &id))
			continue;
		r->napi_reported[i] = true;
		if (!w->xsk || !w->xsk->busy_poll)
			continue;
		if (!id) {
			xdpi_info("queue %u: the socket has no NAPI id (driver %s on this kernel), "
				  "so busy polling cannot run: the worker spins on its ring, then "
				  "sleeps, and the receive work stays where the driver runs it "
				  "(docs/live.md)",
				  w->queue_id, r->path.driver[0] ? r->path.driver : "?");
			continue;
		}
		xdpi_info("queue %u: busy polling NAPI %u from cpu %d", w->queue_id, id, w->cpu);
		if (!r->napi_defer.changed && !r->gro_flush.changed)
			rxpath_set_deferral(r, ifname);
	}
}

void capture_rxpath_release(struct capture_rxpath *r, const char *ifname)
{
	if (iface_knob_restore(&r->napi_defer) | iface_knob_restore(&r->gro_flush))
		xdpi_warn("could not restore %s's napi_defer_hard_irqs/gro_flush_timeout", ifname);
	free(r->napi_reported);
	r->napi_reported = NULL;
}
