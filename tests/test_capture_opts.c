// SPDX-License-Identifier: MIT
/*
 * Unit tests of the capture options (capture/options.[ch]), the one table
 * `xdpi live` parses and `xdpi bench`/`xdpi tune` write receivers' argv
 * from: every option parses to its field, bad values are refused, and
 * capture_opts_write() gives arguments that parse back to the same
 * options (so what bench starts is what it meant).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "capture/options.h"
#include "inspect/detect_groups.h"

#define TEST(name) static void name(void **state __attribute__((unused)))
#define EQ(a, b) assert_int_equal((a), (b))
/* A getopt value no capture option has: nothing to explain. */
#define OPT_UNKNOWN_TO_THE_TABLE 9999

/* Parses @args (NULL-terminated, without the command name) as `xdpi live`
 * does, with the flow and exporter options after the capture's. Returns 0,
 * or the first negative result. */
static int parse(struct capture_opts *o, const char *const *args)
{
	char *argv[64] = {"live"};
	const struct opttab *t = capture_opttab();
	int argc = 1, c, ret;

	for (; *args; args++)
		argv[argc++] = (char *)*args;
	capture_opts_defaults(o);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, t->shorts, t->longs, NULL)) != -1) {
		if (c == '?' || c == ':')
			return -2;
		ret = capture_opts_parse_opt(o, c, optarg);
		if (ret <= 0)
			return ret < 0 ? ret : -3;
	}
	if (optind < argc)
		o->ifname = argv[optind];
	return 0;
}

TEST(defaults)
{
	struct capture_opts o;

	capture_opts_defaults(&o);
	assert_string_equal(o.filter, "tcp");
	EQ(o.batch, 64);
	assert_true(o.inspect);
	assert_false(o.check_seq);
	assert_false(o.takeover); /* the guard is on unless asked */
	EQ(o.sender_clock, CAPTURE_CLOCK_AUTO);
	assert_true(o.interval == 1.0);
	assert_true(o.duration == 0);
	EQ(o.idle_spin_us, 1000);
	EQ(o.xsk.frame_size, 2048);
	EQ(o.xsk.rx_size, 16384);
	assert_true(o.xsk.busy_poll);
	assert_true(o.xsk.need_wakeup);
	assert_false(o.passive);
	EQ(o.snaplen, 512);
	EQ(o.ring_size, 4 << 20);
}

TEST(each_option_sets_its_field)
{
	struct capture_opts o;

	EQ(parse(&o,
		 (const char *[]){"-f", "udp", "-b", "128", "--queues", "0,2-3", "--cpus", "1",
				  "-c", "5000", "-w", "out.pcapng", "-q", "-s", "128", "x", NULL}),
	   0);
	/* a word pcap-filter knows is its expression (issue 31) */
	assert_string_equal(o.filter, "(udp)");
	EQ(o.batch, 128);
	EQ(o.nqueues, 3);
	EQ(o.queues[0], 0);
	EQ(o.queues[1], 2);
	EQ(o.queues[2], 3);
	EQ(o.ncpus, 1);
	EQ(o.cpus[0], 1);
	EQ(o.count, 5000);
	assert_string_equal(o.write, "out.pcapng");
	assert_true(o.quiet);
	EQ(o.snaplen, 128);
	assert_string_equal(o.ifname, "x");
	EQ(parse(&o, (const char *[]){"-i", "xdpi-d", NULL}), 0);
	assert_string_equal(o.ifname, "xdpi-d");
	assert_false(o.takeover);
	EQ(parse(&o,
		 (const char *[]){"--no-inspect", "--ceiling", "--no-busy-poll", "--no-need-wakeup",
				  "--force", "--takeover", "-j", "-v", NULL}),
	   0);
	assert_false(o.inspect);
	assert_true(o.ceiling);
	assert_false(o.xsk.busy_poll);
	assert_false(o.xsk.need_wakeup);
	assert_true(o.force && o.takeover && o.json && o.verbose);
	EQ(parse(&o, (const char *[]){"--mode",
				      "copy",
				      "--xdp-mode",
				      "skb",
				      "--frame-size",
				      "4096",
				      "--fill-size",
				      "1024",
				      "--comp-size",
				      "512",
				      "--rx-size",
				      "256",
				      "--busy-poll-usecs",
				      "7",
				      "--idle-spin-us",
				      "0",
				      "-d",
				      "2.5",
				      "--interval",
				      "0",
				      "--record",
				      "f.json",
				      NULL}),
	   0);
	EQ(o.xsk.mode, XDPI_XSK_MODE_COPY);
	EQ(o.xdp_mode, STEER_XDP_SKB);
	EQ(o.xsk.frame_size, 4096);
	EQ(o.xsk.fill_size, 1024);
	EQ(o.xsk.comp_size, 512);
	EQ(o.xsk.rx_size, 256);
	EQ(o.xsk.busy_poll_usecs, 7);
	EQ(o.idle_spin_us, 0);
	assert_true(o.duration == 2.5);
	assert_true(o.interval == 0);
	assert_string_equal(o.record, "f.json");
	assert_null(o.user);
	assert_false(o.keep_privileges);
	EQ(parse(&o, (const char *[]){"--user", "nobody", "--keep-privileges", NULL}), 0);
	assert_string_equal(o.user, "nobody");
	assert_true(o.keep_privileges);
	EQ(parse(&o, (const char *[]){"--check-seq", "--sender-clock", "synced", NULL}), 0);
	assert_true(o.check_seq);
	EQ(o.sender_clock, CAPTURE_CLOCK_SYNCED);
	EQ(parse(&o, (const char *[]){"--sender-clock=local", NULL}), 0);
	EQ(o.sender_clock, CAPTURE_CLOCK_LOCAL);
	EQ(parse(&o, (const char *[]){"--sender-clock", "unsynced", NULL}), 0);
	EQ(o.sender_clock, CAPTURE_CLOCK_UNSYNCED);
	EQ(parse(&o, (const char *[]){"--sender-clock", "auto", NULL}), 0);
	EQ(o.sender_clock, CAPTURE_CLOCK_AUTO);
}

