// SPDX-License-Identifier: MIT
/* xdpi read: the offline mode, same pipeline as the live path. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "../capture/options.h"
#include "../export/conn_log.h"
#include "../export/alert_hook.h"
#include "../export/alert_report.h"
#include "../export/flow_report.h"
#include "../export/flow_sinks.h"
#include "../export/ipfix.h"
#include "../export/ipfix_report.h"
#include "../export/jsonl.h"
#include "../export/pcapng.h"
#include "../export/prometheus.h"
#include "../export/report.h"
#include "../inspect/capfile.h"
#include "../inspect/flows.h"
#include "../util/signals.h"
#include "../util/version.h"

/* What the write stage holds between the reader and the writer thread:
 * the reader waits for room (offline, nothing is lost by waiting). */
#define READ_TAP_SIZE (8u << 20)
#define READ_WRITE_SNAPLEN 262144
/* How long a pipe or FIFO may stay empty before `read` says it waits. */
#define READ_WAIT_SAY_MS 1000

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

/* -w: the write stage's tap and its writer thread. */
static int read_open_writer(const struct read_opts *o, struct pipeline *p, struct tap *tap,
			    struct pcapng_writer **w)
{
	char err[256] = "", app[64];

	if (tap_init(tap, READ_TAP_SIZE, READ_WRITE_SNAPLEN, 0, true)) {
		xdpi_err("out of memory");
		return -ENOMEM;
	}
	snprintf(app, sizeof(app), "xdpi %s", xdpi_version());
	if (pcapng_writer_open(w, o->write, app, o->file, tap, 1, err, sizeof(err)) ||
	    pcapng_writer_start(*w, true)) {
		xdpi_err("%s", *err ? err : "cannot start the writer");
		return -EIO;
	}
	p->tap = tap;
	return 0;
}

static void read_warn(const struct capfile_result *res)
{
	if (res->truncated)
		xdpi_warn("%s; metrics cover the %" PRIu64 " complete frames before it",
			  res->warning, res->frames);
	if (res->snapped)
		xdpi_warn("%" PRIu64 " frames were captured shorter than on the wire "
			  "(snap length): they count by their headers; a header the "
			  "capture cut counts as malformed",
			  res->snapped);
}

/* The flow stage of a read: the table (this thread maintains it at
 * capture time) and where its records go (JSON lines, IPFIX). */
struct read_flows {
	struct flow_table *ft;
	struct jsonl *jl;
	struct flow_sinks sinks;
	bool registered;
	bool finished; /* flow_table_finish() ran */
	struct flow_summary summary;
	struct detect *detect; /* NULL: --no-detect or --no-flows */
	struct detect_stats detect_final;
	struct alert_hook hook; /* --on-alert */
	bool ipfix_alerts;	/* --ipfix-alerts */
};

/* An alert, as it is raised (this thread maintains the table): a JSON
 * line with --json-lines, and a line on standard error. */
static void read_alert(void *ctx, const struct detect_alert *a)
{
	struct read_flows *rf = ctx;
	char line[256];

	if (rf->jl || rf->hook.cmd) {
		json_t *o = alert_json(a, ALERT_LOST_UNKNOWN);

		if (o)
			alert_hook_run(&rf->hook, o);
		if (o && rf->jl)
			jsonl_write(rf->jl, o);
		else
			json_decref(o);
	}
	if (rf->ipfix_alerts)
		ipfix_alert(rf->sinks.ipfix, a, ALERT_LOST_UNKNOWN);
	alert_text(a, line, sizeof(line));
	xdpi_warn("%s", line);
}

static int read_open_flows(const struct read_opts *o, struct read_flows *rf,
			   struct pipeline_config *pc)
{
	const struct capture_flow_opts *fo = &o->flows;
	struct flow_config fc = {
		.max_flows = fo->max_flows,
		.timeout_ns = (uint64_t)(fo->timeout * 1e9),
		.closed_timeout_ns = (uint64_t)(fo->closed_timeout * 1e9),
		.peeks = !fo->no_peeks,
		.single_thread = true,
	};
	char err[256];

