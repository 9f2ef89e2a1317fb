// SPDX-License-Identifier: MIT
/* xdpi compare: re-check a live run record offline, and optionally hold its
 * metrics against `xdpi read` of the traffic that was sent. */
#include <errno.h>
#include <getopt.h>
#include <stddef.h>
#include <pcap/pcap.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "../capture/ledger.h"
#include "../export/compare_report.h"
#include "../capture/ledger_report.h"
#include "../export/report.h"
#include "../inspect/capfile.h"

static const char compare_usage_line[] =
	"Usage: xdpi compare [--pcap TRAFFIC.pcap] [--json] RECORD.json";

struct compare_opts {
	const char *pcap;
	bool json;
};

#define CO(m) offsetof(struct compare_opts, m)

static const struct opttab_row compare_rows[] = {
	{OPTTAB_STRING, "pcap", .off = CO(pcap), .metavar = "FILE",
	 .help = "the traffic that was sent"},
	{OPTTAB_FLAG, "json", 'j', .off = CO(json),
	 .help = "one JSON object on stdout: the ledger, its verdict and, with --pcap, the "
		 "metrics that differ"},
	{OPTTAB_ACTION, "help", 'h', .help = "this text"},
	{OPTTAB_END},
};

static struct opttab compare_tab;

static void compare_usage(FILE *out)
{
	fprintf(out,
		"%s\n\n"
		"Re-checks the drop ledger of a record written by `xdpi live --record`:\n"
		"recomputes redirected - inspected - socket drops per queue from the raw\n"
		"counters and prints the ledger. With --pcap, also reads the traffic\n"
		"that was sent (with the record's filter, as the XDP program would) and\n"
		"compares every metric with the live run's.\n\n"
		"Options:\n",
		compare_usage_line);
	opttab_help(&compare_tab, out);
	fputs("\nExit status: 0 when the ledger closes (and the metrics match), 1 when\n"
	      "not or the files are unreadable, 2 on a usage error.\n",
	      out);
}

/* Returns 0, 1 after --help, or -EINVAL (said). */
static int compare_parse(int argc, char **argv, struct compare_opts *o)
{
	int c;

	c = xdpi_opttab_parse(&compare_tab, compare_rows, "compare", o, compare_usage_line,
			      compare_usage, argc, argv);
	if (c)
		return c;
	if (optind != argc - 1) {
		xdpi_usage_error(compare_usage_line, "takes exactly one RECORD");
		return -EINVAL;
	}
	return 0;
}

/* @pcap through the pipeline, with the filter the run had: the metrics the
 * run should have, as JSON; NULL after an error (said). */
static json_t *offline_metrics(const char *pcap, const struct xdpi_filter *filter,
			       struct capfile_result *res)
{
	struct pipeline pipe;
	json_t *offline;
	char err[512];

	if (pipeline_init(&pipe, &(struct pipeline_config){.filter = filter, .inspect = true})) {
		xdpi_err("out of memory");
		return NULL;
	}
	if (capfile_inspect(pcap, &pipe, res, err, sizeof(err))) {
		xdpi_err("%s", err);
		pipeline_destroy(&pipe);
		return NULL;
	}
	offline = report_metrics_json(&pipe.m);
	pipeline_destroy(&pipe);
	if (!offline)
		xdpi_err("out of memory");
	return offline;
}

/* Ethernet header and two VLAN tags: the longest frame an interface of
 * MTU m receives is m + this (as --max-frame's default). */
#define FRAME_OVER_MTU 22

/* The pcap's frames longer than the run's interface could receive, and
 * the longest: what GRO/GSO leaves in a capture. A separate pass over the
 * headers alone; 0 or -1 after an error (said). */
static int compare_oversize(struct compare_report *r)
{
	json_t *mtu = json_object_get(json_object_get(r->rec, "nic"), "mtu");
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	pcap_t *pc;

	if (!json_is_integer(mtu) || json_integer_value(mtu) <= 0 ||
	    json_integer_value(mtu) > 65535)
		return 0; /* an older record: nothing to hold the frames to */
	r->frame_limit = (uint32_t)json_integer_value(mtu) + FRAME_OVER_MTU;
	pc = pcap_open_offline(r->pcap, errbuf);
	if (!pc) {
		xdpi_err("%s: %s", r->pcap, errbuf);
		return -1;
	}
	while (pcap_next_ex(pc, &h, &data) == 1) {
		if (h->len <= r->frame_limit)
			continue;
		r->pcap_oversize++;
		if (h->len > r->pcap_max_len)
			r->pcap_max_len = h->len;
	}
	pcap_close(pc);
	return 0;
}

/* The record's metrics against the pcap read offline: fills @r. 0 or -1
 * after an error (said). */
