/* SPDX-License-Identifier: MIT */
/*
 * Subcommands of the xdpi binary. Each takes argc/argv starting at its own
 * name and returns the process exit status: 0 success, 1 runtime failure,
 * 2 usage error.
 */
#ifndef XDPI_CMD_H
#define XDPI_CMD_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../util/clock.h"
#include "../util/log.h"
#include "../util/optval.h"
#include "../util/privs.h"
#include "../util/signals.h"

enum {
	XDPI_EXIT_OK = 0,
	XDPI_EXIT_FAIL = 1,
	XDPI_EXIT_USAGE = 2,
};

struct xdpi_cmd {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

int cmd_read(int argc, char **argv);
int cmd_live(int argc, char **argv);
int cmd_detach(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_gen(int argc, char **argv);
int cmd_afpacket(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_tune(int argc, char **argv);
int cmd_interfaces(int argc, char **argv);

struct gen_opts;
/* The long options of xdpi_parse_traffic_opt(), for getopt_long tables. */
/* clang-format off */
#define XDPI_TRAFFIC_LONG_OPTS                  \
	{"size", required_argument, NULL, 's'},  \
	{"proto", required_argument, NULL, 'p'}, \
	{"flows", required_argument, NULL, 'F'}, \
	{"rate", required_argument, NULL, 'r'}
/* clang-format on */
/* Parses an option gen, bench and tune share (-s size|imix, -p proto,
 * -F flows, -r rate) into @o. Returns 1 if @opt is one of them, 0 if not,
 * -EINVAL for a bad value. */
int xdpi_parse_traffic_opt(int opt, const char *arg, struct gen_opts *o);

struct bench_cfg;
/* Options bench and tune share: where the generator and the receiver run,
 * and for how long each trial or point. getopt values above any command's
 * own. */
enum {
	XDPI_OPT_GEN_CPUS = 0x1000,
	XDPI_OPT_RX_CPUS,
};
/* clang-format off */
#define XDPI_HARNESS_LONG_OPTS                                  \
	{"duration", required_argument, NULL, 'd'},              \
	{"gen-cpus", required_argument, NULL, XDPI_OPT_GEN_CPUS}, \
	{"rx-cpus", required_argument, NULL, XDPI_OPT_RX_CPUS}
/* clang-format on */
/* Parses one of XDPI_HARNESS_LONG_OPTS (a duration of at least a second)
 * or of XDPI_TRAFFIC_LONG_OPTS into @cfg. Returns 1 if @opt is one of
 * them, 0 if not, -EINVAL for a bad value. */
int xdpi_parse_harness_opt(int opt, const char *arg, struct bench_cfg *cfg);

/* The command line as typed, "xdpi ..." (for records). */
void xdpi_cmdline(int argc, char **argv, char *out, size_t len);

#endif /* XDPI_CMD_H */
