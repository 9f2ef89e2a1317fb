/* SPDX-License-Identifier: MIT */
/*
 * The IPFIX exporter's counts in the summaries: the "ipfix" object of
 * --json and one text line, the same for `xdpi read` and `xdpi live`.
 * Call after ipfix_exporter_stop() for final figures.
 *
 * Errors: ipfix_report_json() returns NULL when out of memory.
 */
#ifndef XDPI_EXPORT_IPFIX_REPORT_H
#define XDPI_EXPORT_IPFIX_REPORT_H

#include <jansson.h>
#include <stdio.h>

#include "ipfix.h"

/* {"collector": "...", "records": N, "dropped": N, "send_errors": N,
 *  "unsent": N} */
json_t *ipfix_report_json(struct ipfix_exporter *x);
void ipfix_report_print(FILE *out, struct ipfix_exporter *x);
/* One warning on stderr when records were lost (dropped or unsent): a
 * collector missing flows should be noticed, not only counted. */
void ipfix_report_warn(struct ipfix_exporter *x);

#endif /* XDPI_EXPORT_IPFIX_REPORT_H */
