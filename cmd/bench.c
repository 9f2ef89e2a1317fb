// SPDX-License-Identifier: MIT
/*
 * xdpi bench: the one-command benchmark. Builds a veth testbed and, for each
 * receiver in turn (the in-kernel XDP drop ceiling, xdpi live, xdpi live
 * --no-inspect, AF_PACKET, and DPDK's AF_XDP driver when testpmd is
 * installed), measures the loss at the generator's full rate and searches
 * the no-drop rate (NDR) and the partial-drop rate (PDR, loss <= 0.1%) with
 * few trials (bench/ndr.h). Every trial checks that the generator offered
 * the rate asked for; one that fell short is retried or marked invalid and
 * never counted. One table of figures measured in this run, then the
 * testbed is removed.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "../bench/benchrun.h"
#include "../bench/ndr.h"
#include "../capture/ledger.h"
#include "../export/ledger_report.h"

/* Above this share of the ceiling's NDR another receiver's NDR is beyond
 * noise, and the ceiling was not one. */
#define BENCH_CEILING_NOISE 1.05

static void bench_usage(FILE *out)
{
	fprintf(out,
		"Usage: xdpi bench [OPTIONS]\n\n"
		"Creates a veth testbed (namespaces xdpi-gen-*, xdpi-dut-*) and, for each\n"
		"receiver, measures its loss at the generator's full rate and searches its\n"
		"no-drop rate (NDR: zero loss over a trial) and partial-drop rate (PDR:\n"
		"loss at most 0.1%%) with the same `xdpi gen` traffic: (a) the in-kernel\n"
		"ceiling (xdpi's XDP program counting and dropping; the best of two NAPI\n"
		"placements), (b) xdpi live with full inspection, (c) xdpi live\n"
		"--no-inspect, (d) AF_PACKET capture through libpcap, (e) dpdk-testpmd\n"
		"rxonly over DPDK's AF_XDP driver, when installed. A trial in which the\n"
		"generator fell more than 1%% short of the rate asked for is retried,\n"
		"then marked invalid, and never counted. Everything it creates is\n"
		"removed at the end.\n\n"
		"Options:\n"
		"  -d, --duration S     seconds of traffic per trial (default 2)\n"
		"      --quick          one trial per receiver at full rate, no search\n"
		"      --max-trials N   search trials per receiver after the full-rate\n"
		"                       one, retries included (default 8)\n"
		"  -s, --size N         frame size on the wire, 64..1518 or imix (default 64)\n"
		"  -p, --proto P        tcp-syn (default), tcp-data, udp\n"
		"  -F, --flows N        flows (default 1)\n"
		"  -r, --rate PPS       one trial per receiver at this rate, no search\n"
		"  -q, --queues N       veth queues (default 1)\n"
		"      --gen-cpus LIST  generator threads' CPUs (default 0)\n"
		"      --rx-cpus LIST   receive workers' CPUs (default 1, or the last CPU)\n"
		"      --placement P    where the receive NAPI work runs: auto (default:\n"
		"                       every receiver with its own defaults, the ceiling\n"
		"                       the best of sender and threaded), busy-poll,\n"
		"                       threaded (NAPI kthread pinned to the rx CPU),\n"
		"                       sender (softirq on the generator's CPU)\n"
		"      --receivers LIST which to run, e.g. ceiling,inspect (default all:\n"
		"                       ceiling,inspect,noinspect,af_packet,dpdk)\n"
		"      --check-seq      verify the generator's sequence numbers in (b)\n"
		"  -j, --json           one JSON object on stdout (the table goes to stderr)\n"
		"      --record FILE    also write the JSON record to FILE\n"
		"  -h, --help           this text\n");
}

enum {
	OPT_GEN_CPUS = 256,
	OPT_RX_CPUS,
	OPT_PLACEMENT,
	OPT_RECEIVERS,
	OPT_CHECK_SEQ,
	OPT_RECORD,
	OPT_QUICK,
	OPT_MAX_TRIALS,
};

