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
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd.h"
#include "../bench/benchrun.h"

#define TUNE_MAX_VALUES 8
#define TUNE_MAX_POINTS 512

/* One swept setting: its name, the values to try, and the first (the
 * default) used while another setting varies. */
struct tune_dim {
	const char *name;
	const char *option; /* xdpi live option, NULL: not a live option */
	int values[TUNE_MAX_VALUES];
	int count;
};

enum { DIM_QUEUES, DIM_BATCH, DIM_RX, DIM_FILL, DIM_FRAME, DIM_WAKEUP, DIM_PLACE, DIM__MAX };

struct tune_point {
	int v[DIM__MAX];
	struct bench_result res;
	bool ok;
};

static void tune_usage(FILE *out)
{
	fprintf(out, "Usage: xdpi tune [OPTIONS]\n\n"
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
		     "  -r, --rate PPS        generator rate (default: full rate)\n"
		     "  -s, --size N          frame size (default 64)\n"
		     "      --gen-cpus LIST, --rx-cpus LIST   as for xdpi bench (0 and 1)\n"
		     "      --external IFACE  no testbed, no generator: measure xdpi live on\n"
		     "                        IFACE while your own traffic source runs\n"
		     "  -o, --out DIR         where tune.csv and tune.png go (default\n"
		     "                        build/tune)\n"
		     "  -h, --help            this text\n");
}

static int parse_ints(const char *s, int *out, int max)
{
	int n = 0;

	while (*s) {
		char *end;
		long v = strtol(s, &end, 10);

		if (n == max)
			return -EINVAL; /* more values than a sweep takes */

		if (end == s || v < 0)
			return -EINVAL;
		out[n++] = (int)v;
		s = *end == ',' ? end + 1 : end;
		if (*end && *end != ',')
			return -EINVAL;
	}
	return n ? n : -EINVAL;
}

static int parse_placements(const char *s, int *out, int max)
{
	char buf[128], *tok, *save;
	int n = 0;

	snprintf(buf, sizeof(buf), "%s", s);
	for (tok = strtok_r(buf, ",", &save); tok && n < max; tok = strtok_r(NULL, ",", &save)) {
		int p = bench_placement_parse(tok);

		if (p <= BENCH_PLACE_AUTO)
			return -EINVAL;
		out[n++] = p;
	}
	return n ? n : -EINVAL;
}

/* Appends the points of the sweep to @pts. */
static int tune_points(struct tune_dim *d, bool full, struct tune_point *pts)
{
	int n = 0;

	if (full) {
		int idx[DIM__MAX] = {0};

		for (;;) {
			if (n == TUNE_MAX_POINTS)
				return -E2BIG;
			for (int k = 0; k < DIM__MAX; k++)
				pts[n].v[k] = d[k].values[idx[k]];
			n++;
			int k = 0;

			while (k < DIM__MAX && ++idx[k] == d[k].count)
				idx[k++] = 0;
			if (k == DIM__MAX)
				break;
		}
		return n;
	}
	for (int k = 0; k < DIM__MAX; k++)
		pts[n].v[k] = d[k].values[0];
	n++;
	for (int k = 0; k < DIM__MAX; k++)
		for (int i = 1; i < d[k].count; i++) {
			for (int j = 0; j < DIM__MAX; j++)
				pts[n].v[j] = d[j].values[0];
			pts[n].v[k] = d[k].values[i];
			n++;
		}
	return n;
}

static void point_label(const struct tune_point *p, char *out, size_t len)
{
	snprintf(out, len, "q%d b%d rx%d fill%d fr%d wk%d %s", p->v[DIM_QUEUES], p->v[DIM_BATCH],
		 p->v[DIM_RX], p->v[DIM_FILL], p->v[DIM_FRAME], p->v[DIM_WAKEUP],
		 bench_placement_name(p->v[DIM_PLACE]));
}

