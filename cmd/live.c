// SPDX-License-Identifier: MIT
/*
 * xdpi live: argv -> capture options -> a run of the engine (capture/run.h:
 * capture_run()) -> the live table, the summary or JSON record, through
 * the hooks below -> exit status.
 *
 * The engine reads the signals and owns SIGHUP's reload policy
 * (capture/reload.h); with --config it asks this command for the options
 * again (live_rebuild()), built from the file and the same argv.
 *
 * The options come from --config FILE first (capture/config.h), then the
 * command line, which wins: live_build() makes them both at start and at
 * each SIGHUP, from the same argv.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "../capture/capture.h"
#include "../capture/config.h"
#include "../capture/run.h"
#include "../sink/ipfix_report.h"
#include "../export/live_report.h"
#include "../export/prom_publish.h"
#include "../export/report.h"

#define LIVE_USAGE "Usage: xdpi live [OPTIONS] [-i] IFACE"

/* What the command does, its two modes and the guard. */
static void live_usage_intro(FILE *out)
{
	fputs("Usage: xdpi live [OPTIONS] [-i] IFACE\n\n"
		"Inspects the wanted frames of every RX queue of IFACE with one pinned\n"
		"worker per queue, prints a live table, and at the end the metrics (as\n"
		"`xdpi read`) and the drop ledger, which accounts for every frame the XDP\n"
		"program handed over (docs/live.md). Two modes:\n"
		"  steering (default)  the wanted frames go to AF_XDP sockets and NOT to\n"
		"                      the host's own stack: the connections they belong\n"
		"                      to (your SSH session too) stall while xdpi runs.\n"
		"                      For a capture port (SPAN/TAP/mirror) or inline use.\n"
		"  --passive           the XDP program copies the first --snaplen bytes\n"
		"                      of each wanted frame to xdpi and passes every\n"
		"                      frame on: the host keeps its traffic.\n"
		"Steering refuses an interface with an address, a default route, your\n"
		"SSH session, a bridge or bond over it, or a VLAN on it (exit 2, saying\n"
		"which); `xdpi interfaces` shows which ones it would refuse.\n"
		"      --takeover        steer such an interface anyway (inline use, a\n"
		"                        capture port that has an address); --ceiling\n"
		"                        drops the frames in XDP and needs it too\n\n",
	      out);
}