static int parse_receivers(const char *s, bool *on)
{
	char buf[128], *tok, *save;

	snprintf(buf, sizeof(buf), "%s", s);
	for (int r = 0; r < BENCH__RECEIVERS; r++)
		on[r] = false;
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int r;

		for (r = 0; r < BENCH__RECEIVERS; r++)
			if (!strcmp(tok, bench_receiver_name(r)))
				break;
		if (r == BENCH__RECEIVERS)
			return -EINVAL;
		on[r] = true;
	}
	return 0;
}

static const char *receiver_label(enum bench_receiver r)
{
	static const char *const labels[] = {"ceiling (XDP drop)", "xdpi live (inspect)",
					     "xdpi live --no-inspect", "AF_PACKET (libpcap)",
					     "DPDK testpmd af_xdp"};

	return labels[r];
}

/* One receiver's measurements in this run. */
struct bench_rx {
	bool ran;
	struct ndr_result ndr;
	struct bench_result full; /* the full-rate (or --rate) trial, kept whole */
	const char *placement;
	int64_t unexplained; /* summed over every trial */
};

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

static json_t *trial_json(const struct bench_ctx *c, const struct bench_result *b,
			  const struct ndr_trial *t)
{
	return json_pack("{s:s, s:s, s:f, s:f, s:I, s:I, s:f, s:b, s:I, s:I, s:I}", "receiver",
			 bench_receiver_name(c->r), "placement", b->placement, "requested_pps",
			 t->requested_pps, "achieved_pps", t->achieved_pps, "sent",
			 (json_int_t)t->sent, "received", (json_int_t)t->received, "loss", t->loss,
			 "valid", t->valid, "fell_behind", (json_int_t)b->fell_behind,
			 "veth_refused", (json_int_t)b->veth_refused, "unexplained",
			 (json_int_t)b->unexplained);
}

/* ndr_trial_fn: one bench_run at @rate (0: full rate, or --rate). */
static int bench_trial(void *ctx, double rate, struct ndr_trial *t)
{
	struct bench_ctx *c = ctx;
	struct bench_cfg cfg = c->cfg;
	struct bench_result res;
	int ret;

	cfg.gen.rate = rate > 0 ? (uint64_t)rate : c->fixed_rate;
	ret = bench_run(c->tb, &cfg, c->r, &res);
	if (ret) {
		snprintf(c->err, sizeof(c->err), "%s", res.err);
		bench_result_free(&res);
		return ret;
	}
	memset(t, 0, sizeof(*t));
	t->requested_pps = (double)cfg.gen.rate;
	t->achieved_pps = res.sent_pps;
	t->sent = res.sent;
	t->received = res.received;
	t->loss = res.sent && res.received < res.sent
			  ? 1.0 - (double)res.received / (double)res.sent
			  : 0.0;
	t->valid = ndr_trial_valid(t, c->shortfall);
	c->rx->unexplained += res.unexplained;
	json_array_append_new(c->trials, trial_json(c, &res, t));
	fprintf(c->table, "  %-22s %-9s %9s %8.3f Mpps offered, loss %7.4f%%%s\n",
		receiver_label(c->r), res.placement, cfg.gen.rate ? "" : "full rate",
		t->achieved_pps / 1e6, 100 * t->loss,
		t->valid ? "" : "  (generator short: invalid)");
	fflush(c->table);
	if (!rate && !c->rx->full.receiver_json) {
		c->rx->full = res; /* kept: the table's "runs" entry */
		c->rx->placement = res.placement;
	} else {
		bench_result_free(&res);
	}
	return 0;
}

/* The ceiling is the best the kernel does: its full-rate trial in both
 * placements that need no socket, the better one kept for the search. */
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
			struct ndr_trial t = {.requested_pps = (double)c->cfg.gen.rate,
					      .achieved_pps = res.sent_pps,
					      .sent = res.sent,
					      .received = res.received,
					      .valid = true};

			t.loss = res.sent && res.received < res.sent
					 ? 1.0 - (double)res.received / (double)res.sent
					 : 0;
			json_array_append_new(c->trials, trial_json(c, &res, &t));
			fprintf(c->table,
				"  %-22s %-9s full rate %8.3f Mpps received (placement trial)\n",
				receiver_label(BENCH_CEILING), res.placement, res.recv_pps / 1e6);
			if (res.recv_pps > best_pps) {
				best_pps = res.recv_pps;
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
	ret = ndr_search(no, bench_trial, c, &c->rx->ndr);
	c->cfg.placement = asked;
	if (!ret)
		c->rx->ran = true;
	return ret;
}

