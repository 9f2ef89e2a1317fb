// SPDX-License-Identifier: MIT
/*
 * xdpi tune: measures `xdpi live` at many settings of the per-queue worker
 * (queues, batch, ring and frame sizes, need_wakeup, busy polling / NAPI
 * placement), each point for a fixed time with its ledger, and writes a
 * table, a CSV and a PNG plot (gnuplot), then recommends the best point as
 * a ready `xdpi live` command line.
 *
 * The default sweep varies one setting at a time around xdpi's defaults
 * (a dozen points); --full takes every combination.
 */
#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <limits.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "../bench/benchrun.h"
#include "../capture/guard.h"
#include "../export/live_report.h"
#include "../export/tune_report.h"
#include "../util/outfile.h"

#define TUNE_MAX_VALUES 8
#define TUNE_MAX_POINTS 512

/* One swept setting: the values to try, the first (the default) used
 * while another setting varies. */
struct tune_dim {
	const char *name;
	int values[TUNE_MAX_VALUES];
	int count;
};

static const char tune_usage_line[] = "Usage: xdpi tune [OPTIONS]";

/* Appends the points of the sweep to @pts. */
static int tune_points(struct tune_dim *d, bool full, struct tune_point *pts)
{
	int n = 0;

	if (full) {
		int idx[TUNE_DIM__MAX] = {0};

		for (;;) {
			if (n == TUNE_MAX_POINTS)
				return -E2BIG;
			for (int k = 0; k < TUNE_DIM__MAX; k++)
				pts[n].v[k] = d[k].values[idx[k]];
			n++;
			int k = 0;

			while (k < TUNE_DIM__MAX && ++idx[k] == d[k].count)
				idx[k++] = 0;
			if (k == TUNE_DIM__MAX)
				break;
		}
		return n;
	}
	for (int k = 0; k < TUNE_DIM__MAX; k++)
		pts[n].v[k] = d[k].values[0];
	n++;
	for (int k = 0; k < TUNE_DIM__MAX; k++)
		for (int i = 1; i < d[k].count; i++) {
			for (int j = 0; j < TUNE_DIM__MAX; j++)
				pts[n].v[j] = d[j].values[0];
			pts[n].v[k] = d[k].values[i];
			n++;
		}
	return n;
}

static bool is_pow2(int v)
{
	return v > 0 && !(v & (v - 1));
}

/* The bounds of `xdpi live`'s options (xdpi_xsk_opts_validate()), per dimension. */
static bool tune_value_ok(int dim, int v)
{
	switch (dim) {
	case TUNE_DIM_QUEUES:
		return v >= 1 && v <= 64;
	case TUNE_DIM_BATCH:
		return v >= 1 && v <= 4096;
	case TUNE_DIM_RX:
	case TUNE_DIM_FILL:
		return is_pow2(v) && v >= 64 && v <= 32768;
	case TUNE_DIM_FRAME:
		return v == 2048 || v == 4096;
	case TUNE_DIM_WAKEUP:
		return v == 0 || v == 1;
	default:
		return true;
	}
}

/* Every value is checked here, before anything is created: the same
 * bounds `xdpi live` applies. */
static int tune_parse_dim(struct tune_dim *d, int dim, const char *arg)
{
	if (dim == TUNE_DIM_PLACE) {
		d->count = bench_placements_parse(arg, d->values, TUNE_MAX_VALUES);
		return d->count < 0 ? -EINVAL : 0;
	}
	d->count = xdpi_parse_list(arg, d->values, TUNE_MAX_VALUES, INT_MAX);
	if (d->count < 0)
		return -EINVAL;
	for (int i = 0; i < d->count; i++)
		if (!tune_value_ok(dim, d->values[i]))
			return -EINVAL;
	return 0;
}

struct tune_args {
	struct tune_dim dims[TUNE_DIM__MAX];
	struct bench_cfg base;
	const char *external; /* measure on this interface, no testbed */
	const char *out_dir;
	bool full;
	char cmdline[1024];
};

/* The dimension a sweep row's offset names. */
static int tune_dim_of(const struct opttab_row *r)
{
	return (int)((r->off - offsetof(struct tune_args, dims)) / sizeof(struct tune_dim));
}

static int tune_dim_parse(void *obj, const struct opttab_row *r, const char *arg)
{
	int dim = tune_dim_of(r);

	return tune_parse_dim(&((struct tune_args *)obj)->dims[dim], dim, arg);
}