static int write_plot(const char *dir, const char *csv)
{
	char script[2048], png[512];
	FILE *g;
	int status;

	snprintf(png, sizeof(png), "%s/tune.png", dir);
	snprintf(script, sizeof(script),
		 "set terminal pngcairo size 1400,700 noenhanced\n"
		 "set output '%s'\n"
		 "set datafile separator ','\n"
		 "set datafile columnheaders\n"
		 "set title 'xdpi live: inspected packets per second and loss per setting'\n"
		 "set style data histogram\n"
		 "set style fill solid 0.7\n"
		 "set boxwidth 0.8\n"
		 "set xtics rotate by -40\n"
		 "set ylabel 'inspected Mpps'\n"
		 "set y2label 'loss %%'\n"
		 "set y2tics\n"
		 "set ytics nomirror\n"
		 "set yrange [0:*]\n"
		 "set y2range [0:*]\n"
		 "set key top right\n"
		 "plot '%s' using ($3/1e6):xtic(2) title 'inspected Mpps' axes x1y1, "
		 "'' using 0:($5) with linespoints lw 2 pt 7 title 'loss %%' axes x1y2\n",
		 png, csv);
	g = popen("gnuplot 2>&1", "w");
	if (!g)
		return -errno;
	fputs(script, g);
	status = pclose(g);
	return status == 0 ? 0 : -EIO;
}

static bool is_pow2(int v)
{
	return v > 0 && !(v & (v - 1));
}

/* The bounds of `xdpi live`'s options (xdpi_xsk_opts_validate()), per dimension. */
static bool tune_value_ok(int dim, int v)
{
	switch (dim) {
	case DIM_QUEUES:
		return v >= 1 && v <= 64;
	case DIM_BATCH:
		return v >= 1 && v <= 4096;
	case DIM_RX:
	case DIM_FILL:
		return is_pow2(v) && v >= 64 && v <= 32768;
	case DIM_FRAME:
		return v == 2048 || v == 4096;
	case DIM_WAKEUP:
		return v == 0 || v == 1;
	default:
		return true;
	}
}

