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

/* The traffic options gen, bench and tune share: --size, --proto,
 * --flows, --rate, --src-ips, --preset, rows over struct gen_opts
 * (include them at the offset of one) whose defaults gen_opts_defaults()
 * sets (OPTTAB_OBJ_DEFAULT). A preset sets several of them at once
 * (gen_preset_apply()); options after it override it. */
extern const struct opttab_row xdpi_traffic_rows[];
/* Where the generator and the receiver run, and for how long each trial
 * or point (bench, tune): --duration (at least a second), --gen-cpus,
 * --rx-cpus, rows over struct bench_cfg whose defaults
 * bench_cfg_defaults() sets. */
extern const struct opttab_row xdpi_harness_rows[];

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
/* getopt_long() over @t from the start of @argv, each option applied to
 * @obj by xdpi_opttab_apply(). Returns 0 at the operands (optind at the
 * first), the getopt value of an ACTION row given (--help: the command
 * acts on it), or -EINVAL after a usage error (said). */
int xdpi_opttab_getopt(const struct opttab *t, void *obj, const char *usage, int argc, char **argv);
/* With XDPI_HELP_MAN set in the environment, --help prints the OPTIONS
 * section of the command's man page as its table has it (opttab_man()),
 * which tests/t_opttab*.sh compare with docs/man: a variable, not a hidden
 * option, so that no abbreviation of --help becomes ambiguous. */
bool xdpi_help_man(void);
/* The whole parse of a command whose only ACTION row is --help: @t built
 * from @rows (@cmd names it in an error), the rows' defaults into @obj,
 * then @argv applied (xdpi_opttab_getopt()). On --help, @usage on stdout
 * (with XDPI_HELP_MAN, the man page's rows). 0 with optind at the
 * operands, 1 after --help, or -EINVAL after a usage error (said). */
int xdpi_opttab_parse(struct opttab *t, const struct opttab_row *rows, const char *cmd, void *obj,
		      const char *usage_line, void (*usage)(FILE *out), int argc, char **argv);
/* The @n arguments joined with spaces (tcpdump's EXPRESSION), to free();
 * NULL if out of memory. */
char *xdpi_join_args(int n, char *const *args);
/* " ARG" on the FILE @file, ARG quoted for a shell where it must be: a
 * push callback of capture_opts_write() for a command line a person can
 * paste. */
void xdpi_print_shell_arg(void *file, const char *arg);
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
