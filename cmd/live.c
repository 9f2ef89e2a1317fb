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

/* The options of `xdpi live` itself, beyond the capture's rows. */
enum {
	LIVE_OPT_CONFIG = 0x2000,
	LIVE_OPT_CHECK_CONFIG,
};

/* The command's table: the capture's rows (capture/options.h), its own
 * three, then the flow rows. */
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
	{OPTTAB_INCLUDE, .off = offsetof(struct capture_opts, flows), .include = capture_flow_rows},
	{OPTTAB_END},
};

static struct opttab live_tab;

/* --help with XDPI_HELP_MAN: the OPTIONS of docs/man/xdpi-live.8.scd as the table has
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

/* The options of the run from the file of @a and its command line
 * (capture_config_build()). */
static int live_build(const struct live_args *a, struct capture_opts *o,
		      struct capture_config **store, char *err, size_t err_len)
{
	return capture_config_build(&live_tab, a->argc, a->argv, a->config, o, store, err, err_len);
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
		if (c == 'h') {
			(xdpi_help_man() ? live_usage_man : live_usage)(stdout);
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

/* --check-config: what no single option can check, then the options. */
static int live_check_config(const struct capture_opts *o)
{
	char err[256];

	if (capture_opts_check(o, err, sizeof(err))) {
		xdpi_usage_error(LIVE_USAGE, "%s", err);
		return -EINVAL;
	}
	fputs("xdpi live", stdout);
	capture_opts_write(o, 0, xdpi_print_shell_arg, stdout);
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

/* The renderer's side of the run: the live table (export/live_report.h)
 * and what made the options. */
struct live_view {
	struct live_table_view table;
	struct live_args *a;
};

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
	const struct capture_opts *o = ((struct live_view *)ctx)->table.o;
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
	struct live_view v = {.table = {.o = o}, .a = &a};
	struct capture_run_hooks hooks = {
		.ctx = &v,
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
	v.table.out = o->json ? stderr : live_text_out(o);
	live_table_hooks(&hooks);
	ret = capture_run(&(const struct capture_run_config){
		.o = o, .config = a.config, .store = &a.store, .hooks = &hooks});
	live_table_free(&v.table.t);
	/* After the capture is closed: its options point into the file's text. */
	capture_config_free(a.store);
	free(o);
	if (ret == -GUARD_REFUSED)
		return XDPI_EXIT_USAGE; /* refused by policy: nothing was attached */
	return ret ? XDPI_EXIT_FAIL : XDPI_EXIT_OK;
}
