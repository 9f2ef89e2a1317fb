/* SPDX-License-Identifier: MIT */
/*
 * Rendering of the flow stage: the "connections" object of --json and its
 * lines in the summary (one flow record as a JSON object, the "flow" lines
 * of --json-lines: sink/flow_record.h). Definitions: docs/flows.md.
 *
 * Strings taken from packets (hosts, SNIs) arrive sanitized by the peek
 * stage (printable ASCII, inspect/peek.h); jansson escapes them for JSON.
 *
 * Errors: pointer functions return NULL (out of memory).
 */
#ifndef XDPI_EXPORT_FLOW_REPORT_H
#define XDPI_EXPORT_FLOW_REPORT_H

#include <stdio.h>

#include <jansson.h>

#include "../inspect/flows.h"
#include "../inspect/metrics.h"
#include "../sink/flow_record.h"

/* What the connection figures are made of: the workers' counters merged,
 * the maintainer's summary, and the packet counters (SYN, SYN-ACK). */
struct flow_report {
	const struct flow_counters *fc;
	const struct flow_summary *s;
	const struct metrics_counters *mc;
	double span_s; /* for established_per_sec; 0: null */
};

json_t *flow_report_json(const struct flow_report *r);
void flow_report_print(FILE *out, const struct flow_report *r);

#endif /* XDPI_EXPORT_FLOW_REPORT_H */
