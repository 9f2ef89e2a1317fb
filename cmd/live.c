// SPDX-License-Identifier: MIT
/*
 * xdpi live: argv -> capture options -> a capture run (capture/capture.h)
 * -> the live table, the summary or JSON record -> exit status.
 *
 * Signals (util/signals.h) are blocked before the capture starts its
 * threads and read by this thread, which is also the reporter: SIGINT,
 * SIGTERM and SIGQUIT end the run through the one ordered stop and
 * teardown; SIGHUP too, unless the run has something to reload (--config,
 * or --json-lines to a file): then it reopens the JSON-lines file and
 * re-reads the file (live_reload()), here too, between two reports: no
 * handler, nothing done in signal context.
 *
 * The options come from --config FILE first (capture/config.h), then the
 * command line, which wins: live_build() makes them both at start and at
 * each SIGHUP, from the same argv.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "../capture/capture.h"
#include "../capture/config.h"
#include "../capture/privdrop.h"
#include "../capture/reload.h"
#include "../sink/conn_log.h"
#include "../sink/ipfix_report.h"
#include "../sink/jsonl.h"
#include "../export/live_report.h"
#include "../export/prom_publish.h"
#include "../export/report.h"
#include "../util/sandbox.h"
#include "../util/signals.h"

#define LIVE_USAGE "Usage: xdpi live [OPTIONS] [-i] IFACE"

/* The options of `xdpi live` itself, beyond the capture's rows. */
enum {
	LIVE_OPT_CONFIG = 0x2000,
	LIVE_OPT_CHECK_CONFIG,
	LIVE_OPT_HELP_MAN,
};

/* The command's table: the capture's rows (capture/options.h), its own
 * three, then the flow rows; --help-man prints its man page section. */
static const struct opttab_row live_rows[] = {
	{OPTTAB_INCLUDE, .include = capture_run_rows},
	{OPTTAB_ACTION, "config", .id = LIVE_OPT_CONFIG, .metavar = "FILE",
	 .help = "read options from FILE first, one `key = value` a line, the keys the long "
		 "options (docs/config.md); the command line wins. With --config or with "
		 "--json-lines to a file, SIGHUP does not stop the run: it reopens the "
		 "JSON-lines file (log rotation), re-reads the config and applies what can "
		 "change mid-run"},
	{OPTTAB_ACTION, "check-config", .id = LIVE_OPT_CHECK_CONFIG,
	 .help = "parse the config file and the options, print the options in effect as a "
		 "command line, and exit"},
	{OPTTAB_ACTION, "help", 'h', .help = "this text"},
	{OPTTAB_ACTION, "help-man", .id = LIVE_OPT_HELP_MAN, .flags = OPTTAB_HIDDEN},
	{OPTTAB_INCLUDE, .off = offsetof(struct capture_opts, flows), .include = capture_flow_rows},
	{OPTTAB_END},
};

static struct opttab live_tab;

/* --help-man: the OPTIONS of docs/man/xdpi-live.8.scd as the table has
 * them (tests/t_opttab.sh compares). */
static void live_usage_man(FILE *out)
{
	opttab_man(&live_tab, out);
}

static void live_usage(FILE *out)
{
	fputs("Usage: xdpi live [OPTIONS] [-i] IFACE\n\n"
	      "Inspects the wanted frames of every RX queue of IFACE with one pinned\n"
	      "worker per queue, prints a live table, and at the end the metrics (as\n"
	      "`xdpi read`) and the drop ledger, which accounts for every frame the XDP\n"
	      "program handed over (docs/live.md). By default (steering) the wanted\n"
	      "frames go to AF_XDP sockets and NOT to the host's own stack: the\n"
	      "connections they belong to (your SSH session too) stall while xdpi runs;\n"
	      "for a capture port (SPAN/TAP/mirror) or inline use. --passive copies\n"
	      "them instead. Steering refuses an interface with an address, a default\n"
	      "route, your SSH session, a bridge or bond over it, or a VLAN on it (exit\n"
	      "2, saying which) unless --takeover; `xdpi interfaces` shows which ones.\n\n",
	      out);
	opttab_help(&live_tab, out);
	fputs("\nExit status: 0 when the run ended cleanly and the ledger closed, 1 on a\n"
	      "setup or runtime error or unexplained packets, 2 on a usage error or an\n"
	      "interface refused without --takeover.\n",
	      out);
}

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

