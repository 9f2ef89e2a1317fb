// SPDX-License-Identifier: MIT
/*
 * xdpi bench: the one-command benchmark. Builds a veth testbed and, for each
 * receiver in turn (the in-kernel XDP drop ceiling, xdpi live, xdpi live
 * --no-inspect, AF_PACKET, and DPDK's AF_XDP driver when testpmd is
 * installed), measures the loss at the generator's full rate and searches
 * the no-drop rate (NDR) and the partial-drop rate (PDR, loss <= 0.5%) with
 * MLRsearch (bench/ndr.h). Every trial checks that the generator offered
 * the rate asked for; one that fell short is retried or marked invalid and
 * never counted. One table of figures measured in this run, then the
 * testbed is removed.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "bench_opts.h"
#include "../bench/benchrun.h"
#include "../bench/history.h"
#include "../bench/xdpcost.h"
#include "../bench/ndr.h"
#include "../export/bench_report.h"
#include "../export/live_report.h"
#include "../export/report.h"
#include "../util/version.h"

/* Any steal time on the receiver's CPU (one clock tick, 10 ms at 100 Hz)
 * during a lossy trial: the host took the vCPU away. */
#define BENCH_STEAL_STALL_S 0.001

/* What a trial needs besides its rate; the trial function's context. */
struct bench_ctx {
	const struct testbed *tb;
	struct bench_cfg cfg; /* placement set per receiver */
	enum bench_receiver r;
	uint64_t fixed_rate; /* --rate: the one trial's rate */
	double shortfall;
	struct bench_rx *rx;
	json_t *trials;
	FILE *table;
	char err[256];
};

/* The search's view of a run: what was asked, offered, received, lost. */
static void trial_of(const struct bench_result *res, struct ndr_trial *t)
{
	memset(t, 0, sizeof(*t));
	t->requested_pps = (double)res->requested_pps;
	t->achieved_pps = res->sent_pps;
	t->sent = res->sent;
	t->received = res->received;
	t->loss = res->sent && res->received < res->sent
			  ? 1.0 - (double)res->received / (double)res->sent
			  : 0.0;
}

/* Whether a lossy trial's loss coincides with a stall: an xdpi receiver's
 * drops were laid at its worker being off its CPU or waking up, or the
 * host took time from the receiver's CPU (steal) during the trial. */
static bool trial_stalled(const struct bench_result *res, const struct ndr_trial *t)
{
	if (t->loss <= 0)
		return false;
	if (res->has_causes && res->fill_empty[LOSS_OFF_CPU] + res->fill_empty[LOSS_ASLEEP] >
				       res->fill_empty[LOSS_RUNNING])
		return true;
	return res->rx_steal_s >= BENCH_STEAL_STALL_S;
}

/* ndr_trial_fn: one bench_run at @rate (0: full rate, or --rate). */
static int bench_trial(void *ctx, double rate, double duration, struct ndr_trial *t)
{
	struct bench_ctx *c = ctx;
	struct bench_cfg cfg = c->cfg;
	struct bench_result res;
	bool stalled;
	int ret;

	cfg.gen.rate = rate > 0 ? (uint64_t)rate : c->fixed_rate;
	cfg.gen.duration = duration;
	ret = bench_run(c->tb, &cfg, c->r, &res);
	if (ret) {
		snprintf(c->err, sizeof(c->err), "%s", res.err);
		bench_result_free(&res);
		return ret;
	}
	trial_of(&res, t);
	t->duration_s = duration;
	t->valid = ndr_trial_valid(t, c->shortfall);
	c->rx->unexplained += res.unexplained;
	stalled = trial_stalled(&res, t);
	c->rx->lossy_trials += t->loss > 0;
	c->rx->stalled_trials += stalled;
	json_array_append_new(c->trials, bench_trial_json(c->r, &res, t, stalled));
	bench_trial_print(c->table, c->r, &res, t, stalled);
	if (!rate && !c->rx->full.receiver_json) {
		c->rx->full = res; /* kept: the table's "runs" entry */
		c->rx->placement = res.placement;
	} else {
		bench_result_free(&res);
	}
	return 0;
}

