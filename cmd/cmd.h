/* SPDX-License-Identifier: MIT */
/*
 * Subcommands of the xdpi binary. Each takes argc/argv starting at its own
 * name and returns the process exit status: 0 success, 1 runtime failure,
 * 2 usage error.
 */
#ifndef XDPI_CMD_H
#define XDPI_CMD_H

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
int cmd_testbed(int argc, char **argv);

/* "xdpi: <msg>\n" on stderr, printf-style. */
void xdpi_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void xdpi_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* XDPI_CMD_H */