static void live_usage(FILE *out)
{
	live_usage_intro(out);
	fprintf(out,
		"Traffic and duration:\n"
		"  -f, --filter F        frames to steer: a pcap-filter expression\n"
		"                        ('tcp port 443', 'udp'), with libpcap's semantics\n"
		"                        as in tcpdump (its udp does not look past VLAN\n"
		"                        tags), run in the XDP program (at most 256\n"
		"                        classic BPF instructions); the rest passes to\n"
		"                        the kernel untouched (docs/live.md)\n"
		"      --proto P         frames to steer by xdpi's own test, which looks\n"
		"                        through two VLAN tags and IPv6 extension\n"
		"                        headers: tcp (the default with no filter), udp,\n"
		"                        ip, all; with --filter, the last one given counts\n"
		"  -i, --interface IFACE the interface (or as the last argument)\n"
		"  -d, --duration S      stop after S seconds (default: at SIGINT/SIGTERM)\n"
		"  -c, --count N         stop once N frames were taken (exactly N: the XDP\n"
		"                        program passes the rest to the kernel)\n"
		"      --no-inspect      receive and return frames without parsing them\n"
		"      --ceiling         no sockets: the XDP program counts and drops the\n"
		"                        wanted frames (the in-kernel ceiling `xdpi bench`\n"
		"                        compares with); the ledger shows them as dropped\n"
		"      --passive         the second mode above\n"
		"  -s, --snaplen N       passive: bytes copied per frame, 64..65535\n"
		"                        (default 512: every header xdpi parses;\n"
		"                        65535: whole frames, jumbo ones too)\n"
		"      --ring-size N     passive: bytes of each queue's ring, a power of\n"
		"                        two from 4096 that holds one copy of --snaplen\n"
		"                        (default 4194304)\n"
		"      --direction D     in (frames received), out (frames sent, copied\n"
		"                        by a tc egress program) or inout; passive only\n"
		"                        but in (default: inout with --passive, else in)\n"
		"      --check-seq       check the stamps of `xdpi gen` traffic and the\n"
		"                        kernel pktgen's header: frames lost, duplicated,\n"
		"                        reordered per flow, and one-way latency\n"
		"                        percentiles where the clocks compare\n"
		"      --sender-clock C  where the senders' clocks are, for the latency:\n"
		"                        auto (default: local on veth, else unsynced),\n"
		"                        local (this host), synced (another host whose\n"
		"                        CLOCK_REALTIME is synchronised: pktgen stamps\n"
		"                        only), unsynced (sequence results only)\n"
		"Queues and workers:\n"
		"      --queues LIST     RX queues, e.g. 0,2-3 (default: all)\n"
		"      --cpus LIST       CPUs to pin the workers to, in queue order\n"
		"                        (default: spread over the CPUs this process may\n"
		"                        use, so taskset and cpusets are respected)\n"
		"  -b, --batch N         descriptors per batch, 1..4096 (default 64)\n"
		"Sockets:\n"
		"      --mode M          auto (default: zero-copy, else copy), zerocopy, copy\n"
		"      --xdp-mode M      auto (default: native, else skb), native, skb\n"
		"      --frame-size N    UMEM frame size: 2048 or 4096 (default 2048)\n"
		"      --max-frame N     the longest frame to receive, Ethernet header\n"
		"                        included, 60..65535 (default: the MTU + 22); a\n"
		"                        frame longer than a UMEM frame holds comes in\n"
		"                        several buffers (multi-buffer, Linux 6.6+)\n"
		"      --no-rx-metadata  do not ask the driver for the stripped VLAN tag,\n"
		"                        RSS hash and receive time (docs/live.md)\n"
		"      --no-frame-times  date frames by batch instead of by the time the\n"
		"                        XDP program saw each one: saves its clock read\n"
		"                        (RTTs and -w times then have the batch's grain)\n"
		"      --keep-offloads   leave the NIC's VLAN tag stripping on: by\n"
		"                        default xdpi turns it off for the run where the\n"
		"                        driver cannot hand XDP the tag, and restores it\n"
		"      --fill-size N     RX frames of the UMEM; the fill ring is twice\n"
		"                        this (default 16384)\n"
		"      --comp-size N     completion ring size (default 2048)\n"
		"      --rx-size N       RX ring size (default 16384); ring sizes are\n"
		"                        powers of two from 64 to 32768\n"
		"      --no-busy-poll    no preferred busy polling. By default a socket\n"
		"                        that has a NAPI to poll busy-polls it from the\n"
		"                        worker's CPU, and xdpi then sets the interface's\n"
		"                        napi_defer_hard_irqs and a gro_flush_timeout\n"
		"                        sized from its ring (restored on exit); a socket\n"
		"                        without one (veth) spins, then sleeps\n"
		"      --busy-poll-usecs N  SO_BUSY_POLL (default 20)\n"
		"      --idle-spin-us N  how long an idle worker spins on its ring before\n"
		"                        it sleeps in poll() (default 1000; 0: at once)\n"
		"      --no-need-wakeup  do not use the need_wakeup flag\n"
		"Output:\n"
		"      --interval S      live table every S seconds (default 1, 0: off)\n"
		"  -w, --write FILE      write the inspected frames as pcapng (one\n"
		"                        interface per queue; - for stdout); a copy a full\n"
		"                        buffer refuses is counted, never waited for\n"
		"  -q, --quiet           no live table and no summary: warnings and\n"
		"                        errors only (what --json, --json-lines,\n"
		"                        --record, -w ask for is still written; the\n"
		"                        exit status still says whether the ledger\n"
		"                        closed)\n"
		"  -j, --json            print one JSON object on stdout at the end (the\n"
		"                        `xdpi read` keys plus queues, ledger and\n"
		"                        nothing_steered); the live table goes to stderr\n"
		"      --connections     one line per connection on stdout as it ends,\n"
		"                        while the run goes on (within a tick of the flow\n"
		"                        table ending it): start, duration, endpoints,\n"
		"                        protocol, packets and bytes each way, in 80\n"
		"                        columns, as `xdpi read --connections`; the table\n"
		"                        and summary go to stderr. With -v every column:\n"
		"                        state and end reason, handshake RTT, SNI or Host\n"
		"      --record FILE     write the same JSON record to FILE at the end\n"
		"                        (replaced; a symbolic link or anything but a\n"
		"                        regular file is refused), for `xdpi compare`\n"
		"      --config FILE     read options from FILE first, one `key = value` a\n"
		"                        line, the keys the long options (docs/config.md);\n"
		"                        the command line wins. With --config or with\n"
		"                        --json-lines to a file, SIGHUP does not stop the\n"
		"                        run: it reopens the JSON-lines file (log\n"
		"                        rotation), re-reads the config and applies what\n"
		"                        can change mid-run\n"
		"      --check-config    parse the config file and the options, print the\n"
		"                        options in effect as a command line, and exit\n"
		"      --force           replace an XDP program libxdp cannot share\n"
		"      --user NAME       after set-up, switch to user NAME (and its group):\n"
		"                        --record and the report are then written as NAME;\n"
		"                        a --json-lines file xdpi makes is NAME's, so that\n"
		"                        NAME can reopen it after a rotation\n"
		"      --keep-privileges keep every capability in every thread; by default\n"
		"                        workers drop all and run under seccomp, and the\n"
		"                        main thread keeps only what teardown needs\n"
		"                        (docs/live.md, \"Least privilege\")\n"
		"  -v, --verbose         show libxdp's and libbpf's messages; with\n"
		"                        --connections, every column\n"
		"  -h, --help            this text\n\n"
		"%s\n"
		"Exit status: 0 when the run ended cleanly and the ledger closed, 1 on a\n"
		"setup or runtime error or unexplained packets, 2 on a usage error or an\n"
		"interface refused without --takeover.\n",
		capture_flow_opts_help);
}