/* The ceiling is the best the kernel does: its full-rate trial in both
 * placements that need no socket, the better one kept for the search. A
 * placement that lost nothing is better than one that lost: threaded
 * NAPI takes more at full rate on some hosts, but its kthread's wake-ups
 * lose frames at any paced rate there, which would make the ceiling's NDR
 * a fraction of every receiver's. */
static enum bench_placement bench_ceiling_placement(struct bench_ctx *c)
{
	static const enum bench_placement cand[] = {BENCH_PLACE_SENDER, BENCH_PLACE_THREADED};
	enum bench_placement best = BENCH_PLACE_SENDER;
	double best_pps = -1;

	for (size_t i = 0; i < sizeof(cand) / sizeof(cand[0]); i++) {
		struct bench_result res;

		c->cfg.placement = cand[i];
		c->cfg.gen.rate = c->fixed_rate;
		if (bench_run(c->tb, &c->cfg, BENCH_CEILING, &res) == 0) {
			struct ndr_trial t;

			trial_of(&res, &t);
			t.duration_s = c->cfg.gen.duration;
			t.valid = true;
			json_array_append_new(c->trials, bench_trial_json(c->r, &res, &t, false));
			bench_placement_trial_print(c->table, BENCH_CEILING, &res);
			/* Loss-free first, then the most received. */
			double score = res.recv_pps + (t.loss > 0 ? 0 : 1e12);

			if (score > best_pps) {
				best_pps = score;
				best = cand[i];
			}
		}
		bench_result_free(&res);
	}
	return best;
}

static int bench_receiver(struct bench_ctx *c, const struct ndr_opts *no, bool auto_place)
{
	enum bench_placement asked = c->cfg.placement;
	int ret;

	if (c->r == BENCH_CEILING && auto_place)
		c->cfg.placement = bench_ceiling_placement(c);
	c->rx->trial_base = (int)json_array_size(c->trials);
	ret = ndr_search(no, bench_trial, c, &c->rx->ndr);
	c->cfg.placement = asked;
	if (!ret)
		c->rx->ran = true;
	return ret;
}

/* Which receivers can run here; says why one that was asked for cannot. */
static void bench_check_receivers(struct bench_args *a, FILE *table)
{
	if (!a->on[BENCH_DPDK])
		return;
	if (!bench_have_dpdk()) {
		a->on[BENCH_DPDK] = false;
		fprintf(table, "dpdk: skipped, dpdk-testpmd is not installed (Debian: "
			       "apt-get install dpdk dpdk-dev)\n");
	} else if (a->queues > 1) {
		a->on[BENCH_DPDK] = false;
		fprintf(table, "dpdk: skipped, DPDK's AF_XDP driver counts only combined "
			       "channels and veth reports none (queue_count > 1 is refused)\n");
	} else if (a->mtu > 3498) {
		a->on[BENCH_DPDK] = false;
		fprintf(table,
			"dpdk: skipped, DPDK 22.11's AF_XDP driver takes one buffer per "
			"frame: an MTU of %u needs multi-buffer\n",
			a->mtu);
	} else if (a->cfg.gen.cpus[0] == a->cfg.rx_cpus[0]) {
		a->on[BENCH_DPDK] = false;
		fprintf(table, "dpdk: skipped, testpmd needs its main lcore off the forwarding "
			       "one (--gen-cpus and --rx-cpus are the same CPU)\n");
	}
}

/* The testbed, warmed up. Every signal that would end the process is
 * blocked first, read nowhere: the running child gets it too and stops,
 * and the loop over receivers sees it pending and cleans up (the children
 * unblock it, spawn()). */