/* A sweep as its option spells it: "64,16,256". */
static int tune_dim_fmt(const void *obj, const struct opttab_row *r, char *buf, size_t len)
{
	int dim = tune_dim_of(r);
	const struct tune_dim *d = &((const struct tune_args *)obj)->dims[dim];
	size_t used = 0;

	buf[0] = 0;
	for (int i = 0; i < d->count && used < len; i++) {
		char v[16];

		snprintf(v, sizeof(v), "%d", d->values[i]);
		used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? "," : "",
					 dim == TUNE_DIM_PLACE ? bench_placement_name(d->values[i])
							       : v);
	}
	return d->count > 0;
}

#define TA(m) offsetof(struct tune_args, m)
/* A sweep's row: its defaults are tune_args_defaults()'s. */
#define TUNE_DIM_ROW(opt, dim, text, ok)                                              \
	{                                                                             \
		OPTTAB_CUSTOM, opt, .off = TA(dims[dim]), .parse = tune_dim_parse,    \
				    .fmt = tune_dim_fmt, .valid = ok, .metavar = "L", \
				    .flags = OPTTAB_OBJ_DEFAULT, .help = text         \
	}

/* clang-format off */
static const struct opttab_row tune_rows[] = {
	{OPTTAB_GROUP, "Sweep (comma lists; the first value is the one held while others vary):"},
	TUNE_DIM_ROW("queues", TUNE_DIM_QUEUES, "queues/workers", "a list of 1..64"),
	TUNE_DIM_ROW("batch", TUNE_DIM_BATCH, "descriptors per batch", "a list of 1..4096"),
	TUNE_DIM_ROW("rx-size", TUNE_DIM_RX, "RX ring size",
		     "a list of powers of two from 64 to 32768"),
	TUNE_DIM_ROW("fill-size", TUNE_DIM_FILL, "fill ring frames",
		     "a list of powers of two from 64 to 32768"),
	TUNE_DIM_ROW("frame-size", TUNE_DIM_FRAME, "UMEM frame size", "a list of 2048, 4096"),
	TUNE_DIM_ROW("need-wakeup", TUNE_DIM_WAKEUP, "1 on, 0 off", "a list of 0, 1"),
	TUNE_DIM_ROW("placement", TUNE_DIM_PLACE, "busy-poll, threaded, sender",
		     "a list of busy-poll, threaded, sender"),
	{OPTTAB_FLAG, "full", .off = TA(full),
	 .help = "every combination instead of one at a time"},
	{OPTTAB_GROUP, "Traffic and measuring:"},
	{OPTTAB_INCLUDE, .off = TA(base), .include = xdpi_harness_rows},
	{OPTTAB_INCLUDE, .off = TA(base.gen), .include = xdpi_traffic_rows},
	{OPTTAB_STRING, "external", .off = TA(external), .metavar = "IFACE",
	 .help = "no testbed, no generator: measure xdpi live on IFACE while your own traffic "
		 "source runs"},
	{OPTTAB_FLAG, "takeover", .off = TA(base.takeover),
	 .help = "with --external: steer IFACE even though this host uses it (see `xdpi live "
		 "--help`)"},
	{OPTTAB_STRING, "out", 'o', .off = TA(out_dir), .def_s = "build/tune", .metavar = "DIR",
	 .help = "where tune.csv and tune.png go"},
	{OPTTAB_ACTION, "help", 'h', .help = "this text"},
	{OPTTAB_END},
};
/* clang-format on */

static struct opttab tune_tab;

static void tune_args_defaults(struct tune_args *a)
{
	static const struct tune_dim dims[TUNE_DIM__MAX] = {
		[TUNE_DIM_QUEUES] = {"queues", {1}, 1},
		[TUNE_DIM_BATCH] = {"batch", {64, 16, 256, 512}, 4},
		[TUNE_DIM_RX] = {"rx_size", {8192, 1024, 16384}, 3},
		[TUNE_DIM_FILL] = {"fill_size", {8192, 4096, 16384}, 3},
		[TUNE_DIM_FRAME] = {"frame_size", {2048, 4096}, 2},
		[TUNE_DIM_WAKEUP] = {"need_wakeup", {1, 0}, 2},
		[TUNE_DIM_PLACE] = {"placement",
				    {BENCH_PLACE_BUSY_POLL, BENCH_PLACE_THREADED,
				     BENCH_PLACE_SENDER},
				    3},
	};

	memset(a, 0, sizeof(*a));
	memcpy(a->dims, dims, sizeof(dims));
	bench_cfg_defaults(&a->base, 3);
	a->base.rx_report = live_report_json; /* each point's receiver, in the record */
	opttab_defaults(&tune_tab, a);
}

