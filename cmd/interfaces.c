// SPDX-License-Identifier: MIT
/*
 * xdpi interfaces: argv -> the interfaces of this network namespace
 * (capture/ifinfo.h) -> a table or JSON (export/iface_report.h). Reads
 * only: nothing is attached; without privileges the XDP program's name is
 * left out.
 */
#include <errno.h>
#include <getopt.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "../capture/ifinfo.h"
#include "../export/iface_report.h"
#include "../export/report.h"

static const char interfaces_usage_line[] = "Usage: xdpi interfaces [--json] [[-i] IFACE...]";

struct interfaces_opts {
	const char **names; /* argc + 1 of them */
	int nnames;
	bool json;
};

/* -i: one more name (repeatable). */
static int interfaces_name_parse(void *obj, const struct opttab_row *r, const char *arg)
{
	struct interfaces_opts *o = obj;

	(void)r;
	o->names[o->nnames++] = arg;
	return 0;
}

#define IO(m) offsetof(struct interfaces_opts, m)

static const struct opttab_row interfaces_rows[] = {
	{OPTTAB_CUSTOM, "interface", 'i', .parse = interfaces_name_parse, .metavar = "IFACE",
	 .help = "list IFACE (repeatable; or IFACE... last)"},
	{OPTTAB_FLAG, "json", 'j', .off = IO(json),
	 .help = "one JSON object {\"interfaces\": [...]}"},
	{OPTTAB_ACTION, "help", 'h', .help = "this text"},
	{OPTTAB_END},
};

static struct opttab interfaces_tab;

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
		"Options:\n",
		interfaces_usage_line);
	opttab_help(&interfaces_tab, out);
	fputs("\nExit status: 0, 1 when a named interface does not exist or the list\n"
	      "cannot be read, 2 on a usage error.\n",
	      out);
}

/* Returns 0, 1 after --help, or -EINVAL (said). o->names is set. */
static int interfaces_parse(int argc, char **argv, struct interfaces_opts *o)
{
	int c;

	c = xdpi_opttab_parse(&interfaces_tab, interfaces_rows, "interfaces", o,
			      interfaces_usage_line, interfaces_usage, argc, argv);
	if (c)
		return c;
	while (optind < argc)
		o->names[o->nnames++] = argv[optind++];
	return 0;
}

int cmd_interfaces(int argc, char **argv)
{
	struct interfaces_opts o = {.names = calloc((size_t)argc + 1, sizeof(*o.names))};
	struct ifinfo *list;
	const char *bad = NULL;
	json_t *obj;
	int n;

	if (!o.names) {
		xdpi_err("out of memory");
		return XDPI_EXIT_FAIL;
	}
	n = interfaces_parse(argc, argv, &o);
	if (n) {
		free(o.names);
		return n > 0 ? XDPI_EXIT_OK : XDPI_EXIT_USAGE;
	}
	n = ifinfo_list(o.names, o.nnames, &list, &bad);
	free(o.names);
	if (n < 0) {
		if (bad)
			xdpi_err("no interface '%s'", bad);
		else
			xdpi_err("cannot list the interfaces: %s", strerror(-n));
		return XDPI_EXIT_FAIL;
	}
	if (!o.json) {
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