static int bench_testbed_up(const struct bench_args *a, struct testbed *tb, FILE *table)
{
	char err[512] = "";

	if (xdpi_signals_block())
		return -EIO;
	bench_pin_harness(&a->cfg);
	if (testbed_create_mtu(tb, (int)a->queues, a->mtu, err, sizeof(err))) {
		xdpi_err("%s", err);
		return -EIO;
	}
	bench_heading_print(table, tb, &a->cfg, a->search);
	if (bench_warm_up(tb, &a->cfg))
		fprintf(table, "warning: the warm-up run failed; the first trial may lose "
			       "frames a fresh testbed loses\n");
	return 0;
}

/* Each receiver asked for in turn, until a signal arrives. Returns the
 * number of failures (an interruption is one). */
static int bench_receivers_run(const struct bench_args *a, const struct testbed *tb,
			       struct bench_rx *rx, json_t *trials, FILE *table)
{
	struct ndr_opts no;
	int failures = 0;

	ndr_opts_defaults(&no);
	no.max_trials = (int)a->max_trials;
	no.full_rate_only = !a->search;
	for (int g = 0; g < NDR__GOALS; g++) {
		no.goal[g].initial_trial_s = a->cfg.gen.duration;
		no.goal[g].final_trial_s = a->cfg.gen.duration;
		no.goal[g].duration_sum = a->duration_sum;
	}
	for (int r = 0; r < BENCH__RECEIVERS; r++) {
		struct bench_ctx c = {
			.tb = tb,
			.cfg = a->cfg,
			.r = (enum bench_receiver)r,
			.fixed_rate = a->cfg.gen.rate,
			.shortfall = no.shortfall,
			.rx = &rx[r],
			.trials = trials,
			.table = table,
		};

		if (!a->on[r])
			continue;
		if (bench_receiver(&c, &no, a->cfg.placement == BENCH_PLACE_AUTO)) {
			fprintf(table, "%s failed: %s\n", bench_receiver_label(r), c.err);
			failures++;
		}
		if (xdpi_signals_pending()) {
			fprintf(table, "interrupted\n");
			failures++;
			break;
		}
	}
	return failures;
}

/* The traffic of a run: what its rates were measured on. */
static json_t *bench_traffic_json(const struct gen_opts *g)
{
	return json_pack("{s:s, s:I, s:I, s:I}", "proto", gen_proto_name(g->proto), "flows",
			 (json_int_t)g->flows, "src_ips", (json_int_t)(g->src_ips ? g->src_ips : 1),
			 "distinct_tuples", (json_int_t)gen_distinct_tuples(g));
}

static json_t *bench_record_json(const struct bench_args *a, const struct bench_rx *rx,
				 json_t *trials, int failures, double start)
{
	const struct bench_run_info run = {
		.search = a->search,
		.failures = failures,
		.cmdline = a->cmdline,
		.trial_s = a->cfg.gen.duration,
		.start = start,
		.end = report_wall_now(),
	};
	json_t *o = bench_report_json(rx, trials, &run);

	/* The testbed's MTU: what the frame size was measured at. */
	json_object_set_new(o, "mtu", json_integer(a->mtu ? a->mtu : 1500));
	json_object_set_new(o, "traffic", bench_traffic_json(&a->cfg.gen));
	if (a->xdp_cost.runs)
		json_object_set_new(o, "xdp_program_ns",
				    json_pack("{s:f, s:f, s:i}", "steer", a->xdp_cost.plain_ns,
					      "steer_time_stamp", a->xdp_cost.stamped_ns, "runs",
					      (int)a->xdp_cost.runs));
	return o;
}

/* The XDP program's own cost per frame, and what the per-frame time stamp
 * adds to it (bench/xdpcost.h): measured before the testbed runs, said
 * under the table. */
#define BENCH_XDP_COST_RUNS 20000
static void bench_xdp_cost(struct bench_args *a)
{
	char err[256];

	if (xdp_cost_measure(&a->xdp_cost, BENCH_XDP_COST_RUNS, err, sizeof(err)))
		xdpi_warn("cannot time the XDP program: %s", err);
}