TEST(bad_values_refused)
{
	static const char *const bad[][3] = {
		{"-f", "tcp port x"},
		{"-f", "tcp["},
		{"-f", "ip6 protochain 6"}, /* a backward jump */
		{"-b", "0"},
		{"-b", "4097"},
		{"-b", "0x40"},
		{"--queues", "1,,2"},
		{"--queues", "3-1"},
		{"--queues", "256"},
		{"--cpus", "+1"},
		{"-c", "0"},
		{"-c", "x"},
		{"-c", "18446744073709551616"},
		{"--mode", "fast"},
		{"--xdp-mode", "hw"},
		{"-d", "nan"},
		{"-d", "1e-13"},
		{"--interval", "-1"},
		{"--rx-size", "-5"},
		{"--busy-poll-usecs", "1000001"},
		{"--idle-spin-us", "x"},
		{"--snaplen", "63"},
		{"--snaplen", "65536"},
		{"--ring-size", "5000"},
		{"--ring-size", "2048"},
		{"--sender-clock", "ntp"},
		{"--sender-clock", ""},
	};
	struct capture_opts o;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *args[] = {bad[i][0], bad[i][1], NULL};

		if (parse(&o, args) != -EINVAL)
			fail_msg("%s %s was accepted", bad[i][0], bad[i][1]);
	}
}

/* --filter takes an expression the XDP program can run (a word pcap-filter
 * knows, `udp`, is libpcap's expression: "(udp)"; `all` is every frame);
 * --proto the built-in classes by name; what --filter cannot run is
 * explained: libpcap's message, or the interpreter's. */
