/* SPDX-License-Identifier: MIT */
/*
 * The options of `xdpi bench`: one opttab table (util/opttab.h) from which
 * its getopt tables, --help (with XDPI_HELP_MAN, its man
 * page's options: cmd.h) and the defaults come,
 * and the checks of the options together. cmd/bench.c runs what they ask.
 */
#ifndef XDPI_CMD_BENCH_OPTS_H
#define XDPI_CMD_BENCH_OPTS_H

#include <stdbool.h>
#include <stdint.h>

#include "../bench/benchrun.h"
#include "../bench/xdpcost.h"

struct bench_args {
	struct bench_cfg cfg;
	bool on[BENCH__RECEIVERS];
	uint32_t queues;
	uint32_t mtu; /* 0: veth's default, 1500 */
	bool json, quick;
	bool search; /* NDR/PDR search: neither --quick nor --rate */
	bool flow_cases, receivers_given;
	const char *record;
	const char *history; /* NULL: the default path */
	bool no_history;
	uint32_t max_trials;
	double duration_sum;
	char cmdline[1024];
	struct xdp_cost xdp_cost; /* runs 0: not measured */
};

/* @a from the command line: 0, 1 after --help (printed), or -EINVAL
 * after a usage error (said). */
int bench_parse(int argc, char **argv, struct bench_args *a);

#endif /* XDPI_CMD_BENCH_OPTS_H */