static void bench_xdp_cost_print(FILE *out, const struct bench_args *a)
{
	if (!a->xdp_cost.runs)
		return;
	fprintf(out,
		"XDP program per frame (BPF_PROG_TEST_RUN, a 64-byte SYN): %.0f ns, %.0f ns "
		"with\nthe per-frame time stamp (%+.0f ns)\n",
		a->xdp_cost.plain_ns, a->xdp_cost.stamped_ns,
		a->xdp_cost.stamped_ns - a->xdp_cost.plain_ns);
}

static void bench_record_emit(const struct bench_args *a, json_t *o)
{
	char err[512];

	if (a->record && xdpi_record_write(a->record, o, err, sizeof(err)))
		xdpi_err("%s", err);
	if (a->json) {
		json_dumpf(o, stdout, JSON_COMPACT);
		putchar('\n');
	}
}

/* --flow-cases: the traffic of each case, over the options' own. */
enum { FLOW_CASE_ONE, FLOW_CASE_10K, FLOW_CASE_FLOOD, FLOW__CASES };
static const char *const flow_case_names[FLOW__CASES] = {"1-flow", "10k-flows", "flood"};

static void flow_case_traffic(struct bench_args *a, int c)
{
	struct gen_opts *g = &a->cfg.gen;

	g->src_ips = c == FLOW_CASE_FLOOD ? GEN_FLOOD_SRC_IPS : 1;
	g->flows = c == FLOW_CASE_ONE ? 1 : c == FLOW_CASE_10K ? 10000 : XDPI_GEN_MAX_FLOWS;
	/* One flow at least per sender thread (bench_args_check()). */
	if ((int)g->flows < g->ncpus)
		g->flows = (uint32_t)g->ncpus;
}

/* One line a case and receiver: the search's rates (or the full-rate
 * trial's with --quick or --rate), the CPU per frame, and inspect's NDR
 * over the no-flows receiver's. */
static void flow_cases_print(FILE *out, const struct bench_args *a,
			     struct bench_rx (*rx)[BENCH__RECEIVERS], int ncases)
{
	fprintf(out, "\nflow cases%s\n", a->search ? "" : " (one trial each: received Mpps)");
	fprintf(out, "%-10s %-24s %9s %9s %8s %10s\n", "case", "receiver",
		a->search ? "NDR Mpps" : "recv Mpps", a->search ? "PDR Mpps" : "loss", "cpu ns",
		"vs noflows");
	for (int c = 0; c < ncases; c++) {
		const struct bench_rx *nf = &rx[c][BENCH_NOFLOWS];

		for (int r = 0; r < BENCH__RECEIVERS; r++) {
			const struct bench_rx *x = &rx[c][r];
			double v, base;
			char ratio[16] = "";

			if (!x->ran)
				continue;
			v = a->search ? x->ndr.ndr_pps : x->full.recv_pps;
			base = a->search ? nf->ndr.ndr_pps : nf->full.recv_pps;
			if (r != BENCH_NOFLOWS && nf->ran && base > 0)
				snprintf(ratio, sizeof(ratio), "%.2fx", v / base);
			if (a->search)
				fprintf(out, "%-10s %-24s %9.3f %9.3f %8.0f %10s\n",
					flow_case_names[c], bench_receiver_label(r), v / 1e6,
					x->ndr.pdr_pps / 1e6, bench_cpu_ns_per_frame(&x->full),
					ratio);
			else
				fprintf(out, "%-10s %-24s %9.3f %8.2f%% %8.0f %10s\n",
					flow_case_names[c], bench_receiver_label(r), v / 1e6,
					x->full.sent ? 100.0 *
							       (double)(x->full.sent -
									x->full.received) /
							       (double)x->full.sent
						     : 0.0,
					bench_cpu_ns_per_frame(&x->full), ratio);
		}
	}
}