TEST(filter_expressions)
{
	static const char *const good[][2] = {{"tcp", "(tcp)"},
					      {"udp", "(udp)"},
					      {" ip ", "(ip)"},
					      {"all", "all"},
					      {"sctp", "sctp"},
					      {"tcp port 443", "tcp port 443"},
					      {"vlan and tcp", "vlan and tcp"},
					      {"not arp", "not arp"},
					      {"(tcp)", "(tcp)"}};
	static const char *const protos[] = {"tcp", "udp", "ip", "all"};
	char err[512], longer[2048] = "ip6 host 2001:db8::ff";
	struct capture_opts o;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		if (parse(&o, (const char *[]){"--filter", good[i][0], NULL}))
			fail_msg("--filter '%s' was refused", good[i][0]);
		assert_string_equal(o.filter, good[i][1]);
		EQ(capture_opts_explain('f', good[i][0], err, sizeof(err)), 0);
	}
	for (size_t i = 0; i < 4; i++) {
		EQ(parse(&o, (const char *[]){"--proto", protos[i], NULL}), 0);
		assert_string_equal(o.filter, protos[i]);
	}
	/* the last of --proto and --filter counts */
	EQ(parse(&o, (const char *[]){"--proto", "udp", "--filter", "udp", NULL}), 0);
	assert_string_equal(o.filter, "(udp)");
	EQ(parse(&o, (const char *[]){"--filter", "udp", "--proto", "udp", NULL}), 0);
	assert_string_equal(o.filter, "udp");
	EQ(parse(&o, (const char *[]){"--proto", "sctp", NULL}), -EINVAL);
	EQ(capture_opts_explain('f', "tcp port x", err, sizeof(err)), 1);
	assert_non_null(strstr(err, "unknown port 'x'"));
	EQ(capture_opts_explain('f', "ip6 protochain 6", err, sizeof(err)), 1);
	assert_non_null(strstr(err, "backwards"));
	/* 20 IPv6 hosts: about 350 instructions, over the 256 the program runs */
	for (int i = 1; i <= 20; i++)
		snprintf(longer + strlen(longer), sizeof(longer) - strlen(longer),
			 " or ip6 host 2001:db8::%d", i);
	EQ(parse(&o, (const char *[]){"--filter", longer, NULL}), -EINVAL);
	EQ(capture_opts_explain('f', longer, err, sizeof(err)), 1);
	assert_non_null(strstr(err, "the XDP program runs at most 256"));
	EQ(capture_opts_explain('b', "0", err, sizeof(err)), 1); /* the range */
	assert_string_equal(err, "1..4096");
	EQ(capture_opts_explain(OPT_UNKNOWN_TO_THE_TABLE, "0", err, sizeof(err)), 0);
}

TEST(check_catches_combinations)
{
	struct capture_opts o;
	char err[256] = "";

	capture_opts_defaults(&o);
	EQ(capture_opts_check(&o, err, sizeof(err)), -EINVAL); /* no interface */
	o.ifname = "xdpi-d";
	EQ(capture_opts_check(&o, err, sizeof(err)), 0);
	o.check_seq = true;
	o.inspect = false;
	EQ(capture_opts_check(&o, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "--check-seq"));
	capture_opts_defaults(&o);
	o.ifname = "xdpi-d";
	o.sender_clock = CAPTURE_CLOCK_SYNCED; /* without --check-seq */
	EQ(capture_opts_check(&o, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "--sender-clock"));
	o.check_seq = true;
	EQ(capture_opts_check(&o, err, sizeof(err)), 0);
	capture_opts_defaults(&o);
	o.ifname = "xdpi-d";
	o.user = "nobody";
	EQ(capture_opts_check(&o, err, sizeof(err)), 0);
	o.keep_privileges = true;
	EQ(capture_opts_check(&o, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "--user drops privileges, --keep-privileges keeps them"));
	capture_opts_defaults(&o);
	o.ifname = "xdpi-d";
	o.xsk.rx_size = 1000; /* not a power of two */
	EQ(capture_opts_check(&o, err, sizeof(err)), -EINVAL);
	capture_opts_defaults(&o);
	o.ifname = "xdpi-d";
	o.passive = o.ceiling = true;
	EQ(capture_opts_check(&o, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "--passive"));
	/* A ring must hold one whole copy: a record is the snap length, its
	 * 16-byte header and the kernel's 8, rounded up to 8, and the kernel
	 * takes one only if it is shorter than the ring (issue 31; 4072 in
	 * 4096 was tried on the testbed: every such copy failed). */
	capture_opts_defaults(&o);
	o.ifname = "xdpi-d";
	o.passive = true;
	o.snaplen = 65535;
	o.ring_size = 65536;
	EQ(capture_opts_check(&o, err, sizeof(err)), -EINVAL);
	assert_string_equal(err,
			    "--ring-size 65536 cannot hold one copy of --snaplen 65535 "
			    "(65560 bytes with its headers): give at least --ring-size 131072");
	o.ring_size = 131072;
	EQ(capture_opts_check(&o, err, sizeof(err)), 0);
	o.snaplen = 4064; /* 4088 bytes: the longest a 4096-byte ring takes */
	o.ring_size = 4096;
	EQ(capture_opts_check(&o, err, sizeof(err)), 0);
	o.snaplen = 4065; /* 4096 bytes */
	EQ(capture_opts_check(&o, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "give at least --ring-size 8192"));
	o.passive = false; /* steering has no ring */
	EQ(capture_opts_check(&o, err, sizeof(err)), 0);
}

