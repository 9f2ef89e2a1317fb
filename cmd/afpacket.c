// SPDX-License-Identifier: MIT
/*
 * xdpi afpacket: the AF_PACKET baseline `xdpi bench` compares with. It
 * captures through libpcap (TPACKET_V3 ring on Linux) the way tcpdump does,
 * counts the frames, and reports the kernel's own drop count (pcap_stats).
 */
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <jansson.h>
#include <pcap/pcap.h>

#include "cmd.h"

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

int cmd_afpacket(int argc, char **argv)
{
	static const struct option opts[] = {
		{"duration", required_argument, NULL, 'd'},
		{"cpu", required_argument, NULL, 'c'},
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	char errbuf[PCAP_ERRBUF_SIZE];
	struct afp_count cnt = {0};
	struct pcap_stat st = {0};
	double duration = 0, start;
	bool json = false;
	uint32_t cpu = UINT32_MAX;
	sigset_t mask;
	int c, sfd, fd, ret = XDPI_EXIT_FAIL;
	pcap_t *p;

	optind = 1;
	while ((c = getopt_long(argc, argv, "d:c:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			if (xdpi_parse_seconds(optarg, &duration))
				goto usage;
			break;
		case 'c':
			if (xdpi_parse_u32(optarg, 0, CPU_SETSIZE - 1, &cpu))
				goto usage;
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			afp_usage(stdout);
			return XDPI_EXIT_OK;
		default:
			goto usage;
		}
	}
	if (optind != argc - 1)
		goto usage;
	if (cpu != UINT32_MAX) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set)) {
			xdpi_err("cannot pin to CPU %u", cpu);
			return XDPI_EXIT_FAIL;
		}
	}
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	if (sfd < 0) {
		xdpi_err("cannot set up signal handling");
		return XDPI_EXIT_FAIL;
	}

	p = pcap_create(argv[optind], errbuf);
	if (!p) {
		xdpi_err("%s", errbuf);
		return XDPI_EXIT_FAIL;
	}
	pcap_set_snaplen(p, 262144);
	pcap_set_buffer_size(p, 64 << 20);
	pcap_set_timeout(p, 100);
	if (pcap_activate(p) < 0) {
		xdpi_err("%s: %s", argv[optind], pcap_geterr(p));
		goto out;
	}
	if (pcap_setnonblock(p, 1, errbuf) || (fd = pcap_get_selectable_fd(p)) < 0) {
		xdpi_err("%s: cannot poll the capture", argv[optind]);
		goto out;
	}
	fprintf(stderr, "xdpi: ready: capturing %s with libpcap (%s)\n", argv[optind],
		pcap_lib_version());
	start = xdpi_now();
	for (;;) {
		struct pollfd pfd[2] = {{.fd = fd, .events = POLLIN},
					{.fd = sfd, .events = POLLIN}};
		double left = duration ? start + duration - xdpi_now() : 1;

		if (left <= 0)
			break;
		if (poll(pfd, 2, (int)(left * 1000) + 1) < 0 || pfd[1].revents)
			break;
		while (pcap_dispatch(p, -1, afp_frame, (u_char *)&cnt) > 0)
			;
	}
	while (pcap_dispatch(p, -1, afp_frame, (u_char *)&cnt) > 0)
		;
	pcap_stats(p, &st);
	if (json)
		printf("{\"packets\":%" PRIu64 ",\"bytes\":%" PRIu64
		       ",\"ps_recv\":%u,\"ps_drop\":%u,\"ps_ifdrop\":%u,\"seconds\":%.3f}\n",
		       cnt.packets, cnt.bytes, st.ps_recv, st.ps_drop, st.ps_ifdrop,
		       xdpi_now() - start);
	else
		printf("captured %" PRIu64 " frames (%" PRIu64 " bytes); libpcap: received %u, "
		       "dropped %u, interface dropped %u\n",
		       cnt.packets, cnt.bytes, st.ps_recv, st.ps_drop, st.ps_ifdrop);
	ret = XDPI_EXIT_OK;
out:
	pcap_close(p);
	close(sfd);
	return ret;
usage:
	afp_usage(stderr);
	return XDPI_EXIT_USAGE;
}
