// SPDX-License-Identifier: MIT
/* Small helpers shared by the subcommands: traffic and harness options,
 * stop signals, the command line. */
#include <errno.h>
#include <stdbool.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "../bench/benchrun.h"
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

int xdpi_parse_harness_opt(int opt, const char *arg, struct bench_cfg *cfg)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int v = xdpi_parse_traffic_opt(opt, arg, &cfg->gen);

	if (v)
		return v;
	switch (opt) {
	case 'd':
		if (xdpi_parse_seconds(arg, &cfg->gen.duration) || cfg->gen.duration < 1)
			return -EINVAL;
		return 1;
	case XDPI_OPT_GEN_CPUS:
		cfg->gen.ncpus = xdpi_parse_list(arg, cfg->gen.cpus, GEN_MAX_THREADS, (int)ncpu);
		return cfg->gen.ncpus < 0 ? -EINVAL : 1;
	case XDPI_OPT_RX_CPUS:
		cfg->nrx_cpus = xdpi_parse_list(arg, cfg->rx_cpus, GEN_MAX_THREADS, (int)ncpu);
		return cfg->nrx_cpus < 0 ? -EINVAL : 1;
	default:
		return 0;
	}
}

void xdpi_cmdline(int argc, char **argv, char *out, size_t len)
{
	*out = 0;
	for (int i = 0; i < argc; i++)
		snprintf(out + strlen(out), len - strlen(out), "%s%s", i ? " " : "xdpi ", argv[i]);
}
