// SPDX-License-Identifier: MIT
/* Entry point: dispatches to the subcommand named by argv[1]. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <time.h>

#include <bpf/libbpf.h>
#include <jansson.h>

#include "cmd.h"
#include "libxdp_version.h"
#include "../bpf/bpflog.h"
#include "../util/version.h"

static const struct xdpi_cmd commands[] = {
	{"read", cmd_read, "inspect a pcap or pcapng file and print its metrics"},
	{"live", cmd_live, "inspect traffic on an interface through AF_XDP"},
	{"top", cmd_top, "a full-screen view of the busiest connections, live"},
	{"interfaces", cmd_interfaces, "list interfaces: queues, driver, XDP support, --takeover"},
	{"detach", cmd_detach, "remove an xdpi XDP program left on an interface"},
	{"compare", cmd_compare, "re-check a live run record, optionally against a pcap"},
	{"gen", cmd_gen, "send stamped test traffic at line rate"},
	{"bench", cmd_bench, "benchmark on a veth testbed: ceiling, xdpi, AF_PACKET"},
	{"tune", cmd_tune, "sweep queues, batch, rings and placement; table, CSV, plot"},
	{"afpacket", cmd_afpacket, "count frames with libpcap (the AF_PACKET baseline)"},
};

static void usage(FILE *out)
{
	size_t i;

	fprintf(out, "Usage: xdpi COMMAND [OPTIONS]\n\n"
		     "An AF_XDP packet inspector: headers, flows and metrics at line\n"
		     "rate, with every lost packet accounted for.\n\nCommands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\nRun 'xdpi COMMAND --help' for a command's options.\n");
}

/* The libraries xdpi runs with: libbpf says its own version at run time;
 * libxdp (1.3) has no such call, so its line is the version pkg-config
 * gave when xdpi was built ($(BUILD)/libxdp_version.h, cmd/cmd.mk), and
 * says so. */
static void print_version(void)
{
	printf("xdpi %s\n", xdpi_version());
	printf("libbpf %u.%u (running; built with %d.%d)\n", libbpf_major_version(),
	       libbpf_minor_version(), LIBBPF_MAJOR_VERSION, LIBBPF_MINOR_VERSION);
	printf("libxdp %s (built with; libxdp has no run-time version call)\n",
	       XDPI_LIBXDP_BUILD_VERSION);
}

/* What a command printed reached stdout: a full disk, a closed pipe or
 * /dev/full otherwise go unnoticed (stdio keeps the error in the stream,
 * and the last buffer is only written at exit). Every command's exit
 * goes through here; a failure turns a success into 1. */
static int stdout_checked(int ret)
{
	int err = fflush(stdout) ? errno : 0;

	if (!err && ferror(stdout))
		err = EIO;
	if (!err)
		return ret;
	xdpi_err("write error on standard output: %s", strerror(err));
	return ret == XDPI_EXIT_OK ? XDPI_EXIT_FAIL : ret;
}

int main(int argc, char **argv)
{
	size_t i;

	xdpi_bpf_log_init();
	/* Process-wide state that libraries make on first use, by opening a
	 * file: made here, not in a sandboxed thread that may not open one
	 * (util/sandbox.h). glibc reads the time zone on the first date
	 * conversion (libmicrohttpd's Date header, a flow's JSON line);
	 * jansson seeds its hash tables from /dev/urandom on the first
	 * object (a flow's JSON line, on liburcu's call_rcu thread). */
	tzset();
	json_object_seed(0);
	/* Not a terminal: a buffer that holds any help text or summary whole,
	 * so that a write that fails (a full disk, /dev/full) fails in the
	 * final flush, whose errno stdout_checked() can still name. */
	if (!isatty(STDOUT_FILENO)) {
		/* glibc sizes a buffer it allocates itself by the file's
		 * st_blksize, whatever size is asked for: give it one. */
		static char stdout_buf[1 << 16];

		setvbuf(stdout, stdout_buf, _IOFBF, sizeof(stdout_buf));
	}
	if (argc < 2) {
		usage(stderr);
		return XDPI_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		print_version();
		return stdout_checked(XDPI_EXIT_OK);
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return stdout_checked(XDPI_EXIT_OK);
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name)) {
			/* Every message of the subcommand reads "xdpi COMMAND: ...",
			 * getopt_long()'s own too (it names argv[0]). */
			static char prefix[64];

			snprintf(prefix, sizeof(prefix), "xdpi %s", commands[i].name);
			xdpi_log_set_prefix(prefix);
			argv[1] = prefix;
			return stdout_checked(commands[i].run(argc - 1, argv + 1));
		}
	xdpi_err("unknown command '%s'", argv[1]);
	fprintf(stderr, "Usage: xdpi COMMAND [OPTIONS]\nTry 'xdpi --help'.\n");
	return XDPI_EXIT_USAGE;
}
