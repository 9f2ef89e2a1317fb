// SPDX-License-Identifier: MIT
/* xdpi read: the offline mode, same pipeline as the live path. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "../capture/options.h"
#include "../capture/offline.h"
#include "../export/prom_publish.h"
#include "../export/read_report.h"
#include "../export/report.h"

#define READ_USAGE "Usage: xdpi read [OPTIONS] [-r] FILE [EXPRESSION...]"

struct read_opts {
	const char *file;
	const char *filter; /* NULL: all */
	char *joined;	    /* the EXPRESSION arguments, joined */
	const char *write;
	uint64_t count;
	bool json;
	bool quiet;
	bool connections; /* a line per ended connection on stdout */
	bool verbose;	  /* with connections: every column */
	struct capture_flow_opts flows;
};

/* -f: compiled once the options are read (read_filter()). */
static int read_filter_parse(void *obj, const struct opttab_row *r, const char *arg)
{
	/* `udp` here is libpcap's, as in tcpdump */
	*(const char **)(void *)((char *)obj + r->off) = xdpi_filter_user_text(arg);
	return 0;
}

static int read_proto_parse(void *obj, const struct opttab_row *r, const char *arg)
{
	static const char *const protos[] = {"tcp", "udp", "ip", "all"};
	int v = xdpi_parse_choice(arg, protos, 4);

	if (v < 0)
		return -EINVAL;
	*(const char **)(void *)((char *)obj + r->off) = protos[v]; /* xdpi's own classes */
	return 0;
}

#define RO(m) offsetof(struct read_opts, m)

static const struct opttab_row read_rows[] = {
	{OPTTAB_GROUP, "Options:"},
	{OPTTAB_STRING, "read", 'r', .off = RO(file), .metavar = "FILE",
	 .help = "the file to read (or as the first argument)"},
	{OPTTAB_STRING, "filter", 'f', .off = RO(filter), .parse = read_filter_parse,
	 .metavar = "F", .def_doc = "every frame",
	 .help = "count only the frames `xdpi live --filter F` would steer to its sockets: what "
		 "a live run on this traffic should report. F is a pcap-filter expression ('tcp "
		 "port 443', 'vlan and udp', 'udp'), with libpcap's semantics as in tcpdump (its "
		 "udp does not look past VLAN tags); all: every frame"},
	{OPTTAB_CUSTOM, "proto", .off = RO(filter), .parse = read_proto_parse,
	 .valid = "tcp, udp, ip, all", .metavar = "P",
	 .help = "count only the frames `xdpi live --proto P` would steer: tcp, udp, ip or all, "
		 "xdpi's own classes, which look through two VLAN tags and IPv6 extension "
		 "headers"},
	{OPTTAB_U64, "count", 'c', .off = RO(count), .min = 1, .valid = "a count from 1",
	 .metavar = "N", .flags = OPTTAB_NO_DEFAULT,
	 .help = "stop after N frames (of those the filter takes)"},
	{OPTTAB_STRING, "write", 'w', .off = RO(write), .metavar = "FILE",
	 .help = "write the frames the filter takes as pcapng (- for standard output, then not "
		 "with --json)"},
	{OPTTAB_FLAG, "json", 'j', .off = RO(json),
	 .help = "print exactly one JSON object on stdout instead of the summary; warnings still "
		 "go to stderr"},
	{OPTTAB_FLAG, "quiet", 'q', .off = RO(quiet),
	 .help = "no summary and no progress line: warnings and errors only (what --json, "
		 "--json-lines, -w ask for is still written)"},
	{OPTTAB_FLAG, "connections", .off = RO(connections),
	 .help = "one line per connection on stdout as it ends: start, duration, endpoints, "
		 "protocol, packets and bytes each way, in 80 columns; the summary goes to "
		 "stderr"},
	{OPTTAB_FLAG, "verbose", 'v', .off = RO(verbose),
	 .help = "with --connections, every column, exact: state and end reason, handshake RTT, "
		 "SNI or Host too"},
	{OPTTAB_ACTION, "help", 'h', .help = "this text"},
	{OPTTAB_INCLUDE, .off = RO(flows), .include = capture_flow_rows},
	{OPTTAB_END},
};

