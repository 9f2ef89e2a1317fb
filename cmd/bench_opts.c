// SPDX-License-Identifier: MIT
/* The options of `xdpi bench` (bench_opts.h): its table, --help, and the
 * checks of the options together. */
#include <errno.h>
#include <getopt.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "bench_opts.h"
#include "../export/live_report.h"

static const char bench_usage_line[] = "Usage: xdpi bench [OPTIONS]";

/* The search's defaults (bench/ndr.h, docs/bench.md "The search"): 1 s
 * trials, a load classified on 3 s of them with half allowed to exceed
 * the goal's loss, so that one stall in a trial does not decide it. */
#define BENCH_TRIAL_S 1.0
#define BENCH_DURATION_SUM_S 3.0
#define BENCH_MAX_TRIALS 30

/* --placement: where the receive NAPI work runs. */
static int placement_parse(void *obj, const struct opttab_row *r, const char *arg)
{
	int v = bench_placement_parse(arg);

	if (v < 0)
		return -EINVAL;
	*(enum bench_placement *)(void *)((char *)obj + r->off) = (enum bench_placement)v;
	return 0;
}

static int placement_fmt(const void *obj, const struct opttab_row *r, char *buf, size_t len)
{
	snprintf(buf, len, "%s",
		 bench_placement_name(*(
			 const enum bench_placement *)(const void *)((const char *)obj + r->off)));
	return 1;
}

static int placement_explain(const char *arg, char *err, size_t err_len)
{
	const char *names[BENCH_PLACE_SENDER + 1];
	int n;

	(void)arg;
	for (n = 0; n <= BENCH_PLACE_SENDER; n++)
		names[n] = bench_placement_name((enum bench_placement)n);
	xdpi_choices(names, n, err, err_len);
	return 1;
}

/* --receivers: the set to run, in place of the default one. */
static int receivers_parse(void *obj, const struct opttab_row *r, const char *arg)
{
	struct bench_args *a = obj;
	int list[BENCH__RECEIVERS], n = bench_receivers_parse(arg, list, BENCH__RECEIVERS);

	(void)r;
	if (n < 0)
		return -EINVAL;
	for (int i = 0; i < BENCH__RECEIVERS; i++)
		a->on[i] = false;
	for (int i = 0; i < n; i++)
		a->on[list[i]] = true;
	a->receivers_given = true;
	return 0;
}

static int receivers_fmt(const void *obj, const struct opttab_row *r, char *buf, size_t len)
{
	const struct bench_args *a = obj;
	size_t used = 0;

	(void)r;
	buf[0] = 0;
	for (int i = 0; i < BENCH__RECEIVERS && used < len; i++)
		if (a->on[i])
			used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? "," : "",
						 bench_receiver_name((enum bench_receiver)i));
	return used > 0;
}

static int receivers_explain(const char *arg, char *err, size_t err_len)
{
	const char *names[BENCH__RECEIVERS];
	size_t n;

	(void)arg;
	for (int i = 0; i < BENCH__RECEIVERS; i++)
		names[i] = bench_receiver_name((enum bench_receiver)i);
	snprintf(err, err_len, "a comma list of ");
	n = strlen(err);
	xdpi_choices(names, BENCH__RECEIVERS, err + n, err_len - n);
	return 1;
}

static const char *const harness_duration[] = {"duration", NULL};
static const char *const harness_cpus[] = {"gen-cpus", "rx-cpus", NULL};
static const char *const traffic_shape[] = {"size", "proto", "flows", "src-ips", "preset", NULL};

#define BA(m) offsetof(struct bench_args, m)