struct argv_buf {
	char *v[64];
	int n;
};

static void push(void *ctx, const char *arg)
{
	struct argv_buf *a = ctx;

	assert_true(a->n < 63);
	a->v[a->n++] = strdup(arg);
	a->v[a->n] = NULL;
}

static void argv_free(struct argv_buf *a)
{
	for (int i = 0; i < a->n; i++)
		free(a->v[i]);
	a->n = 0;
}

/* What capture_opts_write() writes parses back to the same options, field by field. */
static void round_trip(const struct capture_opts *in)
{
	struct argv_buf a = {0};
	struct capture_opts out;

	capture_opts_write(in, 0, push, &a);
	EQ(parse(&out, (const char *const *)a.v), 0);
	assert_string_equal(out.filter, in->filter);
	assert_int_equal(out.xdp_mode, in->xdp_mode);
	assert_memory_equal(&out.xsk, &in->xsk, sizeof(in->xsk));
	EQ(out.batch, in->batch);
	EQ(out.nqueues, in->nqueues);
	assert_memory_equal(out.queues, in->queues, sizeof(int) * (size_t)in->nqueues);
	EQ(out.ncpus, in->ncpus);
	assert_memory_equal(out.cpus, in->cpus, sizeof(int) * (size_t)in->ncpus);
	EQ(out.idle_spin_us, in->idle_spin_us);
	EQ(out.inspect, in->inspect);
	EQ(out.check_seq, in->check_seq);
	EQ(out.sender_clock, in->sender_clock);
	EQ(out.ceiling, in->ceiling);
	EQ(out.force, in->force);
	EQ(out.passive, in->passive);
	EQ(out.snaplen, in->snaplen);
	EQ(out.ring_size, in->ring_size);
	EQ(out.takeover, in->takeover);
	assert_true(out.duration == in->duration);
	assert_true(out.interval == in->interval);
	EQ(out.count, in->count);
	EQ(out.quiet, in->quiet);
	if (in->write)
		assert_string_equal(out.write, in->write);
	else
		assert_null(out.write);
	EQ(out.json, in->json);
	EQ(out.verbose, in->verbose);
	if (in->record)
		assert_string_equal(out.record, in->record);
	else
		assert_null(out.record);
	if (in->user)
		assert_string_equal(out.user, in->user);
	else
		assert_null(out.user);
	EQ(out.keep_privileges, in->keep_privileges);
	if (in->flows.ipfix)
		assert_string_equal(out.flows.ipfix, in->flows.ipfix);
	else
		assert_null(out.flows.ipfix);
	assert_true(out.flows.ipfix_active_timeout == in->flows.ipfix_active_timeout);
	EQ(out.flows.ipfix_domain, in->flows.ipfix_domain);
	EQ(out.flows.ipfix_alerts, in->flows.ipfix_alerts);
	EQ(out.flows.no_detect, in->flows.no_detect);
	EQ(out.flows.detect_max_entries, in->flows.detect_max_entries);
	assert_memory_equal(&out.flows.detect, &in->flows.detect, sizeof(in->flows.detect));
	if (in->flows.on_alert)
		assert_string_equal(out.flows.on_alert, in->flows.on_alert);
	else
		assert_null(out.flows.on_alert);
	if (in->flows.host_groups)
		assert_string_equal(out.flows.host_groups, in->flows.host_groups);
	else
		assert_null(out.flows.host_groups);
	if (in->ifname)
		assert_string_equal(out.ifname, in->ifname);
	argv_free(&a);
}