	if (fo->json_lines && jsonl_open(&rf->jl, fo->json_lines, NULL, err, sizeof(err))) {
		xdpi_err("%s", err);
		return -EIO;
	}
	if (fo->ipfix && fo->off) {
		xdpi_err("--ipfix exports flows: it does not go with --no-flows");
		return -EINVAL;
	}
	if (fo->ipfix_alerts && (!fo->ipfix || fo->no_detect || fo->off)) {
		xdpi_err("--ipfix-alerts sends the detection's alerts to the --ipfix collector: "
			 "it needs --ipfix and the detection (not --no-detect or --no-flows)");
		return -EINVAL;
	}
	rf->ipfix_alerts = fo->ipfix_alerts;
	if (fo->ipfix) {
		const struct ipfix_config ic = {
			.collector = fo->ipfix, .domain = fo->ipfix_domain, .sandbox = true};

		if (ipfix_exporter_start(&rf->sinks.ipfix, &ic, err, sizeof(err))) {
			xdpi_err("%s", err);
			return -EINVAL;
		}
		fc.active_timeout_ns = (uint64_t)(fo->ipfix_active_timeout * 1e9);
		fc.on_active = flow_sinks_active;
	}
	if (fo->off)
		return 0;
	if (o->connections && conn_log_open(&rf->sinks.conn, stdout, o->verbose)) {
		xdpi_err("out of memory");
		return -ENOMEM;
	}
	rf->sinks.jsonl = rf->jl;
	if (flow_sinks_any(&rf->sinks)) {
		fc.on_end = flow_sinks_end;
		fc.on_end_ctx = &rf->sinks;
	}
	if (!fo->no_detect) {
		struct detect_config dc = {.th = fo->detect,
					   .max_entries = fo->detect_max_entries,
					   .emit = read_alert,
					   .emit_ctx = rf};
		struct detect_groups *gs;

		if (capture_host_groups(fo, &gs, err, sizeof(err))) {
			xdpi_err("--host-groups: %s", err);
			return -EINVAL;
		}
		dc.groups = gs;
		rf->hook.cmd = fo->on_alert;
		rf->detect = detect_new(&dc);
		free(gs);
		if (!rf->detect) {
			xdpi_err("cannot set up the detection: %s", strerror(errno));
			return -ENOMEM;
		}
		fc.detect = rf->detect;
	}
	flows_thread_register();
	rf->registered = true;
	rf->ft = flow_table_new(&fc);
	if (!rf->ft) {
		xdpi_err("cannot make the flow table: %s", strerror(errno));
		return -ENOMEM;
	}
	pc->flows = rf->ft;
	pc->maintain_flows = true;
	return 0;
}

/* After the last frame (captured at @now_ns): every flow left ends
 * ("eof") and is written, and every open alert ends. */
static void read_finish_flows(struct read_flows *rf, uint64_t now_ns)
{
	if (!rf->ft)
		return;
	flow_table_finish(rf->ft, FLOW_END_EOF);
	if (rf->detect) {
		detect_finish(rf->detect, now_ns);
		detect_stats(rf->detect, &rf->detect_final);
	}
	flow_table_summary(rf->ft, &rf->summary);
	rf->finished = true;
	/* Every record is queued: send them, so the summary has the counts. */
	ipfix_exporter_stop(rf->sinks.ipfix);
	/* Every line written, before the summary. */
	conn_log_close(rf->sinks.conn);
	rf->sinks.conn = NULL;
}

static int read_close_flows(struct read_flows *rf)
{
	int ret;

	/* A read that failed half-way still ends (and writes) its flows:
	 * only an empty table can be freed. */
	if (rf->ft && !rf->finished)
		flow_table_finish(rf->ft, FLOW_END_EOF);
	flow_table_free(rf->ft);
	rf->ft = NULL;
	detect_free(rf->detect);
	rf->detect = NULL;
	alert_hook_finish(&rf->hook);
	if (rf->registered)
		flows_thread_unregister();
	rf->registered = false;
	if (rf->sinks.ipfix)
		ipfix_report_warn(rf->sinks.ipfix);
	ipfix_exporter_free(rf->sinks.ipfix);
	rf->sinks.ipfix = NULL;
	ret = jsonl_close(rf->jl);
	rf->jl = NULL;
	return ret;
}

/* The detection's line of the summary, when it raised any alert. */
static void read_alerts_print(FILE *out, const struct read_flows *rf)
{
	const struct detect_stats *d = &rf->detect_final;
	uint64_t raised = 0;

	for (int k = 0; k < DETECT__KINDS; k++)
		raised += d->alerts[k];
	if (!rf->detect || !raised)
		return;
	fprintf(out, "alerts             %" PRIu64 " raised:", raised);
	for (int k = 0; k < DETECT__KINDS; k++)
		if (d->alerts[k])
			fprintf(out, " %s %" PRIu64, detect_kind_name((enum detect_kind)k),
				d->alerts[k]);
	fprintf(out, "\n");
}

