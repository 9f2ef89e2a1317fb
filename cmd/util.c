// SPDX-License-Identifier: MIT
/* Helpers the traffic subcommands share: gen, bench and tune options. */
#include <errno.h>
#include <stdbool.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "../bench/generator.h"

int xdpi_parse_traffic_opt(int opt, const char *arg, struct gen_opts *o)
{
	uint32_t u;
	int v;

	switch (opt) {
	case 's':
		if (!strcmp(arg, "imix"))
			o->size = GEN_IMIX;
		else if (xdpi_parse_u32(arg, 64, 1518, &o->size))
			return -EINVAL;
		return 1;
	case 'p':
		v = gen_proto_parse(arg);
		if (v < 0)
			return -EINVAL;
		o->proto = (enum gen_proto)v;
		return 1;
	case 'F':
		return xdpi_parse_u32(arg, 1, XDPI_GEN_MAX_FLOWS, &o->flows) ? -EINVAL : 1;
	case 'r':
		if (xdpi_parse_u32(arg, 1, 1000000000, &u))
			return -EINVAL;
		o->rate = u;
		return 1;
	default:
		return 0;
	}
}