TEST(write_round_trips)
{
	struct capture_opts o;
	struct argv_buf a = {0};

	/* Defaults: nothing to say. */
	capture_opts_defaults(&o);
	capture_opts_write(&o, 0, push, &a);
	EQ(a.n, 0);
	round_trip(&o);

	o.ifname = "xdpi-d";
	o.filter = "udp port 9 or vlan and tcp";
	round_trip(&o);
	o.filter = "(udp)";
	round_trip(&o);
	o.filter = "udp"; /* --proto udp */
	round_trip(&o);
	o.filter = "udp port 9 or vlan and tcp";
	o.interval = 0;
	o.duration = 0.25;
	o.json = true;
	o.cpus[0] = 1;
	o.cpus[1] = 0;
	o.ncpus = 2;
	o.queues[0] = 3;
	o.nqueues = 1;
	o.batch = 256;
	o.xsk.rx_size = 16384;
	o.xsk.fill_size = 4096;
	o.xsk.frame_size = 4096;
	o.xsk.busy_poll = false;
	o.xsk.need_wakeup = false;
	o.xsk.mode = XDPI_XSK_MODE_COPY;
	o.xdp_mode = STEER_XDP_NATIVE;
	o.check_seq = true;
	o.sender_clock = CAPTURE_CLOCK_UNSYNCED;
	o.idle_spin_us = 0;
	o.count = 7;
	o.write = "/tmp/w.pcapng";
	o.quiet = true;
	o.record = "/tmp/r.json";
	o.user = "nobody";
	round_trip(&o);

	capture_opts_defaults(&o);
	o.inspect = false;
	o.ceiling = true;
	o.force = true;
	o.passive = true;
	o.snaplen = 128;
	o.ring_size = 1 << 16;
	o.takeover = true;
	o.keep_privileges = true;
	o.verbose = true;
	o.duration = 10000000; /* the largest --duration: plain decimal, no exponent */
	o.interval = 0.001;
	round_trip(&o);

	capture_opts_defaults(&o);
	o.flows.ipfix = "[::1]:4739";
	o.flows.ipfix_active_timeout = 30.5;
	o.flows.ipfix_domain = 4000000000u;
	o.flows.ipfix_alerts = true;
	round_trip(&o);

	/* an interface named like an option (found by fuzz_options): after
	 * "--", not parsed as -i with the value "x" */
	capture_opts_defaults(&o);
	o.ifname = "-ix";
	round_trip(&o);
	o.ifname = "--json";
	round_trip(&o);

	/* every queue and every CPU: lists longer than the 512 bytes they
	 * were once cut to (found by fuzz_options) */
	capture_opts_defaults(&o);
	o.ifname = "xdpi-d";
	o.nqueues = XDPI_MAX_QUEUES;
	for (int i = 0; i < XDPI_MAX_QUEUES; i++)
		o.queues[i] = XDPI_MAX_QUEUES - 1 - i; /* descending: no run to shorten */
	o.ncpus = 3;
	o.cpus[0] = 4;
	o.cpus[1] = 5;
	o.cpus[2] = 7;
	round_trip(&o);
	{
		struct argv_buf lists = {0};

		/* runs of three or more as ranges, pairs and singles as they are */
		o.nqueues = 7;
		memcpy(o.queues, (int[]){0, 1, 2, 3, 5, 6, 9}, 7 * sizeof(int));
		capture_opts_write(&o, 0, push, &lists);
		EQ(lists.n, 5);
		assert_string_equal(lists.v[0], "--queues");
		assert_string_equal(lists.v[1], "0-3,5,6,9");
		assert_string_equal(lists.v[3], "4,5,7");
		argv_free(&lists);
	}
}

/* The names capture_opts_write() writes are the table's: --help is the command's. */
TEST(write_spells_options_from_the_table)
{
	struct capture_opts o;
	struct argv_buf a = {0};

	capture_opts_defaults(&o);
	o.inspect = false;
	o.batch = 32;
	capture_opts_write(&o, 0, push, &a);
	EQ(a.n, 3);
	assert_string_equal(a.v[0], "--no-inspect");
	assert_string_equal(a.v[1], "--batch");
	assert_string_equal(a.v[2], "32");
	argv_free(&a);
	capture_opts_defaults(&o);
	o.takeover = true;
	o.ifname = "xdpi-d";
	capture_opts_write(&o, 0, push, &a);
	EQ(a.n, 2);
	assert_string_equal(a.v[0], "--takeover");
	assert_string_equal(a.v[1], "xdpi-d");
	argv_free(&a);
	/* Every size, defaults included, in the table's order. */
	capture_opts_defaults(&o);
	o.xsk.rx_size = 2048;
	capture_opts_write(&o, CAPTURE_WRITE_SIZES, push, &a);
	EQ(a.n, 8);
	assert_string_equal(a.v[0], "--batch");
	assert_string_equal(a.v[1], "64");
	assert_string_equal(a.v[2], "--frame-size");
	assert_string_equal(a.v[3], "2048");
	assert_string_equal(a.v[4], "--fill-size");
	assert_string_equal(a.v[5], "16384");
	assert_string_equal(a.v[6], "--rx-size");
	assert_string_equal(a.v[7], "2048");
	argv_free(&a);
}

