// SPDX-License-Identifier: MIT
/*
 * xdpi bench: the one-command benchmark. Builds a veth testbed, sends the
 * same generated traffic to four receivers one after the other (in-kernel
 * XDP drop ceiling, xdpi live, xdpi live --no-inspect, AF_PACKET), prints
 * one table of ratios measured in this run, and removes the testbed.
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
#include "ledger.h"
#include "../bench/benchrun.h"

static void bench_usage(FILE *out)
{
	fprintf(out,
		"Usage: xdpi bench [OPTIONS]\n\n"
		"Creates a veth testbed (namespaces xdpi-gen-*, xdpi-dut-*), sends the\n"
		"same `xdpi gen` traffic to each receiver in turn and compares them in\n"
		"one table: (a) the in-kernel ceiling (xdpi's XDP program counting and\n"
		"dropping), (b) xdpi live with full inspection, (c) xdpi live\n"
		"--no-inspect, (d) AF_PACKET capture through libpcap. Then the drop\n"
		"ledger of (b). Everything it creates is removed at the end.\n\n"
		"Options:\n"
		"  -d, --duration S     seconds of traffic per receiver (default 10)\n"
		"  -s, --size N         frame size on the wire, 64..1518 or imix (default 64)\n"
		"  -p, --proto P        tcp-syn (default), tcp-data, udp\n"
		"  -F, --flows N        flows (default 1)\n"
		"  -r, --rate PPS       generator rate (default: as fast as it goes)\n"
		"  -q, --queues N       veth queues (default 1)\n"
		"      --gen-cpus LIST  generator threads' CPUs (default 0)\n"
		"      --rx-cpus LIST   receive workers' CPUs (default 1, or the last CPU)\n"
		"      --placement P    where the receive NAPI work runs: auto (default:\n"
		"                       busy polling for xdpi, threaded NAPI on the rx CPU\n"
		"                       for the ceiling and AF_PACKET), busy-poll,\n"
		"                       threaded, sender (softirq on the generator's CPU)\n"
		"      --receivers LIST which to run, e.g. ceiling,inspect (default all:\n"
		"                       ceiling,inspect,noinspect,af_packet)\n"
		"      --check-seq      verify the generator's sequence numbers in (b)\n"
		"  -j, --json           one JSON object on stdout (the table goes to stderr)\n"
		"      --record FILE    also write the JSON record to FILE\n"
		"  -h, --help           this text\n");
}

enum { OPT_GEN_CPUS = 256, OPT_RX_CPUS, OPT_PLACEMENT, OPT_RECEIVERS, OPT_CHECK_SEQ, OPT_RECORD };

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
	static const char *const labels[] = {"in-kernel XDP drop (ceiling)",
					     "xdpi live (full inspection)",
					     "xdpi live --no-inspect", "AF_PACKET (libpcap)"};

	return labels[r];
}

int cmd_bench(int argc, char **argv)
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
		{"json", no_argument, NULL, 'j'},
		{"record", required_argument, NULL, OPT_RECORD},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	struct bench_result res[BENCH__RECEIVERS] = {0};
	bool on[BENCH__RECEIVERS] = {true, true, true, true}, ran[BENCH__RECEIVERS] = {0};
	struct bench_cfg cfg = {0};
	struct testbed tb = {0};
	const char *record = NULL;
	uint32_t queues = 1;
	char err[256] = "", cmdline[1024] = "";
	bool json = false;
	int c, v, ret = XDPI_EXIT_FAIL, failures = 0;
	FILE *table;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	sigset_t mask;

	gen_opts_defaults(&cfg.gen);
	cfg.gen.duration = 10;
	cfg.gen.cpus[0] = 0;
	cfg.gen.ncpus = 1;
	cfg.rx_cpus[0] = ncpu > 1 ? 1 : 0;
	cfg.nrx_cpus = 1;
	for (int i = 0; i < argc; i++)
		snprintf(cmdline + strlen(cmdline), sizeof(cmdline) - strlen(cmdline), "%s%s",
			 i ? " " : "xdpi ", argv[i]);

	optind = 1;
	while ((c = getopt_long(argc, argv, "d:s:p:F:r:q:jh", opts, NULL)) != -1) {
		v = xdpi_parse_traffic_opt(c, optarg, &cfg.gen);
		if (v < 0)
			goto bad;
		if (v)
			continue;
		switch (c) {
		case 'd':
			if (xdpi_parse_seconds(optarg, &cfg.gen.duration) || cfg.gen.duration < 1)
				goto bad;
			break;
		case 'q':
			if (xdpi_parse_u32(optarg, 1, 64, &queues))
				goto bad;
			break;
		case OPT_GEN_CPUS:
			cfg.gen.ncpus =
				xdpi_parse_list(optarg, cfg.gen.cpus, GEN_MAX_THREADS, (int)ncpu);
			if (cfg.gen.ncpus < 0)
				goto bad;
			break;
		case OPT_RX_CPUS:
			cfg.nrx_cpus =
				xdpi_parse_list(optarg, cfg.rx_cpus, GEN_MAX_THREADS, (int)ncpu);
			if (cfg.nrx_cpus < 0)
				goto bad;
			break;
		case OPT_PLACEMENT:
			v = bench_placement_parse(optarg);
			if (v < 0)
				goto bad;
			cfg.placement = (enum bench_placement)v;
			break;
		case OPT_RECEIVERS:
			if (parse_receivers(optarg, on))
				goto bad;
			break;
		case OPT_CHECK_SEQ:
			cfg.check_seq = true;
			break;
		case 'j':
			json = true;
			break;
		case OPT_RECORD:
			record = optarg;
			break;
		case 'h':
			bench_usage(stdout);
			return XDPI_EXIT_OK;
		default:
			bench_usage(stderr);
			return XDPI_EXIT_USAGE;
		}
	}
	if (optind != argc) {
		xdpi_err("bench takes no arguments besides options (see 'xdpi bench --help')");
		return XDPI_EXIT_USAGE;
	}
	if ((int)cfg.gen.flows < cfg.gen.ncpus)
		cfg.gen.flows = (uint32_t)cfg.gen.ncpus;
	if (cfg.nrx_cpus < (int)queues) {
		xdpi_err("%u queues need %u CPUs in --rx-cpus", queues, queues);
		return XDPI_EXIT_USAGE;
	}
	cfg.gen.ifname = "xdpi-g";
	if (xdpi_check_privileges())
		return XDPI_EXIT_FAIL;
	table = json ? stderr : stdout;

	/* Ctrl-C: the running child gets it too and stops; we then clean up.
	 * Blocked here, read nowhere: the children unblock it (spawn()). */
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigprocmask(SIG_BLOCK, &mask, NULL);

	if (testbed_create(&tb, (int)queues, err, sizeof(err))) {
		xdpi_err("%s", err);
		return XDPI_EXIT_FAIL;
	}
	fprintf(table,
		"xdpi bench: veth testbed %s <-> %s, %u queue%s; %s frames of %s, %u flow%s, "
		"%.0f s per receiver, %s; generator on CPU %d, receiver on CPU %d\n",
		tb.gen_ns, tb.dut_ns, queues, queues == 1 ? "" : "s", gen_proto_name(cfg.gen.proto),
		cfg.gen.size == GEN_IMIX ? "imix" : "64+", cfg.gen.flows,
		cfg.gen.flows == 1 ? "" : "s", cfg.gen.duration,
		cfg.gen.rate ? "rate-limited" : "at full rate", cfg.gen.cpus[0], cfg.rx_cpus[0]);
	if (cfg.gen.size != GEN_IMIX)
		fprintf(table, "frame size %u bytes on the wire\n", cfg.gen.size);

	for (int r = 0; r < BENCH__RECEIVERS; r++) {
		sigset_t pending;

		if (!on[r])
			continue;
		fprintf(table, "running %-30s ...", receiver_label(r));
		fflush(table);
		if (bench_run(&tb, &cfg, r, &res[r])) {
			fprintf(table, " failed: %s\n", res[r].err);
			failures++;
		} else {
			fprintf(table, " %.0f pps\n", res[r].recv_pps);
			ran[r] = true;
		}
		sigpending(&pending);
		if (sigismember(&pending, SIGINT) || sigismember(&pending, SIGTERM)) {
			fprintf(table, "interrupted\n");
			failures++;
			break;
		}
	}
	testbed_destroy(&tb);

	double ceiling = ran[BENCH_CEILING] ? res[BENCH_CEILING].recv_pps : 0;

	fprintf(table, "\n%-30s %12s %12s %9s %9s %9s %9s  %s\n", "receiver", "sent pps",
		"recv pps", "vs ceil", "loss", "rx busy", "gen busy", "NAPI placement");
	for (int r = 0; r < BENCH__RECEIVERS; r++) {
		struct bench_result *b = &res[r];

		if (!ran[r])
			continue;
		fprintf(table, "%-30s %12.0f %12.0f %8.3f %8.2f%% %8.1f%% %8.1f%%  %s\n",
			receiver_label(r), b->sent_pps, b->recv_pps,
			ceiling > 0 ? b->recv_pps / ceiling : 0.0,
			b->sent ? 100.0 * (1.0 - (double)b->received / (double)b->sent) : 0.0,
			100 * b->rx_busy, 100 * b->gen_busy, b->placement);
	}
	for (int r = 0; r < BENCH__RECEIVERS; r++)
		if (ran[r] && res[r].veth_refused)
			fprintf(table,
				"%s: %" PRIu64 " of the lost frames were refused by the veth ring "
				"before any XDP program saw them\n",
				receiver_label(r), res[r].veth_refused);
	if (ran[BENCH_INSPECT]) {
		struct ledger l;

		if (!ledger_from_json(json_object_get(res[BENCH_INSPECT].receiver_json, "ledger"),
				      &l)) {
			fprintf(table, "\nLedger of xdpi live (full inspection):");
			ledger_print(table, &l);
			ledger_free(&l);
		}
	}

	if (json || record) {
		json_t *o = json_object(), *runs = json_object(), *busy = json_object();
		char date[64];
		time_t now = time(NULL);
		int64_t unexplained = 0;

		strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
		for (int r = 0; r < BENCH__RECEIVERS; r++) {
			struct bench_result *b = &res[r];
			char key[32];

			if (!ran[r])
				continue;
			snprintf(key, sizeof(key), "%s_pps",
				 r == BENCH_CEILING ? "ceiling" : bench_receiver_name(r));
			json_object_set_new(o, key, json_real(b->recv_pps));
			json_object_set_new(busy, bench_receiver_name(r), json_real(b->rx_busy));
			unexplained += b->unexplained;
			json_object_set_new(
				runs, bench_receiver_name(r),
				json_pack("{s:I, s:I, s:I, s:f, s:f, s:f, s:f, s:s, s:I, s:I, s:O}",
					  "sent", (json_int_t)b->sent, "received",
					  (json_int_t)b->received, "veth_refused",
					  (json_int_t)b->veth_refused, "seconds", b->seconds,
					  "recv_pps", b->recv_pps, "rx_busy", b->rx_busy,
					  "gen_busy", b->gen_busy, "placement", b->placement,
					  "unexplained", (json_int_t)b->unexplained, "socket_drops",
					  (json_int_t)b->socket_drops, "receiver",
					  b->receiver_json ? b->receiver_json : json_null()));
		}
		/* The offered load of the inspecting run, the one the ratios are
		 * about; each run's own is in "runs". */
		for (int r = BENCH_INSPECT, k = 0; k < BENCH__RECEIVERS;
		     k++, r = (r + 1) % BENCH__RECEIVERS)
			if (ran[r]) {
				json_object_set_new(o, "sent_pps", json_real(res[r].sent_pps));
				break;
			}
		json_object_set_new(o, "unexplained", json_integer(unexplained));
		json_object_set_new(o, "rx_core_busy", busy);
		json_object_set_new(o, "runs", runs);
		json_object_set_new(o, "machine", bench_machine_json());
		json_object_set_new(o, "date", json_string(date));
		json_object_set_new(o, "command", json_string(cmdline));
		json_object_set_new(o, "failures", json_integer(failures));
		if (record && json_dump_file(o, record, JSON_INDENT(1)))
			xdpi_err("cannot write %s", record);
		if (json) {
			json_dumpf(o, stdout, JSON_COMPACT);
			putchar('\n');
		}
		json_decref(o);
	}
	ret = failures ? XDPI_EXIT_FAIL : XDPI_EXIT_OK;
	for (int r = 0; r < BENCH__RECEIVERS; r++) {
		if (ran[r] && res[r].unexplained)
			ret = XDPI_EXIT_FAIL;
		bench_result_free(&res[r]);
	}
	return ret;
bad:
	xdpi_err("invalid value '%s' for option %s (see 'xdpi bench --help')", optarg,
		 xdpi_opt_name(argv, optarg));
	return XDPI_EXIT_USAGE;
}
