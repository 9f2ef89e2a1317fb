// SPDX-License-Identifier: MIT
#include "capfile.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <pcap/pcap.h>

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
	if (dlt != DLT_EN10MB) {
		snprintf(err, err_len, "%s: link type %s (%d) is not Ethernet", path,
			 pcap_datalink_val_to_name(dlt) ?: "unknown", dlt);
		pcap_close(pc);
		return -EPROTONOSUPPORT;
	}
	ret = pcap_loop(pc, -1, capfile_frame, (u_char *)p);
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