/* clang-format off */
static const struct opttab_row bench_rows[] = {
	{OPTTAB_INCLUDE, .off = BA(cfg), .include = xdpi_harness_rows, .only = harness_duration},
	{OPTTAB_SECONDS, "duration-sum", .off = BA(duration_sum), .def_d = BENCH_DURATION_SUM_S,
	 .fmin = 1, .fmax = 60, .valid = "1..60 seconds", .metavar = "S",
	 .help = "seconds of trials that classify a load in the search's final phase "
		 "(MLRsearch's goal duration sum: half may exceed the goal's loss)"},
	{OPTTAB_FLAG, "quick", .off = BA(quick),
	 .help = "one trial per receiver at full rate, no search"},
	{OPTTAB_U32, "max-trials", .off = BA(max_trials), .def_u = BENCH_MAX_TRIALS, .min = 1,
	 .max = 100, .valid = "1..100", .metavar = "N",
	 .help = "search trials per receiver after the full-rate one, retries included"},
	{OPTTAB_INCLUDE, .off = BA(cfg.gen), .include = xdpi_traffic_rows, .only = traffic_shape},
	{OPTTAB_U32, "mtu", .off = BA(mtu), .min = 68, .max = 9000, .valid = "68..9000",
	 .def_doc = "veth's, 1500", .metavar = "N",
	 .help = "MTU of both veth ends; jumbo frames need a receiver with XDP multi-buffer "
		 "support"},
	{OPTTAB_U64, "max-flows", .off = BA(cfg.max_flows), .min = 1, .max = 1ull << 40,
	 .valid = "1..1099511627776", .def_doc = "xdpi live's, what 1 GiB holds", .metavar = "N",
	 .help = "the flow table's bound in the inspecting receivers"},
	{OPTTAB_FLAG, "flow-cases", .off = BA(flow_cases),
	 .help = "the run three times: 1 flow, 10,000 flows, and a flood (a new flow every "
		 "frame), by default for inspect and noflows, then a table of the cases"},
	{OPTTAB_U64, "rate", .off = BA(cfg.gen.rate), .min = 1, .max = 1000000000,
	 .valid = "1..1000000000 frames per second", .metavar = "PPS",
	 .flags = OPTTAB_OBJ_DEFAULT | OPTTAB_NO_DEFAULT,
	 .help = "one trial per receiver at this rate, no search"},
	{OPTTAB_U32, "queues", .off = BA(queues), .def_u = 1, .min = 1, .max = 64,
	 .valid = "1..64", .metavar = "N", .help = "veth queues"},
	{OPTTAB_INCLUDE, .off = BA(cfg), .include = xdpi_harness_rows, .only = harness_cpus},
	{OPTTAB_CUSTOM, "placement", .off = BA(cfg.placement), .parse = placement_parse,
	 .fmt = placement_fmt, .explain = placement_explain, .metavar = "P",
	 .flags = OPTTAB_OBJ_DEFAULT,
	 .help = "where the receive NAPI work runs: auto (every receiver with its own defaults, "
		 "the ceiling the best of sender and threaded), busy-poll, threaded (NAPI kthread "
		 "pinned to the rx CPU), sender (softirq on the generator's CPU)"},
	{OPTTAB_CUSTOM, "receivers", .parse = receivers_parse, .fmt = receivers_fmt,
	 .explain = receivers_explain, .metavar = "LIST", .flags = OPTTAB_OBJ_DEFAULT,
	 .help = "which to run, e.g. ceiling,inspect; ipfix and nodetect only when asked"},
	{OPTTAB_FLAG, "check-seq", .off = BA(cfg.check_seq),
	 .help = "verify the generator's sequence numbers in (b)"},
	{OPTTAB_FLAG, "json", 'j', .off = BA(json),
	 .help = "one JSON object on stdout (the table goes to stderr)"},
	{OPTTAB_STRING, "record", .off = BA(record), .metavar = "FILE",
	 .help = "also write the JSON record to FILE"},
	{OPTTAB_STRING, "history", .off = BA(history), .metavar = "FILE",
	 .def_doc = "$XDG_STATE_HOME/xdpi/bench-history.jsonl",
	 .help = "where searched runs are kept, to judge this run with the last ones of the "
		 "same set-up"},
	{OPTTAB_FLAG, "no-history", .off = BA(no_history),
	 .help = "neither read nor add to the history"},
	{OPTTAB_ACTION, "help", 'h', .help = "this text"},
	{OPTTAB_END},
};
/* clang-format on */

static struct opttab bench_tab;

static void bench_args_defaults(struct bench_args *a)
{
	memset(a, 0, sizeof(*a));
	for (int r = 0; r < BENCH__RECEIVERS; r++)
		a->on[r] = r != BENCH_IPFIX && r != BENCH_NODETECT;
	bench_cfg_defaults(&a->cfg, BENCH_TRIAL_S);
	a->cfg.rx_report = live_report_json; /* each xdpi receiver's own, in the record */
	opttab_defaults(&bench_tab, a);
}

