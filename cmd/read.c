// SPDX-License-Identifier: MIT
/* xdpi read: the offline mode, same pipeline as the live path. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
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
#include "../inspect/capfile.h"
#include "../inspect/flows.h"

#define READ_USAGE "Usage: xdpi read [OPTIONS] [-r] FILE [EXPRESSION...]"

static void read_usage(FILE *out)
{
	fprintf(out,
		"Usage: xdpi read [OPTIONS] FILE [EXPRESSION...]\n"
		"       xdpi read [OPTIONS] -r FILE [EXPRESSION...]\n\n"
		"Parses every frame of FILE (pcap or pcapng: Ethernet, Linux cooked\n"
		"SLL/SLL2 or raw IP; - is standard input; a pipe or FIFO with nothing\n"
		"in it yet is waited for, said after a second; frames whose pcap header\n"
		"says they end with an FCS are read without it) and prints its metrics\n"
		"(definitions: docs/metrics.md).\n\n"
		"Options:\n"
		"  -r, --read FILE  the file to read (or as the first argument)\n"
		"  -f, --filter F   count only the frames `xdpi live --filter F` would\n"
		"                   steer to its sockets (default: every frame): what a\n"
		"                   live run on this traffic should report. F is a\n"
		"                   pcap-filter expression ('tcp port 443', 'vlan and\n"
		"                   udp', 'udp'), with libpcap's semantics as in tcpdump\n"
		"                   (its udp does not look past VLAN tags); all: every\n"
		"                   frame\n"
		"      --proto P    count only the frames `xdpi live --proto P` would\n"
		"                   steer: tcp, udp, ip or all, xdpi's own classes, which\n"
		"                   look through two VLAN tags and IPv6 extension headers\n"
		"  EXPRESSION       the same as --filter, tcpdump style: the arguments\n"
		"                   after FILE joined with spaces\n"
		"  -c, --count N    stop after N frames (of those the filter takes)\n"
		"  -w, --write FILE write the frames the filter takes as pcapng (- for\n"
		"                   standard output, then not with --json)\n"
		"  -j, --json       print exactly one JSON object on stdout instead of the\n"
		"                   summary; warnings still go to stderr\n"
		"  -q, --quiet      no summary and no progress line: warnings and errors\n"
		"                   only (what --json, --json-lines, -w ask for is\n"
		"                   still written)\n"
		"      --connections\n"
		"                   one line per connection on stdout as it ends: start,\n"
		"                   duration, endpoints, protocol, packets and bytes each\n"
		"                   way, in 80 columns; the summary goes to stderr\n"
		"  -v, --verbose    with --connections, every column, exact: state and\n"
		"                   end reason, handshake RTT, SNI or Host too\n"
		"  -h, --help       this text\n\n"
		"%s\n"
		"A read that takes more than a few seconds shows its progress on\n"
		"stderr when that is a terminal.\n\n"
		"Exit status: 0 on success (also when the file ends inside a record:\n"
		"the metrics up to there are printed with a warning), 1 when the file\n"
		"is missing, unreadable, corrupt or of a link type xdpi does not read,\n"
		"2 on a usage error.\n",
		capture_flow_opts_help);
}

/* Above the capture's option values (capture/options.c) and cmd.h's. */
#define READ_OPT_CONNECTIONS 0x3000

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

/* @n arguments joined with spaces (tcpdump's EXPRESSION); NULL if out of
 * memory. */
static char *read_join(int n, char *const *args)
{
	size_t len = 1;
	char *s;

	for (int i = 0; i < n; i++)
		len += strlen(args[i]) + 1;
	s = malloc(len);
	if (!s)
		return NULL;
	*s = 0;
	for (int i = 0; i < n; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, args[i]);
	}
	return s;
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
		o->joined = read_join(argc - optind, argv + optind);
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
	static const struct option own[] = {
		{"read", required_argument, NULL, 'r'},
		{"filter", required_argument, NULL, 'f'},
		{"count", required_argument, NULL, 'c'},
		{"write", required_argument, NULL, 'w'},
		{"json", no_argument, NULL, 'j'},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{"proto", required_argument, NULL, 'P'},
		{"connections", no_argument, NULL, READ_OPT_CONNECTIONS},
		{"verbose", no_argument, NULL, 'v'},
	};
	struct option opts[CAPTURE_GETOPT_MAX];
	size_t n = sizeof(own) / sizeof(own[0]);
	int c, ret;

	memcpy(opts, own, sizeof(own));
	memcpy(opts + n, capture_flow_long_opts,
	       (capture_flow_long_opts_count() + 1) * sizeof(*opts));
	memset(o, 0, sizeof(*o));
	capture_flow_opts_defaults(&o->flows);
	optind = 1;
	opterr = 0; /* ':' first too: the messages are ours, three lines */
	while ((c = getopt_long(argc, argv, ":r:f:c:w:jqvh", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			o->file = optarg;
			break;
		case 'f':
			/* `udp` here is libpcap's, as in tcpdump */
			o->filter = xdpi_filter_user_text(optarg);
			break;
		case 'P': { /* --proto: xdpi's own classes */
			static const char *const protos[] = {"tcp", "udp", "ip", "all"};
			int v = xdpi_parse_choice(optarg, protos, 4);

			if (v < 0) {
				xdpi_usage_bad_value(READ_USAGE, argv, optarg, "tcp, udp, ip, all");
				return XDPI_EXIT_USAGE;
			}
			o->filter = protos[v];
			break;
		}
		case 'c':
			if (xdpi_parse_u64(optarg, 1, UINT64_MAX, &o->count)) {
				xdpi_usage_bad_value(READ_USAGE, argv, optarg, "a count from 1");
				return XDPI_EXIT_USAGE;
			}
			break;
		case 'w':
			o->write = optarg;
			break;
		case 'j':
			o->json = true;
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'v':
			o->verbose = true;
			break;
		case READ_OPT_CONNECTIONS:
			o->connections = true;
			break;
		case 'h':
			read_usage(stdout);
			return -1;
		default:
			ret = c == '?' || c == ':'
				      ? 0
				      : capture_flow_opts_parse_opt(&o->flows, c, optarg);
			if (ret > 0)
				break;
			if (ret < 0) {
				char why[128];

				xdpi_usage_bad_value(
					READ_USAGE, argv, optarg,
					capture_opts_explain(c, optarg, why, sizeof(why)) ? why
											  : NULL);
				return XDPI_EXIT_USAGE;
			}
			xdpi_usage_getopt(READ_USAGE, argv, c, opts);
			return XDPI_EXIT_USAGE;
		}
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