/* The options of `xdpi live` itself, beyond the capture's tables. */
enum {
	LIVE_OPT_CONFIG = 0x2000,
	LIVE_OPT_CHECK_CONFIG,
};

/* The command line, kept for the run: each SIGHUP builds the options again
 * from --config and from it. */
struct live_args {
	int argc;
	char **argv;
	const char *config; /* --config FILE; NULL: none */
	bool check_config;
	/* The values read from the file, of every generation applied: the
	 * options point into them until the end of the run. */
	struct capture_config *store;
};

/* getopt_long's table and short options of `xdpi live`. */
static void live_getopt_tables(struct option *opts, char *shorts, size_t shorts_len)
{
	size_t n = capture_long_opts_count();

	/* ':' first: getopt's own messages off, ours are three lines. */
	snprintf(shorts, shorts_len, ":%sh", capture_short_opts);
	memcpy(opts, capture_long_opts, n * sizeof(*opts));
	memcpy(opts + n, capture_flow_long_opts, capture_flow_long_opts_count() * sizeof(*opts));
	n += capture_flow_long_opts_count();
	opts[n++] = (struct option){"config", required_argument, NULL, LIVE_OPT_CONFIG};
	opts[n++] = (struct option){"check-config", no_argument, NULL, LIVE_OPT_CHECK_CONFIG};
	opts[n++] = (struct option){"help", no_argument, NULL, 'h'};
	opts[n] = (struct option){0};
}

/* The options of the run: the defaults, then the file of @a, then @a's
 * command line (already checked by live_parse()). 0, or -EINVAL with the
 * reason in @err; *@store receives the file's values (free it on error). */
static int live_build(const struct live_args *a, struct capture_opts *o,
		      struct capture_config **store, char *err, size_t err_len)
{
	struct option opts[CAPTURE_GETOPT_MAX];
	const char *file_ifname;
	char shorts[64];
	int c;

	*store = NULL;
	capture_opts_defaults(o);
	if (a->config) {
		int ret = capture_config_load(a->config, o, store, err, err_len);

		if (ret)
			return ret == -ENOMEM ? ret : -EINVAL;
	}
	/* An interface on the command line wins over the file's. */
	file_ifname = o->ifname;
	o->ifname = NULL;
	live_getopt_tables(opts, shorts, sizeof(shorts));
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(a->argc, a->argv, shorts, opts, NULL)) != -1) {
		if (c == LIVE_OPT_CONFIG || c == LIVE_OPT_CHECK_CONFIG)
			continue;
		if (c == 'h' || c == '?' || c == ':' || capture_opts_parse_opt(o, c, optarg) < 0) {
			snprintf(err, err_len, "the command line changed under us");
			return -EINVAL;
		}
	}
	if (optind == a->argc - 1 && (!o->ifname || !strcmp(o->ifname, a->argv[optind])))
		o->ifname = a->argv[optind];
	else if (optind != a->argc)
		o->ifname = NULL;
	else if (!o->ifname)
		o->ifname = file_ifname;
	if (!o->ifname) {
		snprintf(err, err_len,
			 "live takes exactly one IFACE, as -i IFACE or the last argument%s",
			 a->config ? " (or interface = IFACE in the config file)" : "");
		return -EINVAL;
	}
	/* -q: no table, whatever --interval says. */
	if (o->quiet)
		o->interval = 0;
	return 0;
}