static void bench_print_table(FILE *out, const struct bench_rx *rx, bool search)
{
	const struct bench_rx *ceil = &rx[BENCH_CEILING];

	fprintf(out, "\n%-23s %8s %8s %6s | %15s %7s  %s\n", "receiver", search ? "NDR" : "",
		search ? "PDR" : "", search ? "/ceil" : "", "full rate: recv", "loss", "placement");
	fprintf(out, "%-23s %8s %8s %6s | %15s %7s\n", "", search ? "Mpps" : "",
		search ? "Mpps" : "", "", "Mpps", "");
	for (int r = 0; r < BENCH__RECEIVERS; r++) {
		const struct bench_rx *b = &rx[r];
		char ndr[16] = "", pdr[16] = "", ratio[16] = "";

		if (!b->ran)
			continue;
		if (search) {
			snprintf(ndr, sizeof(ndr), "%.3f%s", b->ndr.ndr_pps / 1e6,
				 b->ndr.gen_limited ? "*" : "");
			snprintf(pdr, sizeof(pdr), "%.3f", b->ndr.pdr_pps / 1e6);
			if (ceil->ran && ceil->ndr.ndr_pps > 0)
				snprintf(ratio, sizeof(ratio), "%.3f",
					 b->ndr.ndr_pps / ceil->ndr.ndr_pps);
		}
		fprintf(out, "%-23s %8s %8s %6s | %15.3f %6.2f%%  %s\n", receiver_label(r), ndr,
			pdr, ratio, b->full.recv_pps / 1e6, 100 * b->ndr.full.loss, b->placement);
	}
	if (search)
		fprintf(out, "* the generator could not offer more with this receiver: its NDR "
			     "may be higher\n");
	for (int r = 0; r < BENCH__RECEIVERS; r++)
		if (rx[r].ran && rx[r].full.veth_refused)
			fprintf(out,
				"%s: %" PRIu64 " frames at full rate were refused by the veth "
				"ring before any XDP program saw them\n",
				receiver_label(r), rx[r].full.veth_refused);
}

/* The ceiling is only one if nothing beats it by more than noise. */
static bool bench_ceiling_valid(const struct bench_rx *rx)
{
	for (int r = 0; r < BENCH__RECEIVERS; r++)
		if (r != BENCH_CEILING && rx[r].ran && rx[BENCH_CEILING].ran &&
		    rx[r].ndr.ndr_pps > BENCH_CEILING_NOISE * rx[BENCH_CEILING].ndr.ndr_pps)
			return false;
	return true;
}