int cmd_tune(int argc, char **argv)
{
	static const struct option opts[] = {
		XDPI_TRAFFIC_LONG_OPTS,
		{"queues", required_argument, NULL, 'Q'},
		{"batch", required_argument, NULL, 'B'},
		{"rx-size", required_argument, NULL, 'R'},
		{"fill-size", required_argument, NULL, 'L'},
		{"frame-size", required_argument, NULL, 'S'},
		{"need-wakeup", required_argument, NULL, 'W'},
		{"placement", required_argument, NULL, 'P'},
		{"full", no_argument, NULL, 'f'},
		{"duration", required_argument, NULL, 'd'},
		{"gen-cpus", required_argument, NULL, 'G'},
		{"rx-cpus", required_argument, NULL, 'X'},
		{"external", required_argument, NULL, 'E'},
		{"out", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	struct tune_dim dims[DIM__MAX] = {
		[DIM_QUEUES] = {"queues", NULL, {1}, 1},
		[DIM_BATCH] = {"batch", "--batch", {64, 16, 256, 512}, 4},
		[DIM_RX] = {"rx_size", "--rx-size", {8192, 1024, 16384}, 3},
		[DIM_FILL] = {"fill_size", "--fill-size", {8192, 4096, 16384}, 3},
		[DIM_FRAME] = {"frame_size", "--frame-size", {2048, 4096}, 2},
		[DIM_WAKEUP] = {"need_wakeup", NULL, {1, 0}, 2},
		[DIM_PLACE] = {"placement",
			       NULL,
			       {BENCH_PLACE_BUSY_POLL, BENCH_PLACE_THREADED, BENCH_PLACE_SENDER},
			       3},
	};
	static struct tune_point pts[TUNE_MAX_POINTS];
	struct bench_cfg base = {0};
	struct testbed tb = {0};
	const char *external = NULL, *out_dir = "build/tune";
	char err[256] = "", path[512], label[128], cmdline[1024] = "";
	json_t *record, *points;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	bool full = false, interrupted = false;
	int c, npts, best = -1, ret = XDPI_EXIT_FAIL;
	FILE *csv;
	sigset_t mask;

	for (int i = 0; i < argc; i++)
		snprintf(cmdline + strlen(cmdline), sizeof(cmdline) - strlen(cmdline), "%s%s",
			 i ? " " : "xdpi ", argv[i]);
	gen_opts_defaults(&base.gen);
	base.gen.duration = 3;
	base.gen.cpus[0] = 0;
	base.gen.ncpus = 1;
	base.rx_cpus[0] = ncpu > 1 ? 1 : 0;
	base.nrx_cpus = 1;

	optind = 1;
	while ((c = getopt_long(argc, argv, "d:r:s:p:F:o:h", opts, NULL)) != -1) {
		struct tune_dim *d = NULL;
		int v = xdpi_parse_traffic_opt(c, optarg, &base.gen);

		if (v < 0)
			goto bad;
		if (v)
			continue;
		switch (c) {
		case 'Q':
			d = &dims[DIM_QUEUES];
			break;
		case 'B':
			d = &dims[DIM_BATCH];
			break;
		case 'R':
			d = &dims[DIM_RX];
			break;
		case 'L':
			d = &dims[DIM_FILL];
			break;
		case 'S':
			d = &dims[DIM_FRAME];
			break;
		case 'W':
			d = &dims[DIM_WAKEUP];
			break;
		case 'P':
			dims[DIM_PLACE].count =
				parse_placements(optarg, dims[DIM_PLACE].values, TUNE_MAX_VALUES);
			if (dims[DIM_PLACE].count < 0)
				goto bad;
			break;
		case 'f':
			full = true;
			break;
		case 'd':
			if (xdpi_parse_seconds(optarg, &base.gen.duration) || base.gen.duration < 1)
				goto bad;
			break;
		case 'G':
			base.gen.ncpus =
				xdpi_parse_list(optarg, base.gen.cpus, GEN_MAX_THREADS, (int)ncpu);
			if (base.gen.ncpus < 0)
				goto bad;
			break;
		case 'X':
			base.nrx_cpus =
				xdpi_parse_list(optarg, base.rx_cpus, GEN_MAX_THREADS, (int)ncpu);
			if (base.nrx_cpus < 0)
				goto bad;
			break;
		case 'E':
			external = optarg;
			break;
		case 'o':
			out_dir = optarg;
			break;
		case 'h':
			tune_usage(stdout);
			return XDPI_EXIT_OK;
		default:
			tune_usage(stderr);
			return XDPI_EXIT_USAGE;
		}
		if (d) {
			d->count = parse_ints(optarg, d->values, TUNE_MAX_VALUES);
			if (d->count < 0)
				goto bad;
		}
		/* Every value is checked here, before anything is created:
		 * the same bounds `xdpi live` applies. */
		for (int i = 0; d && i < d->count; i++)
			if (!tune_value_ok((int)(d - dims), d->values[i]))
				goto bad;
	}
	if (optind != argc) {
		xdpi_err("tune takes no arguments besides options (see 'xdpi tune --help')");
		return XDPI_EXIT_USAGE;
	}
	if (external) {
		/* Only busy polling on/off is ours to place on a real NIC. */
		dims[DIM_PLACE].values[0] = BENCH_PLACE_BUSY_POLL;
		dims[DIM_PLACE].values[1] = BENCH_PLACE_SENDER;
		dims[DIM_PLACE].count = 2;
	}
	npts = tune_points(dims, full, pts);
	if (npts < 0) {
		xdpi_err("too many points (at most %d): sweep fewer values", TUNE_MAX_POINTS);
		return XDPI_EXIT_USAGE;
	}
	if (xdpi_check_privileges())
		return XDPI_EXIT_FAIL;
	if (mkdir(out_dir, 0755) && errno != EEXIST) {
		xdpi_err("cannot create %s: %s", out_dir, strerror(errno));
		return XDPI_EXIT_FAIL;
	}
	snprintf(path, sizeof(path), "%s/tune.csv", out_dir);
	csv = fopen(path, "w");
	if (!csv) {
		xdpi_err("cannot write %s: %s", path, strerror(errno));
		return XDPI_EXIT_FAIL;
	}
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGQUIT);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	if (!external)
		bench_pin_harness(&base);

	record = json_object();
	points = json_array();
	printf("xdpi tune: %d points of %.0f s on %s\n", npts, base.gen.duration,
	       external ? external : "the veth testbed with xdpi gen traffic");
	fprintf(csv, "point,label,inspected_pps,offered_pps,loss_pct,rx_busy,unexplained,"
		     "queues,batch,rx_size,fill_size,frame_size,need_wakeup,placement\n");
	printf("%-5s %-46s %12s %12s %8s %8s %s\n", "point", "setting", "inspected pps",
	       "offered pps", "loss", "rx busy", "unexplained");
	for (int i = 0; i < npts; i++) {
		struct tune_point *p = &pts[i];
		struct bench_cfg cfg = base;
		sigset_t pending;
		double loss;

		if (!external && (!tb.up || tb.queues != p->v[DIM_QUEUES])) {
			testbed_destroy(&tb);
			if (testbed_create(&tb, p->v[DIM_QUEUES], err, sizeof(err))) {
				xdpi_err("%s", err);
				break;
			}
			bench_warm_up(&tb, &base);
		}
		if (p->v[DIM_QUEUES] > cfg.nrx_cpus) {
			/* More workers than listed CPUs: repeat the list. */
			for (int k = cfg.nrx_cpus; k < p->v[DIM_QUEUES] && k < GEN_MAX_THREADS; k++)
				cfg.rx_cpus[k] = cfg.rx_cpus[k % base.nrx_cpus];
			cfg.nrx_cpus = p->v[DIM_QUEUES];
		}
		cfg.batch = (uint32_t)p->v[DIM_BATCH];
		cfg.rx_size = (uint32_t)p->v[DIM_RX];
		cfg.fill_size = (uint32_t)p->v[DIM_FILL];
		cfg.frame_size = (uint32_t)p->v[DIM_FRAME];
		cfg.no_need_wakeup = !p->v[DIM_WAKEUP];
		cfg.placement = (enum bench_placement)p->v[DIM_PLACE];
		if (external)
			cfg.gen.ifname = external;
		point_label(p, label, sizeof(label));
		p->ok = !bench_run(external ? NULL : &tb, &cfg, BENCH_INSPECT, &p->res);
		if (!p->ok) {
			printf("%-5d %-46s failed: %s\n", i + 1, label, p->res.err);
			continue;
		}
		loss = p->res.sent ? 100.0 * (1.0 - (double)p->res.received / (double)p->res.sent)
				   : 0.0;
		if (loss < 0)
			loss = 0;
		printf("%-5d %-46s %12.0f %12.0f %7.2f%% %7.1f%% %" PRId64 "\n", i + 1, label,
		       p->res.recv_pps, p->res.sent_pps, loss, 100 * p->res.rx_busy,
		       p->res.unexplained);
		fflush(stdout);
		json_array_append_new(
			points,
			json_pack("{s:i, s:s, s:f, s:f, s:f, s:f, s:I, s:O}", "point", i + 1,
				  "setting", label, "inspected_pps", p->res.recv_pps, "offered_pps",
				  p->res.sent_pps, "loss_pct", loss, "rx_busy", p->res.rx_busy,
				  "unexplained", (json_int_t)p->res.unexplained, "receiver",
				  p->res.receiver_json ? p->res.receiver_json : json_null()));
		fprintf(csv, "%d,%s,%.0f,%.0f,%.4f,%.4f,%" PRId64 ",%d,%d,%d,%d,%d,%d,%s\n", i + 1,
			label, p->res.recv_pps, p->res.sent_pps, loss, p->res.rx_busy,
			p->res.unexplained, p->v[DIM_QUEUES], p->v[DIM_BATCH], p->v[DIM_RX],
			p->v[DIM_FILL], p->v[DIM_FRAME], p->v[DIM_WAKEUP],
			bench_placement_name(p->v[DIM_PLACE]));
		/* Best: most inspected, ties (within 1%) to less loss. */
		if (best < 0 || p->res.recv_pps > pts[best].res.recv_pps * 1.01 ||
		    (p->res.recv_pps > pts[best].res.recv_pps * 0.99 &&
		     p->res.received * pts[best].res.sent > pts[best].res.received * p->res.sent))
			best = i;
		sigpending(&pending);
		if (sigismember(&pending, SIGINT) || sigismember(&pending, SIGTERM) ||
		    sigismember(&pending, SIGHUP) || sigismember(&pending, SIGQUIT)) {
			printf("interrupted\n");
			interrupted = true;
			break;
		}
	}
	testbed_destroy(&tb);
	fclose(csv);
	for (int i = 0; i < npts; i++)
		bench_result_free(&pts[i].res);
	json_object_set_new(record, "command", json_string(cmdline));
	json_object_set_new(record, "machine", bench_machine_json());
	json_object_set_new(record, "points", points);
	json_object_set_new(record, "best_point", json_integer(best + 1));
	snprintf(path, sizeof(path), "%s/tune.json", out_dir);
	if (json_dump_file(record, path, JSON_INDENT(1)))
		xdpi_warn("cannot write %s", path);
	json_decref(record);
	if (best < 0) {
		xdpi_err("no point could be measured");
		return XDPI_EXIT_FAIL;
	}
	snprintf(path, sizeof(path), "%s/tune.csv", out_dir);
	printf("\ntable: %s (record: %s/tune.json)\n", path, out_dir);
	if (write_plot(out_dir, path))
		xdpi_warn("gnuplot could not draw %s/tune.png (is gnuplot installed?)", out_dir);
	else
		printf("plot:  %s/tune.png\n", out_dir);
	{
		struct tune_point *b = &pts[best];
		char cpus[64] = "";

		for (int k = 0; k < b->v[DIM_QUEUES] && k < GEN_MAX_THREADS; k++)
			snprintf(cpus + strlen(cpus), sizeof(cpus) - strlen(cpus), "%s%d",
				 k ? "," : "", base.rx_cpus[k % base.nrx_cpus]);
		printf("recommended (%.0f pps inspected): xdpi live --cpus %s --batch %d --rx-size %d "
		       "--fill-size %d --frame-size %d%s%s %s\n",
		       b->res.recv_pps, cpus, b->v[DIM_BATCH], b->v[DIM_RX], b->v[DIM_FILL],
		       b->v[DIM_FRAME], b->v[DIM_WAKEUP] ? "" : " --no-need-wakeup",
		       b->v[DIM_PLACE] == BENCH_PLACE_BUSY_POLL ? ""
		       : b->v[DIM_PLACE] == BENCH_PLACE_THREADED
			       ? " --no-busy-poll (with threaded NAPI: echo 1 > "
				 "/sys/class/net/IFACE/threaded, kthread pinned)"
			       : " --no-busy-poll",
		       external ? external : "IFACE");
	}
	/* An interrupted sweep wrote what it measured, but did not finish. */
	ret = interrupted ? XDPI_EXIT_FAIL : XDPI_EXIT_OK;
	return ret;
bad:
	xdpi_err("invalid value '%s' for option %s (see 'xdpi tune --help')", optarg,
		 xdpi_opt_name(argv, optarg));
	return XDPI_EXIT_USAGE;
}
