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

#include <getopt.h>

#include <jansson.h>

#include "../util/clock.h"
#include "../util/log.h"
#include "../util/opttab.h"
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
int cmd_top(int argc, char **argv);
int cmd_detach(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_gen(int argc, char **argv);
int cmd_afpacket(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_tune(int argc, char **argv);
int cmd_interfaces(int argc, char **argv);

struct gen_opts;
/* getopt values of options that have no short letter, above any command's
 * own (commands number theirs from 256). */
enum {
	XDPI_OPT_SIZE = 0x1000,
	XDPI_OPT_PROTO,
	XDPI_OPT_FLOWS,
	XDPI_OPT_RATE,
	XDPI_OPT_GEN_CPUS,
	XDPI_OPT_RX_CPUS,
	XDPI_OPT_SRC_IPS,
	XDPI_OPT_PRESET,
};
/* The long options of xdpi_parse_traffic_opt(), for getopt_long tables:
 * long-only, the same spelling in gen, bench and tune. */
/* clang-format off */
#define XDPI_TRAFFIC_LONG_OPTS                              \
	{"size", required_argument, NULL, XDPI_OPT_SIZE},    \
	{"proto", required_argument, NULL, XDPI_OPT_PROTO},  \
	{"flows", required_argument, NULL, XDPI_OPT_FLOWS},  \
	{"rate", required_argument, NULL, XDPI_OPT_RATE},    \
	{"src-ips", required_argument, NULL, XDPI_OPT_SRC_IPS}, \
	{"preset", required_argument, NULL, XDPI_OPT_PRESET}
/* clang-format on */
/* Parses an option gen, bench and tune share (--size size|imix, --proto,
 * --flows, --rate, --src-ips, --preset) into @o. A preset sets several of
 * them at once (gen_preset_apply()); options after it override it.
 * Returns 1 if @opt is one of them, 0 if not, -EINVAL for a bad value. */
int xdpi_parse_traffic_opt(int opt, const char *arg, struct gen_opts *o);

struct bench_cfg;
/* Options bench and tune share: where the generator and the receiver run,
 * and for how long each trial or point. */
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

/* The valid values of a traffic or harness option, for a usage error
 * ("64..1518 or imix"); NULL for another option. */
const char *xdpi_traffic_opt_valid(int opt, char *buf, size_t len);

/*
 * Usage errors: at most three lines on stderr, never the whole help:
 *   xdpi COMMAND: what is wrong
 *   Usage: xdpi COMMAND ...           (@usage, the help's first line)
 *   Try 'xdpi COMMAND --help'.
 * The prefix is the log's (util/log.h), set by main().
 */
void xdpi_usage_error(const char *usage, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* A bad value of the option getopt_long() just returned: the option as
 * typed, the value, and @valid (the valid values or range, may be NULL). */
void xdpi_usage_bad_value(const char *usage, char **argv, const char *arg, const char *valid);
/* What getopt_long() reported with opterr = 0 and an optstring starting
 * with ':' (@c is '?' for an unknown option, ':' for a missing value).
 * An unknown long option within two edits of one of @opts (the command's
 * table) gets "did you mean '--duration'?". */
void xdpi_usage_getopt(const char *usage, char **argv, int c, const struct option *opts);
/* @text as a usage error quotes it: itself when short, else its start and
 * end around "..." and its length ("tcp port 1 or ... port 200 (2891
 * characters)"), so that the reason after it stays readable. Returns
 * @text or @buf. */
const char *xdpi_quote_short(const char *text, char *buf, size_t len);
/* "a, b, c": the @n names, into @buf; returns @buf. */
const char *xdpi_choices(const char *const *names, int n, char *buf, size_t len);

/* What getopt_long() returned (@c) over @t's tables, applied to @obj: 1
 * when a row took it; 0 when the command handles it itself (an ACTION row,
 * --help); -EINVAL after the usage error is said: an unknown option, a
 * missing value, or a bad one with its valid values (opttab_explain()). */
int xdpi_opttab_apply(const struct opttab *t, void *obj, const char *usage, char **argv, int c);
/* Builds @t from @rows: 0, or -EINVAL after saying the table of @cmd is
 * malformed (a bug: two rows share a name or letter). */
int xdpi_opttab_init(struct opttab *t, const struct opttab_row *rows, const char *cmd);

/* The command line as typed, "xdpi ..." (for records). */
void xdpi_cmdline(int argc, char **argv, char *out, size_t len);

/* A record (--record of live and bench): @obj indented, into @path opened
 * by xdpi_output_open() (util/outfile.h): never through a symbolic link,
 * only into a regular file (or the null device), truncated only once it
 * is known to be one; close-on-exec. 0, or a negative errno with the
 * line to show in @err. */
int xdpi_record_write(const char *path, json_t *obj, char *err, size_t err_len);
/* The output files a command writes later (a record at the end, -w once
 * the sockets are bound), looked at now: 0, or -EINVAL after saying why
 * one would be refused (util/outfile.h). NULL and "-" are skipped. */
int xdpi_outputs_check(const char *const *paths, int n);

#endif /* XDPI_CMD_H */