/* Returns 0, 1 after --help, or -EINVAL after a usage error (said). On 0,
 * @o holds the options and a->store the file's values. */
static int live_parse(int argc, char **argv, struct capture_opts *o, struct live_args *a)
{
	struct option opts[CAPTURE_GETOPT_MAX];
	char err[768], shorts[64];
	int c, ret;

	*a = (struct live_args){.argc = argc, .argv = argv};
	live_getopt_tables(opts, shorts, sizeof(shorts));
	capture_opts_defaults(o);
	optind = 1;
	opterr = 0;
	/* Pass 1: the command line alone, every error said; --config found. */
	while ((c = getopt_long(argc, argv, shorts, opts, NULL)) != -1) {
		if (c == 'h') {
			live_usage(stdout);
			return 1;
		}
		if (c == '?' || c == ':') {
			xdpi_usage_getopt(LIVE_USAGE, argv, c, opts);
			return -EINVAL;
		}
		if (c == LIVE_OPT_CONFIG) {
			a->config = optarg;
			continue;
		}
		if (c == LIVE_OPT_CHECK_CONFIG) {
			a->check_config = true;
			continue;
		}
		ret = capture_opts_parse_opt(o, c, optarg);
		if (ret < 0) {
			char why[512], quoted[256];
			bool known = capture_opts_explain(c, optarg, why, sizeof(why));

			if (c == 'f') /* libpcap's message says more than a list */
				xdpi_usage_error(
					LIVE_USAGE,
					"invalid filter '%s': %s (valid: a pcap-filter "
					"expression; xdpi's classes are --proto tcp|udp|ip|all)",
					xdpi_quote_short(optarg, quoted, sizeof(quoted)),
					known ? why : "not a filter");
			else
				xdpi_usage_bad_value(LIVE_USAGE, argv, optarg, known ? why : NULL);
			return -EINVAL;
		}
	}
	/* Pass 2: the file, then the command line over it. */
	ret = live_build(a, o, &a->store, err, sizeof(err));
	if (ret) {
		xdpi_usage_error(LIVE_USAGE, "%s", err);
		return -EINVAL;
	}
	if ((o->check_seq && !o->inspect) || (o->sender_clock && !o->check_seq) ||
	    (!o->passive && capture_direction_of(o) != CAPTURE_DIR_IN)) {
		capture_opts_check(o, err, sizeof(err));
		xdpi_usage_error(LIVE_USAGE, "%s", err);
		return -EINVAL;
	}
	/* Its conflicts (stdout, the flow table) are usage errors, as in
	 * `xdpi read --connections`. */
	if (o->connections && capture_opts_check(o, err, sizeof(err))) {
		xdpi_usage_error(LIVE_USAGE, "%s", err);
		return -EINVAL;
	}
	return 0;
}

/* --check-config: one argument of the command line in effect, quoted for
 * a shell where it must be. */
static void check_config_push(void *ctx, const char *arg)
{
	FILE *out = ctx;

	if (*arg && strspn(arg, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				"0123456789_./:,=@%+-[]") == strlen(arg)) {
		fprintf(out, " %s", arg);
		return;
	}
	fputs(" '", out);
	for (const char *p = arg; *p; p++)
		if (*p == '\'')
			fputs("'\\''", out);
		else
			fputc(*p, out);
	fputc('\'', out);
}

/* --check-config: what no single option can check, then the options. */
static int live_check_config(const struct capture_opts *o)
{
	char err[256];

	if (capture_opts_check(o, err, sizeof(err))) {
		xdpi_usage_error(LIVE_USAGE, "%s", err);
		return -EINVAL;
	}
	fputs("xdpi live", stdout);
	capture_opts_to_argv(o, 0, check_config_push, stdout);
	fputc('\n', stdout);
	return 0;
}

