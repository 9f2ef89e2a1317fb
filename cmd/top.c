// SPDX-License-Identifier: MIT
/*
 * xdpi top: the capture run of `xdpi live` (capture/capture.h, the same
 * set-up, privileges and teardown) with a full-screen view instead of the
 * table: the busiest connections, sources and destinations by their rate
 * over the last second (inspect/flowrate.h, fed by the flow table's
 * maintainer), and the queues' health (export/top_view.h).
 *
 * This thread is the reporter, as in `xdpi live`: it draws, reads keys and
 * the signalfd. It is the main thread, which has no seccomp filter (only
 * the teardown capabilities, permitted and not effective: capture/
 * privdrop.h), so the terminal's calls (write, ioctl, poll, read) need no
 * role of their own. Every way out (q, the duration, SIGINT, SIGTERM,
 * SIGHUP, SIGQUIT, a failed worker) leaves the loop, restores the terminal
 * and then runs the ordered stop and teardown: nothing stays attached.
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
#include "../capture/privdrop.h"
#include "../export/live_report.h"
#include "../export/top_view.h"
#include "../inspect/flowrate.h"
#include "../util/clock.h"
#include "../util/sandbox.h"
#include "../util/signals.h"

#define TOP_USAGE "Usage: xdpi top [OPTIONS] [-i] IFACE"
/* How often the view is redrawn and the rates measured. */
#define TOP_PERIOD_S 1.0

/* The options of `xdpi live` that make sense here, its rows as they are. */
static const char *const top_opt_names[] = {
	"interface",	   "filter",	   "duration", "passive",   "snaplen",	"takeover",
	"queues",	   "cpus",	   "user",     "max-flows", "no-peeks", "verbose",
	"keep-privileges", "flow-timeout", "proto",    "direction", NULL,
};

static const struct opttab_row top_rows[] = {
	{OPTTAB_GROUP, "Options (as for `xdpi live`, docs/live.md):"},
	{OPTTAB_INCLUDE, .include = capture_opt_rows, .only = top_opt_names},
	{OPTTAB_ACTION, "help", 'h', .help = "this text"},
	{OPTTAB_END},
};

static struct opttab top_tab;

static void top_usage(FILE *out)
{
	fputs("Usage: xdpi top [OPTIONS] [-i] IFACE\n\n"
	      "Runs the capture of `xdpi live` on IFACE and shows, on a full screen\n"
	      "redrawn every second, the busiest connections and the busiest sources\n"
	      "and destinations by their rate over the last second (not their total),\n"
	      "with each connection's handshake RTT and TLS SNI or HTTP Host, and each\n"
	      "queue's rate and loss (the drop ledger's rx_dropped and rx_ring_full so\n"
	      "far), and a line per active alert of the detection (kind, source,\n"
	      "destination, rate). At the end, the summary and ledger of `xdpi live`.\n"
	      "Needs a terminal of at least 80x24; q or a signal ends it.\n\n"
	      "Keys: p sort by packets/s, b by bits/s, r by handshake RTT; / filter\n"
	      "(a substring of the endpoints, 198.18.0.1:443, or of the SNI/Host;\n"
	      "Enter applies, an empty one clears, Escape cancels); q quit.\n\n",
	      out);
	opttab_help(&top_tab, out);
	fputs("\nExit status: 0 when the run ended cleanly and the ledger closed, 1 on a\n"
	      "setup or runtime error or unexplained packets, 2 on a usage error, no\n"
	      "terminal, or an interface refused without --takeover.\n",
	      out);
}