static struct opttab read_tab;

static void read_usage(FILE *out)
{
	fputs("Usage: xdpi read [OPTIONS] FILE [EXPRESSION...]\n"
	      "       xdpi read [OPTIONS] -r FILE [EXPRESSION...]\n\n"
	      "Parses every frame of FILE (pcap or pcapng: Ethernet, Linux cooked\n"
	      "SLL/SLL2 or raw IP; - is standard input; a pipe or FIFO with nothing\n"
	      "in it yet is waited for, said after a second; frames whose pcap header\n"
	      "says they end with an FCS are read without it) and prints its metrics\n"
	      "(definitions: docs/metrics.md). EXPRESSION is the same as --filter,\n"
	      "tcpdump style: the arguments after FILE joined with spaces.\n\n",
	      out);
	opttab_help(&read_tab, out);
	fputs("\nA read that takes more than a few seconds shows its progress on\n"
	      "stderr when that is a terminal.\n\n"
	      "Exit status: 0 on success (also when the file ends inside a record:\n"
	      "the metrics up to there are printed with a warning), 1 when the file\n"
	      "is missing, unreadable, corrupt or of a link type xdpi does not read,\n"
	      "2 on a usage error.\n",
	      out);
}

/* FILE and EXPRESSION from what getopt left. 0, or an exit status. */
static int read_operands(int argc, char **argv, struct read_opts *o)
{
	if (!o->file) {
		if (optind >= argc) {
			xdpi_usage_error(READ_USAGE, "read takes one FILE");
			return XDPI_EXIT_USAGE;
		}
		o->file = argv[optind++];
	}
	if (optind < argc) {
		if (o->filter) {
			xdpi_usage_error(READ_USAGE,
					 "give the filter either with --filter (or --proto) or "
					 "after FILE, not both");
			return XDPI_EXIT_USAGE;
		}
		o->joined = xdpi_join_args(argc - optind, argv + optind);
		if (!o->joined) {
			xdpi_err("out of memory");
			return XDPI_EXIT_FAIL;
		}
		o->filter = xdpi_filter_user_text(o->joined);
	}
	if (o->write && !strcmp(o->write, "-") && o->json) {
		xdpi_usage_error(READ_USAGE,
				 "-w - and --json both want stdout: write one to a file");
		return XDPI_EXIT_USAGE;
	}
	if (o->connections && (o->json || o->flows.off || (o->write && !strcmp(o->write, "-")) ||
			       (o->flows.json_lines && !strcmp(o->flows.json_lines, "-")))) {
		xdpi_usage_error(READ_USAGE,
				 "--connections writes its lines to stdout from the "
				 "flow table: not with %s",
				 o->json	? "--json"
				 : o->flows.off ? "--no-flows"
						: "-w - or --json-lines -");
		return XDPI_EXIT_USAGE;
	}
	if (o->flows.json_lines && !strcmp(o->flows.json_lines, "-") &&
	    (o->json || (o->write && !strcmp(o->write, "-")))) {
		xdpi_usage_error(READ_USAGE,
				 "--json-lines - and %s both want stdout: write one "
				 "to a file",
				 o->json ? "--json" : "-w -");
		return XDPI_EXIT_USAGE;
	}
	return 0;
}

/* Returns 0, or the exit status to leave with (after --help: 0 is -1). */
static int read_parse(int argc, char **argv, struct read_opts *o)
{
	int c, ret;

	if (opttab_init(&read_tab, read_rows)) {
		xdpi_err("the option table of read is malformed");
		return XDPI_EXIT_FAIL;
	}
	memset(o, 0, sizeof(*o));
	opttab_defaults(&read_tab, o);
	optind = 1;
	opterr = 0; /* ':' first too: the messages are ours, three lines */
	while ((c = getopt_long(argc, argv, read_tab.shorts, read_tab.longs, NULL)) != -1) {
		if (c == 'h') {
			if (!xdpi_help_man())
				read_usage(stdout);
			else
				opttab_man(&read_tab, stdout);
			return -1;
		}
		ret = opttab_parse_opt(&read_tab, o, c, optarg);
		if (ret > 0)
			continue;
		if (ret < 0) {
			char why[128];

			xdpi_usage_bad_value(READ_USAGE, argv, optarg,
					     opttab_explain(&read_tab, c, optarg, why, sizeof(why))
						     ? why
						     : NULL);
			return XDPI_EXIT_USAGE;
		}
		xdpi_usage_getopt(READ_USAGE, argv, c, read_tab.longs);
		return XDPI_EXIT_USAGE;
	}
	return read_operands(argc, argv, o);
}

