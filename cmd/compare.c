// SPDX-License-Identifier: MIT
/* xdpi compare: re-check a live run record offline, and optionally hold its
 * metrics against `xdpi read` of the traffic that was sent. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "../capture/ledger.h"
#include "../export/ledger_report.h"
#include "../inspect/capfile.h"
#include "../export/report.h"

static void compare_usage(FILE *out)
{
	fprintf(out, "Usage: xdpi compare [--pcap TRAFFIC.pcap] RECORD.json\n\n"
		     "Re-checks the drop ledger of a record written by `xdpi live --record`:\n"
		     "recomputes redirected - inspected - socket drops per queue from the raw\n"
		     "counters and prints the ledger. With --pcap, also reads the traffic\n"
		     "that was sent (with the record's filter, as the XDP program would) and\n"
		     "compares every metric with the live run's.\n\n"
		     "Options:\n"
		     "  -p, --pcap FILE  the traffic that was sent\n"
		     "  -h, --help       this text\n\n"
		     "Exit status: 0 when the ledger closes (and the metrics match), 1 when\n"
		     "not or the files are unreadable, 2 on a usage error.\n");
}

/* A string from a record, for the terminal: control bytes as '?'. */
static void print_clean(const char *s, size_t max)
{
	for (size_t i = 0; s && s[i] && i < max; i++)
		putchar((unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i]);
	if (!s)
		putchar('?');
}

/* Prints every metric key whose value differs; returns how many. */
static int compare_metrics(json_t *live, json_t *offline)
{
	const char *key;
	json_t *want;
	int diffs = 0;

	json_object_foreach(offline, key, want)
	{
		json_t *got = json_object_get(live, key);

		/* Averages are derived from two compared integers. */
		if (!strcmp(key, "avg_packet_size") || !strcmp(key, "truncated_file"))
			continue;
		if (got && json_equal(got, want))
			continue;
		/* JSON_ENCODE_ANY: a metric is often a bare number. */
		char *g = got ? json_dumps(got, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
		char *w = json_dumps(want, JSON_COMPACT | JSON_ENCODE_ANY);

		printf("  %-18s live %s\n  %-18s sent %s\n", key, g ?: "(missing)", "", w ?: "?");
		free(g);
		free(w);
		diffs++;
	}
	return diffs;
}

/* What the ledger says was redirected, and dropped by the sockets. */
static void ledger_totals(const struct ledger *l, uint64_t *redirected, uint64_t *dropped)
{
	*redirected = *dropped = 0;
	for (int i = 0; i < l->count; i++) {
		*redirected += l->q[i].xdp.redirected;
		*dropped += l->q[i].sock.rx_dropped + l->q[i].sock.rx_ring_full;
	}
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

/* What the differences mean; returns the exit status. */
static int compare_verdict(json_t *rec, const struct ledger *l, int diffs, uint64_t steered)
{
	uint64_t redirected, dropped;

	ledger_totals(l, &redirected, &dropped);
	if (!diffs) {
		printf("every metric matches\n");
		return XDPI_EXIT_OK;
	}
	if (steered < redirected) {
		/* The sample stops before the run did (xdpi gen --pcap-max):
		 * nothing can be said of the rest. */
		printf("%d metric%s differ, but the sample is partial: it holds %" PRIu64
		       " of the %" PRIu64 " frames the XDP program redirected, so only "
		       "the ledger is checked\n",
		       diffs, diffs == 1 ? "" : "s", steered, redirected);
		return XDPI_EXIT_OK;
	}
	if (dropped &&
	    redirected - dropped == (uint64_t)json_integer_value(json_object_get(rec, "packets")) &&
	    steered == redirected)
		printf("%d metric%s differ: the %" PRIu64 " frames the socket dropped "
		       "(ledger) were never inspected, and account for the %" PRIu64
		       " packets missing\n",
		       diffs, diffs == 1 ? "" : "s", dropped, dropped);
	else
		printf("%d metric%s differ\n", diffs, diffs == 1 ? "" : "s");
	return XDPI_EXIT_FAIL;
}

/* The record's metrics against @pcap read offline. */
static int compare_pcap(json_t *rec, const char *record, const struct ledger *l, const char *pcap)
{
	const char *filter_text = json_string_value(json_object_get(rec, "filter"));
	struct xdpi_filter filter;
	struct capfile_result res;
	json_t *offline;
	char err[512];
	int diffs;

	/* The record's filter, a keyword or an expression, as `xdpi live`
	 * compiled it. */
	if (!filter_text || xdpi_filter_compile(&filter, filter_text, err, sizeof(err))) {
		xdpi_err("%s: no valid \"filter\" in the record%s%s", record,
			 filter_text ? ": " : "", filter_text ? err : "");
		return XDPI_EXIT_FAIL;
	}
	if (!json_is_true(json_object_get(rec, "inspect")))
		xdpi_warn("the run had inspection off: only packets and bytes can match");
	offline = offline_metrics(pcap, &filter, &res);
	xdpi_filter_destroy(&filter);
	if (!offline)
		return XDPI_EXIT_FAIL;
	printf("\nmetrics, live vs. %s read with filter ", pcap);
	print_clean(filter_text, 256);
	printf(" (%" PRIu64 " frames, %" PRIu64 " not steered):\n", res.frames, res.filtered_out);
	diffs = compare_metrics(rec, offline);
	json_decref(offline);
	/* res.frames: the frames the filter selected, what the run should
	 * have been steered. */
	return compare_verdict(rec, l, diffs, res.frames);
}

int cmd_compare(int argc, char **argv)
{
	static const struct option opts[] = {
		{"pcap", required_argument, NULL, 'p'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	const char *pcap = NULL;
	struct ledger l = {0};
	json_error_t jerr;
	int c, ret = XDPI_EXIT_FAIL;
	json_t *rec;

	optind = 1;
	while ((c = getopt_long(argc, argv, "p:h", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			pcap = optarg;
			break;
		case 'h':
			compare_usage(stdout);
			return XDPI_EXIT_OK;
		default:
			compare_usage(stderr);
			return XDPI_EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		xdpi_err("compare takes exactly one RECORD (see 'xdpi compare --help')");
		return XDPI_EXIT_USAGE;
	}
	rec = json_load_file(argv[optind], 0, &jerr);
	if (!rec) {
		xdpi_err("%s: %s (line %d)", argv[optind], jerr.text, jerr.line);
		return XDPI_EXIT_FAIL;
	}
	if (ledger_from_json(json_object_get(rec, "ledger"), &l)) {
		xdpi_err("%s: not an xdpi live record (no valid \"ledger\")", argv[optind]);
		goto out;
	}
	printf("record ");
	print_clean(argv[optind], 256);
	printf(": interface ");
	print_clean(json_string_value(json_object_get(rec, "interface")), 64);
	printf(", filter ");
	print_clean(json_string_value(json_object_get(rec, "filter")), 256);
	printf(", %.1f s\n", json_number_value(json_object_get(rec, "duration_s")));
	ledger_print(stdout, &l);
	ret = l.unexplained ? XDPI_EXIT_FAIL : XDPI_EXIT_OK;
	if (pcap && compare_pcap(rec, argv[optind], &l, pcap) != XDPI_EXIT_OK)
		ret = XDPI_EXIT_FAIL;
out:
	json_decref(rec);
	ledger_free(&l);
	return ret;
}
