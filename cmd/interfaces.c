// SPDX-License-Identifier: MIT
/*
 * xdpi interfaces: argv -> the interfaces of this network namespace
 * (capture/ifinfo.h) -> a table or JSON (export/iface_report.h). Reads
 * only: nothing is attached; without privileges the XDP program's name is
 * left out.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "../capture/ifinfo.h"
#include "../export/iface_report.h"
#include "../export/report.h"

static const char interfaces_usage_line[] = "Usage: xdpi interfaces [--json] [[-i] IFACE...]";

static void interfaces_usage(FILE *out)
{
	fprintf(out,
		"%s\n\n"
		"Lists the interfaces of this network namespace (or those named): RX\n"
		"queues, driver, link state, the XDP program attached, whether the\n"
		"driver has native XDP and AF_XDP zero-copy (as the kernel reports them,\n"
		"Linux 6.3+; else unknown), and whether `xdpi live` would steer it as a\n"
		"capture port or needs --takeover because this host uses it (an address,\n"
		"a default route, your SSH session, a bridge or bond over it, a VLAN on\n"
		"it: docs/live.md). An xdpi program no running `xdpi live` owns (left\n"
		"by a killed run) is stale, shown with the `xdpi detach` that removes it.\n\n"
		"Options:\n"
		"  -i, --interface IFACE  list IFACE (repeatable; or IFACE... last)\n"
		"  -j, --json  one JSON object {\"interfaces\": [...]}\n"
		"  -h, --help  this text\n\n"
		"Exit status: 0, 1 when a named interface does not exist or the list\n"
		"cannot be read, 2 on a usage error.\n",
		interfaces_usage_line);
}

int cmd_interfaces(int argc, char **argv)
{
	static const struct option opts[] = {
		{"interface", required_argument, NULL, 'i'},
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	const char **names = calloc((size_t)argc + 1, sizeof(*names));
	struct ifinfo *list;
	const char *bad = NULL;
	bool json = false;
	json_t *obj;
	int c, n, nnames = 0;

	if (!names) {
		xdpi_err("out of memory");
		return XDPI_EXIT_FAIL;
	}
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":i:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			names[nnames++] = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			interfaces_usage(stdout);
			free(names);
			return XDPI_EXIT_OK;
		default:
			xdpi_usage_getopt(interfaces_usage_line, argv, c, opts);
			free(names);
			return XDPI_EXIT_USAGE;
		}
	}
	while (optind < argc)
		names[nnames++] = argv[optind++];
	n = ifinfo_list(names, nnames, &list, &bad);
	free(names);
	if (n < 0) {
		if (bad)
			xdpi_err("no interface '%s'", bad);
		else
			xdpi_err("cannot list the interfaces: %s", strerror(-n));
		return XDPI_EXIT_FAIL;
	}
	if (!json) {
		iface_report_print(stdout, list, n);
		free(list);
		return XDPI_EXIT_OK;
	}
	obj = iface_report_json(list, n);
	free(list);
	if (!obj) {
		xdpi_err("out of memory");
		return XDPI_EXIT_FAIL;
	}
	n = report_json_print(stdout, obj);
	json_decref(obj);
	return n ? XDPI_EXIT_FAIL : XDPI_EXIT_OK;
}
