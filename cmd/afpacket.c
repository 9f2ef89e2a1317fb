// SPDX-License-Identifier: MIT
/*
 * xdpi afpacket: the AF_PACKET baseline `xdpi bench` compares with. It
 * captures through libpcap (TPACKET_V3 ring on Linux) the way tcpdump does,
 * counts the frames, and reports the kernel's own drop count (pcap_stats).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <pcap/pcap.h>

#include "cmd.h"
#include "../export/afpacket_report.h"
#include "../export/report.h"
#include "../util/signals.h"

struct afp_count {
	uint64_t packets, bytes;
};

static void afp_frame(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct afp_count *c = (struct afp_count *)user;

	(void)bytes;
	c->packets++;
	c->bytes += h->len;
}

static const char afp_usage_line[] =
	"Usage: xdpi afpacket [-c N] [-d S] [--cpu N] [--json] [-i] IFACE";

static void afp_usage(FILE *out)
{
	fprintf(out,
		"%s\n\n"
		"Captures IFACE with libpcap (AF_PACKET, TPACKET_V3, 64 MiB ring,\n"
		"full snap length) and counts frames: the AF_PACKET baseline of\n"
		"`xdpi bench`. Reports libpcap's received and dropped counters.\n\n"
		"Options:\n"
		"  -i, --interface IFACE  the interface to capture (or IFACE last)\n"
		"  -c, --count N     stop after N frames\n"
		"  -d, --duration S  stop after S seconds (default: at SIGINT)\n"
		"      --cpu N       pin to CPU N\n"
		"  -j, --json        one JSON object on stdout\n"
		"  -h, --help        this text\n",
		afp_usage_line);
}

enum { OPT_CPU = 256 };

struct afp_opts {
	const char *ifname;
	double duration;
	uint64_t count; /* 0: no limit */
	uint32_t cpu;	/* UINT32_MAX: not pinned */
	bool json;
};

/* Returns 0, 1 after --help, or -EINVAL (said). */
static int afp_parse(int argc, char **argv, struct afp_opts *o)
{
	static const struct option opts[] = {
		{"interface", required_argument, NULL, 'i'},
		{"count", required_argument, NULL, 'c'},
		{"duration", required_argument, NULL, 'd'},
		{"cpu", required_argument, NULL, OPT_CPU},
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	char valid[64];
	uint32_t u;
	int c;

	*o = (struct afp_opts){.cpu = UINT32_MAX};
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":i:c:d:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			afp_usage(stdout);
			return 1;
		case 'i':
			o->ifname = optarg;
			break;
		case 'c':
			if (xdpi_parse_u32(optarg, 1, UINT32_MAX, &u)) {
				xdpi_usage_bad_value(afp_usage_line, argv, optarg, "1..4294967295");
				return -EINVAL;
			}
			o->count = u;
			break;
		case 'd':
			if (xdpi_parse_seconds(optarg, &o->duration)) {
				xdpi_usage_bad_value(afp_usage_line, argv, optarg,
						     "seconds, e.g. 0.5 or 10");
				return -EINVAL;
			}
			break;
		case OPT_CPU:
			if (xdpi_parse_u32(optarg, 0, CPU_SETSIZE - 1, &o->cpu)) {
				snprintf(valid, sizeof(valid), "0..%d", CPU_SETSIZE - 1);
				xdpi_usage_bad_value(afp_usage_line, argv, optarg, valid);
				return -EINVAL;
			}
			break;
		case 'j':
			o->json = true;
			break;
		default:
			xdpi_usage_getopt(afp_usage_line, argv, c, opts);
			return -EINVAL;
		}
	}
	if (optind < argc && !o->ifname)
		o->ifname = argv[optind++];
	if (!o->ifname || optind != argc) {
		xdpi_usage_error(afp_usage_line,
				 "takes exactly one IFACE (-i IFACE, or IFACE last)");
		return -EINVAL;
	}
	return 0;
}

/* A capture set up the way tcpdump sets one up, non-blocking so that the
 * loop can wait on it and on the signals at once. NULL after an error. */
static pcap_t *afp_open(const char *ifname, int *fd)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_create(ifname, errbuf);

	if (!p) {
		xdpi_err("%s", errbuf);
		return NULL;
	}
	pcap_set_snaplen(p, 262144);
	pcap_set_buffer_size(p, 64 << 20);
	pcap_set_timeout(p, 100);
	if (pcap_activate(p) < 0) {
		xdpi_err("%s: %s", ifname, pcap_geterr(p));
		pcap_close(p);
		return NULL;
	}
	if (pcap_setnonblock(p, 1, errbuf) || (*fd = pcap_get_selectable_fd(p)) < 0) {
		xdpi_err("%s: cannot poll the capture", ifname);
		pcap_close(p);
		return NULL;
	}
	return p;
}

/* One batch, never past @count frames in all (0: no limit). */
static int afp_dispatch(pcap_t *p, uint64_t count, struct afp_count *cnt)
{
	int max = -1;

	if (count) {
		if (cnt->packets >= count)
			return 0;
		max = count - cnt->packets > INT32_MAX ? INT32_MAX : (int)(count - cnt->packets);
	}
	return pcap_dispatch(p, max, afp_frame, (u_char *)cnt);
}

/* Counts until the duration ends, @count frames came (0: no limit) or a
 * signal comes, then what is left (up to @count). Returns why it
 * stopped: "duration", "count" or "signal". */
static const char *afp_loop(pcap_t *p, int fd, int sigfd, const struct afp_opts *o,
			    struct afp_count *cnt, int *signo)
{
	double duration = o->duration;
	const char *why = "signal";

	double start = xdpi_now();

	for (;;) {
		struct pollfd pfd[2] = {{.fd = fd, .events = POLLIN},
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
		while (afp_dispatch(p, o->count, cnt) > 0)
			;
		if (o->count && cnt->packets >= o->count)
			return "count";
	}
	while (afp_dispatch(p, o->count, cnt) > 0)
		;
	return why;
}

int cmd_afpacket(int argc, char **argv)
{
	struct afp_count cnt = {0};
	struct pcap_stat st = {0};
	struct afpacket_report r = {0};
	struct afp_opts o;
	int fd, sigfd, ret, signo = 0;
	double start;
	pcap_t *p;

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
	p = afp_open(o.ifname, &fd);
	if (!p) {
		close(sigfd);
		return XDPI_EXIT_FAIL;
	}
	xdpi_info("ready: capturing %s with libpcap (%s)", o.ifname, pcap_lib_version());
	r.start = report_wall_now();
	start = xdpi_now();
	r.stop_reason = afp_loop(p, fd, sigfd, &o, &cnt, &signo);
	r.seconds = xdpi_now() - start;
	r.end = report_wall_now();
	pcap_stats(p, &st);
	r.ifname = o.ifname;
	r.packets = cnt.packets;
	r.bytes = cnt.bytes;
	r.ps_recv = st.ps_recv;
	r.ps_drop = st.ps_drop;
	r.ps_ifdrop = st.ps_ifdrop;
	r.signal = signo > 0 ? xdpi_signal_name(signo) : NULL;
	if (o.json) {
		json_t *obj = afpacket_report_json(&r);

		if (!obj || report_json_print(stdout, obj))
			ret = XDPI_EXIT_FAIL;
		json_decref(obj);
	} else {
		afpacket_report_print(stdout, &r);
	}
	pcap_close(p);
	close(sigfd);
	return ret;
}