static void tune_usage(FILE *out, bool man)
{
	struct tune_args def;

	tune_args_defaults(&def);
	if (man) {
		opttab_man_obj(&tune_tab, &def, out);
		return;
	}
	fprintf(out,
		"%s\n\n"
		"Measures xdpi live at a series of worker settings on the veth testbed\n"
		"(with `xdpi gen` traffic), or on a real interface with --external (you\n"
		"run the traffic). Prints a table, writes tune.csv and tune.png into\n"
		"--out, and ends with the best setting as an `xdpi live` command.\n\n",
		tune_usage_line);
	opttab_help_obj(&tune_tab, &def, out);
}

/* Returns 0, 1 for --help, or -EINVAL (message printed). */
static int tune_parse(int argc, char **argv, struct tune_args *a)
{
	int c;

	if (xdpi_opttab_init(&tune_tab, tune_rows, "tune"))
		return -EINVAL;
	tune_args_defaults(a);
	xdpi_cmdline(argc, argv, a->cmdline, sizeof(a->cmdline));
	c = xdpi_opttab_getopt(&tune_tab, a, tune_usage_line, argc, argv);
	if (c < 0)
		return c;
	if (c) {
		tune_usage(stdout, xdpi_help_man());
		return 1;
	}
	if (optind != argc) {
		xdpi_usage_error(tune_usage_line, "takes no arguments besides options ('%s')",
				 argv[optind]);
		return -EINVAL;
	}
	if (a->base.takeover && !a->external) {
		xdpi_usage_error(tune_usage_line,
				 "--takeover goes with --external: the testbed is xdpi's own");
		return -EINVAL;
	}
	if (a->external) {
		/* Only busy polling on/off is ours to place on a real NIC. */
		a->dims[TUNE_DIM_PLACE].values[0] = BENCH_PLACE_BUSY_POLL;
		a->dims[TUNE_DIM_PLACE].values[1] = BENCH_PLACE_SENDER;
		a->dims[TUNE_DIM_PLACE].count = 2;
	}
	return 0;
}

/* A result file, for writing (util/outfile.h): close-on-exec, so that the
 * sweep's children (receivers, generators, gnuplot) do not hold it; never
 * through a symbolic link, only into a regular file. */
static FILE *tune_file_create(const char *path, char *err, size_t err_len)
{
	return xdpi_output_fopen(path, XDPI_OUTPUT_TRUNCATE, 0644, NULL, err, err_len);
}

/* The output directory and tune.csv in it. */
static FILE *tune_csv_open(const char *out_dir)
{
	char path[512], err[768];
	FILE *csv;

	if (mkdir(out_dir, 0755) && errno != EEXIST) {
		xdpi_err("cannot create %s: %s", out_dir, strerror(errno));
		return NULL;
	}
	snprintf(path, sizeof(path), "%s/tune.csv", out_dir);
	csv = tune_file_create(path, err, sizeof(err));
	if (!csv)
		xdpi_err("%s", err);
	return csv;
}

/* A testbed with the point's queue count, made anew when it has another. */
static int tune_testbed_for(struct testbed *tb, const struct tune_point *p,
			    const struct bench_cfg *base)
{
	char err[256] = "";

	if (tb->up && tb->queues == p->v[TUNE_DIM_QUEUES])
		return 0;
	testbed_destroy(tb);
	if (testbed_create(tb, p->v[TUNE_DIM_QUEUES], err, sizeof(err))) {
		xdpi_err("%s", err);
		return -EIO;
	}
	bench_warm_up(tb, base);
	return 0;
}

/* The benchmark point that measures @p. */
static void tune_point_cfg(const struct tune_args *a, const struct tune_point *p,
			   struct bench_cfg *cfg)
{
	const struct bench_cfg *base = &a->base;

	*cfg = *base;
	if (p->v[TUNE_DIM_QUEUES] > cfg->nrx_cpus) {
		/* More workers than listed CPUs: repeat the list. */
		for (int k = cfg->nrx_cpus; k < p->v[TUNE_DIM_QUEUES] && k < GEN_MAX_THREADS; k++)
			cfg->rx_cpus[k] = cfg->rx_cpus[k % base->nrx_cpus];
		cfg->nrx_cpus = p->v[TUNE_DIM_QUEUES];
	}
	cfg->batch = (uint32_t)p->v[TUNE_DIM_BATCH];
	cfg->rx_size = (uint32_t)p->v[TUNE_DIM_RX];
	cfg->fill_size = (uint32_t)p->v[TUNE_DIM_FILL];
	cfg->frame_size = (uint32_t)p->v[TUNE_DIM_FRAME];
	cfg->no_need_wakeup = !p->v[TUNE_DIM_WAKEUP];
	cfg->placement = (enum bench_placement)p->v[TUNE_DIM_PLACE];
	if (a->external)
		cfg->gen.ifname = a->external;
}

