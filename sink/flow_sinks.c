// SPDX-License-Identifier: MIT
#include "flow_sinks.h"

#include "conn_log.h"
#include "ipfix.h"
#include "jsonl.h"

void flow_sinks_end(void *ctx, const struct flow_record *r)
{
	const struct flow_sinks *s = ctx;

	/* IPFIX first: it only copies into its queue, while the JSON line
	 * waits for a write. */
	if (s->ipfix)
		ipfix_flow_end(s->ipfix, r);
	if (s->jsonl)
		jsonl_flow_end(s->jsonl, r);
	if (s->conn)
		conn_log_end(s->conn, r);
}

void flow_sinks_active(void *ctx, const struct flow_record *r)
{
	const struct flow_sinks *s = ctx;

	if (s->ipfix)
		ipfix_flow_active(s->ipfix, r);
}