static json_t *bench_json(const struct bench_rx *rx, json_t *trials, bool search, int failures,
			  const char *cmdline, double trial_s)
{
	json_t *o = json_object(), *runs = json_object(), *busy = json_object();
	json_t *ndr = json_object(), *pdr = json_object(), *full = json_object();
	json_t *limited = json_object(), *ratios = json_object();
	const struct bench_rx *ins = &rx[BENCH_INSPECT];
	int64_t unexplained = 0;
	char date[64];
	time_t now = time(NULL);

	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	for (int r = 0; r < BENCH__RECEIVERS; r++) {
		const struct bench_rx *b = &rx[r];
		const char *name = bench_receiver_name(r);
		char key[32];

		if (!b->ran)
			continue;
		snprintf(key, sizeof(key), "%s_pps", name);
		json_object_set_new(o, key, json_real(b->full.recv_pps));
		json_object_set_new(busy, name, json_real(b->full.rx_busy));
		unexplained += b->unexplained;
		json_object_set_new(full, name,
				    json_pack("{s:f, s:f, s:f}", "sent_pps",
					      b->ndr.full.achieved_pps, "received_pps",
					      b->full.recv_pps, "loss", b->ndr.full.loss));
		if (search) {
			json_object_set_new(ndr, name, json_real(b->ndr.ndr_pps));
			json_object_set_new(pdr, name, json_real(b->ndr.pdr_pps));
			json_object_set_new(limited, name, json_boolean(b->ndr.gen_limited));
			if (r != BENCH_INSPECT && ins->ran && b->ndr.ndr_pps > 0) {
				snprintf(key, sizeof(key), "inspect_vs_%s", name);
				json_object_set_new(ratios, key,
						    json_real(ins->ndr.ndr_pps / b->ndr.ndr_pps));
			}
		}
		json_object_set_new(
			runs, name,
			json_pack("{s:I, s:I, s:I, s:f, s:f, s:f, s:f, s:s, s:I, s:I, s:O}", "sent",
				  (json_int_t)b->full.sent, "received",
				  (json_int_t)b->full.received, "veth_refused",
				  (json_int_t)b->full.veth_refused, "seconds", b->full.seconds,
				  "recv_pps", b->full.recv_pps, "rx_busy", b->full.rx_busy,
				  "gen_busy", b->full.gen_busy, "placement", b->full.placement,
				  "unexplained", (json_int_t)b->full.unexplained, "socket_drops",
				  (json_int_t)b->full.socket_drops, "receiver",
				  b->full.receiver_json ? b->full.receiver_json : json_null()));
	}
	/* The offered load of the inspecting run, the one the ratios are about;
	 * each run's own is in "runs". */
	for (int r = BENCH_INSPECT, k = 0; k < BENCH__RECEIVERS;
	     k++, r = (r + 1) % BENCH__RECEIVERS)
		if (rx[r].ran) {
			json_object_set_new(o, "sent_pps", json_real(rx[r].full.sent_pps));
			break;
		}
	if (search) {
		json_object_set_new(o, "ndr_pps", ndr);
		json_object_set_new(o, "pdr_pps", pdr);
		json_object_set_new(o, "gen_limited", limited);
		json_object_set_new(o, "ratios", ratios);
		json_object_set_new(o, "ceiling_valid", json_boolean(bench_ceiling_valid(rx)));
	} else {
		json_decref(ndr);
		json_decref(pdr);
		json_decref(limited);
		json_decref(ratios);
	}
	json_object_set_new(o, "full_rate", full);
	json_object_set_new(o, "trials", json_incref(trials));
	json_object_set_new(o, "trial_seconds", json_real(trial_s));
	json_object_set_new(o, "unexplained", json_integer(unexplained));
	json_object_set_new(o, "rx_core_busy", busy);
	json_object_set_new(o, "runs", runs);
	json_object_set_new(o, "machine", bench_machine_json());
	json_object_set_new(o, "date", json_string(date));
	json_object_set_new(o, "command", json_string(cmdline));
	json_object_set_new(o, "failures", json_integer(failures));
	return o;
}

struct bench_args {
	struct bench_cfg cfg;
	bool on[BENCH__RECEIVERS];
	uint32_t queues;
	bool json, quick;
	const char *record;
	int max_trials;
	char cmdline[1024];
};