static void bench_usage(FILE *out, bool man)
{
	struct bench_args def;

	bench_args_defaults(&def);
	if (man) {
		opttab_man_obj(&bench_tab, &def, out);
		return;
	}
	fprintf(out,
		"%s\n\n"
		"Creates a veth testbed (namespaces xdpi-gen-*, xdpi-dut-*) and, for each\n"
		"receiver, measures its loss at the generator's full rate and searches its\n"
		"no-drop rate (NDR: zero loss) and partial-drop rate (PDR: loss at most\n"
		"0.5%%) with MLRsearch: short trials repeated per load, a load classified\n"
		"by the share of trial time that exceeded the loss, so that one stall does\n"
		"not decide it. The receivers, on the same `xdpi gen` traffic: (a) the\n"
		"in-kernel ceiling (xdpi's XDP program counting and dropping; the best of\n"
		"two NAPI placements), (b) xdpi live with full inspection, (c) xdpi live\n"
		"--no-inspect, (d) AF_PACKET capture through libpcap, (e) dpdk-testpmd\n"
		"rxonly over DPDK's AF_XDP driver, when installed, (f) xdpi live\n"
		"--passive (copies through a BPF ring, the host keeps every frame),\n"
		"(g) xdpi live --no-flows (inspection without the flow table); and on\n"
		"request (h) xdpi live --ipfix (a record a second per flow, to loopback)\n"
		"and (i) xdpi live --no-detect (full inspection without the detectors).\n"
		"Each lossy trial says what the loss coincided with (xdpi: its worker off\n"
		"its CPU, waking up, or running; any receiver: steal time on its CPU).\n"
		"A trial in which the generator fell more than 1%% short of the rate asked\n"
		"for is retried, then marked invalid, and never counted. Everything it\n"
		"creates is removed at the end.\n\n"
		"Options:\n",
		bench_usage_line);
	opttab_help_obj(&bench_tab, &def, out);
}

/* What the options mean together; -EINVAL (message printed) if they
 * cannot go together. */
static int bench_args_check(struct bench_args *a)
{
	if ((int)a->cfg.gen.flows < a->cfg.gen.ncpus)
		a->cfg.gen.flows = (uint32_t)a->cfg.gen.ncpus;
	if (a->cfg.nrx_cpus < (int)a->queues) {
		xdpi_usage_error(bench_usage_line, "%u queues need %u CPUs in --rx-cpus", a->queues,
				 a->queues);
		return -EINVAL;
	}
	if (gen_size_max(a->cfg.gen.size) - 18 > (a->mtu ? a->mtu : 1500)) {
		xdpi_usage_error(bench_usage_line,
				 "--size: %u-byte frames need --mtu %u or more (the MTU is %u)",
				 gen_size_max(a->cfg.gen.size), gen_size_max(a->cfg.gen.size) - 18,
				 a->mtu ? a->mtu : 1500);
		return -EINVAL;
	}
	a->cfg.gen.ifname = "xdpi-g";
	a->search = !a->quick && !a->cfg.gen.rate;
	if (a->flow_cases && !a->receivers_given)
		for (int r = 0; r < BENCH__RECEIVERS; r++)
			a->on[r] = r == BENCH_INSPECT || r == BENCH_NOFLOWS;
	return 0;
}

int bench_parse(int argc, char **argv, struct bench_args *a)
{
	int c;

	if (xdpi_opttab_init(&bench_tab, bench_rows, "bench"))
		return -EINVAL;
	bench_args_defaults(a);
	xdpi_cmdline(argc, argv, a->cmdline, sizeof(a->cmdline));
	c = xdpi_opttab_getopt(&bench_tab, a, bench_usage_line, argc, argv);
	if (c < 0)
		return c;
	if (c) {
		bench_usage(stdout, xdpi_help_man());
		return 1;
	}
	if (optind != argc) {
		xdpi_usage_error(bench_usage_line, "takes no arguments besides options ('%s')",
				 argv[optind]);
		return -EINVAL;
	}
	return bench_args_check(a);
}
