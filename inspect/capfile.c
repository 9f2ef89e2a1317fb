// SPDX-License-Identifier: MIT
#include "capfile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include "../util/bytes.h"

#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif
#define CAPFILE_ETH_HLEN 14
/* libpcap's largest snap length. */
#define CAPFILE_SNAP_MAX 262144

/*
 * Link types read besides Ethernet: Linux cooked captures (`tcpdump -i
 * any` writes SLL, newer ones SLL2) and raw IP. Each frame is given an
 * Ethernet header in a scratch buffer in place of its own, so that every
 * stage after (filter, parser, metrics) reads Ethernet as it does live;
 * lengths count as if the frame had been Ethernet (docs/metrics.md).
 */
struct capfile_cooked {
	struct pipeline *p;
	int dlt;
	uint8_t buf[CAPFILE_ETH_HLEN + CAPFILE_SNAP_MAX];
};

/* The link header's length and the frame's EtherType; false if the record
 * is shorter than its link header. */
static bool cooked_header(int dlt, const u_char *b, uint32_t caplen, uint32_t *hlen, uint16_t *type)
{
	switch (dlt) {
	case DLT_LINUX_SLL: /* packet type, ARPHRD, address length, address[8], protocol */
		*hlen = 16;
		if (caplen < *hlen)
			return false;
		*type = xdpi_get_be16(b + 14);
		return true;
	case DLT_LINUX_SLL2: /* protocol, reserved, ifindex, ARPHRD, type, length, address */
		*hlen = 20;
		if (caplen < *hlen)
			return false;
		*type = xdpi_get_be16(b);
		return true;
	default: /* raw IP: the version says which */
		*hlen = 0;
		if (caplen < 1)
			return false;
		*type = (b[0] >> 4) == 6 ? 0x86DD : 0x0800;
		return true;
	}
}

static void capfile_frame_cooked(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct capfile_cooked *c = (struct capfile_cooked *)user;
	uint32_t wire = h->len > h->caplen ? h->len : h->caplen, hlen, cap;
	uint16_t type;

	if (!cooked_header(c->dlt, bytes, h->caplen, &hlen, &type)) {
		/* Shorter than its link header: counts as a cut Ethernet one. */
		wire = wire + CAPFILE_ETH_HLEN > hlen ? wire + CAPFILE_ETH_HLEN - hlen : 0;
		pipeline_frame(c->p, c->buf, 0, wire, 0, c->p->cfg.filter != NULL, true, false);
		return;
	}
	cap = h->caplen - hlen;
	if (cap > CAPFILE_SNAP_MAX)
		cap = CAPFILE_SNAP_MAX;
	memset(c->buf, 0, 12);
	/* SLL2's address: the sender's link address, where it is a MAC. */
	if (c->dlt == DLT_LINUX_SLL2 && bytes[11] == 6)
		memcpy(c->buf + 6, bytes + 12, 6);
	else if (c->dlt == DLT_LINUX_SLL && xdpi_get_be16(bytes + 4) == 6)
		memcpy(c->buf + 6, bytes + 6, 6);
	xdpi_put_be16(c->buf + 12, type);
	memcpy(c->buf + CAPFILE_ETH_HLEN, bytes + hlen, cap);
	pipeline_frame(c->p, c->buf, cap + CAPFILE_ETH_HLEN, wire - hlen + CAPFILE_ETH_HLEN, 0,
		       c->p->cfg.filter != NULL, true, false);
}

static bool capfile_cooked_link(int dlt)
{
	return dlt == DLT_LINUX_SLL || dlt == DLT_LINUX_SLL2 || dlt == DLT_RAW || dlt == DLT_IPV4 ||
	       dlt == DLT_IPV6;
}

static void capfile_frame(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct pipeline *p = (struct pipeline *)user;
	/* A record claiming fewer bytes on the wire than it holds is broken;
	 * the parser then trusts the capture, and so do the byte counts. */
	uint32_t wire = h->len > h->caplen ? h->len : h->caplen;

	/* Offline there are no generator stamps to time: no sequence check. */
	pipeline_frame(p, bytes, h->caplen, wire, 0, p->cfg.filter != NULL, true, false);
}

int capfile_inspect(const char *path, struct pipeline *p, struct capfile_result *res, char *err,
		    size_t err_len)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	uint64_t frames = p->m.c.packets, snapped = p->snapped, filtered = p->filtered_out;
	pcap_t *pc;
	int ret, dlt;

	memset(res, 0, sizeof(*res));
	pc = pcap_open_offline(path, errbuf);
	if (!pc) {
		/* libpcap's text names the cause (missing, bad magic, ...) and
		 * sometimes the file. */
		if (strstr(errbuf, path))
			snprintf(err, err_len, "%s", errbuf);
		else
			snprintf(err, err_len, "%s: %s", path, errbuf);
		return -EINVAL;
	}
	dlt = pcap_datalink(pc);
	res->link = pcap_datalink_val_to_name(dlt);
	if (dlt == DLT_EN10MB) {
		ret = pcap_loop(pc, -1, capfile_frame, (u_char *)p);
	} else if (capfile_cooked_link(dlt)) {
		struct capfile_cooked *c = malloc(sizeof(*c));

		if (!c) {
			snprintf(err, err_len, "out of memory");
			pcap_close(pc);
			return -ENOMEM;
		}
		c->p = p;
		c->dlt = dlt;
		ret = pcap_loop(pc, -1, capfile_frame_cooked, (u_char *)c);
		free(c);
	} else {
		snprintf(err, err_len,
			 "%s: link type %s (%d) is not one xdpi reads (Ethernet, Linux cooked "
			 "SLL/SLL2, raw IP)",
			 path, pcap_datalink_val_to_name(dlt) ?: "unknown", dlt);
		pcap_close(pc);
		return -EPROTONOSUPPORT;
	}
	res->frames = p->m.c.packets - frames;
	res->snapped = p->snapped - snapped;
	res->filtered_out = p->filtered_out - filtered;
	if (ret == PCAP_ERROR) {
		const char *why = pcap_geterr(pc);

		/* libpcap reports a short last record as an error; for a
		 * capture cut off by a crash or a full disk the records before
		 * it are good, so keep them and warn. A link-type change inside
		 * a pcapng file is a real error. */
		if (strstr(why, "truncated")) {
			res->truncated = true;
			snprintf(res->warning, sizeof(res->warning), "%s: %s", path, why);
		} else {
			snprintf(err, err_len, "%s: %s", path, why);
			pcap_close(pc);
			return -EIO;
		}
	}
	pcap_close(pc);
	return 0;
}
