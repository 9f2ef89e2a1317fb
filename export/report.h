/* SPDX-License-Identifier: MIT */
/*
 * Rendering of merged metrics: a readable summary and a JSON object. Both
 * `xdpi read` and `xdpi live` use these, so their outputs have the same keys.
 *
 * Errors: pointer functions return NULL and set errno.
 */
#ifndef XDPI_EXPORT_REPORT_H
#define XDPI_EXPORT_REPORT_H

#include <stdio.h>

#include <jansson.h>

#include "../inspect/metrics.h"

/* A new JSON object with the metric keys of docs/metrics.md. */
json_t *report_metrics_json(const struct metrics *m);
/* The human summary, several lines. */
void report_metrics_print(FILE *out, const struct metrics *m);
/* Prints @obj compactly followed by a newline. Returns 0 or -EIO. */
int report_json_print(FILE *out, json_t *obj);

#endif /* XDPI_EXPORT_REPORT_H */