/* 0, 1 after --help, -EINVAL after a usage error (said). */
static int top_parse(int argc, char **argv, struct capture_opts *o)
{
	int c;

	if (opttab_init(&top_tab, top_rows)) {
		xdpi_err("the option table of top is malformed");
		return -EINVAL;
	}
	capture_opts_defaults(o);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, top_tab.shorts, top_tab.longs, NULL)) != -1) {
		if (c == 'h') {
			if (!xdpi_help_man())
				top_usage(stdout);
			else
				opttab_man(&top_tab, stdout);
			return 1;
		}
		if (c == '?' || c == ':') {
			xdpi_usage_getopt(TOP_USAGE, argv, c, top_tab.longs);
			return -EINVAL;
		}
		if (opttab_parse_opt(&top_tab, o, c, optarg) < 0) {
			char why[512];
			bool known = opttab_explain(&top_tab, c, optarg, why, sizeof(why));

			if (c == 'f') /* libpcap's message says more than a list */
				xdpi_usage_error(
					TOP_USAGE,
					"invalid filter '%s': %s (valid: tcp, udp, ip, all, "
					"or a pcap-filter expression)",
					optarg, known ? why : "not a filter");
			else
				xdpi_usage_bad_value(TOP_USAGE, argv, optarg, known ? why : NULL);
			return -EINVAL;
		}
	}
	if (optind == argc - 1 && !o->ifname)
		o->ifname = argv[optind];
	else if (optind != argc || !o->ifname) {
		xdpi_usage_error(TOP_USAGE, "top takes exactly one IFACE, as -i IFACE or the last "
					    "argument");
		return -EINVAL;
	}
	/* The view is the output: no table, no JSON. */
	o->interval = 0;
	return 0;
}

/* What the queues did since the last draw. */
struct top_queues {
	int n;
	uint64_t packets[TOP_VIEW_QUEUES], bytes[TOP_VIEW_QUEUES];
	double at;
};

static void top_health(struct capture *c, const struct capture_opts *o, struct top_queues *tq,
		       double started, double now, struct top_health *h)
{
	double dt = now - tq->at;
	struct detect_stats ds;

	memset(h, 0, sizeof(*h));
	h->ifname = o->ifname;
	h->elapsed_s = now - started;
	h->nqueues = tq->n;
	for (int i = 0; i < tq->n; i++) {
		struct capture_queue q;
		struct top_queue *t = &h->q[i];

		capture_queue_read(c, i, &q);
		t->id = q.queue_id;
		if (dt > 0) {
			t->pps = (double)(q.counters.c.packets - tq->packets[i]) / dt;
			t->bps = (double)(q.counters.c.bytes - tq->bytes[i]) * 8 / dt;
		}
		t->rx_dropped = q.sock.rx_dropped;
		t->rx_ring_full = q.sock.rx_ring_full;
		t->fill_empty = q.sock.rx_fill_ring_empty_descs;
		h->untracked += q.counters.flows.untracked;
		tq->packets[i] = q.counters.c.packets;
		tq->bytes[i] = q.counters.c.bytes;
	}
	tq->at = now;
	/* As of the last tick's drain: the view shows what the log said. */
	h->nalerts = capture_active_alerts(c, &h->alerts);
	h->alerts_active = (uint64_t)h->nalerts;
	if (capture_detect_stats(c, &ds)) {
		uint64_t active = 0;

		for (int k = 0; k < DETECT__KINDS; k++)
			active += ds.active[k];
		if (active > h->alerts_active)
			h->alerts_active = active;
	}
}

/* Draws until q, the duration or a stop signal; returns why it ended. */
static const char *top_loop(struct capture *c, const struct capture_opts *o, struct flowrate *fr,
			    struct top_view *v, int sigfd, int *fault)
{
	double started = xdpi_now(), next_draw = started, now;
	double deadline = o->duration > 0 ? started + o->duration : 0;
	struct top_queues tq = {.n = capture_queue_count(c), .at = started};
	struct flowrate_view *fv = calloc(1, sizeof(*fv));
	struct top_health h;
	const char *why = NULL;

	if (!fv) {
		*fault = -ENOMEM;
		return "out of memory";
	}
	if (tq.n > TOP_VIEW_QUEUES)
		tq.n = TOP_VIEW_QUEUES;
	while (!why) {
		struct pollfd pfd[2] = {{.fd = sigfd, .events = POLLIN},
					{.fd = top_view_key_fd(v), .events = POLLIN}};
		enum top_key k;
		const char *filter;
		int timeout, signo;

		now = xdpi_now();
		if (deadline && now >= deadline) {
			why = "duration reached";
			break;
		}
		if (now >= next_draw) {
			top_health(c, o, &tq, started, now, &h);
			flowrate_read(fr, fv);
			top_view_draw(v, fv, &h);
			next_draw += TOP_PERIOD_S;
			if (next_draw < now)
				next_draw = now + TOP_PERIOD_S;
		}
		if (!o->keep_privileges && sandbox_failures()) {
			xdpi_err("a thread could not enter its sandbox: stopping the run");
			*fault = -EPERM;
			why = "sandbox failed";
			break;
		}
		*fault = capture_tick(c);
		if (*fault == -ENODEV) {
			xdpi_err("%s: the interface went away during the run: stopping", o->ifname);
			why = "interface gone";
			break;
		}
		if (*fault) {
			xdpi_err("a worker stopped: stopping the run");
			why = "worker failed";
			break;
		}
		timeout = (int)((next_draw - now) * 1000) + 1;
		if (timeout > CAPTURE_TICK_MS)
			timeout = CAPTURE_TICK_MS;
		if (poll(pfd, 2, timeout) <= 0)
			continue;
		if ((pfd[0].revents & POLLIN) && (signo = xdpi_signals_read(sigfd))) {
			why = xdpi_signal_name(signo);
			break;
		}
		if (pfd[1].revents & (POLLHUP | POLLERR)) {
			why = "terminal gone";
			break;
		}
		k = top_view_keys(v);
		if (k == TOP_KEY_QUIT) {
			why = "quit";
			break;
		}
		filter = top_view_filter_changed(v);
		if (filter)
			flowrate_set_filter(fr, filter);
		if (k == TOP_KEY_REDRAW)
			top_view_draw(v, fv, &h);
	}
	free(fv);
	return why;
}