/* The table and the summary: on stdout unless the JSON lines or the
 * connections are. */
static FILE *live_text_out(const struct capture_opts *o)
{
	return o->connections || (o->flows.json_lines && !strcmp(o->flows.json_lines, "-"))
		       ? stderr
		       : stdout;
}

/* The renderer's side of the run (capture/run.h's hooks): the options as
 * the run applies them, what made them, and the live table. */
struct live_view {
	struct capture_opts *o;
	struct live_args *a;
	struct live_table table;
};

static int live_open(void *ctx, struct capture *c)
{
	struct live_view *v = ctx;
	int ret = live_table_init(&v->table, v->o->json ? stderr : live_text_out(v->o), c, 0);

	if (ret)
		xdpi_err("out of memory");
	v->table.jsonl = capture_jsonl(c);
	return ret;
}

static void live_begin(void *ctx, double started)
{
	struct live_view *v = ctx;

	v->table.started = v->table.prev_time = started;
}

static void live_header(void *ctx)
{
	live_table_header(&((struct live_view *)ctx)->table);
}

static void live_row(void *ctx, const struct capture *c, double now)
{
	live_table_row(&((struct live_view *)ctx)->table, c, now);
}

/* SIGHUP with --config: the options from the file and the same argv. */
static int live_rebuild(void *ctx, struct capture_opts *n, struct capture_config **store, char *err,
			size_t err_len)
{
	return live_build(((struct live_view *)ctx)->a, n, store, err, err_len);
}

/* The record, and the summary or JSON. */
static int live_report(void *ctx, struct capture *c, const struct capture_result *res,
		       const char *stop_reason)
{
	const struct capture_opts *o = ((struct live_view *)ctx)->o;
	json_t *obj = NULL;
	char err[512];
	int ret = 0;

	if (o->json || o->record) {
		obj = live_report_json(o, c, res, stop_reason);
		if (!obj) {
			xdpi_err("cannot build the report: %s", strerror(ENOMEM));
			return -ENOMEM;
		}
	}
	if (o->record && xdpi_record_write(o->record, obj, err, sizeof(err))) {
		xdpi_err("%s", err);
		ret = -EIO;
	}
	if (o->json && report_json_print(stdout, obj))
		ret = -EIO;
	else if (!o->json && !o->quiet)
		live_report_print(live_text_out(o), o, res, stop_reason);
	if (!o->json && !o->quiet && capture_ipfix(c))
		ipfix_report_print(live_text_out(o), capture_ipfix(c));
	json_decref(obj);
	return ret;
}

int cmd_live(int argc, char **argv)
{
	struct capture_opts *o = malloc(sizeof(*o));
	struct live_args a;
	struct live_view v = {.o = o, .a = &a};
	const struct capture_run_hooks hooks = {
		.ctx = &v,
		.open = live_open,
		.begin = live_begin,
		.header = live_header,
		.row = live_row,
		.publish = prom_publish_capture,
		.rebuild = live_rebuild,
		.report = live_report,
	};
	int ret;

	if (!o) {
		xdpi_err("out of memory");
		return XDPI_EXIT_FAIL;
	}
	ret = live_parse(argc, argv, o, &a);
	if (!ret && a.check_config)
		ret = live_check_config(o) ? -EINVAL : 1;
	if (ret) {
		capture_config_free(a.store);
		free(o);
		return ret > 0 ? XDPI_EXIT_OK : XDPI_EXIT_USAGE;
	}
	if (o->verbose)
		xdpi_log_set_level(XDPI_LOG_DEBUG);
	if (o->quiet)
		xdpi_log_set_level(XDPI_LOG_WARN);
	ret = capture_run(&(const struct capture_run_config){
		.o = o, .config = a.config, .store = &a.store, .hooks = &hooks});
	live_table_free(&v.table);
	/* After the capture is closed: its options point into the file's text. */
	capture_config_free(a.store);
	free(o);
	if (ret == -GUARD_REFUSED)
		return XDPI_EXIT_USAGE; /* refused by policy: nothing was attached */
	return ret ? XDPI_EXIT_FAIL : XDPI_EXIT_OK;
}