/* The three cases on one testbed; returns the failures. */
static int bench_flow_cases(const struct bench_args *a, const struct testbed *tb, FILE *table,
			    double start, int *bad_ledger)
{
	struct bench_rx rx[FLOW__CASES][BENCH__RECEIVERS];
	json_t *cases = json_array(), *o;
	int failures = 0, ran = 0;

	memset(rx, 0, sizeof(rx));
	for (int c = 0; c < FLOW__CASES && cases; c++) {
		struct bench_args ca = *a;
		json_t *trials = json_array();

		if (!trials)
			break;
		flow_case_traffic(&ca, c);
		fprintf(table, "\ncase %s: %" PRIu64 " distinct flows%s\n", flow_case_names[c],
			gen_distinct_tuples(&ca.cfg.gen),
			c == FLOW_CASE_FLOOD ? " (a new flow every frame)" : "");
		failures += bench_receivers_run(&ca, tb, rx[c], trials, table);
		ran++;
		bench_table_print(table, rx[c], ca.search, gen_size_mean(ca.cfg.gen.size));
		o = bench_record_json(&ca, rx[c], trials, 0, start);
		json_object_set_new(o, "case", json_string(flow_case_names[c]));
		json_array_append_new(cases, o);
		json_decref(trials);
		if (xdpi_signals_pending())
			break;
	}
	flow_cases_print(table, a, rx, ran);
	o = json_pack("{s:o, s:o, s:i, s:s}", "flow_cases", cases ? cases : json_array(), "machine",
		      bench_machine_json(), "failures", failures, "command", a->cmdline);
	if (o && (a->json || a->record))
		bench_record_emit(a, o);
	json_decref(o);
	for (int c = 0; c < FLOW__CASES; c++)
		for (int r = 0; r < BENCH__RECEIVERS; r++) {
			if (rx[c][r].ran && rx[c][r].unexplained)
				*bad_ledger = 1;
			bench_result_free(&rx[c][r].full);
		}
	return failures;
}

static void bench_record(const struct bench_args *a, const struct bench_rx *rx, json_t *trials,
			 int failures, double start, json_t *across)
{
	json_t *o;

	if (!a->json && !a->record)
		return;
	o = bench_record_json(a, rx, trials, failures, start);
	if (o && across)
		json_object_set(o, "across_runs", across);
	bench_record_emit(a, o);
	json_decref(o);
}

/* What makes two runs' figures comparable: the machine, this build, the
 * traffic and every option that changes a figure. */
static json_t *bench_setup_json(const struct bench_args *a)
{
	const struct bench_cfg *c = &a->cfg;
	json_t *gen = json_array(), *rx = json_array();

	for (int i = 0; gen && i < c->gen.ncpus; i++)
		json_array_append_new(gen, json_integer(c->gen.cpus[i]));
	for (int i = 0; rx && i < c->nrx_cpus; i++)
		json_array_append_new(rx, json_integer(c->rx_cpus[i]));
	return json_pack("{s:o, s:s, s:o, s:I, s:I, s:I, s:f, s:f, s:i, s:s, s:o, s:o, s:I, s:I, "
			 "s:I, s:I, s:I, s:b}",
			 "machine", bench_machine_json(), "version", xdpi_version(), "traffic",
			 bench_traffic_json(&c->gen), "size", (json_int_t)c->gen.size, "mtu",
			 (json_int_t)(a->mtu ? a->mtu : 1500), "queues", (json_int_t)a->queues,
			 "trial_s", c->gen.duration, "duration_sum_s", a->duration_sum,
			 "max_trials", (int)a->max_trials, "placement",
			 bench_placement_name(c->placement), "gen_cpus", gen ? gen : json_null(),
			 "rx_cpus", rx ? rx : json_null(), "max_flows", (json_int_t)c->max_flows,
			 "batch", (json_int_t)c->batch, "rx_size", (json_int_t)c->rx_size,
			 "fill_size", (json_int_t)c->fill_size, "frame_size",
			 (json_int_t)c->frame_size, "no_need_wakeup", c->no_need_wakeup);
}

/*
 * This run beside the last ones of its set-up (bench/history.h): their
 * spread and the ranking they all back, printed under the table. The run
 * joins the history when every receiver ran to the end. Returns the
 * record's "across_runs" (NULL: no history kept).
 */
