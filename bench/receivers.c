// SPDX-License-Identifier: MIT
/* The receivers' names, apart from the trials that run them, for what only
 * names them (the history, option parsing). */
#include "benchrun.h"

#include "../util/optval.h"

static const char *const receiver_names[BENCH__RECEIVERS] = {"ceiling",	  "inspect", "noinspect",
							     "af_packet", "dpdk",    "passive",
							     "noflows",	  "ipfix",   "nodetect"};

const char *bench_receiver_name(enum bench_receiver r)
{
	return (unsigned)r < BENCH__RECEIVERS ? receiver_names[r] : "invalid";
}

int bench_receiver_parse(const char *s)
{
	return xdpi_parse_choice(s, receiver_names, BENCH__RECEIVERS);
}

int bench_receivers_parse(const char *s, int *out, int max)
{
	return xdpi_parse_choice_list(s, receiver_names, BENCH__RECEIVERS, 0, out, max);
}