/* Returns 0, 1 for --help, or -EINVAL (message printed). */
static int bench_parse(int argc, char **argv, struct bench_args *a)
{
	static const struct option opts[] = {
		XDPI_TRAFFIC_LONG_OPTS,
		{"duration", required_argument, NULL, 'd'},
		{"queues", required_argument, NULL, 'q'},
		{"gen-cpus", required_argument, NULL, OPT_GEN_CPUS},
		{"rx-cpus", required_argument, NULL, OPT_RX_CPUS},
		{"placement", required_argument, NULL, OPT_PLACEMENT},
		{"receivers", required_argument, NULL, OPT_RECEIVERS},
		{"check-seq", no_argument, NULL, OPT_CHECK_SEQ},
		{"quick", no_argument, NULL, OPT_QUICK},
		{"max-trials", required_argument, NULL, OPT_MAX_TRIALS},
		{"json", no_argument, NULL, 'j'},
		{"record", required_argument, NULL, OPT_RECORD},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	uint32_t u;
	int c, v;

	memset(a, 0, sizeof(*a));
	for (int r = 0; r < BENCH__RECEIVERS; r++)
		a->on[r] = true;
	a->queues = 1;
	a->max_trials = 8;
	gen_opts_defaults(&a->cfg.gen);
	a->cfg.gen.duration = 2;
	a->cfg.gen.cpus[0] = 0;
	a->cfg.gen.ncpus = 1;
	a->cfg.rx_cpus[0] = ncpu > 1 ? 1 : 0;
	a->cfg.nrx_cpus = 1;
	for (int i = 0; i < argc; i++)
		snprintf(a->cmdline + strlen(a->cmdline), sizeof(a->cmdline) - strlen(a->cmdline),
			 "%s%s", i ? " " : "xdpi ", argv[i]);

	optind = 1;
	while ((c = getopt_long(argc, argv, "d:s:p:F:r:q:jh", opts, NULL)) != -1) {
		v = xdpi_parse_traffic_opt(c, optarg, &a->cfg.gen);
		if (v < 0)
			goto bad;
		if (v)
			continue;
		switch (c) {
		case 'd':
			if (xdpi_parse_seconds(optarg, &a->cfg.gen.duration) ||
			    a->cfg.gen.duration < 1)
				goto bad;
			break;
		case 'q':
			if (xdpi_parse_u32(optarg, 1, 64, &a->queues))
				goto bad;
			break;
		case OPT_GEN_CPUS:
			a->cfg.gen.ncpus = xdpi_parse_list(optarg, a->cfg.gen.cpus, GEN_MAX_THREADS,
							   (int)ncpu);
			if (a->cfg.gen.ncpus < 0)
				goto bad;
			break;
		case OPT_RX_CPUS:
			a->cfg.nrx_cpus =
				xdpi_parse_list(optarg, a->cfg.rx_cpus, GEN_MAX_THREADS, (int)ncpu);
			if (a->cfg.nrx_cpus < 0)
				goto bad;
			break;
		case OPT_PLACEMENT:
			v = bench_placement_parse(optarg);
			if (v < 0)
				goto bad;
			a->cfg.placement = (enum bench_placement)v;
			break;
		case OPT_RECEIVERS:
			if (parse_receivers(optarg, a->on))
				goto bad;
			break;
		case OPT_CHECK_SEQ:
			a->cfg.check_seq = true;
			break;
		case OPT_QUICK:
			a->quick = true;
			break;
		case OPT_MAX_TRIALS:
			if (xdpi_parse_u32(optarg, 1, 100, &u))
				goto bad;
			a->max_trials = (int)u;
			break;
		case 'j':
			a->json = true;
			break;
		case OPT_RECORD:
			a->record = optarg;
			break;
		case 'h':
			bench_usage(stdout);
			return 1;
		default:
			bench_usage(stderr);
			return -EINVAL;
		}
	}
	if (optind != argc) {
		xdpi_err("bench takes no arguments besides options (see 'xdpi bench --help')");
		return -EINVAL;
	}
	if ((int)a->cfg.gen.flows < a->cfg.gen.ncpus)
		a->cfg.gen.flows = (uint32_t)a->cfg.gen.ncpus;
	if (a->cfg.nrx_cpus < (int)a->queues) {
		xdpi_err("%u queues need %u CPUs in --rx-cpus", a->queues, a->queues);
		return -EINVAL;
	}
	a->cfg.gen.ifname = "xdpi-g";
	return 0;
bad:
	xdpi_err("invalid value '%s' for option %s (see 'xdpi bench --help')", optarg,
		 xdpi_opt_name(argv, optarg));
	return -EINVAL;
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
	} else if (a->cfg.gen.cpus[0] == a->cfg.rx_cpus[0]) {
		a->on[BENCH_DPDK] = false;
		fprintf(table, "dpdk: skipped, testpmd needs its main lcore off the forwarding "
			       "one (--gen-cpus and --rx-cpus are the same CPU)\n");
	}
}