static json_t *bench_across(const struct bench_args *a, const struct bench_rx *rx, bool complete,
			    double start, FILE *table)
{
	struct bench_hist_run runs[BENCH_HISTORY_RUNS];
	struct bench_across across;
	char path[4096], err[4352];
	int n = 0, skipped = 0;
	json_t *setup, *o;

	if (!a->search || a->no_history)
		return NULL;
	if (a->history)
		snprintf(path, sizeof(path), "%s", a->history);
	else if (bench_history_default_path(path, sizeof(path))) {
		xdpi_warn("no history of bench runs: neither XDG_STATE_HOME nor HOME is set "
			  "(--history FILE)");
		return NULL;
	}
	setup = bench_setup_json(a);
	if (!setup) {
		xdpi_err("out of memory");
		return NULL;
	}
	if (bench_history_load(path, setup, runs, BENCH_HISTORY_RUNS - 1, &n, &skipped, err,
			       sizeof(err)))
		xdpi_warn("%s: this run is judged alone", err);
	if (skipped)
		xdpi_warn("%s: %d line%s that are no bench run skipped", path, skipped,
			  skipped == 1 ? "" : "s");
	bench_history_run_of(rx, start, &runs[n++]);
	bench_across_runs(runs, n, &across);
	bench_across_print(table, &across);
	if (n == 1)
		fprintf(table,
			"\nthe first run of this set-up in %s: run again to see whether "
			"its figures repeat\n",
			path);
	o = bench_across_json(&across);
	if (o)
		json_object_set_new(o, "history", json_string(path));
	if (!complete)
		fprintf(table, "not added to %s: a receiver did not run to the end\n", path);
	else if (bench_history_append(path, setup, &runs[n - 1], err, sizeof(err)))
		xdpi_warn("%s", err);
	json_decref(setup);
	return o;
}

int cmd_bench(int argc, char **argv)
{
	struct bench_rx rx[BENCH__RECEIVERS] = {0};
	struct bench_args a;
	struct testbed tb = {0};
	json_t *trials, *across;
	int ret, failures;
	double start;
	FILE *table;

	ret = bench_parse(argc, argv, &a);
	if (ret)
		return ret > 0 ? XDPI_EXIT_OK : XDPI_EXIT_USAGE;
	if (xdpi_check_privileges())
		return XDPI_EXIT_FAIL;
	/* Written at the end: refused now, not after the whole benchmark. */
	if (xdpi_outputs_check(&a.record, 1))
		return XDPI_EXIT_FAIL;
	table = a.json ? stderr : stdout;
	start = report_wall_now();
	bench_check_receivers(&a, table);
	bench_xdp_cost(&a);
	trials = json_array();
	if (!trials) {
		xdpi_err("out of memory");
		return XDPI_EXIT_FAIL;
	}
	if (bench_testbed_up(&a, &tb, table)) {
		json_decref(trials);
		return XDPI_EXIT_FAIL;
	}
	if (a.flow_cases) {
		int bad_ledger = 0;

		failures = bench_flow_cases(&a, &tb, table, start, &bad_ledger);
		testbed_destroy(&tb);
		json_decref(trials);
		return failures || bad_ledger ? XDPI_EXIT_FAIL : XDPI_EXIT_OK;
	}
	failures = bench_receivers_run(&a, &tb, rx, trials, table);
	testbed_destroy(&tb);

	bench_table_print(table, rx, a.search, gen_size_mean(a.cfg.gen.size));
	across = bench_across(&a, rx, !failures && !xdpi_signals_pending(), start, table);
	bench_xdp_cost_print(table, &a);
	bench_ledger_print(table, rx);
	bench_record(&a, rx, trials, failures, start, across);
	json_decref(across);
	ret = failures ? XDPI_EXIT_FAIL : XDPI_EXIT_OK;
	for (int r = 0; r < BENCH__RECEIVERS; r++) {
		if (rx[r].ran && rx[r].unexplained)
			ret = XDPI_EXIT_FAIL;
		bench_result_free(&rx[r].full);
	}
	json_decref(trials);
	return ret;
}