/* The compiled filter; an exit status if it does not compile. */
static int read_filter(const struct read_opts *o, struct xdpi_filter *f)
{
	const char *text = o->filter ? o->filter : "all";
	char err[512], quoted[256];
	int ret = xdpi_filter_compile(f, text, err, sizeof(err));

	if (!ret)
		return 0;
	text = xdpi_quote_short(text, quoted, sizeof(quoted));
	/* A second FILE by mistake reads as an expression: say so. */
	if (o->joined)
		xdpi_usage_error(READ_USAGE,
				 "invalid filter '%s' (read takes one FILE; what follows it is a "
				 "pcap-filter expression): %s",
				 text, err);
	else
		xdpi_usage_error(READ_USAGE,
				 "invalid filter '%s': %s (valid: a pcap-filter expression; "
				 "xdpi's classes are --proto tcp|udp|ip|all)",
				 text, err);
	return ret == -EINVAL ? XDPI_EXIT_USAGE : XDPI_EXIT_FAIL;
}

/* The summary, or the JSON object and the JSON lines' "stats" line. */
static int read_output(const struct read_opts *o, struct offline_run *r)
{
	const struct read_report rr = {
		.file = o->file, .filter = o->filter, .write = o->write, .run = r};
	json_t *obj;
	int ret;

	/* -q: no summary (the output asked for, --json, the JSON lines, -w,
	 * is still written). Standard output may carry the JSON lines: then
	 * the summary goes to stderr. */
	if (!o->json && !o->quiet)
		read_report_print(
			o->connections || (o->flows.json_lines && !strcmp(o->flows.json_lines, "-"))
				? stderr
				: stdout,
			&rr);
	if (!o->json && !r->fs.jsonl)
		return XDPI_EXIT_OK;
	obj = read_report_json(&rr);
	if (!obj) {
		xdpi_err("out of memory");
		return XDPI_EXIT_FAIL;
	}
	ret = offline_stats_line(r, obj) ? XDPI_EXIT_FAIL : XDPI_EXIT_OK;
	if (o->json && report_json_print(stdout, obj))
		ret = XDPI_EXIT_FAIL;
	json_decref(obj);
	return ret;
}

int cmd_read(int argc, char **argv)
{
	struct offline_run run = {0};
	struct xdpi_filter filter;
	struct read_opts o;
	int ret;

	ret = read_parse(argc, argv, &o);
	if (ret)
		goto out_opts;
	if (o.quiet)
		xdpi_log_set_level(XDPI_LOG_WARN);
	ret = read_filter(&o, &filter);
	if (ret)
		goto out_opts;
	ret = XDPI_EXIT_FAIL;
	if (offline_run(&run, &(const struct offline_config){
				      .file = o.file,
				      .filter = &filter,
				      .write = o.write,
				      .count = o.count,
				      .progress = !o.quiet && isatty(STDERR_FILENO),
				      .connections = o.connections,
				      .verbose = o.verbose,
				      .flows = &o.flows,
				      .publish = prom_publish_pipeline,
			      }))
		goto out;
	ret = read_output(&o, &run);
	if (ret == XDPI_EXIT_OK && offline_serve(&run))
		ret = XDPI_EXIT_FAIL;
out:
	if (offline_close(&run) && ret == XDPI_EXIT_OK)
		ret = XDPI_EXIT_FAIL;
	xdpi_filter_destroy(&filter);
out_opts:
	free(o.joined);
	return ret < 0 ? XDPI_EXIT_OK : ret;
}
