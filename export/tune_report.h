/* SPDX-License-Identifier: MIT */
/*
 * What `xdpi tune` prints and writes: the table on stdout, tune.csv,
 * tune.json, the gnuplot script behind tune.png, and the recommended
 * `xdpi live` command line. cmd/tune.c measures and decides which point is
 * best; this file only renders.
 *
 * Errors: int functions return 0 or a negative errno; json functions
 * return NULL on allocation failure.
 */
#ifndef XDPI_EXPORT_TUNE_REPORT_H
#define XDPI_EXPORT_TUNE_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

#include "../bench/benchrun.h"

/* The worker settings a sweep varies, in the order of the CSV columns. */
enum tune_dim_id {
	TUNE_DIM_QUEUES,
	TUNE_DIM_BATCH,
	TUNE_DIM_RX,
	TUNE_DIM_FILL,
	TUNE_DIM_FRAME,
	TUNE_DIM_WAKEUP, /* need_wakeup: 1 on, 0 off */
	TUNE_DIM_PLACE,	 /* an enum bench_placement */
	TUNE_DIM__MAX,
};

/* One setting of every dimension, and what it measured. */
struct tune_point {
	int v[TUNE_DIM__MAX];
	struct bench_result res;
	bool ok;
};

/* "q1 b64 rx8192 fill8192 fr2048 wk1 busy-poll": the point's name in the
 * table, the CSV and the record. */
void tune_point_label(const struct tune_point *p, char *out, size_t len);

/* The heading and the table's header; @external: the interface, NULL on
 * the testbed. */
void tune_table_start(FILE *out, int npts, double duration, const char *external);
/* Point number @n: its row, or why it failed. */
void tune_table_row(FILE *out, int n, const struct tune_point *p);
void tune_csv_start(FILE *csv);
void tune_csv_row(FILE *csv, int n, const struct tune_point *p);
json_t *tune_point_json(int n, const struct tune_point *p);
/* The record: the command, the machine, @points (tune_point_json()s) and
 * the best point's number (0: none). */
json_t *tune_record_json(const char *cmdline, json_t *points, int best_n);

/* Draws tune.png into @dir from @csv with gnuplot. */
int tune_plot_write(const char *dir, const char *csv);
/* The best point as an `xdpi live` command line, its workers on the CPUs
 * the sweep gave them (@base's rx_cpus, repeated when there are more
 * workers than CPUs). */
void tune_recommend_print(FILE *out, const struct tune_point *best, const struct bench_cfg *base,
			  const char *external);

#endif /* XDPI_EXPORT_TUNE_REPORT_H */
