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

static void afp_usage(FILE *out)
{
	fprintf(out, "Usage: xdpi afpacket [-d S] [-c CPU] [--json] IFACE\n\n"
		     "Captures IFACE with libpcap (AF_PACKET, TPACKET_V3, 64 MiB ring,\n"
		     "full snap length) and counts frames: the AF_PACKET baseline of\n"
		     "`xdpi bench`. Reports libpcap's received and dropped counters.\n\n"
		     "  -d, --duration S  stop after S seconds (default: at SIGINT)\n"
		     "  -c, --cpu N       pin to CPU N\n"
		     "  -j, --json        one JSON object on stdout\n");
}

struct afp_opts {
	const char *ifname;
	double duration;
	uint32_t cpu; /* UINT32_MAX: not pinned */
	bool json;
};

/* Returns 0, 1 after --help, or -EINVAL (usage printed). */
static int afp_parse(int argc, char **argv, struct afp_opts *o)
{
	static const struct option opts[] = {
		{"duration", required_argument, NULL, 'd'},
		{"cpu", required_argument, NULL, 'c'},
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	int c;

	*o = (struct afp_opts){.cpu = UINT32_MAX};
	optind = 1;
	while ((c = getopt_long(argc, argv, "d:c:jh", opts, NULL)) != -1) {
		if (c == 'h') {
			afp_usage(stdout);
			return 1;
		}
		if ((c == 'd' && !xdpi_parse_seconds(optarg, &o->duration)) ||
		    (c == 'c' && !xdpi_parse_u32(optarg, 0, CPU_SETSIZE - 1, &o->cpu)))
			continue;
		if (c == 'j') {
			o->json = true;
			continue;
		}
		afp_usage(stderr);
		return -EINVAL;
	}
	if (optind != argc - 1) {
		afp_usage(stderr);
		return -EINVAL;
	}
	o->ifname = argv[optind];
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

/* Counts until the duration ends or a signal comes, then what is left. */
static void afp_loop(pcap_t *p, int fd, int sigfd, double duration, struct afp_count *cnt)
{
	double start = xdpi_now();

	for (;;) {
		struct pollfd pfd[2] = {{.fd = fd, .events = POLLIN},
					{.fd = sigfd, .events = POLLIN}};
		double left = duration ? start + duration - xdpi_now() : 1;

		if (left <= 0)
			break;
		if (poll(pfd, 2, (int)(left * 1000) + 1) < 0 || pfd[1].revents)
			break;
		while (pcap_dispatch(p, -1, afp_frame, (u_char *)cnt) > 0)
			;
	}
	while (pcap_dispatch(p, -1, afp_frame, (u_char *)cnt) > 0)
		;
}

int cmd_afpacket(int argc, char **argv)
{
	struct afp_count cnt = {0};
	struct pcap_stat st = {0};
	struct afp_opts o;
	int fd, sigfd, ret;
	double start;
	pcap_t *p;

	ret = afp_parse(argc, argv, &o);
	if (ret)
		return ret > 0 ? XDPI_EXIT_OK : XDPI_EXIT_USAGE;
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
	start = xdpi_now();
	afp_loop(p, fd, sigfd, o.duration, &cnt);
	pcap_stats(p, &st);
	if (o.json)
		printf("{\"packets\":%" PRIu64 ",\"bytes\":%" PRIu64
		       ",\"ps_recv\":%u,\"ps_drop\":%u,\"ps_ifdrop\":%u,\"seconds\":%.3f}\n",
		       cnt.packets, cnt.bytes, st.ps_recv, st.ps_drop, st.ps_ifdrop,
		       xdpi_now() - start);
	else
		printf("captured %" PRIu64 " frames (%" PRIu64 " bytes); libpcap: received %u, "
		       "dropped %u, interface dropped %u\n",
		       cnt.packets, cnt.bytes, st.ps_recv, st.ps_drop, st.ps_ifdrop);
	pcap_close(p);
	close(sigfd);
	return XDPI_EXIT_OK;
}
