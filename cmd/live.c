// SPDX-License-Identifier: MIT
/*
 * xdpi live: argv -> capture options -> a capture run (capture/capture.h)
 * -> the live table, the summary or JSON record -> exit status.
 *
 * Signals (util/signals.h) are blocked before the capture starts its
 * threads and read by this thread, which is also the reporter: a signal
 * ends the run through the one ordered stop and teardown.
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
#include "../export/ipfix_report.h"
#include "../export/live_report.h"
#include "../export/prometheus.h"
#include "../export/report.h"
#include "../util/signals.h"

#define LIVE_USAGE "Usage: xdpi live [OPTIONS] [-i] IFACE"

static void live_usage(FILE *out)
{
	fprintf(out,
		"Usage: xdpi live [OPTIONS] [-i] IFACE\n\n"
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
		"                        drops the frames in XDP and needs it too\n\n"
		"Traffic and duration:\n"
		"  -f, --filter F        frames to steer: tcp (default), udp, ip, all, or\n"
		"                        a pcap-filter expression ('tcp port 443'), run\n"
		"                        in the XDP program (at most 256 classic BPF\n"
		"                        instructions); the rest passes to the kernel\n"
		"                        untouched (docs/live.md)\n"
		"  -i, --interface IFACE the interface (or as the last argument)\n"
		"  -d, --duration S      stop after S seconds (default: at SIGINT/SIGTERM)\n"
		"  -c, --count N         stop once N frames were taken (exactly N: the XDP\n"
		"                        program passes the rest to the kernel)\n"
		"      --no-inspect      receive and return frames without parsing them\n"
		"      --ceiling         no sockets: the XDP program counts and drops the\n"
		"                        wanted frames (the in-kernel ceiling `xdpi bench`\n"
		"                        compares with); the ledger shows them as dropped\n"
		"      --passive         inspect copies; the host keeps every frame\n"
		"  -s, --snaplen N       passive: bytes copied per frame, 64..4064\n"
		"                        (default 512: every header xdpi parses)\n"
		"      --ring-size N     passive: bytes of each queue's ring, a power of\n"
		"                        two from 4096 (default 4194304)\n"
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
		"      --keep-offloads   leave the NIC's VLAN tag stripping on: by\n"
		"                        default xdpi turns it off for the run where the\n"
		"                        driver cannot hand XDP the tag, and restores it\n"
		"      --fill-size N     RX frames of the UMEM; the fill ring is twice\n"
		"                        this (default 8192)\n"
		"      --comp-size N     completion ring size (default 2048)\n"
		"      --rx-size N       RX ring size (default 8192); ring sizes are\n"
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
		"  -q, --quiet           no live table, warnings and errors only\n"
		"  -j, --json            print one JSON object on stdout at the end (the\n"
		"                        `xdpi read` keys plus queues, ledger and\n"
		"                        nothing_steered); the live table goes to stderr\n"
		"      --record FILE     write the same JSON record to FILE, for\n"
		"                        `xdpi compare`\n"
		"      --force           replace an XDP program libxdp cannot share\n"
		"      --user NAME       after set-up, switch to user NAME (and its group):\n"
		"                        --record and the report are then written as NAME\n"
		"      --keep-privileges keep every capability in every thread; by default\n"
		"                        workers drop all and run under seccomp, and the\n"
		"                        main thread keeps only what teardown needs\n"
		"                        (docs/live.md, \"Least privilege\")\n"
		"  -v, --verbose         show libxdp's and libbpf's messages\n"
		"  -h, --help            this text\n\n"
		"%s\n"
		"Exit status: 0 when the run ended cleanly and the ledger closed, 1 on a\n"
		"setup or runtime error or unexplained packets, 2 on a usage error or an\n"
		"interface refused without --takeover.\n",
		capture_flow_opts_help);
}

/* Returns 0, 1 after --help, or -EINVAL after a usage error (said). */
static int live_parse(int argc, char **argv, struct capture_opts *o)
{
	struct option opts[64];
	size_t n = capture_long_opts_count();
	char err[256], shorts[64];
	int c, ret;

	/* ':' first: getopt's own messages off, ours are three lines. */
	snprintf(shorts, sizeof(shorts), ":%sh", capture_short_opts);
	memcpy(opts, capture_long_opts, n * sizeof(*opts));
	memcpy(opts + n, capture_flow_long_opts, capture_flow_long_opts_count() * sizeof(*opts));
	n += capture_flow_long_opts_count();
	opts[n++] = (struct option){"help", no_argument, NULL, 'h'};
	opts[n] = (struct option){0};
	capture_opts_defaults(o);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, shorts, opts, NULL)) != -1) {
		if (c == 'h') {
			live_usage(stdout);
			return 1;
		}
		if (c == '?' || c == ':') {
			xdpi_usage_getopt(LIVE_USAGE, argv, c);
			return -EINVAL;
		}
		ret = capture_opts_parse_opt(o, c, optarg);
		if (ret < 0) {
			char why[512];
			bool known = capture_opts_explain(c, optarg, why, sizeof(why));

			if (c == 'f') /* libpcap's message says more than a list */
				xdpi_usage_error(
					LIVE_USAGE,
					"invalid filter '%s': %s (valid: tcp, udp, ip, all, "
					"or a pcap-filter expression)",
					optarg, known ? why : "not a filter");
			else
				xdpi_usage_bad_value(LIVE_USAGE, argv, optarg, known ? why : NULL);
			return -EINVAL;
		}
	}
	if (optind == argc - 1 && (!o->ifname || !strcmp(o->ifname, argv[optind]))) {
		o->ifname = argv[optind];
	} else if (optind != argc || !o->ifname) {
		xdpi_usage_error(LIVE_USAGE,
				 "live takes exactly one IFACE, as -i IFACE or the last "
				 "argument");
		return -EINVAL;
	}
	if ((o->check_seq && !o->inspect) || (o->sender_clock && !o->check_seq)) {
		capture_opts_check(o, err, sizeof(err));
		xdpi_usage_error(LIVE_USAGE, "%s", err);
		return -EINVAL;
	}
	return 0;
}

