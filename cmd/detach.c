// SPDX-License-Identifier: MIT
/* xdpi detach: clean up after a run that could not (kill -9, power cut). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "../bpf/steer.h"
#include "../xsk/iface.h"

static const char detach_usage_line[] = "Usage: xdpi detach [--force] [-i] IFACE";

static void detach_usage(FILE *out)
{
	fprintf(out,
		"%s\n\n"
		"Removes the XDP program a killed `xdpi live` left on IFACE, and puts\n"
		"back napi_defer_hard_irqs and gro_flush_timeout if they still hold the\n"
		"values xdpi sets for busy polling (2 and 200000) by resetting them to 0.\n"
		"It refuses while the `xdpi live` that attached the program still runs\n"
		"(the run holds a lock under /run/xdpi).\n\n"
		"Options:\n"
		"  -i, --interface IFACE  the interface (or IFACE last)\n"
		"      --force  remove whatever XDP program is attached, not only xdpi's,\n"
		"               also one a running xdpi live uses\n"
		"  -h, --help   this text\n\n"
		"Exit status: 0 when nothing of xdpi's is left attached (also when there\n"
		"was nothing), 1 on an error, 2 on a usage error.\n",
		detach_usage_line);
}

int cmd_detach(int argc, char **argv)
{
	static const struct option opts[] = {
		{"interface", required_argument, NULL, 'i'},
		{"force", no_argument, NULL, 'F'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	char err[256] = "";
	bool force = false;
	struct iface_rx_path path;
	long defer, flush;
	const char *ifn = NULL;
	int c, ret;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":i:h", opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			ifn = optarg;
			break;
		case 'F':
			force = true;
			break;
		case 'h':
			detach_usage(stdout);
			return XDPI_EXIT_OK;
		default:
			xdpi_usage_getopt(detach_usage_line, argv, c, opts);
			return XDPI_EXIT_USAGE;
		}
	}
	if (optind < argc && !ifn)
		ifn = argv[optind++];
	if (!ifn || optind != argc) {
		xdpi_usage_error(detach_usage_line,
				 "takes exactly one IFACE (-i IFACE, or IFACE last)");
		return XDPI_EXIT_USAGE;
	}
	if (xdpi_check_privileges())
		return XDPI_EXIT_FAIL;
	ret = steer_detach_iface(ifn, force, err, sizeof(err));
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