/* Best: most inspected, ties (within 1%) to less loss. */
static bool tune_better(const struct tune_point *p, const struct tune_point *best)
{
	return !best || p->res.recv_pps > best->res.recv_pps * 1.01 ||
	       (p->res.recv_pps > best->res.recv_pps * 0.99 &&
		p->res.received * best->res.sent > best->res.received * p->res.sent);
}

/* Measures every point, reporting each as it comes. Returns the index of
 * the best, or -1 when none could be measured. */
static int tune_sweep(const struct tune_args *a, struct tune_point *pts, int npts, FILE *csv,
		      json_t *points, bool *interrupted)
{
	struct testbed tb = {0};
	int best = -1;

	for (int i = 0; i < npts; i++) {
		struct tune_point *p = &pts[i];
		struct bench_cfg cfg;

		if (!a->external && tune_testbed_for(&tb, p, &a->base))
			break;
		tune_point_cfg(a, p, &cfg);
		p->ok = !bench_run(a->external ? NULL : &tb, &cfg, BENCH_INSPECT, &p->res);
		tune_table_row(stdout, i + 1, p);
		if (!p->ok)
			continue;
		json_array_append_new(points, tune_point_json(i + 1, p));
		tune_csv_row(csv, i + 1, p);
		if (tune_better(p, best < 0 ? NULL : &pts[best]))
			best = i;
		if (xdpi_signals_pending()) {
			printf("interrupted\n");
			*interrupted = true;
			break;
		}
	}
	testbed_destroy(&tb);
	return best;
}

/* The record, the plot and the recommendation. */
static int tune_finish(const struct tune_args *a, const struct tune_point *pts, int best,
		       json_t *points)
{
	json_t *record = tune_record_json(a->cmdline, points, best + 1);
	char path[512], err[768];
	FILE *f;

	snprintf(path, sizeof(path), "%s/tune.json", a->out_dir);
	f = tune_file_create(path, err, sizeof(err));
	if (f) {
		bool bad = json_dumpf(record, f, JSON_INDENT(1));

		if (fclose(f) || bad) {
			snprintf(err, sizeof(err), "cannot write %s", path);
			f = NULL;
		}
	}
	if (!f)
		xdpi_warn("%s", err);
	json_decref(record);
	if (best < 0) {
		xdpi_err("no point could be measured");
		return -ENODATA;
	}
	snprintf(path, sizeof(path), "%s/tune.csv", a->out_dir);
	printf("\ntable: %s (record: %s/tune.json)\n", path, a->out_dir);
	if (tune_plot_write(a->out_dir, path))
		xdpi_warn("gnuplot could not draw %s/tune.png (is gnuplot installed?)", a->out_dir);
	else
		printf("plot:  %s/tune.png\n", a->out_dir);
	tune_recommend_print(stdout, &pts[best], &a->base, a->external);
	return 0;
}

int cmd_tune(int argc, char **argv)
{
	static struct tune_point pts[TUNE_MAX_POINTS];
	struct tune_args a;
	bool interrupted = false;
	int npts, best, ret;
	json_t *points;
	FILE *csv;

	ret = tune_parse(argc, argv, &a);
	if (ret)
		return ret > 0 ? XDPI_EXIT_OK : XDPI_EXIT_USAGE;
	npts = tune_points(a.dims, a.full, pts);
	if (npts < 0) {
		xdpi_usage_error(tune_usage_line,
				 "too many points (at most %d): sweep fewer values",
				 TUNE_MAX_POINTS);
		return XDPI_EXIT_USAGE;
	}
	if (xdpi_check_privileges() || xdpi_signals_block())
		return XDPI_EXIT_FAIL;
	/* Once, before any point: every receiver would be refused alike. */
	ret = a.external ? guard_check(a.external, a.base.gen.proto == GEN_UDP ? "udp" : "tcp",
				       a.base.takeover, false)
			 : 0;
	if (ret)
		return ret == -GUARD_REFUSED ? XDPI_EXIT_USAGE : XDPI_EXIT_FAIL;
	csv = tune_csv_open(a.out_dir);
	if (!csv)
		return XDPI_EXIT_FAIL;
	if (!a.external)
		bench_pin_harness(&a.base);

	points = json_array();
	tune_table_start(stdout, npts, a.base.gen.duration, a.external);
	tune_csv_start(csv);
	best = tune_sweep(&a, pts, npts, csv, points, &interrupted);
	fclose(csv);
	for (int i = 0; i < npts; i++)
		bench_result_free(&pts[i].res);
	if (tune_finish(&a, pts, best, points))
		return XDPI_EXIT_FAIL;
	/* An interrupted sweep wrote what it measured, but did not finish. */
	return interrupted ? XDPI_EXIT_FAIL : XDPI_EXIT_OK;
}