/* Every detection threshold by option, and back through capture_opts_write(). */
TEST(detect_options)
{
	static const char *const args[] = {"--no-detect",
					   "--detect-window",
					   "0.5",
					   "--detect-hold",
					   "2",
					   "--detect-max-entries",
					   "4096",
					   "--syn-flood-rate",
					   "250",
					   "--syn-flood-ratio",
					   "0.25",
					   "--syn-flood-half-open",
					   "777",
					   "--scan-window",
					   "60",
					   "--port-scan-ports",
					   "20",
					   "--address-scan-hosts",
					   "30",
					   "--attempt-timeout",
					   "3",
					   "--volumetric-pps",
					   "5000",
					   "--volumetric-mbps",
					   "250",
					   "--volumetric-flows",
					   "0",
					   "--volumetric-deviations",
					   "4",
					   "--volumetric-warmup",
					   "120",
					   "--volumetric-min-pps",
					   "50",
					   "--on-alert",
					   "logger -t xdpi",
					   "--host-groups",
					   "dns 198.18.0.53,2001:db8::53 volumetric-mbps=10",
					   NULL};
	static const char *const bad[][3] = {
		{"--syn-flood-ratio", "1.5", NULL},
		{"--port-scan-ports", "1", NULL},
		{"--detect-window", "0", NULL},
		{"--syn-flood-rate", "0", NULL},
		{"--detect-max-entries", "10", NULL},
		{"--host-groups", "a 10.0.0.0/8 syn-flood-ratio=2", NULL},
		{"--host-groups", "a 10.0.0.0/8 scan-window=3", NULL}};
	const struct detect_thresholds *th;
	struct capture_opts o;

	EQ(parse(&o, args), 0);
	th = &o.flows.detect;
	assert_true(o.flows.no_detect);
	EQ(o.flows.detect_max_entries, 4096);
	assert_true(th->window_s == 0.5 && th->hold_s == 2 && th->syn_rate == 250);
	assert_true(th->syn_ratio == 0.25 && th->syn_half_open == 777);
	assert_true(th->scan_window_s == 60 && th->port_scan_ports == 20);
	assert_true(th->addr_scan_hosts == 30 && th->attempt_timeout_s == 3);
	assert_true(th->vol_pps == 5000 && th->vol_bps == 250e6 && th->vol_flows == 0);
	assert_true(th->vol_deviations == 4 && th->vol_warmup_s == 120);
	assert_true(th->vol_baseline_min_pps == 50);
	assert_string_equal(o.flows.on_alert, "logger -t xdpi");
	EQ(detect_thresholds_check(th), 0);
	/* A group starts from the final thresholds; its keys go through the
	 * options (megabits in, bits per second out). */
	{
		struct detect_groups *gs;
		char err[256];

		EQ(capture_host_groups(&o.flows, &gs, err, sizeof(err)), 0);
		assert_non_null(gs);
		EQ(gs->n, 1);
		EQ(gs->np, 2);
		assert_true(gs->g[0].th.vol_bps == 10e6 && gs->g[0].th.vol_pps == 5000);
		assert_true(gs->g[0].th.syn_half_open == 777);
		free(gs);
	}
	round_trip(&o);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		EQ(parse(&o, bad[i]), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(defaults),
		cmocka_unit_test(each_option_sets_its_field),
		cmocka_unit_test(bad_values_refused),
		cmocka_unit_test(filter_expressions),
		cmocka_unit_test(check_catches_combinations),
		cmocka_unit_test(write_round_trips),
		cmocka_unit_test(detect_options),
		cmocka_unit_test(write_spells_options_from_the_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
