/* SPDX-License-Identifier: MIT */
/*
 * Rendering of an offline read (`xdpi read`): the summary and the --json
 * object, from what the engine's offline run (capture/offline.h) holds
 * once the file is read. Definitions: docs/metrics.md, docs/flows.md.
 *
 * Errors: read_report_json() returns NULL (out of memory).
 */
#ifndef XDPI_EXPORT_READ_REPORT_H
#define XDPI_EXPORT_READ_REPORT_H

#include <stdio.h>

#include <jansson.h>

#include "../capture/offline.h"

/* What the command asked for, beside the run's figures. */
struct read_report {
	const char *file;
	const char *filter; /* NULL: every frame */
	const char *write;  /* -w FILE, or NULL */
	const struct offline_run *run;
};

/* The summary: the file, the filter, the span, the metrics, then the
 * connections, the IPFIX export and the alerts when the run had them. */
void read_report_print(FILE *out, const struct read_report *r);
/* The same as one JSON object. */
json_t *read_report_json(const struct read_report *r);

#endif /* XDPI_EXPORT_READ_REPORT_H */
