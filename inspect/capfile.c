// SPDX-License-Identifier: MIT
#include "capfile.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <pcap/pcap.h>

struct capfile_ctx {
	struct metrics *m;
	struct capfile_result *res;
	enum xdpi_filter filter;
};

static void capfile_frame(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct capfile_ctx *ctx = (struct capfile_ctx *)user;
	struct pkt_info pi;

	if (ctx->filter != XDPI_FILTER_ALL && !xdpi_filter_match(ctx->filter, bytes, h->caplen)) {
		ctx->res->filtered_out++;
		return;
	}
	/* A record claiming fewer bytes on the wire than it holds is broken;
	 * the parser then trusts the capture, and so do the byte counts. */
	uint32_t wire = h->len > h->caplen ? h->len : h->caplen;

	pkt_parse_wire(bytes, h->caplen, wire, &pi);
	metrics_account(ctx->m, &pi, wire);
	ctx->res->snapped += h->caplen < h->len;
}

int capfile_inspect(const char *path, enum xdpi_filter filter, struct metrics *m,
		    struct capfile_result *res, char *err, size_t err_len)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	struct capfile_ctx ctx = {.m = m, .res = res, .filter = filter};
	uint64_t before = m->c.packets;
	pcap_t *p;
	int ret, dlt;

	memset(res, 0, sizeof(*res));
	p = pcap_open_offline(path, errbuf);
	if (!p) {
		/* libpcap's text names the cause (missing, bad magic, ...) and
		 * sometimes the file. */
		if (strstr(errbuf, path))
			snprintf(err, err_len, "%s", errbuf);
		else
			snprintf(err, err_len, "%s: %s", path, errbuf);
		return -EINVAL;
	}
	dlt = pcap_datalink(p);
	if (dlt != DLT_EN10MB) {
		snprintf(err, err_len, "%s: link type %s (%d) is not Ethernet", path,
			 pcap_datalink_val_to_name(dlt) ?: "unknown", dlt);
		pcap_close(p);
		return -EPROTONOSUPPORT;
	}
	ret = pcap_loop(p, -1, capfile_frame, (u_char *)&ctx);
	res->frames = m->c.packets - before;
	if (ret == PCAP_ERROR) {
		const char *why = pcap_geterr(p);

		/* libpcap reports a short last record as an error; for a
		 * capture cut off by a crash or a full disk the records before
		 * it are good, so keep them and warn. A link-type change inside
		 * a pcapng file is a real error. */
		if (strstr(why, "truncated")) {
			res->truncated = true;
			snprintf(res->warning, sizeof(res->warning), "%s: %s", path, why);
		} else {
			snprintf(err, err_len, "%s: %s", path, why);
			pcap_close(p);
			return -EIO;
		}
	}
	pcap_close(p);
	return 0;
}
