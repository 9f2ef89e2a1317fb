/* SPDX-License-Identifier: MIT */
/*
 * The full-screen view of `xdpi top` (ncurses): the busiest connections,
 * sources and destinations by their current rate (inspect/flowrate.h),
 * and the queues' health with the drop ledger's loss terms so far. Fits
 * 80x24; a taller or wider terminal shows more rows and longer names.
 *
 * The terminal: top_view_open() puts it in the view's mode and
 * top_view_close() restores it, whatever happened in between (call it on
 * every exit path; it accepts NULL and a second call). While the view is
 * open, what the run logs to stderr goes to a memory file instead of
 * over the screen: the view shows its last line, and top_view_close()
 * copies it all to the real stderr.
 *
 * Concurrency: the thread that opened it, only. Errors: 0 or a negative
 * errno.
 */
#ifndef XDPI_EXPORT_TOP_VIEW_H
#define XDPI_EXPORT_TOP_VIEW_H

#include <stdbool.h>
#include <stdint.h>

#include "../inspect/detect.h"
#include "../inspect/flowrate.h"

#define TOP_VIEW_QUEUES 64

/* One queue over the last interval, and its loss since the start. */
struct top_queue {
	uint32_t id;
	double pps, bps;
	uint64_t rx_dropped, rx_ring_full; /* the ledger's loss terms so far */
	uint64_t fill_empty;		   /* the fill ring found empty (a cause) */
};

struct top_health {
	const char *ifname;
	double elapsed_s;
	int nqueues;
	struct top_queue q[TOP_VIEW_QUEUES];
	uint64_t untracked; /* packets of new flows the full table refused */
	/* The detection's active alerts (docs/detect.md): @nalerts records
	 * of the @alerts_active alerting now (more when the table is full). */
	const struct detect_alert *alerts;
	int nalerts;
	uint64_t alerts_active;
};

enum top_key {
	TOP_KEY_NONE = 0,
	TOP_KEY_QUIT,
	TOP_KEY_REDRAW, /* the sort or the filter changed, or the size */
};

struct top_view;

/* Needs standard input and output on a terminal (-ENOTTY otherwise). */
int top_view_open(struct top_view **out);
void top_view_close(struct top_view *v);

/* The descriptor to poll for keys. */
int top_view_key_fd(const struct top_view *v);
/* Reads the keys waiting: p, b, r sort; / edits the filter (Enter
 * applies, Escape cancels); q quits. */
enum top_key top_view_keys(struct top_view *v);
/* The filter to apply (the view applied it once top_view_keys() said
 * REDRAW after an Enter); NULL when unchanged since the last call. */
const char *top_view_filter_changed(struct top_view *v);

void top_view_draw(struct top_view *v, const struct flowrate_view *fv, const struct top_health *h);

#endif /* XDPI_EXPORT_TOP_VIEW_H */
