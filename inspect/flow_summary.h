/* SPDX-License-Identifier: MIT */
/*
 * The flow table's summary (flow_summary.c): the top-N lists, the peek
 * counts, the published copy. The maintainer's alone (one thread), but
 * for flow_table_summary() (flows.h), which any thread calls. Private to
 * the flow table's files.
 */
#ifndef XDPI_INSPECT_FLOW_SUMMARY_H
#define XDPI_INSPECT_FLOW_SUMMARY_H

#include "flows_int.h"

/* The summary's tables, in @ft made by flow_table_new(): 0 or -ENOMEM
 * (flow_summary_free() then frees what was made). */
int flow_summary_init(struct flow_table *ft);
/* Frees them; accepts a table they were never made in (zeroed). */
void flow_summary_free(struct flow_table *ft);
/* Adds what @f sent since it was last fed to the top-N lists (when
 * @top), and its peek once it is there. */
void flow_feed_changed(struct flow_table *ft, struct flow *f, bool top);
/* The same, inlined into the maintainer's pass up to the test of whether
 * @f has anything new: most records on a pass have not, and cost no call. */
static inline __attribute__((always_inline)) void flow_feed(struct flow_table *ft, struct flow *f,
							    bool top)
{
	if ((top && (__atomic_load_n(&f->packets[0], __ATOMIC_RELAXED) != f->fed_packets[0] ||
		     __atomic_load_n(&f->packets[1], __ATOMIC_RELAXED) != f->fed_packets[1])) ||
	    (!(f->mflags & FLOW_M_PEEK_COUNTED) &&
	     __atomic_load_n(&f->peek_state, __ATOMIC_ACQUIRE) == FLOW_PEEK_KEPT))
		flow_feed_changed(ft, f, top);
}
/* Ends the pass's summary: the top-N lists ranked, the copy published. */
void flow_publish(struct flow_table *ft);

#endif /* XDPI_INSPECT_FLOW_SUMMARY_H */
