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

/* A sweep dimension's option is OPT_DIM + its enum tune_dim_id. */
enum { OPT_DIM = 256, OPT_FULL = OPT_DIM + TUNE_DIM__MAX, OPT_EXTERNAL, OPT_TAKEOVER };

static const char tune_usage_line[] = "Usage: xdpi tune [OPTIONS]";

static void tune_usage(FILE *out)
{
	fprintf(out,
		"%s\n\n"
		"Measures xdpi live at a series of worker settings on the veth testbed\n"
		"(with `xdpi gen` traffic), or on a real interface with --external (you\n"
		"run the traffic). Prints a table, writes tune.csv and tune.png into\n"
		"--out, and ends with the best setting as an `xdpi live` command.\n\n"
		"Sweep (comma lists; the first value is the one held while others vary):\n"
		"      --queues L        queues/workers (default 1)\n"
		"      --batch L         descriptors per batch (default 64,16,256,512)\n"
		"      --rx-size L       RX ring size (default 8192,1024,16384)\n"
		"      --fill-size L     fill ring frames (default 8192,4096,16384)\n"
		"      --frame-size L    UMEM frame size (default 2048,4096)\n"
		"      --need-wakeup L   1 on, 0 off (default 1,0)\n"
		"      --placement L     busy-poll, threaded, sender (default all three)\n"
		"      --full            every combination instead of one at a time\n"
		"Traffic and measuring:\n"
		"  -d, --duration S      seconds per point (default 3)\n"
		"      --rate PPS        generator rate (default: full rate)\n"
		"      --size N          frame size (default 64)\n"
		"      --proto P, --flows N, --src-ips N, --preset P   as for xdpi gen\n"
		"      --gen-cpus LIST, --rx-cpus LIST   as for xdpi bench (0 and 1)\n"
		"      --external IFACE  no testbed, no generator: measure xdpi live on\n"
		"                        IFACE while your own traffic source runs\n"
		"      --takeover        with --external: steer IFACE even though this\n"
		"                        host uses it (see `xdpi live --help`)\n"
		"  -o, --out DIR         where tune.csv and tune.png go (default\n"
		"                        build/tune)\n"
		"  -h, --help            this text\n",
		tune_usage_line);
}

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

/* The valid values of tune's option @c, for a usage error. */
static const char *tune_valid(int c, char *buf, size_t len)
{
	static const char *const dims[TUNE_DIM__MAX] = {
		[TUNE_DIM_QUEUES] = "a list of 1..64",
		[TUNE_DIM_BATCH] = "a list of 1..4096",
		[TUNE_DIM_RX] = "a list of powers of two from 64 to 32768",
		[TUNE_DIM_FILL] = "a list of powers of two from 64 to 32768",
		[TUNE_DIM_FRAME] = "a list of 2048, 4096",
		[TUNE_DIM_WAKEUP] = "a list of 0, 1",
		[TUNE_DIM_PLACE] = "a list of busy-poll, threaded, sender",
	};
	const char *v = xdpi_traffic_opt_valid(c, buf, len);

	if (v)
		return v;
	if (c >= OPT_DIM && c < OPT_DIM + TUNE_DIM__MAX)
		return dims[c - OPT_DIM];
	return NULL;
}

struct tune_args {
	struct tune_dim dims[TUNE_DIM__MAX];
	struct bench_cfg base;
	const char *external; /* measure on this interface, no testbed */
	const char *out_dir;
	bool full;
	char cmdline[1024];
};

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
	a->out_dir = "build/tune";
}

/* Returns 0, 1 for --help, or -EINVAL (message printed). */
static int tune_parse(int argc, char **argv, struct tune_args *a)
{
	static const struct option opts[] = {
		XDPI_TRAFFIC_LONG_OPTS,
		{"queues", required_argument, NULL, OPT_DIM + TUNE_DIM_QUEUES},
		{"batch", required_argument, NULL, OPT_DIM + TUNE_DIM_BATCH},
		{"rx-size", required_argument, NULL, OPT_DIM + TUNE_DIM_RX},
		{"fill-size", required_argument, NULL, OPT_DIM + TUNE_DIM_FILL},
		{"frame-size", required_argument, NULL, OPT_DIM + TUNE_DIM_FRAME},
		{"need-wakeup", required_argument, NULL, OPT_DIM + TUNE_DIM_WAKEUP},
		{"placement", required_argument, NULL, OPT_DIM + TUNE_DIM_PLACE},
		{"full", no_argument, NULL, OPT_FULL},
		XDPI_HARNESS_LONG_OPTS,
		{"external", required_argument, NULL, OPT_EXTERNAL},
		{"takeover", no_argument, NULL, OPT_TAKEOVER},
		{"out", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	char valid[160];
	int c, v;

	tune_args_defaults(a);
	xdpi_cmdline(argc, argv, a->cmdline, sizeof(a->cmdline));
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":d:o:h", opts, NULL)) != -1) {
		v = xdpi_parse_harness_opt(c, optarg, &a->base);
		if (v < 0)
			goto bad;
		if (v)
			continue;
		if (c >= OPT_DIM && c < OPT_DIM + TUNE_DIM__MAX) {
			if (tune_parse_dim(&a->dims[c - OPT_DIM], c - OPT_DIM, optarg))
				goto bad;
			continue;
		}
		switch (c) {
		case OPT_FULL:
			a->full = true;
			break;
		case OPT_EXTERNAL:
			a->external = optarg;
			break;
		case OPT_TAKEOVER:
			a->base.takeover = true;
			break;
		case 'o':
			a->out_dir = optarg;
			break;
		case 'h':
			tune_usage(stdout);
			return 1;
		default:
			xdpi_usage_getopt(tune_usage_line, argv, c, opts);
			return -EINVAL;
		}
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
bad:
	xdpi_usage_bad_value(tune_usage_line, argv, optarg, tune_valid(c, valid, sizeof(valid)));
	return -EINVAL;
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