static int compare_pcap(struct compare_report *r)
{
	const char *filter_text = json_string_value(json_object_get(r->rec, "filter"));
	struct xdpi_filter filter;
	struct capfile_result res;
	json_t *offline;
	char err[512];

	/* The record's filter, a keyword or an expression, as `xdpi live`
	 * compiled it. */
	if (!filter_text || xdpi_filter_compile(&filter, filter_text, err, sizeof(err))) {
		xdpi_err("%s: no valid \"filter\" in the record%s%s", r->record,
			 filter_text ? ": " : "", filter_text ? err : "");
		return -1;
	}
	if (!json_is_true(json_object_get(r->rec, "inspect")))
		xdpi_warn("the run had inspection off: only packets and bytes can match");
	offline = offline_metrics(r->pcap, &filter, &res);
	xdpi_filter_destroy(&filter);
	if (!offline)
		return -1;
	/* res.frames: the frames the filter selected, what the run should
	 * have been steered. */
	r->pcap_frames = res.frames;
	r->pcap_not_steered = res.filtered_out;
	r->diffs = compare_diffs(r->rec, offline);
	json_decref(offline);
	if (!r->diffs) {
		xdpi_err("out of memory");
		return -1;
	}
	if (compare_oversize(r))
		return -1;
	r->metrics = compare_report_verdict(r);
	return 0;
}

/* The record, or NULL after saying why it is not one. */
static json_t *compare_load(const char *path)
{
	static const uint32_t magics[] = {0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d, 0x4d3cb2a1,
					  0x0a0d0d0a};
	json_error_t jerr;
	uint32_t magic = 0;
	json_t *rec = json_load_file(path, 0, &jerr);
	FILE *f;

	if (rec)
		return rec;
	if (json_error_code(&jerr) == json_error_cannot_open_file) {
		xdpi_err("%s: %s", path, jerr.text);
		return NULL;
	}
	f = fopen(path, "rbe");
	if (f) {
		if (fread(&magic, sizeof(magic), 1, f) != 1)
			magic = 0;
		fclose(f);
	}
	for (size_t i = 0; i < sizeof(magics) / sizeof(magics[0]); i++)
		if (magic == magics[i]) {
			xdpi_err("%s is not an xdpi live record (a pcap? compare takes the JSON "
				 "from --record; the traffic goes with --pcap)",
				 path);
			return NULL;
		}
	xdpi_err("%s is not an xdpi live record (not JSON: %s, line %d; compare takes the "
		 "JSON from `xdpi live --record`)",
		 path, jerr.text, jerr.line);
	return NULL;
}

int cmd_compare(int argc, char **argv)
{
	struct compare_report r = {0};
	struct compare_opts o;
	struct ledger l = {0};
	bool json;
	int ret;

	ret = compare_parse(argc, argv, &o);
	if (ret)
		return ret > 0 ? XDPI_EXIT_OK : XDPI_EXIT_USAGE;
	r.pcap = o.pcap;
	json = o.json;
	ret = XDPI_EXIT_FAIL;
	r.record = argv[optind];
	r.rec = compare_load(r.record);
	if (!r.rec)
		return XDPI_EXIT_FAIL;
	if (ledger_from_json(json_object_get(r.rec, "ledger"), &l)) {
		xdpi_err("%s is not an xdpi live record (no valid \"ledger\")", r.record);
		goto out;
	}
	r.ledger = &l;
	/* Before anything is printed: a total that wrapped would be a small
	 * number, believed. */
	if (!ledger_sums_fit(&l) || compare_report_totals(&r)) {
		xdpi_err("%s: the ledger's counters add up past 2^64 - 1, which no run counts: "
			 "not a record xdpi live writes (forged or corrupt)",
			 r.record);
		goto out;
	}
	if (!json)
		compare_heading_print(stdout, &r);
	ret = l.unexplained ? XDPI_EXIT_FAIL : XDPI_EXIT_OK;
	if (r.pcap) {
		if (compare_pcap(&r))
			goto fail;
		if (!json)
			compare_metrics_print(stdout, &r);
		/* A sample that cannot be compared (partial, merged) leaves
		 * the verdict to the ledger. */
		if (r.metrics != COMPARE_MATCH && r.metrics != COMPARE_PARTIAL &&
		    r.metrics != COMPARE_MERGED)
			ret = XDPI_EXIT_FAIL;
	}
	if (json) {
		json_t *obj = compare_report_json(&r, ret == XDPI_EXIT_OK);

		if (!obj || report_json_print(stdout, obj))
			ret = XDPI_EXIT_FAIL;
		json_decref(obj);
	}
	goto out;
fail:
	ret = XDPI_EXIT_FAIL;
out:
	json_decref(r.diffs);
	json_decref(r.rec);
	ledger_free(&l);
	return ret;
}
