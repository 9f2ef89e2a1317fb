/* SPDX-License-Identifier: MIT */
/*
 * Rendering of merged metrics: a readable summary and a JSON object. Both
 * `xdpi read` and `xdpi live` use these, so their outputs have the same keys.
 *
 * Errors: pointer functions return NULL and set errno.
 */
#ifndef XDPI_EXPORT_REPORT_H
#define XDPI_EXPORT_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "../inspect/metrics.h"
#include "../util/isotime.h"

/* A new JSON object with the metric keys of docs/metrics.md. */
json_t *report_metrics_json(const struct metrics *m);
/* The human summary, several lines. */
void report_metrics_print(FILE *out, const struct metrics *m);
/*
 * A run's or a capture's time span and average rates, the same lines and
 * keys in every summary and JSON object that describes one. Times are
 * wall-clock seconds since the epoch (CLOCK_REALTIME: report_wall_now());
 * a capture file's are its first and last frame's. @duration: the span in
 * seconds when it is measured apart (a live run's monotonic clock), else 0
 * (end - start). @no_bytes: the byte count is not known (no Mbit/s).
 */
struct report_span {
	double start, end, duration;
	uint64_t packets, bytes;
	bool no_bytes;
};
/* Now, CLOCK_REALTIME, in seconds. */
double report_wall_now(void);
/* Three lines: "span  10.333 s, 1234 pps, 5.6 Mbit/s", "start  <ISO>",
 * "end  <ISO>" (start and end left out when 0). */
void report_span_print(FILE *out, const struct report_span *s);
/* Adds "start" and "end" (ISO 8601 strings, null when unknown),
 * "duration_s", "pps" and "mbps" (null when the span is 0 or the bytes
 * unknown) to @obj. 0 or -ENOMEM. */
int report_span_json(json_t *obj, const struct report_span *s);
/* Adds what was inspected: @key ("file" or "interface") = @name, and
 * "filter" (null when none), plus "version". 0 or -ENOMEM. */
int report_source_json(json_t *obj, const char *key, const char *name, const char *filter);
/* Adds "version" and "time" (now, ISO 8601) to an object that describes
 * no run (a listing, a check). 0 or -ENOMEM. */
int report_stamp_json(json_t *obj);
/* One summary line of @n items under @label, wrapped at 80 columns with
 * the items aligned: "label              a 1  b 2 ...". */
void report_items_print(FILE *out, const char *label, const char *const *items, int n);

/* Prints @obj compactly followed by a newline. Returns 0 or -EIO. */
int report_json_print(FILE *out, json_t *obj);

#endif /* XDPI_EXPORT_REPORT_H */