static int top_output(const struct capture_opts *o, struct capture *c, const char *stop_reason)
{
	struct capture_result res;
	int ret = capture_result(c, &res);

	if (ret) {
		xdpi_err("cannot build the report: %s", strerror(-ret));
		return ret;
	}
	live_report_print(stdout, o, &res, stop_reason);
	fflush(stdout);
	if (res.ledger.unexplained) {
		xdpi_err("the ledger does not close: %" PRId64 " packets unexplained",
			 res.ledger.unexplained);
		ret = -EPROTO;
	}
	capture_result_free(&res);
	return ret;
}

static int top_run(struct capture_opts *o, int sigfd)
{
	struct flowrate *fr = NULL;
	struct top_view *v = NULL;
	struct capture *c = NULL;
	const char *why;
	int ret, fault = 0;

	ret = capture_privs_begin(o);
	if (ret)
		return ret;
	fr = flowrate_new(o->flows.max_flows);
	if (!fr) {
		xdpi_err("out of memory");
		return -ENOMEM;
	}
	ret = capture_open(o, &c);
	if (ret)
		goto out_rates;
	ret = capture_set_flow_view(c, fr, (uint64_t)(TOP_PERIOD_S * 1e9));
	if (ret) {
		xdpi_err("top needs the flow table (not --ceiling or --no-inspect)");
		goto out_close;
	}
	ret = capture_start(c);
	if (ret)
		goto out_close;
	xdpi_info("ready: %d worker%s receiving", capture_queue_count(c),
		  capture_queue_count(c) == 1 ? "" : "s");
	ret = top_view_open(&v);
	if (ret) {
		xdpi_err("cannot draw on this terminal: %s", strerror(-ret));
		capture_stop(c);
		goto out_close;
	}
	why = top_loop(c, o, fr, v, sigfd, &fault);
	/* The terminal first: whatever follows, it is the user's again. */
	top_view_close(v);
	capture_stop(c);
	ret = top_output(o, c, why);
	if (!ret)
		ret = fault;
out_close:
	capture_close(c);
out_rates:
	flowrate_free(fr);
	return ret;
}

int cmd_top(int argc, char **argv)
{
	struct capture_opts *o = malloc(sizeof(*o));
	int sigfd, ret;

	if (!o) {
		xdpi_err("out of memory");
		return XDPI_EXIT_FAIL;
	}
	ret = top_parse(argc, argv, o);
	if (!ret && (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))) {
		xdpi_usage_error(TOP_USAGE, "top draws on a terminal: standard input and output "
					    "must be one (for a log, use `xdpi live`)");
		ret = -EINVAL;
	}
	if (ret) {
		free(o);
		return ret > 0 ? XDPI_EXIT_OK : XDPI_EXIT_USAGE;
	}
	if (o->verbose)
		xdpi_log_set_level(XDPI_LOG_DEBUG);
	sigfd = xdpi_signals_fd();
	ret = sigfd < 0 ? sigfd : top_run(o, sigfd);
	if (sigfd >= 0)
		close(sigfd);
	free(o);
	if (ret == -GUARD_REFUSED)
		return XDPI_EXIT_USAGE;
	return ret ? XDPI_EXIT_FAIL : XDPI_EXIT_OK;
}