/* The options of the run: the defaults, then the file of @a, then @a's
 * command line (already checked by live_parse()). 0, or -EINVAL with the
 * reason in @err; *@store receives the file's values (free it on error). */
static int live_build(const struct live_args *a, struct capture_opts *o,
		      struct capture_config **store, char *err, size_t err_len)
{
	const char *file_ifname;
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
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(a->argc, a->argv, live_tab.shorts, live_tab.longs, NULL)) != -1) {
		if (c == LIVE_OPT_CONFIG || c == LIVE_OPT_CHECK_CONFIG)
			continue;
		if (opttab_parse_opt(&live_tab, o, c, optarg) <= 0) {
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
	char err[768];
	int c, ret;

	*a = (struct live_args){.argc = argc, .argv = argv};
	if (opttab_init(&live_tab, live_rows)) {
		xdpi_err("the option table of live is malformed");
		return -EINVAL;
	}
	capture_opts_defaults(o);
	optind = 1;
	opterr = 0;
	/* Pass 1: the command line alone, every error said; --config found. */
	while ((c = getopt_long(argc, argv, live_tab.shorts, live_tab.longs, NULL)) != -1) {
		if (c == 'h' || c == LIVE_OPT_HELP_MAN) {
			(c == 'h' ? live_usage : live_usage_man)(stdout);
			return 1;
		}
		if (c == '?' || c == ':') {
			xdpi_usage_getopt(LIVE_USAGE, argv, c, live_tab.longs);
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
		ret = opttab_parse_opt(&live_tab, o, c, optarg);
		if (ret < 0) {
			char why[512], quoted[256];
			bool known = opttab_explain(&live_tab, c, optarg, why, sizeof(why));

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
	capture_opts_write(o, 0, check_config_push, stdout);
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

/* What SIGHUP may change: the run's options (as applied so far), what
 * made them, and the run it applies them to. */
struct live_state {
	struct capture_opts *o;
	struct live_args *a;
	struct capture *c;
};

/* SIGHUP (capture/reload.h): the JSON-lines file reopened; with --config,
 * the options built again from the file and the command line, and what
 * changed applied where it can be mid-run. A file that does not parse
 * changes nothing. */
static void live_reload(struct live_state *ls)
{
	struct capture_opts *o = ls->o, *n;
	struct capture_config *store = NULL;
	char err[768];

	capture_reload_reopen(ls->c, o);
	if (!ls->a->config)
		return;
	n = malloc(sizeof(*n));
	if (!n) {
		xdpi_err("SIGHUP: out of memory; keeping the previous settings");
		return;
	}
	if (live_build(ls->a, n, &store, err, sizeof(err))) {
		xdpi_err("SIGHUP: %s; keeping the previous settings", err);
		goto out;
	}
	if (capture_reload_apply(ls->c, o, n, ls->a->config)) {
		capture_config_adopt(store, ls->a->store);
		ls->a->store = store;
		store = NULL;
	}
out:
	capture_config_free(store);
	free(n);
}

/* Reports until the duration ends or a stop signal comes; returns why it
 * ended. *@fault is set when the run cannot go on (the interface went
 * away): the report still follows, and the exit status says it failed. */
static const char *live_loop(struct live_state *ls, int sigfd, struct live_table *t, int *fault)
{
	const struct capture_opts *o = ls->o;
	struct capture *c = ls->c;
	double deadline = o->duration > 0 ? t->started + o->duration : 0;
	double next = o->interval > 0 ? t->started + o->interval : 0;
	double next_prom = 0; /* --prometheus: once a second, whatever the table does */

	if (next)
		live_table_header(t);
	for (;;) {
		struct pollfd pfd = {.fd = sigfd, .events = POLLIN};
		double now, wake, interval;
		int timeout, signo;

		/* --connections: what ended since the last pass, at most a
		 * tick (CAPTURE_TICK_MS) after the call_rcu thread queued it. */
		conn_log_drain(capture_conn_log(c));
		if (conn_log_failed(capture_conn_log(c))) {
			/* `| head`: what would follow has nowhere to go. */
			xdpi_err("--connections: cannot write to standard output (%s): stopping",
				 strerror(errno ? errno : EIO));
			*fault = -EPIPE;
			return "output closed";
		}
		now = xdpi_now();

		if (deadline && now >= deadline)
			return "duration reached";
		if (capture_count_reached(c))
			return "count reached";
		if (next && now >= next) {
			live_table_row(t, c, now);
			next += o->interval;
			continue;
		}
		/* Flow records written between the stats lines (or with no
		 * table) reach the reader within JSONL_MAX_DELAY_S + a tick. */
		jsonl_flush_due(capture_jsonl(c), now);
		if (capture_prometheus(c) && now >= next_prom) {
			prom_publish_capture(capture_prometheus(c), c, o->ifname, NULL);
			next_prom = now + 1;
		}
		if (!o->keep_privileges && sandbox_failures()) {
			xdpi_err("a thread could not enter its sandbox: stopping the run; the "
				 "report covers it so far");
			*fault = -EPERM;
			return "sandbox failed";
		}
		*fault = capture_tick(c);
		if (*fault == -ENODEV) {
			xdpi_err("%s: the interface went away during the run (deleted?): "
				 "stopping; the report covers the run so far",
				 o->ifname);
			return "interface gone";
		}
		if (*fault) {
			xdpi_err("a worker stopped: stopping the run; the report covers it so far");
			return "worker failed";
		}
		wake = next;
		if (deadline && (!wake || deadline < wake))
			wake = deadline;
		timeout = wake ? (int)((wake - now) * 1000) + 1 : -1;
		if (timeout < 0 || timeout > CAPTURE_TICK_MS)
			timeout = CAPTURE_TICK_MS;
		if (poll(&pfd, 1, timeout) <= 0 || !(signo = xdpi_signals_read(sigfd)))
			continue;
		/* A hang-up stops a run that has nothing to reload, as it
		 * always did: a terminal closed under it. */
		if (signo != SIGHUP || !capture_reload_wanted(o, ls->a->config != NULL))
			return xdpi_signal_name(signo);
		interval = o->interval;
		live_reload(ls);
		if (o->interval != interval) { /* the next row from now */
			if (o->interval > 0 && !next)
				live_table_header(t);
			next = o->interval > 0 ? xdpi_now() + o->interval : 0;
		}
		next_prom = 0; /* a new Prometheus server: its figures at once */
	}
}

/* What the run gave up for want of memory (or room), said on stderr once at
 * the end whatever the output format: the figures it concerns are lower
 * bounds, and a JSON reader may not look at those keys. */
static void live_warn_gave_up(const struct capture_result *res)
{
	if (res->total.fw.c.untracked)
		xdpi_warn("flow table: %" PRIu64 " packets of new flows not tracked (the table "
			  "full, its ended flows still waiting for their records to be written, "
			  "or out of memory): connection figures are lower bounds",
			  res->total.fw.c.untracked);
	if (res->total.m.c.distinct_untracked)
		xdpi_warn("distinct counts: %" PRIu64 " keys not stored (out of memory): the "
			  "distinct figures are lower bounds",
			  res->total.m.c.distinct_untracked);
}

/* --connections, after capture_stop(): every flow has ended and its record
 * is queued; the last lines before the summary, and what the queue refused
 * said. A failed write makes *@fault -EIO (said once). */
static void live_connections_end(struct capture *c, int *fault)
{
	struct conn_log *cl = capture_conn_log(c);

	if (!cl)
		return;
	conn_log_drain(cl);
	if (conn_log_refused(cl))
		xdpi_warn("--connections: %" PRIu64 " ended connections not printed: the queue "
			  "of %u was full (more ended within a tick, or were open at the end, "
			  "than it holds)",
			  conn_log_refused(cl), conn_log_slots(cl));
	if (conn_log_failed(cl) && !*fault) {
		xdpi_err("--connections: cannot write to standard output: lines lost");
		*fault = -EIO;
	}
}

/* The record, the summary or JSON, and the ledger's verdict. */
static int live_output(const struct capture_opts *o, struct capture *c, const char *stop_reason)
{
	struct prom_server *prom = capture_prometheus(c);
	struct capture_result res;
	json_t *obj = NULL;
	char err[512];
	int ret;

	ret = capture_result(c, &res);
	if (ret) {
		xdpi_err("cannot build the report: %s", strerror(-ret));
		return ret;
	}
	if (prom) /* the final figures, served until the command exits */
		prom_publish_capture(prom, c, o->ifname, &res);
	if (o->json || o->record) {
		obj = live_report_json(o, c, &res, stop_reason);
		if (!obj) {
			xdpi_err("cannot build the report: %s", strerror(ENOMEM));
			ret = -ENOMEM;
			goto out;
		}
	}
	if (o->record && xdpi_record_write(o->record, obj, err, sizeof(err))) {
		xdpi_err("%s", err);
		ret = -EIO;
	}
	if (o->json && report_json_print(stdout, obj))
		ret = -EIO;
	else if (!o->json && !o->quiet)
		live_report_print(live_text_out(o), o, &res, stop_reason);
	if (!o->json && !o->quiet && capture_ipfix(c))
		ipfix_report_print(live_text_out(o), capture_ipfix(c));
	live_warn_gave_up(&res);
	if (!ret && res.ledger.unexplained) {
		xdpi_err("the ledger does not close: %" PRId64 " packets unexplained",
			 res.ledger.unexplained);
		ret = -EPROTO;
	}
out:
	json_decref(obj);
	capture_result_free(&res);
	return ret;
}

static int live_run(struct capture_opts *o, struct live_args *a, int sigfd)
{
	struct live_table table = {0};
	struct live_state ls = {.o = o, .a = a};
	struct capture *c;
	const char *stop_reason;
	int ret, fault = 0;

	/* Missing privileges fail here, at once; from here on the threads
	 * start with none effective (capture/privdrop.h). */
	ret = capture_privs_begin(o);
	if (ret)
		return ret;
	/* Before anything is attached: an output that would be refused at
	 * the end (the record) or once the sockets are bound (-w) is
	 * refused now; --json-lines is opened before the attach. */
	ret = xdpi_outputs_check((const char *const[]){o->record, o->write}, 2);
	if (ret)
		return ret;
	/* Passive mode copies a snap length of each frame, not the frame:
	 * said before anything is written, not found out in the file. At the
	 * largest snap length no frame received is cut (none is longer than
	 * xdpi takes), but a packet sent can be: a GSO packet of 64 KiB of
	 * payload and its headers, before the NIC cuts it into frames. */
	if (o->passive && o->write && o->snaplen < XDPI_SNAPLEN_MAX)
		xdpi_warn("--passive copies at most the first %u bytes of each frame (-s N "
			  "raises it, up to %d: whole frames): -w writes longer frames cut to "
			  "that, each with its length on the wire",
			  o->snaplen, XDPI_SNAPLEN_MAX);
	else if (o->passive && o->write && capture_direction_of(o) != CAPTURE_DIR_IN)
		xdpi_warn("--passive -s %d copies whole frames, but a packet sent longer than "
			  "that (a GSO packet, before the NIC cuts it into frames) is written "
			  "cut to it, with its length",
			  XDPI_SNAPLEN_MAX);
	ret = capture_open(o, &c);
	if (ret)
		return ret;
	ret = live_table_init(&table, o->json ? stderr : live_text_out(o), c, 0);
	if (ret)
		xdpi_err("out of memory");
	table.jsonl = capture_jsonl(c);
	if (!ret)
		ret = capture_start(c);
	if (ret) {
		live_table_free(&table);
		capture_close(c);
		return ret;
	}
	if (o->ceiling)
		xdpi_info("ready: counting and dropping in the XDP program (ceiling mode, no "
			  "sockets)");
	else
		xdpi_info("ready: %d worker%s receiving", capture_queue_count(c),
			  capture_queue_count(c) == 1 ? "" : "s");
	table.started = table.prev_time = xdpi_now();
	ls.c = c;
	stop_reason = live_loop(&ls, sigfd, &table, &fault);
	capture_stop(c);
	live_connections_end(c, &fault);
	ret = live_output(o, c, stop_reason);
	if (!ret)
		ret = fault;
	live_table_free(&table);
	capture_close(c);
	return ret;
}

int cmd_live(int argc, char **argv)
{
	struct capture_opts *o = malloc(sizeof(*o));
	struct live_args a;
	int sigfd, ret;

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
	sigfd = xdpi_signals_fd();
	ret = sigfd < 0 ? sigfd : live_run(o, &a, sigfd);
	if (sigfd >= 0)
		close(sigfd);
	/* After the capture is closed: its options point into the file's text. */
	capture_config_free(a.store);
	free(o);
	if (ret == -GUARD_REFUSED)
		return XDPI_EXIT_USAGE; /* refused by policy: nothing was attached */
	return ret ? XDPI_EXIT_FAIL : XDPI_EXIT_OK;
}