static int read_output(const struct read_opts *o, const struct pipeline *p,
		       const struct capfile_result *res, uint64_t written,
		       const struct read_flows *rf)
{
	const struct flow_report fr = {
		.fc = &p->fw.c, .s = &rf->summary, .mc = &p->m.c, .span_s = res->span_s};
	/* The capture's own span: from its first frame to its last. */
	const struct report_span span = {.start = res->first_s,
					 .end = res->last_s,
					 .duration = res->span_s,
					 .packets = p->m.c.packets,
					 .bytes = p->m.c.bytes};
	json_t *obj;
	int ret;

	/* -q: no summary (the output asked for, --json, the JSON lines, -w,
	 * is still written). */
	if (!o->json && !o->quiet) {
		/* Standard output may carry the JSON lines: then the summary
		 * goes to stderr. */
		FILE *out =
			o->connections || (o->flows.json_lines && !strcmp(o->flows.json_lines, "-"))
				? stderr
				: stdout;

		fprintf(out, "file               %s%s\n", o->file,
			res->truncated ? " (truncated)" : "");
		fprintf(out, "filter             %s\n",
			o->filter ? o->filter : "none (every frame)");
		if (o->write)
			fprintf(out, "written            %" PRIu64 " frames to %s\n", written,
				o->write);
		report_span_print(out, &span);
		report_metrics_print(out, &p->m);
		if (rf->ft)
			flow_report_print(out, &fr);
		if (rf->sinks.ipfix)
			ipfix_report_print(out, rf->sinks.ipfix);
		read_alerts_print(out, rf);
	}
	if (!o->json && !rf->jl)
		return XDPI_EXIT_OK;
	obj = report_metrics_json(&p->m);
	if (!obj || report_source_json(obj, "file", o->file, o->filter) ||
	    report_span_json(obj, &span)) {
		json_decref(obj);
		xdpi_err("out of memory");
		return XDPI_EXIT_FAIL;
	}
	json_object_set_new(obj, "truncated_file", json_boolean(res->truncated));
	if (o->write)
		json_object_set_new(
			obj, "written",
			json_pack("{s:s, s:I}", "file", o->write, "frames", (json_int_t)written));
	if (rf->ft)
		json_object_set_new(obj, "connections", flow_report_json(&fr));
	if (rf->sinks.ipfix)
		json_object_set_new(obj, "ipfix", ipfix_report_json(rf->sinks.ipfix));
	ret = XDPI_EXIT_OK;
	if (rf->jl) {
		/* One "stats" line: offline, the whole capture is one interval. */
		json_t *line = json_deep_copy(obj);

		if (line)
			json_object_set_new(line, "type", json_string("stats"));
		if (jsonl_write(rf->jl, line))
			ret = XDPI_EXIT_FAIL;
	}
	if (o->json && report_json_print(stdout, obj))
		ret = XDPI_EXIT_FAIL;
	json_decref(obj);
	return ret;
}

/* --prometheus: the final figures, served until SIGINT or SIGTERM. */
static int read_serve(struct prom_server *prom, const struct read_opts *o, const struct pipeline *p,
		      const struct read_flows *rf)
{
	char where[64];

	if (prom_publish_pipeline(prom, p, rf->ft ? &rf->summary : NULL,
				  rf->detect ? &rf->detect_final : NULL, o->file)) {
		xdpi_err("out of memory");
		return XDPI_EXIT_FAIL;
	}
	prom_server_address(prom, where, sizeof(where));
	fflush(stdout); /* the JSON or summary, for whoever waits on it */
	fprintf(stderr, "xdpi: serving the metrics on http://%s/metrics until SIGINT/SIGTERM\n",
		where);
	xdpi_signals_wait();
	return XDPI_EXIT_OK;
}

/* Waits for @fd to have data or its writer to leave; signals still end
 * the wait (they may be blocked for the Prometheus thread). */
static void read_poll(int fd, int timeout_ms, bool *ready)
{
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	struct timespec ts = {timeout_ms / 1000, (long)(timeout_ms % 1000) * 1000000};
	sigset_t none;

	sigemptyset(&none);
	*ready = ppoll(&pfd, 1, timeout_ms < 0 ? NULL : &ts, &none) > 0;
}

