// SPDX-License-Identifier: MIT
/*
 * xdpi afpacket: the AF_PACKET baseline `xdpi bench` compares with
 * (bench/afpacket.h, which bench drives in-process), as a command: counts
 * the frames, and reports the kernel's own drop count (pcap_stats).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <stddef.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include "cmd.h"
#include "../bench/afpacket.h"
#include "../export/afpacket_report.h"
#include "../export/report.h"
#include "../util/signals.h"

static const char afp_usage_line[] =
	"Usage: xdpi afpacket [-c N] [-d S] [--cpu N] [--json] [-i] IFACE";

struct afp_opts {
	const char *ifname;
	double duration;
	uint64_t count; /* 0: no limit */
	uint32_t cpu;	/* UINT32_MAX: not pinned */
	bool json;
};

static int afp_cpu_explain(const char *arg, char *err, size_t err_len)
{
	(void)arg;
	snprintf(err, err_len, "0..%d", CPU_SETSIZE - 1);
	return 1;
}

#define AO(m) offsetof(struct afp_opts, m)

static const struct opttab_row afp_rows[] = {
	{OPTTAB_STRING, "interface", 'i', .off = AO(ifname), .metavar = "IFACE",
	 .help = "the interface to capture (or IFACE last)"},
	{OPTTAB_U64, "count", 'c', .off = AO(count), .min = 1, .max = UINT32_MAX,
	 .valid = "1..4294967295", .metavar = "N", .flags = OPTTAB_NO_DEFAULT,
	 .help = "stop after N frames"},
	{OPTTAB_SECONDS, "duration", 'd', .off = AO(duration), .valid = "seconds, e.g. 0.5 or 10",
	 .metavar = "S", .def_doc = "at SIGINT", .help = "stop after S seconds"},
	{OPTTAB_U32, "cpu", .off = AO(cpu), .def_u = UINT32_MAX, .max = CPU_SETSIZE - 1,
	 .explain = afp_cpu_explain, .metavar = "N", .def_doc = "not pinned",
	 .help = "pin to CPU N"},
	{OPTTAB_FLAG, "json", 'j', .off = AO(json), .help = "one JSON object on stdout"},
	{OPTTAB_ACTION, "help", 'h', .help = "this text"},
	{OPTTAB_END},
};

static struct opttab afp_tab;

static void afp_usage(FILE *out)
{
	fprintf(out,
		"%s\n\n"
		"Captures IFACE with libpcap (AF_PACKET, TPACKET_V3, 64 MiB ring,\n"
		"full snap length) and counts frames: the AF_PACKET baseline of\n"
		"`xdpi bench`. Reports libpcap's received and dropped counters.\n\n"
		"Options:\n",
		afp_usage_line);
	opttab_help(&afp_tab, out);
}

/* Returns 0, 1 after --help, or -EINVAL (said). */
static int afp_parse(int argc, char **argv, struct afp_opts *o)
{
	int c;

	memset(o, 0, sizeof(*o));
	c = xdpi_opttab_parse(&afp_tab, afp_rows, "afpacket", o, afp_usage_line, afp_usage, argc,
			      argv);
	if (c)
		return c;
	if (optind < argc && !o->ifname)
		o->ifname = argv[optind++];
	if (!o->ifname || optind != argc) {
		xdpi_usage_error(afp_usage_line,
				 "takes exactly one IFACE (-i IFACE, or IFACE last)");
		return -EINVAL;
	}
	return 0;
}

/* Counts until the duration ends, @count frames came (0: no limit) or a
 * signal comes, then what is left (up to @count). Returns why it
 * stopped: "duration", "count" or "signal". */
static const char *afp_loop(struct afp_rx *a, int sigfd, const struct afp_opts *o, int *signo)
{
	struct afp_counts cnt;
	double duration = o->duration;
	const char *why = "signal";

	double start = xdpi_now();

	for (;;) {
		struct pollfd pfd[2] = {{.fd = afp_rx_fd(a), .events = POLLIN},
					{.fd = sigfd, .events = POLLIN}};
		double left = duration ? start + duration - xdpi_now() : 1;

		if (left <= 0) {
			why = "duration";
			break;
		}
		if (poll(pfd, 2, (int)(left * 1000) + 1) < 0)
			break;
		if (pfd[1].revents) {
			*signo = xdpi_signals_read(sigfd);
			break;
		}
		afp_rx_drain(a, o->count);
		afp_rx_counts(a, &cnt);
		if (o->count && cnt.packets >= o->count)
			return "count";
	}
	afp_rx_drain(a, o->count);
	return why;
}

int cmd_afpacket(int argc, char **argv)
{
	struct afpacket_report r = {0};
	struct afp_counts cnt;
	struct afp_opts o;
	int sigfd, ret, signo = 0;
	struct afp_rx *a;
	double start;

	ret = afp_parse(argc, argv, &o);
	if (ret)
		return ret > 0 ? XDPI_EXIT_OK : XDPI_EXIT_USAGE;
	ret = XDPI_EXIT_OK;
	if (o.cpu != UINT32_MAX) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(o.cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set)) {
			xdpi_err("cannot pin to CPU %u", o.cpu);
			return XDPI_EXIT_FAIL;
		}
	}
	sigfd = xdpi_signals_fd();
	if (sigfd < 0)
		return XDPI_EXIT_FAIL;
	a = afp_rx_open(o.ifname);
	if (!a) {
		close(sigfd);
		return XDPI_EXIT_FAIL;
	}
	xdpi_info("ready: capturing %s with libpcap (%s)", o.ifname, afp_rx_lib_version());
	r.start = report_wall_now();
	start = xdpi_now();
	r.stop_reason = afp_loop(a, sigfd, &o, &signo);
	r.seconds = xdpi_now() - start;
	r.end = report_wall_now();
	afp_rx_counts(a, &cnt);
	r.ifname = o.ifname;
	r.packets = cnt.packets;
	r.bytes = cnt.bytes;
	r.ps_recv = cnt.ps_recv;
	r.ps_drop = cnt.ps_drop;
	r.ps_ifdrop = cnt.ps_ifdrop;
	r.signal = signo > 0 ? xdpi_signal_name(signo) : NULL;
	if (o.json) {
		json_t *obj = afpacket_report_json(&r);

		if (!obj || report_json_print(stdout, obj))
			ret = XDPI_EXIT_FAIL;
		json_decref(obj);
	} else {
		afpacket_report_print(stdout, &r);
	}
	afp_rx_close(a);
	close(sigfd);
	return ret;
}
