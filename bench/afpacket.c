// SPDX-License-Identifier: MIT
/* The AF_PACKET receiver (bench/afpacket.h): libpcap, counting frames. */
#include "afpacket.h"

#include <stdlib.h>

#include <pcap/pcap.h>

#include "../util/log.h"

struct afp_rx {
	pcap_t *p;
	int fd;
	uint64_t packets, bytes;
};

static void afp_frame(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct afp_rx *a = (struct afp_rx *)user;

	(void)bytes;
	a->packets++;
	a->bytes += h->len;
}

struct afp_rx *afp_rx_open(const char *ifname)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct afp_rx *a = calloc(1, sizeof(*a));

	if (!a) {
		xdpi_err("out of memory");
		return NULL;
	}
	a->p = pcap_create(ifname, errbuf);
	if (!a->p) {
		xdpi_err("%s", errbuf);
		free(a);
		return NULL;
	}
	pcap_set_snaplen(a->p, 262144);
	pcap_set_buffer_size(a->p, 64 << 20);
	pcap_set_timeout(a->p, 100);
	if (pcap_activate(a->p) < 0) {
		xdpi_err("%s: %s", ifname, pcap_geterr(a->p));
		afp_rx_close(a);
		return NULL;
	}
	/* Non-blocking, so that the caller waits on it and on its own
	 * events at once. */
	if (pcap_setnonblock(a->p, 1, errbuf) || (a->fd = pcap_get_selectable_fd(a->p)) < 0) {
		xdpi_err("%s: cannot poll the capture", ifname);
		afp_rx_close(a);
		return NULL;
	}
	return a;
}

int afp_rx_fd(const struct afp_rx *a)
{
	return a->fd;
}

int afp_rx_dispatch(struct afp_rx *a, uint64_t count)
{
	int max = -1;

	if (count) {
		if (a->packets >= count)
			return 0;
		max = count - a->packets > INT32_MAX ? INT32_MAX : (int)(count - a->packets);
	}
	return pcap_dispatch(a->p, max, afp_frame, (u_char *)a);
}

void afp_rx_drain(struct afp_rx *a, uint64_t count)
{
	while (afp_rx_dispatch(a, count) > 0)
		;
}

void afp_rx_counts(struct afp_rx *a, struct afp_counts *out)
{
	struct pcap_stat st = {0};

	pcap_stats(a->p, &st);
	*out = (struct afp_counts){.packets = a->packets,
				   .bytes = a->bytes,
				   .ps_recv = st.ps_recv,
				   .ps_drop = st.ps_drop,
				   .ps_ifdrop = st.ps_ifdrop};
}

const char *afp_rx_lib_version(void)
{
	return pcap_lib_version();
}

void afp_rx_close(struct afp_rx *a)
{
	if (!a)
		return;
	if (a->p)
		pcap_close(a->p);
	free(a);
}
