/* SPDX-License-Identifier: MIT */
/*
 * The flow table's maintainer (flow_maint.c), for the worker's insert
 * offline: with one thread (flow_config.single_thread) a new flow that
 * finds the pool spent evicts at once. Private to the flow table's files.
 */
#ifndef XDPI_INSPECT_FLOW_MAINT_H
#define XDPI_INSPECT_FLOW_MAINT_H

#include "flows_int.h"

/* Takes the @need flows seen least recently out of the table (onto the
 * pass's ended list). */
void flow_evict_idlest(struct flow_table *ft, uint64_t need);
/* The records taken out since the last flush, to their hook and back to
 * the pool: after a grace period live, at once offline. */
void flow_ended_flush(struct flow_table *ft);

#endif /* XDPI_INSPECT_FLOW_MAINT_H */
