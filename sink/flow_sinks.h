/* SPDX-License-Identifier: MIT */
/*
 * Where ended flows go: the flow table has one on_end and one on_active
 * hook; this fans them out to the consumers a run has (JSON lines, IPFIX,
 * --connections), any of which may be absent. JSON lines take final records only: an
 * active-timeout record is an IPFIX notion (a delta of a flow still open).
 *
 * Concurrency: the hooks run where the flow table calls them (the call_rcu
 * thread live, the reader offline); each consumer is thread-safe on its
 * own, and the struct is read-only once the table exists.
 */
#ifndef XDPI_EXPORT_FLOW_SINKS_H
#define XDPI_EXPORT_FLOW_SINKS_H

#include <stdbool.h>

#include "../inspect/flows.h"

struct jsonl;
struct ipfix_exporter;
struct conn_log;

struct flow_sinks {
	struct jsonl *jsonl;	      /* NULL: no --json-lines */
	struct ipfix_exporter *ipfix; /* NULL: no --ipfix */
	struct conn_log *conn;	      /* NULL: no --connections */
};

static inline bool flow_sinks_any(const struct flow_sinks *s)
{
	return s->jsonl || s->ipfix || s->conn;
}

/* flow_config hooks, @ctx the struct flow_sinks. */
void flow_sinks_end(void *ctx, const struct flow_record *r);
void flow_sinks_active(void *ctx, const struct flow_record *r);

#endif /* XDPI_EXPORT_FLOW_SINKS_H */
