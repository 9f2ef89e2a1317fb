// SPDX-License-Identifier: MIT
/* xdpi detach: clean up after a run that could not (kill -9, power cut). */
#include <errno.h>
#include <getopt.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "../bpf/steer.h"
#include "../xsk/iface.h"

static const char detach_usage_line[] = "Usage: xdpi detach [--force] [-i] IFACE";

struct detach_opts {
	const char *ifname;
	bool force;
};

#define DO(m) offsetof(struct detach_opts, m)

static const struct opttab_row detach_rows[] = {
	{OPTTAB_STRING, "interface", 'i', .off = DO(ifname), .metavar = "IFACE",
	 .help = "the interface (or IFACE last)"},
	{OPTTAB_FLAG, "force", .off = DO(force),
	 .help = "remove whatever XDP program is attached, not only xdpi's, also one a running "
		 "xdpi live uses"},
	{OPTTAB_ACTION, "help", 'h', .help = "this text"},
	{OPTTAB_END},
};

static struct opttab detach_tab;

static void detach_usage(FILE *out)
{
	fprintf(out,
		"%s\n\n"
		"Removes the XDP program a killed `xdpi live` left on IFACE, and puts\n"
		"back napi_defer_hard_irqs and gro_flush_timeout if they still hold the\n"
		"values xdpi sets for busy polling (2 and 200000) by resetting them to 0.\n"
		"It refuses while the `xdpi live` that attached the program still runs\n"
		"(the run holds a lock under /run/xdpi).\n\n"
		"Options:\n",
		detach_usage_line);
	opttab_help(&detach_tab, out);
	fputs("\nExit status: 0 when nothing of xdpi's is left attached (also when there\n"
	      "was nothing), 1 on an error, 2 on a usage error.\n",
	      out);
}

/* Returns 0, 1 after --help, or -EINVAL (said). */
static int detach_parse(int argc, char **argv, struct detach_opts *o)
{
	int c;

	c = xdpi_opttab_parse(&detach_tab, detach_rows, "detach", o, detach_usage_line,
			      detach_usage, argc, argv);
	if (c)
		return c;
	if (optind < argc && !o->ifname)
		o->ifname = argv[optind++];
	if (!o->ifname || optind != argc) {
		xdpi_usage_error(detach_usage_line,
				 "takes exactly one IFACE (-i IFACE, or IFACE last)");
		return -EINVAL;
	}
	return 0;
}

int cmd_detach(int argc, char **argv)
{
	struct detach_opts o;
	char err[256] = "";
	struct iface_rx_path path;
	long defer, flush;
	const char *ifn;
	int ret;

	ret = detach_parse(argc, argv, &o);
	if (ret)
		return ret > 0 ? XDPI_EXIT_OK : XDPI_EXIT_USAGE;
	ifn = o.ifname;
	if (xdpi_check_privileges())
		return XDPI_EXIT_FAIL;
	ret = steer_detach_iface(ifn, o.force, err, sizeof(err));
	if (ret < 0) {
		xdpi_err("%s", err);
		return XDPI_EXIT_FAIL;
	}
	printf("%s: %s\n", ifn, ret ? "XDP program detached" : "no xdpi XDP program attached");
	/* xdpi's own values: 2 and the deferral it sizes for this interface
	 * (the same arithmetic gives the same value), or 200000, what xdpi
	 * set before it sized it. */
	iface_rx_path(ifn, &path);
	if (!iface_knob_read(ifn, "napi_defer_hard_irqs", &defer) &&
	    !iface_knob_read(ifn, "gro_flush_timeout", &flush) && defer == 2 &&
	    (flush == 200000 || flush == (long)iface_safe_deferral_ns(&path))) {
		struct iface_knob k;

		if (iface_knob_set(&k, ifn, "napi_defer_hard_irqs", "0") ||
		    iface_knob_set(&k, ifn, "gro_flush_timeout", "0"))
			xdpi_warn("cannot reset %s's busy-polling settings", ifn);
		else
			printf("%s: napi_defer_hard_irqs and gro_flush_timeout reset to 0\n", ifn);
	}
	return XDPI_EXIT_OK;
}