int cmd_bench(int argc, char **argv)
{
	struct bench_rx rx[BENCH__RECEIVERS] = {0};
	struct bench_args a;
	struct testbed tb = {0};
	struct ndr_opts no;
	json_t *trials;
	char err[512] = "";
	int ret, failures = 0;
	bool search;
	FILE *table;
	sigset_t mask;

	ret = bench_parse(argc, argv, &a);
	if (ret)
		return ret > 0 ? XDPI_EXIT_OK : XDPI_EXIT_USAGE;
	if (xdpi_check_privileges())
		return XDPI_EXIT_FAIL;
	table = a.json ? stderr : stdout;
	search = !a.quick && !a.cfg.gen.rate;
	ndr_opts_defaults(&no);
	no.max_trials = a.max_trials;
	no.full_rate_only = !search;
	bench_check_receivers(&a, table);
	trials = json_array();
	if (!trials) {
		xdpi_err("out of memory");
		return XDPI_EXIT_FAIL;
	}

	/* Every signal that would end the process: the running child gets it
	 * too and stops; we then clean up. Blocked here, read nowhere: the
	 * children unblock it (spawn()). */
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGQUIT);
	sigprocmask(SIG_BLOCK, &mask, NULL);

	bench_pin_harness(&a.cfg);
	if (testbed_create(&tb, (int)a.queues, err, sizeof(err))) {
		xdpi_err("%s", err);
		json_decref(trials);
		return XDPI_EXIT_FAIL;
	}
	fprintf(table,
		"xdpi bench: veth testbed %s <-> %s, %u queue%s; %s frames of %s, %u flow%s, "
		"%.0f s per trial, %s; generator on CPU %d, receiver on CPU %d\n",
		tb.gen_ns, tb.dut_ns, a.queues, a.queues == 1 ? "" : "s",
		gen_proto_name(a.cfg.gen.proto), a.cfg.gen.size == GEN_IMIX ? "imix" : "64+",
		a.cfg.gen.flows, a.cfg.gen.flows == 1 ? "" : "s", a.cfg.gen.duration,
		search		 ? "full rate, then the NDR/PDR search"
		: a.cfg.gen.rate ? "one trial at the given rate"
				 : "one trial at full rate",
		a.cfg.gen.cpus[0], a.cfg.rx_cpus[0]);
	if (a.cfg.gen.size != GEN_IMIX)
		fprintf(table, "frame size %u bytes on the wire\n", a.cfg.gen.size);
	if (bench_warm_up(&tb, &a.cfg))
		fprintf(table, "warning: the warm-up run failed; the first trial may lose "
			       "frames a fresh testbed loses\n");

	for (int r = 0; r < BENCH__RECEIVERS; r++) {
		struct bench_ctx c = {
			.tb = &tb,
			.cfg = a.cfg,
			.r = (enum bench_receiver)r,
			.fixed_rate = a.cfg.gen.rate,
			.shortfall = no.shortfall,
			.rx = &rx[r],
			.trials = trials,
			.table = table,
		};
		sigset_t pending;

		if (!a.on[r])
			continue;
		if (bench_receiver(&c, &no, a.cfg.placement == BENCH_PLACE_AUTO)) {
			fprintf(table, "%s failed: %s\n", receiver_label(r), c.err);
			failures++;
		}
		sigpending(&pending);
		if (sigismember(&pending, SIGINT) || sigismember(&pending, SIGTERM) ||
		    sigismember(&pending, SIGHUP) || sigismember(&pending, SIGQUIT)) {
			fprintf(table, "interrupted\n");
			failures++;
			break;
		}
	}
	testbed_destroy(&tb);

	bench_print_table(table, rx, search);
	if (search && !bench_ceiling_valid(rx))
		fprintf(table, "the ceiling is invalid: a receiver's NDR beats it by more than "
			       "noise (5%%)\n");
	if (rx[BENCH_INSPECT].ran) {
		struct ledger l;

		if (!ledger_from_json(
			    json_object_get(rx[BENCH_INSPECT].full.receiver_json, "ledger"), &l)) {
			fprintf(table, "\nLedger of xdpi live (full inspection), full-rate trial:");
			ledger_print(table, &l);
			ledger_free(&l);
		}
	}

	if (a.json || a.record) {
		json_t *o = bench_json(rx, trials, search, failures, a.cmdline, a.cfg.gen.duration);

		if (a.record && json_dump_file(o, a.record, JSON_INDENT(1)))
			xdpi_err("cannot write %s", a.record);
		if (a.json) {
			json_dumpf(o, stdout, JSON_COMPACT);
			putchar('\n');
		}
		json_decref(o);
	}
	ret = failures ? XDPI_EXIT_FAIL : XDPI_EXIT_OK;
	for (int r = 0; r < BENCH__RECEIVERS; r++) {
		if (rx[r].ran && rx[r].unexplained)
			ret = XDPI_EXIT_FAIL;
		bench_result_free(&rx[r].full);
	}
	json_decref(trials);
	return ret;
}
