// SPDX-License-Identifier: MIT
/* xdpi read: the offline mode, same parser and metrics as the live path. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "../inspect/capfile.h"
#include "../export/report.h"

static void read_usage(FILE *out)
{
	fprintf(out, "Usage: xdpi read [--json] [--filter F] FILE [EXPRESSION...]\n\n"
		     "Parses every frame of FILE (pcap or pcapng, Ethernet link type; - is\n"
		     "standard input) and prints its metrics (definitions: docs/metrics.md).\n\n"
		     "Options:\n"
		     "  -j, --json   print exactly one JSON object on stdout instead of the\n"
		     "               summary; warnings still go to stderr\n"
		     "  -f, --filter F  count only the frames `xdpi live --filter F` would\n"
		     "               steer to its sockets (default all): what a live run on\n"
		     "               this traffic should report. F is tcp, udp, ip or all\n"
		     "               (xdpi's built-in classes) or a pcap-filter expression\n"
		     "               ('tcp port 443', 'vlan and udp'; libpcap's semantics)\n"
		     "  EXPRESSION   the same as --filter, tcpdump style: the arguments after\n"
		     "               FILE joined with spaces\n"
		     "  -h, --help   this text\n\n"
		     "Exit status: 0 on success (also when the file ends inside a record:\n"
		     "the metrics up to there are printed with a warning), 1 when the file\n"
		     "is missing, unreadable, corrupt or not Ethernet, 2 on a usage error.\n");
}

/* @n arguments joined with spaces (tcpdump's EXPRESSION); NULL if out of
 * memory. */
static char *read_join(int n, char *const *args)
{
	size_t len = 1;
	char *s;

	for (int i = 0; i < n; i++)
		len += strlen(args[i]) + 1;
	s = malloc(len);
	if (!s)
		return NULL;
	*s = 0;
	for (int i = 0; i < n; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, args[i]);
	}
	return s;
}

int cmd_read(int argc, char **argv)
{
	static const struct option opts[] = {
		{"json", no_argument, NULL, 'j'},
		{"filter", required_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	struct capfile_result res;
	struct xdpi_filter filter;
	struct pipeline pipe;
	struct metrics *m = &pipe.m;
	char err[512], *joined = NULL;
	const char *text = NULL;
	bool json = false;
	int c, ret = XDPI_EXIT_FAIL;

	optind = 1;
	while ((c = getopt_long(argc, argv, "jf:h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'f':
			text = optarg;
			break;
		case 'h':
			read_usage(stdout);
			return XDPI_EXIT_OK;
		default:
			read_usage(stderr);
			return XDPI_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		xdpi_err("read takes one FILE (see 'xdpi read --help')");
		return XDPI_EXIT_USAGE;
	}
	if (optind + 1 < argc) {
		if (text) {
			xdpi_err("give the filter either with --filter or after FILE, not both");
			return XDPI_EXIT_USAGE;
		}
		text = joined = read_join(argc - optind - 1, argv + optind + 1);
		if (!joined) {
			xdpi_err("out of memory");
			return XDPI_EXIT_FAIL;
		}
	}
	c = xdpi_filter_compile(&filter, text ? text : "all", err, sizeof(err));
	if (c) {
		/* A second FILE by mistake reads as an expression: say so. */
		if (joined)
			xdpi_err("invalid filter '%s' (read takes one FILE; what follows it is "
				 "a pcap-filter expression): %s",
				 text, err);
		else
			xdpi_err("invalid filter '%s': %s", text, err);
		free(joined);
		return c == -EINVAL ? XDPI_EXIT_USAGE : XDPI_EXIT_FAIL;
	}
	free(joined);
	if (pipeline_init(&pipe, &(struct pipeline_config){.filter = &filter, .inspect = true})) {
		xdpi_err("out of memory");
		xdpi_filter_destroy(&filter);
		return XDPI_EXIT_FAIL;
	}
	if (capfile_inspect(argv[optind], &pipe, &res, err, sizeof(err))) {
		xdpi_err("%s", err);
		goto out;
	}
	if (res.truncated)
		xdpi_warn("%s; metrics cover the %" PRIu64 " complete frames before it",
			  res.warning, res.frames);
	if (res.snapped)
		xdpi_warn("%" PRIu64 " frames were captured shorter than on the wire "
			  "(snap length): they count by their headers; a header the "
			  "capture cut counts as malformed",
			  res.snapped);
	if (json) {
		json_t *obj = report_metrics_json(m);

		if (!obj) {
			xdpi_err("out of memory");
			goto out;
		}
		json_object_set_new(obj, "truncated_file", json_boolean(res.truncated));
		ret = report_json_print(stdout, obj) ? XDPI_EXIT_FAIL : XDPI_EXIT_OK;
		json_decref(obj);
	} else {
		printf("file               %s%s\n", argv[optind],
		       res.truncated ? " (truncated)" : "");
		report_metrics_print(stdout, m);
		ret = XDPI_EXIT_OK;
	}
out:
	pipeline_destroy(&pipe);
	xdpi_filter_destroy(&filter);
	return ret;
}
