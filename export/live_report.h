/* SPDX-License-Identifier: MIT */
/*
 * What `xdpi live` shows of a capture: the live table (a row per queue per
 * interval, from lock-free snapshots), the final summary, the JSON record
 * (the `xdpi read` keys plus queues, ledger and sequence check), and the
 * sequence check's own renderings.
 *
 * Concurrency: the capture's controlling thread.
 * Errors: int functions return 0 or a negative errno; json functions
 * return NULL when out of memory.
 */
#ifndef XDPI_EXPORT_LIVE_REPORT_H
#define XDPI_EXPORT_LIVE_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "../capture/capture.h"
#include "../capture/run.h"
#include "../inspect/seqcheck.h"

struct live_table {
	FILE *out;
	double started, prev_time;
	int nqueues;
	uint64_t *prev_packets, *prev_bytes;
	/* --json-lines: a "stats" line per row (NULL: none). */
	struct jsonl *jsonl;
	uint64_t prev_established;
};

/* 0 or -ENOMEM. */
int live_table_init(struct live_table *t, FILE *out, const struct capture *c, double started);
void live_table_header(struct live_table *t);
/* Rates since the previous row, per queue and in total; with t->jsonl
 * also a "stats" line: totals, per queue and connections. */
void live_table_row(struct live_table *t, const struct capture *c, double now);
void live_table_free(struct live_table *t);

/* The live table as a run's renderer (capture/run.h): set out and o, with
 * ctx the struct itself, and live_table_hooks() fills open, begin, header
 * and row. t is freed by live_table_free() after the run. */
struct live_table_view {
	struct live_table t;
	FILE *out;		      /* where the table goes */
	const struct capture_opts *o; /* the run's options */
};

/* Sets @h's table hooks; @h->ctx must point at a struct live_table_view
 * (or a struct that starts with one). */
void live_table_hooks(struct capture_run_hooks *h);

/* The fixed vocabulary of "stop_reason" from what ended the run as
 * cmd/live.c says it ("SIGINT", "duration reached", "count reached";
 * NULL: an error): @reason "duration", "count", "signal" or "error", and
 * @signal the signal's name ("SIGINT") or NULL. */
void live_stop_reason(const char *text, const char **reason, const char **signal);
/* The record `xdpi compare` reads: the metrics (report.h), "version",
 * "interface", "filter", the span ("start", "end", "duration_s", "pps",
 * "mbps"), "stop_reason" and "signal" (live_stop_reason()), queues,
 * ledger. @stop_reason: as cmd/live.c says it, see live_stop_reason(). */
json_t *live_report_json(const struct capture_opts *o, const struct capture *c,
			 const struct capture_result *res, const char *stop_reason);
/* The human summary after the run. */
void live_report_print(FILE *out, const struct capture_opts *o, const struct capture_result *res,
		       const char *stop_reason);

json_t *seqcheck_to_json(const struct seqcheck *s);
void seqcheck_print(FILE *out, const struct seqcheck *s);

#endif /* XDPI_EXPORT_LIVE_REPORT_H */