/*
 * `read -` on a pipe, or a FIFO, with nothing in it yet: libpcap would
 * block reading the header (a FIFO's open() even blocks until a writer
 * comes) without a word. Wait as tcpdump -r does, but say so after a
 * second. A FIFO is opened here without blocking and handed over as
 * @*fp (capfile_read() closes it), so that a writer that comes and goes
 * is not waited for twice. 0, or -errno after saying why.
 */
static int read_wait(const char *path, FILE **fp)
{
	bool is_stdin = !strcmp(path, "-"), ready;
	struct stat st;
	int fd;

	*fp = NULL;
	if (is_stdin) {
		if (fstat(STDIN_FILENO, &st) || !(S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)))
			return 0;
		fd = STDIN_FILENO;
	} else {
		/* anything else, missing ones included, capfile_read() opens
		 * and names */
		if (stat(path, &st) || !S_ISFIFO(st.st_mode))
			return 0;
		fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		if (fd < 0) {
			int e = errno;

			xdpi_err("%s: %s", path, strerror(e));
			return -e;
		}
	}
	read_poll(fd, READ_WAIT_SAY_MS, &ready);
	if (!ready) {
		if (is_stdin)
			xdpi_info("waiting for data on stdin (a pipe with nothing in it yet)...");
		else
			xdpi_info("waiting for data on FIFO %s (no writer yet)...", path);
		read_poll(fd, -1, &ready);
	}
	if (is_stdin)
		return 0;
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) || !(*fp = fdopen(fd, "rb"))) {
		xdpi_err("%s: %s", path, strerror(errno));
		close(fd);
		return -EIO;
	}
	return 0;
}

int cmd_read(int argc, char **argv)
{
	struct prom_server *prom = NULL;
	struct pcapng_writer *writer = NULL;
	struct capfile_result res;
	struct xdpi_filter filter;
	struct read_opts o;
	struct capfile_opts co = {0};
	struct pipeline pipe;
	struct tap tap = {0};
	struct read_flows rf = {0};
	struct pipeline_config pc = {.inspect = true};
	uint64_t written = 0;
	char err[512];
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
	/* Before the read, so that a port in use fails at once; the signals
	 * are blocked first, as its thread inherits the mask. */
	if (o.flows.prometheus && xdpi_signals_block())
		goto out_opts_filter;
	if (o.flows.prometheus && prom_server_start(&prom, o.flows.prometheus, err, sizeof(err))) {
		xdpi_err("%s", err);
		goto out_opts_filter;
	}
	if (read_open_flows(&o, &rf, &pc))
		goto out_flows;
	pc.filter = &filter;
	pc.distinct_limit = o.flows.distinct_limit;
	/* A fixed seed: the estimates above --distinct-limit are the same on
	 * every read of a file. */
	pc.distinct_seed = 0x243f6a8885a308d3ull;
	if (pipeline_init(&pipe, &pc)) {
		xdpi_err("out of memory");
		goto out_flows;
	}
	if (o.write && read_open_writer(&o, &pipe, &tap, &writer))
		goto out;
	if (read_wait(o.file, &co.fp))
		goto out;
	co.count = o.count;
	co.progress = !o.quiet && isatty(STDERR_FILENO);
	if (capfile_read(o.file, &pipe, &co, &res, err, sizeof(err))) {
		xdpi_err("%s", err);
		goto out;
	}
	if (writer && pcapng_writer_stop(writer, &written)) {
		writer = NULL;
		xdpi_err("cannot write %s", o.write);
		goto out;
	}
	writer = NULL;
	read_warn(&res);
	read_finish_flows(&rf, pipe.fw.now_ns);
	ret = read_output(&o, &pipe, &res, written, &rf);
	if (ret == XDPI_EXIT_OK && prom)
		ret = read_serve(prom, &o, &pipe, &rf);
out:
	pcapng_writer_stop(writer, NULL);
	tap_destroy(&tap);
	pipeline_destroy(&pipe);
out_flows:
	if (read_close_flows(&rf) && ret == XDPI_EXIT_OK) {
		xdpi_err("cannot write %s", o.flows.json_lines);
		ret = XDPI_EXIT_FAIL;
	}
out_opts_filter:
	prom_server_stop(prom);
	xdpi_filter_destroy(&filter);
out_opts:
	free(o.joined);
	return ret < 0 ? XDPI_EXIT_OK : ret;
}