/* The table and the summary: on stdout unless the JSON lines are. */
static FILE *live_text_out(const struct capture_opts *o)
{
	return o->flows.json_lines && !strcmp(o->flows.json_lines, "-") ? stderr : stdout;
}

/* Reports until the duration ends or a signal comes; returns why it ended.
 * *@fault is set when the run cannot go on (the interface went away): the
 * report still follows, and the exit status says it failed. */
static const char *live_loop(const struct capture_opts *o, struct capture *c, int sigfd,
			     struct live_table *t, struct prom_server *prom, int *fault)
{
	double deadline = o->duration > 0 ? t->started + o->duration : 0;
	double next = o->interval > 0 ? t->started + o->interval : 0;
	double next_prom = 0; /* --prometheus: once a second, whatever the table does */

	if (next)
		live_table_header(t);
	for (;;) {
		struct pollfd pfd = {.fd = sigfd, .events = POLLIN};
		double now = xdpi_now(), wake;
		int timeout, signo;

		if (deadline && now >= deadline)
			return "duration reached";
		if (capture_count_reached(c))
			return "count reached";
		if (next && now >= next) {
			live_table_row(t, c, now);
			next += o->interval;
			continue;
		}
		if (prom && now >= next_prom) {
			prom_publish_capture(prom, c, o->ifname, NULL);
			next_prom = now + 1;
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
		if (poll(&pfd, 1, timeout) > 0 && (signo = xdpi_signals_read(sigfd)))
			return xdpi_signal_name(signo);
	}
}

/* What the run gave up for want of memory (or room), said on stderr once at
 * the end whatever the output format: the figures it concerns are lower
 * bounds, and a JSON reader may not look at those keys. */
static void live_warn_gave_up(const struct capture_result *res)
{
	if (res->total.fw.c.untracked)
		xdpi_warn("flow table: %" PRIu64 " packets of new flows not tracked (out of "
			  "memory, or the table full): connection figures are lower bounds",
			  res->total.fw.c.untracked);
	if (res->total.m.c.distinct_untracked)
		xdpi_warn("distinct counts: %" PRIu64 " keys not stored (out of memory): the "
			  "distinct figures are lower bounds",
			  res->total.m.c.distinct_untracked);
}

/* The record, the summary or JSON, and the ledger's verdict. */
static int live_output(const struct capture_opts *o, struct capture *c, const char *stop_reason,
		       struct prom_server *prom)
{
	struct capture_result res;
	json_t *obj = NULL;
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
	if (o->record && json_dump_file(obj, o->record, JSON_INDENT(1))) {
		xdpi_err("cannot write the record to %s", o->record);
		ret = -EIO;
	}
	if (o->json && report_json_print(stdout, obj))
		ret = -EIO;
	else if (!o->json)
		live_report_print(live_text_out(o), o, &res, stop_reason);
	if (!o->json && capture_ipfix(c))
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

static int live_run(const struct capture_opts *o, int sigfd)
{
	struct live_table table = {0};
	struct prom_server *prom = NULL;
	struct capture *c;
	const char *stop_reason;
	char err[256];
	int ret, fault = 0;

	/* Missing privileges fail here, at once; from here on the threads
	 * start with none effective (capture/privdrop.h). */
	ret = capture_privs_begin(o);
	if (ret)
		return ret;
	/* Before anything is attached: a port in use costs nothing to undo. */
	if (o->flows.prometheus) {
		ret = prom_server_start(&prom, o->flows.prometheus, err, sizeof(err));
		if (ret) {
			xdpi_err("%s", err);
			return ret;
		}
	}
	ret = capture_open(o, &c);
	if (ret) {
		prom_server_stop(prom);
		return ret;
	}
	ret = live_table_init(&table, o->json ? stderr : live_text_out(o), c, 0);
	if (ret)
		xdpi_err("out of memory");
	table.jsonl = capture_jsonl(c);
	if (!ret)
		ret = capture_start(c);
	if (ret) {
		live_table_free(&table);
		capture_close(c);
		prom_server_stop(prom);
		return ret;
	}
	if (o->ceiling)
		xdpi_info("ready: counting and dropping in the XDP program (ceiling mode, no "
			  "sockets)");
	else
		xdpi_info("ready: %d worker%s receiving", capture_queue_count(c),
			  capture_queue_count(c) == 1 ? "" : "s");
	table.started = table.prev_time = xdpi_now();
	stop_reason = live_loop(o, c, sigfd, &table, prom, &fault);
	capture_stop(c);
	ret = live_output(o, c, stop_reason, prom);
	if (!ret)
		ret = fault;
	live_table_free(&table);
	capture_close(c);
	prom_server_stop(prom);
	return ret;
}

int cmd_live(int argc, char **argv)
{
	struct capture_opts *o = malloc(sizeof(*o));
	int sigfd, ret;

	if (!o) {
		xdpi_err("out of memory");
		return XDPI_EXIT_FAIL;
	}
	ret = live_parse(argc, argv, o);
	if (ret) {
		free(o);
		return ret > 0 ? XDPI_EXIT_OK : XDPI_EXIT_USAGE;
	}
	if (o->verbose)
		xdpi_log_set_level(XDPI_LOG_DEBUG);
	if (o->quiet) {
		xdpi_log_set_level(XDPI_LOG_WARN);
		o->interval = 0;
	}
	sigfd = xdpi_signals_fd();
	ret = sigfd < 0 ? sigfd : live_run(o, sigfd);
	if (sigfd >= 0)
		close(sigfd);
	free(o);
	if (ret == -GUARD_REFUSED)
		return XDPI_EXIT_USAGE; /* refused by policy: nothing was attached */
	return ret ? XDPI_EXIT_FAIL : XDPI_EXIT_OK;
}
